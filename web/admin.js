// admin.js — users (make, disable, enable), API tokens (make, revoke),
// the queues as configured, and the audit log. Errors from the API are
// shown as it words them: they name the field.
import { api, $, el, pct, signedIn } from './common.js';

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
  $('#queues tbody').replaceChildren(...queues.map((q) => el('tr', {},
    el('td', {}, q.name), el('td', {}, q.strategy), el('td', {}, q.priority), el('td', {}, q.members), el('td', {}, pct(q.service_level_target)))));
  $('#nu-queues').replaceChildren(...queues.map((q) => el('option', { value: q.name }, q.name)));
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
// cursor there), saved when good; it applies at the next start
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
  if (r.ok) $('#tenant-done').textContent = d.saved ? `Saved; applies ${d.applies}` : 'No errors';
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
  await signedIn(['admin']);
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
