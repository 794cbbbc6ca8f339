// SPDX-License-Identifier: GPL-2.0
/*
 * PKCS#1 v2.2 encodings of kmod/crypto (rsa_pad.c): known answers read
 * from python3-cryptography-vectors (PKCS#1 v1.5 signatures, PSS and
 * OAEP of the RSA Laboratories vectors, pyca's SHA-2 OAEP, NIST CAVP
 * FIPS 186-2/186-3 SigGen/SigVer), negatives (bad padding, trailer,
 * salt length, label, lengths, s >= n), the fault hook, and a
 * differential against OpenSSL EVP in both directions for PKCS#1 v1.5,
 * PSS and OAEP (DIFF_N cases at 2048 bits, DIFF_N_BIG at 3072 and 4096).
 */
#include <ctype.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/core_names.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include "engine.h"
#include "rsa_internal.h"
#include "rsa_ir_vectors.h"
#include "tap.h"

#define VEC "/usr/lib/python3/dist-packages/cryptography_vectors/asymmetric/RSA/"
#define BUF 1024

static u64 work_mem[KC_RSA_WORK_BYTES / 8];
static void *const work = work_mem;

struct key {
	unsigned char n[BUF], e[BUF], d[BUF], p[BUF], q[BUF];
	unsigned char dp[BUF], dq[BUF], qinv[BUF];
	int n_len, e_len, d_len, p_len, q_len, dp_len, dq_len, qinv_len;
};

static void key_pub(const struct key *k, struct kc_rsa_pub *pub)
{
	pub->n = k->n;
	pub->n_len = k->n_len;
	pub->e = k->e;
	pub->e_len = k->e_len;
}

/* CRT form if @crt and the key has it, else d only */
static void key_priv(const struct key *k, struct kc_rsa_priv *pr, int crt)
{
	memset(pr, 0, sizeof(*pr));
	pr->n = k->n;
	pr->n_len = k->n_len;
	pr->e = k->e;
	pr->e_len = k->e_len;
	pr->d = k->d;
	pr->d_len = k->d_len;
	if (crt && k->qinv_len) {
		pr->p = k->p;
		pr->p_len = k->p_len;
		pr->q = k->q;
		pr->q_len = k->q_len;
		pr->dp = k->dp;
		pr->dp_len = k->dp_len;
		pr->dq = k->dq;
		pr->dq_len = k->dq_len;
		pr->qinv = k->qinv;
		pr->qinv_len = k->qinv_len;
	}
}

/* Modulus byte length without leading zeros. */
static size_t k_of(const struct key *k)
{
	int i = 0;

	while (i < k->n_len && !k->n[i])
		i++;
	return (size_t)(k->n_len - i);
}

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* Hex digits of @s (spaces allowed, odd count left-padded), appended. */
static int hex_append(const char *s, unsigned char *out, int len, int max)
{
	const char *p;
	int nd = 0, i = 0, pos;

	for (p = s; *p; p++) {
		if (isxdigit((unsigned char)*p))
			nd++;
		else if (!isspace((unsigned char)*p))
			break;
	}
	if (len + (nd + 1) / 2 > max)
		return -1;
	for (p = s; i < nd; p++) {
		if (!isxdigit((unsigned char)*p))
			continue;
		pos = i + (nd & 1);
		if (pos % 2 == 0 || i == 0)
			out[len + pos / 2] = 0;
		out[len + pos / 2] |= (unsigned char)(hexval(*p) <<
						      (pos % 2 ? 0 : 4));
		i++;
	}
	return len + (nd + 1) / 2;
}

static int hex_line(const char *s)
{
	int any = 0;

	for (; *s; s++) {
		if (isxdigit((unsigned char)*s))
			any = 1;
		else if (!isspace((unsigned char)*s))
			return 0;
	}
	return any;
}

static enum kc_hash hash_of(const char *name)
{
	char n[16];
	int i = 0;

	for (; *name && !isspace((unsigned char)*name) && i < 15; name++)
		if (isalnum((unsigned char)*name))
			n[i++] = (char)tolower((unsigned char)*name);
	n[i] = 0;
	if (!strcmp(n, "sha1"))
		return KC_SHA1;
	if (!strcmp(n, "sha224"))
		return KC_SHA224;
	if (!strcmp(n, "sha256"))
		return KC_SHA256;
	if (!strcmp(n, "sha384"))
		return KC_SHA384;
	if (!strcmp(n, "sha512"))
		return KC_SHA512;
	return 0;
}

static const EVP_MD *md_of(enum kc_hash h)
{
	switch (h) {
	case KC_SHA1: return EVP_sha1();
	case KC_SHA224: return EVP_sha224();
	case KC_SHA256: return EVP_sha256();
	case KC_SHA384: return EVP_sha384();
	case KC_SHA512: return EVP_sha512();
	case KC_SHA3_224: return EVP_sha3_224();
	case KC_SHA3_256: return EVP_sha3_256();
	case KC_SHA3_384: return EVP_sha3_384();
	case KC_SHA3_512: return EVP_sha3_512();
	}
	return NULL;
}

/* T = DigestInfo(hash) || Hash(msg) */
static size_t make_t(enum kc_hash h, const unsigned char *msg, size_t len,
		     unsigned char *t)
{
	size_t pl = kc_rsa_digest_info(h, t, 64);

	kc_hash(h, msg, len, t + pl);
	return pl + kc_hash_len(h);
}

static void fill_random(unsigned char *b, size_t n)
{
	kc_random(b, n);
}

/* ------------------------------------------------------------------ */
/* RSA Laboratories / pyca text vectors: "# Label:" then hex lines     */

enum textkind { T_PKCS1, T_PSS, T_OAEP, T_OAEP_CUSTOM, T_ENC15 };

struct textrun {
	enum textkind kind;
	struct key key;
	int priv_section;
	enum kc_hash hash, mgf;
	unsigned char msg[BUF], sig[BUF], salt[BUF], seed[BUF];
	int msg_len, sig_len, salt_len, seed_len;
	unsigned int n, bad_sign, bad_verify, bad_flip, bad_dec, donly;
};

