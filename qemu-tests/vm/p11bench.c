// SPDX-License-Identifier: GPL-2.0
/*
 * p11bench: ECDSA P-256 signatures per second through any PKCS#11 module,
 * in one process (so process start-up is not measured). Used by `make bench`
 * to compare khsm-pkcs11.so and SoftHSM2 in the same VM boot.
 *
 *   p11bench MODULE.so TOKEN-LABEL USER-PIN KEY-ID-HEX SECONDS
 *
 * Prints "signs/s: <rate> (<n> signatures in <t> s)"; exit 1 with a message
 * naming the failing call otherwise.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <p11-kit/pkcs11.h>

static CK_FUNCTION_LIST_PTR f;

static void die_rv(const char *what, CK_RV rv)
{
	fprintf(stderr, "p11bench: %s failed: rv 0x%lx\n", what, (unsigned long)rv);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t hex2bin(const char *hex, unsigned char *out, size_t max)
{
	size_t n = 0;
	unsigned int b;

	while (hex[0] && hex[1] && n < max && sscanf(hex, "%2x", &b) == 1) {
		out[n++] = (unsigned char)b;
		hex += 2;
	}
	return n;
}

static CK_SLOT_ID find_slot(const char *label)
{
	CK_SLOT_ID slots[64];
	CK_ULONG n = 64, i;
	CK_TOKEN_INFO ti;
	char want[32];
	size_t l = strlen(label);
	CK_RV rv;

	memset(want, ' ', sizeof(want));
	memcpy(want, label, l > 32 ? 32 : l);
	rv = f->C_GetSlotList(CK_TRUE, slots, &n);
	if (rv != CKR_OK)
		die_rv("C_GetSlotList", rv);
	for (i = 0; i < n; i++) {
		if (f->C_GetTokenInfo(slots[i], &ti) == CKR_OK &&
		    !memcmp(ti.label, want, sizeof(want)))
			return slots[i];
	}
	fprintf(stderr, "p11bench: no token labelled '%s'\n", label);
	exit(1);
}

int main(int argc, char **argv)
{
	CK_RV (*get_list)(CK_FUNCTION_LIST_PTR_PTR);
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	unsigned char id[64], digest[32], sig[512];
	CK_ATTRIBUTE tmpl[2] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_ID, id, 0 },
	};
	CK_MECHANISM mech = { CKM_ECDSA, NULL, 0 };
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key;
	CK_ULONG nfound, siglen;
	double secs, t0, t;
	unsigned long n = 0;
	void *so;
	CK_RV rv;

	CK_ULONG want = 64;

	if (argc != 6 && (argc != 7 || strcmp(argv[6], "rsa"))) {
		fprintf(stderr, "usage: %s MODULE.so TOKEN-LABEL USER-PIN KEY-ID-HEX SECONDS [rsa]\n",
			argv[0]);
		return 2;
	}
	/* rsa: CKM_SHA256_RSA_PKCS with a 2048-bit key, 32-byte messages */
	if (argc == 7) {
		mech.mechanism = CKM_SHA256_RSA_PKCS;
		want = 256;
	}
	secs = atof(argv[5]);
	tmpl[1].ulValueLen = hex2bin(argv[4], id, sizeof(id));
	so = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!so) {
		fprintf(stderr, "p11bench: cannot load %s: %s\n", argv[1], dlerror());
		return 1;
	}
	*(void **)&get_list = dlsym(so, "C_GetFunctionList");
	if (!get_list) {
		fprintf(stderr, "p11bench: %s has no C_GetFunctionList\n", argv[1]);
		return 1;
	}
	rv = get_list(&f);
	if (rv != CKR_OK)
		die_rv("C_GetFunctionList", rv);
	rv = f->C_Initialize(NULL);
	if (rv != CKR_OK)
		die_rv("C_Initialize", rv);
	rv = f->C_OpenSession(find_slot(argv[2]), CKF_SERIAL_SESSION, NULL, NULL, &s);
	if (rv != CKR_OK)
		die_rv("C_OpenSession", rv);
	rv = f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)argv[3], strlen(argv[3]));
	if (rv != CKR_OK)
		die_rv("C_Login", rv);
	rv = f->C_FindObjectsInit(s, tmpl, 2);
	if (rv != CKR_OK)
		die_rv("C_FindObjectsInit", rv);
	rv = f->C_FindObjects(s, &key, 1, &nfound);
	if (rv != CKR_OK)
		die_rv("C_FindObjects", rv);
	f->C_FindObjectsFinal(s);
	if (nfound != 1) {
		fprintf(stderr, "p11bench: no private key with id %s\n", argv[4]);
		return 1;
	}
	memset(digest, 0x5a, sizeof(digest));
	t0 = now();
	do {
		rv = f->C_SignInit(s, &mech, key);
		if (rv != CKR_OK)
			die_rv("C_SignInit", rv);
		siglen = sizeof(sig);
		rv = f->C_Sign(s, digest, sizeof(digest), sig, &siglen);
		if (rv != CKR_OK)
			die_rv("C_Sign", rv);
		if (siglen != want) {
			fprintf(stderr, "p11bench: signature of %lu bytes, want %lu\n",
				(unsigned long)siglen, (unsigned long)want);
			return 1;
		}
		digest[n++ & 31]++;
		t = now() - t0;
	} while (t < secs);
	printf("signs/s: %.1f (%lu signatures in %.2f s)\n", n / t, n, t);
	f->C_Logout(s);
	f->C_CloseSession(s);
	f->C_Finalize(NULL);
	return 0;
}
