// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit test of libhsm (no kernel needed), TAP output.
 *
 * The test binary defines ioctl() itself, which interposes the libc symbol
 * libhsm calls, and plays a scripted kernel: it checks how libhsm encodes
 * each uAPI struct and answers with chosen rv/errno/lengths. The device is
 * a symlink hsm0 -> /dev/null in a temporary KHSM_DEV_DIR.
 */
#include <argon2.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <khsm/hsm.h>
#include <p11-kit-1/p11-kit/pkcs11.h>
#include "tap.h"

#define IS(got, want, what) do {					\
	unsigned long _g = (unsigned long)(got), _w = (unsigned long)(want); \
	tap_ok(_g == _w, "%s (got 0x%lx %s, want 0x%lx %s)", what, _g,	\
	   hsm_strerror(_g), _w, hsm_strerror(_w));			\
} while (0)

/* ---- The scripted kernel ------------------------------------------------ */
static struct {
	int calls;			/* khsm ioctls seen */
	unsigned long last_cmd;
	int eintr;			/* fail this many times with EINTR */
	int fail_errno;			/* fail with this errno, rv 0 */
	__u32 fail_rv;			/* fail with this rv (and EIO) */
	__u32 abi;
	int version_enotty;
	__u32 max_find, max_data_len;
	struct khsm_token_info ti;
	__u32 session_state;
	/* captures */
	struct khsm_login login;
	struct khsm_set_pin set_pin;
	struct khsm_init_token init_token;
	struct khsm_object object;
	struct khsm_attr attrs[8];
	unsigned char blob[128];	/* CREATE's first value, if it fits */
	struct khsm_op_init op_init;
	unsigned char param[128];	/* OP_INIT's flat parameter */
	__u32 ti_size;			/* TOKEN_INFO's size field */
	struct khsm_op_data op_data;
	__u64 random_lens[8];
	int random_calls;
	__u32 find_counts[8];
	int find_calls, find_total, find_final_calls;
	__u32 op_needed;
} k;

static void k_reset(void)
{
	memset(&k, 0, sizeof(k));
	k.abi = KHSM_ABI_VERSION;
	k.max_find = 4;
	k.max_data_len = 16;
	k.op_needed = 48;
}

static int k_fail(void *arg, __u32 rv, int err)
{
	memcpy((char *)arg + 4, &rv, sizeof(rv));
	errno = err;
	return -1;
}

static int k_handle(unsigned long cmd, void *arg)
{
	__u32 size;

	memcpy(&size, arg, sizeof(size));
	k.calls++;
	k.last_cmd = cmd;
	if (k.eintr) {
		k.eintr--;
		errno = EINTR;
		return -1;
	}
	if (k.fail_errno) {
		errno = k.fail_errno;
		return -1;
	}
	if (k.fail_rv)
		return k_fail(arg, k.fail_rv, EIO);

	switch (cmd) {
	case KHSM_IOC_VERSION: {
		struct khsm_version *v = arg;

		if (k.version_enotty) {
			errno = ENOTTY;
			return -1;
		}
		if (size != sizeof(*v))
			return k_fail(arg, 0, EINVAL);
		v->abi_version = k.abi;
		v->max_find = k.max_find;
		v->max_data_len = k.max_data_len;
		return 0;
	}
	case KHSM_IOC_TOKEN_INFO:
		/* As the kernel: copy back min(caller's size, ours). */
		k.ti_size = size;
		k.ti.size = size;
		memcpy(arg, &k.ti, size < sizeof(k.ti) ? size : sizeof(k.ti));
		return 0;
	case KHSM_IOC_LOGIN:
		memcpy(&k.login, arg, sizeof(k.login));
		return 0;
	case KHSM_IOC_INIT_PIN:
	case KHSM_IOC_SET_PIN:
		memcpy(&k.set_pin, arg, sizeof(k.set_pin));
		return 0;
	case KHSM_IOC_INIT_TOKEN:
		memcpy(&k.init_token, arg, sizeof(k.init_token));
		return 0;
	case KHSM_IOC_OPEN_SESSION:
		((struct khsm_session *)arg)->session = 7;
		return 0;
	case KHSM_IOC_SESSION_INFO:
		((struct khsm_session *)arg)->state = k.session_state;
		((struct khsm_session *)arg)->flags = 6;
		return 0;
	case KHSM_IOC_CREATE_OBJECT: {
		struct khsm_object *o = arg;

		memcpy(&k.object, o, sizeof(k.object));
		if (o->count <= 8)
			memcpy(k.attrs, (void *)(uintptr_t)o->tmpl,
			       o->count * sizeof(struct khsm_attr));
		if (o->count && k.attrs[0].len <= sizeof(k.blob))
			memcpy(k.blob, (void *)(uintptr_t)k.attrs[0].value,
			       k.attrs[0].len);
		o->object = 42;
		return 0;
	}
	case KHSM_IOC_GET_ATTRS: {
		struct khsm_object *o = arg;
		struct khsm_attr *a = (void *)(uintptr_t)o->tmpl;

		/* attr 0 sensitive, attr 1 has a 5-byte value */
		a[0].len = KHSM_LEN_UNAVAILABLE;
		if (a[1].value && a[1].len >= 5)
			memcpy((void *)(uintptr_t)a[1].value, "hello", 5);
		a[1].len = 5;
		return k_fail(arg, CKR_ATTRIBUTE_SENSITIVE, EPERM);
	}
	case KHSM_IOC_OP_INIT:
		memcpy(&k.op_init, arg, sizeof(k.op_init));
		memset(k.param, 0, sizeof(k.param));
		if (k.op_init.param && k.op_init.param_len <= sizeof(k.param))
			memcpy(k.param, (void *)(uintptr_t)k.op_init.param,
			       k.op_init.param_len);
		return 0;
	case KHSM_IOC_OP_DATA: {
		struct khsm_op_data *d = arg;

		memcpy(&k.op_data, d, sizeof(k.op_data));
		if (d->op == KHSM_OP_VERIFY)
			return 0;
		if (!d->out) {
			d->out_len = k.op_needed;
			return 0;
		}
		if (d->out_len < k.op_needed) {
			d->out_len = k.op_needed;
			return k_fail(arg, CKR_BUFFER_TOO_SMALL, ENOSPC);
		}
		memset((void *)(uintptr_t)d->out, 0xab, k.op_needed);
		d->out_len = k.op_needed;
		return 0;
	}
	case KHSM_IOC_GENERATE_RANDOM: {
		struct khsm_random *r = arg;

		if (k.random_calls < 8)
			k.random_lens[k.random_calls] = r->len;
		k.random_calls++;
		if (r->len > k.max_data_len)
			return k_fail(arg, CKR_ARGUMENTS_BAD, EINVAL);
		memset((void *)(uintptr_t)r->buf, 0x5a, r->len);
		return 0;
	}
	case KHSM_IOC_FIND_INIT:
		k.find_total = 10;
		return 0;
	case KHSM_IOC_FIND: {
		struct khsm_find *f = arg;
		__u32 *h = (void *)(uintptr_t)f->ptr, i, n;

		if (k.find_calls < 8)
			k.find_counts[k.find_calls] = f->count;
		k.find_calls++;
		n = f->count < (__u32)k.find_total ? f->count : (__u32)k.find_total;
		for (i = 0; i < n; i++)
			h[i] = 100 + (__u32)k.find_total - i;
		k.find_total -= (int)n;
		f->count = n;
		return 0;
	}
	case KHSM_IOC_FIND_FINAL:
		k.find_final_calls++;
		return 0;
	case KHSM_IOC_MECH_LIST: {
		struct khsm_mech_list *m = arg;
		static const __u32 mechs[3] = { 0x250, 0x1041, 0x1087 };

		if (m->mechs && m->count < 3) {
			m->count = 3;
			return k_fail(arg, CKR_BUFFER_TOO_SMALL, ENOSPC);
		}
		if (m->mechs)
			memcpy((void *)(uintptr_t)m->mechs, mechs, sizeof(mechs));
		m->count = 3;
		return 0;
	}
	case KHSM_IOC_MECH_INFO: {
		struct khsm_mech_info *m = arg;

		if (m->mechanism != 0x1041)
			return k_fail(arg, CKR_MECHANISM_INVALID, EOPNOTSUPP);
		m->min_key_size = 256;
		m->max_key_size = 384;
		m->flags = 0x800;
		return 0;
	}
	default:
		errno = ENOTTY;
		return -1;
	}
}

