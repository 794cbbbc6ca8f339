// SPDX-License-Identifier: GPL-2.0
/*
 * Access to the token device is decided by the kernel, not only by the
 * node's mode: a process outside the token group cannot open it even
 * through a world-writable node, a member can, CAP_SYS_ADMIN can, and a
 * file opened by a permitted process keeps working after it drops its
 * privileges (the module acts on the opener's credentials). Runs as root.
 */
#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "khsm_util.h"

#define NOBODY 65534
#define NEED_ROOT() do {						\
	if (!self->node[0])						\
		SKIP(return, "needs root (file name ends in _root_test)");	\
} while (0)

FIXTURE(root) {
	char node[64];
	gid_t gid;	/* token group (group of the device node) */
};

FIXTURE_SETUP(root)
{
	struct stat st;

	if (geteuid() != 0)
		return;	/* each test skips: SKIP here would still run the body */
	ASSERT_EQ(0, stat(t_dev_path(), &st)) TH_LOG("%s: %s", t_dev_path(),
						       strerror(errno));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	self->gid = st.st_gid;
	ASSERT_NE(0U, self->gid) TH_LOG("device node group is root; expected hsm");
	/* A world-accessible node for the same device: DAC lets anyone in. */
	snprintf(self->node, sizeof(self->node), "/tmp/khsm-policy-%d", getpid());
	unlink(self->node);
	ASSERT_EQ(0, mknod(self->node, S_IFCHR | 0666, st.st_rdev))
		TH_LOG("mknod: %s", strerror(errno));
	ASSERT_EQ(0, chmod(self->node, 0666));
}

FIXTURE_TEARDOWN(root)
{
	if (self->node[0])
		unlink(self->node);
}

/*
 * Fork; the child takes uid/gid NOBODY with @groups as supplementary groups
 * and opens @path. Returns 0 if open worked, else the errno (or 255 when
 * the child could not set itself up).
 */
static int open_as(const char *path, const gid_t *groups, int ngroups)
{
	pid_t pid = fork();
	int status, fd;

	if (pid < 0)
		return 254;
	if (pid == 0) {
		if (setgroups(ngroups, groups) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(255);
		fd = open(path, O_RDWR | O_CLOEXEC);
		_exit(fd < 0 ? errno : 0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 253;
	return WEXITSTATUS(status);
}

TEST_F(root, outsider_cannot_open)
{
	gid_t other = NOBODY;

	NEED_ROOT();

	/* Through the real node (0660 root:hsm) and through the 0666 copy. */
	EXPECT_EQ(EACCES, open_as(t_dev_path(), &other, 1));
	EXPECT_EQ(EACCES, open_as(self->node, &other, 1));
	EXPECT_EQ(EACCES, open_as(self->node, NULL, 0));
}

TEST_F(root, member_can_open)
{
	NEED_ROOT();
	EXPECT_EQ(0, open_as(self->node, &self->gid, 1));
	EXPECT_EQ(0, open_as(t_dev_path(), &self->gid, 1));
}

TEST_F(root, primary_group_member_can_open)
{
	NEED_ROOT();
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;

		if (setgroups(0, NULL) || setresgid(self->gid, self->gid, self->gid) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(255);
		fd = open(self->node, O_RDWR | O_CLOEXEC);
		_exit(fd < 0 ? errno : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(root, root_not_in_group_can_open)
{
	NEED_ROOT();
	/* CAP_SYS_ADMIN without the group. */
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;

		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY))
			_exit(255);
		fd = open(self->node, O_RDWR | O_CLOEXEC);
		_exit(fd < 0 ? errno : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(root, opener_credentials_are_kept)
{
	NEED_ROOT();
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct khsm_token_info ti;
		int fd = open(self->node, O_RDWR | O_CLOEXEC);

		if (fd < 0)
			_exit(100);
		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(255);
		/* Now an outsider: the already open file still works ... */
		if (t_token_info(fd, &ti))
			_exit(101);
		/* ... but a new open does not. */
		if (open(self->node, O_RDWR | O_CLOEXEC) >= 0 || errno != EACCES)
			_exit(102);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
