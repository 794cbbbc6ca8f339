// SPDX-License-Identifier: GPL-2.0
/*
 * khsm-pkcs11.so against the real module (run inside the VM, as a member
 * of the token's group): what the translation layer adds on top of the
 * kernel. Re-initialises token 0 (slot 0). Prints TAP.
 *
 *   kernel_test <path to khsm-pkcs11.so>
 *
 * Covers: token init/PINs/login through the module, session handles and
 * info, the length protocol of C_Encrypt/C_Digest/C_GetMechanismList,
 * CK_GCM_PARAMS in the 3.0 (with ulIvBits) and 2.40 layouts, NULL
 * mechanism ending an operation, C_SessionCancel, C_GetAttributeValue
 * with per-attribute answers, C_FindObjects handle widening, ECDSA P-256
 * sign/verify one-shot and multi-part (a failure if the module lists no
 * ECDSA: README promises it), a second slot (skipped unless loaded with
 * tokens=2), fork (the
 * parent's sessions survive the child's C_Initialize) and threads.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../p11_3_0.h"
#include "kat.h"
#include "tap.h"

static CK_FUNCTION_LIST_3_0 *f;

#define RV_IS(expr, want) do {						\
	CK_RV _rv = (expr);						\
	tap_ok(_rv == (CK_RV)(want), "%s == %s (got 0x%lx)", #expr, #want,	\
	   _rv);							\
} while (0)

#define SO_PIN		"so-pin-1234"
#define USER_PIN	"user-1234"
#define PIN(p)		(CK_UTF8CHAR_PTR)(p), (CK_ULONG)strlen(p)

static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;

static CK_OBJECT_HANDLE make_aes(CK_SESSION_HANDLE s, CK_BBOOL token)
{
	CK_MECHANISM m = { CKM_AES_KEY_GEN, NULL, 0 };
	CK_ULONG len = 32;
	CK_KEY_TYPE kt = CKK_AES;
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_VALUE_LEN, &len, sizeof(len) },
		{ CKA_TOKEN, &token, 1 },
		{ CKA_ENCRYPT, &yes, 1 },
		{ CKA_DECRYPT, &yes, 1 },
		{ CKA_SENSITIVE, &yes, 1 },
		{ CKA_LABEL, "kt-aes", 6 },
	};
	CK_OBJECT_HANDLE h = 0;
	CK_RV rv = f->C_GenerateKey(s, &m, t, sizeof(t) / sizeof(t[0]), &h);

	tap_ok(rv == CKR_OK && h, "C_GenerateKey AES-256 (rv 0x%lx, handle %lu)", rv, h);
	return h;
}

static void test_token(void)
{
	CK_UTF8CHAR label[32];
	CK_SESSION_HANDLE s = 0;
	CK_SESSION_INFO si;
	CK_TOKEN_INFO ti;

	memset(label, ' ', sizeof(label));
	memcpy(label, "kernel_test", 11);
	RV_IS(f->C_InitToken(0, PIN(SO_PIN), label), CKR_OK);
	RV_IS(f->C_GetTokenInfo(0, &ti), CKR_OK);
	tap_ok(!memcmp(ti.label, label, 32) && (ti.flags & CKF_TOKEN_INITIALIZED),
	   "token info: label and CKF_TOKEN_INITIALIZED");
	tap_ok(ti.ulTotalPublicMemory == CK_UNAVAILABLE_INFORMATION,
	   "memory figures CK_UNAVAILABLE_INFORMATION");
	RV_IS(f->C_OpenSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL,
			       NULL, &s), CKR_OK);
	tap_ok((s >> 32) == 0 && (s & 0xffffffff) != 0, "slot 0 session handle 0x%lx", s);
	RV_IS(f->C_Login(s, CKU_SO, PIN("wrong-pin")), CKR_PIN_INCORRECT);
	RV_IS(f->C_Login(s, CKU_SO, PIN(SO_PIN)), CKR_OK);
	RV_IS(f->C_GetSessionInfo(s, &si), CKR_OK);
	tap_ok(si.slotID == 0 && si.state == CKS_RW_SO_FUNCTIONS &&
	   (si.flags & CKF_RW_SESSION), "session info: slot 0, RW SO functions");
	RV_IS(f->C_InitPIN(s, PIN(USER_PIN)), CKR_OK);
	RV_IS(f->C_Logout(s), CKR_OK);
	RV_IS(f->C_Login(s, CKU_USER, PIN(USER_PIN)), CKR_OK);
	RV_IS(f->C_SetPIN(s, PIN(USER_PIN), PIN(USER_PIN "x")), CKR_OK);
	RV_IS(f->C_Logout(s), CKR_OK);
	RV_IS(f->C_Login(s, CKU_USER, PIN(USER_PIN)), CKR_PIN_INCORRECT);
	RV_IS(f->C_Login(s, CKU_USER, PIN(USER_PIN "x")), CKR_OK);
	RV_IS(f->C_SetPIN(s, PIN(USER_PIN "x"), PIN(USER_PIN)), CKR_OK);
	RV_IS(f->C_CloseSession(s), CKR_OK);
	RV_IS(f->C_CloseSession(s), CKR_SESSION_HANDLE_INVALID);
}

static void test_mechs(void)
{
	CK_MECHANISM_TYPE list[256], one[1];
	CK_MECHANISM_INFO mi;
	CK_ULONG n = 0, i, small = 1;
	int sha256 = 0;

	RV_IS(f->C_GetMechanismList(0, NULL, &n), CKR_OK);
	tap_ok(n > 1 && n <= 256, "mechanism count %lu", n);
	RV_IS(f->C_GetMechanismList(0, one, &small), CKR_BUFFER_TOO_SMALL);
	tap_ok(small == n, "too small: count set to %lu", small);
	memset(list, 0xff, sizeof(list));
	RV_IS(f->C_GetMechanismList(0, list, &n), CKR_OK);
	for (i = 0; i < n; i++)
		sha256 |= list[i] == CKM_SHA256;
	tap_ok(sha256 && list[n - 1] < 0x100000000UL,
	   "list widened to CK_ULONG, has CKM_SHA256");
	RV_IS(f->C_GetMechanismInfo(0, CKM_SHA256, &mi), CKR_OK);
	tap_ok(mi.flags & CKF_DIGEST, "CKM_SHA256 has CKF_DIGEST");
	RV_IS(f->C_GetMechanismInfo(0, 0x7fff1234UL, &mi), CKR_MECHANISM_INVALID);
}

static void test_digest(CK_SESSION_HANDLE s)
{
	const CK_BYTE *want = kat_sha256_abc;
	CK_MECHANISM m = { CKM_SHA256, NULL, 0 };
	CK_BYTE out[64] = { 0 };
	CK_ULONG len = 0;

	RV_IS(f->C_DigestInit(s, &m), CKR_OK);
	RV_IS(f->C_DigestInit(s, &m), CKR_OPERATION_ACTIVE);
	RV_IS(f->C_Digest(s, (CK_BYTE_PTR)"abc", 3, NULL, &len), CKR_OK);
	tap_ok(len == 32, "length query: 32");
	len = 10;
	RV_IS(f->C_Digest(s, (CK_BYTE_PTR)"abc", 3, out, &len), CKR_BUFFER_TOO_SMALL);
	tap_ok(len == 32, "too small: 32 needed");
	len = sizeof(out);
	RV_IS(f->C_Digest(s, (CK_BYTE_PTR)"abc", 3, out, &len), CKR_OK);
	tap_ok(len == 32 && !memcmp(out, want, 32), "one-shot SHA-256(abc)");
	RV_IS(f->C_DigestInit(s, &m), CKR_OK);
	RV_IS(f->C_DigestUpdate(s, (CK_BYTE_PTR)"a", 1), CKR_OK);
	RV_IS(f->C_DigestUpdate(s, (CK_BYTE_PTR)"bc", 2), CKR_OK);
	len = sizeof(out);
	RV_IS(f->C_DigestFinal(s, out, &len), CKR_OK);
	tap_ok(len == 32 && !memcmp(out, want, 32), "multi-part SHA-256(abc)");
	RV_IS(f->C_DigestInit(s, &m), CKR_OK);
	RV_IS(f->C_DigestInit(s, NULL), CKR_OK);
	RV_IS(f->C_DigestUpdate(s, (CK_BYTE_PTR)"a", 1), CKR_OPERATION_NOT_INITIALIZED);
	RV_IS(f->C_DigestInit(s, &m), CKR_OK);
	RV_IS(f->C_SessionCancel(s, CKF_DIGEST | CKF_SIGN), CKR_OK);
	RV_IS(f->C_DigestUpdate(s, (CK_BYTE_PTR)"a", 1), CKR_OPERATION_NOT_INITIALIZED);
	RV_IS(f->C_DigestInit(s, &m), CKR_OK);
	RV_IS(f->C_Digest(s, NULL, 5, out, &len), CKR_ARGUMENTS_BAD);
	RV_IS(f->C_DigestUpdate(s, (CK_BYTE_PTR)"a", 1), CKR_OPERATION_NOT_INITIALIZED);
}

/* CK_GCM_PARAMS of PKCS#11 2.40's header: no ulIvBits. */
struct gcm_240 {
	CK_BYTE_PTR pIv;
	CK_ULONG ulIvLen;
	CK_BYTE_PTR pAAD;
	CK_ULONG ulAADLen;
	CK_ULONG ulTagBits;
};

