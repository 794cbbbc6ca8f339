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
 *
 * The device's sysfs attributes tell udev what the node should look like
 * (udev/60-khsm.rules): khsm_gid (the token's group, world-readable as the
 * node's group is), khsm_serial and khsm_label (root only, as netlink's
 * TOKEN_GET shows them only to the token's group). They are created
 * before the "add" uevent (misc_register() passes the group to
 * device_create_with_groups()); a change of any of them is a KOBJ_CHANGE
 * uevent (khsm_dev_changed(), from token_list.c). The device's drvdata
 * is the miscdevice; a show runs with a sysfs active reference, which
 * misc_deregister() drains, so the token outlives it.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
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

static struct khsm_token *khsm_dev_token(struct device *dev)
{
	struct miscdevice *misc = dev_get_drvdata(dev);

	return container_of(misc, struct khsm_token, misc);
}

/* The token's group, a decimal gid of the initial user namespace. */
static ssize_t khsm_gid_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct khsm_token *tok = khsm_dev_token(dev);
	kgid_t gid;

	mutex_lock(&tok->lock);
	gid = tok->gid;
	mutex_unlock(&tok->lock);
	return sysfs_emit(buf, "%u\n", from_kgid_munged(&init_user_ns, gid));
}

/*
 * The blank-padded field @s without its trailing blanks; bytes outside
 * printable ASCII and the backslash as octal escapes (\ooo), so the value
 * is one line whatever C_InitToken was given.
 */
static ssize_t khsm_dev_show_field(struct khsm_token *tok, const u8 *field,
				   size_t size, char *buf)
{
	u8 v[KHSM_LABEL_LEN];
	size_t len, i;
	int n = 0;

	BUILD_BUG_ON(sizeof(v) < KHSM_SERIAL_LEN);
	mutex_lock(&tok->lock);
	memcpy(v, field, size);
	mutex_unlock(&tok->lock);
	len = size;
	while (len && v[len - 1] == ' ')
		len--;
	for (i = 0; i < len; i++) {
		if (v[i] >= 0x20 && v[i] < 0x7f && v[i] != '\\')
			n += sysfs_emit_at(buf, n, "%c", v[i]);
		else
			n += sysfs_emit_at(buf, n, "\\%03o", v[i]);
	}
	n += sysfs_emit_at(buf, n, "\n");
	return n;
}

static ssize_t khsm_label_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct khsm_token *tok = khsm_dev_token(dev);

	return khsm_dev_show_field(tok, tok->label, sizeof(tok->label), buf);
}

static ssize_t khsm_serial_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct khsm_token *tok = khsm_dev_token(dev);

	return khsm_dev_show_field(tok, tok->serial, sizeof(tok->serial), buf);
}

static DEVICE_ATTR_RO(khsm_gid);
static DEVICE_ATTR_ADMIN_RO(khsm_label);
static DEVICE_ATTR_ADMIN_RO(khsm_serial);

static struct attribute *khsm_dev_attrs[] = {
	&dev_attr_khsm_gid.attr,
	&dev_attr_khsm_label.attr,
	&dev_attr_khsm_serial.attr,
	NULL
};
ATTRIBUTE_GROUPS(khsm_dev);

/* /dev/hsmN for a new token (token_list.c, under its table mutex). */
int khsm_dev_register(struct khsm_token *tok)
{
	int err;

	snprintf(tok->name, sizeof(tok->name), "hsm%u", tok->index);
	tok->misc.minor = MISC_DYNAMIC_MINOR;
	tok->misc.name = tok->name;
	tok->misc.fops = &khsm_fops;
	tok->misc.mode = 0660;
	tok->misc.groups = khsm_dev_groups;
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

/*
 * A KOBJ_CHANGE uevent on /dev/hsmN: its attributes changed. Under the
 * table mutex (token_list.c), with the device registered.
 */
void khsm_dev_changed(struct khsm_token *tok)
{
	if (tok->registered)
		kobject_uevent(&tok->misc.this_device->kobj, KOBJ_CHANGE);
}
