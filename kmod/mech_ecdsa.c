// SPDX-License-Identifier: GPL-2.0
/*
 * EC mechanisms: CKM_EC_KEY_PAIR_GEN, CKM_ECDSA (input: a hash of any
 * length, truncated or left-padded to the order's bit length as SEC 1
 * says) and CKM_ECDSA_SHA1/SHA224/SHA256/SHA384/SHA512 (hashed here,
 * multi-part). Curve arithmetic is behind ec.h.
 *
 * Signatures are r || s, each of the curve's byte length (PKCS#11 form).
 *
 * Nonce: RFC 6979 deterministic k (HMAC_DRBG with HMAC over the message
 * hash, or over the curve's hash for CKM_ECDSA), hedged in normal
 * operation with 32 fresh random bytes as the "additional data" k' of
 * RFC 6979 section 3.6: a broken RNG then still gives a safe nonce, and a
 * fault cannot be provoked by repeating a message. Only the load-time
 * self-test turns the hedge off, to check the RFC's known answers.
 *
 * Verification is strict: r and s in [1, n-1], the public point fully
 * validated (on the curve, order n), signature length exactly 2 * nbytes.
 */
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <linux/kernel.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ck.h"
#include "ec.h"
#include "key.h"
#include "mech_family.h"
#include "selftest.h"
#include "uapi/linux/khsm.h"

#define KHSM_ECDSA_HEDGE_LEN	32
#define KHSM_ECDSA_MAX_TRIES	64
#define KHSM_EC_FLAGS	(CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS)

struct khsm_ecdsa_ctx {
	const struct khsm_ec_curve *curve;
	struct crypto_shash *hash;	/* NULL for CKM_ECDSA */
	struct shash_desc *desc;
	const char *drbg_hash;		/* hash of the RFC 6979 HMAC_DRBG */
	u8 d[KHSM_EC_MAX_BYTES];	/* private scalar (sign) */
	u8 q[2 * KHSM_EC_MAX_BYTES];	/* public point X || Y (verify) */
	u8 raw[KHSM_EC_MAX_BYTES];	/* CKM_ECDSA: leading input bytes */
	size_t raw_len;
	bool sign;
	bool deterministic;		/* self-test only */
};

struct khsm_drbg {
	struct crypto_shash *tfm;
	unsigned int len;
	u8 k[HASH_MAX_DIGESTSIZE];
	u8 v[HASH_MAX_DIGESTSIZE];
};

static const char *khsm_ecdsa_hash(unsigned long type)
{
	switch (type) {
	case CKM_ECDSA_SHA1:
		return "sha1";
	case CKM_ECDSA_SHA224:
		return "sha224";
	case CKM_ECDSA_SHA256:
		return "sha256";
	case CKM_ECDSA_SHA384:
		return "sha384";
	case CKM_ECDSA_SHA512:
		return "sha512";
	}
	return NULL;		/* CKM_ECDSA: the caller hashed */
}

/* CKA_EC_PARAMS: a DER OBJECT IDENTIFIER naming a supported curve. */
static unsigned long khsm_ecdsa_curve(const u8 *der, u32 len,
				const struct khsm_ec_curve **curve)
{
	if (!der || len < 3 || der[0] != 0x06 || der[1] >= 0x80 ||
	    der[1] != len - 2)
		return CKR_DOMAIN_PARAMS_INVALID;
	*curve = khsm_ec_curve_find(der, len);
	return *curve ? CKR_OK : CKR_CURVE_NOT_SUPPORTED;
}

/* CKA_EC_POINT: DER OCTET STRING of 04 X Y (or the bare 04 X Y). */
static unsigned long khsm_ecdsa_point(const struct khsm_ec_curve *c, const u8 *p,
				u32 len, u8 *xy)
{
	u32 plen = 1 + 2 * c->nbytes;

	if (p && len == plen + 2 && p[0] == 0x04 && p[1] == plen)
		p += 2;
	else if (!p || len != plen)
		return CKR_PUBLIC_KEY_INVALID;
	if (p[0] != 0x04)
		return CKR_PUBLIC_KEY_INVALID;
	memcpy(xy, p + 1, 2 * c->nbytes);
	return khsm_ec_point_check(c, xy) ? CKR_PUBLIC_KEY_INVALID : CKR_OK;
}

