#!/usr/bin/env bash
# Loopback load test of scale-out against the single-process service, with the same client (bench/MusicGen.Assistant.ServiceBench):
#   1. private redis-server and PostgreSQL on free 127.0.0.1 ports in a temp folder (PostgreSQL as "nobody" when run as root),
#      one web node (mga serve's host, --role web) and 3 worker processes (--role worker), the bench's turns and reads through the web node;
#   2. the single-process service (role all, local queue, SQLite) started by the bench itself.
# Bounded like the bench (requests and seconds); everything it starts is stopped at the end, also on error or Ctrl+C.
#   bench/scaleout/load.sh [--turns N] [--reads N] [--concurrency N] [--seconds S] [--workers N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
REPO="$PWD"
turns=12 reads=100 concurrency=4 seconds=1 workers=3
while [[ $# -gt 0 ]]; do
  case "$1" in
    --turns) turns="$2"; shift 2 ;;
    --reads) reads="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --workers) [[ "$2" =~ ^[1-8]$ ]] || { echo "--workers is 1 to 8" >&2; exit 2; }; workers="$2"; shift 2 ;;
    *) echo "unknown option $1 (--turns --reads --concurrency --seconds --workers)" >&2; exit 2 ;;
  esac
done
export MGA_THREADS=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1  # one ggml thread per process in both set-ups
export MGA_NATIVES="${MGA_NATIVES:-$("$REPO/scripts/fetch-natives.sh" cpu)}"
pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
command -v redis-server >/dev/null && [[ -x "$pg_bin/initdb" ]] || { echo "needs redis-server and postgresql: scripts/setup.sh --deps-only" >&2; exit 2; }

dotnet build "$REPO/MusicGen.Assistant.sln" -c Release -nologo -v q >/dev/null
server="$REPO/src/MusicGen.Assistant.Server/bin/Release/net10.0/MusicGen.Assistant.Server.dll"
bench=(dotnet "$REPO/bench/MusicGen.Assistant.ServiceBench/bin/Release/net10.0/MusicGen.Assistant.ServiceBench.dll" --turns "$turns" --reads "$reads" --concurrency "$concurrency" --seconds "$seconds" --time-limit 280)

tmp="$(mktemp -d /tmp/mga-scaleout-load-XXXXXX)"
pids=()
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u nobody -- "$@"; else "$@"; fi; }
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ -d "$tmp/pg" ]] && as_pg "$pg_bin/pg_ctl" -D "$tmp/pg" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { local p; while true; do p=$((20000 + RANDOM % 40000)); listening "$p" || { echo "$p"; return; }; done; }

redis_port="$(free_port)"; pg_port="$(free_port)"; web_port="$(free_port)"
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$tmp" --appendonly yes --save "" --logfile "$tmp/redis.log" & pids+=($!)
[[ $(id -u) -eq 0 ]] && chown nobody "$tmp"
as_pg "$pg_bin/initdb" -D "$tmp/pg" -U postgres --auth=trust -E UTF8 --no-locale --no-sync >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$tmp/pg" -l "$tmp/pg.log" -w -o "-p $pg_port -k $tmp -c listen_addresses=127.0.0.1" start >/dev/null
common=(--Assistant:Queue=redis --Assistant:Store=postgres "--Assistant:Postgres=Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
  "--Assistant:Redis=127.0.0.1:$redis_port" "--Assistant:SharedFiles=$tmp/shared" --Assistant:Limits:QueueLength=64 --Logging:LogLevel:Default=Warning)
dotnet "$server" --role web --urls "http://127.0.0.1:$web_port" "--Assistant:DataDirectory=$tmp/web" "${common[@]}" >"$tmp/web.log" 2>&1 & pids+=($!)
for i in $(seq 1 "$workers"); do
  dotnet "$server" --role worker "--Assistant:DataDirectory=$tmp/w$i" "--Assistant:Worker:Name=w$i" "${common[@]}" >"$tmp/w$i.log" 2>&1 & pids+=($!)
done
for _ in $(seq 1 120); do
  [[ "$(redis-cli -p "$redis_port" scard mga:workers 2>/dev/null)" == "$workers" ]] && listening "$web_port" && break
  sleep 1
done
[[ "$(redis-cli -p "$redis_port" scard mga:workers)" == "$workers" ]] || { echo "the workers did not come up:"; tail -n 20 "$tmp"/w*.log; exit 1; }

echo "## scale-out: 1 web node + $workers worker processes (Redis Streams, PostgreSQL, shared files)"
"${bench[@]}" --url "http://127.0.0.1:$web_port"
echo
echo "## single process: the service with its local queue and SQLite"
"${bench[@]}"
