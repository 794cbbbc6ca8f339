// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * khsm-pkcs11: function lists, interfaces and general-purpose functions
 * (PKCS#11 v3.0 base spec 5.4), plus the lifetime checks every call uses.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

_Static_assert(sizeof(CK_ULONG) == 8,
	       "khsm-pkcs11 packs slot and session into one CK_ULONG (LP64)");

struct p11_state p11 = {
	.life = PTHREAD_RWLOCK_INITIALIZER,
	.open_lock = PTHREAD_MUTEX_INITIALIZER,
	.ev_lock = PTHREAD_MUTEX_INITIALIZER,
	.wake_fd = -1,
};

static bool p11_live(void)
{
	return __atomic_load_n(&p11.initialized, __ATOMIC_ACQUIRE) &&
	       __atomic_load_n(&p11.pid, __ATOMIC_RELAXED) == hsm_getpid();
}

CK_RV p11_enter(struct p11_call *c)
{
	memset(c, 0, sizeof(*c));
	/* Checked before locking: a forked child may inherit a held lock. */
	if (!p11_live())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	if (pthread_rwlock_rdlock(&p11.life))
		return CKR_CANT_LOCK;
	c->locked = true;
	/* C_Finalize may have run while we waited for the lock. */
	if (!p11_live())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	return CKR_OK;
}

CK_RV p11_enter_slot(struct p11_call *c, CK_SLOT_ID id)
{
	CK_RV rv = p11_enter(c);

	if (rv != CKR_OK)
		return rv;
	c->slot = p11_slot_find(id);
	return c->slot ? CKR_OK : CKR_SLOT_ID_INVALID;
}

CK_RV p11_enter_token(struct p11_call *c, CK_SLOT_ID id)
{
	CK_RV rv = p11_enter_slot(c, id);

	if (rv != CKR_OK)
		return rv;
	return p11_slot_open(c->slot, &c->tok);
}

CK_RV p11_enter_session(struct p11_call *c, CK_SESSION_HANDLE h)
{
	CK_RV rv = p11_enter(c);
	uint32_t ks = (uint32_t)(h & 0xffffffffUL);

	if (rv != CKR_OK)
		return rv;
	if (h == CK_INVALID_HANDLE || ks == 0)
		return CKR_SESSION_HANDLE_INVALID;
	c->slot = p11_slot_find(h >> 32);
	if (!c->slot)
		return CKR_SESSION_HANDLE_INVALID;
	c->tok = __atomic_load_n(&c->slot->tok, __ATOMIC_ACQUIRE);
	/* No file open on this slot: no session can exist on it. */
	if (!c->tok)
		return CKR_SESSION_HANDLE_INVALID;
	c->session = ks;
	return CKR_OK;
}

CK_RV p11_leave(struct p11_call *c, const char *fn, CK_RV rv)
{
	if (c->locked)
		pthread_rwlock_unlock(&p11.life);
	c->locked = false;
	p11_log(fn, rv);
	return rv;
}

/*
 * C_Initialize (5.4.1). Locking: CKF_OS_LOCKING_OK (we use pthreads) or
 * no locking request at all are accepted; mutex callbacks alone cannot be
 * honoured (CKR_CANT_LOCK); callbacks must be all set or all NULL.
 */
static CK_RV init_args_check(const CK_C_INITIALIZE_ARGS *a)
{
	int set;

	if (!a)
		return CKR_OK;
	if (a->pReserved)
		return CKR_ARGUMENTS_BAD;
	set = !!a->CreateMutex + !!a->DestroyMutex + !!a->LockMutex +
	      !!a->UnlockMutex;
	if (set != 0 && set != 4)
		return CKR_ARGUMENTS_BAD;
	if (set == 4 && !(a->flags & CKF_OS_LOCKING_OK))
		return CKR_CANT_LOCK;
	return CKR_OK;
}

CK_RV C_Initialize(CK_VOID_PTR pInitArgs)
{
	CK_RV rv = init_args_check(pInitArgs);
	bool child;

	if (rv != CKR_OK) {
		p11_log(__func__, rv);
		return rv;
	}
	/*
	 * In a child of fork() of a process that used this module the
	 * parent's state is stale: locks may be held by threads that do not
	 * exist here. Reset the locks and drop the inherited token handles
	 * (closing the child's descriptors only: the parent's sessions live
	 * on in the shared open file). A child must not race C_Initialize
	 * from several threads.
	 */
	child = __atomic_load_n(&p11.pid, __ATOMIC_RELAXED) != 0 &&
		__atomic_load_n(&p11.pid, __ATOMIC_RELAXED) != hsm_getpid();
	if (child) {
		pthread_rwlock_init(&p11.life, NULL);
		pthread_mutex_init(&p11.open_lock, NULL);
		pthread_mutex_init(&p11.ev_lock, NULL);
	}
	if (pthread_rwlock_wrlock(&p11.life)) {
		p11_log(__func__, CKR_CANT_LOCK);
		return CKR_CANT_LOCK;
	}
	if (child) {
		p11_logf("C_Initialize: in a child of fork(), dropping %u inherited slot(s)",
			 p11.nslots);
		p11_events_stop();
		p11_slots_drop();
		__atomic_store_n(&p11.initialized, false, __ATOMIC_RELEASE);
	}
	if (p11.initialized) {
		rv = CKR_CRYPTOKI_ALREADY_INITIALIZED;
		goto out;
	}
	rv = p11_slots_refresh();
	if (rv != CKR_OK)
		goto out;
	/* Failures are logged; C_WaitForSlotEvent tries again. */
	p11_events_start();
	__atomic_store_n(&p11.pid, hsm_getpid(), __ATOMIC_RELAXED);
	__atomic_store_n(&p11.initialized, true, __ATOMIC_RELEASE);
out:
	pthread_rwlock_unlock(&p11.life);
	p11_log(__func__, rv);
	return rv;
}

/*
 * C_Finalize (5.4.2): closes every token file, ending our sessions. A
 * thread blocked in C_WaitForSlotEvent is woken first (it holds `life`
 * for reading) and returns CKR_CRYPTOKI_NOT_INITIALIZED.
 */
CK_RV C_Finalize(CK_VOID_PTR pReserved)
{
	CK_RV rv = CKR_OK;

	if (!p11_live()) {
		rv = CKR_CRYPTOKI_NOT_INITIALIZED;
		goto log;
	}
	if (pReserved) {
		rv = CKR_ARGUMENTS_BAD;
		goto log;
	}
	p11_events_wake();
	if (pthread_rwlock_wrlock(&p11.life)) {
		rv = CKR_CANT_LOCK;
		goto log;
	}
	if (!p11_live()) {
		rv = CKR_CRYPTOKI_NOT_INITIALIZED;
	} else {
		p11_events_stop();
		p11_slots_drop();
	}
	__atomic_store_n(&p11.initialized, false, __ATOMIC_RELEASE);
	pthread_rwlock_unlock(&p11.life);
log:
	p11_log(__func__, rv);
	return rv;
}

static CK_RV get_info(CK_INFO_PTR pInfo, CK_BYTE major, CK_BYTE minor)
{
	struct p11_call c;
	CK_RV rv = p11_enter(&c);

	if (rv == CKR_OK && !pInfo)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK) {
		memset(pInfo, 0, sizeof(*pInfo));
		pInfo->cryptokiVersion.major = major;
		pInfo->cryptokiVersion.minor = minor;
		p11_pad(pInfo->manufacturerID, sizeof(pInfo->manufacturerID),
			P11_MANUFACTURER);
		pInfo->flags = 0;
		p11_pad(pInfo->libraryDescription,
			sizeof(pInfo->libraryDescription),
			"khsm kernel token PKCS#11 module");
		pInfo->libraryVersion.major = P11_LIB_MAJOR;
		pInfo->libraryVersion.minor = P11_LIB_MINOR;
	}
	return p11_leave(&c, "C_GetInfo", rv);
}

