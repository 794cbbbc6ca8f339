/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Key types: one struct khsm_key_ops per CKK_*, defined in the family file
 * beside the mechanisms that use the keys (mech_rsa.c, mech_ecdsa.c,
 * mech_eddsa.c; key_secret.c for AES and generic secrets) and listed in
 * key.c. The core (object.c, attr.c, session.c) knows no key type: it asks
 * the ops which classes and attributes a type has, what a template must
 * give, how a key is generated and how an imported one is checked.
 *
 * Key material: every key object holds a struct khsm_keymat, built once
 * from its attributes when the object is created, generated or imported,
 * immutable afterwards and reference counted. C_CopyObject shares it;
 * C_SetAttributeValue cannot change it (the attributes it is built from
 * are read-only). An operation takes a reference under the token lock and
 * runs the mechanism on it without any lock of the token.
 */
#ifndef KHSM_KEY_H
#define KHSM_KEY_H

#include <linux/kref.h>

#include "attr.h"
#include "khsm.h"
#include "mech.h"

/* Most type-specific attribute descriptors one key type may have. */
#define KHSM_KEY_MAX_ATTRS	16

/* Default usage of a key type (struct khsm_key_ops.usage). */
#define KHSM_KU_ENCRYPT		BIT(0)	/* CKA_ENCRYPT / CKA_DECRYPT */
#define KHSM_KU_SIGN		BIT(1)	/* CKA_SIGN / CKA_VERIFY */
#define KHSM_KU_WRAP		BIT(2)	/* CKA_WRAP / CKA_UNWRAP */
#define KHSM_KU_DERIVE		BIT(3)	/* CKA_DERIVE (secret, private) */

struct khsm_key_ops {
	unsigned long type;		/* CKK_* */
	const char *name;
	u8 classes;			/* KHSM_AC_SECRET / _PRIV / _PUB */
	/* Attributes of this type only (CKA_MODULUS, CKA_EC_POINT, ...). */
	const struct khsm_attr_desc *attrs;
	unsigned int n_attrs;
	/*
	 * The attributes that make the key material (copied into the
	 * keymat; every one of them is read-only).
	 */
	const u32 *material;
	unsigned int n_material;
	/*
	 * KHSM_KU_* bits: the usage attributes that default to true for a
	 * new key of this type (the template may still set others), so a
	 * key does by default only what its type can do. 0: every usage
	 * attribute of the class but CKA_DERIVE.
	 */
	u32 usage;

	/*
	 * C_CreateObject of a key of @class: @s holds the defaults and the
	 * template @t. Check that @t gives what such a key needs
	 * (CKR_TEMPLATE_INCOMPLETE, CKR_ATTRIBUTE_VALUE_INVALID, ...) and add
	 * the attributes computed from it (CKA_VALUE_LEN, CKA_MODULUS_BITS).
	 */
	unsigned long (*create)(struct khsm_attrs *s, const struct khsm_tmpl *t,
				unsigned long class);
	/*
	 * Full check of an imported key (curve, point on the curve, RSA
	 * private key round trip), or NULL. May take long: called without
	 * any lock of the token.
	 */
	unsigned long (*check)(const struct khsm_key *key);

	/*
	 * Generation: @gen_check looks at the template(s) before the
	 * attribute lists are built (@priv_t NULL for C_GenerateKey);
	 * @generate fills a secret key's CKA_VALUE into @s, @generate_pair
	 * the material of both keys of a pair. @m is the generation
	 * mechanism (its parameter was refused if it had one). Both may
	 * take seconds and sleep: called without any lock of the token.
	 */
	unsigned long (*gen_check)(const struct khsm_tmpl *t,
				   const struct khsm_tmpl *priv_t);
	unsigned long (*generate)(const struct khsm_mech *m,
				  struct khsm_attrs *s);
	unsigned long (*generate_pair)(const struct khsm_mech *m,
				       struct khsm_attrs *pub,
				       struct khsm_attrs *priv);

	/*
	 * C_WrapKey of a private key of this type (wrap.c): its PKCS#8
	 * PrivateKeyInfo (DER) in a buffer *@der of *@der_len bytes that the
	 * caller frees with kvfree_sensitive(). NULL: private keys of this
	 * type cannot be wrapped (CKR_KEY_NOT_WRAPPABLE).
	 */
	unsigned long (*pkcs8_encode)(const struct khsm_key *key, u8 **der,
				      u32 *der_len);
	/*
	 * C_UnwrapKey into a private key of this type: parse PrivateKeyInfo
	 * @der and add to @s the key material attributes a C_CreateObject
	 * template would give (CKA_MODULUS ... CKA_COEFFICIENT; CKA_EC_PARAMS,
	 * CKA_VALUE, CKA_EC_POINT), then the unwrap goes on as C_CreateObject
	 * does (->create, ->check). CKR_WRAPPED_KEY_INVALID if @der is not a
	 * well-formed key of this type. NULL: cannot be unwrapped.
	 */
	unsigned long (*pkcs8_decode)(const u8 *der, u32 der_len,
				      struct khsm_attrs *s);
	/*
	 * Security strength of @key in bits (NIST SP 800-57 part 1, table
	 * 2), for the rule that no key is wrapped by a weaker one
	 * (policy.c). NULL: keys of this type neither wrap nor are wrapped.
	 */
	u32 (*strength)(const struct khsm_key *key);
};

/* Immutable key material of one or more objects (copies share it). */
struct khsm_keymat {
	struct kref ref;
	const struct khsm_key_ops *ops;
	struct khsm_key key;		/* points into data[] and prep */
	struct khsm_prep_cache prep;
	size_t size;
	u8 data[];
};

