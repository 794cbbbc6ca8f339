// SPDX-License-Identifier: GPL-2.0
/*
 * bench-crypto: engine vs OpenSSL (EVP, default provider) in the same run.
 * Prints "bench-crypto: <op>[tag] khsm=<ops/s> openssl=<ops/s> ratio=<k/o>".
 * BENCH_SECS (default 2) sets the time per measurement; BENCH_ONLY=<word>
 * runs only the groups whose name contains it (p256, p384, p521, ed25519,
 * x25519, rsa2048, rsa3072, keygen). BENCH_TAG=<word> is appended to each
 * op name (make bench runs the RSA groups a second time with OpenSSL's
 * AVX-512 IFMA code masked off through OPENSSL_ia32cap, tag "-no-ifma",
 * since the kernel engine has no AVX-512 path: see README).
 */
#include <openssl/evp.h>
#include <openssl/ec.h>
#include <openssl/core_names.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "engine.h"

static double secs = 2.0;
static const char *only;
static const char *tag = "";

static int want(const char *group)
{
	return !only || strstr(group, only);
}

/*
 * CPU time of this process: every operation here is single-threaded, and
 * on a machine shared with other jobs wall time mostly measures them.
 */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * var = best ops/s over ROUNDS slices of secs/ROUNDS each. The khsm and
 * OpenSSL measurements of one op alternate slice by slice (see PAIR), so
 * load from other processes hits both alike; the best slice is the least
 * disturbed one.
 */
#define ROUNDS 5
#define SLICE(best, body) do {					\
	double t0 = now(), t, r;					\
	long n = 0;							\
	do {								\
		int i_;							\
		for (i_ = 0; i_ < 8; i_++) {				\
			body;						\
		}							\
		n += 8;							\
	} while ((t = now() - t0) < secs / ROUNDS);			\
	r = n / t;							\
	if (r > best)							\
		best = r;						\
} while (0)
#define PAIR(k, kbody, o, obody) do {				\
	int r_;								\
	k = o = 0;							\
	for (r_ = 0; r_ < ROUNDS; r_++) {				\
		SLICE(k, kbody);					\
		SLICE(o, obody);					\
	}								\
} while (0)

static void die(const char *what)
{
	fprintf(stderr, "bench: %s failed\n", what);
	exit(1);
}

static void line(const char *op, double k, double o)
{
	printf("bench-crypto: %s%s khsm=%.0f openssl=%.0f ratio=%.2f\n",
	       op, tag, k, o, k / o);
	fflush(stdout);
}

static EVP_PKEY *ossl_key(const char *group)
{
	EVP_PKEY *pk = EVP_EC_gen(group);

	if (!pk)
		die("EVP_EC_gen");
	return pk;
}

/* the uncompressed public point of an OpenSSL key */
static void ossl_pub(EVP_PKEY *pk, unsigned char *pub, size_t len)
{
	size_t got;

	if (!EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, pub,
					     len, &got) || got != len)
		die("get public key");
}

static void bench_curve(const char *name, const char *group,
			enum kc_curve curve)
{
	unsigned char priv[KC_EC_MAX_BYTES], pub[KC_EC_MAX_POINT];
	unsigned char opub[KC_EC_MAX_POINT], z[KC_EC_MAX_BYTES];
	unsigned char dg[64], sig[2 * KC_EC_MAX_BYTES], der[160], zz[80];
	unsigned char rnd[32];
	size_t bytes = kc_ec_bytes(curve), plen = 1 + 2 * bytes;
	size_t derlen, zlen;
	double k, o;
	char op[32];
	EVP_PKEY *pk = ossl_key(group), *peer = ossl_key(group);
	EVP_PKEY_CTX *sctx = EVP_PKEY_CTX_new(pk, NULL);
	EVP_PKEY_CTX *vctx = EVP_PKEY_CTX_new(pk, NULL);
	EVP_PKEY_CTX *dctx = EVP_PKEY_CTX_new(pk, NULL);
	enum kc_hash h = bytes == 32 ? KC_SHA256 :
			 bytes == 48 ? KC_SHA384 : KC_SHA512;

