// SPDX-License-Identifier: GPL-2.0
/* NIST P-256 (FIPS 186-5, SEC 2 secp256r1) on the ecp_impl.h template. */
#include "ecp.h"

#define FE_LIMBS 4
#include "p256_table.h"

/*
 * Montgomery multiplication specialised for p = 2^256 - 2^224 + 2^192 +
 * 2^96 - 1: -1/p mod 2^64 = 1, so each reduction step takes u = t[i] and
 * adds u p = u 2^96 - u + u (2^64 - 2^32 + 1) 2^192, which clears t[i]
 * exactly; one 64x64 product per step instead of four. Constant time.
 */
#define FE_MUL_CUSTOM
static noinline void fe_mul(u64 *r, const u64 *a, const u64 *b)
{
	static const u64 p[4] = FE_P;
	u64 t[9], s[4], c, u, borrow;
	__uint128_t v;
	int i, j;

	for (i = 0; i < 9; i++)
		t[i] = 0;
#pragma GCC unroll 16
	for (i = 0; i < 4; i++) {
		c = 0;
#pragma GCC unroll 16
		for (j = 0; j < 4; j++) {
			v = (__uint128_t)a[j] * b[i] + t[i + j] + c;
			t[i + j] = (u64)v;
			c = (u64)(v >> 64);
		}
		t[i + 4] = c;
	}
#pragma GCC unroll 16
	for (i = 0; i < 4; i++) {
		u = t[i];
		v = (__uint128_t)t[i + 1] + (u << 32);
		t[i + 1] = (u64)v;
		v = (__uint128_t)t[i + 2] + (u >> 32) + (u64)(v >> 64);
		t[i + 2] = (u64)v;
		c = (u64)(v >> 64);
		v = (__uint128_t)u * 0xffffffff00000001ULL;
		u = (u64)(v >> 64);
		v = (__uint128_t)t[i + 3] + (u64)v + c;
		t[i + 3] = (u64)v;
		v = (__uint128_t)t[i + 4] + u + (u64)(v >> 64);
		t[i + 4] = (u64)v;
		c = (u64)(v >> 64);
#pragma GCC unroll 16
		for (j = i + 5; j < 9; j++) {
			v = (__uint128_t)t[j] + c;
			t[j] = (u64)v;
			c = (u64)(v >> 64);
		}
	}
	/* t[4..8] < 2p: subtract p once unless that borrows */
	borrow = 0;
#pragma GCC unroll 16
	for (i = 0; i < 4; i++) {
		v = (__uint128_t)t[i + 4] - p[i] - borrow;
		s[i] = (u64)v;
		borrow = (u64)(v >> 64) & 1;
	}
	c = 0 - (borrow & (t[8] ^ 1));		/* all-ones: keep t */
#pragma GCC unroll 16
	for (i = 0; i < 4; i++)
		r[i] = s[i] ^ (c & (s[i] ^ t[i + 4]));
}

#include "ecp_impl.h"

const struct kc_ec_impl kc_p256_impl = KC_EC_IMPL_INIT;
