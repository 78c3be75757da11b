// number.js — a phone number as people read it in the tenant's country
// (issue 14), the rules of the server's crm_number_display: a number of
// that country in its national form, one of another country in its
// international form. China (86): mobiles 138 0013 8000, landlines
// 021 6123 4567 / 0571 8888 8888, 400 812 3123; from abroad
// +86 138 0013 8000. NANP (1): (415) 555-0100, from abroad
// +1 415 555 0100. A number without its country code is read in the
// country first; anything else is written as given. No DOM: the same
// table tests both (tests/data/numbers_display.txt).

// digits of d in groups of the given sizes (0: the rest), space-separated
function groups(d, sizes) {
  const out = [];
  for (const n of sizes) {
    if (!d) break;
    const k = n || d.length;
    out.push(d.slice(0, k));
    d = d.slice(k);
    if (!n) break;
  }
  return out.join(' ');
}

// A number without its country code read in country, as the server's
// crm_e164 does; null when it cannot be one.
function e164(s, country) {
  if (!/^[0-9 .()/-]+$/.test(s)) return null;
  let d = s.replace(/[^0-9]/g, '');
  if (d.startsWith('00')) d = d.slice(2);
  else {
    if (!country) return null;
    if (country === '1' && d[0] === '1') d = d.slice(1);
    else if (d[0] === '0') d = d.slice(1);
    if (d.length + country.length > 15 || d.length < 7 - country.length || d.length < 4) return null;
    return `+${country}${d}`;
  }
  return d.length >= 7 && d.length <= 15 && d[0] !== '0' ? `+${d}` : null;
}

export function numberDisplay(number, country) {
  const given = number == null ? '' : String(number);
  const s = given.startsWith('+') ? given : e164(given, country) || given;
  if (!/^\+[0-9]+$/.test(s)) return given;
  if (s.startsWith('+86')) {
    const n = s.slice(3);
    const home = country === '86';
    const intl = home ? '' : '+86 ';
    if (n.length === 11 && /^1[3-9]/.test(n)) return intl + groups(n, [3, 4, 0]);
    if (n.length === 10 && /^(400|800)/.test(n)) return intl + groups(n, [3, 3, 0]);
    if (n.length >= 9 && n.length <= 11 && (n[0] !== '1' || n.startsWith('10'))) {
      const area = n[0] === '2' || n.startsWith('10') ? 2 : 3;
      const first = n.length - area === 8 ? 4 : 3;
      return (home ? '0' : '+86 ') + groups(n, [area, first, 0]);
    }
    return given;
  }
  if (s.startsWith('+1') && s.length === 12) {
    const n = s.slice(2);
    return country === '1'
      ? `(${n.slice(0, 3)}) ${n.slice(3, 6)}-${n.slice(6)}`
      : `+1 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`;
  }
  return given;
}