static void test_aes(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE k)
{
	CK_BYTE iv[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, aad[5] = "head";
	CK_BYTE pt[40], ct[80] = { 0 }, back[80] = { 0 };
	CK_ULONG ct_len, back_len, len;
	CK_GCM_PARAMS g30 = { iv, 12, 96, aad, sizeof(aad), 128 };
	struct gcm_240 g24 = { iv, 12, aad, sizeof(aad), 128 };
	CK_MECHANISM cbc = { CKM_AES_CBC_PAD, iv, 16 };
	CK_MECHANISM m30 = { CKM_AES_GCM, &g30, sizeof(g30) };
	CK_MECHANISM m24 = { CKM_AES_GCM, &g24, sizeof(g24) };
	CK_MECHANISM bad = { CKM_AES_GCM, &g30, 20 };

	memset(pt, 0x5a, sizeof(pt));
	RV_IS(f->C_EncryptInit(s, &cbc, k), CKR_OK);
	len = 0;
	RV_IS(f->C_Encrypt(s, pt, sizeof(pt), NULL, &len), CKR_OK);
	tap_ok(len >= 48, "CBC-PAD length query %lu >= 48", len);
	len = 16;
	RV_IS(f->C_Encrypt(s, pt, sizeof(pt), ct, &len), CKR_BUFFER_TOO_SMALL);
	ct_len = sizeof(ct);
	RV_IS(f->C_Encrypt(s, pt, sizeof(pt), ct, &ct_len), CKR_OK);
	tap_ok(ct_len == 48, "CBC-PAD ciphertext 48 bytes (%lu)", ct_len);
	RV_IS(f->C_DecryptInit(s, &cbc, k), CKR_OK);
	back_len = 0;
	RV_IS(f->C_DecryptUpdate(s, ct, 20, back, &back_len), CKR_BUFFER_TOO_SMALL);
	back_len = sizeof(back);
	RV_IS(f->C_DecryptUpdate(s, ct, 20, back, &back_len), CKR_OK);
	len = sizeof(back) - back_len;
	RV_IS(f->C_DecryptUpdate(s, ct + 20, ct_len - 20, back + back_len, &len), CKR_OK);
	back_len += len;
	len = sizeof(back) - back_len;
	RV_IS(f->C_DecryptFinal(s, back + back_len, &len), CKR_OK);
	back_len += len;
	tap_ok(back_len == sizeof(pt) && !memcmp(back, pt, sizeof(pt)),
	   "CBC-PAD multi-part decrypt round trip");

	RV_IS(f->C_EncryptInit(s, &bad, k), CKR_MECHANISM_PARAM_INVALID);
	RV_IS(f->C_EncryptInit(s, &m30, k), CKR_OK);
	ct_len = sizeof(ct);
	RV_IS(f->C_Encrypt(s, pt, sizeof(pt), ct, &ct_len), CKR_OK);
	tap_ok(ct_len == sizeof(pt) + 16, "GCM (3.0 params) ciphertext + tag %lu", ct_len);
	RV_IS(f->C_DecryptInit(s, &m24, k), CKR_OK);
	back_len = sizeof(back);
	RV_IS(f->C_Decrypt(s, ct, ct_len, back, &back_len), CKR_OK);
	tap_ok(back_len == sizeof(pt) && !memcmp(back, pt, sizeof(pt)),
	   "GCM decrypt with 2.40-layout params matches");
	ct[3] ^= 1;
	RV_IS(f->C_DecryptInit(s, &m30, k), CKR_OK);
	back_len = sizeof(back);
	RV_IS(f->C_Decrypt(s, ct, ct_len, back, &back_len), CKR_ENCRYPTED_DATA_INVALID);
	RV_IS(f->C_EncryptInit(s, &cbc, 0x100000001UL), CKR_KEY_HANDLE_INVALID);
	RV_IS(f->C_Encrypt(s, pt, 16, ct, NULL), CKR_ARGUMENTS_BAD);
	RV_IS(f->C_EncryptInit(s, &cbc, k), CKR_OK);
	RV_IS(f->C_Encrypt(s, pt, 16, ct, NULL), CKR_ARGUMENTS_BAD);
	ct_len = sizeof(ct);
	RV_IS(f->C_Encrypt(s, pt, 16, ct, &ct_len), CKR_OPERATION_NOT_INITIALIZED);
}

static void test_objects(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE k)
{
	CK_OBJECT_CLASS cls = CKO_DATA, got_cls = 0;
	CK_ATTRIBUTE data[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_TOKEN, &no, 1 },
		{ CKA_LABEL, "kt-data", 7 },
		{ CKA_VALUE, "payload", 7 },
	};
	CK_ATTRIBUTE find[] = { { CKA_LABEL, "kt-data", 7 } };
	CK_OBJECT_HANDLE h[3] = { 0 }, found[8];
	CK_BYTE value[64] = { 0 };
	CK_ULONG n = 0, size = 0, vlen;
	CK_BBOOL sens = 0;
	int i;

	for (i = 0; i < 3; i++)
		RV_IS(f->C_CreateObject(s, data, 4, &h[i]), CKR_OK);
	RV_IS(f->C_CreateObject(s, data, 4, NULL), CKR_ARGUMENTS_BAD);
	RV_IS(f->C_GetObjectSize(s, h[0], &size), CKR_OK);
	tap_ok(size == CK_UNAVAILABLE_INFORMATION, "object size unavailable");
	RV_IS(f->C_GetObjectSize(s, 0xfffffff0UL, &size), CKR_OBJECT_HANDLE_INVALID);
	RV_IS(f->C_FindObjectsInit(s, find, 1), CKR_OK);
	memset(found, 0xff, sizeof(found));
	RV_IS(f->C_FindObjects(s, found, 8, &n), CKR_OK);
	tap_ok(n == 3 && found[0] == h[0] && found[1] == h[1] && found[2] == h[2] &&
	   found[3] == (CK_OBJECT_HANDLE)-1,
	   "C_FindObjects: the three handles, widened, nothing past them (%lu)", n);
	RV_IS(f->C_FindObjects(s, found, 8, &n), CKR_OK);
	tap_ok(n == 0, "then none");
	RV_IS(f->C_FindObjectsFinal(s), CKR_OK);

	{
		CK_ATTRIBUTE t[] = {
			{ CKA_CLASS, &got_cls, sizeof(got_cls) },
			{ CKA_VALUE, NULL, 0 },
			{ CKA_MODULUS, NULL, 0 },
		};
		RV_IS(f->C_GetAttributeValue(s, h[0], t, 3), CKR_ATTRIBUTE_TYPE_INVALID);
		tap_ok(got_cls == CKO_DATA && t[1].ulValueLen == 7 &&
		   t[2].ulValueLen == CK_UNAVAILABLE_INFORMATION,
		   "per-attribute answers: class, length 7, unavailable");
		t[1].pValue = value;
		t[1].ulValueLen = 3;
		RV_IS(f->C_GetAttributeValue(s, h[0], t, 2), CKR_BUFFER_TOO_SMALL);
		tap_ok(t[1].ulValueLen == CK_UNAVAILABLE_INFORMATION && got_cls == CKO_DATA,
		   "too small: CK_UNAVAILABLE_INFORMATION (5.7.5), class still read");
		t[1].ulValueLen = sizeof(value);
		RV_IS(f->C_GetAttributeValue(s, h[0], t, 2), CKR_OK);
		tap_ok(t[1].ulValueLen == 7 && !memcmp(value, "payload", 7), "CKA_VALUE read");
	}
	{
		CK_ATTRIBUTE t[] = {
			{ CKA_SENSITIVE, &sens, 1 },
			{ CKA_VALUE, value, sizeof(value) },
		};
		RV_IS(f->C_GetAttributeValue(s, k, t, 2), CKR_ATTRIBUTE_SENSITIVE);
		vlen = t[1].ulValueLen;
		tap_ok(sens == CK_TRUE && vlen == CK_UNAVAILABLE_INFORMATION,
		   "sensitive key: CKA_SENSITIVE filled, CKA_VALUE unavailable");
	}
	{
		CK_ATTRIBUTE t[] = { { CKA_LABEL, "renamed", 7 } };
		CK_OBJECT_HANDLE c = 0;

		RV_IS(f->C_SetAttributeValue(s, h[1], t, 1), CKR_OK);
		RV_IS(f->C_CopyObject(s, h[1], NULL, 0, &c), CKR_OK);
		RV_IS(f->C_DestroyObject(s, c), CKR_OK);
	}
	for (i = 0; i < 3; i++)
		RV_IS(f->C_DestroyObject(s, h[i]), CKR_OK);
	RV_IS(f->C_DestroyObject(s, h[0]), CKR_OBJECT_HANDLE_INVALID);
}

