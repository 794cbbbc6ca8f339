// SPDX-License-Identifier: GPL-2.0
/*
 * KHSM_IOC_DERIVE_KEY with CKM_HKDF_DERIVE / CKM_HKDF_DATA through the
 * raw uAPI (struct khsm_hkdf_params): the RFC 5869 test case 1 OKM; the
 * flat form (pad0, reserved, booleans above 1: EINVAL before any PKCS#11
 * decision, nothing created); the salt key travels as a handle and is
 * resolved in the caller's file only: a session key of another file
 * (logged in as the same user) is CKR_KEY_HANDLE_INVALID (ENOENT), the
 * same key in its own file works; a CKO_DATA object from CKM_HKDF_DATA.
 */
#include <errno.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "khsm_util.h"

#ifndef CKM_HKDF_DERIVE
#define CKM_HKDF_DERIVE		0x402aUL
#define CKM_HKDF_DATA		0x402bUL
#endif
#ifndef CKK_HKDF
#define CKK_HKDF		0x42UL
#endif
#define SALT_DATA		0x2U
#define SALT_KEY		0x4U

static const char ikm_hex[] = "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b";
static const char salt_hex[] = "000102030405060708090a0b0c";
static const char info_hex[] = "f0f1f2f3f4f5f6f7f8f9";
static const char okm_hex[] = "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865";

struct prm {
	struct khsm_hkdf_params p;
	__u8 tail[64];
};

FIXTURE(hk) {
	int fd;
	__u32 s;
	__u32 base;
	__u8 salt[16], info[16], okm[64];
	size_t salt_len, info_len, okm_len;
};

static __u32 secret(int fd, __u32 s, __u64 kt, const __u8 *v, size_t len)
{
	struct t_tmpl t;
	__u32 h = 0, rv;

	t_tmpl_init(&t);
	t_add_ulong(&t, CKA_CLASS, CKO_SECRET_KEY);
	t_add_ulong(&t, CKA_KEY_TYPE, kt);
	t_add_bool(&t, CKA_DERIVE, 1);
	t_add_bytes(&t, CKA_VALUE, v, len);
	if (t_create(fd, s, &t, &h, &rv) || rv)
		return 0;
	return h;
}

FIXTURE_SETUP(hk)
{
	__u8 ikm[32];
	size_t n;

	self->fd = t_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", t_dev_path(), strerror(errno));
	ASSERT_EQ(0, t_reset_token(self->fd));
	self->s = t_user_session(self->fd);
	ASSERT_NE(0U, self->s);
	n = t_unhex(ikm_hex, ikm, sizeof(ikm));
	self->base = secret(self->fd, self->s, CKK_GENERIC_SECRET, ikm, n);
	ASSERT_NE(0U, self->base);
	self->salt_len = t_unhex(salt_hex, self->salt, sizeof(self->salt));
	self->info_len = t_unhex(info_hex, self->info, sizeof(self->info));
	self->okm_len = t_unhex(okm_hex, self->okm, sizeof(self->okm));
}

FIXTURE_TEARDOWN(hk)
{
	close(self->fd);
}

/* SHA-256, salt as data (@salt_key 0) or as key @salt_key, info. */
static __u32 fill(struct prm *p, const struct __test_metadata *m,
		  const FIXTURE_DATA(hk) *self, __u32 salt_key)
{
	(void)m;
	memset(p, 0, sizeof(*p));
	p->p.extract = 1;
	p->p.expand = 1;
	p->p.prf = CKM_SHA256;
	if (salt_key) {
		p->p.salt_type = SALT_KEY;
		p->p.salt_key = salt_key;
	} else {
		p->p.salt_type = SALT_DATA;
		p->p.salt_len = self->salt_len;
		memcpy(p->tail, self->salt, self->salt_len);
	}
	p->p.info_len = self->info_len;
	memcpy(p->tail + p->p.salt_len, self->info, self->info_len);
	return sizeof(p->p) + p->p.salt_len + p->p.info_len;
}

static int derive(int fd, __u32 s, __u32 mech, __u32 base, struct prm *p,
		  __u32 plen, int data, __u32 *h, __u32 *rv)
{
	struct khsm_derive d;
	struct t_tmpl t;
	int err;

	t_tmpl_init(&t);
	if (data) {
		t_add_ulong(&t, CKA_CLASS, CKO_DATA);
	} else {
		t_add_ulong(&t, CKA_KEY_TYPE, CKK_GENERIC_SECRET);
		t_add_bool(&t, CKA_SENSITIVE, 0);
		t_add_bool(&t, CKA_EXTRACTABLE, 1);
	}
	t_add_ulong(&t, CKA_VALUE_LEN, 42);
	T_INIT(d);
	d.session = s;
	d.mechanism = mech;
	d.param = (uintptr_t)p;
	d.param_len = plen;
	d.base_key = base;
	d.tmpl = (uintptr_t)t.a;
	d.count = t.n;
	err = t_ioctl(fd, KHSM_IOC_DERIVE_KEY, &d);
	*h = d.handle;
	*rv = d.rv;
	return err;
}

static int okm_of(int fd, __u32 s, __u32 h, const __u8 *okm)
{
	__u8 v[64];
	__u64 len = sizeof(v);
	__u32 rv;

	if (t_get_attr(fd, s, h, CKA_VALUE, v, &len, &rv) || rv || len != 42)
		return -1;
	return memcmp(v, okm, 42) ? -1 : 0;
}

