// SPDX-License-Identifier: GPL-2.0
/*
 * The attribute table (PKCS#11 v3.0 chapter 4, as far as khsm supports the
 * classes) and the template rules built on it. An attribute that is not in
 * the table for an object's class does not exist for that object:
 * CKR_ATTRIBUTE_TYPE_INVALID.
 */
#include <linux/slab.h>
#include <linux/string.h>

#include "attr.h"
#include "key.h"

#define A(t, k, c, f, lo, hi) \
	{ .type = (t), .kind = KHSM_AK_##k, .classes = (c), .flags = (f), \
	  .min_len = (lo), .max_len = (hi) }
#define B(t, c, f)	A(t, BOOL, c, f, 1, 1)
#define U(t, c, f)	A(t, ULONG, c, f, 8, 8)
#define S(t, c, f)	A(t, BYTES, c, f, 0, KHSM_MAX_ATTR_LEN)

#define F_RO		KHSM_AF_FIXED
#define F_CALC		KHSM_AF_COMPUTED
#define C_SP		(KHSM_AC_SECRET | KHSM_AC_PRIV)
#define C_SU		(KHSM_AC_SECRET | KHSM_AC_PUB)

static const struct khsm_attr_desc khsm_attr_table[] = {
	/* Storage objects (all classes). */
	U(CKA_CLASS, KHSM_AC_ALL, F_RO),
	B(CKA_TOKEN, KHSM_AC_ALL, KHSM_AF_COPY_ONLY),
	/*
	 * A copy of a private or secret key stays private: otherwise any
	 * group member could use the copy without a PIN.
	 */
	B(CKA_PRIVATE, C_SP, KHSM_AF_COPY_ONLY | KHSM_AF_STICKY_TRUE),
	B(CKA_PRIVATE, KHSM_AC_DATA | KHSM_AC_CERT | KHSM_AC_PUB,
	  KHSM_AF_COPY_ONLY),
	B(CKA_MODIFIABLE, KHSM_AC_ALL,
	  KHSM_AF_COPY_ONLY | KHSM_AF_STICKY_FALSE),
	B(CKA_COPYABLE, KHSM_AC_ALL, KHSM_AF_STICKY_FALSE),
	B(CKA_DESTROYABLE, KHSM_AC_ALL, KHSM_AF_STICKY_FALSE),
	S(CKA_LABEL, KHSM_AC_ALL, 0),
	/* Data objects. */
	S(CKA_APPLICATION, KHSM_AC_DATA, 0),
	S(CKA_OBJECT_ID, KHSM_AC_DATA, 0),
	S(CKA_VALUE, KHSM_AC_DATA, 0),
	/* X.509 certificates. */
	U(CKA_CERTIFICATE_TYPE, KHSM_AC_CERT, F_RO),
	U(CKA_CERTIFICATE_CATEGORY, KHSM_AC_CERT, 0),
	S(CKA_CHECK_VALUE, KHSM_AC_CERT, 0),
	S(CKA_SUBJECT, KHSM_AC_CERT, F_RO),
	S(CKA_ISSUER, KHSM_AC_CERT, 0),
	S(CKA_SERIAL_NUMBER, KHSM_AC_CERT, 0),
	S(CKA_URL, KHSM_AC_CERT, 0),
	S(CKA_VALUE, KHSM_AC_CERT, F_RO),
	S(CKA_ID, KHSM_AC_CERT | KHSM_AC_KEY, 0),
	A(CKA_START_DATE, BYTES, KHSM_AC_CERT | KHSM_AC_KEY, 0, 0, 8),
	A(CKA_END_DATE, BYTES, KHSM_AC_CERT | KHSM_AC_KEY, 0, 0, 8),
	/* Keys. */
	U(CKA_KEY_TYPE, KHSM_AC_KEY, F_RO),
	B(CKA_DERIVE, KHSM_AC_KEY, 0),
	B(CKA_LOCAL, KHSM_AC_KEY, F_CALC),
	U(CKA_KEY_GEN_MECHANISM, KHSM_AC_KEY, F_CALC),
	S(CKA_SUBJECT, KHSM_AC_PRIV | KHSM_AC_PUB, 0),
	B(CKA_ENCRYPT, C_SU, 0),
	B(CKA_VERIFY, C_SU, 0),
	B(CKA_WRAP, C_SU, 0),
	B(CKA_VERIFY_RECOVER, KHSM_AC_PUB, 0),
	B(CKA_DECRYPT, C_SP, 0),
	B(CKA_SIGN, C_SP, 0),
	B(CKA_UNWRAP, C_SP, 0),
	B(CKA_SIGN_RECOVER, KHSM_AC_PRIV, 0),
	B(CKA_SENSITIVE, C_SP, KHSM_AF_STICKY_TRUE),
	B(CKA_EXTRACTABLE, C_SP, KHSM_AF_STICKY_FALSE),
	B(CKA_ALWAYS_SENSITIVE, C_SP, F_CALC),
	B(CKA_NEVER_EXTRACTABLE, C_SP, F_CALC),
	B(CKA_WRAP_WITH_TRUSTED, C_SP, KHSM_AF_STICKY_TRUE),
	/* True only by the SO (policy.c, khsm_may_trust). */
	B(CKA_TRUSTED, C_SU, 0),
	/*
	 * Empty: any mechanism. Otherwise operations with other mechanisms
	 * fail at init (policy.c); the list may only shrink.
	 */
	A(CKA_ALLOWED_MECHANISMS, ULONG_ARRAY, KHSM_AC_KEY, KHSM_AF_NARROW_ONLY,
	  0, 8 * KHSM_MAX_ALLOWED_MECHS),
	/*
	 * Attribute arrays (uAPI struct khsm_tmpl_rec): the attributes a key
	 * must have to be wrapped with this one (policy.c), the attributes
	 * merged into the template of a key unwrapped with it (wrap.c).
	 * Empty: no constraint.
	 */
	A(CKA_WRAP_TEMPLATE, TEMPLATE, C_SU, 0, 0, KHSM_TMPL_MAX_LEN),
	A(CKA_UNWRAP_TEMPLATE, TEMPLATE, C_SP, 0, 0, KHSM_TMPL_MAX_LEN),
	/* Whoever may change it could otherwise switch the re-login off. */
	B(CKA_ALWAYS_AUTHENTICATE, KHSM_AC_PRIV, KHSM_AF_STICKY_TRUE),
	/* Vendor: use through the kernel keyring (keytype.c); true -> false. */
	B(CKA_KHSM_KEYRING_USE, KHSM_AC_KEY, KHSM_AF_STICKY_FALSE),
	/* Key-type attributes: struct khsm_key_ops.attrs (key.h). */
};

