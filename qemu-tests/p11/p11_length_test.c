// SPDX-License-Identifier: GPL-2.0
/*
 * The PKCS#11 length protocol (v3.0 5.2) through khsm-pkcs11.so, table
 * driven, for every mechanism C_GetMechanismList lists: a listed mechanism
 * without a row in the table below fails the test, so a new mechanism
 * must be added here.
 *
 * For each data function the mechanism has (C_Encrypt/Decrypt/Digest/Sign
 * and their Update/Final, C_Verify*), in the order language bindings use
 * (Go crypto11, miekg/pkcs11, PyKCS11: ask with a NULL buffer, allocate
 * what was answered, call):
 *   - the NULL-buffer call answers a length and does nothing else, also
 *     when the length is 0 (GCM updates, CBC updates that only buffer,
 *     0-byte finals): the operation goes on as if it had not been made;
 *   - a buffer one byte short gives CKR_BUFFER_TOO_SMALL with the length
 *     again, the operation still active;
 *   - the exact buffer gets the output, checked against OpenSSL (the
 *     answered length is exact, or an upper bound for CBC_PAD, OAEP and
 *     CKM_RSA_PKCS decryption);
 *   - zero-length input (single-part) and zero-length updates;
 *   - the operation ends with the single-part call and the final one.
 * Single-part-only mechanisms (CKM_ECDSA, CKM_RSA_PKCS, CKM_RSA_PKCS_PSS,
 * CKM_RSA_PKCS_OAEP, CKM_AES_KEY_WRAP, CKM_AES_KEY_WRAP_KWP) refuse C_*Update and C_*Final with
 * CKR_OPERATION_NOT_INITIALIZED, which ends the operation.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "kselftest_harness.h"
#include "ossl_check.h"
#include "p11_util.h"
#include "khsm_mechs.h"	/* the SHA-3 numbers */

#define MSG_LEN		50	/* not a block multiple */
#define MAX_OUT		1024
#define RSA_BITS	2048

enum key { K_NONE, K_AES, K_EC, K_ED, K_RSA, K_GENERIC };
enum kind { R_GEN, R_DIGEST, R_AES, R_GCM, R_CTR, R_KW, R_OAEP, R_ECDSA,
	    R_EDDSA, R_RSA, R_MAC };

/* One mechanism: what it is, how to drive it, how OpenSSL checks it. */
struct row {
	CK_MECHANISM_TYPE mech;
	const char *name;
	enum kind kind;
	enum key key;
	int single;		/* single-part only */
	const char *md;		/* hash inside; raw RSA/ECDSA: of the input */
	int raw;		/* the input is a hash or T, not the message */
	int pss;
	const char *cipher;	/* OpenSSL cipher (AES) */
	int pad;		/* CBC_PAD, KWP */
	int block_only;		/* ECB, CBC, KW: whole blocks */
	int general;		/* _GENERAL MAC: CK_MAC_GENERAL_PARAMS */
};

/* Designated initialisers; the name is the CKM_ spelling. */
#define ROW_N(m, n, ...) { .mech = (m), .name = (n), __VA_ARGS__ }
#define ROW(m, ...)	ROW_N(m, #m, __VA_ARGS__)
#define GEN(m)		ROW_N(m, #m, .kind = R_GEN)
#define DIGEST(m, h)	ROW_N(m, #m, .kind = R_DIGEST, .md = (h))
#define AES(m, c, p, b)	ROW_N(m, #m, .kind = R_AES, .key = K_AES, \
			      .cipher = (c), .pad = (p), .block_only = (b))
#define ECDSA(m, h)	ROW_N(m, #m, .kind = R_ECDSA, .key = K_EC, .md = (h))
#define RSA_SIG(m, h, p) ROW_N(m, #m, .kind = R_RSA, .key = K_RSA, \
			       .md = (h), .pss = (p))
/* HMAC on a generic secret (.md: the hash), and its _GENERAL twin */
#define HMAC(m, h)	ROW_N(m, #m, .kind = R_MAC, .key = K_GENERIC, .md = (h))
#define HMAC_G(m, h)	ROW_N(m, #m, .kind = R_MAC, .key = K_GENERIC, .md = (h), \
			      .general = 1)

