// SPDX-License-Identifier: GPL-2.0
/*
 * PKCS#1 v2.2 (RFC 8017) encodings over the raw RSA operations of rsa.c:
 * EMSA-PKCS1-v1_5 (9.2), EMSA-PSS with MGF1 (9.1, B.2.1) and RSAES-OAEP
 * (7.1).
 *
 * The modulus and everything a verifier or an encrypting party sees is
 * public, so signature verification and OAEP encryption may branch on
 * their data. OAEP decryption handles a secret encoded message: the
 * leading byte, lHash and the 01 separator are checked with masks over
 * every byte (no early exit, no secret-dependent branch or index), the
 * message is moved to a fixed position with a masked logarithmic shifter,
 * and only the final verdict is declassified; every failure returns the
 * same KC_EINPUT. Encoded messages live in the caller's @work (at
 * KC_RSA_PAD_OFFSET, see rsa_internal.h) and are wiped before returning.
 */
#include "engine.h"
#include "rsa_internal.h"

/* Two encoded-message buffers after the raw operations' part of @work. */
#define PAD_EM(work)	((u8 *)(work) + KC_RSA_PAD_OFFSET)
#define PAD_EM2(work)	(PAD_EM(work) + KC_RSA_MAX_BYTES)

#if KC_RSA_PAD_OFFSET + 2 * KC_RSA_MAX_BYTES > KC_RSA_WORK_BYTES
#error "PKCS#1 buffers do not fit in KC_RSA_WORK_BYTES"
#endif

/* RFC 8017 9.2 note 1: DER of DigestInfo up to the digest bytes. */
static const u8 di_sha1[] = {
	0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05,
	0x00, 0x04, 0x14,
};

/* SHA-2: 2.16.840.1.101.3.4.2.x; only the lengths and the last arc vary */
static const u8 di_sha2[] = {
	0x30, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
	0x04, 0x02, 0x00, 0x05, 0x00, 0x04, 0x00,
};

size_t kc_rsa_digest_info(enum kc_hash hash, u8 *prefix, size_t max)
{
	u32 hl = kc_hash_len(hash);
	u8 arc;
	size_t i;

	switch (hash) {
	case KC_SHA1:
		if (max < sizeof(di_sha1))
			return 0;
		for (i = 0; i < sizeof(di_sha1); i++)
			prefix[i] = di_sha1[i];
		return sizeof(di_sha1);
	case KC_SHA256:
		arc = 1;
		break;
	case KC_SHA384:
		arc = 2;
		break;
	case KC_SHA512:
		arc = 3;
		break;
	case KC_SHA224:
		arc = 4;
		break;
	default:
		return 0;
	}
	if (max < sizeof(di_sha2))
		return 0;
	for (i = 0; i < sizeof(di_sha2); i++)
		prefix[i] = di_sha2[i];
	prefix[1] = (u8)(sizeof(di_sha2) - 2 + hl);
	prefix[14] = arc;
	prefix[18] = (u8)hl;
	return sizeof(di_sha2);
}

/*
 * Byte length k and bit length of a (public) modulus given with optional
 * leading zero bytes (kc_rsa_pub_info(), which checks n and e).
 * KC_EINPUT outside KC_RSA_MIN_BITS..KC_RSA_MAX_BITS.
 */
static int mod_size(const u8 *n, size_t n_len, const u8 *e, size_t e_len,
		    size_t *k, u32 *bits)
{
	const struct kc_rsa_pub pub = {
		.n = n, .n_len = n_len, .e = e, .e_len = e_len,
	};
	u32 e_bits;

	return kc_rsa_pub_info(&pub, k, bits, &e_bits);
}

/* All-ones byte mask if a == b, else 0 (no branch). */
static inline u32 ct_eq(u32 a, u32 b)
{
	return (u32)kc_mask_zero(a ^ b);
}

/* out[0..len) ^= MGF1(seed) (RFC 8017 B.2.1); @seed must not overlap. */
static void mgf1_xor(enum kc_hash mgf, const u8 *seed, size_t seed_len,
		     u8 *out, size_t len)
{
	struct kc_hash_ctx c;
	u8 d[KC_HASH_MAX_DIGEST], ctr[4];
	u32 hl = kc_hash_len(mgf), counter = 0;
	size_t i, take;

	while (len) {
		ctr[0] = (u8)(counter >> 24);
		ctr[1] = (u8)(counter >> 16);
		ctr[2] = (u8)(counter >> 8);
		ctr[3] = (u8)counter;
		kc_hash_init(&c, mgf);
		kc_hash_update(&c, seed, seed_len);
		kc_hash_update(&c, ctr, 4);
		kc_hash_final(&c, d);
		take = len < hl ? len : hl;
		for (i = 0; i < take; i++)
			out[i] ^= d[i];
		out += take;
		len -= take;
		counter++;
	}
	kc_wipe(d, sizeof(d));
}

