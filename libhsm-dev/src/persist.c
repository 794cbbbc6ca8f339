// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Persistence: libhsm's mutating calls write the token's sealed state to
 * the state directory before they return, so every client (the PKCS#11
 * module included) persists without knowing it; and hsm_state_save(),
 * the whole state at once (hsmctl save, restore). Layout and the write
 * rule in state.h. Persistence is on when the root directory exists and
 * the kernel has KHSM_FEATURE_STATE; KHSM_STATE_DIR=none turns it off.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"

/*
 * Whether persistence is on for @tok with @root: 1, 0 (no root directory,
 * "none", or a kernel without KHSM_FEATURE_STATE), -1 (errno set).
 */
static int hsmi_persist_on(const struct hsm_token *tok, const char *root)
{
	struct stat st;

	if (!root || !(tok->version.features & KHSM_FEATURE_STATE))
		return 0;
	if (!stat(root, &st))
		return 1;
	if (errno == ENOENT)
		return 0;
	hsmi_debug("state directory %s: %s", root, strerror(errno));
	return -1;
}

/*
 * Open and lock <root>/<serial> of @tok's current token: 1 (locked, @sd
 * open), 0 (persistence off, or a token never initialised: nothing to do)
 * or -1 (errno set). @sd is closed unless 1.
 */
static int hsmi_persist_begin(const struct hsm_token *tok, const char *root,
			      struct hsmi_sdir *sd)
{
	struct khsm_token_info ti;
	char serial[KHSM_SERIAL_LEN + 1];
	int r;

	sd->rootfd = sd->dfd = sd->lockfd = -1;
	r = hsmi_persist_on(tok, root);
	if (r <= 0)
		return r;
	if (hsm_token_info(tok, &ti, sizeof(ti)) != CKR_OK) {
		errno = EIO;
		return -1;
	}
	if (!(ti.flags & CKF_TOKEN_INITIALIZED))
		return 0;
	if (hsmi_serial_name(ti.serial, serial)) {
		hsmi_debug("hsm%u: serial is not a usable directory name",
			   tok->index);
		errno = EINVAL;
		return -1;
	}
	if (hsmi_sdir_open(root, serial, 1, sd)) {
		hsmi_debug("state directory %s/%s: %s", root, serial,
			   strerror(errno));
		return -1;
	}
	return 1;
}

/* Export the header and write it (objects must be written before). */
static int hsmi_write_header(const struct hsm_token *tok,
			     struct hsmi_sdir *sd, int flags)
{
	unsigned long rv;
	void *b;
	size_t len;
	int ret;

	rv = hsmi_export(tok, KHSM_STATE_EXPORT_HEADER, 0, 0, &b, &len,
			 NULL, NULL);
	if (rv != CKR_OK) {
		hsmi_debug("hsm%u: export of the header: %s", tok->index,
			   hsm_strerror(rv));
		errno = hsm_last_errno() ? hsm_last_errno() : EIO;
		return -1;
	}
	ret = hsmi_write_atomic(sd->dfd, HSMI_STATE_HEADER, b, len, flags,
				NULL);
	if (!ret)
		ret = hsmi_fsync_dir(sd->dfd);
	if (ret)
		hsmi_debug("%s/header: %s", sd->serial, strerror(errno));
	hsm_free(b);
	/* The link is a convenience for hsmctl load: not worth a failure. */
	if (!ret && hsmi_set_link(sd->rootfd, tok->index, sd->serial))
		hsmi_debug("hsm%u link: %s", tok->index, strerror(errno));
	return ret;
}

/* Export token object @handle and write it: 0 (also for oid 0) or -1. */
static int hsmi_write_object(const struct hsm_token *tok,
			     struct hsmi_sdir *sd, uint32_t handle,
			     uint64_t *oid, int flags)
{
	char name[HSMI_OBJ_NAME_LEN];
	unsigned long rv;
	__u64 o = 0;
	size_t len;
	void *b;
	int ret;

	*oid = 0;
	rv = hsmi_export(tok, KHSM_STATE_EXPORT_OBJECT, handle, 0, &b, &len,
			 &o, NULL);
	if (rv != CKR_OK) {
		hsmi_debug("hsm%u: export of object %u: %s", tok->index,
			   handle, hsm_strerror(rv));
		errno = hsm_last_errno() ? hsm_last_errno() : EIO;
		return -1;
	}
	if (!o || !b) {
		hsm_free(b);
		return 0;
	}
	*oid = o;
	hsmi_obj_name(o, name);
	ret = hsmi_write_atomic(sd->dfd, name, b, len, flags, NULL);
	if (ret)
		hsmi_debug("%s/%s: %s", sd->serial, name, strerror(errno));
	hsm_free(b);
	return ret;
}

