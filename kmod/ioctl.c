// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl dispatch for /dev/hsmN. This file and ioctl_op.c (the
 * cryptographic operations) are the only ones that touch user memory:
 * ioctl.c copies each struct in with copy_struct_from_user() on the
 * struct's own size field, rejects malformed input (EINVAL, E2BIG, EFAULT)
 * before any PKCS#11 decision, copies templates, data and parameters into
 * capped kernel buffers, calls the token/session/object code with kernel
 * pointers, and copies the answer back with @rv set. See the uAPI header
 * for the contract.
 *
 * EFAULT means nothing happened: every input is read and every place the
 * call will write (the struct itself, output buffers) is checked writable
 * before the call acts (khsm_probe_write()), and the struct is written back
 * last. Only a mapping that another thread changes between that check and
 * the write can fail after the call acted; the descriptor's ->undo then
 * takes back what can be taken back (the uAPI header lists the rest).
 */
#include <linux/capability.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "ioctl.h"
#include "ioctl_internal.h"
#include "khsm.h"
#include "mech.h"
#include "netlink.h"
#include "object.h"
#include "session.h"
#include "token.h"

/* errno for a PKCS#11 result, per the table at the end of the uAPI. */
static int khsm_ckr_errno(unsigned long rv)
{
	switch (rv) {
	case CKR_OK:
		return 0;
	case CKR_USER_NOT_LOGGED_IN:
	case CKR_USER_ALREADY_LOGGED_IN:
	case CKR_USER_ANOTHER_ALREADY_LOGGED_IN:
	case CKR_USER_PIN_NOT_INITIALIZED:
	case CKR_USER_TYPE_INVALID:
	case CKR_USER_TOO_MANY_TYPES:
	case CKR_PIN_INCORRECT:
	case CKR_PIN_LOCKED:
		return -EACCES;
	case CKR_ATTRIBUTE_SENSITIVE:
	case CKR_KEY_FUNCTION_NOT_PERMITTED:
	case CKR_ACTION_PROHIBITED:
	case CKR_ATTRIBUTE_READ_ONLY:
	case CKR_SESSION_READ_ONLY:
	case CKR_SESSION_READ_ONLY_EXISTS:
	case CKR_TOKEN_WRITE_PROTECTED:
	case CKR_KEY_UNEXTRACTABLE:
	case CKR_KEY_NOT_WRAPPABLE:
		return -EPERM;
	case CKR_SESSION_HANDLE_INVALID:
	case CKR_OBJECT_HANDLE_INVALID:
	case CKR_KEY_HANDLE_INVALID:
		return -ENOENT;
	case CKR_BUFFER_TOO_SMALL:
		return -ENOSPC;
	case CKR_OPERATION_ACTIVE:
	case CKR_SESSION_EXISTS:
	case CKR_SESSION_COUNT:
		return -EBUSY;
	case CKR_OPERATION_NOT_INITIALIZED:
		return -ENOMSG;
	case CKR_SIGNATURE_INVALID:
	case CKR_ENCRYPTED_DATA_INVALID:
	case CKR_ENCRYPTED_DATA_LEN_RANGE:
	case CKR_WRAPPED_KEY_INVALID:
	case CKR_WRAPPED_KEY_LEN_RANGE:
		return -EBADMSG;
	case CKR_MECHANISM_INVALID:
	case CKR_KEY_TYPE_INCONSISTENT:
	case CKR_CURVE_NOT_SUPPORTED:
		return -EOPNOTSUPP;
	case CKR_HOST_MEMORY:
	case CKR_DEVICE_MEMORY:
		return -ENOMEM;
	case CKR_DEVICE_REMOVED:
		return -ENODEV;
	case CKR_DEVICE_ERROR:
	case CKR_GENERAL_ERROR:
	case CKR_FUNCTION_FAILED:
		return -EIO;
	}
	return -EINVAL;
}

/*
 * Whether the caller can read (@write: write) every page of [@p, @p +
 * @len): one byte of each page is read, and for @write the same byte
 * written back, so nothing changes (protection is per page). 0, -EFAULT,
 * or -EINTR for a fatal signal during a long check.
 */
static int khsm_probe(u8 __user *p, u64 len, bool write)
{
	unsigned long addr = (unsigned long)p;
	unsigned int n = 0;
	u8 b;

	if (!len)
		return 0;
	if (!access_ok(p, len))
		return -EFAULT;
	while (len) {
		u64 step = min_t(u64, len, PAGE_SIZE - offset_in_page(addr));

		if (get_user(b, (u8 __user *)addr) ||
		    (write && put_user(b, (u8 __user *)addr)))
			return -EFAULT;
		addr += step;
		len -= step;
		if (!(++n % 1024)) {
			cond_resched();
			if (fatal_signal_pending(current))
				return -EINTR;
		}
	}
	return 0;
}

int khsm_probe_write(u8 __user *p, u64 len)
{
	return khsm_probe(p, len, true);
}

/* The same for reading (input that is streamed, not copied first). */
int khsm_probe_read(const u8 __user *p, u64 len)
{
	return khsm_probe((u8 __user *)p, len, false);
}

/* Zero every field after the header: out-only structs start clean. */
static void khsm_clear_out(union khsm_ioc_arg *a, size_t size)
{
	memset((u8 *)a + sizeof(a->hdr), 0, size - sizeof(a->hdr));
}

/* A retry limit of INIT_TOKEN: 0 (the default) or within the bounds. */
static bool khsm_pin_failures_ok(u32 n)
{
	return !n || (n >= KHSM_MIN_PIN_FAILURES &&
		      n <= KHSM_MAX_PIN_FAILURES_LIMIT);
}

