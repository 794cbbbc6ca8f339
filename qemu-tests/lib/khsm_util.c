// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers for the direct-ioctl tests; see khsm_util.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <unistd.h>
#include <argon2.h>

#include "khsm_util.h"

const __u8 t_p256_oid[10] = {
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07
};

const char *t_dev_path(void)
{
	const char *p = getenv("KHSM_DEV");

	return p && *p ? p : "/dev/hsm0";
}

int t_open(void)
{
	return open(t_dev_path(), O_RDWR | O_CLOEXEC);
}

int t_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) == 0 ? 0 : errno;
}

int t_token_info(int fd, struct khsm_token_info *ti)
{
	T_INIT(*ti);
	return t_ioctl(fd, KHSM_IOC_TOKEN_INFO, ti);
}

int t_counts(struct khsm_token_info *ti)
{
	__u32 s, rv;
	int fd = t_open(), err;

	if (fd < 0)
		return errno;
	err = t_open_session(fd, CKF_SERIAL_SESSION | CKF_RW_SESSION, &s, &rv);
	if (!err && t_login(fd, s, CKU_USER, T_USER_PIN, &rv))
		err = t_login(fd, s, CKU_SO, T_SO_PIN, &rv);
	if (!err)
		err = t_token_info(fd, ti);
	close(fd);
	if (err)
		return err;
	ti->sessions--;
	ti->rw_sessions--;
	ti->logged_in_files--;
	return 0;
}

void t_pin_check(struct khsm_pin *p, const char *pin, const __u8 *salt,
		 __u32 t, __u32 m, __u32 par)
{
	int r;

	memset(p, 0, sizeof(*p));
	p->pin_len = strlen(pin);
	if (!t || !m || !par) {
		/* Token reports no cost: use a fixed pattern, it will not match. */
		memset(p->verifier, 0x5a, sizeof(p->verifier));
		return;
	}
	r = argon2id_hash_raw(t, m, par, pin, strlen(pin), salt, KHSM_SALT_LEN,
			      p->verifier, KHSM_VERIFIER_LEN);
	if (r != ARGON2_OK) {
		fprintf(stderr, "# argon2id_hash_raw(t=%u m=%u p=%u): %s\n",
			t, m, par, argon2_error_message(r));
		abort();
	}
}

void t_pin_new(struct khsm_pin *p, const char *pin)
{
	__u8 salt[KHSM_SALT_LEN];

	if (getrandom(salt, sizeof(salt), 0) != sizeof(salt)) {
		perror("# getrandom");
		abort();
	}
	t_pin_check(p, pin, salt, T_T_COST, T_M_COST, T_PAR);
	memcpy(p->salt, salt, sizeof(salt));
	p->t_cost = T_T_COST;
	p->m_cost_kib = T_M_COST;
	p->parallelism = T_PAR;
}

void t_so_check(int fd, struct khsm_pin *p, const char *pin)
{
	struct khsm_token_info ti;

	if (t_token_info(fd, &ti))
		memset(&ti, 0, sizeof(ti));
	t_pin_check(p, pin, ti.so_salt, ti.so_t_cost, ti.so_m_cost_kib,
		    ti.so_parallelism);
}

void t_user_check(int fd, struct khsm_pin *p, const char *pin)
{
	struct khsm_token_info ti;

	if (t_token_info(fd, &ti))
		memset(&ti, 0, sizeof(ti));
	t_pin_check(p, pin, ti.user_salt, ti.user_t_cost, ti.user_m_cost_kib,
		    ti.user_parallelism);
}

