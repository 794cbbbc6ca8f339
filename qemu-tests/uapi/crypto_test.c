// SPDX-License-Identifier: GPL-2.0
/*
 * Mechanisms through direct ioctls: SHA-1..512 known answers (one-shot and
 * multi-part), AES-ECB/CBC/CBC-PAD/GCM/CTR with NIST vectors and round
 * trips, CTR against OpenSSL and its counter bits, AES key wrap (RFC 3394,
 * RFC 5649) against OpenSSL and tampered, GCM tag tampering, P-256 key generation and ECDSA sign/verify (checked
 * with OpenSSL), the length protocol keeping operations active,
 * OPERATION_ACTIVE / OPERATION_NOT_INITIALIZED, GENERATE_RANDOM, the exact
 * mechanism list.
 */
#include <errno.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "kselftest_harness.h"
#include "khsm_util.h"
#include "khsm_mechs.h"
#include "kat.h"
#include "ossl_check.h"

struct kat {
	__u32 mech;
	const char *abc;	/* digest of "abc" */
};

static const struct kat kats[] = {
	{ CKM_SHA_1, "a9993e364706816aba3e25717850c26c9cd0d89d" },
	{ CKM_SHA224, "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7" },
	{ CKM_SHA256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ CKM_SHA384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded163"
		      "1a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7" },
	{ CKM_SHA512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
		      "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
};

static const char *md_name(__u32 mech)
{
	switch (mech) {
	case CKM_SHA_1: return "SHA1";
	case CKM_SHA224: return "SHA224";
	case CKM_SHA256: return "SHA256";
	case CKM_SHA384: return "SHA384";
	default: return "SHA512";
	}
}

FIXTURE(cr) {
	int fd;
	__u32 s;
};

FIXTURE_SETUP(cr)
{
	self->fd = t_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", t_dev_path(), strerror(errno));
	ASSERT_EQ(0, t_reset_token(self->fd));
	self->s = t_user_session(self->fd);
	ASSERT_NE(0U, self->s);
}

FIXTURE_TEARDOWN(cr)
{
	close(self->fd);
}

TEST_F(cr, digest_known_answers)
{
	__u8 want[64], got[64];
	__u64 len;
	__u32 rv;
	unsigned int i;
	size_t n;

	for (i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
		n = t_unhex(kats[i].abc, want, sizeof(want));
		/* One-shot. */
		ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_DIGEST, kats[i].mech, 0,
				    NULL, 0, &rv), rv);
		len = sizeof(got);
		ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_DIGEST, KHSM_DATA_ONESHOT,
				    "abc", 3, got, &len, &rv), rv);
		EXPECT_EQ(n, len);
		EXPECT_EQ(0, memcmp(want, got, n)) TH_LOG("mech 0x%x", kats[i].mech);
		/* Multi-part: "a" + "" + "bc". */
		ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_DIGEST, kats[i].mech, 0,
				    NULL, 0, &rv), rv);
		ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_DIGEST, KHSM_DATA_UPDATE,
				    "a", 1, NULL, NULL, &rv), rv);
		ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_DIGEST, KHSM_DATA_UPDATE,
				    "", 0, NULL, NULL, &rv), rv);
		ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_DIGEST, KHSM_DATA_UPDATE,
				    "bc", 2, NULL, NULL, &rv), rv);
		len = sizeof(got);
		memset(got, 0, sizeof(got));
		ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_DIGEST, KHSM_DATA_FINAL,
				    NULL, 0, got, &len, &rv), rv);
		EXPECT_EQ(n, len);
		EXPECT_EQ(0, memcmp(want, got, n)) TH_LOG("multi-part mech 0x%x",
							   kats[i].mech);
		/* The operation ended. */
		EXPECT_EQ(ENOMSG, t_op_data(self->fd, self->s, KHSM_OP_DIGEST,
					    KHSM_DATA_UPDATE, "a", 1, NULL, NULL, &rv));
		EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED, rv);
	}
}

TEST_F(cr, digest_large_multipart_vs_openssl)
{
	static __u8 data[100000];
	__u8 want[64], got[64];
	unsigned int i, wl;
	size_t off, chunk;
	__u64 len;
	__u32 rv;

	for (off = 0; off < sizeof(data); off++)
		data[off] = off * 7 + (off >> 8);
	for (i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
		ASSERT_EQ(1, EVP_Digest(data, sizeof(data), want, &wl,
					EVP_get_digestbyname(md_name(kats[i].mech)), NULL));
		ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_DIGEST, kats[i].mech, 0,
				    NULL, 0, &rv), rv);
		for (off = 0, chunk = 1; off < sizeof(data); off += chunk, chunk = chunk * 3 + 1) {
			if (chunk > 4096)
				chunk = 4096;
			if (off + chunk > sizeof(data))
				chunk = sizeof(data) - off;
			ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_DIGEST,
					    KHSM_DATA_UPDATE, data + off, chunk, NULL,
					    NULL, &rv), rv);
		}
		len = sizeof(got);
		ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_DIGEST, KHSM_DATA_FINAL,
				    NULL, 0, got, &len, &rv), rv);
		EXPECT_EQ(wl, len);
		EXPECT_EQ(0, memcmp(want, got, wl));
	}
}

TEST_F(cr, length_query_keeps_operation)
{
	__u8 got[64];
	__u64 len;
	__u32 rv;

	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_DIGEST, CKM_SHA256, 0, NULL,
			    0, &rv), rv);
	len = 0;
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_DIGEST, KHSM_DATA_ONESHOT,
			    "abc", 3, NULL, &len, &rv), rv);
	EXPECT_EQ(32ULL, len);
	len = 31;
	memset(got, 0x55, sizeof(got));
	EXPECT_EQ(ENOSPC, t_op_data(self->fd, self->s, KHSM_OP_DIGEST,
				    KHSM_DATA_ONESHOT, "abc", 3, got, &len, &rv));
	EXPECT_EQ(CKR_BUFFER_TOO_SMALL, rv);
	EXPECT_EQ(32ULL, len);
	EXPECT_EQ(0x55, got[0]);
	len = sizeof(got);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_DIGEST, KHSM_DATA_ONESHOT,
			    "abc", 3, got, &len, &rv), rv);
	EXPECT_EQ(32ULL, len);
	EXPECT_EQ(0, memcmp(got, kat_sha256_abc, 32));
}

TEST_F(cr, operation_state_errors)
{
	__u8 out[64];
	__u64 len = sizeof(out);
	__u32 rv;

	EXPECT_EQ(ENOMSG, t_op_data(self->fd, self->s, KHSM_OP_DIGEST,
				    KHSM_DATA_ONESHOT, "abc", 3, out, &len, &rv));
	EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED, rv);
	EXPECT_EQ(ENOMSG, t_op_data(self->fd, self->s, KHSM_OP_SIGN,
				    KHSM_DATA_FINAL, NULL, 0, out, &len, &rv));
	EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED, rv);
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_DIGEST, CKM_SHA256, 0, NULL,
			    0, &rv), rv);
	EXPECT_EQ(EBUSY, t_op_init(self->fd, self->s, KHSM_OP_DIGEST, CKM_SHA_1, 0,
				   NULL, 0, &rv));
	EXPECT_EQ(CKR_OPERATION_ACTIVE, rv);
	/* Cancel, then a new one starts. */
	EXPECT_EQ(0, t_op_cancel(self->fd, self->s, KHSM_OP_DIGEST));
	EXPECT_EQ(ENOMSG, t_op_data(self->fd, self->s, KHSM_OP_DIGEST,
				    KHSM_DATA_UPDATE, "abc", 3, NULL, NULL, &rv));
	EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED, rv);
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_DIGEST, CKM_SHA_1, 0, NULL,
			    0, &rv), rv);
	len = sizeof(out);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_DIGEST, KHSM_DATA_ONESHOT,
			    "abc", 3, out, &len, &rv), rv);
	EXPECT_EQ(20ULL, len);
	/* Unknown mechanism and a digest mechanism with a key. */
	EXPECT_EQ(EOPNOTSUPP, t_op_init(self->fd, self->s, KHSM_OP_DIGEST,
					CKM_MD5, 0, NULL, 0, &rv));
	EXPECT_EQ(CKR_MECHANISM_INVALID, rv);
	EXPECT_EQ(EOPNOTSUPP, t_op_init(self->fd, self->s, KHSM_OP_ENCRYPT,
					CKM_SHA256, 0, NULL, 0, &rv));
	EXPECT_EQ(CKR_MECHANISM_INVALID, rv);
}

