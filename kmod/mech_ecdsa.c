// SPDX-License-Identifier: GPL-2.0
/*
 * EC mechanisms on the constant-time engine of kmod/crypto/:
 * CKM_EC_KEY_PAIR_GEN, CKM_ECDSA (single-part only, as PKCS#11 says;
 * input: a hash of any length, truncated or left-padded to the order's bit
 * length as SEC 1 says) and
 * CKM_ECDSA_SHA1/SHA224/SHA256/SHA384/SHA512 (hashed here with the
 * engine's SHA, multi-part). Curves: P-256, P-384 and P-521 (one row
 * each in khsm_ec_curves[], which every EC family looks up).
 *
 * Keys (CKK_EC): CKA_EC_PARAMS is the DER OID of a named curve;
 * CKA_VALUE of the private key is the big-endian scalar (leading zero
 * bytes may be missing); CKA_EC_POINT of the public key is the DER OCTET
 * STRING of the uncompressed point 04 X Y. C_CreateObject also takes the
 * OCTET STRING of a compressed point 02/03 X (decompressed here) or the
 * bare 04 X Y, and stores the DER OCTET STRING of 04 X Y in every case,
 * which is what C_GetAttributeValue returns; a point that is not on the
 * curve, X >= p, a wrong length or an X without a point is
 * CKR_ATTRIBUTE_VALUE_INVALID.
 *
 * Signatures are r || s, each of the curve's byte length (PKCS#11 form).
 *
 * Nonce: kc_ecdsa_sign()'s RFC 6979 deterministic k (HMAC_DRBG over the
 * message hash, or over the curve's hash for CKM_ECDSA), always hedged
 * with 32 fresh random bytes as the additional data k' of RFC 6979
 * section 3.6: a broken RNG then still gives a safe nonce, and a fault
 * cannot be provoked by repeating a message. The unhedged known answers
 * are the engine's own tests (kc_selftest() at load, qemu-tests/engine).
 *
 * Verification is strict: r and s in [1, n-1], the public point fully
 * validated (coordinates below p, on the curve; the cofactor is 1), the
 * signature exactly 2 * nbytes long.
 *
 * Nothing here allocates after ->init: the operation context holds the
 * key, the hash state and the leading bytes of a raw hash.
 */
#include <linux/kernel.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ck.h"
#include "crypto/engine.h"
#include "crypto/pkcs8.h"
#include "key.h"
#include "mech_family.h"
#include "uapi/linux/khsm.h"

#define KHSM_ECDSA_HEDGE_LEN	32
#define KHSM_EC_FLAGS	(CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS)

/* ---- curves (CKA_EC_PARAMS) ---- */

struct khsm_ec_curve {
	const u8 *oid;			/* DER: 06 len bytes */
	u32 oid_len;
	enum kc_curve kc;
	u32 nbytes;			/* bytes of p and of n */
	enum kc_hash hash;		/* RFC 6979 hash of CKM_ECDSA */
};

static const u8 khsm_oid_p256[] = {
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07
};
static const u8 khsm_oid_p384[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22 };
static const u8 khsm_oid_p521[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23 };

static const struct khsm_ec_curve khsm_ec_curves[] = {
	{
		.oid = khsm_oid_p256,
		.oid_len = sizeof(khsm_oid_p256),
		.kc = KC_P256,
		.nbytes = 32,
		.hash = KC_SHA256,
	},
	{
		.oid = khsm_oid_p384,
		.oid_len = sizeof(khsm_oid_p384),
		.kc = KC_P384,
		.nbytes = 48,
		.hash = KC_SHA384,
	},
	{
		.oid = khsm_oid_p521,
		.oid_len = sizeof(khsm_oid_p521),
		.kc = KC_P521,
		.nbytes = 66,
		.hash = KC_SHA512,
	},
};

