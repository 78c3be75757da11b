/*
 * core.c — logging, clocks, identifiers and small helpers. The event bus
 * is in event.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <re.h>
#include <sodium.h>
#include "core/core.h"

static enum log_level log_min = LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level lvl)
{
	log_min = lvl;
}

int log_level_parse(enum log_level *lvlp, const char *name)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (!strcmp(name, level_names[i])) {
			*lvlp = (enum log_level)i;
			return 0;
		}
	}
	return EINVAL;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	char ts[32];
	va_list ap;

	if (lvl < log_min)
		return;

	clock_iso(ts, sizeof(ts), clock_now_ms());
	pthread_mutex_lock(&log_lock);
	fprintf(stderr, "%s %-5s ", ts, level_names[lvl]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	pthread_mutex_unlock(&log_lock);
}

const char *log_mask(char *buf, size_t sz, const char *number)
{
	size_t n = number ? strlen(number) : 0;

	if (log_min == LOG_DEBUG || n <= 4) {
		util_copy(buf, sz, number ? number : "");
		return buf;
	}
	/* Keep the last four digits: enough to tell calls apart. */
	snprintf(buf, sz, "***%s", number + n - 4);
	return buf;
}

uint64_t clock_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t clock_mono_ms(void)
{
	return clock_mono_us() / 1000;
}

uint64_t clock_mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

const char *clock_iso(char *buf, size_t sz, uint64_t utc_ms)
{
	time_t t = (time_t)(utc_ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, sz, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned)(utc_ms % 1000));
	return buf;
}

void id_new(char id[ID_LEN])
{
	static const char b32[] = "0123456789abcdefghjkmnpqrstvwxyz";
	uint64_t t = clock_now_ms();
	uint8_t rnd[16];

	randombytes_buf(rnd, sizeof(rnd));
	for (int i = 9; i >= 0; i--) {
		id[i] = b32[t & 31];
		t >>= 5;
	}
	for (int i = 0; i < 16; i++)
		id[10 + i] = b32[rnd[i] & 31];
	id[26] = '\0';
}

int util_copy(char *dst, size_t sz, const char *src)
{
	size_t n;

	if (!sz)
		return E2BIG;
	n = src ? strlen(src) : 0;
	if (n >= sz) {
		n = sz - 1;
		/* a continuation byte at the cut: its character would be
		 * left in half, so the cut goes before its first byte */
		while (n && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
		memcpy(dst, src, n);
		dst[n] = '\0';
		return E2BIG;
	}
	memcpy(dst, src ? src : "", n + 1);
	return 0;
}

int util_mkdir(const char *path)
{
	char buf[512];
	size_t n;

	if (util_copy(buf, sizeof(buf), path))
		return ENAMETOOLONG;
	n = strlen(buf);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		char c = buf[i];
		buf[i] = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return errno;
		buf[i] = c;
	}
	return 0;
}

static int private_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	mode_t want;

	(void)ftw;
	if (type == FTW_SL || type == FTW_SLN)
		return 0;
	want = type == FTW_D || type == FTW_DP ? 0700 : 0600;
	if ((sb->st_mode & 07777) != want && chmod(path, want))
		log_warn("core: cannot make file=%s private: %s", path, strerror(errno));
	return 0;
}

int util_private(const char *path)
{
	if (!path)
		return EINVAL;
	return nftw(path, private_one, 16, FTW_PHYS) ? errno : 0;
}

int util_fsync_dir(const char *path)
{
	char dir[512];
	char *slash;
	int fd, err = 0;

	if (util_copy(dir, sizeof(dir), path))
		return ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (!slash)
		util_copy(dir, sizeof(dir), ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (fsync(fd))
		err = errno;
	close(fd);
	return err;
}

/* The length of the well-formed UTF-8 sequence at s (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF), or 0. */
static size_t utf8_seq_len(const unsigned char *s)
{
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		unsigned char lo = s[0] == 0xe0 ? 0xa0 : 0x80;
		unsigned char hi = s[0] == 0xed ? 0x9f : 0xbf;

		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		unsigned char lo = s[0] == 0xf0 ? 0x90 : 0x80;
		unsigned char hi = s[0] == 0xf4 ? 0x8f : 0xbf;

		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 &&
			       (s[3] & 0xc0) == 0x80
			   ? 4
			   : 0;
	}
	return 0;
}

