// SPDX-License-Identifier: GPL-2.0
/*
 * Token keys in the kernel keyring. The module registers the key type
 * "khsm" (not ".khsm": the keyring core refuses a type with a leading dot
 * in every call that names a type, KEYCTL_SEARCH included, and searching
 * is what user space finds token keys with). User space cannot make a key
 * of it: ->preparse refuses every payload but the one this file builds,
 * which carries a random cookie drawn at load (add_key(2) and the
 * instantiation of a key request_key(2) is constructing get -EPERM; a
 * negated request leaves a negative key without payload, which every
 * callback takes as "no object"), and there is no ->update (KEYCTL_UPDATE
 * is -EOPNOTSUPP). The module keyring "khsm", whose serial is the
 * read-only module parameter "keyring", holds per token a keyring
 * "khsm:hsmN".
 * Every token key object (private, public or secret key with CKA_TOKEN
 * true) has a key of the type in its token's keyring, described
 *   <serial>:<CKA_ID in hex or ->:<CKA_LABEL or ->:<priv|pub|secret>:<oid>
 * (the token's serial, the label reduced to [A-Za-z0-9._-], both as they
 * were when the key was made; the class and the object's id in the sealed
 * state keep two keys of one token from having the same description, which
 * the keyring would take for one key, as it would for the two halves of a
 * pair with one CKA_ID and label).
 *
 * Ownership and quota: the keys belong to root (uid 0) and the token's
 * group (TOKEN_SET_GROUP gives the keyring and its keys the new one), and
 * are charged to root's key quota (kernel.keys.root_maxkeys and
 * root_maxbytes): the objects they mirror are already charged to the
 * token's byte budget, so no user can make keys past it; a full quota
 * makes the object's creation fail with CKR_DEVICE_MEMORY. Permissions:
 * owner and group view, read and search; the owner also setattr (root may
 * revoke a key); nobody write or link, so no one but the module adds keys
 * to the token keyrings, and an ordinary user can neither chown, setperm
 * nor link a token key to give another user access. The keyrings are
 * KEY_FLAG_KEEP (nobody can unlink, clear or invalidate them); the keys
 * are not, so root can revoke one, and a group member (who has search
 * permission, which KEYCTL_PKEY_* needs) can invalidate one: that only
 * takes it out of the keyring (the object is not affected, and the next
 * load of the token's state makes its key again).
 *
 * Payload: a reference on the object (struct khsm_obj) and one on its
 * token, dropped when the key is destroyed, so the object's immutable key
 * material and the token outlive every keyctl call in progress; the
 * operations check o->dead under tok->lock. Removing a token revokes and
 * unlinks its keys (khsm_keyring_token_release), which breaks the cycle
 * token -> object -> key -> token once the keyring's garbage collector
 * destroys them.
 *
 * KEYCTL_READ: public keys give their SubjectPublicKeyInfo (DER) (RSA, EC
 * P-256/P-384/P-521, Ed25519, X25519); private and secret keys -EACCES.
 *
 * KEYCTL_PKEY_*: the keyring core only checks KEY_NEED_SEARCH; this file
 * decides (khsm_kr_begin), in this order, refusing with -EACCES and a
 * rate-limited dmesg line:
 *   - the object still exists and its key was not revoked (-EKEYREVOKED);
 *   - its CKA_KHSM_KEYRING_USE is true (vendor attribute, default false,
 *     may only go from true to false);
 *   - the caller is in the token's group (in_group_p) or has
 *     CAP_SYS_ADMIN;
 *   - for a private key, or any object with CKA_PRIVATE true: the token is
 *     activated by a logged-in user session (some open file of the token
 *     is logged in as CKU_USER); a CKA_ALWAYS_AUTHENTICATE key never;
 *   - the PKCS#11 usage rules of the operation (khsm_may_use_key: CKA_SIGN,
 *     CKA_VERIFY, CKA_ENCRYPT, CKA_DECRYPT, CKA_ALLOWED_MECHANISMS).
 * Supported: RSA "enc=pkcs1" (sign/verify with "hash=" sha1, sha224,
 * sha256, sha384, sha512 over a digest of that length, or without hash
 * over the caller's DigestInfo; encrypt/decrypt, decryption with implicit
 * rejection as CKM_RSA_PKCS), and ECDSA "enc=x962" (the default for EC
 * keys) on P-256, P-384, P-521 over a digest, signatures in X9.62 DER.
 *
 * Revocation: revoking a key (keyctl revoke, root) marks its object
 * (o->kr_revoked); PKCS#11 then refuses every use of the object with
 * CKR_KEY_FUNCTION_NOT_PERMITTED (policy.c). The mark lasts as long as
 * the object is in memory (not in the sealed state): the key made for the
 * object when the state is next loaded is a new one. Destroying the
 * object revokes and unlinks its key.
 */
