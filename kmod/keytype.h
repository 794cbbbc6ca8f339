/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Token keys in the kernel keyring (keytype.c): the key type "khsm", one
 * keyring "khsm" of the module, one keyring "khsm:hsmN" per token linked
 * into it, one key per token key object linked into its token's keyring.
 *
 * Locking: khsm_keyring_add() and khsm_keyring_remove() run under
 * khsm_token.lock and take the keyring core's locks inside it (key_alloc,
 * key_instantiate_and_link, key_revoke, key_unlink: the key's and the
 * keyring's semaphores, key_construction_mutex, the key-user and serial
 * spinlocks). The key type's callbacks never take khsm_token.lock while
 * the keyring core holds one of those: ->read, ->describe, ->revoke and
 * ->destroy touch only the payload (immutable key material, the
 * object's kr_revoked flag); the asym_* callbacks are called without any
 * key lock and take khsm_token.lock themselves. Order: khsm_token.lock,
 * then the keyring core's locks.
 */
#ifndef KHSM_KEYTYPE_H
#define KHSM_KEYTYPE_H

#include "khsm.h"

int khsm_keytype_init(void);
void khsm_keytype_uninit(void);

/* The token's keyring, at token set-up and tear-down (token.c). */
int khsm_keyring_token_init(struct khsm_token *tok);
void khsm_keyring_token_uninit(struct khsm_token *tok);
/* At the token's removal (token_list.c): revoke its keys, drop its ring. */
void khsm_keyring_token_release(struct khsm_token *tok);

/*
 * The key of token key object @o (o->token, a key class), linked into the
 * token's keyring; under tok->lock. CKR_DEVICE_MEMORY when root's key
 * quota is full, CKR_HOST_MEMORY without memory; nothing is left behind
 * on failure. Other objects: CKR_OK and nothing done.
 */
unsigned long khsm_keyring_add(struct khsm_obj *o);
/* A new group for the token's keyring and keys; under tok->lock. */
void khsm_keyring_token_set_gid(struct khsm_token *tok, kgid_t gid);
/* Revoke and unlink @o's key, if it has one; under tok->lock. */
void khsm_keyring_remove(struct khsm_obj *o);

#endif /* KHSM_KEYTYPE_H */
