// SPDX-License-Identifier: GPL-2.0
/*
 * ECDSA self-tests through the registered entries, with the keys and
 * signatures of RFC 6979 A.2.5 (P-256), A.2.6 (P-384) and A.2.7 (P-521,
 * SHA-512; its 133-byte point in a long-form OCTET STRING), message
 * "sample": the known signatures verify (hashed mechanism and CKM_ECDSA
 * over the known hash, one-shot and multi-part) and altered or
 * wrong-length ones do not; fresh signatures (hashed and raw, one-shot
 * and multi-part) verify both ways round, are hedged (never the RFC's
 * deterministic signature, never twice the same); a generated key pair
 * signs and verifies. The unhedged RFC 6979 nonces themselves are the
 * engine's known answers (kc_selftest(), qemu-tests/engine/kat_test.c).
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ck.h"
#include "mech_family.h"
#include "selftest.h"
#include "uapi/linux/khsm.h"

struct khsm_kat_ec {
	const char *oid;
	const char *d;
	const char *qx_qy;
	unsigned long mech;		/* the hashed mechanism of the vector */
	const char *hash;		/* H("sample") for CKM_ECDSA */
	const char *rs;
};

static const struct khsm_kat_ec khsm_kat_ec[] = {
	{
		.oid = "06082a8648ce3d030107",
		.d = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
		.qx_qy = "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb67903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299",
		.mech = CKM_ECDSA_SHA256,
		.hash = "af2bdbe1aa9b6ec1e2ade1d694f41fc71a831d0268e9891562113d8a62add1bf",
		.rs = "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8",
	},
	{
		.oid = "06052b81040022",
		.d = "6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5",
		.qx_qy = "ec3a4e415b4e19a4568618029f427fa5da9a8bc4ae92e02e06aae5286b300c64def8f0ea9055866064a254515480bc138015d9b72d7d57244ea8ef9ac0c621896708a59367f9dfb9f54ca84b3f1c9db1288b231c3ae0d4fe7344fd2533264720",
		.mech = CKM_ECDSA_SHA384,
		.hash = "9a9083505bc92276aec4be312696ef7bf3bf603f4bbd381196a029f340585312313bca4a9b5b890efee42c77b1ee25fe",
		.rs = "94edbb92a5ecb8aad4736e56c691916b3f88140666ce9fa73d64c4ea95ad133c81a648152e44acf96e36dd1e80fabe4699ef4aeb15f178cea1fe40db2603138f130e740a19624526203b6351d0a3a94fa329c145786e679e7b82c71a38628ac8",
	},
	{
		.oid = "06052b81040023",
		.d = "00fad06daa62ba3b25d2fb40133da757205de67f5bb0018fee8c86e1b68c7e75caa896eb32f1f47c70855836a6d16fcc1466f6d8fbec67db89ec0c08b0e996b83538",
		.qx_qy = "01894550d0785932e00eaa23b694f213f8c3121f86dc97a04e5a7167db4e5bcd371123d46e45db6b5d5370a7f20fb633155d38ffa16d2bd761dcac474b9a2f5023a400493101c962cd4d2fddf782285e64584139c2f91b47f87ff82354d6630f746a28a0db25741b5b34a828008b22acc23f924faafbd4d33f81ea66956dfeaa2bfdfcf5",
		.mech = CKM_ECDSA_SHA512,
		.hash = "39a5e04aaff7455d9850c605364f514c11324ce64016960d23d5dc57d3ffd8f49a739468ab8049bf18eef820cdb1ad6c9015f838556bc7fad4138b23fdf986c7",
		.rs = "00c328fafcbd79dd77850370c46325d987cb525569fb63c5d3bc53950e6d4c5f174e25a1ee9017b5d450606add152b534931d7d4e8455cc91f9b15bf05ec36e377fa00617cce7cf5064806c467f678d3b4080d6f1cc50af26ca209417308281b68af282623eaa63e5b5c0723d8b8c37ff0777b1a20f8ccb1dccc43997f1ee0e44da4a67a",
	},
};

