// SPDX-License-Identifier: GPL-2.0
/*
 * P-256 / P-384 / P-521 (CURVE_C) field, scalar and point internals (the template's static
 * functions, reached by including p256.c) against OpenSSL BN on edge
 * values: 0, 1, 2, m - 1, m - 2, m - 3, 2^(32k) and 2^(32k) - 1 from 2^64 up,
 * and random values; plus point-formula identities (completeness).
 */
#include <openssl/bn.h>
#ifndef CURVE_C
#define CURVE_C "p256.c"
#define CURVE_NAME "P-256"
#endif
#include CURVE_C
#include "tap.h"

#define NV 40

static void to_bn(BIGNUM *r, const u64 *a)
{
	unsigned char b[NB];

	mp_to_be(b, a);
	BN_bin2bn(b, NB, r);
}

static void from_bn(u64 *r, const BIGNUM *a)
{
	unsigned char b[NB];

	BN_bn2binpad(a, b, NB);
	mp_from_be(r, b);
}

/* edge values below modulus m */
static int edges(u64 v[NV][NL], const BIGNUM *m, BN_CTX *ctx)
{
	BIGNUM *x = BN_new();
	int n = 0, k;

	for (k = 0; k < 3; k++) {
		BN_set_word(x, k);
		from_bn(v[n++], x);
		BN_sub(x, m, BN_value_one());
		BN_sub_word(x, k);
		from_bn(v[n++], x);
	}
	for (k = 64; k < 64 * NL; k += 32) {
		BN_zero(x);
		BN_set_bit(x, k);
		BN_mod(x, x, m, ctx);
		from_bn(v[n++], x);
		BN_sub_word(x, 1);
		from_bn(v[n++], x);
	}
	while (n < NV) {
		BN_rand_range(x, m);
		from_bn(v[n++], x);
	}
	BN_free(x);
	return n;
}

static int eq_bn(const u64 *a, const BIGNUM *b)
{
	u64 t[NL];
	int i;

	from_bn(t, b);
	for (i = 0; i < NL; i++)
		if (t[i] != a[i])
			return 0;
	return 1;
}

/* out of line: at 9 limbs the inlined copies overflow field_ops' frame */
static noinline void t_mod_add(u64 *r, const u64 *a, const u64 *b,
			       const u64 *m)
{
	mod_add(r, a, b, m);
}

static noinline void t_mod_sub(u64 *r, const u64 *a, const u64 *b,
			       const u64 *m)
{
	mod_sub(r, a, b, m);
}

static void field_ops(const char *name, const BIGNUM *m, int scalar,
		      BN_CTX *ctx)
{
	static u64 v[NV][NL];
	u64 am[NL], bm[NL], r[NL];
	BIGNUM *a = BN_new(), *b = BN_new(), *w = BN_new();
	int i, j, bad_mul = 0, bad_add = 0, bad_sub = 0, bad_inv = 0;

	edges(v, m, ctx);
	for (i = 0; i < NV; i++) {
		to_bn(a, v[i]);
		scalar ? sc_to_mont(am, v[i]) : fe_to_mont(am, v[i]);
		for (j = 0; j < NV; j++) {
			to_bn(b, v[j]);
			scalar ? sc_to_mont(bm, v[j]) : fe_to_mont(bm, v[j]);
			scalar ? sc_mul(r, am, bm) : fe_mul(r, am, bm);
			scalar ? sc_from_mont(r, r) : fe_from_mont(r, r);
			BN_mod_mul(w, a, b, m, ctx);
			bad_mul += !eq_bn(r, w);
			t_mod_add(r, v[i], v[j], scalar ? sc_n : fe_p);
			BN_mod_add(w, a, b, m, ctx);
			bad_add += !eq_bn(r, w);
			t_mod_sub(r, v[i], v[j], scalar ? sc_n : fe_p);
			BN_mod_sub(w, a, b, m, ctx);
			bad_sub += !eq_bn(r, w);
		}
		if (BN_is_zero(a))
			continue;
		scalar ? sc_inv(r, am) : fe_inv(r, am);
		scalar ? sc_from_mont(r, r) : fe_from_mont(r, r);
		BN_mod_inverse(w, a, m, ctx);
		bad_inv += !eq_bn(r, w);
	}
	tap_ok(!bad_mul && !bad_add && !bad_sub,
	       "%s: mul/add/sub of %d x %d edge values match BN (%d/%d/%d bad)",
	       name, NV, NV, bad_mul, bad_add, bad_sub);
	tap_ok(!bad_inv, "%s: inverses match BN_mod_inverse (%d bad)", name, bad_inv);
	BN_free(a);
	BN_free(b);
	BN_free(w);
}

