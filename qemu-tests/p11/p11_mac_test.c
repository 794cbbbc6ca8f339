// SPDX-License-Identifier: GPL-2.0
/*
 * Generic secrets and MACs through khsm-pkcs11.so, cross-checked with
 * OpenSSL's EVP_MAC both ways: CKM_GENERIC_SECRET_KEY_GEN (lengths,
 * template rules, mechanism info); every HMAC mechanism (SHA-1, SHA-2,
 * SHA-3) and its _GENERAL variant on keys of several lengths (the token's MACs recomputed by
 * OpenSSL, one-shot and multi-part; OpenSSL's MACs verified by the token;
 * altered and truncated ones refused; bad CK_MAC_GENERAL_PARAMS; keys of
 * the wrong type or without CKA_SIGN); CKM_AES_CMAC and
 * CKM_AES_CMAC_GENERAL the same way on AES-128/192/256 keys; the SHA-3
 * digests.
 */
#include <string.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "kselftest_harness.h"
#include "p11_util.h"
#include "ossl_check.h"
#include "khsm_mechs.h"

/* One MAC mechanism: its _GENERAL twin, OpenSSL's names, full length. */
struct mac_row {
	CK_MECHANISM_TYPE mech, general;
	const char *alg, *sub;
	CK_ULONG len;
};

static const struct mac_row hmacs[] = {
	{ CKM_SHA_1_HMAC, CKM_SHA_1_HMAC_GENERAL, "HMAC", "SHA1", 20 },
	{ CKM_SHA224_HMAC, CKM_SHA224_HMAC_GENERAL, "HMAC", "SHA224", 28 },
	{ CKM_SHA256_HMAC, CKM_SHA256_HMAC_GENERAL, "HMAC", "SHA256", 32 },
	{ CKM_SHA384_HMAC, CKM_SHA384_HMAC_GENERAL, "HMAC", "SHA384", 48 },
	{ CKM_SHA512_HMAC, CKM_SHA512_HMAC_GENERAL, "HMAC", "SHA512", 64 },
	{ CKM_SHA3_224_HMAC, CKM_SHA3_224_HMAC_GENERAL, "HMAC", "SHA3-224", 28 },
	{ CKM_SHA3_256_HMAC, CKM_SHA3_256_HMAC_GENERAL, "HMAC", "SHA3-256", 32 },
	{ CKM_SHA3_384_HMAC, CKM_SHA3_384_HMAC_GENERAL, "HMAC", "SHA3-384", 48 },
	{ CKM_SHA3_512_HMAC, CKM_SHA3_512_HMAC_GENERAL, "HMAC", "SHA3-512", 64 },
};
#define N_HMACS (sizeof(hmacs) / sizeof(hmacs[0]))

/* CMAC's OpenSSL cipher follows the key length (mac_sub()). */
static const struct mac_row cmacs[] = {
	{ CKM_AES_CMAC, CKM_AES_CMAC_GENERAL, "CMAC", NULL, 16 },
};

/* OpenSSL's digest or cipher name for @r with a @kl-byte key. */
static const char *mac_sub(const struct mac_row *r, size_t kl)
{
	if (r->sub)
		return r->sub;
	return kl == 16 ? "AES-128-CBC" : kl == 24 ? "AES-192-CBC" :
	       "AES-256-CBC";
}

FIXTURE(mac) {
	CK_FUNCTION_LIST_PTR f;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
};

FIXTURE_SETUP(mac)
{
	P_SETUP_USER_SESSION(self);
}

FIXTURE_TEARDOWN(mac)
{
	P_TEARDOWN(self);
}

/* A secret key of @type with value @key (session object). */
static CK_RV secret_key(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
			CK_KEY_TYPE type, const unsigned char *key,
			CK_ULONG len, CK_BBOOL sign, CK_OBJECT_HANDLE *h)
{
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &type, sizeof(type) },
		{ CKA_VALUE, (void *)key, len },
		{ CKA_SIGN, &sign, 1 },
		{ CKA_VERIFY, &yes, 1 },
	};

	return f->C_CreateObject(s, t, 5, h);
}

