// SPDX-License-Identifier: GPL-2.0
/*
 * RSA mechanisms (PKCS#11 v3.0 2.1) on the constant-time engine of
 * kmod/crypto/ (RFC 8017 encodings, CRT with blinding, every private
 * result checked with e before it leaves the engine):
 *
 *   CKM_RSA_PKCS_KEY_PAIR_GEN  1024, 2048, 3072 or 4096 bits (at least
 *                              rsa_min_gen_bits), 2^16 < e < 2^256
 *   CKM_RSA_PKCS               sign/verify over T (e.g. a DER DigestInfo),
 *                              at most k - 11 bytes; encrypt/decrypt
 *                              (RSAES-PKCS1-v1_5, at most k - 11 bytes)
 *                              with implicit rejection (this,
 *                              CKM_RSA_PKCS_PSS and OAEP are single-part
 *                              only, as PKCS#11 says)
 *   CKM_SHA*_RSA_PKCS          PKCS#1 v1.5 signatures, hashed here
 *   CKM_RSA_PKCS_PSS           the input is the digest of hashAlg
 *   CKM_SHA*_RSA_PKCS_PSS      hashed here; hashAlg must be that hash
 *   CKM_RSA_PKCS_OAEP          encrypt/decrypt, label from pSourceData;
 *                              wrap/unwrap (wrap.c runs encrypt/decrypt)
 *   CKM_RSA_AES_KEY_WRAP       wrap/unwrap only: OAEP of a fresh AES key
 *                              of ulAESKeyBits, then RFC 5649 KWP of the
 *                              key with it (PKCS#11 v3.0 2.1.21)
 *
 * Raw RSA (CKM_RSA_X_509) is not offered. OAEP decryption checks the
 * padding in constant time and reports every failure as
 * CKR_ENCRYPTED_DATA_INVALID. CKM_RSA_PKCS decryption has no padding
 * error at all (kc_rsa_pkcs1_decrypt(), draft-irtf-cfrg-rsa-guidance
 * implicit rejection, as OpenSSL 3.2 does): a bad padding yields a
 * deterministic pseudo-random message derived from d and the ciphertext,
 * so no answer or timing tells a valid padding from a bad one (no
 * Bleichenbacher or Marvin oracle). Its only errors depend on public
 * data: the ciphertext's length (CKR_ENCRYPTED_DATA_LEN_RANGE) and
 * C >= n (CKR_ENCRYPTED_DATA_INVALID).
 *
 * Keys (the CKK_RSA key type, struct khsm_key_ops at the end of this
 * file): CKA_MODULUS and CKA_PUBLIC_EXPONENT always (a private operation
 * is checked with e; imported keys have e < 2^256 like generated ones),
 * CKA_PRIVATE_EXPONENT and, when present, the CRT numbers of private
 * keys. The engine needs KC_RSA_WORK_BYTES of scratch
 * memory per operation: allocated at the final step and freed wiped.
 * Single-part inputs (T, a digest, an OAEP message or ciphertext) are
 * collected in the context, at most the modulus length.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include <linux/random.h>

#include "aes_kw.h"
#include "ck.h"
#include "crypto/engine.h"
#include "crypto/pkcs8.h"
#include "key.h"
#include "mech_family.h"
#include "uapi/linux/khsm.h"

enum khsm_rsa_pad {
	KHSM_RSA_PKCS1,
	KHSM_RSA_PSS,
	KHSM_RSA_OAEP,
};

/* Largest public exponent of an imported key: e < 2^256, as generated. */
#define KHSM_RSA_MAX_E_BITS	256

struct khsm_rsa_ctx {
	struct kc_rsa_priv priv;
	struct kc_rsa_pub pub;
	size_t k;			/* modulus bytes */
	u32 bits, e_bits;		/* of n and e */
	u32 kind;
	enum khsm_rsa_pad pad;
	enum kc_hash hash;		/* PSS/OAEP hashAlg */
	enum kc_hash mgf;
	size_t salt_len;
	enum kc_hash msg_hash;		/* CKM_SHA*_RSA_*: 0 for the raw ones */
	struct kc_hash_ctx hc;
	u8 *label;
	size_t label_len;
	u8 buf[KHSM_MAX_RSA_LEN];	/* collected single-part input */
	size_t len;
};

/*
 * The hashes RSA mechanisms name, one row each: the digest mechanism
 * (hashAlg of PSS/OAEP parameters), the MGF1 generator, and the
 * CKM_SHA*_RSA_PKCS / _PSS mechanisms that hash the message with it.
 */
static const struct khsm_rsa_hash {
	unsigned long ckm, ckg, pkcs1, pss;
	enum kc_hash h;
} khsm_rsa_hashes[] = {
	{ CKM_SHA_1, CKG_MGF1_SHA1, CKM_SHA1_RSA_PKCS,
	  CKM_SHA1_RSA_PKCS_PSS, KC_SHA1 },
	{ CKM_SHA224, CKG_MGF1_SHA224, CKM_SHA224_RSA_PKCS,
	  CKM_SHA224_RSA_PKCS_PSS, KC_SHA224 },
	{ CKM_SHA256, CKG_MGF1_SHA256, CKM_SHA256_RSA_PKCS,
	  CKM_SHA256_RSA_PKCS_PSS, KC_SHA256 },
	{ CKM_SHA384, CKG_MGF1_SHA384, CKM_SHA384_RSA_PKCS,
	  CKM_SHA384_RSA_PKCS_PSS, KC_SHA384 },
	{ CKM_SHA512, CKG_MGF1_SHA512, CKM_SHA512_RSA_PKCS,
	  CKM_SHA512_RSA_PKCS_PSS, KC_SHA512 },
};

static enum khsm_rsa_pad khsm_rsa_pad_of(unsigned long type)
{
	unsigned int i;

	if (type == CKM_RSA_PKCS_OAEP)
		return KHSM_RSA_OAEP;
	if (type == CKM_RSA_PKCS_PSS)
		return KHSM_RSA_PSS;
	for (i = 0; i < ARRAY_SIZE(khsm_rsa_hashes); i++)
		if (type == khsm_rsa_hashes[i].pss)
			return KHSM_RSA_PSS;
	return KHSM_RSA_PKCS1;
}

