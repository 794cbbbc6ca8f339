// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Mechanism parameters: the PKCS#11 parameter of a struct hsm_mechanism
 * (a CK_MECHANISM) -> the flat parameter of the uAPI (<linux/khsm.h>).
 *
 * This is the only place that knows both forms. Parameters that carry
 * pointers are flattened into one buffer that libhsm allocates and wipes
 * (CK_GCM_PARAMS -> struct khsm_gcm_params + IV + AAD, CK_EDDSA_PARAMS ->
 * struct khsm_eddsa_params + context, CK_RSA_PKCS_PSS_PARAMS -> struct
 * khsm_rsa_pss_params, CK_RSA_PKCS_OAEP_PARAMS -> struct
 * khsm_rsa_oaep_params + label, CK_MAC_GENERAL_PARAMS -> struct
 * khsm_mac_general_params, CK_AES_CTR_PARAMS -> struct
 * khsm_aes_ctr_params, CK_ECDH1_DERIVE_PARAMS -> struct
 * khsm_ecdh1_derive_params + shared data + public data, CK_HKDF_PARAMS ->
 * struct khsm_hkdf_params + salt + info, the salt key as its handle,
 * CK_RSA_AES_KEY_WRAP_PARAMS -> struct khsm_rsa_aes_key_wrap_params +
 * struct khsm_rsa_oaep_params + label); parameters that
 * already are plain bytes (the 16-byte IV of AES-CBC, the optional IV of
 * AES key wrap, none for ECDSA/SHA/ECB/key generation) are passed as
 * given. Values are the kernel's to judge; only what cannot be
 * encoded (wrong struct size, NULL pointer with a length, a length above
 * 32 bits, an EdDSA context above RFC 8032's 255 bytes) is refused here,
 * with CKR_MECHANISM_PARAM_INVALID.
 */
#include <stdint.h>
#include <string.h>

#include "internal.h"

/* PKCS#11 v3.0 mechanisms that p11-kit 0.24's header lacks. */
#ifndef CKM_SHA3_256_HMAC_GENERAL
#define CKM_SHA3_256_HMAC_GENERAL	0x2b2UL
#define CKM_SHA3_224_HMAC_GENERAL	0x2b7UL
#define CKM_SHA3_384_HMAC_GENERAL	0x2c2UL
#define CKM_SHA3_512_HMAC_GENERAL	0x2d2UL
#endif

/* PKCS#11 v3.0 HKDF (current mechanisms 2.43); p11-kit 0.24 lacks it. */
#ifndef CKM_HKDF_DERIVE
#define CKM_HKDF_DERIVE		0x402aUL
#define CKM_HKDF_DATA		0x402bUL
#endif
#ifndef CKF_HKDF_SALT_KEY
#define CKF_HKDF_SALT_KEY	0x4UL
#endif

/* CK_HKDF_PARAMS (PKCS#11 v3.0); p11-kit 0.24 does not define it. */
struct hsmi_hkdf_params {
	unsigned char bExtract;
	unsigned char bExpand;
	unsigned long prfHashMechanism;
	unsigned long ulSaltType;
	unsigned char *pSalt;
	unsigned long ulSaltLen;
	unsigned long hSaltKey;
	unsigned char *pInfo;
	unsigned long ulInfoLen;
};

/* CK_RSA_AES_KEY_WRAP_PARAMS (PKCS#11 v3.0); p11-kit 0.24 lacks it. */
struct hsmi_rsa_aes_key_wrap_params {
	unsigned long ulAESKeyBits;
	CK_RSA_PKCS_OAEP_PARAMS *pOAEPParams;
};

/* RFC 8032: an Ed25519ctx/ph context is at most 255 bytes. */
#define HSMI_EDDSA_MAX_CONTEXT	255

/*
 * CK_GCM_PARAMS as the 2.40 header pkcs11t.h defined it, without
 * ulIvBits. The v3.0 layout (p11-kit's CK_GCM_PARAMS, and what OpenSC
 * 0.23 pkcs11-tool passes) has ulIvBits after ulIvLen. Both are accepted,
 * told apart by the parameter's size.
 */
struct hsmi_gcm_params_240 {
	unsigned char *pIv;
	unsigned long ulIvLen;
	unsigned char *pAAD;
	unsigned long ulAADLen;
	unsigned long ulTagBits;
};

_Static_assert(sizeof(struct hsmi_gcm_params_240) != sizeof(CK_GCM_PARAMS),
	       "the two CK_GCM_PARAMS layouts must differ in size");

/* CK_EDDSA_PARAMS (PKCS#11 v3.0); p11-kit 0.24 does not define it. */
struct hsmi_eddsa_params {
	unsigned char phFlag;
	unsigned long ulContextDataLen;
	unsigned char *pContextData;
};

/* A flat buffer of @len bytes: @head, then two optional tails. */
static unsigned long hsmi_flat3(struct hsmi_param *out, const void *head,
				size_t head_len, const void *a, size_t a_len,
				const void *b, size_t b_len)
{
	unsigned char *p;
	size_t len;

	if (a_len > UINT32_MAX || b_len > UINT32_MAX ||
	    head_len + a_len + b_len > UINT32_MAX)
		return CKR_MECHANISM_PARAM_INVALID;
	len = head_len + a_len + b_len;
	p = hsmi_alloc(len);
	if (!p)
		return CKR_HOST_MEMORY;
	memcpy(p, head, head_len);
	if (a_len)
		memcpy(p + head_len, a, a_len);
	if (b_len)
		memcpy(p + head_len + a_len, b, b_len);
	out->alloc = p;
	out->param = p;
	out->len = (__u32)len;
	return CKR_OK;
}

static unsigned long hsmi_gcm(const struct hsm_mechanism *m,
			      struct hsmi_param *out)
{
	struct khsm_gcm_params g;
	const void *iv, *aad;
	unsigned long iv_n, aad_n, tag_n;

	if (m->param && m->param_len == sizeof(CK_GCM_PARAMS)) {
		const CK_GCM_PARAMS *p = m->param;

		iv = p->pIv;
		iv_n = p->ulIvLen;
		aad = p->pAAD;
		aad_n = p->ulAADLen;
		tag_n = p->ulTagBits;
	} else if (m->param &&
		   m->param_len == sizeof(struct hsmi_gcm_params_240)) {
		const struct hsmi_gcm_params_240 *p = m->param;

		iv = p->pIv;
		iv_n = p->ulIvLen;
		aad = p->pAAD;
		aad_n = p->ulAADLen;
		tag_n = p->ulTagBits;
	} else {
		return CKR_MECHANISM_PARAM_INVALID;
	}
	if ((!iv && iv_n) || (!aad && aad_n) || tag_n > UINT32_MAX ||
	    iv_n > UINT32_MAX || aad_n > UINT32_MAX)
		return CKR_MECHANISM_PARAM_INVALID;
	memset(&g, 0, sizeof(g));
	g.gcm_iv_len = (__u32)iv_n;
	g.gcm_aad_len = (__u32)aad_n;
	g.gcm_tag_bits = (__u32)tag_n;
	return hsmi_flat3(out, &g, sizeof(g), iv, iv_n, aad, aad_n);
}

/* ulCounterBits and cb; the kernel judges the number of bits. */
static unsigned long hsmi_ctr(const struct hsm_mechanism *m,
			      struct hsmi_param *out)
{
	const CK_AES_CTR_PARAMS *p = m->param;
	struct khsm_aes_ctr_params c;

	if (!p || m->param_len != sizeof(*p) || p->ulCounterBits > UINT32_MAX)
		return CKR_MECHANISM_PARAM_INVALID;
	memset(&c, 0, sizeof(c));
	c.ctr_bits = (__u32)p->ulCounterBits;
	memcpy(c.ctr_block, p->cb, sizeof(c.ctr_block));
	return hsmi_flat3(out, &c, sizeof(c), NULL, 0, NULL, 0);
}

/* No parameter stays none; which combinations work is the kernel's call. */
static unsigned long hsmi_eddsa(const struct hsm_mechanism *m,
				struct hsmi_param *out)
{
	const struct hsmi_eddsa_params *p = m->param;
	struct khsm_eddsa_params e;

	if (!m->param && !m->param_len)
		return CKR_OK;
	if (!p || m->param_len != sizeof(*p) || p->phFlag > 1 ||
	    p->ulContextDataLen > HSMI_EDDSA_MAX_CONTEXT ||
	    (!p->pContextData && p->ulContextDataLen))
		return CKR_MECHANISM_PARAM_INVALID;
	memset(&e, 0, sizeof(e));
	e.ph_flag = p->phFlag;
	e.context_len = (__u32)p->ulContextDataLen;
	return hsmi_flat3(out, &e, sizeof(e), p->pContextData,
			  p->ulContextDataLen, NULL, 0);
}

/* hashAlg and mgf are the kernel's to judge; only their width changes. */
static unsigned long hsmi_pss(const struct hsm_mechanism *m,
			      struct hsmi_param *out)
{
	const CK_RSA_PKCS_PSS_PARAMS *p = m->param;
	struct khsm_rsa_pss_params f;

	if (!p || m->param_len != sizeof(*p))
		return CKR_MECHANISM_PARAM_INVALID;
	memset(&f, 0, sizeof(f));
	f.hash = p->hashAlg;
	f.mgf = p->mgf;
	f.salt_len = p->sLen;
	return hsmi_flat3(out, &f, sizeof(f), NULL, 0, NULL, 0);
}

/* The label is pSourceData; the kernel refuses sources it does not know. */
static unsigned long hsmi_oaep(const struct hsm_mechanism *m,
			       struct hsmi_param *out)
{
	const CK_RSA_PKCS_OAEP_PARAMS *p = m->param;
	struct khsm_rsa_oaep_params f;

	if (!p || m->param_len != sizeof(*p) ||
	    (!p->pSourceData && p->ulSourceDataLen) ||
	    p->ulSourceDataLen > UINT32_MAX)
		return CKR_MECHANISM_PARAM_INVALID;
	memset(&f, 0, sizeof(f));
	f.hash = p->hashAlg;
	f.mgf = p->mgf;
	f.source = p->source;
	f.label_len = (__u32)p->ulSourceDataLen;
	return hsmi_flat3(out, &f, sizeof(f), p->pSourceData,
			  p->ulSourceDataLen, NULL, 0);
}

/* ulAESKeyBits, then pOAEPParams flattened as for CKM_RSA_PKCS_OAEP. */
static unsigned long hsmi_rsa_aes(const struct hsm_mechanism *m,
				  struct hsmi_param *out)
{
	const struct hsmi_rsa_aes_key_wrap_params *p = m->param;
	const CK_RSA_PKCS_OAEP_PARAMS *o;
	struct khsm_rsa_aes_key_wrap_params a;
	struct khsm_rsa_oaep_params f;

	if (!p || m->param_len != sizeof(*p) || !p->pOAEPParams ||
	    p->ulAESKeyBits > UINT32_MAX)
		return CKR_MECHANISM_PARAM_INVALID;
	o = p->pOAEPParams;
	if ((!o->pSourceData && o->ulSourceDataLen) ||
	    o->ulSourceDataLen > UINT32_MAX)
		return CKR_MECHANISM_PARAM_INVALID;
	memset(&a, 0, sizeof(a));
	a.aes_key_bits = (__u32)p->ulAESKeyBits;
	memset(&f, 0, sizeof(f));
	f.hash = o->hashAlg;
	f.mgf = o->mgf;
	f.source = o->source;
	f.label_len = (__u32)o->ulSourceDataLen;
	return hsmi_flat3(out, &a, sizeof(a), &f, sizeof(f), o->pSourceData,
			  o->ulSourceDataLen);
}

/*
 * CK_MAC_GENERAL_PARAMS (a CK_ULONG: the MAC length in bytes) of the
 * _GENERAL MAC mechanisms -> struct khsm_mac_general_params.
 */
static unsigned long hsmi_mac_general(const struct hsm_mechanism *m,
				      struct hsmi_param *out)
{
	const CK_ULONG *p = m->param;
	struct khsm_mac_general_params g;

	if (!p || m->param_len != sizeof(*p) || *p > UINT32_MAX)
		return CKR_MECHANISM_PARAM_INVALID;
	memset(&g, 0, sizeof(g));
	g.mac_len = (__u32)*p;
	return hsmi_flat3(out, &g, sizeof(g), NULL, 0, NULL, 0);
}

/*
 * CK_ECDH1_DERIVE_PARAMS -> struct khsm_ecdh1_derive_params + shared data +
 * public data. The KDF and both values are the kernel's to judge.
 */
static unsigned long hsmi_ecdh1(const struct hsm_mechanism *m,
				struct hsmi_param *out)
{
	const CK_ECDH1_DERIVE_PARAMS *p = m->param;
	struct khsm_ecdh1_derive_params f;

	if (!p || m->param_len != sizeof(*p) ||
	    (!p->pSharedData && p->ulSharedDataLen) ||
	    (!p->pPublicData && p->ulPublicDataLen) ||
	    p->ulSharedDataLen > UINT32_MAX || p->ulPublicDataLen > UINT32_MAX)
		return CKR_MECHANISM_PARAM_INVALID;
	memset(&f, 0, sizeof(f));
	f.kdf = p->kdf;
	f.shared_len = (__u32)p->ulSharedDataLen;
	f.public_len = (__u32)p->ulPublicDataLen;
	return hsmi_flat3(out, &f, sizeof(f), p->pSharedData,
			  p->ulSharedDataLen, p->pPublicData,
			  p->ulPublicDataLen);
}

/*
 * CK_HKDF_PARAMS -> struct khsm_hkdf_params + salt + info. hSaltKey goes
 * as a handle (only with CKF_HKDF_SALT_KEY; the kernel looks the key up);
 * the booleans become 0 or 1. Everything else is the kernel's to judge.
 */
static unsigned long hsmi_hkdf(const struct hsm_mechanism *m,
			       struct hsmi_param *out)
{
	const struct hsmi_hkdf_params *p = m->param;
	struct khsm_hkdf_params f;

	if (!p || m->param_len != sizeof(*p) ||
	    (!p->pSalt && p->ulSaltLen) || (!p->pInfo && p->ulInfoLen) ||
	    p->ulSaltLen > UINT32_MAX || p->ulInfoLen > UINT32_MAX ||
	    p->prfHashMechanism > UINT32_MAX || p->ulSaltType > UINT32_MAX ||
	    p->hSaltKey > UINT32_MAX)
		return CKR_MECHANISM_PARAM_INVALID;
	memset(&f, 0, sizeof(f));
	f.extract = p->bExtract ? 1 : 0;
	f.expand = p->bExpand ? 1 : 0;
	f.prf = (__u32)p->prfHashMechanism;
	f.salt_type = (__u32)p->ulSaltType;
	if (p->ulSaltType == CKF_HKDF_SALT_KEY)
		f.salt_key = (__u32)p->hSaltKey;
	f.salt_len = (__u32)p->ulSaltLen;
	f.info_len = (__u32)p->ulInfoLen;
	return hsmi_flat3(out, &f, sizeof(f), p->pSalt, p->ulSaltLen,
			  p->pInfo, p->ulInfoLen);
}

unsigned long hsmi_param_get(const struct hsm_mechanism *m,
			     struct hsmi_param *out)
{
	memset(out, 0, sizeof(*out));
	if (!m)
		return CKR_ARGUMENTS_BAD;
	if (m->mechanism > UINT32_MAX)
		return CKR_MECHANISM_INVALID;
	switch (m->mechanism) {
	case CKM_AES_GCM:
		return hsmi_gcm(m, out);
	case CKM_AES_CTR:
		return hsmi_ctr(m, out);
	case CKM_EDDSA:
		return hsmi_eddsa(m, out);
	case CKM_RSA_PKCS_PSS:
	case CKM_SHA1_RSA_PKCS_PSS:
	case CKM_SHA224_RSA_PKCS_PSS:
	case CKM_SHA256_RSA_PKCS_PSS:
	case CKM_SHA384_RSA_PKCS_PSS:
	case CKM_SHA512_RSA_PKCS_PSS:
		return hsmi_pss(m, out);
	case CKM_RSA_PKCS_OAEP:
		return hsmi_oaep(m, out);
	case CKM_RSA_AES_KEY_WRAP:
		return hsmi_rsa_aes(m, out);
	case CKM_SHA_1_HMAC_GENERAL:
	case CKM_SHA224_HMAC_GENERAL:
	case CKM_SHA256_HMAC_GENERAL:
	case CKM_SHA384_HMAC_GENERAL:
	case CKM_SHA512_HMAC_GENERAL:
	case CKM_SHA3_224_HMAC_GENERAL:
	case CKM_SHA3_256_HMAC_GENERAL:
	case CKM_SHA3_384_HMAC_GENERAL:
	case CKM_SHA3_512_HMAC_GENERAL:
	case CKM_AES_CMAC_GENERAL:
		return hsmi_mac_general(m, out);
	case CKM_ECDH1_DERIVE:
	case CKM_ECDH1_COFACTOR_DERIVE:
		return hsmi_ecdh1(m, out);
	case CKM_HKDF_DERIVE:
	case CKM_HKDF_DATA:
		return hsmi_hkdf(m, out);
	}
	if ((!m->param && m->param_len) || m->param_len > UINT32_MAX)
		return CKR_MECHANISM_PARAM_INVALID;
	out->param = m->param;
	out->len = (__u32)m->param_len;
	return CKR_OK;
}

void hsmi_param_put(struct hsmi_param *p)
{
	hsm_free(p->alloc);
	memset(p, 0, sizeof(*p));
}
