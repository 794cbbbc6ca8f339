// SPDX-License-Identifier: GPL-2.0
/*
 * HKDF (RFC 5869, PKCS#11 v3.0 current mechanisms 2.43) through
 * khsm-pkcs11.so: CKM_HKDF_DERIVE on imported CKK_GENERIC_SECRET keys
 * gives RFC 5869 appendix A test cases 1-3 (SHA-256) and 4-7 (SHA-1):
 * the OKM (extract and expand), the PRK (extract only, its length by
 * default) and the OKM again from the PRK (expand only), read back from
 * an extractable derived key; random IKM, salt (data, none, or a key
 * object), info and lengths for every hash (SHA-1, SHA-2, SHA-3) give
 * what OpenSSL's EVP_KDF "HKDF" gives in all three modes; the salt as a
 * CKK_HKDF or CKK_GENERIC_SECRET key (sensitive: it is read in the
 * kernel); CKM_HKDF_DATA makes a CKO_DATA object (CKA_PRIVATE true by
 * default) with the same value; CKM_HKDF_KEY_GEN makes CKK_HKDF keys that
 * derive (and only derive), chained derivations, AES output that
 * encrypts like OpenSSL with the same key, CKA_ALWAYS_SENSITIVE and
 * CKA_NEVER_EXTRACTABLE inherited; and the refusals: neither step,
 * unknown salt types, salt bytes with CKF_HKDF_SALT_NULL, none with
 * CKF_HKDF_SALT_DATA, a salt key that does not exist, may not derive or
 * is an AES key, lengths too large (and an extract-only length other than
 * the hash's), hashes that are not allowed, a wrong parameter size, a
 * base key that may not derive or has the wrong type, a base or salt key
 * whose CKA_ALLOWED_MECHANISMS leaves HKDF out.
 */
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "kselftest_harness.h"
#include "p11_util.h"
#include "khsm_mechs.h"

#ifndef CKF_HKDF_SALT_NULL
#define CKF_HKDF_SALT_NULL	(0x1UL)
#define CKF_HKDF_SALT_DATA	(0x2UL)
#define CKF_HKDF_SALT_KEY	(0x4UL)
typedef struct CK_HKDF_PARAMS {
	CK_BBOOL bExtract;
	CK_BBOOL bExpand;
	CK_MECHANISM_TYPE prfHashMechanism;
	CK_ULONG ulSaltType;
	CK_BYTE_PTR pSalt;
	CK_ULONG ulSaltLen;
	CK_OBJECT_HANDLE hSaltKey;
	CK_BYTE_PTR pInfo;
	CK_ULONG ulInfoLen;
} CK_HKDF_PARAMS;
#endif

static const struct hash {
	CK_MECHANISM_TYPE ckm;
	const char *name;	/* OpenSSL digest */
	CK_ULONG len;
} hashes[] = {
	{ CKM_SHA_1, "SHA1", 20 },
	{ CKM_SHA224, "SHA224", 28 },
	{ CKM_SHA256, "SHA256", 32 },
	{ CKM_SHA384, "SHA384", 48 },
	{ CKM_SHA512, "SHA512", 64 },
	{ CKM_SHA3_224, "SHA3-224", 28 },
	{ CKM_SHA3_256, "SHA3-256", 32 },
	{ CKM_SHA3_384, "SHA3-384", 48 },
	{ CKM_SHA3_512, "SHA3-512", 64 },
};
#define N_HASHES (sizeof(hashes) / sizeof(hashes[0]))

/* RFC 5869 appendix A (hex; salt NULL: not provided). */
static const struct rfc {
	CK_MECHANISM_TYPE prf;
	const char *ikm, *salt, *info, *prk, *okm;
} rfc[] = {
	{ CKM_SHA256, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	  "000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9",
	  "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
	  "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
	  "34007208d5b887185865" },
	{ CKM_SHA256, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	  "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	  "404142434445464748494a4b4c4d4e4f",
	  "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
	  "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
	  "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
	  "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
	  "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
	  "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
	  "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
	  "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
	  "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
	  "cc30c58179ec3e87c14c01d5c1f3434f1d87" },
	/* zero-length salt and info: the salt is CKF_HKDF_SALT_NULL */
	{ CKM_SHA256, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", NULL, "",
	  "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
	  "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
	  "9d201395faa4b61a96c8" },
	{ CKM_SHA_1, "0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c",
	  "f0f1f2f3f4f5f6f7f8f9", "9b6c18c432a7bf8f0e71c8eb88f4b30baa2ba243",
	  "085a01ea1b10f36933068b56efa5ad81a4f14b822f5b091568a9cdd4f155fda2"
	  "c22e422478d305f3f896" },
	{ CKM_SHA_1, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	  "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	  "404142434445464748494a4b4c4d4e4f",
	  "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
	  "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
	  "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
	  "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
	  "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
	  "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
	  "8adae09a2a307059478d309b26c4115a224cfaf6",
	  "0bd770a74d1160f7c9f12cd5912a06ebff6adcae899d92191fe4305673ba2ffe"
	  "8fa3f1a4e5ad79f3f334b3b202b2173c486ea37ce3d397ed034c7f9dfeb15c5e"
	  "927336d0441f4c4300e2cff0d0900b52d3b4" },
	{ CKM_SHA_1, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", NULL, "",
	  "da8c8a73c7fa77288ec6f5e7c297786aa0d32d01",
	  "0ac1af7002b3d761d1e55298da9d0506b9ae52057220a306e07b6b87e8df21d0"
	  "ea00033de03984d34918" },
	{ CKM_SHA_1, "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", NULL, "",
	  "2adccada18779e7c2077ad2eb19d3f3e731385dd",
	  "2c91117204d745f3500d636a62f64f0ab3bae548aa53d423b0d1f27ebba6f5e5"
	  "673a081d70cce7acfc48" },
};
#define N_RFC (sizeof(rfc) / sizeof(rfc[0]))

