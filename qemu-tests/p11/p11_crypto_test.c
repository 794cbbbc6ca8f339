// SPDX-License-Identifier: GPL-2.0
/*
 * Cryptography through khsm-pkcs11.so, cross-checked with OpenSSL: ECDSA
 * (raw and SHA-256) signatures verified by OpenSSL with the public point
 * read back; AES-CBC-PAD, AES-GCM, AES-CTR and AES key wrap (RFC 3394,
 * RFC 5649) encrypted on the token and decrypted by OpenSSL, and the other
 * way round; digests; the length protocol;
 * C_GenerateRandom; C_GenerateKey.
 */
#include <string.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "kselftest_harness.h"
#include "p11_util.h"
#include "khsm_mechs.h"
#include "ossl_check.h"

FIXTURE(pc) {
	CK_FUNCTION_LIST_PTR f;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
};

FIXTURE_SETUP(pc)
{
	P_SETUP_USER_SESSION(self);
}

FIXTURE_TEARDOWN(pc)
{
	P_TEARDOWN(self);
}

TEST_F(pc, ecdsa_sign_openssl_verify)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	CK_OBJECT_HANDLE pub, priv;
	CK_MECHANISM raw = { CKM_ECDSA, NULL, 0 }, sha = { CKM_ECDSA_SHA256, NULL, 0 };
	unsigned char point[80], hash[32], sig[80];
	const char *msg = "signed through PKCS#11";
	CK_ULONG plen, len;
	unsigned int hl;

	ASSERT_EQ(CKR_OK, p_gen_p256(f, self->s, CK_FALSE, &pub, &priv));
	plen = p_ec_point(f, self->s, pub, point, sizeof(point));
	ASSERT_EQ(67UL, plen);

	ASSERT_EQ(1, EVP_Digest(msg, strlen(msg), hash, &hl, EVP_sha256(), NULL));
	ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &raw, priv));
	/* Length query, too small, then the signature: one operation. */
	len = 0;
	ASSERT_EQ(CKR_OK, f->C_Sign(self->s, hash, 32, NULL, &len));
	EXPECT_EQ(64UL, len);
	len = 10;
	EXPECT_EQ(CKR_BUFFER_TOO_SMALL, f->C_Sign(self->s, hash, 32, sig, &len));
	EXPECT_EQ(64UL, len);
	len = sizeof(sig);
	ASSERT_EQ(CKR_OK, f->C_Sign(self->s, hash, 32, sig, &len));
	ASSERT_EQ(64UL, len);
	EXPECT_EQ(1, ossl_p256_verify(point, plen, hash, 32, sig, 64, NULL));
	len = sizeof(sig);
	EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED, f->C_Sign(self->s, hash, 32, sig, &len));

	ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &sha, priv));
	ASSERT_EQ(CKR_OK, f->C_SignUpdate(self->s, (CK_BYTE *)msg, 5));
	ASSERT_EQ(CKR_OK, f->C_SignUpdate(self->s, (CK_BYTE *)msg + 5, strlen(msg) - 5));
	len = sizeof(sig);
	ASSERT_EQ(CKR_OK, f->C_SignFinal(self->s, sig, &len));
	ASSERT_EQ(64UL, len);
	EXPECT_EQ(1, ossl_p256_verify(point, plen, (const unsigned char *)msg,
				      strlen(msg), sig, 64, "SHA256"));
	/* C_Verify on the token, good and bad. */
	ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &sha, pub));
	EXPECT_EQ(CKR_OK, f->C_Verify(self->s, (CK_BYTE *)msg, strlen(msg), sig, 64));
	sig[5] ^= 1;
	ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &sha, pub));
	EXPECT_EQ(CKR_SIGNATURE_INVALID,
		  f->C_Verify(self->s, (CK_BYTE *)msg, strlen(msg), sig, 64));
	ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &sha, pub));
	EXPECT_EQ(CKR_SIGNATURE_LEN_RANGE,
		  f->C_Verify(self->s, (CK_BYTE *)msg, strlen(msg), sig, 63));
	/* Usage and type rules through the module are the kernel's. */
	CK_RV rv = f->C_SignInit(self->s, &raw, pub);	/* a public key */

	EXPECT_TRUE(rv == CKR_KEY_TYPE_INCONSISTENT ||
		    rv == CKR_KEY_FUNCTION_NOT_PERMITTED) TH_LOG("rv 0x%lx", rv);
	/* A NULL mechanism cancels (PKCS#11 3.0 5.2). */
	ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &raw, priv));
	EXPECT_EQ(CKR_OK, f->C_SignInit(self->s, NULL, priv));
	len = sizeof(sig);
	EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED, f->C_Sign(self->s, hash, 32, sig, &len));
}

