// SPDX-License-Identifier: GPL-2.0
/*
 * libhsm against the real kernel module, TAP output: the VM runner runs it
 * as libhsm_device_test (qemu-tests/run-all.sh, as hsmuser), and
 * `make -C libhsm-dev vm-test` as hsmuser and as root. It re-initialises
 * token $KHSM_TOKEN (default 0), so run it on a freshly loaded module.
 *
 * Covers the encoding of every wrapper end to end: token/PIN life cycle
 * (Argon2id verifiers with salts from the kernel), sessions, objects and
 * attributes, find, key generation, digest/encrypt/decrypt with the length
 * protocol, random, mechanism list/info, fork, and access without the group;
 * the keyring API (libkeyutils) on a token key pair.
 */
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <keyutils.h>
#include <khsm/hsm.h>
#include <p11-kit-1/p11-kit/pkcs11.h>
#include "kat.h"
#include "tap.h"

#define IS(got, want, what) do {					\
	unsigned long _g = (unsigned long)(got), _w = (unsigned long)(want); \
	tap_ok(_g == _w, "%s (got %s, want %s)", what, hsm_strerror(_g),	\
	   hsm_strerror(_w));						\
} while (0)

#define SO_PIN		"so-pin-2468"
#define USER_PIN	"user-pin-1357"
#define USER_PIN2	"user-pin-9753"

static void test_pins(struct hsm_token *tok)
{
	struct khsm_token_info ti;
	unsigned char label[32];
	unsigned long state = 99;
	uint32_t s = 0;

	memset(label, ' ', sizeof(label));
	memcpy(label, "libhsm-device-test", 18);
	IS(hsm_init_token(tok, SO_PIN, strlen(SO_PIN), label), CKR_OK,
	   "init token");
	IS(hsm_token_info(tok, &ti, sizeof(ti)), CKR_OK, "token info");
	tap_ok((ti.flags & CKF_TOKEN_INITIALIZED) && !memcmp(ti.label, label, 32),
	   "token initialised with our label");
	tap_ok(ti.so_t_cost == 1 && ti.so_m_cost_kib == 64 && ti.so_parallelism == 1,
	   "kernel stored the SO cost libhsm chose (t %u m %u p %u)",
	   ti.so_t_cost, ti.so_m_cost_kib, ti.so_parallelism);
	IS(hsm_init_token(tok, "wrong-so-pin", 12, label), CKR_PIN_INCORRECT,
	   "re-init with a wrong SO PIN");
	IS(hsm_init_token(tok, SO_PIN, strlen(SO_PIN), label), CKR_OK,
	   "re-init with the SO PIN (salt from the kernel)");

	IS(hsm_open_session(tok, CKF_SERIAL_SESSION | CKF_RW_SESSION, &s),
	   CKR_OK, "open RW session");
	IS(hsm_login(tok, s, CKU_USER, USER_PIN, strlen(USER_PIN)),
	   CKR_USER_PIN_NOT_INITIALIZED, "user login before C_InitPIN");
	IS(hsm_login(tok, s, CKU_SO, "bad", 3), CKR_PIN_INCORRECT,
	   "SO login wrong PIN");
	IS(hsm_login(tok, s, CKU_SO, SO_PIN, strlen(SO_PIN)), CKR_OK,
	   "SO login");
	IS(hsm_session_info(tok, s, &state, NULL), CKR_OK, "session info");
	tap_ok(state == CKS_RW_SO_FUNCTIONS, "state RW SO (%lu)", state);
	IS(hsm_init_pin(tok, s, USER_PIN, strlen(USER_PIN)), CKR_OK,
	   "init user PIN");
	IS(hsm_set_pin(tok, s, SO_PIN, strlen(SO_PIN), SO_PIN, strlen(SO_PIN)),
	   CKR_OK, "set SO PIN in SO session (old checked with SO salt)");
	IS(hsm_logout(tok, s), CKR_OK, "SO logout");
	IS(hsm_login(tok, s, CKU_USER, "nope", 4), CKR_PIN_INCORRECT,
	   "user login wrong PIN");
	IS(hsm_login(tok, s, CKU_USER, USER_PIN, strlen(USER_PIN)), CKR_OK,
	   "user login");
	IS(hsm_login(tok, s, CKU_USER, USER_PIN, strlen(USER_PIN)),
	   CKR_USER_ALREADY_LOGGED_IN, "second user login");
	IS(hsm_set_pin(tok, s, USER_PIN, strlen(USER_PIN), USER_PIN2,
		       strlen(USER_PIN2)), CKR_OK, "set user PIN");
	IS(hsm_logout(tok, s), CKR_OK, "user logout");
	IS(hsm_login(tok, s, CKU_USER, USER_PIN, strlen(USER_PIN)),
	   CKR_PIN_INCORRECT, "old user PIN refused");
	IS(hsm_login(tok, s, CKU_USER, USER_PIN2, strlen(USER_PIN2)), CKR_OK,
	   "new user PIN accepted");
	IS(hsm_close_session(tok, s), CKR_OK, "close session");
	IS(hsm_session_info(tok, s, &state, NULL), CKR_SESSION_HANDLE_INVALID,
	   "closed session is gone");
}

