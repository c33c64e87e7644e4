# licencegraph — the two commands are `make run` and `make test`.
SHELL := /bin/bash
GO ?= go

.PHONY: run test fuzz build check generate neo4j neo4j-stop graphiql web deps bench-seed bench-api bench loadtest clean

## run: start Neo4j if none answers, then migrate, seed and serve on LISTEN_ADDR (default :8080)
run:
	@bash scripts/run.sh

## test: all tests (unit, integration, browser) against a throwaway Neo4j
test:
	@bash scripts/test.sh

## fuzz: every fuzz target for FUZZTIME each (default 60s); crashers stay in testdata/fuzz as regression cases
fuzz:
	@FUZZTIME=$${FUZZTIME:-60s} bash scripts/fuzz.sh

## build: the binary in bin/
build:
	mkdir -p bin
	$(GO) build -o bin/licencegraph ./cmd/licencegraph

## check: gofmt, go vet, and generated code in sync with the schema
check:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	$(GO) run github.com/99designs/gqlgen generate
	@git diff --exit-code -- graph/ || { echo "generated code is out of date: run make generate and commit"; exit 1; }

## generate: regenerate gqlgen code from schema/*.graphqls
generate:
	$(GO) run github.com/99designs/gqlgen generate

## neo4j: start the local Neo4j (NEO4J_BOLT_PORT, NEO4J_DATA_DIR) and wait for Bolt
neo4j:
	@bash tools/neo4j-local/neo4j-local.sh start

## neo4j-stop: stop the local Neo4j started by `make neo4j` or `make run`
neo4j-stop:
	@bash tools/neo4j-local/neo4j-local.sh stop

## graphiql: rebuild the embedded GraphiQL and explorer bundles from npm packages (same as web)
graphiql: web

## web: rebuild the embedded bundles (internal/graphiql/assets, internal/explorer/assets) from web/ and check them for offline use
web:
	npm ci --prefix web --no-audit --no-fund
	npm run --prefix web build

## bench-seed: load a generated 100,000-company world into a dedicated Neo4j and print the loader's figures
bench-seed:
	@bash scripts/bench-seed.sh

## bench-api: exposure questions cold (first for a date, after a licence or supply-link write) and warm, server RSS and time to ready, on 10,000, 100,000 and 1,000,000 companies (BENCH_SCALES); rewrites docs/performance.md and docs/exposure-cold.svg
bench-api:
	@bash scripts/bench-api.sh

## bench: licencegraph against the Neo4j GraphQL Library and the raw driver (W1-W5, 10,000 and 100,000 companies); rewrites docs/performance.md
bench:
	@bash scripts/bench.sh

## loadtest: on the 100,000-company world (Bolt port 7745), mixed reads at 8 and 32 clients for 60 s each (fails on any error or a leak: live heap left behind or trending up, goroutines or busy Neo4j connections not back), then 8 readers on random dates with a licence writer for 60 s (fails on any error, stale read, goroutines or busy connections not back); LOADTEST_MIXES=reads or writes runs one; LOADTEST_LEAK=BYTES leaks on purpose
loadtest:
	@bash scripts/loadtest.sh

## deps: install what tests need (Maven deps, npm packages, Chromium)
deps:
	@bash scripts/deps.sh

clean:
	rm -rf bin tools/neo4j-local/target
