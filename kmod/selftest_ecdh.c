// SPDX-License-Identifier: GPL-2.0
/*
 * ECDH derivation self-tests through the registered entries: the first
 * "P (0 - Correct)" records of NIST CAVP KAS ECC CDH (P-256 and P-384;
 * the engine's own test uses the same records on kc_ecdh() directly)
 * give Z with CKM_ECDH1_DERIVE and CKM_ECDH1_COFACTOR_DERIVE and CKD_NULL,
 * the peer point bare and as a DER OCTET STRING, in full and truncated;
 * a peer point off the curve and an unknown KDF are refused; the ANSI
 * X9.63 KDF reproduces CAVS 12.0 ansx963_2001 [SHA-256] [SharedInfo
 * length = 128] [key data length = 1024] COUNT 0, and CKD_SHA256_KDF
 * through the mechanism gives X9.63-KDF(Z). On CKK_EC_MONTGOMERY keys:
 * the RFC 7748 6.1 X25519 secret, u = 0 refused, and two key pairs from
 * CKM_EC_MONTGOMERY_KEY_PAIR_GEN agreeing both ways round.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ck.h"
#include "mech_family.h"
#include "selftest.h"
#include "key.h"
#include "uapi/linux/khsm.h"

struct khsm_kat_ecdh {
	const char *oid;
	const char *d;
	const char *peer;		/* 04 X Y */
	const char *z;
};

static const struct khsm_kat_ecdh khsm_kat_ecdh[] = {
	{
		.oid = "06082a8648ce3d030107",
		.d = "d18944fa9c790c73f9ae0e1bf60d43c455566956b5129ab46d81717a79f4ac41",
		.peer = "04202d3ce22f0820187aed2487e53f4130e5cd079ed17af81660a3fb98989368a93908e29a553d01231b6039582fda6360cf1da617bfe51ba4c228d3951f8c6027",
		.z = "4a0eea8af2e2ad7e0ed880f40e0332b9837ab9622069a87c64b0581ee92409ca",
	},
	{
		.oid = "06052b81040022",
		.d = "f865418473e5bf7d2e1bbcd9bd5a9270c003a9dd35e778133ca59fcab4bb64fe24d6800e7047bdd033abc8bfa8db35b5",
		.peer = "04d1bf2ac21637d66d6398aac01dcd56ac6f065fb45d1f6f16747bab9e9b01b4630b59b20927aea147355bf41838acb4824c9e23f1c5a41647d094086bf4ed31708651f21d996c47780688ac10f77deee2e43b5241b6caecd2fd5444bc50472e0e",
		.z = "a781430e6078a179df3f9ee27cd8fdc6188f161b6c4ccc4053ef6c6ca6fc222946883a53c06db08f0a020023ced055aa",
	},
};

static const char khsm_kat_x963_z[] =
	"22518b10e70f2a3f243810ae3254139efbee04aa57c7af7d";
static const char khsm_kat_x963_si[] = "75eef81aa3041e33b80971203d2c0c52";
static const char khsm_kat_x963_out[] = "c498af77161cc59f2962b9a713e2b215152d139766ce34a776df11866a69bf2e52a13d9c7c6fc878c50c5ea0bc7b00e0da2447cfd874f6cf92f30d0097111485500c90c3af8b487872d04685d14c8d1dc8d7fa08beb0ce0ababc11f0bd496269142d43525a78e5bc79a17f59676a5706dc54d54d4d1f0bd7e386128ec26afc21";

#define KHSM_KAT_ECDH_PARAM	(sizeof(struct khsm_ecdh1_derive_params) + \
				 16 + 3 + KC_EC_MAX_POINT)

/*
 * Derive with @type, @kdf, shared data @si and the peer @peer (@der: as a
 * DER OCTET STRING) asking for @len bytes (0: the mechanism's choice);
 * the result must be @want_rv and, on success, @exp.
 */
