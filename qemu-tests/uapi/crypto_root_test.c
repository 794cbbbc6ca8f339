// SPDX-License-Identifier: GPL-2.0
/*
 * Mechanism tests that need root: the module parameters that change how
 * the kernel runs a mechanism (max_prepared: keyed transforms kept with
 * keys) give the same bytes either way.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "khsm_util.h"

FIXTURE(root) {
	int fd;
	__u32 s;
};

FIXTURE_SETUP(root)
{
	self->fd = t_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", t_dev_path(), strerror(errno));
	ASSERT_EQ(0, t_reset_token(self->fd));
	self->s = t_user_session(self->fd);
	ASSERT_NE(0U, self->s);
}

FIXTURE_TEARDOWN(root)
{
	close(self->fd);
}

/* One-shot @op of @in with the key @k; 0 if the output is @want. */
static int oneshot_is(int fd, __u32 s, __u32 op, __u32 mech, __u32 k,
		      const void *param, __u32 pl, const __u8 *in, size_t inl,
		      const __u8 *want, size_t wantl)
{
	__u8 out[256];
	__u64 len = sizeof(out);
	__u32 rv;

	if (t_op_init(fd, s, op, mech, k, param, pl, &rv) || rv)
		return 1;
	if (t_op_data(fd, s, op, KHSM_DATA_ONESHOT, in, inl, out, &len, &rv) ||
	    rv)
		return 2;
	return len == wantl && !memcmp(out, want, wantl) ? 0 : 3;
}

/*
 * The keyed transforms kept with a key (ECB, CBC, GCM per tag length, GCM
 * from its parts for a 64-bit IV) are shared by two sessions whose
 * operations interleave, and give the same bytes when the module keeps
 * none (max_prepared=0: every operation keys its own).
 */
TEST_F(root, aes_prepared_transforms_shared_and_capped)
{
	static const char param_path[] = "/sys/module/khsm/parameters/max_prepared";
	__u8 k1[16], k4[16], iv[16], pt[60], aad[20], ecb[16], cbc[32], nist[32];
	__u8 gcm4[76], gcm5[76], p96[256], p128[256], p64[256], gcm_iv[12];
	__u32 a, b, s2, rv, l96, l128, l64;
	char saved[32] = "";
	const char *cap[2] = { NULL, "0" };
	int i, fd = self->fd;
	FILE *f = fopen(param_path, "r");

	ASSERT_NE(NULL, f) TH_LOG("%s: %s", param_path, strerror(errno));
	ASSERT_NE(NULL, fgets(saved, sizeof(saved), f));
	fclose(f);
	t_unhex("2b7e151628aed2a6abf7158809cf4f3c", k1, 16);
	t_unhex("000102030405060708090a0b0c0d0e0f", iv, 16);
	t_unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51",
		nist, 32);
	t_unhex("3ad77bb40d7a3660a89ecaf32466ef97", ecb, 16);
	t_unhex("7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2",
		cbc, 32);
	t_unhex("feffe9928665731c6d6a8f9467308308", k4, 16);
	t_unhex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
		"1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39", pt, 60);
	t_unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2", aad, 20);
	/* GCM spec test cases 4 (96-bit IV) and 5 (64-bit IV). */
	t_unhex("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
		"21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"
		"5bc94fbc3221a5db94fae95ae7121a47", gcm4, 76);
	t_unhex("61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c7423"
		"73806900e49f24b22b097544d4896b424989b5e1ebac0f07c23f4598"
		"3612d2e79e3b0785561be14aaca2fccb", gcm5, 76);
	t_unhex("cafebabefacedbaddecaf888", gcm_iv, 12);
	l128 = t_gcm_param(p128, gcm_iv, 12, aad, 20, 128);
	l96 = t_gcm_param(p96, gcm_iv, 12, aad, 20, 96);
	l64 = t_gcm_param(p64, gcm_iv, 8, aad, 20, 128);
	/* a second session of the same (logged-in) file */
	ASSERT_EQ(0, t_open_session(fd, CKF_SERIAL_SESSION | CKF_RW_SESSION, &s2, &rv));
	ASSERT_EQ(0U, rv);
	for (i = 0; i < 2; i++) {
		f = cap[i] ? fopen(param_path, "w") : NULL;
		if (cap[i]) {
			ASSERT_NE(NULL, f);
			fputs(cap[i], f);
			ASSERT_EQ(0, fclose(f));
		}
		a = t_aes_key(fd, self->s, k1, 16);
		b = t_aes_key(fd, self->s, k4, 16);
		ASSERT_NE(0U, a);
		ASSERT_NE(0U, b);
		TH_LOG("max_prepared=%s", cap[i] ? cap[i] : saved);
		/* Twice each, from both sessions: built once, then shared. */
		for (int r = 0; r < 2; r++) {
			__u32 s = r ? s2 : self->s;

			EXPECT_EQ(0, oneshot_is(fd, s, KHSM_OP_ENCRYPT, CKM_AES_ECB,
						a, NULL, 0, nist, 16, ecb, 16));
			EXPECT_EQ(0, oneshot_is(fd, s, KHSM_OP_DECRYPT, CKM_AES_CBC,
						a, iv, 16, cbc, 32, nist, 32));
			EXPECT_EQ(0, oneshot_is(fd, s, KHSM_OP_ENCRYPT, CKM_AES_GCM,
						b, p128, l128, pt, 60, gcm4, 76));
			/* the 96-bit tag is the full tag's first 12 bytes */
			EXPECT_EQ(0, oneshot_is(fd, s, KHSM_OP_DECRYPT, CKM_AES_GCM,
						b, p96, l96, gcm4, 72, pt, 60));
			EXPECT_EQ(0, oneshot_is(fd, s, KHSM_OP_ENCRYPT, CKM_AES_GCM,
						b, p64, l64, pt, 60, gcm5, 76));
			EXPECT_EQ(0, oneshot_is(fd, s, KHSM_OP_DECRYPT, CKM_AES_GCM,
						b, p64, l64, gcm5, 76, pt, 60));
		}
	}
	f = fopen(param_path, "w");
	ASSERT_NE(NULL, f);
	fputs(saved, f);
	ASSERT_EQ(0, fclose(f));
}

TEST_HARNESS_MAIN
