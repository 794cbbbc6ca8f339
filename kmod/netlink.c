// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "khsm" (the contract is in the uAPI header):
 * token listing and statistics for root and for each token's group,
 * adding, removing and regrouping tokens for root, and the "events"
 * multicast group (root only) of logins, PIN lockouts, token inits,
 * object creation and destruction and key use. Modelled on WireGuard's
 * netlink.c: one policy, an admin flag on every changing op, strict
 * validation, a dump cursor in cb->args, the slot event counter as the
 * dump's consistency generation.
 *
 * Reads check the caller per token: CAP_SYS_ADMIN (netlink_capable: the
 * socket's opener and the caller) reads every token, anyone else the
 * tokens whose group the calling process is in (in_group_p), as opening
 * the device would require. Replies and events carry no secret.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "attr.h"
#include "khsm.h"
#include "mech.h"
#include "netlink.h"
#include "object.h"
#include "token_list.h"

static struct genl_family khsm_genl_family;
static bool khsm_nl_ready;

static const struct nla_policy khsm_nl_policy[KHSM_A_MAX + 1] = {
	[KHSM_A_TOKEN_INDEX] = NLA_POLICY_MAX(NLA_U32, KHSM_MAX_TOKENS - 1),
	[KHSM_A_TOKEN_GID] = { .type = NLA_U32 },
};

enum { KHSM_NL_MCGRP_EVENTS };

static const struct genl_multicast_group khsm_nl_mcgrps[] = {
	[KHSM_NL_MCGRP_EVENTS] = { .name = KHSM_GENL_MCGRP_EVENTS,
				   .flags = GENL_MCAST_CAP_SYS_ADMIN },
};

static bool khsm_nl_admin(const struct sk_buff *skb)
{
	return netlink_capable(skb, CAP_SYS_ADMIN);
}

static kgid_t khsm_nl_token_gid(struct khsm_token *tok)
{
	kgid_t gid;

	mutex_lock(&tok->lock);
	gid = tok->gid;
	mutex_unlock(&tok->lock);
	return gid;
}

/* @skb: the request. */
static bool khsm_nl_may_read(const struct sk_buff *skb, struct khsm_token *tok)
{
	return in_group_p(khsm_nl_token_gid(tok)) || khsm_nl_admin(skb);
}

/* A snapshot of what TOKEN_GET reports, taken under tok->lock. */
struct khsm_nl_tokinfo {
	u8 label[KHSM_LABEL_LEN];
	u8 serial[KHSM_SERIAL_LEN];
	u32 gid, flags, state_flags, objects, session_objects, sessions,
	    rw_sessions, files, logged_in;
};

static bool khsm_nl_pin_locked(const struct khsm_token *tok,
			       const struct khsm_pin_state *ps)
{
	return ps->rec.set && ps->failures >= tok->max_pin_failures;
}

static void khsm_nl_snapshot(struct khsm_token *tok, struct khsm_nl_tokinfo *ti)
{
	mutex_lock(&tok->lock);
	memcpy(ti->label, tok->label, sizeof(ti->label));
	memcpy(ti->serial, tok->serial, sizeof(ti->serial));
	ti->gid = from_kgid_munged(&init_user_ns, tok->gid);
	ti->flags = 0;
	if (tok->initialized)
		ti->flags |= KHSM_NL_TOKEN_F_INITIALIZED;
	if (tok->user.rec.set)
		ti->flags |= KHSM_NL_TOKEN_F_USER_PIN_SET;
	if (tok->n_so_logged_in)
		ti->flags |= KHSM_NL_TOKEN_F_SO_LOGGED_IN;
	if (tok->n_logged_in > tok->n_so_logged_in)
		ti->flags |= KHSM_NL_TOKEN_F_USER_LOGGED_IN;
	if (khsm_nl_pin_locked(tok, &tok->so))
		ti->flags |= KHSM_NL_TOKEN_F_SO_PIN_LOCKED;
	if (khsm_nl_pin_locked(tok, &tok->user))
		ti->flags |= KHSM_NL_TOKEN_F_USER_PIN_LOCKED;
	ti->state_flags = tok->state_flags;
	ti->objects = tok->n_token_objects;
	ti->session_objects = tok->n_session_objects;
	ti->sessions = tok->n_sessions;
	ti->rw_sessions = tok->n_rw_sessions;
	ti->files = tok->n_files;
	ti->logged_in = tok->n_logged_in;
	mutex_unlock(&tok->lock);
}

static int khsm_nl_put_token(struct sk_buff *skb, struct khsm_token *tok)
{
	struct khsm_nl_tokinfo ti;

	khsm_nl_snapshot(tok, &ti);
	if (nla_put_u32(skb, KHSM_A_TOKEN_INDEX, tok->index) ||
	    nla_put(skb, KHSM_A_TOKEN_LABEL, sizeof(ti.label), ti.label) ||
	    nla_put(skb, KHSM_A_TOKEN_SERIAL, sizeof(ti.serial), ti.serial) ||
	    nla_put_u32(skb, KHSM_A_TOKEN_GID, ti.gid) ||
	    nla_put_u32(skb, KHSM_A_TOKEN_FLAGS, ti.flags) ||
	    nla_put_u32(skb, KHSM_A_TOKEN_STATE_FLAGS, ti.state_flags) ||
	    nla_put_u32(skb, KHSM_A_TOKEN_OBJECTS, ti.objects) ||
	    nla_put_u32(skb, KHSM_A_TOKEN_SESSION_OBJECTS,
			ti.session_objects) ||
	    nla_put_u32(skb, KHSM_A_TOKEN_SESSIONS, ti.sessions) ||
	    nla_put_u32(skb, KHSM_A_TOKEN_RW_SESSIONS, ti.rw_sessions) ||
	    nla_put_u32(skb, KHSM_A_TOKEN_FILES, ti.files) ||
	    nla_put_u32(skb, KHSM_A_TOKEN_LOGGED_IN, ti.logged_in))
		return -EMSGSIZE;
	return 0;
}

static int khsm_nl_put_stats(struct sk_buff *skb, struct khsm_token *tok)
{
	struct nlattr *mechs, *one;
	u32 i;

	if (nla_put_u32(skb, KHSM_A_TOKEN_INDEX, tok->index) ||
	    nla_put_u64_64bit(skb, KHSM_A_STATS_PIN_FAILURES,
			      atomic64_read(&tok->pin_failures), KHSM_A_PAD) ||
	    nla_put_u64_64bit(skb, KHSM_A_STATS_PIN_LOCKOUTS,
			      atomic64_read(&tok->pin_lockouts), KHSM_A_PAD))
		return -EMSGSIZE;
	mechs = nla_nest_start(skb, KHSM_A_STATS_MECHS);
	if (!mechs)
		return -EMSGSIZE;
	for (i = 0; i < tok->n_mech_stats; i++) {
		u64 ops = atomic64_read(&tok->mech_stats[i].ops);
		u64 fails = atomic64_read(&tok->mech_stats[i].failures);
		const struct khsm_mech *m = khsm_mech_at(i);

		if ((!ops && !fails) || !m)
			continue;
		one = nla_nest_start(skb, KHSM_A_STATS_MECH);
		if (!one ||
		    nla_put_u64_64bit(skb, KHSM_A_MECH_TYPE, m->type,
				      KHSM_A_MECH_PAD) ||
		    nla_put_u64_64bit(skb, KHSM_A_MECH_OPS, ops,
				      KHSM_A_MECH_PAD) ||
		    nla_put_u64_64bit(skb, KHSM_A_MECH_FAILURES, fails,
				      KHSM_A_MECH_PAD)) {
			nla_nest_cancel(skb, mechs);
			return -EMSGSIZE;
		}
		nla_nest_end(skb, one);
	}
	nla_nest_end(skb, mechs);
	return 0;
}

/* One TOKEN_GET or STATS_GET message (@cmd) about @tok. */
static int khsm_nl_fill(struct sk_buff *skb, struct khsm_token *tok, u8 cmd,
			u32 portid, u32 seq, int flags,
			struct netlink_callback *cb)
{
	void *hdr;
	int err;

	hdr = genlmsg_put(skb, portid, seq, &khsm_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	err = cmd == KHSM_CMD_STATS_GET ? khsm_nl_put_stats(skb, tok) :
					  khsm_nl_put_token(skb, tok);
	if (err) {
		genlmsg_cancel(skb, hdr);
		return err;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* The token a doit names (KHSM_A_TOKEN_INDEX), referenced. */
static struct khsm_token *khsm_nl_token(struct genl_info *info, int *err)
{
	struct khsm_token *tok;

	if (!info->attrs[KHSM_A_TOKEN_INDEX]) {
		NL_SET_ERR_MSG(info->extack, "token index required");
		*err = -EINVAL;
		return NULL;
	}
	tok = khsm_token_lookup(nla_get_u32(info->attrs[KHSM_A_TOKEN_INDEX]));
	if (!tok) {
		NL_SET_ERR_MSG(info->extack, "no such token");
		*err = -ENOENT;
	}
	return tok;
}

static int khsm_nl_reply(struct khsm_token *tok, struct genl_info *info,
			 u8 cmd)
{
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(2 * NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	err = khsm_nl_fill(msg, tok, cmd, info->snd_portid, info->snd_seq, 0,
			   NULL);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* TOKEN_GET and STATS_GET doit: one token the caller may read. */
static int khsm_nl_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct khsm_token *tok;
	int err = 0;

	tok = khsm_nl_token(info, &err);
	if (!tok)
		return err;
	if (khsm_nl_may_read(skb, tok))
		err = khsm_nl_reply(tok, info, info->genlhdr->cmd);
	else
		err = -EACCES;
	khsm_token_put(tok);
	return err;
}

/* TOKEN_GET and STATS_GET dump; cb->args[0]: the next index to look at. */
static int khsm_nl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	u8 cmd = ((struct genlmsghdr *)nlmsg_data(cb->nlh))->cmd;
	u32 idx = cb->args[0];
	struct khsm_token *tok;
	int err;

	cb->seq = (unsigned int)khsm_slot_gen() + 1;
	while (idx < KHSM_MAX_TOKENS && (tok = khsm_token_next(&idx))) {
		err = 0;
		if (khsm_nl_may_read(cb->skb, tok))
			err = khsm_nl_fill(skb, tok, cmd,
					   NETLINK_CB(cb->skb).portid,
					   cb->nlh->nlmsg_seq, NLM_F_MULTI, cb);
		khsm_token_put(tok);
		if (err)
			break;
		idx++;
	}
	cb->args[0] = idx;
	return skb->len;
}

static int khsm_nl_gid(struct genl_info *info, kgid_t *gid)
{
	if (!info->attrs[KHSM_A_TOKEN_GID])
		return -ENOENT;
	*gid = make_kgid(&init_user_ns,
			 nla_get_u32(info->attrs[KHSM_A_TOKEN_GID]));
	if (!gid_valid(*gid)) {
		NL_SET_ERR_MSG(info->extack, "invalid gid");
		return -EINVAL;
	}
	return 0;
}

static void khsm_nl_admin_event(struct khsm_token *tok, u32 type)
{
	struct khsm_nl_ev ev;

	if (!khsm_nl_listening())
		return;
	khsm_nl_ev_init(&ev);
	khsm_nl_event(tok, type, &ev);
}

static int khsm_nl_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct khsm_token *tok;
	kgid_t gid;
	u32 index;
	int err;

	if (!khsm_nl_admin(skb))
		return -EPERM;
	err = khsm_nl_gid(info, &gid);
	if (err == -ENOENT)
		gid = khsm_token_default_gid();
	else if (err)
		return err;
	err = khsm_token_add(gid, &index);
	if (err)
		return err;
	tok = khsm_token_lookup(index);
	if (!tok)			/* removed meanwhile */
		return 0;
	pr_info("%s added by uid %u, group %u\n", tok->name,
		from_kuid_munged(&init_user_ns, current_uid()),
		from_kgid_munged(&init_user_ns, gid));
	khsm_nl_admin_event(tok, KHSM_EVENT_TOKEN_ADD);
	err = khsm_nl_reply(tok, info, KHSM_CMD_TOKEN_GET);
	khsm_token_put(tok);
	return err;
}

static int khsm_nl_set_group_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct khsm_token *tok;
	kgid_t gid;
	int err = 0;

	if (!khsm_nl_admin(skb))
		return -EPERM;
	err = khsm_nl_gid(info, &gid);
	if (err == -ENOENT) {
		NL_SET_ERR_MSG(info->extack, "gid required");
		return -EINVAL;
	}
	if (err)
		return err;
	tok = khsm_nl_token(info, &err);
	if (!tok)
		return err;
	err = khsm_token_set_gid(tok, gid);
	if (!err)
		pr_info("%s: group set to %u by uid %u\n", tok->name,
			from_kgid_munged(&init_user_ns, gid),
			from_kuid_munged(&init_user_ns, current_uid()));
	khsm_token_put(tok);
	return err;
}

static int khsm_nl_remove_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct khsm_token *tok;
	int err = 0;

	if (!khsm_nl_admin(skb))
		return -EPERM;
	tok = khsm_nl_token(info, &err);
	if (!tok)
		return err;
	err = khsm_token_remove(tok->index);
	if (!err)
		khsm_nl_admin_event(tok, KHSM_EVENT_TOKEN_REMOVE);
	khsm_token_put(tok);
	return err;
}

static const struct genl_ops khsm_nl_ops[] = {
	{
		.cmd = KHSM_CMD_TOKEN_GET,
		.doit = khsm_nl_get_doit,
		.dumpit = khsm_nl_get_dumpit,
	}, {
		.cmd = KHSM_CMD_TOKEN_SET_GROUP,
		.doit = khsm_nl_set_group_doit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = KHSM_CMD_TOKEN_ADD,
		.doit = khsm_nl_add_doit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = KHSM_CMD_TOKEN_REMOVE,
		.doit = khsm_nl_remove_doit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = KHSM_CMD_STATS_GET,
		.doit = khsm_nl_get_doit,
		.dumpit = khsm_nl_get_dumpit,
	},
};

static struct genl_family khsm_genl_family __ro_after_init = {
	.ops = khsm_nl_ops,
	.n_ops = ARRAY_SIZE(khsm_nl_ops),
	.resv_start_op = KHSM_CMD_TOKEN_GET,
	.name = KHSM_GENL_NAME,
	.version = KHSM_GENL_VERSION,
	.maxattr = KHSM_A_MAX,
	.policy = khsm_nl_policy,
	.module = THIS_MODULE,
	.mcgrps = khsm_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(khsm_nl_mcgrps),
	.parallel_ops = true,
};

/* --- events --------------------------------------------------------------- */

bool khsm_nl_listening(void)
{
	return KHSM_GENL_EVENTS && READ_ONCE(khsm_nl_ready) &&
	       genl_has_listeners(&khsm_genl_family, &init_net,
				  KHSM_NL_MCGRP_EVENTS);
}

void khsm_nl_ev_init(struct khsm_nl_ev *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->user_type = KHSM_NOBODY;
}

void khsm_nl_ev_object(struct khsm_nl_ev *ev, const struct khsm_obj *o)
{
	const struct khsm_oattr *id;

	lockdep_assert_held(&o->tok->lock);
	ev->has_obj = true;
	ev->handle = o->handle;
	ev->class = o->class;
	ev->has_oid = o->token;
	ev->oid = o->oid;
	id = khsm_attrs_get(&o->attrs, CKA_ID);
	ev->id_len = id ? min_t(u32, id->len, sizeof(ev->id)) : 0;
	if (ev->id_len)
		memcpy(ev->id, id->val, ev->id_len);
}

static int khsm_nl_put_event(struct sk_buff *skb, struct khsm_token *tok,
			     u32 type, const struct khsm_nl_ev *ev)
{
	char comm[TASK_COMM_LEN];

	get_task_comm(comm, current);
	if (nla_put_u32(skb, KHSM_A_EVENT_TYPE, type) ||
	    nla_put_u32(skb, KHSM_A_TOKEN_INDEX, tok->index) ||
	    nla_put_u32(skb, KHSM_A_EVENT_UID,
			from_kuid_munged(&init_user_ns, current_uid())) ||
	    nla_put_u32(skb, KHSM_A_EVENT_PID, task_tgid_nr(current)) ||
	    nla_put_string(skb, KHSM_A_EVENT_COMM, comm) ||
	    nla_put_u64_64bit(skb, KHSM_A_EVENT_TIME, ktime_get_real_ns(),
			      KHSM_A_PAD))
		return -EMSGSIZE;
	if (ev->user_type != KHSM_NOBODY &&
	    nla_put_u32(skb, KHSM_A_EVENT_USER_TYPE, ev->user_type))
		return -EMSGSIZE;
	if (ev->rv && nla_put_u32(skb, KHSM_A_EVENT_RV, ev->rv))
		return -EMSGSIZE;
	if (ev->has_mech &&
	    nla_put_u64_64bit(skb, KHSM_A_MECHANISM, ev->mech, KHSM_A_PAD))
		return -EMSGSIZE;
	if (!ev->has_obj)
		return 0;
	if (nla_put_u32(skb, KHSM_A_OBJECT_HANDLE, ev->handle) ||
	    nla_put_u64_64bit(skb, KHSM_A_OBJECT_CLASS, ev->class,
			      KHSM_A_PAD) ||
	    (ev->has_oid &&
	     nla_put_u64_64bit(skb, KHSM_A_OBJECT_OID, ev->oid, KHSM_A_PAD)) ||
	    (ev->id_len && nla_put(skb, KHSM_A_OBJECT_ID, ev->id_len, ev->id)))
		return -EMSGSIZE;
	return 0;
}

void khsm_nl_event(struct khsm_token *tok, u32 type,
		   const struct khsm_nl_ev *ev)
{
	struct sk_buff *skb;
	void *hdr;

	if (!khsm_nl_listening())
		return;
	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &khsm_genl_family, 0, KHSM_CMD_EVENT);
	if (!hdr || khsm_nl_put_event(skb, tok, type, ev)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&khsm_genl_family, skb, 0, KHSM_NL_MCGRP_EVENTS,
			  GFP_KERNEL);
}

void khsm_nl_object_event(struct khsm_file *f, u32 type, u32 handle)
{
	struct khsm_token *tok = f->tok;
	struct khsm_nl_ev ev;
	struct khsm_obj *o;

	if (!handle || !khsm_nl_listening())
		return;
	khsm_nl_ev_init(&ev);
	mutex_lock(&tok->lock);
	o = khsm_object_lookup(f, handle);
	if (o)
		khsm_nl_ev_object(&ev, o);
	mutex_unlock(&tok->lock);
	if (o)
		khsm_nl_event(tok, type, &ev);
}

int __init khsm_netlink_init(void)
{
	int err;

	err = genl_register_family(&khsm_genl_family);
	if (err)
		return err;
	WRITE_ONCE(khsm_nl_ready, true);
	return 0;
}

void khsm_netlink_uninit(void)
{
	WRITE_ONCE(khsm_nl_ready, false);
	genl_unregister_family(&khsm_genl_family);
}
