// SPDX-License-Identifier: GPL-2.0
/*
 * Single-part operations on 16 MiB through khsm-pkcs11.so (the kernel
 * streams input above its 64 KiB chunk), each result checked against
 * OpenSSL computing the same thing one-shot: C_Digest (SHA-256),
 * C_Encrypt/C_Decrypt with CKM_AES_GCM and CKM_AES_CBC_PAD, C_Sign/C_Verify
 * with CKM_SHA256_RSA_PKCS (an OpenSSL key imported: the signatures must be
 * identical) and CKM_ECDSA_SHA256 (verified by OpenSSL). The length
 * protocol holds for big inputs: a NULL output gives the size, a short
 * buffer gives CKR_BUFFER_TOO_SMALL and keeps the operation. A GCM
 * ciphertext with a flipped bit releases nothing. Durations go to the log.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "kselftest_harness.h"
#include "p11_util.h"
#include "ossl_check.h"

#define BIG	(16UL << 20)

FIXTURE(big) {
	CK_FUNCTION_LIST_PTR f;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
	unsigned char *in, *out, *back, *ref;
};

FIXTURE_SETUP(big)
{
	P_SETUP_USER_SESSION(self);
	self->in = malloc(BIG);
	self->out = malloc(BIG + 64);
	self->back = malloc(BIG + 64);
	self->ref = malloc(BIG + 64);
	ASSERT_TRUE(self->in && self->out && self->back && self->ref);
	ASSERT_EQ(1, RAND_bytes(self->in, (int)BIG));
}

FIXTURE_TEARDOWN(big)
{
	free(self->in);
	free(self->out);
	free(self->back);
	free(self->ref);
	P_TEARDOWN(self);
}

TEST_F_TIMEOUT(big, digest_sha256, 300)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	CK_MECHANISM m = { CKM_SHA256, NULL, 0 };
	unsigned char md[32], ref[32];
	unsigned int rl;
	CK_ULONG len;
	double t;

	ASSERT_EQ(1, EVP_Digest(self->in, BIG - 3, ref, &rl, EVP_sha256(), NULL));
	ASSERT_EQ(CKR_OK, f->C_DigestInit(self->s, &m));
	len = 0;
	ASSERT_EQ(CKR_OK, f->C_Digest(self->s, self->in, BIG - 3, NULL, &len));
	EXPECT_EQ(32UL, len);
	len = 31;
	EXPECT_EQ(CKR_BUFFER_TOO_SMALL,
		  f->C_Digest(self->s, self->in, BIG - 3, md, &len));
	EXPECT_EQ(32UL, len);
	len = sizeof(md);
	t = p_now();
	ASSERT_EQ(CKR_OK, f->C_Digest(self->s, self->in, BIG - 3, md, &len));
	TH_LOG("C_Digest SHA-256 of 16 MiB: %.2f s", p_now() - t);
	ASSERT_EQ(32UL, len);
	EXPECT_EQ(0, memcmp(md, ref, 32));
	/* Multi-part with 1 MiB updates gives the same. */
	ASSERT_EQ(CKR_OK, f->C_DigestInit(self->s, &m));
	ASSERT_EQ(CKR_OK, f->C_DigestUpdate(self->s, self->in, 1UL << 20));
	ASSERT_EQ(CKR_OK, f->C_DigestUpdate(self->s, self->in + (1UL << 20),
					    BIG - 3 - (1UL << 20)));
	len = sizeof(md);
	ASSERT_EQ(CKR_OK, f->C_DigestFinal(self->s, md, &len));
	EXPECT_EQ(0, memcmp(md, ref, 32));
}

