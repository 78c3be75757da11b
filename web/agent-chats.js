// agent-chats.js — the desktop's chats panel, beside the phone: the chat
// offered (accept, decline, or it goes to the next agent when its time is
// up), the chats the agent holds at once (tabs, unread counts), each with
// its messages, typing and read marks both ways, attachments, canned
// replies by shortcut ("/hi" then a space or Enter), internal notes,
// transfer to an agent or a queue, the customer by what the visitor gave
// (made or linked in one step), and the end with wrap-up, disposition and
// a ticket in one step. docs/CHAT.md has the routes and events. Text from
// visitors and agents is put in as text, never as HTML.
import { api, $, el, t, tv, timeOfDay } from './common.js';

const chats = new Map(); // interaction id -> chat
let me, showCustomer, dispositions = [];
let selected = null;
let canned = []; // [{shortcut, text}]
const TYPING_IDLE = 3000;

// a chat as the panel keeps it
function chat(id) {
  let c = chats.get(id);
  if (!c) {
    c = { id, name: '', contact: '', queue: '', customer: null, state: 'offered', messages: new Map(), unread: 0, typing: false, visitorRead: 0, timeoutAt: 0 };
    chats.set(id, c);
  }
  return c;
}

// what GET /api/v1/interactions/{id} says of a chat
async function fill(c) {
  const ia = await api(`/api/v1/interactions/${encodeURIComponent(c.id)}`);
  // the visitor's name: from the offer, else their first message; the
  // caller field holds how to reach them (e-mail, phone, else the name)
  const said = (ia.messages || []).find((m) => m.from === 'visitor' && m.name);
  c.name = c.name || said?.name || ia.caller || '';
  c.contact = ia.caller && ia.caller !== c.name ? ia.caller : '';
  c.queue = ia.queue || c.queue;
  if (ia.customer) c.customer = ia.customer;
  if (ia.ended && c.state !== 'done') c.state = ia.wrapup ? 'done' : 'ended';
  else if (ia.answered && c.state === 'offered') c.state = 'active';
  for (const m of ia.messages || []) c.messages.set(m.seq, m);
}

// The stored row can lag the chat by a moment (how to reach the visitor,
// the customer found by it): asked again until it says both. The offer
// may have named the customer already; the contact comes from the row.
function refill(c, tries) {
  if ((c.customer && c.contact) || tries <= 0) return;
  setTimeout(async () => {
    const had = c.customer;
    await fill(c).catch(() => {});
    if (c.id === selected) {
      renderChat();
      if (c.customer && !had) showCustomer(c.customer).catch(() => {});
    }
    refill(c, tries - 1);
  }, 1000);
}

// ---- the list: offers and tabs --------------------------------------------
// The offers, their countdowns updated in place: an offer drawn anew
// every second could take a click half-way (pressed on one button,
// released on its successor) and lose it.
function renderOffers() {
  const box = $('#chat-offers');
  const offers = [...chats.values()].filter((c) => c.state === 'offered');
  for (const e of [...box.children]) if (!offers.some((c) => c.id === e.dataset.chat)) e.remove();
  for (const c of offers) {
    const left = Math.max(0, Math.ceil((c.timeoutAt - Date.now()) / 1000));
    const info = [c.queue, c.timeoutAt ? t('chat.offerLeft', { s: left }) : ''].filter(Boolean).join(' · ');
    let e = [...box.children].find((x) => x.dataset.chat === c.id);
    if (!e) {
      e = el('div', { class: 'chat-offer', 'data-chat': c.id },
        el('b', { class: 'chat-offer-name' }), ' ', el('span', { class: 'muted chat-offer-left' }), ' ',
        el('button', { class: 'primary chat-accept', onclick: () => accept(c) }, t('chat.accept')),
        el('button', { class: 'chat-decline', onclick: () => decline(c) }, t('chat.decline')));
      box.append(e);
    }
    e.querySelector('.chat-offer-name').textContent = c.name || t('chat.visitor');
    e.querySelector('.chat-offer-left').textContent = info;
  }
}

