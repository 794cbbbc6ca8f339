// SPDX-License-Identifier: GPL-2.0
/*
 * The tokens at run time. Each token is allocated on its own and
 * reference-counted (struct khsm_token.ref): the table holds one until
 * the token is removed, every open file one (dev.c), a netlink call one
 * while it runs. Removing a token marks it removed and unregisters its
 * misc device at once (no new open; misc_deregister() waits for an open
 * in progress, which took its reference under misc_mtx); the files still
 * open get CKR_DEVICE_REMOVED from every ioctl (ioctl.c). The token stays
 * in the table, marked removed, until its last reference goes, so its
 * index (the slot number N of /dev/hsmN) is not given to a new token
 * while a file still refers to the old one; then its objects and
 * sessions are freed.
 *
 * khsm_tokens_mutex protects the table and the removed flags; it is taken
 * before misc_mtx (misc_register/misc_deregister) and before any
 * tok->lock, and the last khsm_token_put() takes it to erase the entry
 * (kref_put_mutex), so it is never held around a put.
 *
 * A token's device node follows the token (dev.c): udev reads its group
 * from sysfs (khsm_gid) at "add", and khsm_token_set_gid() and
 * khsm_token_changed() send a KOBJ_CHANGE uevent, under the table mutex
 * so the device cannot be unregistered meanwhile.
 */
#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include "dev.h"
#include "keytype.h"
#include "khsm.h"
#include "token.h"
#include "token_list.h"

static DEFINE_MUTEX(khsm_tokens_mutex);
static DEFINE_XARRAY_ALLOC(khsm_tokens);
static kgid_t khsm_default_gid;

static atomic64_t khsm_slot_events = ATOMIC64_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(khsm_slot_wq);

void khsm_slot_event(void)
{
	atomic64_inc(&khsm_slot_events);
	wake_up_interruptible_all(&khsm_slot_wq);
}

u64 khsm_slot_gen(void)
{
	return atomic64_read(&khsm_slot_events);
}

wait_queue_head_t *khsm_slot_waitq(void)
{
	return &khsm_slot_wq;
}

kgid_t khsm_token_default_gid(void)
{
	return khsm_default_gid;
}

/* The last reference: called with khsm_tokens_mutex held, drops it. */
static void khsm_token_release(struct kref *ref)
{
	struct khsm_token *tok = container_of(ref, struct khsm_token, ref);

	xa_erase(&khsm_tokens, tok->index);
	mutex_unlock(&khsm_tokens_mutex);
	khsm_token_teardown(tok);
	kfree_sensitive(tok);
}

void khsm_token_get(struct khsm_token *tok)
{
	kref_get(&tok->ref);
}

void khsm_token_put(struct khsm_token *tok)
{
	kref_put_mutex(&tok->ref, khsm_token_release, &khsm_tokens_mutex);
}

struct khsm_token *khsm_token_lookup(u32 index)
{
	struct khsm_token *tok;

	mutex_lock(&khsm_tokens_mutex);
	tok = xa_load(&khsm_tokens, index);
	if (tok && !tok->removed)
		kref_get(&tok->ref);
	else
		tok = NULL;
	mutex_unlock(&khsm_tokens_mutex);
	return tok;
}

struct khsm_token *khsm_token_next(u32 *index)
{
	unsigned long idx = *index;
	struct khsm_token *tok;

	mutex_lock(&khsm_tokens_mutex);
	xa_for_each_start(&khsm_tokens, idx, tok, *index) {
		if (!tok->removed) {
			kref_get(&tok->ref);
			*index = idx;
			goto out;
		}
	}
	tok = NULL;
out:
	mutex_unlock(&khsm_tokens_mutex);
	return tok;
}

/*
 * A new token with @gid as its group and the lowest free index; its
 * device /dev/hsmN is registered when this returns 0. -ENOSPC when
 * KHSM_MAX_TOKENS indexes are taken (removed tokens still open count).
 */
int khsm_token_add(kgid_t gid, u32 *index)
{
	struct khsm_token *tok;
	u32 id;
	int err;

	tok = kzalloc(sizeof(*tok), GFP_KERNEL_ACCOUNT);
	if (!tok)
		return -ENOMEM;
	kref_init(&tok->ref);
	tok->gid = gid;
	mutex_lock(&khsm_tokens_mutex);
	err = xa_alloc(&khsm_tokens, &id, tok,
		       XA_LIMIT(0, KHSM_MAX_TOKENS - 1), GFP_KERNEL);
	if (err) {
		mutex_unlock(&khsm_tokens_mutex);
		kfree(tok);
		return err == -EBUSY ? -ENOSPC : err;
	}
	tok->index = id;
	err = khsm_token_setup(tok);
	if (err)
		goto err_setup;
	err = khsm_dev_register(tok);
	if (err)
		goto err_dev;
	mutex_unlock(&khsm_tokens_mutex);
	if (index)
		*index = id;
	khsm_slot_event();
	return 0;

err_dev:
	khsm_token_teardown(tok);
err_setup:
	xa_erase(&khsm_tokens, id);
	mutex_unlock(&khsm_tokens_mutex);
	kfree(tok);
	return err;
}