static unsigned long khsm_ecdsa_init(struct khsm_op *op, const struct khsm_key *key,
			       const void *param, u32 param_len)
{
	const char *hash = khsm_ecdsa_hash(op->mech->type);
	const struct khsm_ec_curve *c;
	struct khsm_ecdsa_ctx *ctx;
	unsigned long rv;
	int err;

	if (param_len)
		return CKR_MECHANISM_PARAM_INVALID;
	if (!key)
		return CKR_KEY_HANDLE_INVALID;
	if (op->kind != KHSM_OP_SIGN && op->kind != KHSM_OP_VERIFY)
		return CKR_MECHANISM_INVALID;
	rv = khsm_ecdsa_curve(key->ec_params, key->ec_params_len, &c);
	if (rv != CKR_OK)
		return rv;
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return CKR_HOST_MEMORY;
	op->ctx = ctx;
	ctx->curve = c;
	ctx->sign = op->kind == KHSM_OP_SIGN;
	ctx->drbg_hash = hash ? hash : c->hash;

	if (ctx->sign) {
		/* CKA_VALUE may come without its leading zero bytes. */
		if (!key->value || !key->value_len ||
		    key->value_len > c->nbytes)
			return CKR_KEY_SIZE_RANGE;
		memcpy(ctx->d + c->nbytes - key->value_len, key->value,
		       key->value_len);
		if (khsm_ec_scalar_check(c, ctx->d))
			return CKR_KEY_SIZE_RANGE;
	} else {
		rv = khsm_ecdsa_point(c, key->ec_point, key->ec_point_len,
				      ctx->q);
		if (rv != CKR_OK)
			return rv;
	}
	if (!hash)
		return CKR_OK;
	ctx->hash = crypto_alloc_shash(hash, 0, 0);
	if (IS_ERR(ctx->hash)) {
		err = PTR_ERR(ctx->hash);
		ctx->hash = NULL;
		pr_err("cannot allocate shash %s: %d\n", hash, err);
		return khsm_mech_errno_rv(err);
	}
	ctx->desc = kzalloc(sizeof(*ctx->desc) +
			    crypto_shash_descsize(ctx->hash), GFP_KERNEL);
	if (!ctx->desc)
		return CKR_HOST_MEMORY;
	ctx->desc->tfm = ctx->hash;
	err = crypto_shash_init(ctx->desc);
	return err ? khsm_mech_errno_rv(err) : CKR_OK;
}

void khsm_ecdsa_set_deterministic(struct khsm_op *op)
{
	struct khsm_ecdsa_ctx *ctx = op->ctx;

	ctx->deterministic = true;
}

/* K = HMAC_K(V || sep || parts...), V = HMAC_K(V); sep < 0: none. */
static int khsm_drbg_mix(struct khsm_drbg *g, int sep, const u8 *x,
			 const u8 *e, size_t len, const u8 *extra,
			 size_t extra_len)
{
	SHASH_DESC_ON_STACK(desc, g->tfm);
	u8 s = sep;
	int err;

	desc->tfm = g->tfm;
	err = crypto_shash_setkey(g->tfm, g->k, g->len);
	err = err ?: crypto_shash_init(desc);
	err = err ?: crypto_shash_update(desc, g->v, g->len);
	if (sep >= 0) {
		err = err ?: crypto_shash_update(desc, &s, 1);
		if (x)
			err = err ?: crypto_shash_update(desc, x, len);
		if (e)
			err = err ?: crypto_shash_update(desc, e, len);
		if (extra_len)
			err = err ?: crypto_shash_update(desc, extra,
							 extra_len);
		err = err ?: crypto_shash_final(desc, g->k);
		err = err ?: crypto_shash_setkey(g->tfm, g->k, g->len);
	} else {
		err = err ?: crypto_shash_final(desc, g->v);
		shash_desc_zero(desc);
		return err;
	}
	err = err ?: crypto_shash_digest(desc, g->v, g->len, g->v);
	shash_desc_zero(desc);
	return err;
}

