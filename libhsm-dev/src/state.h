/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libhsm internals of the state directory (state.c: files, persist.c: the
 * hooks of the mutating calls, state_ioc.c: KHSM_IOC_STATE). Layout:
 *
 *   <root>/hsmN -> <serial>           symlink: the state /dev/hsmN holds
 *   <root>/<serial>/header            sealed header
 *   <root>/<serial>/<oid %016llx>.obj one sealed object
 *   <root>/<serial>/.lock             flock(2) of every writer
 *
 * Every write happens under flock(LOCK_EX) of .lock: temp file in the same
 * directory, fsync, rename, and an fsync of the directory by the caller;
 * a file whose stored generation is >= the new one is never replaced
 * (unless HSMI_W_FORCE), so a header never goes back in time and an
 * object never gets an older copy.
 */
#ifndef LIBHSM_STATE_H
#define LIBHSM_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

#define HSMI_STATE_HEADER	"header"
#define HSMI_STATE_LOCK		".lock"
/* "%016llx.obj" and its NUL. */
#define HSMI_OBJ_NAME_LEN	21

/* An open <root>/<serial> directory, locked. */
struct hsmi_sdir {
	int rootfd;
	int dfd;
	int lockfd;
	char serial[KHSM_SERIAL_LEN + 1];
};

/* TOKEN_INFO's serial without blanks; -1 if empty or not a safe name. */
HSMI_HIDDEN int hsmi_serial_name(const __u8 serial[KHSM_SERIAL_LEN],
				 char out[KHSM_SERIAL_LEN + 1]);
/* "%016llx.obj" with a non-zero oid: 0 and *oid, else -1. */
HSMI_HIDDEN int hsmi_obj_name_parse(const char *name, uint64_t *oid);
HSMI_HIDDEN void hsmi_obj_name(uint64_t oid, char out[HSMI_OBJ_NAME_LEN]);

/*
 * The generation of a header or object blob (*is_hdr says which): 0, or
 * -1 if @b is neither (short, bad magic or version).
 */
HSMI_HIDDEN int hsmi_blob_gen(const void *b, size_t len, uint64_t *gen,
			      int *is_hdr);
/*
 * Entries of a header blob: *ents points into @b, *n of them; -1 if the
 * blob is not a well-formed header.
 */
HSMI_HIDDEN int hsmi_hdr_entries(const void *b, size_t len,
				 const struct khsm_state_ent **ents,
				 uint32_t *n);
/* Stored generation of @name in @dfd: 1 and *gen, 0 if absent/unreadable. */
HSMI_HIDDEN int hsmi_file_gen(int dfd, const char *name, uint64_t *gen);

/*
 * Open (@create: make, mode 2770) <root>/<serial> and lock it; 0, or -1
 * with errno. hsmi_sdir_close() unlocks.
 */
HSMI_HIDDEN int hsmi_sdir_open(const char *root, const char *serial,
			       int create, struct hsmi_sdir *sd);
HSMI_HIDDEN void hsmi_sdir_close(struct hsmi_sdir *sd);

#define HSMI_W_FORCE	1	/* replace whatever generation is stored */
/*
 * Atomically replace @name in @dfd by @len bytes of @buf (a blob: its
 * generation is compared with the stored file's). *written (may be NULL)
 * says whether it was replaced (0: a newer or equal one is there). Does
 * not fsync the directory. 0, or -1 with errno.
 */
HSMI_HIDDEN int hsmi_write_atomic(int dfd, const char *name, const void *buf,
				  size_t len, int flags, int *written);
/* fsync(2) of a directory; 0 or -1 with errno. */
HSMI_HIDDEN int hsmi_fsync_dir(int dfd);
/*
 * Remove every object file whose oid is not in @ents (ascending), then
 * fsync the directory; 0 or -1 with errno.
 */
HSMI_HIDDEN int hsmi_remove_unlisted(int dfd,
				     const struct khsm_state_ent *ents,
				     uint32_t n);
/* Point <root>/hsm<index> at @serial (atomic, fsync of root); 0 or -1. */
HSMI_HIDDEN int hsmi_set_link(int rootfd, unsigned int index,
			      const char *serial);
/* Read a whole file (at most @max bytes) into a malloc'd buffer. */
HSMI_HIDDEN int hsmi_read_file(int dfd, const char *name, size_t max,
			       void **buf, size_t *len);

/* Messages on stderr when KHSM_DEBUG is set. */
HSMI_HIDDEN void hsmi_debug(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* Raw KHSM_IOC_STATE exports (state_ioc.c); *blob released with free(). */
HSMI_HIDDEN unsigned long hsmi_export(const struct hsm_token *tok,
				      __u32 what, __u32 handle, __u64 oid,
				      void **blob, size_t *len,
				      __u64 *oid_out, __u64 *gen_out);

/* The hooks of the mutating calls (persist.c); each returns a CK_RV. */
HSMI_HIDDEN unsigned long hsmi_persist_objects(const struct hsm_token *tok,
					       uint32_t session,
					       const uint32_t *handles,
					       unsigned int n, int created);
/* Before DESTROY: the object's oid (0: session object or off). */
HSMI_HIDDEN uint64_t hsmi_persist_destroy_pre(const struct hsm_token *tok,
					      uint32_t handle);
HSMI_HIDDEN unsigned long hsmi_persist_destroy(const struct hsm_token *tok,
					       uint64_t oid);
HSMI_HIDDEN unsigned long hsmi_persist_header(const struct hsm_token *tok);
HSMI_HIDDEN unsigned long hsmi_persist_init_token(const struct hsm_token *tok);

/* DESTROY without the hook (object.c): the undo of a failed write. */
HSMI_HIDDEN unsigned long hsmi_destroy_raw(const struct hsm_token *tok,
					   uint32_t session, uint32_t object);

#endif /* LIBHSM_STATE_H */
