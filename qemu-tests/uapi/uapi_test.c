// SPDX-License-Identifier: GPL-2.0
/*
 * uAPI contract of /dev/hsmN (kmod/uapi/linux/khsm.h) checked with direct
 * ioctls: VERSION fields, struct size/growth rules, unknown flags, reserved
 * fields, bad user pointers, huge lengths and counts, unknown ioctls. For
 * every such failure the errno is exact and rv stays 0.
 */
#include <errno.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "khsm_util.h"

/* The structs have the sizes of their first published versions. */
_Static_assert(sizeof(struct khsm_version) == KHSM_VERSION_SIZE_VER1, "version");
_Static_assert(sizeof(struct khsm_init_token) == KHSM_INIT_TOKEN_SIZE_VER0, "it");
_Static_assert(sizeof(struct khsm_admin_init_token) ==
	       KHSM_ADMIN_INIT_TOKEN_SIZE_VER0, "admin");
_Static_assert(sizeof(struct khsm_set_pin) == KHSM_SET_PIN_SIZE_VER0, "sp");
_Static_assert(sizeof(struct khsm_login) == KHSM_LOGIN_SIZE_VER0, "login");
_Static_assert(sizeof(struct khsm_session) == KHSM_SESSION_SIZE_VER0, "session");
_Static_assert(sizeof(struct khsm_object) == KHSM_OBJECT_SIZE_VER0, "object");
_Static_assert(sizeof(struct khsm_find) == KHSM_FIND_SIZE_VER0, "find");
_Static_assert(sizeof(struct khsm_keygen) == KHSM_KEYGEN_SIZE_VER0, "keygen");
_Static_assert(sizeof(struct khsm_derive) == KHSM_DERIVE_SIZE_VER0, "derive");
_Static_assert(sizeof(struct khsm_wrap_key) == KHSM_WRAP_KEY_SIZE_VER0, "wrap");
_Static_assert(sizeof(struct khsm_unwrap_key) == KHSM_UNWRAP_KEY_SIZE_VER0,
	       "unwrap");
_Static_assert(sizeof(struct khsm_rsa_aes_key_wrap_params) == 8, "rsa_aes");
_Static_assert(sizeof(struct khsm_op_init) == KHSM_OP_INIT_SIZE_VER0, "op_init");
_Static_assert(sizeof(struct khsm_op_data) == KHSM_OP_DATA_SIZE_VER0, "op_data");
_Static_assert(sizeof(struct khsm_random) == KHSM_RANDOM_SIZE_VER0, "random");
_Static_assert(sizeof(struct khsm_mech_list) == KHSM_MECH_LIST_SIZE_VER0, "ml");
_Static_assert(sizeof(struct khsm_mech_info) == KHSM_MECH_INFO_SIZE_VER0, "mi");
_Static_assert(sizeof(struct khsm_attr) == 24, "attr");
_Static_assert(sizeof(struct khsm_pin) == 64, "pin");
_Static_assert(sizeof(struct khsm_state_io) == KHSM_STATE_IO_SIZE_VER0, "state");
_Static_assert(sizeof(struct khsm_token_info) == KHSM_TOKEN_INFO_SIZE_VER1,
	       "token_info");

struct ioc {
	const char *name;
	unsigned long cmd;
	size_t size;		/* sizeof */
	size_t ver0;
	size_t reserved;	/* offset of reserved[] */
	long flags;		/* offset of a __u32 flags field, -1 if none */
	long session;		/* offset of __u32 session, -1 if none */
};

#define IOC(n, c, s, v, f, sess) { #n, c, sizeof(struct s), v,		\
	offsetof(struct s, reserved), f, sess }
#define OFF(s, m) ((long)offsetof(struct s, m))

