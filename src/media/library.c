/*
 * library.c — the prompts and music a running tenant plays, each made or
 * loaded once and kept by what it is: a text by its voice and words (one
 * text in two languages is two prompts, rendered by TTS into the prompt
 * folder), a file by its path, a queue's music by its file or folder.
 *
 * Made at start-up and when a tenant is applied, never on the main loop
 * during calls; read by the calls while they play. What a tenant's flows
 * and queues say is decided by their user (the voice adapter).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <re.h>
#include "core/core.h"
#include "core/cfg.h"
#include "media/media.h"

struct media_library {
	char prompt_dir[CFG_PATH];
	struct hash *prompts; /* struct entry, by key */
	struct list music;    /* struct music */
};

struct music {
	struct le le;
	struct media_playlist pl;
};

struct entry {
	struct le le;
	char *key; /* the voice and the text, or "file:" + path */
	struct prompt *p;
};

static void entry_destructor(void *arg)
{
	struct entry *e = arg;

	hash_unlink(&e->le);
	mem_deref(e->key);
	mem_deref(e->p);
}

static void library_destructor(void *arg)
{
	struct media_library *l = arg;

	hash_flush(l->prompts);
	mem_deref(l->prompts);
	list_flush(&l->music);
}

int media_library_alloc(struct media_library **lp, const char *prompt_dir)
{
	struct media_library *l;
	int err;

	if (!lp || !prompt_dir)
		return EINVAL;
	l = mem_zalloc(sizeof(*l), library_destructor);
	if (!l)
		return ENOMEM;
	util_copy(l->prompt_dir, sizeof(l->prompt_dir), prompt_dir);
	err = hash_alloc(&l->prompts, 64);
	if (err) {
		mem_deref(l);
		return err;
	}
	*lp = l;
	return 0;
}

/* A prompt's key: a file by its path, a text by its voice and the text. */
static void prompt_key(char *key, size_t sz, const char *text, const char *file,
		       const char *voice)
{
	if (file && *file)
		snprintf(key, sz, "file:%s", file);
	else
		snprintf(key, sz, "%s\x1f%s", tts_voice(voice), text ? text : "");
}

static struct prompt *prompt_find(const struct media_library *l, const char *key)
{
	struct le *le;

	LIST_FOREACH(hash_list(l->prompts, hash_joaat_str(key)), le)
	{
		struct entry *e = le->data;
		if (!strcmp(e->key, key))
			return e->p;
	}
	return NULL;
}

int media_library_prompt_add(struct media_library *l, const char *text, const char *file,
			     const char *voice)
{
	char key[CFG_PATH + CFG_NAME + 8], path[512];
	struct entry *e;
	struct prompt *p = NULL;
	int err;

	if (!l)
		return EINVAL;
	if ((!file || !*file) && (!text || !*text))
		return 0;
	prompt_key(key, sizeof(key), text, file, voice);
	if (prompt_find(l, key))
		return 0;
	if (file && *file) {
		err = prompt_load(&p, file);
		if (err) {
			log_error("ivr: prompt file=%s cannot be used: %s", file,
				  strerror(err));
			return err;
		}
	} else {
		err = tts_render(text, voice, l->prompt_dir, path, sizeof(path));
		if (!err)
			err = prompt_load(&p, path);
		if (err) {
			log_error("ivr: cannot synthesise prompt \"%.40s\": %s", text,
				  strerror(err));
			return err;
		}
	}
	e = mem_zalloc(sizeof(*e), entry_destructor);
	if (!e) {
		mem_deref(p);
		return ENOMEM;
	}
	e->p = p;
	err = str_dup(&e->key, key);
	if (err) {
		mem_deref(e);
		return err;
	}
	hash_append(l->prompts, hash_joaat_str(key), &e->le, e);
	return 0;
}

const struct prompt *media_library_prompt(const struct media_library *l, const char *text,
					  const char *file, const char *voice)
{
	char key[CFG_PATH + CFG_NAME + 8];

	if (!l)
		return NULL;
	prompt_key(key, sizeof(key), text, file, voice);
	return prompt_find(l, key);
}

static void music_destructor(void *arg)
{
	struct music *m = arg;

	list_unlink(&m->le);
	for (size_t i = 0; i < m->pl.filec; i++)
		mem_deref(m->pl.filev[i]);
}

static int wav_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A queue's music: its WAV file, or the WAV files of its folder in name
 * order, played one after the other. */
static int playlist_load(struct music **mp, const char *path)
{
	struct music *m = mem_zalloc(sizeof(*m), music_destructor);
	struct media_playlist *pl = m ? &m->pl : NULL;
	char *names[MEDIA_PLAYLIST_MAX];
	size_t n = 0;
	struct dirent *de;
	DIR *d;
	int err = 0;

	if (!m)
		return ENOMEM;
	d = opendir(path);
	if (!d) {
		err = prompt_load(&pl->filev[0], path);
		if (!err)
			pl->filec = 1;
		goto out;
	}
	while ((de = readdir(d)) && n < MEDIA_PLAYLIST_MAX) {
		size_t len = strlen(de->d_name);
		if (len > 4 && !strcasecmp(de->d_name + len - 4, ".wav"))
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), wav_cmp);
	for (size_t i = 0; i < n; i++) {
		char file[512];
		snprintf(file, sizeof(file), "%s/%s", path, names[i]);
		if (!err && names[i]) {
			err = prompt_load(&pl->filev[pl->filec], file);
			if (err)
				log_error("moh: cannot use file=%s: %s", file,
					  strerror(err));
			else
				pl->filec++;
		}
		free(names[i]);
	}
	if (!err && !pl->filec)
		err = ENOENT;
out:
	if (err) {
		log_error("moh: no music in %s: %s", path, strerror(err));
		mem_deref(m);
		return err;
	}
	*mp = m;
	return 0;
}

const struct media_playlist *media_library_music(const struct media_library *l,
						 const char *path)
{
	if (!l || !path)
		return NULL;
	for (struct le *le = l->music.head; le; le = le->next) {
		const struct music *m = le->data;
		if (!strcmp(m->pl.path, path))
			return &m->pl;
	}
	return NULL;
}

int media_library_music_add(struct media_library *l, const char *path)
{
	struct music *m = NULL;
	int err;

	if (!l || !path)
		return EINVAL;
	if (!path[0] || media_library_music(l, path))
		return 0;
	err = playlist_load(&m, path);
	if (err)
		return err;
	util_copy(m->pl.path, sizeof(m->pl.path), path);
	list_append(&l->music, &m->le, m);
	return 0;
}
