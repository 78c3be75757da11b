// monitor.mjs — the wallboard's monitor and the desktop's call buttons in
// Chromium, against a running hotline; test_monitor.sh starts the server
// and the SIPp phones, and the customer's call to queue short (bob, 1002)
// once the pages are open (READY, a file this script makes).
//   - supervisor sam's wallboard shows the live call on bob's row with
//     listen / whisper / barge / take over; supervisor ursula (another
//     queue) sees no buttons;
//   - sam listens: his phone (1003) rings and answers (call.monitor
//     joined, listen), then whispers (changed, whisper), then ends it
//     (left), each checked in the API;
//   - bob pauses and resumes the recording from the desktop, consults
//     dave (1004) and goes back to the customer.
// Prints "ok - ..." / "not ok - ..." lines; exits 1 when any failed.
import { writeFileSync } from 'node:fs';
import { URL, SHOTS, notOk, status, check, launch, openPage, signIn, waitText } from './lib.mjs';

let id = null;
const browser = await launch();
const errors = [];
const ctx = () => openPage(browser, { width: 1366, height: 800 }, errors);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// the call's call.monitor events as "state:mode", from the API
async function monitorEvents() {
  const r = await fetch(`${URL}/api/v1/calls/${id}`, { headers: { Authorization: 'Bearer test-token' } });
  const c = await r.json();
  return c.events.filter((e) => e.type === 'call.monitor').map((e) => `${e.data.state}:${e.data.mode}`);
}
async function waitEvents(want, timeout = 10000) {
  let got;
  for (const end = Date.now() + timeout; Date.now() < end; await sleep(250)) {
    got = (await monitorEvents()).join(' ');
    if (got === want) return;
  }
  throw new Error(`events "${got}", want "${want}"`);
}

// the customer's call once bob's phone answered it
async function answeredCall(timeout = 20000) {
  for (const end = Date.now() + timeout; Date.now() < end; await sleep(250)) {
    const r = await fetch(`${URL}/api/v1/calls?limit=5`, { headers: { Authorization: 'Bearer test-token' } });
    const c = (await r.json()).calls.find((x) => x.agent === '1002' && x.answered && !x.ended);
    if (c) return c.id;
  }
  throw new Error('no answered call');
}

try {
  const board = await ctx(), other = await ctx(), desk = await ctx();
  await check('agent bob signs in to the desktop', () => signIn(desk, '/agent', 'bob', 'bob-secret'));
  await desk.waitForSelector('body[data-live="1"]', { timeout: 10000 });
  await check('supervisor sam signs in to the wallboard', () => signIn(board, '/wallboard', 'sam', 'sam-secret'));
  await check('the wallboard goes live', () => board.waitForSelector('body[data-live="1"]', { timeout: 10000 }));
  writeFileSync(process.env.READY, '1');
  await check('the customer\'s call is answered by bob', async () => { id = await answeredCall(); });
  const cell = `tr[data-agent="1002"] td.live-call[data-call="${id}"]`;
  await check('bob\'s row shows his live call with listen, whisper, barge, take over', async () => {
    await board.waitForSelector(cell, { timeout: 10000 });
    const modes = await board.locator(`${cell} button.monitor`).evaluateAll((bs) => bs.map((b) => b.dataset.mode));
    if (modes.join() !== 'listen,whisper,barge,takeover') throw new Error(`buttons ${modes.join()}`);
  });
  await check('ursula, supervisor of another queue, sees no monitor buttons', async () => {
    await signIn(other, '/wallboard', 'ursula', 'ursula-secret');
    await other.waitForSelector('body[data-live="1"]', { timeout: 10000 });
    await sleep(1000);
    if (await other.locator('button.monitor').count()) throw new Error('buttons shown');
  });

  await board.click(`${cell} button[data-mode="listen"]`);
  await check('sam listens: his phone rings and answers (call.monitor joined, listen)', () => waitEvents('ringing:listen joined:listen'));
  await check('the wallboard says he is listening, on the call', () => waitText(board, `${cell} .monitor-state`, /listening: on the call/));
  await board.click(`${cell} button[data-mode="whisper"]`);
  await check('he switches to whisper from the wallboard (changed, whisper)', () => waitEvents('ringing:listen joined:listen changed:whisper'));
  await check('the wallboard says whispering', () => waitText(board, `${cell} .monitor-state`, /whispering/));
  await board.screenshot({ path: `${SHOTS}/wallboard-monitor.png`, fullPage: true });
  await board.click(`${cell} button.monitor-end`);
  await check('he ends the monitor (left); the End button goes', async () => {
    await waitEvents('ringing:listen joined:listen changed:whisper left:whisper');
    await board.waitForSelector(`${cell} button.monitor-end`, { state: 'detached', timeout: 5000 });
  });

  await check('the desktop shows the call with its buttons', () => desk.waitForSelector('#call', { state: 'visible', timeout: 5000 }));
  await desk.click('#rec-pause');
  await check('bob pauses the recording: the desktop says so', async () => {
    await desk.waitForSelector('#rec-paused', { state: 'visible', timeout: 5000 });
    await waitText(desk, '#rec-pause', /^Resume recording$/);
  });
  await desk.click('#rec-pause');
  await check('... and resumes it', () => desk.waitForSelector('#rec-paused', { state: 'hidden', timeout: 5000 }));
  await desk.fill('#consult-to', '1004');
  await desk.click('#consult');
  await check('bob consults dave: the customer hears music, join and cancel are offered', async () => {
    await waitText(desk, '#consult-state', /Consulting 1004/);
    await desk.waitForSelector('#consult-join', { state: 'visible', timeout: 5000 });
    await waitEvents('ringing:listen joined:listen changed:whisper left:whisper ringing:consult joined:consult');
  });
  await desk.screenshot({ path: `${SHOTS}/agent-consult.png`, fullPage: true });
  await desk.click('#consult-cancel');
  await check('... and goes back to the customer (dave\'s leg left)', async () => {
    await desk.waitForSelector('#consult-join', { state: 'hidden', timeout: 5000 });
    await waitEvents('ringing:listen joined:listen changed:whisper left:whisper ringing:consult joined:consult left:consult');
  });
  await desk.click('#hangup');
  await check('bob hangs up from the desktop: the wrap-up shows', () => desk.waitForSelector('#wrapup', { state: 'visible', timeout: 10000 }));
  await check('the wallboard\'s live call goes', () => board.waitForSelector(cell, { state: 'detached', timeout: 10000 }));
  if (errors.length) notOk('no script errors in the pages', errors.join('; '));
} catch (e) {
  notOk('the browser test ran to its end', e.message);
} finally {
  await browser.close();
}
process.exit(status());
