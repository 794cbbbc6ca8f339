// SPDX-License-Identifier: GPL-2.0
/*
 * RSA key generation (kmod/crypto/rsa_keygen.c, included to reach its
 * static helpers) against OpenSSL:
 *  - helpers: Barrett step and trial division against '%' and
 *    BN_mod_word, the prime table against a naive test, masked shifts and
 *    trailing-zero count, (x mod e), the constant-time binary gcd and
 *    inverse against BN_gcd/BN_mod_inverse, Hensel exact division against
 *    BN_div, Miller-Rabin against a 64-bit reference (all odd numbers
 *    below 2^17, Carmichael numbers, strong pseudoprimes such as
 *    3215031751 to bases 2, 3, 5, 7), big primes with p - 1 divisible by
 *    2^a for a up to 63, lambda and d for primes with a large
 *    gcd(p - 1, q - 1);
 *  - keys: 2048 (10), 3072 (3), 4096 (2) bits with several e: every FIPS
 *    186-5 property checked with BN, OpenSSL's EVP_PKEY_check and
 *    pairwise check on the imported key, OpenSSL signs / the engine
 *    verifies and the reverse;
 *  - negatives: sizes and public exponents that must be refused.
 * RSA_KEYGEN_N=<k> multiplies the number of keys per size.
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <time.h>
/*
 * The pairwise test's private operation goes through a wrapper so a test
 * can make it fail (fault = 1: kc_rsa_private_fault's CRT fault, caught by
 * rsa.c's own check; fault = 2: a wrong signature returned as success).
 */
#define kc_rsa_private kg_test_private
#include "rsa_keygen.c"
#undef kc_rsa_private
#include "tap.h"

int kc_rsa_private(const struct kc_rsa_priv *key, const u8 *in, u8 *out,
		   void *work);
static int kg_fault;

int kg_test_private(const struct kc_rsa_priv *key, const u8 *in, u8 *out,
		    void *work)
{
	int r;

	if (kg_fault == 1)
		return kc_rsa_private_fault(key, in, out, work, 1);
	r = kc_rsa_private(key, in, out, work);
	if (kg_fault == 2)
		out[key->n_len - 1] ^= 1;
	return r;
}

static u8 work[KC_RSA_WORK_BYTES] __attribute__((aligned(8)));
static struct kg_work *W = (struct kg_work *)work;
static BN_CTX *ctx;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);	/* CPU time */
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static u64 rnd64(void)
{
	u64 x;

	kc_random(&x, sizeof(x));
	return x;
}

/* little-endian limbs <-> BIGNUM (x86-64 and arm64 are little-endian) */
static BIGNUM *bn_of(const u64 *a, u32 n)
{
	return BN_lebin2bn((const unsigned char *)a, (int)(n * 8), NULL);
}

static void limbs_of(u64 *r, u32 n, const BIGNUM *a)
{
	if (BN_bn2lebinpad(a, (unsigned char *)r, (int)(n * 8)) < 0)
		abort();
}

static int bn_eq_limbs(const BIGNUM *a, const u64 *b, u32 n)
{
	BIGNUM *t = bn_of(b, n);
	int r = !BN_cmp(a, t);

	BN_free(t);
	return r;
}

static int naive_prime(u64 x)
{
	u64 d;

	if (x < 2)
		return 0;
	for (d = 2; d * d <= x; d++)
		if (x % d == 0)
			return 0;
	return 1;
}

/* ---- helpers ---- */

static void test_table(void)
{
	struct kg_td *td = &W->td;
	u32 i, k, np = 0, bad = 0, total = 0;

	td_setup(td);
	for (i = 3; i < TD_LIMIT; i += 2) {
		if (!naive_prime(i))
			continue;
		if (np >= td->np || td->pm[np] != i)
			bad++;
		np++;
	}
	tap_ok(np == 308 && td->np == np && !bad,
	       "trial division: %u odd primes below 2048 (%u mismatches)",
	       td->np, bad);
	bad = 0;
	for (i = 0; i < td->ng; i++) {
		u64 prod = 1;

		for (k = td->gfirst[i]; k < td->gfirst[i] + td->gcount[i]; k++)
			prod *= td->pm[k];
		total += td->gcount[i];
		if (prod != td->gm[i] || prod >= 1ULL << 32 ||
		    td->gfirst[i] != (i ? td->gfirst[i - 1] + td->gcount[i - 1] : 0) ||
		    (u64)(((__uint128_t)1 << 64) / prod) != td->gmu[i])
			bad++;
	}
	for (i = 0; i < td->np; i++)
		if ((u64)(((__uint128_t)1 << 64) / td->pm[i]) != td->pmu[i])
			bad++;
	tap_ok(!bad && total == td->np,
	       "trial division: %u groups with products < 2^32 and Barrett constants (%u bad)",
	       td->ng, bad);
}

