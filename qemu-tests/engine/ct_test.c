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
 * check expects valgrind to fail it, proving the harness can see a leak.
 */
#include <valgrind/memcheck.h>
#include "engine.h"
#include "tap.h"

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

int main(int argc, char **argv)
{
	unsigned char d[32], pub[65], peer_d[32], peer[65], dg[32], sig[64];
	unsigned char z[32], z2[32], rnd[32];
	int i, n = argc > 1 ? atoi(argv[1]) : 20, bad = 0;

	if (argc > 1 && !strcmp(argv[1], "--canary")) {
		kc_random(d, 32);		/* undefined in this build */
		if (d[0] & 1)			/* a secret-dependent branch */
			printf("# odd\n");
		return 0;
	}
	if (!RUNNING_ON_VALGRIND)
		printf("# not under valgrind: only functional checks run\n");
	for (i = 0; i < n; i++) {
		int r1, r2, r3, r4;

		memset(dg, i, sizeof(dg));
		r1 = kc_ec_keygen(KC_P256, d, pub);	/* random is secret */
		r2 = kc_ec_keygen(KC_P256, peer_d, peer);
		SECRET(d, sizeof(d));
		kc_random(rnd, sizeof(rnd));
		r3 = kc_ecdsa_sign(KC_P256, d, dg, 32, KC_SHA256, rnd, 32, sig);
		r3 |= kc_ecdsa_sign(KC_P256, d, dg, 32, KC_SHA256, NULL, 0, sig);
		r4 = kc_ecdh(KC_P256, d, peer, 65, z);
		r4 |= kc_ec_pub_from_priv(KC_P256, d, pub);
		/* check results only after declassifying them */
		PUBLIC(z, sizeof(z));
		PUBLIC(peer_d, sizeof(peer_d));
		r4 |= kc_ecdh(KC_P256, peer_d, pub, 65, z2);
		PUBLIC(z2, sizeof(z2));
		if (r1 || r2 || r3 || r4 ||
		    kc_ecdsa_verify(KC_P256, pub, 65, dg, 32, sig, 64) ||
		    memcmp(z, z2, 32))
			bad++;
	}
	tap_ok(!bad, "%d rounds of keygen, sign (hedged and deterministic), ECDH, pub-from-priv with secret inputs (%d bad results)",
	       n, bad);
	return tap_done();
}
