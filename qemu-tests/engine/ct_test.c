// SPDX-License-Identifier: GPL-2.0
/*
 * Constant-time test, run under valgrind memcheck (make check does):
 * private keys and all random bytes (kc_random in this build) are marked
 * undefined, so any branch or memory index that depends on them is reported
 * as "conditional jump or move depends on uninitialised value(s)" or an
 * uninitialised address, and valgrind's --error-exitcode fails the run.
 * The engine declassifies only values that are public by design (the
 * rejection-sampling verdicts, r, the finished signature and public key).
 *
 * "ct_test --canary" runs one deliberately secret-dependent branch: make
 * check expects valgrind to fail it, proving the harness can see a leak;
 * "--canary-adx" does the same after a MULX/ADX squaring, proving that
 * valgrind follows secrets through those instructions.
 */
#include <valgrind/memcheck.h>
#include <ctype.h>
#include "engine.h"
#include "bn.h"
#include "tap.h"

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

static void run(enum kc_curve cv, const char *name, int n)
{
	unsigned char d[66], pub[133], peer_d[66], peer[133], dg[66], sig[132];
	unsigned char z[66], z2[66], rnd[32];
	int i, bad = 0, cb = (int)kc_ec_bytes(cv), pl = 1 + 2 * cb;
	enum kc_hash h = cb == 32 ? KC_SHA256 : cb == 48 ? KC_SHA384 : KC_SHA512;

	for (i = 0; i < n; i++) {
		int r1, r2, r3, r4;

		memset(dg, i, sizeof(dg));
		r1 = kc_ec_keygen(cv, d, pub);	/* random is secret */
		r2 = kc_ec_keygen(cv, peer_d, peer);
		SECRET(d, sizeof(d));
		kc_random(rnd, sizeof(rnd));
		r3 = kc_ecdsa_sign(cv, d, dg, cb, h, rnd, 32, sig);
		r3 |= kc_ecdsa_sign(cv, d, dg, cb, h, NULL, 0, sig);
		r4 = kc_ecdh(cv, d, peer, pl, z);
		r4 |= kc_ec_pub_from_priv(cv, d, pub);
		/* check results only after declassifying them */
		PUBLIC(z, sizeof(z));
		PUBLIC(peer_d, sizeof(peer_d));
		r4 |= kc_ecdh(cv, peer_d, pub, pl, z2);
		PUBLIC(z2, sizeof(z2));
		if (r1 || r2 || r3 || r4 ||
		    kc_ecdsa_verify(cv, pub, pl, dg, cb, sig, 2 * cb) ||
		    memcmp(z, z2, cb))
			bad++;
	}
	tap_ok(!bad, "%s: %d rounds of keygen, sign (hedged and deterministic), ECDH, pub-from-priv with secret inputs (%d bad results)",
	       name, n, bad);
}

/* the byte-level primitives on secrets, ECDSA rebuilt from them */
static void prims(enum kc_curve cv, const char *name, int n)
{
	unsigned char d[66], k[66], pub[133], e[66], xy[132], t[66], w[66];
	unsigned char sig[132];
	int i, bad = 0, cb = (int)kc_ec_bytes(cv), r;
	int dl = cb > 64 ? 64 : cb;	/* P-521: a 64-byte digest, e < 2^512 */

	for (i = 0; i < n; i++) {
		r = kc_ec_keygen(cv, d, pub);
		r |= kc_ec_keygen(cv, k, xy);
		SECRET(d, sizeof(d));
		SECRET(k, sizeof(k));
		memset(e, 0, sizeof(e));
		memset(e + cb - dl, i + 1, dl);
		r |= kc_ec_scalar_reduce(cv, e, e);
		r |= kc_ec_mul_base(cv, k, xy);
		r |= kc_ec_scalar_reduce(cv, xy, sig);
		PUBLIC(sig, cb);			/* r is public */
		r |= kc_ec_scalar_inv(cv, k, t);
		r |= kc_ec_scalar_mul(cv, sig, d, w);
		r |= kc_ec_scalar_add(cv, w, e, w);
		r |= kc_ec_scalar_mul(cv, t, w, sig + cb);
		PUBLIC(sig + cb, cb);			/* s is public */
		if (r || kc_ecdsa_verify(cv, pub, 1 + 2 * cb, e + cb - dl, dl,
					 sig, 2 * cb))
			bad++;
	}
	tap_ok(!bad, "%s: %d rounds of ECDSA from primitives (mul_base, scalar inv/mul/add) on secrets (%d bad)",
	       name, n, bad);
}