static void test_barrett(void)
{
	u64 x, m, mu, bad = 0;
	int i, j;
	static const u64 xs[] = { 0, 1, 2, ~0ULL, ~0ULL - 1, 1ULL << 63,
				  (1ULL << 32) - 1, 1ULL << 32 };

	for (i = 0; i < 20000; i++) {
		m = (rnd64() >> (i % 31 + 1)) | 1;
		if (m < 3)
			m = 3;
		if (m >= 1ULL << 32)
			m = (m & 0xffffffffu) | 1;
		if (m < 3)
			m = 3;
		mu = ~0ULL / m;
		for (j = 0; j < 50; j++) {
			x = j < 8 ? xs[j] : j < 12 ? m * (rnd64() >> 33) + (u64)(j - 9) :
			    rnd64();
			if (barrett(x, m, mu) != x % m)
				bad++;
		}
	}
	tap_ok(!bad, "Barrett step x mod m against %% (1,000,000 cases, %llu bad)",
	       (unsigned long long)bad);
}

/* verdict of trial division by plain BN_mod_word */
static int td_ref(const u64 *x, u32 n)
{
	BIGNUM *b = bn_of(x, n);
	int hit = x[0] == 1;
	u32 i;

	for (i = 0; i < W->td.np; i++)
		if (BN_mod_word(b, (BN_ULONG)W->td.pm[i]) == 0)
			hit = 1;
	BN_free(b);
	return hit;
}

static void test_td(void)
{
	u64 x[HL];
	u32 sizes[] = { 16, 24, 32, 1, 2 }, s, i, k, bad = 0, rej = 0, tot = 0;
	BIGNUM *b = BN_new(), *p = BN_new();

	td_setup(&W->td);
	for (s = 0; s < 5; s++) {
		u32 n = sizes[s];

		for (i = 0; i < 3000; i++) {
			kc_random(x, n * 8);
			if (i % 3 == 1) {	/* a multiple of some small prime */
				u64 pr = W->td.pm[rnd64() % W->td.np], r;

				BN_lebin2bn((u8 *)x, (int)n * 8, b);
				r = BN_mod_word(b, (BN_ULONG)pr);
				BN_sub_word(b, (BN_ULONG)r);
				if (BN_num_bytes(b) == 0)
					BN_set_word(b, (BN_ULONG)pr);
				limbs_of(x, n, b);
			} else if (i % 7 == 2) {
				x[0] = 1;
			} else if (i % 11 == 3) {	/* product of two primes > 2048 */
				BN_set_word(p, 2053);
				BN_set_word(b, 1000003);
				BN_mul(b, b, p, ctx);
				BN_lshift(b, b, 64 * (n - 1));
				BN_add_word(b, 2053ULL * 1000003 * 7 + 2053);
				limbs_of(x, n, b);
			}
			k = td_ref(x, n);
			rej += k;
			tot++;
			if (!!td_reject(&W->td, x, n) != k)
				bad++;
		}
	}
	/* edge values: 0, all-ones, single primes, the group products */
	for (i = 0; i < W->td.np + W->td.ng + 2; i++) {
		memset(x, 0, sizeof(x));
		if (i == W->td.np + W->td.ng)
			memset(x, 0xff, 16 * 8);
		else if (i > W->td.np + W->td.ng)
			;
		else
			x[0] = i < W->td.np ? W->td.pm[i] : W->td.gm[i - W->td.np];
		for (k = 0; k < 2; k++) {
			u32 n = k ? 16 : 1;

			if (!!td_reject(&W->td, x, n) != td_ref(x, n))
				bad++;
			tot++;
		}
	}
	tap_ok(!bad, "trial division verdict against BN_mod_word by all 308 primes (%u cases, %u rejected, %u bad)",
	       tot, rej, bad);
	BN_free(b);
	BN_free(p);
}

static void test_shifts(void)
{
	u64 a[8], r[8], s, bad = 0;
	u32 i, j;
	BIGNUM *b, *c = BN_new();

	for (i = 0; i < 5000; i++) {
		u64 x = rnd64() << (i % 64);

		if (!x)
			x = 1ULL << 63;
		if ((u64)__builtin_ctzll(x) != ctz_secret(x))
			bad++;
		kc_random(a, sizeof(a));
		s = i % 64;
		for (j = 0; j < 8; j++)
			r[j] = a[j];
		shr_secret(r, s, 8);
		b = bn_of(a, 8);
		BN_rshift(c, b, (int)s);
		if (!bn_eq_limbs(c, r, 8))
			bad++;
		for (j = 0; j < 8; j++)
			r[j] = a[j];
		shl_secret(r, s, 8);
		BN_lshift(c, b, (int)s);
		BN_mask_bits(c, 512);
		if (!bn_eq_limbs(c, r, 8))
			bad++;
		BN_free(b);
	}
	tap_ok(!bad, "ctz, masked shifts by 0..63 against BN (5000 each, %llu bad)",
	       (unsigned long long)bad);
	BN_free(c);
}

/* an odd e of exactly el limbs (> 2^16) */
static void rand_e(u64 *e, u32 el, int i)
{
	memset(e, 0, EL * 8);
	kc_random(e, el * 8);
	e[0] |= 1;
	e[el - 1] |= 1ULL << 63 >> (i % 40);
	if (el == 1 && e[0] < 65537)
		e[0] = 65537;
	if (i % 5 == 0)		/* small odd factors: gcd != 1 often */
		e[0] = el == 1 ? 3ULL * 5 * 7 * 11 * 13 * 17 * 19 * 23 : e[0];
}

