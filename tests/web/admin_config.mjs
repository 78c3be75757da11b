// admin_config.mjs — the admin page's forms for the tenant in a real
// browser (Debian's Chromium, driven by playwright-core), against a
// running hotline with a writable tenant file (test_admin_config.sh
// starts it). The admin:
//   - makes agent 1009 in the Agents form: it shows in the reloaded table
//     with its skills and capacity; a skill level out of range and an
//     extension taken are refused, the error naming the field;
//   - edits 1009's skills with "Edit": the table shows the new levels;
//   - replaces the pause reasons and the dispositions (a bad code named);
//   - adds business hours with the seven days and a holiday (a bad day
//     named), then changes its holidays; the table shows each change;
//   - sees the tenant file's text follow the forms;
//   - a screenshot admin-config.png goes to SHOT_DIR.
// Prints "ok - ..." / "not ok - ..." lines; exits 1 when any failed.
import { URL, SHOTS, notOk, status, check, launch, openPage, waitText, waitValue } from './lib.mjs';

const browser = await launch();
const errors = [];
try {
  const page = await openPage(browser, { width: 1366, height: 900 }, errors);

  await page.goto(URL + '/admin');
  await page.waitForSelector('#signin-form', { state: 'visible' });
  await page.fill('#user', 'admin');
  await page.fill('#password', 'admin-pass');
  await page.click('#signin-btn');
  await check('the admin signs in; the agents, hours and codes panels load', async () => {
    await page.waitForSelector('body[data-ready="1"]', { timeout: 10000 });
    await page.waitForSelector('tr[data-agent="1004"]');
    await page.waitForSelector('tr[data-hours="always"]');
    await waitText(page, '#pr-now', /^break, lunch, training, meeting$/);
  });

  // a new agent
  await page.fill('#af-ext', '1009');
  await page.fill('#af-name', 'Nina');
  await page.fill('#af-password', 'nina-1009');
  await page.fill('#af-skills', 'english: 11');
  await page.fill('#af-voice', '1');
  await page.fill('#af-chat', '2');
  await page.click('#af-save');
  await check('a skill level out of range is refused, naming agents.skills', () => waitText(page, '#af-error', /^agents\.skills: .*english/));
  await check('... and no agent was made', async () => { if (await page.$('tr[data-agent="1009"]')) throw new Error('1009 listed'); });
  await page.fill('#af-skills', 'english: 7, billing: 3');
  await page.click('#af-save');
  await check('agent 1009 is made: saved and applied', () => waitText(page, '#af-done', /^1009: Saved and applied$/));
  await check('... the reloaded table shows it with its skills and capacity', async () => {
    await waitText(page, 'tr[data-agent="1009"] .name', /^Nina$/);
    await waitText(page, 'tr[data-agent="1009"] .skills', /^english 7, billing 3$/);
    await waitText(page, 'tr[data-agent="1009"] .capacity', /^voice 1, chat 2$/);
  });
  await check('... the form is ready for the next new agent', async () => {
    if (await page.inputValue('#af-ext') !== '' || await page.isDisabled('#af-ext')) throw new Error('form not reset');
  });
  await check('... and the users form offers its extension', async () => {
    if (!await page.$('#nu-ext option[value="1009"]')) throw new Error('no option 1009');
  });
  await page.fill('#af-ext', '1009');
  await page.fill('#af-password', 'other-1009');
  await page.click('#af-save');
  await check('the same extension again is refused, naming ext', () => waitText(page, '#af-error', /^ext: extension 1009 is an agent already/));

  // its skills edited
  await page.click('tr[data-agent="1009"] button');
  await check('"Edit" fills the form with the agent (extension fixed, password empty)', async () => {
    await waitValue(page, '#af-skills', /^english: 7, billing: 3$/);
    if (!await page.isDisabled('#af-ext') || await page.inputValue('#af-password') !== '') throw new Error('form state');
    if (await page.inputValue('#af-chat') !== '2') throw new Error('chat capacity');
  });
  await page.fill('#af-skills', 'english: 9, spanish: 4');
  await page.click('#af-save');
  await check('the edited skills are saved and shown in the table', async () => {
    await waitText(page, '#af-done', /^1009: Saved and applied$/);
    await waitText(page, 'tr[data-agent="1009"] .skills', /^english 9, spanish 4$/);
  });

  // pause reasons and dispositions
  await page.fill('#pr-codes', 'lunch, Coffee Break');
  await page.click('#pr-save');
  await check('a bad pause reason is refused, naming pause_reasons', () => waitText(page, '#pr-error', /^pause_reasons: .*Coffee/));
  await page.fill('#pr-codes', 'lunch, coffee, training');
  await page.click('#pr-save');
  await check('the pause reasons are replaced and reloaded', async () => {
    await waitText(page, '#pr-done', /^Saved and applied$/);
    await waitText(page, '#pr-now', /^lunch, coffee, training$/);
  });
  await page.fill('#disp-codes', 'sale, callback');
  await page.click('#disp-save');
  await check('the dispositions are replaced and reloaded', () => waitText(page, '#disp-now', /^sale, callback$/));

  // business hours
  await page.click('#hf-new');
  await page.fill('#hf-name', 'office');
  await page.fill('#hf-tz', 'Europe/Berlin');
  for (const d of ['mon', 'tue', 'wed', 'thu']) await page.fill(`#hf-${d}`, '09:00-17:00');
  await page.fill('#hf-fri', '9-3');
  await page.fill('#hf-sat', 'closed');
  await page.fill('#hf-holidays', '2026-12-25');
  await page.click('#hf-save');
  await check('a bad day is refused, naming hours.week and the day', () => waitText(page, '#hf-error', /^hours\.week: fri: "9-3"/));
  await page.fill('#hf-fri', '09:00-15:00');
  await page.click('#hf-save');
  await check('business hours office are added and shown in the table', async () => {
    await waitText(page, '#hf-done', /^office: Saved and applied$/);
    await waitText(page, 'tr[data-hours="office"] .tz', /^Europe\/Berlin$/);
    await waitText(page, 'tr[data-hours="office"] .fri', /^09:00-15:00$/);
    await waitText(page, 'tr[data-hours="office"] .sun', /^closed$/);
    await waitText(page, 'tr[data-hours="office"] .holidays', /^2026-12-25$/);
    await waitText(page, 'tr[data-hours="office"]', /open|closed/);
  });
  await page.click('tr[data-hours="office"] button');
  await waitValue(page, '#hf-mon', /^09:00-17:00$/);
  await page.fill('#hf-holidays', '2026-12-25, 2026-12-26');
  await page.click('#hf-save');
  await check('its holidays edited are shown in the table', () => waitText(page, 'tr[data-hours="office"] .holidays', /^2026-12-25, 2026-12-26$/));
  await page.click('tr[data-hours="office"] button');
  await waitValue(page, '#hf-mon', /^09:00-17:00$/);
  await page.fill('#hf-workdays', '2026-12-27');
  await page.click('#hf-save');
  await check('a make-up workday (调休) is saved from the hours form', () => waitValue(page, '#tenant-yaml', /workdays"?: \["2026-12-27"\]/));
  // a recorded prompt: an MP3 uploaded, converted, listed; a text file refused with the reason
  await page.setInputFiles('#pf-file', process.env.PROMPT_MP3);
  await page.fill('#pf-name', 'welcome');
  await page.click('#pf-upload');
  await check('an MP3 prompt is uploaded and kept as welcome.wav, its length shown', async () => {
    await waitText(page, '#pf-done', /^welcome\.wav kept \(2\.\d s\)$/);
    await waitText(page, '#prompts', /welcome\.wav/);
  });
  await page.setInputFiles('#pf-file', { name: 'notes.wav', mimeType: 'audio/wav', buffer: Buffer.from('not audio at all') });
  await page.fill('#pf-name', 'notes');
  await page.click('#pf-upload');
  await check('a file that is not audio is refused with the reason', () => waitText(page, '#pf-error', /notes\.wav: not audio .*not WAV, MP3/));
  await check('the tenant file\'s text follows the forms', async () => {
    await waitValue(page, '#tenant-yaml', /"name": "office"/);
    await waitValue(page, '#tenant-yaml', /"Nina"/);
    await waitValue(page, '#tenant-yaml', /# crm stays on one line/);
  });
  await page.locator('#agents').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/admin-config.png`, fullPage: true });
  await check('no script errors in the page', async () => { if (errors.length) throw new Error(errors.join('; ')); });
} catch (e) {
  notOk('the browser test ran to its end', e.message);
} finally {
  await browser.close();
}
process.exit(status());
