// SPDX-License-Identifier: GPL-2.0
/*
 * EC Diffie-Hellman key derivation on the constant-time engine of
 * kmod/crypto/ (PKCS#11 v3.0 current mechanisms 2.3.16):
 * CKM_ECDH1_DERIVE and CKM_ECDH1_COFACTOR_DERIVE on CKK_EC private keys
 * (the curves of mech_ecdsa.c's table; the NIST curves have cofactor 1,
 * so both mechanisms compute the same SP 800-56A ECC CDH primitive Z) and
 * CKM_ECDH1_DERIVE and CKM_ECDH1_COFACTOR_DERIVE on CKK_EC_MONTGOMERY
 * private keys (Z is X25519 of RFC 7748, mech_x25519.c; the peer's
 * public value is its 32-byte u-coordinate, bare or as a DER OCTET
 * STRING; a u of small order, giving Z = 0, is refused).
 *
 * Parameter: struct khsm_ecdh1_derive_params (CK_ECDH1_DERIVE_PARAMS),
 * then the shared data, then the peer's public value: the uncompressed
 * point 04 X Y, bare or as its DER OCTET STRING (pkcs11-tool --derive
 * passes the first, --derive-pass-der the second). A peer point that is
 * not on the curve, the wrong length, compressed or the point at
 * infinity is CKR_MECHANISM_PARAM_INVALID.
 *
 * KDFs: CKD_NULL (the key value is Z; a shorter CKA_VALUE_LEN keeps the
 * trailing bytes of Z, as SoftHSM2 does; no CKA_VALUE_LEN gives all of
 * Z; shared data is refused) and the ANSI X9.63 KDFs CKD_SHA1_KDF and
 * CKD_SHA224/256/384/512_KDF (SEC 1 3.6.1: Hash(Z || counter || shared
 * data), counter 32-bit big-endian from 1), which need CKA_VALUE_LEN.
 *
 * Z and the private scalar live on the stack only and are wiped before
 * return; nothing here allocates.
 */
#include <linux/kernel.h>
#include <linux/string.h>

#include "ck.h"
#include "crypto/engine.h"
#include "mech_family.h"
#include "uapi/linux/khsm.h"

#define KHSM_EC_FLAGS	(CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS | \
			 CKF_EC_CURVENAME)
/* Largest Z: a NIST curve's field, or X25519's 32 bytes. */
#define KHSM_ECDH_MAX_Z	(KC_EC_MAX_BYTES > 32 ? KC_EC_MAX_BYTES : 32)

static const struct {
	unsigned long ckd;
	enum kc_hash hash;
} khsm_ecdh_kdfs[] = {
	{ CKD_SHA1_KDF, KC_SHA1 },
	{ CKD_SHA224_KDF, KC_SHA224 },
	{ CKD_SHA256_KDF, KC_SHA256 },
	{ CKD_SHA384_KDF, KC_SHA384 },
	{ CKD_SHA512_KDF, KC_SHA512 },
};

int khsm_x963_kdf(enum kc_hash hash, const u8 *z, size_t z_len, const u8 *si,
		  size_t si_len, u8 *out, size_t out_len)
{
	struct kc_hash_ctx hc;
	u8 md[KC_HASH_MAX_DIGEST];
	u32 hlen = kc_hash_len(hash), ctr;
	__be32 be;
	size_t n;

	if (!hlen)
		return -EINVAL;
	for (ctr = 1; out_len; ctr++) {
		be = cpu_to_be32(ctr);
		if (kc_hash_init(&hc, hash))
			return -EINVAL;
		kc_hash_update(&hc, z, z_len);
		kc_hash_update(&hc, (const u8 *)&be, sizeof(be));
		if (si_len)
			kc_hash_update(&hc, si, si_len);
		kc_hash_final(&hc, md);
		n = min_t(size_t, out_len, hlen);
		memcpy(out, md, n);
		out += n;
		out_len -= n;
	}
	memzero_explicit(md, sizeof(md));
	return 0;
}

/* The peer's 04 X Y (@plen bytes) in @p: bare or a DER OCTET STRING. */
static const u8 *khsm_ecdh_peer(const u8 *p, u32 len, u32 plen)
{
	if (len == plen)
		return p;
	if (plen < 0x80 && len == plen + 2 && p[0] == 0x04 && p[1] == plen)
		return p + 2;
	if (plen >= 0x80 && plen <= 0xff && len == plen + 3 && p[0] == 0x04 &&
	    p[1] == 0x81 && p[2] == plen)
		return p + 3;
	return NULL;
}

