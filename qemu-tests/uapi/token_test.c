// SPDX-License-Identifier: GPL-2.0
/*
 * Token state through direct ioctls: TOKEN_INFO flags before and after
 * INIT_TOKEN / INIT_PIN, LOGIN with wrong verifiers and the PIN counter
 * flags up to lock-out, PIN length range, SO versus user rules, SET_PIN,
 * LOGOUT, CKR_SESSION_EXISTS.
 */
#include <errno.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "khsm_util.h"

#define RW (CKF_SERIAL_SESSION | CKF_RW_SESSION)
#define RO CKF_SERIAL_SESSION

static __u64 tflags(int fd)
{
	struct khsm_token_info ti;

	if (t_token_info(fd, &ti))
		return ~0ULL;
	return ti.flags;
}

static int set_pin(int fd, __u32 ioc, __u32 s, const char *old,
		   __u32 old_user_type, const char *new_pin, __u32 new_len,
		   __u32 *rv)
{
	struct khsm_set_pin sp;
	int err;

	T_INIT(sp);
	sp.session = s;
	if (old) {
		if (old_user_type == CKU_SO)
			t_so_check(fd, &sp.old_pin, old);
		else
			t_user_check(fd, &sp.old_pin, old);
	}
	t_pin_new(&sp.new_pin, new_pin);
	if (new_len)
		sp.new_pin.pin_len = new_len;
	err = t_ioctl(fd, ioc, &sp);
	*rv = sp.rv;
	return err;
}

/* First test of the file: on a freshly loaded module the token is blank. */
TEST(uninitialised_token_then_init)
{
	struct khsm_token_info ti;
	int fd = t_open();
	__u32 s, rv;

	ASSERT_LE(0, fd) TH_LOG("open %s: %s", t_dev_path(), strerror(errno));
	ASSERT_EQ(0, t_token_info(fd, &ti));
	if (ti.flags & CKF_TOKEN_INITIALIZED)
		SKIP(close(fd); return, "token already initialised (module not freshly loaded)");
	EXPECT_EQ(0ULL, ti.flags & (CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_LOCKED |
				    CKF_SO_PIN_LOCKED));
	EXPECT_NE(0ULL, ti.flags & CKF_RNG);
	EXPECT_NE(0ULL, ti.flags & CKF_LOGIN_REQUIRED);
	EXPECT_EQ(0U, ti.sessions);
	/* Not logged in: the counts beyond C_GetTokenInfo's read 0. */
	EXPECT_EQ(0U, ti.token_objects);
	EXPECT_EQ(0U, ti.session_objects);
	EXPECT_EQ(0U, ti.open_files);
	EXPECT_EQ(0U, ti.logged_in_files);
	EXPECT_LE(1U, ti.min_pin_len);
	EXPECT_LE(ti.min_pin_len, ti.max_pin_len);
	EXPECT_EQ(0U, ti.init_flags);

	/* No login is possible on a blank token. */
	ASSERT_OK(t_open_session(fd, RW, &s, &rv), rv);
	EXPECT_EQ(EACCES, t_login(fd, s, CKU_USER, T_USER_PIN, &rv));
	EXPECT_EQ(CKR_USER_PIN_NOT_INITIALIZED, rv);
	ASSERT_OK(t_close_session(fd, s, &rv), rv);

	ASSERT_EQ(0, t_init_token_only(fd));
	ASSERT_EQ(0, t_token_info(fd, &ti));
	EXPECT_NE(0ULL, ti.flags & CKF_TOKEN_INITIALIZED);
	EXPECT_EQ(0ULL, ti.flags & CKF_USER_PIN_INITIALIZED);
	char label[KHSM_LABEL_LEN];

	memset(label, ' ', sizeof(label));
	memcpy(label, T_LABEL, strlen(T_LABEL));
	EXPECT_EQ(0, memcmp(ti.label, label, sizeof(label)));
	EXPECT_EQ((__u32)T_T_COST, ti.so_t_cost);
	EXPECT_EQ((__u32)T_M_COST, ti.so_m_cost_kib);
	EXPECT_EQ((__u32)T_PAR, ti.so_parallelism);
	close(fd);
}