/* CKA_EC_PARAMS: a DER OBJECT IDENTIFIER naming a supported curve. */
static unsigned long khsm_ec_curve(const u8 *der, u32 len,
				   const struct khsm_ec_curve **curve)
{
	unsigned int i;

	if (!der || len < 3 || der[0] != 0x06 || der[1] >= 0x80 ||
	    der[1] != len - 2)
		return CKR_DOMAIN_PARAMS_INVALID;
	for (i = 0; i < ARRAY_SIZE(khsm_ec_curves); i++) {
		if (len == khsm_ec_curves[i].oid_len &&
		    !memcmp(der, khsm_ec_curves[i].oid, len)) {
			*curve = &khsm_ec_curves[i];
			return CKR_OK;
		}
	}
	return CKR_CURVE_NOT_SUPPORTED;
}

/*
 * The engine's curve and byte length of the named curve @der, for the
 * other EC families (mech_ecdh.c): the one table of curves stays here.
 */
unsigned long khsm_ec_curve_of(const u8 *der, u32 len, enum kc_curve *kc,
			       u32 *nbytes)
{
	const struct khsm_ec_curve *c;
	unsigned long rv;

	rv = khsm_ec_curve(der, len, &c);
	if (rv == CKR_OK) {
		*kc = c->kc;
		*nbytes = c->nbytes;
	}
	return rv;
}

/* ---- key material ---- */

/* CKA_VALUE: the scalar in [1, n-1], left-padded to @priv (nbytes). */
static unsigned long khsm_ec_priv(const struct khsm_ec_curve *c,
				  const struct khsm_key *key, u8 *priv)
{
	if (!key->value || !key->value_len || key->value_len > c->nbytes)
		return CKR_KEY_SIZE_RANGE;
	memset(priv, 0, c->nbytes - key->value_len);
	memcpy(priv + c->nbytes - key->value_len, key->value, key->value_len);
	return kc_ec_scalar_check(c->kc, priv) ? CKR_KEY_SIZE_RANGE : CKR_OK;
}

/*
 * DER OCTET STRING header for @len bytes of content (len < 256): 04 len,
 * or 04 81 len from 128 bytes on (P-521's 133-byte point). Returns the
 * header length.
 */
static u32 khsm_ec_octet_hdr(u32 len, u8 *hdr)
{
	hdr[0] = 0x04;
	if (len < 0x80) {
		hdr[1] = len;
		return 2;
	}
	hdr[1] = 0x81;
	hdr[2] = len;
	return 3;
}

/*
 * CKA_EC_POINT to the uncompressed point 04 X Y in @pub: the DER OCTET
 * STRING of 04 X Y or of a compressed 02/03 X (decompressed), or the bare
 * 04 X Y; the point is checked (on the curve, coordinates below p).
 */
static unsigned long khsm_ec_pub(const struct khsm_ec_curve *c, const u8 *p,
				 u32 len, u8 *pub)
{
	u32 plen = 1 + 2 * c->nbytes, clen = 1 + c->nbytes, hl, in;
	u8 hdr[3];

	if (!p)
		return CKR_PUBLIC_KEY_INVALID;
	if (len == plen && p[0] == 0x04) {	/* bare 04 X Y */
		memcpy(pub, p, plen);
	} else {
		if (len < 2)
			return CKR_PUBLIC_KEY_INVALID;
		in = len - (p[1] == 0x81 ? 3 : 2);
		hl = khsm_ec_octet_hdr(in, hdr);
		if (len < hl || memcmp(p, hdr, hl))
			return CKR_PUBLIC_KEY_INVALID;
		if (in == plen && p[hl] == 0x04)
			memcpy(pub, p + hl, plen);
		else if (in != clen || kc_ec_decompress(c->kc, p + hl, in, pub))
			return CKR_PUBLIC_KEY_INVALID;
	}
	return kc_ec_check_pub(c->kc, pub, plen) ? CKR_PUBLIC_KEY_INVALID :
						   CKR_OK;
}

/* ---- CKM_ECDSA, CKM_ECDSA_SHA* ---- */

