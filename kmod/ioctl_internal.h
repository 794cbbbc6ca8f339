/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the ioctl files share (ioctl.c: dispatch, token, sessions, objects,
 * find, key generation, mechanisms; ioctl_op.c: operations and streamed
 * data). Only these files touch user memory.
 */
#ifndef KHSM_IOCTL_INTERNAL_H
#define KHSM_IOCTL_INTERNAL_H

#include <linux/string.h>
#include <linux/types.h>

#include "khsm.h"

/* Largest @size accepted; anything above must be zero (E2BIG beyond). */
#define KHSM_MAX_STRUCT_SIZE	4096

struct khsm_ioc_hdr {
	__u32 size;
	__u32 rv;
};

union khsm_ioc_arg {
	struct khsm_ioc_hdr hdr;
	struct khsm_version version;
	struct khsm_token_info token_info;
	struct khsm_init_token init_token;
	struct khsm_admin_init_token admin_init_token;
	struct khsm_set_pin set_pin;
	struct khsm_login login;
	struct khsm_session session;
	struct khsm_object object;
	struct khsm_find find;
	struct khsm_keygen keygen;
	struct khsm_derive derive;
	struct khsm_wrap_key wrap_key;
	struct khsm_unwrap_key unwrap_key;
	struct khsm_op_init op_init;
	struct khsm_op_data op_data;
	struct khsm_random random;
	struct khsm_mech_list mech_list;
	struct khsm_mech_info mech_info;
	struct khsm_state_io state_io;
};

/*
 * A handler returns 0 when it reached a PKCS#11 decision (written to
 * hdr.rv, struct copied back), or a negative errno when the call failed
 * before one (nothing copied back).
 */
typedef int (*khsm_ioc_fn)(struct khsm_file *f, union khsm_ioc_arg *a);

/*
 * Undo a call that succeeded (rv CKR_OK) but whose struct could not be
 * written back: @a is the answer that was not delivered.
 */
typedef void (*khsm_ioc_undo)(struct khsm_file *f,
			      const union khsm_ioc_arg *a);

struct khsm_ioc_desc {
	khsm_ioc_fn fn;
	khsm_ioc_undo undo;		/* NULL: nothing to undo, or cannot */
	u32 min_size;			/* KHSM_*_SIZE_VER0 */
	u32 size;			/* sizeof() in this kernel */
};

static inline bool khsm_zero(const void *p, size_t n)
{
	return !memchr_inv(p, 0, n);
}

/* A PIN check: only verifier and pin_len may be set. */
static inline bool khsm_pin_check_form(const struct khsm_pin *p)
{
	return khsm_zero(p->salt, sizeof(p->salt)) && !p->t_cost &&
	       !p->m_cost_kib && !p->parallelism;
}

#define KHSM_RESERVED_OK(s)	khsm_zero((s)->reserved, sizeof((s)->reserved))

/*
 * Whether the caller can write (read) every page of [@p, @p + @len): one
 * byte of each page. 0, -EFAULT, or -EINTR for a fatal signal.
 */
int khsm_probe_write(u8 __user *p, u64 len);
int khsm_probe_read(const u8 __user *p, u64 len);

/* ioctl_op.c */
int khsm_ioc_op_init(struct khsm_file *f, union khsm_ioc_arg *a);
void khsm_undo_op_init(struct khsm_file *f, const union khsm_ioc_arg *a);
int khsm_ioc_op_data(struct khsm_file *f, union khsm_ioc_arg *a);
void khsm_undo_op_data(struct khsm_file *f, const union khsm_ioc_arg *a);
int khsm_ioc_mech_list(struct khsm_file *f, union khsm_ioc_arg *a);
int khsm_ioc_mech_info(struct khsm_file *f, union khsm_ioc_arg *a);

/* ioctl_state.c */
int khsm_ioc_state(struct khsm_file *f, union khsm_ioc_arg *a);

#endif /* KHSM_IOCTL_INTERNAL_H */
