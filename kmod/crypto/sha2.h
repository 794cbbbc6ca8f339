/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The engine's hashes behind one interface (kc_hash_*): SHA-2 (FIPS 180-4:
 * SHA-224, SHA-256, SHA-384, SHA-512), SHA-1 (FIPS 180-4; the legacy
 * PKCS#1 hashes and HMAC-SHA-1) and SHA-3 (FIPS 202: SHA3-224 .. SHA3-512,
 * sha3.c), and HMAC (RFC 2104, FIPS 198-1) over any of them. Used for the
 * engine's own needs (RFC 6979 nonces, PKCS#1 encodings), the digest and
 * HMAC mechanisms of the module, and key derivation (HKDF). Same code in
 * kernel and userspace; known answers in qemu-tests/engine/sha2_test.c,
 * sha3_test.c and at load.
 */
#ifndef KC_SHA2_H
#define KC_SHA2_H

#include "shim.h"

enum kc_hash {
	KC_SHA224 = 1,
	KC_SHA256,
	KC_SHA384,
	KC_SHA512,
	KC_SHA1,
	KC_SHA3_224,
	KC_SHA3_256,
	KC_SHA3_384,
	KC_SHA3_512,
};

#define KC_HASH_MAX_DIGEST	64
/* Largest kc_hash_block(): the rate of SHA3-224 (SHA-512's block is 128). */
#define KC_HASH_MAX_BLOCK	144

struct kc_hash_ctx {
	enum kc_hash alg;
	u32 used;			/* bytes in buf / in the Keccak block */
	u64 count;			/* bytes hashed so far (< 2^61) */
	union {
		struct {		/* SHA-1, SHA-2 */
			union {
				u32 s32[8];
				u64 s64[8];
			} h;
			u8 buf[128];
		};
		u64 keccak[25];		/* SHA-3: the Keccak-f[1600] state */
	};
};

/* Digest length in bytes, or 0 for an unknown algorithm. */
u32 kc_hash_len(enum kc_hash alg);
/* Block size in bytes (SHA-3: the rate), the B of HMAC. */
u32 kc_hash_block(enum kc_hash alg);
/* Returns 0, or -1 for an unknown algorithm. */
int kc_hash_init(struct kc_hash_ctx *c, enum kc_hash alg);
void kc_hash_update(struct kc_hash_ctx *c, const u8 *data, size_t len);
/* Writes kc_hash_len() bytes and wipes the context. */
void kc_hash_final(struct kc_hash_ctx *c, u8 *out);
int kc_hash(enum kc_hash alg, const u8 *data, size_t len, u8 *out);

/*
 * HMAC (RFC 2104) with any kc_hash: init with a key of any length (longer
 * than the block it is hashed first), update any number of times, final
 * writes kc_hash_len(alg) bytes and wipes the context. Truncation is the
 * caller's (take the first bytes). A context dropped before final must be
 * wiped by its owner (it holds key-derived state). kc_hmac_init returns 0,
 * or -1 for an unknown algorithm. About 2 * 216 bytes: heap or stack.
 */
struct kc_hmac_ctx {
	struct kc_hash_ctx inner;
	struct kc_hash_ctx outer;
};

int kc_hmac_init(struct kc_hmac_ctx *c, enum kc_hash alg,
		 const u8 *key, size_t key_len);
void kc_hmac_update(struct kc_hmac_ctx *c, const u8 *data, size_t len);
void kc_hmac_final(struct kc_hmac_ctx *c, u8 *out);
/* One-shot HMAC of @data into @out (kc_hash_len(alg) bytes); 0 or -1. */
int kc_hmac(enum kc_hash alg, const u8 *key, size_t key_len, const u8 *data,
	    size_t len, u8 *out);

/*
 * HKDF (RFC 5869, hkdf.c). Extract writes kc_hash_len(alg) bytes of PRK
 * (no salt: @salt_len 0); expand writes @out_len bytes, at most 255 *
 * kc_hash_len(alg). Both return 0, or -1 for an unknown algorithm or a
 * length out of range.
 */
int kc_hkdf_extract(enum kc_hash alg, const u8 *salt, size_t salt_len,
		    const u8 *ikm, size_t ikm_len, u8 *prk);
int kc_hkdf_expand(enum kc_hash alg, const u8 *prk, size_t prk_len,
		   const u8 *info, size_t info_len, u8 *out, size_t out_len);

/* sha3.c, reached through kc_hash_*(): not for direct use. */
void kc_sha3_init(struct kc_hash_ctx *c);
void kc_sha3_update(struct kc_hash_ctx *c, const u8 *data, size_t len);
void kc_sha3_final(struct kc_hash_ctx *c, u8 *out);

#endif /* KC_SHA2_H */
