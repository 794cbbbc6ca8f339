// SPDX-License-Identifier: GPL-2.0
/*
 * RSA known-answer tests through the registered entries (mech_rsa.c), on
 * the 2048-bit key of Example 15 of the RSA Laboratories PKCS#1 v1.5
 * signature vectors (pkcs1v15sign-vectors.txt, as python3-cryptography-
 * vectors ships it): the import check, CKM_SHA1_RSA_PKCS reproduces the
 * signature of Example 15.1 one-shot and multi-part, verification accepts
 * it (also as CKM_RSA_PKCS over T) and rejects it altered or short; a
 * CKM_SHA256_RSA_PKCS_PSS round trip with the parameter checks; a
 * CKM_RSA_PKCS_OAEP round trip with a label, and the wrong label refused.
 * CKM_RSA_PKCS decryption with implicit rejection on the 2048-bit key of
 * draft-irtf-cfrg-rsa-guidance appendix B.1: a valid ciphertext (B.1.4)
 * gives its message, a bad one (B.1.7) the synthetic message the draft
 * lists; a CKM_RSA_PKCS encryption round trip and a short ciphertext.
 * CKM_RSA_AES_KEY_WRAP (its temporary AES key is random, so a round trip
 * over the OAEP and KWP parts that have their own known answers): wrap,
 * unwrap, a flipped byte of the KWP part refused.
 * Eleven private-key operations in all; no key generation at load.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ck.h"
#include "crypto/engine.h"
#include "mech_family.h"
#include "selftest.h"
#include "uapi/linux/khsm.h"

static const char khsm_rsa15_n[] = "df271fd25f8644496b0c81be4bd50297ef099b002a6fd67727eb449cea566ed6a3981a71312a141cabc9815c1209e320a25b32464e9999f18ca13a9fd3892558f9e0adefdd3650dd23a3f036d60fe398843706a40b0b8462c8bee3bce12f1f2860c2444cdc6a44476a75ff4aa24273ccbe3bf80248465f8ff8c3a7f3367dfc0df5b6509a4f82811cedd81cdaaa73c491da412170d544d4ba96b97f0afc8065498d3a49fd910992a1f0725be24f465cfe7e0eabf678996c50bc5e7524abf73f15e5bef7d518394e3138ce4944506aaaaf3f9b236dcab8fc00f87af596fdc3d9d6c75cd508362fae2cbeddcc4c7450b17b776c079ecca1f256351a43b97dbe2153";
static const char khsm_rsa15_e[] = "010001";
static const char khsm_rsa15_d[] = "5bd910257830dce17520b03441a51a8cab94020ac6ecc252c808f3743c95b7c83b8c8af1a5014346ebc4242cdfb5d718e30a733e71f291e4d473b61bfba6dacaed0a77bd1f0950ae3c91a8f90111882589e1d62765ee671e7baeea309f64d447bbcfa9ea12dce05e9ea8939bc5fe6108581279c982b308794b3448e7f7b952292df88c80cb40142c4b5cf5f8ddaa0891678d610e582fcb880f0d707caf47d09a84e14ca65841e5a3abc5e9dba94075a9084341f0edad9b68e3b8e082b80b6e6e8a0547b44fb5061b6a9131603a5537ddabd01d8e863d8922e9aa3e4bfaea0b39d79283ad2cbc8a59cce7a6ecf4e4c81ed4c6591c807defd71ab06866bb5e7745";
static const char khsm_rsa15_p[] = "f44f5e4246391f482b2f5296e3602eb34aa136427710f7c0416d403fd69d4b29130cfebef34e885abdb1a8a0a5f0e9b5c33e1fc3bfc285b1ae17e40cc67a1913dd563719815ebaf8514c2a7aa0018e63b6c631dc315a46235716423d11ff58034e610645703606919f5c7ce2660cd148bd9efc123d9c54b6705590d006cfcf3f";
static const char khsm_rsa15_q[] = "e9d49841e0e0a6ad0d517857133e36dc72c1bdd90f9174b52e26570f373640f1c185e7ea8e2ed7f1e4ebb951f70a58023633b0097aec67c6dcb800fc1a67f9bb0563610f08ebc8746ad129772136eb1ddaf46436450d318332a84982fe5d28dbe5b3e912407c3e0e03100d87d436ee409eec1cf85e80aba079b2e6106b97bced";
static const char khsm_rsa15_dp[] = "ed102acdb26871534d1c414ecad9a4d732fe95b10eea370da62f05de2c393b1a633303ea741b6b3269c97f704b352702c9ae79922f7be8d10db67f026a8145de41b30c0a42bf923bac5f7504c248604b9faa57ed6b3246c6ba158e36c644f8b9548fcf4f07e054a56f768674054440bc0dcbbc9b528f64a01706e05b0b91106f";
static const char khsm_rsa15_dq[] = "6827924a85e88b55ba00f8219128bd3724c6b7d1dfe5629ef197925fecaff5edb9cdf3a7befd8ea2e8dd3707138b3ff87c3c39c57f439e562e2aa805a39d7cd79966d2ece7845f1dbc16bee99999e4d0bf9eeca45fcda8a8500035fe6b5f03bc2f6d1bfc4d4d0a3723961af0cdce4a01eec82d7f5458ec19e71b90eeef7dff61";
static const char khsm_rsa15_qinv[] = "57b73888d183a99a6307422277551a3d9e18adf06a91e8b55ceffef9077c8496948ecb3b16b78155cb2a3a57c119d379951c010aa635edcf62d84c5a122a8d67ab5fa9e5a4a8772a1e943bafc70ae3a4c1f0f3a4ddffaefd1892c8cb33bb0d0b9590e963a69110fb34db7b906fc4ba2836995aac7e527490ac952a02268a4f18";
static const char khsm_rsa15_msg[] = "f45d55f35551e975d6a8dc7ea9f488593940cc75694a278f27e578a163d839b34040841808cf9c58c9b8728bf5f9ce8ee811ea91714f47bab92d0f6d5a26fcfeea6cd93b910c0a2c963e64eb1823f102753d41f0335910ad3a977104f1aaf6c3742716a9755d11b8eed690477f445c5d27208b2e284330fa3d301423fa7f2d086e0ad0b892b9db544e456d3f0dab85d953c12d340aa873eda727c8a649db7fa63740e25e9af1533b307e61329993110e95194e039399c3824d24c51f22b26bde1024cd395958a2dfeb4816a6e8adedb50b1f6b56d0b3060ff0f1c4cb0d0e001dd59d73be12";
static const char khsm_rsa15_sig[] = "b75a5466b65d0f300ef53833f2175c8a347a3804fc63451dc902f0b71f9083459ed37a5179a3b723a53f1051642d77374c4c6c8dbb1ca20525f5c9f32db776953556da31290e22197482ceb69906c46a758fb0e7409ba801077d2a0a20eae7d1d6d392ab4957e86b76f0652d68b83988a78f26e11172ea609bf849fbbd78ad7edce21de662a081368c040607cee29db0627227f44963ad171d2293b633a392e331dca54fe3082752f43f63c161b447a4c65a6875670d5f6600fcc860a1caeb0a88f8fdec4e564398a5c46c87f68ce07001f6213abe0ab5625f87d19025f08d81dac7bd4586bc9382191f6d2880f6227e5df3eed21e7792d249480487f3655261";

/* draft-irtf-cfrg-rsa-guidance, appendix B.1 (2048 bits) */
static const char khsm_rsair_n[] = "c8cc839714098da56caa23640f93dc8997c16372968fc1b0c6df5113c1c94e8b21e48ad2297e65419011b4e6d8f5e73b1b78b257400321d1ef6b602d4ec8ce8d141c94905eb4ad306639a49206534b6e7f2607423e97dffd133c88d721399defbc7e96ccdcbd7f3aae1fe892712bfb4929817d511666440a1facb7a208f5ea165910add8a3f2d497202360ccb632024f0d07169c1918f316f794b143aef54ec87522a4c02978f9689980bffbf649c307e81819bff88409638d48bd94be152b59ff649fa0bd629d0ffa1813c3abf4b56bd3c2ea5465dffa14589292a9d8a24ad26be7ee0510741b6382d43c83d5bfa40a46613d062be445517dbcaf0cb4e1a769";
static const char khsm_rsair_d[] = "1455010e0f2d587663a666a6ff1ccdbbf0edd8100646d02a023922908992c4ad39e5565929726ef6508c3a71158ef0b6ff751d39d07580bb2d2f063210442d0603ff50dbbd7b35fe2c9bb19a47a1af85a4c24901e02ca8b58b7919b20edf32aacfbf51adb4bc4b61b9b7e968caa4d570f70ef18d8063228893e47d439efca793259bcf2cd108a3d8688cdf078e7ac799969f2339d2c1f522b969684629a933baaec2681625eab84f4e56f4447e9d88fb9a199cf71023e0e257b14441b33c84d3bc67ca8031d2612618103a7a0a40844262f75d8890cd616e51f9035488fd6e099de8ff6d65a4ff118254807c9f58d2fbba8ba151dc8c68be349c977a204e04c1";
static const char khsm_rsair_p[] = "f8f5ad6ba828931bea459b8a3f6dc041d23482409c2571e963f31f748602a256371b3883ed459ecf970526459edd16e05522f5a45d94751b2ec2daf272c7f8816a52c00d18080171634da899d7973222f51b937630548696a9f7d8c24a59497c1efcd455cfb97ee86d2b6d34972b332fda303f04999b4eb6b5cc0bb33e7761dd";
static const char khsm_rsair_q[] = "ce7a2e3b49a90b96330a12dc682bdfbdfbae8dd6dc03b6147aefbd575743f0f6da4d86235061b71afd9cad2d34025e56ac86b0f7743eb35e1acbca237895424465b706ed22175e5718c8c70b6703ea8f6b510f945be48e5a36bb3c3c91732b589dfc05d72d80903194452bda21348647ec72943f11a846e62faebe8eb536b0fd";
static const char khsm_rsair_dp[] = "76fe15f18ae239cdf1df6b445ca4bc6bb968d788c21933a4f5dcd280033d6712062cc08a6df204c1fbd0be46307443e6dd4a6456375429d4e038ca256faf1c9bde91c6b17b76f81995f91c48cbbebc7bf0e3494c08359e4e8cd6a587d7b96d6221fd7e0fb5c5575f082ee57769798071b2bbb4a32238151b47314bb654790311";
static const char khsm_rsair_dq[] = "998848b055499a1009cbc7d294b36b1ffdf2020e6e7364053e94de1a000dc9340587f7e27276f68cdf608d753b63377b03b6f4084d2c027c4b38960a6233ba9ed9738b76f10ea75be456078bf701f67cc6b3f3fdc186e64336c76b372e80910ec80b0adcc23d02fb9ae10486a28248075b4ea7e56ddfcf3882e451561471a291";
static const char khsm_rsair_qinv[] = "643bf746429f7d83667a0653021347efbfc05e6351f821a9debb60e0eccde5005ad9e9ec31e558f7e92c29328e74569d7cef7c74cabc2b355ed401a1a0914b4e3cbb06484e58196051169ed14caa2efa6ea044e054d26144cc1629c55010558a04e133f44b7c244dac25bf913c57b890ee49f548259cd63404fef6859dcf975a";
/* B.1.4: a valid padding, "lorem ipsum" */
static const char khsm_rsair_c4[] = "00a2e8f114ea8d05d12dc843e3cc3b2edc8229ff2a028bda29ba9d55e3cd02911902fef1f42a075bf05e8016e8567213d6f260fa49e360779dd81aeea3e04c2cb567e0d72b98bf754014561b7511e083d20e0bfb9cd23f8a0d3c88900c49d2fcd5843ff0765607b2026f28202a87aa94678aed22a0c20724541394cd8f44e373eba1d2bae98f516c1e2ba3d86852d064f856b1daf24795e767a2b90396e50743e3150664afab131fe40ea405dcf572dd1079af1d3f0392ccadcca0a12740dbb213b925ca2a06b1bc1383e83a658c82ba2e7427342379084d5f66b544579f07664cb26edd4f10fd913fdbc0de05ef887d4d1ec1ac95652397ea7fd4e4759fda8b";
static const char khsm_rsair_m4[] = "6c6f72656d20697073756d";
/* B.1.7: a bad padding; the synthetic message */
static const char khsm_rsair_c7[] = "006f89db685c0a132700c6a17f88a37a6635d0ab89de4c45dc09736c891ca5bf3401ce34c6e5d51e94ed2f518857ddc12d9f9f9e68e01cdc30d86ae5dd83988c0c46a8e39daa1b328a23def551d67fa1964fb15242c83ddd7dd5b1aec720a391d0b86cb16cf4d3c466850c3df88a3ed85993900d1287a0c90c4b04d34ba29e59967661f3f10e0c998f64e14e777e8e81371eca5318b4e0b53414292130c821477c51e2bff844836ab10dff293d82e4f40d345968ef268c92ed0bc238f31d50f4d3f759c23964923e135d15527556410fbd2c451d6a2aa852dc88b01139c6fdd826736d8cd3780601b2977b09c080bd8c0fa471606ad59f053ad33d9eeb905f20";
static const char khsm_rsair_m7[] = "2b5dd72df3cae37f1aef";

