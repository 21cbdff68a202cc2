#!/usr/bin/env python3
"""Generate the machine events of the corpus (conf/corpus/leuven-00.jsonl).

Sensor and partner systems send templated messages, so unlike the human
texts these may come from a script: each event is a key=value summary in
the description plus the same values as attributes, from a device placed
at a random point inside its labelled area (checked against
conf/areas.geojson), at a listed street, or with no place at all.
Deterministic (fixed seed): rerunning it rewrites the same file.

Usage: gen_machine.py [OUT]   (default conf/corpus/leuven-00.jsonl)
"""
import json, os, random, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'tests'))
from corpus_check import Geo  # noqa: E402

AREAS = ['binnenstad', 'kessel-lo', 'heverlee', 'wilsele', 'wijgmaal', 'casablanca', 'hoogland',
         'heilig-hart', 'burgemeestersstraat']


def noise(r):
    leq = r.randint(68, 92)
    t = '%02d:%02d' % (r.choice([22, 23, 0, 1, 2, 3]), r.choice([0, 10, 20, 30, 40, 50]))
    a = {'noise_level': str(leq), 'unit': 'dB(A)', 'sensor': 'NM-%02d' % r.randint(1, 40), 'start': t}
    d = r.choice(['noise_level Leq=%d dB(A) from %s sensor %s threshold_exceeded',
                  'geluidsmeter %s: Leq %d dB(A) vanaf %s, drempel overschreden',
                  'sonometre %s LAeq=%d dB(A) depuis %s seuil depasse'])
    if d.startswith('noise'):
        d = d % (leq, t, a['sensor'])
    else:
        d = d % (a['sensor'], leq, t)
    return 'overlast', d, a


def odour(r):
    v = r.randint(3, 9)
    a = {'odour': str(v), 'scale': '0-10', 'station': 'OD-%d' % r.randint(1, 12)}
    return 'overlast', 'odour index %d/10 at %s, complaint threshold 3' % (v, a['station']), a


def bins(r):
    f = r.randint(85, 100)
    c = str(r.randint(1000, 1999))
    a = {'bin_fill': str(f), 'container': c, 'type': r.choice(['rest', 'pmd', 'glas', 'papier'])}
    d = r.choice(['bin_fill=%d%% container %s (%s)', 'container %s vulgraad %d%% (%s)',
                  'underground container %s fill level %d%% type %s'])
    if d.startswith('bin'):
        d = d % (f, c, a['type'])
    elif d.startswith('container'):
        d = d % (c, f, a['type'])
    else:
        d = d % (c, f, a['type'])
    return 'afval', d, a


def parking(r):
    n = r.randint(5, 40)
    z = 'P-%s-%02d' % (r.choice(['BL', 'ST', 'ZB', 'LZ']), r.randint(1, 20))
    a = {'parking_violation': str(n), 'zone': z, 'window': r.choice(['07:00-09:00', '16:00-18:00', '11:00-14:00'])}
    return 'verkeer', 'parking_violation count=%d zone=%s window=%s' % (n, z, a['window']), a


def speed(r):
    lim = r.choice([30, 50, 70])
    v = lim + r.randint(8, 35)
    a = {'avg_speed': str(v), 'limit': str(lim), 'counter': 'TC-%03d' % r.randint(1, 300)}
    d = r.choice(['speed counter %s avg_speed=%d km/h limit=%d', 'snelheidsmeter %s gemiddeld %d km/u, limiet %d'])
    d = d % (a['counter'], v, lim)
    return 'verkeer', d, a


def lamp(r):
    p = 'LV-%04d' % r.randint(1000, 9999)
    a = {'lamp_failure': 'true', 'pole': p, 'status': r.choice(['OFF', 'FLICKER', 'DIM'])}
    return 'openbaar-domein', 'lamp_failure pole=%s status=%s' % (p, a['status']), a


def water(r):
    lv = r.randint(15, 60)
    a = {'water_level': str(lv), 'unit': 'cm', 'gauge': 'WL-%02d' % r.randint(1, 30)}
    d = r.choice(['water_level=%d cm above road at gauge %s', 'sewer_level alarm gauge %s: %d cm'])
    d = d % ((lv, a['gauge']) if d.startswith('water') else (a['gauge'], lv))
    return 'openbaar-domein', d, a


