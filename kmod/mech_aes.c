// SPDX-License-Identifier: GPL-2.0
/*
 * AES mechanisms: CKM_AES_KEY_GEN, CKM_AES_ECB, CKM_AES_CBC,
 * CKM_AES_CBC_PAD (PKCS#7) and CKM_AES_CTR, one-shot and multi-part, over
 * the crypto API's synchronous "ecb(aes)"/"cbc(aes)"/"ctr(aes)" skcipher.
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
 * CKM_AES_CTR is a stream: every part outputs as many bytes as it takes,
 * the unused keystream of a partial block is kept for the next part. The
 * counter is the low ulCounterBits bits of the counter block and wraps
 * within them; "ctr(aes)" carries into all 128 bits, so a run is split
 * where the low bits wrap and goes on from the counter with those bits
 * zero. An operation never uses a counter value twice: a part that would
 * need more than the 2^ulCounterBits values of the operation fails with
 * CKR_DATA_LEN_RANGE before it outputs anything (64 and more bits never
 * run out: 2^64 blocks are more than anyone can feed).
 *
 * The keyed "ecb(aes)"/"cbc(aes)"/"ctr(aes)" transform is built on a
 * key's first use and kept with its key material (khsm_prep_get), shared
 * by the operations of every session: C_EncryptInit only copies the IV.
 */
#include <crypto/aes.h>
#include <crypto/skcipher.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include "ck.h"
#include "mech_aes.h"
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
	u8 iv[AES_BLOCK_SIZE];		/* cbc: chaining value; ctr: counter */
	u8 part[AES_BLOCK_SIZE];	/* buffered input; ctr: keystream */
	unsigned int part_len;		/* ctr: keystream bytes not used yet */
	bool encrypt;
	bool pad;			/* CKM_AES_CBC_PAD */
	bool cbc;
	bool ctr;			/* CKM_AES_CTR */
	unsigned int ctr_bits;		/* 1..128 */
	u64 ctr_left;			/* counter values left, if ctr_bits < 64 */
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
	const char *alg = slot == KHSM_PREP_AES_CBC ? "cbc(aes)" :
			  slot == KHSM_PREP_AES_CTR ? "ctr(aes)" : "ecb(aes)";
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

struct crypto_sync_skcipher *khsm_aes_tfm_get(const struct khsm_key *key,
					      unsigned int slot,
					      struct khsm_prep **prep,
					      bool *owned, unsigned long *rv)
{
	struct khsm_prep *p;
	int err;

	p = khsm_prep_get(key, slot, khsm_aes_prep_build, owned, &err);
	*prep = p;
	if (!p) {
		*rv = err == -EINVAL ? CKR_KEY_SIZE_RANGE :
				       khsm_mech_errno_rv(err);
		return NULL;
	}
	*rv = CKR_OK;
	return container_of(p, struct khsm_aes_prep, base)->tfm;
}

/* CKM_AES_CTR's parameter (uAPI struct khsm_aes_ctr_params). */
static unsigned long khsm_aes_ctr_param(struct khsm_aes_ctx *ctx,
					const void *param, u32 param_len)
{
	struct khsm_aes_ctr_params p;

	if (!param || param_len != sizeof(p))
		return CKR_MECHANISM_PARAM_INVALID;
	memcpy(&p, param, sizeof(p));
	if (p.reserved || p.ctr_bits < 1 || p.ctr_bits > 128)
		return CKR_MECHANISM_PARAM_INVALID;
	ctx->ctr = true;
	ctx->ctr_bits = p.ctr_bits;
	if (p.ctr_bits < 64)
		ctx->ctr_left = 1ULL << p.ctr_bits;
	memcpy(ctx->iv, p.ctr_block, AES_BLOCK_SIZE);
	return CKR_OK;
}

static unsigned long khsm_aes_init(struct khsm_op *op, const struct khsm_key *key,
			     const void *param, u32 param_len)
{
	unsigned long type = op->mech->type;
	struct khsm_aes_ctx *ctx;
	unsigned long rv;
	unsigned int slot;

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
	ctx->cbc = type == CKM_AES_CBC || type == CKM_AES_CBC_PAD;
	ctx->pad = type == CKM_AES_CBC_PAD;
	slot = ctx->cbc ? KHSM_PREP_AES_CBC : KHSM_PREP_AES_ECB;
	if (type == CKM_AES_CTR) {
		rv = khsm_aes_ctr_param(ctx, param, param_len);
		if (rv != CKR_OK)
			return rv;
		slot = KHSM_PREP_AES_CTR;
	} else if (ctx->cbc) {
		if (param_len != AES_BLOCK_SIZE || !param)
			return CKR_MECHANISM_PARAM_INVALID;
		memcpy(ctx->iv, param, AES_BLOCK_SIZE);
	} else if (param_len) {
		return CKR_MECHANISM_PARAM_INVALID;
	}

	ctx->tfm = khsm_aes_tfm_get(key, slot, &ctx->prep, &ctx->prep_owned,
				    &rv);
	return rv;
}

