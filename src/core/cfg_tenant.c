/*
 * cfg_tenant.c — reading a tenant file (demo.yaml) into struct
 * cfg_tenant: business hours, agents, queues, numbers and IVR flows, the
 * CRM and ticket settings with their custom fields, and checking that
 * everything refers to something that exists. Also the
 * business-hours clock and the look-ups.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <re.h>
#include "core/core.h"
#include "core/cfg.h"
#include "core/cfg_int.h"
#include "safe/net.h"

static const char *const strategies[] = {
    "ring-all", "longest-idle",	   "least-calls", "round-robin", "linear",
    "random",	"weighted-random", "skills",	  NULL,
};

static const char *const node_types[] = {
    "say", "menu", "queue", "transfer", "hours", "hangup", "voicemail", NULL,
};

static const char *const weekdays[] = {
    "mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL,
};

/* In the order of enum cfg_channel. */
static const char *const channels[] = {
    "voice", "chat", "mail", "message", NULL,
};

#define TARGET_FORMS "queue:NAME, flow:NAME, extension:EXT, callback or hangup"

static void tenant_destructor(void *arg)
{
	struct cfg_tenant *t = arg;

	for (size_t i = 0; i < t->flowc; i++)
		mem_deref(t->flowv[i].nodev);
	mem_deref(t->agentv);
	mem_deref(t->agent_sorted);
	mem_deref(t->queuev);
	mem_deref(t->flowv);
	mem_deref(t->numberv);
	for (size_t i = 0; i < t->hoursc; i++) {
		free(t->hoursv[i].holidays);
		free(t->hoursv[i].workdays);
	}
	mem_deref(t->conferencev);
	mem_deref(t->hoursv);
}

int cfg__date_add(char (**v)[11], size_t *n, const char *date)
{
	/* grown to the next power of two from 16: amortised, no capacity kept */
	if (*n >= CFG_MAX_HOLIDAYS)
		return E2BIG;
	if (*n == 0 || (*n >= 16 && !(*n & (*n - 1)))) {
		size_t cap = *n ? 2 * *n : 16;
		char(*nv)[11] = realloc(*v, cap * sizeof(**v));
		if (!nv)
			return ENOMEM;
		*v = nv;
	}
	util_copy((*v)[(*n)++], 11, date);
	return 0;
}

/* A list section: allocates an array of n elements of size sz. */
static void *section(struct cfg_parse *cp, yaml_node_t *root, const char *key, size_t sz,
		     size_t *np, yaml_node_t **seqp)
{
	yaml_node_t *seq = cfg__get(cp->doc, root, key);
	size_t n;
	void *v;

	*np = 0;
	*seqp = NULL;
	if (!seq)
		return NULL;
	if (seq->type != YAML_SEQUENCE_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(seq), key,
			   "expected a list (lines starting with \"- \")");
		return NULL;
	}
	n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
	if (!n)
		return NULL;
	v = mem_zalloc(n * sz, NULL);
	if (!v)
		return NULL;
	*np = n;
	*seqp = seq;
	return v;
}

static yaml_node_t *item(struct cfg_parse *cp, yaml_node_t *seq, size_t i)
{
	return yaml_document_get_node(cp->doc, seq->data.sequence.items.start[i]);
}

static bool is_ext(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || n > 15)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

static bool map_expected(struct cfg_parse *cp, yaml_node_t *n, const char *key)
{
	if (n && n->type == YAML_MAPPING_NODE)
		return true;
	cfg__error(cp->errs, cp->file, cfg__line(n), key, "expected a map of settings");
	return false;
}

static int channel_find(const char *s)
{
	for (int i = 0; s && channels[i]; i++) {
		if (!strcmp(s, channels[i]))
			return i;
	}
	return -1;
}

/* "1" to "10" */
static bool level_parse(const char *s, uint8_t *lvp)
{
	char *end;
	unsigned long v;

	if (!s || !isdigit((unsigned char)*s) || strlen(s) > 2)
		return false;
	v = strtoul(s, &end, 10);
	if (*end || v < 1 || v > 10)
		return false;
	*lvp = (uint8_t)v;
	return true;
}

/*
 * skills: {english: 7, billing: 5}: an agent's levels, or a queue's
 * minimum levels; 1-10 each, at most CFG_MAX_SKILLS, names up to
 * CFG_NAME - 1 characters.
 */
static void skills_parse(struct cfg_parse *cp, yaml_node_t *n, const char *key,
			 struct cfg_skill *skills, size_t *skillcp)
{
	if (!n)
		return;
	if (n->type != YAML_MAPPING_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(n), key,
			   "expected a map of skill: level (english: 7)");
		return;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(cp->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(cp->doc, p->value);
		const char *name = cfg__scalar(k);
		bool dup = false;
		uint8_t level;

		if (!name || !*name || strlen(name) >= CFG_NAME) {
			cfg__error(cp->errs, cp->file, cfg__line(k), key,
				   "\"%s\" is not a skill name (1 to %d characters)",
				   name ? name : "?", CFG_NAME - 1);
			continue;
		}
		for (size_t i = 0; i < *skillcp; i++)
			dup |= !strcmp(skills[i].name, name);
		if (dup) {
			cfg__error(cp->errs, cp->file, cfg__line(k), key,
				   "skill \"%s\" is listed twice", name);
			continue;
		}
		if (*skillcp >= CFG_MAX_SKILLS) {
			cfg__error(cp->errs, cp->file, cfg__line(k), key,
				   "at most %d skills", CFG_MAX_SKILLS);
			return;
		}
		if (!level_parse(cfg__scalar(v), &level)) {
			cfg__error(cp->errs, cp->file, cfg__line(v), key,
				   "level of \"%s\" must be 1-10", name);
			continue;
		}
		util_copy(skills[*skillcp].name, CFG_NAME, name);
		skills[*skillcp].level = level;
		++*skillcp;
	}
}

/* capacity: {voice: 1, chat: 3}: 0-50 per channel; the channels not
 * named keep their defaults. */
static void capacity_parse(struct cfg_parse *cp, yaml_node_t *n, struct cfg_agent *a)
{
	static const uint32_t defaults[CFG_CHANNELS] = {1, 3, 3, 3};

	memcpy(a->capacity, defaults, sizeof(a->capacity));
	if (!n)
		return;
	if (n->type != YAML_MAPPING_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(n), "agents.capacity",
			   "expected a map of channel: number (voice: 1, chat: 3)");
		return;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(cp->doc, p->key);
		const char *name = cfg__scalar(k);
		int ch = channel_find(name);
		char key[48];

		if (ch < 0) {
			cfg__error(cp->errs, cp->file, cfg__line(k), "agents.capacity",
				   "unknown channel \"%s\" (voice, chat, mail, message)",
				   name ? name : "?");
			continue;
		}
		snprintf(key, sizeof(key), "agents.capacity.%s", channels[ch]);
		cfg__uint(cp, yaml_document_get_node(cp->doc, p->value), key,
			  &a->capacity[ch], 0, 50);
	}
}

/*
 * An overflow or exit target: "queue:NAME", "flow:NAME", "extension:EXT"
 * or "hangup". Only the form is checked here; tenant_check resolves the
 * name once everything is read.
 */
static bool target_valid(const char *s)
{
	if (!strcmp(s, "hangup") || !strcmp(s, "callback"))
		return true;
	if (!strncmp(s, "queue:", 6))
		return s[6] && strlen(s + 6) < CFG_NAME;
	if (!strncmp(s, "flow:", 5))
		return s[5] && strlen(s + 5) < CFG_NAME;
	if (!strncmp(s, "extension:", 10))
		return is_ext(s + 10);
	return false;
}

/* Reads a target into dst (left empty when absent or wrong). */
static void target_parse(struct cfg_parse *cp, yaml_node_t *n, const char *key, char *dst,
			 size_t sz)
{
	if (!cfg__str(cp, n, key, dst, sz))
		return;
	if (!target_valid(dst)) {
		cfg__error(cp->errs, cp->file, cfg__line(n), key,
			   "\"%s\" is not a target (" TARGET_FORMS ")", dst);
		dst[0] = '\0';
	}
}

/* "09:00-17:30", "closed" */
static bool day_parse(const char *s, uint16_t *open, uint16_t *close)
{
	unsigned h1, m1, h2, m2;
	char tail;

	if (!strcmp(s, "closed")) {
		*open = *close = 0;
		return true;
	}
	if (sscanf(s, "%u:%u-%u:%u%c", &h1, &m1, &h2, &m2, &tail) != 4)
		return false;
	if (h1 > 23 || m1 > 59 || h2 > 24 || m2 > 59 || (h2 == 24 && m2))
		return false;
	*open = (uint16_t)(h1 * 60 + m1);
	*close = (uint16_t)(h2 * 60 + m2);
	return *open < *close;
}

/* A calendar date: 2026-02-30 is refused (it would never match a day, so
 * a holiday or workday written so would silently do nothing). */
static bool date_valid(const char *s)
{
	static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	unsigned y, m, d;
	char tail;

	if (strlen(s) != 10 || sscanf(s, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 ||
	    m < 1 || m > 12 || d < 1)
		return false;
	if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return d <= 29;
	return d <= mdays[m - 1];
}

/* A zone exists when the system has its file. */
static int access_tz(const char *tz)
{
	char path[256];
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
	return access(path, R_OK);
}

static bool date_listed(const char (*v)[11], size_t n, const char *date);

/* holidays, workdays: a list of dates YYYY-MM-DD, as long as it is (up
 * to CFG_MAX_HOLIDAYS, more refused rather than dropped). */
static void dates_parse(struct cfg_parse *cp, yaml_node_t *list, const char *key,
			char (**v)[11], size_t *n)
{
	if (!list)
		return;
	if (list->type != YAML_SEQUENCE_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(list), key,
			   "expected a list of dates");
		return;
	}
	for (yaml_node_item_t *it = list->data.sequence.items.start;
	     it < list->data.sequence.items.top; it++) {
		yaml_node_t *dn = yaml_document_get_node(cp->doc, *it);
		const char *s = cfg__scalar(dn);
		if (!s || !date_valid(s)) {
			cfg__error(cp->errs, cp->file, cfg__line(dn), key,
				   "\"%s\" is not a date YYYY-MM-DD", s ? s : "?");
			continue;
		}
		if (cfg__date_add(v, n, s)) {
			cfg__error(cp->errs, cp->file, cfg__line(dn), key,
				   "more than %d dates (or no memory)", CFG_MAX_HOLIDAYS);
			return;
		}
	}
}