static int has_mech(CK_MECHANISM_TYPE t)
{
	CK_MECHANISM_INFO mi;

	return f->C_GetMechanismInfo(0, t, &mi) == CKR_OK;
}

static void test_ecdsa(CK_SESSION_HANDLE s)
{
	static CK_BYTE p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d,
				  0x03, 0x01, 0x07 };
	CK_MECHANISM gen = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_MECHANISM sha = { CKM_ECDSA_SHA256, NULL, 0 };
	CK_MECHANISM raw = { CKM_ECDSA, NULL, 0 };
	CK_ATTRIBUTE pub_t[] = {
		{ CKA_EC_PARAMS, p256, sizeof(p256) },
		{ CKA_VERIFY, &yes, 1 },
		{ CKA_TOKEN, &no, 1 },
	};
	CK_ATTRIBUTE priv_t[] = {
		{ CKA_SIGN, &yes, 1 },
		{ CKA_SENSITIVE, &yes, 1 },
		{ CKA_PRIVATE, &yes, 1 },
		{ CKA_TOKEN, &no, 1 },
	};
	CK_OBJECT_HANDLE pub = 0, priv = 0;
	CK_BYTE sig[128] = { 0 }, point[80] = { 0 }, value[80] = { 0 };
	CK_BYTE digest[32] = { 0 };
	CK_ULONG sig_len, len;
	CK_ATTRIBUTE pt[] = { { CKA_EC_POINT, point, sizeof(point) } };
	CK_ATTRIBUTE pv[] = { { CKA_VALUE, value, sizeof(value) } };
	CK_MECHANISM dm = { CKM_SHA256, NULL, 0 };

	/* README promises ECDSA: missing is a failure, not a skip. */
	if (!has_mech(CKM_EC_KEY_PAIR_GEN) || !has_mech(CKM_ECDSA_SHA256) ||
	    !has_mech(CKM_ECDSA)) {
		tap_ok(0, "the module lists CKM_EC_KEY_PAIR_GEN, CKM_ECDSA and CKM_ECDSA_SHA256");
		return;
	}
	RV_IS(f->C_GenerateKeyPair(s, &gen, pub_t, 3, priv_t, 4, &pub, NULL),
	      CKR_ARGUMENTS_BAD);
	RV_IS(f->C_GenerateKeyPair(s, &gen, pub_t, 3, priv_t, 4, &pub, &priv),
	      CKR_OK);
	RV_IS(f->C_GetAttributeValue(s, pub, pt, 1), CKR_OK);
	tap_ok(pt[0].ulValueLen == 67 && point[0] == 0x04 && point[1] == 65 &&
	   point[2] == 0x04, "CKA_EC_POINT: DER OCTET STRING of 65-byte point");
	RV_IS(f->C_GetAttributeValue(s, priv, pv, 1), CKR_ATTRIBUTE_SENSITIVE);

	RV_IS(f->C_SignInit(s, &sha, priv), CKR_OK);
	sig_len = 0;
	RV_IS(f->C_Sign(s, (CK_BYTE_PTR)"abc", 3, NULL, &sig_len), CKR_OK);
	tap_ok(sig_len == 64, "ECDSA-SHA256 length query 64 (%lu)", sig_len);
	sig_len = sizeof(sig);
	RV_IS(f->C_Sign(s, (CK_BYTE_PTR)"abc", 3, sig, &sig_len), CKR_OK);
	RV_IS(f->C_VerifyInit(s, &sha, pub), CKR_OK);
	RV_IS(f->C_Verify(s, (CK_BYTE_PTR)"abc", 3, sig, sig_len), CKR_OK);
	RV_IS(f->C_VerifyInit(s, &sha, pub), CKR_OK);
	RV_IS(f->C_VerifyUpdate(s, (CK_BYTE_PTR)"a", 1), CKR_OK);
	RV_IS(f->C_VerifyUpdate(s, (CK_BYTE_PTR)"bc", 2), CKR_OK);
	RV_IS(f->C_VerifyFinal(s, sig, sig_len), CKR_OK);
	sig[10] ^= 0x40;
	RV_IS(f->C_VerifyInit(s, &sha, pub), CKR_OK);
	RV_IS(f->C_Verify(s, (CK_BYTE_PTR)"abc", 3, sig, sig_len), CKR_SIGNATURE_INVALID);

	RV_IS(f->C_SignInit(s, &sha, priv), CKR_OK);
	RV_IS(f->C_SignUpdate(s, (CK_BYTE_PTR)"ab", 2), CKR_OK);
	RV_IS(f->C_SignUpdate(s, (CK_BYTE_PTR)"c", 1), CKR_OK);
	sig_len = sizeof(sig);
	RV_IS(f->C_SignFinal(s, sig, &sig_len), CKR_OK);

	/* Raw CKM_ECDSA over SHA-256("abc") verifies the multi-part signature. */
	RV_IS(f->C_DigestInit(s, &dm), CKR_OK);
	len = sizeof(digest);
	RV_IS(f->C_Digest(s, (CK_BYTE_PTR)"abc", 3, digest, &len), CKR_OK);
	RV_IS(f->C_VerifyInit(s, &raw, pub), CKR_OK);
	RV_IS(f->C_Verify(s, digest, len, sig, sig_len), CKR_OK);
	RV_IS(f->C_SignInit(s, &raw, priv), CKR_OK);
	sig_len = sizeof(sig);
	RV_IS(f->C_Sign(s, digest, len, sig, &sig_len), CKR_OK);
	RV_IS(f->C_VerifyInit(s, &sha, pub), CKR_OK);
	RV_IS(f->C_Verify(s, (CK_BYTE_PTR)"abc", 3, sig, sig_len), CKR_OK);
	{
		CK_RV rv = f->C_SignInit(s, &sha, pub);

		tap_ok(rv == CKR_KEY_TYPE_INCONSISTENT ||
		   rv == CKR_KEY_FUNCTION_NOT_PERMITTED,
		   "C_SignInit with the public key refused (0x%lx)", rv);
	}
	RV_IS(f->C_DestroyObject(s, priv), CKR_OK);
	RV_IS(f->C_DestroyObject(s, pub), CKR_OK);
}

