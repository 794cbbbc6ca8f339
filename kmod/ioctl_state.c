// SPDX-License-Identifier: GPL-2.0
/*
 * KHSM_IOC_STATE (uAPI "sealed token state"): the user-memory side of
 * persist.c. Exports go to any opener of the token (blobs are sealed;
 * the waiting ones and the enumeration only to CAP_SYS_ADMIN); loads
 * need CAP_SYS_ADMIN in the opener's and the caller's credentials, as
 * ADMIN_INIT_TOKEN does. A blob is copied in whole before the kernel
 * looks at it, and out only when the caller's buffer holds it whole.
 */
#include <linux/capability.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "ioctl_internal.h"
#include "persist.h"

/* Largest blob either way: a header listing KHSM_STATE_MAX_ENTRIES. */
#define KHSM_STATE_MAX_BLOB	(sizeof(struct khsm_state_hdr) + \
				 (size_t)KHSM_STATE_MAX_ENTRIES * \
				 sizeof(struct khsm_state_ent))

static bool khsm_state_admin(const struct khsm_file *f)
{
	return f->admin && capable(CAP_SYS_ADMIN);
}

/* Give @blob (@len bytes, freed here) to the caller's buffer. */
static int khsm_state_out(struct khsm_state_io *io, u8 *blob, u32 len)
{
	u64 cap = io->len;
	int ret = 0;

	io->len = len;
	if (!io->buf || !blob)
		goto out;
	if (cap < len) {
		io->rv = CKR_BUFFER_TOO_SMALL;
		goto out;
	}
	if (copy_to_user(u64_to_user_ptr(io->buf), blob, len))
		ret = -EFAULT;
out:
	kvfree(blob);
	return ret;
}

static int khsm_state_export(struct khsm_file *f, struct khsm_state_io *io)
{
	bool id_only = io->flags & KHSM_STATE_EXPORT_F_ID_ONLY;
	u8 *blob = NULL;
	u32 len = 0;
	int ret;

	if (io->flags & ~KHSM_STATE_EXPORT_F_ID_ONLY ||
	    (id_only && io->what != KHSM_STATE_EXPORT_OBJECT) ||
	    (io->what != KHSM_STATE_EXPORT_OBJECT && io->handle))
		return -EINVAL;
	switch (io->what) {
	case KHSM_STATE_EXPORT_HEADER:
		io->rv = khsm_state_export_header(f->tok, &blob, &len,
						  &io->gen);
		break;
	case KHSM_STATE_EXPORT_OBJECT:
		io->rv = khsm_state_export_object(f, io->handle, id_only,
						  &blob, &len, &io->oid,
						  &io->gen);
		break;
	default:
		if (!khsm_state_admin(f))
			return -EPERM;
		io->rv = khsm_state_export_next(f->tok, &io->oid, &blob, &len,
						&io->gen);
		break;
	}
	if (io->rv) {
		kvfree(blob);
		io->len = 0;
		return 0;
	}
	ret = khsm_state_out(io, blob, len);
	/* Handed out whole: the writer stores it before any header. */
	if (!ret && !io->rv && io->buf && len && !id_only)
		khsm_persist_listed(f->tok, io->oid, io->gen);
	return ret;
}

static int khsm_state_load(struct khsm_file *f, struct khsm_state_io *io)
{
	bool so = io->flags & KHSM_STATE_LOAD_F_SO_PIN;
	u8 *blob;
	int ret = 0;

	if ((io->flags & ~KHSM_STATE_LOAD_F_SO_PIN) || io->handle ||
	    (so && io->what != KHSM_STATE_LOAD_HEADER) ||
	    (so ? !khsm_pin_check_form(&io->pin) :
		  !khsm_zero(&io->pin, sizeof(io->pin))) ||
	    (io->what != KHSM_STATE_LOAD_OBJECT && io->oid))
		return -EINVAL;
	if (!khsm_state_admin(f))
		return -EPERM;
	if (io->what == KHSM_STATE_LOAD_FINISH) {
		if (io->buf || io->len)
			return -EINVAL;
		io->rv = khsm_state_load_finish(f->tok, &io->count);
		io->status = io->count ? KHSM_STATE_MISSING : KHSM_STATE_OK;
		return 0;
	}
	if (!io->len || io->len > KHSM_STATE_MAX_BLOB)
		return -EINVAL;
	blob = kvmalloc(io->len, GFP_KERNEL_ACCOUNT);
	if (!blob)
		return -ENOMEM;
	if (copy_from_user(blob, u64_to_user_ptr(io->buf), io->len)) {
		ret = -EFAULT;
		goto out;
	}
	if (io->what == KHSM_STATE_LOAD_HEADER)
		io->rv = khsm_state_load_header(f->tok, blob, io->len,
						so ? &io->pin : NULL);
	else
		io->rv = khsm_state_load_object(f->tok, blob, io->len, io->oid,
						&io->status);
out:
	kvfree(blob);
	return ret;
}

int khsm_ioc_state(struct khsm_file *f, union khsm_ioc_arg *a)
{
	struct khsm_state_io *io = &a->state_io;

	if (!KHSM_RESERVED_OK(io))
		return -EINVAL;
	/*
	 * Out-only fields are not input: the two-call idiom sends the
	 * struct of the length query back as it came.
	 */
	io->status = 0;
	io->count = 0;
	io->gen = 0;
	switch (io->what) {
	case KHSM_STATE_EXPORT_HEADER:
	case KHSM_STATE_EXPORT_OBJECT:
		io->oid = 0;
		fallthrough;
	case KHSM_STATE_EXPORT_NEXT:
		if (!khsm_zero(&io->pin, sizeof(io->pin)))
			return -EINVAL;
		return khsm_state_export(f, io);
	case KHSM_STATE_LOAD_HEADER:
	case KHSM_STATE_LOAD_OBJECT:
	case KHSM_STATE_LOAD_FINISH:
		return khsm_state_load(f, io);
	default:
		return -EINVAL;
	}
}