/* Interposes libc's ioctl for libhsm. */
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

/* ---- Fixture ------------------------------------------------------------- */
static char dir[] = "/tmp/libhsm-unit-XXXXXX";

static void mk_link(const char *name, const char *target)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (symlink(target, p))
		perror(p);
}

static void rm_dir(void)
{
	static const char *const names[] = {
		"hsm0", "hsm12", "hsm01", "hsmx", "hsm3a", "hsm5",
	};
	char p[128];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}

static int is_zero(const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--)
		if (*c++)
			return 0;
	return 1;
}

/* ---- Tests ---------------------------------------------------------------- */
static void test_errors(void)
{
	tap_ok(!strcmp(hsm_strerror(CKR_OK), "CKR_OK"), "strerror CKR_OK");
	tap_ok(!strcmp(hsm_strerror(CKR_PIN_INCORRECT), "CKR_PIN_INCORRECT"),
	   "strerror CKR_PIN_INCORRECT");
	tap_ok(!strcmp(hsm_strerror(CKR_VENDOR_DEFINED + 5), "CKR_VENDOR_DEFINED"),
	   "strerror vendor range");
	tap_ok(!strcmp(hsm_strerror(0x7777), "CKR_UNKNOWN"), "strerror unknown");
	IS(hsm_errno_to_rv(ENOMEM), CKR_HOST_MEMORY, "ENOMEM");
	IS(hsm_errno_to_rv(EFAULT), CKR_ARGUMENTS_BAD, "EFAULT");
	IS(hsm_errno_to_rv(EINVAL), CKR_ARGUMENTS_BAD, "EINVAL");
	IS(hsm_errno_to_rv(E2BIG), CKR_ARGUMENTS_BAD, "E2BIG");
	IS(hsm_errno_to_rv(ENOTTY), CKR_FUNCTION_NOT_SUPPORTED, "ENOTTY");
	IS(hsm_errno_to_rv(EIO), CKR_DEVICE_ERROR, "EIO");
}

static void test_token_list(void)
{
	unsigned int idx[4], n;
	char p[128];
	FILE *f;

	mk_link("hsm0", "/dev/null");
	mk_link("hsm12", "/dev/null");
	mk_link("hsm01", "/dev/null");
	mk_link("hsmx", "/dev/null");
	mk_link("hsm3a", "/dev/null");
	snprintf(p, sizeof(p), "%s/hsm5", dir);
	f = fopen(p, "w");
	if (f)
		fclose(f);

	IS(hsm_token_list(NULL, &n), CKR_OK, "token_list count query");
	tap_ok(n == 2, "two char-device nodes hsm0, hsm12 (got %u)", n);
	n = 1;
	IS(hsm_token_list(idx, &n), CKR_BUFFER_TOO_SMALL, "token_list small");
	tap_ok(n == 2, "needed count written back");
	n = 4;
	IS(hsm_token_list(idx, &n), CKR_OK, "token_list");
	tap_ok(n == 2 && idx[0] == 0 && idx[1] == 12, "indices sorted 0, 12");
	setenv("KHSM_DEV_DIR", "/nonexistent-khsm", 1);
	n = 4;
	IS(hsm_token_list(idx, &n), CKR_OK, "missing dir is no tokens");
	tap_ok(n == 0, "missing dir gives count 0");
	setenv("KHSM_DEV_DIR", dir, 1);
}

