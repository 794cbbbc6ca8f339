// SPDX-License-Identifier: GPL-2.0
/*
 * Objects through direct ioctls: create data/secret/EC objects, the GET_ATTRS
 * length protocol, per-attribute BUFFER_TOO_SMALL / ATTRIBUTE_SENSITIVE /
 * ATTRIBUTE_TYPE_INVALID, SET_ATTRS rules (MODIFIABLE, sticky SENSITIVE and
 * EXTRACTABLE), COPY/DESTROY with COPYABLE/DESTROYABLE, FIND, visibility of
 * private objects, session objects of closed sessions and of other files.
 */
#include <errno.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "khsm_util.h"

#define RW (CKF_SERIAL_SESSION | CKF_RW_SESSION)
#define RO CKF_SERIAL_SESSION

/* DER OCTET STRING of the P-256 base point G (uncompressed). */
static __u8 g_point[67];
static void init_g_point(void)
{
	g_point[0] = 0x04;
	g_point[1] = 0x41;
	t_unhex("04"
		"6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
		"4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
		g_point + 2, 65);
}

static const __u8 key16[16] = "0123456789abcdef";

static int set_attrs(int fd, __u32 s, __u32 obj, struct t_tmpl *t, __u32 *rv)
{
	struct khsm_object o;
	int err;

	T_INIT(o);
	o.session = s;
	o.object = obj;
	o.count = t->n;
	o.tmpl = (uintptr_t)t->a;
	err = t_ioctl(fd, KHSM_IOC_SET_ATTRS, &o);
	*rv = o.rv;
	return err;
}

static int get_attrs(int fd, __u32 s, __u32 obj, struct khsm_attr *a,
		     __u32 n, __u32 *rv)
{
	struct khsm_object o;
	int err;

	T_INIT(o);
	o.session = s;
	o.object = obj;
	o.count = n;
	o.tmpl = (uintptr_t)a;
	err = t_ioctl(fd, KHSM_IOC_GET_ATTRS, &o);
	*rv = o.rv;
	return err;
}

static int copy_obj(int fd, __u32 s, __u32 obj, struct t_tmpl *t, __u32 *out,
		    __u32 *rv)
{
	struct khsm_object o;
	int err;

	T_INIT(o);
	o.session = s;
	o.object = obj;
	if (t) {
		o.count = t->n;
		o.tmpl = (uintptr_t)t->a;
	}
	err = t_ioctl(fd, KHSM_IOC_COPY_OBJECT, &o);
	*out = o.object;
	*rv = o.rv;
	return err;
}

/* CK_BBOOL attribute of an object, or -1. */
static int get_bool(int fd, __u32 s, __u32 obj, __u32 type)
{
	__u8 v = 0xff;
	__u64 len = 1;
	__u32 rv;

	if (t_get_attr(fd, s, obj, type, &v, &len, &rv) || len != 1)
		return -1;
	return v;
}

static int has(const __u32 *h, int n, __u32 x)
{
	int i;

	for (i = 0; i < n; i++)
		if (h[i] == x)
			return 1;
	return 0;
}

FIXTURE(obj) {
	int fd;
	__u32 s;	/* RW, user logged in */
};

FIXTURE_SETUP(obj)
{
	init_g_point();
	self->fd = t_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", t_dev_path(), strerror(errno));
	ASSERT_EQ(0, t_reset_token(self->fd));
	self->s = t_user_session(self->fd);
	ASSERT_NE(0U, self->s);
}

FIXTURE_TEARDOWN(obj)
{
	close(self->fd);
}

TEST_F(obj, data_object_two_call_get)
{
	struct t_tmpl t;
	struct khsm_attr a[3];
	char label[64], value[64];
	__u64 cls = 0;
	__u32 o, rv;

	t_tmpl_data(&t, "the value", 0, 0);
	t_add_bytes(&t, CKA_LABEL, "a label", 7);
	ASSERT_OK(t_create(self->fd, self->s, &t, &o, &rv), rv);
	EXPECT_NE(0U, o);

	/* Call 1: lengths only. */
	memset(a, 0, sizeof(a));
	a[0].type = CKA_LABEL;
	a[1].type = CKA_VALUE;
	a[2].type = CKA_CLASS;
	ASSERT_OK(get_attrs(self->fd, self->s, o, a, 3, &rv), rv);
	EXPECT_EQ(7ULL, a[0].len);
	EXPECT_EQ(9ULL, a[1].len);
	EXPECT_EQ(8ULL, a[2].len);

	/* Call 2: values. */
	memset(label, 0, sizeof(label));
	memset(value, 0, sizeof(value));
	a[0].value = (uintptr_t)label;
	a[0].len = sizeof(label);
	a[1].value = (uintptr_t)value;
	a[1].len = sizeof(value);
	a[2].value = (uintptr_t)&cls;
	a[2].len = 8;
	ASSERT_OK(get_attrs(self->fd, self->s, o, a, 3, &rv), rv);
	EXPECT_EQ(7ULL, a[0].len);
	EXPECT_EQ(0, memcmp(label, "a label", 7));
	EXPECT_EQ(9ULL, a[1].len);
	EXPECT_EQ(0, memcmp(value, "the value", 9));
	EXPECT_EQ((__u64)CKO_DATA, cls);
	/* Defaults of a data object. */
	EXPECT_EQ(0, get_bool(self->fd, self->s, o, CKA_TOKEN));
	EXPECT_EQ(1, get_bool(self->fd, self->s, o, CKA_MODIFIABLE));
	EXPECT_EQ(1, get_bool(self->fd, self->s, o, CKA_DESTROYABLE));
	EXPECT_EQ(1, get_bool(self->fd, self->s, o, CKA_COPYABLE));
}

