// SPDX-License-Identifier: GPL-2.0
/* The load-time self-test (kmod/crypto/selftest.c) passes in userspace. */
#include "selftest.h"
#include "tap.h"

int main(void)
{
	int ret = kc_selftest();

	tap_ok(ret == 0, "kc_selftest() = %d (0: all known answers match)", ret);
	return tap_done();
}
