#!/usr/bin/env bash
# `make bench`: issue 6's benchmark against the anchors. For each scale
# (BENCH_SCALES, default "10000 100000") it generates (or reuses, under
# .cache/worlds/) a world with `licencegraph generate`, loads it into a
# dedicated Neo4j (Bolt port BENCH_BOLT_PORT, default 7740; data under
# BENCH_DATA_DIR, default /tmp/lg-bench, kept and reused while the world is
# unchanged) and runs `licencegraph-bench anchors`: licencegraph, the Neo4j
# GraphQL Library (bench/library, installed here with npm ci) and the raw
# driver, W1–W5 at 1, 8 and 32 clients. Then it rewrites the generated part of
# docs/performance.md from the reports. Every workload goes to every target
# for BENCH_WARM_FOR (5s) before the first cell, so that no target finds
# Neo4j colder than another. Bounded: each cell stops after
# BENCH_REQUESTS (2000) requests or BENCH_DURATION (8s), each request after
# BENCH_TIMEOUT (30s, also Neo4j's transaction timeout); a target that times
# out on every request is not run at higher client counts. Loopback only.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scales=${BENCH_SCALES:-10000 100000}
port=${BENCH_BOLT_PORT:-7740}
data_root=${BENCH_DATA_DIR:-/tmp/lg-bench}
timeout=${BENCH_TIMEOUT:-30s}
work=.cache/bench

bash tools/neo4j-local/neo4j-local.sh build
mkdir -p bin "$work" "$data_root"
go build -o bin/licencegraph ./cmd/licencegraph
go build -o bin/licencegraph-bench ./bench/cmd/licencegraph-bench
if [ ! -d bench/library/node_modules ] || [ bench/library/package-lock.json -nt bench/library/node_modules/.package-lock.json ]; then
  npm ci --prefix bench/library --no-audit --no-fund
fi

export NEO4J_HEAP=${BENCH_NEO4J_HEAP:-4g} NEO4J_PAGECACHE=${BENCH_NEO4J_PAGECACHE:-2g}
export NEO4J_TX_MEMORY_TOTAL=${BENCH_NEO4J_TX_MEMORY:-3g} NEO4J_TX_MEMORY_MAX=${BENCH_NEO4J_TX_MEMORY:-3g}
export NEO4J_CONF="db.tx_state.memory_allocation=OFF_HEAP;db.transaction.timeout=$timeout${NEO4J_CONF:+;$NEO4J_CONF}"
export NEO4J_BOLT_PORT=$port NEO4J_URI="bolt://127.0.0.1:$port"
unset NEO4J_USER NEO4J_PASSWORD NEO4J_DATABASE

running=""
cleanup() {
  if [ -n "$running" ]; then NEO4J_DATA_DIR=$running bash tools/neo4j-local/neo4j-local.sh stop || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

reports=()
for n in $scales; do
  world=".cache/worlds/c${n}-s1"
  [ -f "$world/supply.csv" ] || ./bin/licencegraph generate --companies "$n" --seed 1 --out "$world"
  export NEO4J_DATA_DIR="$data_root/c${n}-s1"
  stamp=$(cd "$world" && stat -c '%n %s %Y' *.csv | sha1sum | cut -d' ' -f1)
  if [ "$(cat "$NEO4J_DATA_DIR/.bench-world" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$NEO4J_DATA_DIR"; mkdir -p "$NEO4J_DATA_DIR"
    running=$NEO4J_DATA_DIR
    # Loading runs without the per-request transaction timeout: one
    # transaction per file, and 600,000 links take longer than a request.
    NEO4J_CONF="db.tx_state.memory_allocation=OFF_HEAP" bash tools/neo4j-local/neo4j-local.sh start
    echo "bench: loading $world"
    ./bin/licencegraph seed --no-progress "$world" | tail -1
    echo "$stamp" > "$NEO4J_DATA_DIR/.bench-world"
    bash tools/neo4j-local/neo4j-local.sh stop
    bash tools/neo4j-local/neo4j-local.sh start
  else
    running=$NEO4J_DATA_DIR
    bash tools/neo4j-local/neo4j-local.sh start
  fi
  echo
  echo "## $n companies"
  ./bin/licencegraph-bench anchors --companies "$n" --work-dir "$work" --timeout "$timeout" \
    --requests "${BENCH_REQUESTS:-2000}" --duration "${BENCH_DURATION:-8s}" \
    --concurrency "${BENCH_CONCURRENCY:-1,8,32}" --warm-for "${BENCH_WARM_FOR:-5s}" --json "$work/report-c$n.json"
  reports+=("$work/report-c$n.json")
  bash tools/neo4j-local/neo4j-local.sh stop; running=""
done
./bin/licencegraph-bench anchors-doc --doc docs/performance.md "${reports[@]}"
