// SPDX-License-Identifier: GPL-2.0
/*
 * Abuse of the "khsm" key type (kmod/keytype.c) through libkeyutils, as
 * root and as other users: the patterns of LTP's keyctl02 (revoke racing
 * read, update and sign on one key from several threads), keyctl05
 * (update with bad payloads), keyctl07 (read of a negative or revoked
 * key) and add_key02 (add_key with bad, NULL and huge payloads), applied
 * to the khsm type; a member's link, unlink, setperm, chown, chgrp of a
 * token key are refused, and even root's setperm/chown/link cannot give a
 * user outside the token's group pkey access; request_key of the type
 * never reaches a token key; a member may invalidate a key (the object
 * stays usable); a process signs with keyctl_pkey_sign in a loop while
 * another destroys the object through PKCS#11, or revokes the key: the
 * loop ends with EKEYREVOKED, EACCES or ENOKEY, no oops (the VM's dmesg
 * check catches oopses and KASAN reports).
 */
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <keyutils.h>

#include "kselftest_harness.h"
#include "p11_util.h"

#define KR_USE		0xcb480001UL	/* CKA_KHSM_KEYRING_USE */
#define ENC		"enc=x962 hash=sha256"

static CK_BBOOL yes = CK_TRUE;

/* The khsm key of the token keyring "khsm:hsm0" whose description has @sub. */
static key_serial_t find_key(const char *sub)
{
	key_serial_t ring, *keys = NULL, found = 0;
	char line[32], *desc;
	long n, i;
	FILE *fp;

	fp = fopen("/sys/module/khsm/parameters/keyring", "r");
	if (!fp)
		return 0;
	if (!fgets(line, sizeof(line), fp))
		line[0] = 0;
	fclose(fp);
	ring = keyctl_search(atoi(line), "keyring", "khsm:hsm0", 0);
	if (ring < 0)
		return 0;
	n = keyctl_read_alloc(ring, (void **)&keys);
	for (i = 0; i < n / (long)sizeof(*keys); i++) {
		desc = NULL;
		if (keyctl_describe_alloc(keys[i], &desc) > 0 &&
		    !strncmp(desc, "khsm;", 5) && strstr(desc, sub))
			found = keys[i];
		free(desc);
	}
	free(keys);
	return found;
}

static key_serial_t token_ring(void)
{
	char line[32] = "";
	FILE *fp = fopen("/sys/module/khsm/parameters/keyring", "r");

	if (!fp)
		return -1;
	if (!fgets(line, sizeof(line), fp))
		line[0] = 0;
	fclose(fp);
	return keyctl_search(atoi(line), "keyring", "khsm:hsm0", 0);
}

static CK_RV gen_ec(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		    const char *label, CK_OBJECT_HANDLE *pub,
		    CK_OBJECT_HANDLE *priv)
{
	CK_MECHANISM m = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_ATTRIBUTE pt[] = {
		{ CKA_TOKEN, &yes, 1 },
		{ CKA_VERIFY, &yes, 1 },
		{ CKA_EC_PARAMS, (void *)p_p256_oid, sizeof(p_p256_oid) },
		{ CKA_LABEL, (void *)label, strlen(label) },
		{ KR_USE, &yes, 1 },
	};
	CK_ATTRIBUTE kt[] = {
		{ CKA_TOKEN, &yes, 1 },
		{ CKA_SIGN, &yes, 1 },
		{ CKA_SENSITIVE, &yes, 1 },
		{ CKA_PRIVATE, &yes, 1 },
		{ CKA_LABEL, (void *)label, strlen(label) },
		{ KR_USE, &yes, 1 },
	};

	return f->C_GenerateKeyPair(s, &m, pt, 5, kt, 6, pub, priv);
}

/* ":<label>:<cls>:" key of the pair labelled @label. */
static key_serial_t key_of(const char *label, const char *cls)
{
	char sub[128];

	snprintf(sub, sizeof(sub), ":%s:%s:", label, cls);
	return find_key(sub);
}

