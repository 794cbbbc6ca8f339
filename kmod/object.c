// SPDX-License-Identifier: GPL-2.0
/*
 * Object store of a token: an xarray of reference-counted objects, token
 * objects living until destroyed, session objects dying with their
 * session. Attribute values are wiped when freed. Every function here runs
 * under, or takes, the token lock.
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "attr.h"
#include "object.h"
#include "policy.h"
#include "session.h"
#include "token.h"

static struct kmem_cache *khsm_object_cache;

int khsm_object_init(void)
{
	khsm_object_cache = kmem_cache_create("khsm_object",
					      sizeof(struct khsm_obj), 0,
					      SLAB_ACCOUNT, NULL);
	return khsm_object_cache ? 0 : -ENOMEM;
}

void khsm_object_uninit(void)
{
	kmem_cache_destroy(khsm_object_cache);
}

static void khsm_object_release(struct kref *ref)
{
	struct khsm_obj *o = container_of(ref, struct khsm_obj, ref);

	khsm_attrs_free(&o->attrs);
	kmem_cache_free(khsm_object_cache, o);
}

void khsm_object_get(struct khsm_obj *o)
{
	kref_get(&o->ref);
}

void khsm_object_put(struct khsm_obj *o)
{
	kref_put(&o->ref, khsm_object_release);
}

struct khsm_obj *khsm_object_lookup(struct khsm_file *f, u32 handle)
{
	struct khsm_obj *o;

	lockdep_assert_held(&f->tok->lock);
	o = xa_load(&f->tok->objects, handle);
	if (!o || !khsm_obj_visible(f, o))
		return NULL;
	return o;
}

static void khsm_object_part(const struct khsm_obj *o, u32 type,
			     struct khsm_key_part *part)
{
	const struct khsm_oattr *a = khsm_attrs_get(&o->attrs, type);

	if (a) {
		part->val = a->val;
		part->len = a->len;
	}
}

/* Key material view for mech->init; valid while the object is held. */
void khsm_object_key(const struct khsm_obj *o, struct khsm_key *k)
{
	const struct khsm_oattr *a;

	memset(k, 0, sizeof(*k));
	k->class = o->class;
	k->key_type = o->key_type;
	a = khsm_attrs_get(&o->attrs, CKA_VALUE);
	if (a) {
		k->value = a->val;
		k->value_len = a->len;
	}
	a = khsm_attrs_get(&o->attrs, CKA_EC_PARAMS);
	if (a) {
		k->ec_params = a->val;
		k->ec_params_len = a->len;
	}
	a = khsm_attrs_get(&o->attrs, CKA_EC_POINT);
	if (a) {
		k->ec_point = a->val;
		k->ec_point_len = a->len;
	}
	khsm_object_part(o, CKA_MODULUS, &k->n);
	khsm_object_part(o, CKA_PUBLIC_EXPONENT, &k->e);
	khsm_object_part(o, CKA_PRIVATE_EXPONENT, &k->d);
	khsm_object_part(o, CKA_PRIME_1, &k->p);
	khsm_object_part(o, CKA_PRIME_2, &k->q);
	khsm_object_part(o, CKA_EXPONENT_1, &k->dp);
	khsm_object_part(o, CKA_EXPONENT_2, &k->dq);
	khsm_object_part(o, CKA_COEFFICIENT, &k->qinv);
}

static void khsm_object_remove(struct khsm_obj *o)
{
	struct khsm_token *tok = o->tok;

	lockdep_assert_held(&tok->lock);
	xa_erase(&tok->objects, o->handle);
	khsm_index_del(&tok->find_index, o);
	if (o->owner)
		list_del(&o->owner_node);
	o->dead = true;
	if (o->token)
		tok->n_token_objects--;
	else
		tok->n_session_objects--;
	khsm_token_uncharge(tok, o->bytes);
	khsm_object_put(o);
}

/* Hundreds of thousands of objects may go at once: let others run. */
void khsm_objects_destroy_all(struct khsm_token *tok)
{
	struct khsm_obj *o;
	unsigned long idx;

	xa_for_each(&tok->objects, idx, o) {
		khsm_object_remove(o);
		cond_resched();
	}
}

