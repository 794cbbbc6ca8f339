// SPDX-License-Identifier: GPL-2.0
/*
 * hsmctl: khsm's admin tool.
 *
 *   hsmctl [--state-dir DIR] load    [TOKEN] [--serial S]
 *   hsmctl [--state-dir DIR] save    [TOKEN]
 *   hsmctl [--state-dir DIR] backup  [TOKEN] FILE
 *   hsmctl [--state-dir DIR] restore [TOKEN] FILE [--so-pin-file F]
 *   hsmctl status [TOKEN]
 * open the token's device (libhsm); the admin commands (list, show,
 * stats, token, monitor, audit) speak generic netlink only (nl.h).
 *
 * This file: main()'s dispatch, the state commands' arguments, status,
 * save, backup. load.c: load, restore.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <p11-kit-1/p11-kit/pkcs11.h>

#include "backup.h"
#include "hsmctl.h"
#include "nl.h"

static void usage(FILE *f)
{
	fputs("usage: hsmctl [--state-dir DIR] load    [TOKEN] [--serial S]\n"
	      "       hsmctl [--state-dir DIR] save    [TOKEN]\n"
	      "       hsmctl [--state-dir DIR] backup  [TOKEN] FILE\n"
	      "       hsmctl [--state-dir DIR] restore [TOKEN] FILE [--so-pin-file F]\n"
	      "       hsmctl status [TOKEN]\n"
	      "TOKEN: hsmN or N (default hsm0). DIR: $KHSM_STATE_DIR or "
	      HSM_STATE_DIR_DEFAULT ".\n"
	      "load: the saved state of DIR/hsmN (or DIR/S) into the token.\n"
	      "save: the token's state into DIR/<serial>/.\n"
	      "backup: the token's state into one FILE; restore: FILE into the\n"
	      "  token (needs the backup's SO PIN: --so-pin-file, $KHSM_SO_PIN\n"
	      "  or the terminal), then saved into DIR/<serial>/.\n"
	      "status: serial, label, generation, lock state, PIN failures.\n"
	      "\n"
	      "       hsmctl list [--json]\n"
	      "       hsmctl show TOKEN [--json]\n"
	      "       hsmctl stats [TOKEN] [--json]\n"
	      "       hsmctl token add [--group G]\n"
	      "       hsmctl token remove TOKEN\n"
	      "       hsmctl token set-group TOKEN G\n"
	      "       hsmctl monitor [--json]\n"
	      "       hsmctl audit --log FILE [--count N]\n"
	      "       hsmctl audit verify FILE [--head HASH]\n"
	      "These talk to the khsm generic netlink family (no device open);\n"
	      "G: a group name or gid. Changes, monitor and audit need root.\n"
	      "Exit: 0 done, 1 loaded with refused or missing objects (load,\n"
	      "  restore) or the log does not verify (audit verify), 2 usage,\n"
	      "  3 nothing loaded or done, 4 needs root (CAP_SYS_ADMIN) or not\n"
	      "  in the token's group, 5 no such token, 6 khsm module not loaded.\n"
	      "See hsmctl(8).\n", f);
}

void msg(const char *fmt, ...)
{
	va_list ap;

	fputs("hsmctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *rv_text(unsigned long rv)
{
	static char buf[160];
	int err = hsm_last_errno();

	if (rv == CKR_OK || !err)
		return hsm_strerror(rv);
	snprintf(buf, sizeof(buf), "%s (%s)", hsm_strerror(rv), strerror(err));
	return buf;
}

int read_file_at(int dfd, const char *path, size_t max, unsigned char **buf,
		 size_t *len)
{
	unsigned char *b;
	struct stat st;
	size_t got = 0;
	ssize_t r;
	int fd, err;

	*buf = NULL;
	*len = 0;
	fd = openat(dfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > max) {
		err = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		close(fd);
		errno = err;
		return -1;
	}
	b = malloc((size_t)st.st_size + 1);
	if (!b) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	while (got <= (size_t)st.st_size) {
		r = read(fd, b + got, (size_t)st.st_size + 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	err = errno;
	close(fd);
	if (r < 0) {
		free(b);
		errno = err;
		return -1;
	}
	*buf = b;
	*len = got;
	return 0;
}

/* A blank-padded fixed field, trimmed, non-printables as '?'; out: len + 1. */
void fixed_str(const uint8_t *s, size_t len, char *out)
{
	size_t e = len, b = 0, i;

	while (b < e && s[b] == ' ')
		b++;
	while (e > b && (s[e - 1] == ' ' || !s[e - 1]))
		e--;
	for (i = b; i < e; i++)
		out[i - b] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
	out[e - b] = 0;
}

