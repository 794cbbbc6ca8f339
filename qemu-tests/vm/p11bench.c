// SPDX-License-Identifier: GPL-2.0
/*
 * p11bench: operations per second through any PKCS#11 module, from one or
 * more processes at once. Used by `make bench` to compare khsm-pkcs11.so
 * and SoftHSM2 in the same VM boot.
 *
 *   p11bench MODULE.so TOKEN-LABEL USER-PIN SECONDS [TEST[:NPROCS]...]
 *
 * The token holds P-256 key pairs with CKA_ID 01 and 03, an RSA-2048
 * key pair with CKA_ID 02 and a P-256 key pair with CKA_ID 04 whose
 * private key may derive (bench.sh creates them). Tests (default: all, as
 * listed):
 *   ecdsa:1 ecdsa:2   CKM_ECDSA sign of 32 bytes with the key pair 01
 *   ecdsa-sep:2       the same, process 0 with key pair 01, process 1 with 03
 *   rsa:1             CKM_SHA256_RSA_PKCS sign of 32 bytes with key pair 02
 *   digest:1          CKM_SHA256 C_DigestInit + C_Digest of 64 bytes
 *   hmac:1            CKM_SHA256_HMAC C_SignInit + C_Sign of 64 bytes with a
 *                     32-byte session generic secret (created here)
 *   find:1 find:2     C_FindObjects{Init,,Final} of private key 01
 *   random:1 random:2 C_GenerateRandom of 32 bytes
 *   ecdh:1            CKM_ECDH1_DERIVE (CKD_NULL) with the P-256 private key
 *                     04 (CKA_DERIVE) and an OpenSSL peer: C_DeriveKey of a
 *                     32-byte session generic secret, C_GetAttributeValue
 *                     of its value (checked against OpenSSL's secret) and
 *                     C_DestroyObject
 *   aeskw:1           CKM_AES_KEY_WRAP (RFC 3394) C_WrapKey of a 32-byte
 *                     session AES key under a session AES-256 wrapping key
 *                     (both created here), checked against OpenSSL's
 *                     EVP_aes_256_wrap
 *   find-100:1 find-100000:1
 *                     find by CKA_LABEL among N session data objects
 *   token-create:1    C_CreateObject of a private AES-256 token key (with
 *                     khsm's persistence on, the call returns after its
 *                     files are fsync'd); the keys stay on the token
 *   token-fill:1      the setup creates 10,000 such token keys (what
 *                     bench.sh then saves and times `hsmctl load` with);
 *                     the operation is C_GenerateRandom
 * The token-* tests are not in the default list: they leave objects.
 *
 * Each process is forked before the module is loaded, initialises it and
 * sets up on its own (one after the other); then all measure together for
 * SECONDS and send their counts back through a pipe. One line per test:
 *   result: NAME procs=N ops=N secs=S setup=S rate=R
 * or, when the token cannot hold the objects the test creates,
 *   result: NAME procs=N ops=0 secs=0 setup=S rate=n/a (CKR_...)
 * Results are checked (signatures verified with OpenSSL before and after
 * the timed loop, digests, find results and random output on every
 * call): a failing call or a wrong result exits 1 with a message.
 */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <p11-kit/pkcs11.h>

#define MAX_PROCS 16

struct args {
	const char *module, *label, *pin;
	double secs;
};

/* One process's view of the module and the object it works on. */
struct ctx {
	int proc;			/* 0 .. nprocs - 1 */
	CK_FUNCTION_LIST_PTR f;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key;		/* key to sign with, or object to find */
	CK_OBJECT_HANDLE key2;		/* aeskw: the key to wrap */
	CK_ATTRIBUTE find[2];		/* template that finds exactly key */
	CK_OBJECT_CLASS find_class;
	unsigned char find_value[32];
	EVP_PKEY *pub;			/* checks the signatures */
	CK_MECHANISM_TYPE mech;
	CK_ULONG siglen;		/* expected signature size */
	unsigned char msg[136];		/* message, or an ECDH peer point */
	CK_ULONG msglen;
	unsigned long n;
	unsigned char out[512], want[512];
	CK_ULONG outlen;
};

