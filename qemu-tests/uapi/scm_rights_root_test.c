// SPDX-License-Identifier: GPL-2.0
/*
 * The token's group is checked at open, and an open file carries the
 * opener's rights: what that means for a file passed over a unix socket
 * (SCM_RIGHTS). Runs as root, which plays alice (uid 60011, in the token
 * group of /dev/hsm0) and bob (uid 60012, only in his own group 60112) in
 * forked children without capabilities:
 *   - bob cannot open /dev/hsm0 (EACCES, whatever the node's mode);
 *   - alice opens it, logs in and passes the file to bob: bob's ioctls on
 *     it work, and the file's login is his too (a new session of his is
 *     in user state, he creates a private object, he uses alice's
 *     session handle); logging out on it logs alice's session out (one
 *     file, one login); bob still cannot open /dev/hsm0 himself;
 *   - a file passed on keeps working after its opener has exited;
 *   - the group is checked at open only: after TOKEN_SET_GROUP to bob's
 *     group (netlink) alice's open file still works but she cannot open
 *     the node again, bob now can; sysfs khsm_gid shows the new group.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "kselftest_harness.h"
#include "khsm_util.h"

#define RW		(CKF_SERIAL_SESSION | CKF_RW_SESSION)
#define UID_ALICE	60011
#define UID_BOB		60012
#define GID_BOB		60112	/* bob's group, nobody else's */
#define NOBODY		65534

static gid_t hsm_gid;

/* Become alice (group hsm) or bob (group GID_BOB), no capabilities left. */
static int become(uid_t uid)
{
	gid_t g = uid == UID_ALICE ? hsm_gid : GID_BOB;

	return setgroups(1, &g) || setresgid(NOBODY, NOBODY, NOBODY) ||
	       setresuid(uid, uid, uid) ? -1 : 0;
}

static int wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 250;
	return WEXITSTATUS(status);
}

/* Send @fd with the 4 bytes @val over the unix socket @sock. */
static int send_fd(int sock, int fd, __u32 val)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = { .iov_base = &val, .iov_len = sizeof(val) };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c;

	memset(&u, 0, sizeof(u));
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &m, 0) == sizeof(val) ? 0 : -1;
}

/* Receive a file and 4 bytes; the new descriptor or -1. */
static int recv_fd(int sock, __u32 *val)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = { .iov_base = val, .iov_len = sizeof(*val) };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != sizeof(*val))
		return -1;
	c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(int)))
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* The CKS_* state of @session on @fd, or ~0 if SESSION_INFO fails. */
static __u32 sess_state(int fd, __u32 session)
{
	struct khsm_session si;

	T_INIT(si);
	si.session = session;
	if (t_ioctl(fd, KHSM_IOC_SESSION_INFO, &si) || si.rv != CKR_OK)
		return ~0U;
	return si.state;
}

/* KHSM_CMD_TOKEN_SET_GROUP of token 0 (libnl-genl-3); 0 or -1. */
static int set_group(gid_t gid)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_msg *msg;
	int fam, r = -1;

	if (!sk || genl_connect(sk))
		goto out;
	fam = genl_ctrl_resolve(sk, KHSM_GENL_NAME);
	msg = nlmsg_alloc();
	if (fam < 0 || !msg)
		goto out;
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, fam, 0, 0,
		    KHSM_CMD_TOKEN_SET_GROUP, KHSM_GENL_VERSION);
	nla_put_u32(msg, KHSM_A_TOKEN_INDEX, 0);
	nla_put_u32(msg, KHSM_A_TOKEN_GID, gid);
	r = nl_send_sync(sk, msg) ? -1 : 0;	/* frees msg */
out:
	nl_socket_free(sk);
	return r;
}

/* /sys/class/misc/hsm0/khsm_gid, or -1. */
static long sysfs_gid(void)
{
	FILE *f = fopen("/sys/class/misc/hsm0/khsm_gid", "r");
	long g = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &g) != 1)
		g = -1;
	fclose(f);
	return g;
}

FIXTURE(scm) {
	int fd;		/* root's file (no session) */
	int skip;
};

FIXTURE_SETUP(scm)
{
	const char *repo = getenv("KHSM_REPO");
	char cmd[4096];
	struct stat st;

	self->fd = -1;
	self->skip = geteuid() != 0;
	if (self->skip)
		return;
	/* A fresh module: token 0 of group hsm, node root:hsm 0660. */
	snprintf(cmd, sizeof(cmd), "%s/qemu-tests/vm/khsm-load --reload",
		 repo && *repo ? repo : KHSM_TOP);
	ASSERT_EQ(0, system(cmd));
	ASSERT_EQ(0, stat(t_dev_path(), &st));
	hsm_gid = st.st_gid;
	ASSERT_NE(0U, hsm_gid);
	/* The kernel's group check decides, not the node's mode. */
	ASSERT_EQ(0, chmod(t_dev_path(), 0666));
	self->fd = t_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", t_dev_path(), strerror(errno));
	ASSERT_EQ(0, t_reset_token(self->fd));
}

FIXTURE_TEARDOWN(scm)
{
	if (self->fd >= 0)
		close(self->fd);
}

#define NEED_ROOT() do {						\
	if (self->skip)							\
		SKIP(return, "needs root (file name ends in _root_test)");	\
} while (0)

/* Alice's child: open, session, login, pass the file; see bob's logout. */
static int alice(int sock)
{
	__u32 s, rv;
	char c;
	int fd;

	if (become(UID_ALICE))
		return 99;
	fd = t_open();
	if (fd < 0)
		return 10;
	if (t_open_session(fd, RW, &s, &rv) || t_login(fd, s, CKU_USER,
						       T_USER_PIN, &rv))
		return 11;
	if (sess_state(fd, s) != CKS_RW_USER_FUNCTIONS)
		return 12;
	if (send_fd(sock, fd, s))
		return 13;
	/* Bob logs out on the file he got; this is the same file. */
	if (read(sock, &c, 1) != 1)
		return 14;
	if (sess_state(fd, s) != CKS_RW_PUBLIC_SESSION)
		return 15;
	return 0;
}

