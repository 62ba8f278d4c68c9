#!/usr/bin/env bash
# Scenario runner for Heddle's rollout targets (docs/benchmarks.md): 1,024 trajectories (64 prompts x 16 samples) of
# each trace family on 64 H100s, models 8b/14b/32b, policies slime, slime-nocache, verl, fcfs and heddle, slime and verl at every
# uniform degree (the baselines tuned by hand), and heddle's ablations (each mechanism alone, all but one). Writes one JSON (and the stderr line with the wall time) per run into OUT (default
# artifacts/scenarios/rollout), then prints the report (rollout-report.py). FAMILIES, MODELS and GPUS (default 64) narrow
# or change the grid; ABLATIONS=0 skips heddle's ablations.
# COST_MODEL (default modern) picks the inference cost model (modern or splitwise); SEED (default 1) the traces' and
# the policies' seed.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-artifacts/scenarios/rollout}
families=${FAMILIES:-"balanced longtail skewed agentic mixed"}
cost_model=${COST_MODEL:-modern}
models=${MODELS:-"8b 14b 32b"}
gpus=${GPUS:-64}
seed=${SEED:-1}
mkdir -p "$out"
config=${CONFIG:-Release}
dotnet build src/Cli -c "$config" -p:Optimize=true -v q -nologo >/dev/null
plan="dotnet src/Cli/bin/$config/net10.0/plan.dll"
ablations="none priority placement migration resources placement,migration,resources priority,migration,resources priority,placement,resources priority,placement,migration"
for family in $families; do
  # The trace itself (the same seed as the runs), for the report's skew measure (p99 / median of total output).
  $plan rollout generate --family $family --prompts 64 --samples 16 --seed $seed -o "$out/$family.trace.jsonl"
  for model in $models; do
    common="rollout simulate --family $family --prompts 64 --samples 16 --gpus $gpus --model $model --cost-model $cost_model --seed $seed --format json"
    # slime: SGLang router's cache-aware rule at slime's recipe degree; slime-nocache: the least-loaded router (ablation);
    # verl at its recipe degree (docs/contracts.md "Rollout baselines, tool calls and costs").
    for policy in slime slime-nocache verl fcfs heddle; do
      $plan $common --policy $policy > "$out/$family-$model-$policy.json" 2> "$out/$family-$model-$policy.err"
    done
    # The baselines tuned by hand: slime and verl with every instance at each degree (the rule picks one of them);
    # the report takes each one's best as "slime*" / "verl*". A degree the model or the trace cannot run exits 2.
    for policy in slime verl; do
      for degree in 1 2 4 8; do
        if ! $plan $common --policy $policy --degree $degree > "$out/$family-$model-$policy@tp$degree.json" 2> "$out/$family-$model-$policy@tp$degree.err"; then
          rm -f "$out/$family-$model-$policy@tp$degree.json"
        fi
      done
    done
    if [ "${ABLATIONS:-1}" != 0 ]; then
      for m in $ablations; do
        $plan $common --policy heddle --mechanisms $m > "$out/$family-$model-heddle[$m].json" 2> "$out/$family-$model-heddle[$m].err"
      done
    fi
  done
done
FAMILIES="$families" MODELS="$models" python3 benchmarks/scenarios/rollout-report.py "$out"
