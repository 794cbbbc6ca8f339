// SPDX-License-Identifier: GPL-2.0
/*
 * EFAULT means nothing happened (uAPI header, "EFAULT means nothing
 * happened"): every ioctl with its struct in a read-only page, and every
 * one that writes elsewhere with that place in an unmapped (PROT_NONE)
 * page or running into one, fails with EFAULT, and afterwards nothing has
 * changed: object and session counts, the login state, the PIN try
 * counters, the token's objects, the active operation (it still gives the
 * right result), the find cursor (the next FIND returns the same handles),
 * and no byte of a value, handle or output buffer was written. And with a
 * thread that flips the struct's page between read-only and writable while
 * CREATE_OBJECT and OPEN_SESSION run, exactly the calls that succeeded
 * left an object or a session: a late EFAULT was undone.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "kselftest_harness.h"
#include "khsm_util.h"
#include "ossl_check.h"

#define RW (CKF_SERIAL_SESSION | CKF_RW_SESSION)
#define SENTINEL 0xa5
#define EXPECT_OK(err, rv) do {						\
	EXPECT_EQ(0, (int)(err));					\
	EXPECT_EQ(0UL, (unsigned long)(rv));				\
} while (0)

static long page;

/*
 * Two pages: the first read-write, the second PROT_NONE. p_end(m, n) is
 * the last @n bytes of the first page: a buffer of more runs into the
 * guard.
 */
struct guard {
	unsigned char *base;
};

static int guard_get(struct guard *g)
{
	page = sysconf(_SC_PAGESIZE);
	g->base = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->base == MAP_FAILED)
		return -1;
	memset(g->base, SENTINEL, page);
	return mprotect(g->base + page, page, PROT_NONE);
}

static unsigned char *g_end(struct guard *g, size_t n)
{
	return g->base + page - n;
}

static unsigned char *g_hole(struct guard *g)
{
	return g->base + page;
}

/* Whether @n bytes at @p are all SENTINEL (nothing was written). */
static int untouched(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != SENTINEL)
			return 0;
	return 1;
}

/* A read-only copy of @n bytes of @s (one page; munmap'd by ro_free). */
static void *ro(const void *s, size_t n)
{
	void *p = mmap(NULL, page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memcpy(p, s, n);
	if (mprotect(p, page, PROT_READ)) {
		munmap(p, page);
		return NULL;
	}
	return p;
}

/* ioctl on a read-only copy of the struct: the errno. */
static int ro_ioctl(int fd, unsigned long cmd, const void *s, size_t n)
{
	void *p = ro(s, n);
	int err;

	if (!p)
		return -1;
	err = t_ioctl(fd, cmd, p);
	munmap(p, page);
	return err;
}

static struct khsm_token_info info(int fd)
{
	struct khsm_token_info ti;

	t_token_info(fd, &ti);
	return ti;
}

/*
 * The object and file counts as a logged-in observer sees them (a file
 * that is not logged in reads 0 there): t_counts(). Its own login does not
 * touch the counters of wrong PINs this test checks (another file, and it
 * logs in with the right PIN only after the flags were read).
 */
static struct khsm_token_info counts(void)
{
	struct khsm_token_info ti;

	memset(&ti, 0xff, sizeof(ti));
	t_counts(&ti);
	return ti;
}

static __u32 state(int fd, __u32 s)
{
	struct khsm_session si;

	T_INIT(si);
	si.session = s;
	if (t_ioctl(fd, KHSM_IOC_SESSION_INFO, &si))
		return ~0U;
	return si.state;
}

FIXTURE(ef) {
	int fd;
	__u32 s;	/* RW, user logged in */
	struct guard g;
};

FIXTURE_SETUP(ef)
{
	self->fd = t_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", t_dev_path(), strerror(errno));
	ASSERT_EQ(0, t_reset_token(self->fd));
	self->s = t_user_session(self->fd);
	ASSERT_NE(0U, self->s);
	ASSERT_EQ(0, guard_get(&self->g));
}

FIXTURE_TEARDOWN(ef)
{
	munmap(self->g.base, 2 * page);
	close(self->fd);
}

TEST_F(ef, read_only_queries)
{
	struct khsm_version v;
	struct khsm_token_info ti;
	struct khsm_mech_info mi;
	struct khsm_mech_list ml;
	struct khsm_random r;
	struct khsm_session si;
	__u32 mechs[256];

	T_INIT(v);
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_VERSION, &v, sizeof(v)));
	T_INIT(ti);
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_TOKEN_INFO, &ti,
				   sizeof(ti)));
	T_INIT(mi);
	mi.mechanism = CKM_SHA256;
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_MECH_INFO, &mi,
				   sizeof(mi)));
	T_INIT(ml);
	ml.count = 256;
	ml.mechs = (uintptr_t)mechs;
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_MECH_LIST, &ml,
				   sizeof(ml)));
	ml.mechs = (uintptr_t)g_hole(&self->g);
	EXPECT_EQ(EFAULT, t_ioctl(self->fd, KHSM_IOC_MECH_LIST, &ml));
	EXPECT_EQ(0U, ml.rv);
	T_INIT(si);
	si.session = self->s;
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_SESSION_INFO, &si,
				   sizeof(si)));
	T_INIT(r);
	r.session = self->s;
	r.len = 32;
	r.buf = (uintptr_t)mechs;
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_GENERATE_RANDOM, &r,
				   sizeof(r)));
	r.buf = (uintptr_t)g_end(&self->g, 16);
	EXPECT_EQ(EFAULT, t_ioctl(self->fd, KHSM_IOC_GENERATE_RANDOM, &r));
	EXPECT_EQ(0U, r.rv);
	EXPECT_TRUE(untouched(g_end(&self->g, 16), 16));
	ml.mechs = (uintptr_t)g_end(&self->g, 16);
	EXPECT_EQ(EFAULT, t_ioctl(self->fd, KHSM_IOC_MECH_LIST, &ml));
	EXPECT_TRUE(untouched(g_end(&self->g, 16), 16));
	/* everything still answers */
	EXPECT_EQ(0, t_ioctl(self->fd, KHSM_IOC_VERSION, &v));
	EXPECT_EQ(0, t_ioctl(self->fd, KHSM_IOC_SESSION_INFO, &si));
}

