/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hsmctl backup file: one token's sealed header and objects, as the
 * kernel exported them (they are sealed already; the container adds no
 * crypto, the kernel authenticates every blob at restore). Little endian:
 *
 *   "KHSMBAK1"                       8 bytes
 *   u32 version (1), u32 count       records that follow, >= 1
 *   count x { u32 kind, u32 zero, u64 len, len bytes }
 *                                    kind 1: the header (first, only one)
 *                                    kind 2: one object
 *   "KHSMEND1"                       8 bytes, then end of file
 */
#ifndef HSMCTL_BACKUP_H
#define HSMCTL_BACKUP_H

#include <stddef.h>
#include <stdint.h>

#define BAK_MAGIC	"KHSMBAK1"
#define BAK_END		"KHSMEND1"
#define BAK_VERSION	1
#define BAK_KIND_HEADER	1
#define BAK_KIND_OBJECT	2
/* Bounds a reader accepts (a header of 1,000,000 entries is 16 MB). */
#define BAK_MAX_RECORDS	1000001U
#define BAK_MAX_BLOB	(64U << 20)

struct bak_blob {
	const void *data;
	size_t len;
};

/*
 * @blobs[0] the header, @blobs[1..n-1] the objects. *out is malloc'd;
 * 0, or -1 (no memory, bad arguments).
 */
int bak_encode(const struct bak_blob *blobs, uint32_t n, unsigned char **out,
	       size_t *out_len);
/*
 * Parse @len bytes at @buf: *blobs (malloc'd array pointing into @buf,
 * header first) and *n. NULL, or what is wrong with the file.
 */
const char *bak_decode(const unsigned char *buf, size_t len,
		       struct bak_blob **blobs, uint32_t *n);

#endif /* HSMCTL_BACKUP_H */
