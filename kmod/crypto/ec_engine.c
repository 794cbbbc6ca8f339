// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/ec.h on the khsm crypto engine (kmod/crypto): the drop-in
 * replacement for ec_ecc.c. Build this file (and the engine objects of
 * kmod/crypto/Kbuild.frag) instead of ec_ecc.o; mechanism code does not
 * change. Kernel only.
 *
 * Differences from ec_ecc.c worth knowing: every secret-scalar operation
 * is constant time by construction (comb table with masked lookups,
 * complete formulas, Fermat inversion), so no blinding or randomized
 * projective coordinates are needed; verification (mul2_x) is variable
 * time on public inputs only.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "../ec.h"
#include "engine.h"

static enum kc_curve kc_of(const struct khsm_ec_curve *c)
{
	return c->id == KHSM_EC_P384 ? KC_P384 : KC_P256;
}

static int kc_err(int ret)
{
	return ret ? -EINVAL : 0;
}

int khsm_ec_scalar_check(const struct khsm_ec_curve *c, const u8 *s)
{
	return kc_err(kc_ec_scalar_check(kc_of(c), s));
}

void khsm_ec_scalar_reduce(const struct khsm_ec_curve *c, const u8 *in,
			   u8 *out)
{
	kc_ec_scalar_reduce(kc_of(c), in, out);
}

void khsm_ec_scalar_mul(const struct khsm_ec_curve *c, const u8 *a,
			const u8 *b, u8 *out)
{
	kc_ec_scalar_mul(kc_of(c), a, b, out);
}

void khsm_ec_scalar_add(const struct khsm_ec_curve *c, const u8 *a,
			const u8 *b, u8 *out)
{
	kc_ec_scalar_add(kc_of(c), a, b, out);
}

int khsm_ec_scalar_inv(const struct khsm_ec_curve *c, const u8 *a, u8 *out)
{
	return kc_err(kc_ec_scalar_inv(kc_of(c), a, out));
}

int khsm_ec_mul_base(const struct khsm_ec_curve *c, const u8 *d, u8 *xy)
{
	return kc_err(kc_ec_mul_base(kc_of(c), d, xy));
}

int khsm_ec_mul_base_x(const struct khsm_ec_curve *c, const u8 *k, u8 *x)
{
	u8 xy[2 * KHSM_EC_MAX_BYTES];
	int ret;

	ret = kc_ec_mul_base(kc_of(c), k, xy);
	if (!ret)
		memcpy(x, xy, c->nbytes);
	memzero_explicit(xy, sizeof(xy));
	return kc_err(ret);
}

int khsm_ec_point_check(const struct khsm_ec_curve *c, const u8 *xy)
{
	return kc_err(kc_ec_point_check(kc_of(c), xy));
}

int khsm_ec_mul2_x(const struct khsm_ec_curve *c, const u8 *u1,
		   const u8 *u2, const u8 *xy, u8 *x)
{
	return kc_err(kc_ec_mul2_x(kc_of(c), u1, u2, xy, x));
}