TEST_F(cr, aes_ecb_cbc_nist)
{
	__u8 key[16], iv[16], pt[32], want[32], out[64];
	__u64 len;
	__u32 k, rv;

	t_unhex("2b7e151628aed2a6abf7158809cf4f3c", key, 16);
	t_unhex("000102030405060708090a0b0c0d0e0f", iv, 16);
	t_unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51", pt, 32);
	k = t_aes_key(self->fd, self->s, key, 16);
	ASSERT_NE(0U, k);

	/* SP 800-38A F.1.1 ECB-AES128 block 1. */
	t_unhex("3ad77bb40d7a3660a89ecaf32466ef97", want, 16);
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_ENCRYPT, CKM_AES_ECB, k, NULL,
			    0, &rv), rv);
	len = sizeof(out);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_ENCRYPT, KHSM_DATA_ONESHOT,
			    pt, 16, out, &len, &rv), rv);
	EXPECT_EQ(16ULL, len);
	EXPECT_EQ(0, memcmp(out, want, 16));

	/* SP 800-38A F.2.1 CBC-AES128 blocks 1-2. */
	t_unhex("7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2",
		want, 32);
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_ENCRYPT, CKM_AES_CBC, k, iv,
			    16, &rv), rv);
	len = sizeof(out);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_ENCRYPT, KHSM_DATA_ONESHOT,
			    pt, 32, out, &len, &rv), rv);
	EXPECT_EQ(32ULL, len);
	EXPECT_EQ(0, memcmp(out, want, 32));

	/* Decrypt back. */
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_DECRYPT, CKM_AES_CBC, k, iv,
			    16, &rv), rv);
	len = sizeof(out);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_DECRYPT, KHSM_DATA_ONESHOT,
			    want, 32, out, &len, &rv), rv);
	EXPECT_EQ(32ULL, len);
	EXPECT_EQ(0, memcmp(out, pt, 32));

	/* Multi-part encryption gives the same ciphertext. */
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_ENCRYPT, CKM_AES_CBC, k, iv,
			    16, &rv), rv);
	len = sizeof(out);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_ENCRYPT, KHSM_DATA_UPDATE,
			    pt, 5, out, &len, &rv), rv);
	EXPECT_EQ(0ULL, len);
	len = sizeof(out);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_ENCRYPT, KHSM_DATA_UPDATE,
			    pt + 5, 27, out, &len, &rv), rv);
	EXPECT_EQ(32ULL, len);
	EXPECT_EQ(0, memcmp(out, want, 32));
	len = sizeof(out);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_ENCRYPT, KHSM_DATA_FINAL,
			    NULL, 0, out, &len, &rv), rv);
	EXPECT_EQ(0ULL, len);

	/* CBC without padding needs whole blocks. */
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_ENCRYPT, CKM_AES_CBC, k, iv,
			    16, &rv), rv);
	len = sizeof(out);
	EXPECT_EQ(EINVAL, t_op_data(self->fd, self->s, KHSM_OP_ENCRYPT,
				    KHSM_DATA_ONESHOT, pt, 15, out, &len, &rv));
	EXPECT_EQ(CKR_DATA_LEN_RANGE, rv);
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_DECRYPT, CKM_AES_CBC, k, iv,
			    16, &rv), rv);
	len = sizeof(out);
	EXPECT_EQ(EBADMSG, t_op_data(self->fd, self->s, KHSM_OP_DECRYPT,
				     KHSM_DATA_ONESHOT, want, 17, out, &len, &rv));
	EXPECT_EQ(CKR_ENCRYPTED_DATA_LEN_RANGE, rv);
	/* A wrong IV length. */
	EXPECT_EQ(EINVAL, t_op_init(self->fd, self->s, KHSM_OP_ENCRYPT, CKM_AES_CBC,
				    k, iv, 8, &rv));
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, rv);
}

TEST_F(cr, aes_cbc_pad_round_trip_vs_openssl)
{
	__u8 key[32], iv[16], pt[100], ct[128], ref[128], back[128];
	__u64 len;
	__u32 k, rv;
	int sizes[] = { 0, 1, 15, 16, 17, 100 }, i, rl;

	for (i = 0; i < 32; i++)
		key[i] = i * 5 + 1;
	for (i = 0; i < 16; i++)
		iv[i] = 0xf0 - i;
	for (i = 0; i < 100; i++)
		pt[i] = i;
	k = t_aes_key(self->fd, self->s, key, 32);
	ASSERT_NE(0U, k);
	for (i = 0; i < 6; i++) {
		ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_ENCRYPT, CKM_AES_CBC_PAD,
				    k, iv, 16, &rv), rv);
		len = sizeof(ct);
		ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_ENCRYPT,
				    KHSM_DATA_ONESHOT, pt, sizes[i], ct, &len, &rv), rv);
		EXPECT_EQ((__u64)(sizes[i] / 16 + 1) * 16, len);
		rl = ossl_cbc(1, key, 32, iv, 1, pt, sizes[i], ref);
		ASSERT_EQ((int)len, rl);
		EXPECT_EQ(0, memcmp(ct, ref, rl)) TH_LOG("size %d", sizes[i]);

		ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_DECRYPT, CKM_AES_CBC_PAD,
				    k, iv, 16, &rv), rv);
		len = sizeof(back);
		ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_DECRYPT,
				    KHSM_DATA_ONESHOT, ct, rl, back, &len, &rv), rv);
		EXPECT_EQ((__u64)sizes[i], len);
		EXPECT_EQ(0, memcmp(back, pt, sizes[i]));
	}
	/* Bad padding: a ciphertext whose last block decrypts to garbage. */
	rl = ossl_cbc(1, key, 32, iv, 0, pt, 32, ref);	/* last byte 0x1f */
	ASSERT_EQ(32, rl);
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_DECRYPT, CKM_AES_CBC_PAD, k,
			    iv, 16, &rv), rv);
	len = sizeof(back);
	EXPECT_EQ(EBADMSG, t_op_data(self->fd, self->s, KHSM_OP_DECRYPT,
				     KHSM_DATA_ONESHOT, ref, 32, back, &len, &rv));
	EXPECT_EQ(CKR_ENCRYPTED_DATA_INVALID, rv);
}

static __u32 gcm_param(__u8 *buf, const __u8 *iv, __u32 ivl,
		       const __u8 *aad, __u32 aadl, __u32 tagbits)
{
	return t_gcm_param(buf, iv, ivl, aad, aadl, tagbits);
}

