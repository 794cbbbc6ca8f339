// SPDX-License-Identifier: GPL-2.0
/*
 * Races against running operations, each time-bounded (KHSM_RACE_SECS,
 * default 4 s per test). Workers sign (ECDSA P-256, checked by OpenSSL),
 * encrypt (AES-CBC-PAD, compared with OpenSSL) and digest (SHA-256,
 * compared with OpenSSL), single- and multi-part, in a loop while a
 * disruptor closes their sessions, closes all sessions, destroys and
 * recreates the keys, logs the file out (from a forked process sharing
 * the file), closes or replaces the file descriptor, re-initialises the
 * token (from another process), or SIGKILLs processes in the middle of
 * streamed operations and key generation; and processes generate, find,
 * use and destroy token keys at the same time.
 *
 * Every answer must be a success with a correct result or one of the
 * errors each test allows (its race can explain it: ENOENT for a handle
 * that went away, ENOMSG for an operation that ended, EACCES after a
 * logout, EBADF for a closed descriptor, EBUSY for C_InitToken while
 * sessions exist); the token's counters return to where they were; the
 * token still signs afterwards. The kernel log is checked by run-all.sh.
 * The tests log in before they create token objects.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "kselftest_harness.h"
#include "khsm_util.h"
#include "ossl_check.h"

#define RW		(CKF_SERIAL_SESSION | CKF_RW_SESSION)
#define NWORK		3
#define MAX_ALLOWED	8

static const __u8 aes_key[16] = "race-aes-key-128";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double race_secs(void)
{
	const char *v = getenv("KHSM_RACE_SECS");

	return v && *v ? atof(v) : 4.0;
}

static unsigned int rnd32(void)
{
	unsigned int r;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (unsigned int)random();
	return r;
}

static void msleep_rand(unsigned int max_ms)
{
	struct timespec ts = { 0, (long)(rnd32() % (max_ms * 1000 + 1)) * 1000 };

	nanosleep(&ts, NULL);
}

/* ---- shared state: keys the workers use (replaced by some disruptors) --- */
struct keys {
	pthread_mutex_t lock;
	__u32 aes, priv, pub;
	__u8 point[80];
	__u64 plen;
};

/*
 * Results, in memory shared with forked processes. A wrong result or an
 * errno the test does not allow is "bad" and fails the test.
 */
struct tally {
	atomic_long ok, allowed, bad;
	atomic_int stop;
	char why[256];
	atomic_int why_set;
};