TEST_F(ef, login_and_logout)
{
	struct khsm_login l;
	struct khsm_token_info ti;
	__u32 rv;

	ASSERT_OK(t_logout(self->fd, self->s, &rv), rv);
	ASSERT_EQ((__u32)CKS_RW_PUBLIC_SESSION, state(self->fd, self->s));
	/* the right PIN: not logged in afterwards */
	T_INIT(l);
	l.session = self->s;
	l.user_type = CKU_USER;
	t_user_check(self->fd, &l.pin, T_USER_PIN);
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_LOGIN, &l, sizeof(l)));
	EXPECT_EQ((__u32)CKS_RW_PUBLIC_SESSION, state(self->fd, self->s));
	EXPECT_EQ(0U, counts().logged_in_files);
	/* a wrong PIN: not counted */
	t_user_check(self->fd, &l.pin, "not-the-pin");
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_LOGIN, &l, sizeof(l)));
	ti = info(self->fd);
	EXPECT_EQ(0ULL, ti.flags & (CKF_USER_PIN_COUNT_LOW |
				    CKF_USER_PIN_FINAL_TRY |
				    CKF_USER_PIN_LOCKED));
	/* the same struct, writable: a real failure is counted */
	EXPECT_EQ(EACCES, t_ioctl(self->fd, KHSM_IOC_LOGIN, &l));
	EXPECT_EQ((__u32)CKR_PIN_INCORRECT, l.rv);
	EXPECT_NE(0ULL, info(self->fd).flags & CKF_USER_PIN_COUNT_LOW);
	ASSERT_OK(t_login(self->fd, self->s, CKU_USER, T_USER_PIN, &rv), rv);
	/* LOGOUT: still logged in */
	T_INIT(l);
	l.session = self->s;
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_LOGOUT, &l, sizeof(l)));
	EXPECT_EQ((__u32)CKS_RW_USER_FUNCTIONS, state(self->fd, self->s));
	EXPECT_EQ(1U, counts().logged_in_files);
}

