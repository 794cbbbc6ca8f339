// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Objects: templates (struct hsm_attr <-> struct khsm_attr), create, copy,
 * destroy, get/set attributes, find, key and key-pair generation.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "state.h"

/*
 * CKA_WRAP_TEMPLATE and CKA_UNWRAP_TEMPLATE: their value is an array of
 * attributes (struct hsm_attr, CK_ATTRIBUTE's layout), which the uAPI
 * carries flat as struct khsm_tmpl_rec records (linux/khsm.h).
 */
static int hsmi_is_tmpl_attr(unsigned long type)
{
	return type == CKA_WRAP_TEMPLATE || type == CKA_UNWRAP_TEMPLATE;
}

#define HSMI_PAD8(n)	(((n) + 7) & ~(size_t)7)

/*
 * The flat size of the array value of @a into *@size: records and padded
 * values. Only the shape is judged here (the kernel judges the rest);
 * the bounds only cap what libhsm allocates before the kernel refuses.
 */
static unsigned long hsmi_tmpl_flat_size(const struct hsm_attr *a,
					 size_t *size)
{
	const struct hsm_attr *in = a->value;
	unsigned long i, n;

	*size = 0;
	if (a->len % sizeof(*in) || (!in && a->len))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	n = a->len / sizeof(*in);
	if (n > 2 * KHSM_TMPL_MAX_RECS)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	for (i = 0; i < n; i++) {
		if ((!in[i].value && in[i].len) || in[i].len > UINT32_MAX ||
		    in[i].len > 2 * KHSM_TMPL_MAX_VALUE)
			return CKR_ATTRIBUTE_VALUE_INVALID;
		*size += sizeof(struct khsm_tmpl_rec) + HSMI_PAD8(in[i].len);
	}
	return CKR_OK;
}

/* Write the records of @a's array value at @dst; their length. */
static size_t hsmi_tmpl_flatten(const struct hsm_attr *a, unsigned char *dst)
{
	const struct hsm_attr *in = a->value;
	unsigned long i, n = a->len / sizeof(*in);
	struct khsm_tmpl_rec r;
	size_t off = 0;

	for (i = 0; i < n; i++) {
		memset(&r, 0, sizeof(r));
		r.type = in[i].type;
		r.len = (__u32)in[i].len;
		memcpy(dst + off, &r, sizeof(r));
		off += sizeof(r);
		if (in[i].len)
			memcpy(dst + off, in[i].value, in[i].len);
		memset(dst + off + in[i].len, 0,
		       HSMI_PAD8(in[i].len) - in[i].len);
		off += HSMI_PAD8(in[i].len);
	}
	return off;
}

/*
 * @flatten: array values become records, in the same allocation as the
 * struct khsm_attr array (so one free() releases all); GET converts its
 * own (hsm_get_attrs).
 */
static unsigned long hsmi_tmpl_encode2(const struct hsm_attr *tmpl,
				       unsigned long count, int flatten,
				       struct khsm_attr **out, __u32 *n)
{
	struct khsm_attr *k;
	unsigned char *blob;
	size_t extra = 0, sz;
	unsigned long i, rv;

	*out = NULL;
	*n = 0;
	if (!count)
		return CKR_OK;
	if (!tmpl || count > UINT32_MAX)
		return CKR_ARGUMENTS_BAD;
	for (i = 0; flatten && i < count; i++) {
		if (!hsmi_is_tmpl_attr(tmpl[i].type))
			continue;
		rv = hsmi_tmpl_flat_size(&tmpl[i], &sz);
		if (rv != CKR_OK)
			return rv;
		extra += sz;
	}
	if (count > (SIZE_MAX - extra) / sizeof(*k))
		return CKR_HOST_MEMORY;
	k = calloc(1, count * sizeof(*k) + extra);
	if (!k)
		return CKR_HOST_MEMORY;
	blob = (unsigned char *)(k + count);
	for (i = 0; i < count; i++) {
		if (tmpl[i].type > UINT32_MAX) {
			free(k);
			return CKR_ATTRIBUTE_TYPE_INVALID;
		}
		k[i].type = (__u32)tmpl[i].type;
		k[i].len = tmpl[i].len;
		k[i].value = hsmi_ptr(tmpl[i].value);
		if (flatten && hsmi_is_tmpl_attr(tmpl[i].type)) {
			k[i].len = hsmi_tmpl_flatten(&tmpl[i], blob);
			k[i].value = hsmi_ptr(blob);
			blob += k[i].len;
		}
	}
	*out = k;
	*n = (__u32)count;
	return CKR_OK;
}