TEST_F(obj, buffer_too_small_per_attribute)
{
	struct t_tmpl t;
	struct khsm_attr a[3];
	char label[64], small[4];
	__u64 cls = 0;
	__u32 o, rv;

	t_tmpl_data(&t, "twelve bytes", 0, 0);
	t_add_bytes(&t, CKA_LABEL, "lbl", 3);
	ASSERT_OK(t_create(self->fd, self->s, &t, &o, &rv), rv);
	memset(a, 0, sizeof(a));
	memset(small, 0x77, sizeof(small));
	a[0].type = CKA_LABEL;
	a[0].value = (uintptr_t)label;
	a[0].len = sizeof(label);
	a[1].type = CKA_VALUE;
	a[1].value = (uintptr_t)small;
	a[1].len = sizeof(small);
	a[2].type = CKA_CLASS;
	a[2].value = (uintptr_t)&cls;
	a[2].len = 8;
	EXPECT_EQ(ENOSPC, get_attrs(self->fd, self->s, o, a, 3, &rv));
	EXPECT_EQ(CKR_BUFFER_TOO_SMALL, rv);
	/* The others are still returned; the short one gets its length. */
	EXPECT_EQ(3ULL, a[0].len);
	EXPECT_EQ(0, memcmp(label, "lbl", 3));
	EXPECT_EQ(12ULL, a[1].len);
	EXPECT_EQ(0x77, small[0]);
	EXPECT_EQ(8ULL, a[2].len);
	EXPECT_EQ((__u64)CKO_DATA, cls);
}

TEST_F(obj, sensitive_value_and_type_invalid)
{
	struct t_tmpl t;
	struct khsm_attr a[2];
	__u8 buf[32];
	__u64 len, kt = 0;
	__u32 k, d, rv;

	t_tmpl_aes(&t, key16, 16, 0);
	t_add_bool(&t, CKA_SENSITIVE, 1);
	ASSERT_OK(t_create(self->fd, self->s, &t, &k, &rv), rv);
	len = sizeof(buf);
	EXPECT_EQ(EPERM, t_get_attr(self->fd, self->s, k, CKA_VALUE, buf, &len, &rv));
	EXPECT_EQ(CKR_ATTRIBUTE_SENSITIVE, rv);
	EXPECT_EQ(KHSM_LEN_UNAVAILABLE, len);
	/* Also for a length query. */
	len = 0;
	EXPECT_EQ(EPERM, t_get_attr(self->fd, self->s, k, CKA_VALUE, NULL, &len, &rv));
	EXPECT_EQ(CKR_ATTRIBUTE_SENSITIVE, rv);
	EXPECT_EQ(KHSM_LEN_UNAVAILABLE, len);
	/* The other attributes of the same call are returned. */
	memset(a, 0, sizeof(a));
	a[0].type = CKA_VALUE;
	a[0].value = (uintptr_t)buf;
	a[0].len = sizeof(buf);
	a[1].type = CKA_KEY_TYPE;
	a[1].value = (uintptr_t)&kt;
	a[1].len = 8;
	EXPECT_EQ(EPERM, get_attrs(self->fd, self->s, k, a, 2, &rv));
	EXPECT_EQ(CKR_ATTRIBUTE_SENSITIVE, rv);
	EXPECT_EQ(KHSM_LEN_UNAVAILABLE, a[0].len);
	EXPECT_EQ(8ULL, a[1].len);
	EXPECT_EQ((__u64)CKK_AES, kt);
	/* CKA_VALUE_LEN is derived. */
	len = 8;
	kt = 0;
	ASSERT_OK(t_get_attr(self->fd, self->s, k, CKA_VALUE_LEN, &kt, &len, &rv), rv);
	EXPECT_EQ(16ULL, kt);
	EXPECT_EQ(0, get_bool(self->fd, self->s, k, CKA_LOCAL));
	EXPECT_EQ(0, get_bool(self->fd, self->s, k, CKA_ALWAYS_SENSITIVE));
	EXPECT_EQ(0, get_bool(self->fd, self->s, k, CKA_NEVER_EXTRACTABLE));

	/* An attribute a data object does not have. */
	t_tmpl_data(&t, "d", 0, 0);
	ASSERT_OK(t_create(self->fd, self->s, &t, &d, &rv), rv);
	len = 8;
	EXPECT_EQ(EINVAL, t_get_attr(self->fd, self->s, d, CKA_KEY_TYPE, &kt, &len, &rv));
	EXPECT_EQ(CKR_ATTRIBUTE_TYPE_INVALID, rv);
	EXPECT_EQ(KHSM_LEN_UNAVAILABLE, len);
	len = 8;
	EXPECT_EQ(EINVAL, t_get_attr(self->fd, self->s, d, 0x7ffe1234, &kt, &len, &rv));
	EXPECT_EQ(CKR_ATTRIBUTE_TYPE_INVALID, rv);
	EXPECT_EQ(KHSM_LEN_UNAVAILABLE, len);
}

