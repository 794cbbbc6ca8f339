// SPDX-License-Identifier: GPL-2.0
/*
 * Constant-time big integers for RSA: Montgomery arithmetic on 64-bit
 * limbs (see bn.h for the contract).
 *
 * The limb count of every number is public; the values are not. Loops
 * run over limb counts only, selections use masks, and the exponent
 * windows of kc_mont_exp() pick their table entry by scanning the whole
 * table. The Montgomery product is CIOS; the common RSA sizes (8, 16, 24,
 * 32, 48, 64 limbs) get copies of the loops with a constant limb count so
 * the compiler unrolls them, and squarings use a separate product that
 * computes each cross term once.
 */
#include "bn.h"
#include "arith.h"
#include "engine.h"

int kc_bn_from_be(u64 *r, u32 n, const u8 *in, size_t len)
{
	u64 extra = 0;
	size_t i, skip = 0;
	u32 k;

	if (len > (size_t)n * 8) {
		skip = len - (size_t)n * 8;
		for (i = 0; i < skip; i++)
			extra |= in[i];
		/* a value too long for its modulus is a public failure */
		kc_declassify(&extra, sizeof(extra));
		if (extra)
			return KC_EINPUT;
		in += skip;
		len -= skip;
	}
	for (k = 0; k < n; k++)
		r[k] = 0;
	for (i = 0; i < len; i++)
		r[i / 8] |= (u64)in[len - 1 - i] << (8 * (i % 8));
	return 0;
}

void kc_bn_to_be(u8 *out, size_t len, const u64 *a, u32 n)
{
	size_t i;

	for (i = 0; i < len; i++)
		out[len - 1 - i] = i / 8 < n ? (u8)(a[i / 8] >> (8 * (i % 8))) : 0;
}

u64 kc_bn_add(u64 *r, const u64 *a, const u64 *b, u32 n)
{
	u64 c = 0;
	u32 i;

	for (i = 0; i < n; i++)
		ADC(r[i], a[i], b[i], c);
	return c;
}

u64 kc_bn_sub(u64 *r, const u64 *a, const u64 *b, u32 n)
{
	u64 c = 0;
	u32 i;

	for (i = 0; i < n; i++)
		SBB(r[i], a[i], b[i], c);
	return c;
}

u64 kc_bn_lt_mask(const u64 *a, const u64 *b, u32 n)
{
	u64 c = 0, t;
	u32 i;

	for (i = 0; i < n; i++)
		SBB(t, a[i], b[i], c);
	(void)t;
	return 0 - c;
}

u64 kc_bn_zero_mask(const u64 *a, u32 n)
{
	u64 acc = 0;
	u32 i;

	for (i = 0; i < n; i++)
		acc |= a[i];
	return kc_mask_zero(acc);
}

void kc_bn_select(u64 *r, const u64 *a, const u64 *b, u64 mask, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		r[i] = (a[i] & mask) | (b[i] & ~mask);
}

void kc_bn_mul(u64 *r, const u64 *a, u32 an, const u64 *b, u32 bn)
{
	u64 c;
	u32 i, j;

	for (i = 0; i < an + bn; i++)
		r[i] = 0;
	for (i = 0; i < an; i++) {
		c = 0;
		for (j = 0; j < bn; j++)
			MAC(r[i + j], c, a[i], b[j], r[i + j], c);
		r[i + bn] = c;
	}
}

u32 kc_bn_bits_vartime(const u64 *a, u32 n)
{
	u32 i = n, b;
	u64 w;

	while (i && !a[i - 1])
		i--;
	if (!i)
		return 0;
	w = a[i - 1];
	b = 0;
	while (w) {
		b++;
		w >>= 1;
	}
	return (i - 1) * 64 + b;
}

/*
 * Montgomery product (CIOS): r = a b / R mod m, a, b < m. r is written only
 * at the end, so it may alias a or b.
 */
