/*
 * cfg_edit.c — a key of a list item changed, an item appended to a list,
 * or a top-level key set, in the YAML text itself: the text is loaded with
 * libyaml only to find where things are (each node knows its place in the
 * text), then that span is replaced or new text inserted beside it.
 * Nothing else is rewritten. Appends and sets read their result back
 * before handing it out, so a layout this does not foresee is an error,
 * never a file that means something else.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "core/cfg_edit.h"

static yaml_node_t *pair_find(yaml_document_t *doc, yaml_node_t *map, const char *key,
			      yaml_node_t **keyp)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);

		if (k && k->type == YAML_SCALAR_NODE &&
		    k->data.scalar.length == strlen(key) &&
		    !memcmp(k->data.scalar.value, key, k->data.scalar.length)) {
			if (keyp)
				*keyp = k;
			return yaml_document_get_node(doc, p->value);
		}
	}
	return NULL;
}

/* Where node's text ends: a block collection ends with its last entry
 * (libyaml puts its end at the next token, past the line break). */
static size_t span_end(yaml_document_t *doc, const yaml_node_t *n)
{
	size_t end = n->end_mark.index;

	if (n->type == YAML_SEQUENCE_NODE &&
	    n->data.sequence.style != YAML_FLOW_SEQUENCE_STYLE) {
		end = n->start_mark.index;
		for (yaml_node_item_t *i = n->data.sequence.items.start;
		     i < n->data.sequence.items.top; i++) {
			size_t e = span_end(doc, yaml_document_get_node(doc, *i));
			end = e > end ? e : end;
		}
	} else if (n->type == YAML_MAPPING_NODE &&
		   n->data.mapping.style != YAML_FLOW_MAPPING_STYLE) {
		end = n->start_mark.index;
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top; p++) {
			size_t e = span_end(doc, yaml_document_get_node(doc, p->value));
			end = e > end ? e : end;
		}
	}
	return end;
}

/* text with [from, to) replaced by the NULL-ended pieces. */
static char *splice(const char *text, size_t len, size_t from, size_t to,
		    const char *const *pieces)
{
	size_t n = len - (to - from), at = from;
	char *out;

	for (size_t i = 0; pieces[i]; i++)
		n += strlen(pieces[i]);
	out = malloc(n + 1);
	if (!out)
		return NULL;
	memcpy(out, text, from);
	for (size_t i = 0; pieces[i]; i++) {
		memcpy(out + at, pieces[i], strlen(pieces[i]));
		at += strlen(pieces[i]);
	}
	memcpy(out + at, text + to, len - to);
	out[n] = '\0';
	return out;
}

/*
 * libyaml's marks count characters, and every splice here cuts bytes: in
 * any text with a character beyond ASCII (an em dash in a comment, a name
 * in Chinese) the two part. Each node's marks are turned into byte offsets
 * once, after loading, so everything below works on bytes. A UTF-8 byte
 * order mark is skipped by libyaml without counting it.
 */
static int marks_to_bytes(yaml_document_t *doc, const char *text, size_t len)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t from = 0, chars = 0, *at;

	if (len >= 3 && t[0] == 0xef && t[1] == 0xbb && t[2] == 0xbf)
		from = 3;
	for (size_t i = from; i < len; i++)
		chars += (t[i] & 0xc0) != 0x80;
	if (from == 0 && chars == len)
		return 0; /* ASCII: characters are bytes */
	at = malloc((chars + 1) * sizeof(*at));
	if (!at)
		return ENOMEM;
	chars = 0;
	for (size_t i = from; i < len; i++) {
		if ((t[i] & 0xc0) != 0x80)
			at[chars++] = i;
	}
	at[chars] = len;
	for (yaml_node_t *n = doc->nodes.start; n < doc->nodes.top; n++) {
		n->start_mark.index =
		    at[n->start_mark.index < chars ? n->start_mark.index : chars];
		n->end_mark.index =
		    at[n->end_mark.index < chars ? n->end_mark.index : chars];
	}
	free(at);
	return 0;
}

/* Loads text, its nodes' marks in bytes; EINVAL when it is not YAML or
 * not UTF-8 (libyaml would read UTF-16, which these offsets cannot cut). */
static int doc_load(yaml_document_t *doc, const char *text, size_t len)
{
	yaml_parser_t parser;
	int err = 0;

	if (len >= 2 && ((text[0] == '\xfe' && text[1] == '\xff') ||
			 (text[0] == '\xff' && text[1] == '\xfe')))
		return EINVAL;
	if (!yaml_parser_initialize(&parser))
		return ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, doc)) {
		yaml_parser_delete(&parser);
		return EINVAL;
	}
	yaml_parser_delete(&parser);
	err = marks_to_bytes(doc, text, len);
	if (err)
		yaml_document_delete(doc);
	return err;
}