/* The hash a CKM_SHA*_RSA_* mechanism computes, 0 for the others. */
static enum kc_hash khsm_rsa_msg_hash(unsigned long type)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(khsm_rsa_hashes); i++)
		if (type == khsm_rsa_hashes[i].pkcs1 ||
		    type == khsm_rsa_hashes[i].pss)
			return khsm_rsa_hashes[i].h;
	return 0;
}

/* hashAlg (a CKM_SHA* digest mechanism), 0 if not supported. */
static enum kc_hash khsm_rsa_hash_alg(u64 ckm)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(khsm_rsa_hashes); i++)
		if (ckm == khsm_rsa_hashes[i].ckm)
			return khsm_rsa_hashes[i].h;
	return 0;
}

/* mgf (CKG_MGF1_*), 0 if not supported. */
static enum kc_hash khsm_rsa_mgf(u64 ckg)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(khsm_rsa_hashes); i++)
		if (ckg == khsm_rsa_hashes[i].ckg)
			return khsm_rsa_hashes[i].h;
	return 0;
}

/* The parameter of @ctx->pad; the label is kept (ctx->label). */
static unsigned long khsm_rsa_param(struct khsm_rsa_ctx *ctx,
				    const void *param, u32 param_len)
{
	struct khsm_rsa_oaep_params op;
	struct khsm_rsa_pss_params pp;

	switch (ctx->pad) {
	case KHSM_RSA_PKCS1:
		return param_len ? CKR_MECHANISM_PARAM_INVALID : CKR_OK;
	case KHSM_RSA_PSS:
		if (!param || param_len != sizeof(pp))
			return CKR_MECHANISM_PARAM_INVALID;
		memcpy(&pp, param, sizeof(pp));
		ctx->hash = khsm_rsa_hash_alg(pp.hash);
		ctx->mgf = khsm_rsa_mgf(pp.mgf);
		if (!ctx->hash || !ctx->mgf || pp.reserved ||
		    pp.salt_len > KHSM_MAX_RSA_LEN)
			return CKR_MECHANISM_PARAM_INVALID;
		/* CKM_SHA*_RSA_PKCS_PSS: hashAlg is the mechanism's hash */
		if (ctx->msg_hash && ctx->msg_hash != ctx->hash)
			return CKR_MECHANISM_PARAM_INVALID;
		ctx->salt_len = pp.salt_len;
		return CKR_OK;
	case KHSM_RSA_OAEP:
		if (!param || param_len < sizeof(op))
			return CKR_MECHANISM_PARAM_INVALID;
		memcpy(&op, param, sizeof(op));
		ctx->hash = khsm_rsa_hash_alg(op.hash);
		ctx->mgf = khsm_rsa_mgf(op.mgf);
		if (!ctx->hash || !ctx->mgf || op.reserved ||
		    op.label_len != param_len - sizeof(op) ||
		    (op.source != CKZ_DATA_SPECIFIED && op.source) ||
		    (!op.source && op.label_len))
			return CKR_MECHANISM_PARAM_INVALID;
		if (!op.label_len)
			return CKR_OK;
		ctx->label = kvmalloc(op.label_len, GFP_KERNEL_ACCOUNT);
		if (!ctx->label)
			return CKR_HOST_MEMORY;
		memcpy(ctx->label, (const u8 *)param + sizeof(op),
		       op.label_len);
		ctx->label_len = op.label_len;
		return CKR_OK;
	}
	return CKR_MECHANISM_INVALID;
}

/*
 * Point ctx->priv/pub at what @private (or the public operations) need
 * of @key: the key material outlives the operation (the core holds it
 * until ->cleanup), so nothing is copied. The numbers go to the engine as
 * stored: it strips leading zero bytes where it parses a key (one place
 * for every operation and the import check), without a branch on the
 * secret numbers' bytes. Sets ctx->k (bytes of n) and ctx->bits.
 */
static unsigned long khsm_rsa_key(struct khsm_rsa_ctx *ctx,
				  const struct khsm_key *key, bool private)
{
	const struct khsm_key_part *parts[] = {
		&key->n, &key->e, &key->d, &key->p, &key->q, &key->dp,
		&key->dq, &key->qinv,
	};
	const u8 *src[ARRAY_SIZE(parts)];
	size_t len[ARRAY_SIZE(parts)];
	unsigned int i, count = private ? ARRAY_SIZE(parts) : 2;
	bool crt = true;

	for (i = 0; i < count; i++) {
		src[i] = parts[i]->val;
		len[i] = src[i] ? parts[i]->len : 0;
		if (i >= 3 && !len[i])
			crt = false;
	}
	/* n, e, and d for private keys */
	if (!len[0] || !len[1] || (private && !len[2]))
		return CKR_KEY_TYPE_INCONSISTENT;
	ctx->pub.n = src[0];
	ctx->pub.n_len = len[0];
	ctx->pub.e = src[1];
	ctx->pub.e_len = len[1];
	if (kc_rsa_pub_info(&ctx->pub, &ctx->k, &ctx->bits, &ctx->e_bits))
		return CKR_KEY_SIZE_RANGE;
	if (!private)
		return CKR_OK;
	if (ctx->bits > KC_RSA_MAX_PRIV_BITS)
		return CKR_KEY_SIZE_RANGE;
	ctx->priv.n = src[0];
	ctx->priv.n_len = len[0];
	ctx->priv.e = src[1];
	ctx->priv.e_len = len[1];
	ctx->priv.d = src[2];
	ctx->priv.d_len = len[2];
	if (!crt)
		return CKR_OK;
	ctx->priv.p = src[3];
	ctx->priv.p_len = len[3];
	ctx->priv.q = src[4];
	ctx->priv.q_len = len[4];
	ctx->priv.dp = src[5];
	ctx->priv.dp_len = len[5];
	ctx->priv.dq = src[6];
	ctx->priv.dq_len = len[6];
	ctx->priv.qinv = src[7];
	ctx->priv.qinv_len = len[7];
	return CKR_OK;
}

