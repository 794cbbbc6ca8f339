// SPDX-License-Identifier: GPL-2.0
/*
 * PKCS#8 PrivateKeyInfo codec (pkcs8.h) over the strict DER of der.c.
 *
 *   PrivateKeyInfo ::= SEQUENCE {        -- OneAsymmetricKey (RFC 5958)
 *     version              INTEGER (0 | 1),
 *     privateKeyAlgorithm  AlgorithmIdentifier,
 *     privateKey           OCTET STRING,
 *     attributes           [0] IMPLICIT SET OF Attribute OPTIONAL,
 *     publicKey            [1] IMPLICIT BIT STRING OPTIONAL }  -- v1 only
 */
#include "der.h"
#include "pkcs8.h"

/* OBJECT IDENTIFIER contents. */
static const u8 kc_p8_oid_rsa[] = {		/* 1.2.840.113549.1.1.1 */
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01
};
static const u8 kc_p8_oid_ec[] = {		/* 1.2.840.10045.2.1 */
	0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01
};
static const u8 kc_p8_oid_x25519[] = { 0x2b, 0x65, 0x6e };	/* 1.3.101.110 */
static const u8 kc_p8_oid_ed25519[] = { 0x2b, 0x65, 0x70 };	/* 1.3.101.112 */
static const u8 kc_p8_oid_p256[] = {		/* 1.2.840.10045.3.1.7 */
	0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07
};
static const u8 kc_p8_oid_p384[] = { 0x2b, 0x81, 0x04, 0x00, 0x22 };
static const u8 kc_p8_oid_p521[] = { 0x2b, 0x81, 0x04, 0x00, 0x23 };

static const struct kc_p8_alg {
	enum kc_p8_type type;
	const u8 *oid;
	size_t oid_len;
} kc_p8_algs[] = {
	{ KC_P8_RSA, kc_p8_oid_rsa, sizeof(kc_p8_oid_rsa) },
	{ KC_P8_EC, kc_p8_oid_ec, sizeof(kc_p8_oid_ec) },
	{ KC_P8_ED25519, kc_p8_oid_ed25519, sizeof(kc_p8_oid_ed25519) },
	{ KC_P8_X25519, kc_p8_oid_x25519, sizeof(kc_p8_oid_x25519) },
};

static const struct kc_p8_curve {
	enum kc_curve curve;
	const u8 *oid;
	size_t oid_len;
} kc_p8_curves[] = {
	{ KC_P256, kc_p8_oid_p256, sizeof(kc_p8_oid_p256) },
	{ KC_P384, kc_p8_oid_p384, sizeof(kc_p8_oid_p384) },
	{ KC_P521, kc_p8_oid_p521, sizeof(kc_p8_oid_p521) },
};

#define KC_P8_N(a)	(sizeof(a) / sizeof((a)[0]))

static int kc_p8_eq(const struct kc_der *v, const u8 *p, size_t len)
{
	return v->len == len && !memcmp(v->p, p, len);
}

static const struct kc_p8_curve *kc_p8_curve_by_oid(const struct kc_der *oid)
{
	size_t i;

	for (i = 0; i < KC_P8_N(kc_p8_curves); i++)
		if (kc_p8_eq(oid, kc_p8_curves[i].oid, kc_p8_curves[i].oid_len))
			return &kc_p8_curves[i];
	return NULL;
}

static const struct kc_p8_curve *kc_p8_curve_by_id(enum kc_curve curve)
{
	size_t i;

	for (i = 0; i < KC_P8_N(kc_p8_curves); i++)
		if (kc_p8_curves[i].curve == curve)
			return &kc_p8_curves[i];
	return NULL;
}

static const struct kc_p8_alg *kc_p8_alg_by_type(enum kc_p8_type type)
{
	size_t i;

	for (i = 0; i < KC_P8_N(kc_p8_algs); i++)
		if (kc_p8_algs[i].type == type)
			return &kc_p8_algs[i];
	return NULL;
}