struct khsm_ecdsa_ctx {
	const struct khsm_ec_curve *curve;
	enum kc_hash msg_hash;		/* CKM_ECDSA_SHA*; 0 for CKM_ECDSA */
	bool sign;
	/* sign: the private scalar (nbytes); verify: the point 04 X Y */
	u8 key[KC_EC_MAX_POINT];
	union {
		struct kc_hash_ctx hc;		/* CKM_ECDSA_SHA* */
		struct {			/* CKM_ECDSA */
			u8 raw[KC_EC_MAX_BYTES];	/* leading bytes */
			size_t raw_len;
		};
	};
};

static enum kc_hash khsm_ecdsa_msg_hash(unsigned long type)
{
	switch (type) {
	case CKM_ECDSA_SHA1:
		return KC_SHA1;
	case CKM_ECDSA_SHA224:
		return KC_SHA224;
	case CKM_ECDSA_SHA256:
		return KC_SHA256;
	case CKM_ECDSA_SHA384:
		return KC_SHA384;
	case CKM_ECDSA_SHA512:
		return KC_SHA512;
	}
	return 0;		/* CKM_ECDSA: the caller hashed */
}

static unsigned long khsm_ecdsa_init(struct khsm_op *op,
				     const struct khsm_key *key,
				     const void *param, u32 param_len)
{
	const struct khsm_ec_curve *c;
	struct khsm_ecdsa_ctx *ctx;
	unsigned long rv;

	if (param_len)
		return CKR_MECHANISM_PARAM_INVALID;
	if (!key)
		return CKR_KEY_HANDLE_INVALID;
	if (op->kind != KHSM_OP_SIGN && op->kind != KHSM_OP_VERIFY)
		return CKR_MECHANISM_INVALID;
	rv = khsm_ec_curve(key->ec_params, key->ec_params_len, &c);
	if (rv != CKR_OK)
		return rv;
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return CKR_HOST_MEMORY;
	op->ctx = ctx;
	ctx->curve = c;
	ctx->sign = op->kind == KHSM_OP_SIGN;
	ctx->msg_hash = khsm_ecdsa_msg_hash(op->mech->type);
	if (ctx->msg_hash && kc_hash_init(&ctx->hc, ctx->msg_hash))
		return CKR_GENERAL_ERROR;
	if (ctx->sign)
		return khsm_ec_priv(c, key, ctx->key);
	return khsm_ec_pub(c, key->ec_point, key->ec_point_len, ctx->key);
}

static size_t khsm_ecdsa_out_len(const struct khsm_op *op,
				 enum khsm_step step, size_t in_len)
{
	const struct khsm_ecdsa_ctx *ctx = op->ctx;

	if (!ctx->sign || step == KHSM_STEP_UPDATE)
		return 0;
	return 2 * ctx->curve->nbytes;
}

/* Take more input: hash it, or keep the leading bytes of a raw hash. */
static void khsm_ecdsa_feed(struct khsm_ecdsa_ctx *ctx, const u8 *in,
			    size_t in_len)
{
	size_t n;

	if (ctx->msg_hash) {
		kc_hash_update(&ctx->hc, in, in_len);
		return;
	}
	/* bits2int keeps the leftmost qlen = 8 * nbytes bits only */
	n = min_t(size_t, in_len, ctx->curve->nbytes - ctx->raw_len);
	memcpy(ctx->raw + ctx->raw_len, in, n);
	ctx->raw_len += n;
}

/* RFC 6979 nonce hedged with fresh randomness; @sig gets r || s. */
static unsigned long khsm_ecdsa_sign(const struct khsm_ecdsa_ctx *ctx,
				     const u8 *h, size_t h_len, u8 *sig)
{
	const struct khsm_ec_curve *c = ctx->curve;
	u8 extra[KHSM_ECDSA_HEDGE_LEN];
	int err;

	get_random_bytes(extra, sizeof(extra));
	err = kc_ecdsa_sign(c->kc, ctx->key, h, h_len,
			    ctx->msg_hash ?: c->hash, extra, sizeof(extra),
			    sig);
	memzero_explicit(extra, sizeof(extra));
	if (err) {
		memzero_explicit(sig, 2 * c->nbytes);
		pr_err("ECDSA signature failed: %d\n", err);
		return CKR_DEVICE_ERROR;
	}
	return CKR_OK;
}

