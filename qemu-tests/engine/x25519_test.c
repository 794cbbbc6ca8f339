// SPDX-License-Identifier: GPL-2.0
/*
 * X25519 of kmod/crypto: RFC 7748 section 5.2 vectors from Debian's
 * python3-cryptography-vectors (read at test time), the RFC's 1000-step
 * iteration and section 6.1 Diffie-Hellman example, small-order inputs,
 * and DIFF_N (default 10000) random exchanges against OpenSSL both ways,
 * including u-coordinates with the top bit set and non-canonical (>= p).
 */
#include <openssl/evp.h>
#include "engine.h"
#include "tap.h"

#define FILE7748 "/usr/lib/python3/dist-packages/cryptography_vectors/asymmetric/X25519/rfc7748.txt"

static int ossl_x25519(const unsigned char *k, const unsigned char *u,
		       unsigned char *out)
{
	EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, k, 32);
	EVP_PKEY *peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, u, 32);
	EVP_PKEY_CTX *c = pk ? EVP_PKEY_CTX_new(pk, NULL) : NULL;
	size_t len = 32;
	int ok;

	ok = c && peer && EVP_PKEY_derive_init(c) > 0 &&
	     EVP_PKEY_derive_set_peer(c, peer) > 0 &&
	     EVP_PKEY_derive(c, out, &len) > 0 && len == 32;
	EVP_PKEY_CTX_free(c);
	EVP_PKEY_free(pk);
	EVP_PKEY_free(peer);
	return ok;
}

static void file_vectors(void)
{
	char line[512];
	unsigned char k[32], u[32], want[32], got[32];
	int have = 0, pass = 0, fail = 0;
	FILE *f = fopen(FILE7748, "r");

	if (!f) {
		tap_ok(0, "cannot read %s", FILE7748);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "INPUT_SCALAR = ", 15))
			have = unhex(line + 15, k, 32) == 32;
		else if (!strncmp(line, "INPUT_U = ", 10))
			have = have && unhex(line + 10, u, 32) == 32;
		else if (!strncmp(line, "OUTPUT_U = ", 11) && have &&
			 unhex(line + 11, want, 32) == 32) {
			if (!kc_x25519(got, k, u) && !memcmp(got, want, 32))
				pass++;
			else
				fail++;
			have = 0;
		}
	}
	fclose(f);
	tap_ok(pass >= 3 && !fail, "RFC 7748 5.2 vectors: %d passed, %d failed", pass, fail);
}

int main(void)
{
	const char *e = getenv("DIFF_N");
	int n = e ? atoi(e) : 10000, i, bad = 0, bad2 = 0;
	unsigned char k[32], u[32], t[32], want[32], a[32], b[32], pa[32], pb[32];

	file_vectors();

	/* RFC 7748 5.2 iteration: k = u = 9; k, u = X25519(k, u), k */
	memset(k, 0, 32);
	k[0] = 9;
	memcpy(u, k, 32);
	for (i = 0; i < 1000; i++) {
		kc_x25519(t, k, u);
		memcpy(u, k, 32);
		memcpy(k, t, 32);
	}
	unhex("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51", want, 32);
	tap_ok(!memcmp(k, want, 32), "RFC 7748 5.2: 1000 iterations");

	/* RFC 7748 6.1 */
	unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", a, 32);
	unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", b, 32);
	kc_x25519_base(pa, a);
	kc_x25519_base(pb, b);
	unhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", want, 32);
	tap_ok(!memcmp(pa, want, 32), "RFC 7748 6.1: Alice's public key");
	unhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", want, 32);
	tap_ok(!memcmp(pb, want, 32), "RFC 7748 6.1: Bob's public key");
	unhex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", want, 32);
	tap_ok(!kc_x25519(t, a, pb) && !memcmp(t, want, 32) &&
	       !kc_x25519(u, b, pa) && !memcmp(u, want, 32),
	       "RFC 7748 6.1: shared secret both ways");

	/* small order: u = 0 and u = 1 give the all-zero secret */
	memset(u, 0, 32);
	tap_ok(kc_x25519(t, a, u) == KC_EPOINT, "u = 0 (small order) refused");
	u[0] = 1;
	tap_ok(kc_x25519(t, a, u) == KC_EPOINT, "u = 1 (small order) refused");
	memset(u, 0xff, 32);			/* p - 1 + 2^255 etc. */
	u[0] = 0xec;
	u[31] = 0x7f;				/* u = p - 1: order 2 */
	tap_ok(kc_x25519(t, a, u) == KC_EPOINT, "u = p - 1 (order 2) refused");

	for (i = 0; i < n; i++) {
		kc_x25519_keygen(a, pa);
		kc_random(u, 32);
		if (i % 4 == 1)
			u[31] |= 0x80;			/* top bit must be ignored */
		if (i % 4 == 2) {
			memset(u + 1, 0xff, 31);	/* u = p + 3 .. p + 18 */
			u[0] |= 0xf0;			/* (p + 1 has order 1) */
			u[31] = 0x7f;
		}
		if (kc_x25519(t, a, u) || !ossl_x25519(a, u, want) ||
		    memcmp(t, want, 32))
			bad++;
		if (!ossl_x25519(a, (const unsigned char *)"\x09\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
				 want) || memcmp(pa, want, 32))
			bad2++;
	}
	tap_ok(!bad, "%d random X25519(k, u) equal OpenSSL's (%d differ)", n, bad);
	tap_ok(!bad2, "%d public keys equal OpenSSL's (%d differ)", n, bad2);
	return tap_done();
}
