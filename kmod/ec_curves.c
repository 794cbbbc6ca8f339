// SPDX-License-Identifier: GPL-2.0
/*
 * The named curves of CKA_EC_PARAMS that khsm supports, shared by both
 * kmod/ec.h backends (crypto/ec_engine.c and ec_ecc.c).
 */
#include <linux/kernel.h>
#include <linux/string.h>

#include "ec.h"

static const u8 khsm_oid_p256[] = {
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07
};
static const u8 khsm_oid_p384[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22 };

static const struct khsm_ec_curve khsm_ec_curves[] = {
	{
		.name = "P-256",
		.oid = khsm_oid_p256,
		.oid_len = sizeof(khsm_oid_p256),
		.nbytes = 32,
		.nbits = 256,
		.hash = "sha256",
		.id = KHSM_EC_P256,
	},
	{
		.name = "P-384",
		.oid = khsm_oid_p384,
		.oid_len = sizeof(khsm_oid_p384),
		.nbytes = 48,
		.nbits = 384,
		.hash = "sha384",
		.id = KHSM_EC_P384,
	},
};

const struct khsm_ec_curve *khsm_ec_curve_find(const u8 *der, u32 len)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(khsm_ec_curves); i++)
		if (len == khsm_ec_curves[i].oid_len &&
		    !memcmp(der, khsm_ec_curves[i].oid, len))
			return &khsm_ec_curves[i];
	return NULL;
}
