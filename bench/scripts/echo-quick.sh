#!/usr/bin/env bash
# Quick P1 comparison of the echo modes: throughput (4 KiB messages, 256 connections) and RSS per idle connection
# (10k idle connections), interleaved over several rounds with the C reference echo server. Server on core 0, load on
# core 1. Prints one line per measurement; medians go into BENCHMARKS.md. Superseded by `netloop bench` (issue P3).
# Usage: bench/scripts/echo-quick.sh [ROUNDS] [SECONDS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
rounds="${1:-3}"
seconds="${2:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
gcc -O2 -o "$work/echoload" bench/scripts/echoload.c
gcc -O2 -o "$work/cecho" ../shared/reference/cecho.c
dotnet build -c Release src/Netloop.Cli -v q -nologo >/dev/null
cli=src/Netloop.Cli/bin/Release/net10.0/Netloop.Cli.dll
port=7450

start_server() { # mode -> sets server_pid
  if [ "$1" = cecho ]; then
    taskset -c 0 "$work/cecho" "$port" & server_pid=$!
  else
    taskset -c 0 dotnet "$cli" serve --mode "$1" --port "$port" --loops 1 --max-connections 20000 >"$work/server.log" 2>&1 & server_pid=$!
  fi
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0; sleep 0.1; done
  echo "server $1 did not start" >&2; return 1
}
stop_server() { kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

for round in $(seq "$rounds"); do
  for mode in cecho epoll poll threads sockets; do
    start_server "$mode"
    echo "round $round throughput $mode: $(taskset -c 1 "$work/echoload" "$port" 256 4096 "$seconds")"
    stop_server
  done
  for mode in epoll threads sockets; do
    start_server "$mode"
    before=$(rss_kb "$server_pid")
    taskset -c 1 "$work/echoload" "$port" 10000 1 0 6 >/dev/null & load=$!
    sleep 5
    after=$(rss_kb "$server_pid")
    threads=$(awk '/Threads/ {print $2}' "/proc/$server_pid/status")
    echo "round $round idle10k $mode: $(( (after - before) * 1024 / 10000 )) B/conn, rss ${before}->${after} KB, threads $threads"
    wait "$load"
    stop_server
  done
done
