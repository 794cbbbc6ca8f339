// SPDX-License-Identifier: GPL-2.0
/*
 * Ed25519 of kmod/crypto: RFC 8032 section 7.1 vectors (TEST 1 and 2 are
 * the first records of Debian python3-cryptography-vectors'
 * Ed25519/sign.input, read at test time with its other 1022 records;
 * TEST 3 and TEST SHA(abc) inline; 7.2 Ed25519ctx "foo" and 7.3
 * Ed25519ph "abc" through kc_ed25519_dom2/sign_dom/verify_dom), DIFF_N (default 10000) random
 * keygen/sign/verify cases against OpenSSL EVP_PKEY_ED25519 both ways, and
 * negatives: S >= L, non-canonical R and A (y >= p, x = 0 with the sign
 * bit), points not on the curve, small-order A, bit flips.
 */
#include <openssl/evp.h>
#include <openssl/bn.h>
#include <openssl/sha.h>
#include "engine.h"
#include "tap.h"

#define SIGN_INPUT "/usr/lib/python3/dist-packages/cryptography_vectors/asymmetric/Ed25519/sign.input"

static int ossl_pub(const unsigned char *seed, unsigned char *pub)
{
	EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	size_t len = 32;
	int ok = pk && EVP_PKEY_get_raw_public_key(pk, pub, &len) > 0 && len == 32;

	EVP_PKEY_free(pk);
	return ok;
}

static int ossl_sign(const unsigned char *seed, const unsigned char *m,
		     size_t mlen, unsigned char *sig)
{
	EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	size_t len = 64;
	int ok = pk && c && EVP_DigestSignInit(c, NULL, NULL, NULL, pk) > 0 &&
		 EVP_DigestSign(c, sig, &len, m, mlen) > 0 && len == 64;

	EVP_MD_CTX_free(c);
	EVP_PKEY_free(pk);
	return ok;
}

static int ossl_verify(const unsigned char *pub, const unsigned char *m,
		       size_t mlen, const unsigned char *sig)
{
	EVP_PKEY *pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = pk && c && EVP_DigestVerifyInit(c, NULL, NULL, NULL, pk) > 0 &&
		 EVP_DigestVerify(c, sig, 64, m, mlen) == 1;

	EVP_MD_CTX_free(c);
	EVP_PKEY_free(pk);
	return ok;
}

/* one known answer: pub from seed, signature, verify */
static int kat(const unsigned char *seed, const unsigned char *pub,
	       const unsigned char *m, size_t mlen, const unsigned char *want)
{
	unsigned char p[32], s[64], s2[64];

	return !kc_ed25519_pub_from_seed(p, seed) && !memcmp(p, pub, 32) &&
	       !kc_ed25519_sign(s, seed, pub, m, mlen) && !memcmp(s, want, 64) &&
	       !kc_ed25519_sign(s2, seed, NULL, m, mlen) && !memcmp(s2, want, 64) &&
	       !kc_ed25519_verify(pub, m, mlen, s, 64);
}

static void file_vectors(void)
{
	static char line[8192];
	static unsigned char sk[64], pub[32], m[2048], sm[2048 + 64];
	int pass = 0, fail = 0, t1 = 0, t2 = 0, n = 0, ml;
	FILE *f = fopen(SIGN_INPUT, "r");
	char *fld[5], *q;
	int i;

	if (!f) {
		tap_ok(0, "cannot read %s", SIGN_INPUT);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		q = line;
		for (i = 0; i < 5; i++) {
			fld[i] = q;
			q = strchr(q, ':');
			if (!q)
				break;
			*q++ = 0;
		}
		if (i < 4)
			continue;
		ml = *fld[2] ? unhex(fld[2], m, sizeof(m)) : 0;
		if (unhex(fld[0], sk, 64) != 64 || unhex(fld[1], pub, 32) != 32 ||
		    ml < 0 || unhex(fld[3], sm, sizeof(sm)) != ml + 64) {
			fail++;
			continue;
		}
		if (kat(sk, pub, m, ml, sm)) {
			pass++;
			if (n == 0)
				t1 = 1;
			if (n == 1)
				t2 = 1;
		} else {
			fail++;
		}
		n++;
	}
	fclose(f);
	tap_ok(t1, "RFC 8032 7.1 TEST 1 (empty message)");
	tap_ok(t2, "RFC 8032 7.1 TEST 2 (one byte)");
	tap_ok(pass >= 1000 && !fail, "sign.input: %d records passed, %d failed", pass, fail);
}