/* Bob's child: cannot open; uses the file he receives with its login. */
static int bob(int sock)
{
	__u32 s_alice, s, obj, rv;
	struct khsm_token_info ti;
	struct t_tmpl t;
	int fd;

	if (become(UID_BOB))
		return 99;
	if (t_open() >= 0 || errno != EACCES)
		return 20;
	fd = recv_fd(sock, &s_alice);
	if (fd < 0)
		return 21;
	if (t_token_info(fd, &ti) ||
	    memcmp(ti.label, T_LABEL, strlen(T_LABEL)))
		return 22;
	/* The file's login is alice's: bob's session is logged in too. */
	if (t_open_session(fd, RW, &s, &rv))
		return 23;
	if (sess_state(fd, s) != CKS_RW_USER_FUNCTIONS)
		return 24;
	t_tmpl_data(&t, "bob's private data", 0, 1);
	if (t_create(fd, s, &t, &obj, &rv) || rv != CKR_OK)
		return 25;
	/* Session handles are the file's: alice's works for bob. */
	if (sess_state(fd, s_alice) != CKS_RW_USER_FUNCTIONS)
		return 26;
	/* The passed file gives him nothing new at the node. */
	if (t_open() >= 0 || errno != EACCES)
		return 27;
	if (t_logout(fd, s, &rv) || rv != CKR_OK)
		return 28;
	if (sess_state(fd, s) != CKS_RW_PUBLIC_SESSION)
		return 29;
	if (write(sock, "x", 1) != 1)
		return 30;
	return 0;
}

TEST_F(scm, passed_file_carries_opener_rights_and_login)
{
	int sv[2];
	pid_t a, b;

	NEED_ROOT();
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	b = fork();
	ASSERT_LE(0, b);
	if (b == 0)
		_exit(bob(sv[1]));
	a = fork();
	ASSERT_LE(0, a);
	if (a == 0)
		_exit(alice(sv[0]));
	close(sv[0]);
	close(sv[1]);
	EXPECT_EQ(0, wait_child(b)) TH_LOG("bob: step codes 2x, 99 = setresuid");
	EXPECT_EQ(0, wait_child(a)) TH_LOG("alice: step codes 1x");
}

/* Bob keeps using the file after alice, who opened it, has exited. */
TEST_F(scm, passed_file_outlives_its_opener)
{
	int sv[2], go[2];
	pid_t a, b;

	NEED_ROOT();
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, pipe(go));
	a = fork();
	ASSERT_LE(0, a);
	if (a == 0) {
		int fd;

		if (become(UID_ALICE))
			_exit(99);
		fd = t_open();
		_exit(fd >= 0 && !send_fd(sv[0], fd, 0) ? 0 : 1);
	}
	b = fork();
	ASSERT_LE(0, b);
	if (b == 0) {
		__u32 dummy, s, rv;
		char c;
		int fd;

		if (become(UID_BOB))
			_exit(99);
		fd = recv_fd(sv[1], &dummy);
		if (fd < 0)
			_exit(1);
		if (read(go[0], &c, 1) != 1)	/* alice is gone */
			_exit(2);
		if (t_open_session(fd, RW, &s, &rv))
			_exit(3);
		if (t_login(fd, s, CKU_USER, T_USER_PIN, &rv) || rv != CKR_OK)
			_exit(4);
		_exit(sess_state(fd, s) == CKS_RW_USER_FUNCTIONS ? 0 : 5);
	}
	EXPECT_EQ(0, wait_child(a));
	ASSERT_EQ(1, write(go[1], "x", 1));
	EXPECT_EQ(0, wait_child(b));
}

/*
 * The group is checked at open only: a new group leaves open files
 * working, and decides every later open; sysfs shows it.
 */
TEST_F(scm, group_change_checked_at_open_only)
{
	int done[2], go[2];
	pid_t a, b;
	char c;

	NEED_ROOT();
	EXPECT_EQ((long)hsm_gid, sysfs_gid());
	ASSERT_EQ(0, pipe(done));
	ASSERT_EQ(0, pipe(go));
	a = fork();
	ASSERT_LE(0, a);
	if (a == 0) {
		__u32 s, rv;
		int fd;

		if (become(UID_ALICE))
			_exit(99);
		fd = t_open();
		if (fd < 0)
			_exit(1);
		if (write(done[1], "x", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(2);
		/* Regrouped to bob's: her file works, a new open fails. */
		if (t_open_session(fd, RW, &s, &rv) ||
		    t_login(fd, s, CKU_USER, T_USER_PIN, &rv) || rv != CKR_OK)
			_exit(3);
		_exit(t_open() < 0 && errno == EACCES ? 0 : 4);
	}
	ASSERT_EQ(1, read(done[0], &c, 1));
	ASSERT_EQ(0, set_group(GID_BOB));
	EXPECT_EQ((long)GID_BOB, sysfs_gid());
	ASSERT_EQ(1, write(go[1], "x", 1));
	EXPECT_EQ(0, wait_child(a));
	b = fork();
	ASSERT_LE(0, b);
	if (b == 0) {
		if (become(UID_BOB))
			_exit(99);
		_exit(t_open() >= 0 ? 0 : 1);
	}
	EXPECT_EQ(0, wait_child(b));
	ASSERT_EQ(0, set_group(hsm_gid));
	EXPECT_EQ((long)hsm_gid, sysfs_gid());
}

TEST_HARNESS_MAIN
