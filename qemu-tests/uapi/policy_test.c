// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel is the gatekeeper: with direct ioctls (no library) a key
 * without the usage flag cannot be used, a key of the wrong type is refused,
 * an unextractable secret cannot be read, a private key is invisible after
 * logout, a read-only session cannot create token objects, and a non-root
 * member of the token group can open the device.
 */
#include <errno.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "khsm_util.h"

#define RW (CKF_SERIAL_SESSION | CKF_RW_SESSION)
#define RO CKF_SERIAL_SESSION

static const __u8 key16[16] = "policy-test-key!";
static const __u8 iv[16];

FIXTURE(pol) {
	int fd;
	__u32 s;
};

FIXTURE_SETUP(pol)
{
	self->fd = t_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", t_dev_path(), strerror(errno));
	ASSERT_EQ(0, t_reset_token(self->fd));
	self->s = t_user_session(self->fd);
	ASSERT_NE(0U, self->s);
}

FIXTURE_TEARDOWN(pol)
{
	close(self->fd);
}

/* EC private key with CKA_SIGN = @sign, public key with CKA_VERIFY = @verify. */
static int gen_pair(int fd, __u32 s, int sign, int verify, __u32 *pub,
		    __u32 *priv, __u32 *rv)
{
	struct t_tmpl pt, kt;
	struct khsm_keygen g;
	int err;

	t_tmpl_init(&pt);
	t_add_bool(&pt, CKA_VERIFY, verify);
	t_add_bytes(&pt, CKA_EC_PARAMS, t_p256_oid, sizeof(t_p256_oid));
	t_tmpl_init(&kt);
	t_add_bool(&kt, CKA_SIGN, sign);
	t_add_bool(&kt, CKA_PRIVATE, 1);
	t_add_bool(&kt, CKA_SENSITIVE, 1);
	t_add_bool(&kt, CKA_TOKEN, 1);
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

TEST_F(pol, usage_flags_enforced)
{
	struct t_tmpl t;
	__u32 pub, priv, k, rv;

	ASSERT_OK(gen_pair(self->fd, self->s, 0, 0, &pub, &priv, &rv), rv);
	EXPECT_EQ(EPERM, t_op_init(self->fd, self->s, KHSM_OP_SIGN, CKM_ECDSA, priv,
				   NULL, 0, &rv));
	EXPECT_EQ(CKR_KEY_FUNCTION_NOT_PERMITTED, rv);
	EXPECT_EQ(EPERM, t_op_init(self->fd, self->s, KHSM_OP_SIGN, CKM_ECDSA_SHA256,
				   priv, NULL, 0, &rv));
	EXPECT_EQ(CKR_KEY_FUNCTION_NOT_PERMITTED, rv);
	EXPECT_EQ(EPERM, t_op_init(self->fd, self->s, KHSM_OP_VERIFY, CKM_ECDSA, pub,
				   NULL, 0, &rv));
	EXPECT_EQ(CKR_KEY_FUNCTION_NOT_PERMITTED, rv);

	/* AES key that may encrypt but not decrypt. */
	t_tmpl_init(&t);
	t_add_ulong(&t, CKA_CLASS, CKO_SECRET_KEY);
	t_add_ulong(&t, CKA_KEY_TYPE, CKK_AES);
	t_add_bool(&t, CKA_ENCRYPT, 1);
	t_add_bool(&t, CKA_DECRYPT, 0);
	t_add_bytes(&t, CKA_VALUE, key16, 16);
	ASSERT_OK(t_create(self->fd, self->s, &t, &k, &rv), rv);
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_ENCRYPT, CKM_AES_CBC, k,
			    iv, 16, &rv), rv);
	EXPECT_EQ(EPERM, t_op_init(self->fd, self->s, KHSM_OP_DECRYPT, CKM_AES_CBC, k,
				   iv, 16, &rv));
	EXPECT_EQ(CKR_KEY_FUNCTION_NOT_PERMITTED, rv);

	/* The check reads the current attribute: once CKA_SIGN is set, it signs. */
	struct khsm_object o;

	t_tmpl_init(&t);
	t_add_bool(&t, CKA_SIGN, 1);
	T_INIT(o);
	o.session = self->s;
	o.object = priv;
	o.count = t.n;
	o.tmpl = (uintptr_t)t.a;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_SET_ATTRS, &o));
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_SIGN, CKM_ECDSA, priv,
			    NULL, 0, &rv), rv);
}