TEST_F_TIMEOUT(big, aes_gcm, 300)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	unsigned char key[32], iv[12], aad[20];
	CK_GCM_PARAMS gp;
	CK_MECHANISM m = { CKM_AES_GCM, &gp, sizeof(gp) };
	CK_ULONG n = BIG - 5, len;
	CK_OBJECT_HANDLE k;
	EVP_CIPHER_CTX *c;
	int a = 0, b = 0;
	double t;

	RAND_bytes(key, sizeof(key));
	RAND_bytes(iv, sizeof(iv));
	RAND_bytes(aad, sizeof(aad));
	ASSERT_EQ(CKR_OK, p_aes_key(f, self->s, key, sizeof(key), &k));
	memset(&gp, 0, sizeof(gp));
	gp.pIv = iv;
	gp.ulIvLen = sizeof(iv);
	gp.ulIvBits = 96;
	gp.pAAD = aad;
	gp.ulAADLen = sizeof(aad);
	gp.ulTagBits = 128;

	/* OpenSSL, one-shot: ciphertext || tag. */
	c = EVP_CIPHER_CTX_new();
	ASSERT_NE(NULL, c);
	ASSERT_EQ(1, EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv));
	ASSERT_EQ(1, EVP_EncryptUpdate(c, NULL, &a, aad, sizeof(aad)));
	ASSERT_EQ(1, EVP_EncryptUpdate(c, self->ref, &a, self->in, (int)n));
	ASSERT_EQ(1, EVP_EncryptFinal_ex(c, self->ref + a, &b));
	ASSERT_EQ(1, EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16,
					 self->ref + n));
	EVP_CIPHER_CTX_free(c);

	ASSERT_EQ(CKR_OK, f->C_EncryptInit(self->s, &m, k));
	len = 0;
	ASSERT_EQ(CKR_OK, f->C_Encrypt(self->s, self->in, n, NULL, &len));
	EXPECT_EQ(n + 16, len);
	len = n;
	EXPECT_EQ(CKR_BUFFER_TOO_SMALL,
		  f->C_Encrypt(self->s, self->in, n, self->out, &len));
	EXPECT_EQ(n + 16, len);
	len = BIG + 64;
	t = p_now();
	ASSERT_EQ(CKR_OK, f->C_Encrypt(self->s, self->in, n, self->out, &len));
	TH_LOG("C_Encrypt AES-GCM of 16 MiB: %.2f s", p_now() - t);
	ASSERT_EQ(n + 16, len);
	EXPECT_EQ(0, memcmp(self->out, self->ref, n + 16));

	ASSERT_EQ(CKR_OK, f->C_DecryptInit(self->s, &m, k));
	len = 0;
	ASSERT_EQ(CKR_OK, f->C_Decrypt(self->s, self->ref, n + 16, NULL, &len));
	EXPECT_EQ(n, len);
	len = BIG + 64;
	t = p_now();
	ASSERT_EQ(CKR_OK, f->C_Decrypt(self->s, self->ref, n + 16, self->back,
				       &len));
	TH_LOG("C_Decrypt AES-GCM of 16 MiB: %.2f s", p_now() - t);
	ASSERT_EQ(n, len);
	EXPECT_EQ(0, memcmp(self->back, self->in, n));

	/* A flipped ciphertext bit: the tag fails, no plaintext comes out. */
	self->ref[n / 2] ^= 1;
	memset(self->back, 0, BIG);
	ASSERT_EQ(CKR_OK, f->C_DecryptInit(self->s, &m, k));
	len = BIG + 64;
	EXPECT_EQ(CKR_ENCRYPTED_DATA_INVALID,
		  f->C_Decrypt(self->s, self->ref, n + 16, self->back, &len));
	{
		static const unsigned char zero[4096];
		size_t off;
		int clean = 1;

		for (off = 0; off < BIG; off += sizeof(zero))
			clean &= !memcmp(self->back + off, zero, sizeof(zero));
		EXPECT_TRUE(clean);
	}
}

TEST_F_TIMEOUT(big, aes_cbc_pad, 300)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	unsigned char key[16], iv[16];
	CK_MECHANISM m = { CKM_AES_CBC_PAD, iv, sizeof(iv) };
	CK_ULONG n = BIG - 7, len;
	CK_OBJECT_HANDLE k;
	int rl;
	double t;

	RAND_bytes(key, sizeof(key));
	RAND_bytes(iv, sizeof(iv));
	ASSERT_EQ(CKR_OK, p_aes_key(f, self->s, key, sizeof(key), &k));
	rl = ossl_cbc(1, key, 16, iv, 1, self->in, (int)n, self->ref);
	ASSERT_EQ((int)((n / 16 + 1) * 16), rl);

	ASSERT_EQ(CKR_OK, f->C_EncryptInit(self->s, &m, k));
	len = 0;
	ASSERT_EQ(CKR_OK, f->C_Encrypt(self->s, self->in, n, NULL, &len));
	EXPECT_EQ((CK_ULONG)rl, len);
	len = 16;
	EXPECT_EQ(CKR_BUFFER_TOO_SMALL,
		  f->C_Encrypt(self->s, self->in, n, self->out, &len));
	EXPECT_EQ((CK_ULONG)rl, len);
	len = BIG + 64;
	t = p_now();
	ASSERT_EQ(CKR_OK, f->C_Encrypt(self->s, self->in, n, self->out, &len));
	TH_LOG("C_Encrypt AES-CBC-PAD of 16 MiB: %.2f s", p_now() - t);
	ASSERT_EQ((CK_ULONG)rl, len);
	EXPECT_EQ(0, memcmp(self->out, self->ref, rl));

	ASSERT_EQ(CKR_OK, f->C_DecryptInit(self->s, &m, k));
	len = BIG + 64;
	ASSERT_EQ(CKR_OK, f->C_Decrypt(self->s, self->ref, rl, self->back,
				       &len));
	ASSERT_EQ(n, len);
	EXPECT_EQ(0, memcmp(self->back, self->in, n));
}

