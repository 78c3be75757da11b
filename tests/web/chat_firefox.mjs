// chat_firefox.mjs — the web chat in Firefox (Debian's firefox-esr over
// WebDriver BiDi, puppeteer-core, as firefox.mjs drives the pages): a
// visitor on the shop's page (SITE_URL, another origin) chats through
// hotline's widget with agent alice on the desktop, each in a window of
// its own:
//   - the widget's button and pre-chat form, in its shadow root; the
//     place in line while alice is paused;
//   - the offer accepted on the desktop, the chat linked to the customer
//     张伟 found by name, messages both ways with 张伟's
//     Chinese, <img src=x onerror=...> shown as text and run nowhere;
//   - a reload of the visitor's page resumes the chat, each message once;
//   - alice ends the chat: the visitor's rating, her wrap-up;
//   - no script errors; screenshots firefox-chat-{widget,desktop}.png.
// Prints "PASS\tname" or "FAIL\tname\twhy" per check and "END" last, for
// test_chat_firefox.sh to hand to lib.sh's check.
import puppeteer from 'puppeteer-core';
import { mkdirSync } from 'node:fs';

const URL = process.env.HOTLINE_URL;
const SITE = process.env.SITE_URL;
const SHOTS = process.env.SHOT_DIR;
const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';
const VIEWPORT = { width: 1366, height: 768 };
const XSS = '<img src=x onerror="window.__xss=1">';
const oneLine = (s) => String(s).replace(/\s+/g, ' ').trim();

async function check(name, fn) {
  try {
    await fn();
    console.log(`PASS\t${name}`);
  } catch (e) {
    console.log(`FAIL\t${name}\t${oneLine(e.message || e).slice(0, 300)}`);
  }
}

// the widget's shadow root, in the page
const inWidget = (page, fn, ...args) => page.evaluate(fn, ...args);
const waitWidget = (page, sel, re, timeout = 15000) => page.waitForFunction((s, r) => {
  const root = document.querySelector('#hotline-chat')?.shadowRoot;
  return new RegExp(r).test(root?.querySelector(s)?.textContent || '');
}, { timeout, polling: 100 }, sel, re.source);
const waitText = (page, sel, re, timeout = 15000) =>
  page.waitForFunction((s, r) => new RegExp(r).test(document.querySelector(s)?.innerText || ''), { timeout, polling: 100 }, sel, re.source);
const click = (page, sel) => inWidget(page, (s) => document.querySelector('#hotline-chat').shadowRoot.querySelector(s).click(), sel);
// types into an input of the widget as a person would (events and all)
async function type(page, sel, text) {
  const h = await page.evaluateHandle((s) => document.querySelector('#hotline-chat').shadowRoot.querySelector(s), sel);
  await h.asElement().type(text);
}
const seqs = (page) => inWidget(page, () => [...document.querySelector('#hotline-chat').shadowRoot.querySelectorAll('.msg[data-seq]')].map((e) => Number(e.dataset.seq)));

mkdirSync(SHOTS, { recursive: true });
const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true, defaultViewport: VIEWPORT, extraPrefsFirefox: { 'intl.accept_languages': 'en-US', 'intl.locale.requested': 'en-US' } });
const errors = [];
async function open(name) {
  const ctx = await browser.createBrowserContext();
  const page = await ctx.newPage({ type: 'window' });
  await page.setViewport(VIEWPORT);
  page.on('pageerror', (e) => errors.push(`${name}: ${oneLine(e.message || e)}`));
  return page;
}

