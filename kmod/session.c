// SPDX-License-Identifier: GPL-2.0
/*
 * PKCS#11 sessions. A session belongs to one open file; its handle is
 * unique on the token. Each session has one operation slot per KHSM_OP_*
 * kind driving the mechanism's init/out_len/step/cleanup, and one find
 * cursor. Sessions are reference counted so CLOSE from one thread while
 * another runs an operation frees the session only when both are done.
 * An operation holds a reference to its key's material (struct
 * khsm_keymat), taken under the token lock; the mechanism runs under the
 * session lock only.
 */
#include <linux/mm.h>
#include <linux/slab.h>

#include "attr.h"
#include "key.h"
#include "netlink.h"
#include "object.h"
#include "policy.h"
#include "session.h"
#include "token.h"

static struct kmem_cache *khsm_session_cache;

int khsm_session_init(void)
{
	khsm_session_cache = kmem_cache_create("khsm_session",
					       sizeof(struct khsm_sess), 0,
					       SLAB_ACCOUNT, NULL);
	return khsm_session_cache ? 0 : -ENOMEM;
}

void khsm_session_uninit(void)
{
	kmem_cache_destroy(khsm_session_cache);
}

/* Clean up the mechanism's context and drop the key; the slot is idle. */
static void khsm_slot_end(struct khsm_slot *slot)
{
	if (slot->op.mech && slot->op.mech->cleanup)
		slot->op.mech->cleanup(&slot->op);
	khsm_keymat_put(slot->km);
	slot->km = NULL;
	slot->op.ctx = NULL;
	slot->op.mech = NULL;
	slot->active = false;
	slot->updated = false;
	slot->private_key = false;
	slot->always_auth = false;
	slot->authed = false;
}

static void khsm_session_release(struct kref *ref)
{
	struct khsm_sess *s = container_of(ref, struct khsm_sess, ref);
	unsigned int i;

	for (i = 0; i <= KHSM_OP_MAX; i++)
		khsm_slot_end(&s->slots[i]);
	kvfree(s->found);
	mutex_destroy(&s->lock);
	kmem_cache_free(khsm_session_cache, s);
}

static void khsm_session_put(struct khsm_sess *s)
{
	kref_put(&s->ref, khsm_session_release);
}

struct khsm_sess *khsm_session_find(struct khsm_file *f, u32 handle)
{
	struct khsm_sess *s;

	lockdep_assert_held(&f->tok->lock);
	s = xa_load(&f->tok->sessions, handle);
	if (!s || s->file != f || s->closed)
		return NULL;
	return s;
}

/*
 * The file's session @handle with a reference, or NULL. Under the session
 * table's own spinlock, not tok->lock: a session is marked closed before
 * it leaves the table and freed only after, so one found here is alive.
 */
static struct khsm_sess *khsm_session_get(struct khsm_file *f, u32 handle)
{
	struct khsm_sess *s;

	xa_lock(&f->tok->sessions);
	s = xa_load(&f->tok->sessions, handle);
	if (s && (s->file != f || READ_ONCE(s->closed)))
		s = NULL;
	if (s)
		kref_get(&s->ref);
	xa_unlock(&f->tok->sessions);
	return s;
}

/* Whether @handle is an open session of the file, without tok->lock. */
bool khsm_session_valid(struct khsm_file *f, u32 handle)
{
	struct khsm_sess *s = khsm_session_get(f, handle);
	bool ok = s;

	if (s)
		khsm_session_put(s);
	return ok;
}

void khsm_file_logout(struct khsm_file *f)
{
	lockdep_assert_held(&f->tok->lock);
	if (f->user == KHSM_NOBODY)
		return;
	khsm_objects_destroy_private(f);
	if (f->user == CKU_SO)
		f->tok->n_so_logged_in--;
	f->user = KHSM_NOBODY;
	/* Operations on private keys end with the login (see khsm_op_data). */
	WRITE_ONCE(f->login_gen, f->login_gen + 1);
	f->tok->n_logged_in--;
}