TEST_F(pc, aes_cbc_pad_cross)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	unsigned char key[32], iv[16], pt[77], ct[128], back[128];
	CK_MECHANISM m = { CKM_AES_CBC_PAD, iv, 16 };
	CK_OBJECT_HANDLE k;
	CK_ULONG len, part;
	int rl;

	RAND_bytes(key, sizeof(key));
	RAND_bytes(iv, sizeof(iv));
	RAND_bytes(pt, sizeof(pt));
	ASSERT_EQ(CKR_OK, p_aes_key(f, self->s, key, 32, &k));

	/* Token encrypts, OpenSSL decrypts. */
	ASSERT_EQ(CKR_OK, f->C_EncryptInit(self->s, &m, k));
	len = 0;
	ASSERT_EQ(CKR_OK, f->C_Encrypt(self->s, pt, sizeof(pt), NULL, &len));
	EXPECT_LE(80UL, len);
	len = sizeof(ct);
	ASSERT_EQ(CKR_OK, f->C_Encrypt(self->s, pt, sizeof(pt), ct, &len));
	ASSERT_EQ(80UL, len);
	rl = ossl_cbc(0, key, 32, iv, 1, ct, 80, back);
	ASSERT_EQ((int)sizeof(pt), rl);
	EXPECT_EQ(0, memcmp(back, pt, sizeof(pt)));

	/* OpenSSL encrypts, the token decrypts (multi-part). */
	rl = ossl_cbc(1, key, 32, iv, 1, pt, 33, ct);
	ASSERT_EQ(48, rl);
	ASSERT_EQ(CKR_OK, f->C_DecryptInit(self->s, &m, k));
	part = sizeof(back);
	ASSERT_EQ(CKR_OK, f->C_DecryptUpdate(self->s, ct, 20, back, &part));
	len = part;
	part = sizeof(back) - len;
	ASSERT_EQ(CKR_OK, f->C_DecryptUpdate(self->s, ct + 20, 28, back + len, &part));
	len += part;
	part = sizeof(back) - len;
	ASSERT_EQ(CKR_OK, f->C_DecryptFinal(self->s, back + len, &part));
	len += part;
	EXPECT_EQ(33UL, len);
	EXPECT_EQ(0, memcmp(back, pt, 33));
}

TEST_F(pc, aes_gcm_cross)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	unsigned char key[16], iv[12], aad[24], pt[100], ct[160], back[160];
	CK_GCM_PARAMS gp;
	CK_MECHANISM m = { CKM_AES_GCM, &gp, sizeof(gp) };
	CK_OBJECT_HANDLE k;
	CK_ULONG len;
	int rl;

	RAND_bytes(key, sizeof(key));
	RAND_bytes(iv, sizeof(iv));
	RAND_bytes(aad, sizeof(aad));
	RAND_bytes(pt, sizeof(pt));
	ASSERT_EQ(CKR_OK, p_aes_key(f, self->s, key, 16, &k));
	memset(&gp, 0, sizeof(gp));
	gp.pIv = iv;
	gp.ulIvLen = 12;
	gp.ulIvBits = 96;
	gp.pAAD = aad;
	gp.ulAADLen = sizeof(aad);
	gp.ulTagBits = 128;

	ASSERT_EQ(CKR_OK, f->C_EncryptInit(self->s, &m, k));
	len = sizeof(ct);
	ASSERT_EQ(CKR_OK, f->C_Encrypt(self->s, pt, sizeof(pt), ct, &len));
	ASSERT_EQ(116UL, len);
	rl = ossl_gcm_decrypt(key, 16, iv, 12, aad, sizeof(aad), ct, 100, ct + 100, 16,
			      back);
	ASSERT_EQ(100, rl);
	EXPECT_EQ(0, memcmp(back, pt, 100));

	/* Round trip on the token, then a flipped tag bit. */
	ASSERT_EQ(CKR_OK, f->C_DecryptInit(self->s, &m, k));
	len = sizeof(back);
	ASSERT_EQ(CKR_OK, f->C_Decrypt(self->s, ct, 116, back, &len));
	EXPECT_EQ(100UL, len);
	EXPECT_EQ(0, memcmp(back, pt, 100));
	ct[115] ^= 0x10;
	ASSERT_EQ(CKR_OK, f->C_DecryptInit(self->s, &m, k));
	len = sizeof(back);
	EXPECT_EQ(CKR_ENCRYPTED_DATA_INVALID, f->C_Decrypt(self->s, ct, 116, back, &len));
}