static unsigned char dgst[32] = { 0x11, 0x22, 0x33 };

/* ECDSA P-256 (the buffer may not exceed the key's max_sig_size, 72). */
static long sign(key_serial_t k)
{
	unsigned char sig[72];

	return keyctl_pkey_sign(k, ENC, dgst, sizeof(dgst), sig, sizeof(sig));
}

/*
 * Run @fn in a child with the credentials of @user (NULL: nobody, no
 * groups) and a session keyring of its own; its return value is the
 * child's exit status (0: its checks passed; it prints what failed).
 */
static int as_user(const char *user, int (*fn)(void *), void *arg)
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct passwd *pw = user ? getpwnam(user) : NULL;
		uid_t uid = pw ? pw->pw_uid : 65534;
		gid_t gid = pw ? pw->pw_gid : 65534;

		if (user && !pw)
			_exit(100);
		if ((pw ? initgroups(user, gid) : setgroups(0, NULL)) ||
		    setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
			_exit(101);
		if (keyctl_join_session_keyring(NULL) < 0)
			_exit(102);
		_exit(fn(arg));
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* In a child: count a failed expectation. */
#define CK(cond) do {							\
	if (!(cond)) {							\
		fprintf(stderr, "# %s:%d: %s failed (errno %s)\n",	\
			__func__, __LINE__, #cond, strerror(errno));	\
		bad++;							\
	}								\
} while (0)

struct keys {
	key_serial_t pub, priv, ring;
};

/* A token-group member: uses the key, cannot pass it on. */
static int member_refused(void *arg)
{
	const struct keys *k = arg;
	char *before = NULL, *after = NULL;
	int bad = 0;

	CK(keyctl_describe_alloc(k->priv, &before) > 0);
	CK(sign(k->priv) > 0);
	errno = 0;
	CK(keyctl_link(k->priv, KEY_SPEC_PROCESS_KEYRING) == -1 &&
	   errno == EACCES);
	errno = 0;
	CK(keyctl_link(k->priv, KEY_SPEC_USER_KEYRING) == -1 &&
	   errno == EACCES);
	errno = 0;
	CK(keyctl_link(k->ring, KEY_SPEC_SESSION_KEYRING) == -1 &&
	   errno == EACCES);
	errno = 0;
	CK(keyctl_unlink(k->priv, k->ring) == -1 && errno == EACCES);
	errno = 0;
	CK(keyctl_setperm(k->priv, 0x3f3f3f3f) == -1 && errno == EACCES);
	errno = 0;
	CK(keyctl_chown(k->priv, getuid(), -1) == -1 && errno == EACCES);
	errno = 0;
	CK(keyctl_chown(k->priv, -1, getgid()) == -1 && errno == EACCES);
	errno = 0;
	CK(keyctl_revoke(k->priv) == -1 && errno == EACCES);
	errno = 0;
	CK(keyctl_clear(k->ring) == -1 && errno == EACCES);
	errno = 0;
	CK(keyctl_set_timeout(k->priv, 1) == -1 && errno == EACCES);
	errno = 0;
	CK(keyctl_update(k->priv, "x", 1) == -1 && errno == EACCES);
	errno = 0;
	CK(keyctl_invalidate(k->ring) == -1);
	errno = 0;
	CK(keyctl_move(k->priv, k->ring, KEY_SPEC_PROCESS_KEYRING, 0) == -1);
	CK(keyctl_describe_alloc(k->priv, &after) > 0);
	CK(before && after && !strcmp(before, after));
	CK(sign(k->priv) > 0);
	free(before);
	free(after);
	return bad;
}

/* Outside the token's group: no use, no read, whatever the key's perms. */
static int outsider_refused(void *arg)
{
	const struct keys *k = arg;
	unsigned char buf[256];
	int bad = 0;

	errno = 0;
	CK(sign(k->priv) == -1 && errno == EACCES);
	errno = 0;
	CK(keyctl_read(k->priv, (char *)buf, sizeof(buf)) == -1 &&
	   errno == EACCES);
	errno = 0;
	CK(keyctl_pkey_verify(k->pub, ENC, dgst, sizeof(dgst), buf, 64) == -1 &&
	   errno == EACCES);
	/* the token keyring: nothing to find there */
	errno = 0;
	CK(keyctl_search(k->ring, "khsm", "x", 0) == -1);
	return bad;
}

/* ... and, with the key's own perms, cannot even invalidate it. */
static int outsider_first(void *arg)
{
	const struct keys *k = arg;
	int bad = outsider_refused(arg);

	errno = 0;
	CK(keyctl_invalidate(k->priv) == -1 && errno == EACCES);
	errno = 0;
	CK(keyctl_link(k->priv, KEY_SPEC_SESSION_KEYRING) == -1 &&
	   errno == EACCES);
	return bad;
}

/* With the key's perms opened by root: linking works, using does not. */
static int outsider_opened(void *arg)
{
	const struct keys *k = arg;
	unsigned char buf[256];
	int bad = 0;

	CK(keyctl_link(k->priv, KEY_SPEC_SESSION_KEYRING) == 0);
	errno = 0;
	CK(sign(k->priv) == -1 && errno == EACCES);
	errno = 0;
	CK(keyctl_read(k->priv, (char *)buf, sizeof(buf)) == -1 &&
	   errno == EACCES);
	/* a key the outsider now owns: still no use */
	return bad;
}

static int member_invalidates(void *arg)
{
	const struct keys *k = arg;
	int bad = 0;

	CK(keyctl_invalidate(k->pub) == 0);
	return bad;
}

FIXTURE(ab) {
	CK_FUNCTION_LIST_PTR f;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
};

FIXTURE_SETUP(ab)
{
	P_SETUP_USER_SESSION(self);
}

FIXTURE_TEARDOWN(ab)
{
	P_TEARDOWN(self);
}

/* add_key02 and keyctl05: no payload makes or changes a key of the type. */
TEST_F(ab, bad_payloads)
{
	static const size_t sizes[] = { 0, 1, 8, 15, 16, 17, 24, 4096, 32767,
					65536 };
	CK_OBJECT_HANDLE pub, priv;
	unsigned char ref[256], got[256];
	key_serial_t kpub, kpriv, ring;
	char *desc = NULL, *d;
	unsigned char *big;
	long rl, n;
	size_t i;

	ASSERT_EQ(CKR_OK, gen_ec(self->f, self->s, "ab-pay", &pub, &priv));
	kpub = key_of("ab-pay", "pub");
	kpriv = key_of("ab-pay", "priv");
	ring = token_ring();
	ASSERT_LT(0, kpub);
	ASSERT_LT(0, kpriv);
	ASSERT_LT(0, ring);
	rl = keyctl_read(kpub, (char *)ref, sizeof(ref));
	ASSERT_EQ(91, rl);
	ASSERT_LT(0, keyctl_describe_alloc(kpub, &desc));
	d = strrchr(desc, ';') + 1;
	big = malloc(1 << 20);
	ASSERT_NE(NULL, big);
	memset(big, 0xa5, 1 << 20);

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		/* add_key: new key, the token key's own description, the
		 * token keyring as destination */
		errno = 0;
		EXPECT_EQ(-1, add_key("khsm", "ab-x", sizes[i] ? big : NULL,
				      sizes[i], KEY_SPEC_PROCESS_KEYRING));
		EXPECT_EQ(EPERM, errno) TH_LOG("add_key %zu bytes", sizes[i]);
		errno = 0;
		EXPECT_EQ(-1, add_key("khsm", d, big, sizes[i],
				      KEY_SPEC_SESSION_KEYRING));
		EXPECT_EQ(EPERM, errno);
		errno = 0;
		EXPECT_EQ(-1, add_key("khsm", d, big, sizes[i], ring));
		EXPECT_EQ(EACCES, errno);
		/* keyctl05: update with any payload */
		errno = 0;
		EXPECT_EQ(-1, keyctl_update(kpub, sizes[i] ? big : NULL,
					    sizes[i]));
		EXPECT_TRUE(errno == EACCES || errno == EOPNOTSUPP ||
			    errno == EINVAL)
			TH_LOG("update %zu bytes: %s", sizes[i], strerror(errno));
	}
	/* NULL or a bad pointer with a length; over the 1 MiB limit */
	errno = 0;
	EXPECT_EQ(-1, add_key("khsm", "ab-x", NULL, 16, KEY_SPEC_PROCESS_KEYRING));
	EXPECT_EQ(EFAULT, errno);
	errno = 0;
	EXPECT_EQ(-1, add_key("khsm", "ab-x", (void *)1, 16,
			      KEY_SPEC_PROCESS_KEYRING));
	EXPECT_EQ(EFAULT, errno);
	errno = 0;
	EXPECT_EQ(-1, add_key("khsm", "ab-x", big, 1 << 20,
			      KEY_SPEC_PROCESS_KEYRING));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, add_key("khsm", NULL, big, 16, KEY_SPEC_PROCESS_KEYRING));
	EXPECT_TRUE(errno == EPERM || errno == EINVAL);
	errno = 0;
	EXPECT_EQ(-1, keyctl_update(kpub, NULL, 16));
	EXPECT_NE(0, errno);
	errno = 0;
	EXPECT_EQ(-1, keyctl_instantiate(kpub, big, 16, 0));
	EXPECT_NE(0, errno);
	errno = 0;
	EXPECT_EQ(-1, keyctl_negate(kpub, 1, 0));
	EXPECT_NE(0, errno);
	/* the key is what it was, and still works */
	n = keyctl_read(kpub, (char *)got, sizeof(got));
	EXPECT_EQ(rl, n);
	EXPECT_EQ(0, memcmp(ref, got, rl));
	EXPECT_LT(0, sign(kpriv));
	free(big);
	free(desc);
}

