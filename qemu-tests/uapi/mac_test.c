// SPDX-License-Identifier: GPL-2.0
/*
 * The MAC mechanisms and SHA-3 through direct ioctls: the flat
 * struct khsm_mac_general_params (a reserved word that is not zero is
 * EINVAL before any PKCS#11 decision; a wrong size or length is
 * CKR_MECHANISM_PARAM_INVALID), RFC 4231 and SP 800-38B known answers,
 * a one-shot HMAC and CMAC of 200,000 bytes (streamed by the kernel)
 * against OpenSSL, verification errors with their errno, SHA3-256 "abc",
 * and CKM_GENERIC_SECRET_KEY_GEN's CKA_VALUE_LEN rules.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "kselftest_harness.h"
#include "khsm_util.h"
#include "khsm_mechs.h"
#include "ossl_check.h"

FIXTURE(mac) {
	int fd;
	__u32 s;
};

FIXTURE_SETUP(mac)
{
	self->fd = t_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", t_dev_path(), strerror(errno));
	ASSERT_EQ(0, t_reset_token(self->fd));
	self->s = t_user_session(self->fd);
	ASSERT_NE(0U, self->s);
}

FIXTURE_TEARDOWN(mac)
{
	close(self->fd);
}

static __u32 generic_key(int fd, __u32 s, const void *key, size_t len)
{
	struct t_tmpl t;
	__u32 h = 0, rv;

	t_tmpl_init(&t);
	t_add_ulong(&t, CKA_CLASS, CKO_SECRET_KEY);
	t_add_ulong(&t, CKA_KEY_TYPE, CKK_GENERIC_SECRET);
	t_add_bool(&t, CKA_SIGN, 1);
	t_add_bool(&t, CKA_VERIFY, 1);
	t_add_bytes(&t, CKA_VALUE, key, len);
	if (t_create(fd, s, &t, &h, &rv))
		return 0;
	return h;
}

TEST_F(mac, hmac_known_answer_and_params)
{
	static const char msg[] = "what do ya want for nothing?";
	struct khsm_mac_general_params gp = { .mac_len = 16 };
	__u8 want[32], got[64];
	__u32 k, rv;
	__u64 len;
	int err;

	t_unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
		want, sizeof(want));
	k = generic_key(self->fd, self->s, "Jefe", 4);
	ASSERT_NE(0U, k);
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_SIGN, CKM_SHA256_HMAC, k,
			    NULL, 0, &rv), rv);
	len = sizeof(got);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_SIGN, KHSM_DATA_ONESHOT,
			    msg, 28, got, &len, &rv), rv);
	ASSERT_EQ(32ULL, len);
	EXPECT_EQ(0, memcmp(want, got, 32));

	/* _GENERAL: 16 bytes, the first half */
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_SIGN,
			    CKM_SHA256_HMAC_GENERAL, k, &gp, sizeof(gp), &rv), rv);
	len = sizeof(got);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_SIGN, KHSM_DATA_ONESHOT,
			    msg, 28, got, &len, &rv), rv);
	ASSERT_EQ(16ULL, len);
	EXPECT_EQ(0, memcmp(want, got, 16));
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_VERIFY,
			    CKM_SHA256_HMAC_GENERAL, k, &gp, sizeof(gp), &rv), rv);
	len = 16;
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_VERIFY, KHSM_DATA_ONESHOT,
			    msg, 28, want, &len, &rv), rv);
	/* the full MAC where 16 bytes are expected */
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_VERIFY,
			    CKM_SHA256_HMAC_GENERAL, k, &gp, sizeof(gp), &rv), rv);
	len = 32;
	err = t_op_data(self->fd, self->s, KHSM_OP_VERIFY, KHSM_DATA_ONESHOT,
			msg, 28, want, &len, &rv);
	EXPECT_NE(0, err);
	EXPECT_EQ(CKR_SIGNATURE_LEN_RANGE, rv);
	/* a flipped bit */
	want[15] ^= 0x80;
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_VERIFY,
			    CKM_SHA256_HMAC_GENERAL, k, &gp, sizeof(gp), &rv), rv);
	len = 16;
	EXPECT_EQ(EBADMSG, t_op_data(self->fd, self->s, KHSM_OP_VERIFY,
				     KHSM_DATA_ONESHOT, msg, 28, want, &len,
				     &rv));
	EXPECT_EQ(CKR_SIGNATURE_INVALID, rv);

	/* the flat parameter's form: reserved word, size, length */
	gp.reserved = 1;
	EXPECT_EQ(EINVAL, t_op_init(self->fd, self->s, KHSM_OP_SIGN,
				    CKM_SHA256_HMAC_GENERAL, k, &gp, sizeof(gp),
				    &rv));
	EXPECT_EQ(0U, rv);
	gp.reserved = 0;
	EXPECT_NE(0, t_op_init(self->fd, self->s, KHSM_OP_SIGN,
			       CKM_SHA256_HMAC_GENERAL, k, &gp, 4, &rv));
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, rv);
	gp.mac_len = 33;
	EXPECT_NE(0, t_op_init(self->fd, self->s, KHSM_OP_SIGN,
			       CKM_SHA256_HMAC_GENERAL, k, &gp, sizeof(gp), &rv));
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, rv);
	EXPECT_NE(0, t_op_init(self->fd, self->s, KHSM_OP_SIGN,
			       CKM_SHA256_HMAC_GENERAL, k, NULL, 0, &rv));
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, rv);
	gp.mac_len = 16;
	EXPECT_NE(0, t_op_init(self->fd, self->s, KHSM_OP_SIGN, CKM_SHA256_HMAC,
			       k, &gp, sizeof(gp), &rv));
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, rv);
}

