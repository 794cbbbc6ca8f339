// SPDX-License-Identifier: GPL-2.0
/*
 * The attribute table of README.md ("## Attributes"), walked with direct
 * ioctls. The test carries the same table compiled in (rows[] below) and
 * first checks that README's rows are exactly these, so README and the
 * kernel cannot drift apart without this test failing. Then, for every
 * attribute and every class (data object, certificate, AES secret key, EC
 * private and public key, all session objects of a logged-in user):
 *   get     CKR_OK, CKR_ATTRIBUTE_SENSITIVE (hidden) or
 *           CKR_ATTRIBUTE_TYPE_INVALID (not an attribute of the class)
 *   create  the class's base template plus the attribute: CKR_OK, or
 *           READ_ONLY (computed), TEMPLATE_INCONSISTENT (no-create),
 *           TYPE_INVALID (not of the class: never silently dropped)
 *   set     the current value: CKR_OK (rw) or READ_ONLY / TYPE_INVALID
 *   copy    the current value: CKR_OK (rw, copy) or READ_ONLY / TYPE_INVALID
 * and for every sticky attribute the forbidden direction in set and copy
 * (CKR_ATTRIBUTE_READ_ONLY) and the allowed one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "khsm_util.h"

#ifndef KHSM_TOP
#define KHSM_TOP "."
#endif

enum { C_DATA, C_CERT, C_SECRET, C_PRIV, C_PUB, N_CLASSES };

static const char *const class_names[N_CLASSES] = {
	"data", "cert", "secret", "private", "public",
};

struct row {
	const char *name;
	__u32 type;
	char kind;		/* 'b' bool, 'u' ulong, 's' bytes, 'a' ulong[],
				 * 't' attribute array (khsm_tmpl_rec) */
	const char *cell[N_CLASSES];
};

#define R(t, k, d, c, s, pr, pu) { #t, t, k, { d, c, s, pr, pu } }

