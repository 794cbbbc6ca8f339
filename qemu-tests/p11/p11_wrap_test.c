// SPDX-License-Identifier: GPL-2.0
/*
 * C_WrapKey / C_UnwrapKey through khsm-pkcs11.so, cross-checked with
 * OpenSSL: CKM_AES_KEY_WRAP and CKM_AES_KEY_WRAP_KWP give what OpenSSL's
 * EVP_aes_*_wrap / _wrap_pad give and unwrap what they make,
 * CKM_AES_CBC_PAD as EVP_aes_*_cbc; CKM_RSA_PKCS_OAEP wraps what OpenSSL
 * decrypts with the private key and unwraps what OpenSSL encrypts with
 * the public key; CKM_RSA_AES_KEY_WRAP as OpenSSL's composition (OAEP of
 * a temporary AES key, then KWP) both ways. AES-128/256 keys and generic
 * secrets; unwrapped keys encrypt as the original, carry CKA_LOCAL,
 * CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE false and no
 * CKA_KEY_GEN_MECHANISM. The length idiom (NULL output answers, short
 * buffer CKR_BUFFER_TOO_SMALL). Refusals: truncated and corrupted
 * wrapped keys, no CKA_WRAP/CKA_UNWRAP, unextractable, weaker wrapping
 * key, a wrapping key that is also a data key (and the reverse),
 * CKA_WRAP_WITH_TRUSTED without CKA_TRUSTED, CKA_TRUSTED set by anyone
 * but the SO, template errors, mechanisms without CKF_WRAP.
 * CKA_WRAP_TEMPLATE (a key to wrap must match it) and CKA_UNWRAP_TEMPLATE
 * (merged into the unwrap template), read back with the two-step
 * C_GetAttributeValue protocol, found by C_FindObjects, malformed and
 * nested ones refused. Private keys
 * (P-256, RSA-2048, Ed25519, X25519) as PKCS#8 PrivateKeyInfo both ways
 * with OpenSSL.
 */
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "kselftest_harness.h"
#include "ossl_check.h"
#include "p11_util.h"
#include "khsm_mechs.h"

#ifndef CKM_RSA_AES_KEY_WRAP
#define CKM_RSA_AES_KEY_WRAP	0x1054UL
#endif

/* CK_RSA_AES_KEY_WRAP_PARAMS (PKCS#11 v3.0); p11-kit 0.24 lacks it. */
struct rsa_aes_params {
	CK_ULONG ulAESKeyBits;
	CK_RSA_PKCS_OAEP_PARAMS *pOAEPParams;
};

static const unsigned char kek128[16] = "kek-128-bits!!!!";
static const unsigned char kek256[32] = "kek-256-bits-for-the-wrap-test!!";
static const unsigned char tk128[16] = "target-aes-128!!";
static const unsigned char tk256[32] = "target-aes-256-value-0123456789!";
static const unsigned char gen16[16] = "generic-secret16";
static const unsigned char iv16[16] = "cbc-pad-iv-0123";

static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
static CK_OBJECT_CLASS secret = CKO_SECRET_KEY;
static CK_KEY_TYPE kt_aes = CKK_AES, kt_gen = CKK_GENERIC_SECRET;

/*
 * A secret key with value @v: a key-transport key (@wrap: CKA_WRAP and
 * CKA_UNWRAP true, ENCRYPT/DECRYPT false) or a data key (the reverse),
 * extractable as asked, plus @extra.
 */
static CK_RV mk_key(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, CK_KEY_TYPE *kt,
		    const unsigned char *v, CK_ULONG len, CK_BBOOL *wrap,
		    CK_BBOOL *extract, CK_ATTRIBUTE *extra, CK_ULONG n_extra,
		    CK_OBJECT_HANDLE *h)
{
	CK_BBOOL *data = *wrap ? &no : &yes;
	CK_ATTRIBUTE t[16] = {
		{ CKA_CLASS, &secret, sizeof(secret) },
		{ CKA_KEY_TYPE, kt, sizeof(*kt) },
		{ CKA_TOKEN, &no, 1 },
		{ CKA_VALUE, (void *)v, len },
		{ CKA_WRAP, wrap, 1 },
		{ CKA_UNWRAP, wrap, 1 },
		{ CKA_ENCRYPT, *kt == CKK_AES ? data : &no, 1 },
		{ CKA_DECRYPT, *kt == CKK_AES ? data : &no, 1 },
		{ CKA_EXTRACTABLE, extract, 1 },
	};
	CK_ULONG n = 9, i, j;

	/* an extra attribute replaces the default one of its type */
	for (i = 0; i < n_extra && n < 16; i++) {
		for (j = 0; j < n && t[j].type != extra[i].type; j++)
			;
		t[j] = extra[i];
		if (j == n)
			n++;
	}
	return f->C_CreateObject(s, t, n, h);
}

static CK_RV kek(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		 const unsigned char *v, CK_ULONG len, CK_OBJECT_HANDLE *h)
{
	return mk_key(f, s, &kt_aes, v, len, &yes, &no, NULL, 0, h);
}

static CK_RV target(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		    CK_KEY_TYPE *kt, const unsigned char *v, CK_ULONG len,
		    CK_OBJECT_HANDLE *h)
{
	return mk_key(f, s, kt, v, len, &no, &yes, NULL, 0, h);
}

/* Unwrap into a readable secret key of type @kt that may encrypt. */
static CK_RV unwrap(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		    CK_MECHANISM *m, CK_OBJECT_HANDLE uk, unsigned char *w,
		    CK_ULONG wl, CK_KEY_TYPE *kt, CK_OBJECT_HANDLE *h)
{
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &secret, sizeof(secret) },
		{ CKA_KEY_TYPE, kt, sizeof(*kt) },
		{ CKA_TOKEN, &no, 1 },
		{ CKA_SENSITIVE, &no, 1 },
		{ CKA_EXTRACTABLE, &yes, 1 },
		{ CKA_ENCRYPT, *kt == CKK_AES ? &yes : &no, 1 },
	};

	return f->C_UnwrapKey(s, m, uk, w, wl, t, 6, h);
}

/* CKA_VALUE of @h equals @v. */
static int value_is(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		    CK_OBJECT_HANDLE h, const unsigned char *v, CK_ULONG len)
{
	unsigned char buf[256];
	CK_ATTRIBUTE a = { CKA_VALUE, buf, sizeof(buf) };

	return f->C_GetAttributeValue(s, h, &a, 1) == CKR_OK &&
	       a.ulValueLen == len && !memcmp(buf, v, len);
}

static CK_BBOOL get_bool(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
			 CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type)
{
	CK_BBOOL b = 0xff;
	CK_ATTRIBUTE a = { type, &b, 1 };

	return f->C_GetAttributeValue(s, h, &a, 1) == CKR_OK ? b : 0xff;
}

/* One ECB block of @h, or -1. */
static int ecb_block(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		     CK_OBJECT_HANDLE h, unsigned char out[16])
{
	CK_MECHANISM m = { CKM_AES_ECB, NULL, 0 };
	unsigned char in[16] = "one block of aes";
	CK_ULONG ol = 16;

	if (f->C_EncryptInit(s, &m, h) != CKR_OK ||
	    f->C_Encrypt(s, in, 16, out, &ol) != CKR_OK || ol != 16)
		return -1;
	return 0;
}