static uint64_t hsmi_id_only(const struct hsm_token *tok, uint32_t handle)
{
	uint64_t oid = 0;

	if (hsm_state_export_object(tok, handle, NULL, NULL, &oid, NULL) !=
	    CKR_OK)
		return 0;
	return oid;
}

unsigned long hsmi_persist_objects(const struct hsm_token *tok,
				   uint32_t session, const uint32_t *handles,
				   unsigned int n, int created)
{
	uint64_t oids[2] = { 0, 0 };
	char name[HSMI_OBJ_NAME_LEN];
	const char *root = hsm_state_dir();
	struct hsmi_sdir sd;
	unsigned int i, any = 0;
	int r, err;

	sd.rootfd = sd.dfd = sd.lockfd = -1;
	if (n > 2)
		return CKR_GENERAL_ERROR;
	r = hsmi_persist_on(tok, root);
	if (!r)
		return CKR_OK;
	if (r < 0) {
		err = errno;
		goto undo;
	}
	/* Session objects (oid 0) leave the state as it is. */
	for (i = 0; i < n; i++)
		any |= hsmi_id_only(tok, handles[i]) != 0;
	if (!any)
		return CKR_OK;
	r = hsmi_persist_begin(tok, root, &sd);
	if (!r)
		return CKR_OK;
	if (r > 0) {
		r = 0;
		for (i = 0; i < n && !r; i++)
			r = hsmi_write_object(tok, &sd, handles[i], &oids[i],
					      0);
		if (!r)
			r = hsmi_fsync_dir(sd.dfd);
		if (!r)
			r = hsmi_write_header(tok, &sd, 0);
		if (!r) {
			hsmi_sdir_close(&sd);
			return CKR_OK;
		}
	}
	err = errno;
undo:
	/* Not acknowledged: the new objects go again, and their files. */
	if (created) {
		for (i = 0; i < n; i++)
			hsmi_destroy_raw(tok, session, handles[i]);
		for (i = 0; i < n && sd.dfd >= 0; i++) {
			if (!oids[i])
				continue;
			hsmi_obj_name(oids[i], name);
			unlinkat(sd.dfd, name, 0);
		}
		if (sd.dfd >= 0)
			(void)hsmi_fsync_dir(sd.dfd);
	}
	hsmi_sdir_close(&sd);
	hsmi_debug("hsm%u: the state was not saved (%s): %s", tok->index,
		   strerror(err), created ? "the new objects are destroyed" :
		   "the change is not durable");
	hsmi_set_errno(err);
	return CKR_DEVICE_ERROR;
}

uint64_t hsmi_persist_destroy_pre(const struct hsm_token *tok,
				  uint32_t handle)
{
	if (hsmi_persist_on(tok, hsm_state_dir()) <= 0)
		return 0;
	return hsmi_id_only(tok, handle);
}

unsigned long hsmi_persist_destroy(const struct hsm_token *tok, uint64_t oid)
{
	char name[HSMI_OBJ_NAME_LEN];
	struct hsmi_sdir sd;
	int r;

	if (!oid)
		return CKR_OK;
	r = hsmi_persist_begin(tok, hsm_state_dir(), &sd);
	if (!r)
		return CKR_OK;
	if (r > 0) {
		/* Header first: a crash in between leaves an unlisted file. */
		r = hsmi_write_header(tok, &sd, 0);
		if (!r) {
			hsmi_obj_name(oid, name);
			if (unlinkat(sd.dfd, name, 0) && errno != ENOENT)
				r = -1;
		}
		if (!r)
			r = hsmi_fsync_dir(sd.dfd);
		if (r)
			hsmi_set_errno(errno);
		hsmi_sdir_close(&sd);
	} else {
		hsmi_set_errno(errno);
	}
	return r ? CKR_DEVICE_ERROR : CKR_OK;
}

unsigned long hsmi_persist_header(const struct hsm_token *tok)
{
	struct hsmi_sdir sd;
	int r;

	r = hsmi_persist_begin(tok, hsm_state_dir(), &sd);
	if (!r)
		return CKR_OK;
	if (r > 0) {
		r = hsmi_write_header(tok, &sd, 0);
		if (r)
			hsmi_set_errno(errno);
		hsmi_sdir_close(&sd);
	} else {
		hsmi_set_errno(errno);
	}
	return r ? CKR_DEVICE_ERROR : CKR_OK;
}

