// SPDX-License-Identifier: GPL-2.0
/*
 * AES key wrap: RFC 3394 (KW, CKM_AES_KEY_WRAP) and RFC 5649 (KWP,
 * CKM_AES_KEY_WRAP_KWP), the wrapping functions W and W^-1 of NIST SP
 * 800-38F 6.1 over the KEK's "ecb(aes)" transform (the one CKM_AES_ECB
 * keeps in the key's prep cache), one block at a time: 6n blocks for n
 * semiblocks of data.
 *
 * The core (khsm_aes_kw_*, aes_kw.h) is what C_WrapKey/C_UnwrapKey call;
 * the mechanisms here offer it as single-part C_Encrypt/C_Decrypt with an
 * optional IV as the parameter (KW: 8 bytes, KWP: 4 bytes; none: the
 * RFC's default). Unwrapping checks the integrity value (and for KWP the
 * length indicator and the zero padding) with no early exit and outputs
 * nothing when it fails: CKR_ENCRYPTED_DATA_INVALID.
 */
#include <crypto/aes.h>
#include <crypto/algapi.h>
#include <crypto/skcipher.h>
#include <linux/kernel.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include "aes_kw.h"
#include "ck.h"
#include "mech_aes.h"
#include "mech_family.h"
#include "uapi/linux/khsm.h"

#define KHSM_KW_SB	KHSM_AES_KW_SEMIBLOCK

static const u8 khsm_kw_iv[KHSM_AES_KW_IV_LEN] = {
	0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6,
};
static const u8 khsm_kwp_iv[KHSM_AES_KWP_IV_LEN] = { 0xa6, 0x59, 0x59, 0xa6 };

/* One wrap or unwrap: the KEK's "ecb(aes)" and the block it works on. */
struct khsm_kw {
	struct crypto_sync_skcipher *tfm;
	struct khsm_prep *prep;
	bool owned;
	u8 *blk;		/* A || R[i]; kmalloc'd, for the scatterlist */
};

static unsigned long khsm_kw_begin(struct khsm_kw *w,
				   const struct khsm_key *kek)
{
	unsigned long rv;

	memset(w, 0, sizeof(*w));
	if (!kek || !kek->value)
		return CKR_KEY_HANDLE_INVALID;
	w->blk = kzalloc(AES_BLOCK_SIZE, GFP_KERNEL);
	if (!w->blk)
		return CKR_HOST_MEMORY;
	w->tfm = khsm_aes_tfm_get(kek, KHSM_PREP_AES_ECB, &w->prep, &w->owned,
				  &rv);
	if (!w->tfm) {
		kfree(w->blk);
		w->blk = NULL;
	}
	return rv;
}

static void khsm_kw_end(struct khsm_kw *w)
{
	khsm_prep_put(w->prep, w->owned);
	kfree_sensitive(w->blk);	/* A and the last R[i] */
}

/* AES (@enc) or its inverse of w->blk, in place. */
static int khsm_kw_ecb(struct khsm_kw *w, bool enc)
{
	SYNC_SKCIPHER_REQUEST_ON_STACK(req, w->tfm);
	struct scatterlist sg;
	int err;

	skcipher_request_set_sync_tfm(req, w->tfm);
	skcipher_request_set_callback(req, 0, NULL, NULL);
	sg_init_one(&sg, w->blk, AES_BLOCK_SIZE);
	skcipher_request_set_crypt(req, &sg, &sg, AES_BLOCK_SIZE, NULL);
	err = enc ? crypto_skcipher_encrypt(req) :
		    crypto_skcipher_decrypt(req);
	skcipher_request_zero(req);
	return err;
}

/* A ^= [t]64 (big-endian). */
static void khsm_kw_xor_t(u8 *a, u64 t)
{
	put_unaligned_be64(get_unaligned_be64(a) ^ t, a);
}

/*
 * SP 800-38F W (@enc) or W^-1 over @n >= 2 semiblocks R at @r, with A in
 * w->blk[0..8): 6 rounds of n steps, t = n * j + i.
 */
