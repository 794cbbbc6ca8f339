// SPDX-License-Identifier: GPL-2.0
/*
 * CKA_ALWAYS_AUTHENTICATE through khsm-pkcs11.so: a private key with it
 * true signs only in an operation that C_Login(CKU_CONTEXT_SPECIFIC)
 * authorised after C_SignInit; without that C_Sign gives
 * CKR_USER_NOT_LOGGED_IN and ends the operation; one login authorises one
 * operation (single- or multi-part, across a length query); a wrong PIN
 * is CKR_PIN_INCORRECT and counts like C_Login; a context-specific login
 * without such an operation is CKR_OPERATION_NOT_INITIALIZED; the
 * attribute cannot be switched off by set or copy; a key without it is
 * not affected. The signatures verify with the public key (OpenSSL).
 */
#include <string.h>

#include "kselftest_harness.h"
#include "p11_util.h"
#include "ossl_check.h"

FIXTURE(aa) {
	CK_FUNCTION_LIST_PTR f;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE pub, priv;
};

static CK_RV gen_pair(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		      CK_BBOOL always, CK_OBJECT_HANDLE *pub,
		      CK_OBJECT_HANDLE *priv)
{
	CK_MECHANISM m = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_BBOOL t = CK_TRUE;
	CK_ATTRIBUTE pt[] = {
		{ CKA_EC_PARAMS, (void *)p_p256_oid, sizeof(p_p256_oid) },
		{ CKA_VERIFY, &t, 1 },
	};
	CK_ATTRIBUTE kt[] = {
		{ CKA_SIGN, &t, 1 },
		{ CKA_PRIVATE, &t, 1 },
		{ CKA_ALWAYS_AUTHENTICATE, &always, 1 },
	};

	return f->C_GenerateKeyPair(s, &m, pt, 2, kt, 3, pub, priv);
}

FIXTURE_SETUP(aa)
{
	P_SETUP_USER_SESSION(self);
	ASSERT_EQ(CKR_OK, gen_pair(self->f, self->s, CK_TRUE, &self->pub,
				   &self->priv));
}

FIXTURE_TEARDOWN(aa)
{
	P_TEARDOWN(self);
}

static const unsigned char msg[] = "always authenticate";

/* ECDSA-SHA256 r||s of msg verifies with the public key. */
static int verifies(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		    CK_OBJECT_HANDLE pub, const unsigned char *sig,
		    CK_ULONG len)
{
	CK_MECHANISM m = { CKM_ECDSA_SHA256, NULL, 0 };

	if (f->C_VerifyInit(s, &m, pub) != CKR_OK)
		return 0;
	return f->C_Verify(s, (CK_BYTE_PTR)msg, sizeof(msg), (CK_BYTE_PTR)sig,
			   len) == CKR_OK;
}

/* The same check by OpenSSL, from CKA_EC_POINT. */
static int ossl_verifies(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
			 CK_OBJECT_HANDLE pub, const unsigned char *sig,
			 CK_ULONG len)
{
	unsigned char pt[128];
	CK_ULONG n = p_ec_point(f, s, pub, pt, sizeof(pt));

	return ossl_p256_verify(pt, n, msg, sizeof(msg), sig, len,
				"SHA256") == 1;
}

static CK_RV sign_init(FIXTURE_DATA(aa) *self)
{
	CK_MECHANISM m = { CKM_ECDSA_SHA256, NULL, 0 };

	return self->f->C_SignInit(self->s, &m, self->priv);
}

static CK_RV ctx_login(FIXTURE_DATA(aa) *self, const char *pin)
{
	return self->f->C_Login(self->s, CKU_CONTEXT_SPECIFIC,
				(CK_UTF8CHAR_PTR)pin, strlen(pin));
}

TEST_F(aa, sign_without_context_login_refused)
{
	unsigned char sig[64];
	CK_ULONG len = sizeof(sig);

	ASSERT_EQ(CKR_OK, sign_init(self));
	EXPECT_EQ(CKR_USER_NOT_LOGGED_IN,
		  self->f->C_Sign(self->s, (CK_BYTE_PTR)msg, sizeof(msg), sig, &len));
	/* The refusal ended the operation. */
	len = sizeof(sig);
	EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED,
		  self->f->C_Sign(self->s, (CK_BYTE_PTR)msg, sizeof(msg), sig, &len));
	/* Multi-part too. */
	ASSERT_EQ(CKR_OK, sign_init(self));
	EXPECT_EQ(CKR_USER_NOT_LOGGED_IN,
		  self->f->C_SignUpdate(self->s, (CK_BYTE_PTR)msg, sizeof(msg)));
}

TEST_F(aa, context_login_authorises_one_operation)
{
	unsigned char sig[64];
	CK_ULONG len;
	int i;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(CKR_OK, sign_init(self));
		ASSERT_EQ(CKR_OK, ctx_login(self, P_USER_PIN));
		/* A length query does not use the authorisation up. */
		len = 0;
		ASSERT_EQ(CKR_OK, self->f->C_Sign(self->s, (CK_BYTE_PTR)msg,
						  sizeof(msg), NULL, &len));
		EXPECT_EQ(64UL, len);
		ASSERT_EQ(CKR_OK, self->f->C_Sign(self->s, (CK_BYTE_PTR)msg,
						  sizeof(msg), sig, &len));
		EXPECT_TRUE(verifies(self->f, self->s, self->pub, sig, len));
		EXPECT_TRUE(ossl_verifies(self->f, self->s, self->pub, sig, len));
		/* The next operation needs its own login. */
		ASSERT_EQ(CKR_OK, sign_init(self));
		len = sizeof(sig);
		EXPECT_EQ(CKR_USER_NOT_LOGGED_IN,
			  self->f->C_Sign(self->s, (CK_BYTE_PTR)msg, sizeof(msg),
					  sig, &len));
	}
}

