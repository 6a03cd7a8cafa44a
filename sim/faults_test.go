package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseFaults(t *testing.T) {
	tests := []struct {
		spec    string
		want    []Fault
		wantErr string // substring; "" = valid
	}{
		{"", nil, ""},
		{"429:5%,503:2%,lost:1%,500:100%:get-inboundconnector", []Fault{
			{Kind: "429", Percent: 5}, {Kind: "503", Percent: 2}, {Kind: "lost", Percent: 1},
			{Kind: "500", Percent: 100, Cmdlet: "Get-InboundConnector"},
		}, ""},
		{"reset:0.5%, truncate:1% ,HTML:3%,504:10%", []Fault{
			{Kind: "reset", Percent: 0.5}, {Kind: "truncate", Percent: 1}, {Kind: "html", Percent: 3}, {Kind: "504", Percent: 10},
		}, ""},
		{"418:5%", nil, `item 1 "418:5%": unknown kind "418"; allowed kinds: 429, 500, 503, 504, reset, truncate, html, lost`},
		{"429:5%,503:5", nil, `item 2 "503:5"`},
		{"429:0%", nil, "percentage"},
		{"429:101%", nil, "percentage"},
		{"429", nil, "KIND:PERCENT"},
		{"429:5%,,503:1%", nil, "item 2"},
		{"500:5%:Get-Nothing", nil, "not simulated"},
		{"lost:5%:Get-InboundConnector", nil, "only to cmdlets that write"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ParseFaults(tt.spec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("ParseFaults(%q) error = %v, want one containing %q", tt.spec, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseFaults(%q) = %v", tt.spec, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseFaults(%q) mismatch (-want +got):\n%s", tt.spec, diff)
			}
		})
	}
	if _, err := Start(t.Context(), Options{StatePath: filepath.Join(t.TempDir(), "s.json"), Faults: "nope:1%"}); err == nil {
		t.Error("Start with an invalid fault spec succeeded")
	}
}

// statusSequence runs n Gets and returns each status (0 for a transport error).
func statusSequence(t *testing.T, c *simClient, n int) []int {
	t.Helper()
	var out []int
	for range n {
		r := c.invoke("Get-InboundConnector", nil)
		if r.err != nil {
			out = append(out, 0)
			continue
		}
		out = append(out, r.status)
	}
	return out
}

func TestFaults_Deterministic(t *testing.T) {
	run := func(seed int64) ([]int, Stats) {
		s := startSim(t, Options{Faults: "429:20%,503:10%,500:10%", Seed: seed})
		c := newClient(t, s)
		return statusSequence(t, c, 40), s.Stats()
	}
	a, statsA := run(7)
	b, _ := run(7)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed gave different fault sequences (-first +second):\n%s", diff)
	}
	failed := 0
	for _, st := range a {
		if st != http.StatusOK {
			failed++
		}
	}
	if failed == 0 || failed == len(a) {
		t.Errorf("%d of %d requests failed; want some but not all", failed, len(a))
	}
	injected := statsA.Faults["429"] + statsA.Faults["503"] + statsA.Faults["500"]
	if injected != failed {
		t.Errorf("Stats().Faults = %v (total %d), want %d", statsA.Faults, injected, failed)
	}
	c, _ := run(8)
	if cmp.Equal(a, c) {
		t.Logf("seeds 7 and 8 gave the same sequence (possible, unlikely)")
	}
}