TEST_F(ef, pins)
{
	struct khsm_set_pin sp;
	__u32 rv;

	/* SET_PIN with the right old PIN: the PIN stays */
	T_INIT(sp);
	sp.session = self->s;
	t_user_check(self->fd, &sp.old_pin, T_USER_PIN);
	t_pin_new(&sp.new_pin, "another-pin-2468");
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_SET_PIN, &sp, sizeof(sp)));
	/* with a wrong one: not counted */
	t_user_check(self->fd, &sp.old_pin, "not-the-pin");
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_SET_PIN, &sp, sizeof(sp)));
	EXPECT_EQ(0ULL, info(self->fd).flags & CKF_USER_PIN_COUNT_LOW);
	ASSERT_OK(t_logout(self->fd, self->s, &rv), rv);
	ASSERT_OK(t_login(self->fd, self->s, CKU_USER, T_USER_PIN, &rv), rv);
	ASSERT_OK(t_logout(self->fd, self->s, &rv), rv);
	/* INIT_PIN by the SO: the user PIN stays */
	ASSERT_OK(t_login(self->fd, self->s, CKU_SO, T_SO_PIN, &rv), rv);
	T_INIT(sp);
	sp.session = self->s;
	t_pin_new(&sp.new_pin, "another-pin-2468");
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_INIT_PIN, &sp, sizeof(sp)));
	ASSERT_OK(t_logout(self->fd, self->s, &rv), rv);
	EXPECT_OK(t_login(self->fd, self->s, CKU_USER, T_USER_PIN, &rv), rv);
}

TEST_F(ef, init_token)
{
	struct khsm_init_token it;
	struct khsm_session ss;
	struct khsm_token_info ti;
	struct t_tmpl t;
	__u32 o, rv;

	t_tmpl_data(&t, "a token object", 1, 0);
	ASSERT_OK(t_create(self->fd, self->s, &t, &o, &rv), rv);
	T_INIT(ss);
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_CLOSE_ALL, &ss));
	ti = info(self->fd);
	ASSERT_EQ(1U, counts().token_objects);
	T_INIT(it);
	memset(it.label, ' ', sizeof(it.label));
	memcpy(it.label, "another label", 13);
	t_so_check(self->fd, &it.so_check, T_SO_PIN);
	t_pin_new(&it.so_new, T_SO_PIN);
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_INIT_TOKEN, &it,
				   sizeof(it)));
	EXPECT_EQ(1U, counts().token_objects);
	EXPECT_EQ(0, memcmp(info(self->fd).label, ti.label, sizeof(ti.label)));
	EXPECT_NE(0ULL, info(self->fd).flags & CKF_USER_PIN_INITIALIZED);
	/* a wrong SO PIN: not counted */
	t_so_check(self->fd, &it.so_check, "not-the-so-pin");
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_INIT_TOKEN, &it,
				   sizeof(it)));
	EXPECT_EQ(0ULL, info(self->fd).flags & CKF_SO_PIN_COUNT_LOW);
	EXPECT_EQ(1U, counts().token_objects);
}

TEST_F(ef, sessions)
{
	struct khsm_session ss;
	__u32 n = info(self->fd).sessions;

	T_INIT(ss);
	ss.flags = RW;
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_OPEN_SESSION, &ss,
				   sizeof(ss)));
	EXPECT_EQ(n, info(self->fd).sessions);
	T_INIT(ss);
	ss.session = self->s;
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_CLOSE_SESSION, &ss,
				   sizeof(ss)));
	EXPECT_EQ((__u32)CKS_RW_USER_FUNCTIONS, state(self->fd, self->s));
	T_INIT(ss);
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_CLOSE_ALL, &ss,
				   sizeof(ss)));
	EXPECT_EQ(n, info(self->fd).sessions);
	EXPECT_EQ((__u32)CKS_RW_USER_FUNCTIONS, state(self->fd, self->s));
}

static const __u8 key16[16] = "0123456789abcdef";

