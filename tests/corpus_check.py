#!/usr/bin/env python3
# SPDX-License-Identifier: MPL-2.0
"""Check the training corpus (conf/corpus/*.jsonl) and print its mix.

The corpus is data that a model trains on, so a wrong label or a point
outside its labelled area teaches the model something false. This checks
what a script can: every line is a JSON object of the documented shape,
codes are in conf/themes.tsv and conf/areas.tsv, submissions are valid
SUBMIT bodies (docs/PROTOCOL.md), a point lies in the labelled area's
most specific polygon (a zone beats its wijk), an address on a listed
street agrees with the label, no description repeats, no line copies or
nearly copies the development set (tests/data/signals-dev.jsonl, which
must stay a test set), and the mix reaches the documented minimums.

Usage: corpus_check.py [--quiet] SOURCE_DIR   (exit 0 ok, 1 problems)
       corpus_check.py --selftest SOURCE_DIR     (the checks catch bad lines)
"""
import glob, json, os, re, sys, unicodedata

LANGS = {'nl', 'fr', 'en', 'mixed'}
STYLES = {'standard', 'colloquial', 'sms', 'formal', 'partner', 'staff', 'machine',
          'long', 'short', 'negation', 'twothemes'}
SOURCES = {'citizen', 'partner', 'staff', 'system'}
FIELDS = {'description', 'source', 'channel', 'external_id', 'submitter', 'address_string',
          'lat', 'long', 'area', 'theme', 'priority', 'reporter', 'occurred_at', 'attributes'}
# Other municipalities (conf/corpus/PLACES.md): an address there is outside
# the city even on a street whose name Leuven also has.
OTHER_TOWNS = ('tienen', 'herent', 'kortenberg', 'brussel', 'bruxelles', 'brussels', 'bertem',
               'rotselaar', 'holsbeek', 'lubbeek', 'bierbeek', 'oud-heverlee', 'aarschot',
               'mechelen', 'tervuren', 'haacht', 'veltem', 'kampenhout')
MIN_TOTAL = 3000
MIN_PER_THEME = 200


def tsv(path):
    rows = []
    with open(path, encoding='utf-8') as f:
        head = None
        for line in f:
            if line.startswith('#') or not line.strip():
                continue
            cols = line.rstrip('\n').split('\t')
            if head is None:
                head = cols
                continue
            rows.append(dict(zip(head, cols)))
    return rows


def inside(pt, ring):
    # Even-odd ray casting; ring is a list of [long, lat].
    x, y = pt
    hit = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            hit = not hit
        j = i
    return hit


class Geo:
    """Areas, polygons and listed streets from a conf directory."""

    def __init__(self, conf):
        with open(os.path.join(conf, 'areas.geojson'), encoding='utf-8') as f:
            gj = json.load(f)
        self.polys = []
        for feat in gj['features']:
            p = feat['properties']
            self.polys.append((p['code'], p.get('parent'), feat['geometry']['coordinates'][0]))
        self.areas = {r['code'] for r in tsv(os.path.join(conf, 'areas.tsv'))}
        self.themes = {r['code'] for r in tsv(os.path.join(conf, 'themes.tsv'))}
        self.streets = tsv(os.path.join(conf, 'streets.tsv'))
        self.names = sorted({s['street'] for s in self.streets}, key=len, reverse=True)

    def area_at(self, lat, lon):
        """Most specific polygon holding the point: a zone (with a parent) beats a wijk."""
        hits = [(c, par) for c, par, ring in self.polys if inside((lon, lat), ring)]
        zones = [c for c, par in hits if par]
        if zones:
            return zones[0]
        return hits[0][0] if hits else None

    def sample(self, area, rnd):
        """A random point (4 decimals) whose most specific area is AREA."""
        ring = next(r for c, _, r in self.polys if c == area)
        xs = [p[0] for p in ring]
        ys = [p[1] for p in ring]
        while True:
            lat = round(rnd.uniform(min(ys), max(ys)), 4)
            lon = round(rnd.uniform(min(xs), max(xs)), 4)
            if self.area_at(lat, lon) == area:
                return lat, lon

    def street_area(self, text):
        """Area of a listed street at the start of TEXT, with its house number
        if one follows; None when no listed street starts TEXT."""
        t = text.strip()
        for name in self.names:
            if t.lower().startswith(name.lower()):
                m = re.match(r'\s*(\d+)', t[len(name):])
                num = int(m.group(1)) if m else None
                rows = [s for s in self.streets if s['street'] == name]
                if num is None:
                    return rows[0]['area'] if len(rows) == 1 else None
                for s in rows:
                    lo = int(s['from']) if s['from'] else 0
                    hi = int(s['to']) if s['to'] else 10 ** 9
                    if lo <= num <= hi:
                        return s['area']
        return None


