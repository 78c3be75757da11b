// i18n_keys.mjs — the message catalogs against the pages, without a
// browser: every key the HTML (data-i18n*) and the scripts (t('key'),
// field('key')) use is in every catalog, every catalog key is used, no
// text of the HTML or literal of a script reaches the page without the
// catalog, a Chinese text is not still English, the
// groups tv('group', code) reads codes from are in every catalog with the
// same codes, a key's {placeholders} are the same in every language, and
// web/i18n.json lists exactly the catalogs present. Usage: node
// i18n_keys.mjs WEB_DIR. Prints "ok - ..." / "not ok - ..." lines.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
let failed = 0;
const result = (name, bad) => {
  if (bad.length) { console.log(`not ok - ${name}: ${bad.slice(0, 12).join(', ')}${bad.length > 12 ? ` (${bad.length} in all)` : ''}`); failed++; }
  else console.log(`ok - ${name}`);
};

// the catalog's keys, flattened: {"a": {"b": "x"}} is a.b
function flatten(o, prefix = '', out = new Map()) {
  for (const [k, v] of Object.entries(o)) {
    if (v !== null && typeof v === 'object') flatten(v, `${prefix}${k}.`, out);
    else out.set(prefix + k, v);
  }
  return out;
}

const files = readdirSync(dir);
const catalogs = new Map(files.filter((f) => /^i18n-.+\.json$/.test(f))
  .map((f) => [f.slice(5, -5), flatten(JSON.parse(readFileSync(join(dir, f), 'utf8')))]));
const listed = JSON.parse(readFileSync(join(dir, 'i18n.json'), 'utf8')).languages;
result('web/i18n.json lists every catalog present, English among them',
  [...[...catalogs.keys()].filter((l) => !listed.includes(l)).map((l) => `${l} not listed`),
    ...listed.filter((l) => !catalogs.has(l)).map((l) => `${l} has no file`),
    ...(catalogs.has('en') ? [] : ['no en'])]);

