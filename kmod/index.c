// SPDX-License-Identifier: GPL-2.0
/*
 * Find index: chained hash table of (attribute type, value) -> objects.
 * Entries live in the objects (struct khsm_obj_index) and the token
 * starts with a small bucket array, so adding an object never fails for
 * want of memory; the array doubles when the table holds twice as many
 * entries as buckets and, if that allocation fails, the table keeps
 * working with longer chains. Values are not copied: an entry
 * compares against the object's current attribute, and object.c drops and
 * re-adds an object's entries whenever its attributes are replaced.
 */
#include <linux/jhash.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "attr.h"
#include "index.h"
#include "khsm.h"

/* Most selective first: the first one a template has is used. */
static const u32 khsm_index_types[KHSM_INDEX_ATTRS] = {
	CKA_ID, CKA_LABEL, CKA_CLASS,
};

#define KHSM_INDEX_MIN_BITS	6
#define KHSM_INDEX_MAX_BITS	24

/* Seeded per token: user-chosen labels cannot be made to collide. */
static u32 khsm_index_hash(const struct khsm_index *ix, u32 type,
			   const u8 *val, u32 len)
{
	return jhash(val, len, ix->seed ^ type);
}


/* Rehash into 1 << @bits buckets; on allocation failure keep the old. */
static void khsm_index_resize(struct khsm_index *ix, u32 bits)
{
	struct hlist_head *nb;
	struct hlist_node *tmp;
	struct khsm_index_entry *e;
	u32 i, old = ix->bits ? 1U << ix->bits : 0;

	nb = kvmalloc_array(1U << bits, sizeof(*nb),
			    GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!nb)
		return;
	for (i = 0; i < 1U << bits; i++)
		INIT_HLIST_HEAD(&nb[i]);
	for (i = 0; i < old; i++)
		hlist_for_each_entry_safe(e, tmp, &ix->buckets[i], node) {
			hlist_del(&e->node);
			hlist_add_head(&e->node,
				       &nb[e->hash & ((1U << bits) - 1)]);
		}
	kvfree(ix->buckets);
	ix->buckets = nb;
	ix->bits = bits;
}

int khsm_index_init(struct khsm_index *ix)
{
	ix->buckets = NULL;
	ix->bits = 0;
	ix->n = 0;
	ix->seed = get_random_u32();
	khsm_index_resize(ix, KHSM_INDEX_MIN_BITS);
	return ix->buckets ? 0 : -ENOMEM;
}

void khsm_index_destroy(struct khsm_index *ix)
{
	WARN_ON(ix->n);
	kvfree(ix->buckets);
	ix->buckets = NULL;
	ix->bits = 0;
}

void khsm_index_add(struct khsm_index *ix, struct khsm_obj *o)
{
	const struct khsm_oattr *a;
	struct khsm_index_entry *e;
	unsigned int i;

	if (ix->n + KHSM_INDEX_ATTRS > 2U << ix->bits &&
	    ix->bits < KHSM_INDEX_MAX_BITS)
		khsm_index_resize(ix, ix->bits + 1);
	for (i = 0; i < KHSM_INDEX_ATTRS; i++) {
		e = &o->index.e[i];
		if (e->linked)
			continue;
		a = khsm_attrs_get(&o->attrs, khsm_index_types[i]);
		if (!a)
			continue;
		e->obj = o;
		e->type = a->type;
		e->hash = khsm_index_hash(ix, a->type, a->val, a->len);
		hlist_add_head(&e->node,
			       &ix->buckets[e->hash & ((1U << ix->bits) - 1)]);
		e->linked = true;
		ix->n++;
	}
}

void khsm_index_del(struct khsm_index *ix, struct khsm_obj *o)
{
	struct khsm_index_entry *e;
	unsigned int i;

	for (i = 0; i < KHSM_INDEX_ATTRS; i++) {
		e = &o->index.e[i];
		if (!e->linked)
			continue;
		hlist_del(&e->node);
		e->linked = false;
		ix->n--;
	}
}

const struct khsm_tattr *khsm_index_key(const struct khsm_tmpl *t)
{
	const struct khsm_tattr *a;
	unsigned int i;

	for (i = 0; i < KHSM_INDEX_ATTRS; i++) {
		a = khsm_tmpl_find(t, khsm_index_types[i]);
		if (a && (a->val || !a->len))
			return a;
	}
	return NULL;
}

static bool khsm_index_hit(const struct khsm_index_entry *e,
			   const struct khsm_tattr *key, u32 hash)
{
	const struct khsm_oattr *a;

	if (e->hash != hash || e->type != key->type)
		return false;
	a = khsm_attrs_get(&e->obj->attrs, key->type);
	return a && a->len == key->len &&
	       (!a->len || !memcmp(a->val, key->val, a->len));
}

void khsm_index_walk(const struct khsm_index *ix, const struct khsm_tattr *key,
		     void (*fn)(struct khsm_obj *o, void *arg), void *arg)
{
	u32 hash = khsm_index_hash(ix, key->type, key->val, key->len);
	struct khsm_index_entry *e;

	hlist_for_each_entry(e, &ix->buckets[hash & ((1U << ix->bits) - 1)],
			     node)
		if (khsm_index_hit(e, key, hash))
			fn(e->obj, arg);
}

static void khsm_index_one(struct khsm_obj *o, void *arg)
{
	(*(u32 *)arg)++;
}

u32 khsm_index_count(const struct khsm_index *ix, const struct khsm_tattr *key)
{
	u32 n = 0;

	khsm_index_walk(ix, key, khsm_index_one, &n);
	return n;
}
