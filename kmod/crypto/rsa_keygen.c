// SPDX-License-Identifier: GPL-2.0
/*
 * RSA key generation: FIPS 186-5 A.1.3 (random probable primes), in
 * constant time on the big integers of bn.c.
 *
 * Candidates: bits/2 random bits from kc_random with the two top bits
 * and the low bit set (so p, q >= 1.5 * 2^(bits/2 - 1) > sqrt(2) *
 * 2^(bits/2 - 1) and p q has exactly @bits bits).
 *
 * Trial division by the 308 odd primes below 2048 (found by a sieve at
 * the start of each call): the primes are packed into groups whose
 * product is below 2^32; the candidate is reduced modulo each product by
 * Horner's rule on 32-bit chunks with a Barrett step (public constant
 * floor(2^64 / m), one masked final subtraction), then the 32-bit
 * remainder modulo each prime of the group the same way. No '%' or '/' on
 * secrets; only the verdict "some prime divides it" is declassified (a
 * rejected candidate is thrown away). The same verdict rejects a
 * candidate = 1 (mod 2^64), probability 2^-63: this bounds the number a of
 * factors 2 of w - 1 by 63, so Miller-Rabin needs 62 squarings after
 * b^m instead of bits/2 (the prime distribution moves by < 2^-62).
 *
 * A strong test to the base 2 first, as a filter (most candidates that
 * survive trial division are composite and fail it): z = 2^m by squarings
 * and masked doublings mod w, no multiplication and no table, so about a
 * quarter cheaper than a random-base round; a prime always passes it, so
 * it does not change which primes come out.
 *
 * Then Miller-Rabin (FIPS 186-5 B.3.1) with the round counts of FIPS 186-5
 * table B.1, column for error probability 2^-112 (1024-bit primes:
 * 5 rounds), 2^-128 (1536 bits: 4) and 2^-144 (2048 bits: 4), i.e. the
 * security strengths of RSA-2048/3072/4096, and 7 rounds for the 512-bit
 * primes of RSA-1024 (FIPS 186-4 table C.3, 2^-100). a and
 * m = (w - 1) / 2^a are secret: a is counted with masks, m is shifted
 * with a masked log shifter, z = b^m comes from kc_mont_exp over all bits/2 exponent bits,
 * and the 62 squarings compare z with 1 and -1 by masks (a comparison
 * counts only while j < a). Bases: bits/2 + 64 random bits reduced mod w
 * (statistical distance < 2^-63 from uniform); the negligible b in
 * {0, 1, w - 1} becomes 2 by a mask. A failed round rejects the
 * candidate, so each round's verdict is declassified.
 *
 * gcd(e, p - 1) = 1: (p - 1) mod e bit by bit (shift, masked subtract)
 * and a constant-time binary extended gcd modulo e (fixed 128 * limbs
 * iterations, masked swaps), which gives ((p - 1) mod e)^-1 mod e too.
 *
 * d = e^-1 mod lambda, lambda = lcm(p - 1, q - 1), without any division
 * by a secret: g = gcd(p - 1, q - 1) = 2^min(a_p, a_q) gcd(m_p, m_q), the
 * odd gcd by the same constant-time binary gcd (fixed 128 * limbs
 * iterations), lambda = (p - 1) ((q - 1) / g) where the exact division
 * by the odd part of g is Hensel (limb by limb, with g^-1 mod 2^64).
 * Then with e public: k = -lambda^-1 mod e, d = (1 + k lambda) / e
 * (exact; computed as a product with e^-1 mod 2^64 limb by limb,
 * Jebelean), so d e = 1 + k lambda and 0 < d < lambda. dp and dq the
 * same way with p - 1 and q - 1 (dp = e^-1 mod (p - 1) = d mod (p - 1)),
 * qinv = q^(p - 2) mod p (Fermat, kc_mont_exp), n = p q.
 *
 * Checks: |p - q| > 2^(bits/2 - 100) (else a new q, A.1.3 step 5.4),
 * d > 2^(bits/2) (else new p and q), and a pairwise test: a random
 * value signed by kc_rsa_private() and checked with kc_rsa_public().
 * At most 50 * bits candidates per call, then KC_EFAULT.
 */