static void test_mod_inv(void)
{
	u64 x[NL], k[EL], r[EL];
	u32 i, el, xl, bad = 0, inv = 0, noinv = 0;
	BIGNUM *be, *bx, *t = BN_new(), *t2 = BN_new();

	for (i = 0; i < 4000; i++) {
		el = 1 + i % 4;
		xl = (i / 4) % 3 == 0 ? 64 : (i / 4) % 3 == 1 ? 16 : el;
		rand_e(W->e, el, (int)i);
		kc_random(x, xl * 8);
		if (i % 17 == 0)
			memset(x, 0, xl * 8);
		if (i % 19 == 0) {		/* multiple of e */
			memset(x, 0, xl * 8);
			kc_bn_mul(W->x, W->e, el, &W->e[0], 1);
			memcpy(x, W->x, el * 8);
		}
		be = bn_of(W->e, el);
		bx = bn_of(x, xl);
		mod_e(r, x, xl, W->e, el);
		BN_mod(t, bx, be, ctx);
		if (!bn_eq_limbs(t, r, el))
			bad++;
		/* k = -x^-1 mod e */
		if (neg_inv_mod_e(W, k, x, xl, el)) {
			inv++;
			if (!BN_mod_inverse(t2, t, be, ctx))
				bad++;
			BN_sub(t2, be, t2);
			if (!bn_eq_limbs(t2, k, el))
				bad++;
		} else {
			noinv++;
			BN_gcd(t2, t, be, ctx);
			if (BN_is_one(t2))
				bad++;
		}
		BN_free(be);
		BN_free(bx);
	}
	tap_ok(!bad && inv && noinv,
	       "x mod e and -x^-1 mod e (e of 1..4 limbs) against BN_mod/BN_mod_inverse (%u invertible, %u not, %u bad)",
	       inv, noinv, bad);
	BN_free(t);
	BN_free(t2);
}

static void test_gcd_div(void)
{
	static u64 a[HL], b[HL], q[NL], x[NL + EL];
	u32 i, n, gl, bad = 0;
	BIGNUM *ba, *bb, *g = BN_new(), *bq, *bg;

	for (i = 0; i < 600; i++) {
		n = i % 3 == 0 ? 16 : i % 3 == 1 ? 24 : 32;
		kc_random(a, n * 8);
		kc_random(b, n * 8);
		b[0] |= 1;
		if (i % 4 == 0) {	/* a common odd factor of 1..n/2 limbs */
			BIGNUM *f = BN_new(), *u = BN_new();

			BN_rand(f, (int)(64 * (1 + i % (n / 2))) - 3, 0, 1);
			BN_rand(u, (int)(64 * n) - BN_num_bits(f) - 1, 0, 1);
			BN_mul(u, u, f, ctx);
			limbs_of(b, n, u);
			BN_rand(u, (int)(64 * n) - BN_num_bits(f) - 1, 0, 0);
			BN_mul(u, u, f, ctx);
			limbs_of(a, n, u);
			BN_free(f);
			BN_free(u);
		}
		if (i == 1)
			memset(a, 0, sizeof(a));
		ba = bn_of(a, n);
		bb = bn_of(b, n);
		BN_gcd(g, ba, bb, ctx);
		ct_gcd(a, b, NULL, NULL, NULL, n);
		if (!bn_eq_limbs(g, b, n) || !kc_bn_zero_mask(a, n))
			bad++;
		BN_free(ba);
		BN_free(bb);
	}
	tap_ok(!bad, "constant-time binary gcd of 16/24/32 limbs against BN_gcd (600, %u bad)",
	       bad);

	bad = 0;
	for (i = 0; i < 2000; i++) {
		u32 ql = 1 + i % 64, xl;

		gl = 1 + (i / 64) % 32;
		xl = ql + gl;
		if (xl > NL)
			xl = NL;
		bg = BN_new();
		bq = BN_new();
		BN_rand(bg, (int)(64 * gl) - (int)(i % 50), 0, 1);
		BN_rand(bq, (int)(64 * ql) - (int)(i % 7), 0, 0);
		memset(W->x, 0, sizeof(W->x));
		ba = BN_new();
		BN_mul(ba, bg, bq, ctx);
		if (BN_num_bytes(ba) > (int)(xl * 8)) {	/* keep it fitting */
			BN_free(ba);
			BN_free(bg);
			BN_free(bq);
			continue;
		}
		limbs_of(x, xl, ba);
		{
			u64 gg[HL];

			memset(gg, 0, sizeof(gg));
			limbs_of(gg, gl, bg);
			exact_div(q, x, xl, gg, gl, ql);
		}
		if (!bn_eq_limbs(bq, q, ql))
			bad++;
		BN_free(ba);
		BN_free(bg);
		BN_free(bq);
	}
	tap_ok(!bad, "Hensel exact division against BN (2000 cases, %u bad)", bad);
	BN_free(g);
}

/* ---- Miller-Rabin ---- */

static u64 mulmod(u64 a, u64 b, u64 m)
{
	return (u64)((__uint128_t)a * b % m);
}

static u64 powmod(u64 b, u64 e, u64 m)
{
	u64 r = 1;

	b %= m;
	while (e) {
		if (e & 1)
			r = mulmod(r, b, m);
		b = mulmod(b, b, m);
		e >>= 1;
	}
	return r;
}