/* holidays_ics, workdays_ics: an iCalendar file (beside the tenant file
 * when relative), its events' days added to the list. */
static void ics_parse(struct cfg_parse *cp, yaml_node_t *node, const char *key,
		      char (**v)[11], size_t *n)
{
	char name[256], path[512], why[200];
	const char *slash;

	if (!node)
		return;
	if (!cfg__str(cp, node, key, name, sizeof(name)) || !name[0]) {
		cfg__error(cp->errs, cp->file, cfg__line(node), key,
			   "expected an .ics file's path");
		return;
	}
	slash = strrchr(cp->file, '/');
	if (name[0] == '/' || !slash)
		util_copy(path, sizeof(path), name);
	else
		snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - cp->file), cp->file,
			 name);
	if (cfg_ics_dates(path, v, n, why, sizeof(why)))
		cfg__error(cp->errs, cp->file, cfg__line(node), key, "%s: %s", name, why);
}

static void hours_parse(struct cfg_parse *cp, struct cfg_tenant *t, yaml_node_t *root)
{
	static const char *const keys[] = {
	    "name",	     "timezone",     "week",	     "holidays", "workdays",
	    "workday_hours", "holidays_ics", "workdays_ics", NULL};
	yaml_node_t *seq;

	t->hoursv = section(cp, root, "hours", sizeof(*t->hoursv), &t->hoursc, &seq);
	for (size_t i = 0; i < t->hoursc; i++) {
		struct cfg_hours *h = &t->hoursv[i];
		yaml_node_t *n = item(cp, seq, i), *week, *wh;
		char key[64];

		snprintf(key, sizeof(key), "hours[%zu]", i);
		if (!map_expected(cp, n, key))
			continue;
		h->line = cfg__line(n);
		cfg__check_keys(cp, n, key, keys);
		if (!cfg__str(cp, cfg__get(cp->doc, n, "name"), "hours.name", h->name,
			      sizeof(h->name)))
			cfg__error(cp->errs, cp->file, h->line, key, "needs a name");
		util_copy(h->tz, sizeof(h->tz), "UTC");
		cfg__str(cp, cfg__get(cp->doc, n, "timezone"), "hours.timezone", h->tz,
			 sizeof(h->tz));
		if (strstr(h->tz, "..") || (strcmp(h->tz, "UTC") && access_tz(h->tz)))
			cfg__error(cp->errs, cp->file, h->line, key,
				   "unknown time zone \"%s\"", h->tz);
		week = cfg__get(cp->doc, n, "week");
		if (week && map_expected(cp, week, "hours.week")) {
			cfg__check_keys(cp, week, "hours.week", weekdays);
			for (int d = 0; d < 7; d++) {
				yaml_node_t *dn = cfg__get(cp->doc, week, weekdays[d]);
				const char *s = cfg__scalar(dn);
				if (!dn)
					continue;
				if (!s ||
				    !day_parse(s, &h->week[d].open, &h->week[d].close))
					cfg__error(cp->errs, cp->file, cfg__line(dn),
						   "hours.week",
						   "%s: \"%s\" is not HH:MM-HH:MM or "
						   "closed",
						   weekdays[d], s ? s : "?");
			}
		}
		dates_parse(cp, cfg__get(cp->doc, n, "holidays"), "hours.holidays",
			    &h->holidays, &h->holidayc);
		dates_parse(cp, cfg__get(cp->doc, n, "workdays"), "hours.workdays",
			    &h->workdays, &h->workdayc);
		ics_parse(cp, cfg__get(cp->doc, n, "holidays_ics"), "hours.holidays_ics",
			  &h->holidays, &h->holidayc);
		ics_parse(cp, cfg__get(cp->doc, n, "workdays_ics"), "hours.workdays_ics",
			  &h->workdays, &h->workdayc);
		for (size_t d = 0; d < h->workdayc; d++) {
			if (date_listed(h->holidays, h->holidayc, h->workdays[d]))
				cfg__error(cp->errs, cp->file, h->line, "hours.workdays",
					   "%s is also a holiday", h->workdays[d]);
		}
		wh = cfg__get(cp->doc, n, "workday_hours");
		if (wh && (!cfg__scalar(wh) ||
			   !day_parse(cfg__scalar(wh), &h->workday_hours.open,
				      &h->workday_hours.close) ||
			   !h->workday_hours.close))
			cfg__error(cp->errs, cp->file, cfg__line(wh),
				   "hours.workday_hours", "\"%s\" is not HH:MM-HH:MM",
				   cfg__scalar(wh) ? cfg__scalar(wh) : "?");
	}
}

static int agent_cmp(const void *a, const void *b)
{
	const struct cfg_agent *x = *(const struct cfg_agent *const *)a;
	const struct cfg_agent *y = *(const struct cfg_agent *const *)b;
	int c = strcmp(x->ext, y->ext);

	return c ? c : x->line - y->line;
}

/* The agents by extension, for cfg_agent_find (every call, registration
 * and member check looks one up); an extension twice is an error at the
 * later one. */
static void agents_sort(struct cfg_parse *cp, struct cfg_tenant *t)
{
	if (!t->agentc)
		return;
	t->agent_sorted = mem_alloc(t->agentc * sizeof(*t->agent_sorted), NULL);
	if (!t->agent_sorted)
		return; /* cfg_agent_find walks the list instead */
	for (size_t i = 0; i < t->agentc; i++)
		t->agent_sorted[i] = &t->agentv[i];
	qsort(t->agent_sorted, t->agentc, sizeof(*t->agent_sorted), agent_cmp);
	for (size_t i = 1; i < t->agentc; i++) {
		const struct cfg_agent *a = t->agent_sorted[i],
				       *b = t->agent_sorted[i - 1];
		char key[64];

		if (!a->ext[0] || strcmp(a->ext, b->ext))
			continue;
		snprintf(key, sizeof(key), "agents[%zu]", (size_t)(a - t->agentv));
		cfg__error(cp->errs, cp->file, a->line, key,
			   "extension %s is already agent on line %d", a->ext, b->line);
	}
}

/* An agent's HA1 (RFC 8760): 32 (MD5) or 64 (SHA-256) hex digits, kept
 * lower-case as the digest computes them. */
static void ha1_parse(struct cfg_parse *cp, yaml_node_t *agent, const char *name,
		      char *out, size_t sz)
{
	yaml_node_t *n = cfg__get(cp->doc, agent, name);
	char key[32];
	size_t len;

	if (!n)
		return;
	snprintf(key, sizeof(key), "agents.%s", name);
	if (!cfg__str(cp, n, key, out, sz))
		return;
	len = strlen(out);
	for (size_t i = 0; i < len; i++) {
		if (!isxdigit((unsigned char)out[i]))
			len = 0;
		out[i] = (char)tolower((unsigned char)out[i]);
	}
	if (len != sz - 1) {
		cfg__error(cp->errs, cp->file, cfg__line(n), key,
			   "must be %zu hex digits", sz - 1);
		out[0] = '\0';
	}
}

/* register_from: [10.0.0.0/8, 192.0.2.7]: where the agent's phone may
 * register from. */
static void register_from_parse(struct cfg_parse *cp, yaml_node_t *n, struct cfg_agent *a)
{
	const char *key = "agents.register_from";

	if (!n)
		return;
	if (n->type != YAML_SEQUENCE_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(n), key,
			   "expected a list of networks ([10.0.0.0/8])");
		return;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++) {
		yaml_node_t *v = yaml_document_get_node(cp->doc, *it);
		char *dst = a->register_from[a->register_fromc];
		struct safe_net net;

		if (a->register_fromc == CFG_MAX_REGFROM) {
			cfg__error(cp->errs, cp->file, cfg__line(v), key,
				   "at most %d networks", CFG_MAX_REGFROM);
			return;
		}
		if (!cfg__str(cp, v, key, dst, sizeof(a->register_from[0])))
			continue;
		if (safe_net_parse(&net, dst)) {
			cfg__error(cp->errs, cp->file, cfg__line(v), key,
				   "\"%s\" is not a network (10.0.0.0/8, 192.0.2.7)",
				   dst);
			continue;
		}
		a->register_fromc++;
	}
}

