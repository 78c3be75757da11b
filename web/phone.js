// phone.js — the agent desktop's own phone: a small SIP user agent over a
// WebSocket (RFC 7118, subprotocol "sip") with the browser's
// RTCPeerConnection for the audio. It registers with the agent's digest
// credentials (RFC 3261 §22, RFC 7616 MD5 or SHA-256; the desktop's session
// fetches them from GET /api/v1/agents/{ext}/phone) and registers again
// before the binding expires, takes hotline's INVITE (with an SDP offer, or
// without one: then it makes the offer in its 200), rings, answers, ends
// the call both ways (CANCEL, BYE), mutes, sends DTMF (RFC 4733 through
// RTCDTMFSender) and plays the far end on the speaker the agent chose.
// Hold and transfer are hotline's own routes (agent.js): hotline re-INVITEs
// the phone as it would a desk phone.
//
// It is the user agent of one phone that takes calls, not a SIP stack: no
// UDP retransmissions (a WebSocket is reliable), one call at a time (a
// second INVITE while busy gets 486), no forking, no outgoing INVITE. What
// it parses it parses strictly: a message whose start line, required
// headers or Content-Length are wrong is dropped, never half-understood.

const CRLF = '\r\n';
// RFC 3261 §7.3.3: compact header names
const COMPACT = { v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', l: 'content-length', c: 'content-type', k: 'supported', s: 'subject', e: 'content-encoding' };
const REQUIRED = ['via', 'from', 'to', 'call-id', 'cseq'];
const utf8 = new TextEncoder();

// --- MD5 (RFC 1321), for digest auth: WebCrypto has no MD5 ----------------

const MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
const MD5_K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) >>> 0);

// The lower-case hex MD5 of a string (its UTF-8 bytes).
export function md5(str) {
  const msg = utf8.encode(str);
  const n = ((msg.length + 8) >> 6) + 1; // 64-byte blocks with the padding
  const words = new Uint32Array(n * 16);
  for (let i = 0; i < msg.length; i++) words[i >> 2] |= msg[i] << ((i % 4) * 8);
  words[msg.length >> 2] |= 0x80 << ((msg.length % 4) * 8);
  words[n * 16 - 2] = (msg.length * 8) >>> 0;
  words[n * 16 - 1] = Math.floor(msg.length / 0x20000000);
  let a0 = 0x67452301, b0 = 0xefcdab89, c0 = 0x98badcfe, d0 = 0x10325476;
  for (let blk = 0; blk < n; blk++) {
    let a = a0, b = b0, c = c0, d = d0;
    for (let i = 0; i < 64; i++) {
      let f, g;
      if (i < 16) { f = (b & c) | (~b & d); g = i; }
      else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) % 16; }
      else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) % 16; }
      else { f = c ^ (b | ~d); g = (7 * i) % 16; }
      const s = MD5_S[(i >> 4) * 4 + (i % 4)];
      const x = (a + f + MD5_K[i] + words[blk * 16 + g]) >>> 0;
      a = d; d = c; c = b;
      b = (b + ((x << s) | (x >>> (32 - s)))) >>> 0;
    }
    a0 = (a0 + a) >>> 0; b0 = (b0 + b) >>> 0; c0 = (c0 + c) >>> 0; d0 = (d0 + d) >>> 0;
  }
  return [a0, b0, c0, d0].map((w) => [0, 8, 16, 24].map((sh) => ((w >>> sh) & 0xff).toString(16).padStart(2, '0')).join('')).join('');
}

async function sha256(str) {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', utf8.encode(str)));
  return [...d].map((x) => x.toString(16).padStart(2, '0')).join('');
}

// --- SIP messages -------------------------------------------------------------

const rand = (n = 10) => Array.from(crypto.getRandomValues(new Uint8Array(n)), (x) => 'abcdefghijklmnopqrstuvwxyz0123456789'[x % 36]).join('');

