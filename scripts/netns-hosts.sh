#!/usr/bin/env bash
# Several hosts on this machine: N network namespaces ("hosts"), each with an address of its own
# on a bridge in the root namespace (198.19.X.0/24, RFC 2544's benchmarking range, routed nowhere
# beyond this machine), one `harness node` daemon per host, a cluster file naming them, an HTTP
# front door on host 1; then `harness run WORKLOAD --cluster FILE` from the root namespace (the
# driver's host) across them. Optional per-host delay with `tc netem` (--rtt MS: every packet a
# host sends waits MS/2, so a round trip between two hosts takes MS). Everything is torn down on
# exit, also after a failure or Ctrl-C; the cluster file, the nodes' logs and data and the run's
# bundle stay in OUT.
#
#   scripts/netns-hosts.sh [--engine ratis|sofajraft] [--hosts 3] [--shards 2] [--rtt MS] [--out DIR]
#                          [-- RUN ARGS...]          (default run args: workload-a --recordcount 1000
#                                                     --duration 20s --warmup 5s)
# Needs root, iproute2 (ip, tc) and curl; JAR (default harness/target/harness.jar) built.
set -euo pipefail
jar=${JAR:-harness/target/harness.jar}
engine=ratis hosts=3 shards=2 rtt=0 out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --engine) engine=$2; shift 2 ;;
    --hosts) hosts=$2; shift 2 ;;
    --shards) shards=$2; shift 2 ;;
    --rtt) rtt=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "netns-hosts: unknown argument '$1' (see the head of $0)" >&2; exit 2 ;;
  esac
done
run_args=("$@")
[ ${#run_args[@]} -gt 0 ] || run_args=(workload-a --recordcount 1000 --duration 20s --warmup 5s)
die() { echo "netns-hosts: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "network namespaces need root"
command -v ip >/dev/null && command -v tc >/dev/null || die "needs iproute2 (apt-get install -y iproute2)"
command -v curl >/dev/null || die "needs curl (apt-get install -y curl)"
[ -f "$jar" ] || die "no $jar (mvn -B -ntp -DskipTests package)"
[[ "$hosts" =~ ^[1-9][0-9]?$ ]] && [ "$hosts" -le 50 ] || die "--hosts must lie in 1..50, was '$hosts'"
[[ "$rtt" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--rtt must be a number of milliseconds, was '$rtt'"
out=${out:-results/runs/$(date +%Y%m%d-%H%M%S)-netns-${engine}-${hosts}hosts-rtt${rtt}ms}
mkdir -p "$out"
out=$(cd "$out" && pwd)

tag=rb$(( $$ % 10000 ))
net=198.19.$(( $$ % 250 ))
bridge=${tag}br
pids=()
teardown() {
  local code=$?
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 60); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$p" 2>/dev/null || true
  done
  for i in $(seq 1 "$hosts"); do ip netns del "${tag}-h$i" 2>/dev/null || true; done
  ip link del "$bridge" 2>/dev/null || true
  echo "netns-hosts: torn down (namespaces ${tag}-h1..$hosts, bridge $bridge); files in $out" >&2
  exit $code
}
trap teardown EXIT
trap 'exit 130' INT TERM

ip link add "$bridge" type bridge
ip addr add "$net.254/24" dev "$bridge"
ip link set "$bridge" up
for i in $(seq 1 "$hosts"); do
  ns="${tag}-h$i"
  ip netns add "$ns"
  ip link add "${tag}h$i" type veth peer name eth0 netns "$ns"
  ip link set "${tag}h$i" master "$bridge" up
  ip -n "$ns" addr add "$net.$i/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
  if [ "$rtt" != 0 ]; then
    half=$(awk "BEGIN { print $rtt / 2 }")
    if ! err=$(ip netns exec "$ns" tc qdisc add dev eth0 root netem delay "${half}ms" 2>&1); then
      die "tc netem refused a delay of ${half}ms on host $i: $err (this kernel has no sch_netem: run with --rtt 0)"
    fi
  fi
done

{
  echo "# $hosts hosts in network namespaces on bridge $bridge ($net.0/24), rtt ${rtt} ms between hosts (tc netem, ${rtt}/2 ms per host)"
  echo "engine: $engine"
  echo "shards: $shards"
  echo "nodes:"
  for i in $(seq 1 "$hosts"); do
    echo "  - id: n$i"
    echo "    address: $net.$i:7000"
    [ "$i" = 1 ] && echo "    http: $net.1:8000"
  done
} > "$out/cluster.yaml"

for i in $(seq 1 "$hosts"); do
  ip netns exec "${tag}-h$i" java -Xmx1g -XX:+ExitOnOutOfMemoryError -jar "$jar" node --cluster "$out/cluster.yaml" --id "n$i" \
    --data-dir "$out/n$i" > "$out/n$i.log" 2>&1 &
  pids+=($!)
done
echo "netns-hosts: $hosts $engine daemons starting in namespaces ${tag}-h1..$hosts at $net.1..$hosts:7000 (logs in $out)" >&2
for _ in $(seq 1 240); do
  curl -sf "http://$net.1:8000/health" >/dev/null && break
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || { tail -5 "$out"/n*.log >&2; die "a daemon exited"; }; done
  sleep 0.5
done
curl -sf "http://$net.1:8000/health" >/dev/null || die "the front door at $net.1:8000 never became healthy"
echo "netns-hosts: front door: PUT then GET of key netns-hello through http://$net.1:8000" >&2
curl -sf -X PUT -d '{"field0":"hello from the root namespace"}' "http://$net.1:8000/kv/netns-hello" >&2; echo >&2
curl -sf "http://$net.1:8000/kv/netns-hello" >&2; echo >&2
java -jar "$jar" run "${run_args[@]}" --cluster "$out/cluster.yaml" --out "$out/run"