TEST_F(pol, key_type_enforced)
{
	struct t_tmpl t;
	__u32 pub, priv, k, d, rv;

	ASSERT_OK(gen_pair(self->fd, self->s, 1, 1, &pub, &priv, &rv), rv);
	t_tmpl_aes(&t, key16, 16, 0);
	t_add_bool(&t, CKA_SIGN, 1);
	t_add_bool(&t, CKA_VERIFY, 1);
	ASSERT_OK(t_create(self->fd, self->s, &t, &k, &rv), rv);

	EXPECT_EQ(EOPNOTSUPP, t_op_init(self->fd, self->s, KHSM_OP_SIGN, CKM_ECDSA,
					k, NULL, 0, &rv));
	EXPECT_EQ(CKR_KEY_TYPE_INCONSISTENT, rv);
	EXPECT_EQ(EOPNOTSUPP, t_op_init(self->fd, self->s, KHSM_OP_VERIFY,
					CKM_ECDSA_SHA256, k, NULL, 0, &rv));
	EXPECT_EQ(CKR_KEY_TYPE_INCONSISTENT, rv);

	/* An EC key for AES (give the public key CKA_ENCRYPT via a new one). */
	t_tmpl_init(&t);
	t_add_bool(&t, CKA_ENCRYPT, 1);
	struct khsm_object o;

	T_INIT(o);
	o.session = self->s;
	o.object = pub;
	o.count = t.n;
	o.tmpl = (uintptr_t)t.a;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_SET_ATTRS, &o));
	EXPECT_EQ(EOPNOTSUPP, t_op_init(self->fd, self->s, KHSM_OP_ENCRYPT,
					CKM_AES_CBC, pub, iv, 16, &rv));
	EXPECT_EQ(CKR_KEY_TYPE_INCONSISTENT, rv);

	/* A data object is not a key at all. */
	t_tmpl_data(&t, "not a key", 0, 0);
	ASSERT_OK(t_create(self->fd, self->s, &t, &d, &rv), rv);
	EXPECT_EQ(ENOENT, t_op_init(self->fd, self->s, KHSM_OP_ENCRYPT, CKM_AES_CBC,
				    d, iv, 16, &rv));
	EXPECT_EQ(CKR_KEY_HANDLE_INVALID, rv);
	/* Nor is a handle that does not exist. */
	EXPECT_EQ(ENOENT, t_op_init(self->fd, self->s, KHSM_OP_SIGN, CKM_ECDSA,
				    0x7ffffff0U, NULL, 0, &rv));
	EXPECT_EQ(CKR_KEY_HANDLE_INVALID, rv);
	/* A mechanism that does not exist. */
	EXPECT_EQ(EOPNOTSUPP, t_op_init(self->fd, self->s, KHSM_OP_SIGN,
					CKM_RSA_X_509, priv, NULL, 0, &rv));
	EXPECT_EQ(CKR_MECHANISM_INVALID, rv);
	/* A digest mechanism for signing. */
	EXPECT_EQ(EOPNOTSUPP, t_op_init(self->fd, self->s, KHSM_OP_SIGN,
					CKM_SHA256, priv, NULL, 0, &rv));
	EXPECT_EQ(CKR_MECHANISM_INVALID, rv);
}

