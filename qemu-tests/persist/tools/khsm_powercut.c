// SPDX-License-Identifier: GPL-2.0
/*
 * Power-cut workload and checker (qemu-tests/persist/persist_powercut.sh),
 * over the PKCS#11 module ($KHSM_PKCS11) with the token's user PIN
 * (P_USER_PIN of p11_util).
 *
 *   khsm_powercut init
 *	C_InitToken (P_LABEL, P_SO_PIN) and C_InitPIN (P_USER_PIN).
 *   khsm_powercut work LOGDIR PROC TAG
 *	Loops until killed: creates token objects (C_CreateObject of a
 *	private AES key with a fixed value, or C_GenerateKey of an AES-256
 *	token key, alternately; CKA_ID and CKA_LABEL are "PROC-TAG-SEQ") and
 *	destroys live ones of this process, logging to LOGDIR/pPROC.log,
 *	each line written with O_APPEND and fsync'd:
 *	  c ID   before the call that creates ID
 *	  C ID   after it returned CKR_OK (acknowledged)
 *	  d ID   before C_DestroyObject of ID
 *	  D ID   after it returned CKR_OK (acknowledged)
 *	  E text an unexpected error (then exit 1)
 *	Prints "started" on stdout after its first acknowledged creation.
 *   khsm_powercut check LOGDIR
 *	Logs in, lists every token secret key by CKA_ID and compares with
 *	the logs: every acknowledged object not (tried to be) destroyed is
 *	present, every acknowledged destroyed one absent, every present one
 *	was at least tried, no log has an E line. TAP, one line per rule.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "p11_util.h"

#define MAX_IDS	400000
#define HASH_SLOTS (1U << 20)	/* power of two, > 2 * MAX_IDS */
#define ID_LEN	48

enum { S_TRIED = 1, S_ACKED = 2, S_DTRIED = 4, S_DESTROYED = 8, S_PRESENT = 16 };

struct ent {
	char id[ID_LEN];
	unsigned int st;
};

static struct ent *ents;
static size_t n_ents;
static unsigned int *slots;	/* index + 1 into ents, 0: free */
static int log_fd = -1;

static void die(const char *what, CK_RV rv)
{
	char line[160];
	int n;

	fprintf(stderr, "khsm_powercut: %s: rv 0x%lx\n", what, rv);
	if (log_fd >= 0) {
		n = snprintf(line, sizeof(line), "E %s rv 0x%lx\n", what, rv);
		if (write(log_fd, line, n) == n)
			fsync(log_fd);
	}
	exit(1);
}

static void log_line(char kind, const char *id)
{
	char line[ID_LEN + 4];
	int n = snprintf(line, sizeof(line), "%c %s\n", kind, id);

	if (write(log_fd, line, n) != n || fsync(log_fd)) {
		fprintf(stderr, "khsm_powercut: log write: %s\n", strerror(errno));
		exit(1);
	}
}

static unsigned int hash(const char *id)
{
	unsigned int h = 2166136261u;	/* FNV-1a */

	while (*id)
		h = (h ^ (unsigned char)*id++) * 16777619u;
	return h;
}

static struct ent *lookup(const char *id, int add)
{
	unsigned int i = hash(id) & (HASH_SLOTS - 1);

	for (; slots[i]; i = (i + 1) & (HASH_SLOTS - 1))
		if (!strcmp(ents[slots[i] - 1].id, id))
			return &ents[slots[i] - 1];
	if (!add || n_ents == MAX_IDS || strlen(id) >= ID_LEN)
		return NULL;
	snprintf(ents[n_ents].id, ID_LEN, "%s", id);
	ents[n_ents].st = 0;
	slots[i] = ++n_ents;
	return &ents[n_ents - 1];
}