static struct tally *tally_new(void)
{
	struct tally *t = mmap(NULL, sizeof(*t), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (t == MAP_FAILED)
		return NULL;
	memset(t, 0, sizeof(*t));
	return t;
}

static void bad(struct tally *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void bad(struct tally *t, const char *fmt, ...)
{
	va_list ap;

	atomic_fetch_add(&t->bad, 1);
	if (atomic_exchange(&t->why_set, 1))
		return;
	va_start(ap, fmt);
	vsnprintf(t->why, sizeof(t->why), fmt, ap);
	va_end(ap);
}

/* What one worker does; @allowed: the errnos its race may produce. */
struct worker {
	struct tally *t;
	struct keys *k;
	atomic_int *fd;			/* the descriptor, shared */
	atomic_uint sess;		/* its current session (0: open one) */
	int allowed[MAX_ALLOWED];
	int kind;			/* 0 sign, 1 encrypt, 2 digest, 3 mixed */
	int login;			/* log in when an init says not logged in */
	int no_stream;
};

static int allowed(const struct worker *w, int err)
{
	for (int i = 0; i < MAX_ALLOWED && w->allowed[i]; i++)
		if (w->allowed[i] == err)
			return 1;
	return 0;
}

static void snapshot(struct keys *k, struct keys *out)
{
	pthread_mutex_lock(&k->lock);
	out->aes = k->aes;
	out->priv = k->priv;
	out->pub = k->pub;
	memcpy(out->point, k->point, sizeof(out->point));
	out->plen = k->plen;
	pthread_mutex_unlock(&k->lock);
}

/* One data step; returns the errno. */
static int step(int fd, __u32 s, __u32 op, __u32 st, const void *in, size_t len,
		void *out, __u64 *out_len)
{
	__u32 rv;

	return t_op_data(fd, s, op, st, in, len, out, out_len, &rv);
}

/*
 * One checked operation. Returns 0 for a correct result, the errno of the
 * step that failed, or -1 for a wrong result (@why says which).
 */
static int one_op(int fd, __u32 s, int kind, const struct keys *k, char *why,
		  size_t whylen, int stream)
{
	__u8 msg[300], out[400], want[400], iv[16];
	__u64 len = sizeof(out);
	size_t mlen = 1 + rnd32() % sizeof(msg);
	int multi = rnd32() & 1, err, n;
	__u32 rv, op;
	unsigned int wl;

	if (getrandom(msg, sizeof(msg), 0) != sizeof(msg) ||
	    getrandom(iv, sizeof(iv), 0) != sizeof(iv))
		return -1;
	switch (kind) {
	case 0:
		op = KHSM_OP_SIGN;
		err = t_op_init(fd, s, op, CKM_ECDSA_SHA256, k->priv, NULL, 0, &rv);
		break;
	case 1:
		op = KHSM_OP_ENCRYPT;
		err = t_op_init(fd, s, op, CKM_AES_CBC_PAD, k->aes, iv, 16, &rv);
		break;
	default:
		op = KHSM_OP_DIGEST;
		err = t_op_init(fd, s, op, CKM_SHA256, 0, NULL, 0, &rv);
		break;
	}
	if (err)
		return err;
	if (kind == 2 && stream) {
		/* a streamed digest of 1 MiB: long enough to be interrupted */
		static __u8 big[1 << 20];

		len = 32;
		err = step(fd, s, op, KHSM_DATA_ONESHOT, big, sizeof(big), out, &len);
		if (err)
			goto fail;
		if (EVP_Digest(big, sizeof(big), want, &wl, EVP_sha256(), NULL) != 1 ||
		    len != 32 || memcmp(out, want, 32)) {
			snprintf(why, whylen, "streamed SHA-256 differs from OpenSSL");
			return -1;
		}
		return 0;
	}
	if (multi) {
		/* real output buffers on every step: no length queries */
		__u64 l0 = sizeof(out), l1, done;

		err = step(fd, s, op, KHSM_DATA_UPDATE, msg, mlen / 2, out, &l0);
		if (err)
			goto fail;
		done = kind == 1 ? l0 : 0;
		l1 = sizeof(out) - done;
		err = step(fd, s, op, KHSM_DATA_UPDATE, msg + mlen / 2, mlen - mlen / 2,
			   out + done, &l1);
		if (err)
			goto fail;
		done += kind == 1 ? l1 : 0;
		len = sizeof(out) - done;
		err = step(fd, s, op, KHSM_DATA_FINAL, NULL, 0, out + done, &len);
		if (err)
			goto fail;
		len += done;
	} else {
		err = step(fd, s, op, KHSM_DATA_ONESHOT, msg, mlen, out, &len);
		if (err)
			goto fail;
	}
	switch (kind) {
	case 0:
		if (len != 64 || ossl_p256_verify(k->point, k->plen, msg, mlen, out, len,
						  "SHA256") != 1) {
			snprintf(why, whylen, "signature (%llu bytes, %s) rejected by OpenSSL",
				 (unsigned long long)len, multi ? "multi-part" : "one-shot");
			return -1;
		}
		break;
	case 1:
		n = ossl_cbc(1, aes_key, 16, iv, 1, msg, mlen, want);
		if (n < 0 || (__u64)n != len || memcmp(out, want, n)) {
			snprintf(why, whylen, "AES-CBC-PAD (%s, %zu bytes) differs from OpenSSL",
				 multi ? "multi-part" : "one-shot", mlen);
			return -1;
		}
		break;
	default:
		if (EVP_Digest(msg, mlen, want, &wl, EVP_sha256(), NULL) != 1 ||
		    len != 32 || memcmp(out, want, 32)) {
			snprintf(why, whylen, "SHA-256 differs from OpenSSL");
			return -1;
		}
		break;
	}
	return 0;
fail:
	/* leave no operation behind (it may be gone already) */
	t_op_cancel(fd, s, op);
	return err;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct keys k;
	char why[160];
	__u32 s, rv;
	int fd, err, kind;

	while (!atomic_load(&w->t->stop)) {
		fd = atomic_load(w->fd);
		s = atomic_load(&w->sess);
		if (!s) {
			err = t_open_session(fd, RW, &s, &rv);
			if (err) {
				if (!allowed(w, err))
					bad(w->t, "OPEN_SESSION: errno %d rv 0x%x", err, rv);
				else
					atomic_fetch_add(&w->t->allowed, 1);
				if (err == EBADF)
					msleep_rand(1);
				continue;
			}
			atomic_store(&w->sess, s);
		}
		snapshot(w->k, &k);
		kind = w->kind == 3 ? (int)(rnd32() % 3) : w->kind;
		err = one_op(fd, s, kind, &k, why, sizeof(why),
			     !w->no_stream && kind == 2 && rnd32() % 8 == 0);
		if (!err) {
			atomic_fetch_add(&w->t->ok, 1);
			continue;
		}
		if (err < 0) {
			bad(w->t, "kind %d: %s", kind, why);
			continue;
		}
		if (!allowed(w, err)) {
			bad(w->t, "kind %d: errno %d (%s) is not allowed here", kind, err,
			    strerror(err));
			continue;
		}
		atomic_fetch_add(&w->t->allowed, 1);
		if (err == EBADF)
			msleep_rand(1);	/* until the descriptor is back */
		if (err == ENOENT || err == EBADF) {
			struct khsm_session si;

			T_INIT(si);
			si.session = s;
			if (t_ioctl(fd, KHSM_IOC_SESSION_INFO, &si))
				atomic_compare_exchange_strong(&w->sess, &s, 0);
		}
		/* not logged in (a private key is also invisible then) */
		if ((err == EACCES || err == ENOENT) && w->login && atomic_load(&w->sess))
			t_login(fd, s, CKU_USER, T_USER_PIN, &rv);
	}
	return NULL;
}

static void set_allowed(struct worker *w, const int *a)
{
	for (int i = 0; i < MAX_ALLOWED && a[i]; i++)
		w->allowed[i] = a[i];
}

/* ---- fixture -------------------------------------------------------------- */
FIXTURE(race) {
	int fd;
	__u32 s;
	struct keys k;
	struct tally *t;
	struct khsm_token_info before;
};

/* Token keys for the workers: AES (known value), a P-256 pair (point read). */
static int make_keys(int fd, __u32 s, struct keys *k)
{
	struct t_tmpl t;
	__u32 rv, aes, pub, priv;
	__u64 plen = sizeof(k->point);
	__u8 point[80];

	t_tmpl_aes(&t, aes_key, 16, 1);
	t_add_bool(&t, CKA_PRIVATE, 0);
	if (t_create(fd, s, &t, &aes, &rv))
		return -1;
	if (t_gen_p256(fd, s, 1, &pub, &priv, &rv))
		return -1;
	if (t_get_attr(fd, s, pub, CKA_EC_POINT, point, &plen, &rv))
		return -1;
	pthread_mutex_lock(&k->lock);
	k->aes = aes;
	k->pub = pub;
	k->priv = priv;
	memcpy(k->point, point, plen);
	k->plen = plen;
	pthread_mutex_unlock(&k->lock);
	return 0;
}

FIXTURE_SETUP(race)
{
	self->fd = t_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", t_dev_path(), strerror(errno));
	ASSERT_EQ(0, t_reset_token(self->fd));
	self->s = t_user_session(self->fd);
	ASSERT_NE(0U, self->s);
	pthread_mutex_init(&self->k.lock, NULL);
	ASSERT_EQ(0, make_keys(self->fd, self->s, &self->k));
	self->t = tally_new();
	ASSERT_NE(NULL, self->t);
	ASSERT_EQ(0, t_token_info(self->fd, &self->before));
}

FIXTURE_TEARDOWN(race)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->t)
		munmap(self->t, sizeof(*self->t));
}

