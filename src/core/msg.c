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

bool msg_render(const char *locale, const char *const *fmts, bool words, const char *text,
		char *out, size_t sz)
{
	for (size_t i = 0; fmts[i]; i++) {
		const char *t = msg_fmt(locale, fmts[i]), *cap[8];
		size_t caplen[8], o = 0, k = 0;
		int n;

		if (t == fmts[i] || (n = match(fmts[i], text, cap, caplen, 8)) < 0)
			continue;
		/* the translation, each conversion filled with its string (the
		 * same order: checked at load), a word translated when asked */
		for (const char *p = t; *p && o + 1 < sz;) {
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
			if (k < (size_t)n) {
				char word[64];
				const char *w = NULL;
				if (words && caplen[k] < sizeof(word)) {
					memcpy(word, cap[k], caplen[k]);
					word[caplen[k]] = '\0';
					w = msg_fmt(locale, word);
					w = w == word ? NULL : w;
				}
				o += (size_t)snprintf(out + o, sz - o, "%.*s",
						      w ? (int)strlen(w) : (int)caplen[k],
						      w ? w : cap[k]);
				if (o >= sz)
					o = sz - 1;
				k++;
			}
		}
		out[o] = '\0';
		util_utf8_trim(out);
		return true;
	}
	return false;
}
