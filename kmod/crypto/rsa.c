// SPDX-License-Identifier: GPL-2.0
/*
 * Raw RSA operations on the constant-time big integers of bn.c.
 *
 * Private operation: base blinding (c' = c r^e, s = c'^d r^-1), CRT with
 * qinv (or the plain exponent d), constant-time fixed-window
 * exponentiation, and the result checked with the public exponent before
 * it leaves (s^e == c, else KC_EFAULT and a zeroed output).
 *
 * r^-1 mod n without a secret-dependent branch: with a second random u,
 * t = r u mod n is uniform and independent of the key, so it is public;
 * t^-1 is computed in variable time and r^-1 = t^-1 u.
 */
#include "bn.h"
#include "rsa_internal.h"
#include "arith.h"

#define NL	KC_BN_MAX_LIMBS
#define HL	KC_BN_MAX_HALF
#define PL	(KC_RSA_MAX_PRIV_BITS / 64)	/* limbs of a private key's n */

/* Everything big lives in the caller's work area. */
struct rsa_work {
	struct kc_mont mn, mp, mq;
	u64 table[KC_BN_EXP_TABLE_LIMBS(PL)];	/* private exponents only */
	u64 c[NL];		/* input */
	u64 cb[NL];		/* blinded input */
	u64 r[NL];		/* blinding factor */
	u64 u[NL];		/* second factor for the inversion */
	u64 rinv[NL];
	u64 s[NL];		/* result */
	u64 v[NL];		/* scratch */
	u64 e[NL];
	u64 d[NL];		/* d, or dp */
	u64 dq[HL];
	u64 qinv[HL];
	u64 m1[HL], m2[HL], h[HL];
	u64 x[2 * NL];		/* wide scratch */
	u64 g[6][PL + 1];	/* inversion (private operation) */
};

/* kc_rsa_check_priv() keeps three byte strings after the struct */
#define RT_BYTES	(3 * KC_RSA_MAX_BYTES)

/* below the PKCS#1 buffers of rsa_pad.c (rsa_internal.h) */
_Static_assert(sizeof(struct rsa_work) + RT_BYTES <= KC_RSA_PAD_OFFSET,
	       "KC_RSA_WORK_BYTES too small for struct rsa_work");

/*
 * A public number without its leading zero bytes: with strip_secret()
 * below, the one place where the engine normalises the numbers of a key
 * (n, e and, for the private operation, p and q, whose byte lengths set
 * the limb counts and so are public). The other secret numbers (d, dp, dq, qinv) are read by
 * kc_bn_from_be() into a width that follows from n, p and q, which skips
 * excess leading zeros in constant time.
 */
static void strip(const u8 **p, size_t *len)
{
	while (*len && !**p) {
		(*p)++;
		(*len)--;
	}
}

/*
 * strip() for p and q: the count of leading zero bytes is found with
 * masks over every byte and only that count is declassified (it sets
 * the byte length, which the limb counts make public anyway).
 */
static void strip_secret(const u8 **p, size_t *len)
{
	u64 lead = 0, zero = ~0ULL;
	size_t i;

	for (i = 0; i < *len; i++) {
		zero &= kc_mask_zero((*p)[i]);
		lead += zero & 1;
	}
	kc_declassify(&lead, sizeof(lead));
	*p += lead;
	*len -= lead;
}

/* a < b for equal-length big-endian public strings */
static int lt_be_vartime(const u8 *a, const u8 *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (a[i] != b[i])
			return a[i] < b[i];
	return 0;
}

static u32 limbs(size_t len)
{
	return (u32)((len + 7) / 8);
}