#include "bn.h"
#include "rsa_internal.h"
#include "arith.h"

#define HL		KC_BN_MAX_HALF
#define NL		KC_BN_MAX_LIMBS
#define EL		4		/* e < 2^256 */
#define TD_LIMIT	2048		/* trial division by primes below */
#define TD_MAX		320		/* >= 308 odd primes below 2048 */
#define MR_TAIL		62		/* squarings after b^m (a <= 63) */

struct kg_td {
	u32 np, ng;
	u32 gfirst[TD_MAX], gcount[TD_MAX];
	u64 gm[TD_MAX], gmu[TD_MAX];	/* group products, floor(2^64 / m) */
	u64 pm[TD_MAX], pmu[TD_MAX];	/* primes, floor(2^64 / p) */
	u8 sieve[TD_LIMIT];
};

/* Everything big lives in the caller's work area. */
struct kg_work {
	struct kc_mont mc;
	u64 table[KC_BN_EXP_TABLE_LIMBS(HL)];
	u64 p[HL], q[HL];		/* accepted primes */
	u64 w[HL];			/* candidate */
	u64 m[HL];			/* odd part of w - 1 */
	u64 y[HL], one[HL], neg[HL];	/* M-R: z, R mod w, -R mod w */
	u64 b[HL + 1];			/* random base before reduction */
	u64 s1[HL], s2[HL], s3[HL];	/* scratch */
	u64 n[NL], lam[NL], d[NL];
	u64 x[NL + EL];			/* products, dividends */
	u64 e[EL], k[EL], r[EL], g1[EL], g2[EL], u[EL], v[EL];
	struct kg_td td;
};

_Static_assert(sizeof(struct kg_work) <= KC_RSA_PAD_OFFSET,
	       "KC_RSA_WORK_BYTES too small for struct kg_work");
_Static_assert(2 * KC_RSA_MAX_BYTES <= KC_RSA_PAD_BYTES,
	       "pairwise test buffers do not fit");

/* ---- small helpers, constant time ---- */

/* x mod m for odd m < 2^32, mu = floor(2^64 / m), any x < 2^64 */
static inline u64 barrett(u64 x, u64 m, u64 mu)
{
	u64 q = (u64)(((__uint128_t)x * mu) >> 64), r = x - q * m;

	/* q is the quotient or one less: r < 2m */
	return r - (m & (((r - m) >> 63) - 1));
}

/*
 * The compiler must not see that a mask is 0 or all-ones (it could branch
 * on it instead of masking), nor turn a loop counter into one that runs
 * on a secret (j - a for j = 1, 2, ...).
 */
static inline u64 hide(u64 x)
{
	__asm__("" : "+r"(x));
	return x;
}

/* all-ones if a == b (n limbs) */
static u64 eq_mask(const u64 *a, const u64 *b, u32 n)
{
	u64 acc = 0;
	u32 i;

	for (i = 0; i < n; i++)
		acc |= a[i] ^ b[i];
	return kc_mask_zero(acc);
}

static void cswap(u64 *a, u64 *b, u64 mask, u32 n)
{
	u64 t;
	u32 i;

	for (i = 0; i < n; i++) {
		t = (a[i] ^ b[i]) & mask;
		a[i] ^= t;
		b[i] ^= t;
	}
}

static void copy(u64 *r, const u64 *a, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		r[i] = a[i];
}

static void shr1(u64 *a, u32 n)
{
	u32 i;

	for (i = 0; i + 1 < n; i++)
		a[i] = a[i] >> 1 | a[i + 1] << 63;
	a[n - 1] >>= 1;
}

/* number of trailing zero bits of x != 0, without a branch */
static u64 ctz_secret(u64 x)
{
	u64 c = 0;
	u32 i;

	for (i = 0; i < 64; i++)
		c += kc_mask_zero(x & (~0ULL >> (63 - i))) & 1;
	return c;
}

