// tickets.js — the tickets page: a list with filters (status, SLA state,
// group, assignee; an agent's own or the group's), each row with its SLA
// badge and due times, paged with "More"; a ticket opened beside the
// customer's card and timeline (calls with their recordings, tickets,
// notes), with the status changes the rules allow, reassignment,
// priority, notes and replies, and its custom fields (tickets.fields)
// shown by their labels with a form to edit them. Kept live by the
// ticket.* events.
import { api, $, el, duration, signedIn, events, fieldInput, fieldValue } from './common.js';

// rows per page: 50, or ?limit=N in the page's address
const PAGE = Math.min(1000, Math.max(1, Number(new URLSearchParams(location.search).get('limit')) || 50));
const SLA_LABEL = { on_track: 'on track', at_risk: 'at risk', breached: 'breached' };

let who = null;
let rows = [];          // the tickets listed, in order
let more = false;       // the last page was full: there may be more
let loadSeq = 0;        // a newer load wins over an older one still running
let current = null;     // the id of the ticket in view
let shown = {};         // what the view's selects last showed, to keep a choice in progress
let ticketFields = [];  // the tenant's tickets.fields (GET /api/v1/fields, once)
let customBase = {};    // the fields the form was filled from
const customers = new Map(); // id -> Promise of the customer (names in the list)

const when = (iso) => (iso ? new Date(iso).toLocaleString() : '—');

// "in 4:10" or "2:05 ago" from now
function relative(iso) {
  const d = Date.parse(iso) - Date.now();
  return d >= 0 ? `in ${duration(d)}` : `${duration(-d)} ago`;
}

function slaBadge(state) {
  return el('span', { class: `badge sla ${state}`, 'data-sla': state }, SLA_LABEL[state] || state);
}

// A due time: when, and how far from now; "met" once the clock stopped.
function dueCell(iso, doneIso, cls) {
  if (doneIso) return el('td', { class: `${cls} met` }, `met ${when(doneIso)}`);
  if (!iso) return el('td', { class: cls }, '—');
  const late = Date.parse(iso) <= Date.now();
  return el('td', { class: `${cls}${late ? ' late' : ''}`, title: iso }, `${when(iso)} (${relative(iso)})`);
}

function finished(t) {
  return t.status === 'resolved' || t.status === 'closed';
}

function customerName(id) {
  if (!id) return Promise.resolve(null);
  if (!customers.has(id)) customers.set(id, api(`/api/v1/customers/${encodeURIComponent(id)}`).catch(() => null));
  return customers.get(id);
}

// --- the list ---------------------------------------------------------------

function query(offset, limit) {
  const p = new URLSearchParams();
  if ($('#f-scope').value === 'mine') p.set('mine', '1');
  for (const [key, sel] of [['status', '#f-status'], ['sla', '#f-sla'], ['group', '#f-group'], ['assignee', '#f-assignee']]) {
    if ($(sel).value) p.set(key, $(sel).value);
  }
  p.set('limit', String(limit));
  p.set('offset', String(offset));
  return `/api/v1/tickets?${p}`;
}

function row(t) {
  const cust = el('td', { class: 'customer', 'data-customer': t.customer || '' }, t.customer ? '…' : '—');
  customerName(t.customer).then((c) => { if (t.customer) cust.textContent = c ? c.name : t.customer; });
  const tr = el('tr', { 'data-ticket': t.id, 'data-status': t.status, 'data-sla': t.sla.state, class: t.id === current ? 'selected' : '', tabindex: '0' },
    el('td', {}, el('a', { href: `#${t.id}` }, t.id)),
    el('td', { class: 'subject' }, t.subject),
    cust,
    el('td', { class: `priority ${t.priority}` }, t.priority),
    el('td', {}, el('span', { class: `state ${t.status}` }, t.status)),
    el('td', { class: 'assignee' }, t.assignee || '—'),
    el('td', {}, t.group || '—'),
    el('td', {}, slaBadge(t.sla.state)),
    dueCell(t.sla.first_response_due, t.sla.first_response_at, 'due-fr'),
    dueCell(finished(t) ? null : t.sla.resolution_due, null, 'due-res'));
  tr.addEventListener('click', (ev) => { if (!ev.target.closest('a')) location.hash = t.id; });
  tr.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') location.hash = t.id; });
  return tr;
}