struct test {
	const char *name;
	/* CKR_OK, or why the token cannot run the test (reported as n/a) */
	CK_RV (*setup)(struct ctx *c, CK_ULONG arg);
	void (*op)(struct ctx *c);	/* one operation, its result checked */
	void (*check)(struct ctx *c);	/* deeper check of the last result */
	CK_ULONG arg;
};

struct result {
	unsigned long ops;
	double secs, setup;
	CK_RV na;
};

static const struct { CK_RV rv; const char *name; } rv_names[] = {
	{ CKR_HOST_MEMORY, "CKR_HOST_MEMORY" },
	{ CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR" },
	{ CKR_FUNCTION_FAILED, "CKR_FUNCTION_FAILED" },
	{ CKR_ARGUMENTS_BAD, "CKR_ARGUMENTS_BAD" },
	{ CKR_ATTRIBUTE_VALUE_INVALID, "CKR_ATTRIBUTE_VALUE_INVALID" },
	{ CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR" },
	{ CKR_DEVICE_MEMORY, "CKR_DEVICE_MEMORY" },
	{ CKR_MECHANISM_INVALID, "CKR_MECHANISM_INVALID" },
	{ CKR_TEMPLATE_INCONSISTENT, "CKR_TEMPLATE_INCONSISTENT" },
	{ CKR_FUNCTION_NOT_SUPPORTED, "CKR_FUNCTION_NOT_SUPPORTED" },
};

static const char *rv_name(CK_RV rv)
{
	static char buf[32];
	size_t i;

	for (i = 0; i < sizeof(rv_names) / sizeof(rv_names[0]); i++)
		if (rv_names[i].rv == rv)
			return rv_names[i].name;
	snprintf(buf, sizeof(buf), "CKR_0x%lx", (unsigned long)rv);
	return buf;
}

static void die(const char *what)
{
	fprintf(stderr, "p11bench: %s\n", what);
	exit(1);
}

static void call(const char *what, CK_RV rv)
{
	if (rv != CKR_OK) {
		fprintf(stderr, "p11bench: %s failed: %s\n", what, rv_name(rv));
		exit(1);
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static CK_SLOT_ID find_slot(struct ctx *c, const char *label)
{
	CK_SLOT_ID slots[64];
	CK_ULONG n = 64, i;
	CK_TOKEN_INFO ti;
	char want[32];
	size_t l = strlen(label);

	memset(want, ' ', sizeof(want));
	memcpy(want, label, l > 32 ? 32 : l);
	call("C_GetSlotList", c->f->C_GetSlotList(CK_TRUE, slots, &n));
	for (i = 0; i < n; i++)
		if (c->f->C_GetTokenInfo(slots[i], &ti) == CKR_OK &&
		    !memcmp(ti.label, want, sizeof(want)))
			return slots[i];
	die("no token with that label");
	return 0;
}

static void module_open(struct ctx *c, const struct args *a)
{
	CK_RV (*get_list)(CK_FUNCTION_LIST_PTR_PTR);
	void *so = dlopen(a->module, RTLD_NOW | RTLD_LOCAL);
	CK_RV rv;

	if (!so)
		die(dlerror());
	*(void **)&get_list = dlsym(so, "C_GetFunctionList");
	if (!get_list)
		die("module has no C_GetFunctionList");
	call("C_GetFunctionList", get_list(&c->f));
	call("C_Initialize", c->f->C_Initialize(NULL));
	call("C_OpenSession", c->f->C_OpenSession(find_slot(c, a->label),
			CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &c->s));
	rv = c->f->C_Login(c->s, CKU_USER, (CK_UTF8CHAR_PTR)a->pin, strlen(a->pin));
	if (rv != CKR_USER_ALREADY_LOGGED_IN)
		call("C_Login", rv);
}

static void module_close(struct ctx *c)
{
	c->f->C_CloseSession(c->s);
	c->f->C_Finalize(NULL);
}

/* The object the template c->find matches; it must be the only one. */
static CK_OBJECT_HANDLE find_only(struct ctx *c)
{
	CK_OBJECT_HANDLE h[2];
	CK_ULONG n;

	call("C_FindObjectsInit", c->f->C_FindObjectsInit(c->s, c->find, 2));
	call("C_FindObjects", c->f->C_FindObjects(c->s, h, 2, &n));
	call("C_FindObjectsFinal", c->f->C_FindObjectsFinal(c->s));
	if (n != 1)
		die("C_FindObjects found no object or more than one");
	return h[0];
}

static void set_find(struct ctx *c, CK_OBJECT_CLASS cls, CK_ATTRIBUTE_TYPE type,
		     const void *value, CK_ULONG len)
{
	c->find_class = cls;
	memcpy(c->find_value, value, len);
	c->find[0] = (CK_ATTRIBUTE){ CKA_CLASS, &c->find_class, sizeof(cls) };
	c->find[1] = (CK_ATTRIBUTE){ type, c->find_value, len };
}

/* --- OpenSSL views of the public keys, to check the signatures --- */

static EVP_PKEY *pkey_from(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *pk = NULL;

	if (!params || !pc || EVP_PKEY_fromdata_init(pc) != 1 ||
	    EVP_PKEY_fromdata(pc, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1)
		die("OpenSSL rejects the token's public key");
	EVP_PKEY_CTX_free(pc);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pk;
}

static CK_ULONG get_attr(struct ctx *c, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type,
			 unsigned char *buf, CK_ULONG len)
{
	CK_ATTRIBUTE a = { type, buf, len };

	call("C_GetAttributeValue", c->f->C_GetAttributeValue(c->s, h, &a, 1));
	return a.ulValueLen;
}

static EVP_PKEY *ec_pub(struct ctx *c, CK_OBJECT_HANDLE h)
{
	unsigned char buf[128], *pt = buf;
	CK_ULONG len = get_attr(c, h, CKA_EC_POINT, buf, sizeof(buf));
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();

	/* DER OCTET STRING around the uncompressed point, as the spec says */
	if (len == 67 && buf[0] == 0x04 && buf[1] == 65) {
		pt += 2;
		len -= 2;
	}
	if (len != 65 || pt[0] != 0x04 || !bld ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, len))
		die("unexpected CKA_EC_POINT");
	return pkey_from("EC", bld);
}

static EVP_PKEY *rsa_pub(struct ctx *c, CK_OBJECT_HANDLE h)
{
	unsigned char n[512], e[16];
	CK_ULONG nlen = get_attr(c, h, CKA_MODULUS, n, sizeof(n));
	CK_ULONG elen = get_attr(c, h, CKA_PUBLIC_EXPONENT, e, sizeof(e));
	BIGNUM *bn = BN_bin2bn(n, nlen, NULL), *be = BN_bin2bn(e, elen, NULL);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY *pk;

	if (!bn || !be || !bld || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be))
		die("unexpected RSA public key");
	pk = pkey_from("RSA", bld);
	BN_free(bn);
	BN_free(be);
	return pk;
}

/* c->out must be a valid signature of c->msg under c->pub. */
static void check_sig(struct ctx *c)
{
	unsigned char der[80], *p = der;
	CK_ULONG half = c->outlen / 2;
	EVP_PKEY_CTX *pc = NULL;
	EVP_MD_CTX *md = NULL;
	ECDSA_SIG *sig;
	int ok = 0, len;

	if (c->mech == CKM_ECDSA) {
		sig = ECDSA_SIG_new();
		if (!sig || !ECDSA_SIG_set0(sig, BN_bin2bn(c->out, half, NULL),
					    BN_bin2bn(c->out + half, half, NULL)))
			die("out of memory");
		len = i2d_ECDSA_SIG(sig, &p);
		ECDSA_SIG_free(sig);
		pc = EVP_PKEY_CTX_new(c->pub, NULL);
		ok = len > 0 && pc && EVP_PKEY_verify_init(pc) == 1 &&
		     EVP_PKEY_verify(pc, der, len, c->msg, c->msglen) == 1;
		EVP_PKEY_CTX_free(pc);
	} else {
		md = EVP_MD_CTX_new();
		ok = md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, c->pub) == 1 &&
		     EVP_DigestVerify(md, c->out, c->outlen, c->msg, c->msglen) == 1;
		EVP_MD_CTX_free(md);
	}
	if (!ok)
		die("signature does not verify with OpenSSL");
}

/* --- the tests --- */

static CK_RV setup_token_key(struct ctx *c, CK_BYTE id, CK_MECHANISM_TYPE mech)
{
	CK_OBJECT_HANDLE pub;

	set_find(c, CKO_PUBLIC_KEY, CKA_ID, &id, 1);
	pub = find_only(c);
	c->pub = mech == CKM_ECDSA ? ec_pub(c, pub) : rsa_pub(c, pub);
	set_find(c, CKO_PRIVATE_KEY, CKA_ID, &id, 1);
	c->key = find_only(c);
	c->mech = mech;
	c->siglen = mech == CKM_ECDSA ? 64 : 256;
	c->msglen = 32;
	return CKR_OK;
}

static CK_RV setup_ecdsa(struct ctx *c, CK_ULONG arg)
{
	(void)arg;
	return setup_token_key(c, 0x01, CKM_ECDSA);
}

static CK_RV setup_rsa(struct ctx *c, CK_ULONG arg)
{
	(void)arg;
	return setup_token_key(c, 0x02, CKM_SHA256_RSA_PKCS);
}

/* Process i signs with key pair 01 (i = 0) or 02 + i: a key of its own. */
static CK_RV setup_ecdsa_sep(struct ctx *c, CK_ULONG arg)
{
	(void)arg;
	return setup_token_key(c, c->proc ? 0x02 + c->proc : 0x01, CKM_ECDSA);
}

static void op_sign(struct ctx *c)
{
	CK_MECHANISM mech = { c->mech, NULL, 0 };

	c->msg[c->n++ % c->msglen]++;
	call("C_SignInit", c->f->C_SignInit(c->s, &mech, c->key));
	c->outlen = sizeof(c->out);
	call("C_Sign", c->f->C_Sign(c->s, c->msg, c->msglen, c->out, &c->outlen));
	if (c->outlen != c->siglen)
		die("signature of unexpected size");
}

static CK_RV setup_digest(struct ctx *c, CK_ULONG arg)
{
	(void)arg;
	c->msglen = 64;
	memset(c->msg, 0xa5, c->msglen);
	if (EVP_Digest(c->msg, c->msglen, c->want, NULL, EVP_sha256(), NULL) != 1)
		die("OpenSSL SHA-256 failed");
	return CKR_OK;
}

static void op_digest(struct ctx *c)
{
	CK_MECHANISM mech = { CKM_SHA256, NULL, 0 };

	call("C_DigestInit", c->f->C_DigestInit(c->s, &mech));
	c->outlen = sizeof(c->out);
	call("C_Digest", c->f->C_Digest(c->s, c->msg, c->msglen, c->out, &c->outlen));
	if (c->outlen != 32 || memcmp(c->out, c->want, 32))
		die("C_Digest: wrong SHA-256");
}

/* A session CKK_GENERIC_SECRET key of 32 known bytes; OpenSSL's MAC. */
static CK_RV setup_hmac(struct ctx *c, CK_ULONG arg)
{
	static const unsigned char key[32] = "p11bench hmac-sha256 key 32bytes";
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_TOKEN, &no, sizeof(no) },
		{ CKA_SIGN, &yes, sizeof(yes) },
		{ CKA_VALUE, (void *)key, sizeof(key) },
	};
	size_t len = 0;
	CK_RV rv;

	(void)arg;
	rv = c->f->C_CreateObject(c->s, t, 5, &c->key);
	if (rv != CKR_OK)
		return rv;
	c->msglen = 64;
	memset(c->msg, 0x5a, c->msglen);
	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, sizeof(key),
		       c->msg, c->msglen, c->want, sizeof(c->want), &len) ||
	    len != 32)
		die("OpenSSL HMAC-SHA256 failed");
	return CKR_OK;
}