unsigned long khsm_session_open(struct khsm_file *f, u32 flags, u32 *handle)
{
	struct khsm_token *tok = f->tok;
	bool rw = flags & CKF_RW_SESSION;
	struct khsm_sess *s;
	unsigned long rv = CKR_OK;
	int err;

	if (!(flags & CKF_SERIAL_SESSION))
		return CKR_SESSION_PARALLEL_NOT_SUPPORTED;
	s = kmem_cache_zalloc(khsm_session_cache, GFP_KERNEL_ACCOUNT);
	if (!s)
		return CKR_HOST_MEMORY;
	kref_init(&s->ref);
	mutex_init(&s->lock);
	INIT_LIST_HEAD(&s->objects);
	s->tok = tok;
	s->file = f;
	s->rw = rw;

	mutex_lock(&tok->lock);
	rv = khsm_token_session_charge(tok, f, sizeof(*s));
	if (rv)
		goto out_free;
	if (!rw && f->user == CKU_SO) {
		rv = CKR_SESSION_READ_WRITE_SO_EXISTS;
		goto out_uncharge;
	}
	err = xa_alloc_cyclic(&tok->sessions, &s->handle, s,
			      XA_LIMIT(1, U32_MAX), &tok->next_session,
			      GFP_KERNEL_ACCOUNT);
	if (err < 0) {
		rv = CKR_HOST_MEMORY;
		goto out_uncharge;
	}
	tok->n_sessions++;
	f->n_sessions++;
	if (rw)
		tok->n_rw_sessions++;
	else
		f->n_ro_sessions++;
	*handle = s->handle;
	mutex_unlock(&tok->lock);
	return CKR_OK;

out_uncharge:
	khsm_token_session_uncharge(tok, f, sizeof(*s));
out_free:
	mutex_unlock(&tok->lock);
	khsm_session_put(s);
	return rv;
}

/* Under tok->lock; the caller drops the table's reference afterwards. */
static void khsm_session_unlink(struct khsm_sess *s)
{
	struct khsm_token *tok = s->tok;
	struct khsm_file *f = s->file;

	lockdep_assert_held(&tok->lock);
	WRITE_ONCE(s->closed, true);
	xa_erase(&tok->sessions, s->handle);
	khsm_token_session_uncharge(tok, f, sizeof(*s));
	khsm_objects_destroy_session(s);
	tok->n_sessions--;
	f->n_sessions--;
	if (s->rw)
		tok->n_rw_sessions--;
	else
		f->n_ro_sessions--;
	/* PKCS#11 5.6: closing the last session logs the application out. */
	if (!f->n_sessions)
		khsm_file_logout(f);
}

unsigned long khsm_session_close(struct khsm_file *f, u32 handle)
{
	struct khsm_sess *s;

	mutex_lock(&f->tok->lock);
	s = khsm_session_find(f, handle);
	if (!s) {
		mutex_unlock(&f->tok->lock);
		return CKR_SESSION_HANDLE_INVALID;
	}
	khsm_session_unlink(s);
	mutex_unlock(&f->tok->lock);
	khsm_session_put(s);
	return CKR_OK;
}

unsigned long khsm_session_close_all(struct khsm_file *f)
{
	khsm_sessions_release(f);
	return CKR_OK;
}

void khsm_sessions_release(struct khsm_file *f)
{
	struct khsm_token *tok = f->tok;
	struct khsm_sess *s;
	unsigned long idx;

	mutex_lock(&tok->lock);
	xa_for_each(&tok->sessions, idx, s) {
		if (s->file != f)
			continue;
		khsm_session_unlink(s);
		khsm_session_put(s);
	}
	khsm_file_logout(f);
	mutex_unlock(&tok->lock);
}

/*
 * Root's re-initialisation: every session of every file closes, as if
 * each file had called C_CloseAllSessions (which logs it out). Under
 * tok->lock.
 */
void khsm_sessions_close_token(struct khsm_token *tok)
{
	struct khsm_sess *s;
	unsigned long idx;

	lockdep_assert_held(&tok->lock);
	xa_for_each(&tok->sessions, idx, s) {
		khsm_session_unlink(s);
		khsm_session_put(s);
		cond_resched();
	}
}

unsigned long khsm_session_info(struct khsm_file *f, u32 handle, u32 *flags,
			  u32 *state)
{
	struct khsm_sess *s;
	unsigned long rv = CKR_OK;

	mutex_lock(&f->tok->lock);
	s = khsm_session_find(f, handle);
	if (s) {
		*flags = CKF_SERIAL_SESSION | (s->rw ? CKF_RW_SESSION : 0);
		*state = khsm_session_state(s);
	} else {
		rv = CKR_SESSION_HANDLE_INVALID;
	}
	mutex_unlock(&f->tok->lock);
	return rv;
}

