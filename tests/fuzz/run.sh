#!/usr/bin/env bash
# Runs one fuzz target under AFL++ for a while and prints one summary line (tests/fuzz/README.md).
#   tests/fuzz/run.sh TARGET SECONDS   fuzz TARGET for SECONDS seconds, seeded from tests/fuzz/corpus/TARGET
#   tests/fuzz/run.sh --list           the targets
# Publishes tests/fuzz/Netloop.Fuzz (Release) into $NETLOOP_FUZZ_WORK/bin/TARGET (default work dir /tmp/netloop-fuzz),
# instruments that copy of Netloop.dll with sharpfuzz (the repository's local dotnet tool), and runs afl-fuzz with its
# output in $NETLOOP_FUZZ_WORK/TARGET: a later run of the same target resumes there, NETLOOP_FUZZ_FRESH=1 starts over.
# Each target has its own folders, so several targets may run at once (one per core).
# Exit: 0 no crash saved; 3 crashes saved (in $NETLOOP_FUZZ_WORK/TARGET/default/crashes); 2 usage; 1 other failure.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${NETLOOP_FUZZ_WORK:-/tmp/netloop-fuzz}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

usage() {
  echo "usage: tests/fuzz/run.sh TARGET SECONDS | --list  ($1)" >&2
  exit 2
}

publish() { # publish into a fresh folder (sharpfuzz refuses a Netloop.dll it has instrumented already), then instrument
  local out="$1"
  rm -rf "$out"
  dotnet publish "$repo/tests/fuzz/Netloop.Fuzz/Netloop.Fuzz.csproj" -c Release -o "$out" -nologo -v q >"$out.log" 2>&1 ||
    { cat "$out.log" >&2; echo "run.sh: publish failed" >&2; exit 1; }
  (cd "$repo" && dotnet tool restore >/dev/null && dotnet sharpfuzz "$out/Netloop.dll" Netloop >>"$out.log" 2>&1) ||
    { cat "$out.log" >&2; echo "run.sh: sharpfuzz instrumentation failed" >&2; exit 1; }
}

[ $# -ge 1 ] || usage "no target"
if [ "$1" = "--list" ]; then
  [ $# -eq 1 ] || usage "--list takes nothing after it"
  mkdir -p "$work/bin"
  dotnet build "$repo/tests/fuzz/Netloop.Fuzz/Netloop.Fuzz.csproj" -c Release -nologo -v q -o "$work/bin/list" >"$work/bin/list.log" 2>&1 ||
    { cat "$work/bin/list.log" >&2; exit 1; }
  exec dotnet "$work/bin/list/Netloop.Fuzz.dll" --list
fi
[ $# -eq 2 ] || usage "expected TARGET SECONDS"
target="$1"
seconds="$2"
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || usage "SECONDS must be a positive whole number, not '$seconds'"
corpus="$repo/tests/fuzz/corpus/$target"
[ -d "$corpus" ] || usage "unknown target '$target' (no $corpus; see --list)"
command -v afl-fuzz >/dev/null || { echo "run.sh: afl-fuzz not found (Debian package afl++)" >&2; exit 1; }

bin="$work/bin/$target"
out="$work/$target"
mkdir -p "$work/bin"
publish "$bin"
[ "${NETLOOP_FUZZ_FRESH:-0}" = 1 ] && rm -rf "$out"
mkdir -p "$out"

# The target is a managed process, not an AFL-compiled binary; dotnet starts slowly, so the fork server gets 30 s.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
export AFL_FORKSRV_INIT_TMOUT=30000 AFL_AUTORESUME=1
set +e
afl-fuzz -i "$corpus" -o "$out" -V "$seconds" -t "${NETLOOP_FUZZ_TIMEOUT_MS:-2000}" -m none \
  -- dotnet "$bin/Netloop.Fuzz.dll" "$target" >"$out/afl.log" 2>&1
afl_status=$?
set -e

stats="$out/default/fuzzer_stats"
if [ ! -f "$stats" ]; then
  tail -n 30 "$out/afl.log" >&2
  echo "run.sh: afl-fuzz exited $afl_status without stats (log: $out/afl.log)" >&2
  exit 1
fi
stat() { awk -F': *' -v k="$1" '$1 ~ "^"k" *$" { print $2; exit }' "$stats"; }
crashes="$(stat saved_crashes)"; crashes="${crashes:-$(stat unique_crashes)}"
hangs="$(stat saved_hangs)"; hangs="${hangs:-$(stat unique_hangs)}"
execs="$(stat execs_done)"
run_time="$(stat run_time)"
rate=$(( execs / (run_time > 0 ? run_time : 1) ))
echo "$target: ${seconds} s, execs ${execs} (${rate}/s), corpus $(stat corpus_count), edges $(stat edges_found) ($(stat bitmap_cvg) map), crashes ${crashes}, hangs ${hangs}; output $out"
[ "${crashes:-0}" = 0 ] || exit 3
