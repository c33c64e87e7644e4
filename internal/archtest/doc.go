// Package archtest holds the tests of the architecture rules that
// ARCHITECTURE.md states: which rooms may import what, and where Cypher
// may live. It has no code of its own.
package archtest