/* The same block with OpenSSL and key @k. */
static int ossl_ecb(const unsigned char *k, size_t kl, unsigned char out[16])
{
	unsigned char in[16] = "one block of aes";
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int l = 0, ok;

	ok = c && EVP_EncryptInit_ex(c, kl == 16 ? EVP_aes_128_ecb() :
				     EVP_aes_256_ecb(), NULL, k, NULL) &&
	     EVP_CIPHER_CTX_set_padding(c, 0) &&
	     EVP_EncryptUpdate(c, out, &l, in, 16) && l == 16;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

/* OpenSSL's KW / KWP / CBC of @in with @k: @enc 1 wraps, 0 unwraps. */
static long kw_ossl(CK_MECHANISM_TYPE m, int enc, const unsigned char *k,
		      size_t kl, const unsigned char *in, size_t n,
		      unsigned char *out)
{
	const EVP_CIPHER *ci;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int l1 = 0, l2 = 0, ok;

	if (m == CKM_AES_KEY_WRAP)
		ci = kl == 16 ? EVP_aes_128_wrap() : kl == 24 ?
		     EVP_aes_192_wrap() : EVP_aes_256_wrap();
	else if (m == CKM_AES_KEY_WRAP_KWP)
		ci = kl == 16 ? EVP_aes_128_wrap_pad() : kl == 24 ?
		     EVP_aes_192_wrap_pad() : EVP_aes_256_wrap_pad();
	else
		ci = kl == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
	if (!c)
		return -1;
	EVP_CIPHER_CTX_set_flags(c, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	ok = EVP_CipherInit_ex(c, ci, NULL, k,
			       m == CKM_AES_CBC_PAD ? iv16 : NULL, enc) &&
	     EVP_CipherUpdate(c, out, &l1, in, (int)n) &&
	     EVP_CipherFinal_ex(c, out + l1, &l2);
	EVP_CIPHER_CTX_free(c);
	return ok ? l1 + l2 : -1;
}

FIXTURE(wk) {
	CK_FUNCTION_LIST_PTR f;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
};

FIXTURE_SETUP(wk)
{
	P_SETUP_USER_SESSION(self);
}

FIXTURE_TEARDOWN(wk)
{
	P_TEARDOWN(self);
}

TEST_F(wk, mechanism_info)
{
	static const CK_MECHANISM_TYPE ms[] = {
		CKM_AES_KEY_WRAP, CKM_AES_KEY_WRAP_KWP, CKM_AES_CBC_PAD,
		CKM_RSA_PKCS_OAEP, CKM_RSA_AES_KEY_WRAP,
	};
	CK_MECHANISM_INFO mi;
	unsigned int i;

	for (i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
		ASSERT_EQ(CKR_OK, self->f->C_GetMechanismInfo(self->slot, ms[i],
							      &mi));
		EXPECT_EQ(CKF_WRAP | CKF_UNWRAP,
			  mi.flags & (CKF_WRAP | CKF_UNWRAP)) TH_LOG("mech 0x%lx", ms[i]);
	}
	ASSERT_EQ(CKR_OK, self->f->C_GetMechanismInfo(self->slot,
						      CKM_RSA_AES_KEY_WRAP, &mi));
	EXPECT_EQ(0UL, mi.flags & (CKF_ENCRYPT | CKF_DECRYPT));
	ASSERT_EQ(CKR_OK, self->f->C_GetMechanismInfo(self->slot, CKM_AES_ECB,
						      &mi));
	EXPECT_EQ(0UL, mi.flags & (CKF_WRAP | CKF_UNWRAP));
}

/*
 * KW, KWP and CBC_PAD with AES-128 and AES-256 wrapping keys, of AES-128,
 * AES-256 (256-bit KEK only) and 16-byte generic secrets: OpenSSL makes
 * the same bytes and unwraps them; the token unwraps them into a key with
 * the original value that encrypts the same.
 */
TEST_F(wk, aes_mechanisms_openssl)
{
	static const CK_MECHANISM_TYPE ms[] = {
		CKM_AES_KEY_WRAP, CKM_AES_KEY_WRAP_KWP, CKM_AES_CBC_PAD,
	};
	struct { CK_KEY_TYPE *kt; const unsigned char *v; CK_ULONG len; } tg[] = {
		{ &kt_aes, tk128, 16 }, { &kt_aes, tk256, 32 },
		{ &kt_gen, gen16, 16 },
	};
	const unsigned char *keks[] = { kek128, kek256 };
	unsigned int i, j, k, checked = 0;

	for (k = 0; k < 2; k++) {
		CK_ULONG kl = k ? 32 : 16;
		CK_OBJECT_HANDLE w;

		ASSERT_EQ(CKR_OK, kek(self->f, self->s, keks[k], kl, &w));
		for (i = 0; i < 3; i++) {
			CK_MECHANISM m = { ms[i], NULL, 0 };

			if (ms[i] == CKM_AES_CBC_PAD) {
				m.pParameter = (void *)iv16;
				m.ulParameterLen = 16;
			}
			for (j = 0; j < 3; j++) {
				unsigned char wr[64], ref[64], back[64];
				unsigned char b1[16], b2[16];
				CK_OBJECT_HANDLE t, u;
				CK_ULONG len = 0;
				long rl;

				if (tg[j].len > kl)
					continue;	/* weaker KEK: refusals */
				ASSERT_EQ(CKR_OK, target(self->f, self->s,
							 tg[j].kt, tg[j].v,
							 tg[j].len, &t));
				/* length query, short buffer, wrap */
				ASSERT_EQ(CKR_OK, self->f->C_WrapKey(self->s, &m,
						w, t, NULL, &len));
				len--;
				EXPECT_EQ(CKR_BUFFER_TOO_SMALL,
					  self->f->C_WrapKey(self->s, &m, w, t,
							     wr, &len));
				ASSERT_EQ(CKR_OK, self->f->C_WrapKey(self->s, &m,
						w, t, wr, &len));
				/* OpenSSL: the same bytes, and back */
				rl = kw_ossl(ms[i], 1, keks[k], kl, tg[j].v,
					       tg[j].len, ref);
				ASSERT_EQ((long)len, rl) TH_LOG("mech 0x%lx kek %lu target %u",
								ms[i], kl, j);
				EXPECT_EQ(0, memcmp(ref, wr, len));
				rl = kw_ossl(ms[i], 0, keks[k], kl, wr, len,
					       back);
				EXPECT_EQ((long)tg[j].len, rl);
				EXPECT_EQ(0, memcmp(back, tg[j].v, tg[j].len));
				/* the token unwraps it (as OpenSSL made it) */
				ASSERT_EQ(CKR_OK, unwrap(self->f, self->s, &m, w,
							 ref, len, tg[j].kt, &u));
				EXPECT_TRUE(value_is(self->f, self->s, u,
						     tg[j].v, tg[j].len));
				EXPECT_EQ(CK_FALSE, get_bool(self->f, self->s, u,
							     CKA_LOCAL));
				EXPECT_EQ(CK_FALSE, get_bool(self->f, self->s, u,
							     CKA_ALWAYS_SENSITIVE));
				EXPECT_EQ(CK_FALSE, get_bool(self->f, self->s, u,
							     CKA_NEVER_EXTRACTABLE));
				{
					CK_MECHANISM_TYPE gm = 0;
					CK_ULONG vl = 0;
					CK_ATTRIBUTE a[] = {
						{ CKA_KEY_GEN_MECHANISM, &gm, sizeof(gm) },
						{ CKA_VALUE_LEN, &vl, sizeof(vl) },
					};

					EXPECT_EQ(CKR_OK, self->f->C_GetAttributeValue(
							self->s, u, a, 2));
					EXPECT_EQ(CK_UNAVAILABLE_INFORMATION, gm);
					EXPECT_EQ(tg[j].len, vl);
				}
				if (*tg[j].kt == CKK_AES) {
					ASSERT_EQ(0, ecb_block(self->f, self->s, u, b1));
					ASSERT_EQ(0, ossl_ecb(tg[j].v, tg[j].len, b2));
					EXPECT_EQ(0, memcmp(b1, b2, 16));
				}
				checked++;
			}
		}
	}
	EXPECT_EQ(15U, checked);
}

/* Truncated, corrupted and mis-sized wrapped keys; template errors. */
TEST_F(wk, unwrap_refusals)
{
	CK_MECHANISM kw = { CKM_AES_KEY_WRAP, NULL, 0 };
	CK_MECHANISM kwp = { CKM_AES_KEY_WRAP_KWP, NULL, 0 };
	CK_MECHANISM ecb = { CKM_AES_ECB, NULL, 0 };
	unsigned char wr[64], bad[64];
	CK_OBJECT_HANDLE w, t, u = 0;
	CK_ULONG len = sizeof(wr), vlen = 32;
	CK_ATTRIBUTE no_type[] = {
		{ CKA_CLASS, &secret, sizeof(secret) },
	};
	CK_ATTRIBUTE wrong_len[] = {
		{ CKA_CLASS, &secret, sizeof(secret) },
		{ CKA_KEY_TYPE, &kt_aes, sizeof(kt_aes) },
		{ CKA_VALUE_LEN, &vlen, sizeof(vlen) },
	};
	CK_MECHANISM *ms[] = { &kw, &kwp };
	unsigned int i;

	ASSERT_EQ(CKR_OK, kek(self->f, self->s, kek256, 32, &w));
	ASSERT_EQ(CKR_OK, target(self->f, self->s, &kt_aes, tk128, 16, &t));
	for (i = 0; i < 2; i++) {
		len = sizeof(wr);
		ASSERT_EQ(CKR_OK, self->f->C_WrapKey(self->s, ms[i], w, t, wr,
						     &len));
		ASSERT_EQ(24UL, len);
		/* truncated by a semiblock: below the minimum / fails the check */
		EXPECT_EQ(i ? CKR_WRAPPED_KEY_INVALID : CKR_WRAPPED_KEY_LEN_RANGE,
			  unwrap(self->f, self->s, ms[i], w, wr, len - 8,
				 &kt_aes, &u));
		/* not a multiple of 8 */
		EXPECT_EQ(CKR_WRAPPED_KEY_LEN_RANGE,
			  unwrap(self->f, self->s, ms[i], w, wr, len - 1,
				 &kt_aes, &u));
		/* any flipped bit fails the integrity check */
		memcpy(bad, wr, len);
		bad[len / 2] ^= 0x01;
		EXPECT_EQ(CKR_WRAPPED_KEY_INVALID,
			  unwrap(self->f, self->s, ms[i], w, bad, len,
				 &kt_aes, &u));
		memcpy(bad, wr, len);
		bad[0] ^= 0x80;
		EXPECT_EQ(CKR_WRAPPED_KEY_INVALID,
			  unwrap(self->f, self->s, ms[i], w, bad, len,
				 &kt_aes, &u));
		/* the template: CKA_KEY_TYPE missing, CKA_VALUE_LEN wrong */
		EXPECT_EQ(CKR_TEMPLATE_INCOMPLETE,
			  self->f->C_UnwrapKey(self->s, ms[i], w, wr, len,
					       no_type, 1, &u));
		EXPECT_EQ(CKR_TEMPLATE_INCONSISTENT,
			  self->f->C_UnwrapKey(self->s, ms[i], w, wr, len,
					       wrong_len, 3, &u));
	}
	/* a length the template's key type cannot have */
	{
		unsigned char odd[24];
		CK_ULONG ol = sizeof(odd);
		CK_OBJECT_HANDLE g;
		static const unsigned char g5[5] = "five!";

		ASSERT_EQ(CKR_OK, target(self->f, self->s, &kt_gen, g5, 5, &g));
		ASSERT_EQ(CKR_OK, self->f->C_WrapKey(self->s, &kwp, w, g, odd,
						     &ol));
		/* a 5-byte value cannot be an AES key */
		EXPECT_EQ(CKR_WRAPPED_KEY_INVALID,
			  unwrap(self->f, self->s, &kwp, w, odd, ol, &kt_aes,
				 &u));
		ASSERT_EQ(CKR_OK, unwrap(self->f, self->s, &kwp, w, odd, ol,
					 &kt_gen, &u));
		EXPECT_TRUE(value_is(self->f, self->s, u, g5, 5));
	}
	/* a mechanism without CKF_UNWRAP / CKF_WRAP */
	EXPECT_EQ(CKR_MECHANISM_INVALID,
		  unwrap(self->f, self->s, &ecb, w, wr, 16, &kt_aes, &u));
	len = sizeof(wr);
	EXPECT_EQ(CKR_MECHANISM_INVALID,
		  self->f->C_WrapKey(self->s, &ecb, w, t, wr, &len));
	/* handles */
	len = sizeof(wr);
	EXPECT_EQ(CKR_WRAPPING_KEY_HANDLE_INVALID,
		  self->f->C_WrapKey(self->s, &kw, 0x7777, t, wr, &len));
	EXPECT_EQ(CKR_KEY_HANDLE_INVALID,
		  self->f->C_WrapKey(self->s, &kw, w, 0x7777, wr, &len));
	EXPECT_EQ(CKR_UNWRAPPING_KEY_HANDLE_INVALID,
		  unwrap(self->f, self->s, &kw, 0x7777, wr, 24, &kt_aes, &u));
}

/* The wrap policy of README, "Wrap and unwrap policy". */
TEST_F(wk, wrap_policy)
{
	CK_MECHANISM kw = { CKM_AES_KEY_WRAP, NULL, 0 };
	CK_MECHANISM ecb = { CKM_AES_ECB, NULL, 0 };
	unsigned char wr[64];
	CK_ULONG len;
	CK_OBJECT_HANDLE w128, w256, t, t256, u, nowrap, both, uext, trusted;
	CK_ATTRIBUTE wwt[] = { { CKA_WRAP_WITH_TRUSTED, &yes, 1 } };
	CK_ATTRIBUTE tr[] = { { CKA_TRUSTED, &yes, 1 } };
	CK_ATTRIBUTE data_too[] = { { CKA_DECRYPT, &yes, 1 } };
	CK_ATTRIBUTE enc_too[] = { { CKA_ENCRYPT, &yes, 1 } };

	ASSERT_EQ(CKR_OK, kek(self->f, self->s, kek128, 16, &w128));
	ASSERT_EQ(CKR_OK, kek(self->f, self->s, kek256, 32, &w256));
	ASSERT_EQ(CKR_OK, target(self->f, self->s, &kt_aes, tk128, 16, &t));
	ASSERT_EQ(CKR_OK, target(self->f, self->s, &kt_aes, tk256, 32, &t256));

	/* the length query answers and wraps nothing (nothing to see) */
	len = 0;
	EXPECT_EQ(CKR_OK, self->f->C_WrapKey(self->s, &kw, w128, t, NULL, &len));
	EXPECT_EQ(24UL, len);
	/* ... but the policy comes first */
	len = 0;
	EXPECT_EQ(CKR_KEY_NOT_WRAPPABLE,
		  self->f->C_WrapKey(self->s, &kw, w128, t256, NULL, &len));

	/* weaker key: AES-128 does not wrap AES-256 */
	len = sizeof(wr);
	EXPECT_EQ(CKR_KEY_NOT_WRAPPABLE,
		  self->f->C_WrapKey(self->s, &kw, w128, t256, wr, &len));
	len = sizeof(wr);
	EXPECT_EQ(CKR_OK, self->f->C_WrapKey(self->s, &kw, w256, t256, wr, &len));

	/* CKA_WRAP false */
	ASSERT_EQ(CKR_OK, mk_key(self->f, self->s, &kt_aes, kek256, 32, &no, &no,
				 NULL, 0, &nowrap));
	len = sizeof(wr);
	EXPECT_EQ(CKR_KEY_FUNCTION_NOT_PERMITTED,
		  self->f->C_WrapKey(self->s, &kw, nowrap, t, wr, &len));

	/* unextractable */
	ASSERT_EQ(CKR_OK, mk_key(self->f, self->s, &kt_aes, tk128, 16, &no, &no,
				 NULL, 0, &uext));
	len = sizeof(wr);
	EXPECT_EQ(CKR_KEY_UNEXTRACTABLE,
		  self->f->C_WrapKey(self->s, &kw, w256, uext, wr, &len));

	/* Clulow: a wrapping key that may also decrypt does neither */
	ASSERT_EQ(CKR_OK, mk_key(self->f, self->s, &kt_aes, kek256, 32, &yes, &no,
				 data_too, 1, &both));
	len = sizeof(wr);
	EXPECT_EQ(CKR_KEY_FUNCTION_NOT_PERMITTED,
		  self->f->C_WrapKey(self->s, &kw, both, t, wr, &len));
	EXPECT_EQ(CKR_KEY_FUNCTION_NOT_PERMITTED,
		  self->f->C_DecryptInit(self->s, &kw, both));
	EXPECT_EQ(CKR_KEY_FUNCTION_NOT_PERMITTED,
		  self->f->C_DecryptInit(self->s, &ecb, both));
	/* ... nor one that may encrypt (chosen value, then unwrap) */
	ASSERT_EQ(CKR_OK, mk_key(self->f, self->s, &kt_aes, kek256, 32, &yes, &no,
				 enc_too, 1, &both));
	EXPECT_EQ(CKR_KEY_FUNCTION_NOT_PERMITTED,
		  self->f->C_EncryptInit(self->s, &kw, both));
	len = sizeof(wr);
	ASSERT_EQ(CKR_OK, self->f->C_WrapKey(self->s, &kw, w256, t, wr, &len));
	EXPECT_EQ(CKR_KEY_FUNCTION_NOT_PERMITTED,
		  unwrap(self->f, self->s, &kw, both, wr, len, &kt_aes, &u));
	/* and a wrapping key is no decryption key: C_Decrypt of a blob */
	EXPECT_EQ(CKR_KEY_FUNCTION_NOT_PERMITTED,
		  self->f->C_DecryptInit(self->s, &kw, w256));

	/* CKA_WRAP_WITH_TRUSTED needs a CKA_TRUSTED wrapping key */
	ASSERT_EQ(CKR_OK, mk_key(self->f, self->s, &kt_aes, tk128, 16, &no, &yes,
				 wwt, 1, &t));
	len = sizeof(wr);
	EXPECT_EQ(CKR_KEY_NOT_WRAPPABLE,
		  self->f->C_WrapKey(self->s, &kw, w256, t, wr, &len));
	/* only the SO makes CKA_TRUSTED true */
	EXPECT_EQ(CKR_ATTRIBUTE_READ_ONLY,
		  mk_key(self->f, self->s, &kt_aes, kek256, 32, &yes, &no, tr, 1,
			 &trusted));
	EXPECT_EQ(CKR_ATTRIBUTE_READ_ONLY,
		  self->f->C_SetAttributeValue(self->s, w256, tr, 1));
	EXPECT_EQ(CK_FALSE, get_bool(self->f, self->s, w256, CKA_TRUSTED));
	{
		CK_ATTRIBUTE pub_tr[] = {
			{ CKA_TRUSTED, &yes, 1 }, { CKA_PRIVATE, &no, 1 },
		};
		CK_OBJECT_HANDLE cp;

		ASSERT_EQ(CKR_OK, self->f->C_Logout(self->s));
		ASSERT_EQ(CKR_OK, self->f->C_Login(self->s, CKU_SO,
				(CK_UTF8CHAR *)P_SO_PIN, strlen(P_SO_PIN)));
		ASSERT_EQ(CKR_OK, mk_key(self->f, self->s, &kt_aes, kek256, 32,
					 &yes, &no, pub_tr, 2, &trusted));
		EXPECT_EQ(CK_TRUE, get_bool(self->f, self->s, trusted,
					    CKA_TRUSTED));
		ASSERT_EQ(CKR_OK, self->f->C_Logout(self->s));
		ASSERT_EQ(CKR_OK, self->f->C_Login(self->s, CKU_USER,
				(CK_UTF8CHAR *)P_USER_PIN, strlen(P_USER_PIN)));
		/* the user may not copy it either: a new trusted key */
		EXPECT_EQ(CKR_ATTRIBUTE_READ_ONLY,
			  self->f->C_CopyObject(self->s, trusted, NULL, 0, &cp));
	}
	/* the logout took the private session objects: make them again */
	ASSERT_EQ(CKR_OK, kek(self->f, self->s, kek256, 32, &w256));
	ASSERT_EQ(CKR_OK, mk_key(self->f, self->s, &kt_aes, tk128, 16, &no, &yes,
				 wwt, 1, &t));
	len = sizeof(wr);
	EXPECT_EQ(CKR_KEY_NOT_WRAPPABLE,
		  self->f->C_WrapKey(self->s, &kw, w256, t, wr, &len));
	len = sizeof(wr);
	EXPECT_EQ(CKR_OK, self->f->C_WrapKey(self->s, &kw, trusted, t, wr, &len));

	/* CKA_ALLOWED_MECHANISMS of the wrapping key */
	{
		CK_MECHANISM_TYPE only = CKM_AES_KEY_WRAP_KWP;
		CK_ATTRIBUTE am[] = {
			{ CKA_ALLOWED_MECHANISMS, &only, sizeof(only) },
		};

		ASSERT_EQ(CKR_OK, self->f->C_SetAttributeValue(self->s, w256, am,
							       1));
		len = sizeof(wr);
		ASSERT_EQ(CKR_OK, target(self->f, self->s, &kt_aes, tk128, 16,
					 &t));
		EXPECT_EQ(CKR_MECHANISM_INVALID,
			  self->f->C_WrapKey(self->s, &kw, w256, t, wr, &len));
	}
}

/*
 * CKA_WRAP_TEMPLATE {CKA_EXTRACTABLE true, CKA_KEY_TYPE CKK_AES} on a KEK:
 * an AES key wraps, a generic secret does not (it does with a KEK without
 * the template, and once the template is emptied).
 * CKA_UNWRAP_TEMPLATE {CKA_SENSITIVE true, CKA_ENCRYPT true, CKA_LABEL}:
 * the unwrapped key gets them; a caller template that disagrees is
 * CKR_TEMPLATE_INCONSISTENT, one that agrees is fine.
 */
TEST_F(wk, wrap_and_unwrap_templates)
{
	static const char label[] = "from-unwrap-template";
	CK_MECHANISM kw = { CKM_AES_KEY_WRAP, NULL, 0 };
	CK_ATTRIBUTE wt_in[] = {
		{ CKA_EXTRACTABLE, &yes, 1 },
		{ CKA_KEY_TYPE, &kt_aes, sizeof(kt_aes) },
	};
	CK_ATTRIBUTE ut_in[] = {
		{ CKA_SENSITIVE, &yes, 1 },
		{ CKA_ENCRYPT, &yes, 1 },
		{ CKA_LABEL, (void *)label, sizeof(label) - 1 },
	};
	CK_ATTRIBUTE tmpls[] = {
		{ CKA_WRAP_TEMPLATE, wt_in, sizeof(wt_in) },
		{ CKA_UNWRAP_TEMPLATE, ut_in, sizeof(ut_in) },
	};
	CK_ATTRIBUTE ut_tmpl[] = {
		{ CKA_CLASS, &secret, sizeof(secret) },
		{ CKA_KEY_TYPE, &kt_aes, sizeof(kt_aes) },
		{ CKA_TOKEN, &no, 1 },
		{ CKA_EXTRACTABLE, &no, 1 },
		{ CKA_SENSITIVE, &yes, 1 },	/* [4]: agrees, then not */
	};
	unsigned char wr[64], lbuf[64];
	CK_BBOOL b0, b1;
	CK_ULONG len, got;
	CK_OBJECT_HANDLE w, plain, t, g, u, found[4];
	CK_ATTRIBUTE a, arr[3], out[3];

	ASSERT_EQ(CKR_OK, mk_key(self->f, self->s, &kt_aes, kek256, 32, &yes,
				 &no, tmpls, 2, &w));
	ASSERT_EQ(CKR_OK, kek(self->f, self->s, kek256, 32, &plain));
	ASSERT_EQ(CKR_OK, target(self->f, self->s, &kt_aes, tk128, 16, &t));
	ASSERT_EQ(CKR_OK, target(self->f, self->s, &kt_gen, gen16, 16, &g));

	/* CKA_WRAP_TEMPLATE */
	len = sizeof(wr);
	EXPECT_EQ(CKR_OK, self->f->C_WrapKey(self->s, &kw, plain, g, wr, &len));
	len = sizeof(wr);
	EXPECT_EQ(CKR_KEY_NOT_WRAPPABLE,
		  self->f->C_WrapKey(self->s, &kw, w, g, wr, &len));
	len = 0;
	EXPECT_EQ(CKR_KEY_NOT_WRAPPABLE,
		  self->f->C_WrapKey(self->s, &kw, w, g, NULL, &len));
	len = sizeof(wr);
	ASSERT_EQ(CKR_OK, self->f->C_WrapKey(self->s, &kw, w, t, wr, &len));
	ASSERT_EQ(24UL, len);

	/* CKA_UNWRAP_TEMPLATE merged in */
	u = 0;
	EXPECT_EQ(CKR_OK, self->f->C_UnwrapKey(self->s, &kw, w, wr, len,
					       ut_tmpl, 4, &u));
	EXPECT_EQ(CK_TRUE, get_bool(self->f, self->s, u, CKA_SENSITIVE));
	EXPECT_EQ(CK_TRUE, get_bool(self->f, self->s, u, CKA_ENCRYPT));
	a = (CK_ATTRIBUTE){ CKA_LABEL, lbuf, sizeof(lbuf) };
	EXPECT_EQ(CKR_OK, self->f->C_GetAttributeValue(self->s, u, &a, 1));
	EXPECT_EQ(sizeof(label) - 1, a.ulValueLen);
	EXPECT_EQ(0, memcmp(lbuf, label, sizeof(label) - 1));
	EXPECT_EQ(CKR_OK, self->f->C_UnwrapKey(self->s, &kw, w, wr, len,
					       ut_tmpl, 5, &u));
	ut_tmpl[4].pValue = &no;
	u = 0;
	EXPECT_EQ(CKR_TEMPLATE_INCONSISTENT,
		  self->f->C_UnwrapKey(self->s, &kw, w, wr, len, ut_tmpl, 5, &u));
	EXPECT_EQ(0UL, u);
	ut_tmpl[4] = (CK_ATTRIBUTE){ CKA_ENCRYPT, &no, 1 };
	EXPECT_EQ(CKR_TEMPLATE_INCONSISTENT,
		  self->f->C_UnwrapKey(self->s, &kw, w, wr, len, ut_tmpl, 5, &u));
	/* the key without the template unwraps as the caller says */
	ut_tmpl[4] = (CK_ATTRIBUTE){ CKA_SENSITIVE, &no, 1 };
	EXPECT_EQ(CKR_OK, self->f->C_UnwrapKey(self->s, &kw, plain, wr, len,
					       ut_tmpl, 5, &u));
	EXPECT_EQ(CK_FALSE, get_bool(self->f, self->s, u, CKA_SENSITIVE));

	/* C_GetAttributeValue: the length, the types and lengths, values */
	a = (CK_ATTRIBUTE){ CKA_UNWRAP_TEMPLATE, NULL, 0 };
	ASSERT_EQ(CKR_OK, self->f->C_GetAttributeValue(self->s, w, &a, 1));
	ASSERT_EQ(3 * sizeof(CK_ATTRIBUTE), a.ulValueLen);
	memset(arr, 0, sizeof(arr));
	a.pValue = arr;
	ASSERT_EQ(CKR_OK, self->f->C_GetAttributeValue(self->s, w, &a, 1));
	EXPECT_EQ(sizeof(arr), a.ulValueLen);
	EXPECT_EQ(CKA_SENSITIVE, arr[0].type);
	EXPECT_EQ(1UL, arr[0].ulValueLen);
	EXPECT_EQ(CKA_ENCRYPT, arr[1].type);
	EXPECT_EQ(1UL, arr[1].ulValueLen);
	EXPECT_EQ(CKA_LABEL, arr[2].type);
	EXPECT_EQ(sizeof(label) - 1, arr[2].ulValueLen);
	b0 = b1 = 0xff;
	memset(lbuf, 0, sizeof(lbuf));
	arr[0].pValue = &b0;
	arr[1].pValue = &b1;
	arr[2].pValue = lbuf;
	arr[2].ulValueLen = sizeof(lbuf);
	ASSERT_EQ(CKR_OK, self->f->C_GetAttributeValue(self->s, w, &a, 1));
	EXPECT_EQ(CK_TRUE, b0);
	EXPECT_EQ(CK_TRUE, b1);
	EXPECT_EQ(sizeof(label) - 1, arr[2].ulValueLen);
	EXPECT_EQ(0, memcmp(lbuf, label, sizeof(label) - 1));
	/* a short value buffer, a short array */
	arr[2].ulValueLen = 4;
	EXPECT_EQ(CKR_BUFFER_TOO_SMALL,
		  self->f->C_GetAttributeValue(self->s, w, &a, 1));
	EXPECT_EQ(CK_UNAVAILABLE_INFORMATION, arr[2].ulValueLen);
	a.ulValueLen = 2 * sizeof(CK_ATTRIBUTE);
	EXPECT_EQ(CKR_BUFFER_TOO_SMALL,
		  self->f->C_GetAttributeValue(self->s, w, &a, 1));
	EXPECT_EQ(CK_UNAVAILABLE_INFORMATION, a.ulValueLen);
	/* CK_ULONG values come back as CK_ULONG */
	{
		CK_ULONG kt = 0;

		memset(out, 0, sizeof(out));
		out[0].pValue = &b0;
		out[0].ulValueLen = 1;
		out[1].pValue = &kt;
		out[1].ulValueLen = sizeof(kt);
		a = (CK_ATTRIBUTE){ CKA_WRAP_TEMPLATE, out,
				    2 * sizeof(CK_ATTRIBUTE) };
		ASSERT_EQ(CKR_OK,
			  self->f->C_GetAttributeValue(self->s, w, &a, 1));
		EXPECT_EQ(CKA_EXTRACTABLE, out[0].type);
		EXPECT_EQ(CKA_KEY_TYPE, out[1].type);
		EXPECT_EQ(sizeof(CK_ULONG), out[1].ulValueLen);
		EXPECT_EQ(CKK_AES, kt);
	}
	/* an unset template is empty */
	a = (CK_ATTRIBUTE){ CKA_WRAP_TEMPLATE, NULL, 0 };
	ASSERT_EQ(CKR_OK, self->f->C_GetAttributeValue(self->s, plain, &a, 1));
	EXPECT_EQ(0UL, a.ulValueLen);

	/* C_FindObjects compares the template */
	a = (CK_ATTRIBUTE){ CKA_WRAP_TEMPLATE, wt_in, sizeof(wt_in) };
	ASSERT_EQ(CKR_OK, self->f->C_FindObjectsInit(self->s, &a, 1));
	got = 0;
	EXPECT_EQ(CKR_OK, self->f->C_FindObjects(self->s, found, 4, &got));
	EXPECT_EQ(CKR_OK, self->f->C_FindObjectsFinal(self->s));
	ASSERT_EQ(1UL, got);
	EXPECT_EQ(w, found[0]);

	/* malformed and nested templates are refused */
	{
		CK_ATTRIBUTE nest[] = {
			{ CKA_WRAP_TEMPLATE, wt_in, sizeof(wt_in) },
		};
		CK_ATTRIBUTE secret_in[] = { { CKA_VALUE, lbuf, 16 } };
		CK_ATTRIBUTE twice[] = {
			{ CKA_ENCRYPT, &yes, 1 }, { CKA_ENCRYPT, &yes, 1 },
		};
		CK_ATTRIBUTE badlen[] = { { CKA_KEY_TYPE, &yes, 1 } };
		CK_ATTRIBUTE bad[] = {
			{ CKA_UNWRAP_TEMPLATE, nest, sizeof(nest) },
			{ CKA_UNWRAP_TEMPLATE, secret_in, sizeof(secret_in) },
			{ CKA_UNWRAP_TEMPLATE, twice, sizeof(twice) },
			{ CKA_WRAP_TEMPLATE, badlen, sizeof(badlen) },
			{ CKA_WRAP_TEMPLATE, wt_in, sizeof(wt_in) - 1 },
			{ CKA_WRAP_TEMPLATE, NULL, sizeof(wt_in) },
		};
		unsigned int i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID,
				  self->f->C_SetAttributeValue(self->s, w,
							       &bad[i], 1))
				TH_LOG("bad template %u", i);
		EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID,
			  mk_key(self->f, self->s, &kt_aes, kek256, 32, &yes,
				 &no, bad, 1, &u));
	}

	/* emptied: the generic secret wraps */
	a = (CK_ATTRIBUTE){ CKA_WRAP_TEMPLATE, NULL, 0 };
	ASSERT_EQ(CKR_OK, self->f->C_SetAttributeValue(self->s, w, &a, 1));
	len = sizeof(wr);
	EXPECT_EQ(CKR_OK, self->f->C_WrapKey(self->s, &kw, w, g, wr, &len));
}