static int pt_eq(const struct pt *a, const struct pt *b)
{
	u64 ax[NL], ay[NL], bx[NL], by[NL];
	u64 ia = pt_to_affine(ax, ay, a), ib = pt_to_affine(bx, by, b);

	if (ia || ib)
		return ia == ib;
	return !memcmp(ax, bx, sizeof(ax)) && !memcmp(ay, by, sizeof(ay));
}

/* pt_dbl_n (Jacobian, in place) against j complete projective doublings */
static int dbl_n_check(const struct pt *p)
{
	struct pt a, b;
	int j, k, bad = 0;

	for (j = 1; j <= 6; j++) {
		a = *p;
		pt_dbl_n(&a, j);
		b = *p;
		for (k = 0; k < j; k++)
			pt_dbl(&b, &b);
		bad += !pt_eq(&a, &b);
	}
	return bad;
}

static void points(BN_CTX *ctx)
{
	struct pt g, p, q, r, s, id;
	u64 k[NL], nm1[NL];
	BIGNUM *x = BN_new(), *n = BN_new();
	int i, bad = 0, dbl_bad = 0;

	(void)ctx;
	pt_set_identity(&id);
	mp_copy(g.x, g_table[0][0][0]);
	mp_copy(g.y, g_table[0][0][1]);
	mp_copy(g.z, fe_one);
	to_bn(n, sc_n);
	BN_sub(x, n, BN_value_one());
	from_bn(nm1, x);
	for (i = 0; i < 200; i++) {
		if (i == 0) {
			mp_copy(k, nm1);
		} else if (i < 4) {
			BN_set_word(x, i);
			from_bn(k, x);
		} else {
			BN_rand_range(x, n);
			from_bn(k, x);
		}
		pt_mul_g(&p, k);
		pt_mul(&q, &g, k);
		bad += !pt_eq(&p, &q);		/* comb == ladder */
		pt_add(&r, &p, &p);
		pt_dbl(&s, &p);
		bad += !pt_eq(&r, &s);		/* P + P == 2P */
		r = p;
		fe_sub(r.y, (const u64[NL]){ 0 }, p.y);
		pt_add(&s, &p, &r);
		bad += !pt_eq(&s, &id);		/* P + (-P) == O */
		pt_add(&s, &p, &id);
		bad += !pt_eq(&s, &p);		/* P + O == P */
		pt_add(&s, &id, &p);
		bad += !pt_eq(&s, &p);
		pt_mul(&s, &p, nm1);		/* (n - 1) P == -P */
		bad += !pt_eq(&s, &r);
		dbl_bad += dbl_n_check(&p);
		if (i > 4) {			/* same point, other Z */
			from_bn(k, x);
			fe_mul(r.x, p.x, k);
			fe_mul(r.y, p.y, k);
			fe_mul(r.z, p.z, k);
			dbl_bad += dbl_n_check(&r);
		}
	}
	dbl_bad += dbl_n_check(&id);
	dbl_bad += dbl_n_check(&g);
	tap_ok(!dbl_bad, "Jacobian pt_dbl_n(P, j) == j projective doublings, j = 1..6, incl. identity and rescaled Z (%d bad)",
	       dbl_bad);
	pt_dbl(&s, &id);
	bad += !pt_eq(&s, &id);
	pt_add_affine(&s, &id, g.x, g.y);
	bad += !pt_eq(&s, &g);
	pt_add_affine(&s, &g, g.x, g.y);	/* mixed doubling case */
	pt_dbl(&r, &g);
	bad += !pt_eq(&s, &r);
	tap_ok(!bad, "point identities: comb == ladder, P+P == 2P, P-P == O, P+O == P, (n-1)P == -P (%d bad)",
	       bad);
	BN_free(x);
	BN_free(n);
}

int main(void)
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *m = BN_new();

	to_bn(m, fe_p);
	field_ops(CURVE_NAME " field", m, 0, ctx);
	to_bn(m, sc_n);
	field_ops(CURVE_NAME " scalars", m, 1, ctx);
	points(ctx);
	BN_free(m);
	BN_CTX_free(ctx);
	return tap_done();
}