static unsigned long khsm_ecdsa_verify(const struct khsm_ecdsa_ctx *ctx,
				       const u8 *h, size_t h_len,
				       const u8 *sig, size_t sig_len)
{
	const struct khsm_ec_curve *c = ctx->curve;

	if (!sig || sig_len != 2 * c->nbytes)
		return CKR_SIGNATURE_LEN_RANGE;
	if (kc_ecdsa_verify(c->kc, ctx->key, 1 + 2 * c->nbytes, h, h_len,
			    sig, sig_len))
		return CKR_SIGNATURE_INVALID;
	return CKR_OK;
}

static unsigned long khsm_ecdsa_step(struct khsm_op *op, enum khsm_step step,
				     const u8 *in, size_t in_len, u8 *out,
				     size_t *out_len, const u8 *sig,
				     size_t sig_len)
{
	static const u8 zero;
	struct khsm_ecdsa_ctx *ctx = op->ctx;
	u8 md[KC_HASH_MAX_DIGEST];
	const u8 *h = &zero;
	size_t h_len = 1;	/* an empty raw hash is 0, as is one 00 byte */
	unsigned long rv;

	*out_len = 0;
	if (step == KHSM_STEP_FINAL && in_len)
		return CKR_ARGUMENTS_BAD;
	if (in_len)
		khsm_ecdsa_feed(ctx, in, in_len);
	if (step == KHSM_STEP_UPDATE)
		return CKR_OK;
	if (ctx->msg_hash) {
		kc_hash_final(&ctx->hc, md);
		h = md;
		h_len = kc_hash_len(ctx->msg_hash);
	} else if (ctx->raw_len) {
		h = ctx->raw;
		h_len = ctx->raw_len;
	}
	if (ctx->sign) {
		rv = khsm_ecdsa_sign(ctx, h, h_len, out);
		if (rv == CKR_OK)
			*out_len = 2 * ctx->curve->nbytes;
	} else {
		rv = khsm_ecdsa_verify(ctx, h, h_len, sig, sig_len);
	}
	memzero_explicit(md, sizeof(md));
	return rv;
}

static void khsm_ecdsa_cleanup(struct khsm_op *op)
{
	/* the private scalar and the hash state of the message */
	kfree_sensitive(op->ctx);
	op->ctx = NULL;
}

/* ---- CKM_EC_KEY_PAIR_GEN ---- */

static unsigned long khsm_ec_gen_pair(const u8 *ec_params, u32 ec_params_len,
				      struct khsm_keypair *out)
{
	const struct khsm_ec_curve *c;
	u8 d[KC_EC_MAX_BYTES], pub[KC_EC_MAX_POINT];
	unsigned long rv;
	u32 plen, hl;

	rv = khsm_ec_curve(ec_params, ec_params_len, &c);
	if (rv != CKR_OK)
		return rv;
	plen = 1 + 2 * c->nbytes;
	if (out->priv_len < c->nbytes || out->pub_point_len < 3 + plen)
		return CKR_GENERAL_ERROR;
	if (kc_ec_keygen(c->kc, d, pub)) {
		rv = CKR_DEVICE_ERROR;
		goto out;
	}
	memcpy(out->priv, d, c->nbytes);
	out->priv_len = c->nbytes;
	hl = khsm_ec_octet_hdr(plen, out->pub_point);	/* OCTET STRING */
	memcpy(out->pub_point + hl, pub, plen);		/* 04 X Y */
	out->pub_point_len = hl + plen;
out:
	memzero_explicit(d, sizeof(d));
	return rv;
}

/* ---- registration ---- */

