// SPDX-License-Identifier: GPL-2.0
/*
 * EdDSA known-answer tests through the registered entries (mech_eddsa.c):
 * RFC 8032 7.1 TEST 1 (empty message, curve named by OID) and TEST 2 (one
 * byte, curve named by PrintableString), one-shot and multi-part signing
 * and verification, altered and wrong-length signatures, the mechanism
 * parameter (pure Ed25519 with an explicit empty parameter; RFC 8032 7.2
 * Ed25519ctx "foo" and 7.3 Ed25519ph "abc", one-shot and multi-part;
 * malformed parameters refused), a public key that does not decode,
 * unsupported and malformed curves, and a generated key pair that signs
 * and verifies.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ck.h"
#include "mech_family.h"
#include "selftest.h"
#include "uapi/linux/khsm.h"

struct khsm_kat_ed {
	const char *seed;
	const char *pub;
	const char *msg;
	const char *sig;
	bool by_name;		/* CKA_EC_PARAMS as PrintableString */
};

static const struct khsm_kat_ed khsm_kat_ed[] = {
	{	/* RFC 8032 7.1 TEST 1 */
		.seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
		.pub = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
		.msg = "",
		.sig = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
	},
	{	/* RFC 8032 7.1 TEST 2 */
		.seed = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
		.pub = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
		.msg = "72",
		.sig = "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
		.by_name = true,
	},
};