static void test_mechs_digest_random(struct hsm_token *tok, uint32_t s)
{
	const unsigned char *abc256 = kat_sha256_abc;
	struct hsm_mechanism sha = { CKM_SHA256, NULL, 0 };
	unsigned char rnd[300], zero[300];
	struct hsm_mech_info mi;
	unsigned long n = 0, len, i;
	uint32_t *mechs = NULL;
	void *out = NULL;
	int has_sha = 0;

	IS(hsm_mech_list_alloc(tok, &mechs, &n), CKR_OK, "mechanism list");
	for (i = 0; i < n; i++)
		has_sha |= mechs[i] == CKM_SHA256;
	tap_ok(n > 0 && has_sha, "%lu mechanisms, CKM_SHA256 among them", n);
	hsm_free(mechs);
	IS(hsm_mech_info(tok, CKM_SHA256, &mi), CKR_OK, "mechanism info");
	tap_ok(mi.flags & CKF_DIGEST, "SHA-256 has CKF_DIGEST");
	IS(hsm_mech_info(tok, 0x7ffffff0UL, &mi), CKR_MECHANISM_INVALID,
	   "unknown mechanism");

	IS(hsm_op_init(tok, s, KHSM_OP_DIGEST, &sha, 0), CKR_OK, "digest init");
	IS(hsm_op_init(tok, s, KHSM_OP_DIGEST, &sha, 0), CKR_OPERATION_ACTIVE,
	   "second digest init");
	len = 0;
	IS(hsm_op_data(tok, s, KHSM_OP_DIGEST, KHSM_DATA_ONESHOT, "abc", 3,
		       NULL, &len), CKR_OK, "digest length query");
	tap_ok(len == 32, "SHA-256 length 32 (%lu)", len);
	{
		unsigned char small[8];

		len = sizeof(small);
		IS(hsm_op_data(tok, s, KHSM_OP_DIGEST, KHSM_DATA_ONESHOT, "abc",
			       3, small, &len), CKR_BUFFER_TOO_SMALL,
		   "digest into 8 bytes");
		tap_ok(len == 32, "needed length written back");
	}
	IS(hsm_op_data_alloc(tok, s, KHSM_OP_DIGEST, KHSM_DATA_ONESHOT, "abc", 3,
			     &out, &len), CKR_OK, "digest abc");
	tap_ok(out && len == 32 && !memcmp(out, abc256, 32), "SHA-256(abc) KAT");
	hsm_free(out);
	IS(hsm_op_data(tok, s, KHSM_OP_DIGEST, KHSM_DATA_UPDATE, "a", 1, NULL,
		       NULL), CKR_OPERATION_NOT_INITIALIZED,
	   "oneshot ended the operation");
	IS(hsm_op_init(tok, s, KHSM_OP_DIGEST, &sha, 0), CKR_OK, "digest init");
	IS(hsm_op_data(tok, s, KHSM_OP_DIGEST, KHSM_DATA_UPDATE, "ab", 2, NULL,
		       NULL), CKR_OK, "digest update");
	IS(hsm_op_data(tok, s, KHSM_OP_DIGEST, KHSM_DATA_UPDATE, "c", 1, NULL,
		       NULL), CKR_OK, "digest update");
	IS(hsm_op_data_alloc(tok, s, KHSM_OP_DIGEST, KHSM_DATA_FINAL, NULL, 0,
			     &out, &len), CKR_OK, "digest final");
	tap_ok(out && len == 32 && !memcmp(out, abc256, 32), "multi-part = KAT");
	hsm_free(out);
	IS(hsm_op_init(tok, s, KHSM_OP_DIGEST, &sha, 0), CKR_OK, "digest init");
	IS(hsm_op_cancel(tok, s, KHSM_OP_DIGEST), CKR_OK, "digest cancel");
	IS(hsm_op_data(tok, s, KHSM_OP_DIGEST, KHSM_DATA_UPDATE, "a", 1, NULL,
		       NULL), CKR_OPERATION_NOT_INITIALIZED, "cancel ended it");

	memset(rnd, 0, sizeof(rnd));
	memset(zero, 0, sizeof(zero));
	IS(hsm_generate_random(tok, s, rnd, sizeof(rnd)), CKR_OK, "random");
	tap_ok(memcmp(rnd + 260, zero, 40) != 0, "random filled the tail");
}

