#!/usr/bin/env bash
# npm run bench [-- PRESET|NAME=ARGS ...]: Warren and RabbitMQ 3.10 side by side on this machine.
#
# Builds ../shared/bench (amqp-bench), installs rabbitmq-server from Debian if missing,
# starts a private RabbitMQ node and a fresh Warren on free loopback ports, runs the
# scenarios with ../shared/bench/compare.sh (the two brokers alternating, medians and
# ratios), and writes a dated Markdown table to bench/RESULTS.md (raw runs beside it in
# bench/results/<date>/). Presets: durability (default), baseline (compare.sh's), scale
# (1-1,000 producer/consumer pairs, also at a fixed 30,000 msg/s; 16 B-1 MiB messages), topology (10,000 queues; a topic
# exchange with 10,000 bindings), queues (priority queue, max-length drop-head under sustained overflow, a
# 1,000,000-message priority backlog: scenarios named qf-*, run with bench/queue-load), full (all of them), quick.
#   ROUNDS=3 (runs per broker and scenario)   KEEP_BROKERS=1 (leave both running)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="$root/../shared/bench"
[ -d "$shared" ] || { echo "bench: $shared not found" >&2; exit 2; }
cd "$root"

preset() {
  case "$1" in
    durability) cat <<'SCENARIOS'
tp-1KiB-persistent-confirm=throughput --size 1024 --persistent --confirm --max-outstanding 1000 --prefetch 1000 --duration 15s
backlog-1M-transient=backlog --messages 1000000 --size 1024 --confirm
backlog-1M-persistent=backlog --messages 1000000 --size 1024 --persistent --confirm
SCENARIOS
    ;;
    scale) cat <<'SCENARIOS'
pairs-10-1KiB=throughput --producers 10 --queues 10 --size 1024 --prefetch 1000 --duration 15s
pairs-100-1KiB=throughput --producers 100 --queues 100 --size 1024 --prefetch 1000 --duration 15s
pairs-1000-1KiB=throughput --producers 1000 --queues 1000 --size 1024 --prefetch 1000 --duration 15s
pairs-1000-1KiB-30k=throughput --producers 1000 --queues 1000 --size 1024 --prefetch 1000 --rate 30000 --duration 15s
size-16B-ack=throughput --size 16 --prefetch 1000 --duration 15s
size-64KiB-ack=throughput --size 65536 --prefetch 100 --duration 15s
size-1MiB-ack=throughput --size 1048576 --prefetch 10 --duration 15s
SCENARIOS
    ;;
    topology) cat <<'SCENARIOS'
queues-10k-direct=throughput --queues 10000 --exchange-type direct --size 16 --autoack --duration 15s
topic-10k-bindings=throughput --queues 10000 --exchange-type topic --size 16 --autoack --duration 15s
SCENARIOS
    ;;
    queues) cat <<'SCENARIOS'
qf-priority-10-1KiB=throughput --max-priority 10 --size 1024 --prefetch 1000 --duration 15s
qf-maxlen-drop-head-1KiB=throughput --max-length 1000 --overflow drop-head --consumers 0 --size 1024 --duration 15s
qf-backlog-1M-priority=backlog --max-priority 10 --messages 1000000 --size 1024
SCENARIOS
    ;;
    full) echo baseline; preset scale; preset topology; preset queues ;;
    baseline|quick) echo "$1" ;;
    *) return 1 ;;
  esac
}
# Scenarios named qf-* run with our queue-load (queue features amqp-bench has no flags for).
specs=() feature_specs=()
add_spec() { if [[ $1 == qf-* ]]; then feature_specs+=("$1"); else specs+=("$1"); fi; }
for arg in "${@:-durability}"; do
  if lines="$(preset "$arg")"; then
    while IFS= read -r line; do
      if [[ $line == baseline || $line == quick ]]; then specs+=("$line"); else add_spec "$line"; fi
    done <<<"$lines"
  else
    add_spec "$arg"
  fi
done