FIXTURE(tok) {
	int fd;
	struct khsm_token_info ti;
};

FIXTURE_SETUP(tok)
{
	self->fd = t_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", t_dev_path(), strerror(errno));
	ASSERT_EQ(0, t_reset_token(self->fd));
	ASSERT_EQ(0, t_token_info(self->fd, &self->ti));
}

FIXTURE_TEARDOWN(tok)
{
	close(self->fd);
}

TEST_F(tok, flags_after_init_pin)
{
	EXPECT_NE(0ULL, self->ti.flags & CKF_TOKEN_INITIALIZED);
	EXPECT_NE(0ULL, self->ti.flags & CKF_USER_PIN_INITIALIZED);
	EXPECT_EQ(0ULL, self->ti.flags & (CKF_USER_PIN_COUNT_LOW |
		  CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED |
		  CKF_SO_PIN_COUNT_LOW | CKF_SO_PIN_FINAL_TRY | CKF_SO_PIN_LOCKED));
	EXPECT_EQ((__u32)T_M_COST, self->ti.user_m_cost_kib);
	EXPECT_EQ(0U, self->ti.sessions);
	EXPECT_EQ(0U, self->ti.logged_in_files);
}

TEST_F(tok, init_token_clears_user_pin_and_objects)
{
	struct t_tmpl t;
	__u32 s, rv, obj;

	s = t_user_session(self->fd);
	ASSERT_NE(0U, s);
	t_tmpl_data(&t, "token object", 1, 0);
	ASSERT_OK(t_create(self->fd, s, &t, &obj, &rv), rv);
	ASSERT_OK(t_close_session(self->fd, s, &rv), rv);
	ASSERT_EQ(0, t_counts(&self->ti));
	EXPECT_EQ(1U, self->ti.token_objects);

	ASSERT_EQ(0, t_init_token_only(self->fd));
	ASSERT_EQ(0, t_counts(&self->ti));
	EXPECT_EQ(0U, self->ti.token_objects);
	EXPECT_EQ(0ULL, self->ti.flags & CKF_USER_PIN_INITIALIZED);
}

TEST_F(tok, init_token_wrong_so_pin)
{
	struct khsm_init_token it;

	T_INIT(it);
	memset(it.label, ' ', sizeof(it.label));
	t_so_check(self->fd, &it.so_check, "not-the-so-pin");
	t_pin_new(&it.so_new, T_SO_PIN);
	EXPECT_EQ(EACCES, t_ioctl(self->fd, KHSM_IOC_INIT_TOKEN, &it));
	EXPECT_EQ(CKR_PIN_INCORRECT, it.rv);
	EXPECT_NE(0ULL, tflags(self->fd) & CKF_SO_PIN_COUNT_LOW);
	/* The token still has its user PIN: nothing was reset. */
	EXPECT_NE(0ULL, tflags(self->fd) & CKF_USER_PIN_INITIALIZED);
	/* A correct SO authentication clears the counter. */
	ASSERT_EQ(0, t_init_token_only(self->fd));
	EXPECT_EQ(0ULL, tflags(self->fd) & CKF_SO_PIN_COUNT_LOW);
}

/* INIT_TOKEN re-initialising with T_SO_PIN (the kernel may wipe the PINs
 * of the struct it copies back, so build it afresh for every call). */
static int reinit(int fd, __u32 *rv)
{
	struct khsm_init_token it;
	int err;

	T_INIT(it);
	memset(it.label, ' ', sizeof(it.label));
	t_so_check(fd, &it.so_check, T_SO_PIN);
	t_pin_new(&it.so_new, T_SO_PIN);
	err = t_ioctl(fd, KHSM_IOC_INIT_TOKEN, &it);
	*rv = it.rv;
	return err;
}