u8 khsm_class_bit(unsigned long class)
{
	switch (class) {
	case CKO_DATA:
		return KHSM_AC_DATA;
	case CKO_CERTIFICATE:
		return KHSM_AC_CERT;
	case CKO_SECRET_KEY:
		return KHSM_AC_SECRET;
	case CKO_PRIVATE_KEY:
		return KHSM_AC_PRIV;
	case CKO_PUBLIC_KEY:
		return KHSM_AC_PUB;
	}
	return 0;
}

const struct khsm_attr_desc *khsm_attr_desc(u32 type, unsigned long class,
					    unsigned long key_type)
{
	u8 bit = khsm_class_bit(class);
	const struct khsm_key_ops *ops;
	const struct khsm_attr_desc *d;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(khsm_attr_table); i++) {
		d = &khsm_attr_table[i];
		if (d->type == type && (d->classes & bit))
			return d;
	}
	ops = bit & KHSM_AC_KEY ? khsm_key_ops_find(key_type) : NULL;
	for (i = 0; ops && i < ops->n_attrs; i++) {
		d = &ops->attrs[i];
		if (d->type == type && (d->classes & bit))
			return d;
	}
	return NULL;
}

int khsm_attrs_alloc(struct khsm_attrs *s)
{
	s->n = 0;
	s->cap = ARRAY_SIZE(khsm_attr_table) + KHSM_KEY_MAX_ATTRS;
	s->a = kcalloc(s->cap, sizeof(*s->a), GFP_KERNEL_ACCOUNT);
	return s->a ? 0 : -ENOMEM;
}