TEST_F(obj, non_sensitive_secret_readable)
{
	struct t_tmpl t;
	__u8 buf[32];
	__u64 len = sizeof(buf);
	__u32 k, rv;

	t_tmpl_aes(&t, key16, 16, 0);
	t_add_bool(&t, CKA_SENSITIVE, 0);
	t_add_bool(&t, CKA_EXTRACTABLE, 1);
	ASSERT_OK(t_create(self->fd, self->s, &t, &k, &rv), rv);
	ASSERT_OK(t_get_attr(self->fd, self->s, k, CKA_VALUE, buf, &len, &rv), rv);
	EXPECT_EQ(16ULL, len);
	EXPECT_EQ(0, memcmp(buf, key16, 16));
}

TEST_F(obj, create_template_errors)
{
	struct t_tmpl t;
	__u32 o = 0, rv;

	/* No class. */
	t_tmpl_init(&t);
	t_add_bytes(&t, CKA_VALUE, "x", 1);
	EXPECT_EQ(EINVAL, t_create(self->fd, self->s, &t, &o, &rv));
	EXPECT_EQ(CKR_TEMPLATE_INCOMPLETE, rv);
	/* Secret key without CKA_VALUE. */
	t_tmpl_init(&t);
	t_add_ulong(&t, CKA_CLASS, CKO_SECRET_KEY);
	t_add_ulong(&t, CKA_KEY_TYPE, CKK_AES);
	EXPECT_EQ(EINVAL, t_create(self->fd, self->s, &t, &o, &rv));
	EXPECT_EQ(CKR_TEMPLATE_INCOMPLETE, rv);
	/* AES key of an invalid length. */
	t_tmpl_aes(&t, key16, 15, 0);
	EXPECT_EQ(EINVAL, t_create(self->fd, self->s, &t, &o, &rv));
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, rv);
	/* CK_ULONG attribute of the wrong size. */
	t_tmpl_init(&t);
	t_add_bytes(&t, CKA_CLASS, "\0\0\0\0", 4);
	EXPECT_EQ(EINVAL, t_create(self->fd, self->s, &t, &o, &rv));
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, rv);
	/* CK_BBOOL of the wrong size. */
	t_tmpl_data(&t, "x", 0, 0);
	t.a[1].len = 8;
	EXPECT_EQ(EINVAL, t_create(self->fd, self->s, &t, &o, &rv));
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, rv);
	/* Unknown attribute. */
	t_tmpl_data(&t, "x", 0, 0);
	t_add_bytes(&t, 0x7ffe1234, "x", 1);
	EXPECT_EQ(EINVAL, t_create(self->fd, self->s, &t, &o, &rv));
	EXPECT_EQ(CKR_ATTRIBUTE_TYPE_INVALID, rv);
	/* Attributes only the token may set. */
	t_tmpl_aes(&t, key16, 16, 0);
	t_add_bool(&t, CKA_LOCAL, 1);
	EXPECT_EQ(EPERM, t_create(self->fd, self->s, &t, &o, &rv));
	EXPECT_EQ(CKR_ATTRIBUTE_READ_ONLY, rv);
	t_tmpl_aes(&t, key16, 16, 0);
	t_add_bool(&t, CKA_ALWAYS_SENSITIVE, 1);
	EXPECT_EQ(EPERM, t_create(self->fd, self->s, &t, &o, &rv));
	EXPECT_EQ(CKR_ATTRIBUTE_READ_ONLY, rv);
	/* Unknown class. */
	t_tmpl_init(&t);
	t_add_ulong(&t, CKA_CLASS, 0x7fff0000);
	EXPECT_EQ(EINVAL, t_create(self->fd, self->s, &t, &o, &rv));
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, rv);
	EXPECT_EQ(0U, o);
}