static void test_objects(struct hsm_token *tok, uint32_t s)
{
	static const unsigned char key16[16] = "0123456789abcdef";
	struct hsm_mechanism gen = { CKM_AES_KEY_GEN, NULL, 0 };
	struct hsm_mechanism ecb = { CKM_AES_ECB, NULL, 0 };
	struct hsm_template *t = hsm_template_new();
	uint32_t key = 0, gkey = 0, copy = 0, *h = NULL;
	unsigned char block[16] = "sixteen byte msg", ct[16], pt[16];
	struct hsm_attr a[2];
	unsigned long n = 0, len, i;
	void *v = NULL;
	int found = 0, b = -1;
	uint64_t u = 0;

	hsm_template_add_ulong(t, CKA_CLASS, CKO_SECRET_KEY);
	hsm_template_add_ulong(t, CKA_KEY_TYPE, CKK_AES);
	hsm_template_add(t, CKA_VALUE, key16, sizeof(key16));
	hsm_template_add(t, CKA_LABEL, "imported", 8);
	hsm_template_add_bool(t, CKA_SENSITIVE, 1);
	hsm_template_add_bool(t, CKA_ENCRYPT, 1);
	hsm_template_add_bool(t, CKA_DECRYPT, 1);
	IS(hsm_create_object(tok, s, hsm_template_attrs(t), hsm_template_count(t),
			     &key), CKR_OK, "create AES key");
	tap_ok(key != 0, "object handle %u", key);
	hsm_template_free(t);

	a[0].type = CKA_VALUE;
	a[0].value = NULL;
	a[0].len = 0;
	a[1].type = CKA_LABEL;
	a[1].value = NULL;
	a[1].len = 0;
	IS(hsm_get_attrs(tok, s, key, a, 2), CKR_ATTRIBUTE_SENSITIVE,
	   "CKA_VALUE of a sensitive key");
	tap_ok(a[0].len == HSM_LEN_UNAVAILABLE && a[1].len == 8,
	   "lengths: value unavailable, label 8");
	IS(hsm_get_attr_alloc(tok, s, key, CKA_LABEL, &v, &len), CKR_OK,
	   "label alloc");
	tap_ok(v && len == 8 && !memcmp(v, "imported", 8), "label value");
	hsm_free(v);
	IS(hsm_get_attr_alloc(tok, s, key, CKA_CLASS, &v, &len), CKR_OK,
	   "class alloc");
	a[0].value = v;
	a[0].len = len;
	tap_ok(hsm_attr_ulong(&a[0], &u) == CKR_OK && u == CKO_SECRET_KEY,
	   "CK_ULONG attribute comes back as 8 bytes");
	hsm_free(v);
	IS(hsm_get_attr_alloc(tok, s, key, CKA_SENSITIVE, &v, &len), CKR_OK,
	   "sensitive alloc");
	a[0].value = v;
	a[0].len = len;
	tap_ok(hsm_attr_bool(&a[0], &b) == CKR_OK && b == 1,
	   "CK_BBOOL attribute comes back as 1 byte");
	hsm_free(v);

	a[0].type = CKA_LABEL;
	a[0].value = "renamed";
	a[0].len = 7;
	IS(hsm_set_attrs(tok, s, key, a, 1), CKR_OK, "set label");
	IS(hsm_get_attr_alloc(tok, s, key, CKA_LABEL, &v, &len), CKR_OK,
	   "label alloc");
	tap_ok(v && len == 7 && !memcmp(v, "renamed", 7), "label changed");
	hsm_free(v);
	IS(hsm_copy_object(tok, s, key, NULL, 0, &copy), CKR_OK, "copy object");
	tap_ok(copy && copy != key, "copy has its own handle");

	IS(hsm_op_init(tok, s, KHSM_OP_ENCRYPT, &ecb, key), CKR_OK,
	   "AES-ECB encrypt init");
	len = sizeof(ct);
	IS(hsm_op_data(tok, s, KHSM_OP_ENCRYPT, KHSM_DATA_ONESHOT, block, 16, ct,
		       &len), CKR_OK, "encrypt");
	IS(hsm_op_init(tok, s, KHSM_OP_DECRYPT, &ecb, copy), CKR_OK,
	   "decrypt init with the copy");
	len = sizeof(pt);
	IS(hsm_op_data(tok, s, KHSM_OP_DECRYPT, KHSM_DATA_ONESHOT, ct, 16, pt,
		       &len), CKR_OK, "decrypt");
	tap_ok(len == 16 && !memcmp(pt, block, 16) && memcmp(ct, block, 16),
	   "round trip through the kernel");

	t = hsm_template_new();
	hsm_template_add_ulong(t, CKA_VALUE_LEN, 32);
	hsm_template_add_bool(t, CKA_ENCRYPT, 1);
	IS(hsm_generate_key(tok, s, &gen, hsm_template_attrs(t),
			    hsm_template_count(t), &gkey), CKR_OK,
	   "generate AES-256 key");
	hsm_template_free(t);

	t = hsm_template_new();
	hsm_template_add_ulong(t, CKA_CLASS, CKO_SECRET_KEY);
	IS(hsm_find_all_alloc(tok, s, hsm_template_attrs(t),
			      hsm_template_count(t), &h, &n), CKR_OK,
	   "find secret keys");
	for (i = 0; i < n; i++)
		found += h[i] == key || h[i] == copy || h[i] == gkey;
	tap_ok(n == 3 && found == 3, "found the 3 keys (%lu handles)", n);
	hsm_free(h);
	hsm_template_free(t);

	IS(hsm_destroy_object(tok, s, copy), CKR_OK, "destroy copy");
	a[0].type = CKA_LABEL;
	a[0].value = NULL;
	a[0].len = 0;
	IS(hsm_get_attrs(tok, s, copy, a, 1), CKR_OBJECT_HANDLE_INVALID,
	   "destroyed handle is invalid");
}

