// SPDX-License-Identifier: GPL-2.0
/*
 * EdDSA (Ed25519) through khsm-pkcs11.so, cross-checked with OpenSSL:
 * CKM_EC_EDWARDS_KEY_PAIR_GEN with the curve named by OID and by
 * PrintableString, CKM_EDDSA one-shot and multi-part (equal, since Ed25519
 * is deterministic), OpenSSL verifying the token's signatures and the
 * token verifying OpenSSL's, RFC 8032 7.1 TEST 1 and 2, 7.2 (Ed25519ctx)
 * and 7.3 (Ed25519ph) through imported seeds, the CK_EDDSA_PARAMS rules, the message cap of multi-part
 * operations, bad keys and curves, key-type mismatches, mechanism info.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "kselftest_harness.h"
#include "p11_util.h"

#ifndef CKF_EC_OID
#define CKF_EC_OID		CKF_EC_NAMEDCURVE
#endif
#ifndef CKF_EC_CURVENAME
#define CKF_EC_CURVENAME	(1UL << 26)
#endif
#ifndef CKR_CURVE_NOT_SUPPORTED
#define CKR_CURVE_NOT_SUPPORTED	(0x140UL)
#endif

/* CKM_EDDSA parameter (PKCS#11 v3.0; not in p11-kit 0.24). */
typedef struct {
	CK_BBOOL phFlag;
	CK_ULONG ulContextDataLen;
	CK_BYTE_PTR pContextData;
} P_CK_EDDSA_PARAMS;

#define MAX_MSG		65536	/* khsm's EdDSA message cap */

static const unsigned char ed_oid[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
static const unsigned char ed_name[] = {
	0x13, 0x0c, 'e', 'd', 'w', 'a', 'r', 'd', 's', '2', '5', '5', '1', '9'
};

static int unhex(const char *h, unsigned char *out, size_t cap)
{
	size_t n = strlen(h) / 2, i;
	unsigned int b;

	if (n > cap)
		return -1;
	for (i = 0; i < n; i++) {
		if (sscanf(h + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = (unsigned char)b;
	}
	return (int)n;
}

/* OpenSSL's verdict on @sig by the raw 32-byte key @pub: 1, 0, -1. */
static int ossl_ed_verify(const unsigned char *pub, const unsigned char *m,
			  size_t mlen, const unsigned char *sig, size_t sig_len)
{
	EVP_PKEY *pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ret = -1;

	if (pk && c && EVP_DigestVerifyInit(c, NULL, NULL, NULL, pk) > 0)
		ret = EVP_DigestVerify(c, sig, sig_len, m, mlen) == 1;
	EVP_MD_CTX_free(c);
	EVP_PKEY_free(pk);
	return ret;
}

/* A fresh OpenSSL key: seed, public key, and its signature of @m. */
static int ossl_ed_sign(unsigned char *seed, unsigned char *pub,
			const unsigned char *m, size_t mlen, unsigned char *sig)
{
	EVP_PKEY *pk = NULL;
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	size_t len = 32, sl = 64;
	int ok = kc && c && EVP_PKEY_keygen_init(kc) > 0 &&
		 EVP_PKEY_keygen(kc, &pk) > 0 &&
		 EVP_PKEY_get_raw_private_key(pk, seed, &len) > 0 && len == 32 &&
		 EVP_PKEY_get_raw_public_key(pk, pub, &len) > 0 && len == 32 &&
		 EVP_DigestSignInit(c, NULL, NULL, NULL, pk) > 0 &&
		 EVP_DigestSign(c, sig, &sl, m, mlen) > 0 && sl == 64;

	EVP_MD_CTX_free(c);
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(kc);
	return ok;
}

static CK_RV gen_ed(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		    const unsigned char *params, CK_ULONG plen,
		    CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
	CK_MECHANISM m = { CKM_EC_EDWARDS_KEY_PAIR_GEN, NULL, 0 };
	CK_BBOOL yes = CK_TRUE;
	CK_KEY_TYPE kt = CKK_EC_EDWARDS;
	CK_ATTRIBUTE pt[] = {
		{ CKA_VERIFY, &yes, 1 },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_EC_PARAMS, (void *)params, plen },
	};
	CK_ATTRIBUTE st[] = {
		{ CKA_SIGN, &yes, 1 },
		{ CKA_SENSITIVE, &yes, 1 },
		{ CKA_PRIVATE, &yes, 1 },
	};

	return f->C_GenerateKeyPair(s, &m, pt, 3, st, 3, pub, priv);
}

static CK_RV import_priv(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
			 const unsigned char *params, CK_ULONG plen,
			 const unsigned char *seed, CK_ULONG seed_len,
			 CK_OBJECT_HANDLE *h)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_KEY_TYPE kt = CKK_EC_EDWARDS;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_SIGN, &yes, 1 },
		{ CKA_EC_PARAMS, (void *)params, plen },
		{ CKA_VALUE, (void *)seed, seed_len },
	};

	return f->C_CreateObject(s, t, 5, h);
}

