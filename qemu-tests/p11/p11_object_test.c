// SPDX-License-Identifier: GPL-2.0
/*
 * Objects through khsm-pkcs11.so: C_CreateObject / C_GetAttributeValue
 * (two-call protocol, per-attribute CK_UNAVAILABLE_INFORMATION with
 * CKR_BUFFER_TOO_SMALL, CKR_ATTRIBUTE_SENSITIVE, CKR_ATTRIBUTE_TYPE_INVALID),
 * C_SetAttributeValue rules, C_CopyObject / C_DestroyObject, C_FindObjects*,
 * private objects and login, session objects and C_CloseSession, two
 * applications (processes) not seeing each other's session objects.
 */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "p11_util.h"

#define RW (CKF_SERIAL_SESSION | CKF_RW_SESSION)

static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
static CK_OBJECT_CLASS data_cls = CKO_DATA;

FIXTURE(po) {
	CK_FUNCTION_LIST_PTR f;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
};

FIXTURE_SETUP(po)
{
	P_SETUP_USER_SESSION(self);
}

FIXTURE_TEARDOWN(po)
{
	P_TEARDOWN(self);
}

static CK_RV mk_data(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, const char *v,
		     CK_BBOOL token, CK_BBOOL priv, const char *label,
		     CK_OBJECT_HANDLE *h)
{
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &data_cls, sizeof(data_cls) },
		{ CKA_TOKEN, &token, 1 },
		{ CKA_PRIVATE, &priv, 1 },
		{ CKA_VALUE, (void *)v, strlen(v) },
		{ CKA_LABEL, (void *)label, strlen(label) },
	};

	return f->C_CreateObject(s, t, 5, h);
}

static int count(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, CK_ATTRIBUTE *t,
		 CK_ULONG n, CK_OBJECT_HANDLE *out)
{
	CK_OBJECT_HANDLE h[32];
	CK_ULONG got = 0;

	if (f->C_FindObjectsInit(s, t, n) != CKR_OK)
		return -1;
	if (f->C_FindObjects(s, out ? out : h, 32, &got) != CKR_OK)
		got = (CK_ULONG)-1;
	if (f->C_FindObjectsFinal(s) != CKR_OK)
		return -2;
	return (int)got;
}

TEST_F(po, get_attribute_two_calls)
{
	CK_OBJECT_HANDLE h;
	char value[64], label[64], small[2];
	CK_OBJECT_CLASS cls = 0;
	CK_ATTRIBUTE a[3] = {
		{ CKA_VALUE, NULL, 0 },
		{ CKA_LABEL, NULL, 0 },
		{ CKA_CLASS, NULL, 0 },
	};

	ASSERT_EQ(CKR_OK, mk_data(self->f, self->s, "data value", 0, 0, "lbl", &h));
	ASSERT_EQ(CKR_OK, self->f->C_GetAttributeValue(self->s, h, a, 3));
	EXPECT_EQ(10UL, a[0].ulValueLen);
	EXPECT_EQ(3UL, a[1].ulValueLen);
	EXPECT_EQ(sizeof(CK_ULONG), a[2].ulValueLen);
	a[0].pValue = value;
	a[1].pValue = label;
	a[2].pValue = &cls;
	ASSERT_EQ(CKR_OK, self->f->C_GetAttributeValue(self->s, h, a, 3));
	EXPECT_EQ(0, memcmp(value, "data value", 10));
	EXPECT_EQ(0, memcmp(label, "lbl", 3));
	EXPECT_EQ((CK_OBJECT_CLASS)CKO_DATA, cls);

	/* One buffer too small: that one is CK_UNAVAILABLE_INFORMATION. */
	a[0].pValue = small;
	a[0].ulValueLen = sizeof(small);
	a[1].ulValueLen = sizeof(label);
	EXPECT_EQ(CKR_BUFFER_TOO_SMALL, self->f->C_GetAttributeValue(self->s, h, a, 3));
	EXPECT_EQ(CK_UNAVAILABLE_INFORMATION, a[0].ulValueLen);
	EXPECT_EQ(3UL, a[1].ulValueLen);
	/* An attribute a data object does not have. */
	CK_KEY_TYPE kt;
	CK_ATTRIBUTE bad = { CKA_KEY_TYPE, &kt, sizeof(kt) };

	EXPECT_EQ(CKR_ATTRIBUTE_TYPE_INVALID,
		  self->f->C_GetAttributeValue(self->s, h, &bad, 1));
	EXPECT_EQ(CK_UNAVAILABLE_INFORMATION, bad.ulValueLen);
	EXPECT_EQ(CKR_ARGUMENTS_BAD, self->f->C_GetAttributeValue(self->s, h, NULL, 1));
	EXPECT_EQ(CKR_OBJECT_HANDLE_INVALID,
		  self->f->C_GetAttributeValue(self->s, h + 1000, a, 1));
}

