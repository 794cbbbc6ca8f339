// SPDX-License-Identifier: GPL-2.0
/*
 * Typed ioctl fuzzer of /dev/hsmN. It knows the struct of every ioctl of
 * the uAPI header (fz_iocs[], one row per ioctl, checked against
 * KHSM_IOC_NR_MAX at compile time and against the header's list by
 * qemu-tests/syz/abi-check.py) and fills it with a mix of valid values
 * (session and object handles it made, mechanisms of MECH_LIST, keys that
 * fit the mechanism, size = sizeof) and mutations (sizes around the
 * versions, non-zero rv, flags, reserved and pad fields, interesting
 * integers, lengths around the limits, pointers into buffers that end at
 * an unmapped guard page, into read-only pages, NULL, kernel and wild
 * addresses), so that calls get past the struct checks into the token
 * code. Half the calls run as root, half as hsmuser (group hsm), each in
 * a child process over three open files plus one kept for recovery.
 *
 * What it asserts (the kernel itself is checked by run-all.sh and vm.sh:
 * any oops, WARN, slab report or taint fails the run):
 *   - every answer is 0 or an errno of the uAPI's table, ENOTTY for
 *     numbers that are not khsm ioctls;
 *   - @rv agrees with the errno (khsm_ckr_errno of the header), and stays
 *     0 when the call failed before a PKCS#11 decision;
 *   - no EFAULT when every pointer of the call was valid for the lengths
 *     it gave (buffers end at a guard page: a kernel that reads or writes
 *     past a length it was given faults there);
 *   - no value that looks like a kernel address appears in a struct the
 *     kernel wrote back;
 *   - every ioctl reached the token code (a PKCS#11 decision) at least once
 *     per identity;
 *   - afterwards a fresh file logs in, generates a P-256 key, signs, and
 *     OpenSSL accepts the signature.
 *
 * Env: KHSM_FUZZ_SEED (default fixed, printed), KHSM_FUZZ_CALLS (total,
 * default 200000), KHSM_FUZZ_SECS (time cap of the whole run, default 200).
 * `make fuzz` runs a longer one. Adding an ioctl: one FZ_IOC row and a
 * filler below.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "khsm_util.h"
#include "khsm_mechs.h"
#include "ossl_check.h"
#include "tap.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PG		4096UL
#define NFILES		3
#define MAX_SESS	8	/* tracked per file; more are closed */
#define MAX_OBJS	96
#define EPOCH		2000	/* calls between resets of files and objects */
#define MAX_STREAK	5	/* wrong PINs sent before a recovery login */
#define FZ_PIN		"fuzz-pin-2468"
#define MAX_REPORTS	20