TEST_F(tok, init_token_session_exists)
{
	__u32 s, rv;
	int fd2;

	ASSERT_OK(t_open_session(self->fd, RO, &s, &rv), rv);
	EXPECT_EQ(EBUSY, reinit(self->fd, &rv));
	EXPECT_EQ(CKR_SESSION_EXISTS, rv);
	ASSERT_OK(t_close_session(self->fd, s, &rv), rv);

	/* A session of another file blocks it too. */
	fd2 = t_open();
	ASSERT_LE(0, fd2);
	ASSERT_OK(t_open_session(fd2, RO, &s, &rv), rv);
	EXPECT_EQ(EBUSY, reinit(self->fd, &rv));
	EXPECT_EQ(CKR_SESSION_EXISTS, rv);
	close(fd2);
	EXPECT_EQ(0, reinit(self->fd, &rv));
}

TEST_F(tok, user_pin_lockout_progression)
{
	__u32 s, rv, tries = 0;
	__u64 f, prev = 0;
	int locked = 0;

	ASSERT_OK(t_open_session(self->fd, RW, &s, &rv), rv);
	while (tries < 32) {
		EXPECT_EQ(EACCES, t_login(self->fd, s, CKU_USER, "wrong-pin-0000", &rv));
		tries++;
		f = tflags(self->fd);
		if (rv == CKR_PIN_LOCKED || (f & CKF_USER_PIN_LOCKED)) {
			locked = 1;
			/* The last wrong attempt was announced as the final try. */
			EXPECT_NE(0ULL, prev & CKF_USER_PIN_FINAL_TRY);
			EXPECT_NE(0ULL, f & CKF_USER_PIN_LOCKED);
			EXPECT_EQ(0ULL, f & CKF_USER_PIN_FINAL_TRY);
			break;
		}
		EXPECT_EQ(CKR_PIN_INCORRECT, rv);
		EXPECT_NE(0ULL, f & CKF_USER_PIN_COUNT_LOW) TH_LOG("try %u", tries);
		prev = f;
	}
	ASSERT_EQ(1, locked) TH_LOG("not locked after %u wrong PINs", tries);
	EXPECT_LE(3U, tries);
	EXPECT_GE(16U, tries);

	/* Locked: even the right PIN is refused. */
	EXPECT_EQ(EACCES, t_login(self->fd, s, CKU_USER, T_USER_PIN, &rv));
	EXPECT_EQ(CKR_PIN_LOCKED, rv);
	/* The SO is not affected and can reset the user PIN. */
	EXPECT_EQ(0ULL, tflags(self->fd) & CKF_SO_PIN_LOCKED);
	ASSERT_OK(t_login(self->fd, s, CKU_SO, T_SO_PIN, &rv), rv);
	ASSERT_OK(set_pin(self->fd, KHSM_IOC_INIT_PIN, s, NULL, 0, T_USER_PIN, 0, &rv), rv);
	ASSERT_OK(t_logout(self->fd, s, &rv), rv);
	f = tflags(self->fd);
	EXPECT_EQ(0ULL, f & (CKF_USER_PIN_LOCKED | CKF_USER_PIN_FINAL_TRY |
			     CKF_USER_PIN_COUNT_LOW));
	ASSERT_OK(t_login(self->fd, s, CKU_USER, T_USER_PIN, &rv), rv);
}

TEST_F(tok, success_clears_count_low)
{
	__u32 s, rv;

	ASSERT_OK(t_open_session(self->fd, RW, &s, &rv), rv);
	EXPECT_EQ(EACCES, t_login(self->fd, s, CKU_USER, "wrong-pin-0000", &rv));
	EXPECT_EQ(CKR_PIN_INCORRECT, rv);
	EXPECT_NE(0ULL, tflags(self->fd) & CKF_USER_PIN_COUNT_LOW);
	ASSERT_OK(t_login(self->fd, s, CKU_USER, T_USER_PIN, &rv), rv);
	EXPECT_EQ(0ULL, tflags(self->fd) & CKF_USER_PIN_COUNT_LOW);

	ASSERT_OK(t_logout(self->fd, s, &rv), rv);
	EXPECT_EQ(EACCES, t_login(self->fd, s, CKU_SO, "wrong-so-pin", &rv));
	EXPECT_EQ(CKR_PIN_INCORRECT, rv);
	EXPECT_NE(0ULL, tflags(self->fd) & CKF_SO_PIN_COUNT_LOW);
	ASSERT_OK(t_login(self->fd, s, CKU_SO, T_SO_PIN, &rv), rv);
	EXPECT_EQ(0ULL, tflags(self->fd) & CKF_SO_PIN_COUNT_LOW);
}