static __always_inline void mul_core(u64 *r, const u64 *a, const u64 *b,
				     const u64 *m, u64 m0inv, u32 n)
{
	u64 t[KC_BN_MAX_LIMBS + 2], c, c2, u, lo, bi, keep;
	u32 i, j;

	for (j = 0; j < n + 2; j++)
		t[j] = 0;
	for (i = 0; i < n; i++) {
		bi = b[i];
		c = 0;
		for (j = 0; j < n; j++)
			MAC(t[j], c, a[j], bi, t[j], c);
		c2 = 0;
		ADC(t[n], t[n], c, c2);
		t[n + 1] = c2;
		u = t[0] * m0inv;
		MAC(lo, c, u, m[0], t[0], 0);
		(void)lo;
		for (j = 1; j < n; j++)
			MAC(t[j - 1], c, u, m[j], t[j], c);
		c2 = 0;
		ADC(t[n - 1], t[n], c, c2);
		t[n] = t[n + 1] + c2;
	}
	/* t < 2m: subtract m unless t < m */
	c = 0;
	for (j = 0; j < n; j++)
		SBB(r[j], t[j], m[j], c);
	keep = 0 - (c & (t[n] ^ 1));
	for (j = 0; j < n; j++)
		r[j] = (t[j] & keep) | (r[j] & ~keep);
}

/*
 * Montgomery reduction of a (@an <= 2n limbs, a < m R): r = a / R mod m.
 * The low half is reduced first ((L + U m) / R <= m), then the high half
 * (< m) is added, then one conditional subtraction.
 */
static __always_inline void redc_core(u64 *r, const u64 *a, u32 an,
				      const u64 *m, u64 m0inv, u32 n)
{
	u64 t[KC_BN_MAX_LIMBS + 1], c, c2, u, lo, keep;
	u32 i, j;

	for (j = 0; j < n; j++)
		t[j] = j < an ? a[j] : 0;
	t[n] = 0;
	for (i = 0; i < n; i++) {
		u = t[0] * m0inv;
		MAC(lo, c, u, m[0], t[0], 0);
		(void)lo;
		for (j = 1; j < n; j++)
			MAC(t[j - 1], c, u, m[j], t[j], c);
		c2 = 0;
		ADC(t[n - 1], t[n], c, c2);
		t[n] = c2;
	}
	c = 0;
	for (j = 0; j < n; j++)
		ADC(t[j], t[j], n + j < an ? a[n + j] : 0, c);
	t[n] += c;
	c = 0;
	for (j = 0; j < n; j++)
		SBB(r[j], t[j], m[j], c);
	keep = 0 - (c & (t[n] ^ 1));
	for (j = 0; j < n; j++)
		r[j] = (t[j] & keep) | (r[j] & ~keep);
}

static noinline void mul_any(u64 *r, const u64 *a, const u64 *b,
			     const u64 *m, u64 m0inv, u32 n)
{
	mul_core(r, a, b, m, m0inv, n);
}

/* (c2, c1, c0) += x y */
#define ACC(c0, c1, c2, x, y) do {					\
	u64 lo_, hi_, cy_ = 0;						\
	MUL(lo_, hi_, x, y);						\
	ADC(c0, c0, lo_, cy_);						\
	ADC(c1, c1, hi_, cy_);						\
	ADC(c2, c2, 0, cy_);						\
} while (0)

#define KC_PRAGMA(x)	_Pragma(#x)
#define KC_UNROLL(n)	KC_PRAGMA(GCC unroll n)

/*
 * Montgomery product and square by product scanning (FIPS: the columns
 * of a b and of q m, q the Montgomery quotient digits, interleaved) with
 * a three-word column accumulator that stays in registers; the square
 * computes each cross product once and doubles the column sum. Two
 * instances: fully unrolled (8 and 16 limbs) and rolled (24 and 32 limbs,
 * whose unrolled code would be large and spill).
 */
#define KC_FIPS(SUF, UNR)						\
static __always_inline void mul_fips_##SUF(u64 *r, const u64 *a,	\
					   const u64 *b, const u64 *m,	\
					   u64 m0inv, u32 n)		\
{									\
	u64 q[KC_BN_MAX_HALF + 1], c0 = 0, c1 = 0, c2 = 0;		\
	u32 i, k;							\
									\
	KC_UNROLL(UNR)							\
	for (k = 0; k < n; k++) {					\
		KC_UNROLL(UNR)						\
		for (i = 0; i < k; i++) {				\
			ACC(c0, c1, c2, a[i], b[k - i]);		\
			ACC(c0, c1, c2, q[i], m[k - i]);		\
		}							\
		ACC(c0, c1, c2, a[k], b[0]);				\
		q[k] = c0 * m0inv;					\
		ACC(c0, c1, c2, q[k], m[0]);				\
		c0 = c1;						\
		c1 = c2;						\
		c2 = 0;							\
	}								\
	KC_UNROLL(UNR)							\
	for (k = n; k < 2 * n - 1; k++) {				\
		KC_UNROLL(UNR)						\
		for (i = k - n + 1; i < n; i++) {			\
			ACC(c0, c1, c2, a[i], b[k - i]);		\
			ACC(c0, c1, c2, q[i], m[k - i]);		\
		}							\
		q[k - n] = c0;	/* q[k - n] is no longer needed */	\
		c0 = c1;						\
		c1 = c2;						\
		c2 = 0;							\
	}								\
	q[n - 1] = c0;							\
	q[n] = c1;							\
	kc_final_sub(r, q, m, n);					\
}									\
									\
