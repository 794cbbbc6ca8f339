/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal TAP output and hex helpers for the engine tests. */
#ifndef KC_TAP_H
#define KC_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

static inline void tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	if (tap_failed)
		printf("# %d of %d failed\n", tap_failed, tap_n);
	return tap_failed ? 1 : 0;
}

/* Parse hex into out (at most max bytes); returns the length or -1. */
static inline int unhex(const char *s, unsigned char *out, size_t max)
{
	size_t n = strlen(s), i;

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	if (n % 2 || n / 2 > max)
		return -1;
	for (i = 0; i < n / 2; i++) {
		unsigned int v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (unsigned char)v;
	}
	return (int)(n / 2);
}

/* Left-pad a big-endian number of len bytes to want bytes; -1 if too big. */
static inline int pad_be(unsigned char *buf, int len, int want)
{
	int i;

	if (len > want) {
		for (i = 0; i < len - want; i++)
			if (buf[i])
				return -1;
		memmove(buf, buf + len - want, want);
		return want;
	}
	memmove(buf + want - len, buf, len);
	memset(buf, 0, want - len);
	return want;
}

#endif /* KC_TAP_H */