#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/key-type.h>
#include <linux/keyctl.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <uapi/linux/keyctl.h>

#include "attr.h"
#include "crypto/der.h"
#include "key.h"
#include "keytype.h"
#include "object.h"
#include "mech.h"
#include "policy.h"
#include "token_list.h"

static struct key *khsm_keyring;
static int khsm_keyring_serial;
module_param_named(keyring, khsm_keyring_serial, int, 0444);
MODULE_PARM_DESC(keyring,
		 "serial of the keyring \"khsm\" that holds the token keyrings (read-only)");

/* What khsm_keyring_add() hands to ->preparse. */
struct khsm_kr_prep {
	u64 cookie;
	struct khsm_obj *o;
};

static u64 khsm_kr_cookie;

static struct khsm_obj *khsm_kr_obj(const struct key *key)
{
	return key->payload.data[0];
}

static int khsm_kr_preparse(struct key_preparsed_payload *prep)
{
	const struct khsm_kr_prep *p = prep->data;

	if (prep->datalen != sizeof(*p) || !p || p->cookie != khsm_kr_cookie ||
	    !p->o)
		return -EPERM;
	khsm_object_get(p->o);
	khsm_token_get(p->o->tok);
	prep->payload.data[0] = p->o;
	prep->quotalen = sizeof(*p->o) +
		(p->o->km ? struct_size(p->o->km, data, p->o->km->size) : 0);
	return 0;
}

static void khsm_kr_drop(struct khsm_obj *o)
{
	struct khsm_token *tok = o->tok;

	khsm_object_put(o);
	khsm_token_put(tok);
}

static void khsm_kr_free_preparse(struct key_preparsed_payload *prep)
{
	if (prep->payload.data[0])
		khsm_kr_drop(prep->payload.data[0]);
}

static int khsm_kr_instantiate(struct key *key,
			       struct key_preparsed_payload *prep)
{
	if (!prep->payload.data[0])
		return -EPERM;
	return generic_key_instantiate(key, prep);
}

/* Under the key's semaphore: only the flag, never tok->lock. */
static void khsm_kr_revoke(struct key *key)
{
	struct khsm_obj *o = khsm_kr_obj(key);

	if (o)
		WRITE_ONCE(o->kr_revoked, true);
}

static void khsm_kr_destroy(struct key *key)
{
	struct khsm_obj *o = khsm_kr_obj(key);

	if (o)
		khsm_kr_drop(o);
}

static void khsm_kr_describe(const struct key *key, struct seq_file *m)
{
	seq_puts(m, key->description);
}

/* ---- SubjectPublicKeyInfo ------------------------------------------- */

static const u8 khsm_oid_rsa[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 };
static const u8 khsm_oid_ec[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
static const u8 khsm_oid_ed25519[] = { 0x2b, 0x65, 0x70 };
static const u8 khsm_oid_x25519[] = { 0x2b, 0x65, 0x6e };

/* The named curves: CKA_EC_PARAMS (the OID, DER) and the field size. */
static const struct khsm_kr_curve {
	const u8 *params;
	u32 params_len;
	u32 bytes;
	u32 bits;
} khsm_kr_curves[] = {
	{ (const u8 *)"\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07", 10, 32, 256 },
	{ (const u8 *)"\x06\x05\x2b\x81\x04\x00\x22", 7, 48, 384 },
	{ (const u8 *)"\x06\x05\x2b\x81\x04\x00\x23", 7, 66, 521 },
};

static const struct khsm_kr_curve *khsm_kr_curve(const struct khsm_key *k)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(khsm_kr_curves); i++)
		if (k->ec_params_len == khsm_kr_curves[i].params_len &&
		    !memcmp(k->ec_params, khsm_kr_curves[i].params,
			    k->ec_params_len))
			return &khsm_kr_curves[i];
	return NULL;
}

/* The point inside CKA_EC_POINT's OCTET STRING. */
static int khsm_kr_point(const struct khsm_key *k, struct kc_der *pt)
{
	struct kc_der c = { k->ec_point, k->ec_point_len };

	if (!k->ec_point || kc_der_get(&c, KC_DER_OCTET_STRING, pt) ||
	    kc_der_end(&c))
		return -EINVAL;
	return 0;
}

