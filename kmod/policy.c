// SPDX-License-Identifier: GPL-2.0
/*
 * Access decisions, in one place: session states, object visibility,
 * sensitive values, who may create or change which object, which key may
 * be used for what. Callers hold the token lock.
 */
#include "key.h"
#include "policy.h"

unsigned long khsm_session_state(const struct khsm_sess *s)
{
	unsigned long user = s->file->user;

	if (user == CKU_SO)
		return CKS_RW_SO_FUNCTIONS;
	if (user == CKU_USER)
		return s->rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
	return s->rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
}

/*
 * Private objects exist only for a file logged in as user; session objects
 * only for the file whose session made them.
 */
bool khsm_obj_visible(const struct khsm_file *f, const struct khsm_obj *o)
{
	if (o->dead)
		return false;
	if (o->private && f->user != CKU_USER)
		return false;
	if (o->owner && o->owner->file != f)
		return false;
	return true;
}

/* Is the value of attribute @d of @o withheld (CKR_ATTRIBUTE_SENSITIVE)? */
bool khsm_obj_hides(const struct khsm_obj *o,
		    const struct khsm_attr_desc *d)
{
	if (!(d->flags & KHSM_AF_SENSITIVE))
		return false;
	return khsm_attrs_bool(&o->attrs, CKA_SENSITIVE) ||
	       !khsm_attrs_bool(&o->attrs, CKA_EXTRACTABLE);
}

/*
 * The token policy chosen at C_InitToken (uAPI KHSM_INIT_TOKEN_F_*): by
 * default a token object is made, changed or destroyed only by a
 * logged-in file (user; SO for the public objects it sees), so a group
 * member without a PIN cannot replace the user's public keys.
 */
static bool khsm_may_write_token(const struct khsm_sess *s)
{
	return s->file->user != KHSM_NOBODY ||
	       (s->tok->init_flags & KHSM_INIT_TOKEN_F_PUBLIC_WRITE);
}

/*
 * Token objects need a R/W session and, by the token policy, a login;
 * private objects need the user logged in, so the SO creates public
 * objects only.
 */
unsigned long khsm_may_create(const struct khsm_sess *s, bool token,
			bool private)
{
	if (token && !s->rw)
		return CKR_SESSION_READ_ONLY;
	if (private && s->file->user != CKU_USER)
		return CKR_USER_NOT_LOGGED_IN;
	if (token && !khsm_may_write_token(s))
		return CKR_USER_NOT_LOGGED_IN;
	return CKR_OK;
}

/* Changing or destroying a token object: as creating one. */
unsigned long khsm_may_write(const struct khsm_sess *s,
		       const struct khsm_obj *o)
{
	if (o->token && !s->rw)
		return CKR_SESSION_READ_ONLY;
	if (o->token && !khsm_may_write_token(s))
		return CKR_USER_NOT_LOGGED_IN;
	return CKR_OK;
}

/*
 * Key-transport and data keys are kept apart (Clulow's attacks, "Wrap
 * and unwrap policy" in README): a key with CKA_WRAP or CKA_UNWRAP true
 * neither encrypts nor decrypts data, and one with CKA_ENCRYPT or
 * CKA_DECRYPT true neither wraps nor unwraps, whatever the mechanism:
 * every mechanism of a key type counts as one family, since with the
 * same key any of them gives the block cipher or RSA permutation the
 * others use (ECB/CBC decryption undoes a CBC_PAD or KW wrap, raw RSA
 * decryption an OAEP one).
 */
static bool khsm_is_transport_key(const struct khsm_obj *o)
{
	return khsm_attrs_bool(&o->attrs, CKA_WRAP) ||
	       khsm_attrs_bool(&o->attrs, CKA_UNWRAP);
}

static bool khsm_is_data_key(const struct khsm_obj *o)
{
	return khsm_attrs_bool(&o->attrs, CKA_ENCRYPT) ||
	       khsm_attrs_bool(&o->attrs, CKA_DECRYPT);
}

unsigned long khsm_op_mech_flag(u32 kind)
{
	switch (kind) {
	case KHSM_OP_ENCRYPT:
		return CKF_ENCRYPT;
	case KHSM_OP_DECRYPT:
		return CKF_DECRYPT;
	case KHSM_OP_DIGEST:
		return CKF_DIGEST;
	case KHSM_OP_SIGN:
		return CKF_SIGN;
	case KHSM_OP_VERIFY:
		return CKF_VERIFY;
	}
	return 0;
}

static u32 khsm_op_usage_attr(u32 kind)
{
	switch (kind) {
	case KHSM_OP_ENCRYPT:
		return CKA_ENCRYPT;
	case KHSM_OP_DECRYPT:
		return CKA_DECRYPT;
	case KHSM_OP_SIGN:
		return CKA_SIGN;
	case KHSM_OP_VERIFY:
		return CKA_VERIFY;
	}
	return 0;
}