/* One-shot MACs of 200,000 bytes, above max_data_len: the kernel streams. */
TEST_F(mac, large_one_shot_vs_openssl)
{
	size_t n = 200000;
	__u8 *msg = malloc(n), key[32], want[64], got[64];
	__u32 k, a, rv;
	__u64 len;

	ASSERT_NE(NULL, msg);
	ASSERT_EQ(1, RAND_bytes(msg, n));
	ASSERT_EQ(1, RAND_bytes(key, sizeof(key)));
	k = generic_key(self->fd, self->s, key, sizeof(key));
	ASSERT_NE(0U, k);
	ASSERT_EQ(64, ossl_mac("HMAC", "SHA3-512", key, 32, msg, n, want,
			       sizeof(want)));
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_SIGN, CKM_SHA3_512_HMAC,
			    k, NULL, 0, &rv), rv);
	len = sizeof(got);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_SIGN, KHSM_DATA_ONESHOT,
			    msg, n, got, &len, &rv), rv);
	ASSERT_EQ(64ULL, len);
	EXPECT_EQ(0, memcmp(want, got, 64));
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_VERIFY, CKM_SHA3_512_HMAC,
			    k, NULL, 0, &rv), rv);
	len = 64;
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_VERIFY, KHSM_DATA_ONESHOT,
			    msg, n, want, &len, &rv), rv);

	a = t_aes_key(self->fd, self->s, key, 32);
	ASSERT_NE(0U, a);
	ASSERT_EQ(16, ossl_mac("CMAC", "AES-256-CBC", key, 32, msg, n, want,
			       sizeof(want)));
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_SIGN, CKM_AES_CMAC, a,
			    NULL, 0, &rv), rv);
	len = sizeof(got);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_SIGN, KHSM_DATA_ONESHOT,
			    msg, n, got, &len, &rv), rv);
	ASSERT_EQ(16ULL, len);
	EXPECT_EQ(0, memcmp(want, got, 16));
	want[0] ^= 1;
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_VERIFY, CKM_AES_CMAC, a,
			    NULL, 0, &rv), rv);
	len = 16;
	EXPECT_EQ(EBADMSG, t_op_data(self->fd, self->s, KHSM_OP_VERIFY,
				     KHSM_DATA_ONESHOT, msg, n, want, &len,
				     &rv));
	EXPECT_EQ(CKR_SIGNATURE_INVALID, rv);
	free(msg);
}

