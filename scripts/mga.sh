#!/usr/bin/env bash
# Runs the `mga` command line with all arguments passed through, e.g. scripts/mga.sh codec encode in.wav out.gguf
# Builds it first (Release) when it is missing or any source under src/ changed since the last build, and points
# MGA_NATIVES at the pinned CPU natives unless the caller chose a directory already.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

cli_dir="$REPO_ROOT/src/MusicGen.Assistant.Cli"
out_dir="$cli_dir/bin/Release/net10.0"
exe="$out_dir/mga"
# MSBuild leaves mga.dll untouched when only a dependency changed, so its timestamp cannot tell whether the
# build is current; a stamp written after each successful build can.
stamp="$out_dir/.mga-build-stamp"

sources_changed() {
  local inputs=("$REPO_ROOT/src")
  local f
  for f in Directory.Build.props Directory.Build.targets Directory.Packages.props global.json NuGet.config; do
    [[ -e "$REPO_ROOT/$f" ]] && inputs+=("$REPO_ROOT/$f")
  done
  [[ -n "$(find "${inputs[@]}" \( -name bin -o -name obj \) -prune -o -type f -newer "$stamp" -print -quit)" ]]
}

if [[ ! -f "$out_dir/mga.dll" || ! -f "$stamp" ]] || sources_changed; then
  echo "mga.sh: building the CLI (Release)" >&2
  # Taken before the build, so an edit made while it runs still counts as newer next time.
  mkdir -p "$out_dir"
  stamp_next="$stamp.next"
  touch "$stamp_next"
  (cd "$REPO_ROOT" && dotnet build "$cli_dir/MusicGen.Assistant.Cli.csproj" -c Release -nologo -v quiet) >&2 \
    || { rm -f "$stamp_next"; echo "mga.sh: build failed (see above)" >&2; exit 1; }
  mv "$stamp_next" "$stamp"
fi

if [[ -z "${MGA_NATIVES:-}" ]]; then
  # Not fatal: commands that need no natives (--help, convert) still work without them.
  if natives_dir="$("$SCRIPT_DIR/fetch-natives.sh" cpu --quiet)"; then
    export MGA_NATIVES="$natives_dir"
  else
    echo "mga.sh: warning: could not fetch the CPU natives; commands that run ggml will fail" >&2
  fi
fi

if [[ -x "$exe" ]]; then
  exec "$exe" "$@"
fi
exec dotnet "$out_dir/mga.dll" "$@"