static void x25519(int n)
{
	unsigned char a[32], pa[32], b[32], pb[32], z1[32], z2[32];
	int i, bad = 0, r;

	for (i = 0; i < n; i++) {
		r = kc_x25519_keygen(a, pa);	/* random is secret */
		r |= kc_x25519_keygen(b, pb);
		r |= kc_x25519(z1, a, pb);
		r |= kc_x25519(z2, b, pa);
		PUBLIC(z1, 32);
		PUBLIC(z2, 32);
		PUBLIC(pa, 32);
		PUBLIC(pb, 32);
		if (r || memcmp(z1, z2, 32))
			bad++;
	}
	tap_ok(!bad, "X25519: %d rounds of keygen and exchange with secret scalars (%d bad results)",
	       n, bad);
}

/* Ed25519 keygen and sign with the seed undefined (secret) */
static void ed25519(int n)
{
	unsigned char seed[32], pub[32], sig[64], sig2[64], m[48];
	int i, bad = 0, r;

	for (i = 0; i < n; i++) {
		r = kc_ed25519_keygen(seed, pub);	/* random is secret */
		SECRET(seed, 32);
		memset(m, i, sizeof(m));
		r |= kc_ed25519_pub_from_seed(pub, seed);
		r |= kc_ed25519_sign(sig, seed, pub, m, sizeof(m));
		r |= kc_ed25519_sign(sig2, seed, NULL, m, sizeof(m));
		PUBLIC(pub, 32);
		PUBLIC(sig, 64);
		PUBLIC(sig2, 64);
		if (r || memcmp(sig, sig2, 64) ||
		    kc_ed25519_verify(pub, m, sizeof(m), sig, 64))
			bad++;
	}
	tap_ok(!bad, "Ed25519: %d rounds of keygen and sign with a secret seed (%d bad results)",
	       n, bad);
}

/* RSA-2048 key of pkcs1v15sign-vectors.txt example 15 (n, e, d, CRT) */
#define RSA_VEC "/usr/lib/python3/dist-packages/cryptography_vectors/asymmetric/RSA/pkcs1v15sign-vectors.txt"

struct rsa_key {
	unsigned char b[8][256];
	size_t len[8];	/* n e d p q dp dq qinv */
};

static size_t hex_block(FILE *f, unsigned char *out, size_t max)
{
	char line[256], *p;
	unsigned int v;
	size_t n = 0;
	int used;

	while (fgets(line, sizeof(line), f)) {
		for (p = line; isspace((unsigned char)*p); p++)
			;
		if (!*p)
			break;
		while (sscanf(p, "%2x%n", &v, &used) == 1) {
			if (n < max)
				out[n++] = (unsigned char)v;
			for (p += used; isspace((unsigned char)*p); p++)
				;
		}
	}
	return n;
}

static int rsa_key15(struct rsa_key *k)
{
	static const char *label[8] = {
		"# Modulus:", "# Public exponent:", "# Exponent:",
		"# Prime 1:", "# Prime 2:", "# Prime exponent 1:",
		"# Prime exponent 2:", "# Coefficient:",
	};
	FILE *f = fopen(RSA_VEC, "r");
	char line[256];
	int in = 0, priv = 0, i, got = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && got < 8) {
		if (!strncmp(line, "# Example 15:", 13))
			in = 1;
		if (!in)
			continue;
		if (!strncmp(line, "# Private key", 13))
			priv = 1;
		if (!priv)
			continue;
		for (i = 0; i < 8; i++)
			if (!strncmp(line, label[i], strlen(label[i]))) {
				k->len[i] = hex_block(f, k->b[i], 256);
				got++;
			}
	}
	fclose(f);
	return got == 8 && k->len[0] == 256 ? 0 : -1;
}