void khsm_attrs_free(struct khsm_attrs *s)
{
	u32 i;

	if (!s->a)
		return;
	for (i = 0; i < s->n; i++)
		kfree_sensitive(s->a[i].val);
	kfree(s->a);
	s->a = NULL;
	s->n = 0;
}

int khsm_attrs_put(struct khsm_attrs *s, u32 type, const void *val, u32 len)
{
	struct khsm_oattr *slot = NULL;
	u8 *copy = NULL;
	u32 i;

	for (i = 0; i < s->n; i++)
		if (s->a[i].type == type)
			slot = &s->a[i];
	if (!slot) {
		if (WARN_ON_ONCE(s->n >= s->cap))
			return -EOVERFLOW;
		slot = &s->a[s->n];
		slot->val = NULL;
	}
	if (len) {
		copy = kmemdup(val, len, GFP_KERNEL_ACCOUNT);
		if (!copy)
			return -ENOMEM;
	}
	if (slot == &s->a[s->n])
		s->n++;
	kfree_sensitive(slot->val);
	slot->type = type;
	slot->len = len;
	slot->val = copy;
	return 0;
}

int khsm_attrs_dup(struct khsm_attrs *dst, const struct khsm_attrs *src)
{
	u32 i;
	int err;

	err = khsm_attrs_alloc(dst);
	if (err)
		return err;
	for (i = 0; i < src->n; i++) {
		err = khsm_attrs_put(dst, src->a[i].type, src->a[i].val,
				     src->a[i].len);
		if (err) {
			khsm_attrs_free(dst);
			return err;
		}
	}
	return 0;
}

int khsm_attrs_put_bool(struct khsm_attrs *s, u32 type, bool v)
{
	u8 b = v;

	return khsm_attrs_put(s, type, &b, 1);
}

int khsm_attrs_put_ulong(struct khsm_attrs *s, u32 type, u64 v)
{
	return khsm_attrs_put(s, type, &v, sizeof(v));
}

const struct khsm_oattr *khsm_attrs_get(const struct khsm_attrs *s, u32 type)
{
	u32 i;

	for (i = 0; i < s->n; i++)
		if (s->a[i].type == type)
			return &s->a[i];
	return NULL;
}

/* Memory an attribute list holds, for the token's byte budget. */
u32 khsm_attrs_bytes(const struct khsm_attrs *s)
{
	u32 i, n = s->cap * sizeof(*s->a);

	for (i = 0; i < s->n; i++)
		n += s->a[i].len;
	return n;
}

bool khsm_attrs_bool(const struct khsm_attrs *s, u32 type)
{
	const struct khsm_oattr *a = khsm_attrs_get(s, type);

	return a && a->len == 1 && a->val[0];
}

u64 khsm_attrs_ulong(const struct khsm_attrs *s, u32 type, u64 dflt)
{
	const struct khsm_oattr *a = khsm_attrs_get(s, type);
	u64 v;

	if (!a || a->len != sizeof(v))
		return dflt;
	memcpy(&v, a->val, sizeof(v));
	return v;
}

const struct khsm_tattr *khsm_tmpl_find(const struct khsm_tmpl *t, u32 type)
{
	u32 i;

	for (i = 0; i < t->count; i++)
		if (t->a[i].type == type)
			return &t->a[i];
	return NULL;
}

unsigned long khsm_tmpl_ulong(const struct khsm_tmpl *t, u32 type, u64 *v,
			bool *found)
{
	const struct khsm_tattr *ta = khsm_tmpl_find(t, type);

	*found = false;
	if (!ta)
		return CKR_OK;
	if (ta->len != sizeof(*v) || !ta->val)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	memcpy(v, ta->val, sizeof(*v));
	*found = true;
	return CKR_OK;
}

/* Every entry has a value and appears once. */
unsigned long khsm_tmpl_check(const struct khsm_tmpl *t)
{
	u32 i, j;

	for (i = 0; i < t->count; i++) {
		if (!t->a[i].val && t->a[i].len)
			return CKR_ATTRIBUTE_VALUE_INVALID;
		for (j = 0; j < i; j++)
			if (t->a[j].type == t->a[i].type)
				return CKR_TEMPLATE_INCONSISTENT;
	}
	return CKR_OK;
}