static CK_RV import_pub(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
			const unsigned char *params, CK_ULONG plen,
			const unsigned char *point, CK_ULONG point_len,
			CK_OBJECT_HANDLE *h)
{
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_KEY_TYPE kt = CKK_EC_EDWARDS;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_VERIFY, &yes, 1 },
		{ CKA_EC_PARAMS, (void *)params, plen },
		{ CKA_EC_POINT, (void *)point, point_len },
	};

	return f->C_CreateObject(s, t, 5, h);
}

/* 04 20 || @pub */
static void der_point(unsigned char *out, const unsigned char *pub)
{
	out[0] = 0x04;
	out[1] = 0x20;
	memcpy(out + 2, pub, 32);
}

FIXTURE(ed) {
	CK_FUNCTION_LIST_PTR f;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
};

FIXTURE_SETUP(ed)
{
	P_SETUP_USER_SESSION(self);
}

FIXTURE_TEARDOWN(ed)
{
	P_TEARDOWN(self);
}

TEST_F(ed, mechanism_info)
{
	CK_MECHANISM_INFO mi;
	const CK_FLAGS ec = CKF_EC_F_P | CKF_EC_OID | CKF_EC_CURVENAME;

	ASSERT_EQ(CKR_OK, self->f->C_GetMechanismInfo(self->slot, CKM_EDDSA, &mi));
	EXPECT_EQ(255UL, mi.ulMinKeySize);
	EXPECT_EQ(255UL, mi.ulMaxKeySize);
	EXPECT_EQ(CKF_SIGN | CKF_VERIFY | ec, mi.flags);
	ASSERT_EQ(CKR_OK, self->f->C_GetMechanismInfo(self->slot,
						      CKM_EC_EDWARDS_KEY_PAIR_GEN, &mi));
	EXPECT_EQ(255UL, mi.ulMinKeySize);
	EXPECT_EQ(255UL, mi.ulMaxKeySize);
	EXPECT_EQ(CKF_GENERATE_KEY_PAIR | ec, mi.flags);
}