void serial_str(const uint8_t s[KHSM_SERIAL_LEN], char out[KHSM_SERIAL_LEN + 1])
{
	fixed_str(s, KHSM_SERIAL_LEN, out);
}

const char *hdr_check(const unsigned char *b, size_t len)
{
	const struct khsm_state_hdr *h = (const void *)b;

	if (len < sizeof(*h) ||
	    memcmp(h->magic, KHSM_STATE_HDR_MAGIC, KHSM_STATE_MAGIC_LEN))
		return "not a khsm state header";
	if (h->version != KHSM_STATE_VERSION)
		return "unknown header version";
	if (h->hdr_size < sizeof(*h) || h->hdr_size > len || h->hdr_size % 8 ||
	    h->n_entries > KHSM_STATE_MAX_ENTRIES ||
	    (len - h->hdr_size) / sizeof(struct khsm_state_ent) < h->n_entries)
		return "malformed header (sizes)";
	return NULL;
}

static int parse_token(struct opts *o)
{
	const char *s = o->token ? o->token : "hsm0";
	unsigned long v;
	char *end;

	if (!strncmp(s, "hsm", 3))
		s += 3;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > UINT_MAX)
		return -1;
	o->index = (unsigned int)v;
	snprintf(o->name, sizeof(o->name), "hsm%u", o->index);
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	const char *pos[3];
	int i, npos = 0;

	memset(o, 0, sizeof(*o));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **dst = NULL;

		if (!strcmp(a, "--state-dir"))
			dst = &o->state_dir;
		else if (!strcmp(a, "--serial"))
			dst = &o->serial;
		else if (!strcmp(a, "--so-pin-file"))
			dst = &o->so_pin_file;
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(EX_ALL);
		} else if (a[0] == '-' && a[1]) {
			msg("unknown option %s", a);
			return -1;
		}
		if (dst) {
			if (++i == argc) {
				msg("%s needs a value", a);
				return -1;
			}
			*dst = argv[i];
			continue;
		}
		if (!o->cmd) {
			o->cmd = a;
			continue;
		}
		if (npos == 2) {
			msg("too many arguments");
			return -1;
		}
		pos[npos++] = a;
	}
	if (!o->cmd) {
		msg("no command");
		return -1;
	}
	if (!strcmp(o->cmd, "backup") || !strcmp(o->cmd, "restore")) {
		if (!npos) {
			msg("%s needs a FILE", o->cmd);
			return -1;
		}
		o->file = pos[npos - 1];
		o->token = npos == 2 ? pos[0] : NULL;
	} else if (!strcmp(o->cmd, "load") || !strcmp(o->cmd, "save") ||
		   !strcmp(o->cmd, "status")) {
		if (npos > 1) {
			msg("too many arguments");
			return -1;
		}
		o->token = npos ? pos[0] : NULL;
	} else {
		msg("unknown command '%s'", o->cmd);
		return -1;
	}
	if (o->serial && strcmp(o->cmd, "load")) {
		msg("--serial is for load");
		return -1;
	}
	if (o->so_pin_file && strcmp(o->cmd, "restore")) {
		msg("--so-pin-file is for restore");
		return -1;
	}
	if (parse_token(o)) {
		msg("bad TOKEN '%s' (hsmN or N)", o->token);
		return -1;
	}
	if (!o->state_dir)
		o->state_dir = hsm_state_dir();
	return 0;
}

static int cmd_status(struct opts *o, struct hsm_token *tok)
{
	struct khsm_token_info ti;
	char serial[KHSM_SERIAL_LEN + 1], label[KHSM_LABEL_LEN + 1];
	unsigned long rv;
	size_t e;

	rv = hsm_token_info(tok, &ti, sizeof(ti));
	if (rv != CKR_OK) {
		msg("%s: token info: %s", o->name, rv_text(rv));
		return EX_NOTHING;
	}
	serial_str(ti.serial, serial);
	memcpy(label, ti.label, KHSM_LABEL_LEN);
	for (e = KHSM_LABEL_LEN; e && (label[e - 1] == ' ' || !label[e - 1]);)
		e--;
	label[e] = 0;
	printf("token: %s\n", o->name);
	printf("serial: %s\n", serial);
	printf("label: %s\n", label);
	printf("initialized: %s\n",
	       ti.flags & CKF_TOKEN_INITIALIZED ? "yes" : "no");
	if (ti.size < KHSM_TOKEN_INFO_SIZE_VER1) {
		printf("state: not supported by this kernel\n");
		return EX_ALL;
	}
	printf("generation: %llu\n", (unsigned long long)ti.state_gen);
	printf("state:%s%s%s%s\n",
	       ti.state_flags & KHSM_TOKEN_STATE_LOADED ? " loaded" : "",
	       ti.state_flags & KHSM_TOKEN_STATE_LOCKED ? " locked" : "",
	       ti.state_flags & KHSM_TOKEN_STATE_TAMPERED ? " tampered" : "",
	       ti.state_flags & (KHSM_TOKEN_STATE_LOADED |
				 KHSM_TOKEN_STATE_LOCKED |
				 KHSM_TOKEN_STATE_TAMPERED) ? "" : " live");
	printf("so-pin-failures: %u\n", ti.so_failures);
	printf("user-pin-failures: %u\n", ti.user_failures);
	printf("retry-limit: %u\n", ti.max_pin_failures);
	printf("pending: %u\n", ti.pending);
	printf("refused: %u\n", ti.refused);
	return EX_ALL;
}

