// chat.mjs — the web chat in Chromium: a visitor on a shop's page served
// from another origin (SITE_URL, a python http.server) chats through the
// widget hotline serves (/chat/widget.js) with agent alice, signed in to
// /agent in another browser context while she is on a SIPp call
// (CALL_CMD); supervisor cathy watches on the wallboard. Checks:
//   - the widget from hotline's origin on the shop's page, in a shadow
//     root the page's styles do not reach; pre-chat form, the place in
//     the queue, the offer on the desktop (with its countdown), accepted;
//   - messages both ways with times, typing both ways, read marks both
//     ways, a canned reply by its shortcut, an internal note the visitor
//     never gets, an image both sides see as a thumbnail;
//   - <img src=x onerror=...> sent as text runs nothing, on either side;
//   - a reload of the visitor's page and a dropped connection resume the
//     chat with nothing lost or shown twice; a reload of the desktop
//     brings its chats back;
//   - two chats at once beside the call (screenshot), the customer made
//     from the chat in one step, the end with a wrap-up and a ticket;
//   - the rating and the transcript; the offline form of a closed entry;
//   - an offer not taken leaves the desktop when its time is up;
//   - the wallboard's chats and one opened read-only, live;
//   - the chat and its transcript in the customer's timeline;
//   - the widget in Chinese for a Chinese page: no English left.
// Screenshots land in SHOT_DIR. Prints "ok - ..." / "not ok - ..." lines.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { URL, SHOTS, status, check, launch, openPage, signIn, waitText } from './lib.mjs';

const SITE = process.env.SITE_URL;
const PNG = readFileSync(process.env.PNG_FILE);
const XSS = '<img src=x onerror="window.__xss=1">';
const browser = await launch();
const errors = [];
const TOKEN = 'test-token';
const apiGet = async (path) => (await fetch(URL + path, { headers: { Authorization: `Bearer ${TOKEN}` } })).json();

// The visitors' sockets go through the test (as they are, both ways), so
// that it can see the hellos and drop a connection as a network would.
const hellos = []; // {token, last_seq} of every hello
const sockets = []; // the page's side of every visitor socket
let echoDelay = 0; // ms the visitor's own messages are held back
async function visitorRoutes(ctx) {
  await ctx.routeWebSocket(/\/chat\/v1\/ws$/, (ws) => {
    const server = ws.connectToServer();
    sockets.push(ws);
    ws.onMessage((m) => {
      try { const f = JSON.parse(m); if (f.type === 'hello') hellos.push(f); } catch { /* not ours to judge */ }
      server.send(m);
    });
    server.onMessage((m) => {
      // the visitor's own message comes back once stored: held back here
      // when a check wants it to come after an agent's sent meanwhile
      if (echoDelay && /"cid"/.test(m)) setTimeout(() => ws.send(m), echoDelay);
      else ws.send(m);
    });
    ws.onClose((code, reason) => server.close({ code, reason }));
    server.onClose((code, reason) => ws.close({ code, reason }));
  });
}

// the widget's elements are in its shadow root: playwright's CSS
// selectors pierce open shadow roots
const W = (sel) => `#hotline-chat >> ${sel}`;
const wText = (page, sel, re, timeout = 15000) => page.waitForFunction(([s, r]) => {
  const root = document.querySelector('#hotline-chat')?.shadowRoot;
  return new RegExp(r).test(root?.querySelector(s)?.textContent || '');
}, [sel, re.source], { timeout });
const wCount = (page, sel) => page.evaluate((s) => document.querySelector('#hotline-chat')?.shadowRoot?.querySelectorAll(s).length || 0, sel);
const seqs = (page) => page.evaluate(() => [...document.querySelector('#hotline-chat').shadowRoot.querySelectorAll('.msg[data-seq]')].map((e) => Number(e.dataset.seq)));

async function visitorPage(locale = 'en-US', path = '/shop.html') {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 760 }, locale, acceptDownloads: true });
  await visitorRoutes(ctx);
  const p = await ctx.newPage();
  p.on('pageerror', (e) => errors.push(`visitor: ${e.message}`));
  await p.goto(SITE + path);
  return p;
}