/* reference strong probable prime test, odd w > 3, 2 <= b <= w - 2 */
static int sprp_ref(u64 w, u64 b)
{
	u64 m = w - 1, z;
	int a = 0, j;

	while (!(m & 1)) {
		m >>= 1;
		a++;
	}
	z = powmod(b, m, w);
	if (z == 1 || z == w - 1)
		return 1;
	for (j = 1; j < a; j++) {
		z = mulmod(z, z, w);
		if (z == w - 1)
			return 1;
	}
	return 0;
}

static int sprp_engine(u64 w, u64 b)
{
	u64 a;

	memset(W->w, 0, sizeof(W->w));
	W->w[0] = w;
	a = mr_setup(W, 1);
	W->y[0] = b;
	return !!mr_base(W, 1, a);
}

/* the base-2 filter (doublings instead of multiplications) */
static int sprp2_engine(u64 w)
{
	u64 a;

	memset(W->w, 0, sizeof(W->w));
	W->w[0] = w;
	a = mr_setup(W, 1);
	return !!mr_base2(W, 1, a);
}

static void test_mr_base2(void)
{
	static const u64 spsp2[] = {
		2047, 3277, 4033, 4681, 8321, 15841, 29341, 42799, 49141,
		52633, 65281, 74665, 80581, 85489, 88357, 90751,
		3215031751ULL, 3825123056546413051ULL,
	};
	u64 w;
	u32 i, bad = 0, cases = 0, fooled = 0;

	for (w = 5; w < (1u << 17); w += 2, cases++)
		if (sprp2_engine(w) != sprp_ref(w, 2))
			bad++;
	for (i = 0; i < sizeof(spsp2) / 8; i++, cases++) {
		fooled += sprp2_engine(spsp2[i]);
		if (sprp2_engine(spsp2[i]) != sprp_ref(spsp2[i], 2))
			bad++;
	}
	for (i = 0; i < 20000; i++, cases++) {
		w = rnd64() >> (i % 60) | 1;
		if (i % 5 == 0)
			w = ((rnd64() >> 1) << (i % 60)) | 1;
		if (w < 5)
			w = 5;
		if (sprp2_engine(w) != sprp_ref(w, 2))
			bad++;
	}
	tap_ok(!bad && fooled == sizeof(spsp2) / 8,
	       "M-R base-2 filter = 64-bit reference (%u cases incl. 18 strong pseudoprimes to base 2, %u bad)",
	       cases, bad);
}

static void test_mr_small(void)
{
	static const u64 carmichael[] = {
		561, 1105, 1729, 2465, 2821, 6601, 8911, 10585, 15841,
		29341, 41041, 46657, 52633, 62745, 63973, 75361, 101101,
		825265, 321197185, 5394826801ULL, 232250619601ULL,
		9746347772161ULL,
	};
	/* strong pseudoprimes to base 2, and to 2, 3 / 2, 3, 5 / 2..7 */
	static const u64 spsp[] = {
		2047, 3277, 4033, 4681, 8321, 1373653, 25326001,
		3215031751ULL, 2152302898747ULL, 3474749660383ULL,
		341550071728321ULL, 3825123056546413051ULL,
	};
	static const u64 bases[] = { 2, 3, 5, 7, 11, 13, 17 };
	u64 w, b;
	u32 i, j, bad = 0, cases = 0, pass;

	for (w = 5; w < (1u << 17); w += 2) {
		pass = 1;
		for (j = 0; j < 4; j++)
			if (bases[j] <= w - 2)
				pass &= (u32)sprp_engine(w, bases[j]);
		if (pass != (u32)naive_prime(w))
			bad++;
		cases++;
	}
	tap_ok(!bad, "M-R with bases 2, 3, 5, 7 = primality for every odd 5 <= w < 2^17 (%u, %u bad)",
	       cases, bad);

	bad = 0;
	cases = 0;
	for (i = 0; i < sizeof(carmichael) / 8; i++)
		for (j = 0; j < 7; j++, cases++)
			if (sprp_engine(carmichael[i], bases[j]) !=
			    sprp_ref(carmichael[i], bases[j]))
				bad++;
	for (i = 0; i < sizeof(carmichael) / 8; i++) {
		pass = 1;
		for (j = 0; j < 4; j++)
			pass &= (u32)sprp_engine(carmichael[i], bases[j]);
		if (pass)
			bad++;
	}
	tap_ok(!bad, "M-R on %zu Carmichael numbers = reference for bases 2..17, each rejected by 2, 3, 5, 7 (%u bad)",
	       sizeof(carmichael) / 8, bad);

	bad = 0;
	for (i = 0; i < sizeof(spsp) / 8; i++)
		for (j = 0; j < 7; j++)
			if (sprp_engine(spsp[i], bases[j]) !=
			    sprp_ref(spsp[i], bases[j]))
				bad++;
	/* 3215031751 = 151 751 28351: strong pseudoprime to 2, 3, 5, 7 */
	pass = sprp_engine(3215031751ULL, 2) && sprp_engine(3215031751ULL, 3) &&
	       sprp_engine(3215031751ULL, 5) && sprp_engine(3215031751ULL, 7) &&
	       !sprp_engine(3215031751ULL, 11);
	tap_ok(!bad && pass,
	       "M-R on strong pseudoprimes = reference; 3215031751 passes bases 2, 3, 5, 7 and fails 11 (%u bad)",
	       bad);

	bad = 0;
	for (i = 0; i < 20000; i++) {
		w = rnd64() | 1;
		if (i % 2)
			w = (w >> (i % 60)) | 1;
		if (i % 5 == 0)		/* p - 1 with many factors 2 */
			w = ((rnd64() >> 1) << (i % 60)) | 1;
		if (w < 5)
			w = 5;
		if (w == 1)
			continue;
		b = 2 + rnd64() % (w - 3);
		if (sprp_engine(w, b) != sprp_ref(w, b))
			bad++;
	}
	tap_ok(!bad, "M-R on 20,000 random 64-bit w and bases = 64-bit reference (%u bad)",
	       bad);
}