// A SIP message (one WebSocket frame, RFC 7118 §5) read strictly: a request
// or a response, its headers (lower-case long names, in order, values
// trimmed) and body. Throws on anything malformed.
export function parse(text) {
  const end = text.indexOf(CRLF + CRLF);
  if (end < 0) throw new Error('no end of headers');
  const lines = text.slice(0, end).split(CRLF);
  const body = text.slice(end + 4);
  const first = lines.shift();
  const msg = { headers: [], body };
  let m;
  if ((m = /^SIP\/2\.0 ([1-6]\d\d) ([^\r\n]*)$/.exec(first))) { msg.status = Number(m[1]); msg.reason = m[2]; }
  else if ((m = /^([A-Z]+) (\S+) SIP\/2\.0$/.exec(first))) { msg.method = m[1]; msg.uri = m[2]; }
  else throw new Error('bad start line');
  for (const line of lines) {
    if (/^[ \t]/.test(line)) { // RFC 3261 §7.3.1: a folded line continues the header
      if (!msg.headers.length) throw new Error('folded first header');
      msg.headers[msg.headers.length - 1].value += ' ' + line.trim();
      continue;
    }
    const c = line.indexOf(':');
    if (c <= 0 || !/^[A-Za-z0-9!%*_+`'~.-]+$/.test(line.slice(0, c).trim())) throw new Error('bad header line');
    const name = line.slice(0, c).trim().toLowerCase();
    msg.headers.push({ name: COMPACT[name] || name, value: line.slice(c + 1).trim() });
  }
  for (const h of REQUIRED) if (!msg.headers.some((x) => x.name === h)) throw new Error(`no ${h}`);
  const cseq = /^(\d{1,10})\s+([A-Z]+)$/.exec(header(msg, 'cseq'));
  if (!cseq) throw new Error('bad CSeq');
  msg.cseq = Number(cseq[1]);
  msg.cseqMethod = cseq[2];
  const len = header(msg, 'content-length');
  if (len !== undefined && (!/^\d+$/.test(len) || Number(len) !== utf8.encode(body).length)) throw new Error('Content-Length is not the body');
  return msg;
}

// The first value of a header (undefined when absent).
export const header = (msg, name) => msg.headers.find((h) => h.name === name)?.value;
const headers = (msg, name) => msg.headers.filter((h) => h.name === name).map((h) => h.value);

// A parameter of a header value (;tag=..., ;expires=...), outside the <uri>.
export function param(value, name) {
  const rest = value?.includes('>') ? value.slice(value.lastIndexOf('>') + 1) : value || '';
  const m = new RegExp(`;\\s*${name}\\s*=\\s*("[^"]*"|[^;,\\s]+)`, 'i').exec(rest);
  return m ? m[1].replace(/^"|"$/g, '') : undefined;
}

// The URI of a name-addr (<sip:...>) or addr-spec.
export function uriOf(value) {
  const m = /<([^>]*)>/.exec(value || '');
  return m ? m[1] : (value || '').split(';')[0].trim();
}

// The display name and user of a From header, for the ring.
function caller(from) {
  const name = /^\s*"((?:[^"\\]|\\.)*)"/.exec(from)?.[1]?.replace(/\\(.)/g, '$1') || '';
  const user = /^sips?:([^@;>]+)@/.exec(uriOf(from))?.[1] || '';
  return { name, user: decodeURIComponent(user) };
}

function build(start, hdrs, body = '') {
  const lines = [start, ...hdrs.filter(Boolean)];
  if (body) lines.push('Content-Type: application/sdp');
  lines.push(`Content-Length: ${utf8.encode(body).length}`);
  return lines.join(CRLF) + CRLF + CRLF + body;
}

// The Digest challenge's parameters (RFC 7616 §3.3).
function challenge(value) {
  if (!/^Digest\s/i.test(value)) return null;
  const p = {};
  for (const m of value.slice(7).matchAll(/([a-zA-Z-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]+)/g))
    p[m[1].toLowerCase()] = m[2].replace(/^"|"$/g, '');
  return p.realm !== undefined && p.nonce ? p : null;
}

// --- the phone ----------------------------------------------------------------

// Events (CustomEvent, detail): 'state' {state, reason} when the
// registration changes: 'off', 'connecting', 'registered', 'failed';
// 'call' {call} when the call's state changes: 'ringing', 'answering',
// 'talking', 'ended' (with reason); the call has caller {name, user} and
// callId.
export class Phone extends EventTarget {
  // url: the WebSocket (ws(s)://host/sip); creds: {extension, realm, ha1,
  // ha1_sha256}; domain: the registrar's host.
  constructor({ url, creds, domain, expires = 600 }) {
    super();
    this.url = url;
    this.creds = creds;
    this.domain = domain;
    this.expires = expires;
    this.state = 'off';
    this.call = null;
    this.muted = false;
    this.mic = undefined;     // deviceId chosen, undefined: the default
    this.speaker = undefined;
    this.host = `${rand(12)}.invalid`; // RFC 7118 §5: our Via and Contact host
    this.contact = `<sip:${creds.extension}@${this.host};transport=ws>`;
    this.regCallId = rand(20);
    this.regCseq = 0;
    this.fromTag = rand(10);
    this.pending = new Map(); // branch -> resolve of our request's final answer
    this.retry = 0;
    this.audio = new Audio();
    this.audio.autoplay = true;
  }