static void op_hmac(struct ctx *c)
{
	CK_MECHANISM mech = { CKM_SHA256_HMAC, NULL, 0 };

	call("C_SignInit", c->f->C_SignInit(c->s, &mech, c->key));
	c->outlen = sizeof(c->out);
	call("C_Sign", c->f->C_Sign(c->s, c->msg, c->msglen, c->out, &c->outlen));
	if (c->outlen != 32 || memcmp(c->out, c->want, 32))
		die("C_Sign: wrong HMAC-SHA256");
}

static CK_RV setup_find(struct ctx *c, CK_ULONG arg)
{
	CK_BYTE id = 0x01;

	(void)arg;
	set_find(c, CKO_PRIVATE_KEY, CKA_ID, &id, 1);
	c->key = find_only(c);
	return CKR_OK;
}

static void op_find(struct ctx *c)
{
	if (find_only(c) != c->key)
		die("C_FindObjects found another object");
}

/* arg session data objects labelled obj-NNNNNN; find the middle one. */
static CK_RV setup_find_label(struct ctx *c, CK_ULONG arg)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL no = CK_FALSE;
	char label[24];
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_TOKEN, &no, sizeof(no) },
		{ CKA_PRIVATE, &no, sizeof(no) },
		{ CKA_LABEL, label, 0 },
		{ CKA_VALUE, label, 0 },
	};
	CK_OBJECT_HANDLE h;
	CK_ULONG i;
	CK_RV rv;

	for (i = 0; i < arg; i++) {
		t[3].ulValueLen = t[4].ulValueLen =
			snprintf(label, sizeof(label), "obj-%06lu", (unsigned long)i);
		rv = c->f->C_CreateObject(c->s, t, 5, &h);
		if (rv != CKR_OK && i > 0)
			return rv;	/* a limit of the token, not an error */
		call("C_CreateObject", rv);
		if (i == arg / 2)
			c->key = h;
	}
	snprintf(label, sizeof(label), "obj-%06lu", (unsigned long)arg / 2);
	set_find(c, CKO_DATA, CKA_LABEL, label, strlen(label));
	if (find_only(c) != c->key)
		die("C_FindObjects by label found another object");
	return CKR_OK;
}