TEST_F(hk, rfc5869_case1)
{
	struct prm p;
	__u32 plen = fill(&p, _metadata, self, 0), h, rv;

	ASSERT_OK(derive(self->fd, self->s, CKM_HKDF_DERIVE, self->base, &p,
			 plen, 0, &h, &rv), rv);
	EXPECT_EQ(0, okm_of(self->fd, self->s, h, self->okm));
	ASSERT_OK(derive(self->fd, self->s, CKM_HKDF_DATA, self->base, &p,
			 plen, 1, &h, &rv), rv);
	EXPECT_EQ(0, okm_of(self->fd, self->s, h, self->okm));
}

/* The uAPI's form: EINVAL, no rv, no object. */
TEST_F(hk, flat_form)
{
	struct khsm_token_info before, after;
	struct prm p;
	__u32 plen, h, rv;

	ASSERT_EQ(0, t_counts(&before));
	plen = fill(&p, _metadata, self, 0);
	p.p.pad0 = 1;
	EXPECT_EQ(EINVAL, derive(self->fd, self->s, CKM_HKDF_DERIVE,
				 self->base, &p, plen, 0, &h, &rv));
	plen = fill(&p, _metadata, self, 0);
	p.p.reserved[0] = 1;
	EXPECT_EQ(EINVAL, derive(self->fd, self->s, CKM_HKDF_DERIVE,
				 self->base, &p, plen, 0, &h, &rv));
	plen = fill(&p, _metadata, self, 0);
	p.p.reserved[1] = 1ULL << 63;
	EXPECT_EQ(EINVAL, derive(self->fd, self->s, CKM_HKDF_DATA,
				 self->base, &p, plen, 1, &h, &rv));
	plen = fill(&p, _metadata, self, 0);
	p.p.extract = 2;
	EXPECT_EQ(EINVAL, derive(self->fd, self->s, CKM_HKDF_DERIVE,
				 self->base, &p, plen, 0, &h, &rv));
	plen = fill(&p, _metadata, self, 0);
	p.p.expand = 0xffffffffU;
	EXPECT_EQ(EINVAL, derive(self->fd, self->s, CKM_HKDF_DERIVE,
				 self->base, &p, plen, 0, &h, &rv));
	/* lengths that do not add up: a PKCS#11 answer */
	plen = fill(&p, _metadata, self, 0);
	EXPECT_EQ(EINVAL, derive(self->fd, self->s, CKM_HKDF_DERIVE,
				 self->base, &p, plen + 1, 0, &h, &rv));
	EXPECT_EQ((__u32)CKR_MECHANISM_PARAM_INVALID, rv);
	EXPECT_EQ(0U, h);
	EXPECT_EQ(EINVAL, derive(self->fd, self->s, CKM_HKDF_DERIVE,
				 self->base, &p, sizeof(p.p) - 1, 0, &h, &rv));
	EXPECT_EQ((__u32)CKR_MECHANISM_PARAM_INVALID, rv);
	ASSERT_EQ(0, t_counts(&after));
	EXPECT_EQ(before.session_objects, after.session_objects);
}

/* The salt key: a handle, resolved in the caller's file only. */
TEST_F(hk, salt_key_of_another_file)
{
	struct prm p;
	__u32 plen, h, rv, salt_a, salt_b, base_b, s_b;
	__u8 ikm[32];
	size_t n = t_unhex(ikm_hex, ikm, sizeof(ikm));
	int fd_b = t_open();

	ASSERT_LE(0, fd_b);
	s_b = t_user_session(fd_b);
	ASSERT_NE(0U, s_b);
	base_b = secret(fd_b, s_b, CKK_GENERIC_SECRET, ikm, n);
	ASSERT_NE(0U, base_b);
	salt_a = secret(self->fd, self->s, CKK_HKDF, self->salt,
			self->salt_len);
	ASSERT_NE(0U, salt_a);
	salt_b = secret(fd_b, s_b, CKK_HKDF, self->salt, self->salt_len);
	ASSERT_NE(0U, salt_b);

	/* its own file: the RFC's OKM */
	plen = fill(&p, _metadata, self, salt_a);
	ASSERT_OK(derive(self->fd, self->s, CKM_HKDF_DERIVE, self->base, &p,
			 plen, 0, &h, &rv), rv);
	EXPECT_EQ(0, okm_of(self->fd, self->s, h, self->okm));
	plen = fill(&p, _metadata, self, salt_b);
	ASSERT_OK(derive(fd_b, s_b, CKM_HKDF_DERIVE, base_b, &p, plen, 0, &h,
			 &rv), rv);
	EXPECT_EQ(0, okm_of(fd_b, s_b, h, self->okm));
	/* the other file's session key: no such key here */
	plen = fill(&p, _metadata, self, salt_a);
	EXPECT_EQ(ENOENT, derive(fd_b, s_b, CKM_HKDF_DERIVE, base_b, &p, plen,
				 0, &h, &rv));
	EXPECT_EQ((__u32)CKR_KEY_HANDLE_INVALID, rv);
	EXPECT_EQ(0U, h);
	plen = fill(&p, _metadata, self, salt_b);
	EXPECT_EQ(ENOENT, derive(self->fd, self->s, CKM_HKDF_DATA, self->base,
				 &p, plen, 1, &h, &rv));
	EXPECT_EQ((__u32)CKR_KEY_HANDLE_INVALID, rv);
	/* nor as a base key */
	plen = fill(&p, _metadata, self, 0);
	EXPECT_EQ(ENOENT, derive(self->fd, self->s, CKM_HKDF_DERIVE, base_b,
				 &p, plen, 0, &h, &rv));
	close(fd_b);
}

TEST_HARNESS_MAIN
