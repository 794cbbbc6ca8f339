// SPDX-License-Identifier: GPL-2.0
/*
 * One member of the token group cannot take the token from the others
 * (direct ioctls, as an unprivileged member): the default token policy
 * keeps a file that is not logged in from creating, changing, copying
 * into or destroying token objects (the substitution of the user's public
 * key by one with the same CKA_ID), the SO may write the public ones, and
 * KHSM_INIT_TOKEN_F_PUBLIC_WRITE gives the PKCS#11 default back; TOKEN_INFO
 * shows a file that is not logged in no object or file counts; one file
 * cannot take every session; the root-only re-initialisation is refused.
 * The per-uid limits across users are in member_root_test.
 */
#include <errno.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "khsm_util.h"

#define RW (CKF_SERIAL_SESSION | CKF_RW_SESSION)

static const __u8 id[] = { 0x0e, 0x01 };

FIXTURE(mem) {
	int fd;		/* the user: logged in */
	__u32 s;
	int pfd;	/* another member: a public R/W session */
	__u32 ps;
	__u32 pub;	/* the user's public token key, CKA_ID id */
};

/* A public token data object (the stand-in for a certificate or key). */
static void tmpl_public_token(struct t_tmpl *t, const char *label)
{
	t_tmpl_data(t, label, 1, 0);
	t_add_bytes(t, CKA_LABEL, label, strlen(label));
}

FIXTURE_SETUP(mem)
{
	struct t_tmpl t;
	__u32 priv, rv;

	self->fd = t_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", t_dev_path(), strerror(errno));
	ASSERT_EQ(0, t_reset_token(self->fd));
	self->s = t_user_session(self->fd);
	ASSERT_NE(0U, self->s);
	ASSERT_OK(t_gen_p256(self->fd, self->s, 1, &self->pub, &priv, &rv), rv);
	t_tmpl_init(&t);
	t_add_bytes(&t, CKA_ID, id, sizeof(id));
	{
		struct khsm_object o;

		T_INIT(o);
		o.session = self->s;
		o.object = self->pub;
		o.count = t.n;
		o.tmpl = (uintptr_t)t.a;
		ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_SET_ATTRS, &o));
	}
	self->pfd = t_open();
	ASSERT_LE(0, self->pfd);
	ASSERT_OK(t_open_session(self->pfd, RW, &self->ps, &rv), rv);
}

FIXTURE_TEARDOWN(mem)
{
	close(self->pfd);
	close(self->fd);
}

static int set_label(int fd, __u32 s, __u32 obj, const char *label, __u32 *rv)
{
	struct t_tmpl t;
	struct khsm_object o;
	int err;

	t_tmpl_init(&t);
	t_add_bytes(&t, CKA_LABEL, label, strlen(label));
	T_INIT(o);
	o.session = s;
	o.object = obj;
	o.count = t.n;
	o.tmpl = (uintptr_t)t.a;
	err = t_ioctl(fd, KHSM_IOC_SET_ATTRS, &o);
	*rv = o.rv;
	return err;
}

static int copy_obj(int fd, __u32 s, __u32 obj, int token, __u32 *out,
		    __u32 *rv)
{
	struct t_tmpl t;
	struct khsm_object o;
	int err;

	t_tmpl_init(&t);
	t_add_bool(&t, CKA_TOKEN, token);
	T_INIT(o);
	o.session = s;
	o.object = obj;
	o.count = t.n;
	o.tmpl = (uintptr_t)t.a;
	err = t_ioctl(fd, KHSM_IOC_COPY_OBJECT, &o);
	*out = o.object;
	*rv = o.rv;
	return err;
}

static int init_token_flags(int fd, __u32 flags, __u32 *rv)
{
	struct khsm_init_token it;
	int err;

	T_INIT(it);
	memset(it.label, ' ', sizeof(it.label));
	memcpy(it.label, T_LABEL, strlen(T_LABEL));
	t_so_check(fd, &it.so_check, T_SO_PIN);
	t_pin_new(&it.so_new, T_SO_PIN);
	it.flags = flags;
	err = t_ioctl(fd, KHSM_IOC_INIT_TOKEN, &it);
	*rv = it.rv;
	return err;
}