struct khsm_rsa_kat {
	u8 *n, *e, *d, *p, *q, *dp, *dq, *qinv, *msg, *sig;
	size_t n_len, e_len, d_len, p_len, q_len, dp_len, dq_len, qinv_len;
	size_t msg_len, sig_len;
};

static void khsm_rsa_kat_free(struct khsm_rsa_kat *v)
{
	kfree(v->n);
	kfree(v->e);
	kfree_sensitive(v->d);
	kfree_sensitive(v->p);
	kfree_sensitive(v->q);
	kfree_sensitive(v->dp);
	kfree_sensitive(v->dq);
	kfree_sensitive(v->qinv);
	kfree(v->msg);
	kfree(v->sig);
}

static int khsm_rsa_kat_load(struct khsm_rsa_kat *v)
{
	v->n = khsm_kat_hex(khsm_rsa15_n, &v->n_len);
	v->e = khsm_kat_hex(khsm_rsa15_e, &v->e_len);
	v->d = khsm_kat_hex(khsm_rsa15_d, &v->d_len);
	v->p = khsm_kat_hex(khsm_rsa15_p, &v->p_len);
	v->q = khsm_kat_hex(khsm_rsa15_q, &v->q_len);
	v->dp = khsm_kat_hex(khsm_rsa15_dp, &v->dp_len);
	v->dq = khsm_kat_hex(khsm_rsa15_dq, &v->dq_len);
	v->qinv = khsm_kat_hex(khsm_rsa15_qinv, &v->qinv_len);
	v->msg = khsm_kat_hex(khsm_rsa15_msg, &v->msg_len);
	v->sig = khsm_kat_hex(khsm_rsa15_sig, &v->sig_len);
	if (!v->n || !v->e || !v->d || !v->p || !v->q || !v->dp || !v->dq ||
	    !v->qinv || !v->msg || !v->sig)
		return -ENOMEM;
	return v->n_len == 256 && v->sig_len == 256 ? 0 : -EINVAL;
}

