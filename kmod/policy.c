// SPDX-License-Identifier: GPL-2.0
/*
 * Access decisions, in one place: session states, object visibility,
 * sensitive values, who may create or change which object, which key may
 * be used for what. Callers hold the token lock.
 */
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
