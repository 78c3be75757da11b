// tickets.js — the tickets page: a list with filters (status, SLA state,
// group, assignee; an agent's own or the group's), each row with its SLA
// badge and due times, paged with "More"; a ticket opened beside the
// customer's card and timeline (calls with their recordings, tickets,
// notes), with the status changes the rules allow, reassignment,
// priority, notes and replies, and its custom fields (tickets.fields)
// shown by their labels with a form to edit them. Kept live by the
// ticket.* events.
import { api, $, el, duration, signedIn, events, fieldInput, fieldValue, t, tv, dateTime, relative as fromNow } from './common.js';

// rows per page: 50, or ?limit=N in the page's address
const PAGE = Math.min(1000, Math.max(1, Number(new URLSearchParams(location.search).get('limit')) || 50));

let who = null;
let rows = [];          // the tickets listed, in order
let more = false;       // the last page was full: there may be more
let loadSeq = 0;        // a newer load wins over an older one still running
let current = null;     // the id of the ticket in view
let shown = {};         // what the view's selects last showed, to keep a choice in progress
let ticketFields = [];  // the tenant's tickets.fields (GET /api/v1/fields, once)
let customBase = {};    // the fields the form was filled from
const customers = new Map(); // id -> Promise of the customer (names in the list)

const when = (iso) => dateTime(iso);

// "in 4 minutes" or "2 hours ago", in the page's language
const relative = (iso) => fromNow(Date.parse(iso) - Date.now());

function slaBadge(state) {
  return el('span', { class: `badge sla ${state}`, 'data-sla': state }, tv('sla', state));
}

// A due time: when, and how far from now; "met" once the clock stopped.
function dueCell(iso, doneIso, cls) {
  if (doneIso) return el('td', { class: `${cls} met` }, t('tickets.met', { when: when(doneIso) }));
  if (!iso) return el('td', { class: cls }, '—');
  const late = Date.parse(iso) <= Date.now();
  return el('td', { class: `${cls}${late ? ' late' : ''}`, title: iso }, `${when(iso)} (${relative(iso)})`);
}

function finished(tk) {
  return tk.status === 'resolved' || tk.status === 'closed';
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

function row(tk) {
  const cust = el('td', { class: 'customer', 'data-customer': tk.customer || '' }, tk.customer ? '…' : '—');
  customerName(tk.customer).then((c) => { if (tk.customer) cust.textContent = c ? c.name : tk.customer; });
  const tr = el('tr', { 'data-ticket': tk.id, 'data-status': tk.status, 'data-sla': tk.sla.state, class: tk.id === current ? 'selected' : '', tabindex: '0' },
    el('td', {}, el('a', { href: `#${tk.id}` }, tk.id)),
    el('td', { class: 'subject' }, tk.subject),
    cust,
    el('td', { class: `priority ${tk.priority}` }, tv('priority', tk.priority)),
    el('td', {}, el('span', { class: `state ${tk.status}` }, tv('status', tk.status))),
    el('td', { class: 'assignee' }, tk.assignee || '—'),
    el('td', {}, tk.group || '—'),
    el('td', {}, slaBadge(tk.sla.state)),
    dueCell(tk.sla.first_response_due, tk.sla.first_response_at, 'due-fr'),
    dueCell(finished(tk) ? null : tk.sla.resolution_due, null, 'due-res'));
  tr.addEventListener('click', (ev) => { if (!ev.target.closest('a')) location.hash = tk.id; });
  tr.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') location.hash = tk.id; });
  return tr;
}

function renderList() {
  $('#tickets tbody').replaceChildren(...rows.map(row));
  $('#more').classList.toggle('hidden', !more);
  $('#list-count').textContent = rows.length ? (more ? t('tickets.countSoFar', { n: rows.length }) : t('tickets.count', { n: rows.length })) : t('tickets.none');
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
  $('#list-title').textContent = $('#f-scope').selectedOptions[0]?.textContent || t('tickets.title');
  loadList();
}

async function fillFilters() {
  const scope = $('#f-scope');
  const opts = who.role === 'agent'
    ? [['mine', t('tickets.mine')], ['group', t('tickets.group')]]
    : [['all', t('tickets.all')], ...(who.extension ? [['mine', t('tickets.mine')]] : [])];
  scope.replaceChildren(...opts.map(([v, label]) => el('option', { value: v }, label)));
  $('#list-title').textContent = opts[0][1];
  const [{ queues }, { agents }] = await Promise.all([
    api('/api/v1/queues').catch(() => ({ queues: [] })),
    api('/api/v1/agents').catch(() => ({ agents: [] }))]);
  $('#f-group').append(...queues.map((q) => el('option', { value: q.name }, q.name)));
  $('#f-assignee').append(...agents.map((a) => el('option', { value: a.ext }, `${a.ext}${a.name ? ' ' + a.name : ''}`)));
}

// --- the ticket in view -------------------------------------------------------

// one line of the ticket's facts: key is its catalog key, whose last part
// names it in data-field (ticket.firstResponseDue: first-response-due)
function field(key, value) {
  return [el('dt', {}, t(key)), el('dd', { 'data-field': key.split('.').pop().replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()) }, value)];
}

