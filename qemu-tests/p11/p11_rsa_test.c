// SPDX-License-Identifier: GPL-2.0
/*
 * RSA through khsm-pkcs11.so, cross-checked with OpenSSL:
 * CKM_RSA_PKCS_KEY_PAIR_GEN (2048, 3072, 4096; the time is logged; 1024
 * and imports of every size in p11_rsa_size_test) with
 * the generated keys' attributes; every signature mechanism (CKM_RSA_PKCS over
 * a DigestInfo, CKM_SHA*_RSA_PKCS, CKM_RSA_PKCS_PSS, CKM_SHA*_RSA_PKCS_PSS)
 * signed by the token and verified by OpenSSL with the public key built
 * from CKA_MODULUS/CKA_PUBLIC_EXPONENT, and the token verifying; multi-part
 * equals one-shot (the single-part-only CKM_RSA_PKCS, CKM_RSA_PKCS_PSS and
 * OAEP refuse it); OpenSSL's PKCS#1 v1.5 and PSS signatures verified by
 * the token; OAEP both ways with and without a label; the PKCS#1 v1.5
 * Example 15 key imported reproduces its known signature; sensitive
 * attributes; parameter, length, padding and import errors; a process
 * killed during key generation is reaped at once.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "kselftest_harness.h"
#include "p11_util.h"

#ifndef CKR_FUNCTION_CANCELED
#define CKR_FUNCTION_CANCELED	(0x50UL)
#endif

/* RSA Laboratories PKCS#1 v1.5 signature vectors, Example 15 (2048 bits). */
static const char x15_n[] = "df271fd25f8644496b0c81be4bd50297ef099b002a6fd67727eb449cea566ed6a3981a71312a141cabc9815c1209e320a25b32464e9999f18ca13a9fd3892558f9e0adefdd3650dd23a3f036d60fe398843706a40b0b8462c8bee3bce12f1f2860c2444cdc6a44476a75ff4aa24273ccbe3bf80248465f8ff8c3a7f3367dfc0df5b6509a4f82811cedd81cdaaa73c491da412170d544d4ba96b97f0afc8065498d3a49fd910992a1f0725be24f465cfe7e0eabf678996c50bc5e7524abf73f15e5bef7d518394e3138ce4944506aaaaf3f9b236dcab8fc00f87af596fdc3d9d6c75cd508362fae2cbeddcc4c7450b17b776c079ecca1f256351a43b97dbe2153";
static const char x15_e[] = "010001";
static const char x15_d[] = "5bd910257830dce17520b03441a51a8cab94020ac6ecc252c808f3743c95b7c83b8c8af1a5014346ebc4242cdfb5d718e30a733e71f291e4d473b61bfba6dacaed0a77bd1f0950ae3c91a8f90111882589e1d62765ee671e7baeea309f64d447bbcfa9ea12dce05e9ea8939bc5fe6108581279c982b308794b3448e7f7b952292df88c80cb40142c4b5cf5f8ddaa0891678d610e582fcb880f0d707caf47d09a84e14ca65841e5a3abc5e9dba94075a9084341f0edad9b68e3b8e082b80b6e6e8a0547b44fb5061b6a9131603a5537ddabd01d8e863d8922e9aa3e4bfaea0b39d79283ad2cbc8a59cce7a6ecf4e4c81ed4c6591c807defd71ab06866bb5e7745";
static const char x15_p[] = "f44f5e4246391f482b2f5296e3602eb34aa136427710f7c0416d403fd69d4b29130cfebef34e885abdb1a8a0a5f0e9b5c33e1fc3bfc285b1ae17e40cc67a1913dd563719815ebaf8514c2a7aa0018e63b6c631dc315a46235716423d11ff58034e610645703606919f5c7ce2660cd148bd9efc123d9c54b6705590d006cfcf3f";
static const char x15_q[] = "e9d49841e0e0a6ad0d517857133e36dc72c1bdd90f9174b52e26570f373640f1c185e7ea8e2ed7f1e4ebb951f70a58023633b0097aec67c6dcb800fc1a67f9bb0563610f08ebc8746ad129772136eb1ddaf46436450d318332a84982fe5d28dbe5b3e912407c3e0e03100d87d436ee409eec1cf85e80aba079b2e6106b97bced";
static const char x15_dp[] = "ed102acdb26871534d1c414ecad9a4d732fe95b10eea370da62f05de2c393b1a633303ea741b6b3269c97f704b352702c9ae79922f7be8d10db67f026a8145de41b30c0a42bf923bac5f7504c248604b9faa57ed6b3246c6ba158e36c644f8b9548fcf4f07e054a56f768674054440bc0dcbbc9b528f64a01706e05b0b91106f";
static const char x15_dq[] = "6827924a85e88b55ba00f8219128bd3724c6b7d1dfe5629ef197925fecaff5edb9cdf3a7befd8ea2e8dd3707138b3ff87c3c39c57f439e562e2aa805a39d7cd79966d2ece7845f1dbc16bee99999e4d0bf9eeca45fcda8a8500035fe6b5f03bc2f6d1bfc4d4d0a3723961af0cdce4a01eec82d7f5458ec19e71b90eeef7dff61";
static const char x15_qinv[] = "57b73888d183a99a6307422277551a3d9e18adf06a91e8b55ceffef9077c8496948ecb3b16b78155cb2a3a57c119d379951c010aa635edcf62d84c5a122a8d67ab5fa9e5a4a8772a1e943bafc70ae3a4c1f0f3a4ddffaefd1892c8cb33bb0d0b9590e963a69110fb34db7b906fc4ba2836995aac7e527490ac952a02268a4f18";
static const char x15_msg[] = "f45d55f35551e975d6a8dc7ea9f488593940cc75694a278f27e578a163d839b34040841808cf9c58c9b8728bf5f9ce8ee811ea91714f47bab92d0f6d5a26fcfeea6cd93b910c0a2c963e64eb1823f102753d41f0335910ad3a977104f1aaf6c3742716a9755d11b8eed690477f445c5d27208b2e284330fa3d301423fa7f2d086e0ad0b892b9db544e456d3f0dab85d953c12d340aa873eda727c8a649db7fa63740e25e9af1533b307e61329993110e95194e039399c3824d24c51f22b26bde1024cd395958a2dfeb4816a6e8adedb50b1f6b56d0b3060ff0f1c4cb0d0e001dd59d73be12";
static const char x15_sig[] = "b75a5466b65d0f300ef53833f2175c8a347a3804fc63451dc902f0b71f9083459ed37a5179a3b723a53f1051642d77374c4c6c8dbb1ca20525f5c9f32db776953556da31290e22197482ceb69906c46a758fb0e7409ba801077d2a0a20eae7d1d6d392ab4957e86b76f0652d68b83988a78f26e11172ea609bf849fbbd78ad7edce21de662a081368c040607cee29db0627227f44963ad171d2293b633a392e331dca54fe3082752f43f63c161b447a4c65a6875670d5f6600fcc860a1caeb0a88f8fdec4e564398a5c46c87f68ce07001f6213abe0ab5625f87d19025f08d81dac7bd4586bc9382191f6d2880f6227e5df3eed21e7792d249480487f3655261";

struct rsa_key {
	unsigned char n[512], e[8], d[512], p[256], q[256], dp[256], dq[256];
	unsigned char qinv[256];
	int n_len, e_len, d_len, p_len, q_len, dp_len, dq_len, qinv_len;
};