TEST_F(cr, aes_gcm_nist_and_tamper)
{
	__u8 key[16], iv[12], pt[60], aad[20], want[76], out[128], back[128];
	__u8 param[256];
	__u32 k, rv, pl;
	__u64 len;

	/* GCM spec (McGrew/Viega) test case 4. */
	t_unhex("feffe9928665731c6d6a8f9467308308", key, 16);
	t_unhex("cafebabefacedbaddecaf888", iv, 12);
	t_unhex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
		"1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39", pt, 60);
	t_unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2", aad, 20);
	t_unhex("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
		"21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"
		"5bc94fbc3221a5db94fae95ae7121a47", want, 76);
	k = t_aes_key(self->fd, self->s, key, 16);
	ASSERT_NE(0U, k);
	pl = gcm_param(param, iv, 12, aad, 20, 128);

	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_ENCRYPT, CKM_AES_GCM, k,
			    param, pl, &rv), rv);
	len = sizeof(out);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_ENCRYPT, KHSM_DATA_ONESHOT,
			    pt, 60, out, &len, &rv), rv);
	EXPECT_EQ(76ULL, len);
	EXPECT_EQ(0, memcmp(out, want, 76));

	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_DECRYPT, CKM_AES_GCM, k,
			    param, pl, &rv), rv);
	len = sizeof(back);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_DECRYPT, KHSM_DATA_ONESHOT,
			    want, 76, back, &len, &rv), rv);
	EXPECT_EQ(60ULL, len);
	EXPECT_EQ(0, memcmp(back, pt, 60));

	/* Tampered tag, tampered ciphertext, tampered AAD: all refused. */
	want[75] ^= 0x01;
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_DECRYPT, CKM_AES_GCM, k,
			    param, pl, &rv), rv);
	len = sizeof(back);
	memset(back, 0, sizeof(back));
	EXPECT_EQ(EBADMSG, t_op_data(self->fd, self->s, KHSM_OP_DECRYPT,
				     KHSM_DATA_ONESHOT, want, 76, back, &len, &rv));
	EXPECT_EQ(CKR_ENCRYPTED_DATA_INVALID, rv);
	/* No plaintext is released on failure. */
	EXPECT_EQ(0, back[0] | back[1] | back[59]);
	want[75] ^= 0x01;
	want[3] ^= 0x80;
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_DECRYPT, CKM_AES_GCM, k,
			    param, pl, &rv), rv);
	len = sizeof(back);
	EXPECT_EQ(EBADMSG, t_op_data(self->fd, self->s, KHSM_OP_DECRYPT,
				     KHSM_DATA_ONESHOT, want, 76, back, &len, &rv));
	EXPECT_EQ(CKR_ENCRYPTED_DATA_INVALID, rv);
	want[3] ^= 0x80;
	aad[0] ^= 1;
	pl = gcm_param(param, iv, 12, aad, 20, 128);
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_DECRYPT, CKM_AES_GCM, k,
			    param, pl, &rv), rv);
	len = sizeof(back);
	EXPECT_EQ(EBADMSG, t_op_data(self->fd, self->s, KHSM_OP_DECRYPT,
				     KHSM_DATA_ONESHOT, want, 76, back, &len, &rv));
	EXPECT_EQ(CKR_ENCRYPTED_DATA_INVALID, rv);

	/* Invalid tag length and IV length. */
	pl = gcm_param(param, iv, 12, aad, 20, 100);
	EXPECT_EQ(EINVAL, t_op_init(self->fd, self->s, KHSM_OP_ENCRYPT, CKM_AES_GCM,
				    k, param, pl, &rv));
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, rv);
	pl = gcm_param(param, iv, 0, aad, 20, 128);
	EXPECT_EQ(EINVAL, t_op_init(self->fd, self->s, KHSM_OP_ENCRYPT, CKM_AES_GCM,
				    k, param, pl, &rv));
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, rv);
	/* param_len disagreeing with gcm_iv_len + gcm_aad_len. */
	pl = gcm_param(param, iv, 12, aad, 20, 128);
	EXPECT_EQ(EINVAL, t_op_init(self->fd, self->s, KHSM_OP_ENCRYPT, CKM_AES_GCM,
				    k, param, pl - 1, &rv));
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, rv);
}

/* The flat CKM_AES_CTR parameter. */
static __u32 ctr_param(struct khsm_aes_ctr_params *p, __u32 bits,
		       const __u8 *cb)
{
	memset(p, 0, sizeof(*p));
	p->ctr_bits = bits;
	memcpy(p->ctr_block, cb, 16);
	return sizeof(*p);
}

/* One CTR operation of @op over @n bytes in parts of @part (0: one-shot). */
static int ctr_run(int fd, __u32 s, __u32 op, __u32 k,
		   const struct khsm_aes_ctr_params *p, const __u8 *in,
		   size_t n, size_t part, __u8 *out, __u32 *rv)
{
	size_t off, c;
	__u64 len;
	int err;

	err = t_op_init(fd, s, op, CKM_AES_CTR, k, p, sizeof(*p), rv);
	if (err || *rv)
		return err ? err : -1;
	if (!part) {
		len = n;
		err = t_op_data(fd, s, op, KHSM_DATA_ONESHOT, in, n, out, &len, rv);
		return err ? err : len == n ? 0 : -1;
	}
	for (off = 0; off < n; off += c) {
		c = n - off < part ? n - off : part;
		len = c;
		err = t_op_data(fd, s, op, KHSM_DATA_UPDATE, in + off, c,
				out + off, &len, rv);
		if (err)
			return err;
		if (len != c)
			return -1;
	}
	len = 16;
	err = t_op_data(fd, s, op, KHSM_DATA_FINAL, NULL, 0, out + n, &len, rv);
	return err ? err : len == 0 ? 0 : -1;
}