echo "=== build amqp-bench, queue-load and Warren"
"$shared/build.sh" "$root/.bench-bin" >/dev/null
"$root/bench/queue-load/build.sh" "$root/.bench-bin" >/dev/null
[ -d dist ] || npm run build >/dev/null
if ! command -v rabbitmq-server >/dev/null; then
  echo "=== installing rabbitmq-server (Debian)"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q rabbitmq-server >/dev/null ||
    { $sudo apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q rabbitmq-server >/dev/null; }
fi

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
out="$root/bench/results/$stamp"
work="$(mktemp -d /tmp/warren-bench.XXXXXX)"
mkdir -p "$out"

# The node runs as user rabbitmq, so its state cannot live in our private temp folder.
export NODE=warren-bench MGMT_PORT=0 BASE="/tmp/rabbitmq-warren-bench-$stamp"
export PORT; PORT="$(free_port)"
rabbit_port="$PORT"
export WARREN_PORT; WARREN_PORT="$(free_port)"
export WARREN_DATA_DIR="$work/warren-data" WARREN_PID_FILE="$work/warren.pid" WARREN_LOG_FILE="$work/warren.log"
export WARREN_LOG_LEVEL=warn WARREN_HTTP_PORT=0 WARREN_METRICS_PORT=0

stop_all() {
  [ "${KEEP_BROKERS:-0}" = 1 ] && return
  "$root/scripts/broker.sh" stop || true
  "$shared/rabbitmq-node.sh" stop >/dev/null 2>&1 || true
  rm -rf "$work" "$BASE"
}
trap stop_all EXIT

echo "=== start RabbitMQ (127.0.0.1:$rabbit_port) and Warren (127.0.0.1:$WARREN_PORT)"
"$shared/rabbitmq-node.sh" start >/dev/null
"$root/scripts/broker.sh" start

run_compare() { # BIN OUTDIR SPECS...
  local bin=$1 dir=$2
  shift 2
  "$shared/compare.sh" \
    --a-url "amqp://guest:guest@127.0.0.1:$rabbit_port/" --a-pid "$("$shared/rabbitmq-node.sh" pid)" --a-name rabbitmq \
    --b-url "amqp://guest:guest@127.0.0.1:$WARREN_PORT/" --b-pid "$("$root/scripts/broker.sh" pid)" --b-name warren \
    --bin "$bin" --rounds "${ROUNDS:-3}" --out "$dir" "$@" ||
    echo "=== some runs failed; the table counts them (runs ok) and leaves them out of the medians"
}
: >"$out/results.jsonl"
if ((${#specs[@]})); then
  echo "=== compare.sh (amqp-bench): ${#specs[@]} scenario(s), ${ROUNDS:-3} rounds each"
  run_compare "$root/.bench-bin/amqp-bench" "$out/amqp-bench" "${specs[@]}"
  cat "$out/amqp-bench/results.jsonl" >>"$out/results.jsonl"
fi
if ((${#feature_specs[@]})); then
  echo "=== compare.sh (queue-load): ${#feature_specs[@]} scenario(s), ${ROUNDS:-3} rounds each"
  run_compare "$root/.bench-bin/queue-load" "$out/queue-load" "${feature_specs[@]}"
  cat "$out/queue-load/results.jsonl" >>"$out/results.jsonl"
fi

{
  echo "# Warren vs RabbitMQ: side-by-side results"
  echo
  echo "Run $stamp with \`npm run bench -- $*\` on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)),"
  echo "$(free -g | awk '/Mem:/{print $2}') GiB RAM, $(node --version), RabbitMQ $(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null || echo '?')."
  echo "A = RabbitMQ, B = Warren; medians of ${ROUNDS:-3} runs each, run alternately by compare.sh;"
  echo "A/B below 1 means Warren is higher. Raw runs: \`bench/results/$stamp/\`."
  echo
  python3 "$shared/summarize.py" "$out/results.jsonl" --markdown
} >"$root/bench/RESULTS.md"
echo "=== written bench/RESULTS.md"