static int unhex(const char *h, unsigned char *out, size_t cap)
{
	size_t n = strlen(h) / 2, i;
	unsigned int b;

	if (n > cap)
		return -1;
	for (i = 0; i < n; i++) {
		if (sscanf(h + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = (unsigned char)b;
	}
	return (int)n;
}

static int x15_load(struct rsa_key *k)
{
	k->n_len = unhex(x15_n, k->n, sizeof(k->n));
	k->e_len = unhex(x15_e, k->e, sizeof(k->e));
	k->d_len = unhex(x15_d, k->d, sizeof(k->d));
	k->p_len = unhex(x15_p, k->p, sizeof(k->p));
	k->q_len = unhex(x15_q, k->q, sizeof(k->q));
	k->dp_len = unhex(x15_dp, k->dp, sizeof(k->dp));
	k->dq_len = unhex(x15_dq, k->dq, sizeof(k->dq));
	k->qinv_len = unhex(x15_qinv, k->qinv, sizeof(k->qinv));
	return k->n_len == 256 && k->e_len == 3 && k->qinv_len == 128 ? 0 : -1;
}

/* OpenSSL key from big-endian numbers: public (@priv NULL) or full. */
static EVP_PKEY *ossl_key(const unsigned char *n, size_t n_len,
			  const unsigned char *e, size_t e_len,
			  const struct rsa_key *priv)
{
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	BIGNUM *bn[8] = { 0 };
	OSSL_PARAM *prm = NULL;
	EVP_PKEY *pk = NULL;
	int ok, i;

	bn[0] = BN_bin2bn(n, (int)n_len, NULL);
	bn[1] = BN_bin2bn(e, (int)e_len, NULL);
	ok = b && c && bn[0] && bn[1] &&
	     OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_N, bn[0]) &&
	     OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_E, bn[1]);
	if (ok && priv) {
		bn[2] = BN_bin2bn(priv->d, priv->d_len, NULL);
		bn[3] = BN_bin2bn(priv->p, priv->p_len, NULL);
		bn[4] = BN_bin2bn(priv->q, priv->q_len, NULL);
		bn[5] = BN_bin2bn(priv->dp, priv->dp_len, NULL);
		bn[6] = BN_bin2bn(priv->dq, priv->dq_len, NULL);
		bn[7] = BN_bin2bn(priv->qinv, priv->qinv_len, NULL);
		ok = bn[2] && bn[3] && bn[4] && bn[5] && bn[6] && bn[7] &&
		     OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_D, bn[2]) &&
		     OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_FACTOR1, bn[3]) &&
		     OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_FACTOR2, bn[4]) &&
		     OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_EXPONENT1, bn[5]) &&
		     OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_EXPONENT2, bn[6]) &&
		     OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, bn[7]);
	}
	if (ok)
		prm = OSSL_PARAM_BLD_to_param(b);
	if (prm && EVP_PKEY_fromdata_init(c) > 0)
		EVP_PKEY_fromdata(c, &pk, priv ? EVP_PKEY_KEYPAIR :
				  EVP_PKEY_PUBLIC_KEY, prm);
	OSSL_PARAM_free(prm);
	for (i = 0; i < 8; i++)
		BN_clear_free(bn[i]);
	EVP_PKEY_CTX_free(c);
	OSSL_PARAM_BLD_free(b);
	return pk;
}

/*
 * How a signature is made: @md the message hash (NULL: the input is T or
 * the digest of @pmd), @pss with salt @slen and MGF1 over @mgf.
 */
struct sig_kind {
	CK_MECHANISM_TYPE mech;
	const char *md;		/* hashed inside (CKM_SHA*_RSA_*) */
	const char *pmd;	/* PSS hash / DigestInfo hash of the input */
	int pss;
	CK_MECHANISM_TYPE hash;	/* CK_RSA_PKCS_PSS_PARAMS.hashAlg */
	CK_RSA_PKCS_MGF_TYPE mgf;
	const char *mgf_md;
};

static const struct sig_kind sig_kinds[] = {
	{ CKM_RSA_PKCS, NULL, "SHA256", 0, 0, 0, NULL },
	{ CKM_SHA1_RSA_PKCS, "SHA1", NULL, 0, 0, 0, NULL },
	{ CKM_SHA224_RSA_PKCS, "SHA224", NULL, 0, 0, 0, NULL },
	{ CKM_SHA256_RSA_PKCS, "SHA256", NULL, 0, 0, 0, NULL },
	{ CKM_SHA384_RSA_PKCS, "SHA384", NULL, 0, 0, 0, NULL },
	{ CKM_SHA512_RSA_PKCS, "SHA512", NULL, 0, 0, 0, NULL },
	{ CKM_RSA_PKCS_PSS, NULL, "SHA256", 1, CKM_SHA256, CKG_MGF1_SHA256, "SHA256" },
	{ CKM_RSA_PKCS_PSS, NULL, "SHA384", 1, CKM_SHA384, CKG_MGF1_SHA1, "SHA1" },
	{ CKM_SHA1_RSA_PKCS_PSS, "SHA1", NULL, 1, CKM_SHA_1, CKG_MGF1_SHA1, "SHA1" },
	{ CKM_SHA224_RSA_PKCS_PSS, "SHA224", NULL, 1, CKM_SHA224, CKG_MGF1_SHA224, "SHA224" },
	{ CKM_SHA256_RSA_PKCS_PSS, "SHA256", NULL, 1, CKM_SHA256, CKG_MGF1_SHA256, "SHA256" },
	{ CKM_SHA384_RSA_PKCS_PSS, "SHA384", NULL, 1, CKM_SHA384, CKG_MGF1_SHA384, "SHA384" },
	{ CKM_SHA512_RSA_PKCS_PSS, "SHA512", NULL, 1, CKM_SHA512, CKG_MGF1_SHA512, "SHA512" },
};

/*
 * The token's input for @k and message @m: @m itself when hashed inside,
 * else the digest (PSS) or DigestInfo || digest (CKM_RSA_PKCS).
 */
static size_t sig_input(const struct sig_kind *k, const unsigned char *m,
			size_t len, unsigned char *out)
{
	static const unsigned char di256[] = {
		0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
		0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
	};
	unsigned int dl = 0;
	size_t pre = 0;

	if (k->md) {
		memcpy(out, m, len);	/* callers' @out is bigger than @m */
		return len;
	}
	if (!k->pss) {
		memcpy(out, di256, sizeof(di256));
		pre = sizeof(di256);
	}
	if (!EVP_Digest(m, len, out + pre, &dl, EVP_get_digestbyname(k->pmd),
			NULL))
		return 0;
	return pre + dl;
}

/* PSS salt length used throughout: the hash length. */
static int pss_slen(const struct sig_kind *k)
{
	return EVP_MD_get_size(EVP_get_digestbyname(k->md ? k->md : k->pmd));
}

/* OpenSSL padding of @k on @pc: PKCS#1 v1.5, or PSS with its salt/MGF. */
static int ossl_pad(EVP_PKEY_CTX *pc, const struct sig_kind *k)
{
	if (!k->pss)
		return EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) == 1;
	return EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) == 1 &&
	       EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, pss_slen(k)) == 1 &&
	       EVP_PKEY_CTX_set_rsa_mgf1_md_name(pc, k->mgf_md, NULL) == 1;
}

/* OpenSSL's verdict (1, 0; -1 on setup errors) on @sig of message @m. */
static int ossl_verify(EVP_PKEY *pk, const struct sig_kind *k,
		       const unsigned char *m, size_t len,
		       const unsigned char *sig, size_t sig_len)
{
	unsigned char in[600];
	EVP_MD_CTX *mc = NULL;
	EVP_PKEY_CTX *pc = NULL;
	size_t in_len;
	int ret = -1;

	if (k->md) {
		mc = EVP_MD_CTX_new();
		if (!mc || EVP_DigestVerifyInit_ex(mc, &pc, k->md, NULL, NULL,
						   pk, NULL) != 1)
			goto out;
	} else {
		pc = EVP_PKEY_CTX_new(pk, NULL);
		if (!pc || EVP_PKEY_verify_init(pc) != 1)
			goto out;
		if (k->pss &&
		    EVP_PKEY_CTX_set_signature_md(pc, EVP_get_digestbyname(k->pmd)) != 1)
			goto out;
	}
	if (!ossl_pad(pc, k))
		goto out;
	if (k->md) {
		ret = EVP_DigestVerify(mc, sig, sig_len, m, len) == 1;
	} else {
		in_len = sig_input(k, m, len, in);
		ret = EVP_PKEY_verify(pc, sig, sig_len, in, in_len) == 1;
	}
out:
	if (mc)
		EVP_MD_CTX_free(mc);
	else
		EVP_PKEY_CTX_free(pc);
	return ret;
}