static int has_mech(struct hsm_token *tok, unsigned long m)
{
	struct hsm_mech_info mi;

	return hsm_mech_info(tok, m, &mi) == CKR_OK;
}

/* GCM: CK_GCM_PARAMS flattened by libhsm, tag failure. */
static void test_gcm(struct hsm_token *tok, uint32_t s)
{
	static unsigned char iv[12] = "123456789012", aad[6] = "header";
	CK_GCM_PARAMS gp = { iv, sizeof(iv), 96, aad, sizeof(aad), 128 };
	struct hsm_mechanism gen = { CKM_AES_KEY_GEN, NULL, 0 };
	struct hsm_mechanism gcm = { CKM_AES_GCM, &gp, sizeof(gp) };
	static const unsigned char msg[20] = "gcm through libhsm!!";
	struct hsm_template *t;
	unsigned long ct_len = 0, len;
	void *ct = NULL, *pt = NULL;
	uint32_t key = 0;

	/* README promises AES-GCM: missing is a failure, not a skip. */
	tap_ok(has_mech(tok, CKM_AES_GCM), "CKM_AES_GCM is registered");
	t = hsm_template_new();
	hsm_template_add_ulong(t, CKA_VALUE_LEN, 16);
	hsm_template_add_bool(t, CKA_ENCRYPT, 1);
	hsm_template_add_bool(t, CKA_DECRYPT, 1);
	IS(hsm_generate_key(tok, s, &gen, hsm_template_attrs(t),
			    hsm_template_count(t), &key), CKR_OK,
	   "generate AES-128 key for GCM");
	hsm_template_free(t);
	{
		struct hsm_attr a = { CKA_KEY_TYPE, NULL, 0 };
		uint64_t kt = 99;

		IS(hsm_get_attr_alloc(tok, s, key, CKA_KEY_TYPE, &a.value,
				      &a.len), CKR_OK, "key type of generated key");
		tap_ok(hsm_attr_ulong(&a, &kt) == CKR_OK && kt == CKK_AES,
		   "generated key is CKK_AES (%llu)", (unsigned long long)kt);
		hsm_free(a.value);
	}
	IS(hsm_op_init(tok, s, KHSM_OP_ENCRYPT, &gcm, key), CKR_OK,
	   "GCM encrypt init");
	IS(hsm_op_data_alloc(tok, s, KHSM_OP_ENCRYPT, KHSM_DATA_ONESHOT, msg,
			     sizeof(msg), &ct, &ct_len), CKR_OK, "GCM encrypt");
	tap_ok(ct && ct_len == sizeof(msg) + 16, "ciphertext || 16-byte tag (%lu)",
	   ct_len);
	IS(hsm_op_init(tok, s, KHSM_OP_DECRYPT, &gcm, key), CKR_OK,
	   "GCM decrypt init");
	IS(hsm_op_data_alloc(tok, s, KHSM_OP_DECRYPT, KHSM_DATA_ONESHOT, ct,
			     ct_len, &pt, &len), CKR_OK, "GCM decrypt");
	tap_ok(pt && len == sizeof(msg) && !memcmp(pt, msg, sizeof(msg)),
	   "GCM round trip");
	hsm_free(pt);
	pt = NULL;
	if (ct)
		((unsigned char *)ct)[0] ^= 1;
	IS(hsm_op_init(tok, s, KHSM_OP_DECRYPT, &gcm, key), CKR_OK,
	   "GCM decrypt init");
	len = 64;
	{
		unsigned char out[64];

		IS(hsm_op_data(tok, s, KHSM_OP_DECRYPT, KHSM_DATA_ONESHOT, ct,
			       ct_len, out, &len), CKR_ENCRYPTED_DATA_INVALID,
		   "tampered GCM ciphertext");
	}
	hsm_free(ct);
}

