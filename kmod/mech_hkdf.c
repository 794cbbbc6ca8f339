// SPDX-License-Identifier: GPL-2.0
/*
 * HKDF (RFC 5869; PKCS#11 v3.0 current mechanisms 2.43) on the engine's
 * HMAC (kmod/crypto/hkdf.c): CKM_HKDF_DERIVE (a secret key) and
 * CKM_HKDF_DATA (a CKO_DATA object, derive.c) from a CKK_GENERIC_SECRET
 * or CKK_HKDF base key with CKA_DERIVE true, and CKM_HKDF_KEY_GEN
 * (CKK_HKDF keys, key_secret.c).
 *
 * Parameter: struct khsm_hkdf_params (CK_HKDF_PARAMS), then the salt,
 * then the info. prfHashMechanism is CKM_SHA_1, CKM_SHA224/256/384/512
 * or CKM_SHA3_224/256/384/512. bExtract and bExpand:
 *   both:         OKM = HKDF-Expand(HKDF-Extract(salt, key), info, L);
 *                 L = CKA_VALUE_LEN, or the hash length if none is given;
 *   extract only: the PRK (CKA_VALUE_LEN, if given, must be the hash
 *                 length, else CKR_TEMPLATE_INCONSISTENT);
 *   expand only:  the base key is the PRK;
 *   neither:      CKR_MECHANISM_PARAM_INVALID.
 * Salt (extract only; ignored otherwise, a salt key is then not looked
 * up): CKF_HKDF_SALT_NULL (no salt bytes; RFC 5869's HashLen zeros),
 * CKF_HKDF_SALT_DATA (at least one byte), CKF_HKDF_SALT_KEY (the
 * CKA_VALUE of the key hSaltKey, which the core looks up in the kernel
 * and checks like the base key: CKK_GENERIC_SECRET or CKK_HKDF,
 * CKA_DERIVE true, visible to the caller). Any other combination is
 * CKR_MECHANISM_PARAM_INVALID. L is at most 255 hash lengths and the
 * core's KHSM_MAX_DERIVE_LEN (256 bytes), which is less for every hash.
 *
 * Nothing here allocates; the PRK lives on the stack and is wiped.
 */
#include <linux/kernel.h>
#include <linux/string.h>

#include "ck.h"
#include "mech_family.h"
#include "uapi/linux/khsm.h"

static const struct {
	unsigned long ckm;
	enum kc_hash hash;
} khsm_hkdf_prfs[] = {
	{ CKM_SHA_1, KC_SHA1 },
	{ CKM_SHA224, KC_SHA224 },
	{ CKM_SHA256, KC_SHA256 },
	{ CKM_SHA384, KC_SHA384 },
	{ CKM_SHA512, KC_SHA512 },
	{ CKM_SHA3_224, KC_SHA3_224 },
	{ CKM_SHA3_256, KC_SHA3_256 },
	{ CKM_SHA3_384, KC_SHA3_384 },
	{ CKM_SHA3_512, KC_SHA3_512 },
};

static enum kc_hash khsm_hkdf_prf(u32 ckm)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(khsm_hkdf_prfs); i++)
		if (khsm_hkdf_prfs[i].ckm == ckm)
			return khsm_hkdf_prfs[i].hash;
	return 0;
}

/* The uAPI's form: pad0 and reserved zero, the two booleans 0 or 1. */
static bool khsm_hkdf_param_check(const void *param, u32 param_len)
{
	const struct khsm_hkdf_params *p = param;

	if (param_len < sizeof(*p))
		return true;	/* CKR_MECHANISM_PARAM_INVALID in ->derive */
	return !p->pad0 && !p->reserved[0] && !p->reserved[1] &&
	       p->extract <= 1 && p->expand <= 1;
}

/* The salt key, looked up by the core: only when the extract step uses it. */
static u32 khsm_hkdf_aux_handle(const void *param, u32 param_len)
{
	const struct khsm_hkdf_params *p = param;

	if (!p || param_len < sizeof(*p) || !p->extract ||
	    p->salt_type != CKF_HKDF_SALT_KEY)
		return 0;
	return p->salt_key;
}

