package providertest

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/exoform/exoform/providers/azure"
	"github.com/exoform/exoform/sim"
)

// SimConnection connects to a running simulated tenant the way exoform does: its cloud, an HTTP
// client that trusts its certificate authority, and the azidentity credential of its admin app
// (no environment variables are read). Tests of the real clients build on it.
func SimConnection(t testing.TB, srv *sim.Server) (azure.Cloud, *http.Client, azcore.TokenCredential) {
	t.Helper()
	b, err := json.Marshal(srv.Cloud())
	if err != nil {
		t.Fatal(err)
	}
	var cloud azure.Cloud
	if err := json.Unmarshal(b, &cloud); err != nil {
		t.Fatal(err)
	}
	hc, err := cloud.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	cred, _, err := azure.NewCredential(azure.CredentialOptions{Cloud: cloud, HTTPClient: hc, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	return cloud, hc, cred
}
