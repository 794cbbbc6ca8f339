// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * khsm-pkcs11: CK_MECHANISM -> the uAPI's flat mechanism parameter.
 *
 * Pointer-carrying parameter structs are flattened here (CK_GCM_PARAMS ->
 * struct khsm_gcm_params + IV + AAD, CK_EDDSA_PARAMS -> struct
 * khsm_eddsa_params + context, CK_RSA_PKCS_PSS_PARAMS -> struct
 * khsm_rsa_pss_params, CK_RSA_PKCS_OAEP_PARAMS -> struct
 * khsm_rsa_oaep_params + label); parameters that already are plain
 * bytes (the 16-byte IV of AES-CBC, none for ECDSA/SHA/ECB/keygen) go
 * through as given and the kernel checks their length and value.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/*
 * CK_GCM_PARAMS as the 2.40 header pkcs11t.h defined it, without
 * ulIvBits. The 3.0 layout (p11-kit's, and what OpenSC 0.23 pkcs11-tool
 * passes) has ulIvBits after ulIvLen. Both are accepted, told apart by
 * ulParameterLen.
 */
struct gcm_params_240 {
	CK_BYTE_PTR pIv;
	CK_ULONG ulIvLen;
	CK_BYTE_PTR pAAD;
	CK_ULONG ulAADLen;
	CK_ULONG ulTagBits;
};

_Static_assert(sizeof(struct gcm_params_240) != sizeof(CK_GCM_PARAMS),
	       "the two CK_GCM_PARAMS layouts must differ in size");

static CK_RV gcm_flatten(const CK_MECHANISM *in, struct p11_mech *out)
{
	const void *iv, *aad;
	CK_ULONG iv_len, aad_len, tag_bits;
	unsigned long len = 0;
	CK_RV rv;

	if (in->ulParameterLen == sizeof(CK_GCM_PARAMS) && in->pParameter) {
		const CK_GCM_PARAMS *p = in->pParameter;

		iv = p->pIv;
		iv_len = p->ulIvLen;
		aad = p->pAAD;
		aad_len = p->ulAADLen;
		tag_bits = p->ulTagBits;
	} else if (in->ulParameterLen == sizeof(struct gcm_params_240) &&
		   in->pParameter) {
		const struct gcm_params_240 *p = in->pParameter;

		iv = p->pIv;
		iv_len = p->ulIvLen;
		aad = p->pAAD;
		aad_len = p->ulAADLen;
		tag_bits = p->ulTagBits;
	} else {
		p11_logf("CKM_AES_GCM: parameter of %lu bytes is neither CK_GCM_PARAMS layout (%zu or %zu bytes)",
			 in->ulParameterLen, sizeof(CK_GCM_PARAMS),
			 sizeof(struct gcm_params_240));
		return CKR_MECHANISM_PARAM_INVALID;
	}
	if ((!iv && iv_len) || (!aad && aad_len)) {
		p11_logf("CKM_AES_GCM: NULL IV or AAD pointer with a non-zero length");
		return CKR_MECHANISM_PARAM_INVALID;
	}
	rv = hsm_gcm_param_alloc(iv, iv_len, aad, aad_len, tag_bits,
				 &out->alloc, &len);
	if (rv == CKR_ARGUMENTS_BAD)
		rv = CKR_MECHANISM_PARAM_INVALID;
	if (rv != CKR_OK)
		return rv;
	out->m.param = out->alloc;
	out->m.param_len = len;
	return CKR_OK;
}

/*
 * CK_EDDSA_PARAMS -> struct khsm_eddsa_params + context (in out->eddsa).
 * No parameter stays none. Which combinations are supported is the
 * kernel's call (pure Ed25519 only); a context longer than RFC 8032
 * allows cannot be encoded.
 */
static CK_RV eddsa_flatten(const CK_MECHANISM *in, struct p11_mech *out)
{
	const CK_EDDSA_PARAMS *p = in->pParameter;
	struct khsm_eddsa_params f;

	if (!in->pParameter && !in->ulParameterLen)
		return CKR_OK;
	if (!p || in->ulParameterLen != sizeof(*p)) {
		p11_logf("CKM_EDDSA: parameter of %lu bytes is not a CK_EDDSA_PARAMS (%zu bytes)",
			 in->ulParameterLen, sizeof(*p));
		return CKR_MECHANISM_PARAM_INVALID;
	}
	if (p->phFlag > 1 || p->ulContextDataLen > P11_EDDSA_MAX_CONTEXT ||
	    (!p->pContextData && p->ulContextDataLen)) {
		p11_logf("CKM_EDDSA: bad phFlag, context length or pointer");
		return CKR_MECHANISM_PARAM_INVALID;
	}
	memset(&f, 0, sizeof(f));
	f.ph_flag = p->phFlag;
	f.context_len = (uint32_t)p->ulContextDataLen;
	memcpy(out->eddsa, &f, sizeof(f));
	if (p->ulContextDataLen)
		memcpy(out->eddsa + sizeof(f), p->pContextData,
		       p->ulContextDataLen);
	out->m.param = out->eddsa;
	out->m.param_len = sizeof(f) + p->ulContextDataLen;
	return CKR_OK;
}

