// SPDX-License-Identifier: GPL-2.0
/*
 * README.md's mechanism table (between <!-- mech-table-begin --> and
 * <!-- mech-table-end -->) names exactly the mechanisms C_GetMechanismList
 * returns: every `CKM_*` name in the first cell of a row is one mechanism,
 * each listed once. Names are resolved to numbers from the headers the
 * project builds with: p11-kit's pkcs11.h, pkcs11/p11_3_0.h and
 * qemu-tests/lib/khsm_mechs.h (the v3.0 names p11-kit 0.24 lacks), so a README name no header knows is a
 * failure too. Differences are reported by name, both ways.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "p11_util.h"

#ifndef KHSM_TOP
#define KHSM_TOP "."
#endif

#define MAX_NAMES 4096

struct name {
	char s[64];
	unsigned long v;
};

static struct name known[MAX_NAMES];
static unsigned int n_known;

static const char *repo(void)
{
	const char *top = getenv("KHSM_REPO");

	return top && *top ? top : KHSM_TOP;
}

/* "#define CKM_X (0x...UL)" or "#define CKM_X 0x...UL" lines of @path. */
static int read_header(const char *path)
{
	char line[512], name[64], val[64];
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && n_known < MAX_NAMES) {
		char *p = val, *end;
		unsigned long v;

		if (sscanf(line, " #define %63s %63s", name, val) != 2 ||
		    strncmp(name, "CKM_", 4))
			continue;
		while (*p == '(')
			p++;
		errno = 0;
		v = strtoul(p, &end, 0);
		if (errno || end == p)
			continue;	/* defined with another macro */
		snprintf(known[n_known].s, sizeof(known[n_known].s), "%s", name);
		known[n_known++].v = v;
		n++;
	}
	fclose(f);
	return n;
}

static int lookup(const char *name, unsigned long *v)
{
	unsigned int i;

	for (i = 0; i < n_known; i++)
		if (!strcmp(known[i].s, name)) {
			*v = known[i].v;
			return 0;
		}
	return -1;
}

static const char *name_of(unsigned long v)
{
	unsigned int i;

	for (i = 0; i < n_known; i++)
		if (known[i].v == v)
			return known[i].s;
	return "?";
}

TEST(readme_table_is_the_mechanism_list)
{
	char path[4096], line[4096], names[256][64];
	CK_MECHANISM_TYPE list[256];
	unsigned long readme[256];
	unsigned int n_readme = 0, i, j;
	CK_ULONG n_list = 256;
	CK_FUNCTION_LIST_PTR f;
	CK_SLOT_ID slot;
	int in = 0, ended = 0;
	FILE *fp;

	ASSERT_LT(0, read_header("/usr/include/p11-kit-1/p11-kit/pkcs11.h"))
		TH_LOG("cannot read p11-kit's pkcs11.h (libp11-kit-dev)");
	snprintf(path, sizeof(path), "%s/pkcs11/p11_3_0.h", repo());
	ASSERT_LE(0, read_header(path)) TH_LOG("%s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "%s/qemu-tests/lib/khsm_mechs.h", repo());
	ASSERT_LE(0, read_header(path)) TH_LOG("%s: %s", path, strerror(errno));

	snprintf(path, sizeof(path), "%s/README.md", repo());
	fp = fopen(path, "r");
	ASSERT_NE(NULL, fp) TH_LOG("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), fp)) {
		char *cell, *bar, *p;

		if (strstr(line, "<!-- mech-table-begin -->")) {
			in = 1;
			continue;
		}
		if (strstr(line, "<!-- mech-table-end -->")) {
			ended = 1;
			break;
		}
		if (!in || line[0] != '|' || strstr(line, "|---") ||
		    strstr(line, "| mechanism |"))
			continue;
		cell = line + 1;
		bar = strchr(cell, '|');
		ASSERT_NE(NULL, bar) TH_LOG("README row: %s", line);
		*bar = 0;
		for (p = cell; (p = strstr(p, "`CKM_")); ) {
			char *q = strchr(p + 1, '`');
			unsigned long v = ~0UL;

			ASSERT_NE(NULL, q);
			*q = 0;
			ASSERT_LT(n_readme, 256U);
			snprintf(names[n_readme], sizeof(names[0]), "%s", p + 1);
			EXPECT_EQ(0, lookup(p + 1, &v))
				TH_LOG("README names %s, which no header defines", p + 1);
			for (j = 0; j < n_readme; j++)
				EXPECT_NE(v, readme[j]) TH_LOG("README lists %s twice", p + 1);
			readme[n_readme++] = v;
			p = q + 1;
		}
	}
	fclose(fp);
	ASSERT_EQ(1, in) TH_LOG("no mech-table-begin marker in %s", path);
	ASSERT_EQ(1, ended) TH_LOG("no mech-table-end marker in %s", path);

	f = p_init();
	ASSERT_NE(NULL, f);
	slot = p_slot(f);
	ASSERT_EQ(CKR_OK, f->C_GetMechanismList(slot, list, &n_list));
	for (i = 0; i < n_list; i++) {
		for (j = 0; j < n_readme; j++)
			if (readme[j] == list[i])
				break;
		EXPECT_LT(j, n_readme)
			TH_LOG("C_GetMechanismList has %s (0x%lx), README's table does not",
			       name_of(list[i]), list[i]);
	}
	for (j = 0; j < n_readme; j++) {
		for (i = 0; i < n_list; i++)
			if (readme[j] == list[i])
				break;
		EXPECT_LT(i, n_list)
			TH_LOG("README's table lists %s, C_GetMechanismList does not",
			       names[j]);
	}
	EXPECT_EQ(n_list, (CK_ULONG)n_readme);
	f->C_Finalize(NULL);
}

TEST_HARNESS_MAIN
