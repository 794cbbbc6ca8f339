// SPDX-License-Identifier: GPL-2.0
/*
 * Secret key types: CKK_AES (16, 24 or 32 bytes; the one place that rule
 * lives, the AES mechanisms rely on it), CKK_GENERIC_SECRET (1 to
 * KHSM_MAX_SECRET_LEN bytes; the HMAC keys of mech_mac.c) and CKK_HKDF
 * (the same lengths; HKDF keys of mech_hkdf.c, derive only). CKA_VALUE is
 * the key; CKA_VALUE_LEN is computed at C_CreateObject and required by
 * C_GenerateKey (CKM_AES_KEY_GEN, CKM_GENERIC_SECRET_KEY_GEN,
 * CKM_HKDF_KEY_GEN).
 */
#include <linux/kernel.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "key.h"

static const struct khsm_attr_desc khsm_secret_attrs[] = {
	{ .type = CKA_VALUE, .kind = KHSM_AK_BYTES, .classes = KHSM_AC_SECRET,
	  .flags = KHSM_AF_FIXED | KHSM_AF_SENSITIVE | KHSM_AF_NO_GEN,
	  .min_len = 1, .max_len = KHSM_MAX_SECRET_LEN },
	{ .type = CKA_VALUE_LEN, .kind = KHSM_AK_ULONG,
	  .classes = KHSM_AC_SECRET,
	  .flags = KHSM_AF_FIXED | KHSM_AF_NO_CREATE, .min_len = 8,
	  .max_len = 8 },
};

static const u32 khsm_secret_material[] = { CKA_VALUE };

static bool khsm_aes_len_ok(u64 len)
{
	return len == 16 || len == 24 || len == 32;
}

static bool khsm_generic_len_ok(u64 len)
{
	return len >= 1 && len <= KHSM_MAX_SECRET_LEN;
}

static unsigned long khsm_secret_create(struct khsm_attrs *s,
					const struct khsm_tmpl *t,
					bool (*len_ok)(u64 len))
{
	const struct khsm_tattr *v = khsm_tmpl_find(t, CKA_VALUE);

	if (!v)
		return CKR_TEMPLATE_INCOMPLETE;
	if (!len_ok(v->len))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (khsm_attrs_put_ulong(s, CKA_VALUE_LEN, v->len))
		return CKR_HOST_MEMORY;
	return CKR_OK;
}

static unsigned long khsm_secret_gen_check(const struct khsm_tmpl *t,
					   bool (*len_ok)(u64 len))
{
	unsigned long rv;
	bool found;
	u64 len;

	rv = khsm_tmpl_ulong(t, CKA_VALUE_LEN, &len, &found);
	if (rv)
		return rv;
	if (!found)
		return CKR_TEMPLATE_INCOMPLETE;
	return len_ok(len) ? CKR_OK : CKR_ATTRIBUTE_VALUE_INVALID;
}

/* CKA_VALUE_LEN was checked by ->gen_check and is in @s. */
static unsigned long khsm_secret_generate(const struct khsm_mech *m,
					  struct khsm_attrs *s)
{
	u64 len = khsm_attrs_ulong(s, CKA_VALUE_LEN, 0);
	unsigned long rv = CKR_OK;
	u8 *value;

	if (WARN_ON_ONCE(!len || len > KHSM_MAX_SECRET_LEN))
		return CKR_GENERAL_ERROR;
	value = kmalloc(len, GFP_KERNEL);
	if (!value)
		return CKR_HOST_MEMORY;
	get_random_bytes(value, len);
	if (khsm_attrs_put(s, CKA_VALUE, value, len))
		rv = CKR_HOST_MEMORY;
	kfree_sensitive(value);
	return rv;
}

static unsigned long khsm_aes_create(struct khsm_attrs *s,
				     const struct khsm_tmpl *t,
				     unsigned long class)
{
	return khsm_secret_create(s, t, khsm_aes_len_ok);
}

static unsigned long khsm_aes_gen_check(const struct khsm_tmpl *t,
					const struct khsm_tmpl *priv_t)
{
	return khsm_secret_gen_check(t, khsm_aes_len_ok);
}

static unsigned long khsm_generic_create(struct khsm_attrs *s,
					 const struct khsm_tmpl *t,
					 unsigned long class)
{
	return khsm_secret_create(s, t, khsm_generic_len_ok);
}

static unsigned long khsm_generic_gen_check(const struct khsm_tmpl *t,
					    const struct khsm_tmpl *priv_t)
{
	return khsm_secret_gen_check(t, khsm_generic_len_ok);
}

/* AES: the key length; a generic secret: its bits, at most 256. */
static u32 khsm_aes_strength(const struct khsm_key *key)
{
	return key->value_len * 8;
}

static u32 khsm_generic_strength(const struct khsm_key *key)
{
	return min_t(u32, key->value_len * 8, 256);
}

#define KHSM_SECRET_KEY(ckk, n, ku, create_fn, check_fn, st) {	\
	.strength = (st),					\
	.type = (ckk),						\
	.name = (n),						\
	.usage = (ku),						\
	.classes = KHSM_AC_SECRET,				\
	.attrs = khsm_secret_attrs,				\
	.n_attrs = ARRAY_SIZE(khsm_secret_attrs),		\
	.material = khsm_secret_material,			\
	.n_material = ARRAY_SIZE(khsm_secret_material),		\
	.create = (create_fn),					\
	.gen_check = (check_fn),				\
	.generate = khsm_secret_generate,			\
}

const struct khsm_key_ops khsm_key_aes =
	KHSM_SECRET_KEY(CKK_AES, "aes",
			KHSM_KU_ENCRYPT | KHSM_KU_SIGN,
			khsm_aes_create, khsm_aes_gen_check,
			khsm_aes_strength);
const struct khsm_key_ops khsm_key_generic_secret =
	KHSM_SECRET_KEY(CKK_GENERIC_SECRET, "generic-secret",
			KHSM_KU_SIGN | KHSM_KU_DERIVE, khsm_generic_create, khsm_generic_gen_check,
			khsm_generic_strength);
/* HKDF input keying material and salts: derive only, generic's lengths. */
const struct khsm_key_ops khsm_key_hkdf =
	KHSM_SECRET_KEY(CKK_HKDF, "hkdf", KHSM_KU_DERIVE, khsm_generic_create,
			khsm_generic_gen_check, khsm_generic_strength);
