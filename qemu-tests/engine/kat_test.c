// SPDX-License-Identifier: GPL-2.0
/*
 * Known answers for the engine's P-256, P-384 and P-521 ECDSA/ECDH, read at test
 * time: RFC 6979 A.2.5, A.2.6 and A.2.7 (deterministic nonces, unhedged and
 * hedged) and NIST CAVP files from Debian's python3-cryptography-vectors
 * (FIPS 186-3 SigGen/SigVer/KeyPair/PKV, SP 800-56A KAS ECC CDH validity
 * tests). The engine takes digests: CAVP messages are hashed with
 * OpenSSL, the RFC's with the engine's SHA.
 */
#include <openssl/evp.h>
#include "engine.h"
#include "tap.h"

#define VEC "/usr/lib/python3/dist-packages/cryptography_vectors/asymmetric/"
#define MAXF 16
#define PL (1 + 2 * cb)

static enum kc_curve cur = KC_P256;
static int cb = 32;

struct rec {
	char section[64];
	char key[MAXF][16];
	char *val[MAXF];
	int n;
};

static const char *get(const struct rec *r, const char *k)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->key[i], k))
			return r->val[i];
	return NULL;
}

/* Fixed-size big-endian field from hex; -1 if it does not fit. */
static int get_be(const struct rec *r, const char *k, unsigned char *out,
		  int want)
{
	unsigned char buf[256];
	const char *v = get(r, k);
	char even[520];
	size_t l;
	int n;

	if (!v)
		return -1;
	/* P-521 values have an odd number of hex digits: add a leading 0 */
	l = strcspn(v, "\r\n ");
	if (l + 2 > sizeof(even))
		return -1;
	snprintf(even, sizeof(even), "%s%.*s", l % 2 ? "0" : "", (int)l, v);
	n = unhex(even, buf, sizeof(buf));
	if (n < 0 || pad_be(buf, n, want) < 0)
		return -1;
	memcpy(out, buf, want);
	return 0;
}

static const EVP_MD *md_named(const char *section)
{
	if (strstr(section, "SHA-1]") || strstr(section, "SHA1]"))
		return EVP_sha1();
	if (strstr(section, "SHA-224") || strstr(section, "SHA224"))
		return EVP_sha224();
	if (strstr(section, "SHA-256") || strstr(section, "SHA256"))
		return EVP_sha256();
	if (strstr(section, "SHA-384") || strstr(section, "SHA384"))
		return EVP_sha384();
	if (strstr(section, "SHA-512") || strstr(section, "SHA512"))
		return EVP_sha512();
	return NULL;
}

static int digest_msg(const struct rec *r, unsigned char *dg)
{
	unsigned char msg[1024];
	const char *m = get(r, "Msg");
	unsigned int dl;
	int n;

	n = m ? unhex(m, msg, sizeof(msg)) : -1;
	if (n < 0 || !md_named(r->section))
		return -1;
	EVP_Digest(msg, n, dg, &dl, md_named(r->section), NULL);
	return (int)dl;
}

static int point_of(const struct rec *r, const char *x, const char *y,
		    unsigned char *pt)
{
	pt[0] = 4;
	return get_be(r, x, pt + 1, cb) || get_be(r, y, pt + 1 + cb, cb) ? -1 : 0;
}

typedef int (*rec_fn)(const struct rec *r);

/*
 * Run @fn on every record of @file inside a section whose header contains
 * @want; a record ends at the line whose key is @last. Returns
 * (passed << 16) | failed, or -1 if the file cannot be read.
 */