/* Sign through the entry and return the signature in @sig. */
static int khsm_rsa_kat_sign(unsigned long type, const struct khsm_key *key,
			     const void *param, u32 param_len, const u8 *msg,
			     size_t len, u8 *sig, size_t *sig_len)
{
	const struct khsm_mech *m = khsm_mech_find(type);
	struct khsm_op op = { .mech = m, .kind = KHSM_OP_SIGN };
	unsigned long rv;

	if (!m)
		return -ENOENT;
	rv = m->init(&op, key, param, param_len);
	if (rv == CKR_OK && m->out_len(&op, KHSM_STEP_ONESHOT, len) != 256)
		rv = CKR_GENERAL_ERROR;
	if (rv == CKR_OK)
		rv = m->step(&op, KHSM_STEP_ONESHOT, msg, len, sig, sig_len,
			     NULL, 0);
	m->cleanup(&op);
	if (rv != CKR_OK || *sig_len != 256) {
		pr_err("self-test: RSA mechanism 0x%lx sign: rv 0x%lx\n", type,
		       rv);
		return -EINVAL;
	}
	return 0;
}

/* PKCS#1 v1.5: the known signature, both ways, raw and hashed. */
static int khsm_rsa_kat_pkcs1(const struct khsm_rsa_kat *v,
			      const struct khsm_key *priv,
			      const struct khsm_key *pub)
{
	u8 *bad = kmemdup(v->sig, v->sig_len, GFP_KERNEL);
	u8 t[15 + 20];
	size_t pre;
	int ret;

	if (!bad)
		return -ENOMEM;
	bad[100] ^= 0x10;
	ret = khsm_kat_op(CKM_SHA1_RSA_PKCS, KHSM_OP_SIGN, priv, NULL, 0,
			  v->msg, v->msg_len, v->sig, v->sig_len, 0, CKR_OK);
	ret = ret ?: khsm_kat_op(CKM_SHA1_RSA_PKCS, KHSM_OP_SIGN, priv, NULL,
				 0, v->msg, v->msg_len, v->sig, v->sig_len, 7,
				 CKR_OK);
	ret = ret ?: khsm_kat_op(CKM_SHA1_RSA_PKCS, KHSM_OP_VERIFY, pub, NULL,
				 0, v->msg, v->msg_len, v->sig, v->sig_len, 0,
				 CKR_OK);
	ret = ret ?: khsm_kat_op(CKM_SHA1_RSA_PKCS, KHSM_OP_VERIFY, pub, NULL,
				 0, v->msg, v->msg_len, v->sig, v->sig_len, 13,
				 CKR_OK);
	ret = ret ?: khsm_kat_op(CKM_SHA1_RSA_PKCS, KHSM_OP_VERIFY, pub, NULL,
				 0, v->msg, v->msg_len, bad, v->sig_len, 0,
				 CKR_SIGNATURE_INVALID);
	ret = ret ?: khsm_kat_op(CKM_SHA1_RSA_PKCS, KHSM_OP_VERIFY, pub, NULL,
				 0, v->msg, v->msg_len, v->sig,
				 v->sig_len - 1, 0, CKR_SIGNATURE_LEN_RANGE);
	/* the same signature over T = DigestInfo || SHA-1(M) */
	pre = kc_rsa_digest_info(KC_SHA1, t, sizeof(t));
	if (!ret && (pre != 15 || kc_hash(KC_SHA1, v->msg, v->msg_len,
					  t + pre)))
		ret = -EINVAL;
	ret = ret ?: khsm_kat_op(CKM_RSA_PKCS, KHSM_OP_VERIFY, pub, NULL, 0,
				 t, sizeof(t), v->sig, v->sig_len, 0, CKR_OK);
	t[sizeof(t) - 1] ^= 1;
	ret = ret ?: khsm_kat_op(CKM_RSA_PKCS, KHSM_OP_VERIFY, pub, NULL, 0,
				 t, sizeof(t), v->sig, v->sig_len, 0,
				 CKR_SIGNATURE_INVALID);
	kfree(bad);
	return ret;
}

