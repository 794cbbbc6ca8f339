// SPDX-License-Identifier: GPL-2.0
/*
 * HKDF self-tests through the registered entries (mech_hkdf.c): RFC 5869
 * appendix A test cases 1 and 3 (SHA-256, salt as data and no salt) and
 * 4 (SHA-1) with CKM_HKDF_DERIVE and CKM_HKDF_DATA; test case 1 again
 * with the salt as a key (the ->derive's @aux), extract only (the PRK)
 * and expand only (from the PRK). Refused: neither step, an unknown salt
 * type, a hash that is not one, salt and info lengths that do not add
 * up, a salt key that is missing, and an extract-only length other than
 * the hash's.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ck.h"
#include "mech_family.h"
#include "selftest.h"
#include "uapi/linux/khsm.h"

#define KHSM_KAT_HKDF_MAX	64	/* salt + info bytes of a vector */

struct khsm_kat_hkdf_param {
	struct khsm_hkdf_params p;
	u8 tail[KHSM_KAT_HKDF_MAX];
};

static const char khsm_kat_tc1_ikm[] = "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b";
static const char khsm_kat_tc1_salt[] = "000102030405060708090a0b0c";
static const char khsm_kat_tc1_info[] = "f0f1f2f3f4f5f6f7f8f9";
static const char khsm_kat_tc1_prk[] = "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5";
static const char khsm_kat_tc1_okm[] = "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865";
static const char khsm_kat_tc3_okm[] = "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8";
static const char khsm_kat_tc4_ikm[] = "0b0b0b0b0b0b0b0b0b0b0b";
static const char khsm_kat_tc4_okm[] = "085a01ea1b10f36933068b56efa5ad81a4f14b822f5b091568a9cdd4f155fda2c22e422478d305f3f896";

struct khsm_kat_hkdf {
	unsigned long mech;
	u32 extract, expand, prf, salt_type;
	const char *ikm, *salt, *info;	/* hex; salt NULL: none in the param */
	bool salt_as_key;
	u32 want;			/* CKA_VALUE_LEN, 0 for none */
	const char *out;		/* hex, or NULL: @rv expected */
	unsigned long rv;
	int bad_len;			/* added to param_len */
};

static const struct khsm_kat_hkdf khsm_kat_hkdf[] = {
	{ CKM_HKDF_DERIVE, 1, 1, CKM_SHA256, CKF_HKDF_SALT_DATA,
	  khsm_kat_tc1_ikm, khsm_kat_tc1_salt, khsm_kat_tc1_info, false, 42,
	  khsm_kat_tc1_okm },
	{ CKM_HKDF_DATA, 1, 1, CKM_SHA256, CKF_HKDF_SALT_DATA,
	  khsm_kat_tc1_ikm, khsm_kat_tc1_salt, khsm_kat_tc1_info, false, 42,
	  khsm_kat_tc1_okm },
	{ CKM_HKDF_DERIVE, 1, 1, CKM_SHA256, CKF_HKDF_SALT_KEY,
	  khsm_kat_tc1_ikm, khsm_kat_tc1_salt, khsm_kat_tc1_info, true, 42,
	  khsm_kat_tc1_okm },
	{ CKM_HKDF_DERIVE, 1, 1, CKM_SHA256, CKF_HKDF_SALT_NULL,
	  khsm_kat_tc1_ikm, NULL, "", false, 42, khsm_kat_tc3_okm },
	{ CKM_HKDF_DERIVE, 1, 1, CKM_SHA_1, CKF_HKDF_SALT_DATA,
	  khsm_kat_tc4_ikm, khsm_kat_tc1_salt, khsm_kat_tc1_info, false, 42,
	  khsm_kat_tc4_okm },
	/* Extract only: the PRK, its length by default. */
	{ CKM_HKDF_DERIVE, 1, 0, CKM_SHA256, CKF_HKDF_SALT_DATA,
	  khsm_kat_tc1_ikm, khsm_kat_tc1_salt, "", false, 0,
	  khsm_kat_tc1_prk },
	/* Expand only, from the PRK; the salt type is not looked at. */
	{ CKM_HKDF_DATA, 0, 1, CKM_SHA256, 0,
	  khsm_kat_tc1_prk, NULL, khsm_kat_tc1_info, false, 42,
	  khsm_kat_tc1_okm },
	/* Refusals. */
	{ CKM_HKDF_DERIVE, 0, 0, CKM_SHA256, CKF_HKDF_SALT_NULL,
	  khsm_kat_tc1_ikm, NULL, "", false, 32, NULL,
	  CKR_MECHANISM_PARAM_INVALID },
	{ CKM_HKDF_DERIVE, 1, 1, CKM_SHA256, 8,
	  khsm_kat_tc1_ikm, NULL, "", false, 32, NULL,
	  CKR_MECHANISM_PARAM_INVALID },
	{ CKM_HKDF_DERIVE, 1, 1, CKM_SHA256_HMAC, CKF_HKDF_SALT_NULL,
	  khsm_kat_tc1_ikm, NULL, "", false, 32, NULL,
	  CKR_MECHANISM_PARAM_INVALID },
	{ CKM_HKDF_DERIVE, 1, 1, CKM_SHA256, CKF_HKDF_SALT_NULL,
	  khsm_kat_tc1_ikm, khsm_kat_tc1_salt, "", false, 32, NULL,
	  CKR_MECHANISM_PARAM_INVALID },
	{ CKM_HKDF_DERIVE, 1, 1, CKM_SHA256, CKF_HKDF_SALT_DATA,
	  khsm_kat_tc1_ikm, khsm_kat_tc1_salt, khsm_kat_tc1_info, false, 32,
	  NULL, CKR_MECHANISM_PARAM_INVALID, -1 },
	{ CKM_HKDF_DERIVE, 1, 1, CKM_SHA256, CKF_HKDF_SALT_KEY,
	  khsm_kat_tc1_ikm, NULL, "", false, 32, NULL,
	  CKR_KEY_HANDLE_INVALID },
	{ CKM_HKDF_DERIVE, 1, 0, CKM_SHA256, CKF_HKDF_SALT_NULL,
	  khsm_kat_tc1_ikm, NULL, "", false, 42, NULL,
	  CKR_TEMPLATE_INCONSISTENT },
};

