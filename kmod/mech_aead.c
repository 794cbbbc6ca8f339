// SPDX-License-Identifier: GPL-2.0
/*
 * CKM_AES_GCM over the crypto API's "gcm(aes)" AEAD.
 *
 * Parameter (flat, uAPI): struct khsm_gcm_params, then the IV, then the
 * AAD. Tags of 96..128 bits in steps of 8. 96-bit
 * IVs go through the crypto API's "gcm(aes)" (AES-NI/PCLMUL when loaded);
 * the crypto API takes no other IV length, so for 1..256-byte IVs other
 * than 12 this file builds GCM from its parts (NIST SP 800-38D 7.1):
 * J0 = GHASH_H(IV || 0-pad || [len(IV)]64), GCTR from inc32(J0) with
 * "ctr(aes)" (split where the 32-bit counter wraps), the tag from the
 * "ghash" shash; decryption checks the tag before it decrypts anything.
 *
 * The AEAD interface is one-shot, so multi-part input is buffered (at most
 * KHSM_GCM_MAX_DATA bytes plus the tag, the uAPI's max_buffered_len; big
 * buffers are vmalloc'd and charged to the caller's memory cgroup) and
 * processed at FINAL: encryption
 * then outputs ciphertext || tag, decryption outputs the plaintext only if
 * the tag verifies (nothing at all otherwise: CKR_ENCRYPTED_DATA_INVALID).
 * A one-shot call with a 96-bit IV skips the buffer when the caller's
 * buffers are in the linear mapping and disjoint: "gcm(aes)" reads the
 * input and writes the output in place, and a decryption whose tag does
 * not verify wipes what it wrote.
 *
 * The keyed transforms ("gcm(aes)" per tag length, since the tag length is
 * a property of the transform; "ctr(aes)" and "ghash" keyed with H for
 * the parts) are built on a key's first use and kept with its key material
 * (khsm_prep_get): C_EncryptInit allocates the request and the context
 * only.
 */
#include <crypto/aead.h>
#include <crypto/aes.h>
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <crypto/skcipher.h>
#include <linux/crypto.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include "ck.h"
#include "limits.h"
#include "mech_aes.h"
#include "mech_family.h"
#include "uapi/linux/khsm.h"

#define KHSM_GCM_IV_LEN		12
#define KHSM_GCM_MAX_DATA	KHSM_MAX_BUFFERED_LEN
#define KHSM_GCM_MAX_AAD	(64 * 1024)
#define KHSM_GCM_MAX_TAG	16
#define KHSM_GCM_BLOCK		16

/* The key's "gcm(aes)" for one tag length. */
struct khsm_gcm_prep {
	struct khsm_prep base;
	struct crypto_aead *tfm;
};

/* The key's transforms for GCM from its parts. */
struct khsm_gcm_kparts {
	struct khsm_prep base;
	struct crypto_skcipher *ctr;	/* "ctr(aes)", keyed */
	struct crypto_shash *ghash;	/* keyed with H */
};

/* GCM from its parts, for IVs other than 96 bits: one operation's. */
struct khsm_gcm_parts {
	struct khsm_gcm_kparts *k;	/* the key's, or ours if k_owned */
	bool k_owned;
	struct skcipher_request *req;
	u8 j0[KHSM_GCM_BLOCK];
	u8 ekj0[KHSM_GCM_BLOCK];	/* E_K(J0) */
	u8 ctrblk[KHSM_GCM_BLOCK];	/* counter block (kmalloc'd: sg) */
	u8 blk[KHSM_GCM_BLOCK];		/* scratch block for sg */
};

struct khsm_gcm_ctx {
	struct crypto_aead *tfm;	/* prep's; NULL when parts is used */
	struct khsm_prep *prep;		/* the key's, or ours if prep_owned */
	bool prep_owned;
	struct aead_request *req;
	struct khsm_gcm_parts *parts;
	u8 *long_iv;			/* IV while init builds parts */
	u32 iv_len;
	u8 iv[KHSM_GCM_IV_LEN];
	u8 *aad;
	u32 aad_len;
	u8 *buf;			/* buffered input (+ room for the tag) */
	size_t len;
	size_t cap;
	unsigned int tag_len;
	bool encrypt;
};

