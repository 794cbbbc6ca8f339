// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/ec.h on the kernel's ecc.ko helpers (crypto/ecc.c): NIST P-256 and
 * P-384.
 *
 * Point multiplication by a secret scalar uses the helpers' Montgomery
 * ladder (ecc_make_pub_key for key generation; crypto_ecdh_shared_secret
 * on the base point for signing nonces, which also randomizes the
 * projective Z). The modular inverse of a secret (vli_mod_inv, binary
 * extended Euclid, variable time) is blinded by a random factor. Verify
 * uses ecc_point_mult_shamir, which is variable time but only sees public
 * values.
 */
#include <crypto/ecdh.h>
#include <crypto/internal/ecc.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/random.h>
#include <linux/string.h>
#include <asm/unaligned.h>

#include "ec.h"

#define KHSM_EC_MAX_DIGITS	(KHSM_EC_MAX_BYTES / 8)

static unsigned int khsm_nd(const struct khsm_ec_curve *c)
{
	return c->nbytes / 8;
}

static unsigned int khsm_ecc_id(const struct khsm_ec_curve *c)
{
	return c->id == KHSM_EC_P384 ? ECC_CURVE_NIST_P384 : ECC_CURVE_NIST_P256;
}

static const struct ecc_curve *khsm_ecc(const struct khsm_ec_curve *c)
{
	return ecc_get_curve(khsm_ecc_id(c));
}

static void khsm_to_vli(const struct khsm_ec_curve *c, const u8 *in, u64 *out)
{
	vli_from_be64(out, in, khsm_nd(c));
}

static void khsm_from_vli(const struct khsm_ec_curve *c, const u64 *in,
			  u8 *out)
{
	unsigned int i, nd = khsm_nd(c);

	for (i = 0; i < nd; i++)
		put_unaligned_be64(in[nd - 1 - i], out + 8 * i);
}

int khsm_ec_scalar_check(const struct khsm_ec_curve *c, const u8 *s)
{
	u64 v[KHSM_EC_MAX_DIGITS];
	int ret = 0;

	khsm_to_vli(c, s, v);
	if (vli_is_zero(v, khsm_nd(c)) ||
	    vli_cmp(v, khsm_ecc(c)->n, khsm_nd(c)) >= 0)
		ret = -EINVAL;
	memzero_explicit(v, sizeof(v));
	return ret;
}

/* @r = @a - n if that does not borrow or @carry is set, else @a; no branch. */
static void khsm_vli_sub_n(const struct khsm_ec_curve *c, u64 *r,
			   const u64 *a, u64 carry)
{
	unsigned int i, nd = khsm_nd(c);
	u64 t[KHSM_EC_MAX_DIGITS];
	u64 borrow, mask;

	borrow = vli_sub(t, a, khsm_ecc(c)->n, nd);
	/* keep a iff borrow && !carry */
	mask = 0 - ((borrow & ~carry) & 1);
	for (i = 0; i < nd; i++)
		r[i] = (a[i] & mask) | (t[i] & ~mask);
	memzero_explicit(t, sizeof(t));
}

void khsm_ec_scalar_reduce(const struct khsm_ec_curve *c, const u8 *in,
			   u8 *out)
{
	u64 v[KHSM_EC_MAX_DIGITS];

	/* n > 2^(nbits-1) on these curves, so one subtraction suffices. */
	khsm_to_vli(c, in, v);
	khsm_vli_sub_n(c, v, v, 0);
	khsm_from_vli(c, v, out);
	memzero_explicit(v, sizeof(v));
}

void khsm_ec_scalar_mul(const struct khsm_ec_curve *c, const u8 *a,
			const u8 *b, u8 *out)
{
	u64 va[KHSM_EC_MAX_DIGITS], vb[KHSM_EC_MAX_DIGITS];
	u64 r[KHSM_EC_MAX_DIGITS];

	khsm_to_vli(c, a, va);
	khsm_to_vli(c, b, vb);
	vli_mod_mult_slow(r, va, vb, khsm_ecc(c)->n, khsm_nd(c));
	khsm_from_vli(c, r, out);
	memzero_explicit(va, sizeof(va));
	memzero_explicit(vb, sizeof(vb));
	memzero_explicit(r, sizeof(r));
}

void khsm_ec_scalar_add(const struct khsm_ec_curve *c, const u8 *a,
			const u8 *b, u8 *out)
{
	u64 va[KHSM_EC_MAX_DIGITS], vb[KHSM_EC_MAX_DIGITS];
	unsigned int i, nd = khsm_nd(c);
	u64 carry = 0, sum;

	khsm_to_vli(c, a, va);
	khsm_to_vli(c, b, vb);
	for (i = 0; i < nd; i++) {
		sum = va[i] + vb[i] + carry;
		/* carry out without branching on the digits */
		carry = ((va[i] & vb[i]) | ((va[i] | vb[i]) & ~sum)) >> 63;
		va[i] = sum;
	}
	khsm_vli_sub_n(c, va, va, carry);
	khsm_from_vli(c, va, out);
	memzero_explicit(va, sizeof(va));
	memzero_explicit(vb, sizeof(vb));
}

