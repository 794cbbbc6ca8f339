// SPDX-License-Identifier: GPL-2.0
/*
 * Digest mechanisms: CKM_SHA_1, CKM_SHA224, CKM_SHA256, CKM_SHA384 and
 * CKM_SHA512 over the crypto API's shash, one-shot and multi-part.
 */
#include <crypto/hash.h>
#include <linux/kernel.h>
#include <linux/slab.h>

#include "ck.h"
#include "mech_family.h"

struct khsm_digest_ctx {
	struct crypto_shash *tfm;
	struct shash_desc desc;		/* followed by the descsize */
};

static const char *khsm_digest_alg(unsigned long type)
{
	switch (type) {
	case CKM_SHA_1:
		return "sha1";
	case CKM_SHA224:
		return "sha224";
	case CKM_SHA256:
		return "sha256";
	case CKM_SHA384:
		return "sha384";
	case CKM_SHA512:
		return "sha512";
	}
	return NULL;
}

static unsigned long khsm_digest_init(struct khsm_op *op, const struct khsm_key *key,
				const void *param, u32 param_len)
{
	const char *alg = khsm_digest_alg(op->mech->type);
	struct khsm_digest_ctx *ctx;
	struct crypto_shash *tfm;
	int err;

	if (param_len)
		return CKR_MECHANISM_PARAM_INVALID;
	if (!alg)
		return CKR_MECHANISM_INVALID;
	tfm = crypto_alloc_shash(alg, 0, 0);
	if (IS_ERR(tfm)) {
		pr_err("cannot allocate shash %s: %ld\n", alg, PTR_ERR(tfm));
		return khsm_mech_errno_rv(PTR_ERR(tfm));
	}
	ctx = kzalloc(sizeof(*ctx) + crypto_shash_descsize(tfm), GFP_KERNEL);
	if (!ctx) {
		crypto_free_shash(tfm);
		return CKR_HOST_MEMORY;
	}
	ctx->tfm = tfm;
	ctx->desc.tfm = tfm;
	err = crypto_shash_init(&ctx->desc);
	op->ctx = ctx;
	return err ? khsm_mech_errno_rv(err) : CKR_OK;
}

static size_t khsm_digest_out_len(const struct khsm_op *op,
				  enum khsm_step step, size_t in_len)
{
	const struct khsm_digest_ctx *ctx = op->ctx;

	if (step == KHSM_STEP_UPDATE)
		return 0;
	return crypto_shash_digestsize(ctx->tfm);
}

static unsigned long khsm_digest_step(struct khsm_op *op, enum khsm_step step,
				const u8 *in, size_t in_len, u8 *out,
				size_t *out_len, const u8 *sig, size_t sig_len)
{
	struct khsm_digest_ctx *ctx = op->ctx;
	int err;

	*out_len = 0;
	switch (step) {
	case KHSM_STEP_UPDATE:
		err = crypto_shash_update(&ctx->desc, in, in_len);
		break;
	case KHSM_STEP_FINAL:
		if (in_len)
			return CKR_ARGUMENTS_BAD;
		err = crypto_shash_final(&ctx->desc, out);
		break;
	case KHSM_STEP_ONESHOT:
		err = crypto_shash_finup(&ctx->desc, in, in_len, out);
		break;
	default:
		return CKR_ARGUMENTS_BAD;
	}
	if (err)
		return khsm_mech_errno_rv(err);
	if (step != KHSM_STEP_UPDATE)
		*out_len = crypto_shash_digestsize(ctx->tfm);
	return CKR_OK;
}

static void khsm_digest_cleanup(struct khsm_op *op)
{
	struct khsm_digest_ctx *ctx = op->ctx;

	if (!ctx)
		return;
	crypto_free_shash(ctx->tfm);
	/* The state holds a digest of possibly secret data. */
	kfree_sensitive(ctx);
	op->ctx = NULL;
}

#define KHSM_DIGEST_MECH(ckm) {			\
	.type = (ckm),				\
	.flags = CKF_DIGEST,			\
	.key_type = KHSM_KEY_NONE,		\
	.init = khsm_digest_init,		\
	.out_len = khsm_digest_out_len,		\
	.step = khsm_digest_step,		\
	.cleanup = khsm_digest_cleanup,		\
}

static const struct khsm_mech khsm_digest_mechs[] = {
	KHSM_DIGEST_MECH(CKM_SHA_1),
	KHSM_DIGEST_MECH(CKM_SHA224),
	KHSM_DIGEST_MECH(CKM_SHA256),
	KHSM_DIGEST_MECH(CKM_SHA384),
	KHSM_DIGEST_MECH(CKM_SHA512),
};

const struct khsm_mech_family khsm_mech_digest = {
	.name = "sha",
	.mechs = khsm_digest_mechs,
	.count = ARRAY_SIZE(khsm_digest_mechs),
};
