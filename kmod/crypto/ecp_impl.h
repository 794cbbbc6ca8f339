/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prime-curve template (short Weierstrass, a = -3, cofactor 1), included
 * once per curve by p256.c / p384.c after the curve's generated constants
 * (tools/gen_tables.py): FE_LIMBS, FE_P, FE_P0INV, FE_RR, FE_ONE, FE_B,
 * FE_PM2, SC_N, SC_N0INV, SC_RR, SC_NM2, G_WBITS, G_WINDOWS, G_ENTRIES
 * and g_table.
 *
 * Field and scalar elements: FE_LIMBS little-endian 64-bit limbs, always
 * fully reduced; field elements in Montgomery form (a * 2^(64 * FE_LIMBS)).
 * Points: homogeneous projective (X : Y : Z), identity (0 : 1 : 0), with
 * the complete formulas of Renes, Costello and Batina, "Complete addition
 * formulas for prime order elliptic curves" (EUROCRYPT 2016), algorithms
 * 4, 5 and 6, so no input is exceptional.
 *
 * Constant time: every function that may see a secret (field and scalar
 * arithmetic, fixed-base comb with masked table scans, the signed-window
 * ladder for ECDH) has no secret-dependent branch or index. Functions
 * named *_vartime see public data only (signature verification).
 */
#define NL FE_LIMBS
/*
 * Encoded length (bytes) of coordinates and scalars, and the bit length
 * of n: NL * 8 and 64 NL unless the curve says otherwise (P-521: 66
 * bytes, 521 bits, in 9 limbs).
 */
#ifdef FE_BYTES
#define NB FE_BYTES
#else
#define NB (NL * 8)
#endif
#ifndef SC_BITS
#define SC_BITS (8 * NB)
#endif
/* signed base-16 digits of a scalar < n for the variable-base ladder */
#define SC_NIBBLES ((SC_BITS + 3) / 4)

static const u64 fe_p[NL] = FE_P;
static const u64 fe_rr[NL] = FE_RR;
static const u64 fe_one[NL] = FE_ONE;
static const u64 fe_b[NL] = FE_B;
#ifndef FE_INV_CUSTOM
static const u64 fe_pm2[NL] = FE_PM2;
#endif
static const u64 sc_n[NL] = SC_N;
static const u64 sc_rr[NL] = SC_RR;
static const u64 sc_nm2[NL] = SC_NM2;
static const u64 fe_sqrt_exp[NL] = FE_SQRT_EXP;	/* (p + 1) / 4 */
static const u64 mp_zero[NL];
static const u64 mp_one[NL] = { 1 };

struct pt {
	u64 x[NL], y[NL], z[NL];
};

/* ---- multi-precision helpers (constant time) ---- */

static inline void mp_copy(u64 *r, const u64 *a)
{
	int i;

#pragma GCC unroll 16
	for (i = 0; i < NL; i++)
		r[i] = a[i];
}

/* r = a if mask is all-ones, unchanged if mask is 0 */
static inline void mp_cmov(u64 *r, const u64 *a, u64 mask)
{
	int i;

#pragma GCC unroll 16
	for (i = 0; i < NL; i++)
		r[i] ^= mask & (r[i] ^ a[i]);
}

static inline u64 mp_is_zero(const u64 *a)
{
	u64 acc = 0;
	int i;

#pragma GCC unroll 16
	for (i = 0; i < NL; i++)
		acc |= a[i];
	return kc_mask_zero(acc);
}

/* r = a - b, returns the borrow (0 or 1) */
static inline u64 mp_sub(u64 *r, const u64 *a, const u64 *b)
{
	u64 borrow = 0;
	int i;

#pragma GCC unroll 16
	for (i = 0; i < NL; i++)
		SBB(r[i], a[i], b[i], borrow);
	return borrow;
}

/* all-ones if a < m */
static inline u64 mp_lt(const u64 *a, const u64 *m)
{
	u64 t[NL];

	return 0 - mp_sub(t, a, m);
}

/* NB big-endian bytes to NL limbs (limb bytes past NB are zero) */
static inline void mp_from_be(u64 *r, const u8 *in)
{
	int i, j;

#pragma GCC unroll 16
	for (i = 0; i < NL; i++) {
		u64 v = 0;

		for (j = 7; j >= 0; j--)
			if (8 * i + j < NB)
				v = v << 8 | in[NB - 1 - 8 * i - j];
		r[i] = v;
	}
}

/* the low NB bytes of a, big-endian */
static inline void mp_to_be(u8 *out, const u64 *a)
{
	int i, j;

#pragma GCC unroll 16
	for (i = 0; i < NL; i++)
		for (j = 0; j < 8; j++)
			if (8 * i + j < NB)
				out[NB - 1 - 8 * i - j] = (u8)(a[i] >> (8 * j));
}

/* r = a + b mod m (a, b < m) */
static __always_inline void mod_add(u64 *r, const u64 *a, const u64 *b,
				    const u64 *m)
{
	u64 s[NL], t[NL], carry = 0, borrow;
	int i;

#pragma GCC unroll 16
	for (i = 0; i < NL; i++)
		ADC(s[i], a[i], b[i], carry);
	borrow = mp_sub(t, s, m);
	/* keep s only if s < m, i.e. borrow and no carry */
	mp_cmov(t, s, 0 - (borrow & (carry ^ 1)));
	mp_copy(r, t);
}

