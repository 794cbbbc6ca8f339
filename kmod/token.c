// SPDX-License-Identifier: GPL-2.0
/*
 * Token state: identity, the SO and user PIN verifiers (Argon2id outputs
 * derived in user space, compared here in constant time), failure
 * counters and lockout, C_InitToken/C_InitPIN/C_SetPIN/C_Login/C_Logout
 * with the PKCS#11 v3.0 5.6 session-state rules.
 */
#include <crypto/algapi.h>
#include <linux/cred.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uidgid.h>

#include "keytype.h"
#include "netlink.h"
#include "object.h"
#include "persist.h"
#include "session.h"
#include "token.h"
#include "token_list.h"

static unsigned int max_token_mib = KHSM_DEF_TOKEN_MIB;
module_param(max_token_mib, uint, 0444);
MODULE_PARM_DESC(max_token_mib,
		 "MiB of objects and sessions one token may hold (1..65536, default 256)");

static unsigned int max_file_sessions = KHSM_DEF_FILE_SESSIONS;
module_param(max_file_sessions, uint, 0444);
MODULE_PARM_DESC(max_file_sessions,
		 "sessions one open file may hold (1..100000, default 16384)");

static unsigned int max_uid_sessions = KHSM_DEF_UID_SESSIONS;
module_param(max_uid_sessions, uint, 0444);
MODULE_PARM_DESC(max_uid_sessions,
		 "sessions one uid may hold on a token, all its files (1..100000, default 32768)");

static unsigned int max_uid_pct = KHSM_DEF_UID_PCT;
module_param(max_uid_pct, uint, 0444);
MODULE_PARM_DESC(max_uid_pct,
		 "percent of max_token_mib one uid's objects and sessions may hold (1..100, default 25)");

static u64 khsm_token_max_bytes(void)
{
	return (u64)max_token_mib << 20;
}

static u64 khsm_uid_max_bytes(void)
{
	return div_u64(khsm_token_max_bytes() * max_uid_pct, 100);
}

/* What @uid holds of @tok; with @create a new empty share if none. */
static struct khsm_uid_share *khsm_uid_share(struct khsm_token *tok, u32 uid,
					     bool create)
{
	struct khsm_uid_share *u;

	lockdep_assert_held(&tok->lock);
	u = xa_load(&tok->uids, uid);
	if (u || !create)
		return u;
	u = kzalloc(sizeof(*u), GFP_KERNEL_ACCOUNT);
	if (!u)
		return NULL;
	if (xa_err(xa_store(&tok->uids, uid, u, GFP_KERNEL_ACCOUNT))) {
		kfree(u);
		return NULL;
	}
	return u;
}

static void khsm_uid_share_drop_empty(struct khsm_token *tok, u32 uid,
				      struct khsm_uid_share *u)
{
	if (u->sessions || u->bytes)
		return;
	xa_erase(&tok->uids, uid);
	kfree(u);
}

/*
 * Reserve @bytes of the token's budget for @uid, under tok->lock: CKR_OK,
 * or CKR_DEVICE_MEMORY when the token would hold more than max_token_mib
 * or the uid more than its share.
 */
unsigned long khsm_token_charge(struct khsm_token *tok, u32 uid, u64 bytes)
{
	struct khsm_uid_share *u;

	lockdep_assert_held(&tok->lock);
	if (bytes > khsm_token_max_bytes() - tok->n_bytes)
		return CKR_DEVICE_MEMORY;
	u = khsm_uid_share(tok, uid, true);
	if (!u)
		return CKR_HOST_MEMORY;
	if (bytes > khsm_uid_max_bytes() - min(u->bytes, khsm_uid_max_bytes())) {
		khsm_uid_share_drop_empty(tok, uid, u);
		return CKR_DEVICE_MEMORY;
	}
	u->bytes += bytes;
	tok->n_bytes += bytes;
	return CKR_OK;
}

