#!/usr/bin/env bash
# Several hosts on this machine: N network namespaces ("hosts") with addresses of their own
# (198.19.X.1..N, RFC 2544's benchmarking range, routed nowhere beyond this machine), joined by a
# router namespace; one `harness node` daemon per host, a cluster file naming them, an HTTP front
# door on host 1; the driver in the root namespace (198.19.X.200, also behind the router) puts and
# gets a key with curl through the front door, then runs `harness run WORKLOAD --cluster FILE`
# across the hosts (bundles in OUT/run-native, OUT/run-http). Everything is torn down on exit, also after a failure or Ctrl-C; the cluster
# file, the nodes' logs and data and the run's bundle stay in OUT.
#
# --rtt MS delays every packet between two node hosts by MS/2 in the router, so a round trip
# between nodes takes MS more (the driver's packets are not delayed: it sits beside the nodes);
# --link I-J=MS gives hosts I and J a round trip of their own (racks and regions: --rtt 0.2
# --link 1-3=40 --link 2-3=40 puts host 3 in another region); --jitter MS adds a uniform
# [-MS, +MS] to each packet's delay (a pair's packets keep their order); --loss PERCENT drops that
# share of them. This kernel has no tc netem, so all of it is scripts/netdelay.py: a TUN device in
# the router that policy routing sends those packets through. The round trip actually got between
# every two hosts is measured (TCP, median of 50) and written with the rest to the cluster file's
# topology, which the run's bundle records as spec.topology.
#
#   scripts/netns-hosts.sh [--engine ratis|sofajraft] [--hosts 3] [--shards 2] [--out DIR]
#                          [--rtt MS] [--link I-J=MS ...] [--jitter MS] [--loss PERCENT]
#                          [--clients "native http"]  (one run per client, OUT/run-CLIENT, on the same daemons)
#                          [-- RUN ARGS...]          (default run args: workload-a --recordcount 1000
#                                                     --duration 20s --warmup 5s)
# Needs root, iproute2, curl and python3; JAR (default harness/target/harness.jar) built.
set -euo pipefail
jar=${JAR:-harness/target/harness.jar}
here=$(cd "$(dirname "$0")" && pwd)
engine=ratis hosts=3 shards=2 rtt=0 out="" clients=native jitter=0 loss=0 links=()
while [ $# -gt 0 ]; do
  case "$1" in
    --engine) engine=$2; shift 2 ;;
    --hosts) hosts=$2; shift 2 ;;
    --shards) shards=$2; shift 2 ;;
    --rtt) rtt=$2; shift 2 ;;
    --link) links+=("$2"); shift 2 ;;
    --jitter) jitter=$2; shift 2 ;;
    --loss) loss=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
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
command -v python3 >/dev/null || die "needs python3"
[ -f "$jar" ] || die "no $jar (mvn -B -ntp -DskipTests package)"
[[ "$hosts" =~ ^[1-9][0-9]?$ ]] && [ "$hosts" -le 50 ] || die "--hosts must lie in 1..50, was '$hosts'"
number='^[0-9]+(\.[0-9]+)?$'
[[ "$rtt" =~ $number ]] || die "--rtt must be a number of milliseconds, was '$rtt'"
[[ "$jitter" =~ $number ]] || die "--jitter must be a number of milliseconds, was '$jitter'"
[[ "$loss" =~ $number ]] && awk "BEGIN { exit !($loss < 100) }" || die "--loss must be a percentage below 100, was '$loss'"
for l in "${links[@]}"; do
  [[ "$l" =~ ^([0-9]+)-([0-9]+)=([0-9]+(\.[0-9]+)?)$ ]] && [ "${BASH_REMATCH[1]}" != "${BASH_REMATCH[2]}" ] \
    && [ "${BASH_REMATCH[1]}" -ge 1 ] && [ "${BASH_REMATCH[1]}" -le "$hosts" ] && [ "${BASH_REMATCH[2]}" -ge 1 ] \
    && [ "${BASH_REMATCH[2]}" -le "$hosts" ] || die "--link takes I-J=MS with two hosts in 1..$hosts, was '$l'"
