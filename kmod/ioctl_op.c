// SPDX-License-Identifier: GPL-2.0
/*
 * ioctls of mechanisms and cryptographic operations: KHSM_IOC_MECH_LIST,
 * KHSM_IOC_MECH_INFO, KHSM_IOC_OP_INIT (parameters copied
 * and judged by their mechanism) and KHSM_IOC_OP_DATA (input copied in,
 * or streamed from user memory in max_data_len chunks above that; output
 * checked writable before the step runs and copied out after). The rules
 * are ioctl.c's: EFAULT means nothing happened (uAPI header).
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "ioctl_internal.h"
#include "mech.h"
#include "session.h"

/* The flat parameter's form, as its mechanism judges it (->param_check). */
static bool khsm_param_ok(unsigned long mech, const u8 *p, u32 len)
{
	const struct khsm_mech *m = khsm_mech_find(mech);

	return !m || !m->param_check || m->param_check(p, len);
}

int khsm_ioc_op_init(struct khsm_file *f, union khsm_ioc_arg *a)
{
	struct khsm_op_init *oi = &a->op_init;
	u8 *param = NULL;
	int ret = 0;

	if (!KHSM_RESERVED_OK(oi) || (oi->flags & ~KHSM_OP_INIT_F_ALL) ||
	    oi->op < 1 || oi->op > KHSM_OP_MAX ||
	    oi->param_len > KHSM_MAX_PARAM_LEN)
		return -EINVAL;
	if (oi->param_len && !(oi->flags & KHSM_OP_INIT_F_CANCEL)) {
		param = kvmalloc(oi->param_len, GFP_KERNEL);
		if (!param)
			return -ENOMEM;
		if (copy_from_user(param, u64_to_user_ptr(oi->param),
				   oi->param_len)) {
			ret = -EFAULT;
			goto out;
		}
		if (!khsm_param_ok(oi->mechanism, param, oi->param_len)) {
			ret = -EINVAL;
			goto out;
		}
	}
	oi->rv = khsm_op_init(f, oi->session,
			      array_index_nospec(oi->op, KHSM_OP_MAX + 1),
			      oi->mechanism, oi->key, param, oi->param_len,
			      oi->flags & KHSM_OP_INIT_F_CANCEL);
out:
	kvfree_sensitive(param, oi->param_len);
	return ret;
}

/* The operation started is ended again. */
void khsm_undo_op_init(struct khsm_file *f,
			      const union khsm_ioc_arg *a)
{
	if (!(a->op_init.flags & KHSM_OP_INIT_F_CANCEL))
		khsm_op_init(f, a->op_init.session,
			     array_index_nospec(a->op_init.op, KHSM_OP_MAX + 1),
			     0, 0, NULL, 0, true);
}

/* End the operation a stream could not finish; rv is the caller's. */
static void khsm_stream_cancel(struct khsm_file *f, struct khsm_op_data *d,
			       u32 kind)
{
	khsm_op_init(f, d->session, kind, 0, 0, NULL, 0, true);
}

/* One OP_DATA call's io and where its output goes in user memory. */
struct khsm_op_call {
	struct khsm_op_io io;
	u8 __user *uout;
};

/* khsm_op_io.check_out: the step's output must be deliverable. */
static int khsm_op_check_out(struct khsm_op_io *io, u64 len)
{
	struct khsm_op_call *c = container_of(io, struct khsm_op_call, io);

	return khsm_probe_write(c->uout, len);
}

/* One chunk through the operation; its output goes to @uout. */
static unsigned long khsm_stream_step(struct khsm_file *f,
				      struct khsm_op_data *d, u32 kind,
				      u32 step, struct khsm_op_io *io,
				      u8 __user *uout, int *ret)
{
	unsigned long rv;

	rv = khsm_op_data(f, d->session, kind, step, io);
	if (!rv && io->out && io->out_len &&
	    copy_to_user(uout, io->out, io->out_len))
		*ret = -EFAULT;
	if (io->out)
		kvfree_sensitive(io->out, io->out_len ? io->out_len : 1);
	io->out = NULL;
	/* Upper bounds of the whole input covered every chunk. */
	if (rv == CKR_BUFFER_TOO_SMALL)
		rv = CKR_GENERAL_ERROR;
	return rv;
}

