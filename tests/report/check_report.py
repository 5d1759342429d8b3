#!/usr/bin/python3
"""Issue 12: checks `cxkit report` in a real browser (headless Chromium).

For each language (en, ar) the report is
  - screenshot by Chromium (1280 px wide, and 390 px wide for Arabic) and each
    PNG is checked: a valid PNG of the window's size, not of one colour;
  - measured in the browser: a temporary copy of the report gets a <script>
    that, once laid out, counts the drawn marks of every svg.chart (elements
    of class "mark" shown with a non-empty box), reads the rows of every
    table[data-table], the page's direction and language, and writes them as
    JSON into a <pre id="cx-measure">, read back through --dump-dom. The
    report itself stays script-free: only the copy is instrumented;
  - compared with what the same database gives through the cxkit commands
    the report uses (--format json): the CHARTS and TABLES lists below say,
    for every chart and table, the command and how the expected count
    follows from its rows. Change them there when the report changes.
  - checked to be self-contained: no <script>, no event handler attribute,
    no javascript: URL, nothing loaded from http(s):// or // (src, href,
    @import, url(...)).

Prints a TAP stream (one line per check, "1..N" plan) and the paths of the
screenshots. Exit status 0 when every check passed, 1 otherwise, 2 on bad
usage. Standard library only.

Typical runs:
  check_report.py --cxkit build/tools/cxkit --db demo.db --import examples/data \\
      --out-dir build/tests/report --expect-first-pain-point home_delivery
  check_report.py --cxkit build/tools/cxkit --db demo.db \\
      --en report-en.html --ar report-ar.html --out-dir /tmp/shots
  add --self-test to feed the checker broken copies of the reports instead
  (a missing chart, a wrong count, a left-to-right Arabic page, a script...)
  and check that it fails each time.
"""

import argparse
import html
import html.parser
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import zlib

CHROMIUM_TIMEOUT = 120          # seconds for one Chromium run
CXKIT_TIMEOUT = 120             # seconds for one cxkit command
VIRTUAL_TIME_MS = 5000
WIDE = (1280, 6000)             # the desktop screenshots, both languages
PHONE = (390, 6000)             # the phone screenshot
PHONE_LANG = 'ar'
MIN_WINDOW_WIDTH = 500        # Chromium's narrowest layout viewport
LANGS = ('en', 'ar')

# --------------------------------------------------------------------------
# What the report shows, as data. cmd: the arguments after `cxkit` ("DB" is
# the database; --format json is added), or a function of `run` (which runs
# a command and returns its rows) giving them. count: rows -> expected marks.


def nonnull(field):
    return lambda rows: sum(1 for r in rows if r.get(field) is not None)


def funnel_cmd(run):
    steps = []
    for r in run(['journeys', 'DB', 'stages']):
        if (r.get('reached') or 0) > 0:
            steps += ['--step', 'stage:' + str(r['stage'])]
    return ['journeys', 'DB', 'funnel'] + steps


def sankey_parts(rows):
    nodes, links = set(), set()
    for r in rows:
        steps = str(r['path']).split(' > ')
        for k, s in enumerate(steps):
            nodes.add((k, s))
            if k + 1 < len(steps):
                links.add((k, s, steps[k + 1]))
    return len(nodes), len(links)


ATTRIBUTION_MODELS = ('markov', 'first_touch', 'last_touch', 'linear', 'time_decay', 'position_based')
METRICS_MONTH = ['metrics', 'DB', '--measure', 'nps,csat,ces', '--by', 'month']
METRICS_CHANNEL = ['metrics', 'DB', '--measure', 'nps,csat,ces,fcr', '--by', 'channel']
METRICS_AGENT = ['metrics', 'DB', '--measure', 'contacts,handle_time,fcr,csat,nps', '--by', 'agent']

CHARTS = [
    {'id': 'trend-nps', 'cmd': METRICS_MONTH, 'count': nonnull('nps')},
    {'id': 'trend-csat', 'cmd': METRICS_MONTH, 'count': nonnull('csat')},
    {'id': 'trend-ces', 'cmd': METRICS_MONTH, 'count': nonnull('ces')},
    {'id': 'channel-nps', 'cmd': METRICS_CHANNEL, 'count': nonnull('nps')},
    {'id': 'channel-csat', 'cmd': METRICS_CHANNEL, 'count': nonnull('csat')},
    {'id': 'channel-ces', 'cmd': METRICS_CHANNEL, 'count': nonnull('ces')},
    {'id': 'touchpoint-csat', 'cmd': ['metrics', 'DB', '--measure', 'csat,nps', '--by', 'touchpoint'],
     'count': lambda rows: min(15, nonnull('csat')(rows))},
    # a step nobody entered is still a mark, of zero width: zero_ok says how
    # many marks may have an empty box
    {'id': 'funnel', 'cmd': funnel_cmd, 'count': len,
     'zero_ok': lambda rows: sum(1 for r in rows if not r.get('entered'))},
    {'id': 'sankey', 'cmd': ['journeys', 'DB', 'paths', '--top', '10'],
     'count': lambda rows: sum(sankey_parts(rows)), 'sankey': sankey_parts},
    {'id': 'attribution', 'cmd': ['journeys', 'DB', 'attribution', '--level', 'channel'],
     'count': lambda rows: sum(1 for r in rows for m in ATTRIBUTION_MODELS if r.get(m) is not None)},
    {'id': 'retention', 'cmd': ['retention', 'DB', 'cohorts'], 'count': nonnull('retention')},
    {'id': 'survival', 'cmd': ['retention', 'DB', 'curve', '--by', 'segment'],
     'count': lambda rows: len({json.dumps(r.get('group')) for r in rows})},
    {'id': 'pain-points', 'cmd': ['journeys', 'DB', 'pain-points'], 'count': lambda rows: min(10, len(rows))},
    {'id': 'agents-fcr', 'cmd': METRICS_AGENT, 'count': nonnull('fcr')},
]

def themes_cmd(run):
    """The themes of the first pain point's touchpoint, as the report asks for them."""
    pain = run(['journeys', 'DB', 'pain-points'])
    tp = pain[0]['touchpoint'] if pain else 'none'
    return ['text', 'DB', 'themes', '--touchpoint', str(tp), '--min-count', '5']


def low_themes(rows):
    """The report shows at most five themes, those of the detractors (z > 0)."""
    n = 0
    while n < len(rows) and n < 5 and (rows[n].get('z') or 0) > 0:
        n += 1
    return n