static const struct ioc iocs[] = {
	IOC(VERSION, KHSM_IOC_VERSION, khsm_version, KHSM_VERSION_SIZE_VER0, -1, -1),
	IOC(TOKEN_INFO, KHSM_IOC_TOKEN_INFO, khsm_token_info,
	    KHSM_TOKEN_INFO_SIZE_VER0, -1, -1),
	IOC(INIT_TOKEN, KHSM_IOC_INIT_TOKEN, khsm_init_token,
	    KHSM_INIT_TOKEN_SIZE_VER0, OFF(khsm_init_token, flags), -1),
	IOC(INIT_PIN, KHSM_IOC_INIT_PIN, khsm_set_pin, KHSM_SET_PIN_SIZE_VER0,
	    OFF(khsm_set_pin, flags), OFF(khsm_set_pin, session)),
	IOC(SET_PIN, KHSM_IOC_SET_PIN, khsm_set_pin, KHSM_SET_PIN_SIZE_VER0,
	    OFF(khsm_set_pin, flags), OFF(khsm_set_pin, session)),
	IOC(LOGIN, KHSM_IOC_LOGIN, khsm_login, KHSM_LOGIN_SIZE_VER0, -1,
	    OFF(khsm_login, session)),
	IOC(LOGOUT, KHSM_IOC_LOGOUT, khsm_login, KHSM_LOGIN_SIZE_VER0, -1,
	    OFF(khsm_login, session)),
	IOC(OPEN_SESSION, KHSM_IOC_OPEN_SESSION, khsm_session,
	    KHSM_SESSION_SIZE_VER0, OFF(khsm_session, flags), -1),
	IOC(CLOSE_SESSION, KHSM_IOC_CLOSE_SESSION, khsm_session,
	    KHSM_SESSION_SIZE_VER0, -1, OFF(khsm_session, session)),
	IOC(CLOSE_ALL, KHSM_IOC_CLOSE_ALL, khsm_session, KHSM_SESSION_SIZE_VER0,
	    -1, -1),
	IOC(SESSION_INFO, KHSM_IOC_SESSION_INFO, khsm_session,
	    KHSM_SESSION_SIZE_VER0, -1, OFF(khsm_session, session)),
	IOC(CREATE_OBJECT, KHSM_IOC_CREATE_OBJECT, khsm_object,
	    KHSM_OBJECT_SIZE_VER0, OFF(khsm_object, flags), OFF(khsm_object, session)),
	IOC(COPY_OBJECT, KHSM_IOC_COPY_OBJECT, khsm_object, KHSM_OBJECT_SIZE_VER0,
	    OFF(khsm_object, flags), OFF(khsm_object, session)),
	IOC(DESTROY_OBJECT, KHSM_IOC_DESTROY_OBJECT, khsm_object,
	    KHSM_OBJECT_SIZE_VER0, OFF(khsm_object, flags), OFF(khsm_object, session)),
	IOC(GET_ATTRS, KHSM_IOC_GET_ATTRS, khsm_object, KHSM_OBJECT_SIZE_VER0,
	    OFF(khsm_object, flags), OFF(khsm_object, session)),
	IOC(SET_ATTRS, KHSM_IOC_SET_ATTRS, khsm_object, KHSM_OBJECT_SIZE_VER0,
	    OFF(khsm_object, flags), OFF(khsm_object, session)),
	IOC(FIND_INIT, KHSM_IOC_FIND_INIT, khsm_find, KHSM_FIND_SIZE_VER0,
	    OFF(khsm_find, flags), OFF(khsm_find, session)),
	IOC(FIND, KHSM_IOC_FIND, khsm_find, KHSM_FIND_SIZE_VER0,
	    OFF(khsm_find, flags), OFF(khsm_find, session)),
	IOC(FIND_FINAL, KHSM_IOC_FIND_FINAL, khsm_find, KHSM_FIND_SIZE_VER0,
	    OFF(khsm_find, flags), OFF(khsm_find, session)),
	IOC(GENERATE_KEY, KHSM_IOC_GENERATE_KEY, khsm_keygen, KHSM_KEYGEN_SIZE_VER0,
	    OFF(khsm_keygen, flags), OFF(khsm_keygen, session)),
	IOC(GENERATE_KEY_PAIR, KHSM_IOC_GENERATE_KEY_PAIR, khsm_keygen,
	    KHSM_KEYGEN_SIZE_VER0, OFF(khsm_keygen, flags), OFF(khsm_keygen, session)),
	IOC(OP_INIT, KHSM_IOC_OP_INIT, khsm_op_init, KHSM_OP_INIT_SIZE_VER0,
	    OFF(khsm_op_init, flags), OFF(khsm_op_init, session)),
	IOC(OP_DATA, KHSM_IOC_OP_DATA, khsm_op_data, KHSM_OP_DATA_SIZE_VER0,
	    OFF(khsm_op_data, flags), OFF(khsm_op_data, session)),
	IOC(GENERATE_RANDOM, KHSM_IOC_GENERATE_RANDOM, khsm_random,
	    KHSM_RANDOM_SIZE_VER0, OFF(khsm_random, flags), OFF(khsm_random, session)),
	IOC(MECH_LIST, KHSM_IOC_MECH_LIST, khsm_mech_list, KHSM_MECH_LIST_SIZE_VER0,
	    OFF(khsm_mech_list, flags), -1),
	IOC(MECH_INFO, KHSM_IOC_MECH_INFO, khsm_mech_info, KHSM_MECH_INFO_SIZE_VER0,
	    -1, -1),
	IOC(ADMIN_INIT_TOKEN, KHSM_IOC_ADMIN_INIT_TOKEN, khsm_admin_init_token,
	    KHSM_ADMIN_INIT_TOKEN_SIZE_VER0, OFF(khsm_admin_init_token, flags), -1),
	IOC(DERIVE_KEY, KHSM_IOC_DERIVE_KEY, khsm_derive, KHSM_DERIVE_SIZE_VER0,
	    OFF(khsm_derive, flags), OFF(khsm_derive, session)),
	IOC(WRAP_KEY, KHSM_IOC_WRAP_KEY, khsm_wrap_key, KHSM_WRAP_KEY_SIZE_VER0,
	    OFF(khsm_wrap_key, flags), OFF(khsm_wrap_key, session)),
	IOC(UNWRAP_KEY, KHSM_IOC_UNWRAP_KEY, khsm_unwrap_key,
	    KHSM_UNWRAP_KEY_SIZE_VER0, OFF(khsm_unwrap_key, flags),
	    OFF(khsm_unwrap_key, session)),
	IOC(STATE, KHSM_IOC_STATE, khsm_state_io, KHSM_STATE_IO_SIZE_VER0,
	    OFF(khsm_state_io, flags), -1),
};
#define N_IOCS (sizeof(iocs) / sizeof(iocs[0]))

/* A page-sized buffer holding one ioctl struct followed by zeroes. */
union ioc_buf {
	struct {
		__u32 size;
		__u32 rv;
	} hdr;
	__u8 raw[4096];
};