def road(r):
    a = {'road_damage': r.choice(['pothole', 'crack', 'subsidence']), 'depth_cm': str(r.randint(4, 20)),
         'survey': 'RS-%d' % r.randint(100, 999)}
    return 'openbaar-domein', 'road survey %s: road_damage=%s depth=%s cm' % (a['survey'], a['road_damage'], a['depth_cm']), a


def tree(r):
    if r.random() < 0.5:
        m = r.randint(2, 9)
        a = {'soil_moisture': str(m), 'tree_sensor': 'TS-%d' % r.randint(100, 400), 'status': 'drought_stress'}
        return 'groen', 'tree_sensor %s soil_moisture=%d%% status=drought_stress' % (a['tree_sensor'], m), a
    t = r.randint(6, 25)
    a = {'tree_health': 'tilt', 'tilt_deg': str(t), 'tree': 'B-%05d' % r.randint(1, 30000)}
    return 'groen', 'tree %s tree_health=tilt %d deg, inspect' % (a['tree'], t), a


def alarm(r):
    k = r.choice(['intrusion', 'glass_break'])
    b = r.choice(['buurthuis', 'sporthal', 'bibliotheek filiaal', 'school', 'jeugdlokaal', 'containerpark'])
    a = {k: 'true', 'site': b, 'panel': 'AL-%03d' % r.randint(1, 200)}
    return 'veiligheid', 'alarm %s at %s panel %s, no code entered' % (k, b, a['panel']), a


def bait(r):
    if r.random() < 0.5:
        s = 'BS-%02d' % r.randint(1, 60)
        a = {'bait_station': s, 'bait_consumption': r.choice(['high', 'medium', '80%', '100%'])}
        return 'dieren', 'bait_station %s consumption=%s' % (s, a['bait_consumption']), a
    t = 'RT-%03d' % r.randint(1, 300)
    a = {'rat_trap': t, 'trap_triggered': 'true', 'count': str(r.randint(1, 6))}
    return 'dieren', 'rat_trap %s trap_triggered count=%s' % (t, a['count']), a


def vacancy(r):
    m = r.randint(12, 80)
    a = {'register': 'leegstand', 'status': 'vacant', 'months': str(m), 'dossier': 'LS-%d' % r.randint(2000, 9999)}
    return 'wonen', 'leegstandsregister dossier %s: pand leeg sinds %d maanden, herinspectie' % (a['dossier'], m), a


def battery(r):
    a = {'battery': '%d%%' % r.randint(1, 9), 'device': 'GW-%02d' % r.randint(1, 50)}
    return None, 'device %s heartbeat battery=%s' % (a['device'], a['battery']), a


# Systems that word their message in Dutch (the first word of the description).
NL_WORDS = {'geluidsmeter', 'container', 'snelheidsmeter', 'leegstandsregister'}

KINDS = [(noise, 28), (odour, 8), (bins, 34), (parking, 18), (speed, 16), (lamp, 22), (water, 10),
         (road, 8), (tree, 30), (alarm, 24), (bait, 30), (vacancy, 12), (battery, 6)]


def main(argv):
    out = argv[1] if len(argv) > 1 else os.path.join(HERE, 'leuven-00.jsonl')
    geo = Geo(os.path.join(HERE, '..'))
    listed = [s for s in geo.streets]
    r = random.Random(11)
    seen = set()
    rows = []
    for kind, n in KINDS:
        made = 0
        while made < n:
            theme, desc, attrs = kind(r)
            if desc in seen:
                continue
            seen.add(desc)
            made += 1
            inp = {'description': desc, 'source': 'system', 'channel': 'sensor'}
            x = r.random()
            if x < 0.75:
                area = r.choice(AREAS)
                inp['lat'], inp['long'] = geo.sample(area, r)
            elif x < 0.92:
                s = r.choice(listed)
                lo = int(s['from']) if s['from'] else 1
                num = r.randint(lo, int(s['to']) if s['to'] else lo + 150)
                inp['address_string'] = '%s %d' % (s['street'], num)
                area = geo.street_area(inp['address_string'])
            else:
                area = None
            inp['attributes'] = attrs
            lang = 'nl' if desc.split()[0] in NL_WORDS else 'fr' if desc.startswith('sonometre') else 'en'
            rows.append({'input': inp, 'expect': {'area': area, 'theme': theme}, 'lang': lang, 'style': 'machine'})
    r.shuffle(rows)
    with open(out, 'w', encoding='utf-8') as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
