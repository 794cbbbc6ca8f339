/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared internal structures of the token core: token, open file,
 * session, object. Locking:
 *   khsm_session.lock  the session's operation slots and find cursor.
 *                    Held across a whole OP_INIT or OP_DATA call, crypto
 *                    included: it serialises one session only.
 *   khsm_token.lock  object store, session table, login and PIN state,
 *                    counters, khsm_file.user, every object's attributes.
 *                    Held only for lookups and bookkeeping: no crypto
 *                    runs under it (no mechanism ->init or ->step, no
 *                    key generation, no import check), nothing that
 *                    waits for user memory or another lock but the
 *                    allocator's.
 *   struct khsm_keymat (key.h) has no lock: it is immutable; its kref is
 *                    taken under khsm_token.lock (from an object) or
 *                    from a reference already held.
 * Order: khsm_session.lock, then khsm_token.lock, then the keyring
 * core's locks (keytype.h: a token key's struct key is made, revoked and
 * unlinked under khsm_token.lock; the key type's callbacks never take
 * khsm_token.lock under a key's semaphore); never a session lock
 * while holding the token lock, never two session locks. Long work
 * (RSA key generation, the private-key check of an import) runs with
 * neither lock; the session is looked up again afterwards.
 */
#ifndef KHSM_KHSM_H
#define KHSM_KHSM_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/xarray.h>

#include "ck.h"
#include "uapi/linux/khsm.h"
#include "index.h"
#include "limits.h"
#include "mech.h"

/* khsm_file.user when nobody is logged in on the file. */
#define KHSM_NOBODY		(~0UL)

/* A PIN: its record as the sealed header keeps it, and its failures. */
struct khsm_pin_state {
	struct khsm_state_pin rec;	/* rec.set: the PIN is set */
	u32 failures;			/* consecutive wrong PINs */
};

struct khsm_tmk;

/* Counters of one mechanism on one token (statistics, netlink.c). */
struct khsm_mech_stat {
	atomic64_t ops;			/* operations started */
	atomic64_t failures;		/* refused starts and failed steps */
};

/*
 * A token. Its references (ref): the table's (token_list.c, until the
 * token is removed), one per open file, and short-lived ones of netlink
 * calls; the last one frees the token with its objects and sessions.
 */
struct khsm_token {
	struct kref ref;
	struct miscdevice misc;
	char name[16];			/* "hsmN" */
	u32 index;			/* N: the slot; not reused while referenced */
	kgid_t gid;			/* owner group: may open; tok->lock */
	bool registered;		/* misc device registered */
	bool removed;			/* removed: every ioctl fails; WRITE_ONCE */

	/* Statistics: lock-free counters. */
	u32 n_mech_stats;
	struct khsm_mech_stat *mech_stats;	/* by khsm_mech_index() */
	atomic64_t pin_failures;	/* wrong PINs */
	atomic64_t pin_lockouts;	/* PINs that locked */

	struct mutex lock;
	bool initialized;		/* C_InitToken done */
	u32 init_flags;			/* KHSM_INIT_TOKEN_F_* */
	u8 label[KHSM_LABEL_LEN];
	u8 serial[KHSM_SERIAL_LEN];
	struct khsm_pin_state so;
	struct khsm_pin_state user;
	struct xarray objects;		/* handle -> struct khsm_obj */
	u32 next_object;
	struct xarray sessions;		/* handle -> struct khsm_sess */
	u32 next_session;
	u32 n_sessions;
	u32 n_rw_sessions;
	u32 n_token_objects;
	u32 n_session_objects;
	u32 n_files;
	u32 n_logged_in;
	u32 n_so_logged_in;		/* of n_logged_in, as SO */
	u64 n_bytes;			/* charged bytes of objects and sessions */
	struct xarray uids;		/* uid -> struct khsm_uid_share */
	struct khsm_index find_index;	/* of the objects */

