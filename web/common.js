// common.js — what every page shares: calls to the API (the session
// cookie signs them), the sign-in form, and the live event stream. The
// words come from i18n.js (its catalog is loaded before this runs).
import { t, tv, useServerLocale } from './i18n.js';

export { t, tv, dateTime, timeOfDay, hourOfDay, relative, locale } from './i18n.js';
import { numberDisplay } from './number.js';
export { numberDisplay };

// The tenant's country (GET /api/v1/session), for showNumber.
let country = '';
// A phone number as read in the tenant's country (web/number.js).
export const showNumber = (n) => numberDisplay(n, country);

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
  }
}

export async function api(path, { method = 'GET', body } = {}) {
  const opts = { method, credentials: 'same-origin', headers: {} };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  const r = await fetch(path, opts);
  if (r.status === 204) return null;
  const data = await r.json().catch(() => null);
  if (!r.ok) throw new ApiError(r.status, data);
  return data;
}

export const $ = (sel) => document.querySelector(sel);

export function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(String(k ?? '')));
  return e;
}

// "1:05", "1:02:03" from milliseconds
export function duration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = h ? String(m).padStart(2, '0') : String(m);
  return (h ? `${h}:` : '') + `${mm}:${String(r).padStart(2, '0')}`;
}

export function pct(x) {
  return x === null || x === undefined ? '—' : `${Math.round(x * 100)} %`;
}

// The sign-in form every page shows in its #signin section.
const SIGNIN_FORM = () => `
  <h2>${t('signin.title')}</h2>
  <form id="signin-form">
    <label for="user">${t('signin.user')}</label><input id="user" autocomplete="username" required>
    <label for="password">${t('signin.password')}</label><input id="password" type="password" autocomplete="current-password" required>
    <div class="row"><button id="signin-btn" class="primary" type="submit">${t('signin.submit')}</button></div>
    <div id="signin-error" class="error" role="alert"></div>
  </form>`;

// Resolves with who is signed in; shows the sign-in form until someone is.
// roles: the roles this page is for.
export async function signedIn(roles) {
  const form = $('#signin'), main = $('#app');
  if (!$('#signin-form')) form.innerHTML = SIGNIN_FORM();
  for (;;) {
    try {
      const who = await api('/api/v1/session');
      useServerLocale(who.locale);
      country = who.country || '';
      if (roles.includes(who.role)) {
        form.classList.add('hidden');
        main.classList.remove('hidden');
        $('#who').textContent = `${who.user} (${tv('role', who.role)}${who.extension ? ' ' + who.extension : ''})`;
        $('#signout').classList.remove('hidden');
        $('#signout').onclick = async () => { await api('/api/v1/session', { method: 'DELETE' }); location.reload(); };
        return who;
      }
      $('#signin-error').textContent = t('signin.wrongRole', { roles: roles.map((r) => tv('role', r)).join(t('signin.and')), user: who.user, role: tv('role', who.role) });
    } catch (e) {
      if (e.status !== 401) $('#signin-error').textContent = e.message;
    }
    form.classList.remove('hidden');
    main.classList.add('hidden');
    await new Promise((done) => {
      $('#signin-form').onsubmit = async (ev) => {
        ev.preventDefault();
        $('#signin-error').textContent = '';
        try {
          await api('/api/v1/session', { method: 'POST', body: { user: $('#user').value, password: $('#password').value } });
          done();
        } catch (e) {
          $('#signin-error').textContent = e.message;
        }
      };
    });
  }
}

// The live event stream: calls onEvent(ev) for every event; reconnects.
export function events(types, onEvent, onOpen) {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = `${proto}//${location.host}/api/v1/events${types ? '?types=' + encodeURIComponent(types) : ''}`;
  let ws;
  const open = () => {
    ws = new WebSocket(url);
    ws.onopen = () => onOpen && onOpen();
    ws.onmessage = (m) => { try { onEvent(JSON.parse(m.data)); } catch (e) { console.error(e); } };
    ws.onclose = () => setTimeout(open, 2000);
  };
  open();
  return () => ws && ws.close();
}

// A custom field's input (GET /api/v1/fields: text, number, date, choice,
// bool) holding value (undefined: none yet); its id is prefix + name.
export function fieldInput(f, value, prefix) {
  const attrs = { id: prefix + f.name, name: f.name, 'data-type': f.type };
  if (f.type === 'bool') {
    const cb = el('input', { ...attrs, type: 'checkbox' });
    cb.checked = value === true;
    return cb;
  }
  if (f.type === 'choice') {
    const sel = el('select', attrs, el('option', { value: '' }, '—'),
      ...(f.options || []).map((o) => el('option', { value: o }, o)));
    // a stored value no longer among the options still shows
    if (typeof value === 'string' && value && !(f.options || []).includes(value)) sel.append(el('option', { value }, value));
    sel.value = typeof value === 'string' ? value : '';
    return sel;
  }
  // numbers as text, so that what is typed reaches the API and its words
  const input = f.type === 'date' ? el('input', { ...attrs, type: 'date' })
    : f.type === 'number' ? el('input', { ...attrs, type: 'text', inputmode: 'decimal' })
      : el('input', { ...attrs, type: 'text', maxlength: '256' });
  input.value = value === undefined || value === null ? '' : String(value);
  return input;
}

// What a field's input says: a value, or null for none (a number that is
// not one goes as typed: the API says what is wrong).
export function fieldValue(f, input) {
  if (f.type === 'bool') return input.checked;
  const v = input.value.trim();
  if (v === '') return null;
  if (f.type === 'number') return /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(v) ? Number(v) : v;
  return v;
}
