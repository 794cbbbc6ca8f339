// SPDX-License-Identifier: GPL-2.0
/*
 * Constant-time test of RSA key generation, run under valgrind memcheck
 * (make check does): in this build (KC_VALGRIND_CT) every byte from
 * kc_random is marked undefined, so a branch or a memory index that
 * depends on a candidate prime, a Miller-Rabin base, lambda, d or any
 * other secret is reported and fails the run through valgrind's
 * --error-exitcode. The engine declassifies only the rejection verdicts
 * (trial division, gcd with e, each Miller-Rabin round, |p - q|, the d
 * bound) and the pairwise test's public message and signature.
 *
 * "ct_keygen_test --canary" branches on a random byte: valgrind must
 * flag it (make check checks that, proving the harness sees this binary).
 * Arguments: [bits] (default 2048).
 */
#include <valgrind/memcheck.h>
#include "engine.h"
#include "tap.h"

#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

static unsigned char work[KC_RSA_WORK_BYTES] __attribute__((aligned(8)));

int main(int argc, char **argv)
{
	static unsigned char n[512], d[512], p[256], q[256], dp[256], dq[256];
	static unsigned char qinv[256], m[512], s[512], v[512];
	static const unsigned char e[] = { 1, 0, 1 };
	struct kc_rsa_keygen_out out = { n, d, p, q, dp, dq, qinv };
	unsigned int bits = 2048;
	size_t nb, hb;
	int ret;

	if (argc > 1 && !strcmp(argv[1], "--canary")) {
		unsigned char x;

		kc_random(&x, 1);
		if (x & 1)		/* deliberately secret-dependent */
			printf("# odd\n");
		tap_ok(1, "canary ran");
		return tap_done();
	}
	if (argc > 1)
		bits = (unsigned int)atoi(argv[1]);
	nb = bits / 8;
	hb = bits / 16;
	ret = kc_rsa_keygen(bits, e, sizeof(e), &out, work);
	PUBLIC(&ret, sizeof(ret));
	/* outputs are secret; check them only after declassifying */
	PUBLIC(n, nb);
	PUBLIC(d, nb);
	PUBLIC(p, hb);
	PUBLIC(q, hb);
	PUBLIC(dp, hb);
	PUBLIC(dq, hb);
	PUBLIC(qinv, hb);
	tap_ok(!ret && (n[0] & 0x80) && (p[0] & 0xc0) == 0xc0 &&
	       (q[0] & 0xc0) == 0xc0 && memcmp(p, q, hb) > 0,
	       "RSA-%u keygen with random bytes undefined (ret %d)", bits, ret);
	{
		struct kc_rsa_priv priv = {
			n, e, d, p, q, dp, dq, qinv,
			nb, sizeof(e), nb, hb, hb, hb, hb, hb,
		};
		struct kc_rsa_pub pub = { n, nb, e, sizeof(e) };

		kc_random(m, nb);
		m[0] = 0;
		PUBLIC(m, nb);
		ret = kc_rsa_private(&priv, m, s, work);
		PUBLIC(&ret, sizeof(ret));
		PUBLIC(s, nb);
		tap_ok(!ret && !kc_rsa_public(&pub, s, v, work) &&
		       !memcmp(v, m, nb), "the key signs and verifies");
	}
	return tap_done();
}