TEST_F(obj, ec_objects)
{
	struct t_tmpl t;
	__u8 buf[80], scalar[32];
	__u64 len;
	__u32 pub, priv, rv;

	t_tmpl_init(&t);
	t_add_ulong(&t, CKA_CLASS, CKO_PUBLIC_KEY);
	t_add_ulong(&t, CKA_KEY_TYPE, CKK_EC);
	t_add_bool(&t, CKA_VERIFY, 1);
	t_add_bytes(&t, CKA_EC_PARAMS, t_p256_oid, sizeof(t_p256_oid));
	t_add_bytes(&t, CKA_EC_POINT, g_point, sizeof(g_point));
	ASSERT_OK(t_create(self->fd, self->s, &t, &pub, &rv), rv);
	len = sizeof(buf);
	ASSERT_OK(t_get_attr(self->fd, self->s, pub, CKA_EC_POINT, buf, &len, &rv), rv);
	EXPECT_EQ(sizeof(g_point), len);
	EXPECT_EQ(0, memcmp(buf, g_point, sizeof(g_point)));
	len = sizeof(buf);
	ASSERT_OK(t_get_attr(self->fd, self->s, pub, CKA_EC_PARAMS, buf, &len, &rv), rv);
	EXPECT_EQ(sizeof(t_p256_oid), len);
	EXPECT_EQ(0, memcmp(buf, t_p256_oid, sizeof(t_p256_oid)));

	/* Private key with scalar 1 (its public key is G). */
	memset(scalar, 0, sizeof(scalar));
	scalar[31] = 1;
	t_tmpl_init(&t);
	t_add_ulong(&t, CKA_CLASS, CKO_PRIVATE_KEY);
	t_add_ulong(&t, CKA_KEY_TYPE, CKK_EC);
	t_add_bool(&t, CKA_SIGN, 1);
	t_add_bool(&t, CKA_PRIVATE, 1);
	t_add_bool(&t, CKA_SENSITIVE, 1);
	t_add_bytes(&t, CKA_EC_PARAMS, t_p256_oid, sizeof(t_p256_oid));
	t_add_bytes(&t, CKA_VALUE, scalar, sizeof(scalar));
	ASSERT_OK(t_create(self->fd, self->s, &t, &priv, &rv), rv);
	EXPECT_EQ(1, get_bool(self->fd, self->s, priv, CKA_SENSITIVE));
	len = sizeof(buf);
	EXPECT_EQ(EPERM, t_get_attr(self->fd, self->s, priv, CKA_VALUE, buf, &len, &rv));
	EXPECT_EQ(CKR_ATTRIBUTE_SENSITIVE, rv);

	/* A point that is not on the curve. */
	g_point[40] ^= 1;
	t_tmpl_init(&t);
	t_add_ulong(&t, CKA_CLASS, CKO_PUBLIC_KEY);
	t_add_ulong(&t, CKA_KEY_TYPE, CKK_EC);
	t_add_bytes(&t, CKA_EC_PARAMS, t_p256_oid, sizeof(t_p256_oid));
	t_add_bytes(&t, CKA_EC_POINT, g_point, sizeof(g_point));
	EXPECT_EQ(EINVAL, t_create(self->fd, self->s, &t, &pub, &rv));
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, rv);
}

