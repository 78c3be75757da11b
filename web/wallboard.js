// wallboard.js — every queue the user may see (waiting, longest wait,
// service level against its target, ASA, AHT, abandon rate), every
// agent's state and time in it, and the last hours' calls; kept live by
// the event stream (queue.stats frames and agent events), no reloads.
// The chats going on now, each agent's count of them, and one chat opened
// read-only, following its messages live. A supervisor's buttons on each
// agent's live call of its queues: listen, whisper, barge, take over (its
// phone is called), the mode switched and the monitor ended from here.
import { api, $, el, duration, pct, signedIn, events, t, tv, dateTime, hourOfDay, timeOfDay } from './common.js';

const queues = new Map(); // name -> queue JSON, with at: when it was read
const agents = new Map(); // ext -> agent JSON
const liveChats = new Map(); // interaction id -> interaction JSON (chats not ended)
let watched = null; // {id, messages: Map seq -> message}
const liveCalls = new Map(); // agent ext -> call JSON (bridged, in the user's queues)
const monitors = new Map(); // call id -> {mode, state} of the monitor on it

function slCell(q) {
  const today = q.today, sl = today.service_level;
  if (sl === null || sl === undefined) return el('td', {}, '—');
  const cls = sl < q.service_level_target ? 'slip' : 'ok';
  return el('td', { class: cls, title: t('wallboard.slTitle', { target: pct(q.service_level_target), s: today.service_level_threshold_ms / 1000 }) },
    `${pct(sl)} / ${pct(q.service_level_target)}`);
}

function renderQueues() {
  // first response is a chat figure: its column shows once a queue has it
  const fr = [...queues.values()].some((q) => q.today.first_response_ms !== undefined && q.today.first_response_ms !== null);
  $('#queues th.first-response').classList.toggle('hidden', !fr);
  const rows = [...queues.values()].sort((a, b) => a.name.localeCompare(b.name)).map((q) => {
    const td = q.today, wait = q.waiting ? q.longest_wait_ms + (Date.now() - q.at) : 0;
    return el('tr', { 'data-queue': q.name },
      el('td', {}, q.name),
      el('td', { class: 'big waiting' }, q.waiting),
      el('td', {}, q.waiting ? duration(wait) : '—'),
      slCell(q),
      el('td', {}, td.asa_ms === null ? '—' : duration(td.asa_ms)),
      el('td', {}, td.aht_ms === null ? '—' : duration(td.aht_ms)),
      el('td', {}, `${td.abandoned + td.short_abandoned} (${pct(td.abandon_rate)})`),
      el('td', {}, td.offered),
      el('td', {}, td.answered),
      el('td', {}, `${q.agents.available} / ${q.agents.busy + q.agents.ringing + q.agents.wrapup} / ${q.agents.paused}`),
      // chats' first answer to the visitor (METRICS.md), when the server counts it
      el('td', { class: `first-response${fr ? '' : ' hidden'}` }, td.first_response_ms === undefined || td.first_response_ms === null ? '—' : duration(td.first_response_ms)));
  });
  $('#queues tbody').replaceChildren(...rows);
}

function renderAgents() {
  const rows = [...agents.values()].sort((a, b) => a.ext.localeCompare(b.ext)).map((a) =>
    el('tr', { 'data-agent': a.ext },
      el('td', {}, a.ext),
      el('td', {}, a.name),
      el('td', {}, el('span', { class: `state ${a.state}` }, tv('agentState', a.state) + (a.state === 'paused' && a.reason ? ` (${tv('pauseReason', a.reason)})` : ''))),
      el('td', {}, a.since ? duration(Date.now() - a.since) : '—'),
      el('td', {}, a.registered ? t('wallboard.registered') : '—'),
      el('td', { class: 'chats' }, chatCount(a)),
      callCell(a)));
  $('#agents tbody').replaceChildren(...rows);
}

// --- the monitor: listen, whisper, barge, take over -------------------------

const MODES = [['listen', () => t('wallboard.listen')], ['whisper', () => t('wallboard.whisper')],
  ['barge', () => t('wallboard.barge')], ['takeover', () => t('wallboard.takeover')]];
const callCells = new Map(); // agent ext -> {key, td}: kept while unchanged

