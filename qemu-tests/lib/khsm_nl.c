// SPDX-License-Identifier: GPL-2.0
/*
 * libnl-genl-3 helpers of the tests (khsm_nl.h), moved here from
 * uapi/netlink_root_test.c so that other tests add and remove tokens the
 * same way.
 */
#include <errno.h>
#include <string.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "khsm_nl.h"

static int cb_valid(struct nl_msg *msg, void *arg)
{
	struct nlctx *c = arg;
	struct nlattr *tb[KHSM_A_MAX + 1];
	struct nlattr *m, *mt[KHSM_A_MECH_MAX + 1];
	struct tinfo *t;
	int rem;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, KHSM_A_MAX, NULL) ||
	    !tb[KHSM_A_TOKEN_INDEX] || c->n >= 64)
		return NL_SKIP;
	t = &c->t[c->n++];
	memset(t, 0, sizeof(*t));
	t->present = 1;
	t->index = nla_get_u32(tb[KHSM_A_TOKEN_INDEX]);
#define U32(a, f) do { if (tb[a]) t->f = nla_get_u32(tb[a]); } while (0)
	U32(KHSM_A_TOKEN_GID, gid);
	U32(KHSM_A_TOKEN_FLAGS, flags);
	U32(KHSM_A_TOKEN_OBJECTS, objects);
	U32(KHSM_A_TOKEN_SESSIONS, sessions);
	U32(KHSM_A_TOKEN_FILES, files);
	U32(KHSM_A_TOKEN_LOGGED_IN, logged_in);
#undef U32
	if (tb[KHSM_A_TOKEN_LABEL] && nla_len(tb[KHSM_A_TOKEN_LABEL]) == 32)
		memcpy(t->label, nla_data(tb[KHSM_A_TOKEN_LABEL]), 32);
	if (tb[KHSM_A_STATS_PIN_FAILURES])
		t->pin_failures = nla_get_u64(tb[KHSM_A_STATS_PIN_FAILURES]);
	if (tb[KHSM_A_STATS_PIN_LOCKOUTS])
		t->pin_lockouts = nla_get_u64(tb[KHSM_A_STATS_PIN_LOCKOUTS]);
	if (tb[KHSM_A_STATS_MECHS]) {
		nla_for_each_nested(m, tb[KHSM_A_STATS_MECHS], rem) {
			if (nla_parse_nested(mt, KHSM_A_MECH_MAX, m, NULL) ||
			    !mt[KHSM_A_MECH_TYPE] ||
			    nla_get_u64(mt[KHSM_A_MECH_TYPE]) != c->mech)
				continue;
			t->mech_ops = nla_get_u64(mt[KHSM_A_MECH_OPS]);
			t->mech_failures = nla_get_u64(mt[KHSM_A_MECH_FAILURES]);
		}
	}
	return NL_OK;
}

static int cb_err(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlctx *c = arg;

	(void)nla;
	c->err = -e->error;
	c->done = 1;
	return NL_STOP;
}

static int cb_done(struct nl_msg *msg, void *arg)
{
	struct nlctx *c = arg;

	(void)msg;
	c->done = 1;
	return NL_STOP;
}

int t_nl_open(struct nl *n)
{
	n->sk = nl_socket_alloc();
	if (!n->sk || genl_connect(n->sk))
		return -1;
	n->fam = genl_ctrl_resolve(n->sk, KHSM_GENL_NAME);
	return n->fam < 0 ? -1 : 0;
}

void t_nl_close(struct nl *n)
{
	nl_socket_free(n->sk);
}

/*
 * One request: @cmd with the token index @idx (< 0: none) and the gid
 * @gid (< 0: none), a dump with @dump. Returns 0 or the errno.
 */
int nl_call(struct nl *n, int cmd, int dump, long idx, long gid,
		   struct nlctx *c)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int r;

	c->err = 0;
	c->done = 0;
	c->n = 0;
	if (!msg || !cb)
		return ENOMEM;
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, n->fam, 0,
		    dump ? NLM_F_DUMP : 0, cmd, KHSM_GENL_VERSION);
	if (idx >= 0)
		nla_put_u32(msg, KHSM_A_TOKEN_INDEX, idx);
	if (gid >= 0)
		nla_put_u32(msg, KHSM_A_TOKEN_GID, gid);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, cb_valid, c);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, cb_done, c);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, cb_done, c);
	nl_cb_err(cb, NL_CB_CUSTOM, cb_err, c);
	r = nl_send_auto(n->sk, msg);
	nlmsg_free(msg);
	while (r >= 0 && !c->done)
		r = nl_recvmsgs(n->sk, cb);
	nl_cb_put(cb);
	if (r < 0 && !c->err)
		c->err = EIO;
	return c->err;
}

struct tinfo *find_tok(struct nlctx *c, __u32 index)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (c->t[i].index == index)
			return &c->t[i];
	return NULL;
}

/* TOKEN_ADD with @gid; the new index, or -errno. */
long add_token(struct nl *n, long gid)
{
	struct nlctx c;
	int e = nl_call(n, KHSM_CMD_TOKEN_ADD, 0, -1, gid, &c);

	if (e)
		return -e;
	return c.n == 1 ? (long)c.t[0].index : -EIO;
}

int remove_token(struct nl *n, long idx)
{
	struct nlctx c;

	return nl_call(n, KHSM_CMD_TOKEN_REMOVE, 0, idx, -1, &c);
}