/*
 * SubjectPublicKeyInfo of public key @k into @w (counting only when
 * w->buf is NULL).
 */
static int khsm_kr_spki(const struct khsm_key *k, struct kc_der_w *w)
{
	static const u8 null[] = { KC_DER_NULL, 0 };
	const u8 *oid, *params = NULL, *bits;
	size_t oid_len, params_len = 0, bits_len, alg_len;
	const struct khsm_kr_curve *curve;
	struct kc_der pt;

	switch (k->key_type) {
	case CKK_RSA:
		oid = khsm_oid_rsa;
		oid_len = sizeof(khsm_oid_rsa);
		params = null;
		params_len = sizeof(null);
		bits = NULL;
		bits_len = kc_der_tlv_len(kc_der_tlv_len(kc_der_uint_len(k->n.val, k->n.len)) +
					  kc_der_tlv_len(kc_der_uint_len(k->e.val, k->e.len)));
		break;
	case CKK_EC:
		curve = khsm_kr_curve(k);
		if (!curve || khsm_kr_point(k, &pt))
			return -EINVAL;
		oid = khsm_oid_ec;
		oid_len = sizeof(khsm_oid_ec);
		params = curve->params;
		params_len = curve->params_len;
		bits = pt.p;
		bits_len = pt.len;
		break;
	case CKK_EC_EDWARDS:
	case CKK_EC_MONTGOMERY:
		if (khsm_kr_point(k, &pt) || pt.len != 32)
			return -EINVAL;
		oid = k->key_type == CKK_EC_EDWARDS ? khsm_oid_ed25519 :
			khsm_oid_x25519;
		oid_len = 3;
		bits = pt.p;
		bits_len = pt.len;
		break;
	default:
		return -EOPNOTSUPP;
	}
	alg_len = kc_der_tlv_len(oid_len) + params_len;
	kc_der_put_hdr(w, KC_DER_SEQUENCE, kc_der_tlv_len(alg_len) +
		       kc_der_tlv_len(1 + bits_len));
	kc_der_put_hdr(w, KC_DER_SEQUENCE, alg_len);
	kc_der_put_hdr(w, KC_DER_OID, oid_len);
	kc_der_put_raw(w, oid, oid_len);
	kc_der_put_raw(w, params, params_len);
	kc_der_put_hdr(w, KC_DER_BIT_STRING, 1 + bits_len);
	kc_der_put_raw(w, "", 1);
	if (bits) {
		kc_der_put_raw(w, bits, bits_len);
	} else {
		kc_der_put_hdr(w, KC_DER_SEQUENCE,
			       kc_der_tlv_len(kc_der_uint_len(k->n.val, k->n.len)) +
			       kc_der_tlv_len(kc_der_uint_len(k->e.val, k->e.len)));
		kc_der_put_uint(w, k->n.val, k->n.len);
		kc_der_put_uint(w, k->e.val, k->e.len);
	}
	return w->err ? -EINVAL : 0;
}

/*
 * KEYCTL_READ, under the key's semaphore: the payload only. The object's
 * class and key material never change.
 */
static long khsm_kr_read(const struct key *key, char *buffer, size_t buflen)
{
	struct khsm_obj *o = khsm_kr_obj(key);
	struct kc_der_w w = {};
	int err;

	if (!o || !o->km || READ_ONCE(o->dead))
		return -EKEYREVOKED;
	/* Loaded but not yet authenticated (persist.h): not shown. */
	if (o->class != CKO_PUBLIC_KEY || READ_ONCE(o->unverified))
		return -EACCES;
	err = khsm_kr_spki(&o->km->key, &w);
	if (err)
		return err;
	if (buffer && buflen >= w.pos) {
		struct kc_der_w out = { .buf = buffer, .cap = buflen };

		err = khsm_kr_spki(&o->km->key, &out);
		if (err)
			return err;
	}
	return w.pos;
}

/* ---- asymmetric operations ------------------------------------------ */

/* The modulus' bytes without leading zeros. */
static u32 khsm_kr_rsa_bytes(const struct khsm_key *k, u32 *bits)
{
	const u8 *n = k->n.val;
	u32 len = k->n.len;

	while (len && !*n) {
		n++;
		len--;
	}
	*bits = len ? (len - 1) * 8 + fls(*n) : 0;
	return len;
}

/* Bytes of the X9.62 DER of an ECDSA signature on a curve of @bytes. */
static u32 khsm_kr_ecdsa_der_max(u32 bytes)
{
	u32 i = kc_der_tlv_len(bytes + 1);

	return kc_der_tlv_len(2 * i);
}

