// SPDX-License-Identifier: GPL-2.0
/*
 * C_DeriveKey through khsm-pkcs11.so, cross-checked with OpenSSL:
 * CKM_ECDH1_DERIVE and CKM_ECDH1_COFACTOR_DERIVE on P-256, P-384, P-521 with
 * CKD_NULL give the ECDH secret OpenSSL's EVP_PKEY_derive computes both
 * ways round (the token's private key with an OpenSSL public key, an
 * OpenSSL private key with the token's public key), the peer point bare
 * and as a DER OCTET STRING; the ANSI X9.63 KDFs (SHA-1, SHA-224 ...
 * SHA-512, with and without shared data) give what OpenSSL's "X963KDF"
 * gives; the derived key's attributes (CKA_LOCAL, CKA_KEY_GEN_MECHANISM,
 * CKA_VALUE_LEN, CKA_ALWAYS_SENSITIVE and CKA_NEVER_EXTRACTABLE inherited
 * as PKCS#11 says) and an AES key derived from Z encrypting as OpenSSL
 * does with Z; the refusals (a point off the curve or of the wrong
 * length or curve, unknown KDF, shared data with CKD_NULL, CKA_DERIVE
 * false, CKA_VALUE_LEN missing with a KDF or too long for CKD_NULL,
 * CKA_KEY_TYPE missing, a public key as base, CKA_ALWAYS_AUTHENTICATE).
 * X25519 (CKK_EC_MONTGOMERY, CKM_EC_MONTGOMERY_KEY_PAIR_GEN): the token's
 * secret is OpenSSL's both ways round (curve named by OID and by
 * PrintableString), the RFC 7748 6.1 secret from an imported private
 * key, a KDF as OpenSSL's, a u of small order or the wrong length
 * refused.
 */
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "kselftest_harness.h"
#include "ossl_check.h"
#include "p11_util.h"
#include "khsm_mechs.h"

static const unsigned char p384_oid[] = {
	0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22
};
static const unsigned char p521_oid[] = {
	0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23
};

struct curve {
	const char *name;		/* OpenSSL group */
	const unsigned char *oid;
	CK_ULONG oid_len;
	CK_ULONG nbytes;
};

static const struct curve curves[] = {
	{ "P-256", p_p256_oid, sizeof(p_p256_oid), 32 },
	{ "P-384", p384_oid, sizeof(p384_oid), 48 },
	{ "P-521", p521_oid, sizeof(p521_oid), 66 },
};
#define N_CURVES (sizeof(curves) / sizeof(curves[0]))

/* Bytes of the DER OCTET STRING header in front of @len bytes. */
static size_t der_hdr(size_t len)
{
	return len > 127 ? 3 : 2;
}

/* A token key pair on @c; the private key has CKA_DERIVE @derive. */
static CK_RV gen_pair(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		      const struct curve *c, CK_BBOOL derive, CK_BBOOL auth,
		      CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
	CK_MECHANISM m = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
	CK_ATTRIBUTE pt[] = {
		{ CKA_TOKEN, &no, 1 },
		{ CKA_EC_PARAMS, (void *)c->oid, c->oid_len },
	};
	CK_ATTRIBUTE kt[] = {
		{ CKA_TOKEN, &no, 1 },
		{ CKA_DERIVE, &derive, 1 },
		{ CKA_SENSITIVE, &yes, 1 },
		{ CKA_PRIVATE, &yes, 1 },
		{ CKA_ALWAYS_AUTHENTICATE, &auth, 1 },
	};

	return f->C_GenerateKeyPair(s, &m, pt, 2, kt, 5, pub, priv);
}

/* An OpenSSL key pair on @c and its uncompressed point. */
static EVP_PKEY *ossl_gen(const struct curve *c, unsigned char *pt,
			  size_t *pt_len)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", c->name);

	if (k && !EVP_PKEY_get_octet_string_param(k,
			OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, 256, pt_len)) {
		EVP_PKEY_free(k);
		return NULL;
	}
	return k;
}

/* OpenSSL's ECDH of @priv with the uncompressed point @pt; its length. */
static size_t ossl_ecdh(const struct curve *c, EVP_PKEY *priv,
			const unsigned char *pt, size_t pt_len,
			unsigned char *z)
{
	OSSL_PARAM p[] = {
		OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
				       (char *)c->name, 0),
		OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)pt,
					pt_len),
		OSSL_PARAM_END,
	};
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY_CTX *dc = NULL;
	EVP_PKEY *peer = NULL;
	size_t len = 0;

	if (!pc || EVP_PKEY_fromdata_init(pc) <= 0 ||
	    EVP_PKEY_fromdata(pc, &peer, EVP_PKEY_PUBLIC_KEY, p) <= 0)
		goto out;
	dc = EVP_PKEY_CTX_new(priv, NULL);
	len = 256;
	if (!dc || EVP_PKEY_derive_init(dc) <= 0 ||
	    EVP_PKEY_derive_set_peer(dc, peer) <= 0 ||
	    EVP_PKEY_derive(dc, z, &len) <= 0)
		len = 0;