TEST_F(obj, set_attrs_rules)
{
	struct t_tmpl t, c;
	char buf[32];
	__u64 len = sizeof(buf);
	__u32 o, k, rv;

	t_tmpl_data(&t, "v", 0, 0);
	ASSERT_OK(t_create(self->fd, self->s, &t, &o, &rv), rv);
	t_tmpl_init(&c);
	t_add_bytes(&c, CKA_LABEL, "renamed", 7);
	ASSERT_OK(set_attrs(self->fd, self->s, o, &c, &rv), rv);
	ASSERT_OK(t_get_attr(self->fd, self->s, o, CKA_LABEL, buf, &len, &rv), rv);
	EXPECT_EQ(7ULL, len);
	EXPECT_EQ(0, memcmp(buf, "renamed", 7));
	/* The class never changes. */
	t_tmpl_init(&c);
	t_add_ulong(&c, CKA_CLASS, CKO_SECRET_KEY);
	EXPECT_EQ(EPERM, set_attrs(self->fd, self->s, o, &c, &rv));
	EXPECT_EQ(CKR_ATTRIBUTE_READ_ONLY, rv);

	/* MODIFIABLE false: nothing can be set. */
	t_tmpl_data(&t, "v", 0, 0);
	t_add_bool(&t, CKA_MODIFIABLE, 0);
	ASSERT_OK(t_create(self->fd, self->s, &t, &o, &rv), rv);
	t_tmpl_init(&c);
	t_add_bytes(&c, CKA_LABEL, "x", 1);
	EXPECT_EQ(EPERM, set_attrs(self->fd, self->s, o, &c, &rv));
	EXPECT_EQ(CKR_ACTION_PROHIBITED, rv);

	/* Sticky flags: SENSITIVE only false->true, EXTRACTABLE only true->false. */
	t_tmpl_aes(&t, key16, 16, 0);
	t_add_bool(&t, CKA_SENSITIVE, 0);
	t_add_bool(&t, CKA_EXTRACTABLE, 1);
	ASSERT_OK(t_create(self->fd, self->s, &t, &k, &rv), rv);
	t_tmpl_init(&c);
	t_add_bool(&c, CKA_SENSITIVE, 1);
	ASSERT_OK(set_attrs(self->fd, self->s, k, &c, &rv), rv);
	t_tmpl_init(&c);
	t_add_bool(&c, CKA_SENSITIVE, 0);
	EXPECT_EQ(EPERM, set_attrs(self->fd, self->s, k, &c, &rv));
	EXPECT_EQ(CKR_ATTRIBUTE_READ_ONLY, rv);
	EXPECT_EQ(1, get_bool(self->fd, self->s, k, CKA_SENSITIVE));
	len = sizeof(buf);
	EXPECT_EQ(EPERM, t_get_attr(self->fd, self->s, k, CKA_VALUE, buf, &len, &rv));
	EXPECT_EQ(CKR_ATTRIBUTE_SENSITIVE, rv);

	t_tmpl_init(&c);
	t_add_bool(&c, CKA_EXTRACTABLE, 0);
	ASSERT_OK(set_attrs(self->fd, self->s, k, &c, &rv), rv);
	t_tmpl_init(&c);
	t_add_bool(&c, CKA_EXTRACTABLE, 1);
	EXPECT_EQ(EPERM, set_attrs(self->fd, self->s, k, &c, &rv));
	EXPECT_EQ(CKR_ATTRIBUTE_READ_ONLY, rv);
	EXPECT_EQ(0, get_bool(self->fd, self->s, k, CKA_EXTRACTABLE));

	/* A failing SET changes nothing (all or nothing). */
	t_tmpl_init(&c);
	t_add_bytes(&c, CKA_LABEL, "partial", 7);
	t_add_ulong(&c, CKA_KEY_TYPE, CKK_GENERIC_SECRET);
	EXPECT_EQ(EPERM, set_attrs(self->fd, self->s, k, &c, &rv));
	EXPECT_EQ(CKR_ATTRIBUTE_READ_ONLY, rv);
	len = sizeof(buf);
	ASSERT_OK(t_get_attr(self->fd, self->s, k, CKA_LABEL, buf, &len, &rv), rv);
	EXPECT_EQ(0ULL, len);
}

TEST_F(obj, copy_and_destroy)
{
	struct t_tmpl t, c;
	char buf[32];
	__u64 len;
	__u32 o, cp, k, rv;

	t_tmpl_data(&t, "copied value", 0, 0);
	t_add_bytes(&t, CKA_LABEL, "orig", 4);
	ASSERT_OK(t_create(self->fd, self->s, &t, &o, &rv), rv);
	t_tmpl_init(&c);
	t_add_bytes(&c, CKA_LABEL, "copy", 4);
	ASSERT_OK(copy_obj(self->fd, self->s, o, &c, &cp, &rv), rv);
	EXPECT_NE(o, cp);
	len = sizeof(buf);
	ASSERT_OK(t_get_attr(self->fd, self->s, cp, CKA_LABEL, buf, &len, &rv), rv);
	EXPECT_EQ(0, memcmp(buf, "copy", 4));
	len = sizeof(buf);
	ASSERT_OK(t_get_attr(self->fd, self->s, cp, CKA_VALUE, buf, &len, &rv), rv);
	EXPECT_EQ(12ULL, len);
	EXPECT_EQ(0, memcmp(buf, "copied value", 12));

	/* A copy cannot weaken a sensitive key. */
	t_tmpl_aes(&t, key16, 16, 0);
	t_add_bool(&t, CKA_SENSITIVE, 1);
	ASSERT_OK(t_create(self->fd, self->s, &t, &k, &rv), rv);
	t_tmpl_init(&c);
	t_add_bool(&c, CKA_SENSITIVE, 0);
	EXPECT_EQ(EPERM, copy_obj(self->fd, self->s, k, &c, &cp, &rv));
	EXPECT_EQ(CKR_ATTRIBUTE_READ_ONLY, rv);

	/* COPYABLE false. */
	t_tmpl_data(&t, "no copies", 0, 0);
	t_add_bool(&t, CKA_COPYABLE, 0);
	ASSERT_OK(t_create(self->fd, self->s, &t, &o, &rv), rv);
	EXPECT_EQ(EPERM, copy_obj(self->fd, self->s, o, NULL, &cp, &rv));
	EXPECT_EQ(CKR_ACTION_PROHIBITED, rv);

	/* DESTROYABLE false. */
	t_tmpl_data(&t, "stays", 0, 0);
	t_add_bool(&t, CKA_DESTROYABLE, 0);
	ASSERT_OK(t_create(self->fd, self->s, &t, &o, &rv), rv);
	EXPECT_EQ(EPERM, t_destroy(self->fd, self->s, o, &rv));
	EXPECT_EQ(CKR_ACTION_PROHIBITED, rv);
	len = sizeof(buf);
	ASSERT_OK(t_get_attr(self->fd, self->s, o, CKA_VALUE, buf, &len, &rv), rv);

	/* Destroy, then the handle is gone. */
	ASSERT_OK(t_destroy(self->fd, self->s, k, &rv), rv);
	EXPECT_EQ(ENOENT, t_destroy(self->fd, self->s, k, &rv));
	EXPECT_EQ(CKR_OBJECT_HANDLE_INVALID, rv);
	len = sizeof(buf);
	EXPECT_EQ(ENOENT, t_get_attr(self->fd, self->s, k, CKA_LABEL, buf, &len, &rv));
	EXPECT_EQ(CKR_OBJECT_HANDLE_INVALID, rv);
	EXPECT_EQ(ENOENT, t_destroy(self->fd, self->s, 0, &rv));
	EXPECT_EQ(CKR_OBJECT_HANDLE_INVALID, rv);
	EXPECT_EQ(ENOENT, t_destroy(self->fd, self->s, 0xfffffff0U, &rv));
	EXPECT_EQ(CKR_OBJECT_HANDLE_INVALID, rv);
}