static unsigned long khsm_rsa_init(struct khsm_op *op,
				   const struct khsm_key *key,
				   const void *param, u32 param_len)
{
	struct khsm_rsa_ctx *ctx;
	unsigned long rv;
	u32 hl, em_len;
	bool private, enc;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return CKR_HOST_MEMORY;
	op->ctx = ctx;
	ctx->kind = op->kind;
	ctx->pad = khsm_rsa_pad_of(op->mech->type);
	ctx->msg_hash = khsm_rsa_msg_hash(op->mech->type);
	rv = khsm_rsa_param(ctx, param, param_len);
	if (rv != CKR_OK)
		return rv;
	if (!key)
		return CKR_KEY_HANDLE_INVALID;
	enc = op->kind == KHSM_OP_ENCRYPT || op->kind == KHSM_OP_DECRYPT;
	/* OAEP only encrypts, PSS and CKM_SHA*_RSA_PKCS only sign */
	if (ctx->pad == KHSM_RSA_OAEP ? !enc :
	    enc && (ctx->pad != KHSM_RSA_PKCS1 || ctx->msg_hash))
		return CKR_MECHANISM_INVALID;
	private = op->kind == KHSM_OP_SIGN || op->kind == KHSM_OP_DECRYPT;
	rv = khsm_rsa_key(ctx, key, private);
	if (rv != CKR_OK)
		return rv;
	hl = kc_hash_len(ctx->hash);
	if (ctx->pad == KHSM_RSA_PSS) {
		/* emLen >= hLen + sLen + 2 (RFC 8017 9.1.1) */
		em_len = (ctx->bits - 1 + 7) / 8;
		if (em_len < hl + ctx->salt_len + 2)
			return CKR_MECHANISM_PARAM_INVALID;
	} else if (ctx->pad == KHSM_RSA_OAEP) {
		if (ctx->k < 2 * hl + 2)
			return CKR_KEY_SIZE_RANGE;
	}
	if (ctx->msg_hash && kc_hash_init(&ctx->hc, ctx->msg_hash))
		return CKR_GENERAL_ERROR;
	return CKR_OK;
}

static size_t khsm_rsa_out_len(const struct khsm_op *op,
			       enum khsm_step step, size_t in_len)
{
	const struct khsm_rsa_ctx *ctx = op->ctx;

	if (step == KHSM_STEP_UPDATE || ctx->kind == KHSM_OP_VERIFY)
		return 0;
	if (ctx->kind == KHSM_OP_DECRYPT && ctx->pad == KHSM_RSA_PKCS1)
		return ctx->k - 11;	/* a bound: the message's length varies */
	if (ctx->kind == KHSM_OP_DECRYPT)
		return ctx->k - 2 * kc_hash_len(ctx->hash) - 2;
	return ctx->k;
}

/* More input: hashed, or collected up to the modulus length. */
static unsigned long khsm_rsa_feed(struct khsm_rsa_ctx *ctx, const u8 *in,
				   size_t in_len)
{
	if (ctx->msg_hash) {
		kc_hash_update(&ctx->hc, in, in_len);
		return CKR_OK;
	}
	if (in_len > ctx->k - ctx->len)
		return ctx->kind == KHSM_OP_DECRYPT ?
		       CKR_ENCRYPTED_DATA_LEN_RANGE : CKR_DATA_LEN_RANGE;
	memcpy(ctx->buf + ctx->len, in, in_len);
	ctx->len += in_len;
	return CKR_OK;
}

/*
 * The signature input: T = DigestInfo || H(M) (PKCS#1 v1.5) or the
 * digest (PSS) in ctx->buf, from the hash or as collected.
 */
static unsigned long khsm_rsa_sig_input(struct khsm_rsa_ctx *ctx)
{
	size_t pre = 0;

	if (ctx->msg_hash) {
		if (ctx->pad == KHSM_RSA_PKCS1) {
			pre = kc_rsa_digest_info(ctx->msg_hash, ctx->buf,
						 sizeof(ctx->buf));
			if (!pre)
				return CKR_GENERAL_ERROR;
		}
		kc_hash_final(&ctx->hc, ctx->buf + pre);
		ctx->len = pre + kc_hash_len(ctx->msg_hash);
		return CKR_OK;
	}
	if (ctx->pad == KHSM_RSA_PSS && ctx->len != kc_hash_len(ctx->hash))
		return CKR_DATA_LEN_RANGE;
	if (ctx->pad == KHSM_RSA_PKCS1 && ctx->len > ctx->k - 11)
		return CKR_DATA_LEN_RANGE;
	return CKR_OK;
}