/* EM = 00 01 FF..FF 00 T in @em (k bytes); KC_EINPUT if T is too long. */
static int emsa_pkcs1_encode(u8 *em, size_t k, const u8 *t, size_t t_len)
{
	size_t i, ps;

	if (!t || k < 11 || t_len > k - 11)	/* no overflow: k <= 1024 */
		return KC_EINPUT;
	ps = k - 3 - t_len;
	em[0] = 0x00;
	em[1] = 0x01;
	for (i = 0; i < ps; i++)
		em[2 + i] = 0xff;
	em[2 + ps] = 0x00;
	for (i = 0; i < t_len; i++)
		em[3 + ps + i] = t[i];
	return KC_OK;
}

int kc_rsa_pkcs1_sign_t_fault(const struct kc_rsa_priv *key, const u8 *t,
			      size_t t_len, u8 *sig, void *work, u32 fault)
{
	u8 *em = PAD_EM(work);
	size_t k;
	u32 bits;
	int ret;

	ret = mod_size(key->n, key->n_len, key->e, key->e_len, &k, &bits);
	if (ret)
		return ret;
	ret = emsa_pkcs1_encode(em, k, t, t_len);
	if (!ret)
		ret = kc_rsa_private_fault(key, em, sig, work, fault);
	if (ret)
		kc_wipe(sig, k);
	kc_wipe(em, k);
	return ret;
}

int kc_rsa_pkcs1_sign_t(const struct kc_rsa_priv *key, const u8 *t,
			size_t t_len, u8 *sig, void *work)
{
	return kc_rsa_pkcs1_sign_t_fault(key, t, t_len, sig, work, 0);
}

int kc_rsa_pkcs1_verify_t(const struct kc_rsa_pub *key, const u8 *t,
			  size_t t_len, const u8 *sig, size_t sig_len,
			  void *work)
{
	u8 *em = PAD_EM(work), *m = PAD_EM2(work);
	size_t k, i;
	u32 bits, diff = 0;
	int ret;

	ret = mod_size(key->n, key->n_len, key->e, key->e_len, &k, &bits);
	if (ret)
		return ret;
	ret = emsa_pkcs1_encode(em, k, t, t_len);
	if (ret)
		return ret;
	if (!sig || sig_len != k) {
		ret = KC_ESIG;
		goto out;
	}
	ret = kc_rsa_public(key, sig, m, work);
	if (ret) {
		/* s >= n is an invalid signature, a bad key stays KC_EINPUT */
		ret = kc_rsa_check_pub(key) ? KC_EINPUT : KC_ESIG;
		goto out;
	}
	/* compare the whole EM, never parse the signature's ASN.1 */
	for (i = 0; i < k; i++)
		diff |= em[i] ^ m[i];
	ret = diff ? KC_ESIG : KC_OK;
out:
	kc_wipe(em, k);
	kc_wipe(m, k);
	return ret;
}

/*
 * EMSA-PSS lengths: emBits = modBits - 1, emLen = ceil(emBits / 8); the
 * encoded message sits in the last emLen of the k bytes (the first byte
 * is zero when emLen = k - 1).
 */
static int pss_lengths(u32 bits, enum kc_hash hash, enum kc_hash mgf,
		       size_t salt_len, size_t digest_len, size_t *em_len)
{
	u32 hl = kc_hash_len(hash);

	if (!hl || !kc_hash_len(mgf) || digest_len != hl)
		return KC_EINPUT;
	*em_len = (bits - 1 + 7) / 8;
	if (salt_len > *em_len || *em_len < hl + salt_len + 2)
		return KC_EINPUT;
	return KC_OK;
}

/* H = Hash(00 x 8 || mHash || salt) */
static void pss_hash(enum kc_hash hash, const u8 *digest, size_t digest_len,
		     const u8 *salt, size_t salt_len, u8 *h)
{
	static const u8 zero8[8];
	struct kc_hash_ctx c;

	kc_hash_init(&c, hash);
	kc_hash_update(&c, zero8, sizeof(zero8));
	kc_hash_update(&c, digest, digest_len);
	kc_hash_update(&c, salt, salt_len);
	kc_hash_final(&c, h);
}