static const struct row rows[] = {
	DIGEST(CKM_SHA_1, "SHA1"),
	DIGEST(CKM_SHA224, "SHA224"),
	DIGEST(CKM_SHA256, "SHA256"),
	DIGEST(CKM_SHA384, "SHA384"),
	DIGEST(CKM_SHA512, "SHA512"),
	DIGEST(CKM_SHA3_224, "SHA3-224"),
	DIGEST(CKM_SHA3_256, "SHA3-256"),
	DIGEST(CKM_SHA3_384, "SHA3-384"),
	DIGEST(CKM_SHA3_512, "SHA3-512"),
	GEN(CKM_AES_KEY_GEN),
	AES(CKM_AES_ECB, "AES-128-ECB", 0, 1),
	AES(CKM_AES_CBC, "AES-128-CBC", 0, 1),
	AES(CKM_AES_CBC_PAD, "AES-128-CBC", 1, 0),
	ROW(CKM_AES_GCM, .kind = R_GCM, .key = K_AES),
	ROW(CKM_AES_CTR, .kind = R_CTR, .key = K_AES),
	ROW(CKM_AES_KEY_WRAP, .kind = R_KW, .key = K_AES, .single = 1,
	    .block_only = 1),
	ROW(CKM_AES_KEY_WRAP_KWP, .kind = R_KW, .key = K_AES, .single = 1,
	    .pad = 1),
	GEN(CKM_EC_KEY_PAIR_GEN),
	ROW(CKM_ECDSA, .kind = R_ECDSA, .key = K_EC, .single = 1,
	    .md = "SHA256", .raw = 1),
	ECDSA(CKM_ECDSA_SHA1, "SHA1"),
	ECDSA(CKM_ECDSA_SHA224, "SHA224"),
	ECDSA(CKM_ECDSA_SHA256, "SHA256"),
	ECDSA(CKM_ECDSA_SHA384, "SHA384"),
	ECDSA(CKM_ECDSA_SHA512, "SHA512"),
	GEN(CKM_EC_EDWARDS_KEY_PAIR_GEN),
	ROW(CKM_EDDSA, .kind = R_EDDSA, .key = K_ED),
	GEN(CKM_RSA_PKCS_KEY_PAIR_GEN),
	GEN(CKM_EC_MONTGOMERY_KEY_PAIR_GEN),
	/* C_DeriveKey only: no data functions, like the generators */
	GEN(CKM_ECDH1_DERIVE),
	GEN(CKM_ECDH1_COFACTOR_DERIVE),
	GEN(CKM_HKDF_DERIVE),
	GEN(CKM_HKDF_DATA),
	GEN(CKM_HKDF_KEY_GEN),
	ROW(CKM_RSA_PKCS, .kind = R_RSA, .key = K_RSA, .single = 1,
	    .md = "SHA256", .raw = 1),
	RSA_SIG(CKM_SHA1_RSA_PKCS, "SHA1", 0),
	RSA_SIG(CKM_SHA224_RSA_PKCS, "SHA224", 0),
	RSA_SIG(CKM_SHA256_RSA_PKCS, "SHA256", 0),
	RSA_SIG(CKM_SHA384_RSA_PKCS, "SHA384", 0),
	RSA_SIG(CKM_SHA512_RSA_PKCS, "SHA512", 0),
	ROW(CKM_RSA_PKCS_PSS, .kind = R_RSA, .key = K_RSA, .single = 1,
	    .md = "SHA256", .raw = 1, .pss = 1),
	RSA_SIG(CKM_SHA1_RSA_PKCS_PSS, "SHA1", 1),
	RSA_SIG(CKM_SHA224_RSA_PKCS_PSS, "SHA224", 1),
	RSA_SIG(CKM_SHA256_RSA_PKCS_PSS, "SHA256", 1),
	RSA_SIG(CKM_SHA384_RSA_PKCS_PSS, "SHA384", 1),
	RSA_SIG(CKM_SHA512_RSA_PKCS_PSS, "SHA512", 1),
	ROW(CKM_RSA_PKCS_OAEP, .kind = R_OAEP, .key = K_RSA, .single = 1,
	    .md = "SHA256"),
	/* C_WrapKey/C_UnwrapKey only (p11_wrap_test): no data functions */
	GEN(CKM_RSA_AES_KEY_WRAP),
	GEN(CKM_GENERIC_SECRET_KEY_GEN),
	HMAC(CKM_SHA_1_HMAC, "SHA1"),
	HMAC_G(CKM_SHA_1_HMAC_GENERAL, "SHA1"),
	HMAC(CKM_SHA224_HMAC, "SHA224"),
	HMAC_G(CKM_SHA224_HMAC_GENERAL, "SHA224"),
	HMAC(CKM_SHA256_HMAC, "SHA256"),
	HMAC_G(CKM_SHA256_HMAC_GENERAL, "SHA256"),
	HMAC(CKM_SHA384_HMAC, "SHA384"),
	HMAC_G(CKM_SHA384_HMAC_GENERAL, "SHA384"),
	HMAC(CKM_SHA512_HMAC, "SHA512"),
	HMAC_G(CKM_SHA512_HMAC_GENERAL, "SHA512"),
	HMAC(CKM_SHA3_224_HMAC, "SHA3-224"),
	HMAC_G(CKM_SHA3_224_HMAC_GENERAL, "SHA3-224"),
	HMAC(CKM_SHA3_256_HMAC, "SHA3-256"),
	HMAC_G(CKM_SHA3_256_HMAC_GENERAL, "SHA3-256"),
	HMAC(CKM_SHA3_384_HMAC, "SHA3-384"),
	HMAC_G(CKM_SHA3_384_HMAC_GENERAL, "SHA3-384"),
	HMAC(CKM_SHA3_512_HMAC, "SHA3-512"),
	HMAC_G(CKM_SHA3_512_HMAC_GENERAL, "SHA3-512"),
	ROW(CKM_AES_CMAC, .kind = R_MAC, .key = K_AES, .cipher = "AES-128-CBC"),
	ROW(CKM_AES_CMAC_GENERAL, .kind = R_MAC, .key = K_AES,
	    .cipher = "AES-128-CBC", .general = 1),
};
#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

enum op { O_ENC, O_DEC, O_DIGEST, O_SIGN, O_VERIFY };
static const char *const op_names[] = {
	"encrypt", "decrypt", "digest", "sign", "verify",
};

/* The token's keys and what OpenSSL needs to check them. */
struct keys {
	CK_OBJECT_HANDLE aes, ec_pub, ec_priv, ed_pub, ed_priv;
	CK_OBJECT_HANDLE rsa_pub, rsa_priv, generic;
	unsigned char aes_key[16];
	unsigned char generic_key[40];
	unsigned char ec_point[80];
	CK_ULONG ec_point_len;
	EVP_PKEY *ed;		/* public */
	EVP_PKEY *rsa;		/* the whole key, generated here */
};

static const unsigned char iv[16] = "0123456789abcdef";
static const unsigned char gcm_iv[12] = "gcm-iv-12by";
static const unsigned char gcm_aad[5] = "aad!";
static const unsigned char ctr_cb[16] = "ctr-block-0123\xff";

/* Parameters of one CK_MECHANISM, kept with it. */
struct mparam {
	CK_MECHANISM m;
	CK_GCM_PARAMS gcm;
	CK_AES_CTR_PARAMS ctr;
	CK_RSA_PKCS_PSS_PARAMS pss;
	CK_RSA_PKCS_OAEP_PARAMS oaep;
	CK_ULONG mac_len;
};

/* The length a _GENERAL MAC row asks for (the verify test flips byte 3). */
#define GENERAL_MAC_LEN	12

static CK_MECHANISM_TYPE hash_ckm(const char *md)
{
	if (!strcmp(md, "SHA1"))
		return CKM_SHA_1;
	if (!strcmp(md, "SHA224"))
		return CKM_SHA224;
	if (!strcmp(md, "SHA256"))
		return CKM_SHA256;
	if (!strcmp(md, "SHA384"))
		return CKM_SHA384;
	return CKM_SHA512;
}

