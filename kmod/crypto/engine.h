/* SPDX-License-Identifier: GPL-2.0 */
/*
 * khsm crypto engine: the narrow API mechanism code sees.
 *
 * Constant-time elliptic-curve arithmetic (NIST P-256, P-384 and P-521 with
 * complete Renes-Costello-Batina formulas) in portable C that compiles
 * unchanged in the kernel module and in userspace tests.
 *
 * Encodings: scalars and coordinates are big-endian, exactly
 * kc_ec_bytes() long. Public keys are SEC1 uncompressed points
 * (0x04 || X || Y); ECDSA signatures are r || s (the PKCS#11 CKM_ECDSA
 * form). All functions return 0 or a negative KC_E* code; on any error no
 * output is written except for being wiped.
 *
 * Nonces: kc_ecdsa_sign() uses RFC 6979 deterministic nonces (HMAC-DRBG
 * over @nonce_hash). If @extra is non-NULL, its bytes are added as the
 * additional data k' of RFC 6979 section 3.6 ("hedged" signatures: still
 * safe if the RNG fails, and no longer a fixed function of the message,
 * which blunts fault attacks). Mechanism code should pass 32 fresh random
 * bytes; known-answer tests pass NULL.
 *
 * Hashes and HMAC (SHA-1, SHA-2, SHA-3; kc_hash_*, kc_hmac_*, kc_hmac())
 * are declared and documented in sha2.h, included here: key derivation
 * (HKDF, X9.63) builds on kc_hmac()/kc_hash() like the mechanisms do.
 */
#ifndef KC_ENGINE_H
#define KC_ENGINE_H

#include "shim.h"
#include "sha2.h"

enum kc_curve {
	KC_P256 = 1,
	KC_P384 = 2,
	KC_P521 = 3,
};

#define KC_EC_MAX_BYTES		66
#define KC_EC_MAX_POINT		(1 + 2 * KC_EC_MAX_BYTES)

enum {
	KC_OK = 0,
	KC_ECURVE = -1,		/* curve not supported by the engine */
	KC_EINPUT = -2,		/* malformed length, scalar out of range */
	KC_EPOINT = -3,		/* public key not a valid point */
	KC_ESIG = -4,		/* signature does not verify */
	KC_EFAULT = -5,		/* internal consistency check failed */
	KC_EINTR = -6,		/* stopped: kc_yield() asked (fatal signal) */
};

/* Field/scalar byte length of @curve, or 0 if unknown. */
u32 kc_ec_bytes(enum kc_curve curve);

/* New key pair: @priv gets kc_ec_bytes(), @pub 1 + 2 * kc_ec_bytes(). */
int kc_ec_keygen(enum kc_curve curve, u8 *priv, u8 *pub);
/* Public point of @priv (which must be in [1, n - 1]). */
int kc_ec_pub_from_priv(enum kc_curve curve, const u8 *priv, u8 *pub);
/* 0 if @pub is a valid uncompressed point (coordinates < p, on curve). */
int kc_ec_check_pub(enum kc_curve curve, const u8 *pub, size_t pub_len);
/*
 * SEC1 compressed point 02/03 || X (1 + kc_ec_bytes()) to the uncompressed
 * @pub (1 + 2 * kc_ec_bytes()): KC_EPOINT for a wrong length or prefix,
 * X >= p, or an X with no point (x^3 - 3x + b not a square). Public
 * data only (variable time).
 */
int kc_ec_decompress(enum kc_curve curve, const u8 *in, size_t in_len,
		     u8 *pub);

/* @sig gets 2 * kc_ec_bytes() bytes (r || s). */
int kc_ecdsa_sign(enum kc_curve curve, const u8 *priv,
		  const u8 *digest, size_t digest_len,
		  enum kc_hash nonce_hash, const u8 *extra, size_t extra_len,
		  u8 *sig);
/* 0 if valid, KC_ESIG if not; r and s must be in [1, n - 1]. */
int kc_ecdsa_verify(enum kc_curve curve, const u8 *pub, size_t pub_len,
		    const u8 *digest, size_t digest_len,
		    const u8 *sig, size_t sig_len);
