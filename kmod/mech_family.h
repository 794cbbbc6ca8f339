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

#include "crypto/engine.h"
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
extern const struct khsm_mech_family khsm_mech_ecdh;
extern const struct khsm_mech_family khsm_mech_x25519;
extern const struct khsm_mech_family khsm_mech_hkdf;

/*
 * mech_ecdsa.c's curve table, for mech_ecdh.c: the engine's curve and the
 * byte length of the curve named by the DER OID @der (CKA_EC_PARAMS);
 * CKR_CURVE_NOT_SUPPORTED or CKR_DOMAIN_PARAMS_INVALID otherwise.
 */
unsigned long khsm_ec_curve_of(const u8 *der, u32 len, enum kc_curve *kc,
			       u32 *nbytes);
/*
 * mech_x25519.c, for mech_ecdh.c: Z = X25519(CKA_VALUE of @key, the peer's
 * u-coordinate @peer, bare or DER) into @z (32 bytes); a peer of the
 * wrong form or of small order is CKR_MECHANISM_PARAM_INVALID.
 */
struct khsm_key;
unsigned long khsm_x25519_z(const struct khsm_key *key, const u8 *peer,
			    u32 peer_len, u8 *z, u32 *z_len);
/* mech_ecdh.c: ANSI X9.63 KDF with @hash; 0 or -EINVAL. */
int khsm_x963_kdf(enum kc_hash hash, const u8 *z, size_t z_len, const u8 *si,
		  size_t si_len, u8 *out, size_t out_len);

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
