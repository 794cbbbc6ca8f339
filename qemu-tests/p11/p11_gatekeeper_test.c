// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel is the gatekeeper, the module and libhsm only translate:
 * objects made through khsm-pkcs11.so are checked again with direct ioctls
 * on a second open file of the same process, which logs in with the
 * verifier the uAPI header documents (Argon2id of the PIN with the
 * salt/cost TOKEN_INFO reports). The ioctls must give exactly the PKCS#11
 * answers: a sensitive value stays unreadable, a missing usage flag refuses
 * the operation, private objects are invisible without login.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "p11_util.h"
#include "khsm_util.h"

FIXTURE(gk) {
	CK_FUNCTION_LIST_PTR f;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key, priv_data;
	int fd;
};

static const unsigned char keyval[16] = "gatekeeper-key!!";

FIXTURE_SETUP(gk)
{
	CK_OBJECT_CLASS sk = CKO_SECRET_KEY, dc = CKO_DATA;
	CK_KEY_TYPE aes = CKK_AES;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE kt[] = {
		{ CKA_CLASS, &sk, sizeof(sk) },
		{ CKA_KEY_TYPE, &aes, sizeof(aes) },
		{ CKA_TOKEN, &yes, 1 },
		{ CKA_PRIVATE, &yes, 1 },
		{ CKA_SENSITIVE, &yes, 1 },
		{ CKA_ENCRYPT, &yes, 1 },
		{ CKA_DECRYPT, &no, 1 },
		{ CKA_LABEL, "gk-key", 6 },
		{ CKA_VALUE, (void *)keyval, sizeof(keyval) },
	};
	CK_ATTRIBUTE dt[] = {
		{ CKA_CLASS, &dc, sizeof(dc) },
		{ CKA_TOKEN, &yes, 1 },
		{ CKA_PRIVATE, &yes, 1 },
		{ CKA_LABEL, "gk-data", 7 },
		{ CKA_VALUE, "private bytes", 13 },
	};

	/* The two helpers must agree on the PINs for the cross-login. */
	ASSERT_EQ(0, strcmp(P_USER_PIN, T_USER_PIN));
	ASSERT_EQ(0, strcmp(P_SO_PIN, T_SO_PIN));
	self->fd = -1;
	self->f = p_init();
	ASSERT_NE(NULL, self->f);
	self->slot = p_slot(self->f);
	ASSERT_EQ(CKR_OK, p_reset_token(self->f, self->slot));
	self->s = p_user_session(self->f, self->slot);
	ASSERT_NE(0UL, self->s);
	ASSERT_EQ(CKR_OK, self->f->C_CreateObject(self->s, kt, 9, &self->key));
	ASSERT_EQ(CKR_OK, self->f->C_CreateObject(self->s, dt, 5, &self->priv_data));
	self->fd = t_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", t_dev_path(), strerror(errno));
}

FIXTURE_TEARDOWN(gk)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->f)
		self->f->C_Finalize(NULL);
}

/* Kernel handle of the object labelled @label, or 0. */
static __u32 find_label(int fd, __u32 s, const char *label)
{
	struct t_tmpl t;
	__u32 h[4];

	t_tmpl_init(&t);
	t_add_bytes(&t, CKA_LABEL, label, strlen(label));
	return t_find(fd, s, &t, h, 4) == 1 ? h[0] : 0;
}

TEST_F(gk, private_objects_need_the_files_own_login)
{
	__u32 s, rv;

	ASSERT_OK(t_open_session(self->fd, CKF_SERIAL_SESSION, &s, &rv), rv);
	/* The library's login does not log our raw file in. */
	EXPECT_EQ(0U, find_label(self->fd, s, "gk-data"));
	EXPECT_EQ(0U, find_label(self->fd, s, "gk-key"));
	/* The PIN set through the library logs the raw file in. */
	ASSERT_OK(t_login(self->fd, s, CKU_USER, T_USER_PIN, &rv), rv);
	EXPECT_NE(0U, find_label(self->fd, s, "gk-data"));
	EXPECT_NE(0U, find_label(self->fd, s, "gk-key"));
}