/* C_GetInfo (5.4.3), as reached through the 2.40 function list. */
CK_RV C_GetInfo(CK_INFO_PTR pInfo)
{
	return get_info(pInfo, 2, 40);
}

/* C_GetInfo (5.4.3), as reached through the 3.0 function list. */
CK_RV C_GetInfo_3_0(CK_INFO_PTR pInfo)
{
	return get_info(pInfo, 3, 0);
}

#define P11_2_40_FUNCTIONS(getinfo)					\
	.C_Initialize = C_Initialize,					\
	.C_Finalize = C_Finalize,					\
	.C_GetInfo = getinfo,						\
	.C_GetFunctionList = C_GetFunctionList,				\
	.C_GetSlotList = C_GetSlotList,					\
	.C_GetSlotInfo = C_GetSlotInfo,					\
	.C_GetTokenInfo = C_GetTokenInfo,				\
	.C_GetMechanismList = C_GetMechanismList,			\
	.C_GetMechanismInfo = C_GetMechanismInfo,			\
	.C_InitToken = C_InitToken,					\
	.C_InitPIN = C_InitPIN,						\
	.C_SetPIN = C_SetPIN,						\
	.C_OpenSession = C_OpenSession,					\
	.C_CloseSession = C_CloseSession,				\
	.C_CloseAllSessions = C_CloseAllSessions,			\
	.C_GetSessionInfo = C_GetSessionInfo,				\
	.C_GetOperationState = C_GetOperationState,			\
	.C_SetOperationState = C_SetOperationState,			\
	.C_Login = C_Login,						\
	.C_Logout = C_Logout,						\
	.C_CreateObject = C_CreateObject,				\
	.C_CopyObject = C_CopyObject,					\
	.C_DestroyObject = C_DestroyObject,				\
	.C_GetObjectSize = C_GetObjectSize,				\
	.C_GetAttributeValue = C_GetAttributeValue,			\
	.C_SetAttributeValue = C_SetAttributeValue,			\
	.C_FindObjectsInit = C_FindObjectsInit,				\
	.C_FindObjects = C_FindObjects,					\
	.C_FindObjectsFinal = C_FindObjectsFinal,			\
	.C_EncryptInit = C_EncryptInit,					\
	.C_Encrypt = C_Encrypt,						\
	.C_EncryptUpdate = C_EncryptUpdate,				\
	.C_EncryptFinal = C_EncryptFinal,				\
	.C_DecryptInit = C_DecryptInit,					\
	.C_Decrypt = C_Decrypt,						\
	.C_DecryptUpdate = C_DecryptUpdate,				\
	.C_DecryptFinal = C_DecryptFinal,				\
	.C_DigestInit = C_DigestInit,					\
	.C_Digest = C_Digest,						\
	.C_DigestUpdate = C_DigestUpdate,				\
	.C_DigestKey = C_DigestKey,					\
	.C_DigestFinal = C_DigestFinal,					\
	.C_SignInit = C_SignInit,					\
	.C_Sign = C_Sign,						\
	.C_SignUpdate = C_SignUpdate,					\
	.C_SignFinal = C_SignFinal,					\
	.C_SignRecoverInit = C_SignRecoverInit,				\
	.C_SignRecover = C_SignRecover,					\
	.C_VerifyInit = C_VerifyInit,					\
	.C_Verify = C_Verify,						\
	.C_VerifyUpdate = C_VerifyUpdate,				\
	.C_VerifyFinal = C_VerifyFinal,					\
	.C_VerifyRecoverInit = C_VerifyRecoverInit,			\
	.C_VerifyRecover = C_VerifyRecover,				\
	.C_DigestEncryptUpdate = C_DigestEncryptUpdate,			\
	.C_DecryptDigestUpdate = C_DecryptDigestUpdate,			\
	.C_SignEncryptUpdate = C_SignEncryptUpdate,			\
	.C_DecryptVerifyUpdate = C_DecryptVerifyUpdate,			\
	.C_GenerateKey = C_GenerateKey,					\
	.C_GenerateKeyPair = C_GenerateKeyPair,				\
	.C_WrapKey = C_WrapKey,						\
	.C_UnwrapKey = C_UnwrapKey,					\
	.C_DeriveKey = C_DeriveKey,					\
	.C_SeedRandom = C_SeedRandom,					\
	.C_GenerateRandom = C_GenerateRandom,				\
	.C_GetFunctionStatus = C_GetFunctionStatus,			\
	.C_CancelFunction = C_CancelFunction,				\
	.C_WaitForSlotEvent = C_WaitForSlotEvent