static CK_RSA_PKCS_MGF_TYPE hash_mgf(const char *md)
{
	if (!strcmp(md, "SHA1"))
		return CKG_MGF1_SHA1;
	if (!strcmp(md, "SHA224"))
		return CKG_MGF1_SHA224;
	if (!strcmp(md, "SHA256"))
		return CKG_MGF1_SHA256;
	if (!strcmp(md, "SHA384"))
		return CKG_MGF1_SHA384;
	return CKG_MGF1_SHA512;
}

static void mech_of(const struct row *r, struct mparam *p)
{
	memset(p, 0, sizeof(*p));
	p->m.mechanism = r->mech;
	switch (r->mech) {
	case CKM_AES_CBC:
	case CKM_AES_CBC_PAD:
		p->m.pParameter = (void *)iv;
		p->m.ulParameterLen = sizeof(iv);
		break;
	case CKM_AES_GCM:
		p->gcm.pIv = (unsigned char *)gcm_iv;
		p->gcm.ulIvLen = sizeof(gcm_iv);
		p->gcm.ulIvBits = 8 * sizeof(gcm_iv);
		p->gcm.pAAD = (unsigned char *)gcm_aad;
		p->gcm.ulAADLen = sizeof(gcm_aad);
		p->gcm.ulTagBits = 128;
		p->m.pParameter = &p->gcm;
		p->m.ulParameterLen = sizeof(p->gcm);
		break;
	case CKM_AES_CTR:
		p->ctr.ulCounterBits = 128;
		memcpy(p->ctr.cb, ctr_cb, sizeof(ctr_cb));
		p->m.pParameter = &p->ctr;
		p->m.ulParameterLen = sizeof(p->ctr);
		break;
	case CKM_RSA_PKCS_OAEP:
		p->oaep.hashAlg = CKM_SHA256;
		p->oaep.mgf = CKG_MGF1_SHA256;
		p->m.pParameter = &p->oaep;
		p->m.ulParameterLen = sizeof(p->oaep);
		break;
	default:
		if (r->general) {
			p->mac_len = GENERAL_MAC_LEN;
			p->m.pParameter = &p->mac_len;
			p->m.ulParameterLen = sizeof(p->mac_len);
		}
		if (r->pss) {
			p->pss.hashAlg = hash_ckm(r->md);
			p->pss.mgf = hash_mgf(r->md);
			p->pss.sLen = EVP_MD_get_size(EVP_get_digestbyname(r->md));
			p->m.pParameter = &p->pss;
			p->m.ulParameterLen = sizeof(p->pss);
		}
	}
}

static CK_OBJECT_HANDLE key_of(const struct row *r, const struct keys *k,
			       enum op op)
{
	int pub = op == O_ENC || op == O_VERIFY;

	switch (r->key) {
	case K_AES:
		return k->aes;
	case K_EC:
		return pub ? k->ec_pub : k->ec_priv;
	case K_ED:
		return pub ? k->ed_pub : k->ed_priv;
	case K_RSA:
		return pub ? k->rsa_pub : k->rsa_priv;
	case K_GENERIC:
		return k->generic;
	default:
		return 0;
	}
}

/* The input a signature mechanism takes for @msg (raw ones: hash or T). */
static size_t sig_input(const struct row *r, const unsigned char *msg,
			size_t n, unsigned char *in)
{
	static const unsigned char di256[] = {
		0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
		0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
	};
	unsigned int hl = 0;
	size_t pre = 0;

	if (!r->raw) {
		memcpy(in, msg, n);
		return n;
	}
	if (r->kind == R_RSA && !r->pss) {
		memcpy(in, di256, sizeof(di256));
		pre = sizeof(di256);
	}
	EVP_Digest(msg, n, in + pre, &hl, EVP_get_digestbyname(r->md), NULL);
	return pre + hl;
}

/* OpenSSL en/decryption of AES-ECB/CBC/CBC_PAD; -1 if it refuses. */
static int ref_aes(const struct row *r, const struct keys *k, int enc,
		   const unsigned char *in, size_t n, unsigned char *out)
{
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, r->cipher, NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int a = 0, b = 0, ok;

	ok = c && ctx &&
	     EVP_CipherInit_ex(ctx, c, NULL, k->aes_key,
			       r->mech == CKM_AES_ECB ? NULL : iv, enc) &&
	     EVP_CIPHER_CTX_set_padding(ctx, r->pad) &&
	     EVP_CipherUpdate(ctx, out, &a, in, (int)n) &&
	     EVP_CipherFinal_ex(ctx, out + a, &b) == 1;
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
	return ok ? a + b : -1;
}

/* OpenSSL AES-128-GCM: encryption gives ct || tag. */
static int ref_gcm(const struct keys *k, int enc, const unsigned char *in,
		   size_t n, unsigned char *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int a = 0, b = 0, ok;

	if (!enc && n < 16) {
		EVP_CIPHER_CTX_free(ctx);
		return -1;
	}
	if (!enc) {
		EVP_CIPHER_CTX_free(ctx);
		return ossl_gcm_decrypt(k->aes_key, 16, gcm_iv, sizeof(gcm_iv),
					gcm_aad, sizeof(gcm_aad), in,
					(int)n - 16, in + n - 16, 16, out);
	}
	ok = ctx && EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, NULL,
				       NULL) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, sizeof(gcm_iv),
				 NULL) &&
	     EVP_EncryptInit_ex(ctx, NULL, NULL, k->aes_key, gcm_iv) &&
	     EVP_EncryptUpdate(ctx, NULL, &a, gcm_aad, sizeof(gcm_aad)) &&
	     EVP_EncryptUpdate(ctx, out, &a, in, (int)n) &&
	     EVP_EncryptFinal_ex(ctx, out + a, &b) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, out + a + b);
	EVP_CIPHER_CTX_free(ctx);
	return ok ? a + b + 16 : -1;
}

