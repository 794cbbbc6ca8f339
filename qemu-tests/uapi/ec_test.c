// SPDX-License-Identifier: GPL-2.0
/*
 * CKK_EC keys on P-521 and the CKA_EC_POINT formats, through direct
 * ioctls, cross-checked with OpenSSL: P-521 key generation (the point in a
 * long-form DER OCTET STRING), signatures made in the kernel (CKM_ECDSA
 * over 64- and 66-byte inputs, every CKM_ECDSA_SHA*) verified by OpenSSL
 * and OpenSSL's signatures verified in the kernel, an OpenSSL key pair
 * imported (public and private) and used both ways; compressed points
 * (02/03 X in an OCTET STRING) imported on P-256/P-384/P-521, stored and
 * read back as the uncompressed point; invalid points refused with
 * CKR_ATTRIBUTE_VALUE_INVALID (not on the curve, x >= p, an x with no
 * point, wrong lengths and prefixes).
 */
#include <errno.h>
#include <unistd.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "kselftest_harness.h"
#include "khsm_util.h"

static const __u8 oid_p256[] = {
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07
};
static const __u8 oid_p384[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22 };
static const __u8 oid_p521[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23 };

struct curve {
	const char *name;		/* OpenSSL group */
	int nid;
	const __u8 *oid;
	size_t oid_len;
	int nb;				/* bytes of p and n */
};

static const struct curve curves[] = {
	{ "P-256", NID_X9_62_prime256v1, oid_p256, sizeof(oid_p256), 32 },
	{ "P-384", NID_secp384r1, oid_p384, sizeof(oid_p384), 48 },
	{ "P-521", NID_secp521r1, oid_p521, sizeof(oid_p521), 66 },
};

#define P521 (&curves[2])

/* DER OCTET STRING of @len bytes at @in (short or 81 long form) */
static size_t octet(const __u8 *in, size_t len, __u8 *out)
{
	size_t h = 2;

	out[0] = 0x04;
	if (len < 0x80) {
		out[1] = (__u8)len;
	} else {
		out[1] = 0x81;
		out[2] = (__u8)len;
		h = 3;
	}
	memcpy(out + h, in, len);
	return h + len;
}

static EVP_PKEY *ossl_pub(const struct curve *c, const __u8 *pt, size_t len)
{
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	EVP_PKEY_CTX *x = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *pk = NULL;
	OSSL_PARAM *p;

	OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, c->name, 0);
	OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pt, len);
	p = OSSL_PARAM_BLD_to_param(b);
	if (EVP_PKEY_fromdata_init(x) <= 0 ||
	    EVP_PKEY_fromdata(x, &pk, EVP_PKEY_PUBLIC_KEY, p) <= 0)
		pk = NULL;
	OSSL_PARAM_free(p);
	OSSL_PARAM_BLD_free(b);
	EVP_PKEY_CTX_free(x);
	return pk;
}

/* 1 if OpenSSL accepts r || s over @msg (hashed with @md, or a hash) */
static int ossl_verify(EVP_PKEY *pk, const char *md, const __u8 *msg,
		       size_t len, const __u8 *rs, int nb)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	__u8 *der = NULL;
	EVP_MD_CTX *m = NULL;
	EVP_PKEY_CTX *c = NULL;
	int dl, ok = 0;

	ECDSA_SIG_set0(s, BN_bin2bn(rs, nb, NULL), BN_bin2bn(rs + nb, nb, NULL));
	dl = i2d_ECDSA_SIG(s, &der);
	if (dl <= 0)
		goto out;
	if (md) {
		m = EVP_MD_CTX_new();
		ok = m && EVP_DigestVerifyInit_ex(m, NULL, md, NULL, NULL, pk,
						  NULL) == 1 &&
		     EVP_DigestVerify(m, der, dl, msg, len) == 1;
	} else {
		c = EVP_PKEY_CTX_new(pk, NULL);
		ok = c && EVP_PKEY_verify_init(c) == 1 &&
		     EVP_PKEY_verify(c, der, dl, msg, len) == 1;
	}