/* a >>= s, a <<= s for a secret s < 64 (masked log shifter) */
static void shr_secret(u64 *a, u64 s, u32 n)
{
	u64 mask, v;
	u32 t, sh, i;

	for (t = 0; t < 6; t++) {
		sh = 1u << t;
		mask = 0 - ((s >> t) & 1);
		for (i = 0; i < n; i++) {
			v = a[i] >> sh;
			if (i + 1 < n)
				v |= a[i + 1] << (64 - sh);
			a[i] = (v & mask) | (a[i] & ~mask);
		}
	}
}

static void shl_secret(u64 *a, u64 s, u32 n)
{
	u64 mask, v;
	u32 t, sh, i;

	for (t = 0; t < 6; t++) {
		sh = 1u << t;
		mask = 0 - ((s >> t) & 1);
		for (i = n; i-- > 0;) {
			v = a[i] << sh;
			if (i)
				v |= a[i - 1] >> (64 - sh);
			a[i] = (v & mask) | (a[i] & ~mask);
		}
	}
}

/* g^-1 mod 2^64 for odd g (Newton) */
static u64 inv64(u64 g)
{
	u64 x = g;	/* g g = 1 mod 8: 3 good bits */
	u32 i;

	for (i = 0; i < 5; i++)
		x *= 2 - g * x;
	return x;
}

/*
 * q (ql limbs) = x / g for x (xl limbs, destroyed) an exact multiple of
 * the odd g (gl limbs), quotient < 2^(64 ql): Hensel division, each
 * quotient limb is x[i] g^-1 mod 2^64.
 */
static void exact_div(u64 *q, u64 *x, u32 xl, const u64 *g, u32 gl, u32 ql)
{
	u64 gi = inv64(g[0]), qi, lo, c, br;
	u32 i, j;

	for (i = 0; i < ql; i++) {
		qi = x[i] * gi;
		c = 0;
		br = 0;
		for (j = 0; i + j < xl; j++) {
			MAC(lo, c, qi, j < gl ? g[j] : 0, 0, c);
			SBB(x[i + j], x[i + j], lo, br);
		}
		q[i] = qi;
	}
}

/* r (el limbs) = x (xl limbs) mod e (el limbs, e[el - 1] != 0), bitwise */
static void mod_e(u64 *r, const u64 *x, u32 xl, const u64 *e, u32 el)
{
	u64 t[EL], top, bit, c, keep;
	u32 i, j;

	for (j = 0; j < el; j++)
		r[j] = 0;
	for (i = 64 * xl; i-- > 0;) {
		bit = x[i / 64] >> (i % 64) & 1;
		top = r[el - 1] >> 63;
		for (j = el - 1; j > 0; j--)
			r[j] = r[j] << 1 | r[j - 1] >> 63;
		r[0] = r[0] << 1 | bit;
		c = 0;
		for (j = 0; j < el; j++)
			SBB(t[j], r[j], e[j], c);
		/* 2r + bit < 2e: subtract e once if it does not go negative */
		keep = 0 - (top | (c ^ 1));
		for (j = 0; j < el; j++)
			r[j] = (t[j] & keep) | (r[j] & ~keep);
	}
	kc_wipe(t, sizeof(t));
}

/* a = a / 2 mod m (m odd, a < m) */
static void half_mod(u64 *a, const u64 *m, u32 n)
{
	u64 c = 0, odd = 0 - (a[0] & 1);
	u32 i;

	for (i = 0; i < n; i++)
		ADC(a[i], a[i], m[i] & odd, c);
	shr1(a, n);
	a[n - 1] |= c << 63;
}

/*
 * Binary gcd in constant time: b odd on entry; after 128 n iterations
 * a = 0 and b = gcd(a, b). With u, v (tracking modulo the odd m, entry
 * a = x < m, b = m, u = 1, v = 0) b = v x (mod m): v = x^-1 when b = 1.
 * Each iteration shrinks bits(a) + bits(b) while a != 0.
 */