function renderList() {
  $('#tickets tbody').replaceChildren(...rows.map(row));
  $('#more').classList.toggle('hidden', !more);
  $('#list-count').textContent = rows.length ? `${rows.length} ticket${rows.length === 1 ? '' : 's'}${more ? ' so far' : ''}` : 'No tickets match.';
}

// Reads the list again from the top, as many rows as are shown (at least
// a page), or the next page after them (next = true).
async function loadList(next = false) {
  const seq = ++loadSeq;
  const offset = next ? rows.length : 0;
  const limit = next ? PAGE : Math.min(1000, Math.max(PAGE, rows.length));
  try {
    const { tickets } = await api(query(offset, limit));
    if (seq !== loadSeq) return;
    rows = next ? rows.concat(tickets) : tickets;
    more = tickets.length === limit;
    $('#list-error').textContent = '';
    renderList();
    document.body.dataset.listed = String(seq);
  } catch (e) {
    if (seq === loadSeq) $('#list-error').textContent = e.message;
  }
}

function filtersChanged() {
  rows = [];
  $('#list-title').textContent = $('#f-scope').selectedOptions[0]?.textContent || 'Tickets';
  loadList();
}

async function fillFilters() {
  const scope = $('#f-scope');
  const opts = who.role === 'agent'
    ? [['mine', 'My tickets'], ['group', "My group's tickets"]]
    : [['all', 'All tickets'], ...(who.extension ? [['mine', 'My tickets']] : [])];
  scope.replaceChildren(...opts.map(([v, label]) => el('option', { value: v }, label)));
  $('#list-title').textContent = opts[0][1];
  const [{ queues }, { agents }] = await Promise.all([
    api('/api/v1/queues').catch(() => ({ queues: [] })),
    api('/api/v1/agents').catch(() => ({ agents: [] }))]);
  $('#f-group').append(...queues.map((q) => el('option', { value: q.name }, q.name)));
  $('#f-assignee').append(...agents.map((a) => el('option', { value: a.ext }, `${a.ext}${a.name ? ' ' + a.name : ''}`)));
}

// --- the ticket in view -------------------------------------------------------

function field(name, value) {
  return [el('dt', {}, name), el('dd', { 'data-field': name.toLowerCase().replace(/ /g, '-') }, value)];
}

// The label of a status button: the change seen from where the ticket is.
function actionLabel(from, to) {
  if (to === 'open') return from === 'resolved' || from === 'closed' ? 'Reopen' : from === 'pending' ? 'Resume' : 'Open';
  return { pending: 'Set pending', resolved: 'Resolve', closed: 'Close', new: 'Back to new' }[to] || to;
}

function historyItem(h) {
  const label = h.kind === 'reply' ? 'public reply' : h.kind === 'note' ? 'internal note' : h.kind;
  return el('li', { class: `kind-${h.kind}`, 'data-kind': h.kind },
    el('div', { class: 'muted' }, `${when(h.at)} · ${h.user} · `, el('b', {}, label)),
    el('div', { class: 'text' }, h.text));
}