/* OpenSSL signs @m as @k with @pk into @sig (returns its length or 0). */
static size_t ossl_sign(EVP_PKEY *pk, const struct sig_kind *k,
			const unsigned char *m, size_t len, unsigned char *sig)
{
	unsigned char in[600];
	EVP_MD_CTX *mc = NULL;
	EVP_PKEY_CTX *pc = NULL;
	size_t sl = 512, in_len;
	int ok = 0;

	if (k->md) {
		mc = EVP_MD_CTX_new();
		if (!mc || EVP_DigestSignInit_ex(mc, &pc, k->md, NULL, NULL, pk,
						 NULL) != 1)
			goto out;
	} else {
		pc = EVP_PKEY_CTX_new(pk, NULL);
		if (!pc || EVP_PKEY_sign_init(pc) != 1)
			goto out;
		if (k->pss &&
		    EVP_PKEY_CTX_set_signature_md(pc, EVP_get_digestbyname(k->pmd)) != 1)
			goto out;
	}
	if (!ossl_pad(pc, k))
		goto out;
	if (k->md) {
		ok = EVP_DigestSign(mc, sig, &sl, m, len) == 1;
	} else {
		in_len = sig_input(k, m, len, in);
		ok = EVP_PKEY_sign(pc, sig, &sl, in, in_len) == 1;
	}
out:
	if (mc)
		EVP_MD_CTX_free(mc);
	else
		EVP_PKEY_CTX_free(pc);
	return ok ? sl : 0;
}

/* OAEP with OpenSSL: encrypt (@enc) or decrypt; output length or 0. */
static size_t ossl_oaep(EVP_PKEY *pk, int enc, const char *md,
			const char *mgf, const unsigned char *label,
			size_t label_len, const unsigned char *in, size_t len,
			unsigned char *out)
{
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(pk, NULL);
	unsigned char *l = NULL;
	size_t ol = 512;
	int ok;

	ok = pc && (enc ? EVP_PKEY_encrypt_init(pc) : EVP_PKEY_decrypt_init(pc)) == 1 &&
	     EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_OAEP_PADDING) == 1 &&
	     EVP_PKEY_CTX_set_rsa_oaep_md_name(pc, md, NULL) == 1 &&
	     EVP_PKEY_CTX_set_rsa_mgf1_md_name(pc, mgf, NULL) == 1;
	if (ok && label_len) {
		l = OPENSSL_memdup(label, label_len);
		ok = l && EVP_PKEY_CTX_set0_rsa_oaep_label(pc, l, (int)label_len) == 1;
		if (!ok)
			OPENSSL_free(l);
	}
	if (ok)
		ok = (enc ? EVP_PKEY_encrypt(pc, out, &ol, in, len) :
			    EVP_PKEY_decrypt(pc, out, &ol, in, len)) == 1;
	EVP_PKEY_CTX_free(pc);
	return ok ? ol : 0;
}

static CK_RV gen_rsa(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		     CK_ULONG bits, const unsigned char *e, CK_ULONG e_len,
		     CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
	CK_MECHANISM m = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE pt[] = {
		{ CKA_VERIFY, &yes, 1 },
		{ CKA_ENCRYPT, &yes, 1 },
		{ CKA_MODULUS_BITS, &bits, sizeof(bits) },
		{ CKA_PUBLIC_EXPONENT, (void *)e, e_len },
	};
	CK_ATTRIBUTE st[] = {
		{ CKA_SIGN, &yes, 1 },
		{ CKA_DECRYPT, &yes, 1 },
		{ CKA_SENSITIVE, &yes, 1 },
		{ CKA_PRIVATE, &yes, 1 },
	};

	return f->C_GenerateKeyPair(s, &m, pt, e ? 4 : 3, st, 4, pub, priv);
}

/* Import @k: the public key, and the private key unless @pub_only. */
static CK_RV import_rsa(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
			const struct rsa_key *k, CK_OBJECT_CLASS cls,
			CK_BBOOL sensitive, int drop, CK_OBJECT_HANDLE *h)
{
	CK_KEY_TYPE kt = CKK_RSA;
	CK_BBOOL yes = CK_TRUE, extractable = !sensitive;
	CK_ATTRIBUTE t[16] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_MODULUS, (void *)k->n, k->n_len },
		{ CKA_PUBLIC_EXPONENT, (void *)k->e, k->e_len },
	};
	CK_ULONG n = 4, i, o = 0;

	if (cls == CKO_PUBLIC_KEY) {
		t[n++] = (CK_ATTRIBUTE){ CKA_VERIFY, &yes, 1 };
		t[n++] = (CK_ATTRIBUTE){ CKA_ENCRYPT, &yes, 1 };
	} else {
		t[n++] = (CK_ATTRIBUTE){ CKA_SIGN, &yes, 1 };
		t[n++] = (CK_ATTRIBUTE){ CKA_DECRYPT, &yes, 1 };
		t[n++] = (CK_ATTRIBUTE){ CKA_SENSITIVE, &sensitive, 1 };
		t[n++] = (CK_ATTRIBUTE){ CKA_EXTRACTABLE, &extractable, 1 };
		t[n++] = (CK_ATTRIBUTE){ CKA_PRIVATE_EXPONENT, (void *)k->d, k->d_len };
		t[n++] = (CK_ATTRIBUTE){ CKA_PRIME_1, (void *)k->p, k->p_len };
		t[n++] = (CK_ATTRIBUTE){ CKA_PRIME_2, (void *)k->q, k->q_len };
		t[n++] = (CK_ATTRIBUTE){ CKA_EXPONENT_1, (void *)k->dp, k->dp_len };
		t[n++] = (CK_ATTRIBUTE){ CKA_EXPONENT_2, (void *)k->dq, k->dq_len };
		t[n++] = (CK_ATTRIBUTE){ CKA_COEFFICIENT, (void *)k->qinv, k->qinv_len };
	}
	/* @drop: leave out that attribute type; -2: the CRT numbers */
	for (i = 0; i < n; i++) {
		if (drop >= 0 && t[i].type == (CK_ATTRIBUTE_TYPE)drop)
			continue;
		if (drop == -2 && t[i].type >= CKA_PRIME_1 &&
		    t[i].type <= CKA_COEFFICIENT)
			continue;
		t[o++] = t[i];
	}
	return f->C_CreateObject(s, t, o, h);
}

static CK_ULONG get_attr(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
			 CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type,
			 unsigned char *buf, CK_ULONG cap)
{
	CK_ATTRIBUTE a = { type, buf, cap };

	if (f->C_GetAttributeValue(s, h, &a, 1) != CKR_OK)
		return 0;
	return a.ulValueLen;
}

/* CK_MECHANISM of @k, with its PSS parameter in @pp. */
static CK_MECHANISM sig_mech(const struct sig_kind *k, CK_RSA_PKCS_PSS_PARAMS *pp)
{
	CK_MECHANISM m = { k->mech, NULL, 0 };

	if (k->pss) {
		pp->hashAlg = k->hash;
		pp->mgf = k->mgf;
		pp->sLen = pss_slen(k);
		m.pParameter = pp;
		m.ulParameterLen = sizeof(*pp);
	}
	return m;
}

FIXTURE(rsa) {
	CK_FUNCTION_LIST_PTR f;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
	struct rsa_key x15;
};