static int ev_ready(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/*
 * Slot events without a kernel: the fake directory has no token that
 * opens (the scripted kernel answers VERSION, but read() of /dev/null is
 * no event counter), so inotify stands in: hsm* nodes that appear or go
 * wake the descriptor, other names are consumed without a change.
 */
static void test_events(void)
{
	char evdir[160], p[200];
	struct hsm_events *ev = NULL;
	unsigned int changed = 9;
	int fd;

	k_reset();
	snprintf(evdir, sizeof(evdir), "%s/ev", dir);
	if (mkdir(evdir, 0700)) {
		tap_ok(0, "mkdir %s: %s", evdir, strerror(errno));
		return;
	}
	setenv("KHSM_DEV_DIR", evdir, 1);
	IS(hsm_events_open(NULL), CKR_ARGUMENTS_BAD, "events_open(NULL)");
	tap_ok(hsm_events_fd(NULL) == -1, "events_fd(NULL) is -1");
	IS(hsm_events_open(&ev), CKR_OK, "events_open on an empty directory");
	fd = hsm_events_fd(ev);
	tap_ok(fd >= 0 && !ev_ready(fd, 0), "nothing happened: not readable");
	IS(hsm_events_read(ev, NULL), CKR_ARGUMENTS_BAD, "events_read(NULL)");
	IS(hsm_events_read(ev, &changed), CKR_OK, "events_read, nothing");
	tap_ok(changed == 0, "nothing changed (got %u)", changed);
	tap_ok(!hsm_token_present(4), "hsm4 not present");

	snprintf(p, sizeof(p), "%s/hsm4", evdir);
	tap_ok(!symlink("/dev/null", p), "hsm4 appears");
	tap_ok(ev_ready(fd, 2000), "readable after hsm4 appeared");
	tap_ok(hsm_token_present(4) == 1, "hsm4 present");
	IS(hsm_events_read(ev, &changed), CKR_OK, "events_read");
	tap_ok(changed != 0, "changed (got %u)", changed);
	tap_ok(!ev_ready(fd, 0), "consumed: not readable");

	snprintf(p, sizeof(p), "%s/other", evdir);
	tap_ok(!symlink("/dev/null", p), "a node of another name appears");
	tap_ok(ev_ready(fd, 2000), "readable (inotify sees the directory)");
	IS(hsm_events_read(ev, &changed), CKR_OK, "events_read");
	tap_ok(changed == 0, "no hsm* change (got %u)", changed);
	unlink(p);
	IS(hsm_events_read(ev, &changed), CKR_OK, "events_read");

	snprintf(p, sizeof(p), "%s/hsm4", evdir);
	unlink(p);
	tap_ok(ev_ready(fd, 2000), "readable after hsm4 went");
	tap_ok(!hsm_token_present(4), "hsm4 gone");
	IS(hsm_events_read(ev, &changed), CKR_OK, "events_read");
	tap_ok(changed != 0, "changed (got %u)", changed);
	hsm_events_close(ev);
	hsm_events_close(NULL);
	rmdir(evdir);
	setenv("KHSM_DEV_DIR", dir, 1);
}

static void test_open(struct hsm_token **tokp)
{
	struct hsm_token *tok;

	k_reset();
	IS(hsm_open(3, &tok), CKR_TOKEN_NOT_PRESENT, "open missing node");
	tap_ok(hsm_last_errno() == ENOENT, "errno ENOENT kept");
	k.abi = KHSM_ABI_VERSION + 1;
	IS(hsm_open(0, &tok), CKR_TOKEN_NOT_RECOGNIZED, "open ABI mismatch");
	k_reset();
	k.version_enotty = 1;
	IS(hsm_open(0, &tok), CKR_TOKEN_NOT_RECOGNIZED, "open non-khsm node");
	k_reset();
	IS(hsm_open(0, &tok), CKR_OK, "open");
	tap_ok(hsm_token_index(tok) == 0, "token index");
	*tokp = tok;
}

/* The caller's struct size travels, whatever libhsm was compiled with. */
static void test_struct_sizes(struct hsm_token *tok)
{
	union {
		struct khsm_token_info ti;
		unsigned char raw[sizeof(struct khsm_token_info) + 16];
	} big;
	struct khsm_version v;

	k_reset();
	IS(hsm_version(tok, &v, sizeof(v)), CKR_OK, "version");
	tap_ok(v.abi_version == KHSM_ABI_VERSION && v.max_find == 4,
	   "version answer");
	IS(hsm_version(tok, &v, KHSM_VERSION_SIZE_VER0 - 1), CKR_ARGUMENTS_BAD,
	   "version into a struct below VER0");
	IS(hsm_version(tok, NULL, sizeof(v)), CKR_ARGUMENTS_BAD,
	   "version into NULL");
	memset(&big, 0xa5, sizeof(big));
	k.ti.min_pin_len = 6;
	IS(hsm_token_info(tok, &big.ti, sizeof(big)), CKR_OK,
	   "token info into a struct 16 bytes longer than libhsm's");
	tap_ok(k.ti_size == sizeof(big) && big.ti.min_pin_len == 6 &&
	   is_zero(big.raw + sizeof(big.ti), 16),
	   "size sent as given, unknown tail zeroed");
	k.calls = 0;
	IS(hsm_token_info(tok, &big.ti, KHSM_TOKEN_INFO_SIZE_VER0 - 8),
	   CKR_ARGUMENTS_BAD, "token info into a struct below VER0");
	tap_ok(k.calls == 0, "refused without an ioctl");
}

static void test_ioctl_convention(struct hsm_token *tok)
{
	uint32_t s = 0;
	unsigned long state = 0, flags = 0;

	k.eintr = 2;
	k.calls = 0;
	IS(hsm_open_session(tok, CKF_SERIAL_SESSION, &s), CKR_OK,
	   "EINTR retried");
	tap_ok(s == 7 && k.calls == 3, "session handle after 2 EINTR (calls %d)",
	   k.calls);
	k.fail_rv = CKR_SESSION_HANDLE_INVALID;
	IS(hsm_close_session(tok, 9), CKR_SESSION_HANDLE_INVALID,
	   "kernel rv passed through");
	tap_ok(hsm_last_errno() == 0, "no errno for a kernel decision");
	k.fail_rv = 0;
	k.fail_errno = EFAULT;
	IS(hsm_close_all_sessions(tok), CKR_ARGUMENTS_BAD, "EFAULT mapped");
	tap_ok(hsm_last_errno() == EFAULT, "errno EFAULT kept");
	k.fail_errno = 0;
	k.session_state = CKS_RW_USER_FUNCTIONS;
	IS(hsm_session_info(tok, 7, &state, &flags), CKR_OK, "session info");
	tap_ok(state == CKS_RW_USER_FUNCTIONS && flags == 6, "state/flags copied");
	IS(hsm_open_session(tok, 1UL << 40, &s), CKR_ARGUMENTS_BAD,
	   "unencodable flags refused");
}

static void test_objects(struct hsm_token *tok)
{
	struct hsm_template *t = hsm_template_new();
	const struct hsm_attr *a;
	struct hsm_attr g[2];
	unsigned char buf[8];
	uint64_t u = 0;
	uint32_t obj = 0, *h = NULL;
	unsigned long n = 0;
	int b = 0;

	tap_ok(t && hsm_template_add_ulong(t, CKA_CLASS, CKO_SECRET_KEY) == CKR_OK &&
	   hsm_template_add_bool(t, CKA_TOKEN, 1) == CKR_OK &&
	   hsm_template_add(t, CKA_LABEL, "abc", 3) == CKR_OK,
	   "template built");
	a = hsm_template_attrs(t);
	tap_ok(hsm_template_count(t) == 3 && a[0].len == 8 && a[1].len == 1,
	   "ulong is 8 bytes, bool 1 byte");
	tap_ok(hsm_attr_ulong(&a[0], &u) == CKR_OK && u == CKO_SECRET_KEY &&
	   hsm_attr_bool(&a[1], &b) == CKR_OK && b == 1, "decode helpers");
	IS(hsm_attr_ulong(&a[1], &u), CKR_ATTRIBUTE_VALUE_INVALID,
	   "ulong decode of a 1-byte value");

	IS(hsm_create_object(tok, 7, a, hsm_template_count(t), &obj), CKR_OK,
	   "create object");
	tap_ok(obj == 42 && k.object.size == sizeof(struct khsm_object) &&
	   k.object.session == 7 && k.object.count == 3 && !k.object.flags &&
	   is_zero(k.object.reserved, sizeof(k.object.reserved)),
	   "khsm_object encoded");
	tap_ok(k.attrs[0].type == CKA_CLASS && k.attrs[0].len == 8 &&
	   k.attrs[0].value == (uintptr_t)a[0].value && !k.attrs[0].flags &&
	   k.attrs[2].type == CKA_LABEL && k.attrs[2].len == 3,
	   "khsm_attr template encoded");
	hsm_template_free(t);

	/* An attribute array travels as struct khsm_tmpl_rec records. */
	{
		unsigned char one = 1;
		uint64_t kt = CKK_AES;
		struct hsm_attr in[3] = {
			{ CKA_ENCRYPT, &one, 1 },
			{ CKA_KEY_TYPE, &kt, 8 },
			{ CKA_LABEL, NULL, 0 },
		};
		struct hsm_attr wt = { CKA_WRAP_TEMPLATE, in, sizeof(in) };
		static const unsigned char want[] = {
			0x04, 0x01, 0, 0, 0, 0, 0, 0,  1, 0, 0, 0, 0, 0, 0, 0,
			1, 0, 0, 0, 0, 0, 0, 0,
			0x00, 0x01, 0, 0, 0, 0, 0, 0,  8, 0, 0, 0, 0, 0, 0, 0,
			0x1f, 0, 0, 0, 0, 0, 0, 0,
			0x03, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0,
		};

		memset(k.blob, 0xee, sizeof(k.blob));
		IS(hsm_create_object(tok, 7, &wt, 1, &obj), CKR_OK,
		   "create with CKA_WRAP_TEMPLATE");
		tap_ok(k.attrs[0].type == CKA_WRAP_TEMPLATE &&
		       k.attrs[0].len == sizeof(want) &&
		       !memcmp(k.blob, want, sizeof(want)),
		       "attribute array flattened to records");
		wt.len = sizeof(in) - 1;
		IS(hsm_create_object(tok, 7, &wt, 1, &obj),
		   CKR_ATTRIBUTE_VALUE_INVALID, "array of a partial CK_ATTRIBUTE");
		wt.len = sizeof(in);
		in[2].len = 4;
		IS(hsm_create_object(tok, 7, &wt, 1, &obj),
		   CKR_ATTRIBUTE_VALUE_INVALID, "array entry NULL with a length");
	}

	g[0].type = CKA_VALUE;
	g[0].value = buf;
	g[0].len = sizeof(buf);
	g[1].type = CKA_LABEL;
	g[1].value = buf;
	g[1].len = sizeof(buf);
	IS(hsm_get_attrs(tok, 7, 42, g, 2), CKR_ATTRIBUTE_SENSITIVE,
	   "get attrs sensitive");
	tap_ok(g[0].len == HSM_LEN_UNAVAILABLE && g[1].len == 5 &&
	   !memcmp(buf, "hello", 5), "lengths written back, unavailable mapped");
	g[0].type = 1UL << 33;
	IS(hsm_get_attrs(tok, 7, 42, g, 1), CKR_ATTRIBUTE_TYPE_INVALID,
	   "unencodable attribute type");

	IS(hsm_find_all_alloc(tok, 7, NULL, 0, &h, &n), CKR_OK, "find all");
	tap_ok(n == 10 && h && h[0] == 110 && h[9] == 101,
	   "10 handles collected (n %lu)", n);
	tap_ok(k.find_counts[0] == 4 && k.find_final_calls == 1,
	   "find clamped to max_find, final called");
	hsm_free(h);
}

static void test_ops(struct hsm_token *tok)
{
	struct hsm_mechanism m = { 0x1082, "0123456789abcdef", 16 };
	struct hsm_mech_info mi;
	unsigned char out[64], rnd[40];
	unsigned long len, gl;
	uint32_t *mechs = NULL;
	void *p = NULL;

	IS(hsm_op_init(tok, 7, KHSM_OP_ENCRYPT, &m, 42), CKR_OK, "op init");
	tap_ok(k.op_init.mechanism == 0x1082 && k.op_init.key == 42 &&
	   k.op_init.param_len == 16 &&
	   k.op_init.param == (uintptr_t)m.param && !k.op_init.flags,
	   "op init encoded");
	IS(hsm_op_cancel(tok, 7, KHSM_OP_SIGN), CKR_OK, "op cancel");
	tap_ok(k.op_init.flags == KHSM_OP_INIT_F_CANCEL && !k.op_init.mechanism &&
	   k.op_init.op == KHSM_OP_SIGN, "cancel encoded");

	len = 999;
	IS(hsm_op_data(tok, 7, KHSM_OP_ENCRYPT, KHSM_DATA_ONESHOT, "x", 1,
		       NULL, &len), CKR_OK, "length query");
	tap_ok(len == 48 && k.op_data.out == 0 && k.op_data.out_len == 0,
	   "needed length, query sent with zero out");
	len = 16;
	IS(hsm_op_data(tok, 7, KHSM_OP_ENCRYPT, KHSM_DATA_ONESHOT, "x", 1,
		       out, &len), CKR_BUFFER_TOO_SMALL, "too small");
	tap_ok(len == 48, "needed length on BUFFER_TOO_SMALL");
	len = sizeof(out);
	IS(hsm_op_data(tok, 7, KHSM_OP_ENCRYPT, KHSM_DATA_ONESHOT, "x", 1,
		       out, &len), CKR_OK, "oneshot");
	tap_ok(len == 48 && out[47] == 0xab, "produced length");
	IS(hsm_op_data_alloc(tok, 7, KHSM_OP_DIGEST, KHSM_DATA_FINAL, NULL, 0,
			     &p, &len), CKR_OK, "op data alloc");
	tap_ok(p && len == 48 && ((unsigned char *)p)[0] == 0xab, "allocated output");
	hsm_free(p);
	IS(hsm_op_verify(tok, 7, KHSM_DATA_ONESHOT, "msg", 3, out, 64), CKR_OK,
	   "verify");
	tap_ok(k.op_data.op == KHSM_OP_VERIFY && k.op_data.out == (uintptr_t)out &&
	   k.op_data.out_len == 64 && k.op_data.in_len == 3,
	   "signature travels in out/out_len");

	IS(hsm_generate_random(tok, 7, rnd, sizeof(rnd)), CKR_OK, "random");
	tap_ok(k.random_calls == 3 && k.random_lens[0] == 16 &&
	   k.random_lens[2] == 8 && rnd[39] == 0x5a,
	   "random split at max_data_len");

	IS(hsm_mech_list_alloc(tok, &mechs, &gl), CKR_OK, "mech list alloc");
	tap_ok(gl == 3 && mechs && mechs[1] == 0x1041, "mechanisms");
	hsm_free(mechs);
	gl = 1;
	{
		uint32_t one[1];

		IS(hsm_mech_list(tok, one, &gl), CKR_BUFFER_TOO_SMALL,
		   "mech list small");
		tap_ok(gl == 3, "mech count on BUFFER_TOO_SMALL");
	}
	IS(hsm_mech_info(tok, 0x1041, &mi), CKR_OK, "mech info");
	tap_ok(mi.min_key_size == 256 && mi.max_key_size == 384 && mi.flags == 0x800,
	   "mech info copied");
	IS(hsm_mech_info(tok, 0x1, &mi), CKR_MECHANISM_INVALID,
	   "mech info unknown");

}

/* PKCS#11 parameters in, the kernel's flat ones out (src/mech.c). */
static void test_params(struct hsm_token *tok)
{
	unsigned char iv[12] = "123456789012", aad[3] = "aad", ctx[4] = "ctx!";
	CK_GCM_PARAMS g30 = { iv, 12, 96, aad, 3, 128 };
	struct {
		unsigned char *iv;
		unsigned long iv_n;
		unsigned char *aad;
		unsigned long aad_n, tag;
	} g240 = { iv, 12, aad, 3, 112 };
	struct {
		unsigned char ph;
		unsigned long ctx_n;
		unsigned char *ctx;
	} ed = { 1, 4, ctx };
	CK_RSA_PKCS_PSS_PARAMS pss = { CKM_SHA384, CKG_MGF1_SHA384, 48 };
	CK_RSA_PKCS_OAEP_PARAMS oaep = { CKM_SHA256, CKG_MGF1_SHA1,
					 CKZ_DATA_SPECIFIED, "label", 5 };
	struct hsm_mechanism m = { CKM_AES_GCM, &g30, sizeof(g30) };
	struct khsm_gcm_params gp;
	struct khsm_eddsa_params ep;
	struct khsm_rsa_pss_params pp;
	struct khsm_rsa_oaep_params op;
	struct khsm_mac_general_params mp;
	CK_ULONG mac_len = 12;
	CK_AES_CTR_PARAMS ctr = { 32, "counter-block-16" };
	struct khsm_aes_ctr_params cp;
	struct {	/* CK_HKDF_PARAMS (v3.0; not in p11-kit 0.24) */
		unsigned char extract, expand;
		unsigned long prf, salt_type;
		unsigned char *salt;
		unsigned long salt_n, salt_key;
		unsigned char *info;
		unsigned long info_n;
	} hk = { 3, 1, CKM_SHA256, 2, (unsigned char *)"salt", 4, 99,
		 (unsigned char *)"info!", 5 };
	struct khsm_hkdf_params hp;

	IS(hsm_op_init(tok, 7, KHSM_OP_ENCRYPT, &m, 42), CKR_OK,
	   "GCM, v3.0 CK_GCM_PARAMS");
	memcpy(&gp, k.param, sizeof(gp));
	tap_ok(k.op_init.param_len == sizeof(gp) + 15 && gp.gcm_iv_len == 12 &&
	   gp.gcm_aad_len == 3 && gp.gcm_tag_bits == 128 && !gp.reserved &&
	   !memcmp(k.param + sizeof(gp), "123456789012aad", 15),
	   "flat GCM: header, IV, AAD");
	m.param = &g240;
	m.param_len = sizeof(g240);
	IS(hsm_op_init(tok, 7, KHSM_OP_DECRYPT, &m, 42), CKR_OK,
	   "GCM, 2.40 CK_GCM_PARAMS (no ulIvBits)");
	memcpy(&gp, k.param, sizeof(gp));
	tap_ok(k.op_init.param_len == sizeof(gp) + 15 && gp.gcm_iv_len == 12 &&
	   gp.gcm_tag_bits == 112 &&
	   !memcmp(k.param + sizeof(gp), "123456789012aad", 15),
	   "flat GCM from the 2.40 layout");
	m.param_len = sizeof(g240) - 1;
	k.calls = 0;
	IS(hsm_op_init(tok, 7, KHSM_OP_ENCRYPT, &m, 42),
	   CKR_MECHANISM_PARAM_INVALID, "GCM parameter of neither size");
	m.param = NULL;
	m.param_len = 0;
	IS(hsm_op_init(tok, 7, KHSM_OP_ENCRYPT, &m, 42),
	   CKR_MECHANISM_PARAM_INVALID, "GCM without a parameter");
	g30.pIv = NULL;
	m.param = &g30;
	m.param_len = sizeof(g30);
	IS(hsm_op_init(tok, 7, KHSM_OP_ENCRYPT, &m, 42),
	   CKR_MECHANISM_PARAM_INVALID, "GCM with a NULL IV of 12 bytes");
	tap_ok(k.calls == 0, "refused parameters never reach the kernel");

	m = (struct hsm_mechanism){ CKM_EDDSA, NULL, 0 };
	IS(hsm_op_init(tok, 7, KHSM_OP_SIGN, &m, 42), CKR_OK, "EdDSA, none");
	tap_ok(k.op_init.param == 0 && k.op_init.param_len == 0, "stays none");
	m.param = &ed;
	m.param_len = sizeof(ed);
	IS(hsm_op_init(tok, 7, KHSM_OP_SIGN, &m, 42), CKR_OK,
	   "EdDSA, CK_EDDSA_PARAMS with a context");
	memcpy(&ep, k.param, sizeof(ep));
	tap_ok(k.op_init.param_len == sizeof(ep) + 4 && ep.ph_flag == 1 &&
	   ep.context_len == 4 && !memcmp(k.param + sizeof(ep), "ctx!", 4),
	   "flat EdDSA: header, context");
	ed.ctx_n = 256;
	IS(hsm_op_init(tok, 7, KHSM_OP_SIGN, &m, 42),
	   CKR_MECHANISM_PARAM_INVALID, "EdDSA context above 255 bytes");

	m = (struct hsm_mechanism){ CKM_SHA384_RSA_PKCS_PSS, &pss, sizeof(pss) };
	IS(hsm_op_init(tok, 7, KHSM_OP_SIGN, &m, 42), CKR_OK, "PSS");
	memcpy(&pp, k.param, sizeof(pp));
	tap_ok(k.op_init.param_len == sizeof(pp) && pp.hash == CKM_SHA384 &&
	   pp.mgf == CKG_MGF1_SHA384 && pp.salt_len == 48 && !pp.reserved,
	   "flat PSS");
	m.param_len = sizeof(pss) + 8;
	IS(hsm_op_init(tok, 7, KHSM_OP_SIGN, &m, 42),
	   CKR_MECHANISM_PARAM_INVALID, "PSS parameter of the wrong size");

	m = (struct hsm_mechanism){ CKM_RSA_PKCS_OAEP, &oaep, sizeof(oaep) };
	IS(hsm_op_init(tok, 7, KHSM_OP_DECRYPT, &m, 42), CKR_OK, "OAEP");
	memcpy(&op, k.param, sizeof(op));
	tap_ok(k.op_init.param_len == sizeof(op) + 5 && op.hash == CKM_SHA256 &&
	   op.mgf == CKG_MGF1_SHA1 && op.source == CKZ_DATA_SPECIFIED &&
	   op.label_len == 5 && !memcmp(k.param + sizeof(op), "label", 5),
	   "flat OAEP: header, label");
	m.param = NULL;
	m.param_len = 0;
	IS(hsm_op_init(tok, 7, KHSM_OP_DECRYPT, &m, 42),
	   CKR_MECHANISM_PARAM_INVALID, "OAEP without a parameter");

	m = (struct hsm_mechanism){ CKM_SHA256_HMAC_GENERAL, &mac_len,
				    sizeof(mac_len) };
	IS(hsm_op_init(tok, 7, KHSM_OP_SIGN, &m, 42), CKR_OK, "HMAC_GENERAL");
	memcpy(&mp, k.param, sizeof(mp));
	tap_ok(k.op_init.param_len == sizeof(mp) && mp.mac_len == 12 &&
	   !mp.reserved, "flat CK_MAC_GENERAL_PARAMS");
	m.param_len = 4;
	IS(hsm_op_init(tok, 7, KHSM_OP_SIGN, &m, 42),
	   CKR_MECHANISM_PARAM_INVALID, "CK_MAC_GENERAL_PARAMS of 4 bytes");
	mac_len = 0x100000000UL;
	m.param_len = sizeof(mac_len);
	IS(hsm_op_init(tok, 7, KHSM_OP_VERIFY, &m, 42),
	   CKR_MECHANISM_PARAM_INVALID, "MAC length above 32 bits");
	m = (struct hsm_mechanism){ CKM_AES_CTR, &ctr, sizeof(ctr) };
	IS(hsm_op_init(tok, 7, KHSM_OP_ENCRYPT, &m, 42), CKR_OK, "CTR");
	memcpy(&cp, k.param, sizeof(cp));
	tap_ok(k.op_init.param_len == sizeof(cp) && cp.ctr_bits == 32 &&
	   !cp.reserved && !memcmp(cp.ctr_block, "counter-block-16", 16),
	   "flat CTR: bits, counter block");
	ctr.ulCounterBits = 0x100000000UL;
	IS(hsm_op_init(tok, 7, KHSM_OP_ENCRYPT, &m, 42),
	   CKR_MECHANISM_PARAM_INVALID, "CTR counter bits above 32 bits");
	m.param_len = sizeof(ctr) - 8;
	IS(hsm_op_init(tok, 7, KHSM_OP_ENCRYPT, &m, 42),
	   CKR_MECHANISM_PARAM_INVALID, "CTR parameter of the wrong size");

	/*
	 * CK_HKDF_PARAMS (flattened the same way whatever the call; OP_INIT
	 * is the one this scripted kernel captures)
	 */
	m = (struct hsm_mechanism){ 0x402aUL, &hk, sizeof(hk) };
	IS(hsm_op_init(tok, 7, KHSM_OP_ENCRYPT, &m, 42), CKR_OK, "HKDF");
	memcpy(&hp, k.param, sizeof(hp));
	tap_ok(k.op_init.param_len == sizeof(hp) + 9 && hp.extract == 1 &&
	   hp.expand == 1 && hp.prf == CKM_SHA256 && hp.salt_type == 2 &&
	   hp.salt_key == 0 && hp.salt_len == 4 && hp.info_len == 5 &&
	   !hp.pad0 && !hp.reserved[0] && !hp.reserved[1] &&
	   !memcmp(k.param + sizeof(hp), "saltinfo!", 9),
	   "flat HKDF: header (booleans 0/1, no salt key), salt, info");
	hk.extract = 0;
	hk.salt_type = 4;
	hk.salt = NULL;
	hk.salt_n = 0;
	IS(hsm_op_init(tok, 7, KHSM_OP_ENCRYPT, &m, 42), CKR_OK,
	   "HKDF with a salt key");
	memcpy(&hp, k.param, sizeof(hp));
	tap_ok(k.op_init.param_len == sizeof(hp) + 5 && hp.extract == 0 &&
	   hp.salt_type == 4 && hp.salt_key == 99 && hp.salt_len == 0,
	   "flat HKDF: the salt key as its handle");
	hk.info_n = 0x100000000UL;
	IS(hsm_op_init(tok, 7, KHSM_OP_ENCRYPT, &m, 42),
	   CKR_MECHANISM_PARAM_INVALID, "HKDF info above 32 bits");
	hk.info_n = 5;
	hk.info = NULL;
	IS(hsm_op_init(tok, 7, KHSM_OP_ENCRYPT, &m, 42),
	   CKR_MECHANISM_PARAM_INVALID, "HKDF NULL info with a length");
	m.param_len = sizeof(hk) - 1;
	IS(hsm_op_init(tok, 7, KHSM_OP_ENCRYPT, &m, 42),
	   CKR_MECHANISM_PARAM_INVALID, "HKDF parameter of the wrong size");

	m = (struct hsm_mechanism){ CKM_AES_CBC, NULL, 16 };
	IS(hsm_op_init(tok, 7, KHSM_OP_ENCRYPT, &m, 42),
	   CKR_MECHANISM_PARAM_INVALID, "NULL parameter with a length");
	m = (struct hsm_mechanism){ 0x100000000UL, NULL, 0 };
	IS(hsm_op_init(tok, 7, KHSM_OP_ENCRYPT, &m, 42), CKR_MECHANISM_INVALID,
	   "mechanism above 32 bits");
}

static void derive(const char *pin, const __u8 *salt, __u32 t, __u32 m,
		   __u32 par, unsigned char *out)
{
	argon2id_hash_raw(t, m, par, pin, strlen(pin), salt, KHSM_SALT_LEN,
			  out, KHSM_VERIFIER_LEN);
}

static void test_pins(struct hsm_token *tok)
{
	static const char so[] = "so-pin", user[] = "1234";
	unsigned char v[32], v2[32], label[32];
	__u8 salt1[KHSM_SALT_LEN];

	memset(&k.ti, 0, sizeof(k.ti));
	memset(k.ti.so_salt, 0x11, KHSM_SALT_LEN);
	memset(k.ti.user_salt, 0x22, KHSM_SALT_LEN);
	k.ti.so_t_cost = 1;
	k.ti.so_m_cost_kib = 16;
	k.ti.so_parallelism = 1;
	k.ti.user_t_cost = 2;
	k.ti.user_m_cost_kib = 8;
	k.ti.user_parallelism = 1;

	IS(hsm_login(tok, 7, CKU_USER, user, 4), CKR_OK, "login user");
	derive(user, k.ti.user_salt, 2, 8, 1, v);
	tap_ok(!memcmp(k.login.pin.verifier, v, 32) && k.login.pin.pin_len == 4 &&
	   k.login.user_type == CKU_USER && k.login.session == 7,
	   "user verifier = Argon2id(pin, user salt, user cost)");
	tap_ok(is_zero(k.login.pin.salt, KHSM_SALT_LEN) && !k.login.pin.t_cost &&
	   !k.login.pin.m_cost_kib && !k.login.pin.parallelism,
	   "check form: salt and cost zero");
	IS(hsm_login(tok, 7, CKU_SO, so, 6), CKR_OK, "login SO");
	derive(so, k.ti.so_salt, 1, 16, 1, v);
	tap_ok(!memcmp(k.login.pin.verifier, v, 32), "SO verifier uses SO salt");

	k.session_state = CKS_RW_SO_FUNCTIONS;
	IS(hsm_login(tok, 7, CKU_CONTEXT_SPECIFIC, so, 6), CKR_OK,
	   "context-specific login in an SO session");
	tap_ok(!memcmp(k.login.pin.verifier, v, 32) &&
	   k.login.user_type == CKU_CONTEXT_SPECIFIC, "uses the SO salt");
	k.session_state = CKS_RW_USER_FUNCTIONS;
	IS(hsm_login(tok, 7, CKU_CONTEXT_SPECIFIC, user, 4), CKR_OK,
	   "context-specific login in a user session");
	derive(user, k.ti.user_salt, 2, 8, 1, v);
	tap_ok(!memcmp(k.login.pin.verifier, v, 32), "uses the user salt");

	/* No user PIN yet: the kernel must answer, libhsm sends noise. */
	k.ti.user_t_cost = 0;
	IS(hsm_login(tok, 7, CKU_USER, user, 4), CKR_OK,
	   "login without a user PIN still reaches the kernel");
	memcpy(v, k.login.pin.verifier, 32);
	hsm_login(tok, 7, CKU_USER, user, 4);
	tap_ok(memcmp(v, k.login.pin.verifier, 32) != 0,
	   "verifier is random when no cost is known");
	k.ti.user_t_cost = 2;

	setenv("KHSM_ARGON2_T", "1", 1);
	setenv("KHSM_ARGON2_M_KIB", "32", 1);
	setenv("KHSM_ARGON2_P", "2", 1);
	IS(hsm_init_pin(tok, 7, user, 4), CKR_OK, "init pin");
	derive(user, k.set_pin.new_pin.salt, 1, 32, 2, v);
	tap_ok(k.set_pin.new_pin.t_cost == 1 && k.set_pin.new_pin.m_cost_kib == 32 &&
	   k.set_pin.new_pin.parallelism == 2 && k.set_pin.new_pin.pin_len == 4 &&
	   !memcmp(k.set_pin.new_pin.verifier, v, 32),
	   "new PIN: env cost, verifier over the sent salt");
	tap_ok(!is_zero(k.set_pin.new_pin.salt, KHSM_SALT_LEN) &&
	   is_zero(&k.set_pin.old_pin, sizeof(k.set_pin.old_pin)),
	   "salt random, old PIN zero for INIT_PIN");
	memcpy(salt1, k.set_pin.new_pin.salt, KHSM_SALT_LEN);
	hsm_init_pin(tok, 7, user, 4);
	tap_ok(memcmp(salt1, k.set_pin.new_pin.salt, KHSM_SALT_LEN) != 0,
	   "fresh salt per new PIN");

	k.session_state = CKS_RW_SO_FUNCTIONS;
	IS(hsm_set_pin(tok, 7, so, 6, "new-so", 6), CKR_OK, "set pin (SO)");
	derive(so, k.ti.so_salt, 1, 16, 1, v);
	tap_ok(!memcmp(k.set_pin.old_pin.verifier, v, 32), "SO session: old PIN with SO salt");
	k.session_state = CKS_RW_USER_FUNCTIONS;
	IS(hsm_set_pin(tok, 7, user, 4, "5678", 4), CKR_OK, "set pin (user)");
	derive(user, k.ti.user_salt, 2, 8, 1, v);
	derive("5678", k.set_pin.new_pin.salt, 1, 32, 2, v2);
	tap_ok(!memcmp(k.set_pin.old_pin.verifier, v, 32) &&
	   !memcmp(k.set_pin.new_pin.verifier, v2, 32),
	   "user session: old with user salt, new with fresh salt");

	memset(label, ' ', sizeof(label));
	memcpy(label, "tok", 3);
	k.ti.flags = 0;
	IS(hsm_init_token(tok, so, 6, label), CKR_OK, "init token (blank)");
	tap_ok(is_zero(&k.init_token.so_check, sizeof(k.init_token.so_check)) &&
	   k.init_token.so_new.pin_len == 6 && !memcmp(k.init_token.label, label, 32),
	   "uninitialised token: no SO check");
	k.ti.flags = CKF_TOKEN_INITIALIZED;
	IS(hsm_init_token(tok, so, 6, label), CKR_OK, "init token (again)");
	derive(so, k.ti.so_salt, 1, 16, 1, v);
	tap_ok(!memcmp(k.init_token.so_check.verifier, v, 32),
	   "initialised token: SO check with SO salt");
	tap_ok(k.init_token.flags == 0, "default token policy: no flag");
	setenv("KHSM_TOKEN_POLICY", "pkcs11", 1);
	IS(hsm_init_token(tok, so, 6, label), CKR_OK, "init token (pkcs11 policy)");
	tap_ok(k.init_token.flags == KHSM_INIT_TOKEN_F_PUBLIC_WRITE,
	       "KHSM_TOKEN_POLICY=pkcs11: KHSM_INIT_TOKEN_F_PUBLIC_WRITE");
	setenv("KHSM_TOKEN_POLICY", "login", 1);
	IS(hsm_init_token(tok, so, 6, label), CKR_OK, "init token (login policy)");
	tap_ok(k.init_token.flags == 0, "KHSM_TOKEN_POLICY=login: no flag");
	setenv("KHSM_TOKEN_POLICY", "open", 1);
	k.calls = 0;
	IS(hsm_init_token(tok, so, 6, label), CKR_ARGUMENTS_BAD,
	   "unknown KHSM_TOKEN_POLICY");
	tap_ok(k.last_cmd != KHSM_IOC_INIT_TOKEN, "nothing sent with a bad policy");
	unsetenv("KHSM_TOKEN_POLICY");

	setenv("KHSM_ARGON2_T", "abc", 1);
	k.calls = 0;
	IS(hsm_init_pin(tok, 7, user, 4), CKR_ARGUMENTS_BAD, "bad KHSM_ARGON2_T");
	tap_ok(k.calls == 0, "nothing sent with a bad cost");
	unsetenv("KHSM_ARGON2_T");
	unsetenv("KHSM_ARGON2_M_KIB");
	unsetenv("KHSM_ARGON2_P");
}

static void test_argon2(void)
{
	static const unsigned char kat[32] = {
		0x9d, 0xfe, 0xb9, 0x10, 0xe8, 0x0b, 0xad, 0x03,
		0x11, 0xfe, 0xe2, 0x0f, 0x9c, 0x0e, 0x2b, 0x12,
		0xc1, 0x79, 0x87, 0xb4, 0xca, 0xc9, 0x0c, 0x2e,
		0xf5, 0x4d, 0x5b, 0x30, 0x21, 0xc6, 0x8b, 0xfe,
	};
	unsigned char a[32], b[32], c[32], salt[KHSM_SALT_LEN];

	/* phc-winner-argon2 test.c: Argon2id v1.3, t=2, m=256 KiB, p=1. */
	argon2id_hash_raw(2, 256, 1, "password", 8, "somesalt", 8, a, 32);
	tap_ok(!memcmp(a, kat, 32), "libargon2 is Argon2id v1.3 (reference KAT)");
	memset(salt, 0x42, sizeof(salt));
	IS(hsm_pin_derive("password", 8, salt, 2, 256, 1, b), CKR_OK, "derive");
	argon2id_hash_raw(2, 256, 1, "password", 8, salt, 16, a, 32);
	tap_ok(!memcmp(a, b, 32), "hsm_pin_derive = Argon2id(pin, 16-byte salt)");
	hsm_pin_derive("password", 8, salt, 2, 256, 1, c);
	tap_ok(!memcmp(b, c, 32), "deterministic");
	salt[0] ^= 1;
	hsm_pin_derive("password", 8, salt, 2, 256, 1, c);
	tap_ok(memcmp(b, c, 32) != 0, "salt changes the verifier");
	IS(hsm_pin_derive("x", 1, salt, 0, 256, 1, c), CKR_ARGUMENTS_BAD,
	   "t_cost 0 refused");
}

static void test_fork(struct hsm_token *tok)
{
	uint32_t s;
	pid_t pid;
	int st = 0;

	IS(hsm_check_pid(tok), CKR_OK, "pid check in parent");
	tap_ok(hsm_getpid() == getpid() && hsm_getpid() == getpid(),
	       "hsm_getpid() is getpid() in the parent");
	pid = fork();
	if (pid == 0) {
		int calls = k.calls, bad = 0;
		pid_t g;

		/* The cached pid is the child's, and a grandchild's its own. */
		bad |= hsm_getpid() != getpid();
		g = fork();
		if (g == 0)
			_exit(hsm_getpid() != getpid());
		bad |= waitpid(g, &st, 0) != g || !WIFEXITED(st) ||
		       WEXITSTATUS(st) != 0;
		bad |= hsm_getpid() != getpid();
		bad |= hsm_check_pid(tok) != CKR_CRYPTOKI_NOT_INITIALIZED;
		bad |= hsm_open_session(tok, CKF_SERIAL_SESSION, &s) !=
		       CKR_CRYPTOKI_NOT_INITIALIZED;
		bad |= hsm_login(tok, s, CKU_USER, "1", 1) !=
		       CKR_CRYPTOKI_NOT_INITIALIZED;
		bad |= k.calls != calls;
		hsm_close(tok);
		_exit(bad);
	}
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "child after fork: its own hsm_getpid(), CKR_CRYPTOKI_NOT_INITIALIZED, no ioctl");
	IS(hsm_open_session(tok, CKF_SERIAL_SESSION, &s), CKR_OK,
	   "parent unaffected");
}

