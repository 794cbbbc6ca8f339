/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RSA internals shared by rsa.c, rsa_keygen.c, rsa_pad.c and selftest.c
 * (not part of the engine API).
 */
#ifndef KC_RSA_INTERNAL_H
#define KC_RSA_INTERNAL_H

#include "engine.h"

/*
 * kc_rsa_private() with a test hook: @fault = 1 flips a bit of the mod-p
 * half after its exponentiation (a CRT key is needed; with a d-only key
 * the result itself is corrupted), so the s^e check must fail: the call
 * returns KC_EFAULT with @out zeroed. kc_rsa_private() passes 0.
 */
int kc_rsa_private_fault(const struct kc_rsa_priv *key, const u8 *in,
			 u8 *out, void *work, u32 fault);

/*
 * @work layout (KC_RSA_WORK_BYTES): the raw operations (rsa.c,
 * rsa_keygen.c) use at most the first KC_RSA_PAD_OFFSET bytes; the PKCS#1
 * encodings (rsa_pad.c) keep two encoded-message buffers in the
 * KC_RSA_PAD_BYTES after that while they call the raw operations.
 */
#define KC_RSA_PAD_BYTES	(2 * KC_RSA_MAX_BYTES)
#define KC_RSA_PAD_OFFSET	(KC_RSA_WORK_BYTES - KC_RSA_PAD_BYTES)

/* kc_rsa_pkcs1_sign_t() through kc_rsa_private_fault() (tests only). */
int kc_rsa_pkcs1_sign_t_fault(const struct kc_rsa_priv *key, const u8 *t,
			      size_t t_len, u8 *sig, void *work, u32 fault);

#endif /* KC_RSA_INTERNAL_H */
