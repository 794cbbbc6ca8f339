/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hsmctl's netlink side: the generic netlink family "khsm" through
 * libnl-genl-3 (nl.c), the commands over it (cmd_token.c: list, show,
 * stats, token add|remove|set-group; monitor.c; audit.c), names of
 * PKCS#11 constants (names.c) and the JSON writer (json.c). None of them
 * opens /dev/hsmN.
 */
#ifndef HSMCTL_NL_H
#define HSMCTL_NL_H

#include <stdint.h>
#include <stdio.h>

#include <linux/khsm.h>

/* Exit statuses of the netlink commands, beside hsmctl.h's 0..3. */
#define EX_NL_FAIL	3	/* nothing done (the message says why) */
#define EX_NL_PERM	4	/* needs root (CAP_SYS_ADMIN) / not your token */
#define EX_NL_NOTOKEN	5	/* no such token */
#define EX_NL_NOMODULE	6	/* khsm module not loaded (no "khsm" family) */
#define EX_NL_CHAIN	1	/* audit verify: the log does not verify */

struct nl_sock;

struct hnl {
	struct nl_sock *sk;
	int fam;
};

struct mech_stat {
	uint64_t mech, ops, failures;
};

/* One token as TOKEN_GET (and STATS_GET) report it. */
struct tok {
	uint32_t index, gid, flags, state_flags;
	uint32_t objects, session_objects, sessions, rw_sessions, files;
	uint32_t logged_in;
	char label[KHSM_LABEL_LEN + 1];		/* blanks trimmed */
	char serial[KHSM_SERIAL_LEN + 1];
	int has_info, has_stats;
	uint64_t pin_failures, pin_lockouts;
	struct mech_stat *mechs;
	size_t n_mechs;
};

struct toks {
	struct tok *t;
	size_t n, cap;
};

/* Connect and resolve the family; 0, or an exit status (said why). */
int hnl_open(struct hnl *n);
void hnl_close(struct hnl *n);

/*
 * One request: @cmd (KHSM_CMD_*) with the token index @idx (< 0: none,
 * and then a dump for the GET commands) and gid @gid (< 0: none). Every
 * reply is merged into @out by token index. 0, or the positive errno.
 */
int hnl_call(struct hnl *n, int cmd, long idx, long gid, struct toks *out);
void toks_free(struct toks *ts);
struct tok *toks_find(struct toks *ts, uint32_t index);

/*
 * An errno of a request in words a sysadmin can act on, on stderr as
 * "hsmctl: WHAT: ..."; returns the exit status for it. @tok names the
 * token (for ENOENT), or NULL.
 */
int hnl_fail(int err, const char *what, const char *tok);

/* The multicast group "events": join it; 0 or the positive errno. */
int hnl_join_events(struct hnl *n);
/* hnl_open + a big receive buffer + join; 0 or an exit status (said). */
int hnl_events_open(struct hnl *n, const char *what);

/* One event as the kernel sends it. */
struct hevent {
	uint32_t type, token, uid, pid;
	char comm[64];
	uint64_t time_ns;
	int has_user_type, has_rv, has_mech, has_handle, has_class, has_oid;
	uint32_t user_type, rv, handle;
	uint64_t mech, class, oid;
	unsigned char id[64];
	size_t id_len;			/* 0: no CKA_ID */
};

/*
 * Receive the next batch of events (blocks); calls @fn for each. 0, or
 * the positive errno of recv (ENOBUFS: events were lost, the socket goes
 * on), or the negative value @fn returned to stop.
 */
int hnl_recv_events(struct hnl *n, int (*fn)(const struct hevent *, void *),
		    void *arg);

/* names.c */
const char *mech_name(uint64_t m, char buf[24]);
const char *event_name(uint32_t t);
const char *class_name(uint64_t c, char buf[24]);
const char *user_type_name(uint32_t u, char buf[24]);
const char *rv_name(uint32_t rv, char buf[24]);
/* "hsmN" */
const char *tok_name(uint32_t index, char buf[16]);
/* TOKEN (hsmN or N) to an index; -1 if malformed (said). */
long parse_token_arg(const char *s);
/* A group name or gid; -1 if unknown (said). */
long parse_group_arg(const char *s);
/* The group's name, or NULL. */
const char *group_name(uint32_t gid);
const char *user_name(uint32_t uid);

/* json.c: a minimal escaping writer (see there why not json-c). */
void json_str(FILE *f, const char *s);
void json_strn(FILE *f, const char *s, size_t n);
void json_key(FILE *f, int *first, const char *k);
/* The event's fields as "k":v pairs (no braces), human line without \n. */
void event_json_fields(FILE *f, const struct hevent *e, int *first);
void event_human(FILE *f, const struct hevent *e);
/* @ns since the epoch as "2026-12-03T06:30:00.123456789Z" (UTC). */
void time_str(uint64_t ns, char out[40]);

/* Commands: (argc, argv) from the command word on; an exit status. */
int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_audit(int argc, char **argv);

/* Options of the netlink commands (nl.c). */
struct nlopts {
	int json;
	const char *group, *log, *head;
	long count;			/* -1: none */
	const char *pos[4];
	int npos;
};
#define NLO_JSON	(1 << 0)
#define NLO_GROUP	(1 << 1)
#define NLO_LOG		(1 << 2)
#define NLO_COUNT	(1 << 3)
#define NLO_HEAD	(1 << 4)
/* Parse @argv[1..]; 0, or -1 (said why). At most @maxpos positionals. */
int nlopts_parse(int argc, char **argv, unsigned int allowed, int maxpos,
		 struct nlopts *o);

#endif /* HSMCTL_NL_H */
