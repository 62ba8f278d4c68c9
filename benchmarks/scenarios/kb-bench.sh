#!/usr/bin/env bash
# Scenario runner for the Agent KB targets (docs/benchmarks.md, "Agent KB (issue 19)"). For a corpus of SIZE experiences
# (first argument, default 10000): `plan kb generate` writes the labelled set of data/kb-eval (seed 19, 600 queries,
# 1,400 distractors; the script checks that its queries are the committed ones) followed by generated distractors up
# to SIZE; `plan kb ingest` stores them in a fresh database, timed by wall clock (embeddings included); `plan kb eval`
# then measures recall@k / MRR@k of BM25, dense and both fusion rules, the two stages, search latency p50/p99 per
# search kind (warm: WARMUP untimed searches of each kind first, default 20), and, above the exact-dense limit, the IVF
# index's recall@10 against exact search. Writes into OUT/SIZE (OUT default artifacts/scenarios/kb): experiences.jsonl,
# kb.db, ingest.txt, eval.json. EVAL_ONLY=1 reuses the database of an earlier run (re-measure on a quieter machine);
# LIMIT=N evaluates the first N queries only. The machine's load (/proc/loadavg) is printed before and after each phase.
set -euo pipefail
cd "$(dirname "$0")/../.."
size=${1:-10000}
out=${OUT:-artifacts/scenarios/kb}/$size
warmup=${WARMUP:-20}
mkdir -p "$out"
nice -n 10 dotnet build src/Cli -c Release -v q -nologo >/dev/null
plan="dotnet src/Cli/bin/Release/net10.0/plan.dll"
if [ "${EVAL_ONLY:-0}" != 1 ]; then
  rm -rf "$out/kb.db" "$out/kb.db-wal" "$out/kb.db-shm" "$out/kb.db.bm25"
  $plan kb generate --out "$out" --seed 19 --queries 600 --distractors 1400 --total "$size"
  cmp "$out/queries.jsonl" data/kb-eval/queries.jsonl
  echo "load before ingest: $(cat /proc/loadavg)"
  start=$(date +%s.%N)
  $plan kb ingest --db "$out/kb.db" --input "$out/experiences.jsonl" > "$out/ingest.txt"
  end=$(date +%s.%N)
  python3 -c "import sys; s = float(sys.argv[2]) - float(sys.argv[1]); n = int(sys.argv[3]); print(f'ingest of {n} experiences: {s:.1f} s wall, {n / s:.1f} experiences/s')" "$start" "$end" "$size"
  echo "load after ingest: $(cat /proc/loadavg)"
fi
echo "load before eval: $(cat /proc/loadavg)"
limit=()
if [ -n "${LIMIT:-}" ]; then limit=(--limit "$LIMIT"); fi
$plan kb eval --db "$out/kb.db" --queries data/kb-eval/queries.jsonl --k 1,5,10 --warmup "$warmup" "${limit[@]}" --format json > "$out/eval.json"
echo "load after eval: $(cat /proc/loadavg)"
python3 - "$out/eval.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"{r['experiences']} experiences, dense index {r['denseIndex']}, opened in {r['openMs'] / 1000:.1f} s, {r['queryCount']} queries")
rows = [q for q in r['quality'] if q['variation'] == 'all']
print(f"  {'retriever':16} " + " ".join(f"{'recall@' + str(k):>9} {'MRR@' + str(k):>7}" for k in sorted({q['k'] for q in rows})))
for name in dict.fromkeys(q['retriever'] for q in rows):
    cells = sorted((q for q in rows if q['retriever'] == name), key=lambda q: q['k'])
    print(f"  {name:16} " + " ".join(f"{c['recall']:>9.3f} {c['mrr']:>7.3f}" for c in cells))
print("  recall@5 by query variation:")
variations = sorted({q['variation'] for q in r['quality']} - {'all'})
print(f"  {'retriever':16} " + " ".join(f"{v:>9}" for v in variations))
for name in dict.fromkeys(q['retriever'] for q in rows):
    print(f"  {name:16} " + " ".join(f"{next(q['recall'] for q in r['quality'] if q['retriever'] == name and q['variation'] == v and q['k'] == 5):>9.3f}" for v in variations))
print(f"  {'search':16} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8} {'max ms':>8}")
for l in r['latency']:
    print(f"  {l['search']:16} {l['p50Ms']:>8.1f} {l['p99Ms']:>8.1f} {l['meanMs']:>8.1f} {l['maxMs']:>8.1f}")
if 'ivfRecallAt10' in r:
    print(f"  IVF recall@10 against exact: {r['ivfRecallAt10']:.3f}")
PY