/* EC key pair, ECDSA sign with the length protocol, verify (good, bad). */
static void test_ec(struct hsm_token *tok, uint32_t s)
{
	static const unsigned char p256[] = {
		0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07
	};
	struct hsm_mechanism kpg = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	struct hsm_mechanism ecdsa = { CKM_ECDSA_SHA256, NULL, 0 };
	struct hsm_template *pub = hsm_template_new();
	struct hsm_template *priv = hsm_template_new();
	uint32_t pk = 0, sk = 0;
	unsigned long len = 0, plen = 0;
	void *sig = NULL, *point = NULL, *v = NULL;
	unsigned long vlen = 0;

	/* README promises ECDSA: missing is a failure, not a skip. */
	tap_ok(has_mech(tok, CKM_EC_KEY_PAIR_GEN) &&
	       has_mech(tok, CKM_ECDSA_SHA256),
	       "CKM_EC_KEY_PAIR_GEN and CKM_ECDSA_SHA256 are registered");
	hsm_template_add(pub, CKA_EC_PARAMS, p256, sizeof(p256));
	hsm_template_add_bool(pub, CKA_VERIFY, 1);
	hsm_template_add_bool(priv, CKA_SIGN, 1);
	hsm_template_add_bool(priv, CKA_SENSITIVE, 1);
	IS(hsm_generate_key_pair(tok, s, &kpg, hsm_template_attrs(pub),
				 hsm_template_count(pub),
				 hsm_template_attrs(priv),
				 hsm_template_count(priv), &pk, &sk), CKR_OK,
	   "generate P-256 key pair");
	tap_ok(pk && sk && pk != sk, "two handles (%u, %u)", pk, sk);
	IS(hsm_get_attr_alloc(tok, s, pk, CKA_EC_POINT, &point, &plen), CKR_OK,
	   "public point");
	tap_ok(point && plen == 67 && ((unsigned char *)point)[0] == 0x04 &&
	   ((unsigned char *)point)[2] == 0x04,
	   "CKA_EC_POINT is a DER OCTET STRING of an uncompressed point");
	IS(hsm_op_init(tok, s, KHSM_OP_SIGN, &ecdsa, sk), CKR_OK, "sign init");
	IS(hsm_op_data(tok, s, KHSM_OP_SIGN, KHSM_DATA_UPDATE, "hello ", 6,
		       NULL, NULL), CKR_OK, "sign update");
	IS(hsm_op_data(tok, s, KHSM_OP_SIGN, KHSM_DATA_UPDATE, "world", 5,
		       NULL, NULL), CKR_OK, "sign update");
	IS(hsm_op_data_alloc(tok, s, KHSM_OP_SIGN, KHSM_DATA_FINAL, NULL, 0,
			     &sig, &len), CKR_OK, "sign final");
	tap_ok(sig && len == 64, "r || s, 64 bytes (%lu)", len);
	IS(hsm_op_init(tok, s, KHSM_OP_VERIFY, &ecdsa, pk), CKR_OK,
	   "verify init");
	IS(hsm_op_verify(tok, s, KHSM_DATA_ONESHOT, "hello world", 11, sig, len),
	   CKR_OK, "verify good signature");
	IS(hsm_op_init(tok, s, KHSM_OP_VERIFY, &ecdsa, pk), CKR_OK,
	   "verify init");
	IS(hsm_op_verify(tok, s, KHSM_DATA_ONESHOT, "hello w0rld", 11, sig, len),
	   CKR_SIGNATURE_INVALID, "verify with another message");
	IS(hsm_get_attr_alloc(tok, s, sk, CKA_VALUE, &v, &vlen),
	   CKR_ATTRIBUTE_SENSITIVE, "private value stays in the kernel");
	tap_ok(!v, "no buffer on failure");
	hsm_free(sig);
	hsm_free(point);
	hsm_template_free(pub);
	hsm_template_free(priv);
}