/*
 * Private keys travel as PKCS#8 PrivateKeyInfo through their key type's
 * codec (kmod/key.h ->pkcs8_encode / ->pkcs8_decode): OpenSSL
 * unwraps the token's P-256 key and finds the token's public key in it;
 * the key unwrapped by the token signs for that public key; OpenSSL's own
 * key, wrapped by OpenSSL, unwraps into a key that signs for OpenSSL.
 */
TEST_F(wk, ec_private_key_pkcs8)
{
	CK_MECHANISM kwp = { CKM_AES_KEY_WRAP_KWP, NULL, 0 };
	CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
	CK_MECHANISM gen = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_OBJECT_CLASS cpriv = CKO_PRIVATE_KEY;
	CK_KEY_TYPE kec = CKK_EC;
	CK_ATTRIBUTE pt[] = {
		{ CKA_TOKEN, &no, 1 },
		{ CKA_VERIFY, &yes, 1 },
		{ CKA_EC_PARAMS, (void *)p_p256_oid, sizeof(p_p256_oid) },
	};
	CK_ATTRIBUTE kt[] = {
		{ CKA_TOKEN, &no, 1 },
		{ CKA_SIGN, &yes, 1 },
		{ CKA_SENSITIVE, &yes, 1 },
		{ CKA_EXTRACTABLE, &yes, 1 },
	};
	CK_ATTRIBUTE ut[] = {
		{ CKA_CLASS, &cpriv, sizeof(cpriv) },
		{ CKA_KEY_TYPE, &kec, sizeof(kec) },
		{ CKA_TOKEN, &no, 1 },
		{ CKA_SIGN, &yes, 1 },
	};
	unsigned char wr[512], der[512], point[80], op[80], hash[32], sig[64];
	unsigned char *d8 = NULL;
	const unsigned char *p;
	CK_ULONG len = sizeof(wr), pl, sl = sizeof(sig);
	CK_OBJECT_HANDLE w, pub, priv, u;
	PKCS8_PRIV_KEY_INFO *p8;
	EVP_PKEY *pk, *ok;
	size_t ol = 0;
	long dl;
	int n8;
	CK_RV rv;

	ASSERT_EQ(CKR_OK, kek(self->f, self->s, kek256, 32, &w));
	ASSERT_EQ(CKR_OK, self->f->C_GenerateKeyPair(self->s, &gen, pt, 3, kt,
						     4, &pub, &priv));
	rv = self->f->C_WrapKey(self->s, &kwp, w, priv, wr, &len);
	ASSERT_EQ(CKR_OK, rv);
	dl = kw_ossl(CKM_AES_KEY_WRAP_KWP, 0, kek256, 32, wr, len, der);
	ASSERT_LT(0, dl);
	p = der;
	pk = d2i_AutoPrivateKey(NULL, &p, dl);
	ASSERT_NE(NULL, pk);
	pl = p_ec_point(self->f, self->s, pub, point, sizeof(point));
	ASSERT_LE(65UL, pl);
	ASSERT_EQ(1, EVP_PKEY_get_octet_string_param(pk,
			OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, op, sizeof(op), &ol));
	ASSERT_EQ(65UL, ol);
	EXPECT_EQ(0, memcmp(point + pl - 65, op, 65));
	EVP_PKEY_free(pk);

	ASSERT_EQ(CKR_OK, self->f->C_UnwrapKey(self->s, &kwp, w, wr, len, ut,
					       4, &u));
	EXPECT_EQ(CK_FALSE, get_bool(self->f, self->s, u, CKA_LOCAL));
	memset(hash, 0x42, sizeof(hash));
	ASSERT_EQ(CKR_OK, self->f->C_SignInit(self->s, &ecdsa, u));
	ASSERT_EQ(CKR_OK, self->f->C_Sign(self->s, hash, 32, sig, &sl));
	EXPECT_EQ(1, ossl_p256_verify(point, pl, hash, 32, sig, sl, NULL));

	ok = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ASSERT_NE(NULL, ok);
	p8 = EVP_PKEY2PKCS8(ok);
	ASSERT_NE(NULL, p8);
	n8 = i2d_PKCS8_PRIV_KEY_INFO(p8, &d8);
	PKCS8_PRIV_KEY_INFO_free(p8);
	ASSERT_LT(0, n8);
	dl = kw_ossl(CKM_AES_KEY_WRAP_KWP, 1, kek256, 32, d8, (size_t)n8, wr);
	OPENSSL_clear_free(d8, (size_t)n8);
	ASSERT_LT(0, dl);
	ASSERT_EQ(CKR_OK, self->f->C_UnwrapKey(self->s, &kwp, w, wr,
					       (CK_ULONG)dl, ut, 4, &u));
	ASSERT_EQ(1, EVP_PKEY_get_octet_string_param(ok,
			OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, op, sizeof(op), &ol));
	sl = sizeof(sig);
	ASSERT_EQ(CKR_OK, self->f->C_SignInit(self->s, &ecdsa, u));
	ASSERT_EQ(CKR_OK, self->f->C_Sign(self->s, hash, 32, sig, &sl));
	EXPECT_EQ(1, ossl_p256_verify(op, ol, hash, 32, sig, sl, NULL));
	EVP_PKEY_free(ok);
}

