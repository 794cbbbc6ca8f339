/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <linux/unaligned.h> for kernels before 6.12, which have it as
 * <asm/unaligned.h>. On the include path only when kmod/Kbuild.compat
 * finds no include/linux/unaligned.h in the headers built against.
 */
#ifndef KHSM_COMPAT_LINUX_UNALIGNED_H
#define KHSM_COMPAT_LINUX_UNALIGNED_H

#include <asm/unaligned.h>

#endif /* KHSM_COMPAT_LINUX_UNALIGNED_H */
