// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * khsm-pkcs11: C_WaitForSlotEvent (PKCS#11 v3.0 base spec 5.5.4).
 *
 * libhsm's event descriptor (hsm_events_*) becomes readable when a token
 * may have been added, removed or initialised. The kernel says that
 * something happened, not where, so after each wake-up the slots are
 * listed again and compared with what this module last saw of each
 * (struct p11_seen): presence of /dev/hsmN and, where TOKEN_INFO can be
 * read, the flags (without the PIN counter bits and CKF_USER_PIN_INITIALIZED,
 * which logins and C_InitPIN change), the label, the serial and the SO PIN
 * salt (new at every C_InitToken). Each slot that differs gets an event
 * pending; a call reports one (the lowest slot ID) and leaves the others
 * for the next calls. New hsmN nodes are appended to the slot table as
 * p11_slots_refresh does, so the reported slot ID is valid at once.
 *
 * The descriptor and the first snapshot are made at C_Initialize, so
 * events between C_Initialize and the first wait count. A blocked waiter
 * poll()s the descriptor and an eventfd that C_Finalize writes; it holds
 * `life` for reading meanwhile (never ev_lock), and C_Finalize wakes it
 * before it asks for `life` itself, so the waiter returns
 * CKR_CRYPTOKI_NOT_INITIALIZED and C_Finalize proceeds. No timeouts, no
 * sleeps: a wake-up that turns out to change nothing (another thread
 * took the event, or a counter move of a token this process cannot read)
 * goes back to poll().
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "internal.h"

/* Token flags that PIN use changes, not a slot event. */
#define P11_SEEN_FLAGS_IGNORED						\
	(CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_COUNT_LOW |		\
	 CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED |			\
	 CKF_USER_PIN_TO_BE_CHANGED | CKF_SO_PIN_COUNT_LOW |		\
	 CKF_SO_PIN_FINAL_TRY | CKF_SO_PIN_LOCKED |			\
	 CKF_SO_PIN_TO_BE_CHANGED)

/* TOKEN_INFO through the slot's own file if open, else a brief one. */
static bool seen_info(struct p11_slot *slot, struct khsm_token_info *ti)
{
	struct hsm_token *tok = __atomic_load_n(&slot->tok, __ATOMIC_ACQUIRE);
	struct hsm_token *tmp = NULL;
	CK_RV rv;

	if (!tok) {
		if (hsm_open(slot->id, &tmp) != CKR_OK)
			return false;
		tok = tmp;
	}
	rv = hsm_token_info(tok, ti, sizeof(*ti));
	hsm_close(tmp);
	return rv == CKR_OK;
}

static void seen_take(struct p11_slot *slot, struct p11_seen *s)
{
	struct khsm_token_info ti;

	memset(s, 0, sizeof(*s));
	s->known = true;
	s->present = p11_slot_present(slot);
	if (!s->present || !seen_info(slot, &ti))
		return;
	s->info = true;
	s->flags = ti.flags & ~(CK_FLAGS)P11_SEEN_FLAGS_IGNORED;
	memcpy(s->label, ti.label, sizeof(s->label));
	memcpy(s->serial, ti.serial, sizeof(s->serial));
	memcpy(s->so_salt, ti.so_salt, sizeof(s->so_salt));
}

static bool seen_differs(const struct p11_seen *a, const struct p11_seen *b)
{
	return a->present != b->present || a->info != b->info ||
	       a->flags != b->flags ||
	       memcmp(a->label, b->label, sizeof(a->label)) ||
	       memcmp(a->serial, b->serial, sizeof(a->serial)) ||
	       memcmp(a->so_salt, b->so_salt, sizeof(a->so_salt));
}

/*
 * Compare every slot with what was seen; under ev_lock. With @report
 * false (C_Initialize) only take the snapshot. A slot appended to the
 * table since the last scan (known false; also by C_GetSlotList) is an
 * event: the slot list changed, even if its token has gone again.
 */
static void scan(bool report)
{
	struct p11_seen now;
	unsigned int i, n;

	/* Appends new nodes; a failure leaves the table as it is. */
	p11_slots_refresh();
	n = __atomic_load_n(&p11.nslots, __ATOMIC_ACQUIRE);
	for (i = 0; i < n; i++) {
		struct p11_slot *slot = &p11.slots[i];

		seen_take(slot, &now);
		if (report && (!slot->seen.known ||
			       seen_differs(&now, &slot->seen)))
			slot->pending = true;
		slot->seen = now;
	}
}

