/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Attribute table and template rules: which attribute exists for which
 * object class, its value kind and size, and how it may change.
 */
#ifndef KHSM_ATTR_H
#define KHSM_ATTR_H

#include "khsm.h"

enum khsm_attr_kind {
	KHSM_AK_BOOL,			/* one byte, 0 or 1 */
	KHSM_AK_ULONG,			/* __u64, length 8 */
	KHSM_AK_BYTES,
	KHSM_AK_ULONG_ARRAY,		/* __u64[], length a multiple of 8 */
	KHSM_AK_TEMPLATE,		/* struct khsm_tmpl_rec records (uAPI) */
};

/* Classes an attribute belongs to. */
#define KHSM_AC_DATA		BIT(0)
#define KHSM_AC_CERT		BIT(1)
#define KHSM_AC_SECRET		BIT(2)
#define KHSM_AC_PRIV		BIT(3)
#define KHSM_AC_PUB		BIT(4)
#define KHSM_AC_KEY		(KHSM_AC_SECRET | KHSM_AC_PRIV | KHSM_AC_PUB)
#define KHSM_AC_ALL		(KHSM_AC_DATA | KHSM_AC_CERT | KHSM_AC_KEY)

/* Attribute flags. */
#define KHSM_AF_SENSITIVE	BIT(0)	/* hidden if sensitive/unextractable */
#define KHSM_AF_FIXED		BIT(1)	/* read-only after creation */
#define KHSM_AF_COPY_ONLY	BIT(2)	/* changes in COPY, not in SET */
#define KHSM_AF_COMPUTED	BIT(3)	/* set by the kernel, never a template */
#define KHSM_AF_STICKY_TRUE	BIT(4)	/* may only go false -> true */
#define KHSM_AF_STICKY_FALSE	BIT(5)	/* may only go true -> false */
#define KHSM_AF_NO_CREATE	BIT(6)	/* not in a CREATE template */
#define KHSM_AF_NO_GEN		BIT(7)	/* not in a GENERATE template */
/*
 * A set (KHSM_AK_ULONG_ARRAY, empty meaning "no restriction") that may
 * only shrink: COPY and SET must give a non-empty subset of a non-empty
 * current value.
 */
#define KHSM_AF_NARROW_ONLY	BIT(8)

/* Most mechanisms in a key's CKA_ALLOWED_MECHANISMS. */
#define KHSM_MAX_ALLOWED_MECHS	64

struct khsm_attr_desc {
	u32 type;
	u8 kind;
	u8 classes;
	u16 flags;
	u16 min_len;
	u16 max_len;
};

/* How a template is used. */
enum khsm_tmpl_mode {
	KHSM_TM_CREATE,
	KHSM_TM_GENERATE,
	KHSM_TM_COPY,
	KHSM_TM_SET,
};

u8 khsm_class_bit(unsigned long class);
/*
 * The descriptor of attribute @type for an object of @class: the common
 * table's, or for keys the key type's (struct khsm_key_ops of @key_type).
 */
const struct khsm_attr_desc *khsm_attr_desc(u32 type, unsigned long class,
					    unsigned long key_type);

/* Attribute lists. */
int khsm_attrs_alloc(struct khsm_attrs *s);
void khsm_attrs_free(struct khsm_attrs *s);
int khsm_attrs_dup(struct khsm_attrs *dst, const struct khsm_attrs *src);
int khsm_attrs_put(struct khsm_attrs *s, u32 type, const void *val, u32 len);
int khsm_attrs_put_bool(struct khsm_attrs *s, u32 type, bool v);
int khsm_attrs_put_ulong(struct khsm_attrs *s, u32 type, u64 v);
const struct khsm_oattr *khsm_attrs_get(const struct khsm_attrs *s, u32 type);
u32 khsm_attrs_bytes(const struct khsm_attrs *s);
bool khsm_attrs_bool(const struct khsm_attrs *s, u32 type);
u64 khsm_attrs_ulong(const struct khsm_attrs *s, u32 type, u64 dflt);
/*
 * Is @v in the __u64 set @type of @s (KHSM_AK_ULONG_ARRAY)? An absent or
 * empty set holds every value.
 */
bool khsm_attrs_ulong_in(const struct khsm_attrs *s, u32 type, u64 v);

/*
 * CKA_WRAP_TEMPLATE / CKA_UNWRAP_TEMPLATE values (KHSM_AK_TEMPLATE, the
 * uAPI's struct khsm_tmpl_rec records). khsm_tblob_next() reads the
 * record at *@off of @b (@len bytes) into @r (@r->val points into @b):
 * 1 and *@off advanced, 0 at the end, -EINVAL if malformed.
 */
int khsm_tblob_next(const u8 *b, u32 len, u32 *off, struct khsm_tattr *r);
/* Has @s every attribute of the checked blob @b with an equal value? */
bool khsm_tblob_matched_by(const u8 *b, u32 len, const struct khsm_attrs *s);

/* Templates. */
const struct khsm_tattr *khsm_tmpl_find(const struct khsm_tmpl *t, u32 type);
unsigned long khsm_tmpl_ulong(const struct khsm_tmpl *t, u32 type, u64 *v,
			bool *found);
unsigned long khsm_tmpl_check(const struct khsm_tmpl *t);
unsigned long khsm_attr_check_value(const struct khsm_attr_desc *d,
			      const struct khsm_tattr *ta);

/*
 * Build the attribute list of a new object of @class/@key_type from @t
 * (CREATE or GENERATE): defaults first, then the template, then the
 * required attributes of the class or key type (CREATE only). @key_type
 * must be one khsm_key_ops knows for keys, and is ignored otherwise.
 */
unsigned long khsm_attrs_build(struct khsm_attrs *s, const struct khsm_tmpl *t,
			 unsigned long class, unsigned long key_type,
			 enum khsm_tmpl_mode mode);
/* Apply a COPY or SET template to @s (a private copy of the object's). */
unsigned long khsm_attrs_change(struct khsm_attrs *s, const struct khsm_tmpl *t,
			  unsigned long class, unsigned long key_type,
			  enum khsm_tmpl_mode mode);

#endif /* KHSM_ATTR_H */
