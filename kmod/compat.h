/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Force-included into every khsm object (Kbuild -include). Everything that
 * differs between the kernels khsm builds against (Debian bookworm's 6.1.y
 * and the 6.12 of bookworm-security/backports) lives here and in the
 * probes of kmod/Kbuild.compat, so the rest of the module is written
 * against the newest API. Probes look at the headers, never at the
 * version number: a KHSM_COMPAT_* macro from Kbuild.compat says an older
 * API is there, and this file maps the newest name onto it.
 *
 * Differences handled:
 * - <linux/unaligned.h> (6.12; <asm/unaligned.h> before): Kbuild.compat
 *   adds compat/unaligned/include/ to the include path of older kernels.
 *   Include <linux/unaligned.h>, never <asm/unaligned.h>.
 * - no_llseek (gone in 6.12): nothing to backfill; a device opened with
 *   nonseekable_open() needs no .llseek on any kernel (vfs_llseek returns
 *   -ESPIPE without FMODE_LSEEK), so file_operations leave it unset.
 * - Generic netlink: the API netlink.c uses (genl_ops with doit/dumpit,
 *   family-wide policy, resv_start_op, genl_has_listeners,
 *   genl_dump_check_consistent) is the same on 6.1 and 6.12; 6.2+ also
 *   offers genl_split_ops, which netlink.c does not need. Multicast
 *   groups restricted to CAP_SYS_ADMIN (GENL_MCAST_CAP_SYS_ADMIN) came in
 *   6.7 and are in Debian's 6.1.y; a kernel without them
 *   (KHSM_COMPAT_NO_GENL_MCAST_CAP from Kbuild.compat) gets the flag as 0
 *   and netlink.c then sends no events at all, rather than to anyone.
 */
#ifndef KHSM_COMPAT_H
#define KHSM_COMPAT_H

#include <linux/version.h>

#ifdef KHSM_COMPAT_NO_GENL_MCAST_CAP
#define GENL_MCAST_CAP_SYS_ADMIN	0
#define KHSM_GENL_EVENTS		0
#else
#define KHSM_GENL_EVENTS		1
#endif

#endif /* KHSM_COMPAT_H */
