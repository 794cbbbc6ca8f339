// SPDX-License-Identifier: GPL-2.0
/*
 * SHA-3 of kmod/crypto (sha3.c through the kc_hash interface) and HMAC
 * over it: FIPS 202 examples ("abc", the empty string, 1,000,000 'a'),
 * the CAVP SHA3 ShortMsg/LongMsg/Monte files of
 * python3-cryptography-vectors, every length 0..600 in split updates
 * against OpenSSL's EVP_sha3_*, and HMAC-SHA3 against OpenSSL's HMAC for
 * keys shorter and longer than the rate.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include "sha2.h"
#include "tap.h"

#define SHA3_DIR "/usr/lib/python3/dist-packages/cryptography_vectors/hashes/SHA3/"

static const struct {
	enum kc_hash alg;
	const char *name;	/* file prefix */
	const char *abc, *empty, *million;
} algs[] = {
	{ KC_SHA3_224, "SHA3_224",
	  "e642824c3f8cf24ad09234ee7d3c766fc9a3a5168d0c94ad73b46fdf",
	  "6b4e03423667dbb73b6e15454f0eb1abd4597f9a1b078e3f5b5a6bc7",
	  "d69335b93325192e516a912e6d19a15cb51c6ed5c15243e7a7fd653c" },
	{ KC_SHA3_256, "SHA3_256",
	  "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
	  "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a",
	  "5c8875ae474a3634ba4fd55ec85bffd661f32aca75c6d699d0cdcb6c115891c1" },
	{ KC_SHA3_384, "SHA3_384",
	  "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b2"
	  "98d88cea927ac7f539f1edf228376d25",
	  "0c63a75b845e4f7d01107d852e4c2485c51a50aaaa94fc61995e71bbee983a2a"
	  "c3713831264adb47fb6bd1e058d5f004",
	  "eee9e24d78c1855337983451df97c8ad9eedf256c6334f8e948d252d5e0e7684"
	  "7aa0774ddb90a842190d2c558b4b8340" },
	{ KC_SHA3_512, "SHA3_512",
	  "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e"
	  "10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0",
	  "a69f73cca23a9ac5c8b567dc185a756e97c982164fe25859e0d1dcc1475c80a6"
	  "15b2123af1f5f94c11e3e9402c3ac558f500199d95b6d3e301758586281dcd26",
	  "3c3a876da14034ab60627c077bb98f7e120a2a5370212dffb3385a18d4f38859"
	  "ed311d0a9d5141ce9cc5c66ee689b266a8aa18ace8282a0e0db596c90b0a7b87" },
};
#define N_ALGS (sizeof(algs) / sizeof(algs[0]))

/* CAVP SHA3_*ShortMsg / LongMsg: Len (bits), Msg, MD. */
static void msg_file(enum kc_hash alg, const char *name)
{
	static char line[120000];
	static unsigned char msg[60000];
	unsigned char md[64], got[64];
	unsigned int len = 0, n = 0, bad = 0, dl = kc_hash_len(alg);
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
			if (unhex(line + 5, md, sizeof(md)) != (int)dl)
				bad++;
			kc_hash(alg, msg, len, got);
			if (memcmp(md, got, dl))
				bad++;
			n++;
		}
	}
	fclose(f);
	tap_ok(n > 0 && !bad, "%s: %u records, %u mismatches", name, n, bad);
}

/* CAVP SHA3 Monte: MD_i = SHA3(MD_i-1), 1000 per checkpoint, 100 of them. */
static void monte(enum kc_hash alg, const char *name)
{
	char line[512];
	unsigned char md[64], want[64];
	unsigned int n = 0, bad = 0, i, dl = kc_hash_len(alg);
	FILE *f = fopen(name, "r");

	if (!f) {
		tap_ok(0, "open %s", name);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Seed = ", 7)) {
			if (unhex(line + 7, md, sizeof(md)) != (int)dl)
				bad++;
		} else if (!strncmp(line, "MD = ", 5)) {
			if (unhex(line + 5, want, sizeof(want)) != (int)dl)
				bad++;
			for (i = 0; i < 1000; i++)
				kc_hash(alg, md, dl, md);
			if (memcmp(md, want, dl))
				bad++;
			n++;
		}
	}
	fclose(f);
	tap_ok(n == 100 && !bad, "%s: %u checkpoints, %u mismatches", name, n,
	       bad);
}