static void text_record(struct textrun *r)
{
	struct kc_rsa_pub pub;
	struct kc_rsa_priv pr;
	static unsigned char t[128], out[BUF], dig[64], m[BUF];
	size_t k = k_of(&r->key), tl, ml;
	int ret;

	key_pub(&r->key, &pub);
	key_priv(&r->key, &pr, 1);
	r->n++;
	switch (r->kind) {
	case T_PKCS1:
		tl = make_t(KC_SHA1, r->msg, r->msg_len, t);
		ret = kc_rsa_pkcs1_sign_t(&pr, t, tl, out, work);
		if (ret || (size_t)r->sig_len != k || memcmp(out, r->sig, k))
			r->bad_sign++;
		if (kc_rsa_pkcs1_verify_t(&pub, t, tl, r->sig, k, work))
			r->bad_verify++;
		memcpy(out, r->sig, k);
		out[r->n % k] ^= 1 << (r->n % 8);
		if (kc_rsa_pkcs1_verify_t(&pub, t, tl, out, k, work) != KC_ESIG)
			r->bad_flip++;
		break;
	case T_PSS:
		kc_hash(KC_SHA1, r->msg, r->msg_len, dig);
		ret = kc_rsa_pss_sign(&pr, KC_SHA1, KC_SHA1, r->salt,
				      r->salt_len, dig, 20, out, work);
		if (ret || (size_t)r->sig_len != k || memcmp(out, r->sig, k))
			r->bad_sign++;
		if (kc_rsa_pss_verify(&pub, KC_SHA1, KC_SHA1, r->salt_len,
				      dig, 20, r->sig, k, work))
			r->bad_verify++;
		memcpy(out, r->sig, k);
		out[k - 1 - r->n % k] ^= 1 << (r->n % 8);
		if (kc_rsa_pss_verify(&pub, KC_SHA1, KC_SHA1, r->salt_len,
				      dig, 20, out, k, work) != KC_ESIG)
			r->bad_flip++;
		break;
	case T_ENC15:
		/* the seed is PS: encryption reproduces C */
		ret = kc_rsa_pkcs1_encrypt(&pub, r->seed, r->msg, r->msg_len,
					   out, work);
		if (ret || (size_t)r->sig_len != k || memcmp(out, r->sig, k))
			r->bad_sign++;
		ml = sizeof(m);
		ret = kc_rsa_pkcs1_decrypt(&pr, r->sig, k, m, &ml, work);
		if (ret || ml != (size_t)r->msg_len || memcmp(m, r->msg, ml))
			r->bad_dec++;
		/*
		 * a corrupted C decrypts (implicit rejection) to a message
		 * that is not M, the same one twice
		 */
		memcpy(out, r->sig, k);
		out[k - 1 - r->n % (k - 1)] ^= 0x10;
		ml = sizeof(m);
		ret = kc_rsa_pkcs1_decrypt(&pr, out, k, m, &ml, work);
		{
			static unsigned char m2[BUF];
			size_t ml2 = sizeof(m2);

			if (ret || kc_rsa_pkcs1_decrypt(&pr, out, k, m2, &ml2,
							work) ||
			    ml2 != ml || memcmp(m, m2, ml) ||
			    (ml == (size_t)r->msg_len &&
			     !memcmp(m, r->msg, ml)))
				r->bad_flip++;
		}
		break;
	case T_OAEP:
		ret = kc_rsa_oaep_encrypt(&pub, KC_SHA1, KC_SHA1, NULL, 0,
					  r->seed, r->msg, r->msg_len, out,
					  work);
		if (ret || (size_t)r->sig_len != k || memcmp(out, r->sig, k))
			r->bad_sign++;
		__attribute__((fallthrough));
	case T_OAEP_CUSTOM:
		ml = sizeof(m);
		ret = kc_rsa_oaep_decrypt(&pr, r->hash, r->mgf, NULL, 0,
					  r->sig, r->sig_len, m, &ml, work);
		if (ret || ml != (size_t)r->msg_len || memcmp(m, r->msg, ml))
			r->bad_dec++;
		/* every sixth record once more with the d-only key */
		if (r->n % 6 != 1)
			goto flip;
		r->donly++;
		key_priv(&r->key, &pr, 0);
		ml = sizeof(m);
		ret = kc_rsa_oaep_decrypt(&pr, r->hash, r->mgf, NULL, 0,
					  r->sig, r->sig_len, m, &ml, work);
		if (ret || ml != (size_t)r->msg_len || memcmp(m, r->msg, ml))
			r->bad_dec++;
flip:
		memcpy(out, r->sig, k);
		out[r->n % k] ^= 0x10;
		ml = sizeof(m);
		ret = kc_rsa_oaep_decrypt(&pr, r->hash, r->mgf, NULL, 0,
					  out, k, m, &ml, work);
		if (ret != KC_EINPUT)
			r->bad_flip++;
		break;
	}
}

static void text_field(struct textrun *r, const char *label,
		       unsigned char *buf, int len)
{
	struct key *k = &r->key;

#define SET(dst, dl) do { memcpy(dst, buf, len); dl = len; } while (0)
	if (!strcmp(label, "Modulus")) {
		SET(k->n, k->n_len);
	} else if (!strcmp(label, "Exponent")) {
		if (r->priv_section)
			SET(k->d, k->d_len);
		else
			SET(k->e, k->e_len);
	} else if (!strcmp(label, "Public exponent")) {
		SET(k->e, k->e_len);
	} else if (!strcmp(label, "Prime 1")) {
		SET(k->p, k->p_len);
	} else if (!strcmp(label, "Prime 2")) {
		SET(k->q, k->q_len);
	} else if (!strcmp(label, "Prime exponent 1")) {
		SET(k->dp, k->dp_len);
	} else if (!strcmp(label, "Prime exponent 2")) {
		SET(k->dq, k->dq_len);
	} else if (!strcmp(label, "Coefficient")) {
		SET(k->qinv, k->qinv_len);
	} else if (!strcmp(label, "Message to be signed") ||
		   !strcmp(label, "Message")) {
		SET(r->msg, r->msg_len);
	} else if (!strcmp(label, "Salt")) {
		SET(r->salt, r->salt_len);
	} else if (!strcmp(label, "Seed")) {
		SET(r->seed, r->seed_len);
	} else if (!strcmp(label, "Signature") ||
		   !strcmp(label, "Encryption")) {
		SET(r->sig, r->sig_len);
		text_record(r);
	}
#undef SET
}

static void text_file(const char *name, enum textkind kind)
{
	static struct textrun r;
	static unsigned char buf[BUF * 8];
	static char line[4096];
	char label[64] = "", path[512];
	int len = 0, active = 0;
	FILE *f;

	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.hash = KC_SHA1;
	r.mgf = KC_SHA1;
	snprintf(path, sizeof(path), VEC "%s", name);
	f = fopen(path, "r");
	if (!f) {
		tap_ok(0, "open %s", path);
		return;
	}
	for (;;) {
		char *s = fgets(line, sizeof(line), f), *e;
		int end = !s || line[0] == '#' || !hex_line(line);

		if (end && active) {
			text_field(&r, label, buf, len);
			active = 0;
		}
		if (!s)
			break;
		e = line + strlen(line);
		while (e > line && isspace((unsigned char)e[-1]))
			*--e = 0;
		if (line[0] == '#') {
			const char *a = strstr(line, "alg="), *g;

			if (!strcmp(line, "# Public key"))
				r.priv_section = 0;
			if (!strcmp(line, "# Private key"))
				r.priv_section = 1;
			g = strstr(line, "mgf1=");
			if (a && g) {
				r.hash = hash_of(a + 4);
				r.mgf = hash_of(g + 5);
			}
			if (e > line + 2 && e[-1] == ':' &&
			    e - line - 3 < (int)sizeof(label)) {
				memcpy(label, line + 2, e - line - 3);
				label[e - line - 3] = 0;
				active = 1;
				len = 0;
			}
			continue;
		}
		if (active && hex_line(line)) {
			len = hex_append(line, buf, len, sizeof(buf));
			if (len < 0) {
				tap_ok(0, "%s: hex too long", name);
				active = 0;
				len = 0;
			}
		}
	}
	fclose(f);
	if (kind == T_PKCS1 || kind == T_PSS)
		tap_ok(r.n && !r.bad_sign && !r.bad_verify && !r.bad_flip,
		       "%s: %u records: sign reproduces S (%u bad), verify (%u bad), flipped bit refused (%u bad)",
		       name, r.n, r.bad_sign, r.bad_verify, r.bad_flip);
	else if (kind == T_ENC15)
		tap_ok(r.n && !r.bad_sign && !r.bad_dec && !r.bad_flip,
		       "%s: %u records: encrypt with the seed as PS reproduces C (%u bad), decrypt gives M (%u bad), a corrupted C gives one other message, twice the same (%u bad)",
		       name, r.n, r.bad_sign, r.bad_dec, r.bad_flip);
	else
		tap_ok(r.n && !r.bad_sign && !r.bad_dec && !r.bad_flip,
		       "%s: %u records: %sdecrypt (CRT; %u also d-only) gives M (%u bad), corrupted C refused (%u bad)",
		       name, r.n, kind == T_OAEP ?
		       "encrypt with the seed reproduces C, " : "",
		       r.donly, r.bad_sign + r.bad_dec, r.bad_flip);
}