static unsigned long khsm_rsa_run(struct khsm_rsa_ctx *ctx, u8 *out,
				  size_t *out_len, const u8 *sig,
				  size_t sig_len, void *work)
{
	size_t m_len;
	unsigned long rv;
	int err;

	if (ctx->pad == KHSM_RSA_OAEP && ctx->kind == KHSM_OP_ENCRYPT) {
		err = kc_rsa_oaep_encrypt(&ctx->pub, ctx->hash, ctx->mgf,
					  ctx->label, ctx->label_len, NULL,
					  ctx->buf, ctx->len, out, work);
		if (err == KC_EINPUT)
			return CKR_DATA_LEN_RANGE;
		if (err)
			return CKR_DEVICE_ERROR;
		*out_len = ctx->k;
		return CKR_OK;
	}
	if (ctx->pad == KHSM_RSA_PKCS1 && ctx->kind == KHSM_OP_ENCRYPT) {
		err = kc_rsa_pkcs1_encrypt(&ctx->pub, NULL, ctx->buf, ctx->len,
					   out, work);
		if (err == KC_EINPUT)
			return CKR_DATA_LEN_RANGE;
		if (err)
			return CKR_DEVICE_ERROR;
		*out_len = ctx->k;
		return CKR_OK;
	}
	if (ctx->pad == KHSM_RSA_PKCS1 && ctx->kind == KHSM_OP_DECRYPT) {
		if (ctx->len != ctx->k)
			return CKR_ENCRYPTED_DATA_LEN_RANGE;
		m_len = ctx->k - 11;
		err = kc_rsa_pkcs1_decrypt(&ctx->priv, ctx->buf, ctx->len, out,
					   &m_len, work);
		if (err == KC_EINPUT)	/* C >= n: public */
			return CKR_ENCRYPTED_DATA_INVALID;
		if (err)
			return CKR_DEVICE_ERROR;
		*out_len = m_len;
		return CKR_OK;
	}
	if (ctx->pad == KHSM_RSA_OAEP) {
		if (ctx->len != ctx->k)
			return CKR_ENCRYPTED_DATA_LEN_RANGE;
		m_len = ctx->k - 2 * kc_hash_len(ctx->hash) - 2;
		err = kc_rsa_oaep_decrypt(&ctx->priv, ctx->hash, ctx->mgf,
					  ctx->label, ctx->label_len,
					  ctx->buf, ctx->len, out, &m_len,
					  work);
		if (err == KC_EINPUT)
			return CKR_ENCRYPTED_DATA_INVALID;
		if (err)
			return CKR_DEVICE_ERROR;
		*out_len = m_len;
		return CKR_OK;
	}
	rv = khsm_rsa_sig_input(ctx);
	if (rv != CKR_OK)
		return rv;
	if (ctx->kind == KHSM_OP_VERIFY) {
		if (!sig || sig_len != ctx->k)
			return CKR_SIGNATURE_LEN_RANGE;
		if (ctx->pad == KHSM_RSA_PKCS1)
			err = kc_rsa_pkcs1_verify_t(&ctx->pub, ctx->buf,
						    ctx->len, sig, sig_len,
						    work);
		else
			err = kc_rsa_pss_verify(&ctx->pub, ctx->hash, ctx->mgf,
						ctx->salt_len, ctx->buf,
						ctx->len, sig, sig_len, work);
		if (err == KC_EFAULT)
			return CKR_DEVICE_ERROR;
		return err ? CKR_SIGNATURE_INVALID : CKR_OK;
	}
	if (ctx->pad == KHSM_RSA_PKCS1)
		err = kc_rsa_pkcs1_sign_t(&ctx->priv, ctx->buf, ctx->len, out,
					  work);
	else
		err = kc_rsa_pss_sign(&ctx->priv, ctx->hash, ctx->mgf, NULL,
				      ctx->salt_len, ctx->buf, ctx->len, out,
				      work);
	if (err == KC_EINPUT)
		return CKR_DATA_LEN_RANGE;
	if (err)
		return CKR_DEVICE_ERROR;
	*out_len = ctx->k;
	return CKR_OK;
}

static unsigned long khsm_rsa_step(struct khsm_op *op, enum khsm_step step,
				   const u8 *in, size_t in_len, u8 *out,
				   size_t *out_len, const u8 *sig,
				   size_t sig_len)
{
	struct khsm_rsa_ctx *ctx = op->ctx;
	unsigned long rv;
	void *work;

	*out_len = 0;
	if (step == KHSM_STEP_FINAL && in_len)
		return CKR_ARGUMENTS_BAD;
	if (in_len) {
		rv = khsm_rsa_feed(ctx, in, in_len);
		if (rv != CKR_OK)
			return rv;
	}
	if (step == KHSM_STEP_UPDATE)
		return CKR_OK;
	work = kvmalloc(KC_RSA_WORK_BYTES, GFP_KERNEL_ACCOUNT);
	if (!work)
		return CKR_HOST_MEMORY;
	rv = khsm_rsa_run(ctx, out, out_len, sig, sig_len, work);
	kvfree_sensitive(work, KC_RSA_WORK_BYTES);
	memzero_explicit(ctx->buf, sizeof(ctx->buf));
	ctx->len = 0;
	return rv;
}

static void khsm_rsa_cleanup(struct khsm_op *op)
{
	struct khsm_rsa_ctx *ctx = op->ctx;

	if (!ctx)
		return;
	kvfree_sensitive(ctx->label, ctx->label_len);
	kfree_sensitive(ctx);
	op->ctx = NULL;
}

/*
 * C_CreateObject: a public key's numbers, or the whole private key. The
 * public exponent is bounded as generation bounds it above (e < 2^256;
 * kc_rsa_check_pub wants it odd and at least 3), so no key makes every
 * public operation cost a 4096-bit exponentiation.
 */
static unsigned long khsm_rsa_check_key(const struct khsm_key *key)
{
	struct khsm_op op = { .kind = KHSM_OP_VERIFY };
	bool private = key->class == CKO_PRIVATE_KEY;
	struct khsm_rsa_ctx *ctx;
	unsigned long rv;
	void *work;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return CKR_HOST_MEMORY;
	op.ctx = ctx;
	rv = khsm_rsa_key(ctx, key, private);
	if (rv == CKR_OK && ctx->e_bits > KHSM_RSA_MAX_E_BITS)
		rv = CKR_ATTRIBUTE_VALUE_INVALID;
	if (rv != CKR_OK || !private)
		goto out;
	work = kvmalloc(KC_RSA_WORK_BYTES, GFP_KERNEL_ACCOUNT);
	if (!work) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	if (kc_rsa_check_priv(&ctx->priv, work))
		rv = CKR_ATTRIBUTE_VALUE_INVALID;
	kvfree_sensitive(work, KC_RSA_WORK_BYTES);
out:
	khsm_rsa_cleanup(&op);
	return rv;
}

/* @out's buffers: bits / 8 bytes (n, d) and bits / 16 (the CRT parts). */
static unsigned long khsm_rsa_gen(u32 bits, const u8 *e, u32 e_len,
				  struct kc_rsa_keygen_out *out)
{
	void *work;
	int err;

	if (bits != 1024 && bits != 2048 && bits != 3072 && bits != 4096)
		return CKR_KEY_SIZE_RANGE;
	work = kvmalloc(KC_RSA_WORK_BYTES, GFP_KERNEL_ACCOUNT);
	if (!work)
		return CKR_HOST_MEMORY;
	err = kc_rsa_keygen(bits, e, e_len, out, work);
	kvfree_sensitive(work, KC_RSA_WORK_BYTES);
	switch (err) {
	case KC_OK:
		return CKR_OK;
	case KC_EINPUT:		/* the size is fine: e is out of range */
		return CKR_ATTRIBUTE_VALUE_INVALID;
	case KC_EINTR:
		return CKR_FUNCTION_CANCELED;
	}
	return CKR_DEVICE_ERROR;
}

