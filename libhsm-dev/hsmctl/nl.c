// SPDX-License-Identifier: GPL-2.0
/*
 * hsmctl: the libnl-genl-3 plumbing of the "khsm" generic netlink family
 * (requests, replies, errors, the events group) and the options of the
 * netlink commands. The uAPI is at the end of <linux/khsm.h>.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "hsmctl.h"
#include "nl.h"

int nlopts_parse(int argc, char **argv, unsigned int allowed, int maxpos,
		 struct nlopts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->count = -1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **dst = NULL;
		unsigned int bit = 0;

		if (!strcmp(a, "--json")) {
			if (!(allowed & NLO_JSON))
				goto bad;
			o->json = 1;
			continue;
		}
		if (!strcmp(a, "--group")) {
			dst = &o->group;
			bit = NLO_GROUP;
		} else if (!strcmp(a, "--log")) {
			dst = &o->log;
			bit = NLO_LOG;
		} else if (!strcmp(a, "--head")) {
			dst = &o->head;
			bit = NLO_HEAD;
		} else if (!strcmp(a, "--count")) {
			bit = NLO_COUNT;
		} else if (a[0] == '-' && a[1]) {
			msg("%s: unknown option %s", argv[0], a);
			return -1;
		} else {
			if (o->npos == maxpos ||
			    o->npos == (int)(sizeof(o->pos) / sizeof(o->pos[0]))) {
				msg("%s: too many arguments", argv[0]);
				return -1;
			}
			o->pos[o->npos++] = a;
			continue;
		}
		if (!(allowed & bit))
			goto bad;
		if (++i == argc) {
			msg("%s: %s needs a value", argv[0], a);
			return -1;
		}
		if (dst) {
			*dst = argv[i];
		} else {
			char *end;

			errno = 0;
			o->count = strtol(argv[i], &end, 10);
			if (errno || *end || o->count < 1 || !*argv[i]) {
				msg("%s: bad --count '%s' (a number > 0)",
				    argv[0], argv[i]);
				return -1;
			}
		}
	}
	return 0;
bad:
	msg("%s: option %s is not for this command", argv[0], argv[i]);
	return -1;
}

int hnl_open(struct hnl *n)
{
	n->sk = nl_socket_alloc();
	if (!n->sk) {
		msg("out of memory");
		return EX_NL_FAIL;
	}
	if (genl_connect(n->sk)) {
		msg("cannot open a generic netlink socket: %s", strerror(errno));
		nl_socket_free(n->sk);
		n->sk = NULL;
		return EX_NL_FAIL;
	}
	n->fam = genl_ctrl_resolve(n->sk, KHSM_GENL_NAME);
	if (n->fam < 0) {
		msg("khsm module not loaded (no generic netlink family \"%s\"; "
		    "modprobe khsm)", KHSM_GENL_NAME);
		nl_socket_free(n->sk);
		n->sk = NULL;
		return EX_NL_NOMODULE;
	}
	return 0;
}

void hnl_close(struct hnl *n)
{
	if (n->sk)
		nl_socket_free(n->sk);
	n->sk = NULL;
}

void toks_free(struct toks *ts)
{
	size_t i;

	for (i = 0; i < ts->n; i++)
		free(ts->t[i].mechs);
	free(ts->t);
	memset(ts, 0, sizeof(*ts));
}

struct tok *toks_find(struct toks *ts, uint32_t index)
{
	size_t i;

	for (i = 0; i < ts->n; i++)
		if (ts->t[i].index == index)
			return &ts->t[i];
	return NULL;
}

/* The token @index in @ts, appended (in index order) if new; NULL: ENOMEM. */
static struct tok *toks_get(struct toks *ts, uint32_t index)
{
	struct tok *t = toks_find(ts, index), *g;
	size_t i;

	if (t)
		return t;
	if (ts->n == ts->cap) {
		g = realloc(ts->t, (ts->cap ? 2 * ts->cap : 16) * sizeof(*g));
		if (!g)
			return NULL;
		ts->t = g;
		ts->cap = ts->cap ? 2 * ts->cap : 16;
	}
	for (i = ts->n; i && ts->t[i - 1].index > index; i--)
		ts->t[i] = ts->t[i - 1];
	ts->n++;
	t = &ts->t[i];
	memset(t, 0, sizeof(*t));
	t->index = index;
	return t;
}

/* A fixed-size attribute as fixed_str() gives it; "" if the size is wrong. */
static void attr_str(const struct nlattr *a, size_t len, char *out)
{
	if ((size_t)nla_len(a) != len) {
		out[0] = 0;
		return;
	}
	fixed_str(nla_data(a), len, out);
}

struct callctx {
	struct toks *out;
	int err, done;
};

static int u32_ok(const struct nlattr *a)
{
	return a && nla_len(a) == 4;
}

static int u64_ok(const struct nlattr *a)
{
	return a && nla_len(a) == 8;
}