int kc_rsa_pss_sign(const struct kc_rsa_priv *key, enum kc_hash hash,
		    enum kc_hash mgf, const u8 *salt, size_t salt_len,
		    const u8 *digest, size_t digest_len, u8 *sig, void *work)
{
	u8 *em = PAD_EM(work), *rnd = PAD_EM2(work), *p;
	size_t k, em_len, db_len, i;
	u32 bits, hl = kc_hash_len(hash);
	int ret;

	ret = mod_size(key->n, key->n_len, key->e, key->e_len, &k, &bits);
	if (ret)
		return ret;
	ret = pss_lengths(bits, hash, mgf, salt_len, digest_len, &em_len);
	if (ret || !digest)
		goto fail;
	if (!salt) {
		kc_random(rnd, salt_len);
		salt = rnd;
	}
	db_len = em_len - hl - 1;
	for (i = 0; i < k - em_len; i++)
		em[i] = 0;
	p = em + (k - em_len);
	/* DB = PS || 01 || salt, then H after it and the trailer 0xbc */
	for (i = 0; i < db_len - salt_len - 1; i++)
		p[i] = 0;
	p[db_len - salt_len - 1] = 0x01;
	for (i = 0; i < salt_len; i++)
		p[db_len - salt_len + i] = salt[i];
	pss_hash(hash, digest, digest_len, salt, salt_len, p + db_len);
	p[em_len - 1] = 0xbc;
	mgf1_xor(mgf, p + db_len, hl, p, db_len);
	/* clear the leftmost 8 emLen - emBits bits */
	p[0] &= 0xff >> (8 * em_len - (bits - 1));
	ret = kc_rsa_private(key, em, sig, work);
	kc_wipe(em, k);
	kc_wipe(rnd, salt_len);
	if (!ret)
		return KC_OK;
fail:
	kc_wipe(sig, k);
	return ret;
}

int kc_rsa_pss_verify(const struct kc_rsa_pub *key, enum kc_hash hash,
		      enum kc_hash mgf, size_t salt_len,
		      const u8 *digest, size_t digest_len,
		      const u8 *sig, size_t sig_len, void *work)
{
	u8 *em = PAD_EM(work), *p, h2[KC_HASH_MAX_DIGEST];
	size_t k, em_len, db_len, i;
	u32 bits, hl = kc_hash_len(hash), diff = 0;
	int ret;

	ret = mod_size(key->n, key->n_len, key->e, key->e_len, &k, &bits);
	if (ret)
		return ret;
	if (!hl || !kc_hash_len(mgf) || !digest || digest_len != hl)
		return KC_EINPUT;
	if (!sig || sig_len != k)
		return KC_ESIG;
	ret = kc_rsa_public(key, sig, em, work);
	if (ret) {
		ret = kc_rsa_check_pub(key) ? KC_EINPUT : KC_ESIG;
		goto out;
	}
	ret = KC_ESIG;
	em_len = (bits - 1 + 7) / 8;
	if (salt_len > em_len || em_len < hl + salt_len + 2)
		goto out;
	/* m < 2^emBits: the bytes before EM and the top bits must be 0 */
	for (i = 0; i < k - em_len; i++)
		if (em[i])
			goto out;
	p = em + (k - em_len);
	if (p[em_len - 1] != 0xbc)
		goto out;
	if (p[0] & ~(0xff >> (8 * em_len - (bits - 1))))
		goto out;
	db_len = em_len - hl - 1;
	mgf1_xor(mgf, p + db_len, hl, p, db_len);
	p[0] &= 0xff >> (8 * em_len - (bits - 1));
	for (i = 0; i < db_len - salt_len - 1; i++)
		if (p[i])
			goto out;
	if (p[db_len - salt_len - 1] != 0x01)
		goto out;
	pss_hash(hash, digest, digest_len, p + db_len - salt_len, salt_len,
		 h2);
	for (i = 0; i < hl; i++)
		diff |= h2[i] ^ p[db_len + i];
	ret = diff ? KC_ESIG : KC_OK;
out:
	kc_wipe(em, k);
	return ret;
}