/* The keyring description parser (keyring.c), no kernel needed. */
static void test_keyring_parse(void)
{
	struct hsm_keyring_desc d;
	static const char *const bad[] = {
		"", "a:b:c:d", "a:b:c:d:e:f", "ser:01:l:key:1", "ser:01:l:pub:",
		"ser:01:l:pub:xyz", "ser:01:l:pub:-1", ":01:l:pub:1",
		"ser::l:pub:1", "0123456789abcdef0:01:l:pub:1",
	};
	unsigned int i;

	IS(hsm_keyring_parse("0123456789abcdef:4b01:kr-read:pub:2a", &d),
	   CKR_OK, "keyring: parse a public key's description");
	tap_ok(!strcmp(d.serial, "0123456789abcdef") &&
	       !strcmp(d.id_hex, "4b01") && !strcmp(d.label, "kr-read") &&
	       d.cls == CKO_PUBLIC_KEY && d.oid == 0x2a,
	       "keyring: serial, id, label, class, oid (%s %s %s %lu %llx)",
	       d.serial, d.id_hex, d.label, d.cls,
	       (unsigned long long)d.oid);
	IS(hsm_keyring_parse("s1:-:-:priv:ffffffffffffffff", &d), CKR_OK,
	   "keyring: parse a description without CKA_ID and label");
	tap_ok(!d.id_hex[0] && !d.label[0] && d.cls == CKO_PRIVATE_KEY &&
	       d.oid == ~0ULL, "keyring: '-' is empty; oid 2^64-1");
	IS(hsm_keyring_parse("s1:00:x:secret:1", &d), CKR_OK,
	   "keyring: parse a secret key's description");
	tap_ok(d.cls == CKO_SECRET_KEY, "keyring: class secret");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		IS(hsm_keyring_parse(bad[i], &d), CKR_ARGUMENTS_BAD, bad[i]);
	IS(hsm_keyring_parse(NULL, &d), CKR_ARGUMENTS_BAD,
	   "keyring: NULL description");
	IS(hsm_keyring_find_key(0, CKO_DATA, NULL, 0, NULL), CKR_ARGUMENTS_BAD,
	   "keyring: find_key without serial pointer");
	{
		int32_t k = -1;

		IS(hsm_keyring_find_key(0, CKO_DATA, NULL, 0, &k),
		   CKR_ARGUMENTS_BAD, "keyring: find_key of a CKO_DATA class");
	}
}

int main(void)
{
	struct hsm_token *tok = NULL;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	setenv("KHSM_DEV_DIR", dir, 1);
	test_errors();
	test_token_list();
	test_events();
	test_open(&tok);
	if (tok) {
		test_ioctl_convention(tok);
		test_objects(tok);
		test_struct_sizes(tok);
		test_ops(tok);
		test_params(tok);
		test_pins(tok);
		test_fork(tok);
		hsm_close(tok);
	}
	test_argon2();
	test_keyring_parse();
	rm_dir();
	return tap_done();
}
