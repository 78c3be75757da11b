// agent.js — the agent desktop: state buttons in step with the phone's
// feature codes, the offered call with its caller and IVR path, the call
// with a timer, hold, hang-up, transfer, notes, the recording's pause
// and the consult before a three-way, the wrap-up with a
// disposition, and the agent's own calls with their recordings. The
// chats panel beside the phone is agent-chats.js, the browser phone
// agent-phone.js.
import { api, $, el, duration, signedIn, events, fieldInput, fieldValue, t, tv, dateTime, timeOfDay, showNumber } from './common.js';
import { initChats, chatEvent } from './agent-chats.js';
import { initPhone } from './agent-phone.js';

let me;              // who is signed in
let agent;           // GET /api/v1/agents/{ext}
let current = null;  // {id, caller, called, queue, path, answered}
let wrapupCall = null;
let timer = null;
let fieldDefs = null; // GET /api/v1/fields: the customers' declared fields
let ticketFields = []; // ... and the tickets', filled in when a ticket is made

function showState() {
  const s = $('#state');
  s.textContent = tv('agentState', agent.state);
  s.className = `state ${agent.state}`;
  $('#state-reason').textContent = agent.state === 'paused' && agent.reason ? `(${tv('pauseReason', agent.reason)})` : '';
  $('#state-since').textContent = agent.since ? t('agent.since', { d: duration(Date.now() - agent.since) }) : '';
  $('#go-available').disabled = agent.presence === 'available';
  $('#go-pause').disabled = agent.presence === 'paused' && agent.state === 'paused';
  if (agent.state === 'wrapup' && agent.wrapup_until > Date.now())
    $('#wrapup-countdown').textContent = t('agent.wrapupLeft', { d: duration(agent.wrapup_until - Date.now()) });
  else
    $('#wrapup-countdown').textContent = '';
}

async function loadAgent() {
  agent = await api(`/api/v1/agents/${me.extension}`);
  showState();
}

async function setState(state, reason) {
  $('#state-error').textContent = '';
  try {
    agent = await api(`/api/v1/agents/${me.extension}/state`, { method: 'POST', body: reason ? { state, reason } : { state } });
    showState();
  } catch (e) {
    $('#state-error').textContent = e.message;
  }
}

// The screen pop: who is calling, their tier and their history; or, for
// an unknown caller, a form that makes them a customer in one step.
async function showCustomer(id, number) {
  $('#customer').classList.remove('hidden');
  $('#cust-error').textContent = '';
  if (!id) {
    $('#cust-known').classList.add('hidden');
    $('#cust-new').classList.remove('hidden');
    $('#cust-new-number').textContent = number || '';
    $('#cust-new').onsubmit = async (e) => {
      e.preventDefault();
      try {
        const c = await api('/api/v1/customers', { method: 'POST', body: { name: $('#cust-new-name').value, company: $('#cust-new-company').value, identities: [{ kind: 'phone', value: number }] } });
        showCustomer(c.id);
      } catch (err) {
        $('#cust-error').textContent = err.message;
      }
    };
    return;
  }
  const enc = encodeURIComponent(id);
  const [c, { timeline }, { tickets }] = await Promise.all([api(`/api/v1/customers/${enc}`),
    api(`/api/v1/customers/${enc}/timeline?limit=10`), api(`/api/v1/tickets?customer=${enc}&status=new,open,pending&limit=5`)]);
  fieldDefs = fieldDefs || (await api('/api/v1/fields')).customer;
  $('#cust-new').classList.add('hidden');
  $('#cust-known').classList.remove('hidden');
  $('#cust-name').textContent = c.name;
  $('#cust-tier').textContent = tv('tier', c.tier);
  $('#cust-tier').className = `state tier-${c.tier}`;
  $('#cust-company').textContent = c.company;
  $('#cust-tags').textContent = c.tags.map((tag) => '#' + tag).join(' ');
  $('#cust-notes').textContent = c.notes;
  // the fields the admin declared, by their labels; undeclared keys as they are
  const label = (k) => (fieldDefs.find((f) => f.name === k) || { label: k }).label;
  $('#cust-fields').replaceChildren(...Object.entries(c.fields || {}).flatMap(([k, v]) => [el('dt', {}, label(k)), el('dd', {}, String(v))]));
  $('#cust-open').replaceChildren(...(tickets.length ? [el('div', { class: 'muted' }, t('agent.openTickets', { n: tickets.length }))] : []),
    ...tickets.map((tk) => el('div', { class: 'open-ticket', 'data-ticket': tk.id },
      el('a', { href: `/tickets#${tk.id}` }, tk.subject), ` · ${tv('status', tk.status)} · ${tv('priority', tk.priority)} `, el('span', { class: `sla ${tk.sla.state}` }, tv('sla', tk.sla.state)))));
  $('#cust-timeline tbody').replaceChildren(...timeline.map(timelineRow));
}

