// SPDX-License-Identifier: GPL-2.0
/*
 * khsm-pkcs11.so, general and slot/token functions: the not-initialised
 * state, C_Initialize/C_Finalize rules, C_GetInfo, slots, token info before
 * and after C_InitToken, the exact mechanism list, C_InitPIN/C_Login/
 * C_Logout with right and wrong PINs, CKR_ARGUMENTS_BAD for NULL
 * arguments, the 3.0 interface entry points.
 */
#include <dlfcn.h>
#include <string.h>

#include "kselftest_harness.h"
#include "p11_util.h"
#include "khsm_mechs.h"

#define RW (CKF_SERIAL_SESSION | CKF_RW_SESSION)

static int blank_padded(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return 0;
	return 1;
}

TEST(not_initialised)
{
	CK_FUNCTION_LIST_PTR f = p_load();
	CK_SLOT_ID slots[4];
	CK_ULONG n = 4;
	CK_INFO info;
	CK_SESSION_HANDLE s;

	ASSERT_NE(NULL, f);
	EXPECT_EQ(CKR_CRYPTOKI_NOT_INITIALIZED, f->C_GetSlotList(CK_FALSE, slots, &n));
	EXPECT_EQ(CKR_CRYPTOKI_NOT_INITIALIZED, f->C_GetInfo(&info));
	EXPECT_EQ(CKR_CRYPTOKI_NOT_INITIALIZED,
		  f->C_OpenSession(0, RW, NULL, NULL, &s));
	EXPECT_EQ(CKR_CRYPTOKI_NOT_INITIALIZED, f->C_CloseAllSessions(0));
	EXPECT_EQ(CKR_CRYPTOKI_NOT_INITIALIZED, f->C_Finalize(NULL));
}

TEST(initialize_rules)
{
	CK_FUNCTION_LIST_PTR f = p_load();
	CK_C_INITIALIZE_ARGS bad = { .flags = CKF_OS_LOCKING_OK, .pReserved = (void *)1 };
	CK_C_INITIALIZE_ARGS half = { .flags = 0 };

	ASSERT_NE(NULL, f);
	EXPECT_EQ(CKR_ARGUMENTS_BAD, f->C_Initialize(&bad));
	/* Some but not all mutex callbacks. */
	half.CreateMutex = (CK_CREATEMUTEX)1;
	EXPECT_EQ(CKR_ARGUMENTS_BAD, f->C_Initialize(&half));
	ASSERT_EQ(CKR_OK, f->C_Initialize(NULL));
	EXPECT_EQ(CKR_CRYPTOKI_ALREADY_INITIALIZED, f->C_Initialize(NULL));
	EXPECT_EQ(CKR_ARGUMENTS_BAD, f->C_Finalize((void *)1));
	EXPECT_EQ(CKR_OK, f->C_Finalize(NULL));
	EXPECT_EQ(CKR_CRYPTOKI_NOT_INITIALIZED, f->C_Finalize(NULL));
	/* And again, after a finalize. */
	ASSERT_EQ(CKR_OK, f->C_Initialize(NULL));
	EXPECT_EQ(CKR_OK, f->C_Finalize(NULL));
}

TEST(get_info)
{
	CK_FUNCTION_LIST_PTR f = p_init();
	CK_INFO info;

	ASSERT_NE(NULL, f);
	memset(&info, 0, sizeof(info));
	ASSERT_EQ(CKR_OK, f->C_GetInfo(&info));
	EXPECT_TRUE(info.cryptokiVersion.major == 2 || info.cryptokiVersion.major == 3);
	EXPECT_EQ(0UL, info.flags);
	EXPECT_TRUE(blank_padded(info.manufacturerID, sizeof(info.manufacturerID)));
	EXPECT_TRUE(blank_padded(info.libraryDescription,
				 sizeof(info.libraryDescription)));
	EXPECT_NE(' ', info.manufacturerID[0]);
	EXPECT_EQ(CKR_ARGUMENTS_BAD, f->C_GetInfo(NULL));
	EXPECT_EQ(2, f->version.major);
	EXPECT_EQ(40, f->version.minor);
	f->C_Finalize(NULL);
}

