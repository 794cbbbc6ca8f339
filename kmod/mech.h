/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mechanism registry: the only interface between the token core (object,
 * session, ioctl) and the cryptographic code (mech_*.c).
 *
 * Every function here returns a PKCS#11 result (a CKR_* value, unsigned
 * long like CK_RV); the core turns it into the uAPI's rv/errno. Mechanism
 * code never sees user pointers, object handles, sessions or templates:
 * the core copies data in and out, checks policy (usage flags, key type,
 * login) before calling, and hands over key material as a struct khsm_key:
 * the view of an immutable, reference-counted struct khsm_keymat (key.h)
 * that the core holds until ->cleanup has run, so an operation context
 * may point into it instead of copying it. Key types (which attributes a
 * key has, generation, import checks) are struct khsm_key_ops, key.h.
 */
#ifndef KHSM_MECH_H
#define KHSM_MECH_H

#include <linux/types.h>

/*
 * Per-key state a mechanism builds on first use and the key keeps for as
 * long as its material lives: a keyed crypto API transform, so that
 * C_EncryptInit neither allocates a transform nor expands the key again.
 * The transform is never re-keyed, so the operations of every session may
 * share it (each brings its own request). A mechanism embeds struct
 * khsm_prep first in its own struct; khsm_prep_get() builds it outside
 * any lock and publishes it with cmpxchg (the loser of a race frees its
 * copy); khsm_prep_cache_release() frees them all with the key material.
 *
 * The crypto API allocates transforms without memory cgroup accounting,
 * so the kernel keeps at most max_prepared of them (module parameter,
 * default 16384, about 2-3 KiB each): beyond that, and for a key without a
 * cache, the operation gets a transform of its own (*owned), as if
 * nothing were cached, and frees it with khsm_prep_put().
 */
enum khsm_prep_slot {
	KHSM_PREP_AES_ECB,
	KHSM_PREP_AES_CBC,
	KHSM_PREP_AES_CTR,
	KHSM_PREP_GCM_TAG12,	/* ... TAG16: "gcm(aes)" per tag length */
	KHSM_PREP_GCM_TAG16 = KHSM_PREP_GCM_TAG12 + 4,
	KHSM_PREP_GCM_PARTS,	/* "ctr(aes)" and "ghash" keyed with H */
	KHSM_PREP_AES_CMAC,	/* "cmac(aes)" (mech_mac.c) */
	KHSM_PREP_SLOTS
};

struct khsm_key;
struct khsm_prep {
	void (*free)(struct khsm_prep *p);
};

struct khsm_prep_cache {
	struct khsm_prep *slot[KHSM_PREP_SLOTS];
};

typedef struct khsm_prep *(*khsm_prep_build_t)(const struct khsm_key *key,
					       unsigned int slot, int *err);

/*
 * The prepared state of @key in @slot, built by @build if there is none
 * yet; *@owned if it is the caller's alone. NULL with *@err set if
 * building failed.
 */
struct khsm_prep *khsm_prep_get(const struct khsm_key *key, unsigned int slot,
				khsm_prep_build_t build, bool *owned, int *err);
static inline void khsm_prep_put(struct khsm_prep *p, bool owned)
{
	if (p && owned)
		p->free(p);
}
void khsm_prep_cache_release(struct khsm_prep_cache *c);

/* Key material of one object, as the core stores it (kernel memory). */
struct khsm_key {
	unsigned long class;		/* CKO_SECRET_KEY / PRIVATE_KEY / PUBLIC_KEY */
	unsigned long key_type;		/* CKK_* */
	/*
	 * CKA_VALUE: secret key bytes, the EC private scalar (big-endian) or
	 * the EdDSA seed (RFC 8032 private key)
	 */
	const u8 *value;
	u32 value_len;
	const u8 *ec_params;		/* CKA_EC_PARAMS (DER), EC/EdDSA keys */
	u32 ec_params_len;
	/*
	 * CKA_EC_POINT: DER OCTET STRING of the uncompressed point (EC) or of
	 * the 32-byte encoding (Ed25519)
	 */
	const u8 *ec_point;
	u32 ec_point_len;
	/*
	 * RSA (CKK_RSA): CKA_MODULUS, CKA_PUBLIC_EXPONENT (both classes),
	 * CKA_PRIVATE_EXPONENT, CKA_PRIME_1/2, CKA_EXPONENT_1/2,
	 * CKA_COEFFICIENT (private keys; the CRT parts may be absent).
	 */
	struct khsm_key_part {
		const u8 *val;
		u32 len;
	} n, e, d, p, q, dp, dq, qinv;
	/* Per-key prepared state (the keymat's; a self-test brings its own). */
	struct khsm_prep_cache *prep;
};

