/* SPDX-License-Identifier: GPL-2.0 */
/* Misc devices /dev/hsmN, one per token. */
#ifndef KHSM_DEV_H
#define KHSM_DEV_H

struct khsm_token;

int khsm_dev_register(struct khsm_token *tok);
void khsm_dev_unregister(struct khsm_token *tok);
void khsm_dev_changed(struct khsm_token *tok);

#endif /* KHSM_DEV_H */
