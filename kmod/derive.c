// SPDX-License-Identifier: GPL-2.0
/*
 * C_DeriveKey (PKCS#11 v3.0 5.18.5): a new secret key from a base key.
 * The core knows no mechanism: the mechanism's ->derive (mech.h) computes
 * the value, this file checks the base key (policy.c), builds the new
 * key's attributes from the template like C_GenerateKey (the key type's
 * length rule applies to CKA_VALUE_LEN) and inserts it. The base key's
 * material is referenced under the token lock and used without it.
 *
 * Attributes the token sets (4.9, 4.10): CKA_LOCAL false,
 * CKA_KEY_GEN_MECHANISM CK_UNAVAILABLE_INFORMATION, CKA_ALWAYS_SENSITIVE
 * = the base's CKA_ALWAYS_SENSITIVE && the new CKA_SENSITIVE,
 * CKA_NEVER_EXTRACTABLE = the base's CKA_NEVER_EXTRACTABLE && !the new
 * CKA_EXTRACTABLE, CKA_VALUE_LEN the length derived.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "attr.h"
#include "key.h"
#include "object.h"
#include "policy.h"
#include "session.h"
#include "token.h"

/*
 * Key @handle of session @session for mechanism @m (the base key, or the
 * second key its parameter names): a reference to its material, and its
 * CKA_ALWAYS_SENSITIVE / CKA_NEVER_EXTRACTABLE (@as, @ne may be NULL).
 */
static unsigned long khsm_derive_base(struct khsm_file *f, u32 session,
				      const struct khsm_mech *m, u32 handle,
				      struct khsm_keymat **km, bool *as,
				      bool *ne)
{
	struct khsm_obj *o;
	unsigned long rv;

	mutex_lock(&f->tok->lock);
	if (!khsm_session_find(f, session)) {
		rv = CKR_SESSION_HANDLE_INVALID;
		goto out;
	}
	o = khsm_object_lookup(f, handle);
	rv = o ? khsm_may_derive(o, m) : CKR_KEY_HANDLE_INVALID;
	if (!rv && WARN_ON_ONCE(!o->km))
		rv = CKR_GENERAL_ERROR;
	if (!rv) {
		if (as)
			*as = khsm_attrs_bool(&o->attrs, CKA_ALWAYS_SENSITIVE);
		if (ne)
			*ne = khsm_attrs_bool(&o->attrs,
					      CKA_NEVER_EXTRACTABLE);
		*km = khsm_keymat_get(o->km);
	}
out:
	mutex_unlock(&f->tok->lock);
	return rv;
}

/*
 * The key type of the new key: a secret key type (CKA_KEY_TYPE is
 * required, as PKCS#11 leaves the type to the template).
 */
static unsigned long khsm_derive_type(const struct khsm_tmpl *t,
				      const struct khsm_key_ops **ops)
{
	unsigned long rv;
	bool found;
	u64 type;

	rv = khsm_tmpl_ulong(t, CKA_KEY_TYPE, &type, &found);
	if (rv)
		return rv;
	if (!found)
		return CKR_TEMPLATE_INCOMPLETE;
	*ops = khsm_key_ops_find(type);
	if (!*ops)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (!((*ops)->classes & KHSM_AC_SECRET) || !(*ops)->gen_check)
		return CKR_TEMPLATE_INCONSISTENT;
	return CKR_OK;
}

/* Whether @len bytes suit key type @ops (its C_GenerateKey rule). */
static bool khsm_derive_len_ok(const struct khsm_key_ops *ops, u64 len)
{
	struct khsm_tattr a = {
		.type = CKA_VALUE_LEN, .len = sizeof(len), .val = (u8 *)&len,
	};
	struct khsm_tmpl t = { .count = 1, .a = &a };

	return ops->gen_check(&t, NULL) == CKR_OK;
}

/* The attributes PKCS#11 has the token set on a derived key. */
static int khsm_mark_derived(struct khsm_attrs *a, bool base_as, bool base_ne)
{
	int err = 0;

	err |= khsm_attrs_put_bool(a, CKA_LOCAL, false);
	err |= khsm_attrs_put_ulong(a, CKA_KEY_GEN_MECHANISM,
				    CK_UNAVAILABLE_INFORMATION);
	err |= khsm_attrs_put_bool(a, CKA_ALWAYS_SENSITIVE,
				   base_as && khsm_attrs_bool(a, CKA_SENSITIVE));
	err |= khsm_attrs_put_bool(a, CKA_NEVER_EXTRACTABLE,
				   base_ne &&
				   !khsm_attrs_bool(a, CKA_EXTRACTABLE));
	return err;
}

/*
 * The template of a derived CKO_DATA object: @t without CKA_VALUE_LEN
 * (its value, if any, in *@vlen / *@found) in @out, which the caller
 * frees with kfree(out->a). CKA_VALUE may not be given.
 */