/* The parts of a parsed PrivateKeyInfo. */
struct kc_p8_info {
	enum kc_p8_type type;
	struct kc_der params;		/* EC: the curve OID's content */
	struct kc_der priv;		/* privateKey's content */
	struct kc_der pub;		/* [1] publicKey's content */
	int has_pub;
};

/*
 * The whole outer structure: version, a known algorithm with the
 * parameters it must have, the private key, optional attributes and
 * (version 1) public key, nothing after.
 */
static int kc_p8_outer(const u8 *der, size_t len, struct kc_p8_info *info)
{
	struct kc_der c = { der, len }, seq, alg, oid, v;
	const struct kc_p8_alg *a = NULL;
	int present;
	size_t i;
	u32 version;

	if (kc_der_get(&c, KC_DER_SEQUENCE, &seq) || kc_der_end(&c))
		return KC_EINPUT;
	if (kc_der_get_small(&seq, &version) || version > 1)
		return KC_EINPUT;
	if (kc_der_get(&seq, KC_DER_SEQUENCE, &alg) ||
	    kc_der_get(&alg, KC_DER_OID, &oid))
		return KC_EINPUT;
	for (i = 0; i < KC_P8_N(kc_p8_algs); i++)
		if (kc_p8_eq(&oid, kc_p8_algs[i].oid, kc_p8_algs[i].oid_len))
			a = &kc_p8_algs[i];
	if (!a)
		return KC_EINPUT;
	info->type = a->type;
	switch (a->type) {
	case KC_P8_RSA:			/* NULL parameters */
		if (kc_der_get(&alg, KC_DER_NULL, &v) || v.len)
			return KC_EINPUT;
		break;
	case KC_P8_EC:			/* namedCurve only */
		if (kc_der_get(&alg, KC_DER_OID, &info->params))
			return KC_EINPUT;
		break;
	default:			/* RFC 8410: no parameters */
		break;
	}
	if (kc_der_end(&alg))
		return KC_EINPUT;
	if (kc_der_get(&seq, KC_DER_OCTET_STRING, &info->priv))
		return KC_EINPUT;
	if (kc_der_get_opt(&seq, KC_DER_CTX_CONS(0), NULL, &present))
		return KC_EINPUT;
	if (kc_der_get_opt(&seq, KC_DER_CTX_PRIM(1), &info->pub,
			   &info->has_pub))
		return KC_EINPUT;
	if (info->has_pub && version != 1)
		return KC_EINPUT;
	return kc_der_end(&seq);
}

int kc_p8_type(const u8 *der, size_t len, enum kc_p8_type *type)
{
	struct kc_p8_info info;

	if (kc_p8_outer(der, len, &info))
		return KC_EINPUT;
	*type = info.type;
	return 0;
}

/* Header of PrivateKeyInfo up to the privateKey's content. */
static void kc_p8_put_head(struct kc_der_w *w, const struct kc_p8_alg *a,
			   const struct kc_p8_curve *curve, size_t priv_len)
{
	static const u8 version0[] = { KC_DER_INTEGER, 1, 0 };
	static const u8 null[] = { KC_DER_NULL, 0 };
	size_t alg_len = kc_der_tlv_len(a->oid_len);

	if (a->type == KC_P8_RSA)
		alg_len += sizeof(null);
	if (curve)
		alg_len += kc_der_tlv_len(curve->oid_len);
	kc_der_put_hdr(w, KC_DER_SEQUENCE, sizeof(version0) +
		       kc_der_tlv_len(alg_len) + kc_der_tlv_len(priv_len));
	kc_der_put_raw(w, version0, sizeof(version0));
	kc_der_put_hdr(w, KC_DER_SEQUENCE, alg_len);
	kc_der_put_hdr(w, KC_DER_OID, a->oid_len);
	kc_der_put_raw(w, a->oid, a->oid_len);
	if (a->type == KC_P8_RSA)
		kc_der_put_raw(w, null, sizeof(null));
	if (curve) {
		kc_der_put_hdr(w, KC_DER_OID, curve->oid_len);
		kc_der_put_raw(w, curve->oid, curve->oid_len);
	}
	kc_der_put_hdr(w, KC_DER_OCTET_STRING, priv_len);
}