/*
 * keyctl07 and request_key: a requested key of the type is at most a
 * negative key (the type refuses every instantiation), never a token key,
 * and nothing reads, signs or updates with it; revoked, it reads
 * EKEYREVOKED.
 */
TEST_F(ab, negative_and_request_key)
{
	CK_OBJECT_HANDLE pub, priv;
	key_serial_t kpriv, ring, neg = 0, *keys = NULL;
	unsigned char buf[256];
	char *desc = NULL, *d;
	long n, i;

	ASSERT_EQ(CKR_OK, gen_ec(self->f, self->s, "ab-neg", &pub, &priv));
	kpriv = key_of("ab-neg", "priv");
	ring = token_ring();
	ASSERT_LT(0, kpriv);
	ASSERT_LT(0, keyctl_describe_alloc(kpriv, &desc));
	d = strrchr(desc, ';') + 1;

	/* the token key's own description: not found (not in our keyrings) */
	errno = 0;
	EXPECT_EQ(-1, request_key("khsm", d, NULL, 0));
	EXPECT_EQ(ENOKEY, errno);
	/* nor can root put the token keyring where request_key looks */
	errno = 0;
	EXPECT_EQ(-1, keyctl_link(ring, KEY_SPEC_SESSION_KEYRING));
	EXPECT_EQ(EACCES, errno);
	errno = 0;
	EXPECT_EQ(-1, keyctl_link(kpriv, KEY_SPEC_SESSION_KEYRING));
	EXPECT_EQ(EACCES, errno);

	/* with a callout: /sbin/request-key cannot instantiate it */
	errno = 0;
	EXPECT_EQ(-1, request_key("khsm", d, "callout", KEY_SPEC_PROCESS_KEYRING));
	EXPECT_NE(0, errno);
	n = keyctl_read_alloc(KEY_SPEC_PROCESS_KEYRING, (void **)&keys);
	for (i = 0; i < n / (long)sizeof(*keys); i++) {
		char *kd = NULL;

		if (keyctl_describe_alloc(keys[i], &kd) > 0 &&
		    !strncmp(kd, "khsm;", 5))
			neg = keys[i];
		free(kd);
	}
	free(keys);
	if (!neg) {
		TH_LOG("no negative key was left (request-key refused it)");
	} else {
		EXPECT_NE(kpriv, neg);
		errno = 0;
		EXPECT_EQ(-1, keyctl_read(neg, (char *)buf, sizeof(buf)));
		EXPECT_TRUE(errno == ENOKEY || errno == EKEYREJECTED)
			TH_LOG("read of the negative key: %s", strerror(errno));
		errno = 0;
		EXPECT_EQ(-1, sign(neg));
		EXPECT_NE(0, errno);
		errno = 0;
		EXPECT_EQ(-1, keyctl_pkey_query(neg, ENC,
						(struct keyctl_pkey_query *)buf));
		EXPECT_NE(0, errno);
		errno = 0;
		EXPECT_EQ(-1, keyctl_update(neg, "x", 1));
		EXPECT_NE(0, errno);
		errno = 0;
		EXPECT_EQ(-1, keyctl_instantiate(neg, buf, 16, 0));
		EXPECT_NE(0, errno);
		/* revoking a negative key: ENOKEY, or revoked it stays */
		errno = 0;
		if (keyctl_revoke(neg) == 0) {
			errno = 0;
			EXPECT_EQ(-1, keyctl_read(neg, (char *)buf, sizeof(buf)));
			EXPECT_EQ(EKEYREVOKED, errno);
		} else {
			EXPECT_EQ(ENOKEY, errno);
		}
	}
	/* the token key is untouched */
	EXPECT_LT(0, sign(kpriv));
	free(desc);
}