int cfg_edit_item(char **outp, const char *text, size_t len, const char *list,
		  const char *name_key, const char *name, const char *key,
		  const char *value)
{
	yaml_document_t doc;
	yaml_node_t *seq, *item = NULL, *v, *nk = NULL;
	char indent[80] = "\n";
	int err;

	if (!outp || !text || !list || !name_key || !name || !key || !value)
		return EINVAL;
	err = doc_load(&doc, text, len);
	if (err)
		return err;
	seq = pair_find(&doc, yaml_document_get_root_node(&doc), list, NULL);
	if (!seq) {
		err = ENOENT;
		goto out;
	}
	if (seq->type != YAML_SEQUENCE_NODE) {
		err = EINVAL;
		goto out;
	}
	for (yaml_node_item_t *i = seq->data.sequence.items.start;
	     !item && i < seq->data.sequence.items.top; i++) {
		yaml_node_t *m = yaml_document_get_node(&doc, *i);
		yaml_node_t *n = pair_find(&doc, m, name_key, &nk);

		if (n && n->type == YAML_SCALAR_NODE &&
		    n->data.scalar.length == strlen(name) &&
		    !memcmp(n->data.scalar.value, name, n->data.scalar.length))
			item = m;
	}
	if (!item) {
		err = ENOENT;
		goto out;
	}
	v = pair_find(&doc, item, key, NULL);
	if (v) {
		size_t from = v->start_mark.index;
		/* "key:" with nothing after it */
		const char *gap = from && text[from - 1] == ':' ? " " : "";

		*outp = splice(text, len, from, span_end(&doc, v),
			       (const char *const[]){gap, value, NULL});
	} else {
		/* after the name: ", key: value" in a flow mapping, a line of
		 * its own at the name's column in a block one */
		size_t at = span_end(&doc, pair_find(&doc, item, name_key, NULL));
		size_t col = nk->start_mark.column;

		if (item->data.mapping.style == YAML_FLOW_MAPPING_STYLE) {
			strcpy(indent, ", ");
		} else {
			col = col + 2 > sizeof(indent) ? sizeof(indent) - 2 : col;
			memset(indent + 1, ' ', col);
			indent[col + 1] = '\0';
		}
		*outp = splice(text, len, at, at,
			       (const char *const[]){indent, key, ": ", value, NULL});
	}
	if (!*outp)
		err = ENOMEM;
out:
	yaml_document_delete(&doc);
	return err;
}

/* "key:" with nothing after it, "~" or "null". */
static bool is_null(const yaml_node_t *n)
{
	const char *v;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)n->data.scalar.value;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

/* Is text[from, to) all characters of set? (text need not be NUL-ended) */
static bool only(const char *text, size_t from, size_t to, const char *set)
{
	for (size_t i = from; i < to; i++) {
		if (!text[i] || !strchr(set, text[i]))
			return false;
	}
	return true;
}

/* Where a new line goes after the text ending at `at`: the start of the
 * line when only blanks are before `at` on it, else after its line break
 * (len at the end of a text without one). */
static size_t line_after(const char *text, size_t len, size_t at)
{
	size_t ls = at;

	while (ls && text[ls - 1] != '\n')
		ls--;
	if (only(text, ls, at, " \t"))
		return ls;
	while (at < len && text[at] != '\n')
		at++;
	return at < len ? at + 1 : len;
}

/* n spaces (at most 64): the column new lines start at. */
static const char *spaces(size_t n)
{
	static const char blank[] =
	    "                                                                ";

	return blank + sizeof(blank) - 1 -
	       (n < sizeof(blank) - 1 ? n : sizeof(blank) - 1);
}

/*
 * Reads out back: does its root have key, and (for a list) how many items
 * has it? 0 when both are as expected (want_items < 0: any).
 */
static int read_back(const char *out, const char *key, long want_items)
{
	yaml_document_t doc;
	yaml_node_t *v;
	int err = doc_load(&doc, out, strlen(out));

	if (err)
		return err;
	v = pair_find(&doc, yaml_document_get_root_node(&doc), key, NULL);
	if (!v)
		err = EINVAL;
	else if (want_items >= 0 &&
		 (v->type != YAML_SEQUENCE_NODE ||
		  v->data.sequence.items.top - v->data.sequence.items.start !=
		      want_items))
		err = EINVAL;
	yaml_document_delete(&doc);
	return err;
}

/*
 * A new top-level key in a text whose root is root (NULL: empty): a line
 * at the end of a block mapping ("key:" then the NULL-ended pieces of its
 * value, at most 5, and a line break), or ", key:" and the pieces before
 * the "}" of a flow one. NULL with *errp set on failure.
 */
static char *key_add(const char *text, size_t len, const yaml_node_t *root,
		     const char *key, const char *const *value, int *errp)
{
	const char *pieces[12];
	size_t n = 0, at = len;
	bool flow = false;
	char *out;

	if (root && root->type == YAML_MAPPING_NODE &&
	    root->data.mapping.style == YAML_FLOW_MAPPING_STYLE) {
		at = root->end_mark.index;
		if (!at || at > len || text[at - 1] != '}') {
			*errp = EINVAL;
			return NULL;
		}
		at--;
		flow = true;
		if (root->data.mapping.pairs.top != root->data.mapping.pairs.start)
			pieces[n++] = ", ";
	} else if (!root || root->type == YAML_MAPPING_NODE || is_null(root)) {
		pieces[n++] = len && text[len - 1] != '\n' ? "\n" : "";
		pieces[n++] = root && root->type == YAML_MAPPING_NODE
				  ? spaces(root->start_mark.column)
				  : "";
	} else {
		*errp = EINVAL;
		return NULL;
	}
	pieces[n++] = key;
	pieces[n++] = ":";
	for (size_t i = 0; i < 5 && value[i]; i++)
		pieces[n++] = value[i];
	pieces[n++] = flow ? "" : "\n";
	pieces[n] = NULL;
	out = splice(text, len, at, at, pieces);
	if (!out)
		*errp = ENOMEM;
	return out;
}

