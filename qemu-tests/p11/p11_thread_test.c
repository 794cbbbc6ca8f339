// SPDX-License-Identifier: GPL-2.0
/*
 * khsm-pkcs11.so under threads: 8 threads sign (checked by OpenSSL) and
 * digest (compared with OpenSSL) concurrently, each on its own session; and
 * threads that share the slot open/close sessions and read slot/token/
 * session info at the same time. All results must be correct and the
 * session counts must end where they started.
 */
#include <pthread.h>
#include <string.h>
#include <openssl/evp.h>

#include "kselftest_harness.h"
#include "p11_util.h"
#include "ossl_check.h"

#define NTHREADS 8
#define ROUNDS 6

struct shared {
	CK_FUNCTION_LIST_PTR f;
	CK_SLOT_ID slot;
	CK_OBJECT_HANDLE pub, priv;	/* token key pair, user logged in */
	unsigned char point[80];
	CK_ULONG plen;
	pthread_barrier_t go;
};

struct job {
	struct shared *sh;
	int id;
	int errors;
	char why[128];
};

#define FAIL(j, ...) do {						\
	snprintf((j)->why, sizeof((j)->why), __VA_ARGS__);		\
	(j)->errors++;							\
	goto out;							\
} while (0)

static void *signer(void *arg)
{
	struct job *j = arg;
	struct shared *sh = j->sh;
	CK_FUNCTION_LIST_PTR f = sh->f;
	CK_MECHANISM sha = { CKM_ECDSA_SHA256, NULL, 0 }, dig = { CKM_SHA512, NULL, 0 };
	CK_SESSION_HANDLE s;
	unsigned char msg[200], sig[80], want[64], got[64];
	unsigned int wl;
	CK_ULONG len;
	CK_RV rv;
	int r, i;

	rv = f->C_OpenSession(sh->slot, CKF_SERIAL_SESSION, NULL, NULL, &s);
	if (rv != CKR_OK)
		FAIL(j, "C_OpenSession rv 0x%lx", rv);
	pthread_barrier_wait(&sh->go);
	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < (int)sizeof(msg); i++)
			msg[i] = j->id * 31 + r * 7 + i;
		rv = f->C_SignInit(s, &sha, sh->priv);
		if (rv != CKR_OK)
			FAIL(j, "C_SignInit rv 0x%lx", rv);
		len = sizeof(sig);
		rv = f->C_Sign(s, msg, sizeof(msg), sig, &len);
		if (rv != CKR_OK || len != 64)
			FAIL(j, "C_Sign rv 0x%lx len %lu", rv, len);
		if (ossl_p256_verify(sh->point, sh->plen, msg, sizeof(msg), sig, 64,
				     "SHA256") != 1)
			FAIL(j, "thread %d round %d: OpenSSL rejects the signature",
			     j->id, r);

		if (EVP_Digest(msg, sizeof(msg), want, &wl, EVP_sha512(), NULL) != 1)
			FAIL(j, "EVP_Digest");
		rv = f->C_DigestInit(s, &dig);
		if (rv != CKR_OK)
			FAIL(j, "C_DigestInit rv 0x%lx", rv);
		rv = f->C_DigestUpdate(s, msg, 77);
		if (rv == CKR_OK)
			rv = f->C_DigestUpdate(s, msg + 77, sizeof(msg) - 77);
		len = sizeof(got);
		if (rv == CKR_OK)
			rv = f->C_DigestFinal(s, got, &len);
		if (rv != CKR_OK || len != 64 || memcmp(got, want, 64))
			FAIL(j, "thread %d round %d: digest rv 0x%lx wrong", j->id, r, rv);
	}
	rv = f->C_CloseSession(s);
	if (rv != CKR_OK)
		FAIL(j, "C_CloseSession rv 0x%lx", rv);
out:
	return NULL;
}

