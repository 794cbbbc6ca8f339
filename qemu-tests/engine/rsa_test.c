// SPDX-License-Identifier: GPL-2.0
/*
 * RSA core of the engine (kmod/crypto/bn.c, rsa.c) against OpenSSL:
 *  - bn.h on edge and random values for many limb counts vs OpenSSL BN,
 *    once with the portable C Montgomery multiply and once with the
 *    MULX/ADX one (bn_adx.c, where the CPU has BMI2 and ADX); the two
 *    against each other on ADX_N (default 2000) random and edge operand
 *    pairs per limb count (multiples of 4 up to 64, all-ones moduli and
 *    operands, carries through every limb);
 *  - known answers read at test time from python3-cryptography-vectors
 *    (pkcs1v15sign-vectors.txt keys with CRT parts, FIPS 186-3 SigVer15
 *    keys with d, SigGen15 signatures through the public operation);
 *  - DIFF_N (default 10000) random inputs per size (2048/3072/4096), on
 *    the path kc_mont_init() picks (MULX/ADX where the CPU has it; then
 *    DIFF_N / 10 at 2048 bits on the C path too), for
 *    the private op (checked s^e == m with BN), the public op (vs
 *    BN_mod_exp), and (every 10th input) OpenSSL's raw private op vs the
 *    engine's public op;
 *  - negatives: malformed keys and inputs, the fault hook.
 */
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/core_names.h>
#include <ctype.h>
#include <stddef.h>
#include <time.h>
#include "bn.h"
#include "engine.h"
#include "rsa_internal.h"
#include "tap.h"

#define VEC "/usr/lib/python3/dist-packages/cryptography_vectors/asymmetric/RSA/"
#define MAXB (KC_RSA_MAX_PRIV_BITS / 8 + 8)	/* room for leading zeros */

static u64 work[KC_RSA_WORK_BYTES / 8];
static BN_CTX *bctx;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* limbs <-> BIGNUM, independent of kc_bn_from_be/to_be */
static BIGNUM *bn_of(const u64 *a, u32 n)
{
	static unsigned char b[8 * 2 * KC_BN_MAX_LIMBS + 8];
	u32 i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < 8; j++)
			b[8 * i + j] = (unsigned char)(a[i] >> (8 * j));
	return BN_lebin2bn(b, 8 * n, NULL);
}

