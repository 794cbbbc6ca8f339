/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Find index of a token: a hash table keyed by (attribute type, value) for
 * the attributes C_FindObjects is asked about most (CKA_CLASS, CKA_LABEL,
 * CKA_ID), so a search costs the number of objects that carry the value,
 * not the number of objects on the token. Every function runs under
 * tok->lock.
 */
#ifndef KHSM_INDEX_H
#define KHSM_INDEX_H

#include <linux/list.h>
#include <linux/types.h>

struct khsm_obj;
struct khsm_tattr;
struct khsm_tmpl;

/* Attributes the index keeps, one entry each per object that has it. */
#define KHSM_INDEX_ATTRS	3

struct khsm_index_entry {
	struct hlist_node node;
	struct khsm_obj *obj;
	u32 type;
	u32 hash;
	bool linked;
};

/* Embedded in struct khsm_obj. */
struct khsm_obj_index {
	struct khsm_index_entry e[KHSM_INDEX_ATTRS];
};

/* Embedded in struct khsm_token. */
struct khsm_index {
	struct hlist_head *buckets;	/* kvmalloc'd, 1 << bits of them */
	u32 bits;
	u32 n;				/* linked entries */
	u32 seed;
};

int khsm_index_init(struct khsm_index *ix);
void khsm_index_destroy(struct khsm_index *ix);
/* Index @o's attributes as they are now / drop them. */
void khsm_index_add(struct khsm_index *ix, struct khsm_obj *o);
void khsm_index_del(struct khsm_index *ix, struct khsm_obj *o);
/* The template attribute the index answers for, or NULL (scan). */
const struct khsm_tattr *khsm_index_key(const struct khsm_tmpl *t);
/* Objects whose @key attribute equals @key's value. */
u32 khsm_index_count(const struct khsm_index *ix, const struct khsm_tattr *key);
void khsm_index_walk(const struct khsm_index *ix, const struct khsm_tattr *key,
		     void (*fn)(struct khsm_obj *o, void *arg), void *arg);

#endif /* KHSM_INDEX_H */
