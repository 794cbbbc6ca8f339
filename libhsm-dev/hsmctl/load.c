// SPDX-License-Identifier: GPL-2.0
/*
 * hsmctl load and restore: a header and object blobs into the kernel
 * (KHSM_IOC_STATE LOAD_*), with one line per refused or missing object
 * and a summary.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <p11-kit-1/p11-kit/pkcs11.h>

#include "backup.h"
#include "hsmctl.h"
#include "../src/state.h"	/* hsmi_obj_name_parse: libhsm.a is linked in */

#define HDR_MAX	(sizeof(struct khsm_state_hdr) + \
		 (size_t)KHSM_STATE_MAX_ENTRIES * sizeof(struct khsm_state_ent))
/* What restore reads at most. */
#define BAK_FILE_MAX	((size_t)16 << 30)
#define OBJ_MAX	(sizeof(struct khsm_state_obj) + KHSM_STATE_MAX_BODY)

struct load {
	struct opts *o;
	struct hsm_token *tok;
	const struct khsm_state_hdr *h;
	const struct khsm_state_ent *ents;
	unsigned char *offered;		/* per entry: a file came */
	unsigned int loaded, refused;
	uint64_t missing;
};

/* The index of @oid among the header's entries, or -1. */
static long ent_find(const struct load *l, uint64_t oid)
{
	uint32_t lo = 0, hi = l->h->n_entries;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (l->ents[mid].oid == oid)
			return mid;
		if (l->ents[mid].oid < oid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static void obj_name(uint64_t oid, char out[32])
{
	snprintf(out, 32, "%016" PRIx64 ".obj", oid);
}

/* Why the kernel refused @blob (status @st), in words, into @buf. */
static const char *refusal(const struct load *l, uint32_t st,
			   const unsigned char *blob, size_t len,
			   uint64_t oid, char *buf, size_t cap)
{
	const struct khsm_state_obj *ob = (const void *)blob;
	int whole = len >= sizeof(*ob);
	char serial[KHSM_SERIAL_LEN + 1];
	long i;

	switch (st) {
	case KHSM_STATE_MALFORMED:
		return "malformed (bad magic, version or length)";
	case KHSM_STATE_OTHER_TOKEN:
		if (!whole)
			return "belongs to another token";
		serial_str(ob->serial, serial);
		snprintf(buf, cap, "belongs to another token (serial %s)",
			 serial);
		return buf;
	case KHSM_STATE_NOT_LISTED:
		return "not listed in the header (destroyed, or a stray file)";
	case KHSM_STATE_WRONG_GEN:
		i = ent_find(l, oid);
		if (i < 0 || !whole)
			return "listed with another generation";
		snprintf(buf, cap, "listed with generation %llu, file has %llu%s",
			 (unsigned long long)l->ents[i].gen,
			 (unsigned long long)ob->gen,
			 ob->gen < l->ents[i].gen ? " (an older copy?)" :
			 " (a header older than the object?)");
		return buf;
	case KHSM_STATE_WRONG_OID:
		if (!whole)
			return "not the object its name says";
		snprintf(buf, cap, "holds object %016llx, not the one its name says",
			 (unsigned long long)ob->oid);
		return buf;
	case KHSM_STATE_DUPLICATE:
		return "already loaded";
	case KHSM_STATE_BAD_TAG:
		return "failed authentication (altered?)";
	case KHSM_STATE_BAD_BODY:
		return "invalid attribute records";
	default:
		snprintf(buf, cap, "refused (status %u)", st);
		return buf;
	}
}

static void load_one(struct load *l, const char *what,
		     const unsigned char *blob, size_t len, uint64_t oid)
{
	char why[160];
	unsigned long rv;
	uint32_t st = 0;
	long i = ent_find(l, oid);

	if (i >= 0)
		l->offered[i] = 1;
	rv = hsm_state_load_object(l->tok, blob, len, oid, &st);
	if (rv != CKR_OK) {
		msg("%s: %s refused: %s", l->o->name, what, rv_text(rv));
		l->refused++;
	} else if (st != KHSM_STATE_OK) {
		msg("%s: %s refused: %s", l->o->name, what,
		    refusal(l, st, blob, len, oid, why, sizeof(why)));
		l->refused++;
	} else {
		l->loaded++;
	}
}

/* LOAD_HEADER: 0, or -1 (said why). */
static int load_header(struct load *l, const unsigned char *hdr, size_t len,
		       const char *pin, size_t pin_len)
{
	const char *bad = hdr_check(hdr, len);
	unsigned long rv;

	if (bad) {
		msg("%s: header refused: %s", l->o->name, bad);
		return -1;
	}
	l->h = (const void *)hdr;
	l->ents = (const void *)(hdr + l->h->hdr_size);
	l->offered = calloc(l->h->n_entries + 1, 1);
	if (!l->offered) {
		msg("%s: out of memory", l->o->name);
		return -1;
	}
	rv = hsm_state_load_header(l->tok, hdr, len, pin, pin_len);
	if (rv == CKR_OK)
		return 0;
	if (rv == CKR_SESSION_EXISTS)
		msg("%s: sessions are open on the token: close them first",
		    l->o->name);
	else if (hsm_last_errno() == EPERM)
		msg("%s: loading needs CAP_SYS_ADMIN", l->o->name);
	else if (rv == CKR_PIN_INCORRECT)
		msg("%s: SO PIN incorrect", l->o->name);
	else if (rv == CKR_DEVICE_ERROR && !hsm_last_errno() && pin)
		msg("%s: header refused: it does not authenticate (altered?)",
		    l->o->name);
	else
		msg("%s: header refused: %s", l->o->name, rv_text(rv));
	return -1;
}

/* LOAD_FINISH, the missing lines and the summary; the exit status. */
static int load_finish(struct load *l, const char *verb)
{
	char serial[KHSM_SERIAL_LEN + 1], name[32];
	unsigned long rv;
	uint32_t i;

	rv = hsm_state_load_finish(l->tok, &l->missing);
	if (rv != CKR_OK) {
		msg("%s: finishing the load: %s", l->o->name, rv_text(rv));
		return EX_PARTIAL;
	}
	for (i = 0; i < l->h->n_entries; i++) {
		if (l->offered[i])
			continue;
		obj_name(l->ents[i].oid, name);
		msg("%s: %s missing: listed with generation %llu, no file",
		    l->o->name, name, (unsigned long long)l->ents[i].gen);
	}
	serial_str(l->h->serial, serial);
	msg("%s: %s serial %s: %u objects, %u refused, %llu missing",
	    l->o->name, verb, serial, l->loaded, l->refused,
	    (unsigned long long)l->missing);
	return l->refused || l->missing ? EX_PARTIAL : EX_ALL;
}

static int obj_filter(const struct dirent *de)
{
	uint64_t oid;

	return !hsmi_obj_name_parse(de->d_name, &oid);
}

int cmd_load(struct opts *o, struct hsm_token *tok)
{
	struct load l = { .o = o, .tok = tok };
	const char *sub = o->serial ? o->serial : o->name;
	unsigned char *hdr = NULL, *blob;
	struct dirent **names = NULL;
	int root, dfd = -1, lockfd = -1, n = 0, i, ret = EX_NOTHING;
	char path[32];
	uint64_t oid;
	size_t len;

	if (!o->state_dir) {
		msg("%s: the state directory is off (KHSM_STATE_DIR=none)",
		    o->name);
		return EX_NOTHING;
	}
	root = open(o->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0) {
		msg("%s: no state directory %s: %s", o->name, o->state_dir,
		    strerror(errno));
		return EX_NOTHING;
	}
	if (strchr(sub, '/') || sub[0] == '.') {
		msg("%s: bad serial '%s'", o->name, sub);
		goto out;
	}
	dfd = openat(root, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		msg("%s: no saved state (%s/%s: %s)", o->name, o->state_dir,
		    sub, strerror(errno));
		goto out;
	}
	/* Writers are kept out while the files are read. */
	lockfd = openat(dfd, ".lock", O_RDONLY | O_CREAT | O_CLOEXEC, 0660);
	if (lockfd >= 0)
		while (flock(lockfd, LOCK_EX) && errno == EINTR)
			;
	if (read_file_at(dfd, "header", HDR_MAX, &hdr, &len)) {
		msg("%s: no saved state (%s/%s/header: %s)", o->name,
		    o->state_dir, sub, strerror(errno));
		goto out;
	}
	if (load_header(&l, hdr, len, NULL, 0))
		goto out;
	n = scandirat(dfd, ".", &names, obj_filter, alphasort);
	if (n < 0) {
		msg("%s: %s/%s: %s", o->name, o->state_dir, sub,
		    strerror(errno));
		n = 0;
	}
	for (i = 0; i < n; i++) {
		hsmi_obj_name_parse(names[i]->d_name, &oid);
		obj_name(oid, path);
		if (read_file_at(dfd, path, OBJ_MAX, &blob, &len)) {
			msg("%s: %s refused: unreadable: %s", o->name, path,
			    strerror(errno));
			l.refused++;
			continue;
		}
		load_one(&l, path, blob, len, oid);
		free(blob);
	}
	ret = load_finish(&l, "loaded");
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(l.offered);
	free(hdr);
	if (lockfd >= 0)
		close(lockfd);
	if (dfd >= 0)
		close(dfd);
	close(root);
	return ret;
}

int cmd_restore(struct opts *o, struct hsm_token *tok)
{
	struct load l = { .o = o, .tok = tok };
	const struct khsm_state_obj *ob;
	struct bak_blob *b = NULL;
	unsigned char *file = NULL;
	char name[32], *pin = NULL;
	const char *bad;
	size_t len, pin_len = 0;
	uint32_t n = 0, i;
	unsigned long rv;
	int ret = EX_NOTHING;

	if (read_file_at(AT_FDCWD, o->file, BAK_FILE_MAX, &file, &len)) {
		msg("%s: %s: %s", o->name, o->file, strerror(errno));
		return EX_NOTHING;
	}
	bad = bak_decode(file, len, &b, &n);
	if (bad) {
		msg("%s: %s: %s", o->name, o->file, bad);
		goto out;
	}
	pin = so_pin_get(o, &pin_len);
	if (!pin)
		goto out;
	if (load_header(&l, b[0].data, b[0].len, pin, pin_len))
		goto out;
	for (i = 1; i < n; i++) {
		ob = b[i].data;
		if (b[i].len >= sizeof(*ob))
			obj_name(ob->oid, name);
		else
			snprintf(name, sizeof(name), "object #%u", i);
		load_one(&l, name, b[i].data, b[i].len,
			 b[i].len >= sizeof(*ob) ? ob->oid : 0);
	}
	ret = load_finish(&l, "restored");
	/* Then the state directory holds what the token holds. */
	if (o->state_dir && !access(o->state_dir, F_OK)) {
		rv = hsm_state_save(tok, o->state_dir, HSM_STATE_SAVE_FORCE);
		if (rv != CKR_OK) {
			msg("%s: restored, but saving into %s failed: %s",
			    o->name, o->state_dir, rv_text(rv));
			ret = EX_PARTIAL;
		}
	} else {
		msg("%s: restored into the token only: no state directory%s%s",
		    o->name, o->state_dir ? " " : "",
		    o->state_dir ? o->state_dir : "");
	}
out:
	if (pin) {
		explicit_bzero(pin, pin_len);
		free(pin);
	}
	free(l.offered);
	free(b);
	free(file);
	return ret;
}