/* The uAPI form of a PSS or OAEP parameter: its reserved word is zero. */
static bool khsm_rsa_pss_param_check(const void *param, u32 param_len)
{
	struct khsm_rsa_pss_params pp;

	if (param_len < sizeof(pp))
		return true;		/* ->init refuses it */
	memcpy(&pp, param, sizeof(pp));
	return !pp.reserved;
}

static bool khsm_rsa_oaep_param_check(const void *param, u32 param_len)
{
	struct khsm_rsa_oaep_params op;

	if (param_len < sizeof(op))
		return true;
	memcpy(&op, param, sizeof(op));
	return !op.reserved;
}

/*
 * CKM_RSA_AES_KEY_WRAP: the wrapped key is OAEP(t) || KWP(t, key), t a
 * fresh AES key of aes_len bytes, the OAEP part k bytes. Only wrap.c
 * runs it (ENCRYPT = wrap with the public key, DECRYPT = unwrap with the
 * private key); its flags have no CKF_ENCRYPT/CKF_DECRYPT.
 */
struct khsm_rsa_aes_ctx {
	struct khsm_op oaep;		/* the inner CKM_RSA_PKCS_OAEP one */
	u32 aes_len;
};

static unsigned long khsm_rsa_aes_init(struct khsm_op *op,
				       const struct khsm_key *key,
				       const void *param, u32 param_len)
{
	struct khsm_rsa_aes_key_wrap_params p;
	struct khsm_rsa_aes_ctx *ctx;

	if (op->kind != KHSM_OP_ENCRYPT && op->kind != KHSM_OP_DECRYPT)
		return CKR_MECHANISM_INVALID;
	if (!param || param_len < sizeof(p))
		return CKR_MECHANISM_PARAM_INVALID;
	memcpy(&p, param, sizeof(p));
	if (p.reserved || (p.aes_key_bits != 128 && p.aes_key_bits != 192 &&
			   p.aes_key_bits != 256))
		return CKR_MECHANISM_PARAM_INVALID;
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return CKR_HOST_MEMORY;
	op->ctx = ctx;
	ctx->aes_len = p.aes_key_bits / 8;
	ctx->oaep.mech = khsm_mech_find(CKM_RSA_PKCS_OAEP);
	ctx->oaep.kind = op->kind;
	if (WARN_ON_ONCE(!ctx->oaep.mech))
		return CKR_GENERAL_ERROR;
	return khsm_rsa_init(&ctx->oaep, key, (const u8 *)param + sizeof(p),
			     param_len - sizeof(p));
}

static size_t khsm_rsa_aes_out_len(const struct khsm_op *op,
				   enum khsm_step step, size_t in_len)
{
	const struct khsm_rsa_aes_ctx *ctx = op->ctx;
	const struct khsm_rsa_ctx *r = ctx->oaep.ctx;

	if (step != KHSM_STEP_ONESHOT)
		return 0;
	if (op->kind == KHSM_OP_ENCRYPT)
		return r->k + khsm_aes_kwp_wrapped_len(in_len);
	/* a bound: KWP's padding comes off */
	return in_len > r->k + KHSM_AES_KW_SEMIBLOCK ?
	       in_len - r->k - KHSM_AES_KW_SEMIBLOCK : 0;
}

static unsigned long khsm_rsa_aes_step(struct khsm_op *op,
				       enum khsm_step step, const u8 *in,
				       size_t in_len, u8 *out, size_t *out_len,
				       const u8 *sig, size_t sig_len)
{
	struct khsm_rsa_aes_ctx *ctx = op->ctx;
	const struct khsm_rsa_ctx *r = ctx->oaep.ctx;
	struct khsm_key t = { .class = CKO_SECRET_KEY, .key_type = CKK_AES };
	size_t k = r->k, n = 0, m = 0;
	unsigned long rv;
	u8 *tmp;

	*out_len = 0;
	if (step != KHSM_STEP_ONESHOT)	/* single_part: never */
		return CKR_OPERATION_NOT_INITIALIZED;
	if (op->kind == KHSM_OP_DECRYPT &&
	    in_len < k + 2 * KHSM_AES_KW_SEMIBLOCK)
		return CKR_ENCRYPTED_DATA_LEN_RANGE;
	tmp = kzalloc(k, GFP_KERNEL_ACCOUNT);
	if (!tmp)
		return CKR_HOST_MEMORY;
	t.value = tmp;
	t.value_len = ctx->aes_len;
	if (op->kind == KHSM_OP_ENCRYPT) {
		get_random_bytes(tmp, ctx->aes_len);
		rv = khsm_rsa_step(&ctx->oaep, KHSM_STEP_ONESHOT, tmp,
				   ctx->aes_len, out, &n, NULL, 0);
		if (rv == CKR_OK && WARN_ON_ONCE(n != k))
			rv = CKR_GENERAL_ERROR;
		if (rv == CKR_OK)
			rv = khsm_aes_kwp_wrap(&t, NULL, in, in_len, out + k, &m);
		if (rv == CKR_OK)
			*out_len = k + m;
		else
			memzero_explicit(out, k);
	} else {
		rv = khsm_rsa_step(&ctx->oaep, KHSM_STEP_ONESHOT, in, k, tmp,
				   &n, NULL, 0);
		if (rv == CKR_OK && n != ctx->aes_len)
			rv = CKR_ENCRYPTED_DATA_INVALID;
		if (rv == CKR_OK)
			rv = khsm_aes_kwp_unwrap(&t, NULL, in + k, in_len - k,
						 out, out_len);
	}
	kfree_sensitive(tmp);
	if (rv != CKR_OK)
		*out_len = 0;
	return rv;
}

static void khsm_rsa_aes_cleanup(struct khsm_op *op)
{
	struct khsm_rsa_aes_ctx *ctx = op->ctx;

	if (!ctx)
		return;
	khsm_rsa_cleanup(&ctx->oaep);
	kfree_sensitive(ctx);
	op->ctx = NULL;
}