/* Start @n workers on @fd; returns after they have been started. */
static void start(struct __test_metadata *_metadata, pthread_t *th,
		  struct worker *w, int n, atomic_int *fd, struct keys *k,
		  struct tally *t, const int *allow, int kind)
{
	for (int i = 0; i < n; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].t = t;
		w[i].k = k;
		w[i].fd = fd;
		w[i].kind = kind < 0 ? i % 3 : kind;
		w[i].login = 1;
		set_allowed(&w[i], allow);
		ASSERT_EQ(0, pthread_create(&th[i], NULL, worker_run, &w[i]));
	}
}

static void stop(pthread_t *th, int n, struct tally *t)
{
	atomic_store(&t->stop, 1);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
}

#define EXPECT_CLEAN(t) do {						\
	TH_LOG("%ld correct, %ld allowed errors, %ld bad",		\
	       atomic_load(&(t)->ok), atomic_load(&(t)->allowed),	\
	       atomic_load(&(t)->bad));					\
	EXPECT_EQ(0, atomic_load(&(t)->bad)) TH_LOG("first: %s", (t)->why); \
	EXPECT_LT(0, atomic_load(&(t)->ok));				\
} while (0)

/* The file still signs, and no session or object is left behind. */
static void token_works(struct __test_metadata *_metadata, int fd, __u32 s,
			struct keys *k, const struct khsm_token_info *before)
{
	struct khsm_token_info after;
	char why[160] = "";
	struct keys snap;

