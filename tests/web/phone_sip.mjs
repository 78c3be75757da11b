// phone_sip.mjs — web/phone.js's SIP reading and digest hash without a
// browser: MD5 against node's, messages read strictly (compact and folded
// headers, a UTF-8 body's Content-Length in bytes) and the malformed ones
// refused. Usage: node phone_sip.mjs. Prints "ok - ..." / "not ok - ...".
import { createHash } from 'node:crypto';
import { md5, parse, param, uriOf, header } from '../../web/phone.js';

let failed = 0;
const result = (name, bad) => { if (bad) { console.log(`not ok - ${name}: ${bad}`); failed++; } else console.log(`ok - ${name}`); };
const refuses = (text) => { try { parse(text); return false; } catch { return true; } };
const msg = (head, body = '') => head.join('\r\n') + '\r\n\r\n' + body;
const base = ['Via: SIP/2.0/WSS h.invalid;branch=z9hG4bKx', 'From: "张 伟" <sip:4155550123@h>;tag=a1', 'To: <sip:1001@h>', 'Call-ID: c1', 'CSeq: 7 INVITE'];

const sizes = [0, 1, 3, 55, 56, 63, 64, 65, 119, 120, 1000];
result('md5 of strings of every padding length, and UTF-8, is node\'s',
  [...sizes.map((n) => 'a'.repeat(n)), '1001:hotline:秘密'].filter((s) => md5(s) !== createHash('md5').update(s).digest('hex')).map((s) => s.length).join(',') || null);

const body = 'v=0\r\ns=张\r\n';
const m = parse(msg(['INVITE sip:1001@x.invalid;transport=ws SIP/2.0', ...base.slice(0, 1), 'f: "张 伟" <sip:4155550123@h>;tag=a1',
  't: <sip:1001@h>', 'i: c1', 'CSeq: 7 INVITE', 'Subject: one', ' two', `l: ${Buffer.byteLength(body)}`], body));
result('a request with compact and folded headers and a UTF-8 body is read',
  m.method === 'INVITE' && m.cseq === 7 && header(m, 'call-id') === 'c1' && header(m, 'subject') === 'one two' && m.body === body ? null : JSON.stringify(m));
result('tags, parameters and URIs of name-addrs',
  param(header(m, 'from'), 'tag') === 'a1' && uriOf(header(m, 'from')) === 'sip:4155550123@h' && param('<sip:a@b;expires=9>;expires=60', 'expires') === '60' ? null : 'wrong');
const r = parse(msg(['SIP/2.0 401 Unauthorized', ...base]));
result('a response is read with its status', r.status === 401 && r.reason === 'Unauthorized' ? null : JSON.stringify(r));

const bad = {
  'no blank line': base.join('\r\n'),
  'a bad start line': msg(['INVITE sip:x SIP/3.0', ...base]),
  'a lower-case method': msg(['invite sip:x SIP/2.0', ...base]),
  'a status out of range': msg(['SIP/2.0 999 No', ...base]),
  'no Call-ID': msg(['BYE sip:x SIP/2.0', ...base.filter((h) => !h.startsWith('Call-ID'))]),
  'a CSeq without a method': msg(['BYE sip:x SIP/2.0', ...base.slice(0, 4), 'CSeq: 7']),
  'a header line without a colon': msg(['BYE sip:x SIP/2.0', ...base, 'Garbage']),
  'a folded first header': msg(['BYE sip:x SIP/2.0', ' folded', ...base]),
  'a Content-Length in characters, not bytes': msg(['BYE sip:x SIP/2.0', ...base, `Content-Length: ${body.length}`], body),
  'a Content-Length longer than the body': msg(['BYE sip:x SIP/2.0', ...base, 'Content-Length: 99'], 'v=0'),
};
result('malformed messages are refused, not half-read', Object.entries(bad).filter(([, t]) => !refuses(t)).map(([k]) => k).join(', ') || null);
process.exit(failed ? 1 : 0);
