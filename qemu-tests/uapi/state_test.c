// SPDX-License-Identifier: GPL-2.0
/*
 * KHSM_IOC_STATE as a group member without CAP_SYS_ADMIN: the header and
 * the blobs of the objects it can see are its to export (they are what
 * libhsm writes to the state directory); enumerating every blob and every
 * load are root's (EPERM, no PKCS#11 decision). Malformed calls are EINVAL
 * first.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "khsm_util.h"

FIXTURE(mem) {
	int fd;
	__u32 s, obj;
};

FIXTURE_SETUP(mem)
{
	struct t_tmpl t;
	__u32 rv;

	self->fd = t_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, t_reset_token(self->fd));
	self->s = t_user_session(self->fd);
	ASSERT_NE(0U, self->s);
	t_tmpl_data(&t, "member data", 1, 1);
	ASSERT_EQ(0, t_create(self->fd, self->s, &t, &self->obj, &rv));
}

FIXTURE_TEARDOWN(mem)
{
	close(self->fd);
}

TEST_F(mem, exports_yes_loads_no)
{
	struct khsm_state_io io;
	__u8 buf[4096];

	if (geteuid() == 0)
		SKIP(return, "runs as a group member (root may load)");
	T_INIT(io);
	io.what = KHSM_STATE_EXPORT_OBJECT;
	io.handle = self->obj;
	io.buf = (uintptr_t)buf;
	io.len = sizeof(buf);
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_STATE, &io));
	EXPECT_NE(0ULL, io.oid);
	EXPECT_NE(0ULL, io.gen);
	EXPECT_EQ(0, memcmp(buf, KHSM_STATE_OBJ_MAGIC, KHSM_STATE_MAGIC_LEN));
	/* ID only: no blob, same id. */
	io.flags = KHSM_STATE_EXPORT_F_ID_ONLY;
	io.buf = 0;
	io.len = 0;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_STATE, &io));
	EXPECT_EQ(0ULL, io.len);
	T_INIT(io);
	io.what = KHSM_STATE_EXPORT_HEADER;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_STATE, &io));
	EXPECT_LT((__u64)sizeof(struct khsm_state_hdr), io.len);
	T_INIT(io);
	io.what = KHSM_STATE_EXPORT_NEXT;
	EXPECT_EQ(EPERM, t_ioctl(self->fd, KHSM_IOC_STATE, &io));
	EXPECT_EQ(0U, io.rv);
	T_INIT(io);
	io.what = KHSM_STATE_LOAD_HEADER;
	io.buf = (uintptr_t)buf;
	io.len = sizeof(struct khsm_state_hdr);
	EXPECT_EQ(EPERM, t_ioctl(self->fd, KHSM_IOC_STATE, &io));
	T_INIT(io);
	io.what = KHSM_STATE_LOAD_FINISH;
	EXPECT_EQ(EPERM, t_ioctl(self->fd, KHSM_IOC_STATE, &io));
}

TEST_F(mem, malformed_calls_are_einval)
{
	struct khsm_state_io io;

	T_INIT(io);
	io.what = 0;
	EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_STATE, &io));
	io.what = KHSM_STATE_LOAD_FINISH + 1;
	EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_STATE, &io));
	T_INIT(io);
	io.what = KHSM_STATE_EXPORT_HEADER;
	io.flags = KHSM_STATE_EXPORT_F_ID_ONLY;	/* only for EXPORT_OBJECT */
	EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_STATE, &io));
	io.flags = 1U << 31;
	EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_STATE, &io));
	T_INIT(io);
	io.what = KHSM_STATE_EXPORT_HEADER;
	io.handle = self->obj;			/* only for EXPORT_OBJECT */
	EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_STATE, &io));
	T_INIT(io);
	io.what = KHSM_STATE_EXPORT_HEADER;
	io.pin.pin_len = 4;			/* only for LOAD_F_SO_PIN */
	EXPECT_EQ(EINVAL, t_ioctl(self->fd, KHSM_IOC_STATE, &io));
	T_INIT(io);
	io.what = KHSM_STATE_EXPORT_OBJECT;
	io.handle = 0x7fffffff;
	EXPECT_EQ(ENOENT, t_ioctl(self->fd, KHSM_IOC_STATE, &io));
	EXPECT_EQ(CKR_OBJECT_HANDLE_INVALID, io.rv);
}

TEST_HARNESS_MAIN