// one line of the customer's timeline: a call (its recording plays in
// place), a ticket, or a note or reply on one
function timelineRow(item) {
  let what, details;
  if (item.kind === 'call') {
    what = t('timeline.call', { outcome: tv('outcome', item.outcome) });
    details = el('div', {}, [item.queue, item.agent && t('timeline.agent', { ext: item.agent }), item.wrapup && `${tv('disposition', item.wrapup.disposition)}${item.wrapup.notes ? t('common.colon') + item.wrapup.notes : ''}`].filter(Boolean).join(' · '),
      item.recording_url ? el('audio', { controls: '', preload: 'none', src: item.recording_url }) : '');
  } else if (item.kind === 'interaction') {
    // a chat (mail, message): its transcript opens in place
    what = t('timeline.interaction', { channel: tv('channel', item.channel), outcome: tv('outcome', item.outcome) });
    const transcript = el('details', { class: 'transcript', 'data-interaction': item.id }, el('summary', {}, t('timeline.transcript')));
    transcript.addEventListener('toggle', async () => {
      if (!transcript.open || transcript.dataset.loaded) return;
      transcript.dataset.loaded = '1';
      try {
        const ia = await api(`/api/v1/interactions/${encodeURIComponent(item.id)}`);
        transcript.append(...(ia.messages || []).filter((m) => !m.internal).map((m) =>
          el('div', { class: `line ${m.from}` }, `${timeOfDay(m.at)} ${m.name || tv('sender', m.from)}${t('common.colon')}${m.text || m.attachment?.name || ''}`)));
      } catch (e) {
        transcript.append(el('div', { class: 'error' }, e.message));
      }
    });
    details = el('div', {}, [item.queue, item.agent && t('timeline.agent', { ext: item.agent }), item.wrapup && `${tv('disposition', item.wrapup.disposition)}${item.wrapup.notes ? t('common.colon') + item.wrapup.notes : ''}`].filter(Boolean).join(' · '), transcript);
  } else if (item.kind === 'ticket') {
    what = el('span', {}, t('timeline.ticket'), ' ', el('a', { href: `/tickets#${item.ticket.id}` }, item.ticket.id));
    details = `${item.ticket.subject} · ${tv('status', item.ticket.status)}`;
  } else {
    what = item.kind === 'reply' ? t('timeline.replyOn', { ticket: item.ticket }) : t('timeline.noteOn', { ticket: item.ticket });
    details = `${item.user}${t('common.colon')}${item.text}`;
  }
  return el('tr', { 'data-kind': item.kind }, el('td', {}, dateTime(item.at)), el('td', {}, what), el('td', {}, details));
}

// a customer the external CRM told us about (crm.lookup): name and tier
function showExternal(d) {
  $('#customer').classList.remove('hidden');
  $('#cust-new').classList.add('hidden');
  $('#cust-known').classList.remove('hidden');
  $('#cust-name').textContent = d.customer_name;
  $('#cust-tier').textContent = tv('tier', d.customer_tier);
  $('#cust-tier').className = `state tier-${d.customer_tier}`;
  $('#cust-company').textContent = t('agent.fromCrm') + (d.customer_ext ? ` (${d.customer_ext})` : '');
  $('#cust-tags').textContent = '';
  $('#cust-notes').textContent = '';
  $('#cust-timeline tbody').replaceChildren();
}

function offer(ev) {
  const d = ev.data || {};
  current = { id: ev.call, caller: d.caller, called: d.called, queue: ev.queue || '', path: d.ivr_path || '', customer: d.customer || '' };
  $('#offer-caller').textContent = d.caller ? showNumber(d.caller) : t('agent.unknown');
  $('#offer-name').textContent = d.caller_name || ''; // the name the caller's phone sent, as sent
  $('#offer-called').textContent = d.called || '';
  $('#offer-queue').textContent = ev.queue || t('agent.direct');
  $('#offer-path').textContent = (d.ivr_path || '').replaceAll('>', ' › ') || '—';
  $('#offer').classList.remove('hidden');
  if (!d.customer && d.customer_name) showExternal(d);
  else showCustomer(d.customer, d.caller).catch((e) => { $('#cust-error').textContent = e.message; });
}

function answered(ev) {
  if (!current || current.id !== ev.call) current = { id: ev.call, caller: '', queue: ev.queue || '', path: '' };
  current.answered = ev.ts;
  $('#offer').classList.add('hidden');
  $('#call-caller').textContent = showNumber(current.caller || '');
  $('#call-queue').textContent = current.queue || t('agent.direct');
  $('#call-path').textContent = (current.path || '').replaceAll('>', ' › ') || '—';
  $('#notes').value = '';
  held(false);
  recPaused(false);
  consulting(null);
  $('#call').classList.remove('hidden');
  clearInterval(timer);
  timer = setInterval(() => { $('#call-timer').textContent = duration(Date.now() - current.answered); }, 500);
}