static void agents_parse(struct cfg_parse *cp, struct cfg_tenant *t, yaml_node_t *root)
{
	static const char *const keys[] = {
	    "ext",    "name",	  "password",	   "ha1_md5", "ha1_sha256",
	    "skills", "capacity", "register_from", "srtp",    NULL};
	yaml_node_t *seq;

	t->agentv = section(cp, root, "agents", sizeof(*t->agentv), &t->agentc, &seq);
	for (size_t i = 0; i < t->agentc; i++) {
		struct cfg_agent *a = &t->agentv[i];
		yaml_node_t *n = item(cp, seq, i);
		char key[64];

		snprintf(key, sizeof(key), "agents[%zu]", i);
		if (!map_expected(cp, n, key))
			continue;
		a->line = cfg__line(n);
		cfg__check_keys(cp, n, key, keys);
		if (!cfg__str(cp, cfg__get(cp->doc, n, "ext"), "agents.ext", a->ext,
			      sizeof(a->ext)) ||
		    !is_ext(a->ext))
			cfg__error(cp->errs, cp->file, a->line, key,
				   "ext must be 2 to 15 digits (quote it: \"1001\")");
		cfg__str(cp, cfg__get(cp->doc, n, "name"), "agents.name", a->name,
			 sizeof(a->name));
		cfg__str(cp, cfg__get(cp->doc, n, "password"), "agents.password",
			 a->password, sizeof(a->password));
		ha1_parse(cp, n, "ha1_md5", a->ha1_md5, sizeof(a->ha1_md5));
		ha1_parse(cp, n, "ha1_sha256", a->ha1_sha256, sizeof(a->ha1_sha256));
		if (!a->password[0] && !a->ha1_md5[0] && !a->ha1_sha256[0])
			cfg__error(cp->errs, cp->file, a->line, key,
				   "needs a SIP password (or ha1_md5, ha1_sha256)");
		register_from_parse(cp, cfg__get(cp->doc, n, "register_from"), a);
		if (cfg__str(cp, cfg__get(cp->doc, n, "srtp"), "agents.srtp", a->srtp,
			     sizeof(a->srtp)) &&
		    !cfg__srtp_ok(a->srtp))
			cfg__error(cp->errs, cp->file, a->line, "agents.srtp",
				   "\"%s\" is not off, optional or required", a->srtp);
		skills_parse(cp, cfg__get(cp->doc, n, "skills"), "agents.skills",
			     a->skills, &a->skillc);
		capacity_parse(cp, cfg__get(cp->doc, n, "capacity"), a);
	}
	agents_sort(cp, t);
}

/* A member: "1001" (tier 0, weight 1), or {agent: "1001", tier: 1,
 * weight: 2}. */
static void member_parse(struct cfg_parse *cp, struct cfg_queue *q, yaml_node_t *mn)
{
	static const char *const keys[] = {"agent", "tier", "weight", NULL};
	struct cfg_member *mb = &q->members[q->memberc];
	uint32_t v;

	mb->weight = 1;
	if (mn && mn->type == YAML_MAPPING_NODE) {
		cfg__check_keys(cp, mn, "queues.members", keys);
		if (!cfg__str(cp, cfg__get(cp->doc, mn, "agent"), "queues.members.agent",
			      mb->ext, sizeof(mb->ext)) ||
		    !mb->ext[0]) {
			cfg__error(cp->errs, cp->file, cfg__line(mn), "queues.members",
				   "a member map needs agent (agent: \"1001\")");
			return;
		}
		if (cfg__uint(cp, cfg__get(cp->doc, mn, "tier"), "queues.members.tier",
			      &v, 0, 7))
			mb->tier = (uint8_t)v;
		if (cfg__uint(cp, cfg__get(cp->doc, mn, "weight"),
			      "queues.members.weight", &v, 1, 100))
			mb->weight = (uint16_t)v;
	} else if (!cfg__str(cp, mn, "queues.members", mb->ext, sizeof(mb->ext))) {
		return;
	}
	q->memberc++;
}

/*
 * moh: a WAV file or a folder of them, played in turn while callers wait:
 * a name kept as written here; cfg_tenant_media finds it in the media
 * folder (the parse alone touches no file).
 */
static void moh_parse(struct cfg_parse *cp, yaml_node_t *n, struct cfg_queue *q)
{
	cfg__str(cp, n, "queues.moh", q->moh, sizeof(q->moh));
}

/* A key a waiting caller may press: a digit, * or #. */
static void key_parse(struct cfg_parse *cp, yaml_node_t *n, const char *key, char *dst)
{
	const char *k = cfg__scalar(n);

	if (!n)
		return;
	if (!k || strlen(k) != 1 || !strchr("0123456789*#", k[0]))
		cfg__error(cp->errs, cp->file, cfg__line(n), key,
			   "\"%s\" is not a key (a digit 0-9, * or #, quoted: \"0\")",
			   k ? k : "(list)");
	else
		*dst = k[0];
}

/* language: a tag the pages use (zh, en) or an eSpeak NG voice's name
 * (cmn, de, en-gb); only its shape is checked here, the voice when the
 * prompts are synthesised. Unset, the tenant's (def). */
static void language_parse(struct cfg_parse *cp, yaml_node_t *n, const char *key,
			   char *dst, size_t sz, const char *def)
{
	util_copy(dst, sz, def ? def : "");
	if (!n || !cfg__str(cp, n, key, dst, sz))
		return;
	for (const char *c = dst; *c; c++) {
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '+') {
			cfg__error(cp->errs, cp->file, cfg__line(n), key,
				   "\"%s\" is not a language (zh, en) or an "
				   "eSpeak NG voice's name",
				   dst);
			util_copy(dst, sz, def ? def : "");
			return;
		}
	}
}

static void queues_parse(struct cfg_parse *cp, struct cfg_tenant *t, yaml_node_t *root)
{
	static const char *const keys[] = {"name",
					   "strategy",
					   "channel",
					   "priority",
					   "ring_timeout",
					   "max_wait",
					   "max_len",
					   "join_empty",
					   "tier_wait",
					   "auto_pause",
					   "retry",
					   "service_level",
					   "wrapup",
					   "moh",
					   "announce",
					   "callback_key",
					   "skills",
					   "members",
					   "overflow",
					   "exit_key",
					   "exit_to",
					   "service_level_target",
					   "language",
					   "recording_notice",
					   NULL};
	yaml_node_t *seq;

	t->queuev = section(cp, root, "queues", sizeof(*t->queuev), &t->queuec, &seq);
	for (size_t i = 0; i < t->queuec; i++) {
		struct cfg_queue *q = &t->queuev[i];
		yaml_node_t *n = item(cp, seq, i), *m, *ch, *ek, *et;
		bool ok = false;
		char key[64], chname[16] = "";

		snprintf(key, sizeof(key), "queues[%zu]", i);
		if (!map_expected(cp, n, key))
			continue;
		q->line = cfg__line(n);
		cfg__check_keys(cp, n, key, keys);
		if (!cfg__str(cp, cfg__get(cp->doc, n, "name"), "queues.name", q->name,
			      sizeof(q->name)) ||
		    !q->name[0])
			cfg__error(cp->errs, cp->file, q->line, key, "needs a name");
		if (!cfg__str(cp, cfg__get(cp->doc, n, "strategy"), "queues.strategy",
			      q->strategy, sizeof(q->strategy)))
			cfg__error(cp->errs, cp->file, q->line, key,
				   "needs a strategy (longest-idle, ring-all, ...)");
		for (size_t s = 0; strategies[s]; s++)
			ok |= !strcmp(q->strategy, strategies[s]);
		if (q->strategy[0] && !ok)
			cfg__error(cp->errs, cp->file, q->line, "queues.strategy",
				   "\"%s\" is not a strategy (ring-all, longest-idle, "
				   "least-calls, round-robin, linear, random, "
				   "weighted-random, skills)",
				   q->strategy);
		q->channel = CFG_VOICE;
		ch = cfg__get(cp->doc, n, "channel");
		if (cfg__str(cp, ch, "queues.channel", chname, sizeof(chname))) {
			int c = channel_find(chname);
			if (c < 0)
				cfg__error(cp->errs, cp->file, cfg__line(ch),
					   "queues.channel",
					   "\"%s\" is not a channel (voice, chat, mail, "
					   "message)",
					   chname);
			else
				q->channel = (enum cfg_channel)c;
		}
		cfg__int(cp, cfg__get(cp->doc, n, "priority"), "queues.priority",
			 &q->priority, -100, 100);
		q->ring_timeout_ms = 15000;
		q->sl_threshold_ms = 20000;
		q->tier_wait_ms = 30000;
		q->join_empty = true;
		cfg__duration(cp, cfg__get(cp->doc, n, "ring_timeout"),
			      "queues.ring_timeout", &q->ring_timeout_ms, 1000, 300000);
		cfg__duration(cp, cfg__get(cp->doc, n, "max_wait"), "queues.max_wait",
			      &q->max_wait_ms, 0, 86400000);
		cfg__uint(cp, cfg__get(cp->doc, n, "max_len"), "queues.max_len",
			  &q->max_len, 0, 100000);
		cfg__bool(cp, cfg__get(cp->doc, n, "join_empty"), "queues.join_empty",
			  &q->join_empty);
		cfg__duration(cp, cfg__get(cp->doc, n, "tier_wait"), "queues.tier_wait",
			      &q->tier_wait_ms, 0, 3600000);
		cfg__uint(cp, cfg__get(cp->doc, n, "auto_pause"), "queues.auto_pause",
			  &q->auto_pause, 0, 100);
		q->retry_ms = 2000; /* as the engine without it */
		cfg__duration(cp, cfg__get(cp->doc, n, "retry"), "queues.retry",
			      &q->retry_ms, 1000, 3600000);
		cfg__duration(cp, cfg__get(cp->doc, n, "service_level"),
			      "queues.service_level", &q->sl_threshold_ms, 1000, 3600000);
		q->sl_target_pct = 80;
		cfg__uint(cp, cfg__get(cp->doc, n, "service_level_target"),
			  "queues.service_level_target", &q->sl_target_pct, 1, 100);
		cfg__duration(cp, cfg__get(cp->doc, n, "wrapup"), "queues.wrapup",
			      &q->wrapup_ms, 0, 600000);
		moh_parse(cp, cfg__get(cp->doc, n, "moh"), q);
		cfg__str(cp, cfg__get(cp->doc, n, "recording_notice"),
			 "queues.recording_notice", q->recording_notice,
			 sizeof(q->recording_notice));
		language_parse(cp, cfg__get(cp->doc, n, "language"), "queues.language",
			       q->language, sizeof(q->language), t->language);
		cfg__duration(cp, cfg__get(cp->doc, n, "announce"), "queues.announce",
			      &q->announce_ms, 0, 3600000);
		if (q->announce_ms && q->announce_ms < 10000) {
			cfg__error(cp->errs, cp->file, q->line, "queues.announce",
				   "announcements at most every 10 s (or 0: none)");
		}
		skills_parse(cp, cfg__get(cp->doc, n, "skills"), "queues.skills",
			     q->skills, &q->skillc);
		m = cfg__get(cp->doc, n, "members");
		if (m && m->type != YAML_SEQUENCE_NODE) {
			cfg__error(cp->errs, cp->file, cfg__line(m), "queues.members",
				   "expected a list of extensions or {agent, tier, "
				   "weight} maps");
		} else if (m) {
			for (yaml_node_item_t *it = m->data.sequence.items.start;
			     it < m->data.sequence.items.top; it++) {
				yaml_node_t *mn = yaml_document_get_node(cp->doc, *it);
				if (q->memberc >= CFG_MAX_MEMBERS) {
					cfg__error(cp->errs, cp->file, cfg__line(mn),
						   "queues.members",
						   "too many members (at most %d)",
						   CFG_MAX_MEMBERS);
					break;
				}
				member_parse(cp, q, mn);
			}
		}
		target_parse(cp, cfg__get(cp->doc, n, "overflow"), "queues.overflow",
			     q->overflow, sizeof(q->overflow));
		ek = cfg__get(cp->doc, n, "exit_key");
		et = cfg__get(cp->doc, n, "exit_to");
		if (ek) {
			/* "0" and 0 are the same scalar; * and # must be quoted */
			const char *k = cfg__scalar(ek);
			if (!k || strlen(k) != 1 || !strchr("0123456789*#", k[0]))
				cfg__error(cp->errs, cp->file, cfg__line(ek),
					   "queues.exit_key",
					   "\"%s\" is not a key (a digit 0-9, * or #, "
					   "quoted: \"0\")",
					   k ? k : "(list)");
			else
				q->exit_key = k[0];
		}
		target_parse(cp, et, "queues.exit_to", q->exit_to, sizeof(q->exit_to));
		key_parse(cp, cfg__get(cp->doc, n, "callback_key"), "queues.callback_key",
			  &q->callback_key);
		if (q->callback_key && q->callback_key == q->exit_key)
			cfg__error(cp->errs, cp->file, q->line, "queues.callback_key",
				   "'%c' is the exit_key already", q->callback_key);
		if (ek && !et) {
			if (!cfg__get(cp->doc, n, "overflow"))
				cfg__error(cp->errs, cp->file, cfg__line(ek),
					   "queues.exit_key",
					   "needs exit_to or overflow");
			util_copy(q->exit_to, sizeof(q->exit_to), q->overflow);
		} else if (et && !ek) {
			cfg__error(cp->errs, cp->file, cfg__line(et), "queues.exit_to",
				   "needs exit_key");
		}
		for (size_t j = 0; j < i; j++) {
			if (q->name[0] && !strcmp(t->queuev[j].name, q->name))
				cfg__error(cp->errs, cp->file, q->line, key,
					   "queue \"%s\" is already defined on line %d",
					   q->name, t->queuev[j].line);
		}
	}
}

