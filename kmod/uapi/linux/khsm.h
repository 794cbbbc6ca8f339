/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * khsm: kernel-assisted hardware security module, user-space ABI.
 *
 * Each token is a misc device /dev/hsmN. One open file is one PKCS#11
 * application on that token: its sessions, its login state and its session
 * objects belong to the file and die when the file is closed.
 *
 * Numbering
 *   Attribute types, object classes, key types, mechanisms, user types,
 *   session flags/states, token/mechanism flags and return values are the
 *   PKCS#11 v3.0 numbers (CKA_*, CKO_*, CKK_*, CKM_*, CKU_*, CKF_*, CKS_*,
 *   CKR_*). Values of CK_ULONG attributes travel as __u64 (length 8),
 *   CK_BBOOL as one byte. Object and session handles are __u32, never 0.
 *
 * Every ioctl
 *   - takes one struct that starts with { __u32 size; __u32 rv; }.
 *     @size is sizeof() the struct as the caller compiled it. The kernel
 *     accepts any size >= the first published version of the struct
 *     (KHSM_*_SIZE_VER0); a shorter tail is zero-filled, a longer tail must
 *     be all zero or the call fails with E2BIG (copy_struct_from_user()).
 *   - rejects unknown bits in any flags field and non-zero reserved fields
 *     with EINVAL; never returns a kernel pointer; pointers are __u64.
 *   - @rv is the PKCS#11 decision. The caller sets it to 0. When the kernel
 *     reached a PKCS#11 decision that is not CKR_OK it writes the CKR_* value
 *     into @rv (the struct is copied back) and the ioctl fails with the
 *     errno of khsm_ckr_errno (see the table at the end). When the call
 *     fails before any PKCS#11 decision (EFAULT, EINVAL on a malformed
 *     struct, E2BIG, ENOTTY, ENOMEM, EINTR, EPERM of an admin ioctl) @rv
 *     stays 0 and nothing else is written.
 *
 * EFAULT means nothing happened. Before a call acts, the kernel reads all
 * its input and checks that it can write everything it will write: the
 * struct (it writes back the bytes it read, so nothing changes), the
 * OP_DATA output (the length the step may produce), the FIND handle array
 * (count entries), the GET_ATTRS template and the values it returns. An
 * unwritable or unmapped place gives EFAULT with no object made or
 * destroyed, no login, no PIN try counted, the operation, find cursor and
 * session as they were, and nothing written. Only another thread that
 * changes the mapping between that check and the kernel's write can give
 * EFAULT after the call acted; then, for the call that acted:
 *   CREATE_OBJECT, COPY_OBJECT, GENERATE_KEY, GENERATE_KEY_PAIR,
 *     DERIVE_KEY: the new objects are destroyed again.
 *   OPEN_SESSION: the new session is closed again.
 *   LOGIN: the file is logged out again (as LOGOUT: operations with
 *     private keys end); a CKU_CONTEXT_SPECIFIC login's operations wait
 *     for a login again; a wrong PIN stays counted.
 *   ADMIN_INIT_TOKEN: the token stays re-initialised.
 *   OP_INIT, FIND_INIT: the operation or search is ended.
 *   OP_DATA: the operation is ended; the output may be written in part
 *     (a ONESHOT or FINAL step had ended it anyway).
 *   FIND: the handles are put back; the next FIND returns them.
 *   GET_ATTRS: some values and lengths may be written (nothing changes).
 *   INIT_TOKEN, INIT_PIN, SET_PIN, LOGOUT, CLOSE_SESSION, CLOSE_ALL,
 *   DESTROY_OBJECT, SET_ATTRS, FIND_FINAL: the change stays, and so does a
 *     wrong PIN's count; read-only calls changed nothing.
 * An OP_DATA input streamed above max_data_len (see KHSM_IOC_VERSION) that
 * fails part-way (a fatal signal, memory) ends the operation.
 *
 * Length protocol (KHSM_IOC_GET_ATTRS, KHSM_IOC_OP_DATA, KHSM_IOC_MECH_LIST,
 * KHSM_IOC_FIND): a zero pointer asks for the length only; a too-small buffer
 * gives CKR_BUFFER_TOO_SMALL with the needed length written back, and (for
 * operations) leaves the operation active, as PKCS#11 5.2 requires. A
 * length query never acts: OP_DATA with out 0 runs no step, whatever
 * length it needs (0 included), and leaves the operation exactly as it was.
 * The length answered is exact, or for CKM_AES_CBC_PAD and
 * CKM_RSA_PKCS_OAEP decryption an upper bound (the padding is known only
 * after decryption); the call then writes the produced length. The UPDATE
 * step of DIGEST, SIGN and VERIFY has no output (PKCS#11 C_DigestUpdate,
 * C_SignUpdate, C_VerifyUpdate): out 0 there is no query, the step runs.
 *
 * PINs never reach the kernel. libhsm derives a 32-byte verifier with
 * Argon2id(pin, salt, t, m, p) and hands the kernel the verifier, the PIN
 * length (for the length policy) and, when setting a PIN, the salt and cost
 * it used. The kernel stores them, reports salt and cost in
 * KHSM_IOC_TOKEN_INFO for the next login, and compares verifiers in
 * constant time.
 */
#ifndef _UAPI_LINUX_KHSM_H
#define _UAPI_LINUX_KHSM_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* 'J' is unused in Documentation/userspace-api/ioctl/ioctl-number.rst (6.1). */
#define KHSM_IOC_MAGIC		'J'

/* ABI version reported by KHSM_IOC_VERSION; bumped on incompatible change. */
#define KHSM_ABI_VERSION	1

/* Feature bits in khsm_version.features. */
#define KHSM_FEATURE_OBJECTS	(1ULL << 0)	/* create/copy/destroy/attrs/find */
#define KHSM_FEATURE_CRYPTO	(1ULL << 1)	/* op init/data, keygen */
#define KHSM_FEATURE_PIN_KDF	(1ULL << 2)	/* Argon2id verifiers */
/*
 * Per-file and per-uid limits (khsm_version.max_file_sessions ...), the
 * token policy flags of KHSM_IOC_INIT_TOKEN, CKU_CONTEXT_SPECIFIC login
 * (CKA_ALWAYS_AUTHENTICATE) and KHSM_IOC_ADMIN_INIT_TOKEN.
 */
#define KHSM_FEATURE_POLICY	(1ULL << 3)
#define KHSM_FEATURE_DERIVE	(1ULL << 4)	/* KHSM_IOC_DERIVE_KEY */
/* KHSM_IOC_WRAP_KEY, KHSM_IOC_UNWRAP_KEY */
#define KHSM_FEATURE_WRAP	(1ULL << 5)
/*
 * Sealed token state (KHSM_IOC_STATE_*), the per-token PIN retry limit
 * (khsm_init_token.max_pin_failures) and TOKEN_INFO's VER1 fields.
 */
#define KHSM_FEATURE_STATE	(1ULL << 6)
#define KHSM_FEATURE_ALL	(KHSM_FEATURE_OBJECTS | KHSM_FEATURE_CRYPTO | \
				 KHSM_FEATURE_PIN_KDF | KHSM_FEATURE_POLICY | \
				 KHSM_FEATURE_DERIVE | KHSM_FEATURE_WRAP | \
				 KHSM_FEATURE_STATE)

#define KHSM_LABEL_LEN		32
#define KHSM_MANUF_LEN		32
#define KHSM_MODEL_LEN		16
#define KHSM_SERIAL_LEN		16
#define KHSM_VERIFIER_LEN	32
#define KHSM_SALT_LEN		16

/*
 * Vendor attribute (CKA_VENDOR_DEFINED | 0x4b480001), CK_BBOOL, of every
 * key (default false; settable at creation and generation, and by
 * C_SetAttributeValue only from true to false): whether a token key may
 * be used through the kernel keyring (KEYCTL_PKEY_*). The module's keyring
 * "khsm" (serial: /sys/module/khsm/parameters/keyring) holds a keyring
 * "khsm:hsmN" per token, which holds a key of type "khsm" per token key
 * object; see README "Kernel keyring" for the policy.
 */
#define CKA_KHSM_KEYRING_USE	0xcb480001UL

/* Returned in khsm_attr.len for an attribute that cannot be returned. */
#define KHSM_LEN_UNAVAILABLE	(~0ULL)