TEST_F(ed, keygen_sign_openssl_verify)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	CK_MECHANISM m = { CKM_EDDSA, NULL, 0 };
	CK_OBJECT_HANDLE pub, priv;
	CK_KEY_TYPE kt = 0;
	CK_MECHANISM_TYPE gm = 0;
	unsigned char point[64], value[64], sig[80], sig2[64], msg[1000];
	CK_ATTRIBUTE a[] = {
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_KEY_GEN_MECHANISM, &gm, sizeof(gm) },
	};
	CK_ATTRIBUTE v = { CKA_VALUE, value, sizeof(value) };
	CK_ULONG plen, len;
	int i;

	ASSERT_EQ(1, RAND_bytes(msg, sizeof(msg)));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(CKR_OK, gen_ed(f, self->s, i ? ed_name : ed_oid,
					 i ? sizeof(ed_name) : sizeof(ed_oid),
					 &pub, &priv));
		plen = p_ec_point(f, self->s, pub, point, sizeof(point));
		ASSERT_EQ(34UL, plen);
		EXPECT_EQ(0x04, point[0]);
		EXPECT_EQ(0x20, point[1]);
		ASSERT_EQ(CKR_OK, f->C_GetAttributeValue(self->s, priv, a, 2));
		EXPECT_EQ((CK_KEY_TYPE)CKK_EC_EDWARDS, kt);
		EXPECT_EQ((CK_MECHANISM_TYPE)CKM_EC_EDWARDS_KEY_PAIR_GEN, gm);
		EXPECT_EQ(CKR_ATTRIBUTE_SENSITIVE,
			  f->C_GetAttributeValue(self->s, priv, &v, 1));

		/* one-shot: length query, too small, then the signature */
		ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &m, priv));
		len = 0;
		ASSERT_EQ(CKR_OK, f->C_Sign(self->s, msg, sizeof(msg), NULL, &len));
		EXPECT_EQ(64UL, len);
		len = 63;
		EXPECT_EQ(CKR_BUFFER_TOO_SMALL, f->C_Sign(self->s, msg, sizeof(msg), sig, &len));
		len = sizeof(sig);
		ASSERT_EQ(CKR_OK, f->C_Sign(self->s, msg, sizeof(msg), sig, &len));
		ASSERT_EQ(64UL, len);
		EXPECT_EQ(1, ossl_ed_verify(point + 2, msg, sizeof(msg), sig, 64));

		/* multi-part, uneven pieces: the same (deterministic) signature */
		ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &m, priv));
		ASSERT_EQ(CKR_OK, f->C_SignUpdate(self->s, msg, 1));
		ASSERT_EQ(CKR_OK, f->C_SignUpdate(self->s, msg + 1, 0));
		ASSERT_EQ(CKR_OK, f->C_SignUpdate(self->s, msg + 1, 300));
		ASSERT_EQ(CKR_OK, f->C_SignUpdate(self->s, msg + 301, sizeof(msg) - 301));
		len = sizeof(sig2);
		ASSERT_EQ(CKR_OK, f->C_SignFinal(self->s, sig2, &len));
		ASSERT_EQ(64UL, len);
		EXPECT_EQ(0, memcmp(sig, sig2, 64));

		/* token verification: good, altered, wrong lengths */
		ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pub));
		EXPECT_EQ(CKR_OK, f->C_Verify(self->s, msg, sizeof(msg), sig, 64));
		ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pub));
		ASSERT_EQ(CKR_OK, f->C_VerifyUpdate(self->s, msg, 500));
		ASSERT_EQ(CKR_OK, f->C_VerifyUpdate(self->s, msg + 500, 500));
		EXPECT_EQ(CKR_OK, f->C_VerifyFinal(self->s, sig, 64));
		sig[10] ^= 0x40;
		ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pub));
		EXPECT_EQ(CKR_SIGNATURE_INVALID, f->C_Verify(self->s, msg, sizeof(msg), sig, 64));
		EXPECT_EQ(0, ossl_ed_verify(point + 2, msg, sizeof(msg), sig, 64));
		sig[10] ^= 0x40;
		msg[999] ^= 1;
		ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pub));
		EXPECT_EQ(CKR_SIGNATURE_INVALID, f->C_Verify(self->s, msg, sizeof(msg), sig, 64));
		msg[999] ^= 1;
		ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pub));
		EXPECT_EQ(CKR_SIGNATURE_LEN_RANGE, f->C_Verify(self->s, msg, sizeof(msg), sig, 63));
		ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pub));
		EXPECT_EQ(CKR_SIGNATURE_LEN_RANGE, f->C_Verify(self->s, msg, sizeof(msg), sig, 65));
		/* the operation ended: a new one starts */
		ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pub));
		EXPECT_EQ(CKR_OK, f->C_Verify(self->s, msg, sizeof(msg), sig, 64));
	}
}