static void numbers_parse(struct cfg_parse *cp, struct cfg_tenant *t, yaml_node_t *root)
{
	static const char *const keys[] = {"number", "flow", "language",
					   "recording_notice", NULL};
	yaml_node_t *seq;

	t->numberv = section(cp, root, "numbers", sizeof(*t->numberv), &t->numberc, &seq);
	for (size_t i = 0; i < t->numberc; i++) {
		struct cfg_number *nb = &t->numberv[i];
		yaml_node_t *n = item(cp, seq, i);
		char key[64];

		snprintf(key, sizeof(key), "numbers[%zu]", i);
		if (!map_expected(cp, n, key))
			continue;
		nb->line = cfg__line(n);
		cfg__check_keys(cp, n, key, keys);
		if (!cfg__str(cp, cfg__get(cp->doc, n, "number"), "numbers.number",
			      nb->number, sizeof(nb->number)) ||
		    !nb->number[0])
			cfg__error(cp->errs, cp->file, nb->line, key, "needs a number");
		if (!cfg__str(cp, cfg__get(cp->doc, n, "flow"), "numbers.flow", nb->flow,
			      sizeof(nb->flow)))
			cfg__error(cp->errs, cp->file, nb->line, key, "needs a flow");
		language_parse(cp, cfg__get(cp->doc, n, "language"), "numbers.language",
			       nb->language, sizeof(nb->language), "");
		cfg__str(cp, cfg__get(cp->doc, n, "recording_notice"),
			 "numbers.recording_notice", nb->recording_notice,
			 sizeof(nb->recording_notice));
	}
}

static void conferences_parse(struct cfg_parse *cp, struct cfg_tenant *t,
			      yaml_node_t *root)
{
	static const char *const keys[] = {"number", "pin", "max", NULL};
	yaml_node_t *seq;

	t->conferencev = section(cp, root, "conferences", sizeof(*t->conferencev),
				 &t->conferencec, &seq);
	for (size_t i = 0; i < t->conferencec; i++) {
		struct cfg_conference *c = &t->conferencev[i];
		yaml_node_t *n = item(cp, seq, i);
		char key[64];

		snprintf(key, sizeof(key), "conferences[%zu]", i);
		if (!map_expected(cp, n, key))
			continue;
		c->line = cfg__line(n);
		c->max = CFG_CONF_MAX;
		cfg__check_keys(cp, n, key, keys);
		if (!cfg__str(cp, cfg__get(cp->doc, n, "number"), "conferences.number",
			      c->number, sizeof(c->number)) ||
		    !c->number[0])
			cfg__error(cp->errs, cp->file, c->line, key, "needs a number");
		cfg__str(cp, cfg__get(cp->doc, n, "pin"), "conferences.pin", c->pin,
			 sizeof(c->pin));
		if (c->pin[strspn(c->pin, "0123456789")])
			cfg__error(cp->errs, cp->file, c->line, "conferences.pin",
				   "\"%s\" is not digits", c->pin);
		cfg__uint(cp, cfg__get(cp->doc, n, "max"), "conferences.max", &c->max, 2,
			  CFG_CONF_MAX);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(t->conferencev[j].number, c->number))
				cfg__error(cp->errs, cp->file, c->line,
					   "conferences.number",
					   "%s is a room already (line %d)", c->number,
					   t->conferencev[j].line);
		if (cfg_number_find(t, c->number))
			cfg__error(cp->errs, cp->file, c->line, "conferences.number",
				   "%s is a number of a flow already", c->number);
	}
}

static void options_parse(struct cfg_parse *cp, struct cfg_ivr_node *nd,
			  yaml_node_t *opts)
{
	if (opts->type != YAML_MAPPING_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(opts), "options",
			   "expected a map of digit: node");
		return;
	}
	for (yaml_node_pair_t *p = opts->data.mapping.pairs.start;
	     p < opts->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(cp->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(cp->doc, p->value);
		const char *d = cfg__scalar(k);
		struct cfg_ivr_option *o;

		if (nd->optionc >= CFG_MAX_OPTIONS) {
			cfg__error(cp->errs, cp->file, cfg__line(k), "options",
				   "at most %d options", CFG_MAX_OPTIONS);
			return;
		}
		if (!d || !*d || strlen(d) >= sizeof(o->digits) ||
		    strspn(d, "0123456789*#") != strlen(d)) {
			cfg__error(cp->errs, cp->file, cfg__line(k), "options",
				   "\"%s\" is not a key sequence (digits, * and #)",
				   d ? d : "?");
			continue;
		}
		o = &nd->options[nd->optionc++];
		util_copy(o->digits, sizeof(o->digits), d);
		cfg__str(cp, v, "options", o->next, sizeof(o->next));
	}
}

