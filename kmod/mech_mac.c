// SPDX-License-Identifier: GPL-2.0
/*
 * Generic secrets and MACs: CKM_GENERIC_SECRET_KEY_GEN (CKK_GENERIC_SECRET
 * keys of 1 to KHSM_MAX_SECRET_LEN bytes, key_secret.c), and
 * CKM_SHA_1_HMAC, CKM_SHA224/256/384/512_HMAC and
 * CKM_SHA3_224/256/384/512_HMAC with their _GENERAL variants as
 * sign/verify on CKK_GENERIC_SECRET keys, one-shot and
 * multi-part, over the engine's HMAC (kmod/crypto/sha2.c and sha3.c, the
 * code the native tests check against OpenSSL). A _GENERAL mechanism takes struct
 * khsm_mac_general_params (CK_MAC_GENERAL_PARAMS): the MAC is the first
 * mac_len bytes (1 to the digest length) of the full one.
 *
 * Verification computes the MAC and compares it with crypto_memneq():
 * a signature of the wrong length is CKR_SIGNATURE_LEN_RANGE, a wrong one
 * CKR_SIGNATURE_INVALID. The operation context is the HMAC state (inner
 * and outer hash) and nothing else; it is wiped when the operation ends.
 *
 * CKM_AES_CMAC and CKM_AES_CMAC_GENERAL (NIST SP 800-38B; 1..16 bytes)
 * sign/verify on CKK_AES keys over the crypto API's "cmac(aes)" shash,
 * multi-part. The keyed transform (AES key schedule and the subkeys K1,
 * K2) is built on a key's first use and kept in the key's prep cache
 * (KHSM_PREP_AES_CMAC, mech.h), shared by every session: an operation only
 * allocates its shash descriptor (the running CBC-MAC state).
 */
#include <crypto/aes.h>
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ck.h"
#include "crypto/sha2.h"
#include "mech_family.h"
#include "uapi/linux/khsm.h"

/* Which hash a MAC mechanism uses and whether it takes a length. */
struct khsm_hmac_kind {
	unsigned long type;
	enum kc_hash alg;
	bool general;
};

static const struct khsm_hmac_kind khsm_hmac_kinds[] = {
	{ CKM_SHA_1_HMAC, KC_SHA1, false },
	{ CKM_SHA_1_HMAC_GENERAL, KC_SHA1, true },
	{ CKM_SHA224_HMAC, KC_SHA224, false },
	{ CKM_SHA224_HMAC_GENERAL, KC_SHA224, true },
	{ CKM_SHA256_HMAC, KC_SHA256, false },
	{ CKM_SHA256_HMAC_GENERAL, KC_SHA256, true },
	{ CKM_SHA384_HMAC, KC_SHA384, false },
	{ CKM_SHA384_HMAC_GENERAL, KC_SHA384, true },
	{ CKM_SHA512_HMAC, KC_SHA512, false },
	{ CKM_SHA512_HMAC_GENERAL, KC_SHA512, true },
	{ CKM_SHA3_224_HMAC, KC_SHA3_224, false },
	{ CKM_SHA3_224_HMAC_GENERAL, KC_SHA3_224, true },
	{ CKM_SHA3_256_HMAC, KC_SHA3_256, false },
	{ CKM_SHA3_256_HMAC_GENERAL, KC_SHA3_256, true },
	{ CKM_SHA3_384_HMAC, KC_SHA3_384, false },
	{ CKM_SHA3_384_HMAC_GENERAL, KC_SHA3_384, true },
	{ CKM_SHA3_512_HMAC, KC_SHA3_512, false },
	{ CKM_SHA3_512_HMAC_GENERAL, KC_SHA3_512, true },
};

struct khsm_hmac_op {
	struct kc_hmac_ctx h;
	u32 mac_len;			/* bytes of MAC produced or expected */
};

static const struct khsm_hmac_kind *khsm_hmac_kind(unsigned long type)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(khsm_hmac_kinds); i++)
		if (khsm_hmac_kinds[i].type == type)
			return &khsm_hmac_kinds[i];
	return NULL;
}

/* struct khsm_mac_general_params: the reserved word must be zero. */
static bool khsm_mac_param_check(const void *param, u32 param_len)
{
	const struct khsm_mac_general_params *p = param;

	return param_len != sizeof(*p) || !p->reserved;
}