TEST_F(ef, objects)
{
	struct khsm_object ob;
	struct khsm_keygen kg;
	struct t_tmpl t, pt, kt;
	__u32 o, rv, n = counts().session_objects;
	char label[16];
	__u64 len;

	t_tmpl_data(&t, "value", 0, 0);
	t_add_bytes(&t, CKA_LABEL, "before", 6);
	T_INIT(ob);
	ob.session = self->s;
	ob.count = t.n;
	ob.tmpl = (uintptr_t)t.a;
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_CREATE_OBJECT, &ob,
				   sizeof(ob)));
	EXPECT_EQ(n, counts().session_objects);
	ASSERT_OK(t_create(self->fd, self->s, &t, &o, &rv), rv);
	n++;
	/* COPY */
	T_INIT(ob);
	ob.session = self->s;
	ob.object = o;
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_COPY_OBJECT, &ob,
				   sizeof(ob)));
	EXPECT_EQ(n, counts().session_objects);
	/* SET_ATTRS */
	t_tmpl_init(&t);
	t_add_bytes(&t, CKA_LABEL, "after!", 6);
	ob.count = t.n;
	ob.tmpl = (uintptr_t)t.a;
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_SET_ATTRS, &ob,
				   sizeof(ob)));
	len = sizeof(label);
	ASSERT_OK(t_get_attr(self->fd, self->s, o, CKA_LABEL, label, &len, &rv),
		  rv);
	EXPECT_EQ(0, memcmp(label, "before", 6));
	/* DESTROY */
	T_INIT(ob);
	ob.session = self->s;
	ob.object = o;
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_DESTROY_OBJECT, &ob,
				   sizeof(ob)));
	EXPECT_EQ(n, counts().session_objects);
	len = sizeof(label);
	EXPECT_OK(t_get_attr(self->fd, self->s, o, CKA_LABEL, label, &len, &rv),
		  rv);
	/* GENERATE_KEY */
	t_tmpl_init(&t);
	t_add_ulong(&t, CKA_VALUE_LEN, 16);
	t_add_bool(&t, CKA_ENCRYPT, 1);
	T_INIT(kg);
	kg.session = self->s;
	kg.mechanism = CKM_AES_KEY_GEN;
	kg.pub_template = (uintptr_t)t.a;
	kg.pub_count = t.n;
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_GENERATE_KEY, &kg,
				   sizeof(kg)));
	EXPECT_EQ(n, counts().session_objects);
	/* GENERATE_KEY_PAIR */
	t_tmpl_init(&pt);
	t_add_bool(&pt, CKA_VERIFY, 1);
	t_add_bytes(&pt, CKA_EC_PARAMS, t_p256_oid, sizeof(t_p256_oid));
	t_tmpl_init(&kt);
	t_add_bool(&kt, CKA_SIGN, 1);
	t_add_bool(&kt, CKA_DERIVE, 1);
	T_INIT(kg);
	kg.session = self->s;
	kg.mechanism = CKM_EC_KEY_PAIR_GEN;
	kg.pub_template = (uintptr_t)pt.a;
	kg.pub_count = pt.n;
	kg.priv_template = (uintptr_t)kt.a;
	kg.priv_count = kt.n;
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_GENERATE_KEY_PAIR, &kg,
				   sizeof(kg)));
	EXPECT_EQ(n, counts().session_objects);
	/* and the same calls, writable, work */
	EXPECT_EQ(0, t_ioctl(self->fd, KHSM_IOC_GENERATE_KEY_PAIR, &kg));
	EXPECT_EQ(n + 2, counts().session_objects);
	/* DERIVE_KEY: ECDH of the new private key with its own public key */
	{
		struct {
			struct khsm_ecdh1_derive_params p;
			__u8 pt[80];
		} prm;
		struct khsm_derive d;
		__u64 plen = sizeof(prm.pt);

		ASSERT_OK(t_get_attr(self->fd, self->s, kg.pub_handle,
				     CKA_EC_POINT, prm.pt, &plen, &rv), rv);
		memset(&prm.p, 0, sizeof(prm.p));
		prm.p.kdf = CKD_NULL;
		prm.p.public_len = plen;
		t_tmpl_init(&t);
		t_add_ulong(&t, CKA_KEY_TYPE, CKK_GENERIC_SECRET);
		T_INIT(d);
		d.session = self->s;
		d.mechanism = CKM_ECDH1_DERIVE;
		d.param = (uintptr_t)&prm;
		d.param_len = sizeof(prm.p) + plen;
		d.base_key = kg.priv_handle;
		d.tmpl = (uintptr_t)t.a;
		d.count = t.n;
		EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_DERIVE_KEY, &d,
					   sizeof(d)));
		EXPECT_EQ(n + 2, counts().session_objects);
		EXPECT_EQ(0, t_ioctl(self->fd, KHSM_IOC_DERIVE_KEY, &d));
		EXPECT_NE(0U, d.handle);
		EXPECT_EQ(n + 3, counts().session_objects);
	}
}