/* r = a - b mod m (a, b < m) */
static __always_inline void mod_sub(u64 *r, const u64 *a, const u64 *b,
				    const u64 *m)
{
	u64 mask = 0 - mp_sub(r, a, b), carry = 0;
	int i;

#pragma GCC unroll 16
	for (i = 0; i < NL; i++)
		ADC(r[i], r[i], m[i] & mask, carry);
}

/*
 * Montgomery product a * b / 2^(64 NL) mod m (CIOS), a, b < m. Each row
 * adds the low halves of the products in one carry chain and the high
 * halves in a second one (adc chains on x86-64, see arith.h).
 */
static __always_inline void mont_mul(u64 *r, const u64 *a, const u64 *b,
				     const u64 *m, u64 minv)
{
	u64 t[NL + 2], s[NL], lo[NL], hi[NL], c, u, keep;
	int i, j;

#pragma GCC unroll 16
	for (i = 0; i < NL + 2; i++)
		t[i] = 0;
#pragma GCC unroll 16
	for (i = 0; i < NL; i++) {
		/* t += a b[i] */
#pragma GCC unroll 16
		for (j = 0; j < NL; j++)
			MUL(lo[j], hi[j], a[j], b[i]);
		c = 0;
#pragma GCC unroll 16
		for (j = 0; j < NL; j++)
			ADC(t[j], t[j], lo[j], c);
		ADC(t[NL], t[NL], 0, c);
		t[NL + 1] = c;
		c = 0;
#pragma GCC unroll 16
		for (j = 0; j < NL; j++)
			ADC(t[j + 1], t[j + 1], hi[j], c);
		t[NL + 1] += c;
		/* t += u m, which clears t[0]; then t >>= 64 */
		u = t[0] * minv;
#pragma GCC unroll 16
		for (j = 0; j < NL; j++)
			MUL(lo[j], hi[j], u, m[j]);
		c = 0;
#pragma GCC unroll 16
		for (j = 0; j < NL; j++)
			ADC(t[j], t[j], lo[j], c);
		ADC(t[NL], t[NL], 0, c);
		t[NL + 1] += c;
		c = 0;
#pragma GCC unroll 16
		for (j = 0; j < NL; j++)
			ADC(t[j + 1], t[j + 1], hi[j], c);
		t[NL + 1] += c;
#pragma GCC unroll 16
		for (j = 0; j <= NL; j++)
			t[j] = t[j + 1];
		t[NL + 1] = 0;
	}
	keep = 0 - (mp_sub(s, t, m) & (t[NL] ^ 1));
	mp_cmov(s, t, keep);
	mp_copy(r, s);
}

/*
 * r = a^e in the Montgomery domain for a public exponent e (4-bit fixed
 * window); @mul, @sqr are fe_mul, fe_sqr or sc_mul, sc_sqr, @one the
 * Montgomery 1.
 */
static noinline void mont_pow(u64 *r, const u64 *a, const u64 *e, const u64 *one,
		     void (*mul)(u64 *r, const u64 *a, const u64 *b),
		     void (*sqr)(u64 *r, const u64 *a))
{
	u64 tab[16][NL], acc[NL];
	int i, j, first = 1;

	mp_copy(tab[0], one);
	mp_copy(tab[1], a);
	for (i = 2; i < 16; i++)
		mul(tab[i], tab[i - 1], a);
	mp_copy(acc, one);
	for (i = NL * 16 - 1; i >= 0; i--) {
		unsigned int d = (e[i / 16] >> (4 * (i % 16))) & 15;

		if (!first)
			for (j = 0; j < 4; j++)
				sqr(acc, acc);
		if (d) {	/* public exponent: branch is fine */
			mul(acc, acc, tab[d]);
			first = 0;
		}
	}
	mp_copy(r, acc);
	kc_wipe(tab, sizeof(tab));
	kc_wipe(acc, sizeof(acc));
}

/* ---- field GF(p) ---- */

#ifndef FE_MUL_CUSTOM
static noinline void fe_mul(u64 *r, const u64 *a, const u64 *b)
{
	mont_mul(r, a, b, fe_p, FE_P0INV);
}
#endif

#ifndef FE_SQR_CUSTOM
static void fe_sqr(u64 *r, const u64 *a)
{
	fe_mul(r, a, a);
}
#endif

#ifndef FE_ADD_CUSTOM
static noinline void fe_add(u64 *r, const u64 *a, const u64 *b)
{
	mod_add(r, a, b, fe_p);
}

static noinline void fe_sub(u64 *r, const u64 *a, const u64 *b)
{
	mod_sub(r, a, b, fe_p);
}
#endif

static inline void fe_to_mont(u64 *r, const u64 *a)
{
	fe_mul(r, a, fe_rr);
}

static inline void fe_from_mont(u64 *r, const u64 *a)
{
	fe_mul(r, a, mp_one);
}

#ifndef FE_INV_CUSTOM
/* r = 1/a (Fermat, a^(p-2)); 0 maps to 0 */
static void fe_inv(u64 *r, const u64 *a)
{
	mont_pow(r, a, fe_pm2, fe_one, fe_mul, fe_sqr);
}
#endif

/* ---- scalars mod n ---- */

#ifndef SC_MUL_CUSTOM
static noinline void sc_mul(u64 *r, const u64 *a, const u64 *b)
{
	mont_mul(r, a, b, sc_n, SC_N0INV);
}
#endif

#ifndef SC_SQR_CUSTOM
static void sc_sqr(u64 *r, const u64 *a)
{
	sc_mul(r, a, a);
}
#endif