int t_init_token_only(int fd)
{
	struct khsm_token_info ti;
	struct khsm_init_token it;
	int err;

	err = t_token_info(fd, &ti);
	if (err) {
		fprintf(stderr, "# TOKEN_INFO failed: %s\n", strerror(err));
		return -1;
	}
	T_INIT(it);
	memset(it.label, ' ', sizeof(it.label));
	memcpy(it.label, T_LABEL, strlen(T_LABEL));
	if (ti.flags & CKF_TOKEN_INITIALIZED)
		t_pin_check(&it.so_check, T_SO_PIN, ti.so_salt, ti.so_t_cost,
			    ti.so_m_cost_kib, ti.so_parallelism);
	t_pin_new(&it.so_new, T_SO_PIN);
	err = t_ioctl(fd, KHSM_IOC_INIT_TOKEN, &it);
	if (err) {
		fprintf(stderr,
			"# INIT_TOKEN failed: %s, rv 0x%x (token %s; the tests need a freshly loaded module or one initialised with their SO PIN)\n",
			strerror(err), it.rv,
			ti.flags & CKF_TOKEN_INITIALIZED ? "initialised" : "uninitialised");
		return -1;
	}
	return 0;
}

int t_reset_token(int fd)
{
	struct khsm_set_pin sp;
	__u32 s, rv;
	int err;

	if (t_init_token_only(fd))
		return -1;
	err = t_open_session(fd, CKF_SERIAL_SESSION | CKF_RW_SESSION, &s, &rv);
	if (err) {
		fprintf(stderr, "# OPEN_SESSION: %s rv 0x%x\n", strerror(err), rv);
		return -1;
	}
	err = t_login(fd, s, CKU_SO, T_SO_PIN, &rv);
	if (err) {
		fprintf(stderr, "# SO LOGIN: %s rv 0x%x\n", strerror(err), rv);
		return -1;
	}
	T_INIT(sp);
	sp.session = s;
	t_pin_new(&sp.new_pin, T_USER_PIN);
	err = t_ioctl(fd, KHSM_IOC_INIT_PIN, &sp);
	if (err) {
		fprintf(stderr, "# INIT_PIN: %s rv 0x%x\n", strerror(err), sp.rv);
		return -1;
	}
	t_logout(fd, s, &rv);
	err = t_close_session(fd, s, &rv);
	if (err) {
		fprintf(stderr, "# CLOSE_SESSION: %s rv 0x%x\n", strerror(err), rv);
		return -1;
	}
	return 0;
}

int t_open_session(int fd, __u32 flags, __u32 *handle, __u32 *rv)
{
	struct khsm_session s;
	int err;

	T_INIT(s);
	s.flags = flags;
	err = t_ioctl(fd, KHSM_IOC_OPEN_SESSION, &s);
	*handle = s.session;
	*rv = s.rv;
	return err;
}

int t_close_session(int fd, __u32 handle, __u32 *rv)
{
	struct khsm_session s;
	int err;

	T_INIT(s);
	s.session = handle;
	err = t_ioctl(fd, KHSM_IOC_CLOSE_SESSION, &s);
	*rv = s.rv;
	return err;
}

int t_login(int fd, __u32 session, __u32 user_type, const char *pin, __u32 *rv)
{
	struct khsm_login l;
	int err;

	T_INIT(l);
	l.session = session;
	l.user_type = user_type;
	if (user_type == CKU_SO)
		t_so_check(fd, &l.pin, pin);
	else
		t_user_check(fd, &l.pin, pin);
	err = t_ioctl(fd, KHSM_IOC_LOGIN, &l);
	*rv = l.rv;
	return err;
}

int t_logout(int fd, __u32 session, __u32 *rv)
{
	struct khsm_login l;
	int err;

	T_INIT(l);
	l.session = session;
	err = t_ioctl(fd, KHSM_IOC_LOGOUT, &l);
	*rv = l.rv;
	return err;
}

__u32 t_user_session(int fd)
{
	__u32 s, rv;

	if (t_open_session(fd, CKF_SERIAL_SESSION | CKF_RW_SESSION, &s, &rv)) {
		fprintf(stderr, "# OPEN_SESSION failed: rv 0x%x\n", rv);
		return 0;
	}
	if (t_login(fd, s, CKU_USER, T_USER_PIN, &rv)) {
		fprintf(stderr, "# user LOGIN failed: rv 0x%x\n", rv);
		return 0;
	}
	return s;
}

void t_tmpl_init(struct t_tmpl *t)
{
	memset(t, 0, sizeof(*t));
}

static struct khsm_attr *t_add(struct t_tmpl *t, __u32 type)
{
	struct khsm_attr *a;