func TestFaults_Shapes(t *testing.T) {
	t.Run("only the named cmdlet", func(t *testing.T) {
		s := startSim(t, Options{Faults: "500:100%:Get-InboundConnector"})
		c := newClient(t, s)
		c.mustInvoke("New-InboundConnector", map[string]any{"Name": "Still works", "SenderDomains": "contoso.com"})
		c.mustInvoke("Set-InboundConnector", map[string]any{"Identity": "Still works", "Enabled": false})
		r := c.invoke("Get-InboundConnector", nil)
		if code, _, _ := exceptionOf(t, r.body); r.status != http.StatusInternalServerError || code != "InternalServerError" {
			t.Errorf("Get with 500:100%% = %d %s", r.status, r.body)
		}
	})
	t.Run("429 and 503 carry Retry-After", func(t *testing.T) {
		for _, kind := range []string{"429", "503"} {
			s := startSim(t, Options{Faults: kind + ":100%", RetryAfter: 1500 * time.Millisecond})
			r := newClient(t, s).invoke("Get-InboundConnector", nil)
			if fmt.Sprint(r.status) != kind || r.header.Get("Retry-After") != "2" {
				t.Errorf("%s fault: status %d, Retry-After %q, want %s and 2", kind, r.status, r.header.Get("Retry-After"), kind)
			}
			if kind == "429" && !strings.HasPrefix(string(r.body), "You have reached the maximum number of concurrent requests per tenant") {
				t.Errorf("429 body = %q", r.body)
			}
		}
	})
	t.Run("504", func(t *testing.T) {
		s := startSim(t, Options{Faults: "504:100%"})
		r := newClient(t, s).invoke("Get-InboundConnector", nil)
		if code, _, _ := exceptionOf(t, r.body); r.status != http.StatusGatewayTimeout || code != "GatewayTimeout" {
			t.Errorf("504 fault = %d %s", r.status, r.body)
		}
	})
	t.Run("html", func(t *testing.T) {
		s := startSim(t, Options{Faults: "html:100%"})
		r := newClient(t, s).invoke("Get-InboundConnector", nil)
		if (r.status != 500 && r.status != 503) || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), "<html>") {
			t.Errorf("html fault = %d %v %s", r.status, r.header, r.body)
		}
	})
	t.Run("reset", func(t *testing.T) {
		s := startSim(t, Options{Faults: "reset:100%"})
		r := newClient(t, s).invoke("Get-InboundConnector", nil)
		if r.err == nil {
			t.Errorf("reset fault: got %d %q and no error, want a transport error", r.status, r.body)
		}
	})
	t.Run("truncate", func(t *testing.T) {
		s := startSim(t, Options{Faults: "truncate:100%"})
		r := newClient(t, s).invoke("Get-InboundConnector", nil)
		var v any
		if r.err != nil || r.status != http.StatusOK || json.Unmarshal(r.body, &v) == nil {
			t.Errorf("truncate fault: %d %v %q, want 200 with a body that is not valid JSON", r.status, r.err, r.body)
		}
	})
	t.Run("token endpoint is never faulted", func(t *testing.T) {
		s := startSim(t, Options{Faults: "500:100%,reset:100%"})
		newClient(t, s) // fetches a token; fails the test on error
	})
}

func TestFaults_LostWritesPersist(t *testing.T) {
	s := startSim(t, Options{Faults: "lost:100%", Seed: 3})
	c := newClient(t, s)
	for i := range 4 {
		name := fmt.Sprintf("Lost %d", i)
		r := c.invoke("New-InboundConnector", map[string]any{"Name": name, "SenderDomains": "contoso.com"})
		if r.err == nil && r.status == http.StatusOK {
			t.Fatalf("New %s under lost:100%% succeeded: %s", name, r.body)
		}
		// Reads are not subject to lost, and see the write.
		if e := c.mustInvoke("Get-InboundConnector", map[string]any{"Identity": name}); len(e.Value) != 1 {
			t.Errorf("lost write %s not persisted", name)
		}
	}
	if got := s.Stats().Faults["lost"]; got != 4 {
		t.Errorf("Stats().Faults[lost] = %d, want 4", got)
	}
	// A write that fails validation is not lost: it just fails.
	r := c.invoke("New-InboundConnector", map[string]any{"Name": "Lost 0", "SenderDomains": "contoso.com"})
	if _, typ, _ := exceptionOf(t, r.body); r.status != http.StatusBadRequest || !strings.HasSuffix(typ, "ADObjectAlreadyExistsException") {
		t.Errorf("duplicate under lost = %d %s", r.status, r.body)
	}
}

// TestFaults_Stall: a stalled request gets no answer (the connection is dropped after
// Options.Stall), a stalled write has happened all the same, and a stalled read changes
// nothing.
func TestFaults_Stall(t *testing.T) {
	s := startSim(t, Options{Faults: "stall:100%:New-InboundConnector,stall:100%:Get-TransportConfig", Stall: 50 * time.Millisecond})
	c := newClient(t, s)
	r := c.invoke("New-InboundConnector", map[string]any{"Name": "Stalled", "SenderDomains": "contoso.com"})
	if r.err == nil {
		t.Fatalf("a stalled write was answered: %d %s", r.status, r.body)
	}
	if e := c.mustInvoke("Get-InboundConnector", map[string]any{"Identity": "Stalled"}); len(e.Value) != 1 {
		t.Errorf("the stalled write did not happen")
	}
	if r := c.invoke("Get-TransportConfig", nil); r.err == nil {
		t.Errorf("a stalled read was answered: %d %s", r.status, r.body)
	}
	if got := s.Stats().Faults["stall"]; got != 2 {
		t.Errorf("Stats().Faults[stall] = %d, want 2", got)
	}
}
