#!/usr/bin/env bash
# The bounded load test of `plan kb serve` (issue 19, docs/benchmarks.md "Agent KB: load on loopback"): fills a fresh
# knowledge base with PRELOAD generated experiences (`plan kb ingest`, default 1000), serves it on a free loopback port,
# and runs CLIENTS concurrent clients (default 16) for DURATION seconds (default 30) against it with kb-load
# (benchmarks/Planning.Knowledge.Load): INGEST_PERCENT of the requests (default 20) ingest a batch of BATCH new
# experiences (default 4), the rest are plan / feedback / hybrid searches. kb-load counts errors and latencies and reads
# every acknowledged ingest back; the server is then stopped with SIGTERM (graceful) and the database reopened by
# `plan kb search`. Writes OUT (default artifacts/scenarios/kb-load): load.json (kb-load's summary), serve.out/err,
# machine.txt (cores, load average before and after). Exits non-zero on any error, lost ingest or unclean stop.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-artifacts/scenarios/kb-load}
clients=${CLIENTS:-16}
duration=${DURATION:-30}
preload=${PRELOAD:-1000}
ingest_percent=${INGEST_PERCENT:-20}
batch=${BATCH:-4}
seed=${SEED:-1}
mkdir -p "$out"
dotnet build src/Cli -c Release -v q -nologo >/dev/null
dotnet build benchmarks/Planning.Knowledge.Load -c Release -v q -nologo >/dev/null
plan="dotnet src/Cli/bin/Release/net10.0/plan.dll"
load="dotnet benchmarks/Planning.Knowledge.Load/bin/Release/net10.0/kb-load.dll"
db="$out/kb.db"
rm -rf "$db" "$db"-wal "$db"-shm "$db.bm25"

{ echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"; echo "cores: $(nproc)"; echo "model: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"; echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"; } > "$out/machine.txt"
$load generate --count "$preload" --seed 7 > "$out/preload.jsonl"
$plan kb ingest --db "$db" --input "$out/preload.jsonl" > "$out/ingest.out" 2> "$out/ingest.err"

$plan kb serve --db "$db" --port 0 > "$out/serve.out" 2> "$out/serve.err" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 1200); do
  grep -q '^listening on ' "$out/serve.out" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { echo "kb-load: the server exited:" >&2; cat "$out/serve.err" >&2; exit 1; }
  sleep 0.1
done
url=$(sed -n 's/^listening on \([^ ]*\).*/\1/p' "$out/serve.out")
[ -n "$url" ] || { echo "kb-load: the server did not report an address" >&2; exit 1; }

status=0
$load run --url "$url" --clients "$clients" --seconds "$duration" --ingest-percent "$ingest_percent" --batch "$batch" --seed "$seed" > "$out/load.json" || status=$?
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine.txt"

kill -TERM "$server"
server_status=0
wait "$server" || server_status=$?
trap - EXIT
[ "$server_status" -eq 0 ] || { echo "kb-load: the server exited $server_status after SIGTERM" >&2; status=1; }
$plan kb search --db "$db" --query "deploy the web service" --k 1 > "$out/reopen.out" 2>&1 || { echo "kb-load: the database does not reopen" >&2; status=1; }

python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
r = json.load(open(f"{out}/load.json"))
print(open(f"{out}/machine.txt").read().strip())
print(f"{r['clients']} clients, {r['seconds']} s, {r['ingestPercent']}% ingests of {r['batch']}; base {r['initialExperiences']} -> {r['finalExperiences']} experiences")
print(f"requests {r['requests']}, errors {r['errors']}, acknowledged ingests {r['acknowledged']}, missing {r['missing']}, mismatched {r['mismatched']}")
print(f"  {'operation':10} {'count':>7} {'errors':>7} {'per s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
for name, o in r['operations'].items():
    print(f"  {name:10} {o['count']:>7} {o['errors']:>7} {o['perSecond']:>7} {o['p50Ms']:>8} {o['p95Ms']:>8} {o['p99Ms']:>8} {o['maxMs']:>8}")
for s in r['errorSamples']:
    print("  error:", s)
PY
tail -n 1 "$out/serve.err"
exit "$status"
