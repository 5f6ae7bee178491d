#!/usr/bin/env bash
# Runs Warren in the background for CI and scripts: start | stop | restart | kill | pid.
# Settings come from WARREN_* environment variables (WARREN_PORT, WARREN_DATA_DIR, ...,
# see the README); WARREN_PID_FILE and WARREN_LOG_FILE say where its PID and log go.
# `restart` returns once the old process is gone and the new one accepts connections,
# which is what the conformance suites' RESTART_CMD needs. `kill` is SIGKILL (a crash).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pidfile="${WARREN_PID_FILE:-$PWD/warren.pid}"
logfile="${WARREN_LOG_FILE:-$PWD/warren.log}"
port="${WARREN_PORT:-5672}"

running_pid() {
  [ -s "$pidfile" ] || return 1
  local pid
  pid="$(cat "$pidfile")"
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

start() {
  if pid="$(running_pid)"; then echo "warren already running (pid $pid)" >&2; return 0; fi
  # setsid: the broker must outlive whatever process group started it (test runners kill theirs).
  # glibc keeps freed buffers of 128 KiB-32 MiB in its heap after a burst unless they are
  # mmapped; a fixed threshold lets RSS come back down (see README, Running in production).
  MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-65536}" setsid node "$root/dist/src/cli/warren.js" >>"$logfile" 2>&1 < /dev/null &
  echo $! >"$pidfile"
  for _ in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    if ! running_pid >/dev/null; then echo "warren exited during startup; see $logfile" >&2; tail -n 20 "$logfile" >&2; return 1; fi
    sleep 0.05
  done
  echo "warren did not open port $port within 10 s; see $logfile" >&2
  return 1
}

stop() {
  local signal="${1:-TERM}" pid
  pid="$(running_pid)" || return 0
  kill "-$signal" "$pid"
  for _ in $(seq 1 200); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; return 0; }
    sleep 0.05
  done
  echo "warren (pid $pid) did not stop within 10 s; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

case "${1:-}" in
  start) start ;;
  stop) stop TERM ;;
  kill) stop KILL ;;
  restart) stop TERM; start ;;
  pid) running_pid ;;
  *) echo "usage: $0 start|stop|restart|kill|pid" >&2; exit 2 ;;
esac
