// SPDX-License-Identifier: GPL-2.0
/*
 * Differential test of the engine against OpenSSL libcrypto (EVP, default
 * provider), DIFF_N cases per direction (default 10000):
 *  - keygen + sign here (hedged RFC 6979), verify with OpenSSL;
 *  - keygen + sign with OpenSSL, verify here (and a corrupted copy fails);
 *  - ECDH here with an OpenSSL peer == OpenSSL's derive with our public key.
 */
#include <openssl/evp.h>
#include <openssl/ec.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include "engine.h"
#include "tap.h"

static const char *group = "P-256";
static int cb = 32;

static EVP_PKEY *pub_to_pkey(const unsigned char *pub, size_t len)
{
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *pk = NULL;
	OSSL_PARAM *p;

	OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pub, len);
	p = OSSL_PARAM_BLD_to_param(b);
	if (EVP_PKEY_fromdata_init(c) <= 0 ||
	    EVP_PKEY_fromdata(c, &pk, EVP_PKEY_PUBLIC_KEY, p) <= 0)
		pk = NULL;
	OSSL_PARAM_free(p);
	OSSL_PARAM_BLD_free(b);
	EVP_PKEY_CTX_free(c);
	return pk;
}

static int ossl_verify(EVP_PKEY *pk, const unsigned char *dg, int dl,
		       const unsigned char *rs)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	unsigned char der[160], *q = der;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pk, NULL);
	int len, ok;

	ECDSA_SIG_set0(s, BN_bin2bn(rs, cb, NULL), BN_bin2bn(rs + cb, cb, NULL));
	len = i2d_ECDSA_SIG(s, &q);
	ok = c && EVP_PKEY_verify_init(c) > 0 &&
	     EVP_PKEY_verify(c, der, len, dg, dl) == 1;
	ECDSA_SIG_free(s);
	EVP_PKEY_CTX_free(c);
	return ok;
}

/* OpenSSL signature as r || s */
static int ossl_sign(EVP_PKEY *pk, const unsigned char *dg, int dl,
		     unsigned char *rs)
{
	unsigned char der[160];
	const unsigned char *q = der;
	size_t len = sizeof(der);
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pk, NULL);
	ECDSA_SIG *s;
	int ok;

	ok = c && EVP_PKEY_sign_init(c) > 0 &&
	     EVP_PKEY_sign(c, der, &len, dg, dl) > 0;
	EVP_PKEY_CTX_free(c);
	s = ok ? d2i_ECDSA_SIG(NULL, &q, (long)len) : NULL;
	if (!s)
		return 0;
	BN_bn2binpad(ECDSA_SIG_get0_r(s), rs, cb);
	BN_bn2binpad(ECDSA_SIG_get0_s(s), rs + cb, cb);
	ECDSA_SIG_free(s);
	return 1;
}

static int ossl_pub(EVP_PKEY *pk, unsigned char *pub)
{
	size_t got;

	return EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY,
					       pub, 1 + 2 * cb, &got) &&
	       got == (size_t)(1 + 2 * cb);
}

static int ossl_derive(EVP_PKEY *pk, EVP_PKEY *peer, unsigned char *z)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pk, NULL);
	size_t len = cb;
	int ok;

	ok = c && EVP_PKEY_derive_init(c) > 0 &&
	     EVP_PKEY_derive_set_peer(c, peer) > 0 &&
	     EVP_PKEY_derive(c, z, &len) > 0 && len == (size_t)cb;
	EVP_PKEY_CTX_free(c);
	return ok;
}

static void run(enum kc_curve cv, int n)
{
	int i, bad1 = 0, bad2 = 0, bad3 = 0, bad4 = 0;
	unsigned char d[66], pub[133], opub[133], dg[66], sig[132], rnd[32];
	unsigned char z1[66], z2[66];
	int pl = 1 + 2 * cb, dl;
	enum kc_hash h = cb == 32 ? KC_SHA256 : cb == 48 ? KC_SHA384 : KC_SHA512;

	for (i = 0; i < n; i++) {
		EVP_PKEY *pk, *ok;

		/*
		 * P-521: every other case a 64-byte digest, else 66 bytes,
		 * which both sides truncate to the leftmost 521 bits
		 */
		dl = cb > 64 && (i & 1) ? 64 : cb;

		kc_random(dg, sizeof(dg));
		kc_random(rnd, sizeof(rnd));
		/* here -> OpenSSL */
		if (kc_ec_keygen(cv, d, pub) ||
		    kc_ecdsa_sign(cv, d, dg, dl, h, rnd, 32, sig)) {
			bad1++;
			continue;
		}
		pk = pub_to_pkey(pub, pl);
		if (!pk || !ossl_verify(pk, dg, dl, sig))
			bad1++;
		/* OpenSSL -> here */
		ok = EVP_EC_gen(group);
		if (!ok || !ossl_pub(ok, opub) || !ossl_sign(ok, dg, dl, sig) ||
		    kc_ecdsa_verify(cv, opub, pl, dg, dl, sig, 2 * cb)) {
			bad2++;
		} else {
			sig[i % (2 * cb)] ^= 1 << (i % 8);
			if (kc_ecdsa_verify(cv, opub, pl, dg, dl, sig, 2 * cb) != KC_ESIG)
				bad3++;
		}
		/* ECDH both ways */
		if (!pk || !ok || kc_ecdh(cv, d, opub, pl, z1) ||
		    !ossl_derive(ok, pk, z2) || memcmp(z1, z2, cb))
			bad4++;
		EVP_PKEY_free(pk);
		EVP_PKEY_free(ok);
	}
	tap_ok(!bad1, "%s: %d random keys+signatures made here verify with OpenSSL (%d bad)", group, n, bad1);
	tap_ok(!bad2, "%s: %d OpenSSL signatures verify here (%d bad)", group, n, bad2);
	tap_ok(!bad3, "%s: %d corrupted OpenSSL signatures rejected here (%d accepted)", group, n, bad3);
	tap_ok(!bad4, "%s: %d ECDH shared secrets equal OpenSSL's (%d differ)", group, n, bad4);
}

int main(void)
{
	const char *e = getenv("DIFF_N");
	int n = e ? atoi(e) : 10000;

	run(KC_P256, n);
	group = "P-384";
	cb = 48;
	run(KC_P384, n);
	group = "P-521";
	cb = 66;
	run(KC_P521, n);
	return tap_done();
}
