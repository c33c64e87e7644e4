// Package anchors is issue 6's benchmark (make bench): licencegraph against
// the Neo4j GraphQL Library (bench/library) and the raw Go driver, on the
// same Neo4j, data and machine, in one run, with a correctness check of
// every target against licencegraph's answers first. Reports are kept as
// JSON per scale and rendered into docs/performance.md.
//
// It uses licencegraph as a client embedding it would: app.New serves the
// product in this process (so that its statements can be recorded through
// the store's recorder and its CPU profiled), and the exposure engine is
// built on that store to learn the statements a fresh engine runs.
package anchors
