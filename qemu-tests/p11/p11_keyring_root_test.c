// SPDX-License-Identifier: GPL-2.0
/*
 * Token keys in the kernel keyring (kmod/keytype.c), as root, with the
 * PKCS#11 module and Debian's keyctl and openssl tools: a token key pair
 * appears in /proc/keys under the module keyring and the token keyring;
 * keyctl read of the public key is SubjectPublicKeyInfo DER that OpenSSL
 * parses and that holds the PKCS#11 point; reading the private key fails;
 * add_key(2) and KEYCTL_UPDATE of the type fail; keyctl pkey_sign (ECDSA
 * P-256 x962, RSA-2048 pkcs1 sha256) verifies with openssl pkeyutl and
 * pkey_verify, RSA encrypts and decrypts; refused: CKA_KHSM_KEYRING_USE
 * false (and it cannot go back to true), CKA_SIGN false, no user logged
 * in, a caller outside the token's group (nobody); keyctl revoke makes the
 * object unusable through PKCS#11; destroying the object while a child
 * signs in a loop ends the loop's successes and revokes the key; root's
 * key quota full makes token key creation fail with CKR_DEVICE_MEMORY.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>

#include "kselftest_harness.h"
#include "p11_util.h"

#define KR_USE		0xcb480001UL	/* CKA_KHSM_KEYRING_USE */
#define DIR		"/tmp/p11kr"

static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;

static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : 255;
}

/* Serial of the .khsm key whose description contains @sub, or 0. */
static long find_key(const char *sub)
{
	char line[1024], type[64], desc[768];
	FILE *fp = fopen("/proc/keys", "r");
	long found = 0;
	unsigned long serial;

	if (!fp)
		return 0;
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "%lx %*s %*s %*s %*s %*s %*s %63s %767[^\n]",
			   &serial, type, desc) != 3)
			continue;
		if (!strcmp(type, "khsm") && strstr(desc, sub))
			found = (long)serial;
	}
	fclose(fp);
	return found;
}

static CK_RV gen_ec(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
		    const char *label, CK_BBOOL use, CK_BBOOL sign,
		    CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
	CK_MECHANISM m = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_BYTE id[] = { 0x4b, 0x01 };
	CK_ATTRIBUTE pt[] = {
		{ CKA_TOKEN, &yes, 1 },
		{ CKA_VERIFY, &yes, 1 },
		{ CKA_EC_PARAMS, (void *)p_p256_oid, sizeof(p_p256_oid) },
		{ CKA_LABEL, (void *)label, strlen(label) },
		{ CKA_ID, id, sizeof(id) },
		{ KR_USE, &use, 1 },
	};
	CK_ATTRIBUTE kt[] = {
		{ CKA_TOKEN, &yes, 1 },
		{ CKA_SIGN, &sign, 1 },
		{ CKA_SENSITIVE, &yes, 1 },
		{ CKA_PRIVATE, &yes, 1 },
		{ CKA_LABEL, (void *)label, strlen(label) },
		{ CKA_ID, id, sizeof(id) },
		{ KR_USE, &use, 1 },
	};

	return f->C_GenerateKeyPair(s, &m, pt, 6, kt, 7, pub, priv);
}

/* "<label>:priv:" / ":pub:" key serial of the pair labelled @label. */
static long key_of(const char *label, const char *cls)
{
	char sub[128];

	snprintf(sub, sizeof(sub), ":%s:%s:", label, cls);
	return find_key(sub);
}

static int sign_ec(long key)
{
	return sh("keyctl pkey_sign %ld 0 " DIR "/dgst enc=x962 hash=sha256 >"
		  DIR "/sig 2>" DIR "/err", key);
}

FIXTURE(kr) {
	CK_FUNCTION_LIST_PTR f;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
};

FIXTURE_SETUP(kr)
{
	P_SETUP_USER_SESSION(self);
	ASSERT_EQ(0, sh("rm -rf " DIR " && mkdir -p " DIR " && chmod 755 " DIR));
	ASSERT_EQ(0, sh("head -c 100 /dev/urandom >" DIR "/msg && "
			"openssl dgst -sha256 -binary " DIR "/msg >" DIR "/dgst"));
}

FIXTURE_TEARDOWN(kr)
{
	P_TEARDOWN(self);
}

