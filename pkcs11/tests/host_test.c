// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side test of khsm-pkcs11.so, no kernel module needed: entry points,
 * interfaces, C_Initialize/C_Finalize rules, argument checks, slot listing
 * with the length protocol, fork and thread behaviour.
 *
 * Run with KHSM_DEV_DIR pointing at a directory whose hsm0 and hsm3 are
 * character devices that are not khsm tokens (symlinks to /dev/null), as
 * `make -C pkcs11 test` sets up: both slots list, their token calls fail
 * with CKR_TOKEN_NOT_RECOGNIZED. No node is a token that opens, so slot
 * events come from inotify on the directory: the test adds and removes
 * hsmN symlinks there (C_WaitForSlotEvent, run-time slots). Prints TAP.
 *
 *   host_test <path to khsm-pkcs11.so>
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../p11_3_0.h"
#include "tap.h"
#include "task_stat.h"

#define RV_IS(expr, want) do {						\
	CK_RV _rv = (expr);						\
	tap_ok(_rv == (CK_RV)(want), "%s == %s (got 0x%lx)", #expr, #want,	\
	   _rv);							\
} while (0)

static CK_FUNCTION_LIST_3_0 *f3;
static CK_FUNCTION_LIST *f2;

static CK_RV dummy_create(CK_VOID_PTR_PTR m) { (void)m; return CKR_OK; }
static CK_RV dummy_mutex(CK_VOID_PTR m) { (void)m; return CKR_OK; }

/* The .so's defined dynamic symbols are exactly the three entry points. */
static int exports_exactly_three(const char *path)
{
	char cmd[4096], line[512], name[256], type;
	int n = 0, others = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "nm -D --defined-only '%s'", path);
	p = popen(cmd, "r");
	if (!p)
		return 0;
	while (fgets(line, sizeof(line), p)) {
		if (sscanf(line, "%*s %c %255s", &type, name) != 2)
			continue;
		if (!strcmp(name, "C_GetFunctionList") ||
		    !strcmp(name, "C_GetInterfaceList") ||
		    !strcmp(name, "C_GetInterface"))
			n++;
		else
			others++, printf("# unexpected export: %c %s\n", type, name);
	}
	return pclose(p) == 0 && n == 3 && others == 0;
}

static void test_entry_points(void *so, const char *path)
{
	CK_C_GetFunctionList gfl = (CK_C_GetFunctionList)dlsym(so, "C_GetFunctionList");
	CK_C_GetInterfaceList gil = (CK_C_GetInterfaceList)dlsym(so, "C_GetInterfaceList");
	CK_C_GetInterface gi = (CK_C_GetInterface)dlsym(so, "C_GetInterface");
	CK_INTERFACE list[4], *in = NULL;
	CK_VERSION v240 = { 2, 40 }, v30 = { 3, 0 }, v31 = { 3, 1 };
	CK_ULONG n = 0;
	void **fp;
	size_t i;

	tap_ok(gfl && gil && gi, "three entry points exported");
	tap_ok(exports_exactly_three(path), "nm -D: no other symbol is exported");
	tap_ok(dlsym(so, "C_Initialize") == NULL, "C_Initialize is not exported");
	if (!gfl || !gil || !gi)
		exit(1);
	RV_IS(gfl(NULL), CKR_ARGUMENTS_BAD);
	RV_IS(gfl(&f2), CKR_OK);
	tap_ok(f2->version.major == 2 && f2->version.minor == 40,
	   "C_GetFunctionList gives the 2.40 list");
	RV_IS(gil(NULL, NULL), CKR_ARGUMENTS_BAD);
	RV_IS(gil(NULL, &n), CKR_OK);
	tap_ok(n == 2, "two interfaces (got %lu)", n);
	n = 1;
	RV_IS(gil(list, &n), CKR_BUFFER_TOO_SMALL);
	tap_ok(n == 2, "too small: count is set to 2");
	n = 4;
	RV_IS(gil(list, &n), CKR_OK);
	tap_ok(n == 2 && !strcmp((char *)list[0].pInterfaceName, "PKCS 11") &&
	   !strcmp((char *)list[1].pInterfaceName, "PKCS 11"),
	   "both are named \"PKCS 11\"");
	RV_IS(gi(NULL, NULL, NULL, 0), CKR_ARGUMENTS_BAD);
	RV_IS(gi(NULL, NULL, &in, 0), CKR_OK);
	tap_ok(in && ((CK_VERSION *)in->pFunctionList)->major == 3,
	   "default interface is 3.0");
	RV_IS(gi((CK_UTF8CHAR_PTR)"PKCS 11", &v240, &in, 0), CKR_OK);
	tap_ok(in && in->pFunctionList == (void *)f2, "2.40 by version is the C_GetFunctionList list");
	RV_IS(gi((CK_UTF8CHAR_PTR)"PKCS 11", &v30, &in, 0), CKR_OK);
	f3 = in ? in->pFunctionList : NULL;
	tap_ok(f3 && f3->version.major == 3 && f3->version.minor == 0, "3.0 list");
	RV_IS(gi((CK_UTF8CHAR_PTR)"PKCS 11", &v31, &in, 0), CKR_ARGUMENTS_BAD);
	RV_IS(gi((CK_UTF8CHAR_PTR)"Vendor", NULL, &in, 0), CKR_ARGUMENTS_BAD);
	RV_IS(gi(NULL, NULL, &in, CKF_INTERFACE_FORK_SAFE), CKR_ARGUMENTS_BAD);
	if (!f3)
		exit(1);
	fp = (void **)&f3->C_Initialize;
	for (i = 0; i < (sizeof(*f3) - offsetof(CK_FUNCTION_LIST_3_0, C_Initialize)) /
			sizeof(void *); i++)
		if (!fp[i])
			break;
	tap_ok(i == 92, "all 92 entries of the 3.0 list are set (first NULL at %zu)", i);
	tap_ok(f3->C_Sign == f2->C_Sign && f3->C_Initialize == f2->C_Initialize,
	   "3.0 list starts with the 2.40 functions");
}