static void node_parse(struct cfg_parse *cp, struct cfg_ivr_node *nd, yaml_node_t *n,
		       const char *key)
{
	static const char *const keys[] = {
	    "id",	"type",	      "text",	 "file",    "next",    "queue",
	    "target",	"hours",      "open",	 "closed",  "options", "extensions",
	    "timeout",	"interdigit", "retries", "invalid", "noinput", "default",
	    "priority", "max",	      NULL};
	char type[16] = "";
	yaml_node_t *opts;
	uint32_t v;
	bool found = false;

	nd->line = cfg__line(n);
	cfg__check_keys(cp, n, key, keys);
	if (!cfg__str(cp, cfg__get(cp->doc, n, "id"), "nodes.id", nd->id,
		      sizeof(nd->id)) ||
	    !nd->id[0])
		cfg__error(cp->errs, cp->file, nd->line, key, "needs an id");
	if (!cfg__str(cp, cfg__get(cp->doc, n, "type"), "nodes.type", type, sizeof(type)))
		cfg__error(cp->errs, cp->file, nd->line, key,
			   "needs a type (say, menu, queue, transfer, hours, "
			   "hangup)");
	for (int i = 0; node_types[i]; i++) {
		if (!strcmp(type, node_types[i])) {
			nd->type = (enum cfg_ivr_type)i;
			found = true;
		}
	}
	if (type[0] && !found)
		cfg__error(cp->errs, cp->file, nd->line, "nodes.type",
			   "\"%s\" is not a node type (say, menu, queue, "
			   "transfer, hours, hangup)",
			   type);
	cfg__str(cp, cfg__get(cp->doc, n, "text"), "nodes.text", nd->text,
		 sizeof(nd->text));
	cfg__str(cp, cfg__get(cp->doc, n, "file"), "nodes.file", nd->file,
		 sizeof(nd->file));
	cfg__str(cp, cfg__get(cp->doc, n, "next"), "nodes.next", nd->next,
		 sizeof(nd->next));
	cfg__int(cp, cfg__get(cp->doc, n, "priority"), "nodes.priority", &nd->priority, 0,
		 100);
	cfg__str(cp, cfg__get(cp->doc, n, "queue"), "nodes.queue", nd->queue,
		 sizeof(nd->queue));
	cfg__str(cp, cfg__get(cp->doc, n, "target"), "nodes.target", nd->target,
		 sizeof(nd->target));
	cfg__str(cp, cfg__get(cp->doc, n, "hours"), "nodes.hours", nd->hours,
		 sizeof(nd->hours));
	cfg__str(cp, cfg__get(cp->doc, n, "open"), "nodes.open", nd->open,
		 sizeof(nd->open));
	cfg__str(cp, cfg__get(cp->doc, n, "closed"), "nodes.closed", nd->closed,
		 sizeof(nd->closed));
	cfg__str(cp, cfg__get(cp->doc, n, "invalid"), "nodes.invalid", nd->invalid_text,
		 sizeof(nd->invalid_text));
	cfg__str(cp, cfg__get(cp->doc, n, "noinput"), "nodes.noinput", nd->noinput_text,
		 sizeof(nd->noinput_text));
	cfg__str(cp, cfg__get(cp->doc, n, "default"), "nodes.default", nd->default_next,
		 sizeof(nd->default_next));
	cfg__bool(cp, cfg__get(cp->doc, n, "extensions"), "nodes.extensions",
		  &nd->extensions);
	nd->timeout_ms = 5000;
	nd->max_ms = 120000;
	cfg__duration(cp, cfg__get(cp->doc, n, "max"), "nodes.max", &nd->max_ms, 5000,
		      600000);
	nd->interdigit_ms = 2000;
	nd->retries = 2;
	cfg__duration(cp, cfg__get(cp->doc, n, "timeout"), "nodes.timeout",
		      &nd->timeout_ms, 500, 120000);
	cfg__duration(cp, cfg__get(cp->doc, n, "interdigit"), "nodes.interdigit",
		      &nd->interdigit_ms, 200, 30000);
	if (cfg__uint(cp, cfg__get(cp->doc, n, "retries"), "nodes.retries", &v, 0, 10))
		nd->retries = v;
	opts = cfg__get(cp->doc, n, "options");
	if (opts)
		options_parse(cp, nd, opts);

	/* What each type needs. */
	switch (nd->type) {
	case IVR_NODE_SAY:
	case IVR_NODE_MENU:
		if (found && !nd->text[0] && !nd->file[0])
			cfg__error(cp->errs, cp->file, nd->line, key,
				   "a %s node needs text or file", type);
		if (found && nd->type == IVR_NODE_MENU && !nd->optionc && !nd->extensions)
			cfg__error(cp->errs, cp->file, nd->line, key,
				   "a menu needs options or extensions: true");
		break;
	case IVR_NODE_QUEUE:
		if (!nd->queue[0])
			cfg__error(cp->errs, cp->file, nd->line, key,
				   "a queue node needs queue");
		break;
	case IVR_NODE_TRANSFER:
		if (!nd->target[0])
			cfg__error(cp->errs, cp->file, nd->line, key,
				   "a transfer node needs target");
		break;
	case IVR_NODE_HOURS:
		if (!nd->open[0] || !nd->closed[0])
			cfg__error(cp->errs, cp->file, nd->line, key,
				   "an hours node needs open and closed");
		break;
	case IVR_NODE_HANGUP:
		break;
	case IVR_NODE_VOICEMAIL:
		if (found && !nd->text[0] && !nd->file[0])
			cfg__error(cp->errs, cp->file, nd->line, key,
				   "a voicemail node needs a greeting (text or file)");
		break;
	}
}

static void flows_parse(struct cfg_parse *cp, struct cfg_tenant *t, yaml_node_t *root)
{
	static const char *const keys[] = {"name",   "start",	 "nodes",
					   "survey", "language", NULL};
	yaml_node_t *seq;

	t->flowv = section(cp, root, "flows", sizeof(*t->flowv), &t->flowc, &seq);
	for (size_t i = 0; i < t->flowc; i++) {
		struct cfg_flow *f = &t->flowv[i];
		yaml_node_t *n = item(cp, seq, i), *nodes;
		char key[64];

		snprintf(key, sizeof(key), "flows[%zu]", i);
		if (!map_expected(cp, n, key))
			continue;
		f->line = cfg__line(n);
		cfg__check_keys(cp, n, key, keys);
		cfg__bool(cp, cfg__get(cp->doc, n, "survey"), "flows.survey", &f->survey);
		language_parse(cp, cfg__get(cp->doc, n, "language"), "flows.language",
			       f->language, sizeof(f->language), t->language);
		if (!cfg__str(cp, cfg__get(cp->doc, n, "name"), "flows.name", f->name,
			      sizeof(f->name)) ||
		    !f->name[0])
			cfg__error(cp->errs, cp->file, f->line, key, "needs a name");
		cfg__str(cp, cfg__get(cp->doc, n, "start"), "flows.start", f->start,
			 sizeof(f->start));
		nodes = cfg__get(cp->doc, n, "nodes");
		if (!nodes || nodes->type != YAML_SEQUENCE_NODE ||
		    nodes->data.sequence.items.top == nodes->data.sequence.items.start) {
			cfg__error(cp->errs, cp->file, nodes ? cfg__line(nodes) : f->line,
				   "flows.nodes", "expected a list of nodes");
			continue;
		}
		f->nodec = (size_t)(nodes->data.sequence.items.top -
				    nodes->data.sequence.items.start);
		f->nodev = mem_zalloc(f->nodec * sizeof(*f->nodev), NULL);
		if (!f->nodev) {
			f->nodec = 0;
			continue;
		}
		for (size_t j = 0; j < f->nodec; j++) {
			yaml_node_t *nn = item(cp, nodes, j);
			char nkey[96];
			snprintf(nkey, sizeof(nkey), "flows[%zu].nodes[%zu]", i, j);
			if (map_expected(cp, nn, nkey))
				node_parse(cp, &f->nodev[j], nn, nkey);
		}
		if (!f->start[0] && f->nodec)
			util_copy(f->start, sizeof(f->start), f->nodev[0].id);
	}
}

/*
 * A list of short codes under key (pause reasons, wrap-up dispositions):
 * lower-case words, at most 16; defaults when the file names none.
 */
static void codes_parse(struct cfg_parse *cp, yaml_node_t *root, const char *key,
			const char *const *defaults, size_t ndefaults, char (*out)[32],
			size_t *countp)
{
	yaml_node_t *seq = root ? cfg__get(cp->doc, root, key) : NULL;

	if (!seq) {
		for (size_t i = 0; i < ndefaults; i++)
			util_copy(out[(*countp)++], 32, defaults[i]);
		return;
	}
	if (seq->type != YAML_SEQUENCE_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(seq), key,
			   "expected a list of codes");
		return;
	}
	for (yaml_node_item_t *it = seq->data.sequence.items.start;
	     it < seq->data.sequence.items.top; it++) {
		yaml_node_t *n = yaml_document_get_node(cp->doc, *it);
		const char *r = cfg__scalar(n);

		if (*countp >= 16) {
			cfg__error(cp->errs, cp->file, cfg__line(n), key,
				   "at most 16 codes");
			return;
		}
		if (!r || !*r || strlen(r) >= 32 ||
		    strspn(r, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(r)) {
			cfg__error(cp->errs, cp->file, cfg__line(n), key,
				   "\"%s\" is not a code (lower-case letters, "
				   "digits, - and _, up to 31)",
				   r ? r : "?");
			continue;
		}
		util_copy(out[(*countp)++], 32, r);
	}
}

/* Pause reason codes (break, lunch, training and meeting by default) and
 * the dispositions an agent ends a call's wrap-up with. */
static void reasons_parse(struct cfg_parse *cp, struct cfg_tenant *t, yaml_node_t *root)
{
	static const char *const pause[] = {"break", "lunch", "training", "meeting"};
	static const char *const disp[] = {"resolved", "follow-up", "sale", "no-action",
					   "wrong-number"};

	codes_parse(cp, root, "pause_reasons", pause, 4, t->pause_reasons,
		    &t->pause_reasonc);
	codes_parse(cp, root, "dispositions", disp, 5, t->dispositions, &t->dispositionc);
}

/* In the order of enum cfg_field_type. */
static const char *const field_types[] = {
    "text", "number", "date", "choice", "bool", NULL,
};

const char *cfg_field_type_name(enum cfg_field_type type)
{
	return (unsigned)type < CFG_FIELD_BOOL + 1u ? field_types[type] : "?";
}

/* A field name is a key of a record's JSON and an id in a page's form:
 * a lower-case letter, then lower-case letters, digits and _. */
static bool field_name_valid(const char *s)
{
	size_t n = strlen(s);

	return n && n < sizeof(((struct cfg_field *)0)->name) && s[0] >= 'a' &&
	       s[0] <= 'z' && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* options: [basic, pro]: the values of a choice, each 1-31 characters,
 * none twice, at most CFG_MAX_FIELD_OPTIONS. */
static void field_options_parse(struct cfg_parse *cp, yaml_node_t *n, const char *key,
				struct cfg_field *f)
{
	if (n->type != YAML_SEQUENCE_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(n), key,
			   "expected a list of values ([basic, pro])");
		return;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++) {
		yaml_node_t *on = yaml_document_get_node(cp->doc, *it);
		const char *o = cfg__scalar(on);
		bool dup = false;

		if (f->optionc >= CFG_MAX_FIELD_OPTIONS) {
			cfg__error(cp->errs, cp->file, cfg__line(on), key,
				   "at most %d options", CFG_MAX_FIELD_OPTIONS);
			return;
		}
		if (!o || !*o || strlen(o) >= sizeof(f->options[0])) {
			cfg__error(cp->errs, cp->file, cfg__line(on), key,
				   "\"%s\" is not an option (1 to %zu characters)",
				   o ? o : "(list)", sizeof(f->options[0]) - 1);
			continue;
		}
		for (size_t i = 0; i < f->optionc; i++)
			dup |= !strcmp(f->options[i], o);
		if (dup) {
			cfg__error(cp->errs, cp->file, cfg__line(on), key,
				   "option \"%s\" is listed twice", o);
			continue;
		}
		util_copy(f->options[f->optionc++], sizeof(f->options[0]), o);
	}
}

/*
 * fields: [{name: account, type: text, label: Account number},
 * {name: plan, type: choice, options: [basic, pro], required: true}]:
 * the custom fields of customers (crm.fields) or tickets
 * (tickets.fields), at most CFG_MAX_FIELDS. where is "crm.fields" or
 * "tickets.fields", the prefix of every error's key.
 */