/* OpenSSL RSA-OAEP (SHA-256, MGF1-SHA-256); -1 if it refuses. */
static int ref_rsa_enc(const struct keys *k, int oaep, int enc,
		       const unsigned char *in, size_t n, unsigned char *out)
{
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_pkey(NULL, k->rsa, NULL);
	size_t ol = MAX_OUT;
	int ok;

	ok = pc && (enc ? EVP_PKEY_encrypt_init(pc) :
			  EVP_PKEY_decrypt_init(pc)) == 1 &&
	     EVP_PKEY_CTX_set_rsa_padding(pc, oaep ? RSA_PKCS1_OAEP_PADDING :
					  RSA_PKCS1_PADDING) == 1 &&
	     (!oaep ||
	      (EVP_PKEY_CTX_set_rsa_oaep_md_name(pc, "SHA256", NULL) == 1 &&
	       EVP_PKEY_CTX_set_rsa_mgf1_md_name(pc, "SHA256", NULL) == 1)) &&
	     (enc ? EVP_PKEY_encrypt(pc, out, &ol, in, n) :
		    EVP_PKEY_decrypt(pc, out, &ol, in, n)) == 1;
	EVP_PKEY_CTX_free(pc);
	return ok ? (int)ol : -1;
}

static int ref_oaep(const struct keys *k, int enc, const unsigned char *in,
		    size_t n, unsigned char *out)
{
	return ref_rsa_enc(k, 1, enc, in, n, out);
}

/* CKM_RSA_PKCS encryption (OpenSSL 3.0's RSA_PKCS1_PADDING) */
static int is_rsa_enc(const struct row *r, enum op op)
{
	return r->mech == CKM_RSA_PKCS && (op == O_ENC || op == O_DEC);
}

/* OpenSSL accepts @sig over @in (the mechanism's input)? */
static int ref_verify(const struct row *r, const struct keys *k,
		      const unsigned char *in, size_t n,
		      const unsigned char *sig, size_t sl)
{
	EVP_PKEY_CTX *pc = NULL;
	EVP_MD_CTX *mc = NULL;
	unsigned char mac[64];
	int ok = 0;

	if (r->kind == R_MAC) {
		ok = r->key == K_GENERIC ?
		     ossl_mac("HMAC", r->md, k->generic_key,
			      sizeof(k->generic_key), in, n, mac, sizeof(mac)) :
		     ossl_mac("CMAC", r->cipher, k->aes_key,
			      sizeof(k->aes_key), in, n, mac, sizeof(mac));
		if (r->general && ok > GENERAL_MAC_LEN)
			ok = GENERAL_MAC_LEN;
		return ok > 0 && (size_t)ok == sl && !memcmp(mac, sig, sl);
	}
	if (r->kind == R_ECDSA)
		return ossl_p256_verify(k->ec_point, k->ec_point_len, in, n,
					sig, sl, r->raw ? NULL : r->md) == 1;
	if (r->kind == R_EDDSA) {
		mc = EVP_MD_CTX_new();
		ok = mc && EVP_DigestVerifyInit_ex(mc, NULL, NULL, NULL, NULL,
						   k->ed, NULL) == 1 &&
		     EVP_DigestVerify(mc, sig, sl, in, n) == 1;
		EVP_MD_CTX_free(mc);
		return ok;
	}
	if (r->raw) {
		pc = EVP_PKEY_CTX_new_from_pkey(NULL, k->rsa, NULL);
		ok = pc && EVP_PKEY_verify_init(pc) == 1;
	} else {
		mc = EVP_MD_CTX_new();
		ok = mc && EVP_DigestVerifyInit_ex(mc, &pc, r->md, NULL, NULL,
						   k->rsa, NULL) == 1;
	}
	if (ok && r->pss)
		ok = EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) == 1 &&
		     EVP_PKEY_CTX_set_rsa_mgf1_md_name(pc, r->md, NULL) == 1 &&
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, RSA_PSS_SALTLEN_DIGEST) == 1;
	else if (ok)
		ok = EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) == 1;
	if (ok && r->raw && r->pss)
		ok = EVP_PKEY_CTX_set_signature_md(pc,
				EVP_get_digestbyname(r->md)) == 1;
	if (ok)
		ok = (r->raw ? EVP_PKEY_verify(pc, sig, sl, in, n) :
			       EVP_DigestVerify(mc, sig, sl, in, n)) == 1;
	if (r->raw)
		EVP_PKEY_CTX_free(pc);
	EVP_MD_CTX_free(mc);
	return ok;
}

/* Whether the mechanism takes @n input bytes for @op. */
static int input_ok(const struct row *r, enum op op, size_t n)
{
	switch (r->kind) {
	case R_AES:
		if (op == O_DEC && r->pad)
			return n && n % 16 == 0;
		return !r->block_only || n % 16 == 0;
	case R_GCM:
		return op == O_ENC || n >= 16;
	case R_KW:
		if (op == O_ENC)
			return r->pad ? n > 0 : n % 8 == 0 && n >= 16;
		return n % 8 == 0 && n >= (r->pad ? 16U : 24U);
	case R_OAEP:
		return op == O_ENC ? n <= 256 - 66 : n == 256;
	case R_RSA:
		if (is_rsa_enc(r, op))
			return op == O_ENC ? n <= 256 - 11 : n == 256;
		if (r->raw && r->pss)
			return n == 32;
		return !r->raw || n <= 256 - 11;
	default:
		return 1;
	}
}

/*
 * The reference output of @op over @in: its length, -1 if there is none
 * to compare (randomised: sign, OAEP encryption; checked by check_out()).
 */
static int ref_out(const struct row *r, const struct keys *k, enum op op,
		   const unsigned char *in, size_t n, unsigned char *out)
{
	unsigned int hl = 0;

	switch (r->kind) {
	case R_DIGEST:
		EVP_Digest(in, n, out, &hl, EVP_get_digestbyname(r->md), NULL);
		return (int)hl;
	case R_AES:
		return ref_aes(r, k, op == O_ENC, in, n, out);
	case R_GCM:
		return ref_gcm(k, op == O_ENC, in, n, out);
	case R_CTR:
		return ossl_ctr(k->aes_key, 16, ctr_cb, in, (int)n, out) ? -1 :
									   (int)n;
	case R_KW:
		return ossl_wrap(op == O_ENC, r->pad, k->aes_key, 16, NULL, in,
				 (int)n, out);
	case R_OAEP:
		return op == O_DEC ? ref_oaep(k, 0, in, n, out) : -1;
	case R_RSA:
		if (is_rsa_enc(r, op))
			return ref_rsa_enc(k, 0, op == O_ENC, in, n, out);
		return -1;
	default:
		return -1;
	}
}