/* T = V_1 || V_2 ... (V_i = HMAC_K(V)) until @len bytes: the candidate k. */
static int khsm_drbg_generate(struct khsm_drbg *g, u8 *out, size_t len)
{
	size_t n;
	int err;

	while (len) {
		err = khsm_drbg_mix(g, -1, NULL, NULL, 0, NULL, 0);
		if (err)
			return err;
		n = min_t(size_t, len, g->len);
		memcpy(out, g->v, n);
		out += n;
		len -= n;
	}
	return 0;
}

/* e = bits2int(hash) mod n (SEC 1 4.1.3 step 5; RFC 6979 bits2octets). */
static void khsm_ecdsa_e(const struct khsm_ec_curve *c, const u8 *h,
			 size_t h_len, u8 *e)
{
	u8 t[KHSM_EC_MAX_BYTES] = { 0 };

	/* nbits = 8 * nbytes on the supported curves: whole bytes only */
	if (h_len >= c->nbytes)
		memcpy(t, h, c->nbytes);
	else
		memcpy(t + c->nbytes - h_len, h, h_len);
	khsm_ec_scalar_reduce(c, t, e);
	memzero_explicit(t, sizeof(t));
}

/* One signature try with nonce @k: 0, -EAGAIN (r or s was 0), -errno. */
static int khsm_ecdsa_try(const struct khsm_ec_curve *c, const u8 *d,
			  const u8 *e, const u8 *k, u8 *sig)
{
	u8 x[KHSM_EC_MAX_BYTES], kinv[KHSM_EC_MAX_BYTES];
	u8 t[KHSM_EC_MAX_BYTES];
	unsigned int n = c->nbytes;
	int err;

	err = khsm_ec_mul_base_x(c, k, x);
	if (err)
		goto out;
	khsm_ec_scalar_reduce(c, x, sig);		/* r */
	err = -EAGAIN;
	if (khsm_ec_scalar_check(c, sig))
		goto out;
	err = khsm_ec_scalar_inv(c, k, kinv);
	if (err)
		goto out;
	khsm_ec_scalar_mul(c, sig, d, t);		/* r * d */
	khsm_ec_scalar_add(c, t, e, t);			/* e + r * d */
	khsm_ec_scalar_mul(c, kinv, t, sig + n);	/* s */
	err = khsm_ec_scalar_check(c, sig + n) ? -EAGAIN : 0;
out:
	memzero_explicit(x, sizeof(x));
	memzero_explicit(kinv, sizeof(kinv));
	memzero_explicit(t, sizeof(t));
	return err;
}