LIFECYCLE_PARTS = ('new', 'returning', 'resurrecting', 'dormant')
SURVIVAL_CURVE = ['retention', 'DB', 'curve', '--by', 'segment']


def curve_groups(rows):
    """The curves' rows per group, groups in the order of the rows (as the chart's curves)."""
    groups = {}
    for r in rows:
        groups.setdefault(json.dumps(r.get('group')), []).append(r)
    return list(groups.values())


def at_risk(rows, t):
    """Subjects at risk at time t: at_risk of the first step at or after t, 0 past the last."""
    for r in rows:
        if r['time'] is not None and r['time'] >= t:
            return r['at_risk']
    return 0


CHARTS += [
    {'id': 'lifecycle', 'cmd': ['retention', 'DB', 'lifecycle'],
     'count': lambda rows: sum(1 for r in rows for k in LIFECYCLE_PARTS if (r.get(k) or 0) > 0)},
]
# the number-at-risk rows under a chart: rows -> function (group index, time) -> the number
RISK = {'survival': {'cmd': SURVIVAL_CURVE,
                     'at': lambda rows: lambda g, t: at_risk(curve_groups(rows)[g], t),
                     'groups': lambda rows: len(curve_groups(rows))}}

# The words of the report that stand in table cells, per language.
WORDS = {'en': {'none': '(none)', 'not_reached': 'not reached'},
         'ar': {'none': '(غير محدد)', 'not_reached': 'لم يُبلغ'}}


def num(v, digits):
    """A number as the report writes it (sb_num): fixed digits, no "-0", the en dash for none."""
    if v is None or isinstance(v, str) or v != v or v in (float('inf'), float('-inf')):
        return '\u2013'
    text = '%.*f' % (digits, v)
    if text.startswith('-') and float(text) == 0:
        text = text[1:]
    return text


def p_value(p):
    return '< 0.001' if p is not None and p < 0.001 else num(p, 3)


def interval(lo, hi, digits):
    return '%s \u2026 %s' % (num(lo, digits), num(hi, digits))


def survival_cells(rows, lang):
    return [[str(r['group']) if r.get('group') not in (None, '') else WORDS[lang]['none'],
             num(r['subjects'], 0), num(r['events'], 0),
             num(r['median'], 0) if r.get('median') is not None else WORDS[lang]['not_reached'],
             interval(r.get('median_lo'), r.get('median_hi'), 0)] for r in rows]


def last_months(rows):
    return rows[-6:]


def lifecycle_cells(rows, lang):
    return [[str(r['period_label']), num(r['active'], 0)] + [num(r[k], 0) for k in LIFECYCLE_PARTS]
            + [num(r.get('quick_ratio'), 2)] for r in last_months(rows)]


def stickiness_cmd(run):
    return ['retention', 'DB', 'stickiness']


def stickiness_cells_of(run):
    """The stickiness of the lifecycle's last six months: active, and the
    shares active on 1, 2 and 3+ days."""
    months = [r['period_label'] for r in last_months(run(['retention', 'DB', 'lifecycle']))]
    rows = run(['retention', 'DB', 'stickiness'])
    out = []
    for m in months:
        mine = [r for r in rows if r['period_label'] == m]
        active = mine[0]['active'] if mine else None
        parts = [0, 0, 0]
        for r in mine:
            parts[min(r['days'], 3) - 1] += r['customers'] or 0
        out.append([m, num(active, 0)] + [num(100.0 * x / active, 1) + ' %' if active else '\u2013' for x in parts])
    return out


def cox_strongest(rows):
    """The row the report names: the largest significant hazard ratio above
    1, else the smallest significant one below 1; None when no p < 0.05."""
    up = [i for i, r in enumerate(rows) if (r.get('p') is not None and r['p'] < 0.05 and r.get('hazard_ratio')
                                             and r['hazard_ratio'] > 1)]
    if up:
        return max(up, key=lambda i: (rows[i]['hazard_ratio'], -i))
    down = [i for i, r in enumerate(rows) if (r.get('p') is not None and r['p'] < 0.05
                                               and r.get('hazard_ratio') is not None and r['hazard_ratio'] < 1)]
    return min(down, key=lambda i: (rows[i]['hazard_ratio'], i)) if down else None


def cox_cmd(run):
    """The Cox model the report shows: with the service signals, else (a
    store without feedback or cases) the factors alone."""
    try:
        run(['retention', 'DB', 'cox'])
        return ['retention', 'DB', 'cox']
    except Failure:
        return ['retention', 'DB', 'cox', '--signals', 'none']


def cox_cells(rows, lang):
    return [[str(r['term']), num(r['hazard_ratio'], 2), interval(r.get('hr_lo'), r.get('hr_hi'), 2),
             p_value(r.get('p'))] for r in rows]


# first: rows -> the text the first body row must contain (None: not checked)
# cells: (rows, lang) -> every body row's cells as the report writes them (a
# cell may go on after its text with a space: a small-sample badge);
# cells_of: run -> the same, from several commands; marked: rows -> the
# indexes of the rows of class "strongest"
TABLES = [
    {'id': 'themes', 'cmd': themes_cmd, 'count': low_themes,
     'first': lambda rows: str(rows[0]['label']) if low_themes(rows) else None},
    {'id': 'pain-points', 'cmd': ['journeys', 'DB', 'pain-points'], 'count': lambda rows: min(10, len(rows)),
     'first': lambda rows: str(rows[0]['touchpoint']) if rows and rows[0].get('touchpoint') is not None else None},
    {'id': 'agents', 'cmd': METRICS_AGENT, 'count': len},
    {'id': 'care', 'cmd': ['care', 'DB', '--top', '20'], 'count': len},
    {'id': 'survival', 'cmd': ['retention', 'DB', 'survival', '--by', 'segment'], 'count': len,
     'cells': survival_cells},
    {'id': 'logrank', 'cmd': ['retention', 'DB', 'logrank', '--by', 'segment'], 'count': len,
     'cells': lambda rows, lang: [[num(r['chi2'], 2), num(r['df'], 0), p_value(r['p'])] for r in rows]},
    {'id': 'lifecycle', 'cmd': ['retention', 'DB', 'lifecycle'], 'count': lambda rows: len(last_months(rows)),
     'cells': lifecycle_cells},
    {'id': 'stickiness', 'cmd': ['retention', 'DB', 'stickiness'],
     'count': lambda rows: min(6, len({r['period_label'] for r in rows})), 'cells_of': stickiness_cells_of},
    {'id': 'cox', 'cmd': cox_cmd, 'count': len, 'cells': cox_cells,
     'marked': lambda rows: [] if cox_strongest(rows) is None else [cox_strongest(rows)]},
]

