// holidays_cn.mjs — China's shipped holidays (conf/holidays/cn-*.ics)
// against a lunar-calendar computation (lunar-javascript, a test-only
// package): each event says by X-HOTLINE-RULE how its first day is found
// (solar MM-DD, lunar MM-DD with a day offset, or a solar term), and lasts
// the statutory number of days (全国年节及纪念日放假办法, as amended in
// 2024). The lunar dates are written by hand from a calendar; a slip of a
// day (a 29-day 腊月 moves 除夕) would close the office on a working day.
// Usage: node holidays_cn.mjs ICS... Prints "ok - ..." / "not ok - ...".
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createRequire } from 'node:module';

const { Lunar } = createRequire(import.meta.url)('lunar-javascript');
let failed = 0;
const result = (name, bad) => {
  if (bad.length) { console.log(`not ok - ${name}: ${bad.join('; ')}`); failed++; } else console.log(`ok - ${name}`);
};

// statutory days by the holiday's rule
const DAYS = { 'solar 01-01': 1, 'lunar 01-01 -1': 4, 'term 清明': 1, 'solar 05-01': 2, 'lunar 05-05': 1, 'lunar 08-15': 1, 'solar 10-01': 3 };
const ymd = (s) => `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
const span = (a, b) => Math.round((Date.parse(ymd(b)) - Date.parse(ymd(a))) / 86400000);

// The first day a rule gives in a year, as YYYY-MM-DD.
function expected(rule, year) {
  let m;
  if ((m = rule.match(/^solar (\d\d)-(\d\d)$/))) return `${year}-${m[1]}-${m[2]}`;
  if ((m = rule.match(/^lunar (\d\d)-(\d\d)(?: ([-+]\d+))?$/)))
    return Lunar.fromYmd(year, +m[1], +m[2]).getSolar().next(+(m[3] || 0)).toYmd();
  if ((m = rule.match(/^term (\S+)$/))) {
    const t = Lunar.fromYmd(year, 1, 1).getJieQiTable()[m[1]];
    return t ? t.toYmd() : `no term ${m[1]}`;
  }
  return `a rule not understood: ${rule}`;
}

for (const file of process.argv.slice(2)) {
  // unfolded content lines (RFC 5545 3.1)
  const lines = readFileSync(file, 'utf8').replace(/\r?\n[ \t]/g, '').split(/\r?\n/);
  const events = [];
  let ev = null;
  for (const l of lines) {
    if (l === 'BEGIN:VEVENT') ev = {};
    else if (l === 'END:VEVENT') { events.push(ev); ev = null; } else if (ev) {
      const [name, ...rest] = l.split(':');
      ev[name.split(';')[0]] = rest.join(':');
    }
  }
  const f = basename(file);
  result(`${f}: has the seven statutory holidays`, events.length === 7 ? [] : [`${events.length} events`]);
  result(`${f}: every event names its rule`, events.filter((e) => !DAYS[e['X-HOTLINE-RULE']]).map((e) => e.SUMMARY));
  for (const e of events) {
    const rule = e['X-HOTLINE-RULE'], start = ymd(e.DTSTART), want = expected(rule, +start.slice(0, 4));
    const days = span(e.DTSTART, e.DTEND);
    result(`${f}: ${e.SUMMARY} starts ${start} (${rule}: ${want}) and lasts ${DAYS[rule]} day(s)`,
      [...(start === want ? [] : [`starts ${start}, the calendar says ${want}`]),
        ...(days === DAYS[rule] ? [] : [`lasts ${days} days`])]);
  }
}
// the computation itself, on dates everyone knows (2026's 春节 was Feb 17,
// its 除夕 the 16th, after a 29-day 腊月)
result('the lunar computation gives 2026\'s Spring Festival', [
  ...(expected('lunar 01-01', 2026) === '2026-02-17' ? [] : [expected('lunar 01-01', 2026)]),
  ...(expected('lunar 01-01 -1', 2026) === '2026-02-16' ? [] : [expected('lunar 01-01 -1', 2026)])]);

process.exit(failed ? 1 : 0);