/* The session's own list: closing it costs its objects, not the token's. */
void khsm_objects_destroy_session(struct khsm_sess *s)
{
	struct khsm_obj *o, *tmp;

	lockdep_assert_held(&s->tok->lock);
	list_for_each_entry_safe(o, tmp, &s->objects, owner_node) {
		khsm_object_remove(o);
		cond_resched();
	}
}

/* C_Logout: the file's private session objects go. */
void khsm_objects_destroy_private(struct khsm_file *f)
{
	struct khsm_obj *o, *tmp;
	struct khsm_sess *s;
	unsigned long idx;

	lockdep_assert_held(&f->tok->lock);
	xa_for_each(&f->tok->sessions, idx, s) {
		if (s->file != f)
			continue;
		list_for_each_entry_safe(o, tmp, &s->objects, owner_node) {
			if (o->private)
				khsm_object_remove(o);
			cond_resched();
		}
	}
}

/*
 * What an object with @attrs costs the token's budget: the attribute list
 * and values plus the fixed part.
 */
static u32 khsm_object_bytes(const struct khsm_attrs *attrs)
{
	return khsm_attrs_bytes(attrs) + sizeof(struct khsm_obj);
}

/* A stored list never grows (SET_ATTRS replaces it): drop the spare room. */
static void khsm_attrs_trim(struct khsm_attrs *attrs)
{
	struct khsm_oattr *a;

	if (!attrs->n || attrs->n == attrs->cap)
		return;
	a = krealloc_array(attrs->a, attrs->n, sizeof(*a), GFP_KERNEL_ACCOUNT);
	if (!a)
		return;
	attrs->a = a;
	attrs->cap = attrs->n;
}

/*
 * Insert a new object built from @attrs (consumed on every path) into the
 * store, owned by session @s unless it is a token object.
 */
static unsigned long khsm_object_add(struct khsm_sess *s,
			       struct khsm_attrs *attrs, u32 *handle)
{
	struct khsm_token *tok = s->tok;
	struct khsm_obj *o;
	unsigned long rv;
	bool token = khsm_attrs_bool(attrs, CKA_TOKEN);
	bool private = khsm_attrs_bool(attrs, CKA_PRIVATE);
	int err;

	rv = khsm_may_create(s, token, private);
	if (rv)
		goto out_free;
	if (tok->n_token_objects + tok->n_session_objects >= KHSM_MAX_OBJECTS) {
		rv = CKR_DEVICE_MEMORY;
		goto out_free;
	}
	khsm_attrs_trim(attrs);
	o = kmem_cache_zalloc(khsm_object_cache, GFP_KERNEL_ACCOUNT);
	if (!o) {
		rv = CKR_HOST_MEMORY;
		goto out_free;
	}
	kref_init(&o->ref);
	o->tok = tok;
	o->class = khsm_attrs_ulong(attrs, CKA_CLASS, 0);
	o->key_type = khsm_attrs_ulong(attrs, CKA_KEY_TYPE, 0);
	o->token = token;
	o->private = private;
	o->owner = token ? NULL : s;
	o->bytes = khsm_object_bytes(attrs);
	o->attrs = *attrs;
	attrs->a = NULL;
	rv = khsm_token_charge(tok, o->bytes);
	if (rv) {
		khsm_object_put(o);
		return rv;
	}
	err = xa_alloc_cyclic(&tok->objects, &o->handle, o,
			      XA_LIMIT(1, U32_MAX), &tok->next_object,
			      GFP_KERNEL_ACCOUNT);
	if (err < 0) {
		khsm_token_uncharge(tok, o->bytes);
		khsm_object_put(o);
		return CKR_HOST_MEMORY;
	}
	khsm_index_add(&tok->find_index, o);
	if (o->owner)
		list_add_tail(&o->owner_node, &s->objects);
	if (token)
		tok->n_token_objects++;
	else
		tok->n_session_objects++;
	*handle = o->handle;
	return CKR_OK;

out_free:
	khsm_attrs_free(attrs);
	return rv;
}