/* The token's output of @op over @in is right (OpenSSL's view). */
static int check_out(const struct row *r, const struct keys *k, enum op op,
		     const unsigned char *in, size_t n,
		     const unsigned char *got, size_t got_len)
{
	unsigned char want[MAX_OUT];
	int wl;

	if (op == O_SIGN)
		return ref_verify(r, k, in, n, got, got_len);
	if ((r->kind == R_OAEP || is_rsa_enc(r, op)) && op == O_ENC) {
		wl = ref_rsa_enc(k, r->kind == R_OAEP, 0, got, got_len, want);
		return got_len == 256 && wl == (int)n && !memcmp(want, in, n);
	}
	wl = ref_out(r, k, op, in, n, want);
	return wl >= 0 && (size_t)wl == got_len && !memcmp(want, got, wl);
}

/* The length answered may exceed the output (PKCS#11 5.2 allows it). */
static int upper_bound(const struct row *r, enum op op)
{
	return op == O_DEC && (r->pad || r->kind == R_OAEP ||	/* KWP too */
			       is_rsa_enc(r, op));
}

/* --- the PKCS#11 calls, one dispatcher per kind of call ---------------- */

static CK_RV p_init_op(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		       enum op op, CK_MECHANISM *m, CK_OBJECT_HANDLE key)
{
	switch (op) {
	case O_ENC:
		return f->C_EncryptInit(s, m, key);
	case O_DEC:
		return f->C_DecryptInit(s, m, key);
	case O_DIGEST:
		return f->C_DigestInit(s, m);
	case O_SIGN:
		return f->C_SignInit(s, m, key);
	default:
		return f->C_VerifyInit(s, m, key);
	}
}

static CK_RV p_one(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, enum op op,
		   unsigned char *in, CK_ULONG n, unsigned char *out,
		   CK_ULONG *len)
{
	switch (op) {
	case O_ENC:
		return f->C_Encrypt(s, in, n, out, len);
	case O_DEC:
		return f->C_Decrypt(s, in, n, out, len);
	case O_DIGEST:
		return f->C_Digest(s, in, n, out, len);
	case O_SIGN:
		return f->C_Sign(s, in, n, out, len);
	default:
		return f->C_Verify(s, in, n, out, *len);
	}
}

/* C_*Update; @out/@len only for encryption and decryption. */
static CK_RV p_update(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, enum op op,
		      unsigned char *in, CK_ULONG n, unsigned char *out,
		      CK_ULONG *len)
{
	switch (op) {
	case O_ENC:
		return f->C_EncryptUpdate(s, in, n, out, len);
	case O_DEC:
		return f->C_DecryptUpdate(s, in, n, out, len);
	case O_DIGEST:
		return f->C_DigestUpdate(s, in, n);
	case O_SIGN:
		return f->C_SignUpdate(s, in, n);
	default:
		return f->C_VerifyUpdate(s, in, n);
	}
}

/* C_*Final; VERIFY takes the signature in @out/@len. */
static CK_RV p_final(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, enum op op,
		     unsigned char *out, CK_ULONG *len)
{
	switch (op) {
	case O_ENC:
		return f->C_EncryptFinal(s, out, len);
	case O_DEC:
		return f->C_DecryptFinal(s, out, len);
	case O_DIGEST:
		return f->C_DigestFinal(s, out, len);
	case O_SIGN:
		return f->C_SignFinal(s, out, len);
	default:
		return f->C_VerifyFinal(s, out, *len);
	}
}

/* The operation of @op has ended: a single-part call finds none. */
static int op_ended(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, enum op op)
{
	unsigned char in[1] = { 0 }, out[MAX_OUT];
	CK_ULONG len = sizeof(out);

	return p_one(f, s, op, in, op == O_VERIFY ? 1 : 0, out, &len) ==
	       CKR_OPERATION_NOT_INITIALIZED;
}

/*
 * The binding idiom on a call with an output: NULL buffer, then one byte
 * short, then the answered length. @call is the single-part call (in/n)
 * or the final one (n = ~0). Returns the output length, or -1 after a
 * failed assertion (TH_LOG says which).
 */
struct io_call {
	CK_FUNCTION_LIST_PTR f;
	CK_SESSION_HANDLE s;
	enum op op;
	int update;		/* 1: C_*Update, 0: single-part or final */
	int final;
	unsigned char *in;
	CK_ULONG n;
};

static CK_RV io_do(const struct io_call *c, unsigned char *out, CK_ULONG *len)
{
	if (c->update)
		return p_update(c->f, c->s, c->op, c->in, c->n, out, len);
	if (c->final)
		return p_final(c->f, c->s, c->op, out, len);
	return p_one(c->f, c->s, c->op, c->in, c->n, out, len);
}

static long idiom(struct __test_metadata *_metadata, const struct io_call *c,
		  int exact, unsigned char *out)
{
	unsigned char *buf;
	CK_ULONG len = 12345, want;
	CK_RV rv;

	rv = io_do(c, NULL, &len);
	if (rv != CKR_OK) {
		TH_LOG("length query: rv 0x%lx", rv);
		return -1;
	}
	want = len;
	if (want > MAX_OUT) {
		TH_LOG("length query answered %lu", want);
		return -1;
	}
	/* allocate what was answered; a 0-byte malloc stays non-NULL */
	buf = malloc(want ? want : 1);
	if (!buf)
		return -1;
	if (want) {
		len = want - 1;
		rv = io_do(c, buf, &len);
		if (rv != CKR_BUFFER_TOO_SMALL || len != want) {
			TH_LOG("one byte short: rv 0x%lx len %lu (want 0x%lx %lu)",
			       rv, len, CKR_BUFFER_TOO_SMALL, want);
			free(buf);
			return -1;
		}
	}
	len = want;
	rv = io_do(c, buf, &len);
	if (rv != CKR_OK || len > want || (exact && len != want)) {
		TH_LOG("exact buffer: rv 0x%lx len %lu (answered %lu)", rv,
		       len, want);
		free(buf);
		return -1;
	}
	memcpy(out, buf, len);
	free(buf);
	return (long)len;
}

/* --- the scenarios ------------------------------------------------------ */

/*
 * Single-part over @in/@n: query, short, exact (or the refusal of an
 * input the mechanism does not take), then the operation has ended.
 * @sig: for VERIFY, the signature; for SIGN, gets the signature.
 */
