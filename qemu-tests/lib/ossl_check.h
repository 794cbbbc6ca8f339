/* SPDX-License-Identifier: GPL-2.0 */
/*
 * OpenSSL cross-checks for the tests: verify a P-256 ECDSA signature made by
 * the token with the public point read back from it, AES reference
 * computations and MACs (HMAC, CMAC). Header-only so both test families
 * can use it; needs -lcrypto.
 */
#ifndef KHSM_OSSL_CHECK_H
#define KHSM_OSSL_CHECK_H

#include <string.h>
#include <openssl/evp.h>
#include <openssl/ecdsa.h>
#include <openssl/bn.h>
#include <openssl/x509.h>
#include <openssl/params.h>

/*
 * @point: CKA_EC_POINT as read from the token (DER OCTET STRING 04 41 04 X Y)
 * or the raw 65-byte uncompressed point. @sig: r || s, 64 bytes.
 * @digest_name: NULL when @msg is already the hash (CKM_ECDSA), "SHA256"
 * for CKM_ECDSA_SHA256. Returns 1 if OpenSSL accepts the signature, 0 if
 * it rejects it, -1 on a setup error.
 */
static inline int ossl_p256_verify(const unsigned char *point, size_t point_len,
				   const unsigned char *msg, size_t msg_len,
				   const unsigned char *sig, size_t sig_len,
				   const char *digest_name)
{
	static const unsigned char spki_hdr[] = {
		0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d,
		0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01,
		0x07, 0x03, 0x42, 0x00,
	};
	unsigned char spki[sizeof(spki_hdr) + 65], *der = NULL;
	const unsigned char *p = spki;
	EVP_PKEY *pk = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *md = NULL;
	ECDSA_SIG *es = NULL;
	BIGNUM *r, *s;
	int der_len, ret = -1;

	if (point_len == 67 && point[0] == 0x04 && point[1] == 0x41) {
		point += 2;
		point_len -= 2;
	}
	if (point_len != 65 || sig_len != 64)
		return -1;
	memcpy(spki, spki_hdr, sizeof(spki_hdr));
	memcpy(spki + sizeof(spki_hdr), point, 65);
	pk = d2i_PUBKEY(NULL, &p, sizeof(spki));
	if (!pk)
		return -1;
	es = ECDSA_SIG_new();
	r = BN_bin2bn(sig, 32, NULL);
	s = BN_bin2bn(sig + 32, 32, NULL);
	if (!es || !r || !s || !ECDSA_SIG_set0(es, r, s))
		goto out;
	der_len = i2d_ECDSA_SIG(es, &der);
	if (der_len <= 0)
		goto out;
	if (digest_name) {
		md = EVP_MD_CTX_new();
		if (!md || EVP_DigestVerifyInit_ex(md, NULL, digest_name, NULL, NULL,
						   pk, NULL) != 1)
			goto out;
		ret = EVP_DigestVerify(md, der, der_len, msg, msg_len) == 1;
	} else {
		pctx = EVP_PKEY_CTX_new(pk, NULL);
		if (!pctx || EVP_PKEY_verify_init(pctx) != 1)
			goto out;
		ret = EVP_PKEY_verify(pctx, der, der_len, msg, msg_len) == 1;
	}
out:
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(md);
	EVP_PKEY_CTX_free(pctx);
	EVP_PKEY_free(pk);
	return ret;
}

/* AES-GCM with OpenSSL: decrypt @ct || @tag. Returns plaintext length or -1. */
static inline int ossl_gcm_decrypt(const unsigned char *key, int key_len,
				   const unsigned char *iv, int iv_len,
				   const unsigned char *aad, int aad_len,
				   const unsigned char *ct, int ct_len,
				   const unsigned char *tag, int tag_len,
				   unsigned char *out)
{
	const EVP_CIPHER *c = key_len == 16 ? EVP_aes_128_gcm() :
			      key_len == 24 ? EVP_aes_192_gcm() : EVP_aes_256_gcm();
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, f = 0, ok;

	ok = ctx && EVP_DecryptInit_ex(ctx, c, NULL, NULL, NULL) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, iv_len, NULL) &&
	     EVP_DecryptInit_ex(ctx, NULL, NULL, key, iv) &&
	     (aad_len == 0 || EVP_DecryptUpdate(ctx, NULL, &n, aad, aad_len)) &&
	     EVP_DecryptUpdate(ctx, out, &n, ct, ct_len) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, tag_len, (void *)tag) &&
	     EVP_DecryptFinal_ex(ctx, out + n, &f) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? n + f : -1;
}

