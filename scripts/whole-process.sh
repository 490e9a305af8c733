#!/usr/bin/env bash
# Whole-command timings with hyperfine (Debian's hyperfine): `harness list`, and per engine a
# minimal forked trial (JVM start, cluster start, 100 records, 1 s measured, close). The bundle
# holds hyperfine's JSON and Markdown, each engine's last trial bundle, and startup.csv: per
# engine the trial's own split of its start-up (cluster start, load) from its trial.json.
#   scripts/whole-process.sh [OUT_DIR]      (env: JAR, RUNS=3, ENGINES="local ratis sofajraft atomix")
set -euo pipefail
jar=${JAR:-harness/target/harness.jar}
out=${1:-results/runs/$(date +%Y%m%d-%H%M%S)-whole-process}
runs=${RUNS:-3}
engines=${ENGINES:-local ratis sofajraft atomix}
command -v hyperfine >/dev/null || { echo "whole-process: hyperfine not found (apt-get install -y hyperfine)" >&2; exit 2; }
[ -f "$jar" ] || { echo "whole-process: no $jar (mvn -B -ntp -DskipTests package)" >&2; exit 2; }
mkdir -p "$out"
args=()
for e in $engines; do
  # the previous run's bundle is removed inside the command (a --prepare would run before every command)
  args+=(-n "trial $e" "rm -rf $out/trials/$e; java -jar $jar run workload-a --engine $e --duration 1s --warmup 0s --recordcount 100 --threads 2 --noise-floor 0 --quiet --out $out/trials/$e")
done
hyperfine --runs "$runs" --style basic --export-json "$out/hyperfine.json" --export-markdown "$out/hyperfine.md" \
  -n "list" "java -jar $jar list" "${args[@]}"
{
  echo "engine,cluster_start_s,load_s,measured_s"
  for e in $engines; do
    t="$out/trials/$e/trial.json"
    field() { grep -o "\"$1\" : [0-9.]*" "$t" | head -1 | awk '{print $3}'; }
    echo "$e,$(field cluster_start_s),$(field load_s),$(field measured_s)"
  done
} > "$out/startup.csv"
cat "$out/hyperfine.md" "$out/startup.csv"
echo "bundle: $out"
