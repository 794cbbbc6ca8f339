// SPDX-License-Identifier: GPL-2.0
/*
 * hsmctl: one event of the "events" group in words: a human line
 * (monitor) and JSON fields (monitor --json, audit records).
 */
#include <stdio.h>
#include <time.h>

#include "nl.h"

void time_str(uint64_t ns, char out[40])
{
	time_t s = (time_t)(ns / 1000000000ULL);
	struct tm tm;

	if (!gmtime_r(&s, &tm) || !strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(out, 40, "%llu", (unsigned long long)ns);
		return;
	}
	snprintf(out + 19, 21, ".%09lluZ",
		 (unsigned long long)(ns % 1000000000ULL));
}

static void hex(FILE *f, const unsigned char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
}

void event_json_fields(FILE *f, const struct hevent *e, int *first)
{
	char b[24], t[40];
	const char *u = user_name(e->uid);

	time_str(e->time_ns, t);
	json_key(f, first, "time");
	json_str(f, t);
	json_key(f, first, "time_ns");
	fprintf(f, "%llu", (unsigned long long)e->time_ns);
	json_key(f, first, "type");
	json_str(f, event_name(e->type));
	json_key(f, first, "token");
	json_str(f, tok_name(e->token, b));
	json_key(f, first, "uid");
	fprintf(f, "%u", e->uid);
	json_key(f, first, "user");
	if (u)
		json_str(f, u);
	else
		fputs("null", f);
	json_key(f, first, "pid");
	fprintf(f, "%u", e->pid);
	json_key(f, first, "comm");
	json_str(f, e->comm);
	if (e->has_user_type) {
		json_key(f, first, "user_type");
		json_str(f, user_type_name(e->user_type, b));
	}
	if (e->has_rv) {
		json_key(f, first, "rv");
		json_str(f, rv_name(e->rv, b));
	}
	if (e->has_mech) {
		json_key(f, first, "mechanism");
		json_str(f, mech_name(e->mech, b));
	}
	if (e->has_handle) {
		json_key(f, first, "handle");
		fprintf(f, "%u", e->handle);
	}
	if (e->has_class) {
		json_key(f, first, "class");
		json_str(f, class_name(e->class, b));
	}
	if (e->has_oid) {
		json_key(f, first, "oid");
		fprintf(f, "%llu", (unsigned long long)e->oid);
	}
	if (e->id_len) {
		json_key(f, first, "id");
		fputc('"', f);
		hex(f, e->id, e->id_len);
		fputc('"', f);
	}
}

void event_human(FILE *f, const struct hevent *e)
{
	char b[24], t[40];
	const char *u = user_name(e->uid);

	time_str(e->time_ns, t);
	fprintf(f, "%s %s %s uid=%u(%s) pid=%u comm=", t, event_name(e->type),
		tok_name(e->token, b), e->uid, u ? u : "?", e->pid);
	json_str(f, e->comm);	/* quoted: a comm is the caller's choice */
	if (e->has_user_type)
		fprintf(f, " user=%s", user_type_name(e->user_type, b));
	if (e->has_rv)
		fprintf(f, " rv=%s", rv_name(e->rv, b));
	if (e->has_mech)
		fprintf(f, " mechanism=%s", mech_name(e->mech, b));
	if (e->has_handle)
		fprintf(f, " handle=%u", e->handle);
	if (e->has_class)
		fprintf(f, " class=%s", class_name(e->class, b));
	if (e->has_oid)
		fprintf(f, " oid=%llu", (unsigned long long)e->oid);
	if (e->id_len) {
		fputs(" id=", f);
		hex(f, e->id, e->id_len);
	}
}
