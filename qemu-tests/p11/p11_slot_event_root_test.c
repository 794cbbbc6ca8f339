// SPDX-License-Identifier: GPL-2.0
/*
 * C_WaitForSlotEvent and run-time slots through khsm-pkcs11.so (runs as
 * root: tokens are added and removed with the netlink family, lib/khsm_nl.c):
 *   - CKF_DONT_BLOCK with nothing new is CKR_NO_EVENT; pReserved or a
 *     NULL pSlot is CKR_ARGUMENTS_BAD;
 *   - events between C_Initialize and the first call count; several
 *     events come one per call, lowest slot first, then CKR_NO_EVENT;
 *   - a thread blocked in C_WaitForSlotEvent uses no CPU (utime + stime
 *     of /proc/self/task/TID/stat over 1 s), and wakes with the right
 *     slot when a token is added, when one is removed, when another
 *     process runs C_InitToken (also a second time with the same label);
 *   - C_Finalize wakes it (CKR_CRYPTOKI_NOT_INITIALIZED);
 *   - C_GetSlotList(TRUE) lists added tokens and not removed ones,
 *     C_GetSlotList(FALSE) keeps the removed slot (ascending IDs), whose
 *     C_GetSlotInfo has no CKF_TOKEN_PRESENT and whose token calls give
 *     CKR_DEVICE_REMOVED (file open before) or CKR_TOKEN_NOT_PRESENT;
 *   - a user in no token's group (inotify on /dev) is woken by an added
 *     token too.
 */
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "khsm_nl.h"
#include "p11_util.h"
#include "task_stat.h"

#define NOBODY	65534
#define MAX_ADDED 4

FIXTURE(ev) {
	struct nl n;
	CK_FUNCTION_LIST_PTR f;
	gid_t gid;
	long added[MAX_ADDED];
	int nadded;
	int skip;
};

FIXTURE_SETUP(ev)
{
	struct group *g;

	self->skip = geteuid() != 0;
	if (self->skip)
		return;
	/* No sealed state files for the throw-away tokens. */
	setenv("KHSM_STATE_DIR", "none", 1);
	g = getgrnam("hsm");
	ASSERT_NE(NULL, g);
	self->gid = g->gr_gid;
	ASSERT_EQ(0, t_nl_open(&self->n)) TH_LOG("family khsm not found");
	self->f = p_init();
	ASSERT_NE(NULL, self->f);
}

FIXTURE_TEARDOWN(ev)
{
	int i;

	if (self->skip)
		return;
	if (self->f)
		self->f->C_Finalize(NULL);
	for (i = 0; i < self->nadded; i++)
		if (self->added[i] >= 0)
			remove_token(&self->n, self->added[i]);
	t_nl_close(&self->n);
}

#define NEED_ROOT() do {						\
	if (self->skip)							\
		SKIP(return, "needs root (file name ends in _root_test)");	\
} while (0)

/* TOKEN_ADD of a token of group hsm, remembered for the teardown. */
static long add(struct _test_data_ev *self)
{
	long idx;

	if (self->nadded == MAX_ADDED)
		return -ENOSPC;
	idx = add_token(&self->n, self->gid);
	if (idx >= 0)
		self->added[self->nadded++] = idx;
	return idx;
}

static int del(struct _test_data_ev *self, long idx)
{
	int i;

	for (i = 0; i < self->nadded; i++)
		if (self->added[i] == idx)
			self->added[i] = -1;
	return remove_token(&self->n, idx);
}

/* Whether @id is in the slot list (tokenPresent @present). */
static int listed(CK_FUNCTION_LIST_PTR f, CK_BBOOL present, CK_SLOT_ID id,
		  int *sorted)
{
	CK_SLOT_ID ids[80];
	CK_ULONG n = 0, i;
	int found = 0;

	*sorted = 1;
	if (f->C_GetSlotList(present, NULL, &n) != CKR_OK || n > 80 ||
	    f->C_GetSlotList(present, ids, &n) != CKR_OK)
		return -1;
	for (i = 0; i < n; i++) {
		if (ids[i] == id)
			found = 1;
		if (i && ids[i - 1] >= ids[i])
			*sorted = 0;
	}
	return found;
}