FIXTURE_SETUP(rsa)
{
	P_SETUP_USER_SESSION(self);
	ASSERT_EQ(0, x15_load(&self->x15));
}

FIXTURE_TEARDOWN(rsa)
{
	P_TEARDOWN(self);
}

TEST_F(rsa, mechanism_info)
{
	static const CK_MECHANISM_TYPE sig[] = {
		CKM_SHA1_RSA_PKCS, CKM_SHA224_RSA_PKCS,
		CKM_SHA256_RSA_PKCS, CKM_SHA384_RSA_PKCS, CKM_SHA512_RSA_PKCS,
		CKM_RSA_PKCS_PSS, CKM_SHA1_RSA_PKCS_PSS, CKM_SHA224_RSA_PKCS_PSS,
		CKM_SHA256_RSA_PKCS_PSS, CKM_SHA384_RSA_PKCS_PSS,
		CKM_SHA512_RSA_PKCS_PSS,
	};
	CK_MECHANISM_INFO mi;
	unsigned int i;

	ASSERT_EQ(CKR_OK, self->f->C_GetMechanismInfo(self->slot,
						      CKM_RSA_PKCS_KEY_PAIR_GEN, &mi));
	EXPECT_EQ(1024UL, mi.ulMinKeySize);	/* rsa_min_gen_bits default */
	EXPECT_EQ(4096UL, mi.ulMaxKeySize);
	EXPECT_EQ(CKF_GENERATE_KEY_PAIR, mi.flags);
	for (i = 0; i < sizeof(sig) / sizeof(sig[0]); i++) {
		ASSERT_EQ(CKR_OK, self->f->C_GetMechanismInfo(self->slot, sig[i], &mi));
		EXPECT_EQ(1024UL, mi.ulMinKeySize);
		EXPECT_EQ(4096UL, mi.ulMaxKeySize);
		EXPECT_EQ(CKF_SIGN | CKF_VERIFY, mi.flags);
	}
	/* CKM_RSA_PKCS signs and encrypts (p11_rsa_enc_test) */
	ASSERT_EQ(CKR_OK, self->f->C_GetMechanismInfo(self->slot, CKM_RSA_PKCS, &mi));
	EXPECT_EQ(1024UL, mi.ulMinKeySize);
	EXPECT_EQ(4096UL, mi.ulMaxKeySize);
	EXPECT_EQ(CKF_SIGN | CKF_VERIFY | CKF_ENCRYPT | CKF_DECRYPT, mi.flags);
	ASSERT_EQ(CKR_OK, self->f->C_GetMechanismInfo(self->slot, CKM_RSA_PKCS_OAEP, &mi));
	EXPECT_EQ(1024UL, mi.ulMinKeySize);
	EXPECT_EQ(4096UL, mi.ulMaxKeySize);
	EXPECT_EQ(CKF_ENCRYPT | CKF_DECRYPT | CKF_WRAP | CKF_UNWRAP, mi.flags);
	/* raw RSA and X9.31 are not offered */
	EXPECT_EQ(CKR_MECHANISM_INVALID,
		  self->f->C_GetMechanismInfo(self->slot, CKM_RSA_X_509, &mi));
	EXPECT_EQ(CKR_MECHANISM_INVALID,
		  self->f->C_GetMechanismInfo(self->slot, CKM_RSA_X9_31, &mi));
}

/* Sign @msg with every mechanism; OpenSSL and the token verify. */
static void sign_all(struct __test_metadata *_metadata,
		     CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		     CK_OBJECT_HANDLE pub, CK_OBJECT_HANDLE priv, EVP_PKEY *pk,
		     CK_ULONG k, int every)
{
	unsigned char msg[777], in[1000], sig[520], sig2[520];
	CK_RSA_PKCS_PSS_PARAMS pp;
	CK_MECHANISM m;
	CK_ULONG len, len2;
	size_t in_len;
	unsigned int i;

	ASSERT_EQ(1, RAND_bytes(msg, sizeof(msg)));
	for (i = 0; i < sizeof(sig_kinds) / sizeof(sig_kinds[0]); i++) {
		const struct sig_kind *sk = &sig_kinds[i];

		/* !@every: SHA256-RSA-PKCS and SHA256-RSA-PKCS-PSS only */
		if (!every && sk->mech != CKM_SHA256_RSA_PKCS &&
		    sk->mech != CKM_SHA256_RSA_PKCS_PSS)
			continue;
		TH_LOG("mechanism 0x%lx", sk->mech);
		m = sig_mech(sk, &pp);
		in_len = sig_input(sk, msg, sizeof(msg), in);
		ASSERT_NE(0UL, in_len);
		ASSERT_EQ(CKR_OK, f->C_SignInit(s, &m, priv));
		len = 0;
		ASSERT_EQ(CKR_OK, f->C_Sign(s, in, in_len, NULL, &len));
		EXPECT_EQ(k, len);
		len = k - 1;
		EXPECT_EQ(CKR_BUFFER_TOO_SMALL, f->C_Sign(s, in, in_len, sig, &len));
		len = sizeof(sig);
		ASSERT_EQ(CKR_OK, f->C_Sign(s, in, in_len, sig, &len));
		ASSERT_EQ(k, len);
		EXPECT_EQ(1, ossl_verify(pk, sk, msg, sizeof(msg), sig, len));
		/* the token verifies, one-shot and multi-part */
		ASSERT_EQ(CKR_OK, f->C_VerifyInit(s, &m, pub));
		EXPECT_EQ(CKR_OK, f->C_Verify(s, in, in_len, sig, len));
		if (sk->md) {
			ASSERT_EQ(CKR_OK, f->C_VerifyInit(s, &m, pub));
			ASSERT_EQ(CKR_OK, f->C_VerifyUpdate(s, in, 3));
			ASSERT_EQ(CKR_OK,
				  f->C_VerifyUpdate(s, in + 3, in_len - 3));
			EXPECT_EQ(CKR_OK, f->C_VerifyFinal(s, sig, len));
			/* multi-part signing */
			ASSERT_EQ(CKR_OK, f->C_SignInit(s, &m, priv));
			ASSERT_EQ(CKR_OK, f->C_SignUpdate(s, in, 1));
			ASSERT_EQ(CKR_OK, f->C_SignUpdate(s, in + 1, 0));
			ASSERT_EQ(CKR_OK,
				  f->C_SignUpdate(s, in + 1, in_len - 1));
			len2 = sizeof(sig2);
			ASSERT_EQ(CKR_OK, f->C_SignFinal(s, sig2, &len2));
			ASSERT_EQ(k, len2);
			/* PKCS#1 v1.5 is deterministic; PSS has a fresh salt */
			EXPECT_EQ(!sk->pss, !memcmp(sig, sig2, k));
			EXPECT_EQ(1, ossl_verify(pk, sk, msg, sizeof(msg),
						 sig2, len2));
		} else {
			/*
			 * CKM_RSA_PKCS, CKM_RSA_PKCS_PSS: single-part only;
			 * the refusal ends the operation
			 */
			ASSERT_EQ(CKR_OK, f->C_VerifyInit(s, &m, pub));
			EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED,
				  f->C_VerifyUpdate(s, in, 3));
			EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED,
				  f->C_VerifyFinal(s, sig, len));
			ASSERT_EQ(CKR_OK, f->C_SignInit(s, &m, priv));
			EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED,
				  f->C_SignUpdate(s, in, 1));
			len2 = sizeof(sig2);
			EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED,
				  f->C_SignFinal(s, sig2, &len2));
		}
		/* altered signature, altered message, wrong length */
		sig[k / 2] ^= 0x08;
		EXPECT_EQ(0, ossl_verify(pk, sk, msg, sizeof(msg), sig, len));
		ASSERT_EQ(CKR_OK, f->C_VerifyInit(s, &m, pub));
		EXPECT_EQ(CKR_SIGNATURE_INVALID, f->C_Verify(s, in, in_len, sig, len));
		sig[k / 2] ^= 0x08;
		in[in_len - 1] ^= 1;
		ASSERT_EQ(CKR_OK, f->C_VerifyInit(s, &m, pub));
		EXPECT_EQ(CKR_SIGNATURE_INVALID, f->C_Verify(s, in, in_len, sig, len));
		in[in_len - 1] ^= 1;
		ASSERT_EQ(CKR_OK, f->C_VerifyInit(s, &m, pub));
		EXPECT_EQ(CKR_SIGNATURE_LEN_RANGE, f->C_Verify(s, in, in_len, sig, len - 1));
	}
}