/*
 * Check the key and start the mechanism; under s->lock. The key's
 * material is referenced under tok->lock, ->init runs without it.
 */
static unsigned long khsm_slot_start(struct khsm_sess *s, struct khsm_slot *slot,
			       const struct khsm_mech *m, u32 kind, u32 key,
			       const void *param, u32 param_len)
{
	struct khsm_token *tok = s->tok;
	struct khsm_nl_ev ev;
	struct khsm_obj *o;
	unsigned long rv = CKR_OK;
	bool event;

	slot->op.mech = m;
	slot->op.kind = kind;
	slot->op.ctx = NULL;
	slot->km = NULL;
	slot->private_key = false;
	slot->always_auth = false;
	slot->authed = false;
	if (m->key_type == KHSM_KEY_NONE)
		return m->init(&slot->op, NULL, param, param_len);

	event = khsm_nl_listening();
	mutex_lock(&tok->lock);
	o = khsm_object_lookup(s->file, key);
	if (!o)
		rv = CKR_KEY_HANDLE_INVALID;
	else
		rv = khsm_may_use_key(o, m, kind);
	if (!rv && WARN_ON_ONCE(!o->km))
		rv = CKR_GENERAL_ERROR;
	if (!rv) {
		slot->private_key = o->private;
		slot->always_auth = o->class == CKO_PRIVATE_KEY &&
			khsm_attrs_bool(&o->attrs, CKA_ALWAYS_AUTHENTICATE);
		slot->login_gen = s->file->login_gen;
		slot->km = khsm_keymat_get(o->km);
		if (event) {
			khsm_nl_ev_init(&ev);
			khsm_nl_ev_object(&ev, o);
		}
	}
	mutex_unlock(&tok->lock);
	if (rv)
		return rv;
	rv = m->init(&slot->op, &slot->km->key, param, param_len);
	if (!rv && event) {
		ev.has_mech = true;
		ev.mech = m->type;
		khsm_nl_event(tok, KHSM_EVENT_KEY_USE, &ev);
	}
	return rv;
}

unsigned long khsm_op_init(struct khsm_file *f, u32 session, u32 kind,
		     unsigned long mech, u32 key, const void *param,
		     u32 param_len, bool cancel)
{
	const struct khsm_mech *m;
	struct khsm_sess *s;
	struct khsm_slot *slot;
	unsigned long rv = CKR_OK;

	s = khsm_session_get(f, session);
	if (!s)
		return CKR_SESSION_HANDLE_INVALID;
	mutex_lock(&s->lock);
	slot = &s->slots[kind];
	if (cancel) {
		khsm_slot_end(slot);
		goto out;
	}
	if (slot->active) {
		rv = CKR_OPERATION_ACTIVE;
		goto out;
	}
	m = khsm_mech_find(mech);
	if (!m || !(m->flags & khsm_op_mech_flag(kind)) || !m->init ||
	    !m->step || (kind != KHSM_OP_VERIFY && !m->out_len)) {
		rv = CKR_MECHANISM_INVALID;
		goto out;
	}
	rv = khsm_slot_start(s, slot, m, kind, key, param, param_len);
	khsm_token_count_op(s->tok, m, !rv);
	if (rv) {
		khsm_slot_end(slot);
		goto out;
	}
	slot->active = true;
	slot->updated = false;
out:
	mutex_unlock(&s->lock);
	khsm_session_put(s);
	return rv;
}

/* VERIFY: no output; the signature is an input at FINAL and ONESHOT. */
static unsigned long khsm_op_verify(struct khsm_slot *slot, u32 step,
			      struct khsm_op_io *io)
{
	size_t produced = 0;
	unsigned long rv;

	rv = slot->op.mech->step(&slot->op, step, io->in, io->in_len, NULL,
				 &produced, io->sig, io->sig_len);
	io->out_len = 0;
	if (rv || step != KHSM_STEP_UPDATE)
		khsm_slot_end(slot);
	else
		slot->updated = true;
	return rv;
}

/*
 * The step dispatcher, under s->lock. In this order: the operation's
 * state (active, login, single-part), the length decision (->out_len),
 * then either the answer to a length query or CKR_BUFFER_TOO_SMALL,
 * both of which leave the operation exactly as it was, or the step. A
 * query (io->query on a step that has an output) never runs the step,
 * whatever length it needs, 0 included (PKCS#11 v3.0 5.2).
 */
