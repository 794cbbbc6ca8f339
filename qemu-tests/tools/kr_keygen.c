// SPDX-License-Identifier: GPL-2.0
/*
 * Helper of qemu-tests/flows/keyctl.sh and demo.sh (not a test): what
 * pkcs11-tool cannot do there.
 *   kr_keygen gen ec|rsa LABEL ID-HEX USER-PIN
 *	a token key pair on the first slot's token (EC P-256 or RSA-2048)
 *	with CKA_KHSM_KEYRING_USE true, so its keys work with keyctl pkey_*;
 *	EC: sign/verify; RSA: sign/verify, encrypt/decrypt.
 *   kr_keygen hold FILE USER-PIN
 *	log the user in, create FILE, and keep the login until SIGTERM (the
 *	kernel lets keyctl use a private key only while some open file of
 *	the token is logged in as the user).
 * Exit 0 on success; the PKCS#11 error on stderr otherwise.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "p11_util.h"

#define KR_USE		0xcb480001UL	/* CKA_KHSM_KEYRING_USE */

static CK_BBOOL yes = CK_TRUE;

static int usage(void)
{
	fprintf(stderr, "usage: kr_keygen gen ec|rsa LABEL ID-HEX USER-PIN\n"
		"       kr_keygen hold FILE USER-PIN\n");
	return 2;
}

static CK_SESSION_HANDLE login(CK_FUNCTION_LIST_PTR f, const char *pin)
{
	CK_SESSION_HANDLE s;
	CK_RV rv;

	rv = f->C_OpenSession(p_slot(f), CKF_SERIAL_SESSION | CKF_RW_SESSION,
			      NULL, NULL, &s);
	if (rv == CKR_OK)
		rv = f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin));
	if (rv != CKR_OK) {
		fprintf(stderr, "kr_keygen: open session/login: rv 0x%lx\n", rv);
		return 0;
	}
	return s;
}

static int gen(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, int rsa,
	       const char *label, const char *idhex)
{
	CK_MECHANISM ec_m = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_MECHANISM rsa_m = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
	CK_ULONG bits = 2048;
	CK_BYTE id[64];
	CK_ULONG idlen = 0;
	CK_OBJECT_HANDLE pub, priv;
	CK_ATTRIBUTE pt[8], kt[8];
	CK_ULONG np = 0, nk = 0;
	CK_RV rv;

	while (idhex[0] && idhex[1] && idlen < sizeof(id)) {
		unsigned int b;

		if (sscanf(idhex, "%2x", &b) != 1)
			return usage();
		id[idlen++] = (CK_BYTE)b;
		idhex += 2;
	}
	pt[np++] = (CK_ATTRIBUTE){ CKA_TOKEN, &yes, 1 };
	pt[np++] = (CK_ATTRIBUTE){ CKA_VERIFY, &yes, 1 };
	pt[np++] = (CK_ATTRIBUTE){ CKA_LABEL, (void *)label, strlen(label) };
	pt[np++] = (CK_ATTRIBUTE){ CKA_ID, id, idlen };
	pt[np++] = (CK_ATTRIBUTE){ KR_USE, &yes, 1 };
	kt[nk++] = (CK_ATTRIBUTE){ CKA_TOKEN, &yes, 1 };
	kt[nk++] = (CK_ATTRIBUTE){ CKA_SIGN, &yes, 1 };
	kt[nk++] = (CK_ATTRIBUTE){ CKA_PRIVATE, &yes, 1 };
	kt[nk++] = (CK_ATTRIBUTE){ CKA_SENSITIVE, &yes, 1 };
	kt[nk++] = (CK_ATTRIBUTE){ CKA_LABEL, (void *)label, strlen(label) };
	kt[nk++] = (CK_ATTRIBUTE){ CKA_ID, id, idlen };
	kt[nk++] = (CK_ATTRIBUTE){ KR_USE, &yes, 1 };
	if (rsa) {
		pt[np++] = (CK_ATTRIBUTE){ CKA_ENCRYPT, &yes, 1 };
		pt[np++] = (CK_ATTRIBUTE){ CKA_MODULUS_BITS, &bits,
					   sizeof(bits) };
		kt[nk++] = (CK_ATTRIBUTE){ CKA_DECRYPT, &yes, 1 };
	} else {
		pt[np++] = (CK_ATTRIBUTE){ CKA_EC_PARAMS, (void *)p_p256_oid,
					   sizeof(p_p256_oid) };
	}
	rv = f->C_GenerateKeyPair(s, rsa ? &rsa_m : &ec_m, pt, np, kt, nk,
				  &pub, &priv);
	if (rv != CKR_OK) {
		fprintf(stderr, "kr_keygen: C_GenerateKeyPair: rv 0x%lx\n", rv);
		return 1;
	}
	printf("%s key pair \"%s\" made with CKA_KHSM_KEYRING_USE true\n",
	       rsa ? "RSA-2048" : "EC P-256", label);
	return 0;
}

static volatile sig_atomic_t done;

static void on_term(int sig)
{
	(void)sig;
	done = 1;
}

int main(int argc, char **argv)
{
	CK_FUNCTION_LIST_PTR f;
	CK_SESSION_HANDLE s;
	int ret;

	if (argc == 6 && !strcmp(argv[1], "gen") &&
	    (!strcmp(argv[2], "ec") || !strcmp(argv[2], "rsa"))) {
		f = p_init();
		if (!f || !(s = login(f, argv[5])))
			return 1;
		ret = gen(f, s, !strcmp(argv[2], "rsa"), argv[3], argv[4]);
		f->C_Finalize(NULL);
		return ret;
	}
	if (argc == 4 && !strcmp(argv[1], "hold")) {
		sigset_t block, old;
		FILE *fp;

		sigemptyset(&block);
		sigaddset(&block, SIGTERM);
		sigaddset(&block, SIGINT);
		sigprocmask(SIG_BLOCK, &block, &old);
		signal(SIGTERM, on_term);
		signal(SIGINT, on_term);
		f = p_init();
		if (!f || !login(f, argv[3]))
			return 1;
		fp = fopen(argv[2], "w");
		if (!fp)
			return 1;
		fclose(fp);
		while (!done)
			sigsuspend(&old);
		f->C_Finalize(NULL);
		return 0;
	}
	return usage();
}