void khsm_token_uncharge(struct khsm_token *tok, u32 uid, u64 bytes)
{
	struct khsm_uid_share *u;

	lockdep_assert_held(&tok->lock);
	if (WARN_ON_ONCE(bytes > tok->n_bytes))
		bytes = tok->n_bytes;
	tok->n_bytes -= bytes;
	u = khsm_uid_share(tok, uid, false);
	if (WARN_ON_ONCE(!u))
		return;
	u->bytes -= min(bytes, u->bytes);
	khsm_uid_share_drop_empty(tok, uid, u);
}

/* An object of @uid that held @old bytes now holds @new. */
unsigned long khsm_token_recharge(struct khsm_token *tok, u32 uid, u64 old,
				  u64 new)
{
	if (new > old)
		return khsm_token_charge(tok, uid, new - old);
	if (old > new)
		khsm_token_uncharge(tok, uid, old - new);
	return CKR_OK;
}

/*
 * One more session of @f, costing @bytes, under tok->lock: the token's,
 * the file's and the uid's session limits and the byte budgets, or
 * CKR_SESSION_COUNT. The caller counts the session in tok and @f.
 */
unsigned long khsm_token_session_charge(struct khsm_token *tok,
					struct khsm_file *f, u64 bytes)
{
	struct khsm_uid_share *u;

	lockdep_assert_held(&tok->lock);
	if (tok->n_sessions >= KHSM_MAX_SESSIONS ||
	    f->n_sessions >= max_file_sessions)
		return CKR_SESSION_COUNT;
	u = khsm_uid_share(tok, f->uid, false);
	if (u && u->sessions >= max_uid_sessions)
		return CKR_SESSION_COUNT;
	switch (khsm_token_charge(tok, f->uid, bytes)) {
	case CKR_OK:
		break;
	case CKR_HOST_MEMORY:
		return CKR_HOST_MEMORY;
	default:
		return CKR_SESSION_COUNT;
	}
	khsm_uid_share(tok, f->uid, false)->sessions++;
	return CKR_OK;
}

void khsm_token_session_uncharge(struct khsm_token *tok, struct khsm_file *f,
				 u64 bytes)
{
	struct khsm_uid_share *u;

	lockdep_assert_held(&tok->lock);
	u = khsm_uid_share(tok, f->uid, false);
	if (!WARN_ON_ONCE(!u || !u->sessions))
		u->sessions--;
	khsm_token_uncharge(tok, f->uid, bytes);
}

static void khsm_pin_wipe(struct khsm_pin_state *ps)
{
	memzero_explicit(ps, sizeof(*ps));
}

/* The module parameters of token.c, checked once at load. */
int khsm_token_params_check(void)
{
	if (max_token_mib < 1 || max_token_mib > KHSM_MAX_TOKEN_MIB) {
		pr_err("max_token_mib=%u out of range 1..%u\n", max_token_mib,
		       KHSM_MAX_TOKEN_MIB);
		return -EINVAL;
	}
	if (max_file_sessions < 1 || max_file_sessions > KHSM_MAX_SESSIONS ||
	    max_uid_sessions < 1 || max_uid_sessions > KHSM_MAX_SESSIONS ||
	    max_uid_pct < 1 || max_uid_pct > 100) {
		pr_err("max_file_sessions=%u max_uid_sessions=%u (1..%u) or max_uid_pct=%u (1..100) out of range\n",
		       max_file_sessions, max_uid_sessions, KHSM_MAX_SESSIONS,
		       max_uid_pct);
		return -EINVAL;
	}
	return 0;
}

/*
 * A new, uninitialised token's state (token_list.c set ref, index, gid):
 * a fresh serial, a blank label, empty stores, zeroed counters.
 */