out:
	EVP_PKEY_CTX_free(dc);
	EVP_PKEY_CTX_free(pc);
	EVP_PKEY_free(peer);
	return len;
}

/* OpenSSL's X9.63 KDF with @md over @z and @si. */
static int ossl_x963(const char *md, const unsigned char *z, size_t z_len,
		     const unsigned char *si, size_t si_len, unsigned char *out,
		     size_t out_len)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "X963KDF", NULL);
	EVP_KDF_CTX *kc = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM p[] = {
		OSSL_PARAM_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md, 0),
		OSSL_PARAM_octet_string(OSSL_KDF_PARAM_KEY, (void *)z, z_len),
		OSSL_PARAM_octet_string(OSSL_KDF_PARAM_INFO, (void *)si,
					si_len),
		OSSL_PARAM_END,
	};
	int ok;

	if (!si_len)
		p[2] = p[3];
	ok = kc && EVP_KDF_derive(kc, out, out_len, p) > 0;
	EVP_KDF_CTX_free(kc);
	EVP_KDF_free(kdf);
	return ok ? 0 : -1;
}

/*
 * C_DeriveKey with @mech on @base: @kdf, shared data @si, peer @pub
 * (@der: wrapped in a DER OCTET STRING), key type @kt, CKA_VALUE_LEN
 * @vlen (0: none), readable (not sensitive, extractable) unless
 * @sensitive.
 */
static CK_RV derive(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		    CK_MECHANISM_TYPE mech, CK_OBJECT_HANDLE base, CK_ULONG kdf,
		    const unsigned char *si, CK_ULONG si_len,
		    const unsigned char *pub, CK_ULONG pub_len, int der,
		    CK_KEY_TYPE kt, CK_ULONG vlen, CK_BBOOL sensitive,
		    CK_OBJECT_HANDLE *h)
{
	unsigned char wrapped[256];
	CK_ECDH1_DERIVE_PARAMS ep = {
		.kdf = kdf,
		.ulSharedDataLen = si_len,
		.pSharedData = (CK_BYTE_PTR)si,
		.ulPublicDataLen = pub_len,
		.pPublicData = (CK_BYTE_PTR)pub,
	};
	CK_MECHANISM m = { mech, &ep, sizeof(ep) };
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_BBOOL no = CK_FALSE, extractable = !sensitive;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_TOKEN, &no, 1 },
		{ CKA_SENSITIVE, &sensitive, 1 },
		{ CKA_EXTRACTABLE, &extractable, 1 },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_VALUE_LEN, &vlen, sizeof(vlen) },
	};

	if (der) {
		size_t h = der_hdr(pub_len);

		wrapped[0] = 0x04;
		wrapped[1] = 0x81;	/* long form; overwritten if short */
		wrapped[h - 1] = (unsigned char)pub_len;
		memcpy(wrapped + h, pub, pub_len);
		ep.pPublicData = wrapped;
		ep.ulPublicDataLen = pub_len + h;
	}
	return f->C_DeriveKey(s, &m, base, t, vlen ? 6 : 5, h);
}

static CK_ULONG value_of(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
			 CK_OBJECT_HANDLE h, unsigned char *buf, CK_ULONG cap)
{
	CK_ATTRIBUTE a = { CKA_VALUE, buf, cap };

	if (f->C_GetAttributeValue(s, h, &a, 1) != CKR_OK)
		return 0;
	return a.ulValueLen;
}

FIXTURE(dk) {
	CK_FUNCTION_LIST_PTR f;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
};

FIXTURE_SETUP(dk)
{
	P_SETUP_USER_SESSION(self);
}

FIXTURE_TEARDOWN(dk)
{
	P_TEARDOWN(self);
}

TEST_F(dk, mechanism_info)
{
	static const CK_MECHANISM_TYPE ms[] = {
		CKM_ECDH1_DERIVE, CKM_ECDH1_COFACTOR_DERIVE,
	};
	CK_MECHANISM_INFO mi;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(CKR_OK, self->f->C_GetMechanismInfo(self->slot,
							      ms[i], &mi));
		EXPECT_EQ(255UL, mi.ulMinKeySize);
		EXPECT_EQ(521UL, mi.ulMaxKeySize);
		EXPECT_TRUE(mi.flags & CKF_DERIVE);
		EXPECT_TRUE(mi.flags & CKF_EC_F_P);
		EXPECT_FALSE(mi.flags & (CKF_SIGN | CKF_ENCRYPT));
	}
}

