#!/usr/bin/env bash
# What distance between nodes does to Raft: workload A on 3 hosts in network namespaces
# (scripts/netns-hosts.sh) at each round-trip time between nodes, for each engine, through the
# native client and through the HTTP front door, on the same daemons; then two regions (hosts 1
# and 2 at 0.1 ms, host 3 40 ms away from both: a quorum without the far host). Writes every bundle, a
# table (study.csv: asked and measured round trip, throughput, read and update p50/p99, errors,
# lost writes) and `harness compare` over all of them (charts, comparison.csv, report.html).
#
#   scripts/wan-study.sh [OUT_DIR]   (env: JAR, ENGINES="ratis sofajraft", RTTS="0.1 2 40", REGIONS=1,
#                                     RUN_ARGS="workload-a --recordcount 1000 --warmup 5s --duration 20s --noise-floor 0")
# As root; takes about 2 minutes per engine and round trip.
set -euo pipefail
jar=${JAR:-harness/target/harness.jar}
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-results/runs/$(date +%Y%m%d-%H%M%S)-wan-study}
engines=${ENGINES:-ratis sofajraft}
rtts=${RTTS:-0.1 2 40}
read -r -a run_args <<< "${RUN_ARGS:-workload-a --recordcount 1000 --warmup 5s --duration 20s --noise-floor 0}"
mkdir -p "$out"
for e in $engines; do
  for r in $rtts; do
    JAR=$jar "$here/netns-hosts.sh" --engine "$e" --hosts 3 --shards 3 --rtt "$r" --clients "native http" --out "$out/$e-rtt$r" \
      -- "${run_args[@]}" --quiet
  done
  if [ "${REGIONS:-1}" = 1 ]; then
    JAR=$jar "$here/netns-hosts.sh" --engine "$e" --hosts 3 --shards 3 --rtt 0.1 --link 1-3=40 --link 2-3=40 --clients "native http" \
      --out "$out/$e-regions" -- "${run_args[@]}" --quiet
  fi
done
python3 - "$out" <<'EOF'
import csv, glob, json, os, sys
out = sys.argv[1]
rows = []
for t in sorted(glob.glob(os.path.join(out, "*", "run-*", "trial.json"))):
    j = json.load(open(t))
    s, ops = j["spec"], j["summary"]["ops"]
    rows.append({
        "engine": s["engine"], "transport": s["transport"], "client": s["client"],
        "rtt_ms": s["topology"]["rtt_ms"], "rtt_measured_ms": s["topology"]["rtt_measured_ms"],
        "links_rtt_ms": " ".join("%s=%s" % kv for kv in s["topology"].get("links_rtt_ms", {}).items()),
        "ops_s": round(j["summary"]["throughput_ops_s"], 1),
        "read_p50_ms": round(ops["READ"]["p50_us"] / 1000, 2), "read_p99_ms": round(ops["READ"]["p99_us"] / 1000, 2),
        "update_p50_ms": round(ops["UPDATE"]["p50_us"] / 1000, 2), "update_p99_ms": round(ops["UPDATE"]["p99_us"] / 1000, 2),
        "errors": j["summary"]["errors"], "lost": j["verify"]["lost"], "bundle": os.path.relpath(os.path.dirname(t), out),
    })
rows.sort(key=lambda r: (r["engine"], float(r["rtt_ms"]), r["links_rtt_ms"], r["client"]))
with open(os.path.join(out, "study.csv"), "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
EOF
java -jar "$jar" compare "$out"/*/run-* --out "$out/compare"
column -s, -t < "$out/study.csv"
