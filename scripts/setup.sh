#!/usr/bin/env bash
# First command on a fresh Debian 12 machine: installs the system packages the project needs, fetches the pinned
# ggml CPU natives, builds the solution in Release, runs the default job (`mga generate` of a 5 s clip on the
# untrained demo model set it creates: random weights, the output is noise and says so) and then starts the chat
# service on its embedded defaults (`mga serve`: 127.0.0.1:5080, SQLite and files in ~/.local/share/musicgen-assistant,
# CPU, the embedded UNTRAINED demo assistant), printing its URL; Ctrl+C stops it.
#   scripts/setup.sh              everything above
#   scripts/setup.sh --deps-only  only the system packages (what CI runs before the tests; starts nothing)
# The .NET 10 SDK and Node.js/npm are expected on the machine; npm is installed from Debian when missing.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Debian packages the project needs at run or test time (ffmpeg: media decode/encode and the loudness cross-check;
# chromium + a font: the chat page's browser tests, driven by Playwright's .NET driver, no browser download).
APT_PACKAGES=(ca-certificates coreutils tar gzip git ffmpeg chromium fonts-dejavu-core redis-server postgresql)

log() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# Another install (unattended-upgrades, a second apt-get) may hold the package manager's lock. Wait for it instead of
# failing at once: apt-get waits for dpkg's lock itself when given DPkg::Lock::Timeout (and says "Waiting for cache
# lock ..."); a lock it still reports (the package lists' lock of apt-get update, or the timeout running out on an
# older apt) is waited for here by retrying, with a message, until MGA_APT_LOCK_TIMEOUT seconds have passed.
sudo=()
APT_LOCK_TIMEOUT="${MGA_APT_LOCK_TIMEOUT:-600}"
APT_RETRY_SECONDS="${MGA_APT_RETRY_SECONDS:-5}"
apt_get() {
  local deadline=$((SECONDS + APT_LOCK_TIMEOUT)) output status
  output="$(mktemp)"
  while true; do
    set +e
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout="$APT_LOCK_TIMEOUT" "$@" 2>&1 | tee "$output"
    status=${PIPESTATUS[0]}
    set -e
    if [[ $status -eq 0 ]] || ! grep -qiE 'could not get lock|unable to acquire the dpkg frontend lock|unable to lock' "$output"; then
      rm -f "$output"
      return "$status"
    fi
    if [[ $SECONDS -ge $deadline ]]; then
      rm -f "$output"
      die "the package manager's lock is still held by another install after ${APT_LOCK_TIMEOUT} s; wait for it to finish (or set MGA_APT_LOCK_TIMEOUT) and run this again"
    fi
    log "waiting for the package manager's lock (another install holds it; up to $((deadline - SECONDS)) s more) ..."
    sleep "$APT_RETRY_SECONDS"
  done
}

deps_only=0
for arg in "$@"; do
  case "$arg" in
    --deps-only) deps_only=1 ;;
    -h|--help) sed -n '2,9p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument '$arg' (try --help)" ;;
  esac
done

install_system_packages() {
  local missing=() pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  # Any npm will do (it only runs `npm pack`); Debian's is the fallback when none is on PATH.
  command -v npm >/dev/null || missing+=(npm)
  if [[ ${#missing[@]} -eq 0 ]]; then
    log "system packages present: ${APT_PACKAGES[*]}"
    return
  fi
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  log "installing missing Debian packages: ${missing[*]}"
  apt_get update
  apt_get install -y --no-install-recommends "${missing[@]}"
}

check_dotnet() {
  command -v dotnet >/dev/null \
    || die "the .NET 10 SDK is not installed (dotnet not on PATH); it is not in Debian's archive, install it first"
  dotnet --list-sdks | grep -q '^10\.' \
    || die "the .NET 10 SDK is required; found: $(dotnet --list-sdks | tr '\n' ' ')"
}

install_system_packages
check_dotnet
[[ $deps_only -eq 1 ]] && exit 0

natives_dir="$("$SCRIPT_DIR/fetch-natives.sh" cpu)"
log "ggml CPU natives in $natives_dir"

log "building MusicGen.Assistant.sln (Release)"
(cd "$REPO_ROOT" && dotnet build MusicGen.Assistant.sln -c Release -nologo)

log "running the default job: scripts/mga.sh generate \"lo-fi hip hop beat with warm piano\" --duration 5 --out demo-output/demo.wav"
MGA_NATIVES="${MGA_NATIVES:-$natives_dir}" "$SCRIPT_DIR/mga.sh" generate "lo-fi hip hop beat with warm piano" \
  --duration 5 --out "$REPO_ROOT/demo-output/demo.wav"

log "starting the chat service on its defaults (scripts/mga.sh serve); open the URL it prints; Ctrl+C stops it"
exec env MGA_NATIVES="${MGA_NATIVES:-$natives_dir}" "$SCRIPT_DIR/mga.sh" serve