// The agent's live call with the supervisor's buttons; nothing for a
// call outside the user's queues (the server lists only those). The
// table is redrawn every second: an unchanged cell is the same element,
// so a click on its button is never lost half-way.
function callCell(a) {
  const c = liveCalls.get(a.ext), mon = c && monitors.get(c.id);
  const key = JSON.stringify([c && c.id, mon]);
  const kept = callCells.get(a.ext);
  if (kept && kept.key === key) return kept.td;
  const td = liveCell(c, mon);
  callCells.set(a.ext, { key, td });
  return td;
}

function liveCell(c, mon) {
  if (!c) return el('td', { class: 'live-call' }, '—');
  const buttons = MODES.map(([mode, label]) => el('button', {
    class: `monitor${mon && mon.mode === mode ? ' primary' : ''}`, 'data-mode': mode,
    onclick: () => monitor(c.id, mode),
  }, label()));
  if (mon) buttons.push(el('button', { class: 'monitor-end danger', onclick: () => monitorEnd(c.id) }, t('wallboard.monitorEnd')));
  return el('td', { class: 'live-call', 'data-call': c.id },
    el('span', { class: 'muted' }, `${c.caller || '—'} · ${c.queue || ''} `),
    ...buttons,
    mon ? el('span', { class: 'monitor-state muted' }, ` ${t('wallboard.monitorState', { mode: tv('monitorMode', mon.mode), state: tv('monitorPhase', mon.state) })}`) : '');
}

async function monitor(id, mode) {
  $('#monitor-error').textContent = '';
  const on = monitors.get(id);
  try {
    // the first asks for the supervisor's phone, then the mode changes
    await api(`/api/v1/calls/${id}/monitor`, { method: on ? 'PATCH' : 'POST', body: { mode } });
    monitors.set(id, { mode, state: on ? on.state : 'ringing' });
  } catch (e) {
    $('#monitor-error').textContent = e.message;
  }
  renderAgents();
}

async function monitorEnd(id) {
  $('#monitor-error').textContent = '';
  try {
    await api(`/api/v1/calls/${id}/monitor`, { method: 'DELETE' });
    monitors.delete(id);
  } catch (e) {
    $('#monitor-error').textContent = e.message;
  }
  renderAgents();
}

// the calls bridged to agents now (not ended, answered)
async function loadCalls() {
  const { calls } = await api('/api/v1/calls?limit=200');
  liveCalls.clear();
  for (const c of calls || []) if (!c.ended && c.answered && c.agent && !liveCalls.has(c.agent)) liveCalls.set(c.agent, c);
  for (const id of [...monitors.keys()]) if (![...liveCalls.values()].some((c) => c.id === id)) monitors.delete(id);
  renderAgents();
}

// call.monitor events: the phone answered (joined), the mode changed, it left
function monitorEvent(ev) {
  const d = ev.data || {};
  if (!ev.call || d.mode === 'conference' || d.mode === 'consult') return; // an agent's third party
  if (d.state === 'left' || d.state === 'not_answered') monitors.delete(ev.call);
  else monitors.set(ev.call, { mode: d.mode, state: d.state === 'ringing' ? 'ringing' : 'joined' });
  renderAgents();
}

// an agent's chats: those going on now, out of the chat capacity
function chatCount(a) {
  const now = [...liveChats.values()].filter((c) => c.agent === a.ext && c.answered).length;
  const cap = a.capacity && a.capacity.chat;
  if (!cap && !now) return '—';
  return cap ? `${now} / ${cap}` : String(now);
}

async function loadChats() {
  const { interactions } = await api('/api/v1/interactions?channel=chat&limit=200');
  liveChats.clear();
  for (const c of interactions || []) if (!c.ended) liveChats.set(c.id, c);
  renderChats();
  renderAgents();
}

