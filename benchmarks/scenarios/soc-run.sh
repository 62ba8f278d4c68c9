#!/usr/bin/env bash
# Scenario runner for Agent.xpu's real-executor target (docs/benchmarks.md, issue 15): `plan soc run` on this machine,
# for each model in MODELS (default llama-3.2-3b), with a generated workload (REACTIVE reactive and PROACTIVE proactive
# arrivals a minute, default 5 and 6, over DURATION seconds of the SoC's time, default 120; Azure conversation / code
# lengths; seed SEED), the openvino FCFS baseline, at time scale SCALE (wall ms per SoC ms, default 1). Writes one JSON
# per model into OUT (default artifacts/scenarios/soc-run); ROUNDS (default 1) repeats the four cases interleaved and
# the target pools the rounds. It then prints each case's reactive p50/p95 and proactive
# throughput and the target's two ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-artifacts/scenarios/soc-run}
models=${MODELS:-llama-3.2-3b}
duration=${DURATION:-120}
reactive=${REACTIVE:-5}
proactive=${PROACTIVE:-6}
scale=${SCALE:-1}
seed=${SEED:-1}
rounds=${ROUNDS:-1}
mkdir -p "$out"
dotnet build src/Cli -c Release -v q -nologo >/dev/null
plan="dotnet src/Cli/bin/Release/net10.0/plan.dll"
for model in $models; do
  $plan soc run --model "$model" --duration "$duration" --reactive-per-minute "$reactive" --proactive-per-minute "$proactive" \
    --time-scale "$scale" --rounds "$rounds" --seed "$seed" --format json > "$out/$model.json" 2> "$out/$model.err"
done
python3 - "$out" $models <<'PY'
import json, sys
out, models = sys.argv[1], sys.argv[2:]
for model in models:
    r = json.load(open(f"{out}/{model}.json"))
    print(f"{model}: {r['workload']}; time scale {r['timeScale']}, each case {r['durationMs'] / 1000:.0f} s then until every request is done (cap {r['capMs'] / 1000:.0f} s)")
    worst = max(c['maxAbsError'] for c in r['calibration'])
    print(f"  calibration: largest check error {worst:.1%} over " + ", ".join(f"{c['lane']}/{c['shape']}" for c in r['calibration']))
    fmt = lambda v: "-" if v is None else f"{v:.0f}"
    print(f"  {'case':16} {'round':>5} {'reactive p50 ms':>16} {'p95 ms':>8} {'done':>7} {'proactive tok/s':>16} {'done':>7} {'runs':>6} {'aborted':>8}")
    for c in r['cases']:
        re, pr = c['reactive'], c['proactive']
        print(f"  {c['name']:16} {c.get('round', 0) + 1:>5} {fmt(re['p50LatencyMs']):>16} {fmt(re['p95LatencyMs']):>8} {re['count'] - re['unfinished']:>3}/{re['count']:<3} "
              f"{pr['tokensPerSecond']:>16.2f} {pr['count'] - pr['unfinished']:>3}/{pr['count']:<3} {c['runs']:>6} {c['abortedRuns']:>8}")
    t = r['target']
    ratio = lambda v: "-" if v is None else f"{v:.2f}"
    print(f"  target (pooled over {t.get('rounds', 1)} round(s)): reactive p95 ratio {ratio(t['reactiveP95Ratio'])} (<= 1.5), proactive throughput ratio {ratio(t['proactiveThroughputRatio'])} (>= 0.7): {'met' if t['met'] else 'missed'}")
PY