/* Z both ways round, every combination of mechanism and peer form. */
TEST_F(dk, ecdh_both_ways_openssl)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	unsigned char opt[256], kpt[256], z1[128], z2[128], v[128];
	CK_OBJECT_HANDLE pub, priv, h;
	size_t opt_len, z_len;
	CK_ULONG kpt_len, n;
	unsigned int i, j;

	for (i = 0; i < N_CURVES; i++) {
		const struct curve *c = &curves[i];
		EVP_PKEY *ok = ossl_gen(c, opt, &opt_len);

		ASSERT_NE(NULL, ok);
		ASSERT_EQ(1 + 2 * c->nbytes, opt_len);
		ASSERT_EQ(CKR_OK, gen_pair(f, self->s, c, CK_TRUE, CK_FALSE,
					   &pub, &priv));
		kpt_len = p_ec_point(f, self->s, pub, kpt, sizeof(kpt));
		ASSERT_EQ(der_hdr(opt_len) + opt_len, kpt_len);
		/* OpenSSL: its private key and the token's public key */
		z_len = ossl_ecdh(c, ok, kpt + der_hdr(kpt_len - 2), kpt_len - der_hdr(kpt_len - 2), z1);
		ASSERT_EQ(c->nbytes, z_len);
		/* and the token: its private key and OpenSSL's public key */
		z_len = ossl_ecdh(c, ok, opt, opt_len, z2);
		ASSERT_EQ(c->nbytes, z_len);
		for (j = 0; j < 4; j++) {
			ASSERT_EQ(CKR_OK, derive(f, self->s, j & 1 ?
				CKM_ECDH1_COFACTOR_DERIVE : CKM_ECDH1_DERIVE,
				priv, CKD_NULL, NULL, 0, opt, opt_len, j & 2,
				CKK_GENERIC_SECRET, 0, CK_FALSE, &h));
			n = value_of(f, self->s, h, v, sizeof(v));
			ASSERT_EQ(c->nbytes, n);
			EXPECT_EQ(0, memcmp(v, z1, n));
		}
		/* CKA_VALUE_LEN 16: the trailing bytes of Z */
		ASSERT_EQ(CKR_OK, derive(f, self->s, CKM_ECDH1_DERIVE, priv,
					 CKD_NULL, NULL, 0, opt, opt_len, 0,
					 CKK_GENERIC_SECRET, 16, CK_FALSE, &h));
		n = value_of(f, self->s, h, v, sizeof(v));
		ASSERT_EQ(16UL, n);
		EXPECT_EQ(0, memcmp(v, z1 + c->nbytes - 16, 16));
		EVP_PKEY_free(ok);
	}
}

/* The X9.63 KDFs against OpenSSL's X963KDF over Z. */
TEST_F(dk, x963_kdfs_openssl)
{
	static const struct {
		CK_ULONG ckd;
		const char *md;
	} kdfs[] = {
		{ CKD_SHA1_KDF, "SHA1" }, { CKD_SHA224_KDF, "SHA224" },
		{ CKD_SHA256_KDF, "SHA256" }, { CKD_SHA384_KDF, "SHA384" },
		{ CKD_SHA512_KDF, "SHA512" },
	};
	static const CK_ULONG lens[] = { 16, 32, 45, 64 };
	CK_FUNCTION_LIST_PTR f = self->f;
	unsigned char opt[256], kpt[256], z[128], v[128], want[128], si[40];
	CK_OBJECT_HANDLE pub, priv, h;
	size_t opt_len, z_len;
	CK_ULONG kpt_len, n, si_len;
	unsigned int i, j, k;

	for (i = 0; i < sizeof(si); i++)
		si[i] = (unsigned char)(3 * i + 1);
	for (i = 0; i < N_CURVES; i++) {
		const struct curve *c = &curves[i];
		EVP_PKEY *ok = ossl_gen(c, opt, &opt_len);

		ASSERT_NE(NULL, ok);
		ASSERT_EQ(CKR_OK, gen_pair(f, self->s, c, CK_TRUE, CK_FALSE,
					   &pub, &priv));
		kpt_len = p_ec_point(f, self->s, pub, kpt, sizeof(kpt));
		z_len = ossl_ecdh(c, ok, kpt + der_hdr(kpt_len - 2), kpt_len - der_hdr(kpt_len - 2), z);
		ASSERT_EQ(c->nbytes, z_len);
		for (j = 0; j < 5; j++) {
			for (k = 0; k < 4; k++) {
				si_len = k & 1 ? sizeof(si) : 0;
				ASSERT_EQ(0, ossl_x963(kdfs[j].md, z, z_len, si,
						       si_len, want, lens[k]));
				ASSERT_EQ(CKR_OK, derive(f, self->s,
					CKM_ECDH1_DERIVE, priv, kdfs[j].ckd,
					si_len ? si : NULL, si_len, opt,
					opt_len, k & 2, CKK_GENERIC_SECRET,
					lens[k], CK_FALSE, &h));
				n = value_of(f, self->s, h, v, sizeof(v));
				ASSERT_EQ(lens[k], n);
				EXPECT_EQ(0, memcmp(v, want, n)) {
					TH_LOG("%s kdf %s len %lu si %lu",
					       c->name, kdfs[j].md, lens[k],
					       si_len);
				}
			}
		}
		EVP_PKEY_free(ok);
	}
}