static __attribute__((unused)) __u32 rd32(const union ioc_buf *b, long off)
{
	__u32 v;

	memcpy(&v, b->raw + off, 4);
	return v;
}

static void wr32(union ioc_buf *b, long off, __u32 v)
{
	memcpy(b->raw + off, &v, 4);
}

/* An address with nothing mapped (a page we unmapped). */
static void *unmapped_page(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p, 4096);
	return p;
}

FIXTURE(dev) {
	int fd;
	__u32 s;		/* RW session, user logged in */
	struct khsm_version v;
	void *bad;		/* unmapped */
};

FIXTURE_SETUP(dev)
{
	self->fd = t_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", t_dev_path(), strerror(errno));
	ASSERT_EQ(0, t_reset_token(self->fd));
	self->s = t_user_session(self->fd);
	ASSERT_NE(0, self->s);
	T_INIT(self->v);
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_VERSION, &self->v));
	self->bad = unmapped_page();
	ASSERT_NE(NULL, self->bad);
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

TEST_F(dev, version_fields)
{
	struct khsm_version v;
	unsigned int i;

	memset(&v, 0xa5, sizeof(v));
	v.size = sizeof(v);
	v.rv = 0;
	memset(v.reserved, 0, sizeof(v.reserved));
	memset(v.reserved1, 0, sizeof(v.reserved1));
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_VERSION, &v));
	EXPECT_EQ(sizeof(v), v.size);
	EXPECT_EQ(0U, v.rv);
	EXPECT_EQ((__u32)KHSM_ABI_VERSION, v.abi_version);
	EXPECT_EQ(0U, v.token_index);
	EXPECT_EQ(KHSM_FEATURE_ALL, v.features);
	EXPECT_LT(0U, v.max_sessions);
	EXPECT_LT(0U, v.max_objects);
	EXPECT_LE(16U, v.max_template);
	EXPECT_LE(133U, v.max_attr_len);	/* a P-521 point fits */
	EXPECT_LE(4096U, v.max_data_len);
	EXPECT_LT(0U, v.max_find);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0ULL, v.reserved[i]);
	/* Limits users hit: memory-bounded, not small counts. */
	EXPECT_LE(10000U, v.max_sessions);
	EXPECT_LE(100000U, v.max_objects);
	EXPECT_LE(64ULL << 20, v.max_token_bytes);
	EXPECT_LE(16ULL << 20, v.max_stream_len);
	EXPECT_LE(16ULL << 20, v.max_buffered_len);
	/* Shares: defaults of the module parameters (uAPI header). */
	EXPECT_EQ(16384U, v.max_file_sessions);
	EXPECT_EQ(32768U, v.max_uid_sessions);
	EXPECT_EQ(v.max_token_bytes / 4, v.max_uid_bytes);
	EXPECT_GT(v.max_sessions, v.max_uid_sessions);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0ULL, v.reserved1[i]);
	/* A VER0 caller gets the VER0 fields and nothing after them. */
	{
		struct khsm_version v0;

		memset(&v0, 0xa5, sizeof(v0));
		memset(&v0, 0, KHSM_VERSION_SIZE_VER0);
		v0.size = KHSM_VERSION_SIZE_VER0;
		ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_VERSION, &v0));
		EXPECT_EQ(v.max_sessions, v0.max_sessions);
		EXPECT_EQ(0xa5a5a5a5a5a5a5a5ULL, v0.max_token_bytes);
	}
	/* The token's limits agree with TOKEN_INFO. */
	struct khsm_token_info ti;

	ASSERT_EQ(0, t_token_info(self->fd, &ti));
	EXPECT_EQ(v.max_file_sessions, ti.max_sessions);
}

TEST_F(dev, size_below_ver0_einval)
{
	union ioc_buf b;
	unsigned int i;

	for (i = 0; i < N_IOCS; i++) {
		__u32 sizes[] = { 0, 8, (__u32)iocs[i].ver0 - 1 };
		unsigned int j;

		for (j = 0; j < 3; j++) {
			memset(&b, 0, sizeof(b));
			b.hdr.size = sizes[j];
			EXPECT_EQ(EINVAL, t_ioctl(self->fd, iocs[i].cmd, &b))
				TH_LOG("%s size %u", iocs[i].name, sizes[j]);
			EXPECT_EQ(0U, b.hdr.rv) TH_LOG("%s", iocs[i].name);
		}
	}
}

TEST_F(dev, size_above_nonzero_tail_e2big)
{
	union ioc_buf b;
	unsigned int i;

	for (i = 0; i < N_IOCS; i++) {
		memset(&b, 0, sizeof(b));
		b.hdr.size = iocs[i].size + 16;
		b.raw[iocs[i].size + 9] = 1;
		if (iocs[i].session >= 0)
			wr32(&b, iocs[i].session, self->s);
		EXPECT_EQ(E2BIG, t_ioctl(self->fd, iocs[i].cmd, &b))
			TH_LOG("%s", iocs[i].name);
		EXPECT_EQ(0U, b.hdr.rv) TH_LOG("%s", iocs[i].name);
		/* Nothing was written back: the tail is untouched. */
		EXPECT_EQ(1, b.raw[iocs[i].size + 9]);
	}
}