int khsm_token_setup(struct khsm_token *tok)
{
	u8 rnd[KHSM_SERIAL_LEN / 2];
	int err;

	mutex_init(&tok->lock);
	xa_init_flags(&tok->objects, XA_FLAGS_ALLOC1);
	xa_init_flags(&tok->sessions, XA_FLAGS_ALLOC1);
	xa_init(&tok->uids);
	xa_init(&tok->persisted);
	tok->max_pin_failures = KHSM_DEF_PIN_FAILURES;
	tok->next_oid = 1;
	tok->n_mech_stats = min_t(u32, khsm_mech_list(NULL, 0),
				  KHSM_MAX_MECH_STATS);
	tok->mech_stats = kcalloc(tok->n_mech_stats, sizeof(*tok->mech_stats),
				  GFP_KERNEL_ACCOUNT);
	if (!tok->mech_stats) {
		mutex_destroy(&tok->lock);
		return -ENOMEM;
	}
	err = khsm_index_init(&tok->find_index);
	if (err) {
		kfree(tok->mech_stats);
		mutex_destroy(&tok->lock);
		return err;
	}
	memset(tok->label, ' ', sizeof(tok->label));
	get_random_bytes(rnd, sizeof(rnd));
	bin2hex(tok->serial, rnd, sizeof(rnd));
	err = khsm_keyring_token_init(tok);
	if (err) {
		khsm_index_destroy(&tok->find_index);
		kfree(tok->mech_stats);
		mutex_destroy(&tok->lock);
		return err;
	}
	return 0;
}

/*
 * The last reference is gone (no open file, no session): objects, PINs
 * and the sealed state go, wiped.
 */
void khsm_token_teardown(struct khsm_token *tok)
{
	struct khsm_uid_share *u;
	unsigned long uid;

	mutex_lock(&tok->lock);
	khsm_objects_destroy_all(tok);
	khsm_persist_reset(tok);
	khsm_pin_wipe(&tok->so);
	khsm_pin_wipe(&tok->user);
	mutex_unlock(&tok->lock);
	khsm_keyring_token_uninit(tok);
	xa_destroy(&tok->persisted);
	WARN_ON(!xa_empty(&tok->sessions));
	WARN_ON(!xa_empty(&tok->uids));
	xa_for_each(&tok->uids, uid, u)
		kfree(u);
	xa_destroy(&tok->uids);
	xa_destroy(&tok->objects);
	xa_destroy(&tok->sessions);
	khsm_index_destroy(&tok->find_index);
	kfree(tok->mech_stats);
	mutex_destroy(&tok->lock);
}

/* A mechanism's start (@ok) or failure on @tok, for the statistics. */
void khsm_token_count_op(struct khsm_token *tok, const struct khsm_mech *m,
			 bool ok)
{
	u32 i = khsm_mech_index(m);

	if (i >= tok->n_mech_stats)
		return;
	atomic64_inc(ok ? &tok->mech_stats[i].ops :
		     &tok->mech_stats[i].failures);
}

void khsm_token_version(struct khsm_token *tok, struct khsm_version *v)
{
	v->abi_version = KHSM_ABI_VERSION;
	v->token_index = tok->index;
	v->features = KHSM_FEATURE_ALL;
	v->max_sessions = KHSM_MAX_SESSIONS;
	v->max_objects = KHSM_MAX_OBJECTS;
	v->max_template = KHSM_MAX_TEMPLATE;
	v->max_attr_len = KHSM_MAX_ATTR_LEN;
	v->max_data_len = KHSM_MAX_DATA_LEN;
	v->max_find = KHSM_MAX_FIND;
	v->max_token_bytes = khsm_token_max_bytes();
	v->max_stream_len = KHSM_MAX_STREAM_LEN;
	v->max_buffered_len = KHSM_MAX_BUFFERED_LEN;
	v->max_file_sessions = max_file_sessions;
	v->max_uid_sessions = max_uid_sessions;
	v->max_uid_bytes = khsm_uid_max_bytes();
}

static u64 khsm_pin_flags(const struct khsm_token *tok,
			  const struct khsm_pin_state *ps, u64 low, u64 final,
			  u64 locked)
{
	if (ps->failures >= tok->max_pin_failures)
		return locked;
	if (ps->failures == tok->max_pin_failures - 1)
		return low | final;
	return ps->failures ? low : 0;
}

static void khsm_blank_copy(u8 *dst, size_t n, const char *src)
{
	memset(dst, ' ', n);
	memcpy(dst, src, min(n, strlen(src)));
}