/* PSS with SHA-256, MGF1-SHA-256, 32-byte salt: sign, then verify. */
static int khsm_rsa_kat_pss(const struct khsm_rsa_kat *v,
			    const struct khsm_key *priv,
			    const struct khsm_key *pub)
{
	struct khsm_rsa_pss_params prm = {
		.hash = CKM_SHA256, .mgf = CKG_MGF1_SHA256, .salt_len = 32,
	};
	u8 *sig = kzalloc(KHSM_MAX_SIG_LEN, GFP_KERNEL);
	size_t sig_len = 0;
	u8 md[32];
	int ret;

	if (!sig)
		return -ENOMEM;
	ret = khsm_rsa_kat_sign(CKM_SHA256_RSA_PKCS_PSS, priv, &prm,
				sizeof(prm), v->msg, v->msg_len, sig, &sig_len);
	ret = ret ?: khsm_kat_op(CKM_SHA256_RSA_PKCS_PSS, KHSM_OP_VERIFY, pub,
				 &prm, sizeof(prm), v->msg, v->msg_len, sig,
				 sig_len, 5, CKR_OK);
	/* CKM_RSA_PKCS_PSS over the digest */
	if (!ret && kc_hash(KC_SHA256, v->msg, v->msg_len, md))
		ret = -EINVAL;
	ret = ret ?: khsm_kat_op(CKM_RSA_PKCS_PSS, KHSM_OP_VERIFY, pub, &prm,
				 sizeof(prm), md, sizeof(md), sig, sig_len, 0,
				 CKR_OK);
	ret = ret ?: khsm_kat_op(CKM_RSA_PKCS_PSS, KHSM_OP_VERIFY, pub, &prm,
				 sizeof(prm), md, sizeof(md) - 1, sig, sig_len,
				 0, CKR_DATA_LEN_RANGE);
	prm.salt_len = 20;
	ret = ret ?: khsm_kat_op(CKM_SHA256_RSA_PKCS_PSS, KHSM_OP_VERIFY, pub,
				 &prm, sizeof(prm), v->msg, v->msg_len, sig,
				 sig_len, 0, CKR_SIGNATURE_INVALID);
	prm.salt_len = 32;
	prm.hash = CKM_SHA384;
	ret = ret ?: khsm_kat_op(CKM_SHA256_RSA_PKCS_PSS, KHSM_OP_VERIFY, pub,
				 &prm, sizeof(prm), v->msg, v->msg_len, sig,
				 sig_len, 0, CKR_MECHANISM_PARAM_INVALID);
	prm.hash = CKM_SHA256;
	prm.salt_len = 256;
	ret = ret ?: khsm_kat_op(CKM_SHA256_RSA_PKCS_PSS, KHSM_OP_VERIFY, pub,
				 &prm, sizeof(prm), v->msg, v->msg_len, sig,
				 sig_len, 0, CKR_MECHANISM_PARAM_INVALID);
	ret = ret ?: khsm_kat_op(CKM_SHA256_RSA_PKCS_PSS, KHSM_OP_VERIFY, pub,
				 NULL, 0, v->msg, v->msg_len, sig, sig_len, 0,
				 CKR_MECHANISM_PARAM_INVALID);
	kfree(sig);
	return ret;
}

