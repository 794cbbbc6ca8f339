// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "khsm" and tokens at run time (runs as root,
 * which plays unprivileged callers in forked children with setresuid):
 *   - TOKEN_GET lists the tokens (dump and doit);
 *   - TOKEN_ADD makes /dev/hsmN, which opens, initialises and logs in;
 *     TOKEN_GET then reports its login state and counts;
 *   - TOKEN_SET_GROUP decides who may open the device (in_group_p);
 *   - a caller without CAP_SYS_ADMIN cannot add, remove or regroup
 *     (EPERM), sees only the tokens of its groups (dump), gets EACCES for
 *     another's (doit), and cannot join the events group (EPERM);
 *   - TOKEN_REMOVE with a file open: the node goes, every later ioctl on
 *     the file fails with ENODEV / CKR_DEVICE_REMOVED, poll() says
 *     EPOLLHUP, the index is not reused until the file closes;
 *   - poll()/read() of slot events (add, remove, init);
 *   - events: a login failure and an object creation by a member, with
 *     its uid, pid and comm and a current timestamp;
 *   - STATS_GET counts an operation per mechanism and the PIN failure;
 *   - removal under load (ioctls on an open file, opens of the node);
 *   - root's KEY_USE, OBJECT_DESTROY, LOGIN_FAILED up to PIN_LOCKED, the
 *     lockout counter and the token's PIN-locked flag.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "kselftest_harness.h"
#include "khsm_nl.h"
#include "khsm_util.h"

#define UID_M	60001		/* a member of group hsm, no capabilities */
#define GID_X	60123		/* a group nobody is in */
#define NOBODY	65534
#define COMM	"khsm-evtest"

static gid_t hsm_gid;

static void dev_of(char *buf, size_t len, long idx)
{
	snprintf(buf, len, "/dev/hsm%ld", idx);
}

static int open_dev(long idx)
{
	char p[32];

	dev_of(p, sizeof(p), idx);
	return open(p, O_RDWR | O_CLOEXEC);
}

/* Become a member of group hsm without capabilities. */
static int become_member(void)
{
	return setgroups(1, &hsm_gid) || setresgid(NOBODY, NOBODY, NOBODY) ||
	       setresuid(UID_M, UID_M, UID_M) ? -1 : 0;
}

static int wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 250;
	return WEXITSTATUS(status);
}

FIXTURE(nl) {
	struct nl n;
	int skip;
};

FIXTURE_SETUP(nl)
{
	struct group *g;

	self->skip = geteuid() != 0;
	if (self->skip)
		return;
	g = getgrnam("hsm");
	ASSERT_NE(NULL, g);
	hsm_gid = g->gr_gid;
	ASSERT_EQ(0, t_nl_open(&self->n)) TH_LOG("family khsm not found");
}

FIXTURE_TEARDOWN(nl)
{
	if (!self->skip)
		t_nl_close(&self->n);
}

#define NEED_ROOT() do {						\
	if (self->skip)							\
		SKIP(return, "needs root (file name ends in _root_test)");	\
} while (0)

TEST_F(nl, list_tokens)
{
	struct nlctx c;
	struct tinfo *t;

	NEED_ROOT();
	ASSERT_EQ(0, nl_call(&self->n, KHSM_CMD_TOKEN_GET, 1, -1, -1, &c));
	t = find_tok(&c, 0);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(hsm_gid, t->gid);
	ASSERT_EQ(0, nl_call(&self->n, KHSM_CMD_TOKEN_GET, 0, 0, -1, &c));
	ASSERT_EQ(1, c.n);
	EXPECT_EQ(0U, c.t[0].index);
	EXPECT_EQ(ENOENT, nl_call(&self->n, KHSM_CMD_TOKEN_GET, 0, 63, -1, &c));
	/* Out of the policy's range (NLA_POLICY_MAX). */
	EXPECT_EQ(ERANGE, nl_call(&self->n, KHSM_CMD_TOKEN_GET, 0, 64, -1, &c));
}