void khsm_token_info(struct khsm_file *f, struct khsm_token_info *ti)
{
	struct khsm_token *tok = f->tok;
	u64 flags = CKF_RNG | CKF_LOGIN_REQUIRED;

	khsm_blank_copy(ti->manufacturer, sizeof(ti->manufacturer), "khsm");
	khsm_blank_copy(ti->model, sizeof(ti->model), "khsm kernel");
	/* PKCS#11's ulMaxSessionCount: what one application may open. */
	ti->max_sessions = max_file_sessions;
	ti->max_rw_sessions = max_file_sessions;
	ti->min_pin_len = KHSM_MIN_PIN_LEN;
	ti->max_pin_len = KHSM_MAX_PIN_LEN;
	ti->hw_version[0] = 1;
	ti->hw_version[1] = 0;
	ti->fw_version[0] = 1;
	ti->fw_version[1] = 0;

	mutex_lock(&tok->lock);
	memcpy(ti->label, tok->label, sizeof(ti->label));
	memcpy(ti->serial, tok->serial, sizeof(ti->serial));
	if (tok->initialized)
		flags |= CKF_TOKEN_INITIALIZED;
	if (tok->user.rec.set)
		flags |= CKF_USER_PIN_INITIALIZED;
	flags |= khsm_pin_flags(tok, &tok->user, CKF_USER_PIN_COUNT_LOW,
				CKF_USER_PIN_FINAL_TRY, CKF_USER_PIN_LOCKED);
	flags |= khsm_pin_flags(tok, &tok->so, CKF_SO_PIN_COUNT_LOW,
				CKF_SO_PIN_FINAL_TRY, CKF_SO_PIN_LOCKED);
	ti->flags = flags;
	ti->init_flags = tok->init_flags;
	ti->sessions = tok->n_sessions;
	ti->rw_sessions = tok->n_rw_sessions;
	/* Counts beyond C_GetTokenInfo's only for a logged-in file. */
	if (f->user != KHSM_NOBODY) {
		ti->token_objects = tok->n_token_objects;
		ti->session_objects = tok->n_session_objects;
		ti->open_files = tok->n_files;
		ti->logged_in_files = tok->n_logged_in;
	}
	if (tok->so.rec.set) {
		memcpy(ti->so_salt, tok->so.rec.salt, sizeof(ti->so_salt));
		ti->so_t_cost = tok->so.rec.t_cost;
		ti->so_m_cost_kib = tok->so.rec.m_cost_kib;
		ti->so_parallelism = tok->so.rec.parallelism;
	}
	if (tok->user.rec.set) {
		memcpy(ti->user_salt, tok->user.rec.salt, sizeof(ti->user_salt));
		ti->user_t_cost = tok->user.rec.t_cost;
		ti->user_m_cost_kib = tok->user.rec.m_cost_kib;
		ti->user_parallelism = tok->user.rec.parallelism;
	}
	ti->max_pin_failures = tok->max_pin_failures;
	ti->so_failures = tok->so.failures;
	ti->user_failures = tok->user.failures;
	ti->state_flags = tok->state_flags;
	ti->state_gen = tok->gen;
	ti->refused = tok->refused;
	ti->pending = tok->n_pending;
	mutex_unlock(&tok->lock);
}

/*
 * A new PIN: the length policy. ioctl.c has already rejected cost
 * parameters outside the uAPI's bounds (EINVAL, malformed struct).
 */
static unsigned long khsm_pin_check_new(const struct khsm_pin *p)
{
	if (p->pin_len < KHSM_MIN_PIN_LEN || p->pin_len > KHSM_MAX_PIN_LEN)
		return CKR_PIN_LEN_RANGE;
	return CKR_OK;
}

/*
 * Constant-time compare of @p's auth value with @role's record; counts
 * failures (a new generation of the state, so the count is saved) and
 * locks after the token's limit.
 */