unsigned long hsmi_tmpl_encode(const struct hsm_attr *tmpl, unsigned long count,
			       struct khsm_attr **out, __u32 *n)
{
	return hsmi_tmpl_encode2(tmpl, count, 1, out, n);
}

/*
 * C_GetAttributeValue of an array attribute (PKCS#11 v3.0 5.7.5) from
 * the kernel's records @b (@len bytes) into @a: pValue NULL: the length
 * of the array; an array of ulValueLen bytes: each entry's type and, if
 * its pValue is NULL, length, else its value (CK_UNAVAILABLE_INFORMATION
 * and CKR_BUFFER_TOO_SMALL if short). *@rv is set on a short buffer.
 */
static void hsmi_tmpl_unflatten(struct hsm_attr *a, unsigned long cap,
				const unsigned char *b, size_t len,
				unsigned long *rv)
{
	struct hsm_attr *in = a->value;
	struct khsm_tmpl_rec r;
	unsigned long n = 0, i;
	size_t off;

	for (off = 0; off + sizeof(r) <= len; n++) {
		memcpy(&r, b + off, sizeof(r));
		off += sizeof(r) + HSMI_PAD8((size_t)r.len);
	}
	if (off != len) {	/* the kernel checked it: never */
		a->len = HSM_LEN_UNAVAILABLE;
		*rv = CKR_GENERAL_ERROR;
		return;
	}
	a->len = n * sizeof(*in);
	if (!in)
		return;
	if (cap < n * sizeof(*in)) {
		a->len = HSM_LEN_UNAVAILABLE;
		if (*rv == CKR_OK)
			*rv = CKR_BUFFER_TOO_SMALL;
		return;
	}
	for (i = 0, off = 0; i < n; i++) {
		memcpy(&r, b + off, sizeof(r));
		off += sizeof(r);
		in[i].type = r.type;
		if (!in[i].value) {
			in[i].len = r.len;
		} else if (in[i].len < r.len) {
			in[i].len = HSM_LEN_UNAVAILABLE;
			if (*rv == CKR_OK)
				*rv = CKR_BUFFER_TOO_SMALL;
		} else {
			memcpy(in[i].value, b + off, r.len);
			in[i].len = r.len;
		}
		off += HSMI_PAD8((size_t)r.len);
	}
}

/* CREATE, COPY, DESTROY, SET: template in, optional new handle out. */
static unsigned long hsmi_object_call(const struct hsm_token *tok,
				      unsigned long cmd, uint32_t session,
				      uint32_t object,
				      const struct hsm_attr *tmpl,
				      unsigned long count, uint32_t *new_object)
{
	struct khsm_object o;
	struct khsm_attr *k;
	unsigned long rv;

	memset(&o, 0, sizeof(o));
	rv = hsmi_tmpl_encode(tmpl, count, &k, &o.count);
	if (rv != CKR_OK)
		return rv;
	o.size = sizeof(o);
	o.session = session;
	o.object = object;
	o.tmpl = hsmi_ptr(k);
	rv = hsmi_ioctl(tok, cmd, &o);
	if (rv == CKR_OK && new_object)
		*new_object = o.object;
	free(k);
	return rv;
}

/*
 * After a call that made (@created) or changed objects: their sealed state
 * into the state directory (persist.c), or CKR_DEVICE_ERROR with the new
 * objects destroyed again. @h[0..n-1] are the objects.
 */
static unsigned long hsmi_persisted(const struct hsm_token *tok,
				    unsigned long rv, uint32_t session,
				    const uint32_t *h, unsigned int n,
				    int created)
{
	if (rv != CKR_OK)
		return rv;
	return hsmi_persist_objects(tok, session, h, n, created);
}

unsigned long hsm_create_object(const struct hsm_token *tok, uint32_t session,
				const struct hsm_attr *tmpl, unsigned long count,
				uint32_t *object)
{
	unsigned long rv;

	if (!object)
		return CKR_ARGUMENTS_BAD;
	rv = hsmi_object_call(tok, KHSM_IOC_CREATE_OBJECT, session, 0,
			      tmpl, count, object);
	return hsmi_persisted(tok, rv, session, object, 1, 1);
}

