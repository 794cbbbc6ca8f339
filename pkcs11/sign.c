// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * khsm-pkcs11: signing and MACing (PKCS#11 v3.0 base spec 5.13) and
 * verifying (5.15). Recovery variants are not supported.
 */
#include "internal.h"

/* C_SignInit (5.13.1). pMechanism NULL ends the active signature. */
CK_RV C_SignInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
		 CK_OBJECT_HANDLE hKey)
{
	return p11_op_init(hSession, KHSM_OP_SIGN, pMechanism, hKey, __func__);
}

/* C_Sign (5.13.2). */
CK_RV C_Sign(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData,
	     CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,
	     CK_ULONG_PTR pulSignatureLen)
{
	return p11_op_data(hSession, KHSM_OP_SIGN, KHSM_DATA_ONESHOT,
			   pData, ulDataLen, pSignature, pulSignatureLen,
			   __func__);
}

/* C_SignUpdate (5.13.3). */
CK_RV C_SignUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart,
		   CK_ULONG ulPartLen)
{
	return p11_op_data(hSession, KHSM_OP_SIGN, KHSM_DATA_UPDATE,
			   pPart, ulPartLen, NULL, NULL, __func__);
}

/* C_SignFinal (5.13.4). */
CK_RV C_SignFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature,
		  CK_ULONG_PTR pulSignatureLen)
{
	return p11_op_data(hSession, KHSM_OP_SIGN, KHSM_DATA_FINAL,
			   NULL, 0, pSignature, pulSignatureLen, __func__);
}

/* C_SignRecoverInit (5.13.5): not supported. */
CK_RV C_SignRecoverInit(CK_SESSION_HANDLE hSession,
			CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	(void)pMechanism;
	(void)hKey;
	return p11_unsupported(hSession, __func__);
}

/* C_SignRecover (5.13.6): not supported. */
CK_RV C_SignRecover(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData,
		    CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,
		    CK_ULONG_PTR pulSignatureLen)
{
	(void)pData;
	(void)ulDataLen;
	(void)pSignature;
	(void)pulSignatureLen;
	return p11_unsupported(hSession, __func__);
}

/* C_VerifyInit (5.15.1). pMechanism NULL ends the active verification. */
CK_RV C_VerifyInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
		   CK_OBJECT_HANDLE hKey)
{
	return p11_op_init(hSession, KHSM_OP_VERIFY, pMechanism, hKey,
			   __func__);
}

/* C_Verify (5.15.2). */
CK_RV C_Verify(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData,
	       CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,
	       CK_ULONG ulSignatureLen)
{
	return p11_op_verify(hSession, KHSM_DATA_ONESHOT, pData, ulDataLen,
			     pSignature, ulSignatureLen, __func__);
}

/* C_VerifyUpdate (5.15.3). */
CK_RV C_VerifyUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart,
		     CK_ULONG ulPartLen)
{
	return p11_op_data(hSession, KHSM_OP_VERIFY, KHSM_DATA_UPDATE,
			   pPart, ulPartLen, NULL, NULL, __func__);
}

/* C_VerifyFinal (5.15.4). */
CK_RV C_VerifyFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature,
		    CK_ULONG ulSignatureLen)
{
	return p11_op_verify(hSession, KHSM_DATA_FINAL, NULL, 0, pSignature,
			     ulSignatureLen, __func__);
}

/* C_VerifyRecoverInit (5.15.5): not supported. */
CK_RV C_VerifyRecoverInit(CK_SESSION_HANDLE hSession,
			  CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	(void)pMechanism;
	(void)hKey;
	return p11_unsupported(hSession, __func__);
}

/* C_VerifyRecover (5.15.6): not supported. */
CK_RV C_VerifyRecover(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature,
		      CK_ULONG ulSignatureLen, CK_BYTE_PTR pData,
		      CK_ULONG_PTR pulDataLen)
{
	(void)pSignature;
	(void)ulSignatureLen;
	(void)pData;
	(void)pulDataLen;
	return p11_unsupported(hSession, __func__);
}
