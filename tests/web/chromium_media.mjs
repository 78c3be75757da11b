// Chromium as the browser's media: takes offer.sdp from DIR, answers,
// writes answer.sdp, then reports what it got (getStats) after some seconds.
import { chromium } from 'playwright-core';
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
const dir = process.argv[2], secs = +(process.argv[3] || 5);
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--allow-loopback-in-peer-connection',
         '--disable-features=WebRtcHideLocalIpsWithMdns',
         '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] });
const page = await b.newPage();
// a secure context (127.0.0.1) for getUserMedia
await page.goto(process.argv[4] || 'about:blank');
while (!existsSync(dir + '/offer.sdp')) await new Promise(r => setTimeout(r, 50));
const offer = readFileSync(dir + '/offer.sdp', 'utf8');
let answer;
try {
  answer = await page.evaluate(async (sdp) => {
    const pc = new RTCPeerConnection();
    window.pc = pc;
    window.states = [];
    pc.oniceconnectionstatechange = () => window.states.push('ice:' + pc.iceConnectionState);
    pc.onconnectionstatechange = () => window.states.push('pc:' + pc.connectionState);
    const ms = await navigator.mediaDevices.getUserMedia({ audio: true });
    await pc.setRemoteDescription({ type: 'offer', sdp });
    ms.getTracks().forEach(t => pc.addTrack(t, ms));
    const a = await pc.createAnswer();
    await pc.setLocalDescription(a);
    await new Promise(r => { if (pc.iceGatheringState === 'complete') r(); else pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') r(); }; setTimeout(r, 3000); });
    return pc.localDescription.sdp;
  }, offer);
} catch (e) { console.log('not ok - chromium took the offer: ' + e.message.split('\n')[0]); console.log(offer); await b.close(); process.exit(1); }
writeFileSync(dir + '/answer.sdp.tmp', answer); renameSync(dir + '/answer.sdp.tmp', dir + '/answer.sdp');
console.log('ok - chromium answered');
await new Promise(r => setTimeout(r, secs * 1000));
const st = await page.evaluate(async () => {
  const out = { states: window.states };
  (await window.pc.getStats()).forEach(s => {
    if (s.type === 'inbound-rtp') out.in = s.packetsReceived;
    if (s.type === 'outbound-rtp') out.out = s.packetsSent;
    if (s.type === 'transport') out.dtls = s.dtlsState + ' ' + (s.srtpCipher || '');
  });
  return out;
});
console.log(JSON.stringify(st));
await b.close();