/* prime of 64 n bits with the two top bits set and w - 1 = 2^a odd */
static void prime_with_a(BIGNUM *p, u32 n, int a)
{
	BIGNUM *k = BN_new();

	do {
		BN_rand(k, (int)(64 * n) - a, BN_RAND_TOP_TWO, BN_RAND_BOTTOM_ODD);
		BN_lshift(p, k, a);
		BN_add_word(p, 1);
	} while (BN_check_prime(p, ctx, NULL) != 1);
	BN_free(k);
}

static void test_mr_big(void)
{
	static const int as[] = { 1, 2, 3, 5, 17, 40, 63 };
	u32 sizes[] = { 16, 24, 32 }, s, i, r, bad = 0, cases = 0;
	BIGNUM *p = BN_new(), *q = BN_new(), *t = BN_new();
	u64 a, pass;

	for (s = 0; s < 3; s++) {
		u32 n = sizes[s];

		for (i = 0; i < 7; i++) {
			if (n != 16 && i != 0 && i != 6)
				continue;
			prime_with_a(p, n, as[i]);
			limbs_of(W->w, n, p);
			if (td_reject(&W->td, W->w, n))
				bad++;
			a = mr_setup(W, n);
			if (a != (u64)as[i] || !mr_base2(W, n, a))
				bad++;
			for (r = 0; r < 3; r++) {
				mr_random_base(W, n);
				if (!mr_base(W, n, a))
					bad++;
			}
			/* composite: two primes of 32 n bits, both 1 mod 2^a */
			prime_with_a(q, n / 2, as[i]);
			prime_with_a(t, n / 2, as[i]);
			BN_mul(t, t, q, ctx);
			limbs_of(W->w, n, t);
			if (W->w[0] == 1 || BN_num_bits(t) != (int)(64 * n))
				continue;
			a = mr_setup(W, n);
			mr_random_base(W, n);
			pass = mr_base(W, n, a) | mr_base2(W, n, a);
			if (pass)
				bad++;
			cases++;
		}
	}
	tap_ok(!bad, "M-R with random bases: primes of 1024/1536/2048 bits with p - 1 = 2^a m, a in 1..63, pass; %u big composites fail (%u bad)",
	       cases, bad);
	BN_free(p);
	BN_free(q);
	BN_free(t);
}

/* lambda and d for p, q with a big gcd(p - 1, q - 1) */
static void test_make_d(void)
{
	BIGNUM *p = BN_new(), *q = BN_new(), *add = BN_new(), *one = BN_new();
	BIGNUM *p1 = BN_new(), *q1 = BN_new(), *g = BN_new(), *lam = BN_new();
	BIGNUM *e = BN_new(), *d = BN_new(), *r = BN_new();
	u32 i, n = 16, bad = 0, tried = 0;
	u64 ok;

	BN_one(one);
	for (i = 0; i < 6; i++) {
		/* p = q = 1 mod add: add = 2^a f, f odd of 30..300 bits */
		BN_rand(add, 30 + 50 * (int)i, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD);
		BN_lshift(add, add, (int)(1 + 7 * i));
		do {
			BN_generate_prime_ex(p, 1024, 0, add, one, NULL);
		} while (!BN_is_bit_set(p, 1022));
		do {
			BN_generate_prime_ex(q, 1024, 0, add, one, NULL);
		} while (!BN_is_bit_set(q, 1022) || BN_cmp(q, p) >= 0);
		BN_set_word(e, 65537);
		memset(W->e, 0, sizeof(W->e));
		W->e[0] = 65537;
		limbs_of(W->p, n, p);
		limbs_of(W->q, n, q);
		ok = make_d(W, n, 1);
		BN_sub(p1, p, one);
		BN_sub(q1, q, one);
		BN_gcd(g, p1, q1, ctx);
		BN_mul(lam, p1, q1, ctx);
		BN_div(lam, NULL, lam, g, ctx);
		tried++;
		if (!BN_mod_inverse(d, e, lam, ctx)) {
			if (ok)
				bad++;
			continue;
		}
		if (!bn_eq_limbs(lam, W->lam, 2 * n) ||
		    (!bn_eq_limbs(d, W->d, 2 * n) && ok))
			bad++;
		BN_rshift(r, d, 1024);
		if ((!ok) != BN_is_zero(r))
			bad++;
	}
	tap_ok(!bad, "lambda = lcm(p - 1, q - 1) and d = e^-1 mod lambda against BN for %u pairs with gcd(p - 1, q - 1) up to 2^340 (%u bad)",
	       tried, bad);
	BN_free(p);
	BN_free(q);
	BN_free(add);
	BN_free(one);
	BN_free(p1);
	BN_free(q1);
	BN_free(g);
	BN_free(lam);
	BN_free(e);
	BN_free(d);
	BN_free(r);
}