// Rows kept and their cells updated in place: redrawn every second, a
// row's Open button could lose a click half-way.
function renderChats() {
  const body = $('#chats tbody');
  const live = [...liveChats.values()].sort((a, b) => a.created - b.created);
  for (const r of [...body.children]) if (!liveChats.has(r.dataset.chat)) r.remove();
  live.forEach((c, i) => {
    let r = [...body.children].find((x) => x.dataset.chat === c.id);
    if (!r) {
      r = el('tr', { 'data-chat': c.id }, el('td'), el('td'), el('td'), el('td'),
        el('td', {}, el('button', { class: 'watch', onclick: () => watch(c.id) }, t('wallboard.open'))));
    }
    // in order of arrival, a row moved only when out of place
    if (body.children[i] !== r) body.insertBefore(r, body.children[i] || null);
    const cells = r.children;
    cells[0].textContent = c.caller || '—';
    cells[1].textContent = c.queue || '—';
    cells[2].textContent = c.agent ? `${c.agent}${agents.get(c.agent) ? ' ' + agents.get(c.agent).name : ''}` : t('wallboard.chatWaiting');
    cells[3].textContent = duration(Date.now() - (c.answered || c.created));
  });
  $('#chats-none').classList.toggle('hidden', live.length > 0);
}

// one chat, read-only: what was said so far, then its events
async function watch(id) {
  const ia = await api(`/api/v1/interactions/${encodeURIComponent(id)}`);
  // the visitor's name as their messages carry it (the row's caller is how
  // to reach them)
  const said = (ia.messages || []).find((m) => m.from === 'visitor' && m.name);
  watched = { id, name: said?.name || ia.caller || '', agent: ia.agent, messages: new Map(), typing: false };
  for (const m of ia.messages || []) watched.messages.set(m.seq, m);
  $('#watch').classList.remove('hidden');
  renderWatch();
}

function renderWatch() {
  if (!watched) return;
  $('#watch-visitor').textContent = watched.name;
  $('#watch-agent').textContent = watched.agent ? t('wallboard.withAgent', { agent: watched.agent }) : '';
  $('#watch-log').replaceChildren(...[...watched.messages.values()].sort((a, b) => a.seq - b.seq).map((m) =>
    el('div', { class: `chat-msg ${m.from}${m.internal ? ' internal' : ''}`, 'data-seq': m.seq },
      el('div', { class: 'chat-bubble' }, m.text || '', m.attachment ? el('div', { class: 'muted' }, t('wallboard.attachment', { name: m.attachment.name || '' })) : ''),
      el('div', { class: 'chat-meta muted' }, [m.name || tv('sender', m.from), m.at ? timeOfDay(m.at) : '', m.internal ? t('wallboard.internalNote') : ''].filter(Boolean).join(' · ')))));
  $('#watch-log').scrollTop = $('#watch-log').scrollHeight;
  $('#watch-typing').textContent = watched.typing ? t('wallboard.typing') : '';
}

function watchEvent(ev) {
  if (!watched || ev.call !== watched.id) return;
  const d = ev.data || {};
  if (ev.type === 'chat.message') watched.messages.set(d.seq, d);
  else if (ev.type === 'chat.typing') watched.typing = !!d.on;
  else if (ev.type === 'chat.answered') watched.agent = d.agent || ev.agent;
  else if (ev.type === 'chat.ended') watched.typing = false;
  renderWatch();
}

async function renderChart() {
  const { hours } = await api('/api/v1/stats/hourly?hours=8');
  const svg = $('#chart'), W = 480, H = 150, max = Math.max(1, ...hours.map((h) => h.offered));
  const bw = W / hours.length, ns = 'http://www.w3.org/2000/svg';
  const kids = [];
  hours.forEach((h, i) => {
    [['offered', '#1f6feb'], ['answered', '#1a7f37'], ['abandoned', '#cf222e']].forEach(([k, c], j) => {
      const r = document.createElementNS(ns, 'rect'), v = h[k], bh = (v / max) * (H - 10);
      r.setAttribute('x', i * bw + 6 + j * (bw - 12) / 3);
      r.setAttribute('y', H - bh);
      r.setAttribute('width', (bw - 12) / 3 - 2);
      r.setAttribute('height', bh);
      r.setAttribute('fill', c);
      r.setAttribute('data-hour', h.start);
      r.setAttribute('data-kind', k);
      r.setAttribute('data-value', v);
      const tip = document.createElementNS(ns, 'title');
      tip.textContent = `${tv('chart', k)} ${v}`;
      r.append(tip);
      kids.push(r);
    });
    const hour = document.createElementNS(ns, 'text');
    hour.setAttribute('x', i * bw + bw / 2);
    hour.setAttribute('y', H + 20);
    hour.setAttribute('text-anchor', 'middle');
    hour.setAttribute('font-size', '11');
    hour.textContent = hourOfDay(h.start);
    kids.push(hour);
  });
  svg.replaceChildren(...kids);
}