out:
	OPENSSL_free(der);
	ECDSA_SIG_free(s);
	EVP_MD_CTX_free(m);
	EVP_PKEY_CTX_free(c);
	return ok;
}

/* OpenSSL's signature as r || s; 0 on failure */
static int ossl_sign(EVP_PKEY *pk, const char *md, const __u8 *msg,
		     size_t len, __u8 *rs, int nb)
{
	__u8 der[200];
	const __u8 *q = der;
	size_t dl = sizeof(der);
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	ECDSA_SIG *s;
	int ok;

	ok = m && EVP_DigestSignInit_ex(m, NULL, md, NULL, NULL, pk, NULL) == 1 &&
	     EVP_DigestSign(m, der, &dl, msg, len) == 1;
	EVP_MD_CTX_free(m);
	s = ok ? d2i_ECDSA_SIG(NULL, &q, (long)dl) : NULL;
	if (!s)
		return 0;
	BN_bn2binpad(ECDSA_SIG_get0_r(s), rs, nb);
	BN_bn2binpad(ECDSA_SIG_get0_s(s), rs + nb, nb);
	ECDSA_SIG_free(s);
	return 1;
}

/*
 * OpenSSL's public point 04 X Y, or compressed (SEC1 2.3.3: 02 or 03 by
 * the parity of Y, then X)
 */
static size_t ossl_point(EVP_PKEY *pk, int compressed, __u8 *out, size_t max)
{
	__u8 raw[200];
	size_t got = 0, nb;

	if (!EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY,
					     raw, sizeof(raw), &got) ||
	    got < 3 || raw[0] != 0x04 || !(got & 1))
		return 0;
	nb = (got - 1) / 2;
	if ((compressed ? 1 + nb : got) > max)
		return 0;
	if (!compressed) {
		memcpy(out, raw, got);
		return got;
	}
	out[0] = 0x02 | (raw[got - 1] & 1);
	memcpy(out + 1, raw + 1, nb);
	return 1 + nb;
}

static int gen_ec(int fd, __u32 s, const struct curve *c, __u32 *pub,
		  __u32 *priv, __u32 *rv)
{
	struct t_tmpl pt, kt;
	struct khsm_keygen g;
	int err;

	t_tmpl_init(&pt);
	t_add_bool(&pt, CKA_VERIFY, 1);
	t_add_bytes(&pt, CKA_EC_PARAMS, c->oid, c->oid_len);
	t_tmpl_init(&kt);
	t_add_bool(&kt, CKA_SIGN, 1);
	t_add_bool(&kt, CKA_SENSITIVE, 1);
	t_add_bool(&kt, CKA_PRIVATE, 1);
	T_INIT(g);
	g.session = s;
	g.mechanism = CKM_EC_KEY_PAIR_GEN;
	g.pub_template = (uintptr_t)pt.a;
	g.pub_count = pt.n;
	g.priv_template = (uintptr_t)kt.a;
	g.priv_count = kt.n;
	err = t_ioctl(fd, KHSM_IOC_GENERATE_KEY_PAIR, &g);
	*pub = g.pub_handle;
	*priv = g.priv_handle;
	*rv = g.rv;
	return err;
}

static int import_pub(int fd, __u32 s, const struct curve *c, const __u8 *pt,
		      size_t len, __u32 *obj, __u32 *rv)
{
	struct t_tmpl t;

	t_tmpl_init(&t);
	t_add_ulong(&t, CKA_CLASS, CKO_PUBLIC_KEY);
	t_add_ulong(&t, CKA_KEY_TYPE, CKK_EC);
	t_add_bool(&t, CKA_VERIFY, 1);
	t_add_bytes(&t, CKA_EC_PARAMS, c->oid, c->oid_len);
	t_add_bytes(&t, CKA_EC_POINT, pt, len);
	return t_create(fd, s, &t, obj, rv);
}