static CK_RV setup_random(struct ctx *c, CK_ULONG arg)
{
	(void)arg;
	memset(c->want, 0, 32);
	return CKR_OK;
}

static void op_random(struct ctx *c)
{
	call("C_GenerateRandom", c->f->C_GenerateRandom(c->s, c->out, 32));
	if (!memcmp(c->out, c->want, 32))
		die("C_GenerateRandom returned the same 32 bytes twice");
	memcpy(c->want, c->out, 32);
}

/* One private AES-256 token key labelled tok-PROC-PID-N. */
static CK_RV token_key(struct ctx *c)
{
	static const unsigned char value[32] = "p11bench aes-256 token key 32 b.";
	static unsigned long n;
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_AES;
	CK_BBOOL yes = CK_TRUE;
	char label[48];
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_ENCRYPT, &yes, sizeof(yes) },
		{ CKA_VALUE, (void *)value, sizeof(value) },
		{ CKA_LABEL, label, 0 },
	};
	CK_OBJECT_HANDLE h;

	t[6].ulValueLen = snprintf(label, sizeof(label), "tok-%d-%ld-%lu",
				   c->proc, (long)getpid(), n++);
	return c->f->C_CreateObject(c->s, t, 7, &h);
}

static CK_RV setup_token_create(struct ctx *c, CK_ULONG arg)
{
	(void)arg;
	return token_key(c);	/* n/a if the token takes no token objects */
}