TEST_F(dev, size_above_zero_tail_ok)
{
	union ioc_buf b;
	struct khsm_version *v = (void *)&b;
	struct khsm_token_info *ti = (void *)&b;
	struct khsm_session *s = (void *)&b;
	__u32 rv, h;

	memset(&b, 0, sizeof(b));
	b.hdr.size = sizeof(b);
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_VERSION, &b));
	EXPECT_EQ((__u32)KHSM_ABI_VERSION, v->abi_version);

	memset(&b, 0, sizeof(b));
	b.hdr.size = sizeof(*ti) + 64;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_TOKEN_INFO, &b));
	EXPECT_NE(0ULL, ti->flags & CKF_TOKEN_INITIALIZED);

	memset(&b, 0, sizeof(b));
	b.hdr.size = sizeof(*s) + 8;
	s->flags = CKF_SERIAL_SESSION;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_OPEN_SESSION, &b));
	EXPECT_EQ(0U, s->rv);
	h = s->session;
	EXPECT_NE(0U, h);
	ASSERT_OK(t_close_session(self->fd, h, &rv), rv);
}

TEST_F(dev, unknown_flags_einval)
{
	union ioc_buf b;
	unsigned int i;

	for (i = 0; i < N_IOCS; i++) {
		if (iocs[i].flags < 0)
			continue;
		memset(&b, 0, sizeof(b));
		b.hdr.size = iocs[i].size;
		if (iocs[i].session >= 0)
			wr32(&b, iocs[i].session, self->s);
		wr32(&b, iocs[i].flags,
		     iocs[i].cmd == KHSM_IOC_OPEN_SESSION ?
		     (CKF_SERIAL_SESSION | 0x100) : 0x80000000U);
		EXPECT_EQ(EINVAL, t_ioctl(self->fd, iocs[i].cmd, &b))
			TH_LOG("%s", iocs[i].name);
		EXPECT_EQ(0U, b.hdr.rv) TH_LOG("%s", iocs[i].name);
	}
}

TEST_F(dev, attr_flags_einval)
{
	struct t_tmpl t;
	__u32 rv, obj = 0;

	t_tmpl_data(&t, "x", 0, 0);
	t.a[1].flags = 1;
	ASSERT_CKR(EINVAL, 0, t_create(self->fd, self->s, &t, &obj, &rv), rv);
	EXPECT_EQ(0U, obj);
}

TEST_F(dev, reserved_nonzero_einval)
{
	union ioc_buf b;
	unsigned int i, k;

	for (i = 0; i < N_IOCS; i++) {
		for (k = 0; k < 2; k++) {
			/* INIT_TOKEN has one reserved word. */
			if (iocs[i].reserved + k * 8 >= iocs[i].size)
				continue;
			memset(&b, 0, sizeof(b));
			b.hdr.size = iocs[i].size;
			if (iocs[i].session >= 0)
				wr32(&b, iocs[i].session, self->s);
			b.raw[iocs[i].reserved + k * 8 + 3] = 0x10;
			EXPECT_EQ(EINVAL, t_ioctl(self->fd, iocs[i].cmd, &b))
				TH_LOG("%s reserved[%u]", iocs[i].name, k);
			EXPECT_EQ(0U, b.hdr.rv) TH_LOG("%s", iocs[i].name);
		}
	}
}

TEST_F(dev, pad_nonzero_einval)
{
	struct khsm_session s;
	struct khsm_find f;
	struct khsm_mech_info mi;
	struct khsm_gcm_params gp;
	__u8 param[sizeof(gp) + 12];
	__u8 key[16] = { 0 };
	struct t_tmpl t;
	__u32 rv, k;

	T_INIT(s);
	s.session = self->s;
	s.pad0 = 1;
	EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_SESSION_INFO, &s));
	EXPECT_EQ(0U, s.rv);

	T_INIT(f);
	f.session = self->s;
	f.pad0 = 1;
	EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_FIND_INIT, &f));
	EXPECT_EQ(0U, f.rv);

	T_INIT(mi);
	mi.mechanism = CKM_SHA256;
	mi.pad0 = 1;
	EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_MECH_INFO, &mi));
	EXPECT_EQ(0U, mi.rv);

	/* The GCM parameter's reserved word. */
	t_tmpl_aes(&t, key, sizeof(key), 0);
	ASSERT_OK(t_create(self->fd, self->s, &t, &k, &rv), rv);
	memset(&gp, 0, sizeof(gp));
	gp.gcm_iv_len = 12;
	gp.gcm_tag_bits = 128;
	gp.reserved = 1;
	memset(param, 0, sizeof(param));
	memcpy(param, &gp, sizeof(gp));
	EXPECT_EQ(EINVAL, t_op_init(self->fd, self->s, KHSM_OP_ENCRYPT,
				    CKM_AES_GCM, k, param, sizeof(param), &rv));
	EXPECT_EQ(0U, rv);
}

/*
 * WRAP_KEY / UNWRAP_KEY: pad and parameter reserved words, the wrapped
 * key's length cap, and the length protocol (out 0 answers the exact
 * length; a short buffer is ENOSPC with the length written back).
 */
