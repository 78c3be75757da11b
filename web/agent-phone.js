// agent-phone.js — the desktop's browser phone panel: the agent turns it
// on (kept per agent in this browser: the phone is this browser), it
// fetches the agent's SIP credentials and registers web/phone.js over the
// SIP WebSocket of the page's own origin (wss on HTTPS), so the ACD rings
// the agent here as it would a desk phone. The panel rings with the
// caller, answers, hangs up, mutes, sends tones and chooses the audio
// devices; hold and transfer stay the call panel's (hotline's routes).
import { api, $, el, t, tv, showNumber } from './common.js';
import { Phone } from './phone.js';

let phone = null;
let me;
const KEY = () => `hotline.phone.${me.extension}`;
const saved = () => { try { return JSON.parse(localStorage.getItem(KEY()) || '{}'); } catch { return {}; } };
const save = (o) => localStorage.setItem(KEY(), JSON.stringify({ ...saved(), ...o }));

function showState(state, reason) {
  const s = $('#phone-state');
  s.textContent = tv('phoneState', state) + (reason ? ` (${tv('phoneReason', reason)})` : '');
  s.dataset.state = state;
  s.className = `state phone-${state}`;
}

// The ring heard in the page while a call rings: 440 + 480 Hz, 2 s on,
// 4 s off (the North American ring), on the speaker the agent chose where
// the browser can. A page the agent has not touched yet may not play sound
// (autoplay rules): the panel's ring shows all the same.
let ringer = null;
function ringStart() {
  if (ringer) return;
  try {
    const ac = new AudioContext();
    const gain = ac.createGain();
    gain.gain.value = 0;
    for (const f of [440, 480]) {
      const o = ac.createOscillator();
      o.frequency.value = f;
      o.connect(gain);
      o.start();
    }
    gain.connect(ac.destination);
    const cycle = () => {
      const t0 = ac.currentTime;
      gain.gain.setValueAtTime(0.1, t0);
      gain.gain.setValueAtTime(0, t0 + 2);
    };
    cycle();
    ringer = { ac, timer: setInterval(cycle, 6000) };
    const sink = saved().speaker;
    if (sink && ac.setSinkId) ac.setSinkId(sink).catch(() => {});
  } catch { /* no audio here: the ring shows */ }
}
function ringStop() {
  if (!ringer) return;
  clearInterval(ringer.timer);
  ringer.ac.close().catch(() => {});
  ringer = null;
}

// The caller as the desktop shows numbers: a display name that is only a
// number (as hotline sends the caller's) is read as one.
function who(c) {
  const { name, user } = c.caller;
  // a name the caller's phone sent, with the number it came from
  if (name && !/^[+\d\s().-]+$/.test(name)) return user ? `${name} · ${showNumber(user)}` : name;
  return name || user ? showNumber(name || user) : t('phone.unknownCaller');
}

function onCall({ detail: c, target: p }) {
  $('#phone-error').textContent = '';
  $('#phone-ring').classList.toggle('hidden', c.state !== 'ringing');
  $('#phone-call').classList.toggle('hidden', c.state !== 'talking' && c.state !== 'answering');
  document.body.dataset.phoneCall = c.state;
  if (c.state === 'ringing') ringStart(); else ringStop();
  if (c.state === 'ringing') {
    $('#phone-caller').textContent = t('phone.ringing', { caller: who(c) });
    showState('ringing');
  } else if (c.state === 'talking') {
    $('#phone-talking').textContent = t('phone.talking', { caller: who(c) });
    showState('talking');
  } else if (c.state === 'ended') {
    setMute(false);
    showState(p.state);
    if (!['remote', 'local', 'cancelled', 'declined'].includes(c.reason))
      $('#phone-error').textContent = t('phone.ended', { reason: tv('phoneReason', c.reason) });
  }
}

function setMute(on) {
  if (phone) phone.setMuted(on);
  $('#phone-mute').textContent = on ? t('phone.unmute') : t('phone.mute');
  $('#phone-mute').setAttribute('aria-pressed', String(on));
}

