/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GF(2^255 - 19) in radix 2^51 (five 64-bit limbs, 64x64->128-bit
 * products), shared by X25519 (x25519.c) and Ed25519 (ed25519.c): static
 * functions, so each user gets its own copy that the compiler can
 * optimise across calls (an out-of-line fe5_mul() in another object cost
 * X25519 5-10%).
 * Limbs of "carried" elements are below 2^52; fe5_to_bytes() gives the
 * canonical encoding. Everything is constant time.
 */
#ifndef KC_FE25519_H
#define KC_FE25519_H

#include "shim.h"

#define M51 0x7ffffffffffffULL

struct fe5 {
	u64 v[5];
};

static void fe5_carry(struct fe5 *h)
{
	u64 c;
	int i;

	for (i = 0; i < 4; i++) {
		c = h->v[i] >> 51;
		h->v[i] &= M51;
		h->v[i + 1] += c;
	}
	c = h->v[4] >> 51;
	h->v[4] &= M51;
	h->v[0] += c * 19;
	c = h->v[0] >> 51;
	h->v[0] &= M51;
	h->v[1] += c;
}

static inline void fe5_add(struct fe5 *r, const struct fe5 *a, const struct fe5 *b)
{
	int i;

	for (i = 0; i < 5; i++)
		r->v[i] = a->v[i] + b->v[i];
	fe5_carry(r);
}

/* r = a - b + 4p (limbs stay positive for carried inputs) */
static void fe5_sub(struct fe5 *r, const struct fe5 *a, const struct fe5 *b)
{
	r->v[0] = a->v[0] + 0x1fffffffffffb4ULL - b->v[0];
	r->v[1] = a->v[1] + 0x1ffffffffffffcULL - b->v[1];
	r->v[2] = a->v[2] + 0x1ffffffffffffcULL - b->v[2];
	r->v[3] = a->v[3] + 0x1ffffffffffffcULL - b->v[3];
	r->v[4] = a->v[4] + 0x1ffffffffffffcULL - b->v[4];
	fe5_carry(r);
}

/*
 * Lazy r = a + b and r = a - b + 2p without a carry, for the X25519
 * ladder: a and b must be outputs of fe5_mul/fe5_sqr/fe5_mul_small
 * (limbs below 2^51 + 2^14 < 2^52 - 38), so the limbs of r stay below
 * 2^53 (fe5_mul and fe5_sqr take limbs below 2^54).
 */
static inline void fe5_add_lazy(struct fe5 *r, const struct fe5 *a,
				const struct fe5 *b)
{
	int i;

	for (i = 0; i < 5; i++)
		r->v[i] = a->v[i] + b->v[i];
}

static inline void fe5_sub_lazy(struct fe5 *r, const struct fe5 *a,
				const struct fe5 *b)
{
	r->v[0] = a->v[0] + 0xfffffffffffdaULL - b->v[0];
	r->v[1] = a->v[1] + 0xffffffffffffeULL - b->v[1];
	r->v[2] = a->v[2] + 0xffffffffffffeULL - b->v[2];
	r->v[3] = a->v[3] + 0xffffffffffffeULL - b->v[3];
	r->v[4] = a->v[4] + 0xffffffffffffeULL - b->v[4];
}

/* r = -a */
static inline void fe5_neg(struct fe5 *r, const struct fe5 *a)
{
	static const struct fe5 zero;

	fe5_sub(r, &zero, a);
}

static inline void fe5_cswap(struct fe5 *a, struct fe5 *b, u64 bit)
{
	u64 m = 0 - bit, t;
	int i;

	for (i = 0; i < 5; i++) {
		t = m & (a->v[i] ^ b->v[i]);
		a->v[i] ^= t;
		b->v[i] ^= t;
	}
}

/*
 * r = the 128-bit column sums t0..t4 of a product, carried into 51-bit
 * limbs (the top carry folded back times 19); shared by fe5_mul and
 * fe5_sqr.
 */