/* The substitution attack of a member without a PIN, step by step. */
TEST_F(mem, public_session_cannot_replace_users_public_key)
{
	struct t_tmpl t, q;
	__u32 rv, obj = 0, found[4];

	/* It sees the public key ... */
	t_tmpl_init(&q);
	t_add_bytes(&q, CKA_ID, id, sizeof(id));
	ASSERT_EQ(1, t_find(self->pfd, self->ps, &q, found, 4));
	EXPECT_EQ(self->pub, found[0]);
	/* ... but cannot destroy it, change it, or plant another one. */
	EXPECT_EQ(EACCES, t_destroy(self->pfd, self->ps, self->pub, &rv));
	EXPECT_EQ(CKR_USER_NOT_LOGGED_IN, rv);
	EXPECT_EQ(EACCES, set_label(self->pfd, self->ps, self->pub, "evil", &rv));
	EXPECT_EQ(CKR_USER_NOT_LOGGED_IN, rv);
	tmpl_public_token(&t, "planted");
	t_add_bytes(&t, CKA_APPLICATION, id, sizeof(id));
	EXPECT_EQ(EACCES, t_create(self->pfd, self->ps, &t, &obj, &rv));
	EXPECT_EQ(CKR_USER_NOT_LOGGED_IN, rv);
	EXPECT_EQ(0U, obj);
	EXPECT_EQ(EACCES, copy_obj(self->pfd, self->ps, self->pub, 1, &obj, &rv));
	EXPECT_EQ(CKR_USER_NOT_LOGGED_IN, rv);
	/* The user's find by ID still gives the user's key, and only it. */
	ASSERT_EQ(1, t_find(self->fd, self->s, &q, found, 4));
	EXPECT_EQ(self->pub, found[0]);
}

TEST_F(mem, public_session_keeps_session_objects)
{
	struct t_tmpl t;
	__u32 rv, obj = 0, copy = 0;

	t_tmpl_data(&t, "mine", 0, 0);
	ASSERT_OK(t_create(self->pfd, self->ps, &t, &obj, &rv), rv);
	ASSERT_OK(set_label(self->pfd, self->ps, obj, "still mine", &rv), rv);
	/* A session copy of the user's public key is its own business. */
	ASSERT_OK(copy_obj(self->pfd, self->ps, self->pub, 0, &copy, &rv), rv);
	ASSERT_OK(t_destroy(self->pfd, self->ps, copy, &rv), rv);
	ASSERT_OK(t_destroy(self->pfd, self->ps, obj, &rv), rv);
}

TEST_F(mem, logged_in_writers)
{
	struct t_tmpl t;
	__u32 rv, obj = 0, so_s;
	int so_fd;

	/* The user writes token objects, public and private. */
	tmpl_public_token(&t, "user's");
	ASSERT_OK(t_create(self->fd, self->s, &t, &obj, &rv), rv);
	ASSERT_OK(set_label(self->fd, self->s, obj, "user's too", &rv), rv);
	/* The SO writes public ones, the user's included. */
	so_fd = t_open();
	ASSERT_LE(0, so_fd);
	ASSERT_OK(t_open_session(so_fd, RW, &so_s, &rv), rv);
	ASSERT_OK(t_login(so_fd, so_s, CKU_SO, T_SO_PIN, &rv), rv);
	ASSERT_OK(set_label(so_fd, so_s, obj, "so's", &rv), rv);
	ASSERT_OK(t_destroy(so_fd, so_s, obj, &rv), rv);
	tmpl_public_token(&t, "so's own");
	ASSERT_OK(t_create(so_fd, so_s, &t, &obj, &rv), rv);
	ASSERT_OK(t_destroy(so_fd, so_s, obj, &rv), rv);
	/* After logout the same file is a public session again. */
	ASSERT_OK(t_logout(so_fd, so_s, &rv), rv);
	EXPECT_EQ(EACCES, t_create(so_fd, so_s, &t, &obj, &rv));
	EXPECT_EQ(CKR_USER_NOT_LOGGED_IN, rv);
	close(so_fd);
}

TEST_F(mem, public_write_flag_restores_pkcs11_default)
{
	struct khsm_token_info ti;
	struct t_tmpl t;
	__u32 rv, obj = 0, s;

	close(self->pfd);
	self->pfd = -1;
	ASSERT_OK(t_close_session(self->fd, self->s, &rv), rv);
	/* Unknown flags are malformed. */
	EXPECT_EQ(EINVAL, init_token_flags(self->fd, 1U << 31, &rv));
	EXPECT_EQ(0U, rv);
	ASSERT_OK(init_token_flags(self->fd, KHSM_INIT_TOKEN_F_PUBLIC_WRITE, &rv), rv);
	ASSERT_EQ(0, t_token_info(self->fd, &ti));
	EXPECT_EQ((__u32)KHSM_INIT_TOKEN_F_PUBLIC_WRITE, ti.init_flags);
	ASSERT_OK(t_open_session(self->fd, RW, &s, &rv), rv);
	tmpl_public_token(&t, "anyone's");
	ASSERT_OK(t_create(self->fd, s, &t, &obj, &rv), rv);
	ASSERT_OK(set_label(self->fd, s, obj, "changed", &rv), rv);
	ASSERT_OK(t_destroy(self->fd, s, obj, &rv), rv);
	/* Private objects still need the user. */
	t_tmpl_data(&t, "private", 1, 1);
	EXPECT_EQ(EACCES, t_create(self->fd, s, &t, &obj, &rv));
	EXPECT_EQ(CKR_USER_NOT_LOGGED_IN, rv);
	/* The next C_InitToken without the flag takes it away again. */
	ASSERT_OK(t_close_session(self->fd, s, &rv), rv);
	ASSERT_OK(init_token_flags(self->fd, 0, &rv), rv);
	ASSERT_EQ(0, t_token_info(self->fd, &ti));
	EXPECT_EQ(0U, ti.init_flags);
	ASSERT_OK(t_open_session(self->fd, RW, &s, &rv), rv);
	tmpl_public_token(&t, "anyone's");
	EXPECT_EQ(EACCES, t_create(self->fd, s, &t, &obj, &rv));
	EXPECT_EQ(CKR_USER_NOT_LOGGED_IN, rv);
}

