/*
 * cfg_edit.h — one change to a YAML file in its text: the value of one key
 * of one item of a top-level list ("queues", the item whose "name" is
 * "sales", key "strategy"). Everything else stays as written: comments,
 * order, layout, flow or block style. The admin pages change the tenant
 * file this way; the result is then checked like any other tenant file.
 */
#ifndef HOTLINE_CFG_EDIT_H
#define HOTLINE_CFG_EDIT_H

#include <stddef.h>

/*
 * Sets key to value (YAML flow text: JSON is fine) in the item of the
 * top-level list whose name_key is name; a key the item lacks is added
 * after its name_key. *outp is a new NUL-terminated text (free()).
 * ENOENT: no such list or item; EINVAL: the text is not YAML or the list
 * is not a list of mappings; ENOMEM.
 */
int cfg_edit_item(char **outp, const char *text, size_t len, const char *list,
		  const char *name_key, const char *name, const char *key,
		  const char *value);

#endif
