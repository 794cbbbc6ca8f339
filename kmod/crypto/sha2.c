// SPDX-License-Identifier: GPL-2.0
/*
 * SHA-2 family and SHA-1 (FIPS 180-4) and HMAC (RFC 2104), portable C;
 * the KC_SHA3_* algorithms are dispatched to sha3.c.
 * Only public data or whole-buffer processing: no data-dependent branch or
 * index on message bytes.
 */
#include "sha2.h"

static const u32 k256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const u64 k512[80] = {
	0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL, 0xb5c0fbcfec4d3b2fULL,
	0xe9b5dba58189dbbcULL, 0x3956c25bf348b538ULL, 0x59f111f1b605d019ULL,
	0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL, 0xd807aa98a3030242ULL,
	0x12835b0145706fbeULL, 0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL,
	0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL, 0x9bdc06a725c71235ULL,
	0xc19bf174cf692694ULL, 0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL,
	0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL, 0x2de92c6f592b0275ULL,
	0x4a7484aa6ea6e483ULL, 0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL,
	0x983e5152ee66dfabULL, 0xa831c66d2db43210ULL, 0xb00327c898fb213fULL,
	0xbf597fc7beef0ee4ULL, 0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL,
	0x06ca6351e003826fULL, 0x142929670a0e6e70ULL, 0x27b70a8546d22ffcULL,
	0x2e1b21385c26c926ULL, 0x4d2c6dfc5ac42aedULL, 0x53380d139d95b3dfULL,
	0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL, 0x81c2c92e47edaee6ULL,
	0x92722c851482353bULL, 0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL,
	0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL, 0xd192e819d6ef5218ULL,
	0xd69906245565a910ULL, 0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL,
	0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL, 0x2748774cdf8eeb99ULL,
	0x34b0bcb5e19b48a8ULL, 0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL,
	0x5b9cca4f7763e373ULL, 0x682e6ff3d6b2b8a3ULL, 0x748f82ee5defb2fcULL,
	0x78a5636f43172f60ULL, 0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
	0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL, 0xbef9a3f7b2c67915ULL,
	0xc67178f2e372532bULL, 0xca273eceea26619cULL, 0xd186b8c721c0c207ULL,
	0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL, 0x06f067aa72176fbaULL,
	0x0a637dc5a2c898a6ULL, 0x113f9804bef90daeULL, 0x1b710b35131c471bULL,
	0x28db77f523047d84ULL, 0x32caab7b40c72493ULL, 0x3c9ebe0a15c9bebcULL,
	0x431d67c49c100d4cULL, 0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL,
	0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL,
};

static const u32 iv224[8] = {
	0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939,
	0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4,
};