TEST_F(nl, add_use_remove)
{
	struct nlctx c;
	struct tinfo *t;
	struct stat st;
	char path[32];
	long idx;
	__u32 s;
	int fd;

	NEED_ROOT();
	idx = add_token(&self->n, hsm_gid);
	ASSERT_LT(0, idx) TH_LOG("TOKEN_ADD: %s", strerror(-idx));
	dev_of(path, sizeof(path), idx);
	ASSERT_EQ(0, stat(path, &st));
	fd = open_dev(idx);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, t_reset_token(fd));
	s = t_user_session(fd);
	ASSERT_NE(0U, s);

	ASSERT_EQ(0, nl_call(&self->n, KHSM_CMD_TOKEN_GET, 0, idx, -1, &c));
	ASSERT_EQ(1, c.n);
	t = &c.t[0];
	EXPECT_EQ((__u32)idx, t->index);
	EXPECT_EQ(hsm_gid, t->gid);
	EXPECT_EQ(0, strncmp(t->label, T_LABEL, strlen(T_LABEL)));
	EXPECT_TRUE(t->flags & KHSM_NL_TOKEN_F_INITIALIZED);
	EXPECT_TRUE(t->flags & KHSM_NL_TOKEN_F_USER_PIN_SET);
	EXPECT_TRUE(t->flags & KHSM_NL_TOKEN_F_USER_LOGGED_IN);
	EXPECT_FALSE(t->flags & KHSM_NL_TOKEN_F_SO_LOGGED_IN);
	EXPECT_EQ(1U, t->sessions);
	EXPECT_EQ(1U, t->files);
	EXPECT_EQ(1U, t->logged_in);
	close(fd);

	ASSERT_EQ(0, remove_token(&self->n, idx));
	EXPECT_EQ(-1, stat(path, &st));
	EXPECT_EQ(ENOENT, remove_token(&self->n, idx));
	EXPECT_EQ(ENOENT, nl_call(&self->n, KHSM_CMD_TOKEN_GET, 0, idx, -1,
				  &c));
}

TEST_F(nl, set_group_decides_open)
{
	char path[32];
	struct nlctx c;
	long idx;
	pid_t pid;

	NEED_ROOT();
	idx = add_token(&self->n, GID_X);
	ASSERT_LT(0, idx);
	dev_of(path, sizeof(path), idx);
	/* Let the kernel's group check decide, not the node's mode. */
	ASSERT_EQ(0, chmod(path, 0666));
	ASSERT_EQ(0, nl_call(&self->n, KHSM_CMD_TOKEN_GET, 0, idx, -1, &c));
	EXPECT_EQ((__u32)GID_X, c.t[0].gid);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (become_member())
			_exit(99);
		_exit(open_dev(idx) < 0 && errno == EACCES ? 0 : 1);
	}
	EXPECT_EQ(0, wait_child(pid));

	ASSERT_EQ(0, nl_call(&self->n, KHSM_CMD_TOKEN_SET_GROUP, 0, idx,
			     hsm_gid, &c));
	ASSERT_EQ(0, nl_call(&self->n, KHSM_CMD_TOKEN_GET, 0, idx, -1, &c));
	EXPECT_EQ(hsm_gid, c.t[0].gid);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (become_member())
			_exit(99);
		_exit(open_dev(idx) >= 0 ? 0 : 1);
	}
	EXPECT_EQ(0, wait_child(pid));
	/* A gid attribute is required; an invalid gid is refused. */
	EXPECT_EQ(EINVAL, nl_call(&self->n, KHSM_CMD_TOKEN_SET_GROUP, 0, idx,
				  -1, &c));
	EXPECT_EQ(EINVAL, nl_call(&self->n, KHSM_CMD_TOKEN_SET_GROUP, 0, idx,
				  0xffffffffL, &c));
	EXPECT_EQ(0, remove_token(&self->n, idx));
}

