// SPDX-License-Identifier: GPL-2.0
/*
 * PKCS#8 self-test (C_WrapKey/C_UnwrapKey of private keys): for one key
 * of each type, the PrivateKeyInfo that Python's cryptography (OpenSSL)
 * writes goes through the key type's ->pkcs8_decode into attributes
 * (CKA_VALUE or CKA_MODULUS compared with the known value), into key
 * material, and back through ->pkcs8_encode into the same bytes; for EC
 * this computes the public point, which the known DER holds.
 * khsm_pkcs8_key_type() names the type; a truncated blob, the blob of
 * another type and an RSA key without CRT numbers are refused. Keys:
 * RFC 6979 A.2.5 (P-256) and A.2.7 (P-521), RFC 8032 7.1 test 1
 * (Ed25519), RFC 7748 6.1 Alice (X25519), a 512-bit RSA key (the codec
 * does no arithmetic; only the encoding is tested).
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ck.h"
#include "key.h"
#include "selftest.h"

struct khsm_kat_p8 {
	const char *name;
	const struct khsm_key_ops *ops;
	const struct khsm_key_ops *other;	/* must refuse the blob */
	u32 attr;				/* compared with @value */
	const char *value;
	const char *der;
};

static const struct khsm_kat_p8 khsm_kat_p8[] = {
	{
		.name = "P-256",
		.ops = &khsm_key_ec,
		.other = &khsm_key_rsa,
		.attr = CKA_VALUE,
		.value = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
		.der = "308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721a1440342000460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb67903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299",
	},
	{
		.name = "P-521",
		.ops = &khsm_key_ec,
		.other = &khsm_key_ec_edwards,
		.attr = CKA_VALUE,
		.value = "00fad06daa62ba3b25d2fb40133da757205de67f5bb0018fee8c86e1b68c7e75caa896eb32f1f47c70855836a6d16fcc1466f6d8fbec67db89ec0c08b0e996b83538",
		.der = "3081ee020100301006072a8648ce3d020106052b810400230481d63081d3020101044200fad06daa62ba3b25d2fb40133da757205de67f5bb0018fee8c86e1b68c7e75caa896eb32f1f47c70855836a6d16fcc1466f6d8fbec67db89ec0c08b0e996b83538a18189038186000401894550d0785932e00eaa23b694f213f8c3121f86dc97a04e5a7167db4e5bcd371123d46e45db6b5d5370a7f20fb633155d38ffa16d2bd761dcac474b9a2f5023a400493101c962cd4d2fddf782285e64584139c2f91b47f87ff82354d6630f746a28a0db25741b5b34a828008b22acc23f924faafbd4d33f81ea66956dfeaa2bfdfcf5",
	},
	{
		.name = "Ed25519",
		.ops = &khsm_key_ec_edwards,
		.other = &khsm_key_ec_montgomery,
		.attr = CKA_VALUE,
		.value = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
		.der = "302e020100300506032b6570042204209d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
	},
	{
		.name = "X25519",
		.ops = &khsm_key_ec_montgomery,
		.other = &khsm_key_ec_edwards,
		.attr = CKA_VALUE,
		.value = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
		.der = "302e020100300506032b656e0422042077076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
	},
	{
		.name = "RSA",
		.ops = &khsm_key_rsa,
		.other = &khsm_key_ec,
		.attr = CKA_MODULUS,
		.value = "d6e88a106dcdcf5b51e817f7deccaf0ca7e4c8df2822091865b83e92b8e6cae19603a5e3e029711120c372cf15c444b653b4470f62749982902c31af30706cdf",
		.der = "30820153020100300d06092a864886f70d01010105000482013d30820139020100024100d6e88a106dcdcf5b51e817f7deccaf0ca7e4c8df2822091865b83e92b8e6cae19603a5e3e029711120c372cf15c444b653b4470f62749982902c31af30706cdf0203010001024056fe60cd0fb5cd27593b8b6042273700f781ac32714b7dc50b800e8c541ed0a6cc90a30e1a0cb5bb737df9769e66242e7926a426d7c795ac2fbc1dfd64694b69022100f2ea13c3d527b45d590a5226b3d72aba34054f67cf3c7c7c0539a63901da3cc3022100e27c3e6cd84a06a82b558840a1075570ec0469e26b9a41deeaabb2cf06233db502201e67941fbfef5f510bd311e34c415354c92c1cfb466230c6a934c50c7fa1dc5702206cb79d339c63746c9758986e059e429a5101115eb9ae337e71017874be0a7e9d022074a196998ee438c93e26a716e1c0acc4c51446bbbe575255289de5f680d3786d",
	},
};

