package httplog

import (
	azlog "github.com/Azure/azure-sdk-for-go/sdk/azcore/log"
)

// AzureListener returns a listener for azcore's log (azcore/log.SetListener) that hands each
// message to logf with secrets redacted, prefixed by its event ("azure Authentication: ...").
// azidentity's Authentication events say which credential signed in, for which scope, and why
// a credential of a chain was skipped; their text can quote an error from Entra, so it passes
// the same Redactor as the HTTP trace.
func AzureListener(logf func(format string, args ...any), r *Redactor) func(azlog.Event, string) {
	return func(ev azlog.Event, msg string) {
		logf("azure %s: %s", printable(string(ev), false), printable(r.Text(msg), true))
	}
}