static void rfc_inline(void)
{
	unsigned char seed[32], pub[32], m[64], sig[64];
	int ml;

	unhex("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7", seed, 32);
	unhex("fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", pub, 32);
	ml = unhex("af82", m, 64);
	unhex("6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
	      "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a", sig, 64);
	tap_ok(kat(seed, pub, m, ml, sig), "RFC 8032 7.1 TEST 3 (two bytes)");

	unhex("833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42", seed, 32);
	unhex("ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf", pub, 32);
	SHA512((const unsigned char *)"abc", 3, m);
	unhex("dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
	      "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704", sig, 64);
	tap_ok(kat(seed, pub, m, 64, sig), "RFC 8032 7.1 TEST SHA(abc)");
}

/* RFC 8032 7.2 (Ed25519ctx) and 7.3 (Ed25519ph) through the dom2 API. */
static void rfc_dom(void)
{
	unsigned char seed[32], pub[32], m[64], ph[64], sig[64], want[64];
	unsigned char dom[KC_ED25519_DOM_MAX], dom2[KC_ED25519_DOM_MAX];
	size_t dl, dl2;
	int ml;

	unhex("0305334e381af78f141cb666f6199f57bc3495335a256a95bd2a55bf546663f6", seed, 32);
	unhex("dfc9425e4f968f7f0c29f0259cf5f9aed6851c2bb4ad8bfb860cfee0ab248292", pub, 32);
	ml = unhex("f726936d19c800494e3fdaff20b276a8", m, 64);
	unhex("55a4cc2f70a54e04288c5f4cd1e45a7bb520b36292911876cada7323198dd87a"
	      "8b36950b95130022907a7fb7c4e9b2d5f6cca685a587b4b21f4b888e4e7edb0d", want, 64);
	dl = kc_ed25519_dom2(dom, 0, (const unsigned char *)"foo", 3);
	tap_ok(dl == 37 && !kc_ed25519_sign_dom(sig, seed, pub, dom, dl, m, ml) &&
	       !memcmp(sig, want, 64) &&
	       !kc_ed25519_verify_dom(pub, dom, dl, m, ml, sig, 64),
	       "RFC 8032 7.2 Ed25519ctx foo");
	dl2 = kc_ed25519_dom2(dom2, 0, (const unsigned char *)"bar", 3);
	tap_ok(kc_ed25519_verify_dom(pub, dom2, dl2, m, ml, sig, 64) == KC_ESIG &&
	       kc_ed25519_verify(pub, m, ml, sig, 64) == KC_ESIG,
	       "the Ed25519ctx signature fails with another context and as pure Ed25519");

	unhex("833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42", seed, 32);
	unhex("ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf", pub, 32);
	unhex("98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae41"
	      "31f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406", want, 64);
	SHA512((const unsigned char *)"abc", 3, ph);
	dl = kc_ed25519_dom2(dom, 1, NULL, 0);
	tap_ok(dl == 34 && !kc_ed25519_sign_dom(sig, seed, pub, dom, dl, ph, 64) &&
	       !memcmp(sig, want, 64) &&
	       !kc_ed25519_verify_dom(pub, dom, dl, ph, 64, sig, 64),
	       "RFC 8032 7.3 Ed25519ph abc");
	tap_ok(kc_ed25519_verify(pub, ph, 64, sig, 64) == KC_ESIG,
	       "the Ed25519ph signature fails as pure Ed25519 over PH(M)");
	tap_ok(kc_ed25519_dom2(dom, 0, m, 256) == 0, "a 256-byte context is refused");
}