static inline void sc_to_mont(u64 *r, const u64 *a)
{
	sc_mul(r, a, sc_rr);
}

static inline void sc_from_mont(u64 *r, const u64 *a)
{
	sc_mul(r, a, mp_one);
}

/* r = 1/a mod n in the Montgomery domain (Fermat, a^(n-2)) */
static void sc_inv(u64 *r, const u64 *a)
{
	u64 one[NL];

	sc_to_mont(one, mp_one);
	mont_pow(r, a, sc_nm2, one, sc_mul, sc_sqr);
}

/* all-ones if the big-endian scalar is in [1, n - 1] */
static u64 sc_ok_be(const u8 *s)
{
	u64 a[NL], ok;

	mp_from_be(a, s);
	ok = mp_lt(a, sc_n) & ~mp_is_zero(a);
	kc_wipe(a, sizeof(a));
	return ok;
}

/*
 * bits2int(digest) mod n, qlen = SC_BITS: the leftmost qlen bits of a
 * digest longer than that (P-521: a digest of 66 bytes or more is
 * shifted right by 7 bits after its first 66 bytes are taken)
 */
static void sc_from_digest(u64 *r, const u8 *digest, size_t len)
{
	u8 buf[NB];
	u64 t[NL];
	size_t i;

	for (i = 0; i < NB; i++)
		buf[i] = 0;
	if (len > NB)
		len = NB;		/* leftmost 8 NB bits */
	for (i = 0; i < len; i++)
		buf[NB - len + i] = digest[i];
	mp_from_be(r, buf);
#if SC_BITS < 8 * NB
	if (len == NB) {	/* public length: 8 NB - SC_BITS more bits */
		for (i = 0; i < NL - 1; i++)
			r[i] = r[i] >> (8 * NB - SC_BITS) |
			       r[i + 1] << (64 - (8 * NB - SC_BITS));
		r[NL - 1] >>= 8 * NB - SC_BITS;
	}
#endif
	/* r < 2^qlen < 2n: one conditional subtraction */
	mp_cmov(r, t, ~(0 - mp_sub(t, r, sc_n)));
}

static void sc_digest_mod_n(const u8 *digest, size_t len, u8 *out)
{
	u64 e[NL];

	sc_from_digest(e, digest, len);
	mp_to_be(out, e);
}

/* ---- points ---- */

static inline void pt_cmov(struct pt *r, const struct pt *a, u64 mask)
{
	mp_cmov(r->x, a->x, mask);
	mp_cmov(r->y, a->y, mask);
	mp_cmov(r->z, a->z, mask);
}

static inline void pt_set_identity(struct pt *r)
{
	int i;

#pragma GCC unroll 16
	for (i = 0; i < NL; i++)
		r->x[i] = r->z[i] = 0;
	mp_copy(r->y, fe_one);
}

/* RCB16 algorithm 4: r = a + b, complete (r may alias a or b) */
static void pt_add(struct pt *r, const struct pt *a, const struct pt *b)
{
	u64 xx[NL], yy[NL], zz[NL], xy[NL], yz[NL], xz[NL], t0[NL], t1[NL];
	u64 ymb[NL], ypb[NL], bxz[NL], x3z[NL];

	fe_mul(xx, a->x, b->x);
	fe_mul(yy, a->y, b->y);
	fe_mul(zz, a->z, b->z);
	fe_add(t0, a->x, a->y);
	fe_add(t1, b->x, b->y);
	fe_mul(xy, t0, t1);
	fe_add(t0, xx, yy);
	fe_sub(xy, xy, t0);		/* X1Y2 + X2Y1 */
	fe_add(t0, a->y, a->z);
	fe_add(t1, b->y, b->z);
	fe_mul(yz, t0, t1);
	fe_add(t0, yy, zz);
	fe_sub(yz, yz, t0);		/* Y1Z2 + Y2Z1 */
	fe_add(t0, a->x, a->z);
	fe_add(t1, b->x, b->z);
	fe_mul(xz, t0, t1);
	fe_add(t0, xx, zz);
	fe_sub(xz, xz, t0);		/* X1Z2 + X2Z1 */

	fe_mul(t0, fe_b, zz);
	fe_sub(t0, xz, t0);
	fe_add(t1, t0, t0);
	fe_add(t0, t1, t0);		/* 3 (xz - b zz) */
	fe_sub(ymb, yy, t0);
	fe_add(ypb, yy, t0);
	fe_add(t1, zz, zz);
	fe_add(t1, t1, zz);		/* 3 zz */
	fe_mul(t0, fe_b, xz);
	fe_sub(t0, t0, t1);
	fe_sub(t0, t0, xx);
	fe_add(bxz, t0, t0);
	fe_add(bxz, bxz, t0);		/* 3 (b xz - 3 zz - xx) */
	fe_add(x3z, xx, xx);
	fe_add(x3z, x3z, xx);
	fe_sub(x3z, x3z, t1);		/* 3 xx - 3 zz */

	fe_mul(t0, ypb, xy);
	fe_mul(t1, yz, bxz);
	fe_sub(r->x, t0, t1);
	fe_mul(t0, ypb, ymb);
	fe_mul(t1, x3z, bxz);
	fe_add(r->y, t0, t1);
	fe_mul(t0, ymb, yz);
	fe_mul(t1, xy, x3z);
	fe_add(r->z, t0, t1);
}

/*
 * RCB16 algorithm 5: r = a + (bx, by) with an affine b that is not the
 * identity; complete otherwise (r may alias a).
 */
