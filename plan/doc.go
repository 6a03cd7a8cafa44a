// Package plan compares the configuration with the live tenant and produces a Plan: for each
// declared or owned object an action, the attribute-level difference, and the operations that
// make it. It also saves plans to files, checks a saved plan against the tenant before applying
// it, and applies plans through the providers' executors.
//
// Planning is pure apart from the providers' bulk reads: it never writes, never prints, and never
// reads the clock or the environment. A failed read stops planning; it is never taken for an
// absence. Objects without this workspace's ownership marker are never deleted.
//
// Reads start together, every object type at once unless Parallelism bounds them: the limits
// that matter are per service, and each service's client keeps to its own. Apply runs
// independent changes concurrently (ApplyParallelism at once) and keeps every order the plan
// depends on (schedule.go); it must never start a change before one it depends on has
// succeeded, nor start any change after a failure.
package plan