/* Read one log (or every log in @dir if @file is NULL) into ents. */
static int read_logs(const char *dir, const char *only, int *errors)
{
	char path[4096], line[256], id[ID_LEN];
	struct dirent *d;
	DIR *dp = opendir(dir);
	FILE *fp;
	char kind;

	if (!dp) {
		fprintf(stderr, "khsm_powercut: opendir %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((d = readdir(dp))) {
		if (d->d_name[0] != 'p' || !strstr(d->d_name, ".log"))
			continue;
		if (only && strcmp(d->d_name, only))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		fp = fopen(path, "r");
		if (!fp)
			continue;
		while (fgets(line, sizeof(line), fp)) {
			struct ent *e;

			/* A torn last line (cut during the write) is not counted. */
			if (!strchr(line, '\n'))
				break;
			if (line[0] == 'E') {
				printf("# %s: %s", d->d_name, line);
				(*errors)++;
				continue;
			}
			if (sscanf(line, "%c %47s", &kind, id) != 2)
				continue;
			e = lookup(id, 1);
			if (!e)
				break;
			switch (kind) {
			case 'c': e->st |= S_TRIED; break;
			case 'C': e->st |= S_TRIED | S_ACKED; break;
			case 'd': e->st |= S_DTRIED; break;
			case 'D': e->st |= S_DTRIED | S_DESTROYED; break;
			}
		}
		fclose(fp);
	}
	closedir(dp);
	return 0;
}

static CK_FUNCTION_LIST_PTR f;
static CK_SESSION_HANDLE s;

static void session(void)
{
	CK_SLOT_ID slot;

	f = p_init();
	if (!f)
		exit(1);
	slot = p_slot(f);
	if (slot == (CK_SLOT_ID)-1)
		exit(1);
	s = p_user_session(f, slot);
	if (!s)
		exit(1);
}

static CK_OBJECT_HANDLE find_id(const char *id)
{
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_ID, (void *)id, strlen(id) },
	};
	CK_OBJECT_HANDLE h[2];
	CK_ULONG n = 0;
	CK_RV rv;

	rv = f->C_FindObjectsInit(s, t, 2);
	if (rv != CKR_OK)
		die("C_FindObjectsInit", rv);
	rv = f->C_FindObjects(s, h, 2, &n);
	if (rv != CKR_OK)
		die("C_FindObjects", rv);
	rv = f->C_FindObjectsFinal(s);
	if (rv != CKR_OK)
		die("C_FindObjectsFinal", rv);
	if (n > 1) {
		fprintf(stderr, "khsm_powercut: two objects with CKA_ID %s\n", id);
		return CK_INVALID_HANDLE;
	}
	return n ? h[0] : CK_INVALID_HANDLE;
}

static CK_RV create(const char *id, int generate)
{
	static const unsigned char value[32] = "khsm power cut test key 32 bytes";
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_AES;
	CK_BBOOL yes = CK_TRUE;
	CK_ULONG len = sizeof(value);
	CK_MECHANISM m = { CKM_AES_KEY_GEN, NULL, 0 };
	CK_ATTRIBUTE t[] = {
		{ CKA_TOKEN, &yes, 1 },
		{ CKA_PRIVATE, &yes, 1 },
		{ CKA_ENCRYPT, &yes, 1 },
		{ CKA_ID, (void *)id, strlen(id) },
		{ CKA_LABEL, (void *)id, strlen(id) },
		{ CKA_VALUE_LEN, &len, sizeof(len) },	/* C_GenerateKey */
		{ CKA_CLASS, &cls, sizeof(cls) },	/* C_CreateObject */
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_VALUE, (void *)value, sizeof(value) },
	};
	CK_OBJECT_HANDLE h;

	if (generate)
		return f->C_GenerateKey(s, &m, t, 6, &h);
	t[5] = t[8];
	return f->C_CreateObject(s, t, 8, &h);
}

static int work(const char *dir, const char *proc, const char *tag)
{
	char path[4096], name[64], id[ID_LEN];
	unsigned long seq = 0;
	size_t i, n_live;
	int errors = 0, started = 0;
	size_t *live = NULL;
	CK_RV rv;

	snprintf(name, sizeof(name), "p%s.log", proc);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (log_fd < 0) {
		fprintf(stderr, "khsm_powercut: open %s: %s\n", path, strerror(errno));
		return 1;
	}
	/* The objects of earlier boots that this process may destroy. */
	if (read_logs(dir, name, &errors))
		return 1;
	live = calloc(MAX_IDS, sizeof(*live));
	if (!live)
		return 1;
	srandom(getpid() ^ (unsigned int)p_now());
	session();
	for (;;) {
		n_live = 0;
		for (i = 0; i < n_ents; i++)
			if ((ents[i].st & S_ACKED) && !(ents[i].st & S_DTRIED))
				live[n_live++] = i;
		/* Grow to about 24 live objects per process, then churn. */
		if (n_live && random() % 100 < (n_live > 24 ? 70 : 30)) {
			struct ent *e = &ents[live[random() % n_live]];
			CK_OBJECT_HANDLE h = find_id(e->id);

			if (h == CK_INVALID_HANDLE)
				die("acknowledged object not found before destroy", 0);
			log_line('d', e->id);
			e->st |= S_DTRIED;
			rv = f->C_DestroyObject(s, h);
			if (rv != CKR_OK)
				die("C_DestroyObject", rv);
			log_line('D', e->id);
			e->st |= S_DESTROYED;
			continue;
		}
		snprintf(id, sizeof(id), "%s-%s-%lu", proc, tag, seq++);
		struct ent *e = lookup(id, 1);

		if (!e)
			die("too many objects", 0);
		log_line('c', id);
		e->st |= S_TRIED;
		rv = create(id, seq & 1);
		if (rv != CKR_OK)
			die(seq & 1 ? "C_GenerateKey" : "C_CreateObject", rv);
		log_line('C', id);
		e->st |= S_ACKED;
		if (!started++) {
			printf("started\n");
			fflush(stdout);
		}
	}
}