static int khsm_kw_core(struct khsm_kw *w, u8 *r, size_t n, bool enc)
{
	size_t i, idx;
	unsigned int j;
	u64 t;
	int err;

	for (j = 0; j < 6; j++) {
		for (i = 0; i < n; i++) {
			idx = enc ? i : n - 1 - i;
			t = (u64)n * (enc ? j : 5 - j) + idx + 1;
			if (!enc)
				khsm_kw_xor_t(w->blk, t);
			memcpy(w->blk + KHSM_KW_SB, r + KHSM_KW_SB * idx,
			       KHSM_KW_SB);
			err = khsm_kw_ecb(w, enc);
			if (err)
				return err;
			if (enc)
				khsm_kw_xor_t(w->blk, t);
			memcpy(r + KHSM_KW_SB * idx, w->blk + KHSM_KW_SB,
			       KHSM_KW_SB);
		}
	}
	return 0;
}

unsigned long khsm_aes_kw_wrap(const struct khsm_key *kek, const u8 *iv,
			       const u8 *in, size_t in_len, u8 *out)
{
	struct khsm_kw w;
	unsigned long rv;
	int err;

	if (in_len % KHSM_KW_SB || in_len < 2 * KHSM_KW_SB)
		return CKR_DATA_LEN_RANGE;
	rv = khsm_kw_begin(&w, kek);
	if (rv != CKR_OK)
		return rv;
	memmove(out + KHSM_KW_SB, in, in_len);
	memcpy(w.blk, iv ? iv : khsm_kw_iv, KHSM_AES_KW_IV_LEN);
	err = khsm_kw_core(&w, out + KHSM_KW_SB, in_len / KHSM_KW_SB, true);
	memcpy(out, w.blk, KHSM_KW_SB);
	khsm_kw_end(&w);
	if (err) {
		memzero_explicit(out, in_len + KHSM_KW_SB);
		return khsm_mech_errno_rv(err);
	}
	return CKR_OK;
}

unsigned long khsm_aes_kw_unwrap(const struct khsm_key *kek, const u8 *iv,
				 const u8 *in, size_t in_len, u8 *out)
{
	size_t n = in_len / KHSM_KW_SB - 1;
	struct khsm_kw w;
	unsigned long rv;
	int err;

	if (in_len % KHSM_KW_SB || in_len < 3 * KHSM_KW_SB)
		return CKR_ENCRYPTED_DATA_LEN_RANGE;
	rv = khsm_kw_begin(&w, kek);
	if (rv != CKR_OK)
		return rv;
	memcpy(w.blk, in, KHSM_KW_SB);
	memmove(out, in + KHSM_KW_SB, n * KHSM_KW_SB);
	err = khsm_kw_core(&w, out, n, false);
	if (err)
		rv = khsm_mech_errno_rv(err);
	else if (crypto_memneq(w.blk, iv ? iv : khsm_kw_iv, KHSM_AES_KW_IV_LEN))
		rv = CKR_ENCRYPTED_DATA_INVALID;
	khsm_kw_end(&w);
	if (rv != CKR_OK)
		memzero_explicit(out, n * KHSM_KW_SB);
	return rv;
}

unsigned long khsm_aes_kwp_wrap(const struct khsm_key *kek, const u8 *iv,
				const u8 *in, size_t in_len, u8 *out,
				size_t *out_len)
{
	size_t padded = round_up(in_len, KHSM_KW_SB);
	struct khsm_kw w;
	unsigned long rv;
	int err;

	*out_len = 0;
	if (!in_len || in_len > U32_MAX)
		return CKR_DATA_LEN_RANGE;
	rv = khsm_kw_begin(&w, kek);
	if (rv != CKR_OK)
		return rv;
	/* AIV: the 32-bit IV, then the message length indicator */
	memcpy(w.blk, iv ? iv : khsm_kwp_iv, KHSM_AES_KWP_IV_LEN);
	put_unaligned_be32((u32)in_len, w.blk + KHSM_AES_KWP_IV_LEN);
	if (padded == KHSM_KW_SB) {
		/* one semiblock: AIV || P is one AES block */
		memcpy(w.blk + KHSM_KW_SB, in, in_len);
		memset(w.blk + KHSM_KW_SB + in_len, 0, KHSM_KW_SB - in_len);
		err = khsm_kw_ecb(&w, true);
		memcpy(out, w.blk, AES_BLOCK_SIZE);
	} else {
		memmove(out + KHSM_KW_SB, in, in_len);
		memset(out + KHSM_KW_SB + in_len, 0, padded - in_len);
		err = khsm_kw_core(&w, out + KHSM_KW_SB, padded / KHSM_KW_SB,
				   true);
		memcpy(out, w.blk, KHSM_KW_SB);
	}
	khsm_kw_end(&w);
	if (err) {
		memzero_explicit(out, padded + KHSM_KW_SB);
		return khsm_mech_errno_rv(err);
	}
	*out_len = padded + KHSM_KW_SB;
	return CKR_OK;
}

