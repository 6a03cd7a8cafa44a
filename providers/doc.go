// Package providers defines what a resource type must do for exoform to plan and apply it:
// read every live object of its type in one bulk read, and compile a change into operations.
// Concrete providers live in subpackages (exchange, entra) and are wired together by the CLI.
//
// Providers never decide what to change: the plan package does. They must never import plan,
// never import sim, and never send a request that is not an Operation of the plan, except reads.
package providers
