// SPDX-License-Identifier: GPL-2.0
/*
 * Wycheproof-style negative cases for the engine's P-256 ECDSA and ECDH,
 * built here from first principles: r or s = 0, = n, > n; every bit flip
 * of a good signature; bad lengths; public keys off the curve, at
 * infinity, with coordinates >= p, compressed or badly prefixed; private
 * scalars 0, n, n + 1 and the edges 1 and n - 1.
 */
#include "engine.h"
#include "tap.h"

static const char *N = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
static const char *P = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
static const char *GX = "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296";
static const char *GY = "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";

/* big-endian a += v (small) */
static void add_small(unsigned char *a, int len, int v)
{
	int i, c = v;

	for (i = len - 1; i >= 0 && c; i--) {
		c += a[i];
		a[i] = (unsigned char)c;
		c >>= 8;
	}
}

int main(void)
{
	unsigned char d[32], pub[65], dg[32], sig[64], bad[65], z[32];
	unsigned char n[32], p[32], g[65], s2[64];
	int i, flips, ok;

	unhex(N, n, 32);
	unhex(P, p, 32);
	g[0] = 4;
	unhex(GX, g + 1, 32);
	unhex(GY, g + 33, 32);
	for (i = 0; i < 32; i++)
		dg[i] = (unsigned char)(i * 7 + 1);

	tap_ok(!kc_ec_keygen(KC_P256, d, pub), "keygen");
	tap_ok(!kc_ecdsa_sign(KC_P256, d, dg, 32, KC_SHA256, NULL, 0, sig) &&
	       !kc_ecdsa_verify(KC_P256, pub, 65, dg, 32, sig, 64),
	       "good signature verifies");

	/* r, s out of range */
	memcpy(s2, sig, 64);
	memset(s2, 0, 32);
	tap_ok(kc_ecdsa_verify(KC_P256, pub, 65, dg, 32, s2, 64) == KC_ESIG, "r = 0 rejected");
	memcpy(s2, sig, 64);
	memset(s2 + 32, 0, 32);
	tap_ok(kc_ecdsa_verify(KC_P256, pub, 65, dg, 32, s2, 64) == KC_ESIG, "s = 0 rejected");
	memcpy(s2, sig, 64);
	memcpy(s2, n, 32);
	tap_ok(kc_ecdsa_verify(KC_P256, pub, 65, dg, 32, s2, 64) == KC_ESIG, "r = n rejected");
	memcpy(s2, sig, 64);
	memcpy(s2 + 32, n, 32);
	tap_ok(kc_ecdsa_verify(KC_P256, pub, 65, dg, 32, s2, 64) == KC_ESIG, "s = n rejected");
	/* r + n (< 2^256) is the classic "x mod n" confusion */
	memcpy(s2, sig, 64);
	for (i = 31, ok = 0; i >= 0; i--) {
		ok += s2[i] + n[i];
		s2[i] = (unsigned char)ok;
		ok >>= 8;
	}
	tap_ok(kc_ecdsa_verify(KC_P256, pub, 65, dg, 32, s2, 64) == KC_ESIG,
	       "r + n rejected (carry %d)", ok);
	memcpy(s2, sig, 64);
	memset(s2 + 32, 0xff, 32);
	tap_ok(kc_ecdsa_verify(KC_P256, pub, 65, dg, 32, s2, 64) == KC_ESIG, "s = 2^256 - 1 rejected");
	tap_ok(kc_ecdsa_verify(KC_P256, pub, 65, dg, 32, sig, 63) == KC_ESIG &&
	       kc_ecdsa_verify(KC_P256, pub, 65, dg, 32, sig, 65) == KC_ESIG &&
	       kc_ecdsa_verify(KC_P256, pub, 65, dg, 0, sig, 64) == KC_ESIG,
	       "bad signature/digest lengths rejected");
	for (i = 0, flips = 0; i < 512; i++) {
		memcpy(s2, sig, 64);
		s2[i / 8] ^= (unsigned char)(1 << (i % 8));
		flips += kc_ecdsa_verify(KC_P256, pub, 65, dg, 32, s2, 64) == KC_ESIG;
	}
	tap_ok(flips == 512, "all 512 single-bit flips of the signature rejected (%d)", flips);
	for (i = 0, flips = 0; i < 256; i++) {
		unsigned char d2[32];

		memcpy(d2, dg, 32);
		d2[i / 8] ^= (unsigned char)(1 << (i % 8));
		flips += kc_ecdsa_verify(KC_P256, pub, 65, d2, 32, sig, 64) == KC_ESIG;
	}
	tap_ok(flips == 256, "all 256 single-bit flips of the digest rejected (%d)", flips);

	/* public keys */
	memcpy(bad, pub, 65);
	bad[64] ^= 1;
	tap_ok(kc_ec_check_pub(KC_P256, bad, 65) == KC_EPOINT &&
	       kc_ecdsa_verify(KC_P256, bad, 65, dg, 32, sig, 64) == KC_EPOINT &&
	       kc_ecdh(KC_P256, d, bad, 65, z) == KC_EPOINT,
	       "off-curve point rejected by check, verify and ECDH");
	memset(bad, 0, 65);
	bad[0] = 4;
	tap_ok(kc_ec_check_pub(KC_P256, bad, 65) == KC_EPOINT, "(0, 0) rejected");
	tap_ok(kc_ec_check_pub(KC_P256, bad, 1) == KC_EPOINT &&
	       kc_ecdh(KC_P256, d, (const unsigned char *)"", 1, z) == KC_EPOINT,
	       "SEC1 infinity (single 0x00) rejected");
	memcpy(bad, pub, 65);
	bad[0] = 2;
	tap_ok(kc_ec_check_pub(KC_P256, bad, 33) == KC_EPOINT &&
	       kc_ec_check_pub(KC_P256, bad, 65) == KC_EPOINT,
	       "compressed / wrong prefix rejected");
	bad[0] = 6;
	tap_ok(kc_ec_check_pub(KC_P256, bad, 65) == KC_EPOINT, "hybrid prefix 0x06 rejected");
	tap_ok(kc_ec_check_pub(KC_P256, pub, 64) == KC_EPOINT &&
	       kc_ec_check_pub(KC_P256, pub, 66) == KC_EPOINT, "wrong point lengths rejected");
	/* coordinates >= p (Gx + p and Gy + p do not fit in 32 bytes) */
	memcpy(bad, g, 65);
	memcpy(bad + 1, p, 32);
	tap_ok(kc_ec_check_pub(KC_P256, bad, 65) == KC_EPOINT, "x = p rejected");
	memcpy(bad, g, 65);
	memcpy(bad + 33, p, 32);
	tap_ok(kc_ec_check_pub(KC_P256, bad, 65) == KC_EPOINT, "y = p rejected");
	memcpy(bad, g, 65);
	memset(bad + 1, 0xff, 32);
	tap_ok(kc_ec_check_pub(KC_P256, bad, 65) == KC_EPOINT, "x = 2^256 - 1 rejected");
	tap_ok(!kc_ec_check_pub(KC_P256, g, 65), "G itself accepted");

	/* private scalars */
	tap_ok(kc_ec_pub_from_priv(KC_P256, n, bad) == KC_EINPUT, "d = n rejected");
	memset(d, 0, 32);
	tap_ok(kc_ec_pub_from_priv(KC_P256, d, bad) == KC_EINPUT &&
	       kc_ecdsa_sign(KC_P256, d, dg, 32, KC_SHA256, NULL, 0, sig) == KC_EINPUT &&
	       kc_ecdh(KC_P256, d, g, 65, z) == KC_EINPUT, "d = 0 rejected everywhere");
	memcpy(d, n, 32);
	add_small(d, 32, 1);
	tap_ok(kc_ec_pub_from_priv(KC_P256, d, bad) == KC_EINPUT, "d = n + 1 rejected");
	memset(d, 0, 32);
	d[31] = 1;
	tap_ok(!kc_ec_pub_from_priv(KC_P256, d, bad) && !memcmp(bad, g, 65), "d = 1 gives G");
	tap_ok(!kc_ecdh(KC_P256, d, pub, 65, z) && !memcmp(z, pub + 1, 32),
	       "ECDH with d = 1 gives the peer's x");
	memcpy(d, n, 32);
	d[31] -= 1;			/* n - 1 (n ends in 0x51) */
	ok = !kc_ec_pub_from_priv(KC_P256, d, bad) && !memcmp(bad + 1, g + 1, 32);
	for (i = 31, flips = 0; i >= 0; i--) {	/* p - Gy */
		flips = p[i] - g[33 + i] - flips;
		ok = ok && bad[33 + i] == (unsigned char)flips;
		flips = flips < 0;
	}
	tap_ok(ok, "d = n - 1 gives -G");
	tap_ok(!kc_ecdsa_sign(KC_P256, d, dg, 32, KC_SHA256, NULL, 0, sig) &&
	       !kc_ecdsa_verify(KC_P256, bad, 65, dg, 32, sig, 64),
	       "sign/verify with d = n - 1");
	tap_ok(kc_ecdsa_sign(KC_P256, d, dg, 32, 0, NULL, 0, sig) == KC_EINPUT,
	       "unknown nonce hash rejected");
	tap_ok(kc_ec_keygen(7, d, pub) == KC_ECURVE && kc_ec_bytes(7) == 0,
	       "unknown curve rejected");
	return tap_done();
}
