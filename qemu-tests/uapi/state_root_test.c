// SPDX-License-Identifier: GPL-2.0
/*
 * KHSM_IOC_STATE straight at the kernel: a token's sealed state goes out
 * and comes back (same objects, same key material, same CKA_ID), the
 * token is LOCKED until a login, every kind of altered blob is refused
 * with its own status or at the first login, no key byte and no PIN
 * appears in any blob, the failure counters and the retry limit travel
 * with the header, and a load checked with the SO PIN (hsmctl restore)
 * changes nothing when the PIN is wrong. Runs as root (loads need
 * CAP_SYS_ADMIN).
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "khsm_util.h"

static const __u8 aes_key[16] = "0123456789abcdef";
static const __u8 block[16] = "sixteen byte msg";

struct blob {
	__u8 *p;
	__u64 len;
	__u64 oid, gen;
};

/* EXPORT_HEADER, or EXPORT_OBJECT of @handle, into @b (two-call idiom). */
static int export(int fd, __u32 what, __u32 handle, struct blob *b)
{
	struct khsm_state_io io;
	int err;

	T_INIT(io);
	io.what = what;
	io.handle = handle;
	err = t_ioctl(fd, KHSM_IOC_STATE, &io);
	if (err) {
		fprintf(stderr, "# STATE what %u: %s rv 0x%x\n", what,
			strerror(err), io.rv);
		return err;
	}
	b->len = io.len;
	b->p = malloc(io.len ? io.len : 1);
	io.buf = (uintptr_t)b->p;
	io.len = b->len;
	err = t_ioctl(fd, KHSM_IOC_STATE, &io);
	b->len = io.len;
	b->oid = io.oid;
	b->gen = io.gen;
	return err;
}

/* LOAD_HEADER / LOAD_OBJECT of @b; *@status gets the verdict. */
static int load(int fd, __u32 what, const struct blob *b, __u64 oid,
		__u32 *status, __u32 *rv)
{
	struct khsm_state_io io;
	int err;

	T_INIT(io);
	io.what = what;
	io.buf = (uintptr_t)b->p;
	io.len = b->len;
	io.oid = oid;
	err = t_ioctl(fd, KHSM_IOC_STATE, &io);
	if (status)
		*status = io.status;
	if (rv)
		*rv = io.rv;
	return err;
}

static __u64 finish(int fd)
{
	struct khsm_state_io io;

	T_INIT(io);
	io.what = KHSM_STATE_LOAD_FINISH;
	if (t_ioctl(fd, KHSM_IOC_STATE, &io))
		return ~0ULL;
	return io.count;
}

static int has_bytes(const struct blob *b, const void *needle, size_t n)
{
	return memmem(b->p, b->len, needle, n) != NULL;
}

FIXTURE(st) {
	int fd;
	__u32 s;
	__u32 aes, data, pub, priv;
	struct blob hdr, o_aes, o_data, o_pub, o_priv;
	__u8 ct[16];
};

static void encrypt(struct __test_metadata *_metadata, int fd, __u32 s,
		    __u32 key, __u8 *out, __u32 want_rv)
{
	__u64 len = 16;
	__u32 rv;
	int err;

	err = t_op_init(fd, s, KHSM_OP_ENCRYPT, CKM_AES_ECB, key, NULL, 0, &rv);
	ASSERT_EQ(want_rv, rv);
	if (want_rv)
		return;
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, t_op_data(fd, s, KHSM_OP_ENCRYPT, KHSM_DATA_ONESHOT, block,
			       16, out, &len, &rv));
	ASSERT_EQ(16U, len);
}

