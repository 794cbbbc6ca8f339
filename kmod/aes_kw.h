/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AES key wrap (RFC 3394, NIST SP 800-38F KW) and key wrap with padding
 * (RFC 5649, KWP) over a key's "ecb(aes)": the core of CKM_AES_KEY_WRAP
 * and CKM_AES_KEY_WRAP_KWP (mech_aes_kw.c), for C_Encrypt/C_Decrypt and
 * C_WrapKey/C_UnwrapKey alike.
 *
 * @kek is an AES key (16, 24 or 32 bytes); its prep cache is used when it
 * has one. @iv is NULL for the RFC's default IV (KW: A6A6A6A6A6A6A6A6,
 * KWP: A65959A6), else KHSM_AES_KW_IV_LEN / KHSM_AES_KWP_IV_LEN bytes.
 * @in and @out are kernel memory and may be the same buffer (not
 * otherwise overlapping). Each returns a CKR_* value:
 *   CKR_DATA_LEN_RANGE            wrap: a plaintext length the mode cannot
 *                                 take (KW: not a multiple of 8 or < 16;
 *                                 KWP: 0 or >= 2^32 bytes)
 *   CKR_ENCRYPTED_DATA_LEN_RANGE  unwrap: not a multiple of 8, or shorter
 *                                 than KW's 24 / KWP's 16 bytes
 *   CKR_ENCRYPTED_DATA_INVALID    unwrap: the integrity check failed (KWP:
 *                                 also a bad length indicator or padding);
 *                                 @out is zeroed
 *   CKR_KEY_SIZE_RANGE, CKR_DEVICE_MEMORY, CKR_DEVICE_ERROR
 * C_UnwrapKey maps the two unwrap errors to CKR_WRAPPED_KEY_* itself.
 */
#ifndef KHSM_AES_KW_H
#define KHSM_AES_KW_H

#include <linux/kernel.h>
#include <linux/types.h>

#include "mech.h"

#define KHSM_AES_KW_IV_LEN	8
#define KHSM_AES_KWP_IV_LEN	4
#define KHSM_AES_KW_SEMIBLOCK	8

/* Bytes KW / KWP wrapping of @in_len bytes gives. */
static inline size_t khsm_aes_kw_wrapped_len(size_t in_len)
{
	return in_len + KHSM_AES_KW_SEMIBLOCK;
}

static inline size_t khsm_aes_kwp_wrapped_len(size_t in_len)
{
	return round_up(in_len, KHSM_AES_KW_SEMIBLOCK) + KHSM_AES_KW_SEMIBLOCK;
}

/* Writes khsm_aes_kw_wrapped_len(@in_len) bytes. */
unsigned long khsm_aes_kw_wrap(const struct khsm_key *kek, const u8 *iv,
			       const u8 *in, size_t in_len, u8 *out);
/* Writes @in_len - 8 bytes. */
unsigned long khsm_aes_kw_unwrap(const struct khsm_key *kek, const u8 *iv,
				 const u8 *in, size_t in_len, u8 *out);
/* Writes *@out_len = khsm_aes_kwp_wrapped_len(@in_len) bytes. */
unsigned long khsm_aes_kwp_wrap(const struct khsm_key *kek, const u8 *iv,
				const u8 *in, size_t in_len, u8 *out,
				size_t *out_len);
/*
 * @out has room for @in_len - 8 bytes; *@out_len is set to the unwrapped
 * length (the padding removed).
 */
unsigned long khsm_aes_kwp_unwrap(const struct khsm_key *kek, const u8 *iv,
				  const u8 *in, size_t in_len, u8 *out,
				  size_t *out_len);

#endif /* KHSM_AES_KW_H */
