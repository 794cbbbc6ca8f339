// SPDX-License-Identifier: GPL-2.0
/*
 * Crash cleanup: a process killed with SIGKILL while it holds sessions, a
 * login, session objects and active operations leaves nothing behind. The
 * TOKEN_INFO counters (sessions, rw_sessions, session_objects,
 * logged_in_files, open_files) return to their previous values; token
 * objects it created stay.
 */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "khsm_util.h"

#define RW (CKF_SERIAL_SESSION | CKF_RW_SESSION)
#define RO CKF_SERIAL_SESSION

/*
 * Child body: @nfd files, each with sessions, a login, session objects (two
 * data objects, an EC key pair, an AES key) and active digest and encrypt
 * operations, plus one token object on the first.
 * Writes one byte to @ready when set up (or 'E' on error), then sleeps.
 */
static void child(int ready, int nfd)
{
	struct t_tmpl t;
	__u32 s, ro, o, pub, priv, rv;
	char c = 'E';
	int i, fd = -1;

	for (i = 0; i < nfd; i++) {
		fd = t_open();
		if (fd < 0)
			goto out;
		s = t_user_session(fd);
		if (!s || t_open_session(fd, RO, &ro, &rv))
			goto out;
		t_tmpl_data(&t, "session object", 0, 1);
		if (t_create(fd, s, &t, &o, &rv) || t_create(fd, ro, &t, &o, &rv))
			goto out;
		if (t_gen_p256(fd, s, 0, &pub, &priv, &rv))
			goto out;
		t_tmpl_aes(&t, "0123456789abcdef", 16, 0);
		if (t_create(fd, s, &t, &o, &rv) ||
		    t_op_init(fd, s, KHSM_OP_ENCRYPT, CKM_AES_CBC_PAD, o,
			      "iv-iv-iv-iv-iv-!", 16, &rv) ||
		    t_op_data(fd, s, KHSM_OP_ENCRYPT, KHSM_DATA_UPDATE, "x", 1, NULL,
			      NULL, &rv))
			goto out;
		if (t_op_init(fd, ro, KHSM_OP_DIGEST, CKM_SHA256, 0, NULL, 0, &rv) ||
		    t_op_data(fd, ro, KHSM_OP_DIGEST, KHSM_DATA_UPDATE, "y", 1, NULL, NULL, &rv))
			goto out;
		if (i == 0) {
			t_tmpl_data(&t, "token object of the child", 1, 0);
			if (t_create(fd, s, &t, &o, &rv))
				goto out;
		}
	}
	c = 'R';
out:
	if (write(ready, &c, 1) != 1)
		_exit(3);
	for (;;)
		pause();
}

/* Fork the child, wait until it is set up, SIGKILL it, reap it. */
static int run_and_kill(int nfd, struct khsm_token_info *during)
{
	int p[2];
	pid_t pid;
	char c = 0;
	int status;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(p[0]);
		child(p[1], nfd);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1)
		c = 0;
	close(p[0]);
	if (during) {
		t_counts(during);
	}
	kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		return -1;
	return c == 'R' ? 0 : -1;
}

FIXTURE(crash) {
	int fd;
	struct khsm_token_info before;
};

FIXTURE_SETUP(crash)
{
	self->fd = t_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", t_dev_path(), strerror(errno));
	ASSERT_EQ(0, t_reset_token(self->fd));
	ASSERT_EQ(0, t_counts(&self->before));
}

FIXTURE_TEARDOWN(crash)
{
	close(self->fd);
}

#define EXPECT_COUNTERS_BACK(a, b) do {					\
	EXPECT_EQ((a).sessions, (b).sessions);				\
	EXPECT_EQ((a).rw_sessions, (b).rw_sessions);			\
	EXPECT_EQ((a).session_objects, (b).session_objects);		\
	EXPECT_EQ((a).logged_in_files, (b).logged_in_files);		\
	EXPECT_EQ((a).open_files, (b).open_files);			\
} while (0)

TEST_F(crash, sigkill_leaves_nothing)
{
	struct khsm_token_info during, after;

	ASSERT_EQ(0, run_and_kill(1, &during));
	/* While it lived, the child's state was counted. */
	EXPECT_EQ(self->before.sessions + 2, during.sessions);
	EXPECT_EQ(self->before.rw_sessions + 1, during.rw_sessions);
	EXPECT_EQ(self->before.session_objects + 5, during.session_objects);
	EXPECT_EQ(self->before.logged_in_files + 1, during.logged_in_files);
	/* The child's file (both counts include t_counts' own). */
	EXPECT_EQ(self->before.open_files + 1, during.open_files);
	EXPECT_EQ(self->before.token_objects + 1, during.token_objects);

	ASSERT_EQ(0, t_counts(&after));
	EXPECT_COUNTERS_BACK(self->before, after);
	/* Its token object outlives it. */
	EXPECT_EQ(self->before.token_objects + 1, after.token_objects);
}

TEST_F(crash, many_files_many_kills)
{
	struct khsm_token_info after;
	int i;

	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, run_and_kill(4, NULL)) TH_LOG("round %d", i);
	ASSERT_EQ(0, t_counts(&after));
	EXPECT_COUNTERS_BACK(self->before, after);
	EXPECT_EQ(self->before.token_objects + 5, after.token_objects);
}

TEST_F(crash, our_state_survives_their_crash)
{
	struct khsm_token_info after;
	struct t_tmpl t;
	__u32 s, o, rv, st;
	char buf[32];
	__u64 len = sizeof(buf);

	s = t_user_session(self->fd);
	ASSERT_NE(0U, s);
	t_tmpl_data(&t, "ours", 0, 1);
	ASSERT_OK(t_create(self->fd, s, &t, &o, &rv), rv);
	ASSERT_EQ(0, t_counts(&self->before));
	ASSERT_EQ(0, run_and_kill(2, NULL));
	ASSERT_EQ(0, t_counts(&after));
	EXPECT_COUNTERS_BACK(self->before, after);
	/* Our session, login and object are intact. */
	ASSERT_OK(t_get_attr(self->fd, s, o, CKA_VALUE, buf, &len, &rv), rv);
	EXPECT_EQ(4ULL, len);
	struct khsm_session si;

	T_INIT(si);
	si.session = s;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_SESSION_INFO, &si));
	st = si.state;
	EXPECT_EQ((__u32)CKS_RW_USER_FUNCTIONS, st);
}

TEST_F(crash, shared_file_lives_until_last_holder)
{
	struct khsm_token_info a, b;
	__u32 s, rv;
	int fd2 = t_open(), status;
	pid_t pid;

	ASSERT_LE(0, fd2);
	s = t_user_session(fd2);
	ASSERT_NE(0U, s);
	ASSERT_EQ(0, t_counts(&a));
	/* A child inherits the file (no exec, so O_CLOEXEC does not matter). */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	close(fd2);
	/* The child still holds the file: its sessions and login remain. */
	ASSERT_EQ(0, t_counts(&b));
	EXPECT_EQ(a.sessions, b.sessions);
	EXPECT_EQ(a.logged_in_files, b.logged_in_files);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, t_counts(&b));
	EXPECT_EQ(a.sessions - 1, b.sessions);
	EXPECT_EQ(a.logged_in_files - 1, b.logged_in_files);
	EXPECT_EQ(a.open_files - 1, b.open_files);
	(void)rv;
}

TEST_HARNESS_MAIN