/* --- KHSM_IOC_VERSION: ABI version, features and limits ------------------ */
/*
 * Limits. Objects and sessions are bounded by memory, not by small counts:
 * every object, attribute value, session and find result is charged to the
 * memory cgroup of the process that made it, and one token holds at most
 * max_token_bytes of objects and sessions together (module parameter
 * max_token_mib, default 256 MiB); beyond it object creation fails with
 * CKR_DEVICE_MEMORY and C_OpenSession with CKR_SESSION_COUNT.
 * max_sessions and max_objects are count ceilings far above that (100000
 * and 1000000). An object is charged its attribute values, its attribute
 * list and its fixed part; a session its fixed part.
 *
 * Data: KHSM_IOC_OP_DATA takes up to max_stream_len input bytes with
 * ONESHOT and UPDATE; the kernel reads input above max_data_len from user
 * memory in max_data_len chunks and writes output as it is produced, so a
 * single-part C_Digest, C_Encrypt or C_Sign of any size works with the
 * mechanisms that support multi-part operation. FINAL input and VERIFY
 * signatures stay within max_data_len; so do the single-part-only
 * mechanisms (CKM_ECDSA, CKM_RSA_PKCS, CKM_RSA_PKCS_PSS,
 * CKM_RSA_PKCS_OAEP) and CKM_EDDSA (which buffers its message), which fail
 * with CKR_DATA_LEN_RANGE above their own bound. A mechanism that must see all its input before
 * it may release output (CKM_AES_GCM: decryption checks the tag first)
 * buffers at most max_buffered_len bytes (64 MiB) of one operation.
 * KHSM_IOC_GENERATE_RANDOM takes at most max_data_len bytes per call.
 *
 * Shares: no member of the token group can take the token from the rest.
 *   - One open file holds at most max_file_sessions sessions (module
 *     parameter, default 16384), one uid (the opener's effective uid, over
 *     all its files) at most max_uid_sessions (default 32768), the token at
 *     most max_sessions (100000); beyond any of them C_OpenSession fails
 *     with CKR_SESSION_COUNT. TOKEN_INFO's max_sessions is the per-file
 *     figure (PKCS#11's ulMaxSessionCount is per application).
 *   - Every object and session is charged to the uid that opened the file
 *     it was made through (an object keeps its creator's charge for its
 *     whole life, whoever changes it later); one uid holds at most
 *     max_uid_bytes (module parameter max_uid_pct, default 25 percent of
 *     max_token_bytes: 64 MiB of the default 256 MiB); beyond it object
 *     creation fails with CKR_DEVICE_MEMORY and C_OpenSession with
 *     CKR_SESSION_COUNT.
 */
struct khsm_version {
	__u32 size;
	__u32 rv;
	__u32 abi_version;	/* out: KHSM_ABI_VERSION */
	__u32 token_index;	/* out: N of /dev/hsmN */
	__u64 features;		/* out: KHSM_FEATURE_* */
	__u32 max_sessions;	/* out: per token, all files (ceiling) */
	__u32 max_objects;	/* out: per token, token + session (ceiling) */
	__u32 max_template;	/* out: attributes per template */
	__u32 max_attr_len;	/* out: bytes per attribute value */
	__u32 max_data_len;	/* out: bytes per RANDOM call, OP_DATA chunk */
	__u32 max_find;		/* out: handles per KHSM_IOC_FIND call */
	__u64 reserved[4];	/* out: zero */
	/* Since KHSM_VERSION_SIZE_VER1; a VER0 caller does not get them. */
	__u64 max_token_bytes;	/* out: bytes of objects + sessions per token */
	__u64 max_stream_len;	/* out: bytes per OP_DATA ONESHOT/UPDATE input */
	__u64 max_buffered_len;	/* out: bytes a buffering mechanism holds */
	/* With KHSM_FEATURE_POLICY (zero before it). */
	__u32 max_file_sessions; /* out: sessions per open file */
	__u32 max_uid_sessions;	/* out: sessions per uid, all its files */
	__u64 max_uid_bytes;	/* out: bytes of objects + sessions per uid */
	__u64 reserved1[3];	/* out: zero */
};
#define KHSM_VERSION_SIZE_VER0	80
#define KHSM_VERSION_SIZE_VER1	144

/* --- KHSM_IOC_TOKEN_INFO: C_GetTokenInfo plus counters ------------------- */
/*
 * A file that is not logged in (neither SO nor user) gets what
 * C_GetTokenInfo needs and no more: token_objects, session_objects,
 * open_files and logged_in_files read 0. A logged-in file gets them all.
 */
struct khsm_token_info {
	__u32 size;
	__u32 rv;
	__u8  label[KHSM_LABEL_LEN];		/* blank padded */
	__u8  manufacturer[KHSM_MANUF_LEN];	/* blank padded */
	__u8  model[KHSM_MODEL_LEN];		/* blank padded */
	__u8  serial[KHSM_SERIAL_LEN];		/* blank padded */
	__u64 flags;			/* CKF_* token flags */
	__u32 max_sessions;		/* per file (max_file_sessions) */
	__u32 sessions;			/* open sessions, all files */
	__u32 max_rw_sessions;		/* per file */
	__u32 rw_sessions;
	__u32 min_pin_len;
	__u32 max_pin_len;
	__u32 token_objects;		/* 0 unless logged in */
	__u32 session_objects;		/* all files; 0 unless logged in */
	__u32 open_files;		/* 0 unless logged in */
	__u32 logged_in_files;		/* SO or user; 0 unless logged in */
	__u8  hw_version[2];		/* major, minor */
	__u8  fw_version[2];
	__u32 init_flags;		/* KHSM_INIT_TOKEN_F_* of C_InitToken */
	/* Argon2id parameters of the current SO and user verifiers. */
	__u8  so_salt[KHSM_SALT_LEN];
	__u32 so_t_cost;
	__u32 so_m_cost_kib;
	__u32 so_parallelism;
	__u32 user_t_cost;
	__u32 user_m_cost_kib;
	__u32 user_parallelism;
	__u8  user_salt[KHSM_SALT_LEN];
	__u64 reserved[4];
	/* Since KHSM_TOKEN_INFO_SIZE_VER1 (KHSM_FEATURE_STATE). */
	__u32 max_pin_failures;		/* wrong PINs in a row that lock */
	__u32 so_failures;		/* wrong SO PINs in a row */
	__u32 user_failures;		/* wrong user PINs in a row */
	__u32 state_flags;		/* KHSM_TOKEN_STATE_* */
	__u64 state_gen;		/* generation of the sealed state */
	__u32 refused;			/* state blobs refused since the load */
	__u32 pending;			/* sealed objects waiting for a login */
	__u64 reserved1[2];
};
#define KHSM_TOKEN_INFO_SIZE_VER0	248
#define KHSM_TOKEN_INFO_SIZE_VER1	296
/*
 * state_flags:
 *   LOCKED: the token's state was loaded (KHSM_IOC_STATE_LOAD) and no SO
 *     or user has logged in since, so the kernel does not hold the token
 *     master key: private objects wait sealed (pending), public objects
 *     are readable but not usable, and token objects cannot be created,
 *     changed or destroyed (CKR_USER_NOT_LOGGED_IN) until a login.
 *   TAMPERED: a state blob failed its checks (dmesg says which); the
 *     objects that passed are in use.
 *   LOADED: the state came from KHSM_IOC_STATE_LOAD (not a C_InitToken
 *     since the module was loaded).
 */
#define KHSM_TOKEN_STATE_LOCKED		(1U << 0)
#define KHSM_TOKEN_STATE_TAMPERED	(1U << 1)
#define KHSM_TOKEN_STATE_LOADED		(1U << 2)

/*
 * A PIN verifier as handed to the kernel. For a check (login, the old PIN of
 * SET_PIN, the SO PIN of INIT_TOKEN on an initialised token) only verifier
 * and pin_len are used and the rest must be zero. For a new PIN all fields
 * are used; cost bounds: 1 <= t_cost <= 64, 8 <= m_cost_kib <= 4194304,
 * 1 <= parallelism <= 16, m_cost_kib >= 8 * parallelism.
 */
struct khsm_pin {
	__u8  verifier[KHSM_VERIFIER_LEN];
	__u8  salt[KHSM_SALT_LEN];
	__u32 pin_len;
	__u32 t_cost;
	__u32 m_cost_kib;
	__u32 parallelism;
};

/* --- KHSM_IOC_INIT_TOKEN: C_InitToken ----------------------------------- */
/*
 * Token policy, chosen at every C_InitToken (flags) and kept until the
 * next one:
 *   default (flags 0): creating, copying into, changing or destroying a
 *     token object needs a logged-in file: the user (any token object) or
 *     the SO (the public ones, the only ones it sees). A public session
 *     gets CKR_USER_NOT_LOGGED_IN, so a group member without a PIN cannot
 *     destroy or plant the user's public keys and certificates. Session
 *     objects stay free for every session, as PKCS#11 has it.
 *   KHSM_INIT_TOKEN_F_PUBLIC_WRITE: the PKCS#11 default instead: a R/W
 *     public session may create, change and destroy public token objects.
 * libhsm sets the flag when KHSM_TOKEN_POLICY=pkcs11 is in the
 * environment of C_InitToken. TOKEN_INFO reports the flags (init_flags).
 */
#define KHSM_INIT_TOKEN_F_PUBLIC_WRITE	(1U << 0)
#define KHSM_INIT_TOKEN_F_ALL		KHSM_INIT_TOKEN_F_PUBLIC_WRITE

struct khsm_init_token {
	__u32 size;
	__u32 rv;
	__u8  label[KHSM_LABEL_LEN];	/* blank padded */
	struct khsm_pin so_check;	/* current SO PIN; ignored if uninitialised */
	struct khsm_pin so_new;		/* the SO PIN to set (usually the same PIN) */
	__u32 flags;			/* KHSM_INIT_TOKEN_F_* */
	/*
	 * Wrong PINs in a row that lock the SO or the user PIN: 0 for the
	 * default (10), else 3..100 (EINVAL otherwise). Kept in the sealed
	 * state with the failure counters.
	 */
	__u32 max_pin_failures;
	__u64 reserved[1];
};
#define KHSM_INIT_TOKEN_SIZE_VER0	184
#define KHSM_DEF_PIN_FAILURES		10
#define KHSM_MIN_PIN_FAILURES		3
#define KHSM_MAX_PIN_FAILURES_LIMIT	100