FIXTURE_SETUP(st)
{
	struct t_tmpl t;
	__u32 rv;

	if (geteuid() != 0)
		SKIP(return, "needs root (loads need CAP_SYS_ADMIN)");
	self->fd = t_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, t_reset_token(self->fd));
	self->s = t_user_session(self->fd);
	ASSERT_NE(0U, self->s);
	t_tmpl_aes(&t, aes_key, sizeof(aes_key), 1);
	t_add_bytes(&t, CKA_ID, "k-aes", 5);
	t_add_bool(&t, CKA_EXTRACTABLE, 1);
	t_add_bool(&t, CKA_SENSITIVE, 0);
	ASSERT_EQ(0, t_create(self->fd, self->s, &t, &self->aes, &rv));
	t_tmpl_data(&t, "public data", 1, 0);
	t_add_bytes(&t, CKA_LABEL, "pubdata", 7);
	ASSERT_EQ(0, t_create(self->fd, self->s, &t, &self->data, &rv));
	ASSERT_EQ(0, t_gen_p256(self->fd, self->s, 1, &self->pub, &self->priv,
				&rv));
	encrypt(_metadata, self->fd, self->s, self->aes, self->ct, CKR_OK);
	ASSERT_EQ(0, export(self->fd, KHSM_STATE_EXPORT_OBJECT, self->aes,
			    &self->o_aes));
	ASSERT_EQ(0, export(self->fd, KHSM_STATE_EXPORT_OBJECT, self->data,
			    &self->o_data));
	ASSERT_EQ(0, export(self->fd, KHSM_STATE_EXPORT_OBJECT, self->pub,
			    &self->o_pub));
	ASSERT_EQ(0, export(self->fd, KHSM_STATE_EXPORT_OBJECT, self->priv,
			    &self->o_priv));
	ASSERT_EQ(0, export(self->fd, KHSM_STATE_EXPORT_HEADER, 0, &self->hdr));
	ASSERT_EQ(0, t_close_session(self->fd, self->s, &rv));
}

FIXTURE_TEARDOWN(st)
{
	if (self->fd > 0)
		close(self->fd);
}

static void load_all(struct __test_metadata *_metadata, FIXTURE_DATA(st) *self,
		     __u32 want_data)
{
	__u32 st, rv;

	ASSERT_EQ(0, load(self->fd, KHSM_STATE_LOAD_HEADER, &self->hdr, 0, NULL,
			  &rv));
	ASSERT_EQ(0, load(self->fd, KHSM_STATE_LOAD_OBJECT, &self->o_aes,
			  self->o_aes.oid, &st, &rv));
	ASSERT_EQ(0U, st);
	ASSERT_EQ(0, load(self->fd, KHSM_STATE_LOAD_OBJECT, &self->o_data,
			  self->o_data.oid, &st, &rv));
	ASSERT_EQ(want_data, st);
	ASSERT_EQ(0, load(self->fd, KHSM_STATE_LOAD_OBJECT, &self->o_pub, 0,
			  &st, &rv));
	ASSERT_EQ(0U, st);
	ASSERT_EQ(0, load(self->fd, KHSM_STATE_LOAD_OBJECT, &self->o_priv, 0,
			  &st, &rv));
	ASSERT_EQ(0U, st);
}

/* Find the object with CKA_ID / CKA_LABEL @v; 0 if none. */
static __u32 find_by(int fd, __u32 s, __u32 type, const char *v)
{
	struct t_tmpl t;
	__u32 h[4];

	t_tmpl_init(&t);
	t_add_bytes(&t, type, v, strlen(v));
	return t_find(fd, s, &t, h, 4) == 1 ? h[0] : 0;
}