/* PKCS#11 v3.0 4.9: what the token sets on a derived key. */
TEST_F(dk, derived_key_attributes)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	unsigned char opt[256];
	CK_OBJECT_HANDLE pub, priv, h;
	CK_BBOOL local = 1, as = 0, ne = 0;
	CK_ULONG vlen = 0;
	CK_MECHANISM_TYPE gm = 0;
	CK_ATTRIBUTE a[] = {
		{ CKA_LOCAL, &local, 1 },
		{ CKA_ALWAYS_SENSITIVE, &as, 1 },
		{ CKA_NEVER_EXTRACTABLE, &ne, 1 },
		{ CKA_VALUE_LEN, &vlen, sizeof(vlen) },
		{ CKA_KEY_GEN_MECHANISM, &gm, sizeof(gm) },
	};
	size_t opt_len;
	EVP_PKEY *ok = ossl_gen(&curves[0], opt, &opt_len);

	ASSERT_NE(NULL, ok);
	EVP_PKEY_free(ok);
	ASSERT_EQ(CKR_OK, gen_pair(f, self->s, &curves[0], CK_TRUE, CK_FALSE,
				   &pub, &priv));
	/* sensitive, unextractable child of an always-sensitive base */
	ASSERT_EQ(CKR_OK, derive(f, self->s, CKM_ECDH1_DERIVE, priv, CKD_NULL,
				 NULL, 0, opt, opt_len, 0, CKK_AES, 0, CK_TRUE,
				 &h));
	ASSERT_EQ(CKR_OK, f->C_GetAttributeValue(self->s, h, a, 5));
	EXPECT_EQ(CK_FALSE, local);
	EXPECT_EQ(CK_TRUE, as);
	EXPECT_EQ(CK_TRUE, ne);
	EXPECT_EQ(32UL, vlen);
	EXPECT_EQ(CK_UNAVAILABLE_INFORMATION, gm);
	/* a readable child is neither */
	ASSERT_EQ(CKR_OK, derive(f, self->s, CKM_ECDH1_DERIVE, priv, CKD_NULL,
				 NULL, 0, opt, opt_len, 0, CKK_AES, 16, CK_FALSE,
				 &h));
	ASSERT_EQ(CKR_OK, f->C_GetAttributeValue(self->s, h, a, 5));
	EXPECT_EQ(CK_FALSE, as);
	EXPECT_EQ(CK_FALSE, ne);
	EXPECT_EQ(16UL, vlen);
}

/* An AES-256 key derived with CKD_NULL is Z: it encrypts as OpenSSL's. */
TEST_F(dk, derived_aes_key_encrypts)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	unsigned char opt[256], kpt[256], z[64], iv[16], pt[32], ct[48],
		      want[48];
	CK_MECHANISM m = { CKM_AES_CBC, iv, sizeof(iv) };
	CK_OBJECT_HANDLE pub, priv, h;
	CK_ULONG kpt_len, ct_len = sizeof(ct);
	size_t opt_len, z_len;
	EVP_PKEY *ok = ossl_gen(&curves[0], opt, &opt_len);
	int want_len;

	ASSERT_NE(NULL, ok);
	memset(iv, 0x11, sizeof(iv));
	memset(pt, 0x5a, sizeof(pt));
	ASSERT_EQ(CKR_OK, gen_pair(f, self->s, &curves[0], CK_TRUE, CK_FALSE,
				   &pub, &priv));
	kpt_len = p_ec_point(f, self->s, pub, kpt, sizeof(kpt));
	z_len = ossl_ecdh(&curves[0], ok, kpt + der_hdr(kpt_len - 2), kpt_len - der_hdr(kpt_len - 2), z);
	EVP_PKEY_free(ok);
	ASSERT_EQ(32UL, z_len);
	ASSERT_EQ(CKR_OK, derive(f, self->s, CKM_ECDH1_DERIVE, priv, CKD_NULL,
				 NULL, 0, opt, opt_len, 0, CKK_AES, 0, CK_TRUE,
				 &h));
	ASSERT_EQ(CKR_OK, f->C_EncryptInit(self->s, &m, h));
	ASSERT_EQ(CKR_OK, f->C_Encrypt(self->s, pt, sizeof(pt), ct, &ct_len));
	ASSERT_EQ(32UL, ct_len);
	want_len = ossl_cbc(1, z, 32, iv, 0, pt, sizeof(pt), want);
	ASSERT_EQ(32, want_len);
	EXPECT_EQ(0, memcmp(ct, want, 32));
}