static __always_inline void sqr_fips_##SUF(u64 *r, const u64 *a,	\
					   const u64 *m, u64 m0inv,	\
					   u32 n)			\
{									\
	u64 q[KC_BN_MAX_HALF + 1], c0 = 0, c1 = 0, c2 = 0;		\
	u64 d0, d1, d2, cy;						\
	u32 i, k, lo;							\
									\
	KC_UNROLL(UNR)							\
	for (k = 0; k < 2 * n - 1; k++) {				\
		lo = k < n ? 0 : k - n + 1;				\
		d0 = 0;							\
		d1 = 0;							\
		d2 = 0;							\
		KC_UNROLL(UNR)						\
		for (i = lo; 2 * i < k; i++)				\
			ACC(d0, d1, d2, a[i], a[k - i]);		\
		d2 = d2 << 1 | d1 >> 63;				\
		d1 = d1 << 1 | d0 >> 63;				\
		d0 <<= 1;						\
		cy = 0;							\
		ADC(c0, c0, d0, cy);					\
		ADC(c1, c1, d1, cy);					\
		c2 += d2 + cy;						\
		if (!(k & 1))						\
			ACC(c0, c1, c2, a[k / 2], a[k / 2]);		\
		KC_UNROLL(UNR)						\
		for (i = lo; i < k && i < n; i++)			\
			ACC(c0, c1, c2, q[i], m[k - i]);		\
		if (k < n) {						\
			q[k] = c0 * m0inv;				\
			ACC(c0, c1, c2, q[k], m[0]);			\
		} else {						\
			q[k - n] = c0;					\
		}							\
		c0 = c1;						\
		c1 = c2;						\
		c2 = 0;							\
	}								\
	q[n - 1] = c0;							\
	q[n] = c1;							\
	kc_final_sub(r, q, m, n);					\
}

KC_FIPS(full, 64)
KC_FIPS(loop, 4)

#define KC_MUL_FIXED(N, SUF)						\
static noinline void mul_##N(u64 *r, const u64 *a, const u64 *b,	\
			     const u64 *m, u64 m0inv)			\
{									\
	mul_fips_##SUF(r, a, b, m, m0inv, N);				\
}									\
static noinline void sqr_##N(u64 *r, const u64 *a, const u64 *m,	\
			     u64 m0inv)					\
{									\
	sqr_fips_##SUF(r, a, m, m0inv, N);				\
}
KC_MUL_FIXED(8, full)
KC_MUL_FIXED(16, full)
KC_MUL_FIXED(24, full)
KC_MUL_FIXED(32, loop)

void kc_mont_mul(const struct kc_mont *mc, u64 *r, const u64 *a,
		 const u64 *b)
{
#ifdef KC_BN_ADX
	if (mc->adx) {
		kc_mont_mul_adx(r, a, b, mc->m, mc->m0inv, mc->n);
		return;
	}
#endif
	switch (mc->n) {
	case 8:
		mul_8(r, a, b, mc->m, mc->m0inv);
		break;
	case 16:
		mul_16(r, a, b, mc->m, mc->m0inv);
		break;
	case 24:
		mul_24(r, a, b, mc->m, mc->m0inv);
		break;
	case 32:
		mul_32(r, a, b, mc->m, mc->m0inv);
		break;
	default:
		mul_any(r, a, b, mc->m, mc->m0inv, mc->n);
	}
}

