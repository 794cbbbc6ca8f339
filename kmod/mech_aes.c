// SPDX-License-Identifier: GPL-2.0
/*
 * AES mechanisms: CKM_AES_KEY_GEN, CKM_AES_ECB, CKM_AES_CBC and
 * CKM_AES_CBC_PAD (PKCS#7), one-shot and multi-part, over the crypto API's
 * synchronous "ecb(aes)"/"cbc(aes)" skcipher.
 *
 * The crypto API works straight on the caller's buffers when they are in
 * the kernel's linear mapping (kmalloc, and kvmalloc's usual case; in and
 * out the same or disjoint): no copy, and the request lives on the stack.
 * Buffers it cannot take in a scatterlist (vmalloc, a virtually mapped
 * stack) or that partly overlap go through a bounce buffer that the first
 * such call allocates and the operation keeps. Partial blocks
 * are buffered between parts; CBC_PAD decryption always holds back the last
 * full block until FINAL, where the padding is checked without
 * data-dependent branches and every bad padding gives the same result,
 * CKR_ENCRYPTED_DATA_INVALID.
 *
 * The keyed "ecb(aes)"/"cbc(aes)" transform is built on a key's first
 * use and kept with its key material (khsm_prep_get), shared by the
 * operations of every session: C_EncryptInit only copies the IV.
 */
#include <crypto/aes.h>
#include <crypto/skcipher.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ck.h"
#include "mech_family.h"
#include "uapi/linux/khsm.h"

#define KHSM_AES_CHUNK	4096	/* bytes per bounced crypto API call */

struct khsm_aes_prep {
	struct khsm_prep base;
	struct crypto_sync_skcipher *tfm;
};

struct khsm_aes_ctx {
	struct crypto_sync_skcipher *tfm;	/* prep's */
	struct khsm_prep *prep;		/* the key's, or ours if prep_owned */
	bool prep_owned;
	u8 *bounce;			/* KHSM_AES_CHUNK bytes, or NULL */
	u8 iv[AES_BLOCK_SIZE];		/* chaining value, updated by cbc */
	u8 part[AES_BLOCK_SIZE];	/* buffered input between parts */
	unsigned int part_len;
	bool encrypt;
	bool pad;			/* CKM_AES_CBC_PAD */
	bool cbc;
};

static void khsm_aes_prep_free(struct khsm_prep *p)
{
	struct khsm_aes_prep *a = container_of(p, struct khsm_aes_prep, base);

	crypto_free_sync_skcipher(a->tfm);	/* wipes the key schedule */
	kfree(a);
}

static struct khsm_prep *khsm_aes_prep_build(const struct khsm_key *key,
					     unsigned int slot, int *err)
{
	const char *alg = slot == KHSM_PREP_AES_CBC ? "cbc(aes)" : "ecb(aes)";
	struct khsm_aes_prep *a;

	a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);
	if (!a) {
		*err = -ENOMEM;
		return NULL;
	}
	a->base.free = khsm_aes_prep_free;
	a->tfm = crypto_alloc_sync_skcipher(alg, 0, 0);
	if (IS_ERR(a->tfm)) {
		*err = PTR_ERR(a->tfm);
		pr_err("cannot allocate skcipher %s: %d\n", alg, *err);
		kfree(a);
		return NULL;
	}
	*err = crypto_sync_skcipher_setkey(a->tfm, key->value, key->value_len);
	if (*err) {
		khsm_aes_prep_free(&a->base);
		return NULL;
	}
	return &a->base;
}