TEST_F(cr, aes_ctr_nist_openssl_and_counter_bits)
{
	static const size_t parts[] = { 0, 1, 5, 16, 17, 333 };
	__u8 key[32], cb[16], pt[1000], ct[1024], ref[1024], back[1024];
	struct khsm_aes_ctr_params p;
	unsigned int i, op;
	__u32 k, rv;
	__u64 len;

	/* SP 800-38A F.5.1 CTR-AES128.Encrypt, and F.5.2 decrypt. */
	t_unhex("2b7e151628aed2a6abf7158809cf4f3c", key, 16);
	t_unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", cb, 16);
	t_unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
		"30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
		pt, 64);
	t_unhex("874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
		"5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee",
		ref, 64);
	k = t_aes_key(self->fd, self->s, key, 16);
	ASSERT_NE(0U, k);
	ctr_param(&p, 128, cb);
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		memset(ct, 0, sizeof(ct));
		ASSERT_EQ(0, ctr_run(self->fd, self->s, KHSM_OP_ENCRYPT, k, &p,
				     pt, 64, parts[i], ct, &rv)) TH_LOG("rv 0x%x", rv);
		EXPECT_EQ(0, memcmp(ct, ref, 64)) TH_LOG("parts of %zu", parts[i]);
		ASSERT_EQ(0, ctr_run(self->fd, self->s, KHSM_OP_DECRYPT, k, &p,
				     ref, 64, parts[i], back, &rv));
		EXPECT_EQ(0, memcmp(back, pt, 64));
	}
	/* The length answer is the input's length, and keeps the operation. */
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_ENCRYPT, CKM_AES_CTR, k,
			    &p, sizeof(p), &rv), rv);
	len = 0;
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_ENCRYPT, KHSM_DATA_UPDATE,
			    pt, 7, NULL, &len, &rv), rv);
	EXPECT_EQ(7ULL, len);
	len = 6;
	EXPECT_EQ(ENOSPC, t_op_data(self->fd, self->s, KHSM_OP_ENCRYPT,
				    KHSM_DATA_UPDATE, pt, 7, ct, &len, &rv));
	EXPECT_EQ(CKR_BUFFER_TOO_SMALL, rv);
	len = 7;
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_ENCRYPT, KHSM_DATA_UPDATE,
			    pt, 7, ct, &len, &rv), rv);
	EXPECT_EQ(0, memcmp(ct, ref, 7));
	EXPECT_EQ(0, t_op_cancel(self->fd, self->s, KHSM_OP_ENCRYPT));

	/* AES-256, random data: the token and OpenSSL both ways, any parts. */
	for (i = 0; i < 32; i++)
		key[i] = i * 7 + 3;
	for (i = 0; i < 16; i++)
		cb[i] = 0x80 + i * 9;
	for (i = 0; i < sizeof(pt); i++)
		pt[i] = i * 13 + (i >> 3);
	k = t_aes_key(self->fd, self->s, key, 32);
	ASSERT_NE(0U, k);
	ctr_param(&p, 128, cb);
	ASSERT_EQ(0, ossl_ctr(key, 32, cb, pt, sizeof(pt), ref));
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		ASSERT_EQ(0, ctr_run(self->fd, self->s, KHSM_OP_ENCRYPT, k, &p,
				     pt, sizeof(pt), parts[i], ct, &rv));
		EXPECT_EQ(0, memcmp(ct, ref, sizeof(pt))) TH_LOG("parts of %zu",
								 parts[i]);
		ASSERT_EQ(0, ossl_ctr(key, 32, cb, ct, sizeof(pt), back));
		EXPECT_EQ(0, memcmp(back, pt, sizeof(pt)));
		ASSERT_EQ(0, ctr_run(self->fd, self->s, KHSM_OP_DECRYPT, k, &p,
				     ref, sizeof(pt), parts[i], back, &rv));
		EXPECT_EQ(0, memcmp(back, pt, sizeof(pt)));
	}

	/*
	 * 8 counter bits from ...fe: blocks fe, ff, then 00, 01 with the
	 * other 120 bits unchanged (OpenSSL would carry into them).
	 */
	cb[15] = 0xfe;
	ctr_param(&p, 8, cb);
	ASSERT_EQ(0, ossl_ctr(key, 32, cb, pt, 32, ref));
	cb[15] = 0x00;
	ASSERT_EQ(0, ossl_ctr(key, 32, cb, pt + 32, 40, ref + 32));
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		ASSERT_EQ(0, ctr_run(self->fd, self->s, KHSM_OP_ENCRYPT, k, &p,
				     pt, 72, parts[i], ct, &rv));
		EXPECT_EQ(0, memcmp(ct, ref, 72)) TH_LOG("parts of %zu", parts[i]);
	}
	/* 128 bits over the same block: OpenSSL's carry. */
	cb[15] = 0xfe;
	ctr_param(&p, 128, cb);
	ASSERT_EQ(0, ossl_ctr(key, 32, cb, pt, 72, ref));
	ASSERT_EQ(0, ctr_run(self->fd, self->s, KHSM_OP_ENCRYPT, k, &p, pt, 72,
			     0, ct, &rv));
	EXPECT_EQ(0, memcmp(ct, ref, 72));

	/*
	 * 2 counter bits: 4 counter values, 64 bytes. A 65th byte would use
	 * the first one again: CKR_DATA_LEN_RANGE, nothing output, the
	 * operation ended; one-shot and multi-part, both directions.
	 */
	ctr_param(&p, 2, cb);
	for (op = KHSM_OP_ENCRYPT; op <= KHSM_OP_DECRYPT; op++) {
		ASSERT_EQ(0, ctr_run(self->fd, self->s, op, k, &p, pt, 64, 0,
				     ct, &rv));
		ASSERT_OK(t_op_init(self->fd, self->s, op, CKM_AES_CTR, k, &p,
				    sizeof(p), &rv), rv);
		len = sizeof(ct);
		memset(ct, 0x5a, sizeof(ct));
		EXPECT_EQ(EINVAL, t_op_data(self->fd, self->s, op,
					    KHSM_DATA_ONESHOT, pt, 65, ct, &len,
					    &rv));
		EXPECT_EQ(CKR_DATA_LEN_RANGE, rv);
		EXPECT_EQ(0x5a, ct[0]);
		EXPECT_EQ(ENOMSG, t_op_data(self->fd, self->s, op,
					    KHSM_DATA_UPDATE, pt, 1, ct, &len,
					    &rv));
		/* 1 + 63 bytes fill the 4 blocks, one byte more does not */
		ASSERT_OK(t_op_init(self->fd, self->s, op, CKM_AES_CTR, k, &p,
				    sizeof(p), &rv), rv);
		len = 1;
		ASSERT_OK(t_op_data(self->fd, self->s, op, KHSM_DATA_UPDATE,
				    pt, 1, ct, &len, &rv), rv);
		len = 63;
		ASSERT_OK(t_op_data(self->fd, self->s, op, KHSM_DATA_UPDATE,
				    pt + 1, 63, ct + 1, &len, &rv), rv);
		len = 1;
		EXPECT_EQ(EINVAL, t_op_data(self->fd, self->s, op,
					    KHSM_DATA_UPDATE, pt + 64, 1,
					    ct + 64, &len, &rv));
		EXPECT_EQ(CKR_DATA_LEN_RANGE, rv);
		len = 16;
		EXPECT_EQ(ENOMSG, t_op_data(self->fd, self->s, op,
					    KHSM_DATA_FINAL, NULL, 0, ct, &len,
					    &rv));
		EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED, rv);
	}
	/* Exactly 64 bytes, then a 0-byte final, are fine. */
	ASSERT_EQ(0, ctr_run(self->fd, self->s, KHSM_OP_ENCRYPT, k, &p, pt, 64,
			     17, ct, &rv));

	/* Counter bits 0 and 129, a short parameter, a reserved word. */
	ctr_param(&p, 0, cb);
	EXPECT_EQ(EINVAL, t_op_init(self->fd, self->s, KHSM_OP_ENCRYPT,
				    CKM_AES_CTR, k, &p, sizeof(p), &rv));
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, rv);
	ctr_param(&p, 129, cb);
	EXPECT_EQ(EINVAL, t_op_init(self->fd, self->s, KHSM_OP_ENCRYPT,
				    CKM_AES_CTR, k, &p, sizeof(p), &rv));
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, rv);
	ctr_param(&p, 128, cb);
	EXPECT_EQ(EINVAL, t_op_init(self->fd, self->s, KHSM_OP_DECRYPT,
				    CKM_AES_CTR, k, &p, 16, &rv));
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, rv);
	EXPECT_EQ(EINVAL, t_op_init(self->fd, self->s, KHSM_OP_DECRYPT,
				    CKM_AES_CTR, k, NULL, 0, &rv));
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, rv);
	p.reserved = 1;
	rv = 0;
	EXPECT_EQ(EINVAL, t_op_init(self->fd, self->s, KHSM_OP_ENCRYPT,
				    CKM_AES_CTR, k, &p, sizeof(p), &rv));
	EXPECT_EQ(0U, rv);
}