static int each(const char *file, const char *want, const char *last,
		rec_fn fn, int *npass, int *nfail)
{
	static char line[8192];
	struct rec r = { 0 };
	int in = 0, i;
	FILE *f = fopen(file, "r");

	*npass = *nfail = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *eq, *k;

		if (line[0] == '[' && !strstr(line, "Key Pair Generation")) {
			snprintf(r.section, sizeof(r.section), "%.60s", line);
			in = strstr(line, want) != NULL;
			continue;
		}
		eq = strstr(line, " = ");
		if (!in || !eq || r.n == MAXF)
			continue;
		*eq = 0;
		k = line;
		snprintf(r.key[r.n], sizeof(r.key[0]), "%.15s", k);
		r.val[r.n++] = strdup(eq + 3);
		if (!strcmp(k, last)) {
			if (fn(&r))
				++*npass;
			else
				++*nfail;
			for (i = 0; i < r.n; i++)
				free(r.val[i]);
			r.n = 0;
		}
	}
	fclose(f);
	return 0;
}

static int siggen(const struct rec *r)
{
	unsigned char d[66], k[66], q[133], pub[133], want[132], sig[132], dg[64];
	int dl = digest_msg(r, dg);

	if (dl < 0 || get_be(r, "d", d, cb) || get_be(r, "k", k, cb) ||
	    point_of(r, "Qx", "Qy", q) || get_be(r, "R", want, cb) ||
	    get_be(r, "S", want + cb, cb))
		return 0;
	return !kc_ec_pub_from_priv(cur, d, pub) && !memcmp(pub, q, PL) &&
	       !kc_ecdsa_sign_with_k(cur, d, dg, dl, k, sig) &&
	       !memcmp(sig, want, 2 * cb) &&
	       !kc_ecdsa_verify(cur, q, PL, dg, dl, sig, 2 * cb);
}

static int sigver(const struct rec *r)
{
	unsigned char q[133], sig[132], dg[64];
	int dl = digest_msg(r, dg), expect = get(r, "Result")[0] == 'P', ok;

	if (dl < 0 || point_of(r, "Qx", "Qy", q))
		return 0;
	if (get_be(r, "R", sig, cb) || get_be(r, "S", sig + cb, cb))
		return !expect;		/* r or s longer than n: invalid */
	ok = !kc_ecdsa_verify(cur, q, PL, dg, dl, sig, 2 * cb);
	return ok == expect;
}

static int keypair(const struct rec *r)
{
	unsigned char d[66], q[133], pub[133];

	if (get_be(r, "d", d, cb) || point_of(r, "Qx", "Qy", q))
		return 0;
	return !kc_ec_pub_from_priv(cur, d, pub) && !memcmp(pub, q, PL);
}

static int pkv(const struct rec *r)
{
	unsigned char q[133];
	int expect = get(r, "Result")[0] == 'P';

	if (point_of(r, "Qx", "Qy", q))
		return !expect;		/* coordinate wider than p */
	return (kc_ec_check_pub(cur, q, PL) == 0) == expect;
}

static int kas_rec(const struct rec *r)
{
	unsigned char ds[66], di[66], qs[133], qi[133], z[66], z1[66], z2[66];
	unsigned char pub[133];
	int expect = get(r, "Result")[0] == 'P', ok;

	if (get_be(r, "dsCAVS", ds, cb) || get_be(r, "dsIUT", di, cb) ||
	    point_of(r, "QsCAVSx", "QsCAVSy", qs) ||
	    point_of(r, "QsIUTx", "QsIUTy", qi) || get_be(r, "Z", z, cb))
		return !expect;
	ok = !kc_ec_check_pub(cur, qs, PL) &&
	     !kc_ec_check_pub(cur, qi, PL) &&
	     !kc_ec_pub_from_priv(cur, di, pub) && !memcmp(pub, qi, PL) &&
	     !kc_ecdh(cur, di, qs, PL, z1) && !memcmp(z1, z, cb);
	if (ok)		/* and the other direction */
		ok = !kc_ecdh(cur, ds, qi, PL, z2) && !memcmp(z2, z, cb);
	return ok == expect;
}

/*
 * RFC 6979 A.2.5 (P-256), A.2.6 (P-384) and A.2.7 (P-521), messages "sample" and "test",
 * every hash: the unhedged nonces (extra = NULL). The hedged vectors
 * (additional data k' = 00 01 ... 1f, section 3.6) come from an
 * independent Python implementation of section 3.2 with k' appended to
 * both seeds, checked on the RFC's own vectors; they pin down how the
 * engine mixes the hedge the kernel's mechanism always passes.
 */