static void khsm_kr_refuse(const struct khsm_token *tok, const struct key *key,
			   const char *why)
{
	pr_notice_ratelimited("%s: keyring use of key %d by uid %u (%s) refused: %s\n",
			      tok->name,
			      key->serial,
			      from_kuid(&init_user_ns, current_uid()),
			      current->comm, why);
}

static bool khsm_kr_in_group(const struct khsm_token *tok)
{
	return in_group_p(tok->gid) || capable(CAP_SYS_ADMIN);
}

/*
 * The policy (top of file) for operation @kind of mechanism @mech on
 * @key's object; on success *@km holds a reference on its key material.
 */
static int khsm_kr_begin(const struct key *key, unsigned long mech, u32 kind,
			 struct khsm_keymat **km)
{
	struct khsm_obj *o = khsm_kr_obj(key);
	const struct khsm_mech *m = khsm_mech_find(mech);
	struct khsm_token *tok;
	const char *why = NULL;
	int err = -EACCES;

	if (!o || !m)
		return -EOPNOTSUPP;
	tok = o->tok;
	mutex_lock(&tok->lock);
	if (o->dead || READ_ONCE(o->kr_revoked) || !o->km) {
		why = "the object is gone or its key revoked";
		err = -EKEYREVOKED;
	} else if (!khsm_attrs_bool(&o->attrs, CKA_KHSM_KEYRING_USE)) {
		why = "CKA_KHSM_KEYRING_USE is false";
	} else if (!khsm_kr_in_group(tok)) {
		why = "not in the token's group";
	} else if ((o->class != CKO_PUBLIC_KEY || o->private) &&
		   tok->n_logged_in <= tok->n_so_logged_in) {
		why = "no user logged in to the token";
	} else if (o->class == CKO_PRIVATE_KEY &&
		   khsm_attrs_bool(&o->attrs, CKA_ALWAYS_AUTHENTICATE)) {
		why = "CKA_ALWAYS_AUTHENTICATE key";
	} else if (khsm_may_use_key(o, m, kind)) {
		why = "the key's PKCS#11 attributes refuse the operation";
	} else {
		*km = khsm_keymat_get(o->km);
	}
	mutex_unlock(&tok->lock);
	if (why) {
		khsm_kr_refuse(tok, key, why);
		return err;
	}
	return 0;
}

/* One single-part operation of @mech on @km. */
static int khsm_kr_run(unsigned long mech, u32 kind, struct khsm_keymat *km,
		       const u8 *in, size_t in_len, u8 *out, size_t *out_len,
		       const u8 *sig, size_t sig_len)
{
	const struct khsm_mech *m = khsm_mech_find(mech);
	struct khsm_op op = { .mech = m, .kind = kind };
	unsigned long rv;
	size_t need;

	rv = m->init(&op, &km->key, NULL, 0);
	if (!rv) {
		need = m->out_len(&op, KHSM_STEP_ONESHOT, in_len);
		if (need > *out_len)
			rv = CKR_BUFFER_TOO_SMALL;
		else
			rv = m->step(&op, KHSM_STEP_ONESHOT, in, in_len, out,
				     out_len, sig, sig_len);
	}
	m->cleanup(&op);
	switch (rv) {
	case CKR_OK:
		return 0;
	case CKR_SIGNATURE_INVALID:
	case CKR_SIGNATURE_LEN_RANGE:
		return -EKEYREJECTED;
	case CKR_HOST_MEMORY:
	case CKR_DEVICE_MEMORY:
		return -ENOMEM;
	case CKR_BUFFER_TOO_SMALL:
		return -EMSGSIZE;
	default:
		return -EINVAL;
	}
}

/* DigestInfo prefixes (RFC 8017 section 9.2, note 1). */
static const struct khsm_kr_hash {
	const char *name;
	u8 len;
	u8 prefix_len;
	u8 prefix[19];
} khsm_kr_hashes[] = {
	{ "sha1", 20, 15, { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e,
			    0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14 } },
	{ "sha224", 28, 19, { 0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86,
			      0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05,
			      0x00, 0x04, 0x1c } },
	{ "sha256", 32, 19, { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86,
			      0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
			      0x00, 0x04, 0x20 } },
	{ "sha384", 48, 19, { 0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86,
			      0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05,
			      0x00, 0x04, 0x30 } },
	{ "sha512", 64, 19, { 0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86,
			      0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05,
			      0x00, 0x04, 0x40 } },
};

enum khsm_kr_enc { KHSM_KR_PKCS1, KHSM_KR_X962 };