/*
 * --- KHSM_IOC_ADMIN_INIT_TOKEN: root's recovery --------------------------
 * Re-initialise the token without the SO PIN, e.g. after the SO PIN was
 * locked by wrong tries (after which C_InitToken is impossible). Needs
 * CAP_SYS_ADMIN, both in the caller and in the credentials that opened the
 * file; anyone else gets EPERM (no PKCS#11 decision, rv 0). It closes
 * every session of every file on the token (their handles become invalid,
 * logged-in files are logged out), destroys every object, clears the user
 * PIN and sets label, SO PIN (so_new, new-PIN form) and policy flags as
 * C_InitToken does. The keys are gone: this is a reset, not an unlock.
 */
struct khsm_admin_init_token {
	__u32 size;
	__u32 rv;
	__u8  label[KHSM_LABEL_LEN];	/* blank padded */
	struct khsm_pin so_new;
	__u32 flags;			/* KHSM_INIT_TOKEN_F_* */
	__u32 max_pin_failures;		/* as in struct khsm_init_token */
	__u64 reserved[4];
};
#define KHSM_ADMIN_INIT_TOKEN_SIZE_VER0	144

/* --- KHSM_IOC_INIT_PIN (SO session) / KHSM_IOC_SET_PIN ------------------- */
struct khsm_set_pin {
	__u32 size;
	__u32 rv;
	__u32 session;
	__u32 flags;			/* zero */
	struct khsm_pin old_pin;	/* SET_PIN only; zero for INIT_PIN */
	struct khsm_pin new_pin;
	__u64 reserved[2];
};
#define KHSM_SET_PIN_SIZE_VER0		160

/* --- KHSM_IOC_LOGIN / KHSM_IOC_LOGOUT ----------------------------------- */
struct khsm_login {
	__u32 size;
	__u32 rv;
	__u32 session;
	__u32 user_type;		/* CKU_SO/USER/CONTEXT_SPECIFIC; LOGOUT ignores */
	struct khsm_pin pin;		/* check form; zero for LOGOUT */
	__u64 reserved[2];
};
#define KHSM_LOGIN_SIZE_VER0		96
/*
 * CKU_CONTEXT_SPECIFIC (CKA_ALWAYS_AUTHENTICATE): a private key with
 * CKA_ALWAYS_AUTHENTICATE true can be used only by an operation that a
 * context-specific login authorised after its C_SignInit/C_DecryptInit:
 * until then OP_DATA ends the operation with CKR_USER_NOT_LOGGED_IN. The
 * login checks the user PIN (the SO PIN when the file is logged in as SO),
 * counts a failure like C_Login does, changes no login state and
 * authorises the operations of that session that wait for it, each until
 * it ends. Without such an operation it fails with
 * CKR_OPERATION_NOT_INITIALIZED.
 */

/* --- Sessions ------------------------------------------------------------ */
struct khsm_session {
	__u32 size;
	__u32 rv;
	__u32 session;		/* OPEN: out; CLOSE/INFO: in; CLOSE_ALL: zero */
	__u32 flags;		/* OPEN: in CKF_SERIAL_SESSION|CKF_RW_SESSION;
				 * INFO: out */
	__u32 state;		/* INFO: out CKS_* */
	__u32 pad0;		/* zero */
	__u64 reserved[2];
};
#define KHSM_SESSION_SIZE_VER0		40

/* --- Attributes and templates ------------------------------------------- */
struct khsm_attr {
	__u32 type;		/* CKA_* */
	__u32 flags;		/* zero */
	__u64 len;		/* in: buffer size; out (GET): value length or
				 * KHSM_LEN_UNAVAILABLE */
	__u64 value;		/* user pointer; 0 for a length query */
};

/*
 * The value of CKA_WRAP_TEMPLATE and CKA_UNWRAP_TEMPLATE (PKCS#11 attribute
 * arrays, CKF_ARRAY_ATTRIBUTE): in place of the caller's CK_ATTRIBUTE[],
 * a blob of up to KHSM_TMPL_MAX_RECS records, each a struct
 * khsm_tmpl_rec followed by its value of @len bytes, zero-padded to a
 * multiple of 8 (the next record starts 8-byte aligned). Values are in
 * the uAPI's attribute encoding (CK_ULONG as 8 bytes, CK_BBOOL as one).
 * CREATE/COPY/SET/GENERATE*, DERIVE and UNWRAP refuse with
 * CKR_ATTRIBUTE_VALUE_INVALID a blob that is not such records exactly
 * (trailing bytes, non-zero pad or padding), has more than
 * KHSM_TMPL_MAX_RECS records or a value longer than KHSM_TMPL_MAX_VALUE,
 * names a type twice, an array attribute (no nesting), a type the token
 * does not know or a secret one (CKA_VALUE and the private key parts),
 * or a CK_BBOOL/CK_ULONG value of the wrong length. GET returns the blob;
 * an empty value is the empty template (the default: no constraint).
 */
struct khsm_tmpl_rec {
	__u64 type;		/* CKA_* */
	__u32 len;		/* value bytes that follow */
	__u32 pad;		/* zero */
};
#define KHSM_TMPL_MAX_RECS	16
#define KHSM_TMPL_MAX_VALUE	496
/* The largest blob (8192 bytes): every record at its largest. */
#define KHSM_TMPL_MAX_LEN	(KHSM_TMPL_MAX_RECS * \
				 (sizeof(struct khsm_tmpl_rec) + \
				  KHSM_TMPL_MAX_VALUE))

struct khsm_object {
	__u32 size;
	__u32 rv;
	__u32 session;
	__u32 object;		/* COPY/DESTROY/GET/SET: in; CREATE/COPY: out new */
	__u32 count;		/* entries in template */
	__u32 flags;		/* zero */
	__u64 tmpl;			/* user pointer to struct khsm_attr[count] */
	__u64 reserved[2];
};
#define KHSM_OBJECT_SIZE_VER0		48

/* --- Find ---------------------------------------------------------------- */
struct khsm_find {
	__u32 size;
	__u32 rv;
	__u32 session;
	__u32 count;		/* INIT: template entries; FIND: in max, out got */
	__u64 ptr;		/* INIT: khsm_attr[]; FIND: __u32 handles[] */
	__u32 flags;		/* zero */
	__u32 pad0;		/* zero */
	__u64 reserved[2];
};
#define KHSM_FIND_SIZE_VER0		48

/* --- Key generation ------------------------------------------------------ */
struct khsm_keygen {
	__u32 size;
	__u32 rv;
	__u32 session;
	__u32 mechanism;	/* CKM_* */
	__u64 param;		/* mechanism parameter (see below), or 0 */
	__u32 param_len;
	__u32 flags;		/* zero */
	__u64 pub_template;	/* khsm_attr[] (key pair: public; key: the key) */
	__u32 pub_count;
	__u32 priv_count;	/* key pair only; zero for GENERATE_KEY */
	__u64 priv_template;	/* key pair only */
	__u32 pub_handle;	/* out: the key, or the public key */
	__u32 priv_handle;	/* out: key pair only */
	__u64 reserved[2];
};
#define KHSM_KEYGEN_SIZE_VER0		80

/* --- KHSM_IOC_DERIVE_KEY: C_DeriveKey ----------------------------------- */
/*
 * Derive a secret key from @base_key with @mechanism (CKF_DERIVE; its flat
 * parameter below) and the template (CKA_KEY_TYPE required:
 * CKK_GENERIC_SECRET, CKK_AES or CKK_HKDF; CKA_VALUE_LEN as the mechanism
 * allows). CKM_HKDF_DATA makes a CKO_DATA object instead: no
 * CKA_KEY_TYPE, CKA_CLASS CKO_DATA if given, CKA_VALUE_LEN the length of
 * its CKA_VALUE (not an attribute of the object), CKA_PRIVATE true unless
 * the template says otherwise. A second key named by the parameter
 * (CKM_HKDF_DERIVE's salt key) must pass the same checks as @base_key.
 * The base key must have CKA_DERIVE true and be visible to the file (a
 * private key needs the user's login); one with CKA_ALWAYS_AUTHENTICATE
 * true is refused with CKR_USER_NOT_LOGGED_IN (C_DeriveKey leaves no
 * operation for a context-specific login to authorise). The new key has
 * CKA_LOCAL false, CKA_KEY_GEN_MECHANISM CK_UNAVAILABLE_INFORMATION,
 * CKA_ALWAYS_SENSITIVE = base's CKA_ALWAYS_SENSITIVE && its own
 * CKA_SENSITIVE, CKA_NEVER_EXTRACTABLE = base's CKA_NEVER_EXTRACTABLE &&
 * !its own CKA_EXTRACTABLE (PKCS#11 v3.0 4.9). @handle is 0 unless rv is
 * CKR_OK; an EFAULT on the way back destroys the new key again.
 */
struct khsm_derive {
	__u32 size;
	__u32 rv;
	__u32 session;
	__u32 mechanism;	/* CKM_* */
	__u64 param;		/* flat mechanism parameter (see below), or 0 */
	__u32 param_len;
	__u32 flags;		/* zero */
	__u32 base_key;		/* object handle */
	__u32 count;		/* entries in tmpl */
	__u64 tmpl;		/* user pointer to struct khsm_attr[count] */
	__u32 handle;		/* out: the new key */
	__u32 pad0;		/* zero */
	__u64 reserved[2];
};
#define KHSM_DERIVE_SIZE_VER0		72