TEST_F(pc, aes_ctr_cross)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	unsigned char key[24], pt[300], ct[320], back[320];
	CK_AES_CTR_PARAMS cp;
	CK_MECHANISM m = { CKM_AES_CTR, &cp, sizeof(cp) };
	CK_OBJECT_HANDLE k;
	CK_ULONG len, part, total;

	RAND_bytes(key, sizeof(key));
	RAND_bytes(cp.cb, sizeof(cp.cb));
	RAND_bytes(pt, sizeof(pt));
	cp.cb[8] &= 0x7f;	/* no carry out of the low 64 bits */
	cp.ulCounterBits = 64;
	ASSERT_EQ(CKR_OK, p_aes_key(f, self->s, key, 24, &k));

	/* Token encrypts (single-part), OpenSSL decrypts. */
	ASSERT_EQ(CKR_OK, f->C_EncryptInit(self->s, &m, k));
	len = 0;
	ASSERT_EQ(CKR_OK, f->C_Encrypt(self->s, pt, sizeof(pt), NULL, &len));
	EXPECT_EQ(sizeof(pt), len);
	len = sizeof(ct);
	ASSERT_EQ(CKR_OK, f->C_Encrypt(self->s, pt, sizeof(pt), ct, &len));
	ASSERT_EQ(sizeof(pt), len);
	ASSERT_EQ(0, ossl_ctr(key, 24, cp.cb, ct, sizeof(pt), back));
	EXPECT_EQ(0, memcmp(back, pt, sizeof(pt)));

	/* OpenSSL encrypts, the token decrypts in parts of 1, 30, the rest. */
	ASSERT_EQ(0, ossl_ctr(key, 24, cp.cb, pt, sizeof(pt), ct));
	ASSERT_EQ(CKR_OK, f->C_DecryptInit(self->s, &m, k));
	part = sizeof(back);
	ASSERT_EQ(CKR_OK, f->C_DecryptUpdate(self->s, ct, 1, back, &part));
	ASSERT_EQ(1UL, part);
	total = part;
	part = sizeof(back) - total;
	ASSERT_EQ(CKR_OK, f->C_DecryptUpdate(self->s, ct + 1, 30, back + total,
					     &part));
	ASSERT_EQ(30UL, part);
	total += part;
	part = sizeof(back) - total;
	ASSERT_EQ(CKR_OK, f->C_DecryptUpdate(self->s, ct + 31, sizeof(pt) - 31,
					     back + total, &part));
	total += part;
	part = sizeof(back) - total;
	ASSERT_EQ(CKR_OK, f->C_DecryptFinal(self->s, back + total, &part));
	EXPECT_EQ(0UL, part);
	EXPECT_EQ(sizeof(pt), total);
	EXPECT_EQ(0, memcmp(back, pt, sizeof(pt)));

	/* 4 counter bits: 16 blocks, then the counter would repeat. */
	cp.ulCounterBits = 4;
	ASSERT_EQ(CKR_OK, f->C_EncryptInit(self->s, &m, k));
	len = sizeof(ct);
	EXPECT_EQ(CKR_DATA_LEN_RANGE, f->C_Encrypt(self->s, pt, 257, ct, &len));
	ASSERT_EQ(CKR_OK, f->C_EncryptInit(self->s, &m, k));
	len = sizeof(ct);
	EXPECT_EQ(CKR_OK, f->C_Encrypt(self->s, pt, 256, ct, &len));
	/* Counter bits the mechanism cannot take. */
	cp.ulCounterBits = 0;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, f->C_EncryptInit(self->s, &m, k));
	cp.ulCounterBits = 129;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, f->C_DecryptInit(self->s, &m, k));
	m.ulParameterLen = 16;
	cp.ulCounterBits = 128;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, f->C_EncryptInit(self->s, &m, k));
}