struct r6979_key {
	enum kc_curve c;
	const char *name, *x, *qx, *qy;
};

static const struct r6979_key r6979_p256 = {
	KC_P256, "A.2.5 P-256",
	"c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
	"60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6",
	"7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299",
};

static const struct r6979_key r6979_p384 = {
	KC_P384, "A.2.6 P-384",
	"6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d8"
	"96d5724e4c70a825f872c9ea60d2edf5",
	"ec3a4e415b4e19a4568618029f427fa5da9a8bc4ae92e02e06aae5286b300c64"
	"def8f0ea9055866064a254515480bc13",
	"8015d9b72d7d57244ea8ef9ac0c621896708a59367f9dfb9f54ca84b3f1c9db1"
	"288b231c3ae0d4fe7344fd2533264720",
};

static const struct r6979_key r6979_p521 = {
	KC_P521, "A.2.7 P-521",
	"00fad06daa62ba3b25d2fb40133da757205de67f5bb0018fee8c86e1b68c7e75"
	"caa896eb32f1f47c70855836a6d16fcc1466f6d8fbec67db89ec0c08b0e996b8"
	"3538",
	"01894550d0785932e00eaa23b694f213f8c3121f86dc97a04e5a7167db4e5bcd"
	"371123d46e45db6b5d5370a7f20fb633155d38ffa16d2bd761dcac474b9a2f50"
	"23a4",
	"00493101c962cd4d2fddf782285e64584139c2f91b47f87ff82354d6630f746a"
	"28a0db25741b5b34a828008b22acc23f924faafbd4d33f81ea66956dfeaa2bfd"
	"fcf5",
};

