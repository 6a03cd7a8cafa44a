package sim

import (
	"context"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// TestServer_ImportsNoExoformPackage guards the package invariant: the sim
// shares no code with exoform's clients.
func TestServer_ImportsNoExoformPackage(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, f := range files {
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			if strings.HasPrefix(strings.Trim(imp.Path.Value, `"`), "github.com/exoform/exoform") {
				t.Errorf("%s imports %s; sim must not import exoform packages", f, imp.Path.Value)
			}
		}
	}
}

func TestServer_ContextEndsServer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Start(ctx, Options{StatePath: filepath.Join(t.TempDir(), "s.json")})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, s)
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c.http.CloseIdleConnections()
		if r := c.invoke("Get-InboundConnector", nil); r.err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("server still answers after its context ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close after cancel = %v", err)
	}
}

// TestServer_Localhost checks that the leaf certificate and the discovery
// document also work for clients configured with "localhost".
func TestServer_Localhost(t *testing.T) {
	s := startSim(t, Options{})
	c := s.Cloud()
	c.AuthorityHost = strings.Replace(c.AuthorityHost, "127.0.0.1", "localhost", 1)
	if _, err := credential(t, c, c.TenantID, c.ClientSecret).GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{c.ExchangeScope}}); err != nil {
		t.Fatalf("GetToken via localhost = %v", err)
	}
}

func TestServer_GlobalReaderReadsOnly(t *testing.T) {
	s := startSim(t, Options{})
	err := s.store.do(time.Now(), func(st *state) (bool, error) {
		st.AdminApp.DirectoryRoles = []string{widGlobalReader}
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, s)
	c.mustInvoke("Get-InboundConnector", nil)
	if r := c.invoke("Remove-InboundConnector", map[string]any{"Identity": "Legacy scanner relay"}); r.status != 403 {
		t.Errorf("Global Reader Remove = %d %s, want 403", r.status, r.body)
	}
}