static unsigned long khsm_slot_data(struct khsm_file *f, struct khsm_slot *slot,
				    u32 kind, u32 step, struct khsm_op_io *io)
{
	const struct khsm_mech *m;
	size_t need = 0, produced;
	unsigned long rv;
	u8 *buf;

	/* C_Logout ended operations that use private keys. */
	if (slot->active && slot->private_key &&
	    slot->login_gen != READ_ONCE(f->login_gen))
		khsm_slot_end(slot);
	if (!slot->active)
		return CKR_OPERATION_NOT_INITIALIZED;
	m = slot->op.mech;
	/*
	 * Single-part-only mechanisms have no C_*Update/C_*Final: refused as
	 * SoftHSM2 and kryoptic do, and an error ends the operation (5.8.3,
	 * 5.13.3, ...). A single-part input above max_data_len (streamed by
	 * ioctl.c) is above their own bound.
	 */
	if (m->single_part && (step != KHSM_STEP_ONESHOT || io->size_only)) {
		khsm_slot_end(slot);
		return step == KHSM_STEP_ONESHOT ? CKR_DATA_LEN_RANGE :
						   CKR_OPERATION_NOT_INITIALIZED;
	}
	/* CKA_ALWAYS_AUTHENTICATE: no context-specific login since init. */
	if (slot->always_auth && !slot->authed) {
		khsm_slot_end(slot);
		return CKR_USER_NOT_LOGGED_IN;
	}
	/* A single-part call cannot finish a multi-part operation. */
	if (step == KHSM_STEP_ONESHOT && slot->updated)
		return CKR_OPERATION_ACTIVE;
	io->query = io->query && khsm_op_has_output(kind, step);
	if (kind != KHSM_OP_VERIFY)
		need = m->out_len(&slot->op, step, io->in_len);
	if (!io->size_only && need > KHSM_MAX_OUT_LEN) {
		khsm_slot_end(slot);
		return CKR_DATA_LEN_RANGE;
	}
	io->out_len = need;
	if (io->query)
		return CKR_OK;
	if (need > io->out_cap)
		return CKR_BUFFER_TOO_SMALL;
	if (io->size_only)
		return CKR_OK;
	if (need && io->check_out) {
		io->err = io->check_out(io, need);
		if (io->err)
			return CKR_OK;
	}
	if (kind == KHSM_OP_VERIFY) {
		rv = khsm_op_verify(slot, step, io);
		if (rv)
			khsm_token_count_op(f->tok, m, false);
		return rv;
	}
	buf = kvzalloc(need ? need : 1, GFP_KERNEL);
	if (!buf)
		return CKR_HOST_MEMORY;
	produced = 0;
	rv = m->step(&slot->op, step, io->in, io->in_len, buf, &produced,
		     NULL, 0);
	if (rv || produced > need) {
		kvfree_sensitive(buf, need ? need : 1);
		khsm_token_count_op(f->tok, m, false);
		khsm_slot_end(slot);
		return rv ? rv : CKR_DEVICE_ERROR;
	}
	io->out = buf;
	io->out_len = produced;
	if (step == KHSM_STEP_UPDATE)
		slot->updated = true;
	else
		khsm_slot_end(slot);
	return CKR_OK;
}

unsigned long khsm_op_data(struct khsm_file *f, u32 session, u32 kind, u32 step,
		     struct khsm_op_io *io)
{
	struct khsm_sess *s;
	unsigned long rv;

	io->out = NULL;
	io->err = 0;
	s = khsm_session_get(f, session);
	if (!s)
		return CKR_SESSION_HANDLE_INVALID;
	mutex_lock(&s->lock);
	rv = khsm_slot_data(f, &s->slots[kind], kind, step, io);
	mutex_unlock(&s->lock);
	khsm_session_put(s);
	return rv;
}

/*
 * C_Login(CKU_CONTEXT_SPECIFIC): authorise the session's operations on
 * CKA_ALWAYS_AUTHENTICATE keys that wait for it, if the PIN is right. The
 * session lock keeps them from starting or ending meanwhile.
 */
