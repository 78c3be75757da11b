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
		if (!json_is_string(v) || !msg_same_args(key, json_string_value(v))) {
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
