// SPDX-License-Identifier: GPL-2.0
/* The hsmctl backup container (format in backup.h). */
#include <stdlib.h>
#include <string.h>

#include "backup.h"

static void put32(unsigned char *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v = 0;
	int i;

	for (i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

#define BAK_PREFIX	16	/* magic, version, count */
#define BAK_REC		16	/* kind, zero, len */

int bak_encode(const struct bak_blob *blobs, uint32_t n, unsigned char **out,
	       size_t *out_len)
{
	size_t total = BAK_PREFIX + 8, off;
	unsigned char *b;
	uint32_t i;

	*out = NULL;
	*out_len = 0;
	if (!n || n > BAK_MAX_RECORDS)
		return -1;
	for (i = 0; i < n; i++) {
		if (blobs[i].len > BAK_MAX_BLOB || (!blobs[i].data && blobs[i].len))
			return -1;
		total += BAK_REC + blobs[i].len;
	}
	b = malloc(total);
	if (!b)
		return -1;
	memcpy(b, BAK_MAGIC, 8);
	put32(b + 8, BAK_VERSION);
	put32(b + 12, n);
	off = BAK_PREFIX;
	for (i = 0; i < n; i++) {
		put32(b + off, i ? BAK_KIND_OBJECT : BAK_KIND_HEADER);
		put32(b + off + 4, 0);
		put64(b + off + 8, blobs[i].len);
		off += BAK_REC;
		if (blobs[i].len)
			memcpy(b + off, blobs[i].data, blobs[i].len);
		off += blobs[i].len;
	}
	memcpy(b + off, BAK_END, 8);
	*out = b;
	*out_len = total;
	return 0;
}

const char *bak_decode(const unsigned char *buf, size_t len,
		       struct bak_blob **blobs, uint32_t *n)
{
	struct bak_blob *r;
	uint32_t count, i, kind;
	uint64_t blen;
	size_t off;

	*blobs = NULL;
	*n = 0;
	if (len < BAK_PREFIX || memcmp(buf, BAK_MAGIC, 8))
		return "not an hsmctl backup (no KHSMBAK1 magic)";
	if (get32(buf + 8) != BAK_VERSION)
		return "unknown backup version";
	count = get32(buf + 12);
	if (!count || count > BAK_MAX_RECORDS)
		return "bad record count";
	if (count > (len - BAK_PREFIX) / BAK_REC)
		return "truncated (fewer records than announced)";
	r = calloc(count, sizeof(*r));
	if (!r)
		return "out of memory";
	off = BAK_PREFIX;
	for (i = 0; i < count; i++) {
		if (len - off < BAK_REC) {
			free(r);
			return "truncated (in a record header)";
		}
		kind = get32(buf + off);
		blen = get64(buf + off + 8);
		if (kind != (i ? BAK_KIND_OBJECT : BAK_KIND_HEADER) ||
		    get32(buf + off + 4)) {
			free(r);
			return i ? "bad record (expected an object)" :
				   "bad record (the header must come first)";
		}
		off += BAK_REC;
		if (blen > BAK_MAX_BLOB || blen > len - off) {
			free(r);
			return "truncated (in a record)";
		}
		r[i].data = buf + off;
		r[i].len = (size_t)blen;
		off += (size_t)blen;
	}
	if (len - off != 8 || memcmp(buf + off, BAK_END, 8)) {
		free(r);
		return len - off < 8 ? "truncated (no end marker)" :
		       "bad end marker or trailing bytes";
	}
	*blobs = r;
	*n = count;
	return NULL;
}