/* OAEP both ways with SHA-256 (label) and SHA-1 (none). */
static void oaep_both(struct __test_metadata *_metadata,
		      CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		      CK_OBJECT_HANDLE pub, CK_OBJECT_HANDLE priv, EVP_PKEY *pk,
		      CK_ULONG k, int ossl_priv)
{
	static const unsigned char label[] = "khsm label";
	CK_RSA_PKCS_OAEP_PARAMS op = {
		CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED,
		(void *)label, sizeof(label) - 1,
	};
	CK_MECHANISM m = { CKM_RSA_PKCS_OAEP, &op, sizeof(op) };
	unsigned char msg[200], ct[520], pt[520];
	CK_ULONG len, max = k - 2 * 32 - 2;
	size_t ol;
	int round;

	ASSERT_EQ(1, RAND_bytes(msg, sizeof(msg)));
	for (round = 0; round < 2; round++) {
		const char *md = round ? "SHA1" : "SHA256";
		size_t mlen = round ? 1 : max < sizeof(msg) ? max : sizeof(msg);

		if (round) {
			op.hashAlg = CKM_SHA_1;
			op.mgf = CKG_MGF1_SHA1;
			op.source = 0;
			op.pSourceData = NULL;
			op.ulSourceDataLen = 0;
		}
		/* OpenSSL encrypts, the token decrypts */
		ol = ossl_oaep(pk, 1, md, md, label, round ? 0 : sizeof(label) - 1,
			       msg, mlen, ct);
		ASSERT_EQ(k, ol);
		ASSERT_EQ(CKR_OK, f->C_DecryptInit(s, &m, priv));
		len = 0;
		ASSERT_EQ(CKR_OK, f->C_Decrypt(s, ct, ol, NULL, &len));
		EXPECT_EQ(k - 2 * (round ? 20 : 32) - 2, len);
		len = sizeof(pt);
		ASSERT_EQ(CKR_OK, f->C_Decrypt(s, ct, ol, pt, &len));
		ASSERT_EQ(mlen, len);
		EXPECT_EQ(0, memcmp(msg, pt, mlen));
		/* the token encrypts, OpenSSL decrypts (if it has the key) */
		ASSERT_EQ(CKR_OK, f->C_EncryptInit(s, &m, pub));
		len = sizeof(ct);
		ASSERT_EQ(CKR_OK, f->C_Encrypt(s, msg, mlen, ct, &len));
		ASSERT_EQ(k, len);
		if (ossl_priv) {
			ol = ossl_oaep(pk, 0, md, md, label,
				       round ? 0 : sizeof(label) - 1, ct, len, pt);
			ASSERT_EQ(mlen, ol);
			EXPECT_EQ(0, memcmp(msg, pt, mlen));
		}
		/* and decrypts its own; OAEP is single-part only */
		ASSERT_EQ(CKR_OK, f->C_DecryptInit(s, &m, priv));
		len = sizeof(pt);
		EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED,
			  f->C_DecryptUpdate(s, ct, 100, pt, &len));
		len = sizeof(pt);
		EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED,
			  f->C_DecryptFinal(s, pt, &len));
		ASSERT_EQ(CKR_OK, f->C_DecryptInit(s, &m, priv));
		len = sizeof(pt);
		ASSERT_EQ(CKR_OK, f->C_Decrypt(s, ct, k, pt, &len));
		ASSERT_EQ(mlen, len);
		EXPECT_EQ(0, memcmp(msg, pt, mlen));
	}
}

static void keygen_one(struct __test_metadata *_metadata,
		       CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, CK_ULONG bits,
		       int full)
{
	static const unsigned char f4[] = { 0x01, 0x00, 0x01 };
	static const CK_ATTRIBUTE_TYPE secret[] = {
		CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2, CKA_EXPONENT_1,
		CKA_EXPONENT_2, CKA_COEFFICIENT,
	};
	CK_OBJECT_HANDLE pub, priv;
	unsigned char n[600], e[16], buf[600];
	CK_ULONG n_len, e_len, mbits = 0;
	CK_KEY_TYPE kt = 0;
	CK_MECHANISM_TYPE gm = 0;
	CK_BBOOL local = 0;
	CK_ATTRIBUTE a[] = {
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_KEY_GEN_MECHANISM, &gm, sizeof(gm) },
		{ CKA_LOCAL, &local, 1 },
	};
	CK_ATTRIBUTE mb = { CKA_MODULUS_BITS, &mbits, sizeof(mbits) };
	CK_ATTRIBUTE sa;
	EVP_PKEY *pk;
	double t0;
	unsigned int i;

	t0 = p_now();
	ASSERT_EQ(CKR_OK, gen_rsa(f, s, bits, NULL, 0, &pub, &priv));
	TH_LOG("RSA-%lu key generation: %.2f s", bits, p_now() - t0);
	n_len = get_attr(f, s, pub, CKA_MODULUS, n, sizeof(n));
	ASSERT_EQ(bits / 8, n_len);
	EXPECT_NE(0, n[0] & 0x80);
	e_len = get_attr(f, s, pub, CKA_PUBLIC_EXPONENT, e, sizeof(e));
	ASSERT_EQ(3UL, e_len);
	EXPECT_EQ(0, memcmp(e, f4, 3));
	ASSERT_EQ(CKR_OK, f->C_GetAttributeValue(s, pub, &mb, 1));
	EXPECT_EQ(bits, mbits);
	ASSERT_EQ(CKR_OK, f->C_GetAttributeValue(s, priv, a, 3));
	EXPECT_EQ((CK_KEY_TYPE)CKK_RSA, kt);
	EXPECT_EQ((CK_MECHANISM_TYPE)CKM_RSA_PKCS_KEY_PAIR_GEN, gm);
	EXPECT_EQ(CK_TRUE, local);
	/* the private key carries n and e, readable; the rest is not */
	EXPECT_EQ(n_len, get_attr(f, s, priv, CKA_MODULUS, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, n, n_len));
	EXPECT_EQ(3UL, get_attr(f, s, priv, CKA_PUBLIC_EXPONENT, buf, sizeof(buf)));
	for (i = 0; i < sizeof(secret) / sizeof(secret[0]); i++) {
		sa = (CK_ATTRIBUTE){ secret[i], buf, sizeof(buf) };
		EXPECT_EQ(CKR_ATTRIBUTE_SENSITIVE, f->C_GetAttributeValue(s, priv, &sa, 1));
		EXPECT_EQ(CK_UNAVAILABLE_INFORMATION, sa.ulValueLen);
	}
	/* no CKA_MODULUS_BITS on private keys, no EC attributes on RSA keys */
	sa = (CK_ATTRIBUTE){ CKA_MODULUS_BITS, buf, sizeof(buf) };
	EXPECT_EQ(CKR_ATTRIBUTE_TYPE_INVALID, f->C_GetAttributeValue(s, priv, &sa, 1));
	sa = (CK_ATTRIBUTE){ CKA_EC_PARAMS, buf, sizeof(buf) };
	EXPECT_EQ(CKR_ATTRIBUTE_TYPE_INVALID, f->C_GetAttributeValue(s, pub, &sa, 1));
	pk = ossl_key(n, n_len, e, e_len, NULL);
	ASSERT_NE(NULL, pk);
	sign_all(_metadata, f, s, pub, priv, pk, n_len, full);
	if (full)
		oaep_both(_metadata, f, s, pub, priv, pk, n_len, 0);
	EVP_PKEY_free(pk);
}