/* Slot IDs other than 0 travel in the session handle's upper half. */
static void test_second_slot(CK_SESSION_HANDLE s0)
{
	CK_SLOT_ID ids[8];
	CK_ULONG n = 8, i;
	CK_SLOT_ID other = 0;
	CK_SESSION_HANDLE s = 0;
	CK_SESSION_INFO si;
	CK_TOKEN_INFO ti;

	if (f->C_GetSlotList(CK_TRUE, ids, &n) != CKR_OK)
		n = 0;
	for (i = 0; i < n; i++)
		if (ids[i] != 0)
			other = ids[i];
	if (!other || f->C_GetTokenInfo(other, &ti) != CKR_OK) {
		tap_skip("second slot: no second usable token (load with tokens=2)");
		return;
	}
	RV_IS(f->C_OpenSession(other, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
	tap_ok((s >> 32) == other, "slot %lu session handle 0x%lx carries the slot", other, s);
	RV_IS(f->C_GetSessionInfo(s, &si), CKR_OK);
	tap_ok(si.slotID == other && si.state == CKS_RO_PUBLIC_SESSION,
	   "its session info names slot %lu, not logged in there", other);
	RV_IS(f->C_GetSessionInfo((s & 0xffffffffUL) | ((CK_ULONG)0x7f << 32), &si),
	      CKR_SESSION_HANDLE_INVALID);
	RV_IS(f->C_CloseAllSessions(other), CKR_OK);
	RV_IS(f->C_GetSessionInfo(s, &si), CKR_SESSION_HANDLE_INVALID);
	RV_IS(f->C_GetSessionInfo(s0, &si), CKR_OK);
	tap_ok(si.slotID == 0, "slot 0's session is untouched");
}

static void test_fork(CK_SESSION_HANDLE s)
{
	CK_SESSION_INFO si;
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		CK_SESSION_HANDLE cs = 0;
		int fail = 0;

		fail |= f->C_GetSessionInfo(s, &si) != CKR_CRYPTOKI_NOT_INITIALIZED;
		fail |= (f->C_Initialize(NULL) != CKR_OK) << 1;
		fail |= (f->C_GetSessionInfo(s, &si) != CKR_SESSION_HANDLE_INVALID) << 2;
		fail |= (f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &cs) != CKR_OK) << 3;
		fail |= (f->C_GetSessionInfo(cs, &si) != CKR_OK ||
			 si.state != CKS_RO_PUBLIC_SESSION) << 4;
		fail |= (f->C_Finalize(NULL) != CKR_OK) << 5;
		_exit(fail);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "child: NOT_INITIALIZED, then own C_Initialize, own file, not logged in (0x%x)",
	   status);
	RV_IS(f->C_GetSessionInfo(s, &si), CKR_OK);
	tap_ok(si.state == CKS_RW_USER_FUNCTIONS, "parent's session and login survive the child");
}

