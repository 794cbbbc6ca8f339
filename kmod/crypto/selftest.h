/* SPDX-License-Identifier: GPL-2.0 */
/* Known-answer self-test of the engine, for module load (and userspace). */
#ifndef KC_SELFTEST_H
#define KC_SELFTEST_H

/*
 * Runs SHA-2/HMAC, RFC 6979 (P-256), CAVP SigGen (P-384, given k),
 * verification (good and corrupted), CAVP KAS ECDH (both curves) and
 * RFC 7748 X25519, RFC 8032 Ed25519 (TEST 3: key, signature, verify).
 * Returns 0, or the negative number of the first failing check.
 */
int kc_selftest(void);

#endif /* KC_SELFTEST_H */