/* ---- whole keys ---- */

struct key {
	u8 n[512], d[512], p[256], q[256], dp[256], dq[256], qinv[256];
};

static EVP_PKEY *import(const struct key *k, u32 bits, const u8 *e,
			size_t e_len)
{
	size_t nb = bits / 8, hb = bits / 16;
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	BIGNUM *v[8];
	OSSL_PARAM *params;
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *pkey = NULL;
	int i;

	v[0] = BN_bin2bn(k->n, (int)nb, NULL);
	v[1] = BN_bin2bn(e, (int)e_len, NULL);
	v[2] = BN_bin2bn(k->d, (int)nb, NULL);
	v[3] = BN_bin2bn(k->p, (int)hb, NULL);
	v[4] = BN_bin2bn(k->q, (int)hb, NULL);
	v[5] = BN_bin2bn(k->dp, (int)hb, NULL);
	v[6] = BN_bin2bn(k->dq, (int)hb, NULL);
	v[7] = BN_bin2bn(k->qinv, (int)hb, NULL);
	OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_N, v[0]);
	OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_E, v[1]);
	OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_D, v[2]);
	OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_FACTOR1, v[3]);
	OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_FACTOR2, v[4]);
	OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_EXPONENT1, v[5]);
	OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_EXPONENT2, v[6]);
	OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, v[7]);
	params = OSSL_PARAM_BLD_to_param(b);
	if (EVP_PKEY_fromdata_init(pc) != 1 ||
	    EVP_PKEY_fromdata(pc, &pkey, EVP_PKEY_KEYPAIR, params) != 1)
		pkey = NULL;
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(b);
	EVP_PKEY_CTX_free(pc);
	for (i = 0; i < 8; i++)
		BN_free(v[i]);
	return pkey;
}

/* FIPS 186-5 properties with BN; returns a description of the first failure */
static const char *check_props(const struct key *k, u32 bits, const u8 *e,
			       size_t e_len)
{
	size_t nb = bits / 8, hb = bits / 16;
	BIGNUM *n = BN_bin2bn(k->n, (int)nb, NULL), *d = BN_bin2bn(k->d, (int)nb, NULL);
	BIGNUM *p = BN_bin2bn(k->p, (int)hb, NULL), *q = BN_bin2bn(k->q, (int)hb, NULL);
	BIGNUM *dp = BN_bin2bn(k->dp, (int)hb, NULL), *dq = BN_bin2bn(k->dq, (int)hb, NULL);
	BIGNUM *qi = BN_bin2bn(k->qinv, (int)hb, NULL), *be = BN_bin2bn(e, (int)e_len, NULL);
	BIGNUM *t = BN_new(), *t2 = BN_new(), *p1 = BN_new(), *q1 = BN_new();
	BIGNUM *lam = BN_new();
	const char *why = NULL;

	BN_sub(p1, p, BN_value_one());
	BN_sub(q1, q, BN_value_one());
	BN_gcd(t, p1, q1, ctx);
	BN_mul(lam, p1, q1, ctx);
	BN_div(lam, NULL, lam, t, ctx);
	BN_mul(t, p, q, ctx);
	if (BN_num_bits(n) != (int)bits)
		why = "n has the wrong bit length";
	else if (BN_cmp(t, n))
		why = "n != p q";
	else if (BN_num_bits(p) != (int)bits / 2 || BN_num_bits(q) != (int)bits / 2 ||
		 !BN_is_bit_set(p, (int)bits / 2 - 2) ||
		 !BN_is_bit_set(q, (int)bits / 2 - 2))
		why = "p or q: wrong length or second bit clear";
	else if (BN_cmp(p, q) <= 0)
		why = "p <= q";
	else if (BN_check_prime(p, ctx, NULL) != 1 ||
		 BN_check_prime(q, ctx, NULL) != 1)
		why = "p or q composite";
	else if ((BN_sub(t, p, q), BN_num_bits(t) <= (int)bits / 2 - 100))
		why = "|p - q| <= 2^(bits/2 - 100)";
	else if ((BN_gcd(t, p1, be, ctx), !BN_is_one(t)) ||
		 (BN_gcd(t, q1, be, ctx), !BN_is_one(t)))
		why = "gcd(e, p - 1) or gcd(e, q - 1) != 1";
	else if ((BN_mod_mul(t, d, be, lam, ctx), !BN_is_one(t)))
		why = "d e != 1 mod lcm(p - 1, q - 1)";
	else if (BN_cmp(d, lam) >= 0)
		why = "d >= lcm";
	else if (BN_num_bits(d) <= (int)bits / 2)
		why = "d <= 2^(bits/2)";
	else if ((BN_mod(t, d, p1, ctx), BN_cmp(t, dp)) ||
		 (BN_mod(t, d, q1, ctx), BN_cmp(t, dq)))
		why = "dp or dq != d mod (p - 1), d mod (q - 1)";
	else if ((BN_mod_mul(t, qi, q, p, ctx), !BN_is_one(t)) ||
		 BN_cmp(qi, p) >= 0)
		why = "qinv q != 1 mod p";
	(void)t2;
	BN_free(n);
	BN_free(d);
	BN_free(p);
	BN_free(q);
	BN_free(dp);
	BN_free(dq);
	BN_free(qi);
	BN_free(be);
	BN_free(t);
	BN_free(t2);
	BN_free(p1);
	BN_free(q1);
	BN_free(lam);
	return why;
}