# --------------------------------------------------------------------------
# The measuring script, put at the end of <body> in the temporary copy.

MEASURE_JS = r"""
(function () {
  function shown(el) {
    if (typeof el.checkVisibility === 'function')
      return el.checkVisibility({opacityProperty: true, visibilityProperty: true});
    var cs = getComputedStyle(el);
    return cs.display !== 'none' && cs.visibility !== 'hidden' && cs.opacity !== '0';
  }
  function measure() {
    var root = document.documentElement, out = {
      lang: root.getAttribute('lang'), dir: root.getAttribute('dir'),
      direction: getComputedStyle(root).direction,
      body_direction: document.body ? getComputedStyle(document.body).direction : null,
      page_width: root.scrollWidth, viewport_width: window.innerWidth,
      charts: [], tables: [], errors: []};
    document.querySelectorAll('svg.chart').forEach(function (svg) {
      var r = svg.getBoundingClientRect();
      var c = {id: svg.getAttribute('data-chart'), data_marks: svg.getAttribute('data-marks'),
               data_nodes: svg.getAttribute('data-nodes'), data_links: svg.getAttribute('data-links'),
               width: r.width, height: r.height, shown: shown(svg),
               marks: 0, untitled: 0, drawn: 0, empty: 0, hidden: 0, nested: 0, nodes: 0, links: 0, empty_tags: []};
      svg.querySelectorAll('.mark').forEach(function (m) {
        c.marks++;
        if (!m.querySelector(':scope > title')) c.untitled++;
        if (m.parentElement && m.parentElement.closest('.mark')) c.nested++;
        if (!shown(m)) { c.hidden++; return; }
        var b = {width: 0, height: 0};
        try { b = m.getBBox(); } catch (e) { out.errors.push(c.id + ': getBBox: ' + e); }
        if (b.width > 0 || b.height > 0) {
          c.drawn++;
          if (m.classList.contains('node')) c.nodes++;
          if (m.classList.contains('link')) c.links++;
        } else {
          c.empty++;
          if (c.empty_tags.length < 5) c.empty_tags.push(m.tagName);
        }
      });
      c.risk = Array.prototype.map.call(svg.querySelectorAll('text.risk'), function (e) {
        return {g: e.getAttribute('data-g'), t: e.getAttribute('data-t'), v: e.textContent.trim()}; });
      out.charts.push(c);
    });
    document.querySelectorAll('table[data-table]').forEach(function (t) {
      var rows = t.querySelectorAll(':scope > tbody > tr');
      function texts(row) {
        return Array.prototype.map.call(row.cells, function (td) {
          return td.textContent.replace(/\s+/g, ' ').trim(); });
      }
      var marked = [];
      Array.prototype.forEach.call(rows, function (row, i) { if (row.classList.contains('strongest')) marked.push(i); });
      out.tables.push({id: t.getAttribute('data-table'), rows: rows.length, shown: shown(t),
                       first: rows.length ? texts(rows[0]).join(' | ') : null,
                       cells: Array.prototype.map.call(rows, texts), marked: marked});
    });
    var pre = document.createElement('pre');
    pre.id = 'cx-measure';
    pre.textContent = 'CX' + 'MEASURE' + JSON.stringify(out) + 'CX' + 'MEASURE';
    document.body.appendChild(pre);
  }
  function go() {
    try { measure(); } catch (e) {
      var pre = document.createElement('pre');
      pre.id = 'cx-measure';
      pre.textContent = 'CX' + 'MEASURE' + JSON.stringify({fatal: String(e)}) + 'CX' + 'MEASURE';
      document.body.appendChild(pre);
    }
  }
  window.addEventListener('load', function () {
    var ready = document.fonts && document.fonts.ready ? document.fonts.ready : Promise.resolve();
    ready.then(function () { setTimeout(go, 0); }, function () { setTimeout(go, 0); });
  });
})();
"""


class Failure(Exception):
    """A step that makes the rest of a run pointless (no Chromium, no data)."""


# --------------------------------------------------------------------------
# Running programs


def run_cxkit(cxkit, db, args, cache):
    argv = [cxkit] + [db if a == 'DB' else a for a in args] + ['--format', 'json']
    key = tuple(argv)
    if key in cache:
        return cache[key]
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=CXKIT_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise Failure('cannot run %s: %s' % (' '.join(argv), e))
    if p.returncode != 0:
        raise Failure('%s failed (exit %d): %s' % (' '.join(argv), p.returncode,
                                                  p.stderr.decode('utf-8', 'replace').strip()))
    try:
        rows = json.loads(p.stdout.decode('utf-8'))
    except ValueError as e:
        raise Failure('%s: output is not JSON: %s' % (' '.join(argv), e))
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise Failure('%s: output is not a JSON array of objects' % ' '.join(argv))
    cache[key] = rows
    return rows


def find_chromium(given):
    if given:
        if os.path.isfile(given) and os.access(given, os.X_OK):
            return given
        path = shutil.which(given)
        if path:
            return path
        raise Failure('Chromium not found at %s: install it (Debian: apt-get install chromium; '
                      'tools/deps.sh installs it with the test packages)' % given)
    for name in ('chromium', 'chromium-browser'):
        path = shutil.which(name)
        if path:
            return path
    raise Failure('Chromium is not installed (no chromium on the PATH): the report test needs it; '
                  'install it (Debian: apt-get install chromium fonts-noto-core fonts-dejavu-core, or '
                  'source tools/deps.sh and run cx_need "${CX_TEST_PACKAGES[@]}")')


def run_chromium(chromium, extra, url, what):
    """Runs headless Chromium on url; returns its standard output."""
    profile = tempfile.mkdtemp(prefix='cx-chromium-')
    argv = [chromium, '--headless', '--no-sandbox', '--disable-gpu', '--user-data-dir=' + profile,
            '--no-first-run', '--no-default-browser-check', '--disable-extensions',
            '--disable-background-networking', '--disable-component-update', '--disable-sync',
            '--disable-dev-shm-usage', '--hide-scrollbars', '--mute-audio'] + extra + [url]
    try:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=CHROMIUM_TIMEOUT)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass
            out, err = proc.communicate()
            raise Failure('%s: Chromium did not finish within %d s; its stderr:\n%s'
                          % (what, CHROMIUM_TIMEOUT, tail(err)))
    except OSError as e:
        raise Failure('%s: cannot run %s: %s' % (what, chromium, e))
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if proc.returncode != 0:
        raise Failure('%s: Chromium failed (exit %d); its stderr:\n%s' % (what, proc.returncode, tail(err)))
    return out, err


