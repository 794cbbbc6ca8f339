// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Allocating helpers (keyutils-style *_alloc), the wiping hsm_free()
 * and the template builder.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Header in front of every hsm_free()-able buffer: its size, for wiping. */
union hsmi_hdr {
	size_t len;
	max_align_t align;
};

void *hsmi_alloc(size_t len)
{
	union hsmi_hdr *h;

	if (len > SIZE_MAX - sizeof(*h))
		return NULL;
	h = calloc(1, sizeof(*h) + len);
	if (!h)
		return NULL;
	h->len = len;
	return h + 1;
}

void hsm_free(void *p)
{
	union hsmi_hdr *h;

	if (!p)
		return;
	h = (union hsmi_hdr *)p - 1;
	explicit_bzero(h, sizeof(*h) + h->len);
	free(h);
}

unsigned long hsm_get_attr_alloc(const struct hsm_token *tok, uint32_t session,
				 uint32_t object, unsigned long type,
				 void **value, unsigned long *len)
{
	struct hsm_attr a;
	unsigned long rv;
	int tries;

	if (!value || !len)
		return CKR_ARGUMENTS_BAD;
	*value = NULL;
	*len = 0;
	/* The value may grow between the two calls (C_SetAttributeValue). */
	for (tries = 0; tries < 4; tries++) {
		a.type = type;
		a.value = NULL;
		a.len = 0;
		rv = hsm_get_attrs(tok, session, object, &a, 1);
		if (rv != CKR_OK)
			return rv;
		if (a.len == HSM_LEN_UNAVAILABLE)
			return CKR_GENERAL_ERROR;	/* kernel broke protocol */
		a.value = hsmi_alloc(a.len);
		if (!a.value)
			return CKR_HOST_MEMORY;
		rv = hsm_get_attrs(tok, session, object, &a, 1);
		if (rv == CKR_OK) {
			*value = a.value;
			*len = a.len;
			return CKR_OK;
		}
		hsm_free(a.value);
		if (rv != CKR_BUFFER_TOO_SMALL)
			return rv;
	}
	return CKR_BUFFER_TOO_SMALL;
}

unsigned long hsm_mech_list_alloc(const struct hsm_token *tok,
				  uint32_t **mechs, unsigned long *count)
{
	unsigned long rv, n;
	uint32_t *m;
	int tries;

	if (!mechs || !count)
		return CKR_ARGUMENTS_BAD;
	*mechs = NULL;
	*count = 0;
	for (tries = 0; tries < 4; tries++) {
		rv = hsm_mech_list(tok, NULL, &n);
		if (rv != CKR_OK || !n)
			return rv;
		if (n > SIZE_MAX / sizeof(*m))
			return CKR_HOST_MEMORY;
		m = hsmi_alloc(n * sizeof(*m));
		if (!m)
			return CKR_HOST_MEMORY;
		rv = hsm_mech_list(tok, m, &n);
		if (rv == CKR_OK) {
			*mechs = m;
			*count = n;
			return CKR_OK;
		}
		hsm_free(m);
		if (rv != CKR_BUFFER_TOO_SMALL)
			return rv;
	}
	return CKR_BUFFER_TOO_SMALL;
}

unsigned long hsm_find_all_alloc(const struct hsm_token *tok, uint32_t session,
				 const struct hsm_attr *tmpl,
				 unsigned long count, uint32_t **handles,
				 unsigned long *n)
{
	uint32_t *all = NULL, *grown;
	unsigned long rv, rv2, have = 0, cap = 0, got;

	if (!handles || !n)
		return CKR_ARGUMENTS_BAD;
	*handles = NULL;
	*n = 0;
	rv = hsm_find_init(tok, session, tmpl, count);
	if (rv != CKR_OK)
		return rv;
	for (;;) {
		if (have == cap) {
			cap = cap ? cap * 2 : 64;
			grown = realloc(all, cap * sizeof(*all));
			if (!grown) {
				rv = CKR_HOST_MEMORY;
				break;
			}
			all = grown;
		}
		rv = hsm_find(tok, session, all + have, cap - have, &got);
		if (rv != CKR_OK || !got)
			break;
		have += got;
	}
	rv2 = hsm_find_final(tok, session);
	if (rv == CKR_OK)
		rv = rv2;
	if (rv == CKR_OK) {
		*handles = hsmi_alloc(have * sizeof(*all));
		if (!*handles)
			rv = CKR_HOST_MEMORY;
		else if (have)
			memcpy(*handles, all, have * sizeof(*all));
	}
	if (rv == CKR_OK)
		*n = have;
	free(all);
	return rv;
}