/* OAEP with SHA-256 and a label: encrypt, decrypt, wrong label. */
static int khsm_rsa_kat_oaep(const struct khsm_rsa_kat *v,
			     const struct khsm_key *priv,
			     const struct khsm_key *pub)
{
	static const char label[] = "khsm";
	const struct khsm_mech *m = khsm_mech_find(CKM_RSA_PKCS_OAEP);
	struct khsm_op op = { .mech = m, .kind = KHSM_OP_ENCRYPT };
	struct {
		struct khsm_rsa_oaep_params p;
		char label[4];
	} prm = {
		.p = {
			.hash = CKM_SHA256, .mgf = CKG_MGF1_SHA256,
			.source = CKZ_DATA_SPECIFIED, .label_len = 4,
		},
	};
	u32 prm_len = sizeof(prm.p) + 4;	/* no tail padding */
	u8 *ct = kzalloc(KHSM_MAX_SIG_LEN, GFP_KERNEL);
	size_t ct_len = 0;
	unsigned long rv;
	int ret = -ENOENT;

	if (!ct)
		return -ENOMEM;
	if (!m)
		goto out;
	memcpy(prm.label, label, 4);
	rv = m->init(&op, pub, &prm, prm_len);
	if (rv == CKR_OK)
		rv = m->step(&op, KHSM_STEP_ONESHOT, v->msg, 32, ct, &ct_len,
			     NULL, 0);
	m->cleanup(&op);
	ret = -EINVAL;
	if (rv != CKR_OK || ct_len != 256) {
		pr_err("self-test: RSA OAEP encrypt: rv 0x%lx\n", rv);
		goto out;
	}
	ret = khsm_kat_op(CKM_RSA_PKCS_OAEP, KHSM_OP_DECRYPT, priv, &prm,
			  prm_len, ct, ct_len, v->msg, 32, 0, CKR_OK);
	prm.label[0] ^= 1;
	ret = ret ?: khsm_kat_op(CKM_RSA_PKCS_OAEP, KHSM_OP_DECRYPT, priv,
				 &prm, prm_len, ct, ct_len, v->msg, 32, 0,
				 CKR_ENCRYPTED_DATA_INVALID);
out:
	kfree(ct);
	return ret;
}