/* Both reserved words of CK_RSA_AES_KEY_WRAP_PARAMS's flat form. */
static bool khsm_rsa_aes_param_check(const void *param, u32 param_len)
{
	struct khsm_rsa_aes_key_wrap_params p;

	if (param_len < sizeof(p))
		return true;		/* ->init refuses it */
	memcpy(&p, param, sizeof(p));
	return !p.reserved &&
	       khsm_rsa_oaep_param_check((const u8 *)param + sizeof(p),
					 param_len - sizeof(p));
}

/*
 * Key sizes in bits: 1024..4096 for every mechanism (private keys and
 * generation; public keys may have up to KC_RSA_MAX_BITS = 8192 for
 * verification and encryption, which CK_MECHANISM_INFO cannot say).
 */
#define KHSM_RSA_MECH_S(ckm, f, pc, sp) {			\
	.type = (ckm),						\
	.flags = (f),						\
	.single_part = (sp),					\
	.min_key_size = KC_RSA_MIN_BITS,			\
	.max_key_size = KC_RSA_MAX_PRIV_BITS,			\
	.key_type = CKK_RSA,					\
	.param_check = (pc),					\
	.init = khsm_rsa_init,					\
	.out_len = khsm_rsa_out_len,				\
	.step = khsm_rsa_step,					\
	.cleanup = khsm_rsa_cleanup,				\
}
#define KHSM_RSA_MECH(ckm, f)	KHSM_RSA_MECH_S(ckm, f, NULL, false)
#define KHSM_RSA_PSS(ckm)						\
	KHSM_RSA_MECH_S(ckm, KHSM_RSA_SIG, khsm_rsa_pss_param_check, false)

#define KHSM_RSA_SIG	(CKF_SIGN | CKF_VERIFY)

/*
 * Not const: the first entry's min_key_size is the module parameter
 * rsa_min_gen_bits, set while the module loads (0444: read-only after
 * that, as the table is).
 */
static struct khsm_mech khsm_rsa_mechs[] __ro_after_init = {
	{
		.type = CKM_RSA_PKCS_KEY_PAIR_GEN,
		.flags = CKF_GENERATE_KEY_PAIR,
		.min_key_size = KHSM_RSA_GEN_MIN_BITS,
		.max_key_size = KHSM_RSA_GEN_MAX_BITS,
		.key_type = CKK_RSA,		/* of the generated keys */
	},
	/* single-part only: the raw ones and OAEP (PKCS#11 v3.0 2.1) */
	KHSM_RSA_MECH_S(CKM_RSA_PKCS,
			KHSM_RSA_SIG | CKF_ENCRYPT | CKF_DECRYPT, NULL, true),
	KHSM_RSA_MECH(CKM_SHA1_RSA_PKCS, KHSM_RSA_SIG),
	KHSM_RSA_MECH(CKM_SHA224_RSA_PKCS, KHSM_RSA_SIG),
	KHSM_RSA_MECH(CKM_SHA256_RSA_PKCS, KHSM_RSA_SIG),
	KHSM_RSA_MECH(CKM_SHA384_RSA_PKCS, KHSM_RSA_SIG),
	KHSM_RSA_MECH(CKM_SHA512_RSA_PKCS, KHSM_RSA_SIG),
	KHSM_RSA_MECH_S(CKM_RSA_PKCS_PSS, KHSM_RSA_SIG,
			khsm_rsa_pss_param_check, true),
	KHSM_RSA_PSS(CKM_SHA1_RSA_PKCS_PSS),
	KHSM_RSA_PSS(CKM_SHA224_RSA_PKCS_PSS),
	KHSM_RSA_PSS(CKM_SHA256_RSA_PKCS_PSS),
	KHSM_RSA_PSS(CKM_SHA384_RSA_PKCS_PSS),
	KHSM_RSA_PSS(CKM_SHA512_RSA_PKCS_PSS),
	KHSM_RSA_MECH_S(CKM_RSA_PKCS_OAEP, CKF_ENCRYPT | CKF_DECRYPT |
			CKF_WRAP | CKF_UNWRAP, khsm_rsa_oaep_param_check, true),
	{
		.type = CKM_RSA_AES_KEY_WRAP,
		.flags = CKF_WRAP | CKF_UNWRAP,
		.single_part = true,
		.min_key_size = KC_RSA_MIN_BITS,
		.max_key_size = KC_RSA_MAX_PRIV_BITS,
		.key_type = CKK_RSA,
		.param_check = khsm_rsa_aes_param_check,
		.init = khsm_rsa_aes_init,
		.out_len = khsm_rsa_aes_out_len,
		.step = khsm_rsa_aes_step,
		.cleanup = khsm_rsa_aes_cleanup,
	},
};

static int khsm_rsa_min_gen_set(const char *val, const struct kernel_param *kp)
{
	unsigned int bits;
	int err;

	err = kstrtouint(val, 0, &bits);
	if (err)
		return err;
	if (bits < KHSM_RSA_GEN_MIN_BITS || bits > KHSM_RSA_GEN_MAX_BITS)
		return -EINVAL;
	khsm_rsa_mechs[0].min_key_size = bits;
	return 0;
}

static int khsm_rsa_min_gen_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%lu\n", khsm_rsa_mechs[0].min_key_size);
}

static const struct kernel_param_ops khsm_rsa_min_gen_ops = {
	.set = khsm_rsa_min_gen_set,
	.get = khsm_rsa_min_gen_get,
};

module_param_cb(rsa_min_gen_bits, &khsm_rsa_min_gen_ops, NULL, 0444);
MODULE_PARM_DESC(rsa_min_gen_bits,
		 "smallest RSA key CKM_RSA_PKCS_KEY_PAIR_GEN makes, 1024..4096 (default 1024)");

const struct khsm_mech_family khsm_mech_rsa = {
	.name = "rsa",
	.mechs = khsm_rsa_mechs,
	.count = ARRAY_SIZE(khsm_rsa_mechs),
};