unsigned long khsm_session_context_login(struct khsm_file *f, u32 session,
					 const struct khsm_pin *pin)
{
	struct khsm_slot *slot;
	struct khsm_sess *s;
	bool waiting = false;
	unsigned long rv;
	unsigned int i;

	s = khsm_session_get(f, session);
	if (!s)
		return CKR_SESSION_HANDLE_INVALID;
	mutex_lock(&s->lock);
	for (i = 0; i <= KHSM_OP_MAX; i++) {
		slot = &s->slots[i];
		/* C_Logout ended operations that use private keys. */
		if (slot->active && slot->private_key &&
		    slot->login_gen != READ_ONCE(f->login_gen))
			khsm_slot_end(slot);
		if (slot->active && slot->always_auth && !slot->authed)
			waiting = true;
	}
	rv = waiting ? khsm_token_check_pin(f, pin) :
		       CKR_OPERATION_NOT_INITIALIZED;
	for (i = 0; !rv && i <= KHSM_OP_MAX; i++) {
		slot = &s->slots[i];
		if (slot->active && slot->always_auth)
			slot->authed = true;
	}
	mutex_unlock(&s->lock);
	khsm_session_put(s);
	return rv;
}

/*
 * Take back a context-specific login whose answer could not be written
 * (a late EFAULT): the operations it authorised wait for a login again.
 */
void khsm_session_context_login_undo(struct khsm_file *f, u32 session)
{
	struct khsm_sess *s = khsm_session_get(f, session);
	unsigned int i;

	if (!s)
		return;
	mutex_lock(&s->lock);
	for (i = 0; i <= KHSM_OP_MAX; i++)
		if (s->slots[i].active && s->slots[i].always_auth)
			s->slots[i].authed = false;
	mutex_unlock(&s->lock);
	khsm_session_put(s);
}

unsigned long khsm_find_init(struct khsm_file *f, u32 session,
		       const struct khsm_tmpl *t)
{
	struct khsm_sess *s;
	unsigned long rv;

	s = khsm_session_get(f, session);
	if (!s)
		return CKR_SESSION_HANDLE_INVALID;
	mutex_lock(&s->lock);
	if (s->finding) {
		rv = CKR_OPERATION_ACTIVE;
		goto out;
	}
	mutex_lock(&f->tok->lock);
	rv = khsm_objects_match(f, t, &s->found, &s->n_found);
	mutex_unlock(&f->tok->lock);
	if (!rv) {
		s->finding = true;
		s->find_pos = 0;
		s->find_prev = 0;
	}
out:
	mutex_unlock(&s->lock);
	khsm_session_put(s);
	return rv;
}

unsigned long khsm_find_next(struct khsm_file *f, u32 session, u32 *handles,
		       u32 max, u32 *got)
{
	struct khsm_sess *s;
	unsigned long rv = CKR_OK;
	u32 h;

	*got = 0;
	s = khsm_session_get(f, session);
	if (!s)
		return CKR_SESSION_HANDLE_INVALID;
	mutex_lock(&s->lock);
	if (!s->finding) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
		goto out;
	}
	s->find_prev = s->find_pos;
	mutex_lock(&f->tok->lock);
	while (s->find_pos < s->n_found && *got < max) {
		h = s->found[s->find_pos++];
		/* Skip what was destroyed or hidden since the snapshot. */
		if (khsm_object_lookup(f, h))
			handles[(*got)++] = h;
	}
	mutex_unlock(&f->tok->lock);
out:
	mutex_unlock(&s->lock);
	khsm_session_put(s);
	return rv;
}

/*
 * Undo the last khsm_find_next() of the session: its handles could not be
 * delivered, so the next call returns them again.
 */
void khsm_find_unread(struct khsm_file *f, u32 session)
{
	struct khsm_sess *s;

	s = khsm_session_get(f, session);
	if (!s)
		return;
	mutex_lock(&s->lock);
	if (s->finding)
		s->find_pos = s->find_prev;
	mutex_unlock(&s->lock);
	khsm_session_put(s);
}

unsigned long khsm_find_final(struct khsm_file *f, u32 session)
{
	struct khsm_sess *s;
	unsigned long rv = CKR_OK;

	s = khsm_session_get(f, session);
	if (!s)
		return CKR_SESSION_HANDLE_INVALID;
	mutex_lock(&s->lock);
	if (s->finding) {
		kvfree(s->found);
		s->found = NULL;
		s->n_found = 0;
		s->finding = false;
	} else {
		rv = CKR_OPERATION_NOT_INITIALIZED;
	}
	mutex_unlock(&s->lock);
	khsm_session_put(s);
	return rv;
}