	snapshot(k, &snap);
	ASSERT_EQ(0, one_op(fd, s, 0, &snap, why, sizeof(why), 0)) TH_LOG("%s", why);
	ASSERT_EQ(0, one_op(fd, s, 1, &snap, why, sizeof(why), 0)) TH_LOG("%s", why);
	ASSERT_EQ(0, t_token_info(fd, &after));
	if (before) {
		EXPECT_EQ(before->sessions, after.sessions);
		EXPECT_EQ(before->session_objects, after.session_objects);
		EXPECT_EQ(before->open_files, after.open_files);
		EXPECT_EQ(before->logged_in_files, after.logged_in_files);
	}
}

static void close_worker_sessions(int fd, struct worker *w, int n)
{
	__u32 rv;

	for (int i = 0; i < n; i++) {
		__u32 s = atomic_exchange(&w[i].sess, 0);

		if (s)
			t_close_session(fd, s, &rv);
	}
}

/* close_session_vs_ops: another thread closes the workers' sessions. */
TEST_F_TIMEOUT(race, close_session_vs_ops, 120)
{
	static const int allow[] = { ENOENT, ENOMSG, 0 };
	pthread_t th[NWORK];
	struct worker w[NWORK];
	atomic_int fd = self->fd;
	double end = now() + race_secs();
	long closes = 0;
	__u32 rv;

	start(_metadata, th, w, NWORK, &fd, &self->k, self->t, allow, -1);
	while (now() < end) {
		__u32 s = atomic_load(&w[rnd32() % NWORK].sess);

		msleep_rand(3);
		if (s && !t_close_session(self->fd, s, &rv))
			closes++;
	}
	stop(th, NWORK, self->t);
	TH_LOG("%ld sessions closed under running operations", closes);
	EXPECT_CLEAN(self->t);
	close_worker_sessions(self->fd, w, NWORK);
	token_works(_metadata, self->fd, self->s, &self->k, &self->before);
}

/* close_all_vs_ops: CLOSE_ALL (which also logs the file out) mid-operation. */
TEST_F_TIMEOUT(race, close_all_vs_ops, 120)
{
	static const int allow[] = { ENOENT, ENOMSG, EACCES, 0 };
	pthread_t th[NWORK];
	struct worker w[NWORK];
	atomic_int fd = self->fd;
	double end = now() + race_secs();
	struct khsm_session ca;
	__u32 rv;

	start(_metadata, th, w, NWORK, &fd, &self->k, self->t, allow, -1);
	while (now() < end) {
		msleep_rand(10);
		T_INIT(ca);
		EXPECT_EQ(0, t_ioctl(self->fd, KHSM_IOC_CLOSE_ALL, &ca));
	}
	stop(th, NWORK, self->t);
	EXPECT_CLEAN(self->t);
	close_worker_sessions(self->fd, w, NWORK);
	/* our own session went too */
	self->s = t_user_session(self->fd);
	ASSERT_NE(0U, self->s);
	token_works(_metadata, self->fd, self->s, &self->k, NULL);
	(void)rv;
}

/* destroy_key_vs_ops: keys destroyed (and new ones made) under operations. */
TEST_F_TIMEOUT(race, destroy_key_vs_ops, 120)
{
	static const int allow[] = { ENOENT, ENOMSG, 0 };
	pthread_t th[NWORK];
	struct worker w[NWORK];
	atomic_int fd = self->fd;
	double end = now() + race_secs();
	long rounds = 0;
	__u32 rv;

	start(_metadata, th, w, NWORK, &fd, &self->k, self->t, allow, -1);
	while (now() < end) {
		struct keys old;

		msleep_rand(5);
		snapshot(&self->k, &old);
		ASSERT_EQ(0, make_keys(self->fd, self->s, &self->k));
		EXPECT_EQ(0, t_destroy(self->fd, self->s, old.aes, &rv));
		EXPECT_EQ(0, t_destroy(self->fd, self->s, old.priv, &rv));
		EXPECT_EQ(0, t_destroy(self->fd, self->s, old.pub, &rv));
		rounds++;
	}
	stop(th, NWORK, self->t);
	TH_LOG("%ld key sets destroyed under running operations", rounds);
	EXPECT_CLEAN(self->t);
	close_worker_sessions(self->fd, w, NWORK);
	token_works(_metadata, self->fd, self->s, &self->k, &self->before);
}

