/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace side of kmod/crypto/shim.h: the kernel types and attributes
 * the engine uses, random bytes (shim_user.c) and zeroization.
 */
#ifndef KC_USER_H
#define KC_USER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint32_t u32;
typedef uint64_t u64;

#define noinline __attribute__((noinline))
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

void kc_random(void *buf, size_t len);	/* getrandom(2); aborts on failure */

static inline void kc_wipe(void *buf, size_t len)
{
	explicit_bzero(buf, len);
}

/*
 * Kernel: boot_cpu_has(BMI2) && boot_cpu_has(ADX). Here CPUID (cached),
 * unless a test forces a path: kc_user_bn_impl = 0 (portable C) or 1
 * (MULX/ADX; the caller checks kc_cpu_mulx_adx_hw() first). Default -1.
 */
extern int kc_user_bn_impl;
int kc_cpu_mulx_adx_hw(void);
int kc_cpu_mulx_adx(void);

/* Kernel: cond_resched() and fatal-signal check; here nothing to do. */
static inline int kc_yield(void)
{
	return 0;
}

#endif /* KC_USER_H */
