#!/usr/bin/env bash
# Cold against warm: each engine's workload A (100-byte values) measured after a fixed 5 s warm-up
# and after `--warmup auto` (until the throughput levels and the JIT compilers go quiet), in the
# trial's JVM and with each node a JVM of its own. Writes every bundle and study.csv (cell, warm-up
# mode and seconds, levelled, throughput, read and update p50, errors, lost writes).
#
#   scripts/warm-engines.sh [OUT_DIR]   (env: JAR, CELLS="ratis:embedded:1 ...", DURATION=30s, FSYNC=on|off,
#                                        WARMUPS="5s auto": the warm-ups each cell runs with)
# About 3 minutes a cell.
set -euo pipefail
jar=${JAR:-harness/target/harness.jar}
out=${1:-results/runs/$(date +%Y%m%d-%H%M%S)-warm-engines}
cells=${CELLS:-ratis:embedded:1 sofajraft:embedded:1 atomix:embedded:1 ratis:processes:1 sofajraft:processes:1 ratis:embedded:8 sofajraft:embedded:8 atomix:embedded:8}
duration=${DURATION:-30s}
fsync=${FSYNC:-on}
warmups=${WARMUPS:-5s auto}
mkdir -p "$out"
for cell in $cells; do
  IFS=: read -r engine cluster shards <<< "$cell"
  for warmup in $warmups; do
    java -jar "$jar" run workload-a --engine "$engine" --cluster "$cluster" --shards "$shards" --fsync "$fsync" -p fieldcount=1 -p fieldlength=100 \
      --threads 16 --recordcount 1000 --warmup "$warmup" --duration "$duration" --noise-floor 0 --quiet \
      --out "$out/$engine-$cluster-$shards-warmup-$warmup" > "$out/$engine-$cluster-$shards-warmup-$warmup.log" 2>&1 \
      || echo "$cell warmup $warmup failed: see $out/$engine-$cluster-$shards-warmup-$warmup.log"
  done
done
python3 - "$out" <<'PY'
import csv, glob, json, os, sys
out = sys.argv[1]
rows = []
for t in sorted(glob.glob(os.path.join(out, "*", "trial.json"))):
    j = json.load(open(t))
    s, ops, w = j["spec"], j["summary"]["ops"], j["warmup"]
    rows.append({
        "engine": s["engine"], "transport": s["transport"], "cluster": s["cluster"], "shards": s["shards"],
        "fsync": "on" if s["fsync"] else "off", "warmup": w["mode"], "warmup_s": w["seconds"], "levelled": w.get("levelled", ""),
        "throughput_ops_s": j["summary"]["throughput_ops_s"],
        "read_p50_ms": round(ops["READ"]["p50_us"] / 1000, 2), "update_p50_ms": round(ops["UPDATE"]["p50_us"] / 1000, 2),
        "errors": j["summary"]["errors"], "lost": j["verify"].get("lost", ""),
    })
with open(os.path.join(out, "study.csv"), "w", newline="") as f:
    wr = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
    wr.writeheader()
    wr.writerows(rows)
for r in rows:
    print(",".join(str(v) for v in r.values()))
PY
