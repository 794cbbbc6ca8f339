// SPDX-License-Identifier: GPL-2.0
/*
 * Known answers for the engine's P-256 and P-384 ECDSA/ECDH, read at test time:
 * RFC 6979 A.2.5 (deterministic nonces) and NIST CAVP files from Debian's
 * python3-cryptography-vectors (FIPS 186-3 SigGen/SigVer/KeyPair/PKV, SP
 * 800-56A KAS ECC CDH validity tests). Messages are hashed with OpenSSL
 * (the engine takes digests).
 */
#include <openssl/evp.h>
#include "engine.h"
#include "tap.h"

#define VEC "/usr/lib/python3/dist-packages/cryptography_vectors/asymmetric/"
#define MAXF 16
#define PL (1 + 2 * cb)

static enum kc_curve cur = KC_P256;
static int cb = 32;

struct rec {
	char section[64];
	char key[MAXF][16];
	char *val[MAXF];
	int n;
};

static const char *get(const struct rec *r, const char *k)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->key[i], k))
			return r->val[i];
	return NULL;
}

/* Fixed-size big-endian field from hex; -1 if it does not fit. */
static int get_be(const struct rec *r, const char *k, unsigned char *out,
		  int want)
{
	unsigned char buf[256];
	const char *v = get(r, k);
	int n;

	if (!v)
		return -1;
	n = unhex(v, buf, sizeof(buf));
	if (n < 0 || pad_be(buf, n, want) < 0)
		return -1;
	memcpy(out, buf, want);
	return 0;
}

static const EVP_MD *md_named(const char *section)
{
	if (strstr(section, "SHA-1]") || strstr(section, "SHA1]"))
		return EVP_sha1();
	if (strstr(section, "SHA-224") || strstr(section, "SHA224"))
		return EVP_sha224();
	if (strstr(section, "SHA-256") || strstr(section, "SHA256"))
		return EVP_sha256();
	if (strstr(section, "SHA-384") || strstr(section, "SHA384"))
		return EVP_sha384();
	if (strstr(section, "SHA-512") || strstr(section, "SHA512"))
		return EVP_sha512();
	return NULL;
}

static int digest_msg(const struct rec *r, unsigned char *dg)
{
	unsigned char msg[1024];
	const char *m = get(r, "Msg");
	unsigned int dl;
	int n;

	n = m ? unhex(m, msg, sizeof(msg)) : -1;
	if (n < 0 || !md_named(r->section))
		return -1;
	EVP_Digest(msg, n, dg, &dl, md_named(r->section), NULL);
	return (int)dl;
}

static int point_of(const struct rec *r, const char *x, const char *y,
		    unsigned char *pt)
{
	pt[0] = 4;
	return get_be(r, x, pt + 1, cb) || get_be(r, y, pt + 1 + cb, cb) ? -1 : 0;
}

typedef int (*rec_fn)(const struct rec *r);

/*
 * Run @fn on every record of @file inside a section whose header contains
 * @want; a record ends at the line whose key is @last. Returns
 * (passed << 16) | failed, or -1 if the file cannot be read.
 */
static int each(const char *file, const char *want, const char *last,
		rec_fn fn, int *npass, int *nfail)
{
	static char line[8192];
	struct rec r = { 0 };
	int in = 0, i;
	FILE *f = fopen(file, "r");

	*npass = *nfail = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *eq, *k;

		if (line[0] == '[' && !strstr(line, "Key Pair Generation")) {
			snprintf(r.section, sizeof(r.section), "%.60s", line);
			in = strstr(line, want) != NULL;
			continue;
		}
		eq = strstr(line, " = ");
		if (!in || !eq || r.n == MAXF)
			continue;
		*eq = 0;
		k = line;
		snprintf(r.key[r.n], sizeof(r.key[0]), "%.15s", k);
		r.val[r.n++] = strdup(eq + 3);
		if (!strcmp(k, last)) {
			if (fn(&r))
				++*npass;
			else
				++*nfail;
			for (i = 0; i < r.n; i++)
				free(r.val[i]);
			r.n = 0;
		}
	}
	fclose(f);
	return 0;
}