static unsigned long khsm_aes_init(struct khsm_op *op, const struct khsm_key *key,
			     const void *param, u32 param_len)
{
	unsigned long type = op->mech->type;
	struct khsm_aes_ctx *ctx;
	struct khsm_prep *p;
	int err;

	/* CKK_AES keys are 16, 24 or 32 bytes (key_secret.c) */
	if (!key || !key->value)
		return CKR_KEY_HANDLE_INVALID;
	if (op->kind != KHSM_OP_ENCRYPT && op->kind != KHSM_OP_DECRYPT)
		return CKR_MECHANISM_INVALID;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return CKR_HOST_MEMORY;
	op->ctx = ctx;
	ctx->encrypt = op->kind == KHSM_OP_ENCRYPT;
	ctx->cbc = type != CKM_AES_ECB;
	ctx->pad = type == CKM_AES_CBC_PAD;
	if (ctx->cbc) {
		if (param_len != AES_BLOCK_SIZE || !param)
			return CKR_MECHANISM_PARAM_INVALID;
		memcpy(ctx->iv, param, AES_BLOCK_SIZE);
	} else if (param_len) {
		return CKR_MECHANISM_PARAM_INVALID;
	}

	p = khsm_prep_get(key, ctx->cbc ? KHSM_PREP_AES_CBC : KHSM_PREP_AES_ECB,
			  khsm_aes_prep_build, &ctx->prep_owned, &err);
	if (!p)
		return err == -EINVAL ? CKR_KEY_SIZE_RANGE :
					khsm_mech_errno_rv(err);
	ctx->prep = p;
	ctx->tfm = container_of(p, struct khsm_aes_prep, base)->tfm;
	return CKR_OK;
}

/* True if the crypto API can take @p (and what follows) in one sg entry. */
static bool khsm_aes_linear(const void *p)
{
	return !is_vmalloc_addr(p) && virt_addr_valid(p);
}

static int khsm_aes_crypt(struct khsm_aes_ctx *ctx,
			  struct skcipher_request *req, struct scatterlist *src,
			  struct scatterlist *dst, size_t len)
{
	skcipher_request_set_crypt(req, src, dst, len,
				   ctx->cbc ? ctx->iv : NULL);
	return ctx->encrypt ? crypto_skcipher_encrypt(req) :
			      crypto_skcipher_decrypt(req);
}

/* En/decrypt @len bytes (a multiple of the block size) from @in to @out. */
static int khsm_aes_blocks(struct khsm_aes_ctx *ctx, const u8 *in, u8 *out,
			   size_t len)
{
	SYNC_SKCIPHER_REQUEST_ON_STACK(req, ctx->tfm);
	struct scatterlist sg_in, sg_out;
	size_t n;
	int err = 0;

	if (!len)
		return 0;
	skcipher_request_set_sync_tfm(req, ctx->tfm);
	skcipher_request_set_callback(req, 0, NULL, NULL);
	if (khsm_aes_linear(in) && khsm_aes_linear(out) &&
	    (in == out || in + len <= out || out + len <= in)) {
		sg_init_one(&sg_in, in, len);
		sg_init_one(&sg_out, out, len);
		err = khsm_aes_crypt(ctx, req, &sg_in, &sg_out, len);
		goto out;
	}
	if (!ctx->bounce) {
		ctx->bounce = kmalloc(KHSM_AES_CHUNK, GFP_KERNEL_ACCOUNT);
		if (!ctx->bounce) {
			err = -ENOMEM;
			goto out;
		}
	}
	while (len) {
		n = min_t(size_t, len, KHSM_AES_CHUNK);
		memcpy(ctx->bounce, in, n);
		sg_init_one(&sg_in, ctx->bounce, n);
		err = khsm_aes_crypt(ctx, req, &sg_in, &sg_in, n);
		if (err)
			break;
		memcpy(out, ctx->bounce, n);
		in += n;
		out += n;
		len -= n;
	}
out:
	skcipher_request_zero(req);
	return err;
}

/*
 * Bytes a part of @in_len processes now: every full block except what must
 * stay buffered (the trailing partial block, and for CBC_PAD decryption
 * the last full block). Exact, so callers may size buffers by it.
 */