int khsm_tblob_next(const u8 *b, u32 len, u32 *off, struct khsm_tattr *r)
{
	struct khsm_tmpl_rec h;
	u32 padded, i;

	if (*off == len)
		return 0;
	if (*off > len || len - *off < sizeof(h))
		return -EINVAL;
	memcpy(&h, b + *off, sizeof(h));
	if (h.pad || h.type > U32_MAX || h.len > KHSM_TMPL_MAX_VALUE)
		return -EINVAL;
	padded = ALIGN(h.len, 8);
	if (len - *off - sizeof(h) < padded)
		return -EINVAL;
	r->type = h.type;
	r->len = h.len;
	r->val = b + *off + sizeof(h);
	for (i = h.len; i < padded; i++)
		if (r->val[i])
			return -EINVAL;
	*off += sizeof(h) + padded;
	return 1;
}

/*
 * Some descriptor of @type, of any class or key type; *@sensitive if one
 * of them is KHSM_AF_SENSITIVE.
 */
static const struct khsm_attr_desc *khsm_attr_desc_any(u32 type,
						       bool *sensitive)
{
	const struct khsm_attr_desc *d = NULL;
	unsigned int i;

	*sensitive = false;
	for (i = 0; i < ARRAY_SIZE(khsm_attr_table) && !d; i++)
		if (khsm_attr_table[i].type == type)
			d = &khsm_attr_table[i];
	return khsm_key_attr_any(type, sensitive) ?: d;
}

/* A KHSM_AK_TEMPLATE value: the rules of the uAPI's struct khsm_tmpl_rec. */
static unsigned long khsm_tblob_check(const u8 *b, u32 len)
{
	u32 seen[KHSM_TMPL_MAX_RECS];
	const struct khsm_attr_desc *d;
	struct khsm_tattr r;
	u32 off = 0, n = 0, j;
	bool sensitive;
	int ret;

	while ((ret = khsm_tblob_next(b, len, &off, &r)) > 0) {
		if (n == KHSM_TMPL_MAX_RECS || (r.type & CKF_ARRAY_ATTRIBUTE))
			return CKR_ATTRIBUTE_VALUE_INVALID;
		for (j = 0; j < n; j++)
			if (seen[j] == r.type)
				return CKR_ATTRIBUTE_VALUE_INVALID;
		seen[n++] = r.type;
		d = khsm_attr_desc_any(r.type, &sensitive);
		if (!d || sensitive || (d->flags & KHSM_AF_SENSITIVE) ||
		    d->kind == KHSM_AK_TEMPLATE ||
		    khsm_attr_check_value(d, &r))
			return CKR_ATTRIBUTE_VALUE_INVALID;
	}
	return ret ? CKR_ATTRIBUTE_VALUE_INVALID : CKR_OK;
}

bool khsm_tblob_matched_by(const u8 *b, u32 len, const struct khsm_attrs *s)
{
	const struct khsm_oattr *a;
	struct khsm_tattr r;
	u32 off = 0;
	int ret;

	while ((ret = khsm_tblob_next(b, len, &off, &r)) > 0) {
		a = khsm_attrs_get(s, r.type);
		if (!a || a->len != r.len ||
		    (r.len && memcmp(a->val, r.val, r.len)))
			return false;
	}
	return !ret;
}

unsigned long khsm_attr_check_value(const struct khsm_attr_desc *d,
			      const struct khsm_tattr *ta)
{
	if (ta->len < d->min_len || ta->len > d->max_len)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (d->kind == KHSM_AK_BOOL && ta->val[0] > 1)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (d->kind == KHSM_AK_ULONG_ARRAY && ta->len % 8)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (d->kind == KHSM_AK_TEMPLATE)
		return khsm_tblob_check(ta->val, ta->len);
	return CKR_OK;
}

/* Is every __u64 of @val (@len bytes) also in @set (@set_len bytes)? */
static bool khsm_ulongs_subset(const u8 *val, u32 len, const u8 *set,
			       u32 set_len)
{
	u32 i, j;
	u64 a, b;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&a, val + i, 8);
		for (j = 0; j + 8 <= set_len; j += 8) {
			memcpy(&b, set + j, 8);
			if (a == b)
				break;
		}
		if (j + 8 > set_len)
			return false;
	}
	return true;
}

