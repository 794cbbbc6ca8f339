// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * khsm-pkcs11: encryption (PKCS#11 v3.0 base spec 5.8), decryption (5.10)
 * and the dual-function calls (5.17, not supported). The shared argument
 * checks and the libhsm calls are in op.c.
 */
#include "internal.h"

/* C_EncryptInit (5.8.1). pMechanism NULL ends the active encryption. */
CK_RV C_EncryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
		    CK_OBJECT_HANDLE hKey)
{
	return p11_op_init(hSession, KHSM_OP_ENCRYPT, pMechanism, hKey,
			   __func__);
}

/* C_Encrypt (5.8.2). */
CK_RV C_Encrypt(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData,
		CK_ULONG ulDataLen, CK_BYTE_PTR pEncryptedData,
		CK_ULONG_PTR pulEncryptedDataLen)
{
	return p11_op_data(hSession, KHSM_OP_ENCRYPT, KHSM_DATA_ONESHOT,
			   pData, ulDataLen, pEncryptedData,
			   pulEncryptedDataLen, __func__);
}

/* C_EncryptUpdate (5.8.3). */
CK_RV C_EncryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart,
		      CK_ULONG ulPartLen, CK_BYTE_PTR pEncryptedPart,
		      CK_ULONG_PTR pulEncryptedPartLen)
{
	return p11_op_data(hSession, KHSM_OP_ENCRYPT, KHSM_DATA_UPDATE,
			   pPart, ulPartLen, pEncryptedPart,
			   pulEncryptedPartLen, __func__);
}

/* C_EncryptFinal (5.8.4). */
CK_RV C_EncryptFinal(CK_SESSION_HANDLE hSession,
		     CK_BYTE_PTR pLastEncryptedPart,
		     CK_ULONG_PTR pulLastEncryptedPartLen)
{
	return p11_op_data(hSession, KHSM_OP_ENCRYPT, KHSM_DATA_FINAL,
			   NULL, 0, pLastEncryptedPart,
			   pulLastEncryptedPartLen, __func__);
}

/* C_DecryptInit (5.10.1). pMechanism NULL ends the active decryption. */
CK_RV C_DecryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
		    CK_OBJECT_HANDLE hKey)
{
	return p11_op_init(hSession, KHSM_OP_DECRYPT, pMechanism, hKey,
			   __func__);
}

/* C_Decrypt (5.10.2). */
CK_RV C_Decrypt(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedData,
		CK_ULONG ulEncryptedDataLen, CK_BYTE_PTR pData,
		CK_ULONG_PTR pulDataLen)
{
	return p11_op_data(hSession, KHSM_OP_DECRYPT, KHSM_DATA_ONESHOT,
			   pEncryptedData, ulEncryptedDataLen, pData,
			   pulDataLen, __func__);
}

/* C_DecryptUpdate (5.10.3). */
CK_RV C_DecryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedPart,
		      CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart,
		      CK_ULONG_PTR pulPartLen)
{
	return p11_op_data(hSession, KHSM_OP_DECRYPT, KHSM_DATA_UPDATE,
			   pEncryptedPart, ulEncryptedPartLen, pPart,
			   pulPartLen, __func__);
}

/* C_DecryptFinal (5.10.4). */
CK_RV C_DecryptFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLastPart,
		     CK_ULONG_PTR pulLastPartLen)
{
	return p11_op_data(hSession, KHSM_OP_DECRYPT, KHSM_DATA_FINAL,
			   NULL, 0, pLastPart, pulLastPartLen, __func__);
}

/* C_DigestEncryptUpdate (5.17.1): dual-function calls are not supported. */
CK_RV C_DigestEncryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart,
			    CK_ULONG ulPartLen, CK_BYTE_PTR pEncryptedPart,
			    CK_ULONG_PTR pulEncryptedPartLen)
{
	(void)pPart;
	(void)ulPartLen;
	(void)pEncryptedPart;
	(void)pulEncryptedPartLen;
	return p11_unsupported(hSession, __func__);
}

/* C_DecryptDigestUpdate (5.17.2): not supported. */
CK_RV C_DecryptDigestUpdate(CK_SESSION_HANDLE hSession,
			    CK_BYTE_PTR pEncryptedPart,
			    CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart,
			    CK_ULONG_PTR pulPartLen)
{
	(void)pEncryptedPart;
	(void)ulEncryptedPartLen;
	(void)pPart;
	(void)pulPartLen;
	return p11_unsupported(hSession, __func__);
}

/* C_SignEncryptUpdate (5.17.3): not supported. */
CK_RV C_SignEncryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart,
			  CK_ULONG ulPartLen, CK_BYTE_PTR pEncryptedPart,
			  CK_ULONG_PTR pulEncryptedPartLen)
{
	(void)pPart;
	(void)ulPartLen;
	(void)pEncryptedPart;
	(void)pulEncryptedPartLen;
	return p11_unsupported(hSession, __func__);
}

/* C_DecryptVerifyUpdate (5.17.4): not supported. */
CK_RV C_DecryptVerifyUpdate(CK_SESSION_HANDLE hSession,
			    CK_BYTE_PTR pEncryptedPart,
			    CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart,
			    CK_ULONG_PTR pulPartLen)
{
	(void)pEncryptedPart;
	(void)ulEncryptedPartLen;
	(void)pPart;
	(void)pulPartLen;
	return p11_unsupported(hSession, __func__);
}