static int limbs_of(u64 *r, u32 n, const BIGNUM *x)
{
	static unsigned char b[8 * 2 * KC_BN_MAX_LIMBS + 8];
	u32 i, j;

	if (BN_bn2lebinpad(x, b, 8 * n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		r[i] = 0;
		for (j = 0; j < 8; j++)
			r[i] |= (u64)b[8 * i + j] << (8 * j);
	}
	return 0;
}

static int eq_bn(const u64 *a, u32 n, const BIGNUM *x)
{
	BIGNUM *y = bn_of(a, n);
	int r = !BN_cmp(y, x);

	BN_free(y);
	return r;
}

static u64 rnd64(void)
{
	u64 v;

	kc_random(&v, sizeof(v));
	return v;
}

/* ---------------------------------------------------------------- bn */

#define NEDGE 12

/* edge operands below m: 0, 1, 2, m-1, m-2, limb boundaries, all-ones */
static int edge(u64 *a, const u64 *m, u32 n, int k)
{
	BIGNUM *bm = bn_of(m, n), *x = BN_new();
	int ok = 1;

	switch (k) {
	case 0: BN_zero(x); break;
	case 1: BN_one(x); break;
	case 2: BN_set_word(x, 2); break;
	case 3: BN_copy(x, bm); BN_sub_word(x, 1); break;
	case 4: BN_copy(x, bm); BN_sub_word(x, 2); break;
	case 5: BN_set_bit(x, 64 * (n / 2)); break;
	case 6: BN_set_bit(x, 64 * (n - 1)); BN_sub_word(x, 1); break;
	case 7: BN_set_bit(x, 64 * (n - 1)); break;
	case 8: BN_set_bit(x, 64); BN_sub_word(x, 1); break;	/* one ff limb */
	case 9: BN_set_bit(x, 64 * n - 1); BN_sub_word(x, 1); break;
	case 10: BN_rshift1(x, bm); break;
	default: BN_rand_range(x, bm); break;
	}
	if (BN_cmp(x, bm) >= 0 || BN_is_negative(x))
		ok = 0;		/* not an operand for this m */
	else
		limbs_of(a, n, x);
	BN_free(bm);
	BN_free(x);
	return ok;
}

/* modulus kinds: random full, small top limb, all-ones, 2^(64(n-1)) + 1 */
static void modulus(u64 *m, u32 n, int kind)
{
	u32 i;

	for (i = 0; i < n; i++)
		m[i] = rnd64();
	switch (kind) {
	case 0: m[n - 1] |= 1ull << 63; break;
	case 1: m[n - 1] = (m[n - 1] >> 40) | 1; break;
	case 2: for (i = 0; i < n; i++) m[i] = ~0ull; break;
	case 3:
		for (i = 0; i < n; i++)
			m[i] = 0;
		m[n - 1] = 1;
		break;
	}
	m[0] |= 1;
	if (n == 1 && kind == 3)
		m[0] = 3;
}

/* the Montgomery multiply in use (kc_user_bn_impl, kc_user.h) */
static const char *path = "auto";

static struct kc_mont mc;
static u64 A[2 * KC_BN_MAX_LIMBS], B[KC_BN_MAX_LIMBS], C[KC_BN_MAX_LIMBS];
static u64 E[KC_BN_MAX_LIMBS], T[KC_BN_EXP_TABLE_LIMBS(KC_BN_MAX_LIMBS)];

static void bn_size(u32 n, int nrand)
{
	static const char *kinds[] = { "random", "small-top", "all-ones",
				       "2^k+1" };
	int kind, i, j, bad[8] = { 0 }, cnt[8] = { 0 };
	const char *p = n % 4 ? "C" : path;
	BIGNUM *m, *R, *Ri, *x, *y, *z;

	for (kind = 0; kind < 4; kind++) {
		modulus(C, n, kind);
		if (kc_mont_init(&mc, C, n)) {
			tap_ok(0, "bn n=%u %s: kc_mont_init", n, kinds[kind]);
			continue;
		}
		/* the path asked for is the one taken */
		if (kc_user_bn_impl >= 0 &&
		    mc.adx != (u32)(kc_user_bn_impl && n % 4 == 0))
			bad[7]++;
		m = bn_of(C, n);
		R = BN_new();
		BN_set_bit(R, 64 * n);
		Ri = BN_mod_inverse(NULL, R, m, bctx);
		x = BN_new();
		y = BN_new();
		z = BN_new();
		/* R^2 mod m and m0inv */
		BN_mod_sqr(z, R, m, bctx);
		cnt[0]++;
		if (!eq_bn(mc.rr, n, z) || mc.m0inv * C[0] != ~0ull)
			bad[0]++;
		/* mul, sqr, to, from on edge x edge and random pairs */
		for (i = 0; i < NEDGE + nrand; i++) {
			for (j = 0; j < (i < NEDGE ? NEDGE : 1); j++) {
				int k = i < NEDGE ? j : NEDGE;

				if (!edge(A, C, n, i < NEDGE ? i : NEDGE) ||
				    !edge(B, C, n, k))
					continue;
				BN_free(x);
				BN_free(y);
				x = bn_of(A, n);
				y = bn_of(B, n);
				/* mul (and aliasing r = a) */
				BN_mod_mul(z, x, y, m, bctx);
				BN_mod_mul(z, z, Ri, m, bctx);
				kc_mont_mul(&mc, A + n, A, B);
				cnt[1]++;
				if (!eq_bn(A + n, n, z))
					bad[1]++;
				kc_mont_mul(&mc, B, A, B);
				if (!eq_bn(B, n, z))
					bad[1]++;
				/* sqr */
				BN_mod_sqr(z, x, m, bctx);
				BN_mod_mul(z, z, Ri, m, bctx);
				kc_mont_sqr(&mc, A + n, A);
				cnt[2]++;
				if (!eq_bn(A + n, n, z))
					bad[2]++;
				/* to, from */
				BN_mod_mul(z, x, R, m, bctx);
				kc_mont_to(&mc, A + n, A);
				cnt[3]++;
				if (!eq_bn(A + n, n, z))
					bad[3]++;
				kc_mont_from(&mc, A + n, A + n);
				if (!eq_bn(A + n, n, x))
					bad[3]++;
			}
		}
		/* reduce_wide: a < m R of 2n, n and fewer limbs, edges */
		for (i = 0; i < 4 + nrand; i++) {
			u32 an = i == 2 ? n : i == 3 ? (n + 1) / 2 : 2 * n;
			BIGNUM *mr = BN_new();

			BN_mul(mr, m, R, bctx);
			if (i == 0)
				BN_zero(x);
			else if (i == 1)
				BN_sub(x, mr, BN_value_one());
			else
				BN_rand_range(x, mr);
			if (an < 2 * n)
				BN_mask_bits(x, 64 * an);
			limbs_of(A, an, x);
			BN_mod(z, x, m, bctx);
			kc_mont_reduce_wide(&mc, B, A, an);
			cnt[4]++;
			if (!eq_bn(B, n, z))
				bad[4]++;
			BN_free(mr);
		}
		/* exp (secret) and exp_vartime: edge exponents and random */
		for (i = 0; i < 6; i++) {
			u32 el = i < 3 ? 1 : i == 3 ? n : 1 + (u32)(rnd64() % n);

			if (!edge(A, C, n, i == 0 ? 1 : NEDGE))
				continue;
			for (j = 0; j < (int)el; j++)
				E[j] = rnd64();
			if (i == 0)
				E[0] = 0;
			if (i == 1)
				E[0] = 1;
			if (i == 2)
				E[0] = ~0ull;
			BN_free(x);
			BN_free(y);
			x = bn_of(A, n);
			y = bn_of(E, el);
			BN_mod_exp(z, x, y, m, bctx);
			kc_mont_exp(&mc, B, A, E, el, T);
			cnt[5]++;
			if (!eq_bn(B, n, z))
				bad[5]++;
			if (el <= 2 || i < 4) {
				kc_mont_exp_vartime(&mc, B, A, E, el);
				cnt[6]++;
				if (!eq_bn(B, n, z))
					bad[6]++;
			}
		}
		BN_free(m);
		BN_free(R);
		BN_free(Ri);
		BN_free(x);
		BN_free(y);
		BN_free(z);
	}
	tap_ok(!bad[0] && !bad[7], "bn n=%u %s: R^2 mod m and -m^-1 mod 2^64 (%d moduli), path as asked", n, p, cnt[0]);
	tap_ok(!bad[1], "bn n=%u %s: kc_mont_mul vs BN (%d cases, edges x edges, %d bad)", n, p, cnt[1], bad[1]);
	tap_ok(!bad[2], "bn n=%u %s: kc_mont_sqr vs BN (%d cases, %d bad)", n, p, cnt[2], bad[2]);
	tap_ok(!bad[3], "bn n=%u %s: kc_mont_to/from vs BN (%d cases, %d bad)", n, p, cnt[3], bad[3]);
	tap_ok(!bad[4], "bn n=%u %s: kc_mont_reduce_wide vs BN_mod (%d cases, %d bad)", n, p, cnt[4], bad[4]);
	tap_ok(!bad[5], "bn n=%u %s: kc_mont_exp vs BN_mod_exp (%d cases, %d bad)", n, p, cnt[5], bad[5]);
	tap_ok(!bad[6], "bn n=%u %s: kc_mont_exp_vartime vs BN_mod_exp (%d cases, %d bad)", n, p, cnt[6], bad[6]);
}

/*
 * MULX/ADX against the portable C on one context (mc.adx flipped), random
 * and edge operands: all-ones limbs, m - 1, values with one full limb,
 * moduli of all-ones limbs and 2^(64(n-1)) + 1, so every carry chain of
 * the assembly runs full length. Both must also agree with BN.
 */
static void adx_vs_c(int per)
{
	static u64 r1[KC_BN_MAX_LIMBS], r2[KC_BN_MAX_LIMBS];
	static u64 s1[KC_BN_MAX_LIMBS], s2[KC_BN_MAX_LIMBS];
	int it, bad = 0, bad_bn = 0, cnt = 0;
	u32 n, i;

	for (n = 4; n <= KC_BN_MAX_LIMBS; n += 4) {
		for (it = 0; it < per; it++) {
			int kind = it % 4;

			modulus(C, n, kind);
			if (kc_mont_init(&mc, C, n) || !mc.adx) {
				bad++;
				continue;
			}
			/* operands: random, all-ones below the top limb, m - 1, edges */
			for (i = 0; i < n; i++) {
				A[i] = rnd64();
				B[i] = rnd64();
			}
			switch (it / 4 % 6) {
			case 0:
				break;
			case 1:
				for (i = 0; i < n; i++)
					A[i] = B[i] = ~0ull;
				break;
			case 2:
				memcpy(A, C, 8 * n);
				A[0]--;
				memcpy(B, A, 8 * n);
				break;
			case 3:
				for (i = 0; i < n; i++)
					A[i] = ~0ull;
				memcpy(B, C, 8 * n);
				B[0] -= 2;
				break;
			default:
				edge(A, C, n, (int)(rnd64() % NEDGE));
				edge(B, C, n, (int)(rnd64() % NEDGE));
			}
			/* reduce below m: clear top bits until a, b < m */
			while (!kc_bn_lt_mask(A, C, n))
				A[n - 1] >>= 1;
			while (!kc_bn_lt_mask(B, C, n))
				B[n - 1] >>= 1;
			mc.adx = 1;
			kc_mont_mul(&mc, r1, A, B);
			kc_mont_sqr(&mc, s1, A);
			mc.adx = 0;
			kc_mont_mul(&mc, r2, A, B);
			kc_mont_sqr(&mc, s2, A);
			cnt++;
			if (memcmp(r1, r2, 8 * n) || memcmp(s1, s2, 8 * n))
				bad++;
			if (it < 16) {	/* and BN, on a few per size */
				BIGNUM *m = bn_of(C, n), *x = bn_of(A, n);
				BIGNUM *y = bn_of(B, n), *z = BN_new();
				BIGNUM *R = BN_new(), *Ri;

				BN_set_bit(R, 64 * n);
				Ri = BN_mod_inverse(NULL, R, m, bctx);
				BN_mod_mul(z, x, y, m, bctx);
				BN_mod_mul(z, z, Ri, m, bctx);
				if (!eq_bn(r1, n, z))
					bad_bn++;
				BN_mod_mul(z, x, x, m, bctx);
				BN_mod_mul(z, z, Ri, m, bctx);
				if (!eq_bn(s1, n, z))
					bad_bn++;
				BN_free(m);
				BN_free(x);
				BN_free(y);
				BN_free(z);
				BN_free(R);
				BN_free(Ri);
			}
		}
	}
	tap_ok(!bad && !bad_bn,
	       "bn: MULX/ADX kc_mont_mul and kc_mont_sqr == C for n = 4, 8, .., 64 (%d operand pairs, %d differ; %d vs BN wrong)",
	       cnt, bad, bad_bn);
}

static void bn_misc(void)
{
	static unsigned char be[8 * KC_BN_MAX_LIMBS + 16], out[8 * KC_BN_MAX_LIMBS + 16];
	int i, bad = 0, bad2 = 0;
	u32 n;

	for (i = 0; i < 2000; i++) {
		BIGNUM *x, *y, *z;
		u32 len, j;
		u64 c, mask;

		n = 1 + (u32)(rnd64() % KC_BN_MAX_LIMBS);
		len = (u32)(rnd64() % (8 * n + 1));
		kc_random(be, len);
		if (i % 3 == 0 && len)
			be[0] = 0;
		if (kc_bn_from_be(A, n, be, len)) {
			bad++;
			continue;
		}
		x = BN_bin2bn(be, (int)len, NULL);
		if (!eq_bn(A, n, x))
			bad++;
		kc_bn_to_be(out, 8 * n, A, n);
		y = BN_bin2bn(out, 8 * n, NULL);
		if (BN_cmp(x, y))
			bad++;
		/* too long with a non-zero leading byte must fail, zeros fit */
		memset(be, 0, 9);
		kc_random(be + 9, 8 * n);
		if (kc_bn_from_be(A, n, be, 8 * n + 9) ||
		    !eq_bn(A, n, (BN_free(y), y = BN_bin2bn(be, 8 * n + 9, NULL))))
			bad++;
		be[3] = 1;
		if (kc_bn_from_be(A, n, be, 8 * n + 9) != KC_EINPUT)
			bad++;
		/* add, sub, lt, zero, select, mul, bits */
		for (j = 0; j < n; j++) {
			A[j] = i % 5 == 0 ? ~0ull : rnd64();
			B[j] = i % 7 == 0 ? ~0ull : rnd64();
		}
		if (i % 11 == 0)
			memcpy(B, A, 8 * n);
		BN_free(x);
		BN_free(y);
		x = bn_of(A, n);
		y = bn_of(B, n);
		z = BN_new();
		c = kc_bn_add(C, A, B, n);
		BN_add(z, x, y);
		BN_mask_bits(z, 64 * n);
		if (!eq_bn(C, n, z))
			bad2++;
		BN_add(z, x, y);
		if (c != (u64)BN_is_bit_set(z, 64 * n))
			bad2++;
		c = kc_bn_sub(C, A, B, n);
		if (c != (u64)(BN_cmp(x, y) < 0))
			bad2++;
		BN_sub(z, x, y);
		if (BN_is_negative(z)) {
			BIGNUM *t = BN_new();

			BN_set_bit(t, 64 * n);
			BN_add(z, z, t);
			BN_free(t);
		}
		if (!eq_bn(C, n, z))
			bad2++;
		mask = kc_bn_lt_mask(A, B, n);
		if (mask != (BN_cmp(x, y) < 0 ? ~0ull : 0))
			bad2++;
		if (kc_bn_zero_mask(A, n) != (BN_is_zero(x) ? ~0ull : 0))
			bad2++;
		memset(C, 0, 8 * n);
		if (kc_bn_zero_mask(C, n) != ~0ull)
			bad2++;
		kc_bn_select(C, A, B, ~0ull, n);
		if (memcmp(C, A, 8 * n))
			bad2++;
		kc_bn_select(C, A, B, 0, n);
		if (memcmp(C, B, 8 * n))
			bad2++;
		if (n <= KC_BN_MAX_LIMBS / 2 + 8) {
			u32 bn2 = 1 + (u32)(rnd64() % n);

			kc_bn_mul(A + n, A, n, B, bn2);
			BN_free(y);
			y = bn_of(B, bn2);
			BN_mul(z, x, y, bctx);
			if (!eq_bn(A + n, n + bn2, z))
				bad2++;
		}
		if (kc_bn_bits_vartime(A, n) != (u32)BN_num_bits(x))
			bad2++;
		BN_free(x);
		BN_free(y);
		BN_free(z);
	}
	tap_ok(!bad, "bn: from_be/to_be vs BN, leading zeros, too-long input refused (2000 cases, %d bad)", bad);
	tap_ok(!bad2, "bn: add/sub/lt/zero/select/mul/bits vs BN (2000 cases, %d bad)", bad2);
}

/* ------------------------------------------------------------ keys */

struct key {
	unsigned char n[MAXB], e[MAXB], d[MAXB], p[MAXB], q[MAXB];
	unsigned char dp[MAXB], dq[MAXB], qinv[MAXB];
	int nl, el, dl, pl, ql, dpl, dql, qil;
};

static void pub_of(const struct key *k, struct kc_rsa_pub *pub)
{
	pub->n = k->n;
	pub->n_len = k->nl;
	pub->e = k->e;
	pub->e_len = k->el;
}

static void priv_of(const struct key *k, struct kc_rsa_priv *pr, int crt)
{
	memset(pr, 0, sizeof(*pr));
	pr->n = k->n;
	pr->n_len = k->nl;
	pr->e = k->e;
	pr->e_len = k->el;
	pr->d = k->d;
	pr->d_len = k->dl;
	if (crt) {
		pr->p = k->p;
		pr->p_len = k->pl;
		pr->q = k->q;
		pr->q_len = k->ql;
		pr->dp = k->dp;
		pr->dp_len = k->dpl;
		pr->dq = k->dq;
		pr->dq_len = k->dql;
		pr->qinv = k->qinv;
		pr->qinv_len = k->qil;
	}
}

static int bin(const BIGNUM *x, unsigned char *out)
{
	return BN_bn2bin(x, out);
}

/* fill the CRT parts from n, e, d, p, q with BN */
static void crt_from_pq(struct key *k)
{
	BIGNUM *p = BN_bin2bn(k->p, k->pl, NULL), *q = BN_bin2bn(k->q, k->ql, NULL);
	BIGNUM *d = BN_bin2bn(k->d, k->dl, NULL), *t = BN_new(), *r = BN_new();

	BN_sub(t, p, BN_value_one());
	BN_mod(r, d, t, bctx);
	k->dpl = bin(r, k->dp);
	BN_sub(t, q, BN_value_one());
	BN_mod(r, d, t, bctx);
	k->dql = bin(r, k->dq);
	BN_mod_inverse(r, q, p, bctx);
	k->qil = bin(r, k->qinv);
	BN_free(p);
	BN_free(q);
	BN_free(d);
	BN_free(t);
	BN_free(r);
}

/* both directions on one value: private(public(S)) == S, CRT and d-only */
static int roundtrip(const struct key *k, const unsigned char *s, int have_crt)
{
	struct kc_rsa_pub pub;
	struct kc_rsa_priv pr;
	unsigned char em[MAXB], s2[MAXB];
	int len = k->n[0] ? k->nl : k->nl - 1;

	pub_of(k, &pub);
	if (kc_rsa_public(&pub, s, em, work))
		return 0;
	if (have_crt) {
		priv_of(k, &pr, 1);
		if (kc_rsa_private(&pr, em, s2, work) || memcmp(s, s2, len))
			return 0;
	}
	priv_of(k, &pr, 0);
	if (kc_rsa_private(&pr, em, s2, work) || memcmp(s, s2, len))
		return 0;
	return 1;
}

/* hex lines following a "# Label:" line of pkcs1v15sign-vectors.txt */
static int read_hex_block(FILE *f, unsigned char *out, int max)
{
	char line[512];
	int n = 0;

	while (fgets(line, sizeof(line), f)) {
		char *p = line;
		unsigned int v;
		int used;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		while (sscanf(p, "%2x%n", &v, &used) == 1) {
			if (n < max)
				out[n++] = (unsigned char)v;
			p += used;
			while (isspace((unsigned char)*p))
				p++;
		}
	}
	return n;
}

static void kat_pkcs1(void)
{
	FILE *f = fopen(VEC "pkcs1v15sign-vectors.txt", "r");
	static struct key k;
	char line[512];
	int priv = 0, keys = 0, sigs = 0, bad = 0, em_bad = 0;
	unsigned char s[MAXB], em[MAXB];

	if (!f) {
		tap_ok(0, "open pkcs1v15sign-vectors.txt");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "# Example", 9) &&
		    strstr(line, "key pair")) {
			memset(&k, 0, sizeof(k));
			priv = 0;
			keys++;
		} else if (!strncmp(line, "# Private key", 13)) {
			priv = 1;
		} else if (!strncmp(line, "# Modulus:", 10)) {
			k.nl = read_hex_block(f, k.n, MAXB);
		} else if (!strncmp(line, "# Public exponent:", 18)) {
			k.el = read_hex_block(f, k.e, MAXB);
		} else if (!strncmp(line, "# Exponent:", 11)) {
			if (priv)
				k.dl = read_hex_block(f, k.d, MAXB);
			else
				k.el = read_hex_block(f, k.e, MAXB);
		} else if (!strncmp(line, "# Prime 1:", 10)) {
			k.pl = read_hex_block(f, k.p, MAXB);
		} else if (!strncmp(line, "# Prime 2:", 10)) {
			k.ql = read_hex_block(f, k.q, MAXB);
		} else if (!strncmp(line, "# Prime exponent 1:", 19)) {
			k.dpl = read_hex_block(f, k.dp, MAXB);
		} else if (!strncmp(line, "# Prime exponent 2:", 19)) {
			k.dql = read_hex_block(f, k.dq, MAXB);
		} else if (!strncmp(line, "# Coefficient:", 14)) {
			k.qil = read_hex_block(f, k.qinv, MAXB);
		} else if (!strncmp(line, "# Signature:", 12)) {
			struct kc_rsa_pub pub;
			struct kc_rsa_priv pr;
			int sl = read_hex_block(f, s, MAXB);

			sigs++;
			pub_of(&k, &pub);
			priv_of(&k, &pr, 1);
			if (sl != k.nl || kc_rsa_check_priv(&pr, work) ||
			    !roundtrip(&k, s, 1))
				bad++;
			/* EM = 00 01 ff .. ff 00 DigestInfo(SHA-1) */
			if (kc_rsa_public(&pub, s, em, work) || em[0] ||
			    em[1] != 1 || em[2] != 0xff ||
			    em[k.nl - 36] != 0 || em[k.nl - 35] != 0x30)
				em_bad++;
		}
	}
	fclose(f);
	tap_ok(keys == 15 && sigs == 300 && !bad,
	       "pkcs1v15sign-vectors: %d keys (1024..2048 bits), %d signatures: check_priv, private(public(S)) == S with CRT and with d (%d bad)",
	       keys, sigs, bad);
	tap_ok(sigs == 300 && !em_bad,
	       "pkcs1v15sign-vectors: public(S) is a PKCS#1 v1.5 SHA-1 block (%d bad)",
	       em_bad);
}