TEST_F(dk, refusals)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	unsigned char opt[256], bad[256], o384[256], si[8] = { 1 };
	CK_OBJECT_HANDLE pub, priv, nod_pub, nod, aa_pub, aa, h = 0;
	CK_MECHANISM_TYPE dm = CKM_ECDH1_DERIVE;
	size_t opt_len, o384_len;
	EVP_PKEY *ok = ossl_gen(&curves[0], opt, &opt_len);
	EVP_PKEY *ok384 = ossl_gen(&curves[1], o384, &o384_len);
	CK_ECDH1_DERIVE_PARAMS ep = { CKD_NULL, 0, NULL, 0, NULL };
	CK_MECHANISM m = { dm, NULL, 0 };
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE gen = CKK_GENERIC_SECRET;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE no_type[] = { { CKA_CLASS, &cls, sizeof(cls) } };
	CK_ATTRIBUTE with_value[] = {
		{ CKA_KEY_TYPE, &gen, sizeof(gen) },
		{ CKA_VALUE, si, sizeof(si) },
	};
	CK_BBOOL no = CK_FALSE;
	CK_ATTRIBUTE good[] = { { CKA_KEY_TYPE, &gen, sizeof(gen) } };
	CK_ATTRIBUTE public[] = {
		{ CKA_KEY_TYPE, &gen, sizeof(gen) },
		{ CKA_PRIVATE, &no, 1 },
	};
	CK_ATTRIBUTE token[] = {
		{ CKA_KEY_TYPE, &gen, sizeof(gen) },
		{ CKA_TOKEN, &yes, 1 },
	};

	ASSERT_NE(NULL, ok);
	ASSERT_NE(NULL, ok384);
	EVP_PKEY_free(ok);
	EVP_PKEY_free(ok384);
	ASSERT_EQ(CKR_OK, gen_pair(f, self->s, &curves[0], CK_TRUE, CK_FALSE,
				   &pub, &priv));
	ASSERT_EQ(CKR_OK, gen_pair(f, self->s, &curves[0], CK_FALSE, CK_FALSE,
				   &nod_pub, &nod));
	ASSERT_EQ(CKR_OK, gen_pair(f, self->s, &curves[0], CK_TRUE, CK_TRUE,
				   &aa_pub, &aa));

	/* the peer point: off the curve, wrong length, another curve */
	memcpy(bad, opt, opt_len);
	bad[opt_len - 1] ^= 1;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID,
		  derive(f, self->s, dm, priv, CKD_NULL, NULL, 0, bad, opt_len,
			 0, CKK_GENERIC_SECRET, 0, CK_FALSE, &h));
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID,
		  derive(f, self->s, dm, priv, CKD_NULL, NULL, 0, bad, opt_len,
			 1, CKK_GENERIC_SECRET, 0, CK_FALSE, &h));
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID,
		  derive(f, self->s, dm, priv, CKD_NULL, NULL, 0, opt + 1,
			 opt_len - 1, 0, CKK_GENERIC_SECRET, 0, CK_FALSE, &h));
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID,
		  derive(f, self->s, dm, priv, CKD_NULL, NULL, 0, opt,
			 opt_len - 1, 0, CKK_GENERIC_SECRET, 0, CK_FALSE, &h));
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID,
		  derive(f, self->s, dm, priv, CKD_NULL, NULL, 0, o384,
			 o384_len, 0, CKK_GENERIC_SECRET, 0, CK_FALSE, &h));
	/* the point at infinity (a lone 00) and a compressed point */
	bad[0] = 0x00;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID,
		  derive(f, self->s, dm, priv, CKD_NULL, NULL, 0, bad, 1, 0,
			 CKK_GENERIC_SECRET, 0, CK_FALSE, &h));
	memcpy(bad, opt, 33);
	bad[0] = 0x02;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID,
		  derive(f, self->s, dm, priv, CKD_NULL, NULL, 0, bad, 33, 0,
			 CKK_GENERIC_SECRET, 0, CK_FALSE, &h));
	/* KDFs: unknown, shared data with CKD_NULL */
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID,
		  derive(f, self->s, dm, priv, 0x7f, NULL, 0, opt, opt_len, 0,
			 CKK_GENERIC_SECRET, 16, CK_FALSE, &h));
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID,
		  derive(f, self->s, dm, priv, 0, NULL, 0, opt, opt_len, 0,
			 CKK_GENERIC_SECRET, 16, CK_FALSE, &h));
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID,
		  derive(f, self->s, dm, priv, CKD_NULL, si, sizeof(si), opt,
			 opt_len, 0, CKK_GENERIC_SECRET, 16, CK_FALSE, &h));
	/* no parameter, a parameter of the wrong size */
	m.pParameter = NULL;
	m.ulParameterLen = 0;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID,
		  f->C_DeriveKey(self->s, &m, priv, good, 1, &h));
	m.pParameter = &ep;
	m.ulParameterLen = sizeof(ep) - 1;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID,
		  f->C_DeriveKey(self->s, &m, priv, good, 1, &h));
	/* CKA_VALUE_LEN: none with a KDF, too long for CKD_NULL, 0 */
	EXPECT_EQ(CKR_TEMPLATE_INCOMPLETE,
		  derive(f, self->s, dm, priv, CKD_SHA256_KDF, NULL, 0, opt,
			 opt_len, 0, CKK_GENERIC_SECRET, 0, CK_FALSE, &h));
	EXPECT_EQ(CKR_TEMPLATE_INCONSISTENT,
		  derive(f, self->s, dm, priv, CKD_NULL, NULL, 0, opt, opt_len,
			 0, CKK_GENERIC_SECRET, 33, CK_FALSE, &h));
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID,
		  derive(f, self->s, dm, priv, CKD_SHA256_KDF, NULL, 0, opt,
			 opt_len, 0, CKK_GENERIC_SECRET, 257, CK_FALSE, &h));
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID,
		  derive(f, self->s, dm, priv, CKD_SHA256_KDF, NULL, 0, opt,
			 opt_len, 0, CKK_AES, 20, CK_FALSE, &h));
	/* the template: no key type, a value, a non-secret key type */
	ep.ulPublicDataLen = opt_len;
	ep.pPublicData = opt;
	m.ulParameterLen = sizeof(ep);
	EXPECT_EQ(CKR_TEMPLATE_INCOMPLETE,
		  f->C_DeriveKey(self->s, &m, priv, no_type, 1, &h));
	EXPECT_EQ(CKR_TEMPLATE_INCONSISTENT,
		  f->C_DeriveKey(self->s, &m, priv, with_value, 2, &h));
	EXPECT_EQ(CKR_TEMPLATE_INCONSISTENT,
		  derive(f, self->s, dm, priv, CKD_NULL, NULL, 0, opt, opt_len,
			 0, CKK_EC, 0, CK_FALSE, &h));
	/* the base key: CKA_DERIVE false, public, always-authenticate */
	EXPECT_EQ(CKR_KEY_FUNCTION_NOT_PERMITTED,
		  derive(f, self->s, dm, nod, CKD_NULL, NULL, 0, opt, opt_len,
			 0, CKK_GENERIC_SECRET, 0, CK_FALSE, &h));
	EXPECT_EQ(CKR_KEY_TYPE_INCONSISTENT,
		  derive(f, self->s, dm, pub, CKD_NULL, NULL, 0, opt, opt_len,
			 0, CKK_GENERIC_SECRET, 0, CK_FALSE, &h));
	EXPECT_EQ(CKR_USER_NOT_LOGGED_IN,
		  derive(f, self->s, dm, aa, CKD_NULL, NULL, 0, opt, opt_len,
			 0, CKK_GENERIC_SECRET, 0, CK_FALSE, &h));
	EXPECT_EQ(CKR_KEY_HANDLE_INVALID,
		  derive(f, self->s, dm, 0x7ffffff0, CKD_NULL, NULL, 0, opt,
			 opt_len, 0, CKK_GENERIC_SECRET, 0, CK_FALSE, &h));
	/* a mechanism that does not derive */
	m.mechanism = CKM_ECDSA;
	EXPECT_EQ(CKR_MECHANISM_INVALID,
		  f->C_DeriveKey(self->s, &m, priv, good, 1, &h));
	m.mechanism = dm;
	/* the good call, once, and as a token object in a RO session */
	EXPECT_EQ(CKR_OK, f->C_DeriveKey(self->s, &m, priv, good, 1, &h));
	{
		CK_SESSION_HANDLE ro;

		ASSERT_EQ(CKR_OK, f->C_OpenSession(self->slot,
			  CKF_SERIAL_SESSION, NULL, NULL, &ro));
		EXPECT_EQ(CKR_SESSION_READ_ONLY,
			  f->C_DeriveKey(ro, &m, priv, token, 2, &h));
		EXPECT_EQ(CKR_OK, f->C_DeriveKey(ro, &m, priv, good, 1, &h));
		f->C_CloseSession(ro);
	}
	/*
	 * Logged out: a private new key cannot be made, and for a public
	 * one the private base key is not there.
	 */
	ASSERT_EQ(CKR_OK, f->C_Logout(self->s));
	EXPECT_EQ(CKR_USER_NOT_LOGGED_IN,
		  f->C_DeriveKey(self->s, &m, priv, good, 1, &h));
	EXPECT_EQ(CKR_KEY_HANDLE_INVALID,
		  f->C_DeriveKey(self->s, &m, priv, public, 2, &h));
}