static const u8 khsm_ed_oid[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
static const u8 khsm_ed_name[] = {
	0x13, 0x0c, 'e', 'd', 'w', 'a', 'r', 'd', 's', '2', '5', '5', '1', '9'
};

/* Sign, verify (good, bit flipped, one byte short), both ways. */
static int khsm_kat_ed_check(const struct khsm_key *priv,
			     const struct khsm_key *pub, const u8 *msg,
			     size_t len, u8 *sig, bool known)
{
	int ret = 0;

	if (known) {
		ret = khsm_kat_op(CKM_EDDSA, KHSM_OP_SIGN, priv, NULL, 0, msg,
				  len, sig, 64, 0, CKR_OK);
		ret = ret ?: khsm_kat_op(CKM_EDDSA, KHSM_OP_SIGN, priv, NULL,
					 0, msg, len, sig, 64, 1, CKR_OK);
	}
	ret = ret ?: khsm_kat_op(CKM_EDDSA, KHSM_OP_VERIFY, pub, NULL, 0, msg,
				 len, sig, 64, 0, CKR_OK);
	ret = ret ?: khsm_kat_op(CKM_EDDSA, KHSM_OP_VERIFY, pub, NULL, 0, msg,
				 len, sig, 64, 1, CKR_OK);
	if (ret)
		return ret;
	sig[63] ^= 0x01;
	ret = khsm_kat_op(CKM_EDDSA, KHSM_OP_VERIFY, pub, NULL, 0, msg, len,
			  sig, 64, 0, CKR_SIGNATURE_INVALID);
	sig[63] ^= 0x01;
	return ret ?: khsm_kat_op(CKM_EDDSA, KHSM_OP_VERIFY, pub, NULL, 0, msg,
				  len, sig, 63, 0, CKR_SIGNATURE_LEN_RANGE);
}

/* Pure Ed25519 with an explicit parameter; malformed parameters. */
static int khsm_kat_ed_params(const struct khsm_key *priv, const u8 *msg,
			      size_t len, const u8 *sig)
{
	struct {
		struct khsm_eddsa_params p;
		u8 ctx[1];
	} prm = {};
	int ret;

	ret = khsm_kat_op(CKM_EDDSA, KHSM_OP_SIGN, priv, &prm.p,
			  sizeof(prm.p), msg, len, sig, 64, 0, CKR_OK);
	prm.p.ph_flag = 2;
	ret = ret ?: khsm_kat_op(CKM_EDDSA, KHSM_OP_SIGN, priv, &prm.p,
				 sizeof(prm.p), msg, len, sig, 64, 0,
				 CKR_MECHANISM_PARAM_INVALID);
	prm.p.ph_flag = 0;
	prm.p.context_len = 2;
	ret = ret ?: khsm_kat_op(CKM_EDDSA, KHSM_OP_SIGN, priv, &prm,
				 sizeof(prm), msg, len, sig, 64, 0,
				 CKR_MECHANISM_PARAM_INVALID);
	return ret ?: khsm_kat_op(CKM_EDDSA, KHSM_OP_SIGN, priv, &prm.p,
				  sizeof(prm.p) - 1, msg, len, sig, 64, 0,
				  CKR_MECHANISM_PARAM_INVALID);
}

struct khsm_kat_ed_dom {
	const char *seed, *pub, *msg, *sig;
	u32 ph_flag;
	const char *ctx;
};

static const struct khsm_kat_ed_dom khsm_kat_ed_dom[] = {
	{	/* RFC 8032 7.2 Ed25519ctx, context "foo" */
		.seed = "0305334e381af78f141cb666f6199f57bc3495335a256a95bd2a55bf546663f6",
		.pub = "dfc9425e4f968f7f0c29f0259cf5f9aed6851c2bb4ad8bfb860cfee0ab248292",
		.msg = "f726936d19c800494e3fdaff20b276a8",
		.sig = "55a4cc2f70a54e04288c5f4cd1e45a7bb520b36292911876cada7323198dd87a8b36950b95130022907a7fb7c4e9b2d5f6cca685a587b4b21f4b888e4e7edb0d",
		.ctx = "foo",
	},
	{	/* RFC 8032 7.3 Ed25519ph "abc" (the kernel hashes) */
		.seed = "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
		.pub = "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
		.msg = "616263",
		.sig = "98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae4131f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406",
		.ph_flag = 1,
		.ctx = "",
	},
};

/* Ed25519ctx / Ed25519ph: sign and verify, one-shot and in parts. */
static int khsm_kat_ed_dom_one(const struct khsm_kat_ed_dom *v)
{
	struct khsm_key priv = {
		.class = CKO_PRIVATE_KEY, .key_type = CKK_EC_EDWARDS,
		.ec_params = khsm_ed_oid, .ec_params_len = sizeof(khsm_ed_oid),
	};
	struct khsm_key pub = priv;
	struct {
		struct khsm_eddsa_params p;
		u8 ctx[8];
	} prm = {};
	size_t seed_len, pub_len, msg_len, sig_len, clen = strlen(v->ctx);
	u8 *seed = khsm_kat_hex(v->seed, &seed_len);
	u8 *q = khsm_kat_hex(v->pub, &pub_len);
	u8 *msg = khsm_kat_hex(v->msg, &msg_len);
	u8 *sig = khsm_kat_hex(v->sig, &sig_len);
	u32 plen = sizeof(prm.p) + clen;
	u8 point[34];
	int ret = -ENOMEM;

	if (!seed || !q || !msg || !sig)
		goto out;
	ret = -EINVAL;
	if (seed_len != 32 || pub_len != 32 || sig_len != 64 ||
	    clen > sizeof(prm.ctx))
		goto out;
	prm.p.ph_flag = v->ph_flag;
	prm.p.context_len = clen;
	memcpy(prm.ctx, v->ctx, clen);
	point[0] = 0x04;
	point[1] = 32;
	memcpy(point + 2, q, 32);
	priv.value = seed;
	priv.value_len = 32;
	pub.class = CKO_PUBLIC_KEY;
	pub.ec_point = point;
	pub.ec_point_len = sizeof(point);
	ret = khsm_kat_op(CKM_EDDSA, KHSM_OP_SIGN, &priv, &prm, plen, msg,
			  msg_len, sig, 64, 0, CKR_OK);
	ret = ret ?: khsm_kat_op(CKM_EDDSA, KHSM_OP_SIGN, &priv, &prm, plen,
				 msg, msg_len, sig, 64, 1, CKR_OK);
	ret = ret ?: khsm_kat_op(CKM_EDDSA, KHSM_OP_VERIFY, &pub, &prm, plen,
				 msg, msg_len, sig, 64, 0, CKR_OK);
	ret = ret ?: khsm_kat_op(CKM_EDDSA, KHSM_OP_VERIFY, &pub, &prm, plen,
				 msg, msg_len, sig, 64, 1, CKR_OK);
	/* not a pure Ed25519 signature of the same message */
	ret = ret ?: khsm_kat_op(CKM_EDDSA, KHSM_OP_VERIFY, &pub, NULL, 0,
				 msg, msg_len, sig, 64, 0,
				 CKR_SIGNATURE_INVALID);
out:
	kfree_sensitive(seed);
	kfree(q);
	kfree(msg);
	kfree(sig);
	return ret;
}

static int khsm_kat_ed_one(const struct khsm_kat_ed *v)
{
	struct khsm_key priv = {
		.class = CKO_PRIVATE_KEY, .key_type = CKK_EC_EDWARDS
	};
	struct khsm_key pub = {
		.class = CKO_PUBLIC_KEY, .key_type = CKK_EC_EDWARDS
	};
	size_t seed_len, pub_len, msg_len, sig_len;
	u8 *seed = khsm_kat_hex(v->seed, &seed_len);
	u8 *q = khsm_kat_hex(v->pub, &pub_len);
	u8 *msg = khsm_kat_hex(v->msg, &msg_len);
	u8 *sig = khsm_kat_hex(v->sig, &sig_len);
	u8 point[34];
	int ret = -ENOMEM;

	if (!seed || !q || !msg || !sig)
		goto out;
	ret = -EINVAL;
	if (seed_len != 32 || pub_len != 32 || sig_len != 64)
		goto out;
	point[0] = 0x04;
	point[1] = 32;
	memcpy(point + 2, q, 32);
	priv.ec_params = v->by_name ? khsm_ed_name : khsm_ed_oid;
	priv.ec_params_len = v->by_name ? sizeof(khsm_ed_name) :
			     sizeof(khsm_ed_oid);
	priv.value = seed;
	priv.value_len = 32;
	pub.ec_params = priv.ec_params;
	pub.ec_params_len = priv.ec_params_len;
	pub.ec_point = point;
	pub.ec_point_len = sizeof(point);
	ret = khsm_kat_ed_check(&priv, &pub, msg, msg_len, sig, true);
	ret = ret ?: khsm_kat_ed_params(&priv, msg, msg_len, sig);
	if (ret)
		goto out;
	/* the bare 32-byte encoding is accepted too */
	pub.ec_point = q;
	pub.ec_point_len = 32;
	ret = khsm_kat_op(CKM_EDDSA, KHSM_OP_VERIFY, &pub, NULL, 0, msg,
			  msg_len, sig, 64, 0, CKR_OK);
	/* y = p: not a canonical encoding, refused at init */
	memset(point + 2, 0xff, 32);
	point[2] = 0xed;
	point[33] = 0x7f;
	pub.ec_point = point;
	pub.ec_point_len = sizeof(point);
	ret = ret ?: khsm_kat_op(CKM_EDDSA, KHSM_OP_VERIFY, &pub, NULL, 0,
				 msg, msg_len, sig, 64, 0,
				 CKR_PUBLIC_KEY_INVALID);
out:
	kfree_sensitive(seed);
	kfree(q);
	kfree(msg);
	kfree(sig);
	return ret;
}

/* A fresh key pair signs and verifies; other curves are refused. */
static int khsm_kat_ed_keygen(void)
{
	static const u8 ed448[] = { 0x06, 0x03, 0x2b, 0x65, 0x71 };
	static const u8 bad[] = { 0x13, 0x0d, 'e', 'd' };
	static const u8 msg[] = "sample";
	const struct khsm_key_ops *ops = &khsm_key_ec_edwards;
	const struct khsm_mech *sm = khsm_mech_find(CKM_EDDSA);
	struct khsm_op op = { .mech = sm, .kind = KHSM_OP_SIGN };
	struct khsm_keymat *priv, *pub;
	const struct khsm_key *k;
	u8 sig[KHSM_MAX_SIG_LEN];
	size_t sig_len = 0;
	unsigned long rv;
	int ret;

	if (!sm)
		return -ENOENT;
	if (khsm_kat_gen_curve_pair(ops, ed448, sizeof(ed448), &priv, &pub) !=
	    CKR_CURVE_NOT_SUPPORTED ||
	    khsm_kat_gen_curve_pair(ops, bad, sizeof(bad), &priv, &pub) !=
	    CKR_DOMAIN_PARAMS_INVALID) {
		pr_err("self-test: EdDSA key generation accepted bad parameters\n");
		return -EINVAL;
	}
	rv = khsm_kat_gen_curve_pair(ops, khsm_ed_oid, sizeof(khsm_ed_oid),
				     &priv, &pub);
	if (rv != CKR_OK) {
		pr_err("self-test: EdDSA key generation: rv 0x%lx\n", rv);
		return -EINVAL;
	}
	k = &pub->key;
	if (priv->key.value_len != 32 || k->ec_point_len != 34 ||
	    k->ec_point[0] != 0x04 || k->ec_point[1] != 32) {
		pr_err("self-test: EdDSA key generation: bad key\n");
		ret = -EINVAL;
		goto out;
	}
	rv = sm->init(&op, &priv->key, NULL, 0);
	if (rv == CKR_OK)
		rv = sm->step(&op, KHSM_STEP_ONESHOT, msg, 6, sig, &sig_len,
			      NULL, 0);
	sm->cleanup(&op);
	if (rv != CKR_OK || sig_len != 64) {
		pr_err("self-test: EdDSA sign with a new key: rv 0x%lx\n", rv);
		ret = -EINVAL;
		goto out;
	}
	ret = khsm_kat_ed_check(&priv->key, k, msg, 6, sig, false);
out:
	khsm_keymat_put(priv);
	khsm_keymat_put(pub);
	return ret;
}

int khsm_selftest_eddsa(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(khsm_kat_ed); i++) {
		ret = khsm_kat_ed_one(&khsm_kat_ed[i]);
		if (ret)
			return ret;
	}
	for (i = 0; i < ARRAY_SIZE(khsm_kat_ed_dom); i++) {
		ret = khsm_kat_ed_dom_one(&khsm_kat_ed_dom[i]);
		if (ret)
			return ret;
	}
	return khsm_kat_ed_keygen();
}
