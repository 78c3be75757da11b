/*
 * fuzz_cfg.c — the configuration readers: any bytes as a node file and
 * as a tenant file (flows included) must give a result or errors, never
 * a crash or a leak.
 */
#include <string.h>
#include <re.h>
#include "core/cfg.h"

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
	return 0;
}