TEST_F(kr, keyring_read_add_key)
{
	CK_OBJECT_HANDLE pub, priv;
	unsigned char pt[128], der[256];
	CK_ULONG ptlen;
	long kpub, kpriv, ring, neg;
	FILE *fp;
	size_t n;
	char buf[64];

	ASSERT_EQ(CKR_OK, gen_ec(self->f, self->s, "kr-read", yes, yes,
				 &pub, &priv));
	kpub = key_of("kr-read", "pub");
	kpriv = key_of("kr-read", "priv");
	ASSERT_NE(0, kpub);
	ASSERT_NE(0, kpriv);
	/* The module keyring holds the token keyring, which holds the keys. */
	fp = fopen("/sys/module/khsm/parameters/keyring", "r");
	ASSERT_NE(NULL, fp);
	ASSERT_EQ(1, fscanf(fp, "%ld", &ring));
	fclose(fp);
	EXPECT_EQ(0, sh("keyctl show %ld | grep -q 'khsm:hsm0'", ring));
	EXPECT_EQ(0, sh("keyctl show %ld | grep -q 'kr-read:priv'", ring));
	EXPECT_EQ(0, sh("keyctl describe %ld | grep -q 'khsm: .*:4b01:kr-read:pub:'",
			kpub));
	/* search finds it by its description */
	EXPECT_EQ(0, sh("d=$(keyctl rdescribe %ld | cut -d';' -f5-); "
			"t=$(keyctl search %ld keyring khsm:hsm0) && "
			"[ \"$(keyctl search $t khsm \"$d\")\" = %ld ]",
			kpub, ring, kpub));

	/* keyctl read: SPKI that OpenSSL parses, with the token's point */
	ASSERT_EQ(0, sh("keyctl pipe %ld >" DIR "/pub.der", kpub));
	EXPECT_EQ(0, sh("openssl pkey -pubin -inform DER -in " DIR "/pub.der "
			"-noout -text_pub | grep -q 'prime256v1\\|P-256'"));
	ptlen = p_ec_point(self->f, self->s, pub, pt, sizeof(pt));
	ASSERT_EQ(67UL, ptlen);
	fp = fopen(DIR "/pub.der", "rb");
	ASSERT_NE(NULL, fp);
	n = fread(der, 1, sizeof(der), fp);
	fclose(fp);
	ASSERT_EQ(91UL, n);
	EXPECT_EQ(0, memcmp(der + n - 65, pt + 2, 65));
	/* the private key is not readable */
	EXPECT_NE(0, sh("keyctl pipe %ld >/dev/null 2>&1", kpriv));

	/*
	 * user space cannot make or update keys of the type (add_key02:
	 * payloads of every size, none, the key's own description)
	 */
	for (n = 0; n <= sizeof(buf); n += 8) {
		memset(buf, 0x5a, sizeof(buf));
		errno = 0;
		EXPECT_EQ(-1, syscall(SYS_add_key, "khsm", "x", n ? buf : NULL,
				      n, -2 /* KEY_SPEC_PROCESS_KEYRING */));
		EXPECT_EQ(EPERM, errno);
	}
	errno = 0;
	EXPECT_EQ(-1, syscall(SYS_add_key, "khsm", "x", (void *)1, 16, -2));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_NE(0, sh("keyctl padd khsm \"$(keyctl rdescribe %ld | "
			"cut -d';' -f5-)\" @s </dev/null 2>/dev/null", kpub));
	errno = 0;
	EXPECT_EQ(-1, syscall(SYS_request_key, "khsm", "x", NULL, 0));
	EXPECT_EQ(ENOKEY, errno);
	/*
	 * keyctl07: a requested key of the type is constructed by
	 * /sbin/request-key, whose instantiation the type refuses: at most
	 * a negative key is left, and nothing reads or signs with it
	 */
	EXPECT_EQ(-1, syscall(SYS_request_key, "khsm", "kr-negative", "x",
			      -3 /* KEY_SPEC_SESSION_KEYRING */));
	neg = find_key("kr-negative");
	if (neg) {
		EXPECT_NE(0, sh("keyctl pipe %ld >/dev/null 2>&1", neg));
		EXPECT_NE(0, sh("keyctl pkey_query %ld 0 enc=x962 >/dev/null 2>&1",
				neg));
		EXPECT_NE(0, sh("keyctl pkey_sign %ld 0 " DIR "/dgst enc=x962 "
				">/dev/null 2>&1", neg));
		EXPECT_NE(0, sh("keyctl revoke %ld; keyctl pipe %ld >/dev/null 2>&1",
				neg, neg));
	}
	EXPECT_NE(0, sh("echo -n x | keyctl pupdate %ld 2>/dev/null", kpub));
	/* nobody writes into the token keyring, even root */
	EXPECT_NE(0, sh("k=$(keyctl add user krx v @s) && t=$(keyctl search %ld "
			"keyring khsm:hsm0) && keyctl link $k $t 2>/dev/null",
			ring));
}

