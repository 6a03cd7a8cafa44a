package cli

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/exoform/exoform/providers/entra"
	"github.com/exoform/exoform/providers/exchange"
)

// addStatsFlag gives a command that talks to the tenant the --stats flag.
func (a *app) addStatsFlag(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&a.stats, "stats", false, "print, per service, the requests sent, the requests batched inside them, pages, retries, throttled responses and time waiting, on standard error")
}

// countSignIns wraps an HTTP client so that the requests to a token endpoint are counted: the
// credential (azidentity) sends them itself, outside the service clients' own counters.
func countSignIns(hc *http.Client, n *atomic.Int64) *http.Client {
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c := *hc
	c.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token") {
			n.Add(1)
		}
		return next.RoundTrip(r)
	})
	return &c
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// requestStats is what --stats prints: the clients' own counts since the session opened.
type requestStats struct {
	signIns  int64
	graph    entra.Stats
	exchange exchange.Stats
	elapsed  time.Duration
}

// writeStats prints the table of --stats. "batched" is the number of requests that travelled
// inside $batch calls (each call counts once under "requests"); "waited" is the time spent
// waiting before retries, as the service asked (Retry-After) or by backoff.
func writeStats(w io.Writer, s requestStats) {
	fmt.Fprintf(w, "\nRequests sent (--stats), in %s:\n", roundDuration(s.elapsed))
	row := func(service string, cells ...any) {
		fmt.Fprintf(w, "  %-16s", service)
		for _, c := range cells {
			fmt.Fprintf(w, " %9v", c)
		}
		fmt.Fprintln(w)
	}
	row("service", "requests", "batched", "pages", "retries", "throttled", "waited")
	row("sign-in", s.signIns, "-", "-", "-", "-", "-")
	g := s.graph
	row("Microsoft Graph", g.Requests, g.BatchItems, g.Pages, g.Retries, g.Throttled, roundDuration(g.WaitTime))
	x := s.exchange
	row("Exchange Online", x.Requests, x.BatchItems, x.Pages, x.Retries, x.Throttled, roundDuration(x.WaitTime))
}

func roundDuration(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}

// indent prefixes every line of text with prefix.
func indent(text, prefix string) string {
	lines := strings.SplitAfter(text, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l != "" {
			b.WriteString(prefix + l)
		}
	}
	return b.String()
}