// The label of a status button: the change seen from where the ticket is.
function actionLabel(from, to) {
  if (to === 'open') return from === 'resolved' || from === 'closed' ? t('action.reopen') : from === 'pending' ? t('action.resume') : t('action.open');
  return tv('action', to);
}

// What a history entry the server wrote says, in the page's language:
// the server keeps each as a message key and its arguments (key, args:
// text as it was, or one of our words {w}), worded here from the page's
// catalog; notes, replies and old lines without a key are shown as written.
function historyText(h) {
  const args = h.args || [];
  const text = (i) => (typeof args[i] === 'string' ? args[i] : '');
  const word = (i) => (args[i] && typeof args[i] === 'object' ? args[i].w : undefined);
  const who = (i) => (word(i) === 'nobody' ? t('tickets.nobody') : word(i) === 'a group' ? t('history.aGroup') : text(i));
  const clock = () => (word(0) === 'resolution' ? t('ticket.resolutionDue') : t('ticket.firstResponseDue'));
  const made = () => ({ subject: text(0), priority: tv('priority', word(1)), category: tv('category', text(2)) || text(2), assignee: who(3) });
  switch (h.key) {
    case 'ticket.status': return `${tv('status', word(0))} → ${tv('status', word(1))}`;
    case 'ticket.priority': return `${tv('priority', word(0))} → ${tv('priority', word(1))}`;
    case 'ticket.assign': return `${who(0)} → ${who(1)}`;
    case 'ticket.created': return t('history.created', made());
    case 'ticket.created.assigned': return t('history.createdTo', made());
    case 'ticket.rated': return t('tickets.csat', { n: text(0) });
    case 'ticket.sla.breached': return t('history.breached', { clock: clock() });
    case 'ticket.sla.near': return t('history.near', { clock: clock() });
    case 'ticket.escalated': return t('history.escalated', { priority: tv('priority', word(0)), from: who(1), to: who(2) });
    case 'ticket.escalated.kept': return t('history.escalatedKept', { priority: tv('priority', word(0)), from: who(1), group: who(2) });
    case 'ticket.fields': return text(0);
    case 'ticket.fields.removed': return t('history.fieldsRemoved', { removed: text(0) });
    case 'ticket.fields.both': return t('history.fieldsBoth', { fields: text(0), removed: text(1) });
    default: return h.text;
  }
}

function historyItem(h) {
  const label = tv('historyKind', h.kind);
  return el('li', { class: `kind-${h.kind}`, 'data-kind': h.kind },
    el('div', { class: 'muted' }, `${when(h.at)} · ${h.user === 'system' ? t('tickets.system') : h.user} · `, el('b', {}, label)),
    el('div', { class: 'text' }, historyText(h)));
}

function renderTicket(tk) {
  $('#tk-id').textContent = tk.id;
  $('#tk-subject').textContent = tk.subject;
  $('#tk-status').textContent = tv('status', tk.status);
  $('#tk-status').className = `state ${tk.status}`;
  $('#tk-sla').replaceChildren(slaBadge(tk.sla.state));
  $('#tk-priority-now').textContent = t('tickets.priorityNow', { priority: tv('priority', tk.priority) });
  $('#tk-description').textContent = tk.description || '';
  $('#tk-fields').replaceChildren(
    ...field('ticket.status', tv('status', tk.status)), ...field('ticket.priority', tv('priority', tk.priority)), ...field('ticket.category', tv('category', tk.category) || '—'),
    ...field('ticket.group', tk.group || '—'), ...field('ticket.assignee', tk.assignee || t('tickets.nobody')),
    ...field('ticket.created', t('tickets.createdBy', { when: when(tk.created), who: tk.creator || t('tickets.system') })), ...field('ticket.updated', when(tk.updated)),
    ...field('ticket.firstResponseDue', tk.sla.first_response_at ? t('tickets.met', { when: when(tk.sla.first_response_at) }) : tk.sla.first_response_due ? `${when(tk.sla.first_response_due)} (${relative(tk.sla.first_response_due)})` : '—'),
    ...field('ticket.resolutionDue', finished(tk) ? t('tickets.stopped') : tk.sla.resolution_due ? `${when(tk.sla.resolution_due)} (${relative(tk.sla.resolution_due)})` : '—'),
    ...field('ticket.escalations', tk.sla.escalations),
    ...field('ticket.tags', (tk.tags || []).join(', ') || '—'), ...field('ticket.calls', tk.calls || '—'),
    ...field('ticket.satisfaction', tk.csat ? t('tickets.csat', { n: tk.csat }) : '—'));
  $('#tk-actions').replaceChildren(...(tk.transitions || []).filter((s) => s !== 'new').map((s) =>
    el('button', { type: 'button', 'data-status': s, class: s === 'resolved' ? 'primary' : '', onclick: () => change({ status: s }) }, actionLabel(tk.status, s))));

  // the selects keep a choice in progress unless the ticket itself changed
  const sel = $('#tk-assignee');
  if (shown.id !== tk.id || shown.assignee !== tk.assignee || shown.assignees !== JSON.stringify(tk.assignees)) {
    const list = (tk.assignees || []).slice();
    if (tk.assignee && !list.some((a) => a.ext === tk.assignee)) list.unshift({ ext: tk.assignee, name: '' });
    sel.replaceChildren(el('option', { value: '' }, t('tickets.nobody')),
      ...list.map((a) => el('option', { value: a.ext }, `${a.ext}${a.name ? ' ' + a.name : ''}`)));
    sel.value = tk.assignee || '';
  }
  if (shown.id !== tk.id || shown.priority !== tk.priority) $('#tk-priority').value = tk.priority;
  if (shown.id !== tk.id) { $('#tk-note-text').value = ''; $('#tk-note-done').textContent = ''; $('#tk-error').textContent = ''; $('#tk-custom-done').textContent = ''; }
  const prev = shown;
  shown = { id: tk.id, assignee: tk.assignee, assignees: JSON.stringify(tk.assignees), priority: tk.priority, customer: tk.customer, fields: prev.fields };

  renderCustom(tk, prev.id !== tk.id || prev.fields !== JSON.stringify(tk.fields || {}));
  shown.fields = JSON.stringify(tk.fields || {});

  $('#tk-history').replaceChildren(...(tk.history || []).slice().reverse().map(historyItem));
}