static unsigned long khsm_key_type_ok(unsigned long class, unsigned long key_type)
{
	switch (class) {
	case CKO_SECRET_KEY:
		if (key_type == CKK_AES || key_type == CKK_GENERIC_SECRET)
			return CKR_OK;
		return CKR_ATTRIBUTE_VALUE_INVALID;
	case CKO_PRIVATE_KEY:
	case CKO_PUBLIC_KEY:
		/* the key types some registered mechanism generates pairs of */
		if (khsm_mech_for_key(key_type, CKF_GENERATE_KEY_PAIR))
			return CKR_OK;
		return CKR_ATTRIBUTE_VALUE_INVALID;
	}
	return CKR_OK;
}

/*
 * A private or public key given by the caller must be usable: let the
 * first signature mechanism of its key type (CKM_ECDSA for CKK_EC,
 * CKM_EDDSA for CKK_EC_EDWARDS, CKM_RSA_PKCS for CKK_RSA) check it with
 * its ->check_key, or parse it (curve, point, scalar or seed length) as
 * it would at C_SignInit/C_VerifyInit, so a bad key fails at
 * C_CreateObject.
 */
static unsigned long khsm_key_validate(const struct khsm_attrs *attrs,
				 unsigned long class, unsigned long key_type)
{
	const struct khsm_mech *m;
	struct khsm_obj view = { .class = class, .key_type = key_type };
	struct khsm_op op = {};
	struct khsm_key k;
	unsigned long rv;

	if (class != CKO_PRIVATE_KEY && class != CKO_PUBLIC_KEY)
		return CKR_OK;
	m = khsm_mech_for_key(key_type, class == CKO_PRIVATE_KEY ?
			      CKF_SIGN : CKF_VERIFY);
	if (!m || !m->init)
		return CKR_OK;
	view.attrs = *attrs;
	khsm_object_key(&view, &k);
	if (m->check_key) {
		rv = m->check_key(&k);
	} else {
		op.mech = m;
		op.kind = class == CKO_PRIVATE_KEY ? KHSM_OP_SIGN :
						     KHSM_OP_VERIFY;
		rv = m->init(&op, &k, NULL, 0);
		if (m->cleanup)
			m->cleanup(&op);
	}
	memzero_explicit(&k, sizeof(k));
	switch (rv) {
	case CKR_OK:
	case CKR_HOST_MEMORY:
	case CKR_DEVICE_MEMORY:
	case CKR_DEVICE_ERROR:
	case CKR_CURVE_NOT_SUPPORTED:
		return rv;
	}
	return CKR_ATTRIBUTE_VALUE_INVALID;
}

unsigned long khsm_object_create(struct khsm_file *f, u32 session,
			   const struct khsm_tmpl *t, u32 *handle)
{
	struct khsm_token *tok = f->tok;
	struct khsm_attrs attrs = {};
	struct khsm_sess *s;
	u64 class, key_type = 0;
	bool found;
	unsigned long rv;

	mutex_lock(&tok->lock);
	s = khsm_session_find(f, session);
	if (!s) {
		rv = CKR_SESSION_HANDLE_INVALID;
		goto out;
	}
	rv = khsm_tmpl_ulong(t, CKA_CLASS, &class, &found);
	if (rv)
		goto out;
	if (!found) {
		rv = CKR_TEMPLATE_INCOMPLETE;
		goto out;
	}
	if (!khsm_class_bit(class)) {
		rv = CKR_ATTRIBUTE_VALUE_INVALID;
		goto out;
	}
	if (khsm_class_bit(class) & KHSM_AC_KEY) {
		rv = khsm_tmpl_ulong(t, CKA_KEY_TYPE, &key_type, &found);
		if (rv)
			goto out;
		if (!found) {
			rv = CKR_TEMPLATE_INCOMPLETE;
			goto out;
		}
		rv = khsm_key_type_ok(class, key_type);
		if (rv)
			goto out;
	}
	if (khsm_attrs_alloc(&attrs)) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	rv = khsm_attrs_build(&attrs, t, class, key_type, KHSM_TM_CREATE);
	if (!rv)
		rv = khsm_key_validate(&attrs, class, key_type);
	if (rv) {
		khsm_attrs_free(&attrs);
		goto out;
	}
	rv = khsm_object_add(s, &attrs, handle);
out:
	mutex_unlock(&tok->lock);
	return rv;
}

