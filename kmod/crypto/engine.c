// SPDX-License-Identifier: GPL-2.0
/*
 * Curve-independent part of the engine: dispatch by curve, key generation
 * by rejection sampling, RFC 6979 nonces (HMAC-DRBG), argument checks.
 */
#include "ecp.h"

static const struct kc_ec_impl *impl_of(enum kc_curve curve)
{
	switch (curve) {
	case KC_P256:
		return &kc_p256_impl;
	case KC_P384:
		return &kc_p384_impl;
	case KC_P521:
		return &kc_p521_impl;
	default:
		return NULL;
	}
}

u32 kc_ec_bytes(enum kc_curve curve)
{
	const struct kc_ec_impl *c = impl_of(curve);

	return c ? c->bytes : 0;
}

int kc_ec_keygen(enum kc_curve curve, u8 *priv, u8 *pub)
{
	const struct kc_ec_impl *c = impl_of(curve);
	u64 ok;
	int i;

	if (!c)
		return KC_ECURVE;
	/*
	 * Random bits(n)-bit numbers (P-521: the 7 top bits of the first
	 * byte cleared); P(reject) < 2^-32 for every curve; bound the loop
	 * anyway
	 */
	for (i = 0; i < 64; i++) {
		kc_random(priv, c->bytes);
		priv[0] &= 0xff >> (8 * c->bytes - c->bits);
		ok = c->scalar_ok(priv);
		kc_declassify(&ok, sizeof(ok));
		if (ok)
			return c->pub_from_priv(priv, pub);
	}
	kc_wipe(priv, c->bytes);
	return KC_EFAULT;
}

int kc_ec_pub_from_priv(enum kc_curve curve, const u8 *priv, u8 *pub)
{
	const struct kc_ec_impl *c = impl_of(curve);

	return c ? c->pub_from_priv(priv, pub) : KC_ECURVE;
}

int kc_ec_check_pub(enum kc_curve curve, const u8 *pub, size_t pub_len)
{
	const struct kc_ec_impl *c = impl_of(curve);

	return c ? c->check_pub(pub, pub_len) : KC_ECURVE;
}

int kc_ec_decompress(enum kc_curve curve, const u8 *in, size_t in_len,
		     u8 *pub)
{
	const struct kc_ec_impl *c = impl_of(curve);

	return c ? c->decompress(in, in_len, pub) : KC_ECURVE;
}

/* RFC 6979 section 3.2, HMAC-DRBG state */
struct rfc6979 {
	enum kc_hash alg;
	u32 hlen;
	u8 k[KC_HASH_MAX_DIGEST];
	u8 v[KC_HASH_MAX_DIGEST];
};

/*
 * K = HMAC_K(V || sep [|| x || h [|| extra]]); V = HMAC_K(V)
 * (RFC 6979 3.2 steps d-g, and step h.3 when @x is NULL)
 */
static void rfc6979_update(struct rfc6979 *st, u8 sep, const u8 *x,
			   const u8 *h, u32 qlen, const u8 *extra,
			   size_t extra_len)
{
	struct kc_hmac_ctx m;
	u8 s = sep;

	kc_hmac_init(&m, st->alg, st->k, st->hlen);
	kc_hmac_update(&m, st->v, st->hlen);
	kc_hmac_update(&m, &s, 1);
	if (x) {
		kc_hmac_update(&m, x, qlen);
		kc_hmac_update(&m, h, qlen);
		if (extra)
			kc_hmac_update(&m, extra, extra_len);
	}
	kc_hmac_final(&m, st->k);
	kc_hmac_init(&m, st->alg, st->k, st->hlen);
	kc_hmac_update(&m, st->v, st->hlen);
	kc_hmac_final(&m, st->v);
}

/*
 * RFC 6979 3.2 step h.2 and bits2int: @qlen bytes of T, then shifted right
 * by @shift = 8 qlen - (bit length of n) bits (0 but for P-521: 7), so
 * that k is the leftmost bits of T.
 */
static void rfc6979_next(struct rfc6979 *st, u8 *out, u32 qlen, u32 shift)
{
	struct kc_hmac_ctx m;
	u32 got = 0, i;

	while (got < qlen) {
		kc_hmac_init(&m, st->alg, st->k, st->hlen);
		kc_hmac_update(&m, st->v, st->hlen);
		kc_hmac_final(&m, st->v);
		for (i = 0; i < st->hlen && got < qlen; i++)
			out[got++] = st->v[i];
	}
	if (shift) {		/* public amount; the bytes stay secret */
		for (i = qlen - 1; i > 0; i--)
			out[i] = (u8)(out[i] >> shift | out[i - 1] << (8 - shift));
		out[0] >>= shift;
	}
}