static const u8 khsm_kat_sample[] = "sample";

/*
 * Sign @msg with @type and @key; @split > 0 feeds the message in two
 * UPDATEs. Signature to @sig.
 */
static int khsm_kat_sign(unsigned long type, const struct khsm_key *key,
			 const u8 *msg, size_t len, size_t split, u8 *sig,
			 size_t *sig_len)
{
	const struct khsm_mech *m = khsm_mech_find(type);
	struct khsm_op op = { .mech = m, .kind = KHSM_OP_SIGN };
	size_t got;
	unsigned long rv;

	if (!m)
		return -ENOENT;
	rv = m->init(&op, key, NULL, 0);
	if (rv == CKR_OK && m->out_len(&op, KHSM_STEP_FINAL, 0) > *sig_len)
		rv = CKR_BUFFER_TOO_SMALL;
	if (rv == CKR_OK && split) {
		rv = m->step(&op, KHSM_STEP_UPDATE, msg, split, NULL, &got,
			     NULL, 0);
		if (rv == CKR_OK)
			rv = m->step(&op, KHSM_STEP_UPDATE, msg + split,
				     len - split, NULL, &got, NULL, 0);
		if (rv == CKR_OK)
			rv = m->step(&op, KHSM_STEP_FINAL, NULL, 0, sig,
				     sig_len, NULL, 0);
	} else if (rv == CKR_OK) {
		rv = m->step(&op, KHSM_STEP_ONESHOT, msg, len, sig, sig_len,
			     NULL, 0);
	}
	m->cleanup(&op);
	if (rv != CKR_OK) {
		pr_err("self-test: sign with mechanism 0x%lx: rv 0x%lx\n",
		       type, rv);
		return -EINVAL;
	}
	return 0;
}

/* Verify @sig: good, with one bit flipped, and one byte short. */
static int khsm_kat_verify3(unsigned long type, const struct khsm_key *pub,
			    const u8 *msg, size_t len, u8 *sig, size_t sig_len)
{
	int ret;

	ret = khsm_kat_op(type, KHSM_OP_VERIFY, pub, NULL, 0, msg, len, sig,
			  sig_len, 0, CKR_OK);
	ret = ret ?: khsm_kat_op(type, KHSM_OP_VERIFY, pub, NULL, 0, msg, len,
				 sig, sig_len, 3, CKR_OK);
	if (ret)
		return ret;
	sig[sig_len - 1] ^= 0x01;
	ret = khsm_kat_op(type, KHSM_OP_VERIFY, pub, NULL, 0, msg, len, sig,
			  sig_len, 0, CKR_SIGNATURE_INVALID);
	sig[sig_len - 1] ^= 0x01;
	return ret ?: khsm_kat_op(type, KHSM_OP_VERIFY, pub, NULL, 0, msg, len,
				  sig, sig_len - 1, 0,
				  CKR_SIGNATURE_LEN_RANGE);
}

/*
 * Sign "sample" with the hashed mechanism @v->mech (one-shot and in two
 * parts) and H("sample") with CKM_ECDSA; each signature must verify with
 * the hashed mechanism and with CKM_ECDSA over the known hash, and none
 * may equal the unhedged RFC 6979 signature @rs or the one before it.
 */