/*
 * The MAC length of a mechanism whose full MAC has @full bytes: @full
 * without a parameter, the parameter's 1..@full with _GENERAL.
 */
static unsigned long khsm_mac_len(bool general, u32 full, const void *param,
				  u32 param_len, u32 *mac_len)
{
	const struct khsm_mac_general_params *p = param;

	if (!general) {
		*mac_len = full;
		return param_len ? CKR_MECHANISM_PARAM_INVALID : CKR_OK;
	}
	if (!p || param_len != sizeof(*p) || !p->mac_len || p->mac_len > full)
		return CKR_MECHANISM_PARAM_INVALID;
	*mac_len = p->mac_len;
	return CKR_OK;
}

/* SIGN: hand out the first @mac_len bytes; VERIFY: compare them. */
static unsigned long khsm_mac_finish(u32 kind, const u8 *mac, u32 mac_len,
				     u8 *out, size_t *out_len, const u8 *sig,
				     size_t sig_len)
{
	if (kind == KHSM_OP_VERIFY) {
		if (sig_len != mac_len)
			return CKR_SIGNATURE_LEN_RANGE;
		return crypto_memneq(mac, sig, mac_len) ? CKR_SIGNATURE_INVALID :
							  CKR_OK;
	}
	memcpy(out, mac, mac_len);
	*out_len = mac_len;
	return CKR_OK;
}

static size_t khsm_mac_out_len(u32 kind, enum khsm_step step, u32 mac_len)
{
	if (kind == KHSM_OP_VERIFY || step == KHSM_STEP_UPDATE)
		return 0;
	return mac_len;
}

static unsigned long khsm_hmac_init(struct khsm_op *op,
				    const struct khsm_key *key,
				    const void *param, u32 param_len)
{
	const struct khsm_hmac_kind *k = khsm_hmac_kind(op->mech->type);
	struct khsm_hmac_op *ctx;
	unsigned long rv;
	u32 mac_len;

	if (!k)
		return CKR_MECHANISM_INVALID;
	/* CKK_GENERIC_SECRET keys have 1..KHSM_MAX_SECRET_LEN bytes */
	if (!key || !key->value || !key->value_len)
		return CKR_KEY_HANDLE_INVALID;
	rv = khsm_mac_len(k->general, kc_hash_len(k->alg), param, param_len,
			  &mac_len);
	if (rv)
		return rv;
	ctx = kmalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return CKR_HOST_MEMORY;
	op->ctx = ctx;
	ctx->mac_len = mac_len;
	if (kc_hmac_init(&ctx->h, k->alg, key->value, key->value_len))
		return CKR_GENERAL_ERROR;
	return CKR_OK;
}

static size_t khsm_hmac_out_len(const struct khsm_op *op, enum khsm_step step,
				size_t in_len)
{
	const struct khsm_hmac_op *ctx = op->ctx;

	return khsm_mac_out_len(op->kind, step, ctx->mac_len);
}

static unsigned long khsm_hmac_step(struct khsm_op *op, enum khsm_step step,
				    const u8 *in, size_t in_len, u8 *out,
				    size_t *out_len, const u8 *sig,
				    size_t sig_len)
{
	struct khsm_hmac_op *ctx = op->ctx;
	u8 mac[KC_HASH_MAX_DIGEST];
	unsigned long rv;

	*out_len = 0;
	if (step == KHSM_STEP_FINAL && in_len)
		return CKR_ARGUMENTS_BAD;
	kc_hmac_update(&ctx->h, in, in_len);
	if (step == KHSM_STEP_UPDATE)
		return CKR_OK;
	kc_hmac_final(&ctx->h, mac);	/* wipes the state */
	rv = khsm_mac_finish(op->kind, mac, ctx->mac_len, out, out_len, sig,
			     sig_len);
	memzero_explicit(mac, sizeof(mac));
	return rv;
}

static void khsm_mac_cleanup(struct khsm_op *op)
{
	kfree_sensitive(op->ctx);
	op->ctx = NULL;
}

struct khsm_cmac_prep {
	struct khsm_prep base;
	struct crypto_shash *tfm;
};

