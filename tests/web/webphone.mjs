// webphone.mjs — the agent desktop's browser phone (web/phone.js) in
// Chromium against a SIP peer the test plays itself: the page's WebSocket
// to /sip is routed to this script (playwright's routeWebSocket), which
// answers as hotline's registrar would (a digest challenge checked with
// the agent's HA1) and calls the phone with the SDP of a second Chromium,
// "the caller", whose microphone is a 500 Hz oscillator; the agent's
// microphone is a 1200 Hz WAV (AGENT_WAV, fake capture). Checks:
//   - the phone turned on in the desktop registers with digest MD5 (qop
//     auth), the desktop shows it ready; re-registers before expiry;
//   - an INVITE with an offer rings in the page with the caller's name;
//     answered: 200 with Chromium's answer (ICE candidates, DTLS, rtcp-mux);
//     audio both ways, checked by Goertzel on each side's received track;
//   - mute silences the agent's side, unmute brings it back; DTMF tones go
//     to the RFC 4733 sender; the audio devices are listed;
//   - hang up in the page: a BYE in the dialog (tags, Route from the
//     Record-Route, CSeq); the phone is ready again;
//   - CANCEL while ringing: 200 and 487, the ring gone;
//   - an INVITE without SDP: the phone's offer in its 200, the answer in
//     the ACK, audio; a second INVITE meanwhile gets 486; the far end's BYE
//     ends the call;
//   - a reload of the desktop turns the phone on again; turning it off
//     unregisters (Expires 0);
//   - malformed SIP is dropped, not half-read;
//   - the panel in Chinese.
// Screenshots in SHOT_DIR. Prints "ok - ..." / "not ok - ..." lines.
import { createHash, randomBytes } from 'node:crypto';
import { URL, SHOTS, status, check, launch, openPage, signIn, waitText } from './lib.mjs';

const EXT = '1001', PASSWORD = process.env.AGENT_SIP_PASSWORD || 'alice-1001';
const AGENT_HZ = 1200, CALLER_HZ = 500;
const md5 = (s) => createHash('md5').update(s).digest('hex');
const rnd = () => randomBytes(6).toString('hex');
const MEDIA = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns', '--autoplay-policy=no-user-gesture-required'];
const agentBrowser = await launch([...MEDIA, `--use-file-for-fake-audio-capture=${process.env.AGENT_WAV}`]);
const callerBrowser = await launch(MEDIA);
const errors = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- the SIP side (hotline's part, played here) ---------------------------

function parse(text) {
  const [head, ...rest] = text.split('\r\n\r\n');
  const lines = head.split('\r\n');
  const first = lines.shift();
  const h = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    const k = l.slice(0, i).trim().toLowerCase();
    (h[k] ||= []).push(l.slice(i + 1).trim());
  }
  return { first, h, get: (k) => h[k]?.[0], body: rest.join('\r\n\r\n') };
}

let sock = null;         // the page's SIP WebSocket, as routed
const received = [];     // every message from the phone
let waiters = [];
const registrations = []; // {expires, authorized}
let realm = 'hotline';

function fromPhone(text) {
  const m = parse(text);
  received.push(m);
  if (m.first.startsWith('REGISTER ')) return register(m);
  for (const w of waiters.slice()) if (w.match(m)) { waiters = waiters.filter((x) => x !== w); w.resolve(m); }
}

// Until the phone sends a message that match() takes (timeout ms).
function expect(match, what, timeout = 15000) {
  const done = received.find((m) => !m.taken && match(m));
  if (done) { done.taken = true; return Promise.resolve(done); }
  return new Promise((resolve, reject) => {
    const w = { match, resolve: (m) => { m.taken = true; clearTimeout(t); resolve(m); } };
    const t = setTimeout(() => { waiters = waiters.filter((x) => x !== w); reject(new Error(`no ${what}`)); }, timeout);
    waiters.push(w);
  });
}

