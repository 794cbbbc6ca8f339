// SPDX-License-Identifier: GPL-2.0
/*
 * Known answers of the MAC family (mech_mac.c), through the registered
 * entries, one-shot and multi-part: RFC 2202 test case 2 (HMAC-SHA-1),
 * RFC 4231 test case 2 (HMAC-SHA-224/256/384/512), test case 6 (a 131-byte
 * key, hashed first) and test case 5 (a 128-bit truncated MAC through
 * CKM_SHA256_HMAC_GENERAL), HMAC-SHA3-224/256/384/512 on the inputs of
 * RFC 4231 test case 2 (values computed with OpenSSL, and checked against
 * it again by qemu-tests/engine/sha3_test); NIST SP 800-38B appendix D.1
 * and D.3 (CKM_AES_CMAC, AES-128 and AES-256, messages of 0, 16, 40 and
 * 64 bytes; CKM_AES_CMAC_GENERAL with 8 bytes). Each MAC verified, and a
 * flipped bit, a short MAC and a bad _GENERAL length refused.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ck.h"
#include "mech_family.h"
#include "selftest.h"
#include "uapi/linux/khsm.h"

/* Sign @msg_hex with key @key_hex and compare; verify it, then tamper. */
static int khsm_kat_mac(unsigned long type, unsigned long key_type,
			const char *key_hex, const void *param, u32 param_len,
			const char *msg_hex, const char *mac_hex)
{
	struct khsm_key key = { .class = CKO_SECRET_KEY, .key_type = key_type };
	struct khsm_prep_cache pc = {};
	size_t key_len, msg_len, mac_len;
	u8 *k = khsm_kat_hex(key_hex, &key_len);
	u8 *msg = khsm_kat_hex(msg_hex, &msg_len);
	u8 *mac = khsm_kat_hex(mac_hex, &mac_len);
	int ret = -ENOMEM;

	if (!k || !msg || !mac)
		goto out;
	key.value = k;
	key.value_len = key_len;
	key.prep = &pc;
	ret = khsm_kat_hex_op(type, KHSM_OP_SIGN, &key, param, param_len,
			      msg_hex, mac_hex, 7);
	ret = ret ?: khsm_kat_op(type, KHSM_OP_VERIFY, &key, param, param_len,
				 msg, msg_len, mac, mac_len, 0, CKR_OK);
	ret = ret ?: khsm_kat_op(type, KHSM_OP_VERIFY, &key, param, param_len,
				 msg, msg_len, mac, mac_len, 13, CKR_OK);
	ret = ret ?: khsm_kat_op(type, KHSM_OP_VERIFY, &key, param, param_len,
				 msg, msg_len, mac, mac_len - 1, 0,
				 CKR_SIGNATURE_LEN_RANGE);
	mac[mac_len - 1] ^= 0x01;
	ret = ret ?: khsm_kat_op(type, KHSM_OP_VERIFY, &key, param, param_len,
				 msg, msg_len, mac, mac_len, 0,
				 CKR_SIGNATURE_INVALID);
	ret = ret ?: khsm_kat_op(type, KHSM_OP_VERIFY, &key, param, param_len,
				 msg, msg_len, mac, mac_len, 5,
				 CKR_SIGNATURE_INVALID);
out:
	khsm_prep_cache_release(&pc);
	kfree_sensitive(k);
	kfree(msg);
	kfree(mac);
	return ret;
}

/* Expect @want from signing with _GENERAL parameter @gp. */
static int khsm_kat_mac_rv(unsigned long type, unsigned long key_type,
			   const struct khsm_mac_general_params *gp,
			   unsigned long want)
{
	static const u8 k[16] = { 1 };
	struct khsm_key key = { .class = CKO_SECRET_KEY, .key_type = key_type,
				.value = k, .value_len = sizeof(k) };
	struct khsm_prep_cache pc = {};
	int ret;

	key.prep = &pc;
	ret = khsm_kat_op(type, KHSM_OP_SIGN, &key, gp, sizeof(*gp), k,
			  sizeof(k), NULL, 0, 0, want);
	khsm_prep_cache_release(&pc);
	return ret;
}

static const char khsm_kat_jefe[] = "4a656665";
/* "what do ya want for nothing?" */
static const char khsm_kat_jefe_msg[] = "7768617420646f2079612077616e7420666f72206e6f7468696e673f";