/*
 * The session and object a call names, looked up under tok->lock. With
 * @write the session must be allowed to change the object; @allowed is the
 * object's attribute that permits the action (CKA_COPYABLE, CKA_DESTROYABLE,
 * CKA_MODIFIABLE), or 0. *@sp, when not NULL, gets the session.
 */
static unsigned long khsm_object_target(struct khsm_file *f, u32 session,
					u32 handle, bool write,
					unsigned long allowed,
					struct khsm_sess **sp,
					struct khsm_obj **op)
{
	struct khsm_sess *s;
	unsigned long rv;

	s = khsm_session_find(f, session);
	if (!s)
		return CKR_SESSION_HANDLE_INVALID;
	*op = khsm_object_lookup(f, handle);
	if (!*op)
		return CKR_OBJECT_HANDLE_INVALID;
	if (write) {
		rv = khsm_may_write(s, *op);
		if (rv)
			return rv;
	}
	if (allowed && !khsm_attrs_bool(&(*op)->attrs, allowed))
		return CKR_ACTION_PROHIBITED;
	if (sp)
		*sp = s;
	return CKR_OK;
}

unsigned long khsm_object_copy(struct khsm_file *f, u32 session, u32 src,
			 const struct khsm_tmpl *t, u32 *handle)
{
	struct khsm_token *tok = f->tok;
	struct khsm_attrs attrs = {};
	struct khsm_sess *s;
	struct khsm_obj *o;
	unsigned long rv;

	mutex_lock(&tok->lock);
	rv = khsm_object_target(f, session, src, false, CKA_COPYABLE, &s, &o);
	if (rv)
		goto out;
	if (khsm_attrs_dup(&attrs, &o->attrs)) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	rv = khsm_attrs_change(&attrs, t, o->class, o->key_type, KHSM_TM_COPY);
	if (rv) {
		khsm_attrs_free(&attrs);
		goto out;
	}
	rv = khsm_object_add(s, &attrs, handle);
out:
	mutex_unlock(&tok->lock);
	return rv;
}

unsigned long khsm_object_destroy(struct khsm_file *f, u32 session, u32 handle)
{
	struct khsm_token *tok = f->tok;
	struct khsm_obj *o;
	unsigned long rv;

	mutex_lock(&tok->lock);
	rv = khsm_object_target(f, session, handle, true, CKA_DESTROYABLE, NULL, &o);
	if (!rv)
		khsm_object_remove(o);
	mutex_unlock(&tok->lock);
	return rv;
}

/*
 * C_GetAttributeValue (PKCS#11 v3.0 5.7): every entry is answered; the
 * result is the most important of the per-entry errors.
 */
unsigned long khsm_object_get_attrs(struct khsm_file *f, u32 session, u32 handle,
			      struct khsm_gattr *g, u32 n)
{
	struct khsm_token *tok = f->tok;
	const struct khsm_attr_desc *d;
	const struct khsm_oattr *a;
	bool sensitive = false, invalid = false, small = false;
	struct khsm_obj *o;
	unsigned long rv = CKR_OK;
	u32 i;

	mutex_lock(&tok->lock);
	rv = khsm_object_target(f, session, handle, false, 0, NULL, &o);
	if (rv)
		goto out;
	for (i = 0; i < n; i++) {
		d = khsm_attr_desc(g[i].type, o->class, o->key_type);
		a = khsm_attrs_get(&o->attrs, g[i].type);
		if (!d || !a) {
			g[i].len = KHSM_LEN_UNAVAILABLE;
			invalid = true;
		} else if (khsm_obj_hides(o, d)) {
			g[i].len = KHSM_LEN_UNAVAILABLE;
			sensitive = true;
		} else if (!g[i].buf) {
			g[i].len = a->len;
		} else if (g[i].len < a->len) {
			/* The uAPI's length protocol: the needed length. */
			g[i].len = a->len;
			small = true;
		} else {
			if (a->len)
				memcpy(g[i].buf, a->val, a->len);
			g[i].len = a->len;
		}
	}
	if (sensitive)
		rv = CKR_ATTRIBUTE_SENSITIVE;
	else if (invalid)
		rv = CKR_ATTRIBUTE_TYPE_INVALID;
	else if (small)
		rv = CKR_BUFFER_TOO_SMALL;
out:
	mutex_unlock(&tok->lock);
	return rv;
}