/*
 * logout_vs_ops_forked: a forked process shares the file and logs it out
 * and in again while this process's threads sign with the private key.
 */
TEST_F_TIMEOUT(race, logout_vs_ops_forked, 120)
{
	static const int allow[] = { EACCES, ENOENT, ENOMSG, 0 };
	pthread_t th[NWORK];
	struct worker w[NWORK];
	atomic_int fd = self->fd;
	double end = now() + race_secs();
	int status;
	pid_t pid;

	/* forked before the workers exist (see init_token_vs_sessions) */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u32 rv;
		int e;

		while (now() < end) {
			msleep_rand(8);
			e = t_logout(self->fd, self->s, &rv);
			if (e && e != EACCES)
				_exit(1);
			msleep_rand(4);
			e = t_login(self->fd, self->s, CKU_USER, T_USER_PIN, &rv);
			/* a worker may have logged in again first */
			if (e && rv != CKR_USER_ALREADY_LOGGED_IN)
				_exit(2);
		}
		_exit(0);
	}
	start(_metadata, th, w, NWORK, &fd, &self->k, self->t, allow, 0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	stop(th, NWORK, self->t);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("logout/login process: status 0x%x", status);
	EXPECT_CLEAN(self->t);
	close_worker_sessions(self->fd, w, NWORK);
	{
		__u32 rv;

		t_login(self->fd, self->s, CKU_USER, T_USER_PIN, &rv);
	}
	token_works(_metadata, self->fd, self->s, &self->k, &self->before);
}

/*
 * dup2() onto a number that another thread's open() is filling in fails
 * with EBUSY (Linux's dup2(2), NOTES): try again, as the man page says.
 */
static int dup2_busy(int oldfd, int newfd)
{
	int r;

	do
		r = dup2(oldfd, newfd);
	while (r < 0 && errno == EBUSY);
	return r;
}

/*
 * fd_close_vs_ops: the descriptor the workers use is closed, or replaced
 * by a new file with dup2(), while their ioctls run.
 */
TEST_F_TIMEOUT(race, fd_close_vs_ops, 120)
{
	static const int allow[] = { EBADF, ENOENT, ENOMSG, EACCES, 0 };
	pthread_t th[NWORK];
	struct worker w[NWORK];
	int wfd = t_open(), nfd;
	atomic_int fd = wfd;
	double end = now() + race_secs();
	__u32 s;
	long swaps = 0;

	ASSERT_LE(0, wfd);
	s = t_user_session(wfd);
	ASSERT_NE(0U, s);
	/*
	 * While the number is closed, an open() anywhere in this process
	 * takes it, and the dup2() below would then put the token under that
	 * file and the workers' ioctls would reach the other file (ENOTTY).
	 * The workers open nothing themselves, but OpenSSL opens its config
	 * file on first use: do each kind of check once before they start.
	 */
	for (int kind = 0; kind < 3; kind++) {
		char why[160] = "";

		ASSERT_EQ(0, one_op(wfd, s, kind, &self->k, why, sizeof(why), 0))
			TH_LOG("warm-up, kind %d: %s", kind, why);
	}
	start(_metadata, th, w, NWORK, &fd, &self->k, self->t, allow, -1);
	while (now() < end) {
		msleep_rand(6);
		nfd = t_open();
		ASSERT_LE(0, nfd);
		if (rnd32() & 1) {
			/* atomically a different file under the same number */
			ASSERT_EQ(wfd, dup2_busy(nfd, wfd));
			close(nfd);
		} else {
			close(wfd);
			msleep_rand(1);
			ASSERT_EQ(wfd, dup2_busy(nfd, wfd)) TH_LOG("dup2: %s",
								  strerror(errno));
			close(nfd);
		}
		swaps++;
	}
	stop(th, NWORK, self->t);
	close(wfd);
	TH_LOG("%ld descriptors closed or replaced under running operations", swaps);
	EXPECT_CLEAN(self->t);
	token_works(_metadata, self->fd, self->s, &self->k, &self->before);
}