TEST_F(ef, get_attrs)
{
	struct khsm_object ob;
	struct khsm_attr a[2], *ua;
	unsigned char buf0[32];
	struct t_tmpl t;
	__u32 o, rv;

	t_tmpl_data(&t, "the value", 0, 0);
	t_add_bytes(&t, CKA_LABEL, "the label", 9);
	ASSERT_OK(t_create(self->fd, self->s, &t, &o, &rv), rv);
	memset(buf0, SENTINEL, sizeof(buf0));
	memset(a, 0, sizeof(a));
	a[0].type = CKA_LABEL;
	a[0].len = sizeof(buf0);
	a[0].value = (uintptr_t)buf0;
	a[1].type = CKA_VALUE;
	a[1].len = 9;
	a[1].value = (uintptr_t)g_hole(&self->g);
	T_INIT(ob);
	ob.session = self->s;
	ob.object = o;
	ob.count = 2;
	ob.tmpl = (uintptr_t)a;
	/* the second value into the unmapped page: nothing written */
	EXPECT_EQ(EFAULT, t_ioctl(self->fd, KHSM_IOC_GET_ATTRS, &ob));
	EXPECT_EQ(0U, ob.rv);
	EXPECT_TRUE(untouched(buf0, sizeof(buf0)));
	EXPECT_EQ((__u64)sizeof(buf0), a[0].len);
	EXPECT_EQ(9ULL, a[1].len);
	/* running into it: the mapped part not written either */
	a[1].value = (uintptr_t)g_end(&self->g, 4);
	EXPECT_EQ(EFAULT, t_ioctl(self->fd, KHSM_IOC_GET_ATTRS, &ob));
	EXPECT_TRUE(untouched(buf0, sizeof(buf0)));
	EXPECT_TRUE(untouched(g_end(&self->g, 4), 4));
	EXPECT_EQ(9ULL, a[1].len);
	/* the template read-only, buffers fine */
	a[1].value = (uintptr_t)g_end(&self->g, 16);
	a[1].len = 16;
	ua = ro(a, sizeof(a));
	ASSERT_NE(NULL, ua);
	ob.tmpl = (uintptr_t)ua;
	EXPECT_EQ(EFAULT, t_ioctl(self->fd, KHSM_IOC_GET_ATTRS, &ob));
	munmap(ua, page);
	EXPECT_TRUE(untouched(buf0, sizeof(buf0)));
	EXPECT_TRUE(untouched(g_end(&self->g, 16), 16));
	/* the struct read-only */
	ob.tmpl = (uintptr_t)a;
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_GET_ATTRS, &ob,
				   sizeof(ob)));
	EXPECT_TRUE(untouched(buf0, sizeof(buf0)));
	EXPECT_EQ(16ULL, a[1].len);
	/* writable: both values */
	EXPECT_EQ(0, t_ioctl(self->fd, KHSM_IOC_GET_ATTRS, &ob));
	EXPECT_EQ(9ULL, a[0].len);
	EXPECT_EQ(0, memcmp(buf0, "the label", 9));
	EXPECT_EQ(0, memcmp(g_end(&self->g, 16), "the value", 9));
}

static int find_init(int fd, __u32 s)
{
	struct khsm_find fi;
	struct t_tmpl t;

	t_tmpl_init(&t);
	t_add_ulong(&t, CKA_CLASS, CKO_DATA);
	T_INIT(fi);
	fi.session = s;
	fi.count = t.n;
	fi.ptr = (uintptr_t)t.a;
	return t_ioctl(fd, KHSM_IOC_FIND_INIT, &fi);
}

static int find(int fd, __u32 s, void *h, __u32 max, __u32 *got)
{
	struct khsm_find fi;
	int err;

	T_INIT(fi);
	fi.session = s;
	fi.count = max;
	fi.ptr = (uintptr_t)h;
	err = t_ioctl(fd, KHSM_IOC_FIND, &fi);
	*got = fi.count;
	return err;
}

