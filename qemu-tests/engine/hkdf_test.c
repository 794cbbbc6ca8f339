// SPDX-License-Identifier: GPL-2.0
/*
 * HKDF of kmod/crypto (hkdf.c): the seven test cases of RFC 5869
 * appendix A (PRK and OKM; SHA-256 and SHA-1), then random IKM, salt
 * (none included), info and lengths for every kc_hash against OpenSSL's
 * EVP_KDF "HKDF" (extract-only, expand-only and both), and the limits
 * (255 blocks accepted, one byte more refused, an unknown hash refused).
 */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include "sha2.h"
#include "tap.h"

static const struct {
	enum kc_hash alg;
	const char *ikm, *salt, *info, *prk, *okm;
} rfc[] = {
	{ KC_SHA256, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	  "000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9",
	  "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
	  "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
	  "34007208d5b887185865" },
	{ KC_SHA256, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
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
	{ KC_SHA256, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "",
	  "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
	  "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
	  "9d201395faa4b61a96c8" },
	{ KC_SHA1, "0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c",
	  "f0f1f2f3f4f5f6f7f8f9", "9b6c18c432a7bf8f0e71c8eb88f4b30baa2ba243",
	  "085a01ea1b10f36933068b56efa5ad81a4f14b822f5b091568a9cdd4f155fda2"
	  "c22e422478d305f3f896" },
	{ KC_SHA1, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
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
	{ KC_SHA1, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "",
	  "da8c8a73c7fa77288ec6f5e7c297786aa0d32d01",
	  "0ac1af7002b3d761d1e55298da9d0506b9ae52057220a306e07b6b87e8df21d0"
	  "ea00033de03984d34918" },
	/* Test case 7: salt not provided (HashLen zeros). */
	{ KC_SHA1, "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", NULL, "",
	  "2adccada18779e7c2077ad2eb19d3f3e731385dd",
	  "2c91117204d745f3500d636a62f64f0ab3bae548aa53d423b0d1f27ebba6f5e5"
	  "673a081d70cce7acfc48" },
};

static const struct {
	enum kc_hash alg;
	const char *name;
} hashes[] = {
	{ KC_SHA1, "SHA1" }, { KC_SHA224, "SHA224" }, { KC_SHA256, "SHA256" },
	{ KC_SHA384, "SHA384" }, { KC_SHA512, "SHA512" },
	{ KC_SHA3_224, "SHA3-224" }, { KC_SHA3_256, "SHA3-256" },
	{ KC_SHA3_384, "SHA3-384" }, { KC_SHA3_512, "SHA3-512" },
};

/* OpenSSL's HKDF in @mode; @salt NULL for none. 1 on success. */
static int ossl_hkdf(const char *md, int mode, const u8 *key, size_t key_len,
		     const u8 *salt, size_t salt_len, const u8 *info,
		     size_t info_len, u8 *out, size_t out_len)
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
	return ok;
}

static void rfc_cases(void)
{
	u8 ikm[80], salt[80], info[80], prk[64], okm[82], got[82];
	unsigned int i;

	for (i = 0; i < sizeof(rfc) / sizeof(rfc[0]); i++) {
		int ni = unhex(rfc[i].ikm, ikm, sizeof(ikm));
		int ns = rfc[i].salt ? unhex(rfc[i].salt, salt, sizeof(salt)) : 0;
		int nf = unhex(rfc[i].info, info, sizeof(info));
		int np = unhex(rfc[i].prk, prk, sizeof(prk));
		int no = unhex(rfc[i].okm, okm, sizeof(okm));
		u8 p[64];

		if (ni < 0 || ns < 0 || nf < 0 || np < 0 || no < 0) {
			tap_ok(0, "RFC 5869 test case %u: vector parses", i + 1);
			continue;
		}
		tap_ok(kc_hkdf_extract(rfc[i].alg, salt, ns, ikm, ni, p) == 0 &&
		       !memcmp(p, prk, np) &&
		       (int)kc_hash_len(rfc[i].alg) == np,
		       "RFC 5869 test case %u: PRK", i + 1);
		memset(got, 0, sizeof(got));
		tap_ok(kc_hkdf_expand(rfc[i].alg, prk, np, info, nf, got, no) == 0 &&
		       !memcmp(got, okm, no), "RFC 5869 test case %u: OKM (%d bytes)",
		       i + 1, no);
	}
}

static void differential(int n)
{
	static u8 ikm[200], salt[200], info[300], a[600], b[600];
	u8 prk[64];
	unsigned int h, bad_full, bad_ext, bad_exp;
	int i;

	for (h = 0; h < sizeof(hashes) / sizeof(hashes[0]); h++) {
		u32 hl = kc_hash_len(hashes[h].alg);

		bad_full = bad_ext = bad_exp = 0;
		for (i = 0; i < n; i++) {
			unsigned char r[4];
			size_t ni, ns, nf, no;
			int nosalt;

			RAND_bytes(r, sizeof(r));
			ni = 1 + r[0] % sizeof(ikm);
			ns = r[1] % sizeof(salt);
			nf = r[2] % sizeof(info);
			no = 1 + (r[3] + 256 * (i & 1)) % sizeof(a);
			nosalt = !(i % 7);
			RAND_bytes(ikm, ni);
			RAND_bytes(salt, ns);
			RAND_bytes(info, nf);
			if (nosalt)
				ns = 0;
			if (kc_hkdf_extract(hashes[h].alg, salt, ns, ikm, ni, prk) ||
			    kc_hkdf_expand(hashes[h].alg, prk, hl, info, nf, a, no) ||
			    !ossl_hkdf(hashes[h].name,
				       EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND, ikm,
				       ni, nosalt ? NULL : salt, ns, info, nf, b,
				       no) || memcmp(a, b, no))
				bad_full++;
			if (!ossl_hkdf(hashes[h].name,
				       EVP_KDF_HKDF_MODE_EXTRACT_ONLY, ikm, ni,
				       nosalt ? NULL : salt, ns, NULL, 0, b, hl) ||
			    memcmp(prk, b, hl))
				bad_ext++;
			/* Expand-only from a PRK of any length (here the IKM). */
			if (kc_hkdf_expand(hashes[h].alg, ikm, ni, info, nf, a, no) ||
			    !ossl_hkdf(hashes[h].name,
				       EVP_KDF_HKDF_MODE_EXPAND_ONLY, ikm, ni,
				       NULL, 0, info, nf, b, no) ||
			    memcmp(a, b, no))
				bad_exp++;
		}
		tap_ok(!bad_full, "%s: %d random extract+expand vs OpenSSL (%u bad)",
		       hashes[h].name, n, bad_full);
		tap_ok(!bad_ext, "%s: %d random extract-only vs OpenSSL (%u bad)",
		       hashes[h].name, n, bad_ext);
		tap_ok(!bad_exp, "%s: %d random expand-only vs OpenSSL (%u bad)",
		       hashes[h].name, n, bad_exp);
	}
}

static void limits(void)
{
	static u8 out[255 * 64 + 1], ref[255 * 64];
	u8 prk[32] = { 1, 2, 3 };
	unsigned int h;

	for (h = 0; h < sizeof(hashes) / sizeof(hashes[0]); h++) {
		size_t max = 255 * (size_t)kc_hash_len(hashes[h].alg);

		tap_ok(kc_hkdf_expand(hashes[h].alg, prk, sizeof(prk), NULL, 0,
				      out, max) == 0 &&
		       ossl_hkdf(hashes[h].name, EVP_KDF_HKDF_MODE_EXPAND_ONLY,
				 prk, sizeof(prk), NULL, 0, NULL, 0, ref, max) &&
		       !memcmp(out, ref, max),
		       "%s: 255 blocks (%zu bytes) as OpenSSL", hashes[h].name,
		       max);
		tap_ok(kc_hkdf_expand(hashes[h].alg, prk, sizeof(prk), NULL, 0,
				      out, max + 1) == -1,
		       "%s: %zu bytes refused", hashes[h].name, max + 1);
	}
	tap_ok(kc_hkdf_expand((enum kc_hash)0, prk, sizeof(prk), NULL, 0, out,
			      16) == -1 &&
	       kc_hkdf_extract((enum kc_hash)99, NULL, 0, prk, sizeof(prk),
			       out) == -1, "unknown hash refused");
}

int main(void)
{
	const char *e = getenv("DIFF_N");
	int n = e ? atoi(e) / 10 : 1000;

	if (n < 20)
		n = 20;
	rfc_cases();
	differential(n);
	limits();
	return tap_done();
}