/* One single-part KW/KWP operation; returns the errno, *len the output. */
static int kw_run(int fd, __u32 s, __u32 op, __u32 mech, __u32 k,
		  const void *iv, __u32 iv_len, const __u8 *in, size_t n,
		  __u8 *out, __u64 *len, __u32 *rv)
{
	int err = t_op_init(fd, s, op, mech, k, iv, iv_len, rv);

	if (err || *rv)
		return err ? err : -1;
	return t_op_data(fd, s, op, KHSM_DATA_ONESHOT, in, n, out, len, rv);
}

TEST_F(cr, aes_key_wrap_rfc_openssl_and_tamper)
{
	static const size_t kw_lens[] = { 16, 24, 32, 40, 256, 4096 };
	static const size_t kwp_lens[] = { 1, 7, 8, 9, 16, 20, 31, 32, 33, 4097 };
	static __u8 pt[4104], ct[4200], ref[4200], back[4200];
	static const __u8 iv8[8] = "8-byteIV", iv4[4] = "iv4!";
	unsigned int i, ks, pad;
	__u8 key[32];
	__u32 k, rv;
	__u64 len;
	int rl;

	/* RFC 3394 4.1 (default IV), wrap and unwrap. */
	t_unhex("000102030405060708090a0b0c0d0e0f", key, 16);
	t_unhex("00112233445566778899aabbccddeeff", pt, 16);
	t_unhex("1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5", ref, 24);
	k = t_aes_key(self->fd, self->s, key, 16);
	ASSERT_NE(0U, k);
	len = 0;
	ASSERT_OK(kw_run(self->fd, self->s, KHSM_OP_ENCRYPT, CKM_AES_KEY_WRAP,
			 k, NULL, 0, pt, 16, NULL, &len, &rv), rv);
	EXPECT_EQ(24ULL, len);
	/* the length query kept the operation */
	len = 24;
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_ENCRYPT,
			    KHSM_DATA_ONESHOT, pt, 16, ct, &len, &rv), rv);
	EXPECT_EQ(24ULL, len);
	EXPECT_EQ(0, memcmp(ct, ref, 24));
	len = sizeof(back);
	ASSERT_OK(kw_run(self->fd, self->s, KHSM_OP_DECRYPT, CKM_AES_KEY_WRAP,
			 k, NULL, 0, ref, 24, back, &len, &rv), rv);
	EXPECT_EQ(16ULL, len);
	EXPECT_EQ(0, memcmp(back, pt, 16));
	/* RFC 5649 6: 7-byte key with a 192-bit KEK. */
	t_unhex("5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8", key, 24);
	k = t_aes_key(self->fd, self->s, key, 24);
	ASSERT_NE(0U, k);
	len = sizeof(ct);
	ASSERT_OK(kw_run(self->fd, self->s, KHSM_OP_ENCRYPT,
			 CKM_AES_KEY_WRAP_KWP, k, NULL, 0,
			 (const __u8 *)"ForPasi", 7, ct, &len, &rv), rv);
	t_unhex("afbeb0f07dfbf5419200f2ccb50bb24f", ref, 16);
	EXPECT_EQ(16ULL, len);
	EXPECT_EQ(0, memcmp(ct, ref, 16));
	/* an upper bound for the unwrapped length, then the exact one */
	len = 0;
	ASSERT_OK(kw_run(self->fd, self->s, KHSM_OP_DECRYPT,
			 CKM_AES_KEY_WRAP_KWP, k, NULL, 0, ref, 16, NULL, &len,
			 &rv), rv);
	EXPECT_EQ(8ULL, len);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_DECRYPT,
			    KHSM_DATA_ONESHOT, ref, 16, back, &len, &rv), rv);
	EXPECT_EQ(7ULL, len);
	EXPECT_EQ(0, memcmp(back, "ForPasi", 7));

	/* Every key size, many lengths, both IVs: the token and OpenSSL. */
	for (i = 0; i < sizeof(pt); i++)
		pt[i] = i * 31 + 7;
	for (ks = 16; ks <= 32; ks += 8) {
		for (i = 0; i < ks; i++)
			key[i] = i * 3 + ks;
		k = t_aes_key(self->fd, self->s, key, ks);
		ASSERT_NE(0U, k);
		for (pad = 0; pad < 2; pad++) {
			const size_t *lens = pad ? kwp_lens : kw_lens;
			unsigned int nl = pad ? 10 : 6, j, withiv;
			__u32 mech = pad ? CKM_AES_KEY_WRAP_KWP : CKM_AES_KEY_WRAP;

			for (j = 0; j < nl; j++) {
				for (withiv = 0; withiv < 2; withiv++) {
					const __u8 *iv = !withiv ? NULL :
							 pad ? iv4 : iv8;
					__u32 ivl = !withiv ? 0 : pad ? 4 : 8;
					size_t n = lens[j];

					len = sizeof(ct);
					ASSERT_OK(kw_run(self->fd, self->s,
							 KHSM_OP_ENCRYPT, mech, k,
							 iv, ivl, pt, n, ct, &len,
							 &rv), rv);
					rl = ossl_wrap(0, pad, key, ks, iv, ct,
						       len, back);
					ASSERT_EQ((int)n, rl)
						TH_LOG("ks %u pad %u n %zu", ks,
						       pad, n);
					EXPECT_EQ(0, memcmp(back, pt, n));
					rl = ossl_wrap(1, pad, key, ks, iv, pt,
						       n, ref);
					ASSERT_EQ((int)len, rl);
					EXPECT_EQ(0, memcmp(ref, ct, len));
					len = sizeof(back);
					memset(back, 0, sizeof(back));
					ASSERT_OK(kw_run(self->fd, self->s,
							 KHSM_OP_DECRYPT, mech, k,
							 iv, ivl, ref, rl, back,
							 &len, &rv), rv);
					EXPECT_EQ(n, len);
					EXPECT_EQ(0, memcmp(back, pt, n));
				}
			}
		}
	}

	/*
	 * Tampered, truncated (by a semiblock, and not to a semiblock),
	 * the other IV: CKR_ENCRYPTED_DATA_INVALID / _LEN_RANGE, and no
	 * output at all.
	 */
	for (pad = 0; pad < 2; pad++) {
		__u32 mech = pad ? CKM_AES_KEY_WRAP_KWP : CKM_AES_KEY_WRAP;
		size_t n = 40;

		len = sizeof(ct);
		ASSERT_OK(kw_run(self->fd, self->s, KHSM_OP_ENCRYPT, mech, k,
				 NULL, 0, pt, n, ct, &len, &rv), rv);
		ASSERT_EQ(48ULL, len);
		for (i = 0; i < 48; i += 47) {
			ct[i] ^= 0x20;
			len = sizeof(back);
			memset(back, 0x5a, sizeof(back));
			EXPECT_EQ(EBADMSG, kw_run(self->fd, self->s,
						  KHSM_OP_DECRYPT, mech, k, NULL,
						  0, ct, 48, back, &len, &rv));
			EXPECT_EQ(CKR_ENCRYPTED_DATA_INVALID, rv);
			EXPECT_EQ(0x5a, back[0]);
			ct[i] ^= 0x20;
		}
		len = sizeof(back);
		EXPECT_EQ(EBADMSG, kw_run(self->fd, self->s, KHSM_OP_DECRYPT,
					  mech, k, NULL, 0, ct, 40, back, &len,
					  &rv));
		EXPECT_EQ(CKR_ENCRYPTED_DATA_INVALID, rv);
		EXPECT_EQ(0x5a, back[0]);
		len = sizeof(back);
		EXPECT_EQ(EBADMSG, kw_run(self->fd, self->s, KHSM_OP_DECRYPT,
					  mech, k, NULL, 0, ct, 45, back, &len,
					  &rv));
		EXPECT_EQ(CKR_ENCRYPTED_DATA_LEN_RANGE, rv);
		len = sizeof(back);
		EXPECT_EQ(EBADMSG, kw_run(self->fd, self->s, KHSM_OP_DECRYPT,
					  mech, k, pad ? iv4 : iv8, pad ? 4 : 8,
					  ct, 48, back, &len, &rv));
		EXPECT_EQ(CKR_ENCRYPTED_DATA_INVALID, rv);
		EXPECT_EQ(0x5a, back[0]);
		/* too short to be wrapped data */
		len = sizeof(back);
		EXPECT_EQ(EBADMSG, kw_run(self->fd, self->s, KHSM_OP_DECRYPT,
					  mech, k, NULL, 0, ct, pad ? 8 : 16,
					  back, &len, &rv));
		EXPECT_EQ(CKR_ENCRYPTED_DATA_LEN_RANGE, rv);
		/* single-part only: an update ends the operation */
		ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_ENCRYPT, mech, k,
				    NULL, 0, &rv), rv);
		len = sizeof(ct);
		EXPECT_EQ(ENOMSG, t_op_data(self->fd, self->s, KHSM_OP_ENCRYPT,
					    KHSM_DATA_UPDATE, pt, 16, ct, &len,
					    &rv));
		EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED, rv);
		EXPECT_EQ(ENOMSG, t_op_data(self->fd, self->s, KHSM_OP_ENCRYPT,
					    KHSM_DATA_ONESHOT, pt, 16, ct, &len,
					    &rv));
		/* IVs of the wrong length */
		EXPECT_EQ(EINVAL, t_op_init(self->fd, self->s, KHSM_OP_ENCRYPT,
					    mech, k, iv8, pad ? 8 : 4, &rv));
		EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, rv);
		EXPECT_EQ(EINVAL, t_op_init(self->fd, self->s, KHSM_OP_DECRYPT,
					    mech, k, iv8, 1, &rv));
		EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, rv);
	}
	/* Plaintext lengths KW cannot take, and KWP's empty one. */
	for (i = 0; i < 4; i++) {
		static const size_t bad[] = { 0, 8, 17, 33 };

		len = sizeof(ct);
		EXPECT_EQ(EINVAL, kw_run(self->fd, self->s, KHSM_OP_ENCRYPT,
					 CKM_AES_KEY_WRAP, k, NULL, 0, pt,
					 bad[i], ct, &len, &rv));
		EXPECT_EQ(CKR_DATA_LEN_RANGE, rv);
	}
	len = sizeof(ct);
	EXPECT_EQ(EINVAL, kw_run(self->fd, self->s, KHSM_OP_ENCRYPT,
				 CKM_AES_KEY_WRAP_KWP, k, NULL, 0, pt, 0, ct,
				 &len, &rv));
	EXPECT_EQ(CKR_DATA_LEN_RANGE, rv);
}