/* Not root: no changes, only the own group's tokens, no events. */
TEST_F(nl, member_cannot_change)
{
	long other;
	pid_t pid;

	NEED_ROOT();
	other = add_token(&self->n, GID_X);
	ASSERT_LT(0, other);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct nlctx c;
		struct nl n;
		int grp;

		if (become_member() || t_nl_open(&n))
			_exit(99);
		if (nl_call(&n, KHSM_CMD_TOKEN_ADD, 0, -1, hsm_gid, &c) != EPERM)
			_exit(1);
		if (nl_call(&n, KHSM_CMD_TOKEN_REMOVE, 0, 0, -1, &c) != EPERM)
			_exit(2);
		if (nl_call(&n, KHSM_CMD_TOKEN_SET_GROUP, 0, other, hsm_gid,
			    &c) != EPERM)
			_exit(3);
		if (nl_call(&n, KHSM_CMD_TOKEN_GET, 1, -1, -1, &c) ||
		    !find_tok(&c, 0) || find_tok(&c, other))
			_exit(4);
		if (nl_call(&n, KHSM_CMD_TOKEN_GET, 0, other, -1, &c) != EACCES)
			_exit(5);
		if (nl_call(&n, KHSM_CMD_STATS_GET, 0, other, -1, &c) != EACCES)
			_exit(6);
		if (nl_call(&n, KHSM_CMD_STATS_GET, 0, 0, -1, &c) || c.n != 1)
			_exit(7);
		grp = genl_ctrl_resolve_grp(n.sk, KHSM_GENL_NAME,
					    KHSM_GENL_MCGRP_EVENTS);
		if (grp < 0 || nl_socket_add_membership(n.sk, grp) >= 0)
			_exit(8);
		t_nl_close(&n);
		_exit(0);
	}
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_EQ(0, remove_token(&self->n, other));
}

TEST_F(nl, remove_while_open)
{
	struct khsm_token_info ti;
	struct pollfd p;
	struct stat st;
	char path[32];
	long idx, idx2;
	__u32 s, rv;
	int fd;

	NEED_ROOT();
	idx = add_token(&self->n, hsm_gid);
	ASSERT_LT(0, idx);
	fd = open_dev(idx);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, t_reset_token(fd));
	s = t_user_session(fd);
	ASSERT_NE(0U, s);
	ASSERT_NE(0U, t_aes_key(fd, s, (const __u8 *)"0123456789abcdef", 16));

	ASSERT_EQ(0, remove_token(&self->n, idx));
	dev_of(path, sizeof(path), idx);
	EXPECT_EQ(-1, stat(path, &st));
	T_INIT(ti);
	EXPECT_EQ(ENODEV, t_ioctl(fd, KHSM_IOC_TOKEN_INFO, &ti));
	EXPECT_EQ((__u32)CKR_DEVICE_REMOVED, ti.rv);
	EXPECT_EQ(ENODEV, t_open_session(fd, CKF_SERIAL_SESSION, &s, &rv));
	EXPECT_EQ((__u32)CKR_DEVICE_REMOVED, rv);
	EXPECT_EQ(ENODEV, t_logout(fd, s, &rv));
	p.fd = fd;
	p.events = POLLIN;
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_TRUE(p.revents & POLLHUP);

	/* The index stays taken while the file is open. */
	idx2 = add_token(&self->n, hsm_gid);
	ASSERT_LT(0, idx2);
	EXPECT_NE(idx, idx2);
	close(fd);
	EXPECT_EQ(0, remove_token(&self->n, idx2));
	/* Now it is free again. */
	idx2 = add_token(&self->n, hsm_gid);
	EXPECT_EQ(idx, idx2);
	EXPECT_EQ(0, remove_token(&self->n, idx2));
}