/*
 * ECDH (SP 800-56A ECC CDH primitive, cofactor 1): @z gets X of priv*peer.
 * CKM_ECDH1_DERIVE on CKK_EC keys (kmod/mech_ecdh.c) calls it.
 */
int kc_ecdh(enum kc_curve curve, const u8 *priv,
	    const u8 *peer, size_t peer_len, u8 *z);

/*
 * Known-answer tests only (CAVP SigGen gives k): sign with the caller's
 * nonce @k in [1, n - 1]. Never use for real signatures.
 */
int kc_ecdsa_sign_with_k(enum kc_curve curve, const u8 *priv,
			 const u8 *digest, size_t digest_len,
			 const u8 *k, u8 *sig);

/*
 * X25519 (RFC 7748): 32-byte little-endian scalars and u-coordinates.
 * kc_x25519() clamps the scalar, ignores the top bit of @u, and returns
 * KC_EPOINT (after writing the all-zero result) when the shared secret is
 * all zero, i.e. @u had small order; callers must not use it then.
 * CKM_EC_MONTGOMERY_KEY_PAIR_GEN and CKM_ECDH1_DERIVE on CKK_EC_MONTGOMERY
 * keys (kmod/mech_x25519.c) call them.
 */
int kc_x25519(u8 *out, const u8 *scalar, const u8 *u);
int kc_x25519_base(u8 *pub, const u8 *scalar);
int kc_x25519_keygen(u8 *priv, u8 *pub);

/*
 * Ed25519 (RFC 8032, pure): 32-byte seeds (the RFC's private key), 32-byte
 * public keys, 64-byte signatures R || S. kc_ed25519_sign() takes the
 * public key of @seed in @pub (as stored next to it) or NULL to derive it;
 * a @pub that does not belong to @seed gives a wrong signature, never an
 * error. kc_ed25519_verify() returns 0, KC_ESIG (bad length, S >= L,
 * non-canonical R, or no match) or KC_EPOINT (@pub not a canonical point
 * encoding, or of small order).
 */
int kc_ed25519_keygen(u8 *seed, u8 *pub);
int kc_ed25519_pub_from_seed(u8 *pub, const u8 *seed);
int kc_ed25519_sign(u8 *sig, const u8 *seed, const u8 *pub,
		    const u8 *msg, size_t msg_len);
int kc_ed25519_verify(const u8 *pub, const u8 *msg, size_t msg_len,
		      const u8 *sig, size_t sig_len);
/*
 * Ed25519ctx and Ed25519ph (RFC 8032 5.1): the same with dom2(phflag,
 * context) in front of both hash inputs. kc_ed25519_dom2() writes it to
 * @dom (room for KC_ED25519_DOM_MAX bytes) and returns its length, 0 if
 * @ctx_len > 255. For Ed25519ph @msg is PH(M) = SHA-512(M), 64 bytes.
 * An empty @dom (NULL, 0) is pure Ed25519.
 */
#define KC_ED25519_DOM_MAX	(32 + 2 + 255)
size_t kc_ed25519_dom2(u8 *dom, int phflag, const u8 *ctx, size_t ctx_len);
int kc_ed25519_sign_dom(u8 *sig, const u8 *seed, const u8 *pub,
			const u8 *dom, size_t dom_len,
			const u8 *msg, size_t msg_len);
int kc_ed25519_verify_dom(const u8 *pub, const u8 *dom, size_t dom_len,
			  const u8 *msg, size_t msg_len,
			  const u8 *sig, size_t sig_len);

/*
 * Primitives: kc_ec_scalar_check() checks an imported private key
 * (mech_ecdsa.c); the others rebuild ECDSA in the tests (prim_test.c).
 * Scalars and coordinates are big-endian, kc_ec_bytes() long; a point
 * here is X || Y without the 0x04 prefix. Scalar inputs must be < n
 * (except kc_ec_scalar_reduce). Constant time except kc_ec_mul2_x.
 * Return KC_OK, KC_ECURVE, KC_EINPUT or KC_EPOINT.
 */