static unsigned long khsm_pin_verify(struct khsm_token *tok, int role,
				     const struct khsm_pin *p)
{
	struct khsm_pin_state *ps = role == KHSM_ROLE_SO ? &tok->so : &tok->user;

	lockdep_assert_held(&tok->lock);
	if (!ps->rec.set)
		return CKR_USER_PIN_NOT_INITIALIZED;
	if (ps->failures >= tok->max_pin_failures)
		return CKR_PIN_LOCKED;
	if (!khsm_pin_record_match(tok, role, ps, p)) {
		ps->failures++;
		atomic64_inc(&tok->pin_failures);
		if (ps->failures == tok->max_pin_failures)
			atomic64_inc(&tok->pin_lockouts);
		khsm_persist_bump(tok);
		return CKR_PIN_INCORRECT;
	}
	if (ps->failures) {
		ps->failures = 0;
		khsm_persist_bump(tok);
	}
	return CKR_OK;
}

/* The file's role: SO when it is logged in as SO, else the user. */
static int khsm_file_role(const struct khsm_file *f)
{
	return f->user == CKU_SO ? KHSM_ROLE_SO : KHSM_ROLE_USER;
}

/* Whether @role's PIN is locked now; under tok->lock. */
static bool khsm_pin_locked(struct khsm_token *tok, int role)
{
	const struct khsm_pin_state *ps =
		role == KHSM_ROLE_SO ? &tok->so : &tok->user;

	lockdep_assert_held(&tok->lock);
	return ps->rec.set && ps->failures >= tok->max_pin_failures;
}

/*
 * The events of a PIN check (netlink.c): a login, a failed one, and a
 * PIN this failure locked (@locked: it was not locked before the call).
 */
static void khsm_pin_events(struct khsm_token *tok, unsigned long user_type,
			    unsigned long rv, bool login, bool locked)
{
	struct khsm_nl_ev ev;

	if (!khsm_nl_listening())
		return;
	khsm_nl_ev_init(&ev);
	ev.user_type = user_type;
	if (rv == CKR_OK) {
		if (login)
			khsm_nl_event(tok, KHSM_EVENT_LOGIN, &ev);
		return;
	}
	if (rv != CKR_PIN_INCORRECT && rv != CKR_PIN_LOCKED)
		return;
	ev.rv = rv;
	if (login)
		khsm_nl_event(tok, KHSM_EVENT_LOGIN_FAILED, &ev);
	if (locked) {
		ev.rv = 0;
		khsm_nl_event(tok, KHSM_EVENT_PIN_LOCKED, &ev);
	}
}

/*
 * A slot event, a TOKEN_INIT event and a KOBJ_CHANGE uevent (new label
 * and serial attributes): the token was (re)initialised.
 */
static void khsm_token_init_events(struct khsm_token *tok)
{
	struct khsm_nl_ev ev;

	khsm_slot_event();
	khsm_token_changed(tok);
	khsm_nl_ev_init(&ev);
	khsm_nl_event(tok, KHSM_EVENT_TOKEN_INIT, &ev);
}

/*
 * C_InitToken's common part, under tok->lock: every object, the user PIN
 * and the old TMK go; a fresh TMK wrapped under the new SO PIN.
 */
static unsigned long khsm_token_reinit(struct khsm_token *tok, const u8 *label,
				       const struct khsm_pin *so_new, u32 flags,
				       u32 max_failures)
{
	unsigned long rv;

	khsm_objects_destroy_all(tok);
	rv = khsm_persist_new_tmk(tok);
	if (rv)
		return rv;
	khsm_pin_wipe(&tok->user);
	khsm_pin_wipe(&tok->so);
	rv = khsm_pin_record_set(tok, KHSM_ROLE_SO, &tok->so, so_new);
	if (rv) {
		khsm_persist_reset(tok);
		tok->initialized = false;
		return rv;
	}
	memcpy(tok->label, label, sizeof(tok->label));
	tok->init_flags = flags;
	tok->max_pin_failures = max_failures ?: KHSM_DEF_PIN_FAILURES;
	tok->initialized = true;
	return CKR_OK;
}