unsigned long hsm_copy_object(const struct hsm_token *tok, uint32_t session,
			      uint32_t object, const struct hsm_attr *tmpl,
			      unsigned long count, uint32_t *new_object)
{
	unsigned long rv;

	if (!new_object)
		return CKR_ARGUMENTS_BAD;
	rv = hsmi_object_call(tok, KHSM_IOC_COPY_OBJECT, session, object,
			      tmpl, count, new_object);
	return hsmi_persisted(tok, rv, session, new_object, 1, 1);
}

unsigned long hsmi_destroy_raw(const struct hsm_token *tok, uint32_t session,
			       uint32_t object)
{
	return hsmi_object_call(tok, KHSM_IOC_DESTROY_OBJECT, session, object,
				NULL, 0, NULL);
}

unsigned long hsm_destroy_object(const struct hsm_token *tok, uint32_t session,
				 uint32_t object)
{
	/* Which file goes, asked before the object is gone. */
	uint64_t oid = hsmi_persist_destroy_pre(tok, object);
	unsigned long rv;

	rv = hsmi_destroy_raw(tok, session, object);
	if (rv != CKR_OK)
		return rv;
	return hsmi_persist_destroy(tok, oid);
}

unsigned long hsm_set_attrs(const struct hsm_token *tok, uint32_t session,
			    uint32_t object, const struct hsm_attr *tmpl,
			    unsigned long count)
{
	unsigned long rv;

	rv = hsmi_object_call(tok, KHSM_IOC_SET_ATTRS, session, object,
			      tmpl, count, NULL);
	return hsmi_persisted(tok, rv, session, &object, 1, 0);
}

unsigned long hsm_get_attrs(const struct hsm_token *tok, uint32_t session,
			    uint32_t object, struct hsm_attr *tmpl,
			    unsigned long count)
{
	struct khsm_object o;
	struct khsm_attr *k;
	unsigned char *blobs = NULL;
	unsigned long rv, i, nt = 0;

	memset(&o, 0, sizeof(o));
	rv = hsmi_tmpl_encode2(tmpl, count, 0, &k, &o.count);
	if (rv != CKR_OK)
		return rv;
	/* Array attributes: the records into a buffer of the largest size. */
	for (i = 0; i < count; i++)
		nt += hsmi_is_tmpl_attr(tmpl[i].type);
	if (nt) {
		blobs = calloc(nt, KHSM_TMPL_MAX_LEN);
		if (!blobs) {
			free(k);
			return CKR_HOST_MEMORY;
		}
		for (i = 0, nt = 0; i < count; i++) {
			if (!hsmi_is_tmpl_attr(tmpl[i].type))
				continue;
			k[i].value = hsmi_ptr(blobs + nt++ * KHSM_TMPL_MAX_LEN);
			k[i].len = KHSM_TMPL_MAX_LEN;
		}
	}
	o.size = sizeof(o);
	o.session = session;
	o.object = object;
	o.tmpl = hsmi_ptr(k);
	rv = hsmi_ioctl(tok, KHSM_IOC_GET_ATTRS, &o);
	/*
	 * The kernel writes the lengths back whenever it reached a decision
	 * (CKR_OK, CKR_ATTRIBUTE_SENSITIVE, ..._TYPE_INVALID, BUFFER_TOO_SMALL).
	 * Otherwise k[] still holds the caller's lengths, so copying back is
	 * always right.
	 */
	for (i = 0, nt = 0; i < count; i++) {
		unsigned long cap = tmpl[i].len;

		tmpl[i].len = k[i].len == KHSM_LEN_UNAVAILABLE ?
			      HSM_LEN_UNAVAILABLE : (unsigned long)k[i].len;
		if (!hsmi_is_tmpl_attr(tmpl[i].type))
			continue;
		if (k[i].len != KHSM_LEN_UNAVAILABLE &&
		    k[i].len <= KHSM_TMPL_MAX_LEN &&
		    (rv == CKR_OK || rv == CKR_ATTRIBUTE_SENSITIVE ||
		     rv == CKR_ATTRIBUTE_TYPE_INVALID ||
		     rv == CKR_BUFFER_TOO_SMALL))
			hsmi_tmpl_unflatten(&tmpl[i], cap,
					    blobs + nt * KHSM_TMPL_MAX_LEN,
					    k[i].len, &rv);
		else if (k[i].len != KHSM_LEN_UNAVAILABLE)
			tmpl[i].len = cap;	/* no decision reached */
		nt++;
	}
	free(blobs);
	free(k);
	return rv;
}