TEST_F(cr, aes_keygen_gcm_round_trip_96bit_tag)
{
	struct t_tmpl t;
	struct khsm_keygen g;
	__u8 iv[12] = "unique-nonce", param[64], out[64], back[64];
	const char *msg = "attack at dawn";
	__u32 rv, pl;
	__u64 len;

	t_tmpl_init(&t);
	t_add_ulong(&t, CKA_VALUE_LEN, 32);
	t_add_bool(&t, CKA_ENCRYPT, 1);
	t_add_bool(&t, CKA_DECRYPT, 1);
	T_INIT(g);
	g.session = self->s;
	g.mechanism = CKM_AES_KEY_GEN;
	g.pub_template = (uintptr_t)t.a;
	g.pub_count = t.n;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_GENERATE_KEY, &g));
	ASSERT_NE(0U, g.pub_handle);
	EXPECT_EQ(0U, g.priv_handle);

	pl = gcm_param(param, iv, 12, NULL, 0, 96);
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_ENCRYPT, CKM_AES_GCM,
			    g.pub_handle, param, pl, &rv), rv);
	len = 0;
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_ENCRYPT, KHSM_DATA_ONESHOT,
			    msg, strlen(msg), NULL, &len, &rv), rv);
	EXPECT_LE(strlen(msg) + 12, len);
	len = sizeof(out);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_ENCRYPT, KHSM_DATA_ONESHOT,
			    msg, strlen(msg), out, &len, &rv), rv);
	EXPECT_EQ(strlen(msg) + 12, len);
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_DECRYPT, CKM_AES_GCM,
			    g.pub_handle, param, pl, &rv), rv);
	__u64 clen = len;

	len = sizeof(back);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_DECRYPT, KHSM_DATA_ONESHOT,
			    out, clen, back, &len, &rv), rv);
	EXPECT_EQ(strlen(msg), len);
	EXPECT_EQ(0, memcmp(back, msg, strlen(msg)));

	/* Key sizes other than 16/24/32 are refused. */
	t_tmpl_init(&t);
	t_add_ulong(&t, CKA_VALUE_LEN, 20);
	g.pub_template = (uintptr_t)t.a;
	g.pub_count = t.n;
	g.pub_handle = 0;
	g.rv = 0;
	EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_GENERATE_KEY, &g));
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, g.rv);
	/* CKA_VALUE_LEN is required. */
	t_tmpl_init(&t);
	t_add_bool(&t, CKA_ENCRYPT, 1);
	g.pub_template = (uintptr_t)t.a;
	g.pub_count = t.n;
	g.rv = 0;
	EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_GENERATE_KEY, &g));
	EXPECT_EQ(CKR_TEMPLATE_INCOMPLETE, g.rv);
}