/*
 * Removal under load: one process digests in a loop on its open file,
 * another opens and closes the device in a loop; the token goes in the
 * middle. Each sees only success, then ENODEV (the file) or ENOENT (the
 * node), never anything else; nothing is used after it is freed (the
 * VM's slab poisoning and the clean rmmod at the end check that).
 */
TEST_F(nl, remove_under_load)
{
	char path[32];
	pid_t a, b;
	long idx;
	int fd;

	NEED_ROOT();
	idx = add_token(&self->n, hsm_gid);
	ASSERT_LT(0, idx);
	dev_of(path, sizeof(path), idx);
	fd = open_dev(idx);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, t_reset_token(fd));
	close(fd);
	a = fork();
	ASSERT_LE(0, a);
	if (a == 0) {
		__u8 out[32];
		__u32 s, rv;
		int e, i;

		fd = open_dev(idx);
		if (fd < 0 || t_open_session(fd, CKF_SERIAL_SESSION, &s, &rv))
			_exit(1);
		for (i = 0; i < 1000000; i++) {
			__u64 ol = sizeof(out);

			e = t_op_init(fd, s, KHSM_OP_DIGEST, CKM_SHA256, 0,
				      NULL, 0, &rv);
			if (!e)
				e = t_op_data(fd, s, KHSM_OP_DIGEST,
					      KHSM_DATA_ONESHOT, "abc", 3, out,
					      &ol, &rv);
			if (e == ENODEV && rv == CKR_DEVICE_REMOVED)
				_exit(0);
			if (e)
				_exit(2);
		}
		_exit(3);
	}
	b = fork();
	ASSERT_LE(0, b);
	if (b == 0) {
		int i, f;

		for (i = 0; i < 1000000; i++) {
			f = open(path, O_RDWR | O_CLOEXEC);
			if (f < 0)
				_exit(errno == ENOENT || errno == ENODEV ? 0 : 4);
			close(f);
		}
		_exit(5);
	}
	usleep(300000);
	EXPECT_EQ(0, remove_token(&self->n, idx));
	EXPECT_EQ(0, wait_child(a));
	EXPECT_EQ(0, wait_child(b));
}

TEST_F(nl, poll_slot_events)
{
	struct pollfd p;
	__u64 g1, g2;
	long idx;
	int fd;

	NEED_ROOT();
	fd = open_dev(0);
	ASSERT_LE(0, fd);
	p.fd = fd;
	p.events = POLLIN;
	EXPECT_EQ(0, poll(&p, 1, 0));
	EXPECT_EQ(-1, read(fd, &g1, 4));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(8, read(fd, &g1, 8));

	idx = add_token(&self->n, hsm_gid);
	ASSERT_LT(0, idx);
	ASSERT_EQ(1, poll(&p, 1, 1000));
	EXPECT_TRUE(p.revents & POLLIN);
	ASSERT_EQ(8, read(fd, &g2, 8));
	EXPECT_LT(g1, g2);
	EXPECT_EQ(0, poll(&p, 1, 0));

	ASSERT_EQ(0, remove_token(&self->n, idx));
	ASSERT_EQ(1, poll(&p, 1, 1000));
	ASSERT_EQ(8, read(fd, &g1, 8));
	EXPECT_LT(g2, g1);

	/* C_InitToken is a slot event too. */
	ASSERT_EQ(0, t_init_token_only(fd));
	ASSERT_EQ(1, poll(&p, 1, 1000));
	close(fd);
}

struct ev {
	__u32 type, uid, pid, index, handle, rv;
	char comm[16];
	__u64 time;
};

struct evctx {
	struct ev e[64];
	int n;
};

