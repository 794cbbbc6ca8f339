// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The state directory's files (layout in state.h): names, blob
 * generations, the per-serial lock, atomic replacement, stale object
 * removal, the hsmN link. No ioctl here.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"

void hsmi_debug(const char *fmt, ...)
{
	const char *d = secure_getenv("KHSM_DEBUG");
	int err = errno;	/* the callers still need it */
	va_list ap;

	if (!d || !*d || !strcmp(d, "0"))
		return;
	fputs("libhsm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	errno = err;
}

const char *hsm_state_dir(void)
{
	const char *s = secure_getenv("KHSM_STATE_DIR");

	if (!s || !*s)
		return HSM_STATE_DIR_DEFAULT;
	if (!strcmp(s, "none"))
		return NULL;
	return s;
}

static int hsmi_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

int hsmi_serial_name(const __u8 serial[KHSM_SERIAL_LEN],
		     char out[KHSM_SERIAL_LEN + 1])
{
	size_t b = 0, e = KHSM_SERIAL_LEN, i;

	while (b < e && serial[b] == ' ')
		b++;
	while (e > b && (serial[e - 1] == ' ' || serial[e - 1] == 0))
		e--;
	out[0] = 0;
	if (b == e || serial[b] == '.')
		return -1;
	for (i = b; i < e; i++)
		if (!hsmi_name_char((char)serial[i]))
			return -1;
	memcpy(out, serial + b, e - b);
	out[e - b] = 0;
	return 0;
}

void hsmi_obj_name(uint64_t oid, char out[HSMI_OBJ_NAME_LEN])
{
	snprintf(out, HSMI_OBJ_NAME_LEN, "%016" PRIx64 ".obj", oid);
}

int hsmi_obj_name_parse(const char *name, uint64_t *oid)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 16; i++) {
		char c = name[i];

		if (c >= '0' && c <= '9')
			v = v << 4 | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (uint64_t)(c - 'a' + 10);
		else
			return -1;
	}
	if (strcmp(name + 16, ".obj") || !v)
		return -1;
	*oid = v;
	return 0;
}

int hsmi_blob_gen(const void *b, size_t len, uint64_t *gen, int *is_hdr)
{
	const struct khsm_state_hdr *h = b;
	const struct khsm_state_obj *o = b;

	if (len >= sizeof(*h) &&
	    !memcmp(h->magic, KHSM_STATE_HDR_MAGIC, KHSM_STATE_MAGIC_LEN)) {
		if (h->version != KHSM_STATE_VERSION)
			return -1;
		*gen = h->gen;
		*is_hdr = 1;
		return 0;
	}
	if (len >= sizeof(*o) &&
	    !memcmp(o->magic, KHSM_STATE_OBJ_MAGIC, KHSM_STATE_MAGIC_LEN)) {
		if (o->version != KHSM_STATE_VERSION)
			return -1;
		*gen = o->gen;
		*is_hdr = 0;
		return 0;
	}
	return -1;
}

int hsmi_hdr_entries(const void *b, size_t len,
		     const struct khsm_state_ent **ents, uint32_t *n)
{
	const struct khsm_state_hdr *h = b;
	uint64_t gen;
	int is_hdr;

	if (hsmi_blob_gen(b, len, &gen, &is_hdr) || !is_hdr ||
	    h->hdr_size < sizeof(*h) || h->hdr_size > len ||
	    h->hdr_size % 8 || h->n_entries > KHSM_STATE_MAX_ENTRIES ||
	    (len - h->hdr_size) / sizeof(**ents) < h->n_entries)
		return -1;
	*ents = (const struct khsm_state_ent *)((const char *)b + h->hdr_size);
	*n = h->n_entries;
	return 0;
}

/* read(2) until @len bytes or EOF; the count, or -1. */
static ssize_t hsmi_read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t r;

	while (got < len) {
		r = read(fd, (char *)buf + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (!r)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int hsmi_file_gen(int dfd, const char *name, uint64_t *gen)
{
	union {
		struct khsm_state_hdr h;
		struct khsm_state_obj o;
	} u;
	ssize_t r;
	int fd, is_hdr;

	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	r = hsmi_read_full(fd, &u, sizeof(u));
	close(fd);
	if (r < 0)
		return 0;
	return hsmi_blob_gen(&u, (size_t)r, gen, &is_hdr) ? 0 : 1;
}

int hsmi_read_file(int dfd, const char *name, size_t max, void **buf,
		   size_t *len)
{
	struct stat st;
	void *b;
	ssize_t r;
	int fd, err;

	*buf = NULL;
	*len = 0;
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st)) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		errno = EFBIG;
		return -1;
	}
	b = malloc((size_t)st.st_size + 1);
	if (!b) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	r = hsmi_read_full(fd, b, (size_t)st.st_size + 1);
	err = errno;
	close(fd);
	if (r < 0) {
		free(b);
		errno = err;
		return -1;
	}
	*buf = b;
	*len = (size_t)r;
	return 0;
}

int hsmi_sdir_open(const char *root, const char *serial, int create,
		   struct hsmi_sdir *sd)
{
	struct stat st;
	int err;

