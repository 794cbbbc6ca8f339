// SPDX-License-Identifier: GPL-2.0
/* NIST P-256 (FIPS 186-5, SEC 2 secp256r1) on the ecp_impl.h template. */
#include "ecp.h"

#define FE_LIMBS 4
#include "p256_table.h"

#define FE_MUL_CUSTOM

/*
 * One reduction step: add u p to t0..t4 where u = t0, and -1/p mod 2^64
 * = 1. u p = u 2^96 - u + u (2^64 - 2^32 + 1) 2^192, so t0 + (-u) = 0
 * exactly; the rest adds u << 32 and u >> 32 at limbs 1 and 2 and
 * u (2^64 - 2^32 + 1) at limbs 3 and 4. Carry out in c.
 */
#define RED(t0, t1, t2, t3, t4, c) do {				\
	u64 u_ = (t0), lo_, hi_, k_ = 0;				\
	MUL(lo_, hi_, u_, 0xffffffff00000001ULL);			\
	ADC(t1, t1, u_ << 32, k_);					\
	ADC(t2, t2, u_ >> 32, k_);					\
	ADC(t3, t3, lo_, k_);						\
	ADC(t4, t4, hi_, k_);						\
	c = k_;								\
} while (0)

/*
 * r = (t7..t0) / 2^256 mod p for t < 2^256 p: four reduction steps (RED),
 * then one conditional subtraction of p.
 */
static __always_inline void p256_reduce(u64 *r, u64 t0, u64 t1, u64 t2,
					u64 t3, u64 t4, u64 t5, u64 t6,
					u64 t7)
{
	static const u64 p[4] = FE_P;
	u64 c, k, s0, s1, s2, s3, bo;

	/*
	 * The carry of each step goes into the next free limb; k stays 0
	 * until the last step because t + u p < p^2 + 2^448 < 2^512.
	 */
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

/* t = a * b, schoolbook, 8 limbs */
static __always_inline void p256_mul8(u64 *t, const u64 *a, const u64 *b)
{
	u64 t0, t1, t2, t3, t4, t5, t6, t7, c, l0, l1, l2, l3, h0, h1, h2, h3;
	u64 a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], bi;

	/* row 0 */
	bi = b[0];
	MUL(t0, h0, a0, bi);
	MUL(l1, h1, a1, bi);
	MUL(l2, h2, a2, bi);
	MUL(l3, h3, a3, bi);
	c = 0;
	ADC(t1, l1, h0, c);
	ADC(t2, l2, h1, c);
	ADC(t3, l3, h2, c);
	ADC(t4, h3, 0, c);
	/* rows 1..3: low halves then high halves, two carry chains */
#define ROW(bv, x0, x1, x2, x3, x4) do {				\
	bi = (bv);							\
	MUL(l0, h0, a0, bi);						\
	MUL(l1, h1, a1, bi);						\
	MUL(l2, h2, a2, bi);						\
	MUL(l3, h3, a3, bi);						\
	c = 0;								\
	ADC(x0, x0, l0, c);						\
	ADC(x1, x1, l1, c);						\
	ADC(x2, x2, l2, c);						\
	ADC(x3, x3, l3, c);						\
	ADC(x4, 0, 0, c);						\
	c = 0;								\
	ADC(x1, x1, h0, c);						\
	ADC(x2, x2, h1, c);						\
	ADC(x3, x3, h2, c);						\
	ADC(x4, x4, h3, c);						\
} while (0)
	ROW(b[1], t1, t2, t3, t4, t5);
	ROW(b[2], t2, t3, t4, t5, t6);
	ROW(b[3], t3, t4, t5, t6, t7);
#undef ROW
	t[0] = t0;
	t[1] = t1;
	t[2] = t2;
	t[3] = t3;
	t[4] = t4;
	t[5] = t5;
	t[6] = t6;
	t[7] = t7;
}