/*
 * The other private key types, both ways, wrapped with AES-256 KWP:
 * OpenSSL's key (PKCS#8 DER, wrapped by OpenSSL) unwraps in the token,
 * signs for OpenSSL's public key (RSA, Ed25519), and wraps back into the
 * very DER OpenSSL wrote; a key pair the token generates unwraps in
 * OpenSSL into a key whose public half is the token's public key.
 */
struct p8_case {
	const char *name, *ossl;	/* EVP_PKEY_Q_keygen type */
	CK_KEY_TYPE kt;
	CK_MECHANISM_TYPE gen, sign;	/* sign 0: the key derives */
};

static const unsigned char ed_oid[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
static const unsigned char x_oid[] = { 0x06, 0x03, 0x2b, 0x65, 0x6e };

static EVP_PKEY *p8_ossl_key(const struct p8_case *c)
{
	if (c->kt == CKK_RSA)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	return EVP_PKEY_Q_keygen(NULL, NULL, c->ossl);
}

/* The public half of the token's key @pub equals @pk's. */
static int p8_same_public(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
			  const struct p8_case *c, CK_OBJECT_HANDLE pub,
			  EVP_PKEY *pk)
{
	unsigned char tok[600], raw[600];
	CK_ATTRIBUTE a = { c->kt == CKK_RSA ? CKA_MODULUS : CKA_EC_POINT,
			   tok, sizeof(tok) };
	size_t rl = sizeof(raw);
	BIGNUM *n = NULL;
	int ok;

	if (f->C_GetAttributeValue(s, pub, &a, 1) != CKR_OK)
		return 0;
	if (c->kt == CKK_RSA) {
		if (!EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &n))
			return 0;
		rl = (size_t)BN_bn2bin(n, raw);
		BN_free(n);
	} else if (EVP_PKEY_get_raw_public_key(pk, raw, &rl) != 1) {
		return 0;
	}
	/* CKA_EC_POINT may be DER around the 32 bytes: compare the tail */
	ok = a.ulValueLen >= rl &&
	     !memcmp(tok + a.ulValueLen - rl, raw, rl);
	return ok;
}

