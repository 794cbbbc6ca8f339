// SPDX-License-Identifier: GPL-2.0
/*
 * NIST P-521 (FIPS 186-5, SEC 2 secp521r1) on the ecp_impl.h template.
 *
 * p = 2^521 - 1, so the field is not in Montgomery form (the generated
 * FE_RR and FE_ONE are 1, the template's to/from-Montgomery conversions
 * become multiplications by 1): a 9 x 9-limb product t = H 2^521 + L is
 * reduced as H + L (2^521 = 1 mod p), one more fold of bit 521 and a
 * masked p -> 0. Coordinates and scalars are 66 bytes, n has 521 bits
 * (SC_BITS: bits2int and RFC 6979 shift by 7). Scalars mod n: the same
 * product and squaring, then a word-by-word Montgomery reduction
 * (R = 2^576).
 */
#include "ecp.h"

#define FE_LIMBS 9
#include "p521_table.h"

/* t = a * b, schoolbook, 18 limbs; each row adds low then high halves */
static __always_inline void p521_mul18(u64 *t, const u64 *a, const u64 *b)
{
	u64 l[9], h[9], c, bi;
	int i, j;

	bi = b[0];
#pragma GCC unroll 9
	for (j = 0; j < 9; j++)
		MUL(l[j], h[j], a[j], bi);
	t[0] = l[0];
	c = 0;
#pragma GCC unroll 9
	for (j = 1; j < 9; j++)
		ADC(t[j], l[j], h[j - 1], c);
	ADC(t[9], h[8], 0, c);
#pragma GCC unroll 9
	for (i = 1; i < 9; i++) {
		bi = b[i];
#pragma GCC unroll 9
		for (j = 0; j < 9; j++)
			MUL(l[j], h[j], a[j], bi);
		c = 0;
#pragma GCC unroll 9
		for (j = 0; j < 9; j++)
			ADC(t[i + j], t[i + j], l[j], c);
		ADC(t[i + 9], 0, 0, c);
		c = 0;
#pragma GCC unroll 9
		for (j = 0; j < 9; j++)
			ADC(t[i + j + 1], t[i + j + 1], h[j], c);
	}
}

/*
 * t = a^2: the 36 cross products (rows as in p521_mul18; the sum of rows
 * 0..i is below 2^(64 (i + 10)), so no row carries out), doubled, plus
 * the 9 squares; 18 limbs.
 */
static __always_inline void p521_sqr18(u64 *t, const u64 *a)
{
	u64 l[9], h[9], c, k, ai;
	int i, j;

	ai = a[0];
#pragma GCC unroll 9
	for (j = 1; j < 9; j++)
		MUL(l[j], h[j], ai, a[j]);
	t[1] = l[1];
	c = 0;
#pragma GCC unroll 9
	for (j = 2; j < 9; j++)
		ADC(t[j], l[j], h[j - 1], c);
	ADC(t[9], h[8], 0, c);
#pragma GCC unroll 9
	for (i = 1; i < 8; i++) {
		ai = a[i];
#pragma GCC unroll 9
		for (j = i + 1; j < 9; j++)
			MUL(l[j], h[j], ai, a[j]);
		c = 0;
#pragma GCC unroll 9
		for (j = i + 1; j < 9; j++)
			ADC(t[i + j], t[i + j], l[j], c);
		ADC(t[i + 9], 0, 0, c);
		c = 0;
#pragma GCC unroll 9
		for (j = i + 1; j < 9; j++)
			ADC(t[i + j + 1], t[i + j + 1], h[j], c);
	}
	t[17] = t[16] >> 63;
#pragma GCC unroll 18
	for (i = 16; i > 1; i--)
		t[i] = t[i] << 1 | t[i - 1] >> 63;
	t[1] <<= 1;
	k = 0;
	MUL(t[0], h[0], a[0], a[0]);
	ADC(t[1], t[1], h[0], k);
#pragma GCC unroll 9
	for (i = 1; i < 9; i++) {
		MUL(l[i], h[i], a[i], a[i]);
		ADC(t[2 * i], t[2 * i], l[i], k);
		ADC(t[2 * i + 1], t[2 * i + 1], h[i], k);
	}
}

/*
 * r = t mod p for t < p^2 (18 limbs): with t = H 2^521 + L (H, L < 2^521),
 * s = H + L < 2^522; s = (s mod 2^521) + (s >> 521) <= p (s = 2^522 - 1
 * would be needed to exceed it); then s = p, the only non-reduced value
 * left, becomes 0 under a mask.
 */
