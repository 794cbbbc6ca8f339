// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * KHSM_IOC_STATE: export and load of the sealed token state (the blob
 * formats are the uAPI's; libhsm only carries them).
 */
#include <stdlib.h>
#include <string.h>

#include "state.h"

#define HSMI_EXPORT_GUESS	4096
/* The largest blob: a header listing KHSM_STATE_MAX_ENTRIES objects. */
#define HSMI_EXPORT_MAX		(sizeof(struct khsm_state_hdr) + \
				 (__u64)KHSM_STATE_MAX_ENTRIES * \
				 sizeof(struct khsm_state_ent))

static void hsmi_state_io_init(struct khsm_state_io *io, __u32 what)
{
	memset(io, 0, sizeof(*io));
	io->size = sizeof(*io);
	io->what = what;
}

unsigned long hsmi_export(const struct hsm_token *tok, __u32 what,
			  __u32 handle, __u64 oid, void **blob, size_t *len,
			  __u64 *oid_out, __u64 *gen_out)
{
	struct khsm_state_io io;
	size_t cap = HSMI_EXPORT_GUESS;
	unsigned long rv;
	void *b;
	int tries;

	*blob = NULL;
	*len = 0;
	/*
	 * Most blobs fit a first guess, which saves the kernel a second
	 * seal; else the length it answers, again if it grew meanwhile.
	 */
	b = hsmi_alloc(cap);
	if (!b)
		return CKR_HOST_MEMORY;
	for (tries = 0; tries < 8; tries++) {
		hsmi_state_io_init(&io, what);
		io.handle = handle;
		io.oid = oid;
		io.buf = hsmi_ptr(b);
		io.len = cap;
		rv = hsmi_ioctl(tok, KHSM_IOC_STATE, &io);
		if (rv == CKR_OK) {
			if (oid_out)
				*oid_out = io.oid;
			if (gen_out)
				*gen_out = io.gen;
			if (!io.len || io.len > cap) {	/* no blob */
				hsm_free(b);
				b = NULL;
			}
			*blob = b;
			*len = b ? (size_t)io.len : 0;
			return CKR_OK;
		}
		hsm_free(b);
		if (rv != CKR_BUFFER_TOO_SMALL)
			return rv;
		if (io.len <= cap || io.len > HSMI_EXPORT_MAX)
			return CKR_DEVICE_ERROR;
		cap = (size_t)io.len;
		b = hsmi_alloc(cap);
		if (!b)
			return CKR_HOST_MEMORY;
		/* NEXT: the next call must find the same object. */
		if (what == KHSM_STATE_EXPORT_NEXT && io.oid)
			oid = io.oid;
	}
	hsm_free(b);
	return CKR_DEVICE_ERROR;
}

unsigned long hsm_state_export_header(const struct hsm_token *tok,
				      void **blob, size_t *len)
{
	if (!blob || !len)
		return CKR_ARGUMENTS_BAD;
	return hsmi_export(tok, KHSM_STATE_EXPORT_HEADER, 0, 0, blob, len,
			   NULL, NULL);
}

unsigned long hsm_state_export_object(const struct hsm_token *tok,
				      uint32_t handle, void **blob,
				      size_t *len, uint64_t *oid,
				      uint64_t *gen)
{
	struct khsm_state_io io;
	__u64 o = 0, g = 0;
	unsigned long rv;

	if ((blob && !len) || (!blob && !oid && !gen))
		return CKR_ARGUMENTS_BAD;
	if (blob) {
		rv = hsmi_export(tok, KHSM_STATE_EXPORT_OBJECT, handle, 0,
				 blob, len, &o, &g);
	} else {
		hsmi_state_io_init(&io, KHSM_STATE_EXPORT_OBJECT);
		io.flags = KHSM_STATE_EXPORT_F_ID_ONLY;
		io.handle = handle;
		rv = hsmi_ioctl(tok, KHSM_IOC_STATE, &io);
		o = io.oid;
		g = io.gen;
	}
	if (rv != CKR_OK)
		return rv;
	if (oid)
		*oid = o;
	if (gen)
		*gen = g;
	return CKR_OK;
}

unsigned long hsm_state_export_next(const struct hsm_token *tok,
				    uint64_t *oid, void **blob, size_t *len,
				    uint64_t *gen)
{
	__u64 o = 0, g = 0;
	unsigned long rv;

	if (!oid || !blob || !len)
		return CKR_ARGUMENTS_BAD;
	rv = hsmi_export(tok, KHSM_STATE_EXPORT_NEXT, 0, *oid, blob, len,
			 &o, &g);
	if (rv != CKR_OK)
		return rv;
	*oid = o;
	if (gen)
		*gen = g;
	return CKR_OK;
}

unsigned long hsm_state_load_header(const struct hsm_token *tok,
				    const void *blob, size_t len,
				    const void *so_pin, size_t so_pin_len)
{
	const struct khsm_state_hdr *h = blob;
	struct khsm_state_io io;
	unsigned long rv;

	if (!blob || !len || (!so_pin && so_pin_len))
		return CKR_ARGUMENTS_BAD;
	hsmi_state_io_init(&io, KHSM_STATE_LOAD_HEADER);
	io.buf = hsmi_ptr(blob);
	io.len = len;
	if (so_pin) {
		/* The verifier of the header's SO PIN (its salt and cost). */
		if (len < sizeof(*h) || so_pin_len > UINT32_MAX)
			return len < sizeof(*h) ? CKR_ARGUMENTS_BAD :
						  CKR_PIN_LEN_RANGE;
		io.flags = KHSM_STATE_LOAD_F_SO_PIN;
		io.pin.pin_len = (__u32)so_pin_len;
		rv = hsm_pin_derive(so_pin, so_pin_len, h->so.salt,
				    h->so.t_cost, h->so.m_cost_kib,
				    h->so.parallelism, io.pin.verifier);
		if (rv != CKR_OK) {
			explicit_bzero(&io, sizeof(io));
			/* No usable cost: not a header with an SO PIN. */
			return rv == CKR_ARGUMENTS_BAD ? CKR_PIN_INCORRECT : rv;
		}
	}
	rv = hsmi_ioctl(tok, KHSM_IOC_STATE, &io);
	explicit_bzero(&io, sizeof(io));
	return rv;
}

unsigned long hsm_state_load_object(const struct hsm_token *tok,
				    const void *blob, size_t len,
				    uint64_t oid, uint32_t *status)
{
	struct khsm_state_io io;
	unsigned long rv;

	if (!blob || !len || !status)
		return CKR_ARGUMENTS_BAD;
	hsmi_state_io_init(&io, KHSM_STATE_LOAD_OBJECT);
	io.buf = hsmi_ptr(blob);
	io.len = len;
	io.oid = oid;
	rv = hsmi_ioctl(tok, KHSM_IOC_STATE, &io);
	if (rv == CKR_OK)
		*status = io.status;
	return rv;
}

unsigned long hsm_state_load_finish(const struct hsm_token *tok,
				    uint64_t *missing)
{
	struct khsm_state_io io;
	unsigned long rv;

	hsmi_state_io_init(&io, KHSM_STATE_LOAD_FINISH);
	rv = hsmi_ioctl(tok, KHSM_IOC_STATE, &io);
	if (rv == CKR_OK && missing)
		*missing = io.count;
	return rv;
}