TEST(interfaces)
{
	void *h = p_dlopen();
	P_C_GetInterfaceList gil;
	P_C_GetInterface gi;
	P_CK_INTERFACE list[8], *iface = NULL;
	CK_ULONG n = 0, i;
	CK_VERSION v30 = { 3, 0 };
	int has30 = 0, has240 = 0;

	ASSERT_NE(NULL, h);
	gil = (P_C_GetInterfaceList)dlsym(h, "C_GetInterfaceList");
	gi = (P_C_GetInterface)dlsym(h, "C_GetInterface");
	ASSERT_NE(NULL, gil);
	ASSERT_NE(NULL, gi);
	/* Nothing else is exported. */
	EXPECT_EQ(NULL, dlsym(h, "C_Initialize"));
	EXPECT_EQ(NULL, dlsym(h, "C_Sign"));

	EXPECT_EQ(CKR_ARGUMENTS_BAD, gil(NULL, NULL));
	ASSERT_EQ(CKR_OK, gil(NULL, &n));
	ASSERT_LE(1UL, n);
	ASSERT_GE(8UL, n);
	if (n > 1) {
		CK_ULONG small = 1;

		EXPECT_EQ(CKR_BUFFER_TOO_SMALL, gil(list, &small));
		EXPECT_EQ(n, small);
	}
	ASSERT_EQ(CKR_OK, gil(list, &n));
	for (i = 0; i < n; i++) {
		CK_VERSION *ver = list[i].pFunctionList;

		EXPECT_EQ(0, strcmp((char *)list[i].pInterfaceName, "PKCS 11"));
		if (ver->major == 3 && ver->minor == 0)
			has30 = 1;
		if (ver->major == 2 && ver->minor == 40)
			has240 = 1;
	}
	EXPECT_TRUE(has30);
	EXPECT_TRUE(has240);

	ASSERT_EQ(CKR_OK, gi(NULL, NULL, &iface, 0));
	ASSERT_NE(NULL, iface);
	ASSERT_EQ(CKR_OK, gi((CK_UTF8CHAR *)"PKCS 11", &v30, &iface, 0));
	EXPECT_EQ(3, ((CK_VERSION *)iface->pFunctionList)->major);
	EXPECT_EQ(CKR_ARGUMENTS_BAD, gi(NULL, NULL, NULL, 0));
	EXPECT_NE(CKR_OK, gi((CK_UTF8CHAR *)"Vendor XYZ", NULL, &iface, 0));

	/* The 3.0 list works like the 2.40 one. */
	ASSERT_EQ(CKR_OK, gi((CK_UTF8CHAR *)"PKCS 11", &v30, &iface, 0));
	CK_FUNCTION_LIST_PTR f30 = iface->pFunctionList;
	CK_INFO info;

	ASSERT_EQ(CKR_OK, f30->C_Initialize(NULL));
	ASSERT_EQ(CKR_OK, f30->C_GetInfo(&info));
	EXPECT_EQ(3, info.cryptokiVersion.major);
	EXPECT_EQ(CKR_OK, f30->C_Finalize(NULL));
}

TEST(slots_and_token_info)
{
	CK_FUNCTION_LIST_PTR f = p_init();
	CK_SLOT_ID slots[8];
	CK_ULONG n = 0, small = 0;
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;

	ASSERT_NE(NULL, f);
	ASSERT_EQ(CKR_OK, f->C_GetSlotList(CK_TRUE, NULL, &n));
	ASSERT_LE(1UL, n);
	ASSERT_GE(8UL, n);
	EXPECT_EQ(CKR_BUFFER_TOO_SMALL, f->C_GetSlotList(CK_TRUE, slots, &small));
	EXPECT_EQ(n, small);
	ASSERT_EQ(CKR_OK, f->C_GetSlotList(CK_TRUE, slots, &n));
	EXPECT_EQ(0UL, slots[0]);	/* slot N = /dev/hsmN */
	EXPECT_EQ(CKR_ARGUMENTS_BAD, f->C_GetSlotList(CK_TRUE, slots, NULL));

	ASSERT_EQ(CKR_OK, f->C_GetSlotInfo(slots[0], &si));
	EXPECT_NE(0UL, si.flags & CKF_TOKEN_PRESENT);
	EXPECT_NE(0UL, si.flags & CKF_HW_SLOT);
	EXPECT_TRUE(blank_padded(si.slotDescription, sizeof(si.slotDescription)));
	EXPECT_EQ(CKR_SLOT_ID_INVALID, f->C_GetSlotInfo(4242, &si));
	EXPECT_EQ(CKR_ARGUMENTS_BAD, f->C_GetSlotInfo(slots[0], NULL));

	ASSERT_EQ(CKR_OK, f->C_GetTokenInfo(slots[0], &ti));
	EXPECT_NE(0UL, ti.flags & CKF_RNG);
	EXPECT_NE(0UL, ti.flags & CKF_LOGIN_REQUIRED);
	EXPECT_LE(1UL, ti.ulMinPinLen);
	EXPECT_LE(ti.ulMinPinLen, ti.ulMaxPinLen);
	EXPECT_TRUE(blank_padded(ti.label, sizeof(ti.label)));
	EXPECT_TRUE(blank_padded(ti.serialNumber, sizeof(ti.serialNumber)));
	EXPECT_TRUE(blank_padded(ti.model, sizeof(ti.model)));
	EXPECT_EQ(CKR_SLOT_ID_INVALID, f->C_GetTokenInfo(4242, &ti));
	EXPECT_EQ(CKR_ARGUMENTS_BAD, f->C_GetTokenInfo(slots[0], NULL));

	/* Initialise and look again. */
	ASSERT_EQ(CKR_OK, p_reset_token(f, slots[0]));
	ASSERT_EQ(CKR_OK, f->C_GetTokenInfo(slots[0], &ti));
	EXPECT_NE(0UL, ti.flags & CKF_TOKEN_INITIALIZED);
	EXPECT_NE(0UL, ti.flags & CKF_USER_PIN_INITIALIZED);
	EXPECT_EQ(0, memcmp(ti.label, P_LABEL, strlen(P_LABEL)));
	EXPECT_EQ(' ', ti.label[31]);
	EXPECT_EQ(0UL, ti.ulSessionCount);
	f->C_Finalize(NULL);
}