// --- custom fields (tickets.fields) ---------------------------------------------

function customText(f, v) {
  if (v === undefined || v === null || v === '') return '—';
  if (f?.type === 'bool' || typeof v === 'boolean') return v ? t('common.yes') : t('common.no');
  return String(v);
}

// The fields by their labels (declared ones in their order, then any the
// ticket keeps that are not declared); the form is built again only when
// the ticket or its fields changed, so that an edit in progress stays.
function renderCustom(tk, rebuild) {
  const values = tk.fields || {};
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
  if (!Object.keys(fields).length) { $('#tk-custom-done').textContent = t('common.nothingChanged'); return; }
  try {
    await api(`/api/v1/tickets/${encodeURIComponent(id)}`, { method: 'PATCH', body: { fields } });
    if (current === id) $('#tk-custom-done').textContent = t('tickets.fieldsSaved');
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
    const tk = await api(`/api/v1/tickets/${encodeURIComponent(id)}`);
    if (current !== id) return;
    renderTicket(tk);
    document.body.dataset.ticket = tk.id;
    if (first || before !== tk.customer) showCustomer(tk.customer);
    else if (withCustomer && tk.customer && !playing()) showCustomer(tk.customer); // its notes and calls move too
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
  if (!text) { $('#tk-error').textContent = t('tickets.writeFirst'); return; }
  try {
    await api(`/api/v1/tickets/${encodeURIComponent(id)}/notes`, { method: 'POST', body: { text, public: isPublic } });
    $('#tk-note-text').value = '';
    $('#tk-note-done').textContent = (isPublic ? t('tickets.replySent') : t('tickets.noteAdded'));
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
    what = t('timeline.call', { outcome: tv('outcome', item.outcome) || '—' });
    details = el('div', {},
      el('div', {}, [item.caller, item.queue && t('timeline.queue', { queue: item.queue }), item.agent && t('timeline.agent', { ext: item.agent }), talk && t('timeline.talk', { d: talk })].filter(Boolean).join(' · ')),
      item.wrapup ? el('div', { class: 'muted' }, `${tv('disposition', item.wrapup.disposition)}${item.wrapup.notes ? t('common.colon') + item.wrapup.notes : ''}`) : '',
      item.recording_url ? el('audio', { controls: '', preload: 'none', src: item.recording_url }) : '');
  } else if (item.kind === 'ticket') {
    const tk = item.ticket;
    what = el('span', {}, t('timeline.ticket'), ' ', el('a', { href: `#${tk.id}` }, tk.id));
    details = el('div', {}, `${tk.subject} · ${tv('status', tk.status)} · ${tv('priority', tk.priority)} `, slaBadge(tk.sla.state));
  } else {
    what = el('span', {}, (item.kind === 'reply' ? t('timeline.replyOnLink') : t('timeline.noteOnLink')), ' ', el('a', { href: `#${item.ticket}` }, item.ticket));
    details = el('div', {}, el('span', { class: 'muted' }, `${item.user}${t('common.colon')}`), item.text);
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
    $('#cust-tier').textContent = tv('tier', c.tier);
    $('#cust-tier').className = `state tier-${c.tier}`;
    $('#cust-company').textContent = c.company;
    $('#cust-tags').textContent = c.tags.map((tag) => '#' + tag).join(' ');
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
  }, () => { $('#live').textContent = t('common.live'); document.body.dataset.live = '1'; loadList(); });
}

main();
