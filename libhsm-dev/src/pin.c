// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * PINs: the PIN never reaches the kernel. Each PIN becomes a 32-byte
 * Argon2id verifier; a check uses the salt and cost the kernel reports in
 * KHSM_IOC_TOKEN_INFO, a new PIN gets a fresh salt and the configured cost.
 * Every buffer that held PIN-derived bytes is wiped before return.
 */
#include <argon2.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "internal.h"
#include "state.h"

unsigned long hsm_pin_derive(const void *pin, size_t pin_len,
			     const unsigned char salt[KHSM_SALT_LEN],
			     uint32_t t_cost, uint32_t m_cost_kib,
			     uint32_t parallelism,
			     unsigned char verifier[KHSM_VERIFIER_LEN])
{
	int ret;

	if ((!pin && pin_len) || !salt || !verifier)
		return CKR_ARGUMENTS_BAD;
	if (pin_len > UINT32_MAX)
		return CKR_PIN_LEN_RANGE;
	ret = argon2id_hash_raw(t_cost, m_cost_kib, parallelism, pin,
				pin_len, salt, KHSM_SALT_LEN, verifier,
				KHSM_VERIFIER_LEN);
	if (ret == ARGON2_OK)
		return CKR_OK;
	explicit_bzero(verifier, KHSM_VERIFIER_LEN);
	if (ret == ARGON2_MEMORY_ALLOCATION_ERROR)
		return CKR_HOST_MEMORY;
	if (ret == ARGON2_THREAD_FAIL)
		return CKR_FUNCTION_FAILED;
	return CKR_ARGUMENTS_BAD;	/* cost parameters out of range */
}

