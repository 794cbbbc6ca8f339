/* SPDX-License-Identifier: GPL-2.0 */
/* The tokens at run time: table, references, add/remove, slot events. */
#ifndef KHSM_TOKEN_LIST_H
#define KHSM_TOKEN_LIST_H

#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>

struct khsm_token;

int khsm_tokens_init(unsigned int count, kgid_t gid);
void khsm_tokens_release_keys(void);
void khsm_tokens_uninit(void);

int khsm_token_add(kgid_t gid, u32 *index);
int khsm_token_remove(u32 index);
kgid_t khsm_token_default_gid(void);
/* Group and attribute changes; each is a KOBJ_CHANGE uevent on /dev/hsmN. */
int khsm_token_set_gid(struct khsm_token *tok, kgid_t gid);
void khsm_token_changed(struct khsm_token *tok);

/* A present (not removed) token, referenced, or NULL. */
struct khsm_token *khsm_token_lookup(u32 index);
/* The first present token at *@index or above, referenced; NULL at the end. */
struct khsm_token *khsm_token_next(u32 *index);
void khsm_token_get(struct khsm_token *tok);
void khsm_token_put(struct khsm_token *tok);

/*
 * Slot events (a token added, removed or initialised): a counter and a
 * wait queue, for poll() on /dev/hsmN (dev.c) and C_WaitForSlotEvent.
 */
void khsm_slot_event(void);
u64 khsm_slot_gen(void);
wait_queue_head_t *khsm_slot_waitq(void);

#endif /* KHSM_TOKEN_LIST_H */
