// SPDX-License-Identifier: GPL-2.0
/*
 * X25519 (RFC 7748 section 5): Montgomery ladder over GF(2^255 - 19) in
 * radix 2^51 (five 64-bit limbs, 64x64->128-bit products). Constant time:
 * the ladder swaps by masking, the inversion is a fixed addition chain.
 *
 * Own implementation rather than the kernel's lib/crypto curve25519 so the
 * same code runs (and is tested) in userspace; both are constant time.
 */
#include "engine.h"
#include "fe25519.h"

/* The ladder state: 10 field elements, wiped together. */
struct x25519_ladder {
	struct fe5 x1, x2, z2, x3, z3, a, aa, b, bb, e, c, d, da, cb;
	u8 k[32];
};

int kc_x25519(u8 *out, const u8 *scalar, const u8 *u)
{
	struct x25519_ladder s;
	u64 swap = 0, bit, nz;
	int t, i;

	for (i = 0; i < 32; i++)
		s.k[i] = scalar[i];
	s.k[0] &= 248;
	s.k[31] &= 127;
	s.k[31] |= 64;
	fe5_from_bytes(&s.x1, u);
	s.x2 = (struct fe5){ { 1 } };
	s.z2 = (struct fe5){ { 0 } };
	s.x3 = s.x1;
	s.z3 = s.x2;
	for (t = 254; t >= 0; t--) {
		bit = (s.k[t >> 3] >> (t & 7)) & 1;
		swap ^= bit;
		fe5_cswap(&s.x2, &s.x3, swap);
		fe5_cswap(&s.z2, &s.z3, swap);
		swap = bit;
		fe5_add_lazy(&s.a, &s.x2, &s.z2);
		fe5_sqr(&s.aa, &s.a);
		fe5_sub_lazy(&s.b, &s.x2, &s.z2);
		fe5_sqr(&s.bb, &s.b);
		fe5_sub_lazy(&s.e, &s.aa, &s.bb);
		fe5_add_lazy(&s.c, &s.x3, &s.z3);
		fe5_sub_lazy(&s.d, &s.x3, &s.z3);
		fe5_mul(&s.da, &s.d, &s.a);
		fe5_mul(&s.cb, &s.c, &s.b);
		fe5_add_lazy(&s.x3, &s.da, &s.cb);
		fe5_sqr(&s.x3, &s.x3);
		fe5_sub_lazy(&s.z3, &s.da, &s.cb);
		fe5_sqr(&s.z3, &s.z3);
		fe5_mul(&s.z3, &s.z3, &s.x1);
		fe5_mul(&s.x2, &s.aa, &s.bb);
		fe5_mul_small(&s.z2, &s.e, 121665);
		fe5_add_lazy(&s.z2, &s.z2, &s.aa);
		fe5_mul(&s.z2, &s.z2, &s.e);
	}
	fe5_cswap(&s.x2, &s.x3, swap);
	fe5_cswap(&s.z2, &s.z3, swap);
	fe5_inv(&s.z2, &s.z2);
	fe5_mul(&s.x2, &s.x2, &s.z2);
	fe5_to_bytes(out, &s.x2);
	kc_wipe(&s, sizeof(s));
	/* all-zero output: u was a small-order point (RFC 7748 section 6.1) */
	for (i = 0, nz = 0; i < 32; i++)
		nz |= out[i];
	nz = kc_mask_zero(nz);
	kc_declassify(&nz, sizeof(nz));
	return nz ? KC_EPOINT : KC_OK;
}

int kc_x25519_base(u8 *pub, const u8 *scalar)
{
	static const u8 nine[32] = { 9 };

	return kc_x25519(pub, scalar, nine);
}

int kc_x25519_keygen(u8 *priv, u8 *pub)
{
	kc_random(priv, 32);
	return kc_x25519_base(pub, priv);
}