	sd->dfd = sd->lockfd = -1;
	snprintf(sd->serial, sizeof(sd->serial), "%s", serial);
	sd->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sd->rootfd < 0)
		return -1;
	if (create) {
		if (!mkdirat(sd->rootfd, serial, 02770)) {
			/*
			 * The umask must not keep the group out. Best effort:
			 * (void) does not silence warn_unused_result, which
			 * _FORTIFY_SOURCE (Debian's build flags) puts on it.
			 */
			int rc = fchmodat(sd->rootfd, serial, 02770, 0);

			(void)rc;
		} else if (errno != EEXIST)
			goto fail;
	}
	sd->dfd = openat(sd->rootfd, serial,
			 O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (sd->dfd < 0)
		goto fail;
	sd->lockfd = openat(sd->dfd, HSMI_STATE_LOCK,
			    O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0660);
	if (sd->lockfd < 0)
		goto fail;
	if (!fstat(sd->lockfd, &st) && st.st_uid == geteuid() &&
	    (st.st_mode & 07777) != 0660)
		(void)fchmod(sd->lockfd, 0660);
	while (flock(sd->lockfd, LOCK_EX)) {
		if (errno != EINTR)
			goto fail;
	}
	return 0;
fail:
	err = errno;
	hsmi_sdir_close(sd);
	errno = err;
	return -1;
}

void hsmi_sdir_close(struct hsmi_sdir *sd)
{
	if (sd->lockfd >= 0)
		close(sd->lockfd);	/* releases the flock */
	if (sd->dfd >= 0)
		close(sd->dfd);
	if (sd->rootfd >= 0)
		close(sd->rootfd);
	sd->lockfd = sd->dfd = sd->rootfd = -1;
}

static int hsmi_write_all(int fd, const void *buf, size_t len)
{
	size_t off = 0;
	ssize_t w;

	while (off < len) {
		w = write(fd, (const char *)buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

int hsmi_write_atomic(int dfd, const char *name, const void *buf, size_t len,
		      int flags, int *written)
{
	uint64_t new_gen, old_gen;
	char tmp[64];
	int fd, is_hdr, err;

	if (written)
		*written = 0;
	if (hsmi_blob_gen(buf, len, &new_gen, &is_hdr)) {
		errno = EINVAL;
		return -1;
	}
	if (!(flags & HSMI_W_FORCE) && hsmi_file_gen(dfd, name, &old_gen) &&
	    old_gen >= new_gen)
		return 0;
	/* Writers hold the directory's lock: one temp name per file will do. */
	if (snprintf(tmp, sizeof(tmp), ".%s.tmp", name) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
		    O_NOFOLLOW, 0640);
	if (fd < 0)
		return -1;
	if (hsmi_write_all(fd, buf, len) || fsync(fd)) {
		err = errno;
		close(fd);
		unlinkat(dfd, tmp, 0);
		errno = err;
		return -1;
	}
	if (close(fd) || renameat(dfd, tmp, dfd, name)) {
		err = errno;
		unlinkat(dfd, tmp, 0);
		errno = err;
		return -1;
	}
	if (written)
		*written = 1;
	return 0;
}

int hsmi_fsync_dir(int dfd)
{
	while (fsync(dfd)) {
		/* Some file systems cannot sync a directory: nothing to do. */
		if (errno == EINVAL || errno == EROFS)
			return 0;
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

static int hsmi_listed(const struct khsm_state_ent *ents, uint32_t n,
		       uint64_t oid)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (ents[mid].oid == oid)
			return 1;
		if (ents[mid].oid < oid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int hsmi_remove_unlisted(int dfd, const struct khsm_state_ent *ents,
			 uint32_t n)
{
	struct dirent *de;
	uint64_t oid;
	int fd, ret = 0, err = 0;
	DIR *d;

	fd = dup(dfd);
	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (!d) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	rewinddir(d);
	while ((errno = 0, de = readdir(d))) {
		if (hsmi_obj_name_parse(de->d_name, &oid) ||
		    hsmi_listed(ents, n, oid))
			continue;
		if (unlinkat(dfd, de->d_name, 0) && errno != ENOENT) {
			err = errno;
			ret = -1;
		}
	}
	if (errno) {
		err = errno;
		ret = -1;
	}
	closedir(d);
	if (hsmi_fsync_dir(dfd) && !ret) {
		err = errno;
		ret = -1;
	}
	errno = err;
	return ret;
}

int hsmi_set_link(int rootfd, unsigned int index, const char *serial)
{
	char name[16], tmp[64], cur[KHSM_SERIAL_LEN + 2];
	ssize_t r;

	snprintf(name, sizeof(name), "hsm%u", index);
	r = readlinkat(rootfd, name, cur, sizeof(cur) - 1);
	if (r >= 0) {
		cur[r] = 0;
		if (!strcmp(cur, serial))
			return 0;
	}
	snprintf(tmp, sizeof(tmp), ".%s.%ld.tmp", name, (long)getpid());
	unlinkat(rootfd, tmp, 0);
	if (symlinkat(serial, rootfd, tmp))
		return -1;
	if (renameat(rootfd, tmp, rootfd, name)) {
		int err = errno;

		unlinkat(rootfd, tmp, 0);
		errno = err;
		return -1;
	}
	return hsmi_fsync_dir(rootfd);
}