/*
 * The Montgomery multiply the RSA runs use: portable C, or MULX/ADX
 * (bn_adx.c). valgrind hides BMI2/ADX from CPUID, so kc_mont_init()
 * would pick C there; both are forced in turn. valgrind executes
 * MULX/ADCX/ADOX itself (VEX), also on a host without them.
 */
static const char *bn_path = "C";

/* RSA-2048 private operation (CRT and d only) on a secret key and input */
static void rsa(int n)
{
	static struct rsa_key k;
	static unsigned long long work[KC_RSA_WORK_BYTES / 8];
	unsigned char x[256], s[256], y[256];
	struct kc_rsa_priv pr;
	struct kc_rsa_pub pub;
	int i, crt, bad = 0;

	if (rsa_key15(&k)) {
		tap_ok(0, "RSA: read key 15 of %s", RSA_VEC);
		return;
	}
	pub = (struct kc_rsa_pub){ .n = k.b[0], .n_len = k.len[0],
				   .e = k.b[1], .e_len = k.len[1] };
	for (i = 2; i < 8; i++)
		SECRET(k.b[i], k.len[i]);	/* d, p, q, dp, dq, qinv */
	for (crt = 1; crt >= 0; crt--) {
		pr = (struct kc_rsa_priv){
			.n = k.b[0], .n_len = k.len[0], .e = k.b[1],
			.e_len = k.len[1], .d = k.b[2], .d_len = k.len[2],
		};
		if (crt) {
			pr.p = k.b[3];
			pr.p_len = k.len[3];
			pr.q = k.b[4];
			pr.q_len = k.len[4];
			pr.dp = k.b[5];
			pr.dp_len = k.len[5];
			pr.dq = k.b[6];
			pr.dq_len = k.len[6];
			pr.qinv = k.b[7];
			pr.qinv_len = k.len[7];
		}
		for (i = 0; i < n; i++) {
			int r;

			kc_random(x, sizeof(x));	/* secret input */
			x[0] = 0;
			r = kc_rsa_private(&pr, x, s, work);
			PUBLIC(s, sizeof(s));		/* the result is public */
			PUBLIC(x, sizeof(x));
			if (r || kc_rsa_public(&pub, s, y, work) ||
			    memcmp(x, y, sizeof(x)))
				bad++;
		}
	}
	tap_ok(!bad, "RSA-2048 (%s Montgomery): %d private operations with CRT and %d with d only on a secret key and input (%d bad)",
	       bn_path, n, n, bad);
}

/*
 * PKCS#1 encodings (rsa_pad.c) on the secret key: OAEP decrypt of valid,
 * corrupted and wrong-label ciphertexts (the padding check runs on the
 * secret decrypted block), PKCS#1 v1.5 decryption of a valid and of a
 * corrupted ciphertext (implicit rejection: the KDK from d, the synthetic
 * message and the masked choice between it and the decrypted block),
 * PKCS#1 v1.5 and PSS (random salt) signatures.
 */
