// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64 Montgomery multiply with MULX (BMI2) and ADCX/ADOX (ADX), for
 * moduli of a multiple of 4 limbs. kc_mont_init() picks it when the CPU
 * has both extensions (kc_cpu_mulx_adx(), shim.h); bn.c's portable C
 * stays the fallback and the reference the tests compare this with.
 *
 * CIOS (Koc, Acar, Kaliski 1996): for each limb b_i of b, one pass adds
 * a b_i to the accumulator T (n + 2 limbs), then q = T_0 (-m^-1) mod 2^64
 * and a second pass adds q m and shifts T down one limb. A pass keeps two
 * independent carry chains (Gopal et al., Intel 2012): ADCX adds the
 * product's low half to the previous product's high half (CF), ADOX adds
 * the old T limb (OF); MULX touches no flags. T stays below 2m, so one
 * masked subtraction ends the product. Inline assembly in C, so the
 * kernel build needs no .S file, objtool sees an ordinary C function, and
 * the compiler saves the registers it hands out.
 *
 * Constant time: no branch or address depends on a value; the loop
 * counts follow the public limb count only.
 */
#include "bn.h"

#ifdef KC_BN_ADX

/*
 * One product of a pass: (hi:lo) = x[o] y, T[d] = lo + hin + T[o] with
 * the carries in CF and OF; hout gets the high half for the next step.
 */
#define KC_STEP(o, d, hin, hout)					\
	"mulx " #o "(%[x]), %[lo], %[" #hout "]\n\t"			\
	"adcx %[" #hin "], %[lo]\n\t"					\
	"adox " #o "(%[t]), %[lo]\n\t"					\
	"movq %[lo], " #d "(%[t])\n\t"

/* four products; the high half alternates h0 -> h1 -> h0 */
#define KC_CHUNK(d0, d1, d2, d3)					\
	KC_STEP(0, d0, h0, h1)						\
	KC_STEP(8, d1, h1, h0)						\
	KC_STEP(16, d2, h0, h1)						\
	KC_STEP(24, d3, h1, h0)						\
	"lea 32(%[x]), %[x]\n\t"					\
	"lea 32(%[t]), %[t]\n\t"

/*
 * A pass over all limbs, @body the chunks: either n / 4 copies (the sizes
 * RSA uses most) or one copy in a loop whose counter runs from -n/4 up to
 * 0 by LEA and exits by JRCXZ, both of which leave CF and OF alone.
 */
#define KC_PASS_LOOP(label, chunk)					\
	"mov %[nc], %[cnt]\n"						\
	label "0:\n\t"							\
	chunk								\
	"lea 1(%[cnt]), %[cnt]\n\t"					\
	"jrcxz " label "1f\n\t"						\
	"jmp " label "0b\n"						\
	label "1:\n\t"

#define KC_REP2(x)	x x
#define KC_REP4(x)	KC_REP2(x) KC_REP2(x)
#define KC_REP6(x)	KC_REP4(x) KC_REP2(x)
#define KC_REP8(x)	KC_REP4(x) KC_REP4(x)

#define KC_PASS_2(l, c)		KC_REP2(c)
#define KC_PASS_4(l, c)		KC_REP4(c)
#define KC_PASS_6(l, c)		KC_REP6(c)
#define KC_PASS_8(l, c)		KC_REP8(c)
#define KC_PASS_0(l, c)		KC_PASS_LOOP(l, c)

/*
 * One CIOS row on T (t[-1] scratch, t[0..n + 1]): with
 * q = (T_0 + a_0 bi) (-m^-1) mod 2^64 (computed first, off the carry
 * chains), T = (T + a bi + q m) / 2^64. @R: chunks per pass (0: loop
 * over @nc = -n/4 chunks).
 */