int kc_rsa_oaep_encrypt(const struct kc_rsa_pub *key, enum kc_hash hash,
			enum kc_hash mgf, const u8 *label, size_t label_len,
			const u8 *seed, const u8 *msg, size_t msg_len,
			u8 *out, void *work)
{
	u8 *em = PAD_EM(work), *db;
	size_t k, db_len, i;
	u32 bits, hl = kc_hash_len(hash);
	int ret;

	ret = mod_size(key->n, key->n_len, key->e, key->e_len, &k, &bits);
	if (ret)
		return ret;
	if (!hl || !kc_hash_len(mgf) || k < 2 * (size_t)hl + 2 ||
	    msg_len > k - 2 * (size_t)hl - 2 || (msg_len && !msg) ||
	    (label_len && !label))
		return KC_EINPUT;
	/* EM = 00 || seed || DB, DB = lHash || PS || 01 || M */
	db_len = k - hl - 1;
	db = em + 1 + hl;
	em[0] = 0;
	if (seed) {
		for (i = 0; i < hl; i++)
			em[1 + i] = seed[i];
	} else {
		kc_random(em + 1, hl);
	}
	kc_hash(hash, label_len ? label : (const u8 *)"", label_len, db);
	for (i = hl; i < db_len - msg_len - 1; i++)
		db[i] = 0;
	db[db_len - msg_len - 1] = 0x01;
	for (i = 0; i < msg_len; i++)
		db[db_len - msg_len + i] = msg[i];
	mgf1_xor(mgf, em + 1, hl, db, db_len);
	mgf1_xor(mgf, db, db_len, em + 1, hl);
	ret = kc_rsa_public(key, em, out, work);
	kc_wipe(em, k);
	if (ret)
		kc_wipe(out, k);
	return ret;
}

int kc_rsa_oaep_decrypt(const struct kc_rsa_priv *key, enum kc_hash hash,
			enum kc_hash mgf, const u8 *label, size_t label_len,
			const u8 *in, size_t in_len, u8 *msg, size_t *msg_len,
			void *work)
{
	u8 *em = PAD_EM(work), *db, *m, lhash[KC_HASH_MAX_DIGEST];
	size_t k, db_len, m_max, room, i, step;
	u32 bits, hl = kc_hash_len(hash), good, looking, is0, is1, diff;
	u32 idx, shift, mlen, bit, j;
	int ret;

	room = *msg_len;
	ret = mod_size(key->n, key->n_len, key->e, key->e_len, &k, &bits);
	if (ret)
		return ret;
	ret = KC_EINPUT;
	if (!hl || !kc_hash_len(mgf) || k < 2 * (size_t)hl + 2 ||
	    !in || in_len != k || (label_len && !label))
		goto out;
	db_len = k - hl - 1;
	m_max = db_len - hl - 1;
	ret = kc_rsa_private(key, in, em, work);
	if (ret)
		goto out;
	db = em + 1 + hl;
	mgf1_xor(mgf, db, db_len, em + 1, hl);		/* seed */
	mgf1_xor(mgf, em + 1, hl, db, db_len);		/* DB */
	kc_hash(hash, label_len ? label : (const u8 *)"", label_len, lhash);

	/* Y = 0 and lHash' = lHash, then scan PS for the 01 separator */
	diff = em[0];
	for (i = 0; i < hl; i++)
		diff |= db[i] ^ lhash[i];
	good = ct_eq(diff, 0);
	looking = ~0u;
	idx = 0;
	for (i = hl; i < db_len; i++) {
		is0 = ct_eq(db[i], 0);
		is1 = ct_eq(db[i], 1);
		idx |= looking & is1 & (u32)i;
		good &= ~(looking & ~is0 & ~is1);
		looking &= is0;
	}
	good &= ~looking;			/* a separator was found */
	mlen = ((u32)db_len - 1 - idx) & good;

	/*
	 * Move M (the last mlen bytes of the m_max bytes after the smallest
	 * separator position) to the start of that area: shift left by
	 * m_max - mlen with one masked pass per bit of the shift.
	 */
	m = db + hl + 1;
	shift = (u32)m_max - mlen;
	for (step = 1, j = 0; step <= m_max; step <<= 1, j++) {
		bit = 0 - ((shift >> j) & 1);
		for (i = 0; i < m_max; i++) {
			u32 src = i + step < m_max ? m[i + step] : 0;

			m[i] = (u8)((src & bit) | (m[i] & ~bit));
		}
	}

	kc_declassify(&good, sizeof(good));
	if (!good) {
		ret = KC_EINPUT;
		goto out;
	}
	/* a valid message's length is public once it is returned */
	kc_declassify(&mlen, sizeof(mlen));
	*msg_len = mlen;
	if (mlen > room) {
		ret = KC_EINPUT;
		goto out;
	}
	for (i = 0; i < mlen; i++)
		msg[i] = m[i];
	ret = KC_OK;
out:
	/* nothing was written to @msg: wipe what the caller may read */
	if (ret && msg)
		kc_wipe(msg, room < k ? room : k);
	kc_wipe(lhash, sizeof(lhash));
	kc_wipe(em, k);
	return ret;
}

