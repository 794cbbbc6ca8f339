// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side test of libhsm's persistence hooks (src/persist.c) against a
 * scripted kernel: the test defines ioctl(), which interposes the libc
 * symbol libhsm calls, and keeps a fake token (objects with oid and
 * generation, KHSM_IOC_STATE exports of fake blobs). Checks which files
 * the mutating calls leave in a temporary state directory, the undo
 * (destroy + CKR_DEVICE_ERROR) when a write fails, KHSM_STATE_DIR=none,
 * KHSM_PIN_RETRIES and hsm_state_save(). TAP.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <khsm/hsm.h>
#include <p11-kit-1/p11-kit/pkcs11.h>
#include "tap.h"

#define SERIAL	"FAKE000000000001"
#define MAXOBJ	32

/* ---- The fake kernel ------------------------------------------------------ */
static struct {
	struct { __u32 handle; __u64 oid, gen; int live; } obj[MAXOBJ];
	int nobj;
	__u32 next_handle;
	__u64 next_oid, gen;
	int token;		/* CREATE makes token objects */
	int state_calls, destroy_calls;
	__u32 login_rv;
	__u32 max_pin_failures;
	int init_calls;
	int admin;		/* CAP_SYS_ADMIN: EXPORT_NEXT allowed */
} k;

static int kfail(void *arg, __u32 rv, int err)
{
	memcpy((char *)arg + 4, &rv, sizeof(rv));
	errno = err;
	return -1;
}

static __u32 new_object(int token)
{
	int i = k.nobj++;

	k.obj[i].handle = k.next_handle++;
	k.obj[i].oid = token ? k.next_oid++ : 0;
	k.obj[i].gen = token ? ++k.gen : 0;
	k.obj[i].live = 1;
	return k.obj[i].handle;
}

static int find(__u32 handle)
{
	int i;

	for (i = 0; i < k.nobj; i++)
		if (k.obj[i].live && k.obj[i].handle == handle)
			return i;
	return -1;
}

/* Copy @len bytes of @b to the export buffer, length protocol. */
static int give(struct khsm_state_io *io, const void *b, size_t len)
{
	if (!io->buf) {
		io->len = len;
		return 0;
	}
	if (io->len < len) {
		io->len = len;
		return kfail(io, CKR_BUFFER_TOO_SMALL, ENOSPC);
	}
	memcpy((void *)(uintptr_t)io->buf, b, len);
	io->len = len;
	return 0;
}

static int k_state(struct khsm_state_io *io)
{
	unsigned char b[sizeof(struct khsm_state_hdr) +
			MAXOBJ * sizeof(struct khsm_state_ent)];
	struct khsm_state_hdr *h = (void *)b;
	struct khsm_state_obj *o = (void *)b;
	struct khsm_state_ent *e = (void *)(b + sizeof(*h));
	int i, best = -1;

	k.state_calls++;
	memset(b, 0, sizeof(b));
	switch (io->what) {
	case KHSM_STATE_EXPORT_HEADER:
		memcpy(h->magic, KHSM_STATE_HDR_MAGIC, KHSM_STATE_MAGIC_LEN);
		h->version = KHSM_STATE_VERSION;
		h->hdr_size = sizeof(*h);
		memcpy(h->serial, SERIAL, KHSM_SERIAL_LEN);
		h->gen = k.gen;
		for (i = 0; i < k.nobj; i++) {
			if (!k.obj[i].live || !k.obj[i].oid)
				continue;
			e[h->n_entries].oid = k.obj[i].oid;
			e[h->n_entries++].gen = k.obj[i].gen;
		}
		return give(io, b, sizeof(*h) + h->n_entries * sizeof(*e));
	case KHSM_STATE_EXPORT_OBJECT:
	case KHSM_STATE_EXPORT_NEXT:
		if (io->what == KHSM_STATE_EXPORT_OBJECT) {
			best = find(io->handle);
			if (best < 0)
				return kfail(io, CKR_OBJECT_HANDLE_INVALID, ENOENT);
		} else {
			if (!k.admin)
				return kfail(io, 0, EPERM);
			for (i = 0; i < k.nobj; i++)
				if (k.obj[i].live && k.obj[i].oid >= io->oid &&
				    k.obj[i].oid &&
				    (best < 0 || k.obj[i].oid < k.obj[best].oid))
					best = i;
			if (best < 0)
				return kfail(io, CKR_OBJECT_HANDLE_INVALID, ENOENT);
		}
		io->oid = k.obj[best].oid;
		io->gen = k.obj[best].gen;
		if ((io->flags & KHSM_STATE_EXPORT_F_ID_ONLY) || !io->oid) {
			io->len = 0;
			return 0;
		}
		memcpy(o->magic, KHSM_STATE_OBJ_MAGIC, KHSM_STATE_MAGIC_LEN);
		o->version = KHSM_STATE_VERSION;
		memcpy(o->serial, SERIAL, KHSM_SERIAL_LEN);
		o->oid = io->oid;
		o->gen = io->gen;
		o->body_len = 8;
		return give(io, b, sizeof(*o) + 8);
	default:
		return kfail(io, CKR_ARGUMENTS_BAD, EINVAL);
	}
}