static void op_token_create(struct ctx *c)
{
	call("C_CreateObject (token key)", token_key(c));
}

static CK_RV setup_token_fill(struct ctx *c, CK_ULONG arg)
{
	CK_ULONG i;
	CK_RV rv;

	for (i = 0; i < arg; i++) {
		rv = token_key(c);
		if (rv != CKR_OK && i > 0)
			return rv;	/* a limit of the token, not an error */
		call("C_CreateObject (token key)", rv);
	}
	return setup_random(c, 0);
}

/*
 * c->key: a session AES-256 key-transport key (CKA_WRAP, no
 * CKA_ENCRYPT/CKA_DECRYPT, as khsm's policy wants); c->key2: the
 * 32-byte extractable AES key it wraps; c->want:
 * OpenSSL's KW of it.
 */
static CK_RV setup_aeskw(struct ctx *c, CK_ULONG arg)
{
	static const unsigned char kek[32] = "p11bench aes-256 wrapping key 32";
	static const unsigned char key[32] = "p11bench aes-256 key to wrap 32b";
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_AES;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_TOKEN, &no, sizeof(no) },
		{ CKA_VALUE, (void *)kek, sizeof(kek) },
		{ CKA_WRAP, &yes, sizeof(yes) },
		{ CKA_ENCRYPT, &no, sizeof(no) },
		{ CKA_DECRYPT, &no, sizeof(no) },
	};
	CK_OBJECT_HANDLE h;
	EVP_CIPHER_CTX *x;
	int l1 = 0, l2 = 0;
	CK_RV rv;

	(void)arg;
	rv = c->f->C_CreateObject(c->s, t, 7, &c->key);
	if (rv != CKR_OK)
		return rv;
	t[3].pValue = (void *)key;
	t[4] = (CK_ATTRIBUTE){ CKA_EXTRACTABLE, &yes, sizeof(yes) };
	t[5].pValue = &yes;
	rv = c->f->C_CreateObject(c->s, t, 7, &h);
	if (rv != CKR_OK)
		return rv;
	c->key2 = h;
	x = EVP_CIPHER_CTX_new();
	if (!x)
		die("OpenSSL AES key wrap failed");
	EVP_CIPHER_CTX_set_flags(x, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	if (!EVP_EncryptInit_ex(x, EVP_aes_256_wrap(), NULL, kek, NULL) ||
	    !EVP_EncryptUpdate(x, c->want, &l1, key, sizeof(key)) ||
	    !EVP_EncryptFinal_ex(x, c->want + l1, &l2) || l1 + l2 != 40)
		die("OpenSSL AES key wrap failed");
	EVP_CIPHER_CTX_free(x);
	return CKR_OK;
}