int cfg_edit_append(char **outp, const char *text, size_t len, const char *list,
		    const char *item)
{
	yaml_document_t doc;
	yaml_node_t *root, *seq;
	long items = 0;
	char *out = NULL;
	int err;

	if (!outp || !text || !list || !item)
		return EINVAL;
	err = doc_load(&doc, text, len);
	if (err)
		return err;
	root = yaml_document_get_root_node(&doc);
	seq = pair_find(&doc, root, list, NULL);
	if (!seq) {
		/* a new list, block style, or flow in a flow mapping */
		bool flow = root && root->type == YAML_MAPPING_NODE &&
			    root->data.mapping.style == YAML_FLOW_MAPPING_STYLE;
		size_t col =
		    root && root->type == YAML_MAPPING_NODE ? root->start_mark.column : 0;

		out = key_add(
		    text, len, root, list,
		    flow ? (const char *const[]){" [", item, "]", NULL}
			 : (const char *const[]){"\n", spaces(col + 2), "- ", item, NULL},
		    &err);
	} else if (is_null(seq)) {
		size_t from = seq->start_mark.index;
		const char *gap = from && text[from - 1] == ':' ? " " : "";

		out = splice(text, len, from, seq->end_mark.index,
			     (const char *const[]){gap, "[", item, "]", NULL});
		err = out ? 0 : ENOMEM;
	} else if (seq->type != YAML_SEQUENCE_NODE) {
		err = EINVAL;
	} else {
		yaml_node_item_t *first = seq->data.sequence.items.start;
		yaml_node_item_t *top = seq->data.sequence.items.top;

		items = top - first;
		if (seq->data.sequence.style == YAML_FLOW_SEQUENCE_STYLE) {
			size_t at = seq->end_mark.index;

			if (items) {
				at =
				    span_end(&doc, yaml_document_get_node(&doc, top[-1]));
				out = splice(text, len, at, at,
					     (const char *const[]){", ", item, NULL});
			} else if (at && at <= len && text[at - 1] == ']') {
				out = splice(text, len, at - 1, at - 1,
					     (const char *const[]){item, NULL});
			} else {
				err = EINVAL;
			}
		} else {
			/* the sequence starts at its first "-": its column is
			 * the items' */
			size_t at = line_after(
			    text, len,
			    span_end(&doc, yaml_document_get_node(&doc, top[-1])));
			const char *nl =
			    at == len && len && text[len - 1] != '\n' ? "\n" : "";

			out = splice(text, len, at, at,
				     (const char *const[]){nl,
							   spaces(seq->start_mark.column),
							   "- ", item, "\n", NULL});
		}
		if (!err && !out)
			err = ENOMEM;
	}
	if (!err)
		err = read_back(out, list, items + 1);
	if (err)
		free(out);
	else
		*outp = out;
	yaml_document_delete(&doc);
	return err;
}

int cfg_edit_set(char **outp, const char *text, size_t len, const char *key,
		 const char *value)
{
	yaml_document_t doc;
	yaml_node_t *root, *v, *k = NULL;
	char *out = NULL;
	int err;

	if (!outp || !text || !key || !value)
		return EINVAL;
	err = doc_load(&doc, text, len);
	if (err)
		return err;
	root = yaml_document_get_root_node(&doc);
	v = pair_find(&doc, root, key, &k);
	if (!v) {
		out = key_add(text, len, root, key,
			      (const char *const[]){" ", value, NULL}, &err);
	} else {
		size_t from = v->start_mark.index, colon = k->end_mark.index;
		bool block = (v->type == YAML_SEQUENCE_NODE &&
			      v->data.sequence.style != YAML_FLOW_SEQUENCE_STYLE) ||
			     (v->type == YAML_MAPPING_NODE &&
			      v->data.mapping.style != YAML_FLOW_MAPPING_STYLE);

		while (colon < from && (text[colon] == ' ' || text[colon] == '\t'))
			colon++;
		/* a block value moves up beside its key when only blanks and
		 * line breaks are between them (no comment to lose) */
		if (block && colon < from && text[colon] == ':' &&
		    only(text, colon + 1, from, " \t\r\n"))
			from = colon + 1;
		out = splice(text, len, from, span_end(&doc, v),
			     (const char *const[]){
				 from && text[from - 1] == ':' ? " " : "", value, NULL});
		err = out ? 0 : ENOMEM;
	}
	if (!err)
		err = read_back(out, key, -1);
	if (err)
		free(out);
	else
		*outp = out;
	yaml_document_delete(&doc);
	return err;
}
