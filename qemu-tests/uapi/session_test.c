// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions through direct ioctls: RO/RW open, the SERIAL flag rule, session
 * info and state transitions with login/logout, close, close-all, invalid
 * handles, handles of another file, the session limit.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "khsm_util.h"

#define RW (CKF_SERIAL_SESSION | CKF_RW_SESSION)
#define RO CKF_SERIAL_SESSION

/* SESSION_INFO: returns errno; fills flags/state/rv. */
static int info(int fd, __u32 h, __u32 *flags, __u32 *state, __u32 *rv)
{
	struct khsm_session s;
	int err;

	T_INIT(s);
	s.session = h;
	err = t_ioctl(fd, KHSM_IOC_SESSION_INFO, &s);
	*flags = s.flags;
	*state = s.state;
	*rv = s.rv;
	return err;
}

static int close_all(int fd, __u32 *rv)
{
	struct khsm_session s;
	int err;

	T_INIT(s);
	err = t_ioctl(fd, KHSM_IOC_CLOSE_ALL, &s);
	*rv = s.rv;
	return err;
}

FIXTURE(ses) {
	int fd;
	struct khsm_token_info ti;
};

FIXTURE_SETUP(ses)
{
	self->fd = t_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", t_dev_path(), strerror(errno));
	ASSERT_EQ(0, t_reset_token(self->fd));
	ASSERT_EQ(0, t_counts(&self->ti));
}

FIXTURE_TEARDOWN(ses)
{
	close(self->fd);
}

TEST_F(ses, open_ro_rw_info)
{
	__u32 ro, rw, fl, st, rv;
	struct khsm_token_info ti;

	ASSERT_OK(t_open_session(self->fd, RO, &ro, &rv), rv);
	ASSERT_OK(t_open_session(self->fd, RW, &rw, &rv), rv);
	EXPECT_NE(0U, ro);
	EXPECT_NE(0U, rw);
	EXPECT_NE(ro, rw);
	ASSERT_OK(info(self->fd, ro, &fl, &st, &rv), rv);
	EXPECT_EQ((__u32)CKF_SERIAL_SESSION, fl);
	EXPECT_EQ((__u32)CKS_RO_PUBLIC_SESSION, st);
	ASSERT_OK(info(self->fd, rw, &fl, &st, &rv), rv);
	EXPECT_EQ((__u32)RW, fl);
	EXPECT_EQ((__u32)CKS_RW_PUBLIC_SESSION, st);
	ASSERT_EQ(0, t_counts(&ti));
	EXPECT_EQ(self->ti.sessions + 2, ti.sessions);
	EXPECT_EQ(self->ti.rw_sessions + 1, ti.rw_sessions);
}

TEST_F(ses, no_serial_flag)
{
	__u32 h = 0, rv;

	EXPECT_EQ(EINVAL, t_open_session(self->fd, 0, &h, &rv));
	EXPECT_EQ(CKR_SESSION_PARALLEL_NOT_SUPPORTED, rv);
	EXPECT_EQ(0U, h);
	EXPECT_EQ(EINVAL, t_open_session(self->fd, CKF_RW_SESSION, &h, &rv));
	EXPECT_EQ(CKR_SESSION_PARALLEL_NOT_SUPPORTED, rv);
	EXPECT_EQ(0U, h);
}