bool khsm_attrs_ulong_in(const struct khsm_attrs *s, u32 type, u64 v)
{
	const struct khsm_oattr *a = khsm_attrs_get(s, type);

	if (!a || !a->len)
		return true;
	return khsm_ulongs_subset((const u8 *)&v, 8, a->val, a->len);
}

/* A KHSM_AF_NARROW_ONLY set may become @ta only by shrinking. */
static bool khsm_attr_narrows(const struct khsm_attrs *s,
			      const struct khsm_tattr *ta)
{
	const struct khsm_oattr *cur = khsm_attrs_get(s, ta->type);

	if (!cur || !cur->len)
		return true;
	return ta->len && khsm_ulongs_subset(ta->val, ta->len, cur->val,
					     cur->len);
}

static int khsm_attrs_defaults(struct khsm_attrs *s, unsigned long class,
			       unsigned long key_type)
{
	static const u32 empty_all[] = { CKA_LABEL };
	static const u32 empty_data[] = { CKA_APPLICATION, CKA_OBJECT_ID,
					  CKA_VALUE };
	static const u32 empty_cert[] = { CKA_ID, CKA_ISSUER,
					  CKA_SERIAL_NUMBER, CKA_START_DATE,
					  CKA_END_DATE, CKA_URL,
					  CKA_CHECK_VALUE };
	static const u32 empty_key[] = { CKA_ID, CKA_START_DATE, CKA_END_DATE };
	static const struct { u32 type; u32 ku; } usage_secret[] = {
		{ CKA_ENCRYPT, KHSM_KU_ENCRYPT }, { CKA_DECRYPT, KHSM_KU_ENCRYPT },
		{ CKA_SIGN, KHSM_KU_SIGN }, { CKA_VERIFY, KHSM_KU_SIGN },
		{ CKA_WRAP, KHSM_KU_WRAP }, { CKA_UNWRAP, KHSM_KU_WRAP },
	}, usage_priv[] = {
		{ CKA_DECRYPT, KHSM_KU_ENCRYPT }, { CKA_SIGN, KHSM_KU_SIGN },
		{ CKA_UNWRAP, KHSM_KU_WRAP },
	}, usage_pub[] = {
		{ CKA_ENCRYPT, KHSM_KU_ENCRYPT }, { CKA_VERIFY, KHSM_KU_SIGN },
		{ CKA_WRAP, KHSM_KU_WRAP },
	}, *usage;
	const struct khsm_key_ops *ops = khsm_key_ops_find(key_type);
	u32 ku = ops && ops->usage ? ops->usage :
		 KHSM_KU_ENCRYPT | KHSM_KU_SIGN;
	unsigned int n_usage;
	bool secretish = class == CKO_SECRET_KEY || class == CKO_PRIVATE_KEY;
	unsigned int i;
	int err = 0;

	err |= khsm_attrs_put_ulong(s, CKA_CLASS, class);
	err |= khsm_attrs_put_bool(s, CKA_TOKEN, false);
	err |= khsm_attrs_put_bool(s, CKA_PRIVATE, secretish);
	err |= khsm_attrs_put_bool(s, CKA_MODIFIABLE, true);
	err |= khsm_attrs_put_bool(s, CKA_COPYABLE, true);
	err |= khsm_attrs_put_bool(s, CKA_DESTROYABLE, true);
	for (i = 0; i < ARRAY_SIZE(empty_all); i++)
		err |= khsm_attrs_put(s, empty_all[i], NULL, 0);
	switch (class) {
	case CKO_DATA:
		for (i = 0; i < ARRAY_SIZE(empty_data); i++)
			err |= khsm_attrs_put(s, empty_data[i], NULL, 0);
		return err ? -ENOMEM : 0;
	case CKO_CERTIFICATE:
		for (i = 0; i < ARRAY_SIZE(empty_cert); i++)
			err |= khsm_attrs_put(s, empty_cert[i], NULL, 0);
		err |= khsm_attrs_put_ulong(s, CKA_CERTIFICATE_CATEGORY, 0);
		return err ? -ENOMEM : 0;
	}
	err |= khsm_attrs_put_ulong(s, CKA_KEY_TYPE, key_type);
	for (i = 0; i < ARRAY_SIZE(empty_key); i++)
		err |= khsm_attrs_put(s, empty_key[i], NULL, 0);
	err |= khsm_attrs_put_bool(s, CKA_DERIVE,
				   secretish && (ku & KHSM_KU_DERIVE));
	err |= khsm_attrs_put(s, CKA_ALLOWED_MECHANISMS, NULL, 0);
	err |= khsm_attrs_put_bool(s, CKA_LOCAL, false);
	err |= khsm_attrs_put_bool(s, CKA_KHSM_KEYRING_USE, false);
	err |= khsm_attrs_put_ulong(s, CKA_KEY_GEN_MECHANISM,
				    CK_UNAVAILABLE_INFORMATION);
	if (secretish) {
		err |= khsm_attrs_put_bool(s, CKA_SENSITIVE, true);
		err |= khsm_attrs_put_bool(s, CKA_EXTRACTABLE, false);
		err |= khsm_attrs_put_bool(s, CKA_ALWAYS_SENSITIVE, false);
		err |= khsm_attrs_put_bool(s, CKA_NEVER_EXTRACTABLE, false);
		err |= khsm_attrs_put_bool(s, CKA_WRAP_WITH_TRUSTED, false);
	}
	if (class != CKO_PRIVATE_KEY)
		err |= khsm_attrs_put(s, CKA_WRAP_TEMPLATE, NULL, 0);
	if (class != CKO_PUBLIC_KEY)
		err |= khsm_attrs_put(s, CKA_UNWRAP_TEMPLATE, NULL, 0);
	if (class == CKO_SECRET_KEY) {
		usage = usage_secret;
		n_usage = ARRAY_SIZE(usage_secret);
		err |= khsm_attrs_put_bool(s, CKA_TRUSTED, false);
	} else if (class == CKO_PRIVATE_KEY) {
		usage = usage_priv;
		n_usage = ARRAY_SIZE(usage_priv);
		err |= khsm_attrs_put_bool(s, CKA_SIGN_RECOVER, false);
		err |= khsm_attrs_put_bool(s, CKA_ALWAYS_AUTHENTICATE, false);
		err |= khsm_attrs_put(s, CKA_SUBJECT, NULL, 0);
	} else {
		usage = usage_pub;
		n_usage = ARRAY_SIZE(usage_pub);
		err |= khsm_attrs_put_bool(s, CKA_TRUSTED, false);
		err |= khsm_attrs_put_bool(s, CKA_VERIFY_RECOVER, false);
		err |= khsm_attrs_put(s, CKA_SUBJECT, NULL, 0);
	}
	for (i = 0; i < n_usage; i++)
		err |= khsm_attrs_put_bool(s, usage[i].type, ku & usage[i].ku);
	return err ? -ENOMEM : 0;
}

