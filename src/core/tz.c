/*
 * tz.c — local time in an IANA time zone without the process's TZ.
 *
 * The C library converts only through the process-wide TZ variable, and
 * switching it (setenv + tzset) while other threads read the environment
 * or local time is undefined behaviour. Instead each zone's TZif file
 * (RFC 8536) under /usr/share/zoneinfo is read once into its transitions
 * and kept for the life of the process; times past the last transition
 * follow the file's POSIX TZ footer rule ("EST5EDT,M3.2.0,M11.1.0").
 * Safe from any thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <re.h>
#include "core/core.h"

#define TZ_DIR "/usr/share/zoneinfo"

struct tz_type {
	int32_t off; /* seconds east of UTC */
	bool dst;
	uint8_t abbr; /* index into abbrs */
};

/* One end of daylight time in a POSIX rule: Mm.w.d, Jn or n, at secs. */
struct tz_when {
	char kind; /* 'M', 'J', 'n' */
	int m, w, d;
	int32_t secs; /* local time of day, may be negative or past 24 h */
};

struct tz_rule {
	bool valid, has_dst;
	int32_t std_off, dst_off; /* seconds east */
	char std_name[16], dst_name[16];
	struct tz_when start, end;
};

struct tz_zone {
	struct tz_zone *next;
	char name[64];
	int64_t *times;
	uint8_t *idx;
	size_t n;
	struct tz_type *types;
	size_t ntypes;
	char *abbrs;
	size_t nabbrs;
	struct tz_rule rule;
};

static pthread_mutex_t zones_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tz_zone *zones; /* read once, kept: tm_zone points into them */

static int64_t be(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	if (n == 4)
		return (int32_t)(uint32_t)v;
	return (int64_t)v;
}

/* --- POSIX TZ rules ---------------------------------------------------- */

static const char *rule_name(const char *p, char *buf, size_t sz)
{
	size_t n = 0;

	if (*p == '<') {
		for (p++; *p && *p != '>'; p++)
			if (n + 1 < sz)
				buf[n++] = *p;
		buf[n] = '\0';
		return *p == '>' ? p + 1 : NULL;
	}
	for (; (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'); p++)
		if (n + 1 < sz)
			buf[n++] = *p;
	buf[n] = '\0';
	return n >= 3 ? p : NULL;
}

/* [+-]hh[:mm[:ss]] into seconds */
static const char *rule_secs(const char *p, int32_t *secs)
{
	int sign = 1, part[3] = {0, 0, 0};

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	for (int i = 0; i < 3; i++) {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p || v < 0 || v > 167)
			return NULL;
		part[i] = (int)v;
		p = end;
		if (*p != ':' || i == 2)
			break;
		p++;
	}
	*secs = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
	return p;
}

static const char *rule_when(const char *p, struct tz_when *w)
{
	char *end;

	w->secs = 7200; /* 02:00 unless told */
	if (*p == 'M') {
		w->kind = 'M';
		w->m = (int)strtol(p + 1, &end, 10);
		if (*end != '.')
			return NULL;
		w->w = (int)strtol(end + 1, &end, 10);
		if (*end != '.')
			return NULL;
		w->d = (int)strtol(end + 1, &end, 10);
		if (w->m < 1 || w->m > 12 || w->w < 1 || w->w > 5 || w->d < 0 || w->d > 6)
			return NULL;
	} else {
		w->kind = *p == 'J' ? 'J' : 'n';
		w->d = (int)strtol(p + (*p == 'J'), &end, 10);
		if (end == p + (*p == 'J') || w->d < 0 || w->d > 365)
			return NULL;
	}
	p = end;
	if (*p == '/')
		p = rule_secs(p + 1, &w->secs);
	return p;
}

static void rule_parse(struct tz_rule *r, const char *s)
{
	const char *p;
	int32_t west;

	memset(r, 0, sizeof(*r));
	p = rule_name(s, r->std_name, sizeof(r->std_name));
	if (!p || !(p = rule_secs(p, &west)))
		return;
	r->std_off = -west; /* POSIX counts west of Greenwich */
	r->valid = true;
	if (!*p)
		return;
	if (!(p = rule_name(p, r->dst_name, sizeof(r->dst_name)))) {
		r->valid = false;
		return;
	}
	r->dst_off = r->std_off + 3600;
	if (*p && *p != ',') {
		if (!(p = rule_secs(p, &west))) {
			r->valid = false;
			return;
		}
		r->dst_off = -west;
	}
	if (*p != ',' || !(p = rule_when(p + 1, &r->start)) || *p != ',' ||
	    !(p = rule_when(p + 1, &r->end))) {
		r->valid = false;
		return;
	}
	r->has_dst = true;
}

static bool leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

/* The UTC second a rule's change happens in year y, the local clock
 * being off seconds east before it. */
static int64_t when_utc(const struct tz_when *w, int64_t y, int32_t off)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int64_t day;

	if (w->kind == 'M') {
		int64_t first = days_from_civil(y, w->m, 1);
		int wday = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01: Thursday */
		int mday = 1 + (w->d - wday + 7) % 7 + (w->w - 1) * 7;
		int len = mdays[w->m - 1] + (w->m == 2 && leap(y));

		while (mday > len)
			mday -= 7;
		day = first + mday - 1;
	} else if (w->kind == 'J') /* 1-365, February 29 never counted */
		day = days_from_civil(y, 1, 1) + w->d - 1 + (leap(y) && w->d >= 60);
	else
		day = days_from_civil(y, 1, 1) + w->d;
	return day * 86400 + w->secs - off;
}

