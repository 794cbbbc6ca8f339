// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side test of the state directory's files (libhsm src/state.c,
 * linked from libhsm.a for its internal functions) and of hsmctl's
 * backup container, with fake blobs in a temporary directory. TAP.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "state.h"
#include "backup.h"
#include "tap.h"

static char tmpdir[64];

/* A fake object blob of generation @gen (and a body of @body bytes). */
static size_t fake_obj(unsigned char *buf, uint64_t oid, uint64_t gen,
		       uint32_t body)
{
	struct khsm_state_obj o;

	memset(&o, 0, sizeof(o));
	memcpy(o.magic, KHSM_STATE_OBJ_MAGIC, KHSM_STATE_MAGIC_LEN);
	o.version = KHSM_STATE_VERSION;
	memcpy(o.serial, "TESTSERIAL000001", KHSM_SERIAL_LEN);
	o.oid = oid;
	o.gen = gen;
	o.body_len = body;
	memcpy(buf, &o, sizeof(o));
	memset(buf + sizeof(o), (int)(gen & 0xff), body);
	return sizeof(o) + body;
}

/* A fake header of generation @gen listing @n objects (oid i+1, gen 1). */
static size_t fake_hdr(unsigned char *buf, uint64_t gen, uint32_t n,
		       const uint64_t *oids)
{
	struct khsm_state_hdr h;
	struct khsm_state_ent e;
	uint32_t i;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, KHSM_STATE_HDR_MAGIC, KHSM_STATE_MAGIC_LEN);
	h.version = KHSM_STATE_VERSION;
	h.hdr_size = sizeof(h);
	memcpy(h.serial, "TESTSERIAL000001", KHSM_SERIAL_LEN);
	h.gen = gen;
	h.n_entries = n;
	memcpy(buf, &h, sizeof(h));
	for (i = 0; i < n; i++) {
		e.oid = oids ? oids[i] : i + 1;
		e.gen = 1;
		memcpy(buf + sizeof(h) + i * sizeof(e), &e, sizeof(e));
	}
	return sizeof(h) + n * sizeof(e);
}

static uint64_t stored_gen(int dfd, const char *name)
{
	uint64_t g = 0;

	return hsmi_file_gen(dfd, name, &g) ? g : 0;
}

/* Entries of @dfd other than . and ..; "+" joined, sorted. */
static void listing(int dfd, char *out, size_t cap)
{
	struct dirent **names;
	int n, i, fd = dup(dfd);

	out[0] = 0;
	n = scandirat(fd, ".", &names, NULL, alphasort);
	close(fd);
	for (i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") &&
		    strcmp(names[i]->d_name, "..")) {
			if (out[0])
				strncat(out, "+", cap - strlen(out) - 1);
			strncat(out, names[i]->d_name, cap - strlen(out) - 1);
		}
		free(names[i]);
	}
	free(n > 0 ? names : NULL);
}

static void test_names(void)
{
	__u8 s[KHSM_SERIAL_LEN];
	char out[KHSM_SERIAL_LEN + 1], name[HSMI_OBJ_NAME_LEN];
	uint64_t oid = 0;

	memcpy(s, "ABCD0123        ", KHSM_SERIAL_LEN);
	tap_ok(!hsmi_serial_name(s, out) && !strcmp(out, "ABCD0123"),
	       "serial: trailing blanks trimmed (%s)", out);
	memcpy(s, "  0123456789abcd", KHSM_SERIAL_LEN);
	tap_ok(!hsmi_serial_name(s, out) && !strcmp(out, "0123456789abcd"),
	       "serial: leading blanks trimmed (%s)", out);
	memset(s, ' ', sizeof(s));
	tap_ok(hsmi_serial_name(s, out), "serial: all blanks refused");
	memcpy(s, "../etc         ", KHSM_SERIAL_LEN);
	tap_ok(hsmi_serial_name(s, out), "serial: ../etc refused");
	memcpy(s, "a/b             ", KHSM_SERIAL_LEN);
	tap_ok(hsmi_serial_name(s, out), "serial: a slash refused");
	memcpy(s, "a b             ", KHSM_SERIAL_LEN);
	tap_ok(hsmi_serial_name(s, out), "serial: an inner blank refused");

	tap_ok(!hsmi_obj_name_parse("0000000000000007.obj", &oid) && oid == 7,
	       "object name 0000000000000007.obj is oid 7");
	tap_ok(!hsmi_obj_name_parse("ffffffffffffffff.obj", &oid) &&
	       oid == UINT64_MAX, "object name ffff...ffff.obj is 2^64-1");
	tap_ok(hsmi_obj_name_parse("0000000000000000.obj", &oid),
	       "object name with oid 0 refused");
	tap_ok(hsmi_obj_name_parse("000000000000000A.obj", &oid),
	       "object name with upper-case hex refused");
	tap_ok(hsmi_obj_name_parse("000000000000007.obj", &oid),
	       "object name with 15 digits refused");
	tap_ok(hsmi_obj_name_parse("0000000000000007.obj.tmp", &oid) &&
	       hsmi_obj_name_parse(".0000000000000007.obj.tmp", &oid) &&
	       hsmi_obj_name_parse("0000000000000007.ob", &oid) &&
	       hsmi_obj_name_parse("header", &oid) &&
	       hsmi_obj_name_parse(".lock", &oid),
	       "temp files, header, .lock and short names are not objects");
	hsmi_obj_name(0xabc, name);
	tap_ok(!strcmp(name, "0000000000000abc.obj") &&
	       !hsmi_obj_name_parse(name, &oid) && oid == 0xabc,
	       "object name round trip (%s)", name);
}

