#!/usr/bin/env bash
# `make bench-api`: the read-API benchmarks of issue 4. For each scale
# (BENCH_SCALES, default "10000 100000") it generates (or reuses) a world,
# loads it into a dedicated Neo4j, starts licencegraph on loopback and runs
# `licencegraph-bench api` (exposedCompanies, exposurePaths, the nested page at
# 1 and 8 clients; each cell warms up for up to 100 requests or 5 s),
# printing a table per scale. Bounded: at most
# BENCH_REQUESTS (50) requests or BENCH_DURATION (30s) per cell, requests
# time out after BENCH_TIMEOUT (60s).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scales=${BENCH_SCALES:-10000 100000}
bash tools/neo4j-local/neo4j-local.sh build
mkdir -p bin
go build -o bin/licencegraph ./cmd/licencegraph
go build -o bin/licencegraph-bench ./bench/cmd/licencegraph-bench

export NEO4J_HEAP=${BENCH_NEO4J_HEAP:-6g} NEO4J_PAGECACHE=${BENCH_NEO4J_PAGECACHE:-2g}
export NEO4J_TX_MEMORY_TOTAL=${BENCH_NEO4J_TX_MEMORY:-5g} NEO4J_TX_MEMORY_MAX=${BENCH_NEO4J_TX_MEMORY:-5g}
export NEO4J_CONF=${NEO4J_CONF:-db.tx_state.memory_allocation=OFF_HEAP}
unset NEO4J_USER NEO4J_PASSWORD

freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
datadir=""; server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ -n "$datadir" ]; then bash tools/neo4j-local/neo4j-local.sh stop || true; rm -rf "$datadir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "# bench-api on $(nproc) cores, $(date -u +%Y-%m-%d)"
for n in $scales; do
  world=".cache/worlds/c${n}-s1"
  [ -f "$world/supply.csv" ] || ./bin/licencegraph generate --companies "$n" --seed 1 --out "$world"
  port=$(freeport); http=$(freeport)
  datadir=$(mktemp -d "${TMPDIR:-/tmp}/licencegraph-bench-api.XXXXXX")
  export NEO4J_BOLT_PORT=$port NEO4J_DATA_DIR=$datadir NEO4J_URI="bolt://127.0.0.1:$port"
  bash tools/neo4j-local/neo4j-local.sh start
  ./bin/licencegraph seed --no-progress "$world" | tail -1
  # Restart after the load, as make bench does: the measurements should not
  # share the machine with the checkpoint of a 600,000-link transaction.
  bash tools/neo4j-local/neo4j-local.sh stop
  bash tools/neo4j-local/neo4j-local.sh start
  LISTEN_ADDR="127.0.0.1:$http" REQUEST_TIMEOUT=${BENCH_TIMEOUT:-60s} LOG_LEVEL=warn ./bin/licencegraph serve &
  server=$!
  for _ in $(seq 1 100); do curl -sf "127.0.0.1:$http/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
  echo
  echo "## $n companies"
  ./bin/licencegraph-bench api --url "http://127.0.0.1:$http/graphql" --requests "${BENCH_REQUESTS:-50}" \
    --duration "${BENCH_DURATION:-30s}" --timeout "${BENCH_TIMEOUT:-60s}"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  bash tools/neo4j-local/neo4j-local.sh stop; rm -rf "$datadir"; datadir=""
done