/* Keep in step with README.md's table (the test checks it). */
static const struct row rows[] = {
	R(CKA_CLASS, 'u', "fixed", "fixed", "fixed", "fixed", "fixed"),
	R(CKA_TOKEN, 'b', "copy", "copy", "copy", "copy", "copy"),
	R(CKA_PRIVATE, 'b', "copy", "copy", "copy,->true", "copy,->true", "copy"),
	R(CKA_MODIFIABLE, 'b', "copy,->false", "copy,->false", "copy,->false",
	  "copy,->false", "copy,->false"),
	R(CKA_COPYABLE, 'b', "rw,->false", "rw,->false", "rw,->false",
	  "rw,->false", "rw,->false"),
	R(CKA_DESTROYABLE, 'b', "rw,->false", "rw,->false", "rw,->false",
	  "rw,->false", "rw,->false"),
	R(CKA_LABEL, 's', "rw", "rw", "rw", "rw", "rw"),
	R(CKA_APPLICATION, 's', "rw", "-", "-", "-", "-"),
	R(CKA_OBJECT_ID, 's', "rw", "-", "-", "-", "-"),
	R(CKA_VALUE, 's', "rw", "fixed", "fixed,hidden,no-gen",
	  "fixed,hidden,no-gen", "-"),
	R(CKA_CERTIFICATE_TYPE, 'u', "-", "fixed", "-", "-", "-"),
	R(CKA_CERTIFICATE_CATEGORY, 'u', "-", "rw", "-", "-", "-"),
	R(CKA_CHECK_VALUE, 's', "-", "rw", "-", "-", "-"),
	R(CKA_SUBJECT, 's', "-", "fixed", "-", "rw", "rw"),
	R(CKA_ISSUER, 's', "-", "rw", "-", "-", "-"),
	R(CKA_SERIAL_NUMBER, 's', "-", "rw", "-", "-", "-"),
	R(CKA_URL, 's', "-", "rw", "-", "-", "-"),
	R(CKA_ID, 's', "-", "rw", "rw", "rw", "rw"),
	R(CKA_START_DATE, 's', "-", "rw", "rw", "rw", "rw"),
	R(CKA_END_DATE, 's', "-", "rw", "rw", "rw", "rw"),
	R(CKA_KEY_TYPE, 'u', "-", "-", "fixed", "fixed", "fixed"),
	R(CKA_DERIVE, 'b', "-", "-", "rw", "rw", "rw"),
	R(CKA_ALLOWED_MECHANISMS, 'a', "-", "-", "rw,narrow", "rw,narrow",
	  "rw,narrow"),
	R(CKA_LOCAL, 'b', "-", "-", "computed", "computed", "computed"),
	R(CKA_KEY_GEN_MECHANISM, 'u', "-", "-", "computed", "computed",
	  "computed"),
	R(CKA_ENCRYPT, 'b', "-", "-", "rw", "-", "rw"),
	R(CKA_VERIFY, 'b', "-", "-", "rw", "-", "rw"),
	R(CKA_WRAP, 'b', "-", "-", "rw", "-", "rw"),
	R(CKA_VERIFY_RECOVER, 'b', "-", "-", "-", "-", "rw"),
	R(CKA_DECRYPT, 'b', "-", "-", "rw", "rw", "-"),
	R(CKA_SIGN, 'b', "-", "-", "rw", "rw", "-"),
	R(CKA_UNWRAP, 'b', "-", "-", "rw", "rw", "-"),
	R(CKA_SIGN_RECOVER, 'b', "-", "-", "-", "rw", "-"),
	R(CKA_SENSITIVE, 'b', "-", "-", "rw,->true", "rw,->true", "-"),
	R(CKA_EXTRACTABLE, 'b', "-", "-", "rw,->false", "rw,->false", "-"),
	R(CKA_ALWAYS_SENSITIVE, 'b', "-", "-", "computed", "computed", "-"),
	R(CKA_NEVER_EXTRACTABLE, 'b', "-", "-", "computed", "computed", "-"),
	R(CKA_WRAP_WITH_TRUSTED, 'b', "-", "-", "rw,->true", "rw,->true", "-"),
	R(CKA_TRUSTED, 'b', "-", "-", "rw,so", "-", "rw,so"),
	R(CKA_WRAP_TEMPLATE, 't', "-", "-", "rw", "-", "rw"),
	R(CKA_UNWRAP_TEMPLATE, 't', "-", "-", "rw", "rw", "-"),
	R(CKA_ALWAYS_AUTHENTICATE, 'b', "-", "-", "-", "rw,->true", "-"),
	R(CKA_VALUE_LEN, 'u', "-", "-", "fixed,no-create", "-", "-"),
	R(CKA_EC_PARAMS, 's', "-", "-", "-", "fixed", "fixed"),
	R(CKA_EC_POINT, 's', "-", "-", "-", "-", "fixed,no-gen"),
};
#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

static int has(const char *cell, const char *word)
{
	size_t n = strlen(word);
	const char *p = cell;

	while ((p = strstr(p, word))) {
		if ((p == cell || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}

/* --- README ----------------------------------------------------------- */

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '`')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '`' || e[-1] == '\n'))
		*--e = 0;
	return s;
}

/* Split a table line "| a | b | ... |" into at most @max cells. */
static int split_row(char *line, char **cells, int max)
{
	int n = 0;
	char *p = strchr(line, '|'), *q;

	while (p && n < max) {
		q = strchr(p + 1, '|');
		if (!q)
			break;
		*q = 0;
		cells[n++] = trim(p + 1);
		p = q;
	}
	return n;
}

static const char *readme_path(char *buf, size_t len)
{
	const char *top = getenv("KHSM_REPO");

	snprintf(buf, len, "%s/README.md", top && *top ? top : KHSM_TOP);
	return buf;
}

