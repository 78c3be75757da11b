// admin.js — users (make, disable, enable), API tokens (make, revoke),
// the queues with a form that changes one, the agents (make one, change
// its name, password, skills and capacity), business hours (add, change),
// the pause reasons and dispositions — each written into the tenant file
// and applied at once, then the tables reloaded from the API — the tenant
// file itself and the audit log. A supervisor sees only its queues and
// their form. Errors from the API are shown as it words them: they name
// the field.
import { api, $, el, pct, duration, signedIn, t, tv, dateTime } from './common.js';

let editing = null; // the queue in the form
let editingAgent = null; // the agent in the agent form (null: a new one)
let editingHours = null; // the calendar in the hours form (null: a new one)
let isAdmin = false;
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

// Sends a change; resolves with the reply's body, or shows the API's
// errors in the list ul (each naming its field) and resolves with null.
async function send(method, path, body, ul) {
  ul.replaceChildren();
  const r = await fetch(path, { method, credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const d = await r.json().catch(() => null);
  if (r.ok) return d || {};
  const e = d?.error || { message: `HTTP ${r.status}` };
  const lines = e.errors ? e.errors.map((x) => `${x.key}: ${x.message}`) : [e.message];
  ul.replaceChildren(...lines.map((t) => el('li', {}, t)));
  return null;
}

const applied = (d) => t('admin.applied') + (d.next_start?.length ? t('admin.nextStart', { what: d.next_start.join('; ') }) : '');
const list = (s) => s.split(/[\s,]+/).filter(Boolean);
const pairs = (o) => Object.entries(o || {}).map(([k, v]) => `${k} ${v}`).join(', ');

async function loadUsers() {
  const { users } = await api('/api/v1/users');
  $('#users tbody').replaceChildren(...users.map((u) => el('tr', { 'data-user': u.user },
    el('td', {}, u.user + (u.display ? ` (${u.display})` : '')),
    el('td', {}, tv('role', u.role)),
    el('td', {}, u.extension || ''),
    el('td', {}, (u.queues || []).join(', ')),
    el('td', {}, u.disabled ? t('admin.disabled') : t('admin.active')),
    el('td', {}, el('button', { onclick: async () => { await api(`/api/v1/users/${u.user}`, { method: 'PATCH', body: { disabled: !u.disabled } }); refresh(); } }, u.disabled ? t('admin.enable') : t('admin.disable'))))));
  $('#tok-user').replaceChildren(...users.map((u) => el('option', { value: u.user }, u.user)));
}

async function loadQueues() {
  const { queues } = await api('/api/v1/queues');
  const s = (q) => q.settings || {};
  $('#queues tbody').replaceChildren(...queues.map((q) => el('tr', { 'data-queue': q.name },
    el('td', {}, q.name), el('td', { class: 'strategy', 'data-strategy': q.strategy }, tv('strategy', q.strategy)),
    el('td', {}, duration(s(q).ring_timeout_ms || 0)), el('td', {}, duration(s(q).wrapup_ms || 0)),
    el('td', { class: 'members' }, (q.member_agents || []).join(', ')),
    el('td', { class: 'target' }, pct(q.service_level_target)),
    el('td', {}, q.settings ? el('button', { onclick: () => editQueue(q) }, t('admin.edit')) : ''))));
  $('#nu-queues').replaceChildren(...queues.map((q) => el('option', { value: q.name }, q.name)));
  return queues;
}

// skills as the forms write them: "billing: 5, english: 3" (skillsOf
// reads them back)
const skillsText = (o) => Object.entries(o || {}).map(([k, v]) => `${k}: ${v}`).join(', ');

// the form shows the queue as it is; only what was changed is sent
function editQueue(q) {
  editing = q;
  $('#qf-name').textContent = q.name;
  $('#qf-hint').classList.add('hidden');
  $('#queue-form').classList.remove('hidden');
  $('#qf-done').textContent = '';
  $('#qf-error').replaceChildren();
  $('#qf-strategy').value = q.strategy;
  $('#qf-ring').value = Math.round(q.settings.ring_timeout_ms / 1000);
  $('#qf-wrapup').value = Math.round(q.settings.wrapup_ms / 1000);
  $('#qf-maxwait').value = Math.round(q.settings.max_wait_ms / 1000);
  $('#qf-target').value = Math.round(q.service_level_target * 100);
  $('#qf-members').value = (q.member_agents || []).join(', ');
  $('#qf-skills').value = skillsText(q.settings.skills);
}

function queueChanges(q) {
  const body = {};
  const secs = (id, ms, key) => {
    const v = Number($(id).value);
    if ($(id).value !== '' && v * 1000 !== ms) body[key] = `${v}s`;
  };
  if ($('#qf-strategy').value !== q.strategy) body.strategy = $('#qf-strategy').value;
  secs('#qf-ring', q.settings.ring_timeout_ms, 'ring_timeout');
  secs('#qf-wrapup', q.settings.wrapup_ms, 'wrapup');
  secs('#qf-maxwait', q.settings.max_wait_ms, 'max_wait');
  if (Number($('#qf-target').value) !== Math.round(q.service_level_target * 100)) body.service_level_target = Number($('#qf-target').value);
  const members = $('#qf-members').value.split(/[\s,]+/).filter(Boolean);
  if (members.join(',') !== (q.member_agents || []).join(',')) body.members = members;
  const skills = $('#qf-skills').value.trim();
  if (skills !== skillsText(q.settings.skills)) body.skills = skillsOf(skills);
  return body;
}

async function saveQueue(ev) {
  ev.preventDefault();
  const q = editing, body = queueChanges(q);
  $('#qf-done').textContent = '';
  $('#qf-error').replaceChildren();
  if (!Object.keys(body).length) {
    $('#qf-done').textContent = t('common.nothingChanged');
    return;
  }
  const r = await fetch(`/api/v1/queues/${encodeURIComponent(q.name)}`, { method: 'PUT', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const d = await r.json();
  if (!r.ok) {
    const errs = d.error.errors || [{ key: d.error.code, message: d.error.message }];
    $('#qf-error').replaceChildren(...errs.map((e) => el('li', {}, `${e.key}: ${e.message}`)));
    return;
  }
  const fresh = (await loadQueues()).find((x) => x.name === q.name);
  if (fresh) editQueue(fresh);
  if (isAdmin) afterSave();
  $('#qf-done').textContent = applied(d);
}

// after a form's change: the tenant file's text as it is now (a later save
// of the text does not undo the change) and the audit log with the save
function afterSave() {
  loadTenantText();
  loadAudit();
}

// --- agents ---------------------------------------------------------------

async function loadAgents() {
  const { agents } = await api('/api/v1/agents');
  $('#agents tbody').replaceChildren(...agents.map((a) => el('tr', { 'data-agent': a.ext },
    el('td', {}, a.ext), el('td', { class: 'name' }, a.name),
    el('td', { class: 'skills' }, pairs(a.skills)),
    el('td', { class: 'capacity' }, t('admin.capacityText', { voice: a.capacity?.voice ?? '', chat: a.capacity?.chat ?? '' })),
    el('td', {}, tv('agentState', a.state) + (a.reason ? ` (${tv('pauseReason', a.reason)})` : '')),
    el('td', {}, el('button', { onclick: () => editAgent(a) }, t('admin.edit'))))));
  $('#nu-ext').replaceChildren(el('option', { value: '' }, '—'), ...agents.map((a) => el('option', { value: a.ext }, `${a.ext} ${a.name}`)));
  return agents;
}

// the form for a new agent (a) null, or filled with agent a
function editAgent(a) {
  editingAgent = a;
  $('#agent-form').reset();
  $('#af-error').replaceChildren();
  $('#af-done').textContent = '';
  $('#af-title').textContent = a ? t('admin.editAgent', { ext: a.ext }) : t('admin.newAgent');
  $('#af-save').textContent = a ? t('admin.saveAgent') : t('admin.createAgent');
  $('#af-ext').disabled = !!a;
  $('#af-pw-hint').classList.toggle('hidden', !a);
  if (!a) return;
  $('#af-ext').value = a.ext;
  $('#af-name').value = a.name;
  $('#af-skills').value = skillsText(a.skills);
  $('#af-voice').value = a.capacity?.voice ?? '';
  $('#af-chat').value = a.capacity?.chat ?? '';
}

// "english: 7, billing 3" as {english: 7, billing: 3}; a level that is not
// a number is sent as written, for the server to name
function skillsOf(text) {
  const out = {};
  for (const part of text.split(',').map((x) => x.trim()).filter(Boolean)) {
    const m = part.match(/^(.*?)\s*[:= ]\s*(\S+)$/);
    const [name, level] = m ? [m[1], m[2]] : [part, ''];
    out[name] = level !== '' && !Number.isNaN(Number(level)) ? Number(level) : level;
  }
  return out;
}

async function saveAgent(ev) {
  ev.preventDefault();
  $('#af-done').textContent = '';
  const a = editingAgent, body = {};
  const skills = skillsOf($('#af-skills').value);
  const capacity = {};
  if ($('#af-voice').value !== '') capacity.voice = Number($('#af-voice').value);
  if ($('#af-chat').value !== '') capacity.chat = Number($('#af-chat').value);
  if (!a) body.ext = $('#af-ext').value.trim();
  if (!a || $('#af-name').value !== a.name) body.name = $('#af-name').value;
  if ($('#af-password').value) body.password = $('#af-password').value;
  if (!a ? Object.keys(skills).length : JSON.stringify(skills) !== JSON.stringify(a.skills || {})) body.skills = skills;
  // an agent's other channels (mail, message) are kept as they are
  const merged = { ...(a?.capacity || {}), ...capacity };
  if (!a ? Object.keys(capacity).length : JSON.stringify(merged) !== JSON.stringify(a.capacity || {})) body.capacity = merged;
  if (a && !Object.keys(body).length) {
    $('#af-done').textContent = t('common.nothingChanged');
    return;
  }
  const d = a ? await send('PATCH', `/api/v1/agents/${encodeURIComponent(a.ext)}`, body, $('#af-error'))
    : await send('POST', '/api/v1/agents', body, $('#af-error'));
  if (!d) return;
  const ext = a ? a.ext : body.ext;
  const fresh = (await loadAgents()).find((x) => x.ext === ext);
  editAgent(a ? fresh || null : null);
  $('#af-done').textContent = `${ext}: ${applied(d)}`;
  afterSave();
}

// --- business hours -------------------------------------------------------

async function loadHours() {
  const { hours } = await api('/api/v1/hours?limit=1000');
  $('#hours tbody').replaceChildren(...hours.map((h) => el('tr', { 'data-hours': h.name },
    el('td', {}, h.name), el('td', { class: 'tz' }, h.timezone),
    ...DAYS.map((d) => el('td', { class: `day ${d}` }, h.week[d] === 'closed' ? t('hours.closed') : h.week[d])),
    el('td', { class: 'holidays' }, h.holidays.join(', ')),
    el('td', { class: h.open_now ? 'open' : 'closed' }, h.open_now ? t('hours.open') : t('hours.closed')),
    el('td', {}, el('button', { onclick: () => editHours(h) }, t('admin.edit'))))));
  return hours;
}

function editHours(h) {
  editingHours = h;
  $('#hours-form').reset();
  $('#hf-error').replaceChildren();
  $('#hf-done').textContent = '';
  $('#hf-title').textContent = h ? t('admin.editHours', { name: h.name }) : t('admin.newHours');
  $('#hf-save').textContent = h ? t('admin.saveHours') : t('admin.addHours');
  $('#hf-name').disabled = !!h;
  if (!h) return;
  $('#hf-name').value = h.name;
  $('#hf-tz').value = h.timezone;
  for (const d of DAYS) $(`#hf-${d}`).value = h.week[d];
  $('#hf-holidays').value = h.holidays.join(', ');
  $('#hf-workdays').value = (h.workdays || []).join(', ');
}

async function saveHours(ev) {
  ev.preventDefault();
  $('#hf-done').textContent = '';
  const h = editingHours, body = {};
  const week = Object.fromEntries(DAYS.map((d) => [d, $(`#hf-${d}`).value.trim() || 'closed']));
  const holidays = list($('#hf-holidays').value);
  if (!h) body.name = $('#hf-name').value.trim();
  if (!h || $('#hf-tz').value.trim() !== h.timezone) body.timezone = $('#hf-tz').value.trim();
  if (!h || JSON.stringify(week) !== JSON.stringify(h.week)) body.week = week;
  if (!h ? holidays.length : holidays.join() !== h.holidays.join()) body.holidays = holidays;
  const workdays = list($('#hf-workdays').value);
  if (!h ? workdays.length : workdays.join() !== (h.workdays || []).join()) body.workdays = workdays;
  if (h && !Object.keys(body).length) {
    $('#hf-done').textContent = t('common.nothingChanged');
    return;
  }
  const d = h ? await send('PATCH', `/api/v1/hours/${encodeURIComponent(h.name)}`, body, $('#hf-error'))
    : await send('POST', '/api/v1/hours', body, $('#hf-error'));
  if (!d) return;
  const name = h ? h.name : body.name;
  const fresh = (await loadHours()).find((x) => x.name === name);
  editHours(h ? fresh || null : null);
  $('#hf-done').textContent = `${name}: ${applied(d)}`;
  afterSave();
}

// --- recorded prompts ------------------------------------------------------

async function loadPrompts() {
  const { prompts } = await api('/api/v1/media/prompts');
  $('#prompts').replaceChildren(...(prompts.length ? prompts.map((n) => el('li', {}, n)) : [el('li', { class: 'muted' }, t('admin.promptNone'))]));
}

// The file as the body (not JSON): the server checks and converts it.
async function uploadPrompt(ev) {
  ev.preventDefault();
  $('#pf-error').replaceChildren();
  $('#pf-done').textContent = '';
  const file = $('#pf-file').files[0];
  const ext = (file.name.match(/\.(wav|mp3)$/i) || ['.wav'])[0].toLowerCase();
  const name = $('#pf-name').value.trim().replace(/\.(wav|mp3)$/i, '') + ext;
  const r = await fetch(`/api/v1/media/prompts?name=${encodeURIComponent(name)}`, {
    method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': file.type || 'application/octet-stream' }, body: file });
  const d = await r.json().catch(() => null);
  if (!r.ok) {
    $('#pf-error').replaceChildren(el('li', {}, d?.error?.message || `HTTP ${r.status}`));
    return;
  }
  $('#pf-done').textContent = t('admin.promptUploaded', { name: d.name, seconds: (d.ms / 1000).toFixed(1) });
  $('#prompt-form').reset();
  await loadPrompts();
  refresh();
}

// --- pause reasons and dispositions ---------------------------------------

async function loadCodes() {
  const [{ pause_reasons }, { dispositions }] = await Promise.all([api('/api/v1/pause-reasons'), api('/api/v1/dispositions')]);
  $('#pr-codes').value = pause_reasons.join(', ');
  $('#pr-now').textContent = pause_reasons.join(', ');
  $('#disp-codes').value = dispositions.join(', ');
  $('#disp-now').textContent = dispositions.join(', ');
}

function codesForm(form, path, input, done, errors) {
  $(form).onsubmit = async (ev) => {
    ev.preventDefault();
    $(done).textContent = '';
    const d = await send('PUT', path, { codes: list($(input).value) }, $(errors));
    if (!d) return;
    await loadCodes();
    $(done).textContent = applied(d);
    afterSave();
  };
}

async function loadTokens() {
  const { tokens } = await api('/api/v1/tokens');
  $('#tokens tbody').replaceChildren(...tokens.map((tok) => el('tr', {},
    el('td', {}, tok.id), el('td', {}, tok.user), el('td', {}, tok.name),
    el('td', {}, dateTime(tok.created)),
    el('td', {}, tok.revoked ? t('admin.revoked') : el('button', { onclick: async () => { await api(`/api/v1/tokens/${tok.id}`, { method: 'DELETE' }); refresh(); } }, t('admin.revoke'))))));
}

async function loadAudit() {
  const { entries } = await api('/api/v1/audit?limit=50');
  $('#audit tbody').replaceChildren(...entries.map((e) => el('tr', {},
    el('td', {}, dateTime(e.ts)), el('td', {}, e.user), el('td', {}, e.action),
    el('td', {}, e.target), el('td', {}, e.detail), el('td', {}, e.addr))));
}

// the tenant file: checked with every error at its line (a click puts the
// cursor there), saved and applied when good
function showErrors(errors) {
  const ta = $('#tenant-yaml');
  $('#tenant-errors').replaceChildren(...errors.map((e) => el('li', {
    'data-line': e.line,
    onclick: () => {
      const lines = ta.value.split('\n');
      const at = lines.slice(0, Math.max(0, e.line - 1)).reduce((n, l) => n + l.length + 1, 0);
      ta.focus();
      ta.setSelectionRange(at, at + (lines[e.line - 1] || '').length);
    },
  }, t('admin.lineError', { line: e.line, key: e.key, message: e.message }))));
}

async function tenantSend(method, path) {
  $('#tenant-done').textContent = '';
  showErrors([]);
  const r = await fetch(path, { method, credentials: 'same-origin', headers: { 'Content-Type': 'application/yaml' }, body: $('#tenant-yaml').value });
  const d = await r.json();
  if (r.ok) {
    $('#tenant-done').textContent = d.saved ? applied(d) : t('admin.noErrors');
    if (d.saved) Promise.all([loadQueues(), loadAgents(), loadHours(), loadCodes()]);
  }
  else showErrors(d.error.errors || [{ line: 0, key: d.error.code, message: d.error.message }]);
}

// the file as it is now: a form's change shows there, and a later save of
// the text does not undo it
async function loadTenantText() {
  const r = await fetch('/api/v1/tenant', { credentials: 'same-origin' });
  if (r.ok) $('#tenant-yaml').value = await r.text();
}

async function loadTenant() {
  await loadTenantText();
  $('#tenant-check').onclick = () => tenantSend('POST', '/api/v1/tenant/check');
  $('#tenant-save').onclick = () => tenantSend('PUT', '/api/v1/tenant');
}

async function refresh() {
  await Promise.all([loadUsers(), loadTokens(), loadAudit()]);
}

async function main() {
  const who = await signedIn(['admin', 'supervisor']);
  $('#queue-form').onsubmit = saveQueue;
  if (who.role !== 'admin') {
    for (const s of document.querySelectorAll('.admin-only')) s.classList.add('hidden');
    await loadQueues();
    document.body.dataset.ready = '1';
    return;
  }
  isAdmin = true;
  await Promise.all([loadAgents(), loadHours(), loadCodes(), loadPrompts()]);
  $('#prompt-form').onsubmit = uploadPrompt;
  $('#agent-form').onsubmit = saveAgent;
  $('#af-new').onclick = () => editAgent(null);
  $('#hours-form').onsubmit = saveHours;
  $('#hf-new').onclick = () => editHours(null);
  codesForm('#pr-form', '/api/v1/pause-reasons', '#pr-codes', '#pr-done', '#pr-error');
  codesForm('#disp-form', '/api/v1/dispositions', '#disp-codes', '#disp-done', '#disp-error');
  $('#user-form').onsubmit = async (ev) => {
    ev.preventDefault();
    $('#nu-error').textContent = '';
    $('#nu-done').textContent = '';
    const role = $('#nu-role').value;
    const body = { name: $('#nu-name').value, role, password: $('#nu-password').value };
    if ($('#nu-display').value) body.display = $('#nu-display').value;
    if (role === 'agent') body.extension = $('#nu-ext').value;
    if (role === 'supervisor') body.queues = [...$('#nu-queues').selectedOptions].map((o) => o.value);
    try {
      await api('/api/v1/users', { method: 'POST', body });
      $('#nu-done').textContent = t('admin.userCreated', { name: body.name });
      $('#user-form').reset();
      refresh();
    } catch (e) {
      $('#nu-error').textContent = e.message;
    }
  };
  $('#tok-create').onclick = async () => {
    const tok = await api('/api/v1/tokens', { method: 'POST', body: { user: $('#tok-user').value, name: $('#tok-name').value } });
    $('#tok-new').textContent = t('admin.tokenMade', { user: tok.user, token: tok.token });
    refresh();
  };
  await loadQueues();
  await loadTenant();
  await refresh();
  document.body.dataset.ready = '1';
}

main();
