/*
 * cfg_edit.c — a key of a list item changed in the YAML text itself: the
 * text is loaded with libyaml only to find where the value is (each node
 * knows its place in the text), then that span is replaced, or a new
 * "key: value" written after the item's name. Nothing else is rewritten.
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

int cfg_edit_item(char **outp, const char *text, size_t len, const char *list,
		  const char *name_key, const char *name, const char *key,
		  const char *value)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *seq, *item = NULL, *v, *nk = NULL;
	char indent[80] = "\n";
	int err = 0;

	if (!outp || !text || !list || !name_key || !name || !key || !value)
		return EINVAL;
	if (!yaml_parser_initialize(&parser))
		return ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_parser_delete(&parser);
		return EINVAL;
	}
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
	yaml_parser_delete(&parser);
	return err;
}
