// SPDX-License-Identifier: GPL-2.0
/*
 * X25519 keys (CKK_EC_MONTGOMERY, PKCS#11 v3.0 2.3.5) on the constant-time
 * engine of kmod/crypto/: CKM_EC_MONTGOMERY_KEY_PAIR_GEN, and the X25519
 * function (RFC 7748 section 5) behind CKM_ECDH1_DERIVE on these keys
 * (mech_ecdh.c calls khsm_x25519_z()).
 *
 * Keys: CKA_EC_PARAMS names curve25519, as the DER OID 1.3.101.110 or as
 * the DER PrintableString "curve25519"; CKA_VALUE of the private key is
 * the RFC 7748 32-byte scalar (clamped when used, as RFC 7748 says);
 * CKA_EC_POINT of the public key is the 32-byte u-coordinate as a DER
 * OCTET STRING 04 20 u (what is generated), or bare on import.
 */
#include <linux/kernel.h>
#include <linux/string.h>

#include "ck.h"
#include "crypto/engine.h"
#include "key.h"
#include "mech_family.h"

#define KHSM_X25519_LEN		32
#define KHSM_X25519_FLAGS	(CKF_EC_F_P | CKF_EC_OID | CKF_EC_CURVENAME)

/* CKA_EC_PARAMS: curve25519 by OID or by curveName. */
static unsigned long khsm_x25519_curve(const u8 *der, u32 len)
{
	static const u8 oid[] = { 0x06, 0x03, 0x2b, 0x65, 0x6e };
	static const u8 name[] = {
		0x13, 0x0a, 'c', 'u', 'r', 'v', 'e', '2', '5', '5', '1', '9'
	};

	if (!der || len < 3 || (der[0] != 0x06 && der[0] != 0x13) ||
	    der[1] >= 0x80 || der[1] != len - 2)
		return CKR_DOMAIN_PARAMS_INVALID;
	if ((len == sizeof(oid) && !memcmp(der, oid, len)) ||
	    (len == sizeof(name) && !memcmp(der, name, len)))
		return CKR_OK;
	return CKR_CURVE_NOT_SUPPORTED;	/* X448, other curves */
}

/* A u-coordinate: 32 bytes, bare or as a DER OCTET STRING; NULL if not. */
static const u8 *khsm_x25519_u(const u8 *p, u32 len)
{
	if (p && len == KHSM_X25519_LEN + 2 && p[0] == 0x04 &&
	    p[1] == KHSM_X25519_LEN)
		return p + 2;
	if (p && len == KHSM_X25519_LEN)
		return p;
	return NULL;
}

unsigned long khsm_x25519_z(const struct khsm_key *key, const u8 *peer,
			    u32 peer_len, u8 *z, u32 *z_len)
{
	const u8 *u = khsm_x25519_u(peer, peer_len);
	unsigned long rv;
	int err;

	rv = khsm_x25519_curve(key->ec_params, key->ec_params_len);
	if (rv != CKR_OK)
		return rv;
	if (!key->value || key->value_len != KHSM_X25519_LEN)
		return CKR_KEY_SIZE_RANGE;
	if (!u)
		return CKR_MECHANISM_PARAM_INVALID;
	err = kc_x25519(z, key->value, u);
	if (err) {
		memzero_explicit(z, KHSM_X25519_LEN);
		/* an all-zero secret: @u has small order (RFC 7748 6.1) */
		return err == KC_EPOINT ? CKR_MECHANISM_PARAM_INVALID :
					  CKR_DEVICE_ERROR;
	}
	*z_len = KHSM_X25519_LEN;
	return CKR_OK;
}

static unsigned long khsm_x25519_gen_pair(const u8 *ec_params,
					  u32 ec_params_len,
					  struct khsm_keypair *out)
{
	u8 priv[KHSM_X25519_LEN], pub[KHSM_X25519_LEN];
	unsigned long rv;