static const char *field(const char *line, const char *name)
{
	size_t l = strlen(name);

	if (strncmp(line, name, l) || strncmp(line + l, " = ", 3))
		return NULL;
	return line + l + 3;
}

static int hexval(const char *h, unsigned char *out)
{
	int n = unhex(h, out, MAXB);

	if (n < 0) {
		/* upper-case hex is fine for sscanf; odd lengths are not */
		return -1;
	}
	return n;
}

/* SigVer15_186-3: keys with p, q, e, d; records with Result = P */
static void kat_sigver(void)
{
	FILE *f = fopen(VEC "FIPS_186-2/SigVer15_186-3.rsp", "r");
	static struct key k;
	static char line[4096];
	unsigned char s[MAXB];
	int recs = 0, bad = 0, sizes[5] = { 0 }, have_s = 0, i;
	const char *v;

	if (!f) {
		tap_ok(0, "open SigVer15_186-3.rsp");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if ((v = field(line, "n"))) {
			memset(&k, 0, sizeof(k));
			k.nl = hexval(v, k.n);
		} else if ((v = field(line, "p"))) {
			k.pl = hexval(v, k.p);
		} else if ((v = field(line, "q"))) {
			k.ql = hexval(v, k.q);
		} else if ((v = field(line, "e"))) {
			k.el = hexval(v, k.e);
		} else if ((v = field(line, "d"))) {
			k.dl = hexval(v, k.d);
			crt_from_pq(&k);
		} else if ((v = field(line, "S"))) {
			have_s = hexval(v, s) == k.nl;
		} else if ((v = field(line, "Result")) && have_s) {
			struct kc_rsa_priv pr;

			have_s = 0;
			if (v[0] != 'P')
				continue;	/* e may have been changed */
			recs++;
			priv_of(&k, &pr, 1);
			if (kc_rsa_check_priv(&pr, work) ||
			    !roundtrip(&k, s, 1))
				bad++;
			for (i = 0; i < 5; i++)
				if (k.nl * 8 == (int[]){1024, 1536, 2048, 3072, 4096}[i])
					sizes[i]++;
		}
	}
	fclose(f);
	tap_ok(recs >= 30 && !bad && sizes[2] && sizes[3] && sizes[4],
	       "SigVer15_186-3: %d valid signatures (%d/%d/%d/%d/%d of 1024/1536/2048/3072/4096 bits): check_priv, private(public(S)) == S with d and with CRT parts from p, q (%d bad)",
	       recs, sizes[0], sizes[1], sizes[2], sizes[3], sizes[4], bad);
}

