/* SPDX-License-Identifier: GPL-2.0 */
/* ioctl dispatch: the only code that touches user memory. */
#ifndef KHSM_IOCTL_H
#define KHSM_IOCTL_H

#include <linux/fs.h>

long khsm_ioctl(struct file *filp, unsigned int cmd, unsigned long arg);

#endif /* KHSM_IOCTL_H */