/*
 * link, unlink, setperm, chown, chgrp, revoke, clear, timeout, move by a
 * member: refused. Root opening the key's perms or giving it to a user
 * outside the group does not give him pkey access either: the type checks
 * the caller's group itself. A member may invalidate a key: it leaves the
 * keyring, the object keeps working through PKCS#11.
 */
TEST_F(ab, perms)
{
	CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
	CK_OBJECT_HANDLE pub, priv;
	CK_BYTE sig[80];
	CK_ULONG sl = sizeof(sig);
	struct keys k;
	char *desc = NULL;
	unsigned long perm;
	int gid;

	ASSERT_EQ(CKR_OK, gen_ec(self->f, self->s, "ab-perm", &pub, &priv));
	k.pub = key_of("ab-perm", "pub");
	k.priv = key_of("ab-perm", "priv");
	k.ring = token_ring();
	ASSERT_LT(0, k.priv);
	ASSERT_LT(0, k.ring);
	EXPECT_EQ(0, as_user("hsmuser", member_refused, &k));
	EXPECT_EQ(0, as_user(NULL, outsider_first, &k));

	/* root opens every permission, then gives the key away */
	ASSERT_LT(0, keyctl_describe_alloc(k.priv, &desc));
	ASSERT_EQ(2, sscanf(desc, "khsm;%*d;%d;%lx;", &gid, &perm));
	free(desc);
	ASSERT_EQ(0, keyctl_setperm(k.priv, 0x3f3f3f3f));
	EXPECT_EQ(0, as_user(NULL, outsider_opened, &k));
	/* refused by khsm's own check, not the key's permissions */
	EXPECT_EQ(0, system("dmesg | grep -q 'by uid 65534 (keyring_abuse_r) "
			    "refused: not in the token.s group'"));
	EXPECT_EQ(0, as_user(NULL, outsider_refused, &k));
	EXPECT_EQ(0, keyctl_chown(k.priv, 65534, 65534));
	EXPECT_EQ(0, as_user(NULL, outsider_refused, &k));
	EXPECT_EQ(0, keyctl_chown(k.priv, 0, gid));
	EXPECT_EQ(0, keyctl_setperm(k.priv, (key_perm_t)perm));
	EXPECT_EQ(0, as_user("hsmuser", member_refused, &k));
	/* the member still signs; PKCS#11 is unaffected */
	EXPECT_LT(0, sign(k.priv));

	/* invalidate by a member: gone from the keyring, object fine */
	EXPECT_EQ(0, as_user("hsmuser", member_invalidates, &k));
	usleep(200000);
	EXPECT_EQ(0, key_of("ab-perm", "pub"));
	ASSERT_EQ(CKR_OK, self->f->C_SignInit(self->s, &ecdsa, priv));
	EXPECT_EQ(CKR_OK, self->f->C_Sign(self->s, dgst, 32, sig, &sl));
	EXPECT_EQ(CKR_OK, self->f->C_DestroyObject(self->s, pub));
	EXPECT_EQ(CKR_OK, self->f->C_DestroyObject(self->s, priv));
	errno = 0;
	EXPECT_EQ(-1, sign(k.priv));
	EXPECT_TRUE(errno == EKEYREVOKED || errno == ENOKEY)
		TH_LOG("sign after destroy: %s", strerror(errno));
}

