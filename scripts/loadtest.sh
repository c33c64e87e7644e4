#!/usr/bin/env bash
# `make loadtest`: the load tests of issues 7 and 14. Generates (or reuses,
# under .cache/worlds/) the 100,000-company world (seed 1), loads it into a
# dedicated Neo4j on Bolt port LOADTEST_BOLT_PORT (7745) whose store is kept
# under LOADTEST_DATA_DIR (/tmp/lg-loadtest) and reused while the world is
# unchanged, starts `licencegraph serve` on a loopback port and runs
# `licencegraph-bench loadtest` once per mix of LOADTEST_MIXES ("reads
# writes"):
#   reads  — the mixed read workload (company page, filtered list, search,
#            exposedCompanies, exposurePaths) at LOADTEST_CLIENTS (8,32)
#            clients; fails on any request error or a leak: live heap left
#            behind by the run or trending up under load, goroutines or
#            busy Neo4j connections not back at their starting level;
#   writes — LOADTEST_READERS (8) readers asking exposedCompanies and
#            exposurePaths on random dates of 2025-01..2027-12 while one
#            writer grants or revokes a licence every second through the
#            store (as another process would) and checks that the next read
#            shows it; fails on any error, stale answer, or goroutines or
#            busy Neo4j connections not back.
# Each runs LOADTEST_DURATION (60s) after LOADTEST_WARMUP (20s; 90s,
# LOADTEST_WRITES_WARMUP, for the writer variant run alone), in windows
# of 5 s (6 to 12), reading the server's /debug/runtime (DEBUG_ENDPOINTS)
# and sampling its RSS every second (reported, not judged).
# LOADTEST_LEAK=BYTES makes the server leak that much per GraphQL request
# on purpose (LOADTEST_LEAK_BYTES_PER_REQUEST), to see the check fail.
# The writer leaves its licences revoked. Not part of `make test` (about
# 7 minutes, more on the first run, which loads the world).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

n=${LOADTEST_COMPANIES:-100000}
port=${LOADTEST_BOLT_PORT:-7745}
data_root=${LOADTEST_DATA_DIR:-/tmp/lg-loadtest}
timeout=${LOADTEST_TIMEOUT:-30s}

bash tools/neo4j-local/neo4j-local.sh build
mkdir -p bin "$data_root"
go build -o bin/licencegraph ./cmd/licencegraph
go build -o bin/licencegraph-bench ./bench/cmd/licencegraph-bench

export NEO4J_HEAP=${LOADTEST_NEO4J_HEAP:-4g} NEO4J_PAGECACHE=${LOADTEST_NEO4J_PAGECACHE:-2g}
export NEO4J_TX_MEMORY_TOTAL=${LOADTEST_NEO4J_TX_MEMORY:-3g} NEO4J_TX_MEMORY_MAX=${LOADTEST_NEO4J_TX_MEMORY:-3g}
export NEO4J_CONF="db.tx_state.memory_allocation=OFF_HEAP${NEO4J_CONF:+;$NEO4J_CONF}"
export NEO4J_BOLT_PORT=$port NEO4J_URI="bolt://127.0.0.1:$port"
export NEO4J_DATA_DIR="$data_root/c${n}-s1"
unset NEO4J_USER NEO4J_PASSWORD NEO4J_DATABASE

freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
server=""; neo4j=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ -n "$neo4j" ]; then bash tools/neo4j-local/neo4j-local.sh stop || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