/* little-endian 32-byte x += y (no overflow for the values used) */
static void add_le(unsigned char *x, const unsigned char *y)
{
	unsigned int c = 0;
	int i;

	for (i = 0; i < 32; i++) {
		c += x[i] + y[i];
		x[i] = (unsigned char)c;
		c >>= 8;
	}
}

static const unsigned char ell[32] = {	/* L, little-endian */
	0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2,
	0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
};

static void negatives(void)
{
	unsigned char seed[32], pub[32], sig[64], s2[64], m[40], a[32];
	unsigned char h[64], be[32];
	BIGNUM *x = BN_new(), *l = BN_new();
	BN_CTX *bc = BN_CTX_new();
	int i, bad, rej, r;

	memset(seed, 7, 32);
	memset(m, 0x5a, sizeof(m));
	kc_ed25519_pub_from_seed(pub, seed);
	kc_ed25519_sign(sig, seed, pub, m, sizeof(m));
	tap_ok(!kc_ed25519_verify(pub, m, sizeof(m), sig, 64), "valid signature verifies");
	tap_ok(kc_ed25519_verify(pub, m, sizeof(m), sig, 63) == KC_ESIG, "63-byte signature refused");

	/* S + L: same value mod L, refused here (RFC 8032 5.1.7) */
	memcpy(s2, sig, 64);
	add_le(s2 + 32, ell);
	tap_ok(kc_ed25519_verify(pub, m, sizeof(m), s2, 64) == KC_ESIG, "S + L (S >= L) refused");
	memcpy(s2 + 32, ell, 32);
	tap_ok(kc_ed25519_verify(pub, m, sizeof(m), s2, 64) == KC_ESIG, "S = L refused");
	memset(s2 + 32, 0xff, 32);
	tap_ok(kc_ed25519_verify(pub, m, sizeof(m), s2, 64) == KC_ESIG, "S = 2^256 - 1 refused");

	/* non-canonical R: y = p and y = p + 1 (0 and 1 mod p) */
	memcpy(s2, sig, 64);
	memset(s2, 0xff, 32);
	s2[0] = 0xed;
	s2[31] = 0x7f;
	tap_ok(kc_ed25519_verify(pub, m, sizeof(m), s2, 64) == KC_ESIG, "R with y = p refused");
	s2[0] = 0xee;
	tap_ok(kc_ed25519_verify(pub, m, sizeof(m), s2, 64) == KC_ESIG, "R with y = p + 1 refused");

	/* non-canonical A */
	memset(a, 0xff, 32);
	a[0] = 0xee;
	a[31] = 0x7f;
	tap_ok(kc_ed25519_verify(a, m, sizeof(m), sig, 64) == KC_EPOINT, "A with y = p + 1 refused");
	a[0] = 0xed;
	tap_ok(kc_ed25519_verify(a, m, sizeof(m), sig, 64) == KC_EPOINT, "A with y = p refused");
	memset(a, 0, 32);
	a[0] = 1;
	a[31] = 0x80;
	tap_ok(kc_ed25519_verify(a, m, sizeof(m), sig, 64) == KC_EPOINT, "A = (x = 0, sign 1, y = 1) refused");

	/* y values off the curve: OpenSSL agrees they are not points */
	for (i = 2, bad = 0, rej = 0; i < 66; i++) {
		memset(a, 0, 32);
		a[0] = (unsigned char)i;
		r = kc_ed25519_verify(a, m, sizeof(m), sig, 64);
		if (r == KC_EPOINT)
			rej++;
		if (r == KC_OK || ossl_verify(a, m, sizeof(m), sig))
			bad++;
	}
	tap_ok(rej > 10 && !bad, "A with small y: %d refused as points, %d accepted", rej, bad);

	/*
	 * Small-order A: A = identity, R = [a]B = pub, S = a mod L satisfies
	 * [S]B = R + [k]A for every k; OpenSSL accepts it, the engine refuses.
	 */
	SHA512(seed, 32, h);
	h[0] &= 248;
	h[31] &= 127;
	h[31] |= 64;
	for (i = 0; i < 32; i++)
		be[i] = h[31 - i];
	BN_bin2bn(be, 32, x);
	for (i = 0; i < 32; i++)
		be[i] = ell[31 - i];
	BN_bin2bn(be, 32, l);
	BN_mod(x, x, l, bc);
	BN_bn2lebinpad(x, s2 + 32, 32);
	memcpy(s2, pub, 32);
	memset(a, 0, 32);
	a[0] = 1;				/* identity */
	tap_ok(ossl_verify(a, m, sizeof(m), s2) &&
	       kc_ed25519_verify(a, m, sizeof(m), s2, 64) == KC_EPOINT,
	       "A = identity (small order) refused (OpenSSL accepts the forgery)");
	memset(a, 0xff, 32);
	a[0] = 0xec;
	a[31] = 0x7f;				/* y = -1: order 2 */
	tap_ok(kc_ed25519_verify(a, m, sizeof(m), s2, 64) == KC_EPOINT, "A of order 2 refused");
	memset(a, 0, 32);			/* y = 0: order 4 */
	tap_ok(kc_ed25519_verify(a, m, sizeof(m), s2, 64) == KC_EPOINT, "A of order 4 refused");
	/* order 8: y = 0x26e8958f...05 (x even) */
	unhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", a, 32);
	tap_ok(kc_ed25519_verify(a, m, sizeof(m), s2, 64) == KC_EPOINT, "A of order 8 refused");

	/* bit flips in R, S, the message and A */
	for (i = 0, bad = 0; i < 512; i++) {
		memcpy(s2, sig, 64);
		s2[i / 8] ^= (unsigned char)(1 << (i % 8));
		if (!kc_ed25519_verify(pub, m, sizeof(m), s2, 64))
			bad++;
	}
	tap_ok(!bad, "512 single-bit flips of the signature refused (%d accepted)", bad);
	for (i = 0, bad = 0; i < 8 * (int)sizeof(m); i++) {
		m[i / 8] ^= (unsigned char)(1 << (i % 8));
		if (!kc_ed25519_verify(pub, m, sizeof(m), sig, 64))
			bad++;
		m[i / 8] ^= (unsigned char)(1 << (i % 8));
	}
	tap_ok(!bad, "%d single-bit flips of the message refused (%d accepted)",
	       8 * (int)sizeof(m), bad);
	for (i = 0, bad = 0; i < 256; i++) {
		memcpy(a, pub, 32);
		a[i / 8] ^= (unsigned char)(1 << (i % 8));
		if (!kc_ed25519_verify(a, m, sizeof(m), sig, 64))
			bad++;
	}
	tap_ok(!bad, "256 single-bit flips of the public key refused (%d accepted)", bad);
	BN_free(x);
	BN_free(l);
	BN_CTX_free(bc);
}