void kc_mont_sqr(const struct kc_mont *mc, u64 *r, const u64 *a)
{
#ifdef KC_BN_ADX
	if (mc->adx) {
		kc_mont_sqr_adx(r, a, mc->m, mc->m0inv, mc->n);
		return;
	}
#endif
	switch (mc->n) {
	case 8:
		sqr_8(r, a, mc->m, mc->m0inv);
		break;
	case 16:
		sqr_16(r, a, mc->m, mc->m0inv);
		break;
	case 24:
		sqr_24(r, a, mc->m, mc->m0inv);
		break;
	case 32:
		sqr_32(r, a, mc->m, mc->m0inv);
		break;
	default:
		mul_any(r, a, a, mc->m, mc->m0inv, mc->n);
	}
}

static noinline void redc(const struct kc_mont *mc, u64 *r, const u64 *a,
			  u32 an)
{
	redc_core(r, a, an, mc->m, mc->m0inv, mc->n);
}

void kc_mont_to(const struct kc_mont *mc, u64 *r, const u64 *a)
{
	kc_mont_mul(mc, r, a, mc->rr);
}

void kc_mont_from(const struct kc_mont *mc, u64 *r, const u64 *a)
{
	redc(mc, r, a, mc->n);
}

void kc_mont_reduce_wide(const struct kc_mont *mc, u64 *r, const u64 *a,
			 u32 an)
{
	redc(mc, r, a, an);		/* a / R */
	kc_mont_mul(mc, r, r, mc->rr);	/* a */
}

/* r = 2 r mod m for r < m */
static void mod_dbl(u64 *r, const u64 *m, u32 n)
{
	u64 t[KC_BN_MAX_LIMBS], top = 0, c = 0, keep, w;
	u32 i;

	for (i = 0; i < n; i++) {
		w = r[i];
		r[i] = w << 1 | top;
		top = w >> 63;
	}
	for (i = 0; i < n; i++)
		SBB(t[i], r[i], m[i], c);
	/* keep 2r if it fits and is below m */
	keep = 0 - (c & (top ^ 1));
	kc_bn_select(r, r, t, keep, n);
	kc_wipe(t, n * 8);
}

int kc_mont_init(struct kc_mont *mc, const u64 *m, u32 n)
{
	u64 x, odd, top, c = 0;
	u32 i, k, s;

	if (n < 1 || n > KC_BN_MAX_LIMBS)
		return KC_EINPUT;
	odd = m[0] & 1;
	kc_declassify(&odd, sizeof(odd));
	if (!odd)
		return KC_EINPUT;
	mc->n = n;
	mc->adx = 0;
#ifdef KC_BN_ADX
	mc->adx = !(n % 4) && kc_cpu_mulx_adx();
#endif
	for (i = 0; i < n; i++)
		mc->m[i] = m[i];
	/* Newton: x = m0^-1 mod 2^64 (each step doubles the good bits) */
	x = m[0];
	for (i = 0; i < 5; i++)
		x *= 2 - m[0] * x;
	mc->m0inv = 0 - x;

	/*
	 * R^2 mod m: with 64 n = s 2^k (k <= 5), double a start value up to
	 * 2^(64 n + s) mod m = Montgomery form of 2^s, then square it k
	 * times. The start is 2^(64 (n - 1)) when the top limb of m is set
	 * (then it is below m), else 1 (the limb count, not the value,
	 * decides the path; only the top limb's being zero is public).
	 */
	top = m[n - 1];
	kc_declassify(&top, sizeof(top));
	for (i = 0; i < n; i++)
		mc->rr[i] = 0;
	if (top && n > 1) {
		mc->rr[n - 1] = 1;
		k = 64;
	} else {
		mc->rr[0] = 1;
		/* m = 1: start from 0 */
		for (i = 0; i < n; i++)
			SBB(x, mc->rr[i], m[i], c);
		mc->rr[0] &= ~(0 - (c ^ 1));
		k = 64 * n;
	}
	/* 5 squarings: a doubling costs far less than a squaring */
	s = 64 * n;
	i = 0;
	while (!(s & 1) && i < 5) {
		s >>= 1;
		i++;
	}
	for (k += s; k; k--)
		mod_dbl(mc->rr, m, n);
	while (i--)
		kc_mont_sqr(mc, mc->rr, mc->rr);
	return 0;
}

/* @w bits of the exponent starting at bit @pos (public positions) */
static inline u64 exp_bits(const u64 *e, u32 limbs, u32 pos, u32 w)
{
	u32 l = pos / 64, o = pos % 64;
	u64 v = e[l] >> o;

	if (o + w > 64 && l + 1 < limbs)
		v |= e[l + 1] << (64 - o);
	return v & ((1u << w) - 1);
}