	memset(dg, 0x5a, sizeof(dg));
	if (kc_ec_keygen(curve, priv, pub))
		die("kc_ec_keygen");
	ossl_pub(peer, opub, plen);
	if (!sctx || EVP_PKEY_sign_init(sctx) <= 0 ||
	    !vctx || EVP_PKEY_verify_init(vctx) <= 0 ||
	    !dctx || EVP_PKEY_derive_init(dctx) <= 0 ||
	    EVP_PKEY_derive_set_peer(dctx, peer) <= 0)
		die("EVP init");

	snprintf(op, sizeof(op), "%s-sign", name);
	PAIR(k, kc_random(rnd, sizeof(rnd));
	     if (kc_ecdsa_sign(curve, priv, dg, kc_hash_len(h), h,
			       rnd, sizeof(rnd), sig))
		     die("kc_ecdsa_sign"),
	     o, derlen = sizeof(der);
	     if (EVP_PKEY_sign(sctx, der, &derlen, dg, kc_hash_len(h)) <= 0)
		     die("EVP_PKEY_sign"));
	line(op, k, o);

	snprintf(op, sizeof(op), "%s-verify", name);
	PAIR(k, if (kc_ecdsa_verify(curve, pub, plen, dg, kc_hash_len(h),
				    sig, 2 * bytes))
		     die("kc_ecdsa_verify"),
	     o, if (EVP_PKEY_verify(vctx, der, derlen, dg,
				    kc_hash_len(h)) != 1)
		     die("EVP_PKEY_verify"));
	line(op, k, o);

	snprintf(op, sizeof(op), "%s-ecdh", name);
	PAIR(k, if (kc_ecdh(curve, priv, opub, plen, z)) die("kc_ecdh"),
	     o, zlen = sizeof(zz);
	     if (EVP_PKEY_derive(dctx, zz, &zlen) <= 0)
		     die("EVP_PKEY_derive"));
	line(op, k, o);

	EVP_PKEY_CTX_free(sctx);
	EVP_PKEY_CTX_free(vctx);
	EVP_PKEY_CTX_free(dctx);
	EVP_PKEY_free(pk);
	EVP_PKEY_free(peer);
}

static void bench_x25519(void)
{
	unsigned char a[32], pa[32], pb[32], z[32], zz[32];
	size_t zlen;
	double k, o;
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	EVP_PKEY *peer = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	EVP_PKEY_CTX *dctx = pk ? EVP_PKEY_CTX_new(pk, NULL) : NULL;

	zlen = sizeof(pb);
	if (!dctx || EVP_PKEY_derive_init(dctx) <= 0 ||
	    EVP_PKEY_derive_set_peer(dctx, peer) <= 0 ||
	    !EVP_PKEY_get_raw_public_key(peer, pb, &zlen) ||
	    kc_x25519_keygen(a, pa))
		die("X25519 setup");
	PAIR(k, if (kc_x25519(z, a, pb)) die("kc_x25519"),
	     o, zlen = sizeof(zz);
	     if (EVP_PKEY_derive(dctx, zz, &zlen) <= 0)
		     die("EVP_PKEY_derive X25519"));
	line("x25519", k, o);
	EVP_PKEY_CTX_free(dctx);
	EVP_PKEY_free(pk);
	EVP_PKEY_free(peer);
}

