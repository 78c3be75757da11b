// tickets.mjs — the tickets page in a real browser (Debian's Chromium,
// driven by playwright-core), against a running hotline. test_tickets.sh
// starts the server and makes the users, Ann's recorded call and the
// tickets (T1 breached, T2 and T3 on track in sales, T4 in support); this
// script signs in as supervisor sam and agent alice and:
//   - sam sees sales' tickets only, filters by SLA "breached" and sees T1
//     alone with a breached badge; opens it: the customer's card and
//     timeline beside it, newest first, her call playable in place;
//   - he reassigns it to 1001, adds an internal note and sets it pending,
//     each shown in the history;
//   - he sees its custom fields by their labels (a label with "<" shown
//     as text), is refused a number that is not one in the API's words,
//     then edits text, bool and choice from the form: shown, in the history;
//   - alice finds it in "my tickets" (and T3 only under "my group's"),
//     sees her list follow a change made elsewhere, resumes it, replies
//     and resolves it;
//   - screenshots go to SHOT_DIR.
// Prints "ok - ..." / "not ok - ..." lines; exits 1 when any failed.
import { URL, SHOTS, notOk, status, check, launch, openPage, signIn, waitText } from './lib.mjs';

const PAGE = '/tickets';
const { T1, T2, T3 } = process.env;


// The ids of the rows listed, once they are exactly want (in any order).
const waitRows = (page, want, timeout = 10000) =>
  page.waitForFunction((w) => {
    const ids = [...document.querySelectorAll('#tickets tbody tr[data-ticket]')].map((r) => r.dataset.ticket).sort();
    return ids.join() === w.slice().sort().join();
  }, want, { timeout }).catch(async (e) => {
    const ids = await page.locator('#tickets tbody tr[data-ticket]').evaluateAll((rs) => rs.map((r) => r.dataset.ticket));
    throw new Error(`rows ${ids.join() || 'none'}, want ${want.join()}`);
  });

// A change made outside the page, with the API token.
const patch = (id, body) => fetch(`${URL}/api/v1/tickets/${id}`, {
  method: 'PATCH', headers: { Authorization: 'Bearer test-token', 'Content-Type': 'application/json' }, body: JSON.stringify(body),
}).then((r) => { if (!r.ok) throw new Error(`PATCH ${r.status}`); });

