#!/usr/bin/env bash
# Scenario runner for UltraEP's throughput targets (docs/benchmarks.md): 3 models x initial imbalance 1.5/2.0/2.5/3.0
# x {h800, nvl72}, zipf, 16 microbatches, seeds 1-3; and the rotating family at 2.0/3.0 (seed 1). Every run simulates
# every policy (ultraep-reorder included: masters reordered across domains every 8 microbatches). Writes one JSON per run into OUT
# (default artifacts/scenarios/ultraep), then prints the report (ultraep-report.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-artifacts/scenarios/ultraep}
mkdir -p "$out"
dotnet build src/Cli -c Release -v q -nologo >/dev/null
plan="dotnet src/Cli/bin/Release/net10.0/plan.dll"
for hw in h800 nvl72; do
  for model in deepseek-v3 qwen3-235b-a22b glm-4.5-air; do
    for seed in 1 2 3; do
      for imb in 1.5 2.0 2.5 3.0; do
        $plan moe simulate --model $model --hardware $hw --workload zipf --imbalance $imb --microbatches 16 --seed $seed --format json 2>/dev/null > "$out/zipf-$hw-$model-$imb-s$seed.json"
      done
    done
    for imb in 2.0 3.0; do
      $plan moe simulate --model $model --hardware $hw --workload rotating --imbalance $imb --microbatches 16 --seed 1 --format json 2>/dev/null > "$out/rotating-$hw-$model-$imb.json"
    done
  done
done
python3 benchmarks/scenarios/ultraep-report.py "$out"
