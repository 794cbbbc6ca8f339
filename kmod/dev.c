// SPDX-License-Identifier: GPL-2.0
/*
 * One misc device per token. An open file is one PKCS#11 application: the
 * opener must be in the token's group or hold CAP_SYS_ADMIN; the file
 * holds a reference on the token (token_list.c), so a token removed while
 * files are open stays in memory for them (their ioctls answer
 * CKR_DEVICE_REMOVED). Release closes the file's sessions, destroys their
 * objects and ends its login, so a killed process leaves nothing behind.
 *
 * poll() and read() give the slot events (a token added, removed or
 * initialised; uAPI header, "Slot events"): readable while the global
 * event counter differs from what this file last read.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "dev.h"
#include "ioctl.h"
#include "session.h"
#include "token.h"
#include "token_list.h"

/*
 * Runs under misc_mtx: the token is registered, so the table's reference
 * keeps it alive until this open has taken its own.
 */
static int khsm_open(struct inode *inode, struct file *filp)
{
	struct miscdevice *misc = filp->private_data;
	struct khsm_token *tok = container_of(misc, struct khsm_token, misc);
	struct khsm_file *f;
	kgid_t gid;

	if (READ_ONCE(tok->removed))
		return -ENODEV;
	mutex_lock(&tok->lock);
	gid = tok->gid;
	mutex_unlock(&tok->lock);
	if (!in_group_p(gid) && !capable(CAP_SYS_ADMIN))
		return -EACCES;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	khsm_token_get(tok);
	f->tok = tok;
	f->user = KHSM_NOBODY;
	/* The opener's: an fd passed on carries the opener's charge. */
	f->uid = from_kuid_munged(&init_user_ns, current_euid());
	f->admin = ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN);
	f->seen_slot_gen = khsm_slot_gen();
	mutex_lock(&tok->lock);
	tok->n_files++;
	mutex_unlock(&tok->lock);
	filp->private_data = f;
	return nonseekable_open(inode, filp);
}

static int khsm_release(struct inode *inode, struct file *filp)
{
	struct khsm_file *f = filp->private_data;
	struct khsm_token *tok = f->tok;

	khsm_sessions_release(f);
	mutex_lock(&tok->lock);
	tok->n_files--;
	mutex_unlock(&tok->lock);
	kfree_sensitive(f);
	khsm_token_put(tok);
	return 0;
}

static __poll_t khsm_poll(struct file *filp, poll_table *wait)
{
	struct khsm_file *f = filp->private_data;
	__poll_t mask = 0;

	poll_wait(filp, khsm_slot_waitq(), wait);
	if (khsm_slot_gen() != READ_ONCE(f->seen_slot_gen))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(f->tok->removed))
		mask |= EPOLLHUP;
	return mask;
}

/* The slot event counter (a __u64), now seen; never blocks. */
static ssize_t khsm_read(struct file *filp, char __user *buf, size_t count,
			 loff_t *ppos)
{
	struct khsm_file *f = filp->private_data;
	u64 gen = khsm_slot_gen();

	if (count < sizeof(gen))
		return -EINVAL;
	if (copy_to_user(buf, &gen, sizeof(gen)))
		return -EFAULT;
	WRITE_ONCE(f->seen_slot_gen, gen);
	return sizeof(gen);
}

static const struct file_operations khsm_fops = {
	.owner = THIS_MODULE,
	.open = khsm_open,
	.release = khsm_release,
	.read = khsm_read,
	.poll = khsm_poll,
	.unlocked_ioctl = khsm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/* /dev/hsmN for a new token (token_list.c, under its table mutex). */
int khsm_dev_register(struct khsm_token *tok)
{
	int err;

	snprintf(tok->name, sizeof(tok->name), "hsm%u", tok->index);
	tok->misc.minor = MISC_DYNAMIC_MINOR;
	tok->misc.name = tok->name;
	tok->misc.fops = &khsm_fops;
	tok->misc.mode = 0660;
	err = misc_register(&tok->misc);
	if (err) {
		pr_err("cannot register /dev/%s: %d\n", tok->name, err);
		return err;
	}
	tok->registered = true;
	return 0;
}

void khsm_dev_unregister(struct khsm_token *tok)
{
	if (tok->registered)
		misc_deregister(&tok->misc);
	tok->registered = false;
}