/*
 * init_token_vs_sessions: another process calls C_InitToken in a loop
 * while threads of this one (each with its own file) open sessions,
 * digest and close them. INIT_TOKEN succeeds only when no session exists
 * (else CKR_SESSION_EXISTS); the digests stay correct throughout.
 */
struct churn {
	struct tally *t;
	atomic_int *stop;
};

static void *churner(void *arg)
{
	struct churn *c = arg;
	int fd = t_open();
	char why[160];
	struct keys none = { .plen = 0 };
	__u32 s, rv;
	int err;

	if (fd < 0) {
		bad(c->t, "open: %s", strerror(errno));
		return NULL;
	}
	while (!atomic_load(c->stop)) {
		err = t_open_session(fd, CKF_SERIAL_SESSION, &s, &rv);
		if (err) {
			bad(c->t, "OPEN_SESSION: errno %d rv 0x%x", err, rv);
			continue;
		}
		err = one_op(fd, s, 2, &none, why, sizeof(why), 0);
		if (err < 0)
			bad(c->t, "%s", why);
		else if (err)
			bad(c->t, "digest: errno %d", err);
		else
			atomic_fetch_add(&c->t->ok, 1);
		if (t_find(fd, s, NULL, (__u32[16]){ 0 }, 16) < 0)
			bad(c->t, "FIND failed");
		err = t_close_session(fd, s, &rv);
		if (err)
			bad(c->t, "CLOSE_SESSION: errno %d", err);
		msleep_rand(1);
	}
	close(fd);
	return NULL;
}

TEST_F_TIMEOUT(race, init_token_vs_sessions, 120)
{
	pthread_t th[NWORK];
	struct churn c = { self->t, &self->t->stop };
	double end = now() + race_secs();
	int status, i;
	__u32 rv;
	pid_t pid;

	/* INIT_TOKEN needs the token without sessions: close ours. */
	ASSERT_EQ(0, t_close_session(self->fd, self->s, &rv));
	self->s = 0;
	/*
	 * Fork before the threads exist: a child forked from a threaded
	 * process can inherit a held allocator lock (ASan's is not released
	 * across fork) and hang in its first malloc.
	 */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = t_open(), e;
		long inits = 0, busy = 0;

		if (fd < 0)
			_exit(3);
		while (now() < end) {
			struct khsm_init_token it;

			T_INIT(it);
			memset(it.label, ' ', sizeof(it.label));
			memcpy(it.label, T_LABEL, strlen(T_LABEL));
			t_so_check(fd, &it.so_check, T_SO_PIN);
			t_pin_new(&it.so_new, T_SO_PIN);
			e = t_ioctl(fd, KHSM_IOC_INIT_TOKEN, &it);
			if (!e)
				inits++;
			else if (e == EBUSY && it.rv == CKR_SESSION_EXISTS)
				busy++;
			else
				_exit(1);
		}
		printf("# INIT_TOKEN: %ld done, %ld refused while sessions existed\n",
		       inits, busy);
		fflush(stdout);
		_exit(0);
	}
	for (i = 0; i < NWORK; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, churner, &c));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	atomic_store(&self->t->stop, 1);
	for (i = 0; i < NWORK; i++)
		pthread_join(th[i], NULL);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("INIT_TOKEN process: status 0x%x", status);
	EXPECT_CLEAN(self->t);
	/* The token may have been re-initialised: set it up again. */
	ASSERT_EQ(0, t_reset_token(self->fd));
	self->s = t_user_session(self->fd);
	ASSERT_NE(0U, self->s);
	ASSERT_EQ(0, make_keys(self->fd, self->s, &self->k));
	token_works(_metadata, self->fd, self->s, &self->k, NULL);
}

/*
 * sigkill_during_ops: processes with their own files, logged in, run
 * signs, encryptions, streamed 1 MiB digests, P-256 key generations and
 * finds, and are SIGKILLed at random moments. Nothing they held stays.
 */