TEST(readme_table_is_the_tested_table)
{
	char path[4096], line[1024], *cells[8];
	unsigned int seen[N_ROWS] = { 0 }, i, n_rows = 0;
	int in = 0, c, n;
	FILE *f;

	f = fopen(readme_path(path, sizeof(path)), "r");
	ASSERT_NE(NULL, f) TH_LOG("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "<!-- attr-table-begin -->")) {
			in = 1;
			continue;
		}
		if (strstr(line, "<!-- attr-table-end -->"))
			break;
		if (!in || line[0] != '|' || strstr(line, "|---") ||
		    strstr(line, "| attribute |"))
			continue;
		n = split_row(line, cells, 8);
		ASSERT_EQ(1 + N_CLASSES, n) TH_LOG("README row: %s", line);
		for (i = 0; i < N_ROWS; i++)
			if (!strcmp(rows[i].name, cells[0]))
				break;
		EXPECT_LT(i, N_ROWS) TH_LOG("README lists %s, the test does not", cells[0]);
		if (i == N_ROWS)
			continue;
		seen[i]++;
		n_rows++;
		for (c = 0; c < N_CLASSES; c++)
			EXPECT_STREQ(rows[i].cell[c], cells[1 + c])
				TH_LOG("%s %s", rows[i].name, class_names[c]);
	}
	fclose(f);
	EXPECT_EQ(1, in) TH_LOG("no attr-table-begin marker in %s", path);
	for (i = 0; i < N_ROWS; i++)
		EXPECT_EQ(1U, seen[i]) TH_LOG("%s: %u rows in README", rows[i].name, seen[i]);
	EXPECT_EQ(N_ROWS, n_rows);
}

/* --- objects ---------------------------------------------------------- */

static const __u8 aes_key[16] = "attr-table-key!!";
/* P-256: private scalar 7 and the generator G as the public point. */
static const __u8 ec_priv[32] = { [31] = 7 };
static const __u8 ec_point[67] = {
	0x04, 0x41, 0x04,
	0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5,
	0x63, 0xa4, 0x40, 0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0,
	0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
	0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a,
	0x7c, 0x0f, 0x9e, 0x16, 0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce,
	0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5,
};
static const char cert_der[] = "not parsed by the token";

static void base_tmpl(struct t_tmpl *t, int c)
{
	t_tmpl_init(t);
	switch (c) {
	case C_DATA:
		t_add_ulong(t, CKA_CLASS, CKO_DATA);
		t_add_bytes(t, CKA_VALUE, "v", 1);
		break;
	case C_CERT:
		t_add_ulong(t, CKA_CLASS, CKO_CERTIFICATE);
		t_add_ulong(t, CKA_CERTIFICATE_TYPE, CKC_X_509);
		t_add_bytes(t, CKA_SUBJECT, "subj", 4);
		t_add_bytes(t, CKA_VALUE, cert_der, sizeof(cert_der));
		break;
	case C_SECRET:
		t_add_ulong(t, CKA_CLASS, CKO_SECRET_KEY);
		t_add_ulong(t, CKA_KEY_TYPE, CKK_AES);
		t_add_bytes(t, CKA_VALUE, aes_key, sizeof(aes_key));
		break;
	case C_PRIV:
		t_add_ulong(t, CKA_CLASS, CKO_PRIVATE_KEY);
		t_add_ulong(t, CKA_KEY_TYPE, CKK_EC);
		t_add_bytes(t, CKA_EC_PARAMS, t_p256_oid, sizeof(t_p256_oid));
		t_add_bytes(t, CKA_VALUE, ec_priv, sizeof(ec_priv));
		break;
	case C_PUB:
		t_add_ulong(t, CKA_CLASS, CKO_PUBLIC_KEY);
		t_add_ulong(t, CKA_KEY_TYPE, CKK_EC);
		t_add_bytes(t, CKA_EC_PARAMS, t_p256_oid, sizeof(t_p256_oid));
		t_add_bytes(t, CKA_EC_POINT, ec_point, sizeof(ec_point));
		break;
	}
}

/* The value an attribute takes in the tests: one that is always valid. */
struct val {
	__u8 buf[1024];
	__u64 len;
};

static const struct khsm_attr *tmpl_find(const struct t_tmpl *t, __u32 type)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (t->a[i].type == type)
			return &t->a[i];
	return NULL;
}