unsigned long khsm_object_set_attrs(struct khsm_file *f, u32 session, u32 handle,
			      const struct khsm_tmpl *t)
{
	struct khsm_token *tok = f->tok;
	struct khsm_attrs attrs = {};
	struct khsm_obj *o;
	unsigned long rv;

	mutex_lock(&tok->lock);
	rv = khsm_object_target(f, session, handle, true, CKA_MODIFIABLE, NULL, &o);
	if (rv)
		goto out;
	if (khsm_attrs_dup(&attrs, &o->attrs)) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	rv = khsm_attrs_change(&attrs, t, o->class, o->key_type, KHSM_TM_SET);
	if (rv) {
		khsm_attrs_free(&attrs);
		goto out;
	}
	khsm_attrs_trim(&attrs);
	khsm_token_uncharge(tok, o->bytes);
	rv = khsm_token_charge(tok, khsm_object_bytes(&attrs));
	if (rv) {
		khsm_token_charge(tok, o->bytes);	/* fits: it did */
		khsm_attrs_free(&attrs);
		goto out;
	}
	o->bytes = khsm_object_bytes(&attrs);
	khsm_index_del(&tok->find_index, o);
	swap(o->attrs, attrs);
	khsm_index_add(&tok->find_index, o);
	khsm_attrs_free(&attrs);
out:
	mutex_unlock(&tok->lock);
	return rv;
}

static bool khsm_object_matches(const struct khsm_obj *o,
				const struct khsm_tmpl *t)
{
	const struct khsm_attr_desc *d;
	const struct khsm_oattr *a;
	u32 i;

	for (i = 0; i < t->count; i++) {
		d = khsm_attr_desc(t->a[i].type, o->class, o->key_type);
		a = khsm_attrs_get(&o->attrs, t->a[i].type);
		if (!d || !a || khsm_obj_hides(o, d))
			return false;
		if (a->len != t->a[i].len)
			return false;
		if (a->len && memcmp(a->val, t->a[i].val, a->len))
			return false;
	}
	return true;
}

struct khsm_match {
	struct khsm_file *f;
	const struct khsm_tmpl *t;
	u32 *h;
	u32 n;
	u32 max;
};