static const unsigned char x_oid[] = { 0x06, 0x03, 0x2b, 0x65, 0x6e };
static const unsigned char x_name[] = {
	0x13, 0x0a, 'c', 'u', 'r', 'v', 'e', '2', '5', '5', '1', '9'
};

static CK_RV gen_x25519(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
			const unsigned char *params, CK_ULONG params_len,
			CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
	CK_MECHANISM m = { CKM_EC_MONTGOMERY_KEY_PAIR_GEN, NULL, 0 };
	CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
	CK_ATTRIBUTE pt[] = {
		{ CKA_TOKEN, &no, 1 },
		{ CKA_EC_PARAMS, (void *)params, params_len },
	};
	CK_ATTRIBUTE kt[] = {
		{ CKA_TOKEN, &no, 1 },
		{ CKA_DERIVE, &yes, 1 },
		{ CKA_SENSITIVE, &yes, 1 },
	};

	return f->C_GenerateKeyPair(s, &m, pt, 2, kt, 3, pub, priv);
}

/* OpenSSL's X25519 of @k with the raw u @peer. */
static int ossl_x25519(EVP_PKEY *k, const unsigned char *peer,
		       unsigned char *z)
{
	EVP_PKEY *p = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer,
						  32);
	EVP_PKEY_CTX *dc = EVP_PKEY_CTX_new(k, NULL);
	size_t len = 32;
	int ok;

	ok = p && dc && EVP_PKEY_derive_init(dc) > 0 &&
	     EVP_PKEY_derive_set_peer(dc, p) > 0 &&
	     EVP_PKEY_derive(dc, z, &len) > 0 && len == 32;
	EVP_PKEY_CTX_free(dc);
	EVP_PKEY_free(p);
	return ok ? 0 : -1;
}