int khsm_ec_scalar_inv(const struct khsm_ec_curve *c, const u8 *a, u8 *out)
{
	u64 va[KHSM_EC_MAX_DIGITS], vb[KHSM_EC_MAX_DIGITS];
	u64 t[KHSM_EC_MAX_DIGITS];
	const u64 *n = khsm_ecc(c)->n;
	unsigned int nd = khsm_nd(c);
	u8 rnd[KHSM_EC_MAX_BYTES];
	int tries;

	/* a^-1 = b * (a * b)^-1 for a random blinding factor b in [1, n-1] */
	for (tries = 0; tries < 64; tries++) {
		get_random_bytes(rnd, c->nbytes);
		if (!khsm_ec_scalar_check(c, rnd))
			break;
	}
	if (tries == 64) {
		memzero_explicit(rnd, sizeof(rnd));
		return -EAGAIN;
	}
	khsm_to_vli(c, a, va);
	khsm_to_vli(c, rnd, vb);
	vli_mod_mult_slow(t, va, vb, n, nd);
	vli_mod_inv(va, t, n, nd);
	vli_mod_mult_slow(t, va, vb, n, nd);
	khsm_from_vli(c, t, out);
	memzero_explicit(va, sizeof(va));
	memzero_explicit(vb, sizeof(vb));
	memzero_explicit(t, sizeof(t));
	memzero_explicit(rnd, sizeof(rnd));
	return 0;
}

int khsm_ec_mul_base(const struct khsm_ec_curve *c, const u8 *d, u8 *xy)
{
	u64 priv[KHSM_EC_MAX_DIGITS], pub[2 * KHSM_EC_MAX_DIGITS];
	int ret;

	/* ecc_make_pub_key takes and gives big-endian strings in u64s */
	memcpy(priv, d, c->nbytes);
	ret = ecc_make_pub_key(khsm_ecc_id(c), khsm_nd(c), priv, pub);
	if (!ret)
		memcpy(xy, pub, 2 * c->nbytes);
	memzero_explicit(priv, sizeof(priv));
	return ret;
}

int khsm_ec_mul_base_x(const struct khsm_ec_curve *c, const u8 *k, u8 *x)
{
	const struct ecc_curve *ec = khsm_ecc(c);
	u64 priv[KHSM_EC_MAX_DIGITS], out[KHSM_EC_MAX_DIGITS];
	u64 g[2 * KHSM_EC_MAX_DIGITS];
	int ret;

	/* The ECDH helper on the base point: x(k * G), random Z. */
	khsm_from_vli(c, ec->g.x, (u8 *)g);
	khsm_from_vli(c, ec->g.y, (u8 *)g + c->nbytes);
	memcpy(priv, k, c->nbytes);
	ret = crypto_ecdh_shared_secret(khsm_ecc_id(c), khsm_nd(c), priv, g,
					out);
	if (!ret)
		memcpy(x, out, c->nbytes);
	memzero_explicit(priv, sizeof(priv));
	memzero_explicit(out, sizeof(out));
	return ret;
}

int khsm_ec_point_check(const struct khsm_ec_curve *c, const u8 *xy)
{
	u64 x[KHSM_EC_MAX_DIGITS], y[KHSM_EC_MAX_DIGITS];
	struct ecc_point pk = ECC_POINT_INIT(x, y, khsm_nd(c));

	khsm_to_vli(c, xy, x);
	khsm_to_vli(c, xy + c->nbytes, y);
	return ecc_is_pubkey_valid_full(khsm_ecc(c), &pk) ? -EINVAL : 0;
}

int khsm_ec_mul2_x(const struct khsm_ec_curve *c, const u8 *u1,
		   const u8 *u2, const u8 *xy, u8 *x)
{
	u64 qx[KHSM_EC_MAX_DIGITS], qy[KHSM_EC_MAX_DIGITS];
	u64 rx[KHSM_EC_MAX_DIGITS], ry[KHSM_EC_MAX_DIGITS];
	u64 v1[KHSM_EC_MAX_DIGITS], v2[KHSM_EC_MAX_DIGITS];
	unsigned int nd = khsm_nd(c);
	struct ecc_point q = ECC_POINT_INIT(qx, qy, nd);
	struct ecc_point r = ECC_POINT_INIT(rx, ry, nd);
	const struct ecc_curve *ec = khsm_ecc(c);

	khsm_to_vli(c, xy, qx);
	khsm_to_vli(c, xy + c->nbytes, qy);
	khsm_to_vli(c, u1, v1);
	khsm_to_vli(c, u2, v2);
	/* The helper adds G + Q up front: it cannot take Q = +-G. */
	if (!vli_cmp(qx, ec->g.x, nd))
		return -EINVAL;
	ecc_point_mult_shamir(&r, v1, &ec->g, v2, &q, ec);
	if (ecc_point_is_zero(&r))
		return -EINVAL;
	khsm_from_vli(c, rx, x);
	return 0;
}
