// SPDX-License-Identifier: GPL-2.0
/* hsmctl restore's SO PIN: --so-pin-file, $KHSM_SO_PIN, or the terminal. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "hsmctl.h"

#define PIN_MAX	256

/* The first line of @buf (@len bytes) as a malloc'd string. */
static char *first_line(const char *buf, size_t len, size_t *out_len)
{
	size_t n = 0;
	char *p;

	while (n < len && buf[n] != '\n' && buf[n] != '\r')
		n++;
	p = malloc(n + 1);
	if (!p)
		return NULL;
	memcpy(p, buf, n);
	p[n] = 0;
	*out_len = n;
	return p;
}

static char *pin_from_tty(size_t *len)
{
	struct termios old, quiet;
	char buf[PIN_MAX + 2], *p = NULL;
	ssize_t r;
	size_t got = 0;
	int fd;

	fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return NULL;
	if (tcgetattr(fd, &old)) {
		close(fd);
		return NULL;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	if (write(fd, "SO PIN of the backup: ", 22) < 0 ||
	    tcsetattr(fd, TCSAFLUSH, &quiet)) {
		close(fd);
		return NULL;
	}
	while (got < sizeof(buf) - 1) {
		r = read(fd, buf + got, sizeof(buf) - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
		if (buf[got - 1] == '\n')
			break;
	}
	tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0)
		got = 0;
	close(fd);
	if (got)
		p = first_line(buf, got, len);
	explicit_bzero(buf, sizeof(buf));
	return p;
}

char *so_pin_get(const struct opts *o, size_t *len)
{
	unsigned char *buf;
	const char *env;
	size_t n;
	char *p;

	*len = 0;
	if (o->so_pin_file) {
		if (read_file_at(AT_FDCWD, o->so_pin_file, 4096, &buf, &n)) {
			msg("%s: %s: %s", o->name, o->so_pin_file,
			    strerror(errno));
			return NULL;
		}
		p = first_line((const char *)buf, n, len);
		explicit_bzero(buf, n);
		free(buf);
		if (!p)
			msg("%s: out of memory", o->name);
		return p;
	}
	env = getenv("KHSM_SO_PIN");
	if (env) {
		p = strdup(env);
		*len = p ? strlen(p) : 0;
		if (!p)
			msg("%s: out of memory", o->name);
		return p;
	}
	p = pin_from_tty(len);
	if (!p)
		msg("%s: no SO PIN: give --so-pin-file F, KHSM_SO_PIN, or run on a terminal",
		    o->name);
	return p;
}