// on hold from here or from the phone: the button says what it will do
function held(on) {
  if (current) current.held = on;
  $('#hold').textContent = on ? t('agent.resume') : t('agent.hold');
  $('#call-held').classList.toggle('hidden', !on);
}

// --- recording pause (card numbers) and the consult before a three-way ------

function recPaused(on) {
  if (current) current.recPaused = on;
  $('#rec-pause').textContent = on ? t('agent.recResume') : t('agent.recPause');
  $('#rec-paused').classList.toggle('hidden', !on);
}

// target: the extension consulted, null when none; joined: all three talk
function consulting(target, joined = false) {
  if (current) current.consult = joined ? null : target;
  $('#consult-join').classList.toggle('hidden', !target || joined);
  $('#consult-cancel').classList.toggle('hidden', !target || joined);
  $('#consult').classList.toggle('hidden', !!target && !joined);
  $('#consult-state').textContent = !target ? '' : joined ? t('agent.consultJoined', { target }) : t('agent.consultOn', { target });
}

function callMoreButtons() {
  const fail = (e) => { $('#call-error').textContent = e.message; };
  $('#rec-pause').onclick = async () => {
    $('#call-error').textContent = '';
    try { recPaused((await api(`/api/v1/calls/${current.id}/recording`, { method: 'POST', body: { action: current.recPaused ? 'resume' : 'pause' } })).paused); } catch (e) { fail(e); }
  };
  $('#consult').onclick = async () => {
    $('#call-error').textContent = '';
    try { consulting((await api(`/api/v1/calls/${current.id}/consult`, { method: 'POST', body: { target: $('#consult-to').value } })).target); } catch (e) { fail(e); }
  };
  $('#consult-join').onclick = async () => {
    $('#call-error').textContent = '';
    const target = current.consult;
    try { await api(`/api/v1/calls/${current.id}/consult/join`, { method: 'POST' }); consulting(target, true); } catch (e) {
      fail(e);
      if (e.code === 'no_consult') consulting(null); // the target hung up
    }
  };
  $('#consult-cancel').onclick = async () => {
    $('#call-error').textContent = '';
    try { await api(`/api/v1/calls/${current.id}/consult/cancel`, { method: 'POST' }); } catch (e) { fail(e); }
    consulting(null);
  };
}

function ended(ev) {
  $('#offer').classList.add('hidden');
  if (!current || current.id !== ev.call) return;
  clearInterval(timer);
  $('#call').classList.add('hidden');
  if (current.answered) {
    wrapupCall = current;
    $('#wrapup-caller').textContent = showNumber(current.caller || '');
    $('#wrapup-notes').value = $('#notes').value;
    $('#wrapup-done').textContent = '';
    $('#wrapup-field-inputs').replaceChildren(...ticketFields.flatMap((f) => [
      el('label', { for: `wuf-${f.name}`, class: f.required ? 'required' : '' }, f.label || f.name), fieldInput(f, undefined, 'wuf-')]));
    $('#wrapup-fields').open = ticketFields.some((f) => f.required);
    $('#ticket-done').textContent = '';
    $('#wrapup').classList.remove('hidden');
  }
  current = null;
  loadHistory();
}

async function loadHistory() {
  const { calls } = await api('/api/v1/calls?limit=20');
  const tb = $('#history tbody');
  tb.replaceChildren(...calls.map((c) => el('tr', {},
    el('td', {}, timeOfDay(c.created)),
    el('td', {}, showNumber(c.caller)),
    el('td', {}, c.queue || '—'),
    el('td', {}, tv('outcome', c.outcome)),
    el('td', {}, c.answered && c.ended ? duration(c.ended - c.answered) : '—'),
    el('td', {}, c.recording_url ? el('audio', { controls: '', preload: 'none', src: c.recording_url }) : '—'))));
}

// the agent's unfinished tickets, with a button to resolve each
async function loadTickets() {
  const { tickets } = await api('/api/v1/tickets?mine=1&status=new,open,pending&limit=50');
  $('#my-tickets tbody').replaceChildren(...tickets.map((tk) => el('tr', { 'data-ticket': tk.id },
    el('td', {}, tk.id), el('td', {}, tk.subject), el('td', {}, tv('priority', tk.priority)), el('td', {}, tv('status', tk.status)),
    el('td', { class: `sla ${tk.sla.state}` }, tv('sla', tk.sla.state)),
    el('td', {}, el('button', { onclick: async () => { await api(`/api/v1/tickets/${tk.id}`, { method: 'PATCH', body: { status: 'resolved' } }); loadTickets(); } }, t('agent.resolve'))))));
}