/* --- KHSM_IOC_WRAP_KEY / KHSM_IOC_UNWRAP_KEY: C_WrapKey / C_UnwrapKey ---- */
/*
 * WRAP_KEY encrypts @key with @wrapping_key and @mechanism (CKF_WRAP; its
 * flat parameter is the one OP_INIT takes for that mechanism, see below).
 * Secret keys (CKK_AES, CKK_GENERIC_SECRET) are wrapped as their
 * CKA_VALUE, private keys as a PKCS#8 PrivateKeyInfo (DER); public keys
 * cannot be wrapped (CKR_KEY_NOT_WRAPPABLE). Length protocol as OP_DATA:
 * out 0 asks for the length only (exact) and never acts; a too-small
 * out_len gives CKR_BUFFER_TOO_SMALL with the needed length written back.
 * Wrapping changes nothing on the token: an EFAULT on the output leaves
 * nothing to undo. The policy (CKA_WRAP, CKA_EXTRACTABLE,
 * CKA_WRAP_WITH_TRUSTED/CKA_TRUSTED, key strength, the decrypt/unwrap
 * separation) is in README, "Wrap and unwrap policy".
 *
 * UNWRAP_KEY decrypts the in_len bytes at @in with @unwrapping_key and
 * makes a new key from the template (CKA_CLASS and CKA_KEY_TYPE
 * required; a secret key's CKA_VALUE_LEN, if given, must be the length
 * unwrapped). The new key has CKA_LOCAL false, CKA_ALWAYS_SENSITIVE and
 * CKA_NEVER_EXTRACTABLE false and CKA_KEY_GEN_MECHANISM
 * CK_UNAVAILABLE_INFORMATION. A wrapped key that fails the mechanism's
 * integrity check is CKR_WRAPPED_KEY_INVALID, one of a length the
 * mechanism cannot take CKR_WRAPPED_KEY_LEN_RANGE. @handle is 0 unless
 * rv is CKR_OK; an EFAULT on the way back destroys the new key again.
 * in_len is at most KHSM_MAX_WRAPPED_LEN (EINVAL above).
 */
#define KHSM_MAX_WRAPPED_LEN	16384

struct khsm_wrap_key {
	__u32 size;
	__u32 rv;
	__u32 session;
	__u32 mechanism;	/* CKM_* */
	__u64 param;		/* flat mechanism parameter, or 0 */
	__u32 param_len;
	__u32 flags;		/* zero */
	__u32 wrapping_key;	/* object handle */
	__u32 key;		/* object handle of the key to wrap */
	__u64 out;		/* user pointer, 0 = length query */
	__u64 out_len;		/* in: capacity; out: produced or needed */
	__u64 reserved[2];
};
#define KHSM_WRAP_KEY_SIZE_VER0		72

struct khsm_unwrap_key {
	__u32 size;
	__u32 rv;
	__u32 session;
	__u32 mechanism;	/* CKM_* */
	__u64 param;		/* flat mechanism parameter, or 0 */
	__u32 param_len;
	__u32 flags;		/* zero */
	__u32 unwrapping_key;	/* object handle */
	__u32 count;		/* entries in tmpl */
	__u64 tmpl;		/* user pointer to struct khsm_attr[count] */
	__u64 in;		/* user pointer to the wrapped key */
	__u64 in_len;		/* bytes, <= KHSM_MAX_WRAPPED_LEN */
	__u32 handle;		/* out: the new key */
	__u32 pad0;		/* zero */
	__u64 reserved[2];
};
#define KHSM_UNWRAP_KEY_SIZE_VER0	88

/* --- Cryptographic operations ------------------------------------------- */
#define KHSM_OP_ENCRYPT		1
#define KHSM_OP_DECRYPT		2
#define KHSM_OP_DIGEST		3
#define KHSM_OP_SIGN		4
#define KHSM_OP_VERIFY		5
#define KHSM_OP_MAX		5

struct khsm_op_init {
	__u32 size;
	__u32 rv;
	__u32 session;
	__u32 op;		/* KHSM_OP_* */
	__u32 mechanism;	/* CKM_*; 0 with KHSM_OP_INIT_F_CANCEL */
	__u32 key;		/* object handle; 0 for DIGEST */
	__u64 param;		/* flat mechanism parameter or 0 */
	__u32 param_len;
	__u32 flags;		/* KHSM_OP_INIT_F_* */
	__u64 reserved[2];
};
#define KHSM_OP_INIT_SIZE_VER0		56
/* End the active operation of this kind (C_*Init with a NULL mechanism). */
#define KHSM_OP_INIT_F_CANCEL	(1U << 0)
#define KHSM_OP_INIT_F_ALL	KHSM_OP_INIT_F_CANCEL

/*
 * Data for the active operation. ONESHOT (C_Encrypt, C_Sign, ...) and FINAL
 * end the operation unless the result is a length answer or
 * CKR_BUFFER_TOO_SMALL. UPDATE continues it. Any other error ends it.
 * For KHSM_OP_VERIFY, out/out_len carry the signature (an input) with
 * ONESHOT and FINAL, and must be zero with UPDATE.
 * Single-part-only mechanisms (PKCS#11 v3.0: CKM_ECDSA, CKM_RSA_PKCS,
 * CKM_RSA_PKCS_PSS, CKM_RSA_PKCS_OAEP) take ONESHOT only: UPDATE and FINAL
 * give CKR_OPERATION_NOT_INITIALIZED and end the operation, as SoftHSM2
 * and kryoptic answer. CKM_EDDSA is multi-part (the message is buffered).
 */
#define KHSM_DATA_UPDATE	1
#define KHSM_DATA_FINAL		2
#define KHSM_DATA_ONESHOT	3

struct khsm_op_data {
	__u32 size;
	__u32 rv;
	__u32 session;
	__u32 op;		/* KHSM_OP_* */
	__u32 step;		/* KHSM_DATA_* */
	__u32 flags;		/* zero */
	__u64 in;		/* user pointer */
	__u64 in_len;
	__u64 out;		/* user pointer, 0 = length query */
	__u64 out_len;		/* in: capacity; out: produced or needed */
	__u64 reserved[2];
};
#define KHSM_OP_DATA_SIZE_VER0		72

/*
 * Flat mechanism parameters (KHSM_IOC_OP_INIT.param):
 *   CKM_AES_CBC, CKM_AES_CBC_PAD: the 16-byte IV.
 *   CKM_AES_GCM: struct khsm_gcm_params, then gcm_iv_len bytes of IV,
 *                then gcm_aad_len bytes of AAD.
 *   CKM_AES_CTR: struct khsm_aes_ctr_params (CK_AES_CTR_PARAMS; required).
 *   CKM_AES_KEY_WRAP: none (RFC 3394's default IV A6A6A6A6A6A6A6A6) or
 *                the 8-byte IV.
 *   CKM_AES_KEY_WRAP_KWP: none (RFC 5649's default A65959A6) or the
 *                4-byte IV.
 *   CKM_EDDSA: none, or struct khsm_eddsa_params then context_len bytes
 *              of context (CK_EDDSA_PARAMS): ph_flag 0 and no context is
 *              Ed25519, ph_flag 0 with a context (at most 255 bytes)
 *              Ed25519ctx, ph_flag 1 Ed25519ph (the kernel hashes).
 *   CKM_RSA_PKCS_PSS, CKM_SHA*_RSA_PKCS_PSS: struct khsm_rsa_pss_params
 *              (CK_RSA_PKCS_PSS_PARAMS; required).
 *   CKM_RSA_PKCS_OAEP: struct khsm_rsa_oaep_params then label_len bytes of
 *              label (CK_RSA_PKCS_OAEP_PARAMS; source 0 or
 *              CKZ_DATA_SPECIFIED with pSourceData as the label).
 *   CKM_RSA_AES_KEY_WRAP (WRAP_KEY/UNWRAP_KEY only): struct
 *              khsm_rsa_aes_key_wrap_params, then struct
 *              khsm_rsa_oaep_params, then label_len bytes of label
 *              (CK_RSA_AES_KEY_WRAP_PARAMS with its pOAEPParams inline).
 *   CKM_*_HMAC_GENERAL, CKM_AES_CMAC_GENERAL: struct
 *              khsm_mac_general_params (CK_MAC_GENERAL_PARAMS: the MAC
 *              length in bytes, 1 to the full length; required).
 *   CKM_ECDSA*, CKM_SHA*, CKM_AES_ECB, CKM_RSA_PKCS, CKM_SHA*_RSA_PKCS,
 *   CKM_*_HMAC, CKM_AES_CMAC, key generation: none (param_len 0).
 * KHSM_IOC_DERIVE_KEY.param:
 *   CKM_ECDH1_DERIVE, CKM_ECDH1_COFACTOR_DERIVE: struct
 *              khsm_ecdh1_derive_params, then shared_len bytes of
 *              shared data, then public_len bytes of the peer's
 *              public value (CK_ECDH1_DERIVE_PARAMS): for CKK_EC the
 *              uncompressed point 04 X Y, for CKK_EC_MONTGOMERY (X25519)
 *              the 32-byte u-coordinate, bare or as a DER OCTET STRING.
 *   CKM_HKDF_DERIVE, CKM_HKDF_DATA: struct khsm_hkdf_params, then
 *              salt_len bytes of salt, then info_len bytes of info
 *              (CK_HKDF_PARAMS; the salt key travels as its handle and
 *              never leaves the kernel).
 * A reserved field that is not zero fails KHSM_IOC_OP_INIT (and
 * KHSM_IOC_DERIVE_KEY) with EINVAL.
 *
 * No member of this header is named like one of the lower-case
 * compatibility macros that pkcs11.h headers define (p11-kit's maps
 * iv_len, aad_len, tag_bits, hash_alg, s_len, source_data, ... to the
 * CK_*_PARAMS member names), so it can be included before or after any
 * pkcs11.h without #undef.
 */
