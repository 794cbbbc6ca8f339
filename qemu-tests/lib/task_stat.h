/* SPDX-License-Identifier: GPL-2.0 */
/*
 * State letter and utime + stime (clock ticks) of a thread of this process,
 * from /proc/self/task/TID/stat: how tests see that a blocked waiter sleeps
 * instead of spinning. Used by the PKCS#11 host test and the VM tests.
 */
#ifndef KHSM_TEST_TASK_STAT_H
#define KHSM_TEST_TASK_STAT_H

#include <stdio.h>
#include <string.h>
#include <sys/types.h>

static inline int task_stat(pid_t tid, char *state, unsigned long *ticks)
{
	char p[64], buf[1024], *q;
	unsigned long ut, st;
	FILE *fp;
	int ok;

	snprintf(p, sizeof(p), "/proc/self/task/%d/stat", (int)tid);
	fp = fopen(p, "r");
	if (!fp)
		return -1;
	ok = fgets(buf, sizeof(buf), fp) != NULL;
	fclose(fp);
	q = ok ? strrchr(buf, ')') : NULL;
	/* After "(comm)": state (3), fields 4..13, utime (14), stime (15). */
	if (!q || sscanf(q + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
			 state, &ut, &st) != 3)
		return -1;
	*ticks = ut + st;
	return 0;
}

#endif
