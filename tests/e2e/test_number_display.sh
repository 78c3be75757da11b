#!/usr/bin/env bash
# Numbers by country (issue 14): a tenant in China (crm.country 86) reads
# numbers without a country code as Chinese (stored in E.164) and shows
# them as read there — mobiles 138 0013 8000, landlines 021 6123 4567, a
# foreign number +1 415 555 0100 — in the customer, its export and the
# session's country the pages show numbers by (web/number.js, the same
# rules: tests/unit/test_number_display.mjs).
source "$(dirname "$0")/lib.sh"
cp "$E2E_DIR/tenant.yaml" "$T/tenant.yaml"
sed -i 's|country: "1"|country: "86"|' "$T/tenant.yaml"
TENANT=$T/tenant.yaml start_hotline
c=$(req POST /customers '{"name":"张伟","identities":[{"kind":"phone","value":"13800138000"},{"kind":"phone","value":"021-6123 4567"},{"kind":"phone","value":"+1 415 555 0100"},{"kind":"email","value":"zw@example.cn"}]}')
cu=$(j 'j.get("id","")')
check "numbers without a country code are read as Chinese (E.164)" \
	test "$c/$(j 'sorted(i["value"] for i in j["identities"] if i["kind"]=="phone")')" = "201/['+14155550100', '+8613800138000', '+862161234567']"
show='";".join(sorted(i["value"]+"="+i.get("display","-") for i in j["identities"]))'
want="+14155550100=+1 415 555 0100;+8613800138000=138 0013 8000;+862161234567=021 6123 4567;zw@example.cn=-"
c=$(req GET "/customers/$cu")
check "each number shown as read in China, a foreign one with its code" test "$c/$(j "$show")" = "200/$want"
c=$(req GET "/customers/$cu/export")
check "the export shows them the same" test "$c/$(j "$show")" = "200/$want"
c=$(req GET "/customers?q=138%200013%208000")
check "the shown form finds the customer" test "$c/$(j 'j["customers"][0]["name"]')" = "200/张伟"
c=$(req GET /session)
check "the session tells the pages the country" test "$c/$(j 'j["country"]')" = 200/86
finish
