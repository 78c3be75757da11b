#!/usr/bin/env python3
"""Every error text the API writes (the format of each api__reply_error
call in src/api/*.c, written as one literal) has a translation in each
server catalog (web/server/<tag>.json): a text missing there reaches a
Chinese reader in English. Usage: server_texts.py SRC_DIR CATALOG...
Prints the missing texts, one a line; exits 1 when there is one."""
import glob
import json
import re
import sys


def calls(src):
    """The argument text of each api__reply_error( ... ) call."""
    for m in re.finditer(r'\bapi__reply_error\(', src):
        i = j = m.end()
        depth = 1
        while depth and j < len(src):
            c = src[j]
            if c == '"':
                j += 1
                while src[j] != '"':
                    j += 2 if src[j] == '\\' else 1
            elif c == '(':
                depth += 1
            elif c == ')':
                depth -= 1
            j += 1
        yield src[i:j - 1]


def args(a):
    """Top-level arguments, split at commas outside strings and brackets."""
    out, cur, depth, k = [], '', 0, 0
    while k < len(a):
        c = a[k]
        if c == '"':
            e = k + 1
            while a[e] != '"':
                e += 2 if a[e] == '\\' else 1
            cur += a[k:e + 1]
            k = e + 1
            continue
        if c in '([':
            depth += 1
        elif c in ')]':
            depth -= 1
        if c == ',' and depth == 0:
            out.append(cur.strip())
            cur = ''
        else:
            cur += c
        k += 1
    out.append(cur.strip())
    return out


def formats(src_dir):
    for f in sorted(glob.glob(f'{src_dir}/api/*.c')):
        for a in calls(open(f, encoding='utf-8').read()):
            p = args(a)
            # the format: literals only (a choice between two is two texts,
            # each looked up; a sole "%s" passes a reason looked up itself)
            if len(p) < 5 or re.search(r'[^"\s]', re.sub(r'"(?:[^"\\]|\\.)*"', '', p[4])):
                continue
            lit = ''.join(re.findall(r'"((?:[^"\\]|\\.)*)"', p[4]))
            text = json.loads(f'"{lit}"')
            if text != '%s':
                yield f, text


def main():
    found = list(formats(sys.argv[1]))
    missing = 0
    for path in sys.argv[2:]:
        cat = json.load(open(path, encoding='utf-8'))
        for f, text in found:
            if text not in cat:
                print(f'{path}: {f}: {text}')
                missing += 1
    if len(found) < 100:
        print(f'only {len(found)} texts found: the reading of the sources broke')
        missing += 1
    sys.exit(1 if missing else 0)


main()