def tail(err, lines=15):
    text = err.decode('utf-8', 'replace') if isinstance(err, bytes) else err
    # D-Bus complaints are the noise of every container run
    keep = [l for l in text.splitlines() if 'dbus' not in l and l.strip()]
    return '\n'.join(keep[-lines:]) or '(nothing)'


def file_url(path):
    from urllib.request import pathname2url
    return 'file://' + pathname2url(os.path.abspath(path))


# --------------------------------------------------------------------------
# PNG


def png_check(path, want_size):
    """None when path is a PNG of want_size with at least two colours, else why not."""
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError as e:
        return 'cannot read: %s' % e
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        return 'not a PNG (%d bytes)' % len(data)
    pos, ihdr, idat = 8, None, []
    while pos + 8 <= len(data):
        length, ctype = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if len(body) != length:
            return 'truncated chunk %r' % ctype
        if ctype == b'IHDR':
            ihdr = struct.unpack('>IIBBBBB', body)
        elif ctype == b'IDAT':
            idat.append(body)
        elif ctype == b'IEND':
            break
        pos += 12 + length
    if ihdr is None or not idat:
        return 'no IHDR or IDAT chunk'
    width, height, depth, colour, _, _, interlace = ihdr
    if (width, height) != tuple(want_size):
        return 'size %dx%d, not %dx%d' % (width, height, want_size[0], want_size[1])
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(colour)
    if depth != 8 or channels is None or interlace:
        return 'unexpected format (depth %d, colour type %d, interlace %d)' % (depth, colour, interlace)
    try:
        raw = zlib.decompress(b''.join(idat))
    except zlib.error as e:
        return 'bad image data: %s' % e
    bpp, stride = channels, width * channels
    if len(raw) != height * (stride + 1):
        return 'image data of %d bytes, not %d' % (len(raw), height * (stride + 1))
    # Unfilter row by row until a pixel differs from the first one; rows that
    # are one colour (the usual encodings of blank rows) take the fast paths.
    prev = bytearray(stride)
    first = None
    zeros = bytes(stride)
    for y in range(height):
        ftype = raw[y * (stride + 1)]
        line = raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)]
        if ftype == 0:
            cur = bytearray(line)
        elif ftype == 2 and line == zeros:
            cur = prev
        elif ftype == 1 and line[bpp:] == zeros[bpp:]:
            cur = bytearray(line[:bpp]) * width
        else:
            cur = bytearray(line)
            for i in range(stride):
                a = cur[i - bpp] if i >= bpp else 0
                b = prev[i]
                if ftype == 1:
                    cur[i] = (cur[i] + a) & 255
                elif ftype == 2:
                    cur[i] = (cur[i] + b) & 255
                elif ftype == 3:
                    cur[i] = (cur[i] + ((a + b) >> 1)) & 255
                elif ftype == 4:
                    c = prev[i - bpp] if i >= bpp else 0
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                    cur[i] = (cur[i] + pred) & 255
                elif ftype != 0:
                    return 'bad filter type %d on row %d' % (ftype, y)
        if first is None:
            first = bytes(cur[:bpp])
        if bytes(cur) != first * width:
            return None
        prev = cur
    return 'every pixel has the same colour %s: nothing was drawn' % first.hex()


# --------------------------------------------------------------------------
# Static checks of the report file


EXTERNAL_URL = re.compile(r'^\s*(?:https?:|//|ftp:)', re.I)
# @import, and url(...) of anything but data: or a fragment (#id)
CSS_EXTERNAL = re.compile(r'@import|url\(\s*["\']?\s*(?!data:|#|["\')])', re.I)
URL_ATTRS = {'src', 'href', 'xlink:href', 'srcset', 'poster', 'data', 'action', 'formaction', 'background',
             'manifest', 'codebase', 'cite', 'longdesc', 'ping'}
LOAD_HREF_TAGS = {'link', 'image', 'use', 'feimage', 'script'}   # their href is loaded
LOAD_ATTRS = {'src', 'srcset', 'poster', 'data', 'background', 'manifest', 'codebase'}


