#!/usr/bin/env bash
# `make run`: uses NEO4J_URI (unset: bolt://127.0.0.1:$NEO4J_BOLT_PORT) if it
# answers, otherwise starts the local Neo4j (tools/neo4j-local) on
# NEO4J_BOLT_PORT and points at it; then migrates, loads the curated
# data in seed/ (idempotent: unchanged records are left alone) and serves on
# LISTEN_ADDR. Ctrl-C stops the server; the local Neo4j keeps running for
# the next `make run` (`make neo4j-stop` stops it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

mkdir -p bin
go build -o bin/licencegraph ./cmd/licencegraph

# Unset, NEO4J_URI is the local Neo4j on NEO4J_BOLT_PORT, as every command
# of the binary derives it (internal/config): never whatever answers on 7687.
uri=${NEO4J_URI:-bolt://127.0.0.1:${NEO4J_BOLT_PORT:-7687}}
if ./bin/licencegraph ping --timeout 3s 2>/dev/null; then
  echo "run: using the Neo4j at $uri" >&2
else
  if [ -n "${NEO4J_URI:-}" ]; then
    echo "run: NEO4J_URI=$NEO4J_URI does not answer; starting a local Neo4j instead" >&2
  fi
  bash tools/neo4j-local/neo4j-local.sh start
  export NEO4J_URI="bolt://127.0.0.1:${NEO4J_BOLT_PORT:-7687}"
  unset NEO4J_USER NEO4J_PASSWORD # the local instance listens on loopback without auth
fi
export NEO4J_URI

./bin/licencegraph migrate
./bin/licencegraph seed seed/
addr=${LISTEN_ADDR:-:8080}
host=${addr%:*}
case "$host" in ""|0.0.0.0|"[::]") host=localhost ;; esac
echo "run: the exposure explorer: http://$host:${addr##*:}/explore" >&2
echo "run: GraphiQL:              http://$host:${addr##*:}/" >&2
exec ./bin/licencegraph serve