static const struct r6979_vec {
	const struct r6979_key *key;
	const char *msg;
	enum kc_hash h;
	int hedged;
	const char *r, *s;
} r6979_v[] = {
	{ &r6979_p256, "sample", KC_SHA1, 0,
	  "61340c88c3aaebeb4f6d667f672ca9759a6ccaa9fa8811313039ee4a35471d32",
	  "6d7f147dac089441bb2e2fe8f7a3fa264b9c475098fdcf6e00d7c996e1b8b7eb" },
	{ &r6979_p256, "sample", KC_SHA224, 0,
	  "53b2fff5d1752b2c689df257c04c40a587fababb3f6fc2702f1343af7ca9aa3f",
	  "b9afb64fdc03dc1a131c7d2386d11e349f070aa432a4acc918bea988bf75c74c" },
	{ &r6979_p256, "sample", KC_SHA256, 0,
	  "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716",
	  "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8" },
	{ &r6979_p256, "sample", KC_SHA384, 0,
	  "0eafea039b20e9b42309fb1d89e213057cbf973dc0cfc8f129edddc800ef7719",
	  "4861f0491e6998b9455193e34e7b0d284ddd7149a74b95b9261f13abde940954" },
	{ &r6979_p256, "sample", KC_SHA512, 0,
	  "8496a60b5e9b47c825488827e0495b0e3fa109ec4568fd3f8d1097678eb97f00",
	  "2362ab1adbe2b8adf9cb9edab740ea6049c028114f2460f96554f61fae3302fe" },
	{ &r6979_p256, "test", KC_SHA224, 0,
	  "c37edb6f0ae79d47c3c27e962fa269bb4f441770357e114ee511f662ec34a692",
	  "c820053a05791e521fcaad6042d40aea1d6b1a540138558f47d0719800e18f2d" },
	{ &r6979_p256, "test", KC_SHA256, 0,
	  "f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367",
	  "019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083" },
	{ &r6979_p256, "test", KC_SHA384, 0,
	  "83910e8b48bb0c74244ebdf7f07a1c5413d61472bd941ef3920e623fbccebeb6",
	  "8ddbec54cf8cd5874883841d712142a56a8d0f218f5003cb0296b6b509619f2c" },
	{ &r6979_p256, "test", KC_SHA512, 0,
	  "461d93f31b6540894788fd206c07cfa0cc35f46fa3c91816fff1040ad1581a04",
	  "39af9f15de0db8d97e72719c74820d304ce5226e32dedae67519e840d1194e55" },
	{ &r6979_p384, "sample", KC_SHA1, 0,
	  "ec748d839243d6fbef4fc5c4859a7dffd7f3abddf72014540c16d73309834fa3"
	  "7b9ba002899f6fda3a4a9386790d4eb2",
	  "a3bcfa947beef4732bf247ac17f71676cb31a847b9ff0cbc9c9ed4c1a5b3facf"
	  "26f49ca031d4857570ccb5ca4424a443" },
	{ &r6979_p384, "sample", KC_SHA224, 0,
	  "42356e76b55a6d9b4631c865445dbe54e056d3b3431766d0509244793c3f9366"
	  "450f76ee3de43f5a125333a6be060122",
	  "9da0c81787064021e78df658f2fbb0b042bf304665db721f077a4298b095e483"
	  "4c082c03d83028efbf93a3c23940ca8d" },
	{ &r6979_p384, "sample", KC_SHA256, 0,
	  "21b13d1e013c7fa1392d03c5f99af8b30c570c6f98d4ea8e354b63a21d3daa33"
	  "bde1e888e63355d92fa2b3c36d8fb2cd",
	  "f3aa443fb107745bf4bd77cb3891674632068a10ca67e3d45db2266fa7d1feeb"
	  "efdc63eccd1ac42ec0cb8668a4fa0ab0" },
	{ &r6979_p384, "sample", KC_SHA384, 0,
	  "94edbb92a5ecb8aad4736e56c691916b3f88140666ce9fa73d64c4ea95ad133c"
	  "81a648152e44acf96e36dd1e80fabe46",
	  "99ef4aeb15f178cea1fe40db2603138f130e740a19624526203b6351d0a3a94f"
	  "a329c145786e679e7b82c71a38628ac8" },
	{ &r6979_p384, "sample", KC_SHA512, 0,
	  "ed0959d5880ab2d869ae7f6c2915c6d60f96507f9cb3e047c0046861da4a799c"
	  "fe30f35cc900056d7c99cd7882433709",
	  "512c8cceee3890a84058ce1e22dbc2198f42323ce8aca9135329f03c068e5112"
	  "dc7cc3ef3446defceb01a45c2667fdd5" },
	{ &r6979_p384, "test", KC_SHA1, 0,
	  "4bc35d3a50ef4e30576f58cd96ce6bf638025ee624004a1f7789a8b8e43d0678"
	  "acd9d29876daf46638645f7f404b11c7",
	  "d5a6326c494ed3ff614703878961c0fde7b2c278f9a65fd8c4b7186201a29916"
	  "95ba1c84541327e966fa7b50f7382282" },
	{ &r6979_p384, "test", KC_SHA224, 0,
	  "e8c9d0b6ea72a0e7837fea1d14a1a9557f29faa45d3e7ee888fc5bf954b5e624"
	  "64a9a817c47ff78b8c11066b24080e72",
	  "07041d4a7a0379ac7232ff72e6f77b6ddb8f09b16cce0ec3286b2bd43fa8c614"
	  "1c53ea5abef0d8231077a04540a96b66" },
	{ &r6979_p384, "test", KC_SHA256, 0,
	  "6d6defac9ab64dabafe36c6bf510352a4cc27001263638e5b16d9bb51d451559"
	  "f918eedaf2293be5b475cc8f0188636b",
	  "2d46f3becbcc523d5f1a1256bf0c9b024d879ba9e838144c8ba6baeb4b53b47d"
	  "51ab373f9845c0514eefb14024787265" },
	{ &r6979_p384, "test", KC_SHA384, 0,
	  "8203b63d3c853e8d77227fb377bcf7b7b772e97892a80f36ab775d509d7a5feb"
	  "0542a7f0812998da8f1dd3ca3cf023db",
	  "ddd0760448d42d8a43af45af836fce4de8be06b485e9b61b827c2f13173923e0"
	  "6a739f040649a667bf3b828246baa5a5" },
	{ &r6979_p384, "test", KC_SHA512, 0,
	  "a0d5d090c9980faf3c2ce57b7ae951d31977dd11c775d314af55f76c676447d0"
	  "6fb6495cd21b4b6e340fc236584fb277",
	  "976984e59b4c77b0e8e4460dca3d9f20e07b9bb1f63beefaf576f6b2e8b22463"
	  "4a2092cd3792e0159ad9cee37659c736" },
	{ &r6979_p256, "sample", KC_SHA256, 1,
	  "25404cfdb1228f680881e195dae0665f43f988c40cbc4e23927810d7c4635d74",
	  "8f076e7b9ea4bde92fb16b5cf25d0d3656db01a6e19c885b53cb8754f1b819c3" },
	{ &r6979_p384, "sample", KC_SHA384, 1,
	  "4192110f7109508b6658e85c10010b21818bf13049110c65d870e32a9353e6e6"
	  "33ec3d0174fea669922d378bbeaf5a2d",
	  "060594afb3e9e897e0976f0244359be0c1864d5097d75d826c78db7362da0582"
	  "f0a1a09b207b10a143a0a18ca63acaac" },
	{ &r6979_p521, "sample", KC_SHA1, 0,
	  "00343b6ec45728975ea5cba6659bbb6062a5ff89eea58be3c80b619f322c8791"
	  "0fe092f7d45bb0f8eee01ed3f20babec079d202ae677b243ab40b5431d497c55"
	  "d75d",
	  "00e7b0e675a9b24413d448b8cc119d2bf7b2d2df032741c096634d6d65d0dbe3"
	  "d5694625fb9e8104d3b842c1b0e2d0b98bea19341e8676aef66ae4eba3d5475d"
	  "5d16" },
	{ &r6979_p521, "sample", KC_SHA224, 0,
	  "01776331cfcdf927d666e032e00cf776187bc9fdd8e69d0dabb4109ffe1b5e2a"
	  "30715f4cc923a4a5e94d2503e9acfed92857b7f31d7152e0f8c00c15ff3d87e2"
	  "ed2e",
	  "0050cb5265417fe2320bbb5a122b8e1a32bd699089851128e360e620a30c7e17"
	  "ba41a666af126ce100e5799b153b60528d5300d08489ca9178fb610a2006c254"
	  "b41f" },
	{ &r6979_p521, "sample", KC_SHA256, 0,
	  "01511bb4d675114fe266fc4372b87682baecc01d3cc62cf2303c92b352601265"
	  "9d16876e25c7c1e57648f23b73564d67f61c6f14d527d54972810421e7d87589"
	  "e1a7",
	  "004a171143a83163d6df460aaf61522695f207a58b95c0644d87e52aa1a34791"
	  "6e4f7a72930b1bc06dbe22ce3f58264afd23704cbb63b29b931f7de6c9d949a7"
	  "ecfc" },
	{ &r6979_p521, "sample", KC_SHA384, 0,
	  "01ea842a0e17d2de4f92c15315c63ddf72685c18195c2bb95e572b9c5136ca4b"
	  "4b576ad712a52be9730627d16054ba40cc0b8d3ff035b12ae75168397f5d50c6"
	  "7451",
	  "01f21a3cee066e1961025fb048bd5fe2b7924d0cd797babe0a83b66f1e35eeaf"
	  "5fde143fa85dc394a7dee766523393784484bdf3e00114a1c857cde1aa203db6"
	  "5d61" },
	{ &r6979_p521, "sample", KC_SHA512, 0,
	  "00c328fafcbd79dd77850370c46325d987cb525569fb63c5d3bc53950e6d4c5f"
	  "174e25a1ee9017b5d450606add152b534931d7d4e8455cc91f9b15bf05ec36e3"
	  "77fa",
	  "00617cce7cf5064806c467f678d3b4080d6f1cc50af26ca209417308281b68af"
	  "282623eaa63e5b5c0723d8b8c37ff0777b1a20f8ccb1dccc43997f1ee0e44da4"
	  "a67a" },
	{ &r6979_p521, "test", KC_SHA1, 0,
	  "013bad9f29abe20de37ebeb823c252ca0f63361284015a3bf430a46aaa80b87b"
	  "0693f0694bd88afe4e661fc33b094cd3b7963bed5a727ed8bd6a3a202abe009d"
	  "0367",
	  "01e9bb81ff7944ca409ad138dbbee228e1afcc0c890fc78ec8604639cb0dbdc9"
	  "0f717a99ead9d272855d00162ee9527567dd6a92cbd629805c0445282bbc9167"
	  "97ff" },
	{ &r6979_p521, "test", KC_SHA224, 0,
	  "01c7ed902e123e6815546065a2c4af977b22aa8eaddb68b2c1110e7ea44d4208"
	  "6bfe4a34b67ddc0e17e96536e358219b23a706c6a6e16ba77b65e1c595d43cae"
	  "17fb",
	  "0177336676304fcb343ce028b38e7b4fba76c1c1b277da18cad2a8478b2a9a9f"
	  "5bec0f3ba04f35db3e4263569ec6aade8c92746e4c82f8299ae1b8f1739f8fd5"
	  "19a4" },
	{ &r6979_p521, "test", KC_SHA256, 0,
	  "000e871c4a14f993c6c7369501900c4bc1e9c7b0b4ba44e04868b30b41d80710"
	  "42eb28c4c250411d0ce08cd197e4188ea4876f279f90b3d8d74a3c76e6f1e465"
	  "6aa8",
	  "00cd52dbaa33b063c3a6cd8058a1fb0a46a4754b034fcc644766ca14da8ca5ca"
	  "9fde00e88c1ad60ccba759025299079d7a427ec3cc5b619bfbc828e7769bcd69"
	  "4e86" },
	{ &r6979_p521, "test", KC_SHA384, 0,
	  "014bee21a18b6d8b3c93fab08d43e739707953244fdbe924fa926d76669e7ac8"
	  "c89df62ed8975c2d8397a65a49dcc09f6b0ac62272741924d479354d74ff6075"
	  "578c",
	  "0133330865c067a0eaf72362a65e2d7bc4e461e8c8995c3b6226a21bd1aa78f0"
	  "ed94fe536a0dca35534f0cd1510c41525d163fe9d74d134881e35141ed5e8e95"
	  "b979" },
	{ &r6979_p521, "test", KC_SHA512, 0,
	  "013e99020abf5cee7525d16b69b229652ab6bdf2affcaef38773b4b7d08725f1"
	  "0cdb93482fdcc54edcee91eca4166b2a7c6265ef0ce2bd7051b7cef945babd47"
	  "ee6d",
	  "01fbd0013c674aa79cb39849527916ce301c66ea7ce8b80682786ad60f98f7e7"
	  "8a19ca69eff5c57400e3b3a0ad66ce0978214d13baf4e9ac60752f7b155e2de4"
	  "dce3" },
	{ &r6979_p521, "sample", KC_SHA512, 1,
	  "01a69339b23a6a9cb34cc2ca5471bada417a27349037e7159686eb2fab8f1e5f"
	  "4905a017d7e078a2200ea168bd69cde07da311709fab6e53450601ea81f64854"
	  "fcb6",
	  "011a8af8cdaa781241f91031c9baf693f68059b3fdfd7ad51ecffe45a67e80b4"
	  "d3ecb5ea0873683ca8fec62921dbc39a1173aade2aa20391cb3e0a15df531285"
	  "8229" },
};