TEST_F(ed, rfc8032_import)
{
	static const struct {
		const char *seed, *pub, *msg, *sig;
	} v[] = {
		{	/* RFC 8032 7.1 TEST 1 */
			"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
			"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
			"",
			"e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
		},
		{	/* RFC 8032 7.1 TEST 2 */
			"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
			"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
			"72",
			"92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
		},
	};
	CK_FUNCTION_LIST_PTR f = self->f;
	CK_MECHANISM m = { CKM_EDDSA, NULL, 0 };
	unsigned char seed[32], pub[32], msg[4], want[64], sig[64], point[34];
	CK_OBJECT_HANDLE priv, pubh;
	CK_ULONG len;
	int mlen;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ASSERT_EQ(32, unhex(v[i].seed, seed, 32));
		ASSERT_EQ(32, unhex(v[i].pub, pub, 32));
		mlen = unhex(v[i].msg, msg, sizeof(msg));
		ASSERT_LE(0, mlen);
		ASSERT_EQ(64, unhex(v[i].sig, want, 64));
		ASSERT_EQ(CKR_OK, import_priv(f, self->s, i ? ed_name : ed_oid,
					      i ? sizeof(ed_name) : sizeof(ed_oid),
					      seed, 32, &priv));
		ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &m, priv));
		len = sizeof(sig);
		ASSERT_EQ(CKR_OK, f->C_Sign(self->s, msg, (CK_ULONG)mlen, sig, &len));
		ASSERT_EQ(64UL, len);
		EXPECT_EQ(0, memcmp(sig, want, 64)) TH_LOG("RFC 8032 TEST %zu", i + 1);
		/* multi-part, final with nothing buffered for TEST 1 */
		ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &m, priv));
		if (mlen)
			ASSERT_EQ(CKR_OK, f->C_SignUpdate(self->s, msg, (CK_ULONG)mlen));
		len = sizeof(sig);
		ASSERT_EQ(CKR_OK, f->C_SignFinal(self->s, sig, &len));
		EXPECT_EQ(0, memcmp(sig, want, 64));

		der_point(point, pub);
		ASSERT_EQ(CKR_OK, import_pub(f, self->s, ed_oid, sizeof(ed_oid),
					     point, 34, &pubh));
		ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pubh));
		EXPECT_EQ(CKR_OK, f->C_Verify(self->s, msg, (CK_ULONG)mlen, want, 64));
		/* the bare 32-byte encoding is accepted too */
		ASSERT_EQ(CKR_OK, import_pub(f, self->s, ed_name, sizeof(ed_name),
					     pub, 32, &pubh));
		ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pubh));
		EXPECT_EQ(CKR_OK, f->C_Verify(self->s, msg, (CK_ULONG)mlen, want, 64));
		want[0] ^= 1;
		ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pubh));
		EXPECT_EQ(CKR_SIGNATURE_INVALID, f->C_Verify(self->s, msg, (CK_ULONG)mlen, want, 64));
	}
}

/*
 * RFC 8032 7.2 (Ed25519ctx, context "foo") and 7.3 (Ed25519ph, "abc": the
 * token hashes the message) with imported seeds, one-shot and multi-part;
 * Ed25519ph also past the 64 KiB that Ed25519 buffers, since it hashes as
 * the data comes (OpenSSL 3.0 has neither variant to compare with).
 */
