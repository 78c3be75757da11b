/*
 * msg.c — the server's texts for people in their language (issue 14): a
 * catalog per language, <web dir>/server/<tag>.json, maps the English
 * printf format a text is written with (its id, as gettext does) to the
 * same format in that language. English needs no file: a text without a
 * translation stays English.
 *
 * A translation is checked when loaded: it must take the same arguments
 * in the same order (the same conversions, %s %zu ...), or it is left out
 * with a warning, so a catalog can never make a format read what the
 * caller did not pass. Loaded once at start; read-only afterwards.
 *
 * A line the server stores (a ticket's history) is kept as a message key
 * and its arguments and worded when read (msg_make, msg_show below).
 *
 * Not here: the pages' own words (web/i18n-*.json).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>
#include "core/core.h"

#define MSG_LANGS 16

static struct msg_lang {
	char tag[16];	 /* "zh-CN" */
	json_t *formats; /* English format -> this language's */
} langs[MSG_LANGS];
static size_t langc;

/* The conversions of a printf format in order ("s zu d"), into out. */
static void conversions(const char *f, char *out, size_t sz)
{
	size_t o = 0;

	out[0] = '\0';
	for (; *f; f++) {
		if (*f != '%')
			continue;
		if (*++f == '%')
			continue;
		while (*f && strchr("-+ #0123456789.*", *f))
			f++;
		while (*f && strchr("hlLqjzt", *f) && o + 2 < sz)
			out[o++] = *f++;
		if (!*f || o + 3 >= sz)
			break;
		out[o++] = *f;
		out[o++] = ' ';
		out[o] = '\0';
	}
}

bool msg_same_args(const char *a, const char *b)
{
	char ca[128], cb[128];

	conversions(a, ca, sizeof(ca));
	conversions(b, cb, sizeof(cb));
	return !strcmp(ca, cb);
}

static void lang_load(const char *path, const char *tag)
{
	json_error_t jerr;
	json_t *o = json_load_file(path, 0, &jerr), *v, *keep;
	const char *key;

	if (!json_is_object(o) || langc >= MSG_LANGS) {
		log_warn("msg: catalog not loaded file=%s: %s", path,
			 o ? "not an object, or too many" : jerr.text);
		json_decref(o);
		return;
	}
	keep = json_object();
	json_object_foreach(o, key, v)
	{
		/* a message key's translation takes its English format's
		 * arguments; any other key is an English format itself */
		const char *english = msg_key_english(key);

		if (!json_is_string(v) ||
		    !msg_same_args(english ? english : key, json_string_value(v))) {
			log_warn("msg: %s: \"%.40s\" left out: not text with the same "
				 "arguments as the English",
				 tag, key);
			continue;
		}
		json_object_set(keep, key, v);
	}
	json_decref(o);
	util_copy(langs[langc].tag, sizeof(langs[langc].tag), tag);
	langs[langc++].formats = keep;
	log_info("msg: catalog lang=%s texts=%zu", tag, json_object_size(keep));
}

int msg_load(const char *dir)
{
	char path[512], tag[16];
	struct dirent *de;
	DIR *d;

	msg_close();
	snprintf(path, sizeof(path), "%s/server", dir ? dir : "web");
	d = opendir(path);
	if (!d)
		return errno;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (de->d_name[0] == '.' || n < 6 || n - 5 >= sizeof(tag) ||
		    strcmp(de->d_name + n - 5, ".json"))
			continue;
		snprintf(tag, sizeof(tag), "%.*s", (int)(n - 5), de->d_name);
		snprintf(path, sizeof(path), "%s/server/%s", dir ? dir : "web",
			 de->d_name);
		lang_load(path, tag);
	}
	closedir(d);
	return 0;
}

void msg_close(void)
{
	for (size_t i = 0; i < langc; i++)
		json_decref(langs[i].formats);
	langc = 0;
}

/* The catalog for a language tag: the tag itself, else one of its
 * language ("zh" or "zh-TW" find zh-CN when that is the only Chinese). */