static const EVP_MD *md_of(enum kc_hash alg)
{
	switch (alg) {
	case KC_SHA3_224: return EVP_sha3_224();
	case KC_SHA3_256: return EVP_sha3_256();
	case KC_SHA3_384: return EVP_sha3_384();
	default: return EVP_sha3_512();
	}
}

int main(void)
{
	static unsigned char million[1000000];
	static unsigned char want[64], got[64], msg[600], key[300];
	static struct kc_hmac_ctx h;
	static struct kc_hash_ctx c;
	char path[256];
	unsigned int i, len, mdlen, bad, dl;
	enum kc_hash alg;

	memset(million, 'a', sizeof(million));
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (unsigned char)(i * 131 + 7);
	for (i = 0; i < sizeof(key); i++)
		key[i] = (unsigned char)(i * 17 + 3);
	for (i = 0; i < N_ALGS; i++) {
		alg = algs[i].alg;
		dl = kc_hash_len(alg);
		tap_ok(kc_hash_block(alg) == 200 - 2 * dl,
		       "%s: rate %u bytes", algs[i].name, kc_hash_block(alg));
		unhex(algs[i].abc, want, sizeof(want));
		kc_hash(alg, (const unsigned char *)"abc", 3, got);
		tap_ok(!memcmp(want, got, dl), "%s(\"abc\")", algs[i].name);
		unhex(algs[i].empty, want, sizeof(want));
		kc_hash(alg, NULL, 0, got);
		tap_ok(!memcmp(want, got, dl), "%s(\"\")", algs[i].name);
		unhex(algs[i].million, want, sizeof(want));
		kc_hash(alg, million, sizeof(million), got);
		tap_ok(!memcmp(want, got, dl), "%s(1,000,000 x 'a')",
		       algs[i].name);
		snprintf(path, sizeof(path), SHA3_DIR "%sShortMsg.rsp",
			 algs[i].name);
		msg_file(alg, path);
		snprintf(path, sizeof(path), SHA3_DIR "%sLongMsg.rsp",
			 algs[i].name);
		msg_file(alg, path);
		snprintf(path, sizeof(path), SHA3_DIR "%sMonte.rsp",
			 algs[i].name);
		monte(alg, path);

		bad = 0;
		for (len = 0; len <= sizeof(msg); len++) {
			unsigned int a = len / 3, b = len / 2;

			EVP_Digest(msg, len, want, &mdlen, md_of(alg), NULL);
			/* three updates at odd offsets: bytes, lanes, bytes */
			kc_hash_init(&c, alg);
			kc_hash_update(&c, msg, a);
			kc_hash_update(&c, msg + a, b - a);
			kc_hash_update(&c, msg + b, len - b);
			kc_hash_final(&c, got);
			if (mdlen != dl || memcmp(want, got, mdlen))
				bad++;
			HMAC(md_of(alg), key, (int)(len % sizeof(key)), msg, len,
			     want, &mdlen);
			kc_hmac_init(&h, alg, key, len % sizeof(key));
			kc_hmac_update(&h, msg, a);
			kc_hmac_update(&h, msg + a, len - a);
			kc_hmac_final(&h, got);
			if (memcmp(want, got, mdlen))
				bad++;
			kc_hmac(alg, key, len % sizeof(key), msg, len, got);
			if (memcmp(want, got, mdlen))
				bad++;
		}
		tap_ok(!bad, "%s: hash and HMAC of lengths 0..600 (keys 0..299) match OpenSSL (%u mismatches)",
		       algs[i].name, bad);
	}
	tap_ok(kc_hash_len(KC_SHA3_512 + 1) == 0 &&
	       kc_hash_init(&c, KC_SHA3_512 + 1) == -1,
	       "an unknown algorithm is refused");
	return tap_done();
}