static unsigned long khsm_ecdsa_sign(struct khsm_ecdsa_ctx *ctx, const u8 *h,
			       size_t h_len, u8 *sig)
{
	const struct khsm_ec_curve *c = ctx->curve;
	u8 extra[KHSM_ECDSA_HEDGE_LEN];
	u8 e[KHSM_EC_MAX_BYTES], k[KHSM_EC_MAX_BYTES];
	size_t extra_len = 0;
	struct khsm_drbg *g;
	char alg[CRYPTO_MAX_ALG_NAME];
	int err, tries;

	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return CKR_HOST_MEMORY;
	snprintf(alg, sizeof(alg), "hmac(%s)", ctx->drbg_hash);
	g->tfm = crypto_alloc_shash(alg, 0, 0);
	if (IS_ERR(g->tfm)) {
		err = PTR_ERR(g->tfm);
		pr_err("cannot allocate shash %s: %d\n", alg, err);
		kfree(g);
		return khsm_mech_errno_rv(err);
	}
	if (!ctx->deterministic) {
		get_random_bytes(extra, sizeof(extra));
		extra_len = sizeof(extra);
	}
	khsm_ecdsa_e(c, h, h_len, e);
	/* RFC 6979 3.2 b-g, with k' (3.6) appended to each seed */
	g->len = crypto_shash_digestsize(g->tfm);
	memset(g->v, 0x01, g->len);
	memset(g->k, 0x00, g->len);
	err = khsm_drbg_mix(g, 0x00, ctx->d, e, c->nbytes, extra, extra_len);
	err = err ?: khsm_drbg_mix(g, 0x01, ctx->d, e, c->nbytes, extra,
				   extra_len);
	for (tries = 0; !err && tries < KHSM_ECDSA_MAX_TRIES; tries++) {
		err = khsm_drbg_generate(g, k, c->nbytes);
		if (err)
			break;
		if (!khsm_ec_scalar_check(c, k)) {
			err = khsm_ecdsa_try(c, ctx->d, e, k, sig);
			if (err != -EAGAIN)
				break;
		}
		/* 3.2 h.3: K = HMAC_K(V || 0x00), V = HMAC_K(V) */
		err = khsm_drbg_mix(g, 0x00, NULL, NULL, 0, NULL, 0);
	}
	if (!err && tries == KHSM_ECDSA_MAX_TRIES)
		err = -EAGAIN;
	crypto_free_shash(g->tfm);
	kfree_sensitive(g);
	memzero_explicit(k, sizeof(k));
	memzero_explicit(e, sizeof(e));
	memzero_explicit(extra, sizeof(extra));
	if (err) {
		memzero_explicit(sig, 2 * c->nbytes);
		return khsm_mech_errno_rv(err);
	}
	return CKR_OK;
}