struct waiter {
	pthread_t t;
	CK_FUNCTION_LIST_PTR f;
	pid_t tid;
	CK_SLOT_ID slot;
	CK_RV rv;
	int done;
};

static void *wait_body(void *arg)
{
	struct waiter *w = arg;

	__atomic_store_n(&w->tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	w->rv = w->f->C_WaitForSlotEvent(0, &w->slot, NULL);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Start a waiter; 0 once it sleeps (within 30 s). */
static int waiter_start(struct waiter *w, CK_FUNCTION_LIST_PTR f)
{
	unsigned long ticks;
	char state = '?';
	int i;

	memset(w, 0, sizeof(*w));
	w->f = f;
	if (pthread_create(&w->t, NULL, wait_body, w))
		return -1;
	for (i = 0; i < 3000; i++) {
		pid_t tid = __atomic_load_n(&w->tid, __ATOMIC_ACQUIRE);

		if (tid && !task_stat(tid, &state, &ticks) && state == 'S')
			return 0;
		usleep(10000);
	}
	return -1;
}

/*
 * CPU the sleeping waiter used over 1 s (ticks), or -1. It must still be
 * waiting afterwards.
 */
static long waiter_cpu(struct waiter *w)
{
	unsigned long t0, t1;
	char state;

	if (task_stat(w->tid, &state, &t0))
		return -1;
	sleep(1);
	if (task_stat(w->tid, &state, &t1) ||
	    __atomic_load_n(&w->done, __ATOMIC_ACQUIRE))
		return -1;
	return (long)(t1 - t0);
}

/* Join within 60 s (TCG); 0 when the waiter returned. */
static int waiter_join(struct waiter *w)
{
	struct timespec ts;
	int r;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 60;
	r = pthread_timedjoin_np(w->t, NULL, &ts);
	if (r)
		fprintf(stderr, "# waiter still blocked: %s\n", strerror(r));
	return r;
}

/* Take every pending event (none expected to block). */
static void drain(CK_FUNCTION_LIST_PTR f)
{
	CK_SLOT_ID id;
	int i;

	for (i = 0; i < 80; i++)
		if (f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &id, NULL) != CKR_OK)
			break;
}

TEST_F(ev, dont_block)
{
	CK_SLOT_ID id = 77;

	NEED_ROOT();
	EXPECT_EQ(CKR_ARGUMENTS_BAD,
		  self->f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &id, &id));
	EXPECT_EQ(CKR_ARGUMENTS_BAD,
		  self->f->C_WaitForSlotEvent(CKF_DONT_BLOCK, NULL, NULL));
	EXPECT_EQ(CKR_NO_EVENT,
		  self->f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &id, NULL));
	EXPECT_EQ(77UL, id);
}

/* Two tokens added after C_Initialize, before any wait: two events. */
TEST_F_TIMEOUT(ev, events_before_first_wait, 120)
{
	CK_SLOT_ID id1 = 99, id2 = 99, id;
	long a, b;
	int sorted;

	NEED_ROOT();
	a = add(self);
	ASSERT_LE(0, a);
	b = add(self);
	ASSERT_LE(0, b);
	ASSERT_EQ(CKR_OK, self->f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &id1, NULL));
	ASSERT_EQ(CKR_OK, self->f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &id2, NULL));
	EXPECT_EQ((CK_SLOT_ID)(a < b ? a : b), id1);
	EXPECT_EQ((CK_SLOT_ID)(a < b ? b : a), id2);
	EXPECT_EQ(CKR_NO_EVENT,
		  self->f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &id, NULL));
	EXPECT_EQ(1, listed(self->f, CK_TRUE, a, &sorted));
	EXPECT_EQ(1, listed(self->f, CK_TRUE, b, &sorted));
	EXPECT_EQ(1, sorted);
}

