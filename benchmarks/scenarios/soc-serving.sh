#!/usr/bin/env bash
# Scenario runner for Agent.xpu's SoC serving targets (docs/benchmarks.md, issue 15): on the embedded Core Ultra SoC,
# both models, 6 proactive requests a minute and 1-5 reactive a minute (MINUTES of arrivals, default 30, seed 1),
# agentxpu against the baselines, each baseline over a grid of its settings (openvino: max_num_batched_tokens x
# max_num_seqs; llamacpp: logical batch -b x slots --parallel); serial has none. Also the same reactive requests with
# no proactive load (the reactive-only reference of each policy) and one hour of arrivals timed. Writes one JSON (and
# the stderr line with the wall time) per run into OUT (default artifacts/scenarios/soc), then prints the report
# (soc-report.py). MODELS, RATES and MINUTES narrow or change the grid.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-artifacts/scenarios/soc}
models=${MODELS:-"llama-3.2-3b llama-3.1-8b"}
rates=${RATES:-"1 2 3 4 5"}
minutes=${MINUTES:-30}
mkdir -p "$out"
config=${CONFIG:-Release}
dotnet build src/Cli -c "$config" -p:Optimize=true -v q -nologo >/dev/null
plan="dotnet src/Cli/bin/$config/net10.0/plan.dll"
for rate in $rates; do
  $plan soc generate --reactive-per-minute $rate --proactive-per-minute 6 --minutes $minutes --seed 1 -o "$out/r$rate.jsonl" >/dev/null
  $plan soc generate --reactive-per-minute $rate --proactive-per-minute 0 --minutes $minutes --seed 1 -o "$out/r$rate-alone.jsonl" >/dev/null
  for model in $models; do
    run() { # name, workload, extra options
      $plan soc simulate --workload "$2" --model $model --format json ${@:3} > "$out/$model-r$rate-$1.json" 2> "$out/$model-r$rate-$1.err"
    }
    run agentxpu "$out/r$rate.jsonl" --policy agentxpu
    run serial "$out/r$rate.jsonl" --policy serial
    for tokens in 256 2048; do
      for seqs in 4 256; do
        run "openvino@$tokens,$seqs" "$out/r$rate.jsonl" --policy openvino --max-batched-tokens $tokens --max-sequences $seqs
      done
      for slots in 1 4; do
        run "llamacpp@$tokens,$slots" "$out/r$rate.jsonl" --policy llamacpp --max-batched-tokens $tokens --max-sequences $slots
      done
    done
    for policy in agentxpu openvino llamacpp serial; do
      run "$policy-alone" "$out/r$rate-alone.jsonl" --policy $policy
    done
  done
done
# Speed: an hour of arrivals at the heaviest rate, every policy at its default settings.
$plan soc generate --reactive-per-minute 5 --proactive-per-minute 6 --minutes 60 --seed 1 -o "$out/hour.jsonl" >/dev/null
for model in $models; do
  for policy in agentxpu openvino llamacpp serial; do
    $plan soc simulate --workload "$out/hour.jsonl" --model $model --policy $policy --format json > "$out/$model-hour-$policy.json" 2> "$out/$model-hour-$policy.err"
  done
done
MODELS="$models" RATES="$rates" python3 benchmarks/scenarios/soc-report.py "$out"