/* CKM_RSA_AES_KEY_WRAP with AES-256 and OAEP SHA-256: wrap, unwrap. */
static int khsm_rsa_kat_rsa_aes(const struct khsm_rsa_kat *v,
				const struct khsm_key *priv,
				const struct khsm_key *pub)
{
	const struct khsm_mech *m = khsm_mech_find(CKM_RSA_AES_KEY_WRAP);
	struct khsm_op op = { .mech = m, .kind = KHSM_OP_ENCRYPT };
	struct {
		struct khsm_rsa_aes_key_wrap_params a;
		struct khsm_rsa_oaep_params p;
	} prm = {
		.a = { .aes_key_bits = 256 },
		.p = { .hash = CKM_SHA256, .mgf = CKG_MGF1_SHA256 },
	};
	size_t ct_len = 0, cap = 256 + 40;
	u8 *ct = kzalloc(cap, GFP_KERNEL);
	unsigned long rv;
	int ret = -ENOENT;

	if (!ct)
		return -ENOMEM;
	if (!m)
		goto out;
	rv = m->init(&op, pub, &prm, sizeof(prm));
	if (rv == CKR_OK && m->out_len(&op, KHSM_STEP_ONESHOT, 32) != 256 + 40)
		rv = CKR_GENERAL_ERROR;
	if (rv == CKR_OK)
		rv = m->step(&op, KHSM_STEP_ONESHOT, v->msg, 32, ct, &ct_len,
			     NULL, 0);
	m->cleanup(&op);
	ret = -EINVAL;
	if (rv != CKR_OK || ct_len != 256 + 40) {
		pr_err("self-test: RSA AES key wrap: rv 0x%lx\n", rv);
		goto out;
	}
	ret = khsm_kat_op(CKM_RSA_AES_KEY_WRAP, KHSM_OP_DECRYPT, priv, &prm,
			  sizeof(prm), ct, ct_len, v->msg, 32, 0, CKR_OK);
	ct[ct_len - 1] ^= 1;
	ret = ret ?: khsm_kat_op(CKM_RSA_AES_KEY_WRAP, KHSM_OP_DECRYPT, priv,
				 &prm, sizeof(prm), ct, ct_len, v->msg, 32, 0,
				 CKR_ENCRYPTED_DATA_INVALID);
out:
	kfree_sensitive(ct);
	return ret;
}