/* ------------------------------------------------------------------ */
/* NIST CAVP .rsp / .txt: "name = value"                               */

enum rspkind { R_GEN15, R_GENPSS, R_VER15, R_VERPSS };

struct rsprun {
	enum rspkind kind;
	struct key key;
	enum kc_hash hash;
	unsigned char msg[BUF], s[BUF], salt[BUF];
	int msg_len, s_len, salt_len, hdr_salt;
	unsigned int n, signs, bad_sign, bad_verify, pass, fail;
};

static void rsp_record(struct rsprun *r, int expect_ok)
{
	struct kc_rsa_pub pub;
	struct kc_rsa_priv pr;
	static unsigned char t[128], out[BUF], dig[64];
	size_t k = k_of(&r->key), tl, hl = kc_hash_len(r->hash);
	int ret, pss = r->kind == R_GENPSS || r->kind == R_VERPSS;
	int slen = r->salt_len >= 0 ? r->salt_len : r->hdr_salt;

	key_pub(&r->key, &pub);
	key_priv(&r->key, &pr, 0);	/* n, e, d only */
	r->n++;
	kc_hash(r->hash, r->msg, r->msg_len, dig);
	tl = make_t(r->hash, r->msg, r->msg_len, t);
	if (pss)
		ret = kc_rsa_pss_verify(&pub, r->hash, r->hash, slen, dig, hl,
					r->s, r->s_len, work);
	else
		ret = kc_rsa_pkcs1_verify_t(&pub, t, tl, r->s, r->s_len, work);
	if (!ret != !!expect_ok)
		r->bad_verify++;
	if (expect_ok)
		r->pass++;
	else
		r->fail++;
	if (!expect_ok || !r->key.d_len)
		return;
	r->signs++;
	memset(out, 0xa5, sizeof(out));
	if (pss)
		ret = kc_rsa_pss_sign(&pr, r->hash, r->hash,
				      slen ? r->salt : (const u8 *)"", slen,
				      dig, hl, out, work);
	else
		ret = kc_rsa_pkcs1_sign_t(&pr, t, tl, out, work);
	if (ret || (size_t)r->s_len != k || memcmp(out, r->s, k))
		r->bad_sign++;
}

static void rsp_file(const char *name, enum rspkind kind)
{
	static struct rsprun r;
	static char line[BUF * 8];
	char path[512];
	FILE *f;

	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.salt_len = -1;
	snprintf(path, sizeof(path), VEC "FIPS_186-2/%s", name);
	f = fopen(path, "r");
	if (!f) {
		tap_ok(0, "open %s", path);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *v = strstr(line, " = ");
		struct key *k = &r.key;

		if (!strncmp(line, "# Salt len:", 11))
			r.hdr_salt = atoi(line + 11);
		if (!v)
			continue;
		v += 3;
#define HEX(dst, dl) (dl = hex_append(v, dst, 0, sizeof(dst)))
		if (!strncmp(line, "n = ", 4)) {
			HEX(k->n, k->n_len);
			k->d_len = 0;
		} else if (!strncmp(line, "e = ", 4)) {
			HEX(k->e, k->e_len);
		} else if (!strncmp(line, "d = ", 4)) {
			HEX(k->d, k->d_len);
		} else if (!strncmp(line, "SHAAlg = ", 9)) {
			r.hash = hash_of(v);
		} else if (!strncmp(line, "Msg = ", 6)) {
			HEX(r.msg, r.msg_len);
			r.salt_len = -1;
		} else if (!strncmp(line, "SaltVal = ", 10)) {
			HEX(r.salt, r.salt_len);
			if (!strncmp(v, "00", 2) && r.salt_len == 1 &&
			    !r.hdr_salt)
				r.salt_len = 0;
		} else if (!strncmp(line, "S = ", 4)) {
			HEX(r.s, r.s_len);
			if (kind == R_GEN15 || kind == R_GENPSS)
				rsp_record(&r, 1);
		} else if (!strncmp(line, "Result = ", 9)) {
			rsp_record(&r, v[0] == 'P');
		}
#undef HEX
	}
	fclose(f);
	tap_ok(r.n && !r.bad_sign && !r.bad_verify,
	       "%s: %u records (%u P, %u F): verify gives the result (%u bad); %u signed with d only, reproducing S (%u bad)",
	       name, r.n, r.pass, r.fail, r.bad_verify, r.signs, r.bad_sign);
}

/* ------------------------------------------------------------------ */
/* OpenSSL keys and the differential                                   */

static EVP_PKEY *ossl_key(int bits, struct key *k)
{
	static const char *const names[] = {
		OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E,
		OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1,
		OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
		OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
	};
	unsigned char *dst[] = { k->n, k->e, k->d, k->p, k->q, k->dp, k->dq,
				 k->qinv };
	int *dl[] = { &k->n_len, &k->e_len, &k->d_len, &k->p_len, &k->q_len,
		      &k->dp_len, &k->dq_len, &k->qinv_len };
	EVP_PKEY *pk = NULL;
	unsigned int i, tries;

	/* OpenSSL may give one bit less than asked: retry for exact sizes */
	for (tries = 0; tries < 50; tries++) {
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
		if (!pk || EVP_PKEY_get_bits(pk) == bits)
			break;
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	if (!pk)
		return NULL;
	for (i = 0; i < 8; i++) {
		BIGNUM *bn = NULL;

		if (!EVP_PKEY_get_bn_param(pk, names[i], &bn)) {
			EVP_PKEY_free(pk);
			return NULL;
		}
		*dl[i] = BN_bn2bin(bn, dst[i]);
		BN_free(bn);
	}
	return pk;
}

static EVP_PKEY_CTX *ossl_ctx(EVP_PKEY *pk, int op, int pad,
			      enum kc_hash h, enum kc_hash mgf, int slen,
			      const unsigned char *label, size_t label_len)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pk, NULL);
	int ok;

	if (!c)
		return NULL;
	switch (op) {
	case 0:
		ok = EVP_PKEY_sign_init(c);
		break;
	case 1:
		ok = EVP_PKEY_verify_init(c);
		break;
	case 2:
		ok = EVP_PKEY_encrypt_init(c);
		break;
	default:
		ok = EVP_PKEY_decrypt_init(c);
		break;
	}
	ok = ok > 0 && EVP_PKEY_CTX_set_rsa_padding(c, pad) > 0;
	if (ok && pad == RSA_PKCS1_OAEP_PADDING) {
		ok = EVP_PKEY_CTX_set_rsa_oaep_md(c, md_of(h)) > 0 &&
		     EVP_PKEY_CTX_set_rsa_mgf1_md(c, md_of(mgf)) > 0;
		if (ok && label_len) {
			void *l = OPENSSL_memdup(label, label_len);

			ok = l && EVP_PKEY_CTX_set0_rsa_oaep_label(c, l,
						(int)label_len) > 0;
		}
	} else if (ok) {
		ok = EVP_PKEY_CTX_set_signature_md(c, md_of(h)) > 0;
		if (ok && pad == RSA_PKCS1_PSS_PADDING)
			ok = EVP_PKEY_CTX_set_rsa_pss_saltlen(c, slen) > 0 &&
			     EVP_PKEY_CTX_set_rsa_mgf1_md(c, md_of(mgf)) > 0;
	}
	if (!ok) {
		EVP_PKEY_CTX_free(c);
		return NULL;
	}
	return c;
}

static const enum kc_hash hashes[5] = {
	KC_SHA1, KC_SHA224, KC_SHA256, KC_SHA384, KC_SHA512,
};

