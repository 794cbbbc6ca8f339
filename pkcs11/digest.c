// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * khsm-pkcs11: message digesting (PKCS#11 v3.0 base spec 5.12). Digests
 * are key-less kernel operations (KHSM_OP_DIGEST, key 0).
 */
#include "internal.h"

/* C_DigestInit (5.12.1). pMechanism NULL ends the active digest. */
CK_RV C_DigestInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism)
{
	return p11_op_init(hSession, KHSM_OP_DIGEST, pMechanism,
			   CK_INVALID_HANDLE, __func__);
}

/* C_Digest (5.12.2). */
CK_RV C_Digest(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData,
	       CK_ULONG ulDataLen, CK_BYTE_PTR pDigest,
	       CK_ULONG_PTR pulDigestLen)
{
	return p11_op_data(hSession, KHSM_OP_DIGEST, KHSM_DATA_ONESHOT,
			   pData, ulDataLen, pDigest, pulDigestLen, __func__);
}

/* C_DigestUpdate (5.12.3). */
CK_RV C_DigestUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart,
		     CK_ULONG ulPartLen)
{
	return p11_op_data(hSession, KHSM_OP_DIGEST, KHSM_DATA_UPDATE,
			   pPart, ulPartLen, NULL, NULL, __func__);
}

/*
 * C_DigestKey (5.12.4): not supported (a secret key's value would have
 * to enter a digest the caller then reads).
 */
CK_RV C_DigestKey(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hKey)
{
	(void)hKey;
	return p11_unsupported(hSession, __func__);
}

/* C_DigestFinal (5.12.5). */
CK_RV C_DigestFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pDigest,
		    CK_ULONG_PTR pulDigestLen)
{
	return p11_op_data(hSession, KHSM_OP_DIGEST, KHSM_DATA_FINAL,
			   NULL, 0, pDigest, pulDigestLen, __func__);
}
