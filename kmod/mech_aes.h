/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The keyed AES transforms of mech_aes.c, shared with the other AES
 * modes built on them (mech_aes_kw.c).
 */
#ifndef KHSM_MECH_AES_H
#define KHSM_MECH_AES_H

#include <crypto/skcipher.h>

#include "mech.h"

/*
 * The keyed "ecb(aes)" (@slot KHSM_PREP_AES_ECB), "cbc(aes)" (_CBC) or
 * "ctr(aes)" (_CTR) synchronous skcipher of @key: the key's cached one,
 * or one built now (*@owned). The caller gives it back with
 * khsm_prep_put(*@prep, *@owned). NULL with a CKR_* in *@rv on failure
 * (CKR_KEY_SIZE_RANGE for a key the transform refuses).
 */
struct crypto_sync_skcipher *khsm_aes_tfm_get(const struct khsm_key *key,
					      unsigned int slot,
					      struct khsm_prep **prep,
					      bool *owned, unsigned long *rv);

/*
 * mech_aead.c: a scatterlist over @aad (if @aad_len) then @len bytes at
 * @buf, kmalloc'd or vmalloc'd (one entry per page); persist.c seals
 * with it too.
 */
struct sg_table;
int khsm_gcm_sg(struct sg_table *t, const u8 *aad, size_t aad_len, u8 *buf,
		size_t len);

#endif /* KHSM_MECH_AES_H */
