/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Word arithmetic of the engine: 64x64->128-bit products and
 * add-with-carry. On x86-64 the compiler's add-with-carry builtin gives
 * one adc per limb (GCC turns __uint128_t sums into much longer code);
 * elsewhere, under sparse, or with KC_PORTABLE (the tests build both) a
 * portable 128-bit sum.
 */
#ifndef KC_ARITH_H
#define KC_ARITH_H

#include "shim.h"

/* (hi, lo) = a * b + c + d; never overflows 128 bits */
#define MAC(lo, hi, a, b, c, d) do {					\
	__uint128_t v_ = (__uint128_t)(a) * (b) + (c) + (d);		\
	lo = (u64)v_;							\
	hi = (u64)(v_ >> 64);						\
} while (0)

/* (hi, lo) = a * b */
#define MUL(lo, hi, a, b) MAC(lo, hi, a, b, 0, 0)

/*
 * ADC: r = a + b + c, c = carry in and out (0 or 1).
 * SBB: r = a - b - c, c = borrow in and out (0 or 1).
 */
#if defined(__x86_64__) && !defined(__CHECKER__) && !defined(KC_PORTABLE)
#define ADC(r, a, b, c) do {						\
	unsigned long long r_;						\
	c = __builtin_ia32_addcarryx_u64((unsigned char)(c), (a), (b), &r_); \
	r = r_;								\
} while (0)
#define SBB(r, a, b, c) do {						\
	unsigned long long r_;						\
	c = __builtin_ia32_sbb_u64((unsigned char)(c), (a), (b), &r_);	\
	r = r_;								\
} while (0)
#else
#define ADC(r, a, b, c) do {						\
	__uint128_t v_ = (__uint128_t)(a) + (b) + (c);			\
	r = (u64)v_;							\
	c = (u64)(v_ >> 64);						\
} while (0)
#define SBB(r, a, b, c) do {						\
	__uint128_t v_ = (__uint128_t)(a) - (b) - (c);			\
	r = (u64)v_;							\
	c = (u64)(v_ >> 64) & 1;					\
} while (0)
#endif

/*
 * Montgomery's final subtraction, in constant time: r = t - m if t
 * (n + 1 limbs, < 2m) >= m, else t. Unrolled (n is a constant in the
 * fixed sizes): a rolled carry loop moves the carry through a register on
 * every limb, several times slower. Shared by bn.c and bn_adx.c.
 */
static __always_inline void kc_final_sub(u64 *r, const u64 *t, const u64 *m,
					 u32 n)
{
	u64 c = 0, keep;
	u32 j;

#pragma GCC unroll 64
	for (j = 0; j < n; j++)
		SBB(r[j], t[j], m[j], c);
	keep = 0 - (c & (t[n] ^ 1));
#pragma GCC unroll 64
	for (j = 0; j < n; j++)
		r[j] = (t[j] & keep) | (r[j] & ~keep);
}

#endif /* KC_ARITH_H */