static size_t unhex(const char *s, unsigned char *out)
{
	size_t n = strlen(s) / 2, i;
	unsigned int v;

	for (i = 0; i < n; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return 0;
		out[i] = (unsigned char)v;
	}
	return n;
}

/* A session secret key of type @kt with value @v, CKA_DERIVE @derive. */
static CK_RV mk_key(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		    CK_KEY_TYPE kt, const unsigned char *v, CK_ULONG len,
		    CK_BBOOL derive, CK_OBJECT_HANDLE *h)
{
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_TOKEN, &no, 1 },
		{ CKA_SENSITIVE, &yes, 1 },
		{ CKA_DERIVE, &derive, 1 },
		{ CKA_VALUE, (void *)v, len },
	};

	return f->C_CreateObject(s, t, 6, h);
}

struct hk {
	CK_MECHANISM_TYPE mech;		/* 0: CKM_HKDF_DERIVE */
	CK_BBOOL extract, expand;
	CK_MECHANISM_TYPE prf;
	CK_ULONG salt_type;		/* 0: DATA if salt_len, else NULL */
	const unsigned char *salt;
	CK_ULONG salt_len;
	CK_OBJECT_HANDLE salt_key;
	const unsigned char *info;
	CK_ULONG info_len;
	CK_KEY_TYPE kt;			/* 0: CKK_GENERIC_SECRET */
	CK_ULONG vlen;			/* 0: no CKA_VALUE_LEN */
	CK_BBOOL sensitive;
};

/* C_DeriveKey with CK_HKDF_PARAMS from @p; readable unless sensitive. */
static CK_RV hkdf(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		  CK_OBJECT_HANDLE base, const struct hk *p, CK_OBJECT_HANDLE *h)
{
	CK_HKDF_PARAMS hp = {
		.bExtract = p->extract, .bExpand = p->expand,
		.prfHashMechanism = p->prf,
		.ulSaltType = p->salt_type ? p->salt_type :
			      p->salt_len ? CKF_HKDF_SALT_DATA :
					    CKF_HKDF_SALT_NULL,
		.pSalt = (CK_BYTE_PTR)p->salt, .ulSaltLen = p->salt_len,
		.hSaltKey = p->salt_key,
		.pInfo = (CK_BYTE_PTR)p->info, .ulInfoLen = p->info_len,
	};
	CK_MECHANISM m = { p->mech ? p->mech : CKM_HKDF_DERIVE, &hp,
			   sizeof(hp) };
	CK_OBJECT_CLASS cls = m.mechanism == CKM_HKDF_DATA ? CKO_DATA :
			      CKO_SECRET_KEY;
	CK_KEY_TYPE kt = p->kt ? p->kt : CKK_GENERIC_SECRET;
	CK_BBOOL no = CK_FALSE, sens = p->sensitive, ext = !p->sensitive;
	CK_ULONG vlen = p->vlen;
	CK_ATTRIBUTE key_t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_TOKEN, &no, 1 },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_SENSITIVE, &sens, 1 },
		{ CKA_EXTRACTABLE, &ext, 1 },
		{ CKA_VALUE_LEN, &vlen, sizeof(vlen) },
	};
	CK_ATTRIBUTE data_t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_TOKEN, &no, 1 },
		{ CKA_VALUE_LEN, &vlen, sizeof(vlen) },
	};

	*h = 0;
	if (cls == CKO_DATA)
		return f->C_DeriveKey(s, &m, base, data_t, vlen ? 3 : 2, h);
	return f->C_DeriveKey(s, &m, base, key_t, vlen ? 6 : 5, h);
}

/* CKA_VALUE of @h into @buf; its length, 0 on error. */
static CK_ULONG value_of(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
			 CK_OBJECT_HANDLE h, unsigned char *buf, CK_ULONG cap)
{
	CK_ATTRIBUTE a = { CKA_VALUE, buf, cap };

	if (f->C_GetAttributeValue(s, h, &a, 1) != CKR_OK)
		return 0;
	return a.ulValueLen;
}

static CK_ULONG ulong_of(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
			 CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type)
{
	CK_ULONG v = ~0UL;
	CK_ATTRIBUTE a = { type, &v, sizeof(v) };

	if (f->C_GetAttributeValue(s, h, &a, 1) != CKR_OK)
		return ~0UL;
	return v;
}

static int bool_of(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		   CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type)
{
	CK_BBOOL v = 2;
	CK_ATTRIBUTE a = { type, &v, 1 };

	if (f->C_GetAttributeValue(s, h, &a, 1) != CKR_OK)
		return -1;
	return v;
}