/* The pending event of the lowest slot ID, cleared; false if none. */
static bool take_pending(CK_SLOT_ID *id)
{
	unsigned int i, n = __atomic_load_n(&p11.nslots, __ATOMIC_ACQUIRE);
	struct p11_slot *best = NULL;

	for (i = 0; i < n; i++)
		if (p11.slots[i].pending &&
		    (!best || p11.slots[i].id < best->id))
			best = &p11.slots[i];
	if (!best)
		return false;
	best->pending = false;
	*id = best->id;
	return true;
}

/*
 * One look, under ev_lock: a pending event, else what the descriptor
 * says, then a scan if something happened. CKR_OK with *id, CKR_NO_EVENT,
 * or an error. *epfd: the descriptor to poll next (-1: none).
 */
static CK_RV collect(CK_SLOT_ID *id, int *epfd)
{
	unsigned int changed = 1;
	CK_RV rv;

	*epfd = -1;
	if (take_pending(id))
		return CKR_OK;
	if (!p11.ev) {
		/* Failed at C_Initialize (logged then): try again. */
		rv = hsm_events_open(&p11.ev);
		if (rv != CKR_OK)
			p11_logf("slot events: %s (errno %d)",
				 p11_rv_name(rv), hsm_last_errno());
	} else {
		rv = hsm_events_read(p11.ev, &changed);
		if (rv != CKR_OK) {
			p11_logf("reading slot events: %s (errno %d)",
				 p11_rv_name(rv), hsm_last_errno());
			changed = 1;
		}
	}
	/* Without a descriptor every call scans: nothing else can tell. */
	if (changed)
		scan(true);
	*epfd = hsm_events_fd(p11.ev);
	return take_pending(id) ? CKR_OK : CKR_NO_EVENT;
}

CK_RV C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR pSlot,
			 CK_VOID_PTR pReserved)
{
	struct pollfd p[2];
	struct p11_call c;
	CK_RV rv = p11_enter(&c);
	CK_SLOT_ID id;
	int epfd;

	if (rv == CKR_OK && (pReserved || !pSlot))
		rv = CKR_ARGUMENTS_BAD;
	while (rv == CKR_OK) {
		if (__atomic_load_n(&p11.finalizing, __ATOMIC_ACQUIRE)) {
			rv = CKR_CRYPTOKI_NOT_INITIALIZED;
			break;
		}
		pthread_mutex_lock(&p11.ev_lock);
		rv = collect(&id, &epfd);
		pthread_mutex_unlock(&p11.ev_lock);
		if (rv == CKR_OK)
			*pSlot = id;
		if (rv != CKR_NO_EVENT || (flags & CKF_DONT_BLOCK))
			break;
		if (epfd < 0 || p11.wake_fd < 0) {
			/* Nothing could ever wake us. */
			rv = CKR_FUNCTION_FAILED;
			break;
		}
		p[0] = (struct pollfd){ .fd = epfd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = p11.wake_fd, .events = POLLIN };
		if (poll(p, 2, -1) < 0 && errno != EINTR) {
			p11_logf("%s: poll: errno %d", __func__, errno);
			rv = CKR_FUNCTION_FAILED;
			break;
		}
		rv = CKR_OK;
	}
	return p11_leave(&c, __func__, rv);
}

void p11_events_start(void)
{
	CK_RV rv;

	pthread_mutex_lock(&p11.ev_lock);
	__atomic_store_n(&p11.finalizing, false, __ATOMIC_RELEASE);
	p11.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (p11.wake_fd < 0)
		p11_logf("slot events: eventfd: errno %d", errno);
	/* Before the snapshot: what happens after it is counted. */
	rv = hsm_events_open(&p11.ev);
	if (rv != CKR_OK)
		p11_logf("slot events: %s (errno %d)", p11_rv_name(rv),
			 hsm_last_errno());
	scan(false);
	pthread_mutex_unlock(&p11.ev_lock);
}

void p11_events_stop(void)
{
	unsigned int i;

	pthread_mutex_lock(&p11.ev_lock);
	hsm_events_close(p11.ev);
	p11.ev = NULL;
	if (p11.wake_fd >= 0)
		close(p11.wake_fd);
	p11.wake_fd = -1;
	for (i = 0; i < P11_MAX_SLOTS; i++) {
		memset(&p11.slots[i].seen, 0, sizeof(p11.slots[i].seen));
		p11.slots[i].pending = false;
	}
	pthread_mutex_unlock(&p11.ev_lock);
}

void p11_events_wake(void)
{
	static const uint64_t one = 1;

	pthread_mutex_lock(&p11.ev_lock);
	__atomic_store_n(&p11.finalizing, true, __ATOMIC_RELEASE);
	if (p11.wake_fd >= 0 &&
	    write(p11.wake_fd, &one, sizeof(one)) != sizeof(one))
		p11_logf("C_Finalize: waking slot event waiters: errno %d",
			 errno);
	pthread_mutex_unlock(&p11.ev_lock);
}
