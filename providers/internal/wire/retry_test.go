package wire

import (
	"errors"
	"testing"
	"time"
)

func TestRetriesExhausted(t *testing.T) {
	last := errors.New("Get-Mailbox: 429 TooManyRequests: slow down")
	tests := []struct {
		name string
		err  *RetriesExhausted
		want string
	}{
		{"throttled", &RetriesExhausted{Err: last, Retries: 8, Elapsed: 95 * time.Second, Service: "Exchange Online", Throttled: true},
			"Get-Mailbox: 429 TooManyRequests: slow down\nExchange Online throttled exoform: it retried the request 8 times over 1m35s, waiting as long as the service asked, and was still refused. " +
				"Wait a few minutes and run the command again; if it keeps happening, lower --parallelism (for example --parallelism 1) so that fewer requests run at once, " +
				"and run exoform when other tools are not busy with the tenant."},
		{"other", &RetriesExhausted{Err: last, Retries: 3, Elapsed: 1500 * time.Millisecond, Service: "Microsoft Graph"},
			"Get-Mailbox: 429 TooManyRequests: slow down (after 3 retries over 2s)"},
		{"quick", &RetriesExhausted{Err: last, Retries: 1, Elapsed: 12340 * time.Microsecond},
			"Get-Mailbox: 429 TooManyRequests: slow down (after 1 retries over 12ms)"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%s: Error() = %q\nwant %q", tt.name, got, tt.want)
		}
		if !errors.Is(tt.err, last) {
			t.Errorf("%s: the last attempt's error is not unwrapped", tt.name)
		}
	}
}
