// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Token keys in the kernel keyring (kmod/keytype.c), through libkeyutils:
 * the module keyring (serial in /sys/module/khsm/parameters/keyring), a
 * token's keyring "khsm:hsmN" in it, and the key of a token object found
 * by class and CKA_ID in the token keyring's descriptions
 *   <token serial>:<CKA_ID in hex or ->:<label or ->:<priv|pub|secret>:<oid>
 * libhsm only finds keys; what a caller may do with them is the kernel's
 * decision (keyctl_pkey_*, keyctl_read).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keyutils.h>

#include "internal.h"

#define HSMI_KR_PARAM	"/sys/module/khsm/parameters/keyring"

/* errno of a keyctl call -> CK_RV (ENOKEY and friends: not present). */
static unsigned long hsmi_kr_rv(int err)
{
	hsmi_set_errno(err);
	switch (err) {
	case ENOKEY:
	case EKEYREVOKED:
	case EKEYEXPIRED:
	case ENOENT:
		return CKR_TOKEN_NOT_PRESENT;
	case EACCES:
	case EPERM:
		return CKR_TOKEN_NOT_RECOGNIZED;
	default:
		return hsm_errno_to_rv(err);
	}
}

unsigned long hsm_keyring_module(int32_t *serial)
{
	char buf[32];
	long v;
	char *end;
	FILE *fp;

	if (!serial)
		return CKR_ARGUMENTS_BAD;
	*serial = 0;
	fp = fopen(HSMI_KR_PARAM, "re");
	if (!fp)
		return hsmi_kr_rv(errno);
	if (!fgets(buf, sizeof(buf), fp)) {
		fclose(fp);
		hsmi_set_errno(EIO);
		return CKR_DEVICE_ERROR;
	}
	fclose(fp);
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n') || v <= 0 ||
	    v > INT32_MAX) {
		hsmi_set_errno(EINVAL);
		return CKR_DEVICE_ERROR;
	}
	*serial = (int32_t)v;
	return CKR_OK;
}

unsigned long hsm_keyring_token(unsigned int index, int32_t *serial)
{
	char desc[24];
	int32_t ring;
	unsigned long rv;
	long k;

	if (!serial)
		return CKR_ARGUMENTS_BAD;
	*serial = 0;
	rv = hsm_keyring_module(&ring);
	if (rv != CKR_OK)
		return rv;
	snprintf(desc, sizeof(desc), "khsm:hsm%u", index);
	k = keyctl_search(ring, "keyring", desc, 0);
	if (k < 0)
		return hsmi_kr_rv(errno);
	*serial = (int32_t)k;
	return CKR_OK;
}

static const char *hsmi_kr_class(unsigned long cls)
{
	switch (cls) {
	case CKO_PRIVATE_KEY:
		return "priv";
	case CKO_PUBLIC_KEY:
		return "pub";
	case CKO_SECRET_KEY:
		return "secret";
	default:
		return NULL;
	}
}

/* Copy field @i (0-based, ':'-separated) of @s into @out (NUL-terminated). */
static int hsmi_kr_field(const char *s, unsigned int i, char *out,
			 size_t size)
{
	const char *e;
	size_t n;

	for (; i; i--) {
		s = strchr(s, ':');
		if (!s)
			return -1;
		s++;
	}
	e = strchr(s, ':');
	n = e ? (size_t)(e - s) : strlen(s);
	if (!n || n >= size)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

unsigned long hsm_keyring_parse(const char *desc, struct hsm_keyring_desc *d)
{
	char cls[8], oid[24], *end;
	unsigned int colons = 0;
	const char *p;

	if (!desc || !d)
		return CKR_ARGUMENTS_BAD;
	memset(d, 0, sizeof(*d));
	for (p = desc; *p; p++)
		colons += *p == ':';
	if (colons != 4 ||
	    hsmi_kr_field(desc, 0, d->serial, sizeof(d->serial)) ||
	    hsmi_kr_field(desc, 1, d->id_hex, sizeof(d->id_hex)) ||
	    hsmi_kr_field(desc, 2, d->label, sizeof(d->label)) ||
	    hsmi_kr_field(desc, 3, cls, sizeof(cls)) ||
	    hsmi_kr_field(desc, 4, oid, sizeof(oid)))
		return CKR_ARGUMENTS_BAD;
	if (!strcmp(cls, "priv"))
		d->cls = CKO_PRIVATE_KEY;
	else if (!strcmp(cls, "pub"))
		d->cls = CKO_PUBLIC_KEY;
	else if (!strcmp(cls, "secret"))
		d->cls = CKO_SECRET_KEY;
	else
		return CKR_ARGUMENTS_BAD;
	if (!strcmp(d->id_hex, "-"))
		d->id_hex[0] = '\0';
	if (!strcmp(d->label, "-"))
		d->label[0] = '\0';
	if (!strcmp(d->serial, "-"))
		d->serial[0] = '\0';
	errno = 0;
	d->oid = strtoull(oid, &end, 16);
	if (errno || *end || oid[0] == '-' || oid[0] == '+')
		return CKR_ARGUMENTS_BAD;
	return CKR_OK;
}

/* The description of key @k if it is of type khsm, else NULL (free()). */
static char *hsmi_kr_describe(int32_t k)
{
	char *buf = NULL, *semi;
	unsigned int i;

	if (keyctl_describe_alloc(k, &buf) < 0)
		return NULL;
	/* "type;uid;gid;perm;description" */
	if (strncmp(buf, "khsm;", 5)) {
		free(buf);
		return NULL;
	}
	semi = buf;
	for (i = 0; i < 4 && semi; i++) {
		semi = strchr(semi, ';');
		if (semi)
			semi++;
	}
	if (!semi) {
		free(buf);
		return NULL;
	}
	memmove(buf, semi, strlen(semi) + 1);
	return buf;
}

unsigned long hsm_keyring_find_key(unsigned int index, unsigned long cls,
				   const void *id, size_t id_len,
				   int32_t *serial)
{
	char want[2 * HSM_KEYRING_ID_MAX + 1];
	const unsigned char *b = id;
	struct hsm_keyring_desc d;
	unsigned long rv;
	int32_t ring, *keys = NULL;
	size_t i;
	long n;

	if (!serial || !hsmi_kr_class(cls) || (id_len && !id))
		return CKR_ARGUMENTS_BAD;
	*serial = 0;
	/* The description carries the first HSM_KEYRING_ID_MAX bytes. */
	if (id_len > HSM_KEYRING_ID_MAX)
		id_len = HSM_KEYRING_ID_MAX;
	for (i = 0; i < id_len; i++)
		snprintf(want + 2 * i, 3, "%02x", b[i]);
	want[2 * id_len] = '\0';
	rv = hsm_keyring_token(index, &ring);
	if (rv != CKR_OK)
		return rv;
	n = keyctl_read_alloc(ring, (void **)&keys);
	if (n < 0)
		return hsmi_kr_rv(errno);
	rv = CKR_KEY_HANDLE_INVALID;
	for (i = 0; i < (size_t)n / sizeof(*keys); i++) {
		char *desc = hsmi_kr_describe(keys[i]);

		if (!desc)
			continue;
		if (hsm_keyring_parse(desc, &d) == CKR_OK && d.cls == cls &&
		    !strcmp(d.id_hex, want)) {
			*serial = keys[i];
			rv = CKR_OK;
		}
		free(desc);
		if (rv == CKR_OK)
			break;
	}
	free(keys);
	if (rv != CKR_OK)
		hsmi_set_errno(ENOKEY);
	return rv;
}