	rv = khsm_x25519_curve(ec_params, ec_params_len);
	if (rv != CKR_OK)
		return rv;
	if (out->priv_len < KHSM_X25519_LEN ||
	    out->pub_point_len < KHSM_X25519_LEN + 2)
		return CKR_GENERAL_ERROR;
	if (kc_x25519_keygen(priv, pub)) {
		rv = CKR_DEVICE_ERROR;
		goto out;
	}
	memcpy(out->priv, priv, KHSM_X25519_LEN);
	out->priv_len = KHSM_X25519_LEN;
	out->pub_point[0] = 0x04;		/* OCTET STRING */
	out->pub_point[1] = KHSM_X25519_LEN;
	memcpy(out->pub_point + 2, pub, KHSM_X25519_LEN);
	out->pub_point_len = KHSM_X25519_LEN + 2;
out:
	memzero_explicit(priv, sizeof(priv));
	return rv;
}

/* Key sizes in bits: the field size of curve25519 (p = 2^255 - 19). */
static const struct khsm_mech khsm_x25519_mechs[] = {
	{
		.type = CKM_EC_MONTGOMERY_KEY_PAIR_GEN,
		.flags = CKF_GENERATE_KEY_PAIR | KHSM_X25519_FLAGS,
		.min_key_size = 255,
		.max_key_size = 255,
		.key_type = CKK_EC_MONTGOMERY,	/* of the generated keys */
	},
};

const struct khsm_mech_family khsm_mech_x25519 = {
	.name = "x25519",
	.mechs = khsm_x25519_mechs,
	.count = ARRAY_SIZE(khsm_x25519_mechs),
};

/* --- the key type -------------------------------------------------------- */

/* An imported key: the curve, a 32-byte scalar or u-coordinate. */
static unsigned long khsm_x25519_key_check(const struct khsm_key *key)
{
	unsigned long rv;

	rv = khsm_x25519_curve(key->ec_params, key->ec_params_len);
	if (rv != CKR_OK)
		return rv;
	if (key->class == CKO_PRIVATE_KEY)
		return key->value_len == KHSM_X25519_LEN ? CKR_OK :
			CKR_KEY_SIZE_RANGE;
	return khsm_x25519_u(key->ec_point, key->ec_point_len) ? CKR_OK :
		CKR_PUBLIC_KEY_INVALID;
}

static unsigned long khsm_x25519_key_generate_pair(const struct khsm_mech *m,
						   struct khsm_attrs *pub,
						   struct khsm_attrs *priv)
{
	return khsm_curve_key_generate_pair(pub, priv, khsm_x25519_gen_pair);
}

/* C_WrapKey/C_UnwrapKey: RFC 8410 PrivateKeyInfo of the scalar. */
static unsigned long khsm_x25519_pkcs8_encode(const struct khsm_key *key,
					      u8 **der, u32 *der_len)
{
	if (khsm_x25519_curve(key->ec_params, key->ec_params_len) != CKR_OK)
		return CKR_KEY_NOT_WRAPPABLE;
	return khsm_pkcs8_encode_25519(false, key, der, der_len);
}

static unsigned long khsm_x25519_pkcs8_decode(const u8 *der, u32 der_len,
					      struct khsm_attrs *s)
{
	return khsm_pkcs8_decode_25519(false, der, der_len, s);
}

/* X25519: 128 bits. */
static u32 khsm_x25519_strength(const struct khsm_key *key)
{
	return 128;
}

const struct khsm_key_ops khsm_key_ec_montgomery = {
	.strength = khsm_x25519_strength,
	.type = CKK_EC_MONTGOMERY,
	.name = "ec-montgomery",
	KHSM_CURVE_KEY_OPS,
	.check = khsm_x25519_key_check,
	.generate_pair = khsm_x25519_key_generate_pair,
	.pkcs8_encode = khsm_x25519_pkcs8_encode,
	.pkcs8_decode = khsm_x25519_pkcs8_decode,
};