static void rule_type(const struct tz_rule *r, int64_t t, int32_t *off, bool *dst,
		      const char **abbr)
{
	*off = r->std_off;
	*dst = false;
	*abbr = r->std_name;
	if (r->has_dst) {
		int64_t y = 1970 + (t + r->std_off) / 31556952; /* about; checked below */
		int64_t start, end;

		for (;;) { /* the calendar year of the local standard time */
			if (days_from_civil(y, 1, 1) * 86400 > t + r->std_off)
				y--;
			else if (days_from_civil(y + 1, 1, 1) * 86400 <= t + r->std_off)
				y++;
			else
				break;
		}
		start = when_utc(&r->start, y, r->std_off);
		end = when_utc(&r->end, y, r->dst_off);
		if (start < end ? (t >= start && t < end) : (t >= start || t < end)) {
			*off = r->dst_off;
			*dst = true;
			*abbr = r->dst_name;
		}
	}
}

/* --- TZif files ------------------------------------------------------- */

static void zone_free(struct tz_zone *z)
{
	if (!z)
		return;
	free(z->times);
	free(z->idx);
	free(z->types);
	free(z->abbrs);
	free(z);
}

/* Parses one TZif file (the 64-bit block when there is one). */
static int zone_parse(struct tz_zone *z, const unsigned char *b, size_t len)
{
	size_t cnt[6], tsz = 4, body;
	const unsigned char *p = b;

	if (len < 44 || memcmp(b, "TZif", 4))
		return EINVAL;
	for (int pass = 0; pass < 2; pass++) {
		if ((size_t)(p - b) + 44 > len || memcmp(p, "TZif", 4))
			return EINVAL;
		for (int i = 0; i < 6; i++)
			cnt[i] = (size_t)(uint32_t)be(p + 20 + 4 * i, 4);
		/* isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt */
		body = cnt[3] * tsz + cnt[3] + cnt[4] * 6 + cnt[5] + cnt[2] * (tsz + 4) +
		       cnt[1] + cnt[0];
		if ((size_t)(p - b) + 44 + body > len || !cnt[4] || cnt[4] > 256)
			return EINVAL;
		if (pass == 0 && p[4] >= '2') { /* skip the 32-bit block */
			p += 44 + body;
			tsz = 8;
			continue;
		}
		break;
	}
	const unsigned char *q = p + 44;
	z->n = cnt[3];
	z->ntypes = cnt[4];
	z->nabbrs = cnt[5];
	z->times = calloc(z->n ? z->n : 1, sizeof(*z->times));
	z->idx = calloc(z->n ? z->n : 1, 1);
	z->types = calloc(z->ntypes, sizeof(*z->types));
	z->abbrs = calloc(z->nabbrs + 1, 1);
	if (!z->times || !z->idx || !z->types || !z->abbrs)
		return ENOMEM;
	for (size_t i = 0; i < z->n; i++, q += tsz)
		z->times[i] = be(q, (int)tsz);
	for (size_t i = 0; i < z->n; i++, q++) {
		z->idx[i] = *q;
		if (*q >= z->ntypes)
			return EINVAL;
	}
	for (size_t i = 0; i < z->ntypes; i++, q += 6) {
		z->types[i].off = (int32_t)be(q, 4);
		z->types[i].dst = q[4] != 0;
		z->types[i].abbr = q[5] < z->nabbrs ? q[5] : 0;
	}
	memcpy(z->abbrs, q, z->nabbrs);
	q += z->nabbrs + cnt[2] * (tsz + 4) + cnt[1] + cnt[0];
	/* the footer: "\nRULE\n" (version 2 and later) */
	if (tsz == 8 && q < b + len && *q == '\n') {
		const unsigned char *e = memchr(q + 1, '\n', (size_t)(b + len - q - 1));
		char rule[80];

		if (e && (size_t)(e - q - 1) < sizeof(rule)) {
			memcpy(rule, q + 1, (size_t)(e - q - 1));
			rule[e - q - 1] = '\0';
			rule_parse(&z->rule, rule);
		}
	}
	return 0;
}