TEST_F(obj, find_with_templates)
{
	struct t_tmpl t, q;
	struct khsm_find f;
	__u32 d1, d2, k, h[16], rv;
	int n;

	t_tmpl_data(&t, "one", 0, 0);
	t_add_bytes(&t, CKA_LABEL, "alpha", 5);
	ASSERT_OK(t_create(self->fd, self->s, &t, &d1, &rv), rv);
	t_tmpl_data(&t, "two", 1, 0);
	t_add_bytes(&t, CKA_LABEL, "beta", 4);
	ASSERT_OK(t_create(self->fd, self->s, &t, &d2, &rv), rv);
	t_tmpl_aes(&t, key16, 16, 0);
	t_add_bytes(&t, CKA_LABEL, "alpha", 5);
	ASSERT_OK(t_create(self->fd, self->s, &t, &k, &rv), rv);

	n = t_find(self->fd, self->s, NULL, h, 16);
	ASSERT_EQ(3, n);
	EXPECT_TRUE(has(h, n, d1) && has(h, n, d2) && has(h, n, k));

	t_tmpl_init(&q);
	t_add_bytes(&q, CKA_LABEL, "alpha", 5);
	n = t_find(self->fd, self->s, &q, h, 16);
	ASSERT_EQ(2, n);
	EXPECT_TRUE(has(h, n, d1) && has(h, n, k));

	t_tmpl_init(&q);
	t_add_ulong(&q, CKA_CLASS, CKO_DATA);
	t_add_bool(&q, CKA_TOKEN, 1);
	n = t_find(self->fd, self->s, &q, h, 16);
	ASSERT_EQ(1, n);
	EXPECT_EQ(d2, h[0]);

	t_tmpl_init(&q);
	t_add_bytes(&q, CKA_LABEL, "gamma", 5);
	EXPECT_EQ(0, t_find(self->fd, self->s, &q, h, 16));
	/* Match on the value. */
	t_tmpl_init(&q);
	t_add_bytes(&q, CKA_VALUE, "one", 3);
	n = t_find(self->fd, self->s, &q, h, 16);
	ASSERT_EQ(1, n);
	EXPECT_EQ(d1, h[0]);

	/* Results in pieces: 2 then 1 then 0. */
	T_INIT(f);
	f.session = self->s;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_FIND_INIT, &f));
	T_INIT(f);
	f.session = self->s;
	EXPECT_EQ(EBUSY, t_ioctl(self->fd, KHSM_IOC_FIND_INIT, &f));
	EXPECT_EQ(CKR_OPERATION_ACTIVE, f.rv);
	T_INIT(f);
	f.session = self->s;
	f.count = 2;
	f.ptr = (uintptr_t)h;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_FIND, &f));
	EXPECT_EQ(2U, f.count);
	f.count = 2;
	f.ptr = (uintptr_t)(h + 2);
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_FIND, &f));
	EXPECT_EQ(1U, f.count);
	f.count = 2;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_FIND, &f));
	EXPECT_EQ(0U, f.count);
	EXPECT_TRUE(has(h, 3, d1) && has(h, 3, d2) && has(h, 3, k));
	T_INIT(f);
	f.session = self->s;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_FIND_FINAL, &f));

	/* FIND / FIND_FINAL without FIND_INIT. */
	T_INIT(f);
	f.session = self->s;
	f.count = 2;
	f.ptr = (uintptr_t)h;
	EXPECT_EQ(ENOMSG, t_ioctl(self->fd, KHSM_IOC_FIND, &f));
	EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED, f.rv);
	T_INIT(f);
	f.session = self->s;
	EXPECT_EQ(ENOMSG, t_ioctl(self->fd, KHSM_IOC_FIND_FINAL, &f));
	EXPECT_EQ(CKR_OPERATION_NOT_INITIALIZED, f.rv);
}