struct khsm_gcm_params {
	__u32 gcm_iv_len;	/* 1..256, 12 recommended */
	__u32 gcm_aad_len;	/* 0..max_data_len */
	__u32 gcm_tag_bits;	/* 96, 104, 112, 120 or 128 */
	__u32 reserved;		/* zero */
};

/*
 * CKM_AES_CTR: the counter is the low ctr_bits bits of the big-endian
 * 16-byte block ctr_block, which is the first block's counter; it is
 * incremented modulo 2^ctr_bits, the other bits stay as they are. An
 * operation that would use one counter value twice (more than 2^ctr_bits
 * blocks, a partial block counting as one) fails with CKR_DATA_LEN_RANGE
 * before it produces anything.
 */
struct khsm_aes_ctr_params {
	__u32 ctr_bits;		/* CK_AES_CTR_PARAMS.ulCounterBits: 1..128 */
	__u32 reserved;		/* zero */
	__u8 ctr_block[16];	/* CK_AES_CTR_PARAMS.cb */
};

struct khsm_eddsa_params {
	__u32 ph_flag;		/* CK_EDDSA_PARAMS.phFlag: 0 or 1 */
	__u32 context_len;	/* ulContextDataLen */
};

struct khsm_rsa_pss_params {
	__u64 hash;		/* hashAlg: CKM_SHA_1, CKM_SHA224..CKM_SHA512 */
	__u64 mgf;		/* CKG_MGF1_SHA1 .. CKG_MGF1_SHA512 */
	__u64 salt_len;		/* sLen, bytes */
	__u64 reserved;		/* zero */
};

struct khsm_rsa_oaep_params {
	__u64 hash;		/* hashAlg: CKM_SHA_1, CKM_SHA224..CKM_SHA512 */
	__u64 mgf;		/* CKG_MGF1_SHA1 .. CKG_MGF1_SHA512 */
	__u64 source;		/* 0 (no label) or CKZ_DATA_SPECIFIED */
	__u32 label_len;	/* bytes of label after this struct */
	__u32 reserved;		/* zero */
};

/*
 * CKM_RSA_AES_KEY_WRAP: the wrapped key is OAEP(temporary AES key of
 * aes_key_bits) || KWP(temporary key, key), RFC 5649's default IV.
 */
struct khsm_rsa_aes_key_wrap_params {
	__u32 aes_key_bits;	/* ulAESKeyBits: 128, 192 or 256 */
	__u32 reserved;		/* zero */
};

struct khsm_mac_general_params {
	__u32 mac_len;		/* CK_MAC_GENERAL_PARAMS: bytes of MAC */
	__u32 reserved;		/* zero */
};

struct khsm_ecdh1_derive_params {
	__u64 kdf;		/* CKD_NULL, CKD_SHA1_KDF, CKD_SHA224..512_KDF */
	__u32 shared_len;	/* ulSharedDataLen; 0 with CKD_NULL */
	__u32 public_len;	/* ulPublicDataLen */
};

/*
 * CK_HKDF_PARAMS. extract and expand are 0 or 1 (bExtract, bExpand);
 * salt_type is CKF_HKDF_SALT_NULL, _DATA (salt_len bytes follow) or _KEY
 * (salt_key: a secret key object of the same file whose CKA_VALUE is the
 * salt); salt_key is 0 unless salt_type is _KEY. pad0 and reserved are
 * zero, else EINVAL; everything else is judged as a PKCS#11 parameter.
 */
struct khsm_hkdf_params {
	__u32 extract;		/* bExtract: 0 or 1 */
	__u32 expand;		/* bExpand: 0 or 1 */
	__u32 prf;		/* prfHashMechanism: CKM_SHA_1, CKM_SHA256, ... */
	__u32 salt_type;	/* ulSaltType: CKF_HKDF_SALT_* */
	__u32 salt_key;		/* hSaltKey (object handle) or 0 */
	__u32 salt_len;		/* ulSaltLen: bytes of salt after the struct */
	__u32 info_len;		/* ulInfoLen: bytes of info after the salt */
	__u32 pad0;		/* zero */
	__u64 reserved[2];	/* zero */
};

/* --- Random -------------------------------------------------------------- */
struct khsm_random {
	__u32 size;
	__u32 rv;
	__u32 session;
	__u32 flags;		/* zero */
	__u64 buf;		/* user pointer */
	__u64 len;		/* <= max_data_len (libhsm splits) */
	__u64 reserved[2];
};
#define KHSM_RANDOM_SIZE_VER0		48

/* --- Mechanisms ---------------------------------------------------------- */
struct khsm_mech_list {
	__u32 size;
	__u32 rv;
	__u32 count;		/* in: capacity of mechs; out: number available */
	__u32 flags;		/* zero */
	__u64 mechs;		/* user pointer to __u32[count], 0 = count only */
	__u64 reserved[2];
};
#define KHSM_MECH_LIST_SIZE_VER0	40

struct khsm_mech_info {
	__u32 size;
	__u32 rv;
	__u32 mechanism;	/* in: CKM_* */
	__u32 pad0;		/* zero */
	__u64 min_key_size;	/* out: as CK_MECHANISM_INFO */
	__u64 max_key_size;
	__u64 flags;		/* out: CKF_* mechanism flags */
	__u64 reserved[2];
};
#define KHSM_MECH_INFO_SIZE_VER0	56

/*
 * --- KHSM_IOC_STATE: sealed token state, export and load -----------------
 * The kernel does no file I/O. It hands out the token's state as sealed
 * blobs that user space (libhsm, hsmctl) stores, one file each, in the
 * token's state directory, and takes them back at load:
 *
 *   header  struct khsm_state_hdr and its entries: serial, label, policy,
 *           the PIN records, the retry limit and failure counters, the
 *           generation, and the (oid, gen) of the live token objects
 *           (see "Listing" below).
 *   object  struct khsm_state_obj and its body: one token object.
 *
 * Keys. C_InitToken makes a random 32-byte token master key (TMK) in the
 * kernel. It never leaves the kernel in clear: the header stores it only
 * wrapped (AES-256-GCM) under a key-encryption key per PIN,
 *   KEK  = HKDF-SHA256(ikm = verifier, salt = serial, "khsm kek so|user"),
 * and the kernel keeps of each PIN only
 *   auth = HKDF-SHA256(ikm = verifier, salt = serial, "khsm auth so|user"),
 * which it compares at login: neither logs in when replayed, and neither
 * gives the other. (The verifier is Argon2id(PIN), see KHSM_IOC_LOGIN.)
 * Objects are sealed under HKDF-SHA256(TMK, "khsm object") with
 * AES-256-GCM and a fresh random nonce each time; the associated data is
 * the blob's fixed part with the tag zeroed (magic, version, serial,
 * object id, generation, flags, length) and, for a public object, its
 * body. The header is authenticated with HMAC-SHA256 under
 * HKDF-SHA256(TMK, "khsm header"); the TMK wrap's associated data is
 * "khsm tmk", the serial and the role (0 SO, 1 user).
 *
 * Objects. A private object (CKA_PRIVATE true) and every private or secret
 * key has its body encrypted (KHSM_STATE_OBJ_F_ENCRYPTED). Any other
 * object (certificates, public keys, public data) has its body in clear
 * and authenticated (GMAC), so it can be listed before any login. The body
 * is the object's attribute list: records { __u32 type; __u32 len; value
 * (len bytes) } in the order the kernel holds them, with no padding.
 *
 * Generations. Every change of the state (an object made, changed or
 * destroyed, a PIN set, a login failure or success) takes the next value
 * of the token's 64-bit generation; an object records the generation of
 * its last change, the header the newest. Object ids (oid) are never
 * reused on a token.
 *
 * Listing. The header lists an object, with a generation, only once a
 * sealed copy of it at that generation was handed out whole (EXPORT_OBJECT
 * or EXPORT_NEXT with a buffer that held it; that moves the generation).
 * A writer that stores each copy before it asks for a header (libhsm does,
 * under one lock) never stores a header that lists a file it has not
 * written: after a crash the directory may hold an unlisted object file
 * (an object whose call never returned), never a listed one missing. A
 * change lists the new copy the same way; until then the header keeps the
 * old one.
 *
 * One ioctl, KHSM_IOC_STATE, struct khsm_state_io, @what says which call.
 *
 * Load (CAP_SYS_ADMIN). LOAD with KHSM_STATE_LOAD_HEADER replaces the
 * token's state (no session may be open: CKR_SESSION_EXISTS) with the
 * header's, unauthenticated so far: the token is LOCKED. Then one LOAD
 * with KHSM_STATE_LOAD_OBJECT per object file: the kernel refuses (status
 * below, and a line in dmesg) a blob that is malformed, of another token,
 * not listed in the header, listed with another generation, or not the
 * object the caller expected (@oid, from the file name). Public objects
 * become objects at once (readable, not usable); encrypted ones wait
 * sealed. KHSM_STATE_LOAD_FINISH reports the listed objects that never
 * came (status KHSM_STATE_MISSING, @count of them; they stay listed, so a
 * later load can still bring them). The first SO or user login after the
 * load unwraps the TMK with the PIN, authenticates the header (a failure
 * is CKR_DEVICE_ERROR: the state was altered), decrypts the waiting
 * objects and authenticates the public ones; a blob that fails is
 * dropped and reported in dmesg and TOKEN_INFO (TAMPERED, refused).
 * With KHSM_STATE_LOAD_F_SO_PIN, LOAD_HEADER checks @pin (the SO's, check
 * form) against the header before it changes anything (CKR_PIN_INCORRECT,
 * not counted, or CKR_DEVICE_ERROR for a header that does not
 * authenticate) and unlocks the token at once: hsmctl restore.
 *
 * Export (any opener of the device). EXPORT with KHSM_STATE_EXPORT_HEADER
 * gives the current header; with KHSM_STATE_EXPORT_OBJECT the sealed blob
 * of token object @handle (visible to the file), with its @oid and @gen;
 * KHSM_STATE_EXPORT_F_ID_ONLY gives @oid and @gen without the blob (what
 * libhsm asks before C_DestroyObject, to know which file to remove). A
 * session object answers @oid 0 and no blob. KHSM_STATE_EXPORT_NEXT
 * (CAP_SYS_ADMIN) gives the blob of the token object with the lowest oid
 * >= @oid, waiting sealed ones included, for hsmctl save and backup;
 * CKR_OBJECT_HANDLE_INVALID after the last. @buf 0 asks for the length;
 * a short buffer gives CKR_BUFFER_TOO_SMALL with @len set. A LOCKED
 * token exports its header and the blobs it holds as they came.
 */
