// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * khsm-pkcs11: session management (PKCS#11 v3.0 base spec 5.6). Sessions,
 * their states and login are kernel objects of our open file; we only
 * translate handles (internal.h).
 */
#include <string.h>

#include "internal.h"

/*
 * C_OpenSession (5.6.1). Parallel sessions do not exist (CKF_SERIAL_SESSION
 * is required); notification callbacks are accepted and never called, as
 * the spec allows.
 */
CK_RV C_OpenSession(CK_SLOT_ID slotID, CK_FLAGS flags,
		    CK_VOID_PTR pApplication, CK_NOTIFY Notify,
		    CK_SESSION_HANDLE_PTR phSession)
{
	struct p11_call c;
	CK_RV rv = p11_enter_slot(&c, slotID);
	uint32_t ks = 0;

	(void)pApplication;
	(void)Notify;
	if (rv != CKR_OK)
		goto out;
	if (!phSession) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (!(flags & CKF_SERIAL_SESSION)) {
		rv = CKR_SESSION_PARALLEL_NOT_SUPPORTED;
		goto out;
	}
	rv = p11_slot_open(c.slot, &c.tok);
	if (rv == CKR_OK)
		rv = hsm_open_session(c.tok, flags, &ks);
	if (rv == CKR_OK)
		*phSession = p11_session_handle(c.slot->id, ks);
out:
	return p11_leave(&c, __func__, rv);
}

/* C_CloseSession (5.6.2). */
CK_RV C_CloseSession(CK_SESSION_HANDLE hSession)
{
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);

	if (rv == CKR_OK)
		rv = hsm_close_session(c.tok, c.session);
	return p11_leave(&c, __func__, rv);
}

/*
 * C_CloseAllSessions (5.6.3): this application's sessions on the slot.
 * Without an open file on the slot there is nothing to close.
 */
CK_RV C_CloseAllSessions(CK_SLOT_ID slotID)
{
	struct p11_call c;
	CK_RV rv = p11_enter_slot(&c, slotID);

	if (rv == CKR_OK)
		c.tok = __atomic_load_n(&c.slot->tok, __ATOMIC_ACQUIRE);
	if (rv == CKR_OK && c.tok)
		rv = hsm_close_all_sessions(c.tok);
	return p11_leave(&c, __func__, rv);
}

/* C_GetSessionInfo (5.6.4). */
CK_RV C_GetSessionInfo(CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR pInfo)
{
	unsigned long state = 0, flags = 0;
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);

	if (rv == CKR_OK && !pInfo)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = hsm_session_info(c.tok, c.session, &state, &flags);
	if (rv == CKR_OK) {
		memset(pInfo, 0, sizeof(*pInfo));
		pInfo->slotID = c.slot->id;
		pInfo->state = state;
		pInfo->flags = flags;
		pInfo->ulDeviceError = 0;
	}
	return p11_leave(&c, __func__, rv);
}

/*
 * C_SessionCancel (5.6.5, v3.0): end the active operations named in
 * @flags (CKF_ENCRYPT, CKF_DECRYPT, CKF_DIGEST, CKF_SIGN, CKF_VERIFY).
 * Kinds this token has no operation for cannot be active and are ignored;
 * an inactive operation is not an error.
 */
CK_RV C_SessionCancel(CK_SESSION_HANDLE hSession, CK_FLAGS flags)
{
	static const struct {
		CK_FLAGS flag;
		unsigned int op;
	} kinds[] = {
		{ CKF_ENCRYPT, KHSM_OP_ENCRYPT },
		{ CKF_DECRYPT, KHSM_OP_DECRYPT },
		{ CKF_DIGEST, KHSM_OP_DIGEST },
		{ CKF_SIGN, KHSM_OP_SIGN },
		{ CKF_VERIFY, KHSM_OP_VERIFY },
	};
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);
	size_t i;

	for (i = 0; rv == CKR_OK && i < sizeof(kinds) / sizeof(kinds[0]);
	     i++) {
		if (!(flags & kinds[i].flag))
			continue;
		rv = hsm_op_cancel(c.tok, c.session, kinds[i].op);
		if (rv == CKR_OPERATION_NOT_INITIALIZED)
			rv = CKR_OK;
	}
	return p11_leave(&c, __func__, rv);
}

/* C_GetOperationState (5.6.6): operation state never leaves the kernel. */
CK_RV C_GetOperationState(CK_SESSION_HANDLE hSession,
			  CK_BYTE_PTR pOperationState,
			  CK_ULONG_PTR pulOperationStateLen)
{
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);

	(void)pOperationState;
	(void)pulOperationStateLen;
	if (rv == CKR_OK)
		rv = CKR_FUNCTION_NOT_SUPPORTED;
	return p11_leave(&c, __func__, rv);
}

/* C_SetOperationState (5.6.7): see C_GetOperationState. */
CK_RV C_SetOperationState(CK_SESSION_HANDLE hSession,
			  CK_BYTE_PTR pOperationState,
			  CK_ULONG ulOperationStateLen,
			  CK_OBJECT_HANDLE hEncryptionKey,
			  CK_OBJECT_HANDLE hAuthenticationKey)
{
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);

	(void)pOperationState;
	(void)ulOperationStateLen;
	(void)hEncryptionKey;
	(void)hAuthenticationKey;
	if (rv == CKR_OK)
		rv = CKR_FUNCTION_NOT_SUPPORTED;
	return p11_leave(&c, __func__, rv);
}

/*
 * C_Login (5.6.8). No protected authentication path: the PIN is required.
 * libhsm derives the verifier; the kernel checks it and the user type.
 */
CK_RV C_Login(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType,
	      CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
{
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);

	if (rv == CKR_OK && !pPin)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = hsm_login(c.tok, c.session, userType, pPin, ulPinLen);
	return p11_leave(&c, __func__, rv);
}

/*
 * C_LoginUser (5.6.9, v3.0). This token has no named users: without a
 * username it is C_Login, with one the arguments cannot be satisfied.
 */
CK_RV C_LoginUser(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType,
		  CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen,
		  CK_UTF8CHAR_PTR pUsername, CK_ULONG ulUsernameLen)
{
	struct p11_call c;
	CK_RV rv;

	if (!pUsername && ulUsernameLen == 0)
		return C_Login(hSession, userType, pPin, ulPinLen);
	rv = p11_enter_session(&c, hSession);
	if (rv == CKR_OK)
		rv = CKR_ARGUMENTS_BAD;
	return p11_leave(&c, __func__, rv);
}

/* C_Logout (5.6.10). */
CK_RV C_Logout(CK_SESSION_HANDLE hSession)
{
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);

	if (rv == CKR_OK)
		rv = hsm_logout(c.tok, c.session);
	return p11_leave(&c, __func__, rv);
}