static int cb_event(struct nl_msg *msg, void *arg)
{
	struct evctx *c = arg;
	struct nlattr *tb[KHSM_A_MAX + 1];
	struct ev *e;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, KHSM_A_MAX, NULL) ||
	    !tb[KHSM_A_EVENT_TYPE] || c->n >= 64)
		return NL_SKIP;
	e = &c->e[c->n++];
	memset(e, 0, sizeof(*e));
	e->type = nla_get_u32(tb[KHSM_A_EVENT_TYPE]);
	if (tb[KHSM_A_EVENT_UID])
		e->uid = nla_get_u32(tb[KHSM_A_EVENT_UID]);
	if (tb[KHSM_A_EVENT_PID])
		e->pid = nla_get_u32(tb[KHSM_A_EVENT_PID]);
	if (tb[KHSM_A_TOKEN_INDEX])
		e->index = nla_get_u32(tb[KHSM_A_TOKEN_INDEX]);
	if (tb[KHSM_A_OBJECT_HANDLE])
		e->handle = nla_get_u32(tb[KHSM_A_OBJECT_HANDLE]);
	if (tb[KHSM_A_EVENT_RV])
		e->rv = nla_get_u32(tb[KHSM_A_EVENT_RV]);
	if (tb[KHSM_A_EVENT_TIME])
		e->time = nla_get_u64(tb[KHSM_A_EVENT_TIME]);
	if (tb[KHSM_A_EVENT_COMM])
		snprintf(e->comm, sizeof(e->comm), "%s",
			 nla_get_string(tb[KHSM_A_EVENT_COMM]));
	return NL_OK;
}

static const struct ev *find_ev(const struct evctx *c, __u32 type)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (c->e[i].type == type)
			return &c->e[i];
	return NULL;
}

/*
 * A member (uid UID_M, comm COMM) fails a login, logs in, creates a data
 * object and runs a digest; root sees the events and the counters.
 */
