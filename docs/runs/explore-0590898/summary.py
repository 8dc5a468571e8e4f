# Sums an explorer run directory: python3 summary.py DIR
import re,glob,sys
d=sys.argv[1]
faults={}; seeds=0; failed=0; secs=0; excused=0; falls=0
for f in sorted(glob.glob(d+'/seeds-*.txt')):
    t=open(f).read()
    m=re.search(r'faults injected: (.*)',t)
    for part in m.group(1).split(', '):
        n,k=part.split(' ',1); faults[k]=faults.get(k,0)+int(n)
    m=re.search(r'(\d+) seeds from \d+, (\d+) failed, (\d+):(\d+):(\d+)',t)
    seeds+=int(m.group(1)); failed+=int(m.group(2)); secs+=int(m.group(3))*3600+int(m.group(4))*60+int(m.group(5))
    excused+=sum(int(x) for x in re.findall(r'(\d+) overlapping runs they explain',t))
    falls+=sum(int(x) for x in re.findall(r'(\d+) runs started late after a pause',t))
print(f"{seeds} seeds, {failed} failed, {secs//3600}h{secs%3600//60:02d}m{secs%60:02d}s; faults {faults}; excused overlaps {excused}; excused falls {falls}")