/* 0xff if @a >= @b else 0, without branches (a, b < 2^63). */
static u8 khsm_kw_ge(u64 a, u64 b)
{
	return (u8)(((a - b) >> 63) - 1);
}

unsigned long khsm_aes_kwp_unwrap(const struct khsm_key *kek, const u8 *iv,
				  const u8 *in, size_t in_len, u8 *out,
				  size_t *out_len)
{
	size_t n = in_len / KHSM_KW_SB - 1, k, idx;
	struct khsm_kw w;
	unsigned long rv;
	u8 bad = 0;
	u32 mli;
	int err;

	*out_len = 0;
	if (in_len % KHSM_KW_SB || in_len < 2 * KHSM_KW_SB)
		return CKR_ENCRYPTED_DATA_LEN_RANGE;
	rv = khsm_kw_begin(&w, kek);
	if (rv != CKR_OK)
		return rv;
	if (n == 1) {
		memcpy(w.blk, in, AES_BLOCK_SIZE);
		err = khsm_kw_ecb(&w, false);
		memcpy(out, w.blk + KHSM_KW_SB, KHSM_KW_SB);
	} else {
		memcpy(w.blk, in, KHSM_KW_SB);
		memmove(out, in + KHSM_KW_SB, n * KHSM_KW_SB);
		err = khsm_kw_core(&w, out, n, false);
	}
	if (err) {
		rv = khsm_mech_errno_rv(err);
		goto out;
	}
	/*
	 * RFC 5649 3: the IV, 8(n-1) < MLI <= 8n, and zeros after the MLI
	 * bytes of the last semiblock; all checked, one answer.
	 */
	mli = get_unaligned_be32(w.blk + KHSM_AES_KWP_IV_LEN);
	bad = crypto_memneq(w.blk, iv ? iv : khsm_kwp_iv,
			    KHSM_AES_KWP_IV_LEN) ? 0xff : 0;
	bad |= khsm_kw_ge((u64)KHSM_KW_SB * (n - 1), mli);
	bad |= ~khsm_kw_ge((u64)KHSM_KW_SB * n, mli);
	for (k = 0; k < KHSM_KW_SB; k++) {
		idx = KHSM_KW_SB * (n - 1) + k;
		bad |= out[idx] & khsm_kw_ge(idx, mli);
	}
	if (bad) {
		rv = CKR_ENCRYPTED_DATA_INVALID;
		goto out;
	}
	*out_len = mli;
out:
	khsm_kw_end(&w);
	if (rv != CKR_OK)
		memzero_explicit(out, n * KHSM_KW_SB);
	return rv;
}

/* One C_Encrypt/C_Decrypt with KW or KWP. */
struct khsm_kw_ctx {
	const struct khsm_key *key;	/* the core's until ->cleanup */
	u8 iv[KHSM_AES_KW_IV_LEN];
	bool has_iv;
	bool pad;			/* KWP */
	bool encrypt;
};