int kc_ec_scalar_check(enum kc_curve curve, const u8 *s);	/* [1, n-1] */
int kc_ec_scalar_reduce(enum kc_curve curve, const u8 *in, u8 *out);
int kc_ec_scalar_mul(enum kc_curve curve, const u8 *a, const u8 *b, u8 *out);
int kc_ec_scalar_add(enum kc_curve curve, const u8 *a, const u8 *b, u8 *out);
/* Fermat inversion (a^(n-2)): constant time, no blinding needed */
int kc_ec_scalar_inv(enum kc_curve curve, const u8 *a, u8 *out);
/* @xy = k G for k in [1, n - 1] */
int kc_ec_mul_base(enum kc_curve curve, const u8 *k, u8 *xy);
int kc_ec_point_check(enum kc_curve curve, const u8 *xy);
/* @x = X of u1 G + u2 Q (variable time: public inputs only) */
int kc_ec_mul2_x(enum kc_curve curve, const u8 *u1, const u8 *u2,
		 const u8 *xy, u8 *x);

/*
 * RSA: moduli of KC_RSA_MIN_BITS..KC_RSA_MAX_BITS bits for public-key
 * operations, up to KC_RSA_MAX_PRIV_BITS for private-key operations;
 * key generation makes 1024, 2048, 3072 or 4096-bit keys only.
 * Every number is big-endian bytes as PKCS#11 stores it (CKA_MODULUS,
 * CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT, CKA_PRIME_1/2,
 * CKA_EXPONENT_1/2, CKA_COEFFICIENT); leading zero bytes are allowed
 * (Java's BigInteger.toByteArray() writes one): the engine normalises
 * every number where it parses a key (rsa.c), so a key with them takes
 * the same code path as one without. Inputs and outputs of the raw
 * operations are exactly n_len bytes (n_len = byte length of n without
 * leading zeros). @work is caller memory of KC_RSA_WORK_BYTES bytes,
 * 8-byte aligned (the kernel kvmallocs it, wipes and frees it); nothing
 * in it is needed afterwards. Nothing here allocates.
 */
#define KC_RSA_MIN_BITS		1024
#define KC_RSA_MAX_BITS		8192
#define KC_RSA_MAX_PRIV_BITS	4096
#define KC_RSA_MAX_BYTES	(KC_RSA_MAX_BITS / 8)
#define KC_RSA_WORK_BYTES	(64 * 1024)

struct kc_rsa_pub {
	const u8 *n;
	size_t n_len;
	const u8 *e;
	size_t e_len;
};

/*
 * Private key. CRT form (p, q, dp, dq, qinv all set; qinv = q^-1 mod p)
 * is used when present, else the plain exponent d. e is mandatory: the
 * result is checked with it before it leaves the engine.
 */
struct kc_rsa_priv {
	const u8 *n, *e, *d, *p, *q, *dp, *dq, *qinv;
	size_t n_len, e_len, d_len, p_len, q_len, dp_len, dq_len, qinv_len;
};

/*
 * Key generation output: caller buffers of exactly bits/8 bytes (n, d)
 * and bits/16 bytes (p, q, dp, dq, qinv), written big-endian with leading
 * zeros as needed. p > q.
 */
struct kc_rsa_keygen_out {
	u8 *n, *d, *p, *q, *dp, *dq, *qinv;
};

/* 0 if n is odd with KC_RSA_MIN..MAX_BITS bits and e odd, 3 <= e < n. */
int kc_rsa_check_pub(const struct kc_rsa_pub *key);
/*
 * kc_rsa_check_pub() that also gives the byte length @k and bit length
 * @n_bits of n and the bit length @e_bits of e (leading zeros ignored).
 */
int kc_rsa_pub_info(const struct kc_rsa_pub *key, size_t *k, u32 *n_bits,
		    u32 *e_bits);
/*
 * Import check of a private key: as kc_rsa_check_pub (and n at most
 * KC_RSA_MAX_PRIV_BITS), plus for CRT keys
 * n = p q, dp < p, dq < q, qinv < p, qinv q = 1 (mod p), and a
 * private/public round trip. KC_EINPUT if any fails.
 */
int kc_rsa_check_priv(const struct kc_rsa_priv *key, void *work);
/* out = in^e mod n (variable time: public data). KC_EINPUT if in >= n. */
int kc_rsa_public(const struct kc_rsa_pub *key, const u8 *in, u8 *out,
		  void *work);