/* t = a^2: 6 cross products doubled + 4 squares, 8 limbs */
static __always_inline void p256_sqr8(u64 *t, const u64 *a)
{
	u64 t0, t1, t2, t3, t4, t5, t6, t7, c, k, l, h;
	u64 a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];

	MAC(t1, c, a0, a1, 0, 0);
	MAC(t2, c, a0, a2, c, 0);
	MAC(t3, t4, a0, a3, c, 0);
	MAC(t3, c, a1, a2, t3, 0);
	MAC(t4, t5, a1, a3, t4, c);
	MAC(t5, t6, a2, a3, t5, 0);
	t7 = t6 >> 63;
	t6 = t6 << 1 | t5 >> 63;
	t5 = t5 << 1 | t4 >> 63;
	t4 = t4 << 1 | t3 >> 63;
	t3 = t3 << 1 | t2 >> 63;
	t2 = t2 << 1 | t1 >> 63;
	t1 = t1 << 1;
	MAC(t0, h, a0, a0, 0, 0);
	k = 0;
	ADC(t1, t1, h, k);
	MAC(l, h, a1, a1, 0, 0);
	ADC(t2, t2, l, k);
	ADC(t3, t3, h, k);
	MAC(l, h, a2, a2, 0, 0);
	ADC(t4, t4, l, k);
	ADC(t5, t5, h, k);
	MAC(l, h, a3, a3, 0, 0);
	ADC(t6, t6, l, k);
	ADC(t7, t7, h, k);
	t[0] = t0;
	t[1] = t1;
	t[2] = t2;
	t[3] = t3;
	t[4] = t4;
	t[5] = t5;
	t[6] = t6;
	t[7] = t7;
}

/*
 * Montgomery multiplication specialised for p = 2^256 - 2^224 + 2^192 +
 * 2^96 - 1: schoolbook product into 8 limbs, then four reduction steps
 * of one 64x64 product each (RED), then one conditional subtraction of p.
 * Straight-line code, constant time.
 */
static noinline void fe_mul(u64 *r, const u64 *a, const u64 *b)
{
	u64 t[8];

	p256_mul8(t, a, b);
	p256_reduce(r, t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7]);
}

/* r = a^2 (Montgomery) */
#define FE_SQR_CUSTOM
static noinline void fe_sqr(u64 *r, const u64 *a)
{
	u64 t[8];

	p256_sqr8(t, a);
	p256_reduce(r, t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7]);
}

/*
 * Scalars: one Montgomery reduction step mod n (general -1/n mod 2^64,
 * four 64x64 products): t0..t4 += u n with u = t0 SC_N0INV, which clears
 * t0; carry out in c.
 */
#define SCRED(t0, t1, t2, t3, t4, c) do {				\
	static const u64 n_[4] = SC_N;					\
	u64 u_ = (t0) * SC_N0INV, l0_, l1_, l2_, l3_, h0_, h1_, h2_, h3_; \
	u64 k_ = 0, j_ = 0;						\
	MUL(l0_, h0_, u_, n_[0]);					\
	MUL(l1_, h1_, u_, n_[1]);					\
	MUL(l2_, h2_, u_, n_[2]);					\
	MUL(l3_, h3_, u_, n_[3]);					\
	ADC(t0, t0, l0_, k_);						\
	ADC(t1, t1, l1_, k_);						\
	ADC(t2, t2, l2_, k_);						\
	ADC(t3, t3, l3_, k_);						\
	ADC(t4, t4, 0, k_);						\
	ADC(t1, t1, h0_, j_);						\
	ADC(t2, t2, h1_, j_);						\
	ADC(t3, t3, h2_, j_);						\
	ADC(t4, t4, h3_, j_);						\
	c = k_ + j_;							\
} while (0)

/* r = (t7..t0) / 2^256 mod n for t < 2^256 n; same carry reasoning as p256_reduce */
static __always_inline void p256_sc_reduce(u64 *r, const u64 *t)
{
	static const u64 n[4] = SC_N;
	u64 t0 = t[0], t1 = t[1], t2 = t[2], t3 = t[3], t4 = t[4];
	u64 t5 = t[5], t6 = t[6], t7 = t[7];
	u64 c, k, s0, s1, s2, s3, bo, m;

	SCRED(t0, t1, t2, t3, t4, c);
	k = 0;
	ADC(t5, t5, c, k);
	ADC(t6, t6, 0, k);
	ADC(t7, t7, 0, k);
	SCRED(t1, t2, t3, t4, t5, c);
	ADC(t6, t6, c, k);
	ADC(t7, t7, 0, k);
	SCRED(t2, t3, t4, t5, t6, c);
	ADC(t7, t7, c, k);
	SCRED(t3, t4, t5, t6, t7, c);
	k += c;

	/* (k, t7..t4) < 2n: subtract n unless that borrows */
	bo = 0;
	SBB(s0, t4, n[0], bo);
	SBB(s1, t5, n[1], bo);
	SBB(s2, t6, n[2], bo);
	SBB(s3, t7, n[3], bo);
	m = 0 - (bo & (k ^ 1));			/* all-ones: keep t */
	r[0] = s0 ^ (m & (s0 ^ t4));
	r[1] = s1 ^ (m & (s1 ^ t5));
	r[2] = s2 ^ (m & (s2 ^ t6));
	r[3] = s3 ^ (m & (s3 ^ t7));
}