TEST_F_TIMEOUT(rsa, keygen_2048_every_mechanism, 300)
{
	keygen_one(_metadata, self->f, self->s, 2048, 1);
}

/*
 * Generation takes 3-7 s each under TCG on an idle host (measured), more
 * on a loaded one: hence the timeouts; two mechanisms each.
 */
TEST_F_TIMEOUT(rsa, keygen_3072_4096, 600)
{
	keygen_one(_metadata, self->f, self->s, 3072, 0);
	keygen_one(_metadata, self->f, self->s, 4096, 0);
}

/*
 * A process killed during RSA-4096 generation: the kernel stops at the
 * next prime candidate (fatal signal), so the child is reaped quickly, the
 * kernel log stays clean (run-all.sh checks) and the token keeps working.
 */
TEST_F_TIMEOUT(rsa, keygen_killed, 120)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	CK_OBJECT_HANDLE pub, priv;
	int pipefd[2], status;
	double t0, reaped;
	char c;
	pid_t pid;

	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		CK_SESSION_HANDLE cs;

		close(pipefd[0]);
		if (f->C_Initialize(NULL) != CKR_OK)
			_exit(3);
		cs = p_user_session(f, self->slot);
		if (!cs)
			_exit(4);
		if (write(pipefd[1], "g", 1) != 1)
			_exit(5);
		for (;;)
			if (gen_rsa(f, cs, 4096, NULL, 0, &pub, &priv) != CKR_OK)
				_exit(6);
	}
	close(pipefd[1]);
	ASSERT_EQ(1, read(pipefd[0], &c, 1));
	close(pipefd[0]);
	usleep(700 * 1000);		/* well inside a generation */
	t0 = p_now();
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	reaped = p_now() - t0;
	TH_LOG("killed during RSA-4096 generation: reaped after %.3f s", reaped);
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
	/* one prime candidate takes milliseconds, a whole key seconds */
	EXPECT_LT(reaped, 1.0);
	ASSERT_EQ(CKR_OK, gen_rsa(f, self->s, 2048, NULL, 0, &pub, &priv));
}

TEST_F_TIMEOUT(rsa, keygen_templates, 120)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	static const unsigned char e3[] = { 0x03 };
	static const unsigned char e_even[] = { 0x01, 0x00, 0x02 };
	static const unsigned char e_big[33] = { 0x01, [32] = 0x01 };
	static const unsigned char e17[] = { 0x00, 0x01, 0x00, 0x01 };
	CK_MECHANISM m = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE none[] = { { CKA_VERIFY, &yes, 1 } };
	CK_ATTRIBUTE st[] = { { CKA_SIGN, &yes, 1 } };
	CK_OBJECT_HANDLE pub, priv;
	unsigned char e[8];

	EXPECT_EQ(CKR_KEY_SIZE_RANGE, gen_rsa(f, self->s, 512, NULL, 0, &pub, &priv));
	EXPECT_EQ(CKR_KEY_SIZE_RANGE, gen_rsa(f, self->s, 1008, NULL, 0, &pub, &priv));
	EXPECT_EQ(CKR_KEY_SIZE_RANGE, gen_rsa(f, self->s, 2047, NULL, 0, &pub, &priv));
	EXPECT_EQ(CKR_KEY_SIZE_RANGE, gen_rsa(f, self->s, 8192, NULL, 0, &pub, &priv));
	EXPECT_EQ(CKR_KEY_SIZE_RANGE, gen_rsa(f, self->s, 2560, NULL, 0, &pub, &priv));
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID,
		  gen_rsa(f, self->s, 2048, e3, sizeof(e3), &pub, &priv));
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID,
		  gen_rsa(f, self->s, 2048, e_even, sizeof(e_even), &pub, &priv));
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID,
		  gen_rsa(f, self->s, 2048, e_big, sizeof(e_big), &pub, &priv));
	EXPECT_EQ(CKR_TEMPLATE_INCOMPLETE,
		  f->C_GenerateKeyPair(self->s, &m, none, 1, st, 1, &pub, &priv));
	/* 2^16 + 1 with a leading zero byte, kept as given */
	ASSERT_EQ(CKR_OK, gen_rsa(f, self->s, 2048, e17, sizeof(e17), &pub, &priv));
	EXPECT_EQ(4UL, get_attr(f, self->s, pub, CKA_PUBLIC_EXPONENT, e, sizeof(e)));
	EXPECT_EQ(4UL, get_attr(f, self->s, priv, CKA_PUBLIC_EXPONENT, e, sizeof(e)));
}

TEST_F_TIMEOUT(rsa, example15_import, 300)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	CK_MECHANISM m = { CKM_SHA1_RSA_PKCS, NULL, 0 };
	unsigned char msg[300], sig[300], known[300], buf[300];
	CK_OBJECT_HANDLE pub, priv, epriv;
	CK_ULONG len;
	CK_ATTRIBUTE a;
	EVP_PKEY *pk;
	int ml, sl;

	ml = unhex(x15_msg, msg, sizeof(msg));
	sl = unhex(x15_sig, known, sizeof(known));
	ASSERT_EQ(256, sl);
	ASSERT_EQ(CKR_OK, import_rsa(f, self->s, &self->x15, CKO_PRIVATE_KEY,
				     CK_TRUE, -1, &priv));
	ASSERT_EQ(CKR_OK, import_rsa(f, self->s, &self->x15, CKO_PUBLIC_KEY,
				     CK_TRUE, -1, &pub));
	ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &m, priv));
	len = sizeof(sig);
	ASSERT_EQ(CKR_OK, f->C_Sign(self->s, msg, ml, sig, &len));
	ASSERT_EQ(256UL, len);
	EXPECT_EQ(0, memcmp(sig, known, 256));
	ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pub));
	EXPECT_EQ(CKR_OK, f->C_Verify(self->s, msg, ml, known, 256));
	/* CKA_MODULUS_BITS computed on import */
	a = (CK_ATTRIBUTE){ CKA_MODULUS_BITS, &len, sizeof(len) };
	ASSERT_EQ(CKR_OK, f->C_GetAttributeValue(self->s, pub, &a, 1));
	EXPECT_EQ(2048UL, len);
	/* sensitive parts stay inside; an extractable, non-sensitive copy
	 * gives them back */
	a = (CK_ATTRIBUTE){ CKA_PRIME_1, buf, sizeof(buf) };
	EXPECT_EQ(CKR_ATTRIBUTE_SENSITIVE, f->C_GetAttributeValue(self->s, priv, &a, 1));
	ASSERT_EQ(CKR_OK, import_rsa(f, self->s, &self->x15, CKO_PRIVATE_KEY,
				     CK_FALSE, -1, &epriv));
	a = (CK_ATTRIBUTE){ CKA_PRIME_1, buf, sizeof(buf) };
	ASSERT_EQ(CKR_OK, f->C_GetAttributeValue(self->s, epriv, &a, 1));
	ASSERT_EQ(128UL, a.ulValueLen);
	EXPECT_EQ(0, memcmp(buf, self->x15.p, 128));

	/* every mechanism and OAEP with the imported pair and OpenSSL */
	pk = ossl_key(self->x15.n, 256, self->x15.e, 3, &self->x15);
	ASSERT_NE(NULL, pk);
	sign_all(_metadata, f, self->s, pub, priv, pk, 256, 1);
	oaep_both(_metadata, f, self->s, pub, priv, pk, 256, 1);
	EVP_PKEY_free(pk);
}

