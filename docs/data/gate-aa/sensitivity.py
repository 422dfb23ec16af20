"""Sensitivity of the gate on real A/A data: for each of the campaign's checks (a run of
unchanged code judged against the baseline), each id's rounds and samples are scaled by
1 + 1.5 x the detectable change that check printed for it, and the doctored run is
judged again. Prints, per id, in how many checks the shift was flagged 'regressed'."""
import json, subprocess, sys, os, re, tempfile, collections
here = sys.argv[3] if len(sys.argv) > 3 else '.'
bin_ = sys.argv[1] if len(sys.argv) > 1 else here + '/ctxbench'
base = here + '/' + (sys.argv[2] if len(sys.argv) > 2 else 'base')
checks = sorted(int(m.group(1)) for f in os.listdir(here) if (m := re.fullmatch(r'check(\d+)\.json', f)))

def table(out):
    rows = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and '/' in parts[0] and not line.startswith(' '):
            rows.setdefault(parts[0], line)
    return rows

def detectable(line):
    cells = line.split()
    for c in reversed(cells):
        if c.endswith('%') and not c.startswith(('+', '-', '[')) and re.fullmatch(r'[0-9.]+%', c):
            return float(c[:-1])
    return None

def doctor(v, id_, factor):
    v = json.loads(json.dumps(v))
    for p in v.get('paired', []):
        idx = [i for i, a in enumerate(p['arms']) if a['id'] == id_ and a['mode'] == 'main']
        for i in idx:
            for s in p['setups']:
                for r in s['rounds']:
                    r[i] = r[i] * factor
    for o in v['results']:
        if o['id'] == id_:
            o['samples_ns_per_round_trip'] = [x * factor for x in o['samples_ns_per_round_trip']]
    return v

flagged = collections.Counter(); tried = collections.Counter(); dets = collections.defaultdict(list)
tmp = tempfile.mkdtemp()
for k in checks:
    path = f'{here}/check{k}.json'
    out = subprocess.run([bin_, 'check', '--baseline', base, '--current', path],
                         capture_output=True, text=True).stdout
    rows = table(out)
    v = json.load(open(path))
    for id_, line in rows.items():
        d = detectable(line)
        if d is None or 'regressed' in line or 'invalid' in line:
            continue
        dets[id_].append(d)
        doc = doctor(v, id_, 1 + 1.5 * d / 100)
        p = f'{tmp}/d.json'
        json.dump(doc, open(p, 'w'))
        o2 = subprocess.run([bin_, 'check', '--baseline', base, '--current', p],
                            capture_output=True, text=True).stdout
        r2 = table(o2).get(id_, '')
        tried[id_] += 1
        flagged[id_] += r2.rstrip().endswith('regressed')
n_ok = sum(1 for i in tried if flagged[i] >= 0.9 * tried[i])
for i in sorted(tried):
    ds = sorted(dets[i]); med = ds[len(ds) // 2]
    print(f'{i:44s} flagged {flagged[i]:2d}/{tried[i]:2d}  detectable median {med:.1f}%')
print(f'ids flagged in at least 9 of 10: {n_ok} of {len(tried)}; all shifts: {sum(flagged.values())}/{sum(tried.values())}')
