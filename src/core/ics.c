/*
 * ics.c — dates from an iCalendar file (RFC 5545), read with libical: the
 * days each VEVENT covers, for a calendar's holidays or workdays (a
 * government's holiday calendar is published as .ics). Each content line
 * is checked first, so that a malformed file is refused naming its line
 * (libical reports errors by component, without one).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libical/ical.h>
#include "core/core.h"
#include "core/cfg.h"
#include "core/cfg_int.h"

#define ICS_MAX_BYTES (1024 * 1024)
#define ICS_MAX_DAYS  366 /* one event's span */

/* A content line: NAME[;PARAM...]:VALUE, NAME letters, digits, '-'. */
static bool line_ok(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '-'))
		i++;
	return i > 0 && i < len && (s[i] == ':' || s[i] == ';') && memchr(s, ':', len);
}

/* Checks every line; writes the line of each BEGIN:VEVENT in turn. */
static int lines_check(const char *text, int *evline, size_t evmax, size_t *evc,
		       char *why, size_t whysz)
{
	const char *p = text;
	int line = 0;
	bool first = true;

	*evc = 0;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		line++;
		if (len && p[len - 1] == '\r')
			len--;
		if (len && p[0] != ' ' && p[0] != '\t') { /* not a folded line */
			if (!line_ok(p, len)) {
				snprintf(why, whysz, "line %d: not NAME:VALUE", line);
				return EINVAL;
			}
			if (first && strncmp(p, "BEGIN:VCALENDAR", 15)) {
				snprintf(why, whysz, "line %d: not BEGIN:VCALENDAR",
					 line);
				return EINVAL;
			}
			first = false;
			if (len == 12 && !strncmp(p, "BEGIN:VEVENT", 12)) {
				if (*evc >= evmax) {
					snprintf(why, whysz, "line %d: too many events",
						 line);
					return EINVAL;
				}
				evline[(*evc)++] = line;
			}
		}
		p = nl ? nl + 1 : p + len;
	}
	if (first) {
		snprintf(why, whysz, "line 1: empty");
		return EINVAL;
	}
	return 0;
}

/* The days [dtstart, dtend) of one event; an error names its line. */
static int event_days(icalcomponent *ev, int line, char (**v)[11], size_t *n, char *why,
		      size_t whysz)
{
	icalproperty *err = icalcomponent_get_first_property(ev, ICAL_XLICERROR_PROPERTY);
	struct icaltimetype t, end;
	int days = 0;

	if (err) {
		snprintf(why, whysz, "line %d: event: %.120s", line,
			 icalproperty_get_xlicerror(err));
		return EINVAL;
	}
	t = icalcomponent_get_dtstart(ev);
	if (icaltime_is_null_time(t) || !icaltime_is_valid_time(t)) {
		snprintf(why, whysz, "line %d: event without a valid DTSTART", line);
		return EINVAL;
	}
	end = icalcomponent_get_dtend(ev);
	if (icaltime_is_null_time(end)) {
		end = t;
		icaltime_adjust(&end, 1, 0, 0, 0);
	}
	if (icaltime_compare_date_only(end, t) < 0) {
		snprintf(why, whysz, "line %d: event ends before it starts", line);
		return EINVAL;
	}
	do {
		char day[16];
		snprintf(day, sizeof(day), "%04d-%02d-%02d", t.year, t.month, t.day);
		if (cfg__date_add(v, n, day)) {
			snprintf(why, whysz, "line %d: more than %d dates (or no memory)",
				 line, CFG_MAX_HOLIDAYS);
			return EINVAL;
		}
		icaltime_adjust(&t, 1, 0, 0, 0);
	} while (icaltime_compare_date_only(t, end) < 0 && ++days < ICS_MAX_DAYS);
	return 0;
}

int cfg_ics_dates(const char *path, char (**v)[11], size_t *n, char *why, size_t whysz)
{
	int *evline = NULL;
	size_t evc, k = 0, evmax;
	icalcomponent *cal = NULL, *ev;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	f = fopen(path, "rb");
	if (!f) {
		snprintf(why, whysz, "cannot open: %s", strerror(errno));
		return errno;
	}
	text = malloc(ICS_MAX_BYTES + 1);
	if (text)
		len = fread(text, 1, ICS_MAX_BYTES + 1, f);
	fclose(f);
	if (!text)
		return ENOMEM;
	if (len > ICS_MAX_BYTES) {
		snprintf(why, whysz, "larger than %d bytes", ICS_MAX_BYTES);
		err = EFBIG;
		goto out;
	}
	text[len] = '\0';
	/* an event takes a BEGIN:VEVENT line at least: the file bounds them */
	evmax = len / 13 + 1;
	evline = malloc(evmax * sizeof(*evline));
	if (!evline) {
		err = ENOMEM;
		goto out;
	}
	err = lines_check(text, evline, evmax, &evc, why, whysz);
	if (err)
		goto out;
	cal = icalparser_parse_string(text);
	if (!cal || icalcomponent_isa(cal) != ICAL_VCALENDAR_COMPONENT) {
		snprintf(why, whysz, "line 1: not one VCALENDAR");
		err = EINVAL;
		goto out;
	}
	for (ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev;
	     ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT), k++) {
		err = event_days(ev, k < evc ? evline[k] : 0, v, n, why, whysz);
		if (err)
			goto out;
	}
out:
	if (cal)
		icalcomponent_free(cal);
	free(evline);
	free(text);
	return err;
}
