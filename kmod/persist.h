/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sealed token state (persist.c; uAPI KHSM_IOC_STATE): the token master
 * key, the PIN records that wrap it, the (oid, gen) list of token objects,
 * and the export and load of sealed blobs. All under tok->lock unless
 * said otherwise.
 */
#ifndef KHSM_PERSIST_H
#define KHSM_PERSIST_H

#include "khsm.h"

#define KHSM_ROLE_SO		0
#define KHSM_ROLE_USER		1

/* One token object as the header lists it (tok->persisted, by oid). */
struct khsm_pent {
	u64 gen;			/* generation of the object now */
	/*
	 * The generation the header lists (0: not listed): that of the
	 * last sealed copy handed out whole, which the writer stored
	 * before it wrote a header. A header never lists an object whose
	 * file was not written first.
	 */
	u64 lgen;
	struct khsm_obj *obj;		/* the object, if it is in the store */
	u8 *blob;			/* sealed blob awaiting the TMK */
	u32 blob_len;
};

/* Drop the TMK, the list and every waiting blob (token re-init, unload). */
void khsm_persist_reset(struct khsm_token *tok);
/* C_InitToken: reset, then a fresh TMK (the token is writable). */
unsigned long khsm_persist_new_tmk(struct khsm_token *tok);
/* Token objects can be made, changed and destroyed: the TMK is here. */
static inline bool khsm_persist_writable(const struct khsm_token *tok)
{
	return tok->tmk;
}

/* Object store hooks (object.c): a token object came, changed, went. */
unsigned long khsm_persist_add(struct khsm_obj *o);
void khsm_persist_touch(struct khsm_obj *o);
void khsm_persist_remove(struct khsm_obj *o);
/*
 * ioctl_state.c: the sealed copy of object @oid at generation @gen was
 * handed out whole; the header lists it from now on (takes tok->lock).
 */
void khsm_persist_listed(struct khsm_token *tok, u64 oid, u64 gen);
/* Anything else in the header changed (PINs, counters, label). */
static inline void khsm_persist_bump(struct khsm_token *tok)
{
	tok->gen++;
}

/*
 * PIN records. khsm_pin_record_set() makes @ps's record from new PIN @p:
 * auth value and the TMK wrapped under the PIN's KEK (needs the TMK).
 * khsm_pin_record_match() compares @p's auth value in constant time.
 */
unsigned long khsm_pin_record_set(struct khsm_token *tok, int role,
				  struct khsm_pin_state *ps,
				  const struct khsm_pin *p);
bool khsm_pin_record_match(const struct khsm_token *tok, int role,
			   const struct khsm_pin_state *ps,
			   const struct khsm_pin *p);
/*
 * A login of @role with the right PIN @p on a LOCKED token: unwrap the
 * TMK, authenticate the loaded header, open the waiting objects.
 * CKR_DEVICE_ERROR if the state does not authenticate (nothing changes).
 */
unsigned long khsm_persist_unlock(struct khsm_token *tok, int role,
				  const struct khsm_pin *p);

/* KHSM_IOC_STATE (ioctl_state.c calls these; @blob is kernel memory). */
unsigned long khsm_state_export_header(struct khsm_token *tok, u8 **blob,
				       u32 *len, u64 *gen);
unsigned long khsm_state_export_object(struct khsm_file *f, u32 handle,
				       bool id_only, u8 **blob, u32 *len,
				       u64 *oid, u64 *gen);
unsigned long khsm_state_export_next(struct khsm_token *tok, u64 *oid,
				     u8 **blob, u32 *len, u64 *gen);
unsigned long khsm_state_load_header(struct khsm_token *tok, const u8 *blob,
				     u32 len, const struct khsm_pin *so_pin);
unsigned long khsm_state_load_object(struct khsm_token *tok, const u8 *blob,
				     u32 len, u64 expect_oid, u32 *status);
unsigned long khsm_state_load_finish(struct khsm_token *tok, u64 *missing);

/* Between persist.c (keys, PINs, header) and persist_obj.c (objects). */
#define KHSM_TMK_LEN		32
#define KHSM_KEY_LEN		32

struct crypto_aead;
struct khsm_tmk {
	u8 key[KHSM_TMK_LEN];
	u8 hdr_key[KHSM_KEY_LEN];	/* HKDF(TMK, "khsm header") */
	struct crypto_aead *obj;	/* gcm(aes), HKDF(TMK, "khsm object") */
	/* XOR of the entries' PRFs (persist.c), kept as the list changes. */
	u8 ents_acc[KHSM_STATE_MAC_LEN];
};

void *khsm_kvmemdup(const void *src, size_t len, gfp_t gfp);
/*
 * AES-GCM over one buffer @buf (kmalloc'd or vmalloc'd): @aad_len bytes
 * of associated data, @text_len bytes en- or decrypted in place, then the
 * tag (written, or checked: -EBADMSG).
 */
int khsm_gcm_buf(struct crypto_aead *tfm, bool enc, const u8 *nonce, u8 *buf,
		 size_t aad_len, size_t text_len);
void khsm_pent_free_blob(struct khsm_token *tok, struct khsm_pent *p);
/* The first login after a load: open what waited, check the rest. */
void khsm_state_open_waiting(struct khsm_token *tok);

#endif /* KHSM_PERSIST_H */