static int import_priv(int fd, __u32 s, const struct curve *c, const __u8 *d,
		       size_t len, __u32 *obj, __u32 *rv)
{
	struct t_tmpl t;

	t_tmpl_init(&t);
	t_add_ulong(&t, CKA_CLASS, CKO_PRIVATE_KEY);
	t_add_ulong(&t, CKA_KEY_TYPE, CKK_EC);
	t_add_bool(&t, CKA_SIGN, 1);
	t_add_bool(&t, CKA_SENSITIVE, 1);
	t_add_bool(&t, CKA_PRIVATE, 1);
	t_add_bytes(&t, CKA_EC_PARAMS, c->oid, c->oid_len);
	t_add_bytes(&t, CKA_VALUE, d, len);
	return t_create(fd, s, &t, obj, rv);
}

/* one-shot sign; returns the signature length or -1 */
static int tok_sign(int fd, __u32 s, __u32 mech, __u32 key, const void *in,
		    size_t len, __u8 *sig)
{
	__u64 sl = 200;
	__u32 rv;

	if (t_op_init(fd, s, KHSM_OP_SIGN, mech, key, NULL, 0, &rv) ||
	    t_op_data(fd, s, KHSM_OP_SIGN, KHSM_DATA_ONESHOT, in, len, sig, &sl,
		      &rv))
		return -1;
	return (int)sl;
}

/* CKR_OK, CKR_SIGNATURE_INVALID, ... of a one-shot verify */
static __u32 tok_verify(int fd, __u32 s, __u32 mech, __u32 key,
			const void *in, size_t len, const __u8 *sig,
			size_t sl)
{
	__u64 l = sl;
	__u32 rv;

	if (t_op_init(fd, s, KHSM_OP_VERIFY, mech, key, NULL, 0, &rv))
		return rv;
	t_op_data(fd, s, KHSM_OP_VERIFY, KHSM_DATA_ONESHOT, in, len,
		  (void *)sig, &l, &rv);
	return rv;
}

static const struct {
	__u32 mech;
	const char *md;
} fam[] = {
	{ CKM_ECDSA_SHA1, "SHA1" }, { CKM_ECDSA_SHA224, "SHA224" },
	{ CKM_ECDSA_SHA256, "SHA256" }, { CKM_ECDSA_SHA384, "SHA384" },
	{ CKM_ECDSA_SHA512, "SHA512" },
};

FIXTURE(ec) {
	int fd;
	__u32 s;
};

FIXTURE_SETUP(ec)
{
	self->fd = t_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", t_dev_path(), strerror(errno));
	ASSERT_EQ(0, t_reset_token(self->fd));
	self->s = t_user_session(self->fd);
	ASSERT_NE(0U, self->s);
}

FIXTURE_TEARDOWN(ec)
{
	close(self->fd);
}

TEST_F(ec, p521_mechanism_info)
{
	struct khsm_mech_info mi;

	T_INIT(mi);
	mi.mechanism = CKM_EC_KEY_PAIR_GEN;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_MECH_INFO, &mi));
	EXPECT_EQ(256ULL, mi.min_key_size);
	EXPECT_EQ(521ULL, mi.max_key_size);
	T_INIT(mi);
	mi.mechanism = CKM_ECDSA_SHA512;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_MECH_INFO, &mi));
	EXPECT_EQ(521ULL, mi.max_key_size);
}