TEST_F_TIMEOUT(ev, add_wakes_waiter, 120)
{
	struct waiter w;
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	long idx, cpu;
	int sorted;

	NEED_ROOT();
	ASSERT_EQ(0, waiter_start(&w, self->f));
	cpu = waiter_cpu(&w);
	EXPECT_LE(0, cpu);
	EXPECT_GE(3, cpu) TH_LOG("a blocked waiter used %ld ticks in 1 s", cpu);
	idx = add(self);
	ASSERT_LE(0, idx);
	ASSERT_EQ(0, waiter_join(&w));
	EXPECT_EQ(CKR_OK, w.rv);
	EXPECT_EQ((CK_SLOT_ID)idx, w.slot);
	EXPECT_EQ(1, listed(self->f, CK_TRUE, idx, &sorted));
	EXPECT_EQ(1, sorted);
	ASSERT_EQ(CKR_OK, self->f->C_GetSlotInfo(idx, &si));
	EXPECT_EQ((CK_FLAGS)(CKF_TOKEN_PRESENT | CKF_HW_SLOT | CKF_REMOVABLE_DEVICE),
		  si.flags);
	ASSERT_EQ(CKR_OK, self->f->C_GetTokenInfo(idx, &ti));
	EXPECT_EQ(0UL, ti.flags & CKF_TOKEN_INITIALIZED);
}

TEST_F_TIMEOUT(ev, remove_wakes_waiter, 120)
{
	CK_SESSION_HANDLE s;
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	struct waiter w;
	long idx, cpu;
	int sorted;

	NEED_ROOT();
	idx = add(self);
	ASSERT_LE(0, idx);
	drain(self->f);
	/* Our file on it is open before the removal. */
	ASSERT_EQ(CKR_OK, self->f->C_GetTokenInfo(idx, &ti));
	ASSERT_EQ(0, waiter_start(&w, self->f));
	cpu = waiter_cpu(&w);
	EXPECT_LE(0, cpu);
	EXPECT_GE(3, cpu) TH_LOG("a blocked waiter used %ld ticks in 1 s", cpu);
	ASSERT_EQ(0, del(self, idx));
	ASSERT_EQ(0, waiter_join(&w));
	EXPECT_EQ(CKR_OK, w.rv);
	EXPECT_EQ((CK_SLOT_ID)idx, w.slot);

	EXPECT_EQ(0, listed(self->f, CK_TRUE, idx, &sorted));
	EXPECT_EQ(1, listed(self->f, CK_FALSE, idx, &sorted));
	EXPECT_EQ(1, sorted);
	ASSERT_EQ(CKR_OK, self->f->C_GetSlotInfo(idx, &si));
	EXPECT_EQ((CK_FLAGS)(CKF_HW_SLOT | CKF_REMOVABLE_DEVICE), si.flags);
	EXPECT_EQ(CKR_DEVICE_REMOVED, self->f->C_GetTokenInfo(idx, &ti));
	EXPECT_EQ(CKR_DEVICE_REMOVED,
		  self->f->C_OpenSession(idx, CKF_SERIAL_SESSION, NULL, NULL, &s));
	EXPECT_EQ(CKR_NO_EVENT,
		  self->f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &w.slot, NULL));
}

/* Without a file open: CKR_TOKEN_NOT_PRESENT. */
TEST_F_TIMEOUT(ev, removed_unopened_slot, 120)
{
	CK_SESSION_HANDLE s;
	CK_TOKEN_INFO ti;
	CK_SLOT_ID id;
	long idx;
	int sorted;

	NEED_ROOT();
	idx = add(self);
	ASSERT_LE(0, idx);
	ASSERT_EQ(1, listed(self->f, CK_FALSE, idx, &sorted));
	ASSERT_EQ(0, del(self, idx));
	/* Added and removed before we looked: the slot went, one event. */
	ASSERT_EQ(CKR_OK, self->f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &id, NULL));
	EXPECT_EQ((CK_SLOT_ID)idx, id);
	EXPECT_EQ(CKR_TOKEN_NOT_PRESENT, self->f->C_GetTokenInfo(idx, &ti));
	EXPECT_EQ(CKR_TOKEN_NOT_PRESENT,
		  self->f->C_OpenSession(idx, CKF_SERIAL_SESSION, NULL, NULL, &s));
}