static unsigned long khsm_gcm_parse(struct khsm_gcm_ctx *ctx, const void *param,
			      u32 param_len)
{
	struct khsm_gcm_params p;
	const u8 *var = (const u8 *)param + sizeof(p);

	if (!param || param_len < sizeof(p))
		return CKR_MECHANISM_PARAM_INVALID;
	memcpy(&p, param, sizeof(p));
	if (p.reserved || p.gcm_iv_len < 1 || p.gcm_iv_len > 256 ||
	    p.gcm_aad_len > KHSM_GCM_MAX_AAD ||
	    param_len != sizeof(p) + (size_t)p.gcm_iv_len + p.gcm_aad_len)
		return CKR_MECHANISM_PARAM_INVALID;
	if (p.gcm_tag_bits < 96 || p.gcm_tag_bits > 128 || p.gcm_tag_bits % 8)
		return CKR_MECHANISM_PARAM_INVALID;
	ctx->iv_len = p.gcm_iv_len;
	if (p.gcm_iv_len == KHSM_GCM_IV_LEN) {
		memcpy(ctx->iv, var, KHSM_GCM_IV_LEN);
	} else {
		ctx->long_iv = kmemdup(var, p.gcm_iv_len, GFP_KERNEL);
		if (!ctx->long_iv)
			return CKR_HOST_MEMORY;
	}
	ctx->tag_len = p.gcm_tag_bits / 8;
	ctx->aad_len = p.gcm_aad_len;
	if (p.gcm_aad_len) {
		ctx->aad = kmemdup(var + p.gcm_iv_len, p.gcm_aad_len,
				   GFP_KERNEL);
		if (!ctx->aad)
			return CKR_HOST_MEMORY;
	}
	return CKR_OK;
}

/* mech_aes.h */
int khsm_gcm_sg(struct sg_table *t, const u8 *aad, size_t aad_len,
		       u8 *buf, size_t len)
{
	bool vm = is_vmalloc_addr(buf);
	unsigned int n = aad_len ? 1 : 0;
	struct scatterlist *sg;
	size_t off, chunk;

	n += vm ? DIV_ROUND_UP(offset_in_page(buf) + len, PAGE_SIZE) : 1;
	if (sg_alloc_table(t, n, GFP_KERNEL))
		return -ENOMEM;
	sg = t->sgl;
	if (aad_len) {
		sg_set_buf(sg, aad, aad_len);
		sg = sg_next(sg);
	}
	if (!vm) {
		sg_set_buf(sg, buf, len);
		return 0;
	}
	for (off = 0; off < len; off += chunk) {
		chunk = min_t(size_t, len - off,
			      PAGE_SIZE - offset_in_page(buf + off));
		sg_set_page(sg, vmalloc_to_page(buf + off), chunk,
			    offset_in_page(buf + off));
		sg = sg_next(sg);
	}
	return 0;
}

/* One CTR pass over @len bytes of @buf from counter block @ctr (in place). */
static int khsm_gcm_ctr(struct khsm_gcm_parts *g, u8 *buf, size_t len,
			const u8 *ctr)
{
	DECLARE_CRYPTO_WAIT(wait);
	struct sg_table t;
	int err;

	if (!len)
		return 0;
	memcpy(g->ctrblk, ctr, KHSM_GCM_BLOCK);
	err = khsm_gcm_sg(&t, NULL, 0, buf, len);
	if (err)
		return err;
	skcipher_request_set_callback(g->req, CRYPTO_TFM_REQ_MAY_SLEEP |
				      CRYPTO_TFM_REQ_MAY_BACKLOG,
				      crypto_req_done, &wait);
	skcipher_request_set_crypt(g->req, t.sgl, t.sgl, len, g->ctrblk);
	err = crypto_wait_req(crypto_skcipher_encrypt(g->req), &wait);
	sg_free_table(&t);
	return err;
}

/* E_K(@in) as one CTR block over zeros. */
static int khsm_gcm_ek(struct khsm_gcm_parts *g, const u8 *in, u8 *out)
{
	int err;

	memset(g->blk, 0, KHSM_GCM_BLOCK);
	err = khsm_gcm_ctr(g, g->blk, KHSM_GCM_BLOCK, in);
	memcpy(out, g->blk, KHSM_GCM_BLOCK);
	return err;
}

