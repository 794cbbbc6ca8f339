// SPDX-License-Identifier: GPL-2.0
/*
 * Known-answer tests of the AES modes beyond ECB/CBC/GCM (selftest.c),
 * through their registered entries: CKM_AES_CTR, CKM_AES_KEY_WRAP and
 * CKM_AES_KEY_WRAP_KWP.
 */
#include <linux/kernel.h>
#include <linux/string.h>

#include "aes_kw.h"
#include "ck.h"
#include "mech_family.h"
#include "selftest.h"
#include "uapi/linux/khsm.h"

static const char khsm_kat_ctr_pt[] = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";

/*
 * NIST SP 800-38A F.5.1/F.5.2 (CTR-AES128) and F.5.5/F.5.6 (CTR-AES256)
 * with a 128-bit counter; the F.5.1 key and counter block with 8 and 2
 * counter bits, where the counter wraps within its low bits (made with a
 * reference CTR checked against the SP 800-38A vectors); the 2-bit
 * counter running out (65 bytes need a fifth counter value); parameters
 * CTR cannot take.
 */
int khsm_selftest_aes_ctr(void)
{
	static const char k128[] = "2b7e151628aed2a6abf7158809cf4f3c";
	static const char k256[] = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
	static const struct {
		const char *key;
		u32 bits;
		const char *ct;
	} v[] = {
		{ k128, 128, "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee" },
		{ k256, 128, "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c52b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6" },
		{ k128, 8, "874d6191b620e3261bef6864990db6cee3256531c56fd498e4670c36587faba6253c594b7231e8509db37a4397a171743e0b062e8d1409a934cad10ece711250" },
		{ k128, 2, "874d6191b620e3261bef6864990db6ce2efeb4bde4af385a82632afc3fba795d58badcf5cc3e5e67d1432a8c4ab0edd19e1b362280205a0994efac71cccd2a18" },
	};
	static const size_t chunks[] = { 1, 5, 16, 17, 33 };
	struct khsm_aes_ctr_params p = {};
	char pt65[2 * 65 + 1];
	unsigned int i, j;
	int ret;

	if (hex2bin(p.ctr_block, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
		    sizeof(p.ctr_block)))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		p.ctr_bits = v[i].bits;
		for (j = 0; j < ARRAY_SIZE(chunks); j++) {
			ret = khsm_kat_cipher(CKM_AES_CTR, v[i].key, &p,
					      sizeof(p), khsm_kat_ctr_pt,
					      v[i].ct, chunks[j]);
			if (ret)
				return ret;
		}
	}
	/* a fifth block with a 2-bit counter: refused, one-shot or in parts */
	memcpy(pt65, khsm_kat_ctr_pt, 2 * 64);
	memcpy(pt65 + 2 * 64, "00", 3);
	p.ctr_bits = 2;
	for (j = 0; j < ARRAY_SIZE(chunks); j++) {
		ret = khsm_kat_cipher_rv(CKM_AES_CTR, KHSM_OP_ENCRYPT, k128,
					 &p, sizeof(p), pt65, chunks[j],
					 CKR_DATA_LEN_RANGE);
		if (ret)
			return ret;
	}
	ret = khsm_kat_cipher_rv(CKM_AES_CTR, KHSM_OP_DECRYPT, k128, &p,
				 sizeof(p), pt65, 0, CKR_DATA_LEN_RANGE);
	if (ret)
		return ret;
	/* 0 and 129 counter bits; a parameter of the wrong size */
	p.ctr_bits = 0;
	ret = khsm_kat_cipher_rv(CKM_AES_CTR, KHSM_OP_ENCRYPT, k128, &p,
				 sizeof(p), "00", 0,
				 CKR_MECHANISM_PARAM_INVALID);
	p.ctr_bits = 129;
	ret = ret ?: khsm_kat_cipher_rv(CKM_AES_CTR, KHSM_OP_ENCRYPT, k128,
					&p, sizeof(p), "00", 0,
					CKR_MECHANISM_PARAM_INVALID);
	p.ctr_bits = 128;
	ret = ret ?: khsm_kat_cipher_rv(CKM_AES_CTR, KHSM_OP_DECRYPT, k128,
					&p, sizeof(p) - 1, "00", 0,
					CKR_MECHANISM_PARAM_INVALID);
	return ret;
}