	/* Sealed state (persist.c). */
	u32 max_pin_failures;		/* wrong PINs in a row that lock */
	struct khsm_tmk *tmk;		/* NULL: uninitialised or locked */
	bool locked;			/* loaded; no SO/user login since */
	u32 state_flags;		/* KHSM_TOKEN_STATE_* */
	u64 gen;			/* generation of the state */
	u64 next_oid;
	struct xarray persisted;	/* oid -> struct khsm_pent */
	u32 n_pending;			/* sealed blobs awaiting the TMK */
	u32 refused;			/* blobs refused since the load */
	u8 *loaded_hdr;			/* header as loaded, while locked */
	u32 loaded_hdr_len;

	struct key *keyring;		/* "khsm:hsmN" (keytype.c) */
};

/* What one uid holds of a token (tok->uids); freed when it holds nothing. */
struct khsm_uid_share {
	u32 sessions;
	u64 bytes;
};

/* One open file of /dev/hsmN: one PKCS#11 application. */
struct khsm_file {
	struct khsm_token *tok;
	u32 uid;			/* opener's euid: what the file makes is charged to it */
	bool admin;			/* opener had CAP_SYS_ADMIN */
	unsigned long user;		/* CKU_SO, CKU_USER, KHSM_NOBODY */
	u32 n_sessions;
	u32 n_ro_sessions;
	u32 login_gen;			/* bumped at every logout */
	u64 seen_slot_gen;		/* slot events read (dev.c poll/read) */
};

struct khsm_keymat;

struct khsm_slot {
	struct khsm_op op;
	struct khsm_keymat *km;		/* the key's material, referenced */
	bool active;
	bool updated;			/* an UPDATE step has run */
	bool private_key;		/* key needs the login it started under */
	bool always_auth;		/* CKA_ALWAYS_AUTHENTICATE key ... */
	bool authed;			/* ... and a context-specific login since init */
	u32 login_gen;			/* khsm_file.login_gen at init */
};

struct khsm_sess {
	struct kref ref;
	struct mutex lock;		/* slots and find cursor */
	struct khsm_token *tok;
	struct khsm_file *file;
	u32 handle;
	bool rw;
	bool closed;			/* under tok->lock */
	struct khsm_slot slots[KHSM_OP_MAX + 1];
	struct list_head objects;	/* its session objects, tok->lock */
	bool finding;
	u32 *found;
	u32 n_found;
	u32 find_pos;
	u32 find_prev;			/* find_pos before the last FIND */
};

/* One attribute value as an object stores it. */
struct khsm_oattr {
	u32 type;
	u32 len;
	u8 *val;			/* kmalloc'd, wiped on free; NULL if len 0 */
};

/* The attribute list of an object; every type at most once. */
struct khsm_attrs {
	u32 n;
	u32 cap;
	struct khsm_oattr *a;
};

struct khsm_obj {
	struct kref ref;
	struct khsm_token *tok;
	u32 handle;
	bool dead;			/* removed from the store */
	bool unverified;		/* loaded, not yet authenticated */
	u64 oid;			/* token objects: id in the sealed state */
	unsigned long class;
	unsigned long key_type;		/* CKK_* for keys */
	struct khsm_keymat *km;		/* keys: immutable key material */
	bool token;			/* CKA_TOKEN */
	bool private;			/* CKA_PRIVATE */
	struct khsm_sess *owner;	/* session objects; NULL for token */
	struct list_head owner_node;	/* in owner->objects */
	u32 uid;			/* charged to: its creator's file's uid */
	u32 bytes;			/* charged to tok->n_bytes and the uid */
	struct khsm_obj_index index;
	struct khsm_attrs attrs;
	/* Token keys: the keyring key (keytype.c), tok->lock. */
	struct key *kr_key;
	/* The key was revoked: unusable (READ_ONCE, set by the key type). */
	bool kr_revoked;
};

/* A template attribute after ioctl.c copied it into kernel memory. */
struct khsm_tattr {
	u32 type;
	u32 len;
	const u8 *val;			/* NULL if the caller gave no value */
};

struct khsm_tmpl {
	u32 count;
	const struct khsm_tattr *a;
};

/* One GET_ATTRS entry: in the caller's capacity, out the answer. */
struct khsm_gattr {
	u32 type;
	/* in: capacity; out: length or KHSM_LEN_UNAVAILABLE */
	u64 len;
	/* kernel buffer of min(capacity, max) bytes; NULL: length query */
	u8 *buf;
};

#endif /* KHSM_KHSM_H */