try {
  const agent = await open('agent'), visitor = await open('visitor');
  await check('firefox chat: alice signs in to the desktop and pauses', async () => {
    await agent.goto(`${URL}/agent`);
    await agent.waitForSelector('#signin-form', { visible: true });
    await agent.locator('#user').fill('alice');
    await agent.locator('#password').fill('alice-secret');
    await agent.click('#signin-btn');
    await agent.waitForSelector('#app', { visible: true, timeout: 10000 });
    await agent.click('#go-available');
    await waitText(agent, '#state', /^available$/);
    await agent.click('#go-pause');
    await waitText(agent, '#state', /^paused$/);
  });

  await visitor.goto(`${SITE}/shop.html`);
  await check('firefox chat: the shop\'s page shows the widget\'s button', () => waitWidget(visitor, '.launch', /Chat with us/));
  await click(visitor, '.launch');
  await check('firefox chat: the pre-chat form opens', () => waitWidget(visitor, 'form.prechat button', /Start chat/));
  await type(visitor, '#hc-name', '张伟');
  await click(visitor, 'form.prechat button[type=submit]');
  await check('firefox chat: alice paused, the visitor waits first in line with the expected wait', () =>
    waitWidget(visitor, '.status', /You are number 1 in line/));
  await agent.click('#go-available');
  await check('firefox chat: alice available, the offer shows on the desktop; she accepts', async () => {
    await agent.waitForSelector('.chat-offer', { timeout: 15000 });
    await waitText(agent, '.chat-offer', /张伟/);
    await agent.click('.chat-accept');
    await waitWidget(visitor, '.status', /chatting with Alice/);
  });
  await check('firefox chat: alice finds the customer 张伟 and links the chat to him in one step', async () => {
    await agent.waitForSelector('.chat-cust-create', { visible: true, timeout: 10000 });
    await agent.type('#chat-cust-q', '张伟');
    await agent.evaluate(() => [...document.querySelectorAll('#chat-customer button')].find((b) => b.textContent === 'Find').click());
    await agent.waitForSelector(`.chat-cust-link[data-customer="${process.env.CUSTOMER}"]`, { visible: true, timeout: 10000 });
    await agent.click(`.chat-cust-link[data-customer="${process.env.CUSTOMER}"]`);
    await waitText(agent, '#cust-name', /^张伟$/);
    await waitText(agent, '#chat-customer', /张伟/);
  });
  await type(visitor, 'textarea.text', '你好，我的快递到哪了？');
  await visitor.keyboard.press('Enter');
  await check('firefox chat: the visitor\'s message reaches the desktop', () => waitText(agent, '#chat-log', /你好，我的快递到哪了？/));
  await agent.type('#chat-text', 'It left Shanghai today.');
  await agent.keyboard.press('Enter');
  await check('firefox chat: alice\'s answer reaches the widget with her name', () => waitWidget(visitor, '.msg.agent', /It left Shanghai today\.[\s\S]*Alice/));
  await type(visitor, 'textarea.text', XSS);
  await visitor.keyboard.press('Enter');
  await check('firefox chat: <img src=x onerror=...> is text on both sides and runs nothing', async () => {
    await waitText(agent, '#chat-log', /<img src=x onerror=/);
    await waitWidget(visitor, '.log', /<img src=x onerror=/);
    await new Promise((done) => setTimeout(done, 500));
    const ran = [await agent.evaluate(() => window.__xss), await visitor.evaluate(() => window.__xss)];
    const imgs = [await agent.$$eval('#chat-log .chat-bubble > img', (x) => x.length),
      await inWidget(visitor, () => document.querySelector('#hotline-chat').shadowRoot.querySelectorAll('.bubble > img').length)];
    if (ran.some(Boolean) || imgs.some(Boolean)) throw new Error(`ran ${ran} imgs ${imgs}`);
  });
  await visitor.screenshot({ path: `${SHOTS}/firefox-chat-widget.png` });
  await agent.screenshot({ path: `${SHOTS}/firefox-chat-desktop.png`, fullPage: true });

  const before = await seqs(visitor);
  await visitor.reload();
  await check('firefox chat: a reload resumes the chat, each message once, none lost', async () => {
    await waitWidget(visitor, '.status', /chatting with Alice/);
    await visitor.waitForFunction((n) => document.querySelector('#hotline-chat')?.shadowRoot?.querySelectorAll('.msg[data-seq]').length >= n, { timeout: 10000 }, before.length);
    const after = await seqs(visitor);
    if (after.join() !== before.join()) throw new Error(`before ${before} after ${after}`);
  });
  await agent.type('#chat-text', 'Anything else?');
  await agent.keyboard.press('Enter');
  await check('firefox chat: ... and goes on: alice\'s next message arrives once', async () => {
    await waitWidget(visitor, '.log', /Anything else\?/);
    const s = await seqs(visitor);
    if (new Set(s).size !== s.length) throw new Error(`seqs ${s}`);
  });
  await agent.click('#chat-end');
  await check('firefox chat: alice ends the chat: the visitor is asked for a rating', () =>
    visitor.waitForFunction(() => document.querySelector('#hotline-chat').shadowRoot.querySelector('.rating .stars'), { timeout: 10000 }));
  await check('firefox chat: ... and alice wraps it up with a disposition', async () => {
    await agent.waitForSelector('#chat-wrapup', { visible: true, timeout: 10000 });
    await agent.type('#chat-wu-notes', '已告知物流信息');
    await agent.click('#chat-wu-save');
    await waitText(agent, '#chat-done-text', /Wrap-up saved/);
  });
  await check('firefox chat: no script errors', () => { if (errors.length) throw new Error(errors.join('; ')); });
  console.log('END');
} catch (e) {
  console.log(`FAIL\tfirefox chat: the browser test ran to its end\t${oneLine(e.message || e)}`);
} finally {
  await browser.close();
}
