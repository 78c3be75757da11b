/*
 * cfg_edit.h — one change to a YAML file in its text: the value of one key
 * of one item of a top-level list ("queues", the item whose "name" is
 * "sales", key "strategy"), a new item at the end of a top-level list, or
 * a top-level key's value. Everything else stays as written: comments,
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

/*
 * Appends item (YAML flow text: JSON is fine) to the top-level list: in a
 * block list a new "- item" line at the items' indentation after the last
 * item (before any comment lines that follow it); in a flow list ", item"
 * after the last one; a list the text lacks (or "list:" with no value)
 * becomes one with the item. *outp is a new NUL-terminated text (free()).
 * EINVAL: the text is not YAML, its root is not a mapping, list is not a
 * list, or the edit would not read back as one more item; ENOMEM.
 */
int cfg_edit_append(char **outp, const char *text, size_t len, const char *list,
		    const char *item);

/*
 * Sets the top-level key to value (YAML flow text): its value replaced
 * where it is (a block value becomes "key: value" on the key's line when
 * nothing but blanks is between them), or "key: value" added at the end.
 * *outp is a new NUL-terminated text (free()). EINVAL: the text is not
 * YAML or its root is not a mapping, or the edit would not read back;
 * ENOMEM.
 */
int cfg_edit_set(char **outp, const char *text, size_t len, const char *key,
		 const char *value);

#endif