TEST_F(pc, aes_key_wrap_cross)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	unsigned char key[32], pt[64], ct[80], back[80], iv8[8], iv4[4];
	CK_MECHANISM kw = { CKM_AES_KEY_WRAP, NULL, 0 };
	CK_MECHANISM kwp = { CKM_AES_KEY_WRAP_KWP, iv4, sizeof(iv4) };
	CK_MECHANISM_INFO mi;
	CK_OBJECT_HANDLE k;
	CK_ULONG len;
	int rl;

	RAND_bytes(key, sizeof(key));
	RAND_bytes(pt, sizeof(pt));
	RAND_bytes(iv8, sizeof(iv8));
	RAND_bytes(iv4, sizeof(iv4));
	ASSERT_EQ(CKR_OK, p_aes_key(f, self->s, key, 32, &k));

	/* KW, default IV: the token wraps, OpenSSL unwraps; and back. */
	ASSERT_EQ(CKR_OK, f->C_EncryptInit(self->s, &kw, k));
	len = 0;
	ASSERT_EQ(CKR_OK, f->C_Encrypt(self->s, pt, 32, NULL, &len));
	EXPECT_EQ(40UL, len);
	ASSERT_EQ(CKR_OK, f->C_Encrypt(self->s, pt, 32, ct, &len));
	ASSERT_EQ(40UL, len);
	rl = ossl_wrap(0, 0, key, 32, NULL, ct, 40, back);
	ASSERT_EQ(32, rl);
	EXPECT_EQ(0, memcmp(back, pt, 32));
	rl = ossl_wrap(1, 0, key, 32, NULL, pt, 48, ct);
	ASSERT_EQ(56, rl);
	ASSERT_EQ(CKR_OK, f->C_DecryptInit(self->s, &kw, k));
	len = sizeof(back);
	ASSERT_EQ(CKR_OK, f->C_Decrypt(self->s, ct, 56, back, &len));
	ASSERT_EQ(48UL, len);
	EXPECT_EQ(0, memcmp(back, pt, 48));
	/* a tampered one, then a truncated one */
	ct[20] ^= 1;
	ASSERT_EQ(CKR_OK, f->C_DecryptInit(self->s, &kw, k));
	len = sizeof(back);
	EXPECT_EQ(CKR_ENCRYPTED_DATA_INVALID,
		  f->C_Decrypt(self->s, ct, 56, back, &len));
	ct[20] ^= 1;
	ASSERT_EQ(CKR_OK, f->C_DecryptInit(self->s, &kw, k));
	len = sizeof(back);
	EXPECT_EQ(CKR_ENCRYPTED_DATA_INVALID,
		  f->C_Decrypt(self->s, ct, 48, back, &len));
	ASSERT_EQ(CKR_OK, f->C_EncryptInit(self->s, &kw, k));
	len = sizeof(ct);
	EXPECT_EQ(CKR_DATA_LEN_RANGE, f->C_Encrypt(self->s, pt, 20, ct, &len));
	/* KW with an IV of its own */
	kw.pParameter = iv8;
	kw.ulParameterLen = sizeof(iv8);
	ASSERT_EQ(CKR_OK, f->C_EncryptInit(self->s, &kw, k));
	len = sizeof(ct);
	ASSERT_EQ(CKR_OK, f->C_Encrypt(self->s, pt, 24, ct, &len));
	ASSERT_EQ(32UL, len);
	rl = ossl_wrap(0, 0, key, 32, iv8, ct, 32, back);
	ASSERT_EQ(24, rl);
	EXPECT_EQ(0, memcmp(back, pt, 24));
	kw.ulParameterLen = 7;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, f->C_EncryptInit(self->s, &kw, k));

	/* KWP with an IV: 61 bytes both ways. */
	ASSERT_EQ(CKR_OK, f->C_EncryptInit(self->s, &kwp, k));
	len = sizeof(ct);
	ASSERT_EQ(CKR_OK, f->C_Encrypt(self->s, pt, 61, ct, &len));
	ASSERT_EQ(72UL, len);
	rl = ossl_wrap(0, 1, key, 32, iv4, ct, 72, back);
	ASSERT_EQ(61, rl);
	EXPECT_EQ(0, memcmp(back, pt, 61));
	rl = ossl_wrap(1, 1, key, 32, iv4, pt, 5, ct);
	ASSERT_EQ(16, rl);
	ASSERT_EQ(CKR_OK, f->C_DecryptInit(self->s, &kwp, k));
	len = sizeof(back);
	ASSERT_EQ(CKR_OK, f->C_Decrypt(self->s, ct, 16, back, &len));
	ASSERT_EQ(5UL, len);
	EXPECT_EQ(0, memcmp(back, pt, 5));
	/* single-part only */
	ASSERT_EQ(CKR_OK, f->C_EncryptInit(self->s, &kwp, k));
	len = sizeof(ct);
	EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED,
		  f->C_EncryptUpdate(self->s, pt, 16, ct, &len));

	/* Encryption and decryption, and C_WrapKey (p11_wrap_test). */
	ASSERT_EQ(CKR_OK, f->C_GetMechanismInfo(self->slot, CKM_AES_KEY_WRAP,
						&mi));
	EXPECT_EQ((CK_FLAGS)(CKF_ENCRYPT | CKF_DECRYPT | CKF_WRAP | CKF_UNWRAP),
		  mi.flags);
	EXPECT_EQ(16UL, mi.ulMinKeySize);
	EXPECT_EQ(32UL, mi.ulMaxKeySize);
}