TEST_F(ed, rfc8032_ctx_ph_import)
{
	static const struct {
		const char *seed, *pub, *msg, *sig, *ctx;
		CK_BBOOL ph;
	} v[] = {
		{
			"0305334e381af78f141cb666f6199f57bc3495335a256a95bd2a55bf546663f6",
			"dfc9425e4f968f7f0c29f0259cf5f9aed6851c2bb4ad8bfb860cfee0ab248292",
			"f726936d19c800494e3fdaff20b276a8",
			"55a4cc2f70a54e04288c5f4cd1e45a7bb520b36292911876cada7323198dd87a8b36950b95130022907a7fb7c4e9b2d5f6cca685a587b4b21f4b888e4e7edb0d",
			"foo", CK_FALSE,
		},
		{
			"833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
			"ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
			"616263",
			"98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae4131f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406",
			"", CK_TRUE,
		},
	};
	CK_FUNCTION_LIST_PTR f = self->f;
	unsigned char seed[32], pub[32], msg[16], want[64], sig[64], point[34];
	P_CK_EDDSA_PARAMS p;
	CK_MECHANISM m = { CKM_EDDSA, &p, sizeof(p) };
	CK_OBJECT_HANDLE priv, pubh;
	CK_ULONG len;
	unsigned char *big;
	int mlen, i;
	size_t k;

	for (k = 0; k < sizeof(v) / sizeof(v[0]); k++) {
		ASSERT_EQ(32, unhex(v[k].seed, seed, 32));
		ASSERT_EQ(32, unhex(v[k].pub, pub, 32));
		mlen = unhex(v[k].msg, msg, sizeof(msg));
		ASSERT_LT(0, mlen);
		ASSERT_EQ(64, unhex(v[k].sig, want, 64));
		p.phFlag = v[k].ph;
		p.ulContextDataLen = strlen(v[k].ctx);
		p.pContextData = (CK_BYTE_PTR)v[k].ctx;
		ASSERT_EQ(CKR_OK, import_priv(f, self->s, ed_oid, sizeof(ed_oid),
					      seed, 32, &priv));
		ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &m, priv));
		len = sizeof(sig);
		ASSERT_EQ(CKR_OK, f->C_Sign(self->s, msg, (CK_ULONG)mlen, sig, &len));
		EXPECT_EQ(0, memcmp(sig, want, 64)) TH_LOG("RFC 8032 %s", v[k].ph ? "7.3" : "7.2");
		ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &m, priv));
		for (i = 0; i < mlen; i++)
			ASSERT_EQ(CKR_OK, f->C_SignUpdate(self->s, msg + i, 1));
		len = sizeof(sig);
		ASSERT_EQ(CKR_OK, f->C_SignFinal(self->s, sig, &len));
		EXPECT_EQ(0, memcmp(sig, want, 64));
		der_point(point, pub);
		ASSERT_EQ(CKR_OK, import_pub(f, self->s, ed_oid, sizeof(ed_oid),
					     point, 34, &pubh));
		ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pubh));
		EXPECT_EQ(CKR_OK, f->C_Verify(self->s, msg, (CK_ULONG)mlen, want, 64));
		want[5] ^= 0x10;
		ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pubh));
		EXPECT_EQ(CKR_SIGNATURE_INVALID,
			  f->C_Verify(self->s, msg, (CK_ULONG)mlen, want, 64));
	}
	/* Ed25519ph streams: 200 KiB in 64 KiB parts signs and verifies */
	big = calloc(1, 200 * 1024);
	ASSERT_NE(NULL, big);
	ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &m, priv));
	for (i = 0; i < 200 * 1024; i += 64 * 1024)
		ASSERT_EQ(CKR_OK, f->C_SignUpdate(self->s, big + i,
			  200 * 1024 - i < 64 * 1024 ? 200 * 1024 - i : 64 * 1024));
	len = sizeof(sig);
	ASSERT_EQ(CKR_OK, f->C_SignFinal(self->s, sig, &len));
	ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pubh));
	EXPECT_EQ(CKR_OK, f->C_Verify(self->s, big, 200 * 1024, sig, 64));
	free(big);
}

/* OpenSSL signs with its own key; the token verifies with the imported key. */
TEST_F(ed, openssl_sign_token_verify)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	CK_MECHANISM m = { CKM_EDDSA, NULL, 0 };
	unsigned char seed[32], pub[32], sig[64], point[34], mine[64], msg[777];
	CK_OBJECT_HANDLE pubh, priv;
	CK_ULONG len;
	int i;

	for (i = 0; i < 8; i++) {
		ASSERT_EQ(1, RAND_bytes(msg, sizeof(msg)));
		ASSERT_EQ(1, ossl_ed_sign(seed, pub, msg, sizeof(msg) - i, sig));
		der_point(point, pub);
		ASSERT_EQ(CKR_OK, import_pub(f, self->s, ed_oid, sizeof(ed_oid),
					     point, 34, &pubh));
		ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pubh));
		EXPECT_EQ(CKR_OK, f->C_Verify(self->s, msg, sizeof(msg) - i, sig, 64));
		ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pubh));
		EXPECT_EQ(CKR_SIGNATURE_INVALID,
			  f->C_Verify(self->s, msg, sizeof(msg) - i - 1, sig, 64));
		/* the same seed imported signs exactly as OpenSSL does */
		ASSERT_EQ(CKR_OK, import_priv(f, self->s, ed_oid, sizeof(ed_oid),
					      seed, 32, &priv));
		ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &m, priv));
		len = sizeof(mine);
		ASSERT_EQ(CKR_OK, f->C_Sign(self->s, msg, sizeof(msg) - i, mine, &len));
		EXPECT_EQ(0, memcmp(sig, mine, 64));
		ASSERT_EQ(CKR_OK, f->C_DestroyObject(self->s, priv));
		ASSERT_EQ(CKR_OK, f->C_DestroyObject(self->s, pubh));
	}
	OPENSSL_cleanse(seed, sizeof(seed));
}