static void ct_gcd(u64 *a, u64 *b, u64 *u, u64 *v, const u64 *m, u32 n)
{
	u64 odd, sw, c, br;
	u32 it, i;

	for (it = 0; it < 128 * n; it++) {
		odd = 0 - (a[0] & 1);
		sw = odd & kc_bn_lt_mask(a, b, n);
		cswap(a, b, sw, n);
		br = 0;
		for (i = 0; i < n; i++)
			SBB(a[i], a[i], b[i] & odd, br);
		shr1(a, n);
		if (!u)
			continue;
		cswap(u, v, sw, n);
		br = 0;
		for (i = 0; i < n; i++)
			SBB(u[i], u[i], v[i] & odd, br);
		br = 0 - br;
		c = 0;
		for (i = 0; i < n; i++)
			ADC(u[i], u[i], m[i] & br, c);
		half_mod(u, m, n);
	}
}

/*
 * k = -x^-1 mod e for x (xl limbs); returns all-ones if gcd(x, e) = 1.
 * Uses w->r, g1, g2, u, v.
 */
static u64 neg_inv_mod_e(struct kg_work *w, u64 *k, const u64 *x, u32 xl,
			 u32 el)
{
	u64 ok;
	u32 i;

	mod_e(w->r, x, xl, w->e, el);
	for (i = 0; i < el; i++) {
		w->g1[i] = w->r[i];
		w->g2[i] = w->e[i];
		w->u[i] = 0;
		w->v[i] = 0;
	}
	w->u[0] = 1;
	ct_gcd(w->g1, w->g2, w->u, w->v, w->e, el);
	w->g2[0] ^= 1;
	ok = kc_bn_zero_mask(w->g2, el);
	/* v in [1, e - 1] when ok: k = e - v */
	kc_bn_sub(k, w->e, w->v, el);
	kc_wipe(w->r, sizeof(w->r));
	kc_wipe(w->g1, sizeof(w->g1));
	kc_wipe(w->g2, sizeof(w->g2));
	kc_wipe(w->u, sizeof(w->u));
	kc_wipe(w->v, sizeof(w->v));
	return ok;
}

/*
 * r (rl limbs) = (1 + k x) / e = e^-1 mod x, for x of xl limbs, k = -x^-1
 * mod e (el limbs), r < x. Uses w->x.
 */
static void inv_e_mod(struct kg_work *w, u64 *r, const u64 *x, u32 xl,
		      const u64 *k, u32 el)
{
	u64 c = 1;
	u32 i;

	kc_bn_mul(w->x, k, el, x, xl);
	for (i = 0; i < xl; i++)
		ADC(w->x[i], w->x[i], 0, c);
	exact_div(r, w->x, xl, w->e, el, xl);
	kc_wipe(w->x, sizeof(w->x));
}

/* ---- trial division ---- */

static void td_setup(struct kg_td *td)
{
	u32 i, j, first = 0;
	u64 prod = 1;

	for (i = 0; i < TD_LIMIT; i++)
		td->sieve[i] = i >= 2;
	for (i = 2; i * i < TD_LIMIT; i++)
		if (td->sieve[i])
			for (j = i * i; j < TD_LIMIT; j += i)
				td->sieve[j] = 0;
	td->np = 0;
	td->ng = 0;
	for (i = 3; i < TD_LIMIT && td->np < TD_MAX; i += 2) {
		if (!td->sieve[i])
			continue;
		if (prod * i >= 1ULL << 32) {
			td->gm[td->ng] = prod;
			td->gfirst[td->ng] = first;
			td->gcount[td->ng] = td->np - first;
			td->ng++;
			prod = 1;
			first = td->np;
		}
		prod *= i;
		td->pm[td->np++] = i;
	}
	td->gm[td->ng] = prod;
	td->gfirst[td->ng] = first;
	td->gcount[td->ng] = td->np - first;
	td->ng++;
	/* public constants: division of public numbers only */
	for (i = 0; i < td->ng; i++)
		td->gmu[i] = ~0ULL / td->gm[i];
	for (i = 0; i < td->np; i++)
		td->pmu[i] = ~0ULL / td->pm[i];
}