/* A new PIN: Argon2id cost inside the uAPI's bounds. */
static bool khsm_pin_new_form(const struct khsm_pin *p)
{
	return p->t_cost >= KHSM_MIN_T_COST && p->t_cost <= KHSM_MAX_T_COST &&
	       p->m_cost_kib >= KHSM_MIN_M_COST_KIB &&
	       p->m_cost_kib <= KHSM_MAX_M_COST_KIB &&
	       p->parallelism >= KHSM_MIN_PARALLELISM &&
	       p->parallelism <= KHSM_MAX_PARALLELISM &&
	       p->m_cost_kib >= 8 * p->parallelism;
}

/* --- templates ----------------------------------------------------------- */

struct khsm_ktmpl {
	struct khsm_tmpl t;
	struct khsm_tattr *a;
	u8 *vals;			/* every value, one after the other */
	size_t vals_len;
};

static void khsm_ktmpl_free(struct khsm_ktmpl *k)
{
	if (k->vals)
		kvfree_sensitive(k->vals, k->vals_len);
	k->vals = NULL;
	k->vals_len = 0;
	kfree(k->a);
	k->a = NULL;
	k->t.count = 0;
}

/*
 * Copy a khsm_attr[count] template and every value into kernel memory (the
 * values into one buffer: one allocation per template, not per value).
 */
static int khsm_ktmpl_in(struct khsm_ktmpl *k, u64 uptr, u32 count)
{
	struct khsm_attr *ua;
	size_t off = 0;
	u32 i;
	int err = 0;

	k->a = NULL;
	k->vals = NULL;
	k->vals_len = 0;
	k->t.count = 0;
	k->t.a = NULL;
	if (count > KHSM_MAX_TEMPLATE)
		return -EINVAL;
	if (!count)
		return 0;
	ua = memdup_user(u64_to_user_ptr(uptr), count * sizeof(*ua));
	if (IS_ERR(ua))
		return PTR_ERR(ua);
	for (i = 0; i < count; i++) {
		if (ua[i].flags || ua[i].len > KHSM_MAX_ATTR_LEN)
			err = -EINVAL;
		k->vals_len += ua[i].len;
	}
	if (err)
		goto out;
	k->a = kcalloc(count, sizeof(*k->a), GFP_KERNEL);
	k->vals = kvmalloc(max_t(size_t, k->vals_len, 1), GFP_KERNEL);
	if (!k->a || !k->vals) {
		err = -ENOMEM;
		khsm_ktmpl_free(k);
		goto out;
	}
	k->t.a = k->a;
	k->t.count = count;
	for (i = 0; i < count; i++) {
		k->a[i].type = ua[i].type;
		k->a[i].len = ua[i].len;
		if (!ua[i].len)
			continue;
		k->a[i].val = k->vals + off;
		if (copy_from_user(k->vals + off, u64_to_user_ptr(ua[i].value),
				   ua[i].len)) {
			err = -EFAULT;
			khsm_ktmpl_free(k);
			goto out;
		}
		off += ua[i].len;
	}
out:
	kfree(ua);
	return err;
}

/* --- token --------------------------------------------------------------- */

static int khsm_ioc_version(struct khsm_file *f, union khsm_ioc_arg *a)
{
	if (!KHSM_RESERVED_OK(&a->version) ||
	    !khsm_zero(a->version.reserved1, sizeof(a->version.reserved1)))
		return -EINVAL;
	khsm_clear_out(a, sizeof(a->version));
	khsm_token_version(f->tok, &a->version);
	return 0;
}

static int khsm_ioc_token_info(struct khsm_file *f, union khsm_ioc_arg *a)
{
	if (!KHSM_RESERVED_OK(&a->token_info))
		return -EINVAL;
	khsm_clear_out(a, sizeof(a->token_info));
	khsm_token_info(f, &a->token_info);
	return 0;
}

static int khsm_ioc_init_token(struct khsm_file *f, union khsm_ioc_arg *a)
{
	struct khsm_init_token *it = &a->init_token;
	int ret = 0;

	if (!KHSM_RESERVED_OK(it) || !khsm_pin_failures_ok(it->max_pin_failures) ||
	    (it->flags & ~KHSM_INIT_TOKEN_F_ALL) ||
	    !khsm_pin_check_form(&it->so_check) ||
	    !khsm_pin_new_form(&it->so_new))
		ret = -EINVAL;
	else
		it->rv = khsm_token_init_token(f, it->label, &it->so_check,
					       &it->so_new, it->flags,
					       it->max_pin_failures);
	return ret;
}

/*
 * Root's recovery (uAPI KHSM_IOC_ADMIN_INIT_TOKEN): CAP_SYS_ADMIN in the
 * credentials the file was opened with and in the caller, so neither a
 * file passed from root nor root using a member's file is enough.
 */
static int khsm_ioc_admin_init_token(struct khsm_file *f,
				     union khsm_ioc_arg *a)
{
	struct khsm_admin_init_token *ai = &a->admin_init_token;

	if (!KHSM_RESERVED_OK(ai) || !khsm_pin_failures_ok(ai->max_pin_failures) ||
	    (ai->flags & ~KHSM_INIT_TOKEN_F_ALL) ||
	    !khsm_pin_new_form(&ai->so_new))
		return -EINVAL;
	if (!f->admin || !capable(CAP_SYS_ADMIN))
		return -EPERM;
	ai->rv = khsm_token_admin_init(f->tok, ai->label, &ai->so_new,
				       ai->flags, ai->max_pin_failures);
	return 0;
}

