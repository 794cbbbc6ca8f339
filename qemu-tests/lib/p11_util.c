// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers for the PKCS#11 tests; see p11_util.h.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "p11_util.h"

#ifndef KHSM_TOP
#define KHSM_TOP "."
#endif

const unsigned char p_p256_oid[10] = {
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07
};

const char *p_module_path(void)
{
	const char *p = getenv("KHSM_PKCS11");

	return p && *p ? p : KHSM_TOP "/pkcs11/khsm-pkcs11.so";
}

void *p_dlopen(void)
{
	static void *h;

	if (h)
		return h;
	/* Fast PIN derivation under TCG, unless the caller chose otherwise. */
	setenv("KHSM_ARGON2_M_KIB", "64", 0);
	setenv("KHSM_ARGON2_T", "1", 0);
	h = dlopen(p_module_path(), RTLD_NOW | RTLD_LOCAL);
	if (!h)
		fprintf(stderr, "# dlopen %s: %s\n", p_module_path(), dlerror());
	return h;
}

CK_FUNCTION_LIST_PTR p_load(void)
{
	CK_C_GetFunctionList gfl;
	CK_FUNCTION_LIST_PTR f = NULL;
	void *h = p_dlopen();
	CK_RV rv;

	if (!h)
		return NULL;
	gfl = (CK_C_GetFunctionList)dlsym(h, "C_GetFunctionList");
	if (!gfl) {
		fprintf(stderr, "# %s has no C_GetFunctionList\n", p_module_path());
		return NULL;
	}
	rv = gfl(&f);
	if (rv != CKR_OK || !f) {
		fprintf(stderr, "# C_GetFunctionList: rv 0x%lx\n", rv);
		return NULL;
	}
	return f;
}

CK_FUNCTION_LIST_PTR p_init(void)
{
	CK_C_INITIALIZE_ARGS args = { .flags = CKF_OS_LOCKING_OK };
	CK_FUNCTION_LIST_PTR f = p_load();
	CK_RV rv;

	if (!f)
		return NULL;
	rv = f->C_Initialize(&args);
	if (rv != CKR_OK) {
		fprintf(stderr, "# C_Initialize: rv 0x%lx\n", rv);
		return NULL;
	}
	return f;
}

CK_SLOT_ID p_slot(CK_FUNCTION_LIST_PTR f)
{
	CK_SLOT_ID slots[16];
	CK_ULONG n = 16;
	CK_RV rv;

	rv = f->C_GetSlotList(CK_TRUE, slots, &n);
	if (rv != CKR_OK || n == 0) {
		fprintf(stderr, "# C_GetSlotList: rv 0x%lx, %lu slots\n", rv, n);
		return (CK_SLOT_ID)-1;
	}
	return slots[0];
}

static void pad(unsigned char *dst, const char *s, size_t n)
{
	memset(dst, ' ', n);
	memcpy(dst, s, strlen(s) < n ? strlen(s) : n);
}

CK_RV p_reset_token(CK_FUNCTION_LIST_PTR f, CK_SLOT_ID slot)
{
	unsigned char label[32];
	CK_SESSION_HANDLE s;
	CK_RV rv;

	pad(label, P_LABEL, sizeof(label));
	rv = f->C_InitToken(slot, (CK_UTF8CHAR *)P_SO_PIN, strlen(P_SO_PIN), label);
	if (rv != CKR_OK) {
		fprintf(stderr, "# C_InitToken: rv 0x%lx\n", rv);
		return rv;
	}
	rv = f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s);
	if (rv != CKR_OK) {
		fprintf(stderr, "# C_OpenSession: rv 0x%lx\n", rv);
		return rv;
	}
	rv = f->C_Login(s, CKU_SO, (CK_UTF8CHAR *)P_SO_PIN, strlen(P_SO_PIN));
	if (rv != CKR_OK) {
		fprintf(stderr, "# C_Login(SO): rv 0x%lx\n", rv);
		return rv;
	}
	rv = f->C_InitPIN(s, (CK_UTF8CHAR *)P_USER_PIN, strlen(P_USER_PIN));
	if (rv != CKR_OK) {
		fprintf(stderr, "# C_InitPIN: rv 0x%lx\n", rv);
		return rv;
	}
	rv = f->C_CloseSession(s);
	if (rv != CKR_OK)
		fprintf(stderr, "# C_CloseSession: rv 0x%lx\n", rv);
	return rv;
}

