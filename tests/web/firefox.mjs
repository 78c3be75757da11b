// firefox.mjs — the pages in Firefox (Debian's firefox-esr, driven over
// WebDriver BiDi by puppeteer-core), at a laptop's 1366x768, against a
// running hotline. test_firefox.sh starts the server and the users; this
// script signs in as supervisor sam, agent alice and the admin, each in a
// browser context of its own, the way pages.mjs does in Chromium:
//   - the wallboard goes live over the event stream and follows state
//     changes made on the desktop and through the API;
//   - alice goes available on the desktop, and the API agrees;
//   - the admin page lists the users;
//   - sam opens a ticket on the tickets page, beside its customer;
//   - no page logs a script error or is wider than the window;
//   - screenshots firefox-{agent,wallboard,admin,tickets}.png go to SHOT_DIR.
// Prints one line per check on stdout, "PASS\tname" or "FAIL\tname\twhy",
// and "END" last; test_firefox.sh hands each to lib.sh's check.
import puppeteer from 'puppeteer-core';
import { mkdirSync } from 'node:fs';

const URL = process.env.HOTLINE_URL;
const TOKEN = process.env.API_TOKEN;
const SHOTS = process.env.SHOT_DIR;
const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';
const VIEWPORT = { width: 1366, height: 768 };

const oneLine = (s) => String(s).replace(/\s+/g, ' ').trim();

// Runs fn (which throws on failure) as one check.
async function check(name, fn) {
  try {
    await fn();
    console.log(`PASS\t${name}`);
    return true;
  } catch (e) {
    console.log(`FAIL\t${name}\t${oneLine(e.message || e).slice(0, 300)}`);
    return false;
  }
}

// The API as a script would use it: the bearer token, not a session.
async function apiCall(path, body) {
  const r = await fetch(URL + path, {
    method: body ? 'POST' : 'GET',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}

async function signIn(page, path, user, password) {
  await page.goto(URL + path);
  await page.waitForSelector('#signin-form', { visible: true });
  await page.locator('#user').fill(user);
  await page.locator('#password').fill(password);
  await page.click('#signin-btn');
  await page.waitForSelector('#app', { visible: true, timeout: 10000 });
}

// Until the text of sel matches re.
const waitText = (page, sel, re, timeout = 15000) =>
  page.waitForFunction((s, r) => new RegExp(r).test(document.querySelector(s)?.innerText || ''),
    { timeout, polling: 100 }, sel, re.source);

// Throws when the page is wider than its window, naming what sticks out.
async function fitsWidth(page) {
  const r = await page.evaluate(() => {
    const d = document.documentElement, w = d.clientWidth;
    const out = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > w + 0.5)
      .slice(0, 3)
      .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : ''));
    return { scroll: d.scrollWidth, client: w, inner: innerWidth, out };
  });
  if (r.inner !== VIEWPORT.width) throw new Error(`the window is ${r.inner} px wide`);
  if (r.scroll > r.client || r.client > r.inner)
    throw new Error(`scrollWidth ${r.scroll} > ${r.client} (window ${r.inner}); sticking out: ${r.out.join(', ')}`);
}