/* SigGen15_186-3: public(S) == 00 01 ff.. 00 DigestInfo H(Msg) */
static void kat_siggen(void)
{
	static const struct {
		const char *name;
		unsigned char pre[19];
		int plen;
	} di[] = {
		{ "SHA1", { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e,
			    0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14 }, 15 },
		{ "SHA224", { 0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86,
			      0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05,
			      0x00, 0x04, 0x1c }, 19 },
		{ "SHA256", { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86,
			      0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
			      0x00, 0x04, 0x20 }, 19 },
		{ "SHA384", { 0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86,
			      0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05,
			      0x00, 0x04, 0x30 }, 19 },
		{ "SHA512", { 0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86,
			      0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05,
			      0x00, 0x04, 0x40 }, 19 },
	};
	FILE *f = fopen(VEC "FIPS_186-2/SigGen15_186-3.rsp", "r");
	static struct key k;
	static char line[4096];
	static unsigned char msg[4096];
	unsigned char s[MAXB], em[MAXB], want[MAXB], h[64];
	int recs = 0, bad = 0, alg = -1, ml = 0, i;
	const char *v;

	if (!f) {
		tap_ok(0, "open SigGen15_186-3.rsp");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if ((v = field(line, "n"))) {
			k.nl = hexval(v, k.n);
		} else if ((v = field(line, "e"))) {
			k.el = hexval(v, k.e);
		} else if ((v = field(line, "SHAAlg"))) {
			alg = -1;
			for (i = 0; i < 5; i++)
				if (!strncmp(v, di[i].name, strlen(di[i].name)) &&
				    isspace((unsigned char)v[strlen(di[i].name)]))
					alg = i;
		} else if ((v = field(line, "Msg"))) {
			ml = unhex(v, msg, sizeof(msg));
		} else if ((v = field(line, "S"))) {
			struct kc_rsa_pub pub;
			unsigned int hl;
			int t;

			recs++;
			if (alg < 0 || ml < 0 || hexval(v, s) != k.nl) {
				bad++;
				continue;
			}
			EVP_Digest(msg, ml, h, &hl,
				   EVP_get_digestbyname(di[alg].name), NULL);
			t = di[alg].plen + (int)hl;
			memset(want, 0xff, k.nl);
			want[0] = 0;
			want[1] = 1;
			want[k.nl - t - 1] = 0;
			memcpy(want + k.nl - t, di[alg].pre, di[alg].plen);
			memcpy(want + k.nl - hl, h, hl);
			pub_of(&k, &pub);
			if (kc_rsa_public(&pub, s, em, work) ||
			    memcmp(em, want, k.nl))
				bad++;
		}
	}
	fclose(f);
	tap_ok(recs == 250 && !bad,
	       "SigGen15_186-3: public(S) == EMSA-PKCS1-v1_5(Msg) for %d signatures, 1024..4096 bits, SHA-1..SHA-512 (%d bad)",
	       recs, bad);
}

