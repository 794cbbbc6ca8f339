// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Tokens: enumeration of /dev/hsmN, open/close, ABI check, the ioctl
 * helper every wrapper goes through, fork detection.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

const char *hsmi_dev_dir(void)
{
	const char *dir = secure_getenv("KHSM_DEV_DIR");

	return dir && *dir ? dir : HSM_DEV_DIR_DEFAULT;
}

unsigned long hsmi_ioctl_fd(int fd, unsigned long cmd, void *arg)
{
	struct hsmi_ioc_hdr hdr;
	int ret;

	do {
		ret = ioctl(fd, cmd, arg);
	} while (ret < 0 && errno == EINTR);
	if (ret == 0) {
		hsmi_set_errno(0);
		return CKR_OK;
	}
	memcpy(&hdr, arg, sizeof(hdr));
	if (hdr.rv != CKR_OK) {
		/* The kernel's PKCS#11 decision; the errno only restates it. */
		hsmi_set_errno(0);
		return hdr.rv;
	}
	hsmi_set_errno(errno);
	return hsm_errno_to_rv(errno);
}

unsigned long hsmi_ioctl(const struct hsm_token *tok, unsigned long cmd,
			 void *arg)
{
	unsigned long rv = hsm_check_pid(tok);

	if (rv != CKR_OK)
		return rv;
	return hsmi_ioctl_fd(tok->fd, cmd, arg);
}

/*
 * getpid() is a system call on every call since glibc 2.25, and every
 * libhsm and khsm-pkcs11 call asks it (fork detection): up to four extra
 * system calls per PKCS#11 call. The answer is kept in a page the kernel
 * zeroes in a child of fork() (MADV_WIPEONFORK, Linux 4.14), so a child
 * asks getpid() once and every other call reads memory. Without the page
 * (mmap or madvise refused) every call asks getpid().
 */
static pid_t *pid_page;
static pthread_once_t pid_once = PTHREAD_ONCE_INIT;

static void pid_page_init(void)
{
	long sz = sysconf(_SC_PAGESIZE);
	void *p;

	if (sz <= 0)
		return;
	p = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return;
	if (madvise(p, (size_t)sz, MADV_WIPEONFORK)) {
		munmap(p, (size_t)sz);
		return;
	}
	pid_page = p;
}

pid_t hsm_getpid(void)
{
	pid_t pid;

	pthread_once(&pid_once, pid_page_init);
	if (!pid_page)
		return getpid();
	pid = __atomic_load_n(pid_page, __ATOMIC_RELAXED);
	if (!pid) {
		pid = getpid();
		__atomic_store_n(pid_page, pid, __ATOMIC_RELAXED);
	}
	return pid;
}

unsigned long hsm_check_pid(const struct hsm_token *tok)
{
	hsmi_set_errno(0);
	if (!tok)
		return CKR_ARGUMENTS_BAD;
	if (tok->pid != hsm_getpid())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	return CKR_OK;
}

/* "hsm" followed by a decimal number without leading zeros. */
static int hsmi_parse_name(const char *name, unsigned int *index)
{
	unsigned long v;
	char *end;

	if (strncmp(name, "hsm", 3) != 0)
		return -1;
	name += 3;
	if (name[0] < '0' || name[0] > '9' || (name[0] == '0' && name[1]))
		return -1;
	errno = 0;
	v = strtoul(name, &end, 10);
	if (errno || *end || v > UINT_MAX)
		return -1;
	*index = (unsigned int)v;
	return 0;
}

static int hsmi_cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return (x > y) - (x < y);
}

unsigned long hsm_token_list(unsigned int *indices, unsigned int *count)
{
	unsigned int *found = NULL, *grown, n = 0, cap = 0, idx;
	unsigned long rv = CKR_OK;
	struct dirent *de;
	struct stat st;
	DIR *dir;

	hsmi_set_errno(0);
	if (!count)
		return CKR_ARGUMENTS_BAD;
	dir = opendir(hsmi_dev_dir());
	if (!dir) {
		if (errno == ENOENT || errno == ENOTDIR) {
			*count = 0;
			return CKR_OK;
		}
		hsmi_set_errno(errno);
		return hsm_errno_to_rv(errno);
	}
	while ((errno = 0, de = readdir(dir))) {
		if (hsmi_parse_name(de->d_name, &idx))
			continue;
		if (fstatat(dirfd(dir), de->d_name, &st, 0) || !S_ISCHR(st.st_mode))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			grown = realloc(found, cap * sizeof(*found));
			if (!grown) {
				rv = CKR_HOST_MEMORY;
				goto out;
			}
			found = grown;
		}
		found[n++] = idx;
	}
	if (errno) {
		hsmi_set_errno(errno);
		rv = hsm_errno_to_rv(errno);
		goto out;
	}
	if (n)
		qsort(found, n, sizeof(*found), hsmi_cmp_uint);
	if (indices) {
		if (*count < n)
			rv = CKR_BUFFER_TOO_SMALL;
		else if (n)
			memcpy(indices, found, n * sizeof(*found));
	}
	*count = n;