static void op_aeskw(struct ctx *c)
{
	CK_MECHANISM mech = { CKM_AES_KEY_WRAP, NULL, 0 };

	c->outlen = sizeof(c->out);
	call("C_WrapKey", c->f->C_WrapKey(c->s, &mech, c->key,
					  c->key2, c->out,
					  &c->outlen));
	if (c->outlen != 40 || memcmp(c->out, c->want, 40))
		die("C_WrapKey: not OpenSSL's AES key wrap");
}

/* The peer's point in c->msg, the secret OpenSSL computes in c->want. */
static CK_RV setup_ecdh(struct ctx *c, CK_ULONG arg)
{
	CK_BYTE id = 0x04;
	CK_OBJECT_HANDLE pub;
	EVP_PKEY *peer = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY_CTX *dc;
	size_t len = 0, zlen = sizeof(c->want);

	(void)arg;
	set_find(c, CKO_PUBLIC_KEY, CKA_ID, &id, 1);
	pub = find_only(c);
	c->pub = ec_pub(c, pub);
	set_find(c, CKO_PRIVATE_KEY, CKA_ID, &id, 1);
	c->key = find_only(c);
	dc = peer ? EVP_PKEY_CTX_new(peer, NULL) : NULL;
	if (!dc || !EVP_PKEY_get_octet_string_param(peer,
			OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, c->msg,
			sizeof(c->msg), &len) || len != 65 ||
	    EVP_PKEY_derive_init(dc) != 1 ||
	    EVP_PKEY_derive_set_peer(dc, c->pub) != 1 ||
	    EVP_PKEY_derive(dc, c->want, &zlen) != 1 || zlen != 32)
		die("OpenSSL ECDH failed");
	c->msglen = len;
	EVP_PKEY_CTX_free(dc);
	EVP_PKEY_free(peer);
	return CKR_OK;
}

