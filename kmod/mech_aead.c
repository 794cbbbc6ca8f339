// SPDX-License-Identifier: GPL-2.0
/*
 * CKM_AES_GCM over the crypto API's "gcm(aes)" AEAD.
 *
 * Parameter (flat, uAPI): struct khsm_gcm_params, then iv_len bytes of IV,
 * then aad_len bytes of AAD. The crypto API's GCM takes 96-bit IVs only;
 * other IV lengths (which GCM derives through GHASH) are refused with
 * CKR_MECHANISM_PARAM_INVALID. Tags of 96..128 bits in steps of 8.
 *
 * The AEAD interface is one-shot, so multi-part input is buffered (at most
 * KHSM_GCM_MAX_DATA bytes plus the tag) and processed at FINAL: encryption
 * then outputs ciphertext || tag, decryption outputs the plaintext only if
 * the tag verifies (nothing at all otherwise: CKR_ENCRYPTED_DATA_INVALID).
 */
#include <crypto/aead.h>
#include <crypto/aes.h>
#include <linux/crypto.h>
#include <linux/kernel.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ck.h"
#include "mech_family.h"
#include "uapi/linux/khsm.h"

#define KHSM_GCM_IV_LEN		12
#define KHSM_GCM_MAX_DATA	(64 * 1024)
#define KHSM_GCM_MAX_AAD	(64 * 1024)
#define KHSM_GCM_MAX_TAG	16

struct khsm_gcm_ctx {
	struct crypto_aead *tfm;
	struct aead_request *req;
	u8 iv[KHSM_GCM_IV_LEN];
	u8 *aad;
	u32 aad_len;
	u8 *buf;			/* buffered input (+ room for the tag) */
	size_t len;
	size_t cap;
	unsigned int tag_len;
	bool encrypt;
};

static ck_rv_t khsm_gcm_parse(struct khsm_gcm_ctx *ctx, const void *param,
			      u32 param_len)
{
	struct khsm_gcm_params p;
	const u8 *var = (const u8 *)param + sizeof(p);

	if (!param || param_len < sizeof(p))
		return CKR_MECHANISM_PARAM_INVALID;
	memcpy(&p, param, sizeof(p));
	if (p.reserved || p.iv_len < 1 || p.iv_len > 256 ||
	    p.aad_len > KHSM_GCM_MAX_AAD ||
	    param_len != sizeof(p) + (size_t)p.iv_len + p.aad_len)
		return CKR_MECHANISM_PARAM_INVALID;
	if (p.tag_bits < 96 || p.tag_bits > 128 || p.tag_bits % 8)
		return CKR_MECHANISM_PARAM_INVALID;
	if (p.iv_len != KHSM_GCM_IV_LEN)
		return CKR_MECHANISM_PARAM_INVALID;
	memcpy(ctx->iv, var, KHSM_GCM_IV_LEN);
	ctx->tag_len = p.tag_bits / 8;
	ctx->aad_len = p.aad_len;
	if (p.aad_len) {
		ctx->aad = kmemdup(var + p.iv_len, p.aad_len, GFP_KERNEL);
		if (!ctx->aad)
			return CKR_HOST_MEMORY;
	}
	return CKR_OK;
}

static ck_rv_t khsm_gcm_init(struct khsm_op *op, const struct khsm_key *key,
			     const void *param, u32 param_len)
{
	struct khsm_gcm_ctx *ctx;
	ck_rv_t rv;
	int err;

	if (!key || !key->value)
		return CKR_KEY_HANDLE_INVALID;
	if (key->value_len != AES_KEYSIZE_128 &&
	    key->value_len != AES_KEYSIZE_192 &&
	    key->value_len != AES_KEYSIZE_256)
		return CKR_KEY_SIZE_RANGE;
	if (op->kind != KHSM_OP_ENCRYPT && op->kind != KHSM_OP_DECRYPT)
		return CKR_MECHANISM_INVALID;
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return CKR_HOST_MEMORY;
	op->ctx = ctx;
	ctx->encrypt = op->kind == KHSM_OP_ENCRYPT;
	rv = khsm_gcm_parse(ctx, param, param_len);
	if (rv != CKR_OK)
		return rv;

	ctx->tfm = crypto_alloc_aead("gcm(aes)", 0, 0);
	if (IS_ERR(ctx->tfm)) {
		err = PTR_ERR(ctx->tfm);
		ctx->tfm = NULL;
		pr_err("cannot allocate aead gcm(aes): %d\n", err);
		return khsm_mech_errno_rv(err);
	}
	err = crypto_aead_setkey(ctx->tfm, key->value, key->value_len);
	if (!err)
		err = crypto_aead_setauthsize(ctx->tfm, ctx->tag_len);
	if (err)
		return err == -EINVAL ? CKR_MECHANISM_PARAM_INVALID :
					khsm_mech_errno_rv(err);
	ctx->req = aead_request_alloc(ctx->tfm, GFP_KERNEL);
	if (!ctx->req)
		return CKR_HOST_MEMORY;
	return CKR_OK;
}

static ck_rv_t khsm_gcm_len_rv(const struct khsm_gcm_ctx *ctx)
{
	return ctx->encrypt ? CKR_DATA_LEN_RANGE : CKR_ENCRYPTED_DATA_LEN_RANGE;
}

