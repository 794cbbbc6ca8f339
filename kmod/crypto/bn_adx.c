// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64 Montgomery multiply and square with MULX (BMI2) and ADCX/ADOX
 * (ADX), for moduli of a multiple of 4 limbs. kc_mont_init() picks them
 * when the CPU has both extensions (kc_cpu_mulx_adx(), shim.h); bn.c's
 * portable C stays the fallback and the reference the tests compare
 * this with.
 *
 * Multiply: CIOS (Koc, Acar, Kaliski 1996): for each limb b_i of b, one
 * pass adds a b_i to the accumulator T (n + 2 limbs), then with
 * q = T_0 (-m^-1) mod 2^64 a second pass adds q m and shifts T down one
 * limb. A pass keeps two independent carry chains (Ozturk, Guilford,
 * Gopal, Feghali, "New Instructions Supporting Large Integer Arithmetic
 * on Intel Architecture Processors", Intel 2012): ADCX adds the
 * product's low half to the previous product's high half (CF), ADOX adds
 * the old T limb (OF); MULX touches no flags. T stays below 2m, so one
 * masked subtraction ends the product. Square: each cross product once,
 * doubled together with adding the squares, then Montgomery reduction.
 *
 * Inline assembly in C: the kernel build needs no .S file, objtool sees
 * ordinary C functions, and the compiler saves the registers it hands
 * out. Constant time: no branch or address depends on a value; loop
 * counts follow the public limb count only.
 */
#include "bn.h"
#include "arith.h"

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
 * A pass over all limbs from @chunk: either n / 4 copies (the sizes
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

#define KC_REP2(x)	"" x x
#define KC_REP4(x)	KC_REP2(KC_REP2(x))
#define KC_REP6(x)	KC_REP2(x KC_REP2(x))
#define KC_REP8(x)	KC_REP2(KC_REP4(x))

#define KC_PASS_2(l, c, s)	KC_REP2(c)
#define KC_PASS_6(l, c, s)	KC_REP6(c)
#define KC_PASS_8(l, c, s)	KC_REP8(c)
#define KC_PASS_0(l, c, s)	KC_PASS_LOOP(l, c)

/*
 * 16 limbs (RSA-2048's CRT halves, most of the work): one span with
 * displacements instead of pointer steps; @s: IP in place (pass 1),
 * SH shifted down one limb (pass 2).
 */
#define KC_PASS_4(l, c, s)	KC_SPAN16_##s "lea 128(%[t]), %[t]\n\t"
#define KC_SPAN16_IP							\
	"" KC_STEP(0, 0, h0, h1) KC_STEP(8, 8, h1, h0)			\
	KC_STEP(16, 16, h0, h1) KC_STEP(24, 24, h1, h0)			\
	KC_STEP(32, 32, h0, h1) KC_STEP(40, 40, h1, h0)			\
	KC_STEP(48, 48, h0, h1) KC_STEP(56, 56, h1, h0)			\
	KC_STEP(64, 64, h0, h1) KC_STEP(72, 72, h1, h0)			\
	KC_STEP(80, 80, h0, h1) KC_STEP(88, 88, h1, h0)			\
	KC_STEP(96, 96, h0, h1) KC_STEP(104, 104, h1, h0)		\
	KC_STEP(112, 112, h0, h1) KC_STEP(120, 120, h1, h0)
#define KC_SPAN16_SH							\
	"" KC_STEP(0, -8, h0, h1) KC_STEP(8, 0, h1, h0)			\
	KC_STEP(16, 8, h0, h1) KC_STEP(24, 16, h1, h0)			\
	KC_STEP(32, 24, h0, h1) KC_STEP(40, 32, h1, h0)			\
	KC_STEP(48, 40, h0, h1) KC_STEP(56, 48, h1, h0)			\
	KC_STEP(64, 56, h0, h1) KC_STEP(72, 64, h1, h0)			\
	KC_STEP(80, 72, h0, h1) KC_STEP(88, 80, h1, h0)			\
	KC_STEP(96, 88, h0, h1) KC_STEP(104, 96, h1, h0)		\
	KC_STEP(112, 104, h0, h1) KC_STEP(120, 112, h1, h0)

/* end of pass 1: T[n] += hi + CF + OF, T[n + 1] = carry out */
#define KC_PASS1_END							\
	"adcx %[z], %[h0]\n\t"	/* hi < 2^64 - 1: no carry */		\
	"adox (%[t]), %[h0]\n\t"					\
	"movq %[h0], (%[t])\n\t"					\
	"mov %[z], %[h0]\n\t"						\
	"adox %[z], %[h0]\n\t"						\
	"movq %[h0], 8(%[t])\n\t"

/* pass 2 from its multiplier q in rdx: T = (T + q m) / 2^64 */
#define KC_PASS2(R)							\
	"mov %[m], %[x]\n\t"						\
	"mov %[tb], %[t]\n\t"						\
	"xor %k[h0], %k[h0]\n\t"					\
	"xor %k[z], %k[z]\n\t"						\
	KC_PASS_##R("2", KC_CHUNK(-8, 0, 8, 16), SH)			\
	"adcx %[z], %[h0]\n\t"						\
	"adox (%[t]), %[h0]\n\t"					\
	"movq %[h0], -8(%[t])\n\t"					\
	"mov 8(%[t]), %[h0]\n\t"					\
	"adox %[z], %[h0]\n\t"						\
	"movq %[h0], (%[t])\n\t"

/*
 * One CIOS row on T (t[-1] scratch, t[0..n + 1]): with
 * q = (T_0 + a_0 bi) (-m^-1) mod 2^64 (computed first, off the carry
 * chains), T = (T + a bi + q m) / 2^64. @R: chunks per pass (0: loop
 * over -@nc chunks).
 */
#define KC_ROW(R)							\
static __always_inline void adx_row_##R(u64 *t, const u64 *a, u64 bi,	\
					const u64 *m, u64 m0inv, u64 nc) \
{									\
	u64 lo, h0, h1, z, x, tp, cnt, dx = bi, q = m0inv;		\
									\
	asm volatile(							\
		/* q = (T_0 + a_0 bi) m0inv */				\
		"mov (%[a]), %[h1]\n\t"					\
		"imul %%rdx, %[h1]\n\t"					\
		"add (%[tb]), %[h1]\n\t"				\
		"imul %[h1], %[q]\n\t"					\
		/* pass 1: T[0..n + 1] += a bi */			\
		"mov %[a], %[x]\n\t"					\
		"mov %[tb], %[t]\n\t"					\
		"xor %k[h0], %k[h0]\n\t"				\
		"xor %k[z], %k[z]\n\t"	/* clears CF and OF */	\
		KC_PASS_##R("1", KC_CHUNK(0, 8, 16, 24), IP)		\
		KC_PASS1_END						\
		/* pass 2: T_0 + lo(q m_0) = 0 */			\
		"mov %[q], %%rdx\n\t"					\
		KC_PASS2(R)						\
		: [lo] "=&r" (lo), [h0] "=&r" (h0), [h1] "=&r" (h1),	\
		  [z] "=&r" (z), [x] "=&r" (x), [t] "=&r" (tp),		\
		  [cnt] "=&c" (cnt), "+d" (dx), [q] "+r" (q)		\
		: [a] "r" (a), [m] "r" (m), [tb] "r" (t), [nc] "r" (nc) \
		: "cc", "memory");					\
}									\
									\
/* Montgomery reduction step: T = (T + q m) / 2^64, q = T_0 m0inv */	\
static __always_inline void adx_redc_row_##R(u64 *t, const u64 *m,	\
					     u64 m0inv, u64 nc)		\
{									\
	u64 lo, h0, h1, z, x, tp, cnt, dx;				\
									\
	asm volatile(							\
		"mov (%[tb]), %%rdx\n\t"				\
		"imul %[m0inv], %%rdx\n\t"				\
		KC_PASS2(R)						\
		: [lo] "=&r" (lo), [h0] "=&r" (h0), [h1] "=&r" (h1),	\
		  [z] "=&r" (z), [x] "=&r" (x), [t] "=&r" (tp),		\
		  [cnt] "=&c" (cnt), "=&d" (dx)				\
		: [m] "r" (m), [tb] "r" (t), [nc] "r" (nc),		\
		  [m0inv] "r" (m0inv)					\
		: "cc", "memory");					\
}