static void rsa_pad(int n)
{
	static struct rsa_key k;
	static unsigned long long work[KC_RSA_WORK_BYTES / 8];
	unsigned char c[256], m[256], t[51] = { 0x30 }, sig[256];
	unsigned char seed[32] = { 7 }, dg[32] = { 1 };
	struct kc_rsa_priv pr;
	struct kc_rsa_pub pub;
	int i, bad = 0;
	size_t ml;

	if (rsa_key15(&k)) {
		tap_ok(0, "RSA: read key 15 of %s", RSA_VEC);
		return;
	}
	pub = (struct kc_rsa_pub){ .n = k.b[0], .n_len = k.len[0],
				   .e = k.b[1], .e_len = k.len[1] };
	pr = (struct kc_rsa_priv){
		.n = k.b[0], .n_len = k.len[0], .e = k.b[1], .e_len = k.len[1],
		.d = k.b[2], .d_len = k.len[2], .p = k.b[3], .p_len = k.len[3],
		.q = k.b[4], .q_len = k.len[4], .dp = k.b[5],
		.dp_len = k.len[5], .dq = k.b[6], .dq_len = k.len[6],
		.qinv = k.b[7], .qinv_len = k.len[7],
	};
	for (i = 2; i < 8; i++)
		SECRET(k.b[i], k.len[i]);
	for (i = 0; i < n; i++) {
		seed[1] = (unsigned char)i;
		bad += kc_rsa_oaep_encrypt(&pub, KC_SHA256, KC_SHA256,
					   (const u8 *)"L", 1, seed,
					   (const u8 *)"message", 7, c,
					   work) != 0;
		ml = sizeof(m);
		bad += kc_rsa_oaep_decrypt(&pr, KC_SHA256, KC_SHA256,
					   (const u8 *)"L", 1, c, 256, m, &ml,
					   work) != 0;
		PUBLIC(m, sizeof(m));
		bad += ml != 7 || memcmp(m, "message", 7);
		ml = sizeof(m);
		bad += kc_rsa_oaep_decrypt(&pr, KC_SHA256, KC_SHA256,
					   (const u8 *)"M", 1, c, 256, m, &ml,
					   work) != KC_EINPUT;
		c[100 + i] ^= 0x01;
		ml = sizeof(m);
		bad += kc_rsa_oaep_decrypt(&pr, KC_SHA256, KC_SHA256,
					   (const u8 *)"L", 1, c, 256, m, &ml,
					   work) != KC_EINPUT;
		/* PKCS#1 v1.5 decryption: valid, then implicitly rejected */
		bad += kc_rsa_pkcs1_encrypt(&pub, NULL, (const u8 *)"message",
					    7, c, work) != 0;
		PUBLIC(c, sizeof(c));
		ml = sizeof(m);
		bad += kc_rsa_pkcs1_decrypt(&pr, c, 256, m, &ml, work) != 0;
		PUBLIC(m, sizeof(m));
		bad += ml != 7 || memcmp(m, "message", 7);
		c[50 + i] ^= 0x01;
		ml = sizeof(m);
		bad += kc_rsa_pkcs1_decrypt(&pr, c, 256, m, &ml, work) != 0;
		PUBLIC(m, sizeof(m));
		bad += ml == 7 && !memcmp(m, "message", 7);
		bad += kc_rsa_pkcs1_sign_t(&pr, t, sizeof(t), sig, work) != 0;
		PUBLIC(sig, sizeof(sig));
		bad += kc_rsa_pkcs1_verify_t(&pub, t, sizeof(t), sig, 256,
					     work) != 0;
		bad += kc_rsa_pss_sign(&pr, KC_SHA256, KC_SHA256, NULL, 32, dg,
				       32, sig, work) != 0;
		PUBLIC(sig, sizeof(sig));
		bad += kc_rsa_pss_verify(&pub, KC_SHA256, KC_SHA256, 32, dg, 32,
					 sig, 256, work) != 0;
	}
	tap_ok(!bad, "RSA-2048 PKCS#1 (%s Montgomery): %d x (OAEP decrypt valid, wrong label, corrupted; v1.5 decrypt valid and implicitly rejected; v1.5 and PSS sign) on a secret key (%d bad)",
	       bn_path, n, bad);
}

/*
 * Hashes and HMAC (SHA-1, SHA-2, SHA-3) with a secret key and message:
 * no branch or index may depend on them (only the lengths are public).
 */