static int khsm_kat_hkdf_one(const struct khsm_kat_hkdf *v)
{
	const struct khsm_mech *m = khsm_mech_find(v->mech);
	struct khsm_key key = { .class = CKO_SECRET_KEY,
				.key_type = CKK_GENERIC_SECRET };
	struct khsm_key salt_key = { .class = CKO_SECRET_KEY,
				     .key_type = CKK_HKDF };
	struct khsm_kat_hkdf_param *prm;
	size_t ikm_len = 0, salt_len = 0, info_len = 0, out_len = 0;
	u8 *ikm = khsm_kat_hex(v->ikm, &ikm_len);
	u8 *salt = v->salt ? khsm_kat_hex(v->salt, &salt_len) : NULL;
	u8 *info = khsm_kat_hex(v->info, &info_len);
	u8 *exp = v->out ? khsm_kat_hex(v->out, &out_len) : NULL;
	u8 *out = kzalloc(KHSM_MAX_DERIVE_LEN, GFP_KERNEL);
	unsigned long rv, want_rv = v->out ? CKR_OK : v->rv;
	u32 len = v->want, plen;
	int ret = -ENOMEM;

	prm = kzalloc(sizeof(*prm), GFP_KERNEL);
	if (!prm || !ikm || (v->salt && !salt) || !info || (v->out && !exp) ||
	    !out)
		goto out;
	ret = -EINVAL;
	if (!m || !m->derive || salt_len + info_len > KHSM_KAT_HKDF_MAX)
		goto out;
	prm->p.extract = v->extract;
	prm->p.expand = v->expand;
	prm->p.prf = v->prf;
	prm->p.salt_type = v->salt_type;
	if (v->salt_as_key) {
		salt_key.value = salt;
		salt_key.value_len = salt_len;
		prm->p.salt_key = 1;
	} else {
		memcpy(prm->tail, salt, salt_len);
		prm->p.salt_len = salt_len;
	}
	memcpy(prm->tail + prm->p.salt_len, info, info_len);
	prm->p.info_len = info_len;
	plen = sizeof(prm->p) + prm->p.salt_len + info_len + v->bad_len;
	if (!m->param_check(prm, plen) ||
	    m->derive_aux_handle(prm, plen) != prm->p.salt_key)
		goto out;
	key.value = ikm;
	key.value_len = ikm_len;
	rv = m->derive(m, &key, v->salt_as_key ? &salt_key : NULL, prm, plen,
		       out, &len);
	if (rv != want_rv) {
		pr_err("self-test: HKDF mechanism 0x%lx prf 0x%x: rv 0x%lx, not 0x%lx\n",
		       v->mech, v->prf, rv, want_rv);
		goto out;
	}
	if (v->out && (len != out_len || memcmp(out, exp, out_len))) {
		pr_err("self-test: HKDF mechanism 0x%lx prf 0x%x: wrong value\n",
		       v->mech, v->prf);
		goto out;
	}
	ret = 0;
out:
	kfree_sensitive(out);
	kfree_sensitive(prm);
	kfree_sensitive(ikm);
	kfree(salt);
	kfree(info);
	kfree(exp);
	return ret;
}

int khsm_selftest_hkdf(void)
{
	struct khsm_kat_hkdf_param bad = {};
	const struct khsm_mech *m = khsm_mech_find(CKM_HKDF_DERIVE);
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(khsm_kat_hkdf); i++) {
		ret = khsm_kat_hkdf_one(&khsm_kat_hkdf[i]);
		if (ret)
			return ret;
	}
	/* The uAPI's form: reserved words and booleans (EINVAL). */
	if (!m || !m->param_check(&bad, sizeof(bad.p)))
		return -EINVAL;
	bad.p.reserved[1] = 1;
	if (m->param_check(&bad, sizeof(bad.p)))
		return -EINVAL;
	bad.p.reserved[1] = 0;
	bad.p.expand = 2;
	if (m->param_check(&bad, sizeof(bad.p)))
		return -EINVAL;
	return 0;
}