int kc_ecdsa_sign(enum kc_curve curve, const u8 *priv,
		  const u8 *digest, size_t digest_len,
		  enum kc_hash nonce_hash, const u8 *extra, size_t extra_len,
		  u8 *sig)
{
	const struct kc_ec_impl *c = impl_of(curve);
	u8 h[KC_EC_MAX_BYTES], k[KC_EC_MAX_BYTES];
	struct rfc6979 st;
	int ret = KC_EFAULT, i;
	u64 ok;
	u32 q;

	if (!c)
		return KC_ECURVE;
	q = c->bytes;
	ok = c->scalar_ok(priv);
	kc_declassify(&ok, sizeof(ok));
	if (!ok || !digest_len || !kc_hash_len(nonce_hash))
		return KC_EINPUT;
	st.alg = nonce_hash;
	st.hlen = kc_hash_len(nonce_hash);
	for (i = 0; i < (int)st.hlen; i++) {
		st.v[i] = 0x01;
		st.k[i] = 0x00;
	}
	c->digest_mod_n(digest, digest_len, h);
	rfc6979_update(&st, 0, priv, h, q, extra, extra_len);
	rfc6979_update(&st, 1, priv, h, q, extra, extra_len);
	for (i = 0; i < 64; i++) {
		rfc6979_next(&st, k, q, 8 * q - c->bits);
		ok = c->scalar_ok(k);
		kc_declassify(&ok, sizeof(ok));
		if (ok) {
			ret = c->sign_k(priv, digest, digest_len, k, sig);
			if (ret != KC_EINPUT)
				break;
		}
		rfc6979_update(&st, 0, NULL, NULL, 0, NULL, 0);
		ret = KC_EFAULT;
	}
	kc_wipe(&st, sizeof(st));
	kc_wipe(k, sizeof(k));
	kc_wipe(h, sizeof(h));
	return ret;
}

int kc_ecdsa_sign_with_k(enum kc_curve curve, const u8 *priv,
			 const u8 *digest, size_t digest_len,
			 const u8 *k, u8 *sig)
{
	const struct kc_ec_impl *c = impl_of(curve);

	if (!c)
		return KC_ECURVE;
	if (!c->scalar_ok(priv) || !c->scalar_ok(k) || !digest_len)
		return KC_EINPUT;
	return c->sign_k(priv, digest, digest_len, k, sig);
}

int kc_ecdsa_verify(enum kc_curve curve, const u8 *pub, size_t pub_len,
		    const u8 *digest, size_t digest_len,
		    const u8 *sig, size_t sig_len)
{
	const struct kc_ec_impl *c = impl_of(curve);

	if (!c)
		return KC_ECURVE;
	if (sig_len != 2 * c->bytes || !digest_len)
		return KC_ESIG;
	return c->verify(pub, pub_len, digest, digest_len, sig);
}

int kc_ecdh(enum kc_curve curve, const u8 *priv,
	    const u8 *peer, size_t peer_len, u8 *z)
{
	const struct kc_ec_impl *c = impl_of(curve);

	return c ? c->ecdh(priv, peer, peer_len, z) : KC_ECURVE;
}

int kc_ec_scalar_check(enum kc_curve curve, const u8 *s)
{
	const struct kc_ec_impl *c = impl_of(curve);
	u64 ok;

	if (!c)
		return KC_ECURVE;
	ok = c->scalar_ok(s);
	kc_declassify(&ok, sizeof(ok));
	return ok ? KC_OK : KC_EINPUT;
}

int kc_ec_scalar_reduce(enum kc_curve curve, const u8 *in, u8 *out)
{
	const struct kc_ec_impl *c = impl_of(curve);

	if (!c)
		return KC_ECURVE;
	c->sc_reduce(in, out);
	return KC_OK;
}

int kc_ec_scalar_mul(enum kc_curve curve, const u8 *a, const u8 *b, u8 *out)
{
	const struct kc_ec_impl *c = impl_of(curve);

	if (!c)
		return KC_ECURVE;
	c->sc_mul(a, b, out);
	return KC_OK;
}

int kc_ec_scalar_add(enum kc_curve curve, const u8 *a, const u8 *b, u8 *out)
{
	const struct kc_ec_impl *c = impl_of(curve);

	if (!c)
		return KC_ECURVE;
	c->sc_add(a, b, out);
	return KC_OK;
}

int kc_ec_scalar_inv(enum kc_curve curve, const u8 *a, u8 *out)
{
	int ret = kc_ec_scalar_check(curve, a);

	if (!ret)
		impl_of(curve)->sc_inv(a, out);
	return ret;
}

int kc_ec_mul_base(enum kc_curve curve, const u8 *k, u8 *xy)
{
	int ret = kc_ec_scalar_check(curve, k);

	if (!ret)
		impl_of(curve)->mul_base(k, xy);
	return ret;
}

int kc_ec_point_check(enum kc_curve curve, const u8 *xy)
{
	const struct kc_ec_impl *c = impl_of(curve);

	return c ? c->point_check(xy) : KC_ECURVE;
}

int kc_ec_mul2_x(enum kc_curve curve, const u8 *u1, const u8 *u2,
		 const u8 *xy, u8 *x)
{
	const struct kc_ec_impl *c = impl_of(curve);

	return c ? c->mul2_x(u1, u2, xy, x) : KC_ECURVE;
}