static int khsm_kat_ec_sign(const struct khsm_kat_ec *v,
			    const struct khsm_key *priv,
			    const struct khsm_key *pub, const u8 *h,
			    size_t h_len, const u8 *rs, size_t rs_len)
{
	u8 sig[KHSM_MAX_SIG_LEN], prev[KHSM_MAX_SIG_LEN];
	size_t sig_len;
	unsigned int i;
	int ret;

	for (i = 0; i < 3; i++) {
		sig_len = sizeof(sig);
		if (i < 2)
			ret = khsm_kat_sign(v->mech, priv, khsm_kat_sample, 6,
					    i ? 3 : 0, sig, &sig_len);
		else
			ret = khsm_kat_sign(CKM_ECDSA, priv, h, h_len, 0, sig,
					    &sig_len);
		if (ret)
			return ret;
		if (sig_len != rs_len) {
			pr_err("self-test: ECDSA signature of %zu bytes\n",
			       sig_len);
			return -EBADMSG;
		}
		/* the altered ones were refused on the known signature */
		ret = khsm_kat_op(v->mech, KHSM_OP_VERIFY, pub, NULL, 0,
				  khsm_kat_sample, 6, sig, sig_len, 0, CKR_OK);
		ret = ret ?: khsm_kat_op(CKM_ECDSA, KHSM_OP_VERIFY, pub, NULL,
					 0, h, h_len, sig, sig_len, 0, CKR_OK);
		if (ret)
			return ret;
		if (!memcmp(sig, rs, rs_len) ||
		    (i && !memcmp(sig, prev, sig_len))) {
			pr_err("self-test: ECDSA signature not hedged\n");
			return -EBADMSG;
		}
		memcpy(prev, sig, sig_len);
	}
	return 0;
}

static int khsm_kat_ec_one(const struct khsm_kat_ec *v)
{
	struct khsm_key priv = { .class = CKO_PRIVATE_KEY, .key_type = CKK_EC };
	struct khsm_key pub = { .class = CKO_PUBLIC_KEY, .key_type = CKK_EC };
	size_t oid_len, d_len, q_len, h_len, rs_len, hl;
	u8 *oid = khsm_kat_hex(v->oid, &oid_len);
	u8 *d = khsm_kat_hex(v->d, &d_len);
	u8 *q = khsm_kat_hex(v->qx_qy, &q_len);
	u8 *h = khsm_kat_hex(v->hash, &h_len);
	u8 *rs = khsm_kat_hex(v->rs, &rs_len);
	u8 *point = kmalloc(KHSM_MAX_EC_POINT_LEN, GFP_KERNEL);
	int ret = -ENOMEM;

	if (!oid || !d || !q || !h || !rs || !point)
		goto out;
	/* DER OCTET STRING: 04 len, or 04 81 len from 128 bytes on */
	hl = q_len + 1 < 0x80 ? 2 : 3;
	point[0] = 0x04;
	point[1] = 0x81;
	point[hl - 1] = q_len + 1;
	point[hl] = 0x04;
	memcpy(point + hl + 1, q, q_len);
	priv.ec_params = oid;
	priv.ec_params_len = oid_len;
	priv.value = d;
	priv.value_len = d_len;
	pub.ec_params = oid;
	pub.ec_params_len = oid_len;
	pub.ec_point = point;
	pub.ec_point_len = q_len + 1 + hl;

	/* the known signature: hashed here, and over the known hash */
	ret = khsm_kat_verify3(v->mech, &pub, khsm_kat_sample, 6, rs, rs_len);
	ret = ret ?: khsm_kat_verify3(CKM_ECDSA, &pub, h, h_len, rs, rs_len);
	/* the bare point (no OCTET STRING header) is accepted too */
	pub.ec_point = point + hl;
	pub.ec_point_len = q_len + 1;
	ret = ret ?: khsm_kat_op(CKM_ECDSA, KHSM_OP_VERIFY, &pub, NULL, 0, h,
				 h_len, rs, rs_len, 0, CKR_OK);
	pub.ec_point = point;
	pub.ec_point_len = q_len + 1 + hl;
	/* a point off the curve is refused when the operation starts */
	point[pub.ec_point_len - 1] ^= 0x01;
	ret = ret ?: khsm_kat_op(CKM_ECDSA, KHSM_OP_VERIFY, &pub, NULL, 0, h,
				 h_len, rs, rs_len, 0, CKR_PUBLIC_KEY_INVALID);
	point[pub.ec_point_len - 1] ^= 0x01;
	ret = ret ?: khsm_kat_ec_sign(v, &priv, &pub, h, h_len, rs, rs_len);
out:
	kfree(oid);
	kfree_sensitive(d);
	kfree(q);
	kfree(h);
	kfree(rs);
	kfree(point);
	return ret;
}

