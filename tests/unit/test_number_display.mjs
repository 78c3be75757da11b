// test_number_display.mjs — web/number.js against the table test_crm holds
// crm_number_display to (tests/data/numbers_display.txt): the pages show a
// number as the server does. Run: node tests/unit/test_number_display.mjs
import { readFileSync } from 'node:fs';
import { numberDisplay } from '../../web/number.js';

const rows = readFileSync(new URL('../data/numbers_display.txt', import.meta.url), 'utf8')
  .split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));
let bad = 0;
for (const [num, country, want] of rows) {
  const got = numberDisplay(num, country);
  if (got !== want) {
    console.error(`${num} in ${country}: ${got}, not ${want}`);
    bad++;
  }
}
console.log(`${bad ? 'not ok' : 'ok'} - web/number.js shows ${rows.length} numbers as crm_number_display does`);
process.exit(bad ? 1 : 0);
