/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * khsm-pkcs11: shared state and helpers of the Cryptoki module.
 *
 * The module is a translator over libhsm: each C_* checks its arguments
 * (PKCS#11 v3.0 base spec, 5.1 and the function's own section), looks up
 * the slot or session, makes one libhsm call and returns the kernel's
 * answer. No PKCS#11 policy is decided here.
 *
 * Slots: slot ID N is /dev/hsmN. The table is filled at C_Initialize and
 * refreshed by C_GetSlotList. Each slot holds at most one libhsm token
 * handle (one open file, so one PKCS#11 application in the kernel's eyes),
 * opened on first use and closed at C_Finalize. A device this process may
 * not open (not in the token's group) still lists as a slot; every token
 * call on it returns CKR_TOKEN_NOT_RECOGNIZED (libhsm's mapping of EACCES).
 *
 * Sessions: a CK_SESSION_HANDLE is (slot ID << 32) | kernel session handle.
 * Kernel handles are never 0, so no valid handle is CK_INVALID_HANDLE.
 *
 * Locking: `life` is a read-write lock; C_Initialize/C_Finalize hold it for
 * writing, every other call for reading for its whole duration, so a token
 * handle cannot be closed under a running call while calls run in
 * parallel (the kernel serialises per session). `open_lock` serialises
 * the lazy token open and slot table refresh; slot fields are published
 * with release stores and read with acquire loads.
 *
 * fork(): the pid of C_Initialize is kept; in any other process every call
 * but C_Initialize, C_GetFunctionList and C_GetInterface* returns
 * CKR_CRYPTOKI_NOT_INITIALIZED, checked before any lock is taken (a lock
 * may have been held by another thread of the parent at fork time).
 */
#ifndef KHSM_PKCS11_INTERNAL_H
#define KHSM_PKCS11_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "p11_3_0.h"
#include <khsm/hsm.h>

#define P11_EXPORT __attribute__((visibility("default")))

/* Slot table capacity: /dev/hsm0 .. /dev/hsm63. */
#define P11_MAX_SLOTS		64

#define P11_LIB_MAJOR		1
#define P11_LIB_MINOR		0
#define P11_MANUFACTURER	"khsm"

/*
 * What C_WaitForSlotEvent last saw of a slot (event.c): presence and, if
 * TOKEN_INFO could be read, the fields a C_InitToken or a new token
 * changes. A new SO PIN salt tells a re-initialisation that kept the label.
 */
struct p11_seen {
	bool known;			/* a snapshot was taken */
	bool present;			/* the hsmN node exists */
	bool info;			/* TOKEN_INFO read */
	CK_FLAGS flags;			/* masked: no PIN counter bits */
	uint8_t label[KHSM_LABEL_LEN];
	uint8_t serial[KHSM_SERIAL_LEN];
	uint8_t so_salt[KHSM_SALT_LEN];
};

struct p11_slot {
	unsigned int id;		/* N of /dev/hsmN */
	struct hsm_token *tok;		/* NULL until first use */
	/* Under ev_lock (event.c). */
	struct p11_seen seen;
	bool pending;			/* an event not reported yet */
};

struct p11_state {
	pthread_rwlock_t life;
	pthread_mutex_t open_lock;
	bool initialized;		/* atomic access */
	pid_t pid;			/* atomic access */
	unsigned int nslots;		/* atomic access */
	struct p11_slot slots[P11_MAX_SLOTS];
	/*
	 * C_WaitForSlotEvent (event.c). ev_lock guards ev, the slots' seen
	 * and pending fields and wake_fd's writes; ev and wake_fd are set
	 * and closed with `life` held for writing, so a waiter (holding it
	 * for reading) polls them without ev_lock. finalizing: C_Finalize
	 * has begun, waiters return (atomic access).
	 */
	pthread_mutex_t ev_lock;
	struct hsm_events *ev;
	int wake_fd;			/* eventfd; -1: none */
	bool finalizing;
};

extern struct p11_state p11;

/* One C_* call in progress: what p11_enter_*() found. */
struct p11_call {
	bool locked;
	struct p11_slot *slot;
	struct hsm_token *tok;
	uint32_t session;		/* kernel session handle */
};

/* module.c: lifetime checks; every p11_enter_* needs a p11_leave. */
CK_RV p11_enter(struct p11_call *c);
/* p11_enter, then the slot (CKR_SLOT_ID_INVALID if unknown). */
CK_RV p11_enter_slot(struct p11_call *c, CK_SLOT_ID id);
/* p11_enter_slot, then open the token if needed. */
CK_RV p11_enter_token(struct p11_call *c, CK_SLOT_ID id);
/* p11_enter, then decode the session handle and its token. */
CK_RV p11_enter_session(struct p11_call *c, CK_SESSION_HANDLE h);
CK_RV p11_leave(struct p11_call *c, const char *fn, CK_RV rv);

/* slot.c: slot table. */
CK_RV p11_slots_refresh(void);
struct p11_slot *p11_slot_find(CK_SLOT_ID id);
CK_RV p11_slot_open(struct p11_slot *slot, struct hsm_token **tok);
void p11_slots_drop(void);
/* Whether the slot's token is there now (its hsmN node exists). */
bool p11_slot_present(const struct p11_slot *slot);

/*
 * event.c: slot events. _start at C_Initialize and _stop at C_Finalize
 * (or in a child of fork()) with `life` held for writing; _wake from
 * C_Finalize before it takes `life`, so blocked waiters let go of it.
 */
void p11_events_start(void);
void p11_events_stop(void);
void p11_events_wake(void);

static inline CK_SESSION_HANDLE p11_session_handle(unsigned int slot_id,
						   uint32_t ks)
{
	return ((CK_SESSION_HANDLE)slot_id << 32) | ks;
}

/* attr.c: CK_ATTRIBUTE arrays and object handles. */
CK_RV p11_template(CK_ATTRIBUTE_PTR tmpl, CK_ULONG count,
		   struct hsm_attr **out);
CK_RV p11_object(CK_OBJECT_HANDLE h, CK_RV invalid, uint32_t *out);
void p11_handles_widen(CK_ULONG *dst, unsigned long n);

/*
 * A CK_MECHANISM as libhsm takes it: the PKCS#11 parameter goes through
 * untouched, libhsm turns it into the kernel's flat form (it is the one
 * owner of the CK_*_PARAMS encodings). @m must not be NULL.
 */
static inline struct hsm_mechanism p11_mech(const CK_MECHANISM *m)
{
	return (struct hsm_mechanism){ m->mechanism, m->pParameter,
				       m->ulParameterLen };
}

/*
 * op.c: the shared shape of C_*Init and the data calls (5.8-5.13).
 * @op is KHSM_OP_*, @step KHSM_DATA_*; @fn names the C_* for the log.
 * A NULL @mech ends the active operation (v3.0 5.8.1 etc.: "C_EncryptInit with
 * pMechanism NULL_PTR terminates an active operation").
 */
CK_RV p11_op_init(CK_SESSION_HANDLE h, unsigned int op,
		  CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key,
		  const char *fn);
/* @out_len may be NULL only for UPDATE of DIGEST/SIGN/VERIFY. */
CK_RV p11_op_data(CK_SESSION_HANDLE h, unsigned int op, unsigned int step,
		  CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
		  CK_ULONG_PTR out_len, const char *fn);
/* C_Verify (ONESHOT) / C_VerifyFinal (FINAL): @sig is an input. */
CK_RV p11_op_verify(CK_SESSION_HANDLE h, unsigned int step, CK_BYTE_PTR in,
		    CK_ULONG in_len, CK_BYTE_PTR sig, CK_ULONG sig_len,
		    const char *fn);
/* An unsupported function that takes a session: check it, then say so. */
CK_RV p11_unsupported(CK_SESSION_HANDLE h, const char *fn);

/* rv.c: names and the debug log (KHSM_PKCS11_DEBUG=1). */
const char *p11_rv_name(CK_RV rv);
bool p11_debug(void);
void p11_log(const char *fn, CK_RV rv);
void p11_logf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Blank-pad @src into a fixed-size PKCS#11 text field. */
void p11_pad(CK_UTF8CHAR *dst, size_t dst_len, const char *src);

/* Functions shared by both function lists. */
CK_RV C_GetInfo_3_0(CK_INFO_PTR pInfo);

#endif /* KHSM_PKCS11_INTERNAL_H */