TEST(mechanism_list_exact)
{
	CK_FUNCTION_LIST_PTR f = p_init();
	CK_MECHANISM_TYPE m[256];
	CK_MECHANISM_INFO mi;
	CK_ULONG n = 0, small = 1, i, j;
	CK_SLOT_ID slot;

	ASSERT_NE(NULL, f);
	slot = p_slot(f);
	ASSERT_EQ(CKR_OK, f->C_GetMechanismList(slot, NULL, &n));
	ASSERT_EQ(KHSM_N_EXPECTED_MECHS, n);
	EXPECT_EQ(CKR_BUFFER_TOO_SMALL, f->C_GetMechanismList(slot, m, &small));
	EXPECT_EQ(n, small);
	n = 256;
	ASSERT_EQ(CKR_OK, f->C_GetMechanismList(slot, m, &n));
	ASSERT_EQ(KHSM_N_EXPECTED_MECHS, n);
	for (i = 0; i < KHSM_N_EXPECTED_MECHS; i++) {
		for (j = 0; j < n; j++)
			if (m[j] == khsm_expected_mechs[i])
				break;
		EXPECT_LT(j, n) TH_LOG("mechanism 0x%lx missing", khsm_expected_mechs[i]);
		ASSERT_EQ(CKR_OK, f->C_GetMechanismInfo(slot, khsm_expected_mechs[i], &mi));
		EXPECT_EQ(khsm_expected_mech_flags(khsm_expected_mechs[i]),
			  mi.flags & khsm_expected_mech_flags(khsm_expected_mechs[i]));
	}
	EXPECT_EQ(CKR_MECHANISM_INVALID, f->C_GetMechanismInfo(slot, CKM_RSA_X_509, &mi));
	EXPECT_EQ(CKR_ARGUMENTS_BAD, f->C_GetMechanismInfo(slot, CKM_SHA256, NULL));
	EXPECT_EQ(CKR_ARGUMENTS_BAD, f->C_GetMechanismList(slot, m, NULL));
	EXPECT_EQ(CKR_SLOT_ID_INVALID, f->C_GetMechanismList(4242, m, &n));
	f->C_Finalize(NULL);
}

