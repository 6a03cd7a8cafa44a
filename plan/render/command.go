package render

import (
	"github.com/exoform/exoform/plan/pwsh"
	"github.com/exoform/exoform/providers"
)

// Command shows an operation as the PowerShell command a script would run, with the values
// that earlier operations produce written as their placeholders.
func Command(op providers.Operation) string {
	s, err := pwsh.Command(op, nil)
	if err != nil {
		// A value no script can carry: apply sends it over the API, but a script of this plan
		// is refused, and the display says why rather than hiding the operation.
		return op.String() + " (cannot be written as PowerShell: " + err.Error() + ")"
	}
	return s
}
