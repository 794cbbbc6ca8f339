// SPDX-License-Identifier: GPL-2.0
/*
 * Known-answer tests, run by khsm_mech_init() before any token registers.
 * Every test goes through the registered struct khsm_mech entries (the
 * same ->init/->step/->cleanup the ioctls use), one-shot and multi-part,
 * so a self-test pass means the code paths users reach are right. One log
 * line per family; any failure makes khsm_mech_init() fail.
 */
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ck.h"
#include "mech_family.h"
#include "selftest.h"
#include "uapi/linux/khsm.h"
#include "crypto/selftest.h"

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
		const u8 *exp, size_t exp_len, size_t chunk, unsigned long want_rv)
{
	const struct khsm_mech *m = khsm_mech_find(type);
	struct khsm_op op = { .mech = m, .kind = kind };
	bool verify = kind == KHSM_OP_VERIFY;
	size_t done = 0, pos = 0, cap, n, got = 0, bound;
	u8 *out = NULL;
	unsigned long rv;
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
	/* Every step must stay within what ->out_len() announced. */
	if (!chunk) {
		bound = m->out_len(&op, KHSM_STEP_ONESHOT, in_len);
		rv = m->step(&op, KHSM_STEP_ONESHOT, in, in_len,
			     verify ? NULL : out, &done, verify ? exp : NULL,
			     verify ? exp_len : 0);
		if (done > bound)
			ret = -EOVERFLOW;
		goto check;
	}
	for (; pos < in_len; pos += n) {
		n = min(chunk, in_len - pos);
		bound = m->out_len(&op, KHSM_STEP_UPDATE, n);
		if (done + bound > cap) {
			ret = -EOVERFLOW;
			goto free;
		}
		rv = m->step(&op, KHSM_STEP_UPDATE, in + pos, n,
			     verify ? NULL : out + done, &got, NULL, 0);
		if (rv != CKR_OK)
			goto check;
		if (got > bound) {
			ret = -EOVERFLOW;
			goto free;
		}
		done += got;
	}
	bound = m->out_len(&op, KHSM_STEP_FINAL, 0);
	if (done + bound > cap) {
		ret = -EOVERFLOW;
		goto free;
	}
	rv = m->step(&op, KHSM_STEP_FINAL, NULL, 0, verify ? NULL : out + done,
		     &got, verify ? exp : NULL, verify ? exp_len : 0);
	if (got > bound)
		ret = -EOVERFLOW;
	done += got;
check:
	if (ret)
		goto free;
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

unsigned long khsm_kat_gen_curve_pair(const struct khsm_key_ops *ops,
				     const u8 *params, u32 params_len,
				     struct khsm_keymat **priv,
				     struct khsm_keymat **pub)
{
	struct khsm_attrs a = {}, b = {};
	unsigned long rv = CKR_HOST_MEMORY;

	*priv = NULL;
	*pub = NULL;
	if (khsm_attrs_alloc(&a) || khsm_attrs_alloc(&b) ||
	    khsm_attrs_put(&a, CKA_EC_PARAMS, params, params_len))
		goto out;
	rv = ops->generate_pair(NULL, &a, &b);
	rv = rv ?: khsm_keymat_build(ops, CKO_PUBLIC_KEY, &a, pub);
	rv = rv ?: khsm_keymat_build(ops, CKO_PRIVATE_KEY, &b, priv);
	if (rv) {
		khsm_keymat_put(*pub);
		*pub = NULL;
	}
out:
	khsm_attrs_free(&a);
	khsm_attrs_free(&b);
	return rv;
}

/* FIPS 180-4 / FIPS 202 example "abc" for each SHA and SHA-3. */
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
		{ CKM_SHA3_224,
		  "e642824c3f8cf24ad09234ee7d3c766fc9a3a5168d0c94ad73b46fdf" },
		{ CKM_SHA3_256,
		  "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532" },
		{ CKM_SHA3_384,
		  "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b298d88cea927ac7f539f1edf228376d25" },
		{ CKM_SHA3_512,
		  "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0" },
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

static const char khsm_kat_38a_pt[] = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
static const char khsm_kat_38a_iv[] = "000102030405060708090a0b0c0d0e0f";

/* Encrypt and decrypt one vector, one-shot and in @chunk-byte parts. */
int khsm_kat_cipher(unsigned long type, const char *key_hex,
		    const void *param, u32 param_len, const char *pt,
		    const char *ct, size_t chunk)
{
	struct khsm_key key = { .class = CKO_SECRET_KEY, .key_type = CKK_AES };
	struct khsm_prep_cache pc = {};
	size_t key_len;
	u8 *k = khsm_kat_hex(key_hex, &key_len);
	int ret;

	if (!k)
		return -ENOMEM;
	key.value = k;
	key.value_len = key_len;
	key.prep = &pc;		/* as a key object's: the keyed transform is kept */
	ret = khsm_kat_hex_op(type, KHSM_OP_ENCRYPT, &key, param, param_len,
			      pt, ct, chunk);
	if (!ret)
		ret = khsm_kat_hex_op(type, KHSM_OP_DECRYPT, &key, param,
				      param_len, ct, pt, chunk);
	khsm_prep_cache_release(&pc);
	kfree_sensitive(k);
	return ret;
}

/* Expect @want from one operation on hex input @in (output not checked). */
int khsm_kat_cipher_rv(unsigned long type, u32 kind, const char *key_hex,
		       const void *param, u32 param_len, const char *in_hex,
		       size_t chunk, unsigned long want)
{
	struct khsm_key key = { .class = CKO_SECRET_KEY, .key_type = CKK_AES };
	struct khsm_prep_cache pc = {};
	size_t key_len, in_len;
	u8 *k = khsm_kat_hex(key_hex, &key_len);
	u8 *in = khsm_kat_hex(in_hex, &in_len);
	int ret = -ENOMEM;

	if (k && in) {
		key.value = k;
		key.value_len = key_len;
		key.prep = &pc;
		ret = khsm_kat_op(type, kind, &key, param, param_len, in,
				  in_len, NULL, 0, chunk, want);
	}
	khsm_prep_cache_release(&pc);
	kfree_sensitive(k);
	kfree(in);
	return ret;
}

/*
 * NIST SP 800-38A F.1.1 (ECB-AES128), F.2.1/F.2.2 (CBC-AES128) and
 * F.2.5/F.2.6 (CBC-AES256); a fixed CBC_PAD vector (made with OpenSSL);
 * a bad padding, and lengths that are not a multiple of the block.
 */
static int khsm_selftest_aes(void)
{
	static const char k128[] = "2b7e151628aed2a6abf7158809cf4f3c";
	static const char k256[] = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
	static const char pad_pt[] = "6b68736d204342435f5041442073656c662d74657374";
	static const char pad_ct[] = "3082b251b242d07b2d691f85dfe0e5638f519e9f6651beaa12dae9efaf2f1835";
	static const char cbc128[] = "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7";
	static const size_t chunks[] = { 5, 16, 17, 33 };
	size_t iv_len;
	u8 *iv = khsm_kat_hex(khsm_kat_38a_iv, &iv_len);
	unsigned int i;
	int ret = -ENOMEM;

	if (!iv)
		return ret;
	for (i = 0; i < ARRAY_SIZE(chunks); i++) {
		ret = khsm_kat_cipher(CKM_AES_ECB, k128, NULL, 0,
				      khsm_kat_38a_pt, "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf43b1cd7f598ece23881b00e3ed0306887b0c785e27e8ad3f8223207104725dd4",
				      chunks[i]);
		if (ret)
			goto out;
		ret = khsm_kat_cipher(CKM_AES_CBC, k128, iv, iv_len,
				      khsm_kat_38a_pt, cbc128, chunks[i]);
		if (ret)
			goto out;
		ret = khsm_kat_cipher(CKM_AES_CBC, k256, iv, iv_len,
				      khsm_kat_38a_pt, "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b",
				      chunks[i]);
		if (ret)
			goto out;
		ret = khsm_kat_cipher(CKM_AES_CBC_PAD, k128, iv, iv_len,
				      pad_pt, pad_ct, chunks[i]);
		if (ret)
			goto out;
		/* F.2.1 ciphertext ends in a plaintext block that is no pad */
		ret = khsm_kat_cipher_rv(CKM_AES_CBC_PAD, KHSM_OP_DECRYPT, k128,
					 iv, iv_len, cbc128, chunks[i],
					 CKR_ENCRYPTED_DATA_INVALID);
		if (ret)
			goto out;
	}
	ret = khsm_kat_cipher_rv(CKM_AES_CBC, KHSM_OP_ENCRYPT, k128, iv,
				 iv_len, pad_pt, 0, CKR_DATA_LEN_RANGE);
	if (!ret)
		ret = khsm_kat_cipher_rv(CKM_AES_CBC, KHSM_OP_DECRYPT, k128,
					 iv, iv_len, pad_pt, 7,
					 CKR_ENCRYPTED_DATA_LEN_RANGE);
	if (!ret)
		ret = khsm_kat_cipher_rv(CKM_AES_CBC_PAD, KHSM_OP_DECRYPT, k128,
					 iv, iv_len, pad_pt, 0,
					 CKR_ENCRYPTED_DATA_LEN_RANGE);
	if (!ret)
		ret = khsm_kat_cipher_rv(CKM_AES_CBC, KHSM_OP_ENCRYPT, k128, iv,
					 iv_len - 1, pad_ct, 0,
					 CKR_MECHANISM_PARAM_INVALID);
out:
	kfree(iv);
	return ret;
}

/* Build the flat CKM_AES_GCM parameter: header, IV, AAD. */
static void *khsm_kat_gcm_param(const char *iv_hex, const char *aad_hex,
				u32 tag_bits, u32 *len)
{
	struct khsm_gcm_params p = { .gcm_tag_bits = tag_bits };
	size_t iv_len, aad_len;
	u8 *iv = khsm_kat_hex(iv_hex, &iv_len);
	u8 *aad = khsm_kat_hex(aad_hex, &aad_len);
	u8 *buf = NULL;

	if (!iv || !aad)
		goto out;
	p.gcm_iv_len = iv_len;
	p.gcm_aad_len = aad_len;
	*len = sizeof(p) + iv_len + aad_len;
	buf = kmalloc(*len, GFP_KERNEL);
	if (!buf)
		goto out;
	memcpy(buf, &p, sizeof(p));
	memcpy(buf + sizeof(p), iv, iv_len);
	memcpy(buf + sizeof(p) + iv_len, aad, aad_len);
out:
	kfree(iv);
	kfree(aad);
	return buf;
}

/*
 * GCM spec (McGrew/Viega) test cases 4, 5, 6 and 16 (60-byte plaintext,
 * 20-byte AAD; 96-, 64- and 480-bit IVs; AES-128 and AES-256), and 8- and
 * 2048-bit IVs (made with a reference GCM checked against OpenSSL on the
 * spec cases); each with a 96-bit tag too and with one tag bit flipped;
 * parameters GCM cannot take.
 */
static int khsm_selftest_gcm(void)
{
	static const char k128[] = "feffe9928665731c6d6a8f9467308308";
	static const char pt[] = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
	static const char aad[] = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
	static const struct {
		const char *key, *iv, *ct_tag;
	} v[] = {
		{ k128, "cafebabefacedbaddecaf888",
		  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e0915bc94fbc3221a5db94fae95ae7121a47" },
		{ "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
		  "cafebabefacedbaddecaf888",
		  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f66276fc6ece0f4e1768cddf8853bb2d551b" },
		{ k128, "cafebabefacedbad",
		  "61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c742373806900e49f24b22b097544d4896b424989b5e1ebac0f07c23f45983612d2e79e3b0785561be14aaca2fccb" },
		{ k128, "9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b",
		  "8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca701e4a9a4fba43c90ccdcb281d48c7c6fd62875d2aca417034c34aee5619cc5aefffe0bfa462af43c1699d050" },
		{ k128, "42",
		  "c74b5a90014f59c5436042447992e867d726085650bafc0ec0597b32196a9e4091e3791eaf75ba6bc71ca63d9d6200feb5c66c3182f1059e8c1c4a71b6d0ace5786012ee7dff3f032bd37fe8" },
		{ k128, NULL,	/* 00 01 02 ... ff */
		  "174fc0bb1494186c262eb6f5496f70050d3807f9bf00a4254b921e4c48abed5fd478543198bb4286304694080510cc41e71c497c6b8598718533a7b91509f443598e97bfa611f2bfa36bf849" },
	};
	char *iv256 = NULL, *ct96 = NULL;
	u8 *p128 = NULL, *p96 = NULL;
	const char *iv;
	u32 l128, l96;
	unsigned int i;
	int ret = -ENOMEM;

	iv256 = kmalloc(2 * 256 + 1, GFP_KERNEL);
	ct96 = kmalloc(2 * (60 + 12) + 1, GFP_KERNEL);
	if (!iv256 || !ct96)
		goto out;
	for (i = 0; i < 256; i++)
		snprintf(iv256 + 2 * i, 3, "%02x", i);
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		iv = v[i].iv ? v[i].iv : iv256;
		ret = -ENOMEM;
		p128 = khsm_kat_gcm_param(iv, aad, 128, &l128);
		p96 = khsm_kat_gcm_param(iv, aad, 96, &l96);
		if (!p128 || !p96)
			goto out;
		ret = khsm_kat_cipher(CKM_AES_GCM, v[i].key, p128, l128, pt,
				      v[i].ct_tag, 7);
		if (ret)
			goto out;
		/* 96-bit tag: the first 12 bytes of the full one */
		strscpy(ct96, v[i].ct_tag, 2 * (60 + 12) + 1);
		ret = khsm_kat_cipher(CKM_AES_GCM, v[i].key, p96, l96, pt,
				      ct96, 16);
		if (ret)
			goto out;
		ct96[2 * 60 + 1] ^= 1;	/* flip one tag bit (hex stays hex) */
		ret = khsm_kat_cipher_rv(CKM_AES_GCM, KHSM_OP_DECRYPT, v[i].key,
					 p96, l96, ct96, 0,
					 CKR_ENCRYPTED_DATA_INVALID);
		ret = ret ?: khsm_kat_cipher_rv(CKM_AES_GCM, KHSM_OP_DECRYPT,
						v[i].key, p96, l96, ct96, 13,
						CKR_ENCRYPTED_DATA_INVALID);
		if (ret)
			goto out;
		kfree(p128);
		kfree(p96);
		p128 = NULL;
		p96 = NULL;
	}
	/* no IV; a tag length that is not a multiple of 8 bits */
	ret = -ENOMEM;
	p128 = khsm_kat_gcm_param("", aad, 128, &l128);
	p96 = khsm_kat_gcm_param(v[0].iv, aad, 100, &l96);
	if (!p128 || !p96)
		goto out;
	ret = khsm_kat_cipher_rv(CKM_AES_GCM, KHSM_OP_ENCRYPT, k128, p128,
				 l128, pt, 0, CKR_MECHANISM_PARAM_INVALID);
	ret = ret ?: khsm_kat_cipher_rv(CKM_AES_GCM, KHSM_OP_ENCRYPT, k128,
					p96, l96, pt, 0,
					CKR_MECHANISM_PARAM_INVALID);
out:
	kfree(iv256);
	kfree(ct96);
	kfree(p128);
	kfree(p96);
	return ret;
}

/* The engine's own known answers (kc_selftest in kmod/crypto/). */
static int khsm_selftest_engine(void)
{
	int ret = kc_selftest();

	if (ret)
		pr_err("self-test: crypto engine check %d failed\n", -ret);
	return ret ? -EBADMSG : 0;
}

static const struct {
	const char *name;
	int (*run)(void);
} khsm_selftests[] = {
	{ "sha", khsm_selftest_sha },
	{ "aes", khsm_selftest_aes },
	{ "gcm", khsm_selftest_gcm },
	{ "aes-ctr", khsm_selftest_aes_ctr },
	{ "aes-kw", khsm_selftest_aes_kw },
	{ "engine", khsm_selftest_engine },
	{ "ecdsa", khsm_selftest_ecdsa },
	{ "eddsa", khsm_selftest_eddsa },
	{ "rsa", khsm_selftest_rsa },
	{ "hmac", khsm_selftest_hmac },
	{ "cmac", khsm_selftest_cmac },
	{ "ecdh", khsm_selftest_ecdh },
	{ "pkcs8", khsm_selftest_pkcs8 },
	{ "hkdf", khsm_selftest_hkdf },
};

int khsm_selftest_run(void)
{
	unsigned int i;
	u64 t0;
	int ret;

	for (i = 0; i < ARRAY_SIZE(khsm_selftests); i++) {
		t0 = ktime_get_ns();
		ret = khsm_selftests[i].run();
		if (ret) {
			pr_err("self-test %s: FAIL (%d)\n",
			       khsm_selftests[i].name, ret);
			return ret;
		}
		pr_info("self-test %s: pass (%llu us)\n",
			khsm_selftests[i].name,
			div_u64(ktime_get_ns() - t0, NSEC_PER_USEC));
	}
	return 0;
}