TEST_F_TIMEOUT(kr, sign_and_refusals, 240)
{
	CK_OBJECT_HANDLE pub, priv, pub2, priv2;
	CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
	CK_ATTRIBUTE on = { KR_USE, &yes, 1 }, off = { KR_USE, &no, 1 };
	long kpub, kpriv, kpriv2;

	ASSERT_EQ(CKR_OK, gen_ec(self->f, self->s, "kr-sign", yes, yes,
				 &pub, &priv));
	kpub = key_of("kr-sign", "pub");
	kpriv = key_of("kr-sign", "priv");
	ASSERT_NE(0, kpriv);
	ASSERT_EQ(0, sh("keyctl pipe %ld >" DIR "/pub.der", kpub));
	EXPECT_EQ(0, sh("keyctl pkey_query %ld 0 enc=x962 | grep -q 'key_size=256'",
			kpriv));
	ASSERT_EQ(0, sign_ec(kpriv));
	EXPECT_EQ(0, sh("openssl pkeyutl -verify -pubin -keyform DER -inkey "
			DIR "/pub.der -in " DIR "/dgst -sigfile " DIR "/sig >/dev/null"));
	/* the same signature through PKCS#11's CKM_ECDSA verification */
	{
		unsigned char der[80], rs[64], dg[32];
		const unsigned char *p = der;
		const BIGNUM *r, *s;
		ECDSA_SIG *es;
		FILE *fp;
		size_t n, dn;

		fp = fopen(DIR "/sig", "rb");
		ASSERT_NE(NULL, fp);
		n = fread(der, 1, sizeof(der), fp);
		fclose(fp);
		fp = fopen(DIR "/dgst", "rb");
		ASSERT_NE(NULL, fp);
		dn = fread(dg, 1, sizeof(dg), fp);
		fclose(fp);
		es = d2i_ECDSA_SIG(NULL, &p, n);
		ASSERT_NE(NULL, es);
		ECDSA_SIG_get0(es, &r, &s);
		BN_bn2binpad(r, rs, 32);
		BN_bn2binpad(s, rs + 32, 32);
		ECDSA_SIG_free(es);
		ASSERT_EQ(CKR_OK, self->f->C_VerifyInit(self->s, &ecdsa, pub));
		EXPECT_EQ(CKR_OK, self->f->C_Verify(self->s, dg, dn, rs, 64));
	}
	EXPECT_EQ(0, sh("keyctl pkey_verify %ld 0 " DIR "/dgst " DIR "/sig enc=x962",
			kpub));
	EXPECT_NE(0, sh("keyctl pkey_verify %ld 0 " DIR "/msg " DIR
			"/sig enc=x962 2>/dev/null", kpub));
	/* 40 more: every encoding of r and s (leading zeros, high bits) */
	EXPECT_EQ(0, sh("for i in $(seq 40); do "
			"keyctl pkey_sign %ld 0 " DIR "/dgst enc=x962 >" DIR "/s2 && "
			"openssl pkeyutl -verify -pubin -keyform DER -inkey " DIR
			"/pub.der -in " DIR "/dgst -sigfile " DIR "/s2 >/dev/null && "
			"keyctl pkey_verify %ld 0 " DIR "/dgst " DIR "/s2 enc=x962 || "
			"{ od -An -tx1 " DIR "/s2; exit 1; }; done", kpriv, kpub));

	/*
	 * a group member signs; cannot revoke, setperm, chown or link the
	 * key (into his own keyring, to give it to another user)
	 */
#define AS_MEMBER "setpriv --reuid=hsmuser --regid=hsmuser --init-groups "
	EXPECT_EQ(0, sh(AS_MEMBER "keyctl pkey_sign %ld 0 " DIR "/dgst enc=x962 "
			">/dev/null", kpriv));
	EXPECT_NE(0, sh(AS_MEMBER "keyctl revoke %ld 2>/dev/null", kpriv));
	EXPECT_NE(0, sh(AS_MEMBER "keyctl setperm %ld 0x3f3f3f3f 2>/dev/null",
			kpriv));
	EXPECT_NE(0, sh(AS_MEMBER "keyctl chown %ld $(id -u hsmuser) 2>/dev/null",
			kpriv));
	EXPECT_NE(0, sh(AS_MEMBER "keyctl chgrp %ld 65534 2>/dev/null", kpriv));
	EXPECT_NE(0, sh(AS_MEMBER "sh -c 'keyctl link %ld @u' 2>/dev/null",
			kpriv));
	EXPECT_EQ(0, sign_ec(kpriv));

	/* caller outside the token's group: nobody */
	EXPECT_NE(0, sh("setpriv --reuid=65534 --regid=65534 --clear-groups "
			"keyctl pkey_sign %ld 0 " DIR "/dgst enc=x962 >/dev/null 2>&1",
			kpriv));

	/* no user logged in */
	ASSERT_EQ(CKR_OK, self->f->C_Logout(self->s));
	EXPECT_NE(0, sign_ec(kpriv));
	EXPECT_EQ(0, sh("grep -q 'Permission denied' " DIR "/err"));
	EXPECT_EQ(0, sh("dmesg | grep -q 'keyring use of key %ld by uid 0 "
			"(keyctl) refused: no user logged in'", kpriv));
	ASSERT_EQ(CKR_OK, self->f->C_Login(self->s, CKU_USER,
					   (CK_UTF8CHAR_PTR)P_USER_PIN,
					   strlen(P_USER_PIN)));
	EXPECT_EQ(0, sign_ec(kpriv));

	/* CKA_KHSM_KEYRING_USE false: refused, and it stays false */
	ASSERT_EQ(CKR_OK, self->f->C_SetAttributeValue(self->s, priv, &off, 1));
	EXPECT_NE(0, sign_ec(kpriv));
	EXPECT_NE(CKR_OK, self->f->C_SetAttributeValue(self->s, priv, &on, 1));
	/* ... while PKCS#11 still signs with it */
	EXPECT_EQ(CKR_OK, self->f->C_SignInit(self->s, &ecdsa, priv));
	{
		CK_BYTE d[32] = { 1 }, sig[80];
		CK_ULONG sl = sizeof(sig);

		EXPECT_EQ(CKR_OK, self->f->C_Sign(self->s, d, 32, sig, &sl));
	}

	/* default false; CKA_SIGN false */
	ASSERT_EQ(CKR_OK, gen_ec(self->f, self->s, "kr-def", no, yes,
				 &pub2, &priv2));
	EXPECT_NE(0, sign_ec(key_of("kr-def", "priv")));
	ASSERT_EQ(CKR_OK, gen_ec(self->f, self->s, "kr-nosign", yes, no,
				 &pub2, &priv2));
	kpriv2 = key_of("kr-nosign", "priv");
	ASSERT_NE(0, kpriv2);
	EXPECT_NE(0, sign_ec(kpriv2));
}