/* ------------------------------------------------------ differential */

static int get_bn(EVP_PKEY *pk, const char *name, unsigned char *out)
{
	BIGNUM *b = NULL;
	int n;

	if (!EVP_PKEY_get_bn_param(pk, name, &b))
		return -1;
	n = BN_bn2bin(b, out);
	BN_free(b);
	return n;
}

static EVP_PKEY *ossl_gen(int bits, unsigned long e, struct key *k)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *pk = NULL;
	BIGNUM *be = BN_new();

	BN_set_word(be, e);
	if (!c || EVP_PKEY_keygen_init(c) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(c, bits) <= 0 ||
	    EVP_PKEY_CTX_set1_rsa_keygen_pubexp(c, be) <= 0 ||
	    EVP_PKEY_keygen(c, &pk) <= 0)
		pk = NULL;
	EVP_PKEY_CTX_free(c);
	BN_free(be);
	if (!pk)
		return NULL;
	k->nl = get_bn(pk, OSSL_PKEY_PARAM_RSA_N, k->n);
	k->el = get_bn(pk, OSSL_PKEY_PARAM_RSA_E, k->e);
	k->dl = get_bn(pk, OSSL_PKEY_PARAM_RSA_D, k->d);
	k->pl = get_bn(pk, OSSL_PKEY_PARAM_RSA_FACTOR1, k->p);
	k->ql = get_bn(pk, OSSL_PKEY_PARAM_RSA_FACTOR2, k->q);
	k->dpl = get_bn(pk, OSSL_PKEY_PARAM_RSA_EXPONENT1, k->dp);
	k->dql = get_bn(pk, OSSL_PKEY_PARAM_RSA_EXPONENT2, k->dq);
	k->qil = get_bn(pk, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, k->qinv);
	return pk;
}

