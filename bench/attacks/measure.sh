#!/usr/bin/env bash
# Good-client throughput under attack: `netloop load` (HTTP/1.1 keep-alive, /plaintext) against one `netloop serve`,
# alone and beside each attack, interleaved for several rounds; prints medians and the ratio attacked/unattacked.
# The server runs on cpu 0 with one loop, the good client and the attacker share cpu 1 (the attackers are paced so
# they take a small part of it: see --rate and --interval).
#
#   bench/attacks/measure.sh [ROUNDS] [SECONDS]      (defaults 3 rounds, 10 s per measurement)
#
# Attacks: slowloris (1,000 connections, one header line per second each), slowloris over TLS, and HTTP/2 rapid reset
# (4 connections, 20,000 streams/s, each connection reconnecting after its GOAWAY).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
rounds="${1:-3}" seconds="${2:-10}"
cli=src/Netloop.Cli/bin/Release/net10.0/Netloop.Cli
[ -x "$cli" ] || { echo "measure: build first (dotnet build -c Release)" >&2; exit 2; }
work="$(mktemp -d)"
trap 'kill "${server_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" \
  -days 1 -subj /CN=localhost >/dev/null 2>&1
port=$((20000 + RANDOM % 20000)) tls_port=$((port + 1))
taskset -c 0 "$cli" serve --protocol http --port "$port" --tls-port "$tls_port" --tls-cert "$work/cert.pem" \
  --tls-key "$work/key.pem" --loops 1 --max-connections 20000 >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 50); do grep -q 'listening' "$work/serve.log" && break; sleep 0.1; done

good() { # prints requests/s of a good client over $seconds
  "$cli" load --target "http://127.0.0.1:$port/plaintext" --connections 64 --duration "${seconds}s" --cpu 1 --json 2>/dev/null \
    | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(round(d.get("requestsPerSecond") or d["requests"]/d["elapsedSeconds"]))'
}
attack() { # $1 name: starts the attacker in the background for seconds+3
  local len=$((seconds + 3))
  case "$1" in
    slowloris) taskset -c 1 /usr/bin/python3 bench/attacks/slowloris.py --port "$port" --connections 1000 --duration "$len" ;;
    slowloris-tls) taskset -c 1 /usr/bin/python3 bench/attacks/slowloris.py --port "$tls_port" --tls --connections 1000 --duration "$len" ;;
    rapid-reset) taskset -c 1 /usr/bin/python3 bench/attacks/rapid_reset.py --port "$port" --connections 4 --rate 20000 --duration "$len" ;;
  esac >"$work/attack-$1.log" 2>&1 &
  attacker_pid=$!
  sleep 2.5
}
declare -A results
saved_seconds="$seconds"; seconds=3; good >/dev/null; seconds="$saved_seconds"   # warm-up: JIT and tiered PGO
for round in $(seq "$rounds"); do
  for name in none slowloris slowloris-tls rapid-reset; do
    [ "$name" = none ] || attack "$name"
    rps="$(good)"
    if [ "$name" != none ]; then wait "$attacker_pid" || true; echo "  $(cat "$work/attack-$name.log")"; fi
    echo "round $round $name: $rps req/s"
    results[$name]+="$rps "
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
base="$(echo "${results[none]}" | median)"
for name in none slowloris slowloris-tls rapid-reset; do
  m="$(echo "${results[$name]}" | median)"
  printf '%-14s median %8s req/s  %5.1f %% of unattacked  (rounds: %s)\n' "$name" "$m" "$(echo "100*$m/$base" | bc -l)" "${results[$name]}"
done
kill -TERM "$server_pid"; wait "$server_pid" || true
grep -E 'leaks|HTTP/2|TLS:' "$work/serve.log" | grep -v 'warn' | tail -5 || true
