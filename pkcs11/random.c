// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * khsm-pkcs11: random number generation (PKCS#11 v3.0 base spec 5.19),
 * from the kernel's RNG.
 */
#include "internal.h"

/* C_SeedRandom (5.19.1): the kernel RNG takes no seed from applications. */
CK_RV C_SeedRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSeed,
		   CK_ULONG ulSeedLen)
{
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);

	if (rv == CKR_OK && !pSeed && ulSeedLen)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = CKR_RANDOM_SEED_NOT_SUPPORTED;
	return p11_leave(&c, __func__, rv);
}

/* C_GenerateRandom (5.19.2). */
CK_RV C_GenerateRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pRandomData,
		       CK_ULONG ulRandomLen)
{
	struct p11_call c;
	CK_RV rv = p11_enter_session(&c, hSession);

	if (rv == CKR_OK && !pRandomData && ulRandomLen)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = hsm_generate_random(c.tok, c.session, pRandomData,
					 ulRandomLen);
	return p11_leave(&c, __func__, rv);
}