TEST_F(mem, token_info_without_login_shows_no_counts)
{
	struct khsm_token_info pub, user;

	ASSERT_EQ(0, t_token_info(self->pfd, &pub));
	ASSERT_EQ(0, t_token_info(self->fd, &user));
	/* The logged-in file sees the counts ... */
	EXPECT_LE(2U, user.token_objects);
	EXPECT_LE(2U, user.open_files);
	EXPECT_LE(1U, user.logged_in_files);
	/* ... the other member only what C_GetTokenInfo needs. */
	EXPECT_EQ(0U, pub.token_objects);
	EXPECT_EQ(0U, pub.session_objects);
	EXPECT_EQ(0U, pub.open_files);
	EXPECT_EQ(0U, pub.logged_in_files);
	EXPECT_EQ(user.flags, pub.flags);
	EXPECT_EQ(user.sessions, pub.sessions);
	EXPECT_EQ(user.max_sessions, pub.max_sessions);
	EXPECT_EQ(0, memcmp(user.serial, pub.serial, sizeof(pub.serial)));
	EXPECT_EQ(0, memcmp(user.user_salt, pub.user_salt, sizeof(pub.user_salt)));
	EXPECT_EQ(user.user_t_cost, pub.user_t_cost);
}

/* One open file stops at max_file_sessions; another file still opens. */
TEST_F(mem, one_file_cannot_take_every_session)
{
	struct khsm_version v;
	__u32 i, rv, h = 0;
	int err = 0;

	T_INIT(v);
	ASSERT_EQ(0, t_ioctl(self->pfd, KHSM_IOC_VERSION, &v));
	ASSERT_LT(v.max_file_sessions, v.max_sessions);
	for (i = 1; i < v.max_file_sessions; i++) {
		err = t_open_session(self->pfd, CKF_SERIAL_SESSION, &h, &rv);
		if (err)
			break;
	}
	ASSERT_EQ(0, err) TH_LOG("session %u of %u: rv 0x%x", i, v.max_file_sessions, rv);
	EXPECT_EQ(EBUSY, t_open_session(self->pfd, CKF_SERIAL_SESSION, &h, &rv));
	EXPECT_EQ(CKR_SESSION_COUNT, rv);
	/* The user's file is not starved: it opens a session and logs in. */
	ASSERT_OK(t_open_session(self->fd, RW, &h, &rv), rv);
	ASSERT_OK(t_logout(self->fd, self->s, &rv), rv);
	ASSERT_OK(t_login(self->fd, h, CKU_USER, T_USER_PIN, &rv), rv);
}

TEST_F(mem, admin_init_refused_to_members)
{
	struct khsm_admin_init_token ai;
	struct khsm_token_info ti;
	__u32 rv;

	T_INIT(ai);
	memset(ai.label, ' ', sizeof(ai.label));
	t_pin_new(&ai.so_new, "attacker-pin");
	EXPECT_EQ(EPERM, t_ioctl(self->pfd, KHSM_IOC_ADMIN_INIT_TOKEN, &ai));
	EXPECT_EQ(0U, ai.rv);
	/* Nothing happened: the user's session and key are there. */
	ASSERT_EQ(0, t_token_info(self->fd, &ti));
	EXPECT_LE(2U, ti.token_objects);
	EXPECT_EQ(0, t_close_session(self->pfd, self->ps, &rv));
	/* Malformed is EINVAL before the privilege check. */
	ai.max_pin_failures = 2;
	EXPECT_EQ(EINVAL, t_ioctl(self->pfd, KHSM_IOC_ADMIN_INIT_TOKEN, &ai));
}

TEST_HARNESS_MAIN