/* The state directory, or NULL (said why). */
static const char *state_root(const struct opts *o)
{
	struct stat st;

	if (!o->state_dir) {
		msg("%s: the state directory is off (KHSM_STATE_DIR=none)",
		    o->name);
		return NULL;
	}
	if (stat(o->state_dir, &st) || !S_ISDIR(st.st_mode)) {
		msg("%s: no state directory %s%s%s", o->name, o->state_dir,
		    errno == ENOENT ? "" : ": ",
		    errno == ENOENT ? "" : strerror(errno));
		return NULL;
	}
	return o->state_dir;
}

static void say_export_error(const struct opts *o, const char *what,
			     unsigned long rv)
{
	if (hsm_last_errno() == EPERM)
		msg("%s: %s: not permitted (needs CAP_SYS_ADMIN)", o->name,
		    what);
	else
		msg("%s: %s: %s", o->name, what, rv_text(rv));
}

static int cmd_save(struct opts *o, struct hsm_token *tok)
{
	const struct khsm_state_hdr *h;
	char serial[KHSM_SERIAL_LEN + 1];
	unsigned long rv;
	void *hdr;
	size_t len;

	if (!state_root(o))
		return EX_NOTHING;
	rv = hsm_state_save(tok, o->state_dir, 0);
	if (rv == CKR_TOKEN_NOT_RECOGNIZED) {
		msg("%s: token not initialised: nothing to save", o->name);
		return EX_NOTHING;
	}
	if (rv != CKR_OK) {
		say_export_error(o, "save", rv);
		return EX_NOTHING;
	}
	if (hsm_state_export_header(tok, &hdr, &len) == CKR_OK &&
	    !hdr_check(hdr, len)) {
		h = hdr;
		serial_str(h->serial, serial);
		msg("%s: saved serial %s: %u objects, generation %llu, in %s/%s",
		    o->name, serial, h->n_entries, (unsigned long long)h->gen,
		    o->state_dir, serial);
	}
	hsm_free(hdr);
	return EX_ALL;
}

/* Header and every object; again if the generation moved meanwhile. */
static int backup_collect(struct opts *o, struct hsm_token *tok,
			  struct bak_blob **out, uint32_t *n)
{
	struct bak_blob *b = NULL, *g;
	uint64_t oid, gen1, gen2;
	uint32_t cap = 0, cnt = 0;
	unsigned long rv;
	void *blob, *hdr2;
	size_t len, len2;
	int tries;

	for (tries = 0; tries < 5; tries++) {
		while (cnt)
			hsm_free((void *)b[--cnt].data);
		rv = hsm_state_export_header(tok, &blob, &len);
		if (rv != CKR_OK || hdr_check(blob, len)) {
			hsm_free(blob);
			if (rv == CKR_OK)
				msg("%s: the kernel's header is malformed", o->name);
			else
				say_export_error(o, "export of the header", rv);
			goto fail;
		}
		gen1 = ((const struct khsm_state_hdr *)blob)->gen;
		if (!cap) {
			cap = 64;
			b = calloc(cap, sizeof(*b));
			if (!b)
				goto nomem;
		}
		b[cnt].data = blob;
		b[cnt++].len = len;
		for (oid = 1;; oid++) {
			rv = hsm_state_export_next(tok, &oid, &blob, &len, NULL);
			if (rv == CKR_OBJECT_HANDLE_INVALID)
				break;
			if (rv != CKR_OK) {
				say_export_error(o, "export of the objects", rv);
				goto fail;
			}
			if (cnt == cap) {
				g = realloc(b, 2 * cap * sizeof(*b));
				if (!g) {
					hsm_free(blob);
					goto nomem;
				}
				b = g;
				cap *= 2;
			}
			b[cnt].data = blob;
			b[cnt++].len = len;
			if (oid == UINT64_MAX)
				break;
		}
		rv = hsm_state_export_header(tok, &hdr2, &len2);
		gen2 = rv == CKR_OK && !hdr_check(hdr2, len2) ?
		       ((const struct khsm_state_hdr *)hdr2)->gen : gen1 + 1;
		hsm_free(hdr2);
		if (gen1 == gen2) {
			*out = b;
			*n = cnt;
			return 0;
		}
	}
	msg("%s: the token kept changing during the backup; try again",
	    o->name);
	goto fail;
nomem:
	msg("%s: out of memory", o->name);
fail:
	while (cnt)
		hsm_free((void *)b[--cnt].data);
	free(b);
	return -1;
}