static int siggen(const struct rec *r)
{
	unsigned char d[48], k[48], q[97], pub[97], want[96], sig[96], dg[64];
	int dl = digest_msg(r, dg);

	if (dl < 0 || get_be(r, "d", d, cb) || get_be(r, "k", k, cb) ||
	    point_of(r, "Qx", "Qy", q) || get_be(r, "R", want, cb) ||
	    get_be(r, "S", want + cb, cb))
		return 0;
	return !kc_ec_pub_from_priv(cur, d, pub) && !memcmp(pub, q, PL) &&
	       !kc_ecdsa_sign_with_k(cur, d, dg, dl, k, sig) &&
	       !memcmp(sig, want, 2 * cb) &&
	       !kc_ecdsa_verify(cur, q, PL, dg, dl, sig, 2 * cb);
}

static int sigver(const struct rec *r)
{
	unsigned char q[97], sig[96], dg[64];
	int dl = digest_msg(r, dg), expect = get(r, "Result")[0] == 'P', ok;

	if (dl < 0 || point_of(r, "Qx", "Qy", q))
		return 0;
	if (get_be(r, "R", sig, cb) || get_be(r, "S", sig + cb, cb))
		return !expect;		/* r or s longer than n: invalid */
	ok = !kc_ecdsa_verify(cur, q, PL, dg, dl, sig, 2 * cb);
	return ok == expect;
}

static int keypair(const struct rec *r)
{
	unsigned char d[48], q[97], pub[97];

	if (get_be(r, "d", d, cb) || point_of(r, "Qx", "Qy", q))
		return 0;
	return !kc_ec_pub_from_priv(cur, d, pub) && !memcmp(pub, q, PL);
}

static int pkv(const struct rec *r)
{
	unsigned char q[97];
	int expect = get(r, "Result")[0] == 'P';

	if (point_of(r, "Qx", "Qy", q))
		return !expect;		/* coordinate wider than p */
	return (kc_ec_check_pub(cur, q, PL) == 0) == expect;
}

static int kas_rec(const struct rec *r)
{
	unsigned char ds[48], di[48], qs[97], qi[97], z[48], z1[48], z2[48];
	unsigned char pub[97];
	int expect = get(r, "Result")[0] == 'P', ok;

	if (get_be(r, "dsCAVS", ds, cb) || get_be(r, "dsIUT", di, cb) ||
	    point_of(r, "QsCAVSx", "QsCAVSy", qs) ||
	    point_of(r, "QsIUTx", "QsIUTy", qi) || get_be(r, "Z", z, cb))
		return !expect;
	ok = !kc_ec_check_pub(cur, qs, PL) &&
	     !kc_ec_check_pub(cur, qi, PL) &&
	     !kc_ec_pub_from_priv(cur, di, pub) && !memcmp(pub, qi, PL) &&
	     !kc_ecdh(cur, di, qs, PL, z1) && !memcmp(z1, z, cb);
	if (ok)		/* and the other direction */
		ok = !kc_ecdh(cur, ds, qi, PL, z2) && !memcmp(z2, z, cb);
	return ok == expect;
}