static const u32 iv256[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static const u64 iv384[8] = {
	0xcbbb9d5dc1059ed8ULL, 0x629a292a367cd507ULL, 0x9159015a3070dd17ULL,
	0x152fecd8f70e5939ULL, 0x67332667ffc00b31ULL, 0x8eb44a8768581511ULL,
	0xdb0c2e0d64f98fa7ULL, 0x47b5481dbefa4fa4ULL,
};

static const u64 iv512[8] = {
	0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL,
	0xa54ff53a5f1d36f1ULL, 0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
	0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

static const u32 iv1[5] = {
	0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0,
};

static inline u32 kc_ror32(u32 x, unsigned int n)
{
	return (x >> n) | (x << (32 - n));
}

static inline u64 kc_ror64(u64 x, unsigned int n)
{
	return (x >> n) | (x << (64 - n));
}

static void sha256_block(u32 *h, const u8 *p)
{
	u32 w[64], a, b, c, d, e, f, g, hh, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (u32)p[4 * i] << 24 | (u32)p[4 * i + 1] << 16 |
		       (u32)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		u32 s0 = kc_ror32(w[i - 15], 7) ^ kc_ror32(w[i - 15], 18) ^
			 (w[i - 15] >> 3);
		u32 s1 = kc_ror32(w[i - 2], 17) ^ kc_ror32(w[i - 2], 19) ^
			 (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0]; b = h[1]; c = h[2]; d = h[3];
	e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	/*
	 * Eight rounds per iteration with the working variables renamed
	 * instead of shifted: round i updates d and h of its own naming.
	 */
#define R256(a, b, c, d, e, f, g, h, i) do {				\
	t1 = h + (kc_ror32(e, 6) ^ kc_ror32(e, 11) ^ kc_ror32(e, 25)) +	\
	     (g ^ (e & (f ^ g))) + k256[i] + w[i];			\
	t2 = (kc_ror32(a, 2) ^ kc_ror32(a, 13) ^ kc_ror32(a, 22)) +	\
	     ((a & b) | (c & (a | b)));					\
	d += t1;							\
	h = t1 + t2;							\
} while (0)
	for (i = 0; i < 64; i += 8) {
		R256(a, b, c, d, e, f, g, hh, i);
		R256(hh, a, b, c, d, e, f, g, i + 1);
		R256(g, hh, a, b, c, d, e, f, i + 2);
		R256(f, g, hh, a, b, c, d, e, i + 3);
		R256(e, f, g, hh, a, b, c, d, i + 4);
		R256(d, e, f, g, hh, a, b, c, i + 5);
		R256(c, d, e, f, g, hh, a, b, i + 6);
		R256(b, c, d, e, f, g, hh, a, i + 7);
	}
#undef R256
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
	kc_wipe(w, sizeof(w));
}

/* FIPS 180-4 6.1.2, with a 16-word circular message schedule */
static void sha1_block(u32 *h, const u8 *p)
{
	u32 w[16], a, b, c, d, e, f, k, t;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (u32)p[4 * i] << 24 | (u32)p[4 * i + 1] << 16 |
		       (u32)p[4 * i + 2] << 8 | p[4 * i + 3];
	a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4];
	for (i = 0; i < 80; i++) {
		if (i >= 16) {
			t = w[(i + 13) & 15] ^ w[(i + 8) & 15] ^
			    w[(i + 2) & 15] ^ w[i & 15];
			w[i & 15] = kc_ror32(t, 31);
		}
		if (i < 20) {
			f = d ^ (b & (c ^ d));
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (d & (b | c));
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = kc_ror32(a, 27) + f + e + k + w[i & 15];
		e = d;
		d = c;
		c = kc_ror32(b, 2);
		b = a;
		a = t;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
	kc_wipe(w, sizeof(w));
}

static void sha512_block(u64 *h, const u8 *p)
{
	u64 w[80], a, b, c, d, e, f, g, hh, t1, t2;
	int i, j;

	for (i = 0; i < 16; i++) {
		w[i] = 0;
		for (j = 0; j < 8; j++)
			w[i] = w[i] << 8 | p[8 * i + j];
	}
	for (i = 16; i < 80; i++) {
		u64 s0 = kc_ror64(w[i - 15], 1) ^ kc_ror64(w[i - 15], 8) ^
			 (w[i - 15] >> 7);
		u64 s1 = kc_ror64(w[i - 2], 19) ^ kc_ror64(w[i - 2], 61) ^
			 (w[i - 2] >> 6);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0]; b = h[1]; c = h[2]; d = h[3];
	e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	/* eight renamed rounds per iteration, as in sha256_block */
#define R512(a, b, c, d, e, f, g, h, i) do {				\
	t1 = h + (kc_ror64(e, 14) ^ kc_ror64(e, 18) ^ kc_ror64(e, 41)) + \
	     (g ^ (e & (f ^ g))) + k512[i] + w[i];			\
	t2 = (kc_ror64(a, 28) ^ kc_ror64(a, 34) ^ kc_ror64(a, 39)) +	\
	     ((a & b) | (c & (a | b)));					\
	d += t1;							\
	h = t1 + t2;							\
} while (0)
	for (i = 0; i < 80; i += 8) {
		R512(a, b, c, d, e, f, g, hh, i);
		R512(hh, a, b, c, d, e, f, g, i + 1);
		R512(g, hh, a, b, c, d, e, f, i + 2);
		R512(f, g, hh, a, b, c, d, e, i + 3);
		R512(e, f, g, hh, a, b, c, d, i + 4);
		R512(d, e, f, g, hh, a, b, c, i + 5);
		R512(c, d, e, f, g, hh, a, b, i + 6);
		R512(b, c, d, e, f, g, hh, a, i + 7);
	}
#undef R512
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
	kc_wipe(w, sizeof(w));
}

u32 kc_hash_len(enum kc_hash alg)
{
	switch (alg) {
	case KC_SHA224:
		return 28;
	case KC_SHA256:
		return 32;
	case KC_SHA384:
		return 48;
	case KC_SHA512:
		return 64;
	case KC_SHA1:
		return 20;
	case KC_SHA3_224:
		return 28;
	case KC_SHA3_256:
		return 32;
	case KC_SHA3_384:
		return 48;
	case KC_SHA3_512:
		return 64;
	}
	return 0;
}

static int kc_is_sha3(enum kc_hash alg)
{
	return alg >= KC_SHA3_224 && alg <= KC_SHA3_512;
}

u32 kc_hash_block(enum kc_hash alg)
{
	if (kc_is_sha3(alg))
		return 200 - 2 * kc_hash_len(alg);	/* the rate */
	return alg == KC_SHA384 || alg == KC_SHA512 ? 128 : 64;
}

int kc_hash_init(struct kc_hash_ctx *c, enum kc_hash alg)
{
	int i;

	if (!kc_hash_len(alg))
		return -1;
	c->alg = alg;
	if (kc_is_sha3(alg)) {
		kc_sha3_init(c);
		return 0;
	}
	c->count = 0;
	c->used = 0;
	for (i = 0; i < 8; i++) {
		if (alg == KC_SHA1)
			c->h.s32[i] = i < 5 ? iv1[i] : 0;
		else if (alg == KC_SHA224)
			c->h.s32[i] = iv224[i];
		else if (alg == KC_SHA256)
			c->h.s32[i] = iv256[i];
		else if (alg == KC_SHA384)
			c->h.s64[i] = iv384[i];
		else
			c->h.s64[i] = iv512[i];
	}
	return 0;
}

static void hash_block(struct kc_hash_ctx *c, const u8 *p)
{
	if (c->alg == KC_SHA1)
		sha1_block(c->h.s32, p);
	else if (kc_hash_block(c->alg) == 64)
		sha256_block(c->h.s32, p);
	else
		sha512_block(c->h.s64, p);
}

void kc_hash_update(struct kc_hash_ctx *c, const u8 *data, size_t len)
{
	u32 bs = kc_hash_block(c->alg);

	if (kc_is_sha3(c->alg)) {
		kc_sha3_update(c, data, len);
		return;
	}
	c->count += len;
	while (len) {
		if (c->used == 0 && len >= bs) {
			hash_block(c, data);
			data += bs;
			len -= bs;
			continue;
		}
		c->buf[c->used++] = *data++;
		len--;
		if (c->used == bs) {
			hash_block(c, c->buf);
			c->used = 0;
		}
	}
}

void kc_hash_final(struct kc_hash_ctx *c, u8 *out)
{
	u32 bs = kc_hash_block(c->alg), lenpos = bs - 8, i;
	u64 bits = c->count << 3;
	/* the length field is 8 (SHA-256) or 16 (SHA-512) bytes */
	u32 room = bs == 64 ? lenpos : lenpos - 8;

	if (kc_is_sha3(c->alg)) {
		kc_sha3_final(c, out);
		return;
	}
	c->buf[c->used++] = 0x80;
	if (c->used > room) {
		while (c->used < bs)
			c->buf[c->used++] = 0;
		hash_block(c, c->buf);
		c->used = 0;
	}
	while (c->used < lenpos)
		c->buf[c->used++] = 0;
	for (i = 0; i < 8; i++)
		c->buf[lenpos + i] = (u8)(bits >> (56 - 8 * i));
	hash_block(c, c->buf);
	for (i = 0; i < kc_hash_len(c->alg); i++) {
		if (bs == 64)
			out[i] = (u8)(c->h.s32[i / 4] >> (24 - 8 * (i % 4)));
		else
			out[i] = (u8)(c->h.s64[i / 8] >> (56 - 8 * (i % 8)));
	}
	kc_wipe(c, sizeof(*c));
}

int kc_hash(enum kc_hash alg, const u8 *data, size_t len, u8 *out)
{
	struct kc_hash_ctx c;

	if (kc_hash_init(&c, alg))
		return -1;
	kc_hash_update(&c, data, len);
	kc_hash_final(&c, out);
	return 0;
}

int kc_hmac_init(struct kc_hmac_ctx *c, enum kc_hash alg,
		 const u8 *key, size_t key_len)
{
	u8 k[KC_HASH_MAX_BLOCK];
	u32 bs = kc_hash_block(alg), i;

	if (!kc_hash_len(alg))
		return -1;
	for (i = 0; i < bs; i++)
		k[i] = 0;
	if (key_len > bs) {
		kc_hash(alg, key, key_len, k);
	} else {
		for (i = 0; i < key_len; i++)
			k[i] = key[i];
	}
	for (i = 0; i < bs; i++)
		k[i] ^= 0x36;
	kc_hash_init(&c->inner, alg);
	kc_hash_update(&c->inner, k, bs);
	for (i = 0; i < bs; i++)
		k[i] ^= 0x36 ^ 0x5c;
	kc_hash_init(&c->outer, alg);
	kc_hash_update(&c->outer, k, bs);
	kc_wipe(k, sizeof(k));
	return 0;
}

void kc_hmac_update(struct kc_hmac_ctx *c, const u8 *data, size_t len)
{
	kc_hash_update(&c->inner, data, len);
}

void kc_hmac_final(struct kc_hmac_ctx *c, u8 *out)
{
	u8 d[KC_HASH_MAX_DIGEST];
	u32 dl = kc_hash_len(c->inner.alg);

	kc_hash_final(&c->inner, d);
	kc_hash_update(&c->outer, d, dl);
	kc_hash_final(&c->outer, out);
	kc_wipe(d, sizeof(d));
}

int kc_hmac(enum kc_hash alg, const u8 *key, size_t key_len, const u8 *data,
	    size_t len, u8 *out)
{
	struct kc_hmac_ctx c;

	if (kc_hmac_init(&c, alg, key, key_len))
		return -1;
	kc_hmac_update(&c, data, len);
	kc_hmac_final(&c, out);		/* wipes c */
	return 0;
}