def norm(text):
    t = unicodedata.normalize('NFKD', text.lower())
    t = ''.join(c for c in t if not unicodedata.combining(c))
    return ' '.join(re.findall(r'\w+', t))


def shingles(text, n=4):
    w = norm(text).split()
    return {tuple(w[i:i + n]) for i in range(max(1, len(w) - n + 1))}


def check_line(geo, where, obj, problems):
    def bad(msg):
        problems.append('%s: %s' % (where, msg))

    if not isinstance(obj, dict) or set(obj) != {'input', 'expect', 'lang', 'style'}:
        return bad('want exactly the keys input, expect, lang, style')
    inp, exp = obj['input'], obj['expect']
    if obj['lang'] not in LANGS:
        bad('lang %r' % obj['lang'])
    if obj['style'] not in STYLES:
        bad('style %r' % obj['style'])
    if not isinstance(exp, dict) or set(exp) != {'area', 'theme'}:
        return bad('expect wants exactly area and theme')
    if exp['area'] is not None and exp['area'] not in geo.areas:
        bad('unknown area %r' % exp['area'])
    if exp['theme'] is not None and exp['theme'] not in geo.themes:
        bad('unknown theme %r' % exp['theme'])
    if not isinstance(inp, dict):
        return bad('input is not an object')
    extra = set(inp) - FIELDS
    if extra:
        bad('unknown SUBMIT fields %s' % sorted(extra))
    d = inp.get('description')
    if not isinstance(d, str) or not d.strip() or len(d.encode()) > 4000:
        bad('description missing, blank or over 4000 bytes')
    if inp.get('source') not in SOURCES:
        bad('source %r' % inp.get('source'))
    ch = inp.get('channel')
    if ch is not None and not re.fullmatch(r'[a-z0-9._-]{1,63}', ch):
        bad('channel %r is not a token' % ch)
    if 'theme' in inp:
        bad('an explicit theme would leave nothing to learn')
    attrs = inp.get('attributes')
    if attrs is not None:
        if not isinstance(attrs, dict) or not all(isinstance(v, str) for v in attrs.values()):
            bad('attributes must be a flat object of strings')
    if (obj['style'] == 'machine') != (inp.get('source') == 'system'):
        bad('machine style and source system go together')
    # The order of evidence: explicit area, point, address, (text: not checked).
    if 'area' in inp:
        if inp['area'] != exp['area']:
            bad('explicit area %r but expect %r' % (inp['area'], exp['area']))
    elif 'lat' in inp or 'long' in inp:
        if not isinstance(inp.get('lat'), (int, float)) or not isinstance(inp.get('long'), (int, float)):
            return bad('lat and long must both be numbers')
        at = geo.area_at(inp['lat'], inp['long'])
        if at != exp['area']:
            bad('point %s,%s lies in %r, expect says %r' % (inp['lat'], inp['long'], at, exp['area']))
    elif 'address_string' in inp:
        addr = inp['address_string']
        words = re.findall(r'[\w-]+', addr.lower())
        if any(t in words for t in OTHER_TOWNS):
            if exp['area'] is not None:
                bad('address %r is in another town, expect says %r' % (addr, exp['area']))
            return
        sa = geo.street_area(addr)
        if sa is not None and sa != exp['area']:
            bad('address %r is in %r, expect says %r' % (inp['address_string'], sa, exp['area']))