/*
 * The encoding asked for, checked against the key type: RSA takes
 * "pkcs1", EC "x962" (or none).
 */
static int khsm_kr_encoding(const struct kernel_pkey_params *params,
			    unsigned long key_type, enum khsm_kr_enc *enc)
{
	const char *e = params->encoding;
	bool none = !e || !strcmp(e, "raw");

	if (key_type == CKK_RSA && e && !strcmp(e, "pkcs1")) {
		*enc = KHSM_KR_PKCS1;
		return 0;
	}
	if (key_type == CKK_EC && (none || !strcmp(e, "x962"))) {
		*enc = KHSM_KR_X962;
		return 0;
	}
	return -ENOPKG;
}

/* The RSA signature input T: DigestInfo(hash, @in), or @in without hash. */
static int khsm_kr_rsa_t(const struct kernel_pkey_params *params,
			 const u8 *in, u8 *t, size_t *t_len)
{
	unsigned int i;

	if (!params->hash_algo) {
		if (params->in_len > KHSM_MAX_RSA_PRIV_LEN)
			return -EINVAL;
		memcpy(t, in, params->in_len);
		*t_len = params->in_len;
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(khsm_kr_hashes); i++) {
		const struct khsm_kr_hash *h = &khsm_kr_hashes[i];

		if (strcmp(params->hash_algo, h->name))
			continue;
		if (params->in_len != h->len)
			return -EINVAL;
		memcpy(t, h->prefix, h->prefix_len);
		memcpy(t + h->prefix_len, in, h->len);
		*t_len = h->prefix_len + h->len;
		return 0;
	}
	return -ENOPKG;
}

static int khsm_kr_query(const struct kernel_pkey_params *params,
			 struct kernel_pkey_query *info)
{
	struct khsm_obj *o = khsm_kr_obj(params->key);
	const struct khsm_kr_curve *curve;
	const struct khsm_key *k;
	enum khsm_kr_enc enc;
	bool priv, use;
	u32 bits, len;
	int err;

	if (!o || !o->km)
		return -EKEYREVOKED;
	if (!khsm_kr_in_group(o->tok)) {
		khsm_kr_refuse(o->tok, params->key, "not in the token's group");
		return -EACCES;
	}
	k = &o->km->key;
	err = khsm_kr_encoding(params, o->key_type, &enc);
	if (err)
		return err;
	memset(info, 0, sizeof(*info));
	priv = o->class == CKO_PRIVATE_KEY;
	mutex_lock(&o->tok->lock);
	use = !o->dead && khsm_attrs_bool(&o->attrs, CKA_KHSM_KEYRING_USE);
	if (use && priv && khsm_attrs_bool(&o->attrs, CKA_SIGN))
		info->supported_ops |= KEYCTL_SUPPORTS_SIGN;
	if (use && priv && enc == KHSM_KR_PKCS1 &&
	    khsm_attrs_bool(&o->attrs, CKA_DECRYPT))
		info->supported_ops |= KEYCTL_SUPPORTS_DECRYPT;
	if (use && !priv && khsm_attrs_bool(&o->attrs, CKA_VERIFY))
		info->supported_ops |= KEYCTL_SUPPORTS_VERIFY;
	if (use && !priv && enc == KHSM_KR_PKCS1 &&
	    khsm_attrs_bool(&o->attrs, CKA_ENCRYPT))
		info->supported_ops |= KEYCTL_SUPPORTS_ENCRYPT;
	mutex_unlock(&o->tok->lock);
	if (enc == KHSM_KR_PKCS1) {
		len = khsm_kr_rsa_bytes(k, &bits);
		info->key_size = bits;
		info->max_data_size = len > 11 ? len - 11 : 0;
		info->max_sig_size = len;
		info->max_enc_size = len;
		info->max_dec_size = len;
	} else {
		curve = khsm_kr_curve(k);
		if (!curve)
			return -ENOPKG;
		info->key_size = curve->bits;
		info->max_data_size = 64;
		info->max_sig_size = khsm_kr_ecdsa_der_max(curve->bytes);
	}
	return 0;
}

/* r || s (each @n bytes) as the X9.62 DER SEQUENCE of two INTEGERs. */
static int khsm_kr_ecdsa_der(const u8 *rs, u32 n, u8 *out, size_t cap)
{
	struct kc_der_w w = { .buf = out, .cap = cap };
	size_t lr = kc_der_tlv_len(kc_der_uint_len(rs, n));
	size_t ls = kc_der_tlv_len(kc_der_uint_len(rs + n, n));

	kc_der_put_hdr(&w, KC_DER_SEQUENCE, lr + ls);
	kc_der_put_uint(&w, rs, n);
	kc_der_put_uint(&w, rs + n, n);
	return w.err ? -EMSGSIZE : (int)w.pos;
}