struct khsm_cmac_op {
	struct khsm_prep *prep;		/* the key's, or ours if prep_owned */
	bool prep_owned;
	u32 mac_len;
	struct shash_desc desc;		/* last: crypto_shash_descsize() */
};

static void khsm_cmac_prep_free(struct khsm_prep *p)
{
	struct khsm_cmac_prep *c = container_of(p, struct khsm_cmac_prep, base);

	crypto_free_shash(c->tfm);	/* wipes the key schedule, K1, K2 */
	kfree(c);
}

static struct khsm_prep *khsm_cmac_prep_build(const struct khsm_key *key,
					      unsigned int slot, int *err)
{
	struct khsm_cmac_prep *c;

	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c) {
		*err = -ENOMEM;
		return NULL;
	}
	c->base.free = khsm_cmac_prep_free;
	c->tfm = crypto_alloc_shash("cmac(aes)", 0, 0);
	if (IS_ERR(c->tfm)) {
		*err = PTR_ERR(c->tfm);
		pr_err("cannot allocate shash cmac(aes): %d\n", *err);
		kfree(c);
		return NULL;
	}
	*err = crypto_shash_setkey(c->tfm, key->value, key->value_len);
	if (*err) {
		khsm_cmac_prep_free(&c->base);
		return NULL;
	}
	return &c->base;
}

static unsigned long khsm_cmac_init(struct khsm_op *op,
				    const struct khsm_key *key,
				    const void *param, u32 param_len)
{
	bool general = op->mech->type == CKM_AES_CMAC_GENERAL;
	struct crypto_shash *tfm;
	struct khsm_cmac_op *ctx;
	struct khsm_prep *p;
	unsigned long rv;
	bool owned;
	u32 mac_len;
	int err;

	/* CKK_AES keys are 16, 24 or 32 bytes (key_secret.c) */
	if (!key || !key->value)
		return CKR_KEY_HANDLE_INVALID;
	rv = khsm_mac_len(general, AES_BLOCK_SIZE, param, param_len, &mac_len);
	if (rv)
		return rv;
	p = khsm_prep_get(key, KHSM_PREP_AES_CMAC, khsm_cmac_prep_build,
			  &owned, &err);
	if (!p)
		return err == -EINVAL ? CKR_KEY_SIZE_RANGE :
					khsm_mech_errno_rv(err);
	tfm = container_of(p, struct khsm_cmac_prep, base)->tfm;
	ctx = kzalloc(sizeof(*ctx) + crypto_shash_descsize(tfm),
		      GFP_KERNEL_ACCOUNT);
	if (!ctx) {
		khsm_prep_put(p, owned);
		return CKR_HOST_MEMORY;
	}
	op->ctx = ctx;
	ctx->prep = p;
	ctx->prep_owned = owned;
	ctx->mac_len = mac_len;
	ctx->desc.tfm = tfm;
	err = crypto_shash_init(&ctx->desc);
	return err ? khsm_mech_errno_rv(err) : CKR_OK;
}

static size_t khsm_cmac_out_len(const struct khsm_op *op, enum khsm_step step,
				size_t in_len)
{
	const struct khsm_cmac_op *ctx = op->ctx;

	return khsm_mac_out_len(op->kind, step, ctx->mac_len);
}

static unsigned long khsm_cmac_step(struct khsm_op *op, enum khsm_step step,
				    const u8 *in, size_t in_len, u8 *out,
				    size_t *out_len, const u8 *sig,
				    size_t sig_len)
{
	struct khsm_cmac_op *ctx = op->ctx;
	u8 mac[AES_BLOCK_SIZE];
	unsigned long rv;
	int err = 0;

	*out_len = 0;
	if (step == KHSM_STEP_FINAL && in_len)
		return CKR_ARGUMENTS_BAD;
	if (in_len)
		err = crypto_shash_update(&ctx->desc, in, in_len);
	if (err)
		return khsm_mech_errno_rv(err);
	if (step == KHSM_STEP_UPDATE)
		return CKR_OK;
	err = crypto_shash_final(&ctx->desc, mac);
	if (err)
		return khsm_mech_errno_rv(err);
	rv = khsm_mac_finish(op->kind, mac, ctx->mac_len, out, out_len, sig,
			     sig_len);
	memzero_explicit(mac, sizeof(mac));
	return rv;
}