const answer = (req, code, reason, extra = []) => [`SIP/2.0 ${code} ${reason}`, ...req.h.via.map((v) => `Via: ${v}`),
  `From: ${req.get('from')}`, `To: ${req.get('to')}${/;tag=/.test(req.get('to')) ? '' : ';tag=' + rnd()}`, `Call-ID: ${req.get('call-id')}`,
  `CSeq: ${req.get('cseq')}`, ...extra, 'Content-Length: 0', '', ''].join('\r\n');

// RFC 3261 §22 / RFC 7616: challenge, then check the response with the
// agent's HA1 as hotline's registrar does.
const nonces = new Set();
function register(m) {
  const auth = m.get('authorization');
  const expires = Number(/expires=(\d+)/.exec(m.get('contact'))?.[1] ?? m.get('expires'));
  if (!auth) {
    const nonce = rnd() + rnd();
    nonces.add(nonce);
    sock.send(answer(m, 401, 'Unauthorized', [`WWW-Authenticate: Digest realm="${realm}", nonce="${nonce}", qop="auth", algorithm=MD5`]));
    return;
  }
  const p = Object.fromEntries([...auth.slice(7).matchAll(/(\w+)=("([^"]*)"|[^,\s]+)/g)].map((x) => [x[1], x[3] ?? x[2]]));
  const ha1 = md5(`${EXT}:${realm}:${PASSWORD}`);
  const want = md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${md5(`REGISTER:${p.uri}`)}`);
  const good = p.username === EXT && p.realm === realm && nonces.has(p.nonce) && p.qop === 'auth' && p.response === want;
  registrations.push({ expires, authorized: good, contact: m.get('contact') });
  if (!good) { sock.send(answer(m, 403, 'Forbidden')); return; }
  sock.send(answer(m, 200, 'OK', expires ? [`Contact: ${m.get('contact').replace(/;expires=\d+/, '')};expires=${Math.min(expires, 4)}`] : []));
}

// An INVITE to the phone's contact: a dialog of our own.
function invite(sdp, { name = '张伟', user = '4155550123' } = {}) {
  const d = { callId: `${rnd()}@hotline`, tag: rnd(), cseq: 1, branch: `z9hG4bK${rnd()}` };
  const contact = uriOf(registrations.at(-1).contact);
  d.req = [`INVITE ${contact} SIP/2.0`, `Via: SIP/2.0/WS hotline.invalid;branch=${d.branch}`, 'Max-Forwards: 70',
    `From: "${name}" <sip:${user}@hotline>;tag=${d.tag}`, `To: <sip:${EXT}@hotline>`, `Call-ID: ${d.callId}`, 'CSeq: 1 INVITE',
    'Contact: <sip:hotline@hotline.invalid;transport=ws>', 'Record-Route: <sip:rr.hotline.invalid;transport=ws;lr>',
    ...(sdp ? ['Content-Type: application/sdp'] : []), `Content-Length: ${Buffer.byteLength(sdp || '')}`, '', sdp || ''].join('\r\n');
  sock.send(d.req);
  return d;
}
const uriOf = (v) => /<([^>]*)>/.exec(v)?.[1] || v;
const reply = (d, m) => (x) => x.first.startsWith('SIP/2.0 ') && x.get('call-id') === d.callId && new RegExp(`^\\d+ ${m}$`).test(x.get('cseq'));
const request = (d, method) => (x) => x.first.startsWith(`${method} `) && x.get('call-id') === d.callId;
function ack(d, toTag, sdp = '') {
  sock.send([`ACK ${d.target} SIP/2.0`, `Via: SIP/2.0/WS hotline.invalid;branch=z9hG4bK${rnd()}`, 'Max-Forwards: 70',
    `From: <sip:4155550123@hotline>;tag=${d.tag}`, `To: <sip:${EXT}@hotline>;tag=${toTag}`, `Call-ID: ${d.callId}`, 'CSeq: 1 ACK',
    ...(sdp ? ['Content-Type: application/sdp'] : []), `Content-Length: ${Buffer.byteLength(sdp)}`, '', sdp].join('\r\n'));
}
function inDialog(d, method, toTag) {
  const branch = `z9hG4bK${rnd()}`;
  sock.send([`${method} ${d.target} SIP/2.0`, `Via: SIP/2.0/WS hotline.invalid;branch=${branch}`, 'Max-Forwards: 70',
    `From: <sip:4155550123@hotline>;tag=${d.tag}`, `To: <sip:${EXT}@hotline>;tag=${toTag}`, `Call-ID: ${d.callId}`,
    `CSeq: ${++d.cseq} ${method}`, 'Content-Length: 0', '', ''].join('\r\n'));
}

// --- the pages' audio ----------------------------------------------------------

// In a page: window.levels(stream) — the amplitude of each frequency asked
// (Goertzel over 8192 samples of the stream) and the whole signal's RMS.
const LEVELS = () => {
  window.levels = async (stream, freqs) => {
    const ac = window.__ac || (window.__ac = new AudioContext());
    await ac.resume();
    const src = ac.createMediaStreamSource(stream);
    const an = ac.createAnalyser();
    an.fftSize = 8192;
    src.connect(an);
    await new Promise((r) => setTimeout(r, 400));
    const x = new Float32Array(an.fftSize);
    an.getFloatTimeDomainData(x);
    src.disconnect();
    const amp = (f) => {
      const w = 2 * Math.PI * f / ac.sampleRate, c = 2 * Math.cos(w);
      let s1 = 0, s2 = 0;
      for (const v of x) { const s = v + c * s1 - s2; s2 = s1; s1 = s; }
      return 2 * Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - c * s1 * s2)) / x.length;
    };
    return { rms: Math.sqrt(x.reduce((a, v) => a + v * v, 0) / x.length), ...Object.fromEntries(freqs.map((f) => [f, amp(f)])) };
  };
};

// The tone hz is heard (over the other) within ms, in the stream that
// expr (in the page) gives.
async function hears(page, expr, hz, other, ms = 10000) {
  const end = Date.now() + ms;
  let l;
  while (Date.now() < end) {
    // the far end's track may not be there yet
    l = await page.evaluate(([e, f]) => window.levels(eval(e), f), [expr, [hz, other]]).catch((err) => ({ err: err.message }));
    if (l[hz] > 0.005 && l[hz] > 4 * l[other]) return l;
    await sleep(300);
  }
  throw new Error(`${hz} Hz not heard: ${JSON.stringify(l)}`);
}
async function silent(page, expr, hz, ms = 6000) {
  const end = Date.now() + ms;
  let l;
  while (Date.now() < end) {
    l = await page.evaluate(([e, f]) => window.levels(eval(e), f), [expr, [hz]]);
    if (l[hz] < 0.002) return l;
    await sleep(300);
  }
  throw new Error(`${hz} Hz still heard: ${JSON.stringify(l)}`);
}

// The caller's side: a page with a peer connection whose microphone is
// an oscillator at CALLER_HZ.
async function callerPage() {
  const ctx = await callerBrowser.newContext();
  const p = await ctx.newPage();
  p.on('pageerror', (e) => errors.push(`caller: ${e.message}`));
  await p.goto(`${URL}/`);
  await p.evaluate(LEVELS);
  await p.evaluate((hz) => {
    const ac = new AudioContext();
    window.__ac = ac;
    const osc = ac.createOscillator();
    osc.frequency.value = hz;
    const dst = ac.createMediaStreamDestination();
    const gain = ac.createGain();
    gain.gain.value = 0.5;
    osc.connect(gain).connect(dst);
    osc.start();
    window.mic = dst.stream;
    window.newPc = async () => {
      if (window.pc) window.pc.close();
      const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
      window.pc = pc;
      window.remote = new MediaStream();
      window.player = new Audio();
      pc.ontrack = (e) => { window.remote.addTrack(e.track); window.player.srcObject = window.remote; window.player.play().catch(() => {}); };
      pc.addTrack(dst.stream.getAudioTracks()[0], dst.stream);
      return pc;
    };
    const gathered = (pc) => new Promise((r) => {
      if (pc.iceGatheringState === 'complete') return r();
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r());
      setTimeout(r, 3000);
    });
    window.offer = async () => {
      const pc = await window.newPc();
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      return pc.localDescription.sdp;
    };
    window.answerTo = async (sdp) => {
      const pc = await window.newPc();
      await pc.setRemoteDescription({ type: 'offer', sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered(pc);
      return pc.localDescription.sdp;
    };
  }, CALLER_HZ);
  return p;
}

// --- the test --------------------------------------------------------------------

try {
  const agentCtx = await agentBrowser.newContext({ viewport: { width: 1366, height: 1000 }, locale: 'en-US' });
  await agentCtx.routeWebSocket(/\/sip$/, (ws) => {
    sock = ws;
    ws.onMessage((m) => fromPhone(String(m)));
  });
  const agent = await agentCtx.newPage();
  agent.on('pageerror', (e) => errors.push(e.message));
  const caller = await callerPage();

  await check('agent alice signs in; the desktop has the browser phone, off', async () => {
    await signIn(agent, '/agent', 'alice', 'alice-secret');
    await waitText(agent, '#phone-state', /^off$/);
  });
  await check('the phone\'s credentials are the agent\'s own: another agent\'s are refused (403)', async () => {
    const codes = await agent.evaluate(async () => [(await fetch('/api/v1/agents/1001/phone')).status, (await fetch('/api/v1/agents/1002/phone')).status]);
    if (codes.join() !== '200,403') throw new Error(codes.join());
  });
  await agent.click('#phone-on');
  await check('turned on, the phone registers with digest MD5 and the desktop shows it ready', async () => {
    await waitText(agent, '#phone-state', /ready/);
    const r = registrations.find((x) => x.authorized);
    if (!r || !/transport=ws/.test(r.contact) || !/\.invalid/.test(r.contact)) throw new Error(JSON.stringify(registrations));
  });
  await check('it registers again before the binding (4 s) expires', async () => {
    const n = registrations.length;
    await sleep(4500);
    if (registrations.filter((x) => x.authorized).length < 2 || registrations.length === n) throw new Error(JSON.stringify(registrations));
  });
  await agent.evaluate(LEVELS);

  // call 1: an offer from the caller's browser, answered in the page
  let d = invite(await caller.evaluate(() => window.offer()));
  await check('an INVITE rings in the page with the caller\'s name; 180 with the phone\'s tag', async () => {
    const r = await expect(reply(d, 'INVITE'), '180');
    if (!/^SIP\/2\.0 180/.test(r.first) || !/;tag=/.test(r.get('to'))) throw new Error(r.first);
    await waitText(agent, '#phone-caller', /张伟/);
  });
  await agent.screenshot({ path: `${SHOTS}/webphone-ringing.png` });
  await agent.click('#phone-answer');
  let ok200;
  await check('answered: 200 with Chromium\'s SDP (candidates, DTLS fingerprint, rtcp-mux) and a Contact', async () => {
    ok200 = await expect(reply(d, 'INVITE'), '200', 15000);
    while (!/^SIP\/2\.0 200/.test(ok200.first)) ok200 = await expect(reply(d, 'INVITE'), '200', 15000);
    if (!/a=candidate:.* 127\.0\.0\.1 /.test(ok200.body) || !/a=fingerprint:sha-256/.test(ok200.body) || !/a=rtcp-mux/.test(ok200.body)) throw new Error(ok200.body.slice(0, 200));
    if (!/^<sip:1001@[^>]*transport=ws>/.test(ok200.get('contact'))) throw new Error(ok200.get('contact'));
  });
  d.target = uriOf(ok200.get('contact'));
  let toTag = /;tag=([^;]+)/.exec(ok200.get('to'))[1];
  ack(d, toTag);
  await caller.evaluate((sdp) => window.pc.setRemoteDescription({ type: 'answer', sdp }), ok200.body);
  await check('the page hears the caller (500 Hz on the phone\'s received track)', () => hears(agent, 'window.hotlinePhone.remote', CALLER_HZ, AGENT_HZ));
  await check('the caller hears the agent\'s microphone (the 1200 Hz WAV)', () => hears(caller, 'window.remote', AGENT_HZ, CALLER_HZ));
  await agent.screenshot({ path: `${SHOTS}/webphone-talking.png` });
  await agent.click('#phone-mute');
  await check('mute: the caller hears the agent no more, the button says unmute', async () => {
    await silent(caller, 'window.remote', AGENT_HZ);
    await waitText(agent, '#phone-mute', /Unmute/);
  });
  await agent.click('#phone-mute');
  await check('unmute: the agent is heard again', () => hears(caller, 'window.remote', AGENT_HZ, CALLER_HZ));
  await check('DTMF from the keypad goes to the RFC 4733 sender (telephone-event in the answer)', async () => {
    if (!/telephone-event\/8000/.test(ok200.body)) throw new Error('no telephone-event');
    await agent.evaluate(() => {
      window.tones = '';
      window.hotlinePhone.sender.dtmf.addEventListener('tonechange', (e) => { window.tones += e.tone; });
    });
    await agent.fill('#phone-digits', '12#');
    await agent.click('#phone-dtmf');
    await agent.waitForFunction(() => window.tones === '12#', null, { timeout: 5000 });
  });
  await check('the audio devices are listed, the fake microphone among them', async () => {
    await agent.click('#phone-devices summary');
    await agent.waitForFunction(() => document.querySelectorAll('#phone-mic option').length >= 2, null, { timeout: 5000 });
  });
  await agent.click('#phone-hangup');
  await check('hang up in the page: a BYE in the dialog (tags, Route, Request-URI, CSeq)', async () => {
    const bye = await expect(request(d, 'BYE'), 'BYE');
    sock.send(answer(bye, 200, 'OK'));
    const okTags = bye.get('from').includes(`tag=${toTag}`) && bye.get('to').includes(`tag=${d.tag}`);
    if (!okTags || bye.get('route') !== '<sip:rr.hotline.invalid;transport=ws;lr>' || !bye.first.startsWith('BYE sip:hotline@hotline.invalid')) throw new Error(`${bye.first} ${bye.get('from')} ${bye.get('to')} ${bye.get('route')}`);
    if (!/^\d+ BYE$/.test(bye.get('cseq'))) throw new Error(bye.get('cseq'));
    await waitText(agent, '#phone-state', /ready/);
    if (!(await agent.isHidden('#phone-call'))) throw new Error('call panel still shown');
  });

  // call 2: the caller gives up while it rings
  d = invite(await caller.evaluate(() => window.offer()));
  await expect(reply(d, 'INVITE'), '180');
  await waitText(agent, '#phone-caller', /张伟/);
  sock.send(d.req.replace(/^INVITE /, 'CANCEL ').replace('CSeq: 1 INVITE', 'CSeq: 1 CANCEL').replace(/Content-Type[^\r]*\r\n/, '').replace(/Content-Length: \d+\r\n\r\n[^]*$/, 'Content-Length: 0\r\n\r\n'));
  await check('CANCEL while ringing: 200 for it, 487 for the INVITE, the ring gone', async () => {
    await expect((x) => reply(d, 'CANCEL')(x) && /^SIP\/2\.0 200/.test(x.first), '200 to CANCEL');
    await expect((x) => reply(d, 'INVITE')(x) && /^SIP\/2\.0 487/.test(x.first), '487');
    await agent.waitForSelector('#phone-ring', { state: 'hidden', timeout: 5000 });
  });

  // call 3: no SDP in the INVITE: the phone offers, the caller answers in the ACK
  d = invite('');
  await waitText(agent, '#phone-caller', /张伟/);
  await agent.click('#phone-answer');
  await check('an INVITE without SDP: the phone\'s offer in its 200, the answer in the ACK; audio both ways', async () => {
    let r;
    do r = await expect(reply(d, 'INVITE'), '200'); while (!/^SIP\/2\.0 200/.test(r.first));
    if (!/^v=0/.test(r.body) || !/a=setup:actpass/.test(r.body)) throw new Error(r.body.slice(0, 120));
    d.target = uriOf(r.get('contact'));
    toTag = /;tag=([^;]+)/.exec(r.get('to'))[1];
    ack(d, toTag, await caller.evaluate((sdp) => window.answerTo(sdp), r.body));
    await hears(agent, 'window.hotlinePhone.remote', CALLER_HZ, AGENT_HZ);
    await hears(caller, 'window.remote', AGENT_HZ, CALLER_HZ);
  });
  const d2 = invite(await caller.evaluate(() => window.pc.localDescription.sdp));
  await check('a second INVITE during the call: 486 Busy Here', () => expect((x) => reply(d2, 'INVITE')(x) && /^SIP\/2\.0 486/.test(x.first), '486'));
  sock.send('INVITE sip:1001@x SIP/2.0\r\nVia: SIP/2.0/WS h;branch=z9hG4bKbad\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:1001@h>\r\nCall-ID: bad\r\nCSeq: 1 INVITE\r\nContent-Length: 99\r\n\r\nv=0\r\n');
  await check('a message whose Content-Length is not its body is dropped unanswered', async () => {
    await sleep(500);
    if (received.some((x) => x.get('call-id') === 'bad')) throw new Error('answered');
  });
  inDialog(d, 'BYE', toTag);
  await check('the far end\'s BYE: 200, the call over in the page', async () => {
    await expect((x) => reply(d, 'BYE')(x) && /^SIP\/2\.0 200/.test(x.first), '200 to BYE');
    await agent.waitForSelector('#phone-call', { state: 'hidden', timeout: 5000 });
    await waitText(agent, '#phone-state', /ready/);
  });

  await check('a reload of the desktop turns the phone on again (the agent\'s setting in this browser)', async () => {
    const n = registrations.filter((x) => x.authorized && x.expires > 0).length;
    await agent.reload();
    await agent.waitForSelector('#app', { state: 'visible' });
    await waitText(agent, '#phone-state', /ready/);
    if (!(await agent.isChecked('#phone-on')) || registrations.filter((x) => x.authorized && x.expires > 0).length <= n) throw new Error('not registered again');
  });
  const unreg = () => registrations.filter((x) => x.authorized && x.expires === 0).length;
  const before = unreg();
  await agent.click('#phone-on');
  await check('turned off: the phone unregisters (expires 0)', async () => {
    await waitText(agent, '#phone-state', /^off$/);
    for (let i = 0; i < 30 && unreg() === before; i++) await sleep(100);
    if (unreg() === before) throw new Error(JSON.stringify(registrations.slice(-2)));
  });

  await check('the phone panel in Chinese', async () => {
    const zh = await openPage(agentBrowser, { width: 1366, height: 900 }, errors, 'zh-CN');
    await signIn(zh, '/agent', 'alice', 'alice-secret');
    await waitText(zh, '#phone-state', /已关闭/);
    const words = (await zh.locator('#phone').innerText()).replace(/\s+/g, ' ');
    if (!/浏览器电话/.test(words) || !/已关闭/.test(words)) throw new Error(words);
    await zh.locator('#phone').screenshot({ path: `${SHOTS}/webphone-zh.png` });
  });
  await check('no script error on any page', () => { if (errors.length) throw new Error(errors.join('; ')); });
} catch (e) {
  console.log(`not ok - the browser phone test ran to its end: ${e.message.split('\n')[0]}`);
  process.exitCode = 1;
} finally {
  await agentBrowser.close();
  await callerBrowser.close();
}
process.exit(process.exitCode || status());