/*
 * The X9.62 DER @sig back to r || s of @n bytes each. Bytes after the
 * SEQUENCE are ignored: keyutils' keyctl pkey_verify hands the signature
 * in a buffer of pkey_query's max_sig_size.
 */
static int khsm_kr_ecdsa_rs(const u8 *sig, u32 len, u32 n, u8 *rs)
{
	struct kc_der c = { sig, len }, seq, r, s;

	if (kc_der_get(&c, KC_DER_SEQUENCE, &seq) ||
	    kc_der_get_uint(&seq, &r) || kc_der_get_uint(&seq, &s) ||
	    kc_der_end(&seq) || r.len > n || s.len > n)
		return -EKEYREJECTED;
	memset(rs, 0, 2 * n);
	memcpy(rs + n - r.len, r.p, r.len);
	memcpy(rs + 2 * n - s.len, s.p, s.len);
	return 0;
}

static int khsm_kr_eds_op(struct kernel_pkey_params *params, const void *in,
			  void *out)
{
	struct khsm_obj *o = khsm_kr_obj(params->key);
	const struct khsm_kr_curve *curve;
	struct khsm_keymat *km = NULL;
	u8 buf[KHSM_MAX_SIG_LEN];
	enum khsm_kr_enc enc;
	unsigned long mech;
	size_t len, t_len;
	u32 kind;
	int err;

	if (!o || !o->km)
		return -EKEYREVOKED;
	err = khsm_kr_encoding(params, o->key_type, &enc);
	if (err)
		return err;
	switch (params->op) {
	case kernel_pkey_sign:
		kind = KHSM_OP_SIGN;
		break;
	case kernel_pkey_encrypt:
		kind = KHSM_OP_ENCRYPT;
		break;
	case kernel_pkey_decrypt:
		kind = KHSM_OP_DECRYPT;
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (enc == KHSM_KR_X962 && kind != KHSM_OP_SIGN)
		return -EOPNOTSUPP;
	mech = enc == KHSM_KR_PKCS1 ? CKM_RSA_PKCS : CKM_ECDSA;
	err = khsm_kr_begin(params->key, mech, kind, &km);
	if (err)
		return err;
	len = params->out_len;
	if (enc == KHSM_KR_PKCS1 && kind == KHSM_OP_SIGN) {
		u8 t[KHSM_MAX_RSA_PRIV_LEN];

		err = khsm_kr_rsa_t(params, in, t, &t_len);
		if (!err)
			err = khsm_kr_run(mech, kind, km, t, t_len, out, &len,
					  NULL, 0);
		memzero_explicit(t, sizeof(t));
	} else if (enc == KHSM_KR_PKCS1) {
		err = khsm_kr_run(mech, kind, km, in, params->in_len, out,
				  &len, NULL, 0);
	} else {
		curve = khsm_kr_curve(&km->key);
		len = sizeof(buf);
		err = curve ? 0 : -ENOPKG;
		if (!err && (params->in_len < 1 || params->in_len > 64))
			err = -EINVAL;
		err = err ?: khsm_kr_run(mech, kind, km, in, params->in_len,
					 buf, &len, NULL, 0);
		if (!err && len == 2 * curve->bytes) {
			err = khsm_kr_ecdsa_der(buf, curve->bytes, out,
						params->out_len);
			len = err;
		} else if (!err) {
			err = -EINVAL;
		}
		memzero_explicit(buf, sizeof(buf));
	}
	khsm_keymat_put(km);
	return err < 0 ? err : (int)len;
}

static int khsm_kr_verify(struct kernel_pkey_params *params, const void *in,
			  const void *in2)
{
	struct khsm_obj *o = khsm_kr_obj(params->key);
	const struct khsm_kr_curve *curve;
	struct khsm_keymat *km = NULL;
	u8 rs[2 * 66];
	enum khsm_kr_enc enc;
	unsigned long mech;
	size_t len = 0, t_len;
	int err;

	if (!o || !o->km)
		return -EKEYREVOKED;
	if (params->op != kernel_pkey_verify)
		return -EOPNOTSUPP;
	err = khsm_kr_encoding(params, o->key_type, &enc);
	if (err)
		return err;
	mech = enc == KHSM_KR_PKCS1 ? CKM_RSA_PKCS : CKM_ECDSA;
	err = khsm_kr_begin(params->key, mech, KHSM_OP_VERIFY, &km);
	if (err)
		return err;
	if (enc == KHSM_KR_PKCS1) {
		u8 t[KHSM_MAX_RSA_PRIV_LEN];

		err = khsm_kr_rsa_t(params, in, t, &t_len);
		if (!err)
			err = khsm_kr_run(mech, KHSM_OP_VERIFY, km, t, t_len,
					  NULL, &len, in2, params->in2_len);
	} else {
		curve = khsm_kr_curve(&km->key);
		err = curve ? 0 : -ENOPKG;
		if (!err && (params->in_len < 1 || params->in_len > 64))
			err = -EINVAL;
		err = err ?: khsm_kr_ecdsa_rs(in2, params->in2_len,
					      curve->bytes, rs);
		err = err ?: khsm_kr_run(mech, KHSM_OP_VERIFY, km, in,
					 params->in_len, NULL, &len, rs,
					 2 * curve->bytes);
	}
	khsm_keymat_put(km);
	return err;
}

static struct key_type khsm_key_type = {
	.name = "khsm",
	.preparse = khsm_kr_preparse,
	.free_preparse = khsm_kr_free_preparse,
	.instantiate = khsm_kr_instantiate,
	.revoke = khsm_kr_revoke,
	.destroy = khsm_kr_destroy,
	.describe = khsm_kr_describe,
	.read = khsm_kr_read,
	.asym_query = khsm_kr_query,
	.asym_eds_op = khsm_kr_eds_op,
	.asym_verify_signature = khsm_kr_verify,
};

#define KHSM_KR_RING_PERM (KEY_POS_VIEW | KEY_POS_READ | KEY_POS_SEARCH | \
			   KEY_USR_VIEW | KEY_USR_READ | KEY_USR_SEARCH | \
			   KEY_GRP_VIEW | KEY_GRP_READ | KEY_GRP_SEARCH)