TEST_F(dk, x25519_both_ways_openssl)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	CK_MECHANISM_INFO mi;
	unsigned char opub[32], tpt[64], z[32], want[40], v[64];
	CK_OBJECT_HANDLE pub, priv, h;
	CK_KEY_TYPE kt = 0;
	CK_ATTRIBUTE ka = { CKA_KEY_TYPE, &kt, sizeof(kt) };
	size_t opub_len = sizeof(opub);
	CK_ULONG tpt_len, n;
	unsigned int i, j;

	ASSERT_EQ(CKR_OK, f->C_GetMechanismInfo(self->slot,
			  CKM_EC_MONTGOMERY_KEY_PAIR_GEN, &mi));
	EXPECT_EQ(255UL, mi.ulMinKeySize);
	EXPECT_EQ(255UL, mi.ulMaxKeySize);
	EXPECT_TRUE(mi.flags & CKF_GENERATE_KEY_PAIR);
	for (i = 0; i < 2; i++) {
		EVP_PKEY *ok = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");

		ASSERT_NE(NULL, ok);
		ASSERT_EQ(1, EVP_PKEY_get_raw_public_key(ok, opub, &opub_len));
		ASSERT_EQ(CKR_OK, gen_x25519(f, self->s, i ? x_name : x_oid,
					     i ? sizeof(x_name) : sizeof(x_oid),
					     &pub, &priv));
		ASSERT_EQ(CKR_OK, f->C_GetAttributeValue(self->s, priv, &ka,
							 1));
		EXPECT_EQ((CK_KEY_TYPE)CKK_EC_MONTGOMERY, kt);
		tpt_len = p_ec_point(f, self->s, pub, tpt, sizeof(tpt));
		ASSERT_EQ(34UL, tpt_len);
		EXPECT_EQ(0x04, tpt[0]);
		EXPECT_EQ(0x20, tpt[1]);
		/* OpenSSL: its private key and the token's public key */
		ASSERT_EQ(0, ossl_x25519(ok, tpt + 2, z));
		for (j = 0; j < 4; j++) {
			ASSERT_EQ(CKR_OK, derive(f, self->s, j & 1 ?
				CKM_ECDH1_COFACTOR_DERIVE : CKM_ECDH1_DERIVE,
				priv, CKD_NULL, NULL, 0, opub, 32, j & 2,
				CKK_GENERIC_SECRET, 0, CK_FALSE, &h));
			n = value_of(f, self->s, h, v, sizeof(v));
			ASSERT_EQ(32UL, n);
			EXPECT_EQ(0, memcmp(v, z, 32));
		}
		ASSERT_EQ(0, ossl_x963("SHA256", z, 32, NULL, 0, want, 40));
		ASSERT_EQ(CKR_OK, derive(f, self->s, CKM_ECDH1_DERIVE, priv,
					 CKD_SHA256_KDF, NULL, 0, opub, 32, 0,
					 CKK_GENERIC_SECRET, 40, CK_FALSE, &h));
		n = value_of(f, self->s, h, v, sizeof(v));
		ASSERT_EQ(40UL, n);
		EXPECT_EQ(0, memcmp(v, want, 40));
		EVP_PKEY_free(ok);
	}
}