unsigned long hsm_find_init(const struct hsm_token *tok, uint32_t session,
			    const struct hsm_attr *tmpl, unsigned long count)
{
	struct khsm_find f;
	struct khsm_attr *k;
	unsigned long rv;

	memset(&f, 0, sizeof(f));
	rv = hsmi_tmpl_encode(tmpl, count, &k, &f.count);
	if (rv != CKR_OK)
		return rv;
	f.size = sizeof(f);
	f.session = session;
	f.ptr = hsmi_ptr(k);
	rv = hsmi_ioctl(tok, KHSM_IOC_FIND_INIT, &f);
	free(k);
	return rv;
}

unsigned long hsm_find(const struct hsm_token *tok, uint32_t session,
		       uint32_t *handles, unsigned long max,
		       unsigned long *got)
{
	struct khsm_find f;
	unsigned long rv;
	__u32 limit;

	if (!got || (!handles && max))
		return CKR_ARGUMENTS_BAD;
	rv = hsm_check_pid(tok);
	if (rv != CKR_OK)
		return rv;
	/* Asking for fewer than max is allowed by C_FindObjects. */
	limit = max > UINT32_MAX ? UINT32_MAX : (__u32)max;
	if (tok->version.max_find && limit > tok->version.max_find)
		limit = tok->version.max_find;
	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	f.session = session;
	f.count = limit;
	f.ptr = hsmi_ptr(handles);
	rv = hsmi_ioctl(tok, KHSM_IOC_FIND, &f);
	if (rv == CKR_OK)
		*got = f.count;
	return rv;
}

unsigned long hsm_find_final(const struct hsm_token *tok, uint32_t session)
{
	struct khsm_find f;

	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	f.session = session;
	return hsmi_ioctl(tok, KHSM_IOC_FIND_FINAL, &f);
}

static unsigned long hsmi_keygen(const struct hsm_token *tok,
				 unsigned long cmd, uint32_t session,
				 const struct hsm_mechanism *mech,
				 const struct hsm_attr *pub_tmpl,
				 unsigned long pub_count,
				 const struct hsm_attr *priv_tmpl,
				 unsigned long priv_count,
				 uint32_t *pub_key, uint32_t *priv_key)
{
	struct khsm_attr *kpub = NULL, *kpriv = NULL;
	struct hsmi_param p;
	struct khsm_keygen g;
	unsigned long rv;

	rv = hsmi_param_get(mech, &p);
	if (rv != CKR_OK)
		return rv;
	memset(&g, 0, sizeof(g));
	rv = hsmi_tmpl_encode(pub_tmpl, pub_count, &kpub, &g.pub_count);
	if (rv == CKR_OK)
		rv = hsmi_tmpl_encode(priv_tmpl, priv_count, &kpriv,
				      &g.priv_count);
	if (rv != CKR_OK)
		goto out;
	g.size = sizeof(g);
	g.session = session;
	g.mechanism = (__u32)mech->mechanism;
	g.param = hsmi_ptr(p.param);
	g.param_len = p.len;
	g.pub_template = hsmi_ptr(kpub);
	g.priv_template = hsmi_ptr(kpriv);
	rv = hsmi_ioctl(tok, cmd, &g);
	if (rv == CKR_OK) {
		uint32_t h[2] = { g.pub_handle, g.priv_handle };

		rv = hsmi_persisted(tok, rv, session, h, priv_key ? 2 : 1, 1);
		if (rv == CKR_OK) {
			*pub_key = g.pub_handle;
			if (priv_key)
				*priv_key = g.priv_handle;
		}
	}
out:
	hsmi_param_put(&p);
	free(kpub);
	free(kpriv);
	return rv;
}

unsigned long hsm_generate_key(const struct hsm_token *tok, uint32_t session,
			       const struct hsm_mechanism *mech,
			       const struct hsm_attr *tmpl, unsigned long count,
			       uint32_t *key)
{
	if (!key)
		return CKR_ARGUMENTS_BAD;
	return hsmi_keygen(tok, KHSM_IOC_GENERATE_KEY, session, mech,
			   tmpl, count, NULL, 0, key, NULL);
}

unsigned long hsm_generate_key_pair(const struct hsm_token *tok,
				    uint32_t session,
				    const struct hsm_mechanism *mech,
				    const struct hsm_attr *pub_tmpl,
				    unsigned long pub_count,
				    const struct hsm_attr *priv_tmpl,
				    unsigned long priv_count,
				    uint32_t *pub_key, uint32_t *priv_key)
{
	if (!pub_key || !priv_key)
		return CKR_ARGUMENTS_BAD;
	return hsmi_keygen(tok, KHSM_IOC_GENERATE_KEY_PAIR, session, mech,
			   pub_tmpl, pub_count, priv_tmpl, priv_count,
			   pub_key, priv_key);
}

