#!/usr/bin/env bash
# Fetches one pinned package from natives.lock with `npm pack`, checks its sha256 against the lock and unpacks
# only the pinned path into the git-ignored cache:
#   cpu    -> <cache>/natives/linux-x64/<version>/        (prebuilt ggml, CPU backends)
#   cuda   -> <cache>/natives/linux-x64-cuda/<version>/   (prebuilt ggml with libggml-cuda.so, CUDA 13)
#   source -> <cache>/natives/source/<version>/gitRelease.bundle   (the llama.cpp source those were built from)
# <cache> is --cache DIR, else $MGA_CACHE, else <repo>/.cache. Idempotent: a `.verified` marker holding the
# checksum skips the download next time. Progress goes to stderr; stdout gets one line, the resulting path,
# so callers can do `dir=$(scripts/fetch-natives.sh cpu)`.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"

quiet=0
log() { [[ $quiet -eq 1 ]] || printf 'fetch-natives: %s\n' "$*" >&2; }
die() { printf 'fetch-natives: error: %s\n' "$*" >&2; exit 1; }

usage() {
  cat >&2 <<'EOF'
usage: scripts/fetch-natives.sh [cpu|cuda|source] [--cache DIR] [--lock FILE] [--quiet]
  cpu     prebuilt ggml CPU natives (default)
  cuda    prebuilt ggml natives with the CUDA 13 backend (~143 MB download)
  source  the llama.cpp git bundle they were built from (for scripts/build-cuda-backend.sh)
  --cache DIR   cache root (default: $MGA_CACHE, else <repo>/.cache); files go under DIR/natives/
  --lock FILE   lock file to verify against (default: $MGA_NATIVES_LOCK, else <repo>/natives.lock)
  --quiet       print only errors and the resulting path
EOF
}

kind="cpu"
cache_root="${MGA_CACHE:-$REPO_ROOT/.cache}"
lock_file="${MGA_NATIVES_LOCK:-$REPO_ROOT/natives.lock}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    cpu|cuda|source) kind="$1" ;;
    --cache) [[ $# -ge 2 ]] || die "--cache needs a directory"; cache_root="$2"; shift ;;
    --cache=*) cache_root="${1#--cache=}" ;;
    --lock) [[ $# -ge 2 ]] || die "--lock needs a file"; lock_file="$2"; shift ;;
    --lock=*) lock_file="${1#--lock=}" ;;
    -q|--quiet) quiet=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage; die "unknown argument '$1'" ;;
  esac
  shift
done

# Which npm package each kind is; the version, checksum and path inside the tarball come from the lock.
case "$kind" in
  cpu) package="@node-llama-cpp/linux-x64" ;;
  cuda) package="@node-llama-cpp/linux-x64-cuda" ;;
  source) package="node-llama-cpp" ;;
esac

[[ -f "$lock_file" ]] || die "lock file not found: $lock_file"
lock_line="$(awk -v pkg="$package" '
  /^[[:space:]]*(#|$)/ { next }
  { name = $1; sub(/@[^@]*$/, "", name); if (name == pkg) { print; exit } }' "$lock_file")"
[[ -n "$lock_line" ]] || die "no line for package '$package' in $lock_file"
read -r spec expected_sha inner_path extra <<<"$lock_line"
[[ -z "${extra:-}" && -n "${inner_path:-}" ]] \
  || die "malformed line in $lock_file (want '<npm-spec> <sha256> <path-in-tarball>'): $lock_line"
[[ "$expected_sha" =~ ^[0-9a-f]{64}$ ]] || die "malformed sha256 '$expected_sha' for $spec in $lock_file"
version="${spec##*@}"

case "$kind" in
  cpu|cuda) dest_name="$(basename "$inner_path")" ;;  # linux-x64 / linux-x64-cuda
  source) dest_name="source" ;;
esac
mkdir -p "$cache_root"
cache_root="$(cd "$cache_root" && pwd)"
dest="$cache_root/natives/$dest_name/$version"
marker="$dest/.verified"
result="$dest"
[[ "$kind" == "source" ]] && result="$dest/$(basename "$inner_path")"

if [[ -f "$marker" && "$(cat "$marker")" == "$expected_sha" && -e "$result" ]]; then
  log "$spec already verified (sha256 $expected_sha) in $dest; nothing to do"
  printf '%s\n' "$result"
  exit 0
fi

command -v npm >/dev/null || die "npm not found on PATH (scripts/setup.sh installs it)"
command -v sha256sum >/dev/null || die "sha256sum not found on PATH (Debian package coreutils)"

work="$(mktemp -d "${TMPDIR:-/tmp}/mga-fetch-natives.XXXXXX")"
trap 'rm -rf "$work"' EXIT

log "downloading $spec with npm pack"
if ! (cd "$work" && npm pack "$spec" --ignore-scripts --loglevel=error >"$work/npm.out" 2>"$work/npm.err"); then
  cat "$work/npm.err" >&2
  die "npm pack $spec failed (is the npm registry reachable?)"
fi
shopt -s nullglob
tarballs=("$work"/*.tgz)
shopt -u nullglob
[[ ${#tarballs[@]} -eq 1 ]] || die "npm pack $spec produced ${#tarballs[@]} tarballs in $work, expected 1"
tarball="${tarballs[0]}"

actual_sha="$(sha256sum "$tarball" | cut -d' ' -f1)"
if [[ "$actual_sha" != "$expected_sha" ]]; then
  {
    printf 'fetch-natives: error: checksum mismatch for %s (%s)\n' "$spec" "$(basename "$tarball")"
    printf '  expected: %s  (from %s)\n' "$expected_sha" "$lock_file"
    printf '  actual:   %s\n' "$actual_sha"
    printf '  Nothing was extracted; the cache was left as it was. If the package changed on purpose,\n'
    printf '  check the new tarball and update natives.lock.\n'
  } >&2
  exit 1
fi
log "sha256 verified: $actual_sha"

mkdir -p "$work/x"
tar -xzf "$tarball" -C "$work/x" --no-same-owner "$inner_path" 2>"$work/tar.err" \
  || { cat "$work/tar.err" >&2; die "'$inner_path' not found in $(basename "$tarball") (check natives.lock)"; }

# Stage next to the destination, then swap, so an interrupted run never leaves a half-filled verified dir.
mkdir -p "$(dirname "$dest")"
stage="$(mktemp -d "$dest.partial.XXXXXX")"
trap 'rm -rf "$work" "$stage"' EXIT
if [[ -d "$work/x/$inner_path" ]]; then
  cp -a "$work/x/$inner_path/." "$stage/"
else
  cp -a "$work/x/$inner_path" "$stage/"
fi
printf '%s\n' "$expected_sha" >"$stage/.verified"
chmod 755 "$stage"
rm -rf "$dest"
mv "$stage" "$dest"

count="$(find "$dest" -type f ! -name .verified | wc -l)"
log "extracted $count file(s) from $inner_path into $dest"
printf '%s\n' "$result"