static void op_ecdh(struct ctx *c)
{
	CK_ECDH1_DERIVE_PARAMS p = {
		.kdf = CKD_NULL,
		.ulPublicDataLen = c->msglen,
		.pPublicData = c->msg,
	};
	CK_MECHANISM mech = { CKM_ECDH1_DERIVE, &p, sizeof(p) };
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
	CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
	CK_ULONG len = 32;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_TOKEN, &no, 1 },
		{ CKA_SENSITIVE, &no, 1 },
		{ CKA_EXTRACTABLE, &yes, 1 },
		{ CKA_VALUE_LEN, &len, sizeof(len) },
	};
	CK_OBJECT_HANDLE h;

	call("C_DeriveKey", c->f->C_DeriveKey(c->s, &mech, c->key, t, 6, &h));
	if (get_attr(c, h, CKA_VALUE, c->out, sizeof(c->out)) != 32 ||
	    memcmp(c->out, c->want, 32))
		die("the derived secret is not OpenSSL's");
	call("C_DestroyObject", c->f->C_DestroyObject(c->s, h));
}

static const struct test tests[] = {
	{ "ecdsa", setup_ecdsa, op_sign, check_sig, 0 },
	{ "ecdsa-sep", setup_ecdsa_sep, op_sign, check_sig, 0 },
	{ "rsa", setup_rsa, op_sign, check_sig, 0 },
	{ "digest", setup_digest, op_digest, NULL, 0 },
	{ "hmac", setup_hmac, op_hmac, NULL, 0 },
	{ "find", setup_find, op_find, NULL, 0 },
	{ "random", setup_random, op_random, NULL, 0 },
	{ "ecdh", setup_ecdh, op_ecdh, NULL, 0 },
	{ "aeskw", setup_aeskw, op_aeskw, NULL, 0 },
	{ "find-100", setup_find_label, op_find, NULL, 100 },
	{ "find-100000", setup_find_label, op_find, NULL, 100000 },
	{ "token-create", setup_token_create, op_token_create, NULL, 0 },
	{ "token-fill", setup_token_fill, op_random, NULL, 10000 },
};

static const char *const default_runs[] = {
	"ecdsa:1", "ecdsa:2", "ecdsa-sep:2", "rsa:1", "digest:1", "hmac:1", "find:1",
	"find:2", "random:1", "random:2", "find-100:1", "find-100000:1",
	"ecdh:1", "aeskw:1",
};

/* --- processes --- */

static void xwrite(int fd, const void *buf, size_t len)
{
	if (write(fd, buf, len) != (ssize_t)len)
		die("write to the parent failed");
}

static void child(const struct test *t, const struct args *a, int proc,
		  int ready, int start, int res)
{
	struct ctx c = { .proc = proc };
	struct result r = { 0 };
	double t0 = now();
	char b = 0;

	module_open(&c, a);
	r.na = t->setup(&c, t->arg);
	if (r.na == CKR_OK) {
		t->op(&c);		/* warm up, and check once more deeply */
		if (t->check)
			t->check(&c);
	}
	r.setup = now() - t0;
	xwrite(ready, &b, 1);
	close(ready);
	if (r.na == CKR_OK) {
		while (read(start, &b, 1) > 0)
			;		/* the parent closes it: go */
		t0 = now();
		do {
			t->op(&c);
			r.ops++;
			r.secs = now() - t0;
		} while (r.secs < a->secs);
		if (t->check)
			t->check(&c);
	}
	xwrite(res, &r, sizeof(r));
	module_close(&c);
	EVP_PKEY_free(c.pub);
	exit(0);
}

