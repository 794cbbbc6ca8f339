// SPDX-License-Identifier: GPL-2.0
/*
 * HKDF (RFC 5869) over the engine's HMAC (sha2.c), for every kc_hash:
 * HKDF-Extract PRK = HMAC-Hash(salt, IKM) and HKDF-Expand T(1) || T(2) ||
 * ..., T(i) = HMAC-Hash(PRK, T(i-1) || info || i), at most 255 blocks.
 * The HMAC key is expanded once and its context copied for each block.
 * Every intermediate value is wiped. Known answers (RFC 5869 appendix A)
 * in qemu-tests/engine/hkdf_test.c and at load (kmod/selftest_hkdf.c).
 */
#include "sha2.h"

int kc_hkdf_extract(enum kc_hash alg, const u8 *salt, size_t salt_len,
		    const u8 *ikm, size_t ikm_len, u8 *prk)
{
	/*
	 * RFC 5869 2.2: no salt is HashLen zero bytes, which HMAC pads to
	 * the same key block as an empty key.
	 */
	return kc_hmac(alg, salt_len ? salt : NULL, salt_len, ikm, ikm_len,
		       prk);
}

int kc_hkdf_expand(enum kc_hash alg, const u8 *prk, size_t prk_len,
		   const u8 *info, size_t info_len, u8 *out, size_t out_len)
{
	struct kc_hmac_ctx keyed, c;
	u8 t[KC_HASH_MAX_DIGEST];
	u32 hlen = kc_hash_len(alg);
	size_t n, done = 0;
	u8 i;

	if (!hlen || out_len > 255 * (size_t)hlen)
		return -1;
	if (kc_hmac_init(&keyed, alg, prk, prk_len))
		return -1;
	for (i = 1; done < out_len; i++) {
		c = keyed;
		if (i > 1)
			kc_hmac_update(&c, t, hlen);
		if (info_len)
			kc_hmac_update(&c, info, info_len);
		kc_hmac_update(&c, &i, 1);
		kc_hmac_final(&c, t);		/* wipes c */
		n = out_len - done < hlen ? out_len - done : hlen;
		memcpy(out + done, t, n);
		done += n;
	}
	kc_wipe(&keyed, sizeof(keyed));
	kc_wipe(t, sizeof(t));
	return 0;
}