/* One AES key wrap operation that must fail with @want. */
static int khsm_kat_kw_rv(unsigned long type, u32 kind, const char *key,
			  const void *iv, u32 iv_len, const char *in,
			  unsigned long want)
{
	return khsm_kat_cipher_rv(type, kind, key, iv, iv_len, in, 0, want);
}

/*
 * RFC 3394 4.1-4.6 (KW with 128/192/256-bit KEKs) and RFC 5649 6 (KWP,
 * 20- and 7-byte keys), wrapped and unwrapped; KW and KWP with an IV of
 * their own, a 16-byte KWP key (no padding) (made with a reference W
 * checked against those vectors); a flipped bit, the wrong IV, a KWP
 * length indicator out of range and non-zero padding refused with
 * CKR_ENCRYPTED_DATA_INVALID; lengths and IVs the modes cannot take.
 */
int khsm_selftest_aes_kw(void)
{
	static const char k128[] = "000102030405060708090a0b0c0d0e0f";
	static const char k192[] = "000102030405060708090a0b0c0d0e0f1011121314151617";
	static const char k256[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
	static const char kwp_k[] = "5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8";
	static const char d128[] = "00112233445566778899aabbccddeeff";
	static const char d192[] = "00112233445566778899aabbccddeeff0001020304050607";
	static const char d256[] = "00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f";
	static const char kwp_d[] = "c37b7e6492584340bed12207808941155068f738";
	static const struct {
		unsigned long type;
		const char *key, *iv, *pt, *ct;
	} v[] = {
		{ CKM_AES_KEY_WRAP, k128, NULL, d128,
		  "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5" },
		{ CKM_AES_KEY_WRAP, k192, NULL, d128,
		  "96778b25ae6ca435f92b5b97c050aed2468ab8a17ad84e5d" },
		{ CKM_AES_KEY_WRAP, k256, NULL, d128,
		  "64e8c3f9ce0f5ba263e9777905818a2a93c8191e7d6e8ae7" },
		{ CKM_AES_KEY_WRAP, k192, NULL, d192,
		  "031d33264e15d33268f24ec260743edce1c6c7ddee725a936ba814915c6762d2" },
		{ CKM_AES_KEY_WRAP, k256, NULL, d192,
		  "a8f9bc1612c68b3ff6e6f4fbe30e71e4769c8b80a32cb8958cd5d17d6b254da1" },
		{ CKM_AES_KEY_WRAP, k256, NULL, d256,
		  "28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21" },
		{ CKM_AES_KEY_WRAP, k128, "0123456789abcdef", d128,
		  "a0f76f4b09e1f2191b8d94da2ca57adfd45ee9732992a98f" },
		{ CKM_AES_KEY_WRAP_KWP, kwp_k, NULL, kwp_d,
		  "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a" },
		{ CKM_AES_KEY_WRAP_KWP, kwp_k, NULL, "466f7250617369",
		  "afbeb0f07dfbf5419200f2ccb50bb24f" },
		{ CKM_AES_KEY_WRAP_KWP, kwp_k, "01020304", kwp_d,
		  "3f89f743100266729a7f1cc75299d51c73f7c1545d034a1b0c2241324938aaec" },
		{ CKM_AES_KEY_WRAP_KWP, k128, NULL, d128,
		  "2cef0c9e30de26016c230cb78bc60d51b1fe083ba0c79cd5" },
	};
	static const struct {
		unsigned long type;
		const char *key, *ct;
	} bad[] = {
		/* 4.1 with one bit flipped, in A and in the last semiblock */
		{ CKM_AES_KEY_WRAP, k128,
		  "1fa68b0a8112b446aef34bd8fb5a7b829d3e862371d2cfe5" },
		{ CKM_AES_KEY_WRAP, k128,
		  "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe4" },
		/* a KW ciphertext is no KWP one (IV A6A6A6A6) */
		{ CKM_AES_KEY_WRAP_KWP, k128,
		  "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5" },
		{ CKM_AES_KEY_WRAP_KWP, kwp_k,
		  "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6b" },
		{ CKM_AES_KEY_WRAP_KWP, kwp_k,
		  "afbeb0f07dfbf5419200f2ccb50bb24e" },
		/* length indicator 25 and 16 for 24 bytes; padding 00 00 00 01 */
		{ CKM_AES_KEY_WRAP_KWP, kwp_k,
		  "2e46f3143fd6a2864b44aaa4e210791afaccc1ccbade33c18542cb180daba0b3" },
		{ CKM_AES_KEY_WRAP_KWP, kwp_k,
		  "5540dc135815e74afd64a114fce9b6b43bd34801b1f35242422d1564ba1e2004" },
		{ CKM_AES_KEY_WRAP_KWP, kwp_k,
		  "3553d688f708e35bb37eff1c10e15d81362f59901b7677aebd69e2811b5fe461" },
	};
	static const u8 iv8[KHSM_AES_KW_IV_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	u8 iv[KHSM_AES_KW_IV_LEN];
	unsigned int i;
	u32 iv_len;
	int ret;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		iv_len = v[i].iv ? strlen(v[i].iv) / 2 : 0;
		if (iv_len && hex2bin(iv, v[i].iv, iv_len))
			return -EINVAL;
		ret = khsm_kat_cipher(v[i].type, v[i].key, iv_len ? iv : NULL,
				      iv_len, v[i].pt, v[i].ct, 0);
		if (ret)
			return ret;
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ret = khsm_kat_kw_rv(bad[i].type, KHSM_OP_DECRYPT, bad[i].key,
				     NULL, 0, bad[i].ct,
				     CKR_ENCRYPTED_DATA_INVALID);
		if (ret)
			return ret;
	}
	/* the right ciphertexts under another IV */
	ret = khsm_kat_kw_rv(CKM_AES_KEY_WRAP, KHSM_OP_DECRYPT, k128, iv8,
			     sizeof(iv8), v[0].ct, CKR_ENCRYPTED_DATA_INVALID);
	ret = ret ?: khsm_kat_kw_rv(CKM_AES_KEY_WRAP_KWP, KHSM_OP_DECRYPT,
				    kwp_k, iv8, KHSM_AES_KWP_IV_LEN, v[7].ct,
				    CKR_ENCRYPTED_DATA_INVALID);
	/* KW: whole semiblocks, at least 2 of them; KWP: at least 1 byte */
	ret = ret ?: khsm_kat_kw_rv(CKM_AES_KEY_WRAP, KHSM_OP_ENCRYPT, k128,
				    NULL, 0, "0011223344556677",
				    CKR_DATA_LEN_RANGE);
	ret = ret ?: khsm_kat_kw_rv(CKM_AES_KEY_WRAP, KHSM_OP_ENCRYPT, k128,
				    NULL, 0, kwp_d, CKR_DATA_LEN_RANGE);
	ret = ret ?: khsm_kat_kw_rv(CKM_AES_KEY_WRAP, KHSM_OP_DECRYPT, k128,
				    NULL, 0, d128, CKR_ENCRYPTED_DATA_LEN_RANGE);
	ret = ret ?: khsm_kat_kw_rv(CKM_AES_KEY_WRAP, KHSM_OP_DECRYPT, k128,
				    NULL, 0, "1fa68b0a8112b447aef34bd8fb5a7b829d3e8623",
				    CKR_ENCRYPTED_DATA_LEN_RANGE);
	ret = ret ?: khsm_kat_kw_rv(CKM_AES_KEY_WRAP_KWP, KHSM_OP_ENCRYPT, k128,
				    NULL, 0, "", CKR_DATA_LEN_RANGE);
	ret = ret ?: khsm_kat_kw_rv(CKM_AES_KEY_WRAP_KWP, KHSM_OP_DECRYPT, k128,
				    NULL, 0, "0011223344556677",
				    CKR_ENCRYPTED_DATA_LEN_RANGE);
	ret = ret ?: khsm_kat_kw_rv(CKM_AES_KEY_WRAP_KWP, KHSM_OP_DECRYPT, k128,
				    NULL, 0, "afbeb0f07dfbf5419200f2ccb50bb24f0011",
				    CKR_ENCRYPTED_DATA_LEN_RANGE);
	/* IVs of the wrong length */
	ret = ret ?: khsm_kat_kw_rv(CKM_AES_KEY_WRAP, KHSM_OP_ENCRYPT, k128,
				    iv8, 7, d128, CKR_MECHANISM_PARAM_INVALID);
	ret = ret ?: khsm_kat_kw_rv(CKM_AES_KEY_WRAP_KWP, KHSM_OP_ENCRYPT,
				    k128, iv8, sizeof(iv8), d128,
				    CKR_MECHANISM_PARAM_INVALID);
	return ret;
}
