/* SPDX-License-Identifier: GPL-2.0 */
/* Misc devices /dev/hsmN, one per token. */
#ifndef KHSM_DEV_H
#define KHSM_DEV_H

int khsm_dev_init(void);
void khsm_dev_uninit(void);

#endif /* KHSM_DEV_H */