/* hashAlg and mgf are the kernel's to judge; only their width changes. */
static CK_RV pss_flatten(const CK_MECHANISM *in, struct p11_mech *out)
{
	const CK_RSA_PKCS_PSS_PARAMS *p = in->pParameter;

	if (!p || in->ulParameterLen != sizeof(*p)) {
		p11_logf("CKM_*RSA_PKCS_PSS: parameter of %lu bytes is not a CK_RSA_PKCS_PSS_PARAMS (%zu bytes)",
			 in->ulParameterLen, sizeof(*p));
		return CKR_MECHANISM_PARAM_INVALID;
	}
	memset(&out->pss, 0, sizeof(out->pss));
	out->pss.hash_alg = p->hashAlg;
	out->pss.mgf = p->mgf;
	out->pss.salt_len = p->sLen;
	out->m.param = &out->pss;
	out->m.param_len = sizeof(out->pss);
	return CKR_OK;
}

/*
 * CK_RSA_PKCS_OAEP_PARAMS -> struct khsm_rsa_oaep_params + label. With
 * source 0 (no label) pSourceData must be empty; the kernel refuses other
 * sources.
 */
static CK_RV oaep_flatten(const CK_MECHANISM *in, struct p11_mech *out)
{
	const CK_RSA_PKCS_OAEP_PARAMS *p = in->pParameter;
	struct khsm_rsa_oaep_params f;

	if (!p || in->ulParameterLen != sizeof(*p)) {
		p11_logf("CKM_RSA_PKCS_OAEP: parameter of %lu bytes is not a CK_RSA_PKCS_OAEP_PARAMS (%zu bytes)",
			 in->ulParameterLen, sizeof(*p));
		return CKR_MECHANISM_PARAM_INVALID;
	}
	if ((!p->pSourceData && p->ulSourceDataLen) ||
	    p->ulSourceDataLen > P11_OAEP_MAX_LABEL) {
		p11_logf("CKM_RSA_PKCS_OAEP: bad label pointer or length");
		return CKR_MECHANISM_PARAM_INVALID;
	}
	memset(&f, 0, sizeof(f));
	f.hash_alg = p->hashAlg;
	f.mgf = p->mgf;
	f.source = p->source;
	f.label_len = (uint32_t)p->ulSourceDataLen;
	out->oaep_len = sizeof(f) + p->ulSourceDataLen;
	out->oaep = malloc(out->oaep_len);
	if (!out->oaep)
		return CKR_HOST_MEMORY;
	memcpy(out->oaep, &f, sizeof(f));
	if (p->ulSourceDataLen)
		memcpy(out->oaep + sizeof(f), p->pSourceData,
		       p->ulSourceDataLen);
	out->m.param = out->oaep;
	out->m.param_len = out->oaep_len;
	return CKR_OK;
}

CK_RV p11_mech_get(const CK_MECHANISM *in, struct p11_mech *out)
{
	memset(out, 0, sizeof(*out));
	if (!in)
		return CKR_ARGUMENTS_BAD;
	out->m.mechanism = in->mechanism;
	if (in->mechanism == CKM_AES_GCM)
		return gcm_flatten(in, out);
	if (in->mechanism == CKM_EDDSA)
		return eddsa_flatten(in, out);
	switch (in->mechanism) {
	case CKM_RSA_PKCS_PSS:
	case CKM_SHA1_RSA_PKCS_PSS:
	case CKM_SHA224_RSA_PKCS_PSS:
	case CKM_SHA256_RSA_PKCS_PSS:
	case CKM_SHA384_RSA_PKCS_PSS:
	case CKM_SHA512_RSA_PKCS_PSS:
		return pss_flatten(in, out);
	case CKM_RSA_PKCS_OAEP:
		return oaep_flatten(in, out);
	}
	if (!in->pParameter && in->ulParameterLen)
		return CKR_MECHANISM_PARAM_INVALID;
	out->m.param = in->pParameter;
	out->m.param_len = in->ulParameterLen;
	return CKR_OK;
}

void p11_mech_release(struct p11_mech *pm)
{
	if (pm->alloc)
		hsm_free(pm->alloc);
	pm->alloc = NULL;
	if (pm->oaep) {
		explicit_bzero(pm->oaep, pm->oaep_len);
		free(pm->oaep);
	}
	pm->oaep = NULL;
}