unsigned long khsm_token_init_token(struct khsm_file *f, const u8 *label,
			      const struct khsm_pin *so_check,
			      const struct khsm_pin *so_new, u32 flags,
			      u32 max_failures)
{
	struct khsm_token *tok = f->tok;
	unsigned long rv;

	rv = khsm_pin_check_new(so_new);
	if (rv)
		return rv;
	mutex_lock(&tok->lock);
	if (tok->n_sessions) {
		rv = CKR_SESSION_EXISTS;
		goto out;
	}
	if (tok->initialized) {
		rv = khsm_pin_verify(tok, KHSM_ROLE_SO, so_check);
		if (rv)
			goto out;
	}
	rv = khsm_token_reinit(tok, label, so_new, flags, max_failures);
out:
	mutex_unlock(&tok->lock);
	if (rv == CKR_OK)
		khsm_token_init_events(tok);
	return rv;
}

/*
 * KHSM_IOC_ADMIN_INIT_TOKEN (ioctl.c checked CAP_SYS_ADMIN): C_InitToken
 * without the SO PIN, after every session of every file is closed.
 */
unsigned long khsm_token_admin_init(struct khsm_token *tok, const u8 *label,
				    const struct khsm_pin *so_new, u32 flags,
				    u32 max_failures)
{
	unsigned long rv;

	rv = khsm_pin_check_new(so_new);
	if (rv)
		return rv;
	mutex_lock(&tok->lock);
	khsm_sessions_close_token(tok);
	rv = khsm_token_reinit(tok, label, so_new, flags, max_failures);
	mutex_unlock(&tok->lock);
	if (rv)
		return rv;
	pr_notice("%s: re-initialised by uid %u (CAP_SYS_ADMIN): every session closed, every object destroyed\n",
		  tok->name, from_kuid_munged(&init_user_ns, current_uid()));
	khsm_token_init_events(tok);
	return CKR_OK;
}

/*
 * The PIN of a context-specific login (CKU_CONTEXT_SPECIFIC): the SO's
 * when @f is logged in as SO, else the user's; a failure counts.
 */
unsigned long khsm_token_check_pin(struct khsm_file *f,
				   const struct khsm_pin *pin)
{
	struct khsm_token *tok = f->tok;
	int role = khsm_file_role(f);
	unsigned long rv;
	bool was, locked;

	mutex_lock(&tok->lock);
	was = khsm_pin_locked(tok, role);
	rv = khsm_pin_verify(tok, role, pin);
	locked = !was && khsm_pin_locked(tok, role);
	mutex_unlock(&tok->lock);
	khsm_pin_events(tok, CKU_CONTEXT_SPECIFIC, rv, true, locked);
	return rv;
}

unsigned long khsm_token_init_pin(struct khsm_file *f, u32 session,
			    const struct khsm_pin *pin)
{
	struct khsm_token *tok = f->tok;
	struct khsm_sess *s;
	unsigned long rv;

	mutex_lock(&tok->lock);
	s = khsm_session_find(f, session);
	if (!s) {
		rv = CKR_SESSION_HANDLE_INVALID;
		goto out;
	}
	if (f->user != CKU_SO) {
		rv = CKR_USER_NOT_LOGGED_IN;
		goto out;
	}
	if (!s->rw) {
		rv = CKR_SESSION_READ_ONLY;
		goto out;
	}
	rv = khsm_pin_check_new(pin);
	if (rv)
		goto out;
	rv = khsm_pin_record_set(tok, KHSM_ROLE_USER, &tok->user, pin);
out:
	mutex_unlock(&tok->lock);
	return rv;
}

/*
 * C_SetPIN changes the SO PIN when the SO is logged in, else the user PIN
 * (R/W public or R/W user session).
 */
