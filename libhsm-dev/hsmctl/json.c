// SPDX-License-Identifier: GPL-2.0
/*
 * hsmctl: a minimal JSON writer. hsmctl only writes JSON (flat objects,
 * arrays of them, strings and integers) and never parses it (audit verify
 * reads its own fixed record prefix), so the escaping of strings is all a
 * library would add: json-c would be one more build and run-time
 * dependency for these thirty lines. Output parses with
 * `python3 -m json.tool`.
 */
#include <stdio.h>
#include <string.h>

#include "nl.h"

void json_strn(FILE *f, const char *s, size_t n)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)	/* ASCII only: no UTF-8 check */
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void json_str(FILE *f, const char *s)
{
	json_strn(f, s, strlen(s));
}

void json_key(FILE *f, int *first, const char *k)
{
	if (!*first)
		fputc(',', f);
	*first = 0;
	json_str(f, k);
	fputc(':', f);
}