/* RFC 6979 A.2.5: P-256, messages "sample" and "test" */
static void rfc6979(void)
{
	static const struct {
		const char *msg;
		enum kc_hash h;
		const char *r, *s;
	} v[] = {
		{ "sample", KC_SHA224,
		  "53b2fff5d1752b2c689df257c04c40a587fababb3f6fc2702f1343af7ca9aa3f",
		  "b9afb64fdc03dc1a131c7d2386d11e349f070aa432a4acc918bea988bf75c74c" },
		{ "sample", KC_SHA256,
		  "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716",
		  "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8" },
		{ "sample", KC_SHA384,
		  "0eafea039b20e9b42309fb1d89e213057cbf973dc0cfc8f129edddc800ef7719",
		  "4861f0491e6998b9455193e34e7b0d284ddd7149a74b95b9261f13abde940954" },
		{ "sample", KC_SHA512,
		  "8496a60b5e9b47c825488827e0495b0e3fa109ec4568fd3f8d1097678eb97f00",
		  "2362ab1adbe2b8adf9cb9edab740ea6049c028114f2460f96554f61fae3302fe" },
		{ "test", KC_SHA224,
		  "c37edb6f0ae79d47c3c27e962fa269bb4f441770357e114ee511f662ec34a692",
		  "c820053a05791e521fcaad6042d40aea1d6b1a540138558f47d0719800e18f2d" },
		{ "test", KC_SHA256,
		  "f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367",
		  "019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083" },
		{ "test", KC_SHA384,
		  "83910e8b48bb0c74244ebdf7f07a1c5413d61472bd941ef3920e623fbccebeb6",
		  "8ddbec54cf8cd5874883841d712142a56a8d0f218f5003cb0296b6b509619f2c" },
		{ "test", KC_SHA512,
		  "461d93f31b6540894788fd206c07cfa0cc35f46fa3c91816fff1040ad1581a04",
		  "39af9f15de0db8d97e72719c74820d304ce5226e32dedae67519e840d1194e55" },
	};
	unsigned char x[32], q[65], pub[65], want[64], sig[64], dg[64];
	unsigned int i;

	unhex("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
	      x, 32);
	q[0] = 4;
	unhex("60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6",
	      q + 1, 32);
	unhex("7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299",
	      q + 33, 32);
	tap_ok(!kc_ec_pub_from_priv(KC_P256, x, pub) && !memcmp(pub, q, 65),
	       "RFC 6979 A.2.5 public key");
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int ok;

		kc_hash(v[i].h, (const unsigned char *)v[i].msg,
			strlen(v[i].msg), dg);
		unhex(v[i].r, want, 32);
		unhex(v[i].s, want + 32, 32);
		ok = !kc_ecdsa_sign(KC_P256, x, dg, kc_hash_len(v[i].h), v[i].h,
				    NULL, 0, sig) && !memcmp(sig, want, 64);
		ok = ok && !kc_ecdsa_verify(KC_P256, q, 65, dg,
					    kc_hash_len(v[i].h), sig, 64);
		tap_ok(ok, "RFC 6979 A.2.5 P-256 hash %d message \"%s\"",
		       v[i].h, v[i].msg);
	}
}

static void run(const char *what, const char *file, const char *want,
		const char *last, rec_fn fn, int min)
{
	int p, f;

	if (each(file, want, last, fn, &p, &f)) {
		tap_ok(0, "%s: cannot read %s", what, file);
		return;
	}
	tap_ok(!f && p >= min, "%s: %d passed, %d failed (%s)", what, p, f,
	       file + sizeof(VEC) - 1);
}

static void cavp(enum kc_curve c, const char *name, const char *kas)
{
	char sec[32], what[80];

	cur = c;
	cb = (int)kc_ec_bytes(c);
	snprintf(sec, sizeof(sec), "[%s,", name);
	snprintf(what, sizeof(what), "CAVP SigGen %s (given k)", name);
	run(what, VEC "ECDSA/FIPS_186-3/SigGen.txt", sec, "S", siggen, 75);
	snprintf(what, sizeof(what), "CAVP SigVer %s", name);
	run(what, VEC "ECDSA/FIPS_186-3/SigVer.rsp", sec, "Result", sigver, 75);
	snprintf(sec, sizeof(sec), "[%s]", name);
	snprintf(what, sizeof(what), "CAVP KeyPair %s", name);
	run(what, VEC "ECDSA/FIPS_186-3/KeyPair.rsp", sec, "Qy", keypair, 10);
	snprintf(what, sizeof(what), "CAVP PKV %s", name);
	run(what, VEC "ECDSA/FIPS_186-3/PKV.rsp", sec, "Result", pkv, 12);
	snprintf(what, sizeof(what), "CAVP KAS ECC CDH %s (init)", name);
	run(what, VEC "ECDH/KASValidityTest_ECCStaticUnified_NOKC_ZZOnly_init.fax",
	    kas, "Result", kas_rec, 25);
	snprintf(what, sizeof(what), "CAVP KAS ECC CDH %s (resp)", name);
	run(what, VEC "ECDH/KASValidityTest_ECCStaticUnified_NOKC_ZZOnly_resp.fax",
	    kas, "Result", kas_rec, 25);
}

int main(void)
{
	rfc6979();
	cavp(KC_P256, "P-256", "[EC - SHA256]");
	cavp(KC_P384, "P-384", "[ED - SHA384]");
	return tap_done();
}