static int khsm_kat_derive(unsigned long type, const struct khsm_key *key,
			   u64 kdf, const u8 *si, u32 si_len, const u8 *peer,
			   u32 peer_len, bool der, u32 len, const u8 *exp,
			   u32 exp_len, unsigned long want_rv)
{
	const struct khsm_mech *m = khsm_mech_find(type);
	struct khsm_ecdh1_derive_params *p;
	u8 param[KHSM_KAT_ECDH_PARAM], out[KHSM_MAX_DERIVE_LEN];
	u8 *pub;
	unsigned long rv;
	u32 hdr = der ? (peer_len < 0x80 ? 2 : 3) : 0;
	int ret = 0;

	if (!m || !m->derive || si_len > 16 || peer_len > KC_EC_MAX_POINT)
		return -ENOENT;
	memset(param, 0, sizeof(param));
	p = (struct khsm_ecdh1_derive_params *)param;
	p->kdf = kdf;
	p->shared_len = si_len;
	p->public_len = peer_len + hdr;
	memcpy(param + sizeof(*p), si, si_len);
	pub = param + sizeof(*p) + si_len;
	if (hdr == 2) {
		pub[0] = 0x04;
		pub[1] = peer_len;
	} else if (hdr == 3) {
		pub[0] = 0x04;
		pub[1] = 0x81;
		pub[2] = peer_len;
	}
	memcpy(pub + hdr, peer, peer_len);
	rv = m->derive(m, key, NULL, param, sizeof(*p) + si_len + hdr + peer_len,
		       out, &len);
	if (rv != want_rv) {
		pr_err("self-test: derive with mechanism 0x%lx kdf %llu: rv 0x%lx, not 0x%lx\n",
		       type, kdf, rv, want_rv);
		ret = -EINVAL;
	} else if (rv == CKR_OK && (len != exp_len || memcmp(out, exp, len))) {
		pr_err("self-test: derive with mechanism 0x%lx kdf %llu: wrong value\n",
		       type, kdf);
		ret = -EINVAL;
	}
	memzero_explicit(out, sizeof(out));
	return ret;
}

static int khsm_kat_ecdh_one(const struct khsm_kat_ecdh *v)
{
	size_t oid_len, d_len, q_len, z_len, si_len;
	u8 *oid, *d, *q, *z, *si;
	u8 kdf[32];
	struct khsm_key key = {
		.class = CKO_PRIVATE_KEY,
		.key_type = CKK_EC,
	};
	int ret = -ENOMEM;

	oid = khsm_kat_hex(v->oid, &oid_len);
	d = khsm_kat_hex(v->d, &d_len);
	q = khsm_kat_hex(v->peer, &q_len);
	z = khsm_kat_hex(v->z, &z_len);
	si = khsm_kat_hex(khsm_kat_x963_si, &si_len);
	if (!oid || !d || !q || !z || !si)
		goto out;
	key.ec_params = oid;
	key.ec_params_len = oid_len;
	key.value = d;
	key.value_len = d_len;
	ret = khsm_kat_derive(CKM_ECDH1_DERIVE, &key, CKD_NULL, NULL, 0, q,
			      q_len, false, 0, z, z_len, CKR_OK);
	ret = ret ?: khsm_kat_derive(CKM_ECDH1_COFACTOR_DERIVE, &key, CKD_NULL,
				     NULL, 0, q, q_len, true, 0, z, z_len,
				     CKR_OK);
	/* CKA_VALUE_LEN 16: the trailing bytes of Z */
	ret = ret ?: khsm_kat_derive(CKM_ECDH1_DERIVE, &key, CKD_NULL, NULL, 0,
				     q, q_len, true, 16, z + z_len - 16, 16,
				     CKR_OK);
	ret = ret ?: khsm_kat_derive(CKM_ECDH1_DERIVE, &key, CKD_NULL, NULL, 0,
				     q, q_len, false, z_len + 1, NULL, 0,
				     CKR_TEMPLATE_INCONSISTENT);
	ret = ret ?: khsm_kat_derive(CKM_ECDH1_DERIVE, &key, 0x7f, NULL, 0, q,
				     q_len, false, 16, NULL, 0,
				     CKR_MECHANISM_PARAM_INVALID);
	if (!ret && khsm_x963_kdf(KC_SHA256, z, z_len, si, si_len, kdf,
				  sizeof(kdf)))
		ret = -EINVAL;
	ret = ret ?: khsm_kat_derive(CKM_ECDH1_DERIVE, &key, CKD_SHA256_KDF,
				     si, si_len, q, q_len, false, sizeof(kdf),
				     kdf, sizeof(kdf), CKR_OK);
	if (ret)
		goto out;
	/* Y + 1 is not on the curve (nor is Y + 1 - p). */
	q[q_len - 1] ^= 0x01;
	ret = khsm_kat_derive(CKM_ECDH1_DERIVE, &key, CKD_NULL, NULL, 0, q,
			      q_len, false, 0, NULL, 0,
			      CKR_MECHANISM_PARAM_INVALID);
out:
	memzero_explicit(kdf, sizeof(kdf));
	kfree(oid);
	kfree_sensitive(d);
	kfree(q);
	kfree_sensitive(z);
	kfree(si);
	return ret;
}

/* RFC 7748 6.1: Alice's private key, Bob's public key, their secret. */
static const char khsm_kat_x_alice[] = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
static const char khsm_kat_x_bob_pub[] = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
static const char khsm_kat_x_shared[] = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
static const u8 khsm_kat_x_oid[] = { 0x06, 0x03, 0x2b, 0x65, 0x6e };

/*
 * X25519 through CKM_ECDH1_DERIVE: the RFC 7748 secret (peer bare and
 * DER), u = 0 (small order) refused, and two pairs made by
 * CKM_EC_MONTGOMERY_KEY_PAIR_GEN agree.
 */