/* all-ones if a prime below TD_LIMIT divides x (n limbs) or x = 1 mod 2^64 */
static u64 td_reject(const struct kg_td *td, const u64 *x, u32 n)
{
	u64 hit = kc_mask_zero(x[0] ^ 1), r, m, mu;
	u32 g, i, k;

	for (g = 0; g < td->ng; g++) {
		m = td->gm[g];
		mu = td->gmu[g];
		r = 0;
		for (i = n; i-- > 0;) {
			r = barrett(r << 32 | x[i] >> 32, m, mu);
			r = barrett(r << 32 | (x[i] & 0xffffffffu), m, mu);
		}
		for (k = td->gfirst[g]; k < td->gfirst[g] + td->gcount[g]; k++)
			hit |= kc_mask_zero(barrett(r, td->pm[k], td->pmu[k]));
	}
	return hit;
}

/* ---- Miller-Rabin ---- */

/*
 * Sets up w->mc, w->m (odd part of w - 1), w->one, w->neg for the
 * candidate w->w (n limbs, odd, != 1 mod 2^64); returns a.
 */
static u64 mr_setup(struct kg_work *w, u32 n)
{
	u64 a;

	copy(w->m, w->w, n);
	w->m[0] ^= 1;				/* w - 1 */
	a = ctz_secret(w->m[0]);		/* 1..63 */
	shr_secret(w->m, a, n);
	kc_mont_init(&w->mc, w->w, n);		/* w odd: cannot fail */
	kc_mont_from(&w->mc, w->one, w->mc.rr);	/* R mod w */
	kc_bn_sub(w->neg, w->w, w->one, n);	/* -R mod w */
	return a;
}

/*
 * The end of a strong-probable-prime test: w->y = z = b^m in Montgomery
 * form; all-ones if z = 1 or z^(2^j) = -1 for some 0 <= j < a.
 */
static u64 mr_tail(struct kg_work *w, u32 n, u64 a)
{
	u64 pass, act;
	u32 j;

	pass = eq_mask(w->y, w->one, n) | eq_mask(w->y, w->neg, n);
	for (j = 1; j <= MR_TAIL; j++) {
		kc_mont_sqr(&w->mc, w->y, w->y);		/* b^(m 2^j) */
		act = hide(0 - ((hide(j) - a) >> 63));		/* j < a */
		pass |= eq_mask(w->y, w->neg, n) & act;
	}
	kc_wipe(w->y, sizeof(w->y));
	return pass;
}

/*
 * One strong-probable-prime test of w->w to the base in w->y (2 <= b <=
 * w - 2, n limbs); all-ones if w passes.
 */
static u64 mr_base(struct kg_work *w, u32 n, u64 a)
{
	kc_mont_exp(&w->mc, w->y, w->y, w->m, n, w->table);	/* z = b^m */
	kc_mont_to(&w->mc, w->y, w->y);
	return mr_tail(w, n, a);
}

/*
 * The same test to the base 2, as a cheap first filter: z = 2^m by
 * left-to-right squarings over all 64 n bits of m, each followed by a
 * doubling mod w kept or not by the (secret) bit's mask, so no
 * multiplications and no table.
 */