TEST_F(tok, wrong_verifier_same_length)
{
	struct khsm_login l;
	__u32 s, rv;
	int i;

	ASSERT_OK(t_open_session(self->fd, RW, &s, &rv), rv);
	T_INIT(l);
	l.session = s;
	l.user_type = CKU_USER;
	t_user_check(self->fd, &l.pin, T_USER_PIN);
	/* Flip one bit of the last byte: constant-time compare must catch it. */
	l.pin.verifier[KHSM_VERIFIER_LEN - 1] ^= 1;
	EXPECT_EQ(EACCES, t_ioctl(self->fd, KHSM_IOC_LOGIN, &l));
	EXPECT_EQ(CKR_PIN_INCORRECT, l.rv);
	/* Flip one bit of the first byte. */
	t_user_check(self->fd, &l.pin, T_USER_PIN);
	l.pin.verifier[0] ^= 0x80;
	l.rv = 0;
	i = t_ioctl(self->fd, KHSM_IOC_LOGIN, &l);
	EXPECT_EQ(EACCES, i);
	EXPECT_EQ(CKR_PIN_INCORRECT, l.rv);
	/* The right one still works (two failures do not lock). */
	t_user_check(self->fd, &l.pin, T_USER_PIN);
	l.rv = 0;
	EXPECT_EQ(0, t_ioctl(self->fd, KHSM_IOC_LOGIN, &l));
}

TEST_F(tok, pin_length_range)
{
	__u32 s, rv;
	__u32 min = self->ti.min_pin_len, max = self->ti.max_pin_len;

	ASSERT_LE(1U, min);
	ASSERT_LE(min, max);
	ASSERT_OK(t_open_session(self->fd, RW, &s, &rv), rv);
	ASSERT_OK(t_login(self->fd, s, CKU_SO, T_SO_PIN, &rv), rv);
	if (min > 1) {
		EXPECT_EQ(EINVAL, set_pin(self->fd, KHSM_IOC_INIT_PIN, s, NULL, 0,
					  "x", min - 1, &rv));
		EXPECT_EQ(CKR_PIN_LEN_RANGE, rv);
	}
	EXPECT_EQ(EINVAL, set_pin(self->fd, KHSM_IOC_INIT_PIN, s, NULL, 0, "x",
				  max + 1, &rv));
	EXPECT_EQ(CKR_PIN_LEN_RANGE, rv);
	/* The bounds themselves are accepted. */
	EXPECT_EQ(0, set_pin(self->fd, KHSM_IOC_INIT_PIN, s, NULL, 0, "x", max, &rv));
	EXPECT_EQ(0, set_pin(self->fd, KHSM_IOC_INIT_PIN, s, NULL, 0, "x", min, &rv));
	ASSERT_OK(set_pin(self->fd, KHSM_IOC_INIT_PIN, s, NULL, 0, T_USER_PIN, 0, &rv), rv);
	ASSERT_OK(t_logout(self->fd, s, &rv), rv);

	/* SET_PIN by the user checks the new length too. */
	ASSERT_OK(t_login(self->fd, s, CKU_USER, T_USER_PIN, &rv), rv);
	EXPECT_EQ(EINVAL, set_pin(self->fd, KHSM_IOC_SET_PIN, s, T_USER_PIN, CKU_USER,
				  "x", max + 1, &rv));
	EXPECT_EQ(CKR_PIN_LEN_RANGE, rv);

	/* INIT_TOKEN with a too-long new SO PIN. */
	ASSERT_OK(t_close_session(self->fd, s, &rv), rv);
	struct khsm_init_token it;

	T_INIT(it);
	memset(it.label, ' ', sizeof(it.label));
	t_so_check(self->fd, &it.so_check, T_SO_PIN);
	t_pin_new(&it.so_new, T_SO_PIN);
	it.so_new.pin_len = max + 1;
	EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_INIT_TOKEN, &it));
	EXPECT_EQ(CKR_PIN_LEN_RANGE, it.rv);
}