const used = new Set(), groups = new Set();
for (const f of files.filter((x) => /\.(html|js)$/.test(x))) {
  const src = readFileSync(join(dir, f), 'utf8');
  for (const m of src.matchAll(/data-i18n(?:-[a-z-]+)?="([^"]+)"/g)) used.add(m[1]);
  for (const m of src.matchAll(/\b(?:t|field)\('([^']+)'/g)) used.add(m[1]);
  for (const m of src.matchAll(/\btv\('([^']+)'/g)) groups.add(m[1]);
  // a key built at run time would escape this check
  // (the helpers that pass a key on are the known exceptions)
  const passOn = ['function t(key', 'function tv(group', 'function field(key', 'return [el(\'dt\', {}, t(key)', 't(e.dataset.i18n)', 't(e.getAttribute(data)'];
  const dynamic = src.split('\n').filter((l) => !/^\s*\/\//.test(l) && /\b(?:t|tv|field)\((?!['"])/.test(l))
    .filter((l) => !passOn.some((p) => l.includes(p))).map((l) => `${f}: ${l.trim().slice(0, 60)}`);
  result(`${f}: every t(), tv() and field() names its key or group as written`, dynamic);
}
result('some keys are used', used.size > 100 ? [] : [`only ${used.size}`]);

const inGroup = (k) => groups.has(k.split('.')[0]);
for (const [lang, cat] of catalogs) {
  result(`${lang}: every key the pages use is in the catalog`, [...used].filter((k) => !cat.has(k)));
  result(`${lang}: every key of the catalog is used (no dead keys)`, [...cat.keys()].filter((k) => !used.has(k) && !inGroup(k)));
  result(`${lang}: every group of codes the pages read is in the catalog`, [...groups].filter((g) => ![...cat.keys()].some((k) => k.startsWith(g + '.'))));
  result(`${lang}: every text is a non-empty string`, [...cat].filter(([, v]) => typeof v !== 'string' || !v.trim()).map(([k]) => k));
}
const en = catalogs.get('en');
const holes = (s) => [...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join();
for (const [lang, cat] of catalogs) {
  if (lang === 'en') continue;
  result(`${lang}: the same keys as English`, [...[...en.keys()].filter((k) => !cat.has(k)).map((k) => `missing ${k}`),
    ...[...cat.keys()].filter((k) => !en.has(k)).map((k) => `extra ${k}`)]);
  result(`${lang}: the same {placeholders} as English in every text`, [...en.keys()].filter((k) => cat.has(k) && holes(en.get(k)) !== holes(cat.get(k))));
}

// The chat widget (web/chat/): its own catalogs (it runs on other sites
// and reads only its own words), flat keys, t('key') in widget.js.
const chatDir = join(dir, 'chat');
const chatFiles = readdirSync(chatDir);
const chatCats = new Map(chatFiles.filter((f) => /^i18n-.+\.json$/.test(f))
  .map((f) => [f.slice(5, -5), new Map(Object.entries(JSON.parse(readFileSync(join(chatDir, f), 'utf8'))))]));
const widget = readFileSync(join(chatDir, 'widget.js'), 'utf8');
const wUsed = new Set([...widget.matchAll(/\bt\('([^']+)'/g)].map((m) => m[1]));
const wLangs = JSON.parse((widget.match(/const LANGS = (\[[^\]]*\])/) || [, '[]'])[1].replace(/'/g, '"'));
result('widget: LANGS lists exactly the chat catalogs present, English among them',
  [...[...chatCats.keys()].filter((l) => !wLangs.includes(l)).map((l) => `${l} not in LANGS`),
    ...wLangs.filter((l) => !chatCats.has(l)).map((l) => `${l} has no file`), ...(chatCats.has('en') ? [] : ['no en'])]);
result('widget: every t() names its key as written', widget.split('\n')
  .filter((l) => !/^\s*\/\//.test(l) && /\bt\((?!['"])/.test(l) && !l.includes('function t(key')).map((l) => l.trim().slice(0, 60)));
const wEn = chatCats.get('en') || new Map();
for (const [lang, cat] of chatCats) {
  result(`widget ${lang}: every key the widget uses is in the catalog`, [...wUsed].filter((k) => !cat.has(k)));
  result(`widget ${lang}: every key of the catalog is used`, [...cat.keys()].filter((k) => !wUsed.has(k)));
  result(`widget ${lang}: every text is a non-empty string`, [...cat].filter(([, v]) => typeof v !== 'string' || !v.trim()).map(([k]) => k));
  result(`widget ${lang}: the same {placeholders} as English`, [...wEn.keys()].filter((k) => cat.has(k) && holes(wEn.get(k)) !== holes(cat.get(k))));
}
// No English left for our texts: the pages' visible text and the
// attributes people read go through the catalog (data-i18n,
// data-i18n-placeholder ...), the scripts put no English literal on the
// page, and a language's text is not still English (a key copied over
// untranslated). Brands, and codes a page shows as they are, excepted.
const BRANDS = /^Hotline( ·)?$/;
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
function htmlStrays(src) {
  const bad = [], stack = [];
  src = src.replace(/<!--[\s\S]*?-->/g, '').replace(/<!doctype[^>]*>/gi, '').replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/gi, '');
  for (const m of src.matchAll(/<(\/?)([a-zA-Z0-9-]+)((?:[^>"']|"[^"]*"|'[^']*')*)>|([^<]+)/g)) {
    if (m[4] !== undefined) {
      const text = m[4].trim(), top = stack[stack.length - 1];
      if (/[A-Za-z]/.test(text) && !BRANDS.test(text) && !(top && /\bdata-i18n="/.test(top.attrs))) bad.push(`<${top ? top.tag : ''}> ${text.slice(0, 40)}`);
      continue;
    }
    const [, close, tag, attrs] = m, t = tag.toLowerCase();
    if (close) { while (stack.length && stack.pop().tag !== t); continue; }
    for (const a of ['placeholder', 'title', 'aria-label', 'alt']) {
      const v = attrs.match(new RegExp(`(?:^|\\s)${a}="([^"]*)"`));
      if (v && /[A-Za-z]/.test(v[1]) && !attrs.includes(`data-i18n-${a}="`)) bad.push(`<${t} ${a}> ${v[1].slice(0, 40)}`);
    }
    if (!VOID.has(t) && !/\/\s*$/.test(attrs)) stack.push({ tag: t, attrs });
  }
  return bad;
}
for (const f of files.filter((x) => x.endsWith('.html')))
  result(`${f}: every text and attribute a person reads comes from the catalog`, htmlStrays(readFileSync(join(dir, f), 'utf8')));
// English literals a script puts on the page (text, a title, a
// placeholder, an element's child, a dialog): words need t()
const jsStrays = (src) => src.split('\n').filter((l) => !/^\s*\/\//.test(l)).filter((l) =>
  /\.(textContent|innerText|title|placeholder)\s*=\s*(['"])[^'"]*[A-Za-z]{2,}[^'"]*\2/.test(l)
  || /\bel\('[a-z0-9]+',\s*\{[^}]*\},\s*(['"])[^'"]*[A-Za-z]{2,}[^'"]*\1/.test(l)
  || /\b(alert|confirm|prompt)\(\s*['"`]/.test(l)).map((l) => l.trim().slice(0, 70));
for (const f of files.filter((x) => x.endsWith('.js')))
  result(`${f}: no English literal put on the page`, jsStrays(readFileSync(join(dir, f), 'utf8')));
result('widget.js: no English literal put on the page', jsStrays(widget));
// a text still in English: no CJK, a Latin word of 2 letters or more
// (placeholders aside); the keys below are codes or examples shown as
// they are (SLA, VIP; a time zone, lists of ids)
const LATIN_OK = new Set(['ticket.sla', 'historyKind.sla', 'tier.vip', 'admin.ph.tz', 'admin.ph.pause', 'admin.ph.disp']);
const stillEnglish = (cat, ok = new Set()) => [...cat].filter(([k, v]) => !ok.has(k) && !/[\u3000-\u9fff\uff00-\uffef]/.test(v)
  && /[A-Za-z]{2,}/.test(String(v).replace(/\{\w+\}/g, ''))).map(([k, v]) => `${k}: ${v}`);
for (const [lang, cat] of catalogs)
  if (/^zh/.test(lang)) result(`${lang}: no text left in English`, stillEnglish(cat, LATIN_OK));
for (const [lang, cat] of chatCats)
  if (/^zh/.test(lang)) result(`widget ${lang}: no text left in English`, stillEnglish(cat, new Set(['kib', 'mib']))); // units
process.exit(failed ? 1 : 0);
