#!/usr/bin/env bash
# build.sh [OUTDIR]: builds queue-load offline, as ../shared/bench/build.sh builds amqp-bench
# (Debian's golang-go and amqp091-go in GOPATH mode; nothing is downloaded).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-./.bench-bin}
lib=/usr/share/gocode/src/github.com/rabbitmq/amqp091-go
if ! command -v go >/dev/null 2>&1 || [[ ! -f $lib/channel.go ]]; then
  sudo=""; [[ $(id -u) == 0 ]] || sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y golang-go golang-github-rabbitmq-amqp091-go-dev >/dev/null ||
    { $sudo apt-get update >/dev/null && $sudo apt-get install -y golang-go golang-github-rabbitmq-amqp091-go-dev >/dev/null; }
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
export GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOPROXY=off CGO_ENABLED=0
[[ -n ${GOCACHE:-} || -n ${HOME:-} ]] || export GOCACHE=/tmp/queue-load-gocache
cd "$here"
go vet .
go build -trimpath -o "$out/queue-load" .
echo "$out/queue-load"
