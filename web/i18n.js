// i18n.js — the pages' words in the reader's language: the message
// catalogs (web/i18n-<lang>.json, one per language; web/i18n.json lists
// them), the language chosen (the user's own setting, else the browser's
// languages), t() for the text the scripts build, data-i18n attributes for
// the text in the HTML, and dates, times and durations in that language
// and the browser's time zone. The catalog is read before any page script
// runs (a top-level await), so t() is synchronous everywhere.
//
// In the HTML: a data-i18n attribute holding a key sets an element's
// text, and data-i18n-placeholder, data-i18n-title, data-i18n-aria-label
// the attribute of that name.

const PICKED = 'hotline.locale'; // localStorage: the language picked here
const UNSAVED = 'hotline.locale.unsaved'; // ... while nobody was signed in

let lang = 'en';
let catalog = {};
let english = {}; // a key a catalog lacks falls back to English

async function loadJson(name) {
  const r = await fetch(`/web/${name}`, { credentials: 'same-origin' });
  if (!r.ok) throw new Error(`${name}: HTTP ${r.status}`);
  return r.json();
}

// The catalogs present; a translator adds a language by adding its file
// and its code here.
let languages = ['en'];

// The best of the languages present for a list of wanted ones (BCP 47
// tags): an exact match, else the same language with another region
// (any zh is Chinese), else English.
export function pick(wanted, present = languages) {
  for (const w of wanted.filter(Boolean)) {
    const exact = present.find((l) => l.toLowerCase() === w.toLowerCase());
    if (exact) return exact;
    const base = w.toLowerCase().split('-')[0];
    const same = present.find((l) => l.toLowerCase().split('-')[0] === base);
    if (same) return same;
  }
  return 'en';
}

function lookup(cat, key) {
  let v = cat;
  for (const part of key.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[part];
  }
  return typeof v === 'string' ? v : undefined;
}

// The text of key with {name} placeholders filled from params; the key
// itself when no catalog has it (seen at once in a test).
export function t(key, params = {}) {
  const s = lookup(catalog, key) ?? lookup(english, key) ?? key;
  return s.replace(/\{(\w+)\}/g, (m, k) => (params[k] === undefined || params[k] === null ? m : String(params[k])));
}

// A value the API sends as a code (a state, a status, an outcome) in
// words: group.value in the catalog, else the code as it is (a new code
// still shows).
export function tv(group, value) {
  if (value === undefined || value === null || value === '') return '';
  return lookup(catalog, `${group}.${value}`) ?? lookup(english, `${group}.${value}`) ?? String(value).replace(/_/g, ' ');
}

// The words of the elements under root that carry data-i18n attributes.
export function translate(root = document) {
  for (const e of root.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
  for (const attr of ['placeholder', 'title', 'aria-label']) {
    const data = `data-i18n-${attr}`;
    for (const e of root.querySelectorAll(`[${data}]`)) e.setAttribute(attr, t(e.getAttribute(data)));
  }
}

export const locale = () => lang;

// Dates and times in the language and the browser's time zone; '—' for
// none.
const dateTimeFmt = () => new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
const timeFmt = () => new Intl.DateTimeFormat(lang, { timeStyle: 'short' });
export function dateTime(v) {
  if (v === undefined || v === null || v === '') return '—';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? String(v) : dateTimeFmt().format(d);
}
export function timeOfDay(v) {
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? '—' : timeFmt().format(d);
}
// the hour a chart's bar starts at, as the language writes it
export const hourOfDay = (v) => new Intl.DateTimeFormat(lang, { hour: 'numeric' }).format(new Date(v));

// "in 4 minutes", "2 hours ago" (in the language) for ms from now
export function relative(ms) {
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'always' });
  // the largest unit that says it in less than the next one: 59.7 minutes
  // is "in 1 hour", not "in 60 minutes"
  for (const [unit, size, next] of [['second', 1000, 60], ['minute', 60000, 60], ['hour', 3600000, 24]]) {
    const n = Math.round(ms / size);
    if (Math.abs(n) < next) return rtf.format(n, unit);
  }
  return rtf.format(Math.round(ms / 86400000), 'day');
}

// Keeps the language picked as the signed-in user's setting; false when
// nobody is signed in (it is kept when someone signs in).
async function saveLocale(l) {
  const r = await fetch('/api/v1/session', { method: 'PATCH', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ locale: l }) }).catch(() => null);
  return !!(r && r.ok);
}

// Someone signed in (GET /api/v1/session's locale is their setting): a
// language picked on the sign-in form becomes their setting; else their
// setting wins over this browser's and the page is drawn again in it.
export function useServerLocale(l) {
  if (localStorage.getItem(UNSAVED)) {
    localStorage.removeItem(UNSAVED);
    saveLocale(lang);
    return;
  }
  if (!l) return;
  const want = pick([l]);
  if (want === lang || (want === 'en' && !l.toLowerCase().startsWith('en'))) return;
  localStorage.setItem(PICKED, want);
  location.reload();
}

// The picker in the page's header: a choice is kept in the browser and,
// when someone is signed in, as their setting on the server.
function picker() {
  const host = document.querySelector('header') || document.querySelector('main');
  if (!host || languages.length < 2) return;
  const name = (l) => {
    try { return new Intl.DisplayNames([l], { type: 'language' }).of(l); } catch { return l; }
  };
  const sel = document.createElement('select');
  sel.id = 'lang';
  sel.className = 'lang';
  sel.setAttribute('aria-label', t('common.language'));
  for (const l of languages) {
    const o = document.createElement('option');
    o.value = l;
    o.textContent = name(l);
    sel.append(o);
  }
  sel.value = lang;
  sel.onchange = async () => {
    localStorage.setItem(PICKED, sel.value);
    if (!(await saveLocale(sel.value))) localStorage.setItem(UNSAVED, '1');
    location.reload();
  };
  host.append(sel);
}

async function start() {
  try {
    languages = (await loadJson('i18n.json')).languages;
  } catch (e) {
    console.error(e);
  }
  lang = pick([localStorage.getItem(PICKED), ...(navigator.languages || [navigator.language])]);
  try {
    english = await loadJson('i18n-en.json');
    catalog = lang === 'en' ? english : await loadJson(`i18n-${lang}.json`);
  } catch (e) {
    console.error(e);
    lang = 'en';
    catalog = english;
  }
  document.documentElement.lang = lang;
  translate();
  picker();
}

await start();
