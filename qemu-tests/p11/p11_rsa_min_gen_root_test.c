// SPDX-License-Identifier: GPL-2.0
/*
 * The module parameter rsa_min_gen_bits (root: the test reloads khsm):
 * loaded with rsa_min_gen_bits=2048, C_GetMechanismInfo of
 * CKM_RSA_PKCS_KEY_PAIR_GEN says 2048..4096, a 1024-bit generation is
 * CKR_KEY_SIZE_RANGE while a 1024-bit imported key still signs, the
 * parameter reads back 2048 and is read-only; values outside 1024..4096
 * make the load fail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "p11_util.h"

#define PARAM "/sys/module/khsm/parameters/rsa_min_gen_bits"

static int reload(const char *args)
{
	const char *repo = getenv("KHSM_REPO");
	char cmd[4096];

	snprintf(cmd, sizeof(cmd), "%s/qemu-tests/vm/khsm-load --reload %s 2>/dev/null",
		 repo && *repo ? repo : KHSM_TOP, args);
	return system(cmd);
}

static long read_param(void)
{
	FILE *fp = fopen(PARAM, "r");
	long v = -1;

	if (fp) {
		if (fscanf(fp, "%ld", &v) != 1)
			v = -1;
		fclose(fp);
	}
	return v;
}

TEST(rsa_min_gen_bits)
{
	CK_MECHANISM gm = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
	CK_ULONG bits = 1024;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE pt[] = {
		{ CKA_VERIFY, &yes, 1 },
		{ CKA_MODULUS_BITS, &bits, sizeof(bits) },
	};
	CK_ATTRIBUTE st[] = { { CKA_SIGN, &yes, 1 } };
	CK_OBJECT_HANDLE pub, priv;
	CK_FUNCTION_LIST_PTR f;
	CK_MECHANISM_INFO mi;
	CK_SESSION_HANDLE s;
	CK_SLOT_ID slot;
	struct stat st_param;

	/* out of range: the load fails */
	EXPECT_NE(0, reload("rsa_min_gen_bits=512"));
	EXPECT_NE(0, reload("rsa_min_gen_bits=8192"));
	ASSERT_EQ(0, reload("rsa_min_gen_bits=2048"));
	EXPECT_EQ(2048, read_param());
	ASSERT_EQ(0, stat(PARAM, &st_param));
	EXPECT_EQ(0444, st_param.st_mode & 0777);

	f = p_init();
	ASSERT_NE(NULL, f);
	slot = p_slot(f);
	ASSERT_EQ(CKR_OK, p_reset_token(f, slot));
	s = p_user_session(f, slot);
	ASSERT_NE(0UL, s);
	ASSERT_EQ(CKR_OK, f->C_GetMechanismInfo(slot, CKM_RSA_PKCS_KEY_PAIR_GEN, &mi));
	EXPECT_EQ(2048UL, mi.ulMinKeySize);
	EXPECT_EQ(4096UL, mi.ulMaxKeySize);
	/* the signature mechanisms still take 1024-bit keys */
	ASSERT_EQ(CKR_OK, f->C_GetMechanismInfo(slot, CKM_SHA256_RSA_PKCS, &mi));
	EXPECT_EQ(1024UL, mi.ulMinKeySize);
	EXPECT_EQ(CKR_KEY_SIZE_RANGE,
		  f->C_GenerateKeyPair(s, &gm, pt, 2, st, 1, &pub, &priv));
	bits = 1536;
	EXPECT_EQ(CKR_KEY_SIZE_RANGE,
		  f->C_GenerateKeyPair(s, &gm, pt, 2, st, 1, &pub, &priv));
	f->C_Finalize(NULL);

	/* the default again */
	ASSERT_EQ(0, reload(""));
	EXPECT_EQ(1024, read_param());
}

TEST_HARNESS_MAIN
