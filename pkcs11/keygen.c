// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * khsm-pkcs11: key management (PKCS#11 v3.0 base spec 5.18). Keys are made
 * in the kernel; templates go through unchanged (attr.c).
 */
#include "internal.h"

/* C_GenerateKey (5.18.1). */
CK_RV C_GenerateKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
		    CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount,
		    CK_OBJECT_HANDLE_PTR phKey)
{
	struct hsm_attr *tmpl = NULL;
	struct hsm_mechanism m;
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);
	uint32_t key = 0;

	if (rv == CKR_OK && (!pMechanism || !phKey))
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = p11_template(pTemplate, ulCount, &tmpl);
	if (rv == CKR_OK) {
		m = p11_mech(pMechanism);
		rv = hsm_generate_key(c.tok, c.session, &m, tmpl, ulCount,
				      &key);
	}
	if (rv == CKR_OK)
		*phKey = key;
	return p11_leave(&c, __func__, rv);
}

/* C_GenerateKeyPair (5.18.2). */
CK_RV C_GenerateKeyPair(CK_SESSION_HANDLE hSession,
			CK_MECHANISM_PTR pMechanism,
			CK_ATTRIBUTE_PTR pPublicKeyTemplate,
			CK_ULONG ulPublicKeyAttributeCount,
			CK_ATTRIBUTE_PTR pPrivateKeyTemplate,
			CK_ULONG ulPrivateKeyAttributeCount,
			CK_OBJECT_HANDLE_PTR phPublicKey,
			CK_OBJECT_HANDLE_PTR phPrivateKey)
{
	struct hsm_attr *pub = NULL, *priv = NULL;
	struct hsm_mechanism m;
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);
	uint32_t hpub = 0, hpriv = 0;

	if (rv == CKR_OK &&
	    (!pMechanism || !phPublicKey || !phPrivateKey))
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = p11_template(pPublicKeyTemplate,
				  ulPublicKeyAttributeCount, &pub);
	if (rv == CKR_OK)
		rv = p11_template(pPrivateKeyTemplate,
				  ulPrivateKeyAttributeCount, &priv);
	if (rv == CKR_OK) {
		m = p11_mech(pMechanism);
		rv = hsm_generate_key_pair(c.tok, c.session, &m, pub,
					   ulPublicKeyAttributeCount, priv,
					   ulPrivateKeyAttributeCount,
					   &hpub, &hpriv);
	}
	if (rv == CKR_OK) {
		*phPublicKey = hpub;
		*phPrivateKey = hpriv;
	}
	return p11_leave(&c, __func__, rv);
}

/* C_WrapKey (5.18.3): no wrapping mechanism yet. */
CK_RV C_WrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
		CK_OBJECT_HANDLE hWrappingKey, CK_OBJECT_HANDLE hKey,
		CK_BYTE_PTR pWrappedKey, CK_ULONG_PTR pulWrappedKeyLen)
{
	(void)pMechanism;
	(void)hWrappingKey;
	(void)hKey;
	(void)pWrappedKey;
	(void)pulWrappedKeyLen;
	return p11_unsupported(hSession, __func__);
}

/* C_UnwrapKey (5.18.4): no wrapping mechanism yet. */
CK_RV C_UnwrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
		  CK_OBJECT_HANDLE hUnwrappingKey, CK_BYTE_PTR pWrappedKey,
		  CK_ULONG ulWrappedKeyLen, CK_ATTRIBUTE_PTR pTemplate,
		  CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey)
{
	(void)pMechanism;
	(void)hUnwrappingKey;
	(void)pWrappedKey;
	(void)ulWrappedKeyLen;
	(void)pTemplate;
	(void)ulAttributeCount;
	(void)phKey;
	return p11_unsupported(hSession, __func__);
}

/* C_DeriveKey (5.18.5). */
CK_RV C_DeriveKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
		  CK_OBJECT_HANDLE hBaseKey, CK_ATTRIBUTE_PTR pTemplate,
		  CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey)
{
	struct hsm_attr *tmpl = NULL;
	struct hsm_mechanism m;
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);
	uint32_t base = 0, key = 0;

	if (rv == CKR_OK && (!pMechanism || !phKey))
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = p11_object(hBaseKey, CKR_KEY_HANDLE_INVALID, &base);
	if (rv == CKR_OK)
		rv = p11_template(pTemplate, ulAttributeCount, &tmpl);
	if (rv == CKR_OK) {
		m = p11_mech(pMechanism);
		rv = hsm_derive_key(c.tok, c.session, &m, base, tmpl,
				    ulAttributeCount, &key);
	}
	if (rv == CKR_OK)
		*phKey = key;
	return p11_leave(&c, __func__, rv);
}