TEST_F(ef, find)
{
	struct khsm_find fi;
	struct t_tmpl t;
	__u32 o[3], h[8], got, rv, i;
	unsigned char *p;

	for (i = 0; i < 3; i++) {
		t_tmpl_data(&t, "found", 0, 0);
		ASSERT_OK(t_create(self->fd, self->s, &t, &o[i], &rv), rv);
	}
	/* FIND_INIT read-only: no search active */
	t_tmpl_init(&t);
	t_add_ulong(&t, CKA_CLASS, CKO_DATA);
	T_INIT(fi);
	fi.session = self->s;
	fi.count = t.n;
	fi.ptr = (uintptr_t)t.a;
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_FIND_INIT, &fi,
				   sizeof(fi)));
	EXPECT_EQ(ENOMSG, find(self->fd, self->s, h, 8, &got));
	ASSERT_EQ(0, find_init(self->fd, self->s));
	/* FIND read-only, into the unmapped page, running into it */
	T_INIT(fi);
	fi.session = self->s;
	fi.count = 8;
	fi.ptr = (uintptr_t)h;
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_FIND, &fi, sizeof(fi)));
	EXPECT_EQ(EFAULT, find(self->fd, self->s, g_hole(&self->g), 8, &got));
	p = g_end(&self->g, 2 * sizeof(__u32));
	EXPECT_EQ(EFAULT, find(self->fd, self->s, p, 3, &got));
	EXPECT_TRUE(untouched(p, 2 * sizeof(__u32)));
	/* FIND_FINAL read-only: still active */
	T_INIT(fi);
	fi.session = self->s;
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_FIND_FINAL, &fi,
				   sizeof(fi)));
	/* the cursor did not move: all three come now */
	ASSERT_EQ(0, find(self->fd, self->s, h, 8, &got));
	ASSERT_EQ(3U, got);
	for (i = 0; i < 3; i++)
		EXPECT_TRUE(h[0] == o[i] || h[1] == o[i] || h[2] == o[i]);
	EXPECT_EQ(0, find(self->fd, self->s, h, 8, &got));
	EXPECT_EQ(0U, got);
	EXPECT_EQ(0, t_ioctl(self->fd, KHSM_IOC_FIND_FINAL, &fi));
}

static void sha256(const void *in, size_t n, unsigned char *md)
{
	unsigned int l;

	EVP_Digest(in, n, md, &l, EVP_sha256(), NULL);
}

/* The active digest still gives SHA-256 of @in. */
static int digest_ok(int fd, __u32 s, const void *in, size_t n)
{
	unsigned char md[32], want[32];
	__u64 len = sizeof(md);
	__u32 rv;

	sha256(in, n, want);
	if (t_op_data(fd, s, KHSM_OP_DIGEST, KHSM_DATA_ONESHOT, in, n, md,
		      &len, &rv) || len != 32)
		return 0;
	return !memcmp(md, want, 32);
}

TEST_F(ef, op_data)
{
	static unsigned char big[200000];
	struct khsm_op_data d;
	struct khsm_op_init oi;
	unsigned char out[64], *p, *gb;
	__u64 len;
	__u32 rv;

	memset(big, 'b', sizeof(big));
	/* OP_INIT read-only: nothing started */
	T_INIT(oi);
	oi.session = self->s;
	oi.op = KHSM_OP_DIGEST;
	oi.mechanism = CKM_SHA256;
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_OP_INIT, &oi, sizeof(oi)));
	len = sizeof(out);
	EXPECT_EQ(ENOMSG, t_op_data(self->fd, self->s, KHSM_OP_DIGEST,
				    KHSM_DATA_ONESHOT, "x", 1, out, &len, &rv));
	/* OP_DATA read-only, output unmapped, running into the guard */
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_DIGEST, CKM_SHA256, 0,
			    NULL, 0, &rv), rv);
	T_INIT(d);
	d.session = self->s;
	d.op = KHSM_OP_DIGEST;
	d.step = KHSM_DATA_ONESHOT;
	d.in = (uintptr_t)"abc";
	d.in_len = 3;
	d.out = (uintptr_t)out;
	d.out_len = sizeof(out);
	EXPECT_EQ(EFAULT, ro_ioctl(self->fd, KHSM_IOC_OP_DATA, &d, sizeof(d)));
	len = 32;
	EXPECT_EQ(EFAULT, t_op_data(self->fd, self->s, KHSM_OP_DIGEST,
				    KHSM_DATA_ONESHOT, "abc", 3,
				    g_hole(&self->g), &len, &rv));
	p = g_end(&self->g, 20);
	len = 32;
	EXPECT_EQ(EFAULT, t_op_data(self->fd, self->s, KHSM_OP_DIGEST,
				    KHSM_DATA_ONESHOT, "abc", 3, p, &len, &rv));
	EXPECT_TRUE(untouched(p, 20));
	/* input unmapped */
	len = 32;
	EXPECT_EQ(EFAULT, t_op_data(self->fd, self->s, KHSM_OP_DIGEST,
				    KHSM_DATA_ONESHOT, g_hole(&self->g), 3, out,
				    &len, &rv));
	/* streamed (above max_data_len): input and output checked first */
	gb = mmap(NULL, 21 * page, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, gb);
	ASSERT_EQ(0, mprotect(gb + 20 * page, page, PROT_NONE));
	len = 32;
	EXPECT_EQ(EFAULT, t_op_data(self->fd, self->s, KHSM_OP_DIGEST,
				    KHSM_DATA_ONESHOT, gb + 20 * page - 70000,
				    70000 + 100, out, &len, &rv));
	munmap(gb, 21 * page);
	len = 32;
	EXPECT_EQ(EFAULT, t_op_data(self->fd, self->s, KHSM_OP_DIGEST,
				    KHSM_DATA_ONESHOT, big, sizeof(big),
				    g_hole(&self->g), &len, &rv));
	/* the digest is still active and right */
	EXPECT_TRUE(digest_ok(self->fd, self->s, "abc", 3));
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_DIGEST, CKM_SHA256, 0,
			    NULL, 0, &rv), rv);
	EXPECT_EQ(EFAULT, t_op_data(self->fd, self->s, KHSM_OP_DIGEST,
				    KHSM_DATA_ONESHOT, big, sizeof(big),
				    g_hole(&self->g), &len, &rv));
	EXPECT_TRUE(digest_ok(self->fd, self->s, big, sizeof(big)));
}