TEST_F(st, round_trip_locked_until_login)
{
	struct khsm_token_info ti;
	__u8 ct[16];
	__u32 rv, s, h[8];

	EXPECT_NE(0ULL, self->o_aes.oid);
	EXPECT_NE(self->o_aes.oid, self->o_data.oid);
	load_all(_metadata, self, 0);
	EXPECT_EQ(0U, finish(self->fd));
	ASSERT_EQ(0, t_token_info(self->fd, &ti));
	EXPECT_EQ(KHSM_TOKEN_STATE_LOCKED | KHSM_TOKEN_STATE_LOADED,
		  ti.state_flags);
	EXPECT_EQ(2U, ti.pending);	/* the AES key and the private key */
	EXPECT_TRUE(ti.flags & CKF_USER_PIN_INITIALIZED);

	ASSERT_EQ(0, t_open_session(self->fd, CKF_SERIAL_SESSION | CKF_RW_SESSION,
				    &s, &rv));
	/* Before login: the public objects only, readable, not usable. */
	EXPECT_EQ(2, t_find(self->fd, s, NULL, h, 8));
	EXPECT_NE(0U, find_by(self->fd, s, CKA_LABEL, "pubdata"));
	EXPECT_EQ(0U, find_by(self->fd, s, CKA_ID, "k-aes"));
	{
		/* Unusable until authenticated: no verify, no copy, no change. */
		struct khsm_object c;
		struct t_tmpl t;
		__u32 pub;

		t_tmpl_init(&t);
		t_add_ulong(&t, CKA_CLASS, CKO_PUBLIC_KEY);
		ASSERT_EQ(1, t_find(self->fd, s, &t, &pub, 1));
		EXPECT_EQ(EACCES, t_op_init(self->fd, s, KHSM_OP_VERIFY,
					    CKM_ECDSA, pub, NULL, 0, &rv));
		EXPECT_EQ(CKR_USER_NOT_LOGGED_IN, rv);
		T_INIT(c);
		c.session = s;
		c.object = pub;
		EXPECT_EQ(EACCES, t_ioctl(self->fd, KHSM_IOC_COPY_OBJECT, &c));
		EXPECT_EQ(CKR_USER_NOT_LOGGED_IN, c.rv);
	}
	ASSERT_EQ(0, t_login(self->fd, s, CKU_USER, T_USER_PIN, &rv));
	ASSERT_EQ(0, t_token_info(self->fd, &ti));
	EXPECT_EQ(KHSM_TOKEN_STATE_LOADED, ti.state_flags);
	EXPECT_EQ(0U, ti.pending);
	EXPECT_EQ(0U, ti.refused);
	EXPECT_EQ(4, t_find(self->fd, s, NULL, h, 8));
	h[0] = find_by(self->fd, s, CKA_ID, "k-aes");
	ASSERT_NE(0U, h[0]);
	encrypt(_metadata, self->fd, s, h[0], ct, CKR_OK);
	EXPECT_EQ(0, memcmp(ct, self->ct, 16));
	/* The loaded token is writable again: a new object, a new header. */
	{
		struct t_tmpl t;
		struct blob b;

		t_tmpl_data(&t, "after", 1, 1);
		ASSERT_EQ(0, t_create(self->fd, s, &t, &h[1], &rv));
		ASSERT_EQ(0, export(self->fd, KHSM_STATE_EXPORT_HEADER, 0, &b));
		EXPECT_GT(b.gen, self->hdr.gen);
		free(b.p);
	}
}

TEST_F(st, no_key_bytes_and_no_pin_in_blobs)
{
	struct blob *all[] = { &self->hdr, &self->o_aes, &self->o_data,
			       &self->o_pub, &self->o_priv };
	unsigned int i;

	for (i = 0; i < 5; i++) {
		EXPECT_FALSE(has_bytes(all[i], aes_key, sizeof(aes_key)))
			TH_LOG("blob %u holds the AES key", i);
		EXPECT_FALSE(has_bytes(all[i], T_USER_PIN, strlen(T_USER_PIN)));
		EXPECT_FALSE(has_bytes(all[i], T_SO_PIN, strlen(T_SO_PIN)));
	}
	/* The public object is in clear: listable before login. */
	EXPECT_TRUE(has_bytes(&self->o_data, "public data", 11));
}