TEST_F_TIMEOUT(wk, other_private_keys_pkcs8, 600)
{
	static const struct p8_case cases[] = {
		{ "RSA-2048", "RSA", CKK_RSA, CKM_RSA_PKCS_KEY_PAIR_GEN,
		  CKM_SHA256_RSA_PKCS },
		{ "Ed25519", "ED25519", CKK_EC_EDWARDS,
		  CKM_EC_EDWARDS_KEY_PAIR_GEN, CKM_EDDSA },
		{ "X25519", "X25519", CKK_EC_MONTGOMERY,
		  CKM_EC_MONTGOMERY_KEY_PAIR_GEN, 0 },
	};
	CK_MECHANISM kwp = { CKM_AES_KEY_WRAP_KWP, NULL, 0 };
	CK_OBJECT_CLASS cpriv = CKO_PRIVATE_KEY;
	CK_ULONG bits = 2048;
	unsigned char e[] = { 1, 0, 1 };
	static const unsigned char msg[] = "wrapped and unwrapped";
	unsigned char wr[4096], der[4096], sig[512];
	CK_OBJECT_HANDLE w;
	unsigned int i;

	ASSERT_EQ(CKR_OK, kek(self->f, self->s, kek256, 32, &w));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct p8_case *c = &cases[i];
		CK_KEY_TYPE kt = c->kt;
		CK_ATTRIBUTE ut[] = {
			{ CKA_CLASS, &cpriv, sizeof(cpriv) },
			{ CKA_KEY_TYPE, &kt, sizeof(kt) },
			{ CKA_TOKEN, &no, 1 },
			{ CKA_EXTRACTABLE, &yes, 1 },
			{ c->sign ? CKA_SIGN : CKA_DERIVE, &yes, 1 },
		};
		CK_ATTRIBUTE pt[3] = { { CKA_TOKEN, &no, 1 } };
		CK_ATTRIBUTE kt3[] = {
			{ CKA_TOKEN, &no, 1 },
			{ CKA_EXTRACTABLE, &yes, 1 },
			{ c->sign ? CKA_SIGN : CKA_DERIVE, &yes, 1 },
		};
		CK_MECHANISM gen = { c->gen, NULL, 0 };
		CK_MECHANISM sm = { c->sign, NULL, 0 };
		CK_OBJECT_HANDLE u, pub, priv;
		CK_ULONG len = sizeof(wr), sl = sizeof(sig), npt = 2;
		unsigned char *d8 = NULL;
		const unsigned char *p;
		PKCS8_PRIV_KEY_INFO *p8;
		EVP_PKEY *ok, *pk;
		EVP_MD_CTX *md;
		long dl;
		int n8;

		/* OpenSSL -> token -> OpenSSL */
		ok = p8_ossl_key(c);
		ASSERT_NE(NULL, ok);
		p8 = EVP_PKEY2PKCS8(ok);
		ASSERT_NE(NULL, p8);
		n8 = i2d_PKCS8_PRIV_KEY_INFO(p8, &d8);
		PKCS8_PRIV_KEY_INFO_free(p8);
		ASSERT_LT(0, n8);
		dl = kw_ossl(CKM_AES_KEY_WRAP_KWP, 1, kek256, 32, d8,
			     (size_t)n8, wr);
		ASSERT_LT(0, dl);
		ASSERT_EQ(CKR_OK, self->f->C_UnwrapKey(self->s, &kwp, w, wr,
						       (CK_ULONG)dl, ut, 5, &u))
			TH_LOG("%s: C_UnwrapKey of OpenSSL's key", c->name);
		EXPECT_EQ(CK_FALSE, get_bool(self->f, self->s, u, CKA_LOCAL));
		EXPECT_EQ(CK_FALSE, get_bool(self->f, self->s, u,
					     CKA_NEVER_EXTRACTABLE));
		ASSERT_EQ(CKR_OK, self->f->C_WrapKey(self->s, &kwp, w, u, wr,
						     &len));
		dl = kw_ossl(CKM_AES_KEY_WRAP_KWP, 0, kek256, 32, wr, len, der);
		ASSERT_EQ((long)n8, dl) TH_LOG("%s: DER length", c->name);
		EXPECT_EQ(0, memcmp(der, d8, (size_t)n8))
			TH_LOG("%s: the token's PKCS#8 is not OpenSSL's", c->name);
		OPENSSL_clear_free(d8, (size_t)n8);
		if (c->sign) {
			ASSERT_EQ(CKR_OK, self->f->C_SignInit(self->s, &sm, u));
			ASSERT_EQ(CKR_OK, self->f->C_Sign(self->s,
				(unsigned char *)msg, sizeof(msg), sig, &sl));
			md = EVP_MD_CTX_new();
			ASSERT_NE(NULL, md);
			EXPECT_EQ(1, EVP_DigestVerifyInit(md, NULL,
				c->kt == CKK_RSA ? EVP_sha256() : NULL, NULL,
				ok) == 1 &&
				EVP_DigestVerify(md, sig, sl, msg,
						 sizeof(msg)) == 1)
				TH_LOG("%s: OpenSSL rejects the signature of the unwrapped key",
				       c->name);
			EVP_MD_CTX_free(md);
		}
		EVP_PKEY_free(ok);

		/* token -> OpenSSL */
		if (c->kt == CKK_RSA) {
			pt[1] = (CK_ATTRIBUTE){ CKA_MODULUS_BITS, &bits,
						sizeof(bits) };
			pt[2] = (CK_ATTRIBUTE){ CKA_PUBLIC_EXPONENT, e,
						sizeof(e) };
			npt = 3;
		} else {
			pt[1] = (CK_ATTRIBUTE){ CKA_EC_PARAMS,
				(void *)(c->kt == CKK_EC_EDWARDS ? ed_oid : x_oid),
				sizeof(ed_oid) };
		}
		ASSERT_EQ(CKR_OK, self->f->C_GenerateKeyPair(self->s, &gen, pt,
				npt, kt3, 3, &pub, &priv))
			TH_LOG("%s: C_GenerateKeyPair", c->name);
		len = sizeof(wr);
		ASSERT_EQ(CKR_OK, self->f->C_WrapKey(self->s, &kwp, w, priv,
						     wr, &len));
		dl = kw_ossl(CKM_AES_KEY_WRAP_KWP, 0, kek256, 32, wr, len, der);
		ASSERT_LT(0, dl);
		p = der;
		pk = d2i_AutoPrivateKey(NULL, &p, dl);
		ASSERT_NE(NULL, pk) TH_LOG("%s: OpenSSL cannot read the token's PKCS#8",
					   c->name);
		EXPECT_EQ(der + dl, p);
		EXPECT_EQ(1, p8_same_public(self->f, self->s, c, pub, pk))
			TH_LOG("%s: the unwrapped key is not the token's", c->name);
		EVP_PKEY_free(pk);
	}
}

