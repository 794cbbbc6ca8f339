// SPDX-License-Identifier: GPL-2.0
/*
 * khsm: a PKCS#11 token in the kernel. Module entry: each part's init in
 * order, one error label per step, exit in reverse (as WireGuard does).
 * Mechanisms and their known-answer tests come first: if a self-test
 * fails, no token is registered.
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/uidgid.h>

#include "keytype.h"
#include "limits.h"
#include "mech.h"
#include "netlink.h"
#include "object.h"
#include "session.h"
#include "token.h"
#include "token_list.h"

static unsigned int tokens = 1;
module_param(tokens, uint, 0444);
MODULE_PARM_DESC(tokens, "number of tokens /dev/hsm0..N-1 made at load (0..16, default 1; more are added at run time over netlink)");

static unsigned int gid;
module_param(gid, uint, 0444);
MODULE_PARM_DESC(gid, "group of the tokens made at load and the default of those added (default 0)");

static int __init khsm_mod_init(void)
{
	kgid_t kgid = make_kgid(&init_user_ns, gid);
	int ret;

	if (tokens > KHSM_MAX_LOAD_TOKENS) {
		pr_err("tokens=%u out of range 0..%u\n", tokens,
		       KHSM_MAX_LOAD_TOKENS);
		return -EINVAL;
	}
	if (!gid_valid(kgid)) {
		pr_err("gid=%u is not a valid group\n", gid);
		return -EINVAL;
	}

	ret = khsm_mech_init();
	if (ret < 0) {
		pr_err("mechanism self-tests failed (%d), no token registered\n",
		       ret);
		goto err_mech;
	}
	ret = khsm_object_init();
	if (ret < 0)
		goto err_object;
	ret = khsm_session_init();
	if (ret < 0)
		goto err_session;
	ret = khsm_keytype_init();
	if (ret < 0)
		goto err_keytype;
	ret = khsm_tokens_init(tokens, kgid);
	if (ret < 0)
		goto err_tokens;
	ret = khsm_netlink_init();
	if (ret < 0)
		goto err_netlink;

	pr_info("%u token(s) ready\n", tokens);
	return 0;

err_netlink:
	khsm_tokens_uninit();
err_tokens:
	khsm_keytype_uninit();
err_keytype:
	khsm_session_uninit();
err_session:
	khsm_object_uninit();
err_object:
	khsm_mech_uninit();
err_mech:
	return ret;
}

static void __exit khsm_mod_exit(void)
{
	khsm_netlink_uninit();
	khsm_tokens_release_keys();
	khsm_keytype_uninit();
	khsm_tokens_uninit();
	khsm_session_uninit();
	khsm_object_uninit();
	khsm_mech_uninit();
}

module_init(khsm_mod_init);
module_exit(khsm_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("khsm: PKCS#11 token in the kernel");
MODULE_AUTHOR("khsm developers");
MODULE_VERSION("1.0.0");
