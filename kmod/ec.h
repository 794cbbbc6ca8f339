/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Elliptic-curve arithmetic used by the ECDSA mechanisms (mech_ecdsa.c).
 *
 * The interface is byte-oriented: every scalar and coordinate is a
 * big-endian string of exactly curve->nbytes bytes, and a point is X || Y.
 * Two backends implement it: crypto/ec_engine.c, the constant-time engine
 * of kmod/crypto/ (the default), and ec_ecc.c on the kernel's ecc.ko
 * helpers (KHSM_EC=ecc); Kbuild.mech picks one. The curve table
 * (ec_curves.c) is shared; a backend maps khsm_ec_curve.id to its own
 * curve.
 *
 * Functions return 0 or a negative errno; none logs secrets.
 */
#ifndef KHSM_EC_H
#define KHSM_EC_H

#include <linux/types.h>

#define KHSM_EC_MAX_BYTES	48	/* P-384 */

enum khsm_ec_id {
	KHSM_EC_P256,
	KHSM_EC_P384,
};

struct khsm_ec_curve {
	const char *name;
	const u8 *oid;			/* DER: 06 len bytes */
	unsigned int oid_len;
	unsigned int nbytes;		/* bytes of p and of n */
	unsigned int nbits;		/* bit length of the order n */
	const char *hash;		/* matching hash (RFC 6979, CKM_ECDSA) */
	enum khsm_ec_id id;
};

/* The curve whose DER OID is exactly @der, or NULL if not supported. */
const struct khsm_ec_curve *khsm_ec_curve_find(const u8 *der, u32 len);

/* 0 if 1 <= @s <= n - 1, else -EINVAL. */
int khsm_ec_scalar_check(const struct khsm_ec_curve *c, const u8 *s);
/* @out = @in mod n, for any @in of nbytes bytes. */
void khsm_ec_scalar_reduce(const struct khsm_ec_curve *c, const u8 *in,
			   u8 *out);
/* @out = @a * @b mod n. */
void khsm_ec_scalar_mul(const struct khsm_ec_curve *c, const u8 *a,
			const u8 *b, u8 *out);
/* @out = @a + @b mod n (@a, @b < n). */
void khsm_ec_scalar_add(const struct khsm_ec_curve *c, const u8 *a,
			const u8 *b, u8 *out);
/* @out = @a^-1 mod n (@a in [1, n-1]); blinded against timing. */
int khsm_ec_scalar_inv(const struct khsm_ec_curve *c, const u8 *a, u8 *out);

/* @xy = @d * G (@d in [1, n-1]); the result is validated. */
int khsm_ec_mul_base(const struct khsm_ec_curve *c, const u8 *d, u8 *xy);
/* @x = X coordinate of @k * G, randomized projective coordinates. */
int khsm_ec_mul_base_x(const struct khsm_ec_curve *c, const u8 *k, u8 *x);
/* 0 if @xy is a valid public point (on the curve, order n), else -EINVAL. */
int khsm_ec_point_check(const struct khsm_ec_curve *c, const u8 *xy);
/*
 * @x = X coordinate of @u1 * G + @u2 * @xy (public inputs; variable time).
 * -EINVAL if the sum is the point at infinity.
 */
int khsm_ec_mul2_x(const struct khsm_ec_curve *c, const u8 *u1,
		   const u8 *u2, const u8 *xy, u8 *x);

#endif /* KHSM_EC_H */