TEST(pins_login_logout)
{
	CK_FUNCTION_LIST_PTR f = p_init();
	CK_SESSION_HANDLE s, ro;
	CK_SESSION_INFO info;
	CK_TOKEN_INFO ti;
	CK_SLOT_ID slot;

	ASSERT_NE(NULL, f);
	slot = p_slot(f);
	ASSERT_EQ(CKR_OK, p_reset_token(f, slot));
	ASSERT_EQ(CKR_OK, f->C_OpenSession(slot, RW, NULL, NULL, &s));
	EXPECT_EQ(CKR_PIN_INCORRECT,
		  f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)"wrong-pin-00", 12));
	ASSERT_EQ(CKR_OK, f->C_GetTokenInfo(slot, &ti));
	EXPECT_NE(0UL, ti.flags & CKF_USER_PIN_COUNT_LOW);
	ASSERT_EQ(CKR_OK, f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)P_USER_PIN,
				     strlen(P_USER_PIN)));
	ASSERT_EQ(CKR_OK, f->C_GetSessionInfo(s, &info));
	EXPECT_EQ((CK_STATE)CKS_RW_USER_FUNCTIONS, info.state);
	EXPECT_EQ(slot, info.slotID);
	EXPECT_EQ((CK_FLAGS)RW, info.flags);
	EXPECT_EQ(CKR_USER_ALREADY_LOGGED_IN,
		  f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)P_USER_PIN, strlen(P_USER_PIN)));
	EXPECT_EQ(CKR_USER_ANOTHER_ALREADY_LOGGED_IN,
		  f->C_Login(s, CKU_SO, (CK_UTF8CHAR *)P_SO_PIN, strlen(P_SO_PIN)));
	ASSERT_EQ(CKR_OK, f->C_Logout(s));
	EXPECT_EQ(CKR_USER_NOT_LOGGED_IN, f->C_Logout(s));
	ASSERT_EQ(CKR_OK, f->C_GetSessionInfo(s, &info));
	EXPECT_EQ((CK_STATE)CKS_RW_PUBLIC_SESSION, info.state);

	/* C_SetPIN as the user, then the new PIN works and the old does not. */
	ASSERT_EQ(CKR_OK, f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)P_USER_PIN,
				     strlen(P_USER_PIN)));
	EXPECT_EQ(CKR_PIN_INCORRECT, f->C_SetPIN(s, (CK_UTF8CHAR *)"not-it-123", 10,
						 (CK_UTF8CHAR *)"another-pin", 11));
	ASSERT_EQ(CKR_OK, f->C_SetPIN(s, (CK_UTF8CHAR *)P_USER_PIN, strlen(P_USER_PIN),
				      (CK_UTF8CHAR *)"another-pin", 11));
	ASSERT_EQ(CKR_OK, f->C_Logout(s));
	EXPECT_EQ(CKR_PIN_INCORRECT, f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)P_USER_PIN,
						strlen(P_USER_PIN)));
	ASSERT_EQ(CKR_OK, f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)"another-pin", 11));
	ASSERT_EQ(CKR_OK, f->C_Logout(s));

	/* SO: C_InitPIN back to the standard PIN; not with a RO session open. */
	ASSERT_EQ(CKR_OK, f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &ro));
	EXPECT_EQ(CKR_SESSION_READ_ONLY_EXISTS,
		  f->C_Login(s, CKU_SO, (CK_UTF8CHAR *)P_SO_PIN, strlen(P_SO_PIN)));
	ASSERT_EQ(CKR_OK, f->C_CloseSession(ro));
	EXPECT_EQ(CKR_USER_NOT_LOGGED_IN,
		  f->C_InitPIN(s, (CK_UTF8CHAR *)P_USER_PIN, strlen(P_USER_PIN)));
	ASSERT_EQ(CKR_OK, f->C_Login(s, CKU_SO, (CK_UTF8CHAR *)P_SO_PIN, strlen(P_SO_PIN)));
	ASSERT_EQ(CKR_OK, f->C_InitPIN(s, (CK_UTF8CHAR *)P_USER_PIN, strlen(P_USER_PIN)));
	ASSERT_EQ(CKR_OK, f->C_Logout(s));
	ASSERT_EQ(CKR_OK, f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)P_USER_PIN,
				     strlen(P_USER_PIN)));
	/* C_InitToken while a session is open. */
	unsigned char label[32];

	memset(label, ' ', sizeof(label));
	EXPECT_EQ(CKR_SESSION_EXISTS,
		  f->C_InitToken(slot, (CK_UTF8CHAR *)P_SO_PIN, strlen(P_SO_PIN), label));
	f->C_Finalize(NULL);
}