/*
 * OP_DATA input above max_data_len (ONESHOT and UPDATE; see the uAPI).
 * The kernel streams it rather than libhsm so every user of the uAPI gets
 * single-part calls of any size with one call's semantics: the length
 * answer, CKR_BUFFER_TOO_SMALL and the refusal of a single-part call on a
 * multi-part operation are decided for the whole input first, and the
 * whole input and output checked readable and writable, nothing runs
 * before; then the input goes through the mechanism in max_data_len
 * chunks as UPDATE steps, each chunk's output written to the caller's
 * buffer as it comes (no kernel copy of the whole input or output), and
 * ONESHOT ends with a FINAL step (VERIFY: with the signature). Anything
 * that fails after the decision ends the operation, as a failed single
 * call does.
 */
static int khsm_ioc_op_stream(struct khsm_file *f, struct khsm_op_data *d,
			      u32 kind, const u8 *sig)
{
	bool verify = kind == KHSM_OP_VERIFY;
	struct khsm_op_io io = {
		.in_len = d->in_len,
		.size_only = true,
		.query = !d->out,
		.out_cap = verify ? 0 : d->out_len,
	};
	u8 __user *uin = u64_to_user_ptr(d->in);
	u8 __user *uout = u64_to_user_ptr(d->out);
	u64 off, n, done = 0, cap = verify || !d->out ? 0 : d->out_len;
	u8 *buf;
	int ret = 0;

	d->rv = khsm_op_data(f, d->session, kind, d->step, &io);
	if (d->rv || io.query) {
		if (!verify && (!d->rv || d->rv == CKR_BUFFER_TOO_SMALL))
			d->out_len = io.out_len;
		return 0;
	}
	/* Nothing has run: a fault here leaves the operation as it was. */
	ret = khsm_probe_read(uin, d->in_len);
	if (!ret && !verify)
		ret = khsm_probe_write(uout, io.out_len);
	if (ret)
		return ret;
	buf = kvmalloc(KHSM_MAX_DATA_LEN, GFP_KERNEL_ACCOUNT);
	if (!buf) {
		ret = -ENOMEM;
		goto cancel;
	}
	for (off = 0; off < d->in_len; off += n) {
		n = min_t(u64, d->in_len - off, KHSM_MAX_DATA_LEN);
		if (copy_from_user(buf, uin + off, n)) {
			ret = -EFAULT;
			goto cancel;
		}
		memset(&io, 0, sizeof(io));
		io.in = buf;
		io.in_len = n;
		io.out_cap = cap - done;
		d->rv = khsm_stream_step(f, d, kind, KHSM_STEP_UPDATE, &io,
					 uout + done, &ret);
		if (d->rv || ret)
			goto cancel;
		done += io.out_len;
		cond_resched();
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto cancel;
		}
	}
	if (d->step == KHSM_DATA_ONESHOT) {
		memset(&io, 0, sizeof(io));
		io.in = buf;
		io.out_cap = cap - done;
		io.sig = sig;
		io.sig_len = verify ? d->out_len : 0;
		d->rv = khsm_stream_step(f, d, kind, KHSM_STEP_FINAL, &io,
					 uout + done, &ret);
		if (d->rv || ret)
			goto cancel;
		done += io.out_len;
	}
	if (!verify)
		d->out_len = done;
	goto out;

cancel:
	khsm_stream_cancel(f, d, kind);
out:
	kvfree_sensitive(buf, KHSM_MAX_DATA_LEN);
	return ret;
}