TEST_F(st, refused_blobs_say_why)
{
	struct blob b;
	__u32 st, rv;

	ASSERT_EQ(0, load(self->fd, KHSM_STATE_LOAD_HEADER, &self->hdr, 0, NULL,
			  &rv));
	/* Truncated. */
	b = self->o_aes;
	b.len -= 1;
	ASSERT_EQ(0, load(self->fd, KHSM_STATE_LOAD_OBJECT, &b, 0, &st, &rv));
	EXPECT_EQ(KHSM_STATE_MALFORMED, st);
	/* Named as another object (two files swapped). */
	ASSERT_EQ(0, load(self->fd, KHSM_STATE_LOAD_OBJECT, &self->o_aes,
			  self->o_data.oid, &st, &rv));
	EXPECT_EQ(KHSM_STATE_WRONG_OID, st);
	/* Another token's (serial changed: also fails authentication). */
	b.len = self->o_aes.len;
	b.p = malloc(b.len);
	memcpy(b.p, self->o_aes.p, b.len);
	b.p[offsetof(struct khsm_state_obj, serial)] ^= 1;
	ASSERT_EQ(0, load(self->fd, KHSM_STATE_LOAD_OBJECT, &b, 0, &st, &rv));
	EXPECT_EQ(KHSM_STATE_OTHER_TOKEN, st);
	/* An older or newer generation. */
	memcpy(b.p, self->o_aes.p, b.len);
	((struct khsm_state_obj *)b.p)->gen -= 1;
	ASSERT_EQ(0, load(self->fd, KHSM_STATE_LOAD_OBJECT, &b, 0, &st, &rv));
	EXPECT_EQ(KHSM_STATE_WRONG_GEN, st);
	/* Not listed (a destroyed object's file). */
	memcpy(b.p, self->o_aes.p, b.len);
	((struct khsm_state_obj *)b.p)->oid += 100;
	ASSERT_EQ(0, load(self->fd, KHSM_STATE_LOAD_OBJECT, &b, 0, &st, &rv));
	EXPECT_EQ(KHSM_STATE_NOT_LISTED, st);
	/* The real one, twice. */
	ASSERT_EQ(0, load(self->fd, KHSM_STATE_LOAD_OBJECT, &self->o_aes, 0,
			  &st, &rv));
	EXPECT_EQ(KHSM_STATE_OK, st);
	ASSERT_EQ(0, load(self->fd, KHSM_STATE_LOAD_OBJECT, &self->o_aes, 0,
			  &st, &rv));
	EXPECT_EQ(KHSM_STATE_DUPLICATE, st);
	/* Three listed objects never came. */
	EXPECT_EQ(3U, finish(self->fd));
	free(b.p);
}

TEST_F(st, altered_blobs_fail_at_login_others_work)
{
	struct khsm_token_info ti;
	__u32 rv, s, h[8];
	__u8 ct[16];

	/* A flipped bit in the private key's ciphertext, one in the data. */
	self->o_priv.p[self->o_priv.len - 3] ^= 0x10;
	self->o_data.p[self->o_data.len - 1] ^= 0x01;
	load_all(_metadata, self, 0);
	ASSERT_EQ(0, t_open_session(self->fd, CKF_SERIAL_SESSION | CKF_RW_SESSION,
				    &s, &rv));
	ASSERT_EQ(0, t_login(self->fd, s, CKU_USER, T_USER_PIN, &rv));
	ASSERT_EQ(0, t_token_info(self->fd, &ti));
	EXPECT_EQ(2U, ti.refused);
	EXPECT_TRUE(ti.state_flags & KHSM_TOKEN_STATE_TAMPERED);
	EXPECT_EQ(2, t_find(self->fd, s, NULL, h, 8));
	EXPECT_EQ(0U, find_by(self->fd, s, CKA_LABEL, "pubdata"));
	h[0] = find_by(self->fd, s, CKA_ID, "k-aes");
	ASSERT_NE(0U, h[0]);
	encrypt(_metadata, self->fd, s, h[0], ct, CKR_OK);
	EXPECT_EQ(0, memcmp(ct, self->ct, 16));
}

TEST_F(st, altered_header_fails_login_cleanly)
{
	struct khsm_token_info ti;
	__u32 rv, s;

	self->hdr.p[offsetof(struct khsm_state_hdr, label)] ^= 0x20;
	load_all(_metadata, self, 0);
	ASSERT_EQ(0, t_open_session(self->fd, CKF_SERIAL_SESSION | CKF_RW_SESSION,
				    &s, &rv));
	EXPECT_EQ(EIO, t_login(self->fd, s, CKU_USER, T_USER_PIN, &rv));
	EXPECT_EQ(CKR_DEVICE_ERROR, rv);
	ASSERT_EQ(0, t_token_info(self->fd, &ti));
	EXPECT_TRUE(ti.state_flags & KHSM_TOKEN_STATE_LOCKED);
	EXPECT_TRUE(ti.state_flags & KHSM_TOKEN_STATE_TAMPERED);
	EXPECT_EQ(0U, ti.user_failures);	/* the PIN was right */
}

