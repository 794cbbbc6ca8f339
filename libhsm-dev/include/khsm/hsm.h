/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libhsm: the C library over the khsm ioctls (/dev/hsmN).
 *
 * libhsm is a translator, never a gatekeeper: it encodes calls into the
 * uAPI of <linux/khsm.h> and decodes the answers. Every policy decision
 * (login state, attribute rules, usage flags, read-only sessions, ...) is the
 * kernel's.
 *
 * Results
 *   Every function that can fail returns a PKCS#11 CK_RV value as
 *   unsigned long (CKR_OK == 0; compare with the CKR_* constants of any
 *   pkcs11.h). When the kernel wrote a PKCS#11 decision, that value is
 *   returned unchanged. When a call failed without one (bad pointer,
 *   malformed struct, no memory, ...) the errno is mapped:
 *     ENOENT/ENODEV/ENXIO         -> CKR_TOKEN_NOT_PRESENT   (hsm_open only)
 *     EACCES/EPERM                -> CKR_TOKEN_NOT_RECOGNIZED (hsm_open only:
 *                                    the caller is not in the token's group)
 *     ENOMEM                      -> CKR_HOST_MEMORY
 *     EFAULT/EINVAL/E2BIG         -> CKR_ARGUMENTS_BAD
 *     ENOTTY/EOPNOTSUPP           -> CKR_FUNCTION_NOT_SUPPORTED
 *     anything else               -> CKR_DEVICE_ERROR
 *   EINTR is retried (the kernel did nothing in that case). The errno of
 *   the last failed system call of the calling thread is kept for logs and
 *   is returned by hsm_last_errno() (0 when the failure was a kernel
 *   PKCS#11 decision or a libhsm argument check).
 *
 * Handles
 *   Session and object handles are the kernel's __u32 values, never 0.
 *
 * Attribute values
 *   Values travel to the kernel byte for byte. CK_ULONG-valued attributes
 *   (CKA_CLASS, CKA_KEY_TYPE, CKA_VALUE_LEN, ...) must be 8 bytes (a
 *   uint64_t; on LP64 Linux that is exactly a CK_ULONG) and CK_BBOOL ones
 *   1 byte. struct hsm_attr has the layout of CK_ATTRIBUTE on LP64, so a
 *   CK_ATTRIBUTE array may be passed cast to struct hsm_attr *.
 *   On GET, a value the kernel cannot return has len == HSM_LEN_UNAVAILABLE
 *   ((unsigned long)-1, CK_UNAVAILABLE_INFORMATION).
 *
 * PINs
 *   A PIN never reaches the kernel. libhsm derives a 32-byte verifier with
 *   Argon2id(pin, salt, t, m, p). For a check (login, old PIN) salt and cost
 *   come from KHSM_IOC_TOKEN_INFO; for a new PIN (init token, init pin,
 *   set pin) libhsm picks a fresh random 16-byte salt and the cost
 *   t=2, m=19456 KiB, p=1 (OWASP's Argon2id minimum). The environment
 *   variables KHSM_ARGON2_T, KHSM_ARGON2_M_KIB and KHSM_ARGON2_P, read when
 *   a new PIN is set, override that cost (tests set small values so runs
 *   under emulation stay fast). Invalid values make the call fail with
 *   CKR_ARGUMENTS_BAD. Derived buffers are wiped.
 *
 * Persistence
 *   When the state directory exists ($KHSM_STATE_DIR, default
 *   /var/lib/khsm; "none" turns it off) and the kernel has
 *   KHSM_FEATURE_STATE, every call that changes a token's state writes the
 *   sealed blobs there before it returns (README, "State directory"):
 *   create, copy, generate, derive, unwrap and set-attributes of token
 *   objects, destroy, init token, init PIN, set PIN and login (also a
 *   wrong PIN). When a write fails the call returns CKR_DEVICE_ERROR
 *   (new objects are destroyed again; errno in hsm_last_errno(), the
 *   reason on stderr if KHSM_DEBUG is set); a login keeps its answer.
 *
 * Environment
 *   KHSM_DEV_DIR: directory holding hsmN device nodes (default "/dev").
 *   KHSM_STATE_DIR: the state directory (above). KHSM_PIN_RETRIES: the
 *   retry limit hsm_init_token gives a new token (0 or unset: default).
 *   Environment variables are read with secure_getenv().
 *
 * fork()
 *   A token handle records getpid() at hsm_open. In a child of fork() every
 *   call on an inherited handle returns CKR_CRYPTOKI_NOT_INITIALIZED without
 *   touching the device (PKCS#11 5.x: the child must C_Initialize again);
 *   hsm_close() on it only frees memory and closes the child's descriptor,
 *   the parent's sessions are untouched.
 *
 * Threads
 *   A struct hsm_token is immutable after hsm_open and may be used from any
 *   number of threads at once; the kernel serialises per session. Do not
 *   call hsm_close() while other threads still use the handle. libhsm has
 *   no global mutable state apart from the per-thread errno slot and the
 *   process id cache of hsm_getpid().
 */
#ifndef KHSM_HSM_H
#define KHSM_HSM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/khsm.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HSM_LEN_UNAVAILABLE	((unsigned long)-1)

/* Default device directory; override with KHSM_DEV_DIR. */
#define HSM_DEV_DIR_DEFAULT	"/dev"

/* Default Argon2id cost for new PINs (OWASP minimum). */
#define HSM_ARGON2_T_DEFAULT	2
#define HSM_ARGON2_M_KIB_DEFAULT 19456
#define HSM_ARGON2_P_DEFAULT	1

struct hsm_token;

/* Same layout as CK_ATTRIBUTE on LP64. */
struct hsm_attr {
	unsigned long type;	/* CKA_* */
	void *value;		/* NULL: length query (GET) */
	unsigned long len;	/* bytes; GET: in capacity, out length */
};

/*
 * Same layout as CK_MECHANISM on LP64, so a CK_MECHANISM may be passed cast
 * to struct hsm_mechanism *. @param is the PKCS#11 parameter as pkcs11.h
 * defines it on LP64 (CK_GCM_PARAMS in the v3.0 layout or the 2.40 one
 * without ulIvBits, CK_EDDSA_PARAMS, CK_RSA_PKCS_PSS_PARAMS,
 * CK_RSA_PKCS_OAEP_PARAMS, CK_MAC_GENERAL_PARAMS (a CK_ULONG) of the
 * _GENERAL MACs, CK_AES_CTR_PARAMS, the 16-byte IV of CKM_AES_CBC*, the
 * optional IV of CKM_AES_KEY_WRAP*, or none).
 * libhsm turns it into the kernel's flat parameter (<linux/khsm.h>) in a
 * buffer of its own, wiped and freed before the call returns; the caller
 * keeps ownership of everything it passed. A parameter that cannot be
 * encoded (wrong size for the mechanism, NULL pointer with a length)
 * gives CKR_MECHANISM_PARAM_INVALID; its values are the kernel's to judge.
 */
struct hsm_mechanism {
	unsigned long mechanism;	/* CKM_* */
	const void *param;
	unsigned long param_len;
};

/* Same layout as CK_MECHANISM_INFO on LP64. */
struct hsm_mech_info {
	unsigned long min_key_size;
	unsigned long max_key_size;
	unsigned long flags;		/* CKF_* mechanism flags */
};

/* ---- Errors (error.c) ---------------------------------------------------- */

/* The CKR_* name of @rv ("CKR_PIN_INCORRECT"), or "CKR_UNKNOWN" / vendor. */
const char *hsm_strerror(unsigned long rv);

/* errno of the calling thread's last failed libhsm system call, or 0. */
int hsm_last_errno(void);

/* The errno -> CK_RV mapping libhsm uses for failures without a kernel rv. */
unsigned long hsm_errno_to_rv(int err);

/* ---- Tokens (device.c) ---------------------------------------------------- */

/*
 * Indices N of the hsmN nodes in the device directory, ascending.
 * PKCS#11 length protocol: @indices NULL -> *count = number available;
 * *count too small -> CKR_BUFFER_TOO_SMALL with *count set to the number.
 * A missing directory gives CKR_OK with *count == 0.
 */
unsigned long hsm_token_list(unsigned int *indices, unsigned int *count);

/*
 * Open <dev dir>/hsm<index> (O_RDWR | O_CLOEXEC), check the ABI version and
 * cache KHSM_IOC_VERSION. CKR_TOKEN_NOT_PRESENT if there is no such node,
 * CKR_TOKEN_NOT_RECOGNIZED if access is denied or the ABI version differs.
 */
unsigned long hsm_open(unsigned int index, struct hsm_token **out);

/* Closes the file: the kernel ends all its sessions and session objects. */
void hsm_close(struct hsm_token *tok);

/* CKR_OK, or CKR_CRYPTOKI_NOT_INITIALIZED in a child after fork(). */
unsigned long hsm_check_pid(const struct hsm_token *tok);

/*
 * getpid() without a system call after the first in each process (the
 * answer lives in a page the kernel wipes in a child of fork()); what
 * libhsm's fork checks use, for callers that need the same check.
 */
pid_t hsm_getpid(void);

unsigned int hsm_token_index(const struct hsm_token *tok);
int hsm_token_fd(const struct hsm_token *tok);

/*
 * 1 if <dev dir>/hsm<index> is a character device now (as hsm_token_list
 * counts it), else 0. A removed token's node goes at once.
 */
int hsm_token_present(unsigned int index);

/* ---- Slot events (events.c) ------------------------------------------------ */

/*
 * What C_WaitForSlotEvent needs (<linux/khsm.h>, "Tokens at run time and
 * slot events"): a descriptor that becomes readable (poll/select/epoll,
 * POLLIN) when a token may have been added, removed or initialised. The
 * kernel's event counter is read through one open token file, the lowest
 * index this process may open; with none (no token, or the caller is in
 * no token's group) inotify on the device directory stands in, and such
 * a caller only learns of hsmN nodes that appear, vanish or change owner
 * or mode. After a wake-up call hsm_events_read(), then list the tokens
 * (hsm_token_list) and compare their TOKEN_INFO with what you saw before:
 * the descriptor says that something happened, not what.
 *
 * hsm_events_open: counting starts now (events before it are not seen).
 *   The handle holds at most one token file and one inotify instance,
 *   all O_CLOEXEC. When neither a token file nor an inotify watch could
 *   be set up: the errno's CK_RV (hsm_errno_to_rv; hsm_last_errno()).
 * hsm_events_fd: the descriptor to poll (an epoll instance; -1 for NULL).
 *   Never read it yourself.
 * hsm_events_read: never blocks; consumes what made the descriptor
 *   readable and sets *changed to non-zero when something happened since
 *   the last call (a counter move, a removed watched token, an hsm* node
 *   in the directory). Also drops the file of a removed token (so its
 *   index can be given to a new token) and watches another.
 *   CKR_CRYPTOKI_NOT_INITIALIZED in a child after fork().
 * hsm_events_close: closes everything (in a child of fork() only the
 *   child's descriptors). One thread at a time per handle for _read and
 *   _close; any number may poll the descriptor.
 */
struct hsm_events;
unsigned long hsm_events_open(struct hsm_events **out);
int hsm_events_fd(const struct hsm_events *ev);
unsigned long hsm_events_read(struct hsm_events *ev, unsigned int *changed);
void hsm_events_close(struct hsm_events *ev);

/*
 * The uAPI structs grow at their end (<linux/khsm.h>, "Every ioctl"), so the
 * two calls below take the size of the caller's struct: pass sizeof(*v) or
 * sizeof(*info). Any size from the struct's KHSM_*_SIZE_VER0 up works with
 * any libhsm and any kernel: fields the kernel does not know come back
 * zero, fields the caller does not know are not written. A size below
 * VER0 gives CKR_ARGUMENTS_BAD.
 */
/* KHSM_IOC_VERSION: ABI version, features, limits. */
unsigned long hsm_version(const struct hsm_token *tok, struct khsm_version *v,
			  size_t size);
/* KHSM_IOC_TOKEN_INFO: C_GetTokenInfo plus counters and PIN salts/costs. */
unsigned long hsm_token_info(const struct hsm_token *tok,
			     struct khsm_token_info *info, size_t size);

/* ---- PINs and login (pin.c) ------------------------------------------------ */

/*
 * C_InitToken. @label: 32 bytes, blank padded. The token policy comes
 * from $KHSM_TOKEN_POLICY ("login", the default, or "pkcs11"; README).
 */
unsigned long hsm_init_token(const struct hsm_token *tok, const void *so_pin,
			     size_t so_pin_len, const unsigned char label[32]);
/* C_InitPIN (SO session). */
unsigned long hsm_init_pin(const struct hsm_token *tok, uint32_t session,
			   const void *pin, size_t pin_len);
/* C_SetPIN: the SO PIN in an SO session, otherwise the user PIN. */
unsigned long hsm_set_pin(const struct hsm_token *tok, uint32_t session,
			  const void *old_pin, size_t old_len,
			  const void *new_pin, size_t new_len);
/*
 * C_Login. CKU_SO checks against the SO verifier's salt/cost, CKU_USER the
 * user's, CKU_CONTEXT_SPECIFIC the SO's in an SO session, else the user's.
 */
unsigned long hsm_login(const struct hsm_token *tok, uint32_t session,
			unsigned long user_type, const void *pin, size_t pin_len);
unsigned long hsm_logout(const struct hsm_token *tok, uint32_t session);

/*
 * The Argon2id derivation libhsm uses (exposed for tests and tools):
 * verifier = Argon2id(pin, salt[16], t, m_kib, p), 32 bytes.
 */
unsigned long hsm_pin_derive(const void *pin, size_t pin_len,
			     const unsigned char salt[KHSM_SALT_LEN],
			     uint32_t t_cost, uint32_t m_cost_kib,
			     uint32_t parallelism,
			     unsigned char verifier[KHSM_VERIFIER_LEN]);

/* ---- Sessions (session.c) ------------------------------------------------- */

/* @flags: CKF_SERIAL_SESSION [| CKF_RW_SESSION]. */
unsigned long hsm_open_session(const struct hsm_token *tok,
			       unsigned long flags, uint32_t *session);
unsigned long hsm_close_session(const struct hsm_token *tok, uint32_t session);
unsigned long hsm_close_all_sessions(const struct hsm_token *tok);
/* Either out pointer may be NULL. */
unsigned long hsm_session_info(const struct hsm_token *tok, uint32_t session,
			       unsigned long *state, unsigned long *flags);

/* ---- Objects (object.c) --------------------------------------------------- */

unsigned long hsm_create_object(const struct hsm_token *tok, uint32_t session,
				const struct hsm_attr *tmpl, unsigned long count,
				uint32_t *object);
unsigned long hsm_copy_object(const struct hsm_token *tok, uint32_t session,
			      uint32_t object, const struct hsm_attr *tmpl,
			      unsigned long count, uint32_t *new_object);
unsigned long hsm_destroy_object(const struct hsm_token *tok, uint32_t session,
				 uint32_t object);
/*
 * C_GetAttributeValue semantics: each tmpl[i].len is updated (value length
 * or HSM_LEN_UNAVAILABLE) even when the result is CKR_ATTRIBUTE_SENSITIVE,
 * CKR_ATTRIBUTE_TYPE_INVALID or CKR_BUFFER_TOO_SMALL.
 */
unsigned long hsm_get_attrs(const struct hsm_token *tok, uint32_t session,
			    uint32_t object, struct hsm_attr *tmpl,
			    unsigned long count);
unsigned long hsm_set_attrs(const struct hsm_token *tok, uint32_t session,
			    uint32_t object, const struct hsm_attr *tmpl,
			    unsigned long count);

unsigned long hsm_find_init(const struct hsm_token *tok, uint32_t session,
			    const struct hsm_attr *tmpl, unsigned long count);
/* Up to @max handles into @handles; *got = number written (0 = done). */
unsigned long hsm_find(const struct hsm_token *tok, uint32_t session,
		       uint32_t *handles, unsigned long max,
		       unsigned long *got);
unsigned long hsm_find_final(const struct hsm_token *tok, uint32_t session);

unsigned long hsm_generate_key(const struct hsm_token *tok, uint32_t session,
			       const struct hsm_mechanism *mech,
			       const struct hsm_attr *tmpl, unsigned long count,
			       uint32_t *key);
unsigned long hsm_generate_key_pair(const struct hsm_token *tok,
				    uint32_t session,
				    const struct hsm_mechanism *mech,
				    const struct hsm_attr *pub_tmpl,
				    unsigned long pub_count,
				    const struct hsm_attr *priv_tmpl,
				    unsigned long priv_count,
				    uint32_t *pub_key, uint32_t *priv_key);
/*
 * C_DeriveKey: a new key from @base_key with @mech (CK_ECDH1_DERIVE_PARAMS
 * for CKM_ECDH1_DERIVE / CKM_ECDH1_COFACTOR_DERIVE, CK_HKDF_PARAMS for
 * CKM_HKDF_DERIVE / CKM_HKDF_DATA, which makes a CKO_DATA object) and
 * @tmpl; *@key gets its handle.
 */
unsigned long hsm_derive_key(const struct hsm_token *tok, uint32_t session,
			     const struct hsm_mechanism *mech,
			     uint32_t base_key, const struct hsm_attr *tmpl,
			     unsigned long count, uint32_t *key);
/*
 * C_WrapKey: @key wrapped with @wrapping_key and @mech (parameters as for
 * hsm_op_init; CK_RSA_AES_KEY_WRAP_PARAMS for CKM_RSA_AES_KEY_WRAP).
 * Length protocol as hsm_op_data: @out NULL -> CKR_OK and *@out_len =
 * the length (nothing is wrapped); *@out_len too small ->
 * CKR_BUFFER_TOO_SMALL with the length; else the bytes written.
 */
unsigned long hsm_wrap_key(const struct hsm_token *tok, uint32_t session,
			   const struct hsm_mechanism *mech,
			   uint32_t wrapping_key, uint32_t key, void *out,
			   unsigned long *out_len);
/*
 * C_UnwrapKey: a new key from the @in_len bytes at @in, unwrapped with
 * @unwrapping_key and @mech, and @tmpl (CKA_CLASS and CKA_KEY_TYPE
 * required); *@key gets its handle.
 */
unsigned long hsm_unwrap_key(const struct hsm_token *tok, uint32_t session,
			     const struct hsm_mechanism *mech,
			     uint32_t unwrapping_key, const void *in,
			     unsigned long in_len, const struct hsm_attr *tmpl,
			     unsigned long count, uint32_t *key);

/* ---- Operations and mechanisms (op.c) -------------------------------------- */

/* @op: KHSM_OP_ENCRYPT .. KHSM_OP_VERIFY; @key 0 for KHSM_OP_DIGEST. */
unsigned long hsm_op_init(const struct hsm_token *tok, uint32_t session,
			  unsigned int op, const struct hsm_mechanism *mech,
			  uint32_t key);
/* End the active operation of kind @op (C_*Init with a NULL mechanism). */
unsigned long hsm_op_cancel(const struct hsm_token *tok, uint32_t session,
			    unsigned int op);
/*
 * Feed data to the active operation. @step: KHSM_DATA_UPDATE, _FINAL or
 * _ONESHOT. PKCS#11 length protocol on the output: @out NULL -> CKR_OK and
 * *out_len = length needed; *out_len too small -> CKR_BUFFER_TOO_SMALL with
 * *out_len = length needed (the operation stays active in both cases).
 * Otherwise *out_len = bytes produced. @out_len may be NULL only for steps
 * that produce no output (UPDATE of digest/sign/verify).
 * Not for KHSM_OP_VERIFY FINAL/ONESHOT: use hsm_op_verify().
 */
unsigned long hsm_op_data(const struct hsm_token *tok, uint32_t session,
			  unsigned int op, unsigned int step,
			  const void *in, unsigned long in_len,
			  void *out, unsigned long *out_len);
/* KHSM_OP_VERIFY with @step FINAL or ONESHOT: @sig is the input signature. */
unsigned long hsm_op_verify(const struct hsm_token *tok, uint32_t session,
			    unsigned int step, const void *in,
			    unsigned long in_len, const void *sig,
			    unsigned long sig_len);

/* C_GenerateRandom; requests above max_data_len are split into chunks. */
unsigned long hsm_generate_random(const struct hsm_token *tok,
				  uint32_t session, void *buf,
				  unsigned long len);

/* C_GetMechanismList with the PKCS#11 length protocol on *count. */
unsigned long hsm_mech_list(const struct hsm_token *tok, uint32_t *mechs,
			    unsigned long *count);
unsigned long hsm_mech_info(const struct hsm_token *tok,
			    unsigned long mechanism,
			    struct hsm_mech_info *info);

/* ---- Allocating helpers and templates (alloc.c) ---------------------------- */

/*
 * Buffers returned by the *_alloc functions must be released with
 * hsm_free(), which wipes them (their size is remembered) before freeing.
 */
void hsm_free(void *p);

/* One attribute's value, two-call protocol done for you. */
unsigned long hsm_get_attr_alloc(const struct hsm_token *tok, uint32_t session,
				 uint32_t object, unsigned long type,
				 void **value, unsigned long *len);
/* All mechanisms of the token; *mechs NULL when *count == 0. */
unsigned long hsm_mech_list_alloc(const struct hsm_token *tok,
				  uint32_t **mechs, unsigned long *count);
/* find_init + find (all) + find_final. */
unsigned long hsm_find_all_alloc(const struct hsm_token *tok, uint32_t session,
				 const struct hsm_attr *tmpl,
				 unsigned long count, uint32_t **handles,
				 unsigned long *n);
/* Full output of a ONESHOT/FINAL step (length query, then the call). */
unsigned long hsm_op_data_alloc(const struct hsm_token *tok, uint32_t session,
				unsigned int op, unsigned int step,
				const void *in, unsigned long in_len,
				void **out, unsigned long *out_len);

/*
 * A growable template that owns copies of its values (wiped on free).
 * Build it with the add functions, pass hsm_template_attrs() and
 * hsm_template_count() to the calls above.
 */
struct hsm_template;
struct hsm_template *hsm_template_new(void);
void hsm_template_free(struct hsm_template *t);
unsigned long hsm_template_add(struct hsm_template *t, unsigned long type,
			       const void *value, unsigned long len);
/* CK_ULONG value as 8 bytes. */
unsigned long hsm_template_add_ulong(struct hsm_template *t,
				     unsigned long type, uint64_t value);
/* CK_BBOOL value as 1 byte (0 or 1). */
unsigned long hsm_template_add_bool(struct hsm_template *t,
				    unsigned long type, int value);
const struct hsm_attr *hsm_template_attrs(const struct hsm_template *t);
unsigned long hsm_template_count(const struct hsm_template *t);

/* Decode a CK_ULONG attribute value: CKR_ATTRIBUTE_VALUE_INVALID if len != 8. */
unsigned long hsm_attr_ulong(const struct hsm_attr *a, uint64_t *value);
/* Decode a CK_BBOOL attribute value: CKR_ATTRIBUTE_VALUE_INVALID if len != 1. */
unsigned long hsm_attr_bool(const struct hsm_attr *a, int *value);

/* ---- Sealed token state (state_ioc.c, persist.c; LIBHSM_1.1) --------------- */

#define HSM_STATE_DIR_DEFAULT	"/var/lib/khsm"

/* $KHSM_STATE_DIR or HSM_STATE_DIR_DEFAULT; NULL when it is "none". */
const char *hsm_state_dir(void);

/*
 * KHSM_IOC_STATE (<linux/khsm.h>). Blobs come in buffers to release with
 * hsm_free(). EXPORT_OBJECT: @blob NULL asks for oid/gen only (a session
 * object answers oid 0 and no blob). EXPORT_NEXT: the token object with
 * the lowest oid >= *oid (CAP_SYS_ADMIN); *oid is set to its oid;
 * CKR_OBJECT_HANDLE_INVALID after the last.
 */
unsigned long hsm_state_export_header(const struct hsm_token *tok,
				      void **blob, size_t *len);
unsigned long hsm_state_export_object(const struct hsm_token *tok,
				      uint32_t handle, void **blob,
				      size_t *len, uint64_t *oid,
				      uint64_t *gen);
unsigned long hsm_state_export_next(const struct hsm_token *tok,
				    uint64_t *oid, void **blob, size_t *len,
				    uint64_t *gen);
/*
 * LOAD_HEADER (CAP_SYS_ADMIN, no session open). @so_pin non-NULL: the
 * kernel checks it against the header's SO PIN (Argon2id with the salt
 * and cost the header records) before it changes anything
 * (KHSM_STATE_LOAD_F_SO_PIN, hsmctl restore).
 */
unsigned long hsm_state_load_header(const struct hsm_token *tok,
				    const void *blob, size_t len,
				    const void *so_pin, size_t so_pin_len);
/* LOAD_OBJECT: *status is the kernel's KHSM_STATE_OK, _MALFORMED, ... */
unsigned long hsm_state_load_object(const struct hsm_token *tok,
				    const void *blob, size_t len,
				    uint64_t oid, uint32_t *status);
/* LOAD_FINISH: *missing (may be NULL) listed objects that never came. */
unsigned long hsm_state_load_finish(const struct hsm_token *tok,
				    uint64_t *missing);

#define HSM_STATE_SAVE_FORCE	1U	/* replace newer files too (restore) */
/*
 * Write the token's whole state into <@dir>/<serial>/ (@dir NULL:
 * hsm_state_dir()) under the directory's lock: every object
 * (EXPORT_NEXT, CAP_SYS_ADMIN), the header, removal of object files the
 * header does not list, the <@dir>/hsmN link. Without FORCE a file of a
 * newer or equal generation is kept. CKR_TOKEN_NOT_RECOGNIZED for a
 * token never initialised; CKR_DEVICE_ERROR with hsm_last_errno() when
 * a file operation failed (ENOENT: no @dir).
 */
unsigned long hsm_state_save(const struct hsm_token *tok, const char *dir,
			     unsigned int flags);

/* ---- Kernel keyring (keyring.c, libkeyutils; LIBHSM_1.2) ------------------- */

/*
 * Every token key object has a key of type "khsm" in its token's keyring
 * "khsm:hsmN", which is linked into the module keyring "khsm" (README,
 * "Kernel keyring"). The functions below only find serials (key_serial_t
 * of <keyutils.h>); use them with keyctl_read(), keyctl_pkey_*(): the
 * kernel decides who may. Results: CKR_TOKEN_NOT_PRESENT when the module,
 * the token keyring or the key is gone (errno ENOENT, ENOKEY, ...),
 * CKR_TOKEN_NOT_RECOGNIZED when the caller may not search (EACCES),
 * CKR_KEY_HANDLE_INVALID when no key of the token matches
 * (hsm_keyring_find_key); hsm_last_errno() has the errno.
 */

/* The bytes of CKA_ID a key's description carries (in hex). */
#define HSM_KEYRING_ID_MAX	64
#define HSM_KEYRING_LABEL_MAX	64

/* A token key's description, parsed. */
struct hsm_keyring_desc {
	char serial[KHSM_SERIAL_LEN + 1];	/* token serial ("" if none) */
	char id_hex[2 * HSM_KEYRING_ID_MAX + 1]; /* CKA_ID, lower-case hex */
	char label[HSM_KEYRING_LABEL_MAX + 1];	/* [A-Za-z0-9._-] */
	unsigned long cls;			/* CKO_PRIVATE_KEY, ... */
	uint64_t oid;				/* the object's id */
};

/* The module keyring's serial (/sys/module/khsm/parameters/keyring). */
unsigned long hsm_keyring_module(int32_t *serial);
/* The keyring "khsm:hsm<index>" (keyctl_search in the module keyring). */
unsigned long hsm_keyring_token(unsigned int index, int32_t *serial);
/*
 * The key of token @index's object of class @cls (CKO_PRIVATE_KEY,
 * CKO_PUBLIC_KEY or CKO_SECRET_KEY) whose CKA_ID is @id (@id_len 0: no
 * CKA_ID or an empty one; only the first HSM_KEYRING_ID_MAX bytes are
 * compared). The first match in the keyring's order if several objects
 * share class and CKA_ID.
 */
unsigned long hsm_keyring_find_key(unsigned int index, unsigned long cls,
				   const void *id, size_t id_len,
				   int32_t *serial);
/* Parse a description; CKR_ARGUMENTS_BAD if it is not a token key's. */
unsigned long hsm_keyring_parse(const char *desc, struct hsm_keyring_desc *d);

#ifdef __cplusplus
}
#endif

#endif /* KHSM_HSM_H */