static void sample_value(const struct row *r, int c, struct val *v)
{
	struct t_tmpl base;
	const struct khsm_attr *a;
	__u64 u = 0;

	base_tmpl(&base, c);
	a = tmpl_find(&base, r->type);
	if (a) {
		memcpy(v->buf, (const void *)(uintptr_t)a->value, a->len);
		v->len = a->len;
		return;
	}
	switch (r->kind) {
	case 'b':
		/* The default value of each boolean, so sticky ones accept it. */
		switch (r->type) {
		case CKA_TOKEN: case CKA_LOCAL: case CKA_DERIVE:
		case CKA_EXTRACTABLE: case CKA_ALWAYS_SENSITIVE:
		case CKA_NEVER_EXTRACTABLE: case CKA_WRAP_WITH_TRUSTED:
		case CKA_TRUSTED:
		case CKA_ALWAYS_AUTHENTICATE: case CKA_SIGN_RECOVER:
		case CKA_VERIFY_RECOVER:
			v->buf[0] = 0;
			break;
		case CKA_PRIVATE:
			v->buf[0] = c == C_SECRET || c == C_PRIV;
			break;
		default:
			v->buf[0] = 1;
		}
		v->len = 1;
		return;
	case 'u':
		if (r->type == CKA_KEY_TYPE)
			u = c == C_SECRET ? CKK_AES : CKK_EC;
		else if (r->type == CKA_KEY_GEN_MECHANISM)
			u = CK_UNAVAILABLE_INFORMATION;
		else if (r->type == CKA_VALUE_LEN)
			u = sizeof(aes_key);
		memcpy(v->buf, &u, 8);
		v->len = 8;
		return;
	case 'a':
	case 't':
		/* The default (empty: no restriction), which any set allows. */
		v->len = 0;
		return;
	}
	if (r->type == CKA_START_DATE || r->type == CKA_END_DATE) {
		memcpy(v->buf, "20260101", 8);
		v->len = 8;
		return;
	}
	memcpy(v->buf, "sample", 6);
	v->len = 6;
}

/* Base template with @type set to @v (replacing the base's entry). */
static void tmpl_with(struct t_tmpl *t, int c, __u32 type, const struct val *v)
{
	unsigned int i;

	base_tmpl(t, c);
	for (i = 0; i < t->n; i++)
		if (t->a[i].type == type)
			break;
	if (i == t->n)
		t->n++;
	t->a[i].type = type;
	t->a[i].flags = 0;
	t->a[i].len = v->len;
	t->a[i].value = (uintptr_t)v->buf;
}

static int op_tmpl(int fd, unsigned long cmd, __u32 s, __u32 obj, __u32 type,
		   const struct val *v, __u32 *out, __u32 *rv)
{
	struct khsm_attr a = { .type = type, .len = v->len,
			       .value = (uintptr_t)v->buf };
	struct khsm_object o;
	int err;

	T_INIT(o);
	o.session = s;
	o.object = obj;
	o.count = 1;
	o.tmpl = (uintptr_t)&a;
	err = t_ioctl(fd, cmd, &o);
	/* A refused copy leaves the struct's object (the source) as it was. */
	if (out)
		*out = o.rv ? 0 : o.object;
	if (o.rv && o.object != obj)
		*rv = ~0U;	/* something was written back: fails the check */
	else
		*rv = o.rv;
	return err;
}

FIXTURE(at) {
	int fd;
	__u32 s;
};

FIXTURE_SETUP(at)
{
	self->fd = t_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", t_dev_path(), strerror(errno));
	ASSERT_EQ(0, t_reset_token(self->fd));
	self->s = t_user_session(self->fd);
	ASSERT_NE(0U, self->s);
}

FIXTURE_TEARDOWN(at)
{
	close(self->fd);
}

static __u32 make_obj(struct __test_metadata *_metadata, int fd, __u32 s,
		      int c, const struct t_tmpl *extra)
{
	struct t_tmpl t;
	unsigned int i;
	__u32 obj = 0, rv;

	base_tmpl(&t, c);
	for (i = 0; extra && i < extra->n; i++) {
		t.a[t.n] = extra->a[i];
		t.n++;
	}
	EXPECT_EQ(0, t_create(fd, s, &t, &obj, &rv)) TH_LOG("base %s", class_names[c]);
	EXPECT_EQ(CKR_OK, rv) TH_LOG("base %s rv 0x%x", class_names[c], rv);
	return obj;
}