TEST_F(tok, so_versus_user_rules)
{
	__u32 rw, ro, rv;
	int fd2;

	ASSERT_OK(t_open_session(self->fd, RW, &rw, &rv), rv);
	/* INIT_PIN needs the SO. */
	EXPECT_EQ(EACCES, set_pin(self->fd, KHSM_IOC_INIT_PIN, rw, NULL, 0,
				  T_USER_PIN, 0, &rv));
	EXPECT_EQ(CKR_USER_NOT_LOGGED_IN, rv);
	ASSERT_OK(t_login(self->fd, rw, CKU_USER, T_USER_PIN, &rv), rv);
	EXPECT_EQ(EACCES, set_pin(self->fd, KHSM_IOC_INIT_PIN, rw, NULL, 0,
				  T_USER_PIN, 0, &rv));
	EXPECT_EQ(CKR_USER_NOT_LOGGED_IN, rv);
	/* Login twice, and the SO while the user is in. */
	EXPECT_EQ(EACCES, t_login(self->fd, rw, CKU_USER, T_USER_PIN, &rv));
	EXPECT_EQ(CKR_USER_ALREADY_LOGGED_IN, rv);
	EXPECT_EQ(EACCES, t_login(self->fd, rw, CKU_SO, T_SO_PIN, &rv));
	EXPECT_EQ(CKR_USER_ANOTHER_ALREADY_LOGGED_IN, rv);
	ASSERT_OK(t_logout(self->fd, rw, &rv), rv);

	/* The SO cannot log in while a read-only session exists. */
	ASSERT_OK(t_open_session(self->fd, RO, &ro, &rv), rv);
	EXPECT_EQ(EPERM, t_login(self->fd, rw, CKU_SO, T_SO_PIN, &rv));
	EXPECT_EQ(CKR_SESSION_READ_ONLY_EXISTS, rv);
	ASSERT_OK(t_close_session(self->fd, ro, &rv), rv);
	ASSERT_OK(t_login(self->fd, rw, CKU_SO, T_SO_PIN, &rv), rv);
	EXPECT_EQ(EACCES, t_login(self->fd, rw, CKU_USER, T_USER_PIN, &rv));
	EXPECT_EQ(CKR_USER_ANOTHER_ALREADY_LOGGED_IN, rv);
	/* An SO file cannot open a read-only session. */
	EXPECT_EQ(EINVAL, t_open_session(self->fd, RO, &ro, &rv));
	EXPECT_EQ(CKR_SESSION_READ_WRITE_SO_EXISTS, rv);

	/* Login state is per file: another file is not logged in. */
	fd2 = t_open();
	ASSERT_LE(0, fd2);
	ASSERT_OK(t_open_session(fd2, RW, &ro, &rv), rv);
	ASSERT_OK(t_login(fd2, ro, CKU_USER, T_USER_PIN, &rv), rv);
	close(fd2);

	/* Invalid user type. */
	ASSERT_OK(t_logout(self->fd, rw, &rv), rv);
	EXPECT_EQ(EACCES, t_login(self->fd, rw, 7, T_USER_PIN, &rv));
	EXPECT_EQ(CKR_USER_TYPE_INVALID, rv);
	/* Invalid session. */
	EXPECT_EQ(ENOENT, t_login(self->fd, rw + 1000, CKU_USER, T_USER_PIN, &rv));
	EXPECT_EQ(CKR_SESSION_HANDLE_INVALID, rv);
}

