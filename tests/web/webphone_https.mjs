// webphone_https.mjs — the desktop over HTTPS (hotline with http.tls_cert,
// a certificate openssl made for the test, which this Chromium is told to
// take): the page is a secure context, the phone takes the microphone and
// registers over wss://.../sip. Prints "ok - ..." / "not ok - ..." lines.
import { URL, SHOTS, status, check, launch, signIn, waitText } from './lib.mjs';

const browser = await launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--ignore-certificate-errors']);
const errors = [];
try {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'en-US', ignoreHTTPSErrors: true });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await check('the desktop over HTTPS: signed in, a secure context', async () => {
    await signIn(page, '/agent', 'alice', 'alice-secret');
    if (!(await page.evaluate(() => window.isSecureContext && location.protocol === 'https:'))) throw new Error('not secure');
  });
  await page.click('#phone-on');
  await check('the phone registers over wss (SIP over WebSocket through TLS)', async () => {
    await waitText(page, '#phone-state', /ready/, 25000).catch(async (e) => {
      throw new Error(`${e.message.split('\n')[0]}; the phone says "${await page.innerText('#phone-state')}" "${await page.innerText('#phone-error')}"`);
    });
    const [url, reg] = await page.evaluate(async () => [window.hotlinePhone.url, (await (await fetch('/api/v1/agents/1001')).json()).registered]);
    if (!url.startsWith('wss://') || !reg) throw new Error(`${url} registered=${reg}`);
  });
  await check('the phone has the microphone on HTTPS', async () => {
    const n = await page.evaluate(async () => (await navigator.mediaDevices.getUserMedia({ audio: true })).getAudioTracks().length);
    if (n !== 1) throw new Error(`${n} tracks`);
  });
  await page.screenshot({ path: `${SHOTS}/webphone-https.png` });
  await check('no script error on the page', () => { if (errors.length) throw new Error(errors.join('; ')); });
} catch (e) {
  console.log(`not ok - the desktop over HTTPS ran to its end: ${e.message.split('\n')[0]}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
process.exit(process.exitCode || status());