TEST_F(gk, sensitive_value_same_answer)
{
	unsigned char buf[32];
	CK_ATTRIBUTE a = { CKA_VALUE, buf, sizeof(buf) };
	__u32 s, rv, k;
	__u64 len = sizeof(buf);
	CK_RV p11rv;

	ASSERT_OK(t_open_session(self->fd, CKF_SERIAL_SESSION, &s, &rv), rv);
	ASSERT_OK(t_login(self->fd, s, CKU_USER, T_USER_PIN, &rv), rv);
	k = find_label(self->fd, s, "gk-key");
	ASSERT_NE(0U, k);
	EXPECT_EQ(EPERM, t_get_attr(self->fd, s, k, CKA_VALUE, buf, &len, &rv));
	EXPECT_EQ(CKR_ATTRIBUTE_SENSITIVE, rv);
	p11rv = self->f->C_GetAttributeValue(self->s, self->key, &a, 1);
	EXPECT_EQ((CK_RV)rv, p11rv);
	EXPECT_EQ(CK_UNAVAILABLE_INFORMATION, a.ulValueLen);
}

TEST_F(gk, usage_flag_same_answer)
{
	unsigned char iv[16] = { 0 };
	CK_MECHANISM m = { CKM_AES_CBC, iv, 16 };
	__u32 s, rv, k;
	CK_RV p11rv;

	ASSERT_OK(t_open_session(self->fd, CKF_SERIAL_SESSION, &s, &rv), rv);
	ASSERT_OK(t_login(self->fd, s, CKU_USER, T_USER_PIN, &rv), rv);
	k = find_label(self->fd, s, "gk-key");
	ASSERT_NE(0U, k);
	EXPECT_EQ(EPERM, t_op_init(self->fd, s, KHSM_OP_DECRYPT, CKM_AES_CBC, k, iv,
				   16, &rv));
	EXPECT_EQ(CKR_KEY_FUNCTION_NOT_PERMITTED, rv);
	p11rv = self->f->C_DecryptInit(self->s, &m, self->key);
	EXPECT_EQ((CK_RV)rv, p11rv);
	/* And what is allowed works both ways. */
	ASSERT_OK(t_op_init(self->fd, s, KHSM_OP_ENCRYPT, CKM_AES_CBC, k, iv, 16, &rv), rv);
	EXPECT_EQ(CKR_OK, self->f->C_EncryptInit(self->s, &m, self->key));

	unsigned char pt[16] = "sixteen byte msg", c1[16], c2[16];
	__u64 l1 = sizeof(c1);
	CK_ULONG l2 = sizeof(c2);

	ASSERT_OK(t_op_data(self->fd, s, KHSM_OP_ENCRYPT, KHSM_DATA_ONESHOT, pt, 16,
			    c1, &l1, &rv), rv);
	ASSERT_EQ(CKR_OK, self->f->C_Encrypt(self->s, pt, 16, c2, &l2));
	ASSERT_EQ(16ULL, l1);
	ASSERT_EQ(16UL, l2);
	EXPECT_EQ(0, memcmp(c1, c2, 16));
}

TEST_F(gk, library_sessions_are_not_ours)
{
	CK_SESSION_INFO si;
	struct khsm_session ks;

	/* The library's session handle means nothing on our file. */
	ASSERT_EQ(CKR_OK, self->f->C_GetSessionInfo(self->s, &si));
	T_INIT(ks);
	ks.session = (__u32)self->s;
	EXPECT_EQ(ENOENT, t_ioctl(self->fd, KHSM_IOC_SESSION_INFO, &ks));
	EXPECT_EQ(CKR_SESSION_HANDLE_INVALID, ks.rv);
	T_INIT(ks);
	ks.session = (__u32)self->s;
	EXPECT_EQ(ENOENT, t_ioctl(self->fd, KHSM_IOC_CLOSE_SESSION, &ks));
	/* ... and closing all of ours leaves the library's alone. */
	T_INIT(ks);
	EXPECT_EQ(0, t_ioctl(self->fd, KHSM_IOC_CLOSE_ALL, &ks));
	ASSERT_EQ(CKR_OK, self->f->C_GetSessionInfo(self->s, &si));
	EXPECT_EQ((CK_STATE)CKS_RW_USER_FUNCTIONS, si.state);
}

TEST_HARNESS_MAIN