TEST_F(obj, private_objects_need_login)
{
	struct t_tmpl t;
	__u32 priv, pub, h[16], rv, s2;
	char buf[16];
	__u64 len = sizeof(buf);
	int n;

	t_tmpl_data(&t, "secret", 1, 1);
	ASSERT_OK(t_create(self->fd, self->s, &t, &priv, &rv), rv);
	t_tmpl_data(&t, "public", 1, 0);
	ASSERT_OK(t_create(self->fd, self->s, &t, &pub, &rv), rv);
	ASSERT_OK(t_logout(self->fd, self->s, &rv), rv);

	n = t_find(self->fd, self->s, NULL, h, 16);
	ASSERT_EQ(1, n);
	EXPECT_EQ(pub, h[0]);
	EXPECT_EQ(ENOENT, t_get_attr(self->fd, self->s, priv, CKA_VALUE, buf, &len, &rv));
	EXPECT_EQ(CKR_OBJECT_HANDLE_INVALID, rv);
	EXPECT_EQ(ENOENT, t_destroy(self->fd, self->s, priv, &rv));
	EXPECT_EQ(CKR_OBJECT_HANDLE_INVALID, rv);
	/* Creating a private object needs a login. */
	t_tmpl_data(&t, "secret 2", 0, 1);
	EXPECT_EQ(EACCES, t_create(self->fd, self->s, &t, NULL, &rv));
	EXPECT_EQ(CKR_USER_NOT_LOGGED_IN, rv);

	/* Another file that logs in sees it. */
	int fd2 = t_open();

	ASSERT_LE(0, fd2);
	s2 = t_user_session(fd2);
	ASSERT_NE(0U, s2);
	n = t_find(fd2, s2, NULL, h, 16);
	ASSERT_EQ(2, n);
	EXPECT_TRUE(has(h, n, priv));
	close(fd2);
}

TEST_F(obj, logout_destroys_private_session_objects)
{
	struct khsm_token_info a, b;
	struct t_tmpl t;
	__u32 priv, pub, rv;
	char buf[16];
	__u64 len;

	t_tmpl_data(&t, "private session", 0, 1);
	ASSERT_OK(t_create(self->fd, self->s, &t, &priv, &rv), rv);
	t_tmpl_data(&t, "public session", 0, 0);
	ASSERT_OK(t_create(self->fd, self->s, &t, &pub, &rv), rv);
	ASSERT_EQ(0, t_counts(&a));
	ASSERT_OK(t_logout(self->fd, self->s, &rv), rv);
	/* PKCS#11 5.6 C_Logout: private session objects are destroyed. */
	ASSERT_EQ(0, t_counts(&b));
	EXPECT_EQ(a.session_objects - 1, b.session_objects);
	ASSERT_OK(t_login(self->fd, self->s, CKU_USER, T_USER_PIN, &rv), rv);
	len = sizeof(buf);
	EXPECT_EQ(ENOENT, t_get_attr(self->fd, self->s, priv, CKA_VALUE, buf, &len, &rv));
	EXPECT_EQ(CKR_OBJECT_HANDLE_INVALID, rv);
	len = sizeof(buf);
	ASSERT_OK(t_get_attr(self->fd, self->s, pub, CKA_VALUE, buf, &len, &rv), rv);
	EXPECT_EQ(14ULL, len);
}