static int zone_load(struct tz_zone **zp, const char *name)
{
	char path[256];
	unsigned char *buf = NULL;
	struct tz_zone *z;
	size_t len = 0;
	FILE *f;
	int err;

	/* an IANA name: no way out of the zone folder */
	if (!*name || name[0] == '/' || strstr(name, "..") ||
	    snprintf(path, sizeof(path), TZ_DIR "/%s", name) >= (int)sizeof(path))
		return ENOENT;
	f = fopen(path, "rb");
	if (!f)
		return ENOENT;
	buf = malloc(1 << 16);
	if (buf)
		len = fread(buf, 1, 1 << 16, f);
	fclose(f);
	z = calloc(1, sizeof(*z));
	if (!buf || !z) {
		free(buf);
		free(z);
		return ENOMEM;
	}
	util_copy(z->name, sizeof(z->name), name);
	err = zone_parse(z, buf, len);
	free(buf);
	if (err) {
		log_warn("core: cannot read time zone file=%s", path);
		zone_free(z);
		return err;
	}
	*zp = z;
	return 0;
}

static const struct tz_zone *zone_get(const char *name)
{
	struct tz_zone *z;

	pthread_mutex_lock(&zones_lock);
	for (z = zones; z; z = z->next) {
		if (!strcmp(z->name, name))
			break;
	}
	if (!z && !zone_load(&z, name)) {
		z->next = zones;
		zones = z;
	}
	pthread_mutex_unlock(&zones_lock);
	return z;
}

int clock_local(const char *zone, uint64_t utc_ms, struct tm *tm)
{
	int64_t t = (int64_t)(utc_ms / 1000);
	const struct tz_zone *z;
	const char *abbr = "UTC";
	int32_t off = 0;
	bool dst = false;
	time_t lt;

	if (!tm)
		return EINVAL;
	z = zone && *zone && strcmp(zone, "UTC") ? zone_get(zone) : NULL;
	if (z && z->n && t >= z->times[z->n - 1] && z->rule.valid)
		rule_type(&z->rule, t, &off, &dst, &abbr);
	else if (z && !z->n && z->rule.valid)
		rule_type(&z->rule, t, &off, &dst, &abbr);
	else if (z) {
		/* the last transition at or before t; before the first: type 0 */
		size_t lo = 0, hi = z->n;
		const struct tz_type *ty = &z->types[0];

		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (z->times[mid] <= t)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo)
			ty = &z->types[z->idx[lo - 1]];
		off = ty->off;
		dst = ty->dst;
		abbr = z->abbrs + ty->abbr;
	}
	lt = (time_t)(t + off);
	gmtime_r(&lt, tm);
	tm->tm_isdst = dst;
	tm->tm_gmtoff = off;
	tm->tm_zone = abbr;
	return z || !zone || !*zone || !strcmp(zone, "UTC") ? 0 : ENOENT;
}