/* A positive decimal from the environment, or @def when unset. */
static int hsmi_env_u32(const char *name, uint32_t def, uint32_t *out)
{
	const char *s = secure_getenv(name);
	unsigned long v;
	char *end;

	if (!s || !*s) {
		*out = def;
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !v || v > UINT32_MAX || s[0] == '-')
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* Fill @p as a new PIN: fresh salt, configured cost, verifier. */
static unsigned long hsmi_pin_new(struct khsm_pin *p, const void *pin,
				  size_t pin_len)
{
	size_t got = 0;
	ssize_t r;

	if (pin_len > UINT32_MAX)
		return CKR_PIN_LEN_RANGE;
	if (hsmi_env_u32("KHSM_ARGON2_T", HSM_ARGON2_T_DEFAULT, &p->t_cost) ||
	    hsmi_env_u32("KHSM_ARGON2_M_KIB", HSM_ARGON2_M_KIB_DEFAULT,
			 &p->m_cost_kib) ||
	    hsmi_env_u32("KHSM_ARGON2_P", HSM_ARGON2_P_DEFAULT,
			 &p->parallelism))
		return CKR_ARGUMENTS_BAD;
	while (got < sizeof(p->salt)) {
		r = getrandom(p->salt + got, sizeof(p->salt) - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			hsmi_set_errno(errno);
			return CKR_FUNCTION_FAILED;
		}
		got += (size_t)r;
	}
	p->pin_len = (__u32)pin_len;
	return hsm_pin_derive(pin, pin_len, p->salt, p->t_cost, p->m_cost_kib,
			      p->parallelism, p->verifier);
}

/*
 * Fill @p as a check of an existing PIN (verifier and pin_len only). When
 * the kernel reports no usable cost (PIN not set), send random bytes so the
 * kernel, not libhsm, answers (e.g. CKR_USER_PIN_NOT_INITIALIZED).
 */
static unsigned long hsmi_pin_check(struct khsm_pin *p, const void *pin,
				    size_t pin_len, const __u8 *salt,
				    __u32 t, __u32 m, __u32 par)
{
	unsigned long rv;

	if ((!pin && pin_len))
		return CKR_ARGUMENTS_BAD;
	if (pin_len > UINT32_MAX)
		return CKR_PIN_LEN_RANGE;
	p->pin_len = (__u32)pin_len;
	rv = hsm_pin_derive(pin, pin_len, salt, t, m, par, p->verifier);
	if (rv == CKR_ARGUMENTS_BAD) {
		if (getrandom(p->verifier, sizeof(p->verifier), 0) !=
		    (ssize_t)sizeof(p->verifier))
			return CKR_FUNCTION_FAILED;
		rv = CKR_OK;
	}
	return rv;
}

static unsigned long hsmi_check_so(struct khsm_pin *p,
				   const struct khsm_token_info *ti,
				   const void *pin, size_t len)
{
	return hsmi_pin_check(p, pin, len, ti->so_salt, ti->so_t_cost,
			      ti->so_m_cost_kib, ti->so_parallelism);
}

static unsigned long hsmi_check_user(struct khsm_pin *p,
				     const struct khsm_token_info *ti,
				     const void *pin, size_t len)
{
	return hsmi_pin_check(p, pin, len, ti->user_salt, ti->user_t_cost,
			      ti->user_m_cost_kib, ti->user_parallelism);
}

/*
 * The token policy a new token gets (uAPI KHSM_INIT_TOKEN_F_*), from
 * KHSM_TOKEN_POLICY: unset, empty or "login" the kernel's default (token
 * objects need a login), "pkcs11" the PKCS#11 default (a public session
 * may write public token objects).
 */
static unsigned long hsmi_token_policy(__u32 *flags)
{
	const char *s = secure_getenv("KHSM_TOKEN_POLICY");

	*flags = 0;
	if (!s || !*s || !strcmp(s, "login"))
		return CKR_OK;
	if (!strcmp(s, "pkcs11")) {
		*flags = KHSM_INIT_TOKEN_F_PUBLIC_WRITE;
		return CKR_OK;
	}
	return CKR_ARGUMENTS_BAD;
}

/*
 * The retry limit of a new token (khsm_init_token.max_pin_failures) from
 * KHSM_PIN_RETRIES: unset, empty or 0 the kernel's default; the kernel
 * judges the range.
 */
static unsigned long hsmi_pin_retries(__u32 *out)
{
	const char *s = secure_getenv("KHSM_PIN_RETRIES");

	*out = 0;
	if (!s || !*s || !strcmp(s, "0"))
		return CKR_OK;
	return hsmi_env_u32("KHSM_PIN_RETRIES", 0, out) ? CKR_ARGUMENTS_BAD :
							   CKR_OK;
}

unsigned long hsm_init_token(const struct hsm_token *tok, const void *so_pin,
			     size_t so_pin_len, const unsigned char label[32])
{
	struct khsm_token_info ti;
	struct khsm_init_token it;
	unsigned long rv;

	if (!label || (!so_pin && so_pin_len))
		return CKR_ARGUMENTS_BAD;
	rv = hsm_token_info(tok, &ti, sizeof(ti));
	if (rv != CKR_OK)
		return rv;
	memset(&it, 0, sizeof(it));
	it.size = sizeof(it);
	memcpy(it.label, label, sizeof(it.label));
	rv = hsmi_token_policy(&it.flags);
	if (rv == CKR_OK)
		rv = hsmi_pin_retries(&it.max_pin_failures);
	if (rv == CKR_OK && (ti.flags & CKF_TOKEN_INITIALIZED))
		rv = hsmi_check_so(&it.so_check, &ti, so_pin, so_pin_len);
	if (rv == CKR_OK)
		rv = hsmi_pin_new(&it.so_new, so_pin, so_pin_len);
	if (rv == CKR_OK)
		rv = hsmi_ioctl(tok, KHSM_IOC_INIT_TOKEN, &it);
	explicit_bzero(&it, sizeof(it));
	if (rv == CKR_OK)
		rv = hsmi_persist_init_token(tok);
	return rv;
}

/*
 * After a PIN check by the kernel: a success and a wrong PIN both changed
 * the header (failure counter, generation), so it is written. @strict
 * (C_SetPIN): a failed write turns a success into CKR_DEVICE_ERROR, the
 * new PIN would not survive. C_Login keeps the kernel's answer (the file
 * is logged in either way; KHSM_DEBUG says why the header is not on disk).
 */
static unsigned long hsmi_persisted_pin(const struct hsm_token *tok,
					unsigned long rv, int strict)
{
	unsigned long prv;

	if (rv != CKR_OK && rv != CKR_PIN_INCORRECT && rv != CKR_PIN_LOCKED)
		return rv;
	prv = hsmi_persist_header(tok);
	return rv == CKR_OK && strict ? prv : rv;
}

unsigned long hsm_init_pin(const struct hsm_token *tok, uint32_t session,
			   const void *pin, size_t pin_len)
{
	struct khsm_set_pin sp;
	unsigned long rv;

	if (!pin && pin_len)
		return CKR_ARGUMENTS_BAD;
	rv = hsm_check_pid(tok);
	if (rv != CKR_OK)
		return rv;
	memset(&sp, 0, sizeof(sp));
	sp.size = sizeof(sp);
	sp.session = session;
	rv = hsmi_pin_new(&sp.new_pin, pin, pin_len);
	if (rv == CKR_OK)
		rv = hsmi_ioctl(tok, KHSM_IOC_INIT_PIN, &sp);
	explicit_bzero(&sp, sizeof(sp));
	if (rv == CKR_OK)
		rv = hsmi_persist_header(tok);
	return rv;
}

unsigned long hsm_set_pin(const struct hsm_token *tok, uint32_t session,
			  const void *old_pin, size_t old_len,
			  const void *new_pin, size_t new_len)
{
	struct khsm_token_info ti;
	struct khsm_set_pin sp;
	unsigned long rv, state;

	if ((!old_pin && old_len) || (!new_pin && new_len))
		return CKR_ARGUMENTS_BAD;
	/* Which PIN C_SetPIN changes depends on who is logged in (5.6). */
	rv = hsm_session_info(tok, session, &state, NULL);
	if (rv != CKR_OK)
		return rv;
	rv = hsm_token_info(tok, &ti, sizeof(ti));
	if (rv != CKR_OK)
		return rv;
	memset(&sp, 0, sizeof(sp));
	sp.size = sizeof(sp);
	sp.session = session;
	if (state == CKS_RW_SO_FUNCTIONS)
		rv = hsmi_check_so(&sp.old_pin, &ti, old_pin, old_len);
	else
		rv = hsmi_check_user(&sp.old_pin, &ti, old_pin, old_len);
	if (rv == CKR_OK)
		rv = hsmi_pin_new(&sp.new_pin, new_pin, new_len);
	if (rv == CKR_OK)
		rv = hsmi_ioctl(tok, KHSM_IOC_SET_PIN, &sp);
	explicit_bzero(&sp, sizeof(sp));
	if (rv == CKR_OK || rv == CKR_PIN_INCORRECT)
		rv = hsmi_persisted_pin(tok, rv, 1);
	return rv;
}

unsigned long hsm_login(const struct hsm_token *tok, uint32_t session,
			unsigned long user_type, const void *pin, size_t pin_len)
{
	struct khsm_token_info ti;
	unsigned long rv, state;
	struct khsm_login l;
	int so = 0;

	if (!pin && pin_len)
		return CKR_ARGUMENTS_BAD;
	if (user_type > UINT32_MAX)
		return CKR_USER_TYPE_INVALID;
	rv = hsm_token_info(tok, &ti, sizeof(ti));
	if (rv != CKR_OK)
		return rv;
	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.session = session;
	l.user_type = (__u32)user_type;
	/* CKU_CONTEXT_SPECIFIC re-authenticates whoever is logged in. */
	if (user_type == CKU_CONTEXT_SPECIFIC &&
	    hsm_session_info(tok, session, &state, NULL) == CKR_OK &&
	    state == CKS_RW_SO_FUNCTIONS)
		so = 1;
	if (user_type == CKU_SO || so)
		rv = hsmi_check_so(&l.pin, &ti, pin, pin_len);
	else
		rv = hsmi_check_user(&l.pin, &ti, pin, pin_len);
	if (rv == CKR_OK)
		rv = hsmi_ioctl(tok, KHSM_IOC_LOGIN, &l);
	explicit_bzero(&l, sizeof(l));
	return hsmi_persisted_pin(tok, rv, 0);
}

unsigned long hsm_logout(const struct hsm_token *tok, uint32_t session)
{
	struct khsm_login l;

	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.session = session;
	return hsmi_ioctl(tok, KHSM_IOC_LOGOUT, &l);
}