function renderTicket(t) {
  $('#tk-id').textContent = t.id;
  $('#tk-subject').textContent = t.subject;
  $('#tk-status').textContent = t.status;
  $('#tk-status').className = `state ${t.status}`;
  $('#tk-sla').replaceChildren(slaBadge(t.sla.state));
  $('#tk-priority-now').textContent = `${t.priority} priority`;
  $('#tk-description').textContent = t.description || '';
  $('#tk-fields').replaceChildren(
    ...field('Status', t.status), ...field('Priority', t.priority), ...field('Category', t.category || '—'),
    ...field('Group', t.group || '—'), ...field('Assignee', t.assignee || 'nobody'),
    ...field('Created', `${when(t.created)} by ${t.creator || 'system'}`), ...field('Updated', when(t.updated)),
    ...field('First response due', t.sla.first_response_at ? `met ${when(t.sla.first_response_at)}` : t.sla.first_response_due ? `${when(t.sla.first_response_due)} (${relative(t.sla.first_response_due)})` : '—'),
    ...field('Resolution due', finished(t) ? 'stopped' : t.sla.resolution_due ? `${when(t.sla.resolution_due)} (${relative(t.sla.resolution_due)})` : '—'),
    ...field('Escalations', t.sla.escalations),
    ...field('Tags', (t.tags || []).join(', ') || '—'), ...field('Calls', t.calls || '—'),
    ...field('Satisfaction', t.csat ? `${t.csat} of 5` : '—'));
  $('#tk-actions').replaceChildren(...(t.transitions || []).filter((s) => s !== 'new').map((s) =>
    el('button', { type: 'button', 'data-status': s, class: s === 'resolved' ? 'primary' : '', onclick: () => change({ status: s }) }, actionLabel(t.status, s))));

  // the selects keep a choice in progress unless the ticket itself changed
  const sel = $('#tk-assignee');
  if (shown.id !== t.id || shown.assignee !== t.assignee || shown.assignees !== JSON.stringify(t.assignees)) {
    const list = (t.assignees || []).slice();
    if (t.assignee && !list.some((a) => a.ext === t.assignee)) list.unshift({ ext: t.assignee, name: '' });
    sel.replaceChildren(el('option', { value: '' }, 'nobody'),
      ...list.map((a) => el('option', { value: a.ext }, `${a.ext}${a.name ? ' ' + a.name : ''}`)));
    sel.value = t.assignee || '';
  }
  if (shown.id !== t.id || shown.priority !== t.priority) $('#tk-priority').value = t.priority;
  if (shown.id !== t.id) { $('#tk-note-text').value = ''; $('#tk-note-done').textContent = ''; $('#tk-error').textContent = ''; $('#tk-custom-done').textContent = ''; }
  const prev = shown;
  shown = { id: t.id, assignee: t.assignee, assignees: JSON.stringify(t.assignees), priority: t.priority, customer: t.customer, fields: prev.fields };

  renderCustom(t, prev.id !== t.id || prev.fields !== JSON.stringify(t.fields || {}));
  shown.fields = JSON.stringify(t.fields || {});

  $('#tk-history').replaceChildren(...(t.history || []).slice().reverse().map(historyItem));
}

// --- custom fields (tickets.fields) ---------------------------------------------

