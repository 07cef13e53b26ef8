#!/usr/bin/env bash
# Quick P2 comparison: plaintext requests/s from `wrk -t1 -c256` (and 16-deep pipelining) against netloop (--loops 1),
# a minimal Kestrel app and nginx (1 worker), interleaved over several rounds. Server pinned to core 0, wrk to core 1.
# Superseded by `netloop bench` (issue P3). Usage: bench/scripts/http-quick.sh [ROUNDS] [SECONDS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
rounds="${1:-3}"
seconds="${2:-10}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dotnet build -c Release src/Netloop.Cli -v q -nologo >/dev/null
dotnet build -c Release bench/peers/kestrel -v q -nologo >/dev/null
cli=src/Netloop.Cli/bin/Release/net10.0/Netloop.Cli.dll
kestrel=bench/peers/kestrel/bin/Release/net10.0/KestrelPeer.dll
port=8460
cat >"$work/pipeline.lua" <<'LUA'
init = function(args)
  local depth = tonumber(args[1]) or 1
  local r = {}
  for i = 1, depth do r[i] = wrk.format() end
  req = table.concat(r)
end
request = function() return req end
LUA
cat >"$work/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$port reuseport backlog=4096;
    location /plaintext { default_type text/plain; return 200 "Hello, World!"; }
  }
}
NGINX

start_server() {
  case "$1" in
    netloop) taskset -c 0 dotnet "$cli" serve --protocol http --port "$port" --loops 1 >"$work/server.log" 2>&1 & ;;
    kestrel) taskset -c 0 dotnet "$kestrel" --urls "http://127.0.0.1:$port" >"$work/server.log" 2>&1 & ;;
    nginx) taskset -c 0 nginx -c "$work/nginx.conf" -p "$work" >"$work/server.log" 2>&1 & ;;
  esac
  server_pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/plaintext" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "server $1 did not start" >&2; return 1
}
stop_server() { kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; }

servers="netloop kestrel"
command -v nginx >/dev/null && servers="$servers nginx"
for round in $(seq "$rounds"); do
  for server in $servers; do
    start_server "$server"
    taskset -c 1 wrk -t1 -c256 -d2s "http://127.0.0.1:$port/plaintext" >/dev/null # warm-up (JIT, tiered PGO)
    plain=$(taskset -c 1 wrk -t1 -c256 -d"${seconds}s" "http://127.0.0.1:$port/plaintext" | awk '/Requests\/sec/ {print $2}')
    piped=$(taskset -c 1 wrk -t1 -c256 -d"${seconds}s" -s "$work/pipeline.lua" "http://127.0.0.1:$port/plaintext" -- 16 | awk '/Requests\/sec/ {print $2}')
    echo "round $round $server plaintext c=256: $plain req/s; pipelined 16: $piped req/s"
    stop_server
  done
done
