// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * khsm-pkcs11: the message-based functions of PKCS#11 v3.0 (base spec 5.9
 * encryption, 5.11 decryption, 5.14 signing, 5.16 verification). No
 * mechanism of this token supports them (no CKF_MESSAGE_* flag in
 * C_GetMechanismInfo), so each checks the session and answers
 * CKR_FUNCTION_NOT_SUPPORTED.
 */
#include "internal.h"

/* C_MessageEncryptInit (5.9.1): not supported. */
CK_RV C_MessageEncryptInit(CK_SESSION_HANDLE hSession,
			   CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	(void)pMechanism;
	(void)hKey;
	return p11_unsupported(hSession, __func__);
}

/* C_EncryptMessage (5.9.2): not supported. */
CK_RV C_EncryptMessage(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
		       CK_ULONG ulParameterLen, CK_BYTE_PTR pAssociatedData,
		       CK_ULONG ulAssociatedDataLen, CK_BYTE_PTR pPlaintext,
		       CK_ULONG ulPlaintextLen, CK_BYTE_PTR pCiphertext,
		       CK_ULONG_PTR pulCiphertextLen)
{
	(void)pParameter;
	(void)ulParameterLen;
	(void)pAssociatedData;
	(void)ulAssociatedDataLen;
	(void)pPlaintext;
	(void)ulPlaintextLen;
	(void)pCiphertext;
	(void)pulCiphertextLen;
	return p11_unsupported(hSession, __func__);
}

/* C_EncryptMessageBegin (5.9.3): not supported. */
CK_RV C_EncryptMessageBegin(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
			    CK_ULONG ulParameterLen,
			    CK_BYTE_PTR pAssociatedData,
			    CK_ULONG ulAssociatedDataLen)
{
	(void)pParameter;
	(void)ulParameterLen;
	(void)pAssociatedData;
	(void)ulAssociatedDataLen;
	return p11_unsupported(hSession, __func__);
}

/* C_EncryptMessageNext (5.9.4): not supported. */
CK_RV C_EncryptMessageNext(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
			   CK_ULONG ulParameterLen, CK_BYTE_PTR pPlaintextPart,
			   CK_ULONG ulPlaintextPartLen,
			   CK_BYTE_PTR pCiphertextPart,
			   CK_ULONG_PTR pulCiphertextPartLen, CK_FLAGS flags)
{
	(void)pParameter;
	(void)ulParameterLen;
	(void)pPlaintextPart;
	(void)ulPlaintextPartLen;
	(void)pCiphertextPart;
	(void)pulCiphertextPartLen;
	(void)flags;
	return p11_unsupported(hSession, __func__);
}

/* C_MessageEncryptFinal (5.9.5): not supported. */
CK_RV C_MessageEncryptFinal(CK_SESSION_HANDLE hSession)
{
	return p11_unsupported(hSession, __func__);
}

/* C_MessageDecryptInit (5.11.1): not supported. */
CK_RV C_MessageDecryptInit(CK_SESSION_HANDLE hSession,
			   CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	(void)pMechanism;
	(void)hKey;
	return p11_unsupported(hSession, __func__);
}

/* C_DecryptMessage (5.11.2): not supported. */
CK_RV C_DecryptMessage(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
		       CK_ULONG ulParameterLen, CK_BYTE_PTR pAssociatedData,
		       CK_ULONG ulAssociatedDataLen, CK_BYTE_PTR pCiphertext,
		       CK_ULONG ulCiphertextLen, CK_BYTE_PTR pPlaintext,
		       CK_ULONG_PTR pulPlaintextLen)
{
	(void)pParameter;
	(void)ulParameterLen;
	(void)pAssociatedData;
	(void)ulAssociatedDataLen;
	(void)pCiphertext;
	(void)ulCiphertextLen;
	(void)pPlaintext;
	(void)pulPlaintextLen;
	return p11_unsupported(hSession, __func__);
}

/* C_DecryptMessageBegin (5.11.3): not supported. */
CK_RV C_DecryptMessageBegin(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
			    CK_ULONG ulParameterLen,
			    CK_BYTE_PTR pAssociatedData,
			    CK_ULONG ulAssociatedDataLen)
{
	(void)pParameter;
	(void)ulParameterLen;
	(void)pAssociatedData;
	(void)ulAssociatedDataLen;
	return p11_unsupported(hSession, __func__);
}