static CK_RV gen_secret(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
			CK_ULONG len, int with_len, CK_OBJECT_HANDLE *h)
{
	CK_MECHANISM m = { CKM_GENERIC_SECRET_KEY_GEN, NULL, 0 };
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_SIGN, &yes, 1 },
		{ CKA_VERIFY, &yes, 1 },
		{ CKA_SENSITIVE, &no, 1 },
		{ CKA_EXTRACTABLE, &yes, 1 },
		{ CKA_VALUE_LEN, &len, sizeof(len) },
	};

	return f->C_GenerateKey(s, &m, t, with_len ? 7 : 6, h);
}

TEST_F(mac, generic_secret_keygen)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	static const CK_ULONG lens[] = { 1, 16, 32, 64, 200, 256 };
	unsigned char val[300], want[64], got[64];
	CK_MECHANISM sha = { CKM_SHA256_HMAC, NULL, 0 };
	CK_ULONG vlen, kt, gm, len;
	CK_BBOOL local;
	CK_ATTRIBUTE a[] = {
		{ CKA_VALUE_LEN, &vlen, sizeof(vlen) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_KEY_GEN_MECHANISM, &gm, sizeof(gm) },
		{ CKA_LOCAL, &local, 1 },
		{ CKA_VALUE, val, sizeof(val) },
	};
	CK_MECHANISM_INFO mi;
	CK_OBJECT_HANDLE k, k2;
	unsigned int i;

	ASSERT_EQ(CKR_OK, f->C_GetMechanismInfo(self->slot,
						CKM_GENERIC_SECRET_KEY_GEN, &mi));
	EXPECT_EQ((CK_FLAGS)CKF_GENERATE, mi.flags);
	EXPECT_EQ(8UL, mi.ulMinKeySize);	/* bits */
	EXPECT_EQ(2048UL, mi.ulMaxKeySize);
	ASSERT_EQ(CKR_OK, f->C_GetMechanismInfo(self->slot, CKM_SHA256_HMAC, &mi));
	EXPECT_EQ((CK_FLAGS)(CKF_SIGN | CKF_VERIFY), mi.flags);
	EXPECT_EQ(1UL, mi.ulMinKeySize);	/* bytes */
	EXPECT_EQ(256UL, mi.ulMaxKeySize);

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		ASSERT_EQ(CKR_OK, gen_secret(f, self->s, lens[i], 1, &k));
		a[4].ulValueLen = sizeof(val);
		ASSERT_EQ(CKR_OK, f->C_GetAttributeValue(self->s, k, a, 5));
		EXPECT_EQ(lens[i], vlen);
		EXPECT_EQ((CK_ULONG)CKK_GENERIC_SECRET, kt);
		EXPECT_EQ((CK_ULONG)CKM_GENERIC_SECRET_KEY_GEN, gm);
		EXPECT_EQ(CK_TRUE, local);
		ASSERT_EQ(lens[i], a[4].ulValueLen);
		/* the generated key MACs as OpenSSL does with its value */
		ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &sha, k));
		len = sizeof(got);
		ASSERT_EQ(CKR_OK, f->C_Sign(self->s, (CK_BYTE *)"msg", 3, got, &len));
		ASSERT_EQ(32UL, len);
		ASSERT_EQ(32, ossl_mac("HMAC", "SHA256", val, lens[i],
				       (const unsigned char *)"msg", 3, want,
				       sizeof(want)));
		EXPECT_EQ(0, memcmp(want, got, 32)) TH_LOG("%lu-byte key", lens[i]);
	}
	/* two keys differ */
	ASSERT_EQ(CKR_OK, gen_secret(f, self->s, 32, 1, &k2));
	a[4].ulValueLen = sizeof(val);
	ASSERT_EQ(CKR_OK, f->C_GetAttributeValue(self->s, k2, a, 5));
	memcpy(want, val, 32);
	ASSERT_EQ(CKR_OK, gen_secret(f, self->s, 32, 1, &k2));
	a[4].ulValueLen = sizeof(val);
	ASSERT_EQ(CKR_OK, f->C_GetAttributeValue(self->s, k2, a, 5));
	EXPECT_NE(0, memcmp(want, val, 32));

	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, gen_secret(f, self->s, 0, 1, &k));
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, gen_secret(f, self->s, 257, 1, &k));
	EXPECT_EQ(CKR_TEMPLATE_INCOMPLETE, gen_secret(f, self->s, 32, 0, &k));
	/* imported: 256 bytes fit, 257 do not */
	memset(val, 0x5a, sizeof(val));
	EXPECT_EQ(CKR_OK, secret_key(f, self->s, CKK_GENERIC_SECRET, val, 256,
				     CK_TRUE, &k));
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID,
		  secret_key(f, self->s, CKK_GENERIC_SECRET, val, 257, CK_TRUE, &k));
}

