/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mechanisms README.md's table promises (digests and AES of
 * kmod/mech_digest.c, mech_aes.c, mech_aead.c, the ECDSA family of
 * mech_ecdsa.c, the EdDSA pair of mech_eddsa.c, the RSA family of
 * mech_rsa.c, the ECDH derivations of mech_ecdh.c and the X25519 key
 * pairs of mech_x25519.c), shared by the uAPI and PKCS#11 tests so both check the same
 * exact list: a promised mechanism that is missing is a failure, never a
 * skip. Keep it and the README table in step.
 */
#ifndef KHSM_MECHS_H
#define KHSM_MECHS_H

/* PKCS#11 v3.0 names missing from p11-kit 0.24's header. */
#ifndef CKK_EC_MONTGOMERY
#define CKK_EC_MONTGOMERY		(0x41UL)
#endif
#ifndef CKM_EC_MONTGOMERY_KEY_PAIR_GEN
#define CKM_EC_MONTGOMERY_KEY_PAIR_GEN	(0x1056UL)
#endif

static const unsigned long khsm_expected_mechs[] = {
	CKM_SHA_1, CKM_SHA224, CKM_SHA256, CKM_SHA384, CKM_SHA512,
	CKM_AES_KEY_GEN, CKM_AES_ECB, CKM_AES_CBC, CKM_AES_CBC_PAD, CKM_AES_GCM,
	CKM_EC_KEY_PAIR_GEN, CKM_ECDSA, CKM_ECDSA_SHA1, CKM_ECDSA_SHA224,
	CKM_ECDSA_SHA256, CKM_ECDSA_SHA384, CKM_ECDSA_SHA512,
	CKM_EC_EDWARDS_KEY_PAIR_GEN, CKM_EDDSA,
	CKM_RSA_PKCS_KEY_PAIR_GEN, CKM_RSA_PKCS, CKM_SHA1_RSA_PKCS,
	CKM_SHA224_RSA_PKCS, CKM_SHA256_RSA_PKCS, CKM_SHA384_RSA_PKCS,
	CKM_SHA512_RSA_PKCS, CKM_RSA_PKCS_PSS, CKM_SHA1_RSA_PKCS_PSS,
	CKM_SHA224_RSA_PKCS_PSS, CKM_SHA256_RSA_PKCS_PSS,
	CKM_SHA384_RSA_PKCS_PSS, CKM_SHA512_RSA_PKCS_PSS, CKM_RSA_PKCS_OAEP,
	CKM_ECDH1_DERIVE, CKM_ECDH1_COFACTOR_DERIVE,
	CKM_EC_MONTGOMERY_KEY_PAIR_GEN,
};
#define KHSM_N_EXPECTED_MECHS \
	(sizeof(khsm_expected_mechs) / sizeof(khsm_expected_mechs[0]))

/* CKF_* mechanism flags each one must have (at least). */
static inline unsigned long khsm_expected_mech_flags(unsigned long m)
{
	switch (m) {
	case CKM_SHA_1: case CKM_SHA224: case CKM_SHA256: case CKM_SHA384:
	case CKM_SHA512:
		return CKF_DIGEST;
	case CKM_AES_KEY_GEN:
		return CKF_GENERATE;
	case CKM_AES_ECB: case CKM_AES_CBC: case CKM_AES_CBC_PAD: case CKM_AES_GCM:
		return CKF_ENCRYPT | CKF_DECRYPT;
	case CKM_EC_KEY_PAIR_GEN: case CKM_EC_EDWARDS_KEY_PAIR_GEN:
	case CKM_EC_MONTGOMERY_KEY_PAIR_GEN:
	case CKM_RSA_PKCS_KEY_PAIR_GEN:
		return CKF_GENERATE_KEY_PAIR;
	case CKM_ECDSA: case CKM_ECDSA_SHA1: case CKM_ECDSA_SHA224:
	case CKM_ECDSA_SHA256: case CKM_ECDSA_SHA384: case CKM_ECDSA_SHA512:
	case CKM_EDDSA:
	case CKM_RSA_PKCS: case CKM_SHA1_RSA_PKCS: case CKM_SHA224_RSA_PKCS:
	case CKM_SHA256_RSA_PKCS: case CKM_SHA384_RSA_PKCS:
	case CKM_SHA512_RSA_PKCS: case CKM_RSA_PKCS_PSS:
	case CKM_SHA1_RSA_PKCS_PSS: case CKM_SHA224_RSA_PKCS_PSS:
	case CKM_SHA256_RSA_PKCS_PSS: case CKM_SHA384_RSA_PKCS_PSS:
	case CKM_SHA512_RSA_PKCS_PSS:
		return CKF_SIGN | CKF_VERIFY;
	case CKM_RSA_PKCS_OAEP:
		return CKF_ENCRYPT | CKF_DECRYPT;
	case CKM_ECDH1_DERIVE: case CKM_ECDH1_COFACTOR_DERIVE:
		return CKF_DERIVE;
	}
	return 0;
}

#endif /* KHSM_MECHS_H */