static void pt_add_affine(struct pt *r, const struct pt *a,
			  const u64 *bx, const u64 *by)
{
	u64 xx[NL], yy[NL], xy[NL], yz[NL], xz[NL], t0[NL], t1[NL];
	u64 ymb[NL], ypb[NL], bxz[NL], x3z[NL];

	fe_mul(xx, a->x, bx);
	fe_mul(yy, a->y, by);
	fe_add(t0, a->x, a->y);
	fe_add(t1, bx, by);
	fe_mul(xy, t0, t1);
	fe_add(t0, xx, yy);
	fe_sub(xy, xy, t0);
	fe_mul(yz, by, a->z);
	fe_add(yz, yz, a->y);
	fe_mul(xz, bx, a->z);
	fe_add(xz, xz, a->x);

	fe_mul(t0, fe_b, a->z);
	fe_sub(t0, xz, t0);
	fe_add(t1, t0, t0);
	fe_add(t0, t1, t0);
	fe_sub(ymb, yy, t0);
	fe_add(ypb, yy, t0);
	fe_add(t1, a->z, a->z);
	fe_add(t1, t1, a->z);
	fe_mul(t0, fe_b, xz);
	fe_sub(t0, t0, t1);
	fe_sub(t0, t0, xx);
	fe_add(bxz, t0, t0);
	fe_add(bxz, bxz, t0);
	fe_add(x3z, xx, xx);
	fe_add(x3z, x3z, xx);
	fe_sub(x3z, x3z, t1);

	fe_mul(t0, ypb, xy);
	fe_mul(t1, yz, bxz);
	fe_sub(r->x, t0, t1);
	fe_mul(t0, ypb, ymb);
	fe_mul(t1, x3z, bxz);
	fe_add(r->y, t0, t1);
	fe_mul(t0, ymb, yz);
	fe_mul(t1, xy, x3z);
	fe_add(r->z, t0, t1);
}

/* RCB16 algorithm 6: r = 2a, complete (r may alias a) */
static void pt_dbl(struct pt *r, const struct pt *a)
{
	u64 xx[NL], yy[NL], zz[NL], xy2[NL], xz2[NL], yz2[NL], t0[NL];
	u64 t1[NL], ymb[NL], ypb[NL], bxz[NL], x3z[NL];

	fe_sqr(xx, a->x);
	fe_sqr(yy, a->y);
	fe_sqr(zz, a->z);
	fe_mul(xy2, a->x, a->y);
	fe_add(xy2, xy2, xy2);
	fe_mul(xz2, a->x, a->z);
	fe_add(xz2, xz2, xz2);
	fe_mul(yz2, a->y, a->z);
	fe_add(yz2, yz2, yz2);

	fe_mul(t0, fe_b, zz);
	fe_sub(t0, t0, xz2);
	fe_add(t1, t0, t0);
	fe_add(t0, t1, t0);		/* 3 (b zz - 2 xz) */
	fe_sub(ymb, yy, t0);
	fe_add(ypb, yy, t0);
	fe_add(t1, zz, zz);
	fe_add(t1, t1, zz);		/* 3 zz */
	fe_mul(t0, fe_b, xz2);
	fe_sub(t0, t0, t1);
	fe_sub(t0, t0, xx);
	fe_add(bxz, t0, t0);
	fe_add(bxz, bxz, t0);
	fe_add(x3z, xx, xx);
	fe_add(x3z, x3z, xx);
	fe_sub(x3z, x3z, t1);

	fe_mul(t0, ymb, xy2);
	fe_mul(t1, bxz, yz2);
	fe_sub(r->x, t0, t1);
	fe_mul(t0, ypb, ymb);
	fe_mul(t1, x3z, bxz);
	fe_add(r->y, t0, t1);
	fe_mul(t0, yz2, yy);
	fe_add(t0, t0, t0);
	fe_add(r->z, t0, t0);
}

/*
 * r = 2^n r by n doublings in Jacobian coordinates (X/Z^2, Y/Z^3):
 * "dbl-2001-b" of Bernstein and Lange's Explicit-Formulas Database for
 * a = -3, 3M + 5S each against 8M + 3S + 2 multiplications by b for
 * RCB16 algorithm 6. In: (X : Y : Z) homogeneous is (XZ, YZ^2, Z)
 * Jacobian; out: Jacobian (X, Y, Z) is (XZ : Y : Z^3) homogeneous.
 * Doubling has no exceptional input on a curve of odd order except the
 * identity (Z = 0, whose Jacobian image would be (0, 0, 0)): a masked
 * move restores (0 : 1 : 0) in that case, so like pt_dbl this is
 * complete and constant time. The caller applies it in place.
 */