try {
  const agent = await openPage(browser, { width: 1366, height: 1000 }, errors);
  const board = await openPage(browser, { width: 1366, height: 900 }, errors);

  await check('agent alice signs in to the desktop, the chats panel beside the phone', async () => {
    await signIn(agent, '/agent', 'alice', 'alice-secret');
    await waitText(agent, '#chat-none', /No chats/);
  });
  await check('supervisor cathy (the chat queues) signs in to the wallboard', () => signIn(board, '/wallboard', 'cathy', 'cathy-secret'));
  await agent.click('#go-available');
  await check('alice is available', () => waitText(agent, '#state', /available/));

  // alice takes a call first: the chats come while she is on it
  spawn('bash', ['-c', process.env.CALL_CMD], { stdio: 'ignore' });
  await check('the SIPp call is on the desktop', () => agent.waitForSelector('#call', { state: 'visible', timeout: 30000 }));

  const visitor = await visitorPage();
  await check('the shop\'s page (another origin) shows the widget\'s button, from hotline', async () => {
    await visitor.waitForSelector(W('.launch'), { timeout: 10000 });
    const src = await visitor.evaluate(() => document.querySelector('script[data-entry]').src);
    if (!src.startsWith(URL) || new globalThis.URL(SITE).origin === new globalThis.URL(URL).origin) throw new Error(`script ${src} page ${SITE}`);
    await wText(visitor, '.launch', /Chat with us/);
  });
  await check('the page\'s own styles do not reach into the widget (shadow root)', async () => {
    const color = await visitor.evaluate(() => getComputedStyle(document.querySelector('#hotline-chat').shadowRoot.querySelector('.launch')).backgroundColor);
    if (color !== 'rgb(31, 111, 235)') throw new Error(`button ${color}`);
  });
  await visitor.click(W('.launch'));
  await check('the pre-chat form: name, e-mail or phone (optional), the topics', async () => {
    await visitor.waitForSelector(W('form.prechat'));
    const topics = await visitor.locator(W('#hc-topic option')).allTextContents();
    if (topics.join() !== 'Sales,售后') throw new Error(topics.join());
  });
  await visitor.fill(W('#hc-name'), 'Zoë 张');
  await visitor.fill(W('#hc-email'), 'zoe@example.com');
  await visitor.fill(W('#hc-phone'), '+1 415 555 0199');
  await visitor.selectOption(W('#hc-topic'), '1');
  await visitor.click(W('form.prechat button[type=submit]'));
  await check('the visitor waits for an agent', () => wText(visitor, '.status', /in line|Waiting|chatting/));

  await check('the desktop shows the chat offered with the visitor\'s name and the time left', async () => {
    await agent.waitForSelector('.chat-offer', { timeout: 10000 });
    await waitText(agent, '.chat-offer', /Zoë 张.*chat-support.*\d+ s to accept/);
  });
  const chat1 = await agent.getAttribute('.chat-offer', 'data-chat');
  await check('... the chat is hers: her phone number found her', async () => {
    const ia = await apiGet(`/api/v1/interactions/${chat1}`);
    if (ia.customer !== process.env.CUSTOMER) throw new Error(`customer ${ia.customer}`);
  });
  await agent.screenshot({ path: `${SHOTS}/chat-offer.png` });
  await agent.click('.chat-accept');
  await check('alice accepts: the visitor is chatting with alice', () => wText(visitor, '.status', /chatting with [Aa]lice/));
  await check('... and the desktop shows the chat, its visitor and her customer record', async () => {
    await agent.waitForSelector('#chat-view', { state: 'visible' });
    try {
      await waitText(agent, '#chat-visitor', /^Zoë 张$/);
      await waitText(agent, '#chat-contact', /zoe@example.com|415 555 0199/);
      await waitText(agent, '#chat-customer', /Customer: Zoë 张|Customer:/);
      await waitText(agent, '#cust-name', /^Zoë 张$/);
    } catch (e) {
      // say what the desktop showed instead
      const shown = await agent.evaluate(() => ['#chat-visitor', '#chat-contact', '#chat-customer', '#cust-name']
        .map((s) => `${s}=${JSON.stringify(document.querySelector(s)?.textContent ?? null)}`).join(' '));
      throw new Error(`${e.message.split('\n')[0]}: ${shown}`);
    }
  });

  await visitor.click(W('textarea.text'));
  await visitor.keyboard.type('Hello, 我的订单');
  await check('the visitor types: the desktop says so', () => waitText(agent, '#chat-typing', /visitor is typing/));
  await visitor.keyboard.press('Enter');
  await check('the visitor\'s message reaches the desktop with its time', () => waitText(agent, '#chat-log .chat-msg.visitor', /Hello, 我的订单[\s\S]*Zoë 张 · \d/));
  await check('... shown once to the visitor, with its time, and read by alice (read mark)', async () => {
    await wText(visitor, '.msg.visitor[data-seq] .meta', /\d.*read/);
    if ((await wCount(visitor, '.msg.visitor')) !== 1) throw new Error(`${await wCount(visitor, '.msg.visitor')} bubbles`);
  });

  await agent.click('#chat-text');
  await agent.keyboard.type('/hi ');
  await check('"/hi" and a space on the desktop becomes the canned reply', async () => {
    const v = await agent.inputValue('#chat-text');
    if (v !== '您好，请问有什么可以帮您？ ') throw new Error(`"${v}"`);
  });
  await check('alice types: the widget says so', () => wText(visitor, '.typing', /agent is typing/));
  await agent.keyboard.press('Enter');
  await check('the canned reply reaches the visitor from alice', () => wText(visitor, '.msg.agent', /您好，请问有什么可以帮您？[\s\S]*[Aa]lice/));
  await check('the visitor has read it: the desktop shows the read mark', () => waitText(agent, '#chat-log .chat-msg.agent', /read/));
  await agent.fill('#chat-text', 'VIP? check the order first');
  await agent.check('#chat-internal');
  await agent.click('#chat-send');
  await check('an internal note shows on the desktop as one', () => waitText(agent, '#chat-log .chat-msg.internal', /check the order first[\s\S]*internal note/));

  // text that looks like HTML is text, on both sides; the visitor's comes
  // back after alice's (out of seq order), as a slow commit makes it
  echoDelay = 1500;
  await visitor.fill(W('textarea.text'), XSS);
  await visitor.press(W('textarea.text'), 'Enter');
  await agent.fill('#chat-text', XSS);
  await agent.press('#chat-text', 'Enter');
  await check('<img src=x onerror=...> sent both ways is shown as text and runs nothing', async () => {
    await waitText(agent, '#chat-log', /<img src=x onerror=/);
    await wText(visitor, '.msg.agent:last-of-type .bubble', /<img src=x onerror=/);
    await agent.waitForTimeout(500);
    const ran = [await agent.evaluate(() => window.__xss), await visitor.evaluate(() => window.__xss)];
    const imgs = [await agent.locator('#chat-log .chat-bubble > img').count(), await wCount(visitor, '.bubble > img')];
    if (ran.some(Boolean) || imgs.some(Boolean)) throw new Error(`ran ${ran} imgs ${imgs}`);
  });
  await check('... the visitor\'s own, come back after alice\'s, stands in seq order', async () => {
    await visitor.waitForFunction(() => !document.querySelector('#hotline-chat').shadowRoot.querySelector('.msg.pending'), null, { timeout: 10000 });
    const s = await seqs(visitor);
    if (s.join() !== [...s].sort((a, b) => a - b).join()) throw new Error(`seqs ${s}`);
  });
  echoDelay = 0;
  await check('the visitor never got the internal note', async () => {
    await visitor.waitForTimeout(300);
    const s = await visitor.evaluate(() => document.querySelector('#hotline-chat').shadowRoot.querySelector('.log').textContent);
    if (s.includes('check the order first')) throw new Error('note shown to the visitor');
  });

  // an image: a thumbnail on both sides, fetched with the token
  await visitor.setInputFiles(W('input[type=file]'), { name: '发票.png', mimeType: 'image/png', buffer: PNG });
  await check('the visitor\'s image shows as a thumbnail in the widget (a blob URL)', () => visitor.waitForFunction(() =>
    document.querySelector('#hotline-chat').shadowRoot.querySelector('img.thumb')?.src.startsWith('blob:'), null, { timeout: 10000 }));
  await check('... and on the desktop, loaded', () => agent.waitForFunction(() => {
    const img = document.querySelector('#chat-log img.chat-thumb');
    return img && img.complete && img.naturalWidth > 0;
  }, null, { timeout: 10000 }));

  // a second visitor while alice is on the call and has the first chat
  const visitor2 = await visitorPage();
  await visitor2.click(W('.launch'));
  await visitor2.waitForSelector(W('form.prechat'));
  await visitor2.fill(W('#hc-name'), 'Wang Fang');
  await visitor2.fill(W('#hc-phone'), '+86 138 0000 0000');
  await visitor2.click(W('form.prechat button[type=submit]'));
  await agent.waitForSelector('.chat-offer', { timeout: 10000 });
  const chat2 = await agent.getAttribute('.chat-offer', 'data-chat');
  await agent.click('.chat-accept');
  await visitor2.waitForSelector(W('textarea.text'), { state: 'visible' });
  await visitor2.fill(W('textarea.text'), 'Do you ship to Shanghai?');
  await visitor2.press(W('textarea.text'), 'Enter');
  await check('two chats at once beside the call: two tabs, the call still on', async () => {
    await agent.waitForFunction(() => document.querySelectorAll('.chat-tab').length === 2, null, { timeout: 10000 });
    await agent.waitForSelector('#call', { state: 'visible' });
  });
  await check('the chat not shown counts its unread message', async () => {
    await agent.click(`.chat-tab[data-chat="${chat1}"]`);
    await waitText(agent, `.chat-tab[data-chat="${chat2}"] .unread`, /^1$/).catch(async () => {
      // the message came before the switch: the tab was open; reopen it
      await agent.click(`.chat-tab[data-chat="${chat2}"]`);
      await waitText(agent, '#chat-log', /Shanghai/);
    });
  });
  await agent.click(`.chat-tab[data-chat="${chat1}"]`);
  await agent.screenshot({ path: `${SHOTS}/chat-desktop.png`, fullPage: true });
  await visitor.screenshot({ path: `${SHOTS}/chat-widget.png` });

  // the visitor reloads: the same chat, every message once
  const before = await seqs(visitor);
  await visitor.reload();
  await check('a reload resumes the chat: every message once, in order, none lost', async () => {
    await visitor.waitForSelector(W('.log .msg'), { timeout: 10000 });
    await wText(visitor, '.status', /chatting with [Aa]lice/);
    const after = await seqs(visitor);
    if (after.join() !== before.join()) throw new Error(`before ${before} after ${after}`);
  });
  const token1 = hellos[0].token;
  await check('... the hello after the reload asked only for what came after', () => {
    const mine = hellos.filter((h) => h.token === token1);
    if (mine.length < 2 || mine.at(-1).last_seq !== Math.max(...before)) throw new Error(JSON.stringify(mine.map((h) => h.last_seq)));
  });
  // alice reloads her desktop: her chats come back with what was said
  await agent.reload();
  await check('a reload of the desktop brings back both chats with their messages', async () => {
    await agent.waitForFunction(() => document.querySelectorAll('.chat-tab').length === 2, null, { timeout: 15000 });
    await agent.click(`.chat-tab[data-chat="${chat1}"]`);
    await waitText(agent, '#chat-log', /Hello, 我的订单[\s\S]*发票.png/);
  });
  // the connection drops; alice writes meanwhile; the visitor writes too
  const open1 = sockets.length;
  sockets.at(-1).close({ code: 4000, reason: 'dropped' });
  await visitor.waitForTimeout(100);
  await agent.fill('#chat-text', 'Your order ships today.');
  await agent.press('#chat-text', 'Enter');
  await visitor.fill(W('textarea.text'), 'Sent while offline');
  await visitor.press(W('textarea.text'), 'Enter');
  await check('a dropped connection comes back: what alice wrote meanwhile arrives once', async () => {
    await wText(visitor, '.log', /Your order ships today\./, 15000);
    const s = await seqs(visitor);
    if (new Set(s).size !== s.length) throw new Error(`seqs ${s}`);
  });
  await check('... and the message written offline is sent once (and stored once: see the shell)', async () => {
    await visitor.waitForFunction(() => [...document.querySelector('#hotline-chat').shadowRoot.querySelectorAll('.msg[data-seq]')].some((e) => e.textContent.includes('Sent while offline')), null, { timeout: 15000 });
    const n = (await apiGet(`/api/v1/interactions/${chat1}`)).messages.filter((m) => m.text === 'Sent while offline').length;
    if (n !== 1 || (await wCount(visitor, '.msg.pending')) !== 0 || sockets.length <= open1) throw new Error(`${n} stored, ${sockets.length - open1} new sockets`);
  });

  // the wallboard: chats now, one opened read-only
  await check('the wallboard lists the two chats with alice', async () => {
    await board.reload();
    await board.waitForSelector(`tr[data-chat="${chat1}"]`, { timeout: 10000 });
    await waitText(board, `tr[data-chat="${chat2}"]`, /86 138[\s\S]*1001/);
    await waitText(board, 'tr[data-agent="1001"] .chats', /^2/);
  });
  await board.click(`tr[data-chat="${chat1}"] button.watch`);
  await check('cathy opens a live chat read-only: what was said, then live', async () => {
    await waitText(board, '#watch-log', /Your order ships today/);
    await visitor.fill(W('textarea.text'), 'Thanks!');
    await visitor.press(W('textarea.text'), 'Enter');
    await waitText(board, '#watch-log', /Thanks!/);
    if (await board.locator('#watch textarea, #watch input').count()) throw new Error('the view has inputs');
  });
  await board.screenshot({ path: `${SHOTS}/chat-wallboard.png`, fullPage: true });

  // the customer from the second chat in one step
  await agent.click(`.chat-tab[data-chat="${chat2}"]`);
  await agent.click('.chat-cust-create');
  await check('a customer is made from the second chat and pops up', () => waitText(agent, '#cust-name', /^Wang Fang$/));
  await agent.click(`.chat-tab[data-chat="${chat1}"]`);

  // the visitor ends; rates; downloads the transcript
  visitor.once('dialog', (d) => d.accept());
  await visitor.click(W('button.end'));
  await check('the visitor ends the chat: the rating shows', () => visitor.waitForSelector(W('.rating .stars'), { timeout: 10000 }));
  await visitor.click(W('.stars button[data-score="5"]'));
  await visitor.fill(W('.rating textarea'), '很好 great');
  await visitor.click(W('.rate-send'));
  await check('the rating is sent (and kept: see the shell)', () => wText(visitor, '.rated', /Thank you/));
  await check('the transcript downloads as text with the messages', async () => {
    const [dl] = await Promise.all([visitor.waitForEvent('download'), visitor.click(W('button.transcript'))]);
    const body = readFileSync(await dl.path(), 'utf8');
    if (!/Hello, 我的订单/.test(body) || /check the order first/.test(body)) throw new Error(body.slice(0, 200));
  });
  await visitor.screenshot({ path: `${SHOTS}/chat-widget-ended.png` });
  await visitor.reload();
  await check('after a reload the ended chat thanks for the rating and does not ask again', async () => {
    await wText(visitor, '.rated', /Thank you/);
    if (await wCount(visitor, '.stars')) throw new Error('asked again');
  });

  // alice wraps up with a ticket in one step
  await check('the desktop asks for the wrap-up when the visitor ends', () => agent.waitForSelector('#chat-wrapup', { state: 'visible', timeout: 10000 }));
  await agent.selectOption('#chat-wu-disposition', 'sale');
  await agent.fill('#chat-wu-notes', '订单已确认');
  await agent.check('#chat-wu-ticket');
  await agent.selectOption('#chat-wu-priority', 'high');
  await agent.click('#chat-wu-save');
  await check('... saved with disposition, notes and a ticket, in one step (stored: see the shell)', async () => {
    await waitText(agent, '#chat-done-text', /ticket \S+ made/);
    await agent.waitForSelector('#chat-wrapup', { state: 'hidden' });
    await agent.waitForSelector('#chat-done', { state: 'visible' });
    await waitText(agent, '#chat-customer', /Zoë 张/);
  });
  await agent.click('.chat-cust-open');
  await check('the chat is in Zoë\'s timeline, its transcript opens there', async () => {
    await agent.waitForSelector(`#cust-timeline details.transcript[data-interaction="${chat1}"]`, { timeout: 10000 });
    await agent.click(`#cust-timeline details.transcript[data-interaction="${chat1}"] summary`);
    await waitText(agent, `#cust-timeline details.transcript[data-interaction="${chat1}"]`, /Hello, 我的订单[\s\S]*您好，请问有什么可以帮您？/);
    const s = await agent.innerText(`#cust-timeline details.transcript[data-interaction="${chat1}"]`);
    if (s.includes('check the order first')) throw new Error('the internal note in the transcript');
  });
  await agent.screenshot({ path: `${SHOTS}/chat-timeline.png`, fullPage: true });
  await agent.click(`.chat-tab[data-chat="${chat2}"]`);
  await agent.setInputFiles('#chat-file', { name: 'map.png', mimeType: 'image/png', buffer: PNG });
  await check('alice sends a picture: the second visitor sees it as a thumbnail', () => visitor2.waitForFunction(() =>
    document.querySelector('#hotline-chat').shadowRoot.querySelector('.msg.agent img.thumb')?.src.startsWith('blob:'), null, { timeout: 10000 }));
  await visitor2.setInputFiles(W('input[type=file]'), { name: '订单.txt', mimeType: 'text/plain', buffer: Buffer.from('订单号 A-77\n') });
  await check('the second visitor sends a text file: a link with its name on both sides', async () => {
    await agent.waitForFunction(() => [...document.querySelectorAll('#chat-log a.chat-file')].some((a) => a.textContent === '订单.txt'), null, { timeout: 10000 });
    await visitor2.waitForFunction(() => [...document.querySelector('#hotline-chat').shadowRoot.querySelectorAll('.msg.visitor a.file')]
      .some((a) => /^订单.txt \(\d+ B\)$/.test(a.textContent) && a.href.startsWith('blob:')), null, { timeout: 10000 });
  });
  await agent.fill('#chat-transfer-to', 'chat-sales');
  await agent.selectOption('#chat-transfer-kind', 'queue');
  await agent.click('#chat-transfer');
  await check('alice transfers the second chat to a queue', async () => {
    await agent.waitForFunction((id) => !document.querySelector(`.chat-tab[data-chat="${id}"]`), chat2);
    await waitText(agent, '#chat-error', /^$/);
  });

  // a closed entry: the offline form becomes a ticket
  const night = await visitorPage('en-US', '/night.html');
  await night.click(W('.launch'));
  await check('a closed entry shows the offline form', () => night.waitForSelector(W('form.offline'), { timeout: 10000 }));
  await night.fill(W('#hc-oname'), 'Li Lei');
  await night.fill(W('#hc-otext'), 'Please call me back');
  await night.click(W('form.offline button[type=submit]'));
  await check('... which wants an e-mail or a phone', () => wText(night, 'form.offline .error', /e-mail address or a phone/));
  await night.fill(W('#hc-ophone'), '+86 139 1111 2222');
  await night.click(W('form.offline button[type=submit]'));
  await check('... and is sent as a ticket', () => wText(night, '.offline-done', /ticket \S+;/));

  // an offer nobody takes leaves the desktop when its time is up
  const quick = await visitorPage('en-US', '/quick.html');
  await quick.click(W('.launch'));
  await quick.waitForSelector(W('form.prechat'));
  await quick.fill(W('#hc-name'), 'Slow Sam');
  await quick.click(W('form.prechat button[type=submit]'));
  await check('an offer alice lets pass shows, then leaves her desktop when its 3 s are up', async () => {
    await waitText(agent, '#chat-offers', /Slow Sam/, 10000);
    await agent.waitForFunction(() => !/Slow Sam/.test(document.querySelector('#chat-offers').innerText), null, { timeout: 10000 });
  });

  // a browser that kept a token the server no longer knows starts afresh
  {
    const ctx = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    await ctx.addInitScript(([key]) => localStorage.setItem(key, JSON.stringify({ chat_id: 'gone', token: 'not-a-token-of-this-server-xxxxxxxxxxxxxxxxx', last_seq: 3 })), [`hotline.chat.${new globalThis.URL(URL).origin}.web`]);
    const stale = await ctx.newPage();
    stale.on('pageerror', (e) => errors.push(`stale: ${e.message}`));
    await stale.goto(`${SITE}/shop.html`);
    await check('a kept token the server does not know: the widget forgets it and offers a new chat', async () => {
      await stale.waitForSelector(W('form.prechat'), { timeout: 15000 });
      const kept = await stale.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('hotline.chat.')).length);
      if (kept) throw new Error('the token is still kept');
    });
    await ctx.close();
  }

  // in Chinese: a Chinese page's widget has no English left
  const zh = await visitorPage('zh-CN', '/shop-zh.html');
  await zh.click(W('.launch'));
  await zh.waitForSelector(W('form.prechat'));
  await check('a Chinese page\'s widget speaks Chinese: no English word left', async () => {
    const words = await zh.evaluate(() => {
      const r = document.querySelector('#hotline-chat').shadowRoot;
      const txt = [...r.querySelectorAll('button, label, .note, h2, option')].map((e) => e.textContent).join(' ');
      const attrs = [...r.querySelectorAll('[placeholder], [aria-label]')].map((e) => `${e.getAttribute('placeholder') || ''} ${e.getAttribute('aria-label') || ''}`).join(' ');
      return `${txt} ${attrs}`;
    });
    const left = words.replace(/Sales/g, '').match(/[A-Za-z]{2,}/g);
    if (left) throw new Error(left.join(' '));
    if (!/在线咨询/.test(words) || !/开始咨询/.test(words)) throw new Error(words.slice(0, 80));
  });
  await zh.screenshot({ path: `${SHOTS}/chat-widget-zh.png` });

  await check('no script error on any page', () => { if (errors.length) throw new Error(errors.join('; ')); });
} catch (e) {
  console.log(`not ok - the chat test ran to its end: ${e.message.split('\n')[0]}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
process.exit(process.exitCode || status());