TEST_F(at, every_attribute_every_class)
{
	unsigned int i, checked = 0;
	int c;

	for (c = 0; c < N_CLASSES; c++) {
		__u32 base = make_obj(_metadata, self->fd, self->s, c, NULL);

		ASSERT_NE(0U, base);
		for (i = 0; i < N_ROWS; i++) {
			const struct row *r = &rows[i];
			const char *cell = r->cell[c];
			int absent = !strcmp(cell, "-");
			struct t_tmpl t;
			struct val v;
			__u8 buf[1024];
			__u64 len = sizeof(buf);
			__u32 rv, obj, want;
			int err;

			memset(&v, 0, sizeof(v));
			sample_value(r, c, &v);

			/* get */
			err = t_get_attr(self->fd, self->s, base, r->type, buf, &len, &rv);
			want = absent ? CKR_ATTRIBUTE_TYPE_INVALID :
			       has(cell, "hidden") ? CKR_ATTRIBUTE_SENSITIVE : CKR_OK;
			EXPECT_EQ(want, rv) TH_LOG("get %s of %s: err %d", r->name, class_names[c], err);
			if (want == CKR_OK) {
				EXPECT_EQ(0, err);
			} else {
				EXPECT_EQ(KHSM_LEN_UNAVAILABLE, len)
					TH_LOG("get %s of %s", r->name, class_names[c]);
			}

			/* create */
			tmpl_with(&t, c, r->type, &v);
			obj = 0;
			t_create(self->fd, self->s, &t, &obj, &rv);
			want = absent ? CKR_ATTRIBUTE_TYPE_INVALID :
			       has(cell, "computed") ? CKR_ATTRIBUTE_READ_ONLY :
			       has(cell, "no-create") ? CKR_TEMPLATE_INCONSISTENT : CKR_OK;
			EXPECT_EQ(want, rv) TH_LOG("create %s with %s", class_names[c], r->name);
			if (rv == CKR_OK) {
				EXPECT_NE(0U, obj);
				t_destroy(self->fd, self->s, obj, &rv);
			} else {
				EXPECT_EQ(0U, obj) TH_LOG("create %s with %s", class_names[c], r->name);
			}

			/* set, to the value it has */
			op_tmpl(self->fd, KHSM_IOC_SET_ATTRS, self->s, base, r->type, &v, NULL, &rv);
			want = absent ? CKR_ATTRIBUTE_TYPE_INVALID :
			       has(cell, "rw") ? CKR_OK : CKR_ATTRIBUTE_READ_ONLY;
			EXPECT_EQ(want, rv) TH_LOG("set %s of %s", r->name, class_names[c]);

			/* copy, with the value it has */
			obj = 0;
			op_tmpl(self->fd, KHSM_IOC_COPY_OBJECT, self->s, base, r->type, &v, &obj, &rv);
			want = absent ? CKR_ATTRIBUTE_TYPE_INVALID :
			       has(cell, "rw") || has(cell, "copy") ? CKR_OK :
			       CKR_ATTRIBUTE_READ_ONLY;
			EXPECT_EQ(want, rv) TH_LOG("copy %s with %s", class_names[c], r->name);
			if (rv == CKR_OK && obj != base)
				t_destroy(self->fd, self->s, obj, &rv);
			checked++;
		}
	}
	EXPECT_EQ(N_ROWS * N_CLASSES, checked);
}

/*
 * Sticky booleans: an object made with the sticky value refuses the other
 * one in set and copy; one made with the other value may take the sticky
 * one (set if the attribute is settable, else copy).
 */