function customText(f, v) {
  if (v === undefined || v === null || v === '') return '—';
  if (f?.type === 'bool' || typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

// The fields by their labels (declared ones in their order, then any the
// ticket keeps that are not declared); the form is built again only when
// the ticket or its fields changed, so that an edit in progress stays.
function renderCustom(t, rebuild) {
  const values = t.fields || {};
  const declared = new Set(ticketFields.map((f) => f.name));
  const extra = Object.keys(values).filter((k) => !declared.has(k));
  $('#tk-custom').classList.toggle('hidden', !ticketFields.length && !extra.length);
  $('#tk-custom-list').replaceChildren(
    ...ticketFields.flatMap((f) => [el('dt', {}, f.label || f.name), el('dd', { 'data-custom': f.name }, customText(f, values[f.name]))]),
    ...extra.flatMap((k) => [el('dt', {}, k), el('dd', { 'data-custom': k }, customText(null, values[k]))]));
  $('#tk-custom-edit').classList.toggle('hidden', !ticketFields.length);
  if (!rebuild) return;
  customBase = values;
  $('#tk-custom-inputs').replaceChildren(...ticketFields.flatMap((f) => [
    el('label', { for: `tkf-${f.name}`, class: f.required ? 'required' : '' }, f.label || f.name),
    fieldInput(f, values[f.name], 'tkf-')]));
  $('#tk-custom-error').textContent = '';
}

// Sends the fields the form changed (null removes one); the API checks
// them against the declarations and its message is shown as it is.
async function saveCustom(ev) {
  ev.preventDefault();
  const id = current, before = customBase, fields = {};
  for (const f of ticketFields) {
    const v = fieldValue(f, $(`#tkf-${f.name}`)), was = before[f.name];
    if (v === null ? was === undefined || was === null : v === was || (f.type === 'bool' && !v && was === undefined)) continue;
    fields[f.name] = v;
  }
  $('#tk-custom-error').textContent = '';
  $('#tk-custom-done').textContent = '';
  document.querySelectorAll('#tk-custom-inputs [aria-invalid]').forEach((i) => i.removeAttribute('aria-invalid'));
  if (!Object.keys(fields).length) { $('#tk-custom-done').textContent = 'Nothing changed.'; return; }
  try {
    await api(`/api/v1/tickets/${encodeURIComponent(id)}`, { method: 'PATCH', body: { fields } });
    if (current === id) $('#tk-custom-done').textContent = 'Fields saved.';
  } catch (e) {
    if (current !== id) return;
    $('#tk-custom-error').textContent = e.message;
    const bad = /^fields\.([a-z][a-z0-9_]*):/.exec(e.message || '');
    if (bad && ticketFields.some((f) => f.name === bad[1])) $(`#tkf-${bad[1]}`).setAttribute('aria-invalid', 'true');
    return;
  }
  if (current === id) await openTicket(id);
  loadList();
}

// A recording of the timeline is being listened to: not redrawn under it.
const playing = () => [...document.querySelectorAll('#cust-timeline audio')].some((a) => !a.paused);

// Shows ticket id; the customer beside it is read again when it changed,
// or when withCustomer and no recording of it is playing.
async function openTicket(id, withCustomer = true) {
  const first = current !== id;
  current = id;
  document.querySelectorAll('#tickets tbody tr').forEach((tr) => tr.classList.toggle('selected', tr.dataset.ticket === id));
  $('#view').classList.remove('hidden');
  if (first) $('#tk-error').textContent = '';
  try {
    const before = shown.customer;
    const t = await api(`/api/v1/tickets/${encodeURIComponent(id)}`);
    if (current !== id) return;
    renderTicket(t);
    document.body.dataset.ticket = t.id;
    if (first || before !== t.customer) showCustomer(t.customer);
    else if (withCustomer && t.customer && !playing()) showCustomer(t.customer); // its notes and calls move too
  } catch (e) {
    if (current !== id) return;
    $('#tk-error').textContent = e.message;
  }
}

function closeTicket() {
  current = null;
  shown = {};
  $('#view').classList.add('hidden');
  delete document.body.dataset.ticket;
  document.querySelectorAll('#tickets tbody tr.selected').forEach((tr) => tr.classList.remove('selected'));
}

async function change(body) {
  const id = current;
  $('#tk-error').textContent = '';
  try {
    await api(`/api/v1/tickets/${encodeURIComponent(id)}`, { method: 'PATCH', body });
  } catch (e) {
    $('#tk-error').textContent = e.message;
  }
  if (current === id) await openTicket(id);
  loadList();
}

async function addNote(isPublic) {
  const id = current, text = $('#tk-note-text').value.trim();
  $('#tk-note-done').textContent = '';
  if (!text) { $('#tk-error').textContent = 'text: write something first'; return; }
  try {
    await api(`/api/v1/tickets/${encodeURIComponent(id)}/notes`, { method: 'POST', body: { text, public: isPublic } });
    $('#tk-note-text').value = '';
    $('#tk-note-done').textContent = isPublic ? 'Reply sent.' : 'Note added.';
    $('#tk-error').textContent = '';
  } catch (e) {
    $('#tk-error').textContent = e.message;
  }
  if (current === id) await openTicket(id);
  loadList();
}

// --- the customer beside it ---------------------------------------------------

let customerSeq = 0;

function timelineRow(item) {
  let what, details;
  if (item.kind === 'call') {
    const talk = item.answered_at && item.ended_at ? duration(Date.parse(item.ended_at) - Date.parse(item.answered_at)) : null;
    what = `Call · ${item.outcome || '—'}`;
    details = el('div', {},
      el('div', {}, [item.caller, item.queue && `queue ${item.queue}`, item.agent && `agent ${item.agent}`, talk && `talk ${talk}`].filter(Boolean).join(' · ')),
      item.wrapup ? el('div', { class: 'muted' }, `${item.wrapup.disposition}${item.wrapup.notes ? ': ' + item.wrapup.notes : ''}`) : '',
      item.recording_url ? el('audio', { controls: '', preload: 'none', src: item.recording_url }) : '');
  } else if (item.kind === 'ticket') {
    const t = item.ticket;
    what = el('span', {}, 'Ticket ', el('a', { href: `#${t.id}` }, t.id));
    details = el('div', {}, `${t.subject} · ${t.status} · ${t.priority} `, slaBadge(t.sla.state));
  } else {
    what = el('span', {}, item.kind === 'reply' ? 'Reply on ' : 'Note on ', el('a', { href: `#${item.ticket}` }, item.ticket));
    details = el('div', {}, el('span', { class: 'muted' }, `${item.user}: `), item.text);
  }
  return el('tr', { 'data-kind': item.kind }, el('td', { class: 'when' }, when(item.at)), el('td', {}, what), el('td', {}, details));
}

async function showCustomer(id) {
  const seq = ++customerSeq;
  $('#cust-error').textContent = '';
  if (!id) {
    $('#cust-card').classList.add('hidden');
    $('#cust-none').classList.remove('hidden');
    return;
  }
  const enc = encodeURIComponent(id);
  try {
    // calls, tickets and their notes and replies, newest first (the server
    // merges them)
    const [c, { timeline: items }] = await Promise.all([
      api(`/api/v1/customers/${enc}`),
      api(`/api/v1/customers/${enc}/timeline?limit=50`)]);
    if (seq !== customerSeq) return;
    customers.set(id, Promise.resolve(c));
    $('#cust-none').classList.add('hidden');
    $('#cust-card').classList.remove('hidden');
    $('#cust-card').dataset.customer = c.id;
    $('#cust-name').textContent = c.name;
    $('#cust-tier').textContent = c.tier;
    $('#cust-tier').className = `state tier-${c.tier}`;
    $('#cust-company').textContent = c.company;
    $('#cust-tags').textContent = c.tags.map((t) => '#' + t).join(' ');
    $('#cust-ids').textContent = c.identities.map((i) => i.value).join(' · ');
    $('#cust-notes').textContent = c.notes;
    $('#cust-fields').replaceChildren(...Object.entries(c.fields || {}).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
    $('#cust-timeline tbody').replaceChildren(...items.map(timelineRow));
  } catch (e) {
    if (seq === customerSeq) $('#cust-error').textContent = e.message;
  }
}

// --- start --------------------------------------------------------------------

function route() {
  const id = decodeURIComponent(location.hash.slice(1));
  if (id) openTicket(id);
  else closeTicket();
}

async function main() {
  who = await signedIn(['agent', 'supervisor', 'admin']);
  [ticketFields] = await Promise.all([
    api('/api/v1/fields').then((d) => d.ticket || []).catch(() => []),
    fillFilters()]);
  for (const sel of ['#f-scope', '#f-status', '#f-sla', '#f-group', '#f-assignee']) $(sel).onchange = filtersChanged;
  $('#filters').onsubmit = (ev) => ev.preventDefault();
  $('#more').onclick = () => loadList(true);
  $('#tk-close-view').onclick = () => { location.hash = ''; };
  $('#tk-assign').onclick = () => change({ assignee: $('#tk-assignee').value });
  $('#tk-priority-set').onclick = () => change({ priority: $('#tk-priority').value });
  $('#tk-note-form').onsubmit = (ev) => { ev.preventDefault(); addNote(false); };
  $('#tk-reply-add').onclick = () => addNote(true);
  $('#tk-custom-form').onsubmit = saveCustom;
  window.addEventListener('hashchange', route);
  await loadList();
  route();

  // SLA states move with the clock, and an agent is not told of a
  // colleague's tickets in its groups: a look every 15 s besides events
  setInterval(() => { loadList(); if (current) openTicket(current, false); }, 15000);
  let listDue = null, viewDue = null;
  events('ticket.', (ev) => {
    if (!listDue) listDue = setTimeout(() => { listDue = null; loadList(); }, 300);
    if (current && ev.data && ev.data.ticket === current && !viewDue) {
      viewDue = setTimeout(() => { viewDue = null; if (current) openTicket(current); }, 300);
    }
  }, () => { $('#live').textContent = 'live'; document.body.dataset.live = '1'; loadList(); });
}

main();