TEST_F(st, header_entries_are_authenticated)
{
	struct khsm_state_hdr *h = (struct khsm_state_hdr *)self->hdr.p;
	struct khsm_state_ent *e = (struct khsm_state_ent *)(h + 1);
	__u32 rv, s;

	/* One listed generation moved: the list no longer authenticates. */
	ASSERT_EQ(4U, h->n_entries);
	e[3].gen += 1;
	ASSERT_EQ(0, load(self->fd, KHSM_STATE_LOAD_HEADER, &self->hdr, 0, NULL,
			  &rv));
	ASSERT_EQ(0, t_open_session(self->fd, CKF_SERIAL_SESSION | CKF_RW_SESSION,
				    &s, &rv));
	EXPECT_EQ(EIO, t_login(self->fd, s, CKU_USER, T_USER_PIN, &rv));
	EXPECT_EQ(CKR_DEVICE_ERROR, rv);
	ASSERT_EQ(0, t_close_session(self->fd, s, &rv));
	/* One entry dropped (a destroy hidden): the same. */
	e[3].gen -= 1;
	h->n_entries = 3;
	self->hdr.len -= sizeof(*e);
	ASSERT_EQ(0, load(self->fd, KHSM_STATE_LOAD_HEADER, &self->hdr, 0, NULL,
			  &rv));
	ASSERT_EQ(0, t_open_session(self->fd, CKF_SERIAL_SESSION | CKF_RW_SESSION,
				    &s, &rv));
	EXPECT_EQ(EIO, t_login(self->fd, s, CKU_USER, T_USER_PIN, &rv));
	/* As exported: logs in. */
	h->n_entries = 4;
	self->hdr.len += sizeof(*e);
	ASSERT_EQ(0, t_close_session(self->fd, s, &rv));
	ASSERT_EQ(0, load(self->fd, KHSM_STATE_LOAD_HEADER, &self->hdr, 0, NULL,
			  &rv));
	ASSERT_EQ(0, t_open_session(self->fd, CKF_SERIAL_SESSION | CKF_RW_SESSION,
				    &s, &rv));
	EXPECT_EQ(0, t_login(self->fd, s, CKU_USER, T_USER_PIN, &rv));
}

TEST_F(st, failure_counter_travels_with_the_header)
{
	struct khsm_token_info ti;
	struct blob b;
	__u32 rv, s;
	int i;

	ASSERT_EQ(0, t_open_session(self->fd, CKF_SERIAL_SESSION, &s, &rv));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(EACCES, t_login(self->fd, s, CKU_USER, "wrong-pin-0", &rv));
	ASSERT_EQ(0, export(self->fd, KHSM_STATE_EXPORT_HEADER, 0, &b));
	EXPECT_EQ(3U, ((struct khsm_state_hdr *)b.p)->user_failures);
	EXPECT_GT(b.gen, self->hdr.gen);
	ASSERT_EQ(0, t_close_session(self->fd, s, &rv));
	ASSERT_EQ(0, load(self->fd, KHSM_STATE_LOAD_HEADER, &b, 0, NULL, &rv));
	ASSERT_EQ(0, t_token_info(self->fd, &ti));
	EXPECT_EQ(3U, ti.user_failures);
	EXPECT_EQ(10U, ti.max_pin_failures);
	EXPECT_TRUE(ti.flags & CKF_USER_PIN_COUNT_LOW);
	/* Wrong PINs while locked still count, and move the generation. */
	ASSERT_EQ(0, t_open_session(self->fd, CKF_SERIAL_SESSION, &s, &rv));
	EXPECT_EQ(EACCES, t_login(self->fd, s, CKU_USER, "wrong-pin-1", &rv));
	free(b.p);
	ASSERT_EQ(0, export(self->fd, KHSM_STATE_EXPORT_HEADER, 0, &b));
	EXPECT_EQ(4U, ((struct khsm_state_hdr *)b.p)->user_failures);
	ASSERT_EQ(0, t_login(self->fd, s, CKU_USER, T_USER_PIN, &rv));
	ASSERT_EQ(0, t_token_info(self->fd, &ti));
	EXPECT_EQ(0U, ti.user_failures);
	free(b.p);
}