static void victim(struct tally *t, struct keys *k)
{
	int fd = t_open(), kind, err;
	__u32 s, pub, priv, rv;
	struct keys snap;
	char why[160];

	if (fd < 0)
		_exit(3);
	s = t_user_session(fd);
	if (!s)
		_exit(4);
	for (;;) {
		if (rnd32() % 4 == 0) {
			/* a key generation and a find of everything */
			if (t_gen_p256(fd, s, 0, &pub, &priv, &rv))
				bad(t, "P-256 keygen rv 0x%x", rv);
			if (t_find(fd, s, NULL, (__u32[64]){ 0 }, 64) < 0)
				bad(t, "FIND failed");
			continue;
		}
		kind = rnd32() % 3;
		snapshot(k, &snap);
		err = one_op(fd, s, kind, &snap, why, sizeof(why),
			     kind == 2 && rnd32() % 3 == 0);
		if (err < 0)
			bad(t, "victim: %s", why);
		else if (err)
			bad(t, "victim kind %d: errno %d", kind, err);
		else
			atomic_fetch_add(&t->ok, 1);
	}
}

TEST_F_TIMEOUT(race, sigkill_during_ops, 120)
{
	double end = now() + race_secs();
	pid_t pids[3] = { 0 };
	long kills = 0;
	int status, i;

	while (now() < end) {
		for (i = 0; i < 3; i++) {
			if (pids[i])
				continue;
			pids[i] = fork();
			ASSERT_LE(0, pids[i]);
			if (pids[i] == 0)
				victim(self->t, &self->k);
		}
		msleep_rand(60);
		i = rnd32() % 3;
		kill(pids[i], SIGKILL);
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			TH_LOG("victim exited by itself: status 0x%x", status);
		pids[i] = 0;
		kills++;
	}
	for (i = 0; i < 3; i++)
		if (pids[i]) {
			kill(pids[i], SIGKILL);
			waitpid(pids[i], &status, 0);
		}
	TH_LOG("%ld processes killed in the middle of operations", kills);
	EXPECT_CLEAN(self->t);
	token_works(_metadata, self->fd, self->s, &self->k, &self->before);
	{
		struct khsm_token_info after;

		ASSERT_EQ(0, t_token_info(self->fd, &after));
		EXPECT_EQ(self->before.token_objects, after.token_objects);
	}
}

/*
 * keygen_find_destroy_procs: one process generates labelled token key
 * pairs, one finds and destroys them, one finds them and signs with
 * them (checked by OpenSSL with the point read back). Handles vanish
 * under the last two: ENOENT is allowed, nothing else.
 */
static const char race_label[] = "race-key";

static int gen_labelled(int fd, __u32 s)
{
	struct t_tmpl pt, kt;
	struct khsm_keygen g;
	__u8 id[8];

	if (getrandom(id, sizeof(id), 0) != sizeof(id))
		return EIO;
	t_tmpl_init(&pt);
	t_add_bytes(&pt, CKA_ID, id, sizeof(id));
	t_add_bool(&pt, CKA_TOKEN, 1);
	t_add_bool(&pt, CKA_VERIFY, 1);
	t_add_bytes(&pt, CKA_LABEL, race_label, strlen(race_label));
	t_add_bytes(&pt, CKA_EC_PARAMS, t_p256_oid, sizeof(t_p256_oid));
	t_tmpl_init(&kt);
	t_add_bytes(&kt, CKA_ID, id, sizeof(id));
	t_add_bool(&kt, CKA_TOKEN, 1);
	t_add_bool(&kt, CKA_SIGN, 1);
	t_add_bool(&kt, CKA_PRIVATE, 1);
	t_add_bytes(&kt, CKA_LABEL, race_label, strlen(race_label));
	T_INIT(g);
	g.session = s;
	g.mechanism = CKM_EC_KEY_PAIR_GEN;
	g.pub_template = (uintptr_t)pt.a;
	g.pub_count = pt.n;
	g.priv_template = (uintptr_t)kt.a;
	g.priv_count = kt.n;
	return t_ioctl(fd, KHSM_IOC_GENERATE_KEY_PAIR, &g);
}

static int find_labelled(int fd, __u32 s, __u64 cls, __u32 *h, __u32 max)
{
	struct t_tmpl t;

	t_tmpl_init(&t);
	t_add_bytes(&t, CKA_LABEL, race_label, strlen(race_label));
	t_add_ulong(&t, CKA_CLASS, cls);
	return t_find(fd, s, &t, h, max);
}

