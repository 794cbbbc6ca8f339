// SPDX-License-Identifier: GPL-2.0
/*
 * Strict DER reader and counting writer (der.h).
 */
#include "der.h"
#include "engine.h"

int kc_der_peek(const struct kc_der *c)
{
	return c->len ? c->p[0] : -1;
}

/*
 * Parse the header of the next element: tag, content offset and length,
 * all within the cursor.
 */
static int kc_der_hdr(const struct kc_der *c, u8 *tag, size_t *off,
		      size_t *len)
{
	size_t n, i, l = 0;

	if (c->len < 2)
		return KC_EINPUT;
	*tag = c->p[0];
	if ((*tag & 0x1f) == 0x1f)		/* high tag number form */
		return KC_EINPUT;
	if (c->p[1] < 0x80) {
		*off = 2;
		*len = c->p[1];
	} else {
		n = c->p[1] & 0x7f;
		/* 0x80: indefinite; more than 3 bytes: beyond our cap */
		if (n == 0 || n > 3 || c->len < 2 + n)
			return KC_EINPUT;
		if (c->p[2] == 0)		/* leading zero: not minimal */
			return KC_EINPUT;
		for (i = 0; i < n; i++)
			l = (l << 8) | c->p[2 + i];
		if (l < 0x80)			/* short form was possible */
			return KC_EINPUT;
		*off = 2 + n;
		*len = l;
	}
	if (*len > c->len - *off)
		return KC_EINPUT;
	return 0;
}

int kc_der_get(struct kc_der *c, u8 tag, struct kc_der *val)
{
	size_t off, len;
	u8 t;

	if (kc_der_hdr(c, &t, &off, &len) || t != tag)
		return KC_EINPUT;
	if (val) {
		val->p = c->p + off;
		val->len = len;
	}
	c->p += off + len;
	c->len -= off + len;
	return 0;
}

int kc_der_get_opt(struct kc_der *c, u8 tag, struct kc_der *val,
		   int *present)
{
	*present = 0;
	if (kc_der_peek(c) != tag)
		return 0;
	if (kc_der_get(c, tag, val))
		return KC_EINPUT;
	*present = 1;
	return 0;
}

int kc_der_get_uint(struct kc_der *c, struct kc_der *mag)
{
	struct kc_der save = *c, v;

	if (kc_der_get(c, KC_DER_INTEGER, &v))
		return KC_EINPUT;
	if (!v.len || (v.p[0] & 0x80) ||	/* empty or negative */
	    (v.len > 1 && v.p[0] == 0 && !(v.p[1] & 0x80))) { /* not minimal */
		*c = save;
		return KC_EINPUT;
	}
	if (v.p[0] == 0) {
		v.p++;
		v.len--;
	}
	*mag = v;
	return 0;
}

int kc_der_get_small(struct kc_der *c, u32 *v)
{
	struct kc_der save = *c, m;

	if (kc_der_get_uint(c, &m))
		return KC_EINPUT;
	if (m.len > 1) {
		*c = save;
		return KC_EINPUT;
	}
	*v = m.len ? m.p[0] : 0;
	return 0;
}

int kc_der_end(const struct kc_der *c)
{
	return c->len ? KC_EINPUT : 0;
}

size_t kc_der_tlv_len(size_t content_len)
{
	if (content_len < 0x80)
		return 2 + content_len;
	if (content_len < 0x100)
		return 3 + content_len;
	if (content_len < 0x10000)
		return 4 + content_len;
	return 5 + content_len;
}

size_t kc_der_uint_len(const u8 *v, size_t len)
{
	while (len && !v[0]) {
		v++;
		len--;
	}
	if (!len)
		return 1;
	return len + !!(v[0] & 0x80);
}

void kc_der_put_raw(struct kc_der_w *w, const void *p, size_t len)
{
	if (w->err)
		return;
	if (len > w->cap - w->pos && w->buf) {
		w->err = KC_EINPUT;
		return;
	}
	if (w->buf && len)
		memcpy(w->buf + w->pos, p, len);
	w->pos += len;
}

void kc_der_put_hdr(struct kc_der_w *w, u8 tag, size_t content_len)
{
	u8 h[5];
	size_t n = 0;

	if (content_len > KC_DER_MAX_LEN) {
		w->err = KC_EINPUT;
		return;
	}
	h[n++] = tag;
	if (content_len < 0x80) {
		h[n++] = content_len;
	} else if (content_len < 0x100) {
		h[n++] = 0x81;
		h[n++] = content_len;
	} else if (content_len < 0x10000) {
		h[n++] = 0x82;
		h[n++] = content_len >> 8;
		h[n++] = content_len;
	} else {
		h[n++] = 0x83;
		h[n++] = content_len >> 16;
		h[n++] = content_len >> 8;
		h[n++] = content_len;
	}
	kc_der_put_raw(w, h, n);
}

void kc_der_put_uint(struct kc_der_w *w, const u8 *v, size_t len)
{
	static const u8 zero;

	while (len && !v[0]) {
		v++;
		len--;
	}
	kc_der_put_hdr(w, KC_DER_INTEGER, kc_der_uint_len(v, len));
	if (!len || (v[0] & 0x80))
		kc_der_put_raw(w, &zero, 1);
	kc_der_put_raw(w, v, len);
}