static void one_shot(struct __test_metadata *_metadata,
		     CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		     const struct row *r, const struct keys *k, enum op op,
		     unsigned char *in, size_t n, unsigned char *sig,
		     CK_ULONG *sig_len)
{
	struct io_call c = { f, s, op, 0, 0, in, n };
	unsigned char out[MAX_OUT];
	struct mparam p;
	CK_ULONG len;
	long got;
	CK_RV rv;

	TH_LOG("%s %s one-shot, %zu bytes", r->name, op_names[op], n);
	mech_of(r, &p);
	ASSERT_EQ(CKR_OK, p_init_op(f, s, op, &p.m, key_of(r, k, op)));
	if (op == O_VERIFY) {
		len = *sig_len;
		EXPECT_EQ(CKR_OK, p_one(f, s, op, in, n, sig, &len));
		EXPECT_TRUE(op_ended(f, s, op));
		/* a wrong signature */
		sig[3] ^= 0x10;
		ASSERT_EQ(CKR_OK, p_init_op(f, s, op, &p.m, key_of(r, k, op)));
		EXPECT_EQ(CKR_SIGNATURE_INVALID, p_one(f, s, op, in, n, sig, &len));
		sig[3] ^= 0x10;
		EXPECT_TRUE(op_ended(f, s, op));
		return;
	}
	if (!input_ok(r, op, n)) {
		/* the query answers (it runs nothing); the call refuses */
		len = 0;
		rv = p_one(f, s, op, in, n, NULL, &len);
		if (rv == CKR_OK) {
			ASSERT_GE(MAX_OUT, len);
			len = MAX_OUT;
			rv = p_one(f, s, op, in, n, out, &len);
		}
		EXPECT_NE(CKR_OK, rv);
		EXPECT_NE(CKR_BUFFER_TOO_SMALL, rv);
		EXPECT_TRUE(op_ended(f, s, op));
		return;
	}
	got = idiom(_metadata, &c, !upper_bound(r, op), out);
	ASSERT_LE(0, got);
	EXPECT_TRUE(check_out(r, k, op, in, n, out, got));
	EXPECT_TRUE(op_ended(f, s, op));
	if (sig) {
		memcpy(sig, out, got);
		*sig_len = got;
	}
}

/*
 * Multi-part over @in/@n in the parts 0, 7, 0, 20, the rest (zero-length
 * updates first and in the middle), each update and the final through the
 * idiom; the concatenated output is checked. Single-part-only mechanisms
 * refuse the first update (and then the final) and end the operation.
 */
static void multi_part(struct __test_metadata *_metadata,
		       CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		       const struct row *r, const struct keys *k, enum op op,
		       unsigned char *in, size_t n, unsigned char *sig,
		       CK_ULONG sig_len)
{
	size_t parts[5] = { 0, 7, 0, 20, 0 }, off = 0, total = 0;
	int output = op == O_ENC || op == O_DEC;
	unsigned char out[4 * MAX_OUT];
	struct io_call c = { f, s, op, 1, 0, NULL, 0 };
	struct mparam p;
	CK_ULONG len;
	unsigned int i;
	long got;

	TH_LOG("%s %s multi-part, %zu bytes", r->name, op_names[op], n);
	mech_of(r, &p);
	ASSERT_EQ(CKR_OK, p_init_op(f, s, op, &p.m, key_of(r, k, op)));
	if (r->single) {
		len = sizeof(out);
		EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED,
			  p_update(f, s, op, in, n, output ? out : NULL,
				   output ? &len : NULL));
		len = op == O_VERIFY ? sig_len : sizeof(out);
		EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED,
			  p_final(f, s, op, op == O_VERIFY ? sig : out, &len));
		/* and C_*Final alone */
		ASSERT_EQ(CKR_OK, p_init_op(f, s, op, &p.m, key_of(r, k, op)));
		len = op == O_VERIFY ? sig_len : sizeof(out);
		EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED,
			  p_final(f, s, op, op == O_VERIFY ? sig : out, &len));
		EXPECT_TRUE(op_ended(f, s, op));
		return;
	}
	parts[4] = n > 27 ? n - 27 : 0;
	if (n < 27) {
		parts[1] = 0;
		parts[3] = n;
	}
	for (i = 0; i < 5; i++) {
		c.in = in + off;
		c.n = parts[i];
		off += parts[i];
		if (!output) {
			ASSERT_EQ(CKR_OK, p_update(f, s, op, c.in, c.n, NULL,
						   NULL));
			continue;
		}
		got = idiom(_metadata, &c, 1, out + total);
		ASSERT_LE(0, got);
		total += got;
	}
	ASSERT_EQ(n, off);
	if (op == O_VERIFY) {
		len = sig_len;
		EXPECT_EQ(CKR_OK, p_final(f, s, op, sig, &len));
		EXPECT_TRUE(op_ended(f, s, op));
		return;
	}
	c.update = 0;
	c.final = 1;
	got = idiom(_metadata, &c, !upper_bound(r, op), out + total);
	ASSERT_LE(0, got);
	total += got;
	EXPECT_TRUE(check_out(r, k, op, in, n, out, total));
	EXPECT_TRUE(op_ended(f, s, op));
}