KC_ROW(0)
KC_ROW(2)
KC_ROW(4)
KC_ROW(6)
KC_ROW(8)

/*
 * Squaring, cross products: row i adds a_i a[i+1..n-1] to T[2i+1..i+n]
 * (T[i + n] is still zero, so the row's top word takes no carry). The
 * first @L = 3 - i % 4 products take the row to a multiple of 4 limbs,
 * then -@nc chunks (a loop that may run zero times).
 */
#define KC_SQR_ROW(L, tail)						\
static __always_inline void adx_sqr_row_##L(u64 *t, const u64 *a,	\
					    u64 ai, u64 nc)		\
{									\
	u64 lo, h0, h1, z, x = (u64)a, tp = (u64)t, cnt, dx = ai;	\
									\
	asm volatile(							\
		"xor %k[h0], %k[h0]\n\t"				\
		"xor %k[z], %k[z]\n\t"					\
		tail							\
		"lea " #L "*8(%[x]), %[x]\n\t"				\
		"lea " #L "*8(%[t]), %[t]\n\t"				\
		"mov %[nc], %[cnt]\n\t"					\
		"jrcxz 1f\n"						\
		"0:\n\t"						\
		KC_CHUNK(0, 8, 16, 24)					\
		"lea 1(%[cnt]), %[cnt]\n\t"				\
		"jrcxz 1f\n\t"						\
		"jmp 0b\n"						\
		"1:\n\t"						\
		"adcx %[z], %[h0]\n\t"					\
		"adox %[z], %[h0]\n\t"					\
		"movq %[h0], (%[t])\n\t"				\
		: [lo] "=&r" (lo), [h0] "=&r" (h0), [h1] "=&r" (h1),	\
		  [z] "=&r" (z), [x] "+&r" (x), [t] "+&r" (tp),		\
		  [cnt] "=&c" (cnt), "+d" (dx)				\
		: [nc] "r" (nc)						\
		: "cc", "memory");					\
}