static void rfc6979(void)
{
	unsigned char x[66], q[133], pub[133], want[132], sig[132], dg[64];
	unsigned char extra[32];
	const struct r6979_key *k = NULL;
	unsigned int i;
	int n = 0;

	for (i = 0; i < sizeof(extra); i++)
		extra[i] = (unsigned char)i;
	for (i = 0; i < sizeof(r6979_v) / sizeof(r6979_v[0]); i++) {
		const struct r6979_vec *v = &r6979_v[i];
		int ok;

		if (v->key != k) {
			k = v->key;
			n = (int)kc_ec_bytes(k->c);
			q[0] = 4;
			ok = unhex(k->x, x, sizeof(x)) == n &&
			     unhex(k->qx, q + 1, n) == n &&
			     unhex(k->qy, q + 1 + n, n) == n &&
			     !kc_ec_pub_from_priv(k->c, x, pub) &&
			     !memcmp(pub, q, 1 + 2 * n);
			tap_ok(ok, "RFC 6979 %s public key", k->name);
		}
		kc_hash(v->h, (const unsigned char *)v->msg, strlen(v->msg),
			dg);
		ok = unhex(v->r, want, n) == n && unhex(v->s, want + n, n) == n;
		ok = ok && !kc_ecdsa_sign(k->c, x, dg, kc_hash_len(v->h), v->h,
					  v->hedged ? extra : NULL,
					  v->hedged ? sizeof(extra) : 0, sig) &&
		     !memcmp(sig, want, 2 * n);
		ok = ok && !kc_ecdsa_verify(k->c, q, 1 + 2 * n, dg,
					    kc_hash_len(v->h), sig, 2 * n);
		tap_ok(ok, "RFC 6979 %s hash %d message \"%s\"%s", k->name,
		       v->h, v->msg, v->hedged ? " hedged (k' = 00..1f)" : "");
	}
}