/*
 * libhsm's keyring API (keyring.c): the module keyring, the token keyring,
 * a token key pair's keys by class and CKA_ID; keyctl_read of the public
 * key is its SubjectPublicKeyInfo (ending in the token's point), of the
 * private key EACCES; keyctl_pkey_sign/verify through libkeyutils (the
 * pair allows keyring use, the session is logged in); destroying the
 * object takes its key away.
 */
static void test_keyring(struct hsm_token *tok, uint32_t s, unsigned int index)
{
	static const unsigned char p256[] = {
		0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07
	};
	static const unsigned char id[] = { 0x6b, 0x72, 0x01 };
	struct hsm_mechanism kpg = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	struct hsm_template *pub = hsm_template_new();
	struct hsm_template *priv = hsm_template_new();
	int32_t mod = 0, ring = 0, kpub = 0, kpriv = 0, k = 0;
	unsigned char der[256], dgst[32], sig[72];	/* max_sig_size */
	char *desc = NULL;
	void *point = NULL;
	unsigned long plen = 0;
	uint32_t pk = 0, sk = 0;
	long n;

	IS(hsm_keyring_module(&mod), CKR_OK, "keyring: module keyring");
	tap_ok(mod > 0, "keyring: module keyring serial %d", mod);
	IS(hsm_keyring_token(index, &ring), CKR_OK, "keyring: token keyring");
	tap_ok(ring > 0 && keyctl_describe_alloc(ring, &desc) > 0 && desc &&
	       !strncmp(desc, "keyring;0;", 10) && strstr(desc, ";khsm:hsm"),
	       "keyring: token keyring %d is %s", ring, desc ? desc : "?");
	free(desc);
	IS(hsm_keyring_token(63, &k), CKR_TOKEN_NOT_PRESENT,
	   "keyring: no keyring for a token that does not exist");
	tap_ok(hsm_last_errno() == ENOKEY, "keyring: errno ENOKEY (%s)",
	       strerror(hsm_last_errno()));

	hsm_template_add(pub, CKA_EC_PARAMS, p256, sizeof(p256));
	hsm_template_add_bool(pub, CKA_VERIFY, 1);
	hsm_template_add_bool(pub, CKA_TOKEN, 1);
	hsm_template_add_bool(pub, CKA_KHSM_KEYRING_USE, 1);
	hsm_template_add(pub, CKA_ID, id, sizeof(id));
	hsm_template_add_bool(priv, CKA_SIGN, 1);
	hsm_template_add_bool(priv, CKA_SENSITIVE, 1);
	hsm_template_add_bool(priv, CKA_TOKEN, 1);
	hsm_template_add_bool(priv, CKA_PRIVATE, 1);
	hsm_template_add_bool(priv, CKA_KHSM_KEYRING_USE, 1);
	hsm_template_add(priv, CKA_ID, id, sizeof(id));
	IS(hsm_generate_key_pair(tok, s, &kpg, hsm_template_attrs(pub),
				 hsm_template_count(pub),
				 hsm_template_attrs(priv),
				 hsm_template_count(priv), &pk, &sk), CKR_OK,
	   "keyring: generate a P-256 token key pair");
	IS(hsm_keyring_find_key(index, CKO_PUBLIC_KEY, id, sizeof(id), &kpub),
	   CKR_OK, "keyring: find the public key by CKA_ID");
	IS(hsm_keyring_find_key(index, CKO_PRIVATE_KEY, id, sizeof(id), &kpriv),
	   CKR_OK, "keyring: find the private key by CKA_ID");
	tap_ok(kpub > 0 && kpriv > 0 && kpub != kpriv,
	       "keyring: two keys (%d, %d)", kpub, kpriv);
	IS(hsm_keyring_find_key(index, CKO_SECRET_KEY, id, sizeof(id), &k),
	   CKR_KEY_HANDLE_INVALID, "keyring: no secret key with that CKA_ID");
	IS(hsm_keyring_find_key(index, CKO_PUBLIC_KEY, id, 2, &k),
	   CKR_KEY_HANDLE_INVALID, "keyring: a prefix of the CKA_ID is not it");

	IS(hsm_get_attr_alloc(tok, s, pk, CKA_EC_POINT, &point, &plen), CKR_OK,
	   "keyring: public point");
	n = keyctl_read(kpub, (char *)der, sizeof(der));
	tap_ok(n == 91 && point && plen == 67 &&
	       !memcmp(der + 26, (unsigned char *)point + 2, 65),
	       "keyring: keyctl_read of the public key: SPKI with the point (%ld)",
	       n);
	errno = 0;
	n = keyctl_read(kpriv, (char *)der, sizeof(der));
	tap_ok(n == -1 && errno == EACCES,
	       "keyring: keyctl_read of the private key: EACCES (%s)",
	       strerror(errno));

	memset(dgst, 0x5a, sizeof(dgst));
	n = keyctl_pkey_sign(kpriv, "enc=x962 hash=sha256", dgst, sizeof(dgst),
			     sig, sizeof(sig));
	tap_ok(n > 8 && n <= 72 && sig[0] == 0x30,
	       "keyring: keyctl_pkey_sign (%ld, %s)", n,
	       n < 0 ? strerror(errno) : "ok");
	tap_ok(n > 0 && keyctl_pkey_verify(kpub, "enc=x962 hash=sha256", dgst,
					   sizeof(dgst), sig, (size_t)n) == 0,
	       "keyring: keyctl_pkey_verify of that signature");

	IS(hsm_destroy_object(tok, s, sk), CKR_OK, "keyring: destroy the private key");
	IS(hsm_keyring_find_key(index, CKO_PRIVATE_KEY, id, sizeof(id), &k),
	   CKR_KEY_HANDLE_INVALID, "keyring: its key is gone from the keyring");
	errno = 0;
	n = keyctl_pkey_sign(kpriv, "enc=x962 hash=sha256", dgst, sizeof(dgst),
			     sig, sizeof(sig));
	tap_ok(n == -1 && (errno == EKEYREVOKED || errno == ENOKEY),
	       "keyring: signing with the old serial fails (%s)",
	       strerror(errno));
	IS(hsm_destroy_object(tok, s, pk), CKR_OK, "keyring: destroy the public key");
	hsm_free(point);
	hsm_template_free(pub);
	hsm_template_free(priv);
}