const browser = await launch(['--autoplay-policy=no-user-gesture-required']);
const errors = [];
const ctx = () => openPage(browser, { width: 1440, height: 900 }, errors);
try {
  const sam = await ctx(), alice = await ctx();

  // --- the supervisor ---------------------------------------------------------
  await check('supervisor sam signs in to the tickets page', () => signIn(sam, PAGE, 'sam', 'sam-secret'));
  await check('the page goes live over the event stream', () => sam.waitForSelector('body[data-live="1"]', { timeout: 10000 }));
  await check('he sees the unfinished tickets of sales, not support\'s', () => waitRows(sam, [T1, T2, T3]));
  await check('each row has customer, priority, status, assignee, group, SLA badge and due times', async () => {
    const r = sam.locator(`tr[data-ticket="${T2}"]`);
    await waitText(sam, `tr[data-ticket="${T2}"] td.customer`, /^Ann Lee$/);
    const cells = await r.locator('td').allInnerTexts();
    if (cells[1] !== 'Wants a quote for 20 seats' || cells[3] !== 'normal' || cells[4] !== 'new' || cells[5] !== '1001' || cells[6] !== 'sales' || cells[7] !== 'on track')
      throw new Error(`cells ${JSON.stringify(cells)}`);
    if (!/\(in \d+ (second|minute|hour|day)s?\)$/.test(cells[8]) || !/\(in \d+ (second|minute|hour|day)s?\)$/.test(cells[9])) throw new Error(`due ${cells[8]} / ${cells[9]}`);
  });

  await sam.selectOption('#f-sla', 'breached');
  await check('filtered by SLA "breached": only the breached ticket', () => waitRows(sam, [T1]));
  await check('... with a red "breached" badge and its due times passed', async () => {
    await waitText(sam, `tr[data-ticket="${T1}"] .badge.sla.breached`, /^breached$/);
    const color = await sam.locator(`tr[data-ticket="${T1}"] .badge`).evaluate((b) => getComputedStyle(b).color);
    if (color !== 'rgb(207, 34, 46)') throw new Error(`badge colour ${color}`);
    await sam.waitForSelector(`tr[data-ticket="${T1}"] td.due-res.late`);
  });

  await sam.click(`tr[data-ticket="${T1}"] td.subject`);
  await check('he opens it: subject, description, fields', async () => {
    await waitText(sam, '#tk-subject', /^Invoice shows the wrong plan$/);
    await waitText(sam, '#tk-description', /Billed for Premium/);
    await waitText(sam, '#tk-fields [data-field="category"]', /^billing$/);
    await waitText(sam, '#tk-fields [data-field="escalations"]', /^2$/);
    await waitText(sam, '#tk-sla', /breached/);
    if (!sam.url().endsWith(`#${T1}`)) throw new Error(`url ${sam.url()}`);
  });
  await check('the status buttons are those the rules allow from new', async () => {
    const s = await sam.locator('#tk-actions button').evaluateAll((bs) => bs.map((b) => b.dataset.status).join());
    if (s !== 'open,pending,resolved') throw new Error(`buttons ${s}`);
  });
  await check('the customer\'s card beside it: Ann Lee, VIP, Acme', async () => {
    await waitText(sam, '#cust-name', /^Ann Lee$/);
    await waitText(sam, '#cust-tier', /^vip$/);
    await waitText(sam, '#cust-company', /Acme Widgets/);
    await waitText(sam, '#cust-notes', /Prefers e-mail/);
    const t = await sam.locator('#ticket').boundingBox(), c = await sam.locator('#customer').boundingBox();
    if (!(c.x >= t.x + t.width - 1 && c.y < t.y + t.height)) throw new Error(`ticket ${JSON.stringify(t)} customer ${JSON.stringify(c)}`);
  });
  await check('her timeline, newest first: the note, her two tickets, her call', async () => {
    await sam.waitForSelector('#cust-timeline tr[data-kind="call"] audio', { timeout: 10000 });
    const kinds = await sam.locator('#cust-timeline tbody tr').evaluateAll((rs) => rs.map((r) => r.dataset.kind).join());
    if (kinds !== 'note,ticket,ticket,call') throw new Error(`kinds ${kinds}`);
    await waitText(sam, '#cust-timeline tr[data-kind="note"]', /Checked the contract/);
  });
  await check('her recorded call plays in place', async () => {
    const secs = await sam.locator('#cust-timeline tr[data-kind="call"] audio').evaluate((a) => new Promise((done, fail) => {
      a.addEventListener('playing', () => { a.pause(); done(a.duration); }, { once: true });
      a.addEventListener('error', () => fail(new Error(`audio error ${a.error?.code}`)), { once: true });
      a.play().catch(fail);
    }));
    if (!(secs > 2)) throw new Error(`duration ${secs}`);
  });

  await sam.selectOption('#tk-assignee', '1001');
  await sam.click('#tk-assign');
  await check('he reassigns it to 1001: the history shows it', async () => {
    await waitText(sam, '#tk-history li[data-kind="assign"]', /sam · assign[\s\S]*1002 → 1001/);
    await waitText(sam, '#tk-fields [data-field="assignee"]', /^1001$/);
    await waitText(sam, `tr[data-ticket="${T1}"] td.assignee`, /^1001$/);
  });
  await sam.fill('#tk-note-text', 'Customer called twice; please call back today.');
  await sam.click('#tk-note-add');
  await check('he adds an internal note: in the history and on her timeline', async () => {
    await waitText(sam, '#tk-history li[data-kind="note"]', /internal note[\s\S]*Customer called twice/);
    await waitText(sam, '#tk-note-done', /Note added/);
    await sam.waitForFunction(() => /Customer called twice/.test(document.querySelector('#cust-timeline tbody tr[data-kind="note"]')?.innerText || ''), null, { timeout: 10000 });
  });
  await sam.click('#tk-actions button[data-status="pending"]');
  await check('he sets it pending: status and history follow, the list too', async () => {
    await waitText(sam, '#tk-status', /^pending$/);
    await waitText(sam, '#tk-history li[data-kind="status"]', /new → pending/);
    await waitText(sam, `tr[data-ticket="${T1}"] td:nth-child(5)`, /^pending$/);
    const s = await sam.locator('#tk-actions button').evaluateAll((bs) => bs.map((b) => `${b.dataset.status}:${b.innerText}`).join());
    if (s !== 'open:Resume,resolved:Resolve') throw new Error(`buttons ${s}`);
  });
  await check('its custom fields show by their labels, the labels as text', async () => {
    await waitText(sam, '#tk-custom-list [data-custom="order_no"]', /^INV-2231$/);
    const labels = await sam.locator('#tk-custom-list dt').allInnerTexts();
    if (labels.join('|') !== 'Order number|Refund requested|Reason|Amount <EUR>') throw new Error(`labels ${labels.join('|')}`);
    if (await sam.locator('#tk-custom-list eur').count()) throw new Error('a label was read as HTML');
    await waitText(sam, '#tk-custom-list [data-custom="refund"]', /^—$/);
  });
  await sam.click('#tk-custom-edit summary');
  await check('the form has an input of each type, filled from the ticket', async () => {
    const kinds = await sam.locator('#tk-custom-inputs input, #tk-custom-inputs select').evaluateAll((xs) =>
      xs.map((x) => `${x.name}:${x.tagName === 'INPUT' ? x.type : 'select'}`).join());
    if (kinds !== 'order_no:text,refund:checkbox,reason:select,amount:text') throw new Error(`inputs ${kinds}`);
    if (await sam.inputValue('#tkf-order_no') !== 'INV-2231') throw new Error('order_no not filled');
    const opts = await sam.locator('#tkf-reason option').allInnerTexts();
    if (opts.join() !== '—,damaged,late,wrong_plan') throw new Error(`options ${opts}`);
  });
  await sam.fill('#tkf-amount', 'ten');
  await sam.click('#tk-custom-save');
  await check('a number that is not one: refused in the API\'s words, the input marked', async () => {
    await waitText(sam, '#tk-custom-error', /^fields\.amount: a number expected$/);
    if (await sam.getAttribute('#tkf-amount', 'aria-invalid') !== 'true') throw new Error('amount not marked');
    if (await sam.inputValue('#tkf-amount') !== 'ten') throw new Error('the form lost what was typed');
  });
  await sam.fill('#tkf-amount', '');
  await sam.fill('#tkf-order_no', 'INV-2232');
  await sam.check('#tkf-refund');
  await sam.selectOption('#tkf-reason', 'damaged');
  await sam.click('#tk-custom-save');
  await check('he edits text, bool and choice from the form: shown and in the history', async () => {
    await waitText(sam, '#tk-custom-done', /Fields saved/);
    await waitText(sam, '#tk-custom-list [data-custom="order_no"]', /^INV-2232$/);
    await waitText(sam, '#tk-custom-list [data-custom="refund"]', /^yes$/);
    await waitText(sam, '#tk-custom-list [data-custom="reason"]', /^damaged$/);
    await waitText(sam, '#tk-history li[data-kind="fields"]', /sam · fields[\s\S]*order_no, reason, refund/);
    if (await sam.textContent('#tk-custom-error')) throw new Error('an error is still shown');
  });
  await sam.screenshot({ path: `${SHOTS}/tickets.png`, fullPage: true });

  // --- the agent --------------------------------------------------------------
  // one row a page (?limit=1), to page with "More"
  await check('agent alice signs in to the tickets page', () => signIn(alice, PAGE + '?limit=1', 'alice', 'alice-secret'));
  await alice.waitForSelector('body[data-live="1"]', { timeout: 10000 });
  await check('she starts on "my tickets", the latest changed first: the reassigned one', async () => {
    if (await alice.inputValue('#f-scope') !== 'mine') throw new Error('scope is not mine');
    const title = await alice.locator('#list-title').textContent();
    if (title !== 'My tickets') throw new Error(`title "${title}"`);
    await waitRows(alice, [T1]);
    await waitText(alice, `tr[data-ticket="${T1}"] .badge.sla`, /^breached$/);
  });
  await check('"More" pages on: her own as well, not 1002\'s, then no more', async () => {
    await alice.click('#more');
    await waitRows(alice, [T1, T2]);
    await alice.click('#more');
    await alice.waitForSelector('#more', { state: 'hidden', timeout: 10000 });
    await waitRows(alice, [T1, T2]);
  });
  await alice.goto(URL + PAGE); // pages of 50 again
  await alice.waitForSelector('body[data-live="1"]', { timeout: 10000 });
  await waitRows(alice, [T1, T2]);
  await alice.selectOption('#f-scope', 'group');
  await check('"my group\'s tickets" adds sales\' other ticket', () => waitRows(alice, [T1, T2, T3]));
  await alice.selectOption('#f-scope', 'mine');
  await waitRows(alice, [T1, T2]);
  await patch(T3, { assignee: '1001' });
  await check('a ticket given to her elsewhere appears live', () => waitRows(alice, [T1, T2, T3]));

  await alice.click(`tr[data-ticket="${T1}"] td.subject`);
  await check('she opens it beside Ann\'s timeline, with sam\'s note', async () => {
    await waitText(alice, '#tk-subject', /^Invoice shows the wrong plan$/);
    await waitText(alice, '#cust-name', /^Ann Lee$/);
    await waitText(alice, '#tk-history', /Customer called twice/);
  });
  await alice.click('#tk-actions button[data-status="open"]');
  await check('she resumes it', () => waitText(alice, '#tk-status', /^open$/));
  await alice.fill('#tk-note-text', 'Fixed: your next invoice shows Basic.');
  await alice.click('#tk-reply-add');
  await check('she sends a public reply: in the history as such', () => waitText(alice, '#tk-history li[data-kind="reply"]', /public reply[\s\S]*Fixed: your next invoice/));
  await alice.click('#tk-actions button[data-status="resolved"]');
  await check('she resolves it: it leaves her unfinished tickets', async () => {
    await waitText(alice, '#tk-status', /^resolved$/);
    await waitRows(alice, [T2, T3]);
  });
  await alice.screenshot({ path: `${SHOTS}/tickets-agent.png`, fullPage: true });
  await check('sam\'s page follows live: resolved, gone from his breached list', () => waitRows(sam, []));
  await check('no script errors in the pages', async () => { if (errors.length) throw new Error(errors.join('; ')); });
} catch (e) {
  notOk('the browser test ran to its end', e.message);
} finally {
  await browser.close();
}
process.exit(status());