static noinline void pt_dbl_n(struct pt *r, int n)
{
	u64 x[NL], y[NL], z[NL], delta[NL], gamma[NL], beta[NL], alpha[NL];
	u64 t[NL], inf = mp_is_zero(r->z);
	struct pt id;

	fe_sqr(delta, r->z);
	fe_mul(x, r->x, r->z);
	fe_mul(y, r->y, delta);
	mp_copy(z, r->z);
	while (n-- > 0) {
		fe_sqr(gamma, y);
		fe_mul(beta, x, gamma);
		fe_sub(t, x, delta);
		fe_add(alpha, x, delta);
		fe_mul(alpha, alpha, t);
		fe_add(t, alpha, alpha);
		fe_add(alpha, alpha, t);	/* 3 (X - delta)(X + delta) */
		fe_add(t, y, z);
		fe_sqr(t, t);
		fe_sub(t, t, gamma);
		fe_sub(z, t, delta);		/* 2 Y Z */
		fe_sqr(x, alpha);
		fe_add(beta, beta, beta);
		fe_add(beta, beta, beta);	/* 4 beta */
		fe_add(t, beta, beta);
		fe_sub(x, x, t);		/* alpha^2 - 8 beta */
		fe_sub(t, beta, x);
		fe_mul(y, alpha, t);
		fe_sqr(gamma, gamma);
		fe_add(gamma, gamma, gamma);
		fe_add(gamma, gamma, gamma);
		fe_add(gamma, gamma, gamma);	/* 8 gamma^2 */
		fe_sub(y, y, gamma);
		if (n)
			fe_sqr(delta, z);
	}
	fe_sqr(delta, z);
	fe_mul(r->x, x, z);
	mp_copy(r->y, y);
	fe_mul(r->z, z, delta);
	pt_set_identity(&id);
	pt_cmov(r, &id, inf);
	kc_wipe(x, sizeof(x));
	kc_wipe(y, sizeof(y));
	kc_wipe(z, sizeof(z));
	kc_wipe(delta, sizeof(delta));
	kc_wipe(gamma, sizeof(gamma));
	kc_wipe(beta, sizeof(beta));
	kc_wipe(alpha, sizeof(alpha));
	kc_wipe(t, sizeof(t));
}

/* Affine x, y (plain, not Montgomery) of a; returns all-ones if identity */
static u64 pt_to_affine(u64 *x, u64 *y, const struct pt *a)
{
	u64 zi[NL], t[NL], inf = mp_is_zero(a->z);

	fe_inv(zi, a->z);
	fe_mul(t, a->x, zi);
	fe_from_mont(x, t);
	fe_mul(t, a->y, zi);
	fe_from_mont(y, t);
	kc_wipe(zi, sizeof(zi));
	kc_wipe(t, sizeof(t));
	return inf;
}

static inline unsigned int sc_nibble(const u64 *k, int i)
{
	return (k[i / 16] >> (4 * (i % 16))) & 15;
}

/* w bits of k from bit @pos (public position; 0 past the top) */
static inline unsigned int sc_bits(const u64 *k, int pos, int w)
{
	int l = pos / 64, s = pos % 64;
	u64 v;

	if (l >= NL)
		return 0;
	v = k[l] >> s;
	if (s + w > 64 && l + 1 < NL)
		v |= k[l + 1] << (64 - s);
	return (unsigned int)v & ((1U << w) - 1);
}

/*
 * Signed G_WBITS-bit digits of k (< 2^(64 NL)): k = sum d[i] 2^(G_WBITS i),
 * d[i] in [-G_ENTRIES, G_ENTRIES - 1], the top digit in [0, G_ENTRIES]
 * (G_WINDOWS G_WBITS > 64 NL, tools/gen_tables.py). Constant time.
 */
static void sc_recode_g(signed char *d, const u64 *k)
{
	unsigned int carry = 0, v;
	int i;

	for (i = 0; i < G_WINDOWS - 1; i++) {
		v = sc_bits(k, G_WBITS * i, G_WBITS) + carry;
		carry = (v + G_ENTRIES) >> G_WBITS;
		d[i] = (signed char)((int)v - (int)(carry << G_WBITS));
	}
	v = sc_bits(k, G_WBITS * i, G_WBITS) + carry;
	d[i] = (signed char)v;
}

/*
 * r = k G, fixed-base comb over g_table (g_table[i][j - 1] = j 2^(G_WBITS i)
 * G), signed digits, constant time: every lookup reads all G_ENTRIES
 * entries under a mask, the sign is applied by a masked negation and a
 * zero digit by a masked move. k < n plain.
 */
static noinline void pt_mul_g(struct pt *r, const u64 *k)
{
	struct pt t;
	signed char d[G_WINDOWS];
	u64 ax[NL], ay[NL], ny[NL], m;
	unsigned int a, s;
	int i, j, l;

	sc_recode_g(d, k);
	pt_set_identity(r);
	for (i = 0; i < G_WINDOWS; i++) {
		s = (unsigned int)(unsigned char)d[i] >> 7;	/* sign */
		a = ((unsigned int)(int)d[i] ^ (0 - s)) + s;	/* |d| */
		a &= 2 * G_ENTRIES - 1;
		for (l = 0; l < NL; l++)
			ax[l] = ay[l] = 0;
		for (j = 0; j < G_ENTRIES; j++) {
			m = kc_mask_zero(a ^ (unsigned int)(j + 1));
#pragma GCC unroll 16
			for (l = 0; l < NL; l++) {
				ax[l] |= m & g_table[i][j][0][l];
				ay[l] |= m & g_table[i][j][1][l];
			}
		}
		fe_sub(ny, mp_zero, ay);
		mp_cmov(ay, ny, 0 - (u64)s);
		if (i == 0) {		/* r is the identity: no addition */
			mp_copy(t.x, ax);
			mp_copy(t.y, ay);
			mp_copy(t.z, fe_one);
		} else {
			pt_add_affine(&t, r, ax, ay);
		}
		pt_cmov(r, &t, ~kc_mask_zero(a));
	}
	kc_wipe(&t, sizeof(t));
	kc_wipe(d, sizeof(d));
	kc_wipe(ax, sizeof(ax));
	kc_wipe(ay, sizeof(ay));
	kc_wipe(ny, sizeof(ny));
}