TEST_F_TIMEOUT(kr, rsa, 240)
{
	CK_MECHANISM m = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
	CK_ULONG bits = 2048;
	CK_ATTRIBUTE pt[] = {
		{ CKA_TOKEN, &yes, 1 },
		{ CKA_VERIFY, &yes, 1 },
		{ CKA_ENCRYPT, &yes, 1 },
		{ CKA_MODULUS_BITS, &bits, sizeof(bits) },
		{ CKA_LABEL, "kr-rsa", 6 },
		{ KR_USE, &yes, 1 },
	};
	CK_ATTRIBUTE kt[] = {
		{ CKA_TOKEN, &yes, 1 },
		{ CKA_SIGN, &yes, 1 },
		{ CKA_DECRYPT, &yes, 1 },
		{ CKA_PRIVATE, &yes, 1 },
		{ CKA_LABEL, "kr-rsa", 6 },
		{ KR_USE, &yes, 1 },
	};
	CK_OBJECT_HANDLE pub, priv;
	long kpub, kpriv;

	ASSERT_EQ(CKR_OK, self->f->C_GenerateKeyPair(self->s, &m, pt, 6, kt, 6,
						     &pub, &priv));
	kpub = key_of("kr-rsa", "pub");
	kpriv = key_of("kr-rsa", "priv");
	ASSERT_NE(0, kpriv);
	ASSERT_EQ(0, sh("keyctl pipe %ld >" DIR "/rsa.der", kpub));
	EXPECT_EQ(0, sh("openssl pkey -pubin -inform DER -in " DIR "/rsa.der "
			"-noout -text_pub | grep -q '2048 bit'"));
	ASSERT_EQ(0, sh("keyctl pkey_sign %ld 0 " DIR "/dgst enc=pkcs1 hash=sha256 >"
			DIR "/rsig", kpriv));
	EXPECT_EQ(0, sh("openssl dgst -sha256 -verify " DIR "/rsa.der -keyform DER "
			"-signature " DIR "/rsig " DIR "/msg >/dev/null"));
	EXPECT_EQ(0, sh("keyctl pkey_verify %ld 0 " DIR "/dgst " DIR
			"/rsig enc=pkcs1 hash=sha256", kpub));
	ASSERT_EQ(0, sh("keyctl pkey_encrypt %ld 0 " DIR "/dgst enc=pkcs1 >"
			DIR "/enc", kpub));
	EXPECT_EQ(0, sh("keyctl pkey_decrypt %ld 0 " DIR "/enc enc=pkcs1 >"
			DIR "/dec && cmp -s " DIR "/dec " DIR "/dgst", kpriv));
}

