#!/usr/bin/env python3
"""Report of benchmarks/scenarios/soc-serving.sh: per model and reactive rate, agentxpu against each baseline at its
best setting (the grid's lowest reactive p50, and separately its highest proactive throughput), the target ratios,
the reactive-only references and the hour's simulation times."""
import glob
import json
import os
import re
import sys

out = sys.argv[1]
models = os.environ.get("MODELS", "llama-3.2-3b llama-3.1-8b").split()
rates = os.environ.get("RATES", "1 2 3 4 5").split()


def load(path):
    with open(path) as f:
        return json.load(f)


def wall(path):
    with open(path) as f:
        m = re.search(r"in ([0-9.]+) s", f.read())
    return float(m.group(1)) if m else float("nan")


def grid(model, rate, policy):
    runs = {}
    for path in glob.glob(f"{out}/{model}-r{rate}-{policy}@*.json"):
        runs[path.split("@")[1][:-5]] = load(path)
    return runs


print("model          r/min policy     setting         react p50 ms  react p95 ms  proact tok/s   proact n  busy")
rows = []
for model in models:
    for rate in rates:
        agent = load(f"{out}/{model}-r{rate}-agentxpu.json")
        serial = load(f"{out}/{model}-r{rate}-serial.json")
        best = {"agentxpu": ("default", agent, agent), "serial": ("-", serial, serial)}
        for policy in ("openvino", "llamacpp"):
            runs = grid(model, rate, policy)
            p50 = min(runs.items(), key=lambda kv: (kv[1]["reactive"]["p50LatencyMs"], -kv[1]["proactive"]["tokensPerSecond"]))
            tput = max(runs.items(), key=lambda kv: kv[1]["proactive"]["tokensPerSecond"])
            best[policy] = (p50[0], p50[1], tput[1], tput[0])
        for policy in ("agentxpu", "openvino", "llamacpp", "serial"):
            setting, r = best[policy][0], best[policy][1]
            busy = " ".join(f"{l['lane']} {l['utilization']:.0%}" for l in r["lanes"])
            print(f"{model:14} {rate:>5} {policy:10} {setting:15} {r['reactive']['p50LatencyMs']:12.0f} {r['reactive']['p95LatencyMs']:13.0f} {r['proactive']['tokensPerSecond']:13.3f} {r['proactive']['count']:10} {busy}")
        for policy in ("openvino", "llamacpp"):
            base_p50 = best[policy][1]["reactive"]["p50LatencyMs"]
            base_tput = best[policy][2]["proactive"]["tokensPerSecond"]
            rows.append((model, rate, policy, 1 - agent["reactive"]["p50LatencyMs"] / base_p50,
                         agent["proactive"]["tokensPerSecond"] / base_tput, best[policy][3]))

print()
print("agentxpu against each baseline's best setting (p50 reduction vs its lowest-p50 setting; throughput vs its highest-throughput setting)")
print("model          r/min baseline   p50 reduction  tput ratio  (best-tput setting)  targets: >= 91% and >= 1.2x vs openvino; > 0 and > 1 vs llamacpp")
for model, rate, policy, reduction, ratio, setting in rows:
    ok = (reduction >= 0.91 and ratio >= 1.2) if policy == "openvino" else (reduction > 0 and ratio > 1)
    print(f"{model:14} {rate:>5} {policy:10} {reduction:13.1%} {ratio:11.2f}  {setting:19} {'met' if ok else 'NOT met'}")

print()
print("bounds: reactive p50 lower bound (median over requests of: prefill compute along the critical path at the fastest")
print("accelerators + one weight pass per further token), the largest p50 reduction any policy could reach against openvino's best; the proactive")
print("throughput bound (output tokens / (last - first proactive arrival)) and the largest ratio over openvino's best;")
print("reactive p50 of each policy on the same reactive requests with no proactive load (reactive-only reference)")
print("model          r/min  p50 LB ms  max reduction  tput bound  max ratio   reactive-only p50 ms")
for model in models:
    for rate in rates:
        alone = {p: load(f"{out}/{model}-r{rate}-{p}-alone.json")["reactive"]["p50LatencyMs"] for p in ("agentxpu", "openvino", "llamacpp", "serial")}
        runs = grid(model, rate, "openvino")
        ov = min(r["reactive"]["p50LatencyMs"] for r in runs.values())
        ov_tput = max(r["proactive"]["tokensPerSecond"] for r in runs.values())
        lb = load(f"{out}/{model}-r{rate}-agentxpu.json")["reactive"]["p50LowerBoundMs"]
        with open(f"{out}/r{rate}.jsonl") as f:
            proactive = [json.loads(l) for l in f if '"proactive"' in l]
        span = (max(r["arrivalMs"] for r in proactive) - min(r["arrivalMs"] for r in proactive)) / 1000
        bound = sum(r["outputTokens"] for r in proactive) / span
        print(f"{model:14} {rate:>5} {lb:10.0f} {1 - lb / ov:14.1%} {bound:11.3f} {bound / ov_tput:10.3f}   " + "  ".join(f"{p} {v:.0f}" for p, v in alone.items()))

print()
print("one hour of arrivals (5 reactive + 6 proactive a minute): simulation wall time, s")
for model in models:
    print(f"{model:14} " + "  ".join(f"{p} {wall(f'{out}/{model}-hour-{p}.err'):6.2f}" for p in ("agentxpu", "openvino", "llamacpp", "serial")))
