// SPDX-License-Identifier: GPL-2.0
/*
 * Digest mechanisms: CKM_SHA_1, CKM_SHA224, CKM_SHA256, CKM_SHA384,
 * CKM_SHA512 and CKM_SHA3_224/256/384/512 on the engine's SHA
 * (kmod/crypto/sha2.c, sha3.c: the code the native tests check against
 * OpenSSL), one-shot and multi-part. The operation
 * context is the hash state itself: nothing else is allocated.
 */
#include <linux/kernel.h>
#include <linux/slab.h>

#include "ck.h"
#include "crypto/sha2.h"
#include "mech_family.h"

static enum kc_hash khsm_digest_alg(unsigned long type)
{
	switch (type) {
	case CKM_SHA_1:
		return KC_SHA1;
	case CKM_SHA224:
		return KC_SHA224;
	case CKM_SHA256:
		return KC_SHA256;
	case CKM_SHA384:
		return KC_SHA384;
	case CKM_SHA512:
		return KC_SHA512;
	case CKM_SHA3_224:
		return KC_SHA3_224;
	case CKM_SHA3_256:
		return KC_SHA3_256;
	case CKM_SHA3_384:
		return KC_SHA3_384;
	case CKM_SHA3_512:
		return KC_SHA3_512;
	}
	return 0;
}

static unsigned long khsm_digest_init(struct khsm_op *op,
				      const struct khsm_key *key,
				      const void *param, u32 param_len)
{
	enum kc_hash alg = khsm_digest_alg(op->mech->type);
	struct kc_hash_ctx *ctx;

	if (param_len)
		return CKR_MECHANISM_PARAM_INVALID;
	if (!alg)
		return CKR_MECHANISM_INVALID;
	ctx = kmalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return CKR_HOST_MEMORY;
	op->ctx = ctx;
	return kc_hash_init(ctx, alg) ? CKR_GENERAL_ERROR : CKR_OK;
}

static size_t khsm_digest_out_len(const struct khsm_op *op,
				  enum khsm_step step, size_t in_len)
{
	const struct kc_hash_ctx *ctx = op->ctx;

	if (step == KHSM_STEP_UPDATE)
		return 0;
	return kc_hash_len(ctx->alg);
}

static unsigned long khsm_digest_step(struct khsm_op *op, enum khsm_step step,
				      const u8 *in, size_t in_len, u8 *out,
				      size_t *out_len, const u8 *sig,
				      size_t sig_len)
{
	struct kc_hash_ctx *ctx = op->ctx;
	u32 len = kc_hash_len(ctx->alg);

	*out_len = 0;
	if (step == KHSM_STEP_FINAL && in_len)
		return CKR_ARGUMENTS_BAD;
	kc_hash_update(ctx, in, in_len);
	if (step == KHSM_STEP_UPDATE)
		return CKR_OK;
	kc_hash_final(ctx, out);	/* wipes the state */
	*out_len = len;
	return CKR_OK;
}

static void khsm_digest_cleanup(struct khsm_op *op)
{
	/* The state holds a digest of possibly secret data. */
	kfree_sensitive(op->ctx);
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
	KHSM_DIGEST_MECH(CKM_SHA3_224),
	KHSM_DIGEST_MECH(CKM_SHA3_256),
	KHSM_DIGEST_MECH(CKM_SHA3_384),
	KHSM_DIGEST_MECH(CKM_SHA3_512),
};

const struct khsm_mech_family khsm_mech_digest = {
	.name = "sha",
	.mechs = khsm_digest_mechs,
	.count = ARRAY_SIZE(khsm_digest_mechs),
};