static size_t khsm_aes_proc_len(const struct khsm_aes_ctx *ctx,
				size_t in_len)
{
	size_t total = ctx->part_len + in_len;
	size_t keep = total % AES_BLOCK_SIZE;

	if (ctx->pad && !ctx->encrypt && !keep && total)
		keep = AES_BLOCK_SIZE;
	return total - keep;
}

static int khsm_aes_feed(struct khsm_aes_ctx *ctx, const u8 *in,
			 size_t in_len, u8 *out, size_t *out_len)
{
	size_t proc = khsm_aes_proc_len(ctx, in_len);
	size_t n;
	int err;

	*out_len = 0;
	if (!proc) {
		memcpy(ctx->part + ctx->part_len, in, in_len);
		ctx->part_len += in_len;
		return 0;
	}
	if (ctx->part_len) {
		n = AES_BLOCK_SIZE - ctx->part_len;
		memcpy(ctx->part + ctx->part_len, in, n);
		err = khsm_aes_blocks(ctx, ctx->part, out, AES_BLOCK_SIZE);
		if (err)
			return err;
		in += n;
		in_len -= n;
		out += AES_BLOCK_SIZE;
		proc -= AES_BLOCK_SIZE;
		*out_len = AES_BLOCK_SIZE;
	}
	err = khsm_aes_blocks(ctx, in, out, proc);
	if (err)
		return err;
	*out_len += proc;
	memcpy(ctx->part, in + proc, in_len - proc);
	ctx->part_len = in_len - proc;
	return 0;
}

/* 0xff if a == b else 0, without branches. */
static u8 khsm_ct_eq(u32 a, u32 b)
{
	return (u8)((((a ^ b) - 1U) >> 31) * 0xffU) & 0xff;
}

/* 0xff if a <= b else 0 (a, b < 2^31), without branches. */
static u8 khsm_ct_le(u32 a, u32 b)
{
	return (u8)(((b - a) >> 31) - 1U);
}

/*
 * CBC_PAD FINAL: encryption pads the buffered bytes to a full block;
 * decryption decrypts the held-back block and strips a valid PKCS#7 pad.
 */
static unsigned long khsm_aes_final_pad(struct khsm_aes_ctx *ctx, u8 *out,
				  size_t *out_len)
{
	u8 *blk = ctx->part;
	u8 good, pad, in_pad;
	unsigned int i;
	int err;

	if (ctx->encrypt) {
		pad = AES_BLOCK_SIZE - ctx->part_len;
		memset(blk + ctx->part_len, pad, pad);
		err = khsm_aes_blocks(ctx, blk, out, AES_BLOCK_SIZE);
		if (err)
			return khsm_mech_errno_rv(err);
		*out_len = AES_BLOCK_SIZE;
		return CKR_OK;
	}
	if (ctx->part_len != AES_BLOCK_SIZE)
		return CKR_ENCRYPTED_DATA_LEN_RANGE;
	err = khsm_aes_blocks(ctx, blk, blk, AES_BLOCK_SIZE);
	if (err)
		return khsm_mech_errno_rv(err);
	pad = blk[AES_BLOCK_SIZE - 1];
	good = ~khsm_ct_eq(pad, 0) & khsm_ct_le(pad, AES_BLOCK_SIZE);
	for (i = 0; i < AES_BLOCK_SIZE; i++) {
		/* byte i is padding iff i >= 16 - pad */
		in_pad = khsm_ct_le(AES_BLOCK_SIZE - pad, i);
		good &= ~in_pad | khsm_ct_eq(blk[i], pad);
	}
	if (good != 0xff)
		return CKR_ENCRYPTED_DATA_INVALID;
	memcpy(out, blk, AES_BLOCK_SIZE - pad);
	*out_len = AES_BLOCK_SIZE - pad;
	return CKR_OK;
}

static unsigned long khsm_aes_len_rv(const struct khsm_aes_ctx *ctx)
{
	return ctx->encrypt ? CKR_DATA_LEN_RANGE : CKR_ENCRYPTED_DATA_LEN_RANGE;
}