TEST_F(po, sensitive_and_sticky)
{
	static const unsigned char key[16] = "0123456789ABCDEF";
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_AES;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_SENSITIVE, &no, 1 },
		{ CKA_EXTRACTABLE, &yes, 1 },
		{ CKA_VALUE, (void *)key, 16 },
	};
	unsigned char buf[32];
	CK_ATTRIBUTE v = { CKA_VALUE, buf, sizeof(buf) };
	CK_ATTRIBUTE set_s = { CKA_SENSITIVE, &yes, 1 };
	CK_ATTRIBUTE unset_s = { CKA_SENSITIVE, &no, 1 };
	CK_OBJECT_HANDLE h;

	ASSERT_EQ(CKR_OK, self->f->C_CreateObject(self->s, t, 5, &h));
	ASSERT_EQ(CKR_OK, self->f->C_GetAttributeValue(self->s, h, &v, 1));
	EXPECT_EQ(16UL, v.ulValueLen);
	EXPECT_EQ(0, memcmp(buf, key, 16));
	ASSERT_EQ(CKR_OK, self->f->C_SetAttributeValue(self->s, h, &set_s, 1));
	v.ulValueLen = sizeof(buf);
	EXPECT_EQ(CKR_ATTRIBUTE_SENSITIVE, self->f->C_GetAttributeValue(self->s, h, &v, 1));
	EXPECT_EQ(CK_UNAVAILABLE_INFORMATION, v.ulValueLen);
	EXPECT_EQ(CKR_ATTRIBUTE_READ_ONLY, self->f->C_SetAttributeValue(self->s, h, &unset_s, 1));
	/* A copy cannot make it readable. */
	CK_OBJECT_HANDLE c;

	EXPECT_EQ(CKR_ATTRIBUTE_READ_ONLY, self->f->C_CopyObject(self->s, h, &unset_s, 1, &c));
}

TEST_F(po, modifiable_copyable_destroyable)
{
	CK_OBJECT_HANDLE h, c;
	CK_ATTRIBUTE lab = { CKA_LABEL, "new", 3 };
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &data_cls, sizeof(data_cls) },
		{ CKA_MODIFIABLE, &no, 1 },
		{ CKA_COPYABLE, &no, 1 },
		{ CKA_DESTROYABLE, &no, 1 },
		{ CKA_VALUE, "fixed", 5 },
	};
	char buf[16];
	CK_ATTRIBUTE get = { CKA_LABEL, buf, sizeof(buf) };

	ASSERT_EQ(CKR_OK, self->f->C_CreateObject(self->s, t, 5, &h));
	EXPECT_EQ(CKR_ACTION_PROHIBITED, self->f->C_SetAttributeValue(self->s, h, &lab, 1));
	EXPECT_EQ(CKR_ACTION_PROHIBITED, self->f->C_CopyObject(self->s, h, NULL, 0, &c));
	EXPECT_EQ(CKR_ACTION_PROHIBITED, self->f->C_DestroyObject(self->s, h));

	ASSERT_EQ(CKR_OK, mk_data(self->f, self->s, "v", 0, 0, "old", &h));
	ASSERT_EQ(CKR_OK, self->f->C_CopyObject(self->s, h, &lab, 1, &c));
	EXPECT_NE(h, c);
	ASSERT_EQ(CKR_OK, self->f->C_GetAttributeValue(self->s, c, &get, 1));
	EXPECT_EQ(3UL, get.ulValueLen);
	EXPECT_EQ(0, memcmp(buf, "new", 3));
	ASSERT_EQ(CKR_OK, self->f->C_DestroyObject(self->s, c));
	EXPECT_EQ(CKR_OBJECT_HANDLE_INVALID, self->f->C_DestroyObject(self->s, c));
	get.ulValueLen = sizeof(buf);
	EXPECT_EQ(CKR_OBJECT_HANDLE_INVALID, self->f->C_GetAttributeValue(self->s, c, &get, 1));
}

