// SPDX-License-Identifier: GPL-2.0
/*
 * PKCS#8 for C_WrapKey/C_UnwrapKey of private keys: what the key types'
 * ->pkcs8_encode/->pkcs8_decode adapters (mech_rsa.c, mech_ecdsa.c,
 * mech_eddsa.c, mech_x25519.c) share, over the codec of
 * kmod/crypto/pkcs8.c (pure C, tested natively against OpenSSL in
 * qemu-tests/engine/pkcs8_test.c), and khsm_pkcs8_key_type() for an
 * unwrap template without CKA_KEY_TYPE.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "ck.h"
#include "crypto/pkcs8.h"
#include "key.h"

unsigned long khsm_pkcs8_key_type(const u8 *der, u32 len, unsigned long *ckk)
{
	enum kc_p8_type t;

	if (!der || kc_p8_type(der, len, &t))
		return CKR_WRAPPED_KEY_INVALID;
	switch (t) {
	case KC_P8_RSA:
		*ckk = CKK_RSA;
		break;
	case KC_P8_EC:
		*ckk = CKK_EC;
		break;
	case KC_P8_ED25519:
		*ckk = CKK_EC_EDWARDS;
		break;
	case KC_P8_X25519:
		*ckk = CKK_EC_MONTGOMERY;
		break;
	default:
		return CKR_WRAPPED_KEY_INVALID;
	}
	return CKR_OK;
}

/* A key the codec cannot write: no CRT numbers, bad stored values. */
static unsigned long khsm_pkcs8_enc_rv(int err)
{
	return err == KC_EINPUT || err == KC_ECURVE ? CKR_KEY_NOT_WRAPPABLE :
						      CKR_GENERAL_ERROR;
}

unsigned long khsm_pkcs8_encode(khsm_pkcs8_enc_t enc, const void *k,
				u8 **der, u32 *der_len)
{
	size_t len, got;
	int err;
	u8 *buf;

	err = enc(k, NULL, 0, &len);
	if (err)
		return khsm_pkcs8_enc_rv(err);
	if (!len || len > KHSM_PKCS8_MAX_LEN)
		return CKR_KEY_NOT_WRAPPABLE;
	buf = kvmalloc(len, GFP_KERNEL_ACCOUNT);
	if (!buf)
		return CKR_HOST_MEMORY;
	err = enc(k, buf, len, &got);
	if (err || got != len) {
		kvfree_sensitive(buf, len);
		return err ? khsm_pkcs8_enc_rv(err) : CKR_GENERAL_ERROR;
	}
	*der = buf;
	*der_len = len;
	return CKR_OK;
}

static int khsm_pkcs8_enc_ed25519(const void *k, u8 *out, size_t cap,
				  size_t *out_len)
{
	return kc_p8_encode_25519(KC_P8_ED25519, k, out, cap, out_len);
}

static int khsm_pkcs8_enc_x25519(const void *k, u8 *out, size_t cap,
				 size_t *out_len)
{
	return kc_p8_encode_25519(KC_P8_X25519, k, out, cap, out_len);
}

unsigned long khsm_pkcs8_encode_25519(bool ed, const struct khsm_key *key,
				      u8 **der, u32 *der_len)
{
	struct kc_p8_25519 k = { .priv = key->value };

	if (key->class != CKO_PRIVATE_KEY || !key->value ||
	    key->value_len != KC_P8_25519_LEN)
		return CKR_KEY_NOT_WRAPPABLE;
	return khsm_pkcs8_encode(ed ? khsm_pkcs8_enc_ed25519 :
				 khsm_pkcs8_enc_x25519, &k, der, der_len);
}

unsigned long khsm_pkcs8_decode_25519(bool ed, const u8 *der, u32 der_len,
				      struct khsm_attrs *s)
{
	/* CKA_EC_PARAMS as generated keys have it: the DER OID */
	static const u8 ed_oid[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
	static const u8 x_oid[] = { 0x06, 0x03, 0x2b, 0x65, 0x6e };
	struct kc_p8_25519 k;

	if (!der || kc_p8_decode_25519(ed ? KC_P8_ED25519 : KC_P8_X25519, der,
				       der_len, &k))
		return CKR_WRAPPED_KEY_INVALID;
	if (khsm_attrs_put(s, CKA_EC_PARAMS, ed ? ed_oid : x_oid,
			   sizeof(ed_oid)) ||
	    khsm_attrs_put(s, CKA_VALUE, k.priv, KC_P8_25519_LEN))
		return CKR_HOST_MEMORY;
	return CKR_OK;
}
