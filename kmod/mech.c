// SPDX-License-Identifier: GPL-2.0
/*
 * Mechanism registry: the const tables of every family (mech_*.c), looked
 * up by CKM_* number. The registry knows no mechanism by name; each family
 * file owns its entries. khsm_mech_init() runs the known-answer tests and
 * refuses to succeed if one fails, so no token registers on a module whose
 * crypto is wrong.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/printk.h>

#include "mech_family.h"

static const struct khsm_mech_family *const khsm_families[] = {
	&khsm_mech_digest,
	&khsm_mech_aes,
	&khsm_mech_aead,
	&khsm_mech_aes_kw,
	&khsm_mech_ecdsa,
	&khsm_mech_eddsa,
	&khsm_mech_rsa,
	&khsm_mech_mac,
	&khsm_mech_ecdh,
	&khsm_mech_x25519,
	&khsm_mech_hkdf,
};

const struct khsm_mech *khsm_mech_find(unsigned long type)
{
	unsigned int f, i;

	for (f = 0; f < ARRAY_SIZE(khsm_families); f++) {
		const struct khsm_mech_family *fam = khsm_families[f];

		for (i = 0; i < fam->count; i++)
			if (fam->mechs[i].type == type)
				return &fam->mechs[i];
	}
	return NULL;
}

u32 khsm_mech_list(unsigned long *types, u32 max)
{
	unsigned int f, i;
	u32 n = 0;

	for (f = 0; f < ARRAY_SIZE(khsm_families); f++) {
		const struct khsm_mech_family *fam = khsm_families[f];

		for (i = 0; i < fam->count; i++) {
			if (types && n < max)
				types[n] = fam->mechs[i].type;
			n++;
		}
	}
	return n;
}

u32 khsm_mech_index(const struct khsm_mech *m)
{
	unsigned int f;
	u32 base = 0;

	for (f = 0; f < ARRAY_SIZE(khsm_families); f++) {
		const struct khsm_mech_family *fam = khsm_families[f];

		if (m >= fam->mechs && m < fam->mechs + fam->count)
			return base + (m - fam->mechs);
		base += fam->count;
	}
	return U32_MAX;
}

const struct khsm_mech *khsm_mech_at(u32 index)
{
	unsigned int f;

	for (f = 0; f < ARRAY_SIZE(khsm_families); f++) {
		const struct khsm_mech_family *fam = khsm_families[f];

		if (index < fam->count)
			return &fam->mechs[index];
		index -= fam->count;
	}
	return NULL;
}

int khsm_mech_init(void)
{
	int ret;

	ret = khsm_selftest_run();
	if (ret) {
		pr_err("mechanism self-tests failed (%d); refusing to register tokens\n",
		       ret);
		return ret;
	}
	return 0;
}

void khsm_mech_uninit(void)
{
}
