// Package cli is the exoform command line: flags, wiring of providers and the simulated tenant,
// rendering choices and exit codes. It holds no planning logic of its own.
//
// It must never print a secret value, and it is the only place that maps diagnostics and errors
// to exit codes.
package cli