// The tabs, kept and updated in place (a message coming in must not
// take a click on a tab half-way, as a redrawn offer could).
function renderTabs() {
  const box = $('#chat-tabs');
  const held = [...chats.values()].filter((c) => c.state !== 'offered');
  for (const e of [...box.children]) if (!held.some((c) => c.id === e.dataset.chat)) e.remove();
  held.forEach((c, i) => {
    let tab = [...box.children].find((x) => x.dataset.chat === c.id);
    if (!tab) tab = el('button', { role: 'tab', 'data-chat': c.id, onclick: () => select(c.id) }, el('span', { class: 'name' }), el('span', { class: 'unread' }), el('span', { class: 'muted wrapup-mark' }));
    if (box.children[i] !== tab) box.insertBefore(tab, box.children[i] || null);
    tab.className = `chat-tab ${c.id === selected ? 'selected' : ''} ${c.state}`;
    tab.setAttribute('aria-selected', String(c.id === selected));
    tab.querySelector('.name').textContent = c.name || t('chat.visitor');
    tab.querySelector('.unread').textContent = c.unread ? String(c.unread) : '';
    tab.querySelector('.unread').classList.toggle('hidden', !c.unread);
    tab.querySelector('.wrapup-mark').textContent = c.state === 'ended' ? ` (${t('chat.wrapupShort')})` : '';
  });
  $('#chat-none').classList.toggle('hidden', held.length > 0 || [...chats.values()].some((c) => c.state === 'offered'));
  const open = held.filter((c) => c.state === 'active').length;
  $('#chat-count').textContent = open ? t('chat.count', { n: open }) : '';
}

function renderAll() {
  renderOffers();
  renderTabs();
  renderChat();
}

// ---- one chat ---------------------------------------------------------
function select(id) {
  selected = id;
  const c = chats.get(id);
  if (c) c.unread = 0;
  renderTabs();
  renderChat();
  if (c && c.customer) showCustomer(c.customer).catch(() => {});
  markRead(c);
}

function line(c, m) {
  const att = m.attachment ? attachment(c, m.attachment) : '';
  const who = m.from === 'visitor' ? (m.name || c.name) : m.from === 'agent' ? (m.name || t('chat.agent')) : t('chat.system');
  const meta = [who, m.at ? timeOfDay(m.at) : '', m.internal ? t('chat.internalNote') : ''].filter(Boolean).join(' · ');
  const read = m.from === 'agent' && !m.internal && m.seq <= c.visitorRead;
  return el('div', { class: `chat-msg ${m.from}${m.internal ? ' internal' : ''}`, 'data-seq': m.seq },
    el('div', { class: 'chat-bubble' }, m.text || '', att),
    el('div', { class: 'chat-meta muted' }, meta, read ? el('span', { class: 'receipt' }, ` · ${t('chat.read')}`) : ''));
}

// attachments load with the session: an image shows as a thumbnail
function attachment(c, a) {
  const url = `/api/v1/interactions/${encodeURIComponent(c.id)}/attachments/${encodeURIComponent(a.id)}`;
  const link = el('a', { href: url, target: '_blank', rel: 'noopener', class: 'chat-file' }, a.name || t('chat.file'));
  if (/^image\//.test(a.type || '')) {
    // the message can come before the file is on disk: the picture is
    // asked for again a few times
    const img = el('img', { class: 'chat-thumb', src: url, alt: a.name || '' });
    let tries = 0;
    img.addEventListener('error', () => { if (++tries < 4) setTimeout(() => { img.src = `${url}?try=${tries}`; }, 700); });
    return el('div', {}, el('a', { href: url, target: '_blank', rel: 'noopener' }, img), link);
  }
  return el('div', {}, link);
}

function renderChat() {
  const c = chats.get(selected);
  $('#chat-view').classList.toggle('hidden', !c);
  if (!c) return;
  $('#chat-visitor').textContent = c.name || t('chat.visitor');
  $('#chat-contact').textContent = c.contact;
  $('#chat-queue').textContent = c.queue ? t('chat.inQueue', { queue: c.queue }) : '';
  const log = $('#chat-log');
  const atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
  log.replaceChildren(...[...c.messages.values()].sort((a, b) => a.seq - b.seq).map((m) => line(c, m)));
  if (atEnd || log.dataset.chat !== c.id) log.scrollTop = log.scrollHeight;
  log.dataset.chat = c.id;
  $('#chat-typing').textContent = c.typing ? t('chat.visitorTyping') : '';
  const open = c.state === 'active';
  $('#chat-compose').classList.toggle('hidden', !open);
  $('#chat-wrapup').classList.toggle('hidden', c.state !== 'ended');
  $('#chat-done').classList.toggle('hidden', c.state !== 'done');
  if (c.state === 'ended' && $('#chat-wrapup').dataset.chat !== c.id) {
    $('#chat-wrapup').dataset.chat = c.id;
    $('#chat-wu-notes').value = '';
    $('#chat-wu-ticket').checked = false;
    $('#chat-wu-subject').value = t('chat.ticketSubject', { name: c.name || t('chat.visitor') });
    $('#chat-wu-done').textContent = '';
  }
  renderCustomer(c);
}