/* OpenSSL raw op with RSA_NO_PADDING: sign (private) or verify-recover */
static int ossl_raw(EVP_PKEY *pk, int priv, const u8 *in, size_t len, u8 *out)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
	size_t ol = len;
	int ok;

	if (priv)
		ok = EVP_PKEY_sign_init(c) == 1 &&
		     EVP_PKEY_CTX_set_rsa_padding(c, RSA_NO_PADDING) == 1 &&
		     EVP_PKEY_sign(c, out, &ol, in, len) == 1;
	else
		ok = EVP_PKEY_verify_recover_init(c) == 1 &&
		     EVP_PKEY_CTX_set_rsa_padding(c, RSA_NO_PADDING) == 1 &&
		     EVP_PKEY_verify_recover(c, out, &ol, in, len) == 1;
	EVP_PKEY_CTX_free(c);
	return ok && ol == len;
}

static void test_keys(u32 bits, int count, const u8 *e, size_t e_len,
		      const char *ename)
{
	static struct key k;
	struct kc_rsa_keygen_out out = {
		k.n, k.d, k.p, k.q, k.dp, k.dq, k.qinv,
	};
	size_t nb = bits / 8, hb = bits / 16;
	u8 m[512], s[512], v[512];
	double t0, tmin = 1e9, tmax = 0, tsum = 0, t;
	int i, ret, bad = 0;
	const char *why = NULL;

	for (i = 0; i < count; i++) {
		struct kc_rsa_priv priv = {
			k.n, e, k.d, k.p, k.q, k.dp, k.dq, k.qinv,
			nb, e_len, nb, hb, hb, hb, hb, hb,
		};
		struct kc_rsa_pub pub = { k.n, nb, e, e_len };
		EVP_PKEY *pk;
		EVP_PKEY_CTX *c;

		t0 = now();
		ret = kc_rsa_keygen(bits, e, e_len, &out, work);
		t = now() - t0;
		tsum += t;
		tmin = t < tmin ? t : tmin;
		tmax = t > tmax ? t : tmax;
		if (ret) {
			why = "kc_rsa_keygen failed";
			bad++;
			continue;
		}
		why = check_props(&k, bits, e, e_len);
		if (why) {
			bad++;
			continue;
		}
		pk = import(&k, bits, e, e_len);
		if (!pk) {
			why = "OpenSSL import failed";
			bad++;
			continue;
		}
		c = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
		if (EVP_PKEY_check(c) != 1 || EVP_PKEY_private_check(c) != 1 ||
		    EVP_PKEY_pairwise_check(c) != 1) {
			why = "OpenSSL EVP_PKEY_check/private/pairwise check failed";
			bad++;
		}
		EVP_PKEY_CTX_free(c);
		/* OpenSSL signs, the engine verifies; and the reverse */
		kc_random(m, nb);
		m[0] &= 0x7f;
		if (!ossl_raw(pk, 1, m, nb, s) ||
		    kc_rsa_public(&pub, s, v, work) || memcmp(v, m, nb)) {
			why = "OpenSSL raw signature does not verify with the engine";
			bad++;
		}
		kc_random(m, nb);
		m[0] &= 0x7f;
		if (kc_rsa_private(&priv, m, s, work) || !ossl_raw(pk, 0, s, nb, v) ||
		    memcmp(v, m, nb)) {
			why = "engine signature does not verify with OpenSSL";
			bad++;
		}
		EVP_PKEY_free(pk);
	}
	tap_ok(!bad, "RSA-%u, e = %s: %d keys pass FIPS 186-5 checks, OpenSSL check/pairwise, cross sign/verify (%d bad%s%s); keygen min %.0f avg %.0f max %.0f ms CPU",
	       bits, ename, count, bad, why ? ": " : "", why ? why : "",
	       tmin * 1e3, tsum / count * 1e3, tmax * 1e3);
}

