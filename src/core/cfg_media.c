/*
 * cfg_media.c — the files a tenant names (a queue's music, a flow's
 * recorded prompts) found in the media folder under the data directory,
 * and nowhere else.
 *
 * A supervisor sets a queue's music over the API: a path that could point
 * anywhere would play stored call recordings to waiting callers, or save
 * /etc/shadow into the tenant file (which then stops the server from
 * starting). So a name is taken within <data_dir>/media/moh (music) or
 * <data_dir>/media/prompts (prompts): an absolute path or a ".." is
 * refused as written, and what the name leads to once every symbolic link
 * is followed must still be inside the folder. A name that is missing,
 * unreadable or leads out gets one and the same answer, so the answers
 * tell nothing of which files exist elsewhere.
 *
 * Not here: whether a file is a WAV the media engine can play (sip/call
 * loads it before a tenant is saved or applied).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <re.h>
#include "core/core.h"
#include "core/cfg.h"
#include "core/cfg_int.h"

/* Does name climb out as written: absolute, or a ".." part? */
static bool media_name_escapes(const char *name)
{
	if (name[0] == '/')
		return true;
	for (const char *p = name; (p = strstr(p, "..")); p += 2) {
		if ((p == name || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return true;
	}
	return false;
}

/* Can this process read what path is (a file, or a folder when folder_ok)? */
static bool media_readable(const char *path, bool folder_ok)
{
	struct stat st;
	int fd;

	if (stat(path, &st))
		return false;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = folder_ok ? opendir(path) : NULL;

		if (d)
			closedir(d);
		return d != NULL;
	}
	if (!S_ISREG(st.st_mode))
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/*
 * name within the folder root (already a real path, or "" when the folder
 * is missing) into path: 0, EPERM when the name climbs out as written,
 * ENOENT for everything else that is not a readable file (or folder) in
 * it.
 */
static int media_resolve(char *path, size_t sz, const char *root, const char *dir,
			 const char *name, bool folder_ok)
{
	char joined[PATH_MAX], real[PATH_MAX];
	size_t rl = strlen(root);

	if (media_name_escapes(name))
		return EPERM;
	if (!rl ||
	    snprintf(joined, sizeof(joined), "%s/%s", dir, name) >= (int)sizeof(joined))
		return ENOENT;
	if (!realpath(joined, real) || strncmp(real, root, rl) || real[rl] != '/' ||
	    !media_readable(real, folder_ok) || util_copy(path, sz, real))
		return ENOENT;
	return 0;
}

/* One tenant key's media name resolved in place, or its error reported. */
static void media_key(struct cfg_errors *errs, const struct cfg_tenant *t, int line,
		      const char *key, char *value, size_t sz, const char *data_dir,
		      const char *sub, bool folder_ok)
{
	char dir[PATH_MAX], root[PATH_MAX] = "", path[CFG_PATH];
	int err;

	if (!value[0])
		return;
	snprintf(dir, sizeof(dir), "%s/%s", data_dir, sub);
	if (!realpath(dir, root))
		root[0] = '\0';
	err = media_resolve(path, sizeof(path), root, dir, value, folder_ok);
	if (err == EPERM)
		cfg__error(errs, t->file, line, key,
			   "\"%s\" must be a name in the media folder (%s under the data "
			   "directory), not a path out of it",
			   value, sub);
	else if (err)
		cfg__error(errs, t->file, line, key,
			   "\"%s\" is not a readable WAV %sin the media folder (%s under "
			   "the data directory)",
			   value, folder_ok ? "file or folder " : "file ", sub);
	else
		util_copy(value, sz, path);
	if (err)
		value[0] = '\0';
}

bool cfg_notice_is_file(const char *notice)
{
	size_t n = notice ? strlen(notice) : 0;

	return n > 4 && !strcasecmp(notice + n - 4, ".wav");
}

int cfg_tenant_media(struct cfg_tenant *t, const char *data_dir, struct cfg_errors *errs)
{
	size_t before;

	if (!t || !data_dir || !errs)
		return EINVAL;
	before = errs->msgc;
	for (size_t i = 0; i < t->queuec; i++) {
		struct cfg_queue *q = &t->queuev[i];

		media_key(errs, t, q->line, "queues.moh", q->moh, sizeof(q->moh),
			  data_dir, CFG_MEDIA_MOH, true);
		if (cfg_notice_is_file(q->recording_notice))
			media_key(errs, t, q->line, "queues.recording_notice",
				  q->recording_notice, sizeof(q->recording_notice),
				  data_dir, CFG_MEDIA_PROMPTS, false);
	}
	for (size_t i = 0; i < t->numberc; i++) {
		struct cfg_number *nb = &t->numberv[i];

		if (cfg_notice_is_file(nb->recording_notice))
			media_key(errs, t, nb->line, "numbers.recording_notice",
				  nb->recording_notice, sizeof(nb->recording_notice),
				  data_dir, CFG_MEDIA_PROMPTS, false);
	}
	for (size_t i = 0; i < t->flowc; i++) {
		for (size_t j = 0; j < t->flowv[i].nodec; j++) {
			struct cfg_ivr_node *n = &t->flowv[i].nodev[j];

			media_key(errs, t, n->line, "nodes.file", n->file,
				  sizeof(n->file), data_dir, CFG_MEDIA_PROMPTS, false);
		}
	}
	return errs->msgc > before ? EINVAL : 0;
}

int cfg_media_dirs_make(const char *data_dir)
{
	const char *const sub[] = {CFG_MEDIA_MOH, CFG_MEDIA_PROMPTS};
	char path[PATH_MAX];
	int err = 0;

	for (size_t i = 0; !err && i < sizeof(sub) / sizeof(sub[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", data_dir, sub[i]);
		err = util_mkdir(path);
	}
	return err;
}