/* Attributes C_CreateObject must be given, per class or key type. */
static unsigned long khsm_attrs_required(struct khsm_attrs *s,
				   const struct khsm_tmpl *t,
				   unsigned long class, unsigned long key_type)
{
	const struct khsm_key_ops *ops;
	bool found;
	unsigned long rv;
	u64 ctype;

	if (khsm_class_bit(class) & KHSM_AC_KEY) {
		ops = khsm_key_ops_find(key_type);
		if (WARN_ON_ONCE(!ops))
			return CKR_GENERAL_ERROR;
		return ops->create ? ops->create(s, t, class) : CKR_OK;
	}
	if (class != CKO_CERTIFICATE)
		return CKR_OK;
	rv = khsm_tmpl_ulong(t, CKA_CERTIFICATE_TYPE, &ctype, &found);
	if (rv)
		return rv;
	if (!found || !khsm_tmpl_find(t, CKA_SUBJECT) ||
	    !khsm_tmpl_find(t, CKA_VALUE))
		return CKR_TEMPLATE_INCOMPLETE;
	if (ctype != CKC_X_509)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	return CKR_OK;
}

unsigned long khsm_attrs_build(struct khsm_attrs *s, const struct khsm_tmpl *t,
			 unsigned long class, unsigned long key_type,
			 enum khsm_tmpl_mode mode)
{
	const struct khsm_attr_desc *d;
	const struct khsm_tattr *ta;
	bool found;
	unsigned long rv;
	u32 i;
	u64 v;