TEST_F(dev, wrap_ioctls_form)
{
	struct khsm_rsa_aes_key_wrap_params ap;
	struct khsm_rsa_oaep_params op;
	__u8 param[sizeof(ap) + sizeof(op)];
	__u8 key[16] = { 1 }, out[64];
	struct khsm_unwrap_key u;
	struct khsm_wrap_key w;
	struct t_tmpl t;
	__u32 rv, kek, k;

	T_INIT(u);
	u.session = self->s;
	u.mechanism = CKM_AES_KEY_WRAP;
	u.pad0 = 1;
	EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_UNWRAP_KEY, &u));
	EXPECT_EQ(0U, u.rv);
	u.pad0 = 0;
	u.in = (uintptr_t)out;
	u.in_len = KHSM_MAX_WRAPPED_LEN + 1;
	EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_UNWRAP_KEY, &u));
	EXPECT_EQ(0U, u.rv);

	/* CK_RSA_AES_KEY_WRAP_PARAMS: both reserved words, before any key */
	memset(&ap, 0, sizeof(ap));
	memset(&op, 0, sizeof(op));
	ap.aes_key_bits = 256;
	ap.reserved = 1;
	op.hash = CKM_SHA256;
	op.mgf = CKG_MGF1_SHA256;
	memcpy(param, &ap, sizeof(ap));
	memcpy(param + sizeof(ap), &op, sizeof(op));
	T_INIT(w);
	w.session = self->s;
	w.mechanism = CKM_RSA_AES_KEY_WRAP;
	w.param = (uintptr_t)param;
	w.param_len = sizeof(param);
	w.wrapping_key = 1;
	w.key = 2;
	EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_WRAP_KEY, &w));
	EXPECT_EQ(0U, w.rv);
	ap.reserved = 0;
	op.reserved = 1;
	memcpy(param, &ap, sizeof(ap));
	memcpy(param + sizeof(ap), &op, sizeof(op));
	EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_WRAP_KEY, &w));
	EXPECT_EQ(0U, w.rv);

	/* Length protocol: AES-128 under AES-128 with KW is 24 bytes. */
	t_tmpl_init(&t);
	t_add_ulong(&t, CKA_CLASS, CKO_SECRET_KEY);
	t_add_ulong(&t, CKA_KEY_TYPE, CKK_AES);
	t_add_bool(&t, CKA_TOKEN, 0);
	t_add_bool(&t, CKA_WRAP, 1);
	t_add_bool(&t, CKA_UNWRAP, 1);
	t_add_bool(&t, CKA_ENCRYPT, 0);	/* a key-transport key only */
	t_add_bool(&t, CKA_DECRYPT, 0);
	t_add_bytes(&t, CKA_VALUE, key, sizeof(key));
	ASSERT_OK(t_create(self->fd, self->s, &t, &kek, &rv), rv);
	t_tmpl_aes(&t, key, sizeof(key), 0);
	t_add_bool(&t, CKA_EXTRACTABLE, 1);
	ASSERT_OK(t_create(self->fd, self->s, &t, &k, &rv), rv);
	T_INIT(w);
	w.session = self->s;
	w.mechanism = CKM_AES_KEY_WRAP;
	w.wrapping_key = kek;
	w.key = k;
	w.out_len = 3;
	EXPECT_EQ(0, t_ioctl(self->fd, KHSM_IOC_WRAP_KEY, &w));
	EXPECT_EQ(0U, w.rv);
	EXPECT_EQ(24ULL, w.out_len);
	w.out = (uintptr_t)out;
	w.out_len = 23;
	EXPECT_EQ(ENOSPC, t_ioctl(self->fd, KHSM_IOC_WRAP_KEY, &w));
	EXPECT_EQ((__u32)CKR_BUFFER_TOO_SMALL, w.rv);
	EXPECT_EQ(24ULL, w.out_len);
	w.rv = 0;
	w.out_len = sizeof(out);
	EXPECT_EQ(0, t_ioctl(self->fd, KHSM_IOC_WRAP_KEY, &w));
	EXPECT_EQ(0U, w.rv);
	EXPECT_EQ(24ULL, w.out_len);
	/* The output must be writable: EFAULT before anything. */
	w.out = (uintptr_t)self->bad;
	w.out_len = 24;
	EXPECT_EQ(EFAULT, t_ioctl(self->fd, KHSM_IOC_WRAP_KEY, &w));
	EXPECT_EQ(0U, w.rv);
}

TEST_F(dev, check_pin_extra_fields_einval)
{
	struct khsm_login l;

	T_INIT(l);
	l.session = self->s;
	l.user_type = CKU_USER;
	t_user_check(self->fd, &l.pin, T_USER_PIN);
	l.pin.t_cost = 1;	/* check form: must be zero */
	EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_LOGIN, &l));
	EXPECT_EQ(0U, l.rv);
}

TEST_F(dev, bad_new_pin_cost_einval)
{
	struct khsm_set_pin sp;
	struct khsm_pin good;

	t_pin_new(&good, "new-user-pin-1");
	struct {
		__u32 t, m, p;
	} bad[] = { { 0, 64, 1 }, { 65, 64, 1 }, { 1, 7, 1 }, { 1, 64, 0 },
		    { 1, 64, 17 }, { 1, 4194305, 1 }, { 1, 8, 2 } };
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		T_INIT(sp);
		sp.session = self->s;
		t_user_check(self->fd, &sp.old_pin, T_USER_PIN);
		sp.new_pin = good;
		sp.new_pin.t_cost = bad[i].t;
		sp.new_pin.m_cost_kib = bad[i].m;
		sp.new_pin.parallelism = bad[i].p;
		EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_SET_PIN, &sp))
			TH_LOG("t=%u m=%u p=%u", bad[i].t, bad[i].m, bad[i].p);
		EXPECT_EQ(0U, sp.rv);
	}
}