TEST_F(cr, ecdsa_p256_sign_verify_openssl)
{
	__u8 point[80], sig[80], hash[32], bad[80];
	const char *msg = "message signed by khsm";
	__u64 plen = sizeof(point), len;
	unsigned int hl;
	__u32 pub, priv, rv;

	ASSERT_OK(t_gen_p256(self->fd, self->s, 0, &pub, &priv, &rv), rv);
	ASSERT_OK(t_get_attr(self->fd, self->s, pub, CKA_EC_POINT, point, &plen, &rv), rv);
	ASSERT_EQ(67ULL, plen);

	/* CKM_ECDSA over a SHA-256 hash. */
	ASSERT_EQ(1, EVP_Digest(msg, strlen(msg), hash, &hl, EVP_sha256(), NULL));
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_SIGN, CKM_ECDSA, priv, NULL, 0,
			    &rv), rv);
	len = sizeof(sig);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_SIGN, KHSM_DATA_ONESHOT, hash,
			    32, sig, &len, &rv), rv);
	ASSERT_EQ(64ULL, len);
	EXPECT_EQ(1, ossl_p256_verify(point, plen, hash, 32, sig, 64, NULL));
	/* The token verifies it too. */
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_VERIFY, CKM_ECDSA, pub, NULL, 0,
			    &rv), rv);
	len = 64;
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_VERIFY, KHSM_DATA_ONESHOT, hash,
			    32, sig, &len, &rv), rv);

	/* A flipped bit is CKR_SIGNATURE_INVALID. */
	memcpy(bad, sig, 64);
	bad[10] ^= 0x04;
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_VERIFY, CKM_ECDSA, pub, NULL, 0,
			    &rv), rv);
	len = 64;
	EXPECT_EQ(EBADMSG, t_op_data(self->fd, self->s, KHSM_OP_VERIFY,
				     KHSM_DATA_ONESHOT, hash, 32, bad, &len, &rv));
	EXPECT_EQ(CKR_SIGNATURE_INVALID, rv);
	EXPECT_EQ(0, ossl_p256_verify(point, plen, hash, 32, bad, 64, NULL));
	/* r = 0 and s = 0 are invalid, not a crash. */
	memset(bad, 0, 64);
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_VERIFY, CKM_ECDSA, pub, NULL, 0,
			    &rv), rv);
	len = 64;
	EXPECT_EQ(EBADMSG, t_op_data(self->fd, self->s, KHSM_OP_VERIFY,
				     KHSM_DATA_ONESHOT, hash, 32, bad, &len, &rv));
	EXPECT_EQ(CKR_SIGNATURE_INVALID, rv);
	/* A signature of the wrong length. */
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_VERIFY, CKM_ECDSA, pub, NULL, 0,
			    &rv), rv);
	len = 63;
	EXPECT_EQ(EINVAL, t_op_data(self->fd, self->s, KHSM_OP_VERIFY,
				    KHSM_DATA_ONESHOT, hash, 32, sig, &len, &rv));
	EXPECT_EQ(CKR_SIGNATURE_LEN_RANGE, rv);

	/* CKM_ECDSA_SHA256, one-shot and multi-part. */
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_SIGN, CKM_ECDSA_SHA256, priv,
			    NULL, 0, &rv), rv);
	len = sizeof(sig);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_SIGN, KHSM_DATA_ONESHOT, msg,
			    strlen(msg), sig, &len, &rv), rv);
	ASSERT_EQ(64ULL, len);
	EXPECT_EQ(1, ossl_p256_verify(point, plen, (const __u8 *)msg, strlen(msg),
				      sig, 64, "SHA256"));
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_SIGN, CKM_ECDSA_SHA256, priv,
			    NULL, 0, &rv), rv);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_SIGN, KHSM_DATA_UPDATE, msg,
			    7, NULL, NULL, &rv), rv);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_SIGN, KHSM_DATA_UPDATE,
			    msg + 7, strlen(msg) - 7, NULL, NULL, &rv), rv);
	len = sizeof(sig);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_SIGN, KHSM_DATA_FINAL, NULL,
			    0, sig, &len, &rv), rv);
	ASSERT_EQ(64ULL, len);
	EXPECT_EQ(1, ossl_p256_verify(point, plen, (const __u8 *)msg, strlen(msg),
				      sig, 64, "SHA256"));
	/* Multi-part verify on the token. */
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_VERIFY, CKM_ECDSA_SHA256, pub,
			    NULL, 0, &rv), rv);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_VERIFY, KHSM_DATA_UPDATE, msg,
			    3, NULL, NULL, &rv), rv);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_VERIFY, KHSM_DATA_UPDATE,
			    msg + 3, strlen(msg) - 3, NULL, NULL, &rv), rv);
	len = 64;
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_VERIFY, KHSM_DATA_FINAL, NULL,
			    0, sig, &len, &rv), rv);
	/* Two signatures of the same hash differ (random k). */
	__u8 sig2[64];

	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_SIGN, CKM_ECDSA, priv, NULL, 0,
			    &rv), rv);
	len = sizeof(sig);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_SIGN, KHSM_DATA_ONESHOT, hash,
			    32, sig, &len, &rv), rv);
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_SIGN, CKM_ECDSA, priv, NULL, 0,
			    &rv), rv);
	len = sizeof(sig2);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_SIGN, KHSM_DATA_ONESHOT, hash,
			    32, sig2, &len, &rv), rv);
	EXPECT_NE(0, memcmp(sig, sig2, 32));
	EXPECT_EQ(1, ossl_p256_verify(point, plen, hash, 32, sig2, 64, NULL));
}

static __u64 get_ulong(int fd, __u32 s, __u32 obj, __u32 type)
{
	__u64 v = ~0ULL, len = 8;
	__u32 rv;

	if (t_get_attr(fd, s, obj, type, &v, &len, &rv) || len != 8)
		return ~0ULL;
	return v;
}

TEST_F(cr, generated_key_attributes)
{
	struct t_tmpl t;
	struct khsm_keygen g;
	__u32 pub, priv, rv;

	ASSERT_OK(t_gen_p256(self->fd, self->s, 0, &pub, &priv, &rv), rv);
	EXPECT_EQ((__u64)CKO_PUBLIC_KEY, get_ulong(self->fd, self->s, pub, CKA_CLASS));
	EXPECT_EQ((__u64)CKK_EC, get_ulong(self->fd, self->s, pub, CKA_KEY_TYPE));
	EXPECT_EQ((__u64)CKO_PRIVATE_KEY, get_ulong(self->fd, self->s, priv, CKA_CLASS));
	EXPECT_EQ((__u64)CKK_EC, get_ulong(self->fd, self->s, priv, CKA_KEY_TYPE));
	EXPECT_EQ((__u64)CKM_EC_KEY_PAIR_GEN,
		  get_ulong(self->fd, self->s, priv, CKA_KEY_GEN_MECHANISM));

	t_tmpl_init(&t);
	t_add_ulong(&t, CKA_VALUE_LEN, 16);
	T_INIT(g);
	g.session = self->s;
	g.mechanism = CKM_AES_KEY_GEN;
	g.pub_template = (uintptr_t)t.a;
	g.pub_count = t.n;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_GENERATE_KEY, &g));
	EXPECT_EQ((__u64)CKO_SECRET_KEY,
		  get_ulong(self->fd, self->s, g.pub_handle, CKA_CLASS));
	EXPECT_EQ((__u64)CKK_AES,
		  get_ulong(self->fd, self->s, g.pub_handle, CKA_KEY_TYPE));
	EXPECT_EQ(16ULL, get_ulong(self->fd, self->s, g.pub_handle, CKA_VALUE_LEN));
	EXPECT_EQ((__u64)CKM_AES_KEY_GEN,
		  get_ulong(self->fd, self->s, g.pub_handle, CKA_KEY_GEN_MECHANISM));
}

TEST_F(cr, ecdsa_sha_family_openssl)
{
	static const struct {
		__u32 mech;
		const char *md;
	} fam[] = {
		{ CKM_ECDSA_SHA1, "SHA1" }, { CKM_ECDSA_SHA224, "SHA224" },
		{ CKM_ECDSA_SHA256, "SHA256" }, { CKM_ECDSA_SHA384, "SHA384" },
		{ CKM_ECDSA_SHA512, "SHA512" },
	};
	const char *msg = "the ECDSA-with-SHA family";
	__u8 point[80], sig[80];
	__u64 plen = sizeof(point), len;
	__u32 pub, priv, rv;
	unsigned int i;

	ASSERT_OK(t_gen_p256(self->fd, self->s, 0, &pub, &priv, &rv), rv);
	ASSERT_OK(t_get_attr(self->fd, self->s, pub, CKA_EC_POINT, point, &plen, &rv), rv);
	for (i = 0; i < sizeof(fam) / sizeof(fam[0]); i++) {
		ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_SIGN, fam[i].mech, priv,
				    NULL, 0, &rv), rv);
		len = sizeof(sig);
		ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_SIGN, KHSM_DATA_ONESHOT,
				    msg, strlen(msg), sig, &len, &rv), rv);
		ASSERT_EQ(64ULL, len);
		EXPECT_EQ(1, ossl_p256_verify(point, plen, (const __u8 *)msg,
					      strlen(msg), sig, 64, fam[i].md))
			TH_LOG("%s", fam[i].md);
		ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_VERIFY, fam[i].mech, pub,
				    NULL, 0, &rv), rv);
		len = 64;
		EXPECT_EQ(0, t_op_data(self->fd, self->s, KHSM_OP_VERIFY,
				       KHSM_DATA_ONESHOT, msg, strlen(msg), sig, &len, &rv));
	}
}

