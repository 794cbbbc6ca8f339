/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for tests that drive the generic netlink family "khsm" with
 * libnl-genl-3 (<linux/khsm.h>, "Generic netlink family"): one request
 * and its replies, TOKEN_ADD and TOKEN_REMOVE. Link with khsm_nl.c and
 * `pkg-config --libs libnl-genl-3.0`.
 */
#ifndef KHSM_NL_H
#define KHSM_NL_H

#include <linux/khsm.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

/* One token as TOKEN_GET / STATS_GET reports it. */
struct tinfo {
	int present;
	__u32 index, gid, flags, objects, sessions, files, logged_in;
	char label[33];
	__u64 pin_failures, pin_lockouts;
	__u64 mech_ops, mech_failures;	/* of ctx.mech */
};

struct nlctx {
	int err;
	int done;
	unsigned long mech;		/* STATS_GET: the mechanism to report */
	struct tinfo t[64];
	int n;
};

struct nl {
	struct nl_sock *sk;
	int fam;
};

/* Connect and resolve the family; 0, or -1 (no family: module not loaded). */
int t_nl_open(struct nl *n);
void t_nl_close(struct nl *n);
/*
 * One request: @cmd with the token index @idx (< 0: none) and the gid
 * @gid (< 0: none), a dump with @dump. Returns 0 or the errno.
 */
int nl_call(struct nl *n, int cmd, int dump, long idx, long gid,
	    struct nlctx *c);
/* The reply of token @index in @c, or NULL. */
struct tinfo *find_tok(struct nlctx *c, __u32 index);
/* TOKEN_ADD with @gid; the new index, or -errno. */
long add_token(struct nl *n, long gid);
/* TOKEN_REMOVE of @idx; 0 or the errno. */
int remove_token(struct nl *n, long idx);

#endif /* KHSM_NL_H */
