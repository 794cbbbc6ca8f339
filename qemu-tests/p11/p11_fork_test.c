// SPDX-License-Identifier: GPL-2.0
/*
 * khsm-pkcs11.so across fork(): in the child every call answers
 * CKR_CRYPTOKI_NOT_INITIALIZED until the child calls C_Initialize, after
 * which it is a new application (own sessions, not logged in). Nothing the
 * child does, including C_Finalize and exiting, touches the parent's
 * sessions, login or operations.
 */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "p11_util.h"
#include "kat.h"

#define RW (CKF_SERIAL_SESSION | CKF_RW_SESSION)

FIXTURE(fk) {
	CK_FUNCTION_LIST_PTR f;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
};

FIXTURE_SETUP(fk)
{
	P_SETUP_USER_SESSION(self);
}

FIXTURE_TEARDOWN(fk)
{
	P_TEARDOWN(self);
}

/* Run @fn in a child; returns its exit status (0 = all checks passed). */
static int in_child(int (*fn)(CK_FUNCTION_LIST_PTR, CK_SLOT_ID, CK_SESSION_HANDLE),
		    CK_FUNCTION_LIST_PTR f, CK_SLOT_ID slot, CK_SESSION_HANDLE s)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return 200;
	if (pid == 0)
		_exit(fn(f, slot, s));
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 201;
	return WEXITSTATUS(status);
}

static int child_not_initialised(CK_FUNCTION_LIST_PTR f, CK_SLOT_ID slot,
				 CK_SESSION_HANDLE s)
{
	CK_SLOT_ID slots[4];
	CK_ULONG n = 4;
	CK_SESSION_HANDLE h;
	CK_SESSION_INFO si;
	CK_MECHANISM m = { CKM_SHA256, NULL, 0 };

	if (f->C_GetSlotList(CK_TRUE, slots, &n) != CKR_CRYPTOKI_NOT_INITIALIZED)
		return 1;
	if (f->C_OpenSession(slot, RW, NULL, NULL, &h) != CKR_CRYPTOKI_NOT_INITIALIZED)
		return 2;
	/* The parent's handle is not usable in the child. */
	if (f->C_GetSessionInfo(s, &si) != CKR_CRYPTOKI_NOT_INITIALIZED)
		return 3;
	if (f->C_DigestInit(s, &m) != CKR_CRYPTOKI_NOT_INITIALIZED)
		return 4;
	if (f->C_CloseAllSessions(slot) != CKR_CRYPTOKI_NOT_INITIALIZED)
		return 5;
	if (f->C_Finalize(NULL) != CKR_CRYPTOKI_NOT_INITIALIZED)
		return 6;
	return 0;
}

static int child_reinitialises(CK_FUNCTION_LIST_PTR f, CK_SLOT_ID slot,
			       CK_SESSION_HANDLE s)
{
	CK_SESSION_HANDLE h;
	CK_SESSION_INFO si;
	CK_OBJECT_HANDLE pub, priv;
	CK_BYTE rnd[16];
	(void)s;

	if (f->C_Initialize(NULL) != CKR_OK)
		return 10;
	if (f->C_OpenSession(slot, RW, NULL, NULL, &h) != CKR_OK)
		return 11;
	/* A new application: the parent's login does not carry over. */
	if (f->C_GetSessionInfo(h, &si) != CKR_OK || si.state != CKS_RW_PUBLIC_SESSION)
		return 12;
	if (f->C_GenerateRandom(h, rnd, sizeof(rnd)) != CKR_OK)
		return 13;
	if (f->C_Login(h, CKU_USER, (CK_UTF8CHAR *)P_USER_PIN,
		       strlen(P_USER_PIN)) != CKR_OK)
		return 14;
	if (p_gen_p256(f, h, CK_FALSE, &pub, &priv) != CKR_OK)
		return 15;
	/* Closing everything in the child closes only the child's sessions. */
	if (f->C_CloseAllSessions(slot) != CKR_OK)
		return 16;
	if (f->C_Finalize(NULL) != CKR_OK)
		return 17;
	return 0;
}

/* Initialise, then exit without C_Finalize. */
static int child_exits_dirty(CK_FUNCTION_LIST_PTR f, CK_SLOT_ID slot,
			     CK_SESSION_HANDLE s)
{
	CK_SESSION_HANDLE h;
	(void)s;

	if (f->C_Initialize(NULL) != CKR_OK)
		return 20;
	if (f->C_OpenSession(slot, RW, NULL, NULL, &h) != CKR_OK)
		return 21;
	return 0;
}

static void parent_still_works(struct __test_metadata *_metadata,
			       CK_FUNCTION_LIST_PTR f, CK_SLOT_ID slot,
			       CK_SESSION_HANDLE s)
{
	CK_SESSION_INFO si;
	CK_TOKEN_INFO ti;
	CK_MECHANISM m = { CKM_SHA256, NULL, 0 };
	CK_BYTE out[32];
	CK_ULONG len = sizeof(out);

	ASSERT_EQ(CKR_OK, f->C_GetSessionInfo(s, &si));
	EXPECT_EQ((CK_STATE)CKS_RW_USER_FUNCTIONS, si.state);
	ASSERT_EQ(CKR_OK, f->C_DigestInit(s, &m));
	ASSERT_EQ(CKR_OK, f->C_Digest(s, (CK_BYTE *)"abc", 3, out, &len));
	EXPECT_EQ(32UL, len);
	EXPECT_EQ(0, memcmp(out, kat_sha256_abc, 32));
	ASSERT_EQ(CKR_OK, f->C_GetTokenInfo(slot, &ti));
	EXPECT_EQ(1UL, ti.ulSessionCount);
}

TEST_F(fk, child_gets_not_initialized)
{
	EXPECT_EQ(0, in_child(child_not_initialised, self->f, self->slot, self->s));
	parent_still_works(_metadata, self->f, self->slot, self->s);
}

TEST_F(fk, child_can_initialize_again)
{
	EXPECT_EQ(0, in_child(child_reinitialises, self->f, self->slot, self->s));
	parent_still_works(_metadata, self->f, self->slot, self->s);
}

TEST_F(fk, child_exiting_without_finalize)
{
	EXPECT_EQ(0, in_child(child_exits_dirty, self->f, self->slot, self->s));
	parent_still_works(_metadata, self->f, self->slot, self->s);
}

TEST_F(fk, operation_survives_child)
{
	CK_MECHANISM m = { CKM_SHA256, NULL, 0 };
	CK_BYTE out[32];
	CK_ULONG len = sizeof(out);

	/* An operation in progress in the parent across a fork. */
	ASSERT_EQ(CKR_OK, self->f->C_DigestInit(self->s, &m));
	ASSERT_EQ(CKR_OK, self->f->C_DigestUpdate(self->s, (CK_BYTE *)"a", 1));
	EXPECT_EQ(0, in_child(child_reinitialises, self->f, self->slot, self->s));
	ASSERT_EQ(CKR_OK, self->f->C_DigestUpdate(self->s, (CK_BYTE *)"bc", 2));
	ASSERT_EQ(CKR_OK, self->f->C_DigestFinal(self->s, out, &len));
	EXPECT_EQ(32UL, len);
	EXPECT_EQ(0, memcmp(out, kat_sha256_abc, 32));
}

TEST_F(fk, many_children)
{
	int i;

	for (i = 0; i < 10; i++)
		EXPECT_EQ(0, in_child(i & 1 ? child_exits_dirty : child_reinitialises,
				      self->f, self->slot, self->s));
	parent_still_works(_metadata, self->f, self->slot, self->s);
}

TEST_HARNESS_MAIN
