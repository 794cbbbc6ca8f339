/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Constant-time big integers for RSA (engine-internal; mechanism code
 * sees only engine.h).
 *
 * A number is an array of little-endian 64-bit limbs whose count is public
 * (it follows from the modulus size); the values are secret. Every
 * function here runs in time that depends only on the limb counts, except
 * those named *_vartime (public inputs only). No allocation: big
 * temporaries live in the caller's work area, never on the stack (the
 * kernel frame limit is 2 KiB; keep every frame under 1 KiB).
 */
#ifndef KC_BN_H
#define KC_BN_H

#include "shim.h"

#define KC_BN_MAX_LIMBS		128	/* 8192-bit (public) moduli */
#define KC_BN_MAX_HALF		32	/* CRT halves of keys up to 4096 bits */

/* x86-64 MULX/ADCX/ADOX Montgomery multiply (bn_adx.c), chosen at run time */
#if defined(__x86_64__) && !defined(KC_PORTABLE)
#define KC_BN_ADX	1
#endif

/* Montgomery context of an odd modulus m (which may be secret: p, q). */
struct kc_mont {
	u32 n;				/* limbs of m, 1..KC_BN_MAX_LIMBS */
	u32 adx;			/* use kc_mont_mul_adx() */
	u64 m0inv;			/* -m^-1 mod 2^64 */
	u64 m[KC_BN_MAX_LIMBS];
	u64 rr[KC_BN_MAX_LIMBS];	/* R^2 mod m, R = 2^(64 n) */
};

/* Limbs a fixed-window exponentiation table needs for an n-limb modulus. */
#define KC_BN_EXP_TABLE_LIMBS(n)	((1u << KC_BN_EXP_WINDOW) * (n))
#define KC_BN_EXP_WINDOW	5

/*
 * Big-endian bytes <-> limbs. from_be fails (KC_EINPUT) if the value does
 * not fit in @n limbs; leading zero bytes are fine. to_be writes exactly
 * @len bytes (the value must fit).
 */
int kc_bn_from_be(u64 *r, u32 n, const u8 *in, size_t len);
void kc_bn_to_be(u8 *out, size_t len, const u64 *a, u32 n);

u64 kc_bn_add(u64 *r, const u64 *a, const u64 *b, u32 n);	/* carry */
u64 kc_bn_sub(u64 *r, const u64 *a, const u64 *b, u32 n);	/* borrow */
u64 kc_bn_lt_mask(const u64 *a, const u64 *b, u32 n);	/* a < b: ~0 */
u64 kc_bn_zero_mask(const u64 *a, u32 n);		/* a == 0: ~0 */
/* r = mask ? a : b (mask is 0 or ~0) */
void kc_bn_select(u64 *r, const u64 *a, const u64 *b, u64 mask, u32 n);
/* r (an + bn limbs, no alias) = a * b */
void kc_bn_mul(u64 *r, const u64 *a, u32 an, const u64 *b, u32 bn);
/* Bit length of a public value. */
u32 kc_bn_bits_vartime(const u64 *a, u32 n);

/* m odd, 1 <= n <= KC_BN_MAX_LIMBS; constant time in m. KC_EINPUT else. */
int kc_mont_init(struct kc_mont *mc, const u64 *m, u32 n);
/* r = a b R^-1 mod m for a, b < m; r may alias a or b. */
void kc_mont_mul(const struct kc_mont *mc, u64 *r, const u64 *a,
		 const u64 *b);
void kc_mont_sqr(const struct kc_mont *mc, u64 *r, const u64 *a);
void kc_mont_to(const struct kc_mont *mc, u64 *r, const u64 *a);   /* aR */
void kc_mont_from(const struct kc_mont *mc, u64 *r, const u64 *a); /* a/R */
/* r (n limbs) = a mod m for a of @an <= 2n limbs with a < m R. */
void kc_mont_reduce_wide(const struct kc_mont *mc, u64 *r, const u64 *a,
			 u32 an);
/*
 * r = base^exp mod m, base < m in normal (not Montgomery) form. Constant
 * time in base, exp and m: every one of the 64 * @exp_limbs exponent bits
 * is processed, table entries are read with masks. @table has
 * KC_BN_EXP_TABLE_LIMBS(mc->n) limbs of caller memory (wiped on return).
 */
void kc_mont_exp(const struct kc_mont *mc, u64 *r, const u64 *base,
		 const u64 *exp, u32 exp_limbs, u64 *table);
/*
 * Same for a public exponent only (e, in the public operation and the
 * fault check). Miller-Rabin's odd part of p - 1 is secret: kc_mont_exp.
 */
void kc_mont_exp_vartime(const struct kc_mont *mc, u64 *r, const u64 *base,
			 const u64 *exp, u32 exp_limbs);

#ifdef KC_BN_ADX
/*
 * r = a b R^-1 mod m (a, b < m, r may alias them) with MULX and ADX; n a
 * multiple of 4. Only for CPUs where kc_cpu_mulx_adx() holds.
 */
void kc_mont_mul_adx(u64 *r, const u64 *a, const u64 *b, const u64 *m,
		     u64 m0inv, u32 n);
void kc_mont_sqr_adx(u64 *r, const u64 *a, const u64 *m, u64 m0inv, u32 n);
#endif

#endif /* KC_BN_H */