// the customer by what the visitor gave, or one step to make or link one
function renderCustomer(c) {
  const box = $('#chat-customer');
  if (c.customer) {
    box.replaceChildren(el('span', { class: 'muted' }, t('chat.customerLinked')), ' ',
      el('a', { href: '#', class: 'chat-cust-open', onclick: (e) => { e.preventDefault(); showCustomer(c.customer); } }, c.customerName || c.customer));
    if (!c.customerName) {
      c.customerName = c.customer; // asked once
      api(`/api/v1/customers/${encodeURIComponent(c.customer)}`).then((cu) => {
        c.customerName = cu.name;
        if (c.id === selected) renderCustomer(c);
      }).catch(() => {});
    }
    return;
  }
  const q = el('input', { id: 'chat-cust-q', placeholder: t('chat.findCustomer'), 'aria-label': t('chat.findCustomer'), size: '16' });
  const found = el('span', { class: 'chat-cust-found' });
  box.replaceChildren(
    el('span', { class: 'muted' }, t('chat.noCustomer')), ' ',
    el('button', { class: 'chat-cust-create', onclick: () => linkCustomer(c, { create: true }) }, t('chat.customerCreate')), ' ',
    q, el('button', { onclick: async () => {
      const { customers } = await api(`/api/v1/customers?q=${encodeURIComponent(q.value)}&limit=5`);
      found.replaceChildren(...(customers.length ? customers.map((cu) => el('button', { class: 'chat-cust-link', 'data-customer': cu.id, onclick: () => linkCustomer(c, { customer_id: cu.id }) }, t('chat.linkTo', { name: cu.name }))) : [el('span', { class: 'muted' }, t('chat.noMatch'))]));
    } }, t('chat.find')), found);
}

async function linkCustomer(c, body) {
  setError('');
  try {
    const r = await api(`/api/v1/interactions/${encodeURIComponent(c.id)}/customer`, { method: 'POST', body });
    c.customer = r.customer_id;
    c.customerName = '';
    renderChat();
    if (c.customer) showCustomer(c.customer);
  } catch (e) {
    setError(e.message);
  }
}

const setError = (s) => { $('#chat-error').textContent = s; };

// ---- actions --------------------------------------------------------------
async function accept(c) {
  setError('');
  c.accepting = true;
  try {
    await api(`/api/v1/interactions/${encodeURIComponent(c.id)}/accept`, { method: 'POST' });
    c.state = 'active';
    await fill(c).catch(() => {});
    select(c.id);
    renderAll();
    refill(c, 3);
  } catch (e) {
    setError(e.message);
    chats.delete(c.id); // gone to someone else meanwhile
    renderAll();
  } finally {
    c.accepting = false;
  }
}

async function decline(c) {
  setError('');
  try {
    await api(`/api/v1/interactions/${encodeURIComponent(c.id)}/decline`, { method: 'POST' });
  } catch (e) {
    setError(e.message);
  }
  chats.delete(c.id);
  renderAll();
}

function markRead(c) {
  if (!c || c.id !== selected || document.visibilityState === 'hidden') return;
  let last = 0;
  for (const m of c.messages.values()) if (m.from === 'visitor' && m.seq > last) last = m.seq;
  if (last > (c.readSent || 0)) {
    c.readSent = last;
    api(`/api/v1/interactions/${encodeURIComponent(c.id)}/read`, { method: 'POST', body: { seq: last } }).catch(() => {});
  }
}

let typingChat = null, typingTimer = null;
function typing(on) {
  const c = chats.get(selected);
  if (on && typingChat === c?.id) {
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => typing(false), TYPING_IDLE);
    return;
  }
  if (!on && !typingChat) return;
  const id = on ? c?.id : typingChat;
  if (!id) return;
  typingChat = on ? id : null;
  clearTimeout(typingTimer);
  if (on) typingTimer = setTimeout(() => typing(false), TYPING_IDLE);
  api(`/api/v1/interactions/${encodeURIComponent(id)}/typing`, { method: 'POST', body: { on } }).catch(() => {});
}

// "/hi" typed and followed by a space (or Enter) becomes its text
function expand(textarea, atEnd) {
  const v = textarea.value;
  const m = atEnd ? v.match(/(^|\s)(\/\S+)$/) : v.match(/(^|\s)(\/\S+)\s$/);
  if (!m) return false;
  const hit = canned.find((x) => x.shortcut === m[2]);
  if (!hit) return false;
  textarea.value = v.slice(0, v.length - m[0].length) + m[1] + hit.text;
  return true;
}