/* One token handle shared by threads, each with its own session. */
#define N_THREADS	4
#define N_ROUNDS	25

struct thr {
	struct hsm_token *tok;
	pthread_t id;
	int bad;
};

static void *thr_main(void *arg)
{
	struct hsm_mechanism sha = { CKM_SHA256, NULL, 0 };
	struct thr *t = arg;
	unsigned char out[32];
	unsigned long len;
	uint32_t s = 0;
	int i;

	if (hsm_open_session(t->tok, CKF_SERIAL_SESSION, &s) != CKR_OK) {
		t->bad++;
		return NULL;
	}
	for (i = 0; i < N_ROUNDS; i++) {
		len = sizeof(out);
		if (hsm_op_init(t->tok, s, KHSM_OP_DIGEST, &sha, 0) != CKR_OK ||
		    hsm_op_data(t->tok, s, KHSM_OP_DIGEST, KHSM_DATA_ONESHOT,
				"abc", 3, out, &len) != CKR_OK ||
		    len != 32 || memcmp(out, kat_sha256_abc, 32))
			t->bad++;
	}
	if (hsm_close_session(t->tok, s) != CKR_OK)
		t->bad++;
	return NULL;
}

static void test_threads(struct hsm_token *tok)
{
	struct thr t[N_THREADS];
	int i, bad = 0, started = 0;

	for (i = 0; i < N_THREADS; i++) {
		t[i].tok = tok;
		t[i].bad = 0;
		if (pthread_create(&t[i].id, NULL, thr_main, &t[i]) == 0)
			started++;
		else
			t[i].bad = -1;
	}
	for (i = 0; i < N_THREADS; i++) {
		if (t[i].bad == -1)
			continue;
		pthread_join(t[i].id, NULL);
		bad += t[i].bad;
	}
	tap_ok(started == N_THREADS && bad == 0,
	   "%d threads x %d digests on one handle, own sessions (%d bad)",
	   started, N_ROUNDS, bad);
}