#define KHSM_ECDSA_MECH_P(ckm, sp) {				\
	.type = (ckm),						\
	.single_part = (sp),					\
	.flags = CKF_SIGN | CKF_VERIFY | KHSM_EC_FLAGS,		\
	.min_key_size = 256,					\
	.max_key_size = 521,					\
	.key_type = CKK_EC,					\
	.init = khsm_ecdsa_init,				\
	.out_len = khsm_ecdsa_out_len,				\
	.step = khsm_ecdsa_step,				\
	.cleanup = khsm_ecdsa_cleanup,				\
}
#define KHSM_ECDSA_MECH(ckm)	KHSM_ECDSA_MECH_P(ckm, false)

static const struct khsm_mech khsm_ecdsa_mechs[] = {
	{
		.type = CKM_EC_KEY_PAIR_GEN,
		.flags = CKF_GENERATE_KEY_PAIR | KHSM_EC_FLAGS,
		.min_key_size = 256,
		.max_key_size = 521,
		.key_type = CKK_EC,		/* of the generated keys */
	},
	KHSM_ECDSA_MECH_P(CKM_ECDSA, true),	/* single-part only */
	KHSM_ECDSA_MECH(CKM_ECDSA_SHA1),
	KHSM_ECDSA_MECH(CKM_ECDSA_SHA224),
	KHSM_ECDSA_MECH(CKM_ECDSA_SHA256),
	KHSM_ECDSA_MECH(CKM_ECDSA_SHA384),
	KHSM_ECDSA_MECH(CKM_ECDSA_SHA512),
};

const struct khsm_mech_family khsm_mech_ecdsa = {
	.name = "ecdsa",
	.mechs = khsm_ecdsa_mechs,
	.count = ARRAY_SIZE(khsm_ecdsa_mechs),
};

/* --- the key type -------------------------------------------------------- */

/*
 * C_CreateObject: a public key's CKA_EC_POINT is stored as the DER OCTET
 * STRING of the uncompressed point whatever form it came in (compressed
 * points are decompressed here); a point that does not parse or is not
 * on the curve is CKR_ATTRIBUTE_VALUE_INVALID. An unknown curve is left
 * to ->check (CKR_CURVE_NOT_SUPPORTED).
 */
static unsigned long khsm_ec_key_create(struct khsm_attrs *s,
					const struct khsm_tmpl *t,
					unsigned long class)
{
	const struct khsm_oattr *params, *point;
	const struct khsm_ec_curve *c;
	u8 der[KHSM_MAX_EC_POINT_LEN];
	unsigned long rv;
	u32 plen, hl;

	rv = khsm_curve_key_create(s, t, class);
	if (rv != CKR_OK || class != CKO_PUBLIC_KEY)
		return rv;
	params = khsm_attrs_get(s, CKA_EC_PARAMS);
	point = khsm_attrs_get(s, CKA_EC_POINT);
	if (!params || !point ||
	    khsm_ec_curve(params->val, params->len, &c) != CKR_OK)
		return CKR_OK;
	plen = 1 + 2 * c->nbytes;
	hl = khsm_ec_octet_hdr(plen, der);
	if (hl + plen > sizeof(der))
		return CKR_GENERAL_ERROR;
	if (khsm_ec_pub(c, point->val, point->len, der + hl) != CKR_OK)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (point->len == hl + plen && !memcmp(point->val, der, hl + plen))
		return CKR_OK;
	return khsm_attrs_put(s, CKA_EC_POINT, der, hl + plen) ?
	       CKR_HOST_MEMORY : CKR_OK;
}

/* An imported key must parse as CKM_ECDSA would take it at init. */
static unsigned long khsm_ec_key_check(const struct khsm_key *key)
{
	return khsm_key_check_by_mech(CKM_ECDSA, key->class == CKO_PRIVATE_KEY ?
				      KHSM_OP_SIGN : KHSM_OP_VERIFY, key);
}

static unsigned long khsm_ec_key_generate_pair(const struct khsm_mech *m,
					       struct khsm_attrs *pub,
					       struct khsm_attrs *priv)
{
	return khsm_curve_key_generate_pair(pub, priv, khsm_ec_gen_pair);
}

/*
 * C_WrapKey: RFC 5915 ECPrivateKey in PrivateKeyInfo as OpenSSL writes it
 * (curve in the AlgorithmIdentifier, fixed-length scalar, the public
 * point computed from it).
 */
