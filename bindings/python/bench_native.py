"""Times the planner's C ABI from Python (issue 16): the zero-copy call per layer and the dict form beside it.

Usage: python3 bindings/python/bench_native.py --case CASE.json [--policy ultraep] [--calls 2000] [--warmup 500]
CASE.json is a `plan moe generate` output. Prints one JSON line: the zero-copy call's median and p99 per layer
(Planner.balance_into on an array('q') of one layer's counts, plan and reroute table left in the planner's
buffers), the call without the reroute table (with_reroutes=False), the full call plus reading the plan into a dict (Planner.layer_dict), and the whole dict form (balance(case) with one layer:
validation, flattening, setup, call, dict), each in microseconds, and the managed bytes allocated per zero-copy call.
"""

import argparse
import array
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import planning_native as pn  # noqa: E402


def _percentiles(samples):
    ordered = sorted(samples)
    return {"median": round(statistics.median(ordered), 2),
            "p99": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 2)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", required=True)
    parser.add_argument("--policy", default="ultraep", choices=["ultraep", "eplb"])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=500)
    args = parser.parse_args()
    with open(args.case) as f:
        case = json.load(f)
    layers = case["tokensPerRankLayer"]
    flats = [array.array("q", [c for row in layer for c in row]) for layer in layers]
    one_layer = dict(case, tokensPerRankLayer=layers[:1])

    clock = time.perf_counter_ns
    with pn.Planner(case["ranks"], case["expertsPerRank"], case["redundantSlotsPerRank"], case["ranksPerNode"],
                    case["ranksPerDomain"], case.get("expertGroups"), args.policy) as planner:
        for i in range(args.warmup):
            planner.balance_into(flats[i % len(flats)])
        zero_copy = []
        before = planner.allocated_bytes()
        for i in range(args.calls):
            tokens = flats[i % len(flats)]
            started = clock()
            planner.balance_into(tokens)
            zero_copy.append((clock() - started) / 1000)
        allocated = (planner.allocated_bytes() - before) / args.calls
        plan_only = []
        for i in range(args.calls):
            tokens = flats[i % len(flats)]
            started = clock()
            planner.balance_into(tokens, with_reroutes=False)
            plan_only.append((clock() - started) / 1000)
        with_dict = []
        for i in range(args.calls // 4):
            tokens = flats[i % len(flats)]
            started = clock()
            planner.balance_into(tokens)
            planner.layer_dict()
            with_dict.append((clock() - started) / 1000)
        replicas, routes = planner.placement_rows - planner.experts, planner.reroute_rows

    dict_form = []
    for _ in range(max(20, args.calls // 20)):
        started = clock()
        pn.balance(one_layer, args.policy)
        dict_form.append((clock() - started) / 1000)

    print(json.dumps({
        "policy": args.policy,
        "ranks": case["ranks"],
        "experts": case["ranks"] * case["expertsPerRank"],
        "layers": len(layers),
        "replicas": replicas,
        "rerouteRows": routes,
        "zeroCopyMicroseconds": _percentiles(zero_copy),
        "zeroCopyPlanOnlyMicroseconds": _percentiles(plan_only),
        "zeroCopyPlusLayerDictMicroseconds": _percentiles(with_dict),
        "dictFormMicrosecondsPerLayer": _percentiles(dict_form),
        "allocatedBytesPerZeroCopyCall": allocated,
        "loadAverage": os.getloadavg()[0],
    }))


if __name__ == "__main__":
    main()