/* n, e checks; sets the stripped n and e and their byte lengths */
static int parse_pub_bits(const u8 *n, size_t n_len, const u8 *e,
			  size_t e_len, const u8 **ns, size_t *nb,
			  const u8 **es, size_t *eb, u32 *n_bits)
{
	u32 bits;
	u8 top;

	if (!n || !e)
		return KC_EINPUT;
	strip(&n, &n_len);
	strip(&e, &e_len);
	if (!n_len || n_len > KC_RSA_MAX_BYTES || !e_len)
		return KC_EINPUT;
	for (bits = 8 * (u32)n_len, top = n[0]; !(top & 0x80); top <<= 1)
		bits--;
	if (bits < KC_RSA_MIN_BITS || bits > KC_RSA_MAX_BITS)
		return KC_EINPUT;
	if (!(n[n_len - 1] & 1) || !(e[e_len - 1] & 1))
		return KC_EINPUT;
	if (e_len == 1 && e[0] < 3)
		return KC_EINPUT;
	if (e_len > n_len ||
	    (e_len == n_len && !lt_be_vartime(e, n, n_len)))
		return KC_EINPUT;
	*ns = n;
	*nb = n_len;
	*es = e;
	*eb = e_len;
	*n_bits = bits;
	return 0;
}

static int parse_pub(const u8 *n, size_t n_len, const u8 *e, size_t e_len,
		     const u8 **ns, size_t *nb, const u8 **es, size_t *eb)
{
	u32 bits;

	return parse_pub_bits(n, n_len, e, e_len, ns, nb, es, eb, &bits);
}

int kc_rsa_check_pub(const struct kc_rsa_pub *key)
{
	const u8 *n, *e;
	size_t nb, eb;

	return parse_pub(key->n, key->n_len, key->e, key->e_len,
			 &n, &nb, &e, &eb);
}

int kc_rsa_pub_info(const struct kc_rsa_pub *key, size_t *k, u32 *n_bits,
		    u32 *e_bits)
{
	const u8 *n, *e;
	size_t nb, eb;
	u32 b = 0, top;
	int ret;

	ret = parse_pub_bits(key->n, key->n_len, key->e, key->e_len,
			     &n, &nb, &e, &eb, n_bits);
	if (ret)
		return ret;
	for (top = e[0]; top; top >>= 1)
		b++;
	*k = nb;
	*e_bits = 8 * (u32)(eb - 1) + b;
	return 0;
}

/*
 * The private key's n and e (parse_pub) and its p and q without leading
 * zeros; n must have at most KC_RSA_MAX_PRIV_BITS bits.
 */
struct priv_view {
	const u8 *n, *e, *p, *q;
	size_t nb, eb, pb, qb;
	u32 nl;
};

static int parse_priv(const struct kc_rsa_priv *key, struct priv_view *v)
{
	int ret;

	ret = parse_pub(key->n, key->n_len, key->e, key->e_len,
			&v->n, &v->nb, &v->e, &v->eb);
	if (ret)
		return ret;
	v->nl = limbs(v->nb);
	if (v->nl > PL)
		return KC_EINPUT;
	v->p = key->p;
	v->pb = key->p ? key->p_len : 0;
	v->q = key->q;
	v->qb = key->q ? key->q_len : 0;
	strip_secret(&v->p, &v->pb);
	strip_secret(&v->q, &v->qb);
	return 0;
}

/* number of significant bits of a public value */
static u32 bits_of(const u64 *a, u32 n)
{
	return kc_bn_bits_vartime(a, n);
}

/*
 * r = (f x + g y) / 2^31 for public x, y >= 0 of n limbs and |f|, |g| <=
 * 2^31 where the sum is known to be divisible by 2^31; returns 1 if the
 * result was negative (r then holds its absolute value).
 */
static int lin_shift(u64 *r, const u64 *x, const u64 *y, long long f, long long g,
		     u32 n)
{
	__int128 acc = 0;
	u64 top, neg, c;
	u32 i;

	for (i = 0; i < n; i++) {
		acc += (__int128)f * x[i] + (__int128)g * y[i];
		r[i] = (u64)acc;
		acc >>= 64;
	}
	top = (u64)acc;
	neg = 0 - (top >> 63);
	/* absolute value of the (n + 1)-limb two's complement number */
	c = neg & 1;
	for (i = 0; i < n; i++) {
		u64 w = (r[i] ^ neg) + c;

		c = w < c;
		r[i] = w;
	}
	top = (top ^ neg) + c;
	for (i = 0; i + 1 < n; i++)
		r[i] = r[i] >> 31 | r[i + 1] << 33;
	r[n - 1] = r[n - 1] >> 31 | top << 33;
	return (int)(neg & 1);
}