/* ---- RSA ---------------------------------------------------------------- */

/* Import @pk: a private key that unwraps, a public key that wraps. */
static CK_RV import(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, EVP_PKEY *pk,
		    CK_OBJECT_HANDLE *priv, CK_OBJECT_HANDLE *pub)
{
	CK_ATTRIBUTE pt[] = {
		{ CKA_UNWRAP, &yes, 1 },
		{ CKA_DECRYPT, &no, 1 },
		{ CKA_SENSITIVE, &yes, 1 },
	};
	CK_ATTRIBUTE ut[] = {
		{ CKA_WRAP, &yes, 1 },
		{ CKA_ENCRYPT, &no, 1 },
	};

	return p_rsa_import(f, s, pk, pt, 3, ut, 2, priv, pub);
}

/* OAEP with SHA-256 / MGF1-SHA-256 and no label. */
static long ossl_oaep(EVP_PKEY *pk, int enc, const unsigned char *in,
		      size_t n, unsigned char *out)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pk, NULL);
	size_t ol = 512;
	int ok = c && (enc ? EVP_PKEY_encrypt_init(c) :
			     EVP_PKEY_decrypt_init(c)) > 0 &&
		 EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING) > 0 &&
		 EVP_PKEY_CTX_set_rsa_oaep_md(c, EVP_sha256()) > 0 &&
		 EVP_PKEY_CTX_set_rsa_mgf1_md(c, EVP_sha256()) > 0 &&
		 (enc ? EVP_PKEY_encrypt(c, out, &ol, in, n) :
			EVP_PKEY_decrypt(c, out, &ol, in, n)) > 0;

	EVP_PKEY_CTX_free(c);
	return ok ? (long)ol : -1;
}