static int khsm_ioc_pin(struct khsm_file *f, union khsm_ioc_arg *a, bool init)
{
	struct khsm_set_pin *sp = &a->set_pin;
	int ret = 0;

	if (!KHSM_RESERVED_OK(sp) || sp->flags ||
	    !khsm_pin_new_form(&sp->new_pin))
		ret = -EINVAL;
	else if (init && !khsm_zero(&sp->old_pin, sizeof(sp->old_pin)))
		ret = -EINVAL;
	else if (!init && !khsm_pin_check_form(&sp->old_pin))
		ret = -EINVAL;
	else if (init)
		sp->rv = khsm_token_init_pin(f, sp->session, &sp->new_pin);
	else
		sp->rv = khsm_token_set_pin(f, sp->session, &sp->old_pin,
					    &sp->new_pin);
	return ret;
}

static int khsm_ioc_init_pin(struct khsm_file *f, union khsm_ioc_arg *a)
{
	return khsm_ioc_pin(f, a, true);
}

static int khsm_ioc_set_pin(struct khsm_file *f, union khsm_ioc_arg *a)
{
	return khsm_ioc_pin(f, a, false);
}

static int khsm_ioc_login(struct khsm_file *f, union khsm_ioc_arg *a)
{
	struct khsm_login *l = &a->login;
	int ret = 0;

	if (!KHSM_RESERVED_OK(l) || !khsm_pin_check_form(&l->pin))
		ret = -EINVAL;
	else
		l->rv = khsm_token_login(f, l->session, l->user_type, &l->pin);
	return ret;
}

/* A wrong PIN stays counted: only a successful login is taken back. */
static void khsm_undo_login(struct khsm_file *f, const union khsm_ioc_arg *a)
{
	if (a->login.user_type == CKU_SO || a->login.user_type == CKU_USER)
		khsm_token_login_undo(f, a->login.user_type);
	else if (a->login.user_type == CKU_CONTEXT_SPECIFIC)
		khsm_session_context_login_undo(f, a->login.session);
}

static int khsm_ioc_logout(struct khsm_file *f, union khsm_ioc_arg *a)
{
	struct khsm_login *l = &a->login;

	if (!KHSM_RESERVED_OK(l) || !khsm_zero(&l->pin, sizeof(l->pin)))
		return -EINVAL;
	l->rv = khsm_token_logout(f, l->session);
	return 0;
}