// Messages go one after another, in the order written: the box is free
// for the next at once (the server answers once the message is stored).
let sending = Promise.resolve();
function send() {
  const c = chats.get(selected), box = $('#chat-text');
  if (!c || c.state !== 'active') return;
  expand(box, true);
  const text = box.value.trim();
  if (!text) return;
  const internal = $('#chat-internal').checked;
  setError('');
  box.value = '';
  $('#chat-internal').checked = false;
  typing(false);
  sending = sending.then(async () => {
    try {
      const r = await api(`/api/v1/interactions/${encodeURIComponent(c.id)}/messages`, { method: 'POST', body: internal ? { text, internal: true } : { text } });
      if (r && r.seq && !c.messages.has(r.seq)) c.messages.set(r.seq, { seq: r.seq, from: 'agent', name: me.user, text, internal, at: Date.now() });
      if (c.id === selected) renderChat();
    } catch (e) {
      setError(e.message);
      // what did not go is given back to be sent again
      if (c.id === selected && !box.value) { box.value = text; $('#chat-internal').checked = internal; }
    }
  });
}

async function attach(file) {
  const c = chats.get(selected);
  if (!c) return;
  setError('');
  try {
    const r = await fetch(`/api/v1/interactions/${encodeURIComponent(c.id)}/attachments`, {
      method: 'POST', credentials: 'same-origin', body: file,
      headers: { 'Content-Type': file.type || 'application/octet-stream', 'X-Filename': encodeURIComponent(file.name) },
    });
    if (!r.ok) throw new Error((await r.json().catch(() => null))?.error?.message || `HTTP ${r.status}`);
  } catch (e) {
    setError(e.message);
  }
}

async function transfer() {
  const c = chats.get(selected), to = $('#chat-transfer-to').value.trim();
  if (!c || !to) return;
  setError('');
  try {
    await api(`/api/v1/interactions/${encodeURIComponent(c.id)}/transfer`, { method: 'POST', body: { [$('#chat-transfer-kind').value]: to } });
    $('#chat-transfer-to').value = '';
    chats.delete(c.id);
    selected = [...chats.values()].find((x) => x.state !== 'offered')?.id || null;
    renderAll();
  } catch (e) {
    setError(e.message);
  }
}

async function end() {
  const c = chats.get(selected);
  if (!c) return;
  setError('');
  try {
    await api(`/api/v1/interactions/${encodeURIComponent(c.id)}/end`, { method: 'POST' });
    c.state = 'ended';
    typing(false);
    renderAll();
  } catch (e) {
    setError(e.message);
  }
}

// disposition, notes and a ticket from the chat in one step
async function wrapup() {
  const c = chats.get(selected);
  if (!c) return;
  setError('');
  const body = { disposition: $('#chat-wu-disposition').value, notes: $('#chat-wu-notes').value };
  // a ticket from the chat in the same step: linked to the chat and its
  // customer by the server, stored with the wrap-up
  if ($('#chat-wu-ticket').checked) body.ticket = { subject: $('#chat-wu-subject').value, priority: $('#chat-wu-priority').value };
  try {
    const r = await api(`/api/v1/interactions/${encodeURIComponent(c.id)}/wrapup`, { method: 'POST', body });
    const ticket = r?.ticket_id || '';
    c.state = 'done';
    $('#chat-done-text').textContent = ticket ? t('chat.wrappedTicket', { ticket }) : t('chat.wrapped');
    renderAll();
  } catch (e) {
    setError(e.message);
  }
}

function close() {
  chats.delete(selected);
  selected = [...chats.values()].find((x) => x.state !== 'offered')?.id || null;
  renderAll();
  if (selected) select(selected);
}