/*
 * Set token @tok's group (KHSM_CMD_TOKEN_SET_GROUP): opens check it from
 * now on, its keyring and keys have it (keytype.c); a KOBJ_CHANGE uevent
 * lets udev give the node the new group.
 * -ENOENT if the token was removed meanwhile.
 */
int khsm_token_set_gid(struct khsm_token *tok, kgid_t gid)
{
	mutex_lock(&khsm_tokens_mutex);
	if (tok->removed) {
		mutex_unlock(&khsm_tokens_mutex);
		return -ENOENT;
	}
	mutex_lock(&tok->lock);
	tok->gid = gid;
	khsm_keyring_token_set_gid(tok, gid);
	mutex_unlock(&tok->lock);
	khsm_dev_changed(tok);
	mutex_unlock(&khsm_tokens_mutex);
	return 0;
}

/*
 * Token @tok's label or serial changed (C_InitToken, a state load): a
 * KOBJ_CHANGE uevent on its device, unless it was removed. Called with no
 * lock held; the caller holds a reference.
 */
void khsm_token_changed(struct khsm_token *tok)
{
	mutex_lock(&khsm_tokens_mutex);
	if (!tok->removed)
		khsm_dev_changed(tok);
	mutex_unlock(&khsm_tokens_mutex);
}

/* Under khsm_tokens_mutex: mark removed, unregister; the caller puts. */
static void khsm_token_unplug(struct khsm_token *tok)
{
	lockdep_assert_held(&khsm_tokens_mutex);
	WRITE_ONCE(tok->removed, true);
	khsm_dev_unregister(tok);
}

/*
 * Remove token @index: its device goes at once; its objects and sessions
 * when the last file open on it closes. -ENOENT if there is no such
 * token (or it was removed already).
 */
int khsm_token_remove(u32 index)
{
	struct khsm_token *tok;

	mutex_lock(&khsm_tokens_mutex);
	tok = xa_load(&khsm_tokens, index);
	if (!tok || tok->removed) {
		mutex_unlock(&khsm_tokens_mutex);
		return -ENOENT;
	}
	khsm_token_unplug(tok);
	/* Its keys hold references on it: they go now (keytype.c). */
	khsm_keyring_token_release(tok);
	mutex_unlock(&khsm_tokens_mutex);
	pr_info("%s removed\n", tok->name);
	khsm_slot_event();
	khsm_token_put(tok);
	return 0;
}

/* At load: @count tokens of group @gid, /dev/hsm0 .. /dev/hsm<count-1>. */
int khsm_tokens_init(unsigned int count, kgid_t gid)
{
	unsigned int i;
	int err;

	err = khsm_token_params_check();
	if (err)
		return err;
	khsm_default_gid = gid;
	for (i = 0; i < count; i++) {
		err = khsm_token_add(gid, NULL);
		if (err) {
			khsm_tokens_uninit();
			return err;
		}
	}
	return 0;
}

/*
 * At unload: no file is open (each holds the module), no netlink call
 * runs (the family is gone), so the table's references are the last.
 */
/*
 * At unload, before the key type goes: every token's keys are revoked and
 * unlinked, so unregistering the type (which waits for the keyring's
 * garbage collector) drops the references their payloads hold.
 */
void khsm_tokens_release_keys(void)
{
	struct khsm_token *tok;
	unsigned long idx;

	mutex_lock(&khsm_tokens_mutex);
	xa_for_each(&khsm_tokens, idx, tok)
		khsm_keyring_token_release(tok);
	mutex_unlock(&khsm_tokens_mutex);
}

void khsm_tokens_uninit(void)
{
	struct khsm_token *tok;
	unsigned long idx;

	mutex_lock(&khsm_tokens_mutex);
	xa_for_each(&khsm_tokens, idx, tok) {
		if (!tok->removed) {
			khsm_token_unplug(tok);
			mutex_unlock(&khsm_tokens_mutex);
			khsm_token_put(tok);
			mutex_lock(&khsm_tokens_mutex);
		}
	}
	WARN_ON(!xa_empty(&khsm_tokens));
	mutex_unlock(&khsm_tokens_mutex);
	xa_destroy(&khsm_tokens);
}