static __always_inline void fe5_carry_wide(struct fe5 *r, __uint128_t t0,
					   __uint128_t t1, __uint128_t t2,
					   __uint128_t t3, __uint128_t t4)
{
	u64 c;

	t1 += (u64)(t0 >> 51);
	r->v[0] = (u64)t0 & M51;
	t2 += (u64)(t1 >> 51);
	r->v[1] = (u64)t1 & M51;
	t3 += (u64)(t2 >> 51);
	r->v[2] = (u64)t2 & M51;
	t4 += (u64)(t3 >> 51);
	r->v[3] = (u64)t3 & M51;
	c = (u64)(t4 >> 51);
	r->v[4] = (u64)t4 & M51;
	r->v[0] += c * 19;
	c = r->v[0] >> 51;
	r->v[0] &= M51;
	r->v[1] += c;
}

/* r = b if @bit, else r unchanged (@bit is 0 or 1) */
static inline void fe5_cmov(struct fe5 *r, const struct fe5 *b, u64 bit)
{
	u64 m = 0 - bit;
	int i;

	for (i = 0; i < 5; i++)
		r->v[i] ^= m & (r->v[i] ^ b->v[i]);
}

static noinline void fe5_mul(struct fe5 *r, const struct fe5 *a,
			     const struct fe5 *b)
{
	u64 a0 = a->v[0], a1 = a->v[1], a2 = a->v[2], a3 = a->v[3];
	u64 a4 = a->v[4], b0 = b->v[0], b1 = b->v[1], b2 = b->v[2];
	u64 b3 = b->v[3], b4 = b->v[4];
	u64 b1_19 = b1 * 19, b2_19 = b2 * 19, b3_19 = b3 * 19;
	u64 b4_19 = b4 * 19;
	__uint128_t t0, t1, t2, t3, t4;

	t0 = (__uint128_t)a0 * b0 + (__uint128_t)a1 * b4_19 +
	     (__uint128_t)a2 * b3_19 + (__uint128_t)a3 * b2_19 +
	     (__uint128_t)a4 * b1_19;
	t1 = (__uint128_t)a0 * b1 + (__uint128_t)a1 * b0 +
	     (__uint128_t)a2 * b4_19 + (__uint128_t)a3 * b3_19 +
	     (__uint128_t)a4 * b2_19;
	t2 = (__uint128_t)a0 * b2 + (__uint128_t)a1 * b1 +
	     (__uint128_t)a2 * b0 + (__uint128_t)a3 * b4_19 +
	     (__uint128_t)a4 * b3_19;
	t3 = (__uint128_t)a0 * b3 + (__uint128_t)a1 * b2 +
	     (__uint128_t)a2 * b1 + (__uint128_t)a3 * b0 +
	     (__uint128_t)a4 * b4_19;
	t4 = (__uint128_t)a0 * b4 + (__uint128_t)a1 * b3 +
	     (__uint128_t)a2 * b2 + (__uint128_t)a3 * b1 +
	     (__uint128_t)a4 * b0;

	fe5_carry_wide(r, t0, t1, t2, t3, t4);
}

/*
 * r = a^2: the symmetric products once, doubled (15 products instead of
 * 25). Inputs with limbs below 2^54 (so sums and differences of carried
 * elements need no carry first): every t_i stays below 2^117.
 */
static noinline void fe5_sqr(struct fe5 *r, const struct fe5 *a)
{
	u64 a0 = a->v[0], a1 = a->v[1], a2 = a->v[2], a3 = a->v[3];
	u64 a4 = a->v[4], d0 = 2 * a0, d1 = 2 * a1, d2 = 2 * a2, d3 = 2 * a3;
	u64 a3_19 = a3 * 19, a4_19 = a4 * 19;
	__uint128_t t0, t1, t2, t3, t4;

	t0 = (__uint128_t)a0 * a0 + (__uint128_t)d1 * a4_19 +
	     (__uint128_t)d2 * a3_19;
	t1 = (__uint128_t)d0 * a1 + (__uint128_t)d2 * a4_19 +
	     (__uint128_t)a3 * a3_19;
	t2 = (__uint128_t)d0 * a2 + (__uint128_t)a1 * a1 +
	     (__uint128_t)d3 * a4_19;
	t3 = (__uint128_t)d0 * a3 + (__uint128_t)d1 * a2 +
	     (__uint128_t)a4 * a4_19;
	t4 = (__uint128_t)d0 * a4 + (__uint128_t)d1 * a3 +
	     (__uint128_t)a2 * a2;

	fe5_carry_wide(r, t0, t1, t2, t3, t4);
}

