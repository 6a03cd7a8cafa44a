// Package plan compares the configuration with the live tenant and produces a Plan: for each
// declared or owned object an action, the attribute-level difference, and the operations that
// make it. It also saves plans to files, checks a saved plan against the tenant before applying
// it, and applies plans through the providers' executors.
//
// Planning is pure apart from the providers' bulk reads: it never writes, never prints, and never
// reads the clock or the environment. A failed read stops planning; it is never taken for an
// absence. Objects without this workspace's ownership marker are never deleted.
package plan