struct thr {
	CK_SESSION_HANDLE s;
	int bad;
};

static void *thread_body(void *arg)
{
	struct thr *t = arg;
	CK_MECHANISM m = { CKM_SHA256, NULL, 0 };
	CK_BYTE out[32], rnd[16];
	CK_ULONG len;
	int i;

	for (i = 0; i < 200; i++) {
		/* valgrind cannot see what the khsm ioctls write. */
		memset(out, 0, sizeof(out));
		len = sizeof(out);
		if (f->C_DigestInit(t->s, &m) != CKR_OK ||
		    f->C_Digest(t->s, (CK_BYTE_PTR)"abc", 3, out, &len) != CKR_OK ||
		    len != 32 || memcmp(out, kat_sha256_abc, 32) ||
		    f->C_GenerateRandom(t->s, rnd, sizeof(rnd)) != CKR_OK)
			t->bad++;
	}
	return NULL;
}

static void test_threads(void)
{
	struct thr t[6];
	pthread_t th[6];
	int i, bad = 0;

	for (i = 0; i < 6; i++) {
		t[i].bad = 0;
		t[i].s = 0;
		f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &t[i].s);
		pthread_create(&th[i], NULL, thread_body, &t[i]);
	}
	for (i = 0; i < 6; i++) {
		pthread_join(th[i], NULL);
		bad += t[i].bad;
		f->C_CloseSession(t[i].s);
	}
	tap_ok(bad == 0, "6 threads, a session each, 200 digests + randoms: %d bad", bad);
}