/*
 * Run test t in nprocs processes at once and print its line; 0 if all went
 * well. The processes set up one after the other (SoftHSM2 misreads its
 * token files while another process initialises), then start together.
 */
static int run(const struct test *t, int nprocs, const struct args *a)
{
	int ready[2], start[2], res[2], i, status, failed = 0, got = 0;
	struct result r, sum = { 0 };
	double rate = 0;
	pid_t pid[MAX_PROCS];
	char b;

	if (pipe(start) || pipe(res))
		die("pipe failed");
	fflush(NULL);
	for (i = 0; i < nprocs; i++) {
		if (pipe(ready))
			die("pipe failed");
		pid[i] = fork();
		if (pid[i] < 0)
			die("fork failed");
		if (!pid[i]) {
			close(ready[0]);
			close(start[1]);
			close(res[0]);
			child(t, a, i, ready[1], start[0], res[1]);
		}
		close(ready[1]);
		got += read(ready[0], &b, 1) == 1;
		close(ready[0]);
	}
	close(start[0]);
	close(res[1]);
	close(start[1]);
	while (read(res[0], &r, sizeof(r)) == sizeof(r)) {
		if (r.na != CKR_OK)
			sum.na = r.na;
		else
			rate += r.ops / r.secs;
		sum.ops += r.ops;
		sum.secs = r.secs > sum.secs ? r.secs : sum.secs;
		sum.setup = r.setup > sum.setup ? r.setup : sum.setup;
		got--;
	}
	close(res[0]);
	for (i = 0; i < nprocs; i++)
		if (waitpid(pid[i], &status, 0) != pid[i] || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			failed = 1;
	if (failed || got) {
		fprintf(stderr, "p11bench: %s: a process failed\n", t->name);
		return 1;
	}
	printf("result: %s procs=%d ops=%lu secs=%.2f setup=%.2f rate=", t->name,
	       nprocs, sum.ops, sum.secs, sum.setup);
	if (sum.na != CKR_OK)
		printf("n/a (%s)\n", rv_name(sum.na));
	else
		printf("%.1f\n", rate);
	return 0;
}

int main(int argc, char **argv)
{
	const char *const *runs = default_runs;
	int nruns = sizeof(default_runs) / sizeof(default_runs[0]);
	struct args a;
	int i, nprocs, failed = 0;
	size_t j, len;
	const char *colon;

	if (argc < 5 || (a.secs = atof(argv[4])) <= 0) {
		fprintf(stderr, "usage: %s MODULE.so TOKEN-LABEL USER-PIN SECONDS [TEST[:NPROCS]...]\n",
			argv[0]);
		return 2;
	}
	a.module = argv[1];
	a.label = argv[2];
	a.pin = argv[3];
	if (argc > 5) {
		runs = (const char *const *)argv + 5;
		nruns = argc - 5;
	}
	for (i = 0; i < nruns && !failed; i++) {
		colon = strchr(runs[i], ':');
		len = colon ? (size_t)(colon - runs[i]) : strlen(runs[i]);
		nprocs = colon ? atoi(colon + 1) : 1;
		for (j = 0; j < sizeof(tests) / sizeof(tests[0]); j++)
			if (strlen(tests[j].name) == len && !strncmp(tests[j].name, runs[i], len))
				break;
		if (j == sizeof(tests) / sizeof(tests[0]) || nprocs < 1 || nprocs > MAX_PROCS) {
			fprintf(stderr, "p11bench: unknown test or process count '%s'\n", runs[i]);
			return 2;
		}
		failed = run(&tests[j], nprocs, &a);
	}
	return failed;
}