/* r = table[idx] reading every entry (idx secret) */
static __always_inline void table_get_n(u64 *r, const u64 *table, u64 idx,
					u32 n)
{
	u32 k, j;
	u64 mask;

	for (j = 0; j < n; j++)
		r[j] = 0;
	for (k = 0; k < (1u << KC_BN_EXP_WINDOW); k++) {
		mask = kc_mask_zero(idx ^ k);
		for (j = 0; j < n; j++)
			r[j] |= table[k * n + j] & mask;
	}
}

/*
 * The same, 8 limbs at a time in local accumulators (registers: r may
 * alias the table as far as the compiler knows, which keeps r[] in
 * memory in the loop above); n a multiple of 8.
 */
static __always_inline void table_get_8x(u64 *r, const u64 *table, u64 idx,
					 u32 n)
{
	u64 acc[8], mask;
	u32 k, j, j0;

	for (j0 = 0; j0 < n; j0 += 8) {
		KC_UNROLL(8)
		for (j = 0; j < 8; j++)
			acc[j] = 0;
		for (k = 0; k < (1u << KC_BN_EXP_WINDOW); k++) {
			mask = kc_mask_zero(idx ^ k);
			KC_UNROLL(8)
			for (j = 0; j < 8; j++)
				acc[j] |= table[k * n + j0 + j] & mask;
		}
		KC_UNROLL(8)
		for (j = 0; j < 8; j++)
			r[j0 + j] = acc[j];
	}
}

static noinline void table_get(u64 *r, const u64 *table, u64 idx, u32 n)
{
	switch (n) {
	case 16:
		table_get_8x(r, table, idx, 16);
		break;
	case 32:
		table_get_8x(r, table, idx, 32);
		break;
	default:
		if (n % 8 == 0)
			table_get_8x(r, table, idx, n);
		else
			table_get_n(r, table, idx, n);
	}
}

void kc_mont_exp(const struct kc_mont *mc, u64 *r, const u64 *base,
		 const u64 *exp, u32 exp_limbs, u64 *table)
{
	u64 t[KC_BN_MAX_LIMBS];
	u32 n = mc->n, bits = 64 * exp_limbs, w, i, k;
	const u32 entries = 1u << KC_BN_EXP_WINDOW;

	/* table[k] = base^k R mod m */
	redc(mc, table, mc->rr, n);			/* R mod m */
	kc_mont_to(mc, table + n, base);
	for (k = 2; k < entries; k++) {
		if (k & 1)
			kc_mont_mul(mc, table + k * n, table + (k - 1) * n,
				    table + n);
		else
			kc_mont_sqr(mc, table + k * n, table + k / 2 * n);
	}
	/* first (top) window holds bits % W bits, or W */
	w = bits % KC_BN_EXP_WINDOW;
	if (!w)
		w = KC_BN_EXP_WINDOW;
	bits -= w;
	table_get(r, table, exp_bits(exp, exp_limbs, bits, w), n);
	while (bits) {
		bits -= KC_BN_EXP_WINDOW;
		for (i = 0; i < KC_BN_EXP_WINDOW; i++)
			kc_mont_sqr(mc, r, r);
		table_get(t, table, exp_bits(exp, exp_limbs, bits,
					     KC_BN_EXP_WINDOW), n);
		kc_mont_mul(mc, r, r, t);
		kc_resched();
	}
	kc_mont_from(mc, r, r);
	kc_wipe(t, sizeof(t));
	kc_wipe(table, (size_t)KC_BN_EXP_TABLE_LIMBS(n) * 8);
}

void kc_mont_exp_vartime(const struct kc_mont *mc, u64 *r, const u64 *base,
			 const u64 *exp, u32 exp_limbs)
{
	u64 b[KC_BN_MAX_LIMBS];
	u32 bits = kc_bn_bits_vartime(exp, exp_limbs), n = mc->n;

	kc_mont_to(mc, b, base);
	if (!bits) {
		redc(mc, r, mc->rr, n);		/* R mod m */
	} else {
		u32 i;

		for (i = 0; i < n; i++)
			r[i] = b[i];
		for (bits--; bits; bits--) {
			kc_mont_sqr(mc, r, r);
			if (exp[(bits - 1) / 64] >> ((bits - 1) % 64) & 1)
				kc_mont_mul(mc, r, r, b);
		}
	}
	kc_mont_from(mc, r, r);
	kc_wipe(b, sizeof(b));
}