/*
 * Signed base-16 digits of k (< n): k = sum d[i] 16^i, d[i] in [-8, 7],
 * the top digit in [0, 8]. Constant time.
 */
static void sc_recode(signed char *d, const u64 *k)
{
	unsigned int carry = 0, v;
	int i;

#pragma GCC unroll 16
	for (i = 0; i < SC_NIBBLES; i++) {
		v = sc_nibble(k, i) + carry;
		carry = (v + 8) >> 4;
		d[i] = (signed char)((int)v - (int)(carry << 4));
	}
	d[SC_NIBBLES] = (signed char)carry;
}

/* tab[j] = (j + 1) p for j = 0..7 */
static void pt_table8(struct pt *tab, const struct pt *p)
{
	int j;

	tab[0] = *p;
	pt_dbl(&tab[1], p);
	for (j = 2; j < 8; j++)
		pt_add(&tab[j], &tab[j - 1], p);
}

/*
 * r = k p for tab = pt_table8(p), constant time in k (signed 4-bit
 * windows, masked lookups). The table lives in the caller's frame
 * (pt_mul) to keep each frame below the kernel's 2 KiB warning at 9 limbs.
 */
static noinline void pt_mul_tab(struct pt *r, const struct pt *tab,
				const u64 *k)
{
	struct pt t;
	signed char d[SC_NIBBLES + 1];
	u64 neg_y[NL], mneg, m;
	int i, j;
	unsigned int a, s;

	sc_recode(d, k);
	pt_set_identity(r);
	for (i = SC_NIBBLES; i >= 0; i--) {
		pt_dbl_n(r, 4);
		s = (unsigned int)(unsigned char)d[i] >> 7;	/* sign */
		a = ((unsigned int)(int)d[i] ^ (0 - s)) + s;	/* |d| */
		a &= 15;
		pt_set_identity(&t);
		for (j = 0; j < 8; j++) {
			m = kc_mask_zero(a ^ (unsigned int)(j + 1));
			pt_cmov(&t, &tab[j], m);
		}
		mneg = 0 - (u64)s;
		fe_sub(neg_y, mp_zero, t.y);
		mp_cmov(t.y, neg_y, mneg);
		pt_add(r, r, &t);
	}
	kc_wipe(&t, sizeof(t));
	kc_wipe(d, sizeof(d));
	kc_wipe(neg_y, sizeof(neg_y));
}

/* r = k p, constant time in k */
static noinline void pt_mul(struct pt *r, const struct pt *p, const u64 *k)
{
	struct pt tab[8];

	pt_table8(tab, p);
	pt_mul_tab(r, tab, k);
	kc_wipe(tab, sizeof(tab));
}

/*
 * r = u1 G + u2 q for tab = pt_table8(q), variable time: public inputs
 * only (verification)
 */
static noinline void pt_mul2_tab_vartime(struct pt *r, const u64 *u1,
					 const struct pt *tab, const u64 *u2)
{
	struct pt t;
	signed char d[SC_NIBBLES + 1], dg[G_WINDOWS];
	u64 ny[NL];
	int i;

	sc_recode(d, u2);
	pt_set_identity(r);
	for (i = SC_NIBBLES; i >= 0; i--) {
		pt_dbl_n(r, 4);
		if (d[i] > 0) {
			pt_add(r, r, &tab[d[i] - 1]);
		} else if (d[i] < 0) {
			t = tab[-d[i] - 1];
			fe_sub(t.y, mp_zero, t.y);
			pt_add(r, r, &t);
		}
	}
	sc_recode_g(dg, u1);
	for (i = 0; i < G_WINDOWS; i++) {
		if (dg[i] > 0) {
			pt_add_affine(r, r, g_table[i][dg[i] - 1][0],
				      g_table[i][dg[i] - 1][1]);
		} else if (dg[i] < 0) {
			fe_sub(ny, mp_zero, g_table[i][-dg[i] - 1][1]);
			pt_add_affine(r, r, g_table[i][-dg[i] - 1][0], ny);
		}
	}
}

static noinline void pt_mul2_vartime(struct pt *r, const u64 *u1,
				     const struct pt *q, const u64 *u2)
{
	struct pt tab[8];

	pt_table8(tab, q);
	pt_mul2_tab_vartime(r, u1, tab, u2);
}

/* ---- encodings ---- */

/* Decode and validate a SEC1 uncompressed point into projective form. */
static int pt_decode(struct pt *r, const u8 *in, size_t len)
{
	u64 x[NL], y[NL], l[NL], rr[NL], t[NL];

	if (len != 1 + 2 * NB || in[0] != 0x04)
		return KC_EPOINT;
	mp_from_be(x, in + 1);
	mp_from_be(y, in + 1 + NB);
	if (!mp_lt(x, fe_p) || !mp_lt(y, fe_p))
		return KC_EPOINT;
	fe_to_mont(r->x, x);
	fe_to_mont(r->y, y);
	mp_copy(r->z, fe_one);
	/* y^2 == x^3 - 3x + b */
	fe_sqr(l, r->y);
	fe_sqr(t, r->x);
	fe_mul(rr, t, r->x);
	fe_add(t, r->x, r->x);
	fe_add(t, t, r->x);
	fe_sub(rr, rr, t);
	fe_add(rr, rr, fe_b);
	fe_sub(t, l, rr);
	if (!mp_is_zero(t))
		return KC_EPOINT;
	return KC_OK;
}