/* ---- random numbers (splitmix64: reproducible from the seed) ----------- */
static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rn(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static int pct(unsigned int p)
{
	return rn(1000) < p * 10;
}

/* per-mille */
static int pm(unsigned int p)
{
	return rn(1000) < p;
}

static const uint64_t interesting[] = {
	0, 1, 2, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128,
	255, 256, 257, 1023, 1024, 4095, 4096, 4097, 8191, 8192, 8193, 65535,
	65536, 65537, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
	(1ULL << 40), (1ULL << 40) + 1, 0x7fffffffffffffffULL, ~0ULL, ~0ULL - 1,
};

static uint64_t rint64(void)
{
	return pct(80) ? interesting[rn(ARRAY_SIZE(interesting))] : rnd();
}

/* ---- memory: buffers that end at a guard page --------------------------- */
enum { S_ARG, S_TMPL, S_TMPL2, S_VAL, S_IN, S_OUT, S_PARAM, S_RO, S_NSLOT };
static const size_t slot_pages[S_NSLOT] = { 2, 2, 2, 64, 80, 80, 24, 2 };
static uint8_t *slot_base[S_NSLOT];
static uint8_t *val_cur;	/* bump allocator in S_VAL, downwards */
static int call_valid;		/* every pointer of this call is good */

static int mem_setup(void)
{
	int i;

	for (i = 0; i < S_NSLOT; i++) {
		size_t len = (slot_pages[i] + 1) * PG;
		uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return -1;
		memset(p, 0xa5, slot_pages[i] * PG);
		if (mprotect(p + slot_pages[i] * PG, PG, PROT_NONE))
			return -1;
		if (i == S_RO && mprotect(p, slot_pages[i] * PG, PROT_READ))
			return -1;
		slot_base[i] = p;
	}
	return 0;
}

static uint8_t *slot_end(int s)
{
	return slot_base[s] + slot_pages[s] * PG;
}

/*
 * A user pointer for @len bytes taken from @slot: mostly the last @len
 * bytes before the guard page, sometimes a bad one (which clears
 * call_valid when @len > 0). @out: the kernel writes there.
 */
static uint64_t place(int s, uint64_t len, int out)
{
	uint64_t cap = slot_pages[s] * PG;
	unsigned int r = rn(1000);

	if (len > cap) {
		call_valid = 0;
		return (uintptr_t)slot_base[s];
	}
	if (r < 940)
		return (uintptr_t)(slot_end(s) - len);
	if (r < 955 && len + 64 <= cap)
		return (uintptr_t)(slot_end(s) - len - 1 - rn(63));
	if (r >= 975 && r < 985 && !out && len <= slot_pages[S_RO] * PG)
		return (uintptr_t)(slot_end(S_RO) - len);	/* read-only, good */
	if (len)
		call_valid = 0;
	if (r < 965)
		return 0;
	if (r < 975)	/* crosses into the guard page */
		return (uintptr_t)(slot_end(s) - len + 1 + rn(len ? len : 1));
	if (r < 985)	/* read-only, but the kernel writes there */
		return (uintptr_t)slot_base[S_RO];
	if (r < 992)
		return 0xffffffff81000000ULL + rn(1 << 20);
	switch (rn(4)) {
	case 0: return 16;
	case 1: return ~0ULL - rn(64);
	case 2: return 1ULL << 47;
	}
	return 0x0000800000000000ULL - 8;
}

/* Input bytes in S_VAL (bump-allocated downwards from the guard page). */
static uint64_t val_put(const void *p, uint64_t len)
{
	uint8_t *d;

	if (len > (uint64_t)(val_cur - slot_base[S_VAL])) {
		call_valid = 0;
		return (uintptr_t)slot_base[S_VAL];
	}
	d = val_cur - len;
	if (p)
		memcpy(d, p, len);
	else
		for (uint64_t i = 0; i < len; i++)
			d[i] = rnd();
	val_cur = d - rn(8);
	return (uintptr_t)d;
}

/* [p, p + len) lies inside @s (RW): the fuzzer may write there itself. */
static int in_slot(uint64_t p, uint64_t len, int s)
{
	return p >= (uintptr_t)slot_base[s] && len <= slot_pages[s] * PG &&
	       p <= (uintptr_t)slot_end(s) - len;
}

static void fill_rand(void *p, size_t n)
{
	uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = rnd();
}

/* ---- what the fuzzer knows about the token ------------------------------ */
enum okind { K_OTHER, K_AES, K_ECPRIV, K_ECPUB, K_EDPRIV, K_EDPUB, K_RSAPRIV,
	     K_RSAPUB, K_DATA, K_NKIND };

struct fz_obj {
	__u32 h;
	enum okind kind;
};

struct fz_file {
	int fd;
	__u32 sess[MAX_SESS];
	int nsess;
	__u32 op_sess;		/* last session an OP_INIT succeeded on */
	__u32 op_kind;
	__u32 op_mech;
};

struct fz_stat {
	unsigned long calls, ok, decision, einval, efault, other;
};

struct fz {
	struct fz_file f[NFILES];
	int heal_fd;
	struct fz_obj obj[MAX_OBJS];
	int nobj;
	__u32 stale_sess[8], stale_obj[8];
	__u32 mechs[256];
	unsigned int nmechs;
	struct khsm_pin good_new, good_check;
	int streak;		/* wrong PINs sent since the last recovery */
	int heal_failed;
	unsigned long violations;
	unsigned long calls;
	struct fz_stat st[KHSM_IOC_NR_MAX + 2];
	const char *who;
};

static struct fz z;

/* An RSA-2048 key made with OpenSSL in the parent, imported every epoch. */
static struct {
	uint8_t v[8][512];
	size_t len[8];
	int ok;
} rsa;

static const __u32 rsa_attr[8] = {
	CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT, CKA_PRIME_1,
	CKA_PRIME_2, CKA_EXPONENT_1, CKA_EXPONENT_2, CKA_COEFFICIENT,
};

static const uint8_t oid_p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static const uint8_t oid_p384[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22 };
static const uint8_t oid_p521[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23 };
static const uint8_t oid_ed25519[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
static const uint8_t oid_x25519[] = { 0x06, 0x03, 0x2b, 0x65, 0x6e };
static const uint8_t str_ed25519[] = { 0x13, 0x0c, 'e', 'd', 'w', 'a', 'r', 'd', 's',
				       '2', '5', '5', '1', '9' };

static __u32 pick_sess(struct fz_file *f)
{
	unsigned int r = rn(100);

	if (r < 85 && f->nsess)
		return f->sess[rn(f->nsess)];
	if (r < 90) {
		struct fz_file *o = &z.f[rn(NFILES)];

		if (o->nsess)
			return o->sess[rn(o->nsess)];
	}
	if (r < 95)
		return z.stale_sess[rn(ARRAY_SIZE(z.stale_sess))];
	return pct(50) ? 0 : (__u32)rint64();
}

static __u32 pick_obj_kind(int want)
{
	int i, n = 0, idx[MAX_OBJS];

	for (i = 0; i < z.nobj; i++)
		if (want < 0 || (int)z.obj[i].kind == want)
			idx[n++] = i;
	if (!n)
		return z.nobj ? z.obj[rn(z.nobj)].h : 0;
	return z.obj[idx[rn(n)]].h;
}

static __u32 pick_obj(int want)
{
	unsigned int r = rn(100);

	if (r < 88)
		return pick_obj_kind(want);
	if (r < 94)
		return z.stale_obj[rn(ARRAY_SIZE(z.stale_obj))];
	return pct(50) ? 0 : (__u32)rint64();
}

static __u32 pick_mech(void)
{
	if (pct(90) && z.nmechs)
		return z.mechs[rn(z.nmechs)];
	switch (rn(4)) {
	case 0: return 0;
	case 1: return 0x80000000U | rn(16);
	case 2: return CKM_SHA256_HMAC;
	}
	return (__u32)rint64();
}

static void obj_add(__u32 h, enum okind k)
{
	if (!h)
		return;
	if (z.nobj == MAX_OBJS)
		z.obj[rn(MAX_OBJS)] = (struct fz_obj){ h, k };
	else
		z.obj[z.nobj++] = (struct fz_obj){ h, k };
}

static void obj_del(__u32 h)
{
	for (int i = 0; i < z.nobj; i++)
		if (z.obj[i].h == h) {
			z.stale_obj[rn(ARRAY_SIZE(z.stale_obj))] = h;
			z.obj[i] = z.obj[--z.nobj];
			return;
		}
}

static void sess_add(struct fz_file *f, __u32 s)
{
	if (!s)
		return;
	if (f->nsess < MAX_SESS)
		f->sess[f->nsess++] = s;
}

static void sess_del(struct fz_file *f, __u32 s)
{
	for (int i = 0; i < f->nsess; i++)
		if (f->sess[i] == s) {
			z.stale_sess[rn(ARRAY_SIZE(z.stale_sess))] = s;
			f->sess[i] = f->sess[--f->nsess];
			return;
		}
}

/* ---- PINs: one PIN for SO and user, so every accepted new PIN is known --- */
static void pin_setup(void)
{
	static const __u8 salt[KHSM_SALT_LEN] = "khsm-fuzz-salt!";

	t_pin_check(&z.good_check, FZ_PIN, salt, 1, 64, 1);
	z.good_new = z.good_check;
	memcpy(z.good_new.salt, salt, sizeof(salt));
	z.good_new.t_cost = 1;
	z.good_new.m_cost_kib = 64;
	z.good_new.parallelism = 1;
}

/* A new PIN: the good one, or one the kernel must refuse as malformed. */
static void fill_new_pin(struct khsm_pin *p)
{
	*p = z.good_new;
	if (!pct(12))
		return;
	switch (rn(6)) {
	case 0: p->t_cost = pct(50) ? 0 : 65 + rn(1000); break;
	case 1: p->m_cost_kib = rn(8); break;
	case 2: p->parallelism = pct(50) ? 0 : 17 + rn(100); break;
	case 3: p->m_cost_kib = 8; p->parallelism = 2; break;
	case 4: p->pin_len = rn(4); break;		/* below min */
	default: p->pin_len = 65 + rn(1 << 20); break;	/* above max */
	}
}

/* A PIN check: the good one; sometimes wrong (counted) or malformed. */
static void fill_check_pin(struct khsm_pin *p)
{
	*p = z.good_check;
	if (!pct(10))
		return;
	if (pct(50)) {	/* malformed: EINVAL before any check */
		if (pct(50))
			p->salt[rn(KHSM_SALT_LEN)] = 1 + rn(255);
		else
			p->t_cost = 1 + rn(3);
		return;
	}
	if (z.streak >= MAX_STREAK)
		return;
	z.streak++;
	if (pct(50))
		p->verifier[rn(KHSM_VERIFIER_LEN)] ^= 1 + rn(255);
	else
		p->pin_len = rn(80);
}

/* ---- templates ----------------------------------------------------------- */
struct tmpl {
	struct khsm_attr a[80];
	unsigned int n;
};

static void t_ul(struct tmpl *t, __u32 type, __u64 v)
{
	if (t->n >= ARRAY_SIZE(t->a))
		return;
	t->a[t->n++] = (struct khsm_attr){ type, 0, 8, val_put(&v, 8) };
}

static void t_bool(struct tmpl *t, __u32 type, int v)
{
	__u8 b = v;

	if (t->n >= ARRAY_SIZE(t->a))
		return;
	t->a[t->n++] = (struct khsm_attr){ type, 0, 1, val_put(&b, 1) };
}

static void t_bytes(struct tmpl *t, __u32 type, const void *p, __u64 len)
{
	if (t->n >= ARRAY_SIZE(t->a))
		return;
	t->a[t->n++] = (struct khsm_attr){ type, 0, len, val_put(p, len) };
}

static const __u32 attr_types[] = {
	CKA_CLASS, CKA_TOKEN, CKA_PRIVATE, CKA_LABEL, CKA_APPLICATION,
	CKA_VALUE, CKA_OBJECT_ID, CKA_CERTIFICATE_TYPE, CKA_ISSUER,
	CKA_SERIAL_NUMBER, CKA_KEY_TYPE, CKA_SUBJECT, CKA_ID, CKA_SENSITIVE,
	CKA_ENCRYPT, CKA_DECRYPT, CKA_WRAP, CKA_UNWRAP, CKA_SIGN,
	CKA_SIGN_RECOVER, CKA_VERIFY, CKA_VERIFY_RECOVER, CKA_DERIVE,
	CKA_START_DATE, CKA_END_DATE, CKA_MODULUS, CKA_MODULUS_BITS,
	CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_COEFFICIENT,
	CKA_VALUE_LEN, CKA_EXTRACTABLE, CKA_LOCAL, CKA_NEVER_EXTRACTABLE,
	CKA_ALWAYS_SENSITIVE, CKA_KEY_GEN_MECHANISM, CKA_MODIFIABLE,
	CKA_COPYABLE, CKA_DESTROYABLE, CKA_EC_PARAMS, CKA_EC_POINT,
	CKA_ALWAYS_AUTHENTICATE, CKA_WRAP_WITH_TRUSTED, CKA_CHECK_VALUE,
	CKA_CERTIFICATE_CATEGORY, CKA_URL, CKA_TRUSTED, CKA_ALLOWED_MECHANISMS,
	CKA_WRAP_TEMPLATE, CKA_UNWRAP_TEMPLATE,
	0x4U, 0x80000000U, 0xffffffffU,
};

static int attr_is_bool(__u32 type)
{
	switch (type) {
	case CKA_TOKEN: case CKA_PRIVATE: case CKA_SENSITIVE: case CKA_ENCRYPT:
	case CKA_DECRYPT: case CKA_WRAP: case CKA_UNWRAP: case CKA_SIGN:
	case CKA_SIGN_RECOVER: case CKA_VERIFY: case CKA_VERIFY_RECOVER:
	case CKA_DERIVE: case CKA_EXTRACTABLE: case CKA_LOCAL:
	case CKA_NEVER_EXTRACTABLE: case CKA_ALWAYS_SENSITIVE:
	case CKA_MODIFIABLE: case CKA_COPYABLE: case CKA_DESTROYABLE:
	case CKA_ALWAYS_AUTHENTICATE: case CKA_WRAP_WITH_TRUSTED:
	case CKA_TRUSTED:
		return 1;
	}
	return 0;
}

static int attr_is_ulong(__u32 type)
{
	switch (type) {
	case CKA_CLASS: case CKA_CERTIFICATE_TYPE: case CKA_KEY_TYPE:
	case CKA_MODULUS_BITS: case CKA_VALUE_LEN: case CKA_KEY_GEN_MECHANISM:
	case CKA_CERTIFICATE_CATEGORY:
		return 1;
	}
	return 0;
}

/* One attribute of a random type with a plausible or mutated value. */
static void t_random_attr(struct tmpl *t)
{
	__u32 type = attr_types[rn(ARRAY_SIZE(attr_types))];
	static const __u64 ulv[] = { CKO_DATA, CKO_CERTIFICATE, CKO_PUBLIC_KEY,
		CKO_PRIVATE_KEY, CKO_SECRET_KEY, CKK_AES, CKK_EC, CKK_RSA,
		CKK_EC_EDWARDS, CKK_GENERIC_SECRET, 16, 24, 32, 2048, ~0ULL };
	__u64 len;

	if (attr_is_bool(type) && pct(85)) {
		t_bool(t, type, pct(10) ? 2 + (int)rn(254) : pct(50));
		return;
	}
	if (attr_is_ulong(type) && pct(85)) {
		t_ul(t, type, pct(80) ? ulv[rn(ARRAY_SIZE(ulv))] : rint64());
		return;
	}
	if (type == CKA_EC_PARAMS && pct(70)) {
		if (pct(50))
			t_bytes(t, type, oid_p256, sizeof(oid_p256));
		else
			t_bytes(t, type, oid_ed25519, sizeof(oid_ed25519));
		return;
	}
	switch (rn(10)) {
	case 0: len = 0; break;
	case 1: len = 8192 + rn(4); break;	/* around the value limit */
	case 2: len = rint64() & 0xffff; break;
	default: len = rn(80); break;
	}
	if (t->n >= ARRAY_SIZE(t->a))
		return;
	t->a[t->n] = (struct khsm_attr){ type, 0, len, val_put(NULL, len) };
	t->n++;
}

/* Mutate a built template: a few random changes. */
static void t_mutate(struct tmpl *t)
{
	int k = pct(70) ? 0 : 1 + rn(3);

	while (k--) {
		unsigned int i = t->n ? rn(t->n) : 0;

		switch (rn(8)) {
		case 0: t_random_attr(t); break;
		case 1: if (t->n) t->a[i] = t->a[--t->n]; break;	/* drop */
		case 2: if (t->n) t->a[i].len = rint64(); call_valid = 0; break;
		case 3: if (t->n) t->a[i].flags = 1U << rn(32); break;
		case 4: if (t->n) { t->a[i].value = place(S_RO, t->a[i].len, 0); } break;
		case 5: if (t->n) t->a[t->n < ARRAY_SIZE(t->a) ? t->n++ : 0] = t->a[i]; break;
		case 6: if (t->n) t->a[i].type = (__u32)rint64(); break;
		default: if (t->n && t->a[i].len) { t->a[i].value = 0; call_valid = 0; } break;
		}
	}
}

/* Copy the template array into @slot; sets *count and returns the pointer. */
static uint64_t t_place(struct tmpl *t, int s, __u32 *count)
{
	uint64_t len = (uint64_t)t->n * sizeof(struct khsm_attr);
	uint64_t p = place(s, len, 0);

	*count = t->n;
	if (pct(3)) {	/* more entries than there are: into the guard page */
		*count = pct(50) ? t->n + 1 + rn(4) : (__u32)rint64();
		call_valid = 0;
	}
	if (in_slot(p, len, s))
		memcpy((void *)(uintptr_t)p, t->a, len);
	return p;
}

static void recipe(struct tmpl *t, int kind, int token)
{
	uint8_t key[64];
	int w;

	fill_rand(key, sizeof(key));
	t->n = 0;
	switch (kind) {
	case 0:	/* data */
		t_ul(t, CKA_CLASS, CKO_DATA);
		t_bytes(t, CKA_VALUE, NULL, rn(200));
		t_bytes(t, CKA_LABEL, "fuzz", 4);
		t_bool(t, CKA_PRIVATE, pct(50));
		break;
	case 1:	/* AES */
		t_ul(t, CKA_CLASS, CKO_SECRET_KEY);
		t_ul(t, CKA_KEY_TYPE, CKK_AES);
		t_bytes(t, CKA_VALUE, key, pct(80) ? 16 + 8 * rn(3) : rn(40));
		/* a third are key-transport keys (WRAP_KEY, UNWRAP_KEY) */
		w = pct(33);
		t_bool(t, CKA_ENCRYPT, !w);
		t_bool(t, CKA_DECRYPT, !w);
		t_bool(t, CKA_WRAP, w);
		t_bool(t, CKA_UNWRAP, w);
		t_bool(t, CKA_SENSITIVE, pct(50));
		t_bool(t, CKA_EXTRACTABLE, pct(50));
		break;
	case 2:	/* generic secret */
		t_ul(t, CKA_CLASS, CKO_SECRET_KEY);
		t_ul(t, CKA_KEY_TYPE, CKK_GENERIC_SECRET);
		t_bytes(t, CKA_VALUE, key, 1 + rn(32));
		break;
	case 3:	/* EC public key */
		t_ul(t, CKA_CLASS, CKO_PUBLIC_KEY);
		t_ul(t, CKA_KEY_TYPE, CKK_EC);
		t_bytes(t, CKA_EC_PARAMS, oid_p256, sizeof(oid_p256));
		t_bytes(t, CKA_EC_POINT, NULL, pct(50) ? 67 : 65);
		t_bool(t, CKA_VERIFY, 1);
		break;
	case 4:	/* certificate */
		t_ul(t, CKA_CLASS, CKO_CERTIFICATE);
		t_ul(t, CKA_CERTIFICATE_TYPE, CKC_X_509);
		t_bytes(t, CKA_SUBJECT, NULL, rn(40));
		t_bytes(t, CKA_VALUE, NULL, rn(300));
		break;
	case 5:	/* RSA public */
		t_ul(t, CKA_CLASS, CKO_PUBLIC_KEY);
		t_ul(t, CKA_KEY_TYPE, CKK_RSA);
		if (rsa.ok) {
			t_bytes(t, CKA_MODULUS, rsa.v[0], rsa.len[0]);
			t_bytes(t, CKA_PUBLIC_EXPONENT, rsa.v[1], rsa.len[1]);
		}
		t_bool(t, CKA_VERIFY, 1);
		t_bool(t, CKA_ENCRYPT, 1);
		break;
	default: /* random class */
		for (int i = rn(8); i >= 0; i--)
			t_random_attr(t);
		break;
	}
	if (token >= 0)
		t_bool(t, CKA_TOKEN, token);
	if (pct(30))
		t_bytes(t, CKA_ID, NULL, 1 + rn(8));
}

/* ---- the ioctl table ----------------------------------------------------- */
union fz_arg {
	struct { __u32 size, rv; } hdr;
	struct khsm_version version;
	struct khsm_token_info token_info;
	struct khsm_init_token init_token;
	struct khsm_admin_init_token admin_init_token;
	struct khsm_set_pin set_pin;
	struct khsm_login login;
	struct khsm_session session;
	struct khsm_object object;
	struct khsm_find find;
	struct khsm_keygen keygen;
	struct khsm_derive derive;
	struct khsm_wrap_key wrap_key;
	struct khsm_unwrap_key unwrap_key;
	struct khsm_op_init op_init;
	struct khsm_op_data op_data;
	struct khsm_random random;
	struct khsm_mech_list mech_list;
	struct khsm_mech_info mech_info;
	struct khsm_state_io state_io;
	uint8_t raw[4096 + 64];
};

typedef void (*fz_fill)(struct fz_file *f, union fz_arg *a);
typedef void (*fz_post)(struct fz_file *f, union fz_arg *a, int err);

struct fz_ioc {
	const char *name;
	unsigned long cmd;
	size_t size;		/* sizeof() the struct */
	size_t ver0;		/* KHSM_*_SIZE_VER0 */
	unsigned int weight;
	fz_fill fill;
	fz_post post;
	/*
	 * Bytes the generic mutation leaves alone: PINs. A new PIN changed
	 * there would set a PIN the fuzzer does not know, a wrong check
	 * would count towards the lockout unseen; fill_new_pin() and
	 * fill_check_pin() mutate them in ways the fuzzer keeps track of.
	 */
	size_t keep_off, keep_len;
};

/* fillers and post-processing, one per ioctl */
static void fill_none(struct fz_file *f, union fz_arg *a)
{
	(void)f;
	(void)a;
}

static void fill_init_token(struct fz_file *f, union fz_arg *a)
{
	struct khsm_init_token *it = &a->init_token;

	(void)f;
	memset(it->label, ' ', sizeof(it->label));
	memcpy(it->label, "fuzz", 4);
	if (pct(10))
		fill_rand(it->label, sizeof(it->label));
	fill_check_pin(&it->so_check);
	fill_new_pin(&it->so_new);
}

static void fill_set_pin(struct fz_file *f, union fz_arg *a)
{
	a->set_pin.session = pick_sess(f);
	fill_check_pin(&a->set_pin.old_pin);
	fill_new_pin(&a->set_pin.new_pin);
	if (pct(3))
		a->set_pin.flags = 1U << rn(32);
}

static void fill_init_pin(struct fz_file *f, union fz_arg *a)
{
	fill_set_pin(f, a);
	if (pct(90))
		memset(&a->set_pin.old_pin, 0, sizeof(a->set_pin.old_pin));
}

static void fill_login(struct fz_file *f, union fz_arg *a)
{
	static const __u32 ut[] = { CKU_USER, CKU_USER, CKU_USER, CKU_SO,
				    CKU_SO, CKU_CONTEXT_SPECIFIC, 3, ~0U };

	a->login.session = pick_sess(f);
	a->login.user_type = ut[rn(ARRAY_SIZE(ut))];
	fill_check_pin(&a->login.pin);
}

static void fill_logout(struct fz_file *f, union fz_arg *a)
{
	a->login.session = pick_sess(f);
	if (pct(3))
		a->login.pin.pin_len = 1 + rn(10);
}

static void fill_open(struct fz_file *f, union fz_arg *a)
{
	static const __u32 fl[] = { CKF_SERIAL_SESSION | CKF_RW_SESSION,
		CKF_SERIAL_SESSION | CKF_RW_SESSION, CKF_SERIAL_SESSION, 0,
		CKF_RW_SESSION, 8 | CKF_SERIAL_SESSION };

	(void)f;
	a->session.flags = pct(95) ? fl[rn(ARRAY_SIZE(fl))] : (__u32)rint64();
	if (pct(2))
		a->session.session = rn(5);
}

static void post_open(struct fz_file *f, union fz_arg *a, int err)
{
	if (!err)
		sess_add(f, a->session.session);
	if (!err && f->nsess >= MAX_SESS) {
		/* keep the count bounded: close one */
		struct khsm_session s;

		T_INIT(s);
		s.session = f->sess[rn(f->nsess)];
		if (!ioctl(f->fd, KHSM_IOC_CLOSE_SESSION, &s))
			sess_del(f, s.session);
	}
}

static void fill_sess(struct fz_file *f, union fz_arg *a)
{
	a->session.session = pick_sess(f);
	if (pct(2))
		a->session.pad0 = 1;
}

static void post_close(struct fz_file *f, union fz_arg *a, int err)
{
	if (!err)
		sess_del(f, a->session.session);
}

static void fill_close_all(struct fz_file *f, union fz_arg *a)
{
	(void)f;
	if (pct(5))
		a->session.session = pick_sess(f);
}

static void post_close_all(struct fz_file *f, union fz_arg *a, int err)
{
	(void)a;
	if (!err)
		while (f->nsess)
			sess_del(f, f->sess[0]);
}

/*
 * Root's re-initialisation: the token keeps the good SO PIN (the fuzzer
 * knows it), loses its user PIN (heal() sets it again), objects and every
 * file's sessions. Rare: it wipes the baseline keys of the epoch.
 */
static void fill_admin_init(struct fz_file *f, union fz_arg *a)
{
	struct khsm_admin_init_token *ai = &a->admin_init_token;

	(void)f;
	memset(ai->label, ' ', sizeof(ai->label));
	memcpy(ai->label, "fuzz-admin", 10);
	fill_new_pin(&ai->so_new);
	if (pct(20))
		ai->flags = pct(50) ? KHSM_INIT_TOKEN_F_PUBLIC_WRITE :
				      1U << rn(32);
	/*
	 * Mostly refused (EINVAL) before it acts, so the token is not wiped
	 * every few hundred calls; 6 % act, enough that a 25,000-call root
	 * run (the ASan pass) reaches a decision with ~180 calls of it.
	 */
	if (!pct(6)) {
		if (pct(50))
			ai->max_pin_failures = pct(50) ? 1 + rn(2) :
					       101 + rn(1000);
		else
			ai->reserved[rn(4)] = 1 + rn(255);
	}
}

static void post_admin_init(struct fz_file *f, union fz_arg *a, int err)
{
	int i;

	(void)f;
	(void)a;
	if (err)
		return;
	for (i = 0; i < NFILES; i++)
		while (z.f[i].nsess)
			sess_del(&z.f[i], z.f[i].sess[0]);
}

static struct tmpl tmpl1, tmpl2;
static int last_kind;

static void fill_create(struct fz_file *f, union fz_arg *a)
{
	static const int kinds[] = { K_DATA, K_AES, K_OTHER, K_ECPUB, K_OTHER,
				     K_RSAPUB, K_OTHER };
	int r = rn(ARRAY_SIZE(kinds));

	a->object.session = pick_sess(f);
	recipe(&tmpl1, r, pct(30));
	last_kind = kinds[r];
	t_mutate(&tmpl1);
	a->object.tmpl = t_place(&tmpl1, S_TMPL, &a->object.count);
}

static void post_create(struct fz_file *f, union fz_arg *a, int err)
{
	(void)f;
	if (!err)
		obj_add(a->object.object, last_kind);
}

static void fill_copy(struct fz_file *f, union fz_arg *a)
{
	a->object.session = pick_sess(f);
	a->object.object = pick_obj(-1);
	tmpl1.n = 0;
	for (int i = rn(4); i > 0; i--)
		t_random_attr(&tmpl1);
	if (pct(40))
		t_bool(&tmpl1, CKA_TOKEN, pct(30));
	t_mutate(&tmpl1);
	a->object.tmpl = t_place(&tmpl1, S_TMPL, &a->object.count);
	last_kind = K_OTHER;
}

static void fill_obj(struct fz_file *f, union fz_arg *a)
{
	a->object.session = pick_sess(f);
	a->object.object = pick_obj(-1);
	if (pct(2))
		a->object.flags = 1U << rn(32);
}

static void post_destroy(struct fz_file *f, union fz_arg *a, int err)
{
	(void)f;
	if (!err)
		obj_del(a->object.object);
}

static void fill_get_attrs(struct fz_file *f, union fz_arg *a)
{
	unsigned int n = rn(pct(90) ? 6 : 70);

	fill_obj(f, a);
	tmpl1.n = 0;
	for (unsigned int i = 0; i < n && i < ARRAY_SIZE(tmpl1.a); i++) {
		struct khsm_attr *at = &tmpl1.a[tmpl1.n++];
		__u64 len;

		at->type = attr_types[rn(ARRAY_SIZE(attr_types))];
		at->flags = pct(1) ? 1 : 0;
		switch (rn(6)) {
		case 0: len = 0; break;
		case 1: len = 1; break;
		case 2: len = 8; break;
		case 3: len = rn(600); break;
		case 4: len = 8192 + rn(3); break;
		default: len = rint64(); break;
		}
		at->len = len;
		/* Each value buffer in its own area: S_OUT holds them all. */
		at->value = pct(35) ? 0 : (len <= 8192 ? val_put(NULL, len) :
					   place(S_OUT, len, 1));
	}
	a->object.tmpl = t_place(&tmpl1, S_TMPL, &a->object.count);
	/* GET writes the answers into the template: read-only is bad. */
	if (a->object.count && !in_slot(a->object.tmpl, 24ULL * a->object.count, S_TMPL))
		call_valid = 0;
}

static void fill_set_attrs(struct fz_file *f, union fz_arg *a)
{
	static const __u32 set_types[] = { CKA_LABEL, CKA_ID, CKA_SIGN,
		CKA_SENSITIVE, CKA_EXTRACTABLE, CKA_PRIVATE, CKA_DESTROYABLE,
		CKA_MODIFIABLE, CKA_COPYABLE, CKA_ENCRYPT, CKA_TOKEN,
		CKA_ALWAYS_AUTHENTICATE, CKA_VALUE, CKA_CLASS };

	fill_obj(f, a);
	tmpl1.n = 0;
	for (int i = 1 + rn(3); i > 0; i--) {
		__u32 ty = set_types[rn(ARRAY_SIZE(set_types))];

		if (attr_is_bool(ty))
			t_bool(&tmpl1, ty, pct(50));
		else if (attr_is_ulong(ty))
			t_ul(&tmpl1, ty, rn(5));
		else
			t_bytes(&tmpl1, ty, NULL, rn(40));
	}
	t_mutate(&tmpl1);
	a->object.tmpl = t_place(&tmpl1, S_TMPL, &a->object.count);
}

static void fill_find_init(struct fz_file *f, union fz_arg *a)
{
	a->find.session = pick_sess(f);
	tmpl1.n = 0;
	if (pct(60)) {
		switch (rn(5)) {
		case 0: t_ul(&tmpl1, CKA_CLASS, CKO_PRIVATE_KEY); break;
		case 1: t_ul(&tmpl1, CKA_KEY_TYPE, CKK_EC); break;
		case 2: t_bool(&tmpl1, CKA_TOKEN, 1); break;
		case 3: t_bytes(&tmpl1, CKA_LABEL, "fuzz", 4); break;
		default: t_random_attr(&tmpl1); break;
		}
	}
	t_mutate(&tmpl1);
	a->find.ptr = t_place(&tmpl1, S_TMPL, &a->find.count);
	if (pct(2))
		a->find.pad0 = 1;
}

static void fill_find(struct fz_file *f, union fz_arg *a)
{
	static const __u32 cnt[] = { 0, 1, 2, 4, 16, 255, 256, 257, 1000 };
	__u32 c;

	a->find.session = pick_sess(f);
	c = pct(95) ? cnt[rn(ARRAY_SIZE(cnt))] : (__u32)rint64();
	a->find.count = c;
	/* the kernel writes at most min(count, 256) handles */
	a->find.ptr = place(S_OUT, (uint64_t)(c < 256 ? c : 256) * 4, 1);
	if (pct(2))
		a->find.flags = 1;
}

static void post_find(struct fz_file *f, union fz_arg *a, int err)
{
	const uint8_t *p = (const uint8_t *)(uintptr_t)a->find.ptr;

	(void)f;
	if (err || !a->find.count || a->find.count > 256 ||
	    !in_slot(a->find.ptr, 4 * a->find.count, S_OUT))
		return;
	for (__u32 i = 0; i < a->find.count && i < 4; i++) {
		int known = 0;
		__u32 h;

		memcpy(&h, p + 4 * i, 4);	/* the array may be unaligned */
		for (int j = 0; j < z.nobj; j++)
			known |= z.obj[j].h == h;
		if (!known)
			obj_add(h, K_OTHER);
	}
}

static void fill_sess_only(struct fz_file *f, union fz_arg *a)
{
	a->find.session = pick_sess(f);
}

static int rsa_keygens;

static void fill_keygen(struct fz_file *f, union fz_arg *a)
{
	struct khsm_keygen *g = &a->keygen;
	static const __u64 vlen[] = { 16, 24, 32, 0, 15, 33, 1 << 20 };

	g->session = pick_sess(f);
	g->mechanism = pct(85) ? CKM_AES_KEY_GEN : pick_mech();
	tmpl1.n = 0;
	if (pct(90))
		t_ul(&tmpl1, CKA_VALUE_LEN, vlen[rn(pct(90) ? 3 : ARRAY_SIZE(vlen))]);
	t_bool(&tmpl1, CKA_TOKEN, pct(20));
	if (pct(50))
		t_bool(&tmpl1, CKA_ENCRYPT, 1);
	if (pct(30))
		t_ul(&tmpl1, CKA_KEY_TYPE, pct(80) ? CKK_AES : CKK_EC);
	t_mutate(&tmpl1);
	g->pub_template = t_place(&tmpl1, S_TMPL, &g->pub_count);
	if (pct(5)) {
		g->param_len = pct(50) ? rn(64) : (__u32)rint64();
		g->param = place(S_PARAM, g->param_len, 0);
	}
	if (pct(2))
		g->priv_count = 1;
}

static void post_keygen(struct fz_file *f, union fz_arg *a, int err)
{
	(void)f;
	if (!err)
		obj_add(a->keygen.pub_handle, K_AES);
}

static void fill_keypair(struct fz_file *f, union fz_arg *a)
{
	struct khsm_keygen *g = &a->keygen;
	unsigned int r = rn(100);
	int tok = pct(20);

	g->session = pick_sess(f);
	tmpl1.n = tmpl2.n = 0;
	if (r < 50) {
		static const struct { const uint8_t *p; size_t n; } c[] = {
			{ oid_p256, sizeof(oid_p256) }, { oid_p384, sizeof(oid_p384) },
			{ oid_p521, sizeof(oid_p521) }, { oid_ed25519, sizeof(oid_ed25519) },
		};
		int i = pct(80) ? 0 : rn(ARRAY_SIZE(c));

		g->mechanism = CKM_EC_KEY_PAIR_GEN;
		t_bytes(&tmpl1, CKA_EC_PARAMS, c[i].p, c[i].n);
	} else if (r < 85) {
		g->mechanism = CKM_EC_EDWARDS_KEY_PAIR_GEN;
		switch (rn(4)) {
		case 0: t_bytes(&tmpl1, CKA_EC_PARAMS, str_ed25519, sizeof(str_ed25519)); break;
		case 1: t_bytes(&tmpl1, CKA_EC_PARAMS, oid_x25519, sizeof(oid_x25519)); break;
		default: t_bytes(&tmpl1, CKA_EC_PARAMS, oid_ed25519, sizeof(oid_ed25519)); break;
		}
	} else if (r < 95) {
		static const __u64 bits[] = { 0, 512, 1023, 1 << 20, ~0ULL, 2047, 8193 };

		/* RSA generation takes seconds under TCG: at most two real ones. */
		g->mechanism = CKM_RSA_PKCS_KEY_PAIR_GEN;
		if (rsa_keygens < 2 && pm(5)) {
			rsa_keygens++;
			t_ul(&tmpl1, CKA_MODULUS_BITS, 2048);
		} else {
			t_ul(&tmpl1, CKA_MODULUS_BITS, bits[rn(ARRAY_SIZE(bits))]);
		}
		if (pct(50))
			t_bytes(&tmpl1, CKA_PUBLIC_EXPONENT, "\x01\x00\x01", 3);
	} else {
		g->mechanism = pick_mech();
		t_random_attr(&tmpl1);
	}
	t_bool(&tmpl1, CKA_TOKEN, tok);
	t_bool(&tmpl1, CKA_VERIFY, 1);
	t_bool(&tmpl2, CKA_TOKEN, tok);
	t_bool(&tmpl2, CKA_SIGN, 1);
	if (pct(50))
		t_bool(&tmpl2, CKA_DERIVE, 1);	/* a DERIVE_KEY base */
	t_bool(&tmpl2, CKA_PRIVATE, pct(70));
	if (pct(50))
		t_bool(&tmpl2, CKA_SENSITIVE, 1);
	t_mutate(&tmpl1);
	t_mutate(&tmpl2);
	g->pub_template = t_place(&tmpl1, S_TMPL, &g->pub_count);
	g->priv_template = t_place(&tmpl2, S_TMPL2, &g->priv_count);
	if (pct(3)) {
		g->param_len = pct(50) ? rn(64) : (__u32)rint64();
		g->param = place(S_PARAM, g->param_len, 0);
	}
}

static void post_keypair(struct fz_file *f, union fz_arg *a, int err)
{
	int ed = a->keygen.mechanism == CKM_EC_EDWARDS_KEY_PAIR_GEN;
	int rs = a->keygen.mechanism == CKM_RSA_PKCS_KEY_PAIR_GEN;

	(void)f;
	if (err)
		return;
	obj_add(a->keygen.pub_handle, rs ? K_RSAPUB : ed ? K_EDPUB : K_ECPUB);
	obj_add(a->keygen.priv_handle, rs ? K_RSAPRIV : ed ? K_EDPRIV : K_ECPRIV);
}

/*
 * DERIVE_KEY plans: ECDH on an EC private key (half of them may derive)
 * with the P-256 base point as the peer (bare or DER), a KDF, shared
 * data, and a template naming a secret key type and maybe a length.
 */
static void fill_derive(struct fz_file *f, union fz_arg *a)
{
	static const uint8_t g256[65] = {
		0x04, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8,
		0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2, 0x77, 0x03, 0x7d,
		0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8,
		0x98, 0xc2, 0x96, 0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f,
		0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16, 0x2b,
		0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40,
		0x68, 0x37, 0xbf, 0x51, 0xf5,
	};
	static const uint64_t kdfs[] = { CKD_NULL, CKD_SHA256_KDF, CKD_SHA1_KDF,
					 CKD_SHA512_KDF, 0, 0x7f };
	static const __u64 vlen[] = { 32, 16, 24, 0, 33, 65, 1 << 20 };
	struct khsm_derive *d = &a->derive;
	struct khsm_ecdh1_derive_params *p;
	uint8_t param[sizeof(*p) + 16 + 2 + sizeof(g256)];
	__u32 plen, si = 0, hdr = pct(30) ? 2 : 0;

	d->session = pick_sess(f);
	d->mechanism = pct(80) ? CKM_ECDH1_DERIVE :
		       pct(50) ? CKM_ECDH1_COFACTOR_DERIVE : pick_mech();
	d->base_key = pick_obj(pct(90) ? K_ECPRIV : -1);
	memset(param, 0, sizeof(param));
	p = (struct khsm_ecdh1_derive_params *)param;
	p->kdf = pct(95) ? kdfs[rn(pct(80) ? 2 : ARRAY_SIZE(kdfs))] : rint64();
	if (p->kdf != CKD_NULL && pct(50))
		si = 16;
	fill_rand(param + sizeof(*p), si);
	if (hdr) {
		param[sizeof(*p) + si] = 0x04;
		param[sizeof(*p) + si + 1] = sizeof(g256);
	}
	memcpy(param + sizeof(*p) + si + hdr, g256, sizeof(g256));
	if (pct(10))
		param[sizeof(*p) + si + hdr + 1 + rn(64)] ^= 1 << rn(8);
	p->shared_len = si;
	p->public_len = hdr + sizeof(g256);
	plen = sizeof(*p) + si + hdr + sizeof(g256);
	if (pct(5))
		plen = pct(50) ? rn(plen) : (__u32)rint64();
	tmpl1.n = 0;
	if (pct(50))
		t_ul(&tmpl1, CKA_CLASS, CKO_SECRET_KEY);
	if (pct(95))
		t_ul(&tmpl1, CKA_KEY_TYPE, pct(70) ? CKK_GENERIC_SECRET :
			     pct(80) ? CKK_AES : CKK_EC);
	if (pct(60))
		t_ul(&tmpl1, CKA_VALUE_LEN,
		     vlen[rn(pct(90) ? 3 : ARRAY_SIZE(vlen))]);
	t_bool(&tmpl1, CKA_TOKEN, pct(20));
	if (pct(50))
		t_bool(&tmpl1, CKA_SENSITIVE, pct(50));
	if (pct(50))
		t_bool(&tmpl1, CKA_EXTRACTABLE, pct(50));
	t_mutate(&tmpl1);
	d->tmpl = t_place(&tmpl1, S_TMPL, &d->count);
	d->param_len = plen;
	d->param = place(S_PARAM, plen, 0);
	if (plen <= sizeof(param) && in_slot(d->param, plen, S_PARAM))
		memcpy((void *)(uintptr_t)d->param, param, plen);
}

static void post_derive(struct fz_file *f, union fz_arg *a, int err)
{
	(void)f;
	if (!err)
		obj_add(a->derive.handle, K_OTHER);
}

/*
 * WRAP_KEY / UNWRAP_KEY plans: an AES wrapping mechanism (its IV for
 * CBC_PAD), an AES key as wrapping key and mostly an AES key to wrap; a
 * length query or an output of a few semiblocks; random wrapped input
 * with a secret-key template.
 */
static const __u32 fz_wrap_mechs[] = {
	CKM_AES_KEY_WRAP, CKM_AES_KEY_WRAP_KWP, CKM_AES_CBC_PAD,
};

static void fz_wrap_param(__u32 mech, __u64 *param, __u32 *param_len)
{
	uint8_t iv[16];

	*param_len = 0;
	*param = 0;
	if (mech != CKM_AES_CBC_PAD && !pct(10))
		return;
	fill_rand(iv, sizeof(iv));
	*param_len = pct(95) ? 16 : rn(32);
	*param = place(S_PARAM, *param_len, 0);
	if (*param_len <= sizeof(iv) && in_slot(*param, *param_len, S_PARAM))
		memcpy((void *)(uintptr_t)*param, iv, *param_len);
}

static void fill_wrap_key(struct fz_file *f, union fz_arg *a)
{
	struct khsm_wrap_key *w = &a->wrap_key;
	__u64 cap;

	w->session = pick_sess(f);
	w->mechanism = pct(90) ? fz_wrap_mechs[rn(3)] : pick_mech();
	w->wrapping_key = pick_obj(pct(90) ? K_AES : -1);
	w->key = pick_obj(pct(70) ? K_AES : -1);
	fz_wrap_param(w->mechanism, &w->param, &w->param_len);
	cap = pct(90) ? 8 + 8 * rn(8) : rint64();
	w->out_len = cap;
	w->out = pct(15) ? 0 : place(S_OUT, cap, 1);
}

static void fill_unwrap_key(struct fz_file *f, union fz_arg *a)
{
	struct khsm_unwrap_key *u = &a->unwrap_key;
	__u64 len = pct(90) ? 16 + 8 * rn(4) : rint64();

	u->session = pick_sess(f);
	u->mechanism = pct(90) ? fz_wrap_mechs[rn(3)] : pick_mech();
	u->unwrapping_key = pick_obj(pct(90) ? K_AES : -1);
	fz_wrap_param(u->mechanism, &u->param, &u->param_len);
	u->in_len = len;
	u->in = len <= 4096 ? val_put(NULL, len) : place(S_IN, len, 0);
	tmpl1.n = 0;
	if (pct(95))
		t_ul(&tmpl1, CKA_CLASS, CKO_SECRET_KEY);
	if (pct(95))
		t_ul(&tmpl1, CKA_KEY_TYPE, pct(60) ? CKK_GENERIC_SECRET :
			     pct(80) ? CKK_AES : CKK_EC);
	if (pct(30))
		t_ul(&tmpl1, CKA_VALUE_LEN, 16 + 8 * rn(3));
	t_bool(&tmpl1, CKA_TOKEN, pct(20));
	if (pct(50))
		t_bool(&tmpl1, CKA_EXTRACTABLE, pct(50));
	t_mutate(&tmpl1);
	u->tmpl = t_place(&tmpl1, S_TMPL, &u->count);
}

static void post_unwrap_key(struct fz_file *f, union fz_arg *a, int err)
{
	(void)f;
	if (!err)
		obj_add(a->unwrap_key.handle, K_OTHER);
}

/* OP_INIT plans: an operation, a mechanism, a key that fits, a parameter. */
static void fill_op_init(struct fz_file *f, union fz_arg *a)
{
	struct khsm_op_init *oi = &a->op_init;
	uint8_t param[512];
	__u32 plen = 0;
	int key = -1, rsa_pick = pct(4);

	oi->session = pick_sess(f);
	switch (rn(rsa_pick ? 3 : 6) + (rsa_pick ? 6 : 0)) {
	case 0: {
		static const __u32 d[] = { CKM_SHA_1, CKM_SHA224, CKM_SHA256,
					   CKM_SHA384, CKM_SHA512 };
		oi->op = KHSM_OP_DIGEST;
		oi->mechanism = d[rn(ARRAY_SIZE(d))];
		break;
	}
	case 1:
	case 2: {
		static const __u32 m[] = { CKM_AES_ECB, CKM_AES_CBC,
					   CKM_AES_CBC_PAD, CKM_AES_GCM,
					   CKM_AES_CTR, CKM_AES_KEY_WRAP,
					   CKM_AES_KEY_WRAP_KWP };
		oi->op = pct(50) ? KHSM_OP_ENCRYPT : KHSM_OP_DECRYPT;
		oi->mechanism = m[rn(ARRAY_SIZE(m))];
		key = K_AES;
		if (oi->mechanism == CKM_AES_CBC || oi->mechanism == CKM_AES_CBC_PAD) {
			plen = pct(95) ? 16 : rn(40);
			fill_rand(param, plen);
		} else if (oi->mechanism == CKM_AES_GCM) {
			struct khsm_gcm_params *g = (void *)param;
			static const __u32 tb[] = { 96, 104, 112, 120, 128, 0, 64, 129 };

			g->gcm_iv_len = pct(80) ? 12 : rn(300);
			g->gcm_aad_len = pct(70) ? rn(64) : rn(200);
			g->gcm_tag_bits = tb[rn(pct(90) ? 5 : ARRAY_SIZE(tb))];
			g->reserved = pct(2);
			plen = sizeof(*g) + g->gcm_iv_len + g->gcm_aad_len;
			if (plen > sizeof(param))
				plen = sizeof(param);
			fill_rand(param + sizeof(*g), plen - sizeof(*g));
			if (pct(5))
				plen = rn(plen + 1);
		} else if (oi->mechanism == CKM_AES_CTR) {
			struct khsm_aes_ctr_params *c = (void *)param;

			c->ctr_bits = pct(90) ? 1 + rn(128) : rn(300);
			c->reserved = pct(2);
			fill_rand(c->ctr_block, sizeof(c->ctr_block));
			plen = pct(95) ? sizeof(*c) : rn(40);
		} else if (oi->mechanism != CKM_AES_ECB && pct(50)) {
			/* key wrap: the optional IV, 8 or 4 bytes */
			plen = pct(90) ? (oi->mechanism == CKM_AES_KEY_WRAP ? 8 : 4) :
					 rn(20);
			fill_rand(param, plen);
		}
		break;
	}
	case 3:
	case 4: {
		static const __u32 m[] = { CKM_ECDSA, CKM_ECDSA_SHA1,
			CKM_ECDSA_SHA224, CKM_ECDSA_SHA256, CKM_ECDSA_SHA384,
			CKM_ECDSA_SHA512 };
		oi->op = pct(60) ? KHSM_OP_SIGN : KHSM_OP_VERIFY;
		oi->mechanism = m[rn(ARRAY_SIZE(m))];
		key = oi->op == KHSM_OP_SIGN ? K_ECPRIV : K_ECPUB;
		break;
	}
	case 5: {
		oi->op = pct(60) ? KHSM_OP_SIGN : KHSM_OP_VERIFY;
		oi->mechanism = CKM_EDDSA;
		key = oi->op == KHSM_OP_SIGN ? K_EDPRIV : K_EDPUB;
		if (pct(10)) {
			struct khsm_eddsa_params *e = (void *)param;

			e->ph_flag = rn(3);
			e->context_len = rn(3) ? 0 : rn(40);
			plen = sizeof(*e) + (e->context_len < 64 ? e->context_len : 0);
		}
		break;
	}
	case 6:
	case 7: {
		static const __u32 m[] = { CKM_RSA_PKCS, CKM_SHA256_RSA_PKCS,
			CKM_RSA_PKCS_PSS, CKM_SHA256_RSA_PKCS_PSS,
			CKM_SHA512_RSA_PKCS_PSS, CKM_SHA1_RSA_PKCS };
		oi->op = pct(50) ? KHSM_OP_SIGN : KHSM_OP_VERIFY;
		oi->mechanism = m[rn(ARRAY_SIZE(m))];
		key = oi->op == KHSM_OP_SIGN ? K_RSAPRIV : K_RSAPUB;
		if (oi->mechanism == CKM_RSA_PKCS_PSS ||
		    oi->mechanism == CKM_SHA256_RSA_PKCS_PSS ||
		    oi->mechanism == CKM_SHA512_RSA_PKCS_PSS || pct(5)) {
			struct khsm_rsa_pss_params *p = (void *)param;

			p->hash = pct(90) ? CKM_SHA256 : rint64();
			p->mgf = pct(90) ? CKG_MGF1_SHA256 : rint64();
			p->salt_len = pct(90) ? 32 : rint64();
			p->reserved = pct(2);
			plen = sizeof(*p);
		}
		break;
	}
	default: {
		struct khsm_rsa_oaep_params *p = (void *)param;

		oi->op = pct(50) ? KHSM_OP_ENCRYPT : KHSM_OP_DECRYPT;
		oi->mechanism = CKM_RSA_PKCS_OAEP;
		key = oi->op == KHSM_OP_DECRYPT ? K_RSAPRIV : K_RSAPUB;
		p->hash = pct(90) ? CKM_SHA_1 : CKM_SHA256;
		p->mgf = pct(90) ? CKG_MGF1_SHA1 : CKG_MGF1_SHA256;
		p->source = pct(50) ? 0 : CKZ_DATA_SPECIFIED;
		p->label_len = p->source ? rn(20) : 0;
		p->reserved = pct(2);
		plen = sizeof(*p) + p->label_len;
		fill_rand(param + sizeof(*p), p->label_len);
		break;
	}
	}
	oi->key = key < 0 ? (pct(90) ? 0 : pick_obj(-1)) :
		  pick_obj(pct(90) ? key : -1);
	if (pct(5))
		oi->mechanism = pick_mech();
	if (pct(3))
		oi->op = (__u32)rint64();
	if (pct(4))
		oi->flags = pct(75) ? KHSM_OP_INIT_F_CANCEL : 1U << rn(32);
	if (pct(2)) {
		plen = (__u32)rint64();
		oi->param_len = plen;
		oi->param = place(S_PARAM, plen, 0);
	} else {
		oi->param_len = plen;
		oi->param = plen ? place(S_PARAM, plen, 0) : (pct(95) ? 0 :
							      place(S_PARAM, 0, 0));
		if (plen && in_slot(oi->param, plen, S_PARAM))
			memcpy((void *)(uintptr_t)oi->param, param, plen);
	}
}

static void post_op_init(struct fz_file *f, union fz_arg *a, int err)
{
	if (!err && !(a->op_init.flags & KHSM_OP_INIT_F_CANCEL)) {
		f->op_sess = a->op_init.session;
		f->op_kind = a->op_init.op;
		f->op_mech = a->op_init.mechanism;
	}
}

static void fill_op_data(struct fz_file *f, union fz_arg *a)
{
	struct khsm_op_data *d = &a->op_data;
	static const __u64 lens[] = { 0, 1, 15, 16, 17, 20, 32, 48, 64, 100,
				      255, 1000, 4096 };
	__u64 in_len;

	if (f->op_sess && pct(80)) {
		d->session = f->op_sess;
		d->op = f->op_kind;
	} else {
		d->session = pick_sess(f);
		d->op = 1 + rn(KHSM_OP_MAX);
	}
	if (pct(2))
		d->op = (__u32)rint64();
	d->step = pct(95) ? 1 + rn(3) : (__u32)rint64();
	switch (rn(100)) {
	case 0: in_len = 65536 + 1 + rn(100000); break;	/* streamed */
	case 1: in_len = 65536; break;
	case 2: in_len = rint64(); break;
	default: in_len = lens[rn(ARRAY_SIZE(lens))]; break;
	}
	d->in_len = in_len;
	d->in = place(S_IN, in_len, 0);
	if (d->op == KHSM_OP_VERIFY) {
		if (d->step == KHSM_DATA_UPDATE && pct(95))
			return;
		d->out_len = pct(80) ? (pct(50) ? 64 : 256) : rn(600);
		d->out = place(S_OUT, d->out_len, 0);
		return;
	}
	if (pct(35)) {			/* length query */
		d->out_len = pct(80) ? 0 : rint64();
		return;
	}
	d->out_len = pct(85) ? rn(600) : (pct(50) ? rint64() : 65536 + 128);
	d->out = place(S_OUT, d->out_len, 1);
}

static void post_op_data(struct fz_file *f, union fz_arg *a, int err)
{
	/* ONESHOT/FINAL that did not end in "too small" end the operation. */
	if (a->op_data.session == f->op_sess && a->op_data.step != 1 &&
	    err != ENOSPC && (err || a->op_data.out))
		f->op_sess = 0;
}

static void fill_random(struct fz_file *f, union fz_arg *a)
{
	static const __u64 lens[] = { 0, 1, 16, 32, 100, 4096, 65536, 65537 };

	a->random.session = pick_sess(f);
	a->random.len = pct(95) ? lens[rn(ARRAY_SIZE(lens))] : rint64();
	a->random.buf = place(S_OUT, a->random.len, 1);
}

/*
 * KHSM_IOC_STATE: exports into random buffers, loads of random bytes
 * (refused as malformed: a real header would need no session open).
 */
static void fill_state(struct fz_file *f, union fz_arg *a)
{
	struct khsm_state_io *s = &a->state_io;
	__u64 len = pct(90) ? rn(2048) : rint64();

	(void)f;
	s->what = pct(95) ? 1 + rn(6) : (__u32)rint64();
	if (pct(10))
		s->flags = 1U << rn(32);
	if (s->what == KHSM_STATE_EXPORT_OBJECT)
		s->handle = pick_obj(-1);
	if (s->what == KHSM_STATE_EXPORT_NEXT && pct(50))
		s->oid = rn(64);
	s->len = len;
	if (s->what >= KHSM_STATE_LOAD_HEADER)
		s->buf = len <= 4096 ? val_put(NULL, len) : place(S_IN, len, 0);
	else if (pct(85))
		s->buf = place(S_OUT, len, 1);
}

static void fill_mech_list(struct fz_file *f, union fz_arg *a)
{
	__u32 c;

	(void)f;
	switch (rn(5)) {
	case 0: c = 0; break;
	case 1: c = z.nmechs; break;
	case 2: c = z.nmechs ? z.nmechs - 1 : 0; break;
	case 3: c = 256; break;
	default: c = (__u32)rint64(); break;
	}
	a->mech_list.count = c;
	if (pct(80))
		/* the kernel writes only when all fit, at most 256 */
		a->mech_list.mechs = place(S_OUT, 4ULL * (c < 256 ? c : 256), 1);
}

static void fill_mech_info(struct fz_file *f, union fz_arg *a)
{
	(void)f;
	a->mech_info.mechanism = pick_mech();
	if (pct(2))
		a->mech_info.pad0 = 1;
}

#define FZ_IOC(NAME, stype, VER, w, fill, post) {			\
	#NAME, KHSM_IOC_##NAME, sizeof(struct khsm_##stype),		\
	KHSM_##VER##_SIZE_VER0, w, fill, post, 0, 0 }
/* The same with the fields @first..@last (PINs) kept out of the generic
 * mutation. */
#define FZ_IOC_PIN(NAME, stype, VER, w, fill, post, first, last) {	\
	#NAME, KHSM_IOC_##NAME, sizeof(struct khsm_##stype),		\
	KHSM_##VER##_SIZE_VER0, w, fill, post,				\
	offsetof(struct khsm_##stype, first),				\
	offsetof(struct khsm_##stype, last) +				\
	sizeof(((struct khsm_##stype *)0)->last) -			\
	offsetof(struct khsm_##stype, first) }

/* One row per ioctl of linux/khsm.h, in number order. */
static const struct fz_ioc fz_iocs[] = {
	FZ_IOC(VERSION, version, VERSION, 2, fill_none, NULL),
	FZ_IOC(TOKEN_INFO, token_info, TOKEN_INFO, 2, fill_none, NULL),
	FZ_IOC_PIN(INIT_TOKEN, init_token, INIT_TOKEN, 1, fill_init_token, NULL,
		   so_check, so_new),
	FZ_IOC_PIN(INIT_PIN, set_pin, SET_PIN, 2, fill_init_pin, NULL,
		   old_pin, new_pin),
	FZ_IOC_PIN(SET_PIN, set_pin, SET_PIN, 2, fill_set_pin, NULL,
		   old_pin, new_pin),
	FZ_IOC_PIN(LOGIN, login, LOGIN, 6, fill_login, NULL, pin, pin),
	FZ_IOC(LOGOUT, login, LOGIN, 3, fill_logout, NULL),
	FZ_IOC(OPEN_SESSION, session, SESSION, 6, fill_open, post_open),
	FZ_IOC(CLOSE_SESSION, session, SESSION, 3, fill_sess, post_close),
	FZ_IOC(CLOSE_ALL, session, SESSION, 1, fill_close_all, post_close_all),
	FZ_IOC(SESSION_INFO, session, SESSION, 3, fill_sess, NULL),
	FZ_IOC(CREATE_OBJECT, object, OBJECT, 8, fill_create, post_create),
	FZ_IOC(COPY_OBJECT, object, OBJECT, 4, fill_copy, post_create),
	FZ_IOC(DESTROY_OBJECT, object, OBJECT, 3, fill_obj, post_destroy),
	FZ_IOC(GET_ATTRS, object, OBJECT, 8, fill_get_attrs, NULL),
	FZ_IOC(SET_ATTRS, object, OBJECT, 5, fill_set_attrs, NULL),
	FZ_IOC(FIND_INIT, find, FIND, 5, fill_find_init, NULL),
	FZ_IOC(FIND, find, FIND, 5, fill_find, post_find),
	FZ_IOC(FIND_FINAL, find, FIND, 3, fill_sess_only, NULL),
	FZ_IOC(GENERATE_KEY, keygen, KEYGEN, 4, fill_keygen, post_keygen),
	FZ_IOC(GENERATE_KEY_PAIR, keygen, KEYGEN, 2, fill_keypair, post_keypair),
	FZ_IOC(OP_INIT, op_init, OP_INIT, 14, fill_op_init, post_op_init),
	FZ_IOC(OP_DATA, op_data, OP_DATA, 18, fill_op_data, post_op_data),
	FZ_IOC(GENERATE_RANDOM, random, RANDOM, 3, fill_random, NULL),
	FZ_IOC(MECH_LIST, mech_list, MECH_LIST, 2, fill_mech_list, NULL),
	FZ_IOC(MECH_INFO, mech_info, MECH_INFO, 3, fill_mech_info, NULL),
	FZ_IOC_PIN(ADMIN_INIT_TOKEN, admin_init_token, ADMIN_INIT_TOKEN, 1,
		   fill_admin_init, post_admin_init, so_new, so_new),
	FZ_IOC(DERIVE_KEY, derive, DERIVE, 3, fill_derive, post_derive),
	FZ_IOC(WRAP_KEY, wrap_key, WRAP_KEY, 3, fill_wrap_key, NULL),
	FZ_IOC(UNWRAP_KEY, unwrap_key, UNWRAP_KEY, 3, fill_unwrap_key,
	       post_unwrap_key),
	FZ_IOC(STATE, state_io, STATE_IO, 2, fill_state, NULL),
};

_Static_assert(ARRAY_SIZE(fz_iocs) == KHSM_IOC_NR_MAX + 1,
	       "fz_iocs[] must have one row per KHSM_IOC_* of linux/khsm.h");

/* ---- checks of one answer ------------------------------------------------ */
/* errno for a PKCS#11 decision, per the header's table. */
static int ckr_errno(unsigned long rv)
{
	switch (rv) {
	case CKR_OK:
		return 0;
	case CKR_USER_NOT_LOGGED_IN: case CKR_USER_ALREADY_LOGGED_IN:
	case CKR_USER_ANOTHER_ALREADY_LOGGED_IN: case CKR_USER_PIN_NOT_INITIALIZED:
	case CKR_USER_TYPE_INVALID: case CKR_USER_TOO_MANY_TYPES:
	case CKR_PIN_INCORRECT: case CKR_PIN_LOCKED:
		return EACCES;
	case CKR_ATTRIBUTE_SENSITIVE: case CKR_KEY_FUNCTION_NOT_PERMITTED:
	case CKR_ACTION_PROHIBITED: case CKR_ATTRIBUTE_READ_ONLY:
	case CKR_SESSION_READ_ONLY: case CKR_SESSION_READ_ONLY_EXISTS:
	case CKR_TOKEN_WRITE_PROTECTED: case CKR_KEY_UNEXTRACTABLE:
	case CKR_KEY_NOT_WRAPPABLE:
		return EPERM;
	case CKR_SESSION_HANDLE_INVALID: case CKR_OBJECT_HANDLE_INVALID:
	case CKR_KEY_HANDLE_INVALID:
		return ENOENT;
	case CKR_BUFFER_TOO_SMALL:
		return ENOSPC;
	case CKR_OPERATION_ACTIVE: case CKR_SESSION_EXISTS: case CKR_SESSION_COUNT:
		return EBUSY;
	case CKR_OPERATION_NOT_INITIALIZED:
		return ENOMSG;
	case CKR_SIGNATURE_INVALID: case CKR_ENCRYPTED_DATA_INVALID:
	case CKR_ENCRYPTED_DATA_LEN_RANGE: case CKR_WRAPPED_KEY_INVALID:
	case CKR_WRAPPED_KEY_LEN_RANGE:
		return EBADMSG;
	case CKR_MECHANISM_INVALID: case CKR_KEY_TYPE_INCONSISTENT:
	case CKR_CURVE_NOT_SUPPORTED:
		return EOPNOTSUPP;
	case CKR_HOST_MEMORY: case CKR_DEVICE_MEMORY:
		return ENOMEM;
	case CKR_DEVICE_ERROR: case CKR_GENERAL_ERROR: case CKR_FUNCTION_FAILED:
		return EIO;
	}
	return EINVAL;
}

/* Failures before any PKCS#11 decision: @rv stays 0. */
static int pre_decision(int err)
{
	return err == EFAULT || err == E2BIG || err == ENOTTY || err == EINTR;
}

static int allowed_errno(int err)
{
	switch (err) {
	case 0: case EFAULT: case EINVAL: case E2BIG: case ENOTTY: case ENOMEM:
	case EINTR: case EACCES: case EPERM: case ENOENT: case ENOSPC:
	case EBUSY: case ENOMSG: case EBADMSG: case EOPNOTSUPP: case EIO:
		return 1;
	}
	return 0;
}

static void violation(const char *ioc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void violation(const char *ioc, const char *fmt, ...)
{
	va_list ap;

	z.violations++;
	if (z.violations > MAX_REPORTS)
		return;
	printf("# VIOLATION %s call %lu %s: ", z.who, z.calls, ioc);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static int is_kernel_ptr(uint64_t v)
{
	return v >= 0xffff800000000000ULL && v < 0xfffffffffffff000ULL;
}

/*
 * Issue one ioctl: @a holds the typed struct (size = sizeof). The header
 * is mutated here (size around the versions, rv), the struct is placed
 * (flush at the guard page, or a bad pointer), the answer checked.
 * Returns the errno (0 on success); @a gets the struct as written back.
 */
static int issue(struct fz_file *f, unsigned int idx, union fz_arg *a, int mutate)
{
	const struct fz_ioc *d = &fz_iocs[idx];
	unsigned long cmd = d->cmd;
	__u32 usz = d->size;
	size_t len, i;
	int err, rv_set = 0, struct_ok = 1, e2big = 0;
	uint8_t *p, before[4096 + 64];
	uint64_t up;
	struct fz_stat *st = &z.st[idx];

	a->hdr.size = d->size;
	if (mutate && pct(8)) {	/* generic mutation of one field */
		size_t off = 8 + rn(d->size - 8 - d->keep_len);

		if (d->keep_len && off >= d->keep_off)
			off += d->keep_len;

		if (pct(50)) {
			a->raw[off] = rnd();
		} else {
			uint32_t v = rint64();

			off &= ~(size_t)3;
			if (off + 4 <= d->size && (off + 4 <= d->keep_off ||
						   off >= d->keep_off + d->keep_len))
				memcpy(&a->raw[off], &v, 4);
		}
		call_valid = 0;	/* a mutated length or pointer may be bad */
	}
	if (mutate && pct(6)) {	/* size */
		switch (rn(7)) {
		case 0: usz = rn(d->ver0); break;
		case 1: usz = d->ver0; break;
		case 2: usz = d->size + 8 * (1 + rn(8)); break;	/* zero tail */
		case 3: usz = d->size + 1 + rn(64); e2big = 1; break;
		case 4: usz = 4096; break;
		case 5: usz = 4097 + rn(100000); break;
		default: usz = (__u32)rint64(); break;
		}
	}
	if (mutate && pct(1))
		rv_set = a->hdr.rv = 1 + rn(0x200);
	a->hdr.size = usz;
	/* bytes the kernel may read: the size field, then usz if accepted */
	len = usz >= d->ver0 && usz <= 4096 ? usz : d->size;
	if (len < d->size)
		len = len < 8 ? 8 : len;
	/* flush at the guard page, sometimes unaligned */
	p = slot_end(S_ARG) - len - (mutate && pct(3) ? 1 + rn(15) : 0);
	memcpy(p, a->raw, len < d->size ? len : d->size);
	if (len > d->size) {
		memset(p + d->size, 0, len - d->size);
		if (e2big)
			p[d->size + rn(len - d->size)] = 1 + rn(255);
	}
	up = (uintptr_t)p;
	if (mutate && pct(2)) {	/* a bad struct pointer */
		struct_ok = 0;
		switch (rn(4)) {
		case 0: up = 0; break;
		case 1: up = (uintptr_t)(slot_end(S_RO) - len); break;
		case 2: up = (uintptr_t)(p + 1 + rn(len)); break; /* crosses */
		default: up = 0xffffffff81000000ULL; break;
		}
	}
	if (mutate && pct(1)) {	/* not a khsm number */
		switch (rn(4)) {
		case 0: cmd = _IO(KHSM_IOC_MAGIC, KHSM_IOC_NR_MAX + 1 + rn(200)); break;
		case 1: cmd = _IOWR(KHSM_IOC_MAGIC, _IOC_NR(cmd), struct khsm_session); break;
		case 2: cmd = _IO('K', _IOC_NR(cmd)); break;
		default: cmd = cmd | (1UL << (_IOC_SIZESHIFT + rn(14))); break;
		}
	}
	memcpy(before, p, len < sizeof(before) ? len : sizeof(before));

	err = ioctl(f->fd, cmd, (void *)(uintptr_t)up) ? errno : 0;
	z.calls++;
	st->calls++;

	if (cmd != d->cmd) {
		if (err != ENOTTY)
			violation(d->name, "cmd 0x%lx is not a khsm ioctl: errno %d, want ENOTTY",
				  cmd, err);
		return -1;
	}
	if (!allowed_errno(err))
		violation(d->name, "errno %d (%s) is not in the uAPI's table",
			  err, strerror(err));
	if (!err)
		st->ok++;
	else if (err == EINVAL)
		st->einval++;
	else if (err == EFAULT)
		st->efault++;
	else
		st->other++;

	if (!struct_ok)
		return err;
	if (usz < d->ver0 && err != EINVAL)
		violation(d->name, "size %u below VER0 %zu: errno %d, want EINVAL",
			  usz, d->ver0, err);
	if ((usz > 4096 || e2big) && usz >= d->ver0 && err != E2BIG)
		violation(d->name, "size %u%s: errno %d, want E2BIG", usz,
			  e2big ? " with a non-zero tail" : "", err);
	memcpy(a->raw, p, len < d->size ? len : d->size);
	if (len < d->size)
		memset(a->raw + len, 0, d->size - len);
	if (rv_set) {
		if (err != EINVAL && err != E2BIG && err != EFAULT)
			violation(d->name, "rv %u set by the caller: errno %d, want EINVAL",
				  rv_set, err);
		return err;
	}
	if (!err && a->hdr.rv)
		violation(d->name, "success with rv 0x%x", a->hdr.rv);
	if (a->hdr.rv) {
		st->decision++;
		if (err != EFAULT && ckr_errno(a->hdr.rv) != err)
			violation(d->name, "rv 0x%x with errno %d, the header maps it to %d",
				  a->hdr.rv, err, ckr_errno(a->hdr.rv));
	} else if (err == EPERM && (d->cmd == KHSM_IOC_ADMIN_INIT_TOKEN ||
				    (d->cmd == KHSM_IOC_STATE &&
				     a->state_io.what >= KHSM_STATE_EXPORT_NEXT))) {
		/*
		 * An admin call's decision without CAP_SYS_ADMIN (rv 0):
		 * ADMIN_INIT_TOKEN, and STATE's EXPORT_NEXT and loads.
		 */
		st->decision++;
	} else if (err && err != EFAULT && err != EINVAL && !pre_decision(err) &&
		   err != ENOMEM) {
		violation(d->name, "errno %d (%s) without an rv", err, strerror(err));
	} else if (!err) {
		st->decision++;
	}
	if (err == EFAULT && call_valid && struct_ok &&
	    usz >= d->ver0 && usz <= 4096 && !e2big)
		violation(d->name, "EFAULT though every pointer was good (size %u)", usz);
	if (!err || a->hdr.rv) {
		for (i = 8; i + 8 <= (len < d->size ? len : d->size); i += 8) {
			uint64_t v, w;

			memcpy(&v, p + i, 8);
			memcpy(&w, before + i, 8);
			if (v != w && is_kernel_ptr(v))
				violation(d->name, "offset %zu: 0x%llx looks like a kernel address",
					  i, (unsigned long long)v);
		}
	}
	if (!err && a->hdr.size != usz)
		violation(d->name, "size %u written back as %u", usz, a->hdr.size);
	return err;
}

/* ---- epochs: fresh files, baseline keys, recovery logins ---------------- */
static int raw(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

static __u32 raw_open(int fd)
{
	struct khsm_session s;

	T_INIT(s);
	s.flags = CKF_SERIAL_SESSION | CKF_RW_SESSION;
	return raw(fd, KHSM_IOC_OPEN_SESSION, &s) ? 0 : s.session;
}

static int raw_login(int fd, __u32 s, __u32 ut)
{
	struct khsm_login l;

	T_INIT(l);
	l.session = s;
	l.user_type = ut;
	l.pin = z.good_check;
	return raw(fd, KHSM_IOC_LOGIN, &l);
}

static void raw_close(int fd, __u32 s)
{
	struct khsm_session cs;

	T_INIT(cs);
	cs.session = s;
	raw(fd, KHSM_IOC_CLOSE_SESSION, &cs);
}

/*
 * Correct SO and user logins on the spare file reset both failure
 * counters, and the user PIN is set again if an INIT_TOKEN cleared it.
 */
static void heal(void)
{
	struct khsm_set_pin sp;
	struct khsm_login lo;
	__u32 s = raw_open(z.heal_fd);
	int e, i;

	/* session limits (per file, per uid, per token): make room */
	for (i = 0; !s && i < NFILES; i++) {
		struct khsm_session ca;

		T_INIT(ca);
		if (z.f[i].fd >= 0 && !raw(z.f[i].fd, KHSM_IOC_CLOSE_ALL, &ca))
			z.f[i].nsess = 0;
		s = raw_open(z.heal_fd);
	}
	if (!s) {
		printf("# %s: recovery: no session on the spare file\n", z.who);
		z.heal_failed++;
		return;
	}
	T_INIT(lo);
	lo.session = s;
	e = raw_login(z.heal_fd, s, CKU_SO);
	if (e) {
		printf("# %s: recovery SO login failed: %s\n", z.who, strerror(e));
		z.heal_failed++;
	} else {
		T_INIT(sp);
		sp.session = s;
		sp.new_pin = z.good_new;
		raw(z.heal_fd, KHSM_IOC_INIT_PIN, &sp);
		raw(z.heal_fd, KHSM_IOC_LOGOUT, &lo);
	}
	e = raw_login(z.heal_fd, s, CKU_USER);
	if (e) {
		printf("# %s: recovery user login failed: %s\n", z.who, strerror(e));
		z.heal_failed++;
	} else {
		raw(z.heal_fd, KHSM_IOC_LOGOUT, &lo);
	}
	raw_close(z.heal_fd, s);
	z.streak = 0;
}

static __u32 raw_create(int fd, __u32 s, struct tmpl *t)
{
	struct khsm_object o;

	T_INIT(o);
	o.session = s;
	o.count = t->n;
	o.tmpl = (uintptr_t)t->a;
	return raw(fd, KHSM_IOC_CREATE_OBJECT, &o) ? 0 : o.object;
}

static void raw_keypair(int fd, __u32 s, __u32 mech, const uint8_t *oid,
			size_t oid_len, enum okind pub, enum okind priv)
{
	struct khsm_keygen g;

	tmpl1.n = tmpl2.n = 0;
	t_bytes(&tmpl1, CKA_EC_PARAMS, oid, oid_len);
	t_bool(&tmpl1, CKA_TOKEN, 1);
	t_bool(&tmpl1, CKA_VERIFY, 1);
	t_bool(&tmpl2, CKA_TOKEN, 1);
	t_bool(&tmpl2, CKA_SIGN, 1);
	t_bool(&tmpl2, CKA_PRIVATE, 1);
	T_INIT(g);
	g.session = s;
	g.mechanism = mech;
	g.pub_template = (uintptr_t)tmpl1.a;
	g.pub_count = tmpl1.n;
	g.priv_template = (uintptr_t)tmpl2.a;
	g.priv_count = tmpl2.n;
	if (!raw(fd, KHSM_IOC_GENERATE_KEY_PAIR, &g)) {
		obj_add(g.pub_handle, pub);
		obj_add(g.priv_handle, priv);
	}
}

/* Close every file (its sessions and session objects go), destroy the
 * token objects, sometimes re-initialise the token, make baseline keys. */
static void epoch(int init_token)
{
	struct khsm_find fi;
	__u32 h[256], s;
	int i, n;

	for (i = 0; i < NFILES; i++) {
		if (z.f[i].fd >= 0)
			close(z.f[i].fd);
		memset(&z.f[i], 0, sizeof(z.f[i]));
		z.f[i].fd = -1;
	}
	z.nobj = 0;
	val_cur = slot_end(S_VAL);
	if (init_token) {
		struct khsm_init_token it;

		T_INIT(it);
		memset(it.label, ' ', sizeof(it.label));
		memcpy(it.label, "fuzz", 4);
		struct khsm_token_info ti;

		if (!t_token_info(z.heal_fd, &ti) && (ti.flags & CKF_TOKEN_INITIALIZED))
			it.so_check = z.good_check;
		it.so_new = z.good_new;
		if (raw(z.heal_fd, KHSM_IOC_INIT_TOKEN, &it))
			printf("# %s: INIT_TOKEN between epochs: rv 0x%x\n", z.who, it.rv);
	}
	heal();
	s = raw_open(z.heal_fd);
	if (s && !raw_login(z.heal_fd, s, CKU_USER)) {
		/* destroy what the last epoch left (bounded by the quota anyway) */
		for (int round = 0; round < 8; round++) {
			T_INIT(fi);
			fi.session = s;
			if (raw(z.heal_fd, KHSM_IOC_FIND_INIT, &fi))
				break;
			T_INIT(fi);
			fi.session = s;
			fi.count = 256;
			fi.ptr = (uintptr_t)h;
			n = raw(z.heal_fd, KHSM_IOC_FIND, &fi) ? 0 : (int)fi.count;
			T_INIT(fi);
			fi.session = s;
			raw(z.heal_fd, KHSM_IOC_FIND_FINAL, &fi);
			int gone = 0;

			for (i = 0; i < n; i++) {
				struct khsm_object o;

				T_INIT(o);
				o.session = s;
				o.object = h[i];
				gone += !raw(z.heal_fd, KHSM_IOC_DESTROY_OBJECT, &o);
			}
			if (!gone)
				break;
		}
		/* baseline keys, token objects so every file sees them */
		val_cur = slot_end(S_VAL);
		recipe(&tmpl1, 1, 1);
		obj_add(raw_create(z.heal_fd, s, &tmpl1), K_AES);
		recipe(&tmpl1, 0, 1);
		obj_add(raw_create(z.heal_fd, s, &tmpl1), K_DATA);
		raw_keypair(z.heal_fd, s, CKM_EC_KEY_PAIR_GEN, oid_p256,
			    sizeof(oid_p256), K_ECPUB, K_ECPRIV);
		raw_keypair(z.heal_fd, s, CKM_EC_EDWARDS_KEY_PAIR_GEN, oid_ed25519,
			    sizeof(oid_ed25519), K_EDPUB, K_EDPRIV);
		if (rsa.ok) {
			recipe(&tmpl1, 5, 1);
			obj_add(raw_create(z.heal_fd, s, &tmpl1), K_RSAPUB);
			tmpl1.n = 0;
			t_ul(&tmpl1, CKA_CLASS, CKO_PRIVATE_KEY);
			t_ul(&tmpl1, CKA_KEY_TYPE, CKK_RSA);
			t_bool(&tmpl1, CKA_TOKEN, 1);
			t_bool(&tmpl1, CKA_SIGN, 1);
			t_bool(&tmpl1, CKA_DECRYPT, 1);
			for (i = 0; i < 8; i++)
				t_bytes(&tmpl1, rsa_attr[i], rsa.v[i], rsa.len[i]);
			obj_add(raw_create(z.heal_fd, s, &tmpl1), K_RSAPRIV);
		}
	}
	if (s)
		raw_close(z.heal_fd, s);
	for (i = 0; i < NFILES; i++)
		z.f[i].fd = t_open();
}

/* ---- one identity's run -------------------------------------------------- */
static unsigned int pick_ioctl(struct fz_file *f)
{
	static unsigned int total;
	unsigned int r, i;

	if (!total)
		for (i = 0; i < ARRAY_SIZE(fz_iocs); i++)
			total += fz_iocs[i].weight;
	if (!f->nsess && pct(60))
		return _IOC_NR(KHSM_IOC_OPEN_SESSION);
	if (f->nsess && pct(5))
		return _IOC_NR(KHSM_IOC_LOGIN);
	r = rn(total);
	for (i = 0; i < ARRAY_SIZE(fz_iocs); i++) {
		if (r < fz_iocs[i].weight)
			return i;
		r -= fz_iocs[i].weight;
	}
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sign with a fresh P-256 key through a fresh file; OpenSSL verifies. */
static int sanity(const char *who)
{
	int fd = t_open();
	__u32 s, pub, priv, rv;
	uint8_t msg[64], sig[64], point[80];
	__u64 len = sizeof(sig), plen = sizeof(point);
	int ok = 0, e;

	if (fd < 0) {
		printf("# %s sanity: open: %s\n", who, strerror(errno));
		return 0;
	}
	fill_rand(msg, sizeof(msg));
	s = raw_open(fd);
	e = s ? raw_login(fd, s, CKU_USER) : 0;
	if (!s)
		printf("# %s sanity: no session: %s\n", who, strerror(errno));
	else if (e)
		printf("# %s sanity: user login: %s\n", who, strerror(e));
	else if (t_gen_p256(fd, s, 0, &pub, &priv, &rv))
		printf("# %s sanity: keygen rv 0x%x\n", who, rv);
	else if (t_get_attr(fd, s, pub, CKA_EC_POINT, point, &plen, &rv))
		printf("# %s sanity: EC_POINT rv 0x%x\n", who, rv);
	else if (t_op_init(fd, s, KHSM_OP_SIGN, CKM_ECDSA_SHA256, priv, NULL, 0, &rv) ||
		 t_op_data(fd, s, KHSM_OP_SIGN, KHSM_DATA_ONESHOT, msg, sizeof(msg),
			   sig, &len, &rv))
		printf("# %s sanity: sign rv 0x%x\n", who, rv);
	else if (len != 64 || ossl_p256_verify(point, plen, msg, sizeof(msg), sig,
					       len, "SHA256") != 1)
		printf("# %s sanity: OpenSSL rejects the signature\n", who);
	else
		ok = 1;
	close(fd);
	return ok;
}

/*
 * The fuzz loop of one identity, in a child. Writes its verdict as
 * "calls violations heal_failed sanity missing" on @out.
 */
static void run_phase(const char *who, uint64_t seed, unsigned long calls,
		      double deadline, int out)
{
	union fz_arg a;
	unsigned int i, missing = 0;
	unsigned long next_epoch = EPOCH;
	char line[128];
	int ok;

	z.who = who;
	rng = seed;
	pin_setup();
	if (mem_setup()) {
		perror("# mmap");
		_exit(3);
	}
	for (i = 0; i < NFILES; i++)
		z.f[i].fd = -1;
	z.heal_fd = t_open();
	if (z.heal_fd < 0) {
		printf("# %s: open %s: %s\n", who, t_dev_path(), strerror(errno));
		_exit(3);
	}
	/* the mechanisms, for pick_mech() */
	{
		struct khsm_mech_list ml;

		T_INIT(ml);
		ml.count = ARRAY_SIZE(z.mechs);
		ml.mechs = (uintptr_t)z.mechs;
		if (!raw(z.heal_fd, KHSM_IOC_MECH_LIST, &ml))
			z.nmechs = ml.count;
	}
	epoch(1);
	while (z.calls < calls && now() < deadline) {
		struct fz_file *f = &z.f[rn(NFILES)];
		unsigned int idx;
		int err;

		if (z.calls >= next_epoch) {
			epoch(pct(15));
			next_epoch = z.calls + EPOCH;
		}
		if (z.streak >= MAX_STREAK)
			heal();
		if (f->fd < 0)
			continue;
		idx = pick_ioctl(f);
		memset(&a, 0, sizeof(a));
		call_valid = 1;
		val_cur = slot_end(S_VAL);
		fz_iocs[idx].fill(f, &a);
		err = issue(f, idx, &a, 1);
		if (err >= 0 && fz_iocs[idx].post)
			fz_iocs[idx].post(f, &a, err);
		if (pm(2)) {	/* a file closed under its sessions */
			close(f->fd);
			memset(f, 0, sizeof(*f));
			f->fd = t_open();
		}
	}
	printf("# %s: %lu calls, %lu violations\n", who, z.calls, z.violations);
	printf("# %-18s %8s %8s %8s %8s %8s %8s\n", "ioctl", "calls", "ok",
	       "decided", "EINVAL", "EFAULT", "other");
	for (i = 0; i < ARRAY_SIZE(fz_iocs); i++) {
		struct fz_stat *st = &z.st[i];

		printf("# %-18s %8lu %8lu %8lu %8lu %8lu %8lu\n", fz_iocs[i].name,
		       st->calls, st->ok, st->decision, st->einval, st->efault,
		       st->other);
		if (!st->decision) {
			printf("# %s: %s never reached a PKCS#11 decision\n", who,
			       fz_iocs[i].name);
			missing++;
		}
	}
	for (i = 0; i < NFILES; i++)
		if (z.f[i].fd >= 0)
			close(z.f[i].fd);
	/*
	 * The last calls may have left the token without a user PIN (an
	 * ADMIN_INIT_TOKEN or INIT_TOKEN that acted) or with failure
	 * counters up: the recovery logins first, as during the run.
	 */
	memset(z.f, 0, sizeof(z.f));
	for (i = 0; i < NFILES; i++)
		z.f[i].fd = -1;
	heal();
	close(z.heal_fd);
	ok = sanity(who);
	snprintf(line, sizeof(line), "%lu %lu %d %d %u\n", z.calls, z.violations,
		 z.heal_failed, ok, missing);
	if (write(out, line, strlen(line)) < 0)
		_exit(4);
	fflush(stdout);
	_exit(0);
}

static int drop_to(const char *user)
{
	struct passwd *pw = getpwnam(user);

	if (!pw)
		return -1;
	if (initgroups(user, pw->pw_gid) || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid))
		return -1;
	return 0;
}

/* One phase in a child (as @user, or as we are if NULL); TAP points. */
static void phase(const char *who, const char *user, uint64_t seed,
		  unsigned long calls, double deadline)
{
	unsigned long got = 0, viol = 0;
	int p[2], status, heal_failed = 0, ok = 0;
	unsigned int missing = 0;
	char buf[128] = "";
	ssize_t n;
	pid_t pid;
	double t0 = now();

	if (pipe(p)) {
		tap_ok(0, "%s: pipe", who);
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (user && drop_to(user)) {
			printf("# cannot become %s: %s\n", user, strerror(errno));
			_exit(3);
		}
		run_phase(who, seed, calls, deadline, p[1]);
	}
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	close(p[0]);
	waitpid(pid, &status, 0);
	if (sscanf(buf, "%lu %lu %d %d %u", &got, &viol, &heal_failed, &ok,
		   &missing) != 5 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		tap_ok(0, "%s: fuzz child died (status 0x%x)", who, status);
		return;
	}
	tap_diag("%s: %lu calls in %.1f s (%.0f calls/s)", who, got, now() - t0,
		 got / (now() - t0 + 1e-9));
	tap_ok(viol == 0, "%s: %lu calls, %lu contract violations", who, got, viol);
	tap_ok(missing == 0, "%s: every ioctl reached a PKCS#11 decision (%u did not)",
	       who, missing);
	tap_ok(heal_failed == 0, "%s: the fuzzer's recovery logins all worked", who);
	tap_ok(ok, "%s: afterwards a fresh file logs in, signs, OpenSSL verifies", who);
}

/* The RSA-2048 key the epochs import (components big-endian). */
static void make_rsa(void)
{
	static const char *const names[8] = {
		OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
		OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
		OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
		OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
	};
	EVP_PKEY *k = EVP_RSA_gen(2048);
	int i;

	if (!k)
		return;
	rsa.ok = 1;
	for (i = 0; i < 8; i++) {
		BIGNUM *bn = NULL;

		if (!EVP_PKEY_get_bn_param(k, names[i], &bn)) {
			rsa.ok = 0;
			break;
		}
		rsa.len[i] = BN_bn2bin(bn, rsa.v[i]);
		BN_free(bn);
	}
	EVP_PKEY_free(k);
}

/* The table is indexed by ioctl number and names each number once. */
static void check_table(void)
{
	unsigned int i, bad = 0;

	for (i = 0; i < ARRAY_SIZE(fz_iocs); i++)
		if (_IOC_NR(fz_iocs[i].cmd) != i || _IOC_TYPE(fz_iocs[i].cmd) != KHSM_IOC_MAGIC ||
		    fz_iocs[i].size < fz_iocs[i].ver0 || !fz_iocs[i].fill) {
			tap_diag("row %u (%s) is out of place", i, fz_iocs[i].name);
			bad++;
		}
	tap_ok(!bad, "the fuzzer's table has one row per ioctl 0..KHSM_IOC_NR_MAX (%u)",
	       KHSM_IOC_NR_MAX);
}

static unsigned long env_ul(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : def;
}

int main(void)
{
	uint64_t seed = env_ul("KHSM_FUZZ_SEED", 0x6b68736d2d667aULL);
	unsigned long calls = env_ul("KHSM_FUZZ_CALLS", 200000);
	double secs = env_ul("KHSM_FUZZ_SECS", 200), t0 = now();

	setvbuf(stdout, NULL, _IOLBF, 0);
	tap_diag("seed 0x%llx (KHSM_FUZZ_SEED), %lu calls (KHSM_FUZZ_CALLS), at most %.0f s (KHSM_FUZZ_SECS)",
		 (unsigned long long)seed, calls, secs);
	check_table();
	if (geteuid() != 0) {
		tap_skip("needs root (file name ends in _root_test)");
		return tap_done();
	}
	make_rsa();
	if (!rsa.ok)
		tap_diag("no RSA key from OpenSSL: RSA operations get random keys only");
	phase("root", NULL, seed, calls / 2, t0 + secs / 2);
	phase("hsmuser", "hsmuser", seed ^ 0x5555, calls - calls / 2, t0 + secs);
	tap_diag("total %.1f s", now() - t0);
	return tap_done();
}