static void fields_parse(struct cfg_parse *cp, yaml_node_t *seq, const char *where,
			 struct cfg_field *v, size_t *np)
{
	static const char *const keys[] = {"name",    "type",	  "label",
					   "options", "required", NULL};
	char key[48];

	*np = 0;
	if (!seq)
		return;
	if (seq->type != YAML_SEQUENCE_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(seq), where,
			   "expected a list of {name, type, label, options, required}");
		return;
	}
	for (yaml_node_item_t *it = seq->data.sequence.items.start;
	     it < seq->data.sequence.items.top; it++) {
		yaml_node_t *n = yaml_document_get_node(cp->doc, *it), *nn, *tn, *on;
		const char *name, *type;
		struct cfg_field *f;
		int ti = -1;

		if (*np >= CFG_MAX_FIELDS) {
			cfg__error(cp->errs, cp->file, cfg__line(n), where,
				   "at most %d fields", CFG_MAX_FIELDS);
			return;
		}
		if (!n || n->type != YAML_MAPPING_NODE) {
			cfg__error(cp->errs, cp->file, cfg__line(n), where,
				   "expected {name, type, label, options, required}");
			continue;
		}
		cfg__check_keys(cp, n, where, keys);
		f = &v[(*np)++];
		f->line = cfg__line(n);

		nn = cfg__get(cp->doc, n, "name");
		name = cfg__scalar(nn);
		snprintf(key, sizeof(key), "%s.name", where);
		if (!nn) {
			cfg__error(cp->errs, cp->file, f->line, key,
				   "a field needs a name");
		} else if (!name || !field_name_valid(name)) {
			cfg__error(
			    cp->errs, cp->file, cfg__line(nn), key,
			    "\"%s\" is not a field name (a lower-case letter, then "
			    "lower-case letters, digits and _; up to %zu)",
			    name ? name : "(list)", sizeof(f->name) - 1);
		} else {
			util_copy(f->name, sizeof(f->name), name);
			for (const struct cfg_field *o = v; o < f; o++) {
				if (!strcmp(o->name, name)) {
					cfg__error(cp->errs, cp->file, cfg__line(nn), key,
						   "field \"%s\" is already declared on "
						   "line %d",
						   name, o->line);
					break;
				}
			}
		}

		tn = cfg__get(cp->doc, n, "type");
		type = cfg__scalar(tn);
		snprintf(key, sizeof(key), "%s.type", where);
		for (int i = 0; type && field_types[i]; i++)
			ti = strcmp(type, field_types[i]) ? ti : i;
		if (!tn)
			cfg__error(cp->errs, cp->file, f->line, key,
				   "field \"%s\" needs a type (text, number, date, "
				   "choice, bool)",
				   f->name);
		else if (ti < 0)
			cfg__error(cp->errs, cp->file, cfg__line(tn), key,
				   "\"%s\" is not a field type (text, number, date, "
				   "choice, bool)",
				   type ? type : "(list)");
		else
			f->type = (enum cfg_field_type)ti;

		snprintf(key, sizeof(key), "%s.label", where);
		if (!cfg__str(cp, cfg__get(cp->doc, n, "label"), key, f->label,
			      sizeof(f->label)) ||
		    !f->label[0])
			util_copy(f->label, sizeof(f->label), f->name);

		on = cfg__get(cp->doc, n, "options");
		snprintf(key, sizeof(key), "%s.options", where);
		if (on && ti >= 0 && f->type != CFG_FIELD_CHOICE)
			cfg__error(cp->errs, cp->file, cfg__line(on), key,
				   "options are for a field of type choice, and \"%s\" "
				   "is %s",
				   f->name, field_types[ti]);
		else if (on && ti >= 0)
			field_options_parse(cp, on, key, f);
		if (ti >= 0 && f->type == CFG_FIELD_CHOICE && !on)
			cfg__error(cp->errs, cp->file, f->line, key,
				   "field \"%s\" is a choice and needs options (a list "
				   "of values)",
				   f->name);

		snprintf(key, sizeof(key), "%s.required", where);
		cfg__bool(cp, cfg__get(cp->doc, n, "required"), key, &f->required);
	}
}

/*
 * crm: {country: "44", tiers: {normal: 0, vip: 10}}: the country code
 * numbers without one are taken to be in, and each customer tier's queue
 * priority (a VIP caller goes first). Tiers default to normal 0, vip 10.
 */
static void crm_parse(struct cfg_parse *cp, struct cfg_tenant *t, yaml_node_t *root)
{
	static const char *const keys[] = {"country", "tiers", "lookup", "fields", NULL};
	static const char *const lkeys[] = {"url", "timeout", "cache", NULL};
	yaml_node_t *crm = cfg__get(cp->doc, root, "crm"), *tiers, *lk;

	t->tierc = 0;
	t->crm_lookup_timeout_ms = 1000;
	t->crm_lookup_cache_ms = 300000;
	if (crm && crm->type != YAML_MAPPING_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(crm), "crm",
			   "expected a map with country and tiers");
		crm = NULL;
	}
	if (crm) {
		cfg__check_keys(cp, crm, "crm", keys);
		if (cfg__str(cp, cfg__get(cp->doc, crm, "country"), "crm.country",
			     t->country, sizeof(t->country)) &&
		    (!t->country[0] || strlen(t->country) > 3 ||
		     strspn(t->country, "0123456789") != strlen(t->country) ||
		     t->country[0] == '0'))
			cfg__error(cp->errs, cp->file, cfg__line(crm), "crm.country",
				   "\"%s\" is not a country calling code (1-3 digits, "
				   "\"44\")",
				   t->country);
	}
	fields_parse(cp, crm ? cfg__get(cp->doc, crm, "fields") : NULL, "crm.fields",
		     t->crm_fields, &t->crm_fieldc);
	lk = crm ? cfg__get(cp->doc, crm, "lookup") : NULL;
	if (lk && lk->type != YAML_MAPPING_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(lk), "crm.lookup",
			   "expected {url, timeout, cache}");
	} else if (lk) {
		cfg__check_keys(cp, lk, "crm.lookup", lkeys);
		cfg__str(cp, cfg__get(cp->doc, lk, "url"), "crm.lookup.url",
			 t->crm_lookup_url, sizeof(t->crm_lookup_url));
		if (strncmp(t->crm_lookup_url, "http://", 7) &&
		    strncmp(t->crm_lookup_url, "https://", 8))
			cfg__error(
			    cp->errs, cp->file, cfg__line(lk), "crm.lookup.url",
			    "an http:// or https:// URL, {number} where the number goes");
		cfg__duration(cp, cfg__get(cp->doc, lk, "timeout"), "crm.lookup.timeout",
			      &t->crm_lookup_timeout_ms, 100, 10000);
		cfg__duration(cp, cfg__get(cp->doc, lk, "cache"), "crm.lookup.cache",
			      &t->crm_lookup_cache_ms, 0, 86400000);
	}
	tiers = crm ? cfg__get(cp->doc, crm, "tiers") : NULL;
	if (!tiers) {
		util_copy(t->tiers[0].name, sizeof(t->tiers[0].name), "normal");
		util_copy(t->tiers[1].name, sizeof(t->tiers[1].name), "vip");
		t->tiers[1].priority = 10;
		t->tierc = 2;
		return;
	}
	if (tiers->type != YAML_MAPPING_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(tiers), "crm.tiers",
			   "expected a map of tier: priority");
		return;
	}
	for (yaml_node_pair_t *pr = tiers->data.mapping.pairs.start;
	     pr < tiers->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(cp->doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(cp->doc, pr->value);
		const char *name = cfg__scalar(k);
		struct cfg_tier *tr;

		if (t->tierc >= CFG_MAX_TIERS) {
			cfg__error(cp->errs, cp->file, cfg__line(k), "crm.tiers",
				   "at most %d tiers", CFG_MAX_TIERS);
			return;
		}
		if (!name || !*name || strlen(name) >= sizeof(tr->name) ||
		    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_") !=
			strlen(name)) {
			cfg__error(
			    cp->errs, cp->file, cfg__line(k), "crm.tiers",
			    "\"%s\" is not a tier name (lower-case letters, digits, "
			    "- and _)",
			    name ? name : "?");
			continue;
		}
		tr = &t->tiers[t->tierc++];
		util_copy(tr->name, sizeof(tr->name), name);
		cfg__int(cp, v, "crm.tiers", &tr->priority, -100, 100);
	}
}

/*
 * tickets: {calendar: office, assign: least-loaded, categories: [...],
 * warn_before: 30m, sla: [{priority: urgent, category: billing,
 * first_response: 30m, resolution: 4h}, ...]}. SLA targets count the
 * calendar's open time; a policy applies to its priority (and category,
 * when it names one), the first that matches.
 */