/* An RSA-2048 key from OpenSSL, imported as a private key object. */
static int rsa_import(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		      EVP_PKEY *pk, CK_OBJECT_HANDLE *priv,
		      CK_OBJECT_HANDLE *pub)
{
	static const char *const names[] = {
		OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E,
		OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1,
		OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
		OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
	};
	static const CK_ATTRIBUTE_TYPE types[] = {
		CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT,
		CKA_PRIME_1, CKA_PRIME_2, CKA_EXPONENT_1, CKA_EXPONENT_2,
		CKA_COEFFICIENT,
	};
	unsigned char v[8][256];
	CK_OBJECT_CLASS pc = CKO_PRIVATE_KEY, uc = CKO_PUBLIC_KEY;
	CK_KEY_TYPE kt = CKK_RSA;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE t[12];
	unsigned int i, n = 0;
	int ok = 1;

	t[n++] = (CK_ATTRIBUTE){ CKA_CLASS, &pc, sizeof(pc) };
	t[n++] = (CK_ATTRIBUTE){ CKA_KEY_TYPE, &kt, sizeof(kt) };
	t[n++] = (CK_ATTRIBUTE){ CKA_SIGN, &yes, 1 };
	for (i = 0; i < 8; i++) {
		BIGNUM *bn = NULL;
		int len;

		ok &= EVP_PKEY_get_bn_param(pk, names[i], &bn) == 1;
		len = bn ? BN_bn2bin(bn, v[i]) : 0;
		BN_free(bn);
		t[n++] = (CK_ATTRIBUTE){ types[i], v[i], (CK_ULONG)len };
	}
	if (!ok || f->C_CreateObject(s, t, n, priv) != CKR_OK)
		return -1;
	t[0].pValue = &uc;
	t[2].type = CKA_VERIFY;
	return f->C_CreateObject(s, t, 5, pub) == CKR_OK ? 0 : -1;
}

TEST_F_TIMEOUT(big, sha256_rsa_pkcs, 300)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	unsigned char sig[256], ref[256];
	CK_OBJECT_HANDLE priv, pub;
	EVP_MD_CTX *md;
	EVP_PKEY *pk;
	size_t rl = sizeof(ref);
	CK_ULONG len;
	double t;

	pk = EVP_RSA_gen(2048);
	ASSERT_NE(NULL, pk);
	ASSERT_EQ(0, rsa_import(f, self->s, pk, &priv, &pub));
	md = EVP_MD_CTX_new();
	ASSERT_EQ(1, EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pk));
	ASSERT_EQ(1, EVP_DigestSign(md, ref, &rl, self->in, BIG));
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pk);
	ASSERT_EQ(256UL, rl);

	ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &m, priv));
	len = 0;
	ASSERT_EQ(CKR_OK, f->C_Sign(self->s, self->in, BIG, NULL, &len));
	EXPECT_EQ(256UL, len);
	len = 100;
	EXPECT_EQ(CKR_BUFFER_TOO_SMALL,
		  f->C_Sign(self->s, self->in, BIG, sig, &len));
	len = sizeof(sig);
	t = p_now();
	ASSERT_EQ(CKR_OK, f->C_Sign(self->s, self->in, BIG, sig, &len));
	TH_LOG("C_Sign SHA256_RSA_PKCS of 16 MiB: %.2f s", p_now() - t);
	ASSERT_EQ(256UL, len);
	EXPECT_EQ(0, memcmp(sig, ref, 256));

	ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pub));
	EXPECT_EQ(CKR_OK, f->C_Verify(self->s, self->in, BIG, sig, 256));
	self->in[BIG - 1] ^= 1;
	ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pub));
	EXPECT_EQ(CKR_SIGNATURE_INVALID,
		  f->C_Verify(self->s, self->in, BIG, sig, 256));
}

TEST_F_TIMEOUT(big, ecdsa_sha256, 300)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	CK_MECHANISM m = { CKM_ECDSA_SHA256, NULL, 0 };
	unsigned char point[80], sig[64];
	CK_OBJECT_HANDLE pub, priv;
	CK_ULONG plen, len;
	double t;

	ASSERT_EQ(CKR_OK, p_gen_p256(f, self->s, CK_FALSE, &pub, &priv));
	plen = p_ec_point(f, self->s, pub, point, sizeof(point));
	ASSERT_EQ(67UL, plen);
	ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &m, priv));
	len = 0;
	ASSERT_EQ(CKR_OK, f->C_Sign(self->s, self->in, BIG, NULL, &len));
	EXPECT_EQ(64UL, len);
	len = sizeof(sig);
	t = p_now();
	ASSERT_EQ(CKR_OK, f->C_Sign(self->s, self->in, BIG, sig, &len));
	TH_LOG("C_Sign ECDSA_SHA256 of 16 MiB: %.2f s", p_now() - t);
	ASSERT_EQ(64UL, len);
	EXPECT_EQ(1, ossl_p256_verify(point, plen, self->in, BIG, sig, 64,
				      "SHA256"));
	ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pub));
	EXPECT_EQ(CKR_OK, f->C_Verify(self->s, self->in, BIG, sig, 64));
	sig[10] ^= 1;
	ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pub));
	EXPECT_EQ(CKR_SIGNATURE_INVALID,
		  f->C_Verify(self->s, self->in, BIG, sig, 64));
}

TEST_HARNESS_MAIN