static int parse_mechs(struct tok *t, struct nlattr *nest)
{
	struct nlattr *m, *mt[KHSM_A_MECH_MAX + 1];
	struct mech_stat *g;
	int rem;

	nla_for_each_nested(m, nest, rem) {
		if (nla_parse_nested(mt, KHSM_A_MECH_MAX, m, NULL) ||
		    !u64_ok(mt[KHSM_A_MECH_TYPE]))
			continue;
		g = realloc(t->mechs, (t->n_mechs + 1) * sizeof(*g));
		if (!g)
			return -1;
		t->mechs = g;
		g = &t->mechs[t->n_mechs++];
		g->mech = nla_get_u64(mt[KHSM_A_MECH_TYPE]);
		g->ops = u64_ok(mt[KHSM_A_MECH_OPS]) ?
			 nla_get_u64(mt[KHSM_A_MECH_OPS]) : 0;
		g->failures = u64_ok(mt[KHSM_A_MECH_FAILURES]) ?
			      nla_get_u64(mt[KHSM_A_MECH_FAILURES]) : 0;
	}
	return 0;
}

static int cb_valid(struct nl_msg *m, void *arg)
{
	struct callctx *c = arg;
	struct nlattr *tb[KHSM_A_MAX + 1];
	struct tok *t;

	if (genlmsg_parse(nlmsg_hdr(m), 0, tb, KHSM_A_MAX, NULL) ||
	    !u32_ok(tb[KHSM_A_TOKEN_INDEX]))
		return NL_SKIP;
	t = toks_get(c->out, nla_get_u32(tb[KHSM_A_TOKEN_INDEX]));
	if (!t) {
		c->err = ENOMEM;
		return NL_STOP;
	}
#define U32(a, f) do { if (u32_ok(tb[a])) t->f = nla_get_u32(tb[a]); } while (0)
	U32(KHSM_A_TOKEN_GID, gid);
	U32(KHSM_A_TOKEN_FLAGS, flags);
	U32(KHSM_A_TOKEN_STATE_FLAGS, state_flags);
	U32(KHSM_A_TOKEN_OBJECTS, objects);
	U32(KHSM_A_TOKEN_SESSION_OBJECTS, session_objects);
	U32(KHSM_A_TOKEN_SESSIONS, sessions);
	U32(KHSM_A_TOKEN_RW_SESSIONS, rw_sessions);
	U32(KHSM_A_TOKEN_FILES, files);
	U32(KHSM_A_TOKEN_LOGGED_IN, logged_in);
#undef U32
	if (tb[KHSM_A_TOKEN_LABEL]) {
		t->has_info = 1;
		attr_str(tb[KHSM_A_TOKEN_LABEL], KHSM_LABEL_LEN, t->label);
	}
	if (tb[KHSM_A_TOKEN_SERIAL])
		attr_str(tb[KHSM_A_TOKEN_SERIAL], KHSM_SERIAL_LEN, t->serial);
	if (u64_ok(tb[KHSM_A_STATS_PIN_FAILURES])) {
		t->has_stats = 1;
		t->pin_failures = nla_get_u64(tb[KHSM_A_STATS_PIN_FAILURES]);
	}
	if (u64_ok(tb[KHSM_A_STATS_PIN_LOCKOUTS]))
		t->pin_lockouts = nla_get_u64(tb[KHSM_A_STATS_PIN_LOCKOUTS]);
	if (tb[KHSM_A_STATS_MECHS]) {
		t->has_stats = 1;
		free(t->mechs);
		t->mechs = NULL;
		t->n_mechs = 0;
		if (parse_mechs(t, tb[KHSM_A_STATS_MECHS])) {
			c->err = ENOMEM;
			return NL_STOP;
		}
	}
	return NL_OK;
}

static int cb_err(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct callctx *c = arg;

	(void)nla;
	c->err = -e->error;
	c->done = 1;
	return NL_STOP;
}

static int cb_done(struct nl_msg *m, void *arg)
{
	struct callctx *c = arg;

	(void)m;
	c->done = 1;
	return NL_STOP;
}

int hnl_call(struct hnl *n, int cmd, long idx, long gid, struct toks *out)
{
	int dump = idx < 0 &&
		   (cmd == KHSM_CMD_TOKEN_GET || cmd == KHSM_CMD_STATS_GET);
	struct callctx c = { .out = out };
	struct nl_msg *m = nlmsg_alloc();
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int r = -1;

	if (!m || !cb)
		goto nomem;
	if (!genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, n->fam, 0,
			 dump ? NLM_F_DUMP : 0, (uint8_t)cmd, KHSM_GENL_VERSION) ||
	    (idx >= 0 && nla_put_u32(m, KHSM_A_TOKEN_INDEX, (uint32_t)idx)) ||
	    (gid >= 0 && nla_put_u32(m, KHSM_A_TOKEN_GID, (uint32_t)gid)))
		goto nomem;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, cb_valid, &c);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, cb_done, &c);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, cb_done, &c);
	nl_cb_err(cb, NL_CB_CUSTOM, cb_err, &c);
	r = nl_send_auto(n->sk, m);
	while (r >= 0 && !c.done && !c.err)
		r = nl_recvmsgs(n->sk, cb);
	if (r < 0 && !c.err)
		c.err = EIO;
	nlmsg_free(m);
	nl_cb_put(cb);
	return c.err;