static inline void fe5_mul_small(struct fe5 *r, const struct fe5 *a, u64 k)
{
	__uint128_t t;
	u64 c = 0;
	int i;

	for (i = 0; i < 5; i++) {
		t = (__uint128_t)a->v[i] * k + c;
		r->v[i] = (u64)t & M51;
		c = (u64)(t >> 51);
	}
	r->v[0] += c * 19;
	fe5_carry(r);
}

static void fe5_sqr_n(struct fe5 *r, const struct fe5 *a, int n)
{
	fe5_sqr(r, a);
	while (--n > 0)
		fe5_sqr(r, r);
}

/* r = z^(p - 2), the usual 254-squaring addition chain */
static void fe5_inv(struct fe5 *r, const struct fe5 *z)
{
	struct fe5 z2, z9, z11, z2_5, z2_10, z2_20, z2_50, z2_100, t;

	fe5_sqr(&z2, z);			/* 2 */
	fe5_sqr_n(&t, &z2, 2);			/* 8 */
	fe5_mul(&z9, &t, z);			/* 9 */
	fe5_mul(&z11, &z9, &z2);		/* 11 */
	fe5_sqr(&t, &z11);			/* 22 */
	fe5_mul(&z2_5, &t, &z9);		/* 2^5 - 1 */
	fe5_sqr_n(&t, &z2_5, 5);
	fe5_mul(&z2_10, &t, &z2_5);		/* 2^10 - 1 */
	fe5_sqr_n(&t, &z2_10, 10);
	fe5_mul(&z2_20, &t, &z2_10);		/* 2^20 - 1 */
	fe5_sqr_n(&t, &z2_20, 20);
	fe5_mul(&t, &t, &z2_20);		/* 2^40 - 1 */
	fe5_sqr_n(&t, &t, 10);
	fe5_mul(&z2_50, &t, &z2_10);		/* 2^50 - 1 */
	fe5_sqr_n(&t, &z2_50, 50);
	fe5_mul(&z2_100, &t, &z2_50);		/* 2^100 - 1 */
	fe5_sqr_n(&t, &z2_100, 100);
	fe5_mul(&t, &t, &z2_100);		/* 2^200 - 1 */
	fe5_sqr_n(&t, &t, 50);
	fe5_mul(&t, &t, &z2_50);		/* 2^250 - 1 */
	fe5_sqr_n(&t, &t, 5);			/* 2^255 - 32 */
	fe5_mul(r, &t, &z11);			/* 2^255 - 21 = p - 2 */
	kc_wipe(&z2, sizeof(z2));
	kc_wipe(&z9, sizeof(z9));
	kc_wipe(&z11, sizeof(z11));
	kc_wipe(&z2_5, sizeof(z2_5));
	kc_wipe(&z2_10, sizeof(z2_10));
	kc_wipe(&z2_20, sizeof(z2_20));
	kc_wipe(&z2_50, sizeof(z2_50));
	kc_wipe(&z2_100, sizeof(z2_100));
	kc_wipe(&t, sizeof(t));
}