int main(void)
{
	const char *e = getenv("DIFF_N");
	int n = e ? atoi(e) : 10000, i, bpub = 0, bsig = 0, bov = 0, bkv = 0;
	unsigned char seed[32], pub[32], opub[32], sig[64], osig[64], m[256];
	size_t ml;

	file_vectors();
	rfc_inline();
	rfc_dom();
	negatives();
	for (i = 0; i < n; i++) {
		kc_ed25519_keygen(seed, pub);
		ml = (size_t)(i % 257);
		kc_random(m, ml);
		if (!ossl_pub(seed, opub) || memcmp(pub, opub, 32))
			bpub++;
		if (kc_ed25519_sign(sig, seed, pub, m, ml) || !ossl_sign(seed, m, ml, osig) ||
		    memcmp(sig, osig, 64))
			bsig++;
		if (!ossl_verify(pub, m, ml, sig))
			bov++;
		if (kc_ed25519_verify(opub, m, ml, osig, 64))
			bkv++;
	}
	tap_ok(!bpub, "%d public keys from the same seed equal OpenSSL's (%d differ)", n, bpub);
	tap_ok(!bsig, "%d signatures equal OpenSSL's (%d differ)", n, bsig);
	tap_ok(!bov, "%d engine signatures verify with OpenSSL (%d fail)", n, bov);
	tap_ok(!bkv, "%d OpenSSL signatures verify with the engine (%d fail)", n, bkv);
	return tap_done();
}