TEST_F(ed, mechanism_params)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	CK_BYTE ctx[] = "context";
	P_CK_EDDSA_PARAMS p = { CK_FALSE, 0, NULL };
	CK_MECHANISM none = { CKM_EDDSA, NULL, 0 };
	CK_MECHANISM m = { CKM_EDDSA, &p, sizeof(p) };
	CK_OBJECT_HANDLE pub, priv;
	unsigned char sig[64], sig2[64], msg[] = "params";
	CK_ULONG len;

	ASSERT_EQ(CKR_OK, gen_ed(f, self->s, ed_oid, sizeof(ed_oid), &pub, &priv));
	ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &none, priv));
	len = sizeof(sig);
	ASSERT_EQ(CKR_OK, f->C_Sign(self->s, msg, 6, sig, &len));
	/* phFlag FALSE, no context: pure Ed25519, the same signature */
	ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &m, priv));
	len = sizeof(sig2);
	ASSERT_EQ(CKR_OK, f->C_Sign(self->s, msg, 6, sig2, &len));
	EXPECT_EQ(0, memcmp(sig, sig2, 64));
	ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pub));
	EXPECT_EQ(CKR_OK, f->C_Verify(self->s, msg, 6, sig, 64));
	/* Ed25519ph: another signature, which only Ed25519ph verifies */
	p.phFlag = CK_TRUE;
	ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &m, priv));
	len = sizeof(sig2);
	ASSERT_EQ(CKR_OK, f->C_Sign(self->s, msg, 6, sig2, &len));
	EXPECT_NE(0, memcmp(sig, sig2, 64));
	ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pub));
	EXPECT_EQ(CKR_OK, f->C_Verify(self->s, msg, 6, sig2, 64));
	ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &none, pub));
	EXPECT_EQ(CKR_SIGNATURE_INVALID, f->C_Verify(self->s, msg, 6, sig2, 64));
	/* Ed25519ctx: verifies with its context only */
	p.phFlag = CK_FALSE;
	p.ulContextDataLen = sizeof(ctx) - 1;
	p.pContextData = ctx;
	ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &m, priv));
	len = sizeof(sig2);
	ASSERT_EQ(CKR_OK, f->C_Sign(self->s, msg, 6, sig2, &len));
	ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pub));
	EXPECT_EQ(CKR_OK, f->C_Verify(self->s, msg, 6, sig2, 64));
	p.ulContextDataLen--;
	ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pub));
	EXPECT_EQ(CKR_SIGNATURE_INVALID, f->C_Verify(self->s, msg, 6, sig2, 64));
	/* RFC 8032 caps the context at 255 bytes */
	{
		static CK_BYTE big[256];

		p.pContextData = big;
		p.ulContextDataLen = 256;
		EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, f->C_SignInit(self->s, &m, priv));
		p.ulContextDataLen = 255;
		ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &m, priv));
		len = sizeof(sig2);
		EXPECT_EQ(CKR_OK, f->C_Sign(self->s, msg, 6, sig2, &len));
	}
	p.ulContextDataLen = sizeof(ctx) - 1;
	p.pContextData = ctx;
	/* a context length with no context */
	p.pContextData = NULL;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, f->C_SignInit(self->s, &m, priv));
	/* not a CK_EDDSA_PARAMS */
	p.ulContextDataLen = 0;
	m.ulParameterLen = sizeof(p) - 1;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, f->C_SignInit(self->s, &m, priv));
	m.pParameter = NULL;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, f->C_SignInit(self->s, &m, priv));
	/* nothing was started by the refused calls */
	ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &none, priv));
	len = sizeof(sig2);
	ASSERT_EQ(CKR_OK, f->C_Sign(self->s, msg, 6, sig2, &len));
	EXPECT_EQ(0, memcmp(sig, sig2, 64));
}

