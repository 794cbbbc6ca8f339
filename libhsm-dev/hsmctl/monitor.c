// SPDX-License-Identifier: GPL-2.0
/*
 * hsmctl monitor [--json]: the events of the "events" multicast group,
 * one line each (human, or one JSON object), until killed. Joining the
 * group needs CAP_SYS_ADMIN. Events a slow reader missed (ENOBUFS) are
 * reported as such.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "hsmctl.h"
#include "nl.h"

int hnl_events_open(struct hnl *n, const char *what)
{
	const char *env = getenv("HSMCTL_RCVBUF");
	int r = hnl_open(n), err, sz = 4 << 20;

	if (r)
		return r;
	/*
	 * Room for bursts: 4 MiB, beyond net.core.rmem_max where the caller
	 * may (root: SO_RCVBUFFORCE), else what rmem_max allows.
	 * $HSMCTL_RCVBUF (bytes) sets another size: the tests make a reader
	 * fall behind with a tiny one.
	 */
	if (env && *env)
		sz = atoi(env) > 0 ? atoi(env) : 1;
	if (setsockopt(nl_socket_get_fd(n->sk), SOL_SOCKET, SO_RCVBUFFORCE,
		       &sz, sizeof(sz)))
		nl_socket_set_buffer_size(n->sk, sz, 0);
	err = hnl_join_events(n);
	if (err) {
		hnl_close(n);
		return hnl_fail(err, what, NULL);
	}
	return 0;
}

static int print_event(const struct hevent *e, void *arg)
{
	const int *json = arg;
	int first = 1;

	if (*json) {
		putchar('{');
		event_json_fields(stdout, e, &first);
		puts("}");
	} else {
		event_human(stdout, e);
		putchar('\n');
	}
	fflush(stdout);
	return ferror(stdout) ? -1 : 0;
}

int cmd_monitor(int argc, char **argv)
{
	struct nlopts o;
	struct timespec ts;
	struct hnl n;
	int r;

	if (nlopts_parse(argc, argv, NLO_JSON, 0, &o))
		return EX_USAGE;
	r = hnl_events_open(&n, "monitor");
	if (r)
		return r;
	for (;;) {
		r = hnl_recv_events(&n, print_event, &o.json);
		if (r == ENOBUFS) {
			clock_gettime(CLOCK_REALTIME, &ts);
			if (o.json)
				printf("{\"type\":\"LOST\",\"time_ns\":%llu}\n",
				       (unsigned long long)ts.tv_sec * 1000000000ULL +
				       (unsigned long long)ts.tv_nsec);
			else
				puts("LOST: events were dropped (the reader fell behind)");
			fflush(stdout);
			msg("monitor: events lost (ENOBUFS)");
			continue;
		}
		if (r)
			break;
	}
	hnl_close(&n);
	if (r > 0)
		msg("monitor: %s", strerror(r));
	return EX_NL_FAIL;
}
