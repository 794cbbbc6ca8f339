// SPDX-License-Identifier: GPL-2.0
/*
 * hsmctl list | show TOKEN | stats [TOKEN] | token add|remove|set-group:
 * the tokens through the netlink family (KHSM_CMD_TOKEN_GET, STATS_GET,
 * TOKEN_ADD, TOKEN_REMOVE, TOKEN_SET_GROUP). A caller without
 * CAP_SYS_ADMIN sees the tokens of its groups; the changes need root.
 */
#include <stdio.h>
#include <string.h>

#include "hsmctl.h"
#include "nl.h"

static const char *const flag_names[] = {
	"initialized", "user-pin-set", "so-logged-in", "user-logged-in",
	"so-pin-locked", "user-pin-locked",
};

/* The state words of a token: loaded, locked, tampered, else live. */
static int state_words(uint32_t s, const char *w[4])
{
	int n = 0;

	if (s & KHSM_TOKEN_STATE_LOADED)
		w[n++] = "loaded";
	if (s & KHSM_TOKEN_STATE_LOCKED)
		w[n++] = "locked";
	if (s & KHSM_TOKEN_STATE_TAMPERED)
		w[n++] = "tampered";
	if (!n)
		w[n++] = "live";
	return n;
}

static void words(FILE *f, const char *const *w, int n, int json)
{
	int i;

	if (json)
		fputc('[', f);
	for (i = 0; i < n; i++) {
		if (i)
			fputc(json ? ',' : ' ', f);
		if (json)
			json_str(f, w[i]);
		else
			fputs(w[i], f);
	}
	if (json)
		fputc(']', f);
	else if (!n)
		fputc('-', f);
}

static int flag_words(uint32_t fl, const char *w[8])
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (fl & (1U << i))
			w[n++] = flag_names[i];
	return n;
}

static void stats_json(FILE *f, const struct tok *t)
{
	char b[24];
	size_t i;

	fprintf(f, "{\"pin_failures\":%llu,\"pin_lockouts\":%llu,\"mechanisms\":[",
		(unsigned long long)t->pin_failures,
		(unsigned long long)t->pin_lockouts);
	for (i = 0; i < t->n_mechs; i++) {
		const struct mech_stat *m = &t->mechs[i];

		fprintf(f, "%s{\"mechanism\":", i ? "," : "");
		json_str(f, mech_name(m->mech, b));
		fprintf(f, ",\"value\":%llu,\"ops\":%llu,\"failures\":%llu}",
			(unsigned long long)m->mech, (unsigned long long)m->ops,
			(unsigned long long)m->failures);
	}
	fputs("]}", f);
}

static void tok_json(FILE *f, const struct tok *t, int with_stats)
{
	const char *w[8], *g = group_name(t->gid);
	char b[16];
	int first = 1;

	fputc('{', f);
	json_key(f, &first, "index");
	fprintf(f, "%u", t->index);
	json_key(f, &first, "token");
	json_str(f, tok_name(t->index, b));
	json_key(f, &first, "device");
	fprintf(f, "\"/dev/%s\"", b);
	json_key(f, &first, "label");
	json_str(f, t->label);
	json_key(f, &first, "serial");
	json_str(f, t->serial);
	json_key(f, &first, "group");
	if (g)
		json_str(f, g);
	else
		fputs("null", f);
	json_key(f, &first, "gid");
	fprintf(f, "%u", t->gid);
	json_key(f, &first, "flags");
	words(f, w, flag_words(t->flags, w), 1);
	json_key(f, &first, "state");
	words(f, w, state_words(t->state_flags, w), 1);
	fprintf(f, ",\"objects\":%u,\"session_objects\":%u,\"sessions\":%u,"
		"\"rw_sessions\":%u,\"files\":%u,\"logged_in\":%u",
		t->objects, t->session_objects, t->sessions, t->rw_sessions,
		t->files, t->logged_in);
	if (with_stats && t->has_stats) {
		fputs(",\"stats\":", f);
		stats_json(f, t);
	}
	fputc('}', f);
}

