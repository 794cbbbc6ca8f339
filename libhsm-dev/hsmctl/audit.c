// SPDX-License-Identifier: GPL-2.0
/*
 * hsmctl audit --log FILE [--count N]: the events group into a
 * hash-chained log; hsmctl audit verify FILE [--head HASH]: check it.
 *
 * One record per line, a JSON object that starts with
 *     {"seq":N,"prev":"<64 hex digits>",
 * then the fields of the event as `monitor --json` prints them. seq counts
 * from 0 at the first line; prev is the SHA-256 (OpenSSL EVP) of the
 * previous line's bytes without its newline (64 zeros for line 1). The
 * first record of a log, and the first of every restart, is a "start"
 * record; events a slow reader lost (ENOBUFS) become one "lost" record.
 * Each record is written with one write() and fdatasync()ed before the
 * next event is read. A restarted audit verifies the whole log first and
 * refuses to extend one that does not verify. The hash of the last line
 * is the head: an edit, a removal, an insertion or a reordering anywhere
 * before the last line breaks the chain; removing lines at the end does
 * not, which only a head kept elsewhere (--head) shows.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "hsmctl.h"
#include "nl.h"

#define HASH_HEX	64
#define PREFIX_SEQ	"{\"seq\":"
#define PREFIX_PREV	",\"prev\":\""

static int sha256_hex(const void *p, size_t n, char out[HASH_HEX + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;

	if (!EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) || len != 32)
		return -1;
	for (i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* State of a chain: the next seq and the hash of the last line. */
struct chain {
	unsigned long long seq;
	char prev[HASH_HEX + 1];
	unsigned long lines;
};

static void chain_init(struct chain *c)
{
	memset(c, 0, sizeof(*c));
	memset(c->prev, '0', HASH_HEX);
}

/*
 * Check line @no (1-based; @l of @n bytes, no newline) against @c and
 * advance it. NULL, or what is wrong (in @why).
 */
static const char *chain_step(struct chain *c, const char *l, size_t n,
			      char *why, size_t wlen)
{
	unsigned long long seq;
	unsigned long no = c->lines + 1;
	const char *p = l;
	char *end;

	if (n < strlen(PREFIX_SEQ) || memcmp(p, PREFIX_SEQ, strlen(PREFIX_SEQ)))
		goto malformed;
	p += strlen(PREFIX_SEQ);
	if (*p < '0' || *p > '9')
		goto malformed;
	errno = 0;
	seq = strtoull(p, &end, 10);
	if (errno || (size_t)(end - l) + strlen(PREFIX_PREV) + HASH_HEX + 3 > n ||
	    memcmp(end, PREFIX_PREV, strlen(PREFIX_PREV)) ||
	    end[strlen(PREFIX_PREV) + HASH_HEX] != '"' ||
	    end[strlen(PREFIX_PREV) + HASH_HEX + 1] != ',' || l[n - 1] != '}' ||
	    memchr(l, '\n', n) || memchr(l, 0, n))
		goto malformed;
	p = end + strlen(PREFIX_PREV);
	if (seq != c->seq) {
		if (seq < c->seq)
			snprintf(why, wlen,
				 "line %lu: seq %llu again (expected %llu): a record inserted or moved to line %lu",
				 no, seq, c->seq, no);
		else
			snprintf(why, wlen,
				 "line %lu: seq %llu (expected %llu): %llu record(s) removed or moved before line %lu",
				 no, seq, c->seq, seq - c->seq, no);
		return why;
	}
	if (memcmp(p, c->prev, HASH_HEX)) {
		if (no == 1)
			snprintf(why, wlen, "line 1: prev is not zero: not the start of a log");
		else
			snprintf(why, wlen,
				 "line %lu: prev is not the hash of line %lu: line %lu was edited or replaced",
				 no, no - 1, no - 1);
		return why;
	}
	if (no == 1 && !strstr(l, ",\"type\":\"start\"")) {
		snprintf(why, wlen, "line 1: not a start record");
		return why;
	}
	if (sha256_hex(l, n, c->prev)) {
		snprintf(why, wlen, "SHA-256 failed");
		return why;
	}
	c->seq++;
	c->lines++;
	return NULL;
malformed:
	snprintf(why, wlen, "line %lu: not a record of this log format", no);
	return why;
}

/*
 * Verify the log on @f from the start. 0 (and @c at its end), or -1 with
 * the reason in @why. @head (or NULL): a hash that must be one of the
 * lines' (*@head_line: its line).
 */