static u64 mr_base2(struct kg_work *w, u32 n, u64 a)
{
	u64 mask, top, c, keep, v;
	u32 i, j;

	copy(w->y, w->one, n);
	for (i = 64 * n; i-- > 0;) {
		kc_mont_sqr(&w->mc, w->y, w->y);
		mask = 0 - (w->m[i / 64] >> (i % 64) & 1);
		/* s1 = 2 y mod w: 2y < 2w, one masked subtraction */
		top = 0;
		for (j = 0; j < n; j++) {
			v = w->y[j];
			w->s1[j] = v << 1 | top;
			top = v >> 63;
		}
		c = 0;
		for (j = 0; j < n; j++)
			SBB(w->s2[j], w->s1[j], w->w[j], c);
		keep = 0 - (c & (top ^ 1));		/* 2y < w */
		kc_bn_select(w->s1, w->s1, w->s2, keep, n);
		kc_bn_select(w->y, w->s1, w->y, mask, n);
		kc_resched();
	}
	kc_wipe(w->s1, sizeof(w->s1));
	kc_wipe(w->s2, sizeof(w->s2));
	return mr_tail(w, n, a);
}

/* a random base b in [2, w - 2] into w->y */
static void mr_random_base(struct kg_work *w, u32 n)
{
	u64 bad, t;
	u32 i;

	kc_random(w->b, (size_t)(n + 1) * 8);
	kc_mont_reduce_wide(&w->mc, w->y, w->b, n + 1);
	kc_wipe(w->b, sizeof(w->b));
	/* b in {0, 1, w - 1} (probability 3 / w) becomes 2 */
	t = w->y[0];
	w->y[0] = t ^ 1;
	bad = kc_bn_zero_mask(w->y, n);
	w->y[0] = t & ~1ULL;
	bad |= kc_bn_zero_mask(w->y, n);
	w->y[0] = t;
	w->w[0] ^= 1;
	bad |= eq_mask(w->y, w->w, n);
	w->w[0] ^= 1;
	w->y[0] = (t & ~bad) | (2 & bad);
	for (i = 1; i < n; i++)
		w->y[i] &= ~bad;
}

/* ---- key generation ---- */

static u32 mr_rounds(u32 bits)
{
	/*
	 * FIPS 186-5 table B.1: 2^-112, 2^-128, 2^-144 columns; 512-bit
	 * primes (RSA-1024, which 186-5 no longer lists): 7 rounds, the
	 * 2^-100 column of FIPS 186-4 table C.3
	 */
	if (bits == 512)
		return 7;
	return bits == 1024 ? 5 : 4;
}

/*
 * A prime of 64 n bits into dst; with @other, |dst - other| > 2^(64 n -
 * 100) too. Returns 0, KC_EFAULT when the candidate budget runs out, or
 * KC_EINTR when kc_yield() asks to stop.
 */
static int gen_prime(struct kg_work *w, u32 n, u32 el, u32 rounds,
		     u64 *dst, const u64 *other, u32 *budget)
{
	u64 rej, a, pass, mask;
	u32 i, r;

	for (;;) {
		if (!*budget)
			return KC_EFAULT;
		(*budget)--;
		if (kc_yield())
			return KC_EINTR;
		kc_random(w->w, (size_t)n * 8);
		w->w[n - 1] |= 3ULL << 62;
		w->w[0] |= 1;
		rej = td_reject(&w->td, w->w, n);
		if (other) {
			/* |w - other| <= 2^(64 n - 100): bound in s3 */
			mask = 0 - kc_bn_sub(w->s1, w->w, other, n);
			kc_bn_sub(w->s2, other, w->w, n);
			kc_bn_select(w->s1, w->s2, w->s1, mask, n);
			for (i = 0; i < n; i++)
				w->s3[i] = 0;
			w->s3[n - 2] = 1ULL << 28;
			rej |= ~kc_bn_lt_mask(w->s3, w->s1, n);
		}
		kc_declassify(&rej, sizeof(rej));
		if (rej)
			continue;
		/* gcd(w - 1, e) = 1 */
		copy(w->s1, w->w, n);
		w->s1[0] ^= 1;
		pass = neg_inv_mod_e(w, w->s2, w->s1, n, el);
		kc_declassify(&pass, sizeof(pass));
		if (!pass)
			continue;
		a = mr_setup(w, n);
		pass = mr_base2(w, n, a);
		kc_declassify(&pass, sizeof(pass));
		for (r = 0; r < rounds && pass; r++) {
			mr_random_base(w, n);
			pass = mr_base(w, n, a);
			kc_declassify(&pass, sizeof(pass));
		}
		if (pass)
			break;
	}
	copy(dst, w->w, n);
	return 0;
}

