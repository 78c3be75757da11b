/*
 * report.h — reports rebuilt from the stored event log. For now: the
 * queue log in Asterisk's queue_log format, so that the reporting tools
 * people already run against Asterisk queues can read Hotline's.
 */
#ifndef HOTLINE_REPORT_H
#define HOTLINE_REPORT_H

#include <stdint.h>
#include <stdio.h>

struct store;

/*
 * Writes the events in [from, to) (UTC ms; 0 = open) as queue_log lines,
 * "epoch|callid|queue|agent|EVENT|data1|data2|...", oldest first.
 * Returns 0 or an errno value; *linesp gets the number of lines.
 */
int report_queue_log(struct store *st, uint64_t from, uint64_t to, FILE *out,
		     size_t *linesp);

#endif
