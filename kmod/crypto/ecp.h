/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interface between the curve-independent engine (engine.c:
 * dispatch, key generation, RFC 6979 nonces) and one prime curve
 * (p256.c, ... built from the ecp_impl.h template).
 */
#ifndef KC_ECP_H
#define KC_ECP_H

#include "engine.h"
#include "arith.h"

struct kc_ec_impl {
	u32 bytes;
	/* bit length of n (qlen of RFC 6979): 8 * bytes but for P-521 */
	u32 bits;
	/* all-ones if @s (big-endian) is in [1, n - 1], else 0; no branch */
	u64 (*scalar_ok)(const u8 *s);
	/* bits2int(@digest) mod n, big-endian (RFC 6979 bits2octets) */
	void (*digest_mod_n)(const u8 *digest, size_t len, u8 *out);
	int (*pub_from_priv)(const u8 *priv, u8 *pub);
	int (*check_pub)(const u8 *pub, size_t len);
	/* KC_EINPUT if r or s came out 0 (caller retries with a new k) */
	int (*sign_k)(const u8 *priv, const u8 *digest, size_t len,
		      const u8 *k, u8 *sig);
	int (*verify)(const u8 *pub, size_t pub_len, const u8 *digest,
		      size_t len, const u8 *sig);
	int (*ecdh)(const u8 *priv, const u8 *peer, size_t peer_len, u8 *z);
	/* byte-level primitives (engine.h "primitives" section) */
	void (*sc_reduce)(const u8 *in, u8 *out);
	void (*sc_mul)(const u8 *a, const u8 *b, u8 *out);
	void (*sc_add)(const u8 *a, const u8 *b, u8 *out);
	void (*sc_inv)(const u8 *a, u8 *out);
	void (*mul_base)(const u8 *k, u8 *xy);
	int (*point_check)(const u8 *xy);
	int (*mul2_x)(const u8 *u1, const u8 *u2, const u8 *xy, u8 *x);
	/* 02/03 X (1 + bytes) to 04 X Y, KC_EPOINT if not a point */
	int (*decompress)(const u8 *in, size_t len, u8 *pub);
};

extern const struct kc_ec_impl kc_p256_impl;
extern const struct kc_ec_impl kc_p384_impl;
extern const struct kc_ec_impl kc_p521_impl;

#endif /* KC_ECP_H */
