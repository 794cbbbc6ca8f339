/* SPDX-License-Identifier: GPL-2.0 */
/* Generic netlink family "khsm": admin, statistics, events (netlink.c). */
#ifndef KHSM_NETLINK_H
#define KHSM_NETLINK_H

#include <linux/types.h>

struct khsm_file;
struct khsm_obj;
struct khsm_token;

#define KHSM_NL_MAX_ID	64	/* CKA_ID bytes an event carries */

/* What an event says beyond its type, token and caller. */
struct khsm_nl_ev {
	unsigned long user_type;	/* CKU_*; KHSM_NOBODY: none */
	u32 rv;				/* 0: none */
	u64 mech;			/* 0 with !has_mech */
	bool has_mech;
	bool has_obj;
	bool has_oid;
	u32 handle;
	u64 class;
	u64 oid;
	u32 id_len;
	u8 id[KHSM_NL_MAX_ID];
};

int khsm_netlink_init(void);
void khsm_netlink_uninit(void);

/* Whether anyone listens to the events group: skip the work if not. */
bool khsm_nl_listening(void);
void khsm_nl_ev_init(struct khsm_nl_ev *ev);
/* @o's handle, class, oid and CKA_ID into @ev; under tok->lock. */
void khsm_nl_ev_object(struct khsm_nl_ev *ev, const struct khsm_obj *o);
/* Send event @type of @tok, caused by the current process. */
void khsm_nl_event(struct khsm_token *tok, u32 type,
		   const struct khsm_nl_ev *ev);
/* An event about object @handle of @f (looked up under tok->lock). */
void khsm_nl_object_event(struct khsm_file *f, u32 type, u32 handle);

#endif /* KHSM_NETLINK_H */
