#!/usr/bin/python3
"""Issue 16: customers' values are data in the report's survival section.

Writes a small data set whose segment names are hostile (markup, quotes and
ampersands, a CDATA end, Arabic wrapped in right-to-left marks and an
override), imports it with `cxkit import`, writes the report in English and
Arabic, and checks without a browser that
  - the report has no script, event handler or external resource
    (check_report.static_problems) and no markup from the names;
  - the survival, log-rank and Cox tables hold the names as text, cell for
    cell equal to `cxkit retention DB survival|logrank|cox ... --format json`
    (check_report's expectations of those tables);
  - the curves' tooltips (<title>) and legend name each segment exactly.

Prints TAP; exit 0 when every check passed, 1 otherwise.
usage: check_hostile.py --cxkit build/tools/cxkit --out-dir DIR
"""

import argparse
import datetime
import html.parser
import os
import random
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_report as cr  # noqa: E402

SEGMENTS = [
    '<script>alert("x")</script>',
    'a "quoted" & \'single\' ]]> <b onload=x>',
    '\u200f\u0639\u0645\u0644\u0627\u0621 \u202e\u0645\u0645\u064a\u0632\u0648\u0646\u202c\u200f',
]
# what the report writes of them: control characters dropped (none here:
# the marks are format characters and stay)
ISOLATES = '\u2066\u2067\u2068\u2069'


def write_data(d):
    random.seed(16)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'customers.csv'), 'w', encoding='utf-8') as f:
        f.write('id,segment,region,plan,acquired,name,language\n')
        for i in range(90):
            seg = '"' + SEGMENTS[i % 3].replace('"', '""') + '"'
            f.write('C-%03d,%s,north,%s,,n,en\n' % (i, seg, ('basic', 'plus')[i % 2]))
    with open(os.path.join(d, 'transactions.csv'), 'w', encoding='utf-8') as f:
        f.write('id,customer,time,amount\n')
        k, base = 0, datetime.datetime(2024, 1, 1)
        for i in range(90):
            t = base + datetime.timedelta(days=random.randint(0, 200))
            for j in range(random.randint(1, 6)):
                f.write('X-%05d,C-%03d,%s,%.2f\n' % (k, i, t.strftime('%Y-%m-%dT%H:%M:%SZ'), 10 + j))
                k += 1
                t += datetime.timedelta(days=random.randint(5, 150 if i % 3 else 60))


class Scan(html.parser.HTMLParser):
    """The body rows of every table[data-table] (cells' text, whitespace
    collapsed, as the browser check reads them), and the texts of the
    <title> of the marks and of the legends of the survival chart."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self.table, self.row, self.cell = {}, None, None, None
        self.in_body = False
        self.chart, self.stack, self.titles, self.legends = None, [], [], []
        self.text = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'table' and a.get('data-table'):
            self.table = self.tables.setdefault(a['data-table'], [])
        elif tag == 'tbody' and self.table is not None:
            self.in_body = True
        elif tag == 'tr' and self.in_body:
            self.row = []
        elif tag in ('td', 'th') and self.row is not None:
            self.cell = []
        if tag == 'svg' and a.get('data-chart') == 'survival':
            self.chart = True
        if self.chart:
            cls = (a.get('class') or '').split()
            self.stack.append(tag if not cls else tag + '.' + cls[0])
            if tag in ('title', 'text'):
                self.text = []

    def handle_endtag(self, tag):
        if tag in ('td', 'th') and self.cell is not None:
            self.row.append(re.sub(r'\s+', ' ', ''.join(self.cell)).strip())
            self.cell = None
        elif tag == 'tr' and self.row is not None:
            self.table.append(self.row)
            self.row = None
        elif tag == 'tbody':
            self.in_body = False
        elif tag == 'table':
            self.table = None
        if self.chart:
            if tag in ('title', 'text') and self.text is not None:
                t = ''.join(self.text)
                if tag == 'title' and len(self.stack) >= 2 and self.stack[-2].startswith('path.mark'):
                    self.titles.append(t)
                elif tag == 'text' and any(s == 'g.legend' for s in self.stack):
                    self.legends.append(t)
                self.text = None
            if self.stack:
                self.stack.pop()
            if tag == 'svg':
                self.chart = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)
        if self.text is not None:
            self.text.append(data)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--cxkit', required=True)
    ap.add_argument('--out-dir', required=True)
    opts = ap.parse_args(argv)
    res = cr.Results()
    data = os.path.join(opts.out_dir, 'data')
    db = os.path.join(opts.out_dir, 'hostile.db')
    write_data(data)
    for p in (db, db + '-wal', db + '-shm', db + '-journal'):
        if os.path.exists(p):
            os.remove(p)
    p = subprocess.run([opts.cxkit, 'import', db, data], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if not res.add(p.returncode == 0, 'cxkit import of the hostile data', p.stderr.decode('utf-8', 'replace')):
        cr.print_tap(res.items)
        return 1
    try:
        _, tables = cr.expectations(opts.cxkit, db, chart_specs=[], table_specs=[
            t for t in cr.TABLES if t['id'] in ('survival', 'logrank', 'cox')])
    except cr.Failure as e:
        res.add(False, 'the expected tables come from cxkit', str(e))
        cr.print_tap(res.items)
        return 1
    names = set(SEGMENTS)
    for lang in cr.LANGS:
        out = os.path.join(opts.out_dir, 'hostile-%s.html' % lang)
        p = subprocess.run([opts.cxkit, 'report', db, '-o', out, '--lang', lang], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        if not res.add(p.returncode == 0 and os.path.isfile(out), '%s: cxkit report writes %s' % (lang, out),
                       p.stderr.decode('utf-8', 'replace')):
            continue
        with open(out, encoding='utf-8') as f:
            text = f.read()
        probs = cr.static_problems(text)
        res.add(not probs, '%s: no script, handler or external resource' % lang, '; '.join(probs[:10]))
        res.add('<b onload' not in text and '<script' not in text.lower(), '%s: no markup from the names' % lang)
        scan = Scan()
        scan.feed(text)
        scan.close()
        for tid, e in tables.items():
            got = scan.tables.get(tid)
            if not res.add(got is not None, '%s: table %s is present' % (lang, tid)):
                continue
            want = e['cells'][lang]
            bad = [(w, g) for w, g in zip(want, got) if len(w) != len(g) or
                   not all(cr.cell_matches(a, b) for b, a in zip(w, g))]
            res.add(len(got) == len(want) and not bad, '%s: table %s cells equal %s' % (lang, tid, e['cmd']),
                    'expected %r, found %r' % (want, got))
        shown = {row[0] for row in scan.tables.get('survival', [])}
        res.add(names <= shown, '%s: the survival table names every segment as text' % lang,
                'missing: %r' % (names - shown))
        titled = {t.rsplit(':', 1)[0] for t in scan.titles}
        res.add(names <= titled, '%s: each curve\'s <title> names its segment' % lang,
                'titles: %r' % scan.titles)
        legend = ' '.join(scan.legends)
        res.add(all(n.translate({ord(c): None for c in ISOLATES}) in legend.translate(
            {ord(c): None for c in ISOLATES}) for n in names),
                '%s: the legend names every segment' % lang, 'legend: %r' % scan.legends)
    cr.print_tap(res.items)
    return 0 if not res.failed() else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