unsigned long khsm_token_set_pin(struct khsm_file *f, u32 session,
			   const struct khsm_pin *old_pin,
			   const struct khsm_pin *new_pin)
{
	struct khsm_token *tok = f->tok;
	bool was, locked = false;
	struct khsm_sess *s;
	unsigned long rv;
	int role;

	mutex_lock(&tok->lock);
	s = khsm_session_find(f, session);
	if (!s) {
		rv = CKR_SESSION_HANDLE_INVALID;
		goto out;
	}
	if (!s->rw) {
		rv = CKR_SESSION_READ_ONLY;
		goto out;
	}
	role = khsm_file_role(f);
	rv = khsm_pin_check_new(new_pin);
	if (rv)
		goto out;
	was = khsm_pin_locked(tok, role);
	rv = khsm_pin_verify(tok, role, old_pin);
	locked = !was && khsm_pin_locked(tok, role);
	rv = rv ?: khsm_persist_unlock(tok, role, old_pin);
	if (rv)
		goto out;
	rv = khsm_pin_record_set(tok, role,
				 role == KHSM_ROLE_SO ? &tok->so : &tok->user,
				 new_pin);
out:
	mutex_unlock(&tok->lock);
	khsm_pin_events(tok, f->user, rv, false, locked);
	return rv;
}

unsigned long khsm_token_login(struct khsm_file *f, u32 session,
			 unsigned long user_type, const struct khsm_pin *pin)
{
	struct khsm_token *tok = f->tok;
	bool was, locked = false, tried = false;
	unsigned long rv;
	int role;

	if (user_type == CKU_CONTEXT_SPECIFIC)
		return khsm_session_context_login(f, session, pin);
	role = user_type == CKU_SO ? KHSM_ROLE_SO : KHSM_ROLE_USER;
	mutex_lock(&tok->lock);
	if (!khsm_session_find(f, session)) {
		rv = CKR_SESSION_HANDLE_INVALID;
		goto out;
	}
	if (user_type != CKU_SO && user_type != CKU_USER) {
		rv = CKR_USER_TYPE_INVALID;
		goto out;
	}
	if (f->user == user_type) {
		rv = CKR_USER_ALREADY_LOGGED_IN;
		goto out;
	}
	if (f->user != KHSM_NOBODY) {
		rv = CKR_USER_ANOTHER_ALREADY_LOGGED_IN;
		goto out;
	}
	if (user_type == CKU_SO && f->n_ro_sessions) {
		rv = CKR_SESSION_READ_ONLY_EXISTS;
		goto out;
	}
	tried = true;
	was = khsm_pin_locked(tok, role);
	rv = khsm_pin_verify(tok, role, pin);
	locked = !was && khsm_pin_locked(tok, role);
	rv = rv ?: khsm_persist_unlock(tok, role, pin);
	if (rv)
		goto out;
	f->user = user_type;
	tok->n_logged_in++;
	if (user_type == CKU_SO)
		tok->n_so_logged_in++;
out:
	mutex_unlock(&tok->lock);
	if (tried)
		khsm_pin_events(tok, user_type, rv, true, locked);
	return rv;
}

/*
 * Undo a login whose result could not be delivered: log the file out
 * again if it is still logged in as @user_type.
 */
void khsm_token_login_undo(struct khsm_file *f, unsigned long user_type)
{
	mutex_lock(&f->tok->lock);
	if (f->user == user_type)
		khsm_file_logout(f);
	mutex_unlock(&f->tok->lock);
}

unsigned long khsm_token_logout(struct khsm_file *f, u32 session)
{
	struct khsm_token *tok = f->tok;
	unsigned long rv = CKR_OK;

	mutex_lock(&tok->lock);
	if (!khsm_session_find(f, session))
		rv = CKR_SESSION_HANDLE_INVALID;
	else if (f->user == KHSM_NOBODY)
		rv = CKR_USER_NOT_LOGGED_IN;
	else
		khsm_file_logout(f);
	mutex_unlock(&tok->lock);
	return rv;
}

unsigned long khsm_token_random(struct khsm_file *f, u32 session, u8 *buf,
			  size_t len)
{
	/* No tok->lock: random needs nothing of the token but a session. */
	if (!khsm_session_valid(f, session))
		return CKR_SESSION_HANDLE_INVALID;
	get_random_bytes(buf, len);
	return CKR_OK;
}
