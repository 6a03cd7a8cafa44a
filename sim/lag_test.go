package sim

import (
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLag_ReadsTrailWrites(t *testing.T) {
	clk := &fakeClock{t: time.Now()}
	const lag = 10 * time.Second
	s := startSim(t, Options{Lag: lag, Seed: 1, now: clk.Now})
	c := newClient(t, s)
	seeded := []string{"Legacy scanner relay", "Partner fabrikam TLS"}

	c.mustInvoke("New-InboundConnector", map[string]any{"Name": "Fresh", "SenderDomains": "contoso.com"})
	if r := c.invoke("Get-InboundConnector", map[string]any{"Identity": "Fresh"}); r.status != http.StatusNotFound {
		t.Errorf("Get right after New = %d, want 404 while replicating", r.status)
	}
	if diff := cmp.Diff(seeded, names(c.mustInvoke("Get-InboundConnector", nil).Value)); diff != "" {
		t.Errorf("list right after New mismatch (-want +got):\n%s", diff)
	}
	// Writes go to the master: Set finds the new object at once.
	c.mustInvoke("Set-InboundConnector", map[string]any{"Identity": "Fresh", "Comment": "v2"})
	// And a duplicate is caught against the master.
	if r := c.invoke("New-InboundConnector", map[string]any{"Name": "fresh", "SenderDomains": "contoso.com"}); r.status != http.StatusBadRequest {
		t.Errorf("duplicate of an unreplicated name = %d, want 400", r.status)
	}

	clk.Advance(2 * lag) // the Set restarted the window; both have now passed
	got := c.mustInvoke("Get-InboundConnector", map[string]any{"Identity": "Fresh"}).Value
	if len(got) != 1 || got[0]["Comment"] != "v2" {
		t.Errorf("after the lag, Get = %v, want Fresh with Comment v2", got)
	}

	// A change shows the previous version until it replicates.
	c.mustInvoke("Set-InboundConnector", map[string]any{"Identity": "Fresh", "Comment": "v3"})
	if got := c.mustInvoke("Get-InboundConnector", map[string]any{"Identity": "Fresh"}).Value[0]["Comment"]; got != "v2" {
		t.Errorf("right after Set, Comment = %v, want the previous v2", got)
	}
	// A removal leaves the object visible until it replicates.
	c.mustInvoke("Remove-InboundConnector", map[string]any{"Identity": "Fresh", "Confirm": false})
	if got := c.mustInvoke("Get-InboundConnector", map[string]any{"Identity": "Fresh"}).Value[0]["Comment"]; got != "v2" {
		t.Errorf("right after Remove, Comment = %v, want the last replicated v2", got)
	}
	if r := c.invoke("Set-InboundConnector", map[string]any{"Identity": "Fresh", "Enabled": false}); r.status != http.StatusNotFound {
		t.Errorf("Set on a removed (unreplicated) object = %d, want 404 from the master", r.status)
	}
	clk.Advance(lag)
	if r := c.invoke("Get-InboundConnector", map[string]any{"Identity": "Fresh"}); r.status != http.StatusNotFound {
		t.Errorf("after the lag, Get of the removed object = %d, want 404", r.status)
	}

	// Lag is persisted: a second server on the same file sees the same window.
	c.mustInvoke("New-InboundConnector", map[string]any{"Name": "Shared", "SenderDomains": "contoso.com"})
	s2 := startSim(t, Options{StatePath: s.opts.StatePath, now: clk.Now})
	c2 := newClient(t, s2)
	if r := c2.invoke("Get-InboundConnector", map[string]any{"Identity": "Shared"}); r.status != http.StatusNotFound {
		t.Errorf("second server, before the lag: %d, want 404", r.status)
	}
	clk.Advance(lag)
	c2.mustInvoke("Get-InboundConnector", map[string]any{"Identity": "Shared"})
}

func TestLag_Deterministic(t *testing.T) {
	delays := func() []time.Duration {
		s := startSim(t, Options{StatePath: filepath.Join(t.TempDir(), "s.json"), Lag: time.Minute, Seed: 42})
		var out []time.Duration
		for range 5 {
			d := s.lagDelay()
			if d <= 0 || d > time.Minute {
				t.Fatalf("lagDelay() = %v, want in (0, 1m]", d)
			}
			out = append(out, d)
		}
		return out
	}
	if diff := cmp.Diff(delays(), delays()); diff != "" {
		t.Errorf("same seed gave different lags (-first +second):\n%s", diff)
	}
}
