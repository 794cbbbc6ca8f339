/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SHA-2 (FIPS 180-4: SHA-224, SHA-256, SHA-384, SHA-512) and HMAC (RFC 2104)
 * for the engine's own use (RFC 6979 nonces, PKCS#1 encodings), plus SHA-1
 * (FIPS 180-4) for the legacy PKCS#1 hashes (RSA PSS/OAEP with SHA-1 and
 * its MGF1) only. Same code in kernel and userspace; known answers in
 * qemu-tests/engine/sha2_test.c and at load.
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
};

#define KC_HASH_MAX_DIGEST	64
#define KC_HASH_MAX_BLOCK	128

struct kc_hash_ctx {
	enum kc_hash alg;
	union {
		u32 s32[8];
		u64 s64[8];
	} h;
	u64 count;			/* bytes hashed so far (< 2^61) */
	u8 buf[KC_HASH_MAX_BLOCK];
	u32 used;
};

/* Digest length in bytes, or 0 for an unknown algorithm. */
u32 kc_hash_len(enum kc_hash alg);
u32 kc_hash_block(enum kc_hash alg);
/* Returns 0, or -1 for an unknown algorithm. */
int kc_hash_init(struct kc_hash_ctx *c, enum kc_hash alg);
void kc_hash_update(struct kc_hash_ctx *c, const u8 *data, size_t len);
/* Writes kc_hash_len() bytes and wipes the context. */
void kc_hash_final(struct kc_hash_ctx *c, u8 *out);
int kc_hash(enum kc_hash alg, const u8 *data, size_t len, u8 *out);

struct kc_hmac_ctx {
	struct kc_hash_ctx inner;
	struct kc_hash_ctx outer;
};

int kc_hmac_init(struct kc_hmac_ctx *c, enum kc_hash alg,
		 const u8 *key, size_t key_len);
void kc_hmac_update(struct kc_hmac_ctx *c, const u8 *data, size_t len);
void kc_hmac_final(struct kc_hmac_ctx *c, u8 *out);

#endif /* KC_SHA2_H */