static void test_blobs(void)
{
	unsigned char b[1024];
	const struct khsm_state_ent *ents;
	uint64_t gen = 0, oids[3] = { 2, 5, 9 };
	uint32_t n = 0;
	size_t len;
	int is_hdr = -1;

	len = fake_obj(b, 3, 41, 10);
	tap_ok(!hsmi_blob_gen(b, len, &gen, &is_hdr) && gen == 41 && !is_hdr,
	       "object blob: generation 41 (%llu)", (unsigned long long)gen);
	tap_ok(hsmi_blob_gen(b, sizeof(struct khsm_state_obj) - 1, &gen,
			     &is_hdr), "object blob: short fixed part refused");
	b[0] ^= 1;
	tap_ok(hsmi_blob_gen(b, len, &gen, &is_hdr), "object blob: bad magic refused");
	len = fake_hdr(b, 77, 3, oids);
	tap_ok(!hsmi_blob_gen(b, len, &gen, &is_hdr) && gen == 77 && is_hdr,
	       "header blob: generation 77");
	tap_ok(!hsmi_hdr_entries(b, len, &ents, &n) && n == 3 &&
	       ents[0].oid == 2 && ents[2].oid == 9, "header blob: 3 entries");
	tap_ok(hsmi_hdr_entries(b, len - 1, &ents, &n),
	       "header blob: a truncated entry list refused");
	((struct khsm_state_hdr *)b)->version = 2;
	tap_ok(hsmi_blob_gen(b, len, &gen, &is_hdr),
	       "header blob: unknown version refused");
	((struct khsm_state_hdr *)b)->version = KHSM_STATE_VERSION;
	((struct khsm_state_hdr *)b)->hdr_size = (__u32)len + 8;
	tap_ok(hsmi_hdr_entries(b, len, &ents, &n),
	       "header blob: hdr_size beyond the blob refused");
}

static void test_writer(int dfd)
{
	unsigned char a[512], rd[600];
	char ls[512];
	struct stat st;
	size_t len;
	ssize_t r;
	int w = -1, fd;

	len = fake_obj(a, 1, 5, 100);
	tap_ok(!hsmi_write_atomic(dfd, "0000000000000001.obj", a, len, 0, &w) &&
	       w == 1 && stored_gen(dfd, "0000000000000001.obj") == 5,
	       "writer: a new file is written (gen 5)");
	fd = openat(dfd, "0000000000000001.obj", O_RDONLY);
	r = read(fd, rd, sizeof(rd));
	close(fd);
	tap_ok(r == (ssize_t)len && !memcmp(rd, a, len),
	       "writer: the file holds the blob byte for byte");
	memset(&st, 0, sizeof(st));
	r = fstatat(dfd, "0000000000000001.obj", &st, 0);
	tap_ok(!r && (st.st_mode & 0777) == 0640, "writer: mode 0640 (%o)",
	       st.st_mode & 0777);
	len = fake_obj(a, 1, 3, 100);
	tap_ok(!hsmi_write_atomic(dfd, "0000000000000001.obj", a, len, 0, &w) &&
	       w == 0 && stored_gen(dfd, "0000000000000001.obj") == 5,
	       "writer: an older generation (3) does not replace 5");
	len = fake_obj(a, 1, 5, 50);
	tap_ok(!hsmi_write_atomic(dfd, "0000000000000001.obj", a, len, 0, &w) &&
	       w == 0, "writer: the same generation is not rewritten");
	len = fake_obj(a, 1, 9, 20);
	tap_ok(!hsmi_write_atomic(dfd, "0000000000000001.obj", a, len, 0, &w) &&
	       w == 1 && stored_gen(dfd, "0000000000000001.obj") == 9,
	       "writer: a newer generation (9) replaces 5");
	len = fake_obj(a, 1, 2, 20);
	tap_ok(!hsmi_write_atomic(dfd, "0000000000000001.obj", a, len,
				  HSMI_W_FORCE, &w) && w == 1 &&
	       stored_gen(dfd, "0000000000000001.obj") == 2,
	       "writer: FORCE replaces a newer file (restore)");
	len = fake_hdr(a, 10, 1, NULL);
	tap_ok(!hsmi_write_atomic(dfd, "header", a, len, 0, &w) && w == 1,
	       "writer: header gen 10 written");
	len = fake_hdr(a, 8, 0, NULL);
	tap_ok(!hsmi_write_atomic(dfd, "header", a, len, 0, &w) && w == 0 &&
	       stored_gen(dfd, "header") == 10,
	       "writer: the header never goes back (8 after 10)");
	fd = openat(dfd, "garbage.obj", O_WRONLY | O_CREAT | O_TRUNC, 0640);
	tap_ok(fd >= 0 && write(fd, "not a blob", 10) == 10, "garbage file made");
	close(fd);
	len = fake_obj(a, 1, 1, 4);
	tap_ok(!hsmi_write_atomic(dfd, "garbage.obj", a, len, 0, &w) && w == 1,
	       "writer: a malformed stored file is replaced");
	unlinkat(dfd, "garbage.obj", 0);
	errno = 0;
	tap_ok(hsmi_write_atomic(dfd, "x.obj", "not a blob", 10, 0, &w) &&
	       errno == EINVAL, "writer: refuses to store a non-blob");
	tap_ok(!hsmi_fsync_dir(dfd), "fsync of the directory");
	listing(dfd, ls, sizeof(ls));
	tap_ok(!strcmp(ls, "0000000000000001.obj+header"),
	       "writer: no temp file left behind (%s)", ls);
	tap_ok(hsmi_file_gen(dfd, "absent", &(uint64_t){ 0 }) == 0,
	       "file_gen: an absent file has no generation");
}

