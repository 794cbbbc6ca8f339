/* SPDX-License-Identifier: GPL-2.0 */
/* Tokens: identity, PINs, login state, counters. */
#ifndef KHSM_TOKEN_H
#define KHSM_TOKEN_H

#include "khsm.h"

int khsm_token_params_check(void);
/* One token's state (token_list.c makes and frees the token itself). */
int khsm_token_setup(struct khsm_token *tok);
void khsm_token_teardown(struct khsm_token *tok);
void khsm_token_count_op(struct khsm_token *tok, const struct khsm_mech *m,
			 bool ok);

/*
 * The token's memory budget (max_token_mib) and the per-uid share of it
 * (max_uid_pct), under tok->lock.
 */
unsigned long khsm_token_charge(struct khsm_token *tok, u32 uid, u64 bytes);
void khsm_token_uncharge(struct khsm_token *tok, u32 uid, u64 bytes);
unsigned long khsm_token_recharge(struct khsm_token *tok, u32 uid, u64 old,
				  u64 new);
/* Session limits per token, file and uid, and the session's bytes. */
unsigned long khsm_token_session_charge(struct khsm_token *tok,
					struct khsm_file *f, u64 bytes);
void khsm_token_session_uncharge(struct khsm_token *tok, struct khsm_file *f,
				 u64 bytes);

void khsm_token_version(struct khsm_token *tok, struct khsm_version *v);
void khsm_token_info(struct khsm_file *f, struct khsm_token_info *ti);
unsigned long khsm_token_init_token(struct khsm_file *f, const u8 *label,
			      const struct khsm_pin *so_check,
			      const struct khsm_pin *so_new, u32 flags,
			      u32 max_failures);
unsigned long khsm_token_admin_init(struct khsm_token *tok, const u8 *label,
				    const struct khsm_pin *so_new, u32 flags,
				    u32 max_failures);
unsigned long khsm_token_check_pin(struct khsm_file *f,
				   const struct khsm_pin *pin);
unsigned long khsm_token_init_pin(struct khsm_file *f, u32 session,
			    const struct khsm_pin *pin);
unsigned long khsm_token_set_pin(struct khsm_file *f, u32 session,
			   const struct khsm_pin *old_pin,
			   const struct khsm_pin *new_pin);
unsigned long khsm_token_login(struct khsm_file *f, u32 session,
			 unsigned long user_type, const struct khsm_pin *pin);
/* Log the file out again after a LOGIN that could not be delivered. */
void khsm_token_login_undo(struct khsm_file *f, unsigned long user_type);
unsigned long khsm_token_logout(struct khsm_file *f, u32 session);
unsigned long khsm_token_random(struct khsm_file *f, u32 session, u8 *buf,
			  size_t len);

#endif /* KHSM_TOKEN_H */
