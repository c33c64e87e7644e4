#!/usr/bin/env bash
# `make bench-api`: issue 14's cold/warm benchmark of the exposure questions.
# For each scale (BENCH_SCALES, default "10000 100000 1000000" companies,
# `licencegraph generate --seed 1`, about 6 links each) it generates (or
# reuses, under .cache/worlds/) the world, split into files of at most
# BENCH_MAX_ROWS (500000) records (the loader writes each file in one
# transaction), loads it into a dedicated Neo4j (Bolt port
# BENCH_API_BOLT_PORT, default 7750; data under BENCH_API_DATA_DIR, default
# /tmp/lg-bench-api, kept and reused while the world is unchanged; the
# load's wall time and the loader's summary are kept beside it), starts
# `licencegraph serve` on a loopback port and runs `licencegraph-bench api`:
# at 1 client, BENCH_SAMPLES (20) samples of each question cold (first for
# its date, first after a licence write, first after a supply-link write)
# and warm, the server's RSS and how long it took to become ready (/readyz
# waits for the projection). Then it rewrites the generated part of
# docs/performance.md and the plot docs/exposure-cold.svg from every report
# under .cache/bench-api/ (so scales may be run one at a time).
# Bounded: each scale stops sampling after BENCH_BUDGET (8m), each request
# after BENCH_TIMEOUT (120s); the server must be ready within
# BENCH_READY_TIMEOUT (15m). Loopback only. Not part of `make test`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scales=${BENCH_SCALES:-10000 100000 1000000}
port=${BENCH_API_BOLT_PORT:-7750}
data_root=${BENCH_API_DATA_DIR:-/tmp/lg-bench-api}
max_rows=${BENCH_MAX_ROWS:-500000}
timeout=${BENCH_TIMEOUT:-120s}
work=.cache/bench-api

bash tools/neo4j-local/neo4j-local.sh build
mkdir -p bin "$work" "$data_root"
go build -o bin/licencegraph ./cmd/licencegraph
go build -o bin/licencegraph-bench ./bench/cmd/licencegraph-bench

# The loader's settings of make bench-seed: room for one large transaction
# per file (500,000 links need about 1.3 GB of transaction state).
export NEO4J_HEAP=${BENCH_NEO4J_HEAP:-6g}
export NEO4J_TX_MEMORY_TOTAL=${BENCH_NEO4J_TX_MEMORY:-5g} NEO4J_TX_MEMORY_MAX=${BENCH_NEO4J_TX_MEMORY:-5g}
export NEO4J_CONF="db.tx_state.memory_allocation=OFF_HEAP${NEO4J_CONF:+;$NEO4J_CONF}"
export NEO4J_BOLT_PORT=$port NEO4J_URI="bolt://127.0.0.1:$port"
unset NEO4J_USER NEO4J_PASSWORD NEO4J_DATABASE

freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
server=""; running=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ -n "$running" ]; then NEO4J_DATA_DIR=$running bash tools/neo4j-local/neo4j-local.sh stop || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "# bench-api on $(nproc) cores, $(date -u +%Y-%m-%d)"
for n in $scales; do
  world=".cache/worlds/c${n}-s1-m${max_rows}"
  if [ ! -f "$world/.generated" ]; then
    ./bin/licencegraph generate --companies "$n" --seed 1 --max-rows "$max_rows" --out "$world"
    touch "$world/.generated"
  fi
  # The page cache holds the store of 100,000 companies (~0.8 GB); a
  # million companies' store is about ten times that.
  if [ "$n" -gt 100000 ]; then pagecache=${BENCH_NEO4J_PAGECACHE:-4g}; else pagecache=${BENCH_NEO4J_PAGECACHE:-2g}; fi
  export NEO4J_PAGECACHE=$pagecache
  export NEO4J_DATA_DIR="$data_root/c${n}-s1"
  stamp=$(cd "$world" && stat -c '%n %s %Y' *.csv | sha1sum | cut -d' ' -f1)
  if [ "$(cat "$NEO4J_DATA_DIR/.bench-world" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$NEO4J_DATA_DIR"; mkdir -p "$NEO4J_DATA_DIR"
    running=$NEO4J_DATA_DIR
    bash tools/neo4j-local/neo4j-local.sh start
    echo "bench-api: loading $world (heap $NEO4J_HEAP, page cache $pagecache, transaction memory ${BENCH_NEO4J_TX_MEMORY:-5g})"
    start=$(date +%s.%N)
    ./bin/licencegraph seed --no-progress "$world" > "$NEO4J_DATA_DIR/load.txt"
    end=$(date +%s.%N)
    python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$start" "$end" > "$NEO4J_DATA_DIR/load-seconds"
    head -1 "$NEO4J_DATA_DIR/load.txt"
    echo "$stamp" > "$NEO4J_DATA_DIR/.bench-world"
    # Restart after the load, as make bench does: the measurements should
    # not share the machine with the checkpoint of the load.
    bash tools/neo4j-local/neo4j-local.sh stop
  fi
  running=$NEO4J_DATA_DIR
  bash tools/neo4j-local/neo4j-local.sh start
  if [ -n "${BENCH_LOAD_ONLY:-}" ]; then
    bash tools/neo4j-local/neo4j-local.sh stop; running=""
    continue
  fi

  http=$(freeport)
  log="$work/serve-c$n.log"
  started=$(date +%s%3N)
  LISTEN_ADDR="127.0.0.1:$http" REQUEST_TIMEOUT=$timeout LOG_LEVEL=info ALLOW_ANONYMOUS_READ=true \
    ./bin/licencegraph serve 2> "$log" &
  server=$!
  echo
  echo "## $n companies"
  ./bin/licencegraph-bench api --url "http://127.0.0.1:$http/graphql" --companies "$n" \
    --server-pid "$server" --started-at "$started" --server-log "$log" \
    --ready-timeout "${BENCH_READY_TIMEOUT:-15m}" --samples "${BENCH_SAMPLES:-20}" \
    --budget "${BENCH_BUDGET:-8m}" --timeout "$timeout" \
    --load-summary "$NEO4J_DATA_DIR/load.txt" --load-seconds "$(cat "$NEO4J_DATA_DIR/load-seconds" 2>/dev/null || echo 0)" \
    --json "$work/api-c$n.json"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  bash tools/neo4j-local/neo4j-local.sh stop; running=""
done
if [ -z "${BENCH_LOAD_ONLY:-}" ]; then
  ./bin/licencegraph-bench api-doc --doc docs/performance.md --svg docs/exposure-cold.svg "$work"/api-c*.json
fi