/*
 * out = in^d mod n: CRT with base blinding, constant-time fixed-window
 * exponentiation, and the result checked (out^e == in) before it is
 * written. KC_EINPUT if in >= n or the key is malformed, KC_EFAULT if the
 * check fails (out is zeroed: a fault never yields a wrong result).
 */
int kc_rsa_private(const struct kc_rsa_priv *key, const u8 *in, u8 *out,
		   void *work);
/*
 * FIPS 186-5 A.1.3 style key generation (probable primes, table B.1 M-R
 * rounds), 2^16 < e < 2^256 odd, pairwise sign/verify test before return.
 * KC_EINPUT for a bad size or e, KC_EFAULT if the pairwise test fails,
 * KC_EINTR if kc_yield() (called once per prime candidate) asked to stop.
 */
int kc_rsa_keygen(u32 bits, const u8 *e, size_t e_len,
		  const struct kc_rsa_keygen_out *out, void *work);

/*
 * PKCS#1 v2.2 (RFC 8017) encodings over the raw operations. @hash names
 * the digest that @digest holds (and for PSS/OAEP the MGF1 hash too:
 * @mgf). Signatures and ciphertexts are n_len bytes.
 *
 * kc_rsa_pkcs1_sign_t() takes T (a DER DigestInfo, or anything for
 * CKM_RSA_PKCS) and pads it; kc_rsa_digest_info() writes the DigestInfo
 * prefix of @hash (returns its length, 0 if unknown) so callers can build
 * T. PSS: @salt of @salt_len bytes, or NULL for fresh random salt.
 * OAEP decrypt is constant time in the padding check and returns one
 * error (KC_EINPUT) for every malformed message.
 */
size_t kc_rsa_digest_info(enum kc_hash hash, u8 *prefix, size_t max);
int kc_rsa_pkcs1_sign_t(const struct kc_rsa_priv *key, const u8 *t,
			size_t t_len, u8 *sig, void *work);
int kc_rsa_pkcs1_verify_t(const struct kc_rsa_pub *key, const u8 *t,
			  size_t t_len, const u8 *sig, size_t sig_len,
			  void *work);
int kc_rsa_pss_sign(const struct kc_rsa_priv *key, enum kc_hash hash,
		    enum kc_hash mgf, const u8 *salt, size_t salt_len,
		    const u8 *digest, size_t digest_len, u8 *sig, void *work);
int kc_rsa_pss_verify(const struct kc_rsa_pub *key, enum kc_hash hash,
		      enum kc_hash mgf, size_t salt_len,
		      const u8 *digest, size_t digest_len,
		      const u8 *sig, size_t sig_len, void *work);
int kc_rsa_oaep_encrypt(const struct kc_rsa_pub *key, enum kc_hash hash,
			enum kc_hash mgf, const u8 *label, size_t label_len,
			const u8 *seed, const u8 *msg, size_t msg_len,
			u8 *out, void *work);
/*
 * RSAES-PKCS1-v1_5 (RFC 8017 7.2). Encrypt: @ps (k - 3 - msg_len nonzero
 * bytes, known-answer tests only) or NULL for random padding; KC_EINPUT
 * if msg_len > k - 11. Decrypt with implicit rejection
 * (draft-irtf-cfrg-rsa-guidance): a malformed padding gives a
 * deterministic pseudo-random message derived from d and the ciphertext
 * instead of an error, in constant time; the key needs d. *@msg_len:
 * room in @msg on entry (at least k - 11), message length on return.
 * KC_EINPUT only for public failures (in_len != k, C >= n, room, key).
 */
int kc_rsa_pkcs1_encrypt(const struct kc_rsa_pub *key, const u8 *ps,
			 const u8 *msg, size_t msg_len, u8 *out, void *work);
int kc_rsa_pkcs1_decrypt(const struct kc_rsa_priv *key, const u8 *in,
			 size_t in_len, u8 *msg, size_t *msg_len, void *work);
/* *@msg_len: room in @msg on entry, message length on success */
int kc_rsa_oaep_decrypt(const struct kc_rsa_priv *key, enum kc_hash hash,
			enum kc_hash mgf, const u8 *label, size_t label_len,
			const u8 *in, size_t in_len, u8 *msg, size_t *msg_len,
			void *work);

#endif /* KC_ENGINE_H */