/* keyctl02: threads read, update and sign one key pair; one revokes. */
struct race {
	key_serial_t pub, priv;
	volatile int stop;
	int reads, signs, bad;
	int last_sign_errno;
};

static void *race_read(void *arg)
{
	struct race *r = arg;
	unsigned char buf[256];
	long n;

	while (!r->stop) {
		n = keyctl_read(r->pub, (char *)buf, sizeof(buf));
		if (n == 91)
			__atomic_add_fetch(&r->reads, 1, __ATOMIC_RELAXED);
		else if (n != -1 || errno != EKEYREVOKED)
			__atomic_add_fetch(&r->bad, 1, __ATOMIC_RELAXED);
		else
			break;
	}
	return NULL;
}

static void *race_update(void *arg)
{
	struct race *r = arg;

	while (!r->stop) {
		if (keyctl_update(r->pub, "0123456789abcdef", 16) != -1 ||
		    (errno != EACCES && errno != EOPNOTSUPP &&
		     errno != EKEYREVOKED))
			__atomic_add_fetch(&r->bad, 1, __ATOMIC_RELAXED);
		if (keyctl_update(r->priv, NULL, 0) != -1)
			__atomic_add_fetch(&r->bad, 1, __ATOMIC_RELAXED);
		usleep(1000);
	}
	return NULL;
}

