// SPDX-License-Identifier: GPL-2.0
/*
 * Object store of a token: an xarray of reference-counted objects, token
 * objects living until destroyed, session objects dying with their
 * session. Attribute values are wiped when freed. Keys carry their
 * immutable key material (struct khsm_keymat), built before the token
 * lock is taken; what a key type needs (templates, generation, import
 * checks) is its struct khsm_key_ops. The lock is held only to look up
 * sessions and objects and to insert or remove them.
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "attr.h"
#include "key.h"
#include "object.h"
#include "persist.h"
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
	khsm_keymat_put(o->km);
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

static void khsm_object_remove(struct khsm_obj *o)
{
	struct khsm_token *tok = o->tok;

	lockdep_assert_held(&tok->lock);
	xa_erase(&tok->objects, o->handle);
	khsm_index_del(&tok->find_index, o);
	if (o->owner)
		list_del(&o->owner_node);
	o->dead = true;
	if (o->token) {
		khsm_persist_remove(o);
		tok->n_token_objects--;
	} else {
		tok->n_session_objects--;
	}
	khsm_token_uncharge(tok, o->uid, o->bytes);
	khsm_object_put(o);
}

/* persist.c: a loaded object that failed authentication goes, unlisted. */
void khsm_object_drop(struct khsm_obj *o)
{
	o->oid = 0;
	khsm_object_remove(o);
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
 * What an object with @attrs and key material @km costs the token's
 * budget: the attribute list and values, the fixed part and the key
 * material (counted for every object that shares it).
 */
static u32 khsm_object_bytes(const struct khsm_attrs *attrs,
			     const struct khsm_keymat *km)
{
	return khsm_attrs_bytes(attrs) + sizeof(struct khsm_obj) +
	       (km ? struct_size(km, data, km->size) : 0);
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
 * Insert a new object built from @attrs and, for keys, its key material
 * @km (both consumed on every path) into the store, owned by session @s
 * unless it is a token object. Under tok->lock.
 */
static unsigned long khsm_object_add(struct khsm_sess *s,
			       struct khsm_attrs *attrs,
			       struct khsm_keymat *km, u32 *handle)
{
	struct khsm_token *tok = s->tok;
	struct khsm_obj *o;
	unsigned long rv;
	bool token = khsm_attrs_bool(attrs, CKA_TOKEN);
	bool private = khsm_attrs_bool(attrs, CKA_PRIVATE);
	int err;

	lockdep_assert_held(&tok->lock);
	rv = khsm_may_create(s, token, private);
	rv = rv ?: khsm_may_trust(s->file, NULL, attrs);
	if (!rv && token && !khsm_persist_writable(tok))
		rv = CKR_USER_NOT_LOGGED_IN;	/* locked: no TMK to seal */
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
	o->key_type = khsm_attrs_ulong(attrs, CKA_KEY_TYPE, KHSM_KEY_NONE);
	o->km = km;
	km = NULL;
	o->token = token;
	o->private = private;
	o->owner = token ? NULL : s;
	o->uid = s->file->uid;
	o->bytes = khsm_object_bytes(attrs, o->km);
	o->attrs = *attrs;
	attrs->a = NULL;
	rv = khsm_token_charge(tok, o->uid, o->bytes);
	if (rv) {
		khsm_object_put(o);
		return rv;
	}
	rv = token ? khsm_persist_add(o) : CKR_OK;
	if (rv) {
		khsm_token_uncharge(tok, o->uid, o->bytes);
		khsm_object_put(o);
		return rv;
	}
	err = xa_alloc_cyclic(&tok->objects, &o->handle, o,
			      XA_LIMIT(1, U32_MAX), &tok->next_object,
			      GFP_KERNEL_ACCOUNT);
	if (err < 0) {
		if (token)
			khsm_persist_remove(o);
		khsm_token_uncharge(tok, o->uid, o->bytes);
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
	khsm_keymat_put(km);
	return rv;
}

/*
 * Add @attrs/@km (consumed) as an object of session @session, which is
 * looked up again: long work ran without the lock, the session may have
 * closed and the login state changed (khsm_object_add checks it).
 */
unsigned long khsm_object_insert(struct khsm_file *f, u32 session,
					struct khsm_attrs *attrs,
					struct khsm_keymat *km, u32 *handle)
{
	struct khsm_sess *s;
	unsigned long rv;

	mutex_lock(&f->tok->lock);
	s = khsm_session_find(f, session);
	if (s) {
		rv = khsm_object_add(s, attrs, km, handle);
	} else {
		khsm_attrs_free(attrs);
		khsm_keymat_put(km);
		rv = CKR_SESSION_HANDLE_INVALID;
	}
	mutex_unlock(&f->tok->lock);
	return rv;
}

static const struct khsm_key_ops *khsm_key_ops_for(unsigned long class,
						   unsigned long key_type);

/*
 * persist.c: a token object from a sealed blob, its attribute list @attrs
 * (consumed) checked there, listed as @oid. Charged to uid 0: it belongs
 * to the token, not to whoever loaded it. Under tok->lock.
 */
struct khsm_obj *khsm_object_restore(struct khsm_token *tok,
				     struct khsm_attrs *attrs, u64 oid)
{
	unsigned long class = khsm_attrs_ulong(attrs, CKA_CLASS, 0);
	const struct khsm_key_ops *ops = NULL;
	struct khsm_keymat *km = NULL;
	struct khsm_obj *o;
	int err = -EINVAL;

	lockdep_assert_held(&tok->lock);
	if (class == CKO_SECRET_KEY || class == CKO_PRIVATE_KEY ||
	    class == CKO_PUBLIC_KEY) {
		ops = khsm_key_ops_for(class,
				       khsm_attrs_ulong(attrs, CKA_KEY_TYPE, 0));
		if (!ops || khsm_keymat_build(ops, class, attrs, &km))
			goto out_free;
	}
	err = -ENOSPC;
	if (tok->n_token_objects + tok->n_session_objects >= KHSM_MAX_OBJECTS)
		goto out_free;
	err = -ENOMEM;
	khsm_attrs_trim(attrs);
	o = kmem_cache_zalloc(khsm_object_cache, GFP_KERNEL_ACCOUNT);
	if (!o)
		goto out_free;
	kref_init(&o->ref);
	o->tok = tok;
	o->class = class;
	o->key_type = khsm_attrs_ulong(attrs, CKA_KEY_TYPE, KHSM_KEY_NONE);
	o->km = km;
	o->token = true;
	o->private = khsm_attrs_bool(attrs, CKA_PRIVATE);
	o->uid = 0;
	o->bytes = khsm_object_bytes(attrs, km);
	o->attrs = *attrs;
	attrs->a = NULL;
	if (khsm_token_charge(tok, 0, o->bytes)) {
		khsm_object_put(o);
		return ERR_PTR(-ENOSPC);
	}
	if (xa_alloc_cyclic(&tok->objects, &o->handle, o,
			    XA_LIMIT(1, U32_MAX), &tok->next_object,
			    GFP_KERNEL_ACCOUNT) < 0) {
		khsm_token_uncharge(tok, 0, o->bytes);
		khsm_object_put(o);
		return ERR_PTR(-ENOMEM);
	}
	o->oid = oid;
	khsm_index_add(&tok->find_index, o);
	tok->n_token_objects++;
	return o;

out_free:
	khsm_attrs_free(attrs);
	khsm_keymat_put(km);
	return ERR_PTR(err);
}

/*
 * Without the lock on entry: does session @session of @f exist (asked of
 * the session table alone), and, with @a, may it create an object with
 * @a's CKA_TOKEN and CKA_PRIVATE (under tok->lock)? Asked
 * before long work so a caller who may not create gets no key generated;
 * khsm_object_add asks again.
 */
unsigned long khsm_object_may_create(struct khsm_file *f, u32 session,
					    const struct khsm_attrs *a)
{
	struct khsm_sess *s;
	unsigned long rv = CKR_OK;

	if (!a)
		return khsm_session_valid(f, session) ? CKR_OK :
			CKR_SESSION_HANDLE_INVALID;
	mutex_lock(&f->tok->lock);
	s = khsm_session_find(f, session);
	if (!s)
		rv = CKR_SESSION_HANDLE_INVALID;
	else
		rv = khsm_may_create(s, khsm_attrs_bool(a, CKA_TOKEN),
				     khsm_attrs_bool(a, CKA_PRIVATE));
	mutex_unlock(&f->tok->lock);
	return rv;
}

/* The ops of a key of @class and @key_type, NULL if there is no such key. */
static const struct khsm_key_ops *khsm_key_ops_for(unsigned long class,
						   unsigned long key_type)
{
	const struct khsm_key_ops *ops = khsm_key_ops_find(key_type);

	if (!ops || !(ops->classes & khsm_class_bit(class)))
		return NULL;
	return ops;
}

/*
 * The key material of a key given to C_CreateObject, checked by its type
 * (curve, point, RSA private-key round trip, ...) so a bad key fails here
 * rather than at C_SignInit. Without the token lock: the check may take
 * long.
 */
static unsigned long khsm_key_import(const struct khsm_key_ops *ops,
				     unsigned long class,
				     const struct khsm_attrs *attrs,
				     struct khsm_keymat **km)
{
	unsigned long rv;

	rv = khsm_keymat_build(ops, class, attrs, km);
	if (rv)
		return rv;
	rv = ops->check ? ops->check(&(*km)->key) : CKR_OK;
	switch (rv) {
	case CKR_OK:
		return rv;
	case CKR_HOST_MEMORY:
	case CKR_DEVICE_MEMORY:
	case CKR_DEVICE_ERROR:
	case CKR_CURVE_NOT_SUPPORTED:
		break;
	default:
		rv = CKR_ATTRIBUTE_VALUE_INVALID;
	}
	khsm_keymat_put(*km);
	*km = NULL;
	return rv;
}

unsigned long khsm_object_create(struct khsm_file *f, u32 session,
			   const struct khsm_tmpl *t, u32 *handle)
{
	const struct khsm_key_ops *ops = NULL;
	struct khsm_attrs attrs = {};
	struct khsm_keymat *km = NULL;
	u64 class, key_type = KHSM_KEY_NONE;
	bool found;
	unsigned long rv;

	rv = khsm_object_may_create(f, session, NULL);
	if (rv)
		return rv;
	rv = khsm_tmpl_ulong(t, CKA_CLASS, &class, &found);
	if (rv)
		return rv;
	if (!found)
		return CKR_TEMPLATE_INCOMPLETE;
	if (!khsm_class_bit(class))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (khsm_class_bit(class) & KHSM_AC_KEY) {
		rv = khsm_tmpl_ulong(t, CKA_KEY_TYPE, &key_type, &found);
		if (rv)
			return rv;
		if (!found)
			return CKR_TEMPLATE_INCOMPLETE;
		ops = khsm_key_ops_for(class, key_type);
		if (!ops)
			return CKR_ATTRIBUTE_VALUE_INVALID;
	}
	if (khsm_attrs_alloc(&attrs))
		return CKR_HOST_MEMORY;
	rv = khsm_attrs_build(&attrs, t, class, key_type, KHSM_TM_CREATE);
	if (!rv && ops)
		rv = khsm_key_import(ops, class, &attrs, &km);
	if (rv) {
		khsm_attrs_free(&attrs);
		return rv;
	}
	return khsm_object_insert(f, session, &attrs, km, handle);
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
		if (!rv && (*op)->token && !khsm_persist_writable(f->tok))
			rv = CKR_USER_NOT_LOGGED_IN;
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
	if (!rv && o->unverified)
		rv = CKR_USER_NOT_LOGGED_IN;	/* a copy would launder it */
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
	/* Key attributes are read-only: the copy shares the material. */
	rv = khsm_object_add(s, &attrs, o->km ? khsm_keymat_get(o->km) : NULL,
			     handle);
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
 * Take back an object this file has just made (CREATE, COPY, GENERATE)
 * when its handle could not be delivered: no policy applies, it is as if
 * the call had not been made.
 */
void khsm_object_discard(struct khsm_file *f, u32 handle)
{
	struct khsm_token *tok = f->tok;
	struct khsm_obj *o;

	if (!handle)
		return;
	mutex_lock(&tok->lock);
	o = khsm_object_lookup(f, handle);
	if (o)
		khsm_object_remove(o);
	mutex_unlock(&tok->lock);
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
	rv = rv ?: khsm_may_trust(f, &o->attrs, &attrs);
	if (rv) {
		khsm_attrs_free(&attrs);
		goto out;
	}
	khsm_attrs_trim(&attrs);
	/* Still charged to its creator, whoever changes it. */
	rv = khsm_token_recharge(tok, o->uid, o->bytes,
				 khsm_object_bytes(&attrs, o->km));
	if (rv) {
		khsm_attrs_free(&attrs);
		goto out;
	}
	o->bytes = khsm_object_bytes(&attrs, o->km);
	khsm_index_del(&tok->find_index, o);
	swap(o->attrs, attrs);
	khsm_index_add(&tok->find_index, o);
	khsm_attrs_free(&attrs);
	if (o->token)
		khsm_persist_touch(o);
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

/* The key ops generating with @mech (@flag: CKF_GENERATE[_KEY_PAIR]). */
static const struct khsm_key_ops *khsm_gen_ops(const struct khsm_mech *m,
					       unsigned long flag)
{
	const struct khsm_key_ops *ops;

	if (!m || !(m->flags & flag))
		return NULL;
	ops = khsm_key_ops_find(m->key_type);
	if (!ops || (flag == CKF_GENERATE && !ops->generate) ||
	    (flag == CKF_GENERATE_KEY_PAIR && !ops->generate_pair))
		return NULL;
	return ops;
}

unsigned long khsm_generate_key(struct khsm_file *f, u32 session,
			  unsigned long mech, u32 param_len,
			  const struct khsm_tmpl *t, u32 *handle)
{
	const struct khsm_mech *m = khsm_mech_find(mech);
	const struct khsm_key_ops *ops;
	struct khsm_attrs attrs = {};
	struct khsm_keymat *km = NULL;
	unsigned long rv;

	rv = khsm_object_may_create(f, session, NULL);
	if (rv)
		return rv;
	ops = khsm_gen_ops(m, CKF_GENERATE);
	if (!ops)
		return CKR_MECHANISM_INVALID;
	if (param_len)
		return CKR_MECHANISM_PARAM_INVALID;
	rv = ops->gen_check ? ops->gen_check(t, NULL) : CKR_OK;
	if (rv)
		return rv;
	if (khsm_attrs_alloc(&attrs))
		return CKR_HOST_MEMORY;
	rv = khsm_attrs_build(&attrs, t, CKO_SECRET_KEY, ops->type,
			      KHSM_TM_GENERATE);
	rv = rv ?: khsm_object_may_create(f, session, &attrs);
	rv = rv ?: ops->generate(m, &attrs);
	if (!rv && khsm_mark_generated(&attrs, mech))
		rv = CKR_HOST_MEMORY;
	rv = rv ?: khsm_keymat_build(ops, CKO_SECRET_KEY, &attrs, &km);
	if (rv) {
		khsm_attrs_free(&attrs);
		return rv;
	}
	return khsm_object_insert(f, session, &attrs, km, handle);
}

/*
 * Both keys of a generated pair; *@pub_h is 0 unless both were added.
 * Consumes the lists and the key material.
 */
static unsigned long khsm_pair_insert(struct khsm_file *f, u32 session,
				      struct khsm_attrs *pub,
				      struct khsm_attrs *priv,
				      struct khsm_keymat *pub_km,
				      struct khsm_keymat *priv_km,
				      u32 *pub_h, u32 *priv_h)
{
	struct khsm_token *tok = f->tok;
	struct khsm_sess *s;
	struct khsm_obj *o;
	unsigned long rv;

	mutex_lock(&tok->lock);
	s = khsm_session_find(f, session);
	if (!s) {
		khsm_attrs_free(pub);
		khsm_attrs_free(priv);
		khsm_keymat_put(pub_km);
		khsm_keymat_put(priv_km);
		rv = CKR_SESSION_HANDLE_INVALID;
		goto out;
	}
	rv = khsm_object_add(s, pub, pub_km, pub_h);
	if (rv) {
		khsm_attrs_free(priv);
		khsm_keymat_put(priv_km);
		goto out;
	}
	rv = khsm_object_add(s, priv, priv_km, priv_h);
	if (rv) {
		o = xa_load(&tok->objects, *pub_h);
		if (o)
			khsm_object_remove(o);
		*pub_h = 0;
	}
out:
	mutex_unlock(&tok->lock);
	return rv;
}

unsigned long khsm_generate_key_pair(struct khsm_file *f, u32 session,
			       unsigned long mech, u32 param_len,
			       const struct khsm_tmpl *pub_t,
			       const struct khsm_tmpl *priv_t,
			       u32 *pub_h, u32 *priv_h)
{
	const struct khsm_mech *m = khsm_mech_find(mech);
	const struct khsm_key_ops *ops;
	struct khsm_attrs pub = {}, priv = {};
	struct khsm_keymat *pub_km = NULL, *priv_km = NULL;
	unsigned long rv;

	rv = khsm_object_may_create(f, session, NULL);
	if (rv)
		return rv;
	ops = khsm_gen_ops(m, CKF_GENERATE_KEY_PAIR);
	if (!ops)
		return CKR_MECHANISM_INVALID;
	if (param_len)
		return CKR_MECHANISM_PARAM_INVALID;
	rv = ops->gen_check ? ops->gen_check(pub_t, priv_t) : CKR_OK;
	if (rv)
		return rv;
	if (khsm_attrs_alloc(&pub) || khsm_attrs_alloc(&priv)) {
		rv = CKR_HOST_MEMORY;
		goto out_free;
	}
	rv = khsm_attrs_build(&pub, pub_t, CKO_PUBLIC_KEY, ops->type,
			      KHSM_TM_GENERATE);
	rv = rv ?: khsm_attrs_build(&priv, priv_t, CKO_PRIVATE_KEY, ops->type,
				    KHSM_TM_GENERATE);
	rv = rv ?: khsm_object_may_create(f, session, &pub);
	rv = rv ?: khsm_object_may_create(f, session, &priv);
	/* Seconds for RSA: no lock of the token is held. */
	rv = rv ?: ops->generate_pair(m, &pub, &priv);
	if (!rv && (khsm_mark_generated(&priv, mech) ||
		    khsm_mark_generated(&pub, mech)))
		rv = CKR_HOST_MEMORY;
	rv = rv ?: khsm_keymat_build(ops, CKO_PUBLIC_KEY, &pub, &pub_km);
	rv = rv ?: khsm_keymat_build(ops, CKO_PRIVATE_KEY, &priv, &priv_km);
	if (rv)
		goto out_free;
	return khsm_pair_insert(f, session, &pub, &priv, pub_km, priv_km,
				pub_h, priv_h);

out_free:
	khsm_keymat_put(pub_km);
	khsm_attrs_free(&pub);
	khsm_attrs_free(&priv);
	return rv;
}
