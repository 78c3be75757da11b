// i18n.mjs — the pages in Simplified Chinese and English, in Chromium at
// a laptop's 1366x768, against a running hotline. test_i18n.sh starts the
// server, the users, 张伟 (a customer with an open ticket) and alice's
// SIPp phone; this script:
//   - with a Chinese browser (locale zh-CN): the agent desktop, the
//     wallboard, the tickets page (张伟's ticket open) and the admin page
//     are in Chinese, <html lang="zh-CN">, and no visible text, option,
//     placeholder, title or aria-label holds a run of 3 or more Latin
//     letters that is not data (the tenant's queue, agent, user, field and
//     code names, read from the API) or one of a few names (BRANDS);
//   - 张伟 calls (SIPp): the desktop pops him up, in Chinese, then shows
//     the call;
//   - the language picker switches a page to English and back;
//   - with an English browser: the same pages in English;
//   - the user's setting on the server (PATCH /api/v1/session, which the
//     picker sends): alice picks Chinese in an English browser, and her
//     pages are in Chinese in another English browser she signs in to.
// Screenshots zh-*.png and en-*.png go to SHOT_DIR. Prints "ok - ..." /
// "not ok - ..." lines; exits 1 when any failed.
import { spawn } from 'node:child_process';
import { URL, SHOTS, notOk, status, check, launch, openPage, signIn, waitText } from './lib.mjs';

// Names that stay as they are in every language: the product, protocols
// and the contact center's acronyms.
const BRANDS = ['Hotline', 'SIP', 'IVR', 'SLA', 'API', 'CRM', 'VIP', 'YAML', 'HTTP', 'UTC', 'docs/openapi.yaml', 'WAV', 'MP3', 'kHz'];

async function apiGet(path) {
  const r = await fetch(URL + path, { headers: { Authorization: 'Bearer test-token' } });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}

// The tenant's own names (data, in whatever language the tenant wrote
// them), lower-cased.
async function tenantWords(extra) {
  const [{ queues }, { agents }, { users }, { pause_reasons }, { dispositions }, { hours }, fields] = await Promise.all([
    apiGet('/api/v1/queues'), apiGet('/api/v1/agents'), apiGet('/api/v1/users'), apiGet('/api/v1/pause-reasons'),
    apiGet('/api/v1/dispositions'), apiGet('/api/v1/hours?limit=1000'), apiGet('/api/v1/fields')]);
  const words = [...queues.map((q) => q.name), ...agents.map((a) => a.name), ...users.flatMap((u) => [u.user, u.display]), ...extra,
    ...pause_reasons, ...dispositions, ...hours.map((h) => h.name),
    ...Object.values(fields).flat().flatMap((f) => [f.name, f.label, ...(f.options || [])])];
  return [...new Set(words.filter(Boolean).flatMap((w) => String(w).toLowerCase().split(/[^a-z0-9_-]+/)))];
}

// What the page shows in Latin letters that is neither data nor a brand:
// every visible text node (the options of a visible select included),
// the placeholder, title and aria-label of visible elements, the values
// of buttons, and the document's title. Left out: the tenant file's text
// and the audit log (records the server wrote, shown as stored), the IVR
// path (the names of the tenant's flow nodes) and the language picker
// (each language named in its own words).
function english(page, allowed) {
  return page.evaluate(({ allowed, brands }) => {
    const ok = new Set([...allowed, ...brands.map((b) => b.toLowerCase())]);
    const skip = (e) => e.closest('#tenant-yaml, #audit tbody, #offer-path, #call-path, #lang, script, style');
    const visible = (e) => {
      if (e.tagName === 'OPTION' || e.tagName === 'OPTGROUP') e = e.closest('select') || e;
      if (e instanceof SVGElement && e.tagName === 'title') e = e.parentElement;
      return e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
    };
    const found = [];
    const look = (text, where) => {
      // a word with its dots, slashes, dashes: "Asia/Shanghai", "docs/x.yaml"
      for (const m of String(text).matchAll(/[A-Za-z0-9_][A-Za-z0-9_./-]*/g)) {
        const w = m[0].replace(/[./-]+$/, '');
        if (!/[A-Za-z]{3,}/.test(w)) continue;
        if (ok.has(w.toLowerCase())) continue;
        if (/^[A-Z][a-z]+\/[A-Za-z_]+$/.test(w)) continue; // a time zone's name
        if (/^[a-z]{1,4}_[0-9a-f]{6,}$/.test(w)) continue; // an id: tk_1108fdba08729a1c
        if (w.split(/[._-]/).every((p) => ok.has(p.toLowerCase()) || !/[A-Za-z]{3,}/.test(p))) continue;
        found.push(`${where}: "${w}" in "${String(text).trim().slice(0, 50)}"`);
      }
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const e = n.parentElement;
      if (!e || skip(e) || !n.textContent.trim() || !visible(e)) continue;
      look(n.textContent, e.id ? `#${e.id}` : e.tagName.toLowerCase());
    }
    for (const e of document.body.querySelectorAll('[placeholder], [title], [aria-label], input[type=button], input[type=submit]')) {
      if (skip(e) || !visible(e)) continue;
      for (const a of ['placeholder', 'title', 'aria-label']) if (e.hasAttribute(a)) look(e.getAttribute(a), `${a} of #${e.id}`);
      if (e.tagName === 'INPUT' && /^(button|submit)$/.test(e.type)) look(e.value, `#${e.id}`);
    }
    look(document.title, 'title');
    return found;
  }, { allowed, brands: BRANDS });
}