#define KHSM_STATE_VERSION		1
#define KHSM_STATE_MAGIC_LEN		8
#define KHSM_STATE_HDR_MAGIC		"KHSMHDR1"
#define KHSM_STATE_OBJ_MAGIC		"KHSMOBJ1"
#define KHSM_STATE_NONCE_LEN		12
#define KHSM_STATE_TAG_LEN		16
#define KHSM_STATE_AUTH_LEN		32
#define KHSM_STATE_MAC_LEN		32
#define KHSM_STATE_WRAPPED_LEN		48	/* GCM(KEK, TMK): 32 + tag */
/* Largest object body (attribute records) and header entry count. */
#define KHSM_STATE_MAX_BODY		(1U << 20)
#define KHSM_STATE_MAX_ENTRIES		1000000

/* A PIN as the header keeps it (blobs are in the host's byte order). */
struct khsm_state_pin {
	__u8  salt[KHSM_SALT_LEN];
	__u32 t_cost;
	__u32 m_cost_kib;
	__u32 parallelism;
	__u32 set;			/* 1: the PIN is set, else all zero */
	__u8  auth[KHSM_STATE_AUTH_LEN];
	__u8  nonce[KHSM_STATE_NONCE_LEN];
	__u32 pad;			/* zero */
	__u8  wrapped_tmk[KHSM_STATE_WRAPPED_LEN];
};

struct khsm_state_ent {
	__u64 oid;
	__u64 gen;
};

struct khsm_state_hdr {
	__u8  magic[KHSM_STATE_MAGIC_LEN];	/* KHSM_STATE_HDR_MAGIC */
	__u32 version;			/* KHSM_STATE_VERSION */
	__u32 hdr_size;			/* sizeof(struct khsm_state_hdr) */
	__u8  serial[KHSM_SERIAL_LEN];
	__u8  label[KHSM_LABEL_LEN];
	__u64 next_oid;			/* the next object gets this id */
	__u64 reserved0;		/* zero */
	__u32 init_flags;		/* KHSM_INIT_TOKEN_F_* */
	__u32 max_pin_failures;
	__u32 n_entries;		/* struct khsm_state_ent that follow */
	__u32 pad0;			/* zero */
	struct khsm_state_pin so;
	struct khsm_state_pin user;
	/*
	 * HMAC-SHA256 under the header key K of everything above (with @mac
	 * zero) followed by the XOR over the entries of HMAC-SHA256(K,
	 * "khsm ent" || oid || gen) (an XOR-MAC of the set: a change of one
	 * object costs two HMACs, not one over every entry).
	 */
	__u8  mac[KHSM_STATE_MAC_LEN];
	/*
	 * Not authenticated: a wrong PIN before any login (no TMK in the
	 * kernel yet) must still be counted on disk, and the generation
	 * moves with it. Writers compare @gen: a header never replaces one
	 * with a higher @gen.
	 */
	__u64 gen;			/* the token's generation */
	__u32 so_failures;
	__u32 user_failures;
	__u64 reserved[1];		/* zero */
	/* struct khsm_state_ent entries[n_entries], ascending oid */
};

#define KHSM_STATE_OBJ_F_ENCRYPTED	(1U << 0)	/* body is ciphertext */
#define KHSM_STATE_OBJ_F_ALL		KHSM_STATE_OBJ_F_ENCRYPTED

struct khsm_state_obj {
	__u8  magic[KHSM_STATE_MAGIC_LEN];	/* KHSM_STATE_OBJ_MAGIC */
	__u32 version;			/* KHSM_STATE_VERSION */
	__u32 flags;			/* KHSM_STATE_OBJ_F_* */
	__u8  serial[KHSM_SERIAL_LEN];
	__u64 oid;
	__u64 gen;
	__u32 body_len;			/* bytes that follow */
	__u8  nonce[KHSM_STATE_NONCE_LEN];
	__u8  tag[KHSM_STATE_TAG_LEN];
	/* body_len bytes */
};

/* khsm_state_io.what */
#define KHSM_STATE_EXPORT_HEADER	1
#define KHSM_STATE_EXPORT_OBJECT	2
#define KHSM_STATE_EXPORT_NEXT		3
#define KHSM_STATE_LOAD_HEADER		4
#define KHSM_STATE_LOAD_OBJECT		5
#define KHSM_STATE_LOAD_FINISH		6

/* khsm_state_io.flags */
#define KHSM_STATE_EXPORT_F_ID_ONLY	(1U << 0)	/* EXPORT_OBJECT */
#define KHSM_STATE_LOAD_F_SO_PIN	(1U << 1)	/* LOAD_HEADER */
#define KHSM_STATE_F_ALL		(KHSM_STATE_EXPORT_F_ID_ONLY | \
					 KHSM_STATE_LOAD_F_SO_PIN)

/* khsm_state_io.status: LOAD's verdict on the blob (rv stays CKR_OK). */
#define KHSM_STATE_OK			0
#define KHSM_STATE_MALFORMED		1	/* bad magic/version/length */
#define KHSM_STATE_OTHER_TOKEN		2	/* serial is another token's */
#define KHSM_STATE_NOT_LISTED		3	/* header does not list it */
#define KHSM_STATE_WRONG_GEN		4	/* listed with another gen */
#define KHSM_STATE_WRONG_OID		5	/* not the object expected */
#define KHSM_STATE_DUPLICATE		6	/* already loaded */
#define KHSM_STATE_BAD_TAG		7	/* authentication failed */
#define KHSM_STATE_BAD_BODY		8	/* attribute records invalid */
#define KHSM_STATE_MISSING		9	/* FINISH: listed, never came */

struct khsm_state_io {
	__u32 size;
	__u32 rv;
	__u32 what;			/* KHSM_STATE_* above */
	__u32 flags;			/* KHSM_STATE_*_F_* */
	__u32 handle;			/* EXPORT_OBJECT: the object */
	__u32 status;			/* out: LOAD's KHSM_STATE_OK ... */
	/* in: NEXT's cursor, LOAD_OBJECT's expected id (0: any); out: id */
	__u64 oid;
	__u64 gen;			/* out: blob's generation */
	/*
	 * status, count, gen and EXPORT_HEADER/OBJECT's oid are out only:
	 * what the caller puts there is ignored, so the struct of a length
	 * query can be sent again as it came back.
	 */
	__u64 buf;			/* user pointer: blob out or in */
	__u64 len;			/* in: capacity / blob length; out: length */
	__u64 count;			/* out: FINISH: listed objects missing */
	struct khsm_pin pin;		/* LOAD_F_SO_PIN: check form */
	__u64 reserved[2];		/* zero */
};
#define KHSM_STATE_IO_SIZE_VER0		144

/*
 * --- ioctl numbers -------------------------------------------------------
 * The numbers carry no size and no direction: _IO(KHSM_IOC_MAGIC, nr).
 * Every argument struct states its own size in its first field and the
 * kernel copies exactly that (copy_struct_from_user(), see "Every ioctl"
 * above), as VFIO does with argsz. Encoding sizeof() in the number as well
 * (_IOWR) would give two sizes that can disagree, and a struct that grows
 * would change its ioctl number, so binaries built against different
 * versions of this header would send different numbers for the same call.
 * Here a number names one call forever and @size versions its struct.
 * A number with direction or size bits set is not a khsm ioctl (ENOTTY).
 */
