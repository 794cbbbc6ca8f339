// SPDX-License-Identifier: GPL-2.0
/*
 * Token state: identity, the SO and user PIN verifiers (Argon2id outputs
 * derived in user space, compared here in constant time), failure
 * counters and lockout, C_InitToken/C_InitPIN/C_SetPIN/C_Login/C_Logout
 * with the PKCS#11 v3.0 5.6 session-state rules.
 */
#include <crypto/algapi.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "object.h"
#include "session.h"
#include "token.h"

static struct khsm_token *khsm_tokens;
static unsigned int khsm_ntokens;

static unsigned int max_token_mib = KHSM_DEF_TOKEN_MIB;
module_param(max_token_mib, uint, 0444);
MODULE_PARM_DESC(max_token_mib,
		 "MiB of objects and sessions one token may hold (1..65536, default 256)");

static u64 khsm_token_max_bytes(void)
{
	return (u64)max_token_mib << 20;
}

/*
 * Reserve @bytes of the token's budget, under tok->lock: CKR_OK, or
 * CKR_DEVICE_MEMORY when the token would hold more than max_token_mib.
 */
unsigned long khsm_token_charge(struct khsm_token *tok, u64 bytes)
{
	lockdep_assert_held(&tok->lock);
	if (bytes > khsm_token_max_bytes() - tok->n_bytes)
		return CKR_DEVICE_MEMORY;
	tok->n_bytes += bytes;
	return CKR_OK;
}

void khsm_token_uncharge(struct khsm_token *tok, u64 bytes)
{
	lockdep_assert_held(&tok->lock);
	if (WARN_ON_ONCE(bytes > tok->n_bytes))
		bytes = tok->n_bytes;
	tok->n_bytes -= bytes;
}

unsigned int khsm_token_count(void)
{
	return khsm_ntokens;
}

struct khsm_token *khsm_token_at(unsigned int i)
{
	return &khsm_tokens[i];
}

static void khsm_pin_wipe(struct khsm_pin_state *ps)
{
	memzero_explicit(ps, sizeof(*ps));
}

int khsm_tokens_init(unsigned int count, kgid_t gid)
{
	u8 rnd[KHSM_SERIAL_LEN / 2];
	unsigned int i;
	int err;

	if (max_token_mib < 1 || max_token_mib > KHSM_MAX_TOKEN_MIB) {
		pr_err("max_token_mib=%u out of range 1..%u\n", max_token_mib,
		       KHSM_MAX_TOKEN_MIB);
		return -EINVAL;
	}
	khsm_tokens = kcalloc(count, sizeof(*khsm_tokens), GFP_KERNEL);
	if (!khsm_tokens)
		return -ENOMEM;
	khsm_ntokens = count;
	for (i = 0; i < count; i++) {
		struct khsm_token *tok = &khsm_tokens[i];

		tok->index = i;
		tok->gid = gid;
		mutex_init(&tok->lock);
		xa_init_flags(&tok->objects, XA_FLAGS_ALLOC1);
		xa_init_flags(&tok->sessions, XA_FLAGS_ALLOC1);
		err = khsm_index_init(&tok->find_index);
		if (err) {
			khsm_ntokens = i;
			khsm_tokens_uninit();
			return err;
		}
		memset(tok->label, ' ', sizeof(tok->label));
		get_random_bytes(rnd, sizeof(rnd));
		bin2hex(tok->serial, rnd, sizeof(rnd));
	}
	return 0;
}

void khsm_tokens_uninit(void)
{
	unsigned int i;

	for (i = 0; i < khsm_ntokens; i++) {
		struct khsm_token *tok = &khsm_tokens[i];

		mutex_lock(&tok->lock);
		khsm_objects_destroy_all(tok);
		khsm_pin_wipe(&tok->so);
		khsm_pin_wipe(&tok->user);
		mutex_unlock(&tok->lock);
		WARN_ON(!xa_empty(&tok->sessions));
		xa_destroy(&tok->objects);
		xa_destroy(&tok->sessions);
		khsm_index_destroy(&tok->find_index);
		mutex_destroy(&tok->lock);
	}
	kfree(khsm_tokens);
	khsm_tokens = NULL;
	khsm_ntokens = 0;
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
}

static u64 khsm_pin_flags(const struct khsm_pin_state *ps, u64 low, u64 final,
			  u64 locked)
{
	if (ps->failures >= KHSM_MAX_PIN_FAILURES)
		return locked;
	if (ps->failures == KHSM_MAX_PIN_FAILURES - 1)
		return low | final;
	return ps->failures ? low : 0;
}

static void khsm_blank_copy(u8 *dst, size_t n, const char *src)
{
	memset(dst, ' ', n);
	memcpy(dst, src, min(n, strlen(src)));
}