// ---- events -----------------------------------------------------------------
// ev: one event of the stream (type chat.* or agent.noanswer); id: the
// chat's interaction id (ev.call)
export async function chatEvent(ev) {
  const id = ev.call, d = ev.data || {};
  if (!id) return;
  if (ev.type === 'chat.offered') {
    if (d.agent && d.agent !== me.extension && ev.agent !== me.extension) return;
    const c = chat(id);
    c.state = 'offered';
    c.timeoutAt = Date.now() + (d.timeout || 20000);
    c.queue = ev.queue || c.queue;
    c.name = d.name || c.name;
    // the customer the core matched by what the visitor gave, on the offer
    if (d.customer) { c.customer = d.customer; c.customerName = d.customer_name || c.customerName; }
    await fill(c).catch(() => {});
    c.state = 'offered';
    renderAll();
    return;
  }
  const c = chats.get(id);
  if (!c) return; // not one of mine
  if (ev.type === 'agent.noanswer' || ev.type === 'chat.withdrawn') {
    // an offer to me gone (its time up, or another agent took it); one
    // being accepted here is left to the accept's answer
    if ((d.agent && d.agent !== me.extension) || c.accepting) return;
    if (c.state === 'offered') { chats.delete(id); renderAll(); }
  } else if (ev.type === 'chat.answered') {
    if (d.agent && d.agent !== me.extension) { chats.delete(id); renderAll(); return; }
    c.state = 'active';
    if (!selected || !chats.has(selected)) selected = id;
    renderAll();
  } else if (ev.type === 'chat.message') {
    if (c.messages.has(d.seq)) return;
    c.messages.set(d.seq, d);
    if (d.from === 'visitor') c.typing = false;
    if (id !== selected && d.from === 'visitor') c.unread++;
    renderTabs();
    if (id === selected) { renderChat(); markRead(c); }
  } else if (ev.type === 'chat.typing' && d.from === 'visitor') {
    c.typing = !!d.on;
    if (id === selected) renderChat();
  } else if (ev.type === 'chat.read' && d.from === 'visitor') {
    c.visitorRead = Math.max(c.visitorRead, d.seq || 0);
    if (id === selected) renderChat();
  } else if (ev.type === 'chat.ended') {
    if (c.state === 'offered') { chats.delete(id); renderAll(); return; }
    if (c.state !== 'done') c.state = 'ended';
    c.typing = false;
    renderAll();
  } else if (ev.type === 'chat.transferred' && d.agent !== me.extension) {
    chats.delete(id);
    renderAll();
  }
}

// The chats the agent already holds (after a reload): not ended, or ended
// without a wrap-up.
async function restore() {
  const { interactions } = await api(`/api/v1/interactions?channel=chat&agent=${encodeURIComponent(me.extension)}&limit=20`);
  for (const ia of interactions || []) {
    if (!ia.answered || (ia.ended && ia.wrapup)) continue;
    if (ia.ended && Date.now() - ia.ended > 3600000) continue;
    const c = chat(ia.id);
    c.state = ia.ended ? 'ended' : 'active';
    await fill(c).catch(() => {});
  }
  selected = [...chats.values()].find((x) => x.state !== 'offered')?.id || null;
  renderAll();
}

export async function initChats(who, customerPop, codes) {
  me = who;
  showCustomer = customerPop;
  dispositions = codes;
  $('#chat-wu-disposition').replaceChildren(...dispositions.map((r) => el('option', { value: r }, tv('disposition', r))));
  $('#chat-wu-priority').replaceChildren(...['low', 'normal', 'high', 'urgent'].map((p) => el('option', { value: p }, tv('priority', p))));
  $('#chat-wu-priority').value = 'normal';
  const box = $('#chat-text');
  box.addEventListener('input', () => {
    if (expand(box, false)) box.value += ' ';
    typing(box.value.length > 0);
  });
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      // Enter right after a shortcut expands it first, the next one sends
      if (expand(box, true)) return;
      send();
    }
  });
  $('#chat-send').onclick = send;
  $('#chat-attach').onclick = () => $('#chat-file').click();
  $('#chat-file').onchange = () => { const f = $('#chat-file').files[0]; $('#chat-file').value = ''; if (f) attach(f); };
  $('#chat-transfer').onclick = transfer;
  $('#chat-end').onclick = end;
  $('#chat-wu-save').onclick = wrapup;
  $('#chat-close').onclick = close;
  $('#chat-canned').onchange = () => {
    const hit = canned[Number($('#chat-canned').value)];
    if (hit) box.value = (box.value ? box.value + ' ' : '') + hit.text;
    $('#chat-canned').value = '';
    box.focus();
  };
  document.addEventListener('visibilitychange', () => markRead(chats.get(selected)));
  // offers count down on screen
  setInterval(() => { if ([...chats.values()].some((c) => c.state === 'offered')) renderOffers(); }, 1000);
  try {
    ({ canned } = await api('/api/v1/chat/canned'));
  } catch {
    canned = [];
  }
  $('#chat-canned').replaceChildren(el('option', { value: '' }, t('chat.canned')),
    ...canned.map((x, i) => el('option', { value: String(i) }, `${x.shortcut} — ${x.text}`)));
  await restore().catch(() => renderAll());
}