/* r = z^((p - 5) / 8) = z^(2^252 - 3), for square roots (RFC 8032 5.1.3) */
static inline void fe5_pow22523(struct fe5 *r, const struct fe5 *z)
{
	struct fe5 z2, z9, z11, z2_5, z2_10, z2_20, z2_50, z2_100, t;

	fe5_sqr(&z2, z);			/* 2 */
	fe5_sqr_n(&t, &z2, 2);			/* 8 */
	fe5_mul(&z9, &t, z);			/* 9 */
	fe5_mul(&z11, &z9, &z2);		/* 11 */
	fe5_sqr(&t, &z11);			/* 22 */
	fe5_mul(&z2_5, &t, &z9);		/* 2^5 - 1 */
	fe5_sqr_n(&t, &z2_5, 5);
	fe5_mul(&z2_10, &t, &z2_5);		/* 2^10 - 1 */
	fe5_sqr_n(&t, &z2_10, 10);
	fe5_mul(&z2_20, &t, &z2_10);		/* 2^20 - 1 */
	fe5_sqr_n(&t, &z2_20, 20);
	fe5_mul(&t, &t, &z2_20);		/* 2^40 - 1 */
	fe5_sqr_n(&t, &t, 10);
	fe5_mul(&z2_50, &t, &z2_10);		/* 2^50 - 1 */
	fe5_sqr_n(&t, &z2_50, 50);
	fe5_mul(&z2_100, &t, &z2_50);		/* 2^100 - 1 */
	fe5_sqr_n(&t, &z2_100, 100);
	fe5_mul(&t, &t, &z2_100);		/* 2^200 - 1 */
	fe5_sqr_n(&t, &t, 50);
	fe5_mul(&t, &t, &z2_50);		/* 2^250 - 1 */
	fe5_sqr_n(&t, &t, 2);			/* 2^252 - 4 */
	fe5_mul(r, &t, z);			/* 2^252 - 3 */
	kc_wipe(&z2, sizeof(z2));
	kc_wipe(&z9, sizeof(z9));
	kc_wipe(&z11, sizeof(z11));
	kc_wipe(&z2_5, sizeof(z2_5));
	kc_wipe(&z2_10, sizeof(z2_10));
	kc_wipe(&z2_20, sizeof(z2_20));
	kc_wipe(&z2_50, sizeof(z2_50));
	kc_wipe(&z2_100, sizeof(z2_100));
	kc_wipe(&t, sizeof(t));
}

/* RFC 7748 decodeUCoordinate: little-endian, top bit masked */
static void fe5_from_bytes(struct fe5 *r, const u8 *s)
{
	u64 w[4];
	int i, j;

	for (i = 0; i < 4; i++) {
		w[i] = 0;
		for (j = 7; j >= 0; j--)
			w[i] = w[i] << 8 | s[8 * i + j];
	}
	r->v[0] = w[0] & M51;
	r->v[1] = (w[0] >> 51 | w[1] << 13) & M51;
	r->v[2] = (w[1] >> 38 | w[2] << 26) & M51;
	r->v[3] = (w[2] >> 25 | w[3] << 39) & M51;
	r->v[4] = (w[3] >> 12) & M51;
}

/* canonical encoding (value reduced below p) */
static void fe5_to_bytes(u8 *s, const struct fe5 *a)
{
	struct fe5 h = *a;
	u64 q, w[4];
	int i, j;

	fe5_carry(&h);
	fe5_carry(&h);
	/* q = 1 iff h >= p */
	q = (h.v[0] + 19) >> 51;
	q = (h.v[1] + q) >> 51;
	q = (h.v[2] + q) >> 51;
	q = (h.v[3] + q) >> 51;
	q = (h.v[4] + q) >> 51;
	h.v[0] += 19 * q;
	for (i = 0; i < 4; i++) {
		h.v[i + 1] += h.v[i] >> 51;
		h.v[i] &= M51;
	}
	h.v[4] &= M51;
	w[0] = h.v[0] | h.v[1] << 51;
	w[1] = h.v[1] >> 13 | h.v[2] << 38;
	w[2] = h.v[2] >> 26 | h.v[3] << 25;
	w[3] = h.v[3] >> 39 | h.v[4] << 12;
	for (i = 0; i < 4; i++)
		for (j = 0; j < 8; j++)
			s[8 * i + j] = (u8)(w[i] >> (8 * j));
	kc_wipe(&h, sizeof(h));
	kc_wipe(w, sizeof(w));
}

#endif /* KC_FE25519_H */