static int verify_stream(FILE *f, struct chain *c, const char *head,
			 unsigned long *head_line, char *why, size_t wlen)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	chain_init(c);
	*head_line = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] != '\n') {
			snprintf(why, wlen,
				 "line %lu: incomplete (no newline): a write cut short, or the file was cut",
				 c->lines + 1);
			free(line);
			return -1;
		}
		if (chain_step(c, line, (size_t)n - 1, why, wlen)) {
			free(line);
			return -1;
		}
		if (head && !strcmp(head, c->prev))
			*head_line = c->lines;
	}
	free(line);
	if (ferror(f)) {
		snprintf(why, wlen, "read: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int cmd_verify(int argc, char **argv)
{
	unsigned long head_line;
	struct nlopts o;
	struct chain c;
	char why[256];
	FILE *f;
	int r;

	if (nlopts_parse(argc, argv, NLO_HEAD, 1, &o))
		return EX_USAGE;
	if (o.npos != 1) {
		msg("audit verify needs a FILE");
		return EX_USAGE;
	}
	if (o.head && strlen(o.head) != HASH_HEX) {
		msg("audit verify: --head takes a SHA-256 in hex (64 digits)");
		return EX_USAGE;
	}
	f = fopen(o.pos[0], "re");
	if (!f) {
		msg("audit verify: %s: %s", o.pos[0], strerror(errno));
		return EX_NL_FAIL;
	}
	r = verify_stream(f, &c, o.head, &head_line, why, sizeof(why));
	fclose(f);
	if (r) {
		msg("audit verify: %s: FAILED: %s", o.pos[0], why);
		return EX_NL_CHAIN;
	}
	if (!c.lines) {
		msg("audit verify: %s: empty", o.pos[0]);
		return EX_NL_CHAIN;
	}
	if (o.head && !head_line) {
		msg("audit verify: %s: FAILED: no record has the head %s: the log was truncated or rewritten (it ends at line %lu, head %s)",
		    o.pos[0], o.head, c.lines, c.prev);
		return EX_NL_CHAIN;
	}
	printf("%s: OK, %lu records\n", o.pos[0], c.lines);
	if (o.head)
		printf("kept head: line %lu\n", head_line);
	printf("head: %s\n", c.prev);
	return EX_ALL;
}

struct audit {
	int fd;
	const char *path;
	struct chain c;
	long left;		/* events to go; < 0: no limit */
};

/* Append one record: "{seq,prev," + @body + "}", fdatasync. */
static int append(struct audit *a, const char *body, size_t blen)
{
	char *line = NULL, *p;
	size_t len = 0, off = 0;
	ssize_t w;
	FILE *m;

	m = open_memstream(&line, &len);
	if (!m)
		return -1;
	fprintf(m, PREFIX_SEQ "%llu" PREFIX_PREV "%s\",", a->c.seq, a->c.prev);
	fwrite(body, 1, blen, m);
	fputs("}\n", m);
	if (fclose(m) || !line) {
		free(line);
		errno = ENOMEM;
		return -1;
	}
	if (sha256_hex(line, len - 1, a->c.prev)) {
		free(line);
		errno = EIO;
		return -1;
	}
	for (p = line; off < len; off += (size_t)w) {
		w = write(a->fd, p + off, len - off);
		if (w < 0 && errno == EINTR)
			w = 0;
		else if (w < 0)
			break;
	}
	free(line);
	if (off < len || fdatasync(a->fd))
		return -1;
	a->c.seq++;
	a->c.lines++;
	return 0;
}

/* Body of a start or lost record (its own fields after seq and prev). */
static int append_own(struct audit *a, const char *type, int resumed)
{
	char host[256] = "", t[40];
	struct timespec ts;
	unsigned long long ns;
	size_t len = 0;
	FILE *m;
	char *b = NULL;
	int r;

	clock_gettime(CLOCK_REALTIME, &ts);
	ns = (unsigned long long)ts.tv_sec * 1000000000ULL +
	     (unsigned long long)ts.tv_nsec;
	gethostname(host, sizeof(host) - 1);
	m = open_memstream(&b, &len);
	if (!m)
		return -1;
	time_str(ns, t);
	fprintf(m, "\"type\":\"%s\",\"time\":\"%s\",\"time_ns\":%llu", type, t,
		ns);
	if (!strcmp(type, "start")) {
		fputs(",\"host\":", m);
		json_str(m, host);
		fprintf(m, ",\"pid\":%ld,\"resumed\":%s,\"format\":1",
			(long)getpid(), resumed ? "true" : "false");
	} else {
		fputs(",\"why\":\"ENOBUFS: the kernel dropped events this reader had not read\"",
		      m);
	}
	if (fclose(m) || !b) {
		free(b);
		return -1;
	}
	r = append(a, b, len);
	free(b);
	return r;
}

static int record_event(const struct hevent *e, void *arg)
{
	struct audit *a = arg;
	size_t len = 0;
	int first = 1, r;
	char *b = NULL;
	FILE *m;

	if (!a->left)
		return 0;
	m = open_memstream(&b, &len);
	if (!m)
		return -ENOMEM;
	event_json_fields(m, e, &first);
	if (fclose(m) || !b) {
		free(b);
		return -ENOMEM;
	}
	r = append(a, b, len);
	free(b);
	if (r)
		return -(errno ? errno : EIO);
	if (a->left > 0)
		a->left--;
	return a->left ? 0 : -1;
}

/* A new log: its directory entry on disk too. */
static int fsync_dir_of(const char *path)
{
	char *d = strdup(path), *slash;
	int fd, r = -1;

	if (!d)
		return -1;
	slash = strrchr(d, '/');
	if (slash == d)
		slash[1] = 0;
	else if (slash)
		*slash = 0;
	fd = open(slash ? d : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(d);
	if (fd < 0)
		return -1;
	if (!fsync(fd) || errno == EINVAL)
		r = 0;
	close(fd);
	return r;
}

/* Open the log, verify what it holds, set the chain; an exit status. */
static int log_open(struct audit *a)
{
	unsigned long head_line;
	char why[256];
	FILE *f;

	a->fd = open(a->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (a->fd < 0) {
		msg("audit: %s: %s", a->path, strerror(errno));
		return EX_NL_FAIL;
	}
	if (flock(a->fd, LOCK_EX | LOCK_NB)) {
		msg("audit: %s: %s", a->path, errno == EWOULDBLOCK ?
		    "another hsmctl audit is writing it" : strerror(errno));
		close(a->fd);
		return EX_NL_FAIL;
	}
	f = fopen(a->path, "re");
	if (!f || verify_stream(f, &a->c, NULL, &head_line, why, sizeof(why))) {
		if (!f)
			snprintf(why, sizeof(why), "%s", strerror(errno));
		msg("audit: %s does not verify (%s); not appending to it: move it aside and start a new log",
		    a->path, why);
		if (f)
			fclose(f);
		close(a->fd);
		return EX_NL_CHAIN;
	}
	fclose(f);
	return 0;
}

int cmd_audit(int argc, char **argv)
{
	struct nlopts o;
	struct audit a;
	struct hnl n;
	int r, resumed;

	if (argc > 1 && !strcmp(argv[1], "verify"))
		return cmd_verify(argc - 1, argv + 1);
	if (nlopts_parse(argc, argv, NLO_LOG | NLO_COUNT, 0, &o))
		return EX_USAGE;
	if (!o.log) {
		msg("audit needs --log FILE (or: audit verify FILE)");
		return EX_USAGE;
	}
	memset(&a, 0, sizeof(a));
	a.path = o.log;
	a.left = o.count;
	/* Join first: a caller without the right gets no log file. */
	r = hnl_events_open(&n, "audit");
	if (r)
		return r;
	r = log_open(&a);
	if (r) {
		hnl_close(&n);
		return r;
	}
	resumed = a.c.lines > 0;
	if (append_own(&a, "start", resumed) ||
	    (!resumed && fsync_dir_of(a.path))) {
		msg("audit: %s: %s", a.path, strerror(errno));
		r = EX_NL_FAIL;
		goto out;
	}
	if (resumed)
		msg("audit: %s verified (%lu records), continuing the chain",
		    a.path, a.c.lines - 1);
	for (;;) {
		r = hnl_recv_events(&n, record_event, &a);
		if (r == ENOBUFS) {
			msg("audit: events lost (ENOBUFS), recorded as such");
			if (append_own(&a, "lost", 0)) {
				r = errno;
				break;
			}
			continue;
		}
		if (r)
			break;
	}
	if (r == -1 && !a.left) {
		r = EX_ALL;
	} else {
		msg("audit: %s", strerror(r < 0 ? -r : r));
		r = EX_NL_FAIL;
	}
out:
	close(a.fd);
	hnl_close(&n);
	return r;
}