unsigned long hsm_op_data_alloc(const struct hsm_token *tok, uint32_t session,
				unsigned int op, unsigned int step,
				const void *in, unsigned long in_len,
				void **out, unsigned long *out_len)
{
	unsigned long rv, len;
	void *buf;
	int tries;

	if (!out || !out_len || op == KHSM_OP_VERIFY)
		return CKR_ARGUMENTS_BAD;
	*out = NULL;
	*out_len = 0;
	for (tries = 0; tries < 4; tries++) {
		rv = hsm_op_data(tok, session, op, step, in, in_len, NULL, &len);
		if (rv != CKR_OK)
			return rv;
		buf = hsmi_alloc(len);
		if (!buf)
			return CKR_HOST_MEMORY;
		rv = hsm_op_data(tok, session, op, step, in, in_len, buf, &len);
		if (rv == CKR_OK) {
			*out = buf;
			*out_len = len;
			return CKR_OK;
		}
		hsm_free(buf);
		if (rv != CKR_BUFFER_TOO_SMALL)
			return rv;
	}
	return CKR_BUFFER_TOO_SMALL;
}

struct hsm_template {
	struct hsm_attr *attrs;
	unsigned long count;
	unsigned long cap;
};

struct hsm_template *hsm_template_new(void)
{
	return calloc(1, sizeof(struct hsm_template));
}

void hsm_template_free(struct hsm_template *t)
{
	unsigned long i;

	if (!t)
		return;
	for (i = 0; i < t->count; i++)
		hsm_free(t->attrs[i].value);
	free(t->attrs);
	free(t);
}

unsigned long hsm_template_add(struct hsm_template *t, unsigned long type,
			       const void *value, unsigned long len)
{
	struct hsm_attr *grown;
	void *copy;

	if (!t || (!value && len))
		return CKR_ARGUMENTS_BAD;
	if (t->count == t->cap) {
		unsigned long cap = t->cap ? t->cap * 2 : 8;

		grown = realloc(t->attrs, cap * sizeof(*grown));
		if (!grown)
			return CKR_HOST_MEMORY;
		t->attrs = grown;
		t->cap = cap;
	}
	copy = hsmi_alloc(len);
	if (!copy)
		return CKR_HOST_MEMORY;
	if (len)
		memcpy(copy, value, len);
	t->attrs[t->count].type = type;
	t->attrs[t->count].value = copy;
	t->attrs[t->count].len = len;
	t->count++;
	return CKR_OK;
}

unsigned long hsm_template_add_ulong(struct hsm_template *t,
				     unsigned long type, uint64_t value)
{
	return hsm_template_add(t, type, &value, sizeof(value));
}

unsigned long hsm_template_add_bool(struct hsm_template *t,
				    unsigned long type, int value)
{
	unsigned char b = value ? 1 : 0;

	return hsm_template_add(t, type, &b, sizeof(b));
}

const struct hsm_attr *hsm_template_attrs(const struct hsm_template *t)
{
	return t->attrs;
}

unsigned long hsm_template_count(const struct hsm_template *t)
{
	return t->count;
}

unsigned long hsm_attr_ulong(const struct hsm_attr *a, uint64_t *value)
{
	if (!a || !value || (!a->value && a->len))
		return CKR_ARGUMENTS_BAD;
	if (a->len != sizeof(*value) || !a->value)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	memcpy(value, a->value, sizeof(*value));
	return CKR_OK;
}

unsigned long hsm_attr_bool(const struct hsm_attr *a, int *value)
{
	unsigned char b;

	if (!a || !value || (!a->value && a->len))
		return CKR_ARGUMENTS_BAD;
	if (a->len != 1 || !a->value)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	memcpy(&b, a->value, 1);
	if (b > 1)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	*value = b;
	return CKR_OK;
}
