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
#ifdef __x86_64__
#include <cpuid.h>
#endif

int kc_user_bn_impl = -1;

int kc_cpu_mulx_adx_hw(void)
{
	static int have = -1;
#ifdef __x86_64__
	unsigned int a, b, c, d;

	if (have < 0)	/* leaf 7: EBX bit 8 BMI2, bit 19 ADX */
		have = __get_cpuid_count(7, 0, &a, &b, &c, &d) &&
		       (b & (1u << 8)) && (b & (1u << 19));
#else
	have = 0;
#endif
	return have;
}

int kc_cpu_mulx_adx(void)
{
	return kc_user_bn_impl >= 0 ? kc_user_bn_impl : kc_cpu_mulx_adx_hw();
}

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
