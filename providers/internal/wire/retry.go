package wire

import (
	"fmt"
	"time"
)

// RetriesExhausted is a request that still failed after every retry the client allows. Its
// text keeps the last answer (which names the request) and, for throttling, says what to do.
type RetriesExhausted struct {
	Err       error         // the last attempt's error
	Retries   int           // how many times the request was repeated
	Elapsed   time.Duration // from the first attempt to the last answer
	Service   string        // who refused, e.g. "Exchange Online", "Microsoft Graph"
	Throttled bool          // the last answer was a throttling refusal (429, 503, a concurrency limit)
}

func (e *RetriesExhausted) Error() string {
	over := e.Elapsed.Round(time.Second)
	if e.Elapsed < time.Second {
		over = e.Elapsed.Round(time.Millisecond)
	}
	if !e.Throttled {
		return fmt.Sprintf("%v (after %d retries over %s)", e.Err, e.Retries, over)
	}
	return fmt.Sprintf("%v\n%s throttled exoform: it retried the request %d times over %s, waiting as long as the service asked, and was still refused. "+
		"Wait a few minutes and run the command again; if it keeps happening, lower --parallelism (for example --parallelism 1) so that fewer requests run at once, "+
		"and run exoform when other tools are not busy with the tenant.", e.Err, e.Service, e.Retries, over)
}

// Unwrap returns the last attempt's error, so its classifiers (IsThrottled, ...) still apply.
func (e *RetriesExhausted) Unwrap() error { return e.Err }