/* AES-CBC with OpenSSL, PKCS#7 padding if @pad. Returns output length or -1. */
static inline int ossl_cbc(int enc, const unsigned char *key, int key_len,
			   const unsigned char *iv, int pad,
			   const unsigned char *in, int in_len, unsigned char *out)
{
	const EVP_CIPHER *c = key_len == 16 ? EVP_aes_128_cbc() :
			      key_len == 24 ? EVP_aes_192_cbc() : EVP_aes_256_cbc();
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, f = 0, ok;

	ok = ctx && EVP_CipherInit_ex(ctx, c, NULL, key, iv, enc) &&
	     EVP_CIPHER_CTX_set_padding(ctx, pad) &&
	     EVP_CipherUpdate(ctx, out, &n, in, in_len) &&
	     EVP_CipherFinal_ex(ctx, out + n, &f) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? n + f : -1;
}

/*
 * A MAC with OpenSSL's EVP_MAC: @alg "HMAC" with the digest @sub
 * ("SHA256", "SHA3-256", ...) or "CMAC" with the cipher @sub
 * ("AES-128-CBC", ...). Returns the MAC length (at most @cap) or -1.
 */
static inline int ossl_mac(const char *alg, const char *sub,
			   const unsigned char *key, size_t key_len,
			   const unsigned char *msg, size_t msg_len,
			   unsigned char *out, size_t cap)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, alg, NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM p[2];
	size_t len = 0;
	int ok;

	p[0] = OSSL_PARAM_construct_utf8_string(strcmp(alg, "CMAC") ?
						"digest" : "cipher",
						(char *)sub, 0);
	p[1] = OSSL_PARAM_construct_end();
	ok = ctx && EVP_MAC_init(ctx, key, key_len, p) == 1 &&
	     EVP_MAC_update(ctx, msg, msg_len) == 1 &&
	     EVP_MAC_final(ctx, out, &len, cap) == 1;
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ok ? (int)len : -1;
}

/* AES-CTR with OpenSSL (128-bit counter): @in_len bytes. Returns 0 or -1. */
static inline int ossl_ctr(const unsigned char *key, int key_len,
			   const unsigned char *cb, const unsigned char *in,
			   int in_len, unsigned char *out)
{
	const EVP_CIPHER *c = key_len == 16 ? EVP_aes_128_ctr() :
			      key_len == 24 ? EVP_aes_192_ctr() : EVP_aes_256_ctr();
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, f = 0, ok;

	ok = ctx && EVP_EncryptInit_ex(ctx, c, NULL, key, cb) &&
	     EVP_EncryptUpdate(ctx, out, &n, in, in_len) &&
	     EVP_EncryptFinal_ex(ctx, out + n, &f) == 1 && n + f == in_len;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

/*
 * AES key wrap with OpenSSL: RFC 3394 (@pad 0; @iv 8 bytes or NULL) or
 * RFC 5649 (@pad 1; @iv 4 bytes or NULL). Returns the output length or
 * -1 (OpenSSL refuses the input, or the integrity check fails).
 */
static inline int ossl_wrap(int enc, int pad, const unsigned char *key,
			    int key_len, const unsigned char *iv,
			    const unsigned char *in, int in_len,
			    unsigned char *out)
{
	const EVP_CIPHER *c = pad ?
		(key_len == 16 ? EVP_aes_128_wrap_pad() :
		 key_len == 24 ? EVP_aes_192_wrap_pad() : EVP_aes_256_wrap_pad()) :
		(key_len == 16 ? EVP_aes_128_wrap() :
		 key_len == 24 ? EVP_aes_192_wrap() : EVP_aes_256_wrap());
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, f = 0, ok;

	if (!ctx)
		return -1;
	EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	ok = EVP_CipherInit_ex(ctx, c, NULL, key, iv, enc) &&
	     EVP_CipherUpdate(ctx, out, &n, in, in_len) > 0 &&
	     EVP_CipherFinal_ex(ctx, out + n, &f) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? n + f : -1;
}

#endif /* KHSM_OSSL_CHECK_H */
