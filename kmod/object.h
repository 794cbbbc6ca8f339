/* SPDX-License-Identifier: GPL-2.0 */
/* Per-token object store and the object ioctls' logic. */
#ifndef KHSM_OBJECT_H
#define KHSM_OBJECT_H

#include "khsm.h"

int khsm_object_init(void);
void khsm_object_uninit(void);

/* Under tok->lock. */
struct khsm_obj *khsm_object_lookup(struct khsm_file *f, u32 handle);
void khsm_object_get(struct khsm_obj *o);
void khsm_object_put(struct khsm_obj *o);
void khsm_objects_destroy_all(struct khsm_token *tok);
/* persist.c: an object from a sealed blob; one that failed its check. */
struct khsm_attrs;
struct khsm_obj *khsm_object_restore(struct khsm_token *tok,
				     struct khsm_attrs *attrs, u64 oid);
void khsm_object_drop(struct khsm_obj *o);
void khsm_objects_destroy_session(struct khsm_sess *s);
void khsm_objects_destroy_private(struct khsm_file *f);
/* Snapshot of visible objects matching @t; *@handles is kvmalloc'd. */
unsigned long khsm_objects_match(struct khsm_file *f, const struct khsm_tmpl *t,
			   u32 **handles, u32 *n);

/* Take tok->lock themselves, and only for lookups and bookkeeping. */
unsigned long khsm_object_create(struct khsm_file *f, u32 session,
			   const struct khsm_tmpl *t, u32 *handle);
unsigned long khsm_object_copy(struct khsm_file *f, u32 session, u32 src,
			 const struct khsm_tmpl *t, u32 *handle);
unsigned long khsm_object_destroy(struct khsm_file *f, u32 session, u32 handle);
/* Remove an object the file just made, without policy (undo). */
void khsm_object_discard(struct khsm_file *f, u32 handle);
unsigned long khsm_object_get_attrs(struct khsm_file *f, u32 session, u32 handle,
			      struct khsm_gattr *g, u32 n);
unsigned long khsm_object_set_attrs(struct khsm_file *f, u32 session, u32 handle,
			      const struct khsm_tmpl *t);
unsigned long khsm_generate_key(struct khsm_file *f, u32 session,
			  unsigned long mech, u32 param_len,
			  const struct khsm_tmpl *t, u32 *handle);
unsigned long khsm_generate_key_pair(struct khsm_file *f, u32 session,
			       unsigned long mech, u32 param_len,
			       const struct khsm_tmpl *pub_t,
			       const struct khsm_tmpl *priv_t,
			       u32 *pub, u32 *priv);


/*
 * For the other object makers (derive.c): whether session @session may
 * create an object with @a's CKA_TOKEN/CKA_PRIVATE (@a NULL: whether the
 * session exists), and the insertion of a new object (consumes @attrs
 * and @km; the session is looked up again under tok->lock).
 */
struct khsm_attrs;
struct khsm_keymat;
unsigned long khsm_object_may_create(struct khsm_file *f, u32 session,
				     const struct khsm_attrs *a);
unsigned long khsm_object_insert(struct khsm_file *f, u32 session,
				 struct khsm_attrs *attrs,
				 struct khsm_keymat *km, u32 *handle);

/* C_DeriveKey (derive.c). */
unsigned long khsm_derive_key(struct khsm_file *f, u32 session,
			      unsigned long mech, u32 base, const void *param,
			      u32 param_len, const struct khsm_tmpl *t,
			      u32 *handle);

/* C_WrapKey / C_UnwrapKey (wrap.c). */
unsigned long khsm_wrap_key(struct khsm_file *f, u32 session,
			    unsigned long mech, const void *param,
			    u32 param_len, u32 wrapping, u32 key, u8 *out,
			    size_t *out_len);
unsigned long khsm_unwrap_key(struct khsm_file *f, u32 session,
			      unsigned long mech, const void *param,
			      u32 param_len, u32 unwrapping, const u8 *in,
			      u32 in_len, const struct khsm_tmpl *t,
			      u32 *handle);

#endif /* KHSM_OBJECT_H */