TEST_F(dev, bad_op_and_step_einval)
{
	struct khsm_op_init oi;
	struct khsm_op_data d;
	__u32 ops[] = { 0, KHSM_OP_MAX + 1, 0xffffffffU };
	__u32 steps[] = { 0, 4, 0xffffffffU };
	__u8 out[64];
	unsigned int i;

	for (i = 0; i < 3; i++) {
		T_INIT(oi);
		oi.session = self->s;
		oi.op = ops[i];
		oi.mechanism = CKM_SHA256;
		EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_OP_INIT, &oi))
			TH_LOG("op %u", ops[i]);
		EXPECT_EQ(0U, oi.rv);
	}
	for (i = 0; i < 3; i++) {
		__u32 rv;

		ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_DIGEST, CKM_SHA256,
				    0, NULL, 0, &rv), rv);
		T_INIT(d);
		d.session = self->s;
		d.op = KHSM_OP_DIGEST;
		d.step = steps[i];
		d.out = (uintptr_t)out;
		d.out_len = sizeof(out);
		EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_OP_DATA, &d))
			TH_LOG("step %u", steps[i]);
		EXPECT_EQ(0U, d.rv);
		/* Cancel whatever is left. */
		t_op_cancel(self->fd, self->s, KHSM_OP_DIGEST);
	}
}

TEST_F(dev, null_and_unmapped_arg_efault)
{
	unsigned int i;

	for (i = 0; i < N_IOCS; i++) {
		EXPECT_EQ(EFAULT, t_ioctl(self->fd, iocs[i].cmd, NULL))
			TH_LOG("%s NULL", iocs[i].name);
		EXPECT_EQ(EFAULT, t_ioctl(self->fd, iocs[i].cmd, self->bad))
			TH_LOG("%s unmapped", iocs[i].name);
	}
}

TEST_F(dev, struct_crossing_into_unmapped_efault)
{
	/* size claims more than is mapped: the tail check faults. */
	__u8 *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct khsm_version *v;

	ASSERT_NE(MAP_FAILED, two);
	munmap(two + 4096, 4096);
	v = (void *)(two + 4096 - sizeof(*v));
	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v) + 64;
	EXPECT_EQ(EFAULT, t_ioctl(self->fd, KHSM_IOC_VERSION, v));
	EXPECT_EQ(0U, v->rv);
	munmap(two, 4096);
}

TEST_F(dev, template_pointers_efault)
{
	struct khsm_object o;
	struct t_tmpl t;
	__u32 rv, obj;

	T_INIT(o);
	o.session = self->s;
	o.count = 2;
	o.tmpl = 0;
	EXPECT_EQ(EFAULT, t_ioctl(self->fd, KHSM_IOC_CREATE_OBJECT, &o));
	EXPECT_EQ(0U, o.rv);

	o.tmpl = (uintptr_t)self->bad;
	EXPECT_EQ(EFAULT, t_ioctl(self->fd, KHSM_IOC_CREATE_OBJECT, &o));
	EXPECT_EQ(0U, o.rv);

	/* An attribute value pointer that is unmapped. */
	t_tmpl_data(&t, "hello", 0, 0);
	t.a[3].value = (uintptr_t)self->bad;
	obj = 0;
	EXPECT_EQ(EFAULT, t_create(self->fd, self->s, &t, &obj, &rv));
	EXPECT_EQ(0U, rv);
	EXPECT_EQ(0U, obj);

	/* NULL value with a non-zero length. */
	t_tmpl_data(&t, "hello", 0, 0);
	t.a[3].value = 0;
	EXPECT_EQ(EFAULT, t_create(self->fd, self->s, &t, &obj, &rv));
	EXPECT_EQ(0U, rv);
}

TEST_F(dev, get_attrs_unmapped_value_efault)
{
	struct t_tmpl t;
	__u32 rv, obj;
	__u64 len = 64;

	t_tmpl_data(&t, "hello", 0, 0);
	ASSERT_OK(t_create(self->fd, self->s, &t, &obj, &rv), rv);
	EXPECT_EQ(EFAULT, t_get_attr(self->fd, self->s, obj, CKA_VALUE,
				     self->bad, &len, &rv));
	EXPECT_EQ(0U, rv);

	struct khsm_object o;

	T_INIT(o);
	o.session = self->s;
	o.object = obj;
	o.count = 1;
	o.tmpl = (uintptr_t)self->bad;
	EXPECT_EQ(EFAULT, t_ioctl(self->fd, KHSM_IOC_GET_ATTRS, &o));
	EXPECT_EQ(0U, o.rv);
}

