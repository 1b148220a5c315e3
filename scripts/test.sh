#!/usr/bin/env bash
# The project's one test command: fetches the pinned CPU natives, runs every test project of the solution in
# Release, and ends with the totals of this run as its last line: `N passed, M failed[, K skipped]`.
# Extra arguments go to `dotnet test`, e.g. scripts/test.sh --filter Category=Parity
# Exit status: non-zero when a test failed, the build failed, or no test ran.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

cd "$REPO_ROOT"  # global.json and NuGet.config are looked up from the working directory

natives_dir="$("$SCRIPT_DIR/fetch-natives.sh" cpu)"
# A directory the user chose (a CUDA build, say) wins over the fetched CPU natives.
export MGA_NATIVES="${MGA_NATIVES:-$natives_dir}"
# Test assemblies and xunit collections run side by side on few cores; ggml's CPU threads spin while they wait,
# so more threads than cores in total makes every test crawl. One ggml thread per test keeps the run fast.
export MGA_THREADS="${MGA_THREADS:-1}"
echo "test: natives from $MGA_NATIVES"

results="$REPO_ROOT/TestResults"
mkdir -p "$results"
find "$results" -name '*.trx' -type f -delete  # totals must count this run only

log="$results/dotnet-test.log"
set +e
dotnet test "$REPO_ROOT/MusicGen.Assistant.sln" -c Release \
  --logger "trx;LogFilePrefix=mga" --results-directory "$results" "$@" 2>&1 | tee "$log"
test_rc=${PIPESTATUS[0]}
set -e

# Result files are named by the second they were written; one reported twice was overwritten, and its
# project's counts would be lost.
reported="$(grep -c '^Results File: ' "$log" || true)"
reported_unique="$( (grep '^Results File: ' "$log" || true) | sort -u | wc -l)"

# Each TRX holds one <Counters .../> element; read its attributes with sed so no extra tool is needed.
counter() {  # counter NAME COUNTERS_ELEMENT -> the attribute's value, 0 when absent
  local value
  value="$(sed -n "s/.*[[:space:]]$1=\"\([0-9][0-9]*\)\".*/\1/p" <<<"$2")"
  echo "${value:-0}"
}
passed=0 failed=0 skipped=0 executed=0 trx_count=0 unreadable=0
while IFS= read -r -d '' trx; do
  counters="$(tr '\n' ' ' <"$trx" | grep -o '<Counters[[:space:]][^>]*>' | head -n 1 || true)"
  if [[ -z "$counters" ]]; then
    echo "test: no <Counters> element in $trx" >&2
    unreadable=$((unreadable + 1))
    continue
  fi
  trx_count=$((trx_count + 1))
  total=$(counter total "$counters")
  run=$(counter executed "$counters")
  executed=$((executed + run))
  passed=$((passed + $(counter passed "$counters")))
  # error/timeout/aborted are failures too: a test that never reported success did not pass.
  failed=$((failed + $(counter failed "$counters") + $(counter error "$counters") \
    + $(counter timeout "$counters") + $(counter aborted "$counters")))
  skipped=$((skipped + total - run))
done < <(find "$results" -name '*.trx' -type f -print0)

status=0
if [[ $test_rc -ne 0 ]]; then
  echo "test: dotnet test exited with status $test_rc (build error or failing tests: see above)" >&2
  status=1
fi
if [[ $unreadable -gt 0 ]]; then
  status=1
fi
if [[ $reported -ne $reported_unique ]]; then
  echo "test: $((reported - reported_unique)) result file(s) were overwritten by another project's; totals are incomplete" >&2
  status=1
fi
if [[ $failed -gt 0 ]]; then
  status=1
fi
if [[ $executed -eq 0 ]]; then
  echo "test: no test ran ($trx_count result file(s) in $results)" >&2
  status=1
fi

summary="$passed passed, $failed failed"
[[ $skipped -gt 0 ]] && summary+=", $skipped skipped"
echo "$summary"
exit "$status"