#define KHSM_KR_KEY_PERM (KHSM_KR_RING_PERM | KEY_USR_SETATTR)

int khsm_keytype_init(void)
{
	struct key *ring;
	int err;

	get_random_bytes(&khsm_kr_cookie, sizeof(khsm_kr_cookie));
	err = register_key_type(&khsm_key_type);
	if (err)
		return err;
	/* Everyone may find the token keyrings; their keys say who may use. */
	ring = keyring_alloc("khsm", GLOBAL_ROOT_UID, GLOBAL_ROOT_GID,
			     current_cred(), KHSM_KR_RING_PERM |
			     KEY_OTH_VIEW | KEY_OTH_READ | KEY_OTH_SEARCH,
			     KEY_ALLOC_NOT_IN_QUOTA | KEY_ALLOC_SET_KEEP,
			     NULL, NULL);
	if (IS_ERR(ring)) {
		unregister_key_type(&khsm_key_type);
		return PTR_ERR(ring);
	}
	khsm_keyring = ring;
	khsm_keyring_serial = ring->serial;
	return 0;
}

void khsm_keytype_uninit(void)
{
	key_put(khsm_keyring);
	khsm_keyring = NULL;
	/* Destroys the payload of every key of the type still referenced. */
	unregister_key_type(&khsm_key_type);
}

int khsm_keyring_token_init(struct khsm_token *tok)
{
	char desc[24];
	struct key *ring;
	int err;

	snprintf(desc, sizeof(desc), "khsm:hsm%u", tok->index);
	ring = keyring_alloc(desc, GLOBAL_ROOT_UID, tok->gid, current_cred(),
			     KHSM_KR_RING_PERM,
			     KEY_ALLOC_NOT_IN_QUOTA | KEY_ALLOC_SET_KEEP,
			     NULL, NULL);
	if (IS_ERR(ring))
		return PTR_ERR(ring);
	err = key_link(khsm_keyring, ring);
	if (err) {
		key_put(ring);
		return err;
	}
	tok->keyring = ring;
	return 0;
}

/* The token is being removed: its keys go now, not at its last put. */
void khsm_keyring_token_release(struct khsm_token *tok)
{
	struct khsm_obj *o;
	unsigned long idx;

	mutex_lock(&tok->lock);
	xa_for_each(&tok->objects, idx, o)
		khsm_keyring_remove(o);
	mutex_unlock(&tok->lock);
	khsm_keyring_token_uninit(tok);
}

void khsm_keyring_token_uninit(struct khsm_token *tok)
{
	if (!tok->keyring)
		return;
	key_unlink(khsm_keyring, tok->keyring);
	key_put(tok->keyring);
	tok->keyring = NULL;
}