TEST_F(obj, session_objects_die_with_session)
{
	struct khsm_token_info a, b;
	struct t_tmpl t;
	__u32 s2, o, tok, rv, h[16];
	char buf[16];
	__u64 len = sizeof(buf);

	ASSERT_EQ(0, t_counts(&a));
	ASSERT_OK(t_open_session(self->fd, RW, &s2, &rv), rv);
	t_tmpl_data(&t, "ephemeral", 0, 0);
	ASSERT_OK(t_create(self->fd, s2, &t, &o, &rv), rv);
	t_tmpl_data(&t, "lasting", 1, 0);
	ASSERT_OK(t_create(self->fd, s2, &t, &tok, &rv), rv);
	/* Visible from the other session of the same file. */
	ASSERT_OK(t_get_attr(self->fd, self->s, o, CKA_VALUE, buf, &len, &rv), rv);
	ASSERT_EQ(0, t_counts(&b));
	EXPECT_EQ(a.session_objects + 1, b.session_objects);
	EXPECT_EQ(a.token_objects + 1, b.token_objects);

	ASSERT_OK(t_close_session(self->fd, s2, &rv), rv);
	len = sizeof(buf);
	EXPECT_EQ(ENOENT, t_get_attr(self->fd, self->s, o, CKA_VALUE, buf, &len, &rv));
	EXPECT_EQ(CKR_OBJECT_HANDLE_INVALID, rv);
	len = sizeof(buf);
	ASSERT_OK(t_get_attr(self->fd, self->s, tok, CKA_VALUE, buf, &len, &rv), rv);
	EXPECT_EQ(1, t_find(self->fd, self->s, NULL, h, 16));
	ASSERT_EQ(0, t_counts(&b));
	EXPECT_EQ(a.session_objects, b.session_objects);
	EXPECT_EQ(a.token_objects + 1, b.token_objects);
}

TEST_F(obj, other_files_session_objects_invisible)
{
	struct t_tmpl t;
	__u32 s2, mine, theirs, their_tok, rv, h[16];
	char buf[16];
	__u64 len = sizeof(buf);
	int fd2 = t_open(), n;

	ASSERT_LE(0, fd2);
	s2 = t_user_session(fd2);
	ASSERT_NE(0U, s2);
	t_tmpl_data(&t, "theirs", 0, 0);
	ASSERT_OK(t_create(fd2, s2, &t, &theirs, &rv), rv);
	t_tmpl_data(&t, "their token obj", 1, 0);
	ASSERT_OK(t_create(fd2, s2, &t, &their_tok, &rv), rv);
	t_tmpl_data(&t, "mine", 0, 0);
	ASSERT_OK(t_create(self->fd, self->s, &t, &mine, &rv), rv);

	n = t_find(self->fd, self->s, NULL, h, 16);
	ASSERT_EQ(2, n);
	EXPECT_TRUE(has(h, n, mine) && has(h, n, their_tok));
	EXPECT_FALSE(has(h, n, theirs));
	EXPECT_EQ(ENOENT, t_get_attr(self->fd, self->s, theirs, CKA_VALUE, buf, &len, &rv));
	EXPECT_EQ(CKR_OBJECT_HANDLE_INVALID, rv);
	EXPECT_EQ(ENOENT, t_destroy(self->fd, self->s, theirs, &rv));
	EXPECT_EQ(CKR_OBJECT_HANDLE_INVALID, rv);
	struct t_tmpl c;
	__u32 cp;

	t_tmpl_init(&c);
	EXPECT_EQ(ENOENT, copy_obj(self->fd, self->s, theirs, &c, &cp, &rv));
	EXPECT_EQ(CKR_OBJECT_HANDLE_INVALID, rv);
	t_add_bytes(&c, CKA_LABEL, "x", 1);
	EXPECT_EQ(ENOENT, set_attrs(self->fd, self->s, theirs, &c, &rv));
	EXPECT_EQ(CKR_OBJECT_HANDLE_INVALID, rv);
	/* And the other way round. */
	n = t_find(fd2, s2, NULL, h, 16);
	ASSERT_EQ(2, n);
	EXPECT_FALSE(has(h, n, mine));
	close(fd2);
	/* Their token object outlives their file. */
	len = sizeof(buf);
	ASSERT_OK(t_get_attr(self->fd, self->s, their_tok, CKA_LABEL, buf, &len, &rv), rv);
}

TEST_F(obj, ro_session_objects)
{
	struct t_tmpl t;
	__u32 ro, o, rv;

	ASSERT_OK(t_open_session(self->fd, RO, &ro, &rv), rv);
	t_tmpl_data(&t, "token obj", 1, 0);
	EXPECT_EQ(EPERM, t_create(self->fd, ro, &t, &o, &rv));
	EXPECT_EQ(CKR_SESSION_READ_ONLY, rv);
	t_tmpl_data(&t, "session obj", 0, 0);
	ASSERT_OK(t_create(self->fd, ro, &t, &o, &rv), rv);
	/* A token object cannot be destroyed from a RO session either. */
	__u32 tok;

	t_tmpl_data(&t, "token obj", 1, 0);
	ASSERT_OK(t_create(self->fd, self->s, &t, &tok, &rv), rv);
	EXPECT_EQ(EPERM, t_destroy(self->fd, ro, tok, &rv));
	EXPECT_EQ(CKR_SESSION_READ_ONLY, rv);
	ASSERT_OK(t_destroy(self->fd, ro, o, &rv), rv);
}

TEST_HARNESS_MAIN