/* C_InitToken in another process (a child with its own C_Initialize). */
static int child_init_token(CK_FUNCTION_LIST_PTR f, CK_SLOT_ID slot)
{
	unsigned char label[32];
	CK_RV rv;

	memset(label, ' ', sizeof(label));
	memcpy(label, "slot-event", 10);
	if (f->C_Initialize(NULL) != CKR_OK)
		return 10;
	rv = f->C_InitToken(slot, (CK_UTF8CHAR *)P_SO_PIN, strlen(P_SO_PIN),
			    label);
	f->C_Finalize(NULL);
	return rv == CKR_OK ? 0 : 11;
}

static int run_child_init(CK_FUNCTION_LIST_PTR f, CK_SLOT_ID slot)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return 200;
	if (pid == 0) {
		alarm(90);
		_exit(child_init_token(f, slot));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 201;
	return WEXITSTATUS(status);
}

TEST_F_TIMEOUT(ev, init_token_elsewhere_wakes_waiter, 240)
{
	CK_TOKEN_INFO ti;
	struct waiter w;
	long idx;
	int round;

	NEED_ROOT();
	idx = add(self);
	ASSERT_LE(0, idx);
	drain(self->f);
	/* The second time the label and flags stay: the SO salt tells. */
	for (round = 0; round < 2; round++) {
		ASSERT_EQ(0, waiter_start(&w, self->f));
		ASSERT_EQ(0, run_child_init(self->f, idx));
		ASSERT_EQ(0, waiter_join(&w));
		EXPECT_EQ(CKR_OK, w.rv);
		EXPECT_EQ((CK_SLOT_ID)idx, w.slot) TH_LOG("round %d", round);
		ASSERT_EQ(CKR_OK, self->f->C_GetTokenInfo(idx, &ti));
		EXPECT_NE(0UL, ti.flags & CKF_TOKEN_INITIALIZED);
		EXPECT_EQ(0, memcmp(ti.label, "slot-event ", 11));
		EXPECT_EQ(CKR_NO_EVENT,
			  self->f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &w.slot,
						      NULL));
	}
}

TEST_F_TIMEOUT(ev, finalize_wakes_waiter, 120)
{
	struct waiter w;

	NEED_ROOT();
	ASSERT_EQ(0, waiter_start(&w, self->f));
	EXPECT_EQ(CKR_OK, self->f->C_Finalize(NULL));
	ASSERT_EQ(0, waiter_join(&w));
	EXPECT_EQ(CKR_CRYPTOKI_NOT_INITIALIZED, w.rv);
	self->f = NULL;
}

/*
 * A process in no token's group opens no device: inotify on /dev wakes
 * it when a token is added. Child: drop to nobody, C_Initialize, say
 * ready, wait; exit 0 if it got the slot the parent sends afterwards.
 */
static int child_nobody(CK_FUNCTION_LIST_PTR f, int ready, int idx_in)
{
	CK_SLOT_ID id = 999;
	long idx = -1;
	CK_RV rv;

	alarm(90);	/* never outlive the test blocked */
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return 20;
	if (f->C_Initialize(NULL) != CKR_OK)
		return 21;
	if (f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &id, NULL) != CKR_NO_EVENT)
		return 22;
	if (write(ready, "r", 1) != 1)
		return 23;
	rv = f->C_WaitForSlotEvent(0, &id, NULL);
	if (read(idx_in, &idx, sizeof(idx)) != sizeof(idx))
		return 24;
	f->C_Finalize(NULL);
	if (rv != CKR_OK)
		return 25;
	return (long)id == idx ? 0 : 26;
}

TEST_F_TIMEOUT(ev, non_member_sees_added_token, 120)
{
	int ready[2], idx_pipe[2], status;
	char c;
	long idx;
	pid_t pid;

	NEED_ROOT();
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(idx_pipe));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(child_nobody(self->f, ready[1], idx_pipe[0]));
	ASSERT_EQ(1, read(ready[0], &c, 1));
	idx = add(self);
	ASSERT_LE(0, idx);
	ASSERT_EQ((ssize_t)sizeof(idx), write(idx_pipe[1], &idx, sizeof(idx)));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(ready[0]);
	close(ready[1]);
	close(idx_pipe[0]);
	close(idx_pipe[1]);
}

TEST_HARNESS_MAIN