TEST_F_TIMEOUT(kr, revoke_and_destroy, 240)
{
	CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
	CK_OBJECT_HANDLE pub, priv;
	long kpriv;
	pid_t pid;
	int st, i;

	/* keyctl revoke (root) makes the object unusable through PKCS#11 */
	ASSERT_EQ(CKR_OK, gen_ec(self->f, self->s, "kr-rev", yes, yes,
				 &pub, &priv));
	kpriv = key_of("kr-rev", "priv");
	ASSERT_NE(0, kpriv);
	ASSERT_EQ(0, sh("keyctl revoke %ld", kpriv));
	EXPECT_EQ(CKR_KEY_FUNCTION_NOT_PERMITTED,
		  self->f->C_SignInit(self->s, &ecdsa, priv));
	EXPECT_NE(0, sign_ec(kpriv));
	EXPECT_EQ(CKR_OK, self->f->C_DestroyObject(self->s, priv));

	/* keyctl02: a child reads a public key in a loop while root revokes */
	kpriv = key_of("kr-rev", "pub");
	ASSERT_NE(0, kpriv);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char cmd[512];

		snprintf(cmd, sizeof(cmd),
			 "while keyctl pipe %ld >/dev/null 2>&1; do :; done",
			 kpriv);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	usleep(300000);
	EXPECT_EQ(0, sh("keyctl revoke %ld", kpriv));
	for (i = 0; i < 100 && waitpid(pid, &st, WNOHANG) == 0; i++)
		usleep(100000);
	if (i == 100) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	EXPECT_LT(i, 100);
	EXPECT_EQ(CKR_KEY_FUNCTION_NOT_PERMITTED,
		  self->f->C_VerifyInit(self->s, &ecdsa, pub));

	/* destroy while a child signs in a loop through keyctl */
	ASSERT_EQ(CKR_OK, gen_ec(self->f, self->s, "kr-race", yes, yes,
				 &pub, &priv));
	kpriv = key_of("kr-race", "priv");
	ASSERT_NE(0, kpriv);
	ASSERT_EQ(0, sign_ec(kpriv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char cmd[512];

		snprintf(cmd, sizeof(cmd),
			 "while keyctl pkey_sign %ld 0 " DIR "/dgst enc=x962 "
			 ">/dev/null 2>&1; do :; done", kpriv);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	usleep(300000);
	EXPECT_EQ(CKR_OK, self->f->C_DestroyObject(self->s, priv));
	/* the loop ends by itself: the key is revoked */
	for (i = 0; i < 100 && waitpid(pid, &st, WNOHANG) == 0; i++)
		usleep(100000);
	if (i == 100) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	EXPECT_LT(i, 100);
	EXPECT_NE(0, sign_ec(kpriv));
}

TEST_F(kr, root_quota)
{
	CK_OBJECT_HANDLE pub, priv;
	unsigned long qn, maxk;
	char line[256];
	FILE *fp;
	int got = 0;
	CK_RV rv;

	fp = fopen("/proc/key-users", "r");
	ASSERT_NE(NULL, fp);
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, " 0: %*u %*u/%*u %lu/%lu", &qn, &maxk) == 2)
			got = 1;
	fclose(fp);
	ASSERT_EQ(1, got);
	/* root's quota full: no room for one more key */
	ASSERT_EQ(0, sh("echo %lu >/proc/sys/kernel/keys/root_maxkeys", qn));
	rv = gen_ec(self->f, self->s, "kr-quota", yes, yes, &pub, &priv);
	sh("echo %lu >/proc/sys/kernel/keys/root_maxkeys", maxk);
	EXPECT_EQ(CKR_DEVICE_MEMORY, rv);
	EXPECT_EQ(0, key_of("kr-quota", "pub"));
	/* and it works again once there is room */
	EXPECT_EQ(CKR_OK, gen_ec(self->f, self->s, "kr-quota", yes, yes,
				 &pub, &priv));
	EXPECT_NE(0, key_of("kr-quota", "priv"));
}

TEST_HARNESS_MAIN