done
shaped=0
[ "$rtt" != 0 ] || [ ${#links[@]} -gt 0 ] || [ "$jitter" != 0 ] || [ "$loss" != 0 ] && shaped=1
out=${out:-results/runs/$(date +%Y%m%d-%H%M%S)-netns-${engine}-${hosts}hosts-rtt${rtt}ms}
mkdir -p "$out"
out=$(cd "$out" && pwd)

tag=rb$(( $$ % 10000 ))
net=198.19.$(( $$ % 250 ))
router=${tag}-r
tun=${tag}d
pids=()
teardown() {
  local code=$?
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 60); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$p" 2>/dev/null || true
  done
  for i in $(seq 1 "$hosts"); do ip netns del "${tag}-h$i" 2>/dev/null || true; done
  ip netns del "$router" 2>/dev/null || true
  ip link del "${tag}c" 2>/dev/null || true
  echo "netns-hosts: torn down (namespaces ${tag}-h1..$hosts and $router)${out:+; files in $out}" >&2
  exit $code
}
trap teardown EXIT
trap 'exit 130' INT TERM

# the router: forwards between its veths; packets between two node hosts go through the delay
ip netns add "$router"
ip netns exec "$router" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
ip -n "$router" link set lo up
link() { # $1: the router's end, $2: the other end's namespace ("" = root), $3: its address
  if [ -n "$2" ]; then ip link add "$1" netns "$router" type veth peer name eth0 netns "$2"; dev=eth0; x=(ip -n "$2");
  else ip link add "$1" netns "$router" type veth peer name "${tag}c"; dev=${tag}c; x=(ip); fi
  ip -n "$router" addr add "$net.254/32" dev "$1"
  ip -n "$router" link set "$1" up
  ip -n "$router" route add "$3/32" dev "$1"
  "${x[@]}" addr add "$3/32" dev "$dev"
  "${x[@]}" link set "$dev" up
  "${x[@]}" route add "$net.254/32" dev "$dev"
  "${x[@]}" route add "$net.0/24" via "$net.254" dev "$dev" src "$3"
}
for i in $(seq 1 "$hosts"); do
  ip netns add "${tag}-h$i"
  ip -n "${tag}-h$i" link set lo up
  link "${tag}h$i" "${tag}-h$i" "$net.$i"
done
link "${tag}r" "" "$net.200"
if [ "$shaped" = 1 ]; then
  half=$(awk "BEGIN { print $rtt / 2 }")
  shape=("$tun" "$half" --jitter "$jitter" --loss "$loss")
  for l in "${links[@]}"; do shape+=(--pair "${l%%=*}=$(awk "BEGIN { print ${l#*=} / 2 }")"); done
  ip netns exec "$router" python3 "$here/netdelay.py" "${shape[@]}" > "$out/netdelay.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 50); do ip -n "$router" link show "$tun" >/dev/null 2>&1 && break; sleep 0.1; done
  ip -n "$router" link show "$tun" >/dev/null 2>&1 || { cat "$out/netdelay.log" >&2; die "netdelay.py did not make its TUN device"; }
  ip netns exec "$router" sysctl -qw "net.ipv4.conf.$tun.rp_filter=0"
  ip -n "$router" link set "$tun" up
  ip -n "$router" route add default dev "$tun" table 100
  for i in $(seq 1 "$hosts"); do
    ip -n "$router" rule add iif "${tag}h$i" to "$net.0/26" lookup 100 pref 100
  done
fi

# the round trip between every two node hosts, as TCP sees it
rtt_of() { # $1 -> $2
  ip netns exec "${tag}-h$2" python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((sys.argv[1], 9)); s.listen(1)
c, _ = s.accept(); c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
while (b := c.recv(64)): c.sendall(b)' "$net.$2" &
  local echo_pid=$!
  sleep 0.5
  ip netns exec "${tag}-h$1" python3 -c '
import socket, statistics, sys, time
c = socket.create_connection((sys.argv[1], 9), timeout=30); c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
t = []
for _ in range(50):
    a = time.perf_counter(); c.sendall(b"x"); c.recv(64); t.append((time.perf_counter() - a) * 1000)
print("%.3f" % statistics.median(t))' "$net.$2" || echo n/a
  kill "$echo_pid" 2>/dev/null || true
  wait "$echo_pid" 2>/dev/null || true
}
measured=n/a
pairs_measured=()
for i in $(seq 1 "$hosts"); do
  for j in $(seq $((i + 1)) "$hosts"); do
    m=$(rtt_of "$i" "$j")
    pairs_measured+=("n$i-n$j: $m")
    [ "$i-$j" = 1-2 ] && measured=$m
  done
done
echo "netns-hosts: $hosts hosts, rtt asked ${rtt} ms${links:+ (links ${links[*]})}, measured (TCP, median of 50): ${pairs_measured[*]:-none}" >&2

{
  echo "engine: $engine"
  echo "shards: $shards"
  echo "topology:"
  echo "  hosts: $hosts"
  echo "  network: $net.1..$hosts (node hosts, one network namespace each), routed by namespace $router; driver $net.200 in the root namespace"
  echo "  rtt_ms: $rtt"
  echo "  rtt_measured_ms: $measured"
  if [ ${#links[@]} -gt 0 ]; then
    echo "  links_rtt_ms:"
    for l in "${links[@]}"; do echo "    n${l%%-*}-n$(echo "${l#*-}" | cut -d= -f1): ${l#*=}"; done
  fi
  if [ ${#pairs_measured[@]} -gt 0 ]; then
    echo "  links_rtt_measured_ms:"
    for m in "${pairs_measured[@]}"; do echo "    $m"; done
  fi
  echo "  jitter_ms: $jitter"
  echo "  loss_percent: $loss"
  if [ "$shaped" = 1 ]; then
    echo "  delay: packets between two node hosts held in the router by scripts/netdelay.py (a TUN device; this kernel has no tc netem), half the round trip each way; the driver's packets are not delayed"
  fi
  echo "nodes:"
  for i in $(seq 1 "$hosts"); do
    echo "  - id: n$i"
    echo "    address: $net.$i:7000"
    echo "    http: $net.$i:8000"
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
for c in $clients; do
  java -jar "$jar" run "${run_args[@]}" --cluster "$out/cluster.yaml" --client "$c" --out "$out/run-$c"
done
