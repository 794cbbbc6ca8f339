// SPDX-License-Identifier: GPL-2.0
/*
 * Key types and key material: the list of struct khsm_key_ops, the
 * immutable reference-counted struct khsm_keymat built from a key's
 * attributes, and the template rules shared by the key types on a curve.
 */
#include <linux/atomic.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>

#include "key.h"

static const struct khsm_key_ops *const khsm_key_types[] = {
	&khsm_key_aes,
	&khsm_key_generic_secret,
	&khsm_key_hkdf,
	&khsm_key_ec,
	&khsm_key_ec_edwards,
	&khsm_key_ec_montgomery,
	&khsm_key_rsa,
};

const struct khsm_key_ops *khsm_key_ops_find(unsigned long type)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(khsm_key_types); i++)
		if (khsm_key_types[i]->type == type)
			return khsm_key_types[i];
	return NULL;
}

const struct khsm_attr_desc *khsm_key_attr_any(u32 type, bool *sensitive)
{
	const struct khsm_attr_desc *d, *found = NULL;
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(khsm_key_types); i++) {
		for (j = 0; j < khsm_key_types[i]->n_attrs; j++) {
			d = &khsm_key_types[i]->attrs[j];
			if (d->type != type)
				continue;
			if (d->flags & KHSM_AF_SENSITIVE)
				*sensitive = true;
			if (!found)
				found = d;
		}
	}
	return found;
}

/* Where each material attribute goes in the view (struct khsm_key). */
#define KF(t, v, l) { (t), offsetof(struct khsm_key, v), \
		      offsetof(struct khsm_key, l) }
static const struct khsm_key_field {
	u32 type;
	size_t val;			/* const u8 * */
	size_t len;			/* u32 */
} khsm_key_fields[] = {
	KF(CKA_VALUE, value, value_len),
	KF(CKA_EC_PARAMS, ec_params, ec_params_len),
	KF(CKA_EC_POINT, ec_point, ec_point_len),
	KF(CKA_MODULUS, n.val, n.len),
	KF(CKA_PUBLIC_EXPONENT, e.val, e.len),
	KF(CKA_PRIVATE_EXPONENT, d.val, d.len),
	KF(CKA_PRIME_1, p.val, p.len),
	KF(CKA_PRIME_2, q.val, q.len),
	KF(CKA_EXPONENT_1, dp.val, dp.len),
	KF(CKA_EXPONENT_2, dq.val, dq.len),
	KF(CKA_COEFFICIENT, qinv.val, qinv.len),
};

static const struct khsm_key_field *khsm_key_field(u32 type)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(khsm_key_fields); i++)
		if (khsm_key_fields[i].type == type)
			return &khsm_key_fields[i];
	return NULL;
}

unsigned long khsm_keymat_build(const struct khsm_key_ops *ops,
				unsigned long class,
				const struct khsm_attrs *a,
				struct khsm_keymat **kmp)
{
	const struct khsm_key_field *kf;
	const struct khsm_oattr *oa;
	struct khsm_keymat *km;
	size_t total = 0, pos = 0;
	unsigned int i;

	for (i = 0; i < ops->n_material; i++) {
		oa = khsm_attrs_get(a, ops->material[i]);
		if (oa)
			total += oa->len;
	}
	km = kzalloc(struct_size(km, data, total), GFP_KERNEL_ACCOUNT);
	if (!km)
		return CKR_HOST_MEMORY;
	kref_init(&km->ref);
	km->ops = ops;
	km->size = total;
	km->key.class = class;
	km->key.key_type = ops->type;
	km->key.prep = &km->prep;
	for (i = 0; i < ops->n_material; i++) {
		oa = khsm_attrs_get(a, ops->material[i]);
		kf = khsm_key_field(ops->material[i]);
		if (!oa || !oa->len || WARN_ON_ONCE(!kf))
			continue;
		memcpy(km->data + pos, oa->val, oa->len);
		*(const u8 **)((u8 *)&km->key + kf->val) = km->data + pos;
		*(u32 *)((u8 *)&km->key + kf->len) = oa->len;
		pos += oa->len;
	}
	*kmp = km;
	return CKR_OK;
}

static void khsm_keymat_release(struct kref *ref)
{
	struct khsm_keymat *km = container_of(ref, struct khsm_keymat, ref);

	khsm_prep_cache_release(&km->prep);
	kfree_sensitive(km);
}

void khsm_keymat_put(struct khsm_keymat *km)
{
	if (km)
		kref_put(&km->ref, khsm_keymat_release);
}

static unsigned int max_prepared = 16384;
module_param(max_prepared, uint, 0644);
MODULE_PARM_DESC(max_prepared,
		 "most keyed transforms kept with keys (default 16384)");
static atomic_t khsm_prepared = ATOMIC_INIT(0);

struct khsm_prep *khsm_prep_get(const struct khsm_key *key, unsigned int slot,
				khsm_prep_build_t build, bool *owned, int *err)
{
	struct khsm_prep *p, *old;

	*err = 0;
	*owned = false;
	if (WARN_ON_ONCE(slot >= KHSM_PREP_SLOTS)) {
		*err = -EINVAL;
		return NULL;
	}
	if (key->prep) {
		/* Pairs with the cmpxchg below: the builder's stores first. */
		p = smp_load_acquire(&key->prep->slot[slot]);
		if (p)
			return p;
	}
	if (!key->prep || atomic_inc_return(&khsm_prepared) >
			  READ_ONCE(max_prepared)) {
		if (key->prep)
			atomic_dec(&khsm_prepared);
		*owned = true;
		return build(key, slot, err);
	}
	p = build(key, slot, err);
	if (!p) {
		atomic_dec(&khsm_prepared);
		return NULL;
	}
	old = cmpxchg_release(&key->prep->slot[slot], NULL, p);
	if (old) {
		p->free(p);
		atomic_dec(&khsm_prepared);
		/* ordered after the winner's stores, as the fast path is */
		return smp_load_acquire(&key->prep->slot[slot]);
	}
	return p;
}

