// SPDX-License-Identifier: GPL-2.0
/*
 * C_WrapKey and C_UnwrapKey (PKCS#11 v3.0 5.18.6, 5.18.7). The core knows
 * no mechanism: wrapping is the mechanism's one-shot ENCRYPT operation
 * with the wrapping key, unwrapping its DECRYPT operation (mech.h). What
 * is wrapped: a secret key's CKA_VALUE, a private key's PKCS#8
 * PrivateKeyInfo from its type's ->pkcs8_encode (key.h). The keys'
 * material is referenced under the token lock and used without it, as
 * derive.c does; the decisions are policy.c's (khsm_may_wrap_with,
 * khsm_may_be_wrapped, khsm_may_wrap_strength).
 *
 * Attributes the token sets on an unwrapped key (4.9, 4.10): CKA_LOCAL
 * false, CKA_KEY_GEN_MECHANISM CK_UNAVAILABLE_INFORMATION,
 * CKA_ALWAYS_SENSITIVE false, CKA_NEVER_EXTRACTABLE false. The unwrapping
 * key's CKA_UNWRAP_TEMPLATE is merged into the caller's template first
 * (khsm_unwrap_merge).
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "attr.h"
#include "key.h"
#include "object.h"
#include "policy.h"
#include "session.h"
#include "token.h"

/*
 * Run @m's operation @kind once with @key on @in: with @out NULL only
 * the output length (an exact length for wrapping, a bound for
 * unwrapping) in *@out_len; otherwise *@out_len is @out's capacity on
 * entry, CKR_BUFFER_TOO_SMALL with the needed length if it is short, and
 * the produced length on success. No lock held; may sleep.
 */
static unsigned long khsm_wrap_oneshot(const struct khsm_mech *m, u32 kind,
				       const struct khsm_key *key,
				       const void *param, u32 param_len,
				       const u8 *in, size_t in_len, u8 *out,
				       size_t *out_len)
{
	struct khsm_op op = { .mech = m, .kind = kind };
	unsigned long rv;
	size_t need;

	rv = m->init(&op, key, param, param_len);
	if (rv)
		goto out;
	need = m->out_len(&op, KHSM_STEP_ONESHOT, in_len);
	if (!out || *out_len < need) {
		rv = out ? CKR_BUFFER_TOO_SMALL : CKR_OK;
		*out_len = need;
		goto out;
	}
	rv = m->step(&op, KHSM_STEP_ONESHOT, in, in_len, out, out_len, NULL, 0);
	if (!rv && WARN_ON_ONCE(*out_len > need))
		rv = CKR_GENERAL_ERROR;
out:
	m->cleanup(&op);
	return rv;
}

/* References to the material of the wrapping key and the key to wrap. */
static unsigned long khsm_wrap_refs(struct khsm_file *f, u32 session,
				    const struct khsm_mech *m, u32 wrapping,
				    u32 key, struct khsm_keymat **wkm,
				    struct khsm_keymat **kkm)
{
	struct khsm_obj *w, *k;
	unsigned long rv;

	mutex_lock(&f->tok->lock);
	if (!khsm_session_find(f, session)) {
		rv = CKR_SESSION_HANDLE_INVALID;
		goto out;
	}
	w = khsm_object_lookup(f, wrapping);
	k = khsm_object_lookup(f, key);
	if (!w)
		rv = CKR_WRAPPING_KEY_HANDLE_INVALID;
	else if (!k)
		rv = CKR_KEY_HANDLE_INVALID;
	else
		rv = khsm_may_wrap_with(w, m, false) ?:
		     khsm_may_be_wrapped(w, k);
	if (!rv && (WARN_ON_ONCE(!w->km) || WARN_ON_ONCE(!k->km)))
		rv = CKR_GENERAL_ERROR;
	if (!rv) {
		*wkm = khsm_keymat_get(w->km);
		*kkm = khsm_keymat_get(k->km);
	}
out:
	mutex_unlock(&f->tok->lock);
	return rv;
}

/*
 * What is wrapped of @km: a secret key's value (*@buf points into the
 * material, *@owned false) or a private key's PrivateKeyInfo (*@owned:
 * the caller frees it with kvfree_sensitive()).
 */