/*
 * RSAES-PKCS1-v1_5 (RFC 8017 7.2). Encryption: EM = 00 02 PS 00 M with
 * PS random nonzero (or the caller's, for known answers), at least 8
 * bytes.
 */
int kc_rsa_pkcs1_encrypt(const struct kc_rsa_pub *key, const u8 *ps,
			 const u8 *msg, size_t msg_len, u8 *out, void *work)
{
	u8 *em = PAD_EM(work);
	size_t k, ps_len, i;
	u32 bits;
	int ret;

	ret = mod_size(key->n, key->n_len, key->e, key->e_len, &k, &bits);
	if (ret)
		return ret;
	if (msg_len > k - 11 || (msg_len && !msg))
		return KC_EINPUT;
	ps_len = k - 3 - msg_len;
	em[0] = 0x00;
	em[1] = 0x02;
	if (ps) {
		for (i = 0; i < ps_len; i++)
			if (!ps[i])
				return KC_EINPUT;
		for (i = 0; i < ps_len; i++)
			em[2 + i] = ps[i];
	} else {
		/*
		 * zero bytes drawn again: PS is fresh randomness, no secret
		 * of the key or the message, so its bytes may steer a branch
		 */
		kc_random(em + 2, ps_len);
		for (i = 0; i < ps_len; i++) {
			kc_declassify(em + 2 + i, 1);
			while (!em[2 + i]) {
				kc_random(em + 2 + i, 1);
				kc_declassify(em + 2 + i, 1);
			}
		}
	}
	em[2 + ps_len] = 0x00;
	for (i = 0; i < msg_len; i++)
		em[3 + ps_len + i] = msg[i];
	ret = kc_rsa_public(key, em, out, work);
	kc_wipe(em, k);
	if (ret)
		kc_wipe(out, k);
	return ret;
}

/*
 * The implicit-rejection PRF of draft-irtf-cfrg-rsa-guidance (IRPRF):
 * @out gets the first @len bytes of HMAC-SHA256(kdk, I || label ||
 * bitLength) for I = 0, 1, ... (both two-byte big-endian, bitLength =
 * 8 len). @len < 8192.
 */
static void irprf(const u8 *kdk, const char *label, size_t label_len,
		  u8 *out, size_t len)
{
	struct kc_hmac_ctx c;
	u8 blk[32], hdr[2], bl[2];
	size_t take, i;
	u32 it = 0;

	bl[0] = (u8)((8 * len) >> 8);
	bl[1] = (u8)(8 * len);
	while (len) {
		hdr[0] = (u8)(it >> 8);
		hdr[1] = (u8)it;
		kc_hmac_init(&c, KC_SHA256, kdk, 32);
		kc_hmac_update(&c, hdr, 2);
		kc_hmac_update(&c, (const u8 *)label, label_len);
		kc_hmac_update(&c, bl, 2);
		kc_hmac_final(&c, blk);
		take = len < 32 ? len : 32;
		for (i = 0; i < take; i++)
			out[i] = blk[i];
		out += take;
		len -= take;
		it++;
	}
	kc_wipe(blk, sizeof(blk));
	kc_wipe(&c, sizeof(c));
}

/*
 * KDK = HMAC-SHA256(SHA256(I2OSP(d, k)), C) into @kdk; @tmp has k bytes.
 * KC_EINPUT if d does not fit in k bytes (a malformed key, public).
 */
static int ir_kdk(const struct kc_rsa_priv *key, size_t k, const u8 *c,
		  u8 *tmp, u8 *kdk)
{
	struct kc_hmac_ctx h;
	size_t dl = key->d_len, skip = 0, i;
	u8 dh[32];
	u64 extra = 0;

	if (!key->d || !dl)
		return KC_EINPUT;
	if (dl > k) {
		skip = dl - k;
		for (i = 0; i < skip; i++)
			extra |= key->d[i];
		kc_declassify(&extra, sizeof(extra));
		if (extra)
			return KC_EINPUT;
		dl = k;
	}
	for (i = 0; i < k - dl; i++)
		tmp[i] = 0;
	for (i = 0; i < dl; i++)
		tmp[k - dl + i] = key->d[skip + i];
	kc_hash(KC_SHA256, tmp, k, dh);
	kc_wipe(tmp, k);
	kc_hmac_init(&h, KC_SHA256, dh, sizeof(dh));
	kc_hmac_update(&h, c, k);
	kc_hmac_final(&h, kdk);
	kc_wipe(dh, sizeof(dh));
	kc_wipe(&h, sizeof(h));
	return KC_OK;
}