/* The KDF's hash, 0 for CKD_NULL; false for an unknown KDF. */
static bool khsm_ecdh_kdf(u64 ckd, enum kc_hash *hash)
{
	unsigned int i;

	*hash = 0;
	if (ckd == CKD_NULL)
		return true;
	for (i = 0; i < ARRAY_SIZE(khsm_ecdh_kdfs); i++) {
		if (khsm_ecdh_kdfs[i].ckd == ckd) {
			*hash = khsm_ecdh_kdfs[i].hash;
			return true;
		}
	}
	return false;
}

/* Z of a CKK_EC key and the peer's point (bare or DER) in @peer. */
static unsigned long khsm_ecdh_z(const struct khsm_key *key, const u8 *peer,
				 u32 peer_len, u8 *z, u32 *z_len)
{
	u8 d[KC_EC_MAX_BYTES];
	enum kc_curve kc;
	unsigned long rv;
	const u8 *pt;
	u32 nb;
	int err;

	rv = khsm_ec_curve_of(key->ec_params, key->ec_params_len, &kc, &nb);
	if (rv != CKR_OK)
		return rv;
	if (WARN_ON_ONCE(nb > KC_EC_MAX_BYTES))
		return CKR_GENERAL_ERROR;
	pt = khsm_ecdh_peer(peer, peer_len, 1 + 2 * nb);
	if (!pt)
		return CKR_MECHANISM_PARAM_INVALID;
	if (!key->value || !key->value_len || key->value_len > nb)
		return CKR_KEY_SIZE_RANGE;
	memset(d, 0, nb - key->value_len);
	memcpy(d + nb - key->value_len, key->value, key->value_len);
	err = kc_ecdh(kc, d, pt, 1 + 2 * nb, z);
	memzero_explicit(d, sizeof(d));
	if (err == KC_EPOINT)
		return CKR_MECHANISM_PARAM_INVALID;
	if (err)
		return CKR_DEVICE_ERROR;
	*z_len = nb;
	return CKR_OK;
}

static unsigned long khsm_ecdh_derive(const struct khsm_mech *m,
				      const struct khsm_key *key,
				      const struct khsm_key *aux,
				      const void *param, u32 param_len,
				      u8 *out, u32 *out_len)
{
	const struct khsm_ecdh1_derive_params *p = param;
	u8 z[KHSM_ECDH_MAX_Z];
	u32 z_len = 0, want = *out_len;
	const u8 *si, *peer;
	enum kc_hash hash;
	unsigned long rv;

	if (!p || param_len < sizeof(*p) ||
	    (u64)p->shared_len + p->public_len != param_len - sizeof(*p) ||
	    !khsm_ecdh_kdf(p->kdf, &hash) || (!hash && p->shared_len))
		return CKR_MECHANISM_PARAM_INVALID;
	si = (const u8 *)(p + 1);
	peer = si + p->shared_len;
	if (key->key_type == CKK_EC_MONTGOMERY)
		rv = khsm_x25519_z(key, peer, p->public_len, z, &z_len);
	else
		rv = khsm_ecdh_z(key, peer, p->public_len, z, &z_len);
	if (rv != CKR_OK)
		goto out;
	if (!hash && !want)
		want = z_len;
	if (hash && !want)
		rv = CKR_TEMPLATE_INCOMPLETE;
	else if ((!hash && want > z_len) || want > KHSM_MAX_DERIVE_LEN)
		rv = CKR_TEMPLATE_INCONSISTENT;
	else if (!hash)
		memcpy(out, z + z_len - want, want);
	else if (khsm_x963_kdf(hash, z, z_len, si, p->shared_len, out, want))
		rv = CKR_GENERAL_ERROR;
	if (rv == CKR_OK)
		*out_len = want;
out:
	memzero_explicit(z, sizeof(z));
	return rv;
}

#define KHSM_ECDH_MECH(ckm) {					\
	.type = (ckm),						\
	.flags = CKF_DERIVE | KHSM_EC_FLAGS,			\
	.min_key_size = 255,					\
	.max_key_size = 521,					\
	.key_type = CKK_EC,					\
	.derive_key_type2 = CKK_EC_MONTGOMERY,			\
	.derive = khsm_ecdh_derive,				\
}

static const struct khsm_mech khsm_ecdh_mechs[] = {
	KHSM_ECDH_MECH(CKM_ECDH1_DERIVE),
	KHSM_ECDH_MECH(CKM_ECDH1_COFACTOR_DERIVE),
};

const struct khsm_mech_family khsm_mech_ecdh = {
	.name = "ecdh",
	.mechs = khsm_ecdh_mechs,
	.count = ARRAY_SIZE(khsm_ecdh_mechs),
};