#define KHSM_IOC_VERSION	_IO(KHSM_IOC_MAGIC, 0x00)
#define KHSM_IOC_TOKEN_INFO	_IO(KHSM_IOC_MAGIC, 0x01)
#define KHSM_IOC_INIT_TOKEN	_IO(KHSM_IOC_MAGIC, 0x02)
#define KHSM_IOC_INIT_PIN	_IO(KHSM_IOC_MAGIC, 0x03)
#define KHSM_IOC_SET_PIN	_IO(KHSM_IOC_MAGIC, 0x04)
#define KHSM_IOC_LOGIN		_IO(KHSM_IOC_MAGIC, 0x05)
#define KHSM_IOC_LOGOUT		_IO(KHSM_IOC_MAGIC, 0x06)
#define KHSM_IOC_OPEN_SESSION	_IO(KHSM_IOC_MAGIC, 0x07)
#define KHSM_IOC_CLOSE_SESSION	_IO(KHSM_IOC_MAGIC, 0x08)
#define KHSM_IOC_CLOSE_ALL	_IO(KHSM_IOC_MAGIC, 0x09)
#define KHSM_IOC_SESSION_INFO	_IO(KHSM_IOC_MAGIC, 0x0a)
#define KHSM_IOC_CREATE_OBJECT	_IO(KHSM_IOC_MAGIC, 0x0b)
#define KHSM_IOC_COPY_OBJECT	_IO(KHSM_IOC_MAGIC, 0x0c)
#define KHSM_IOC_DESTROY_OBJECT	_IO(KHSM_IOC_MAGIC, 0x0d)
#define KHSM_IOC_GET_ATTRS	_IO(KHSM_IOC_MAGIC, 0x0e)
#define KHSM_IOC_SET_ATTRS	_IO(KHSM_IOC_MAGIC, 0x0f)
#define KHSM_IOC_FIND_INIT	_IO(KHSM_IOC_MAGIC, 0x10)
#define KHSM_IOC_FIND		_IO(KHSM_IOC_MAGIC, 0x11)
#define KHSM_IOC_FIND_FINAL	_IO(KHSM_IOC_MAGIC, 0x12)
#define KHSM_IOC_GENERATE_KEY	_IO(KHSM_IOC_MAGIC, 0x13)
#define KHSM_IOC_GENERATE_KEY_PAIR _IO(KHSM_IOC_MAGIC, 0x14)
#define KHSM_IOC_OP_INIT	_IO(KHSM_IOC_MAGIC, 0x15)
#define KHSM_IOC_OP_DATA	_IO(KHSM_IOC_MAGIC, 0x16)
#define KHSM_IOC_GENERATE_RANDOM _IO(KHSM_IOC_MAGIC, 0x17)
#define KHSM_IOC_MECH_LIST	_IO(KHSM_IOC_MAGIC, 0x18)
#define KHSM_IOC_MECH_INFO	_IO(KHSM_IOC_MAGIC, 0x19)
#define KHSM_IOC_ADMIN_INIT_TOKEN _IO(KHSM_IOC_MAGIC, 0x1a)
#define KHSM_IOC_DERIVE_KEY	_IO(KHSM_IOC_MAGIC, 0x1b)
#define KHSM_IOC_WRAP_KEY	_IO(KHSM_IOC_MAGIC, 0x1c)
#define KHSM_IOC_UNWRAP_KEY	_IO(KHSM_IOC_MAGIC, 0x1d)
#define KHSM_IOC_STATE		_IO(KHSM_IOC_MAGIC, 0x1e)
#define KHSM_IOC_NR_MAX		0x1e

/*
 * errno for a PKCS#11 decision (rv != CKR_OK), one meaning each:
 *   EACCES  not logged in / PIN incorrect / PIN locked / user type invalid
 *           or already logged in (CKR_USER_*, CKR_PIN_INCORRECT,
 *           CKR_PIN_LOCKED)
 *   EPERM   the object's policy forbids it (CKR_ATTRIBUTE_SENSITIVE,
 *           CKR_KEY_FUNCTION_NOT_PERMITTED, CKR_ACTION_PROHIBITED,
 *           CKR_ATTRIBUTE_READ_ONLY, CKR_SESSION_READ_ONLY,
 *           CKR_SESSION_READ_ONLY_EXISTS, CKR_TOKEN_WRITE_PROTECTED,
 *           CKR_KEY_UNEXTRACTABLE, CKR_KEY_NOT_WRAPPABLE)
 *   ENOENT  unknown or foreign handle (CKR_SESSION_HANDLE_INVALID,
 *           CKR_OBJECT_HANDLE_INVALID, CKR_KEY_HANDLE_INVALID)
 *   ENOSPC  CKR_BUFFER_TOO_SMALL (needed length written back)
 *   EBUSY   CKR_OPERATION_ACTIVE, CKR_SESSION_EXISTS, CKR_SESSION_COUNT
 *   ENOMSG  CKR_OPERATION_NOT_INITIALIZED
 *   EBADMSG CKR_SIGNATURE_INVALID, CKR_ENCRYPTED_DATA_INVALID,
 *           CKR_ENCRYPTED_DATA_LEN_RANGE, CKR_WRAPPED_KEY_INVALID,
 *           CKR_WRAPPED_KEY_LEN_RANGE
 *   EOPNOTSUPP CKR_MECHANISM_INVALID, CKR_KEY_TYPE_INCONSISTENT,
 *           CKR_CURVE_NOT_SUPPORTED
 *   ENOMEM  CKR_HOST_MEMORY / CKR_DEVICE_MEMORY
 *   EIO     CKR_DEVICE_ERROR, CKR_GENERAL_ERROR, CKR_FUNCTION_FAILED
 *   ENODEV  CKR_DEVICE_REMOVED: the token was removed (netlink
 *           KHSM_CMD_TOKEN_REMOVE) after the file was opened; every
 *           ioctl on the file answers this from then on
 *   EINVAL  every other CKR_* (template, attribute, argument, range errors)
 */