// The microphones and speakers the browser lists (their names once the
// page may use the microphone), the saved choice selected.
async function loadDevices() {
  const s = saved();
  const devs = await navigator.mediaDevices.enumerateDevices();
  const opts = (kind, chosen) => [el('option', { value: '' }, t('phone.defaultDevice')),
    ...devs.filter((d) => d.kind === kind && d.deviceId && d.deviceId !== 'default').map((d, i) => {
      const o = el('option', { value: d.deviceId }, d.label || `${kind} ${i + 1}`);
      if (d.deviceId === chosen) o.selected = true;
      return o;
    })];
  $('#phone-mic').replaceChildren(...opts('audioinput', s.mic));
  $('#phone-speaker').replaceChildren(...opts('audiooutput', s.speaker));
  // setSinkId is not in every browser: the choice is not offered there
  $('#phone-speaker').disabled = !('setSinkId' in HTMLMediaElement.prototype);
  if ($('#phone-speaker').disabled) $('#phone-speaker').title = t('phone.noSpeakerChoice');
}

async function start() {
  $('#phone-error').textContent = '';
  if (!navigator.mediaDevices || !window.RTCPeerConnection) {
    $('#phone-error').textContent = t('phone.noMedia');
    $('#phone-on').checked = false;
    return;
  }
  try {
    const creds = await api(`/api/v1/agents/${encodeURIComponent(me.extension)}/phone`);
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/sip`;
    phone = new Phone({ url, creds, domain: location.hostname });
    const s = saved();
    phone.mic = s.mic || undefined;
    phone.speaker = s.speaker || undefined;
    phone.addEventListener('state', (e) => { if (!e.target.call) showState(e.detail.state, e.detail.state === 'failed' ? e.detail.reason : ''); });
    phone.addEventListener('call', onCall);
    window.hotlinePhone = phone; // for the browser test's checks of the audio
    phone.start();
  } catch (e) {
    $('#phone-error').textContent = e.message;
    $('#phone-on').checked = false;
    showState('off');
  }
}

async function stop() {
  const p = phone;
  phone = null;
  window.hotlinePhone = null;
  if (p) await p.stop();
  $('#phone-ring').classList.add('hidden');
  $('#phone-call').classList.add('hidden');
  showState('off');
}

export async function initPhone(who_) {
  me = who_;
  if (!me.extension) { $('#phone').classList.add('hidden'); return; }
  showState('off');
  $('#phone-on').onchange = async () => {
    save({ on: $('#phone-on').checked });
    if ($('#phone-on').checked) await start(); else await stop();
  };
  $('#phone-answer').onclick = () => phone?.answer();
  $('#phone-decline').onclick = () => phone?.decline();
  $('#phone-hangup').onclick = () => phone?.hangup();
  $('#phone-mute').onclick = () => setMute(!phone?.muted);
  $('#phone-dtmf').onclick = () => {
    const digits = $('#phone-digits').value.replace(/[^0-9*#A-D]/gi, '');
    if (digits && phone?.dtmf(digits)) $('#phone-digits').value = '';
  };
  $('#phone-mic').onchange = async () => {
    save({ mic: $('#phone-mic').value });
    try { await phone?.setMic($('#phone-mic').value); } catch (e) { $('#phone-error').textContent = e.message; }
  };
  $('#phone-speaker').onchange = async () => {
    save({ speaker: $('#phone-speaker').value });
    try { await phone?.setSpeaker($('#phone-speaker').value); } catch (e) { $('#phone-error').textContent = e.message; }
  };
  $('#phone-devices').addEventListener('toggle', () => { if ($('#phone-devices').open) loadDevices().catch(() => {}); });
  // the phone goes off with the page: the server hears the socket close
  window.addEventListener('pagehide', () => phone?.stop());
  // ready now: a tick before this (the page still loading) went nowhere
  $('#phone-on').disabled = false;
  if (saved().on) {
    $('#phone-on').checked = true;
    await start();
  }
}
