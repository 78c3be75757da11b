// admin.js — users (make, disable, enable), API tokens (make, revoke),
// the queues with a form that changes one (written into the tenant file
// and applied at once), the tenant file itself and the audit log. A
// supervisor sees only its queues and their form. Errors from the API
// are shown as it words them: they name the field.
import { api, $, el, pct, duration, signedIn } from './common.js';

let editing = null; // the queue in the form

async function loadUsers() {
  const { users } = await api('/api/v1/users');
  $('#users tbody').replaceChildren(...users.map((u) => el('tr', { 'data-user': u.user },
    el('td', {}, u.user + (u.display ? ` (${u.display})` : '')),
    el('td', {}, u.role),
    el('td', {}, u.extension || ''),
    el('td', {}, (u.queues || []).join(', ')),
    el('td', {}, u.disabled ? 'disabled' : 'active'),
    el('td', {}, el('button', { onclick: async () => { await api(`/api/v1/users/${u.user}`, { method: 'PATCH', body: { disabled: !u.disabled } }); refresh(); } }, u.disabled ? 'Enable' : 'Disable')))));
  $('#tok-user').replaceChildren(...users.map((u) => el('option', { value: u.user }, u.user)));
}

async function loadQueues() {
  const { queues } = await api('/api/v1/queues');
  const s = (q) => q.settings || {};
  $('#queues tbody').replaceChildren(...queues.map((q) => el('tr', { 'data-queue': q.name },
    el('td', {}, q.name), el('td', { class: 'strategy' }, q.strategy),
    el('td', {}, duration(s(q).ring_timeout_ms || 0)), el('td', {}, duration(s(q).wrapup_ms || 0)),
    el('td', { class: 'members' }, (q.member_agents || []).join(', ')),
    el('td', { class: 'target' }, pct(q.service_level_target)),
    el('td', {}, q.settings ? el('button', { onclick: () => editQueue(q) }, 'Edit') : ''))));
  $('#nu-queues').replaceChildren(...queues.map((q) => el('option', { value: q.name }, q.name)));
  return queues;
}

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
  return body;
}

async function saveQueue(ev) {
  ev.preventDefault();
  const q = editing, body = queueChanges(q);
  $('#qf-done').textContent = '';
  $('#qf-error').replaceChildren();
  if (!Object.keys(body).length) {
    $('#qf-done').textContent = 'Nothing changed';
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
  $('#qf-done').textContent = 'Saved and applied' + (d.next_start.length ? `; at the next start: ${d.next_start.join('; ')}` : '');
}

async function loadTokens() {
  const { tokens } = await api('/api/v1/tokens');
  $('#tokens tbody').replaceChildren(...tokens.map((t) => el('tr', {},
    el('td', {}, t.id), el('td', {}, t.user), el('td', {}, t.name),
    el('td', {}, new Date(t.created).toLocaleString()),
    el('td', {}, t.revoked ? 'revoked' : el('button', { onclick: async () => { await api(`/api/v1/tokens/${t.id}`, { method: 'DELETE' }); refresh(); } }, 'Revoke')))));
}

async function loadAudit() {
  const { entries } = await api('/api/v1/audit?limit=50');
  $('#audit tbody').replaceChildren(...entries.map((e) => el('tr', {},
    el('td', {}, new Date(e.ts).toLocaleString()), el('td', {}, e.user), el('td', {}, e.action),
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
  }, `line ${e.line}: ${e.key}: ${e.message}`)));
}

async function tenantSend(method, path) {
  $('#tenant-done').textContent = '';
  showErrors([]);
  const r = await fetch(path, { method, credentials: 'same-origin', headers: { 'Content-Type': 'application/yaml' }, body: $('#tenant-yaml').value });
  const d = await r.json();
  if (r.ok) {
    const later = d.next_start && d.next_start.length ? `; at the next start: ${d.next_start.join('; ')}` : '';
    $('#tenant-done').textContent = d.saved ? `Saved and applied${later}` : 'No errors';
    if (d.saved) loadQueues();
  }
  else showErrors(d.error.errors || [{ line: 0, key: d.error.code, message: d.error.message }]);
}

async function loadTenant() {
  const r = await fetch('/api/v1/tenant', { credentials: 'same-origin' });
  $('#tenant-yaml').value = await r.text();
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
  const { agents } = await api('/api/v1/agents');
  $('#nu-ext').replaceChildren(el('option', { value: '' }, '—'), ...agents.map((a) => el('option', { value: a.ext }, `${a.ext} ${a.name}`)));
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
      $('#nu-done').textContent = `Created ${body.name}`;
      $('#user-form').reset();
      refresh();
    } catch (e) {
      $('#nu-error').textContent = e.message;
    }
  };
  $('#tok-create').onclick = async () => {
    const t = await api('/api/v1/tokens', { method: 'POST', body: { user: $('#tok-user').value, name: $('#tok-name').value } });
    $('#tok-new').textContent = `New token for ${t.user} (shown once): ${t.token}`;
    refresh();
  };
  await loadQueues();
  await loadTenant();
  await refresh();
  document.body.dataset.ready = '1';
}

main();
