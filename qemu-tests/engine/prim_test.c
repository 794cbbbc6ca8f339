// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's byte-level primitives: scalar reduce/mul/add/inv against
 * OpenSSL BN, mul_base against kc_ec_pub_from_priv, and ECDSA built from
 * the primitives against kc_ecdsa_sign_with_k and kc_ecdsa_verify;
 * point decompression against BN_mod_sqrt.
 */
#include <openssl/bn.h>
#include <openssl/err.h>
#include "engine.h"
#include "tap.h"

static const char *order_hex(enum kc_curve c)
{
	if (c == KC_P521)
		return "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
		       "fffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91"
		       "386409";
	return c == KC_P256 ?
		"ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551" :
		"ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf"
		"581a0db248b0a77aecec196accc52973";
}

static int eq(const unsigned char *got, const BIGNUM *want, int cb)
{
	unsigned char b[66];

	BN_bn2binpad(want, b, cb);
	return !memcmp(got, b, cb);
}

static void run(enum kc_curve c, const char *name)
{
	int cb = (int)kc_ec_bytes(c), i, bad_s = 0, bad_p = 0, bad_e = 0;
	unsigned char a[66], b[66], r[66], big[66], pub[133], xy[132];
	unsigned char dg[66], k[66], sig[132], sig2[132], e[66], t[66], w[66];
	unsigned char u1[66], u2[66], x[66];
	/*
	 * P-521: ECDSA on a 64-byte digest (bits2int of 66 bytes would
	 * shift), e = dg mod n with dg's two leading bytes zero
	 */
	int dl = cb > 64 ? 64 : cb, off = cb - dl;
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *n = NULL, *A = BN_new(), *B = BN_new(), *W = BN_new();

	BN_hex2bn(&n, order_hex(c));
	for (i = 0; i < 300; i++) {
		kc_ec_keygen(c, a, pub);
		kc_ec_keygen(c, k, xy);
		kc_random(b, cb);
		kc_random(dg, cb);
		memset(dg, 0, off);
		memset(big, 0xff, cb);
		BN_bin2bn(a, cb, A);
		/* reduce of 2^(8 cb) - 1 and of a random value */
		BN_bin2bn(big, cb, B);
		BN_mod(W, B, n, ctx);
		kc_ec_scalar_reduce(c, big, r);
		bad_s += !eq(r, W, cb);
		BN_bin2bn(b, cb, B);
		BN_mod(W, B, n, ctx);
		kc_ec_scalar_reduce(c, b, b);
		bad_s += !eq(b, W, cb);
		BN_bin2bn(b, cb, B);
		BN_mod_mul(W, A, B, n, ctx);
		kc_ec_scalar_mul(c, a, b, r);
		bad_s += !eq(r, W, cb);
		BN_mod_add(W, A, B, n, ctx);
		kc_ec_scalar_add(c, a, b, r);
		bad_s += !eq(r, W, cb);
		BN_mod_inverse(W, A, n, ctx);
		bad_s += kc_ec_scalar_inv(c, a, r) || !eq(r, W, cb);
		/* k G */
		bad_p += kc_ec_mul_base(c, a, xy) || memcmp(xy, pub + 1, 2 * cb) ||
			 kc_ec_point_check(c, xy);
		/* ECDSA from primitives, as mech_ecdsa.c builds it */
		kc_ec_scalar_reduce(c, dg, e);
		kc_ec_mul_base(c, k, xy);
		kc_ec_scalar_reduce(c, xy, sig);			/* r */
		kc_ec_scalar_inv(c, k, t);
		kc_ec_scalar_mul(c, sig, a, w);
		kc_ec_scalar_add(c, w, e, w);
		kc_ec_scalar_mul(c, t, w, sig + cb);			/* s */
		bad_e += kc_ecdsa_sign_with_k(c, a, dg + off, dl, k, sig2) ||
			 memcmp(sig, sig2, 2 * cb);
		kc_ec_scalar_inv(c, sig + cb, w);
		kc_ec_scalar_mul(c, e, w, u1);
		kc_ec_scalar_mul(c, sig, w, u2);
		bad_e += kc_ec_mul2_x(c, u1, u2, pub + 1, x) ||
			 (kc_ec_scalar_reduce(c, x, x), memcmp(x, sig, cb)) ||
			 kc_ecdsa_verify(c, pub, 1 + 2 * cb, dg + off, dl, sig,
					 2 * cb);
	}
	memset(a, 0, cb);
	tap_ok(kc_ec_scalar_check(c, a) == KC_EINPUT &&
	       kc_ec_scalar_inv(c, a, r) == KC_EINPUT &&
	       kc_ec_mul_base(c, a, xy) == KC_EINPUT, "%s: zero scalar rejected", name);
	xy[0] ^= 1;
	tap_ok(kc_ec_point_check(c, xy) == KC_EPOINT &&
	       kc_ec_mul2_x(c, u1, u2, xy, x) == KC_EPOINT, "%s: off-curve point rejected", name);
	tap_ok(!bad_s, "%s: scalar reduce/mul/add/inv match BN (%d bad)", name, bad_s);
	tap_ok(!bad_p, "%s: mul_base == pub_from_priv, point_check accepts (%d bad)", name, bad_p);
	tap_ok(!bad_e, "%s: ECDSA from primitives == engine sign/verify (%d bad)", name, bad_e);
	BN_free(n);
	BN_free(A);
	BN_free(B);
	BN_free(W);
	BN_CTX_free(ctx);
}