KC_SQR_ROW(0, "")
KC_SQR_ROW(1, KC_STEP(0, 0, h0, h1) "mov %[h1], %[h0]\n\t")
KC_SQR_ROW(2, KC_STEP(0, 0, h0, h1) KC_STEP(8, 8, h1, h0))
KC_SQR_ROW(3, KC_STEP(0, 0, h0, h1) KC_STEP(8, 8, h1, h0)
	      KC_STEP(16, 16, h0, h1) "mov %[h1], %[h0]\n\t")

/*
 * Squaring, the rest: T = 2 T + sum a_i^2 2^(128 i) over 2n limbs, four
 * limbs of a per loop step; CF doubles, OF adds the squares.
 */
static __always_inline void adx_sqr_diag(u64 *t, const u64 *a, u64 nc)
{
	u64 lo, hi, w, x = (u64)a, tp = (u64)t, cnt, dx;

#define KC_DIAG(o)							\
	"mov " #o "*8(%[x]), %%rdx\n\t"					\
	"mulx %%rdx, %[lo], %[hi]\n\t"					\
	"mov " #o "*16(%[t]), %[w]\n\t"					\
	"adcx %[w], %[w]\n\t"						\
	"adox %[lo], %[w]\n\t"						\
	"movq %[w], " #o "*16(%[t])\n\t"				\
	"mov " #o "*16+8(%[t]), %[w]\n\t"				\
	"adcx %[w], %[w]\n\t"						\
	"adox %[hi], %[w]\n\t"						\
	"movq %[w], " #o "*16+8(%[t])\n\t"

	asm volatile(
		"mov %[nc], %[cnt]\n\t"
		"xor %k[w], %k[w]\n"
		"0:\n\t"
		KC_DIAG(0) KC_DIAG(1) KC_DIAG(2) KC_DIAG(3)
		"lea 32(%[x]), %[x]\n\t"
		"lea 64(%[t]), %[t]\n\t"
		"lea 1(%[cnt]), %[cnt]\n\t"
		"jrcxz 1f\n\t"
		"jmp 0b\n"
		"1:\n\t"
		: [lo] "=&r" (lo), [hi] "=&r" (hi), [w] "=&r" (w),
		  [x] "+&r" (x), [t] "+&r" (tp), [cnt] "=&c" (cnt),
		  "=&d" (dx)
		: [nc] "r" (nc)
		: "cc", "memory");
#undef KC_DIAG
}

/* T[0..n] = T[0..n - 1] + h (T[n] is zero before) */
static __always_inline void adx_add_high(u64 *t, const u64 *h, u32 n)
{
	u64 c = 0;
	u32 j;

#pragma GCC unroll 32
	for (j = 0; j < n; j++)
		ADC(t[j], t[j], h[j], c);
	t[n] += c;
}

