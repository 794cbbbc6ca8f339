// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Slot events (<linux/khsm.h>, "Tokens at run time and slot events"): one
 * descriptor a caller polls, readable when a token may have been added,
 * removed or initialised.
 *
 * The kernel counts slot events in one counter for the whole module and
 * reports it through poll()/read() on every open /dev/hsmN, so one open
 * token file is enough: the "watch" file, on the lowest index this process
 * may open. When its token is removed (POLLHUP) the file is closed at the
 * next hsm_events_read(), which frees the index for reuse, and another
 * token is watched. When no token can be opened (none exists, or the
 * caller is in no token's group) inotify on the device directory reports
 * hsmN nodes that appear, vanish or change owner or mode (udev), so a
 * token added later still wakes the caller; such a caller sees nodes come
 * and go and nothing else. Both descriptors sit in one epoll instance,
 * whose descriptor hsm_events_fd() gives.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "internal.h"

struct hsm_events {
	int epfd;
	struct hsm_token *watch;	/* NULL: none */
	int ino_fd;			/* -1: none */
	pid_t pid;
	uint64_t gen;			/* the counter as last read */
};

#define HSMI_INO_MASK (IN_CREATE | IN_DELETE | IN_ATTRIB | IN_MOVED_FROM | \
		       IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

static int hsmi_ep_add(struct hsm_events *ev, int fd)
{
	struct epoll_event e = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(ev->epfd, EPOLL_CTL_ADD, fd, &e);
}

/* Read the counter; 1 if it moved since the last read, 0 if not, -1. */
static int hsmi_gen_read(struct hsm_events *ev)
{
	uint64_t gen;
	ssize_t n;

	do {
		n = read(hsm_token_fd(ev->watch), &gen, sizeof(gen));
	} while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(gen))
		return -1;
	if (gen == ev->gen)
		return 0;
	ev->gen = gen;
	return 1;
}

static void hsmi_watch_drop(struct hsm_events *ev)
{
	if (!ev->watch)
		return;
	/* Explicitly: a child of fork() may share the file and the epoll. */
	epoll_ctl(ev->epfd, EPOLL_CTL_DEL, hsm_token_fd(ev->watch), NULL);
	hsm_close(ev->watch);
	ev->watch = NULL;
}

static void hsmi_ino_drop(struct hsm_events *ev)
{
	if (ev->ino_fd < 0)
		return;
	epoll_ctl(ev->epfd, EPOLL_CTL_DEL, ev->ino_fd, NULL);
	close(ev->ino_fd);
	ev->ino_fd = -1;
}

/* Open the lowest token this process may open; 1 if one is watched now. */
static int hsmi_watch_open(struct hsm_events *ev)
{
	unsigned int *ids = NULL, count = 0, i;
	struct hsm_token *tok;

	if (hsm_token_list(NULL, &count) != CKR_OK || !count)
		return 0;
	ids = calloc(count, sizeof(*ids));
	if (!ids || hsm_token_list(ids, &count) != CKR_OK)
		count = 0;
	for (i = 0; i < count && !ev->watch; i++) {
		if (hsm_open(ids[i], &tok) != CKR_OK)
			continue;
		if (hsmi_ep_add(ev, hsm_token_fd(tok))) {
			hsm_close(tok);
			break;
		}
		ev->watch = tok;
		/* A file starts with the counter read; this is its value. */
		ev->gen = 0;
		if (hsmi_gen_read(ev) < 0)
			hsmi_watch_drop(ev);
	}
	free(ids);
	return ev->watch != NULL;
}

static int hsmi_ino_open(struct hsm_events *ev)
{
	const char *dir = hsmi_dev_dir();
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0)
		return -1;
	if (inotify_add_watch(fd, dir, HSMI_INO_MASK) < 0 ||
	    hsmi_ep_add(ev, fd)) {
		close(fd);
		return -1;
	}
	ev->ino_fd = fd;
	return 0;
}

/*
 * A watch file if any token opens, else inotify. Returns 0, or -1 with
 * errno when neither could be set up.
 */
static int hsmi_rearm(struct hsm_events *ev)
{
	if (ev->watch || hsmi_watch_open(ev)) {
		/* The counter covers everything: no wake-ups for /dev noise. */
		hsmi_ino_drop(ev);
		return 0;
	}
	if (ev->ino_fd >= 0)
		return 0;
	return hsmi_ino_open(ev);
}

/* Drain inotify; 1 if an hsm* name (or an overflow, or the dir) moved. */
static int hsmi_ino_drain(struct hsm_events *ev)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ie;
	int hit = 0;
	ssize_t n;
	char *p;

	for (;;) {
		n = read(ev->ino_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (p = buf; p < buf + n; p += sizeof(*ie) + ie->len) {
			ie = (const struct inotify_event *)p;
			if (ie->mask & (IN_Q_OVERFLOW | IN_IGNORED |
					IN_DELETE_SELF | IN_MOVE_SELF))
				hit = 2;
			else if (ie->len && !strncmp(ie->name, "hsm", 3) &&
				 !hit)
				hit = 1;
		}
	}
	return hit;
}

unsigned long hsm_events_open(struct hsm_events **out)
{
	struct hsm_events *ev;
	int err;

	hsmi_set_errno(0);
	if (!out)
		return CKR_ARGUMENTS_BAD;
	*out = NULL;
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return CKR_HOST_MEMORY;
	ev->ino_fd = -1;
	ev->pid = hsm_getpid();
	ev->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (ev->epfd < 0 || hsmi_rearm(ev)) {
		err = errno;
		hsm_events_close(ev);
		hsmi_set_errno(err);
		return hsm_errno_to_rv(err);
	}
	*out = ev;
	return CKR_OK;
}

int hsm_events_fd(const struct hsm_events *ev)
{
	return ev ? ev->epfd : -1;
}

unsigned long hsm_events_read(struct hsm_events *ev, unsigned int *changed)
{
	struct pollfd p;
	unsigned int n = 0;
	int r;

	hsmi_set_errno(0);
	if (!ev || !changed)
		return CKR_ARGUMENTS_BAD;
	*changed = 0;
	if (ev->pid != hsm_getpid())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	if (ev->watch) {
		p.fd = hsm_token_fd(ev->watch);
		p.events = POLLIN;
		p.revents = 0;
		while ((r = poll(&p, 1, 0)) < 0 && errno == EINTR)
			;
		if (r > 0 && (p.revents & POLLIN)) {
			int moved = hsmi_gen_read(ev);

			/* Unreadable: drop it rather than spin on it. */
			if (moved < 0)
				p.revents |= POLLERR;
			if (moved)
				n++;
		}
		/* Removed: let the index go, watch another token. */
		if (r > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL))) {
			hsmi_watch_drop(ev);
			n++;
		}
	}
	if (ev->ino_fd >= 0) {
		r = hsmi_ino_drain(ev);
		if (r)
			n++;
		/* The directory itself went or moved: watch it anew. */
		if (r == 2)
			hsmi_ino_drop(ev);
	}
	*changed = n;
	if (hsmi_rearm(ev)) {
		hsmi_set_errno(errno);
		return hsm_errno_to_rv(errno);
	}
	return CKR_OK;
}

void hsm_events_close(struct hsm_events *ev)
{
	if (!ev)
		return;
	/* Only close(): in a child of fork() the epoll is the parent's too. */
	if (ev->watch)
		hsm_close(ev->watch);
	if (ev->ino_fd >= 0)
		close(ev->ino_fd);
	if (ev->epfd >= 0)
		close(ev->epfd);
	free(ev);
}