static int khsm_kat_x25519(void)
{
	struct khsm_keymat *a_priv = NULL, *a_pub = NULL, *b_priv = NULL;
	struct khsm_keymat *b_pub = NULL;
	size_t d_len, q_len, z_len;
	u8 *d, *q, *z, zero[32] = {}, ab[32];
	struct khsm_key key = {
		.class = CKO_PRIVATE_KEY,
		.key_type = CKK_EC_MONTGOMERY,
		.ec_params = khsm_kat_x_oid,
		.ec_params_len = sizeof(khsm_kat_x_oid),
	};
	const struct khsm_mech *m = khsm_mech_find(CKM_ECDH1_DERIVE);
	struct {
		struct khsm_ecdh1_derive_params p;
		u8 u[34];
	} prm = {};
	u32 len = 0;
	int ret = -ENOMEM;

	d = khsm_kat_hex(khsm_kat_x_alice, &d_len);
	q = khsm_kat_hex(khsm_kat_x_bob_pub, &q_len);
	z = khsm_kat_hex(khsm_kat_x_shared, &z_len);
	if (!d || !q || !z || !m)
		goto out;
	key.value = d;
	key.value_len = d_len;
	ret = khsm_kat_derive(CKM_ECDH1_DERIVE, &key, CKD_NULL, NULL, 0, q,
			      q_len, false, 0, z, z_len, CKR_OK);
	ret = ret ?: khsm_kat_derive(CKM_ECDH1_COFACTOR_DERIVE, &key, CKD_NULL,
				     NULL, 0, q, q_len, true, 0, z, z_len,
				     CKR_OK);
	ret = ret ?: khsm_kat_derive(CKM_ECDH1_DERIVE, &key, CKD_NULL, NULL, 0,
				     zero, sizeof(zero), false, 0, NULL, 0,
				     CKR_MECHANISM_PARAM_INVALID);
	if (ret)
		goto out;
	if (khsm_kat_gen_curve_pair(&khsm_key_ec_montgomery, khsm_kat_x_oid,
				    sizeof(khsm_kat_x_oid), &a_priv, &a_pub) ||
	    khsm_kat_gen_curve_pair(&khsm_key_ec_montgomery, khsm_kat_x_oid,
				    sizeof(khsm_kat_x_oid), &b_priv, &b_pub)) {
		ret = -EINVAL;
		goto out;
	}
	prm.p.kdf = CKD_NULL;
	prm.p.public_len = a_pub->key.ec_point_len;
	if (prm.p.public_len > sizeof(prm.u)) {
		ret = -EINVAL;
		goto out;
	}
	memcpy(prm.u, a_pub->key.ec_point, prm.p.public_len);
	if (m->derive(m, &b_priv->key, NULL, &prm, sizeof(prm.p) + prm.p.public_len,
		      ab, &len) != CKR_OK || len != 32) {
		ret = -EINVAL;
		goto out;
	}
	ret = khsm_kat_derive(CKM_ECDH1_DERIVE, &a_priv->key, CKD_NULL, NULL,
			      0, b_pub->key.ec_point + 2,
			      b_pub->key.ec_point_len - 2, true, 0, ab, 32,
			      CKR_OK);
out:
	memzero_explicit(ab, sizeof(ab));
	khsm_keymat_put(a_priv);
	khsm_keymat_put(a_pub);
	khsm_keymat_put(b_priv);
	khsm_keymat_put(b_pub);
	kfree_sensitive(d);
	kfree(q);
	kfree_sensitive(z);
	return ret;
}

int khsm_selftest_ecdh(void)
{
	size_t z_len, si_len, exp_len;
	u8 *z, *si, *exp, out[128];
	unsigned int i;
	int ret = -ENOMEM;

	z = khsm_kat_hex(khsm_kat_x963_z, &z_len);
	si = khsm_kat_hex(khsm_kat_x963_si, &si_len);
	exp = khsm_kat_hex(khsm_kat_x963_out, &exp_len);
	if (!z || !si || !exp || exp_len != sizeof(out))
		goto out;
	ret = khsm_x963_kdf(KC_SHA256, z, z_len, si, si_len, out, sizeof(out));
	if (!ret && memcmp(out, exp, sizeof(out))) {
		pr_err("self-test: X9.63 KDF: wrong value\n");
		ret = -EINVAL;
	}
	for (i = 0; !ret && i < ARRAY_SIZE(khsm_kat_ecdh); i++)
		ret = khsm_kat_ecdh_one(&khsm_kat_ecdh[i]);
	ret = ret ?: khsm_kat_x25519();
out:
	memzero_explicit(out, sizeof(out));
	kfree(z);
	kfree(si);
	kfree(exp);
	return ret;
}