/* Append @in to the buffer, growing it (the old copy is wiped). */
static ck_rv_t khsm_gcm_append(struct khsm_gcm_ctx *ctx, const u8 *in,
			       size_t in_len)
{
	size_t max = KHSM_GCM_MAX_DATA + (ctx->encrypt ? 0 : ctx->tag_len);
	size_t need, cap;
	u8 *buf;

	if (in_len > max - ctx->len)
		return khsm_gcm_len_rv(ctx);
	/* Room for the tag the encryption appends. */
	need = ctx->len + in_len + KHSM_GCM_MAX_TAG;
	if (need > ctx->cap) {
		cap = max_t(size_t, need, 2 * ctx->cap);
		cap = min_t(size_t, max_t(size_t, cap, 256),
			    KHSM_GCM_MAX_DATA + 2 * KHSM_GCM_MAX_TAG);
		buf = kmalloc(cap, GFP_KERNEL);
		if (!buf)
			return CKR_HOST_MEMORY;
		if (ctx->len)
			memcpy(buf, ctx->buf, ctx->len);
		kfree_sensitive(ctx->buf);
		ctx->buf = buf;
		ctx->cap = cap;
	}
	if (in_len)
		memcpy(ctx->buf + ctx->len, in, in_len);
	ctx->len += in_len;
	return CKR_OK;
}

static ck_rv_t khsm_gcm_final(struct khsm_gcm_ctx *ctx, u8 *out,
			      size_t *out_len)
{
	struct aead_request *req = ctx->req;
	DECLARE_CRYPTO_WAIT(wait);
	struct scatterlist sg[2];
	size_t cryptlen = ctx->len;
	size_t produced;
	ck_rv_t rv;
	int err;

	if (!ctx->encrypt && ctx->len < ctx->tag_len)
		return CKR_ENCRYPTED_DATA_LEN_RANGE;
	if (!ctx->buf) {
		rv = khsm_gcm_append(ctx, NULL, 0);
		if (rv != CKR_OK)
			return rv;
	}
	/* The AEAD layout: AAD, then the data (+ tag room when encrypting). */
	if (ctx->aad_len) {
		sg_init_table(sg, 2);
		sg_set_buf(&sg[0], ctx->aad, ctx->aad_len);
		sg_set_buf(&sg[1], ctx->buf, ctx->len + ctx->tag_len);
	} else {
		sg_init_one(&sg[0], ctx->buf, ctx->len + ctx->tag_len);
	}

	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_SLEEP |
				  CRYPTO_TFM_REQ_MAY_BACKLOG,
				  crypto_req_done, &wait);
	aead_request_set_ad(req, ctx->aad_len);
	aead_request_set_crypt(req, sg, sg, cryptlen, ctx->iv);
	err = crypto_wait_req(ctx->encrypt ? crypto_aead_encrypt(req) :
					     crypto_aead_decrypt(req), &wait);
	if (err == -EBADMSG)
		return CKR_ENCRYPTED_DATA_INVALID;
	if (err)
		return khsm_mech_errno_rv(err);
	produced = ctx->encrypt ? ctx->len + ctx->tag_len :
				  ctx->len - ctx->tag_len;
	memcpy(out, ctx->buf, produced);
	*out_len = produced;
	return CKR_OK;
}

static size_t khsm_gcm_out_len(const struct khsm_op *op, enum khsm_step step,
			       size_t in_len)
{
	const struct khsm_gcm_ctx *ctx = op->ctx;
	size_t total = ctx->len + in_len;

	if (step == KHSM_STEP_UPDATE)
		return 0;
	if (ctx->encrypt)
		return total + ctx->tag_len;
	return total > ctx->tag_len ? total - ctx->tag_len : 0;
}

static ck_rv_t khsm_gcm_step(struct khsm_op *op, enum khsm_step step,
			     const u8 *in, size_t in_len, u8 *out,
			     size_t *out_len, const u8 *sig, size_t sig_len)
{
	struct khsm_gcm_ctx *ctx = op->ctx;
	ck_rv_t rv;

	*out_len = 0;
	if (step == KHSM_STEP_FINAL && in_len)
		return CKR_ARGUMENTS_BAD;
	if (step == KHSM_STEP_ONESHOT && ctx->len)
		return CKR_OPERATION_ACTIVE;
	if (in_len) {
		rv = khsm_gcm_append(ctx, in, in_len);
		if (rv != CKR_OK)
			return rv;
	}
	if (step == KHSM_STEP_UPDATE)
		return CKR_OK;
	return khsm_gcm_final(ctx, out, out_len);
}

static void khsm_gcm_cleanup(struct khsm_op *op)
{
	struct khsm_gcm_ctx *ctx = op->ctx;

	if (!ctx)
		return;
	aead_request_free(ctx->req);	/* kfree_sensitive */
	if (ctx->tfm)
		crypto_free_aead(ctx->tfm);
	kfree_sensitive(ctx->buf);
	kfree_sensitive(ctx->aad);
	kfree_sensitive(ctx);
	op->ctx = NULL;
}

static const struct khsm_mech khsm_aead_mechs[] = {
	{
		.type = CKM_AES_GCM,
		.flags = CKF_ENCRYPT | CKF_DECRYPT,
		.min_key_size = AES_KEYSIZE_128,
		.max_key_size = AES_KEYSIZE_256,
		.key_type = CKK_AES,
		.init = khsm_gcm_init,
		.out_len = khsm_gcm_out_len,
		.step = khsm_gcm_step,
		.cleanup = khsm_gcm_cleanup,
	},
};

const struct khsm_mech_family khsm_mech_aead = {
	.name = "gcm",
	.mechs = khsm_aead_mechs,
	.count = ARRAY_SIZE(khsm_aead_mechs),
};