TEST(pin_length_range)
{
	CK_FUNCTION_LIST_PTR f = p_init();
	CK_SESSION_HANDLE s;
	CK_TOKEN_INFO ti;
	CK_SLOT_ID slot;
	char longpin[512];

	ASSERT_NE(NULL, f);
	slot = p_slot(f);
	ASSERT_EQ(CKR_OK, p_reset_token(f, slot));
	ASSERT_EQ(CKR_OK, f->C_GetTokenInfo(slot, &ti));
	ASSERT_GT(sizeof(longpin), ti.ulMaxPinLen);
	memset(longpin, 'p', sizeof(longpin));
	ASSERT_EQ(CKR_OK, f->C_OpenSession(slot, RW, NULL, NULL, &s));
	ASSERT_EQ(CKR_OK, f->C_Login(s, CKU_SO, (CK_UTF8CHAR *)P_SO_PIN, strlen(P_SO_PIN)));
	EXPECT_EQ(CKR_PIN_LEN_RANGE, f->C_InitPIN(s, (CK_UTF8CHAR *)longpin,
						  ti.ulMaxPinLen + 1));
	if (ti.ulMinPinLen > 1)
		EXPECT_EQ(CKR_PIN_LEN_RANGE, f->C_InitPIN(s, (CK_UTF8CHAR *)longpin,
							  ti.ulMinPinLen - 1));
	EXPECT_EQ(CKR_OK, f->C_InitPIN(s, (CK_UTF8CHAR *)longpin, ti.ulMaxPinLen));
	f->C_Finalize(NULL);
}

TEST(argument_errors)
{
	CK_FUNCTION_LIST_PTR f = p_init();
	CK_SESSION_HANDLE s;
	CK_SESSION_INFO info;
	CK_SLOT_ID slot;
	CK_BYTE buf[16];
	CK_ULONG n;

	ASSERT_NE(NULL, f);
	slot = p_slot(f);
	ASSERT_EQ(CKR_OK, p_reset_token(f, slot));
	EXPECT_EQ(CKR_ARGUMENTS_BAD, f->C_OpenSession(slot, RW, NULL, NULL, NULL));
	EXPECT_EQ(CKR_SESSION_PARALLEL_NOT_SUPPORTED,
		  f->C_OpenSession(slot, CKF_RW_SESSION, NULL, NULL, &s));
	EXPECT_EQ(CKR_SLOT_ID_INVALID, f->C_OpenSession(4242, RW, NULL, NULL, &s));
	ASSERT_EQ(CKR_OK, f->C_OpenSession(slot, RW, NULL, NULL, &s));
	EXPECT_EQ(CKR_ARGUMENTS_BAD, f->C_GetSessionInfo(s, NULL));
	EXPECT_EQ(CKR_SESSION_HANDLE_INVALID, f->C_GetSessionInfo(s + 1000, &info));
	EXPECT_EQ(CKR_SESSION_HANDLE_INVALID, f->C_GetSessionInfo(0, &info));
	EXPECT_EQ(CKR_ARGUMENTS_BAD, f->C_Login(s, CKU_USER, NULL, 8));
	EXPECT_EQ(CKR_USER_TYPE_INVALID,
		  f->C_Login(s, 77, (CK_UTF8CHAR *)P_USER_PIN, strlen(P_USER_PIN)));
	EXPECT_EQ(CKR_ARGUMENTS_BAD, f->C_GenerateRandom(s, NULL, 16));
	EXPECT_EQ(CKR_OK, f->C_GenerateRandom(s, buf, sizeof(buf)));
	EXPECT_EQ(CKR_ARGUMENTS_BAD, f->C_FindObjectsInit(s, NULL, 2));
	EXPECT_EQ(CKR_ARGUMENTS_BAD, f->C_CreateObject(s, NULL, 1, NULL));
	/* PKCS#11 3.0 5.2: a NULL mechanism cancels the active operation. */
	CK_MECHANISM sha = { CKM_SHA256, NULL, 0 };

	ASSERT_EQ(CKR_OK, f->C_DigestInit(s, &sha));
	EXPECT_EQ(CKR_OK, f->C_DigestInit(s, NULL));
	n = sizeof(buf);
	EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED, f->C_Digest(s, buf, 1, buf, &n));
	ASSERT_EQ(CKR_OK, f->C_DigestInit(s, &sha));
	/* Functions outside this slice say so. */
	EXPECT_EQ(CKR_FUNCTION_NOT_SUPPORTED, f->C_GetOperationState(s, NULL, &n));
	EXPECT_EQ(CKR_FUNCTION_NOT_PARALLEL, f->C_GetFunctionStatus(s));
	EXPECT_EQ(CKR_ARGUMENTS_BAD, f->C_GetFunctionList(NULL));
	ASSERT_EQ(CKR_OK, f->C_CloseSession(s));
	EXPECT_EQ(CKR_SESSION_HANDLE_INVALID, f->C_CloseSession(s));
	EXPECT_EQ(CKR_OK, f->C_CloseAllSessions(slot));
	EXPECT_EQ(CKR_SLOT_ID_INVALID, f->C_CloseAllSessions(4242));
	f->C_Finalize(NULL);
}

TEST_HARNESS_MAIN