TEST_F(at, sticky_attributes_hold)
{
	unsigned int i, checked = 0;
	int c;

	for (c = 0; c < N_CLASSES; c++) {
		for (i = 0; i < N_ROWS; i++) {
			const struct row *r = &rows[i];
			const char *cell = r->cell[c];
			int to_true = has(cell, "->true"), sticky;
			struct t_tmpl extra;
			struct val v = { .len = 1 };
			__u32 obj, copy, rv, want;

			if (!to_true && !has(cell, "->false"))
				continue;
			sticky = to_true;	/* the value that stays */

			/* Made with the sticky value: the other is refused. */
			t_tmpl_init(&extra);
			t_add_bool(&extra, r->type, sticky);
			obj = make_obj(_metadata, self->fd, self->s, c, &extra);
			ASSERT_NE(0U, obj);
			v.buf[0] = !sticky;
			op_tmpl(self->fd, KHSM_IOC_SET_ATTRS, self->s, obj, r->type, &v, NULL, &rv);
			/* An unmodifiable object refuses every set. */
			want = r->type == CKA_MODIFIABLE ? CKR_ACTION_PROHIBITED :
			       CKR_ATTRIBUTE_READ_ONLY;
			EXPECT_EQ(want, rv) TH_LOG("set %s of %s to %d", r->name, class_names[c], !sticky);
			copy = 0;
			op_tmpl(self->fd, KHSM_IOC_COPY_OBJECT, self->s, obj, r->type, &v, &copy, &rv);
			/* An uncopyable object refuses every copy. */
			want = r->type == CKA_COPYABLE ? CKR_ACTION_PROHIBITED :
			       CKR_ATTRIBUTE_READ_ONLY;
			EXPECT_EQ(want, rv) TH_LOG("copy %s with %s %d", class_names[c], r->name, !sticky);
			EXPECT_EQ(0U, copy);

			/* Made with the other value: the sticky one is taken. */
			t_tmpl_init(&extra);
			t_add_bool(&extra, r->type, !sticky);
			obj = make_obj(_metadata, self->fd, self->s, c, &extra);
			ASSERT_NE(0U, obj);
			v.buf[0] = sticky;
			if (has(cell, "rw")) {
				op_tmpl(self->fd, KHSM_IOC_SET_ATTRS, self->s, obj, r->type, &v, NULL, &rv);
				EXPECT_EQ(CKR_OK, rv) TH_LOG("set %s of %s to %d", r->name, class_names[c], sticky);
			} else {
				copy = 0;
				op_tmpl(self->fd, KHSM_IOC_COPY_OBJECT, self->s, obj, r->type, &v, &copy, &rv);
				EXPECT_EQ(CKR_OK, rv) TH_LOG("copy %s with %s %d", class_names[c], r->name, sticky);
				EXPECT_NE(0U, copy);
			}
			checked++;
		}
	}
	/* PRIVATE x2, MODIFIABLE x5, COPYABLE x5, DESTROYABLE x5, SENSITIVE,
	 * EXTRACTABLE, WRAP_WITH_TRUSTED x2, ALWAYS_AUTHENTICATE. */
	EXPECT_EQ(24U, checked);
}

/* The issue's cases by name: what a group member could abuse before. */
TEST_F(at, copy_cannot_make_a_key_public)
{
	struct val f = { .buf = { 0 }, .len = 1 };
	__u32 obj, copy = 0, rv;
	int c;

	for (c = C_SECRET; c <= C_PRIV; c++) {
		obj = make_obj(_metadata, self->fd, self->s, c, NULL);
		ASSERT_NE(0U, obj);
		EXPECT_EQ(EPERM, op_tmpl(self->fd, KHSM_IOC_COPY_OBJECT, self->s, obj,
					 CKA_PRIVATE, &f, &copy, &rv));
		EXPECT_EQ(CKR_ATTRIBUTE_READ_ONLY, rv);
		EXPECT_EQ(0U, copy);
	}
}

TEST_F(at, key_type_on_data_and_cert_refused)
{
	struct val v = { .len = 8 };
	struct t_tmpl t;
	__u64 k = CKK_AES;
	__u32 obj = 0, rv;
	int c;

	memcpy(v.buf, &k, 8);
	for (c = C_DATA; c <= C_CERT; c++) {
		tmpl_with(&t, c, CKA_KEY_TYPE, &v);
		EXPECT_EQ(EINVAL, t_create(self->fd, self->s, &t, &obj, &rv));
		EXPECT_EQ(CKR_ATTRIBUTE_TYPE_INVALID, rv) TH_LOG("%s", class_names[c]);
		EXPECT_EQ(0U, obj);
	}
}

/* --- CKA_WRAP_TEMPLATE / CKA_UNWRAP_TEMPLATE records ------------------- */