/*
 * A key fits mechanism @m for operation @kind: right key type, right class
 * (secret key for symmetric mechanisms; private key to sign/decrypt,
 * public key to verify/encrypt), its usage attribute is true, and
 * @m is in its CKA_ALLOWED_MECHANISMS (if that list is not empty).
 */
unsigned long khsm_may_use_key(const struct khsm_obj *o,
			 const struct khsm_mech *m, u32 kind)
{
	unsigned long want;
	u32 usage;

	if (o->unverified)
		return CKR_USER_NOT_LOGGED_IN;	/* persist.h: until a login */

	switch (o->class) {
	case CKO_SECRET_KEY:
	case CKO_PRIVATE_KEY:
	case CKO_PUBLIC_KEY:
		break;
	default:
		return CKR_KEY_HANDLE_INVALID;	/* not a key at all */
	}
	if (o->key_type != m->key_type)
		return CKR_KEY_TYPE_INCONSISTENT;
	if (o->class == CKO_SECRET_KEY)
		want = CKO_SECRET_KEY;
	else if (kind == KHSM_OP_SIGN || kind == KHSM_OP_DECRYPT)
		want = CKO_PRIVATE_KEY;
	else
		want = CKO_PUBLIC_KEY;
	if (o->class != want)
		return CKR_KEY_TYPE_INCONSISTENT;
	usage = khsm_op_usage_attr(kind);
	if (!usage || !khsm_attrs_bool(&o->attrs, usage))
		return CKR_KEY_FUNCTION_NOT_PERMITTED;
	/* A key-transport key never encrypts or decrypts data (Clulow). */
	if ((kind == KHSM_OP_ENCRYPT || kind == KHSM_OP_DECRYPT) &&
	    khsm_is_transport_key(o))
		return CKR_KEY_FUNCTION_NOT_PERMITTED;
	if (!khsm_attrs_ulong_in(&o->attrs, CKA_ALLOWED_MECHANISMS, m->type))
		return CKR_MECHANISM_INVALID;
	return CKR_OK;
}

/*
 * A base key of C_DeriveKey with mechanism @m: a secret or private key
 * (derivation uses the secret half) of the mechanism's type with
 * CKA_DERIVE true. A private key with CKA_ALWAYS_AUTHENTICATE true is
 * refused: C_DeriveKey leaves no operation a context-specific login
 * could authorise, and using it without the PIN would defeat the flag.
 * @m must be in its CKA_ALLOWED_MECHANISMS (if that list is not empty):
 * HKDF expand-only on an HMAC key computes HMAC(key, info || 01), so an
 * HMAC key that must only verify needs CKA_DERIVE false or a list
 * without the HKDF mechanisms.
 */
unsigned long khsm_may_derive(const struct khsm_obj *o,
			      const struct khsm_mech *m)
{
	if (o->unverified)
		return CKR_USER_NOT_LOGGED_IN;
	if (o->class != CKO_SECRET_KEY && o->class != CKO_PRIVATE_KEY &&
	    o->class != CKO_PUBLIC_KEY)
		return CKR_KEY_HANDLE_INVALID;	/* not a key at all */
	if ((o->key_type != m->key_type &&
	     (!m->derive_key_type2 || o->key_type != m->derive_key_type2)) ||
	    o->class == CKO_PUBLIC_KEY)
		return CKR_KEY_TYPE_INCONSISTENT;
	if (!khsm_attrs_bool(&o->attrs, CKA_DERIVE))
		return CKR_KEY_FUNCTION_NOT_PERMITTED;
	if (o->class == CKO_PRIVATE_KEY &&
	    khsm_attrs_bool(&o->attrs, CKA_ALWAYS_AUTHENTICATE))
		return CKR_USER_NOT_LOGGED_IN;
	if (!khsm_attrs_ulong_in(&o->attrs, CKA_ALLOWED_MECHANISMS, m->type))
		return CKR_MECHANISM_INVALID;
	return CKR_OK;
}

/*
 * The wrapping (@unwrap: unwrapping) key of C_WrapKey/C_UnwrapKey with
 * mechanism @m: the mechanism's key type; a secret key, or for an
 * asymmetric type the public key to wrap and the private key to unwrap;
 * CKA_WRAP (CKA_UNWRAP) true; @m allowed by CKA_ALLOWED_MECHANISMS; not
 * a data key (khsm_is_data_key). A private key with
 * CKA_ALWAYS_AUTHENTICATE is refused as for C_DeriveKey: no operation
 * is left for a context-specific login to authorise.
 */