TEST_F(pc, digest_vs_openssl)
{
	static const struct {
		CK_MECHANISM_TYPE m;
		const char *name;
	} d[] = {
		{ CKM_SHA_1, "SHA1" }, { CKM_SHA224, "SHA224" }, { CKM_SHA256, "SHA256" },
		{ CKM_SHA384, "SHA384" }, { CKM_SHA512, "SHA512" },
	};
	unsigned char data[3000], want[64], got[64];
	unsigned int i, wl;
	CK_ULONG len;

	RAND_bytes(data, sizeof(data));
	for (i = 0; i < 5; i++) {
		CK_MECHANISM m = { d[i].m, NULL, 0 };

		ASSERT_EQ(1, EVP_Digest(data, sizeof(data), want, &wl,
					EVP_get_digestbyname(d[i].name), NULL));
		ASSERT_EQ(CKR_OK, self->f->C_DigestInit(self->s, &m));
		len = sizeof(got);
		ASSERT_EQ(CKR_OK, self->f->C_Digest(self->s, data, sizeof(data), got, &len));
		EXPECT_EQ(wl, len);
		EXPECT_EQ(0, memcmp(want, got, wl)) TH_LOG("%s", d[i].name);

		ASSERT_EQ(CKR_OK, self->f->C_DigestInit(self->s, &m));
		EXPECT_EQ(CKR_OPERATION_ACTIVE, self->f->C_DigestInit(self->s, &m));
		ASSERT_EQ(CKR_OK, self->f->C_DigestUpdate(self->s, data, 1000));
		ASSERT_EQ(CKR_OK, self->f->C_DigestUpdate(self->s, data + 1000, 2000));
		len = 0;
		ASSERT_EQ(CKR_OK, self->f->C_DigestFinal(self->s, NULL, &len));
		EXPECT_EQ(wl, len);
		len = sizeof(got);
		ASSERT_EQ(CKR_OK, self->f->C_DigestFinal(self->s, got, &len));
		EXPECT_EQ(0, memcmp(want, got, wl)) TH_LOG("multi-part %s", d[i].name);
	}
}

TEST_F(pc, generate_key_and_random)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	CK_MECHANISM gen = { CKM_AES_KEY_GEN, NULL, 0 };
	CK_ULONG klen = 32;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE t[] = {
		{ CKA_VALUE_LEN, &klen, sizeof(klen) },
		{ CKA_ENCRYPT, &yes, 1 },
		{ CKA_DECRYPT, &yes, 1 },
		{ CKA_SENSITIVE, &yes, 1 },
	};
	unsigned char iv[16] = { 0 }, pt[32] = "thirty-two bytes of plain text!", ct[64],
		      back[64], r1[32], r2[32];
	CK_MECHANISM cbc = { CKM_AES_CBC, iv, 16 };
	CK_OBJECT_HANDLE k;
	CK_KEY_TYPE kt = 0;
	CK_ATTRIBUTE ka = { CKA_KEY_TYPE, &kt, sizeof(kt) };
	CK_ULONG len;

	ASSERT_EQ(CKR_OK, f->C_GenerateKey(self->s, &gen, t, 4, &k));
	ASSERT_EQ(CKR_OK, f->C_GetAttributeValue(self->s, k, &ka, 1));
	EXPECT_EQ((CK_KEY_TYPE)CKK_AES, kt);
	ASSERT_EQ(CKR_OK, f->C_EncryptInit(self->s, &cbc, k));
	len = sizeof(ct);
	ASSERT_EQ(CKR_OK, f->C_Encrypt(self->s, pt, 32, ct, &len));
	ASSERT_EQ(32UL, len);
	EXPECT_NE(0, memcmp(ct, pt, 32));
	ASSERT_EQ(CKR_OK, f->C_DecryptInit(self->s, &cbc, k));
	len = sizeof(back);
	ASSERT_EQ(CKR_OK, f->C_Decrypt(self->s, ct, 32, back, &len));
	ASSERT_EQ(32UL, len);
	EXPECT_EQ(0, memcmp(back, pt, 32));

	ASSERT_EQ(CKR_OK, f->C_GenerateRandom(self->s, r1, sizeof(r1)));
	ASSERT_EQ(CKR_OK, f->C_GenerateRandom(self->s, r2, sizeof(r2)));
	EXPECT_NE(0, memcmp(r1, r2, sizeof(r1)));
	EXPECT_EQ(CKR_SESSION_HANDLE_INVALID, f->C_GenerateRandom(self->s + 999, r1, 4));
}

TEST_HARNESS_MAIN
