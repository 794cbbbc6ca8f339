// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * khsm-pkcs11: result names and the debug log. With KHSM_PKCS11_DEBUG=1
 * in the environment every C_* call prints its name and result to stderr,
 * plus the errno of the failed system call when there was one. Nothing is
 * printed otherwise, and never any argument value (PINs, key bytes).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static pthread_once_t debug_once = PTHREAD_ONCE_INIT;
static bool debug_on;

static void debug_read(void)
{
	const char *v = secure_getenv("KHSM_PKCS11_DEBUG");

	debug_on = v && *v && strcmp(v, "0") != 0;
}

bool p11_debug(void)
{
	pthread_once(&debug_once, debug_read);
	return debug_on;
}

/* The CKR_* name of @rv; libhsm keeps the one table. */
const char *p11_rv_name(CK_RV rv)
{
	return hsm_strerror(rv);
}

void p11_log(const char *fn, CK_RV rv)
{
	int err;

	if (!p11_debug())
		return;
	err = rv == CKR_OK ? 0 : hsm_last_errno();
	if (err)
		fprintf(stderr, "khsm-pkcs11[%d]: %s = %s (0x%lx; errno %d: %s)\n",
			(int)getpid(), fn, p11_rv_name(rv), rv, err,
			strerror(err));
	else
		fprintf(stderr, "khsm-pkcs11[%d]: %s = %s (0x%lx)\n",
			(int)getpid(), fn, p11_rv_name(rv), rv);
}

void p11_logf(const char *fmt, ...)
{
	va_list ap;

	if (!p11_debug())
		return;
	fprintf(stderr, "khsm-pkcs11[%d]: ", (int)getpid());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
