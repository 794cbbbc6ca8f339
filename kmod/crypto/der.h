/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Strict DER (X.690 section 10) reader and writer for the PKCS#8 codec
 * (pkcs8.c). Portable C like the rest of the engine: no allocation, no
 * libc beyond memcpy, same code in the kernel and in userspace.
 *
 * Reader: a cursor over a buffer. Every element is checked against the
 * bytes left (no read past the end), its tag must be a low tag number
 * (one byte), its length definite and minimally encoded (short form
 * below 128, else the fewest long-form bytes, at most 4 of them).
 * Functions return 0 or KC_EINPUT and, on error, leave the cursor as it
 * was.
 *
 * Writer: a cursor over an output buffer that only counts when the
 * buffer is NULL (so one function both sizes and writes an encoding);
 * writing past @cap sets @err and writes nothing more.
 */
#ifndef KC_DER_H
#define KC_DER_H

#include "shim.h"

#define KC_DER_INTEGER		0x02
#define KC_DER_BIT_STRING	0x03
#define KC_DER_OCTET_STRING	0x04
#define KC_DER_NULL		0x05
#define KC_DER_OID		0x06
#define KC_DER_SEQUENCE		0x30
#define KC_DER_CTX_CONS(n)	(0xa0 | (n))	/* [n] constructed */
#define KC_DER_CTX_PRIM(n)	(0x80 | (n))	/* [n] IMPLICIT, primitive */

/* Largest content length the reader takes (and the writer makes). */
#define KC_DER_MAX_LEN		0xffffffUL

struct kc_der {
	const u8 *p;
	size_t len;
};

/* The tag of the next element, or -1 if the cursor is empty. */
int kc_der_peek(const struct kc_der *c);
/*
 * Read the next element, which must have tag @tag: @val (may be NULL)
 * gets its content, the cursor moves past it.
 */
int kc_der_get(struct kc_der *c, u8 tag, struct kc_der *val);
/*
 * An optional element: if the next element has tag @tag, as
 * kc_der_get() and *@present = 1; otherwise nothing is read and
 * *@present = 0.
 */
int kc_der_get_opt(struct kc_der *c, u8 tag, struct kc_der *val,
		   int *present);
/*
 * A non-negative INTEGER, minimally encoded: @mag gets its magnitude
 * without any leading zero byte (empty for 0).
 */
int kc_der_get_uint(struct kc_der *c, struct kc_der *mag);
/* A small INTEGER (0 .. 127, one content byte): its value in *@v. */
int kc_der_get_small(struct kc_der *c, u32 *v);
/* 0 if the cursor is empty (no trailing bytes), else KC_EINPUT. */
int kc_der_end(const struct kc_der *c);

struct kc_der_w {
	u8 *buf;		/* NULL: count only */
	size_t cap;
	size_t pos;
	int err;
};

/* Bytes of a whole element with @content_len bytes of content. */
size_t kc_der_tlv_len(size_t content_len);
/* Content bytes of the INTEGER of the big-endian magnitude @v. */
size_t kc_der_uint_len(const u8 *v, size_t len);
void kc_der_put_raw(struct kc_der_w *w, const void *p, size_t len);
void kc_der_put_hdr(struct kc_der_w *w, u8 tag, size_t content_len);
/* The INTEGER of big-endian @v (leading zeros dropped, 00 if needed). */
void kc_der_put_uint(struct kc_der_w *w, const u8 *v, size_t len);

#endif /* KC_DER_H */