/* The code point of the well-formed sequence of n bytes at s. */
static uint32_t utf8_code(const unsigned char *s, size_t n)
{
	static const unsigned char lead[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
	uint32_t c = s[0] & lead[n];

	for (size_t i = 1; i < n; i++)
		c = c << 6 | (s[i] & 0x3f);
	return c;
}

int util_text_check(const char *s, size_t maxc, unsigned flags, const char **why)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t chars = 0;
	const char *dummy;

	if (!why)
		why = &dummy;
	while (p && *p) {
		size_t n = *p < 0x80 ? 1 : utf8_seq_len(p);
		uint32_t c;

		if (!n) {
			*why = "not valid UTF-8";
			return EILSEQ;
		}
		c = utf8_code(p, n);
		if ((c < 0x20 &&
		     !((flags & UTIL_TEXT_MULTILINE) && (c == '\n' || c == '\t'))) ||
		    (c >= 0x7f && c <= 0x9f)) {
			*why = c == '\n' || c == '\t' ? "one line only"
						      : "a control character";
			return EILSEQ;
		}
		if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
			*why =
			    "a bidi embedding, override or isolate (marks are allowed)";
			return EILSEQ;
		}
		p += n;
		chars++;
	}
	if (maxc && chars > maxc) {
		*why = "too long";
		return E2BIG;
	}
	return 0;
}

void util_utf8_trim(char *s)
{
	size_t n = s ? strlen(s) : 0, lead = n, want;
	unsigned char c;

	while (lead && ((unsigned char)s[lead - 1] & 0xc0) == 0x80 && n - lead < 3)
		lead--;
	if (!lead || lead == n + 1)
		return;
	c = (unsigned char)s[lead - 1];
	if (c < 0xc0)
		return; /* ASCII last, or no lead byte near: nothing cut */
	want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
	if (n - (lead - 1) < want)
		s[lead - 1] = '\0';
}

size_t util_utf8_len(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Is c a character of a script written without spaces between words:
 * CJK radicals to the unified ideographs with kana and bopomofo, Hangul
 * syllables, compatibility ideographs, half-width kana, the ideographs
 * past the BMP. */
static bool is_cjk(uint32_t c)
{
	return (c >= 0x2e80 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af) ||
	       (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff66 && c <= 0xff9f) ||
	       (c >= 0x20000 && c <= 0x3134f);
}

/* The character at s: its length in bytes (1 for a byte that is not
 * UTF-8), its code point in *cp (0 for such a byte). */
static size_t utf8_next(const char *s, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = *p < 0x80 ? 1 : utf8_seq_len(p);

	*cp = n ? utf8_code(p, n) : 0;
	return n ? n : 1;
}

int util_cjk_spaced(char *dst, size_t sz, const char *src)
{
	size_t o = 0;
	bool space = true, cjk = false; /* what dst ends in */

	if (!sz)
		return E2BIG;
	dst[0] = '\0';
	while (src && *src) {
		uint32_t c;
		size_t n = utf8_next(src, &c);
		bool now = is_cjk(c);

		if (o + n + 1 >= sz) {
			dst[o] = '\0';
			return E2BIG;
		}
		if (c != ' ' && !space && (now || cjk))
			dst[o++] = ' ';
		memcpy(dst + o, src, n);
		o += n;
		src += n;
		space = c == ' ';
		cjk = now;
	}
	dst[o] = '\0';
	return 0;
}

/* Is c part of a word for search: a letter or digit of ASCII, or any
 * character past it but general punctuation (U+2000-U+206F) and CJK's
 * own (U+3000-U+303F: 、。「」; U+FF00-U+FF0F: ，！). */
static bool is_word(uint32_t c)
{
	if (c < 0x80)
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		       (c >= 'A' && c <= 'Z');
	return !(c >= 0x2000 && c <= 0x206f) && !(c >= 0x3000 && c <= 0x303f) &&
	       !(c >= 0xff00 && c <= 0xff0f);
}

void util_fts_query(char *out, size_t sz, const char *q)
{
	size_t o = 0;

	if (!sz)
		return;
	out[0] = '\0';
	while (q && *q) {
		const char *start = q;
		uint32_t c;
		size_t n = utf8_next(q, &c), len;
		bool cjk = is_cjk(c);

		if (!is_word(c)) {
			q += n; /* a space or punctuation: between words */
			continue;
		}
		/* the run of word characters of one kind: CJK, or not */
		while (*q) {
			n = utf8_next(q, &c);
			if (!is_word(c) || is_cjk(c) != cjk)
				break;
			q += n;
		}
		len = (size_t)(q - start);
		/* the worst case: a space between every byte, two quotes, a
		 * star, a space before */
		if (o + 2 * len + 5 >= sz)
			break;
		if (o)
			out[o++] = ' ';
		out[o++] = '"';
		for (const char *p = start; p < q;) {
			n = utf8_next(p, &c);
			if (cjk && p > start)
				out[o++] = ' '; /* one token a character */
			memcpy(out + o, p, n);
			o += n;
			p += n;
		}
		out[o++] = '"';
		if (!cjk)
			out[o++] = '*'; /* a prefix, as typed */
		out[o] = '\0';
	}
}

bool util_prefix_match(const char *list, const char *s)
{
	const char *p = list;

	if (!p || !*p)
		return true;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		if (n && !strncmp(s, p, n))
			return true;
		if (!comma)
			break;
		p = comma + 1;
	}
	return false;
}