/* GHASH_H of @a || 0-pad || @b || 0-pad || [@alen*8]64 || [@blen*8]64. */
static int khsm_gcm_ghash(struct khsm_gcm_parts *g, const u8 *a, size_t alen,
			  const u8 *b, size_t blen, u8 *out)
{
	static const u8 zeros[KHSM_GCM_BLOCK];
	SHASH_DESC_ON_STACK(desc, g->k->ghash);
	__be64 lens[2];
	int err;

	lens[0] = cpu_to_be64((u64)alen * 8);
	lens[1] = cpu_to_be64((u64)blen * 8);
	desc->tfm = g->k->ghash;
	err = crypto_shash_init(desc);
	if (alen) {
		err = err ?: crypto_shash_update(desc, a, alen);
		if (alen % KHSM_GCM_BLOCK)
			err = err ?: crypto_shash_update(desc, zeros,
					KHSM_GCM_BLOCK - alen % KHSM_GCM_BLOCK);
	}
	if (blen) {
		err = err ?: crypto_shash_update(desc, b, blen);
		if (blen % KHSM_GCM_BLOCK)
			err = err ?: crypto_shash_update(desc, zeros,
					KHSM_GCM_BLOCK - blen % KHSM_GCM_BLOCK);
	}
	err = err ?: crypto_shash_update(desc, (const u8 *)lens, sizeof(lens));
	err = err ?: crypto_shash_final(desc, out);
	shash_desc_zero(desc);
	return err;
}

static void khsm_gcm_parts_free(struct khsm_gcm_parts *g)
{
	if (!g)
		return;
	skcipher_request_free(g->req);
	khsm_prep_put(&g->k->base, g->k_owned);
	kfree_sensitive(g);
}

/* One operation's parts over the key's transforms @k. */
static struct khsm_gcm_parts *khsm_gcm_parts_alloc(struct khsm_gcm_kparts *k)
{
	struct khsm_gcm_parts *g = kzalloc(sizeof(*g), GFP_KERNEL);

	if (!g)
		return NULL;
	g->k = k;
	g->req = skcipher_request_alloc(k->ctr, GFP_KERNEL);
	if (!g->req) {
		kfree(g);
		return NULL;
	}
	return g;
}

static void khsm_gcm_kparts_free(struct khsm_prep *p)
{
	struct khsm_gcm_kparts *k = container_of(p, struct khsm_gcm_kparts,
						 base);

	if (!IS_ERR_OR_NULL(k->ctr))
		crypto_free_skcipher(k->ctr);	/* wipes the key schedule */
	if (!IS_ERR_OR_NULL(k->ghash))
		crypto_free_shash(k->ghash);
	kfree(k);
}

/* Key "ctr(aes)" with K and "ghash" with H = E_K(0^128). */
static struct khsm_prep *khsm_gcm_kparts_build(const struct khsm_key *key,
					       unsigned int slot, int *err)
{
	struct khsm_gcm_kparts *k = kzalloc(sizeof(*k), GFP_KERNEL_ACCOUNT);
	struct khsm_gcm_parts *g = NULL;
	u8 h[KHSM_GCM_BLOCK] = {};

	if (!k) {
		*err = -ENOMEM;
		return NULL;
	}
	k->base.free = khsm_gcm_kparts_free;
	k->ctr = crypto_alloc_skcipher("ctr(aes)", 0, 0);
	k->ghash = crypto_alloc_shash("ghash", 0, 0);
	*err = PTR_ERR_OR_ZERO(k->ctr) ?: PTR_ERR_OR_ZERO(k->ghash);
	if (*err) {
		pr_err("cannot allocate ctr(aes) or ghash: %d\n", *err);
		goto fail;
	}
	*err = crypto_skcipher_setkey(k->ctr, key->value, key->value_len);
	if (*err)
		goto fail;
	g = khsm_gcm_parts_alloc(k);
	if (!g) {
		*err = -ENOMEM;
		goto fail;
	}
	*err = khsm_gcm_ek(g, h, h) ?:
	       crypto_shash_setkey(k->ghash, h, sizeof(h));
	memzero_explicit(h, sizeof(h));
	khsm_gcm_parts_free(g);
	if (*err)
		goto fail;
	return &k->base;
fail:
	khsm_gcm_kparts_free(&k->base);
	return NULL;
}