TEST_F(aa, multipart_after_context_login)
{
	unsigned char sig[64];
	CK_ULONG len = sizeof(sig);

	ASSERT_EQ(CKR_OK, sign_init(self));
	ASSERT_EQ(CKR_OK, ctx_login(self, P_USER_PIN));
	ASSERT_EQ(CKR_OK, self->f->C_SignUpdate(self->s, (CK_BYTE_PTR)msg, 5));
	ASSERT_EQ(CKR_OK, self->f->C_SignUpdate(self->s, (CK_BYTE_PTR)msg + 5,
						sizeof(msg) - 5));
	ASSERT_EQ(CKR_OK, self->f->C_SignFinal(self->s, sig, &len));
	EXPECT_TRUE(ossl_verifies(self->f, self->s, self->pub, sig, len));
}

TEST_F(aa, wrong_pin_counts_and_is_refused)
{
	CK_TOKEN_INFO ti;
	unsigned char sig[64];
	CK_ULONG len = sizeof(sig);

	ASSERT_EQ(CKR_OK, sign_init(self));
	EXPECT_EQ(CKR_PIN_INCORRECT, ctx_login(self, "wrong-pin-0000"));
	ASSERT_EQ(CKR_OK, self->f->C_GetTokenInfo(self->slot, &ti));
	EXPECT_NE(0UL, ti.flags & CKF_USER_PIN_COUNT_LOW);
	/* Still waiting: the right PIN then authorises it. */
	EXPECT_EQ(CKR_OK, ctx_login(self, P_USER_PIN));
	EXPECT_EQ(CKR_OK, self->f->C_Sign(self->s, (CK_BYTE_PTR)msg, sizeof(msg),
					  sig, &len));
	ASSERT_EQ(CKR_OK, self->f->C_GetTokenInfo(self->slot, &ti));
	EXPECT_EQ(0UL, ti.flags & CKF_USER_PIN_COUNT_LOW);
}

TEST_F(aa, context_login_without_operation)
{
	CK_SESSION_INFO si;
	CK_OBJECT_HANDLE pub2, priv2;
	CK_MECHANISM m = { CKM_ECDSA_SHA256, NULL, 0 };

	EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED, ctx_login(self, P_USER_PIN));
	/* An operation on a key without the attribute does not wait for it. */
	ASSERT_EQ(CKR_OK, gen_pair(self->f, self->s, CK_FALSE, &pub2, &priv2));
	ASSERT_EQ(CKR_OK, self->f->C_SignInit(self->s, &m, priv2));
	EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED, ctx_login(self, P_USER_PIN));
	/* The login state is unchanged. */
	ASSERT_EQ(CKR_OK, self->f->C_GetSessionInfo(self->s, &si));
	EXPECT_EQ(CKS_RW_USER_FUNCTIONS, si.state);
}

TEST_F(aa, key_without_attribute_unaffected)
{
	CK_OBJECT_HANDLE pub2, priv2;
	CK_MECHANISM m = { CKM_ECDSA_SHA256, NULL, 0 };
	unsigned char sig[64];
	CK_ULONG len = sizeof(sig);

	ASSERT_EQ(CKR_OK, gen_pair(self->f, self->s, CK_FALSE, &pub2, &priv2));
	ASSERT_EQ(CKR_OK, self->f->C_SignInit(self->s, &m, priv2));
	EXPECT_EQ(CKR_OK, self->f->C_Sign(self->s, (CK_BYTE_PTR)msg, sizeof(msg),
					  sig, &len));
	EXPECT_TRUE(ossl_verifies(self->f, self->s, pub2, sig, len));
}

TEST_F(aa, attribute_cannot_be_switched_off)
{
	CK_BBOOL f = CK_FALSE, v = CK_FALSE;
	CK_ATTRIBUTE off = { CKA_ALWAYS_AUTHENTICATE, &f, 1 };
	CK_ATTRIBUTE get = { CKA_ALWAYS_AUTHENTICATE, &v, 1 };
	CK_OBJECT_HANDLE copy = 0;

	ASSERT_EQ(CKR_OK, self->f->C_GetAttributeValue(self->s, self->priv, &get, 1));
	EXPECT_EQ(CK_TRUE, v);
	EXPECT_EQ(CKR_ATTRIBUTE_READ_ONLY,
		  self->f->C_SetAttributeValue(self->s, self->priv, &off, 1));
	EXPECT_EQ(CKR_ATTRIBUTE_READ_ONLY,
		  self->f->C_CopyObject(self->s, self->priv, &off, 1, &copy));
	EXPECT_EQ(0UL, copy);
}

TEST_F(aa, logout_ends_the_waiting_operation)
{
	CK_SESSION_HANDLE s2;

	/* A second session keeps the file open and lets it log in again. */
	ASSERT_EQ(CKR_OK, self->f->C_OpenSession(self->slot,
						 CKF_SERIAL_SESSION | CKF_RW_SESSION,
						 NULL, NULL, &s2));
	ASSERT_EQ(CKR_OK, sign_init(self));
	ASSERT_EQ(CKR_OK, self->f->C_Logout(self->s));
	EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED, ctx_login(self, P_USER_PIN));
}

TEST_HARNESS_MAIN