static CK_FUNCTION_LIST list_2_40 = {
	.version = { 2, 40 },
	P11_2_40_FUNCTIONS(C_GetInfo),
};

static CK_FUNCTION_LIST_3_0 list_3_0 = {
	.version = { 3, 0 },
	P11_2_40_FUNCTIONS(C_GetInfo_3_0),
	.C_GetInterfaceList = C_GetInterfaceList,
	.C_GetInterface = C_GetInterface,
	.C_LoginUser = C_LoginUser,
	.C_SessionCancel = C_SessionCancel,
	.C_MessageEncryptInit = C_MessageEncryptInit,
	.C_EncryptMessage = C_EncryptMessage,
	.C_EncryptMessageBegin = C_EncryptMessageBegin,
	.C_EncryptMessageNext = C_EncryptMessageNext,
	.C_MessageEncryptFinal = C_MessageEncryptFinal,
	.C_MessageDecryptInit = C_MessageDecryptInit,
	.C_DecryptMessage = C_DecryptMessage,
	.C_DecryptMessageBegin = C_DecryptMessageBegin,
	.C_DecryptMessageNext = C_DecryptMessageNext,
	.C_MessageDecryptFinal = C_MessageDecryptFinal,
	.C_MessageSignInit = C_MessageSignInit,
	.C_SignMessage = C_SignMessage,
	.C_SignMessageBegin = C_SignMessageBegin,
	.C_SignMessageNext = C_SignMessageNext,
	.C_MessageSignFinal = C_MessageSignFinal,
	.C_MessageVerifyInit = C_MessageVerifyInit,
	.C_VerifyMessage = C_VerifyMessage,
	.C_VerifyMessageBegin = C_VerifyMessageBegin,
	.C_VerifyMessageNext = C_VerifyMessageNext,
	.C_MessageVerifyFinal = C_MessageVerifyFinal,
};