static const struct msg_lang *lang_find(const char *locale)
{
	size_t n;

	if (!locale || !*locale)
		return NULL;
	for (size_t i = 0; i < langc; i++)
		if (!strcasecmp(langs[i].tag, locale))
			return &langs[i];
	n = strcspn(locale, "-_");
	for (size_t i = 0; i < langc; i++)
		if (!strncasecmp(langs[i].tag, locale, n) &&
		    (langs[i].tag[n] == '-' || !langs[i].tag[n]))
			return &langs[i];
	return NULL;
}

const char *msg_fmt(const char *locale, const char *fmt)
{
	const struct msg_lang *l = lang_find(locale);
	const char *t = l ? json_string_value(json_object_get(l->formats, fmt)) : NULL;

	return t ? t : fmt;
}

bool msg_has(const char *locale)
{
	return lang_find(locale) != NULL;
}

/* Does text read as fmt with some strings in its conversions' places?
 * The strings (at most max, each a view into text) in cap/caplen. Each
 * conversion takes up to where the literal after it next appears. */
static int match(const char *fmt, const char *text, const char **cap, size_t *caplen,
		 size_t max)
{
	size_t n = 0;

	while (*fmt) {
		if (*fmt != '%' || fmt[1] == '%') {
			size_t k = *fmt == '%' ? 2 : 1;
			if (*text != *fmt)
				return -1;
			text++;
			fmt += k;
			continue;
		}
		/* skip the conversion, then find the literal that follows */
		fmt++;
		while (*fmt && strchr("-+ #0123456789.*hlLqjzt", *fmt))
			fmt++;
		if (!*fmt++ || n >= max)
			return -1;
		{
			const char *lit = fmt, *end;
			size_t litlen = strcspn(lit, "%");
			char buf[64];

			if (!litlen) {
				if (*lit)
					return -1; /* two conversions in a row: ambiguous
						    */
				end = text + strlen(text);
			} else {
				if (litlen >= sizeof(buf))
					litlen = sizeof(buf) - 1;
				memcpy(buf, lit, litlen);
				buf[litlen] = '\0';
				end = strstr(text, buf);
				if (!end)
					return -1;
			}
			cap[n] = text;
			caplen[n++] = (size_t)(end - text);
			text = end;
		}
	}
	return *text ? -1 : (int)n;
}

/* --- texts kept as a key and its arguments ------------------------------------
 *
 * A line the server writes into something stored (a ticket's history) is
 * kept as {"key": "ticket.status", "args": [...]}, not as English, so each
 * reader gets it in their own language whenever it is read. An argument
 * is either text as it was (a subject, an agent's name: never translated)
 * or one of our own words, {"w": "open"}, looked up in the reader's
 * catalog like a format. A catalog translates a key itself ("ticket.status":
 * "工单状态：%s → %s"), checked at load against the key's English format.
 *
 * spec, one letter an argument: t text, w our word, n a name or nobody
 * (empty), g a group or "a group" (empty).
 */
static const struct msg_def {
	const char *key, *kind, *fmt, *spec;
} defs[] = {
    {"ticket.created.assigned", "created", "%s; %s, %s, assigned to %s", "twtn"},
    {"ticket.created", "created", "%s; %s, %s", "twt"},
    {"ticket.status", "status", "%s → %s", "ww"},
    {"ticket.priority", "priority", "%s → %s", "ww"},
    {"ticket.assign", "assign", "%s → %s", "nn"},
    {"ticket.rated", "rated", "satisfaction %s of 5", "t"},
    {"ticket.fields.both", "fields", "%s; removed: %s", "tt"},
    {"ticket.fields.removed", "fields", "removed: %s", "t"},
    {"ticket.fields", "fields", "%s", "t"}, /* last: reads any old line */
    {"ticket.sla.breached", "sla", "%s target breached", "w"},
    {"ticket.sla.near", "sla", "%s target near", "w"},
    {"ticket.escalated", "escalated", "priority %s, assignee %s → %s", "wnn"},
    {"ticket.escalated.kept", "escalated",
     "priority %s, assignee %s kept: nobody else in %s is available", "wng"},
};

