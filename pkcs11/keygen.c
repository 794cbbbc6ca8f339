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

/*
 * C_WrapKey (5.18.3). Two-call length idiom (5.2): a NULL pWrappedKey
 * answers the length and wraps nothing; a short buffer gives
 * CKR_BUFFER_TOO_SMALL with the length.
 */
CK_RV C_WrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
		CK_OBJECT_HANDLE hWrappingKey, CK_OBJECT_HANDLE hKey,
		CK_BYTE_PTR pWrappedKey, CK_ULONG_PTR pulWrappedKeyLen)
{
	struct hsm_mechanism m;
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);
	uint32_t wk = 0, k = 0;
	unsigned long len = 0;

	if (rv == CKR_OK && (!pMechanism || !pulWrappedKeyLen))
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = p11_object(hWrappingKey, CKR_WRAPPING_KEY_HANDLE_INVALID,
				&wk);
	if (rv == CKR_OK)
		rv = p11_object(hKey, CKR_KEY_HANDLE_INVALID, &k);
	if (rv == CKR_OK) {
		m = p11_mech(pMechanism);
		len = pWrappedKey ? *pulWrappedKeyLen : 0;
		rv = hsm_wrap_key(c.tok, c.session, &m, wk, k, pWrappedKey,
				  &len);
	}
	if (rv == CKR_OK || rv == CKR_BUFFER_TOO_SMALL)
		*pulWrappedKeyLen = len;
	return p11_leave(&c, __func__, rv);
}

/* C_UnwrapKey (5.18.4). */
CK_RV C_UnwrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
		  CK_OBJECT_HANDLE hUnwrappingKey, CK_BYTE_PTR pWrappedKey,
		  CK_ULONG ulWrappedKeyLen, CK_ATTRIBUTE_PTR pTemplate,
		  CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey)
{
	struct hsm_attr *tmpl = NULL;
	struct hsm_mechanism m;
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);
	uint32_t uk = 0, key = 0;

	if (rv == CKR_OK && (!pMechanism || !phKey ||
			     (!pWrappedKey && ulWrappedKeyLen)))
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = p11_object(hUnwrappingKey,
				CKR_UNWRAPPING_KEY_HANDLE_INVALID, &uk);
	if (rv == CKR_OK)
		rv = p11_template(pTemplate, ulAttributeCount, &tmpl);
	if (rv == CKR_OK) {
		m = p11_mech(pMechanism);
		rv = hsm_unwrap_key(c.tok, c.session, &m, uk, pWrappedKey,
				    ulWrappedKeyLen, tmpl, ulAttributeCount,
				    &key);
	}
	if (rv == CKR_OK)
		*phKey = key;
	return p11_leave(&c, __func__, rv);
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