static CK_CHAR interface_name[] = "PKCS 11";

/* Newest first: C_GetInterface with no version picks the first match. */
static CK_INTERFACE interfaces[] = {
	{ interface_name, &list_3_0, 0 },
	{ interface_name, &list_2_40, 0 },
};

#define N_INTERFACES (sizeof(interfaces) / sizeof(interfaces[0]))

/* C_GetFunctionList (5.4.4): the 2.40 list. Callable before C_Initialize. */
P11_EXPORT CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR ppFunctionList)
{
	CK_RV rv = CKR_OK;

	if (!ppFunctionList)
		rv = CKR_ARGUMENTS_BAD;
	else
		*ppFunctionList = &list_2_40;
	p11_log(__func__, rv);
	return rv;
}

/*
 * C_GetInterfaceList (5.4.5): "PKCS 11" 3.0 and 2.40, with the length
 * protocol on *pulCount. Callable before C_Initialize.
 */
P11_EXPORT CK_RV C_GetInterfaceList(CK_INTERFACE_PTR pInterfacesList,
				    CK_ULONG_PTR pulCount)
{
	CK_RV rv = CKR_OK;

	if (!pulCount) {
		rv = CKR_ARGUMENTS_BAD;
	} else if (!pInterfacesList) {
		*pulCount = N_INTERFACES;
	} else if (*pulCount < N_INTERFACES) {
		*pulCount = N_INTERFACES;
		rv = CKR_BUFFER_TOO_SMALL;
	} else {
		memcpy(pInterfacesList, interfaces, sizeof(interfaces));
		*pulCount = N_INTERFACES;
	}
	p11_log(__func__, rv);
	return rv;
}

/*
 * C_GetInterface (5.4.6): by name (NULL = any), version (NULL = newest)
 * and flags (every requested flag must be offered; we offer none).
 */
P11_EXPORT CK_RV C_GetInterface(CK_UTF8CHAR_PTR pInterfaceName,
				CK_VERSION_PTR pVersion,
				CK_INTERFACE_PTR_PTR ppInterface,
				CK_FLAGS flags)
{
	CK_RV rv = CKR_ARGUMENTS_BAD;
	size_t i;

	if (!ppInterface)
		goto out;
	*ppInterface = NULL;
	for (i = 0; i < N_INTERFACES; i++) {
		CK_INTERFACE *in = &interfaces[i];
		const CK_VERSION *v = in->pFunctionList;

		if (pInterfaceName &&
		    strcmp((const char *)pInterfaceName,
			   (const char *)in->pInterfaceName))
			continue;
		if (pVersion && (pVersion->major != v->major ||
				 pVersion->minor != v->minor))
			continue;
		if ((in->flags & flags) != flags)
			continue;
		*ppInterface = in;
		rv = CKR_OK;
		goto out;
	}
out:
	p11_log(__func__, rv);
	return rv;
}

/* C_GetFunctionStatus (5.20.1): legacy, always CKR_FUNCTION_NOT_PARALLEL. */
CK_RV C_GetFunctionStatus(CK_SESSION_HANDLE hSession)
{
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);

	if (rv == CKR_OK)
		rv = CKR_FUNCTION_NOT_PARALLEL;
	return p11_leave(&c, __func__, rv);
}

/* C_CancelFunction (5.20.1): legacy, always CKR_FUNCTION_NOT_PARALLEL. */
CK_RV C_CancelFunction(CK_SESSION_HANDLE hSession)
{
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);

	if (rv == CKR_OK)
		rv = CKR_FUNCTION_NOT_PARALLEL;
	return p11_leave(&c, __func__, rv);
}