static void bench_ed25519(void)
{
	unsigned char seed[32], pub[32], sig[64], osig[64], msg[32] = { 1 };
	size_t slen;
	double k, o;
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	EVP_MD_CTX *sctx = EVP_MD_CTX_new(), *vctx = EVP_MD_CTX_new();

	if (!pk || !sctx || !vctx || kc_ed25519_keygen(seed, pub) ||
	    kc_ed25519_sign(sig, seed, pub, msg, sizeof(msg)))
		die("Ed25519 setup");
	slen = sizeof(osig);
	if (EVP_DigestSignInit(sctx, NULL, NULL, NULL, pk) <= 0 ||
	    EVP_DigestSign(sctx, osig, &slen, msg, sizeof(msg)) <= 0)
		die("EVP_DigestSign Ed25519");
	PAIR(k, if (kc_ed25519_sign(sig, seed, pub, msg, sizeof(msg)))
		     die("kc_ed25519_sign"),
	     o, slen = sizeof(osig);
	     if (EVP_DigestSignInit(sctx, NULL, NULL, NULL, pk) <= 0 ||
		 EVP_DigestSign(sctx, osig, &slen, msg, sizeof(msg)) <= 0)
		     die("EVP_DigestSign Ed25519"));
	line("ed25519-sign", k, o);
	PAIR(k, if (kc_ed25519_verify(pub, msg, sizeof(msg), sig, 64))
		     die("kc_ed25519_verify"),
	     o, if (EVP_DigestVerifyInit(vctx, NULL, NULL, NULL, pk) <= 0 ||
		    EVP_DigestVerify(vctx, osig, 64, msg, sizeof(msg)) != 1)
		     die("EVP_DigestVerify Ed25519"));
	line("ed25519-verify", k, o);
	EVP_MD_CTX_free(sctx);
	EVP_MD_CTX_free(vctx);
	EVP_PKEY_free(pk);
}

/* RSA: key from OpenSSL, parts handed to the engine as big-endian bytes */
struct rsa_parts {
	unsigned char b[8][KC_RSA_MAX_BYTES];
	size_t len[8];
};

static void rsa_part(EVP_PKEY *pk, const char *name, struct rsa_parts *rp,
		     int i)
{
	BIGNUM *b = NULL;

	if (!EVP_PKEY_get_bn_param(pk, name, &b))
		die("EVP_PKEY_get_bn_param");
	rp->len[i] = (size_t)BN_bn2bin(b, rp->b[i]);
	BN_free(b);
}

