// widget.js — the web chat a customer's site embeds with one tag:
//   <script src="https://HOTLINE/chat/widget.js" data-entry="web" async></script>
// It talks to the hotline its own src names (never the page's origin),
// under the tenant's chat entry data-entry names: a button, the pre-chat
// form (or the offline form when the entry is closed), the conversation
// over a WebSocket (messages with times, typing both ways, read receipts,
// attachments, the place in the queue), end, rating and transcript.
//
// What it promises the visitor (docs/CHAT.md has the protocol):
//   - the same chat across page loads: its token and the last sequence
//     number seen are kept in localStorage; a reload or a dropped
//     connection says hello with last_seq and gets only what it missed;
//   - nothing lost or shown twice: a message waits in the outbox with its
//     client id (cid) until the server sends it back with a seq, and is
//     sent again after a reconnect (the server stores a cid once); a seq
//     already shown is dropped;
//   - text is text: everything anyone typed is put in with textContent;
//   - the host page's styles stay out (a shadow root), and ours stay in.
// Its words are in web/chat/i18n-LANG.json, in the page's language (its
// <html lang>), else the browser's.
(() => {
  'use strict';
  const me = document.currentScript;
  if (!me || !me.src) return;
  const BASE = new URL(me.src).origin;
  const ENTRY = me.dataset.entry || 'web';
  const STORE = `hotline.chat.${BASE}.${ENTRY}`;
  const LANGS = ['en', 'zh-CN'];
  const TYPING_IDLE = 3000; // ms without a key before "typing" stops
  const BACKOFF_MAX = 30000;
  const LOG_MAX = 300; // messages kept in the browser for the next page

  let words = {}, english = {}, lang = 'en';
  let info = null; // GET /chat/v1/entries/{entry}
  let saved = null; // {chat_id, token, last_seq, name}
  let lastError = null; // the code of the last error frame
  let ws = null, backoff = 1000, retry = null, ackDue = null;
  let state = null; // queued, active, ended
  let outbox = []; // [{cid, text}] sent and not yet seen back
  let readSent = 0, peerRead = 0, typingOn = false, typingTimer = null;
  const shown = new Map(); // seq -> element of a message shown
  const blobs = new Map(); // attachment id -> blob URL

  // ---- words ---------------------------------------------------------
  function pick(wanted) {
    for (const w of wanted.filter(Boolean)) {
      const exact = LANGS.find((l) => l.toLowerCase() === w.toLowerCase());
      if (exact) return exact;
      const base = w.toLowerCase().split('-')[0];
      const same = LANGS.find((l) => l.toLowerCase().split('-')[0] === base);
      if (same) return same;
    }
    return 'en';
  }
  function t(key, params = {}) {
    const s = words[key] ?? english[key] ?? key;
    return s.replace(/\{(\w+)\}/g, (m, k) => (params[k] === undefined || params[k] === null ? m : String(params[k])));
  }
  async function loadWords() {
    lang = pick([document.documentElement.lang, ...(navigator.languages || [navigator.language])]);
    const get = (l) => fetch(`${BASE}/chat/i18n-${l}.json`).then((r) => (r.ok ? r.json() : {})).catch(() => ({}));
    english = await get('en');
    words = lang === 'en' ? english : await get(lang);
  }
  const timeFmt = () => new Intl.DateTimeFormat(lang, { timeStyle: 'short' });
  function size(n) {
    const u = [t('bytes'), t('kib'), t('mib')];
    let i = 0;
    while (n >= 1024 && i < 2) { n /= 1024; i++; }
    return `${i ? n.toFixed(1) : n} ${u[i]}`;
  }

  // ---- storage -------------------------------------------------------
  function load() {
    try { saved = JSON.parse(localStorage.getItem(STORE)); } catch { saved = null; }
    if (!saved || !saved.token) saved = null;
  }
  function keep() {
    try {
      if (saved) localStorage.setItem(STORE, JSON.stringify(saved));
      else localStorage.removeItem(STORE);
    } catch { /* private mode: the chat lasts the page */ }
  }

  // ---- the shadow root -------------------------------------------------
  const STYLE = `
    :host { all: initial; }
    * { box-sizing: border-box; font-family: system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif; }
    .launch { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; border: 0; border-radius: 24px;
      padding: 12px 18px; background: #1f6feb; color: #fff; font-size: 15px; cursor: pointer; box-shadow: 0 2px 10px rgba(0,0,0,.25); }
    .launch .dot { display: inline-block; min-width: 18px; margin-left: 6px; padding: 0 5px; border-radius: 9px; background: #cf222e; font-size: 12px; }
    .panel { position: fixed; right: 20px; bottom: 80px; z-index: 2147483000; width: 360px; max-width: calc(100vw - 24px);
      height: 520px; max-height: calc(100vh - 100px); display: flex; flex-direction: column; background: #fff; color: #1f2328;
      border-radius: 10px; box-shadow: 0 4px 24px rgba(0,0,0,.25); overflow: hidden; font-size: 14px; line-height: 1.4; }
    .hidden { display: none !important; }
    header { display: flex; align-items: center; gap: 8px; padding: 10px 12px; background: #1f6feb; color: #fff; }
    header h2 { flex: 1; margin: 0; font-size: 16px; font-weight: 600; }
    header button { background: transparent; color: #fff; border: 1px solid rgba(255,255,255,.6); border-radius: 4px; padding: 2px 8px; cursor: pointer; font-size: 13px; }
    .status { padding: 6px 12px; background: #f6f8fa; color: #57606a; font-size: 13px; border-bottom: 1px solid #d0d7de; }
    .body { flex: 1; overflow-y: auto; padding: 12px; }
    form { display: flex; flex-direction: column; gap: 6px; }
    label { font-size: 13px; color: #57606a; }
    input, select, textarea { font-size: 14px; padding: 6px 8px; border: 1px solid #d0d7de; border-radius: 6px; width: 100%; color: #1f2328; background: #fff; }
    textarea { resize: none; }
    button.primary { background: #1f6feb; color: #fff; border: 0; border-radius: 6px; padding: 8px 12px; font-size: 14px; cursor: pointer; }
    button.plain { background: #f6f8fa; color: #1f2328; border: 1px solid #d0d7de; border-radius: 6px; padding: 6px 10px; font-size: 13px; cursor: pointer; }
    .note { color: #57606a; font-size: 13px; }
    .error { color: #cf222e; font-size: 13px; min-height: 1em; }
    .ok { color: #1a7f37; }
    .msg { display: flex; flex-direction: column; margin: 6px 0; max-width: 85%; }
    .msg.visitor { margin-left: auto; align-items: flex-end; }
    .msg.system { max-width: 100%; align-items: center; color: #57606a; font-size: 12px; }
    .bubble { padding: 7px 10px; border-radius: 10px; background: #f0f2f4; white-space: pre-wrap; overflow-wrap: anywhere; }
    .msg.visitor .bubble { background: #ddf4ff; }
    .msg.system .bubble { background: transparent; padding: 0; }
    .meta { font-size: 11px; color: #8c959f; margin-top: 2px; }
    .msg.pending .meta::after { content: " …"; }
    .thumb { display: block; max-width: 200px; max-height: 160px; border-radius: 6px; margin-top: 4px; cursor: pointer; }
    .file { display: inline-block; margin-top: 4px; color: #0969da; }
    .typing { padding: 0 12px 4px; color: #57606a; font-size: 12px; min-height: 18px; }
    .compose { display: flex; gap: 6px; padding: 8px; border-top: 1px solid #d0d7de; align-items: flex-end; }
    .compose textarea { height: 38px; flex: 1; }
    .stars { display: flex; gap: 4px; }
    .stars button { font-size: 24px; background: none; border: 0; cursor: pointer; color: #d0d7de; padding: 0 2px; }
    .stars button.on { color: #bf8700; }
  `;

  let root, ui = {};
  function h(tag, attrs = {}, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(String(k ?? '')));
    return e;
  }
  // a labelled input of a form
  function field(id, label, input) {
    input.id = id;
    return [h('label', { for: id }, label), input];
  }

  function build() {
    const host = h('div', { id: 'hotline-chat', 'data-entry': ENTRY });
    document.body.append(host);
    root = host.attachShadow({ mode: 'open' });
    const style = h('style');
    style.textContent = STYLE;
    ui.launch = h('button', { class: 'launch', type: 'button', part: 'launch', onclick: () => toggle() }, t('open'));
    ui.unread = h('span', { class: 'dot hidden' });
    ui.launch.append(ui.unread);
    ui.title = h('h2', {}, t('title'));
    ui.end = h('button', { type: 'button', class: 'end hidden', onclick: endChat }, t('end'));
    ui.close = h('button', { type: 'button', class: 'close', 'aria-label': t('minimise'), onclick: () => toggle(false) }, '—');
    ui.status = h('div', { class: 'status hidden', role: 'status' });
    ui.body = h('div', { class: 'body' });
    ui.typing = h('div', { class: 'typing hidden', 'aria-live': 'polite' });
    ui.compose = buildCompose();
    ui.panel = h('div', { class: 'panel hidden', role: 'dialog', 'aria-label': t('title') },
      h('header', {}, ui.title, ui.end, ui.close), ui.status, ui.body, ui.typing, ui.compose);
    root.append(style, ui.launch, ui.panel);
  }

  function buildCompose() {
    ui.text = h('textarea', { class: 'text', rows: '1', 'aria-label': t('message'), placeholder: t('placeholder') });
    ui.text.maxLength = (info && info.limits && info.limits.message_chars) || 2000;
    ui.text.addEventListener('input', typing);
    ui.text.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
    });
    ui.file = h('input', { type: 'file', class: 'hidden', 'aria-hidden': 'true' });
    ui.file.addEventListener('change', () => { if (ui.file.files[0]) attach(ui.file.files[0]); ui.file.value = ''; });
    ui.attach = h('button', { type: 'button', class: 'plain attach', title: t('attach'), 'aria-label': t('attach'), onclick: () => ui.file.click() }, clip());
    ui.send = h('button', { type: 'button', class: 'primary send', onclick: send }, t('send'));
    ui.composeError = h('div', { class: 'error compose-error' });
    return h('div', { class: 'compose-wrap hidden' }, h('div', { class: 'compose' }, ui.attach, ui.text, ui.send, ui.file), ui.composeError);
  }

  // a paper clip drawn here: a page's fonts may have no emoji
  function clip() {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', '18');
    svg.setAttribute('height', '18');
    svg.setAttribute('aria-hidden', 'true');
    const p = document.createElementNS(ns, 'path');
    p.setAttribute('d', 'M16.5 6.5 8.6 14.4a2 2 0 0 0 2.8 2.8l8-8a4 4 0 0 0-5.6-5.6l-8 8a6 6 0 0 0 8.5 8.5l7.2-7.2');
    p.setAttribute('fill', 'none');
    p.setAttribute('stroke', 'currentColor');
    p.setAttribute('stroke-width', '2');
    p.setAttribute('stroke-linecap', 'round');
    svg.append(p);
    return svg;
  }

  function toggle(open) {
    const show = open === undefined ? ui.panel.classList.contains('hidden') : open;
    ui.panel.classList.toggle('hidden', !show);
    if (show) {
      ui.unread.classList.add('hidden');
      ui.unread.textContent = '';
      markRead();
    }
  }
  const isOpen = () => !ui.panel.classList.contains('hidden');

  function status(text) {
    ui.status.textContent = text || '';
    ui.status.classList.toggle('hidden', !text);
  }
  function view(...kids) {
    ui.body.replaceChildren(...kids);
  }

  // ---- forms -----------------------------------------------------------
  function topicSelect() {
    const sel = h('select', { required: '' });
    for (const tp of info.topics || []) sel.append(h('option', { value: tp.id }, tp.label));
    return sel;
  }

  function prechat() {
    state = null;
    ui.compose.classList.add('hidden');
    ui.end.classList.add('hidden');
    status('');
    const name = h('input', { required: '', maxlength: '100', autocomplete: 'name' });
    const email = h('input', { type: 'email', maxlength: '200', autocomplete: 'email' });
    const phone = h('input', { type: 'tel', maxlength: '40', autocomplete: 'tel' });
    const topic = topicSelect();
    const err = h('div', { class: 'error', role: 'alert' });
    const go = h('button', { class: 'primary', type: 'submit' }, t('start'));
    const form = h('form', { class: 'prechat' },
      h('div', { class: 'note' }, t('prechatIntro')),
      ...field('hc-name', t('name'), name), ...field('hc-email', t('emailOptional'), email),
      ...field('hc-phone', t('phoneOptional'), phone), ...field('hc-topic', t('topic'), topic), go, err);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      err.textContent = '';
      go.disabled = true;
      const body = { name: name.value.trim(), topic: topic.value };
      if (email.value.trim()) body.email = email.value.trim();
      if (phone.value.trim()) body.phone = phone.value.trim();
      try {
        const r = await post(`/chat/v1/entries/${encodeURIComponent(ENTRY)}/chats`, body);
        saved = { chat_id: r.chat_id, token: r.token, last_seq: 0, name: body.name };
        keep();
        startChat();
      } catch (ex) {
        err.textContent = ex.message;
        go.disabled = false;
      }
    });
    view(form);
  }

  function offline() {
    ui.compose.classList.add('hidden');
    ui.end.classList.add('hidden');
    status(t('offlineStatus'));
    const name = h('input', { required: '', maxlength: '100', autocomplete: 'name' });
    const email = h('input', { type: 'email', maxlength: '200', autocomplete: 'email' });
    const phone = h('input', { type: 'tel', maxlength: '40', autocomplete: 'tel' });
    const topic = topicSelect();
    const text = h('textarea', { required: '', rows: '4', maxlength: String(info.limits?.message_chars || 2000) });
    const err = h('div', { class: 'error', role: 'alert' });
    const go = h('button', { class: 'primary', type: 'submit' }, t('leaveMessage'));
    const form = h('form', { class: 'offline' },
      h('div', { class: 'note' }, t('offlineIntro')),
      ...field('hc-oname', t('name'), name), ...field('hc-oemail', t('email'), email),
      ...field('hc-ophone', t('phone'), phone), ...field('hc-otopic', t('topic'), topic),
      ...field('hc-otext', t('yourMessage'), text), go, err);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      err.textContent = '';
      if (!email.value.trim() && !phone.value.trim()) { err.textContent = t('needContact'); return; }
      go.disabled = true;
      const body = { name: name.value.trim(), topic: topic.value, message: text.value };
      if (email.value.trim()) body.email = email.value.trim();
      if (phone.value.trim()) body.phone = phone.value.trim();
      try {
        const r = await post(`/chat/v1/entries/${encodeURIComponent(ENTRY)}/offline`, body);
        view(h('div', { class: 'note ok offline-done' }, t('offlineSent', { ticket: r.ticket_id })));
      } catch (ex) {
        err.textContent = ex.message;
        go.disabled = false;
      }
    });
    view(form);
  }

  // ---- HTTP --------------------------------------------------------------
  async function problem(r) {
    const b = await r.json().catch(() => null);
    return new Error(b?.error?.message || t('httpError', { status: r.status }));
  }
  async function post(path, body) {
    const r = await fetch(BASE + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    if (!r.ok) throw await problem(r);
    return r.json();
  }
  const bearer = () => ({ Authorization: `Bearer ${saved.token}` });

  // ---- the conversation ------------------------------------------------
  function startChat() {
    view(h('div', { class: 'log', role: 'log', 'aria-live': 'polite' }));
    ui.log = ui.body.firstChild;
    shown.clear();
    // what this browser already showed comes from its own copy; the
    // server sends what came after (hello's last_seq)
    replaying = true;
    for (const m of saved.log || []) message(m);
    replaying = false;
    outbox = saved.outbox || [];
    for (const o of outbox) pendingBubble(o.cid, o.text);
    ui.compose.classList.remove('hidden');
    ui.end.classList.remove('hidden');
    status(t('connecting'));
    connect();
  }

  function connect() {
    clearTimeout(retry);
    if (ws) { ws.onclose = null; ws.close(); }
    const sock = new WebSocket(`${BASE.replace(/^http/, 'ws')}/chat/v1/ws`);
    ws = sock;
    sock.onopen = () => {
      lastError = null;
      sock.send(JSON.stringify({ type: 'hello', token: saved.token, last_seq: saved.last_seq || 0 }));
    };
    sock.onmessage = (m) => {
      let f;
      try { f = JSON.parse(m.data); } catch { return; }
      frame(f);
    };
    sock.onclose = (e) => {
      if (ws !== sock) return;
      ws = null;
      if (!saved) return;
      // the server will not have this token (unknown, expired): start
      // again rather than knock forever; another window took the chat
      // over: leave it there until the visitor comes back to this one
      if (lastError === 'bad_token') { forget(); return; }
      if (e.code === 1008 && /replaced/.test(e.reason || '')) {
        status(t('elsewhere'));
        ui.status.onclick = () => { ui.status.onclick = null; connect(); };
        return;
      }
      if (state === 'ended') return;
      status(t('reconnecting'));
      retry = setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, BACKOFF_MAX);
    };
  }
  const wsSend = (o) => { if (ws && ws.readyState === 1) { ws.send(JSON.stringify(o)); return true; } return false; };

  function forget() {
    saved = null;
    keep();
    if (ws) { ws.onclose = null; ws.close(); ws = null; }
    prechat();
  }

  function frame(f) {
    switch (f.type) {
    case 'welcome':
      backoff = 1000;
      ui.composeError.textContent = '';
      setState(f.state, f.agent, f);
      // what the last connection did not get acknowledged goes again
      for (const o of outbox) wsSend({ type: 'msg', cid: o.cid, text: o.text });
      break;
    case 'msg': message(f); break;
    case 'typing':
      ui.typing.textContent = f.on ? t('agentTyping') : '';
      ui.typing.classList.toggle('hidden', !f.on);
      break;
    case 'read':
      peerRead = Math.max(peerRead, f.seq || 0);
      receipts();
      break;
    case 'queue': queued(f); break;
    case 'state': setState(f.state, f.agent, f); break;
    case 'error':
      lastError = f.code;
      ui.composeError.textContent = errorText(f);
      break;
    default: break;
    }
  }

  function errorText(f) {
    const known = { too_long: () => t('errTooLong'), flood: () => t('errRate'), ended: () => t('ended'), too_large: () => t('errTooLarge'), bad_type: () => t('errBadType') };
    return known[f.code] ? known[f.code]() : (f.reason || f.code || '');
  }

  const agentName = (a) => (a && typeof a === 'object' ? a.name || a.ext || '' : a || '');
  function queued(f) {
    if (f.position === undefined || f.position === null) { status(t('waiting')); return; }
    const mins = f.ewt ? Math.max(1, Math.round(f.ewt / 60)) : null; // ewt in s
    status(mins ? t('queuedWait', { n: f.position, m: mins }) : t('queued', { n: f.position }));
  }
  function setState(s, agent, f = {}) {
    state = s;
    if (s === 'queued') queued(f);
    else if (s === 'active') status(agentName(agent) ? t('withAgent', { agent: agentName(agent) }) : t('connected'));
    else if (s === 'ended') ended();
  }

  function message(m) {
    if (!m.seq || shown.has(m.seq)) return;
    const mine = m.from === 'visitor';
    if (m.cid) {
      outbox = outbox.filter((o) => o.cid !== m.cid);
      const pending = ui.log.querySelector(`[data-cid="${CSS_escape(m.cid)}"]`);
      if (pending) pending.remove();
    }
    const el = bubble(m.from, m.from === 'agent' ? m.name : '', m.text, m.at, m.attachment);
    el.dataset.seq = m.seq;
    if (m.cid) el.dataset.cid = m.cid;
    shown.set(m.seq, el);
    // in order of seq, whatever order they came in
    const after = [...ui.log.querySelectorAll('[data-seq]')].find((x) => Number(x.dataset.seq) > m.seq);
    ui.log.insertBefore(el, after || ui.log.querySelector('.pending'));
    ui.log.parentNode.scrollTop = 1e9;
    if (m.from === 'agent') {
      ui.typing.classList.add('hidden');
      if (!isOpen()) {
        ui.unread.textContent = String((Number(ui.unread.textContent) || 0) + 1);
        ui.unread.classList.remove('hidden');
      }
    }
    if (!replaying) {
      // kept in seq order whatever order it came in: the visitor's own
      // message comes back once stored, after an agent's sent meanwhile
      // (a message of ours missed by last_seq is resent from the outbox)
      saved.log = [...(saved.log || []), { seq: m.seq, from: m.from, name: m.name, text: m.text, at: m.at, attachment: m.attachment }]
        .sort((a, b) => a.seq - b.seq).slice(-LOG_MAX);
      saved.outbox = outbox;
      if (m.seq > (saved.last_seq || 0)) {
        saved.last_seq = m.seq;
        // one ack for a burst
        clearTimeout(ackDue);
        ackDue = setTimeout(() => wsSend({ type: 'ack', seq: saved.last_seq }), 200);
      }
      keep();
    }
    if (!mine) markRead();
    receipts();
  }
  const CSS_escape = (s) => (window.CSS && window.CSS.escape ? window.CSS.escape(s) : String(s).replace(/"/g, '\\"'));

  // a message: who, the text (as text), an attachment, the time
  function bubble(from, name, text, at, att) {
    const b = h('div', { class: 'bubble' });
    if (text) b.append(document.createTextNode(text));
    if (att) b.append(attachment(att));
    const meta = h('div', { class: 'meta' }, [name, at ? timeFmt().format(new Date(at)) : ''].filter(Boolean).join(' · '));
    return h('div', { class: `msg ${from}` }, b, meta);
  }

  // attachments come with the token only: fetched into a blob URL
  function attachment(a) {
    const wrap = h('span', { class: 'attachment', 'data-attachment': a.id });
    const isImage = /^image\/(png|jpeg|gif|webp)$/.test(a.type || '');
    const link = h('a', { class: 'file', href: '#', download: a.name || 'file' }, `${a.name || t('file')} (${size(a.size || 0)})`);
    wrap.append(link);
    blobFor(a.id).then((url) => {
      link.href = url;
      if (isImage) {
        const img = h('img', { class: 'thumb', alt: a.name || '', src: url });
        img.addEventListener('click', () => window.open(url, '_blank', 'noopener'));
        wrap.prepend(img);
      }
    }).catch(() => { link.textContent = t('attachmentGone', { name: a.name || t('file') }); });
    return wrap;
  }
  // a message can come before its file is on the server's disk: asked
  // again a few times before it counts as gone
  async function blobFor(id, tries = 4) {
    if (blobs.has(id)) return blobs.get(id);
    const r = await fetch(`${BASE}/chat/v1/chats/${encodeURIComponent(saved.chat_id)}/attachments/${encodeURIComponent(id)}`, { headers: bearer() }).catch(() => null);
    if (!r || !r.ok) {
      if (tries > 1 && (!r || r.status === 404 || r.status >= 500)) {
        await new Promise((done) => setTimeout(done, 700));
        return blobFor(id, tries - 1);
      }
      throw r ? await problem(r) : new Error(t('attachmentGone', { name: id }));
    }
    const url = URL.createObjectURL(await r.blob());
    blobs.set(id, url);
    return url;
  }

  // my messages the agent has read get a mark
  function receipts() {
    for (const [seq, el] of shown) {
      if (!el.classList.contains('visitor')) continue;
      const meta = el.querySelector('.meta');
      const read = seq <= peerRead;
      if (read && !el.dataset.read) {
        el.dataset.read = '1';
        meta.append(h('span', { class: 'receipt' }, ` · ${t('read')}`));
      }
    }
  }

  function markRead() {
    if (!saved || !isOpen() || document.visibilityState === 'hidden') return;
    let last = 0;
    for (const [seq, el] of shown) if (!el.classList.contains('visitor') && seq > last) last = seq;
    if (last > readSent && wsSend({ type: 'read', seq: last })) readSent = last;
  }
  document.addEventListener('visibilitychange', markRead);

  function typing() {
    if (!typingOn) { typingOn = wsSend({ type: 'typing', on: true }); }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, TYPING_IDLE);
  }
  function stopTyping() {
    clearTimeout(typingTimer);
    if (typingOn) wsSend({ type: 'typing', on: false });
    typingOn = false;
  }

  let replaying = false;
  let cidSeq = 0;
  function send() {
    const text = ui.text.value.trim();
    ui.composeError.textContent = '';
    if (!text || state === 'ended') return;
    const max = info.limits?.message_chars || 2000;
    if ([...text].length > max) { ui.composeError.textContent = t('errTooLong'); return; }
    const cid = `${Date.now().toString(36)}-${(cidSeq++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    outbox.push({ cid, text });
    saved.outbox = outbox;
    keep();
    pendingBubble(cid, text);
    ui.text.value = '';
    stopTyping();
    wsSend({ type: 'msg', cid, text }); // else sent again after the reconnect
  }

  function pendingBubble(cid, text) {
    const el = bubble('visitor', '', text, Date.now());
    el.classList.add('pending');
    el.dataset.cid = cid;
    ui.log.append(el);
    ui.log.parentNode.scrollTop = 1e9;
  }

  async function attach(file) {
    ui.composeError.textContent = '';
    const lim = info.limits || {};
    if (lim.attachment_bytes && file.size > lim.attachment_bytes) {
      ui.composeError.textContent = t('errFileTooLarge', { max: size(lim.attachment_bytes) });
      return;
    }
    const types = lim.attachment_types || [];
    if (types.length && file.type && !types.includes(file.type)) {
      ui.composeError.textContent = t('errBadType');
      return;
    }
    ui.attach.disabled = true;
    try {
      const r = await fetch(`${BASE}/chat/v1/chats/${encodeURIComponent(saved.chat_id)}/attachments`, {
        method: 'POST', body: file,
        // a header is Latin-1: a name like 发票.png goes percent-encoded
        headers: { ...bearer(), 'Content-Type': file.type || 'application/octet-stream', 'X-Filename': encodeURIComponent(file.name) },
      });
      if (!r.ok) throw await problem(r);
    } catch (ex) {
      ui.composeError.textContent = ex.message;
    } finally {
      ui.attach.disabled = false;
    }
  }

  function endChat() {
    if (state === 'ended' || !saved) { toggle(false); return; }
    if (!window.confirm(t('endConfirm'))) return;
    wsSend({ type: 'end' });
  }

  // the chat is over: the rating, the transcript, a new chat
  function ended() {
    state = 'ended';
    status(t('ended'));
    stopTyping();
    ui.typing.classList.add('hidden');
    ui.compose.classList.add('hidden');
    ui.end.classList.add('hidden');
    if (ui.body.querySelector('.rating, .rated')) return;
    let score = 0;
    const stars = h('div', { class: 'stars', role: 'radiogroup', 'aria-label': t('rate') });
    for (let i = 1; i <= 5; i++) {
      stars.append(h('button', { type: 'button', 'data-score': String(i), 'aria-label': t('stars', { n: i }), onclick: () => {
        score = i;
        for (const b of stars.children) b.classList.toggle('on', Number(b.dataset.score) <= i);
      } }, '★'));
    }
    const comment = h('textarea', { rows: '2', maxlength: '1000', 'aria-label': t('comment'), placeholder: t('comment') });
    const rateErr = h('div', { class: 'error' });
    const rateBtn = h('button', { type: 'button', class: 'primary rate-send' }, t('rateSend'));
    const rating = h('div', { class: 'rating' }, h('div', { class: 'note' }, t('rate')), stars, comment, rateBtn, rateErr);
    rateBtn.addEventListener('click', () => {
      if (!score) { rateErr.textContent = t('rateNeedScore'); return; }
      const msg = { type: 'rate', score };
      if (comment.value.trim()) msg.comment = comment.value.trim();
      if (!wsSend(msg)) { rateErr.textContent = t('reconnecting'); return; }
      saved.rated = true; // the next page thanks rather than asks again
      keep();
      rating.replaceChildren(h('div', { class: 'note ok rated' }, t('thanks')));
    });
    if (saved.rated) rating.replaceChildren(h('div', { class: 'note ok rated' }, t('thanks')));
    const transcript = h('button', { type: 'button', class: 'plain transcript', onclick: download }, t('transcript'));
    const again = h('button', { type: 'button', class: 'plain again', onclick: () => { forget(); } }, t('newChat'));
    const err = h('div', { class: 'error transcript-error' });
    ui.body.append(h('div', { class: 'after' }, rating, h('div', { class: 'row' }, transcript, ' ', again), err));
    ui.log.parentNode.scrollTop = 1e9;
  }

  async function download() {
    const err = ui.body.querySelector('.transcript-error');
    try {
      const r = await fetch(`${BASE}/chat/v1/chats/${encodeURIComponent(saved.chat_id)}/transcript`, { headers: bearer() });
      if (!r.ok) throw await problem(r);
      const url = URL.createObjectURL(await r.blob());
      const a = h('a', { href: url, download: `chat-${saved.chat_id}.txt` });
      root.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (ex) {
      if (err) err.textContent = ex.message;
    }
  }

  // ---- start -----------------------------------------------------------
  async function start() {
    await loadWords();
    build();
    load();
    try {
      const r = await fetch(`${BASE}/chat/v1/entries/${encodeURIComponent(ENTRY)}`);
      if (!r.ok) throw await problem(r);
      info = await r.json();
    } catch (ex) {
      ui.launch.classList.add('hidden');
      console.warn('hotline chat:', ex.message);
      return;
    }
    ui.text.maxLength = info.limits?.message_chars || 2000;
    if (saved) {
      startChat();
      toggle(true);
    } else if (info.open) prechat();
    else offline();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