/* The key's parts, and J0 and E_K(J0) from the IV (SP 800-38D 7.1). */
static unsigned long khsm_gcm_parts_init(struct khsm_gcm_ctx *ctx,
				   const struct khsm_key *key)
{
	struct khsm_gcm_parts *g;
	struct khsm_prep *p;
	bool owned;
	int err;

	p = khsm_prep_get(key, KHSM_PREP_GCM_PARTS, khsm_gcm_kparts_build,
			  &owned, &err);
	if (!p)
		return khsm_mech_errno_rv(err);
	g = khsm_gcm_parts_alloc(container_of(p, struct khsm_gcm_kparts, base));
	if (!g) {
		khsm_prep_put(p, owned);
		return CKR_HOST_MEMORY;
	}
	g->k_owned = owned;
	ctx->parts = g;
	err = khsm_gcm_ghash(g, NULL, 0, ctx->long_iv, ctx->iv_len, g->j0);
	if (err)
		return khsm_mech_errno_rv(err);
	/*
	 * The length block of J0 is 0^64 || [len(IV)]64, while the helper
	 * hashed [0]64 || [len(IV)]64 as (A-length, B-length): the same bytes.
	 */
	err = khsm_gcm_ek(g, g->j0, g->ekj0);
	return err ? khsm_mech_errno_rv(err) : CKR_OK;
}

/* GCTR from inc32(J0): "ctr(aes)" carries into bit 32, GCM wraps there. */
static int khsm_gcm_gctr(struct khsm_gcm_parts *g, u8 *buf, size_t len)
{
	u8 cb[KHSM_GCM_BLOCK];
	u32 lo = get_unaligned_be32(g->j0 + 12) + 1;
	u64 room = (1ULL << 32) - lo;		/* blocks before the wrap */
	size_t first = len;
	int err;

	memcpy(cb, g->j0, 12);
	put_unaligned_be32(lo, cb + 12);
	if (DIV_ROUND_UP(len, KHSM_GCM_BLOCK) > room)
		first = room * KHSM_GCM_BLOCK;
	err = khsm_gcm_ctr(g, buf, first, cb);
	if (!err && first < len) {
		put_unaligned_be32(0, cb + 12);
		err = khsm_gcm_ctr(g, buf + first, len - first, cb);
	}
	return err;
}

static unsigned long khsm_gcm_parts_final(struct khsm_gcm_ctx *ctx, u8 *out,
				    size_t *out_len)
{
	struct khsm_gcm_parts *g = ctx->parts;
	size_t n = ctx->encrypt ? ctx->len : ctx->len - ctx->tag_len;
	u8 s[KHSM_GCM_BLOCK];
	unsigned int i;
	int err = 0;

	if (ctx->encrypt)
		err = khsm_gcm_gctr(g, ctx->buf, n);
	err = err ?: khsm_gcm_ghash(g, ctx->aad, ctx->aad_len, ctx->buf, n, s);
	if (err)
		goto out;
	for (i = 0; i < KHSM_GCM_BLOCK; i++)
		s[i] ^= g->ekj0[i];
	if (ctx->encrypt) {
		memcpy(ctx->buf + n, s, ctx->tag_len);
		n += ctx->tag_len;
	} else {
		if (crypto_memneq(s, ctx->buf + n, ctx->tag_len)) {
			memzero_explicit(s, sizeof(s));
			return CKR_ENCRYPTED_DATA_INVALID;
		}
		err = khsm_gcm_gctr(g, ctx->buf, n);
		if (err)
			goto out;
	}
	memcpy(out, ctx->buf, n);
	*out_len = n;
out:
	memzero_explicit(s, sizeof(s));
	return err ? khsm_mech_errno_rv(err) : CKR_OK;
}

static void khsm_gcm_prep_free(struct khsm_prep *p)
{
	struct khsm_gcm_prep *a = container_of(p, struct khsm_gcm_prep, base);

	crypto_free_aead(a->tfm);	/* wipes the key schedule */
	kfree(a);
}