static const char *prime_hex(enum kc_curve c)
{
	if (c == KC_P256)
		return "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
	if (c == KC_P384)
		return "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe"
		       "ffffffff0000000000000000ffffffff";
	return "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	       "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	       "ff";
}

static const char *b_hex(enum kc_curve c)
{
	if (c == KC_P256)
		return "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b";
	if (c == KC_P384)
		return "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875a"
		       "c656398d8a2ed19d2a85c8edd3ec2aef";
	return "0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef1"
	       "09e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b50"
	       "3f00";
}

/*
 * Compressed points (SEC1 2.3.4): keys compressed here decompress to the
 * same point; for small and random x, decompression succeeds exactly when
 * OpenSSL's BN_mod_sqrt finds a root of x^3 - 3x + b, with y^2 = rhs and
 * the prefix's parity; x >= p, wrong prefixes and lengths are refused.
 */
static void decompress(enum kc_curve c, const char *name)
{
	int cb = (int)kc_ec_bytes(c), i, bad_rt = 0, bad_x = 0, n_no = 0, r;
	unsigned char d[66], pub[133], cmp[67], out[133];
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *p = NULL, *b = NULL, *x = BN_new(), *rhs = BN_new();
	BIGNUM *t = BN_new(), *y = BN_new(), *y2 = BN_new();

	BN_hex2bn(&p, prime_hex(c));
	BN_hex2bn(&b, b_hex(c));
	for (i = 0; i < 200; i++) {
		kc_ec_keygen(c, d, pub);
		cmp[0] = 0x02 | (pub[2 * cb] & 1);
		memcpy(cmp + 1, pub + 1, cb);
		bad_rt += kc_ec_decompress(c, cmp, 1 + cb, out) ||
			  memcmp(out, pub, 1 + 2 * cb);
		cmp[0] ^= 1;		/* the other root: p - y */
		bad_rt += kc_ec_decompress(c, cmp, 1 + cb, out) ||
			  memcmp(out, pub, 1 + cb) ||
			  kc_ec_check_pub(c, out, 1 + 2 * cb) ||
			  !memcmp(out, pub, 1 + 2 * cb);
	}
	for (i = 0; i < 400; i++) {
		int ok;

		if (i < 200)
			BN_set_word(x, i);
		else
			BN_rand_range(x, p);
		/* rhs = x^3 - 3x + b mod p */
		BN_mod_sqr(t, x, p, ctx);
		BN_mod_mul(rhs, t, x, p, ctx);
		BN_copy(t, x);
		BN_mul_word(t, 3);
		BN_mod_sub(rhs, rhs, t, p, ctx);
		BN_mod_add(rhs, rhs, b, p, ctx);
		ok = BN_mod_sqrt(y, rhs, p, ctx) != NULL;
		ERR_clear_error();
		if (ok) {	/* a real root, not a Legendre failure */
			BN_mod_sqr(y2, y, p, ctx);
			ok = !BN_cmp(y2, rhs);
		}
		n_no += !ok;
		cmp[0] = 0x02 | (i & 1);
		BN_bn2binpad(x, cmp + 1, cb);
		r = kc_ec_decompress(c, cmp, 1 + cb, out);
		if (!ok) {
			bad_x += r != KC_EPOINT;
			continue;
		}
		BN_bin2bn(out + 1 + cb, cb, y);
		BN_mod_sqr(y2, y, p, ctx);
		bad_x += r || BN_cmp(y2, rhs) || BN_is_odd(y) != (i & 1) ||
			 memcmp(out + 1, cmp + 1, cb) || out[0] != 4;
	}
	tap_ok(!bad_rt, "%s: 200 compressed keys decompress to the key, and the other prefix to -key (%d bad)",
	       name, bad_rt);
	tap_ok(!bad_x && n_no > 50, "%s: decompression of 400 x (0..199, random) agrees with BN_mod_sqrt (%d without a root; %d bad)",
	       name, n_no, bad_x);
	/* x = p, x = 2^(8 cb) - 1, bad prefixes and lengths */
	BN_bn2binpad(p, cmp + 1, cb);
	cmp[0] = 0x02;
	r = kc_ec_decompress(c, cmp, 1 + cb, out) == KC_EPOINT;
	memset(cmp + 1, 0xff, cb);
	r &= kc_ec_decompress(c, cmp, 1 + cb, out) == KC_EPOINT;
	memcpy(cmp + 1, pub + 1, cb);
	cmp[0] = 0x02 | (pub[2 * cb] & 1);
	r &= !kc_ec_decompress(c, cmp, 1 + cb, out);
	r &= kc_ec_decompress(c, cmp, cb, out) == KC_EPOINT &&
	     kc_ec_decompress(c, cmp, 2 + cb, out) == KC_EPOINT &&
	     kc_ec_decompress(c, pub, 1 + 2 * cb, out) == KC_EPOINT;
	cmp[0] = 0x04;
	r &= kc_ec_decompress(c, cmp, 1 + cb, out) == KC_EPOINT;
	cmp[0] = 0x06;
	r &= kc_ec_decompress(c, cmp, 1 + cb, out) == KC_EPOINT;
	cmp[0] = 0x00;
	r &= kc_ec_decompress(c, cmp, 1 + cb, out) == KC_EPOINT;
	tap_ok(r, "%s: x = p, x = 2^%d - 1, prefixes 00/04/06 and wrong lengths refused",
	       name, 8 * cb);
	BN_free(p);
	BN_free(b);
	BN_free(x);
	BN_free(rhs);
	BN_free(t);
	BN_free(y);
	BN_free(y2);
	BN_CTX_free(ctx);
}

int main(void)
{
	run(KC_P256, "P-256");
	run(KC_P384, "P-384");
	run(KC_P521, "P-521");
	decompress(KC_P256, "P-256");
	decompress(KC_P384, "P-384");
	decompress(KC_P521, "P-521");
	tap_ok(kc_ec_decompress(7, (const unsigned char *)"\x02", 1, NULL) == KC_ECURVE,
	       "decompression on an unknown curve: KC_ECURVE");
	return tap_done();
}