/* @z = @k with one leading zero byte on every number (Java's encoding). */
static void zero_pad(const struct key *k, struct key *z)
{
	static const size_t off[] = {
		offsetof(struct key, n), offsetof(struct key, e),
		offsetof(struct key, d), offsetof(struct key, p),
		offsetof(struct key, q), offsetof(struct key, dp),
		offsetof(struct key, dq), offsetof(struct key, qinv),
	};
	const int *len = &k->nl;
	int *zlen = &z->nl;
	unsigned int i;

	for (i = 0; i < 8; i++) {
		unsigned char *dst = (unsigned char *)z + off[i];
		const unsigned char *src = (const unsigned char *)k + off[i];

		dst[0] = 0;
		memcpy(dst + 1, src, len[i]);
		zlen[i] = len[i] + 1;
	}
}

/*
 * 8192-bit public operations (the largest public key): random odd moduli
 * with the top bit set, e = 65537 and e = 3, engine == BN_mod_exp, also
 * with n given with a leading zero byte; 8193 bits refused.
 */
static void pub8192(int per)
{
	static unsigned char n[1025], x[1024], y[1024], o[1024];
	static const unsigned char e65537[] = { 1, 0, 1 }, e3[] = { 3 };
	BIGNUM *bn = BN_new(), *bx = BN_new(), *bz = BN_new();
	BIGNUM *be = BN_new();
	struct kc_rsa_pub pub = { .n = n + 1, .n_len = 1024 };
	int i, bad = 0, cnt = 0;

	for (i = 0; i < per; i++) {
		BN_rand(bn, 8192, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD);
		BN_bn2binpad(bn, n + 1, 1024);
		n[0] = 0;
		pub.e = i & 1 ? e3 : e65537;
		pub.e_len = i & 1 ? 1 : 3;
		BN_bin2bn(pub.e, pub.e_len, be);
		BN_rand_range(bx, bn);
		BN_bn2binpad(bx, x, 1024);
		BN_mod_exp(bz, bx, be, bn, bctx);
		BN_bn2binpad(bz, o, 1024);
		pub.n = i & 2 ? n : n + 1;
		pub.n_len = i & 2 ? 1025 : 1024;
		cnt++;
		if (kc_rsa_check_pub(&pub) || kc_rsa_public(&pub, x, y, work) ||
		    memcmp(o, y, 1024))
			bad++;
	}
	n[0] = 1;
	pub.n = n;
	pub.n_len = 1025;
	if (kc_rsa_check_pub(&pub) != KC_EINPUT)
		bad++;
	BN_free(bn);
	BN_free(bx);
	BN_free(bz);
	BN_free(be);
	tap_ok(!bad, "RSA-8192 %s: %d engine public ops == BN_mod_exp (n with and without a leading zero byte), 8193 bits refused (%d bad)",
	       path, cnt, bad);
}

#define DIFF_KEYS 3

static void diff(int bits, int total)
{
	static const unsigned long es[DIFF_KEYS] = { 65537, 3, 0x10001 * 2 + 1 };
	static struct key k, kz;
	static unsigned char x[MAXB], s[MAXB], y[MAXB], o[MAXB];
	int i, ki, bad_priv = 0, bad_pub = 0, bad_rev = 0, bad_d = 0, cnt = 0;
	int nd = 0, nrev = 0, nz = 0, bad_z = 0;
	double t0 = now();
	clock_t c0 = clock();

	for (ki = 0; ki < DIFF_KEYS; ki++) {
		EVP_PKEY *pk = ossl_gen(bits, es[ki], &k);
		EVP_PKEY_CTX *dc = pk ? EVP_PKEY_CTX_new(pk, NULL) : NULL;
		struct kc_rsa_pub pub;
		struct kc_rsa_priv pr, prd, prz;
		BIGNUM *n, *e, *bx, *bs = BN_new(), *bz = BN_new();
		int per = total / DIFF_KEYS + (ki < total % DIFF_KEYS);

		if (!dc || EVP_PKEY_decrypt_init(dc) <= 0 ||
		    EVP_PKEY_CTX_set_rsa_padding(dc, RSA_NO_PADDING) <= 0) {
			tap_ok(0, "RSA-%d: OpenSSL key %d", bits, ki);
			continue;
		}
		pub_of(&k, &pub);
		priv_of(&k, &pr, 1);
		priv_of(&k, &prd, 0);
		n = BN_bin2bn(k.n, k.nl, NULL);
		e = BN_bin2bn(k.e, k.el, NULL);
		if (kc_rsa_check_priv(&pr, work) || kc_rsa_check_priv(&prd, work))
			bad_priv++;
		zero_pad(&k, &kz);
		priv_of(&kz, &prz, 1);
		if (kc_rsa_check_priv(&prz, work))
			bad_z++;
		for (i = 0; i < per; i++) {
			size_t ol = sizeof(o);

			bx = BN_new();
			BN_rand_range(bx, n);
			if (i == 0)
				BN_zero(bx);
			if (i == 1)
				BN_one(bx);
			if (i == 2)
				BN_sub(bx, n, BN_value_one());
			BN_bn2binpad(bx, x, k.nl);
			cnt++;
			/* engine private: s^e == x (mod n) */
			if (kc_rsa_private(&pr, x, s, work)) {
				bad_priv++;
			} else {
				BN_bin2bn(s, k.nl, bs);
				BN_mod_exp(bz, bs, e, n, bctx);
				if (BN_cmp(bz, bx) || BN_cmp(bs, n) >= 0)
					bad_priv++;
			}
			/* every number with a leading zero: same s */
			if (i % 50 == 0) {
				nz++;
				if (kc_rsa_private(&prz, x, y, work) ||
				    memcmp(s, y, k.nl))
					bad_z++;
			}
			/* d-only path on every 200th input: same s */
			if (i % 200 == 0) {
				nd++;
				if (kc_rsa_private(&prd, x, y, work) ||
				    memcmp(s, y, k.nl))
					bad_d++;
			}
			/* engine public vs BN_mod_exp */
			BN_mod_exp(bz, bx, e, n, bctx);
			BN_bn2binpad(bz, o, k.nl);
			if (kc_rsa_public(&pub, x, y, work) ||
			    memcmp(o, y, k.nl))
				bad_pub++;
			/*
			 * OpenSSL raw private, engine public gives x back; on
			 * every 10th input (OpenSSL's private op would be a
			 * third of the runtime; the public op is already
			 * compared with BN_mod_exp on every input)
			 */
			if (i % 10 == 0) {
				nrev++;
				if (EVP_PKEY_decrypt(dc, o, &ol, x, k.nl) <= 0 ||
				    (int)ol != k.nl ||
				    kc_rsa_public(&pub, o, y, work) ||
				    memcmp(x, y, k.nl))
					bad_rev++;
			}
			BN_free(bx);
		}
		BN_free(n);
		BN_free(e);
		BN_free(bs);
		BN_free(bz);
		EVP_PKEY_CTX_free(dc);
		EVP_PKEY_free(pk);
	}
	tap_ok(!bad_priv && cnt == total,
	       "RSA-%d %s: %d engine private ops (CRT, %d keys, e = 65537/3/131075) checked s^e == x with BN (%d bad)",
	       bits, path, cnt, DIFF_KEYS, bad_priv);
	tap_ok(!bad_d, "RSA-%d %s: %d d-only private ops equal the CRT result (%d bad)",
	       bits, path, nd, bad_d);
	tap_ok(!bad_z, "RSA-%d %s: keys with a leading zero byte on every number pass check_priv and give the same %d results (%d bad)",
	       bits, path, nz, bad_z);
	tap_ok(!bad_pub, "RSA-%d %s: %d engine public ops == BN_mod_exp (%d bad)",
	       bits, path, cnt, bad_pub);
	tap_ok(!bad_rev, "RSA-%d %s: %d OpenSSL raw private ops (RSA_NO_PADDING) undone by the engine public op (%d bad)",
	       bits, path, nrev, bad_rev);
	printf("# RSA-%d %s differential: %d cases in %.1f s (%.1f s CPU, OpenSSL keygen and checks included)\n",
	       bits, path, cnt, now() - t0, (double)(clock() - c0) / CLOCKS_PER_SEC);
}