static void kfd_proc(struct tally *t, int role, double end)
{
	int fd = t_open(), n, i, e;
	__u32 s, h[64], rv;

	if (fd < 0 || !(s = t_user_session(fd)))
		_exit(3);
	while (now() < end) {
		switch (role) {
		case 0:
			e = gen_labelled(fd, s);
			if (e)
				bad(t, "keygen: errno %d", e);
			else
				atomic_fetch_add(&t->ok, 1);
			break;
		case 1:
			msleep_rand(5);
			n = find_labelled(fd, s, rnd32() & 1 ? CKO_PRIVATE_KEY : CKO_PUBLIC_KEY,
					  h, 64);
			if (n < 0) {
				bad(t, "find: %d", n);
				break;
			}
			for (i = 0; i < n; i++) {
				e = t_destroy(fd, s, h[i], &rv);
				if (e && e != ENOENT)
					bad(t, "destroy: errno %d rv 0x%x", e, rv);
			}
			break;
		default: {
			__u32 priv[8], pub[2];
			__u8 point[80], msg[32], sig[64], id[8];
			__u64 plen, slen, ilen;
			struct t_tmpl tp;
			int np;

			n = find_labelled(fd, s, CKO_PRIVATE_KEY, priv, 8);
			if (n < 0) {
				bad(t, "find: %d", n);
				break;
			}
			for (i = 0; i < n && i < 2; i++) {
				/* its public key: same CKA_ID (may be gone already) */
				ilen = sizeof(id);
				e = t_get_attr(fd, s, priv[i], CKA_ID, id, &ilen, &rv);
				if (e) {
					if (e != ENOENT)
						bad(t, "CKA_ID: errno %d rv 0x%x", e, rv);
					atomic_fetch_add(&t->allowed, 1);
					continue;
				}
				t_tmpl_init(&tp);
				t_add_ulong(&tp, CKA_CLASS, CKO_PUBLIC_KEY);
				t_add_bytes(&tp, CKA_ID, id, ilen);
				np = t_find(fd, s, &tp, pub, 2);
				plen = sizeof(point);
				if (np < 0)
					bad(t, "find public: %d", np);
				if (np != 1 || t_get_attr(fd, s, pub[0], CKA_EC_POINT, point,
							  &plen, &rv)) {
					plen = 0;	/* destroyed meanwhile */
				}
				e = t_op_init(fd, s, KHSM_OP_SIGN, CKM_ECDSA_SHA256, priv[i],
					      NULL, 0, &rv);
				if (e == ENOENT) {
					atomic_fetch_add(&t->allowed, 1);
					continue;
				}
				if (e) {
					bad(t, "sign init: errno %d rv 0x%x", e, rv);
					continue;
				}
				if (getrandom(msg, sizeof(msg), 0) != sizeof(msg))
					break;
				slen = sizeof(sig);
				e = t_op_data(fd, s, KHSM_OP_SIGN, KHSM_DATA_ONESHOT, msg,
					      sizeof(msg), sig, &slen, &rv);
				if (e) {
					if (e != ENOENT)
						bad(t, "sign: errno %d rv 0x%x", e, rv);
					t_op_cancel(fd, s, KHSM_OP_SIGN);
					continue;
				}
				if (slen != 64 || (plen &&
				    ossl_p256_verify(point, plen, msg, sizeof(msg), sig, slen,
						     "SHA256") != 1))
					bad(t, "signature of a found key rejected by OpenSSL");
				else
					atomic_fetch_add(&t->ok, 1);
			}
			break;
		}
		}
	}
	close(fd);
	_exit(0);
}

TEST_F_TIMEOUT(race, keygen_find_destroy_procs, 120)
{
	double end = now() + race_secs();
	pid_t pid[3];
	int status, i, n;
	__u32 h[256], rv;

	for (i = 0; i < 3; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0)
			kfd_proc(self->t, i, end);
	}
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("process %d: status 0x%x", i, status);
	}
	EXPECT_CLEAN(self->t);
	/* sweep what is left; then the token holds what it held before */
	for (int cls = 0; cls < 2; cls++) {
		n = find_labelled(self->fd, self->s, cls ? CKO_PRIVATE_KEY : CKO_PUBLIC_KEY,
				  h, 256);
		ASSERT_LE(0, n);
		for (i = 0; i < n; i++)
			EXPECT_EQ(0, t_destroy(self->fd, self->s, h[i], &rv));
	}
	{
		struct khsm_token_info after;

		ASSERT_EQ(0, t_token_info(self->fd, &after));
		EXPECT_EQ(self->before.token_objects, after.token_objects);
	}
	token_works(_metadata, self->fd, self->s, &self->k, &self->before);
}

TEST_HARNESS_MAIN