/*
 * r = (f x + g y) / 2^31 mod m for x, y < m (Montgomery-style division:
 * a multiple of m clears the low 31 bits first). @w: n + 1 limbs.
 */
static void lin_mod(u64 *r, const u64 *x, const u64 *y, long long f, long long g,
		    const struct kc_mont *mc, u64 *w)
{
	u32 n = mc->n, i;
	__int128 acc = 0;
	u64 k, c, neg;

	for (i = 0; i < n; i++) {
		acc += (__int128)f * x[i] + (__int128)g * y[i];
		w[i] = (u64)acc;
		acc >>= 64;
	}
	w[n] = (u64)acc;
	/* w += k m with k = -w m^-1 mod 2^31: |w| < 2^32 m + 2^31 m */
	k = (w[0] * mc->m0inv) & 0x7fffffff;
	c = 0;
	for (i = 0; i < n; i++) {
		__uint128_t p = (__uint128_t)k * mc->m[i] + w[i] + c;

		w[i] = (u64)p;
		c = (u64)(p >> 64);
	}
	w[n] += c;
	for (i = 0; i < n; i++)
		w[i] = w[i] >> 31 | w[i + 1] << 33;
	w[n] = (u64)((long long)w[n] >> 31);
	/* now -2m < w < 3m: bring into [0, m) */
	for (;;) {
		neg = w[n] >> 63;
		if (neg) {
			c = kc_bn_add(w, w, mc->m, n);
			w[n] += c;
		} else if (w[n] || !kc_bn_lt_mask(w, mc->m, n)) {
			c = kc_bn_sub(w, w, mc->m, n);
			w[n] -= c;
		} else {
			break;
		}
	}
	for (i = 0; i < n; i++)
		r[i] = w[i];
}

/* 64-bit approximation: top 33 bits (at @len) and low 31 bits of a */
static u64 approx(const u64 *a, u32 len)
{
	u32 s = len - 33, l = s / 64, o = s % 64;
	u64 hi = a[l] >> o;

	if (o > 31)
		hi |= a[l + 1] << (64 - o);
	return (hi & 0x1ffffffffull) << 31 | (a[0] & 0x7fffffff);
}

/*
 * r = a^-1 mod m (m odd) for a PUBLIC a, in variable time: binary GCD
 * that runs 31 steps at a time on 64-bit approximations of (a, b) and
 * applies the resulting matrix to the full values and, divided by 2^31
 * mod m, to the coefficients (T. Pornin, "Optimized Binary GCD for
 * Modular Inversion", 2020; here without the constant-time constraints).
 * Invariants: a = y u, b = y v (mod m). -1 if gcd(a, m) != 1.
 */
static int inv_vartime(u64 *r, const u64 *y, const struct kc_mont *mc,
		       u64 (*g)[PL + 1])
{
	u64 *a = g[0], *b = g[1], *u = g[2], *v = g[3], *t = g[4];
	u64 *w = g[5];
	u32 n = mc->n, i, la, lb, len, rounds = 0;

	for (i = 0; i < n; i++) {
		a[i] = y[i];
		b[i] = mc->m[i];
		u[i] = 0;
		v[i] = 0;
	}
	u[0] = 1;
	for (;;) {
		long long f0 = 1, g0 = 0, f1 = 0, g1 = 1;
		u64 xa, xb;
		int k;

		la = bits_of(a, n);
		lb = bits_of(b, n);
		if (!la)
			break;
		if (++rounds > 4 * 64 * PL / 31 + 8)
			return -1;	/* cannot happen: bounded by the sizes */
		len = la > lb ? la : lb;
		if (len <= 64) {
			xa = a[0];
			xb = b[0];
		} else {
			xa = approx(a, len);
			xb = approx(b, len);
		}
		for (k = 0; k < 31; k++) {
			if (xa & 1) {
				if (xa < xb) {
					u64 tx = xa;
					long long tf = f0, tg = g0;

					xa = xb;
					xb = tx;
					f0 = f1;
					g0 = g1;
					f1 = tf;
					g1 = tg;
				}
				xa -= xb;
				f0 -= f1;
				g0 -= g1;
			}
			xa >>= 1;
			f1 <<= 1;
			g1 <<= 1;
		}
		if (lin_shift(t, a, b, f0, g0, n)) {
			f0 = -f0;
			g0 = -g0;
		}
		if (lin_shift(b, a, b, f1, g1, n)) {
			f1 = -f1;
			g1 = -g1;
		}
		for (i = 0; i < n; i++)
			a[i] = t[i];
		lin_mod(t, u, v, f0, g0, mc, w);
		lin_mod(v, u, v, f1, g1, mc, w);
		for (i = 0; i < n; i++)
			u[i] = t[i];
	}
	/* a = 0: b = gcd */
	if (b[0] != 1 || bits_of(b, n) != 1)
		return -1;
	for (i = 0; i < n; i++)
		r[i] = v[i];
	return 0;
}