struct diffstat {
	unsigned int v15, pss, oaep, err;
};

/* One case of each scheme, both directions. */
static void diff_case(EVP_PKEY *pk, const struct key *key, unsigned int i,
		      struct diffstat *st)
{
	struct kc_rsa_pub pub;
	struct kc_rsa_priv pr;
	static unsigned char dig[64], t[128], sig[BUF], osig[BUF], msg[BUF];
	static unsigned char label[40], ct[BUF], pt[BUF];
	size_t k = k_of(key), tl, olen, ml, mmax, label_len, slen, hl;
	enum kc_hash h = hashes[i % 5], mgf = hashes[(i / 5) % 5];
	EVP_PKEY_CTX *c;
	int ok;

	key_pub(key, &pub);
	key_priv(key, &pr, 1);
	hl = kc_hash_len(h);
	fill_random(dig, hl);

	/* PKCS#1 v1.5: deterministic, so both signatures must be equal */
	tl = kc_rsa_digest_info(h, t, sizeof(t));
	memcpy(t + tl, dig, hl);
	tl += hl;
	ok = !kc_rsa_pkcs1_sign_t(&pr, t, tl, sig, work);
	c = ossl_ctx(pk, 1, RSA_PKCS1_PADDING, h, h, 0, NULL, 0);
	ok = ok && c && EVP_PKEY_verify(c, sig, k, dig, hl) == 1;
	EVP_PKEY_CTX_free(c);
	c = ossl_ctx(pk, 0, RSA_PKCS1_PADDING, h, h, 0, NULL, 0);
	olen = sizeof(osig);
	ok = ok && c && EVP_PKEY_sign(c, osig, &olen, dig, hl) == 1 &&
	     olen == k && !memcmp(sig, osig, k) &&
	     !kc_rsa_pkcs1_verify_t(&pub, t, tl, osig, k, work);
	EVP_PKEY_CTX_free(c);
	if (!ok)
		st->v15++;

	/* PSS: salt length 0..hLen, random salt (engine) */
	slen = (i * 7) % (hl + 1);
	if (k < hl + slen + 2 + 1)
		slen = 0;
	ok = !kc_rsa_pss_sign(&pr, h, mgf, NULL, slen, dig, hl, sig, work);
	c = ossl_ctx(pk, 1, RSA_PKCS1_PSS_PADDING, h, mgf, (int)slen, NULL, 0);
	ok = ok && c && EVP_PKEY_verify(c, sig, k, dig, hl) == 1;
	EVP_PKEY_CTX_free(c);
	c = ossl_ctx(pk, 0, RSA_PKCS1_PSS_PADDING, h, mgf, (int)slen, NULL, 0);
	olen = sizeof(osig);
	ok = ok && c && EVP_PKEY_sign(c, osig, &olen, dig, hl) == 1 &&
	     olen == k &&
	     !kc_rsa_pss_verify(&pub, h, mgf, slen, dig, hl, osig, k, work);
	EVP_PKEY_CTX_free(c);
	if (!ok)
		st->pss++;

	/* OAEP: message 0..max bytes, label 0..39 bytes */
	mmax = k - 2 * hl - 2;
	ml = (i * 37) % (mmax + 1);
	label_len = (i * 11) % sizeof(label);
	fill_random(msg, ml);
	fill_random(label, label_len);
	ok = !kc_rsa_oaep_encrypt(&pub, h, mgf, label, label_len, NULL, msg,
				  ml, ct, work);
	c = ossl_ctx(pk, 3, RSA_PKCS1_OAEP_PADDING, h, mgf, 0, label,
		     label_len);
	olen = sizeof(pt);
	ok = ok && c && EVP_PKEY_decrypt(c, pt, &olen, ct, k) == 1 &&
	     olen == ml && !memcmp(pt, msg, ml);
	EVP_PKEY_CTX_free(c);
	c = ossl_ctx(pk, 2, RSA_PKCS1_OAEP_PADDING, h, mgf, 0, label,
		     label_len);
	olen = sizeof(ct);
	ok = ok && c && EVP_PKEY_encrypt(c, ct, &olen, msg, ml) == 1 &&
	     olen == k;
	EVP_PKEY_CTX_free(c);
	olen = ml ? ml : 1;	/* exact room */
	memset(pt, 0, sizeof(pt));
	ok = ok && !kc_rsa_oaep_decrypt(&pr, h, mgf, label, label_len, ct, k,
					pt, &olen, work) &&
	     olen == ml && !memcmp(pt, msg, ml);
	if (!ok)
		st->oaep++;
}

static double now(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned int env_n(const char *name, unsigned int dflt)
{
	const char *s = getenv(name);

	return s && *s ? (unsigned int)strtoul(s, NULL, 10) : dflt;
}

static void differential(int bits, unsigned int n)
{
	struct key *keys = calloc(4, sizeof(*keys));
	struct diffstat st = { 0 };
	EVP_PKEY *pk[4] = { NULL };
	unsigned int i, nk = 4;
	double t0, c0;

	for (i = 0; i < nk; i++) {
		pk[i] = ossl_key(bits, &keys[i]);
		if (!pk[i]) {
			tap_ok(0, "OpenSSL RSA-%d key generation", bits);
			goto out;
		}
	}
	t0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < n; i++)
		diff_case(pk[i % nk], &keys[i % nk], i, &st);
	tap_ok(!st.v15, "RSA-%d: %u cases PKCS#1 v1.5 engine sign == OpenSSL sign, OpenSSL verifies, engine verifies OpenSSL's (%u bad)",
	       bits, n, st.v15);
	tap_ok(!st.pss, "RSA-%d: %u cases PSS engine sign -> OpenSSL verify, OpenSSL sign -> engine verify (%u bad)",
	       bits, n, st.pss);
	tap_ok(!st.oaep, "RSA-%d: %u cases OAEP engine encrypt -> OpenSSL decrypt, OpenSSL encrypt -> engine decrypt (%u bad)",
	       bits, n, st.oaep);
	printf("# RSA-%d differential: %u cases in %.1f s (%.1f s CPU)\n", bits,
	       n, now(CLOCK_MONOTONIC) - t0,
	       now(CLOCK_PROCESS_CPUTIME_ID) - c0);
out:
	for (i = 0; i < nk; i++)
		EVP_PKEY_free(pk[i]);
	free(keys);
}

/* ------------------------------------------------------------------ */
/* RSAES-PKCS1-v1_5 with implicit rejection                            */

static int ir_unhex(const char *h, unsigned char *out, size_t cap)
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

static EVP_PKEY *pem_key(const char *pem, struct key *k)
{
	static const char *const names[] = {
		OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E,
		OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1,
		OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
		OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
	};
	unsigned char *dst[] = { k->n, k->e, k->d, k->p, k->q, k->dp, k->dq,
				 k->qinv };
	int *dl[] = { &k->n_len, &k->e_len, &k->d_len, &k->p_len, &k->q_len,
		      &k->dp_len, &k->dq_len, &k->qinv_len };
	BIO *b = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *pk = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	unsigned int i;

	BIO_free(b);
	for (i = 0; pk && i < 8; i++) {
		BIGNUM *bn = NULL;

		if (!EVP_PKEY_get_bn_param(pk, names[i], &bn)) {
			EVP_PKEY_free(pk);
			return NULL;
		}
		*dl[i] = BN_bn2bin(bn, dst[i]);
		BN_free(bn);
	}
	return pk;
}

/*
 * The draft's appendix B: valid ciphertexts give their message, bad ones
 * the synthetic message the draft lists, with the CRT key, the d-only
 * key and with leading zero bytes on every number of the key.
 */