/*
 * One RSA-3072 key (strength 128: it may wrap AES-128 and 16-byte
 * generic secrets, not AES-256), made by OpenSSL and imported, for OAEP
 * and RSA_AES_KEY_WRAP both ways.
 */
TEST_F_TIMEOUT(wk, rsa_openssl_both_ways, 900)
{
	CK_RSA_PKCS_OAEP_PARAMS op = { CKM_SHA256, CKG_MGF1_SHA256, 0, NULL, 0 };
	CK_MECHANISM oaep = { CKM_RSA_PKCS_OAEP, &op, sizeof(op) };
	struct rsa_aes_params rp = { 256, &op };
	CK_MECHANISM raw = { CKM_RSA_AES_KEY_WRAP, &rp, sizeof(rp) };
	unsigned char wr[1024], ref[1024], back[512], tmp[32], val[16];
	CK_OBJECT_HANDLE priv, pub, t, t256, u, g;
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
	CK_ULONG len, len2;
	long rl, kl;

	ASSERT_NE(NULL, pk);
	ASSERT_EQ(CKR_OK, import(self->f, self->s, pk, &priv, &pub));
	ASSERT_EQ(CKR_OK, target(self->f, self->s, &kt_aes, tk128, 16, &t));
	ASSERT_EQ(CKR_OK, target(self->f, self->s, &kt_aes, tk256, 32, &t256));
	ASSERT_EQ(CKR_OK, target(self->f, self->s, &kt_gen, gen16, 16, &g));

	/* OAEP: the token wraps, OpenSSL decrypts with the private key */
	len = 0;
	ASSERT_EQ(CKR_OK, self->f->C_WrapKey(self->s, &oaep, pub, t, NULL, &len));
	EXPECT_EQ(384UL, len);
	ASSERT_EQ(CKR_OK, self->f->C_WrapKey(self->s, &oaep, pub, t, wr, &len));
	rl = ossl_oaep(pk, 0, wr, len, back);
	ASSERT_EQ(16, rl);
	EXPECT_EQ(0, memcmp(back, tk128, 16));
	ASSERT_EQ(CKR_OK, unwrap(self->f, self->s, &oaep, priv, wr, len, &kt_aes,
				 &u));
	EXPECT_TRUE(value_is(self->f, self->s, u, tk128, 16));
	/* OpenSSL encrypts with the public key, the token unwraps */
	ASSERT_EQ(1, RAND_bytes(val, sizeof(val)));
	rl = ossl_oaep(pk, 1, val, 16, ref);
	ASSERT_EQ(384, rl);
	ASSERT_EQ(CKR_OK, unwrap(self->f, self->s, &oaep, priv, ref, 384,
				 &kt_gen, &u));
	EXPECT_TRUE(value_is(self->f, self->s, u, val, 16));
	len = sizeof(wr);
	ASSERT_EQ(CKR_OK, self->f->C_WrapKey(self->s, &oaep, pub, g, wr, &len));
	ASSERT_EQ(16, ossl_oaep(pk, 0, wr, len, back));
	EXPECT_EQ(0, memcmp(back, gen16, 16));
	/* RSA-3072 (128) does not wrap AES-256 */
	len = sizeof(wr);
	EXPECT_EQ(CKR_KEY_NOT_WRAPPABLE,
		  self->f->C_WrapKey(self->s, &oaep, pub, t256, wr, &len));
	/* the private key does not wrap, the public key does not unwrap */
	len = sizeof(wr);
	EXPECT_EQ(CKR_WRAPPING_KEY_TYPE_INCONSISTENT,
		  self->f->C_WrapKey(self->s, &oaep, priv, t, wr, &len));
	EXPECT_EQ(CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT,
		  unwrap(self->f, self->s, &oaep, pub, ref, 384, &kt_aes, &u));
	/* a public key is never wrapped */
	len = sizeof(wr);
	EXPECT_EQ(CKR_KEY_NOT_WRAPPABLE,
		  self->f->C_WrapKey(self->s, &oaep, pub, pub, wr, &len));
	/* a flipped byte */
	memcpy(ref, wr, 384);
	ref[100] ^= 4;
	EXPECT_EQ(CKR_WRAPPED_KEY_INVALID,
		  unwrap(self->f, self->s, &oaep, priv, ref, 384, &kt_gen, &u));
	EXPECT_EQ(CKR_WRAPPED_KEY_LEN_RANGE,
		  unwrap(self->f, self->s, &oaep, priv, wr, 383, &kt_gen, &u));

	/* RSA_AES_KEY_WRAP: OAEP(t) || KWP(t, key); exact length */
	len = 0;
	ASSERT_EQ(CKR_OK, self->f->C_WrapKey(self->s, &raw, pub, t, NULL, &len));
	EXPECT_EQ(384UL + 24, len);
	len2 = len - 1;
	EXPECT_EQ(CKR_BUFFER_TOO_SMALL,
		  self->f->C_WrapKey(self->s, &raw, pub, t, wr, &len2));
	EXPECT_EQ(len, len2);
	ASSERT_EQ(CKR_OK, self->f->C_WrapKey(self->s, &raw, pub, t, wr, &len));
	ASSERT_EQ(384UL + 24, len);
	kl = ossl_oaep(pk, 0, wr, 384, tmp);
	ASSERT_EQ(32, kl);
	rl = kw_ossl(CKM_AES_KEY_WRAP_KWP, 0, tmp, 32, wr + 384, 24, back);
	ASSERT_EQ(16, rl);
	EXPECT_EQ(0, memcmp(back, tk128, 16));
	ASSERT_EQ(CKR_OK, unwrap(self->f, self->s, &raw, priv, wr, len, &kt_aes,
				 &u));
	EXPECT_TRUE(value_is(self->f, self->s, u, tk128, 16));
	/* OpenSSL's composition of a fresh value, unwrapped by the token */
	ASSERT_EQ(1, RAND_bytes(tmp, 32));
	ASSERT_EQ(1, RAND_bytes(val, 16));
	ASSERT_EQ(384, ossl_oaep(pk, 1, tmp, 32, ref));
	ASSERT_EQ(24, kw_ossl(CKM_AES_KEY_WRAP_KWP, 1, tmp, 32, val, 16,
				ref + 384));
	ASSERT_EQ(CKR_OK, unwrap(self->f, self->s, &raw, priv, ref, 408,
				 &kt_aes, &u));
	EXPECT_TRUE(value_is(self->f, self->s, u, val, 16));
	/* corrupted KWP part, corrupted OAEP part, truncated, wrong bits */
	ref[400] ^= 1;
	EXPECT_EQ(CKR_WRAPPED_KEY_INVALID,
		  unwrap(self->f, self->s, &raw, priv, ref, 408, &kt_aes, &u));
	ref[400] ^= 1;
	ref[10] ^= 1;
	EXPECT_EQ(CKR_WRAPPED_KEY_INVALID,
		  unwrap(self->f, self->s, &raw, priv, ref, 408, &kt_aes, &u));
	ref[10] ^= 1;
	EXPECT_EQ(CKR_WRAPPED_KEY_LEN_RANGE,
		  unwrap(self->f, self->s, &raw, priv, ref, 392, &kt_aes, &u));
	rp.ulAESKeyBits = 128;	/* the OAEP part holds 32 bytes, not 16 */
	EXPECT_EQ(CKR_WRAPPED_KEY_INVALID,
		  unwrap(self->f, self->s, &raw, priv, ref, 408, &kt_aes, &u));
	rp.ulAESKeyBits = 100;
	len = sizeof(wr);
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID,
		  self->f->C_WrapKey(self->s, &raw, pub, t, wr, &len));
	rp.ulAESKeyBits = 256;
	/* not an encryption mechanism */
	EXPECT_EQ(CKR_MECHANISM_INVALID,
		  self->f->C_EncryptInit(self->s, &raw, pub));
	EVP_PKEY_free(pk);
}

TEST_HARNESS_MAIN
