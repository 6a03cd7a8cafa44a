package cli

// Exit codes. They are part of exoform's interface: CI pipelines branch on them.
const (
	exitOK      = 0 // success; with --detailed-exitcode: no changes
	exitError   = 1 // any error
	exitChanges = 2 // changes present (only with --detailed-exitcode)
	exitFmt     = 3 // fmt --check found files to reformat
)

// exitError wraps an exit code that a command chose after printing its own output.
type exitCodeError struct{ code int }

func (e exitCodeError) Error() string { return "exit" }
