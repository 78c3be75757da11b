// chat_fake.mjs — the chat server of docs/CHAT.md played inside the
// browser test, for a hotline that does not route chats yet: the visitor
// routes (/chat/v1/...) and WebSocket, the agent's chat routes
// (/api/v1/interactions/{id}/..., /api/v1/chat/canned) and the chat.*
// events, added to the real event stream of /api/v1/events (the calls'
// events still come from hotline). Everything else goes to hotline. It
// answers as the document says, so the widget, the desktop and the
// wallboard are driven through the protocol they will meet; what it
// cannot stand in for (stored messages, tickets, timelines) the test
// checks against hotline only when hotline has the routes.
//
// fake.visitor(context) and fake.staff(context, ext) install the routes
// in a browser context; fake.chats holds what was said.

const TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain'];

export class ChatFake {
  constructor(url, { entries = {}, canned = [], agentName = {}, apiToken = 'test-token' } = {}) {
    this.url = url;
    this.ws = url.replace(/^http/, 'ws');
    this.entries = entries; // name -> {open, topics: [{label, queue}], origins}
    this.canned = canned;
    this.agentName = agentName; // ext -> display name
    this.apiToken = apiToken;
    this.chats = new Map(); // id -> chat
    this.staffSockets = new Set(); // routed /api/v1/events sockets
    this.offline = []; // bodies of offline forms
    this.ratings = [];
    this.wrapups = [];
    this.visitorFrames = []; // every frame a visitor sent
    this.n = 0;
  }

  emit(type, c, data, agent = c.agent || null) {
    const ev = JSON.stringify({ ts: Date.now(), type, call: c.id, agent, queue: c.queue, data });
    for (const s of this.staffSockets) s.send(ev);
  }

  toVisitor(c, frame) {
    if (c.sock) c.sock.send(JSON.stringify(frame));
  }

  add(c, from, name, text, extra = {}) {
    const m = { seq: ++c.seq, from, name, text, at: new Date().toISOString(), ...extra };
    c.messages.push(m);
    if (!m.internal) this.toVisitor(c, { type: 'msg', ...m });
    this.emit('chat.message', c, { ...m, internal: !!m.internal });
    return m;
  }

  cors(route) {
    const origin = route.request().headers().origin;
    return origin ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin', 'Access-Control-Allow-Headers': 'Content-Type, Authorization, X-Filename' } : {};
  }