/* OpenSSL's HKDF (@mode EVP_KDF_HKDF_MODE_*); @salt NULL: none. */
static int ossl_hkdf(const char *md, int mode, const unsigned char *key,
		     size_t key_len, const unsigned char *salt,
		     size_t salt_len, const unsigned char *info,
		     size_t info_len, unsigned char *out, size_t out_len)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *c = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM p[6], *q = p;
	int ok;

	*q++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						(char *)md, 0);
	*q++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						 (void *)key, key_len);
	if (salt)
		*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
							 (void *)salt, salt_len);
	if (info_len)
		*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
							 (void *)info, info_len);
	*q = OSSL_PARAM_construct_end();
	ok = c && EVP_KDF_derive(c, out, out_len, p) == 1;
	EVP_KDF_CTX_free(c);
	EVP_KDF_free(kdf);
	return ok ? 0 : -1;
}

FIXTURE(hk) {
	CK_FUNCTION_LIST_PTR f;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
};

FIXTURE_SETUP(hk)
{
	P_SETUP_USER_SESSION(self);
}

FIXTURE_TEARDOWN(hk)
{
	P_TEARDOWN(self);
}

TEST_F(hk, mechanism_info)
{
	CK_MECHANISM_INFO mi;

	ASSERT_EQ(CKR_OK, self->f->C_GetMechanismInfo(self->slot,
						      CKM_HKDF_DERIVE, &mi));
	EXPECT_EQ(CKF_DERIVE, mi.flags & ~CKF_HW);
	EXPECT_EQ(1UL, mi.ulMinKeySize);
	EXPECT_EQ(256UL, mi.ulMaxKeySize);
	ASSERT_EQ(CKR_OK, self->f->C_GetMechanismInfo(self->slot,
						      CKM_HKDF_DATA, &mi));
	EXPECT_EQ(CKF_DERIVE, mi.flags & ~CKF_HW);
	EXPECT_EQ(1UL, mi.ulMinKeySize);
	EXPECT_EQ(256UL, mi.ulMaxKeySize);
	ASSERT_EQ(CKR_OK, self->f->C_GetMechanismInfo(self->slot,
						      CKM_HKDF_KEY_GEN, &mi));
	EXPECT_EQ(CKF_GENERATE, mi.flags & ~CKF_HW);
	EXPECT_EQ(8UL, mi.ulMinKeySize);
	EXPECT_EQ(2048UL, mi.ulMaxKeySize);
}

/* RFC 5869 A.1-A.7: OKM, PRK (extract only), OKM from the PRK. */
TEST_F(hk, rfc5869_vectors)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	unsigned char ikm[80], salt[80], info[80], prk[64], okm[82], v[256];
	CK_OBJECT_HANDLE base, prk_key, h;
	unsigned int i;

	for (i = 0; i < N_RFC; i++) {
		size_t ni = unhex(rfc[i].ikm, ikm);
		size_t ns = rfc[i].salt ? unhex(rfc[i].salt, salt) : 0;
		size_t nf = unhex(rfc[i].info, info);
		size_t np = unhex(rfc[i].prk, prk);
		size_t no = unhex(rfc[i].okm, okm);
		struct hk p = {
			.extract = CK_TRUE, .expand = CK_TRUE,
			.prf = rfc[i].prf, .salt = salt, .salt_len = ns,
			.info = info, .info_len = nf, .vlen = no,
		};

		ASSERT_EQ(CKR_OK, mk_key(f, self->s, CKK_GENERIC_SECRET, ikm,
					 ni, CK_TRUE, &base));
		ASSERT_EQ(CKR_OK, hkdf(f, self->s, base, &p, &h))
			TH_LOG("test case %u", i + 1);
		EXPECT_EQ(no, value_of(f, self->s, h, v, sizeof(v)));
		EXPECT_EQ(0, memcmp(v, okm, no)) TH_LOG("test case %u OKM", i + 1);
		EXPECT_EQ(no, ulong_of(f, self->s, h, CKA_VALUE_LEN));

		/* extract only: the PRK, as long as the hash */
		p.expand = CK_FALSE;
		p.vlen = 0;
		ASSERT_EQ(CKR_OK, hkdf(f, self->s, base, &p, &h));
		EXPECT_EQ(np, value_of(f, self->s, h, v, sizeof(v)));
		EXPECT_EQ(0, memcmp(v, prk, np)) TH_LOG("test case %u PRK", i + 1);
		p.vlen = np;
		ASSERT_EQ(CKR_OK, hkdf(f, self->s, base, &p, &h));
		EXPECT_EQ(np, value_of(f, self->s, h, v, sizeof(v)));

		/* expand only from the PRK (as CKK_HKDF); the salt is ignored */
		ASSERT_EQ(CKR_OK, mk_key(f, self->s, CKK_HKDF, prk, np,
					 CK_TRUE, &prk_key));
		p.extract = CK_FALSE;
		p.expand = CK_TRUE;
		p.vlen = no;
		ASSERT_EQ(CKR_OK, hkdf(f, self->s, prk_key, &p, &h));
		EXPECT_EQ(no, value_of(f, self->s, h, v, sizeof(v)));
		EXPECT_EQ(0, memcmp(v, okm, no))
			TH_LOG("test case %u expand only", i + 1);
	}
}

/*
 * Random IKM, salt (data, none, key object), info and length for every
 * hash, all three modes, against OpenSSL.
 */
