// SPDX-License-Identifier: GPL-2.0
/*
 * hsmctl: names of what the netlink family reports (mechanisms, events,
 * object classes, user types, return values), users and groups, and the
 * TOKEN / group arguments. The mechanism table is the kernel's
 * (kmod/ck.h, values as PKCS#11 3.0 defines them); an unknown value
 * prints in hex.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsmctl.h"
#include "nl.h"

static const struct {
	uint64_t v;
	const char *name;
} mechs[] = {
	{ 0x1082UL, "CKM_AES_CBC" },
	{ 0x1085UL, "CKM_AES_CBC_PAD" },
	{ 0x108aUL, "CKM_AES_CMAC" },
	{ 0x108bUL, "CKM_AES_CMAC_GENERAL" },
	{ 0x1086UL, "CKM_AES_CTR" },
	{ 0x1081UL, "CKM_AES_ECB" },
	{ 0x1087UL, "CKM_AES_GCM" },
	{ 0x1080UL, "CKM_AES_KEY_GEN" },
	{ 0x2109UL, "CKM_AES_KEY_WRAP" },
	{ 0x210bUL, "CKM_AES_KEY_WRAP_KWP" },
	{ 0x1051UL, "CKM_ECDH1_COFACTOR_DERIVE" },
	{ 0x1050UL, "CKM_ECDH1_DERIVE" },
	{ 0x1041UL, "CKM_ECDSA" },
	{ 0x1042UL, "CKM_ECDSA_SHA1" },
	{ 0x1043UL, "CKM_ECDSA_SHA224" },
	{ 0x1044UL, "CKM_ECDSA_SHA256" },
	{ 0x1045UL, "CKM_ECDSA_SHA384" },
	{ 0x1046UL, "CKM_ECDSA_SHA512" },
	{ 0x1055UL, "CKM_EC_EDWARDS_KEY_PAIR_GEN" },
	{ 0x1040UL, "CKM_EC_KEY_PAIR_GEN" },
	{ 0x1056UL, "CKM_EC_MONTGOMERY_KEY_PAIR_GEN" },
	{ 0x1057UL, "CKM_EDDSA" },
	{ 0x350UL, "CKM_GENERIC_SECRET_KEY_GEN" },
	{ 0x402bUL, "CKM_HKDF_DATA" },
	{ 0x402aUL, "CKM_HKDF_DERIVE" },
	{ 0x402cUL, "CKM_HKDF_KEY_GEN" },
	{ 0x1054UL, "CKM_RSA_AES_KEY_WRAP" },
	{ 1UL, "CKM_RSA_PKCS" },
	{ 0UL, "CKM_RSA_PKCS_KEY_PAIR_GEN" },
	{ 9UL, "CKM_RSA_PKCS_OAEP" },
	{ 0xdUL, "CKM_RSA_PKCS_PSS" },
	{ 6UL, "CKM_SHA1_RSA_PKCS" },
	{ 0xeUL, "CKM_SHA1_RSA_PKCS_PSS" },
	{ 0x255UL, "CKM_SHA224" },
	{ 0x256UL, "CKM_SHA224_HMAC" },
	{ 0x257UL, "CKM_SHA224_HMAC_GENERAL" },
	{ 0x46UL, "CKM_SHA224_RSA_PKCS" },
	{ 0x47UL, "CKM_SHA224_RSA_PKCS_PSS" },
	{ 0x250UL, "CKM_SHA256" },
	{ 0x251UL, "CKM_SHA256_HMAC" },
	{ 0x252UL, "CKM_SHA256_HMAC_GENERAL" },
	{ 0x40UL, "CKM_SHA256_RSA_PKCS" },
	{ 0x43UL, "CKM_SHA256_RSA_PKCS_PSS" },
	{ 0x260UL, "CKM_SHA384" },
	{ 0x261UL, "CKM_SHA384_HMAC" },
	{ 0x262UL, "CKM_SHA384_HMAC_GENERAL" },
	{ 0x41UL, "CKM_SHA384_RSA_PKCS" },
	{ 0x44UL, "CKM_SHA384_RSA_PKCS_PSS" },
	{ 0x2b5UL, "CKM_SHA3_224" },
	{ 0x2b6UL, "CKM_SHA3_224_HMAC" },
	{ 0x2b7UL, "CKM_SHA3_224_HMAC_GENERAL" },
	{ 0x2b0UL, "CKM_SHA3_256" },
	{ 0x2b1UL, "CKM_SHA3_256_HMAC" },
	{ 0x2b2UL, "CKM_SHA3_256_HMAC_GENERAL" },
	{ 0x2c0UL, "CKM_SHA3_384" },
	{ 0x2c1UL, "CKM_SHA3_384_HMAC" },
	{ 0x2c2UL, "CKM_SHA3_384_HMAC_GENERAL" },
	{ 0x2d0UL, "CKM_SHA3_512" },
	{ 0x2d1UL, "CKM_SHA3_512_HMAC" },
	{ 0x2d2UL, "CKM_SHA3_512_HMAC_GENERAL" },
	{ 0x270UL, "CKM_SHA512" },
	{ 0x271UL, "CKM_SHA512_HMAC" },
	{ 0x272UL, "CKM_SHA512_HMAC_GENERAL" },
	{ 0x42UL, "CKM_SHA512_RSA_PKCS" },
	{ 0x45UL, "CKM_SHA512_RSA_PKCS_PSS" },
	{ 0x220UL, "CKM_SHA_1" },
	{ 0x221UL, "CKM_SHA_1_HMAC" },
	{ 0x222UL, "CKM_SHA_1_HMAC_GENERAL" },
};

const char *mech_name(uint64_t m, char buf[24])
{
	size_t i;

	for (i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++)
		if (mechs[i].v == m)
			return mechs[i].name;
	snprintf(buf, 24, "0x%llx", (unsigned long long)m);
	return buf;
}

const char *event_name(uint32_t t)
{
	static const char *const n[] = {
		[KHSM_EVENT_TOKEN_INIT] = "TOKEN_INIT",
		[KHSM_EVENT_LOGIN] = "LOGIN",
		[KHSM_EVENT_LOGIN_FAILED] = "LOGIN_FAILED",
		[KHSM_EVENT_PIN_LOCKED] = "PIN_LOCKED",
		[KHSM_EVENT_OBJECT_CREATE] = "OBJECT_CREATE",
		[KHSM_EVENT_OBJECT_DESTROY] = "OBJECT_DESTROY",
		[KHSM_EVENT_KEY_USE] = "KEY_USE",
		[KHSM_EVENT_TOKEN_ADD] = "TOKEN_ADD",
		[KHSM_EVENT_TOKEN_REMOVE] = "TOKEN_REMOVE",
	};

	return t < sizeof(n) / sizeof(n[0]) && n[t] ? n[t] : "UNKNOWN";
}

const char *class_name(uint64_t c, char buf[24])
{
	static const char *const n[] = {
		"CKO_DATA", "CKO_CERTIFICATE", "CKO_PUBLIC_KEY",
		"CKO_PRIVATE_KEY", "CKO_SECRET_KEY",
	};

	if (c < sizeof(n) / sizeof(n[0]))
		return n[c];
	snprintf(buf, 24, "0x%llx", (unsigned long long)c);
	return buf;
}

const char *user_type_name(uint32_t u, char buf[24])
{
	static const char *const n[] = {
		"CKU_SO", "CKU_USER", "CKU_CONTEXT_SPECIFIC",
	};

	if (u < sizeof(n) / sizeof(n[0]))
		return n[u];
	snprintf(buf, 24, "%u", u);
	return buf;
}

const char *rv_name(uint32_t rv, char buf[24])
{
	const char *s = hsm_strerror(rv);

	if (s && !strncmp(s, "CKR_", 4))
		return s;
	snprintf(buf, 24, "0x%x", rv);
	return buf;
}

const char *tok_name(uint32_t index, char buf[16])
{
	snprintf(buf, 16, "hsm%u", index);
	return buf;
}

long parse_token_arg(const char *s)
{
	const char *p = s;
	unsigned long v;
	char *end;

	if (!strncmp(p, "hsm", 3))
		p += 3;
	else if (!strncmp(p, "/dev/hsm", 8))
		p += 8;
	if (*p < '0' || *p > '9')
		goto bad;
	errno = 0;
	v = strtoul(p, &end, 10);
	if (errno || *end || v > INT_MAX)
		goto bad;
	return (long)v;
bad:
	msg("bad TOKEN '%s' (hsmN or N)", s);
	return -1;
}

long parse_group_arg(const char *s)
{
	struct group *g;
	unsigned long v;
	char *end;

	g = getgrnam(s);
	if (g)
		return (long)g->gr_gid;
	if (*s >= '0' && *s <= '9') {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (!errno && !*end && v < UINT32_MAX)
			return (long)v;
	}
	msg("no group '%s' (a group name or a gid)", s);
	return -1;
}

const char *group_name(uint32_t gid)
{
	struct group *g = getgrgid(gid);

	return g ? g->gr_name : NULL;
}

const char *user_name(uint32_t uid)
{
	struct passwd *p = getpwuid(uid);

	return p ? p->pw_name : NULL;
}