	rv = khsm_tmpl_check(t);
	if (rv)
		return rv;
	rv = khsm_tmpl_ulong(t, CKA_CLASS, &v, &found);
	if (rv)
		return rv;
	if (found && v != class)
		return CKR_TEMPLATE_INCONSISTENT;
	if (khsm_class_bit(class) & KHSM_AC_KEY) {
		rv = khsm_tmpl_ulong(t, CKA_KEY_TYPE, &v, &found);
		if (rv)
			return rv;
		if (found && v != key_type)
			return CKR_TEMPLATE_INCONSISTENT;
	}
	if (khsm_attrs_defaults(s, class, key_type))
		return CKR_HOST_MEMORY;

	for (i = 0; i < t->count; i++) {
		ta = &t->a[i];
		/* Checked above; CKA_KEY_TYPE does not exist for the others. */
		if (ta->type == CKA_CLASS ||
		    (ta->type == CKA_KEY_TYPE &&
		     (khsm_class_bit(class) & KHSM_AC_KEY)))
			continue;
		d = khsm_attr_desc(ta->type, class, key_type);
		if (!d)
			return CKR_ATTRIBUTE_TYPE_INVALID;
		if (d->flags & KHSM_AF_COMPUTED)
			return CKR_ATTRIBUTE_READ_ONLY;
		if ((d->flags & KHSM_AF_NO_CREATE) && mode == KHSM_TM_CREATE)
			return CKR_TEMPLATE_INCONSISTENT;
		if ((d->flags & KHSM_AF_NO_GEN) && mode == KHSM_TM_GENERATE)
			return CKR_TEMPLATE_INCONSISTENT;
		rv = khsm_attr_check_value(d, ta);
		if (rv)
			return rv;
		if (khsm_attrs_put(s, ta->type, ta->val, ta->len))
			return CKR_HOST_MEMORY;
	}
	if (mode == KHSM_TM_CREATE)
		return khsm_attrs_required(s, t, class, key_type);
	return CKR_OK;
}

unsigned long khsm_attrs_change(struct khsm_attrs *s, const struct khsm_tmpl *t,
			  unsigned long class, unsigned long key_type,
			  enum khsm_tmpl_mode mode)
{
	const struct khsm_attr_desc *d;
	const struct khsm_tattr *ta;
	bool cur;
	unsigned long rv;
	u32 i;

	rv = khsm_tmpl_check(t);
	if (rv)
		return rv;
	for (i = 0; i < t->count; i++) {
		ta = &t->a[i];
		d = khsm_attr_desc(ta->type, class, key_type);
		if (!d)
			return CKR_ATTRIBUTE_TYPE_INVALID;
		if (d->flags & (KHSM_AF_COMPUTED | KHSM_AF_FIXED))
			return CKR_ATTRIBUTE_READ_ONLY;
		if ((d->flags & KHSM_AF_COPY_ONLY) && mode == KHSM_TM_SET)
			return CKR_ATTRIBUTE_READ_ONLY;
		rv = khsm_attr_check_value(d, ta);
		if (rv)
			return rv;
		cur = khsm_attrs_bool(s, ta->type);
		if ((d->flags & KHSM_AF_STICKY_TRUE) && cur && !ta->val[0])
			return CKR_ATTRIBUTE_READ_ONLY;
		if ((d->flags & KHSM_AF_STICKY_FALSE) && !cur && ta->val[0])
			return CKR_ATTRIBUTE_READ_ONLY;
		if ((d->flags & KHSM_AF_NARROW_ONLY) && !khsm_attr_narrows(s, ta))
			return CKR_ATTRIBUTE_READ_ONLY;
		if (khsm_attrs_put(s, ta->type, ta->val, ta->len))
			return CKR_HOST_MEMORY;
	}
	return CKR_OK;
}
