/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the PKCS#11 tests (qemu-tests/p11/): load khsm-pkcs11.so
 * ($KHSM_PKCS11, default <repo>/pkcs11/khsm-pkcs11.so) with dlopen, get its
 * function lists, initialise, and bring the token into a known state.
 */
#ifndef P11_UTIL_H
#define P11_UTIL_H

#include <p11-kit/pkcs11.h>
#include <time.h>

#define P_SO_PIN	"so-secret-8642"
#define P_USER_PIN	"user-secret-1357"
#define P_LABEL		"khsm-p11-test"

/* PKCS#11 v3.0 CK_INTERFACE (p11-kit 0.24's header is 2.40). */
typedef struct {
	CK_CHAR *pInterfaceName;
	CK_VOID_PTR pFunctionList;
	CK_FLAGS flags;
} P_CK_INTERFACE;
typedef CK_RV (*P_C_GetInterfaceList)(P_CK_INTERFACE *, CK_ULONG *);
typedef CK_RV (*P_C_GetInterface)(CK_UTF8CHAR *, CK_VERSION *,
				  P_CK_INTERFACE **, CK_FLAGS);

/* Path of the module under test. */
const char *p_module_path(void);
/* dlopen the module (once per process); NULL after printing why. */
void *p_dlopen(void);
/* C_GetFunctionList of the module; NULL after printing why. */
CK_FUNCTION_LIST_PTR p_load(void);
/* p_load + C_Initialize(CKF_OS_LOCKING_OK); NULL after printing why. */
CK_FUNCTION_LIST_PTR p_init(void);
/* The first slot with a token; (CK_SLOT_ID)-1 after printing why. */
CK_SLOT_ID p_slot(CK_FUNCTION_LIST_PTR f);
/*
 * C_InitToken with P_SO_PIN and P_LABEL, then C_InitPIN P_USER_PIN. No
 * session of this application may be open. Returns CKR_OK or the failing rv
 * after printing which call failed.
 */
CK_RV p_reset_token(CK_FUNCTION_LIST_PTR f, CK_SLOT_ID slot);
/* Open a R/W session and log the user in; 0 (invalid) after printing why. */
CK_SESSION_HANDLE p_user_session(CK_FUNCTION_LIST_PTR f, CK_SLOT_ID slot);

/*
 * Fixture bodies for kselftest tests whose fixture has members f, slot and
 * s (expanded in the test file, after kselftest_harness.h): a reset token
 * with a logged-in RW user session, and C_Finalize at teardown.
 */
#define P_SETUP_USER_SESSION(self) do {					\
	(self)->f = p_init();						\
	ASSERT_NE(NULL, (self)->f);					\
	(self)->slot = p_slot((self)->f);				\
	ASSERT_EQ(CKR_OK, p_reset_token((self)->f, (self)->slot));	\
	(self)->s = p_user_session((self)->f, (self)->slot);		\
	ASSERT_NE(0UL, (self)->s);					\
} while (0)

#define P_TEARDOWN(self) do {						\
	if ((self)->f)							\
		(self)->f->C_Finalize(NULL);				\
} while (0)

/* Generate a P-256 key pair (session objects unless @token). */
CK_RV p_gen_p256(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, CK_BBOOL token,
		 CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv);
/* Create an AES key with a known value (session object). */
CK_RV p_aes_key(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		const unsigned char *key, CK_ULONG len, CK_OBJECT_HANDLE *h);
/* Read CKA_EC_POINT into @buf; returns its length or 0. */
CK_ULONG p_ec_point(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		    CK_OBJECT_HANDLE pub, unsigned char *buf, CK_ULONG cap);

extern const unsigned char p_p256_oid[10];

/*
 * Import OpenSSL's RSA private key @pk (an EVP_PKEY *): the private key
 * object with its eight numbers plus @priv_extra, and, if @pub is not
 * NULL, the public key object (modulus, exponent) plus @pub_extra; at most
 * P_RSA_MAX_EXTRA extra attributes each. Session objects unless an extra
 * attribute says otherwise.
 */
#define P_RSA_MAX_EXTRA	8
CK_RV p_rsa_import(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, void *pk,
		   const CK_ATTRIBUTE *priv_extra, CK_ULONG n_priv,
		   const CK_ATTRIBUTE *pub_extra, CK_ULONG n_pub,
		   CK_OBJECT_HANDLE *priv, CK_OBJECT_HANDLE *pub);

/* Seconds on CLOCK_MONOTONIC, for the tests that time themselves. */
static inline double p_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif /* P11_UTIL_H */