/* Write header, objects and the link of @tok's whole state into @sd. */
static int hsmi_save_all(const struct hsm_token *tok, struct hsmi_sdir *sd,
			 int flags)
{
	const struct khsm_state_ent *ents;
	char name[HSMI_OBJ_NAME_LEN];
	void *hdr = NULL, *b, *disk = NULL;
	size_t hlen, len, dlen;
	unsigned long rv;
	__u64 oid = 1, o, g;
	uint32_t n;
	int r = -1;

	/*
	 * The header first: an object made meanwhile is written by its
	 * maker after we unlock; one destroyed meanwhile stays listed.
	 */
	rv = hsmi_export(tok, KHSM_STATE_EXPORT_HEADER, 0, 0, &hdr, &hlen,
			 NULL, NULL);
	if (rv != CKR_OK)
		goto kernel;
	for (;;) {
		rv = hsmi_export(tok, KHSM_STATE_EXPORT_NEXT, 0, oid, &b, &len,
				 &o, &g);
		if (rv == CKR_OBJECT_HANDLE_INVALID)
			break;
		if (rv != CKR_OK)
			goto kernel;
		hsmi_obj_name(o, name);
		r = b ? hsmi_write_atomic(sd->dfd, name, b, len, flags, NULL)
		      : 0;
		hsm_free(b);
		if (r)
			goto out;
		r = -1;
		if (o == UINT64_MAX)
			break;
		oid = o + 1;
	}
	if (hsmi_fsync_dir(sd->dfd) ||
	    hsmi_write_atomic(sd->dfd, HSMI_STATE_HEADER, hdr, hlen, flags,
			      NULL) ||
	    hsmi_fsync_dir(sd->dfd))
		goto out;
	/* Stale files: whatever the header on disk (maybe newer) omits. */
	if (hsmi_read_file(sd->dfd, HSMI_STATE_HEADER,
			   sizeof(struct khsm_state_hdr) +
			   (size_t)KHSM_STATE_MAX_ENTRIES *
			   sizeof(struct khsm_state_ent), &disk, &dlen))
		goto out;
	if (hsmi_hdr_entries(disk, dlen, &ents, &n)) {
		errno = EBADMSG;
		goto out;
	}
	if (hsmi_remove_unlisted(sd->dfd, ents, n))
		goto out;
	r = hsmi_set_link(sd->rootfd, tok->index, sd->serial);
	goto out;
kernel:
	hsmi_debug("hsm%u: export: %s", tok->index, hsm_strerror(rv));
	errno = rv == CKR_HOST_MEMORY ? ENOMEM :
		hsm_last_errno() ? hsm_last_errno() : EIO;
out:
	free(disk);
	hsm_free(hdr);
	return r;
}

unsigned long hsmi_persist_init_token(const struct hsm_token *tok)
{
	struct hsmi_sdir sd;
	int r;

	r = hsmi_persist_begin(tok, hsm_state_dir(), &sd);
	if (!r)
		return CKR_OK;
	if (r > 0) {
		/*
		 * A new token lists no object: its header replaces whatever
		 * an older one left (its generation may be lower), and every
		 * object file goes. (No EXPORT_NEXT: that needs CAP_SYS_ADMIN.)
		 */
		r = hsmi_write_header(tok, &sd, HSMI_W_FORCE);
		if (!r)
			r = hsmi_remove_unlisted(sd.dfd, NULL, 0);
		if (r)
			hsmi_set_errno(errno);
		hsmi_sdir_close(&sd);
	} else {
		hsmi_set_errno(errno);
	}
	return r ? CKR_DEVICE_ERROR : CKR_OK;
}

unsigned long hsm_state_save(const struct hsm_token *tok, const char *dir,
			     unsigned int flags)
{
	struct hsmi_sdir sd;
	unsigned long rv;
	int r;

	rv = hsm_check_pid(tok);
	if (rv != CKR_OK)
		return rv;
	if (flags & ~HSM_STATE_SAVE_FORCE)
		return CKR_ARGUMENTS_BAD;
	if (!dir)
		dir = hsm_state_dir();
	if (!dir)
		return CKR_ARGUMENTS_BAD;
	if (!(tok->version.features & KHSM_FEATURE_STATE))
		return CKR_FUNCTION_NOT_SUPPORTED;
	r = hsmi_persist_begin(tok, dir, &sd);
	if (r == 0) {
		/* No root directory, or a token never initialised. */
		r = access(dir, F_OK) ? ENOENT : 0;
		hsmi_set_errno(r);
		return r ? CKR_DEVICE_ERROR : CKR_TOKEN_NOT_RECOGNIZED;
	}
	if (r > 0) {
		r = hsmi_save_all(tok, &sd, (flags & HSM_STATE_SAVE_FORCE) ?
					    HSMI_W_FORCE : 0);
		if (r)
			hsmi_set_errno(errno);
		hsmi_sdir_close(&sd);
	} else {
		hsmi_set_errno(errno);
	}
	return r ? CKR_DEVICE_ERROR : CKR_OK;
}