/* kernel key pair and signatures, OpenSSL verifies */
TEST_F(ec, p521_keygen_sign_openssl_verifies)
{
	const char *msg = "P-521 signed in the kernel";
	__u8 point[200], sig[200], bad[200], h[66];
	__u64 plen = sizeof(point);
	unsigned int hl, i;
	__u32 pub, priv, rv;
	EVP_PKEY *pk;
	int sl;

	ASSERT_OK(gen_ec(self->fd, self->s, P521, &pub, &priv, &rv), rv);
	ASSERT_OK(t_get_attr(self->fd, self->s, pub, CKA_EC_POINT, point, &plen,
			     &rv), rv);
	/* DER OCTET STRING, long form: 04 81 85 04 X Y */
	ASSERT_EQ(136ULL, plen);
	EXPECT_EQ(0x04, point[0]);
	EXPECT_EQ(0x81, point[1]);
	EXPECT_EQ(0x85, point[2]);
	EXPECT_EQ(0x04, point[3]);
	pk = ossl_pub(P521, point + 3, 133);
	ASSERT_NE(NULL, pk);

	for (i = 0; i < sizeof(fam) / sizeof(fam[0]); i++) {
		sl = tok_sign(self->fd, self->s, fam[i].mech, priv, msg,
			      strlen(msg), sig);
		ASSERT_EQ(132, sl) TH_LOG("%s", fam[i].md);
		EXPECT_EQ(1, ossl_verify(pk, fam[i].md, (const __u8 *)msg,
					 strlen(msg), sig, 66))
			TH_LOG("%s", fam[i].md);
		EXPECT_EQ(CKR_OK, tok_verify(self->fd, self->s, fam[i].mech,
					     pub, msg, strlen(msg), sig, 132));
	}
	/* CKM_ECDSA over a SHA-512 hash, and over 66 bytes (truncated) */
	ASSERT_EQ(1, EVP_Digest(msg, strlen(msg), h, &hl, EVP_sha512(), NULL));
	sl = tok_sign(self->fd, self->s, CKM_ECDSA, priv, h, 64, sig);
	ASSERT_EQ(132, sl);
	EXPECT_EQ(1, ossl_verify(pk, NULL, h, 64, sig, 66));
	memset(h + 64, 0xa5, 2);
	h[0] |= 0x80;
	sl = tok_sign(self->fd, self->s, CKM_ECDSA, priv, h, 66, sig);
	ASSERT_EQ(132, sl);
	EXPECT_EQ(1, ossl_verify(pk, NULL, h, 66, sig, 66));
	EXPECT_EQ(CKR_OK, tok_verify(self->fd, self->s, CKM_ECDSA, pub, h, 66,
				     sig, 132));
	memcpy(bad, sig, 132);
	bad[100] ^= 0x10;
	EXPECT_EQ(0, ossl_verify(pk, NULL, h, 66, bad, 66));
	EXPECT_EQ(CKR_SIGNATURE_INVALID,
		  tok_verify(self->fd, self->s, CKM_ECDSA, pub, h, 66, bad, 132));
	EXPECT_EQ(CKR_SIGNATURE_LEN_RANGE,
		  tok_verify(self->fd, self->s, CKM_ECDSA, pub, h, 66, sig, 131));
	EVP_PKEY_free(pk);
}