CK_SESSION_HANDLE p_user_session(CK_FUNCTION_LIST_PTR f, CK_SLOT_ID slot)
{
	CK_SESSION_HANDLE s;
	CK_RV rv;

	rv = f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s);
	if (rv != CKR_OK) {
		fprintf(stderr, "# C_OpenSession: rv 0x%lx\n", rv);
		return 0;
	}
	rv = f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)P_USER_PIN, strlen(P_USER_PIN));
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
		fprintf(stderr, "# C_Login(USER): rv 0x%lx\n", rv);
		return 0;
	}
	return s;
}

CK_RV p_gen_p256(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, CK_BBOOL token,
		 CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
	CK_MECHANISM m = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE pt[] = {
		{ CKA_TOKEN, &token, 1 },
		{ CKA_VERIFY, &yes, 1 },
		{ CKA_EC_PARAMS, (void *)p_p256_oid, sizeof(p_p256_oid) },
	};
	CK_ATTRIBUTE kt[] = {
		{ CKA_TOKEN, &token, 1 },
		{ CKA_SIGN, &yes, 1 },
		{ CKA_SENSITIVE, &yes, 1 },
		{ CKA_PRIVATE, &yes, 1 },
	};

	return f->C_GenerateKeyPair(s, &m, pt, 3, kt, 4, pub, priv);
}

CK_RV p_aes_key(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		const unsigned char *key, CK_ULONG len, CK_OBJECT_HANDLE *h)
{
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_AES;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_ENCRYPT, &yes, 1 },
		{ CKA_DECRYPT, &yes, 1 },
		{ CKA_VALUE, (void *)key, len },
	};

	return f->C_CreateObject(s, t, 5, h);
}

CK_ULONG p_ec_point(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		    CK_OBJECT_HANDLE pub, unsigned char *buf, CK_ULONG cap)
{
	CK_ATTRIBUTE a = { CKA_EC_POINT, buf, cap };

	if (f->C_GetAttributeValue(s, pub, &a, 1) != CKR_OK)
		return 0;
	return a.ulValueLen;
}

CK_RV p_rsa_import(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, void *pk,
		   const CK_ATTRIBUTE *priv_extra, CK_ULONG n_priv,
		   const CK_ATTRIBUTE *pub_extra, CK_ULONG n_pub,
		   CK_OBJECT_HANDLE *priv, CK_OBJECT_HANDLE *pub)
{
	static const char *const params[8] = {
		OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E,
		OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1,
		OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
		OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
	};
	static const CK_ATTRIBUTE_TYPE types[8] = {
		CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT,
		CKA_PRIME_1, CKA_PRIME_2, CKA_EXPONENT_1, CKA_EXPONENT_2,
		CKA_COEFFICIENT,
	};
	static CK_OBJECT_CLASS cpriv = CKO_PRIVATE_KEY, cpub = CKO_PUBLIC_KEY;
	static CK_KEY_TYPE kt = CKK_RSA;
	unsigned char num[8][1024];	/* up to RSA-8192 */
	CK_ATTRIBUTE t[2 + 8 + P_RSA_MAX_EXTRA];
	CK_ULONG n = 0, i;
	CK_RV rv = CKR_GENERAL_ERROR;

	if (n_priv > P_RSA_MAX_EXTRA || n_pub > P_RSA_MAX_EXTRA)
		return CKR_ARGUMENTS_BAD;
	t[n++] = (CK_ATTRIBUTE){ CKA_CLASS, &cpriv, sizeof(cpriv) };
	t[n++] = (CK_ATTRIBUTE){ CKA_KEY_TYPE, &kt, sizeof(kt) };
	for (i = 0; i < 8; i++) {
		BIGNUM *b = NULL;
		int len;

		if (!EVP_PKEY_get_bn_param(pk, params[i], &b) ||
		    BN_num_bytes(b) > (int)sizeof(num[i])) {
			BN_clear_free(b);
			goto out;
		}
		len = BN_bn2bin(b, num[i]);
		BN_clear_free(b);
		t[n++] = (CK_ATTRIBUTE){ types[i], num[i], (CK_ULONG)len };
	}
	if (n_priv)
		memcpy(t + n, priv_extra, n_priv * sizeof(*t));
	rv = f->C_CreateObject(s, t, n + n_priv, priv);
	if (rv != CKR_OK || !pub)
		goto out;
	/* class, key type, modulus, public exponent */
	t[0].pValue = &cpub;
	n = 4;
	if (n_pub)
		memcpy(t + n, pub_extra, n_pub * sizeof(*t));
	rv = f->C_CreateObject(s, t, n + n_pub, pub);
out:
	OPENSSL_cleanse(num, sizeof(num));
	return rv;
}