/* The ops of key type @type (CKK_*), or NULL if khsm has none. */
const struct khsm_key_ops *khsm_key_ops_find(unsigned long type);
/*
 * Some key type's descriptor of attribute @type (NULL: none has it);
 * *@sensitive is set if any key type's is KHSM_AF_SENSITIVE.
 */
const struct khsm_attr_desc *khsm_key_attr_any(u32 type, bool *sensitive);

/*
 * Build the key material of a key of @class from its attribute list;
 * *@km gets the first reference. No lock needed.
 */
unsigned long khsm_keymat_build(const struct khsm_key_ops *ops,
				unsigned long class,
				const struct khsm_attrs *a,
				struct khsm_keymat **km);
static inline struct khsm_keymat *khsm_keymat_get(struct khsm_keymat *km)
{
	kref_get(&km->ref);
	return km;
}

void khsm_keymat_put(struct khsm_keymat *km);

/*
 * Check an imported key by starting operation @kind of mechanism @mech
 * on it, as C_SignInit/C_VerifyInit would (for key types whose
 * mechanisms parse the key fully at init).
 */
unsigned long khsm_key_check_by_mech(unsigned long mech, u32 kind,
				     const struct khsm_key *key);

/*
 * Keys on a curve (CKK_EC, CKK_EC_EDWARDS): CKA_EC_PARAMS, CKA_VALUE
 * (private) and CKA_EC_POINT (public). Shared descriptors and template
 * rules; the family supplies the curve code.
 */
#define KHSM_CURVE_KEY_N_ATTRS		3
#define KHSM_CURVE_KEY_N_MATERIAL	3
extern const struct khsm_attr_desc khsm_curve_key_attrs[KHSM_CURVE_KEY_N_ATTRS];
extern const u32 khsm_curve_key_material[KHSM_CURVE_KEY_N_MATERIAL];
unsigned long khsm_curve_key_create(struct khsm_attrs *s,
				    const struct khsm_tmpl *t,
				    unsigned long class);
unsigned long khsm_curve_key_gen_check(const struct khsm_tmpl *pub_t,
				       const struct khsm_tmpl *priv_t);

/*
 * Generate a curve key pair with @gen on the public template's
 * CKA_EC_PARAMS (copied to the private key): CKR_CURVE_NOT_SUPPORTED for
 * an unknown curve, CKR_DOMAIN_PARAMS_INVALID for malformed DER.
 */
unsigned long khsm_curve_key_generate_pair(struct khsm_attrs *pub,
	struct khsm_attrs *priv,
	unsigned long (*gen)(const u8 *params, u32 params_len,
			     struct khsm_keypair *kp));

/* The members of struct khsm_key_ops every curve key type shares. */
#define KHSM_CURVE_KEY_OPS					\
	.classes = KHSM_AC_PRIV | KHSM_AC_PUB,			\
	.attrs = khsm_curve_key_attrs,				\
	.n_attrs = KHSM_CURVE_KEY_N_ATTRS,			\
	.material = khsm_curve_key_material,			\
	.n_material = KHSM_CURVE_KEY_N_MATERIAL,		\
	.create = khsm_curve_key_create,			\
	.gen_check = khsm_curve_key_gen_check

/*
 * The key types (key_secret.c, mech_ecdsa.c, mech_eddsa.c, mech_x25519.c,
 * mech_rsa.c).
 */
extern const struct khsm_key_ops khsm_key_aes;
extern const struct khsm_key_ops khsm_key_generic_secret;
extern const struct khsm_key_ops khsm_key_hkdf;
extern const struct khsm_key_ops khsm_key_ec;
extern const struct khsm_key_ops khsm_key_ec_edwards;
extern const struct khsm_key_ops khsm_key_ec_montgomery;
extern const struct khsm_key_ops khsm_key_rsa;

/*
 * PKCS#8 (pkcs8_glue.c). khsm_pkcs8_key_type(): the CKK_* of the key the
 * PrivateKeyInfo @der holds, from its AlgorithmIdentifier (for an unwrap
 * template without CKA_KEY_TYPE): CKK_RSA, CKK_EC, CKK_EC_EDWARDS or
 * CKK_EC_MONTGOMERY in *@ckk, else CKR_WRAPPED_KEY_INVALID (also for a
 * malformed outer structure).
 */
unsigned long khsm_pkcs8_key_type(const u8 *der, u32 len, unsigned long *ckk);

/* Longest PrivateKeyInfo khsm writes (RSA-8192 needs about 4.8 KiB). */
#define KHSM_PKCS8_MAX_LEN	16384

/*
 * For the ->pkcs8_encode adapters: run codec encoder @enc on @k (its
 * kc_p8_* key struct) once to size and once into a kvmalloc()ed *@der.
 * A key the codec refuses is CKR_KEY_NOT_WRAPPABLE.
 */
typedef int (*khsm_pkcs8_enc_t)(const void *k, u8 *out, size_t cap,
				size_t *out_len);
unsigned long khsm_pkcs8_encode(khsm_pkcs8_enc_t enc, const void *k,
				u8 **der, u32 *der_len);
/*
 * The Ed25519 (@ed) or X25519 hooks' common part, once the adapter has
 * checked the curve: CKA_VALUE (32 bytes) to PrivateKeyInfo; and
 * PrivateKeyInfo to CKA_EC_PARAMS (the DER OID) and CKA_VALUE.
 */
unsigned long khsm_pkcs8_encode_25519(bool ed, const struct khsm_key *key,
				      u8 **der, u32 *der_len);
unsigned long khsm_pkcs8_decode_25519(bool ed, const u8 *der, u32 der_len,
				      struct khsm_attrs *s);

#endif /* KHSM_KEY_H */