static void ir_vectors(void)
{
	static struct key keys[3], z;
	static unsigned char c[BUF], want[BUF], m[BUF];
	unsigned int i, j, n = 0, nsyn = 0, bad = 0, badz = 0;
	struct kc_rsa_priv pr;

	for (i = 0; i < 3; i++) {
		EVP_PKEY *pk = pem_key(ir_keys[i], &keys[i]);

		if (!pk) {
			tap_ok(0, "draft-irtf-cfrg-rsa-guidance key %u", i);
			return;
		}
		EVP_PKEY_free(pk);
	}
	for (i = 0; i < sizeof(ir_cases) / sizeof(ir_cases[0]); i++) {
		const struct ir_case *t = &ir_cases[i];
		const struct key *k = &keys[t->key];
		int cl = ir_unhex(t->ct, c, sizeof(c));
		int wl = t->msg ? ir_unhex(t->msg, want, sizeof(want)) : 0;

		n++;
		nsyn += t->synthetic;
		for (j = 0; j < 3; j++) {
			size_t ml = sizeof(m);
			int ret;

			if (j == 2) {
				/* a leading zero on every number */
				const unsigned char *src[] = {
					k->n, k->e, k->d, k->p, k->q, k->dp,
					k->dq, k->qinv };
				unsigned char *dst[] = {
					z.n, z.e, z.d, z.p, z.q, z.dp, z.dq,
					z.qinv };
				const int *sl[] = {
					&k->n_len, &k->e_len, &k->d_len,
					&k->p_len, &k->q_len, &k->dp_len,
					&k->dq_len, &k->qinv_len };
				int *zl[] = {
					&z.n_len, &z.e_len, &z.d_len, &z.p_len,
					&z.q_len, &z.dp_len, &z.dq_len,
					&z.qinv_len };
				unsigned int f;

				for (f = 0; f < 8; f++) {
					dst[f][0] = 0;
					memcpy(dst[f] + 1, src[f], *sl[f]);
					*zl[f] = *sl[f] + 1;
				}
				key_priv(&z, &pr, 1);
			} else {
				key_priv(k, &pr, j == 0);
			}
			ret = kc_rsa_pkcs1_decrypt(&pr, c, cl, m, &ml, work);
			if (cl < 0 || wl < 0 || ret || ml != (size_t)wl ||
			    memcmp(m, want, ml)) {
				if (j == 2)
					badz++;
				else
					bad++;
				printf("# %s (%s): ret %d, length %zu, want %d\n",
				       t->name, j == 0 ? "CRT" : j == 1 ?
				       "d only" : "leading zeros", ret, ml, wl);
			}
		}
	}
	tap_ok(n && !bad, "draft-irtf-cfrg-rsa-guidance B.1/B.2/B.4: %u ciphertexts (%u with bad padding) give the listed message, CRT and d-only keys (%u bad)",
	       n, nsyn, bad);
	tap_ok(n && !badz, "draft vectors with a leading zero byte on every number of the key (%u bad)",
	       badz);
}

/*
 * PKCS#1 v1.5 encryption against OpenSSL 3.0 (which has no implicit
 * rejection): OpenSSL encrypts with RSA_PKCS1_PADDING and the engine
 * decrypts, the engine encrypts and OpenSSL decrypts, every message
 * length 0..k - 11 in turn; random ciphertexts (nearly all with a bad
 * padding) give the same answer twice, and ciphertexts that differ give
 * different answers.
 */