static void macs(int n)
{
	static const enum kc_hash algs[] = {
		KC_SHA1, KC_SHA224, KC_SHA256, KC_SHA384, KC_SHA512,
		KC_SHA3_224, KC_SHA3_256, KC_SHA3_384, KC_SHA3_512,
	};
	unsigned char key[200], msg[300], mac[64], mac2[64], md[64], md2[64];
	unsigned int a;
	int i, bad = 0;

	for (i = 0; i < n; i++) {
		for (a = 0; a < sizeof(algs) / sizeof(algs[0]); a++) {
			/* short keys, and keys longer than every block */
			size_t kl = i % 2 ? 20 + i : 150 + i % 50;
			size_t ml = (size_t)(37 * i + 11 * a) % sizeof(msg);
			size_t dl = kc_hash_len(algs[a]);

			kc_random(key, sizeof(key));	/* undefined */
			kc_random(msg, sizeof(msg));
			kc_hmac(algs[a], key, kl, msg, ml, mac);
			kc_hash(algs[a], msg, ml, md);
			PUBLIC(mac, sizeof(mac));
			PUBLIC(md, sizeof(md));
			PUBLIC(key, sizeof(key));
			PUBLIC(msg, sizeof(msg));
			kc_hmac(algs[a], key, kl, msg, ml, mac2);
			kc_hash(algs[a], msg, ml, md2);
			if (memcmp(mac, mac2, dl) || memcmp(md, md2, dl))
				bad++;
		}
	}
	tap_ok(!bad, "SHA-1/2/3 and HMAC: %d rounds per hash of a secret key and message (%d bad results)",
	       n, bad);
}

int main(int argc, char **argv)
{
	unsigned char d[32];
	int n = argc > 1 ? atoi(argv[1]) : 20;

	if (argc > 1 && !strcmp(argv[1], "--canary")) {
		kc_random(d, sizeof(d));	/* undefined in this build */
		if (d[0] & 1)			/* a secret-dependent branch */
			printf("# odd\n");
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--canary-adx")) {
#ifdef KC_BN_ADX
		/*
		 * A branch on a MULX/ADX product of a secret: valgrind must
		 * carry the undefinedness through MULX, ADCX and ADOX.
		 */
		static struct kc_mont mc;
		static u64 m[16], a[16];

		kc_random(m, sizeof(m));
		PUBLIC(m, sizeof(m));
		m[0] |= 1;
		m[15] |= 1ull << 63;
		kc_random(a, sizeof(a));	/* undefined */
		a[15] >>= 1;
		kc_user_bn_impl = 1;
		if (kc_mont_init(&mc, m, 16) || !mc.adx)
			return 0;	/* no flag: make check fails */
		kc_mont_sqr(&mc, a, a);
		if (a[7] & 1)
			printf("# odd\n");
#endif
		return 0;
	}
	if (!RUNNING_ON_VALGRIND)
		printf("# not under valgrind: only functional checks run\n");
	run(KC_P256, "P-256", n);
	run(KC_P384, "P-384", n);
	run(KC_P521, "P-521", n);
	prims(KC_P256, "P-256", n);
	prims(KC_P384, "P-384", n);
	prims(KC_P521, "P-521", n);
	x25519(n);
	ed25519(n);
	macs(n);
	kc_user_bn_impl = 0;
	rsa(n < 10 ? n : 10);
	rsa_pad(n < 4 ? n : 4);
	if (RUNNING_ON_VALGRIND || kc_cpu_mulx_adx_hw()) {
		kc_user_bn_impl = 1;
		bn_path = "MULX/ADX";
		rsa(n < 10 ? n : 10);
		rsa_pad(n < 4 ? n : 4);
	} else {
		tap_ok(1, "# SKIP RSA on the MULX/ADX path: no BMI2/ADX here");
	}
	kc_user_bn_impl = -1;
	return tap_done();
}
