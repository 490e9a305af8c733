#!/usr/bin/env bash
# Driver overhead, side by side on this machine: RaftBench's harness on the noop engine against
# YCSB 0.17's own Client on its BasicDB (basicdb.verbose=false), both running workload A with one
# worker thread, in alternating rounds. Prints both throughputs per round and the median ratio
# (goal: RaftBench >= 2x YCSB).
#
#   mvn -B -ntp -DskipTests package && microbench/ycsb-overhead.sh
#   SECONDS_EACH=30 ROUNDS=5 microbench/ycsb-overhead.sh
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${SECONDS_EACH:-10}
rounds=${ROUNDS:-3}
jar=harness/target/harness.jar
[ -f "$jar" ] || { echo "ycsb-overhead: $jar is missing; build it first: mvn -B -ntp -DskipTests package" >&2; exit 2; }
work=microbench/target/ycsb-overhead
mkdir -p "$work"

# YCSB 0.17 core and its dependencies, from Maven Central (or the local repository)
mvn -q -B -ntp -f microbench/ycsb/pom.xml dependency:build-classpath -Dmdep.outputFile="$PWD/$work/ycsb.classpath" >/dev/null
cp="$(cat "$work/ycsb.classpath")"

# YCSB's workloada, as shipped with 0.17 (counts as our workload-a)
cat > "$work/workloada" <<'PROPS'
recordcount=10000
operationcount=1000000
workload=site.ycsb.workloads.CoreWorkload
readallfields=true
readproportion=0.5
updateproportion=0.5
scanproportion=0
insertproportion=0
requestdistribution=zipfian
PROPS

# the two alternate, round after round: this VM's speed drifts by a quarter from one minute to the
# next, so one run of each could compare two different machines; the median ratio is the figure
ratios=()
for round in $(seq 1 "$rounds"); do
  echo "round $round/$rounds: YCSB 0.17 Client, BasicDB, workload A, 1 thread, ${seconds} s ..." >&2
  # maxexecutiontime bounds the run phase; operationcount is set high enough never to end it first
  java -cp "$cp" site.ycsb.Client -t -db site.ycsb.BasicDB -P "$work/workloada" -threads 1 \
    -p basicdb.verbose=false -p operationcount=1000000000 -p maxexecutiontime="$seconds" \
    > "$work/ycsb-$round.txt" 2> "$work/ycsb-$round.err"
  ycsb=$(awk -F', ' '/^\[OVERALL\], Throughput/ {print $3}' "$work/ycsb-$round.txt")

  echo "round $round/$rounds: RaftBench harness, noop engine, workload A, 1 thread x 1 in flight, ${seconds} s measured from the start like YCSB ..." >&2
  rm -rf "$work/raftbench-$round"
  java -jar "$jar" run workload-a --engine noop --threads 1 --inflight 1 --warmup 0s --duration "${seconds}s" \
    --noise-floor 0 --quiet --out "$work/raftbench-$round" > "$work/raftbench-$round.txt"
  ours=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["throughput_ops_s"])' "$work/raftbench-$round/trial.json")
  ratios+=("$ycsb:$ours")
done

python3 - "${ratios[@]}" <<'PY'
import statistics, sys
pairs = [tuple(float(x) for x in a.split(":")) for a in sys.argv[1:]]
print(f"{'round':>5}  {'YCSB 0.17 (BasicDB)':>20}  {'RaftBench (noop)':>17}  {'ratio':>6}")
for i, (ycsb, ours) in enumerate(pairs, 1):
    print(f"{i:>5}  {ycsb:>14,.0f} ops/s  {ours:>11,.0f} ops/s  {ours / ycsb:>6.2f}")
print(f"median ratio RaftBench / YCSB: {statistics.median(o / y for y, o in pairs):.2f}  (goal >= 2)")
PY
