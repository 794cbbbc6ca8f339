// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Cryptographic operations and mechanism queries: KHSM_IOC_OP_INIT (and its
 * cancel form), KHSM_IOC_OP_DATA with the PKCS#11 length protocol,
 * KHSM_IOC_GENERATE_RANDOM, KHSM_IOC_MECH_LIST, KHSM_IOC_MECH_INFO.
 */
#include <stdint.h>
#include <string.h>

#include "internal.h"

unsigned long hsm_op_init(const struct hsm_token *tok, uint32_t session,
			  unsigned int op, const struct hsm_mechanism *mech,
			  uint32_t key)
{
	struct hsmi_param p;
	struct khsm_op_init o;
	unsigned long rv;

	rv = hsmi_param_get(mech, &p);
	if (rv != CKR_OK)
		return rv;
	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	o.session = session;
	o.op = op;
	o.mechanism = (__u32)mech->mechanism;
	o.key = key;
	o.param = hsmi_ptr(p.param);
	o.param_len = p.len;
	rv = hsmi_ioctl(tok, KHSM_IOC_OP_INIT, &o);
	hsmi_param_put(&p);
	return rv;
}

unsigned long hsm_op_cancel(const struct hsm_token *tok, uint32_t session,
			    unsigned int op)
{
	struct khsm_op_init o;

	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	o.session = session;
	o.op = op;
	o.flags = KHSM_OP_INIT_F_CANCEL;
	return hsmi_ioctl(tok, KHSM_IOC_OP_INIT, &o);
}

unsigned long hsm_op_data(const struct hsm_token *tok, uint32_t session,
			  unsigned int op, unsigned int step,
			  const void *in, unsigned long in_len,
			  void *out, unsigned long *out_len)
{
	struct khsm_op_data d;
	unsigned long rv;

	if (out && !out_len)
		return CKR_ARGUMENTS_BAD;
	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.session = session;
	d.op = op;
	d.step = step;
	d.in = hsmi_ptr(in);
	d.in_len = in_len;
	d.out = hsmi_ptr(out);
	d.out_len = out && out_len ? *out_len : 0;
	rv = hsmi_ioctl(tok, KHSM_IOC_OP_DATA, &d);
	if ((rv == CKR_OK || rv == CKR_BUFFER_TOO_SMALL) && out_len)
		*out_len = (unsigned long)d.out_len;
	return rv;
}

unsigned long hsm_op_verify(const struct hsm_token *tok, uint32_t session,
			    unsigned int step, const void *in,
			    unsigned long in_len, const void *sig,
			    unsigned long sig_len)
{
	struct khsm_op_data d;

	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.session = session;
	d.op = KHSM_OP_VERIFY;
	d.step = step;
	d.in = hsmi_ptr(in);
	d.in_len = in_len;
	d.out = hsmi_ptr(sig);
	d.out_len = sig_len;
	return hsmi_ioctl(tok, KHSM_IOC_OP_DATA, &d);
}

unsigned long hsm_generate_random(const struct hsm_token *tok,
				  uint32_t session, void *buf,
				  unsigned long len)
{
	unsigned char *p = buf;
	struct khsm_random r;
	unsigned long rv, chunk;

	if (!buf && len)
		return CKR_ARGUMENTS_BAD;
	rv = hsm_check_pid(tok);
	if (rv != CKR_OK)
		return rv;
	do {
		chunk = len;
		if (tok->version.max_data_len && chunk > tok->version.max_data_len)
			chunk = tok->version.max_data_len;
		memset(&r, 0, sizeof(r));
		r.size = sizeof(r);
		r.session = session;
		r.buf = hsmi_ptr(p);
		r.len = chunk;
		rv = hsmi_ioctl(tok, KHSM_IOC_GENERATE_RANDOM, &r);
		if (rv != CKR_OK)
			return rv;
		p += chunk;
		len -= chunk;
	} while (len);
	return CKR_OK;
}

unsigned long hsm_mech_list(const struct hsm_token *tok, uint32_t *mechs,
			    unsigned long *count)
{
	struct khsm_mech_list m;
	unsigned long rv;

	if (!count)
		return CKR_ARGUMENTS_BAD;
	memset(&m, 0, sizeof(m));
	m.size = sizeof(m);
	if (mechs) {
		m.count = *count > UINT32_MAX ? UINT32_MAX : (__u32)*count;
		m.mechs = hsmi_ptr(mechs);
	}
	rv = hsmi_ioctl(tok, KHSM_IOC_MECH_LIST, &m);
	if (rv == CKR_OK || rv == CKR_BUFFER_TOO_SMALL)
		*count = m.count;
	return rv;
}

unsigned long hsm_mech_info(const struct hsm_token *tok,
			    unsigned long mechanism,
			    struct hsm_mech_info *info)
{
	struct khsm_mech_info m;
	unsigned long rv;

	if (!info)
		return CKR_ARGUMENTS_BAD;
	if (mechanism > UINT32_MAX)
		return CKR_MECHANISM_INVALID;
	memset(&m, 0, sizeof(m));
	m.size = sizeof(m);
	m.mechanism = (__u32)mechanism;
	rv = hsmi_ioctl(tok, KHSM_IOC_MECH_INFO, &m);
	if (rv != CKR_OK)
		return rv;
	info->min_key_size = (unsigned long)m.min_key_size;
	info->max_key_size = (unsigned long)m.max_key_size;
	info->flags = (unsigned long)m.flags;
	return CKR_OK;
}