/* Append a struct khsm_tmpl_rec record (value zero-padded to 8) to @v. */
static void rec(struct val *v, __u64 type, const void *p, __u32 len)
{
	struct khsm_tmpl_rec r = { .type = type, .len = len };

	memcpy(v->buf + v->len, &r, sizeof(r));
	v->len += sizeof(r);
	memset(v->buf + v->len, 0, (len + 7) & ~7U);
	if (len)
		memcpy(v->buf + v->len, p, len);
	v->len += (len + 7) & ~7U;
}

static void rec_bool(struct val *v, __u64 type, __u8 b)
{
	rec(v, type, &b, 1);
}

static void rec_ulong(struct val *v, __u64 type, __u64 u)
{
	rec(v, type, &u, 8);
}

static __u32 set_tmpl_attr(int fd, __u32 s, __u32 obj, __u32 type,
			   const struct val *v)
{
	__u32 rv;

	op_tmpl(fd, KHSM_IOC_SET_ATTRS, s, obj, type, v, NULL, &rv);
	return rv;
}

TEST_F(at, wrap_templates_are_checked_records)
{
	static const __u32 bools[] = {
		CKA_TOKEN, CKA_PRIVATE, CKA_MODIFIABLE, CKA_COPYABLE,
		CKA_DESTROYABLE, CKA_DERIVE, CKA_ENCRYPT, CKA_DECRYPT,
		CKA_SIGN, CKA_VERIFY, CKA_WRAP, CKA_UNWRAP, CKA_SENSITIVE,
		CKA_EXTRACTABLE, CKA_LOCAL, CKA_TRUSTED, CKA_ALWAYS_SENSITIVE,
	};
	__u32 key = make_obj(_metadata, self->fd, self->s, C_SECRET, NULL);
	__u32 priv = make_obj(_metadata, self->fd, self->s, C_PRIV, NULL);
	__u32 type, rv, obj = 0;
	__u8 got[1024], long_val[KHSM_TMPL_MAX_VALUE + 1];
	__u64 len = sizeof(got);
	struct t_tmpl t;
	struct val v, good;
	unsigned int i;

	ASSERT_NE(0U, key);
	ASSERT_NE(0U, priv);
	ASSERT_EQ(8192U, KHSM_TMPL_MAX_LEN);
	memset(long_val, 'x', sizeof(long_val));

	/* Well formed: set, read back byte for byte. */
	memset(&good, 0, sizeof(good));
	rec_bool(&good, CKA_EXTRACTABLE, 1);
	rec_ulong(&good, CKA_KEY_TYPE, CKK_AES);
	rec(&good, CKA_LABEL, "kek", 3);
	EXPECT_EQ(CKR_OK, set_tmpl_attr(self->fd, self->s, key, CKA_WRAP_TEMPLATE, &good));
	EXPECT_EQ(CKR_OK, set_tmpl_attr(self->fd, self->s, key, CKA_UNWRAP_TEMPLATE, &good));
	EXPECT_EQ(0, t_get_attr(self->fd, self->s, key, CKA_WRAP_TEMPLATE, got, &len, &rv));
	EXPECT_EQ(CKR_OK, rv);
	ASSERT_EQ(good.len, len);
	EXPECT_EQ(0, memcmp(good.buf, got, len));
	/* Private key: UNWRAP_TEMPLATE yes, WRAP_TEMPLATE no. */
	EXPECT_EQ(CKR_OK, set_tmpl_attr(self->fd, self->s, priv, CKA_UNWRAP_TEMPLATE, &good));
	EXPECT_EQ(CKR_ATTRIBUTE_TYPE_INVALID,
		  set_tmpl_attr(self->fd, self->s, priv, CKA_WRAP_TEMPLATE, &good));

	for (type = CKA_WRAP_TEMPLATE; type <= CKA_UNWRAP_TEMPLATE; type++) {
		/* Trailing bytes, a short header. */
		v = good;
		v.len += 4;
		EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, set_tmpl_attr(self->fd, self->s, key, type, &v));
		v.len = good.len - 8;
		EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, set_tmpl_attr(self->fd, self->s, key, type, &v));
		/* A non-zero pad field; a non-zero padding byte. */
		v = good;
		v.buf[12] = 1;
		EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, set_tmpl_attr(self->fd, self->s, key, type, &v));
		v = good;
		v.buf[17] = 1;	/* after the CK_BBOOL of the first record */
		EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, set_tmpl_attr(self->fd, self->s, key, type, &v));
		/* Nested array attributes. */
		memset(&v, 0, sizeof(v));
		rec(&v, CKA_WRAP_TEMPLATE, NULL, 0);
		EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, set_tmpl_attr(self->fd, self->s, key, type, &v));
		memset(&v, 0, sizeof(v));
		rec_ulong(&v, CKA_ALLOWED_MECHANISMS, CKM_AES_KEY_WRAP);
		EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, set_tmpl_attr(self->fd, self->s, key, type, &v));
		/* A type twice. */
		memset(&v, 0, sizeof(v));
		rec_bool(&v, CKA_ENCRYPT, 1);
		rec_bool(&v, CKA_ENCRYPT, 1);
		EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, set_tmpl_attr(self->fd, self->s, key, type, &v));
		/* Unknown type, a secret one, wrong value lengths. */
		memset(&v, 0, sizeof(v));
		rec_bool(&v, 0x7fff0000, 1);
		EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, set_tmpl_attr(self->fd, self->s, key, type, &v));
		memset(&v, 0, sizeof(v));
		rec(&v, CKA_VALUE, aes_key, sizeof(aes_key));
		EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, set_tmpl_attr(self->fd, self->s, key, type, &v));
		memset(&v, 0, sizeof(v));
		rec_ulong(&v, CKA_ENCRYPT, 1);
		EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, set_tmpl_attr(self->fd, self->s, key, type, &v));
		memset(&v, 0, sizeof(v));
		rec_bool(&v, CKA_KEY_TYPE, 0);
		EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, set_tmpl_attr(self->fd, self->s, key, type, &v));
		memset(&v, 0, sizeof(v));
		rec_bool(&v, CKA_ENCRYPT, 2);
		EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, set_tmpl_attr(self->fd, self->s, key, type, &v));
		/* Value lengths: KHSM_TMPL_MAX_VALUE, one more. */
		memset(&v, 0, sizeof(v));
		rec(&v, CKA_LABEL, long_val, KHSM_TMPL_MAX_VALUE);
		EXPECT_EQ(CKR_OK, set_tmpl_attr(self->fd, self->s, key, type, &v));
		memset(&v, 0, sizeof(v));
		rec(&v, CKA_LABEL, long_val, KHSM_TMPL_MAX_VALUE + 1);
		EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, set_tmpl_attr(self->fd, self->s, key, type, &v));
		/* KHSM_TMPL_MAX_RECS records, one more. */
		memset(&v, 0, sizeof(v));
		for (i = 0; i < KHSM_TMPL_MAX_RECS; i++)
			rec_bool(&v, bools[i], 1);
		EXPECT_EQ(CKR_OK, set_tmpl_attr(self->fd, self->s, key, type, &v));
		rec_bool(&v, bools[KHSM_TMPL_MAX_RECS], 1);
		EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, set_tmpl_attr(self->fd, self->s, key, type, &v));
		/* Empty: no constraint. */
		v.len = 0;
		EXPECT_EQ(CKR_OK, set_tmpl_attr(self->fd, self->s, key, type, &v));
	}

	/* C_CreateObject checks the same. */
	memset(&v, 0, sizeof(v));
	rec(&v, CKA_UNWRAP_TEMPLATE, NULL, 0);
	tmpl_with(&t, C_SECRET, CKA_UNWRAP_TEMPLATE, &v);
	t_create(self->fd, self->s, &t, &obj, &rv);
	EXPECT_EQ(CKR_ATTRIBUTE_VALUE_INVALID, rv);
	EXPECT_EQ(0U, obj);
	tmpl_with(&t, C_SECRET, CKA_UNWRAP_TEMPLATE, &good);
	t_create(self->fd, self->s, &t, &obj, &rv);
	EXPECT_EQ(CKR_OK, rv);
	EXPECT_NE(0U, obj);
}

TEST_HARNESS_MAIN