static __always_inline void p521_reduce(u64 *r, const u64 *t)
{
	u64 s[9], c = 0, all;
	int i;

#pragma GCC unroll 8
	for (i = 0; i < 8; i++)
		ADC(s[i], t[i], t[i + 8] >> 9 | t[i + 9] << 55, c);
	s[8] = (t[8] & 0x1ff) + (t[16] >> 9 | t[17] << 55) + c;
	c = s[8] >> 9;
	s[8] &= 0x1ff;
#pragma GCC unroll 9
	for (i = 0; i < 9; i++)
		ADC(s[i], s[i], 0, c);
	all = s[8] ^ 0x1ff;
#pragma GCC unroll 8
	for (i = 0; i < 8; i++)
		all |= ~s[i];
	all = kc_mask_zero(all);		/* all-ones iff s = p */
#pragma GCC unroll 9
	for (i = 0; i < 9; i++)
		r[i] = s[i] & ~all;
}

#define FE_MUL_CUSTOM
static noinline void fe_mul(u64 *r, const u64 *a, const u64 *b)
{
	u64 t[18];

	p521_mul18(t, a, b);
	p521_reduce(r, t);
}

#define FE_SQR_CUSTOM
static noinline void fe_sqr(u64 *r, const u64 *a)
{
	u64 t[18];

	p521_sqr18(t, a);
	p521_reduce(r, t);
}

static void fe_sqr_n(u64 *r, const u64 *a, int n)
{
	fe_sqr(r, a);
	while (--n > 0)
		fe_sqr(r, r);
}

/*
 * r = a^(p - 2) = a^(2^521 - 3): p - 2 is 519 ones, a zero, a one.
 * x_k = a^(2^k - 1): x2, x3, x4, x7, x8, x16, ..., x512, x519, then two
 * squarings and a multiplication by a: 520 squarings, 13 multiplications.
 */
#define FE_INV_CUSTOM
static void fe_inv(u64 *r, const u64 *a)
{
	u64 x2[9], x3[9], x7[9], x[9], t[9];
	int k;

	fe_sqr(t, a);
	fe_mul(x2, t, a);
	fe_sqr(t, x2);
	fe_mul(x3, t, a);
	fe_sqr_n(t, x2, 2);
	fe_mul(x, t, x2);			/* x4 */
	fe_sqr_n(t, x, 3);
	fe_mul(x7, t, x3);
	fe_sqr_n(t, x, 4);
	fe_mul(x, t, x);			/* x8 */
	for (k = 8; k < 512; k *= 2) {
		fe_sqr_n(t, x, k);
		fe_mul(x, t, x);		/* x_2k */
	}
	fe_sqr_n(t, x, 7);
	fe_mul(x, t, x7);			/* x519 */
	fe_sqr_n(t, x, 2);
	fe_mul(r, t, a);
	kc_wipe(x2, sizeof(x2));
	kc_wipe(x3, sizeof(x3));
	kc_wipe(x7, sizeof(x7));
	kc_wipe(x, sizeof(x));
	kc_wipe(t, sizeof(t));
}

/*
 * Scalars: Montgomery reduction (R = 2^576) of an 18-limb product t < n R,
 * word by word (u = t_i (-1/n) mod 2^64, t += u n 2^(64 i)); the top half
 * plus the last carry is below 2n: one masked subtraction. With the
 * product and the squaring above this saves the template's CIOS loop 36
 * of 162 products per squaring (the scalar inversion is ~520 squarings).
 */
static __always_inline void p521_sc_redc(u64 *r, u64 *t)
{
	static const u64 n[9] = SC_N;
	u64 u, c, cc = 0, s[9], b = 0, keep;
	__uint128_t v;
	int i, j;

#pragma GCC unroll 9
	for (i = 0; i < 9; i++) {
		u = t[i] * SC_N0INV;
		c = 0;
#pragma GCC unroll 9
		for (j = 0; j < 9; j++)
			MAC(t[i + j], c, u, n[j], t[i + j], c);
		v = (__uint128_t)t[i + 9] + c + cc;
		t[i + 9] = (u64)v;
		cc = (u64)(v >> 64);
	}
#pragma GCC unroll 9
	for (j = 0; j < 9; j++)
		SBB(s[j], t[9 + j], n[j], b);
	keep = 0 - (b & (cc ^ 1));		/* all-ones: t[9..17] < n */
#pragma GCC unroll 9
	for (j = 0; j < 9; j++)
		r[j] = s[j] ^ (keep & (s[j] ^ t[9 + j]));
}

#define SC_MUL_CUSTOM
static noinline void sc_mul(u64 *r, const u64 *a, const u64 *b)
{
	u64 t[18];

	p521_mul18(t, a, b);
	p521_sc_redc(r, t);
}

#define SC_SQR_CUSTOM
static noinline void sc_sqr(u64 *r, const u64 *a)
{
	u64 t[18];

	p521_sqr18(t, a);
	p521_sc_redc(r, t);
}

#include "ecp_impl.h"

const struct kc_ec_impl kc_p521_impl = KC_EC_IMPL_INIT;