TEST_F(po, find_objects)
{
	CK_OBJECT_HANDLE a, b, c, out[32];
	CK_ATTRIBUTE by_label = { CKA_LABEL, "same", 4 };
	CK_ATTRIBUTE by_token = { CKA_TOKEN, &yes, 1 };
	CK_ULONG got;
	int n;

	ASSERT_EQ(CKR_OK, mk_data(self->f, self->s, "1", 0, 0, "same", &a));
	ASSERT_EQ(CKR_OK, mk_data(self->f, self->s, "2", 1, 0, "same", &b));
	ASSERT_EQ(CKR_OK, mk_data(self->f, self->s, "3", 1, 1, "other", &c));
	EXPECT_EQ(3, count(self->f, self->s, NULL, 0, NULL));
	n = count(self->f, self->s, &by_label, 1, out);
	ASSERT_EQ(2, n);
	EXPECT_TRUE((out[0] == a && out[1] == b) || (out[0] == b && out[1] == a));
	EXPECT_EQ(2, count(self->f, self->s, &by_token, 1, NULL));

	/* In pieces, and the state errors. */
	ASSERT_EQ(CKR_OK, self->f->C_FindObjectsInit(self->s, NULL, 0));
	EXPECT_EQ(CKR_OPERATION_ACTIVE, self->f->C_FindObjectsInit(self->s, NULL, 0));
	ASSERT_EQ(CKR_OK, self->f->C_FindObjects(self->s, out, 2, &got));
	EXPECT_EQ(2UL, got);
	ASSERT_EQ(CKR_OK, self->f->C_FindObjects(self->s, out, 2, &got));
	EXPECT_EQ(1UL, got);
	ASSERT_EQ(CKR_OK, self->f->C_FindObjects(self->s, out, 2, &got));
	EXPECT_EQ(0UL, got);
	EXPECT_EQ(CKR_ARGUMENTS_BAD, self->f->C_FindObjects(self->s, NULL, 2, &got));
	ASSERT_EQ(CKR_OK, self->f->C_FindObjectsFinal(self->s));
	EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED, self->f->C_FindObjects(self->s, out, 2, &got));
	EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED, self->f->C_FindObjectsFinal(self->s));
}

TEST_F(po, private_objects_and_login)
{
	CK_OBJECT_HANDLE pub, priv;
	char buf[8];
	CK_ATTRIBUTE v = { CKA_VALUE, buf, sizeof(buf) };

	ASSERT_EQ(CKR_OK, mk_data(self->f, self->s, "pub", 1, 0, "p", &pub));
	ASSERT_EQ(CKR_OK, mk_data(self->f, self->s, "priv", 1, 1, "p", &priv));
	ASSERT_EQ(CKR_OK, self->f->C_Logout(self->s));
	EXPECT_EQ(1, count(self->f, self->s, NULL, 0, NULL));
	EXPECT_EQ(CKR_OBJECT_HANDLE_INVALID, self->f->C_GetAttributeValue(self->s, priv, &v, 1));
	EXPECT_EQ(CKR_USER_NOT_LOGGED_IN, mk_data(self->f, self->s, "x", 0, 1, "p", &priv));
	ASSERT_EQ(CKR_OK, self->f->C_Login(self->s, CKU_USER, (CK_UTF8CHAR *)P_USER_PIN,
					   strlen(P_USER_PIN)));
	EXPECT_EQ(2, count(self->f, self->s, NULL, 0, NULL));
}