static int khsm_ioc_random(struct khsm_file *f, union khsm_ioc_arg *a)
{
	struct khsm_random *r = &a->random;
	int ret = 0;
	u8 *buf;

	if (!KHSM_RESERVED_OK(r) || r->flags || r->len > KHSM_MAX_DATA_LEN)
		return -EINVAL;
	ret = khsm_probe_write(u64_to_user_ptr(r->buf), r->len);
	if (ret)
		return ret;
	buf = kvmalloc(r->len ? r->len : 1, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	r->rv = khsm_token_random(f, r->session, buf, r->len);
	if (!r->rv && copy_to_user(u64_to_user_ptr(r->buf), buf, r->len))
		ret = -EFAULT;
	kvfree_sensitive(buf, r->len ? r->len : 1);
	return ret;
}

/* --- sessions ------------------------------------------------------------ */

static int khsm_ioc_open_session(struct khsm_file *f, union khsm_ioc_arg *a)
{
	struct khsm_session *s = &a->session;
	u32 handle = 0;

	if (!KHSM_RESERVED_OK(s) || s->pad0 ||
	    (s->flags & ~(u32)(CKF_SERIAL_SESSION | CKF_RW_SESSION)))
		return -EINVAL;
	s->rv = khsm_session_open(f, s->flags, &handle);
	s->session = handle;
	s->state = 0;
	return 0;
}

static void khsm_undo_open_session(struct khsm_file *f,
				   const union khsm_ioc_arg *a)
{
	khsm_session_close(f, a->session.session);
}

static int khsm_ioc_close_session(struct khsm_file *f, union khsm_ioc_arg *a)
{
	struct khsm_session *s = &a->session;

	if (!KHSM_RESERVED_OK(s) || s->pad0)
		return -EINVAL;
	s->rv = khsm_session_close(f, s->session);
	return 0;
}

static int khsm_ioc_close_all(struct khsm_file *f, union khsm_ioc_arg *a)
{
	struct khsm_session *s = &a->session;

	if (!KHSM_RESERVED_OK(s) || s->pad0 || s->session)
		return -EINVAL;
	s->rv = khsm_session_close_all(f);
	return 0;
}

static int khsm_ioc_session_info(struct khsm_file *f, union khsm_ioc_arg *a)
{
	struct khsm_session *s = &a->session;
	u32 flags = 0, state = 0;

	if (!KHSM_RESERVED_OK(s) || s->pad0)
		return -EINVAL;
	s->rv = khsm_session_info(f, s->session, &flags, &state);
	s->flags = flags;
	s->state = state;
	return 0;
}

/* --- objects ------------------------------------------------------------- */

static int khsm_ioc_create(struct khsm_file *f, union khsm_ioc_arg *a)
{
	struct khsm_object *o = &a->object;
	struct khsm_ktmpl k;
	u32 handle = 0;
	int ret;

	if (!KHSM_RESERVED_OK(o) || o->flags)
		return -EINVAL;
	ret = khsm_ktmpl_in(&k, o->tmpl, o->count);
	if (ret)
		return ret;
	o->rv = khsm_object_create(f, o->session, &k.t, &handle);
	o->object = handle;
	khsm_ktmpl_free(&k);
	return 0;
}

static int khsm_ioc_copy(struct khsm_file *f, union khsm_ioc_arg *a)
{
	struct khsm_object *o = &a->object;
	struct khsm_ktmpl k;
	u32 handle = 0;
	int ret;

	if (!KHSM_RESERVED_OK(o) || o->flags)
		return -EINVAL;
	ret = khsm_ktmpl_in(&k, o->tmpl, o->count);
	if (ret)
		return ret;
	o->rv = khsm_object_copy(f, o->session, o->object, &k.t, &handle);
	if (!o->rv)
		o->object = handle;
	khsm_ktmpl_free(&k);
	return 0;
}

/* CREATE_OBJECT, COPY_OBJECT: the new object goes again. */
static void khsm_undo_object(struct khsm_file *f, const union khsm_ioc_arg *a)
{
	khsm_object_discard(f, a->object.object);
}

/* What an OBJECT_DESTROY event says, read before the object goes. */
static bool khsm_destroy_event_prep(struct khsm_file *f, u32 handle,
				    struct khsm_nl_ev *ev)
{
	struct khsm_obj *obj;

	if (!khsm_nl_listening())
		return false;
	khsm_nl_ev_init(ev);
	mutex_lock(&f->tok->lock);
	obj = khsm_object_lookup(f, handle);
	if (obj)
		khsm_nl_ev_object(ev, obj);
	mutex_unlock(&f->tok->lock);
	return obj;
}

static int khsm_ioc_destroy(struct khsm_file *f, union khsm_ioc_arg *a)
{
	struct khsm_object *o = &a->object;
	struct khsm_nl_ev ev;
	bool event;

	if (!KHSM_RESERVED_OK(o) || o->flags)
		return -EINVAL;
	event = khsm_destroy_event_prep(f, o->object, &ev);
	o->rv = khsm_object_destroy(f, o->session, o->object);
	if (o->rv == CKR_OK && event)
		khsm_nl_event(f->tok, KHSM_EVENT_OBJECT_DESTROY, &ev);
	return 0;
}

static int khsm_ioc_set_attrs(struct khsm_file *f, union khsm_ioc_arg *a)
{
	struct khsm_object *o = &a->object;
	struct khsm_ktmpl k;
	int ret;

	if (!KHSM_RESERVED_OK(o) || o->flags)
		return -EINVAL;
	ret = khsm_ktmpl_in(&k, o->tmpl, o->count);
	if (ret)
		return ret;
	o->rv = khsm_object_set_attrs(f, o->session, o->object, &k.t);
	khsm_ktmpl_free(&k);
	return 0;
}

static void khsm_gattrs_free(struct khsm_gattr *g, u32 n)
{
	u32 i;

	if (!g)
		return;
	for (i = 0; i < n; i++)
		kvfree_sensitive(g[i].buf, g[i].buf ?
				 max_t(u64, 1, min_t(u64, g[i].len,
						     KHSM_MAX_ATTR_LEN)) : 0);
	kfree(g);
}

/* Whether entry @i of GET_ATTRS gets its value written. */
static bool khsm_gattr_fits(const struct khsm_gattr *g, const u64 *cap, u32 i)
{
	return g[i].buf && g[i].len && g[i].len <= cap[i] &&
	       g[i].len <= KHSM_MAX_ATTR_LEN;
}

/*
 * GET_ATTRS: the per-attribute answers (length or KHSM_LEN_UNAVAILABLE)
 * are copied back whenever a decision was reached, values only for the
 * entries that got one. Every place written (the template, the values)
 * is checked writable before the first is written.
 */
static int khsm_ioc_get_attrs(struct khsm_file *f, union khsm_ioc_arg *a)
{
	struct khsm_object *o = &a->object;
	struct khsm_attr *ua = NULL;
	struct khsm_gattr *g = NULL;
	u64 *cap = NULL;
	u32 i, n = o->count;
	unsigned long rv;
	int ret = 0;

	if (!KHSM_RESERVED_OK(o) || o->flags || n > KHSM_MAX_TEMPLATE)
		return -EINVAL;
	if (n) {
		ua = memdup_user(u64_to_user_ptr(o->tmpl), n * sizeof(*ua));
		if (IS_ERR(ua))
			return PTR_ERR(ua);
	}
	for (i = 0; i < n; i++)
		if (ua[i].flags)
			ret = -EINVAL;
	if (ret)
		goto out;
	g = kcalloc(n ? n : 1, sizeof(*g), GFP_KERNEL);
	cap = kcalloc(n ? n : 1, sizeof(*cap), GFP_KERNEL);
	if (!g || !cap) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		g[i].type = ua[i].type;
		g[i].len = ua[i].len;
		cap[i] = ua[i].len;
		if (!ua[i].value)
			continue;
		g[i].buf = kvzalloc(max_t(u64, 1, min_t(u64, ua[i].len,
							KHSM_MAX_ATTR_LEN)),
				    GFP_KERNEL);
		if (!g[i].buf) {
			ret = -ENOMEM;
			goto out;
		}
	}
	rv = khsm_object_get_attrs(f, o->session, o->object, g, n);
	if (rv && rv != CKR_ATTRIBUTE_SENSITIVE &&
	    rv != CKR_ATTRIBUTE_TYPE_INVALID && rv != CKR_BUFFER_TOO_SMALL) {
		o->rv = rv;
		goto out;
	}
	ret = khsm_probe_write(u64_to_user_ptr(o->tmpl), n * sizeof(*ua));
	for (i = 0; i < n && !ret; i++)
		if (khsm_gattr_fits(g, cap, i))
			ret = khsm_probe_write(u64_to_user_ptr(ua[i].value),
					       g[i].len);
	if (ret)
		goto out;
	for (i = 0; i < n; i++) {
		/* Only entries whose value fitted carry one. */
		if (khsm_gattr_fits(g, cap, i) &&
		    copy_to_user(u64_to_user_ptr(ua[i].value), g[i].buf,
				 g[i].len)) {
			ret = -EFAULT;
			goto out;
		}
		ua[i].len = g[i].len;
	}
	if (n && copy_to_user(u64_to_user_ptr(o->tmpl), ua,
			      n * sizeof(*ua))) {
		ret = -EFAULT;
		goto out;
	}
	o->rv = rv;
out:
	/* g[i].len now holds answers; free with the sizes allocated. */
	if (g && cap)
		for (i = 0; i < n; i++)
			g[i].len = cap[i];
	khsm_gattrs_free(g, n);
	kfree(cap);
	if (!IS_ERR_OR_NULL(ua))
		kfree(ua);
	return ret;
}