static void test_fork(struct hsm_token *tok, uint32_t s)
{
	pid_t pid;
	int st = 0;

	pid = fork();
	if (pid == 0) {
		int bad = 0;

		bad |= hsm_session_info(tok, s, NULL, NULL) !=
		       CKR_CRYPTOKI_NOT_INITIALIZED;
		bad |= hsm_close_all_sessions(tok) != CKR_CRYPTOKI_NOT_INITIALIZED;
		hsm_close(tok);
		_exit(bad);
	}
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "child: CKR_CRYPTOKI_NOT_INITIALIZED on the inherited handle");
	IS(hsm_session_info(tok, s, NULL, NULL), CKR_OK,
	   "parent session survives the child's close");
}

static void test_no_group(unsigned int index)
{
	struct hsm_token *tok = NULL;
	pid_t pid;
	int st = 0;

	if (geteuid() != 0) {
		tap_skip("open without the group: needs root to drop privileges");
		return;
	}
	pid = fork();
	if (pid == 0) {
		unsigned long rv;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(2);
		rv = hsm_open(index, &tok);
		_exit(rv == CKR_TOKEN_NOT_RECOGNIZED &&
		      (hsm_last_errno() == EACCES || hsm_last_errno() == EPERM) ?
		      0 : 1);
	}
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "nobody outside the group: CKR_TOKEN_NOT_RECOGNIZED, errno EACCES");
}

int main(void)
{
	const char *e = getenv("KHSM_TOKEN");
	unsigned int index = e ? (unsigned int)strtoul(e, NULL, 10) : 0;
	unsigned int idx[64], n = 64, i;
	struct hsm_token *tok = NULL;
	unsigned long rv;
	uint32_t s = 0;
	int listed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Cheap Argon2id for new PINs under TCG. */
	setenv("KHSM_ARGON2_T", "1", 1);
	setenv("KHSM_ARGON2_M_KIB", "64", 1);
	setenv("KHSM_ARGON2_P", "1", 1);

	IS(hsm_token_list(idx, &n), CKR_OK, "token list");
	for (i = 0; i < n; i++)
		listed |= idx[i] == index;
	tap_ok(listed, "hsm%u listed among %u tokens", index, n);
	rv = hsm_open(index, &tok);
	IS(rv, CKR_OK, "open token");
	if (rv != CKR_OK) {
		printf("Bail out! cannot open hsm%u: %s, errno %s\n", index,
		       hsm_strerror(rv), strerror(hsm_last_errno()));
		return 1;
	}
	{
		struct khsm_version v;

		IS(hsm_version(tok, &v, sizeof(v)), CKR_OK, "version");
		tap_ok(v.abi_version == KHSM_ABI_VERSION &&
		       v.token_index == index, "ABI version and index");
	}

	test_pins(tok);
	IS(hsm_open_session(tok, CKF_SERIAL_SESSION | CKF_RW_SESSION, &s),
	   CKR_OK, "open RW session");
	IS(hsm_login(tok, s, CKU_USER, USER_PIN2, strlen(USER_PIN2)), CKR_OK,
	   "user login");
	test_mechs_digest_random(tok, s);
	test_objects(tok, s);
	test_gcm(tok, s);
	test_ec(tok, s);
	test_keyring(tok, s, index);
	test_threads(tok);
	test_fork(tok, s);
	IS(hsm_close_all_sessions(tok), CKR_OK, "close all sessions");
	IS(hsm_session_info(tok, s, NULL, NULL), CKR_SESSION_HANDLE_INVALID,
	   "no session left");
	hsm_close(tok);
	test_no_group(index);
	return tap_done();
}