static int tap_n, tap_fail;

static void tap(int ok, const char *what)
{
	printf("%s %d - %s\n", ok ? "ok" : "not ok", ++tap_n, what);
	if (!ok)
		tap_fail++;
}

static int check(const char *dir)
{
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_TOKEN, &yes, 1 },
	};
	CK_OBJECT_HANDLE h[256];
	CK_ULONG n, k;
	size_t i, acked = 0, gone = 0, either = 0, present = 0;
	size_t lost = 0, back = 0, unknown = 0, dups = 0;
	int errors = 0;
	char msg[256];
	CK_RV rv;

	if (read_logs(dir, NULL, &errors))
		return 1;
	session();
	rv = f->C_FindObjectsInit(s, t, 2);
	if (rv != CKR_OK)
		die("C_FindObjectsInit", rv);
	do {
		rv = f->C_FindObjects(s, h, 256, &n);
		if (rv != CKR_OK)
			die("C_FindObjects", rv);
		for (k = 0; k < n; k++) {
			char id[ID_LEN] = "";
			CK_ATTRIBUTE a = { CKA_ID, id, sizeof(id) - 1 };
			struct ent *e;

			rv = f->C_GetAttributeValue(s, h[k], &a, 1);
			if (rv != CKR_OK)
				die("C_GetAttributeValue(CKA_ID)", rv);
			id[a.ulValueLen < ID_LEN ? a.ulValueLen : ID_LEN - 1] = 0;
			present++;
			e = lookup(id, 0);
			if (!e) {
				printf("# present but never created: '%s'\n", id);
				unknown++;
				continue;
			}
			if (e->st & S_PRESENT)
				dups++;
			e->st |= S_PRESENT;
		}
	} while (n == 256);
	f->C_FindObjectsFinal(s);

	for (i = 0; i < n_ents; i++) {
		unsigned int st = ents[i].st;

		if (st & S_DESTROYED) {
			gone++;
			if (st & S_PRESENT) {
				printf("# destroyed (acknowledged) but present: %s\n", ents[i].id);
				back++;
			}
		} else if ((st & S_ACKED) && !(st & S_DTRIED)) {
			acked++;
			if (!(st & S_PRESENT)) {
				printf("# created (acknowledged) but missing: %s\n", ents[i].id);
				lost++;
			}
		} else {
			either++;
		}
	}
	printf("# logs: %zu ids, %zu acknowledged live, %zu acknowledged destroyed, "
	       "%zu in flight at a cut (either way); token: %zu objects\n",
	       n_ents, acked, gone, either, present);
	snprintf(msg, sizeof(msg), "all %zu acknowledged objects present", acked);
	tap(lost == 0, msg);
	snprintf(msg, sizeof(msg), "none of the %zu acknowledged destroyed objects present", gone);
	tap(back == 0, msg);
	tap(unknown == 0 && dups == 0, "every object on the token was created by the workload, once");
	tap(errors == 0, "the workload logged no unexpected error");
	printf("1..%d\n", tap_n);
	f->C_Finalize(NULL);
	return tap_fail ? 1 : 0;
}

int main(int argc, char **argv)
{
	ents = calloc(MAX_IDS, sizeof(*ents));
	slots = calloc(HASH_SLOTS, sizeof(*slots));
	if (!ents || !slots)
		return 1;
	if (argc == 2 && !strcmp(argv[1], "init")) {
		f = p_init();
		if (!f)
			return 1;
		return p_reset_token(f, p_slot(f)) == CKR_OK ? 0 : 1;
	}
	if (argc == 5 && !strcmp(argv[1], "work"))
		return work(argv[2], argv[3], argv[4]);
	if (argc == 3 && !strcmp(argv[1], "check"))
		return check(argv[2]);
	fprintf(stderr, "usage: khsm_powercut init | work LOGDIR PROC TAG | check LOGDIR\n");
	return 2;
}