static int k_handle(unsigned long cmd, void *arg)
{
	switch (cmd) {
	case KHSM_IOC_VERSION: {
		struct khsm_version *v = arg;

		v->abi_version = KHSM_ABI_VERSION;
		v->features = KHSM_FEATURE_STATE;
		v->max_find = 16;
		v->max_data_len = 4096;
		return 0;
	}
	case KHSM_IOC_TOKEN_INFO: {
		struct khsm_token_info *ti = arg;
		__u32 size = ti->size;

		memset(ti, 0, size);
		ti->size = size;
		ti->flags = CKF_TOKEN_INITIALIZED;
		memcpy(ti->serial, SERIAL, KHSM_SERIAL_LEN);
		return 0;
	}
	case KHSM_IOC_CREATE_OBJECT:
	case KHSM_IOC_COPY_OBJECT:
		((struct khsm_object *)arg)->object = new_object(k.token);
		return 0;
	case KHSM_IOC_SET_ATTRS: {
		int i = find(((struct khsm_object *)arg)->object);

		if (i < 0)
			return kfail(arg, CKR_OBJECT_HANDLE_INVALID, ENOENT);
		if (k.obj[i].oid)
			k.obj[i].gen = ++k.gen;
		return 0;
	}
	case KHSM_IOC_DESTROY_OBJECT: {
		int i = find(((struct khsm_object *)arg)->object);

		k.destroy_calls++;
		if (i < 0)
			return kfail(arg, CKR_OBJECT_HANDLE_INVALID, ENOENT);
		k.obj[i].live = 0;
		if (k.obj[i].oid)
			k.gen++;
		return 0;
	}
	case KHSM_IOC_GENERATE_KEY_PAIR: {
		struct khsm_keygen *g = arg;

		g->pub_handle = new_object(k.token);
		g->priv_handle = new_object(k.token);
		return 0;
	}
	case KHSM_IOC_LOGIN:
		k.gen++;
		if (k.login_rv)
			return kfail(arg, k.login_rv, EACCES);
		return 0;
	case KHSM_IOC_INIT_TOKEN:
		k.init_calls++;
		k.max_pin_failures =
			((struct khsm_init_token *)arg)->max_pin_failures;
		k.nobj = 0;
		k.gen = 1;	/* a new token: lower than what is stored */
		return 0;
	case KHSM_IOC_STATE:
		return k_state(arg);
	default:
		errno = ENOTTY;
		return -1;
	}
}

int ioctl(int fd, unsigned long cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (_IOC_TYPE(cmd) == KHSM_IOC_MAGIC)
		return k_handle(cmd, arg);
	return (int)syscall(SYS_ioctl, fd, cmd, arg);
}

/* ---- Helpers ---------------------------------------------------------- */
static char root[64], state[96], sdir[128];

static int exists(const char *name)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", sdir, name);
	return !access(p, F_OK);
}

/* The generation a state file stores (0: none). */
static __u64 file_gen(const char *name)
{
	union {
		struct khsm_state_hdr h;
		struct khsm_state_obj o;
	} u;
	char p[256];
	ssize_t r;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", sdir, name);
	fd = open(p, O_RDONLY);
	if (fd < 0)
		return 0;
	memset(&u, 0, sizeof(u));
	r = read(fd, &u, sizeof(u));
	close(fd);
	if (r < (ssize_t)sizeof(u.o))
		return 0;
	return !memcmp(u.h.magic, KHSM_STATE_HDR_MAGIC, 8) ? u.h.gen : u.o.gen;
}

static __u32 hdr_entries(void)
{
	struct khsm_state_hdr h;
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/header", sdir);
	fd = open(p, O_RDONLY);
	memset(&h, 0, sizeof(h));
	if (fd >= 0 && read(fd, &h, sizeof(h)) != (ssize_t)sizeof(h))
		h.n_entries = ~0U;
	if (fd >= 0)
		close(fd);
	return h.n_entries;
}

