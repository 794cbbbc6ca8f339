/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the known-answer tests (selftest*.c). */
#ifndef KHSM_SELFTEST_H
#define KHSM_SELFTEST_H

#include "key.h"
#include "mech.h"

u8 *khsm_kat_hex(const char *hex, size_t *len);
int khsm_kat_op(unsigned long type, u32 kind, const struct khsm_key *key,
		const void *param, u32 param_len, const u8 *in, size_t in_len,
		const u8 *exp, size_t exp_len, size_t chunk, unsigned long want_rv);
int khsm_kat_hex_op(unsigned long type, u32 kind, const struct khsm_key *key,
		    const void *param, u32 param_len, const char *in_hex,
		    const char *exp_hex, size_t chunk);
/*
 * A key pair of curve key type @ops on @params through ->generate_pair
 * (the C_GenerateKeyPair path) and its key material; both NULL unless
 * CKR_OK.
 */
unsigned long khsm_kat_gen_curve_pair(const struct khsm_key_ops *ops,
				     const u8 *params, u32 params_len,
				     struct khsm_keymat **priv,
				     struct khsm_keymat **pub);

/*
 * One AES-keyed vector (hex key) through mechanism @type: encrypted and
 * decrypted, one-shot and in @chunk-byte parts; or one operation of @kind
 * that must end with @want.
 */
int khsm_kat_cipher(unsigned long type, const char *key_hex,
		    const void *param, u32 param_len, const char *pt,
		    const char *ct, size_t chunk);
int khsm_kat_cipher_rv(unsigned long type, u32 kind, const char *key_hex,
		       const void *param, u32 param_len, const char *in_hex,
		       size_t chunk, unsigned long want);

/* selftest_aes.c */
int khsm_selftest_aes_ctr(void);
int khsm_selftest_aes_kw(void);
/* selftest_ec.c */
int khsm_selftest_ecdsa(void);
/* selftest_eddsa.c */
int khsm_selftest_eddsa(void);
/* selftest_rsa.c */
int khsm_selftest_rsa(void);
/* selftest_mac.c */
int khsm_selftest_hmac(void);
int khsm_selftest_cmac(void);
/* selftest_ecdh.c */
int khsm_selftest_ecdh(void);
/* selftest_pkcs8.c */
int khsm_selftest_pkcs8(void);

/* selftest_hkdf.c */
int khsm_selftest_hkdf(void);

#endif /* KHSM_SELFTEST_H */