/* -------------------------------------------------------- negatives */

static void negatives(void)
{
	static struct key k, b;
	struct kc_rsa_pub pub;
	struct kc_rsa_priv pr;
	unsigned char x[MAXB], o[MAXB];
	EVP_PKEY *pk = ossl_gen(2048, 65537, &k);
	int i, ok;

	if (!pk) {
		tap_ok(0, "negatives: OpenSSL key");
		return;
	}
	EVP_PKEY_free(pk);
	pub_of(&k, &pub);
	priv_of(&k, &pr, 1);
	tap_ok(!kc_rsa_check_pub(&pub) && !kc_rsa_check_priv(&pr, work),
	       "valid 2048-bit key passes check_pub and check_priv (CRT)");
	priv_of(&k, &pr, 0);
	tap_ok(!kc_rsa_check_priv(&pr, work), "valid key passes check_priv (d only)");

	/* input >= n */
	priv_of(&k, &pr, 1);
	memcpy(x, k.n, k.nl);
	memset(o, 0xaa, sizeof(o));
	ok = kc_rsa_private(&pr, x, o, work) == KC_EINPUT &&
	     kc_rsa_public(&pub, x, o, work) == KC_EINPUT;
	memset(x, 0xff, k.nl);
	ok &= kc_rsa_private(&pr, x, o, work) == KC_EINPUT &&
	      kc_rsa_public(&pub, x, o, work) == KC_EINPUT;
	memcpy(x, k.n, k.nl);
	x[k.nl - 1]--;
	ok &= !kc_rsa_private(&pr, x, o, work) && !kc_rsa_public(&pub, x, o, work);
	tap_ok(ok, "input == n and all-ones refused (KC_EINPUT), n - 1 accepted");

	/* malformed public keys */
	b = k;
	b.n[b.nl - 1] ^= 1;
	pub_of(&b, &pub);
	ok = kc_rsa_check_pub(&pub) == KC_EINPUT;
	priv_of(&b, &pr, 1);
	ok &= kc_rsa_private(&pr, x, o, work) == KC_EINPUT &&
	      kc_rsa_public(&pub, x, o, work) == KC_EINPUT &&
	      kc_rsa_check_priv(&pr, work) == KC_EINPUT;
	tap_ok(ok, "even n refused by check_pub, check_priv, public, private");
	b = k;
	b.nl = 127;		/* 1016 bits */
	b.n[126] |= 1;
	pub_of(&b, &pub);
	ok = kc_rsa_check_pub(&pub) == KC_EINPUT;
	b = k;
	b.n[0] = 0x7f;
	memcpy(b.n, k.n + 128, 128);	/* 1023 bits, odd */
	b.n[0] = 0x7f;
	b.nl = 128;
	pub_of(&b, &pub);
	ok &= kc_rsa_check_pub(&pub) == KC_EINPUT;
	b.n[0] = 0x80;
	ok &= kc_rsa_check_pub(&pub) == 0;	/* 1024 bits is fine */
	{
		static unsigned char big[1026];
		struct kc_rsa_pub bp = { .n = big, .e = k.e, .e_len = k.el };
		struct kc_rsa_priv bpr = { .n = big, .e = k.e, .e_len = k.el,
					   .d = big, .d_len = 512 };
		size_t kb;
		u32 nbits, ebits;

		/* 4097 bits: a public key, not a private one */
		big[0] = 1;
		memset(big + 1, 0xff, 512);
		bp.n_len = bpr.n_len = 513;
		ok &= kc_rsa_check_pub(&bp) == 0 &&
		      kc_rsa_pub_info(&bp, &kb, &nbits, &ebits) == 0 &&
		      kb == 513 && nbits == 4097 && ebits == 17;
		ok &= kc_rsa_check_priv(&bpr, work) == KC_EINPUT &&
		      kc_rsa_private(&bpr, big + 1, o, work) == KC_EINPUT;
		big[0] = 0;
		bpr.n_len = 513;	/* leading zero: 4096 bits */
		ok &= kc_rsa_check_pub(&bp) == 0;
		/* 8192 bits (with two leading zero bytes), 8193 bits */
		memset(big, 0, 2);
		memset(big + 2, 0xff, 1024);
		bp.n_len = 1026;
		ok &= kc_rsa_pub_info(&bp, &kb, &nbits, &ebits) == 0 &&
		      kb == 1024 && nbits == 8192;
		big[1] = 1;
		ok &= kc_rsa_check_pub(&bp) == KC_EINPUT;
	}
	tap_ok(ok, "n of 1016/1023/8193 bits refused (private: above 4096), 1024, 4096, 4097 and 8192 (with leading zero bytes) accepted");
	b = k;
	pub_of(&b, &pub);
	b.e[b.el - 1] ^= 1;
	ok = kc_rsa_check_pub(&pub) == KC_EINPUT;
	b.e[0] = 1;
	b.el = 1;
	ok &= kc_rsa_check_pub(&pub) == KC_EINPUT;
	pub.e_len = 1;
	b.e[0] = 3;
	ok &= kc_rsa_check_pub(&pub) == 0;
	pub.e = b.n;
	pub.e_len = b.nl;
	ok &= kc_rsa_check_pub(&pub) == KC_EINPUT;	/* e = n */
	pub.e_len = 0;
	ok &= kc_rsa_check_pub(&pub) == KC_EINPUT;
	tap_ok(ok, "e even, e = 1, e = n, empty e refused; e = 3 accepted");

	/* malformed CRT keys: check_priv catches them */
	b = k;
	b.p[b.pl - 1] ^= 2;	/* n != p q */
	priv_of(&b, &pr, 1);
	ok = kc_rsa_check_priv(&pr, work) == KC_EINPUT;
	memset(o, 0xaa, sizeof(o));
	i = kc_rsa_private(&pr, x, o, work);
	ok &= i == KC_EFAULT && !o[0] && !memcmp(o, o + 1, k.nl - 1);
	tap_ok(ok, "n != p q: check_priv refuses, private returns KC_EFAULT with a zeroed output");
	b = k;
	b.qinv[b.qil - 1] ^= 1;	/* wrong qinv */
	priv_of(&b, &pr, 1);
	ok = kc_rsa_check_priv(&pr, work) == KC_EINPUT;
	memset(o, 0xaa, sizeof(o));
	ok &= kc_rsa_private(&pr, x, o, work) == KC_EFAULT && !o[0] &&
	      !memcmp(o, o + 1, k.nl - 1);
	tap_ok(ok, "wrong qinv: check_priv refuses, private returns KC_EFAULT, output zeroed");
	b = k;
	memcpy(b.dp, b.p, b.pl);	/* dp = p */
	b.dpl = b.pl;
	priv_of(&b, &pr, 1);
	ok = kc_rsa_check_priv(&pr, work) == KC_EINPUT;
	b = k;
	b.dq[b.dql - 1] ^= 2;
	priv_of(&b, &pr, 1);
	ok &= kc_rsa_check_priv(&pr, work) == KC_EINPUT;
	b = k;
	b.d[b.dl - 1] ^= 2;
	priv_of(&b, &pr, 0);
	ok &= kc_rsa_check_priv(&pr, work) == KC_EINPUT;
	memset(o, 0xaa, sizeof(o));
	ok &= kc_rsa_private(&pr, x, o, work) == KC_EFAULT && !o[0] &&
	      !memcmp(o, o + 1, k.nl - 1);
	b = k;
	b.e[b.el - 1] = 3;	/* e does not match d */
	priv_of(&b, &pr, 1);
	ok &= kc_rsa_check_priv(&pr, work) == KC_EINPUT;
	tap_ok(ok, "dp = p, wrong dq, wrong d, e not matching d: check_priv refuses; wrong d gives KC_EFAULT");
	priv_of(&k, &pr, 0);
	pr.d = NULL;
	ok = kc_rsa_check_priv(&pr, work) == KC_EINPUT &&
	     kc_rsa_private(&pr, x, o, work) == KC_EINPUT;
	tap_ok(ok, "key with neither CRT parts nor d refused");

	/* fault hook: a corrupted CRT half never yields a signature */
	for (i = 0; i < 2; i++) {
		priv_of(&k, &pr, !i);
		memset(o, 0xaa, sizeof(o));
		ok = kc_rsa_private_fault(&pr, x, o, work, 1) == KC_EFAULT &&
		     !o[0] && !memcmp(o, o + 1, k.nl - 1);
		ok &= !kc_rsa_private_fault(&pr, x, o, work, 0) && o[0] != 0xaa;
		tap_ok(ok, "fault hook (%s): KC_EFAULT and an all-zero output; fault = 0 signs",
		       i ? "d only" : "CRT half mod p");
	}
}