TEST_F_TIMEOUT(rsa, openssl_sign_token_verify, 120)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	unsigned char msg[1000], in[1100], sig[520];
	CK_RSA_PKCS_PSS_PARAMS pp;
	CK_OBJECT_HANDLE pub;
	CK_MECHANISM m;
	EVP_PKEY *pk;
	size_t in_len, sl;
	unsigned int i;

	ASSERT_EQ(1, RAND_bytes(msg, sizeof(msg)));
	ASSERT_EQ(CKR_OK, import_rsa(f, self->s, &self->x15, CKO_PUBLIC_KEY,
				     CK_TRUE, -1, &pub));
	pk = ossl_key(self->x15.n, 256, self->x15.e, 3, &self->x15);
	ASSERT_NE(NULL, pk);
	for (i = 0; i < sizeof(sig_kinds) / sizeof(sig_kinds[0]); i++) {
		const struct sig_kind *sk = &sig_kinds[i];

		TH_LOG("mechanism 0x%lx", sk->mech);
		sl = ossl_sign(pk, sk, msg, sizeof(msg), sig);
		ASSERT_EQ(256UL, sl);
		m = sig_mech(sk, &pp);
		in_len = sig_input(sk, msg, sizeof(msg), in);
		ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pub));
		EXPECT_EQ(CKR_OK, f->C_Verify(self->s, in, in_len, sig, sl));
		sig[0] ^= 0x01;
		ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &m, pub));
		EXPECT_EQ(CKR_SIGNATURE_INVALID, f->C_Verify(self->s, in, in_len, sig, sl));
	}
	EVP_PKEY_free(pk);
}

TEST_F_TIMEOUT(rsa, bad_params_and_data, 120)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	static const unsigned char label[] = "right";
	unsigned char msg[64], md[32], sig[300], ct[300], pt[300];
	CK_RSA_PKCS_PSS_PARAMS pp = { CKM_SHA256, CKG_MGF1_SHA256, 32 };
	CK_RSA_PKCS_OAEP_PARAMS op = {
		CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED,
		(void *)label, sizeof(label) - 1,
	};
	CK_MECHANISM pss = { CKM_SHA256_RSA_PKCS_PSS, &pp, sizeof(pp) };
	CK_MECHANISM rpss = { CKM_RSA_PKCS_PSS, &pp, sizeof(pp) };
	CK_MECHANISM oaep = { CKM_RSA_PKCS_OAEP, &op, sizeof(op) };
	CK_MECHANISM raw = { CKM_RSA_PKCS, NULL, 0 };
	CK_MECHANISM m;
	CK_OBJECT_HANDLE pub, priv;
	CK_ULONG len, siglen, ctlen;

	ASSERT_EQ(1, RAND_bytes(msg, sizeof(msg)));
	ASSERT_EQ(1, RAND_bytes(md, sizeof(md)));
	ASSERT_EQ(CKR_OK, import_rsa(f, self->s, &self->x15, CKO_PRIVATE_KEY,
				     CK_TRUE, -1, &priv));
	ASSERT_EQ(CKR_OK, import_rsa(f, self->s, &self->x15, CKO_PUBLIC_KEY,
				     CK_TRUE, -1, &pub));
	/* PSS: parameter required, of the right size, matching the hash */
	m = (CK_MECHANISM){ CKM_SHA256_RSA_PKCS_PSS, NULL, 0 };
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, f->C_SignInit(self->s, &m, priv));
	m = (CK_MECHANISM){ CKM_SHA256_RSA_PKCS_PSS, &pp, sizeof(pp) - 1 };
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, f->C_SignInit(self->s, &m, priv));
	pp.hashAlg = CKM_SHA384;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, f->C_SignInit(self->s, &pss, priv));
	pp.hashAlg = CKM_MD5;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, f->C_SignInit(self->s, &rpss, priv));
	pp.hashAlg = CKM_SHA256;
	pp.mgf = 0x77;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, f->C_SignInit(self->s, &pss, priv));
	pp.mgf = CKG_MGF1_SHA256;
	pp.sLen = 256 - 32 - 1;		/* emLen < hLen + sLen + 2 */
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, f->C_SignInit(self->s, &pss, priv));
	pp.sLen = 32;
	/* wrong sLen at verification: invalid signature */
	ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &pss, priv));
	siglen = sizeof(sig);
	ASSERT_EQ(CKR_OK, f->C_Sign(self->s, msg, sizeof(msg), sig, &siglen));
	pp.sLen = 20;
	ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &pss, pub));
	EXPECT_EQ(CKR_SIGNATURE_INVALID, f->C_Verify(self->s, msg, sizeof(msg), sig, siglen));
	pp.sLen = 32;
	ASSERT_EQ(CKR_OK, f->C_VerifyInit(self->s, &pss, pub));
	EXPECT_EQ(CKR_OK, f->C_Verify(self->s, msg, sizeof(msg), sig, siglen));
	/* CKM_RSA_PKCS_PSS: the input is a digest of hashAlg's length */
	ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &rpss, priv));
	len = sizeof(sig);
	EXPECT_EQ(CKR_DATA_LEN_RANGE, f->C_Sign(self->s, md, 31, sig, &len));
	/* CKM_RSA_PKCS: no parameter, T at most k - 11 bytes */
	m = (CK_MECHANISM){ CKM_RSA_PKCS, &pp, sizeof(pp) };
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, f->C_SignInit(self->s, &m, priv));
	ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &raw, priv));
	len = sizeof(sig);
	EXPECT_EQ(CKR_DATA_LEN_RANGE, f->C_Sign(self->s, pt, 256 - 10, sig, &len));
	ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &raw, priv));
	len = sizeof(sig);
	EXPECT_EQ(CKR_OK, f->C_Sign(self->s, pt, 256 - 11, sig, &len));
	/* PKCS#1 v1.5 encryption takes no parameter; no raw RSA */
	m = (CK_MECHANISM){ CKM_RSA_PKCS, &pp, sizeof(pp) };
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, f->C_EncryptInit(self->s, &m, pub));
	m = (CK_MECHANISM){ CKM_RSA_X_509, NULL, 0 };
	EXPECT_EQ(CKR_MECHANISM_INVALID, f->C_SignInit(self->s, &m, priv));

	/* OAEP: message too long, bad label, corrupted, wrong length */
	ASSERT_EQ(CKR_OK, f->C_EncryptInit(self->s, &oaep, pub));
	len = sizeof(ct);
	EXPECT_EQ(CKR_DATA_LEN_RANGE, f->C_Encrypt(self->s, pt, 256 - 2 * 32 - 1, ct, &len));
	ASSERT_EQ(CKR_OK, f->C_EncryptInit(self->s, &oaep, pub));
	ctlen = sizeof(ct);
	ASSERT_EQ(CKR_OK, f->C_Encrypt(self->s, msg, sizeof(msg), ct, &ctlen));
	ASSERT_EQ(256UL, ctlen);
	op.pSourceData = (void *)"wrong";
	ASSERT_EQ(CKR_OK, f->C_DecryptInit(self->s, &oaep, priv));
	len = sizeof(pt);
	EXPECT_EQ(CKR_ENCRYPTED_DATA_INVALID, f->C_Decrypt(self->s, ct, ctlen, pt, &len));
	op.pSourceData = (void *)label;
	ct[200] ^= 0x20;
	ASSERT_EQ(CKR_OK, f->C_DecryptInit(self->s, &oaep, priv));
	len = sizeof(pt);
	EXPECT_EQ(CKR_ENCRYPTED_DATA_INVALID, f->C_Decrypt(self->s, ct, ctlen, pt, &len));
	ct[200] ^= 0x20;
	ASSERT_EQ(CKR_OK, f->C_DecryptInit(self->s, &oaep, priv));
	len = sizeof(pt);
	EXPECT_EQ(CKR_ENCRYPTED_DATA_LEN_RANGE, f->C_Decrypt(self->s, ct, ctlen - 1, pt, &len));
	/* ciphertext >= n */
	memset(pt, 0xff, 256);
	ASSERT_EQ(CKR_OK, f->C_DecryptInit(self->s, &oaep, priv));
	len = sizeof(pt);
	EXPECT_EQ(CKR_ENCRYPTED_DATA_INVALID, f->C_Decrypt(self->s, pt, 256, ct + 0, &len));
	ASSERT_EQ(CKR_OK, f->C_DecryptInit(self->s, &oaep, priv));
	len = sizeof(pt);
	ASSERT_EQ(CKR_OK, f->C_Decrypt(self->s, ct, ctlen, pt, &len));
	ASSERT_EQ(sizeof(msg), len);
	EXPECT_EQ(0, memcmp(pt, msg, len));
	/* OAEP parameters: source, label without source, hashes */
	op.source = 2;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, f->C_DecryptInit(self->s, &oaep, priv));
	op.source = 0;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, f->C_DecryptInit(self->s, &oaep, priv));
	op.source = CKZ_DATA_SPECIFIED;
	op.hashAlg = CKM_MD5;
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, f->C_EncryptInit(self->s, &oaep, pub));
	op.hashAlg = CKM_SHA256;
	m = (CK_MECHANISM){ CKM_RSA_PKCS_OAEP, NULL, 0 };
	EXPECT_EQ(CKR_MECHANISM_PARAM_INVALID, f->C_EncryptInit(self->s, &m, pub));
	/* OAEP is not a signature mechanism, PSS not an encryption one */
	EXPECT_EQ(CKR_MECHANISM_INVALID, f->C_SignInit(self->s, &oaep, priv));
	EXPECT_EQ(CKR_MECHANISM_INVALID, f->C_EncryptInit(self->s, &pss, pub));
}