/*
 * SEC1 2.3.4: 02/03 || X (1 + NB bytes) to 04 || X || Y. X < p, and
 * y = rhs^((p + 1) / 4) must square back to rhs = x^3 - 3x + b (p = 3
 * mod 4); y or p - y by the prefix's parity. Public data: variable time.
 */
static int pt_decompress(const u8 *in, size_t len, u8 *out)
{
	u64 x[NL], y[NL], rhs[NL], t[NL];

	if (len != 1 + NB || (in[0] != 0x02 && in[0] != 0x03))
		return KC_EPOINT;
	mp_from_be(x, in + 1);
	if (!mp_lt(x, fe_p))
		return KC_EPOINT;
	fe_to_mont(x, x);
	fe_sqr(t, x);
	fe_mul(rhs, t, x);
	fe_add(t, x, x);
	fe_add(t, t, x);
	fe_sub(rhs, rhs, t);
	fe_add(rhs, rhs, fe_b);
	mont_pow(y, rhs, fe_sqrt_exp, fe_one, fe_mul, fe_sqr);
	fe_sqr(t, y);
	mp_sub(t, t, rhs);
	if (!mp_is_zero(t))
		return KC_EPOINT;		/* no square root */
	fe_from_mont(x, x);
	fe_from_mont(y, y);
	if ((y[0] & 1) != (in[0] & 1U)) {
		if (mp_is_zero(y))
			return KC_EPOINT;	/* y = 0 has no odd twin */
		mp_sub(y, fe_p, y);
	}
	out[0] = 0x04;
	mp_to_be(out + 1, x);
	mp_to_be(out + 1 + NB, y);
	return KC_OK;
}

static void pt_encode(u8 *out, const u64 *x, const u64 *y)
{
	out[0] = 0x04;
	mp_to_be(out + 1, x);
	mp_to_be(out + 1 + NB, y);
}

/* ---- operations (struct kc_ec_impl) ---- */

static int ec_pub_from_priv(const u8 *priv, u8 *pub)
{
	u64 d[NL], x[NL], y[NL], bad;
	struct pt p;

	bad = ~sc_ok_be(priv);
	kc_declassify(&bad, sizeof(bad));
	if (bad)
		return KC_EINPUT;
	mp_from_be(d, priv);
	pt_mul_g(&p, d);
	pt_to_affine(x, y, &p);
	pt_encode(pub, x, y);
	kc_declassify(pub, 1 + 2 * NB);
	kc_wipe(d, sizeof(d));
	kc_wipe(&p, sizeof(p));
	return KC_OK;
}

static int ec_check_pub(const u8 *pub, size_t len)
{
	struct pt p;

	return pt_decode(&p, pub, len);
}

static int ec_sign_k(const u8 *priv, const u8 *digest, size_t len,
		     const u8 *kb, u8 *sig)
{
	u64 d[NL], k[NL], e[NL], x[NL], y[NL], r[NL], s[NL], t[NL], zero;
	struct pt p;
	int ret = KC_OK;

	mp_from_be(k, kb);
	pt_mul_g(&p, k);
	pt_to_affine(x, y, &p);
	/* r = x mod n; x < p < 2n */
	mp_copy(r, x);
	mp_cmov(r, t, ~(0 - mp_sub(t, x, sc_n)));
	kc_declassify(r, sizeof(r));		/* r is public */
	if (mp_is_zero(r)) {
		ret = KC_EINPUT;
		goto out;
	}
	/* s = (e + r d) / k mod n, all in the Montgomery domain */
	sc_from_digest(e, digest, len);
	mp_from_be(d, priv);
	sc_to_mont(d, d);
	sc_to_mont(t, r);
	sc_mul(s, t, d);			/* r d R */
	sc_to_mont(e, e);
	mod_add(s, s, e, sc_n);		/* (e + r d) R */
	sc_to_mont(k, k);
	sc_inv(t, k);				/* R / k */
	sc_mul(s, s, t);
	sc_from_mont(s, s);
	zero = mp_is_zero(s);
	kc_declassify(&zero, sizeof(zero));
	if (zero) {
		ret = KC_EINPUT;
		goto out;
	}
	mp_to_be(sig, r);
	mp_to_be(sig + NB, s);
	kc_declassify(sig, 2 * NB);
out:
	kc_wipe(d, sizeof(d));
	kc_wipe(k, sizeof(k));
	kc_wipe(e, sizeof(e));
	kc_wipe(s, sizeof(s));
	kc_wipe(t, sizeof(t));
	kc_wipe(x, sizeof(x));
	kc_wipe(y, sizeof(y));
	kc_wipe(&p, sizeof(p));
	return ret;
}

static int ec_verify(const u8 *pub, size_t pub_len, const u8 *digest,
		     size_t len, const u8 *sig)
{
	u64 r[NL], s[NL], e[NL], w[NL], u1[NL], u2[NL], x[NL], y[NL], t[NL];
	struct pt q, p;

	if (pt_decode(&q, pub, pub_len))
		return KC_EPOINT;
	if (!sc_ok_be(sig) || !sc_ok_be(sig + NB))
		return KC_ESIG;
	mp_from_be(r, sig);
	mp_from_be(s, sig + NB);
	sc_from_digest(e, digest, len);
	sc_to_mont(s, s);
	sc_inv(w, s);				/* R / s */
	sc_to_mont(e, e);
	sc_mul(u1, e, w);
	sc_from_mont(u1, u1);
	sc_to_mont(t, r);
	sc_mul(u2, t, w);
	sc_from_mont(u2, u2);
	pt_mul2_vartime(&p, u1, &q, u2);
	if (pt_to_affine(x, y, &p))
		return KC_ESIG;
	mp_cmov(x, t, ~(0 - mp_sub(t, x, sc_n)));
	mp_sub(t, x, r);
	return mp_is_zero(t) ? KC_OK : KC_ESIG;
}