TEST_F(po, session_objects_and_close)
{
	CK_SESSION_HANDLE s2, ro;
	CK_OBJECT_HANDLE o, t;
	char buf[8];
	CK_ATTRIBUTE v = { CKA_VALUE, buf, sizeof(buf) };
	CK_TOKEN_INFO ti;

	ASSERT_EQ(CKR_OK, self->f->C_OpenSession(self->slot, RW, NULL, NULL, &s2));
	ASSERT_EQ(CKR_OK, mk_data(self->f, s2, "sess", 0, 0, "s", &o));
	ASSERT_EQ(CKR_OK, mk_data(self->f, s2, "tok", 1, 0, "t", &t));
	ASSERT_EQ(CKR_OK, self->f->C_GetAttributeValue(self->s, o, &v, 1));
	ASSERT_EQ(CKR_OK, self->f->C_CloseSession(s2));
	v.ulValueLen = sizeof(buf);
	EXPECT_EQ(CKR_OBJECT_HANDLE_INVALID, self->f->C_GetAttributeValue(self->s, o, &v, 1));
	v.ulValueLen = sizeof(buf);
	EXPECT_EQ(CKR_OK, self->f->C_GetAttributeValue(self->s, t, &v, 1));
	/* RO session: no token objects. */
	ASSERT_EQ(CKR_OK, self->f->C_OpenSession(self->slot, CKF_SERIAL_SESSION, NULL, NULL, &ro));
	EXPECT_EQ(CKR_SESSION_READ_ONLY, mk_data(self->f, ro, "x", 1, 0, "x", &o));
	EXPECT_EQ(CKR_OK, mk_data(self->f, ro, "x", 0, 0, "x", &o));
	ASSERT_EQ(CKR_OK, self->f->C_GetTokenInfo(self->slot, &ti));
	EXPECT_EQ(2UL, ti.ulSessionCount);
	EXPECT_EQ(1UL, ti.ulRwSessionCount);
}

TEST_F(po, other_process_session_objects_invisible)
{
	CK_OBJECT_HANDLE mine, tok;
	int p[2], status;
	pid_t pid;
	unsigned long handle;

	ASSERT_EQ(CKR_OK, mk_data(self->f, self->s, "mine", 0, 0, "m", &mine));
	ASSERT_EQ(CKR_OK, mk_data(self->f, self->s, "shared", 1, 0, "t", &tok));
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CK_FUNCTION_LIST_PTR f;
		CK_SESSION_HANDLE s;
		CK_OBJECT_HANDLE h[32];
		char buf[8];
		CK_ATTRIBUTE v = { CKA_VALUE, buf, sizeof(buf) };
		int n;

		/* A new application in the child (after fork it must re-init). */
		f = p_init();
		if (!f)
			_exit(10);
		s = p_user_session(f, p_slot(f));
		if (!s)
			_exit(11);
		n = count(f, s, NULL, 0, h);
		if (n != 1 || h[0] != tok)
			_exit(12);
		if (f->C_GetAttributeValue(s, mine, &v, 1) != CKR_OBJECT_HANDLE_INVALID)
			_exit(13);
		if (f->C_DestroyObject(s, mine) != CKR_OBJECT_HANDLE_INVALID)
			_exit(14);
		/* Leave a session object of our own for the parent to miss. */
		if (mk_data(f, s, "child", 0, 0, "c", h) != CKR_OK)
			_exit(15);
		handle = h[0];
		if (write(p[1], &handle, sizeof(handle)) != sizeof(handle))
			_exit(16);
		pause();
		_exit(0);
	}
	close(p[1]);
	ASSERT_EQ((ssize_t)sizeof(handle), read(p[0], &handle, sizeof(handle)))
		TH_LOG("child failed before reporting");
	char buf[8];
	CK_ATTRIBUTE v = { CKA_VALUE, buf, sizeof(buf) };

	EXPECT_EQ(CKR_OBJECT_HANDLE_INVALID,
		  self->f->C_GetAttributeValue(self->s, handle, &v, 1));
	EXPECT_EQ(2, count(self->f, self->s, NULL, 0, NULL));
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status)) TH_LOG("child exit %d", WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