TEST_F(hk, openssl_cross_check)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	unsigned char ikm[128], salt[96], info[128], v[256], ref[256];
	unsigned char r[5];
	CK_OBJECT_HANDLE base, skey, h;
	unsigned int i, j, bad = 0, n = 0;

	for (i = 0; i < N_HASHES; i++) {
		const struct hash *hs = &hashes[i];

		for (j = 0; j < 12; j++) {
			size_t ni, ns, nf, no;
			int mode = j % 3, salt_how = j / 3 % 3;
			struct hk p = { .prf = hs->ckm };

			ASSERT_EQ(1, RAND_bytes(r, sizeof(r)));
			ni = 1 + r[0] % sizeof(ikm);
			ns = 1 + r[1] % sizeof(salt);
			nf = r[2] % sizeof(info);
			no = 1 + (r[3] | (r[4] & 1) << 8) % 256;
			ASSERT_EQ(1, RAND_bytes(ikm, sizeof(ikm)));
			ASSERT_EQ(1, RAND_bytes(salt, sizeof(salt)));
			ASSERT_EQ(1, RAND_bytes(info, sizeof(info)));
			ASSERT_EQ(CKR_OK, mk_key(f, self->s,
						 j & 1 ? CKK_HKDF :
							 CKK_GENERIC_SECRET,
						 ikm, ni, CK_TRUE, &base));
			p.extract = mode != 2;
			p.expand = mode != 1;
			p.info = info;
			p.info_len = nf;
			if (mode == 1)
				no = hs->len;
			p.vlen = mode == 1 && (j & 2) ? 0 : no;
			if (salt_how == 1) {
				p.salt = salt;
				p.salt_len = ns;
			} else if (salt_how == 2) {
				ASSERT_EQ(CKR_OK,
					  mk_key(f, self->s, CKK_HKDF, salt, ns,
						 CK_TRUE, &skey));
				p.salt_type = CKF_HKDF_SALT_KEY;
				p.salt_key = skey;
			}
			ASSERT_EQ(CKR_OK, hkdf(f, self->s, base, &p, &h))
				TH_LOG("%s mode %d salt %d", hs->name, mode,
				       salt_how);
			ASSERT_EQ(no, value_of(f, self->s, h, v, sizeof(v)));
			ASSERT_EQ(0, ossl_hkdf(hs->name,
					       mode == 0 ? EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND :
					       mode == 1 ? EVP_KDF_HKDF_MODE_EXTRACT_ONLY :
							   EVP_KDF_HKDF_MODE_EXPAND_ONLY,
					       ikm, ni, salt_how ? salt : NULL,
					       ns, info, nf, ref, no));
			if (memcmp(v, ref, no)) {
				bad++;
				TH_LOG("%s mode %d salt %d: %zu bytes differ",
				       hs->name, mode, salt_how, no);
			}
			n++;
			f->C_DestroyObject(self->s, h);
			f->C_DestroyObject(self->s, base);
		}
	}
	EXPECT_EQ(0U, bad);
	EXPECT_EQ(12 * N_HASHES, n);
}

/* The salt as a key object, sensitive: read in the kernel only. */
TEST_F(hk, salt_key)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	unsigned char ikm[32], salt[40], info[8] = "context", v1[64], v2[64];
	CK_OBJECT_HANDLE base, s_hkdf, s_gen, s_noderive, s_aes, h1, h2;
	struct hk p = {
		.extract = CK_TRUE, .expand = CK_TRUE, .prf = CKM_SHA384,
		.info = info, .info_len = sizeof(info), .vlen = 64,
	};
	CK_ATTRIBUTE a = { CKA_VALUE, v1, sizeof(v1) };

	ASSERT_EQ(1, RAND_bytes(ikm, sizeof(ikm)));
	ASSERT_EQ(1, RAND_bytes(salt, sizeof(salt)));
	ASSERT_EQ(CKR_OK, mk_key(f, self->s, CKK_GENERIC_SECRET, ikm,
				 sizeof(ikm), CK_TRUE, &base));
	ASSERT_EQ(CKR_OK, mk_key(f, self->s, CKK_HKDF, salt, sizeof(salt),
				 CK_TRUE, &s_hkdf));
	ASSERT_EQ(CKR_OK, mk_key(f, self->s, CKK_GENERIC_SECRET, salt,
				 sizeof(salt), CK_TRUE, &s_gen));
	ASSERT_EQ(CKR_OK, mk_key(f, self->s, CKK_HKDF, salt, sizeof(salt),
				 CK_FALSE, &s_noderive));
	ASSERT_EQ(CKR_OK, mk_key(f, self->s, CKK_AES, salt, 32, CK_TRUE,
				 &s_aes));
	/* the salt key stays sensitive: no one reads it */
	EXPECT_EQ(CKR_ATTRIBUTE_SENSITIVE,
		  f->C_GetAttributeValue(self->s, s_hkdf, &a, 1));

	p.salt = salt;
	p.salt_len = sizeof(salt);
	ASSERT_EQ(CKR_OK, hkdf(f, self->s, base, &p, &h1));
	ASSERT_EQ(64UL, value_of(f, self->s, h1, v1, sizeof(v1)));
	p.salt = NULL;
	p.salt_len = 0;
	p.salt_type = CKF_HKDF_SALT_KEY;
	p.salt_key = s_hkdf;
	ASSERT_EQ(CKR_OK, hkdf(f, self->s, base, &p, &h2));
	ASSERT_EQ(64UL, value_of(f, self->s, h2, v2, sizeof(v2)));
	EXPECT_EQ(0, memcmp(v1, v2, 64));
	p.salt_key = s_gen;
	ASSERT_EQ(CKR_OK, hkdf(f, self->s, base, &p, &h2));
	ASSERT_EQ(64UL, value_of(f, self->s, h2, v2, sizeof(v2)));
	EXPECT_EQ(0, memcmp(v1, v2, 64));
	/* the base key as its own salt */
	p.salt_key = base;
	EXPECT_EQ(CKR_OK, hkdf(f, self->s, base, &p, &h2));

	/* refused salt keys */
	p.salt_key = s_noderive;
	EXPECT_EQ(CKR_KEY_FUNCTION_NOT_PERMITTED, hkdf(f, self->s, base, &p,
						       &h2));
	EXPECT_EQ(0UL, h2);
	p.salt_key = s_aes;
	EXPECT_EQ(CKR_KEY_TYPE_INCONSISTENT, hkdf(f, self->s, base, &p, &h2));
	p.salt_key = 0;
	EXPECT_EQ(CKR_KEY_HANDLE_INVALID, hkdf(f, self->s, base, &p, &h2));
	p.salt_key = 0x7fff1234;
	EXPECT_EQ(CKR_KEY_HANDLE_INVALID, hkdf(f, self->s, base, &p, &h2));
	ASSERT_EQ(CKR_OK, f->C_DestroyObject(self->s, s_gen));
	p.salt_key = s_gen;
	EXPECT_EQ(CKR_KEY_HANDLE_INVALID, hkdf(f, self->s, base, &p, &h2));
	/* salt bytes and a salt key together */
	p.salt_key = s_hkdf;
	p.salt = salt;
	p.salt_len = 4;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, hkdf(f, self->s, base, &p,
						    &h2));
	/* expand only: the salt key is not used, so not looked up */
	p.salt = NULL;
	p.salt_len = 0;
	p.salt_key = 0x7fff1234;
	p.extract = CK_FALSE;
	EXPECT_EQ(CKR_OK, hkdf(f, self->s, base, &p, &h2));
}