/* True if the crypto API can take @p (and what follows) in one sg entry. */
static bool khsm_aes_linear(const void *p)
{
	return !is_vmalloc_addr(p) && virt_addr_valid(p);
}

/*
 * One crypto API call over @len bytes; @iv: the CBC chaining value or CTR
 * counter block (updated by the call), NULL for ECB.
 */
static int khsm_aes_crypt(struct khsm_aes_ctx *ctx,
			  struct skcipher_request *req, struct scatterlist *src,
			  struct scatterlist *dst, size_t len, u8 *iv)
{
	skcipher_request_set_crypt(req, src, dst, len, iv);
	return ctx->encrypt || ctx->ctr ? crypto_skcipher_encrypt(req) :
					  crypto_skcipher_decrypt(req);
}

/* The crypto API can take @in and @out of @len bytes without a bounce. */
static bool khsm_aes_direct(const u8 *in, const u8 *out, size_t len)
{
	return khsm_aes_linear(in) && khsm_aes_linear(out) &&
	       (in == out || in + len <= out || out + len <= in);
}

/*
 * En/decrypt @len bytes (a multiple of the block size) from @in to @out,
 * chained through @iv (see khsm_aes_crypt()).
 */
static int khsm_aes_run(struct khsm_aes_ctx *ctx, const u8 *in, u8 *out,
			size_t len, u8 *iv)
{
	SYNC_SKCIPHER_REQUEST_ON_STACK(req, ctx->tfm);
	struct scatterlist sg_in, sg_out;
	size_t n;
	int err = 0;

	if (!len)
		return 0;
	skcipher_request_set_sync_tfm(req, ctx->tfm);
	skcipher_request_set_callback(req, 0, NULL, NULL);
	if (khsm_aes_direct(in, out, len)) {
		sg_init_one(&sg_in, in, len);
		sg_init_one(&sg_out, out, len);
		err = khsm_aes_crypt(ctx, req, &sg_in, &sg_out, len, iv);
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
		err = khsm_aes_crypt(ctx, req, &sg_in, &sg_in, n, iv);
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

/* ECB, CBC: @len bytes (whole blocks), chained through ctx->iv for CBC. */
static int khsm_aes_blocks(struct khsm_aes_ctx *ctx, const u8 *in, u8 *out,
			   size_t len)
{
	return khsm_aes_run(ctx, in, out, len, ctx->cbc ? ctx->iv : NULL);
}

/* Add @n to the counter: the low ctr_bits bits of @cb, modulo 2^ctr_bits. */
static void khsm_ctr_add(u8 *cb, unsigned int bits, u64 n)
{
	unsigned int i, b, sum, carry = 0;
	u8 mask;

	for (i = AES_BLOCK_SIZE; i-- > 0 && bits; bits -= b, n >>= 8) {
		b = min(bits, 8U);
		mask = (u8)((1U << b) - 1);
		sum = (cb[i] & mask) + (unsigned int)(n & 0xff) + carry;
		carry = sum >> b;
		cb[i] = (cb[i] & ~mask) | (sum & mask);
	}
}

/*
 * Blocks from @cb's counter until its low @bits bits wrap to zero, at
 * most U64_MAX: runs of "ctr(aes)" must not go past it.
 */
static u64 khsm_ctr_room(const u8 *cb, unsigned int bits)
{
	u64 lo = get_unaligned_be64(cb + 8);
	u64 hi = get_unaligned_be64(cb);
	u64 mask;

	if (bits < 64)
		return (1ULL << bits) - (lo & ((1ULL << bits) - 1));
	/* bits 64..bits-1 of the counter not all ones: 2^64 and more */
	mask = bits == 64 ? 0 : ~0ULL >> (128 - bits);
	if ((hi & mask) != mask || !lo)
		return U64_MAX;
	return -lo;
}

/*
 * CTR over @len bytes (whole blocks) from the counter in ctx->iv, which
 * then holds the next one: in runs that stop where the counter's low bits
 * wrap, and of at most KHSM_AES_CHUNK bytes when they go through the
 * bounce buffer (each run starts from a counter computed here, not from
 * what the crypto API leaves in the IV).
 */
static int khsm_ctr_blocks(struct khsm_aes_ctx *ctx, const u8 *in, u8 *out,
			   size_t len)
{
	bool direct = khsm_aes_direct(in, out, len);
	u8 cb[AES_BLOCK_SIZE];
	size_t n;
	u64 room;
	int err = 0;

	while (len) {
		n = direct ? len : min_t(size_t, len, KHSM_AES_CHUNK);
		room = khsm_ctr_room(ctx->iv, ctx->ctr_bits);
		if (n / AES_BLOCK_SIZE > room)
			n = room * AES_BLOCK_SIZE;
		memcpy(cb, ctx->iv, AES_BLOCK_SIZE);
		err = khsm_aes_run(ctx, in, out, n, cb);
		if (err)
			break;
		khsm_ctr_add(ctx->iv, ctx->ctr_bits, n / AES_BLOCK_SIZE);
		in += n;
		out += n;
		len -= n;
	}
	memzero_explicit(cb, sizeof(cb));
	return err;
}

/*
 * CKM_AES_CTR, any step: @in_len bytes in, as many out. The keystream
 * left from a partial block first, then whole blocks, then the keystream
 * of one more block for a partial one, whose rest is kept.
 */
static unsigned long khsm_ctr_step(struct khsm_aes_ctx *ctx, const u8 *in,
				   size_t in_len, u8 *out)
{
	size_t i, n, full;
	u64 need = 0;
	u8 *ks = ctx->part;
	int err;

	if (in_len > ctx->part_len)
		need = DIV_ROUND_UP(in_len - ctx->part_len, AES_BLOCK_SIZE);
	if (ctx->ctr_bits < 64 && need > ctx->ctr_left)
		return CKR_DATA_LEN_RANGE;
	if (ctx->ctr_bits < 64)
		ctx->ctr_left -= need;
	n = min_t(size_t, in_len, ctx->part_len);
	for (i = 0; i < n; i++)
		out[i] = in[i] ^ ks[AES_BLOCK_SIZE - ctx->part_len + i];
	ctx->part_len -= n;
	in += n;
	out += n;
	in_len -= n;
	full = round_down(in_len, AES_BLOCK_SIZE);
	err = khsm_ctr_blocks(ctx, in, out, full);
	if (err)
		return khsm_mech_errno_rv(err);
	in += full;
	out += full;
	in_len -= full;
	if (!in_len)
		return CKR_OK;
	memset(ks, 0, AES_BLOCK_SIZE);
	err = khsm_ctr_blocks(ctx, ks, ks, AES_BLOCK_SIZE);
	if (err)
		return khsm_mech_errno_rv(err);
	for (i = 0; i < in_len; i++)
		out[i] = in[i] ^ ks[i];
	ctx->part_len = AES_BLOCK_SIZE - in_len;
	return CKR_OK;
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

	if (ctx->ctr)
		return step == KHSM_STEP_FINAL ? 0 : in_len;
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
	if (ctx->ctr) {
		if (step == KHSM_STEP_FINAL && in_len)
			return CKR_ARGUMENTS_BAD;
		rv = khsm_ctr_step(ctx, in, in_len, out);
		if (rv == CKR_OK)
			*out_len = in_len;
		return rv;
	}
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

#define KHSM_AES_MECH_F(ckm, f, ...) {				\
	.type = (ckm),						\
	.flags = (f),						\
	.min_key_size = AES_KEYSIZE_128,			\
	.max_key_size = AES_KEYSIZE_256,			\
	.key_type = CKK_AES,					\
	.init = khsm_aes_init,					\
	.out_len = khsm_aes_out_len,				\
	.step = khsm_aes_step,					\
	.cleanup = khsm_aes_cleanup,				\
	__VA_ARGS__						\
}

#define KHSM_AES_MECH(ckm, ...)					\
	KHSM_AES_MECH_F(ckm, CKF_ENCRYPT | CKF_DECRYPT, __VA_ARGS__)

/* The uAPI form of CKM_AES_CTR's parameter: its reserved word is zero. */
static bool khsm_aes_ctr_param_check(const void *param, u32 param_len)
{
	struct khsm_aes_ctr_params p;

	if (param_len != sizeof(p))
		return true;		/* ->init refuses it */
	memcpy(&p, param, sizeof(p));
	return !p.reserved;
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
	/* C_WrapKey/C_UnwrapKey too (wrap.c: one C_Encrypt/C_Decrypt) */
	KHSM_AES_MECH_F(CKM_AES_CBC_PAD, CKF_ENCRYPT | CKF_DECRYPT | CKF_WRAP |
			CKF_UNWRAP),
	KHSM_AES_MECH(CKM_AES_CTR, .param_check = khsm_aes_ctr_param_check),
};

const struct khsm_mech_family khsm_mech_aes = {
	.name = "aes",
	.mechs = khsm_aes_mechs,
	.count = ARRAY_SIZE(khsm_aes_mechs),
};