TEST_F(ef, cipher_state_kept)
{
	static const __u8 iv[16] = "iv-iv-iv-iv-iv-!";
	unsigned char pt[48], ct[64], want[64], *p;
	struct t_tmpl t;
	__u32 k, rv;
	__u64 len;

	memset(pt, 'p', sizeof(pt));
	t_tmpl_aes(&t, key16, 16, 0);
	ASSERT_OK(t_create(self->fd, self->s, &t, &k, &rv), rv);
	ASSERT_EQ(48, ossl_cbc(1, key16, 16, iv, 0, pt, 48, want));
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_ENCRYPT, CKM_AES_CBC, k,
			    iv, 16, &rv), rv);
	/* an UPDATE whose output cannot be written does not advance CBC */
	len = 32;
	EXPECT_EQ(EFAULT, t_op_data(self->fd, self->s, KHSM_OP_ENCRYPT,
				    KHSM_DATA_UPDATE, pt, 32, g_hole(&self->g),
				    &len, &rv));
	p = g_end(&self->g, 16);
	len = 32;
	EXPECT_EQ(EFAULT, t_op_data(self->fd, self->s, KHSM_OP_ENCRYPT,
				    KHSM_DATA_UPDATE, pt, 32, p, &len, &rv));
	EXPECT_TRUE(untouched(p, 16));
	len = sizeof(ct);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_ENCRYPT, KHSM_DATA_UPDATE,
			    pt, 32, ct, &len, &rv), rv);
	ASSERT_EQ(32ULL, len);
	len = sizeof(ct) - 32;
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_ENCRYPT, KHSM_DATA_UPDATE,
			    pt + 32, 16, ct + 32, &len, &rv), rv);
	ASSERT_EQ(16ULL, len);
	/* FINAL: 0 bytes; the ciphertext is OpenSSL's */
	len = 0;
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_ENCRYPT, KHSM_DATA_FINAL,
			    NULL, 0, ct + 48, &len, &rv), rv);
	EXPECT_EQ(0ULL, len);
	EXPECT_EQ(0, memcmp(ct, want, 48));
}

