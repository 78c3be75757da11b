/*
 * fuzz_cfg.c — the configuration readers: any bytes as a node file and
 * as a tenant file (flows included) must give a result or errors, never
 * a crash or a leak; and the same bytes edited in place (a queue's key
 * replaced, and one added; an agent appended to a list, new or there; a
 * top-level key set) give a text or an error, in any encoding (the
 * edits cut bytes where libyaml counts characters); the kind of file is
 * told or refused.
 */
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "core/cfg.h"
#include "core/cfg_edit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_errors errs;
	struct cfg_tenant *t = NULL;
	struct cfg_node *n = NULL;

	memset(&errs, 0, sizeof(errs));
	if (!cfg_tenant_parse(&t, "fuzz.yaml", (const char *)data, size, &errs))
		mem_deref(t);
	memset(&errs, 0, sizeof(errs));
	if (!cfg_node_parse(&n, "fuzz.yaml", (const char *)data, size, &errs))
		mem_deref(n);
	{
		enum cfg_kind kind;

		(void)cfg_file_kind(&kind, (const char *)data, size);
	}
	for (int i = 0; i < 2; i++) {
		char *out = NULL;

		if (!cfg_edit_item(&out, (const char *)data, size, "queues", "name",
				   "sales", i ? "members" : "zz", "[\"1001\"]"))
			free(out);
	}
	for (int i = 0; i < 2; i++) {
		char *out = NULL;

		if (!cfg_edit_append(&out, (const char *)data, size, i ? "agents" : "zz",
				     "{\"ext\": \"1009\", \"skills\": {\"en\": 5}}"))
			free(out);
		out = NULL;
		if (!cfg_edit_set(&out, (const char *)data, size,
				  i ? "pause_reasons" : "zz", "[\"lunch\", \"coffee\"]"))
			free(out);
	}
	return 0;
}
