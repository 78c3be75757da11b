/*
 * sla.c — time on a business-hours clock: how much of a calendar's open
 * time lies between two instants, and when a given amount of it has
 * passed. SLA targets (first response, resolution) count only this time,
 * so a ticket opened on Friday evening is not late on Monday morning.
 *
 * Pure: the calendar and the instants are passed in.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "core/core.h"
#include "core/cfg.h"
#include "ticket/ticket.h"

#define MIN_MS 60000ULL

/* Where t falls in its calendar day: the minute of the local day and the
 * day's open interval [open, close) in minutes (0, 0 when closed: a
 * holiday, or a closed weekday that is not a workday). */
static void day_of(const struct cfg_hours *h, uint64_t t, int *minute, int *open,
		   int *close)
{
	struct tm tm;

	cfg_hours_local(h, t, &tm);
	*minute = tm.tm_hour * 60 + tm.tm_min;
	cfg_hours_day(h, &tm, open, close);
}

/* Walks from t through open time: stops when budget (ms of open time) is
 * spent or end is reached; returns the open time walked. */
static uint64_t walk(const struct cfg_hours *h, uint64_t *tp, uint64_t end,
		     uint64_t budget)
{
	uint64_t t = *tp, used = 0;
	int guard = 0;

	/* whole minutes: the calendar is in minutes */
	if (t % MIN_MS)
		t += MIN_MS - t % MIN_MS;
	while (used < budget && t < end && guard++ < 4000) {
		int minute, open, close;
		uint64_t avail, step;

		day_of(h, t, &minute, &open, &close);
		if (open == close || minute >= close) {
			t += (uint64_t)(1440 - minute) * MIN_MS; /* to the next day */
			continue;
		}
		if (minute < open) {
			t += (uint64_t)(open - minute) * MIN_MS;
			continue;
		}
		avail = (uint64_t)(close - minute) * MIN_MS;
		step = avail;
		if (step > budget - used)
			step = budget - used;
		if (t + step > end)
			step = end - t;
		used += step;
		t += step;
	}
	*tp = t;
	return used;
}

uint64_t sla_business_ms(const struct cfg_hours *h, uint64_t from, uint64_t to)
{
	uint64_t t = from;

	if (to <= from)
		return 0;
	if (!h)
		return to - from;
	return walk(h, &t, to, UINT64_MAX);
}

uint64_t sla_due(const struct cfg_hours *h, uint64_t from, uint64_t business_ms)
{
	uint64_t t = from;

	if (!h)
		return from + business_ms;
	if (!business_ms)
		return from;
	walk(h, &t, UINT64_MAX, business_ms);
	return t;
}