#define KC_ROW(R)							\
static __always_inline void adx_row_##R(u64 *t, const u64 *a, u64 bi,	\
					const u64 *m, u64 m0inv, u64 nc) \
{									\
	u64 lo, h0, h1, z, x, tp, cnt, dx = bi, q = m0inv;		\
									\
	asm volatile(							\
		/* q = (T_0 + a_0 bi) m0inv, in the m0inv register */	\
		"mov (%[a]), %[h1]\n\t"					\
		"imul %%rdx, %[h1]\n\t"					\
		"add (%[tb]), %[h1]\n\t"				\
		"imul %[h1], %[q]\n\t"					\
		/* pass 1: T[0..n + 1] += a bi */			\
		"mov %[a], %[x]\n\t"					\
		"mov %[tb], %[t]\n\t"					\
		"xor %k[h0], %k[h0]\n\t"				\
		"xor %k[z], %k[z]\n\t"	/* clears CF and OF */	\
		KC_PASS_##R("1", KC_CHUNK(0, 8, 16, 24))		\
		"adcx %[z], %[h0]\n\t"	/* hi < 2^64 - 1: no carry */	\
		"adox (%[t]), %[h0]\n\t"				\
		"movq %[h0], (%[t])\n\t"				\
		"mov %[z], %[h0]\n\t"					\
		"adox %[z], %[h0]\n\t"					\
		"movq %[h0], 8(%[t])\n\t"				\
		/* pass 2: T = (T + q m) / 2^64; T_0 + lo(q m_0) = 0 */	\
		"mov %[q], %%rdx\n\t"					\
		"mov %[m], %[x]\n\t"					\
		"mov %[tb], %[t]\n\t"					\
		"xor %k[h0], %k[h0]\n\t"				\
		"xor %k[z], %k[z]\n\t"					\
		KC_PASS_##R("2", KC_CHUNK(-8, 0, 8, 16))		\
		"adcx %[z], %[h0]\n\t"					\
		"adox (%[t]), %[h0]\n\t"				\
		"movq %[h0], -8(%[t])\n\t"				\
		"mov 8(%[t]), %[lo]\n\t"				\
		"adox %[z], %[lo]\n\t"					\
		"movq %[lo], (%[t])\n\t"				\
		: [lo] "=&r" (lo), [h0] "=&r" (h0), [h1] "=&r" (h1),	\
		  [z] "=&r" (z), [x] "=&r" (x), [t] "=&r" (tp),		\
		  [cnt] "=&c" (cnt), "+d" (dx), [q] "+r" (q)		\
		: [a] "r" (a), [m] "r" (m), [tb] "r" (t), [nc] "r" (nc) \
		: "cc", "memory");					\
}

KC_ROW(0)
KC_ROW(2)
KC_ROW(4)
KC_ROW(6)
KC_ROW(8)

#define KC_MUL(R)							\
static noinline void adx_mul_##R(u64 *t, const u64 *a, const u64 *b,	\
				 const u64 *m, u64 m0inv, u32 n)	\
{									\
	u64 nc = 0 - (u64)(n / 4);					\
	u32 i;								\
									\
	for (i = 0; i < n; i++)						\
		adx_row_##R(t, a, b[i], m, m0inv, nc);			\
}

KC_MUL(0)
KC_MUL(2)
KC_MUL(4)
KC_MUL(6)
KC_MUL(8)

void kc_mont_mul_adx(u64 *r, const u64 *a, const u64 *b, const u64 *m,
		     u64 m0inv, u32 n)
{
	u64 buf[KC_BN_MAX_LIMBS + 3], *t = buf + 1, keep, c;
	u32 i;

	for (i = 0; i < n + 2; i++)
		t[i] = 0;
	switch (n) {
	case 8:
		adx_mul_2(t, a, b, m, m0inv, n);
		break;
	case 16:
		adx_mul_4(t, a, b, m, m0inv, n);
		break;
	case 24:
		adx_mul_6(t, a, b, m, m0inv, n);
		break;
	case 32:
		adx_mul_8(t, a, b, m, m0inv, n);
		break;
	default:
		adx_mul_0(t, a, b, m, m0inv, n);
	}
	/* T < 2m: subtract m unless T < m */
	c = kc_bn_sub(r, t, m, n);
	keep = 0 - (c & (t[n] ^ 1));
	kc_bn_select(r, t, r, keep, n);
}

#endif /* KC_BN_ADX */