	if (t->n >= T_MAX_ATTRS) {
		fprintf(stderr, "# template overflow\n");
		abort();
	}
	a = &t->a[t->n];
	a->type = type;
	a->flags = 0;
	return a;
}

void t_add_bool(struct t_tmpl *t, __u32 type, int v)
{
	struct khsm_attr *a = t_add(t, type);

	t->b[t->n] = v ? CK_TRUE : CK_FALSE;
	a->value = (uintptr_t)&t->b[t->n];
	a->len = 1;
	t->n++;
}

void t_add_ulong(struct t_tmpl *t, __u32 type, __u64 v)
{
	struct khsm_attr *a = t_add(t, type);

	t->ul[t->n] = v;
	a->value = (uintptr_t)&t->ul[t->n];
	a->len = 8;
	t->n++;
}

void t_add_bytes(struct t_tmpl *t, __u32 type, const void *p, size_t len)
{
	struct khsm_attr *a = t_add(t, type);

	a->value = (uintptr_t)p;
	a->len = len;
	t->n++;
}

int t_create(int fd, __u32 session, struct t_tmpl *t, __u32 *obj, __u32 *rv)
{
	struct khsm_object o;
	int err;

	T_INIT(o);
	o.session = session;
	o.count = t->n;
	o.tmpl = (uintptr_t)t->a;
	err = t_ioctl(fd, KHSM_IOC_CREATE_OBJECT, &o);
	if (obj)
		*obj = o.object;
	*rv = o.rv;
	return err;
}

int t_destroy(int fd, __u32 session, __u32 obj, __u32 *rv)
{
	struct khsm_object o;
	int err;

	T_INIT(o);
	o.session = session;
	o.object = obj;
	err = t_ioctl(fd, KHSM_IOC_DESTROY_OBJECT, &o);
	*rv = o.rv;
	return err;
}

int t_get_attr(int fd, __u32 session, __u32 obj, __u32 type, void *buf,
	       __u64 *len, __u32 *rv)
{
	struct khsm_attr a = { .type = type, .len = *len, .value = (uintptr_t)buf };
	struct khsm_object o;
	int err;

	T_INIT(o);
	o.session = session;
	o.object = obj;
	o.count = 1;
	o.tmpl = (uintptr_t)&a;
	err = t_ioctl(fd, KHSM_IOC_GET_ATTRS, &o);
	*len = a.len;
	*rv = o.rv;
	return err;
}

int t_find(int fd, __u32 session, struct t_tmpl *t, __u32 *out, __u32 max)
{
	struct khsm_find f;
	int err, got;

	T_INIT(f);
	f.session = session;
	if (t) {
		f.count = t->n;
		f.ptr = (uintptr_t)t->a;
	}
	err = t_ioctl(fd, KHSM_IOC_FIND_INIT, &f);
	if (err)
		return -err;
	T_INIT(f);
	f.session = session;
	f.count = max;
	f.ptr = (uintptr_t)out;
	err = t_ioctl(fd, KHSM_IOC_FIND, &f);
	got = f.count;
	T_INIT(f);
	f.session = session;
	if (t_ioctl(fd, KHSM_IOC_FIND_FINAL, &f) && !err)
		err = EIO;
	return err ? -err : got;
}

void t_tmpl_aes(struct t_tmpl *t, const void *key, size_t len, int token)
{
	t_tmpl_init(t);
	t_add_ulong(t, CKA_CLASS, CKO_SECRET_KEY);
	t_add_ulong(t, CKA_KEY_TYPE, CKK_AES);
	t_add_bool(t, CKA_TOKEN, token);
	t_add_bool(t, CKA_ENCRYPT, 1);
	t_add_bool(t, CKA_DECRYPT, 1);
	t_add_bytes(t, CKA_VALUE, key, len);
}

void t_tmpl_data(struct t_tmpl *t, const char *value, int token, int priv)
{
	t_tmpl_init(t);
	t_add_ulong(t, CKA_CLASS, CKO_DATA);
	t_add_bool(t, CKA_TOKEN, token);
	t_add_bool(t, CKA_PRIVATE, priv);
	t_add_bytes(t, CKA_VALUE, value, strlen(value));
}