/*
 * CKM_RSA_PKCS encryption: the draft's known decryptions (valid and
 * implicitly rejected) on its B.1 key, an encrypt/decrypt round trip on
 * the Example 15 key, and a ciphertext of the wrong length.
 */
static int khsm_rsa_kat_enc15(const struct khsm_rsa_kat *v,
			      const struct khsm_key *priv15,
			      const struct khsm_key *pub15)
{
	const char *const hex[] = {
		khsm_rsair_n, khsm_rsa15_e, khsm_rsair_d, khsm_rsair_p,
		khsm_rsair_q, khsm_rsair_dp, khsm_rsair_dq, khsm_rsair_qinv,
	};
	struct khsm_key priv = { .class = CKO_PRIVATE_KEY, .key_type = CKK_RSA };
	struct khsm_key_part *parts[] = {
		&priv.n, &priv.e, &priv.d, &priv.p, &priv.q, &priv.dp,
		&priv.dq, &priv.qinv,
	};
	const struct khsm_mech *m = khsm_mech_find(CKM_RSA_PKCS);
	struct khsm_op op = { .mech = m, .kind = KHSM_OP_ENCRYPT };
	u8 *ct = kzalloc(KHSM_MAX_SIG_LEN, GFP_KERNEL);
	size_t ct_len = 0, len;
	unsigned int i;
	unsigned long rv;
	int ret = -ENOMEM;

	if (!ct)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(parts); i++) {
		parts[i]->val = khsm_kat_hex(hex[i], &len);
		parts[i]->len = len;
		if (!parts[i]->val)
			goto out;
	}
	ret = -EINVAL;
	if (khsm_key_rsa.check(&priv) != CKR_OK) {
		pr_err("self-test: RSA key check refused the draft's B.1 key\n");
		goto out;
	}
	ret = khsm_kat_hex_op(CKM_RSA_PKCS, KHSM_OP_DECRYPT, &priv, NULL, 0,
			      khsm_rsair_c4, khsm_rsair_m4, 0);
	ret = ret ?: khsm_kat_hex_op(CKM_RSA_PKCS, KHSM_OP_DECRYPT, &priv,
				     NULL, 0, khsm_rsair_c7, khsm_rsair_m7, 0);
	if (ret)
		goto out;
	/* a round trip: the Example 15 key encrypts 32 bytes and decrypts */
	ret = -ENOENT;
	if (!m)
		goto out;
	rv = m->init(&op, pub15, NULL, 0);
	if (rv == CKR_OK)
		rv = m->step(&op, KHSM_STEP_ONESHOT, v->msg, 32, ct, &ct_len,
			     NULL, 0);
	m->cleanup(&op);
	ret = -EINVAL;
	if (rv != CKR_OK || ct_len != 256) {
		pr_err("self-test: RSA PKCS#1 v1.5 encrypt: rv 0x%lx\n", rv);
		goto out;
	}
	ret = khsm_kat_op(CKM_RSA_PKCS, KHSM_OP_DECRYPT, priv15, NULL, 0, ct,
			  ct_len, v->msg, 32, 0, CKR_OK);
	ret = ret ?: khsm_kat_op(CKM_RSA_PKCS, KHSM_OP_DECRYPT, priv15, NULL,
				 0, ct, ct_len - 1, v->msg, 32, 0,
				 CKR_ENCRYPTED_DATA_LEN_RANGE);