/* RFC 7748 6.1 through an imported private key; the refusals. */
TEST_F(dk, x25519_rfc7748_and_refusals)
{
	static const unsigned char alice[32] = {
		0x77, 0x07, 0x6d, 0x0a, 0x73, 0x18, 0xa5, 0x7d, 0x3c, 0x16, 0xc1,
		0x72, 0x51, 0xb2, 0x66, 0x45, 0xdf, 0x4c, 0x2f, 0x87, 0xeb, 0xc0,
		0x99, 0x2a, 0xb1, 0x77, 0xfb, 0xa5, 0x1d, 0xb9, 0x2c, 0x2a,
	};
	static const unsigned char bob_pub[32] = {
		0xde, 0x9e, 0xdb, 0x7d, 0x7b, 0x7d, 0xc1, 0xb4, 0xd3, 0x5b, 0x61,
		0xc2, 0xec, 0xe4, 0x35, 0x37, 0x3f, 0x83, 0x43, 0xc8, 0x5b, 0x78,
		0x67, 0x4d, 0xad, 0xfc, 0x7e, 0x14, 0x6f, 0x88, 0x2b, 0x4f,
	};
	static const unsigned char shared[32] = {
		0x4a, 0x5d, 0x9d, 0x5b, 0xa4, 0xce, 0x2d, 0xe1, 0x72, 0x8e, 0x3b,
		0xf4, 0x80, 0x35, 0x0f, 0x25, 0xe0, 0x7e, 0x21, 0xc9, 0x47, 0xd1,
		0x9e, 0x33, 0x76, 0xf0, 0x9b, 0x3c, 0x1e, 0x16, 0x17, 0x42,
	};
	CK_FUNCTION_LIST_PTR f = self->f;
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_KEY_TYPE kt = CKK_EC_MONTGOMERY;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_TOKEN, &no, 1 },
		{ CKA_DERIVE, &yes, 1 },
		{ CKA_EC_PARAMS, (void *)x_oid, sizeof(x_oid) },
		{ CKA_VALUE, (void *)alice, sizeof(alice) },
	};
	unsigned char zero[32] = { 0 }, v[64], opt[256];
	CK_OBJECT_HANDLE priv, h;
	size_t opt_len;
	EVP_PKEY *ok = ossl_gen(&curves[0], opt, &opt_len);
	CK_ULONG n;

	ASSERT_NE(NULL, ok);
	EVP_PKEY_free(ok);
	ASSERT_EQ(CKR_OK, f->C_CreateObject(self->s, t, 6, &priv));
	ASSERT_EQ(CKR_OK, derive(f, self->s, CKM_ECDH1_DERIVE, priv, CKD_NULL,
				 NULL, 0, bob_pub, 32, 1, CKK_GENERIC_SECRET,
				 0, CK_FALSE, &h));
	n = value_of(f, self->s, h, v, sizeof(v));
	ASSERT_EQ(32UL, n);
	EXPECT_EQ(0, memcmp(v, shared, 32));
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID,
		  derive(f, self->s, CKM_ECDH1_DERIVE, priv, CKD_NULL, NULL, 0,
			 zero, 32, 0, CKK_GENERIC_SECRET, 0, CK_FALSE, &h));
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID,
		  derive(f, self->s, CKM_ECDH1_DERIVE, priv, CKD_NULL, NULL, 0,
			 bob_pub, 31, 0, CKK_GENERIC_SECRET, 0, CK_FALSE, &h));
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID,
		  derive(f, self->s, CKM_ECDH1_DERIVE, priv, CKD_NULL, NULL, 0,
			 opt, opt_len, 0, CKK_GENERIC_SECRET, 0, CK_FALSE, &h));
	EXPECT_EQ(CKR_TEMPLATE_INCONSISTENT,
		  derive(f, self->s, CKM_ECDH1_DERIVE, priv, CKD_NULL, NULL, 0,
			 bob_pub, 32, 0, CKK_GENERIC_SECRET, 33, CK_FALSE, &h));
	/* a private key of the wrong length is refused at import */
	t[5].ulValueLen = 31;
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID,
		  f->C_CreateObject(self->s, t, 6, &h));
}

TEST_HARNESS_MAIN