static unsigned long khsm_ecdsa_verify(struct khsm_ecdsa_ctx *ctx, const u8 *h,
				 size_t h_len, const u8 *sig, size_t sig_len)
{
	const struct khsm_ec_curve *c = ctx->curve;
	u8 e[KHSM_EC_MAX_BYTES], w[KHSM_EC_MAX_BYTES];
	u8 u1[KHSM_EC_MAX_BYTES], u2[KHSM_EC_MAX_BYTES];
	u8 x[KHSM_EC_MAX_BYTES];
	unsigned int n = c->nbytes;
	const u8 *r = sig, *s = sig + n;

	if (!sig || sig_len != 2 * n)
		return CKR_SIGNATURE_LEN_RANGE;
	if (khsm_ec_scalar_check(c, r) || khsm_ec_scalar_check(c, s))
		return CKR_SIGNATURE_INVALID;
	khsm_ecdsa_e(c, h, h_len, e);
	if (khsm_ec_scalar_inv(c, s, w))
		return CKR_DEVICE_ERROR;
	khsm_ec_scalar_mul(c, e, w, u1);
	khsm_ec_scalar_mul(c, r, w, u2);
	if (khsm_ec_mul2_x(c, u1, u2, ctx->q, x))
		return CKR_SIGNATURE_INVALID;
	khsm_ec_scalar_reduce(c, x, x);
	return crypto_memneq(x, r, n) ? CKR_SIGNATURE_INVALID : CKR_OK;
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
static unsigned long khsm_ecdsa_feed(struct khsm_ecdsa_ctx *ctx, const u8 *in,
			       size_t in_len)
{
	size_t n;
	int err;

	if (ctx->hash) {
		err = crypto_shash_update(ctx->desc, in, in_len);
		return err ? khsm_mech_errno_rv(err) : CKR_OK;
	}
	n = min_t(size_t, in_len, ctx->curve->nbytes - ctx->raw_len);
	memcpy(ctx->raw + ctx->raw_len, in, n);
	ctx->raw_len += n;
	return CKR_OK;
}

static unsigned long khsm_ecdsa_step(struct khsm_op *op, enum khsm_step step,
			       const u8 *in, size_t in_len, u8 *out,
			       size_t *out_len, const u8 *sig, size_t sig_len)
{
	struct khsm_ecdsa_ctx *ctx = op->ctx;
	u8 md[HASH_MAX_DIGESTSIZE];
	const u8 *h = ctx->raw;
	size_t h_len;
	unsigned long rv;
	int err;

	*out_len = 0;
	if (step == KHSM_STEP_FINAL && in_len)
		return CKR_ARGUMENTS_BAD;
	if (in_len) {
		rv = khsm_ecdsa_feed(ctx, in, in_len);
		if (rv != CKR_OK)
			return rv;
	}
	if (step == KHSM_STEP_UPDATE)
		return CKR_OK;
	h_len = ctx->raw_len;
	if (ctx->hash) {
		err = crypto_shash_final(ctx->desc, md);
		if (err)
			return khsm_mech_errno_rv(err);
		h = md;
		h_len = crypto_shash_digestsize(ctx->hash);
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
	struct khsm_ecdsa_ctx *ctx = op->ctx;

	if (!ctx)
		return;
	kfree_sensitive(ctx->desc);
	if (ctx->hash)
		crypto_free_shash(ctx->hash);
	kfree_sensitive(ctx);
	op->ctx = NULL;
}

static unsigned long khsm_ec_gen_pair(const u8 *ec_params, u32 ec_params_len,
				struct khsm_keypair *out)
{
	const struct khsm_ec_curve *c;
	u8 d[KHSM_EC_MAX_BYTES], xy[2 * KHSM_EC_MAX_BYTES];
	unsigned int n;
	int tries, err = -EAGAIN;
	unsigned long rv;

	rv = khsm_ecdsa_curve(ec_params, ec_params_len, &c);
	if (rv != CKR_OK)
		return rv;
	n = c->nbytes;
	if (out->priv_len < n || out->pub_point_len < 3 + 2 * n)
		return CKR_GENERAL_ERROR;
	/* d uniform in [1, n-1] by rejection sampling */
	for (tries = 0; tries < KHSM_ECDSA_MAX_TRIES; tries++) {
		get_random_bytes(d, n);
		if (khsm_ec_scalar_check(c, d))
			continue;
		err = khsm_ec_mul_base(c, d, xy);
		if (err != -EAGAIN)
			break;
	}
	if (!err) {
		memcpy(out->priv, d, n);
		out->priv_len = n;
		out->pub_point[0] = 0x04;		/* OCTET STRING */
		out->pub_point[1] = 1 + 2 * n;
		out->pub_point[2] = 0x04;		/* uncompressed */
		memcpy(out->pub_point + 3, xy, 2 * n);
		out->pub_point_len = 3 + 2 * n;
	}
	memzero_explicit(d, sizeof(d));
	return err ? khsm_mech_errno_rv(err) : CKR_OK;
}

#define KHSM_ECDSA_MECH(ckm) {					\
	.type = (ckm),						\
	.flags = CKF_SIGN | CKF_VERIFY | KHSM_EC_FLAGS,		\
	.min_key_size = 256,					\
	.max_key_size = 384,					\
	.key_type = CKK_EC,					\
	.init = khsm_ecdsa_init,				\
	.out_len = khsm_ecdsa_out_len,				\
	.step = khsm_ecdsa_step,				\
	.cleanup = khsm_ecdsa_cleanup,				\
}

static const struct khsm_mech khsm_ecdsa_mechs[] = {
	{
		.type = CKM_EC_KEY_PAIR_GEN,
		.flags = CKF_GENERATE_KEY_PAIR | KHSM_EC_FLAGS,
		.min_key_size = 256,
		.max_key_size = 384,
		.key_type = CKK_EC,		/* of the generated keys */
	},
	KHSM_ECDSA_MECH(CKM_ECDSA),
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

const struct khsm_key_ops khsm_key_ec = {
	.type = CKK_EC,
	.name = "ec",
	KHSM_CURVE_KEY_OPS,
	.check = khsm_ec_key_check,
	.generate_pair = khsm_ec_key_generate_pair,
};