void khsm_prep_cache_release(struct khsm_prep_cache *c)
{
	unsigned int i;

	for (i = 0; i < KHSM_PREP_SLOTS; i++) {
		if (!c->slot[i])
			continue;
		c->slot[i]->free(c->slot[i]);
		c->slot[i] = NULL;
		atomic_dec(&khsm_prepared);
	}
}

unsigned long khsm_key_check_by_mech(unsigned long mech, u32 kind,
				     const struct khsm_key *key)
{
	const struct khsm_mech *m = khsm_mech_find(mech);
	struct khsm_op op = { .mech = m, .kind = kind };
	unsigned long rv;

	if (WARN_ON_ONCE(!m || !m->init))
		return CKR_GENERAL_ERROR;
	rv = m->init(&op, key, NULL, 0);
	if (m->cleanup)
		m->cleanup(&op);
	return rv;
}

/* --- keys on a curve ------------------------------------------------------ */

#define F_KEY_RO	KHSM_AF_FIXED
#define C_PAIR		(KHSM_AC_PRIV | KHSM_AC_PUB)

const struct khsm_attr_desc khsm_curve_key_attrs[KHSM_CURVE_KEY_N_ATTRS] = {
	{ .type = CKA_EC_PARAMS, .kind = KHSM_AK_BYTES, .classes = C_PAIR,
	  .flags = F_KEY_RO, .min_len = 1, .max_len = KHSM_MAX_EC_PARAMS_LEN },
	{ .type = CKA_VALUE, .kind = KHSM_AK_BYTES, .classes = KHSM_AC_PRIV,
	  .flags = F_KEY_RO | KHSM_AF_SENSITIVE | KHSM_AF_NO_GEN,
	  .min_len = 1, .max_len = KHSM_MAX_EC_PRIV_LEN },
	{ .type = CKA_EC_POINT, .kind = KHSM_AK_BYTES, .classes = KHSM_AC_PUB,
	  .flags = F_KEY_RO | KHSM_AF_NO_GEN, .min_len = 1,
	  .max_len = KHSM_MAX_EC_POINT_LEN },
};

const u32 khsm_curve_key_material[KHSM_CURVE_KEY_N_MATERIAL] = {
	CKA_EC_PARAMS, CKA_VALUE, CKA_EC_POINT,
};

unsigned long khsm_curve_key_create(struct khsm_attrs *s,
				    const struct khsm_tmpl *t,
				    unsigned long class)
{
	u32 key = class == CKO_PRIVATE_KEY ? CKA_VALUE : CKA_EC_POINT;

	if (!khsm_tmpl_find(t, key) || !khsm_tmpl_find(t, CKA_EC_PARAMS))
		return CKR_TEMPLATE_INCOMPLETE;
	return CKR_OK;
}

/* The public template names the curve; the private one may repeat it. */
unsigned long khsm_curve_key_gen_check(const struct khsm_tmpl *pub_t,
				       const struct khsm_tmpl *priv_t)
{
	const struct khsm_tattr *pp, *qp;

	pp = khsm_tmpl_find(pub_t, CKA_EC_PARAMS);
	if (!pp)
		return CKR_TEMPLATE_INCOMPLETE;
	qp = priv_t ? khsm_tmpl_find(priv_t, CKA_EC_PARAMS) : NULL;
	if (qp && pp->val && qp->val &&
	    (qp->len != pp->len || memcmp(qp->val, pp->val, pp->len)))
		return CKR_TEMPLATE_INCONSISTENT;
	return CKR_OK;
}

unsigned long khsm_curve_key_generate_pair(struct khsm_attrs *pub,
	struct khsm_attrs *priv,
	unsigned long (*gen)(const u8 *params, u32 params_len,
			     struct khsm_keypair *kp))
{
	const struct khsm_oattr *params = khsm_attrs_get(pub, CKA_EC_PARAMS);
	u8 point[KHSM_MAX_EC_POINT_LEN];
	u8 scalar[KHSM_MAX_EC_PRIV_LEN];
	struct khsm_keypair kp = {
		.priv = scalar, .priv_len = sizeof(scalar),
		.pub_point = point, .pub_point_len = sizeof(point),
	};
	unsigned long rv;

	if (!params)
		return CKR_TEMPLATE_INCOMPLETE;
	rv = gen(params->val, params->len, &kp);
	if (rv)
		goto out;
	if (kp.priv_len > sizeof(scalar) || kp.pub_point_len > sizeof(point) ||
	    !kp.priv_len || !kp.pub_point_len) {
		rv = CKR_DEVICE_ERROR;
		goto out;
	}
	if (khsm_attrs_put(priv, CKA_EC_PARAMS, params->val, params->len) ||
	    khsm_attrs_put(priv, CKA_VALUE, scalar, kp.priv_len) ||
	    khsm_attrs_put(pub, CKA_EC_POINT, point, kp.pub_point_len))
		rv = CKR_HOST_MEMORY;
out:
	memzero_explicit(scalar, sizeof(scalar));
	return rv;
}