/* Scalar Montgomery product and square mod n */
#define SC_MUL_CUSTOM
static noinline void sc_mul(u64 *r, const u64 *a, const u64 *b)
{
	u64 t[8];

	p256_mul8(t, a, b);
	p256_sc_reduce(r, t);
}

#define SC_SQR_CUSTOM
static noinline void sc_sqr(u64 *r, const u64 *a)
{
	u64 t[8];

	p256_sqr8(t, a);
	p256_sc_reduce(r, t);
}

static void fe_sqr_n(u64 *r, const u64 *a, int n)
{
	fe_sqr(r, a);
	while (--n > 0)
		fe_sqr(r, r);
}

/*
 * r = a^(p - 2): p - 2 = 2^256 - 2^224 + 2^192 + 2^96 - 3 in binary is
 * 32 ones, 31 zeros, a one, 96 zeros, 94 ones, 0, 1: 255 squarings and
 * 12 multiplications (x_k = a^(2^k - 1)).
 */
#define FE_INV_CUSTOM
static void fe_inv(u64 *r, const u64 *a)
{
	u64 x2[4], x3[4], x6[4], x12[4], x15[4], x30[4], x32[4], t[4];

	fe_sqr(t, a);
	fe_mul(x2, t, a);
	fe_sqr(t, x2);
	fe_mul(x3, t, a);
	fe_sqr_n(t, x3, 3);
	fe_mul(x6, t, x3);
	fe_sqr_n(t, x6, 6);
	fe_mul(x12, t, x6);
	fe_sqr_n(t, x12, 3);
	fe_mul(x15, t, x3);
	fe_sqr_n(t, x15, 15);
	fe_mul(x30, t, x15);
	fe_sqr_n(t, x30, 2);
	fe_mul(x32, t, x2);
	fe_sqr_n(t, x32, 32);
	fe_mul(t, t, a);
	fe_sqr_n(t, t, 96);
	fe_sqr_n(t, t, 32);
	fe_mul(t, t, x32);
	fe_sqr_n(t, t, 32);
	fe_mul(t, t, x32);
	fe_sqr_n(t, t, 30);
	fe_mul(t, t, x30);
	fe_sqr_n(t, t, 2);
	fe_mul(r, t, a);
	kc_wipe(x2, sizeof(x2));
	kc_wipe(x3, sizeof(x3));
	kc_wipe(x6, sizeof(x6));
	kc_wipe(x12, sizeof(x12));
	kc_wipe(x15, sizeof(x15));
	kc_wipe(x30, sizeof(x30));
	kc_wipe(x32, sizeof(x32));
	kc_wipe(t, sizeof(t));
}

/*
 * r = a + b mod p and r = a - b mod p (a, b < p): adc/sbb chains
 * (arith.h), one masked correction.
 */
#define FE_ADD_CUSTOM
static noinline void fe_add(u64 *r, const u64 *a, const u64 *b)
{
	static const u64 p[4] = FE_P;
	u64 s0, s1, s2, s3, t0, t1, t2, t3, c = 0, bo = 0, m;

	ADC(s0, a[0], b[0], c);
	ADC(s1, a[1], b[1], c);
	ADC(s2, a[2], b[2], c);
	ADC(s3, a[3], b[3], c);
	SBB(t0, s0, p[0], bo);
	SBB(t1, s1, p[1], bo);
	SBB(t2, s2, p[2], bo);
	SBB(t3, s3, p[3], bo);
	m = 0 - (bo & (c ^ 1));			/* all-ones: keep s */
	r[0] = t0 ^ (m & (t0 ^ s0));
	r[1] = t1 ^ (m & (t1 ^ s1));
	r[2] = t2 ^ (m & (t2 ^ s2));
	r[3] = t3 ^ (m & (t3 ^ s3));
}

static noinline void fe_sub(u64 *r, const u64 *a, const u64 *b)
{
	static const u64 p[4] = FE_P;
	u64 d0, d1, d2, d3, bo = 0, c = 0, m;

	SBB(d0, a[0], b[0], bo);
	SBB(d1, a[1], b[1], bo);
	SBB(d2, a[2], b[2], bo);
	SBB(d3, a[3], b[3], bo);
	m = 0 - bo;				/* borrow: add p back */
	ADC(r[0], d0, p[0] & m, c);
	ADC(r[1], d1, p[1] & m, c);
	ADC(r[2], d2, p[2] & m, c);
	ADC(r[3], d3, p[3] & m, c);
}

#include "ecp_impl.h"

const struct kc_ec_impl kc_p256_impl = KC_EC_IMPL_INIT;