int main(int argc, char **argv)
{
	CK_C_GetInterface gi;
	CK_INTERFACE *in = NULL;
	CK_C_INITIALIZE_ARGS a = { .flags = CKF_OS_LOCKING_OK };
	CK_SESSION_HANDLE s = 0;
	CK_OBJECT_HANDLE k;
	void *so;

	if (argc != 2) {
		fprintf(stderr, "usage: %s khsm-pkcs11.so\n", argv[0]);
		return 2;
	}
	setenv("KHSM_ARGON2_M_KIB", "64", 0);
	setenv("KHSM_ARGON2_T", "1", 0);
	so = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	gi = so ? (CK_C_GetInterface)dlsym(so, "C_GetInterface") : NULL;
	if (!gi || gi(NULL, NULL, &in, 0) != CKR_OK) {
		printf("Bail out! cannot load %s: %s\n", argv[1], dlerror());
		return 1;
	}
	f = in->pFunctionList;
	RV_IS(f->C_Initialize(&a), CKR_OK);
	test_token();
	test_mechs();
	RV_IS(f->C_OpenSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL,
			       NULL, &s), CKR_OK);
	RV_IS(f->C_Login(s, CKU_USER, PIN(USER_PIN)), CKR_OK);
	test_digest(s);
	k = make_aes(s, CK_FALSE);
	test_aes(s, k);
	test_objects(s, k);
	test_ecdsa(s);
	test_second_slot(s);
	test_fork(s);
	test_threads();
	RV_IS(f->C_CloseAllSessions(0), CKR_OK);
	RV_IS(f->C_GetSessionInfo(s, &(CK_SESSION_INFO){ 0 }), CKR_SESSION_HANDLE_INVALID);
	RV_IS(f->C_Finalize(NULL), CKR_OK);
	return tap_done();
}