/* Every data function of row @r, message lengths MSG_LEN and 0. */
static void drive(struct __test_metadata *_metadata, CK_FUNCTION_LIST_PTR f,
		  CK_SESSION_HANDLE s, const struct row *r,
		  const struct keys *k, CK_FLAGS flags)
{
	unsigned char msg[MSG_LEN], in[MAX_OUT], ct[MAX_OUT], sig[MAX_OUT];
	size_t lens[2] = { MSG_LEN, 0 }, n;
	CK_ULONG sig_len = 0;
	unsigned int i;
	int cl;

	ASSERT_EQ(1, RAND_bytes(msg, sizeof(msg)));
	for (i = 0; i < 2; i++) {
		n = lens[i];
		if (r->block_only && n)
			n = 48;
		if (flags & CKF_DIGEST) {
			one_shot(_metadata, f, s, r, k, O_DIGEST, msg, n, NULL,
				 NULL);
			multi_part(_metadata, f, s, r, k, O_DIGEST, msg, n,
				   NULL, 0);
		}
		if (flags & CKF_ENCRYPT) {
			one_shot(_metadata, f, s, r, k, O_ENC, msg, n, NULL,
				 NULL);
			multi_part(_metadata, f, s, r, k, O_ENC, msg, n, NULL,
				   0);
		}
		if (flags & CKF_DECRYPT) {
			/* the ciphertext of the message, made by OpenSSL */
			cl = r->kind == R_OAEP ? ref_oaep(k, 1, msg, n, ct) :
			     ref_out(r, k, O_ENC, msg, n, ct);
			/* no ciphertext of a message it cannot take (KW) */
			if (cl < 0 && !input_ok(r, O_ENC, n))
				cl = 0;
			ASSERT_LE(0, cl);
			one_shot(_metadata, f, s, r, k, O_DEC, ct, cl, NULL,
				 NULL);
			multi_part(_metadata, f, s, r, k, O_DEC, ct, cl, NULL,
				   0);
			/* zero-length ciphertext */
			if (!n) {
				one_shot(_metadata, f, s, r, k, O_DEC, ct, 0,
					 NULL, NULL);
				if (input_ok(r, O_DEC, 0))
					multi_part(_metadata, f, s, r, k,
						   O_DEC, ct, 0, NULL, 0);
			}
		}
		if (flags & CKF_SIGN) {
			n = sig_input(r, msg, n, in);
			one_shot(_metadata, f, s, r, k, O_SIGN, in, n, sig,
				 &sig_len);
			if (input_ok(r, O_SIGN, n))
				multi_part(_metadata, f, s, r, k, O_SIGN, in,
					   n, NULL, 0);
			if ((flags & CKF_VERIFY) && input_ok(r, O_SIGN, n)) {
				one_shot(_metadata, f, s, r, k, O_VERIFY, in,
					 n, sig, &sig_len);
				multi_part(_metadata, f, s, r, k, O_VERIFY,
					   in, n, sig, sig_len);
			}
		}
	}
}

FIXTURE(len) {
	CK_FUNCTION_LIST_PTR f;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
	struct keys k;
};

static CK_RV gen_ed25519(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
			 struct keys *k)
{
	static const unsigned char oid[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
	CK_MECHANISM m = { CKM_EC_EDWARDS_KEY_PAIR_GEN, NULL, 0 };
	CK_BBOOL yes = CK_TRUE;
	CK_KEY_TYPE kt = CKK_EC_EDWARDS;
	CK_ATTRIBUTE pt[] = {
		{ CKA_VERIFY, &yes, 1 },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_EC_PARAMS, (void *)oid, sizeof(oid) },
	};
	CK_ATTRIBUTE st[] = {
		{ CKA_SIGN, &yes, 1 },
		{ CKA_SENSITIVE, &yes, 1 },
		{ CKA_PRIVATE, &yes, 1 },
	};
	unsigned char point[40];
	CK_RV rv;

	rv = f->C_GenerateKeyPair(s, &m, pt, 3, st, 3, &k->ed_pub, &k->ed_priv);
	if (rv != CKR_OK)
		return rv;
	if (p_ec_point(f, s, k->ed_pub, point, sizeof(point)) != 34)
		return CKR_GENERAL_ERROR;
	k->ed = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, point + 2,
					    32);
	return k->ed ? CKR_OK : CKR_GENERAL_ERROR;
}

/* An RSA key made by OpenSSL, imported (both halves) into the token. */
static CK_RV import_rsa(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
			struct keys *k)
{
	static const char *const names[8] = {
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
	CK_OBJECT_CLASS pub_cls = CKO_PUBLIC_KEY, priv_cls = CKO_PRIVATE_KEY;
	CK_KEY_TYPE kt = CKK_RSA;
	CK_BBOOL yes = CK_TRUE;
	unsigned char v[8][RSA_BITS / 8];
	CK_ATTRIBUTE t[16];
	unsigned int i, n = 0;
	BIGNUM *bn = NULL;
	CK_RV rv;

	k->rsa = EVP_RSA_gen(RSA_BITS);
	if (!k->rsa)
		return CKR_GENERAL_ERROR;
	t[n++] = (CK_ATTRIBUTE){ CKA_KEY_TYPE, &kt, sizeof(kt) };
	for (i = 0; i < 8; i++) {
		int l;

		if (EVP_PKEY_get_bn_param(k->rsa, names[i], &bn) != 1)
			return CKR_GENERAL_ERROR;
		l = BN_bn2bin(bn, v[i]);
		BN_clear_free(bn);
		bn = NULL;
		t[n++] = (CK_ATTRIBUTE){ types[i], v[i], (CK_ULONG)l };
	}
	t[n++] = (CK_ATTRIBUTE){ CKA_CLASS, &priv_cls, sizeof(priv_cls) };
	t[n++] = (CK_ATTRIBUTE){ CKA_SIGN, &yes, 1 };
	t[n++] = (CK_ATTRIBUTE){ CKA_DECRYPT, &yes, 1 };
	rv = f->C_CreateObject(s, t, n, &k->rsa_priv);
	if (rv != CKR_OK)
		return rv;
	/* the public key: type, n, e, class, verify, encrypt */
	t[3] = (CK_ATTRIBUTE){ CKA_CLASS, &pub_cls, sizeof(pub_cls) };
	t[4] = (CK_ATTRIBUTE){ CKA_VERIFY, &yes, 1 };
	t[5] = (CK_ATTRIBUTE){ CKA_ENCRYPT, &yes, 1 };
	return f->C_CreateObject(s, t, 6, &k->rsa_pub);
}

/* A CKK_GENERIC_SECRET key for the HMAC rows (session object). */
static CK_RV generic_key(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
			 struct keys *k)
{
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_VALUE, k->generic_key, sizeof(k->generic_key) },
		{ CKA_SIGN, &yes, 1 },
		{ CKA_VERIFY, &yes, 1 },
	};

	return f->C_CreateObject(s, t, 5, &k->generic);
}