static unsigned long khsm_wrap_plain(const struct khsm_keymat *km,
				     u8 **buf, u32 *len, bool *owned)
{
	unsigned long rv;

	*owned = false;
	if (km->key.class == CKO_SECRET_KEY) {
		if (!km->key.value || !km->key.value_len)
			return CKR_KEY_NOT_WRAPPABLE;
		*buf = (u8 *)km->key.value;
		*len = km->key.value_len;
		return CKR_OK;
	}
	if (km->key.class != CKO_PRIVATE_KEY || !km->ops->pkcs8_encode)
		return CKR_KEY_NOT_WRAPPABLE;
	rv = km->ops->pkcs8_encode(&km->key, buf, len);
	if (rv)
		return rv;
	if (WARN_ON_ONCE(!*buf || !*len || *len > KHSM_MAX_WRAPPED_LEN)) {
		if (*buf)
			kvfree_sensitive(*buf, *len);
		return CKR_GENERAL_ERROR;
	}
	*owned = true;
	return CKR_OK;
}

unsigned long khsm_wrap_key(struct khsm_file *f, u32 session,
			    unsigned long mech, const void *param,
			    u32 param_len, u32 wrapping, u32 key, u8 *out,
			    size_t *out_len)
{
	const struct khsm_mech *m = khsm_mech_find(mech);
	struct khsm_keymat *wkm = NULL, *kkm = NULL;
	unsigned long rv;
	bool owned = false;
	u8 *plain = NULL;
	u32 plain_len = 0;

	if (!m || !(m->flags & CKF_WRAP) || !m->init)
		return CKR_MECHANISM_INVALID;
	rv = khsm_wrap_refs(f, session, m, wrapping, key, &wkm, &kkm);
	if (rv)
		return rv;
	rv = khsm_may_wrap_strength(wkm, kkm);
	rv = rv ?: khsm_wrap_plain(kkm, &plain, &plain_len, &owned);
	if (!rv)
		rv = khsm_wrap_oneshot(m, KHSM_OP_ENCRYPT, &wkm->key, param,
				       param_len, plain, plain_len, out,
				       out_len);
	if (owned)
		kvfree_sensitive(plain, plain_len);
	khsm_keymat_put(wkm);
	khsm_keymat_put(kkm);
	return rv;
}

/*
 * The unwrapping key's material, and a copy of its CKA_UNWRAP_TEMPLATE
 * (*@ut NULL if empty; the caller kfree()s it).
 */
static unsigned long khsm_unwrap_ref(struct khsm_file *f, u32 session,
				     const struct khsm_mech *m, u32 unwrapping,
				     struct khsm_keymat **km, u8 **ut,
				     u32 *ut_len)
{
	const struct khsm_oattr *a;
	struct khsm_obj *o;
	unsigned long rv;

	mutex_lock(&f->tok->lock);
	if (!khsm_session_find(f, session)) {
		rv = CKR_SESSION_HANDLE_INVALID;
		goto out;
	}
	o = khsm_object_lookup(f, unwrapping);
	rv = o ? khsm_may_wrap_with(o, m, true) :
		 CKR_UNWRAPPING_KEY_HANDLE_INVALID;
	if (!rv && WARN_ON_ONCE(!o->km))
		rv = CKR_GENERAL_ERROR;
	if (!rv) {
		a = khsm_attrs_get(&o->attrs, CKA_UNWRAP_TEMPLATE);
		if (a && a->len) {
			*ut = kmemdup(a->val, a->len, GFP_KERNEL);
			if (!*ut)
				rv = CKR_HOST_MEMORY;
			*ut_len = a->len;
		}
	}
	if (!rv)
		*km = khsm_keymat_get(o->km);
out:
	mutex_unlock(&f->tok->lock);
	return rv;
}

/* Class and type of the new key (both required, as for C_CreateObject). */
static unsigned long khsm_unwrap_type(const struct khsm_tmpl *t, u64 *class,
				      const struct khsm_key_ops **ops)
{
	unsigned long rv;
	bool found;
	u64 type;

	rv = khsm_tmpl_ulong(t, CKA_CLASS, class, &found);
	if (rv)
		return rv;
	if (!found)
		return CKR_TEMPLATE_INCOMPLETE;
	rv = khsm_tmpl_ulong(t, CKA_KEY_TYPE, &type, &found);
	if (rv)
		return rv;
	if (!found)
		return CKR_TEMPLATE_INCOMPLETE;
	if (*class != CKO_SECRET_KEY && *class != CKO_PRIVATE_KEY)
		return CKR_TEMPLATE_INCONSISTENT;
	*ops = khsm_key_ops_find(type);
	if (!*ops)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (!((*ops)->classes & khsm_class_bit(*class)))
		return CKR_TEMPLATE_INCONSISTENT;
	if (*class == CKO_SECRET_KEY ? !(*ops)->gen_check :
	    !(*ops)->pkcs8_decode)
		return CKR_TEMPLATE_INCONSISTENT;
	return CKR_OK;
}