static unsigned long khsm_derive_data_tmpl(const struct khsm_tmpl *t,
					   struct khsm_tmpl *out, u64 *vlen,
					   bool *found)
{
	struct khsm_tattr *a;
	unsigned long rv;
	u32 i, n = 0;

	out->count = 0;
	out->a = NULL;
	rv = khsm_tmpl_ulong(t, CKA_VALUE_LEN, vlen, found);
	if (rv)
		return rv;
	if (khsm_tmpl_find(t, CKA_VALUE))
		return CKR_TEMPLATE_INCONSISTENT;
	if (!t->count)
		return CKR_OK;
	a = kcalloc(t->count, sizeof(*a), GFP_KERNEL);
	if (!a)
		return CKR_HOST_MEMORY;
	for (i = 0; i < t->count; i++)
		if (t->a[i].type != CKA_VALUE_LEN)
			a[n++] = t->a[i];
	out->count = n;
	out->a = a;
	return CKR_OK;
}

/* The new object's attributes, before the value: a key or a data object. */
static unsigned long khsm_derive_attrs(const struct khsm_mech *m,
				       const struct khsm_tmpl *t,
				       struct khsm_attrs *attrs,
				       const struct khsm_key_ops **ops,
				       u64 *vlen, bool *found)
{
	struct khsm_tmpl dt;
	unsigned long rv;

	if (m->derive_data) {
		rv = khsm_derive_data_tmpl(t, &dt, vlen, found);
		if (!rv && *found && (!*vlen || *vlen > KHSM_MAX_DERIVE_LEN))
			rv = CKR_ATTRIBUTE_VALUE_INVALID;
		rv = rv ?: khsm_attrs_build(attrs, &dt, CKO_DATA, KHSM_KEY_NONE,
					    KHSM_TM_GENERATE);
		if (!rv && !khsm_tmpl_find(&dt, CKA_PRIVATE) &&
		    khsm_attrs_put_bool(attrs, CKA_PRIVATE, true))
			rv = CKR_HOST_MEMORY;
		kfree(dt.a);
		return rv;
	}
	rv = khsm_derive_type(t, ops);
	rv = rv ?: khsm_tmpl_ulong(t, CKA_VALUE_LEN, vlen, found);
	if (rv)
		return rv;
	if (*found && (!*vlen || *vlen > KHSM_MAX_DERIVE_LEN ||
		       !khsm_derive_len_ok(*ops, *vlen)))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	return khsm_attrs_build(attrs, t, CKO_SECRET_KEY, (*ops)->type,
				KHSM_TM_GENERATE);
}

unsigned long khsm_derive_key(struct khsm_file *f, u32 session,
			      unsigned long mech, u32 base, const void *param,
			      u32 param_len, const struct khsm_tmpl *t,
			      u32 *handle)
{
	const struct khsm_mech *m = khsm_mech_find(mech);
	const struct khsm_key_ops *ops = NULL;
	struct khsm_keymat *base_km = NULL, *aux_km = NULL, *km = NULL;
	struct khsm_attrs attrs = {};
	u8 value[KHSM_MAX_DERIVE_LEN];
	bool found = false, base_as = false, base_ne = false;
	unsigned long rv;
	u32 len = 0, aux;
	u64 vlen = 0;

	rv = khsm_object_may_create(f, session, NULL);
	if (rv)
		return rv;
	if (!m || !(m->flags & CKF_DERIVE) || !m->derive)
		return CKR_MECHANISM_INVALID;
	if (khsm_attrs_alloc(&attrs))
		return CKR_HOST_MEMORY;
	rv = khsm_derive_attrs(m, t, &attrs, &ops, &vlen, &found);
	if (found)
		len = vlen;
	rv = rv ?: khsm_object_may_create(f, session, &attrs);
	aux = m->derive_aux_handle ? m->derive_aux_handle(param, param_len) : 0;
	rv = rv ?: khsm_derive_base(f, session, m, base, &base_km, &base_as,
				    &base_ne);
	if (!rv && aux)
		rv = khsm_derive_base(f, session, m, aux, &aux_km, NULL, NULL);
	if (rv)
		goto out;
	/* An ECDH scalar multiplication: no lock of the token is held. */
	rv = m->derive(m, &base_km->key, aux_km ? &aux_km->key : NULL, param,
		       param_len, value, &len);
	if (rv)
		goto out;
	if (WARN_ON_ONCE(!len || len > sizeof(value)) ||
	    (found && WARN_ON_ONCE(len != vlen))) {
		rv = CKR_GENERAL_ERROR;
		goto out;
	}
	if (m->derive_data) {
		if (khsm_attrs_put(&attrs, CKA_VALUE, value, len))
			rv = CKR_HOST_MEMORY;
		goto out;
	}
	/* The mechanism chose the length: it must suit the key type. */
	if (!found && !khsm_derive_len_ok(ops, len)) {
		rv = CKR_TEMPLATE_INCONSISTENT;
		goto out;
	}
	if ((!found && khsm_attrs_put_ulong(&attrs, CKA_VALUE_LEN, len)) ||
	    khsm_attrs_put(&attrs, CKA_VALUE, value, len) ||
	    khsm_mark_derived(&attrs, base_as, base_ne)) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	rv = khsm_keymat_build(ops, CKO_SECRET_KEY, &attrs, &km);
out:
	khsm_keymat_put(aux_km);
	khsm_keymat_put(base_km);
	memzero_explicit(value, sizeof(value));
	if (rv) {
		khsm_attrs_free(&attrs);
		return rv;
	}
	return khsm_object_insert(f, session, &attrs, km, handle);
}