/* OpenSSL key pair: its signatures verify in the kernel; imported both ways */
TEST_F(ec, p521_openssl_key_import_both_ways)
{
	const char *msg = "P-521 signed by OpenSSL";
	__u8 raw[200], der[200], sig[200], d[66], got[200];
	__u64 gl = sizeof(got);
	__u32 pub, priv, rv;
	BIGNUM *bd = NULL;
	EVP_PKEY *pk = EVP_EC_gen("P-521");
	unsigned int i;
	size_t rl, dl;
	int nd;

	ASSERT_NE(NULL, pk);
	rl = ossl_point(pk, 0, raw, sizeof(raw));
	ASSERT_EQ(133U, rl);
	dl = octet(raw, rl, der);
	ASSERT_OK(import_pub(self->fd, self->s, P521, der, dl, &pub, &rv), rv);
	ASSERT_OK(t_get_attr(self->fd, self->s, pub, CKA_EC_POINT, got, &gl,
			     &rv), rv);
	ASSERT_EQ((__u64)dl, gl);
	EXPECT_EQ(0, memcmp(got, der, dl));
	for (i = 0; i < sizeof(fam) / sizeof(fam[0]); i++) {
		ASSERT_EQ(1, ossl_sign(pk, fam[i].md, (const __u8 *)msg,
				       strlen(msg), sig, 66));
		EXPECT_EQ(CKR_OK, tok_verify(self->fd, self->s, fam[i].mech,
					     pub, msg, strlen(msg), sig, 132))
			TH_LOG("%s", fam[i].md);
		sig[5] ^= 1;
		EXPECT_EQ(CKR_SIGNATURE_INVALID,
			  tok_verify(self->fd, self->s, fam[i].mech, pub, msg,
				     strlen(msg), sig, 132));
	}
	/* the private scalar, without its leading zero bytes */
	ASSERT_EQ(1, EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_PRIV_KEY, &bd));
	nd = BN_bn2bin(bd, d);
	ASSERT_LT(0, nd);
	ASSERT_OK(import_priv(self->fd, self->s, P521, d, nd, &priv, &rv), rv);
	ASSERT_EQ(132, tok_sign(self->fd, self->s, CKM_ECDSA_SHA512, priv, msg,
				strlen(msg), sig));
	EXPECT_EQ(1, ossl_verify(pk, "SHA512", (const __u8 *)msg, strlen(msg),
				 sig, 66));
	EXPECT_EQ(CKR_OK, tok_verify(self->fd, self->s, CKM_ECDSA_SHA512, pub,
				     msg, strlen(msg), sig, 132));
	/* the scalar n (out of range) is refused */
	ASSERT_EQ(66U, t_unhex("01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
			       "fffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91"
			       "386409", d, sizeof(d)));
	EXPECT_NE(0, import_priv(self->fd, self->s, P521, d, 66, &priv, &rv));
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, rv);
	BN_clear_free(bd);
	EVP_PKEY_free(pk);
}

/*
 * Compressed points on every curve: imported, stored and read back as the
 * uncompressed point; OpenSSL's signatures verify with the imported key.
 */
TEST_F(ec, compressed_points_import)
{
	__u8 cmp[100], raw[200], der[200], want[200], got[200], sig[200];
	const char *msg = "compressed";
	unsigned int i, k;
	__u32 pub, rv;

	for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
		const struct curve *c = &curves[i];

		for (k = 0; k < 4; k++) {
			EVP_PKEY *pk = EVP_EC_gen(c->name);
			size_t cl, rl, dl, wl;
			__u64 gl = sizeof(got);

			ASSERT_NE(NULL, pk);
			cl = ossl_point(pk, 1, cmp, sizeof(cmp));
			rl = ossl_point(pk, 0, raw, sizeof(raw));
			ASSERT_EQ((size_t)c->nb + 1, cl);
			ASSERT_EQ((size_t)2 * c->nb + 1, rl);
			dl = octet(cmp, cl, der);
			wl = octet(raw, rl, want);
			ASSERT_OK(import_pub(self->fd, self->s, c, der, dl, &pub,
					     &rv), rv);
			ASSERT_OK(t_get_attr(self->fd, self->s, pub, CKA_EC_POINT,
					     got, &gl, &rv), rv);
			ASSERT_EQ((__u64)wl, gl) TH_LOG("%s", c->name);
			EXPECT_EQ(0, memcmp(got, want, wl)) TH_LOG("%s", c->name);
			ASSERT_EQ(1, ossl_sign(pk, "SHA256", (const __u8 *)msg,
					       strlen(msg), sig, c->nb));
			EXPECT_EQ(CKR_OK, tok_verify(self->fd, self->s,
						     CKM_ECDSA_SHA256, pub, msg,
						     strlen(msg), sig,
						     2 * c->nb));
			/* the bare 04 X Y is stored as its OCTET STRING too */
			gl = sizeof(got);
			ASSERT_OK(import_pub(self->fd, self->s, c, raw, rl, &pub,
					     &rv), rv);
			ASSERT_OK(t_get_attr(self->fd, self->s, pub, CKA_EC_POINT,
					     got, &gl, &rv), rv);
			ASSERT_EQ((__u64)wl, gl);
			EXPECT_EQ(0, memcmp(got, want, wl));
			EVP_PKEY_free(pk);
		}
	}
}

