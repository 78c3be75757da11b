// lib.mjs — what the Chromium browser tests share: their checks and the
// "ok - ..." / "not ok - ..." lines, Debian's Chromium launched headless,
// signing in, and waiting for a page to show something. HOTLINE_URL is
// the server, SHOT_DIR where screenshots go, CHROMIUM the browser.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

export const URL = process.env.HOTLINE_URL;
export const SHOTS = process.env.SHOT_DIR;
let failed = 0;

export function ok(name) { console.log(`ok - ${name}`); }
export function notOk(name, why) { console.log(`not ok - ${name}: ${why}`); failed++; }
// The exit status: 1 when any check failed.
export const status = () => (failed ? 1 : 0);

// Runs fn (which throws on failure) as one check.
export async function check(name, fn) {
  try {
    await fn();
    ok(name);
    return true;
  } catch (e) {
    notOk(name, (e.message || String(e)).split('\n')[0]);
    return false;
  }
}

// Chromium (extra command-line args appended); the screenshot folder made.
export function launch(args = []) {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: ['--no-sandbox', ...args] });
}

// Opens path (a page, with any query) and signs in with the page's form.
export async function signIn(page, path, user, password) {
  await page.goto(URL + path);
  await page.waitForSelector('#signin-form', { state: 'visible' });
  await page.fill('#user', user);
  await page.fill('#password', password);
  await page.click('#signin-btn');
  await page.waitForSelector('#app', { state: 'visible', timeout: 10000 });
}

export const text = (page, sel) => page.locator(sel).innerText();
// Until sel's text (or an input's value) matches re.
export const waitText = (page, sel, re, timeout = 15000) =>
  page.waitForFunction(([s, r]) => new RegExp(r).test(document.querySelector(s)?.innerText || ''), [sel, re.source], { timeout });
export const waitValue = (page, sel, re, timeout = 10000) =>
  page.waitForFunction(([s, r]) => new RegExp(r).test(document.querySelector(s)?.value || ''), [sel, re.source], { timeout });

// A page in a browser context of its own at viewport, in a browser whose
// language is locale (English unless told: the tests look for English
// words); its script errors are pushed to errors.
export async function openPage(browser, viewport, errors, locale = 'en-US') {
  const c = await browser.newContext({ viewport, locale });
  const p = await c.newPage();
  p.on('pageerror', (e) => errors.push(e.message));
  return p;
}