TEST_F(ed, message_cap)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	CK_MECHANISM m = { CKM_EDDSA, NULL, 0 };
	CK_OBJECT_HANDLE pub, priv;
	unsigned char point[34], sig[64], one = 0;
	unsigned char *msg = malloc(MAX_MSG);
	CK_ULONG len;

	ASSERT_NE(NULL, msg);
	ASSERT_EQ(1, RAND_bytes(msg, MAX_MSG));
	ASSERT_EQ(CKR_OK, gen_ed(f, self->s, ed_oid, sizeof(ed_oid), &pub, &priv));
	ASSERT_EQ(34UL, p_ec_point(f, self->s, pub, point, sizeof(point)));
	/* exactly the cap, in pieces */
	ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &m, priv));
	ASSERT_EQ(CKR_OK, f->C_SignUpdate(self->s, msg, 1000));
	ASSERT_EQ(CKR_OK, f->C_SignUpdate(self->s, msg + 1000, MAX_MSG - 1000));
	len = sizeof(sig);
	ASSERT_EQ(CKR_OK, f->C_SignFinal(self->s, sig, &len));
	EXPECT_EQ(1, ossl_ed_verify(point + 2, msg, MAX_MSG, sig, 64));
	ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pub));
	ASSERT_EQ(CKR_OK, f->C_VerifyUpdate(self->s, msg, MAX_MSG / 2));
	ASSERT_EQ(CKR_OK, f->C_VerifyUpdate(self->s, msg + MAX_MSG / 2, MAX_MSG / 2));
	EXPECT_EQ(CKR_OK, f->C_VerifyFinal(self->s, sig, 64));
	/* one byte more: refused, and the operation is over */
	ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &m, priv));
	ASSERT_EQ(CKR_OK, f->C_SignUpdate(self->s, msg, MAX_MSG));
	EXPECT_EQ(CKR_DATA_LEN_RANGE, f->C_SignUpdate(self->s, &one, 1));
	len = sizeof(sig);
	EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED, f->C_SignFinal(self->s, sig, &len));
	ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pub));
	ASSERT_EQ(CKR_OK, f->C_VerifyUpdate(self->s, msg, MAX_MSG));
	EXPECT_EQ(CKR_DATA_LEN_RANGE, f->C_VerifyUpdate(self->s, &one, 1));
	EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED, f->C_VerifyFinal(self->s, sig, 64));
	free(msg);
}