static void enc15_differential(int bits, unsigned int n)
{
	static struct key key;
	static unsigned char msg[BUF], c[BUF], m[BUF], m2[BUF];
	EVP_PKEY *pk = ossl_key(bits, &key);
	EVP_PKEY_CTX *ec, *dc;
	unsigned int i, bad_in = 0, bad_out = 0, bad_ir = 0, same = 0;
	size_t k = (size_t)bits / 8, ml, ml2, cl, len;
	struct kc_rsa_pub pub;
	struct kc_rsa_priv pr;

	if (!pk) {
		tap_ok(0, "OpenSSL RSA-%d key", bits);
		return;
	}
	key_pub(&key, &pub);
	key_priv(&key, &pr, 1);
	ec = EVP_PKEY_CTX_new(pk, NULL);
	dc = EVP_PKEY_CTX_new(pk, NULL);
	if (!ec || !dc || EVP_PKEY_encrypt_init(ec) <= 0 ||
	    EVP_PKEY_decrypt_init(dc) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(ec, RSA_PKCS1_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(dc, RSA_PKCS1_PADDING) <= 0) {
		tap_ok(0, "OpenSSL RSA-%d PKCS#1 v1.5 contexts", bits);
		goto out;
	}
	for (i = 0; i < n; i++) {
		len = i % (k - 10);
		fill_random(msg, len);
		cl = sizeof(c);
		ml = sizeof(m);
		if (EVP_PKEY_encrypt(ec, c, &cl, msg, len) <= 0 || cl != k ||
		    kc_rsa_pkcs1_decrypt(&pr, c, cl, m, &ml, work) ||
		    ml != len || memcmp(m, msg, len))
			bad_in++;
		ml = sizeof(m);
		if (kc_rsa_pkcs1_encrypt(&pub, NULL, msg, len, c, work) ||
		    EVP_PKEY_decrypt(dc, m, &ml, c, k) <= 0 || ml != len ||
		    memcmp(m, msg, len))
			bad_out++;
		/* a random C < n: (nearly always) a bad padding */
		fill_random(c, k);
		c[0] = 0;
		ml = sizeof(m);
		ml2 = sizeof(m2);
		if (kc_rsa_pkcs1_decrypt(&pr, c, k, m, &ml, work) ||
		    kc_rsa_pkcs1_decrypt(&pr, c, k, m2, &ml2, work) ||
		    ml != ml2 || memcmp(m, m2, ml) || ml > k - 11)
			bad_ir++;
		c[k - 1] ^= 1;
		ml2 = sizeof(m2);
		if (kc_rsa_pkcs1_decrypt(&pr, c, k, m2, &ml2, work))
			bad_ir++;
		else if (ml == ml2 && !memcmp(m, m2, ml))
			same++;
	}
	tap_ok(!bad_in && !bad_out, "RSA-%d: %u messages of 0..k-11 bytes: OpenSSL encrypt -> engine decrypt (%u bad), engine encrypt -> OpenSSL decrypt (%u bad)",
	       bits, n, bad_in, bad_out);
	tap_ok(!bad_ir && same <= 1, "RSA-%d: %u random ciphertexts: the same answer twice (%u bad), a neighbour ciphertext another one (%u equal)",
	       bits, n, bad_ir, same);
out:
	EVP_PKEY_CTX_free(ec);
	EVP_PKEY_CTX_free(dc);
	EVP_PKEY_free(pk);
}

/* Public failures only: lengths, C >= n, room, a key without d. */
static void negatives_enc15(const struct key *key)
{
	static unsigned char c[BUF], m[BUF], msg[BUF];
	struct kc_rsa_pub pub;
	struct kc_rsa_priv pr;
	size_t k = k_of(key), ml;
	unsigned char ps[BUF];
	int ok = 1;

	key_pub(key, &pub);
	key_priv(key, &pr, 1);
	memset(msg, 0x5a, sizeof(msg));
	ok &= kc_rsa_pkcs1_encrypt(&pub, NULL, msg, k - 10, c, work) == KC_EINPUT;
	ok &= kc_rsa_pkcs1_encrypt(&pub, NULL, msg, k - 11, c, work) == KC_OK;
	/* a zero byte in a given PS is refused */
	memset(ps, 0x11, sizeof(ps));
	ps[3] = 0;
	ok &= kc_rsa_pkcs1_encrypt(&pub, ps, msg, 16, c, work) == KC_EINPUT;
	ml = sizeof(m);
	ok &= kc_rsa_pkcs1_decrypt(&pr, c, k - 1, m, &ml, work) == KC_EINPUT;
	ml = sizeof(m);
	ok &= kc_rsa_pkcs1_decrypt(&pr, c, k + 1, m, &ml, work) == KC_EINPUT;
	ml = k - 12;			/* room below k - 11 */
	ok &= kc_rsa_pkcs1_decrypt(&pr, c, k, m, &ml, work) == KC_EINPUT;
	ml = sizeof(m);			/* C = n, C = all ones */
	ok &= kc_rsa_pkcs1_decrypt(&pr, key->n + (key->n_len - k), k, m, &ml,
				   work) == KC_EINPUT;
	memset(c, 0xff, k);
	ml = sizeof(m);
	ok &= kc_rsa_pkcs1_decrypt(&pr, c, k, m, &ml, work) == KC_EINPUT;
	pr.d = NULL;			/* CRT only: no KDK */
	pr.d_len = 0;
	c[0] = 0;
	ml = sizeof(m);
	ok &= kc_rsa_pkcs1_decrypt(&pr, c, k, m, &ml, work) == KC_EINPUT;
	tap_ok(ok, "RSA-%zu PKCS#1 v1.5: message of k - 10 refused, k - 11 fine, zero in PS refused; C of k +- 1 bytes, C >= n, room < k - 11, no d: KC_EINPUT",
	       8 * k);
}

/* ------------------------------------------------------------------ */
/* Negatives                                                           */

/* out ^= MGF1(seed), written with OpenSSL's digests (independent code) */
static void t_mgf1_xor(enum kc_hash mgf, const unsigned char *seed,
		       size_t sl, unsigned char *out, size_t len)
{
	static unsigned char buf[BUF + 4];
	unsigned char d[64];
	unsigned int ctr = 0, dl;
	size_t i, take;

	memcpy(buf, seed, sl);
	while (len) {
		buf[sl] = (unsigned char)(ctr >> 24);
		buf[sl + 1] = (unsigned char)(ctr >> 16);
		buf[sl + 2] = (unsigned char)(ctr >> 8);
		buf[sl + 3] = (unsigned char)ctr;
		EVP_Digest(buf, sl + 4, d, &dl, md_of(mgf), NULL);
		take = len < dl ? len : dl;
		for (i = 0; i < take; i++)
			out[i] ^= d[i];
		out += take;
		len -= take;
		ctr++;
	}
}

/* C = RSAEP(00 || maskedSeed || maskedDB) for a DB of the caller's */
static int oaep_raw(const struct kc_rsa_pub *pub, size_t k, enum kc_hash h,
		    const unsigned char *db, unsigned char y,
		    unsigned char *c)
{
	static unsigned char em[BUF];
	size_t hl = kc_hash_len(h), dbl = k - hl - 1;

	em[0] = y;
	fill_random(em + 1, hl);
	memcpy(em + 1 + hl, db, dbl);
	t_mgf1_xor(h, em + 1, hl, em + 1 + hl, dbl);
	t_mgf1_xor(h, em + 1 + hl, dbl, em + 1, hl);
	return kc_rsa_public(pub, em, c, work);
}

static int all_zero(const unsigned char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

static void negatives_oaep(const struct key *key, enum kc_hash h)
{
	static unsigned char db[BUF], c[BUF], m[BUF], lab[8] = "label";
	struct kc_rsa_pub pub;
	struct kc_rsa_priv pr;
	size_t k = k_of(key), hl = kc_hash_len(h), dbl = k - hl - 1, ml;
	unsigned int bad = 0, i, j, cases = 0;
	int ret;

	key_pub(key, &pub);
	key_priv(key, &pr, 1);
	/* control: a DB this builder makes decrypts (message "abc") */
	memset(db, 0, dbl);
	kc_hash(h, lab, 5, db);
	db[dbl - 4] = 1;
	memcpy(db + dbl - 3, "abc", 3);
	oaep_raw(&pub, k, h, db, 0, c);
	ml = sizeof(m);
	ret = kc_rsa_oaep_decrypt(&pr, h, h, lab, 5, c, k, m, &ml, work);
	tap_ok(!ret && ml == 3 && !memcmp(m, "abc", 3),
	       "OAEP h=%d: hand-built EM decrypts (control)", h);
	/* room check: 2 bytes of room for 3 gives KC_EINPUT and the size */
	ml = 2;
	ret = kc_rsa_oaep_decrypt(&pr, h, h, lab, 5, c, k, m, &ml, work);
	tap_ok(ret == KC_EINPUT && ml == 3,
	       "OAEP h=%d: room 2 for a 3-byte message: KC_EINPUT, *msg_len = 3",
	       h);
	/* the empty message and the longest one */
	memset(db + hl, 0, dbl - hl);
	db[dbl - 1] = 1;
	oaep_raw(&pub, k, h, db, 0, c);
	ml = sizeof(m);
	ret = kc_rsa_oaep_decrypt(&pr, h, h, lab, 5, c, k, m, &ml, work);
	tap_ok(!ret && ml == 0, "OAEP h=%d: empty message", h);
	db[dbl - 1] = 0;
	db[hl] = 1;
	for (i = hl + 1; i < dbl; i++)
		db[i] = (unsigned char)(i * 13 + 1);
	oaep_raw(&pub, k, h, db, 0, c);
	ml = k - 2 * hl - 2;
	ret = kc_rsa_oaep_decrypt(&pr, h, h, lab, 5, c, k, m, &ml, work);
	tap_ok(!ret && ml == k - 2 * hl - 2 && !memcmp(m, db + hl + 1, ml),
	       "OAEP h=%d: longest message (%zu bytes)", h, k - 2 * hl - 2);

	/* every malformation: KC_EINPUT and an untouched (zeroed) output */
	for (i = 0; i < 9; i++) {
		const unsigned char *l = lab;
		size_t ll = 5, cl = k;
		unsigned char y = 0;

		memset(db, 0, dbl);
		kc_hash(h, lab, 5, db);
		db[dbl - 4] = 1;
		memcpy(db + dbl - 3, "abc", 3);
		switch (i) {
		case 0:			/* Y != 0 */
			y = 1;
			break;
		case 1:			/* lHash wrong in one bit */
			db[hl - 1] ^= 0x80;
			break;
		case 2:			/* no separator at all */
			db[dbl - 4] = 0;
			memset(db + dbl - 3, 0, 3);
			break;
		case 3:			/* separator 02 */
			db[dbl - 4] = 2;
			break;
		case 4:			/* nonzero byte before the 01 */
			db[hl + 2] = 0x05;
			break;
		case 5:			/* wrong label */
			l = (const unsigned char *)"labem";
			break;
		case 6:			/* no label instead of one */
			l = NULL;
			ll = 0;
			break;
		case 7:			/* ciphertext one byte short */
			cl = k - 1;
			break;
		case 8:			/* separator 01 replaced by ff */
			db[dbl - 4] = 0xff;
			break;
		}
		/* Y = 1 may make m >= n for n = 01 ...: new seeds until not */
		for (j = 0; j < 64; j++)
			if (!oaep_raw(&pub, k, h, db, y, c))
				break;
		if (j == 64) {
			bad++;
			continue;
		}
		cases++;
		memset(m, 0x5a, sizeof(m));
		ml = 64;
		ret = kc_rsa_oaep_decrypt(&pr, h, h, l, ll, c, cl, m, &ml,
					  work);
		if (ret != KC_EINPUT || ml != 64 || !all_zero(m, 64) ||
		    m[64] != 0x5a) {
			printf("# malformed case %u: ret %d ml %zu\n", i, ret, ml);
			bad++;
		}
	}
	/* corrupted ciphertext bits and c >= n */
	for (i = 0; i < 16; i++) {
		memset(db, 0, dbl);
		kc_hash(h, lab, 5, db);
		db[dbl - 1] = 1;
		oaep_raw(&pub, k, h, db, 0, c);
		c[(i * 37) % k] ^= (unsigned char)(1 << (i % 8));
		if (i == 15)
			memcpy(c, key->n + (key->n_len - k), k);
		ml = sizeof(m);
		ret = kc_rsa_oaep_decrypt(&pr, h, h, lab, 5, c, k, m, &ml,
					  work);
		cases++;
		if (ret != KC_EINPUT)
			bad++;
	}
	tap_ok(!bad, "OAEP h=%d: %u malformed (Y, lHash, separator missing/02/ff, PS byte, label, length, flipped C bits, C = n): all KC_EINPUT, output zeroed (%u bad)",
	       h, cases, bad);
}

static void negatives_sig(const struct key *key)
{
	static unsigned char t[128], sig[BUF], em[BUF], em2[BUF], bad_s[BUF];
	static unsigned char dig[64];
	struct kc_rsa_pub pub;
	struct kc_rsa_priv pr;
	size_t k = k_of(key), tl, i, hl = 32, slen = 20;
	unsigned int bad = 0, cases = 0;
	int ret, bits = 0;

	key_pub(key, &pub);
	key_priv(key, &pr, 1);
	for (i = (size_t)(key->n_len - k); key->n[i] >> bits && bits < 8;)
		bits++;
	bits += 8 * ((int)k - 1);
	fill_random(dig, hl);

	/* PKCS#1 v1.5 */
	tl = kc_rsa_digest_info(KC_SHA256, t, sizeof(t));
	memcpy(t + tl, dig, hl);
	tl += hl;
	ret = kc_rsa_pkcs1_sign_t(&pr, t, tl, sig, work);
	tap_ok(!ret && !kc_rsa_pkcs1_verify_t(&pub, t, tl, sig, k, work),
	       "RSA-%d v1.5: sign and verify (control)", bits);
	kc_rsa_public(&pub, sig, em, work);
	for (i = 0; i < 6; i++) {
		memcpy(em2, em, k);
		switch (i) {
		case 0:
			em2[1] = 0x02;		/* block type 2 */
			break;
		case 1:
			em2[5] ^= 0x01;		/* PS byte fe */
			break;
		case 2:				/* separator moved left */
			memmove(em2 + k - tl - 2, em2 + k - tl - 1, tl + 1);
			em2[k - 1] = 0x00;
			break;
		case 3:
			em2[k - tl - 1] = 0xff;	/* no 00 separator */
			break;
		case 4:
			em2[k - 1] ^= 0x01;	/* digest */
			break;
		case 5:
			em2[k - tl + 5] ^= 0x01; /* DigestInfo OID */
			break;
		}
		ret = kc_rsa_private(&pr, em2, bad_s, work);
		cases++;
		if (ret || kc_rsa_pkcs1_verify_t(&pub, t, tl, bad_s, k, work) !=
		    KC_ESIG)
			bad++;
	}
	tap_ok(!bad, "RSA-%d v1.5: %u bad encodings (type 02, PS fe, separator moved/missing, digest, OID) refused (%u bad)",
	       bits, cases, bad);
	memset(bad_s, 0xff, k);
	tap_ok(kc_rsa_pkcs1_verify_t(&pub, t, tl, sig, k - 1, work) == KC_ESIG &&
	       kc_rsa_pkcs1_verify_t(&pub, t, tl, sig, k + 1, work) == KC_ESIG &&
	       kc_rsa_pkcs1_verify_t(&pub, t, tl, key->n + key->n_len - k, k,
				     work) == KC_ESIG &&
	       kc_rsa_pkcs1_verify_t(&pub, t, tl, bad_s, k, work) == KC_ESIG,
	       "RSA-%d v1.5: signature length k - 1, k + 1, s = n, s = ff..ff: KC_ESIG",
	       bits);
	tap_ok(kc_rsa_pkcs1_sign_t(&pr, t, k - 10, sig, work) == KC_EINPUT &&
	       kc_rsa_pkcs1_verify_t(&pub, t, k - 10, sig, k, work) ==
	       KC_EINPUT && !kc_rsa_pkcs1_sign_t(&pr, em, k - 11, sig, work) &&
	       !kc_rsa_pkcs1_verify_t(&pub, em, k - 11, sig, k, work),
	       "RSA-%d v1.5: T of k - 10 bytes KC_EINPUT, k - 11 (8 ff) signs",
	       bits);

	/* PSS, SHA-256, 20-byte salt */
	ret = kc_rsa_pss_sign(&pr, KC_SHA256, KC_SHA256, NULL, slen, dig, hl,
			      sig, work);
	tap_ok(!ret && !kc_rsa_pss_verify(&pub, KC_SHA256, KC_SHA256, slen,
					  dig, hl, sig, k, work),
	       "RSA-%d PSS: random salt, sign and verify (control)", bits);
	tap_ok(kc_rsa_pss_verify(&pub, KC_SHA256, KC_SHA256, slen + 1, dig, hl,
				 sig, k, work) == KC_ESIG &&
	       kc_rsa_pss_verify(&pub, KC_SHA256, KC_SHA256, slen - 1, dig, hl,
				 sig, k, work) == KC_ESIG &&
	       kc_rsa_pss_verify(&pub, KC_SHA256, KC_SHA256, 0, dig, hl,
				 sig, k, work) == KC_ESIG &&
	       kc_rsa_pss_verify(&pub, KC_SHA256, KC_SHA1, slen, dig, hl,
				 sig, k, work) == KC_ESIG,
	       "RSA-%d PSS: salt length 21, 19, 0 and a wrong MGF hash refused",
	       bits);
	kc_rsa_public(&pub, sig, em, work);
	bad = 0;
	cases = 0;
	for (i = 0; i < 7; i++) {
		size_t off = k - ((bits - 1 + 7) / 8), dbl;

		dbl = k - off - hl - 1;
		memcpy(em2, em, k);
		switch (i) {
		case 0:
			em2[k - 1] = 0xbd;	/* trailer */
			break;
		case 1:
			em2[k - 1] = 0xcc;
			break;
		case 2:			/* a bit above emBits, m < n kept */
			if (off) {	/* 8j + 1 bits: n = 01 ..., m = 01 00 */
				em2[0] = 0x01;
				em2[1] = 0x00;
			} else {	/* n >= 80 ..., m = 80 (00) ... */
				em2[0] = 0x80;
				if (key->n[key->n_len - k] == 0x80)
					em2[1] = 0x00;
			}
			break;
		case 3:			/* separator 01 -> 03 */
			em2[off + dbl - slen - 1] ^= 0x02;
			break;
		case 4:			/* PS byte not zero */
			em2[off + 3] ^= 0x40;
			break;
		case 5:			/* salt byte: H mismatch */
			em2[off + dbl - 1] ^= 0x01;
			break;
		case 6:			/* H itself */
			em2[k - 2] ^= 0x01;
			break;
		}
		ret = kc_rsa_private(&pr, em2, bad_s, work);
		if (ret == KC_EINPUT && i == 2)
			continue;	/* top bit made m >= n: nothing to test */
		cases++;
		if (ret || kc_rsa_pss_verify(&pub, KC_SHA256, KC_SHA256, slen,
					     dig, hl, bad_s, k, work) !=
		    KC_ESIG)
			bad++;
	}
	tap_ok(!bad && cases == 7, "RSA-%d PSS: %u bad encodings (trailer bd/cc, top bit, separator, PS, salt, H) refused (%u bad)",
	       bits, cases, bad);
	dig[0] ^= 1;
	memset(bad_s, 0xff, k);
	tap_ok(kc_rsa_pss_verify(&pub, KC_SHA256, KC_SHA256, slen, dig, hl,
				 sig, k, work) == KC_ESIG &&
	       kc_rsa_pss_verify(&pub, KC_SHA256, KC_SHA256, slen, dig, hl,
				 sig, k - 1, work) == KC_ESIG &&
	       kc_rsa_pss_verify(&pub, KC_SHA256, KC_SHA256, slen, dig, hl,
				 bad_s, k, work) == KC_ESIG &&
	       kc_rsa_pss_verify(&pub, KC_SHA256, KC_SHA256, slen, dig, hl - 1,
				 sig, k, work) == KC_EINPUT,
	       "RSA-%d PSS: other digest, length k - 1, s >= n: KC_ESIG; digest length 31: KC_EINPUT",
	       bits);
	tap_ok(kc_rsa_pss_verify(&pub, KC_SHA256, KC_SHA256, (size_t)-1, dig,
				 hl, sig, k, work) == KC_ESIG &&
	       kc_rsa_pss_verify(&pub, KC_SHA256, KC_SHA256, (size_t)-30, dig,
				 hl, sig, k, work) == KC_ESIG &&
	       kc_rsa_pss_sign(&pr, KC_SHA256, KC_SHA256, NULL, (size_t)-30,
			       dig, hl, sig, work) == KC_EINPUT &&
	       kc_rsa_pkcs1_sign_t(&pr, t, (size_t)-5, sig, work) == KC_EINPUT &&
	       kc_rsa_pkcs1_verify_t(&pub, t, (size_t)-5, sig, k, work) ==
	       KC_EINPUT,
	       "RSA-%d: salt and T lengths near SIZE_MAX refused (no overflow)",
	       bits);
	/* emLen >= hLen + sLen + 2 is the largest salt */
	slen = (bits - 1 + 7) / 8 - hl - 2;
	tap_ok(!kc_rsa_pss_sign(&pr, KC_SHA256, KC_SHA256, NULL, slen, dig, hl,
				sig, work) &&
	       !kc_rsa_pss_verify(&pub, KC_SHA256, KC_SHA256, slen, dig, hl,
				  sig, k, work) &&
	       kc_rsa_pss_sign(&pr, KC_SHA256, KC_SHA256, NULL, slen + 1, dig,
			       hl, sig, work) == KC_EINPUT,
	       "RSA-%d PSS: largest salt (%zu) signs and verifies, one more KC_EINPUT",
	       bits, slen);

	/* fault hook through the PKCS#1 v1.5 path, CRT and d-only */
	memset(sig, 0xaa, k);
	ret = kc_rsa_pkcs1_sign_t_fault(&pr, t, tl, sig, work, 1);
	tap_ok(ret == KC_EFAULT && all_zero(sig, k),
	       "RSA-%d v1.5 with an injected CRT fault: KC_EFAULT (%d), signature all zero",
	       bits, ret);
	key_priv(key, &pr, 0);
	memset(sig, 0xaa, k);
	ret = kc_rsa_pkcs1_sign_t_fault(&pr, t, tl, sig, work, 1);
	tap_ok(ret == KC_EFAULT && all_zero(sig, k),
	       "RSA-%d v1.5 d-only with an injected fault: KC_EFAULT (%d), signature all zero",
	       bits, ret);
	ret = kc_rsa_pkcs1_sign_t_fault(&pr, t, tl, sig, work, 0);
	tap_ok(!ret && !kc_rsa_pkcs1_verify_t(&pub, t, tl, sig, k, work),
	       "RSA-%d v1.5: fault hook off signs again", bits);
}

static void digest_info_checks(void)
{
	static const unsigned char sha256[19] = {
		0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
		0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
	};
	static const unsigned char sha1[15] = {
		0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02,
		0x1a, 0x05, 0x00, 0x04, 0x14,
	};
	unsigned char b[64];
	size_t l1, l256;

	l1 = kc_rsa_digest_info(KC_SHA1, b, sizeof(b));
	tap_ok(l1 == 15 && !memcmp(b, sha1, 15), "DigestInfo SHA-1 prefix");
	l256 = kc_rsa_digest_info(KC_SHA256, b, sizeof(b));
	tap_ok(l256 == 19 && !memcmp(b, sha256, 19),
	       "DigestInfo SHA-256 prefix");
	tap_ok(kc_rsa_digest_info(KC_SHA224, b, 64) == 19 &&
	       kc_rsa_digest_info(KC_SHA384, b, 64) == 19 &&
	       kc_rsa_digest_info(KC_SHA512, b, 64) == 19 &&
	       kc_rsa_digest_info(0, b, 64) == 0 &&
	       kc_rsa_digest_info(KC_SHA256, b, 18) == 0 &&
	       kc_rsa_digest_info(KC_SHA1, b, 14) == 0,
	       "DigestInfo lengths; unknown hash and short buffer give 0");
}

static void oaep_custom(void)
{
	static const char *const hn[] = {
		"sha1", "sha224", "sha256", "sha384", "sha512",
	};
	char name[64];
	unsigned int i, j;

	for (i = 0; i < 5; i++)
		for (j = 0; j < 5; j++) {
			if (i == 0 && j == 0)
				continue;
			snprintf(name, sizeof(name),
				 "oaep-custom/oaep-%s-%s.txt", hn[i], hn[j]);
			text_file(name, T_OAEP_CUSTOM);
		}
}

int main(void)
{
	static const int nbits[3] = { 2048, 1025, 4096 };
	static struct key keybuf;
	struct key *key = &keybuf;
	unsigned int i, nbig;

	text_file("pkcs1v15sign-vectors.txt", T_PKCS1);
	text_file("pkcs-1v2-1d2-vec/pss-vect.txt", T_PSS);
	text_file("pkcs-1v2-1d2-vec/oaep-vect.txt", T_OAEP);
	text_file("pkcs1v15crypt-vectors.txt", T_ENC15);
	ir_vectors();
	rsp_file("SigGen15_186-3.rsp", R_GEN15);
	rsp_file("SigGenPSS_186-3.rsp", R_GENPSS);
	rsp_file("SigGen15_186-2.txt", R_GEN15);
	rsp_file("SigGenPSS_186-2.txt", R_GENPSS);
	rsp_file("SigVer15_186-3.rsp", R_VER15);
	rsp_file("SigVerPSS_186-3.rsp", R_VERPSS);
	oaep_custom();
	digest_info_checks();
	for (i = 0; i < 3; i++) {
		EVP_PKEY *pk = ossl_key(nbits[i], key);

		if (!pk) {
			tap_ok(0, "OpenSSL RSA-%d key", nbits[i]);
			continue;
		}
		negatives_sig(key);
		negatives_oaep(key, KC_SHA256);
		negatives_oaep(key, i == 2 ? KC_SHA512 : KC_SHA1);
		negatives_enc15(key);
		EVP_PKEY_free(pk);
	}
	differential(2048, env_n("DIFF_N", 10000));
	nbig = env_n("DIFF_N_BIG", 500);
	differential(3072, nbig);
	differential(4096, nbig);
	enc15_differential(2048, env_n("DIFF_N", 10000) / 10 + 10);
	enc15_differential(3072, nbig / 5 + 4);
	enc15_differential(4096, nbig / 5 + 4);
	return tap_done();
}
