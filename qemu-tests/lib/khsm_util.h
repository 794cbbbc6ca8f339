/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the direct-ioctl tests (qemu-tests/uapi/): open the token,
 * build templates, issue ioctls, and bring the token into a known state.
 *
 * PINs: the tests use two fixed PINs and derive the verifiers the way the
 * uAPI header documents it (Argon2id(pin, salt, t, m, p), 32 bytes), with
 * the salt and cost the kernel reports, so a token left initialised by an
 * earlier test (direct or through libhsm) can be re-initialised.
 */
#ifndef KHSM_UTIL_H
#define KHSM_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/khsm.h>
#include <p11-kit/pkcs11.h>

#define T_SO_PIN	"so-secret-8642"
#define T_USER_PIN	"user-secret-1357"
#define T_LABEL		"khsm-test"

/* Argon2id cost the tests set for new PINs (fast under TCG). */
#define T_T_COST	1
#define T_M_COST	64
#define T_PAR		1

/* Zero a uAPI struct and set its size field. */
#define T_INIT(s) do { memset(&(s), 0, sizeof(s)); (s).size = sizeof(s); } while (0)

/* Path of the device under test: $KHSM_DEV or /dev/hsm0. */
const char *t_dev_path(void);
/* open(O_RDWR | O_CLOEXEC) of the device; -1 with errno on failure. */
int t_open(void);
/* ioctl(); returns 0 or the errno it failed with. */
int t_ioctl(int fd, unsigned long cmd, void *arg);

int t_token_info(int fd, struct khsm_token_info *ti);
/*
 * TOKEN_INFO as a logged-in file sees it (a file that is not logged in
 * reads 0 object and file counts): through a new file that logs in as
 * user (as SO if that fails), with that file's own session and login taken
 * off again; it counts as one open file, as a fresh observer always did.
 */
int t_counts(struct khsm_token_info *ti);

/* Fill a check-form PIN (verifier + pin_len) for @pin given the salt/cost. */
void t_pin_check(struct khsm_pin *p, const char *pin, const __u8 *salt,
		 __u32 t, __u32 m, __u32 par);
/* Fill a new-PIN form with a fresh salt and the T_* cost. */
void t_pin_new(struct khsm_pin *p, const char *pin);
/* Check form of the current SO / user PIN (reads the salt via TOKEN_INFO). */
void t_so_check(int fd, struct khsm_pin *p, const char *pin);
void t_user_check(int fd, struct khsm_pin *p, const char *pin);

/*
 * Bring the token into the state "initialised with T_SO_PIN and label
 * T_LABEL, user PIN T_USER_PIN set, no objects". @fd must be the only open
 * file of the caller with sessions. Returns 0 or prints why and returns -1.
 */
int t_reset_token(int fd);
/* The same without setting the user PIN. */
int t_init_token_only(int fd);

/* Session helpers: return the errno (0 on success); *rv gets the rv. */
int t_open_session(int fd, __u32 flags, __u32 *handle, __u32 *rv);
int t_close_session(int fd, __u32 handle, __u32 *rv);
int t_login(int fd, __u32 session, __u32 user_type, const char *pin, __u32 *rv);
int t_logout(int fd, __u32 session, __u32 *rv);
/* Open a RW session and log in as user; returns the handle or 0. */
__u32 t_user_session(int fd);

/* Templates. Values live inside the struct, so it must outlive its use. */
#define T_MAX_ATTRS 32
struct t_tmpl {
	struct khsm_attr a[T_MAX_ATTRS];
	unsigned int n;
	__u64 ul[T_MAX_ATTRS];
	__u8 b[T_MAX_ATTRS];
};
void t_tmpl_init(struct t_tmpl *t);
void t_add_bool(struct t_tmpl *t, __u32 type, int v);
void t_add_ulong(struct t_tmpl *t, __u32 type, __u64 v);
void t_add_bytes(struct t_tmpl *t, __u32 type, const void *p, size_t len);

/* CREATE_OBJECT; returns the errno, *rv the rv, *obj the handle. */
int t_create(int fd, __u32 session, struct t_tmpl *t, __u32 *obj, __u32 *rv);
int t_destroy(int fd, __u32 session, __u32 obj, __u32 *rv);
/* GET_ATTRS of one attribute into buf; *len in: capacity, out: length. */
int t_get_attr(int fd, __u32 session, __u32 obj, __u32 type, void *buf,
	       __u64 *len, __u32 *rv);
/* Find every object matching @t (NULL: all); returns the count or -errno. */
int t_find(int fd, __u32 session, struct t_tmpl *t, __u32 *out, __u32 max);

/* Templates for common objects (session objects unless @token). */
void t_tmpl_aes(struct t_tmpl *t, const void *key, size_t len, int token);
void t_tmpl_data(struct t_tmpl *t, const char *value, int token, int priv);

/* CREATE_OBJECT of an AES session key from bytes; its handle or 0. */
__u32 t_aes_key(int fd, __u32 session, const __u8 *key, size_t len);

/* DER of the P-256 OID, CKA_EC_PARAMS. */
extern const __u8 t_p256_oid[10];

/* KHSM_IOC_GENERATE_KEY_PAIR for an ECDSA P-256 pair with CKA_SIGN/VERIFY. */
int t_gen_p256(int fd, __u32 session, int token, __u32 *pub, __u32 *priv,
	       __u32 *rv);
/* KHSM_IOC_OP_INIT / OP_DATA one-shot helpers. */
int t_op_init(int fd, __u32 session, __u32 op, __u32 mech, __u32 key,
	      const void *param, __u32 param_len, __u32 *rv);
/* OP_INIT with KHSM_OP_INIT_F_CANCEL: end the active operation of @op. */
int t_op_cancel(int fd, __u32 session, __u32 op);
int t_op_data(int fd, __u32 session, __u32 op, __u32 step, const void *in,
	      size_t in_len, void *out, __u64 *out_len, __u32 *rv);

/* The flat CKM_AES_GCM parameter in @buf; returns its length. */
__u32 t_gcm_param(__u8 *buf, const __u8 *iv, __u32 ivl, const __u8 *aad,
		  __u32 aadl, __u32 tagbits);

/* hex string -> bytes; returns the byte count. */
size_t t_unhex(const char *hex, __u8 *out, size_t max);

/* With kselftest_harness.h: assert the errno and rv of a call. */
#ifdef __KSELFTEST_HARNESS_H
#define ASSERT_CKR(exp_errno, exp_rv, err, rv) do {			\
	ASSERT_EQ((int)(exp_errno), (int)(err));			\
	ASSERT_EQ((unsigned long)(exp_rv), (unsigned long)(rv));	\
} while (0)
#define ASSERT_OK(err, rv) ASSERT_CKR(0, CKR_OK, err, rv)
#endif

#endif /* KHSM_UTIL_H */