class StaticScan(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.in_style = False

    def handle_starttag(self, tag, attrs):
        where = 'line %d' % self.getpos()[0]
        if tag in ('script', 'iframe', 'object', 'embed', 'frame', 'applet', 'base'):
            self.problems.append('<%s> at %s' % (tag, where))
        if tag == 'style':
            self.in_style = True
        if tag == 'meta':
            d = dict(attrs)
            if (d.get('http-equiv') or '').lower() == 'refresh':
                self.problems.append('<meta http-equiv=refresh> at %s' % where)
        for name, value in attrs:
            value = value or ''
            if name.startswith('on'):
                self.problems.append('event handler %s= on <%s> at %s' % (name, tag, where))
            if name in URL_ATTRS:
                # what is loaded must be inline (data: or a fragment): a file
                # beside the report is as missing as the web when it is mailed
                loads = name in LOAD_ATTRS or (tag in LOAD_HREF_TAGS and name in ('href', 'xlink:href'))
                for part in value.split(',') if name == 'srcset' else [value]:
                    part = part.strip()
                    if EXTERNAL_URL.match(part) or (loads and part and not part.lower().startswith(('data:', '#'))):
                        self.problems.append('%s="%s" on <%s> at %s' % (name, value[:80], tag, where))
                        break
                if value.strip().lower().startswith(('javascript:', 'vbscript:')):
                    self.problems.append('%s URL on <%s> at %s' % (name, tag, where))
            if name == 'style' and CSS_EXTERNAL.search(value):
                self.problems.append('CSS @import or url() of a file in style= on <%s> at %s' % (tag, where))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == 'style':
            self.in_style = False

    def handle_data(self, data):
        if self.in_style and CSS_EXTERNAL.search(data):
            self.problems.append('CSS @import or url() of a file in <style> at line %d' % self.getpos()[0])


def static_problems(text):
    scan = StaticScan()
    scan.feed(text)
    scan.close()
    if re.search(r'<\s*script', text, re.I):
        if not any(p.startswith('<script>') for p in scan.problems):
            scan.problems.append('the text "<script" appears')
    return scan.problems


# --------------------------------------------------------------------------
# Measuring in the browser


def instrument(text):
    # The report forbids every script with a Content-Security-Policy (its
    # own defence against text that would slip through as markup); only
    # this measuring copy drops that policy to run its script.
    text = re.sub(r'<meta\s+http-equiv="Content-Security-Policy"[^>]*>', '', text, flags=re.I)
    script = '<script>' + MEASURE_JS + '</script>'
    i = text.lower().rfind('</body>')
    return text[:i] + script + text[i:] if i >= 0 else text + script


def measure(chromium, report, workdir, lang):
    with open(report, encoding='utf-8') as f:
        text = f.read()
    copy = os.path.join(workdir, 'measure-%s.html' % lang)
    with open(copy, 'w', encoding='utf-8') as f:
        f.write(instrument(text))
    out, err = run_chromium(chromium, ['--window-size=%d,%d' % WIDE, '--dump-dom',
                                       '--virtual-time-budget=%d' % VIRTUAL_TIME_MS],
                            file_url(copy), 'measuring %s' % report)
    dom = out.decode('utf-8', 'replace')
    m = re.search(r'<pre id="cx-measure">CXMEASURE(.*?)CXMEASURE</pre>', dom, re.S)
    if not m:
        raise Failure('measuring %s: the instrumented page wrote no measurement (%d bytes of DOM); '
                      'Chromium stderr:\n%s' % (report, len(dom), tail(err)))
    data = json.loads(html.unescape(m.group(1)))
    if 'fatal' in data:
        raise Failure('measuring %s: the measuring script failed: %s' % (report, data['fatal']))
    return data


def screenshot(chromium, report, png, size, workdir):
    if os.path.exists(png):
        os.remove(png)
    url = file_url(report)
    if size[0] < MIN_WINDOW_WIDTH:
        # Chromium lays a page out at least 500 px wide whatever the window:
        # a phone's width is an iframe of that width in a blank page, the
        # screenshot (cut to the window's size) shows just the iframe
        frame = os.path.join(workdir, 'frame-%s.html' % os.path.basename(png))
        with open(frame, 'w', encoding='utf-8') as f:
            f.write('<!doctype html><html dir="ltr"><body style="margin:0;background:#fff">'
                    '<iframe src="%s" style="display:block;border:0;width:%dpx;height:%dpx"></iframe>'
                    '</body></html>' % (html.escape(url), size[0], size[1]))
        url = file_url(frame)
    run_chromium(chromium, ['--window-size=%d,%d' % size, '--screenshot=' + png,
                            '--virtual-time-budget=%d' % VIRTUAL_TIME_MS], url, 'screenshot of %s' % report)


# --------------------------------------------------------------------------
# The checks


class Results:
    def __init__(self):
        self.items = []   # (ok, name, diagnostics)

    def add(self, ok, name, diag=''):
        self.items.append((bool(ok), name, diag))
        return ok

    def failed(self):
        return [name for ok, name, _ in self.items if not ok]


def expectations(cxkit, db, chart_specs=None, table_specs=None):
    """The expected count of every chart and table (and the extras), from the
    JSON; of those given (default CHARTS, RISK and TABLES)."""
    cache = {}

    def run(args):
        return run_cxkit(cxkit, db, args, cache)

    charts, tables = {}, {}
    for spec in CHARTS if chart_specs is None else chart_specs:
        cmd = spec['cmd'](run) if callable(spec['cmd']) else spec['cmd']
        rows = run(cmd)
        e = {'marks': spec['count'](rows), 'zero_ok': spec.get('zero_ok', lambda r: 0)(rows),
             'cmd': 'cxkit ' + ' '.join(cmd) + ' --format json', 'rows': len(rows)}
        if 'sankey' in spec:
            e['nodes'], e['links'] = spec['sankey'](rows)
        charts[spec['id']] = e
    for cid, spec in RISK.items():
        if cid not in charts:
            continue
        rows = run(spec['cmd'])
        charts.setdefault(cid, {})['risk'] = {'at': spec['at'](rows), 'groups': spec['groups'](rows),
                                              'cmd': 'cxkit ' + ' '.join(spec['cmd']) + ' --format json'}
    for spec in TABLES if table_specs is None else table_specs:
        cmd = spec['cmd'](run) if callable(spec['cmd']) else spec['cmd']
        rows = run(cmd)
        cells = {lang: spec['cells'](rows, lang) for lang in LANGS} if 'cells' in spec else None
        if 'cells_of' in spec:
            c = spec['cells_of'](run)
            cells = {lang: c for lang in LANGS}
        tables[spec['id']] = {'rows': spec['count'](rows), 'first': spec.get('first', lambda r: None)(rows),
                              'cells': cells, 'marked': spec['marked'](rows) if 'marked' in spec else None,
                              'cmd': 'cxkit ' + ' '.join(cmd) + ' --format json'}
    return charts, tables


def cell_matches(got, want):
    return got == want or got.startswith(want + ' ')


def check_lang(res, lang, report, got, charts, tables, expect_pain, allow_empty):
    """The checks of one language's measurement."""
    p = '%s: ' % lang
    want_dir = 'rtl' if lang == 'ar' else 'ltr'
    res.add(got['lang'] == lang, p + '<html lang="%s">' % lang, 'found lang=%r' % got['lang'])
    res.add(got['dir'] == want_dir and got['direction'] == want_dir and got['body_direction'] == want_dir,
            p + 'page is %s' % ('right to left' if want_dir == 'rtl' else 'left to right'),
            'expected dir="%s" and computed direction %s; found dir=%r, computed direction %r on <html>, '
            '%r on <body>' % (want_dir, want_dir, got['dir'], got['direction'], got['body_direction']))
    res.add(got['page_width'] <= got['viewport_width'] + 1, p + 'nothing wider than the window',
            'page %s px wide in a %s px window' % (got['page_width'], got['viewport_width']))
    res.add(not got['errors'], p + 'no error while measuring', '; '.join(got['errors']))

    seen = {}
    for c in got['charts']:
        seen.setdefault(c['id'], []).append(c)
    unknown = [i for i in seen if i not in charts]
    res.add(not [i for i in seen if seen[i] and len(seen[i]) > 1] and None not in seen,
            p + 'every svg.chart has its own data-chart id',
            'duplicated: %s; without data-chart: %d' % (
                ', '.join(i for i in seen if i is not None and len(seen[i]) > 1) or 'none',
                len(seen.get(None, []))))
    for cid, e in charts.items():
        name = p + 'chart %s' % cid
        if not res.add(cid in seen, name + ' is present',
                       'no <svg class="chart" data-chart="%s"> in %s (expected %d marks from %s); charts found: %s'
                       % (cid, report, e['marks'], e['cmd'], ', '.join(str(i) for i in seen) or 'none')):
            continue
        c = seen[cid][0]
        if not allow_empty:
            res.add(e['marks'] > 0, name + ' has data to draw',
                    '%s gives nothing to draw (%d rows); pass --allow-empty for a database without it'
                    % (e['cmd'], e['rows']))
        drawn = c['drawn'] + min(c['empty'], e['zero_ok'])
        detail = ('expected %d (from %s, %d rows); rendered %d with a non-empty box, %d empty (%s), %d hidden, '
                  '%d nested, of %d elements of class mark; data-marks=%s; svg %gx%g'
                  % (e['marks'], e['cmd'], e['rows'], c['drawn'], c['empty'], ','.join(c['empty_tags']),
                     c['hidden'], c['nested'], c['marks'], c['data_marks'], c['width'], c['height']))
        res.add(c['shown'] and c['width'] > 0 and c['height'] > 0, name + ' is shown with a non-empty size',
                detail)
        res.add(drawn == e['marks'] and c['empty'] <= e['zero_ok'] and c['hidden'] == 0,
                name + ' draws %d marks' % e['marks'], detail)
        res.add(c['data_marks'] == str(e['marks']) and c['marks'] == e['marks'],
                name + ' data-marks="%d"' % e['marks'], detail)
        if 'nodes' in e:
            res.add(c['data_nodes'] == str(e['nodes']) and c['data_links'] == str(e['links'])
                    and c['nodes'] == e['nodes'] and c['links'] == e['links'],
                    name + ' has %d nodes and %d links' % (e['nodes'], e['links']),
                    'expected %d nodes, %d links; data-nodes=%s data-links=%s; rendered %d "mark node", '
                    '%d "mark link"' % (e['nodes'], e['links'], c['data_nodes'], c['data_links'],
                                        c['nodes'], c['links']))
    for cid, e in charts.items():
        if 'risk' not in e or cid not in seen:
            continue
        r, c = e['risk'], seen[cid][0]
        bad, per = [], {}
        for item in c.get('risk', []):
            try:
                g, t = int(item['g']), float(item['t'])
            except (TypeError, ValueError):
                bad.append('unreadable %r' % item)
                continue
            per[g] = per.get(g, 0) + 1
            want = num(r['at'](g, t), 0) if 0 <= g < r['groups'] else None
            if item['v'] != want:
                bad.append('curve %d at %s: %s at risk, expected %s' % (g, item['t'], item['v'], want))
        short = [g for g in range(r['groups']) if per.get(g, 0) < 2]
        res.add(not bad and not short, p + 'chart %s: the numbers at risk equal %s' % (cid, r['cmd']),
                '; '.join(bad[:5]) + ('; curves with fewer than two numbers at risk: %r' % short if short else ''))
    for cid in unknown:
        if cid is None:
            continue
        c = seen[cid][0]
        res.add(str(c['drawn']) == c['data_marks'],
                p + 'chart %s (not in the test\'s list) draws its data-marks' % cid,
                'data-marks=%s, rendered %d; add it to CHARTS in %s' % (c['data_marks'], c['drawn'],
                                                                       os.path.basename(__file__)))

    untitled = ['%s (%d of %d)' % (c['id'], c['untitled'], c['marks']) for c in got['charts'] if c['untitled']]
    res.add(not untitled, p + 'every mark has its <title> (the tooltip naming label, value and n)',
            'marks without a <title> child: ' + ', '.join(untitled))

    tseen = {t['id']: t for t in got['tables']}
    for tid, e in tables.items():
        name = p + 'table %s' % tid
        t = tseen.get(tid)
        if not res.add(t is not None, name + ' is present', 'no <table data-table="%s"> (expected %d rows from '
                       '%s); tables found: %s' % (tid, e['rows'], e['cmd'], ', '.join(tseen) or 'none')):
            continue
        res.add(t['rows'] == e['rows'] and t['shown'], name + ' has %d rows' % e['rows'],
                'expected %d rows (from %s), found %d in its <tbody>%s'
                % (e['rows'], e['cmd'], t['rows'], '' if t['shown'] else ', and the table is hidden'))
        if e['first'] is not None:
            res.add(t['first'] is not None and e['first'] in t['first'],
                    name + ' leads with %s' % e['first'],
                    'first row: %r' % t['first'])
        if e['cells'] is not None:
            want = e['cells'][lang]
            bad = []
            for i, row in enumerate(want):
                got = t['cells'][i] if i < len(t['cells']) else None
                if got is None or len(got) != len(row) or not all(cell_matches(g, w) for g, w in zip(got, row)):
                    bad.append('row %d: expected %r, found %r' % (i + 1, row, got))
            res.add(not bad and len(t['cells']) == len(want), name + ' cells equal %s' % e['cmd'],
                    '\n'.join(bad[:5]) or 'expected %d rows, found %d' % (len(want), len(t['cells'])))
        if e['marked'] is not None:
            res.add(t['marked'] == e['marked'], name + ' marks the strongest row',
                    'expected rows %r of class strongest, found %r' % (e['marked'], t['marked']))
    if expect_pain is not None:
        t = tseen.get('pain-points')
        first = t['first'] if t else None
        res.add(first is not None and re.search(r'(?<![\w-])%s(?![\w-])' % re.escape(expect_pain), first),
                p + 'the planted pain point %s leads the list' % expect_pain,
                'first row of table pain-points: %r' % first)


def check_reports(opts, reports, shots_dir, screenshots=True, langs=LANGS, expected=None):
    """The checks of the reports of langs; returns Results and the screenshots
    made. expected: the result of expectations() when known already."""
    res = Results()
    shots = []
    try:
        chromium = find_chromium(opts.chromium)
    except Failure as e:
        res.add(False, 'Chromium is installed', str(e))
        return res, shots
    res.add(True, 'Chromium is installed', chromium)
    try:
        charts, tables = expected or expectations(opts.cxkit, opts.db)
    except Failure as e:
        res.add(False, 'the expected counts come from cxkit', str(e))
        return res, shots
    work = tempfile.mkdtemp(prefix='cx-report-check-')
    try:
        for lang in langs:
            report = reports[lang]
            try:
                with open(report, encoding='utf-8') as f:
                    text = f.read()
            except (OSError, UnicodeDecodeError) as e:
                res.add(False, '%s: report %s is readable UTF-8' % (lang, report), str(e))
                continue
            probs = static_problems(text)
            res.add(not probs, '%s: no script and no external resource' % lang, '; '.join(probs[:10]))
            res.add(re.search(r'<meta\s+http-equiv="Content-Security-Policy"\s+content="default-src \'none\';', text)
                    is not None, '%s: a Content-Security-Policy forbids scripts and fetches' % lang,
                    'no <meta http-equiv="Content-Security-Policy" content="default-src \'none\'; ..."> in the report')
            if screenshots:
                sizes = [('', WIDE)] + ([('-phone', PHONE)] if lang == PHONE_LANG else [])
                for suffix, size in sizes:
                    png = os.path.join(shots_dir, 'report-%s%s.png' % (lang, suffix))
                    try:
                        screenshot(chromium, report, png, size, work)
                        why = png_check(png, size)
                    except Failure as e:
                        why = str(e)
                    if res.add(why is None, '%s: screenshot %dx%d' % (lang, size[0], size[1]),
                               '%s: %s' % (png, why)):
                        shots.append(png)
            try:
                got = measure(chromium, report, work, lang)
            except (Failure, ValueError, OSError) as e:
                res.add(False, '%s: measured in Chromium' % lang, str(e))
                continue
            check_lang(res, lang, report, got, charts, tables, opts.expect_first_pain_point, opts.allow_empty)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return res, shots


def print_tap(items, out=sys.stdout):
    for n, (ok, name, diag) in enumerate(items, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', n, name), file=out)
        if diag and not ok:
            for line in str(diag).splitlines():
                print('#   ' + line, file=out)
    print('1..%d' % len(items), file=out)
    out.flush()


# --------------------------------------------------------------------------
# Self-test: broken copies of the reports must fail the check they break.


def mutate_first(pattern, repl, text, flags=0):
    new, n = re.subn(pattern, repl, text, count=1, flags=flags)
    return new if n else None


def swap_first_rows(text, table_id):
    m = re.search(r'<table[^>]*data-table\s*=\s*["\']%s["\']' % re.escape(table_id), text)
    if not m:
        return None
    b = text.find('<tbody', m.end())
    if b < 0:
        return None
    rows = [r.start() for r in re.finditer(r'<tr[\s>]', text[b:])][:3]
    end = text.find('</tbody>', b)
    if len(rows) < 2:
        return None
    r0, r1 = b + rows[0], b + rows[1]
    r2 = b + rows[2] if len(rows) > 2 and b + rows[2] < end else end
    return text[:r0] + text[r1:r2] + text[r0:r1] + text[r2:]


def self_test(opts, reports, shots_dir):
    try:
        expected = expectations(opts.cxkit, opts.db)
    except Failure as e:
        res = Results()
        res.add(False, 'the expected counts come from cxkit', str(e))
        return res
    base, _ = check_reports(opts, reports, shots_dir, screenshots=False, expected=expected)
    passed = {name for ok, name, _ in base.items if ok}
    first_chart = CHARTS[0]['id']
    funnel = 'funnel'
    # (description, language, mutation of the text, the check that must then fail)
    cases = [
        ('a missing chart', 'en',
         lambda t: mutate_first(r'data-chart\s*=\s*(["\'])%s\1' % funnel, 'data-chart="gone"', t),
         'en: chart %s is present' % funnel),
        ('a mark less than the data', 'en',
         lambda t: mutate_first(r'(<svg[^>]*data-chart\s*=\s*["\']%s["\'][^>]*>(?:(?!</svg>).)*?'
                                r'class\s*=\s*["\'](?:[^"\']*\s)?)mark(?=[\s"\'])' % first_chart,
                                r'\1unmarked', t, re.S),
         'en: chart %s draws ' % first_chart),
        ('a wrong data-marks', 'ar',
         lambda t: mutate_first(r'<svg\b[^>]*data-chart\s*=\s*["\']%s["\'][^>]*>' % funnel,
                                lambda m: re.sub(r'(data-marks\s*=\s*["\'])(\d+)',
                                                 lambda d: d.group(1) + str(int(d.group(2)) + 1), m.group(0)), t),
         'ar: chart %s data-marks=' % funnel),
        ('a left-to-right Arabic page', 'ar',
         lambda t: mutate_first(r'(<html[^>]*)dir\s*=\s*["\']rtl["\']', r'\1dir="ltr"', t, re.I),
         'ar: page is right to left'),
        ('an Arabic page in lang en', 'ar',
         lambda t: mutate_first(r'(<html[^>]*)lang\s*=\s*["\']ar["\']', r'\1lang="en"', t, re.I),
         'ar: <html lang="ar">'),
        ('a script', 'en', lambda t: mutate_first(r'</body>', '<script>void 0</script></body>', t, re.I),
         'en: no script and no external resource'),
        ('an image from the web', 'ar',
         lambda t: mutate_first(r'</body>', '<img src="https://example.invalid/x.png" alt=""></body>', t, re.I),
         'ar: no script and no external resource'),
        ('an image beside the report', 'en',
         lambda t: mutate_first(r'</body>', '<img src="logo.png" alt=""></body>', t, re.I),
         'en: no script and no external resource'),
        ('a mark without its <title>', 'ar',
         lambda t: mutate_first(r'(class\s*=\s*["\'](?:[^"\']*\s)?mark(?=[\s"\'])[^>]*>\s*)<title>(?:(?!</title>).)*</title>',
                                r'\1', t, re.S),
         'ar: every mark has its <title>'),
        ('a stylesheet from the web', 'en',
         lambda t: mutate_first(r'</head>', '<style>@import url("https://example.invalid/a.css");</style></head>',
                                t, re.I),
         'en: no script and no external resource'),
        ('the pain points in another order', 'en', lambda t: swap_first_rows(t, 'pain-points'),
         'en: table pain-points leads with'),
        ('a wrong log-rank statistic', 'en',
         lambda t: mutate_first(r'(<table[^>]*data-table\s*=\s*["\']logrank["\'](?:(?!</table>).)*?<tbody[^>]*>\s*<tr>'
                                r'<td class="num">)(\d)', lambda m: m.group(1) + str((int(m.group(2)) + 1) % 10), t, re.S),
         'en: table logrank cells'),
        ('a wrong number at risk', 'ar',
         lambda t: mutate_first(r'(<text class="risk"[^>]*>)(\d+)', lambda m: m.group(1) + str(int(m.group(2)) + 1),
                                t),
         'ar: chart survival: the numbers at risk'),
        ('a wrong median', 'ar',
         lambda t: mutate_first(r'(<table[^>]*data-table\s*=\s*["\']survival["\'](?:(?!</table>).)*?<tbody[^>]*>\s*<tr>'
                                r'(?:(?!</tr>).)*?</td><td class="num">)(\d)',
                                lambda m: m.group(1) + str((int(m.group(2)) + 1) % 10), t, re.S),
         'ar: table survival cells'),
        ('a table row missing', 'ar',
         lambda t: mutate_first(r'(<table[^>]*data-table\s*=\s*["\']care["\'][^>]*>(?:(?!</table>).)*?<tbody[^>]*>'
                                r'\s*)<tr[\s>](?:(?!</tr>).)*</tr>', r'\1', t, re.S),
         'ar: table care has'),
    ]
    results = Results()
    work = tempfile.mkdtemp(prefix='cx-report-selftest-')
    try:
        # the PNG check refuses a blank image and a truncated one
        blank = os.path.join(work, 'blank.png')
        write_png(blank, 64, 32, lambda x, y: (255, 255, 255))
        why = png_check(blank, (64, 32))
        results.add(why is not None and 'same colour' in why, 'a blank screenshot is refused', why)
        dot = os.path.join(work, 'dot.png')
        write_png(dot, 64, 32, lambda x, y: (0, 0, 0) if (x, y) == (40, 30) else (255, 255, 255))
        why = png_check(dot, (64, 32))
        results.add(why is None, 'a screenshot with one dark pixel is accepted', why)
        with open(dot, 'rb') as f:
            data = f.read()
        with open(dot, 'wb') as f:
            f.write(data[:len(data) // 2])
        why = png_check(dot, (64, 32))
        results.add(why is not None, 'a truncated screenshot is refused', why)
        # no Chromium: a failure, not a skip
        saved = opts.chromium
        opts.chromium = os.path.join(work, 'no-such-chromium')
        r, _ = check_reports(opts, reports, work, screenshots=False, expected=expected)
        opts.chromium = saved
        results.add(r.failed() == ['Chromium is installed'] and 'install' in r.items[0][2],
                    'a missing Chromium fails with a message to install it', r.items[0][2])
        for desc, lang, mutation, target in cases:
            with open(reports[lang], encoding='utf-8') as f:
                text = f.read()
            broken = mutation(text)
            name = 'the checker fails on %s (%s)' % (desc, lang)
            if broken is None or broken == text:
                results.add(False, name, 'the mutation found nothing to change in %s' % reports[lang])
                continue
            prefix = target   # the start of the name of the check that must fail
            base_ok = [n for n in passed if n.startswith(prefix)]
            if not base_ok:
                results.add(True, name + ' # SKIP the intact report fails "%s" already' % prefix)
                continue
            path = os.path.join(work, 'broken-%s.html' % lang)
            with open(path, 'w', encoding='utf-8') as f:
                f.write(broken)
            r, _ = check_reports(opts, dict(reports, **{lang: path}), work, screenshots=False, langs=(lang,),
                                 expected=expected)
            hit = [n for n in r.failed() if n.startswith(prefix)]
            results.add(hit, name, 'expected "%s" to fail; failed: %s' % (prefix, '; '.join(r.failed()) or 'nothing'))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def write_png(path, width, height, pixel):
    raw = b''.join(b'\0' + b''.join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))

    def chunk(t, body):
        return struct.pack('>I', len(body)) + t + body + struct.pack('>I', zlib.crc32(t + body) & 0xffffffff)
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0))
                + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))