/* The attributes PKCS#11 has the token set on an unwrapped key. */
static int khsm_mark_unwrapped(struct khsm_attrs *a)
{
	int err = 0;

	err |= khsm_attrs_put_bool(a, CKA_LOCAL, false);
	err |= khsm_attrs_put_ulong(a, CKA_KEY_GEN_MECHANISM,
				    CK_UNAVAILABLE_INFORMATION);
	err |= khsm_attrs_put_bool(a, CKA_ALWAYS_SENSITIVE, false);
	err |= khsm_attrs_put_bool(a, CKA_NEVER_EXTRACTABLE, false);
	return err;
}

/*
 * A secret key from its unwrapped value: the template's CKA_VALUE_LEN,
 * if any, must be that length, and the length must suit the type (its
 * C_GenerateKey rule, as for C_DeriveKey).
 */
static unsigned long khsm_unwrap_secret(const struct khsm_key_ops *ops,
					const struct khsm_tmpl *t,
					const u8 *value, u32 len,
					struct khsm_attrs *attrs)
{
	u64 vlen = len;
	struct khsm_tattr a = {
		.type = CKA_VALUE_LEN, .len = sizeof(vlen), .val = (u8 *)&vlen,
	};
	struct khsm_tmpl lt = { .count = 1, .a = &a };
	unsigned long rv;
	bool found;
	u64 want;

	rv = khsm_tmpl_ulong(t, CKA_VALUE_LEN, &want, &found);
	if (rv)
		return rv;
	if (found && want != len)
		return CKR_TEMPLATE_INCONSISTENT;
	if (!len || len > KHSM_MAX_SECRET_LEN || ops->gen_check(&lt, NULL))
		return CKR_WRAPPED_KEY_INVALID;
	rv = khsm_attrs_build(attrs, t, CKO_SECRET_KEY, ops->type,
			      KHSM_TM_GENERATE);
	if (rv)
		return rv;
	if ((!found && khsm_attrs_put_ulong(attrs, CKA_VALUE_LEN, len)) ||
	    khsm_attrs_put(attrs, CKA_VALUE, value, len))
		return CKR_HOST_MEMORY;
	return CKR_OK;
}

/*
 * A private key from its PrivateKeyInfo: the type's ->pkcs8_decode gives
 * the material attributes, which go after the template's into a
 * C_CreateObject template (a template that names one of them is
 * CKR_TEMPLATE_INCONSISTENT, a duplicate), built as C_CreateObject
 * builds it.
 */
static unsigned long khsm_unwrap_private(const struct khsm_key_ops *ops,
					 const struct khsm_tmpl *t,
					 const u8 *der, u32 der_len,
					 struct khsm_attrs *attrs)
{
	struct khsm_attrs dec = {};
	struct khsm_tattr *all = NULL;
	struct khsm_tmpl ct;
	unsigned long rv;
	u32 i;

	if (khsm_attrs_alloc(&dec))
		return CKR_HOST_MEMORY;
	rv = ops->pkcs8_decode(der, der_len, &dec);
	if (rv)
		goto out;
	all = kcalloc(t->count + dec.n, sizeof(*all), GFP_KERNEL);
	if (!all) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	if (t->count)
		memcpy(all, t->a, t->count * sizeof(*all));
	for (i = 0; i < dec.n; i++) {
		all[t->count + i].type = dec.a[i].type;
		all[t->count + i].len = dec.a[i].len;
		all[t->count + i].val = dec.a[i].val;
	}
	ct.count = t->count + dec.n;
	ct.a = all;
	rv = khsm_attrs_build(attrs, &ct, CKO_PRIVATE_KEY, ops->type,
			      KHSM_TM_CREATE);
out:
	kfree(all);
	khsm_attrs_free(&dec);
	return rv;
}

/*
 * The caller's template @t with the unwrapping key's CKA_UNWRAP_TEMPLATE
 * @ut merged in (PKCS#11 v3.0 4.9, 5.18.4): an attribute in both must
 * have the same value (CKR_TEMPLATE_INCONSISTENT), one only in @ut is
 * added. *@all (the caller kfree()s it) holds @mt's entries, which point
 * into @t and @ut.
 */
static unsigned long khsm_unwrap_merge(const struct khsm_tmpl *t,
				       const u8 *ut, u32 ut_len,
				       struct khsm_tattr **all,
				       struct khsm_tmpl *mt)
{
	const struct khsm_tattr *ta;
	struct khsm_tattr r;
	unsigned long rv;
	u32 off = 0;
	int ret;