/* An active operation of one session (one per KHSM_OP_* kind). */
struct khsm_op {
	const struct khsm_mech *mech;
	u32 kind;			/* KHSM_OP_* */
	void *ctx;			/* owned by the mechanism */
};

/* Step of khsm_mech_ops.step(); same numbers as the uAPI's KHSM_DATA_*. */
enum khsm_step {
	KHSM_STEP_UPDATE = 1,
	KHSM_STEP_FINAL = 2,
	KHSM_STEP_ONESHOT = 3,
};

/*
 * Output of a curve key-pair generator (the family's primitive behind its
 * key type's ->generate_pair): it fills the buffers (kernel memory, sizes
 * given in the *_len fields on entry) and sets the lengths.
 */
struct khsm_keypair {
	u8 *priv;			/* CKA_VALUE of the private key */
	u32 priv_len;
	u8 *pub_point;			/* CKA_EC_POINT (DER OCTET STRING) */
	u32 pub_point_len;
};

/* khsm_mech.key_type of mechanisms that take no key (digests). */
#define KHSM_KEY_NONE		(~0UL)	/* CK_UNAVAILABLE_INFORMATION */

struct khsm_mech {
	unsigned long type;		/* CKM_* */
	unsigned long flags;		/* CKF_ENCRYPT | ... (C_GetMechanismInfo) */
	unsigned long min_key_size;	/* CK_MECHANISM_INFO units */
	unsigned long max_key_size;
	/*
	 * CKK_* a key must have (generation mechanisms: of the keys they
	 * generate, through that type's struct khsm_key_ops), or
	 * KHSM_KEY_NONE for mechanisms that take no key.
	 */
	unsigned long key_type;
	/*
	 * Derivation mechanisms only: a second CKK_* the base key may have
	 * (CKM_ECDH1_DERIVE on CKK_EC and CKK_EC_MONTGOMERY keys), or 0 for
	 * none (0 is CKK_RSA, and RSA keys never derive).
	 */
	unsigned long derive_key_type2;
	/*
	 * Single-part only (PKCS#11 v3.0 current mechanisms tables, footnote
	 * "single-part operations only": CKM_ECDSA, CKM_RSA_PKCS,
	 * CKM_RSA_PKCS_PSS, CKM_RSA_PKCS_OAEP). The core refuses UPDATE and
	 * FINAL with CKR_OPERATION_NOT_INITIALIZED and ends the operation;
	 * ->step only ever sees ONESHOT.
	 */
	bool single_part;

	/*
	 * Optional: false if the flat parameter @param (@param_len bytes,
	 * copied by the core) breaks the uAPI's form, e.g. a reserved word
	 * is not zero; the ioctl then fails with EINVAL before any PKCS#11
	 * decision. Everything else about the parameter is ->init's to
	 * judge (CKR_MECHANISM_PARAM_INVALID).
	 */
	bool (*param_check)(const void *param, u32 param_len);

	/*
	 * Operations (ENCRYPT/DECRYPT/DIGEST/SIGN/VERIFY). @param is the flat
	 * uAPI parameter, already copied and length-capped by the core.
	 * @key is NULL for KHSM_KEY_NONE and stays valid until ->cleanup.
	 * ->init sets op->ctx. The core has already checked op->kind against
	 * ->flags, the key's class and type against ->key_type and the key's
	 * usage attribute (CKA_SIGN, ...). Called, like ->step, without
	 * any lock of the token (the session's lock is held).
	 */
	unsigned long (*init)(struct khsm_op *op, const struct khsm_key *key,
			const void *param, u32 param_len);
	/*
	 * Upper bound of the output for @in_len more input bytes at @step;
	 * used for length queries and CKR_BUFFER_TOO_SMALL before ->step runs
	 * (a query never runs ->step). Exact where the output length does
	 * not depend on the data; otherwise the largest output ->step can
	 * give (CBC_PAD and OAEP decryption). ->step never produces more.
	 * VERIFY returns 0.
	 */
	size_t (*out_len)(const struct khsm_op *op, enum khsm_step step,
			  size_t in_len);
	/*
	 * Process @in. @out has room for at least ->out_len() bytes; *out_len
	 * is set to what was produced. For VERIFY, @sig/@sig_len is the
	 * signature at FINAL and ONESHOT (NULL/0 at UPDATE) and nothing is
	 * produced. A step that fails ends the operation (the core calls
	 * ->cleanup); one that succeeds at FINAL or ONESHOT too.
	 */
	unsigned long (*step)(struct khsm_op *op, enum khsm_step step,
			const u8 *in, size_t in_len, u8 *out, size_t *out_len,
			const u8 *sig, size_t sig_len);
	/* Wipe and free op->ctx. Must accept a ctx that ->init left NULL. */
	void (*cleanup)(struct khsm_op *op);
	/*
	 * Key wrapping (CKF_WRAP, C_WrapKey) and unwrapping (CKF_UNWRAP,
	 * C_UnwrapKey) have no hooks of their own: wrap.c runs the
	 * mechanism's ENCRYPT operation (unwrap: DECRYPT) once, ->init with
	 * op->kind KHSM_OP_ENCRYPT (DECRYPT) on the wrapping (unwrapping)
	 * key, ->out_len and ->step at KHSM_STEP_ONESHOT, ->cleanup. A
	 * mechanism with CKF_WRAP but without CKF_ENCRYPT
	 * (CKM_RSA_AES_KEY_WRAP) implements that operation for wrap.c
	 * only: OP_INIT refuses it, its flags lacking CKF_ENCRYPT.
	 */