static int kc_p8_done(const struct kc_der_w *w, size_t *out_len)
{
	if (w->err)
		return KC_EINPUT;
	*out_len = w->pos;
	return 0;
}

/* ---- RSA ---------------------------------------------------------------- */

static size_t kc_p8_strip(const u8 *p, size_t len)
{
	size_t i = 0;

	while (i < len && !p[i])
		i++;
	return len - i;
}

int kc_p8_encode_rsa(const struct kc_p8_rsa *k, u8 *out, size_t cap,
		     size_t *out_len)
{
	const struct kc_p8_num *num[] = {
		&k->n, &k->e, &k->d, &k->p, &k->q, &k->dp, &k->dq, &k->qinv
	};
	struct kc_der_w w = { .buf = out, .cap = cap };
	size_t body = 3, i, n_len;	/* version 0 */

	n_len = k->n.p ? kc_p8_strip(k->n.p, k->n.len) : 0;
	if (!n_len || n_len > KC_P8_RSA_MAX_BITS / 8)
		return KC_EINPUT;
	for (i = 0; i < KC_P8_N(num); i++) {
		/* every number present, non-zero, no longer than n */
		if (!num[i]->p || !kc_p8_strip(num[i]->p, num[i]->len) ||
		    kc_p8_strip(num[i]->p, num[i]->len) > n_len)
			return KC_EINPUT;
		body += kc_der_tlv_len(kc_der_uint_len(num[i]->p, num[i]->len));
	}
	kc_p8_put_head(&w, kc_p8_alg_by_type(KC_P8_RSA), NULL,
		       kc_der_tlv_len(body));
	kc_der_put_hdr(&w, KC_DER_SEQUENCE, body);
	kc_der_put_uint(&w, NULL, 0);
	for (i = 0; i < KC_P8_N(num); i++)
		kc_der_put_uint(&w, num[i]->p, num[i]->len);
	return kc_p8_done(&w, out_len);
}

int kc_p8_decode_rsa(const u8 *der, size_t len, struct kc_p8_rsa *k)
{
	struct kc_p8_num *num[] = {
		&k->n, &k->e, &k->d, &k->p, &k->q, &k->dp, &k->dq, &k->qinv
	};
	struct kc_p8_info info;
	struct kc_der c, seq, m;
	size_t i;
	u32 version;

	if (kc_p8_outer(der, len, &info) || info.type != KC_P8_RSA ||
	    info.has_pub)
		return KC_EINPUT;
	c = info.priv;
	if (kc_der_get(&c, KC_DER_SEQUENCE, &seq) || kc_der_end(&c))
		return KC_EINPUT;
	/* version 0: two primes (1 would bring otherPrimeInfos) */
	if (kc_der_get_small(&seq, &version) || version != 0)
		return KC_EINPUT;
	for (i = 0; i < KC_P8_N(num); i++) {
		if (kc_der_get_uint(&seq, &m) || !m.len)
			goto bad;
		if (m.len > (i ? k->n.len : KC_P8_RSA_MAX_BITS / 8))
			goto bad;
		num[i]->p = m.p;
		num[i]->len = m.len;
	}
	if (kc_der_end(&seq))
		goto bad;
	return 0;
bad:
	for (i = 0; i < KC_P8_N(num); i++) {
		num[i]->p = NULL;
		num[i]->len = 0;
	}
	return KC_EINPUT;
}

/* ---- EC ----------------------------------------------------------------- */