/* "gcm(aes)" keyed with K, for the tag length of @slot. */
static struct khsm_prep *khsm_gcm_prep_build(const struct khsm_key *key,
					     unsigned int slot, int *err)
{
	struct khsm_gcm_prep *a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);

	if (!a) {
		*err = -ENOMEM;
		return NULL;
	}
	a->base.free = khsm_gcm_prep_free;
	a->tfm = crypto_alloc_aead("gcm(aes)", 0, 0);
	if (IS_ERR(a->tfm)) {
		*err = PTR_ERR(a->tfm);
		pr_err("cannot allocate aead gcm(aes): %d\n", *err);
		kfree(a);
		return NULL;
	}
	*err = crypto_aead_setkey(a->tfm, key->value, key->value_len) ?:
	       crypto_aead_setauthsize(a->tfm,
				       slot - KHSM_PREP_GCM_TAG12 + 12);
	if (*err) {
		khsm_gcm_prep_free(&a->base);
		return NULL;
	}
	return &a->base;
}

static unsigned long khsm_gcm_init(struct khsm_op *op, const struct khsm_key *key,
			     const void *param, u32 param_len)
{
	struct khsm_gcm_ctx *ctx;
	struct khsm_prep *p;
	unsigned long rv;
	int err;

	/* CKK_AES keys are 16, 24 or 32 bytes (key_secret.c) */
	if (!key || !key->value)
		return CKR_KEY_HANDLE_INVALID;
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
	if (ctx->long_iv) {
		rv = khsm_gcm_parts_init(ctx, key);
		kfree(ctx->long_iv);		/* the IV is no secret */
		ctx->long_iv = NULL;
		return rv;
	}

	p = khsm_prep_get(key, KHSM_PREP_GCM_TAG12 + ctx->tag_len - 12,
			  khsm_gcm_prep_build, &ctx->prep_owned, &err);
	if (!p)
		return err == -EINVAL ? CKR_MECHANISM_PARAM_INVALID :
					khsm_mech_errno_rv(err);
	ctx->prep = p;
	ctx->tfm = container_of(p, struct khsm_gcm_prep, base)->tfm;
	ctx->req = aead_request_alloc(ctx->tfm, GFP_KERNEL);
	if (!ctx->req)
		return CKR_HOST_MEMORY;
	return CKR_OK;
}

static unsigned long khsm_gcm_len_rv(const struct khsm_gcm_ctx *ctx)
{
	return ctx->encrypt ? CKR_DATA_LEN_RANGE : CKR_ENCRYPTED_DATA_LEN_RANGE;
}

/* Append @in to the buffer, growing it (the old copy is wiped). */
static unsigned long khsm_gcm_append(struct khsm_gcm_ctx *ctx, const u8 *in,
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
		buf = kvmalloc(cap, GFP_KERNEL_ACCOUNT);
		if (!buf)
			return CKR_HOST_MEMORY;
		if (ctx->len)
			memcpy(buf, ctx->buf, ctx->len);
		if (ctx->buf)
			kvfree_sensitive(ctx->buf, ctx->cap);
		ctx->buf = buf;
		ctx->cap = cap;
	}
	if (in_len)
		memcpy(ctx->buf + ctx->len, in, in_len);
	ctx->len += in_len;
	return CKR_OK;
}

/*
 * One "gcm(aes)" pass over @cryptlen bytes (the tag included when
 * decrypting) from @src (@src_len bytes) to @dst (@dst_len bytes; may be
 * @src). -EBADMSG if the tag does not verify.
 */
static int khsm_gcm_aead(struct khsm_gcm_ctx *ctx, const u8 *src,
			 size_t src_len, u8 *dst, size_t dst_len,
			 size_t cryptlen)
{
	struct aead_request *req = ctx->req;
	struct sg_table t_src, t_dst;
	DECLARE_CRYPTO_WAIT(wait);
	int err;

	/* The AEAD layout: the AAD, then the data. */
	err = khsm_gcm_sg(&t_src, ctx->aad, ctx->aad_len, (u8 *)src, src_len);
	if (err)
		return err;
	if (dst != src) {
		err = khsm_gcm_sg(&t_dst, ctx->aad, ctx->aad_len, dst, dst_len);
		if (err) {
			sg_free_table(&t_src);
			return err;
		}
	}
	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_SLEEP |
				  CRYPTO_TFM_REQ_MAY_BACKLOG,
				  crypto_req_done, &wait);
	aead_request_set_ad(req, ctx->aad_len);
	aead_request_set_crypt(req, t_src.sgl,
			       dst != src ? t_dst.sgl : t_src.sgl,
			       cryptlen, ctx->iv);
	err = crypto_wait_req(ctx->encrypt ? crypto_aead_encrypt(req) :
					     crypto_aead_decrypt(req), &wait);
	sg_free_table(&t_src);
	if (dst != src)
		sg_free_table(&t_dst);
	return err;
}