	/*
	 * Key derivation (CKF_DERIVE, C_DeriveKey): the value of the new
	 * key from base key @key (class and type checked against
	 * ->key_type, CKA_DERIVE true) and the flat parameter @param
	 * (copied by the core; ->param_check has seen it). On entry
	 * *@out_len is the length the template asks for (CKA_VALUE_LEN),
	 * or 0 if it names none; the mechanism writes the value to @out
	 * (room for KHSM_MAX_DERIVE_LEN bytes) and sets *@out_len, or
	 * refuses: CKR_TEMPLATE_INCOMPLETE if it needs a length and got
	 * none, CKR_TEMPLATE_INCONSISTENT if it cannot give that many
	 * bytes, CKR_MECHANISM_PARAM_INVALID for a bad parameter (a peer
	 * point off the curve included). The core checks the length
	 * against the new key's type, wipes @out and builds the key. Called
	 * without any lock of the token; may sleep. @aux: see
	 * ->derive_aux_handle.
	 */
	unsigned long (*derive)(const struct khsm_mech *m,
				const struct khsm_key *key,
				const struct khsm_key *aux,
				const void *param, u32 param_len,
				u8 *out, u32 *out_len);
	/*
	 * Derivation only, optional: the handle of a second key that the
	 * flat parameter names (CKM_HKDF_DERIVE's salt key), or 0 for none.
	 * The core looks it up in the caller's file and checks it like the
	 * base key (khsm_may_derive(): ->key_type or ->derive_key_type2,
	 * CKA_DERIVE true); ->derive gets its material as @aux (NULL when
	 * there is none). Runs after ->param_check.
	 */
	u32 (*derive_aux_handle)(const void *param, u32 param_len);
	/*
	 * Derivation only: the new object is CKO_DATA with CKA_VALUE (the
	 * template's CKA_VALUE_LEN, if any, is the length asked for and is
	 * not stored), not a secret key (CKM_HKDF_DATA).
	 */
	bool derive_data;
};

/* Registry (mech.c). */
int khsm_mech_init(void);	/* runs every family's known-answer tests */
void khsm_mech_uninit(void);
const struct khsm_mech *khsm_mech_find(unsigned long type);
/* Copies up to @max mechanism numbers into @types; returns the total. */
u32 khsm_mech_list(unsigned long *types, u32 max);
/* @m's position in khsm_mech_list()'s order (statistics tables). */
u32 khsm_mech_index(const struct khsm_mech *m);
/* The mechanism at that position, or NULL. */
const struct khsm_mech *khsm_mech_at(u32 index);

/* Largest key sizes the core must be ready to store (bytes). */
/* generic secrets (HMAC keys up to 2048 bits); AES keys are 16, 24 or 32 */
#define KHSM_MAX_SECRET_LEN	256
#define KHSM_MAX_EC_PRIV_LEN	66	/* P-521 scalar */
#define KHSM_MAX_EC_POINT_LEN	(3 + 1 + 2 * 66)	/* DER hdr + 04 X Y */
#define KHSM_MAX_EC_PARAMS_LEN	16
/*
 * RSA: bytes of an 8192-bit modulus (public keys: import, verify,
 * encrypt), of a 4096-bit one (private keys), bits of the keys generated
 * (the module parameter rsa_min_gen_bits may raise the minimum)
 */
#define KHSM_MAX_RSA_LEN	1024
#define KHSM_MAX_RSA_PRIV_LEN	512
#define KHSM_RSA_GEN_MIN_BITS	1024
#define KHSM_RSA_GEN_MAX_BITS	4096
/* Largest value ->derive() may produce (the core's buffer). */
#define KHSM_MAX_DERIVE_LEN	KHSM_MAX_SECRET_LEN
/* Largest signature or tag a mechanism makes (private keys <= 4096 bits). */
#define KHSM_MAX_SIG_LEN	KHSM_MAX_RSA_PRIV_LEN

#endif /* KHSM_MECH_H */