// open tickets with their SLA state, refreshed on ticket events
async function renderTickets() {
  const sla = $('#tk-sla').value;
  const { tickets } = await api(`/api/v1/tickets?status=new,open,pending${sla ? '&sla=' + sla : ''}&limit=50`);
  $('#tickets tbody').replaceChildren(...tickets.map((tk) => {
    const due = !tk.sla.first_response_at && tk.sla.first_response_due ? tk.sla.first_response_due : tk.sla.resolution_due;
    return el('tr', { 'data-ticket': tk.id },
      el('td', {}, tk.id), el('td', {}, tk.subject), el('td', {}, tv('priority', tk.priority)), el('td', {}, tv('status', tk.status)),
      el('td', {}, tk.group || '—'), el('td', {}, tk.assignee || '—'),
      el('td', { class: `sla ${tk.sla.state}` }, tv('sla', tk.sla.state)),
      el('td', {}, dateTime(due)));
  }));
}

async function loadAll() {
  const [{ queues: qs }, { agents: as }] = await Promise.all([api('/api/v1/queues'), api('/api/v1/agents')]);
  const now = Date.now();
  queues.clear();
  qs.forEach((q) => queues.set(q.name, { ...q, at: now }));
  agents.clear();
  as.forEach((a) => agents.set(a.ext, a));
  renderQueues();
  renderAgents();
  renderChart();
  renderTickets();
  loadChats().catch((e) => console.error(e));
  loadCalls().catch((e) => console.error(e));
}

async function main() {
  await signedIn(['supervisor', 'admin']);
  await loadAll();
  setInterval(() => { renderQueues(); renderAgents(); renderChats(); }, 1000);
  $('#watch-close').onclick = () => { watched = null; $('#watch').classList.add('hidden'); };
  let chatsDue = null;
  setInterval(renderChart, 60000);
  let chartDue = null;
  $('#tk-sla').onchange = renderTickets;
  setInterval(renderTickets, 15000); /* states move with the clock */
  let ticketsDue = null;
  let callsDue = null;
  events('queue.,agent.,ticket.,chat.,call.', async (ev) => {
    if (ev.type.startsWith('call.')) {
      if (ev.type === 'call.monitor') monitorEvent(ev);
      // the live calls follow calls that are answered, taken over and end
      else if ((ev.type === 'call.answered' || ev.type === 'call.ended' || ev.type === 'call.transferred') && !callsDue)
        callsDue = setTimeout(() => { callsDue = null; loadCalls().catch(() => {}); }, 300);
      return;
    }
    if (ev.type.startsWith('chat.')) {
      watchEvent(ev);
      // the list follows chats that start, are taken and end
      if (ev.type !== 'chat.message' && ev.type !== 'chat.typing' && ev.type !== 'chat.read' && !chatsDue)
        chatsDue = setTimeout(() => { chatsDue = null; loadChats().catch(() => {}); }, 300);
      return;
    }
    if (ev.type.startsWith('ticket.')) {
      if (!ticketsDue) ticketsDue = setTimeout(() => { ticketsDue = null; renderTickets(); }, 500);
      return;
    }
    if (ev.type === 'queue.stats') {
      queues.set(ev.queue.name, { ...ev.queue, at: Date.now() });
      renderQueues();
      // the chart follows the counts, at most every 2 s
      if (!chartDue) chartDue = setTimeout(() => { chartDue = null; renderChart(); }, 2000);
    } else if (ev.type === 'agent.state' && ev.agent) {
      const a = agents.get(ev.agent);
      if (a) {
        a.state = ev.data.state;
        a.reason = ev.data.reason;
        a.since = ev.ts;
        renderAgents();
      }
    } else if (ev.type === 'agent.updated' && !agents.has(ev.agent)) {
      // an agent added in the admin page (the tenant applied live)
      loadAll();
    }
  }, () => { $('#live').textContent = t('common.live'); document.body.dataset.live = '1'; loadAll(); });
}

main();