static int khsm_handle_cmp(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

static void khsm_match_one(struct khsm_obj *o, void *arg)
{
	struct khsm_match *m = arg;

	if (m->n < m->max && khsm_obj_visible(m->f, o) &&
	    khsm_object_matches(o, m->t))
		m->h[m->n++] = o->handle;
}

/*
 * The snapshot: through the find index when the template names an
 * indexed attribute (cost: the objects carrying that value), else a scan.
 * The array is sized by the candidates, not by a maximum.
 */
unsigned long khsm_objects_match(struct khsm_file *f, const struct khsm_tmpl *t,
			   u32 **handles, u32 *n)
{
	struct khsm_token *tok = f->tok;
	struct khsm_match m = { .f = f, .t = t };
	const struct khsm_tattr *key;
	struct khsm_obj *o;
	unsigned long idx;
	unsigned long rv;

	lockdep_assert_held(&tok->lock);
	rv = khsm_tmpl_check(t);
	if (rv)
		return rv;
	key = khsm_index_key(t);
	m.max = key ? khsm_index_count(&tok->find_index, key) :
		      tok->n_token_objects + tok->n_session_objects;
	m.h = kvmalloc_array(max_t(u32, m.max, 1), sizeof(*m.h),
			     GFP_KERNEL_ACCOUNT);
	if (!m.h)
		return CKR_HOST_MEMORY;
	if (key) {
		khsm_index_walk(&tok->find_index, key, khsm_match_one, &m);
		/* Handle order, as a scan gives: the order objects were made. */
		sort(m.h, m.n, sizeof(*m.h), khsm_handle_cmp, NULL);
	} else {
		xa_for_each(&tok->objects, idx, o)
			khsm_match_one(o, &m);
	}
	*handles = m.h;
	*n = m.n;
	return CKR_OK;
}

/* CKA_LOCAL and friends of a key the token generated. */
static int khsm_mark_generated(struct khsm_attrs *a, unsigned long mech)
{
	int err = 0;

	err |= khsm_attrs_put_bool(a, CKA_LOCAL, true);
	err |= khsm_attrs_put_ulong(a, CKA_KEY_GEN_MECHANISM, mech);
	if (khsm_attrs_get(a, CKA_SENSITIVE)) {
		err |= khsm_attrs_put_bool(a, CKA_ALWAYS_SENSITIVE,
					   khsm_attrs_bool(a, CKA_SENSITIVE));
		err |= khsm_attrs_put_bool(a, CKA_NEVER_EXTRACTABLE,
					   !khsm_attrs_bool(a, CKA_EXTRACTABLE));
	}
	return err;
}

unsigned long khsm_generate_key(struct khsm_file *f, u32 session,
			  unsigned long mech, u32 param_len,
			  const struct khsm_tmpl *t, u32 *handle)
{
	const struct khsm_mech *m = khsm_mech_find(mech);
	struct khsm_token *tok = f->tok;
	struct khsm_attrs attrs = {};
	u8 value[KHSM_MAX_SECRET_LEN];
	struct khsm_sess *s;
	unsigned long key_type;
	u64 len;
	bool found;
	unsigned long rv;

	mutex_lock(&tok->lock);
	s = khsm_session_find(f, session);
	if (!s) {
		rv = CKR_SESSION_HANDLE_INVALID;
		goto out_unlock;
	}
	if (!m || !(m->flags & CKF_GENERATE) || !m->gen_secret) {
		rv = CKR_MECHANISM_INVALID;
		goto out_unlock;
	}
	if (param_len) {
		rv = CKR_MECHANISM_PARAM_INVALID;
		goto out_unlock;
	}
	key_type = m->key_type ? m->key_type : CKK_GENERIC_SECRET;
	rv = khsm_tmpl_ulong(t, CKA_VALUE_LEN, &len, &found);
	if (rv)
		goto out_unlock;
	if (!found) {
		rv = CKR_TEMPLATE_INCOMPLETE;
		goto out_unlock;
	}
	if ((key_type == CKK_AES && len != 16 && len != 24 && len != 32) ||
	    len < 1 || len > KHSM_MAX_SECRET_LEN) {
		rv = CKR_ATTRIBUTE_VALUE_INVALID;
		goto out_unlock;
	}
	if (khsm_attrs_alloc(&attrs)) {
		rv = CKR_HOST_MEMORY;
		goto out_unlock;
	}
	rv = khsm_attrs_build(&attrs, t, CKO_SECRET_KEY, key_type,
			      KHSM_TM_GENERATE);
	if (rv)
		goto out_free;
	rv = khsm_may_create(s, khsm_attrs_bool(&attrs, CKA_TOKEN),
			     khsm_attrs_bool(&attrs, CKA_PRIVATE));
	if (rv)
		goto out_free;
	rv = m->gen_secret(value, len);
	if (rv)
		goto out_wipe;
	if (khsm_attrs_put(&attrs, CKA_VALUE, value, len) ||
	    khsm_mark_generated(&attrs, mech)) {
		rv = CKR_HOST_MEMORY;
		goto out_wipe;
	}
	memzero_explicit(value, sizeof(value));
	rv = khsm_object_add(s, &attrs, handle);
	goto out_unlock;

out_wipe:
	memzero_explicit(value, sizeof(value));
out_free:
	khsm_attrs_free(&attrs);
out_unlock:
	mutex_unlock(&tok->lock);
	return rv;
}

/* Both templates of a key pair, before any key exists. */
static unsigned long khsm_pair_templates(struct khsm_sess *s,
				   const struct khsm_mech *m,
				   const struct khsm_tmpl *pub_t,
				   const struct khsm_tmpl *priv_t,
				   struct khsm_attrs *pub,
				   struct khsm_attrs *priv)
{
	unsigned long key_type = m->key_type;
	const struct khsm_tattr *pp = NULL, *qp;
	unsigned long rv;

	if (key_type == CKK_RSA) {
		if (!khsm_tmpl_find(pub_t, CKA_MODULUS_BITS))
			return CKR_TEMPLATE_INCOMPLETE;
	} else {
		pp = khsm_tmpl_find(pub_t, CKA_EC_PARAMS);
		if (!pp)
			return CKR_TEMPLATE_INCOMPLETE;
		qp = khsm_tmpl_find(priv_t, CKA_EC_PARAMS);
		if (qp && pp->val && qp->val &&
		    (qp->len != pp->len || memcmp(qp->val, pp->val, pp->len)))
			return CKR_TEMPLATE_INCONSISTENT;
	}
	if (khsm_attrs_alloc(pub) || khsm_attrs_alloc(priv))
		return CKR_HOST_MEMORY;
	rv = khsm_attrs_build(pub, pub_t, CKO_PUBLIC_KEY, key_type,
			      KHSM_TM_GENERATE);
	if (rv)
		return rv;
	rv = khsm_attrs_build(priv, priv_t, CKO_PRIVATE_KEY, key_type,
			      KHSM_TM_GENERATE);
	if (rv)
		return rv;
	if (pp && khsm_attrs_put(priv, CKA_EC_PARAMS, pp->val, pp->len))
		return CKR_HOST_MEMORY;
	rv = khsm_may_create(s, khsm_attrs_bool(pub, CKA_TOKEN),
			     khsm_attrs_bool(pub, CKA_PRIVATE));
	if (rv)
		return rv;
	return khsm_may_create(s, khsm_attrs_bool(priv, CKA_TOKEN),
			       khsm_attrs_bool(priv, CKA_PRIVATE));
}

/*
 * An RSA key pair into the built attribute lists, under tok->lock on entry
 * and return. Generation takes seconds, so it runs without the lock; the
 * session is looked up again afterwards (*@sp), and khsm_object_add
 * checks the login state again.
 */
static unsigned long khsm_rsa_pair(struct khsm_file *f, u32 session,
				   const struct khsm_mech *m,
				   struct khsm_attrs *pub,
				   struct khsm_attrs *priv,
				   struct khsm_sess **sp)
{
	static const u8 f4[] = { 0x01, 0x00, 0x01 };
	struct khsm_token *tok = f->tok;
	struct khsm_rsa_keypair kp = {};
	const struct khsm_oattr *e;
	u32 nb, hb, size;
	unsigned long rv;
	u64 bits;
	u8 *buf;
	int err = 0;

	bits = khsm_attrs_ulong(pub, CKA_MODULUS_BITS, 0);
	if (bits < KHSM_RSA_GEN_MIN_BITS || bits > KHSM_RSA_GEN_MAX_BITS ||
	    bits % 16)
		return CKR_KEY_SIZE_RANGE;
	if (!khsm_attrs_get(pub, CKA_PUBLIC_EXPONENT) &&
	    khsm_attrs_put(pub, CKA_PUBLIC_EXPONENT, f4, sizeof(f4)))
		return CKR_HOST_MEMORY;
	e = khsm_attrs_get(pub, CKA_PUBLIC_EXPONENT);
	nb = bits / 8;
	hb = bits / 16;
	size = 2 * nb + 5 * hb;
	buf = kzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!buf)
		return CKR_HOST_MEMORY;
	kp.bits = bits;
	kp.e = e->val;
	kp.e_len = e->len;
	kp.n = buf;
	kp.d = kp.n + nb;
	kp.p = kp.d + nb;
	kp.q = kp.p + hb;
	kp.dp = kp.q + hb;
	kp.dq = kp.dp + hb;
	kp.qinv = kp.dq + hb;

	mutex_unlock(&tok->lock);
	rv = m->gen_rsa(&kp);
	mutex_lock(&tok->lock);
	*sp = khsm_session_find(f, session);
	if (!rv && !*sp)
		rv = CKR_SESSION_HANDLE_INVALID;
	if (rv)
		goto out;
	err |= khsm_attrs_put(pub, CKA_MODULUS, kp.n, nb);
	err |= khsm_attrs_put(priv, CKA_MODULUS, kp.n, nb);
	err |= khsm_attrs_put(priv, CKA_PUBLIC_EXPONENT, e->val, e->len);
	err |= khsm_attrs_put(priv, CKA_PRIVATE_EXPONENT, kp.d, nb);
	err |= khsm_attrs_put(priv, CKA_PRIME_1, kp.p, hb);
	err |= khsm_attrs_put(priv, CKA_PRIME_2, kp.q, hb);
	err |= khsm_attrs_put(priv, CKA_EXPONENT_1, kp.dp, hb);
	err |= khsm_attrs_put(priv, CKA_EXPONENT_2, kp.dq, hb);
	err |= khsm_attrs_put(priv, CKA_COEFFICIENT, kp.qinv, hb);
	if (err)
		rv = CKR_HOST_MEMORY;
out:
	kfree_sensitive(buf);
	return rv;
}