async function noEnglish(page, allowed) {
  const found = await english(page, allowed);
  if (found.length) throw new Error(`${found.length} English: ${found.slice(0, 6).join('; ')}`);
}

// Wider than the window: something overflows.
async function fits(page) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  if (w > 1366) throw new Error(`the page is ${w} px wide`);
}

const browser = await launch();
const errors = [];
const viewport = { width: 1366, height: 768 };
try {
  const ticket = (await apiGet(`/api/v1/tickets?customer=${encodeURIComponent(process.env.TICKET_CUSTOMER)}`)).tickets[0];
  // who made the ticket (the API token's name) is data too
  const allowed = await tenantWords([ticket.creator]);

  // --- Chinese ---------------------------------------------------------------
  const front = await openPage(browser, viewport, errors, 'zh-CN');
  await check('zh: the start page and the survey are in Chinese', async () => {
    await front.goto(URL + '/');
    await waitText(front, 'main', /座席工作台[\s\S]*监控大屏[\s\S]*工单[\s\S]*管理/);
    await noEnglish(front, []);
    await front.goto(URL + '/survey?t=none');
    await waitText(front, 'main', /您对我们这次的服务满意吗/);
    await noEnglish(front, []);
  });
  const agent = await openPage(browser, viewport, errors, 'zh-CN');
  await agent.goto(URL + '/agent');
  await agent.waitForSelector('#signin-form', { state: 'visible' });
  await check('zh: the sign-in form is in Chinese, <html lang="zh-CN">', async () => {
    await waitText(agent, '#signin h2', /^登录$/);
    const lang = await agent.evaluate(() => document.documentElement.lang);
    if (lang !== 'zh-CN') throw new Error(`lang ${lang}`);
    await noEnglish(agent, allowed);
  });
  await signIn(agent, '/agent', 'alice', 'alice-secret');
  await check('zh: the desktop in Chinese: her state 已签出, the buttons 示闲 / 示忙', async () => {
    await waitText(agent, '#state', /^已签出$/);
    await waitText(agent, '#go-available', /^示闲$/);
    await waitText(agent, '#go-pause', /^示忙$/);
    await waitText(agent, '#my-tickets tbody', /发票抬头需要修改/);
  });
  await check('zh: the desktop has no English left', () => noEnglish(agent, allowed));
  await agent.screenshot({ path: `${SHOTS}/zh-agent.png`, fullPage: true });

  const board = await openPage(browser, viewport, errors, 'zh-CN');
  await signIn(board, '/wallboard', 'sam', 'sam-secret');
  await board.waitForSelector('body[data-live="1"]', { timeout: 10000 });
  await check('zh: the wallboard in Chinese: 服务水平, 平均应答速度, 平均处理时长, 放弃', async () => {
    await waitText(board, '#queues thead', /服务水平[\s\S]*平均应答速度[\s\S]*平均处理时长[\s\S]*放弃/);
    await waitText(board, '#agents tbody', /示忙（午餐）|示忙 \(午餐\)/);
  });

  // 张伟 calls sales; alice goes available and his card pops up
  const call = spawn('bash', ['-c', process.env.CALL_CMD], { stdio: 'ignore' });
  await check('zh: the wallboard counts him waiting', () => waitText(board, 'tr[data-queue="sales"] .waiting', /^1$/, 20000));
  await check('zh: the wallboard has no English left', () => noEnglish(board, allowed));
  await check('zh: the wallboard fits 1366 px', () => fits(board));
  await board.screenshot({ path: `${SHOTS}/zh-wallboard.png`, fullPage: true });
  await agent.click('#go-available');
  await check('zh: the call rings on the desktop: 来电 with his number', async () => {
    await agent.waitForSelector('#offer', { state: 'visible', timeout: 20000 });
    await waitText(agent, '#offer h2', /^来电$/);
    await waitText(agent, '#offer-caller', /\(415\) 555-0188/); // as read in the tenant's country (1)
  });
  await check('zh: ... with the name his phone sent, quotes and all: 张伟 "VIP"', () => waitText(agent, '#offer-name', /^张伟 "VIP"$/));
  await check('zh: his card pops up: VIP, his open ticket in Chinese', async () => {
    await waitText(agent, '#cust-tier', /^VIP$/);
    await waitText(agent, '#cust-open', /未完成工单（1）[\s\S]*发票抬头需要修改 · 新建 · 普通/);
  });
  await check('zh: ... with his name and company as written: 张伟, 北京华信科技有限公司', async () => {
    await waitText(agent, '#cust-name', /^张伟$/, 3000);
    await waitText(agent, '#cust-company', /^北京华信科技有限公司$/, 3000);
  });
  await check('zh: the ringing desktop has no English left', () => noEnglish(agent, allowed));
  await check('zh: the desktop fits 1366 px', () => fits(agent));
  await agent.screenshot({ path: `${SHOTS}/zh-agent-call.png`, fullPage: true });
  await check('zh: answered: 通话中 with the timer, 挂断 and 保持', async () => {
    await agent.waitForSelector('#call', { state: 'visible', timeout: 20000 });
    await waitText(agent, '#call h2', /^通话中$/);
    await waitText(agent, '#hold', /^保持$/);
    await waitText(agent, '#state', /^通话中$/);
  });
  await check('zh: the call on the desktop has no English left', () => noEnglish(agent, allowed));
  await check('zh: hung up: 话后处理 with the dispositions in Chinese', async () => {
    await agent.waitForSelector('#wrapup', { state: 'visible', timeout: 20000 });
    await waitText(agent, '#wrapup h2', /话后处理/);
    await waitText(agent, '#disposition', /成交/);
    await noEnglish(agent, allowed);
  });
  await agent.screenshot({ path: `${SHOTS}/zh-agent-wrapup.png`, fullPage: true });
  call.kill();

  const sam = await openPage(browser, viewport, errors, 'zh-CN');
  await signIn(sam, `/tickets#${ticket.id}`, 'sam', 'sam-secret');
  await check('zh: the tickets page: 张伟\'s ticket beside his card and timeline', async () => {
    await sam.waitForSelector(`body[data-ticket="${ticket.id}"]`, { timeout: 10000 });
    await waitText(sam, '#tk-subject', /^发票抬头需要修改$/);
    await waitText(sam, '#tk-history', /发票抬头需要修改；优先级普通，分类一般咨询，分配给 1001/);
    await waitText(sam, '#tk-fields', /首次响应期限/);
    await waitText(sam, '#list-count', /共 1 个工单|已加载/);
    await waitText(sam, '#cust-timeline tbody', /通话/);
  });
  await check('zh: ... his name as written: 张伟', () => waitText(sam, '#cust-name', /^张伟$/, 3000));
  await check('zh: the tickets page has no English left', () => noEnglish(sam, allowed));
  await check('zh: the tickets page fits 1366 px', () => fits(sam));
  await sam.screenshot({ path: `${SHOTS}/zh-tickets.png`, fullPage: true });

  const admin = await openPage(browser, viewport, errors, 'zh-CN');
  await signIn(admin, '/admin', 'admin', 'admin-pass');
  await admin.waitForSelector('body[data-ready="1"]');
  await check('zh: the admin page in Chinese: 用户, 队列, 座席, 工作时间', async () => {
    await waitText(admin, 'main', /用户[\s\S]*队列[\s\S]*座席[\s\S]*工作时间/);
    await waitText(admin, 'tr[data-queue="sales"] .strategy', /^最长空闲优先$/);
  });
  await check('zh: the admin page has no English left', () => noEnglish(admin, allowed));
  await check('zh: the admin page fits 1366 px', () => fits(admin));
  await admin.screenshot({ path: `${SHOTS}/zh-admin.png`, fullPage: true });

  // the picker: English for this browser, kept across a reload, then back
  await check('zh: the language picker switches the wallboard to English and back', async () => {
    await Promise.all([board.waitForNavigation(), board.selectOption('#lang', 'en')]);
    await waitText(board, '#queues thead', /Service level/);
    await board.reload();
    await waitText(board, '#queues thead', /Service level/);
    const lang = await board.evaluate(() => document.documentElement.lang);
    if (lang !== 'en') throw new Error(`lang ${lang}`);
    await Promise.all([board.waitForNavigation(), board.selectOption('#lang', 'zh-CN')]);
    await waitText(board, '#queues thead', /服务水平/);
  });
  // sam's choice was kept as his setting: back to his browser's language
  await board.evaluate(() => fetch('/api/v1/session', { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{"locale":""}' }));

  // --- English ----------------------------------------------------------------
  const pages = [['agent', '/agent', 'alice', 'alice-secret', '#go-available', /^Available$/],
    ['wallboard', '/wallboard', 'sam', 'sam-secret', '#queues thead', /Service level[\s\S]*ASA[\s\S]*AHT/],
    ['tickets', `/tickets#${ticket.id}`, 'sam', 'sam-secret', '#tk-fields', /First response due/],
    ['admin', '/admin', 'admin', 'admin-pass', '#nu-create', /^Create user$/]];
  for (const [name, path, user, pass, sel, re] of pages) {
    const p = await openPage(browser, viewport, errors, 'en-US');
    await signIn(p, path, user, pass);
    await check(`en: the ${name} page in English`, async () => {
      await waitText(p, sel, re);
      const lang = await p.evaluate(() => document.documentElement.lang);
      if (lang !== 'en') throw new Error(`lang ${lang}`);
      const zh = await p.evaluate(() => `${document.querySelector('h1').innerText} ${document.querySelector('#app').innerText}`.match(/[\u4e00-\u9fff]+/g) || []);
      // 张伟, his company and ticket are data; nothing else is Chinese
      const stray = zh.filter((w) => !/^(张伟|北京华信科技有限公司|发票抬头需要修改|客户要求把发票抬头改为公司全称|老客户|偏好电话联系)$/.test(w));
      if (stray.length) throw new Error(`Chinese left: ${stray.slice(0, 5).join(' ')}`);
    });
    await p.screenshot({ path: `${SHOTS}/en-${name}.png`, fullPage: true });
  }
  // --- the user's setting ------------------------------------------------------
  const mine = await openPage(browser, viewport, errors, 'en-US');
  await signIn(mine, '/agent', 'alice', 'alice-secret');
  await check('setting: alice picks 中文 in an English browser; the server keeps it', async () => {
    await waitText(mine, '#go-available', /^Available$/);
    await Promise.all([mine.waitForNavigation(), mine.selectOption('#lang', 'zh-CN')]);
    await waitText(mine, '#go-available', /^示闲$/);
    const who = await mine.evaluate(() => fetch('/api/v1/session').then((r) => r.json()));
    if (who.locale !== 'zh-CN') throw new Error(`session ${JSON.stringify(who)}`);
  });
  const other = await openPage(browser, viewport, errors, 'en-US');
  await signIn(other, '/tickets', 'alice', 'alice-secret');
  await check('setting: ... another English browser she signs in to shows her pages in Chinese', async () => {
    await waitText(other, '#list-title', /^我的工单$/);
    const lang = await other.evaluate(() => document.documentElement.lang);
    if (lang !== 'zh-CN') throw new Error(`lang ${lang}`);
  });
  await check('setting: a language tag that is not one is refused, naming the field', async () => {
    const r = await other.evaluate(() => fetch('/api/v1/session', { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{"locale":"zh CN<"}' })
      .then(async (x) => [x.status, (await x.json()).error.message]));
    if (r[0] !== 400 || !/^locale[:：]/.test(r[1])) throw new Error(JSON.stringify(r));
  });
  if (errors.length) notOk('no script errors', errors.join('; '));
} catch (e) {
  notOk('the pages in Chinese and English', e.message.split('\n')[0]);
} finally {
  await browser.close();
}
process.exit(status());