static void run(const char *what, const char *file, const char *want,
		const char *last, rec_fn fn, int min)
{
	int p, f;

	if (each(file, want, last, fn, &p, &f)) {
		tap_ok(0, "%s: cannot read %s", what, file);
		return;
	}
	tap_ok(!f && p >= min, "%s: %d passed, %d failed (%s)", what, p, f,
	       file + sizeof(VEC) - 1);
}

static void cavp(enum kc_curve c, const char *name, const char *kas)
{
	char sec[32], what[80];

	cur = c;
	cb = (int)kc_ec_bytes(c);
	snprintf(sec, sizeof(sec), "[%s,", name);
	snprintf(what, sizeof(what), "CAVP SigGen %s (given k)", name);
	run(what, VEC "ECDSA/FIPS_186-3/SigGen.txt", sec, "S", siggen, 75);
	snprintf(what, sizeof(what), "CAVP SigVer %s", name);
	run(what, VEC "ECDSA/FIPS_186-3/SigVer.rsp", sec, "Result", sigver, 75);
	snprintf(sec, sizeof(sec), "[%s]", name);
	snprintf(what, sizeof(what), "CAVP KeyPair %s", name);
	run(what, VEC "ECDSA/FIPS_186-3/KeyPair.rsp", sec, "Qy", keypair, 10);
	snprintf(what, sizeof(what), "CAVP PKV %s", name);
	run(what, VEC "ECDSA/FIPS_186-3/PKV.rsp", sec, "Result", pkv, 12);
	snprintf(what, sizeof(what), "CAVP KAS ECC CDH %s (init)", name);
	run(what, VEC "ECDH/KASValidityTest_ECCStaticUnified_NOKC_ZZOnly_init.fax",
	    kas, "Result", kas_rec, 25);
	snprintf(what, sizeof(what), "CAVP KAS ECC CDH %s (resp)", name);
	run(what, VEC "ECDH/KASValidityTest_ECCStaticUnified_NOKC_ZZOnly_resp.fax",
	    kas, "Result", kas_rec, 25);
}

int main(void)
{
	rfc6979();
	cavp(KC_P256, "P-256", "[EC - SHA256]");
	cavp(KC_P384, "P-384", "[ED - SHA384]");
	cavp(KC_P521, "P-521", "[EE - SHA512]");
	return tap_done();
}