/*
 * 16 limbs: the cross-product rows unrolled, so each row's tail length
 * and chunk count are constants (about 10% of a square, 16 KiB of code).
 */
#define KC_ROWS_UNROLL_4	_Pragma("GCC unroll 16")
#define KC_ROWS_UNROLL_0
#define KC_ROWS_UNROLL_2
#define KC_ROWS_UNROLL_6
#define KC_ROWS_UNROLL_8

#define KC_MUL(R)							\
static noinline void adx_mul_##R(u64 *r, const u64 *a, const u64 *b,	\
				 const u64 *m, u64 m0inv, u32 n)	\
{									\
	u64 buf[KC_BN_MAX_LIMBS + 3], *t = buf + 1;			\
	u64 nc = 0 - (u64)(n / 4);					\
	u32 i;								\
									\
	for (i = 0; i < n + 2; i++)					\
		t[i] = 0;						\
	for (i = 0; i < n; i++)						\
		adx_row_##R(t, a, b[i], m, m0inv, nc);			\
	kc_final_sub(r, t, m, n);					\
}									\
									\
/* n <= KC_BN_MAX_HALF (the CRT halves; the frame stays under 1 KiB) */ \
static noinline void adx_sqr_##R(u64 *r, const u64 *a, const u64 *m,	\
				 u64 m0inv, u32 n)			\
{									\
	u64 buf[2 * KC_BN_MAX_HALF + 3], h[KC_BN_MAX_HALF], *t = buf + 1; \
	u64 nc = 0 - (u64)(n / 4);					\
	u32 i;								\
									\
	for (i = 0; i < 2 * n; i++)					\
		t[i] = 0;						\
	KC_ROWS_UNROLL_##R						\
	for (i = 0; i + 1 < n; i++) {					\
		u64 k = 0 - (u64)(n / 4 - 1 - i / 4);			\
									\
		switch (i % 4) {					\
		case 0:							\
			adx_sqr_row_3(t + 2 * i + 1, a + i + 1, a[i], k); \
			break;						\
		case 1:							\
			adx_sqr_row_2(t + 2 * i + 1, a + i + 1, a[i], k); \
			break;						\
		case 2:							\
			adx_sqr_row_1(t + 2 * i + 1, a + i + 1, a[i], k); \
			break;						\
		default:						\
			adx_sqr_row_0(t + 2 * i + 1, a + i + 1, a[i], k); \
		}							\
	}								\
	adx_sqr_diag(t, a, nc);						\
	/* reduce the low half, then add the high half (< m) */	\
	for (i = 0; i < n; i++)						\
		h[i] = t[n + i];					\
	t[n] = 0;							\
	t[n + 1] = 0;							\
	for (i = 0; i < n; i++)						\
		adx_redc_row_##R(t, m, m0inv, nc);			\
	adx_add_high(t, h, n);						\
	kc_final_sub(r, t, m, n);					\
}

KC_MUL(0)
KC_MUL(2)
KC_MUL(4)
KC_MUL(6)
KC_MUL(8)

void kc_mont_mul_adx(u64 *r, const u64 *a, const u64 *b, const u64 *m,
		     u64 m0inv, u32 n)
{
	switch (n) {
	case 8:
		adx_mul_2(r, a, b, m, m0inv, n);
		break;
	case 16:
		adx_mul_4(r, a, b, m, m0inv, n);
		break;
	case 24:
		adx_mul_6(r, a, b, m, m0inv, n);
		break;
	case 32:
		adx_mul_8(r, a, b, m, m0inv, n);
		break;
	default:
		adx_mul_0(r, a, b, m, m0inv, n);
	}
}

void kc_mont_sqr_adx(u64 *r, const u64 *a, const u64 *m, u64 m0inv, u32 n)
{
	switch (n) {
	case 8:
		adx_sqr_2(r, a, m, m0inv, n);
		break;
	case 16:
		adx_sqr_4(r, a, m, m0inv, n);
		break;
	case 24:
		adx_sqr_6(r, a, m, m0inv, n);
		break;
	case 32:
		adx_sqr_8(r, a, m, m0inv, n);
		break;
	default:
		/* above 32 limbs (public-key sizes): the multiply's frame */
		if (n <= KC_BN_MAX_HALF)
			adx_sqr_0(r, a, m, m0inv, n);
		else
			adx_mul_0(r, a, a, m, m0inv, n);
	}
}

#endif /* KC_BN_ADX */
