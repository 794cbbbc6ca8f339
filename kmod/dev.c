// SPDX-License-Identifier: GPL-2.0
/*
 * One misc device per token. An open file is one PKCS#11 application: the
 * opener must be in the token's group or hold CAP_SYS_ADMIN; release
 * closes the file's sessions, destroys their objects and ends its login,
 * so a killed process leaves nothing behind.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "dev.h"
#include "ioctl.h"
#include "session.h"
#include "token.h"

static int khsm_open(struct inode *inode, struct file *filp)
{
	struct miscdevice *misc = filp->private_data;
	struct khsm_token *tok = container_of(misc, struct khsm_token, misc);
	struct khsm_file *f;

	if (!in_group_p(tok->gid) && !capable(CAP_SYS_ADMIN))
		return -EACCES;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->tok = tok;
	f->user = KHSM_NOBODY;
	/* The opener's: an fd passed on carries the opener's charge. */
	f->uid = from_kuid_munged(&init_user_ns, current_euid());
	f->admin = ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN);
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
	return 0;
}

static const struct file_operations khsm_fops = {
	.owner = THIS_MODULE,
	.open = khsm_open,
	.release = khsm_release,
	.unlocked_ioctl = khsm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

int khsm_dev_init(void)
{
	unsigned int i;
	int err;

	for (i = 0; i < khsm_token_count(); i++) {
		struct khsm_token *tok = khsm_token_at(i);

		snprintf(tok->name, sizeof(tok->name), "hsm%u", i);
		tok->misc.minor = MISC_DYNAMIC_MINOR;
		tok->misc.name = tok->name;
		tok->misc.fops = &khsm_fops;
		tok->misc.mode = 0660;
		err = misc_register(&tok->misc);
		if (err) {
			pr_err("cannot register /dev/%s: %d\n", tok->name, err);
			khsm_dev_uninit();
			return err;
		}
		tok->registered = true;
	}
	return 0;
}

void khsm_dev_uninit(void)
{
	unsigned int i;

	for (i = 0; i < khsm_token_count(); i++) {
		struct khsm_token *tok = khsm_token_at(i);

		if (tok->registered)
			misc_deregister(&tok->misc);
		tok->registered = false;
	}
}