static void tickets_parse(struct cfg_parse *cp, struct cfg_tenant *t, yaml_node_t *root)
{
	static const char *const keys[] = {
	    "calendar", "assign", "categories", "warn_before", "sla", "fields", NULL};
	static const char *const pkeys[] = {"priority", "category", "first_response",
					    "resolution", NULL};
	static const char *const cats[] = {"general", "billing", "technical", "callback",
					   "voicemail"};
	yaml_node_t *tk = cfg__get(cp->doc, root, "tickets"), *sla;

	util_copy(t->ticket_assign, sizeof(t->ticket_assign), "least-loaded");
	t->ticket_warn_ms = 30 * 60000;
	if (tk && tk->type != YAML_MAPPING_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(tk), "tickets",
			   "expected a map");
		tk = NULL;
	}
	if (tk)
		cfg__check_keys(cp, tk, "tickets", keys);
	codes_parse(cp, tk, "categories", cats, 5, t->ticket_categories,
		    &t->ticket_categoryc);
	if (!tk)
		return;
	cfg__str(cp, cfg__get(cp->doc, tk, "calendar"), "tickets.calendar",
		 t->ticket_hours, sizeof(t->ticket_hours));
	if (t->ticket_hours[0] && !cfg_hours_find(t, t->ticket_hours))
		cfg__error(cp->errs, cp->file, cfg__line(tk), "tickets.calendar",
			   "calendar \"%s\" is not defined in hours", t->ticket_hours);
	cfg__str(cp, cfg__get(cp->doc, tk, "assign"), "tickets.assign", t->ticket_assign,
		 sizeof(t->ticket_assign));
	if (strcmp(t->ticket_assign, "least-loaded") &&
	    strcmp(t->ticket_assign, "round-robin"))
		cfg__error(cp->errs, cp->file, cfg__line(tk), "tickets.assign",
			   "\"%s\": least-loaded or round-robin", t->ticket_assign);
	cfg__duration(cp, cfg__get(cp->doc, tk, "warn_before"), "tickets.warn_before",
		      &t->ticket_warn_ms, 0, 86400000);
	fields_parse(cp, cfg__get(cp->doc, tk, "fields"), "tickets.fields",
		     t->ticket_fields, &t->ticket_fieldc);
	sla = cfg__get(cp->doc, tk, "sla");
	if (!sla)
		return;
	if (sla->type != YAML_SEQUENCE_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(sla), "tickets.sla",
			   "expected a list of policies");
		return;
	}
	for (yaml_node_item_t *it = sla->data.sequence.items.start;
	     it < sla->data.sequence.items.top; it++) {
		yaml_node_t *n = yaml_document_get_node(cp->doc, *it);
		struct cfg_sla *p;
		const char *pr;

		if (t->slac >= CFG_MAX_SLA) {
			cfg__error(cp->errs, cp->file, cfg__line(n), "tickets.sla",
				   "at most %d policies", CFG_MAX_SLA);
			return;
		}
		if (!n || n->type != YAML_MAPPING_NODE) {
			cfg__error(cp->errs, cp->file, cfg__line(n), "tickets.sla",
				   "expected {priority, first_response, resolution}");
			continue;
		}
		cfg__check_keys(cp, n, "tickets.sla", pkeys);
		p = &t->slav[t->slac++];
		p->line = cfg__line(n);
		pr = cfg__scalar(cfg__get(cp->doc, n, "priority"));
		if (!pr || (strcmp(pr, "low") && strcmp(pr, "normal") &&
			    strcmp(pr, "high") && strcmp(pr, "urgent")))
			cfg__error(cp->errs, cp->file, p->line, "tickets.sla.priority",
				   "low, normal, high or urgent");
		else
			util_copy(p->priority, sizeof(p->priority), pr);
		cfg__str(cp, cfg__get(cp->doc, n, "category"), "tickets.sla.category",
			 p->category, sizeof(p->category));
		cfg__duration(cp, cfg__get(cp->doc, n, "first_response"),
			      "tickets.sla.first_response", &p->first_response_ms, 1000,
			      90u * 86400000u);
		cfg__duration(cp, cfg__get(cp->doc, n, "resolution"),
			      "tickets.sla.resolution", &p->resolution_ms, 1000,
			      90u * 86400000u);
		if (!p->first_response_ms || !p->resolution_ms)
			cfg__error(cp->errs, cp->file, p->line, "tickets.sla",
				   "first_response and resolution are required");
		else if (p->resolution_ms < p->first_response_ms)
			cfg__error(
			    cp->errs, cp->file, p->line, "tickets.sla.resolution",
			    "shorter than first_response: a ticket would be late to "
			    "resolve before it is late to answer");
	}
}

/* Does the agent serve the queue? As the tenant says: a member, or, for
 * a queue with skills and no member list, an agent with every skill at
 * its level (the rule acd_load_tenant applies). */
bool cfg_agent_serves(const struct cfg_tenant *t, const char *queue, const char *ext)
{
	const struct cfg_queue *q = NULL;
	const struct cfg_agent *ag = NULL;

	for (size_t i = 0; i < t->queuec && !q; i++)
		q = strcmp(t->queuev[i].name, queue) ? NULL : &t->queuev[i];
	if (!q)
		return false;
	for (size_t i = 0; i < q->memberc; i++) {
		if (!strcmp(q->members[i].ext, ext))
			return true;
	}
	if (q->memberc || !q->skillc)
		return false;
	for (size_t i = 0; i < t->agentc && !ag; i++)
		ag = strcmp(t->agentv[i].ext, ext) ? NULL : &t->agentv[i];
	if (!ag)
		return false;
	for (size_t i = 0; i < q->skillc; i++) {
		bool has = false;
		for (size_t k = 0; k < ag->skillc && !has; k++)
			has = !strcmp(ag->skills[k].name, q->skills[i].name) &&
			      ag->skills[k].level >= q->skills[i].level;
		if (!has)
			return false;
	}
	return true;
}

const struct cfg_tier *cfg_tier_find(const struct cfg_tenant *t, const char *name)
{
	for (size_t i = 0; t && name && i < t->tierc; i++) {
		if (!strcmp(t->tiers[i].name, name))
			return &t->tiers[i];
	}
	return NULL;
}

/* Every reference must land on something that exists. */
static void ref_check(struct cfg_parse *cp, const struct cfg_flow *f,
		      const struct cfg_ivr_node *nd, const char *what, const char *id)
{
	if (id[0] && !cfg_flow_node(f, id))
		cfg__error(cp->errs, cp->file, nd->line, what,
			   "node \"%s\" of flow \"%s\" names node \"%s\", which "
			   "the flow does not have",
			   nd->id, f->name, id);
}

static int agent_level(const struct cfg_agent *a, const char *skill)
{
	for (size_t i = 0; i < a->skillc; i++) {
		if (!strcmp(a->skills[i].name, skill))
			return a->skills[i].level;
	}
	return 0;
}

/* A member exists, is listed once and has the queue's skills. */
static void members_check(struct cfg_parse *cp, const struct cfg_tenant *t,
			  const struct cfg_queue *q)
{
	for (size_t j = 0; j < q->memberc; j++) {
		const char *ext = q->members[j].ext;
		const struct cfg_agent *a = cfg_agent_find(t, ext);

		if (!a) {
			cfg__error(cp->errs, cp->file, q->line, "queues.members",
				   "queue \"%s\": member %s is not an agent", q->name,
				   ext);
			continue;
		}
		for (size_t k = 0; k < j; k++) {
			if (!strcmp(q->members[k].ext, ext)) {
				cfg__error(cp->errs, cp->file, q->line, "queues.members",
					   "queue \"%s\": member %s is listed twice",
					   q->name, ext);
				break;
			}
		}
		for (size_t k = 0; k < q->skillc; k++) {
			if (agent_level(a, q->skills[k].name) < q->skills[k].level) {
				cfg__error(cp->errs, cp->file, q->line, "queues.members",
					   "queue \"%s\": member %s lacks skill %s at "
					   "level %u",
					   q->name, ext, q->skills[k].name,
					   (unsigned)q->skills[k].level);
				break;
			}
		}
	}
}

/* The queue, flow or extension a target names exists. */
static void target_check(struct cfg_parse *cp, const struct cfg_tenant *t,
			 const struct cfg_queue *q, const char *key, const char *to)
{
	if (!strncmp(to, "queue:", 6)) {
		if (!strcmp(to + 6, q->name))
			cfg__error(cp->errs, cp->file, q->line, key,
				   "queue \"%s\" cannot send callers to itself", q->name);
		else if (!cfg_queue_find(t, to + 6))
			cfg__error(cp->errs, cp->file, q->line, key,
				   "queue \"%s\" is not defined", to + 6);
	} else if (!strncmp(to, "flow:", 5) && !cfg_flow_find(t, to + 5)) {
		cfg__error(cp->errs, cp->file, q->line, key, "flow \"%s\" is not defined",
			   to + 5);
	} else if (!strncmp(to, "extension:", 10) && !cfg_agent_find(t, to + 10)) {
		cfg__error(cp->errs, cp->file, q->line, key,
			   "extension %s is not an agent", to + 10);
	}
}

/* Following queue:NAME overflows from q must never come back to a queue
 * already passed: callers would circle for ever. */
static void overflow_loop_check(struct cfg_parse *cp, const struct cfg_tenant *t,
				const struct cfg_queue *q)
{
	const struct cfg_queue *path[64];
	size_t n = 0;
	const struct cfg_queue *cur = q;

	while (cur && !strncmp(cur->overflow, "queue:", 6) && n < 64) {
		const struct cfg_queue *next = cfg_queue_find(t, cur->overflow + 6);
		path[n++] = cur;
		if (next == q) {
			char msg[200] = "";
			for (size_t i = 0; i < n; i++)
				snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
					 "%s -> ", path[i]->name);
			snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), "%s",
				 q->name);
			cfg__error(cp->errs, cp->file, q->line, "queues.overflow",
				   "overflow loop %s", msg);
			return;
		}
		for (size_t i = 1; i < n; i++)
			if (path[i] == next)
				return; /* a loop that q only leads into: reported there
					 */
		cur = next;
	}
}