static const struct msg_def *def_find(const char *key)
{
	for (size_t i = 0; key && i < sizeof(defs) / sizeof(defs[0]); i++)
		if (!strcmp(defs[i].key, key))
			return &defs[i];
	return NULL;
}

const char *msg_key_english(const char *key)
{
	const struct msg_def *d = def_find(key);

	return d ? d->fmt : NULL;
}

/* One argument by its letter of spec: a word, or text as it is. */
static json_t *arg_json(char spec, const char *s)
{
	if (spec == 'w')
		return json_pack("{s:s}", "w", s ? s : "");
	if (spec == 'n' && (!s || !*s))
		return json_pack("{s:s}", "w", "nobody");
	if (spec == 'g' && (!s || !*s))
		return json_pack("{s:s}", "w", "a group");
	return json_string(s ? s : "");
}

int msg_make(char *out, size_t sz, const char *key, const char *const *args)
{
	const struct msg_def *d = def_find(key);
	json_t *arr, *m;
	char *text;
	int err = 0;

	if (!d || !out || !sz)
		return EINVAL;
	arr = json_array();
	for (size_t i = 0; d->spec[i]; i++)
		json_array_append_new(arr, arg_json(d->spec[i], args[i]));
	m = json_pack("{s:s,s:o}", "key", key, "args", arr);
	text = m ? json_dumps(m, JSON_COMPACT) : NULL;
	if (!text)
		err = ENOMEM;
	else if (strlen(text) >= sz)
		err = E2BIG;
	else
		memcpy(out, text, strlen(text) + 1);
	free(text);
	json_decref(m);
	return err;
}

char *msg_parse(const char *kind, const char *text)
{
	for (size_t i = 0; kind && text && i < sizeof(defs) / sizeof(defs[0]); i++) {
		const struct msg_def *d = &defs[i];
		const char *cap[8];
		size_t caplen[8];
		json_t *arr, *m;
		char *out;
		int n;

		if (strcmp(d->kind, kind) ||
		    (n = match(d->fmt, text, cap, caplen, 8)) != (int)strlen(d->spec))
			continue;
		arr = json_array();
		for (int k = 0; k < n; k++) {
			char *s = strndup(cap[k], caplen[k]);
			char spec = d->spec[k];

			/* as written back then: "nobody", "a group" were words */
			if (s && ((spec == 'n' && !strcmp(s, "nobody")) ||
				  (spec == 'g' && !strcmp(s, "a group"))))
				s[0] = '\0';
			json_array_append_new(arr, arg_json(spec, s));
			free(s);
		}
		m = json_pack("{s:s,s:o}", "key", d->key, "args", arr);
		out = m ? json_dumps(m, JSON_COMPACT) : NULL;
		json_decref(m);
		return out;
	}
	return NULL;
}

bool msg_show(const char *locale, const char *text, char *out, size_t sz)
{
	json_t *m = text && *text ? json_loads(text, 0, NULL) : NULL;
	const char *key = json_string_value(json_object_get(m, "key"));
	const struct msg_def *d = def_find(key);
	const json_t *args = json_object_get(m, "args");
	const char *t;
	size_t o = 0, k = 0;

	if (!d || !json_is_array(args) || !sz) {
		json_decref(m);
		return false;
	}
	t = msg_fmt(locale, key);
	if (t == key)
		t = d->fmt; /* no translation: English */
	for (const char *p = t; *p && o + 1 < sz;) {
		const json_t *a;
		const char *s;

		if (*p != '%') {
			out[o++] = *p++;
			continue;
		}
		if (p[1] == '%') {
			out[o++] = '%';
			p += 2;
			continue;
		}
		p++;
		while (*p && strchr("-+ #0123456789.*hlLqjzt", *p))
			p++;
		if (*p)
			p++;
		a = json_array_get(args, k++);
		s = json_is_object(a)
			? msg_fmt(locale, json_string_value(json_object_get(a, "w")))
			: json_string_value(a);
		o += (size_t)snprintf(out + o, sz - o, "%s", s ? s : "");
		if (o >= sz)
			o = sz - 1;
	}
	out[o] = '\0';
	util_utf8_trim(out);
	json_decref(m);
	return true;
}