static int nfiles(void)
{
	char cmd[256];
	FILE *f;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A %s | wc -l", sdir);
	f = popen(cmd, "r");
	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = -1;
		pclose(f);
	}
	return n;
}

#define IS(got, want, what) do {					\
	unsigned long _g = (unsigned long)(got), _w = (unsigned long)(want); \
	tap_ok(_g == _w, "%s (got 0x%lx %s, want 0x%lx %s)", what, _g,	\
	   hsm_strerror(_g), _w, hsm_strerror(_w));			\
} while (0)

int main(void)
{
	struct hsm_token *tok;
	struct hsm_mechanism mech = { 0x1040, NULL, 0 };
	unsigned char label[32];
	char p[512], ln[64];
	uint32_t h1, h2, h3, pub, priv;
	ssize_t r;
	int fd;

	snprintf(root, sizeof(root), "/tmp/libhsm-persist-XXXXXX");
	if (!mkdtemp(root))
		return 1;
	snprintf(state, sizeof(state), "%s/state", root);
	snprintf(sdir, sizeof(sdir), "%s/%s", state, SERIAL);
	snprintf(p, sizeof(p), "%s/hsm0", root);
	if (symlink("/dev/null", p))
		return 1;
	setenv("KHSM_DEV_DIR", root, 1);
	setenv("KHSM_STATE_DIR", state, 1);
	setenv("KHSM_ARGON2_M_KIB", "64", 1);
	setenv("KHSM_ARGON2_T", "1", 1);
	k.next_handle = 1;
	k.next_oid = 1;
	k.gen = 10;
	k.token = 1;
	IS(hsm_open(0, &tok), CKR_OK, "open the fake token");

	IS(hsm_create_object(tok, 7, NULL, 0, &h1), CKR_OK,
	   "no state directory: create works");
	tap_ok(k.state_calls == 0, "no state directory: no KHSM_IOC_STATE (%d)",
	       k.state_calls);

	mkdir(state, 0770);
	IS(hsm_create_object(tok, 7, NULL, 0, &h1), CKR_OK, "create a token object");
	tap_ok(exists("0000000000000002.obj") && exists("header") &&
	       exists(".lock"), "its file, the header and .lock are there");
	tap_ok(file_gen("header") == k.gen && hdr_entries() == 2,
	       "header: generation %llu, 2 entries (%u)",
	       (unsigned long long)file_gen("header"), hdr_entries());
	snprintf(p, sizeof(p), "%s/hsm0", state);
	r = readlink(p, ln, sizeof(ln) - 1);
	ln[r > 0 ? r : 0] = 0;
	tap_ok(!strcmp(ln, SERIAL), "hsm0 -> %s", ln);

	k.token = 0;
	k.state_calls = 0;
	IS(hsm_create_object(tok, 7, NULL, 0, &h2), CKR_OK, "create a session object");
	tap_ok(k.state_calls == 1 && nfiles() == 3,
	       "a session object: one id query, no file (%d calls, %d files)",
	       k.state_calls, nfiles());
	k.token = 1;

	IS(hsm_generate_key_pair(tok, 7, &mech, NULL, 0, NULL, 0, &pub, &priv),
	   CKR_OK, "generate a token key pair");
	tap_ok(exists("0000000000000003.obj") && exists("0000000000000004.obj") &&
	       hdr_entries() == 4, "both halves written, header lists 4");

	IS(hsm_set_attrs(tok, 7, pub, NULL, 0), CKR_OK, "set attributes");
	tap_ok(file_gen("0000000000000003.obj") == k.gen &&
	       file_gen("header") == k.gen,
	       "the changed object and the header have the new generation");

	IS(hsm_destroy_object(tok, 7, h1), CKR_OK, "destroy a token object");
	tap_ok(!exists("0000000000000002.obj") && hdr_entries() == 3 &&
	       file_gen("header") == k.gen,
	       "its file is gone, the header lists 3");
	k.state_calls = 0;
	IS(hsm_destroy_object(tok, 7, h2), CKR_OK, "destroy the session object");
	tap_ok(k.state_calls == 1, "a session object: only the id query (%d)",
	       k.state_calls);

	/* A header that cannot be replaced: a non-empty directory. */
	snprintf(p, sizeof(p), "%s/header", sdir);
	unlink(p);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/header/x", sdir);
	fd = open(p, O_WRONLY | O_CREAT, 0600);
	close(fd);
	k.destroy_calls = 0;
	IS(hsm_create_object(tok, 7, NULL, 0, &h3), CKR_DEVICE_ERROR,
	   "a failed header write: CKR_DEVICE_ERROR");
	tap_ok(k.destroy_calls == 1 && find(h3) < 0,
	       "the new object was destroyed again");
	tap_ok(!exists("0000000000000005.obj"), "and its object file removed");
	tap_ok(hsm_last_errno() != 0, "errno kept (%d: %s)", hsm_last_errno(),
	       strerror(hsm_last_errno()));
	k.destroy_calls = 0;
	IS(hsm_generate_key_pair(tok, 7, &mech, NULL, 0, NULL, 0, &pub, &priv),
	   CKR_DEVICE_ERROR, "key pair with a failed write: CKR_DEVICE_ERROR");
	tap_ok(k.destroy_calls == 2, "both halves destroyed again (%d)",
	       k.destroy_calls);
	k.login_rv = CKR_PIN_INCORRECT;
	IS(hsm_login(tok, 7, CKU_USER, "1234", 4), CKR_PIN_INCORRECT,
	   "a wrong PIN stays CKR_PIN_INCORRECT when the header cannot be written");
	snprintf(p, sizeof(p), "%s/header/x", sdir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/header", sdir);
	rmdir(p);

	IS(hsm_login(tok, 7, CKU_USER, "1234", 4), CKR_PIN_INCORRECT,
	   "wrong PIN");
	tap_ok(file_gen("header") == k.gen,
	       "the header with the failure count was written (gen %llu)",
	       (unsigned long long)file_gen("header"));
	k.login_rv = 0;

	setenv("KHSM_STATE_DIR", "none", 1);
	k.state_calls = 0;
	IS(hsm_create_object(tok, 7, NULL, 0, &h3), CKR_OK,
	   "KHSM_STATE_DIR=none: create works");
	tap_ok(k.state_calls == 0, "KHSM_STATE_DIR=none: no KHSM_IOC_STATE");
	setenv("KHSM_STATE_DIR", state, 1);

	IS(hsm_state_save(tok, NULL, 0), CKR_DEVICE_ERROR,
	   "hsm_state_save without CAP_SYS_ADMIN: CKR_DEVICE_ERROR");
	tap_ok(hsm_last_errno() == EPERM, "with errno EPERM (%d)",
	       hsm_last_errno());
	k.admin = 1;
	IS(hsm_state_save(tok, NULL, 0), CKR_OK, "hsm_state_save");
	snprintf(ln, sizeof(ln), "%016llx.obj", (unsigned long long)k.obj[find(h3)].oid);
	tap_ok(exists(ln) && hdr_entries() == 4 && file_gen("header") == k.gen,
	       "save wrote the missing object %s and the header", ln);
	/* A stray copy under a name the header does not list. */
	snprintf(p, sizeof(p), "cp %s/0000000000000003.obj %s/00000000000000ff.obj",
		 sdir, sdir);
	tap_ok(!system(p) && exists("00000000000000ff.obj"), "stray file made");
	IS(hsm_state_save(tok, NULL, 0), CKR_OK, "save again");
	tap_ok(!exists("00000000000000ff.obj"),
	       "a file the header does not list is removed");

	k.admin = 0;	/* C_InitToken works for a group member */
	memset(label, ' ', sizeof(label));
	setenv("KHSM_PIN_RETRIES", "x", 1);
	k.init_calls = 0;
	IS(hsm_init_token(tok, "12345678", 8, label), CKR_ARGUMENTS_BAD,
	   "KHSM_PIN_RETRIES=x: CKR_ARGUMENTS_BAD");
	tap_ok(k.init_calls == 0, "before any INIT_TOKEN ioctl");
	setenv("KHSM_PIN_RETRIES", "5", 1);
	IS(hsm_init_token(tok, "12345678", 8, label), CKR_OK, "init token");
	tap_ok(k.max_pin_failures == 5, "max_pin_failures 5 from KHSM_PIN_RETRIES (%u)",
	       k.max_pin_failures);
	tap_ok(nfiles() == 2 && hdr_entries() == 0,
	       "after init: only header and .lock (%d files)", nfiles());
	tap_ok(file_gen("header") == 1,
	       "the new token's header replaced a newer-numbered one (gen %llu)",
	       (unsigned long long)file_gen("header"));
	unsetenv("KHSM_PIN_RETRIES");
	IS(hsm_init_token(tok, "12345678", 8, label), CKR_OK, "init token again");
	tap_ok(k.max_pin_failures == 0, "no KHSM_PIN_RETRIES: 0, the default");

	hsm_close(tok);
	snprintf(p, sizeof(p), "rm -rf %s", root);
	if (system(p))
		tap_diag("could not remove %s", root);
	return tap_done();
}