/* a random value mod m (the slight bias of one reduction is harmless) */
static void random_mod(const struct kc_mont *mc, u64 *r, u64 *tmp)
{
	kc_random(tmp, (size_t)mc->n * 8);
	kc_mont_reduce_wide(mc, r, tmp, mc->n);
}

static int have(const u8 *p, size_t len)
{
	return p && len;
}

static int is_crt(const struct kc_rsa_priv *key, const struct priv_view *v)
{
	return have(v->p, v->pb) && have(v->q, v->qb) &&
	       have(key->dp, key->dp_len) && have(key->dq, key->dq_len) &&
	       have(key->qinv, key->qinv_len);
}

/*
 * Limbs of the CRT halves: both p and q get max(p, q) limbs (their byte
 * lengths without leading zeros are public), which keeps c < p R and
 * m2 < p R for the reductions. 0 if they cannot be the factors of n.
 */
static u32 half_limbs(const struct priv_view *v)
{
	u32 hl = limbs(v->pb);

	if (limbs(v->qb) > hl)
		hl = limbs(v->qb);
	if (2 * hl < v->nl || hl > HL)
		return 0;
	return hl;
}

/* h = (m1 - m2) qinv mod p; s = m2 + h q (CRT recombination) */
static void crt_combine(struct rsa_work *w, u32 hl, u32 nl)
{
	u64 mask, c;
	u32 i;

	kc_mont_reduce_wide(&w->mp, w->h, w->m2, hl);		/* m2 mod p */
	mask = 0 - kc_bn_sub(w->h, w->m1, w->h, hl);
	c = 0;
	for (i = 0; i < hl; i++)
		ADC(w->h[i], w->h[i], w->mp.m[i] & mask, c);
	kc_mont_to(&w->mp, w->v, w->qinv);
	kc_mont_mul(&w->mp, w->h, w->h, w->v);			/* h */
	kc_bn_mul(w->x, w->h, hl, w->mq.m, hl);
	c = 0;
	for (i = 0; i < 2 * hl; i++)
		ADC(w->x[i], w->x[i], i < hl ? w->m2[i] : 0, c);
	for (i = 0; i < nl; i++)
		w->s[i] = w->x[i];
}