static int khsm_ec_p8_enc(const void *k, u8 *out, size_t cap, size_t *len)
{
	return kc_p8_encode_ec(k, out, cap, len);
}

static unsigned long khsm_ec_pkcs8_encode(const struct khsm_key *key,
					  u8 **der, u32 *der_len)
{
	const struct khsm_ec_curve *c;
	u8 priv[KC_EC_MAX_BYTES];
	struct kc_p8_ec k = { .priv = priv };
	unsigned long rv = CKR_KEY_NOT_WRAPPABLE;

	if (key->class != CKO_PRIVATE_KEY ||
	    khsm_ec_curve(key->ec_params, key->ec_params_len, &c) != CKR_OK ||
	    khsm_ec_priv(c, key, priv) != CKR_OK)
		goto out;
	k.curve = c->kc;
	k.priv_len = c->nbytes;
	rv = khsm_pkcs8_encode(khsm_ec_p8_enc, &k, der, der_len);
out:
	memzero_explicit(priv, sizeof(priv));
	return rv;
}

/*
 * C_UnwrapKey: CKA_EC_PARAMS (the curve's DER OID) and CKA_VALUE (the
 * scalar, left-padded to the curve's length); the codec has checked the
 * scalar's range and that a public key given with it is its point.
 */
static unsigned long khsm_ec_pkcs8_decode(const u8 *der, u32 der_len,
					  struct khsm_attrs *s)
{
	const struct khsm_ec_curve *c = NULL;
	u8 priv[KC_EC_MAX_BYTES];
	struct kc_p8_ec k;
	unsigned long rv = CKR_OK;
	unsigned int i;

	if (!der || kc_p8_decode_ec(der, der_len, &k))
		return CKR_WRAPPED_KEY_INVALID;
	for (i = 0; i < ARRAY_SIZE(khsm_ec_curves); i++)
		if (khsm_ec_curves[i].kc == k.curve)
			c = &khsm_ec_curves[i];
	if (!c || !k.priv_len || k.priv_len > c->nbytes)
		return CKR_WRAPPED_KEY_INVALID;
	memset(priv, 0, c->nbytes - k.priv_len);
	memcpy(priv + c->nbytes - k.priv_len, k.priv, k.priv_len);
	if (khsm_attrs_put(s, CKA_EC_PARAMS, c->oid, c->oid_len) ||
	    khsm_attrs_put(s, CKA_VALUE, priv, c->nbytes))
		rv = CKR_HOST_MEMORY;
	memzero_explicit(priv, sizeof(priv));
	return rv;
}

/* Half the curve's order bits (P-256: 128, P-384: 192, P-521: 256). */
static u32 khsm_ec_strength(const struct khsm_key *key)
{
	enum kc_curve kc;
	u32 nbytes;

	if (khsm_ec_curve_of(key->ec_params, key->ec_params_len, &kc,
			     &nbytes))
		return 0;
	return min_t(u32, 4 * nbytes, 256);
}

const struct khsm_key_ops khsm_key_ec = {
	.strength = khsm_ec_strength,
	.type = CKK_EC,
	.name = "ec",
	.usage = KHSM_KU_SIGN | KHSM_KU_DERIVE,
	/* KHSM_CURVE_KEY_OPS with the point normalised at creation */
	.classes = KHSM_AC_PRIV | KHSM_AC_PUB,
	.attrs = khsm_curve_key_attrs,
	.n_attrs = KHSM_CURVE_KEY_N_ATTRS,
	.material = khsm_curve_key_material,
	.n_material = KHSM_CURVE_KEY_N_MATERIAL,
	.create = khsm_ec_key_create,
	.gen_check = khsm_curve_key_gen_check,
	.check = khsm_ec_key_check,
	.generate_pair = khsm_ec_key_generate_pair,
	.pkcs8_encode = khsm_ec_pkcs8_encode,
	.pkcs8_decode = khsm_ec_pkcs8_decode,
};