/* --- the key type -------------------------------------------------------- */

#define F_RSA_RO	KHSM_AF_FIXED
#define F_RSA_SECRET	(KHSM_AF_FIXED | KHSM_AF_SENSITIVE | KHSM_AF_NO_GEN)
#define C_RSA_PAIR	(KHSM_AC_PRIV | KHSM_AC_PUB)
#define KHSM_RSA_NUM(t, c, f) {					\
	.type = (t), .kind = KHSM_AK_BYTES, .classes = (c),		\
	.flags = (f), .min_len = 1, .max_len = KHSM_MAX_RSA_LEN + 1 }

/*
 * PKCS#11 v3.0 2.1.2, 2.1.3. The public template of a generation gives
 * CKA_MODULUS_BITS and may give CKA_PUBLIC_EXPONENT; numbers may carry
 * leading zero bytes.
 */
static const struct khsm_attr_desc khsm_rsa_attrs[] = {
	KHSM_RSA_NUM(CKA_MODULUS, C_RSA_PAIR, F_RSA_RO | KHSM_AF_NO_GEN),
	{ .type = CKA_MODULUS_BITS, .kind = KHSM_AK_ULONG,
	  .classes = KHSM_AC_PUB, .flags = F_RSA_RO, .min_len = 8,
	  .max_len = 8 },
	KHSM_RSA_NUM(CKA_PUBLIC_EXPONENT, KHSM_AC_PUB, F_RSA_RO),
	KHSM_RSA_NUM(CKA_PUBLIC_EXPONENT, KHSM_AC_PRIV,
		     F_RSA_RO | KHSM_AF_NO_GEN),
	KHSM_RSA_NUM(CKA_PRIVATE_EXPONENT, KHSM_AC_PRIV, F_RSA_SECRET),
	KHSM_RSA_NUM(CKA_PRIME_1, KHSM_AC_PRIV, F_RSA_SECRET),
	KHSM_RSA_NUM(CKA_PRIME_2, KHSM_AC_PRIV, F_RSA_SECRET),
	KHSM_RSA_NUM(CKA_EXPONENT_1, KHSM_AC_PRIV, F_RSA_SECRET),
	KHSM_RSA_NUM(CKA_EXPONENT_2, KHSM_AC_PRIV, F_RSA_SECRET),
	KHSM_RSA_NUM(CKA_COEFFICIENT, KHSM_AC_PRIV, F_RSA_SECRET),
};

static_assert(ARRAY_SIZE(khsm_rsa_attrs) <= KHSM_KEY_MAX_ATTRS);

static const u32 khsm_rsa_material[] = {
	CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT, CKA_PRIME_1,
	CKA_PRIME_2, CKA_EXPONENT_1, CKA_EXPONENT_2, CKA_COEFFICIENT,
};

/* Bits of a big-endian number given with optional leading zero bytes. */
static u32 khsm_be_bits(const u8 *v, u32 len)
{
	u32 i = 0, b = 0, top;

	while (i < len && !v[i])
		i++;
	if (i == len)
		return 0;
	for (top = v[i]; top; top >>= 1)
		b++;
	return 8 * (len - i - 1) + b;
}

/*
 * C_CreateObject: CKA_MODULUS and CKA_PUBLIC_EXPONENT always (the engine
 * checks every private operation with e), private keys
 * CKA_PRIVATE_EXPONENT too and the five CRT numbers all or none. Public
 * keys get CKA_MODULUS_BITS computed; a template may give it only with
 * the modulus's bit length.
 */
static unsigned long khsm_rsa_key_create(struct khsm_attrs *s,
					 const struct khsm_tmpl *t,
					 unsigned long class)
{
	static const u32 crt[] = { CKA_PRIME_1, CKA_PRIME_2, CKA_EXPONENT_1,
				   CKA_EXPONENT_2, CKA_COEFFICIENT };
	const struct khsm_tattr *n = khsm_tmpl_find(t, CKA_MODULUS);
	unsigned int i, have = 0;
	bool found;
	u64 bits;
	unsigned long rv;

	if (!n || !khsm_tmpl_find(t, CKA_PUBLIC_EXPONENT))
		return CKR_TEMPLATE_INCOMPLETE;
	if (class == CKO_PRIVATE_KEY) {
		if (!khsm_tmpl_find(t, CKA_PRIVATE_EXPONENT))
			return CKR_TEMPLATE_INCOMPLETE;
		for (i = 0; i < ARRAY_SIZE(crt); i++)
			have += !!khsm_tmpl_find(t, crt[i]);
		if (have && have != ARRAY_SIZE(crt))
			return CKR_TEMPLATE_INCOMPLETE;
		return CKR_OK;
	}
	rv = khsm_tmpl_ulong(t, CKA_MODULUS_BITS, &bits, &found);
	if (rv)
		return rv;
	if (found && bits != khsm_be_bits(n->val, n->len))
		return CKR_TEMPLATE_INCONSISTENT;
	if (khsm_attrs_put_ulong(s, CKA_MODULUS_BITS,
				 khsm_be_bits(n->val, n->len)))
		return CKR_HOST_MEMORY;
	return CKR_OK;
}

static unsigned long khsm_rsa_key_gen_check(const struct khsm_tmpl *pub_t,
					    const struct khsm_tmpl *priv_t)
{
	if (!khsm_tmpl_find(pub_t, CKA_MODULUS_BITS))
		return CKR_TEMPLATE_INCOMPLETE;
	return CKR_OK;
}

/*
 * CKA_MODULUS_BITS (1024, 2048, 3072 or 4096, at least the generation
 * mechanism's min_key_size) and CKA_PUBLIC_EXPONENT (65537
 * unless the template gave one in the generator's range) of @pub; the
 * numbers go into both lists. Seconds of work.
 */
static unsigned long khsm_rsa_key_generate_pair(const struct khsm_mech *m,
						struct khsm_attrs *pub,
						struct khsm_attrs *priv)
{
	static const u8 f4[] = { 0x01, 0x00, 0x01 };
	struct kc_rsa_keygen_out out;
	const struct khsm_oattr *e;
	u32 nb, hb, size;
	unsigned long rv;
	u64 bits;
	u8 *buf;
	int err = 0;

