/* SPDX-License-Identifier: GPL-2.0 */
/* Sessions of an open file, their operation slots and find cursors. */
#ifndef KHSM_SESSION_H
#define KHSM_SESSION_H

#include "khsm.h"

int khsm_session_init(void);
void khsm_session_uninit(void);

/* Under tok->lock: the file's open session @handle, or NULL. */
struct khsm_sess *khsm_session_find(struct khsm_file *f, u32 handle);
/* Without tok->lock: whether @handle is an open session of @f. */
bool khsm_session_valid(struct khsm_file *f, u32 handle);
/* Under tok->lock: end the file's login (last session closed, logout). */
void khsm_file_logout(struct khsm_file *f);

unsigned long khsm_session_open(struct khsm_file *f, u32 flags, u32 *handle);
unsigned long khsm_session_close(struct khsm_file *f, u32 handle);
unsigned long khsm_session_close_all(struct khsm_file *f);
unsigned long khsm_session_info(struct khsm_file *f, u32 handle, u32 *flags,
			  u32 *state);
void khsm_sessions_release(struct khsm_file *f);
/* Under tok->lock: close every session of every file (admin re-init). */
void khsm_sessions_close_token(struct khsm_token *tok);
void khsm_session_context_login_undo(struct khsm_file *f, u32 session);
unsigned long khsm_session_context_login(struct khsm_file *f, u32 session,
					 const struct khsm_pin *pin);

unsigned long khsm_op_init(struct khsm_file *f, u32 session, u32 kind,
		     unsigned long mech, u32 key, const void *param,
		     u32 param_len, bool cancel);

/* One OP_DATA call in kernel memory. */
struct khsm_op_io {
	const u8 *in;
	size_t in_len;
	const u8 *sig;			/* VERIFY FINAL/ONESHOT */
	size_t sig_len;
	/*
	 * In: the caller gave no output buffer. Out: the call was a length
	 * query (a step that has an output in PKCS#11: not the UPDATE of
	 * DIGEST, SIGN or VERIFY) and only answered the length in out_len;
	 * nothing ran and the operation is as it was (PKCS#11 v3.0 5.2).
	 */
	bool query;
	/*
	 * Only decide lengths for @in_len bytes (in is NULL): the output
	 * needed in out_len, CKR_BUFFER_TOO_SMALL, the operation's state
	 * checks; nothing runs. ioctl.c then streams the input in chunks.
	 */
	bool size_only;
	u64 out_cap;			/* caller's output capacity */
	/*
	 * Optional, ioctl.c's: called under the session's lock after the
	 * length decision and before the step runs, with the number of
	 * bytes the step may write (> 0). An errno stops the call with
	 * nothing done: khsm_op_data() returns CKR_OK with @err set.
	 */
	int (*check_out)(struct khsm_op_io *io, u64 len);
	int err;
	/* out: kvmalloc'd result, freed by the caller (kvfree_sensitive) */
	u8 *out;
	u64 out_len;			/* out: produced or needed */
};

/* Whether @step of @kind has an output (a length query) in PKCS#11. */
static inline bool khsm_op_has_output(u32 kind, u32 step)
{
	if (kind == KHSM_OP_VERIFY)
		return false;
	return step != KHSM_DATA_UPDATE || kind == KHSM_OP_ENCRYPT ||
	       kind == KHSM_OP_DECRYPT;
}

unsigned long khsm_op_data(struct khsm_file *f, u32 session, u32 kind, u32 step,
		     struct khsm_op_io *io);

unsigned long khsm_find_init(struct khsm_file *f, u32 session,
		       const struct khsm_tmpl *t);
unsigned long khsm_find_next(struct khsm_file *f, u32 session, u32 *handles,
		       u32 max, u32 *got);
/* Put back what the last khsm_find_next() returned (it was not delivered). */
void khsm_find_unread(struct khsm_file *f, u32 session);
unsigned long khsm_find_final(struct khsm_file *f, u32 session);

#endif /* KHSM_SESSION_H */