static void bench_rsa(int bits, int verify)
{
	static const char *names[8] = {
		OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E,
		OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1,
		OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
		OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
	};
	static struct rsa_parts rp;
	static u64 work[KC_RSA_WORK_BYTES / 8];
	static unsigned char tin[64], sig[KC_RSA_MAX_BYTES];
	static unsigned char osig[KC_RSA_MAX_BYTES];
	unsigned char dg[32];
	size_t tl, olen = sizeof(osig);
	double k, o;
	char op[32];
	int i;
	EVP_PKEY *pk = EVP_RSA_gen(bits);
	EVP_PKEY_CTX *sctx = pk ? EVP_PKEY_CTX_new(pk, NULL) : NULL;
	EVP_PKEY_CTX *vctx = pk ? EVP_PKEY_CTX_new(pk, NULL) : NULL;
	struct kc_rsa_priv priv;
	struct kc_rsa_pub pub;

	if (!sctx || !vctx || EVP_PKEY_sign_init(sctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(sctx, RSA_PKCS1_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_signature_md(sctx, EVP_sha256()) <= 0 ||
	    EVP_PKEY_verify_init(vctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(vctx, RSA_PKCS1_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_signature_md(vctx, EVP_sha256()) <= 0)
		die("EVP RSA init");
	for (i = 0; i < 8; i++)
		rsa_part(pk, names[i], &rp, i);
	priv = (struct kc_rsa_priv){
		.n = rp.b[0], .n_len = rp.len[0], .e = rp.b[1],
		.e_len = rp.len[1], .d = rp.b[2], .d_len = rp.len[2],
		.p = rp.b[3], .p_len = rp.len[3], .q = rp.b[4],
		.q_len = rp.len[4], .dp = rp.b[5], .dp_len = rp.len[5],
		.dq = rp.b[6], .dq_len = rp.len[6], .qinv = rp.b[7],
		.qinv_len = rp.len[7],
	};
	pub = (struct kc_rsa_pub){ .n = rp.b[0], .n_len = rp.len[0],
				   .e = rp.b[1], .e_len = rp.len[1] };
	/* T = DigestInfo(SHA-256) || digest, as CKM_SHA256_RSA_PKCS makes */
	memset(dg, 0x5a, sizeof(dg));
	tl = kc_rsa_digest_info(KC_SHA256, tin, sizeof(tin));
	if (!tl)
		die("kc_rsa_digest_info");
	memcpy(tin + tl, dg, sizeof(dg));
	tl += sizeof(dg);
	if (kc_rsa_pkcs1_sign_t(&priv, tin, tl, sig, work) ||
	    EVP_PKEY_sign(sctx, osig, &olen, dg, sizeof(dg)) <= 0 ||
	    olen != rp.len[0] || memcmp(sig, osig, olen))
		die("RSA PKCS#1 v1.5 signatures differ");

	snprintf(op, sizeof(op), "rsa%d-sign", bits);
	PAIR(k, if (kc_rsa_pkcs1_sign_t(&priv, tin, tl, sig, work))
		     die("kc_rsa_pkcs1_sign_t"),
	     o, olen = sizeof(osig);
	     if (EVP_PKEY_sign(sctx, osig, &olen, dg, sizeof(dg)) <= 0)
		     die("EVP_PKEY_sign RSA"));
	line(op, k, o);

	if (verify) {
		snprintf(op, sizeof(op), "rsa%d-verify", bits);
		PAIR(k, if (kc_rsa_pkcs1_verify_t(&pub, tin, tl, sig, olen,
						  work))
			     die("kc_rsa_pkcs1_verify_t"),
		     o, if (EVP_PKEY_verify(vctx, osig, olen, dg,
					    sizeof(dg)) != 1)
			     die("EVP_PKEY_verify RSA"));
		line(op, k, o);
	}
	EVP_PKEY_CTX_free(sctx);
	EVP_PKEY_CTX_free(vctx);
	EVP_PKEY_free(pk);
}

/*
 * RSA-2048 key generation: its time varies a lot from key to key, so the
 * mean of 20 keygens each (alternating engine and EVP_PKEY_keygen), not
 * the best slice.
 */
static void bench_rsa_keygen(void)
{
	static u64 work[KC_RSA_WORK_BYTES / 8];
	static unsigned char b[7][KC_RSA_MAX_BYTES];
	static const unsigned char e[] = { 1, 0, 1 };
	const struct kc_rsa_keygen_out out = {
		b[0], b[1], b[2], b[3], b[4], b[5], b[6],
	};
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *pk;
	double tk = 0, to = 0, t;
	int i, n = 20;

	if (!c || EVP_PKEY_keygen_init(c) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(c, 2048) <= 0)
		die("EVP RSA keygen init");
	for (i = 0; i < n; i++) {
		t = now();
		if (kc_rsa_keygen(2048, e, sizeof(e), &out, work))
			die("kc_rsa_keygen");
		tk += now() - t;
		pk = NULL;
		t = now();
		if (EVP_PKEY_keygen(c, &pk) <= 0)
			die("EVP_PKEY_keygen RSA");
		to += now() - t;
		EVP_PKEY_free(pk);
	}
	EVP_PKEY_CTX_free(c);
	/* a few keys per second: one decimal */
	printf("bench-crypto: rsa2048-keygen%s khsm=%.1f openssl=%.1f ratio=%.2f\n",
	       tag,
	       n / tk, n / to, to / tk);
}

int main(void)
{
	const char *s = getenv("BENCH_SECS");

	if (s && atof(s) > 0)
		secs = atof(s);
	only = getenv("BENCH_ONLY");
	if (getenv("BENCH_TAG"))
		tag = getenv("BENCH_TAG");
	if (want("p256"))
		bench_curve("p256", "P-256", KC_P256);
	if (want("p384"))
		bench_curve("p384", "P-384", KC_P384);
	if (want("p521"))
		bench_curve("p521", "P-521", KC_P521);
	if (want("ed25519"))
		bench_ed25519();
	if (want("x25519"))
		bench_x25519();
	if (want("rsa2048"))
		bench_rsa(2048, 1);
	if (want("rsa3072"))
		bench_rsa(3072, 0);
	if (want("rsa2048-keygen"))
		bench_rsa_keygen();
	return 0;
}