/* --- find ---------------------------------------------------------------- */

static int khsm_ioc_find_init(struct khsm_file *f, union khsm_ioc_arg *a)
{
	struct khsm_find *fi = &a->find;
	struct khsm_ktmpl k;
	int ret;

	if (!KHSM_RESERVED_OK(fi) || fi->flags || fi->pad0)
		return -EINVAL;
	ret = khsm_ktmpl_in(&k, fi->ptr, fi->count);
	if (ret)
		return ret;
	fi->rv = khsm_find_init(f, fi->session, &k.t);
	khsm_ktmpl_free(&k);
	return 0;
}

static void khsm_undo_find_init(struct khsm_file *f,
				const union khsm_ioc_arg *a)
{
	khsm_find_final(f, a->find.session);
}

static int khsm_ioc_find(struct khsm_file *f, union khsm_ioc_arg *a)
{
	struct khsm_find *fi = &a->find;
	u32 max = min_t(u32, fi->count, KHSM_MAX_FIND);
	u32 *h, got = 0;
	int ret = 0;

	if (!KHSM_RESERVED_OK(fi) || fi->flags || fi->pad0)
		return -EINVAL;
	/* The handles consumed must be deliverable. */
	ret = khsm_probe_write(u64_to_user_ptr(fi->ptr), max * sizeof(*h));
	if (ret)
		return ret;
	h = kcalloc(KHSM_MAX_FIND, sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	fi->rv = khsm_find_next(f, fi->session, h, max, &got);
	if (got && copy_to_user(u64_to_user_ptr(fi->ptr), h,
				got * sizeof(*h))) {
		khsm_find_unread(f, fi->session);
		ret = -EFAULT;
	}
	fi->count = got;
	kfree(h);
	return ret;
}

/* The handles go back: the next FIND returns them. */
static void khsm_undo_find(struct khsm_file *f, const union khsm_ioc_arg *a)
{
	if (a->find.count)
		khsm_find_unread(f, a->find.session);
}

static int khsm_ioc_find_final(struct khsm_file *f, union khsm_ioc_arg *a)
{
	struct khsm_find *fi = &a->find;

	if (!KHSM_RESERVED_OK(fi) || fi->flags || fi->pad0)
		return -EINVAL;
	fi->rv = khsm_find_final(f, fi->session);
	return 0;
}

/* --- key generation ------------------------------------------------------ */

static int khsm_ioc_generate_key(struct khsm_file *f, union khsm_ioc_arg *a)
{
	struct khsm_keygen *kg = &a->keygen;
	struct khsm_ktmpl k;
	u32 handle = 0;
	int ret;

	if (!KHSM_RESERVED_OK(kg) || kg->flags || kg->priv_count ||
	    kg->priv_template || kg->param_len > KHSM_MAX_PARAM_LEN)
		return -EINVAL;
	ret = khsm_ktmpl_in(&k, kg->pub_template, kg->pub_count);
	if (ret)
		return ret;
	kg->rv = khsm_generate_key(f, kg->session, kg->mechanism,
				   kg->param_len, &k.t, &handle);
	kg->pub_handle = handle;
	kg->priv_handle = 0;
	khsm_ktmpl_free(&k);
	return 0;
}

static int khsm_ioc_generate_key_pair(struct khsm_file *f,
				      union khsm_ioc_arg *a)
{
	struct khsm_keygen *kg = &a->keygen;
	struct khsm_ktmpl pub, priv;
	u32 ph = 0, qh = 0;
	int ret;

	if (!KHSM_RESERVED_OK(kg) || kg->flags ||
	    kg->param_len > KHSM_MAX_PARAM_LEN ||
	    kg->priv_count > KHSM_MAX_TEMPLATE)
		return -EINVAL;
	ret = khsm_ktmpl_in(&pub, kg->pub_template, kg->pub_count);
	if (ret)
		return ret;
	ret = khsm_ktmpl_in(&priv, kg->priv_template, kg->priv_count);
	if (ret) {
		khsm_ktmpl_free(&pub);
		return ret;
	}
	kg->rv = khsm_generate_key_pair(f, kg->session, kg->mechanism,
					kg->param_len, &pub.t, &priv.t,
					&ph, &qh);
	kg->pub_handle = kg->rv ? 0 : ph;
	kg->priv_handle = kg->rv ? 0 : qh;
	khsm_ktmpl_free(&pub);
	khsm_ktmpl_free(&priv);
	return 0;
}

/* GENERATE_KEY(_PAIR): the new keys go again. */
static void khsm_undo_keygen(struct khsm_file *f, const union khsm_ioc_arg *a)
{
	khsm_object_discard(f, a->keygen.pub_handle);
	khsm_object_discard(f, a->keygen.priv_handle);
}

/* --- key derivation ------------------------------------------------------ */

/* The flat parameter's form, as its mechanism judges it (->param_check). */
static bool khsm_derive_param_ok(unsigned long mech, const u8 *p, u32 len)
{
	const struct khsm_mech *m = khsm_mech_find(mech);

	return !m || !m->param_check || m->param_check(p, len);
}

static int khsm_ioc_derive_key(struct khsm_file *f, union khsm_ioc_arg *a)
{
	struct khsm_derive *d = &a->derive;
	struct khsm_ktmpl k;
	u8 *param = NULL;
	u32 handle = 0;
	int ret;

	if (!KHSM_RESERVED_OK(d) || d->flags || d->pad0 ||
	    d->param_len > KHSM_MAX_PARAM_LEN)
		return -EINVAL;
	if (d->param_len) {
		param = kvmalloc(d->param_len, GFP_KERNEL);
		if (!param)
			return -ENOMEM;
		if (copy_from_user(param, u64_to_user_ptr(d->param),
				   d->param_len)) {
			ret = -EFAULT;
			goto out;
		}
		if (!khsm_derive_param_ok(d->mechanism, param, d->param_len)) {
			ret = -EINVAL;
			goto out;
		}
	}
	ret = khsm_ktmpl_in(&k, d->tmpl, d->count);
	if (ret)
		goto out;
	d->rv = khsm_derive_key(f, d->session, d->mechanism, d->base_key,
				param, d->param_len, &k.t, &handle);
	d->handle = d->rv ? 0 : handle;
	khsm_ktmpl_free(&k);
out:
	kvfree_sensitive(param, d->param_len);
	return ret;
}

/* DERIVE_KEY: the new key goes again. */
static void khsm_undo_derive(struct khsm_file *f, const union khsm_ioc_arg *a)
{
	khsm_object_discard(f, a->derive.handle);
}

/* --- key wrapping ------------------------------------------------------- */

/* A flat parameter copied in (NULL for none) and checked for its form. */
static int khsm_param_in(unsigned long mech, u64 uptr, u32 len, u8 **param)
{
	*param = NULL;
	if (!len)
		return 0;
	*param = kvmalloc(len, GFP_KERNEL);
	if (!*param)
		return -ENOMEM;
	if (copy_from_user(*param, u64_to_user_ptr(uptr), len))
		return -EFAULT;
	if (!khsm_derive_param_ok(mech, *param, len))
		return -EINVAL;
	return 0;
}

/*
 * WRAP_KEY changes nothing on the token: the output is checked writable
 * first anyway, so an EFAULT comes before the key is wrapped.
 */
static int khsm_ioc_wrap_key(struct khsm_file *f, union khsm_ioc_arg *a)
{
	struct khsm_wrap_key *w = &a->wrap_key;
	u8 __user *uout = u64_to_user_ptr(w->out);
	size_t cap, len;
	u8 *param, *out = NULL;
	int ret;

	if (!KHSM_RESERVED_OK(w) || w->flags ||
	    w->param_len > KHSM_MAX_PARAM_LEN)
		return -EINVAL;
	ret = khsm_param_in(w->mechanism, w->param, w->param_len, &param);
	if (ret)
		goto out;
	cap = min_t(u64, w->out_len, KHSM_MAX_WRAPPED_LEN);
	if (w->out) {
		ret = khsm_probe_write(uout, cap);
		if (ret)
			goto out;
		out = kvzalloc(max_t(size_t, cap, 1), GFP_KERNEL);
		if (!out) {
			ret = -ENOMEM;
			goto out;
		}
	}
	len = cap;
	w->rv = khsm_wrap_key(f, w->session, w->mechanism, param,
			      w->param_len, w->wrapping_key, w->key, out,
			      &len);
	if (w->rv == CKR_OK && out && len > cap) {
		w->rv = CKR_GENERAL_ERROR;
		len = 0;
	}
	if (w->rv == CKR_OK || w->rv == CKR_BUFFER_TOO_SMALL)
		w->out_len = len;
	if (w->rv == CKR_OK && out && len && copy_to_user(uout, out, len))
		ret = -EFAULT;
out:
	if (out)
		kvfree_sensitive(out, max_t(size_t, cap, 1));
	if (param)
		kvfree_sensitive(param, w->param_len);
	return ret;
}

static int khsm_ioc_unwrap_key(struct khsm_file *f, union khsm_ioc_arg *a)
{
	struct khsm_unwrap_key *u = &a->unwrap_key;
	struct khsm_ktmpl k;
	u8 *param, *in = NULL;
	u32 handle = 0;
	int ret;

	if (!KHSM_RESERVED_OK(u) || u->flags || u->pad0 ||
	    u->param_len > KHSM_MAX_PARAM_LEN ||
	    u->in_len > KHSM_MAX_WRAPPED_LEN)
		return -EINVAL;
	ret = khsm_param_in(u->mechanism, u->param, u->param_len, &param);
	if (ret)
		goto out;
	in = kvmalloc(max_t(u64, u->in_len, 1), GFP_KERNEL);
	if (!in) {
		ret = -ENOMEM;
		goto out;
	}
	if (copy_from_user(in, u64_to_user_ptr(u->in), u->in_len)) {
		ret = -EFAULT;
		goto out;
	}
	ret = khsm_ktmpl_in(&k, u->tmpl, u->count);
	if (ret)
		goto out;
	u->rv = khsm_unwrap_key(f, u->session, u->mechanism, param,
				u->param_len, u->unwrapping_key, in, u->in_len,
				&k.t, &handle);
	u->handle = u->rv ? 0 : handle;
	khsm_ktmpl_free(&k);
out:
	kvfree(in);		/* the wrapped key: encrypted */
	if (param)
		kvfree_sensitive(param, u->param_len);
	return ret;
}

/* UNWRAP_KEY: the new key goes again. */
static void khsm_undo_unwrap(struct khsm_file *f, const union khsm_ioc_arg *a)
{
	khsm_object_discard(f, a->unwrap_key.handle);
}

/* --- dispatch ------------------------------------------------------------ */

#define KHSM_IOC_U(name, handler, undo_fn, type, stype)			\
	[_IOC_NR(KHSM_IOC_##name)] = {					\
		.fn = handler,						\
		.undo = undo_fn,					\
		.min_size = KHSM_##type##_SIZE_VER0,			\
		.size = sizeof(struct khsm_##stype),			\
	}
#define KHSM_IOC(name, handler, type, stype)				\
	KHSM_IOC_U(name, handler, NULL, type, stype)

/*
 * No undo: read-only calls, and INIT_TOKEN, INIT_PIN, SET_PIN, LOGOUT,
 * CLOSE_SESSION, CLOSE_ALL, DESTROY_OBJECT, SET_ATTRS, FIND_FINAL, whose
 * change cannot be taken back (the uAPI header says so).
 */

static const struct khsm_ioc_desc khsm_ioctls[] = {
	KHSM_IOC(VERSION, khsm_ioc_version, VERSION, version),
	KHSM_IOC(TOKEN_INFO, khsm_ioc_token_info, TOKEN_INFO, token_info),
	KHSM_IOC(INIT_TOKEN, khsm_ioc_init_token, INIT_TOKEN, init_token),
	KHSM_IOC(INIT_PIN, khsm_ioc_init_pin, SET_PIN, set_pin),
	KHSM_IOC(SET_PIN, khsm_ioc_set_pin, SET_PIN, set_pin),
	KHSM_IOC_U(LOGIN, khsm_ioc_login, khsm_undo_login, LOGIN, login),
	KHSM_IOC(LOGOUT, khsm_ioc_logout, LOGIN, login),
	KHSM_IOC_U(OPEN_SESSION, khsm_ioc_open_session, khsm_undo_open_session,
		   SESSION, session),
	KHSM_IOC(CLOSE_SESSION, khsm_ioc_close_session, SESSION, session),
	KHSM_IOC(CLOSE_ALL, khsm_ioc_close_all, SESSION, session),
	KHSM_IOC(SESSION_INFO, khsm_ioc_session_info, SESSION, session),
	KHSM_IOC_U(CREATE_OBJECT, khsm_ioc_create, khsm_undo_object, OBJECT,
		   object),
	KHSM_IOC_U(COPY_OBJECT, khsm_ioc_copy, khsm_undo_object, OBJECT, object),
	KHSM_IOC(DESTROY_OBJECT, khsm_ioc_destroy, OBJECT, object),
	KHSM_IOC(GET_ATTRS, khsm_ioc_get_attrs, OBJECT, object),
	KHSM_IOC(SET_ATTRS, khsm_ioc_set_attrs, OBJECT, object),
	KHSM_IOC_U(FIND_INIT, khsm_ioc_find_init, khsm_undo_find_init, FIND,
		   find),
	KHSM_IOC_U(FIND, khsm_ioc_find, khsm_undo_find, FIND, find),
	KHSM_IOC(FIND_FINAL, khsm_ioc_find_final, FIND, find),
	KHSM_IOC_U(GENERATE_KEY, khsm_ioc_generate_key, khsm_undo_keygen,
		   KEYGEN, keygen),
	KHSM_IOC_U(GENERATE_KEY_PAIR, khsm_ioc_generate_key_pair,
		   khsm_undo_keygen, KEYGEN, keygen),
	KHSM_IOC_U(OP_INIT, khsm_ioc_op_init, khsm_undo_op_init, OP_INIT,
		   op_init),
	KHSM_IOC_U(OP_DATA, khsm_ioc_op_data, khsm_undo_op_data, OP_DATA,
		   op_data),
	KHSM_IOC(GENERATE_RANDOM, khsm_ioc_random, RANDOM, random),
	KHSM_IOC(MECH_LIST, khsm_ioc_mech_list, MECH_LIST, mech_list),
	KHSM_IOC(MECH_INFO, khsm_ioc_mech_info, MECH_INFO, mech_info),
	KHSM_IOC(ADMIN_INIT_TOKEN, khsm_ioc_admin_init_token, ADMIN_INIT_TOKEN,
		 admin_init_token),
	KHSM_IOC_U(DERIVE_KEY, khsm_ioc_derive_key, khsm_undo_derive, DERIVE,
		   derive),
	KHSM_IOC(WRAP_KEY, khsm_ioc_wrap_key, WRAP_KEY, wrap_key),
	KHSM_IOC_U(UNWRAP_KEY, khsm_ioc_unwrap_key, khsm_undo_unwrap,
		   UNWRAP_KEY, unwrap_key),
	KHSM_IOC(STATE, khsm_ioc_state, STATE_IO, state_io),
};

/* The structs are the ABI: fixed size, no implicit holes. */
static void khsm_build_check_abi(void)
{
	BUILD_BUG_ON(sizeof(struct khsm_version) != KHSM_VERSION_SIZE_VER1);
	BUILD_BUG_ON(sizeof(struct khsm_token_info) !=
		     KHSM_TOKEN_INFO_SIZE_VER1);
	BUILD_BUG_ON(sizeof(struct khsm_state_io) != KHSM_STATE_IO_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct khsm_init_token) !=
		     KHSM_INIT_TOKEN_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct khsm_admin_init_token) !=
		     KHSM_ADMIN_INIT_TOKEN_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct khsm_set_pin) != KHSM_SET_PIN_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct khsm_login) != KHSM_LOGIN_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct khsm_session) != KHSM_SESSION_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct khsm_object) != KHSM_OBJECT_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct khsm_find) != KHSM_FIND_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct khsm_keygen) != KHSM_KEYGEN_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct khsm_op_init) != KHSM_OP_INIT_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct khsm_op_data) != KHSM_OP_DATA_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct khsm_random) != KHSM_RANDOM_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct khsm_mech_list) !=
		     KHSM_MECH_LIST_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct khsm_mech_info) !=
		     KHSM_MECH_INFO_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct khsm_attr) != 24);
	BUILD_BUG_ON(sizeof(struct khsm_pin) != 64);
	BUILD_BUG_ON(sizeof(struct khsm_gcm_params) != 16);
	BUILD_BUG_ON(sizeof(struct khsm_derive) != KHSM_DERIVE_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct khsm_ecdh1_derive_params) != 16);
	BUILD_BUG_ON(sizeof(struct khsm_hkdf_params) != 48);
	BUILD_BUG_ON(sizeof(struct khsm_wrap_key) != KHSM_WRAP_KEY_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct khsm_unwrap_key) !=
		     KHSM_UNWRAP_KEY_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct khsm_rsa_aes_key_wrap_params) != 8);
	BUILD_BUG_ON(ARRAY_SIZE(khsm_ioctls) != KHSM_IOC_NR_MAX + 1);
}

