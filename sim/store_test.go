package sim

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestStore_PersistsAcrossRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s1 := startSim(t, Options{StatePath: path})
	c1 := newClient(t, s1)
	c1.mustInvoke("New-InboundConnector", map[string]any{"Name": "Survivor", "SenderDomains": "contoso.com"})
	cloud1 := s1.Cloud()
	if err := s1.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}

	s2 := startSim(t, Options{StatePath: path, Tenant: "ignored.onmicrosoft.com"})
	cloud2 := s2.Cloud()
	if cloud1.CACertPEM != cloud2.CACertPEM || cloud1.TenantID != cloud2.TenantID || cloud1.ClientSecret != cloud2.ClientSecret {
		t.Errorf("restart changed the CA, tenant or credentials")
	}
	// A client built from the first cloud (old port aside) trusts the new server.
	c2 := newClient(t, s2)
	hc, _ := cloud1.HTTPClient()
	c2.http = hc
	c2.mustInvoke("Get-InboundConnector", map[string]any{"Identity": "Survivor"})

	for _, p := range []string{path, path + ".ca-key.pem"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode = %v, want 0600", p, fi.Mode().Perm())
		}
	}
	// The state file is compact JSON (a write of a large tenant costs its
	// encoding) holding the secret.
	b, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(b), `{"format_version":`) || !strings.Contains(string(b), cloud1.ClientSecret) {
		t.Errorf("state file is not compact JSON with the admin secret:\n%.300s", b)
	}
}

// TestStore_LoadsIndentedState: state files written before saves became
// compact (indented JSON) still load and keep working.
func TestStore_LoadsIndentedState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	st, err := seedState("")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, startSim(t, Options{StatePath: path}))
	c.mustInvoke("Set-CASMailbox", map[string]any{"Identity": "adele", "ImapEnabled": false})
	if got := c.mustInvoke("Get-CASMailbox", map[string]any{"Identity": "adele"}).Value[0]["ImapEnabled"]; got != false {
		t.Errorf("ImapEnabled after Set on an indented state = %v, want false", got)
	}
}

// TestStore_GroupCommit: concurrent writers share saves, and each is answered
// only once the state file holds its change.
func TestStore_GroupCommit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s := startSim(t, Options{StatePath: path, Mailboxes: 20})
	c := newClient(t, s)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			id := fmt.Sprintf("user%05d", i+1)
			r := c.invoke("Set-CASMailbox", map[string]any{"Identity": id, "PopEnabled": false})
			if r.status != 200 {
				t.Errorf("Set-CASMailbox %s: %d %s", id, r.status, r.body)
				return
			}
			// Acknowledged: the file on disk already holds the change.
			b, err := os.ReadFile(path)
			if err != nil {
				t.Error(err)
				return
			}
			st, err := decodeState(b)
			if err != nil {
				t.Error(err)
				return
			}
			m := st.Exchange.Mailboxes[nameGUID(st.Tenant.ID+":mailbox:"+id)]
			if m == nil || m.Current == nil {
				t.Errorf("%s is missing from the state file", id)
				return
			}
			if pop, set := m.Current.CAS.Bools["PopEnabled"]; !set || pop {
				t.Errorf("%s acknowledged, but the state file does not hold PopEnabled false: %+v", id, m)
			}
		})
	}
	wg.Wait()
}

func TestStore_TwoServersShareState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	a := newClient(t, startSim(t, Options{StatePath: path}))
	b := newClient(t, startSim(t, Options{StatePath: path}))
	a.mustInvoke("New-InboundConnector", map[string]any{"Name": "From A", "SenderDomains": "contoso.com"})
	b.mustInvoke("Set-InboundConnector", map[string]any{"Identity": "From A", "Comment": "touched by B"})
	if got := a.mustInvoke("Get-InboundConnector", map[string]any{"Identity": "From A"}).Value[0]["Comment"]; got != "touched by B" {
		t.Errorf("A sees Comment %v, want B's write", got)
	}
	// Concurrent writers on both servers lose nothing.
	var wg sync.WaitGroup
	for i := range 10 {
		cl := a
		if i%2 == 1 {
			cl = b
		}
		wg.Go(func() {
			r := cl.invoke("New-InboundConnector", map[string]any{"Name": "Concurrent " + string(rune('A'+i)), "SenderDomains": "contoso.com"})
			if r.status != 200 {
				t.Errorf("concurrent New %d: %d %s", i, r.status, r.body)
			}
		})
	}
	wg.Wait()
	if n := len(b.mustInvoke("Get-InboundConnector", nil).Value); n != 13 {
		t.Errorf("after concurrent writes B sees %d connectors, want 13", n)
	}
}