static int ec_ecdh(const u8 *priv, const u8 *peer, size_t peer_len, u8 *z)
{
	u64 d[NL], x[NL], y[NL], bad;
	struct pt q, p;
	int ret;

	ret = pt_decode(&q, peer, peer_len);
	if (ret)
		return ret;
	bad = ~sc_ok_be(priv);
	kc_declassify(&bad, sizeof(bad));
	if (bad)
		return KC_EINPUT;
	mp_from_be(d, priv);
	pt_mul(&p, &q, d);
	bad = pt_to_affine(x, y, &p);
	kc_declassify(&bad, sizeof(bad));
	if (bad) {
		ret = KC_EFAULT;	/* impossible for a valid point and d */
	} else {
		mp_to_be(z, x);
		ret = KC_OK;
	}
	kc_wipe(d, sizeof(d));
	kc_wipe(x, sizeof(x));
	kc_wipe(y, sizeof(y));
	kc_wipe(&p, sizeof(p));
	return ret;
}

/* ---- byte-level primitives (big-endian, NB bytes; see engine.h) ---- */

static void prim_sc_reduce(const u8 *in, u8 *out)
{
#if SC_BITS == 8 * NB
	sc_digest_mod_n(in, NB, out);	/* in < 2^(8 NB) < 2n */
#else
	u64 x[NL];

	/* in R^2 < n R^2, so (in R^2) / R < n R: Montgomery in and out */
	mp_from_be(x, in);
	sc_to_mont(x, x);
	sc_from_mont(x, x);
	mp_to_be(out, x);
	kc_wipe(x, sizeof(x));
#endif
}

static void prim_sc_mul(const u8 *a, const u8 *b, u8 *out)
{
	u64 x[NL], y[NL];

	mp_from_be(x, a);
	mp_from_be(y, b);
	sc_to_mont(x, x);
	sc_mul(x, x, y);		/* (a R) b / R */
	mp_to_be(out, x);
	kc_wipe(x, sizeof(x));
	kc_wipe(y, sizeof(y));
}

static void prim_sc_add(const u8 *a, const u8 *b, u8 *out)
{
	u64 x[NL], y[NL];

	mp_from_be(x, a);
	mp_from_be(y, b);
	mod_add(x, x, y, sc_n);
	mp_to_be(out, x);
	kc_wipe(x, sizeof(x));
	kc_wipe(y, sizeof(y));
}

static void prim_sc_inv(const u8 *a, u8 *out)
{
	u64 x[NL];

	mp_from_be(x, a);
	sc_to_mont(x, x);
	sc_inv(x, x);
	sc_from_mont(x, x);
	mp_to_be(out, x);
	kc_wipe(x, sizeof(x));
}

/* xy = X || Y of k G (constant time) */
static void prim_mul_base(const u8 *kb, u8 *xy)
{
	u64 k[NL], x[NL], y[NL];
	struct pt p;

	mp_from_be(k, kb);
	pt_mul_g(&p, k);
	pt_to_affine(x, y, &p);
	mp_to_be(xy, x);
	mp_to_be(xy + NB, y);
	kc_wipe(k, sizeof(k));
	kc_wipe(x, sizeof(x));
	kc_wipe(y, sizeof(y));
	kc_wipe(&p, sizeof(p));
}

static int prim_point_check(const u8 *xy)
{
	u8 enc[1 + 2 * NB];
	struct pt p;
	int i;

	enc[0] = 0x04;
	for (i = 0; i < 2 * NB; i++)
		enc[1 + i] = xy[i];
	return pt_decode(&p, enc, sizeof(enc));
}

/* x = X of u1 G + u2 Q, variable time (public inputs) */
static int prim_mul2_x(const u8 *u1b, const u8 *u2b, const u8 *xy, u8 *xb)
{
	u64 u1[NL], u2[NL], x[NL], y[NL];
	u8 enc[1 + 2 * NB];
	struct pt q, p;
	int i;

	enc[0] = 0x04;
	for (i = 0; i < 2 * NB; i++)
		enc[1 + i] = xy[i];
	if (pt_decode(&q, enc, sizeof(enc)))
		return KC_EPOINT;
	mp_from_be(u1, u1b);
	mp_from_be(u2, u2b);
	pt_mul2_vartime(&p, u1, &q, u2);
	if (pt_to_affine(x, y, &p))
		return KC_EPOINT;
	mp_to_be(xb, x);
	return KC_OK;
}

#define KC_EC_IMPL_INIT {				\
	.bytes = NB,					\
	.bits = SC_BITS,				\
	.scalar_ok = sc_ok_be,				\
	.digest_mod_n = sc_digest_mod_n,		\
	.pub_from_priv = ec_pub_from_priv,		\
	.check_pub = ec_check_pub,			\
	.sign_k = ec_sign_k,				\
	.verify = ec_verify,				\
	.ecdh = ec_ecdh,				\
	.sc_reduce = prim_sc_reduce,			\
	.sc_mul = prim_sc_mul,				\
	.sc_add = prim_sc_add,				\
	.sc_inv = prim_sc_inv,				\
	.mul_base = prim_mul_base,			\
	.point_check = prim_point_check,		\
	.mul2_x = prim_mul2_x,				\
	.decompress = pt_decompress,			\
}