TEST_F(nl, events_and_stats)
{
	struct nl ev;
	struct evctx ec = { .n = 0 };
	struct nlctx before, after;
	const struct ev *e;
	struct timespec now;
	int go[2], res[2];
	__u64 t0;
	__u32 obj = 0;
	pid_t pid;
	int fd, grp, i;
	char ch;

	NEED_ROOT();
	fd = open_dev(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, t_reset_token(fd));
	close(fd);
	before.mech = CKM_SHA256;
	ASSERT_EQ(0, nl_call(&self->n, KHSM_CMD_STATS_GET, 0, 0, -1, &before));
	ASSERT_EQ(1, before.n);

	ASSERT_EQ(0, t_nl_open(&ev));
	nl_socket_disable_seq_check(ev.sk);
	grp = genl_ctrl_resolve_grp(ev.sk, KHSM_GENL_NAME,
				    KHSM_GENL_MCGRP_EVENTS);
	ASSERT_LE(0, grp);
	ASSERT_EQ(0, nl_socket_add_membership(ev.sk, grp));
	nl_socket_modify_cb(ev.sk, NL_CB_VALID, NL_CB_CUSTOM, cb_event, &ec);
	clock_gettime(CLOCK_REALTIME, &now);
	t0 = (__u64)now.tv_sec * 1000000000ULL + now.tv_nsec;

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(res));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u32 s, rv, h = 0;
		__u8 out[32];
		__u64 ol = sizeof(out);
		struct t_tmpl t;

		close(go[1]);
		if (read(go[0], &ch, 1) != 1 || become_member())
			_exit(99);
		prctl(PR_SET_NAME, COMM);
		fd = t_open();
		if (fd < 0 ||
		    t_open_session(fd, CKF_SERIAL_SESSION | CKF_RW_SESSION, &s,
				   &rv))
			_exit(1);
		if (t_login(fd, s, CKU_USER, "wrong-pin-0000", &rv) != EACCES)
			_exit(2);
		if (t_login(fd, s, CKU_USER, T_USER_PIN, &rv))
			_exit(3);
		t_tmpl_data(&t, "event", 0, 0);
		if (t_create(fd, s, &t, &h, &rv))
			_exit(4);
		if (t_op_init(fd, s, KHSM_OP_DIGEST, CKM_SHA256, 0, NULL, 0,
			      &rv) ||
		    t_op_data(fd, s, KHSM_OP_DIGEST, KHSM_DATA_ONESHOT, "abc",
			      3, out, &ol, &rv))
			_exit(5);
		if (write(res[1], &h, sizeof(h)) != sizeof(h))
			_exit(6);
		close(fd);
		_exit(0);
	}
	close(go[0]);
	close(res[1]);
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ((ssize_t)sizeof(obj), read(res[0], &obj, sizeof(obj)));
	EXPECT_EQ(0, wait_child(pid));

	/* Read what arrived (the events were sent before the child ended). */
	for (i = 0; i < 50 && (!find_ev(&ec, KHSM_EVENT_LOGIN_FAILED) ||
			       !find_ev(&ec, KHSM_EVENT_OBJECT_CREATE)); i++) {
		struct pollfd p = { .fd = nl_socket_get_fd(ev.sk),
				    .events = POLLIN };

		if (poll(&p, 1, 100) == 1)
			nl_recvmsgs_default(ev.sk);
	}
	e = find_ev(&ec, KHSM_EVENT_LOGIN_FAILED);
	ASSERT_NE(NULL, e);
	EXPECT_EQ((__u32)UID_M, e->uid);
	EXPECT_EQ((__u32)pid, e->pid);
	EXPECT_STREQ(COMM, e->comm);
	EXPECT_EQ(0U, e->index);
	EXPECT_EQ((__u32)CKR_PIN_INCORRECT, e->rv);
	EXPECT_LE(t0, e->time);
	EXPECT_GT(t0 + 600ULL * 1000000000ULL, e->time);
	e = find_ev(&ec, KHSM_EVENT_LOGIN);
	ASSERT_NE(NULL, e);
	EXPECT_EQ((__u32)pid, e->pid);
	e = find_ev(&ec, KHSM_EVENT_OBJECT_CREATE);
	ASSERT_NE(NULL, e);
	EXPECT_EQ((__u32)UID_M, e->uid);
	EXPECT_EQ((__u32)pid, e->pid);
	EXPECT_STREQ(COMM, e->comm);
	EXPECT_EQ(obj, e->handle);
	t_nl_close(&ev);

	after.mech = CKM_SHA256;
	ASSERT_EQ(0, nl_call(&self->n, KHSM_CMD_STATS_GET, 0, 0, -1, &after));
	ASSERT_EQ(1, after.n);
	EXPECT_EQ(before.t[0].mech_ops + 1, after.t[0].mech_ops);
	EXPECT_EQ(before.t[0].pin_failures + 1, after.t[0].pin_failures);
	/* The dump gives the same. */
	ASSERT_EQ(0, nl_call(&self->n, KHSM_CMD_STATS_GET, 1, -1, -1, &after));
	ASSERT_NE(NULL, find_tok(&after, 0));
	EXPECT_EQ(before.t[0].mech_ops + 1, find_tok(&after, 0)->mech_ops);
}

/*
 * Root's own calls on a token added for the test: a key used for
 * encryption gives KEY_USE (mechanism, handle); wrong user PINs up to
 * the retry limit give LOGIN_FAILED each and one PIN_LOCKED, counted in
 * STATS_GET; destroying the key gives OBJECT_DESTROY.
 */
