#!/usr/bin/env bash
# `make test`: starts a throwaway Neo4j (own port, temporary data directory,
# never the `make run` data), runs every Go test against it, including the
# integration and browser tests, which fail rather than skip here, and stops
# it afterwards, also on failure or Ctrl-C. Extra arguments go to `go test`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/deps.sh

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
datadir=$(mktemp -d "${TMPDIR:-/tmp}/licencegraph-test-neo4j.XXXXXX")
export NEO4J_BOLT_PORT=$port NEO4J_DATA_DIR=$datadir
cleanup() {
  bash tools/neo4j-local/neo4j-local.sh stop || true
  rm -rf "$datadir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
bash tools/neo4j-local/neo4j-local.sh start

export NEO4J_URI="bolt://127.0.0.1:$port"
unset NEO4J_USER NEO4J_PASSWORD NEO4J_DATABASE
export LICENCEGRAPH_REQUIRE_NEO4J=1 LICENCEGRAPH_REQUIRE_BROWSER=1 LICENCEGRAPH_REQUIRE_NODE=1 LICENCEGRAPH_REQUIRE_FTM=1

# -p 1: packages share the one Neo4j database (Community has one), and each
# integration test resets the graph it uses. -timeout 25m: internal/app,
# with its three Neo4j faults on a private instance, takes 9-10 minutes on
# a busy 2-core machine, Go's default limit per package.
go test -p 1 -count=1 -timeout 25m "${@:-./...}"

# Every fuzz target for a few seconds (make fuzz: longer). Only for the
# whole suite, not when the caller picked packages. A count, not a
# duration: with a duration, Go 1.26's fuzzing coordinator can report
# "context deadline exceeded" when the time runs out while a worker is busy
# (go.dev/issue/75804, fixed in Go 1.27) — a failure with no failing input,
# seen here on a loaded machine.
if [ $# -eq 0 ]; then
  FUZZTIME=${FUZZTIME:-20000x} bash scripts/fuzz.sh
fi