/* Token MAC of @msg with @m on @k: one-shot, or in parts when @parts. */
static CK_RV token_mac(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		       CK_MECHANISM *m, CK_OBJECT_HANDLE k,
		       const unsigned char *msg, CK_ULONG n, int parts,
		       unsigned char *out, CK_ULONG *len)
{
	CK_RV rv = f->C_SignInit(s, m, k);

	if (rv != CKR_OK)
		return rv;
	if (!parts)
		return f->C_Sign(s, (CK_BYTE *)msg, n, out, len);
	rv = f->C_SignUpdate(s, (CK_BYTE *)msg, n / 3);
	if (rv == CKR_OK)
		rv = f->C_SignUpdate(s, (CK_BYTE *)msg + n / 3, 0);
	if (rv == CKR_OK)
		rv = f->C_SignUpdate(s, (CK_BYTE *)msg + n / 3, n - n / 3);
	return rv == CKR_OK ? f->C_SignFinal(s, out, len) : rv;
}

static CK_RV token_verify(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
			  CK_MECHANISM *m, CK_OBJECT_HANDLE k,
			  const unsigned char *msg, CK_ULONG n, int parts,
			  unsigned char *mac, CK_ULONG len)
{
	CK_RV rv = f->C_VerifyInit(s, m, k);

	if (rv != CKR_OK)
		return rv;
	if (!parts)
		return f->C_Verify(s, (CK_BYTE *)msg, n, mac, len);
	rv = f->C_VerifyUpdate(s, (CK_BYTE *)msg, n / 2);
	if (rv == CKR_OK)
		rv = f->C_VerifyUpdate(s, (CK_BYTE *)msg + n / 2, n - n / 2);
	return rv == CKR_OK ? f->C_VerifyFinal(s, mac, len) : rv;
}

/*
 * Both directions for one row and one key: the token's MAC (full and
 * _GENERAL) equals OpenSSL's; OpenSSL's verifies on the token; an altered
 * or truncated one does not.
 */
static void cross(struct __test_metadata *_metadata, CK_FUNCTION_LIST_PTR f,
		  CK_SESSION_HANDLE s, const struct mac_row *r,
		  CK_OBJECT_HANDLE k, const unsigned char *key, size_t kl)
{
	unsigned char msg[1000], want[64], got[64];
	static const size_t ns[] = { 0, 1, 63, 64, 65, 200, 1000 };
	CK_ULONG gl = r->len / 2 + 1;
	CK_MECHANISM m = { r->mech, NULL, 0 };
	CK_MECHANISM g = { r->general, &gl, sizeof(gl) };
	CK_ULONG len;
	unsigned int i;
	int parts;
	int wl;

	ASSERT_EQ(1, RAND_bytes(msg, sizeof(msg)));
	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		wl = ossl_mac(r->alg, mac_sub(r, kl), key, kl, msg, ns[i],
			      want, sizeof(want));
		ASSERT_EQ((int)r->len, wl);
		for (parts = 0; parts < 2; parts++) {
			TH_LOG("%s-%s, %zu-byte key, %zu bytes, %s", r->alg,
			       mac_sub(r, kl), kl, ns[i],
			       parts ? "parts" : "one-shot");
			len = sizeof(got);
			ASSERT_EQ(CKR_OK, token_mac(f, s, &m, k, msg, ns[i],
						    parts, got, &len));
			ASSERT_EQ(r->len, len);
			EXPECT_EQ(0, memcmp(want, got, len));
			len = sizeof(got);
			ASSERT_EQ(CKR_OK, token_mac(f, s, &g, k, msg, ns[i],
						    parts, got, &len));
			ASSERT_EQ(gl, len);
			EXPECT_EQ(0, memcmp(want, got, len));
			/* OpenSSL's MAC verifies on the token */
			EXPECT_EQ(CKR_OK, token_verify(f, s, &m, k, msg, ns[i],
						       parts, want, r->len));
			EXPECT_EQ(CKR_OK, token_verify(f, s, &g, k, msg, ns[i],
						       parts, want, gl));
			/* altered, truncated, too long */
			want[ns[i] % r->len] ^= 0x04;
			EXPECT_EQ(CKR_SIGNATURE_INVALID,
				  token_verify(f, s, &m, k, msg, ns[i], parts,
					       want, r->len));
			want[ns[i] % r->len] ^= 0x04;
			EXPECT_EQ(CKR_SIGNATURE_LEN_RANGE,
				  token_verify(f, s, &m, k, msg, ns[i], parts,
					       want, r->len - 1));
			EXPECT_EQ(CKR_SIGNATURE_LEN_RANGE,
				  token_verify(f, s, &g, k, msg, ns[i], parts,
					       want, r->len));
		}
	}
	/* an altered message */
	ASSERT_EQ((int)r->len, ossl_mac(r->alg, mac_sub(r, kl), key, kl, msg,
					100, want, sizeof(want)));
	msg[50] ^= 1;
	EXPECT_EQ(CKR_SIGNATURE_INVALID,
		  token_verify(f, s, &m, k, msg, 100, 0, want, r->len));
}