TEST_F(pol, unextractable_secret_unreadable)
{
	struct t_tmpl t, c;
	struct khsm_object o;
	__u8 buf[32];
	__u64 len = sizeof(buf);
	__u32 k, rv;

	t_tmpl_aes(&t, key16, 16, 0);
	t_add_bool(&t, CKA_SENSITIVE, 0);
	t_add_bool(&t, CKA_EXTRACTABLE, 0);
	ASSERT_OK(t_create(self->fd, self->s, &t, &k, &rv), rv);
	EXPECT_EQ(EPERM, t_get_attr(self->fd, self->s, k, CKA_VALUE, buf, &len, &rv));
	EXPECT_EQ(CKR_ATTRIBUTE_SENSITIVE, rv);
	EXPECT_EQ(KHSM_LEN_UNAVAILABLE, len);
	/* Cannot be made extractable again. */
	t_tmpl_init(&c);
	t_add_bool(&c, CKA_EXTRACTABLE, 1);
	T_INIT(o);
	o.session = self->s;
	o.object = k;
	o.count = c.n;
	o.tmpl = (uintptr_t)c.a;
	EXPECT_EQ(EPERM, t_ioctl(self->fd, KHSM_IOC_SET_ATTRS, &o));
	EXPECT_EQ(CKR_ATTRIBUTE_READ_ONLY, o.rv);
	/* Nor copied into an extractable key. */
	T_INIT(o);
	o.session = self->s;
	o.object = k;
	o.count = c.n;
	o.tmpl = (uintptr_t)c.a;
	EXPECT_EQ(EPERM, t_ioctl(self->fd, KHSM_IOC_COPY_OBJECT, &o));
	EXPECT_EQ(CKR_ATTRIBUTE_READ_ONLY, o.rv);
	len = sizeof(buf);
	EXPECT_EQ(EPERM, t_get_attr(self->fd, self->s, k, CKA_VALUE, buf, &len, &rv));
}

TEST_F(pol, generated_keys_never_extractable)
{
	struct t_tmpl t;
	struct khsm_keygen g;
	__u8 buf[80];
	__u64 len = sizeof(buf);
	__u32 rv, pub, priv;

	t_tmpl_init(&t);
	t_add_ulong(&t, CKA_VALUE_LEN, 32);
	t_add_bool(&t, CKA_SENSITIVE, 1);
	t_add_bool(&t, CKA_EXTRACTABLE, 0);
	t_add_bool(&t, CKA_ENCRYPT, 1);
	T_INIT(g);
	g.session = self->s;
	g.mechanism = CKM_AES_KEY_GEN;
	g.pub_template = (uintptr_t)t.a;
	g.pub_count = t.n;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_GENERATE_KEY, &g));
	EXPECT_EQ(EPERM, t_get_attr(self->fd, self->s, g.pub_handle, CKA_VALUE, buf,
				    &len, &rv));
	EXPECT_EQ(CKR_ATTRIBUTE_SENSITIVE, rv);
	__u8 b = 0;

	len = 1;
	ASSERT_OK(t_get_attr(self->fd, self->s, g.pub_handle, CKA_ALWAYS_SENSITIVE,
			     &b, &len, &rv), rv);
	EXPECT_EQ(CK_TRUE, b);
	len = 1;
	ASSERT_OK(t_get_attr(self->fd, self->s, g.pub_handle, CKA_NEVER_EXTRACTABLE,
			     &b, &len, &rv), rv);
	EXPECT_EQ(CK_TRUE, b);
	len = 1;
	ASSERT_OK(t_get_attr(self->fd, self->s, g.pub_handle, CKA_LOCAL,
			     &b, &len, &rv), rv);
	EXPECT_EQ(CK_TRUE, b);

	ASSERT_OK(gen_pair(self->fd, self->s, 1, 1, &pub, &priv, &rv), rv);
	len = sizeof(buf);
	EXPECT_EQ(EPERM, t_get_attr(self->fd, self->s, priv, CKA_VALUE, buf, &len, &rv));
	EXPECT_EQ(CKR_ATTRIBUTE_SENSITIVE, rv);
	/* The public point is readable. */
	len = sizeof(buf);
	ASSERT_OK(t_get_attr(self->fd, self->s, pub, CKA_EC_POINT, buf, &len, &rv), rv);
	EXPECT_EQ(67ULL, len);
	EXPECT_EQ(0x04, buf[0]);
	EXPECT_EQ(0x41, buf[1]);
	EXPECT_EQ(0x04, buf[2]);
}

TEST_F(pol, private_key_invisible_after_logout)
{
	__u32 pub, priv, rv, h[8];
	int n;

	ASSERT_OK(gen_pair(self->fd, self->s, 1, 1, &pub, &priv, &rv), rv);
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_SIGN, CKM_ECDSA, priv, NULL, 0,
			    &rv), rv);
	ASSERT_EQ(0, t_op_cancel(self->fd, self->s, KHSM_OP_SIGN));
	ASSERT_OK(t_logout(self->fd, self->s, &rv), rv);
	n = t_find(self->fd, self->s, NULL, h, 8);
	ASSERT_EQ(1, n);
	EXPECT_EQ(pub, h[0]);
	EXPECT_EQ(ENOENT, t_op_init(self->fd, self->s, KHSM_OP_SIGN, CKM_ECDSA, priv,
				    NULL, 0, &rv));
	EXPECT_EQ(CKR_KEY_HANDLE_INVALID, rv);
	/* The public key still verifies without login. */
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_VERIFY, CKM_ECDSA, pub, NULL, 0,
			    &rv), rv);
}