/* The salt of the extract step, or CKR_MECHANISM_PARAM_INVALID. */
static unsigned long khsm_hkdf_salt(const struct khsm_hkdf_params *p,
				    const struct khsm_key *aux,
				    const u8 **salt, u32 *salt_len)
{
	*salt = (const u8 *)(p + 1);
	*salt_len = p->salt_len;
	switch (p->salt_type) {
	case CKF_HKDF_SALT_NULL:
		return p->salt_len || p->salt_key ?
		       CKR_MECHANISM_PARAM_INVALID : CKR_OK;
	case CKF_HKDF_SALT_DATA:
		return !p->salt_len || p->salt_key ?
		       CKR_MECHANISM_PARAM_INVALID : CKR_OK;
	case CKF_HKDF_SALT_KEY:
		if (p->salt_len)
			return CKR_MECHANISM_PARAM_INVALID;
		/* The core found and checked it (khsm_hkdf_aux_handle). */
		if (!aux)
			return CKR_KEY_HANDLE_INVALID;
		if (aux->class != CKO_SECRET_KEY || !aux->value ||
		    !aux->value_len)
			return CKR_KEY_TYPE_INCONSISTENT;
		*salt = aux->value;
		*salt_len = aux->value_len;
		return CKR_OK;
	}
	return CKR_MECHANISM_PARAM_INVALID;
}

static unsigned long khsm_hkdf_derive(const struct khsm_mech *m,
				      const struct khsm_key *key,
				      const struct khsm_key *aux,
				      const void *param, u32 param_len,
				      u8 *out, u32 *out_len)
{
	const struct khsm_hkdf_params *p = param;
	u8 prk[KC_HASH_MAX_DIGEST];
	const u8 *salt, *info, *ikm;
	u32 hlen, want = *out_len, salt_len, ikm_len;
	enum kc_hash hash;
	unsigned long rv;

	if (!p || param_len < sizeof(*p) ||
	    (u64)p->salt_len + p->info_len != param_len - sizeof(*p) ||
	    (!p->extract && !p->expand))
		return CKR_MECHANISM_PARAM_INVALID;
	hash = khsm_hkdf_prf(p->prf);
	hlen = hash ? kc_hash_len(hash) : 0;
	if (!hlen)
		return CKR_MECHANISM_PARAM_INVALID;
	if (!key->value || !key->value_len)
		return CKR_KEY_SIZE_RANGE;
	info = (const u8 *)(p + 1) + p->salt_len;
	if (p->extract) {
		rv = khsm_hkdf_salt(p, aux, &salt, &salt_len);
		if (rv != CKR_OK)
			return rv;
	}
	if (!want)
		want = hlen;
	if (!p->expand && want != hlen)
		return CKR_TEMPLATE_INCONSISTENT;
	if (want > KHSM_MAX_DERIVE_LEN || want > 255 * hlen)
		return CKR_TEMPLATE_INCONSISTENT;
	ikm = key->value;
	ikm_len = key->value_len;
	rv = CKR_OK;
	if (p->extract) {
		if (kc_hkdf_extract(hash, salt, salt_len, ikm, ikm_len, prk)) {
			rv = CKR_GENERAL_ERROR;
			goto out;
		}
		ikm = prk;
		ikm_len = hlen;
	}
	if (!p->expand)
		memcpy(out, prk, hlen);
	else if (kc_hkdf_expand(hash, ikm, ikm_len, info, p->info_len, out,
				want))
		rv = CKR_GENERAL_ERROR;
	if (rv == CKR_OK)
		*out_len = want;
out:
	memzero_explicit(prk, sizeof(prk));
	return rv;
}

#define KHSM_HKDF_MECH(ckm, data) {				\
	.type = (ckm),						\
	.flags = CKF_DERIVE,					\
	.min_key_size = 1,					\
	.max_key_size = KHSM_MAX_SECRET_LEN,			\
	.key_type = CKK_GENERIC_SECRET,				\
	.derive_key_type2 = CKK_HKDF,				\
	.param_check = khsm_hkdf_param_check,			\
	.derive = khsm_hkdf_derive,				\
	.derive_aux_handle = khsm_hkdf_aux_handle,		\
	.derive_data = (data),					\
}

static const struct khsm_mech khsm_hkdf_mechs[] = {
	KHSM_HKDF_MECH(CKM_HKDF_DERIVE, false),
	KHSM_HKDF_MECH(CKM_HKDF_DATA, true),
	{
		.type = CKM_HKDF_KEY_GEN,
		.flags = CKF_GENERATE,
		.min_key_size = 8,
		.max_key_size = 8 * KHSM_MAX_SECRET_LEN,
		.key_type = CKK_HKDF,	/* of the generated key */
	},
};

const struct khsm_mech_family khsm_mech_hkdf = {
	.name = "hkdf",
	.mechs = khsm_hkdf_mechs,
	.count = ARRAY_SIZE(khsm_hkdf_mechs),
};