static void tenant_check(struct cfg_parse *cp, const struct cfg_tenant *t)
{
	for (size_t i = 0; i < t->queuec; i++) {
		const struct cfg_queue *q = &t->queuev[i];

		members_check(cp, t, q);
		target_check(cp, t, q, "queues.overflow", q->overflow);
		target_check(cp, t, q, "queues.exit_to", q->exit_to);
		overflow_loop_check(cp, t, q);
	}
	for (size_t i = 0; i < t->numberc; i++) {
		const struct cfg_number *nb = &t->numberv[i];
		if (nb->flow[0] && !cfg_flow_find(t, nb->flow))
			cfg__error(cp->errs, cp->file, nb->line, "numbers.flow",
				   "number %s runs flow \"%s\", which is not defined",
				   nb->number, nb->flow);
		if (cfg_agent_find(t, nb->number))
			cfg__error(cp->errs, cp->file, nb->line, "numbers.number",
				   "%s is also an agent's extension", nb->number);
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(t->numberv[j].number, nb->number))
				cfg__error(cp->errs, cp->file, nb->line, "numbers.number",
					   "%s is already defined on line %d", nb->number,
					   t->numberv[j].line);
		}
	}
	for (size_t i = 0; i < t->flowc; i++) {
		const struct cfg_flow *f = &t->flowv[i];

		if (f->start[0] && !cfg_flow_node(f, f->start))
			cfg__error(cp->errs, cp->file, f->line, "flows.start",
				   "flow \"%s\" starts at \"%s\", which it does not "
				   "have",
				   f->name, f->start);
		for (size_t j = 0; j < f->nodec; j++) {
			const struct cfg_ivr_node *nd = &f->nodev[j];

			for (size_t k = 0; k < j; k++) {
				if (nd->id[0] && !strcmp(f->nodev[k].id, nd->id))
					cfg__error(cp->errs, cp->file, nd->line,
						   "nodes.id",
						   "node \"%s\" is already "
						   "defined on line %d",
						   nd->id, f->nodev[k].line);
			}
			ref_check(cp, f, nd, "nodes.next", nd->next);
			ref_check(cp, f, nd, "nodes.open", nd->open);
			ref_check(cp, f, nd, "nodes.closed", nd->closed);
			ref_check(cp, f, nd, "nodes.default", nd->default_next);
			for (size_t k = 0; k < nd->optionc; k++)
				ref_check(cp, f, nd, "nodes.options",
					  nd->options[k].next);
			if (nd->type == IVR_NODE_QUEUE && nd->queue[0] &&
			    !cfg_queue_find(t, nd->queue))
				cfg__error(cp->errs, cp->file, nd->line, "nodes.queue",
					   "queue \"%s\" is not defined", nd->queue);
			if (nd->type == IVR_NODE_TRANSFER && nd->target[0] &&
			    !cfg_agent_find(t, nd->target))
				cfg__error(cp->errs, cp->file, nd->line, "nodes.target",
					   "extension %s is not an agent", nd->target);
			if (nd->type == IVR_NODE_HOURS) {
				const char *cal =
				    nd->hours[0] ? nd->hours : t->hours_default;
				if (!cfg_hours_find(t, cal))
					cfg__error(cp->errs, cp->file, nd->line,
						   "nodes.hours",
						   "calendar \"%s\" is not defined in "
						   "hours",
						   cal);
			}
		}
	}
}

/* A tenant file's top-level keys (cfg_file_kind tells the files apart by
 * them). */
const char *const cfg__tenant_keys[] = {
    "name",	"hours",	 "hours_default", "agents",   "queues",	     "numbers",
    "flows",	"pause_reasons", "dispositions",  "crm",      "tickets",     "dialing",
    "language", "chat",		 "trunks",	  "outbound", "conferences", NULL};

int cfg_tenant_parse(struct cfg_tenant **tp, const char *name, const char *yaml,
		     size_t len, struct cfg_errors *errs)
{
	yaml_document_t doc;
	struct cfg_parse cp = {.file = name, .errs = errs, .doc = &doc};
	struct cfg_errors local;
	struct cfg_tenant *t;
	yaml_node_t *root;
	size_t before;
	int err;

	if (!tp || !name || (!yaml && len))
		return EINVAL;
	if (!errs) {
		memset(&local, 0, sizeof(local));
		cp.errs = errs = &local;
	}
	before = errs->msgc;
	t = mem_zalloc(sizeof(*t), tenant_destructor);
	if (!t)
		return ENOMEM;
	util_copy(t->file, sizeof(t->file), name);
	err = cfg__load(&cp, yaml ? yaml : "", len);
	if (err) {
		mem_deref(t);
		return err;
	}
	root = yaml_document_get_root_node(&doc);
	if (!root || root->type != YAML_MAPPING_NODE) {
		cfg__error(errs, name, cfg__line(root), "file",
			   "expected a map with agents, queues, numbers, flows");
	} else {
		cfg__check_keys(&cp, root, "tenant", cfg__tenant_keys);
		cfg__str(&cp, cfg__get(&doc, root, "name"), "name", t->name,
			 sizeof(t->name));
		cfg__str(&cp, cfg__get(&doc, root, "hours_default"), "hours_default",
			 t->hours_default, sizeof(t->hours_default));
		language_parse(&cp, cfg__get(&doc, root, "language"), "language",
			       t->language, sizeof(t->language), "");
		hours_parse(&cp, t, root);
		agents_parse(&cp, t, root);
		queues_parse(&cp, t, root);
		numbers_parse(&cp, t, root);
		conferences_parse(&cp, t, root);
		flows_parse(&cp, t, root);
		reasons_parse(&cp, t, root);
		crm_parse(&cp, t, root);
		tickets_parse(&cp, t, root);
		cfg__dialing_parse(&cp, t, root);
		cfg__trunks_parse(&cp, t, root);
		cfg__chat_parse(&cp, t, root);
		if (!t->hours_default[0] && t->hoursc)
			util_copy(t->hours_default, sizeof(t->hours_default),
				  t->hoursv[0].name);
		tenant_check(&cp, t);
	}
	yaml_document_delete(&doc);
	if (errs->msgc > before) {
		mem_deref(t);
		return EINVAL;
	}
	*tp = t;
	return 0;
}

int cfg_tenant_load(struct cfg_tenant **tp, const char *path, struct cfg_errors *errs)
{
	char *buf = NULL;
	size_t len = 0;
	int err;

	err = cfg__read_file(path, &buf, &len, errs);
	if (err)
		return err;
	err = cfg_tenant_parse(tp, path, buf, len, errs);
	free(buf);
	return err;
}

/* --- look-ups --------------------------------------------------------- */

static int agent_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, (*(const struct cfg_agent *const *)elem)->ext);
}

const struct cfg_agent *cfg_agent_find(const struct cfg_tenant *t, const char *ext)
{
	if (t && ext && t->agent_sorted) {
		const struct cfg_agent *const *a =
		    bsearch(ext, t->agent_sorted, t->agentc, sizeof(*t->agent_sorted),
			    agent_key_cmp);
		return a ? *a : NULL;
	}
	for (size_t i = 0; t && ext && i < t->agentc; i++) {
		if (!strcmp(t->agentv[i].ext, ext))
			return &t->agentv[i];
	}
	return NULL;
}

const struct cfg_queue *cfg_queue_find(const struct cfg_tenant *t, const char *name)
{
	for (size_t i = 0; t && name && i < t->queuec; i++) {
		if (!strcmp(t->queuev[i].name, name))
			return &t->queuev[i];
	}
	return NULL;
}

const struct cfg_flow *cfg_flow_find(const struct cfg_tenant *t, const char *name)
{
	for (size_t i = 0; t && name && i < t->flowc; i++) {
		if (!strcmp(t->flowv[i].name, name))
			return &t->flowv[i];
	}
	return NULL;
}

const struct cfg_hours *cfg_hours_find(const struct cfg_tenant *t, const char *name)
{
	for (size_t i = 0; t && name && i < t->hoursc; i++) {
		if (!strcmp(t->hoursv[i].name, name))
			return &t->hoursv[i];
	}
	return NULL;
}

const struct cfg_ivr_node *cfg_flow_node(const struct cfg_flow *f, const char *id)
{
	for (size_t i = 0; f && id && i < f->nodec; i++) {
		if (!strcmp(f->nodev[i].id, id))
			return &f->nodev[i];
	}
	return NULL;
}

const struct cfg_number *cfg_number_find(const struct cfg_tenant *t, const char *number)
{
	for (size_t i = 0; t && number && i < t->numberc; i++) {
		if (!strcmp(t->numberv[i].number, number))
			return &t->numberv[i];
	}
	return NULL;
}

const struct cfg_conference *cfg_conference_find(const struct cfg_tenant *t,
						 const char *number)
{
	for (size_t i = 0; t && number && i < t->conferencec; i++) {
		if (!strcmp(t->conferencev[i].number, number))
			return &t->conferencev[i];
	}
	return NULL;
}

/* --- business hours ---------------------------------------------------- */

/* Local time in an IANA zone, without the process-wide TZ (clock_local):
 * the hours are read from worker threads too. */
static void local_time(const char *tz, time_t t, struct tm *tm)
{
	(void)clock_local(tz, (uint64_t)t * 1000, tm);
}

void cfg_hours_local(const struct cfg_hours *h, uint64_t utc_ms, struct tm *tm)
{
	local_time(h ? h->tz : "", (time_t)(utc_ms / 1000), tm);
}

static bool date_listed(const char (*v)[11], size_t n, const char *date)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v[i], date))
			return true;
	}
	return false;
}

void cfg_hours_day(const struct cfg_hours *h, const struct tm *tm, int *open, int *close)
{
	char date[48];
	int day = (tm->tm_wday + 6) % 7; /* Monday = 0 */

	snprintf(date, sizeof(date), "%04d-%02d-%02d", tm->tm_year + 1900, tm->tm_mon + 1,
		 tm->tm_mday);
	*open = *close = 0;
	if (date_listed(h->holidays, h->holidayc, date))
		return;
	if (date_listed(h->workdays, h->workdayc, date)) {
		if (h->workday_hours.close) {
			*open = h->workday_hours.open;
			*close = h->workday_hours.close;
			return;
		}
		/* a made-up Saturday is worked as a normal weekday */
		for (day = 0; day < 5 && h->week[day].open == h->week[day].close; day++)
			;
		if (day == 5)
			return;
	}
	*open = h->week[day].open;
	*close = h->week[day].close;
}

bool cfg_hours_open(const struct cfg_hours *h, uint64_t utc_ms)
{
	struct tm tm;
	int open, close, min;

	if (!h)
		return true; /* no calendar: always open */
	local_time(h->tz, (time_t)(utc_ms / 1000), &tm);
	cfg_hours_day(h, &tm, &open, &close);
	min = tm.tm_hour * 60 + tm.tm_min;
	return min >= open && min < close;
}