int khsm_ioc_op_data(struct khsm_file *f, union khsm_ioc_arg *a)
{
	struct khsm_op_data *d = &a->op_data;
	struct khsm_op_call c = {
		.io.check_out = khsm_op_check_out,
		.uout = u64_to_user_ptr(d->out),
	};
	struct khsm_op_io *io = &c.io;
	bool verify = d->op == KHSM_OP_VERIFY;
	bool stream = d->in_len > KHSM_MAX_DATA_LEN;
	u8 *in = NULL, *sig = NULL;
	u32 kind;
	int ret = 0;

	if (!KHSM_RESERVED_OK(d) || d->flags || d->op < 1 ||
	    d->op > KHSM_OP_MAX || d->step < KHSM_DATA_UPDATE ||
	    d->step > KHSM_DATA_ONESHOT || d->in_len > KHSM_MAX_STREAM_LEN ||
	    (stream && d->step == KHSM_DATA_FINAL))
		return -EINVAL;
	if (verify && d->step == KHSM_DATA_UPDATE && (d->out || d->out_len))
		return -EINVAL;
	if (verify && d->out_len > KHSM_MAX_DATA_LEN)
		return -EINVAL;
	kind = array_index_nospec(d->op, KHSM_OP_MAX + 1);
	if (!stream) {
		in = kvmalloc(d->in_len ? d->in_len : 1, GFP_KERNEL);
		if (!in)
			return -ENOMEM;
		if (d->in_len && copy_from_user(in, u64_to_user_ptr(d->in),
						d->in_len)) {
			ret = -EFAULT;
			goto out;
		}
	}
	io->in = in;
	io->in_len = d->in_len;
	if (verify && d->step != KHSM_DATA_UPDATE) {
		sig = kvmalloc(d->out_len ? d->out_len : 1, GFP_KERNEL);
		if (!sig) {
			ret = -ENOMEM;
			goto out;
		}
		if (d->out_len && copy_from_user(sig, u64_to_user_ptr(d->out),
						 d->out_len)) {
			ret = -EFAULT;
			goto out;
		}
		io->sig = sig;
		io->sig_len = d->out_len;
	}
	if (stream) {
		ret = khsm_ioc_op_stream(f, d, kind, sig);
		goto out;
	}
	io->query = !d->out;
	io->out_cap = d->out_len;
	d->rv = khsm_op_data(f, d->session, kind, d->step, io);
	/* io->check_out refused: nothing ran. */
	ret = io->err;
	if (ret || verify)
		goto out;
	if (io->out && io->out_len &&
	    copy_to_user(c.uout, io->out, io->out_len)) {
		/* checked writable, then unmapped: the output is lost */
		khsm_stream_cancel(f, d, kind);
		ret = -EFAULT;
		goto out;
	}
	if (!d->rv || d->rv == CKR_BUFFER_TOO_SMALL)
		d->out_len = io->out_len;
out:
	if (io->out)
		kvfree_sensitive(io->out, io->out_len ? io->out_len : 1);
	kvfree_sensitive(sig, d->out_len ? d->out_len : 1);
	if (in)
		kvfree_sensitive(in, d->in_len ? d->in_len : 1);
	return ret;
}

/*
 * The answer of a step that ran could not be delivered: an UPDATE's
 * output length is lost, so the operation cannot go on (ONESHOT and
 * FINAL have ended it already).
 */
void khsm_undo_op_data(struct khsm_file *f,
			      const union khsm_ioc_arg *a)
{
	const struct khsm_op_data *d = &a->op_data;

	if (d->step == KHSM_DATA_UPDATE &&
	    (d->out || !khsm_op_has_output(d->op, d->step)))
		khsm_op_init(f, d->session,
			     array_index_nospec(d->op, KHSM_OP_MAX + 1),
			     0, 0, NULL, 0, true);
}

/* --- mechanisms ---------------------------------------------------------- */

int khsm_ioc_mech_list(struct khsm_file *f, union khsm_ioc_arg *a)
{
	struct khsm_mech_list *ml = &a->mech_list;
	unsigned long *types;
	u32 *out, i, total;
	int ret = 0;

	if (!KHSM_RESERVED_OK(ml) || ml->flags)
		return -EINVAL;
	types = kcalloc(KHSM_MAX_MECHS, sizeof(*types), GFP_KERNEL);
	out = kcalloc(KHSM_MAX_MECHS, sizeof(*out), GFP_KERNEL);
	if (!types || !out) {
		ret = -ENOMEM;
		goto out;
	}
	total = min_t(u32, khsm_mech_list(types, KHSM_MAX_MECHS),
		      KHSM_MAX_MECHS);
	if (ml->mechs && ml->count >= total) {
		ret = khsm_probe_write(u64_to_user_ptr(ml->mechs),
				       total * sizeof(*out));
		if (ret)
			goto out;
	}
	if (ml->mechs && ml->count < total) {
		ml->rv = CKR_BUFFER_TOO_SMALL;
	} else if (ml->mechs) {
		for (i = 0; i < total; i++)
			out[i] = types[i];
		if (copy_to_user(u64_to_user_ptr(ml->mechs), out,
				 total * sizeof(*out))) {
			ret = -EFAULT;
			goto out;
		}
	}
	ml->count = total;
out:
	kfree(types);
	kfree(out);
	return ret;
}

int khsm_ioc_mech_info(struct khsm_file *f, union khsm_ioc_arg *a)
{
	struct khsm_mech_info *mi = &a->mech_info;
	const struct khsm_mech *m;

	if (!KHSM_RESERVED_OK(mi) || mi->pad0)
		return -EINVAL;
	mi->min_key_size = 0;
	mi->max_key_size = 0;
	mi->flags = 0;
	m = khsm_mech_find(mi->mechanism);
	if (!m) {
		mi->rv = CKR_MECHANISM_INVALID;
		return 0;
	}
	mi->min_key_size = m->min_key_size;
	mi->max_key_size = m->max_key_size;
	mi->flags = m->flags;
	return 0;
}