TEST_F(dev, op_pointers_efault)
{
	__u8 out[64];
	__u64 len = sizeof(out);
	__u32 rv;

	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_DIGEST, CKM_SHA256, 0,
			    NULL, 0, &rv), rv);
	EXPECT_EQ(EFAULT, t_op_data(self->fd, self->s, KHSM_OP_DIGEST,
				    KHSM_DATA_UPDATE, self->bad, 16, NULL, NULL, &rv));
	EXPECT_EQ(0U, rv);

	t_op_cancel(self->fd, self->s, KHSM_OP_DIGEST);
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_DIGEST, CKM_SHA256, 0,
			    NULL, 0, &rv), rv);
	len = sizeof(out);
	EXPECT_EQ(EFAULT, t_op_data(self->fd, self->s, KHSM_OP_DIGEST,
				    KHSM_DATA_ONESHOT, "abc", 3, self->bad, &len, &rv));
	EXPECT_EQ(0U, rv);

	/* OP_INIT with an unmapped parameter. */
	__u8 key[16] = { 1 };
	struct t_tmpl t;
	__u32 k;

	t_tmpl_aes(&t, key, sizeof(key), 0);
	ASSERT_OK(t_create(self->fd, self->s, &t, &k, &rv), rv);
	EXPECT_EQ(EFAULT, t_op_init(self->fd, self->s, KHSM_OP_ENCRYPT,
				    CKM_AES_CBC, k, self->bad, 16, &rv));
	EXPECT_EQ(0U, rv);
}

TEST_F(dev, random_and_mech_list_efault)
{
	struct khsm_random r;
	struct khsm_mech_list ml;

	T_INIT(r);
	r.session = self->s;
	r.buf = (uintptr_t)self->bad;
	r.len = 32;
	EXPECT_EQ(EFAULT, t_ioctl(self->fd, KHSM_IOC_GENERATE_RANDOM, &r));
	EXPECT_EQ(0U, r.rv);
	r.buf = 0;
	EXPECT_EQ(EFAULT, t_ioctl(self->fd, KHSM_IOC_GENERATE_RANDOM, &r));
	EXPECT_EQ(0U, r.rv);

	T_INIT(ml);
	ml.count = 256;		/* room for every mechanism: the copy faults */
	ml.mechs = (uintptr_t)self->bad;
	EXPECT_EQ(EFAULT, t_ioctl(self->fd, KHSM_IOC_MECH_LIST, &ml));
	EXPECT_EQ(0U, ml.rv);
}

TEST_F(dev, find_handles_efault)
{
	struct khsm_find f;
	struct t_tmpl t;
	__u32 rv, obj;

	t_tmpl_data(&t, "findme", 0, 0);
	ASSERT_OK(t_create(self->fd, self->s, &t, &obj, &rv), rv);
	T_INIT(f);
	f.session = self->s;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_FIND_INIT, &f));
	T_INIT(f);
	f.session = self->s;
	f.count = 16;
	f.ptr = (uintptr_t)self->bad;
	EXPECT_EQ(EFAULT, t_ioctl(self->fd, KHSM_IOC_FIND, &f));
	EXPECT_EQ(0U, f.rv);
}

TEST_F(dev, huge_counts_einval)
{
	struct khsm_object o;
	struct khsm_find f;
	struct khsm_keygen g;
	struct t_tmpl t;
	__u32 huge[] = { self->v.max_template + 1, 0x10000000U, 0xffffffffU };
	unsigned int i;

	t_tmpl_data(&t, "x", 0, 0);
	for (i = 0; i < 3; i++) {
		T_INIT(o);
		o.session = self->s;
		o.count = huge[i];
		o.tmpl = (uintptr_t)t.a;
		EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_CREATE_OBJECT, &o))
			TH_LOG("count %u", huge[i]);
		EXPECT_EQ(0U, o.rv);

		T_INIT(f);
		f.session = self->s;
		f.count = huge[i];
		f.ptr = (uintptr_t)t.a;
		EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_FIND_INIT, &f))
			TH_LOG("count %u", huge[i]);
		EXPECT_EQ(0U, f.rv);

		T_INIT(g);
		g.session = self->s;
		g.mechanism = CKM_AES_KEY_GEN;
		g.pub_template = (uintptr_t)t.a;
		g.pub_count = huge[i];
		EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_GENERATE_KEY, &g))
			TH_LOG("count %u", huge[i]);
		EXPECT_EQ(0U, g.rv);
	}
}

TEST_F(dev, huge_lengths_einval)
{
	struct t_tmpl t;
	struct khsm_random r;
	__u8 buf[64];
	__u64 huge[] = { (__u64)self->v.max_attr_len + 1, 1ULL << 40, ~0ULL - 1 };
	__u32 rv, obj;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		t_tmpl_data(&t, "x", 0, 0);
		t.a[3].len = huge[i];
		EXPECT_EQ(EINVAL, t_create(self->fd, self->s, &t, &obj, &rv))
			TH_LOG("attr len %llu", (unsigned long long)huge[i]);
		EXPECT_EQ(0U, rv);
	}

	T_INIT(r);
	r.session = self->s;
	r.buf = (uintptr_t)buf;
	r.len = (__u64)self->v.max_data_len + 1;
	EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_GENERATE_RANDOM, &r));
	EXPECT_EQ(0U, r.rv);
	r.len = ~0ULL;
	EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_GENERATE_RANDOM, &r));
	EXPECT_EQ(0U, r.rv);

	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_DIGEST, CKM_SHA256, 0,
			    NULL, 0, &rv), rv);
	/* Above max_data_len input is streamed (UPDATE, ONESHOT), not FINAL. */
	__u8 *big = calloc(1, (size_t)self->v.max_data_len + 1);

	ASSERT_NE(NULL, big);
	EXPECT_EQ(0, t_op_data(self->fd, self->s, KHSM_OP_DIGEST,
			       KHSM_DATA_UPDATE, big,
			       (size_t)self->v.max_data_len + 1, NULL, NULL, &rv));
	EXPECT_EQ(0U, rv);
	EXPECT_EQ(EINVAL, t_op_data(self->fd, self->s, KHSM_OP_DIGEST,
				    KHSM_DATA_FINAL, big,
				    (size_t)self->v.max_data_len + 1, NULL, NULL, &rv));
	EXPECT_EQ(0U, rv);
	free(big);
	EXPECT_EQ(EINVAL, t_op_data(self->fd, self->s, KHSM_OP_DIGEST,
				    KHSM_DATA_UPDATE, buf, ~(size_t)0, NULL, NULL, &rv));
	EXPECT_EQ(0U, rv);

	/* A mechanism parameter longer than any data. */
	__u8 key[16] = { 0 };
	__u32 k;

	t_tmpl_aes(&t, key, sizeof(key), 0);
	ASSERT_OK(t_create(self->fd, self->s, &t, &k, &rv), rv);
	EXPECT_EQ(EINVAL, t_op_init(self->fd, self->s, KHSM_OP_ENCRYPT, CKM_AES_GCM,
				    k, buf, 0x80000000U, &rv));
	EXPECT_EQ(0U, rv);
}

