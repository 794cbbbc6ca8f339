/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PKCS#8 PrivateKeyInfo (RFC 5208; OneAsymmetricKey, RFC 5958) of the
 * private keys khsm holds, for C_WrapKey/C_UnwrapKey: RSA (RFC 8017
 * RSAPrivateKey, two primes), EC on P-256/P-384/P-521 (RFC 5915
 * ECPrivateKey, named curves), Ed25519 and X25519 (RFC 8410).
 *
 * Encoding is what OpenSSL 3 writes (i2d_PKCS8_PRIV_KEY_INFO): version 0,
 * no attributes; RSA with NULL parameters and minimal INTEGERs; EC with
 * the curve in the AlgorithmIdentifier only, the scalar in a fixed-length
 * OCTET STRING and the public key in [1]; Ed25519/X25519 as an OCTET
 * STRING holding the OCTET STRING of the 32 private bytes.
 *
 * Decoding is strict DER (der.h) and takes version 0 or 1, optional
 * [0] attributes (ignored) and, for Ed25519/X25519 and version 1 only,
 * the [1] public key, which must match the private key. RSA: version 0
 * (two primes), every number positive, n at most KC_P8_RSA_MAX_BITS,
 * the others no longer than n. EC: the inner [0] parameters, if there,
 * must name the AlgorithmIdentifier's curve; the scalar must be in
 * [1, n - 1] and be 1 to kc_ec_bytes() bytes long (older encoders drop
 * leading zeros); the inner [1] public key, if there, must be the
 * scalar's point. No trailing bytes anywhere.
 *
 * Decoded values point into the input (nothing is allocated or copied);
 * all functions return 0 or KC_EINPUT (malformed or unsupported),
 * KC_ECURVE (an EC curve khsm lacks) or KC_EPOINT (a public key that does
 * not belong to the private key).
 */
#ifndef KC_PKCS8_H
#define KC_PKCS8_H

#include "engine.h"

#define KC_P8_RSA_MAX_BITS	8192
#define KC_P8_25519_LEN		32

enum kc_p8_type {
	KC_P8_RSA = 1,
	KC_P8_EC = 2,
	KC_P8_ED25519 = 3,
	KC_P8_X25519 = 4,
};

struct kc_p8_num {
	const u8 *p;		/* big-endian; no leading zero when decoded */
	size_t len;
};

/* RSA private key, all eight numbers (encode: leading zeros allowed). */
struct kc_p8_rsa {
	struct kc_p8_num n, e, d, p, q, dp, dq, qinv;
};

/*
 * EC private key. Encode: @priv of kc_ec_bytes(@curve) bytes, @pub the
 * uncompressed point 04 X Y or NULL (computed). Decode: @priv as stored
 * (1 to kc_ec_bytes() bytes), @pub NULL (the point is not kept).
 */
struct kc_p8_ec {
	enum kc_curve curve;
	const u8 *priv;
	size_t priv_len;
	const u8 *pub;
};

/* Ed25519 (the RFC 8032 seed) or X25519 (the RFC 7748 scalar). */
struct kc_p8_25519 {
	const u8 *priv;		/* KC_P8_25519_LEN bytes */
};

/* The key type the AlgorithmIdentifier of @der names. */
int kc_p8_type(const u8 *der, size_t len, enum kc_p8_type *type);

/*
 * Encoders: with @out NULL only *@out_len is set (the exact length);
 * otherwise @out (room for @cap bytes) gets the encoding.
 */
int kc_p8_encode_rsa(const struct kc_p8_rsa *k, u8 *out, size_t cap,
		     size_t *out_len);
int kc_p8_encode_ec(const struct kc_p8_ec *k, u8 *out, size_t cap,
		    size_t *out_len);
int kc_p8_encode_25519(enum kc_p8_type type, const struct kc_p8_25519 *k,
		       u8 *out, size_t cap, size_t *out_len);

int kc_p8_decode_rsa(const u8 *der, size_t len, struct kc_p8_rsa *k);
int kc_p8_decode_ec(const u8 *der, size_t len, struct kc_p8_ec *k);
int kc_p8_decode_25519(enum kc_p8_type type, const u8 *der, size_t len,
		       struct kc_p8_25519 *k);

#endif /* KC_PKCS8_H */
