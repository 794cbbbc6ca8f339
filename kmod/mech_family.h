/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mechanism families: each mech_*.c file exports one table of const
 * struct khsm_mech entries; mech.c walks the tables and selftest.c runs
 * known-answer tests through them. Nothing outside the mechanism code
 * includes this header.
 */
#ifndef KHSM_MECH_FAMILY_H
#define KHSM_MECH_FAMILY_H

#include <linux/errno.h>

#include "mech.h"

struct khsm_mech_family {
	const char *name;
	const struct khsm_mech *mechs;
	unsigned int count;
};

extern const struct khsm_mech_family khsm_mech_digest;
extern const struct khsm_mech_family khsm_mech_aes;
extern const struct khsm_mech_family khsm_mech_aead;
extern const struct khsm_mech_family khsm_mech_aes_kw;
extern const struct khsm_mech_family khsm_mech_ecdsa;
extern const struct khsm_mech_family khsm_mech_eddsa;
extern const struct khsm_mech_family khsm_mech_rsa;
extern const struct khsm_mech_family khsm_mech_mac;

/* A crypto API error as a PKCS#11 result. */
static inline unsigned long khsm_mech_errno_rv(int err)
{
	if (err == -ENOMEM)
		return 0x31UL;	/* CKR_DEVICE_MEMORY */
	return 0x30UL;		/* CKR_DEVICE_ERROR */
}

/* selftest.c: known-answer tests of every family; 0 or -errno. */
int khsm_selftest_run(void);

#endif /* KHSM_MECH_FAMILY_H */