/* Append @n bytes of @s, reduced to [A-Za-z0-9._-], or "-" if empty. */
static size_t khsm_kr_put_label(char *d, const u8 *s, u32 n)
{
	size_t i;

	if (!n) {
		*d = '-';
		return 1;
	}
	for (i = 0; i < n; i++)
		d[i] = isalnum(s[i]) || s[i] == '.' || s[i] == '-' ? s[i] : '_';
	return n;
}

/* Longest CKA_ID (hex) and label the description carries. */
#define KHSM_KR_ID_MAX		64
#define KHSM_KR_LABEL_MAX	64

unsigned long khsm_keyring_add(struct khsm_obj *o)
{
	struct khsm_token *tok = o->tok;
	struct khsm_kr_prep prep = { .cookie = khsm_kr_cookie, .o = o };
	const struct khsm_oattr *id, *label;
	const char *cls;
	struct key *key;
	char *desc, *d;
	int err;

	lockdep_assert_held(&tok->lock);
	if (!o->token || !o->km || !tok->keyring)
		return CKR_OK;
	switch (o->class) {
	case CKO_PRIVATE_KEY:
		cls = "priv";
		break;
	case CKO_PUBLIC_KEY:
		cls = "pub";
		break;
	default:
		cls = "secret";
	}
	desc = kmalloc(KHSM_SERIAL_LEN + 2 * KHSM_KR_ID_MAX +
		       KHSM_KR_LABEL_MAX + 40, GFP_KERNEL);
	if (!desc)
		return CKR_HOST_MEMORY;
	d = desc;
	d += khsm_kr_put_label(d, tok->serial, strnlen(tok->serial,
						       KHSM_SERIAL_LEN));
	*d++ = ':';
	id = khsm_attrs_get(&o->attrs, CKA_ID);
	if (id && id->len)
		d = bin2hex(d, id->val, min_t(u32, id->len, KHSM_KR_ID_MAX));
	else
		*d++ = '-';
	*d++ = ':';
	label = khsm_attrs_get(&o->attrs, CKA_LABEL);
	d += khsm_kr_put_label(d, label ? label->val : NULL,
			       label ? min_t(u32, label->len,
					     KHSM_KR_LABEL_MAX) : 0);
	sprintf(d, ":%s:%llx", cls, o->oid);

	key = key_alloc(&khsm_key_type, desc, GLOBAL_ROOT_UID, tok->gid,
			current_cred(), KHSM_KR_KEY_PERM, 0, NULL);
	kfree(desc);
	if (IS_ERR(key)) {
		err = PTR_ERR(key);
		goto fail;
	}
	err = key_instantiate_and_link(key, &prep, sizeof(prep), tok->keyring,
				       NULL);
	if (err) {
		key_put(key);
		goto fail;
	}
	/*
	 * The token keyring is KEY_FLAG_KEEP, which its keys inherit; but
	 * root must be able to revoke a key (KEEP refuses KEYCTL_REVOKE).
	 */
	clear_bit(KEY_FLAG_KEEP, &key->flags);
	o->kr_key = key;
	return CKR_OK;
fail:
	pr_notice_ratelimited("%s: no keyring key for an object: %d\n",
			      tok->name, err);
	return err == -EDQUOT ? CKR_DEVICE_MEMORY : CKR_HOST_MEMORY;
}

/*
 * The token's group changed (TOKEN_SET_GROUP): its keyring and keys get
 * the new group, as keyctl_chown_key() sets a key's gid (under the key's
 * semaphore), so the group permissions follow the token's group; under
 * tok->lock.
 */
void khsm_keyring_token_set_gid(struct khsm_token *tok, kgid_t gid)
{
	struct khsm_obj *o;
	unsigned long idx;

	lockdep_assert_held(&tok->lock);
	if (tok->keyring) {
		down_write(&tok->keyring->sem);
		tok->keyring->gid = gid;
		up_write(&tok->keyring->sem);
	}
	xa_for_each(&tok->objects, idx, o) {
		if (!o->kr_key)
			continue;
		down_write(&o->kr_key->sem);
		o->kr_key->gid = gid;
		up_write(&o->kr_key->sem);
	}
}

void khsm_keyring_remove(struct khsm_obj *o)
{
	struct key *key = o->kr_key;

	lockdep_assert_held(&o->tok->lock);
	if (!key)
		return;
	o->kr_key = NULL;
	key_revoke(key);
	key_unlink(o->tok->keyring, key);
	key_put(key);
}