/* The _GENERAL parameter and key rules of one MAC row. */
static void rules(struct __test_metadata *_metadata, CK_FUNCTION_LIST_PTR f,
		  CK_SESSION_HANDLE s, const struct mac_row *r,
		  CK_OBJECT_HANDLE k, CK_OBJECT_HANDLE wrong_type,
		  CK_OBJECT_HANDLE no_sign)
{
	CK_ULONG gl, len;
	unsigned int small = 7;
	CK_MECHANISM m = { r->mech, NULL, 0 };
	CK_MECHANISM g = { r->general, &gl, sizeof(gl) };
	unsigned char out[64];

	gl = 0;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, f->C_SignInit(s, &g, k));
	gl = r->len + 1;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, f->C_SignInit(s, &g, k));
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, f->C_VerifyInit(s, &g, k));
	g.pParameter = &small;
	g.ulParameterLen = sizeof(small);
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, f->C_SignInit(s, &g, k));
	g.pParameter = NULL;
	g.ulParameterLen = 0;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, f->C_SignInit(s, &g, k));
	m.pParameter = &gl;
	m.ulParameterLen = sizeof(gl);
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, f->C_SignInit(s, &m, k));
	m.pParameter = NULL;
	m.ulParameterLen = 0;
	EXPECT_EQ(CKR_KEY_TYPE_INCONSISTENT, f->C_SignInit(s, &m, wrong_type));
	EXPECT_EQ(CKR_KEY_FUNCTION_NOT_PERMITTED, f->C_SignInit(s, &m, no_sign));
	/* full-length g: the whole MAC; length query and a short buffer */
	gl = r->len;
	g.pParameter = &gl;
	g.ulParameterLen = sizeof(gl);
	ASSERT_EQ(CKR_OK, f->C_SignInit(s, &g, k));
	len = 0;
	EXPECT_EQ(CKR_OK, f->C_Sign(s, (CK_BYTE *)"x", 1, NULL, &len));
	EXPECT_EQ(r->len, len);
	len = r->len - 1;
	EXPECT_EQ(CKR_BUFFER_TOO_SMALL, f->C_Sign(s, (CK_BYTE *)"x", 1, out, &len));
	EXPECT_EQ(r->len, len);
	len = sizeof(out);
	EXPECT_EQ(CKR_OK, f->C_Sign(s, (CK_BYTE *)"x", 1, out, &len));
	EXPECT_EQ(r->len, len);
	len = sizeof(out);
	EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED,
		  f->C_Sign(s, (CK_BYTE *)"x", 1, out, &len));
}