world=".cache/worlds/c${n}-s1"
[ -f "$world/supply.csv" ] || ./bin/licencegraph generate --companies "$n" --seed 1 --out "$world"
stamp=$(cd "$world" && stat -c '%n %s %Y' *.csv | sha1sum | cut -d' ' -f1)
if [ "$(cat "$NEO4J_DATA_DIR/.loadtest-world" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$NEO4J_DATA_DIR"; mkdir -p "$NEO4J_DATA_DIR"
  neo4j=1
  bash tools/neo4j-local/neo4j-local.sh start
  echo "loadtest: loading $world"
  ./bin/licencegraph seed --no-progress "$world" | tail -1
  echo "$stamp" > "$NEO4J_DATA_DIR/.loadtest-world"
else
  neo4j=1
  bash tools/neo4j-local/neo4j-local.sh start
fi

http=$(freeport)
# The server's own timeout is longer than the load's per-request timeout:
# the first exposure question (it fills the engine's cache) can take longer
# than 30 s on a busy machine; the load's requests are bounded by --timeout.
# The server's log goes to .cache/loadtest/serve.log (LOADTEST_LOG_LEVEL, warn).
mkdir -p .cache/loadtest
log=.cache/loadtest/serve.log
# DEBUG_ENDPOINTS serves /debug/runtime (loopback only here), which the
# leak check reads; LOADTEST_LEAK (bytes per request) turns on the
# server's deliberate leak, to see the check fail.
LISTEN_ADDR="127.0.0.1:$http" REQUEST_TIMEOUT=${LOADTEST_SERVER_TIMEOUT:-120s} LOG_LEVEL=${LOADTEST_LOG_LEVEL:-warn} \
  ALLOW_ANONYMOUS_READ=true DEBUG_ENDPOINTS=true LOADTEST_LEAK_BYTES_PER_REQUEST=${LOADTEST_LEAK:-0} \
  ./bin/licencegraph serve 2> "$log" &
server=$!
# /readyz answers 200 once the projection is loaded (about a minute here).
ready=""
for _ in $(seq 1 $((${LOADTEST_READY_TIMEOUT:-900} * 2))); do
  curl -sf -m 5 "127.0.0.1:$http/readyz" >/dev/null 2>&1 && { ready=1; break; }
  sleep 0.5
done
[ -n "$ready" ] || { echo "loadtest: the server was not ready within ${LOADTEST_READY_TIMEOUT:-900}s" >&2; exit 1; }

echo "# loadtest on $(nproc) cores, $(date -u +%Y-%m-%d), $n companies"
if [ "${LOADTEST_LEAK:-0}" != 0 ]; then
  echo "loadtest: LOADTEST_LEAK=$LOADTEST_LEAK: the server leaks $LOADTEST_LEAK bytes per GraphQL request on purpose; the leak check should fail"
fi
status=0
first=1
for mix in ${LOADTEST_MIXES:-reads writes}; do
  echo
  echo "## $mix"
  # Neo4j has just started: for its first minutes its JIT compiler takes
  # a tenth of a core or more (9–13 %, top -H), on the same 2 cores as the
  # server. After the read mix (the default order) Neo4j has run for 2.5
  # minutes; run first, the writer variant warms up longer
  # (LOADTEST_WRITES_WARMUP, 90s) so that both orders measure Neo4j
  # closer to its steady state. Its writer writes in the warm-up too:
  # Neo4j's write path is then compiled before the measured minute.
  warmup=${LOADTEST_WARMUP:-20s}
  if [ "$mix" = writes ] && [ -n "$first" ]; then warmup=${LOADTEST_WRITES_WARMUP:-90s}; fi
  first=""
  ./bin/licencegraph-bench loadtest --mix "$mix" --url "http://127.0.0.1:$http/graphql" --server-pid "$server" \
    --clients "${LOADTEST_CLIENTS:-8,32}" --readers "${LOADTEST_READERS:-8}" \
    --duration "${LOADTEST_DURATION:-60s}" --warmup "$warmup" \
    --timeout "$timeout" || status=$?
  if ! kill -0 "$server" 2>/dev/null; then
    code=0; wait "$server" || code=$?; server=""
    echo "loadtest: the server exited during the run (status $code); the end of its log ($log):" >&2
    tail -20 "$log" >&2
    exit 1
  fi
done
exit $status