/* C_DecryptMessageNext (5.11.4): not supported. */
CK_RV C_DecryptMessageNext(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
			   CK_ULONG ulParameterLen, CK_BYTE_PTR pCiphertextPart,
			   CK_ULONG ulCiphertextPartLen,
			   CK_BYTE_PTR pPlaintextPart,
			   CK_ULONG_PTR pulPlaintextPartLen, CK_FLAGS flags)
{
	(void)pParameter;
	(void)ulParameterLen;
	(void)pCiphertextPart;
	(void)ulCiphertextPartLen;
	(void)pPlaintextPart;
	(void)pulPlaintextPartLen;
	(void)flags;
	return p11_unsupported(hSession, __func__);
}

/* C_MessageDecryptFinal (5.11.5): not supported. */
CK_RV C_MessageDecryptFinal(CK_SESSION_HANDLE hSession)
{
	return p11_unsupported(hSession, __func__);
}

/* C_MessageSignInit (5.14.1): not supported. */
CK_RV C_MessageSignInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			CK_OBJECT_HANDLE hKey)
{
	(void)pMechanism;
	(void)hKey;
	return p11_unsupported(hSession, __func__);
}

/* C_SignMessage (5.14.2): not supported. */
CK_RV C_SignMessage(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
		    CK_ULONG ulParameterLen, CK_BYTE_PTR pData,
		    CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,
		    CK_ULONG_PTR pulSignatureLen)
{
	(void)pParameter;
	(void)ulParameterLen;
	(void)pData;
	(void)ulDataLen;
	(void)pSignature;
	(void)pulSignatureLen;
	return p11_unsupported(hSession, __func__);
}

/* C_SignMessageBegin (5.14.3): not supported. */
CK_RV C_SignMessageBegin(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
			 CK_ULONG ulParameterLen)
{
	(void)pParameter;
	(void)ulParameterLen;
	return p11_unsupported(hSession, __func__);
}

/* C_SignMessageNext (5.14.4): not supported. */
CK_RV C_SignMessageNext(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
			CK_ULONG ulParameterLen, CK_BYTE_PTR pData,
			CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,
			CK_ULONG_PTR pulSignatureLen)
{
	(void)pParameter;
	(void)ulParameterLen;
	(void)pData;
	(void)ulDataLen;
	(void)pSignature;
	(void)pulSignatureLen;
	return p11_unsupported(hSession, __func__);
}

/* C_MessageSignFinal (5.14.5): not supported. */
CK_RV C_MessageSignFinal(CK_SESSION_HANDLE hSession)
{
	return p11_unsupported(hSession, __func__);
}

/* C_MessageVerifyInit (5.16.1): not supported. */
CK_RV C_MessageVerifyInit(CK_SESSION_HANDLE hSession,
			  CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	(void)pMechanism;
	(void)hKey;
	return p11_unsupported(hSession, __func__);
}

/* C_VerifyMessage (5.16.2): not supported. */
CK_RV C_VerifyMessage(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
		      CK_ULONG ulParameterLen, CK_BYTE_PTR pData,
		      CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,
		      CK_ULONG ulSignatureLen)
{
	(void)pParameter;
	(void)ulParameterLen;
	(void)pData;
	(void)ulDataLen;
	(void)pSignature;
	(void)ulSignatureLen;
	return p11_unsupported(hSession, __func__);
}

/* C_VerifyMessageBegin (5.16.3): not supported. */
CK_RV C_VerifyMessageBegin(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
			   CK_ULONG ulParameterLen)
{
	(void)pParameter;
	(void)ulParameterLen;
	return p11_unsupported(hSession, __func__);
}

/* C_VerifyMessageNext (5.16.4): not supported. */
CK_RV C_VerifyMessageNext(CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,
			  CK_ULONG ulParameterLen, CK_BYTE_PTR pData,
			  CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,
			  CK_ULONG ulSignatureLen)
{
	(void)pParameter;
	(void)ulParameterLen;
	(void)pData;
	(void)ulDataLen;
	(void)pSignature;
	(void)ulSignatureLen;
	return p11_unsupported(hSession, __func__);
}

/* C_MessageVerifyFinal (5.16.5): not supported. */
CK_RV C_MessageVerifyFinal(CK_SESSION_HANDLE hSession)
{
	return p11_unsupported(hSession, __func__);
}