int kc_rsa_private_fault(const struct kc_rsa_priv *key, const u8 *in,
			 u8 *out, void *work, u32 fault)
{
	struct rsa_work *w = work;
	struct priv_view pv;
	size_t nb;
	u32 nl, el, hl = 0, i, tries;
	u64 ok;
	int crt, ret;

	ret = parse_priv(key, &pv);
	if (ret)
		return ret;
	nb = pv.nb;
	nl = pv.nl;
	el = limbs(pv.eb);
	crt = is_crt(key, &pv);
	ret = KC_EINPUT;
	if (crt) {
		hl = half_limbs(&pv);
		if (!hl)
			goto out;
	} else if (!have(key->d, key->d_len)) {
		goto out;
	}
	if (kc_bn_from_be(w->mn.m, nl, pv.n, nb) ||
	    kc_mont_init(&w->mn, w->mn.m, nl) ||
	    kc_bn_from_be(w->e, el, pv.e, pv.eb) ||
	    kc_bn_from_be(w->c, nl, in, nb))
		goto out;
	ok = kc_bn_lt_mask(w->c, w->mn.m, nl);
	kc_declassify(&ok, sizeof(ok));
	if (!ok)
		goto out;
	if (crt) {
		if (kc_bn_from_be(w->x, hl, pv.p, pv.pb) ||
		    kc_mont_init(&w->mp, w->x, hl) ||
		    kc_bn_from_be(w->x, hl, pv.q, pv.qb) ||
		    kc_mont_init(&w->mq, w->x, hl) ||
		    kc_bn_from_be(w->d, hl, key->dp, key->dp_len) ||
		    kc_bn_from_be(w->dq, hl, key->dq, key->dq_len) ||
		    kc_bn_from_be(w->qinv, hl, key->qinv, key->qinv_len))
			goto out;
	} else {
		if (kc_bn_from_be(w->d, nl, key->d, key->d_len))
			goto out;
	}

	/* blinding: r, r^e, and r^-1 through the public t = r u */
	for (tries = 0;; tries++) {
		if (tries == 4)
			goto out;	/* n has small factors */
		random_mod(&w->mn, w->r, w->x);
		random_mod(&w->mn, w->u, w->x);
		kc_mont_to(&w->mn, w->v, w->u);
		kc_mont_mul(&w->mn, w->v, w->v, w->r);		/* t = r u */
		kc_declassify(w->v, nl * 8);
		if (!inv_vartime(w->rinv, w->v, &w->mn, w->g))
			break;
	}
	kc_mont_to(&w->mn, w->v, w->rinv);
	kc_mont_mul(&w->mn, w->rinv, w->v, w->u);		/* r^-1 */
	kc_mont_exp_vartime(&w->mn, w->v, w->r, w->e, el);	/* r^e */
	kc_mont_to(&w->mn, w->v, w->v);
	kc_mont_mul(&w->mn, w->cb, w->c, w->v);		/* c r^e */

	if (crt) {
		kc_mont_reduce_wide(&w->mp, w->m1, w->cb, nl);
		kc_mont_exp(&w->mp, w->m1, w->m1, w->d, hl, w->table);
		kc_mont_reduce_wide(&w->mq, w->m2, w->cb, nl);
		kc_mont_exp(&w->mq, w->m2, w->m2, w->dq, hl, w->table);
		w->m1[0] ^= fault & 1;
		crt_combine(w, hl, nl);
	} else {
		kc_mont_exp(&w->mn, w->s, w->cb, w->d, nl, w->table);
		w->s[0] ^= fault & 1;
	}

	/* unblind, then check s^e == c before anything leaves */
	kc_mont_to(&w->mn, w->v, w->rinv);
	kc_mont_mul(&w->mn, w->s, w->s, w->v);
	kc_mont_exp_vartime(&w->mn, w->v, w->s, w->e, el);
	ok = 0;
	for (i = 0; i < nl; i++)
		ok |= w->v[i] ^ w->c[i];
	ok = kc_mask_zero(ok) & kc_bn_lt_mask(w->s, w->mn.m, nl);
	kc_declassify(&ok, sizeof(ok));
	if (!ok) {
		ret = KC_EFAULT;
		goto out;
	}
	kc_bn_to_be(out, nb, w->s, nl);
	ret = 0;
out:
	if (ret)
		kc_wipe(out, nb);
	kc_wipe(w, sizeof(*w));
	return ret;
}

int kc_rsa_private(const struct kc_rsa_priv *key, const u8 *in, u8 *out,
		   void *work)
{
	return kc_rsa_private_fault(key, in, out, work, 0);
}