static void *slot_user(void *arg)
{
	struct job *j = arg;
	struct shared *sh = j->sh;
	CK_FUNCTION_LIST_PTR f = sh->f;
	CK_SESSION_HANDLE s[4];
	CK_SESSION_INFO si;
	CK_TOKEN_INFO ti;
	CK_SLOT_INFO sli;
	unsigned char rnd[32];
	CK_RV rv;
	int r, i;

	pthread_barrier_wait(&sh->go);
	for (r = 0; r < 20; r++) {
		for (i = 0; i < 4; i++) {
			rv = f->C_OpenSession(sh->slot, CKF_SERIAL_SESSION |
					      (i & 1 ? CKF_RW_SESSION : 0), NULL, NULL, &s[i]);
			if (rv != CKR_OK)
				FAIL(j, "C_OpenSession rv 0x%lx", rv);
		}
		if ((rv = f->C_GetTokenInfo(sh->slot, &ti)) != CKR_OK ||
		    (rv = f->C_GetSlotInfo(sh->slot, &sli)) != CKR_OK)
			FAIL(j, "info rv 0x%lx", rv);
		for (i = 0; i < 4; i++) {
			rv = f->C_GetSessionInfo(s[i], &si);
			if (rv != CKR_OK)
				FAIL(j, "C_GetSessionInfo rv 0x%lx", rv);
			/* The application is logged in: every session shows it. */
			if (si.state != (i & 1 ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS))
				FAIL(j, "session state %lu", si.state);
			rv = f->C_GenerateRandom(s[i], rnd, sizeof(rnd));
			if (rv != CKR_OK)
				FAIL(j, "C_GenerateRandom rv 0x%lx", rv);
		}
		for (i = 0; i < 4; i++) {
			rv = f->C_CloseSession(s[i]);
			if (rv != CKR_OK)
				FAIL(j, "C_CloseSession rv 0x%lx", rv);
		}
	}
out:
	return NULL;
}

static void run(struct __test_metadata *_metadata, struct shared *sh,
		void *(*fn)(void *), int n)
{
	pthread_t t[NTHREADS];
	struct job jobs[NTHREADS];
	int i;

	ASSERT_EQ(0, pthread_barrier_init(&sh->go, NULL, n));
	for (i = 0; i < n; i++) {
		memset(&jobs[i], 0, sizeof(jobs[i]));
		jobs[i].sh = sh;
		jobs[i].id = i;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, fn, &jobs[i]));
	}
	for (i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, jobs[i].errors) TH_LOG("thread %d: %s", i, jobs[i].why);
	}
	pthread_barrier_destroy(&sh->go);
}

FIXTURE(th) {
	struct shared sh;
	CK_SESSION_HANDLE s;
};

FIXTURE_SETUP(th)
{
	self->sh.f = p_init();
	ASSERT_NE(NULL, self->sh.f);
	self->sh.slot = p_slot(self->sh.f);
	ASSERT_EQ(CKR_OK, p_reset_token(self->sh.f, self->sh.slot));
	self->s = p_user_session(self->sh.f, self->sh.slot);
	ASSERT_NE(0UL, self->s);
	ASSERT_EQ(CKR_OK, p_gen_p256(self->sh.f, self->s, CK_TRUE, &self->sh.pub,
				     &self->sh.priv));
	self->sh.plen = p_ec_point(self->sh.f, self->s, self->sh.pub, self->sh.point,
				   sizeof(self->sh.point));
	ASSERT_EQ(67UL, self->sh.plen);
}

FIXTURE_TEARDOWN(th)
{
	if (self->sh.f)
		self->sh.f->C_Finalize(NULL);
}

TEST_F_TIMEOUT(th, eight_signers, 240)
{
	CK_TOKEN_INFO ti;

	run(_metadata, &self->sh, signer, NTHREADS);
	ASSERT_EQ(CKR_OK, self->sh.f->C_GetTokenInfo(self->sh.slot, &ti));
	EXPECT_EQ(1UL, ti.ulSessionCount);
}

TEST_F_TIMEOUT(th, shared_slot_churn, 240)
{
	CK_TOKEN_INFO ti;

	run(_metadata, &self->sh, slot_user, NTHREADS);
	ASSERT_EQ(CKR_OK, self->sh.f->C_GetTokenInfo(self->sh.slot, &ti));
	EXPECT_EQ(1UL, ti.ulSessionCount);
	EXPECT_EQ(1UL, ti.ulRwSessionCount);
}

TEST_F_TIMEOUT(th, signers_and_churn_together, 240)
{
	/* Half sign, half churn sessions, all at once. */
	pthread_t t[NTHREADS];
	struct job jobs[NTHREADS];
	int i;

	ASSERT_EQ(0, pthread_barrier_init(&self->sh.go, NULL, NTHREADS));
	for (i = 0; i < NTHREADS; i++) {
		memset(&jobs[i], 0, sizeof(jobs[i]));
		jobs[i].sh = &self->sh;
		jobs[i].id = i;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, i & 1 ? slot_user : signer,
					    &jobs[i]));
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, jobs[i].errors) TH_LOG("thread %d: %s", i, jobs[i].why);
	}
	pthread_barrier_destroy(&self->sh.go);
}

TEST_HARNESS_MAIN