/* CKM_HKDF_DATA: a CKO_DATA object with the value. */
TEST_F(hk, data_object)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	unsigned char ikm[48], info[16], v[256], ref[256];
	CK_OBJECT_HANDLE base, h;
	CK_OBJECT_CLASS cls = CKO_DATA, sk = CKO_SECRET_KEY;
	CK_BBOOL no = CK_FALSE;
	CK_KEY_TYPE gen = CKK_GENERIC_SECRET;
	CK_ULONG vlen = 100;
	CK_HKDF_PARAMS hp = {
		CK_TRUE, CK_TRUE, CKM_SHA256, CKF_HKDF_SALT_NULL, NULL, 0, 0,
		info, sizeof(info),
	};
	CK_MECHANISM m = { CKM_HKDF_DATA, &hp, sizeof(hp) };
	char label[] = "hkdf-data";
	CK_ATTRIBUTE pub[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_TOKEN, &no, 1 },
		{ CKA_PRIVATE, &no, 1 },
		{ CKA_LABEL, label, sizeof(label) - 1 },
		{ CKA_VALUE_LEN, &vlen, sizeof(vlen) },
	};
	CK_ATTRIBUTE with_value[] = {
		{ CKA_VALUE, ikm, 4 },
	};
	CK_ATTRIBUTE as_key[] = {
		{ CKA_CLASS, &sk, sizeof(sk) },
	};
	CK_ATTRIBUTE with_type[] = {
		{ CKA_KEY_TYPE, &gen, sizeof(gen) },
	};
	struct hk p = {
		.mech = CKM_HKDF_DATA, .extract = CK_TRUE, .expand = CK_TRUE,
		.prf = CKM_SHA256, .info = info, .info_len = sizeof(info),
		.vlen = 77,
	};

	ASSERT_EQ(1, RAND_bytes(ikm, sizeof(ikm)));
	ASSERT_EQ(1, RAND_bytes(info, sizeof(info)));
	ASSERT_EQ(CKR_OK, mk_key(f, self->s, CKK_GENERIC_SECRET, ikm,
				 sizeof(ikm), CK_TRUE, &base));
	ASSERT_EQ(CKR_OK, hkdf(f, self->s, base, &p, &h));
	EXPECT_EQ(CKO_DATA, ulong_of(f, self->s, h, CKA_CLASS));
	EXPECT_EQ(1, bool_of(f, self->s, h, CKA_PRIVATE));
	ASSERT_EQ(77UL, value_of(f, self->s, h, v, sizeof(v)));
	ASSERT_EQ(0, ossl_hkdf("SHA256", EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND,
			       ikm, sizeof(ikm), NULL, 0, info, sizeof(info),
			       ref, 77));
	EXPECT_EQ(0, memcmp(v, ref, 77));
	/* no CKA_VALUE_LEN: the hash length */
	p.vlen = 0;
	ASSERT_EQ(CKR_OK, hkdf(f, self->s, base, &p, &h));
	EXPECT_EQ(32UL, value_of(f, self->s, h, v, sizeof(v)));
	EXPECT_EQ(0, memcmp(v, ref, 32));
	/* a public data object with a label, as the template says */
	ASSERT_EQ(CKR_OK, f->C_DeriveKey(self->s, &m, base, pub, 5, &h));
	EXPECT_EQ(0, bool_of(f, self->s, h, CKA_PRIVATE));
	ASSERT_EQ(100UL, value_of(f, self->s, h, v, sizeof(v)));
	ASSERT_EQ(0, ossl_hkdf("SHA256", EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND,
			       ikm, sizeof(ikm), NULL, 0, info, sizeof(info),
			       ref, 100));
	EXPECT_EQ(0, memcmp(v, ref, 100));
	/* refusals: CKA_VALUE given, another class, a key type, 257 bytes */
	EXPECT_EQ(CKR_TEMPLATE_INCONSISTENT,
		  f->C_DeriveKey(self->s, &m, base, with_value, 1, &h));
	EXPECT_EQ(CKR_TEMPLATE_INCONSISTENT,
		  f->C_DeriveKey(self->s, &m, base, as_key, 1, &h));
	EXPECT_NE(CKR_OK, f->C_DeriveKey(self->s, &m, base, with_type, 1, &h));
	vlen = 257;
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID,
		  f->C_DeriveKey(self->s, &m, base, pub, 5, &h));
	p.vlen = 300;
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, hkdf(f, self->s, base, &p, &h));
}

