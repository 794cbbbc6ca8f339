// SPDX-License-Identifier: GPL-2.0
/*
 * One member of the token group cannot take the token from the others,
 * across users (runs as root, which plays several members of the group
 * with setresuid and reloads the module with small limits):
 *   - sessions are limited per open file and per uid (max_file_sessions,
 *     max_uid_sessions): one uid at its limits leaves another uid room to
 *     open a session and log in;
 *   - objects are charged to their creator's uid (max_uid_pct of
 *     max_token_mib): one uid filling its share, with token objects that
 *     outlive its process, leaves another uid as much room; destroying
 *     them gives the share back;
 *   - a member locking the SO PIN with wrong tries makes C_InitToken
 *     impossible; KHSM_IOC_ADMIN_INIT_TOKEN (CAP_SYS_ADMIN in opener and
 *     caller) recovers: every session closed, every object gone, new SO
 *     PIN, and the token is usable again (C_InitToken, C_InitPIN, login).
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "khsm_util.h"

#define RW	(CKF_SERIAL_SESSION | CKF_RW_SESSION)
#define UID_A	60001
#define UID_B	60002
#define NOBODY	65534

/* Small limits for these tests. */
#define FILE_SESSIONS	4
#define UID_SESSIONS	6
#define TOKEN_MIB	4
#define UID_PCT		25

static gid_t hsm_gid;

/* Reload khsm with this file's limits (khsm-load sets group and mode). */
static int reload(void)
{
	const char *repo = getenv("KHSM_REPO");
	char cmd[4096];

	snprintf(cmd, sizeof(cmd),
		 "%s/qemu-tests/vm/khsm-load --reload max_file_sessions=%d max_uid_sessions=%d max_token_mib=%d max_uid_pct=%d",
		 repo && *repo ? repo : KHSM_TOP, FILE_SESSIONS, UID_SESSIONS,
		 TOKEN_MIB, UID_PCT);
	return system(cmd);
}

/* Become @uid, a member of the token group (no capabilities left). */
static int become(uid_t uid)
{
	return setgroups(1, &hsm_gid) || setresgid(NOBODY, NOBODY, NOBODY) ||
	       setresuid(uid, uid, uid) ? -1 : 0;
}

static int wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 250;
	return WEXITSTATUS(status);
}

FIXTURE(mr) {
	int fd;		/* root's file */
	int skip;
};

FIXTURE_SETUP(mr)
{
	struct stat st;

	if (geteuid() != 0) {
		self->skip = 1;
		self->fd = -1;
		return;
	}
	ASSERT_EQ(0, reload());
	ASSERT_EQ(0, stat(t_dev_path(), &st));
	hsm_gid = st.st_gid;
	self->fd = t_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", t_dev_path(), strerror(errno));
	ASSERT_EQ(0, t_reset_token(self->fd));
}

FIXTURE_TEARDOWN(mr)
{
	if (self->fd >= 0)
		close(self->fd);
}

#define NEED_ROOT() do {						\
	if (self->skip)							\
		SKIP(return, "needs root (file name ends in _root_test)");	\
} while (0)

TEST_F(mr, limits_reported)
{
	struct khsm_version v;

	NEED_ROOT();
	T_INIT(v);
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_VERSION, &v));
	EXPECT_EQ((__u32)FILE_SESSIONS, v.max_file_sessions);
	EXPECT_EQ((__u32)UID_SESSIONS, v.max_uid_sessions);
	EXPECT_EQ((__u64)TOKEN_MIB << 20, v.max_token_bytes);
	EXPECT_EQ(((__u64)TOKEN_MIB << 20) * UID_PCT / 100, v.max_uid_bytes);
}

/*
 * Member A takes every session one file may have, then every session its
 * uid may have with a second file; member B still opens one and logs in.
 */