/* OBJECT_CREATE events of a delivered answer (netlink.c). */
static void khsm_ioc_events(struct khsm_file *f, unsigned int nr,
			    const union khsm_ioc_arg *a)
{
	u32 h1 = 0, h2 = 0;

	if (!khsm_nl_listening())
		return;
	switch (nr) {
	case _IOC_NR(KHSM_IOC_CREATE_OBJECT):
	case _IOC_NR(KHSM_IOC_COPY_OBJECT):
		h1 = a->object.object;
		break;
	case _IOC_NR(KHSM_IOC_GENERATE_KEY):
	case _IOC_NR(KHSM_IOC_GENERATE_KEY_PAIR):
		h1 = a->keygen.pub_handle;
		h2 = a->keygen.priv_handle;
		break;
	case _IOC_NR(KHSM_IOC_DERIVE_KEY):
		h1 = a->derive.handle;
		break;
	case _IOC_NR(KHSM_IOC_UNWRAP_KEY):
		h1 = a->unwrap_key.handle;
		break;
	default:
		return;
	}
	khsm_nl_object_event(f, KHSM_EVENT_OBJECT_CREATE, h1);
	khsm_nl_object_event(f, KHSM_EVENT_OBJECT_CREATE, h2);
}

long khsm_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct khsm_file *f = filp->private_data;
	void __user *uarg = (void __user *)arg;
	const struct khsm_ioc_desc *d;
	union khsm_ioc_arg a;
	unsigned int nr;
	u32 usize, ksize;
	int ret;

	khsm_build_check_abi();
	/* _IO numbers: the struct's @size field says how much to copy. */
	if (_IOC_TYPE(cmd) != KHSM_IOC_MAGIC || _IOC_DIR(cmd) != _IOC_NONE ||
	    _IOC_SIZE(cmd))
		return -ENOTTY;
	nr = _IOC_NR(cmd);
	if (nr >= ARRAY_SIZE(khsm_ioctls))
		return -ENOTTY;
	nr = array_index_nospec(nr, ARRAY_SIZE(khsm_ioctls));
	d = &khsm_ioctls[nr];
	if (!d->fn)
		return -ENOTTY;
	ksize = d->size;

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < d->min_size)
		return -EINVAL;
	if (usize > KHSM_MAX_STRUCT_SIZE)
		return -E2BIG;
	memset(&a, 0, sizeof(a));
	ret = copy_struct_from_user(&a, ksize, uarg, usize);
	if (ret)
		return ret;
	if (a.hdr.rv)
		return -EINVAL;
	/*
	 * The answer must be deliverable before the call acts: write back
	 * the bytes just read (nothing changes) or fail with EFAULT now.
	 */
	if (copy_to_user(uarg, &a, min(usize, ksize))) {
		ret = -EFAULT;
		goto out;
	}

	/*
	 * The token was removed (netlink TOKEN_REMOVE) after this file was
	 * opened: its sessions and objects are out of reach; every call on
	 * the file answers CKR_DEVICE_REMOVED (ENODEV). A call that started
	 * before the removal finishes on the token, which the file keeps.
	 */
	if (READ_ONCE(f->tok->removed))
		a.hdr.rv = CKR_DEVICE_REMOVED;
	else
		ret = d->fn(f, &a);
	if (ret)
		goto out;
	a.hdr.size = usize;
	if (copy_to_user(uarg, &a, min(usize, ksize))) {
		/* Writable a moment ago: another thread changed the mapping. */
		if (a.hdr.rv == CKR_OK && d->undo)
			d->undo(f, &a);
		ret = -EFAULT;
		goto out;
	}
	if (a.hdr.rv == CKR_OK)
		khsm_ioc_events(f, nr, &a);
	ret = khsm_ckr_errno(a.hdr.rv);
out:
	memzero_explicit(&a, sizeof(a));
	return ret;
}
