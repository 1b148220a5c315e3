#!/usr/bin/env bash
# Checks that scripts/setup.sh --deps-only waits for the package manager's lock instead of failing at once: a fake
# apt-get (first on PATH) reports the lock held for its first calls, then succeeds; setup must pass apt-get's own
# lock timeout, say that it is waiting, and end successfully. A lock that is never released must end in a clear
# error once MGA_APT_LOCK_TIMEOUT has passed. Prints "ok" and exits 0 when both hold.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"

# apt-get: fails with apt's lock message while the counter is below LOCKED_CALLS, then succeeds; logs its arguments
cat >"$work/bin/apt-get" <<'FAKE'
#!/usr/bin/env bash
echo "$*" >>"$FAKE_DIR/apt-get.log"
calls=$(( $(cat "$FAKE_DIR/calls" 2>/dev/null || echo 0) + 1 ))
echo "$calls" >"$FAKE_DIR/calls"
if [[ $calls -le $LOCKED_CALLS ]]; then
  echo "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)" >&2
  exit 100
fi
echo "fake apt-get: $*"
FAKE
# every package reported missing; sudo runs the command as it is
printf '#!/usr/bin/env bash\nexit 1\n' >"$work/bin/dpkg-query"
printf '#!/usr/bin/env bash\nexec "$@"\n' >"$work/bin/sudo"
chmod +x "$work/bin/"*

run_setup() {
  rm -f "$work/calls" "$work/apt-get.log"
  FAKE_DIR="$work" LOCKED_CALLS="$1" MGA_APT_RETRY_SECONDS=0.1 MGA_APT_LOCK_TIMEOUT="$2" PATH="$work/bin:$PATH" \
    "$REPO_ROOT/scripts/setup.sh" --deps-only >"$work/out" 2>&1
}

fail() { echo "FAIL: $*"; echo "--- setup output:"; cat "$work/out"; exit 1; }

# held for the first three calls: setup waits, then installs
run_setup 3 30 || fail "setup did not succeed once the lock was released"
grep -q "waiting for the package manager's lock" "$work/out" || fail "no waiting message"
grep -q -- "-o DPkg::Lock::Timeout=30" "$work/apt-get.log" || fail "apt-get was not given DPkg::Lock::Timeout"
grep -q "install -y --no-install-recommends" "$work/apt-get.log" || fail "the install did not run after the wait"

# never released: a clear error once the timeout has passed, not a hang
if run_setup 1000000 1; then fail "setup succeeded although the lock was never released"; fi
grep -q "still held by another install" "$work/out" || fail "no clear message when the lock stays held"

echo ok