static void test_negative(void)
{
	static struct key k;
	struct kc_rsa_keygen_out out = {
		k.n, k.d, k.p, k.q, k.dp, k.dq, k.qinv,
	};
	struct kc_rsa_keygen_out nul = out;
	static const u8 f4[] = { 1, 0, 1 }, even[] = { 1, 0, 2 }, e3[] = { 3 };
	static const u8 e65535[] = { 0xff, 0xff }, e1[] = { 1 };
	u8 big[33], lead[40];
	static const u32 badbits[] = { 0, 512, 1023, 1025, 2047, 2049, 3000, 4095, 8192, 65536 };
	u32 i;
	int bad = 0;

	for (i = 0; i < sizeof(badbits) / 4; i++)
		if (kc_rsa_keygen(badbits[i], f4, 3, &out, work) != KC_EINPUT)
			bad++;
	tap_ok(!bad, "bits 0, 512, 1023, 1025, 2047, 2049, 3000, 4095, 8192, 65536 refused");
	bad = 0;
	memset(big, 0, sizeof(big));
	big[0] = 1;
	big[32] = 1;				/* 2^256 + 1 */
	if (kc_rsa_keygen(2048, even, 3, &out, work) != KC_EINPUT ||
	    kc_rsa_keygen(2048, e3, 1, &out, work) != KC_EINPUT ||
	    kc_rsa_keygen(2048, e65535, 2, &out, work) != KC_EINPUT ||
	    kc_rsa_keygen(2048, e1, 1, &out, work) != KC_EINPUT ||
	    kc_rsa_keygen(2048, big, 33, &out, work) != KC_EINPUT ||
	    kc_rsa_keygen(2048, f4, 0, &out, work) != KC_EINPUT ||
	    kc_rsa_keygen(2048, NULL, 3, &out, work) != KC_EINPUT)
		bad++;
	memset(lead, 0, sizeof(lead));
	lead[39] = 1;
	lead[37] = 1;
	lead[5] = 0;				/* 65537 with 37 leading zeros: fine */
	memset(big, 0xff, sizeof(big));
	big[0] = 0;				/* 2^256 - 1 (33 bytes, leading 0) */
	nul.qinv = NULL;
	if (kc_rsa_keygen(2048, f4, 3, &nul, work) != KC_EINPUT ||
	    kc_rsa_keygen(2048, f4, 3, NULL, work) != KC_EINPUT)
		bad++;
	tap_ok(!bad, "e even, 3, 65535, 1, 2^256 + 1, empty, NULL and NULL outputs refused");
	tap_ok(!kc_rsa_keygen(2048, lead, sizeof(lead), &out, work) &&
	       !check_props(&k, 2048, lead, sizeof(lead)) &&
	       !kc_rsa_keygen(2048, big, sizeof(big), &out, work) &&
	       !check_props(&k, 2048, big, sizeof(big)),
	       "e = 65537 with 37 leading zero bytes and e = 2^256 - 1 (33 bytes) accepted");
}

static int all_zero(const u8 *p, size_t len)
{
	u8 acc = 0;

	while (len--)
		acc |= *p++;
	return !acc;
}

/* a failing pairwise test: KC_EFAULT and every output wiped */
static void test_pairwise_fault(void)
{
	static struct key k;
	struct kc_rsa_keygen_out out = {
		k.n, k.d, k.p, k.q, k.dp, k.dq, k.qinv,
	};
	static const u8 f4[] = { 1, 0, 1 };
	int f, r, bad = 0;

	for (f = 1; f <= 2; f++) {
		memset(&k, 0xa5, sizeof(k));
		kg_fault = f;
		r = kc_rsa_keygen(2048, f4, 3, &out, work);
		kg_fault = 0;
		if (r != KC_EFAULT || !all_zero(k.n, 256) || !all_zero(k.d, 256) ||
		    !all_zero(k.p, 128) || !all_zero(k.q, 128) ||
		    !all_zero(k.dp, 128) || !all_zero(k.dq, 128) ||
		    !all_zero(k.qinv, 128) || k.n[256] != 0xa5 || k.p[128] != 0xa5)
			bad++;
		if (!all_zero(work, sizeof(work)))
			bad++;
	}
	tap_ok(!bad, "pairwise test failing (CRT fault; wrong signature): KC_EFAULT, every output and the work area wiped (%d bad)",
	       bad);
}

int main(void)
{
	static const u8 f4[] = { 1, 0, 1 };
	static const u8 e17[] = { 0x02, 0x00, 0x01 };	/* 2^17 + 1 = 3 43691 */
	static const u8 eodd[] = { 0x4a, 0x00, 0x55 };	/* 3 5 7 11 13 17 19 (4849845) */
	u8 e256[32];
	const char *env = getenv("RSA_KEYGEN_N");
	int mul = env ? atoi(env) : 1;
	double t0 = now();

	if (mul < 1)
		mul = 1;
	ctx = BN_CTX_new();
	test_table();
	test_barrett();
	test_td();
	test_shifts();
	test_mod_inv();
	test_gcd_div();
	test_mr_small();
	test_mr_base2();
	printf("# helpers: %.1f s CPU\n", now() - t0);
	test_mr_big();
	printf("# big primes: %.1f s CPU\n", now() - t0);
	test_make_d();
	printf("# lambda: %.1f s CPU\n", now() - t0);
	test_negative();
	test_pairwise_fault();
	printf("# negatives: %.1f s CPU\n", now() - t0);

	test_keys(1024, 4 * mul, f4, sizeof(f4), "65537");
	test_keys(2048, 6 * mul, f4, sizeof(f4), "65537");
	test_keys(2048, 2 * mul, e17, sizeof(e17), "2^17 + 1 (= 3 * 43691)");
	test_keys(2048, 1 * mul, eodd, sizeof(eodd), "3 5 7 11 13 17 19");
	kc_random(e256, sizeof(e256));
	e256[0] |= 0x80;
	e256[31] |= 1;
	test_keys(2048, 1 * mul, e256, sizeof(e256), "random 256-bit");
	test_keys(3072, 3 * mul, f4, sizeof(f4), "65537");
	test_keys(4096, 2 * mul, f4, sizeof(f4), "65537");
	BN_CTX_free(ctx);
	printf("# rsa_keygen_test: %.1f s CPU\n", now() - t0);
	return tap_done();
}
