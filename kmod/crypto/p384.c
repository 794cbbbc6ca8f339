// SPDX-License-Identifier: GPL-2.0
/*
 * NIST P-384 (FIPS 186-5, SEC 2 secp384r1) on the ecp_impl.h template,
 * with its own field multiply and square: a 12-limb product, then a
 * Montgomery reduction that uses the form of p (see p384_reduce).
 */
#include "ecp.h"

#define FE_LIMBS 6
#include "p384_table.h"

/*
 * One Montgomery reduction step on limbs t0..t6 (t0 is the lowest), with
 * carry-in @c at t6 (the previous step's carry-out) and carry-out in @c.
 * -1/p mod 2^64 = 2^32 + 1, so u = t0 (2^32 + 1). With
 * p = 2^384 - e, e = 2^128 + 2^96 - 2^32 + 1 = (1, 2^32 - 1, 2^64 - 2^32
 * + 1) in limbs, t + u p = t - u e + u 2^384: two 64x64 products for u e
 * (its low limb equals t0, so that limb clears without a borrow), a
 * borrow chain over t1..t5 and u minus that borrow added to t6 (u e > 0
 * when there is a borrow, so u >= 1 and u - borrow does not wrap).
 */
#define P384_RED(t0, t1, t2, t3, t4, t5, t6, c) do {			\
	u64 u_ = (t0) + ((t0) << 32), l0_, h0_, l1_, h1_, x1_, x2_;	\
	u64 k_ = 0, b_ = 0;						\
	MUL(l0_, h0_, u_, 0xffffffff00000001ULL);			\
	MUL(l1_, h1_, u_, 0x00000000ffffffffULL);			\
	(void)l0_;							\
	ADC(x1_, h0_, l1_, k_);						\
	ADC(x2_, h1_, u_, k_);						\
	SBB(t1, t1, x1_, b_);						\
	SBB(t2, t2, x2_, b_);						\
	SBB(t3, t3, k_, b_);						\
	SBB(t4, t4, 0, b_);						\
	SBB(t5, t5, 0, b_);						\
	ADC(t6, t6, u_ - b_, c);					\
} while (0)

/*
 * r = (t11..t0) / 2^384 mod p for t < 2^384 p: six reduction steps, each
 * carry passed to the top limb of the next, then one conditional
 * subtraction of p (the sum is below 2p).
 */
static __always_inline void p384_reduce(u64 *r, const u64 *t)
{
	static const u64 p[6] = FE_P;
	u64 t0 = t[0], t1 = t[1], t2 = t[2], t3 = t[3], t4 = t[4];
	u64 t5 = t[5], t6 = t[6], t7 = t[7], t8 = t[8], t9 = t[9];
	u64 t10 = t[10], t11 = t[11], c = 0, bo = 0, m;
	u64 s0, s1, s2, s3, s4, s5;

	P384_RED(t0, t1, t2, t3, t4, t5, t6, c);
	P384_RED(t1, t2, t3, t4, t5, t6, t7, c);
	P384_RED(t2, t3, t4, t5, t6, t7, t8, c);
	P384_RED(t3, t4, t5, t6, t7, t8, t9, c);
	P384_RED(t4, t5, t6, t7, t8, t9, t10, c);
	P384_RED(t5, t6, t7, t8, t9, t10, t11, c);

	/* (c, t11..t6) < 2p: subtract p unless that borrows */
	SBB(s0, t6, p[0], bo);
	SBB(s1, t7, p[1], bo);
	SBB(s2, t8, p[2], bo);
	SBB(s3, t9, p[3], bo);
	SBB(s4, t10, p[4], bo);
	SBB(s5, t11, p[5], bo);
	m = 0 - (bo & (c ^ 1));			/* all-ones: keep t */
	r[0] = s0 ^ (m & (s0 ^ t6));
	r[1] = s1 ^ (m & (s1 ^ t7));
	r[2] = s2 ^ (m & (s2 ^ t8));
	r[3] = s3 ^ (m & (s3 ^ t9));
	r[4] = s4 ^ (m & (s4 ^ t10));
	r[5] = s5 ^ (m & (s5 ^ t11));
}

/* t = a * b, schoolbook, 12 limbs; each row adds low then high halves */
static __always_inline void p384_mul12(u64 *t, const u64 *a, const u64 *b)
{
	u64 l[6], h[6], c, bi;
	int i, j;

	bi = b[0];
#pragma GCC unroll 6
	for (j = 0; j < 6; j++)
		MUL(l[j], h[j], a[j], bi);
	t[0] = l[0];
	c = 0;
#pragma GCC unroll 6
	for (j = 1; j < 6; j++)
		ADC(t[j], l[j], h[j - 1], c);
	ADC(t[6], h[5], 0, c);
#pragma GCC unroll 6
	for (i = 1; i < 6; i++) {
		bi = b[i];
#pragma GCC unroll 6
		for (j = 0; j < 6; j++)
			MUL(l[j], h[j], a[j], bi);
		c = 0;
#pragma GCC unroll 6
		for (j = 0; j < 6; j++)
			ADC(t[i + j], t[i + j], l[j], c);
		ADC(t[i + 6], 0, 0, c);
		c = 0;
#pragma GCC unroll 6
		for (j = 0; j < 6; j++)
			ADC(t[i + j + 1], t[i + j + 1], h[j], c);
	}
}