/*
 * lambda = lcm(p - 1, q - 1) into w->lam, d = e^-1 mod lambda into w->d;
 * all-ones if gcd(e, lambda) = 1 and 2^(64 n) < d.
 */
static u64 make_d(struct kg_work *w, u32 n, u32 el)
{
	u64 ap, aq, s, lt, ok;
	u32 i;

	/* s1 = p - 1, s2 = m_q (odd part of q - 1); gcd(p - 1, m_q) = odd gcd */
	copy(w->s1, w->p, n);
	w->s1[0] ^= 1;
	copy(w->s2, w->q, n);
	w->s2[0] ^= 1;
	ap = ctz_secret(w->s1[0]);
	aq = ctz_secret(w->s2[0]);
	shr_secret(w->s2, aq, n);
	copy(w->s3, w->s1, n);
	ct_gcd(w->s3, w->s2, NULL, NULL, NULL, n);	/* s2 = odd gcd */
	lt = 0 - ((ap - aq) >> 63);
	s = (ap & lt) | (aq & ~lt);			/* min(a_p, a_q) */
	/* t = m_q / odd gcd (exact), then * 2^(a_q - s) */
	copy(w->s3, w->q, n);
	w->s3[0] ^= 1;
	shr_secret(w->s3, aq, n);
	copy(w->x, w->s3, n);
	exact_div(w->s3, w->x, n, w->s2, n, n);
	shl_secret(w->s3, aq - s, n);
	kc_bn_mul(w->lam, w->s1, n, w->s3, n);		/* (p - 1) t */

	ok = neg_inv_mod_e(w, w->s2, w->lam, 2 * n, el);
	inv_e_mod(w, w->d, w->lam, 2 * n, w->s2, el);
	for (i = 0; i < 2 * n; i++)
		w->x[i] = 0;
	w->x[n] = 1;
	ok &= kc_bn_lt_mask(w->x, w->d, 2 * n);		/* 2^(64 n) < d */
	ok &= kc_bn_lt_mask(w->d, w->lam, 2 * n);
	kc_wipe(w->s1, sizeof(w->s1));
	kc_wipe(w->s2, sizeof(w->s2));
	kc_wipe(w->s3, sizeof(w->s3));
	return ok;
}

/* sign a random value, verify it with the public key */
static int pairwise(const struct kc_rsa_keygen_out *out, u32 bits,
		    const u8 *e, size_t e_len, void *work)
{
	size_t nb = bits / 8, hb = bits / 16, i;
	struct kc_rsa_priv key = {
		.n = out->n, .n_len = nb, .e = e, .e_len = e_len,
		.d = out->d, .d_len = nb, .p = out->p, .p_len = hb,
		.q = out->q, .q_len = hb, .dp = out->dp, .dp_len = hb,
		.dq = out->dq, .dq_len = hb, .qinv = out->qinv, .qinv_len = hb,
	};
	struct kc_rsa_pub pub = {
		.n = out->n, .n_len = nb, .e = e, .e_len = e_len,
	};
	/* the raw operations leave the area after KC_RSA_PAD_OFFSET alone */
	u8 *msg = (u8 *)work + KC_RSA_PAD_OFFSET, *sig = msg + KC_RSA_MAX_BYTES;
	u8 diff = 0;
	int ret;

	kc_random(msg, nb);
	msg[0] = 0;				/* < 2^(bits - 8) < n */
	kc_declassify(msg, nb);			/* a public test message */
	ret = kc_rsa_private(&key, msg, sig, work);
	if (!ret) {
		kc_declassify(sig, nb);		/* signatures are public */
		/* in place: the public operation reads @in before writing */
		ret = kc_rsa_public(&pub, sig, sig, work);
	}
	for (i = 0; i < nb; i++)
		diff |= msg[i] ^ sig[i];
	kc_wipe(msg, 2 * KC_RSA_MAX_BYTES);
	return ret || diff ? KC_EFAULT : 0;
}