static void test_init_rules(void)
{
	CK_C_INITIALIZE_ARGS a;
	CK_INFO info;

	RV_IS(f3->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED);
	RV_IS(f3->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
	RV_IS(f3->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, NULL),
	      CKR_CRYPTOKI_NOT_INITIALIZED);
	memset(&a, 0, sizeof(a));
	a.pReserved = &a;
	RV_IS(f3->C_Initialize(&a), CKR_ARGUMENTS_BAD);
	memset(&a, 0, sizeof(a));
	a.CreateMutex = dummy_create;
	a.flags = CKF_OS_LOCKING_OK;
	RV_IS(f3->C_Initialize(&a), CKR_ARGUMENTS_BAD);
	a.DestroyMutex = dummy_mutex;
	a.LockMutex = dummy_mutex;
	a.UnlockMutex = dummy_mutex;
	a.flags = 0;
	RV_IS(f3->C_Initialize(&a), CKR_CANT_LOCK);
	a.flags = CKF_OS_LOCKING_OK;
	RV_IS(f3->C_Initialize(&a), CKR_OK);
	RV_IS(f3->C_Initialize(NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED);
	RV_IS(f3->C_Finalize(&a), CKR_ARGUMENTS_BAD);
	RV_IS(f3->C_Finalize(NULL), CKR_OK);
	RV_IS(f3->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
	memset(&a, 0, sizeof(a));
	a.flags = CKF_OS_LOCKING_OK;
	RV_IS(f3->C_Initialize(&a), CKR_OK);
	RV_IS(f3->C_GetInfo(NULL), CKR_ARGUMENTS_BAD);
	RV_IS(f3->C_GetInfo(&info), CKR_OK);
	tap_ok(info.cryptokiVersion.major == 3 && info.cryptokiVersion.minor == 0,
	   "3.0 list: C_GetInfo says 3.0");
	RV_IS(f2->C_GetInfo(&info), CKR_OK);
	tap_ok(info.cryptokiVersion.major == 2 && info.cryptokiVersion.minor == 40,
	   "2.40 list: C_GetInfo says 2.40");
	tap_ok(!memcmp(info.manufacturerID, "khsm ", 5) &&
	   info.manufacturerID[31] == ' ', "manufacturerID blank padded");
}

static void test_slots(void)
{
	CK_SLOT_ID ids[4] = { 0 };
	CK_ULONG n = 0;
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE s = 0;
	CK_SESSION_INFO sinfo;
	CK_MECHANISM_TYPE mt[4];
	CK_MECHANISM_INFO mi;
	CK_BYTE buf[16];

	RV_IS(f3->C_GetSlotList(CK_FALSE, NULL, NULL), CKR_ARGUMENTS_BAD);
	RV_IS(f3->C_GetSlotList(CK_FALSE, NULL, &n), CKR_OK);
	tap_ok(n == 2, "two slots (got %lu)", n);
	n = 1;
	RV_IS(f3->C_GetSlotList(CK_TRUE, ids, &n), CKR_BUFFER_TOO_SMALL);
	tap_ok(n == 2, "too small: count is set to 2");
	n = 4;
	RV_IS(f3->C_GetSlotList(CK_TRUE, ids, &n), CKR_OK);
	tap_ok(n == 2 && ids[0] == 0 && ids[1] == 3, "slot IDs are 0 and 3 (N of hsmN)");
	RV_IS(f3->C_GetSlotInfo(1, &si), CKR_SLOT_ID_INVALID);
	RV_IS(f3->C_GetSlotInfo(3, NULL), CKR_ARGUMENTS_BAD);
	RV_IS(f3->C_GetSlotInfo(3, &si), CKR_OK);
	tap_ok(si.flags == (CKF_TOKEN_PRESENT | CKF_HW_SLOT | CKF_REMOVABLE_DEVICE),
	   "slot flags: present, hardware, removable");
	tap_ok(!memcmp(si.slotDescription, "khsm kernel token /dev/hsm3 ", 28) &&
	   si.slotDescription[63] == ' ', "slot description blank padded");
	RV_IS(f3->C_GetTokenInfo(7, &ti), CKR_SLOT_ID_INVALID);
	RV_IS(f3->C_GetTokenInfo(0, NULL), CKR_ARGUMENTS_BAD);
	RV_IS(f3->C_GetTokenInfo(0, &ti), CKR_TOKEN_NOT_RECOGNIZED);
	RV_IS(f3->C_GetMechanismList(0, mt, &n), CKR_TOKEN_NOT_RECOGNIZED);
	RV_IS(f3->C_GetMechanismInfo(0, CKM_SHA256, &mi), CKR_TOKEN_NOT_RECOGNIZED);
	RV_IS(f3->C_InitToken(0, (CK_UTF8CHAR_PTR)"1234", 4, NULL), CKR_TOKEN_NOT_RECOGNIZED);
	RV_IS(f3->C_OpenSession(0, 0, NULL, NULL, &s), CKR_SESSION_PARALLEL_NOT_SUPPORTED);
	RV_IS(f3->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, NULL), CKR_ARGUMENTS_BAD);
	RV_IS(f3->C_OpenSession(1, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_SLOT_ID_INVALID);
	RV_IS(f3->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_TOKEN_NOT_RECOGNIZED);
	RV_IS(f3->C_CloseAllSessions(0), CKR_OK);
	RV_IS(f3->C_CloseAllSessions(2), CKR_SLOT_ID_INVALID);
	RV_IS(f3->C_CloseSession(CK_INVALID_HANDLE), CKR_SESSION_HANDLE_INVALID);
	RV_IS(f3->C_CloseSession(((CK_ULONG)3 << 32) | 1), CKR_SESSION_HANDLE_INVALID);
	RV_IS(f3->C_GetSessionInfo(5, &sinfo), CKR_SESSION_HANDLE_INVALID);
	RV_IS(f3->C_Login(5, CKU_USER, (CK_UTF8CHAR_PTR)"1234", 4), CKR_SESSION_HANDLE_INVALID);
	RV_IS(f3->C_GenerateRandom(5, buf, sizeof(buf)), CKR_SESSION_HANDLE_INVALID);
	RV_IS(f3->C_SignInit(5, NULL, 1), CKR_SESSION_HANDLE_INVALID);
	RV_IS(f3->C_DigestKey(5, 1), CKR_SESSION_HANDLE_INVALID);
}

static char devdir[512];

static int node(const char *name, int add)
{
	char p[600];

	snprintf(p, sizeof(p), "%s/%s", devdir, name);
	return add ? symlink("/dev/null", p) : unlink(p);
}

static int slot_list(CK_BBOOL present, CK_SLOT_ID *ids, CK_ULONG cap)
{
	CK_ULONG n = 0;

	if (f3->C_GetSlotList(present, NULL, &n) != CKR_OK || n > cap)
		return -1;
	if (f3->C_GetSlotList(present, ids, &n) != CKR_OK)
		return -1;
	return (int)n;
}

struct waiter {
	pthread_t t;
	pid_t tid;
	CK_SLOT_ID slot;
	CK_RV rv;
	int done;
};

static void *wait_body(void *arg)
{
	struct waiter *w = arg;

	__atomic_store_n(&w->tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	w->rv = f3->C_WaitForSlotEvent(0, &w->slot, NULL);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Start a waiter and wait (up to 10 s) until it sleeps in the kernel. */
static int waiter_start(struct waiter *w)
{
	unsigned long ticks;
	char state = '?';
	int i;

	memset(w, 0, sizeof(*w));
	if (pthread_create(&w->t, NULL, wait_body, w))
		return -1;
	for (i = 0; i < 1000; i++) {
		pid_t tid = __atomic_load_n(&w->tid, __ATOMIC_ACQUIRE);

		if (tid && !task_stat(tid, &state, &ticks) && state == 'S')
			return 0;
		usleep(10000);
	}
	return -1;
}

/* Join within 10 s; 0 when the waiter returned. */
static int waiter_join(struct waiter *w)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	return pthread_timedjoin_np(w->t, NULL, &ts);
}

static void test_events(void)
{
	CK_SLOT_ID id = 99, ids[8];
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE s;
	struct waiter w, w2, *first, *other;
	unsigned long t0 = 0, t1 = 0;
	char state;
	int n;

	RV_IS(f3->C_WaitForSlotEvent(0, NULL, NULL), CKR_ARGUMENTS_BAD);
	RV_IS(f3->C_WaitForSlotEvent(CKF_DONT_BLOCK, &id, &id), CKR_ARGUMENTS_BAD);
	RV_IS(f3->C_WaitForSlotEvent(CKF_DONT_BLOCK, &id, NULL), CKR_NO_EVENT);

	/* An event before the first wait counts. */
	tap_ok(!node("hsm5", 1), "hsm5 appears");
	id = 99;
	RV_IS(f3->C_WaitForSlotEvent(CKF_DONT_BLOCK, &id, NULL), CKR_OK);
	tap_ok(id == 5, "the event is slot 5's (got %lu)", id);
	RV_IS(f3->C_WaitForSlotEvent(CKF_DONT_BLOCK, &id, NULL), CKR_NO_EVENT);
	RV_IS(f3->C_GetSlotInfo(5, &si), CKR_OK);
	tap_ok(si.flags & CKF_TOKEN_PRESENT, "slot 5 has its token");
	n = slot_list(CK_TRUE, ids, 8);
	tap_ok(n == 3 && ids[0] == 0 && ids[1] == 3 && ids[2] == 5,
	   "present: 0, 3, 5 (got %d)", n);

	/* Two events: one per call, lowest slot first, then none. */
	tap_ok(!node("hsm7", 1) && !node("hsm5", 0), "hsm7 appears, hsm5 goes");
	RV_IS(f3->C_WaitForSlotEvent(CKF_DONT_BLOCK, &id, NULL), CKR_OK);
	tap_ok(id == 5, "first event: slot 5 (got %lu)", id);
	RV_IS(f3->C_WaitForSlotEvent(CKF_DONT_BLOCK, &id, NULL), CKR_OK);
	tap_ok(id == 7, "second event: slot 7 (got %lu)", id);
	RV_IS(f3->C_WaitForSlotEvent(CKF_DONT_BLOCK, &id, NULL), CKR_NO_EVENT);
	n = slot_list(CK_FALSE, ids, 8);
	tap_ok(n == 4 && ids[0] == 0 && ids[1] == 3 && ids[2] == 5 && ids[3] == 7,
	   "all slots, ascending: 0, 3, 5, 7 (got %d)", n);
	n = slot_list(CK_TRUE, ids, 8);
	tap_ok(n == 3 && ids[0] == 0 && ids[1] == 3 && ids[2] == 7,
	   "with a token: 0, 3, 7 (got %d)", n);
	RV_IS(f3->C_GetSlotInfo(5, &si), CKR_OK);
	tap_ok(si.flags == (CKF_HW_SLOT | CKF_REMOVABLE_DEVICE),
	   "slot 5: no CKF_TOKEN_PRESENT (flags 0x%lx)", si.flags);
	RV_IS(f3->C_GetTokenInfo(5, &ti), CKR_TOKEN_NOT_PRESENT);
	RV_IS(f3->C_OpenSession(5, CKF_SERIAL_SESSION, NULL, NULL, &s),
	      CKR_TOKEN_NOT_PRESENT);

	/* A blocked waiter sleeps, and wakes for the removal of hsm7. */
	tap_ok(!waiter_start(&w), "a thread waits in C_WaitForSlotEvent");
	task_stat(w.tid, &state, &t0);
	usleep(1000000);
	task_stat(w.tid, &state, &t1);
	tap_ok(!__atomic_load_n(&w.done, __ATOMIC_ACQUIRE) && t1 - t0 <= 2,
	   "blocked for 1 s using %lu ticks of CPU", t1 - t0);
	tap_ok(!node("hsm7", 0), "hsm7 goes");
	tap_ok(!waiter_join(&w), "the waiter returned");
	tap_ok(w.rv == CKR_OK && w.slot == 7, "with slot 7 (rv 0x%lx, slot %lu)",
	   w.rv, w.slot);

	/*
	 * Two waiters, one event: one returns it, the other keeps waiting
	 * until C_Finalize wakes it (CKR_CRYPTOKI_NOT_INITIALIZED).
	 */
	tap_ok(!waiter_start(&w) && !waiter_start(&w2), "two threads wait");
	tap_ok(!node("hsm9", 1), "hsm9 appears");
	for (n = 0; n < 1000 && !__atomic_load_n(&w.done, __ATOMIC_ACQUIRE) &&
		    !__atomic_load_n(&w2.done, __ATOMIC_ACQUIRE); n++)
		usleep(10000);
	usleep(200000);
	first = __atomic_load_n(&w.done, __ATOMIC_ACQUIRE) ? &w : &w2;
	other = first == &w ? &w2 : &w;
	tap_ok(__atomic_load_n(&first->done, __ATOMIC_ACQUIRE) &&
	   !__atomic_load_n(&other->done, __ATOMIC_ACQUIRE),
	   "exactly one waiter returned");
	tap_ok(!waiter_join(first) && first->rv == CKR_OK && first->slot == 9,
	   "with slot 9 (rv 0x%lx, slot %lu)", first->rv, first->slot);
	RV_IS(f3->C_Finalize(NULL), CKR_OK);
	tap_ok(!waiter_join(other), "C_Finalize woke the other waiter");
	tap_ok(other->rv == CKR_CRYPTOKI_NOT_INITIALIZED,
	   "it returned CKR_CRYPTOKI_NOT_INITIALIZED (0x%lx)", other->rv);
	node("hsm9", 0);
	RV_IS(f3->C_Initialize(NULL), CKR_OK);
	RV_IS(f3->C_WaitForSlotEvent(CKF_DONT_BLOCK, &id, NULL), CKR_NO_EVENT);
}

static void *thread_body(void *arg)
{
	CK_ULONG n, i;
	CK_SLOT_ID ids[4];
	CK_TOKEN_INFO ti;
	long bad = 0;

	(void)arg;
	for (i = 0; i < 2000; i++) {
		n = 4;
		if (f3->C_GetSlotList(CK_TRUE, ids, &n) != CKR_OK || n != 2)
			bad++;
		if (f3->C_GetTokenInfo(3, &ti) != CKR_TOKEN_NOT_RECOGNIZED)
			bad++;
	}
	return (void *)bad;
}

static void test_threads(void)
{
	pthread_t t[8];
	void *res;
	long bad = 0;
	int i;

	for (i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, thread_body, NULL);
	for (i = 0; i < 8; i++) {
		pthread_join(t[i], &res);
		bad += (long)res;
	}
	tap_ok(bad == 0, "8 threads x 2000 calls: all answers as expected (%ld bad)", bad);
}

static void test_fork(void)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		CK_INFO info;
		CK_ULONG n = 0;
		int fail = 0;

		fail |= f3->C_GetInfo(&info) != CKR_CRYPTOKI_NOT_INITIALIZED;
		fail |= (f3->C_GetSlotList(CK_TRUE, NULL, &n) !=
			 CKR_CRYPTOKI_NOT_INITIALIZED) << 1;
		fail |= (f3->C_Finalize(NULL) != CKR_CRYPTOKI_NOT_INITIALIZED) << 2;
		fail |= (f3->C_Initialize(NULL) != CKR_OK) << 3;
		fail |= (f3->C_GetSlotList(CK_TRUE, NULL, &n) != CKR_OK || n != 2) << 4;
		fail |= (f3->C_Finalize(NULL) != CKR_OK) << 5;
		_exit(fail);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "child: NOT_INITIALIZED until its own C_Initialize, which works (status 0x%x)",
	   status);
	RV_IS(f3->C_GetInfo(&(CK_INFO){ 0 }), CKR_OK);
}

int main(int argc, char **argv)
{
	void *so;

	if (argc != 2) {
		fprintf(stderr, "usage: %s khsm-pkcs11.so\n", argv[0]);
		return 2;
	}
	so = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!so) {
		printf("Bail out! dlopen %s: %s\n", argv[1], dlerror());
		return 1;
	}
	test_entry_points(so, argv[1]);
	test_init_rules();
	test_slots();
	snprintf(devdir, sizeof(devdir), "%s", getenv("KHSM_DEV_DIR") ?
		 getenv("KHSM_DEV_DIR") : "/dev");
	node("hsm5", 0);
	node("hsm7", 0);
	test_events();
	test_threads();
	test_fork();
	RV_IS(f3->C_Finalize(NULL), CKR_OK);
	dlclose(so);
	return tap_done();
}
