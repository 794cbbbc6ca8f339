// SPDX-License-Identifier: GPL-2.0
/*
 * EdDSA mechanisms (PKCS#11 v3.0 current mechanisms) on the constant-time engine
 * of kmod/crypto/: CKM_EC_EDWARDS_KEY_PAIR_GEN and CKM_EDDSA: Ed25519,
 * Ed25519ctx and Ed25519ph (RFC 8032 5.1). Ed448 is not supported.
 *
 * Keys (CKK_EC_EDWARDS): CKA_EC_PARAMS names edwards25519, as the DER OID
 * 1.3.101.112 or as the DER PrintableString "edwards25519" (what OpenSC
 * sends); CKA_VALUE of the private key is the RFC's 32-byte seed;
 * CKA_EC_POINT of the public key is the DER OCTET STRING of the 32-byte
 * encoding (04 20 ...). An imported CKA_EC_POINT may also be the bare 32
 * bytes; it must decode to a point of the curve that is not of small
 * order (checked by the engine's verify).
 *
 * CKM_EDDSA parameter: none (pure Ed25519), or the flat struct
 * khsm_eddsa_params (uAPI, CK_EDDSA_PARAMS) and context_len (at most 255)
 * bytes of context: ph_flag 0 with a context is Ed25519ctx, ph_flag 1
 * Ed25519ph (context optional), ph_flag 0 without context pure Ed25519
 * (a strict reading of the spec's table makes that Ed25519ctx with an
 * empty context, a variant RFC 8032 says SHOULD NOT be used). Ed25519ph
 * takes the message, not its hash: the kernel computes PH(M) = SHA-512(M)
 * as the data arrives, so its multi-part operations buffer nothing.
 *
 * Ed25519 and Ed25519ctx hash the whole message twice, so their
 * multi-part signing and verification buffer the message in the kernel: at most
 * KHSM_EDDSA_MAX_MSG bytes (the core's per-call data cap), beyond that
 * CKR_DATA_LEN_RANGE. The buffer is accounted to the caller's memory
 * cgroup and wiped when freed.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ck.h"
#include "crypto/engine.h"
#include "crypto/sha2.h"
#include "key.h"
#include "limits.h"
#include "mech_family.h"
#include "uapi/linux/khsm.h"

#define KHSM_ED25519_LEN	32	/* seed, public key */
#define KHSM_ED25519_SIG_LEN	64
#define KHSM_EDDSA_MAX_MSG	KHSM_MAX_DATA_LEN
#define KHSM_EDDSA_MIN_BUF	256
#define KHSM_EDDSA_FLAGS	(CKF_EC_F_P | CKF_EC_OID | CKF_EC_CURVENAME)

struct khsm_eddsa_ctx {
	u8 seed[KHSM_ED25519_LEN];	/* sign */
	u8 pub[KHSM_ED25519_LEN];	/* verify */
	bool sign;
	bool ph;			/* Ed25519ph: hash the message as it comes */
	struct kc_hash_ctx ph_hash;
	u8 dom[KC_ED25519_DOM_MAX];	/* dom2(phflag, context); empty: Ed25519 */
	size_t dom_len;
	u8 *msg;			/* multi-part: the message so far */
	size_t len;
	size_t cap;
};