  set(state, reason = '') {
    this.state = state;
    this.dispatchEvent(new CustomEvent('state', { detail: { state, reason } }));
  }

  // Connects and registers; reconnects with a backoff while started.
  start() {
    this.stopped = false;
    this.connect();
  }

  // Unregisters and closes: the desktop's phone goes off.
  async stop() {
    this.stopped = true;
    clearTimeout(this.regTimer);
    clearTimeout(this.retryTimer);
    if (this.call) this.hangup();
    if (this.ws?.readyState === WebSocket.OPEN && this.state === 'registered')
      await Promise.race([this.register(0), new Promise((r) => setTimeout(r, 1500))]).catch(() => {});
    this.ws?.close();
    this.ws = null;
    this.set('off');
  }

  connect() {
    this.set('connecting');
    const ws = new WebSocket(this.url, 'sip');
    this.ws = ws;
    ws.onopen = () => {
      if (ws.protocol !== 'sip') { ws.close(); this.set('failed', 'protocol'); return; }
      this.register(this.expires).catch((e) => this.set('failed', e.code || 'refused'));
    };
    ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return; // RFC 7118 §4.2: we send text, read text
      let msg;
      try { msg = parse(ev.data); } catch (e) { console.warn('phone: dropped a message:', e.message); return; }
      if (msg.method) this.request(msg); else this.response(msg);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      clearTimeout(this.regTimer);
      for (const done of this.pending.values()) done(null);
      this.pending.clear();
      // the call's media cannot outlive its signalling: hotline ends it too
      if (this.call) this.end('connection_lost');
      if (this.stopped) return;
      this.set('failed', 'connection_lost');
      const wait = Math.min(30000, 1000 * 2 ** this.retry++);
      this.retryTimer = setTimeout(() => this.connect(), wait);
    };
  }

  send(text) {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(text);
    return true;
  }

  // RFC 7118 §5.2: WS, or WSS over TLS
  via(branch) { return `Via: SIP/2.0/${this.url.startsWith('wss:') ? 'WSS' : 'WS'} ${this.host};branch=z9hG4bK${branch}`; }

  // Sends a request (start, headers after Via) and resolves with its
  // final answer, or null when none comes in 32 s (RFC 3261 Timer F) or
  // the connection goes.
  transact(start, hdrs, body) {
    const branch = rand(16);
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.pending.delete(branch); resolve(null); }, 32000);
      this.pending.set(branch, (r) => { clearTimeout(timer); this.pending.delete(branch); resolve(r); });
      if (!this.send(build(start, [this.via(branch), 'Max-Forwards: 70', ...hdrs], body))) this.pending.get(branch)(null);
    });
  }

  response(msg) {
    const branch = param(header(msg, 'via'), 'branch')?.replace(/^z9hG4bK/, '');
    if (msg.status >= 200) this.pending.get(branch)?.(msg);
  }

  // Digest credentials for a 401/407 (RFC 7616), MD5 preferred.
  async authorize(res, method, uri) {
    const name = res.status === 407 ? 'proxy-authenticate' : 'www-authenticate';
    const chals = headers(res, name).map(challenge).filter(Boolean);
    const ch = chals.find((c) => !c.algorithm || /^MD5$/i.test(c.algorithm)) || chals.find((c) => /^SHA-256$/i.test(c.algorithm));
    if (!ch) throw new Error('no digest challenge we can answer');
    const sha = /^SHA-256$/i.test(ch.algorithm || '');
    const H = sha ? sha256 : async (s) => md5(s);
    const ha1 = sha ? this.creds.ha1_sha256 : this.creds.ha1;
    if (!ha1) throw new Error('no credentials for the challenge');
    const ha2 = await H(`${method}:${uri}`);
    const qop = ch.qop?.split(',').map((q) => q.trim()).includes('auth') ? 'auth' : null;
    const cnonce = rand(16), nc = '00000001';
    const response = await H(qop ? `${ha1}:${ch.nonce}:${nc}:${cnonce}:${qop}:${ha2}` : `${ha1}:${ch.nonce}:${ha2}`);
    const parts = [`username="${this.creds.extension}"`, `realm="${ch.realm}"`, `nonce="${ch.nonce}"`, `uri="${uri}"`,
      `response="${response}"`, `algorithm=${sha ? 'SHA-256' : 'MD5'}`];
    if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`);
    if (ch.opaque !== undefined) parts.push(`opaque="${ch.opaque}"`);
    return `${res.status === 407 ? 'Proxy-Authorization' : 'Authorization'}: Digest ${parts.join(', ')}`;
  }

  // REGISTER (expires 0: unregisters); again with credentials when
  // challenged; then once more before the binding expires.
  async register(expires) {
    const uri = `sip:${this.domain}`;
    const aor = `<sip:${this.creds.extension}@${this.domain}>`;
    let auth = null;
    for (let tries = 0; tries < 3; tries++) {
      const res = await this.transact(`REGISTER ${uri} SIP/2.0`, [
        `From: ${aor};tag=${this.fromTag}`, `To: ${aor}`, `Call-ID: ${this.regCallId}`, `CSeq: ${++this.regCseq} REGISTER`,
        `Contact: ${this.contact};expires=${expires}`, `Expires: ${expires}`,
        'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS', 'User-Agent: Hotline desktop phone', auth]);
      if (!res) throw Object.assign(new Error('no answer to REGISTER'), { code: 'no_answer' });
      if ((res.status === 401 || res.status === 407) && (!auth || /stale\s*=\s*"?true/i.test(header(res, res.status === 407 ? 'proxy-authenticate' : 'www-authenticate') || ''))) {
        auth = await this.authorize(res, 'REGISTER', uri);
        continue;
      }
      if (res.status < 200 || res.status >= 300) throw new Error(`REGISTER ${res.status} ${res.reason}`);
      if (!expires) return;
      // the expiry granted to our contact, or the Expires header
      const mine = headers(res, 'contact').flatMap((v) => v.split(/,(?=\s*<)/)).find((c) => c.includes(this.host));
      const granted = Number(param(mine, 'expires') ?? header(res, 'expires') ?? expires) || expires;
      this.retry = 0;
      this.set('registered');
      clearTimeout(this.regTimer);
      this.regTimer = setTimeout(() => this.register(this.expires).catch((e) => this.set('failed', e.code || 'refused')), Math.max(1, granted * 0.8) * 1000);
      return;
    }
    throw new Error('REGISTER refused: wrong credentials');
  }

  // A response to the request req (status, and headers of our own).
  reply(req, status, reason, extra = [], body = '') {
    const copy = req.headers.filter((h) => ['via', 'from', 'call-id', 'cseq', 'record-route'].includes(h.name) || h.name === 'to');
    const hdrs = copy.map((h) => {
      const n = { via: 'Via', from: 'From', to: 'To', 'call-id': 'Call-ID', cseq: 'CSeq', 'record-route': 'Record-Route' }[h.name];
      // RFC 3261 §8.2.6.2: our tag on the To of every answer but 100
      // (the call's own tag within the call)
      if (h.name === 'to' && status > 100 && !param(h.value, 'tag'))
        return `${n}: ${h.value};tag=${this.call?.callId === header(req, 'call-id') ? this.call.localTag : rand(10)}`;
      return `${n}: ${h.value}`;
    });
    this.send(build(`SIP/2.0 ${status} ${reason}`, [...hdrs, ...extra], body));
  }

  request(msg) {
    const c = this.call;
    const inDialog = c && header(msg, 'call-id') === c.callId;
    switch (msg.method) {
    case 'INVITE':
      if (inDialog && param(header(msg, 'to'), 'tag')) return this.reinvite(msg);
      if (inDialog) return; // the same INVITE again
      if (c) return this.reply(msg, 486, 'Busy Here');
      return this.invite(msg);
    case 'ACK':
      if (inDialog && c.waitAck) {
        c.waitAck = false;
        clearTimeout(c.ackTimer);
        if (c.offered && msg.body) this.pc.setRemoteDescription({ type: 'answer', sdp: msg.body }).catch((e) => this.bye('media_failed'));
        c.offered = false;
      }
      return;
    case 'CANCEL':
      if (!inDialog || c.state !== 'ringing') return this.reply(msg, 481, 'Call/Transaction Does Not Exist');
      this.reply(msg, 200, 'OK');
      this.reply(c.invite, 487, 'Request Terminated');
      return this.end('cancelled');
    case 'BYE':
      if (!inDialog) return this.reply(msg, 481, 'Call/Transaction Does Not Exist');
      this.reply(msg, 200, 'OK');
      return this.end('remote');
    case 'OPTIONS':
      return this.reply(msg, 200, 'OK', ['Allow: INVITE, ACK, CANCEL, BYE, OPTIONS', 'Accept: application/sdp']);
    case 'INFO': case 'NOTIFY':
      return this.reply(msg, inDialog ? 200 : 481, inDialog ? 'OK' : 'Call/Transaction Does Not Exist');
    default:
      return this.reply(msg, 405, 'Method Not Allowed', ['Allow: INVITE, ACK, CANCEL, BYE, OPTIONS']);
    }
  }

  // A new call: rings until answer() or decline().
  invite(msg) {
    if (msg.body && !/application\/sdp/i.test(header(msg, 'content-type') || ''))
      return this.reply(msg, 415, 'Unsupported Media Type', ['Accept: application/sdp']);
    const from = header(msg, 'from');
    this.call = {
      callId: header(msg, 'call-id'), invite: msg, localTag: rand(10), remoteTag: param(from, 'tag'),
      from, to: header(msg, 'to'), target: uriOf(header(msg, 'contact')) || uriOf(from),
      route: headers(msg, 'record-route').flatMap((v) => v.split(/,(?=\s*<)/)).map((v) => v.trim()),
      cseq: Math.floor(Math.random() * 10000), state: 'ringing', caller: caller(from),
    };
    this.reply(msg, 180, 'Ringing', [`Contact: ${this.contact}`]);
    this.emitCall();
  }

  emitCall(reason = '') {
    const c = this.call;
    this.dispatchEvent(new CustomEvent('call', { detail: { state: c.state, caller: c.caller, callId: c.callId, reason } }));
  }

  // The microphone (the chosen one) as a stream.
  micStream() {
    return navigator.mediaDevices.getUserMedia({ audio: this.mic ? { deviceId: { exact: this.mic } } : true, video: false });
  }

  // Our SDP once the candidates are gathered: hotline's SIP takes no
  // trickled candidates (RFC 8840 is not spoken), so they go in the SDP.
  async localSdp(pc) {
    if (pc.iceGatheringState !== 'complete') {
      await new Promise((resolve) => {
        const t = setTimeout(resolve, 3000);
        pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') { clearTimeout(t); resolve(); } });
      });
    }
    return pc.localDescription.sdp;
  }

  async answer() {
    const c = this.call;
    if (!c || c.state !== 'ringing') return;
    c.state = 'answering';
    this.emitCall();
    try {
      this.stream = await this.micStream();
    } catch (e) {
      if (this.call !== c) return;
      console.warn('phone: no microphone:', e.message);
      this.reply(c.invite, 480, 'Temporarily Unavailable');
      this.end('no_media');
      return;
    }
    if (this.call !== c) { this.stream.getTracks().forEach((t) => t.stop()); return; }
    try {
      const pc = new RTCPeerConnection({ iceServers: [], rtcpMuxPolicy: 'require' });
      this.pc = pc;
      this.remote = new MediaStream();
      pc.ontrack = (ev) => { this.remote.addTrack(ev.track); this.audio.srcObject = this.remote; this.audio.play().catch(() => {}); };
      pc.onconnectionstatechange = () => {
        // ICE or DTLS that fail end the call rather than leave it silent
        if (pc.connectionState === 'failed' && this.call === c) this.bye('media_failed');
      };
      const track = this.stream.getAudioTracks()[0];
      track.enabled = !this.muted;
      this.sender = pc.addTrack(track, this.stream);
      if (c.invite.body) {
        await pc.setRemoteDescription({ type: 'offer', sdp: c.invite.body });
        await pc.setLocalDescription(await pc.createAnswer());
      } else { // RFC 3261 §13.2.1: no offer in the INVITE: ours goes in the 200, the answer in the ACK
        await pc.setLocalDescription(await pc.createOffer());
        c.offered = true;
      }
      const sdp = await this.localSdp(pc);
      if (this.call !== c) return;
      if (this.speaker && this.audio.setSinkId) await this.audio.setSinkId(this.speaker).catch(() => {});
      c.state = 'talking';
      c.waitAck = true;
      // no ACK in 32 s (RFC 3261 §13.3.1.4): the call is not up
      c.ackTimer = setTimeout(() => { if (this.call === c && c.waitAck) this.bye('no_ack'); }, 32000);
      this.reply(c.invite, 200, 'OK', [`Contact: ${this.contact}`, 'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS'], sdp);
      this.emitCall();
    } catch (e) {
      if (this.call !== c) return;
      // an offer the browser cannot take (no DTLS-SRTP, no codec in common)
      console.warn('phone: cannot answer:', e.message);
      this.reply(c.invite, 488, 'Not Acceptable Here');
      this.end('media_failed');
    }
  }

  // A re-INVITE in the call (hold, resume, hotline moving the media):
  // answered from the same peer connection.
  async reinvite(msg) {
    const c = this.call;
    if (msg.cseq <= (c.remoteCseq || 0)) return;
    c.remoteCseq = msg.cseq;
    if (c.state !== 'talking' || !this.pc) return this.reply(msg, 491, 'Request Pending');
    const saved = c.invite;
    try {
      if (msg.body) {
        await this.pc.setRemoteDescription({ type: 'offer', sdp: msg.body });
        await this.pc.setLocalDescription(await this.pc.createAnswer());
      } else {
        await this.pc.setLocalDescription(await this.pc.createOffer());
        c.offered = true;
      }
      c.invite = msg;
      c.waitAck = true;
      this.reply(msg, 200, 'OK', [`Contact: ${this.contact}`], await this.localSdp(this.pc));
    } catch (e) {
      c.invite = saved;
      this.reply(msg, 488, 'Not Acceptable Here');
    }
  }

  decline() {
    const c = this.call;
    if (!c || c.state !== 'ringing') return;
    this.reply(c.invite, 486, 'Busy Here');
    this.end('declined');
  }

  // Hangs up: a ringing call is declined, an answered one gets BYE.
  hangup() {
    if (!this.call) return;
    if (this.call.state === 'ringing') this.decline();
    else this.bye('local');
  }

  // BYE within the dialog (RFC 3261 §15.1.1), the call ended at once.
  bye(reason) {
    const c = this.call;
    if (!c) return;
    const route = c.route.slice().map((r) => `Route: ${r}`); // as a UAS: the Record-Route's order
    this.transact(`BYE ${c.target} SIP/2.0`, [`From: ${c.to.replace(/;\s*tag=[^;]*/i, '')};tag=${c.localTag}`, `To: ${c.from}`,
      `Call-ID: ${c.callId}`, `CSeq: ${++c.cseq} BYE`, ...route, 'User-Agent: Hotline desktop phone']);
    this.end(reason);
  }

  end(reason) {
    const c = this.call;
    if (!c) return;
    clearTimeout(c.ackTimer);
    c.state = 'ended';
    this.call = null;
    this.pc?.close();
    this.pc = null;
    this.sender = null;
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    this.audio.srcObject = null;
    this.dispatchEvent(new CustomEvent('call', { detail: { state: 'ended', caller: c.caller, callId: c.callId, reason } }));
  }

  // Mute: the track sends silence; the call goes on.
  setMuted(on) {
    this.muted = on;
    const track = this.sender?.track;
    if (track) track.enabled = !on;
  }

  // DTMF as RFC 4733 events on the audio's RTP (hotline's IVR and feature
  // codes read them). False when the call has no DTMF sender.
  dtmf(tones) {
    const d = this.sender?.dtmf;
    if (!d || !d.canInsertDTMF) return false;
    d.insertDTMF(tones, 120, 70);
    return true;
  }

  // The microphone: taken at once in a call (the track replaced).
  async setMic(deviceId) {
    this.mic = deviceId || undefined;
    if (!this.sender) return;
    const s = await this.micStream();
    const track = s.getAudioTracks()[0];
    track.enabled = !this.muted;
    await this.sender.replaceTrack(track);
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = s;
  }

  // The speaker (HTMLMediaElement.setSinkId; where the browser has it).
  async setSpeaker(deviceId) {
    this.speaker = deviceId || undefined;
    if (this.audio.setSinkId) await this.audio.setSinkId(this.speaker || '');
  }
}