/*
 * Tokens at run time and slot events
 *
 * Tokens are made at load (module parameters tokens= and gid=) and added
 * or removed at run time (netlink below). Token N is /dev/hsmN, slot N;
 * an index is not given to a new token while a file of the removed one
 * is still open. A removed token's device node goes at once; its open
 * files stay valid descriptors, but every ioctl on them fails with
 * ENODEV, rv CKR_DEVICE_REMOVED (PKCS#11: the token was removed; the
 * file's sessions are gone), and poll() reports EPOLLHUP. Its objects
 * and sessions are freed when the last such file closes.
 *
 * Groups and udev. Each token has a group (the module's gid= for the
 * tokens made at load and the default of TOKEN_ADD; TOKEN_ADD's or
 * TOKEN_SET_GROUP's KHSM_A_TOKEN_GID): open() of /dev/hsmN succeeds only
 * for a caller in that group (in_group_p: effective or supplementary
 * group) or with CAP_SYS_ADMIN, else EACCES, whatever the node's mode.
 * The check is made at open only: an open file keeps working after a
 * group change, and a file passed to another process (SCM_RIGHTS, fork)
 * carries the opener's right to use the token, and its login state, to
 * the receiver. The device's sysfs directory (/sys/class/misc/hsmN/)
 * shows the group as khsm_gid (decimal gid in the initial user namespace,
 * mode 0444), and to root only (0400) the token's serial as khsm_serial
 * and its label as khsm_label (trailing blanks dropped, bytes outside
 * printable ASCII and the backslash as \ooo). The attributes exist
 * before the "add" uevent; a KOBJ_CHANGE uevent follows TOKEN_SET_GROUP,
 * C_InitToken / ADMIN_INIT_TOKEN and a loaded state header, so the udev
 * rule (udev/60-khsm.rules: GROUP="$attr{khsm_gid}", MODE="0660") keeps
 * the node's group equal to the kernel's, which stays the one source of
 * truth.
 *
 * C_WaitForSlotEvent: the kernel counts slot events (a token added,
 * removed, or initialised by C_InitToken or ADMIN_INIT_TOKEN) in one
 * counter for the whole module. poll()/select()/epoll on any open
 * /dev/hsmN report EPOLLIN | EPOLLRDNORM while the counter differs from
 * what this file last read; read() of at least 8 bytes never blocks and
 * returns the counter as a native-endian __u64 (8 bytes), marking it
 * read (fewer than 8 bytes: EINVAL). The counter starts as read at
 * open. After a wake-up, list the slots again (which /dev/hsmN exist)
 * and compare TOKEN_INFO. With no token left there is no device to
 * poll: KHSM_CMD_EVENT (netlink, root only) is the other way.
 *
 * Generic netlink family "khsm" (KHSM_GENL_NAME, version
 * KHSM_GENL_VERSION), initial network namespace only. Attributes are in
 * one space (enum khsm_nl_attr), mechanism statistics nested (enum
 * khsm_nl_mech_attr). Every request header's reserved bytes must be zero;
 * unknown attributes are refused (strict validation). The same family in
 * the kernel's netlink spec format: kmod/uapi/netlink/khsm.yaml.
 *
 *   KHSM_CMD_TOKEN_GET   doit with KHSM_A_TOKEN_INDEX, or dump. Reply per
 *       token: INDEX, LABEL (32 bytes, blank-padded), SERIAL (16), GID,
 *       FLAGS (KHSM_NL_TOKEN_F_*), STATE_FLAGS (KHSM_TOKEN_STATE_*),
 *       OBJECTS (token objects), SESSION_OBJECTS, SESSIONS, RW_SESSIONS,
 *       FILES (open files), LOGGED_IN (files logged in, SO or user).
 *   KHSM_CMD_STATS_GET   doit with KHSM_A_TOKEN_INDEX, or dump. Reply per
 *       token: INDEX, STATS_PIN_FAILURES (wrong PINs), STATS_PIN_LOCKOUTS
 *       (PINs that reached the retry limit), STATS_MECHS: one nested
 *       KHSM_A_STATS_MECH per mechanism used since the token was made,
 *       with KHSM_A_MECH_TYPE (CKM_*), KHSM_A_MECH_OPS (operations
 *       started: OP_INIT that succeeded) and KHSM_A_MECH_FAILURES (OP_INIT
 *       refused with a mechanism chosen, or a step that failed and ended
 *       the operation). Counters are __u64 and only grow.
 *   KHSM_CMD_TOKEN_ADD   optional KHSM_A_TOKEN_GID (default: the module's
 *       gid=); replies with the new token as TOKEN_GET does. ENOSPC: 64
 *       tokens (removed ones still open count).
 *   KHSM_CMD_TOKEN_SET_GROUP  KHSM_A_TOKEN_INDEX, KHSM_A_TOKEN_GID: who
 *       may open the token from now on (files already open stay); a
 *       KOBJ_CHANGE uevent on the device (udev sets the node's group).
 *   KHSM_CMD_TOKEN_REMOVE  KHSM_A_TOKEN_INDEX.
 *
 * Access. ADD, SET_GROUP and REMOVE need CAP_NET_ADMIN (GENL_ADMIN_PERM,
 * checked by the netlink core) and CAP_SYS_ADMIN (checked by khsm), both
 * in the initial user namespace: EPERM otherwise. TOKEN_GET and
 * STATS_GET: CAP_SYS_ADMIN reads every token; any other caller reads the
 * tokens whose group it is in (in_group_p of the calling process): a dump
 * leaves the others out, a doit on one of them fails with EACCES (as
 * opening its device would). An unknown or removed token: ENOENT.
 *
 * Multicast group "events" (KHSM_GENL_MCGRP_EVENTS): joining it needs
 * CAP_SYS_ADMIN (EPERM). Each event is a KHSM_CMD_EVENT message with
 * EVENT_TYPE (KHSM_EVENT_*), TOKEN_INDEX, and, of the process that caused
 * it: EVENT_UID (its real uid in the initial namespace), EVENT_PID (its
 * thread group id there), EVENT_COMM (its comm, NUL-terminated), and
 * EVENT_TIME (CLOCK_REALTIME in ns, taken by the kernel). Per type:
 *   TOKEN_INIT    (C_InitToken or ADMIN_INIT_TOKEN succeeded)
 *   LOGIN         EVENT_USER_TYPE (CKU_SO or CKU_USER)
 *   LOGIN_FAILED  EVENT_USER_TYPE, RV (CKR_PIN_INCORRECT, CKR_PIN_LOCKED);
 *                 a context-specific login (CKU_CONTEXT_SPECIFIC) too
 *   PIN_LOCKED    EVENT_USER_TYPE if logged in: this wrong PIN (C_Login,
 *                 a context-specific login or C_SetPIN) reached the
 *                 retry limit
 *   OBJECT_CREATE, OBJECT_DESTROY  OBJECT_HANDLE, OBJECT_CLASS, and for
 *                 token objects OBJECT_OID; OBJECT_ID (CKA_ID) if set
 *                 (create: CREATE_OBJECT, COPY_OBJECT, GENERATE_KEY,
 *                 GENERATE_KEY_PAIR (one per key), DERIVE_KEY, UNWRAP_KEY;
 *                 destroy: DESTROY_OBJECT)
 *   KEY_USE       MECHANISM, OBJECT_HANDLE, OBJECT_CLASS, OBJECT_OID of
 *                 token objects, OBJECT_ID if set: an operation with a
 *                 key started (OP_INIT)
 *   TOKEN_ADD, TOKEN_REMOVE  (netlink TOKEN_ADD, TOKEN_REMOVE)
 * Events carry no secret: no PIN, no key material. A receiver that
 * falls behind loses events (ENOBUFS on its socket), as netlink does.
 */
#define KHSM_GENL_NAME		"khsm"
#define KHSM_GENL_VERSION	1
#define KHSM_GENL_MCGRP_EVENTS	"events"

enum khsm_nl_cmd {
	KHSM_CMD_UNSPEC,
	KHSM_CMD_TOKEN_GET,
	KHSM_CMD_TOKEN_SET_GROUP,
	KHSM_CMD_TOKEN_ADD,
	KHSM_CMD_TOKEN_REMOVE,
	KHSM_CMD_STATS_GET,
	KHSM_CMD_EVENT,
	__KHSM_CMD_MAX
};
#define KHSM_CMD_MAX (__KHSM_CMD_MAX - 1)

enum khsm_nl_attr {
	KHSM_A_UNSPEC,
	KHSM_A_PAD,
	KHSM_A_TOKEN_INDEX,		/* __u32 */
	KHSM_A_TOKEN_LABEL,		/* 32 bytes */
	KHSM_A_TOKEN_SERIAL,		/* 16 bytes */
	KHSM_A_TOKEN_GID,		/* __u32, initial user namespace */
	KHSM_A_TOKEN_FLAGS,		/* __u32 KHSM_NL_TOKEN_F_* */
	KHSM_A_TOKEN_STATE_FLAGS,	/* __u32 KHSM_TOKEN_STATE_* */
	KHSM_A_TOKEN_OBJECTS,		/* __u32 */
	KHSM_A_TOKEN_SESSION_OBJECTS,	/* __u32 */
	KHSM_A_TOKEN_SESSIONS,		/* __u32 */
	KHSM_A_TOKEN_RW_SESSIONS,	/* __u32 */
	KHSM_A_TOKEN_FILES,		/* __u32 */
	KHSM_A_TOKEN_LOGGED_IN,		/* __u32 */
	KHSM_A_STATS_PIN_FAILURES,	/* __u64 */
	KHSM_A_STATS_PIN_LOCKOUTS,	/* __u64 */
	KHSM_A_STATS_MECHS,		/* nest of KHSM_A_STATS_MECH */
	KHSM_A_STATS_MECH,		/* nest of enum khsm_nl_mech_attr */
	KHSM_A_EVENT_TYPE,		/* __u32 KHSM_EVENT_* */
	KHSM_A_EVENT_UID,		/* __u32 */
	KHSM_A_EVENT_PID,		/* __u32 */
	KHSM_A_EVENT_COMM,		/* NUL-terminated string */
	KHSM_A_EVENT_TIME,		/* __u64 ns, CLOCK_REALTIME */
	KHSM_A_EVENT_USER_TYPE,		/* __u32 CKU_* */
	KHSM_A_EVENT_RV,		/* __u32 CKR_* */
	KHSM_A_MECHANISM,		/* __u64 CKM_* */
	KHSM_A_OBJECT_HANDLE,		/* __u32 */
	KHSM_A_OBJECT_CLASS,		/* __u64 CKO_* */
	KHSM_A_OBJECT_OID,		/* __u64 */
	KHSM_A_OBJECT_ID,		/* CKA_ID, at most 64 bytes */
	__KHSM_A_MAX
};
#define KHSM_A_MAX (__KHSM_A_MAX - 1)

enum khsm_nl_mech_attr {
	KHSM_A_MECH_UNSPEC,
	KHSM_A_MECH_PAD,
	KHSM_A_MECH_TYPE,		/* __u64 CKM_* */
	KHSM_A_MECH_OPS,		/* __u64 */
	KHSM_A_MECH_FAILURES,		/* __u64 */
	__KHSM_A_MECH_MAX
};
#define KHSM_A_MECH_MAX (__KHSM_A_MECH_MAX - 1)

/* KHSM_A_TOKEN_FLAGS */
#define KHSM_NL_TOKEN_F_INITIALIZED	(1U << 0)	/* C_InitToken done */
#define KHSM_NL_TOKEN_F_USER_PIN_SET	(1U << 1)
#define KHSM_NL_TOKEN_F_SO_LOGGED_IN	(1U << 2)	/* some file, as SO */
#define KHSM_NL_TOKEN_F_USER_LOGGED_IN	(1U << 3)	/* some file, as user */
#define KHSM_NL_TOKEN_F_SO_PIN_LOCKED	(1U << 4)
#define KHSM_NL_TOKEN_F_USER_PIN_LOCKED	(1U << 5)

/* KHSM_A_EVENT_TYPE */
enum khsm_event {
	KHSM_EVENT_UNSPEC,
	KHSM_EVENT_TOKEN_INIT,
	KHSM_EVENT_LOGIN,
	KHSM_EVENT_LOGIN_FAILED,
	KHSM_EVENT_PIN_LOCKED,
	KHSM_EVENT_OBJECT_CREATE,
	KHSM_EVENT_OBJECT_DESTROY,
	KHSM_EVENT_KEY_USE,
	KHSM_EVENT_TOKEN_ADD,
	KHSM_EVENT_TOKEN_REMOVE,
	__KHSM_EVENT_MAX
};
#define KHSM_EVENT_MAX (__KHSM_EVENT_MAX - 1)

#endif /* _UAPI_LINUX_KHSM_H */
