// SPDX-License-Identifier: GPL-2.0
/* NIST P-256 (FIPS 186-5, SEC 2 secp256r1) on the ecp_impl.h template. */
#include "ecp.h"

#define FE_LIMBS 4
#include "p256_table.h"

#define FE_MUL_CUSTOM

/* (hi, lo) = a * b + c + d; never overflows 128 bits */
#define MAC(lo, hi, a, b, c, d) do {					\
	__uint128_t v_ = (__uint128_t)(a) * (b) + (c) + (d);		\
	lo = (u64)v_;							\
	hi = (u64)(v_ >> 64);						\
} while (0)

/* (c, r) = a + b + c (carry in/out) */
#define ADC(r, a, b, c) do {						\
	__uint128_t v_ = (__uint128_t)(a) + (b) + (c);			\
	r = (u64)v_;							\
	c = (u64)(v_ >> 64);						\
} while (0)

/*
 * One reduction step: add u p to t0..t4 where u = t0, and -1/p mod 2^64
 * = 1. u p = u 2^96 - u + u (2^64 - 2^32 + 1) 2^192, so t0 + (-u) = 0
 * exactly; the rest adds u << 32 and u >> 32 at limbs 1 and 2 and
 * u (2^64 - 2^32 + 1) at limbs 3 and 4. Carry out in c.
 */
#define RED(t0, t1, t2, t3, t4, c) do {				\
	u64 u_ = (t0), lo_, hi_, k_ = 0;				\
	ADC(t1, t1, u_ << 32, k_);					\
	ADC(t2, t2, u_ >> 32, k_);					\
	MAC(lo_, hi_, u_, 0xffffffff00000001ULL, 0, 0);			\
	ADC(t3, t3, lo_, k_);						\
	ADC(t4, t4, hi_, k_);						\
	c = k_;								\
} while (0)

/*
 * Montgomery multiplication specialised for p = 2^256 - 2^224 + 2^192 +
 * 2^96 - 1: schoolbook product into 8 limbs, then four reduction steps
 * of one 64x64 product each (RED), then one conditional subtraction of p.
 * Straight-line code, constant time.
 */
static noinline void fe_mul(u64 *r, const u64 *a, const u64 *b)
{
	static const u64 p[4] = FE_P;
	u64 t0, t1, t2, t3, t4, t5, t6, t7, c, k, s0, s1, s2, s3, bo;
	u64 a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];

	MAC(t0, c, a0, b[0], 0, 0);
	MAC(t1, c, a1, b[0], c, 0);
	MAC(t2, c, a2, b[0], c, 0);
	MAC(t3, t4, a3, b[0], c, 0);

	MAC(t1, c, a0, b[1], t1, 0);
	MAC(t2, c, a1, b[1], t2, c);
	MAC(t3, c, a2, b[1], t3, c);
	MAC(t4, t5, a3, b[1], t4, c);

	MAC(t2, c, a0, b[2], t2, 0);
	MAC(t3, c, a1, b[2], t3, c);
	MAC(t4, c, a2, b[2], t4, c);
	MAC(t5, t6, a3, b[2], t5, c);

	MAC(t3, c, a0, b[3], t3, 0);
	MAC(t4, c, a1, b[3], t4, c);
	MAC(t5, c, a2, b[3], t5, c);
	MAC(t6, t7, a3, b[3], t6, c);

	/* reduce; the carry of each step goes into the next free limb */
	RED(t0, t1, t2, t3, t4, c);
	k = 0;
	ADC(t5, t5, c, k);
	ADC(t6, t6, 0, k);
	ADC(t7, t7, 0, k);
	RED(t1, t2, t3, t4, t5, c);
	ADC(t6, t6, c, k);
	ADC(t7, t7, 0, k);
	RED(t2, t3, t4, t5, t6, c);
	ADC(t7, t7, c, k);
	RED(t3, t4, t5, t6, t7, c);
	k += c;

	/* (k, t7..t4) < 2p: subtract p unless that borrows */
	bo = 0;
	s0 = t4 - p[0];
	bo = t4 < p[0];
	s1 = t5 - p[1] - bo;
	bo = (t5 < p[1]) | ((t5 == p[1]) & bo);
	s2 = t6 - p[2] - bo;
	bo = (t6 < p[2]) | ((t6 == p[2]) & bo);
	s3 = t7 - p[3] - bo;
	bo = (t7 < p[3]) | ((t7 == p[3]) & bo);
	c = 0 - (bo & (k ^ 1));			/* all-ones: keep t */
	r[0] = s0 ^ (c & (s0 ^ t4));
	r[1] = s1 ^ (c & (s1 ^ t5));
	r[2] = s2 ^ (c & (s2 ^ t6));
	r[3] = s3 ^ (c & (s3 ^ t7));
}

#include "ecp_impl.h"

const struct kc_ec_impl kc_p256_impl = KC_EC_IMPL_INIT;
