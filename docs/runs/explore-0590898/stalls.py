# Compares the longest stall per seed of two explorer runs on the same seeds: python3 stalls.py BEFORE_DIR AFTER_DIR
import re,glob,sys,statistics
# Longest stall per seed, for seeds whose faults include a partition but no SIGSTOP ("stop"), which stalls by design.
def load(d, seeds=None):
    out={}
    for f in glob.glob(d+'/seeds-*.txt'):
        for line in open(f):
            m=re.match(r'seed (\d+): .*faults (.*?), worker \d+\'s clock.*?(?:(\d+) stalls \(longest ([\d,]+) ms[^)]*\))?, [\d.]+ s: ',line)
            if not m: continue
            seed=int(m.group(1)); faults=[x.strip() for x in m.group(2).split(',')]
            if seeds and seed not in seeds: continue
            if 'stop' in faults or 'partition' not in faults: continue
            out[seed]=int(m.group(4).replace(',','')) if m.group(4) else 0
    return out
new=load(sys.argv[2])
old=load(sys.argv[1], set(new))
for name,d in (('before',old),('after',new)):
    v=sorted(d.values())
    if not v: print(name,'none'); continue
    print(f"{name}: {len(v)} partition seeds without SIGSTOP; longest stall median {statistics.median(v)} ms, p90 {v[int(len(v)*0.9)]} ms, max {v[-1]} ms; >1 s: {sum(x>1000 for x in v)}")