TEST_F(mr, file_and_uid_session_limits)
{
	int go[2], done[2];
	pid_t a, b;
	char c;

	NEED_ROOT();
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	a = fork();
	ASSERT_LE(0, a);
	if (a == 0) {
		__u32 h, rv;
		int fd1, fd2, i;

		if (become(UID_A))
			_exit(99);
		fd1 = t_open();
		fd2 = t_open();
		if (fd1 < 0 || fd2 < 0)
			_exit(98);
		for (i = 0; i < FILE_SESSIONS; i++)
			if (t_open_session(fd1, CKF_SERIAL_SESSION, &h, &rv))
				_exit(1);
		if (t_open_session(fd1, CKF_SERIAL_SESSION, &h, &rv) != EBUSY ||
		    rv != CKR_SESSION_COUNT)
			_exit(2);
		for (i = FILE_SESSIONS; i < UID_SESSIONS; i++)
			if (t_open_session(fd2, CKF_SERIAL_SESSION, &h, &rv))
				_exit(3);
		if (t_open_session(fd2, CKF_SERIAL_SESSION, &h, &rv) != EBUSY ||
		    rv != CKR_SESSION_COUNT)
			_exit(4);
		if (write(done[1], "x", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(97);
		_exit(0);
	}
	ASSERT_EQ(1, read(done[0], &c, 1));
	b = fork();
	ASSERT_LE(0, b);
	if (b == 0) {
		__u32 s, rv;
		int fd;

		if (become(UID_B))
			_exit(99);
		fd = t_open();
		if (fd < 0)
			_exit(98);
		if (t_open_session(fd, RW, &s, &rv))
			_exit(5);
		if (t_login(fd, s, CKU_USER, T_USER_PIN, &rv))
			_exit(6);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(b));
	ASSERT_EQ(1, write(go[1], "x", 1));
	EXPECT_EQ(0, wait_child(a));
}

/* Create 4 KiB data objects until the uid's share is full; the count. */
static int fill(int fd, __u32 s, int token, __u32 *last_rv)
{
	static char big[4097];
	struct t_tmpl t;
	__u32 obj, rv = CKR_OK;
	int n = 0;

	memset(big, 'f', sizeof(big) - 1);
	while (n < 100000) {
		t_tmpl_data(&t, big, token, 0);
		if (t_create(fd, s, &t, &obj, &rv))
			break;
		n++;
	}
	*last_rv = rv;
	return n;
}

/* Child: as @uid, log in (if @login) and fill; writes the count to @out. */
static void fill_child(uid_t uid, int token, int login, int out, int hold)
{
	__u32 s, rv;
	int fd, n;
	char c;

	if (become(uid))
		_exit(99);
	fd = t_open();
	if (fd < 0)
		_exit(98);
	if (t_open_session(fd, RW, &s, &rv))
		_exit(1);
	if (login && t_login(fd, s, CKU_USER, T_USER_PIN, &rv))
		_exit(2);
	n = fill(fd, s, token, &rv);
	if (rv != CKR_DEVICE_MEMORY)
		_exit(3);
	if (write(out, &n, sizeof(n)) != sizeof(n))
		_exit(97);
	if (hold >= 0 && read(hold, &c, 1) != 1)
		_exit(96);
	_exit(0);
}

TEST_F(mr, uid_byte_share)
{
	struct khsm_version v;
	int res[2], go[2], na = 0, nb = 0, nc = 0;
	pid_t a, b, c;
	__u32 s, rv, obj, *h;
	struct t_tmpl q;
	int i, n;

	NEED_ROOT();
	T_INIT(v);
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_VERSION, &v));
	ASSERT_EQ(0, pipe(res));
	ASSERT_EQ(0, pipe(go));
	/* A fills its share with token objects, which outlive it. */
	a = fork();
	ASSERT_LE(0, a);
	if (a == 0)
		fill_child(UID_A, 1, 1, res[1], -1);
	ASSERT_EQ(0, wait_child(a));
	ASSERT_EQ((ssize_t)sizeof(na), read(res[0], &na, sizeof(na)));
	TH_LOG("uid A: %d token objects of 4 KiB in a share of %llu bytes", na,
	       (unsigned long long)v.max_uid_bytes);
	EXPECT_LT((__u64)na * 4096, v.max_uid_bytes);
	EXPECT_GT((__u64)na * (4096 + 2048), v.max_uid_bytes);
	/* A's next process is still at its limit ... */
	a = fork();
	ASSERT_LE(0, a);
	if (a == 0) {
		if (become(UID_A))
			_exit(99);
		int fd = t_open();
		struct t_tmpl t;

		if (fd < 0 || t_open_session(fd, RW, &s, &rv) ||
		    t_login(fd, s, CKU_USER, T_USER_PIN, &rv))
			_exit(1);
		static char big[4097];

		memset(big, 'f', sizeof(big) - 1);
		t_tmpl_data(&t, big, 1, 0);
		if (t_create(fd, s, &t, &obj, &rv) != ENOMEM ||
		    rv != CKR_DEVICE_MEMORY)
			_exit(2);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(a));
	/* ... B (session objects, held) and C still get a full share each. */
	b = fork();
	ASSERT_LE(0, b);
	if (b == 0)
		fill_child(UID_B, 0, 0, res[1], go[0]);
	ASSERT_EQ((ssize_t)sizeof(nb), read(res[0], &nb, sizeof(nb)));
	c = fork();
	ASSERT_LE(0, c);
	if (c == 0)
		fill_child(UID_B + 1, 0, 0, res[1], -1);
	EXPECT_EQ(0, wait_child(c));
	ASSERT_EQ((ssize_t)sizeof(nc), read(res[0], &nc, sizeof(nc)));
	TH_LOG("uid B: %d, uid C: %d session objects", nb, nc);
	EXPECT_LE(na - 2, nb);
	EXPECT_LE(na - 2, nc);
	ASSERT_EQ(1, write(go[1], "x", 1));
	EXPECT_EQ(0, wait_child(b));
	/* Destroying A's token objects gives A its share back. */
	s = t_user_session(self->fd);
	ASSERT_NE(0U, s);
	h = calloc(100000, sizeof(*h));
	ASSERT_NE(NULL, h);
	t_tmpl_init(&q);
	t_add_ulong(&q, CKA_CLASS, CKO_DATA);
	n = t_find(self->fd, s, &q, h, 100000);
	EXPECT_EQ(na, n);
	for (i = 0; i < n; i++)
		ASSERT_OK(t_destroy(self->fd, s, h[i], &rv), rv);
	free(h);
	a = fork();
	ASSERT_LE(0, a);
	if (a == 0)
		fill_child(UID_A, 1, 1, res[1], -1);
	EXPECT_EQ(0, wait_child(a));
	ASSERT_EQ((ssize_t)sizeof(n), read(res[0], &n, sizeof(n)));
	EXPECT_LE(na - 1, n);
}