TEST_F(ed, bad_keys_and_curves)
{
	static const unsigned char ed448[] = { 0x06, 0x03, 0x2b, 0x65, 0x71 };
	static const unsigned char name448[] = {
		0x13, 0x0a, 'e', 'd', 'w', 'a', 'r', 'd', 's', '4', '4', '8'
	};
	static const unsigned char bad_der[] = { 0x13, 0x0d, 'e', 'd' };
	CK_FUNCTION_LIST_PTR f = self->f;
	CK_MECHANISM m = { CKM_EDDSA, NULL, 0 };
	CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
	CK_MECHANISM ecgen = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_OBJECT_HANDLE pub, priv, ecpub, ecpriv, h;
	unsigned char seed[33] = { 1 }, point[34];
	CK_BBOOL yes = CK_TRUE;
	CK_KEY_TYPE ec = CKK_EC;
	CK_ATTRIBUTE pt[] = {
		{ CKA_VERIFY, &yes, 1 },
		{ CKA_KEY_TYPE, &ec, sizeof(ec) },
		{ CKA_EC_PARAMS, (void *)ed_oid, sizeof(ed_oid) },
	};
	CK_ATTRIBUTE st[] = { { CKA_SIGN, &yes, 1 } };

	EXPECT_EQ(CKR_CURVE_NOT_SUPPORTED, gen_ed(f, self->s, ed448, sizeof(ed448), &pub, &priv));
	EXPECT_EQ(CKR_CURVE_NOT_SUPPORTED,
		  gen_ed(f, self->s, name448, sizeof(name448), &pub, &priv));
	EXPECT_EQ(CKR_CURVE_NOT_SUPPORTED,
		  gen_ed(f, self->s, p_p256_oid, sizeof(p_p256_oid), &pub, &priv));
	EXPECT_EQ(CKR_DOMAIN_PARAMS_INVALID,
		  gen_ed(f, self->s, bad_der, sizeof(bad_der), &pub, &priv));
	/* the edwards25519 OID with CKM_EC_KEY_PAIR_GEN: not a P-curve */
	pt[1].type = CKA_LABEL;
	EXPECT_EQ(CKR_CURVE_NOT_SUPPORTED,
		  f->C_GenerateKeyPair(self->s, &ecgen, pt, 3, st, 1, &pub, &priv));
	/* CKK_EC in an EdDSA template */
	pt[1].type = CKA_KEY_TYPE;
	ecgen.mechanism = CKM_EC_EDWARDS_KEY_PAIR_GEN;
	EXPECT_EQ(CKR_TEMPLATE_INCONSISTENT,
		  f->C_GenerateKeyPair(self->s, &ecgen, pt, 3, st, 1, &pub, &priv));

	/* seeds of 31 and 33 bytes, a point that does not decode (y = p) */
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID,
		  import_priv(f, self->s, ed_oid, sizeof(ed_oid), seed, 31, &h));
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID,
		  import_priv(f, self->s, ed_oid, sizeof(ed_oid), seed, 33, &h));
	EXPECT_EQ(CKR_CURVE_NOT_SUPPORTED,
		  import_priv(f, self->s, ed448, sizeof(ed448), seed, 32, &h));
	memset(point, 0xff, sizeof(point));
	point[0] = 0x04;
	point[1] = 0x20;
	point[2] = 0xed;
	point[33] = 0x7f;
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID,
		  import_pub(f, self->s, ed_oid, sizeof(ed_oid), point, 34, &h));
	/* the identity (y = 1): small order */
	memset(point + 2, 0, 32);
	point[2] = 1;
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID,
		  import_pub(f, self->s, ed_oid, sizeof(ed_oid), point, 34, &h));
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID,
		  import_pub(f, self->s, ed_oid, sizeof(ed_oid), point, 33, &h));
	EXPECT_EQ(CKR_OK, import_priv(f, self->s, ed_oid, sizeof(ed_oid), seed, 32, &h));

	/* keys of the other type are refused by each mechanism */
	ASSERT_EQ(CKR_OK, gen_ed(f, self->s, ed_oid, sizeof(ed_oid), &pub, &priv));
	ASSERT_EQ(CKR_OK, p_gen_p256(f, self->s, CK_FALSE, &ecpub, &ecpriv));
	EXPECT_EQ(CKR_KEY_TYPE_INCONSISTENT, f->C_SignInit(self->s, &ecdsa, priv));
	EXPECT_EQ(CKR_KEY_TYPE_INCONSISTENT, f->C_VerifyInit(self->s, &ecdsa, pub));
	EXPECT_EQ(CKR_KEY_TYPE_INCONSISTENT, f->C_SignInit(self->s, &m, ecpriv));
	EXPECT_EQ(CKR_KEY_TYPE_INCONSISTENT, f->C_VerifyInit(self->s, &m, ecpub));
	EXPECT_EQ(CKR_KEY_TYPE_INCONSISTENT, f->C_SignInit(self->s, &m, pub));
	EXPECT_EQ(CKR_KEY_TYPE_INCONSISTENT, f->C_VerifyInit(self->s, &m, priv));
}

TEST_HARNESS_MAIN