static unsigned long khsm_kw_init(struct khsm_op *op, const struct khsm_key *key,
				  const void *param, u32 param_len)
{
	struct khsm_kw_ctx *ctx;
	u32 iv_len;

	if (!key || !key->value)
		return CKR_KEY_HANDLE_INVALID;
	if (op->kind != KHSM_OP_ENCRYPT && op->kind != KHSM_OP_DECRYPT)
		return CKR_MECHANISM_INVALID;
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return CKR_HOST_MEMORY;
	op->ctx = ctx;
	ctx->key = key;
	ctx->encrypt = op->kind == KHSM_OP_ENCRYPT;
	ctx->pad = op->mech->type == CKM_AES_KEY_WRAP_KWP;
	iv_len = ctx->pad ? KHSM_AES_KWP_IV_LEN : KHSM_AES_KW_IV_LEN;
	if (param_len) {
		if (!param || param_len != iv_len)
			return CKR_MECHANISM_PARAM_INVALID;
		memcpy(ctx->iv, param, iv_len);
		ctx->has_iv = true;
	}
	return CKR_OK;
}

static size_t khsm_kw_out_len(const struct khsm_op *op, enum khsm_step step,
			      size_t in_len)
{
	const struct khsm_kw_ctx *ctx = op->ctx;

	if (step != KHSM_STEP_ONESHOT)
		return 0;
	if (!ctx->encrypt)	/* KWP: an upper bound, the padding comes off */
		return in_len > KHSM_KW_SB ? in_len - KHSM_KW_SB : 0;
	return ctx->pad ? khsm_aes_kwp_wrapped_len(in_len) :
			  khsm_aes_kw_wrapped_len(in_len);
}

static unsigned long khsm_kw_step(struct khsm_op *op, enum khsm_step step,
				  const u8 *in, size_t in_len, u8 *out,
				  size_t *out_len, const u8 *sig, size_t sig_len)
{
	struct khsm_kw_ctx *ctx = op->ctx;
	const u8 *iv = ctx->has_iv ? ctx->iv : NULL;
	unsigned long rv;

	*out_len = 0;
	if (step != KHSM_STEP_ONESHOT)	/* single_part: never */
		return CKR_OPERATION_NOT_INITIALIZED;
	if (ctx->pad)
		return ctx->encrypt ?
			khsm_aes_kwp_wrap(ctx->key, iv, in, in_len, out,
					  out_len) :
			khsm_aes_kwp_unwrap(ctx->key, iv, in, in_len, out,
					    out_len);
	if (ctx->encrypt) {
		rv = khsm_aes_kw_wrap(ctx->key, iv, in, in_len, out);
		if (rv == CKR_OK)
			*out_len = khsm_aes_kw_wrapped_len(in_len);
	} else {
		rv = khsm_aes_kw_unwrap(ctx->key, iv, in, in_len, out);
		if (rv == CKR_OK)
			*out_len = in_len - KHSM_KW_SB;
	}
	return rv;
}

static void khsm_kw_cleanup(struct khsm_op *op)
{
	kfree(op->ctx);			/* an IV and flags: nothing secret */
	op->ctx = NULL;
}

/* C_WrapKey/C_UnwrapKey run the same one-shot operation (wrap.c). */
#define KHSM_KW_MECH(ckm) {					\
	.type = (ckm),						\
	.flags = CKF_ENCRYPT | CKF_DECRYPT | CKF_WRAP | CKF_UNWRAP, \
	.min_key_size = AES_KEYSIZE_128,			\
	.max_key_size = AES_KEYSIZE_256,			\
	.key_type = CKK_AES,					\
	.single_part = true,					\
	.init = khsm_kw_init,					\
	.out_len = khsm_kw_out_len,				\
	.step = khsm_kw_step,					\
	.cleanup = khsm_kw_cleanup,				\
}

static const struct khsm_mech khsm_aes_kw_mechs[] = {
	KHSM_KW_MECH(CKM_AES_KEY_WRAP),
	KHSM_KW_MECH(CKM_AES_KEY_WRAP_KWP),
};

const struct khsm_mech_family khsm_mech_aes_kw = {
	.name = "aes-kw",
	.mechs = khsm_aes_kw_mechs,
	.count = ARRAY_SIZE(khsm_aes_kw_mechs),
};