/* CKM_HKDF_KEY_GEN, then derivations from the key, chained. */
TEST_F(hk, key_gen_then_derive)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	CK_MECHANISM gm = { CKM_HKDF_KEY_GEN, NULL, 0 };
	CK_MECHANISM hm = { CKM_SHA256_HMAC, NULL, 0 };
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
	CK_ULONG len = 48;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_TOKEN, &no, 1 },
		{ CKA_SENSITIVE, &no, 1 },
		{ CKA_EXTRACTABLE, &yes, 1 },
		{ CKA_VALUE_LEN, &len, sizeof(len) },
	};
	unsigned char k[64], v[64], ref[64], info[3] = { 1, 2, 3 };
	unsigned char pt[16] = { 0 }, ct[16], ref_ct[16];
	CK_OBJECT_HANDLE key, h, h2, sens;
	struct hk p = {
		.extract = CK_TRUE, .expand = CK_TRUE, .prf = CKM_SHA512,
		.info = info, .info_len = sizeof(info), .vlen = 40,
		.kt = CKK_HKDF,
	};
	CK_MECHANISM em = { CKM_AES_ECB, NULL, 0 };
	CK_ULONG ct_len = sizeof(ct);
	EVP_CIPHER_CTX *c;
	int ol;

	ASSERT_EQ(CKR_OK, f->C_GenerateKey(self->s, &gm, t, 5, &key));
	EXPECT_EQ(CKK_HKDF, ulong_of(f, self->s, key, CKA_KEY_TYPE));
	EXPECT_EQ(48UL, ulong_of(f, self->s, key, CKA_VALUE_LEN));
	EXPECT_EQ(CKM_HKDF_KEY_GEN,
		  ulong_of(f, self->s, key, CKA_KEY_GEN_MECHANISM));
	EXPECT_EQ(1, bool_of(f, self->s, key, CKA_LOCAL));
	EXPECT_EQ(1, bool_of(f, self->s, key, CKA_DERIVE));
	EXPECT_EQ(0, bool_of(f, self->s, key, CKA_SIGN));
	EXPECT_EQ(0, bool_of(f, self->s, key, CKA_ENCRYPT));
	ASSERT_EQ(48UL, value_of(f, self->s, key, k, sizeof(k)));
	/* an HKDF key is no HMAC key */
	EXPECT_EQ(CKR_KEY_TYPE_INCONSISTENT,
		  f->C_SignInit(self->s, &hm, key));

	/* derive a CKK_HKDF key from it, then an AES key from that */
	ASSERT_EQ(CKR_OK, hkdf(f, self->s, key, &p, &h));
	EXPECT_EQ(CKK_HKDF, ulong_of(f, self->s, h, CKA_KEY_TYPE));
	EXPECT_EQ(0, bool_of(f, self->s, h, CKA_LOCAL));
	EXPECT_EQ(1, bool_of(f, self->s, h, CKA_DERIVE));
	ASSERT_EQ(40UL, value_of(f, self->s, h, v, sizeof(v)));
	ASSERT_EQ(0, ossl_hkdf("SHA512", EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND,
			       k, 48, NULL, 0, info, sizeof(info), ref, 40));
	EXPECT_EQ(0, memcmp(v, ref, 40));
	p.kt = CKK_AES;
	p.vlen = 0;		/* SHA-256's 32 bytes: an AES-256 key */
	p.prf = CKM_SHA256;
	p.extract = CK_FALSE;
	ASSERT_EQ(CKR_OK, hkdf(f, self->s, h, &p, &h2));
	EXPECT_EQ(CKK_AES, ulong_of(f, self->s, h2, CKA_KEY_TYPE));
	EXPECT_EQ(32UL, ulong_of(f, self->s, h2, CKA_VALUE_LEN));
	ASSERT_EQ(0, ossl_hkdf("SHA256", EVP_KDF_HKDF_MODE_EXPAND_ONLY, ref,
			       40, NULL, 0, info, sizeof(info), v, 32));
	ASSERT_EQ(CKR_OK, f->C_EncryptInit(self->s, &em, h2));
	ASSERT_EQ(CKR_OK, f->C_Encrypt(self->s, pt, 16, ct, &ct_len));
	c = EVP_CIPHER_CTX_new();
	ASSERT_NE(NULL, c);
	ASSERT_EQ(1, EVP_EncryptInit_ex(c, EVP_aes_256_ecb(), NULL, v, NULL));
	EVP_CIPHER_CTX_set_padding(c, 0);
	ASSERT_EQ(1, EVP_EncryptUpdate(c, ref_ct, &ol, pt, 16));
	EVP_CIPHER_CTX_free(c);
	EXPECT_EQ(0, memcmp(ct, ref_ct, 16));
	/* SHA-1's 20 bytes are no AES key */
	p.prf = CKM_SHA_1;
	EXPECT_EQ(CKR_TEMPLATE_INCONSISTENT, hkdf(f, self->s, h, &p, &h2));
	p.vlen = 17;
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, hkdf(f, self->s, h, &p, &h2));

	/* sensitive base: CKA_ALWAYS_SENSITIVE / NEVER_EXTRACTABLE inherited */
	t[2].pValue = &yes;
	t[3].pValue = &no;
	ASSERT_EQ(CKR_OK, f->C_GenerateKey(self->s, &gm, t, 5, &sens));
	EXPECT_EQ(1, bool_of(f, self->s, sens, CKA_ALWAYS_SENSITIVE));
	p.kt = CKK_GENERIC_SECRET;
	p.vlen = 16;
	p.sensitive = CK_TRUE;
	ASSERT_EQ(CKR_OK, hkdf(f, self->s, sens, &p, &h2));
	EXPECT_EQ(1, bool_of(f, self->s, h2, CKA_ALWAYS_SENSITIVE));
	EXPECT_EQ(1, bool_of(f, self->s, h2, CKA_NEVER_EXTRACTABLE));
	p.sensitive = CK_FALSE;
	ASSERT_EQ(CKR_OK, hkdf(f, self->s, sens, &p, &h2));
	EXPECT_EQ(0, bool_of(f, self->s, h2, CKA_ALWAYS_SENSITIVE));
	EXPECT_EQ(0, bool_of(f, self->s, h2, CKA_NEVER_EXTRACTABLE));
	/* an extractable base: the derived key was never "never extractable" */
	p.sensitive = CK_TRUE;
	ASSERT_EQ(CKR_OK, hkdf(f, self->s, key, &p, &h2));
	EXPECT_EQ(0, bool_of(f, self->s, h2, CKA_ALWAYS_SENSITIVE));
	EXPECT_EQ(0, bool_of(f, self->s, h2, CKA_NEVER_EXTRACTABLE));

	/* key generation refusals */
	EXPECT_EQ(CKR_TEMPLATE_INCOMPLETE,
		  f->C_GenerateKey(self->s, &gm, t, 4, &h));
	len = 257;
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID,
		  f->C_GenerateKey(self->s, &gm, t, 5, &h));
	len = 0;
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID,
		  f->C_GenerateKey(self->s, &gm, t, 5, &h));
}

