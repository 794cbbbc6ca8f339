// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace side of kmod/crypto/shim.h: random bytes from getrandom(2).
 * In the constant-time test build (KC_VALGRIND_CT) the bytes are marked
 * undefined for valgrind memcheck.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include "shim.h"

void kc_random(void *buf, size_t len)
{
	u8 *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			perror("kc_random: getrandom");
			abort();
		}
		p += n;
		len -= (size_t)n;
	}
#ifdef KC_VALGRIND_CT
	/* constant-time test build: every random byte is a secret */
	VALGRIND_MAKE_MEM_UNDEFINED(buf, (p - (u8 *)buf));
#endif
}