/* Words joined by @sep into @out (at most @len bytes). */
static void join(char *out, size_t len, const char *const *w, int n,
		 const char *sep)
{
	size_t o = 0;
	int i;

	out[0] = 0;
	for (i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(out + o, len - o, "%s%s", i ? sep : "",
				      w[i]);
	if (!n)
		snprintf(out, len, "-");
}

#define ROW_FMT "%-6s %-32s %-16s %-16s %-14s %7s %8s %5s %9s %s\n"

static void tok_row(const struct tok *t)
{
	const char *w[8], *g = group_name(t->gid);
	char b[16], grp[48], st[48], fl[128], n[4][12];

	snprintf(grp, sizeof(grp), "%s(%u)", g ? g : "?", t->gid);
	join(st, sizeof(st), w, state_words(t->state_flags, w), ",");
	join(fl, sizeof(fl), w, flag_words(t->flags, w), ",");
	snprintf(n[0], sizeof(n[0]), "%u", t->objects);
	snprintf(n[1], sizeof(n[1]), "%u", t->sessions);
	snprintf(n[2], sizeof(n[2]), "%u", t->files);
	snprintf(n[3], sizeof(n[3]), "%u", t->logged_in);
	printf(ROW_FMT, tok_name(t->index, b), *t->label ? t->label : "-",
	       *t->serial ? t->serial : "-", grp, st, n[0], n[1], n[2], n[3],
	       fl);
}

static void stats_human(const struct tok *t, const char *indent)
{
	char b[24];
	size_t i;

	printf("%spin-failures: %llu\n%spin-lockouts: %llu\n", indent,
	       (unsigned long long)t->pin_failures, indent,
	       (unsigned long long)t->pin_lockouts);
	if (!t->n_mechs)
		printf("%smechanisms: none used\n", indent);
	for (i = 0; i < t->n_mechs; i++)
		printf("%smechanism %s: %llu ops, %llu failures\n", indent,
		       mech_name(t->mechs[i].mech, b),
		       (unsigned long long)t->mechs[i].ops,
		       (unsigned long long)t->mechs[i].failures);
}

static void tok_long(const struct tok *t)
{
	const char *w[8], *g = group_name(t->gid);
	char b[16];

	printf("token: %s\ndevice: /dev/%s\n", tok_name(t->index, b), b);
	printf("label: %s\nserial: %s\n", t->label, t->serial);
	printf("group: %s (gid %u)\n", g ? g : "?", t->gid);
	fputs("flags: ", stdout);
	words(stdout, w, flag_words(t->flags, w), 0);
	fputs("\nstate: ", stdout);
	words(stdout, w, state_words(t->state_flags, w), 0);
	printf("\nobjects: %u\nsession-objects: %u\nsessions: %u (%u rw)\n"
	       "open-files: %u\nlogged-in: %u\n", t->objects,
	       t->session_objects, t->sessions, t->rw_sessions, t->files,
	       t->logged_in);
	if (t->has_stats)
		stats_human(t, "");
}

/* TOKEN_GET (and STATS_GET with @stats) of @idx (< 0: all) into @ts. */
static int fetch(long idx, int stats, struct toks *ts, const char *what)
{
	char name[16];
	struct hnl n;
	int r, err;

	r = hnl_open(&n);
	if (r)
		return r;
	snprintf(name, sizeof(name), "hsm%ld", idx);
	err = hnl_call(&n, KHSM_CMD_TOKEN_GET, idx, -1, ts);
	if (!err && stats)
		err = hnl_call(&n, KHSM_CMD_STATS_GET, idx, -1, ts);
	hnl_close(&n);
	return err ? hnl_fail(err, what, idx >= 0 ? name : NULL) : 0;
}

int cmd_list(int argc, char **argv)
{
	struct toks ts = { 0 };
	struct nlopts o;
	size_t i;
	int r;

	if (nlopts_parse(argc, argv, NLO_JSON, 0, &o))
		return EX_USAGE;
	r = fetch(-1, 0, &ts, "list");
	if (r)
		return r;
	if (o.json) {
		putchar('[');
		for (i = 0; i < ts.n; i++) {
			if (i)
				putchar(',');
			tok_json(stdout, &ts.t[i], 0);
		}
		puts("]");
	} else {
		printf(ROW_FMT, "TOKEN", "LABEL", "SERIAL", "GROUP(GID)",
		       "STATE", "OBJECTS", "SESSIONS", "FILES", "LOGGED-IN",
		       "FLAGS");
		for (i = 0; i < ts.n; i++)
			tok_row(&ts.t[i]);
	}
	toks_free(&ts);
	return EX_ALL;
}

int cmd_show(int argc, char **argv)
{
	struct toks ts = { 0 };
	struct nlopts o;
	long idx;
	int r;

	if (nlopts_parse(argc, argv, NLO_JSON, 1, &o))
		return EX_USAGE;
	if (o.npos != 1) {
		msg("show needs a TOKEN");
		return EX_USAGE;
	}
	idx = parse_token_arg(o.pos[0]);
	if (idx < 0)
		return EX_USAGE;
	r = fetch(idx, 1, &ts, "show");
	if (r)
		return r;
	if (!ts.n) {
		toks_free(&ts);
		msg("show: no token hsm%ld", idx);
		return EX_NL_NOTOKEN;
	}
	if (o.json) {
		tok_json(stdout, &ts.t[0], 1);
		putchar('\n');
	} else {
		tok_long(&ts.t[0]);
	}
	toks_free(&ts);
	return EX_ALL;
}

int cmd_stats(int argc, char **argv)
{
	struct toks ts = { 0 };
	struct nlopts o;
	long idx = -1;
	char b[16];
	size_t i, shown = 0;
	int r;

	if (nlopts_parse(argc, argv, NLO_JSON, 1, &o))
		return EX_USAGE;
	if (o.npos) {
		idx = parse_token_arg(o.pos[0]);
		if (idx < 0)
			return EX_USAGE;
	}
	r = fetch(idx, 1, &ts, "stats");
	if (r)
		return r;
	if (o.json)
		putchar('[');
	for (i = 0; i < ts.n; i++) {
		const struct tok *t = &ts.t[i];

		if (!t->has_stats)	/* went between the two requests */
			continue;
		if (o.json) {
			printf("%s{\"index\":%u,\"token\":\"%s\",\"stats\":",
			       shown++ ? "," : "", t->index, tok_name(t->index, b));
			stats_json(stdout, t);
			putchar('}');
		} else {
			printf("%s:\n", tok_name(t->index, b));
			stats_human(t, "  ");
		}
	}
	if (o.json)
		puts("]");
	toks_free(&ts);
	return EX_ALL;
}

/* One change: TOKEN_ADD, TOKEN_REMOVE or TOKEN_SET_GROUP. */
static int change(int cmd, long idx, long gid, const char *what)
{
	struct toks ts = { 0 };
	char name[16];
	struct hnl n;
	int r, err;

	r = hnl_open(&n);
	if (r)
		return r;
	snprintf(name, sizeof(name), "hsm%ld", idx);
	err = hnl_call(&n, cmd, idx, gid, &ts);
	hnl_close(&n);
	if (err) {
		toks_free(&ts);
		return hnl_fail(err, what, idx >= 0 ? name : NULL);
	}
	if (cmd == KHSM_CMD_TOKEN_ADD) {
		if (ts.n != 1) {
			toks_free(&ts);
			msg("%s: the kernel's reply names no token", what);
			return EX_NL_FAIL;
		}
		printf("%s\n", tok_name(ts.t[0].index, name));
	}
	toks_free(&ts);
	return EX_ALL;
}

int cmd_token(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";
	struct nlopts o;
	long idx = -1, gid = -1;

	if (!strcmp(sub, "add")) {
		if (nlopts_parse(argc - 1, argv + 1, NLO_GROUP, 0, &o))
			return EX_USAGE;
		if (o.group && (gid = parse_group_arg(o.group)) < 0)
			return EX_USAGE;
		return change(KHSM_CMD_TOKEN_ADD, -1, gid, "token add");
	}
	if (!strcmp(sub, "remove")) {
		if (nlopts_parse(argc - 1, argv + 1, 0, 1, &o))
			return EX_USAGE;
		if (o.npos != 1) {
			msg("token remove needs a TOKEN");
			return EX_USAGE;
		}
		idx = parse_token_arg(o.pos[0]);
		if (idx < 0)
			return EX_USAGE;
		return change(KHSM_CMD_TOKEN_REMOVE, idx, -1, "token remove");
	}
	if (!strcmp(sub, "set-group")) {
		if (nlopts_parse(argc - 1, argv + 1, 0, 2, &o))
			return EX_USAGE;
		if (o.npos != 2) {
			msg("token set-group needs a TOKEN and a GROUP");
			return EX_USAGE;
		}
		idx = parse_token_arg(o.pos[0]);
		if (idx < 0)
			return EX_USAGE;
		gid = parse_group_arg(o.pos[1]);
		if (gid < 0)
			return EX_USAGE;
		return change(KHSM_CMD_TOKEN_SET_GROUP, idx, gid,
			      "token set-group");
	}
	msg("token: add, remove or set-group");
	return EX_USAGE;
}
