// SPDX-License-Identifier: GPL-2.0
/*
 * Known-answer tests, run by khsm_mech_init() before any token registers.
 * Every test goes through the registered struct khsm_mech entries (the
 * same ->init/->step/->cleanup the ioctls use), one-shot and multi-part,
 * so a self-test pass means the code paths users reach are right. One log
 * line per family; any failure makes khsm_mech_init() fail.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ck.h"
#include "mech_family.h"
#include "selftest.h"
#include "uapi/linux/khsm.h"

/* Decode a hex test vector into a new buffer (NULL on a bad vector). */
u8 *khsm_kat_hex(const char *hex, size_t *len)
{
	size_t n = strlen(hex) / 2;
	u8 *buf = kmalloc(n ? n : 1, GFP_KERNEL);

	if (!buf)
		return NULL;
	if (hex2bin(buf, hex, n)) {
		kfree(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/*
 * Run one operation of @kind with mechanism @type through its entry: all
 * of @in at once when @chunk is 0, else in UPDATE pieces of @chunk bytes
 * and a FINAL. Compares the output with @exp. For VERIFY, @exp is the
 * signature and @want_rv the expected result.
 */
int khsm_kat_op(unsigned long type, u32 kind, const struct khsm_key *key,
		const void *param, u32 param_len, const u8 *in, size_t in_len,
		const u8 *exp, size_t exp_len, size_t chunk, ck_rv_t want_rv)
{
	const struct khsm_mech *m = khsm_mech_find(type);
	struct khsm_op op = { .mech = m, .kind = kind };
	bool verify = kind == KHSM_OP_VERIFY;
	size_t done = 0, pos = 0, cap, n, got = 0;
	u8 *out = NULL;
	ck_rv_t rv;
	int ret = 0;

	if (!m) {
		pr_err("self-test: mechanism 0x%lx not registered\n", type);
		return -ENOENT;
	}
	rv = m->init(&op, key, param, param_len);
	if (rv != CKR_OK)
		goto check;
	cap = m->out_len(&op, KHSM_STEP_ONESHOT, in_len) + in_len + 64;
	out = kzalloc(cap, GFP_KERNEL);
	if (!out) {
		ret = -ENOMEM;
		goto free;
	}
	if (!chunk) {
		rv = m->step(&op, KHSM_STEP_ONESHOT, in, in_len,
			     verify ? NULL : out, &done, verify ? exp : NULL,
			     verify ? exp_len : 0);
		goto check;
	}
	for (; pos < in_len; pos += n) {
		n = min(chunk, in_len - pos);
		if (done + m->out_len(&op, KHSM_STEP_UPDATE, n) > cap) {
			ret = -EOVERFLOW;
			goto free;
		}
		rv = m->step(&op, KHSM_STEP_UPDATE, in + pos, n,
			     verify ? NULL : out + done, &got, NULL, 0);
		if (rv != CKR_OK)
			goto check;
		done += got;
	}
	if (done + m->out_len(&op, KHSM_STEP_FINAL, 0) > cap) {
		ret = -EOVERFLOW;
		goto free;
	}
	rv = m->step(&op, KHSM_STEP_FINAL, NULL, 0, verify ? NULL : out + done,
		     &got, verify ? exp : NULL, verify ? exp_len : 0);
	done += got;
check:
	if (rv != want_rv) {
		pr_err("self-test: mechanism 0x%lx op %u: rv 0x%lx, expected 0x%lx\n",
		       type, kind, rv, want_rv);
		ret = -EINVAL;
	} else if (rv == CKR_OK && !verify &&
		   (done != exp_len || memcmp(out, exp, exp_len))) {
		pr_err("self-test: mechanism 0x%lx op %u: wrong output\n",
		       type, kind);
		ret = -EBADMSG;
	}
free:
	if (ret == -EOVERFLOW)
		pr_err("self-test: mechanism 0x%lx op %u: output exceeds out_len\n",
		       type, kind);
	m->cleanup(&op);
	kfree_sensitive(out);
	return ret;
}

/* Known answer with hex vectors, one-shot and in @chunk-byte pieces. */
int khsm_kat_hex_op(unsigned long type, u32 kind, const struct khsm_key *key,
		    const void *param, u32 param_len, const char *in_hex,
		    const char *exp_hex, size_t chunk)
{
	size_t in_len, exp_len;
	u8 *in = khsm_kat_hex(in_hex, &in_len);
	u8 *exp = khsm_kat_hex(exp_hex, &exp_len);
	int ret = -ENOMEM;

	if (in && exp) {
		ret = khsm_kat_op(type, kind, key, param, param_len, in,
				  in_len, exp, exp_len, 0, CKR_OK);
		if (!ret && chunk)
			ret = khsm_kat_op(type, kind, key, param, param_len,
					  in, in_len, exp, exp_len, chunk,
					  CKR_OK);
	}
	kfree(in);
	kfree(exp);
	return ret;
}

/* FIPS 180-4 example "abc" for each SHA. */
static int khsm_selftest_sha(void)
{
	static const struct {
		unsigned long type;
		const char *md;
	} v[] = {
		{ CKM_SHA_1, "a9993e364706816aba3e25717850c26c9cd0d89d" },
		{ CKM_SHA224,
		  "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7" },
		{ CKM_SHA256,
		  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ CKM_SHA384,
		  "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7" },
		{ CKM_SHA512,
		  "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
	};
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		ret = khsm_kat_hex_op(v[i].type, KHSM_OP_DIGEST, NULL, NULL, 0,
				      "616263", v[i].md, 1);
		if (ret)
			return ret;
	}
	return 0;
}

static const struct {
	const char *name;
	int (*run)(void);
} khsm_selftests[] = {
	{ "sha", khsm_selftest_sha },
};

int khsm_selftest_run(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(khsm_selftests); i++) {
		ret = khsm_selftests[i].run();
		if (ret) {
			pr_err("self-test %s: FAIL (%d)\n",
			       khsm_selftests[i].name, ret);
			return ret;
		}
		pr_info("self-test %s: pass\n", khsm_selftests[i].name);
	}
	return 0;
}