/* An RSA key without CRT numbers cannot be wrapped. */
static int khsm_kat_p8_no_crt(const struct khsm_key *key)
{
	struct khsm_key k = *key;
	u8 *der = NULL;
	u32 len = 0;

	k.p.val = NULL;
	k.p.len = 0;
	k.q = k.p;
	k.dp = k.p;
	k.dq = k.p;
	k.qinv = k.p;
	if (khsm_key_rsa.pkcs8_encode(&k, &der, &len) == CKR_KEY_NOT_WRAPPABLE)
		return 0;
	if (der)
		kvfree_sensitive(der, len);
	return -EBADMSG;
}

static int khsm_kat_p8_one(const struct khsm_kat_p8 *v)
{
	struct khsm_attrs a = { }, b = { };
	const struct khsm_oattr *oa;
	struct khsm_keymat *km = NULL;
	u8 *der, *value, *out = NULL;
	size_t der_len, value_len;
	unsigned long ckk = 0;
	u32 out_len = 0;
	int ret = -EBADMSG;

	der = khsm_kat_hex(v->der, &der_len);
	value = khsm_kat_hex(v->value, &value_len);
	if (!der || !value || khsm_attrs_alloc(&a) || khsm_attrs_alloc(&b)) {
		ret = -ENOMEM;
		goto out;
	}
	if (khsm_pkcs8_key_type(der, der_len, &ckk) != CKR_OK ||
	    ckk != v->ops->type ||
	    khsm_pkcs8_key_type(der, der_len - 1, &ckk) !=
	    CKR_WRAPPED_KEY_INVALID)
		goto out;
	if (v->ops->pkcs8_decode(der, der_len, &a) != CKR_OK)
		goto out;
	oa = khsm_attrs_get(&a, v->attr);
	if (!oa || oa->len != value_len || memcmp(oa->val, value, value_len))
		goto out;
	if (khsm_keymat_build(v->ops, CKO_PRIVATE_KEY, &a, &km) != CKR_OK) {
		km = NULL;
		goto out;
	}
	if (v->ops->pkcs8_encode(&km->key, &out, &out_len) != CKR_OK)
		goto out;
	if (out_len != der_len || memcmp(out, der, der_len))
		goto out;
	/* refusals: truncated, another type's decoder, no CRT numbers */
	if (v->ops->pkcs8_decode(der, der_len - 1, &b) !=
	    CKR_WRAPPED_KEY_INVALID ||
	    v->other->pkcs8_decode(der, der_len, &b) !=
	    CKR_WRAPPED_KEY_INVALID)
		goto out;
	if (v->ops == &khsm_key_rsa && khsm_kat_p8_no_crt(&km->key))
		goto out;
	ret = 0;
out:
	if (ret)
		pr_err("self-test: PKCS#8 %s failed\n", v->name);
	if (out)
		kvfree_sensitive(out, out_len);
	khsm_keymat_put(km);
	khsm_attrs_free(&a);
	khsm_attrs_free(&b);
	kfree_sensitive(value);
	kfree_sensitive(der);
	return ret;
}

int khsm_selftest_pkcs8(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(khsm_kat_p8); i++) {
		ret = khsm_kat_p8_one(&khsm_kat_p8[i]);
		if (ret)
			return ret;
	}
	return 0;
}
