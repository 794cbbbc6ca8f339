/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libhsm internals shared by the src/ files. Nothing here is exported:
 * the version script keeps every non-hsm_* symbol local, and the helpers
 * are hidden as well so the static library does not leak them either.
 */
#ifndef LIBHSM_INTERNAL_H
#define LIBHSM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <khsm/hsm.h>
#include <p11-kit-1/p11-kit/pkcs11.h>

#define HSMI_HIDDEN __attribute__((visibility("hidden")))

/* Immutable after hsm_open(). */
struct hsm_token {
	int fd;
	unsigned int index;
	pid_t pid;
	struct khsm_version version;
};

/* Every uAPI struct starts with this header. */
struct hsmi_ioc_hdr {
	__u32 size;
	__u32 rv;
};

/*
 * Issue @cmd on @tok with @arg (a uAPI struct whose size/rv the caller set).
 * Checks the pid first, retries EINTR, returns the kernel's rv when it wrote
 * one, else the errno mapped by hsm_errno_to_rv().
 */
HSMI_HIDDEN unsigned long hsmi_ioctl(const struct hsm_token *tok,
				     unsigned long cmd, void *arg);
/* Same without the token (used by hsm_open before the token exists). */
HSMI_HIDDEN unsigned long hsmi_ioctl_fd(int fd, unsigned long cmd, void *arg);

/* The device directory: $KHSM_DEV_DIR or "/dev" (device.c). */
HSMI_HIDDEN const char *hsmi_dev_dir(void);

/* Per-thread errno slot (error.c). */
HSMI_HIDDEN void hsmi_set_errno(int err);

/* Attribute template conversion (object.c). *out is NULL when count == 0. */
HSMI_HIDDEN unsigned long hsmi_tmpl_encode(const struct hsm_attr *tmpl,
					   unsigned long count,
					   struct khsm_attr **out, __u32 *n);

/*
 * The uAPI's flat parameter of a mechanism (mech.c): @param/@len go into
 * the ioctl; @alloc (NULL when the PKCS#11 parameter was already flat) is
 * libhsm's wiped copy, released by hsmi_param_put() after the ioctl.
 */
struct hsmi_param {
	const void *param;
	__u32 len;
	void *alloc;
};

HSMI_HIDDEN unsigned long hsmi_param_get(const struct hsm_mechanism *m,
					 struct hsmi_param *out);
HSMI_HIDDEN void hsmi_param_put(struct hsmi_param *p);

/* Zeroed buffer releasable by hsm_free() (alloc.c); NULL on no memory. */
HSMI_HIDDEN void *hsmi_alloc(size_t len);

static inline __u64 hsmi_ptr(const void *p)
{
	return (__u64)(uintptr_t)p;
}

#endif /* LIBHSM_INTERNAL_H */