TEST_F(mac, cmac_known_answer_and_key_rules)
{
	__u8 key[16], m[16], want[16], got[16];
	__u32 a, g, rv;
	__u64 len;

	/* SP 800-38B D.1 example 2 */
	t_unhex("2b7e151628aed2a6abf7158809cf4f3c", key, sizeof(key));
	t_unhex("6bc1bee22e409f96e93d7e117393172a", m, sizeof(m));
	t_unhex("070a16b46b4d4144f79bdd9dd04a287c", want, sizeof(want));
	a = t_aes_key(self->fd, self->s, key, 16);
	ASSERT_NE(0U, a);
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_SIGN, CKM_AES_CMAC, a,
			    NULL, 0, &rv), rv);
	len = sizeof(got);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_SIGN, KHSM_DATA_UPDATE,
			    m, 5, NULL, NULL, &rv), rv);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_SIGN, KHSM_DATA_UPDATE,
			    m + 5, 11, NULL, NULL, &rv), rv);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_SIGN, KHSM_DATA_FINAL,
			    NULL, 0, got, &len, &rv), rv);
	ASSERT_EQ(16ULL, len);
	EXPECT_EQ(0, memcmp(want, got, 16));
	/* a generic secret is not an AES key, and an AES key no HMAC key */
	g = generic_key(self->fd, self->s, key, 16);
	ASSERT_NE(0U, g);
	EXPECT_NE(0, t_op_init(self->fd, self->s, KHSM_OP_SIGN, CKM_AES_CMAC, g,
			       NULL, 0, &rv));
	EXPECT_EQ(CKR_KEY_TYPE_INCONSISTENT, rv);
	EXPECT_NE(0, t_op_init(self->fd, self->s, KHSM_OP_SIGN, CKM_SHA256_HMAC,
			       a, NULL, 0, &rv));
	EXPECT_EQ(CKR_KEY_TYPE_INCONSISTENT, rv);
	/* MACs are sign/verify only */
	EXPECT_NE(0, t_op_init(self->fd, self->s, KHSM_OP_ENCRYPT, CKM_AES_CMAC,
			       a, NULL, 0, &rv));
	EXPECT_EQ(CKR_MECHANISM_INVALID, rv);
}

TEST_F(mac, sha3_256_abc_and_generic_keygen)
{
	__u8 want[32], got[32];
	struct khsm_keygen g;
	struct t_tmpl t;
	__u32 rv;
	__u64 len;

	t_unhex("3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
		want, sizeof(want));
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_DIGEST, CKM_SHA3_256, 0,
			    NULL, 0, &rv), rv);
	len = sizeof(got);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_DIGEST, KHSM_DATA_ONESHOT,
			    "abc", 3, got, &len, &rv), rv);
	ASSERT_EQ(32ULL, len);
	EXPECT_EQ(0, memcmp(want, got, 32));

	t_tmpl_init(&t);
	t_add_ulong(&t, CKA_CLASS, CKO_SECRET_KEY);
	t_add_ulong(&t, CKA_VALUE_LEN, 256);
	T_INIT(g);
	g.session = self->s;
	g.mechanism = CKM_GENERIC_SECRET_KEY_GEN;
	g.pub_count = t.n;
	g.pub_template = (uintptr_t)t.a;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_GENERATE_KEY, &g));
	ASSERT_EQ(CKR_OK, g.rv);
	EXPECT_NE(0U, g.pub_handle);
	t_tmpl_init(&t);
	t_add_ulong(&t, CKA_VALUE_LEN, 257);
	T_INIT(g);
	g.session = self->s;
	g.mechanism = CKM_GENERIC_SECRET_KEY_GEN;
	g.pub_count = t.n;
	g.pub_template = (uintptr_t)t.a;
	EXPECT_NE(0, t_ioctl(self->fd, KHSM_IOC_GENERATE_KEY, &g));
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, g.rv);
}

TEST_HARNESS_MAIN