TEST_F(dev, unknown_ioctl_enotty)
{
	union ioc_buf b;
	unsigned long cmds[] = {
		_IO(KHSM_IOC_MAGIC, KHSM_IOC_NR_MAX + 1),
		_IO(KHSM_IOC_MAGIC, 0xff),
		_IO('K', 0x00),				/* wrong magic */
		_IO(KHSM_IOC_MAGIC, 0x7f),
	};
	unsigned int i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		memset(&b, 0, sizeof(b));
		b.hdr.size = sizeof(struct khsm_version);
		EXPECT_EQ(ENOTTY, t_ioctl(self->fd, cmds[i], &b))
			TH_LOG("cmd 0x%lx", cmds[i]);
		EXPECT_EQ(0U, b.hdr.rv);
	}
}

TEST_F(dev, ioctl_numbers_carry_no_size)
{
	/*
	 * The numbers are _IO(magic, nr): the struct's own size field decides
	 * what is copied, and a number with size or direction bits is unknown.
	 */
	union ioc_buf b;
	struct khsm_version *v = (void *)&b;
	unsigned long cmds[] = {
		_IOWR(KHSM_IOC_MAGIC, 0x00, struct khsm_version),
		_IOR(KHSM_IOC_MAGIC, 0x00, struct khsm_version),
		_IOW(KHSM_IOC_MAGIC, 0x00, struct khsm_version),
		_IOWR(KHSM_IOC_MAGIC, 0x00, __u64[16]),
		_IOC(_IOC_NONE, KHSM_IOC_MAGIC, 0x00, 8),
		_IOC(_IOC_READ | _IOC_WRITE, KHSM_IOC_MAGIC, 0x00, 0),
	};
	unsigned int i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		memset(&b, 0, sizeof(b));
		b.hdr.size = sizeof(*v);
		EXPECT_EQ(ENOTTY, t_ioctl(self->fd, cmds[i], &b))
			TH_LOG("cmd 0x%lx", cmds[i]);
		EXPECT_EQ(0U, v->abi_version);
	}
	memset(&b, 0, sizeof(b));
	b.hdr.size = sizeof(*v);
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_VERSION, &b));
	EXPECT_EQ((__u32)KHSM_ABI_VERSION, v->abi_version);
	EXPECT_EQ(0U, _IOC_SIZE(KHSM_IOC_OP_DATA));
	EXPECT_EQ(0U, _IOC_DIR(KHSM_IOC_OP_DATA));
}

TEST_F(dev, mech_list_length_protocol)
{
	struct khsm_mech_list ml;
	__u32 mechs[256];
	__u32 n;

	T_INIT(ml);
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_MECH_LIST, &ml));
	n = ml.count;
	ASSERT_LT(0U, n);
	ASSERT_GE(256U, n);

	T_INIT(ml);
	ml.count = n - 1;
	ml.mechs = (uintptr_t)mechs;
	EXPECT_EQ(ENOSPC, t_ioctl(self->fd, KHSM_IOC_MECH_LIST, &ml));
	EXPECT_EQ(CKR_BUFFER_TOO_SMALL, ml.rv);
	EXPECT_EQ(n, ml.count);

	T_INIT(ml);
	ml.count = 256;
	ml.mechs = (uintptr_t)mechs;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_MECH_LIST, &ml));
	EXPECT_EQ(n, ml.count);
}

TEST_F(dev, mech_info_unknown_mechanism)
{
	struct khsm_mech_info mi;

	T_INIT(mi);
	mi.mechanism = CKM_RSA_X9_31;	/* not in this slice */
	EXPECT_EQ(EOPNOTSUPP, t_ioctl(self->fd, KHSM_IOC_MECH_INFO, &mi));
	EXPECT_EQ(CKR_MECHANISM_INVALID, mi.rv);

	T_INIT(mi);
	mi.mechanism = CKM_SHA256;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_MECH_INFO, &mi));
	EXPECT_EQ(CKF_DIGEST, mi.flags & CKF_DIGEST);
}

TEST_HARNESS_MAIN