out:
	free(found);
	closedir(dir);
	return rv;
}

unsigned long hsm_open(unsigned int index, struct hsm_token **out)
{
	struct hsm_token *tok;
	unsigned long rv;
	char path[PATH_MAX];
	int fd, len;

	hsmi_set_errno(0);
	if (!out)
		return CKR_ARGUMENTS_BAD;
	*out = NULL;
	len = snprintf(path, sizeof(path), "%s/hsm%u", hsmi_dev_dir(), index);
	if (len < 0 || (size_t)len >= sizeof(path))
		return CKR_ARGUMENTS_BAD;
	tok = calloc(1, sizeof(*tok));
	if (!tok)
		return CKR_HOST_MEMORY;
	do {
		fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		int err = errno;

		free(tok);
		hsmi_set_errno(err);
		if (err == ENOENT || err == ENODEV || err == ENXIO)
			return CKR_TOKEN_NOT_PRESENT;
		if (err == EACCES || err == EPERM)
			return CKR_TOKEN_NOT_RECOGNIZED;
		return hsm_errno_to_rv(err);
	}
	tok->fd = fd;
	tok->index = index;
	tok->pid = hsm_getpid();
	tok->version.size = sizeof(tok->version);
	rv = hsmi_ioctl_fd(fd, KHSM_IOC_VERSION, &tok->version);
	if (rv == CKR_OK && tok->version.abi_version != KHSM_ABI_VERSION)
		rv = CKR_TOKEN_NOT_RECOGNIZED;
	else if (rv == CKR_FUNCTION_NOT_SUPPORTED || rv == CKR_ARGUMENTS_BAD)
		rv = CKR_TOKEN_NOT_RECOGNIZED;	/* not a khsm device */
	if (rv != CKR_OK) {
		close(fd);
		free(tok);
		return rv;
	}
	*out = tok;
	return CKR_OK;
}

void hsm_close(struct hsm_token *tok)
{
	if (!tok)
		return;
	close(tok->fd);
	free(tok);
}

int hsm_token_present(unsigned int index)
{
	char path[PATH_MAX];
	struct stat st;
	int len;

	len = snprintf(path, sizeof(path), "%s/hsm%u", hsmi_dev_dir(), index);
	if (len < 0 || (size_t)len >= sizeof(path))
		return 0;
	return !stat(path, &st) && S_ISCHR(st.st_mode);
}

unsigned int hsm_token_index(const struct hsm_token *tok)
{
	return tok->index;
}

int hsm_token_fd(const struct hsm_token *tok)
{
	return tok->fd;
}

/*
 * An out-only ioctl into the caller's struct of @size bytes (the kernel
 * copies min(@size, its own size) back and never writes beyond @size).
 */
static unsigned long hsmi_ioctl_out(const struct hsm_token *tok,
				    unsigned long cmd, void *arg, size_t size,
				    size_t min_size)
{
	struct hsmi_ioc_hdr *h = arg;

	if (!arg || size < min_size || size > UINT32_MAX)
		return CKR_ARGUMENTS_BAD;
	memset(arg, 0, size);
	h->size = (__u32)size;
	return hsmi_ioctl(tok, cmd, arg);
}

unsigned long hsm_version(const struct hsm_token *tok, struct khsm_version *v,
			  size_t size)
{
	return hsmi_ioctl_out(tok, KHSM_IOC_VERSION, v, size,
			      KHSM_VERSION_SIZE_VER0);
}

unsigned long hsm_token_info(const struct hsm_token *tok,
			     struct khsm_token_info *info, size_t size)
{
	return hsmi_ioctl_out(tok, KHSM_IOC_TOKEN_INFO, info, size,
			      KHSM_TOKEN_INFO_SIZE_VER0);
}