TEST_F(tok, set_pin_user_and_so)
{
	__u32 s, ro, rv;

	ASSERT_OK(t_open_session(self->fd, RW, &s, &rv), rv);
	ASSERT_OK(t_login(self->fd, s, CKU_USER, T_USER_PIN, &rv), rv);
	EXPECT_EQ(EACCES, set_pin(self->fd, KHSM_IOC_SET_PIN, s, "not-my-pin",
				  CKU_USER, "new-user-pin-1", 0, &rv));
	EXPECT_EQ(CKR_PIN_INCORRECT, rv);
	ASSERT_OK(set_pin(self->fd, KHSM_IOC_SET_PIN, s, T_USER_PIN, CKU_USER,
			  "new-user-pin-1", 0, &rv), rv);
	ASSERT_OK(t_logout(self->fd, s, &rv), rv);
	EXPECT_EQ(EACCES, t_login(self->fd, s, CKU_USER, T_USER_PIN, &rv));
	EXPECT_EQ(CKR_PIN_INCORRECT, rv);
	ASSERT_OK(t_login(self->fd, s, CKU_USER, "new-user-pin-1", &rv), rv);
	ASSERT_OK(t_logout(self->fd, s, &rv), rv);

	/* In a R/W public session SET_PIN changes the user PIN. */
	ASSERT_OK(set_pin(self->fd, KHSM_IOC_SET_PIN, s, "new-user-pin-1", CKU_USER,
			  T_USER_PIN, 0, &rv), rv);
	ASSERT_OK(t_login(self->fd, s, CKU_USER, T_USER_PIN, &rv), rv);
	ASSERT_OK(t_logout(self->fd, s, &rv), rv);

	/* Read-only session: refused. */
	ASSERT_OK(t_open_session(self->fd, RO, &ro, &rv), rv);
	EXPECT_EQ(EPERM, set_pin(self->fd, KHSM_IOC_SET_PIN, ro, T_USER_PIN, CKU_USER,
				 "other-pin-123", 0, &rv));
	EXPECT_EQ(CKR_SESSION_READ_ONLY, rv);
	ASSERT_OK(t_close_session(self->fd, ro, &rv), rv);

	/* The SO changes the SO PIN. */
	ASSERT_OK(t_login(self->fd, s, CKU_SO, T_SO_PIN, &rv), rv);
	ASSERT_OK(set_pin(self->fd, KHSM_IOC_SET_PIN, s, T_SO_PIN, CKU_SO,
			  "new-so-pin-99", 0, &rv), rv);
	ASSERT_OK(t_logout(self->fd, s, &rv), rv);
	EXPECT_EQ(EACCES, t_login(self->fd, s, CKU_SO, T_SO_PIN, &rv));
	EXPECT_EQ(CKR_PIN_INCORRECT, rv);
	ASSERT_OK(t_login(self->fd, s, CKU_SO, "new-so-pin-99", &rv), rv);
	/* Put the SO PIN back for the next tests. */
	ASSERT_OK(set_pin(self->fd, KHSM_IOC_SET_PIN, s, "new-so-pin-99", CKU_SO,
			  T_SO_PIN, 0, &rv), rv);
	ASSERT_OK(t_logout(self->fd, s, &rv), rv);
	ASSERT_OK(t_login(self->fd, s, CKU_SO, T_SO_PIN, &rv), rv);
}

TEST_F(tok, logout_and_counters)
{
	struct khsm_token_info ti;
	__u32 s, rv;

	ASSERT_OK(t_open_session(self->fd, RW, &s, &rv), rv);
	EXPECT_EQ(EACCES, t_logout(self->fd, s, &rv));
	EXPECT_EQ(CKR_USER_NOT_LOGGED_IN, rv);
	ASSERT_OK(t_login(self->fd, s, CKU_USER, T_USER_PIN, &rv), rv);
	ASSERT_EQ(0, t_token_info(self->fd, &ti));
	EXPECT_EQ(self->ti.logged_in_files + 1, ti.logged_in_files);
	EXPECT_EQ(self->ti.sessions + 1, ti.sessions);
	EXPECT_EQ(self->ti.rw_sessions + 1, ti.rw_sessions);
	ASSERT_OK(t_logout(self->fd, s, &rv), rv);
	ASSERT_EQ(0, t_token_info(self->fd, &ti));
	EXPECT_EQ(self->ti.logged_in_files, ti.logged_in_files);
	EXPECT_EQ(EACCES, t_logout(self->fd, s, &rv));
	EXPECT_EQ(CKR_USER_NOT_LOGGED_IN, rv);
	EXPECT_EQ(ENOENT, t_logout(self->fd, s + 77, &rv));
	EXPECT_EQ(CKR_SESSION_HANDLE_INVALID, rv);
}

TEST_HARNESS_MAIN