TEST_F(st, so_pin_checked_load_changes_nothing_when_wrong)
{
	struct khsm_token_info before, ti;
	struct khsm_state_io io;
	__u32 st, rv;

	ASSERT_EQ(0, t_token_info(self->fd, &before));
	T_INIT(io);
	io.what = KHSM_STATE_LOAD_HEADER;
	io.flags = KHSM_STATE_LOAD_F_SO_PIN;
	io.buf = (uintptr_t)self->hdr.p;
	io.len = self->hdr.len;
	t_pin_check(&io.pin, "not-the-so-pin", before.so_salt,
		    before.so_t_cost, before.so_m_cost_kib, before.so_parallelism);
	EXPECT_EQ(EACCES, t_ioctl(self->fd, KHSM_IOC_STATE, &io));
	EXPECT_EQ(CKR_PIN_INCORRECT, io.rv);
	ASSERT_EQ(0, t_token_info(self->fd, &ti));
	EXPECT_EQ(0U, ti.state_flags);	/* still the token C_InitToken made */
	EXPECT_EQ(0U, ti.so_failures);	/* an offline check: not counted */
	/* The right SO PIN: loaded and unlocked at once. */
	t_so_check(self->fd, &io.pin, T_SO_PIN);
	io.rv = 0;
	ASSERT_EQ(0, t_ioctl(self->fd, KHSM_IOC_STATE, &io));
	ASSERT_EQ(0, t_token_info(self->fd, &ti));
	EXPECT_EQ(KHSM_TOKEN_STATE_LOADED, ti.state_flags);
	ASSERT_EQ(0, load(self->fd, KHSM_STATE_LOAD_OBJECT, &self->o_aes, 0,
			  &st, &rv));
	EXPECT_EQ(KHSM_STATE_OK, st);
	/* Opened at load: a flipped bit is refused right there. */
	self->o_priv.p[self->o_priv.len - 1] ^= 1;
	ASSERT_EQ(0, load(self->fd, KHSM_STATE_LOAD_OBJECT, &self->o_priv, 0,
			  &st, &rv));
	EXPECT_EQ(KHSM_STATE_BAD_TAG, st);
}

TEST_F(st, loads_need_cap_sys_admin_and_no_sessions)
{
	__u32 rv, s;

	ASSERT_EQ(0, t_open_session(self->fd, CKF_SERIAL_SESSION, &s, &rv));
	EXPECT_EQ(EBUSY, load(self->fd, KHSM_STATE_LOAD_HEADER, &self->hdr, 0,
			      NULL, &rv));
	EXPECT_EQ(CKR_SESSION_EXISTS, rv);
	ASSERT_EQ(0, t_close_session(self->fd, s, &rv));
	/* A malformed header: refused, the token as it was. */
	self->hdr.p[0] ^= 1;
	EXPECT_EQ(EINVAL, load(self->fd, KHSM_STATE_LOAD_HEADER, &self->hdr, 0,
			       NULL, &rv));
	EXPECT_EQ(CKR_DATA_INVALID, rv);
}