unsigned long khsm_generate_key_pair(struct khsm_file *f, u32 session,
			       unsigned long mech, u32 param_len,
			       const struct khsm_tmpl *pub_t,
			       const struct khsm_tmpl *priv_t,
			       u32 *pub_h, u32 *priv_h)
{
	const struct khsm_mech *m = khsm_mech_find(mech);
	struct khsm_attrs pub = {}, priv = {};
	u8 point[KHSM_MAX_EC_POINT_LEN];
	u8 scalar[KHSM_MAX_EC_PRIV_LEN];
	struct khsm_token *tok = f->tok;
	const struct khsm_oattr *params;
	struct khsm_keypair kp = {
		.priv = scalar, .priv_len = sizeof(scalar),
		.pub_point = point, .pub_point_len = sizeof(point),
	};
	struct khsm_sess *s;
	struct khsm_obj *o;
	unsigned long rv;

	mutex_lock(&tok->lock);
	s = khsm_session_find(f, session);
	if (!s) {
		rv = CKR_SESSION_HANDLE_INVALID;
		goto out_unlock;
	}
	if (!m || !(m->flags & CKF_GENERATE_KEY_PAIR) ||
	    (!m->gen_pair && !m->gen_rsa)) {
		rv = CKR_MECHANISM_INVALID;
		goto out_unlock;
	}
	if (param_len) {
		rv = CKR_MECHANISM_PARAM_INVALID;
		goto out_unlock;
	}
	rv = khsm_pair_templates(s, m, pub_t, priv_t, &pub, &priv);
	if (rv)
		goto out_free;
	if (m->gen_rsa) {
		rv = khsm_rsa_pair(f, session, m, &pub, &priv, &s);
		if (rv)
			goto out_free;
		goto add;
	}
	params = khsm_attrs_get(&pub, CKA_EC_PARAMS);
	rv = m->gen_pair(params->val, params->len, &kp);
	if (rv)
		goto out_wipe;
	if (kp.priv_len > sizeof(scalar) || kp.pub_point_len > sizeof(point) ||
	    !kp.priv_len || !kp.pub_point_len) {
		rv = CKR_DEVICE_ERROR;
		goto out_wipe;
	}
	if (khsm_attrs_put(&priv, CKA_VALUE, scalar, kp.priv_len) ||
	    khsm_attrs_put(&pub, CKA_EC_POINT, point, kp.pub_point_len)) {
		rv = CKR_HOST_MEMORY;
		goto out_wipe;
	}
	memzero_explicit(scalar, sizeof(scalar));
add:
	if (khsm_mark_generated(&priv, mech) ||
	    khsm_mark_generated(&pub, mech)) {
		rv = CKR_HOST_MEMORY;
		goto out_free;
	}
	rv = khsm_object_add(s, &pub, pub_h);
	if (rv) {
		khsm_attrs_free(&priv);
		goto out_unlock;
	}
	rv = khsm_object_add(s, &priv, priv_h);
	if (rv) {
		o = xa_load(&tok->objects, *pub_h);
		if (o)
			khsm_object_remove(o);
		*pub_h = 0;
	}
	goto out_unlock;

out_wipe:
	memzero_explicit(scalar, sizeof(scalar));
out_free:
	khsm_attrs_free(&pub);
	khsm_attrs_free(&priv);
out_unlock:
	mutex_unlock(&tok->lock);
	return rv;
}