TEST_F(hk, refusals)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	unsigned char ikm[32] = { 7 }, salt[8] = { 1 };
	CK_OBJECT_HANDLE base, nod, aes, h = 0;
	CK_HKDF_PARAMS hp = {
		CK_TRUE, CK_TRUE, CKM_SHA256, CKF_HKDF_SALT_NULL, NULL, 0, 0,
		NULL, 0,
	};
	CK_MECHANISM m = { CKM_HKDF_DERIVE, &hp, sizeof(hp) - 1 };
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_ATTRIBUTE no_type[] = { { CKA_CLASS, &cls, sizeof(cls) } };
	static const CK_MECHANISM_TYPE bad_prf[] = {
		CKM_MD5, CKM_SHA512_224, CKM_SHA256_HMAC, CKM_SHA256_KEY_DERIVATION,
		CKM_HKDF_DERIVE, 0x7fffffffUL,
	};
	struct hk p = {
		.extract = CK_TRUE, .expand = CK_TRUE, .prf = CKM_SHA256,
		.vlen = 32,
	};
	unsigned int i;

	ASSERT_EQ(CKR_OK, mk_key(f, self->s, CKK_GENERIC_SECRET, ikm,
				 sizeof(ikm), CK_TRUE, &base));
	ASSERT_EQ(CKR_OK, mk_key(f, self->s, CKK_HKDF, ikm, sizeof(ikm),
				 CK_FALSE, &nod));
	ASSERT_EQ(CKR_OK, mk_key(f, self->s, CKK_AES, ikm, sizeof(ikm),
				 CK_TRUE, &aes));
	ASSERT_EQ(CKR_OK, hkdf(f, self->s, base, &p, &h));

	/* neither step */
	p.extract = p.expand = CK_FALSE;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, hkdf(f, self->s, base, &p, &h));
	EXPECT_EQ(0UL, h);
	p.extract = p.expand = CK_TRUE;
	/* salt types: unknown, combined, bytes with NULL, none with DATA */
	p.salt_type = 8;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, hkdf(f, self->s, base, &p, &h));
	p.salt_type = CKF_HKDF_SALT_NULL | CKF_HKDF_SALT_DATA;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, hkdf(f, self->s, base, &p, &h));
	p.salt_type = CKF_HKDF_SALT_NULL;
	p.salt = salt;
	p.salt_len = sizeof(salt);
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, hkdf(f, self->s, base, &p, &h));
	p.salt_type = CKF_HKDF_SALT_DATA;
	p.salt_len = 0;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, hkdf(f, self->s, base, &p, &h));
	p.salt_type = 0;
	/* a salt key that does not exist */
	p.salt_type = CKF_HKDF_SALT_KEY;
	p.salt_key = 0xdead;
	EXPECT_EQ(CKR_KEY_HANDLE_INVALID, hkdf(f, self->s, base, &p, &h));
	p.salt_type = 0;
	p.salt_key = 0;
	/* hashes that are not allowed */
	for (i = 0; i < sizeof(bad_prf) / sizeof(bad_prf[0]); i++) {
		p.prf = bad_prf[i];
		EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID,
			  hkdf(f, self->s, base, &p, &h))
			TH_LOG("prf 0x%lx", bad_prf[i]);
	}
	p.prf = CKM_SHA256;
	/* lengths: too large for the key type, extract-only not the hash's */
	p.vlen = 257;
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, hkdf(f, self->s, base, &p, &h));
	p.vlen = 256;
	EXPECT_EQ(CKR_OK, hkdf(f, self->s, base, &p, &h));
	p.expand = CK_FALSE;
	p.vlen = 31;
	EXPECT_EQ(CKR_TEMPLATE_INCONSISTENT, hkdf(f, self->s, base, &p, &h));
	p.vlen = 64;
	EXPECT_EQ(CKR_TEMPLATE_INCONSISTENT, hkdf(f, self->s, base, &p, &h));
	p.expand = CK_TRUE;
	p.vlen = 32;
	/* the parameter: wrong size, missing, info length without info */
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID,
		  f->C_DeriveKey(self->s, &m, base, no_type, 1, &h));
	m.pParameter = NULL;
	m.ulParameterLen = 0;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID,
		  f->C_DeriveKey(self->s, &m, base, no_type, 1, &h));
	p.info_len = 5;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, hkdf(f, self->s, base, &p, &h));
	p.info_len = 0;
	/* the template: no key type */
	m.pParameter = &hp;
	m.ulParameterLen = sizeof(hp);
	EXPECT_EQ(CKR_TEMPLATE_INCOMPLETE,
		  f->C_DeriveKey(self->s, &m, base, no_type, 1, &h));
	/* base keys: may not derive, wrong type */
	EXPECT_EQ(CKR_KEY_FUNCTION_NOT_PERMITTED,
		  hkdf(f, self->s, nod, &p, &h));
	EXPECT_EQ(CKR_KEY_TYPE_INCONSISTENT, hkdf(f, self->s, aes, &p, &h));
	EXPECT_EQ(CKR_KEY_HANDLE_INVALID, hkdf(f, self->s, 0x7777, &p, &h));
	/* CKA_ALLOWED_MECHANISMS of the base key and of the salt key */
	{
		CK_MECHANISM_TYPE hmac_only[] = { CKM_SHA256_HMAC },
				  with_hkdf[] = { CKM_SHA256_HMAC,
						  CKM_HKDF_DERIVE };
		CK_ATTRIBUTE am = { CKA_ALLOWED_MECHANISMS, hmac_only,
				    sizeof(hmac_only) };
		CK_OBJECT_HANDLE lim, lim2;

		ASSERT_EQ(CKR_OK, mk_key(f, self->s, CKK_GENERIC_SECRET, ikm,
					 sizeof(ikm), CK_TRUE, &lim));
		ASSERT_EQ(CKR_OK, mk_key(f, self->s, CKK_GENERIC_SECRET, ikm,
					 sizeof(ikm), CK_TRUE, &lim2));
		ASSERT_EQ(CKR_OK, f->C_SetAttributeValue(self->s, lim, &am, 1));
		am.pValue = with_hkdf;
		am.ulValueLen = sizeof(with_hkdf);
		ASSERT_EQ(CKR_OK, f->C_SetAttributeValue(self->s, lim2, &am,
							 1));
		EXPECT_EQ(CKR_MECHANISM_INVALID, hkdf(f, self->s, lim, &p, &h));
		EXPECT_EQ(CKR_OK, hkdf(f, self->s, lim2, &p, &h));
		p.mech = CKM_HKDF_DATA;
		EXPECT_EQ(CKR_MECHANISM_INVALID, hkdf(f, self->s, lim2, &p, &h));
		p.mech = 0;
		p.salt_type = CKF_HKDF_SALT_KEY;
		p.salt_key = lim;
		EXPECT_EQ(CKR_MECHANISM_INVALID, hkdf(f, self->s, base, &p, &h));
		p.salt_key = lim2;
		EXPECT_EQ(CKR_OK, hkdf(f, self->s, base, &p, &h));
		p.salt_type = 0;
		p.salt_key = 0;
	}
	/* CKM_HKDF_KEY_GEN takes no parameter and derives nothing */
	m.mechanism = CKM_HKDF_KEY_GEN;
	EXPECT_EQ(CKR_MECHANISM_INVALID,
		  f->C_DeriveKey(self->s, &m, base, no_type, 1, &h));
}

TEST_HARNESS_MAIN