/* An x with no point on the curve (OpenSSL finds no y for it). */
static int x_without_point(const struct curve *c, __u8 *x)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(c->nid);
	EC_POINT *p = g ? EC_POINT_new(g) : NULL;
	BIGNUM *bx = BN_new();
	BN_CTX *ctx = BN_CTX_new();
	int v, found = 0;

	for (v = 2; p && v < 200 && !found; v++) {
		BN_set_word(bx, v);
		if (!EC_POINT_set_compressed_coordinates(g, p, bx, 0, ctx)) {
			BN_bn2binpad(bx, x, c->nb);
			found = 1;
		}
	}
	BN_CTX_free(ctx);
	BN_free(bx);
	EC_POINT_free(p);
	EC_GROUP_free(g);
	return found;
}

TEST_F(ec, invalid_points_refused)
{
	__u8 cmp[100], raw[200], der[200], bad[200];
	unsigned int i;
	__u32 pub, rv;

	for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
		const struct curve *c = &curves[i];
		EVP_PKEY *pk = EVP_EC_gen(c->name);
		size_t cl, rl, dl;

		ASSERT_NE(NULL, pk);
		cl = ossl_point(pk, 1, cmp, sizeof(cmp));
		rl = ossl_point(pk, 0, raw, sizeof(raw));
		ASSERT_EQ((size_t)c->nb + 1, cl);
		/* not on the curve */
		memcpy(bad, raw, rl);
		bad[rl - 1] ^= 1;
		dl = octet(bad, rl, der);
		EXPECT_EQ(EINVAL, import_pub(self->fd, self->s, c, der, dl, &pub,
					     &rv)) TH_LOG("%s", c->name);
		EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, rv);
		/* compressed x = 2^(8 nb) - 1 >= p */
		memset(bad + 1, 0xff, c->nb);
		bad[0] = 0x02;
		dl = octet(bad, cl, der);
		EXPECT_EQ(EINVAL, import_pub(self->fd, self->s, c, der, dl, &pub,
					     &rv));
		EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, rv);
		/* compressed x with no point */
		ASSERT_EQ(1, x_without_point(c, bad + 1));
		bad[0] = 0x03;
		dl = octet(bad, cl, der);
		EXPECT_EQ(EINVAL, import_pub(self->fd, self->s, c, der, dl, &pub,
					     &rv)) TH_LOG("%s no root", c->name);
		EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, rv);
		/* wrong lengths: a byte short (compressed and not), one more */
		dl = octet(cmp, cl - 1, der);
		EXPECT_EQ(EINVAL, import_pub(self->fd, self->s, c, der, dl, &pub,
					     &rv));
		EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, rv);
		dl = octet(raw, rl - 1, der);
		EXPECT_EQ(EINVAL, import_pub(self->fd, self->s, c, der, dl, &pub,
					     &rv));
		EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, rv);
		memcpy(bad, cmp, cl);
		bad[cl] = 0;
		dl = octet(bad, cl + 1, der);
		EXPECT_EQ(EINVAL, import_pub(self->fd, self->s, c, der, dl, &pub,
					     &rv));
		EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, rv);
		/* prefixes 05 and 04 on a compressed-length point */
		memcpy(bad, cmp, cl);
		bad[0] = 0x05;
		dl = octet(bad, cl, der);
		EXPECT_EQ(EINVAL, import_pub(self->fd, self->s, c, der, dl, &pub,
					     &rv));
		EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, rv);
		bad[0] = 0x04;
		dl = octet(bad, cl, der);
		EXPECT_EQ(EINVAL, import_pub(self->fd, self->s, c, der, dl, &pub,
					     &rv));
		EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, rv);
		/* a DER length that does not match the content */
		dl = octet(cmp, cl, der);
		der[1]++;
		EXPECT_EQ(EINVAL, import_pub(self->fd, self->s, c, der, dl, &pub,
					     &rv));
		EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, rv);
		EVP_PKEY_free(pk);
	}
}

TEST_HARNESS_MAIN