TEST_F(st, short_and_unmapped_buffers)
{
	struct khsm_token_info ti;
	struct khsm_state_io io;
	long pg = sysconf(_SC_PAGESIZE);
	__u8 *m;

	m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, mprotect(m + pg, pg, PROT_NONE));
	/* Short: CKR_BUFFER_TOO_SMALL and the length, nothing written. */
	T_INIT(io);
	io.what = KHSM_STATE_EXPORT_HEADER;
	io.buf = (uintptr_t)m;
	io.len = self->hdr.len - 1;
	memset(m, 0xa5, pg);
	EXPECT_EQ(ENOSPC, t_ioctl(self->fd, KHSM_IOC_STATE, &io));
	EXPECT_EQ(CKR_BUFFER_TOO_SMALL, io.rv);
	EXPECT_EQ(self->hdr.len, io.len);
	EXPECT_EQ(0xa5, m[0]);
	/* Running into the guard page: EFAULT. */
	T_INIT(io);
	io.what = KHSM_STATE_EXPORT_HEADER;
	io.buf = (uintptr_t)(m + pg - 16);
	io.len = self->hdr.len;
	EXPECT_EQ(EFAULT, t_ioctl(self->fd, KHSM_IOC_STATE, &io));
	/* A load from unmapped memory: EFAULT, the token as it was. */
	T_INIT(io);
	io.what = KHSM_STATE_LOAD_HEADER;
	io.buf = (uintptr_t)(m + pg);
	io.len = self->hdr.len;
	EXPECT_EQ(EFAULT, t_ioctl(self->fd, KHSM_IOC_STATE, &io));
	ASSERT_EQ(0, t_token_info(self->fd, &ti));
	EXPECT_EQ(0U, ti.state_flags);
	/* Exports by anyone, loads and enumeration by CAP_SYS_ADMIN only. */
	T_INIT(io);
	io.what = KHSM_STATE_EXPORT_NEXT;
	EXPECT_EQ(0, t_ioctl(self->fd, KHSM_IOC_STATE, &io));
	EXPECT_NE(0ULL, io.oid);
	munmap(m, 2 * pg);
}

TEST(retry_limit_set_at_init_token)
{
	struct khsm_init_token it;
	struct khsm_token_info ti;
	__u32 rv, s;
	int fd = t_open();

	if (geteuid() != 0)
		SKIP(return, "needs root");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, t_reset_token(fd));
	T_INIT(it);
	memcpy(it.label, "limit-3                         ", KHSM_LABEL_LEN);
	t_so_check(fd, &it.so_check, T_SO_PIN);
	t_pin_new(&it.so_new, T_SO_PIN);
	it.max_pin_failures = 2;
	EXPECT_EQ(EINVAL, t_ioctl(fd, KHSM_IOC_INIT_TOKEN, &it));
	it.max_pin_failures = 3;
	ASSERT_EQ(0, t_ioctl(fd, KHSM_IOC_INIT_TOKEN, &it));
	ASSERT_EQ(0, t_token_info(fd, &ti));
	EXPECT_EQ(3U, ti.max_pin_failures);
	ASSERT_EQ(0, t_open_session(fd, CKF_SERIAL_SESSION | CKF_RW_SESSION, &s,
				    &rv));
	EXPECT_EQ(EACCES, t_login(fd, s, CKU_SO, "wrong-so-pin", &rv));
	ASSERT_EQ(0, t_token_info(fd, &ti));
	EXPECT_EQ(CKF_SO_PIN_COUNT_LOW, ti.flags & (CKF_SO_PIN_COUNT_LOW |
		  CKF_SO_PIN_FINAL_TRY | CKF_SO_PIN_LOCKED));
	EXPECT_EQ(EACCES, t_login(fd, s, CKU_SO, "wrong-so-pin", &rv));
	ASSERT_EQ(0, t_token_info(fd, &ti));
	EXPECT_EQ(CKF_SO_PIN_COUNT_LOW | CKF_SO_PIN_FINAL_TRY,
		  ti.flags & (CKF_SO_PIN_COUNT_LOW | CKF_SO_PIN_FINAL_TRY |
			      CKF_SO_PIN_LOCKED));
	EXPECT_EQ(EACCES, t_login(fd, s, CKU_SO, "wrong-so-pin", &rv));
	EXPECT_EQ(EACCES, t_login(fd, s, CKU_SO, T_SO_PIN, &rv));
	EXPECT_EQ(CKR_PIN_LOCKED, rv);
	/* Root's recovery, so the next test finds a token it can reset. */
	{
		struct khsm_admin_init_token ai;

		T_INIT(ai);
		memcpy(ai.label, it.label, KHSM_LABEL_LEN);
		t_pin_new(&ai.so_new, T_SO_PIN);
		ASSERT_EQ(0, t_ioctl(fd, KHSM_IOC_ADMIN_INIT_TOKEN, &ai));
	}
	close(fd);
}

TEST_HARNESS_MAIN
