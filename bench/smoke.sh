#!/usr/bin/env bash
# A short smoke benchmark for CI: a few seconds of each kind of load against Warren alone.
# It fails only when amqp-bench reports a count mismatch or the broker dies: the point is to
# catch a broken hot path, not to judge speed on a shared machine (npm run bench does that).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="$root/../shared/bench"
[ -d "$shared" ] || { echo "smoke bench: $shared not found, skipped"; exit 0; }
cd "$root"
"$shared/build.sh" "$root/.bench-bin" >/dev/null
bench="$root/.bench-bin/amqp-bench"

work="$(mktemp -d /tmp/warren-smoke.XXXXXX)"
export WARREN_PORT; WARREN_PORT="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
export WARREN_DATA_DIR="$work/data" WARREN_PID_FILE="$work/warren.pid" WARREN_LOG_FILE="$work/warren.log"
export WARREN_LOG_LEVEL=warn WARREN_HTTP_PORT=0 WARREN_METRICS_PORT=0 WARREN_STREAM_PORT=0
trap '"$root/scripts/broker.sh" stop || true; rm -rf "$work"' EXIT
"$root/scripts/broker.sh" start
url="amqp://guest:guest@127.0.0.1:$WARREN_PORT/"
pid="$("$root/scripts/broker.sh" pid)"

scenarios=(
  "throughput --size 16 --autoack --duration 3s"
  "throughput --size 1024 --prefetch 1000 --duration 3s"
  "throughput --size 1024 --persistent --confirm --duration 3s"
  "throughput --exchange-type fanout --queues 5 --size 1024 --duration 3s"
  "throughput --exchange-type topic --queues 20 --producers 4 --size 256 --duration 3s"
  "throughput --size 65536 --duration 3s"
  "latency --rate 2000 --size 1024 --duration 3s"
  "connections --connections 300 --hold 1s"
  "backlog --messages 30000 --size 1024 --persistent --confirm"
)
failed=0
for args in "${scenarios[@]}"; do
  # shellcheck disable=SC2086 # the arguments are meant to split
  if ! line="$("$bench" $args --url "$url" --broker-pid "$pid" 2>&1 >/dev/null | tail -n 1)"; then
    echo "FAIL $args: $line"
    failed=1
  else
    echo "ok   $args: $line"
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "FAIL the broker died; its log:"; cat "$WARREN_LOG_FILE"; exit 1
  fi
done
exit $failed