static void *race_sign(void *arg)
{
	struct race *r = arg;

	while (!r->stop) {
		if (sign(r->priv) > 0) {
			__atomic_add_fetch(&r->signs, 1, __ATOMIC_RELAXED);
			continue;
		}
		r->last_sign_errno = errno;
		if (errno != EKEYREVOKED)
			__atomic_add_fetch(&r->bad, 1, __ATOMIC_RELAXED);
		break;
	}
	return NULL;
}

TEST_F_TIMEOUT(ab, revoke_race_threads, 120)
{
	CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
	CK_OBJECT_HANDLE pub, priv;
	struct race r = { 0 };
	pthread_t t[5];
	int i;

	ASSERT_EQ(CKR_OK, gen_ec(self->f, self->s, "ab-race", &pub, &priv));
	r.pub = key_of("ab-race", "pub");
	r.priv = key_of("ab-race", "priv");
	ASSERT_LT(0, r.pub);
	ASSERT_LT(0, r.priv);
	ASSERT_EQ(0, pthread_create(&t[0], NULL, race_read, &r));
	ASSERT_EQ(0, pthread_create(&t[1], NULL, race_read, &r));
	ASSERT_EQ(0, pthread_create(&t[2], NULL, race_update, &r));
	ASSERT_EQ(0, pthread_create(&t[3], NULL, race_sign, &r));
	ASSERT_EQ(0, pthread_create(&t[4], NULL, race_sign, &r));
	for (i = 0; i < 200 && (__atomic_load_n(&r.signs, __ATOMIC_RELAXED) < 4 ||
				__atomic_load_n(&r.reads, __ATOMIC_RELAXED) < 4);
	     i++)
		usleep(50000);
	EXPECT_EQ(0, keyctl_revoke(r.priv));
	EXPECT_EQ(0, keyctl_revoke(r.pub));
	/* sign and read loops end by themselves; update is stopped */
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_join(t[3], NULL);
	pthread_join(t[4], NULL);
	r.stop = 1;
	pthread_join(t[2], NULL);
	TH_LOG("%d reads, %d signs before the revocation", r.reads, r.signs);
	EXPECT_LT(0, r.signs);
	EXPECT_LT(0, r.reads);
	EXPECT_EQ(0, r.bad);
	EXPECT_EQ(EKEYREVOKED, r.last_sign_errno);
	/* both objects are unusable through PKCS#11 now */
	EXPECT_EQ(CKR_KEY_FUNCTION_NOT_PERMITTED,
		  self->f->C_SignInit(self->s, &ecdsa, priv));
	EXPECT_EQ(CKR_KEY_FUNCTION_NOT_PERMITTED,
		  self->f->C_VerifyInit(self->s, &ecdsa, pub));
	EXPECT_EQ(CKR_OK, self->f->C_DestroyObject(self->s, priv));
}