/*
 * t = a^2: the 15 cross products (rows of low then high halves, as in
 * p384_mul12; the sum of rows 0..i is below 2^(64 (i + 7)), so no row
 * carries out), doubled, plus the 6 squares; 12 limbs.
 */
static __always_inline void p384_sqr12(u64 *t, const u64 *a)
{
	u64 l[6], h[6], c, k, ai;
	int i, j;

	ai = a[0];
#pragma GCC unroll 6
	for (j = 1; j < 6; j++)
		MUL(l[j], h[j], ai, a[j]);
	t[1] = l[1];
	c = 0;
#pragma GCC unroll 6
	for (j = 2; j < 6; j++)
		ADC(t[j], l[j], h[j - 1], c);
	ADC(t[6], h[5], 0, c);
#pragma GCC unroll 6
	for (i = 1; i < 5; i++) {
		ai = a[i];
#pragma GCC unroll 6
		for (j = i + 1; j < 6; j++)
			MUL(l[j], h[j], ai, a[j]);
		c = 0;
#pragma GCC unroll 6
		for (j = i + 1; j < 6; j++)
			ADC(t[i + j], t[i + j], l[j], c);
		ADC(t[i + 6], 0, 0, c);
		c = 0;
#pragma GCC unroll 6
		for (j = i + 1; j < 6; j++)
			ADC(t[i + j + 1], t[i + j + 1], h[j], c);
	}
	t[11] = t[10] >> 63;
#pragma GCC unroll 12
	for (i = 10; i > 1; i--)
		t[i] = t[i] << 1 | t[i - 1] >> 63;
	t[1] <<= 1;
	k = 0;
	MUL(t[0], h[0], a[0], a[0]);
	ADC(t[1], t[1], h[0], k);
#pragma GCC unroll 6
	for (i = 1; i < 6; i++) {
		MUL(l[i], h[i], a[i], a[i]);
		ADC(t[2 * i], t[2 * i], l[i], k);
		ADC(t[2 * i + 1], t[2 * i + 1], h[i], k);
	}
}

#define FE_MUL_CUSTOM
static noinline void fe_mul(u64 *r, const u64 *a, const u64 *b)
{
	u64 t[12];

	p384_mul12(t, a, b);
	p384_reduce(r, t);
}

#define FE_SQR_CUSTOM
static noinline void fe_sqr(u64 *r, const u64 *a)
{
	u64 t[12];

	p384_sqr12(t, a);
	p384_reduce(r, t);
}

static void fe_sqr_n(u64 *r, const u64 *a, int n)
{
	fe_sqr(r, a);
	while (--n > 0)
		fe_sqr(r, r);
}

/*
 * r = a^(p - 2): p - 2 = 2^384 - 2^128 - 2^96 + 2^32 - 3 in binary is
 * 255 ones, a zero, 32 ones, 64 zeros, 30 ones, 0, 1: 383 squarings and
 * 14 multiplications (x_k = a^(2^k - 1)) instead of the template's
 * 4-bit window (about 110 multiplications).
 */
#define FE_INV_CUSTOM
static void fe_inv(u64 *r, const u64 *a)
{
	u64 x2[6], x3[6], x15[6], x30[6], x32[6], x[6], t[6];

	fe_sqr(t, a);
	fe_mul(x2, t, a);
	fe_sqr(t, x2);
	fe_mul(x3, t, a);
	fe_sqr_n(t, x3, 3);
	fe_mul(x, t, x3);			/* x6 */
	fe_sqr_n(t, x, 6);
	fe_mul(x, t, x);			/* x12 */
	fe_sqr_n(t, x, 3);
	fe_mul(x15, t, x3);
	fe_sqr_n(t, x15, 15);
	fe_mul(x30, t, x15);
	fe_sqr_n(t, x30, 2);
	fe_mul(x32, t, x2);
	fe_sqr_n(t, x30, 30);
	fe_mul(x, t, x30);			/* x60 */
	fe_sqr_n(t, x, 60);
	fe_mul(x, t, x);			/* x120 */
	fe_sqr_n(t, x, 120);
	fe_mul(x, t, x);			/* x240 */
	fe_sqr_n(t, x, 15);
	fe_mul(t, t, x15);			/* x255 */
	fe_sqr_n(t, t, 33);
	fe_mul(t, t, x32);
	fe_sqr_n(t, t, 94);
	fe_mul(t, t, x30);
	fe_sqr_n(t, t, 2);
	fe_mul(r, t, a);
	kc_wipe(x2, sizeof(x2));
	kc_wipe(x3, sizeof(x3));
	kc_wipe(x15, sizeof(x15));
	kc_wipe(x30, sizeof(x30));
	kc_wipe(x32, sizeof(x32));
	kc_wipe(x, sizeof(x));
	kc_wipe(t, sizeof(t));
}

#include "ecp_impl.h"

const struct kc_ec_impl kc_p384_impl = KC_EC_IMPL_INIT;
