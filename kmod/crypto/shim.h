/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Portability shim of the khsm crypto engine: the only file that differs
 * between the kernel build and the userspace (test, bench) build.
 *
 * Provides fixed-width types, a 128-bit product type, random bytes,
 * zeroization and "declassify" (a no-op except under valgrind-based
 * constant-time tests, where it marks a value derived from secrets as
 * public, e.g. the rejection-sampling verdict). The arithmetic itself uses
 * no libc and no kernel function.
 */
#ifndef KC_SHIM_H
#define KC_SHIM_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/random.h>

static inline void kc_random(void *buf, size_t len)
{
	get_random_bytes(buf, len);
}

static inline void kc_wipe(void *buf, size_t len)
{
	memzero_explicit(buf, len);
}
#else /* userspace */
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
#endif

typedef unsigned __int128 kc_u128;

#ifdef KC_VALGRIND_CT
#include <valgrind/memcheck.h>
#define kc_declassify(p, len) VALGRIND_MAKE_MEM_DEFINED((p), (len))
#else
#define kc_declassify(p, len) do { } while (0)
#endif

#define KC_UNROLL _Pragma("GCC unroll 16")

/* All-ones if @x is zero, else zero; no branch. */
static inline u64 kc_mask_zero(u64 x)
{
	return ((x | (0 - x)) >> 63) - 1;
}

#endif /* KC_SHIM_H */
