/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Portability shim of the khsm crypto engine: the only file that differs
 * between the kernel build and the userspace (test, bench) build.
 *
 * Provides fixed-width types, random bytes,
 * zeroization, a yield point for long computations and "declassify" (a no-op except under valgrind-based
 * constant-time tests, where it marks a value derived from secrets as
 * public, e.g. the rejection-sampling verdict). The arithmetic itself uses
 * no libc and no kernel function; 64x64->128-bit products use the
 * compiler's __uint128_t (CONFIG_ARCH_SUPPORTS_INT128 on x86-64, arm64).
 */
#ifndef KC_SHIM_H
#define KC_SHIM_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#ifdef CONFIG_X86_64
#include <asm/cpufeature.h>
#endif

static inline void kc_random(void *buf, size_t len)
{
	get_random_bytes(buf, len);
}

static inline void kc_wipe(void *buf, size_t len)
{
	memzero_explicit(buf, len);
}

/*
 * Called between steps of long computations (RSA key generation, once per
 * prime candidate): lets the scheduler run and reports a fatal signal.
 * Non-zero means stop (the caller returns KC_EINTR).
 */
static inline int kc_yield(void)
{
	cond_resched();
	return fatal_signal_pending(current);
}

#ifdef CONFIG_X86_64
/* The CPU has MULX (BMI2) and ADCX/ADOX (ADX): bn_adx.c may run. */
static inline int kc_cpu_mulx_adx(void)
{
	return boot_cpu_has(X86_FEATURE_BMI2) && boot_cpu_has(X86_FEATURE_ADX);
}
#endif
#else
/* userspace (tests, bench): qemu-tests/engine/kc_user.h */
#include "kc_user.h"
#endif

#ifdef KC_VALGRIND_CT
#include <valgrind/memcheck.h>
#define kc_declassify(p, len) VALGRIND_MAKE_MEM_DEFINED((p), (len))
#else
#define kc_declassify(p, len) do { } while (0)
#endif

/* All-ones if @x is zero, else zero; no branch. */
static inline u64 kc_mask_zero(u64 x)
{
	return ((x | (0 - x)) >> 63) - 1;
}

#endif /* KC_SHIM_H */