/*
 *   ECPrivateKey ::= SEQUENCE {
 *     version        INTEGER { ecPrivkeyVer1(1) },
 *     privateKey     OCTET STRING,
 *     parameters [0] ECParameters {{ NamedCurve }} OPTIONAL,
 *     publicKey  [1] BIT STRING OPTIONAL }
 */
int kc_p8_encode_ec(const struct kc_p8_ec *k, u8 *out, size_t cap,
		    size_t *out_len)
{
	static const u8 version1[] = { KC_DER_INTEGER, 1, 1 };
	const struct kc_p8_curve *curve = kc_p8_curve_by_id(k->curve);
	struct kc_der_w w = { .buf = out, .cap = cap };
	u8 pub[KC_EC_MAX_POINT];
	size_t nb, plen, bits, body;
	const u8 *point = k->pub;
	int ret = 0;

	if (!curve)
		return KC_ECURVE;
	nb = kc_ec_bytes(k->curve);
	plen = 1 + 2 * nb;
	if (!k->priv || k->priv_len != nb)
		return KC_EINPUT;
	if (out) {
		if (kc_ec_scalar_check(k->curve, k->priv))
			return KC_EINPUT;
		if (!point) {
			ret = kc_ec_pub_from_priv(k->curve, k->priv, pub);
			if (ret)
				return ret;
			point = pub;
		}
		if (point[0] != 0x04)
			return KC_EINPUT;
	}
	bits = kc_der_tlv_len(1 + plen);	/* 00 (no unused bits), point */
	body = sizeof(version1) + kc_der_tlv_len(nb) + kc_der_tlv_len(bits);
	kc_p8_put_head(&w, kc_p8_alg_by_type(KC_P8_EC), curve,
		       kc_der_tlv_len(body));
	kc_der_put_hdr(&w, KC_DER_SEQUENCE, body);
	kc_der_put_raw(&w, version1, sizeof(version1));
	kc_der_put_hdr(&w, KC_DER_OCTET_STRING, nb);
	kc_der_put_raw(&w, k->priv, nb);
	kc_der_put_hdr(&w, KC_DER_CTX_CONS(1), bits);
	kc_der_put_hdr(&w, KC_DER_BIT_STRING, 1 + plen);
	kc_der_put_raw(&w, "", 1);
	kc_der_put_raw(&w, point, plen);	/* NULL only when counting */
	return kc_p8_done(&w, out_len);
}

/* BIT STRING content @bits (00, point) against the point of @q (04 X Y). */
static int kc_p8_ec_pub_match(const struct kc_der *bits, const u8 *q,
			      size_t nb)
{
	const u8 *p;
	size_t len;

	if (!bits->len || bits->p[0] != 0)
		return KC_EINPUT;
	p = bits->p + 1;
	len = bits->len - 1;
	if (len == 1 + 2 * nb && p[0] == 0x04)
		return memcmp(p, q, len) ? KC_EPOINT : 0;
	if (len == 1 + nb && (p[0] == 0x02 || p[0] == 0x03))
		return p[0] != (0x02 | (q[2 * nb] & 1)) ||
		       memcmp(p + 1, q + 1, nb) ? KC_EPOINT : 0;
	return KC_EINPUT;
}