static unsigned long khsm_gcm_final(struct khsm_gcm_ctx *ctx, u8 *out,
			      size_t *out_len)
{
	size_t room = ctx->len + ctx->tag_len;
	size_t produced;
	unsigned long rv;
	int err;

	if (!ctx->encrypt && ctx->len < ctx->tag_len)
		return CKR_ENCRYPTED_DATA_LEN_RANGE;
	if (!ctx->buf) {
		rv = khsm_gcm_append(ctx, NULL, 0);
		if (rv != CKR_OK)
			return rv;
	}
	if (ctx->parts)
		return khsm_gcm_parts_final(ctx, out, out_len);
	/* in place in the buffer, which has room for the tag */
	err = khsm_gcm_aead(ctx, ctx->buf, room, ctx->buf, room, ctx->len);
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

/* True if the crypto API can take @p (and what follows) in one sg entry. */
static bool khsm_gcm_linear(const void *p)
{
	return !is_vmalloc_addr(p) && virt_addr_valid(p);
}

/*
 * One-shot "gcm(aes)" straight from @in to @out, without the buffer, when
 * both can go in a scatterlist and do not overlap; else CKR_OK with
 * *@done false (the caller buffers).
 */
static unsigned long khsm_gcm_direct(struct khsm_gcm_ctx *ctx, const u8 *in,
				     size_t in_len, u8 *out, size_t *out_len,
				     bool *done)
{
	size_t n;
	int err;

	*done = false;
	if (!ctx->tfm || in_len <= (ctx->encrypt ? 0 : ctx->tag_len) ||
	    in_len > KHSM_GCM_MAX_DATA + (ctx->encrypt ? 0 : ctx->tag_len))
		return CKR_OK;
	n = ctx->encrypt ? in_len + ctx->tag_len : in_len - ctx->tag_len;
	if (!khsm_gcm_linear(in) || !khsm_gcm_linear(out) ||
	    (in + in_len > out && out + n > in))
		return CKR_OK;
	*done = true;
	err = khsm_gcm_aead(ctx, in, in_len, out, n, in_len);
	if (err) {
		/* a failed decryption wrote unauthenticated plaintext */
		memzero_explicit(out, n);
		return err == -EBADMSG ? CKR_ENCRYPTED_DATA_INVALID :
					 khsm_mech_errno_rv(err);
	}
	*out_len = n;
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

static unsigned long khsm_gcm_step(struct khsm_op *op, enum khsm_step step,
			     const u8 *in, size_t in_len, u8 *out,
			     size_t *out_len, const u8 *sig, size_t sig_len)
{
	struct khsm_gcm_ctx *ctx = op->ctx;
	unsigned long rv;
	bool done;

	*out_len = 0;
	if (step == KHSM_STEP_FINAL && in_len)
		return CKR_ARGUMENTS_BAD;
	if (step == KHSM_STEP_ONESHOT && ctx->len)
		return CKR_OPERATION_ACTIVE;
	if (step == KHSM_STEP_ONESHOT) {
		rv = khsm_gcm_direct(ctx, in, in_len, out, out_len, &done);
		if (done)
			return rv;
	}
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
	khsm_gcm_parts_free(ctx->parts);
	khsm_prep_put(ctx->prep, ctx->prep_owned);
	kfree(ctx->long_iv);
	if (ctx->buf)
		kvfree_sensitive(ctx->buf, ctx->cap);
	kfree_sensitive(ctx->aad);
	kfree_sensitive(ctx);
	op->ctx = NULL;
}

/* The uAPI form of the parameter: its reserved word is zero. */
static bool khsm_gcm_param_check(const void *param, u32 param_len)
{
	struct khsm_gcm_params p;

	if (param_len < sizeof(p))
		return true;		/* ->init refuses it */
	memcpy(&p, param, sizeof(p));
	return !p.reserved;
}

static const struct khsm_mech khsm_aead_mechs[] = {
	{
		.type = CKM_AES_GCM,
		.flags = CKF_ENCRYPT | CKF_DECRYPT,
		.min_key_size = AES_KEYSIZE_128,
		.max_key_size = AES_KEYSIZE_256,
		.key_type = CKK_AES,
		.param_check = khsm_gcm_param_check,
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