static void test_sdir(void)
{
	struct hsmi_sdir sd, sd2;
	struct stat st;
	char ls[512];
	uint64_t oids[2] = { 1, 3 };
	unsigned char h[1024];
	int status, fd;
	pid_t pid;

	umask(022);
	tap_ok(!hsmi_sdir_open(tmpdir, "SERIAL1", 1, &sd),
	       "sdir: <root>/SERIAL1 made and locked");
	memset(&st, 0, sizeof(st));
	status = fstatat(sd.rootfd, "SERIAL1", &st, 0);
	tap_ok(!status && (st.st_mode & 07777) == 02770,
	       "sdir: mode 2770 in spite of umask 022 (%o)",
	       st.st_mode & 07777);
	memset(&st, 0, sizeof(st));
	status = fstatat(sd.dfd, ".lock", &st, 0);
	tap_ok(!status && (st.st_mode & 0777) == 0660, "sdir: .lock mode 0660 (%o)",
	       st.st_mode & 0777);
	pid = fork();
	if (!pid) {
		fd = openat(sd.dfd, ".lock", O_RDONLY);
		_exit(flock(fd, LOCK_EX | LOCK_NB) == -1 &&
		      errno == EWOULDBLOCK ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && !WEXITSTATUS(status),
	       "sdir: another process cannot take the lock meanwhile");
	tap_ok(hsmi_sdir_open(tmpdir, "NOPE", 0, &sd2) && errno == ENOENT,
	       "sdir: without create an absent serial is ENOENT");

	/* Stale objects: the header lists 1 and 3. */
	fake_hdr(h, 4, 2, oids);
	for (int i = 1; i <= 3; i++) {
		unsigned char b[256];
		char name[HSMI_OBJ_NAME_LEN];
		size_t len = fake_obj(b, (uint64_t)i, 1, 8);

		hsmi_obj_name((uint64_t)i, name);
		hsmi_write_atomic(sd.dfd, name, b, len, 0, NULL);
	}
	fd = openat(sd.dfd, "notes.txt", O_WRONLY | O_CREAT, 0640);
	close(fd);
	tap_ok(!hsmi_remove_unlisted(sd.dfd, (const void *)(h +
			sizeof(struct khsm_state_hdr)), 2),
	       "remove_unlisted: done");
	listing(sd.dfd, ls, sizeof(ls));
	tap_ok(!strcmp(ls, ".lock+0000000000000001.obj+0000000000000003.obj+notes.txt"),
	       "remove_unlisted: only 2.obj went (%s)", ls);

	tap_ok(!hsmi_set_link(sd.rootfd, 0, "SERIAL1"), "link hsm0 -> SERIAL1");
	{
		char t[64];
		ssize_t r = readlinkat(sd.rootfd, "hsm0", t, sizeof(t) - 1);

		t[r > 0 ? r : 0] = 0;
		tap_ok(!strcmp(t, "SERIAL1"), "link: readlink says %s", t);
		hsmi_set_link(sd.rootfd, 0, "SERIAL2");
		r = readlinkat(sd.rootfd, "hsm0", t, sizeof(t) - 1);
		t[r > 0 ? r : 0] = 0;
		tap_ok(!strcmp(t, "SERIAL2"), "link: replaced by SERIAL2 (%s)", t);
	}
	listing(sd.rootfd, ls, sizeof(ls));
	tap_ok(!strcmp(ls, "SERIAL1+hsm0"), "link: no temp link left (%s)", ls);
	hsmi_sdir_close(&sd);
	pid = fork();
	if (!pid) {
		char p[128];

		snprintf(p, sizeof(p), "%s/SERIAL1/.lock", tmpdir);
		fd = open(p, O_RDONLY);
		_exit(!flock(fd, LOCK_EX | LOCK_NB) ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && !WEXITSTATUS(status),
	       "sdir: the lock is free after close");
}

static void test_state_dir_env(void)
{
	const char *d;

	unsetenv("KHSM_STATE_DIR");
	d = hsm_state_dir();
	tap_ok(d && !strcmp(d, HSM_STATE_DIR_DEFAULT), "state dir default %s", d);
	setenv("KHSM_STATE_DIR", "none", 1);
	tap_ok(!hsm_state_dir(), "KHSM_STATE_DIR=none turns persistence off");
	setenv("KHSM_STATE_DIR", "/tmp/x", 1);
	d = hsm_state_dir();
	tap_ok(d && !strcmp(d, "/tmp/x"), "KHSM_STATE_DIR=/tmp/x");
	unsetenv("KHSM_STATE_DIR");
}

static void test_backup(void)
{
	unsigned char h[1024], o1[256], o2[1], *out, *cp;
	struct bak_blob in[3], *got;
	size_t len, cut;
	uint32_t n;
	int bad = 0;

	in[0].data = h;
	in[0].len = fake_hdr(h, 12, 2, NULL);
	in[1].data = o1;
	in[1].len = fake_obj(o1, 1, 3, 40);
	in[2].data = o2;
	in[2].len = 0;
	n = (uint32_t)bak_encode(in, 3, &out, &len);
	tap_ok(!n, "backup: encoded (%zu bytes)", len);
	tap_ok(!memcmp(out, BAK_MAGIC, 8) && !memcmp(out + len - 8, BAK_END, 8),
	       "backup: magic first, end marker last");
	tap_ok(!bak_decode(out, len, &got, &n) && n == 3 &&
	       got[0].len == in[0].len && !memcmp(got[0].data, h, in[0].len) &&
	       got[1].len == in[1].len && !memcmp(got[1].data, o1, in[1].len) &&
	       got[2].len == 0, "backup: round trip of header + 2 objects");
	free(got);
	for (cut = 0; cut < len; cut++) {
		if (!bak_decode(out, cut, &got, &n)) {
			bad++;
			free(got);
		}
	}
	tap_ok(!bad, "backup: every truncation (%zu of them) is refused", len);
	cp = malloc(len + 1);
	memcpy(cp, out, len);
	cp[len] = 0;
	tap_ok(bak_decode(cp, len + 1, &got, &n) != NULL,
	       "backup: a trailing byte is refused");
	cp[16] = BAK_KIND_OBJECT;
	tap_ok(bak_decode(cp, len, &got, &n) != NULL,
	       "backup: a first record that is not the header is refused");
	memcpy(cp, out, len);
	cp[8] = 2;
	tap_ok(bak_decode(cp, len, &got, &n) != NULL,
	       "backup: an unknown version is refused");
	memcpy(cp, out, len);
	cp[12] = 0;
	tap_ok(bak_decode(cp, len, &got, &n) != NULL,
	       "backup: a record count of 0 is refused");
	memcpy(cp, out, len);
	cp[12] = 4;
	tap_ok(bak_decode(cp, len, &got, &n) != NULL,
	       "backup: a record count above the records is refused");
	free(cp);
	free(out);
	tap_ok(bak_encode(in, 0, &out, &len) == -1,
	       "backup: nothing to encode is refused");
}

int main(void)
{
	char cmd[128];
	int dfd;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/khsm-state-test.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	dfd = open(tmpdir, O_RDONLY | O_DIRECTORY);
	test_names();
	test_blobs();
	mkdirat(dfd, "w", 0700);
	{
		int wfd = openat(dfd, "w", O_RDONLY | O_DIRECTORY);

		test_writer(wfd);
		close(wfd);
	}
	unlinkat(dfd, "w/0000000000000001.obj", 0);
	unlinkat(dfd, "w/header", 0);
	unlinkat(dfd, "w", AT_REMOVEDIR);
	test_sdir();
	test_state_dir_env();
	test_backup();
	close(dfd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd))
		tap_diag("could not remove %s", tmpdir);
	return tap_done();
}
