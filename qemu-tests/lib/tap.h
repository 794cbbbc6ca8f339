/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP output for the C tests that do not use kselftest_harness.h: the
 * engine's native tests (qemu-tests/engine), libhsm's (libhsm-dev/tests)
 * and the PKCS#11 module's (pkcs11/tests). Header only; each Makefile adds
 * -I qemu-tests/lib. The shell tests have their own (qemu-tests/flows/tap.inc).
 *
 *   tap_ok(cond, fmt, ...)    one test point, "ok N - ..." or "not ok N - ..."
 *   tap_skip(fmt, ...)        one test point skipped ("ok N - ... # SKIP")
 *   tap_diag(fmt, ...)        a "# ..." comment line
 *   return tap_done();        the plan "1..N" last; exit status 1 if any failed
 *
 * Also the hex helpers the tests share: unhex(), pad_be().
 */
#ifndef KHSM_TAP_H
#define KHSM_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n __attribute__((unused)), tap_failed __attribute__((unused));

static inline void tap_vline(const char *prefix, const char *fmt, va_list ap,
			     const char *suffix)
{
	fputs(prefix, stdout);
	vprintf(fmt, ap);
	fputs(suffix, stdout);
	putchar('\n');
	fflush(stdout);
}

static inline __attribute__((format(printf, 2, 3), unused))
void tap_ok(int cond, const char *fmt, ...)
{
	char prefix[32];
	va_list ap;

	tap_n++;
	if (!cond)
		tap_failed++;
	snprintf(prefix, sizeof(prefix), "%sok %d - ", cond ? "" : "not ",
		 tap_n);
	va_start(ap, fmt);
	tap_vline(prefix, fmt, ap, "");
	va_end(ap);
}

static inline __attribute__((format(printf, 1, 2), unused))
void tap_skip(const char *fmt, ...)
{
	char prefix[32];
	va_list ap;

	tap_n++;
	snprintf(prefix, sizeof(prefix), "ok %d - ", tap_n);
	va_start(ap, fmt);
	tap_vline(prefix, fmt, ap, " # SKIP");
	va_end(ap);
}

static inline __attribute__((format(printf, 1, 2), unused))
void tap_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vline("# ", fmt, ap, "");
	va_end(ap);
}

static inline __attribute__((unused)) int tap_done(void)
{
	printf("1..%d\n", tap_n);
	if (tap_failed)
		printf("# %d of %d failed\n", tap_failed, tap_n);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

/* Parse hex into out (at most max bytes); returns the length or -1. */
static inline __attribute__((unused))
int unhex(const char *s, unsigned char *out, size_t max)
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
static inline __attribute__((unused))
int pad_be(unsigned char *buf, int len, int want)
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

#endif /* KHSM_TAP_H */