# --------------------------------------------------------------------------


def main(argv):
    ap = argparse.ArgumentParser(description='Checks cxkit report in headless Chromium (TAP output).')
    ap.add_argument('--cxkit', required=True, help='the cxkit program')
    ap.add_argument('--db', required=True, help='the database the reports were made from')
    ap.add_argument('--import', dest='import_dir', metavar='DATA_DIR',
                    help='first make DB afresh: remove it and `cxkit import DB DATA_DIR`')
    ap.add_argument('--en', help='the English report (default: OUT_DIR/report-en.html, made by cxkit report)')
    ap.add_argument('--ar', help='the Arabic report (default: OUT_DIR/report-ar.html, made by cxkit report)')
    ap.add_argument('--out-dir', required=True, help='where the reports (when made) and the screenshots go')
    ap.add_argument('--chromium', help='the Chromium program (default: chromium on the PATH)')
    ap.add_argument('--expect-first-pain-point', metavar='TOUCHPOINT',
                    help='the touchpoint that must lead the pain points (home_delivery for the demo data)')
    ap.add_argument('--allow-empty', action='store_true',
                    help='accept a chart with nothing to draw (by default every chart must have data)')
    ap.add_argument('--self-test', action='store_true',
                    help='check that broken copies of the reports fail the checks they break')
    opts = ap.parse_args(argv)

    os.makedirs(opts.out_dir, exist_ok=True)
    setup = Results()
    if opts.import_dir:
        for p in (opts.db, opts.db + '-journal', opts.db + '-wal', opts.db + '-shm'):
            if os.path.exists(p):
                os.remove(p)
        p = subprocess.run([opts.cxkit, 'import', opts.db, opts.import_dir], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=CXKIT_TIMEOUT * 5)
        if not setup.add(p.returncode == 0, 'cxkit import of %s' % opts.import_dir,
                         'exit %d: %s' % (p.returncode, p.stderr.decode('utf-8', 'replace').strip())):
            print_tap(setup.items)
            return 1
    reports = {}
    for lang in LANGS:
        given = getattr(opts, lang)
        if given:
            reports[lang] = given
            continue
        path = os.path.join(opts.out_dir, 'report-%s.html' % lang)
        if os.path.exists(path):
            os.remove(path)
        argv = [opts.cxkit, 'report', opts.db, '-o', path, '--lang', lang]
        try:
            p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=CXKIT_TIMEOUT * 3)
            why = 'exit %d: %s' % (p.returncode, p.stderr.decode('utf-8', 'replace').strip())
            ok = p.returncode == 0 and os.path.isfile(path)
        except (OSError, subprocess.TimeoutExpired) as e:
            ok, why = False, str(e)
        if not setup.add(ok, 'cxkit report --lang %s writes %s' % (lang, path), why):
            print_tap(setup.items)
            return 1
        reports[lang] = path

    if opts.self_test:
        res = self_test(opts, reports, opts.out_dir)
        shots = []
    else:
        res, shots = check_reports(opts, reports, opts.out_dir)
    print_tap(setup.items + res.items)
    for lang in LANGS:
        print('# report (%s): %s' % (lang, os.path.abspath(reports[lang])))
    for png in shots:
        print('# screenshot: %s' % os.path.abspath(png))
    failed = [n for n in setup.failed() + res.failed()]
    if failed:
        print('# %d check(s) failed: %s' % (len(failed), '; '.join(failed)))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
