/* SPDX-License-Identifier: GPL-2.0 */
/* hsmctl: shared between its files (hsmctl.c, load.c, sopin.c). */
#ifndef HSMCTL_H
#define HSMCTL_H

#include <stddef.h>
#include <stdint.h>
#include <khsm/hsm.h>

/* Exit statuses. */
#define EX_ALL		0	/* done; everything loaded */
#define EX_PARTIAL	1	/* loaded, with refused or missing objects */
#define EX_USAGE	2
#define EX_NOTHING	3	/* nothing loaded / nothing done */

struct opts {
	const char *state_dir;	/* --state-dir, else hsm_state_dir() */
	const char *serial;	/* load --serial */
	const char *so_pin_file;
	const char *cmd;
	const char *token;	/* hsmN or N */
	const char *file;	/* backup / restore */
	unsigned int index;
	char name[16];		/* "hsmN" for messages */
};

/* "hsmctl: <msg>" on stderr. */
void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An rv in words: "CKR_X (errno text)" when an errno explains it. */
const char *rv_text(unsigned long rv);

/* Read a whole file (at most @max bytes); 0, or -1 with errno. */
int read_file_at(int dfd, const char *path, size_t max, unsigned char **buf,
		 size_t *len);

/* load.c */
int cmd_load(struct opts *o, struct hsm_token *tok);
int cmd_restore(struct opts *o, struct hsm_token *tok);

/*
 * sopin.c: the SO PIN from --so-pin-file, $KHSM_SO_PIN or the terminal;
 * a malloc'd string, or NULL (said why).
 */
char *so_pin_get(const struct opts *o, size_t *len);

/* Header fields (a header blob already checked by hdr_check). */
const char *hdr_check(const unsigned char *b, size_t len);
void fixed_str(const uint8_t *s, size_t len, char *out);
void serial_str(const uint8_t s[KHSM_SERIAL_LEN], char out[KHSM_SERIAL_LEN + 1]);

#endif /* HSMCTL_H */