/* Write @len bytes to @path atomically (temp, fsync, rename, fsync dir). */
static int write_file_atomic(const char *path, const void *buf, size_t len)
{
	char tmp[PATH_MAX], dir[PATH_MAX], *slash;
	size_t off = 0;
	ssize_t w;
	int fd, dfd, err;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >=
	    (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	while (off < len) {
		w = write(fd, (const char *)buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;
		off += (size_t)w;
	}
	if (off < len || fsync(fd)) {
		err = errno;
		close(fd);
		unlink(tmp);
		errno = err;
		return -1;
	}
	if (close(fd) || rename(tmp, path)) {
		err = errno;
		unlink(tmp);
		errno = err;
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = 0;
	else if (slash)
		*slash = 0;
	else
		snprintf(dir, sizeof(dir), ".");
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		if (fsync(dfd) && errno != EINVAL) {
			err = errno;
			close(dfd);
			errno = err;
			return -1;
		}
		close(dfd);
	}
	return 0;
}

static int cmd_backup(struct opts *o, struct hsm_token *tok)
{
	const struct khsm_state_hdr *h;
	char serial[KHSM_SERIAL_LEN + 1];
	struct bak_blob *b;
	unsigned char *out;
	size_t out_len;
	uint32_t n;
	int ret = EX_NOTHING;

	if (backup_collect(o, tok, &b, &n))
		return EX_NOTHING;
	h = b[0].data;
	serial_str(h->serial, serial);
	if (bak_encode(b, n, &out, &out_len)) {
		msg("%s: cannot build the backup (out of memory?)", o->name);
	} else if (write_file_atomic(o->file, out, out_len)) {
		msg("%s: %s: %s", o->name, o->file, strerror(errno));
	} else {
		msg("%s: backup of serial %s: %u objects, generation %llu, in %s",
		    o->name, serial, n - 1, (unsigned long long)h->gen, o->file);
		ret = EX_ALL;
	}
	free(out);
	while (n)
		hsm_free((void *)b[--n].data);
	free(b);
	return ret;
}

static int state_supported(const struct hsm_token *tok)
{
	struct khsm_version v;

	return hsm_version(tok, &v, sizeof(v)) == CKR_OK &&
	       (v.features & KHSM_FEATURE_STATE);
}

/* The state commands: they open the token's device through libhsm. */
static int state_main(int argc, char **argv)
{
	struct hsm_token *tok;
	unsigned long rv;
	struct opts o;
	int ret;

	if (parse_args(argc, argv, &o)) {
		usage(stderr);
		return EX_USAGE;
	}
	rv = hsm_open(o.index, &tok);
	if (rv != CKR_OK) {
		if (rv == CKR_TOKEN_NOT_PRESENT)
			msg("%s: no such token", o.name);
		else
			msg("%s: cannot open: %s", o.name, rv_text(rv));
		return EX_NOTHING;
	}
	if (!strcmp(o.cmd, "status"))
		ret = cmd_status(&o, tok);
	else if (!state_supported(tok)) {
		msg("%s: this kernel keeps no sealed state (no KHSM_FEATURE_STATE)",
		    o.name);
		ret = EX_NOTHING;
	}
	else if (!strcmp(o.cmd, "load"))
		ret = cmd_load(&o, tok);
	else if (!strcmp(o.cmd, "save"))
		ret = cmd_save(&o, tok);
	else if (!strcmp(o.cmd, "backup"))
		ret = cmd_backup(&o, tok);
	else
		ret = cmd_restore(&o, tok);
	hsm_close(tok);
	return ret;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} nl_cmds[] = {
	{ "list", cmd_list },
	{ "show", cmd_show },
	{ "stats", cmd_stats },
	{ "token", cmd_token },
	{ "monitor", cmd_monitor },
	{ "audit", cmd_audit },
};

int main(int argc, char **argv)
{
	size_t i;

	if (argc > 1)
		for (i = 0; i < sizeof(nl_cmds) / sizeof(nl_cmds[0]); i++)
			if (!strcmp(argv[1], nl_cmds[i].name))
				return nl_cmds[i].fn(argc - 1, argv + 1);
	return state_main(argc, argv);
}
