// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's byte-level primitives: scalar reduce/mul/add/inv against
 * OpenSSL BN, mul_base against kc_ec_pub_from_priv, and ECDSA built from
 * the primitives against kc_ecdsa_sign_with_k and kc_ecdsa_verify.
 */
#include <openssl/bn.h>
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

int main(void)
{
	run(KC_P256, "P-256");
	run(KC_P384, "P-384");
	run(KC_P521, "P-521");
	return tap_done();
}