/*
 * A process signs with keyctl_pkey_sign in a loop while this one destroys
 * the object through PKCS#11 (@how 0) or revokes its key (@how 1): the
 * loop ends with EKEYREVOKED, EACCES or ENOKEY.
 */
static void sign_while(struct __test_metadata *_metadata,
		       CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		       const char *label, int how)
{
	CK_OBJECT_HANDLE pub, priv;
	key_serial_t kpriv;
	int *shared, st, i, signs, err;
	pid_t pid;

	ASSERT_EQ(CKR_OK, gen_ec(f, s, label, &pub, &priv));
	kpriv = key_of(label, "priv");
	ASSERT_LT(0, kpriv);
	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, shared);
	shared[0] = shared[1] = 0;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		for (;;) {
			if (sign(kpriv) > 0) {
				__atomic_add_fetch(&shared[0], 1,
						   __ATOMIC_RELAXED);
				continue;
			}
			shared[1] = errno;
			_exit(0);
		}
	}
	for (i = 0; i < 400 && __atomic_load_n(&shared[0], __ATOMIC_RELAXED) < 3;
	     i++)
		usleep(25000);
	if (how == 0) {
		EXPECT_EQ(CKR_OK, f->C_DestroyObject(s, priv));
	} else {
		EXPECT_EQ(0, keyctl_revoke(kpriv));
	}
	for (i = 0; i < 600 && waitpid(pid, &st, WNOHANG) == 0; i++)
		usleep(50000);
	if (i == 600) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	signs = shared[0];
	err = shared[1];
	TH_LOG("%s: %d signatures, then %s", how ? "revoke" : "destroy", signs,
	       strerror(err));
	EXPECT_LT(i, 600);
	EXPECT_LT(0, signs);
	EXPECT_TRUE(err == EKEYREVOKED || err == EACCES || err == ENOKEY);
	errno = 0;
	EXPECT_EQ(-1, sign(kpriv));
	munmap(shared, 4096);
	if (how == 1) {
		EXPECT_EQ(CKR_OK, f->C_DestroyObject(s, priv));
	}
	EXPECT_EQ(CKR_OK, f->C_DestroyObject(s, pub));
}

TEST_F_TIMEOUT(ab, sign_loop_destroy_and_revoke, 120)
{
	sign_while(_metadata, self->f, self->s, "ab-loopd", 0);
	sign_while(_metadata, self->f, self->s, "ab-loopr", 1);
}

TEST_HARNESS_MAIN