func TestReset(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s := startSim(t, Options{StatePath: path})
	c := newClient(t, s)
	c.mustInvoke("New-InboundConnector", map[string]any{"Name": "Doomed", "SenderDomains": "contoso.com"})
	ca := s.Cloud().CACertPEM
	if err := Reset(path, "fabrikam.onmicrosoft.com"); err != nil {
		t.Fatalf("Reset() = %v", err)
	}
	cloud := s.Cloud()
	if cloud.TenantDomain != "fabrikam.onmicrosoft.com" || cloud.CACertPEM != ca {
		t.Errorf("after Reset: domain %q, CA kept %v", cloud.TenantDomain, cloud.CACertPEM == ca)
	}
	// Old tokens die with the old signing key; new ones see the fresh seed.
	if r := c.invoke("Get-InboundConnector", nil); r.status != 401 {
		t.Errorf("old token after Reset = %d, want 401", r.status)
	}
	c2 := newClient(t, s)
	if diff := cmp.Diff([]string{"Legacy scanner relay", "Partner fabrikam TLS"}, names(c2.mustInvoke("Get-InboundConnector", nil).Value)); diff != "" {
		t.Errorf("after Reset mismatch (-want +got):\n%s", diff)
	}
}

func TestSeed_Tenants(t *testing.T) {
	tests := []struct {
		tenant, wantDomain, wantID string
		wantAccepted               []string
	}{
		{"", "contoso.onmicrosoft.com", nameGUID("tenant:contoso.onmicrosoft.com"), []string{"contoso.com", "contoso.onmicrosoft.com"}},
		{"Fabrikam.onmicrosoft.com", "fabrikam.onmicrosoft.com", nameGUID("tenant:fabrikam.onmicrosoft.com"), []string{"fabrikam.com", "fabrikam.onmicrosoft.com"}},
		{"{0F2B9A4C-1111-4222-8333-444455556666}", "contoso.onmicrosoft.com", "0f2b9a4c-1111-4222-8333-444455556666", []string{"contoso.com", "contoso.onmicrosoft.com"}},
	}
	for _, tt := range tests {
		st, err := seedState(tt.tenant)
		if err != nil {
			t.Fatalf("seedState(%q) = %v", tt.tenant, err)
		}
		got := []any{st.Tenant.InitialDomain, st.Tenant.ID, st.Tenant.AcceptedDomains}
		if diff := cmp.Diff([]any{tt.wantDomain, tt.wantID, tt.wantAccepted}, got); diff != "" {
			t.Errorf("seedState(%q) mismatch (-want +got):\n%s", tt.tenant, diff)
		}
	}
	if nameGUID("tenant:contoso.onmicrosoft.com") != nameGUID("tenant:CONTOSO.onmicrosoft.com") {
		t.Error("tenant GUIDs depend on case")
	}
	for _, bad := range []string{"contoso.com", "not a tenant", "1234-5678"} {
		if _, err := seedState(bad); err == nil {
			t.Errorf("seedState(%q) succeeded, want an error", bad)
		}
	}
}

func TestCloud_WriteCloudFile(t *testing.T) {
	s := startSim(t, Options{})
	path := filepath.Join(t.TempDir(), "cloud.json")
	if err := s.WriteCloudFile(path); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("cloud file mode = %v, want 0600", fi.Mode().Perm())
	}
	var got Cloud
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s.Cloud(), got); diff != "" {
		t.Errorf("cloud file mismatch (-want +got):\n%s", diff)
	}
	want := map[string]string{"name": "sim", "exchange_scope": "https://outlook.office365.com/.default", "graph_scope": "https://graph.microsoft.com/.default"}
	var raw map[string]any
	json.Unmarshal(b, &raw)
	for k, v := range want {
		if raw[k] != v {
			t.Errorf("cloud file %s = %v, want %s", k, raw[k], v)
		}
	}
	if !strings.HasSuffix(got.AuthorityHost, "/") || !strings.HasSuffix(got.GraphURL, "/graph") || strings.HasSuffix(got.ExchangeURL, "/") {
		t.Errorf("cloud URLs %q %q %q", got.AuthorityHost, got.ExchangeURL, got.GraphURL)
	}
}