unsigned long hsm_derive_key(const struct hsm_token *tok, uint32_t session,
			     const struct hsm_mechanism *mech,
			     uint32_t base_key, const struct hsm_attr *tmpl,
			     unsigned long count, uint32_t *key)
{
	struct khsm_attr *kt = NULL;
	struct hsmi_param p;
	struct khsm_derive d;
	unsigned long rv;

	if (!key)
		return CKR_ARGUMENTS_BAD;
	rv = hsmi_param_get(mech, &p);
	if (rv != CKR_OK)
		return rv;
	memset(&d, 0, sizeof(d));
	rv = hsmi_tmpl_encode(tmpl, count, &kt, &d.count);
	if (rv != CKR_OK)
		goto out;
	d.size = sizeof(d);
	d.session = session;
	d.mechanism = (__u32)mech->mechanism;
	d.param = hsmi_ptr(p.param);
	d.param_len = p.len;
	d.base_key = base_key;
	d.tmpl = hsmi_ptr(kt);
	rv = hsmi_ioctl(tok, KHSM_IOC_DERIVE_KEY, &d);
	rv = hsmi_persisted(tok, rv, session, &d.handle, 1, 1);
	if (rv == CKR_OK)
		*key = d.handle;
out:
	hsmi_param_put(&p);
	free(kt);
	return rv;
}

unsigned long hsm_wrap_key(const struct hsm_token *tok, uint32_t session,
			   const struct hsm_mechanism *mech,
			   uint32_t wrapping_key, uint32_t key, void *out,
			   unsigned long *out_len)
{
	struct khsm_wrap_key w;
	struct hsmi_param p;
	unsigned long rv;

	if (!out_len)
		return CKR_ARGUMENTS_BAD;
	rv = hsmi_param_get(mech, &p);
	if (rv != CKR_OK)
		return rv;
	memset(&w, 0, sizeof(w));
	w.size = sizeof(w);
	w.session = session;
	w.mechanism = (__u32)mech->mechanism;
	w.param = hsmi_ptr(p.param);
	w.param_len = p.len;
	w.wrapping_key = wrapping_key;
	w.key = key;
	w.out = hsmi_ptr(out);
	w.out_len = out ? *out_len : 0;
	rv = hsmi_ioctl(tok, KHSM_IOC_WRAP_KEY, &w);
	if (rv == CKR_OK || rv == CKR_BUFFER_TOO_SMALL)
		*out_len = (unsigned long)w.out_len;
	hsmi_param_put(&p);
	return rv;
}

unsigned long hsm_unwrap_key(const struct hsm_token *tok, uint32_t session,
			     const struct hsm_mechanism *mech,
			     uint32_t unwrapping_key, const void *in,
			     unsigned long in_len, const struct hsm_attr *tmpl,
			     unsigned long count, uint32_t *key)
{
	struct khsm_attr *kt = NULL;
	struct khsm_unwrap_key u;
	struct hsmi_param p;
	unsigned long rv;

	if (!key || (!in && in_len))
		return CKR_ARGUMENTS_BAD;
	if (in_len > KHSM_MAX_WRAPPED_LEN)
		return CKR_WRAPPED_KEY_LEN_RANGE;
	rv = hsmi_param_get(mech, &p);
	if (rv != CKR_OK)
		return rv;
	memset(&u, 0, sizeof(u));
	rv = hsmi_tmpl_encode(tmpl, count, &kt, &u.count);
	if (rv != CKR_OK)
		goto out;
	u.size = sizeof(u);
	u.session = session;
	u.mechanism = (__u32)mech->mechanism;
	u.param = hsmi_ptr(p.param);
	u.param_len = p.len;
	u.unwrapping_key = unwrapping_key;
	u.tmpl = hsmi_ptr(kt);
	u.in = hsmi_ptr(in);
	u.in_len = in_len;
	rv = hsmi_ioctl(tok, KHSM_IOC_UNWRAP_KEY, &u);
	rv = hsmi_persisted(tok, rv, session, &u.handle, 1, 1);
	if (rv == CKR_OK)
		*key = u.handle;
out:
	hsmi_param_put(&p);
	free(kt);
	return rv;
}