TEST_F(ef, signature_kept)
{
	unsigned char hash[32], sig[64], point[80];
	__u64 len, plen = sizeof(point);
	__u32 pub, priv, rv;

	memset(hash, 0x42, sizeof(hash));
	ASSERT_OK(t_gen_p256(self->fd, self->s, 0, &pub, &priv, &rv), rv);
	ASSERT_OK(t_get_attr(self->fd, self->s, pub, CKA_EC_POINT, point, &plen,
			     &rv), rv);
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_SIGN, CKM_ECDSA, priv,
			    NULL, 0, &rv), rv);
	len = 64;
	EXPECT_EQ(EFAULT, t_op_data(self->fd, self->s, KHSM_OP_SIGN,
				    KHSM_DATA_ONESHOT, hash, 32,
				    g_hole(&self->g), &len, &rv));
	len = 64;
	EXPECT_EQ(EFAULT, t_op_data(self->fd, self->s, KHSM_OP_SIGN,
				    KHSM_DATA_ONESHOT, hash, 32,
				    g_end(&self->g, 63), &len, &rv));
	EXPECT_TRUE(untouched(g_end(&self->g, 63), 63));
	/* the signature is not lost: the operation still signs */
	len = sizeof(sig);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_SIGN, KHSM_DATA_ONESHOT,
			    hash, 32, sig, &len, &rv), rv);
	ASSERT_EQ(64ULL, len);
	EXPECT_EQ(1, ossl_p256_verify(point, plen, hash, 32, sig, 64, NULL));
	/* VERIFY: the signature unreadable, the operation stays */
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_VERIFY, CKM_ECDSA, pub,
			    NULL, 0, &rv), rv);
	len = 64;
	EXPECT_EQ(EFAULT, t_op_data(self->fd, self->s, KHSM_OP_VERIFY,
				    KHSM_DATA_ONESHOT, hash, 32,
				    g_hole(&self->g), &len, &rv));
	len = 64;
	EXPECT_OK(t_op_data(self->fd, self->s, KHSM_OP_VERIFY, KHSM_DATA_ONESHOT,
			    hash, 32, sig, &len, &rv), rv);
}

struct flipper {
	void *page;
	atomic_int stop;
};

static void *flip(void *arg)
{
	struct flipper *fl = arg;

	while (!atomic_load(&fl->stop)) {
		mprotect(fl->page, page, PROT_READ);
		sched_yield();
		mprotect(fl->page, page, PROT_READ | PROT_WRITE);
	}
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The struct's page turns read-only at any moment, also between the
 * kernel's check and its write-back: the calls that failed left nothing.
 * The structs are filled once (the kernel writes back only outputs and
 * rv 0), so this thread never writes the page.
 */
TEST_F_TIMEOUT(ef, racing_mprotect, 120)
{
	struct flipper fl = { 0 };
	struct khsm_object *ob;
	struct khsm_session *ss;
	struct t_tmpl t;
	unsigned int ok_create = 0, ok_open = 0, faults = 0, i;
	__u32 objs, sessions, rv;
	pthread_t th;
	double end;
	int err = 0;

	fl.page = mmap(NULL, page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, fl.page);
	t_tmpl_data(&t, "raced", 0, 0);
	ob = fl.page;
	ob->size = sizeof(*ob);
	ob->session = self->s;
	ob->count = t.n;
	ob->tmpl = (uintptr_t)t.a;
	ss = (struct khsm_session *)((char *)fl.page + 256);
	ss->size = sizeof(*ss);
	ss->flags = RW;
	objs = counts().session_objects;
	sessions = info(self->fd).sessions;
	ASSERT_EQ(0, pthread_create(&th, NULL, flip, &fl));
	end = now() + 3;
	for (i = 0; i < 2000 && now() < end; i++) {
		err = t_ioctl(self->fd, KHSM_IOC_CREATE_OBJECT, ob);
		if (!err)
			ok_create++;
		else if (err == EFAULT)
			faults++;
		else
			break;
		err = t_ioctl(self->fd, KHSM_IOC_OPEN_SESSION, ss);
		if (!err) {
			ok_open++;
			/* reading the page is always allowed */
			ASSERT_OK(t_close_session(self->fd, ss->session, &rv),
				  rv);
		} else if (err == EFAULT) {
			faults++;
		} else {
			break;
		}
	}
	atomic_store(&fl.stop, 1);
	pthread_join(th, NULL);
	TH_LOG("%u rounds: %u objects, %u sessions made, %u EFAULT", i,
	       ok_create, ok_open, faults);
	EXPECT_EQ(0, err == EFAULT ? 0 : err);
	EXPECT_EQ(objs + ok_create, counts().session_objects);
	EXPECT_EQ(sessions, info(self->fd).sessions);
	munmap(fl.page, page);
}

TEST_HARNESS_MAIN