TEST_F(cr, sign_length_protocol_keeps_operation)
{
	__u8 sig[64], hash[32] = { 0x42 }, point[80];
	__u64 len, plen = sizeof(point);
	__u32 pub, priv, rv;

	ASSERT_OK(t_gen_p256(self->fd, self->s, 0, &pub, &priv, &rv), rv);
	ASSERT_OK(t_get_attr(self->fd, self->s, pub, CKA_EC_POINT, point, &plen, &rv), rv);
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_SIGN, CKM_ECDSA, priv, NULL, 0,
			    &rv), rv);
	len = 0;
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_SIGN, KHSM_DATA_ONESHOT, hash,
			    32, NULL, &len, &rv), rv);
	EXPECT_EQ(64ULL, len);
	len = 10;
	EXPECT_EQ(ENOSPC, t_op_data(self->fd, self->s, KHSM_OP_SIGN,
				    KHSM_DATA_ONESHOT, hash, 32, sig, &len, &rv));
	EXPECT_EQ(CKR_BUFFER_TOO_SMALL, rv);
	EXPECT_EQ(64ULL, len);
	len = sizeof(sig);
	ASSERT_OK(t_op_data(self->fd, self->s, KHSM_OP_SIGN, KHSM_DATA_ONESHOT, hash,
			    32, sig, &len, &rv), rv);
	EXPECT_EQ(64ULL, len);
	EXPECT_EQ(1, ossl_p256_verify(point, plen, hash, 32, sig, 64, NULL));
	len = sizeof(sig);
	EXPECT_EQ(ENOMSG, t_op_data(self->fd, self->s, KHSM_OP_SIGN,
				    KHSM_DATA_ONESHOT, hash, 32, sig, &len, &rv));
	EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED, rv);
}

TEST_F(cr, ec_keygen_curve_errors)
{
	static const __u8 k1[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a };
	static const __u8 junk[] = { 0x06, 0x20, 0x2a };
	struct t_tmpl pt, kt;
	struct khsm_keygen g;

	t_tmpl_init(&pt);
	t_add_bytes(&pt, CKA_EC_PARAMS, k1, sizeof(k1));
	t_tmpl_init(&kt);
	t_add_bool(&kt, CKA_SIGN, 1);
	T_INIT(g);
	g.session = self->s;
	g.mechanism = CKM_EC_KEY_PAIR_GEN;
	g.pub_template = (uintptr_t)pt.a;
	g.pub_count = pt.n;
	g.priv_template = (uintptr_t)kt.a;
	g.priv_count = kt.n;
	EXPECT_EQ(EOPNOTSUPP, t_ioctl(self->fd, KHSM_IOC_GENERATE_KEY_PAIR, &g));
	EXPECT_EQ(CKR_CURVE_NOT_SUPPORTED, g.rv);
	EXPECT_EQ(0U, g.pub_handle);
	EXPECT_EQ(0U, g.priv_handle);

	t_tmpl_init(&pt);
	t_add_bytes(&pt, CKA_EC_PARAMS, junk, sizeof(junk));
	g.pub_template = (uintptr_t)pt.a;
	g.rv = 0;
	EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_GENERATE_KEY_PAIR, &g));
	EXPECT_EQ(CKR_DOMAIN_PARAMS_INVALID, g.rv);

	/* No CKA_EC_PARAMS at all. */
	t_tmpl_init(&pt);
	t_add_bool(&pt, CKA_VERIFY, 1);
	g.pub_template = (uintptr_t)pt.a;
	g.pub_count = pt.n;
	g.rv = 0;
	EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_GENERATE_KEY_PAIR, &g));
	EXPECT_EQ(CKR_TEMPLATE_INCOMPLETE, g.rv);
}

TEST_F(cr, random)
{
	struct khsm_random r;
	__u8 a[64], b[64], zero[64] = { 0 };

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	T_INIT(r);
	r.session = self->s;
	r.buf = (uintptr_t)a;
	r.len = sizeof(a);
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_GENERATE_RANDOM, &r));
	r.buf = (uintptr_t)b;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_GENERATE_RANDOM, &r));
	EXPECT_NE(0, memcmp(a, zero, 64));
	EXPECT_NE(0, memcmp(a, b, 64));
	/* Exactly len bytes are written. */
	memset(a, 0xcc, sizeof(a));
	r.buf = (uintptr_t)a;
	r.len = 5;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_GENERATE_RANDOM, &r));
	EXPECT_EQ(0xcc, a[5]);
	EXPECT_EQ(0xcc, a[63]);
	/* Invalid session. */
	r.session = self->s + 100;
	EXPECT_EQ(ENOENT, t_ioctl(self->fd, KHSM_IOC_GENERATE_RANDOM, &r));
	EXPECT_EQ(CKR_SESSION_HANDLE_INVALID, r.rv);
}

TEST_F(cr, mechanism_list_exact)
{
	struct khsm_mech_list ml;
	struct khsm_mech_info mi;
	__u32 mechs[256];
	unsigned int i, j;

	T_INIT(ml);
	ml.count = 256;
	ml.mechs = (uintptr_t)mechs;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_MECH_LIST, &ml));
	ASSERT_EQ(KHSM_N_EXPECTED_MECHS, ml.count);
	for (i = 0; i < KHSM_N_EXPECTED_MECHS; i++) {
		for (j = 0; j < ml.count; j++)
			if (mechs[j] == khsm_expected_mechs[i])
				break;
		EXPECT_LT(j, ml.count) TH_LOG("mechanism 0x%lx missing",
					      khsm_expected_mechs[i]);
		T_INIT(mi);
		mi.mechanism = khsm_expected_mechs[i];
		ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_MECH_INFO, &mi));
		EXPECT_EQ(khsm_expected_mech_flags(mi.mechanism),
			  mi.flags & khsm_expected_mech_flags(mi.mechanism))
			TH_LOG("mechanism 0x%x flags 0x%llx", mi.mechanism,
			       (unsigned long long)mi.flags);
	}
	T_INIT(mi);
	mi.mechanism = CKM_EC_KEY_PAIR_GEN;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_MECH_INFO, &mi));
	EXPECT_EQ(256ULL, mi.min_key_size);
	/* AES key wrap: C_Encrypt/C_Decrypt and C_WrapKey/C_UnwrapKey. */
	T_INIT(mi);
	mi.mechanism = CKM_AES_KEY_WRAP_KWP;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_MECH_INFO, &mi));
	EXPECT_EQ((__u64)(CKF_ENCRYPT | CKF_DECRYPT | CKF_WRAP | CKF_UNWRAP),
		  mi.flags);
	T_INIT(mi);
	mi.mechanism = CKM_AES_KEY_GEN;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_MECH_INFO, &mi));
	EXPECT_EQ(16ULL, mi.min_key_size);
	EXPECT_EQ(32ULL, mi.max_key_size);
}

TEST_HARNESS_MAIN