FIXTURE_SETUP(len)
{
	P_SETUP_USER_SESSION(self);
	ASSERT_EQ(1, RAND_bytes(self->k.aes_key, sizeof(self->k.aes_key)));
	ASSERT_EQ(CKR_OK, p_aes_key(self->f, self->s, self->k.aes_key,
				    sizeof(self->k.aes_key), &self->k.aes));
	ASSERT_EQ(CKR_OK, p_gen_p256(self->f, self->s, CK_FALSE,
				     &self->k.ec_pub, &self->k.ec_priv));
	self->k.ec_point_len = p_ec_point(self->f, self->s, self->k.ec_pub,
					  self->k.ec_point,
					  sizeof(self->k.ec_point));
	ASSERT_NE(0UL, self->k.ec_point_len);
	ASSERT_EQ(CKR_OK, gen_ed25519(self->f, self->s, &self->k));
	ASSERT_EQ(CKR_OK, import_rsa(self->f, self->s, &self->k));
	ASSERT_EQ(1, RAND_bytes(self->k.generic_key,
				sizeof(self->k.generic_key)));
	ASSERT_EQ(CKR_OK, generic_key(self->f, self->s, &self->k));
}

FIXTURE_TEARDOWN(len)
{
	EVP_PKEY_free(self->k.ed);
	EVP_PKEY_free(self->k.rsa);
	P_TEARDOWN(self);
}

/* Every listed mechanism has a row; every row's functions behave. */
TEST_F_TIMEOUT(len, every_mechanism, 600)
{
	CK_MECHANISM_TYPE list[256];
	CK_ULONG n = 0, i, j;
	CK_MECHANISM_INFO mi;
	CK_FLAGS data = CKF_ENCRYPT | CKF_DECRYPT | CKF_DIGEST | CKF_SIGN |
			CKF_VERIFY;

	ASSERT_EQ(CKR_OK, self->f->C_GetMechanismList(self->slot, NULL, &n));
	ASSERT_GE(256UL, n);
	ASSERT_EQ(CKR_OK, self->f->C_GetMechanismList(self->slot, list, &n));
	for (i = 0; i < n; i++) {
		const struct row *r = NULL;

		for (j = 0; j < N_ROWS; j++)
			if (rows[j].mech == list[i])
				r = &rows[j];
		if (!r) {
			TH_LOG("mechanism 0x%lx is listed but has no row in this test: add it",
			       list[i]);
			EXPECT_NE(NULL, r);
			continue;
		}
		ASSERT_EQ(CKR_OK, self->f->C_GetMechanismInfo(self->slot,
							      list[i], &mi));
		if (r->kind == R_GEN) {
			/* generation only: no data functions to drive */
			EXPECT_EQ(0UL, mi.flags & data);
			continue;
		}
		EXPECT_NE(0UL, mi.flags & data);
		drive(_metadata, self->f, self->s, r, &self->k, mi.flags);
	}
}

/*
 * The failures the idiom used to cause, spelled out: a GCM part encrypted
 * twice under a valid tag, a CBC update answering CKR_BUFFER_TOO_SMALL
 * after its query, C_EncryptFinal after a 0-byte query finding no
 * operation.
 */
TEST_F(len, queries_do_not_act)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	const struct row *gcm = NULL, *cbc = NULL;
	unsigned char msg[26], out[64], want[64];
	struct mparam p;
	CK_ULONG len, total = 0;
	unsigned int j;
	int wl;

	for (j = 0; j < N_ROWS; j++) {
		if (rows[j].mech == CKM_AES_GCM)
			gcm = &rows[j];
		if (rows[j].mech == CKM_AES_CBC)
			cbc = &rows[j];
	}
	memset(msg, 'm', sizeof(msg));
	/* GCM: query, then the update, then query and final: 26 + 16 bytes */
	mech_of(gcm, &p);
	ASSERT_EQ(CKR_OK, f->C_EncryptInit(self->s, &p.m, self->k.aes));
	len = 99;
	ASSERT_EQ(CKR_OK, f->C_EncryptUpdate(self->s, msg, 10, NULL, &len));
	EXPECT_EQ(0UL, len);
	len = sizeof(out);
	ASSERT_EQ(CKR_OK, f->C_EncryptUpdate(self->s, msg, 10, out, &len));
	EXPECT_EQ(0UL, len);
	len = 99;
	ASSERT_EQ(CKR_OK, f->C_EncryptUpdate(self->s, msg + 10, 16, NULL, &len));
	len = sizeof(out);
	ASSERT_EQ(CKR_OK, f->C_EncryptUpdate(self->s, msg + 10, 16, out, &len));
	len = 0;
	ASSERT_EQ(CKR_OK, f->C_EncryptFinal(self->s, NULL, &len));
	EXPECT_EQ(42UL, len);
	ASSERT_EQ(CKR_OK, f->C_EncryptFinal(self->s, out, &len));
	ASSERT_EQ(42UL, len);
	wl = ref_gcm(&self->k, 1, msg, sizeof(msg), want);
	ASSERT_EQ(42, wl);
	EXPECT_EQ(0, memcmp(out, want, 42));

	/* CBC: an update that only buffers, then a 0-byte final */
	mech_of(cbc, &p);
	ASSERT_EQ(CKR_OK, f->C_EncryptInit(self->s, &p.m, self->k.aes));
	len = 99;
	ASSERT_EQ(CKR_OK, f->C_EncryptUpdate(self->s, msg, 10, NULL, &len));
	EXPECT_EQ(0UL, len);
	len = 0;
	ASSERT_EQ(CKR_OK, f->C_EncryptUpdate(self->s, msg, 10, out, &len));
	EXPECT_EQ(0UL, len);
	len = 99;
	ASSERT_EQ(CKR_OK, f->C_EncryptUpdate(self->s, msg, 6, NULL, &len));
	EXPECT_EQ(16UL, len);
	ASSERT_EQ(CKR_OK, f->C_EncryptUpdate(self->s, msg, 6, out, &len));
	ASSERT_EQ(16UL, len);
	total = len;
	len = 99;
	ASSERT_EQ(CKR_OK, f->C_EncryptFinal(self->s, NULL, &len));
	EXPECT_EQ(0UL, len);
	ASSERT_EQ(CKR_OK, f->C_EncryptFinal(self->s, out + total, &len));
	EXPECT_EQ(0UL, len);
	memcpy(msg + 10, msg, 6);
	wl = ref_aes(cbc, &self->k, 1, msg, 16, want);
	ASSERT_EQ(16, wl);
	EXPECT_EQ(0, memcmp(out, want, 16));
	EXPECT_TRUE(op_ended(f, self->s, O_ENC));
}

TEST_HARNESS_MAIN