int kc_rsa_keygen(u32 bits, const u8 *e, size_t e_len,
		  const struct kc_rsa_keygen_out *out, void *work)
{
	struct kg_work *w = work;
	u32 n, el, eb, budget = 50 * bits, rounds;
	size_t nb = bits / 8, hb = bits / 16;
	u64 sw, ok;
	u32 i;
	int ret;

	if (bits != 1024 && bits != 2048 && bits != 3072 && bits != 4096)
		return KC_EINPUT;
	if (!e || !out || !work || !out->n || !out->d || !out->p || !out->q ||
	    !out->dp || !out->dq || !out->qinv)
		return KC_EINPUT;
	while (e_len && !*e) {
		e++;
		e_len--;
	}
	if (!e_len || e_len > 8 * EL || !(e[e_len - 1] & 1))
		return KC_EINPUT;
	kc_bn_from_be(w->e, EL, e, e_len);
	eb = kc_bn_bits_vartime(w->e, EL);
	if (eb <= 16)				/* 2^16 < e < 2^256, odd */
		return KC_EINPUT;
	el = (eb + 63) / 64;
	n = bits / 128;
	rounds = mr_rounds(bits / 2);
	td_setup(&w->td);

	for (;;) {
		ret = gen_prime(w, n, el, rounds, w->p, NULL, &budget);
		if (!ret)
			ret = gen_prime(w, n, el, rounds, w->q, w->p, &budget);
		if (ret)
			goto out;
		sw = kc_bn_lt_mask(w->p, w->q, n);		/* p > q */
		cswap(w->p, w->q, sw, n);
		ok = make_d(w, n, el);
		kc_declassify(&ok, sizeof(ok));
		if (ok)
			break;
		/* d <= 2^(bits/2): practically never; new p and q */
	}
	kc_bn_mul(w->n, w->p, n, w->q, n);
	kc_bn_to_be(out->n, nb, w->n, 2 * n);
	kc_declassify(out->n, nb);			/* the public modulus */
	kc_bn_to_be(out->d, nb, w->d, 2 * n);
	kc_bn_to_be(out->p, hb, w->p, n);
	kc_bn_to_be(out->q, hb, w->q, n);
	/* dp, dq */
	copy(w->s1, w->p, n);
	w->s1[0] ^= 1;
	neg_inv_mod_e(w, w->k, w->s1, n, el);
	inv_e_mod(w, w->s2, w->s1, n, w->k, el);
	kc_bn_to_be(out->dp, hb, w->s2, n);
	copy(w->s1, w->q, n);
	w->s1[0] ^= 1;
	neg_inv_mod_e(w, w->k, w->s1, n, el);
	inv_e_mod(w, w->s2, w->s1, n, w->k, el);
	kc_bn_to_be(out->dq, hb, w->s2, n);
	/* qinv = q^(p - 2) mod p (q < p) */
	kc_mont_init(&w->mc, w->p, n);
	for (i = 0; i < n; i++)
		w->s2[i] = 0;
	w->s2[0] = 2;
	kc_bn_sub(w->s1, w->p, w->s2, n);
	kc_mont_exp(&w->mc, w->s3, w->q, w->s1, n, w->table);
	kc_bn_to_be(out->qinv, hb, w->s3, n);
	/* the pairwise test reuses the work area */
	kc_wipe(w, sizeof(*w));
	ret = pairwise(out, bits, e, e_len, work);
out:
	kc_wipe(w, sizeof(*w));
	if (ret) {
		kc_wipe(out->n, nb);
		kc_wipe(out->d, nb);
		kc_wipe(out->p, hb);
		kc_wipe(out->q, hb);
		kc_wipe(out->dp, hb);
		kc_wipe(out->dq, hb);
		kc_wipe(out->qinv, hb);
	}
	return ret;
}
