// Package bench measures exoform at the scale of issue 7 (a 50,000-mailbox tenant) against the
// limit the APIs allow.
//
// It holds:
//
//   - a reader of the simulated tenant's state file (tenant.go) and a deterministic generator of
//     configurations declaring objects that exist in that tenant (config.go), so that a plan
//     measures reads, adoptions and a chosen number of updates, not creations;
//   - the lower-bound model (lowerbound.go): the critical path of the round trips a plan cannot
//     avoid under the latency-and-limits profile;
//   - the per-object baseline (baseline.go): the same data read one object at a time, the way
//     per-object tools read it, with exoform's real clients;
//   - the runner behind scripts/bench (run.go, cmd/exobench), and Go benchmarks at a scale a
//     developer can run in a minute.
//
// It must never be imported by the product: it depends on sim and on the providers' clients,
// and the runner writes state files and configurations under the directory it is given. Tests
// run at small scale only; the 50,000-mailbox runs are for benchmarks and scripts/bench, and no
// test asserts a duration.
package bench
