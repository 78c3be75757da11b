// pages.mjs — the pages in a real browser (Debian's Chromium, driven by
// playwright-core), against a running hotline. test_pages.sh starts the
// server, the users and the SIPp phones; this script signs in as agent
// alice, supervisor sam and the admin in three browser contexts and:
//   - the desktop takes a call: a SIPp caller waits in sales (the
//     wallboard's waiting count rises), alice goes available, the desktop
//     shows it ringing with the caller's number and IVR path, then the
//     call with its timer, then the wrap-up, saved with a disposition
//     (the wallboard's waiting count falls, answered rises);
//   - the admin makes a user in the admin page and that user can sign in;
//   - screenshots of the three pages go to SHOT_DIR.
// Prints "ok - ..." / "not ok - ..." lines; exits 1 when any failed.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { URL, SHOTS, notOk, status, check, launch, openPage, signIn, text, waitText } from './lib.mjs';

const browser = await launch();
const errors = [];
const ctx = () => openPage(browser, { width: 1366, height: 800 }, errors);
try {
  const agent = await ctx(), board = await ctx(), admin = await ctx();

  // a wrong password is shown on the form, not a blank page
  await agent.goto(URL + '/agent');
  await agent.waitForSelector('#signin-form', { state: 'visible' });
  await agent.fill('#user', 'alice');
  await agent.fill('#password', 'not-her-password');
  await agent.click('#signin-btn');
  await check('a wrong password is shown on the sign-in form', () => waitText(agent, '#signin-error', /wrong user name or password/));

  await check('agent alice signs in to the desktop', () => signIn(agent, '/agent', 'alice', 'alice-secret'));
  await check('the desktop shows her state: logged out', () => waitText(agent, '#state', /logged out/));
  await check('supervisor sam signs in to the wallboard', () => signIn(board, '/wallboard', 'sam', 'sam-secret'));
  await check('the wallboard goes live over the event stream', () => board.waitForSelector('body[data-live="1"]', { timeout: 10000 }));
  await check('the wallboard shows sales with nobody waiting', () => waitText(board, 'tr[data-queue="sales"] .waiting', /^0$/));
  await check('the wallboard shows support (sam\'s) and not wrap (not his)', async () => {
    const qs = await board.locator('#queues tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.queue));
    if (qs.join() !== 'sales,support') throw new Error(`queues ${qs.join()}`);
  });

  // a caller waits in sales: alice is logged out, 1002 paused
  const call = spawn('bash', ['-c', process.env.CALL_CMD], { stdio: 'ignore' });
  await check('the wallboard\'s waiting count rises to 1', () => waitText(board, 'tr[data-queue="sales"] .waiting', /^1$/, 20000));
  await board.screenshot({ path: `${SHOTS}/wallboard.png`, fullPage: true });

  await agent.click('#go-available');
  await check('alice goes available from the desktop', () => waitText(agent, '#state', /available|ringing/));
  await check('the desktop shows the call ringing with the caller\'s number', () => waitText(agent, '#offer-caller', /^\(415\) 555-0123$/));
  await check('the customer pops up: Ann Lee, VIP, with her history', async () => {
    await waitText(agent, '#cust-name', /^Ann Lee$/);
    await waitText(agent, '#cust-tier', /^vip$/);
    await waitText(agent, '#cust-company', /Acme/);
  });
  await check('... her plan by its label, and her open ticket with its SLA state', async () => {
    await waitText(agent, '#cust-fields', /Plan\s*pro/);
    await waitText(agent, '#cust-open', /Invoice question · new · normal on track/);
  });
  await check('... with the IVR path the caller took and the queue', async () => {
    const path = await text(agent, '#offer-path'), q = await text(agent, '#offer-queue');
    if (!/menu › sales/.test(path) || q !== 'sales') throw new Error(`path "${path}" queue "${q}"`);
  });
  await agent.screenshot({ path: `${SHOTS}/agent-ringing.png`, fullPage: true });
  await check('the phone answers: the desktop shows the call with a running timer', async () => {
    await agent.waitForSelector('#call', { state: 'visible', timeout: 15000 });
    await waitText(agent, '#call-timer', /^0:0[2-9]$/, 10000);
  });
  await agent.fill('#notes', 'Wants the premium plan.');
  await agent.click('#hold');
  await check('alice puts the caller on hold from the desktop', async () => {
    await agent.waitForSelector('#call-held', { state: 'visible', timeout: 5000 });
    await waitText(agent, '#hold', /^Resume$/);
  });
  await agent.screenshot({ path: `${SHOTS}/agent.png`, fullPage: true });
  await agent.click('#hold');
  await check('... and takes the call back', async () => {
    await agent.waitForSelector('#call-held', { state: 'hidden', timeout: 5000 });
    await waitText(agent, '#hold', /^Hold$/);
  });
  await check('the wallboard\'s waiting count falls to 0', () => waitText(board, 'tr[data-queue="sales"] .waiting', /^0$/));
  await check('the call ends: the wrap-up asks for a disposition, notes carried over', async () => {
    await agent.waitForSelector('#wrapup', { state: 'visible', timeout: 20000 });
    const notes = await agent.inputValue('#wrapup-notes');
    if (notes !== 'Wants the premium plan.') throw new Error(`notes "${notes}"`);
  });
  await agent.click('#ticket-create');
  await check('a ticket needs its required order number: refused, naming it', () => waitText(agent, '#wrapup-error', /order_no/));
  await agent.fill('#wuf-order_no', 'A-77');
  await agent.click('#ticket-create');
  await check('the agent makes a ticket from the call in one step', () => waitText(agent, '#ticket-done', /^Ticket tk_\w+ created \(new, normal/));
  await check('the ticket is in her tickets, assigned to her', () => agent.waitForSelector('#my-tickets tbody tr[data-ticket]', { timeout: 10000 }));
  await check('the wallboard lists it with its SLA state', () => board.waitForSelector('#tickets tbody tr[data-ticket] td.sla.on_track', { timeout: 10000 }));
  // resolved from the desktop: the survey link goes to the integrator's webhook (the
  // customer's channel), the customer answers on the page
  await agent.click('#my-tickets tbody tr[data-ticket] button');
  await check('she resolves it from her list', () => agent.waitForSelector('#my-tickets tbody tr[data-ticket]', { state: 'detached', timeout: 10000 }));
  let surveyUrl = '';
  for (let i = 0; i < 50 && !surveyUrl; i++) {
    const hooks = existsSync(process.env.HOOKS) ? readFileSync(process.env.HOOKS, 'utf8') : '';
    const link = hooks.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((l) => l.event === 'survey.link');
    surveyUrl = link ? link.body.data.url : '';
    if (!surveyUrl) await new Promise((r) => setTimeout(r, 100));
  }
  const customer = await ctx();
  await check('the customer opens the survey link and answers 5', async () => {
    await customer.goto(URL + surveyUrl);
    await customer.fill('#comment', 'Friendly and fast.');
    await customer.click('#scores button[data-score="5"]');
    await customer.waitForSelector('#thanks', { state: 'visible', timeout: 10000 });
  });
  await customer.screenshot({ path: `${SHOTS}/survey.png`, fullPage: true });
  await check('the link works only once', async () => {
    await customer.goto(URL + surveyUrl);
    await customer.click('#scores button[data-score="1"]');
    await waitText(customer, '#error', /answered already/);
  });
  await agent.selectOption('#disposition', 'sale');
  await agent.click('#wrapup-save');
  await check('the wrap-up is saved', () => waitText(agent, '#wrapup-done', /Saved/));
  await check('the call is in her history with its recording', async () => {
    await agent.waitForSelector('#history tbody tr audio', { timeout: 10000 });
  });
  await check('the wallboard counts the call answered', () =>
    board.waitForFunction(() => document.querySelector('tr[data-queue="sales"] td:nth-child(9)')?.innerText === '1', null, { timeout: 10000 }));
  await check('the wallboard\'s chart shows this hour\'s call', () =>
    board.waitForFunction(() => [...document.querySelectorAll('#chart rect[data-kind="answered"]')].some((r) => r.dataset.value === '1'), null, { timeout: 10000 }));
  await board.screenshot({ path: `${SHOTS}/wallboard-after.png`, fullPage: true });
  call.kill();

  // an unknown caller becomes a customer from the desktop in one step
  const call2 = spawn('bash', ['-c', process.env.CALL2_CMD], { stdio: 'ignore' });
  await check('an unknown caller: the desktop offers to make a customer', async () => {
    await agent.waitForSelector('#cust-new', { state: 'visible', timeout: 20000 });
    await waitText(agent, '#cust-new-number', /^4155550177$/);
  });
  await agent.fill('#cust-new-name', 'Carl New');
  await agent.fill('#cust-new-company', 'Newco');
  await agent.click('#cust-create');
  await check('... made in one step, shown as the caller', () => waitText(agent, '#cust-name', /^Carl New$/));
  await agent.screenshot({ path: `${SHOTS}/agent-customer.png`, fullPage: true });
  call2.kill();

  // admin: make a user in the page; it takes effect (that user signs in)
  await check('the admin signs in to the admin page', () => signIn(admin, '/admin', 'admin', 'admin-pass'));
  await admin.waitForSelector('body[data-ready="1"]');
  await admin.fill('#nu-name', 'bob');
  await admin.selectOption('#nu-role', 'agent');
  await admin.selectOption('#nu-ext', '1002');
  await admin.fill('#nu-password', 'short');
  await admin.click('#nu-create');
  await check('a bad password is refused, the field named', () => waitText(admin, '#nu-error', /^password:/));
  await admin.fill('#nu-password', 'bob-secret-1');
  await admin.click('#nu-create');
  await check('the admin makes agent bob (1002)', () => admin.waitForSelector('tr[data-user="bob"]', { timeout: 10000 }));
  await check('the audit log in the page shows it', () => waitText(admin, '#audit', /user\.create/));
  // the tenant file: a mistake is shown at its line, the fixed file saved
  await admin.waitForFunction(() => document.querySelector('#tenant-yaml').value.includes('queues:'));
  const badLine = await admin.evaluate(() => {
    const ta = document.querySelector('#tenant-yaml');
    ta.value = ta.value.replace('name: sales, strategy: longest-idle', 'name: sales, strategy: fastest');
    return ta.value.split('\n').findIndex((l) => l.includes('strategy: fastest')) + 1;
  });
  await admin.click('#tenant-check');
  await check('a bad strategy in the tenant file is shown at its line', async () => {
    await admin.waitForSelector(`#tenant-errors li[data-line="${badLine}"]`, { timeout: 5000 });
    await waitText(admin, '#tenant-errors', /fastest/);
  });
  await admin.click('#tenant-save');
  await check('... and a file with errors is not saved', () => waitText(admin, '#tenant-errors', /fastest/));
  await admin.evaluate(() => {
    const ta = document.querySelector('#tenant-yaml');
    ta.value = ta.value.replace('strategy: fastest', 'strategy: ring-all');
  });
  await admin.click('#tenant-save');
  await check('the fixed file is saved and applied at once', () => waitText(admin, '#tenant-done', /^Saved and applied$/));
  await check('... sales rings all now, in the queues table', () => waitText(admin, 'tr[data-queue="sales"] .strategy', /^ring-all$/));
  await admin.screenshot({ path: `${SHOTS}/admin.png`, fullPage: true });

  // a supervisor edits its queue in admin and sees it take effect: the
  // table and the wallboard show the new target at once
  const samAdmin = await ctx();
  await check('supervisor sam signs in to the admin page', () => signIn(samAdmin, '/admin', 'sam', 'sam-secret'));
  await samAdmin.waitForSelector('body[data-ready="1"]');
  await check('... sees the queues, not the users, tokens, tenant file or audit', async () => {
    await samAdmin.waitForSelector('tr[data-queue="sales"]');
    if (await samAdmin.isVisible('#users') || await samAdmin.isVisible('#tenant-yaml') || await samAdmin.isVisible('#audit')) throw new Error('admin sections shown');
    if (await samAdmin.$('tr[data-queue="wrap"]')) throw new Error('a queue sam does not supervise is listed');
  });
  await samAdmin.click('tr[data-queue="sales"] button');
  await samAdmin.fill('#qf-skills', 'billing: 5');
  await samAdmin.click('#qf-save');
  await check('a skill its members lack is refused, naming them', () => waitText(samAdmin, '#qf-error', /member 100[12] lacks skill billing/));
  await samAdmin.fill('#qf-skills', '');
  await samAdmin.fill('#qf-members', '1001, 9999');
  await samAdmin.click('#qf-save');
  await check('a member who is not an agent is refused, naming the key', () => waitText(samAdmin, '#qf-error', /members.*9999/));
  await samAdmin.fill('#qf-members', '1001, 1002');
  await samAdmin.fill('#qf-target', '90');
  await samAdmin.fill('#qf-wrapup', '2');
  await samAdmin.selectOption('#qf-strategy', 'linear');
  await samAdmin.click('#qf-save');
  await check('sam saves sales: saved and applied', () => waitText(samAdmin, '#qf-done', /^Saved and applied$/));
  await check('... the queues table shows linear and 90 %', async () => {
    await waitText(samAdmin, 'tr[data-queue="sales"] .strategy', /^linear$/);
    await waitText(samAdmin, 'tr[data-queue="sales"] .target', /^90 %$/);
  });
  await check('... and the wallboard shows the new target live', () => waitText(board, 'tr[data-queue="sales"]', /\/ 90 %/));
  await samAdmin.screenshot({ path: `${SHOTS}/admin-supervisor.png`, fullPage: true });
  const bob = await ctx();
  await check('bob signs in to the desktop', () => signIn(bob, '/agent', 'bob', 'bob-secret-1'));
  await check('alice\'s desktop refuses a supervisor page (wallboard) for her role', async () => {
    await agent.goto(URL + '/wallboard');
    await waitText(agent, '#signin-error', /for supervisor and admin users/);
  });
  await check('no script errors in the pages', async () => { if (errors.length) throw new Error(errors.join('; ')); });
} catch (e) {
  notOk('the browser test ran to its end', e.message);
} finally {
  await browser.close();
}
process.exit(status());