TEST_F(ses, state_transitions)
{
	__u32 ro, rw, later, fl, st, rv;

	ASSERT_OK(t_open_session(self->fd, RO, &ro, &rv), rv);
	ASSERT_OK(t_open_session(self->fd, RW, &rw, &rv), rv);
	ASSERT_OK(t_login(self->fd, ro, CKU_USER, T_USER_PIN, &rv), rv);
	/* Login applies to every session of the file. */
	ASSERT_OK(info(self->fd, ro, &fl, &st, &rv), rv);
	EXPECT_EQ((__u32)CKS_RO_USER_FUNCTIONS, st);
	ASSERT_OK(info(self->fd, rw, &fl, &st, &rv), rv);
	EXPECT_EQ((__u32)CKS_RW_USER_FUNCTIONS, st);
	/* ... and to sessions opened afterwards. */
	ASSERT_OK(t_open_session(self->fd, RO, &later, &rv), rv);
	ASSERT_OK(info(self->fd, later, &fl, &st, &rv), rv);
	EXPECT_EQ((__u32)CKS_RO_USER_FUNCTIONS, st);

	ASSERT_OK(t_logout(self->fd, rw, &rv), rv);
	ASSERT_OK(info(self->fd, ro, &fl, &st, &rv), rv);
	EXPECT_EQ((__u32)CKS_RO_PUBLIC_SESSION, st);
	ASSERT_OK(info(self->fd, rw, &fl, &st, &rv), rv);
	EXPECT_EQ((__u32)CKS_RW_PUBLIC_SESSION, st);

	/* SO: only with R/W sessions. */
	ASSERT_OK(t_close_session(self->fd, ro, &rv), rv);
	ASSERT_OK(t_close_session(self->fd, later, &rv), rv);
	ASSERT_OK(t_login(self->fd, rw, CKU_SO, T_SO_PIN, &rv), rv);
	ASSERT_OK(info(self->fd, rw, &fl, &st, &rv), rv);
	EXPECT_EQ((__u32)CKS_RW_SO_FUNCTIONS, st);
	ASSERT_OK(t_logout(self->fd, rw, &rv), rv);
	ASSERT_OK(info(self->fd, rw, &fl, &st, &rv), rv);
	EXPECT_EQ((__u32)CKS_RW_PUBLIC_SESSION, st);
}

TEST_F(ses, close_and_invalid_handles)
{
	__u32 h, fl, st, rv;
	__u32 bad[] = { 0, 0xffffffffU, 0x7fffffffU };
	unsigned int i;

	ASSERT_OK(t_open_session(self->fd, RW, &h, &rv), rv);
	ASSERT_OK(t_close_session(self->fd, h, &rv), rv);
	EXPECT_EQ(ENOENT, info(self->fd, h, &fl, &st, &rv));
	EXPECT_EQ(CKR_SESSION_HANDLE_INVALID, rv);
	EXPECT_EQ(ENOENT, t_close_session(self->fd, h, &rv));
	EXPECT_EQ(CKR_SESSION_HANDLE_INVALID, rv);
	EXPECT_EQ(ENOENT, t_login(self->fd, h, CKU_USER, T_USER_PIN, &rv));
	EXPECT_EQ(CKR_SESSION_HANDLE_INVALID, rv);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(ENOENT, info(self->fd, bad[i], &fl, &st, &rv));
		EXPECT_EQ(CKR_SESSION_HANDLE_INVALID, rv);
		EXPECT_EQ(ENOENT, t_close_session(self->fd, bad[i], &rv));
		EXPECT_EQ(CKR_SESSION_HANDLE_INVALID, rv);
	}
}

TEST_F(ses, close_all_and_logout)
{
	__u32 h[4], fl, st, rv, n;
	struct khsm_token_info ti;
	struct khsm_session s;
	int i;

	for (i = 0; i < 4; i++)
		ASSERT_OK(t_open_session(self->fd, i & 1 ? RW : RO, &h[i], &rv), rv);
	ASSERT_OK(t_login(self->fd, h[0], CKU_USER, T_USER_PIN, &rv), rv);
	ASSERT_EQ(0, t_counts(&ti));
	EXPECT_EQ(self->ti.logged_in_files + 1, ti.logged_in_files);

	/* session must be zero for CLOSE_ALL. */
	T_INIT(s);
	s.session = h[0];
	EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_CLOSE_ALL, &s));
	EXPECT_EQ(0U, s.rv);

	ASSERT_OK(close_all(self->fd, &rv), rv);
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(ENOENT, info(self->fd, h[i], &fl, &st, &rv));
		EXPECT_EQ(CKR_SESSION_HANDLE_INVALID, rv);
	}
	ASSERT_EQ(0, t_counts(&ti));
	EXPECT_EQ(self->ti.sessions, ti.sessions);
	EXPECT_EQ(self->ti.rw_sessions, ti.rw_sessions);
	/* Closing the last session logs the application out (PKCS#11 5.6). */
	EXPECT_EQ(self->ti.logged_in_files, ti.logged_in_files);
	ASSERT_OK(t_open_session(self->fd, RO, &n, &rv), rv);
	ASSERT_OK(info(self->fd, n, &fl, &st, &rv), rv);
	EXPECT_EQ((__u32)CKS_RO_PUBLIC_SESSION, st);
	/* CLOSE_ALL with nothing open is fine. */
	ASSERT_OK(close_all(self->fd, &rv), rv);
	ASSERT_OK(close_all(self->fd, &rv), rv);
}