/* CKA_EC_PARAMS: edwards25519 by OID or by curveName. */
static unsigned long khsm_eddsa_curve(const u8 *der, u32 len)
{
	static const u8 oid[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
	static const u8 name[] = {
		0x13, 0x0c, 'e', 'd', 'w', 'a', 'r', 'd', 's', '2', '5', '5',
		'1', '9'
	};

	if (!der || len < 3 || (der[0] != 0x06 && der[0] != 0x13) ||
	    der[1] >= 0x80 || der[1] != len - 2)
		return CKR_DOMAIN_PARAMS_INVALID;
	if ((len == sizeof(oid) && !memcmp(der, oid, len)) ||
	    (len == sizeof(name) && !memcmp(der, name, len)))
		return CKR_OK;
	return CKR_CURVE_NOT_SUPPORTED;	/* Ed448, other curves */
}

/*
 * CKA_EC_POINT: DER OCTET STRING of the 32-byte encoding, or the bare
 * encoding. The point must decode and not be of small order: verify a
 * dummy signature, which reports a bad key as KC_EPOINT and anything
 * else as KC_OK or KC_ESIG.
 */
static unsigned long khsm_eddsa_point(const u8 *p, u32 len, u8 *pub)
{
	static const u8 zero_sig[KHSM_ED25519_SIG_LEN];

	if (p && len == KHSM_ED25519_LEN + 2 && p[0] == 0x04 &&
	    p[1] == KHSM_ED25519_LEN)
		p += 2;
	else if (!p || len != KHSM_ED25519_LEN)
		return CKR_PUBLIC_KEY_INVALID;
	memcpy(pub, p, KHSM_ED25519_LEN);
	if (kc_ed25519_verify(pub, zero_sig, 0, zero_sig,
			      sizeof(zero_sig)) == KC_EPOINT)
		return CKR_PUBLIC_KEY_INVALID;
	return CKR_OK;
}

/*
 * No parameter (pure Ed25519), or khsm_eddsa_params and its context:
 * dom2() into @ctx for Ed25519ctx and Ed25519ph.
 */
static unsigned long khsm_eddsa_param(struct khsm_eddsa_ctx *ctx,
				      const void *param, u32 param_len)
{
	struct khsm_eddsa_params p;

	if (!param_len)
		return CKR_OK;
	if (!param || param_len < sizeof(p))
		return CKR_MECHANISM_PARAM_INVALID;
	memcpy(&p, param, sizeof(p));
	if (p.context_len != param_len - sizeof(p) || p.context_len > 255 ||
	    p.ph_flag > 1)
		return CKR_MECHANISM_PARAM_INVALID;
	if (!p.ph_flag && !p.context_len)
		return CKR_OK;
	ctx->ph = p.ph_flag;
	ctx->dom_len = kc_ed25519_dom2(ctx->dom, p.ph_flag,
				       (const u8 *)param + sizeof(p),
				       p.context_len);
	if (ctx->ph)
		kc_hash_init(&ctx->ph_hash, KC_SHA512);
	return CKR_OK;
}

static unsigned long khsm_eddsa_init(struct khsm_op *op, const struct khsm_key *key,
			       const void *param, u32 param_len)
{
	struct khsm_eddsa_ctx *ctx;
	unsigned long rv;

	if (!key)
		return CKR_KEY_HANDLE_INVALID;
	if (op->kind != KHSM_OP_SIGN && op->kind != KHSM_OP_VERIFY)
		return CKR_MECHANISM_INVALID;
	rv = khsm_eddsa_curve(key->ec_params, key->ec_params_len);
	if (rv != CKR_OK)
		return rv;
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return CKR_HOST_MEMORY;
	op->ctx = ctx;
	ctx->sign = op->kind == KHSM_OP_SIGN;
	rv = khsm_eddsa_param(ctx, param, param_len);
	if (rv != CKR_OK)
		return rv;
	if (!ctx->sign)
		return khsm_eddsa_point(key->ec_point, key->ec_point_len,
					ctx->pub);
	if (!key->value || key->value_len != KHSM_ED25519_LEN)
		return CKR_KEY_SIZE_RANGE;
	memcpy(ctx->seed, key->value, KHSM_ED25519_LEN);
	return CKR_OK;
}

static size_t khsm_eddsa_out_len(const struct khsm_op *op,
				 enum khsm_step step, size_t in_len)
{
	const struct khsm_eddsa_ctx *ctx = op->ctx;

	if (!ctx->sign || step == KHSM_STEP_UPDATE)
		return 0;
	return KHSM_ED25519_SIG_LEN;
}

/* Append @in to the buffered message, growing the buffer as needed. */
static unsigned long khsm_eddsa_feed(struct khsm_eddsa_ctx *ctx, const u8 *in,
			       size_t in_len)
{
	size_t cap;
	u8 *buf;

	if (in_len > KHSM_EDDSA_MAX_MSG - ctx->len)
		return CKR_DATA_LEN_RANGE;
	if (ctx->len + in_len > ctx->cap) {
		cap = max3(ctx->len + in_len, 2 * ctx->cap,
			   (size_t)KHSM_EDDSA_MIN_BUF);
		cap = min_t(size_t, cap, KHSM_EDDSA_MAX_MSG);
		buf = kvmalloc(cap, GFP_KERNEL_ACCOUNT);
		if (!buf)
			return CKR_HOST_MEMORY;
		if (ctx->len)
			memcpy(buf, ctx->msg, ctx->len);
		kvfree_sensitive(ctx->msg, ctx->cap);
		ctx->msg = buf;
		ctx->cap = cap;
	}
	memcpy(ctx->msg + ctx->len, in, in_len);
	ctx->len += in_len;
	return CKR_OK;
}

static unsigned long khsm_eddsa_step(struct khsm_op *op, enum khsm_step step,
			       const u8 *in, size_t in_len, u8 *out,
			       size_t *out_len, const u8 *sig, size_t sig_len)
{
	struct khsm_eddsa_ctx *ctx = op->ctx;
	const u8 *msg = in;
	size_t msg_len = in_len;
	u8 ph[64];
	int err;

	*out_len = 0;
	if (step == KHSM_STEP_FINAL && in_len)
		return CKR_ARGUMENTS_BAD;
	if (ctx->ph) {
		/* Ed25519ph signs PH(M): hash as the data comes, keep nothing */
		kc_hash_update(&ctx->ph_hash, in, in_len);
		if (step == KHSM_STEP_UPDATE)
			return CKR_OK;
		kc_hash_final(&ctx->ph_hash, ph);
		msg = ph;
		msg_len = sizeof(ph);
	} else if (step == KHSM_STEP_UPDATE) {
		return in_len ? khsm_eddsa_feed(ctx, in, in_len) : CKR_OK;
	} else if (step == KHSM_STEP_FINAL) {
		msg = ctx->msg;
		msg_len = ctx->len;
	} else if (in_len > KHSM_EDDSA_MAX_MSG) {
		return CKR_DATA_LEN_RANGE;
	}
	if (!ctx->sign) {
		if (!sig || sig_len != KHSM_ED25519_SIG_LEN)
			return CKR_SIGNATURE_LEN_RANGE;
		err = kc_ed25519_verify_dom(ctx->pub, ctx->dom, ctx->dom_len,
					    msg, msg_len, sig, sig_len);
		return err ? CKR_SIGNATURE_INVALID : CKR_OK;
	}
	err = kc_ed25519_sign_dom(out, ctx->seed, NULL, ctx->dom,
				  ctx->dom_len, msg, msg_len);
	if (err) {
		memzero_explicit(out, KHSM_ED25519_SIG_LEN);
		return CKR_DEVICE_ERROR;
	}
	*out_len = KHSM_ED25519_SIG_LEN;
	return CKR_OK;
}

static void khsm_eddsa_cleanup(struct khsm_op *op)
{
	struct khsm_eddsa_ctx *ctx = op->ctx;

	if (!ctx)
		return;
	kvfree_sensitive(ctx->msg, ctx->cap);
	kfree_sensitive(ctx);
	op->ctx = NULL;
}

static unsigned long khsm_eddsa_gen_pair(const u8 *ec_params, u32 ec_params_len,
				   struct khsm_keypair *out)
{
	u8 seed[KHSM_ED25519_LEN], pub[KHSM_ED25519_LEN];
	unsigned long rv;

	rv = khsm_eddsa_curve(ec_params, ec_params_len);
	if (rv != CKR_OK)
		return rv;
	if (out->priv_len < KHSM_ED25519_LEN ||
	    out->pub_point_len < KHSM_ED25519_LEN + 2)
		return CKR_GENERAL_ERROR;
	if (kc_ed25519_keygen(seed, pub)) {
		rv = CKR_DEVICE_ERROR;
		goto out;
	}
	memcpy(out->priv, seed, KHSM_ED25519_LEN);
	out->priv_len = KHSM_ED25519_LEN;
	out->pub_point[0] = 0x04;		/* OCTET STRING */
	out->pub_point[1] = KHSM_ED25519_LEN;
	memcpy(out->pub_point + 2, pub, KHSM_ED25519_LEN);
	out->pub_point_len = KHSM_ED25519_LEN + 2;
out:
	memzero_explicit(seed, sizeof(seed));
	return rv;
}

/* Key sizes in bits: the field size of edwards25519 (p = 2^255 - 19). */
static const struct khsm_mech khsm_eddsa_mechs[] = {
	{
		.type = CKM_EC_EDWARDS_KEY_PAIR_GEN,
		.flags = CKF_GENERATE_KEY_PAIR | KHSM_EDDSA_FLAGS,
		.min_key_size = 255,
		.max_key_size = 255,
		.key_type = CKK_EC_EDWARDS,	/* of the generated keys */
	},
	{
		.type = CKM_EDDSA,
		.flags = CKF_SIGN | CKF_VERIFY | KHSM_EDDSA_FLAGS,
		.min_key_size = 255,
		.max_key_size = 255,
		.key_type = CKK_EC_EDWARDS,
		.init = khsm_eddsa_init,
		.out_len = khsm_eddsa_out_len,
		.step = khsm_eddsa_step,
		.cleanup = khsm_eddsa_cleanup,
	},
};

const struct khsm_mech_family khsm_mech_eddsa = {
	.name = "eddsa",
	.mechs = khsm_eddsa_mechs,
	.count = ARRAY_SIZE(khsm_eddsa_mechs),
};

/* --- the key type -------------------------------------------------------- */

/* An imported key must parse as CKM_EDDSA would take it at init. */
static unsigned long khsm_eddsa_key_check(const struct khsm_key *key)
{
	return khsm_key_check_by_mech(CKM_EDDSA, key->class == CKO_PRIVATE_KEY ?
				      KHSM_OP_SIGN : KHSM_OP_VERIFY, key);
}

static unsigned long khsm_eddsa_key_generate_pair(const struct khsm_mech *m,
						  struct khsm_attrs *pub,
						  struct khsm_attrs *priv)
{
	return khsm_curve_key_generate_pair(pub, priv, khsm_eddsa_gen_pair);
}

/* C_WrapKey/C_UnwrapKey: RFC 8410 PrivateKeyInfo of the seed. */
static unsigned long khsm_eddsa_pkcs8_encode(const struct khsm_key *key,
					     u8 **der, u32 *der_len)
{
	if (khsm_eddsa_curve(key->ec_params, key->ec_params_len) != CKR_OK)
		return CKR_KEY_NOT_WRAPPABLE;
	return khsm_pkcs8_encode_25519(true, key, der, der_len);
}

static unsigned long khsm_eddsa_pkcs8_decode(const u8 *der, u32 der_len,
					     struct khsm_attrs *s)
{
	return khsm_pkcs8_decode_25519(true, der, der_len, s);
}

/* Ed25519: 128 bits. */
static u32 khsm_eddsa_strength(const struct khsm_key *key)
{
	return 128;
}

const struct khsm_key_ops khsm_key_ec_edwards = {
	.strength = khsm_eddsa_strength,
	.type = CKK_EC_EDWARDS,
	.name = "ec-edwards",
	.usage = KHSM_KU_SIGN,
	KHSM_CURVE_KEY_OPS,
	.check = khsm_eddsa_key_check,
	.generate_pair = khsm_eddsa_key_generate_pair,
	.pkcs8_encode = khsm_eddsa_pkcs8_encode,
	.pkcs8_decode = khsm_eddsa_pkcs8_decode,
};
