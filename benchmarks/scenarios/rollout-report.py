"""Summarises the JSON written by rollout-throughput.sh: tokens/s per policy, heddle's ratios, makespan over the lower
bound, simulation wall time, each mechanism's own gain (alone over heddle[none]; all but it, heddle over that), and the
predictor's held-out rank correlation and tail recall per family; and heddle against slime and verl at their best
uniform degree (slime*, verl*), the baselines as a user tuning them by hand would run them. slime is SGLang router's
cache-aware rule, slime-nocache the least-loaded router; slime and verl run at their public recipes' degree."""
import json, os, re, sys
folder = sys.argv[1] if len(sys.argv) > 1 else 'artifacts/scenarios/rollout'
families = os.environ.get('FAMILIES', 'balanced longtail skewed agentic mixed').split()
models = os.environ.get('MODELS', '8b 14b 32b').split()
mechs = ['priority', 'placement', 'migration', 'resources']
def load(name):
    r = json.load(open(f'{folder}/{name}.json'))
    err = open(f'{folder}/{name}.err').read()
    m = re.search(r'in ([0-9.]+) s', err)
    r['wall'] = float(m.group(1)) if m else float('nan')
    return r
# Skew of each family's trace, the measure that names "the most skewed workload": p99 / median of a trajectory's total
# output tokens (also max / median, and the median final context, which sets how much KV each trajectory holds).
def pct(xs, q):
    return xs[min(len(xs) - 1, int(q * len(xs)))]
print(f"{'family':9}{'p99/med out':>12}{'max/med out':>12}{'med turns':>10}{'med ctx':>9}{'p90 ctx':>9}{'total out':>11}")
skew = {}
for f in families:
    path = f'{folder}/{f}.trace.jsonl'
    if not os.path.exists(path):
        continue
    ts = [json.loads(l) for l in open(path) if l.strip()]
    out = sorted(sum(t['outputTokens']) for t in ts)
    ctx = sorted(t['promptTokens'] + sum(t['outputTokens']) + sum(t['observationTokens']) for t in ts)
    turns = sorted(len(t['outputTokens']) for t in ts)
    skew[f] = pct(out, 0.99) / pct(out, 0.5)
    print(f"{f:9}{skew[f]:12.2f}{out[-1] / pct(out, 0.5):12.2f}{pct(turns, 0.5):10}{pct(ctx, 0.5):9}{pct(ctx, 0.9):9}{sum(out):11}")
if skew:
    print(f"most skewed by p99/median of output: {max(skew, key=skew.get)}")
def binding(r):
    # Which term of the lower bound binds: the critical path, decode throughput, context-weighted throughput (KV), or
    # iteration sharing (the deadlines of many long trajectories).
    terms = {'path': r['lowerBound']['criticalPathSeconds'], 'tput': r['lowerBound']['throughputSeconds'],
             'ctx': r['lowerBound'].get('contextThroughputSeconds', 0),
             'share': r['lowerBound'].get('iterationSharingSeconds', 0)}
    return max(terms, key=terms.get)
print()
def tuned(f, m, policy):
    # The best of the policy's uniform-degree runs (slime@tpD), with its degree; None when the runner made none.
    runs = [(load(f'{f}-{m}-{policy}@tp{d}')['tokensPerSecond'], d) for d in (1, 2, 4, 8) if os.path.exists(f'{folder}/{f}-{m}-{policy}@tp{d}.json')]
    return max(runs) if runs else None