int t_gen_p256(int fd, __u32 session, int token, __u32 *pub, __u32 *priv,
	       __u32 *rv)
{
	struct t_tmpl pt, kt;
	struct khsm_keygen g;
	int err;

	t_tmpl_init(&pt);
	t_add_bool(&pt, CKA_TOKEN, token);
	t_add_bool(&pt, CKA_VERIFY, 1);
	t_add_bytes(&pt, CKA_EC_PARAMS, t_p256_oid, sizeof(t_p256_oid));
	t_tmpl_init(&kt);
	t_add_bool(&kt, CKA_TOKEN, token);
	t_add_bool(&kt, CKA_SIGN, 1);
	t_add_bool(&kt, CKA_SENSITIVE, 1);
	t_add_bool(&kt, CKA_PRIVATE, 1);
	T_INIT(g);
	g.session = session;
	g.mechanism = CKM_EC_KEY_PAIR_GEN;
	g.pub_template = (uintptr_t)pt.a;
	g.pub_count = pt.n;
	g.priv_template = (uintptr_t)kt.a;
	g.priv_count = kt.n;
	err = t_ioctl(fd, KHSM_IOC_GENERATE_KEY_PAIR, &g);
	*pub = g.pub_handle;
	*priv = g.priv_handle;
	*rv = g.rv;
	return err;
}

int t_op_init(int fd, __u32 session, __u32 op, __u32 mech, __u32 key,
	      const void *param, __u32 param_len, __u32 *rv)
{
	struct khsm_op_init oi;
	int err;

	T_INIT(oi);
	oi.session = session;
	oi.op = op;
	oi.mechanism = mech;
	oi.key = key;
	oi.param = (uintptr_t)param;
	oi.param_len = param_len;
	err = t_ioctl(fd, KHSM_IOC_OP_INIT, &oi);
	*rv = oi.rv;
	return err;
}

int t_op_cancel(int fd, __u32 session, __u32 op)
{
	struct khsm_op_init oi;

	T_INIT(oi);
	oi.session = session;
	oi.op = op;
	oi.flags = KHSM_OP_INIT_F_CANCEL;
	return t_ioctl(fd, KHSM_IOC_OP_INIT, &oi);
}

int t_op_data(int fd, __u32 session, __u32 op, __u32 step, const void *in,
	      size_t in_len, void *out, __u64 *out_len, __u32 *rv)
{
	struct khsm_op_data d;
	int err;

	T_INIT(d);
	d.session = session;
	d.op = op;
	d.step = step;
	d.in = (uintptr_t)in;
	d.in_len = in_len;
	d.out = (uintptr_t)out;
	d.out_len = out_len ? *out_len : 0;
	err = t_ioctl(fd, KHSM_IOC_OP_DATA, &d);
	if (out_len)
		*out_len = d.out_len;
	*rv = d.rv;
	return err;
}

__u32 t_aes_key(int fd, __u32 session, const __u8 *key, size_t len)
{
	struct t_tmpl t;
	__u32 h = 0, rv;

	t_tmpl_aes(&t, key, len, 0);
	if (t_create(fd, session, &t, &h, &rv))
		return 0;
	return h;
}

__u32 t_gcm_param(__u8 *buf, const __u8 *iv, __u32 ivl, const __u8 *aad,
		  __u32 aadl, __u32 tagbits)
{
	struct khsm_gcm_params gp = {
		.gcm_iv_len = ivl, .gcm_aad_len = aadl, .gcm_tag_bits = tagbits,
	};

	memcpy(buf, &gp, sizeof(gp));
	if (ivl)
		memcpy(buf + sizeof(gp), iv, ivl);
	if (aadl)
		memcpy(buf + sizeof(gp) + ivl, aad, aadl);
	return sizeof(gp) + ivl + aadl;
}

size_t t_unhex(const char *hex, __u8 *out, size_t max)
{
	size_t n = 0;
	unsigned int v;

	while (hex[0] && hex[1] && n < max) {
		if (sscanf(hex, "%2x", &v) != 1)
			break;
		out[n++] = v;
		hex += 2;
	}
	return n;
}