mkdirSync(SHOTS, { recursive: true });
// in English whatever the machine's language: the checks look for English words
const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true, defaultViewport: VIEWPORT, extraPrefsFirefox: { 'intl.accept_languages': 'en-US', 'intl.locale.requested': 'en-US' } });
const errors = new Map(); // page name -> script errors it logged
async function open(name) {
  // a window each: a tab behind another is hidden, and Firefox stops
  // animation frames and slows timers in hidden tabs
  const ctx = await browser.createBrowserContext();
  const page = await ctx.newPage({ type: 'window' });
  await page.setViewport(VIEWPORT);
  errors.set(name, []);
  page.on('pageerror', (e) => errors.get(name).push(oneLine(e.message || e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.get(name).push(oneLine(m.text())); });
  return page;
}
const noErrors = (name) => async () => {
  const e = errors.get(name);
  if (e.length) throw new Error(e.join('; '));
};

try {
  const board = await open('wallboard'), agent = await open('agent'), admin = await open('admin');
  const agentRow = (ext) => `tr[data-agent="${ext}"] td:nth-child(3)`;
  const freeBusyPaused = (q) => `tr[data-queue="${q}"] td:nth-child(10)`;

  // the wallboard, live: sales and support (sam's queues), nobody waiting
  await check('firefox: supervisor sam signs in to the wallboard', () => signIn(board, '/wallboard', 'sam', 'sam-secret'));
  await check('firefox: the wallboard goes live over the event stream (WebSocket)', () =>
    board.waitForSelector('body[data-live="1"]', { timeout: 10000 }));
  await check('firefox: the queues table shows sales and support, nobody waiting', async () => {
    await waitText(board, 'tr[data-queue="sales"] .waiting', /^0$/);
    await waitText(board, 'tr[data-queue="support"] .waiting', /^0$/);
    const qs = await board.$$eval('#queues tbody tr', (rows) => rows.map((r) => r.dataset.queue));
    if (qs.join() !== 'sales,support') throw new Error(`queues ${qs.join()}`);
  });
  await check('firefox: sales counts its agents: none free, none busy, Bob paused', () =>
    waitText(board, freeBusyPaused('sales'), /^0 \/ 0 \/ 1$/));

  // the desktop: alice goes available; the page, the API and the wallboard agree
  await check('firefox: agent alice signs in to the desktop', () => signIn(agent, '/agent', 'alice', 'alice-secret'));
  await check('firefox: the desktop shows her state: logged out', () => waitText(agent, '#state', /^logged out$/));
  await agent.click('#go-available');
  await check('firefox: alice goes available from the desktop, the page shows it', async () => {
    await waitText(agent, '#state', /^available$/);
    if (!(await agent.$eval('#go-available', (b) => b.disabled))) throw new Error('the Available button is still enabled');
  });
  await check('firefox: the API agrees: GET /api/v1/agents/1001 says available', async () => {
    const a = await apiCall('/api/v1/agents/1001');
    if (a.state !== 'available') throw new Error(`state ${a.state}`);
  });
  await check('firefox: the wallboard shows alice available, live', () => waitText(board, agentRow('1001'), /^available$/));
  await check('firefox: ... and sales with one agent free', () => waitText(board, freeBusyPaused('sales'), /^1 \/ 0 \/ 1$/));

  // a state change through the API reaches both pages over their event streams
  await check('firefox: Bob goes available through the API', () => apiCall('/api/v1/agents/1002/state', { state: 'available' }));
  await check('firefox: the wallboard follows it: Bob available, sales two free', async () => {
    await waitText(board, agentRow('1002'), /^available$/);
    await waitText(board, freeBusyPaused('sales'), /^2 \/ 0 \/ 0$/);
  });
  await check('firefox: alice is paused through the API', () => apiCall('/api/v1/agents/1001/state', { state: 'paused', reason: 'lunch' }));
  await check('firefox: her desktop follows it: paused (lunch)', async () => {
    await waitText(agent, '#state', /^paused$/);
    await waitText(agent, '#state-reason', /lunch/);
  });
  await check('firefox: the wallboard follows it: alice paused (lunch)', () => waitText(board, agentRow('1001'), /^paused \(lunch\)$/));
  await agent.click('#go-available');
  await check('firefox: alice is back from the desktop; the wallboard shows it', async () => {
    await waitText(agent, '#state', /^available$/);
    await waitText(board, agentRow('1001'), /^available$/);
  });
  await agent.screenshot({ path: `${SHOTS}/firefox-agent.png`, fullPage: true });
  await board.screenshot({ path: `${SHOTS}/firefox-wallboard.png`, fullPage: true });

  // the admin page lists the users
  await check('firefox: the admin signs in to the admin page', () => signIn(admin, '/admin', 'admin', 'admin-pass'));
  await check('firefox: the users table lists alice, sam and the admin', async () => {
    await admin.waitForSelector('body[data-ready="1"]', { timeout: 10000 });
    await admin.waitForSelector('#users tbody tr[data-user="sam"]', { timeout: 10000 });
    const users = await admin.$$eval('#users tbody tr', (rows) => rows.map((r) => r.dataset.user).sort());
    if (users.join() !== 'admin,alice,sam') throw new Error(`users ${users.join()}`);
    const alice = await admin.$eval('#users tbody tr[data-user="alice"]', (r) => r.innerText);
    if (!/agent\s+1001/.test(alice)) throw new Error(`alice's row "${oneLine(alice)}"`);
  });
  await admin.screenshot({ path: `${SHOTS}/firefox-admin.png`, fullPage: true });

  // the tickets page: the list, then a ticket beside its customer
  const tickets = await open('tickets');
  await check('firefox: sam signs in to the tickets page', () => signIn(tickets, '/tickets', 'sam', 'sam-secret'));
  await check('firefox: sam opens the sales ticket and sees its customer beside it', async () => {
    await tickets.waitForSelector(`tr[data-ticket="${process.env.TICKET}"] td.subject`, { timeout: 10000 });
    await tickets.click(`tr[data-ticket="${process.env.TICKET}"] td.subject`);
    await waitText(tickets, '#tk-subject', /^Invoice shows the wrong plan$/);
    await waitText(tickets, '#cust-name', /^Ann Lee$/);
  });
  await tickets.screenshot({ path: `${SHOTS}/firefox-tickets.png`, fullPage: true });

  for (const [name, page] of [['agent', agent], ['wallboard', board], ['admin', admin], ['tickets', tickets]]) {
    await check(`firefox: the ${name} page fits the 1366 px window (no sideways scrolling)`, () => fitsWidth(page));
    await check(`firefox: no script errors on the ${name} page`, noErrors(name));
  }
  console.log('END');
} catch (e) {
  console.log(`FAIL\tfirefox: the browser test ran to its end\t${oneLine(e.message || e)}`);
} finally {
  await browser.close();
}