  json(route, status, body) {
    return route.fulfill({ status, headers: { ...this.cors(route), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  }

  byToken(route) {
    const auth = route.request().headers().authorization || '';
    return [...this.chats.values()].find((c) => `Bearer ${c.token}` === auth);
  }

  // ---- the visitor's side -------------------------------------------------
  async visitor(context) {
    await context.route((u) => u.href.startsWith(`${this.url}/chat/v1/`), (route) => this.visitorRoute(route));
    await context.routeWebSocket(`${this.ws}/chat/v1/ws`, (ws) => this.visitorSocket(ws));
  }

  async visitorRoute(route) {
    const rq = route.request(), path = new URL(rq.url()).pathname, method = rq.method();
    if (method === 'OPTIONS') return route.fulfill({ status: 204, headers: { ...this.cors(route), 'Access-Control-Allow-Methods': 'GET, POST' } });
    let m;
    if ((m = path.match(/^\/chat\/v1\/entries\/([^/]+)$/)) && method === 'GET') {
      const e = this.entries[decodeURIComponent(m[1])];
      if (!e) return this.json(route, 404, { error: { code: 'not_found', message: 'no such entry' } });
      return this.json(route, 200, { entry: m[1], open: e.open, topics: e.topics.map((tp, i) => ({ id: String(i), label: tp.label })), limits: { message_chars: 2000, attachment_bytes: 262144, attachment_types: TYPES }, language: 'en' });
    }
    if ((m = path.match(/^\/chat\/v1\/entries\/([^/]+)\/chats$/)) && method === 'POST') {
      const e = this.entries[decodeURIComponent(m[1])], b = rq.postDataJSON();
      const id = `chat-${++this.n}`;
      const c = { id, token: `tok-${id}-${Math.random().toString(36).slice(2)}`, name: b.name, email: b.email || '', phone: b.phone || '', queue: e.topics[Number(b.topic)].queue, state: 'queued', seq: 0, messages: [], cids: new Map(), agent: null, created: Date.now(), answered: 0, ended: 0, files: new Map(), customer: null };
      this.chats.set(id, c);
      this.emit('chat.created', c, { entry: m[1], topic: b.topic, name: b.name }, null);
      setTimeout(() => this.offer(c), 300);
      return this.json(route, 201, { chat_id: id, token: c.token });
    }
    if ((m = path.match(/^\/chat\/v1\/entries\/([^/]+)\/offline$/)) && method === 'POST') {
      this.offline.push(rq.postDataJSON());
      return this.json(route, 201, { ticket_id: `T-${1000 + this.offline.length}` });
    }
    const c = this.byToken(route);
    if (!c) return this.json(route, 401, { error: { code: 'bad_token', message: 'unknown token' } });
    if (path === `/chat/v1/chats/${c.id}/attachments` && method === 'POST') {
      const body = rq.postDataBuffer(), type = rq.headers()['content-type'];
      if (!TYPES.includes(type)) return this.json(route, 415, { error: { code: 'bad_type', message: 'not a picture or document' } });
      const aid = `a${c.files.size + 1}`;
      c.files.set(aid, { body, type, name: decodeURIComponent(rq.headers()['x-filename'] || 'file') });
      const msg = this.add(c, 'visitor', c.name, '', { attachment: { id: aid, name: c.files.get(aid).name, type, size: body.length } });
      return this.json(route, 201, { id: aid, seq: msg.seq });
    }
    if ((m = path.match(new RegExp(`^/chat/v1/chats/${c.id}/attachments/([^/]+)$`))) && method === 'GET') {
      const f = c.files.get(m[1]);
      return f ? route.fulfill({ status: 200, headers: { ...this.cors(route), 'Content-Type': f.type }, body: f.body }) : this.json(route, 404, { error: { code: 'not_found', message: 'no file' } });
    }
    if (path === `/chat/v1/chats/${c.id}/transcript` && method === 'GET') {
      const text = c.messages.filter((x) => !x.internal).map((x) => `[${x.at}] ${x.name || x.from}: ${x.text || x.attachment?.name}`).join('\n') + '\n';
      return route.fulfill({ status: 200, headers: { ...this.cors(route), 'Content-Type': 'text/plain; charset=utf-8' }, body: text });
    }
    return this.json(route, 404, { error: { code: 'not_found', message: path } });
  }

  visitorSocket(ws) {
    let c = null;
    ws.onMessage((raw) => {
      let f;
      try { f = JSON.parse(raw); } catch { ws.send(JSON.stringify({ type: 'error', code: 'bad_json', reason: 'not JSON' })); return; }
      this.visitorFrames.push(f);
      if (!c) {
        c = [...this.chats.values()].find((x) => x.token === f.token);
        if (f.type !== 'hello' || !c) {
          ws.send(JSON.stringify({ type: 'error', code: 'bad_token', reason: 'unknown token' }));
          ws.close({ code: 1008, reason: 'bad token' });
          return;
        }
        if (c.sock) c.sock.close({ code: 1008, reason: 'replaced' });
        c.sock = ws;
        ws.onClose(() => { if (c.sock === ws) c.sock = null; });
        ws.send(JSON.stringify({ type: 'welcome', chat_id: c.id, state: c.state, ...(c.state === 'queued' ? { position: 1, ewt: 90 } : {}), ...(c.agent ? { agent: this.agentName[c.agent] || c.agent } : {}) }));
        for (const m of c.messages) if (!m.internal && m.seq > (f.last_seq || 0)) ws.send(JSON.stringify({ type: 'msg', ...m }));
        return;
      }
      if (f.type === 'msg') {
        if (c.state === 'ended') { ws.send(JSON.stringify({ type: 'error', code: 'ended', reason: 'the chat has ended' })); return; }
        const known = c.cids.get(f.cid);
        if (known) { ws.send(JSON.stringify({ type: 'msg', ...known })); return; }
        c.cids.set(f.cid, this.add(c, 'visitor', c.name, f.text, { cid: f.cid }));
      } else if (f.type === 'typing') this.emit('chat.typing', c, { from: 'visitor', on: !!f.on });
      else if (f.type === 'read') this.emit('chat.read', c, { from: 'visitor', seq: f.seq });
      else if (f.type === 'end') this.end(c);
      else if (f.type === 'rate') this.ratings.push({ chat: c.id, score: f.score, comment: f.comment });
    });
  }

  offer(c) {
    c.offeredTo = Object.keys(this.agentName)[0];
    this.emit('chat.offered', c, { agent: c.offeredTo, timeout: 20000 }, c.offeredTo);
  }

  end(c) {
    if (c.state === 'ended') return;
    c.state = 'ended';
    c.ended = Date.now();
    this.add(c, 'system', '', 'ended');
    this.toVisitor(c, { type: 'state', state: 'ended' });
    this.emit('chat.ended', c, { outcome: 'answered' });
  }

  // ---- the staff's side ---------------------------------------------------
  async staff(context, ext) {
    await context.routeWebSocket(/\/api\/v1\/events/, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((m) => ws.send(m));
      ws.onMessage((m) => server.send(m));
      this.staffSockets.add(ws);
      ws.onClose(() => this.staffSockets.delete(ws));
    });
    await context.route((u) => u.href.startsWith(`${this.url}/api/v1/`), (route) => this.staffRoute(route, ext));
  }

  interaction(c) {
    return { id: c.id, channel: 'chat', direction: 'inbound', caller: c.name, called: c.email || c.phone, ivr_path: '', digits: '', queue: c.queue, agent: c.agent || '', customer: c.customer, created: c.created, queued: c.created, answered: c.answered, ended: c.ended, outcome: c.ended ? 'answered' : '', visitor: { name: c.name, email: c.email, phone: c.phone }, messages: c.messages, wrapup: c.wrapup || null };
  }

  async staffRoute(route, ext) {
    const rq = route.request(), u = new URL(rq.url()), path = u.pathname, method = rq.method();
    if (path === '/api/v1/chat/canned') return this.json(route, 200, { canned: this.canned });
    if (path === '/api/v1/interactions' && u.searchParams.get('channel') === 'chat') {
      const agent = u.searchParams.get('agent');
      return this.json(route, 200, { interactions: [...this.chats.values()].filter((c) => !agent || c.agent === agent).map((c) => this.interaction(c)) });
    }
    let m = path.match(/^\/api\/v1\/interactions\/(chat-\d+)(\/.*)?$/);
    const c = m && this.chats.get(m[1]);
    if (!c) return route.fallback();
    const what = m[2] || '', body = rq.postData() ? rq.postDataJSON() : null;
    if (!what && method === 'GET') return this.json(route, 200, this.interaction(c));
    if (what === '/accept') {
      c.agent = ext;
      c.state = 'active';
      c.answered = Date.now();
      this.toVisitor(c, { type: 'state', state: 'active', agent: this.agentName[ext] || ext });
      this.emit('chat.answered', c, { agent: ext });
      return route.fulfill({ status: 204 });
    }
    if (what === '/decline') return route.fulfill({ status: 204 });
    if (what === '/messages') {
      const msg = this.add(c, 'agent', this.agentName[ext] || ext, body.text, body.internal ? { internal: true } : {});
      return this.json(route, 201, { seq: msg.seq });
    }
    if (what === '/typing') { this.toVisitor(c, { type: 'typing', on: !!body.on }); return route.fulfill({ status: 204 }); }
    if (what === '/read') { this.toVisitor(c, { type: 'read', seq: body.seq }); return route.fulfill({ status: 204 }); }
    if (what === '/end') { this.end(c); return route.fulfill({ status: 204 }); }
    if (what === '/transfer') { c.transfer = body; return this.json(route, 202, {}); }
    if ((m = what.match(/^\/attachments\/([^/]+)$/))) {
      const f = c.files.get(m[1]);
      return route.fulfill({ status: 200, headers: { 'Content-Type': f.type }, body: f.body });
    }
    if (what === '/customer') {
      // as the server would: a customer made from what the visitor gave
      const r = await fetch(`${this.url}/api/v1/customers`, { method: 'POST', headers: { Authorization: `Bearer ${this.apiToken}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: c.name, identities: c.email ? [{ kind: 'email', value: c.email }] : [] }) });
      const cu = await r.json();
      c.customer = cu.id;
      return this.json(route, 200, { customer_id: cu.id });
    }
    if (what === '/wrapup') {
      c.wrapup = body;
      this.wrapups.push({ chat: c.id, ...body });
      return this.json(route, 200, body.ticket ? { ticket: { id: 'T-2001' } } : {});
    }
    return this.json(route, 404, { error: { code: 'not_found', message: path } });
  }
}