TEST_F(nl, lockout_and_key_use_events)
{
	struct evctx ec = { .n = 0 };
	struct khsm_token_info ti;
	struct nlctx st;
	struct nl ev;
	const struct ev *e;
	__u32 s, rv, key, i, fails = 0;
	long idx;
	int fd, grp;

	NEED_ROOT();
	idx = add_token(&self->n, hsm_gid);
	ASSERT_LT(0, idx);
	fd = open_dev(idx);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, t_reset_token(fd));
	s = t_user_session(fd);
	ASSERT_NE(0U, s);
	key = t_aes_key(fd, s, (const __u8 *)"0123456789abcdef", 16);
	ASSERT_NE(0U, key);

	ASSERT_EQ(0, t_nl_open(&ev));
	nl_socket_disable_seq_check(ev.sk);
	grp = genl_ctrl_resolve_grp(ev.sk, KHSM_GENL_NAME,
				    KHSM_GENL_MCGRP_EVENTS);
	ASSERT_LE(0, grp);
	ASSERT_EQ(0, nl_socket_add_membership(ev.sk, grp));
	nl_socket_modify_cb(ev.sk, NL_CB_VALID, NL_CB_CUSTOM, cb_event, &ec);

	ASSERT_EQ(0, t_op_init(fd, s, KHSM_OP_ENCRYPT, CKM_AES_ECB, key, NULL,
			       0, &rv));
	ASSERT_EQ(0, t_op_cancel(fd, s, KHSM_OP_ENCRYPT));
	ASSERT_EQ(0, t_destroy(fd, s, key, &rv));
	ASSERT_EQ(0, t_logout(fd, s, &rv));
	T_INIT(ti);
	ASSERT_EQ(0, t_ioctl(fd, KHSM_IOC_TOKEN_INFO, &ti));
	ASSERT_LT(0U, ti.max_pin_failures);
	ASSERT_GT(30U, ti.max_pin_failures);
	for (i = 0; i < ti.max_pin_failures; i++)
		if (t_login(fd, s, CKU_USER, "wrong-pin-0000", &rv) == EACCES &&
		    rv == CKR_PIN_INCORRECT)
			fails++;
	EXPECT_EQ(ti.max_pin_failures, fails);
	EXPECT_EQ(EACCES, t_login(fd, s, CKU_USER, T_USER_PIN, &rv));
	EXPECT_EQ((__u32)CKR_PIN_LOCKED, rv);

	while (nl_recvmsgs_default(ev.sk) >= 0) {
		struct pollfd p = { .fd = nl_socket_get_fd(ev.sk),
				    .events = POLLIN };

		if (poll(&p, 1, 200) != 1)
			break;
	}
	e = find_ev(&ec, KHSM_EVENT_KEY_USE);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(key, e->handle);
	EXPECT_EQ((__u32)idx, e->index);
	EXPECT_EQ((__u32)getpid(), e->pid);
	e = find_ev(&ec, KHSM_EVENT_OBJECT_DESTROY);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(key, e->handle);
	e = find_ev(&ec, KHSM_EVENT_PIN_LOCKED);
	ASSERT_NE(NULL, e);
	EXPECT_EQ((__u32)idx, e->index);
	for (i = 0, fails = 0; i < (__u32)ec.n; i++)
		fails += ec.e[i].type == KHSM_EVENT_LOGIN_FAILED;
	/* The retry limit's wrong PINs and the refused right one. */
	EXPECT_EQ(ti.max_pin_failures + 1, fails);
	t_nl_close(&ev);

	st.mech = CKM_AES_ECB;
	ASSERT_EQ(0, nl_call(&self->n, KHSM_CMD_STATS_GET, 0, idx, -1, &st));
	ASSERT_EQ(1, st.n);
	EXPECT_EQ(1ULL, st.t[0].mech_ops);
	EXPECT_EQ((__u64)ti.max_pin_failures, st.t[0].pin_failures);
	EXPECT_EQ(1ULL, st.t[0].pin_lockouts);
	ASSERT_EQ(0, nl_call(&self->n, KHSM_CMD_TOKEN_GET, 0, idx, -1, &st));
	EXPECT_TRUE(st.t[0].flags & KHSM_NL_TOKEN_F_USER_PIN_LOCKED);
	close(fd);
	EXPECT_EQ(0, remove_token(&self->n, idx));
}

TEST_HARNESS_MAIN
