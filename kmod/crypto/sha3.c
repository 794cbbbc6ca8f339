// SPDX-License-Identifier: GPL-2.0
/*
 * SHA-3 (FIPS 202: SHA3-224, SHA3-256, SHA3-384, SHA3-512) as the
 * KC_SHA3_* algorithms of the kc_hash interface (sha2.h), which dispatches
 * here: Keccak-f[1600] with 64-bit lanes in little-endian byte order, the
 * sponge absorbing straight into the state (struct kc_hash_ctx.keccak,
 * c->used bytes into the current block of rate kc_hash_block() bytes) and
 * the SHA-3 domain padding 01 || pad10*1 (the byte 0x06 ... 0x80). No
 * branch or index depends on message bytes.
 */
#include "sha2.h"

static const u64 keccak_rc[24] = {
	0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
	0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
	0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
	0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
	0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
	0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
	0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
	0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

/*
 * rho and pi along the path the pi permutation takes from lane 1: step i
 * moves the lane at keccak_pi[i - 1] (lane 1 for i = 0) to keccak_pi[i],
 * rotated by keccak_rho[i] (the triangular numbers (i + 1)(i + 2)/2 mod 64).
 */
static const u8 keccak_rho[24] = {
	1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14,
	27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44,
};

static const u8 keccak_pi[24] = {
	10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4,
	15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1,
};

static inline u64 kc_rol64(u64 x, unsigned int n)
{
	return (x << n) | (x >> (64 - n));
}

/* FIPS 202 3.3: 24 rounds of theta, rho, pi, chi, iota. */
static void keccak_f1600(u64 *a)
{
	u64 c[5], t, u;
	unsigned int r, i, j;

	for (r = 0; r < 24; r++) {
		for (i = 0; i < 5; i++)
			c[i] = a[i] ^ a[i + 5] ^ a[i + 10] ^ a[i + 15] ^ a[i + 20];
		for (i = 0; i < 5; i++) {
			t = c[(i + 4) % 5] ^ kc_rol64(c[(i + 1) % 5], 1);
			for (j = 0; j < 25; j += 5)
				a[j + i] ^= t;
		}
		t = a[1];
		for (i = 0; i < 24; i++) {
			j = keccak_pi[i];
			u = a[j];
			a[j] = kc_rol64(t, keccak_rho[i]);
			t = u;
		}
		for (j = 0; j < 25; j += 5) {
			for (i = 0; i < 5; i++)
				c[i] = a[j + i];
			for (i = 0; i < 5; i++)
				a[j + i] = c[i] ^ (~c[(i + 1) % 5] & c[(i + 2) % 5]);
		}
		a[0] ^= keccak_rc[r];
	}
	kc_wipe(c, sizeof(c));
}

void kc_sha3_init(struct kc_hash_ctx *c)
{
	unsigned int i;

	for (i = 0; i < 25; i++)
		c->keccak[i] = 0;
	c->used = 0;
	c->count = 0;
}

/* XOR byte @b into the state at c->used and move on; permute when full. */
static void sha3_absorb_byte(struct kc_hash_ctx *c, u8 b, u32 rate)
{
	c->keccak[c->used / 8] ^= (u64)b << (8 * (c->used % 8));
	if (++c->used == rate) {
		keccak_f1600(c->keccak);
		c->used = 0;
	}
}

void kc_sha3_update(struct kc_hash_ctx *c, const u8 *data, size_t len)
{
	u32 rate = kc_hash_block(c->alg);	/* a multiple of 8 */
	unsigned int i;
	u64 lane;

	c->count += len;
	while (len && c->used % 8) {
		sha3_absorb_byte(c, *data++, rate);
		len--;
	}
	while (len >= 8) {
		lane = 0;
		for (i = 0; i < 8; i++)
			lane |= (u64)data[i] << (8 * i);
		c->keccak[c->used / 8] ^= lane;
		c->used += 8;
		if (c->used == rate) {
			keccak_f1600(c->keccak);
			c->used = 0;
		}
		data += 8;
		len -= 8;
	}
	while (len--)
		sha3_absorb_byte(c, *data++, rate);
}

void kc_sha3_final(struct kc_hash_ctx *c, u8 *out)
{
	u32 rate = kc_hash_block(c->alg), d = kc_hash_len(c->alg), i;

	c->keccak[c->used / 8] ^= (u64)0x06 << (8 * (c->used % 8));
	c->keccak[(rate - 1) / 8] ^= (u64)0x80 << (8 * ((rate - 1) % 8));
	keccak_f1600(c->keccak);
	for (i = 0; i < d; i++)
		out[i] = (u8)(c->keccak[i / 8] >> (8 * (i % 8)));
	kc_wipe(c, sizeof(*c));
}