	*mt = *t;
	if (!ut)
		return CKR_OK;
	rv = khsm_tmpl_check(t);
	if (rv)
		return rv;
	*all = kcalloc(t->count + KHSM_TMPL_MAX_RECS, sizeof(**all),
		       GFP_KERNEL);
	if (!*all)
		return CKR_HOST_MEMORY;
	if (t->count)
		memcpy(*all, t->a, t->count * sizeof(**all));
	mt->a = *all;
	while ((ret = khsm_tblob_next(ut, ut_len, &off, &r)) > 0) {
		ta = khsm_tmpl_find(t, r.type);
		if (ta) {
			if (ta->len != r.len ||
			    (r.len && memcmp(ta->val, r.val, r.len)))
				return CKR_TEMPLATE_INCONSISTENT;
			continue;
		}
		if (WARN_ON_ONCE(mt->count >= t->count + KHSM_TMPL_MAX_RECS))
			return CKR_GENERAL_ERROR;
		(*all)[mt->count++] = r;
	}
	return ret ? CKR_GENERAL_ERROR : CKR_OK;
}

/* The mechanism's decryption errors, as C_UnwrapKey names them. */
static unsigned long khsm_unwrap_rv(unsigned long rv)
{
	switch (rv) {
	case CKR_ENCRYPTED_DATA_INVALID:
		return CKR_WRAPPED_KEY_INVALID;
	case CKR_ENCRYPTED_DATA_LEN_RANGE:
		return CKR_WRAPPED_KEY_LEN_RANGE;
	}
	return rv;
}

unsigned long khsm_unwrap_key(struct khsm_file *f, u32 session,
			      unsigned long mech, const void *param,
			      u32 param_len, u32 unwrapping, const u8 *in,
			      u32 in_len, const struct khsm_tmpl *t,
			      u32 *handle)
{
	const struct khsm_mech *m = khsm_mech_find(mech);
	const struct khsm_key_ops *ops = NULL;
	struct khsm_keymat *ukm = NULL, *km = NULL;
	struct khsm_attrs attrs = {};
	struct khsm_tattr *all = NULL;
	struct khsm_tmpl mt;
	unsigned long rv;
	size_t len = 0, cap = 0;
	u8 *plain = NULL, *ut = NULL;
	u32 ut_len = 0;
	u64 class;

	rv = khsm_object_may_create(f, session, NULL);
	if (rv)
		return rv;
	if (!m || !(m->flags & CKF_UNWRAP) || !m->init)
		return CKR_MECHANISM_INVALID;
	rv = khsm_unwrap_type(t, &class, &ops);
	if (rv)
		return rv;
	if (khsm_attrs_alloc(&attrs))
		return CKR_HOST_MEMORY;
	rv = khsm_unwrap_ref(f, session, m, unwrapping, &ukm, &ut, &ut_len);
	if (rv)
		goto out;
	rv = khsm_unwrap_merge(t, ut, ut_len, &all, &mt);
	if (rv) {
		khsm_keymat_put(ukm);
		goto out;
	}
	/* The bound of the plaintext, then the decryption itself. */
	rv = khsm_wrap_oneshot(m, KHSM_OP_DECRYPT, &ukm->key, param,
			       param_len, in, in_len, NULL, &len);
	if (!rv && (!len || len > KHSM_MAX_WRAPPED_LEN))
		rv = CKR_WRAPPED_KEY_LEN_RANGE;
	if (!rv) {
		cap = len;
		plain = kvzalloc(cap, GFP_KERNEL);
		if (!plain)
			rv = CKR_HOST_MEMORY;
	}
	if (!rv)
		rv = khsm_wrap_oneshot(m, KHSM_OP_DECRYPT, &ukm->key, param,
				       param_len, in, in_len, plain, &len);
	khsm_keymat_put(ukm);
	rv = khsm_unwrap_rv(rv);
	if (rv)
		goto out;
	if (class == CKO_SECRET_KEY)
		rv = khsm_unwrap_secret(ops, &mt, plain, len, &attrs);
	else
		rv = khsm_unwrap_private(ops, &mt, plain, len, &attrs);
	if (!rv && khsm_mark_unwrapped(&attrs))
		rv = CKR_HOST_MEMORY;
	rv = rv ?: khsm_object_may_create(f, session, &attrs);
	rv = rv ?: khsm_keymat_build(ops, class, &attrs, &km);
	if (!rv && ops->check) {
		/* as C_CreateObject checks an imported key */
		rv = ops->check(&km->key);
		if (rv) {
			khsm_keymat_put(km);
			km = NULL;
			rv = CKR_WRAPPED_KEY_INVALID;
		}
	}
out:
	if (plain)
		kvfree_sensitive(plain, cap);
	kfree(all);
	kfree(ut);
	if (rv) {
		khsm_attrs_free(&attrs);
		return rv;
	}
	return khsm_object_insert(f, session, &attrs, km, handle);
}