unsigned long khsm_may_wrap_with(const struct khsm_obj *o,
				 const struct khsm_mech *m, bool unwrap)
{
	unsigned long bad_type = unwrap ? CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT :
					  CKR_WRAPPING_KEY_TYPE_INCONSISTENT;
	unsigned long want;

	if (o->unverified)
		return CKR_USER_NOT_LOGGED_IN;

	switch (o->class) {
	case CKO_SECRET_KEY:
	case CKO_PRIVATE_KEY:
	case CKO_PUBLIC_KEY:
		break;
	default:
		return unwrap ? CKR_UNWRAPPING_KEY_HANDLE_INVALID :
				CKR_WRAPPING_KEY_HANDLE_INVALID;
	}
	if (o->key_type != m->key_type)
		return bad_type;
	if (o->class == CKO_SECRET_KEY)
		want = CKO_SECRET_KEY;
	else
		want = unwrap ? CKO_PRIVATE_KEY : CKO_PUBLIC_KEY;
	if (o->class != want)
		return bad_type;
	if (!khsm_attrs_bool(&o->attrs, unwrap ? CKA_UNWRAP : CKA_WRAP))
		return CKR_KEY_FUNCTION_NOT_PERMITTED;
	if (khsm_is_data_key(o))
		return CKR_KEY_FUNCTION_NOT_PERMITTED;
	if (!khsm_attrs_ulong_in(&o->attrs, CKA_ALLOWED_MECHANISMS, m->type))
		return CKR_MECHANISM_INVALID;
	if (o->class == CKO_PRIVATE_KEY &&
	    khsm_attrs_bool(&o->attrs, CKA_ALWAYS_AUTHENTICATE))
		return CKR_USER_NOT_LOGGED_IN;
	return CKR_OK;
}

/*
 * Key @k may be wrapped by key @w: a secret or private key with
 * CKA_EXTRACTABLE true (CKR_KEY_UNEXTRACTABLE); with
 * CKA_WRAP_WITH_TRUSTED true only by a key with CKA_TRUSTED true
 * (CKR_KEY_NOT_WRAPPABLE); with every attribute of @w's
 * CKA_WRAP_TEMPLATE, if not empty, and an equal value
 * (CKR_KEY_NOT_WRAPPABLE). The strength rule needs the key material:
 * khsm_may_wrap_strength().
 */
unsigned long khsm_may_be_wrapped(const struct khsm_obj *w,
				  const struct khsm_obj *k)
{
	if (k->unverified)
		return CKR_USER_NOT_LOGGED_IN;
	const struct khsm_oattr *wt = khsm_attrs_get(&w->attrs,
						     CKA_WRAP_TEMPLATE);

	if (k->class == CKO_PUBLIC_KEY)
		return CKR_KEY_NOT_WRAPPABLE;
	if (k->class != CKO_SECRET_KEY && k->class != CKO_PRIVATE_KEY)
		return CKR_KEY_HANDLE_INVALID;
	if (!khsm_attrs_bool(&k->attrs, CKA_EXTRACTABLE))
		return CKR_KEY_UNEXTRACTABLE;
	if (khsm_attrs_bool(&k->attrs, CKA_WRAP_WITH_TRUSTED) &&
	    !khsm_attrs_bool(&w->attrs, CKA_TRUSTED))
		return CKR_KEY_NOT_WRAPPABLE;
	if (wt && wt->len && !khsm_tblob_matched_by(wt->val, wt->len, &k->attrs))
		return CKR_KEY_NOT_WRAPPABLE;
	return CKR_OK;
}

/*
 * No key is wrapped by a weaker one: the security strength in bits
 * (struct khsm_key_ops.strength, NIST SP 800-57 part 1 table 2) of the
 * wrapping key @w must be at least that of @k. A type without a strength
 * is neither wrapped nor wraps. No lock needed (immutable material).
 */
unsigned long khsm_may_wrap_strength(const struct khsm_keymat *w,
				     const struct khsm_keymat *k)
{
	if (!w->ops->strength || !k->ops->strength)
		return CKR_KEY_NOT_WRAPPABLE;
	if (w->ops->strength(&w->key) < k->ops->strength(&k->key))
		return CKR_KEY_NOT_WRAPPABLE;
	return CKR_OK;
}

/*
 * CKA_TRUSTED true is the SO's to give (PKCS#11 v3.0 4.10): a new object
 * (@old NULL: create, copy, generate, derive, unwrap) or a change
 * (@old: the object before) that makes it true needs the SO logged in.
 * A copy of a trusted key is a new trusted key: the SO's too.
 */
unsigned long khsm_may_trust(const struct khsm_file *f,
			     const struct khsm_attrs *old,
			     const struct khsm_attrs *new)
{
	if (!khsm_attrs_bool(new, CKA_TRUSTED))
		return CKR_OK;
	if (old && khsm_attrs_bool(old, CKA_TRUSTED))
		return CKR_OK;
	return f->user == CKU_SO ? CKR_OK : CKR_ATTRIBUTE_READ_ONLY;
}