	bits = khsm_attrs_ulong(pub, CKA_MODULUS_BITS, 0);
	if (bits < m->min_key_size || bits > m->max_key_size || bits % 16)
		return CKR_KEY_SIZE_RANGE;
	if (!khsm_attrs_get(pub, CKA_PUBLIC_EXPONENT) &&
	    khsm_attrs_put(pub, CKA_PUBLIC_EXPONENT, f4, sizeof(f4)))
		return CKR_HOST_MEMORY;
	e = khsm_attrs_get(pub, CKA_PUBLIC_EXPONENT);
	nb = bits / 8;
	hb = bits / 16;
	size = 2 * nb + 5 * hb;
	buf = kzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!buf)
		return CKR_HOST_MEMORY;
	out.n = buf;
	out.d = out.n + nb;
	out.p = out.d + nb;
	out.q = out.p + hb;
	out.dp = out.q + hb;
	out.dq = out.dp + hb;
	out.qinv = out.dq + hb;
	rv = khsm_rsa_gen(bits, e->val, e->len, &out);
	if (rv)
		goto out;
	err |= khsm_attrs_put(pub, CKA_MODULUS, out.n, nb);
	err |= khsm_attrs_put(priv, CKA_MODULUS, out.n, nb);
	err |= khsm_attrs_put(priv, CKA_PUBLIC_EXPONENT, e->val, e->len);
	err |= khsm_attrs_put(priv, CKA_PRIVATE_EXPONENT, out.d, nb);
	err |= khsm_attrs_put(priv, CKA_PRIME_1, out.p, hb);
	err |= khsm_attrs_put(priv, CKA_PRIME_2, out.q, hb);
	err |= khsm_attrs_put(priv, CKA_EXPONENT_1, out.dp, hb);
	err |= khsm_attrs_put(priv, CKA_EXPONENT_2, out.dq, hb);
	err |= khsm_attrs_put(priv, CKA_COEFFICIENT, out.qinv, hb);
	if (err)
		rv = CKR_HOST_MEMORY;
out:
	kfree_sensitive(buf);
	return rv;
}

/*
 * C_WrapKey: PKCS#1 RSAPrivateKey (two primes) in PrivateKeyInfo. A key
 * imported without the CRT numbers cannot be written
 * (CKR_KEY_NOT_WRAPPABLE): finding p and q from d is left undone.
 */
static int khsm_rsa_p8_enc(const void *k, u8 *out, size_t cap, size_t *len)
{
	return kc_p8_encode_rsa(k, out, cap, len);
}

static unsigned long khsm_rsa_pkcs8_encode(const struct khsm_key *key,
					   u8 **der, u32 *der_len)
{
	struct kc_p8_rsa k = {
		.n = { key->n.val, key->n.len },
		.e = { key->e.val, key->e.len },
		.d = { key->d.val, key->d.len },
		.p = { key->p.val, key->p.len },
		.q = { key->q.val, key->q.len },
		.dp = { key->dp.val, key->dp.len },
		.dq = { key->dq.val, key->dq.len },
		.qinv = { key->qinv.val, key->qinv.len },
	};

	if (key->class != CKO_PRIVATE_KEY)
		return CKR_KEY_NOT_WRAPPABLE;
	return khsm_pkcs8_encode(khsm_rsa_p8_enc, &k, der, der_len);
}

/*
 * C_UnwrapKey: the eight numbers (without leading zeros) as the
 * attributes of a C_CreateObject template; ->check then runs the private
 * key checks. A modulus over the private key limit (4096 bits) is
 * refused here.
 */
static unsigned long khsm_rsa_pkcs8_decode(const u8 *der, u32 der_len,
					   struct khsm_attrs *s)
{
	static const u32 type[] = {
		CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT,
		CKA_PRIME_1, CKA_PRIME_2, CKA_EXPONENT_1, CKA_EXPONENT_2,
		CKA_COEFFICIENT,
	};
	struct kc_p8_rsa k;
	const struct kc_p8_num *num[] = {
		&k.n, &k.e, &k.d, &k.p, &k.q, &k.dp, &k.dq, &k.qinv
	};
	unsigned int i;

	static_assert(ARRAY_SIZE(type) == ARRAY_SIZE(num));
	if (!der || kc_p8_decode_rsa(der, der_len, &k) ||
	    k.n.len > KHSM_MAX_RSA_PRIV_LEN)
		return CKR_WRAPPED_KEY_INVALID;
	for (i = 0; i < ARRAY_SIZE(type); i++)
		if (khsm_attrs_put(s, type[i], num[i]->p, num[i]->len))
			return CKR_HOST_MEMORY;
	return CKR_OK;
}

/* NIST SP 800-57 part 1 table 2: modulus bits to security strength. */
static u32 khsm_rsa_strength(const struct khsm_key *key)
{
	u32 bits = key->n.val ? khsm_be_bits(key->n.val, key->n.len) : 0;

	if (bits >= 15360)
		return 256;
	if (bits >= 7680)
		return 192;
	if (bits >= 3072)
		return 128;
	if (bits >= 2048)
		return 112;
	if (bits >= 1024)
		return 80;
	return 0;
}

const struct khsm_key_ops khsm_key_rsa = {
	.strength = khsm_rsa_strength,
	.type = CKK_RSA,
	.name = "rsa",
	.usage = KHSM_KU_ENCRYPT | KHSM_KU_SIGN,
	.classes = KHSM_AC_PRIV | KHSM_AC_PUB,
	.attrs = khsm_rsa_attrs,
	.n_attrs = ARRAY_SIZE(khsm_rsa_attrs),
	.material = khsm_rsa_material,
	.n_material = ARRAY_SIZE(khsm_rsa_material),
	.create = khsm_rsa_key_create,
	.check = khsm_rsa_check_key,
	.gen_check = khsm_rsa_key_gen_check,
	.generate_pair = khsm_rsa_key_generate_pair,
	.pkcs8_encode = khsm_rsa_pkcs8_encode,
	.pkcs8_decode = khsm_rsa_pkcs8_decode,
};