static size_t khsm_aes_out_len(const struct khsm_op *op, enum khsm_step step,
			       size_t in_len)
{
	const struct khsm_aes_ctx *ctx = op->ctx;

	switch (step) {
	case KHSM_STEP_UPDATE:
		return khsm_aes_proc_len(ctx, in_len);
	case KHSM_STEP_FINAL:
		/* CBC_PAD decryption: at most 15 bytes, known after the check */
		return ctx->pad ? AES_BLOCK_SIZE : 0;
	case KHSM_STEP_ONESHOT:
		return round_down(ctx->part_len + in_len, AES_BLOCK_SIZE) +
		       (ctx->pad && ctx->encrypt ? AES_BLOCK_SIZE : 0);
	}
	return 0;
}

static unsigned long khsm_aes_step(struct khsm_op *op, enum khsm_step step,
			     const u8 *in, size_t in_len, u8 *out,
			     size_t *out_len, const u8 *sig, size_t sig_len)
{
	struct khsm_aes_ctx *ctx = op->ctx;
	size_t done = 0, fin = 0;
	unsigned long rv;
	int err;

	*out_len = 0;
	if (step == KHSM_STEP_ONESHOT) {
		if (ctx->part_len)
			return CKR_OPERATION_ACTIVE;
		/* Unpadded modes and padded decryption need whole blocks. */
		if ((!ctx->pad || !ctx->encrypt) && in_len % AES_BLOCK_SIZE)
			return khsm_aes_len_rv(ctx);
		if (ctx->pad && !ctx->encrypt && !in_len)
			return CKR_ENCRYPTED_DATA_LEN_RANGE;
	}
	if (step == KHSM_STEP_FINAL && in_len)
		return CKR_ARGUMENTS_BAD;
	if (in_len) {
		err = khsm_aes_feed(ctx, in, in_len, out, &done);
		if (err)
			return khsm_mech_errno_rv(err);
	}
	if (step == KHSM_STEP_UPDATE) {
		*out_len = done;
		return CKR_OK;
	}
	if (ctx->pad) {
		rv = khsm_aes_final_pad(ctx, out + done, &fin);
		if (rv != CKR_OK)
			return rv;
	} else if (ctx->part_len) {
		return khsm_aes_len_rv(ctx);
	}
	*out_len = done + fin;
	return CKR_OK;
}

static void khsm_aes_cleanup(struct khsm_op *op)
{
	struct khsm_aes_ctx *ctx = op->ctx;

	if (!ctx)
		return;
	khsm_prep_put(ctx->prep, ctx->prep_owned);
	kfree_sensitive(ctx->bounce);
	kfree_sensitive(ctx);
	op->ctx = NULL;
}

#define KHSM_AES_MECH(ckm) {					\
	.type = (ckm),						\
	.flags = CKF_ENCRYPT | CKF_DECRYPT,			\
	.min_key_size = AES_KEYSIZE_128,			\
	.max_key_size = AES_KEYSIZE_256,			\
	.key_type = CKK_AES,					\
	.init = khsm_aes_init,					\
	.out_len = khsm_aes_out_len,				\
	.step = khsm_aes_step,					\
	.cleanup = khsm_aes_cleanup,				\
}

static const struct khsm_mech khsm_aes_mechs[] = {
	{
		.type = CKM_AES_KEY_GEN,
		.flags = CKF_GENERATE,
		.min_key_size = AES_KEYSIZE_128,
		.max_key_size = AES_KEYSIZE_256,
		.key_type = CKK_AES,		/* of the generated key */
	},
	KHSM_AES_MECH(CKM_AES_ECB),
	KHSM_AES_MECH(CKM_AES_CBC),
	KHSM_AES_MECH(CKM_AES_CBC_PAD),
};

const struct khsm_mech_family khsm_mech_aes = {
	.name = "aes",
	.mechs = khsm_aes_mechs,
	.count = ARRAY_SIZE(khsm_aes_mechs),
};