TEST_F(ses, other_files_handles)
{
	__u32 mine, theirs, fl, st, rv;
	int fd2 = t_open();

	ASSERT_LE(0, fd2);
	ASSERT_OK(t_open_session(self->fd, RW, &mine, &rv), rv);
	ASSERT_OK(t_open_session(fd2, RW, &theirs, &rv), rv);
	ASSERT_OK(t_login(fd2, theirs, CKU_USER, T_USER_PIN, &rv), rv);

	EXPECT_EQ(ENOENT, info(self->fd, theirs, &fl, &st, &rv));
	EXPECT_EQ(CKR_SESSION_HANDLE_INVALID, rv);
	EXPECT_EQ(ENOENT, t_close_session(self->fd, theirs, &rv));
	EXPECT_EQ(CKR_SESSION_HANDLE_INVALID, rv);
	EXPECT_EQ(ENOENT, t_logout(self->fd, theirs, &rv));
	EXPECT_EQ(CKR_SESSION_HANDLE_INVALID, rv);
	EXPECT_EQ(ENOENT, t_op_init(self->fd, theirs, KHSM_OP_DIGEST, CKM_SHA256,
				    0, NULL, 0, &rv));
	EXPECT_EQ(CKR_SESSION_HANDLE_INVALID, rv);
	/* The other file's login does not leak into ours. */
	ASSERT_OK(info(self->fd, mine, &fl, &st, &rv), rv);
	EXPECT_EQ((__u32)CKS_RW_PUBLIC_SESSION, st);

	/* CLOSE_ALL closes only the caller's sessions. */
	ASSERT_OK(close_all(self->fd, &rv), rv);
	ASSERT_OK(info(fd2, theirs, &fl, &st, &rv), rv);
	EXPECT_EQ((__u32)CKS_RW_USER_FUNCTIONS, st);
	EXPECT_EQ(ENOENT, info(fd2, mine, &fl, &st, &rv));
	EXPECT_EQ(CKR_SESSION_HANDLE_INVALID, rv);
	close(fd2);
}

TEST_F(ses, closing_file_closes_sessions)
{
	struct khsm_token_info ti;
	__u32 h, rv;
	int fd2 = t_open();

	ASSERT_LE(0, fd2);
	ASSERT_OK(t_open_session(fd2, RW, &h, &rv), rv);
	ASSERT_OK(t_open_session(fd2, RO, &h, &rv), rv);
	ASSERT_OK(t_login(fd2, h, CKU_USER, T_USER_PIN, &rv), rv);
	ASSERT_EQ(0, t_counts(&ti));
	EXPECT_EQ(self->ti.sessions + 2, ti.sessions);
	EXPECT_EQ(self->ti.open_files + 1, ti.open_files);
	EXPECT_EQ(self->ti.logged_in_files + 1, ti.logged_in_files);
	close(fd2);
	ASSERT_EQ(0, t_counts(&ti));
	EXPECT_EQ(self->ti.sessions, ti.sessions);
	EXPECT_EQ(self->ti.rw_sessions, ti.rw_sessions);
	EXPECT_EQ(self->ti.open_files, ti.open_files);
	EXPECT_EQ(self->ti.logged_in_files, ti.logged_in_files);
}

/* One file reaches its own limit (max_file_sessions), not the token's. */
TEST_F(ses, session_limit)
{
	__u32 max = self->ti.max_sessions, i, rv, h = 0;
	struct khsm_token_info ti;
	struct khsm_version v;
	int err = 0;

	T_INIT(v);
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_VERSION, &v));
	ASSERT_EQ(v.max_file_sessions, max);
	ASSERT_LT(0U, max);
	ASSERT_LT(max, v.max_sessions);
	for (i = 0; i < max; i++) {
		err = t_open_session(self->fd, RO, &h, &rv);
		if (err)
			TH_LOG("session %u of %u", i, max);
		ASSERT_OK(err, rv);
	}
	h = 0;
	EXPECT_EQ(EBUSY, t_open_session(self->fd, RO, &h, &rv));
	EXPECT_EQ(CKR_SESSION_COUNT, rv);
	EXPECT_EQ(0U, h);
	ASSERT_OK(close_all(self->fd, &rv), rv);
	ASSERT_EQ(0, t_counts(&ti));
	EXPECT_EQ(self->ti.sessions, ti.sessions);
	ASSERT_OK(t_open_session(self->fd, RO, &h, &rv), rv);
}

TEST_HARNESS_MAIN