# slime = cache-aware router at slime's recipe degree, slime-nc = slime-nocache (least-loaded router), verl at its
# recipe degree; h/X = heddle's tokens/s over X's.
print(f"{'family':9}{'model':6}{'slime':>9}{'slime-nc':>9}{'verl':>9}{'fcfs':>9}{'heddle':>9}{'h/slime':>9}{'h/sl-nc':>8}{'h/verl':>8}{'h mk/LB':>9}{'slime/LB':>9}{'LB s':>8}{'LB by':>6}{'h wall s':>9}  slime / verl / heddle layout")
rows = []
for f in families:
    for m in models:
        p = {k: load(f'{f}-{m}-{k}') for k in ['slime', 'slime-nocache', 'verl', 'fcfs', 'heddle']}
        h = p['heddle']
        tp = lambda k: p[k]['tokensPerSecond']
        layout = {}
        for d in h['instanceDegrees']:
            layout[d] = layout.get(d, 0) + 1
        lay = ' + '.join(f'{n}xTP{d}' for d, n in sorted(layout.items(), reverse=True))
        lay = f"TP{p['slime']['instanceDegrees'][0]} / TP{p['verl']['instanceDegrees'][0]} / {lay}"
        print(f"{f:9}{m:6}{tp('slime'):9.0f}{tp('slime-nocache'):9.0f}{tp('verl'):9.0f}{tp('fcfs'):9.0f}{tp('heddle'):9.0f}{tp('heddle')/tp('slime'):9.3f}{tp('heddle')/tp('slime-nocache'):8.3f}{tp('heddle')/tp('verl'):8.3f}{h['makespanOverLowerBound']:9.3f}{p['slime']['makespanOverLowerBound']:9.3f}{h['lowerBoundSeconds']:8.1f}{binding(h):>6}{h['wall']:9.2f}  {lay}")
        rows.append((f, m, p))
print()
print("Baselines tuned by hand: the best uniform degree of slime and verl (tokens/s @ degree), heddle over them")
print(f"{'family':9}{'model':6}{'slime*':>13}{'verl*':>13}{'heddle':>9}{'h/slime*':>10}{'h/verl*':>9}")
for f, m, p in rows:
    s_best, v_best = tuned(f, m, 'slime'), tuned(f, m, 'verl')
    if s_best is None or v_best is None:
        continue
    h = p['heddle']['tokensPerSecond']
    print(f"{f:9}{m:6}{s_best[0]:8.0f} @TP{s_best[1]}{v_best[0]:8.0f} @TP{v_best[1]}{h:9.0f}{h/s_best[0]:10.3f}{h/v_best[0]:9.3f}")
print()
if os.path.exists(f'{folder}/{families[0]}-{models[0]}-heddle[none].json'):
  print("Ablations (tokens/s ratios). alone: heddle[X] / heddle[none]; drop: heddle / heddle[all but X]")
  print(f"{'family':9}{'model':6}{'none':>9}" + ''.join(f'{x+" alone":>17}' for x in mechs) + ''.join(f'{x+" drop":>16}' for x in mechs))
  for f in families:
      for m in models:
          none = load(f'{f}-{m}-heddle[none]')['tokensPerSecond']
          full = load(f'{f}-{m}-heddle')['tokensPerSecond']
          alone = [load(f'{f}-{m}-heddle[{x}]')['tokensPerSecond'] / none for x in mechs]
          drop = [full / load(f"{f}-{m}-heddle[{','.join(y for y in mechs if y != x)}]")['tokensPerSecond'] for x in mechs]
          print(f"{f:9}{m:6}{none:9.0f}" + ''.join(f'{a:17.3f}' for a in alone) + ''.join(f'{d:16.3f}' for d in drop))
print()
print("Heddle's predictor on the simulated (held-out) trace: Spearman / top-10% recall of remaining output tokens after k completed turns")
header = None
for f in families:
    h = load(f'{f}-{models[0]}-heddle')
    points = h.get('predictor', [])
    if header is None:
        header = ''.join(f"{'k=' + str(c['completedTurns']):>14}" for c in points)
        print(f"{'family':9}{header}")
    print(f"{f:9}" + ''.join(f"{c['spearman']:7.2f} /{c['tailRecall']:5.2f}" for c in points))
walls = [load(os.path.splitext(n)[0])['wall'] for n in os.listdir(folder) if n.endswith('.json')]
print(f"\nsimulation wall time per run (predictor fit + simulation, 1,024 trajectories): max {max(walls):.2f} s, mean {sum(walls)/len(walls):.2f} s over {len(walls)} runs")