int khsm_selftest_hmac(void)
{
	static const struct {
		unsigned long type;
		const char *mac;
	} tc2[] = {
		{ CKM_SHA_1_HMAC, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
		{ CKM_SHA224_HMAC,
		  "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44" },
		{ CKM_SHA256_HMAC,
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
		{ CKM_SHA384_HMAC,
		  "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649" },
		{ CKM_SHA512_HMAC,
		  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
		{ CKM_SHA3_224_HMAC,
		  "7fdb8dd88bd2f60d1b798634ad386811c2cfc85bfaf5d52bbace5e66" },
		{ CKM_SHA3_256_HMAC,
		  "c7d4072e788877ae3596bbb0da73b887c9171f93095b294ae857fbe2645e1ba5" },
		{ CKM_SHA3_384_HMAC,
		  "f1101f8cbf9766fd6764d2ed61903f21ca9b18f57cf3e1a23ca13508a93243ce48c045dc007f26a21b3f5e0e9df4c20a" },
		{ CKM_SHA3_512_HMAC,
		  "5a4bfeab6166427c7a3647b747292b8384537cdb89afb3bf5665e4c5e709350b287baec921fd7ca0ee7a0c31d022a95e1fc92ba9d77df883960275beb4e62024" },
	};
	struct khsm_mac_general_params gp = { .mac_len = 16 };
	char *key131;
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(tc2); i++) {
		ret = khsm_kat_mac(tc2[i].type, CKK_GENERIC_SECRET,
				   khsm_kat_jefe, NULL, 0, khsm_kat_jefe_msg,
				   tc2[i].mac);
		if (ret)
			return ret;
	}
	/* RFC 4231 test case 5: HMAC-SHA-256 truncated to 128 bits */
	ret = khsm_kat_mac(CKM_SHA256_HMAC_GENERAL, CKK_GENERIC_SECRET,
			   "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", &gp,
			   sizeof(gp), "546573742057697468205472756e636174696f6e",
			   "a3b6167473100ee06e0c796c2955552b");
	if (ret)
		return ret;
	/* a length the hash cannot give, and none at all */
	gp.mac_len = 33;
	ret = khsm_kat_mac_rv(CKM_SHA256_HMAC_GENERAL, CKK_GENERIC_SECRET,
			      &gp, CKR_MECHANISM_PARAM_INVALID);
	gp.mac_len = 0;
	ret = ret ?: khsm_kat_mac_rv(CKM_SHA256_HMAC_GENERAL,
				     CKK_GENERIC_SECRET, &gp,
				     CKR_MECHANISM_PARAM_INVALID);
	if (ret)
		return ret;
	/* RFC 4231 test case 6: a 131-byte key 0xaa.., hashed first */
	key131 = kmalloc(2 * 131 + 1, GFP_KERNEL);
	if (!key131)
		return -ENOMEM;
	memset(key131, 'a', 2 * 131);
	key131[2 * 131] = 0;
	ret = khsm_kat_mac(CKM_SHA256_HMAC, CKK_GENERIC_SECRET, key131, NULL, 0,
			   "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374",
			   "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
	kfree(key131);
	return ret;
}

int khsm_selftest_cmac(void)
{
	static const char k128[] = "2b7e151628aed2a6abf7158809cf4f3c";
	static const char k256[] = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
	static const struct {
		const char *key;
		unsigned int len;	/* bytes of the SP 800-38A plaintext */
		const char *mac;
	} v[] = {
		{ k128, 0, "bb1d6929e95937287fa37d129b756746" },
		{ k128, 16, "070a16b46b4d4144f79bdd9dd04a287c" },
		{ k128, 40, "dfa66747de9ae63030ca32611497c827" },
		{ k128, 64, "51f0bebf7e3b9d92fc49741779363cfe" },
		{ k256, 0, "028962f61b7bf89efc6b551f4667d983" },
		{ k256, 16, "28a7023f452e8f82bd4bf28d8c37c35c" },
		{ k256, 40, "aaf3d8f1de5640c232f5b169b9c911e6" },
		{ k256, 64, "e1992190549f6ed5696a2c056c315410" },
	};
	/* SP 800-38A F.1 plaintext, the messages of SP 800-38B D.1/D.3 */
	static const char pt[] = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
	struct khsm_mac_general_params gp = { .mac_len = 8 };
	char msg[2 * 64 + 1], mac8[2 * 8 + 1];
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		strscpy(msg, pt, 2 * v[i].len + 1);
		ret = khsm_kat_mac(CKM_AES_CMAC, CKK_AES, v[i].key, NULL, 0,
				   v[i].len ? msg : "", v[i].mac);
		if (ret)
			return ret;
	}
	/* the first 8 bytes, through _GENERAL */
	strscpy(msg, pt, 2 * 40 + 1);
	strscpy(mac8, v[2].mac, sizeof(mac8));
	ret = khsm_kat_mac(CKM_AES_CMAC_GENERAL, CKK_AES, k128, &gp, sizeof(gp),
			   msg, mac8);
	if (ret)
		return ret;
	gp.mac_len = 17;
	ret = khsm_kat_mac_rv(CKM_AES_CMAC_GENERAL, CKK_AES, &gp,
			      CKR_MECHANISM_PARAM_INVALID);
	gp.mac_len = 0;
	return ret ?: khsm_kat_mac_rv(CKM_AES_CMAC_GENERAL, CKK_AES, &gp,
				      CKR_MECHANISM_PARAM_INVALID);
}