TEST_F_TIMEOUT(rsa, import_checks, 120)
{
	CK_FUNCTION_LIST_PTR f = self->f;
	struct rsa_key k = self->x15;
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_KEY_TYPE kt = CKK_RSA;
	CK_ULONG bits = 2047;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_MODULUS, k.n, 256 },
		{ CKA_PUBLIC_EXPONENT, k.e, 3 },
		{ CKA_MODULUS_BITS, &bits, sizeof(bits) },
	};
	CK_OBJECT_HANDLE h, ecpub, ecpriv;
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_MECHANISM m1 = { CKM_SHA1_RSA_PKCS, NULL, 0 };
	unsigned char buf[8], msg[300], known[300], sig[300], big_e[33] = { 0 };
	CK_ATTRIBUTE a = { CKA_MODULUS, buf, sizeof(buf) };
	CK_ULONG len;
	int ml = unhex(x15_msg, msg, sizeof(msg));

	ASSERT_EQ(256, unhex(x15_sig, known, sizeof(known)));

	/* private keys need e (the fault check), n and d */
	EXPECT_EQ(CKR_TEMPLATE_INCOMPLETE, import_rsa(f, self->s, &k, CKO_PRIVATE_KEY,
						      CK_TRUE, CKA_PUBLIC_EXPONENT, &h));
	EXPECT_EQ(CKR_TEMPLATE_INCOMPLETE, import_rsa(f, self->s, &k, CKO_PRIVATE_KEY,
						      CK_TRUE, CKA_PRIVATE_EXPONENT, &h));
	EXPECT_EQ(CKR_TEMPLATE_INCOMPLETE, import_rsa(f, self->s, &k, CKO_PRIVATE_KEY,
						      CK_TRUE, CKA_MODULUS, &h));
	/* CRT numbers all or none; without them d alone works */
	EXPECT_EQ(CKR_TEMPLATE_INCOMPLETE, import_rsa(f, self->s, &k, CKO_PRIVATE_KEY,
						      CK_TRUE, CKA_COEFFICIENT, &h));
	EXPECT_EQ(CKR_TEMPLATE_INCOMPLETE, import_rsa(f, self->s, &k, CKO_PUBLIC_KEY,
						      CK_TRUE, CKA_PUBLIC_EXPONENT, &h));
	/* inconsistent numbers */
	k.p[127] ^= 2;
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, import_rsa(f, self->s, &k, CKO_PRIVATE_KEY,
							  CK_TRUE, -1, &h));
	k = self->x15;
	k.qinv[5] ^= 1;
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, import_rsa(f, self->s, &k, CKO_PRIVATE_KEY,
							  CK_TRUE, -1, &h));
	k = self->x15;
	k.e[2] = 0x03;	/* wrong e for this d */
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, import_rsa(f, self->s, &k, CKO_PRIVATE_KEY,
							  CK_TRUE, -1, &h));
	/* public keys: odd modulus of 1024..4096 bits, odd e */
	k = self->x15;
	k.n[255] ^= 1;
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, import_rsa(f, self->s, &k, CKO_PUBLIC_KEY,
							  CK_TRUE, -1, &h));
	k = self->x15;
	k.n_len = 64;	/* 512 bits */
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, import_rsa(f, self->s, &k, CKO_PUBLIC_KEY,
							  CK_TRUE, -1, &h));
	k = self->x15;
	k.e[2] = 0x02;
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, import_rsa(f, self->s, &k, CKO_PUBLIC_KEY,
							  CK_TRUE, -1, &h));
	/* CKA_MODULUS_BITS, if given, must match (t points into k) */
	k = self->x15;
	EXPECT_EQ(CKR_TEMPLATE_INCONSISTENT, f->C_CreateObject(self->s, t, 5, &h));
	bits = 2048;
	EXPECT_EQ(CKR_OK, f->C_CreateObject(self->s, t, 5, &h));
	/* e is bounded as in generation: 2^256 + 1 is refused, 2^255 + 1 not */
	big_e[0] = 0x01;
	big_e[32] = 0x01;
	t[3] = (CK_ATTRIBUTE){ CKA_PUBLIC_EXPONENT, big_e, 33 };
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, f->C_CreateObject(self->s, t, 5, &h));
	big_e[1] = 0x80;
	t[3] = (CK_ATTRIBUTE){ CKA_PUBLIC_EXPONENT, big_e + 1, 32 };
	EXPECT_EQ(CKR_OK, f->C_CreateObject(self->s, t, 5, &h));
	t[3] = (CK_ATTRIBUTE){ CKA_PUBLIC_EXPONENT, k.e, 3 };
	/* a private key without the CRT numbers signs too (the same) */
	ASSERT_EQ(CKR_OK, import_rsa(f, self->s, &self->x15, CKO_PRIVATE_KEY,
				     CK_TRUE, -2, &h));
	ASSERT_EQ(CKR_OK, f->C_SignInit(self->s, &m1, h));
	len = sizeof(sig);
	ASSERT_EQ(CKR_OK, f->C_Sign(self->s, msg, ml, sig, &len));
	ASSERT_EQ(256UL, len);
	EXPECT_EQ(0, memcmp(sig, known, 256));
	/* EC attributes do not exist on RSA keys, nor RSA ones on EC keys */
	t[4] = (CK_ATTRIBUTE){ CKA_EC_PARAMS, (void *)p_p256_oid, sizeof(p_p256_oid) };
	EXPECT_EQ(CKR_ATTRIBUTE_TYPE_INVALID, f->C_CreateObject(self->s, t, 5, &h));
	ASSERT_EQ(CKR_OK, p_gen_p256(f, self->s, CK_FALSE, &ecpub, &ecpriv));
	EXPECT_EQ(CKR_ATTRIBUTE_TYPE_INVALID, f->C_GetAttributeValue(self->s, ecpub, &a, 1));
	/* key types do not mix */
	EXPECT_EQ(CKR_KEY_TYPE_INCONSISTENT, f->C_SignInit(self->s, &m, ecpriv));
	EXPECT_EQ(CKR_KEY_TYPE_INCONSISTENT, f->C_VerifyInit(self->s, &m, ecpub));
}

TEST_HARNESS_MAIN