/*
 * AL: the last of the 128 two-byte candidates in @cl, each cut to the
 * bit length of @max, that is at most @max; 0 if none is. No branch or
 * index depends on them.
 */
static u32 ir_alt_len(const u8 *cl, u32 max)
{
	u32 mask = max, al = 0, c, le, i;

	mask |= mask >> 1;
	mask |= mask >> 2;
	mask |= mask >> 4;
	mask |= mask >> 8;
	for (i = 0; i < 128; i++) {
		c = ((u32)cl[2 * i] << 8 | cl[2 * i + 1]) & mask;
		le = ((max - c) >> 31) - 1;	/* c <= max (both < 2^16) */
		al = (c & le) | (al & ~le);
	}
	return al;
}

/*
 * Decryption with implicit rejection (draft-irtf-cfrg-rsa-guidance,
 * section "Implicit rejection"; what OpenSSL 3.2 does): on any padding
 * error the result is not an error but a message derived from d and C,
 * AL bytes of IRPRF(KDK, "message", k), so the same C always gives the
 * same answer and nothing tells a valid padding from a bad one. Every
 * check runs over every byte with masks; the choice between EM and the
 * alternative message reads both in full; the message is moved to the
 * front by a masked logarithmic shifter; only its length, which the
 * caller learns anyway, is declassified. Errors (KC_EINPUT) depend only
 * on public data: C not k bytes, C >= n, *@msg_len < k - 11, no d.
 */
int kc_rsa_pkcs1_decrypt(const struct kc_rsa_priv *key, const u8 *in,
			 size_t in_len, u8 *msg, size_t *msg_len, void *work)
{
	u8 *em = PAD_EM(work), *am = PAD_EM2(work), kdk[32], cl[256];
	size_t k, i, step;
	u32 bits, good, looking, z, idx, l, al, mlen, shift, bit, j;
	int ret;

	ret = mod_size(key->n, key->n_len, key->e, key->e_len, &k, &bits);
	if (ret)
		return ret;
	if (k < 11 || !in || in_len != k || !msg || *msg_len < k - 11)
		return KC_EINPUT;
	ret = kc_rsa_private(key, in, em, work);
	if (ret)
		goto out;
	ret = ir_kdk(key, k, in, am, kdk);
	if (ret)
		goto out;
	irprf(kdk, "length", 6, cl, sizeof(cl));
	irprf(kdk, "message", 7, am, k);
	al = ir_alt_len(cl, (u32)k - 11);

	/* EM = 00 02 PS 00 M, PS at least 8 bytes: all checks, no exit */
	good = ct_eq(em[0], 0) & ct_eq(em[1], 2);
	looking = ~0u;
	idx = 0;
	for (i = 2; i < k; i++) {
		z = ct_eq(em[i], 0);
		idx |= looking & z & (u32)i;
		looking &= ~z;
	}
	good &= ~looking;				/* a separator */
	good &= ~(0u - (((idx - 10) >> 31) & 1));	/* idx >= 10 */
	l = ((u32)k - 1 - idx) & ~looking;

	/* the message: the last mlen bytes of EM or of AM, moved to the front */
	for (i = 0; i < k; i++)
		em[i] = (u8)((em[i] & good) | (am[i] & ~good));
	mlen = (l & good) | (al & ~good);
	shift = (u32)k - mlen;
	for (step = 1, j = 0; step <= k; step <<= 1, j++) {
		bit = 0 - ((shift >> j) & 1);
		for (i = 0; i < k; i++) {
			u32 src = i + step < k ? em[i + step] : 0;

			em[i] = (u8)((src & bit) | (em[i] & ~bit));
		}
	}
	kc_declassify(&mlen, sizeof(mlen));
	for (i = 0; i < mlen; i++)
		msg[i] = em[i];
	*msg_len = mlen;
	ret = KC_OK;
out:
	kc_wipe(kdk, sizeof(kdk));
	kc_wipe(cl, sizeof(cl));
	kc_wipe(em, k);
	kc_wipe(am, k);
	return ret;
}