static int admin_init(int fd, const char *so_pin, const char *label,
		      __u32 *rv)
{
	struct khsm_admin_init_token ai;
	int err;

	T_INIT(ai);
	memset(ai.label, ' ', sizeof(ai.label));
	memcpy(ai.label, label, strlen(label));
	t_pin_new(&ai.so_new, so_pin);
	err = t_ioctl(fd, KHSM_IOC_ADMIN_INIT_TOKEN, &ai);
	*rv = ai.rv;
	return err;
}

static int init_token(int fd, const char *so_pin, __u32 *rv)
{
	struct khsm_init_token it;
	int err;

	T_INIT(it);
	memset(it.label, ' ', sizeof(it.label));
	memcpy(it.label, T_LABEL, strlen(T_LABEL));
	t_so_check(fd, &it.so_check, so_pin);
	t_pin_new(&it.so_new, so_pin);
	err = t_ioctl(fd, KHSM_IOC_INIT_TOKEN, &it);
	*rv = it.rv;
	return err;
}

#define NEW_SO_PIN "root-recovered-1"

TEST_F(mr, so_lockout_root_recovers)
{
	struct khsm_token_info ti;
	struct khsm_set_pin sp;
	struct t_tmpl t;
	int go[2], done[2];
	__u32 s, rv, obj, found[4];
	pid_t a;
	char c;

	NEED_ROOT();
	/* The user's keys and data, which recovery will destroy. */
	s = t_user_session(self->fd);
	ASSERT_NE(0U, s);
	t_tmpl_data(&t, "user data", 1, 1);
	ASSERT_OK(t_create(self->fd, s, &t, &obj, &rv), rv);
	ASSERT_OK(t_close_session(self->fd, s, &rv), rv);

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	a = fork();
	ASSERT_LE(0, a);
	if (a == 0) {
		struct khsm_token_info cti;
		int fd, i;
		__u32 cs;

		if (become(UID_A))
			_exit(99);
		fd = t_open();
		if (fd < 0)
			_exit(98);
		/* Ten wrong SO PINs from a member lock the SO PIN ... */
		for (i = 0; i < 10; i++)
			if (init_token(fd, "wrong-so-pin", &rv) != EACCES ||
			    rv != CKR_PIN_INCORRECT)
				_exit(1);
		if (t_token_info(fd, &cti) || !(cti.flags & CKF_SO_PIN_LOCKED))
			_exit(2);
		/* ... and C_InitToken is impossible, even with the right one. */
		if (init_token(fd, T_SO_PIN, &rv) != EACCES || rv != CKR_PIN_LOCKED)
			_exit(3);
		/* The member cannot recover it. */
		if (admin_init(fd, "member-so-pin", "mine", &rv) != EPERM || rv)
			_exit(4);
		/* It holds a logged-in session while root recovers. */
		if (t_open_session(fd, RW, &cs, &rv) ||
		    t_login(fd, cs, CKU_USER, T_USER_PIN, &rv))
			_exit(5);
		if (write(done[1], "x", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(97);
		/* Its session is gone, and so is its login. */
		{
			struct khsm_session si;

			T_INIT(si);
			si.session = cs;
			if (t_ioctl(fd, KHSM_IOC_SESSION_INFO, &si) != ENOENT ||
			    si.rv != CKR_SESSION_HANDLE_INVALID)
				_exit(6);
		}
		_exit(0);
	}
	ASSERT_EQ(1, read(done[0], &c, 1));
	ASSERT_EQ(0, t_token_info(self->fd, &ti));
	ASSERT_NE(0ULL, ti.flags & CKF_SO_PIN_LOCKED);

	ASSERT_OK(admin_init(self->fd, NEW_SO_PIN, "recovered", &rv), rv);
	ASSERT_EQ(1, write(go[1], "x", 1));
	EXPECT_EQ(0, wait_child(a));

	ASSERT_EQ(0, t_token_info(self->fd, &ti));
	EXPECT_NE(0ULL, ti.flags & CKF_TOKEN_INITIALIZED);
	EXPECT_EQ(0ULL, ti.flags & (CKF_SO_PIN_LOCKED | CKF_SO_PIN_COUNT_LOW |
				    CKF_USER_PIN_INITIALIZED));
	EXPECT_EQ(0, memcmp(ti.label, "recovered ", 10));
	EXPECT_EQ(0U, ti.sessions);
	/* The old SO PIN is gone; the new one runs C_InitToken again. */
	EXPECT_EQ(EACCES, init_token(self->fd, T_SO_PIN, &rv));
	EXPECT_EQ(CKR_PIN_INCORRECT, rv);
	ASSERT_OK(init_token(self->fd, NEW_SO_PIN, &rv), rv);
	/* C_InitPIN, user login: usable, and empty. */
	ASSERT_OK(t_open_session(self->fd, RW, &s, &rv), rv);
	ASSERT_OK(t_login(self->fd, s, CKU_SO, NEW_SO_PIN, &rv), rv);
	T_INIT(sp);
	sp.session = s;
	t_pin_new(&sp.new_pin, T_USER_PIN);
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_INIT_PIN, &sp));
	ASSERT_OK(t_logout(self->fd, s, &rv), rv);
	ASSERT_OK(t_login(self->fd, s, CKU_USER, T_USER_PIN, &rv), rv);
	EXPECT_EQ(0, t_find(self->fd, s, NULL, found, 4));
	ASSERT_EQ(0, t_token_info(self->fd, &ti));
	EXPECT_EQ(0U, ti.token_objects);
	ASSERT_OK(t_create(self->fd, s, &t, &obj, &rv), rv);
}

/* CAP_SYS_ADMIN is needed in the file's opener and in the caller. */
TEST_F(mr, admin_init_needs_cap_in_opener_and_caller)
{
	__u32 rv;
	pid_t p;

	NEED_ROOT();
	/* Root's file in a member's hands. */
	p = fork();
	ASSERT_LE(0, p);
	if (p == 0) {
		if (become(UID_A))
			_exit(99);
		_exit(admin_init(self->fd, "x-so-pin", "x", &rv) == EPERM && !rv ? 0 : 1);
	}
	EXPECT_EQ(0, wait_child(p));
	/* A member's file in root's hands. */
	p = fork();
	ASSERT_LE(0, p);
	if (p == 0) {
		int fd;

		if (setgroups(1, &hsm_gid) || setresuid(UID_A, UID_A, 0))
			_exit(99);
		fd = t_open();
		if (fd < 0 || setresuid(0, 0, 0))
			_exit(98);
		if (admin_init(fd, "x-so-pin", "x", &rv) != EPERM || rv)
			_exit(1);
		fd = t_open();
		if (fd < 0 || admin_init(fd, T_SO_PIN, T_LABEL, &rv) || rv)
			_exit(2);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(p));
}

TEST_HARNESS_MAIN
