/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Force-included into every khsm object (Kbuild -include). Everything that
 * differs between the kernels khsm builds against lives here, so the rest of
 * the module is written against one API. Debian's 6.1.y is the baseline and
 * needs nothing yet.
 */
#ifndef KHSM_COMPAT_H
#define KHSM_COMPAT_H

#include <linux/version.h>

#endif /* KHSM_COMPAT_H */