static void all_rows(struct __test_metadata *_metadata, CK_FUNCTION_LIST_PTR f,
		     CK_SESSION_HANDLE s, const struct mac_row *rows,
		     unsigned int n_rows, CK_KEY_TYPE kt, CK_KEY_TYPE other,
		     const size_t *klens, unsigned int n_klens)
{
	unsigned char key[256];
	CK_OBJECT_HANDLE k, wrong, no_sign;
	unsigned int i, j;

	ASSERT_EQ(1, RAND_bytes(key, sizeof(key)));
	ASSERT_EQ(CKR_OK, secret_key(f, s, other, key, 16, CK_TRUE, &wrong));
	ASSERT_EQ(CKR_OK, secret_key(f, s, kt, key, klens[0], CK_FALSE,
				     &no_sign));
	for (j = 0; j < n_klens; j++) {
		ASSERT_EQ(CKR_OK, secret_key(f, s, kt, key, klens[j], CK_TRUE, &k));
		for (i = 0; i < n_rows; i++) {
			cross(_metadata, f, s, &rows[i], k, key, klens[j]);
			if (!j)
				rules(_metadata, f, s, &rows[i], k, wrong,
				      no_sign);
		}
		ASSERT_EQ(CKR_OK, f->C_DestroyObject(s, k));
	}
}

TEST_F(mac, hmac_openssl_both_ways)
{
	/*
	 * short, SHA-256's block, SHA3-384's rate, longer than every block
	 * (SHA3-224's rate is 144), the largest
	 */
	static const size_t klens[] = { 20, 64, 104, 145, 256 };

	all_rows(_metadata, self->f, self->s, hmacs, N_HMACS,
		 CKK_GENERIC_SECRET, CKK_AES, klens, 5);
}

TEST_F(mac, cmac_openssl_both_ways)
{
	static const size_t klens[] = { 16, 24, 32 };
	CK_MECHANISM_INFO mi;

	ASSERT_EQ(CKR_OK, self->f->C_GetMechanismInfo(self->slot, CKM_AES_CMAC,
						      &mi));
	EXPECT_EQ((CK_FLAGS)(CKF_SIGN | CKF_VERIFY), mi.flags);
	EXPECT_EQ(16UL, mi.ulMinKeySize);
	EXPECT_EQ(32UL, mi.ulMaxKeySize);
	all_rows(_metadata, self->f, self->s, cmacs, 1, CKK_AES,
		 CKK_GENERIC_SECRET, klens, 3);
}

/* SHA-3 digests against OpenSSL, one-shot and multi-part. */
TEST_F(mac, sha3_digest_vs_openssl)
{
	static const struct {
		CK_MECHANISM_TYPE m;
		const char *name;
	} d[] = {
		{ CKM_SHA3_224, "SHA3-224" }, { CKM_SHA3_256, "SHA3-256" },
		{ CKM_SHA3_384, "SHA3-384" }, { CKM_SHA3_512, "SHA3-512" },
	};
	static const size_t ns[] = { 0, 71, 72, 73, 136, 3000 };
	unsigned char data[3000], want[64], got[64];
	unsigned int i, j, wl;
	CK_ULONG len;

	ASSERT_EQ(1, RAND_bytes(data, sizeof(data)));
	for (i = 0; i < 4; i++) {
		CK_MECHANISM m = { d[i].m, NULL, 0 };

		for (j = 0; j < sizeof(ns) / sizeof(ns[0]); j++) {
			ASSERT_EQ(1, EVP_Digest(data, ns[j], want, &wl,
						EVP_get_digestbyname(d[i].name),
						NULL));
			ASSERT_EQ(CKR_OK, self->f->C_DigestInit(self->s, &m));
			len = sizeof(got);
			ASSERT_EQ(CKR_OK, self->f->C_Digest(self->s, data, ns[j],
							    got, &len));
			EXPECT_EQ(wl, len);
			EXPECT_EQ(0, memcmp(want, got, wl)) TH_LOG("%s %zu", d[i].name, ns[j]);
			ASSERT_EQ(CKR_OK, self->f->C_DigestInit(self->s, &m));
			ASSERT_EQ(CKR_OK, self->f->C_DigestUpdate(self->s, data, ns[j] / 3));
			ASSERT_EQ(CKR_OK, self->f->C_DigestUpdate(self->s, data + ns[j] / 3,
								  ns[j] - ns[j] / 3));
			len = sizeof(got);
			ASSERT_EQ(CKR_OK, self->f->C_DigestFinal(self->s, got, &len));
			EXPECT_EQ(wl, len);
			EXPECT_EQ(0, memcmp(want, got, wl)) TH_LOG("multi-part %s %zu",
								    d[i].name, ns[j]);
		}
	}
}

TEST_HARNESS_MAIN