static void khsm_cmac_cleanup(struct khsm_op *op)
{
	struct khsm_cmac_op *ctx = op->ctx;

	if (!ctx)
		return;
	khsm_prep_put(ctx->prep, ctx->prep_owned);
	kfree_sensitive(ctx);		/* the descriptor's chaining value */
	op->ctx = NULL;
}

/* @pc: khsm_mac_param_check for the _GENERAL mechanisms, else NULL */
#define KHSM_CMAC_MECH(ckm, pc) {				\
	.type = (ckm),						\
	.flags = CKF_SIGN | CKF_VERIFY,				\
	.min_key_size = AES_KEYSIZE_128,			\
	.max_key_size = AES_KEYSIZE_256,			\
	.key_type = CKK_AES,					\
	.param_check = (pc),					\
	.init = khsm_cmac_init,					\
	.out_len = khsm_cmac_out_len,				\
	.step = khsm_cmac_step,					\
	.cleanup = khsm_cmac_cleanup,				\
}

/* Key sizes of the HMAC mechanisms in bytes, of the generator in bits. */
#define KHSM_HMAC_MECH(ckm, pc) {				\
	.type = (ckm),						\
	.flags = CKF_SIGN | CKF_VERIFY,				\
	.min_key_size = 1,					\
	.max_key_size = KHSM_MAX_SECRET_LEN,			\
	.key_type = CKK_GENERIC_SECRET,				\
	.param_check = (pc),					\
	.init = khsm_hmac_init,					\
	.out_len = khsm_hmac_out_len,				\
	.step = khsm_hmac_step,					\
	.cleanup = khsm_mac_cleanup,				\
}

static const struct khsm_mech khsm_mac_mechs[] = {
	{
		.type = CKM_GENERIC_SECRET_KEY_GEN,
		.flags = CKF_GENERATE,
		.min_key_size = 8,
		.max_key_size = 8 * KHSM_MAX_SECRET_LEN,
		.key_type = CKK_GENERIC_SECRET,	/* of the generated key */
	},
	KHSM_HMAC_MECH(CKM_SHA_1_HMAC, NULL),
	KHSM_HMAC_MECH(CKM_SHA_1_HMAC_GENERAL, khsm_mac_param_check),
	KHSM_HMAC_MECH(CKM_SHA224_HMAC, NULL),
	KHSM_HMAC_MECH(CKM_SHA224_HMAC_GENERAL, khsm_mac_param_check),
	KHSM_HMAC_MECH(CKM_SHA256_HMAC, NULL),
	KHSM_HMAC_MECH(CKM_SHA256_HMAC_GENERAL, khsm_mac_param_check),
	KHSM_HMAC_MECH(CKM_SHA384_HMAC, NULL),
	KHSM_HMAC_MECH(CKM_SHA384_HMAC_GENERAL, khsm_mac_param_check),
	KHSM_HMAC_MECH(CKM_SHA512_HMAC, NULL),
	KHSM_HMAC_MECH(CKM_SHA512_HMAC_GENERAL, khsm_mac_param_check),
	KHSM_HMAC_MECH(CKM_SHA3_224_HMAC, NULL),
	KHSM_HMAC_MECH(CKM_SHA3_224_HMAC_GENERAL, khsm_mac_param_check),
	KHSM_HMAC_MECH(CKM_SHA3_256_HMAC, NULL),
	KHSM_HMAC_MECH(CKM_SHA3_256_HMAC_GENERAL, khsm_mac_param_check),
	KHSM_HMAC_MECH(CKM_SHA3_384_HMAC, NULL),
	KHSM_HMAC_MECH(CKM_SHA3_384_HMAC_GENERAL, khsm_mac_param_check),
	KHSM_HMAC_MECH(CKM_SHA3_512_HMAC, NULL),
	KHSM_HMAC_MECH(CKM_SHA3_512_HMAC_GENERAL, khsm_mac_param_check),
	KHSM_CMAC_MECH(CKM_AES_CMAC, NULL),
	KHSM_CMAC_MECH(CKM_AES_CMAC_GENERAL, khsm_mac_param_check),
};

const struct khsm_mech_family khsm_mech_mac = {
	.name = "mac",
	.mechs = khsm_mac_mechs,
	.count = ARRAY_SIZE(khsm_mac_mechs),
};