async function main() {
  me = await signedIn(['agent']);
  ({ ticket: ticketFields } = await api('/api/v1/fields'));
  $('#wrapup-fields').classList.toggle('hidden', !ticketFields.length);
  const [{ pause_reasons }, { dispositions }] = await Promise.all([api('/api/v1/pause-reasons'), api('/api/v1/dispositions')]);
  $('#pause-reason').replaceChildren(...pause_reasons.map((r) => el('option', { value: r }, tv('pauseReason', r))));
  $('#disposition').replaceChildren(...dispositions.map((r) => el('option', { value: r }, tv('disposition', r))));
  $('#go-available').onclick = () => setState('available');
  $('#go-pause').onclick = () => setState('paused', $('#pause-reason').value);
  $('#go-logout').onclick = () => setState('logged_out');
  $('#hangup').onclick = async () => {
    try { await api(`/api/v1/calls/${current.id}/hangup`, { method: 'POST' }); } catch (e) { $('#call-error').textContent = e.message; }
  };
  $('#hold').onclick = async () => {
    $('#call-error').textContent = '';
    try { held((await api(`/api/v1/calls/${current.id}/hold`, { method: 'POST', body: { hold: !current.held } })).hold); } catch (e) { $('#call-error').textContent = e.message; }
  };
  callMoreButtons();
  $('#transfer').onclick = async () => {
    $('#call-error').textContent = '';
    try { await api(`/api/v1/calls/${current.id}/transfer`, { method: 'POST', body: { to: $('#transfer-to').value } }); } catch (e) { $('#call-error').textContent = e.message; }
  };
  // a ticket from the call in one step: the customer, the call, the notes
  $('#ticket-create').onclick = async () => {
    $('#wrapup-error').textContent = '';
    try {
      const body = { subject: t('agent.ticketSubject', { caller: wrapupCall.caller || t('agent.unknownCaller') }), description: $('#wrapup-notes').value, call: wrapupCall.id };
      if (wrapupCall.queue) body.group = wrapupCall.queue;
      if (wrapupCall.customer) body.customer = wrapupCall.customer;
      const fields = {};
      for (const f of ticketFields) {
        const v = fieldValue(f, $(`#wuf-${f.name}`));
        if (v !== null && !(f.type === 'bool' && !v)) fields[f.name] = v;
      }
      if (Object.keys(fields).length) body.fields = fields;
      const tk = await api('/api/v1/tickets', { method: 'POST', body });
      const made = { id: tk.id, status: tv('status', tk.status), priority: tv('priority', tk.priority), assignee: tk.assignee };
      $('#ticket-done').textContent = tk.assignee ? t('agent.ticketMadeTo', made) : t('agent.ticketMade', made);
    } catch (e) {
      $('#wrapup-error').textContent = e.message;
    }
  };
  $('#wrapup-save').onclick = async () => {
    $('#wrapup-error').textContent = '';
    try {
      await api(`/api/v1/calls/${wrapupCall.id}/wrapup`, { method: 'POST', body: { disposition: $('#disposition').value, notes: $('#wrapup-notes').value } });
      $('#wrapup-done').textContent = t('agent.saved');
      setTimeout(() => $('#wrapup').classList.add('hidden'), 1500);
    } catch (e) {
      $('#wrapup-error').textContent = e.message;
    }
  };
  await loadAgent();
  await loadHistory();
  await loadTickets();
  await initChats(me, (id) => showCustomer(id), dispositions);
  await initPhone(me);
  setInterval(showState, 1000);
  events('agent.,call.,ticket.,chat.,recording.', (ev) => {
    // a chat's events name the chat; some (a visitor's message) no agent
    if (ev.type.startsWith('chat.')) { chatEvent(ev); return; }
    if (ev.agent !== me.extension) return;
    if (ev.type.startsWith('ticket.')) { loadTickets(); return; }
    if (ev.type === 'agent.state') loadAgent();
    else if (ev.type === 'agent.ringing') offer(ev);
    else if (ev.type === 'agent.noanswer') {
      chatEvent(ev); // a chat offer's time up
      if (!current || !ev.call || ev.call === current.id) $('#offer').classList.add('hidden');
    }
    else if (ev.type === 'call.answered') answered(ev);
    else if ((ev.type === 'call.held' || ev.type === 'call.resumed') && current && current.id === ev.call) held(ev.type === 'call.held');
    else if (ev.type.startsWith('recording.') && current && current.id === ev.call) recPaused(ev.type === 'recording.paused');
    else if (ev.type === 'call.ended' || ev.type === 'call.transferred') ended(ev);
  }, () => { document.body.dataset.live = '1'; loadAgent(); });
}

main();