void khsm_token_info(struct khsm_token *tok, struct khsm_token_info *ti)
{
	u64 flags = CKF_RNG | CKF_LOGIN_REQUIRED;

	khsm_blank_copy(ti->manufacturer, sizeof(ti->manufacturer), "khsm");
	khsm_blank_copy(ti->model, sizeof(ti->model), "khsm kernel");
	ti->max_sessions = KHSM_MAX_SESSIONS;
	ti->max_rw_sessions = KHSM_MAX_SESSIONS;
	ti->min_pin_len = KHSM_MIN_PIN_LEN;
	ti->max_pin_len = KHSM_MAX_PIN_LEN;
	ti->hw_version[0] = 0;
	ti->hw_version[1] = 1;
	ti->fw_version[0] = 0;
	ti->fw_version[1] = 1;

	mutex_lock(&tok->lock);
	memcpy(ti->label, tok->label, sizeof(ti->label));
	memcpy(ti->serial, tok->serial, sizeof(ti->serial));
	if (tok->initialized)
		flags |= CKF_TOKEN_INITIALIZED;
	if (tok->user.set)
		flags |= CKF_USER_PIN_INITIALIZED;
	flags |= khsm_pin_flags(&tok->user, CKF_USER_PIN_COUNT_LOW,
				CKF_USER_PIN_FINAL_TRY, CKF_USER_PIN_LOCKED);
	flags |= khsm_pin_flags(&tok->so, CKF_SO_PIN_COUNT_LOW,
				CKF_SO_PIN_FINAL_TRY, CKF_SO_PIN_LOCKED);
	ti->flags = flags;
	ti->sessions = tok->n_sessions;
	ti->rw_sessions = tok->n_rw_sessions;
	ti->token_objects = tok->n_token_objects;
	ti->session_objects = tok->n_session_objects;
	ti->open_files = tok->n_files;
	ti->logged_in_files = tok->n_logged_in;
	if (tok->so.set) {
		memcpy(ti->so_salt, tok->so.salt, sizeof(ti->so_salt));
		ti->so_t_cost = tok->so.t_cost;
		ti->so_m_cost_kib = tok->so.m_cost_kib;
		ti->so_parallelism = tok->so.parallelism;
	}
	if (tok->user.set) {
		memcpy(ti->user_salt, tok->user.salt, sizeof(ti->user_salt));
		ti->user_t_cost = tok->user.t_cost;
		ti->user_m_cost_kib = tok->user.m_cost_kib;
		ti->user_parallelism = tok->user.parallelism;
	}
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

static void khsm_pin_store(struct khsm_pin_state *ps, const struct khsm_pin *p)
{
	khsm_pin_wipe(ps);
	memcpy(ps->verifier, p->verifier, sizeof(ps->verifier));
	memcpy(ps->salt, p->salt, sizeof(ps->salt));
	ps->t_cost = p->t_cost;
	ps->m_cost_kib = p->m_cost_kib;
	ps->parallelism = p->parallelism;
	ps->pin_len = p->pin_len;
	ps->set = true;
}

/* Constant-time compare; counts failures and locks after the limit. */
static unsigned long khsm_pin_verify(struct khsm_pin_state *ps,
			       const struct khsm_pin *p)
{
	if (!ps->set)
		return CKR_USER_PIN_NOT_INITIALIZED;
	if (ps->failures >= KHSM_MAX_PIN_FAILURES)
		return CKR_PIN_LOCKED;
	if (crypto_memneq(ps->verifier, p->verifier, sizeof(ps->verifier)) |
	    (ps->pin_len != p->pin_len)) {
		ps->failures++;
		return CKR_PIN_INCORRECT;
	}
	ps->failures = 0;
	return CKR_OK;
}

unsigned long khsm_token_init_token(struct khsm_file *f, const u8 *label,
			      const struct khsm_pin *so_check,
			      const struct khsm_pin *so_new)
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
		rv = khsm_pin_verify(&tok->so, so_check);
		if (rv)
			goto out;
	}
	khsm_objects_destroy_all(tok);
	khsm_pin_wipe(&tok->user);
	khsm_pin_store(&tok->so, so_new);
	memcpy(tok->label, label, sizeof(tok->label));
	tok->initialized = true;
out:
	mutex_unlock(&tok->lock);
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
	khsm_pin_store(&tok->user, pin);
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
	struct khsm_pin_state *ps;
	struct khsm_sess *s;
	unsigned long rv;

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
	ps = f->user == CKU_SO ? &tok->so : &tok->user;
	rv = khsm_pin_check_new(new_pin);
	if (rv)
		goto out;
	rv = khsm_pin_verify(ps, old_pin);
	if (rv)
		goto out;
	khsm_pin_store(ps, new_pin);
out:
	mutex_unlock(&tok->lock);
	return rv;
}

unsigned long khsm_token_login(struct khsm_file *f, u32 session,
			 unsigned long user_type, const struct khsm_pin *pin)
{
	struct khsm_token *tok = f->tok;
	unsigned long rv;

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
	rv = khsm_pin_verify(user_type == CKU_SO ? &tok->so : &tok->user, pin);
	if (rv)
		goto out;
	f->user = user_type;
	tok->n_logged_in++;
out:
	mutex_unlock(&tok->lock);
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