int kc_p8_decode_ec(const u8 *der, size_t len, struct kc_p8_ec *k)
{
	const struct kc_p8_curve *curve;
	struct kc_p8_info info;
	struct kc_der c, seq, s, params, pubs, bits, oid;
	u8 priv[KC_EC_MAX_BYTES], pub[KC_EC_MAX_POINT];
	int has_params, has_pub, ret;
	size_t nb;
	u32 version;

	if (kc_p8_outer(der, len, &info) || info.type != KC_P8_EC ||
	    info.has_pub)
		return KC_EINPUT;
	curve = kc_p8_curve_by_oid(&info.params);
	if (!curve)
		return KC_ECURVE;
	nb = kc_ec_bytes(curve->curve);
	c = info.priv;
	if (kc_der_get(&c, KC_DER_SEQUENCE, &seq) || kc_der_end(&c))
		return KC_EINPUT;
	if (kc_der_get_small(&seq, &version) || version != 1 ||
	    kc_der_get(&seq, KC_DER_OCTET_STRING, &s) ||
	    kc_der_get_opt(&seq, KC_DER_CTX_CONS(0), &params, &has_params) ||
	    kc_der_get_opt(&seq, KC_DER_CTX_CONS(1), &pubs, &has_pub) ||
	    kc_der_end(&seq))
		return KC_EINPUT;
	if (!s.len || s.len > nb)
		return KC_EINPUT;
	if (has_params &&
	    (kc_der_get(&params, KC_DER_OID, &oid) || kc_der_end(&params) ||
	     !kc_p8_eq(&oid, curve->oid, curve->oid_len)))
		return KC_EINPUT;
	if (has_pub && (kc_der_get(&pubs, KC_DER_BIT_STRING, &bits) ||
			kc_der_end(&pubs)))
		return KC_EINPUT;
	memset(priv, 0, nb - s.len);
	memcpy(priv + nb - s.len, s.p, s.len);
	ret = KC_EINPUT;
	if (kc_ec_scalar_check(curve->curve, priv))
		goto out;
	if (has_pub) {
		ret = kc_ec_pub_from_priv(curve->curve, priv, pub);
		if (ret)
			goto out;
		ret = kc_p8_ec_pub_match(&bits, pub, nb);
		if (ret)
			goto out;
	}
	k->curve = curve->curve;
	k->priv = s.p;
	k->priv_len = s.len;
	k->pub = NULL;
	ret = 0;
out:
	kc_wipe(priv, sizeof(priv));
	return ret;
}

/* ---- Ed25519, X25519 ---------------------------------------------------- */

int kc_p8_encode_25519(enum kc_p8_type type, const struct kc_p8_25519 *k,
		       u8 *out, size_t cap, size_t *out_len)
{
	struct kc_der_w w = { .buf = out, .cap = cap };

	if ((type != KC_P8_ED25519 && type != KC_P8_X25519) || !k->priv)
		return KC_EINPUT;
	kc_p8_put_head(&w, kc_p8_alg_by_type(type), NULL,
		       kc_der_tlv_len(KC_P8_25519_LEN));
	kc_der_put_hdr(&w, KC_DER_OCTET_STRING, KC_P8_25519_LEN);
	kc_der_put_raw(&w, k->priv, KC_P8_25519_LEN);
	return kc_p8_done(&w, out_len);
}

int kc_p8_decode_25519(enum kc_p8_type type, const u8 *der, size_t len,
		       struct kc_p8_25519 *k)
{
	struct kc_p8_info info;
	struct kc_der c, s;
	u8 pub[KC_P8_25519_LEN];
	int ret;

	if ((type != KC_P8_ED25519 && type != KC_P8_X25519) ||
	    kc_p8_outer(der, len, &info) || info.type != type)
		return KC_EINPUT;
	c = info.priv;			/* CurvePrivateKey ::= OCTET STRING */
	if (kc_der_get(&c, KC_DER_OCTET_STRING, &s) || kc_der_end(&c) ||
	    s.len != KC_P8_25519_LEN)
		return KC_EINPUT;
	if (info.has_pub) {
		/* BIT STRING: no unused bits, the 32-byte public key */
		if (info.pub.len != 1 + KC_P8_25519_LEN || info.pub.p[0])
			return KC_EINPUT;
		ret = type == KC_P8_ED25519 ?
		      kc_ed25519_pub_from_seed(pub, s.p) :
		      kc_x25519_base(pub, s.p);
		if (ret)
			return ret;
		ret = memcmp(pub, info.pub.p + 1, KC_P8_25519_LEN) ?
		      KC_EPOINT : 0;
		if (ret)
			return ret;
	}
	k->priv = s.p;
	return 0;
}
