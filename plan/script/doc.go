// Package script turns a plan into a PowerShell script that an administrator reviews and runs
// under their own account, for organisations where no tool may write to the tenant. The script
// sends exactly the plan's operations, in the plan's order; before each change a guard reads the
// object and stops if it is no longer as the plan saw it, and skips a change that an earlier run
// already made, so the script can be run again after a failure.
//
// It must never write a secret value (a step that creates a client secret writes it to a file
// the administrator names), never embed a value except through package pwsh, and never render
// a change it cannot guard: such a plan is refused with a diagnostic.
package script