def selftest(geo):
    """Each check must reject the line it exists for, and pass a good one."""
    good = {'input': {'description': 'Ratten in de kelder.', 'source': 'citizen',
                      'lat': 50.8776, 'long': 4.6992},
            'expect': {'area': 'binnenstad', 'theme': 'dieren'}, 'lang': 'nl', 'style': 'standard'}
    bad = [
        ('point in another area', {'input': {'lat': 50.8857, 'long': 4.7031}}),  # burgemeestersstraat zone
        ('unknown theme', {'expect': {'area': 'binnenstad', 'theme': 'ratten'}}),
        ('unknown area', {'expect': {'area': 'Heverlee', 'theme': 'dieren'}}),
        ('bad source', {'input': {'source': 'sensor'}}),
        ('bad style', {'style': 'poem'}),
        ('lat alone', {'input': {'lat': 50.87, 'long': None}}),
        ('address elsewhere', {'input': {'lat': None, 'long': None, 'address_string': 'Lolanden 3'}}),
        ('zone by house number', {'input': {'lat': None, 'long': None, 'address_string': 'Burgemeestersstraat 5'}}),
        ('other town', {'input': {'lat': None, 'long': None, 'address_string': 'Grote Markt 1, 3300 Tienen'}}),
        ('explicit area disagrees', {'input': {'area': 'heverlee'}}),
        ('explicit theme', {'input': {'theme': 'dieren'}}),
        ('machine without system', {'style': 'machine'}),
        ('extra key', {'note': 'x'}),
    ]
    failures = []
    problems = []
    check_line(geo, 'good', good, problems)
    if problems:
        failures.append('good line refused: %s' % problems)
    for name, change in bad:
        obj = json.loads(json.dumps(good))
        for k, v in change.items():
            if isinstance(v, dict) and k in obj:
                obj[k].update(v)
                obj[k] = {kk: vv for kk, vv in obj[k].items() if vv is not None}
            else:
                obj[k] = v
        problems = []
        check_line(geo, name, obj, problems)
        if not problems:
            failures.append('%s: not caught' % name)
    if norm('Ratten in de KÉLDER!') != norm('ratten in de kelder'):
        failures.append('norm does not fold case, accents and punctuation')
    for f in failures:
        print(f, file=sys.stderr)
    return 1 if failures else 0


def main(argv):
    quiet = '--quiet' in argv
    args = [a for a in argv[1:] if not a.startswith('--')]
    root = args[0] if args else os.path.join(os.path.dirname(__file__), '..')
    geo = Geo(os.path.join(root, 'conf'))
    if '--selftest' in argv:
        return selftest(geo)
    problems = []
    dev = []
    with open(os.path.join(root, 'tests', 'data', 'signals-dev.jsonl'), encoding='utf-8') as f:
        dev += [json.loads(l)['input']['description'] for l in f if l.strip()]
    dev_norm = {norm(d) for d in dev}
    dev_sh = [shingles(d) for d in dev]
    seen = {}
    count = {'theme': {}, 'area': {}, 'lang': {}, 'style': {}}
    total = 0
    files = sorted(glob.glob(os.path.join(root, 'conf', 'corpus', '*.jsonl')))
    if not files:
        problems.append('no conf/corpus/*.jsonl')
    for path in files:
        with open(path, encoding='utf-8') as f:
            for n, line in enumerate(f, 1):
                where = '%s:%d' % (os.path.relpath(path, root), n)
                try:
                    obj = json.loads(line)
                except ValueError as e:
                    problems.append('%s: not JSON (%s)' % (where, e))
                    continue
                check_line(geo, where, obj, problems)
                try:
                    d = obj['input']['description']
                    key = norm(d)
                except (KeyError, TypeError):
                    continue
                if key in seen:
                    problems.append('%s: same description as %s' % (where, seen[key]))
                seen[key] = where
                if key in dev_norm:
                    problems.append('%s: copies a development-set signal' % where)
                elif obj.get('style') != 'machine' and len(key.split()) >= 6:
                    sh = shingles(d)
                    for dsh in dev_sh:
                        if len(sh & dsh) / len(sh | dsh) > 0.5:
                            problems.append('%s: nearly copies a development-set signal' % where)
                            break
                total += 1
                for k, v in (('theme', obj['expect'].get('theme')), ('area', obj['expect'].get('area')),
                             ('lang', obj.get('lang')), ('style', obj.get('style'))):
                    v = v or '(null)'
                    count[k][v] = count[k].get(v, 0) + 1
    if total < MIN_TOTAL:
        problems.append('%d signals, want at least %d' % (total, MIN_TOTAL))
    for t in sorted(geo.themes):
        if count['theme'].get(t, 0) < MIN_PER_THEME:
            problems.append('theme %s has %d signals, want at least %d'
                            % (t, count['theme'].get(t, 0), MIN_PER_THEME))
    if not quiet:
        print('signals: %d' % total)
        for k in ('theme', 'area', 'lang', 'style'):
            print('%s: %s' % (k, ', '.join('%s %d' % kv for kv in
                                           sorted(count[k].items(), key=lambda kv: -kv[1]))))
    for p in problems[:50]:
        print(p, file=sys.stderr)
    if len(problems) > 50:
        print('... and %d more' % (len(problems) - 50), file=sys.stderr)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