int kc_rsa_public(const struct kc_rsa_pub *key, const u8 *in, u8 *out,
		  void *work)
{
	struct rsa_work *w = work;
	const u8 *n, *e;
	size_t nb, eb;
	u32 nl, el;
	u64 lt;
	int ret;

	ret = parse_pub(key->n, key->n_len, key->e, key->e_len,
			&n, &nb, &e, &eb);
	if (ret)
		return ret;
	nl = limbs(nb);
	el = limbs(eb);
	ret = KC_EINPUT;
	if (kc_bn_from_be(w->mn.m, nl, n, nb) ||
	    kc_mont_init(&w->mn, w->mn.m, nl) ||
	    kc_bn_from_be(w->e, el, e, eb) ||
	    kc_bn_from_be(w->c, nl, in, nb))
		goto out;
	/*
	 * The input may be an OAEP block holding a plaintext: the exponent
	 * is public, the arithmetic constant time, and in < n is true for
	 * every well-formed encoding, so only that verdict is declassified.
	 */
	lt = kc_bn_lt_mask(w->c, w->mn.m, nl);
	kc_declassify(&lt, sizeof(lt));
	if (!lt)
		goto out;
	kc_mont_exp_vartime(&w->mn, w->s, w->c, w->e, el);
	kc_bn_to_be(out, nb, w->s, nl);
	ret = 0;
out:
	kc_wipe(w->c, nl * sizeof(u64));
	kc_wipe(w->s, nl * sizeof(u64));
	return ret;
}

int kc_rsa_check_priv(const struct kc_rsa_priv *key, void *work)
{
	struct rsa_work *w = work;
	struct kc_rsa_pub pub = {
		.n = key->n, .n_len = key->n_len,
		.e = key->e, .e_len = key->e_len,
	};
	struct priv_view pv;
	size_t nb;
	u32 nl, hl, i;
	u64 ok, c;
	u8 *x = (u8 *)work + sizeof(*w), *y = x + KC_RSA_MAX_BYTES;
	u8 *z = y + KC_RSA_MAX_BYTES;
	int ret;

	ret = parse_priv(key, &pv);
	if (ret)
		return ret;
	nb = pv.nb;
	nl = pv.nl;
	ret = KC_EINPUT;
	if (is_crt(key, &pv)) {
		hl = half_limbs(&pv);
		if (!hl)
			goto out;
		if (kc_bn_from_be(w->mn.m, nl, pv.n, nb) ||
		    kc_bn_from_be(w->x, hl, pv.p, pv.pb) ||
		    kc_mont_init(&w->mp, w->x, hl) ||
		    kc_bn_from_be(w->x, hl, pv.q, pv.qb) ||
		    kc_mont_init(&w->mq, w->x, hl) ||
		    kc_bn_from_be(w->d, hl, key->dp, key->dp_len) ||
		    kc_bn_from_be(w->dq, hl, key->dq, key->dq_len) ||
		    kc_bn_from_be(w->qinv, hl, key->qinv, key->qinv_len))
			goto out;
		/* n == p q */
		kc_bn_mul(w->x, w->mp.m, hl, w->mq.m, hl);
		c = 0;
		for (i = 0; i < 2 * hl; i++)
			c |= w->x[i] ^ (i < nl ? w->mn.m[i] : 0);
		ok = kc_mask_zero(c);
		ok &= kc_bn_lt_mask(w->d, w->mp.m, hl);
		ok &= kc_bn_lt_mask(w->dq, w->mq.m, hl);
		ok &= kc_bn_lt_mask(w->qinv, w->mp.m, hl);
		/* qinv q == 1 mod p */
		kc_mont_reduce_wide(&w->mp, w->h, w->mq.m, hl);
		kc_mont_to(&w->mp, w->v, w->qinv);
		kc_mont_mul(&w->mp, w->h, w->h, w->v);
		c = w->h[0] ^ 1;
		for (i = 1; i < hl; i++)
			c |= w->h[i];
		ok &= kc_mask_zero(c);
		kc_declassify(&ok, sizeof(ok));
		if (!ok)
			goto out;
	} else {
		if (!have(key->d, key->d_len) ||
		    kc_bn_from_be(w->d, nl, key->d, key->d_len))
			goto out;
	}
	/* round trip on a random x < n (top byte cleared) */
	kc_random(x, nb);
	x[0] = 0;
	kc_declassify(x, nb);
	if (kc_rsa_private(key, x, y, w) || kc_rsa_public(&pub, y, z, w))
		goto out;
	c = 0;
	for (i = 0; i < nb; i++)
		c |= x[i] ^ z[i];
	if (!c)
		ret = 0;
out:
	kc_wipe(w, sizeof(*w) + RT_BYTES);
	return ret;
}