int main(void)
{
	static const u32 sizes[] = { 1, 2, 3, 4, 8, 12, 16, 17, 20, 24, 28,
				     32, 40, 48, 56, 64 };
	const char *s = getenv("DIFF_N"), *sa = getenv("ADX_N");
	int dn = s ? atoi(s) : 10000, nr = dn / 20;
	int an = sa ? atoi(sa) : 2000;
	int adx = kc_cpu_mulx_adx_hw(), impl;
	unsigned int i;
	double t0;

	bctx = BN_CTX_new();
	if (nr < 50)
		nr = 50;
	t0 = now();
	for (impl = 0; impl <= adx; impl++) {
		kc_user_bn_impl = impl;
		path = impl ? "MULX/ADX" : "C";
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
			bn_size(sizes[i], nr);
	}
	kc_user_bn_impl = -1;
	if (adx)
		adx_vs_c(an);
	else
		tap_ok(1, "# SKIP MULX/ADX vs C: the CPU has no BMI2/ADX");
	bn_misc();
	printf("# bn tests: %.1f s\n", now() - t0);
	path = adx ? "MULX/ADX" : "C";
	printf("# Montgomery multiply for the RSA runs below: %s\n", path);
	kat_pkcs1();
	kat_sigver();
	kat_siggen();
	negatives();
	diff(1024, dn / 10 > 3 ? dn / 10 : 3);
	diff(2048, dn);
	diff(3072, dn);
	diff(4096, dn);
	pub8192(dn / 500 > 8 ? dn / 500 : 8);
	if (adx) {
		kc_user_bn_impl = 0;
		path = "C";
		diff(2048, dn / 10 > 3 ? dn / 10 : 3);
		kc_user_bn_impl = -1;
	}
	BN_CTX_free(bctx);
	return tap_done();
}