nomem:
	nlmsg_free(m);
	nl_cb_put(cb);
	return ENOMEM;
}

int hnl_fail(int err, const char *what, const char *tok)
{
	switch (err) {
	case EPERM:
		msg("%s: needs root (CAP_SYS_ADMIN)", what);
		return EX_NL_PERM;
	case EACCES:
		msg("%s: %s: permission denied (not in the token's group)",
		    what, tok ? tok : "token");
		return EX_NL_PERM;
	case ENOENT:
		if (tok) {
			msg("%s: no token %s", what, tok);
			return EX_NL_NOTOKEN;
		}
		break;
	case ENOSPC:
		msg("%s: no free token slot (64 tokens; removed ones still open count)",
		    what);
		return EX_NL_FAIL;
	case EOPNOTSUPP:
	case EINVAL:
		msg("%s: refused by the kernel (%s): is khsm.ko older than hsmctl?",
		    what, strerror(err));
		return EX_NL_FAIL;
	}
	msg("%s: %s", what, strerror(err));
	return EX_NL_FAIL;
}

int hnl_join_events(struct hnl *n)
{
	int grp = genl_ctrl_resolve_grp(n->sk, KHSM_GENL_NAME,
					KHSM_GENL_MCGRP_EVENTS);

	if (grp < 0)
		return ENOENT;
	nl_socket_disable_seq_check(n->sk);
	if (setsockopt(nl_socket_get_fd(n->sk), SOL_NETLINK,
		       NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)))
		return errno;
	return 0;
}

static int parse_event(struct hnl *n, struct nlmsghdr *h, struct hevent *e)
{
	struct nlattr *tb[KHSM_A_MAX + 1];
	struct genlmsghdr *g;

	if (h->nlmsg_type != n->fam || !genlmsg_valid_hdr(h, 0))
		return -1;
	g = nlmsg_data(h);
	if (g->cmd != KHSM_CMD_EVENT ||
	    genlmsg_parse(h, 0, tb, KHSM_A_MAX, NULL) ||
	    !u32_ok(tb[KHSM_A_EVENT_TYPE]))
		return -1;
	memset(e, 0, sizeof(*e));
	e->type = nla_get_u32(tb[KHSM_A_EVENT_TYPE]);
#define U32(a, f) do { if (u32_ok(tb[a])) e->f = nla_get_u32(tb[a]); } while (0)
#define H32(a, f) do { if (u32_ok(tb[a])) { e->f = nla_get_u32(tb[a]); \
		e->has_##f = 1; } } while (0)
#define H64(a, f) do { if (u64_ok(tb[a])) { e->f = nla_get_u64(tb[a]); \
		e->has_##f = 1; } } while (0)
	U32(KHSM_A_TOKEN_INDEX, token);
	U32(KHSM_A_EVENT_UID, uid);
	U32(KHSM_A_EVENT_PID, pid);
	H32(KHSM_A_EVENT_USER_TYPE, user_type);
	H32(KHSM_A_EVENT_RV, rv);
	H32(KHSM_A_OBJECT_HANDLE, handle);
	H64(KHSM_A_MECHANISM, mech);
	H64(KHSM_A_OBJECT_CLASS, class);
	H64(KHSM_A_OBJECT_OID, oid);
#undef U32
#undef H32
#undef H64
	if (u64_ok(tb[KHSM_A_EVENT_TIME]))
		e->time_ns = nla_get_u64(tb[KHSM_A_EVENT_TIME]);
	if (tb[KHSM_A_EVENT_COMM]) {
		size_t l = (size_t)nla_len(tb[KHSM_A_EVENT_COMM]), i;
		const char *s = nla_data(tb[KHSM_A_EVENT_COMM]);

		for (i = 0; i < l && i < sizeof(e->comm) - 1 && s[i]; i++)
			e->comm[i] = s[i];
		e->comm[i] = 0;
	}
	if (tb[KHSM_A_OBJECT_ID]) {
		size_t l = (size_t)nla_len(tb[KHSM_A_OBJECT_ID]);

		e->id_len = l < sizeof(e->id) ? l : sizeof(e->id);
		memcpy(e->id, nla_data(tb[KHSM_A_OBJECT_ID]), e->id_len);
	}
	return 0;
}

int hnl_recv_events(struct hnl *n, int (*fn)(const struct hevent *, void *),
		    void *arg)
{
	static unsigned char buf[65536] __attribute__((aligned(8)));
	struct nlmsghdr *h;
	struct hevent e;
	ssize_t len;
	int left, r;

	do
		len = recv(nl_socket_get_fd(n->sk), buf, sizeof(buf), 0);
	while (len < 0 && errno == EINTR);
	if (len < 0)
		return errno;
	left = (int)len;
	for (h = (struct nlmsghdr *)buf; nlmsg_ok(h, left);
	     h = nlmsg_next(h, &left)) {
		if (parse_event(n, h, &e))
			continue;
		r = fn(&e, arg);
		if (r)
			return r;
	}
	return 0;
}
