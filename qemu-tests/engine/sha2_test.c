// SPDX-License-Identifier: GPL-2.0
/*
 * SHA-2, SHA-1 and HMAC of kmod/crypto: FIPS 180-4 / RFC 4231 known
 * answers, the CAVP SHA-1 ShortMsg/LongMsg/Monte files of
 * python3-cryptography-vectors, then every length 0..600 against OpenSSL
 * (block and padding boundaries).
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include "sha2.h"
#include "tap.h"

static const struct {
	enum kc_hash alg;
	const char *hex;
} abc[] = {
	{ KC_SHA224, "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7" },
	{ KC_SHA256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ KC_SHA384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
		     "8086072ba1e7cc2358baeca134c825a7" },
	{ KC_SHA512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
		     "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
	{ KC_SHA1, "a9993e364706816aba3e25717850c26c9cd0d89d" },
};

#define SHA1_DIR "/usr/lib/python3/dist-packages/cryptography_vectors/hashes/SHA1/"

/* CAVP SHA1ShortMsg / SHA1LongMsg: Len (bits), Msg, MD. */
static void sha1_msg_file(const char *name)
{
	static char line[16384];
	static unsigned char msg[8192];
	unsigned char md[20], got[20];
	unsigned int len = 0, n = 0, bad = 0;
	FILE *f = fopen(name, "r");

	if (!f) {
		tap_ok(0, "open %s", name);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Len = ", 6)) {
			len = (unsigned int)strtoul(line + 6, NULL, 10) / 8;
		} else if (!strncmp(line, "Msg = ", 6)) {
			if (unhex(line + 6, msg, sizeof(msg)) < 0)
				bad++;
		} else if (!strncmp(line, "MD = ", 5)) {
			if (unhex(line + 5, md, sizeof(md)) != 20)
				bad++;
			kc_hash(KC_SHA1, msg, len, got);
			if (memcmp(md, got, 20))
				bad++;
			n++;
		}
	}
	fclose(f);
	tap_ok(n > 0 && !bad, "%s: %u records, %u mismatches", name, n, bad);
}

/* CAVP SHA1Monte: MD_i = SHA-1(MD_i-3 || MD_i-2 || MD_i-1), 100 x 1000 */
static void sha1_monte(void)
{
	char line[256];
	unsigned char seed[20], md[60], want[20];
	unsigned int n = 0, bad = 0, i;
	FILE *f = fopen(SHA1_DIR "SHA1Monte.rsp", "r");

	if (!f) {
		tap_ok(0, "open SHA1Monte.rsp");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Seed = ", 7)) {
			if (unhex(line + 7, seed, sizeof(seed)) != 20)
				bad++;
		} else if (!strncmp(line, "MD = ", 5)) {
			if (unhex(line + 5, want, sizeof(want)) != 20)
				bad++;
			for (i = 0; i < 3; i++)
				memcpy(md + 20 * i, seed, 20);
			for (i = 3; i < 1003; i++) {
				kc_hash(KC_SHA1, md, 60, seed);
				memmove(md, md + 20, 40);
				memcpy(md + 40, seed, 20);
			}
			if (memcmp(seed, want, 20))
				bad++;
			n++;
		}
	}
	fclose(f);
	tap_ok(n == 100 && !bad, "SHA1Monte.rsp: %u checkpoints, %u mismatches",
	       n, bad);
}

static const EVP_MD *md_of(enum kc_hash alg)
{
	switch (alg) {
	case KC_SHA224: return EVP_sha224();
	case KC_SHA256: return EVP_sha256();
	case KC_SHA384: return EVP_sha384();
	case KC_SHA1: return EVP_sha1();
	default: return EVP_sha512();
	}
}

int main(void)
{
	unsigned char want[64], got[64], msg[600], key[200];
	struct kc_hmac_ctx h;
	unsigned int i, len, mdlen, bad;
	enum kc_hash alg;

	for (i = 0; i < sizeof(abc) / sizeof(abc[0]); i++) {
		int n = unhex(abc[i].hex, want, sizeof(want));

		kc_hash(abc[i].alg, (const unsigned char *)"abc", 3, got);
		tap_ok(n > 0 && !memcmp(want, got, n),
		       "FIPS 180-4 example \"abc\", alg %d", abc[i].alg);
	}
	unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	      want, sizeof(want));
	kc_hmac_init(&h, KC_SHA256, (const unsigned char *)"Jefe", 4);
	kc_hmac_update(&h, (const unsigned char *)"what do ya want for nothing?", 28);
	kc_hmac_final(&h, got);
	tap_ok(!memcmp(want, got, 32), "RFC 4231 test case 2, HMAC-SHA-256");
	tap_ok(kc_hash_len(KC_SHA1) == 20 && kc_hash_block(KC_SHA1) == 64,
	       "SHA-1: 20-byte digest, 64-byte block");
	sha1_msg_file(SHA1_DIR "SHA1ShortMsg.rsp");
	sha1_msg_file(SHA1_DIR "SHA1LongMsg.rsp");
	sha1_monte();

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (unsigned char)(i * 131 + 7);
	for (i = 0; i < sizeof(key); i++)
		key[i] = (unsigned char)(i * 17 + 3);
	for (alg = KC_SHA224; alg <= KC_SHA1; alg++) {
		bad = 0;
		for (len = 0; len <= sizeof(msg); len++) {
			struct kc_hash_ctx c;

			EVP_Digest(msg, len, want, &mdlen, md_of(alg), NULL);
			/* split updates to exercise buffering */
			kc_hash_init(&c, alg);
			kc_hash_update(&c, msg, len / 3);
			kc_hash_update(&c, msg + len / 3, len - len / 3);
			kc_hash_final(&c, got);
			if (mdlen != kc_hash_len(alg) || memcmp(want, got, mdlen))
				bad++;
			HMAC(md_of(alg), key, (int)(len % sizeof(key)), msg, len,
			     want, &mdlen);
			kc_hmac_init(&h, alg, key, len % sizeof(key));
			kc_hmac_update(&h, msg, len);
			kc_hmac_final(&h, got);
			if (memcmp(want, got, mdlen))
				bad++;
		}
		tap_ok(!bad, "alg %d: hash and HMAC of lengths 0..600 match OpenSSL (%u mismatches)",
		       alg, bad);
	}
	return tap_done();
}
