/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every bound the token core enforces on what user space can make it hold.
 * KHSM_IOC_VERSION reports the per-call ones to user space.
 */
#ifndef KHSM_LIMITS_H
#define KHSM_LIMITS_H

/* The uAPI: its struct sizes and lengths are the other half of the limits. */
#include <linux/khsm.h>

#define KHSM_MAX_LOAD_TOKENS	16	/* tokens= module parameter */
#define KHSM_MAX_TOKENS		64	/* at once, added at run time included */
#define KHSM_MAX_MECH_STATS	128	/* mechanisms counted per token */
/*
 * Objects and sessions are bounded by memory: every allocation is charged
 * to the caller's memory cgroup, and each token may hold at most
 * max_token_mib (module parameter) of objects and sessions together. The
 * counts below are only a backstop far above what that memory allows.
 */
#define KHSM_MAX_SESSIONS	100000	/* open sessions per token, all files */
#define KHSM_MAX_OBJECTS	1000000	/* token + session objects per token */
#define KHSM_DEF_TOKEN_MIB	256	/* default of max_token_mib */
/*
 * Shares of one token (module parameters, see the uAPI's khsm_version):
 * sessions per open file, sessions per uid, and the percentage of
 * max_token_mib one uid's objects and sessions may hold.
 */
#define KHSM_DEF_FILE_SESSIONS	16384	/* default of max_file_sessions */
#define KHSM_DEF_UID_SESSIONS	32768	/* default of max_uid_sessions */
#define KHSM_DEF_UID_PCT	25	/* default of max_uid_pct */
#define KHSM_MAX_TOKEN_MIB	65536	/* largest max_token_mib accepted */
#define KHSM_MAX_TEMPLATE	64	/* attributes per template */
#define KHSM_MAX_ATTR_LEN	8192	/* bytes per attribute value */
#define KHSM_MAX_DATA_LEN	65536	/* bytes per RANDOM, OP_DATA chunk */
/* Largest streamed OP_DATA input (ONESHOT, UPDATE; see the uAPI). */
#define KHSM_MAX_STREAM_LEN	(1ULL << 40)
/* Input a mechanism that must see all of it before output may buffer. */
#define KHSM_MAX_BUFFERED_LEN	(64U << 20)
#define KHSM_MAX_FIND		256	/* handles per FIND call */
#define KHSM_MAX_MECHS		256	/* entries per MECH_LIST call */
/* Largest output one mechanism step may produce (mechanisms that buffer). */
#define KHSM_MAX_OUT_LEN	(KHSM_MAX_BUFFERED_LEN + 64)
/* Largest flat mechanism parameter: GCM header + IV + AAD. */
#define KHSM_MAX_PARAM_LEN	(16 + 256 + KHSM_MAX_DATA_LEN)

#define KHSM_MIN_PIN_LEN	4
#define KHSM_MAX_PIN_LEN	64

/* Argon2id cost bounds accepted for a new PIN (see uapi khsm_pin). */
#define KHSM_MIN_T_COST		1
#define KHSM_MAX_T_COST		64
#define KHSM_MIN_M_COST_KIB	8
#define KHSM_MAX_M_COST_KIB	4194304
#define KHSM_MIN_PARALLELISM	1
#define KHSM_MAX_PARALLELISM	16

#endif /* KHSM_LIMITS_H */