out:
	for (i = 0; i < ARRAY_SIZE(parts); i++)
		kfree_sensitive(parts[i]->val);
	kfree(ct);
	return ret;
}

int khsm_selftest_rsa(void)
{
	const struct khsm_mech *m = khsm_mech_find(CKM_RSA_PKCS);
	struct khsm_key priv = { .class = CKO_PRIVATE_KEY, .key_type = CKK_RSA };
	struct khsm_key pub = { .class = CKO_PUBLIC_KEY, .key_type = CKK_RSA };
	struct khsm_rsa_kat v = {};
	int ret;

	if (!m)
		return -ENOENT;
	ret = khsm_rsa_kat_load(&v);
	if (ret)
		goto out;
	priv.n.val = v.n;
	priv.n.len = v.n_len;
	priv.e.val = v.e;
	priv.e.len = v.e_len;
	priv.d.val = v.d;
	priv.d.len = v.d_len;
	priv.p.val = v.p;
	priv.p.len = v.p_len;
	priv.q.val = v.q;
	priv.q.len = v.q_len;
	priv.dp.val = v.dp;
	priv.dp.len = v.dp_len;
	priv.dq.val = v.dq;
	priv.dq.len = v.dq_len;
	priv.qinv.val = v.qinv;
	priv.qinv.len = v.qinv_len;
	pub.n = priv.n;
	pub.e = priv.e;
	if (khsm_key_rsa.check(&priv) != CKR_OK ||
	    khsm_key_rsa.check(&pub) != CKR_OK) {
		pr_err("self-test: RSA key check refused the known key\n");
		ret = -EINVAL;
		goto out;
	}
	ret = khsm_rsa_kat_pkcs1(&v, &priv, &pub);
	ret = ret ?: khsm_rsa_kat_pss(&v, &priv, &pub);
	ret = ret ?: khsm_rsa_kat_oaep(&v, &priv, &pub);
	ret = ret ?: khsm_rsa_kat_enc15(&v, &priv, &pub);
	ret = ret ?: khsm_rsa_kat_rsa_aes(&v, &priv, &pub);
out:
	khsm_rsa_kat_free(&v);
	return ret;
}