/*
 * Fresh P-256 and P-521 key pairs sign and verify (the P-521 point in a
 * long-form OCTET STRING); unknown curves (secp256k1) are refused.
 */
static int khsm_kat_ec_keygen(void)
{
	static const u8 p256[] = {
		0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07
	};
	static const u8 p521[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23 };
	static const u8 k256[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a };
	static const u8 bad[] = { 0x06, 0x09, 0x2b, 0x81 };
	struct khsm_keymat *priv, *pub;
	const struct khsm_key *k;
	u8 sig[KHSM_MAX_SIG_LEN];
	size_t sig_len = sizeof(sig);
	unsigned long rv;
	int ret;

	if (khsm_kat_gen_curve_pair(&khsm_key_ec, k256, sizeof(k256), &priv,
				    &pub) != CKR_CURVE_NOT_SUPPORTED ||
	    khsm_kat_gen_curve_pair(&khsm_key_ec, bad, sizeof(bad), &priv,
				    &pub) != CKR_DOMAIN_PARAMS_INVALID) {
		pr_err("self-test: EC key generation accepted bad parameters\n");
		return -EINVAL;
	}
	rv = khsm_kat_gen_curve_pair(&khsm_key_ec, p256, sizeof(p256), &priv,
				     &pub);
	if (rv != CKR_OK) {
		pr_err("self-test: EC key generation: rv 0x%lx\n", rv);
		return -EINVAL;
	}
	k = &pub->key;
	if (priv->key.value_len != 32 || k->ec_point_len != 67 ||
	    k->ec_point[0] != 0x04 || k->ec_point[1] != 0x41 ||
	    k->ec_point[2] != 0x04 || priv->key.ec_params_len != sizeof(p256)) {
		pr_err("self-test: EC key generation: bad key\n");
		ret = -EINVAL;
		goto out;
	}
	ret = khsm_kat_sign(CKM_ECDSA_SHA256, &priv->key, khsm_kat_sample, 6,
			    0, sig, &sig_len);
	ret = ret ?: khsm_kat_verify3(CKM_ECDSA_SHA256, k, khsm_kat_sample,
				      6, sig, sig_len);
out:
	khsm_keymat_put(priv);
	khsm_keymat_put(pub);
	if (ret)
		return ret;

	rv = khsm_kat_gen_curve_pair(&khsm_key_ec, p521, sizeof(p521), &priv,
				     &pub);
	if (rv != CKR_OK) {
		pr_err("self-test: P-521 key generation: rv 0x%lx\n", rv);
		return -EINVAL;
	}
	k = &pub->key;
	if (priv->key.value_len != 66 || k->ec_point_len != 136 ||
	    k->ec_point[0] != 0x04 || k->ec_point[1] != 0x81 ||
	    k->ec_point[2] != 0x85 || k->ec_point[3] != 0x04) {
		pr_err("self-test: P-521 key generation: bad key\n");
		ret = -EINVAL;
		goto out521;
	}
	sig_len = sizeof(sig);
	ret = khsm_kat_sign(CKM_ECDSA_SHA512, &priv->key, khsm_kat_sample, 6,
			    0, sig, &sig_len);
	ret = ret ?: khsm_kat_verify3(CKM_ECDSA_SHA512, k, khsm_kat_sample,
				      6, sig, sig_len);
out521:
	khsm_keymat_put(priv);
	khsm_keymat_put(pub);
	return ret;
}

int khsm_selftest_ecdsa(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(khsm_kat_ec); i++) {
		ret = khsm_kat_ec_one(&khsm_kat_ec[i]);
		if (ret)
			return ret;
	}
	return khsm_kat_ec_keygen();
}