TEST_F(pol, logout_ends_private_key_operation)
{
	__u32 pub, priv, rv;
	__u8 hash[32] = { 1 }, sig[64];
	__u64 len = sizeof(sig);

	ASSERT_OK(gen_pair(self->fd, self->s, 1, 1, &pub, &priv, &rv), rv);
	ASSERT_OK(t_op_init(self->fd, self->s, KHSM_OP_SIGN, CKM_ECDSA, priv, NULL, 0,
			    &rv), rv);
	ASSERT_OK(t_logout(self->fd, self->s, &rv), rv);
	/* The key is no longer usable: the operation does not go on. */
	int err = t_op_data(self->fd, self->s, KHSM_OP_SIGN, KHSM_DATA_ONESHOT,
			    hash, sizeof(hash), sig, &len, &rv);

	EXPECT_TRUE((err == ENOMSG && rv == CKR_OPERATION_NOT_INITIALIZED) ||
		    (err == ENOENT && rv == CKR_KEY_HANDLE_INVALID) ||
		    (err == EACCES && rv == CKR_USER_NOT_LOGGED_IN))
		TH_LOG("signing after logout: errno %d rv 0x%x", err, rv);
}

TEST_F(pol, ro_session_cannot_create_token_objects)
{
	struct t_tmpl t;
	struct khsm_keygen g;
	__u32 ro, o, rv, pub, priv;

	ASSERT_OK(t_open_session(self->fd, RO, &ro, &rv), rv);
	t_tmpl_data(&t, "x", 1, 0);
	EXPECT_EQ(EPERM, t_create(self->fd, ro, &t, &o, &rv));
	EXPECT_EQ(CKR_SESSION_READ_ONLY, rv);
	t_tmpl_aes(&t, key16, 16, 1);
	EXPECT_EQ(EPERM, t_create(self->fd, ro, &t, &o, &rv));
	EXPECT_EQ(CKR_SESSION_READ_ONLY, rv);

	t_tmpl_init(&t);
	t_add_ulong(&t, CKA_VALUE_LEN, 16);
	t_add_bool(&t, CKA_TOKEN, 1);
	T_INIT(g);
	g.session = ro;
	g.mechanism = CKM_AES_KEY_GEN;
	g.pub_template = (uintptr_t)t.a;
	g.pub_count = t.n;
	EXPECT_EQ(EPERM, t_ioctl(self->fd, KHSM_IOC_GENERATE_KEY, &g));
	EXPECT_EQ(CKR_SESSION_READ_ONLY, g.rv);
	EXPECT_EQ(EPERM, t_gen_p256(self->fd, ro, 1, &pub, &priv, &rv));
	EXPECT_EQ(CKR_SESSION_READ_ONLY, rv);
	/* Session keys in a RO session are fine. */
	ASSERT_OK(t_gen_p256(self->fd, ro, 0, &pub, &priv, &rv), rv);
}

TEST(member_of_group_can_open)
{
	struct stat st;
	int fd;

	ASSERT_EQ(0, stat(t_dev_path(), &st));
	if (geteuid() == 0)
		SKIP(return, "run as root; the runner runs this as hsmuser");
	/* We are not root: the group membership is what lets us in. */
	fd = t_open();
	ASSERT_LE(0, fd) TH_LOG("open %s as uid %u: %s", t_dev_path(), getuid(),
				strerror(errno));
	struct khsm_version v;

	T_INIT(v);
	EXPECT_EQ(0, t_ioctl(fd, KHSM_IOC_VERSION, &v));
	close(fd);
	/* And the device is not world-accessible. */
	EXPECT_EQ(0U, st.st_mode & 0007);
	EXPECT_NE(0U, st.st_gid);
}

TEST_HARNESS_MAIN
