package azure

import (
	"context"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

const (
	testTenant = "11111111-2222-3333-4444-555555555555"
	testApp    = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
	testSecret = "Sup3r~Secret.Value_123"
	testPass   = "cert-password-XYZ"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestNewCredentialSelection(t *testing.T) {
	dir := t.TempDir()
	certPEM, keyPEM := testCert(t, false)
	certPath := filepath.Join(dir, "app.pem")
	if err := os.WriteFile(certPath, []byte(certPEM+keyPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("header.payload.sig"), 0o600); err != nil {
		t.Fatal(err)
	}
	sim := Cloud{
		Name: "sim", AuthorityHost: "https://127.0.0.1:9/", ExchangeURL: "https://127.0.0.1:9",
		GraphURL: "https://127.0.0.1:9", CACertPEM: testCAPEM(t), TenantID: testTenant,
		ClientID: testApp, ClientSecret: testSecret,
	}
	tests := []struct {
		name     string
		cloud    Cloud
		method   string
		tenant   string
		env      map[string]string
		wantDesc string // prefix
	}{
		{"sim app", sim, "", "", nil, "client secret for the simulated tenant's app aaaaaaaa… in tenant " + testTenant},
		{"sim app with explicit tenant", sim, "auto", "contoso.onmicrosoft.com", nil,
			"client secret for the simulated tenant's app aaaaaaaa… in tenant contoso.onmicrosoft.com"},
		{"env secret beats sim app", sim, "", "", map[string]string{EnvClientID: "bbbbbbbb-0000-0000-0000-000000000000", EnvClientSecret: testSecret},
			"client secret for app bbbbbbbb… in tenant " + testTenant},
		{"secret", Public, "", "", map[string]string{EnvTenantID: testTenant, EnvClientID: testApp, EnvClientSecret: testSecret},
			"client secret for app aaaaaaaa… in tenant " + testTenant},
		{"explicit secret uses sim app", sim, "secret", "", nil,
			"client secret of the simulated tenant's app for app aaaaaaaa…"},
		{"certificate", Public, "", "contoso.onmicrosoft.com", map[string]string{EnvClientID: testApp, EnvCertificatePath: certPath},
			"client certificate " + certPath + " for app aaaaaaaa… in tenant contoso.onmicrosoft.com"},
		{"workload identity", USGov, "", "", map[string]string{EnvTenantID: testTenant, EnvClientID: testApp, EnvFederatedTokenFile: tokenFile},
			"workload identity (federated token file " + tokenFile + ") for app aaaaaaaa…"},
		{"default", Public, "", testTenant, map[string]string{}, "default Azure credential chain"},
		{"azure cli", Public, "azure-cli", "", map[string]string{}, "Azure CLI sign-in (az login)"},
		{"explicit default", sim, "default", "", nil, "default Azure credential chain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cred, desc, err := NewCredential(CredentialOptions{Cloud: tt.cloud, TenantID: tt.tenant, Method: tt.method, Getenv: envOf(tt.env)})
			if err != nil {
				t.Fatalf("NewCredential: %v", err)
			}
			if cred == nil {
				t.Fatal("nil credential")
			}
			if !strings.HasPrefix(desc, tt.wantDesc) {
				t.Errorf("description %q, want prefix %q", desc, tt.wantDesc)
			}
			for _, s := range []string{testSecret, testPass} {
				if strings.Contains(desc, s) {
					t.Errorf("description leaks a secret: %q", desc)
				}
			}
		})
	}
}

func TestNewCredentialErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.pem")
	if err := os.WriteFile(bad, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		cloud   Cloud
		method  string
		env     map[string]string
		wantSub []string
	}{
		{"secret without client id", Public, "", map[string]string{EnvTenantID: testTenant, EnvClientSecret: testSecret},
			[]string{"AZURE_CLIENT_ID"}},
		{"secret method without anything", Public, "secret", map[string]string{},
			[]string{"AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"}},
		{"secret without tenant", Public, "", map[string]string{EnvClientID: testApp, EnvClientSecret: testSecret},
			[]string{"AZURE_TENANT_ID"}},
		{"certificate without path", Public, "certificate", map[string]string{EnvTenantID: testTenant, EnvClientID: testApp},
			[]string{"AZURE_CLIENT_CERTIFICATE_PATH"}},
		{"certificate missing file", Public, "", map[string]string{EnvTenantID: testTenant, EnvClientID: testApp,
			EnvCertificatePath: filepath.Join(dir, "none.pem"), EnvCertificatePassword: testPass},
			[]string{"none.pem", "AZURE_CLIENT_CERTIFICATE_PATH"}},
		{"certificate bad file", Public, "", map[string]string{EnvTenantID: testTenant, EnvClientID: testApp,
			EnvCertificatePath: bad, EnvCertificatePassword: testPass},
			[]string{"bad.pem", "no usable certificate"}},
		{"workload identity without file", Public, "workload-identity", map[string]string{EnvTenantID: testTenant, EnvClientID: testApp},
			[]string{"AZURE_FEDERATED_TOKEN_FILE"}},
		{"unknown method", Public, "magic", nil, []string{`"magic"`, "secret, certificate, workload-identity"}},
		{"http authority", Cloud{Name: "x", AuthorityHost: "http://127.0.0.1/"}, "", nil, []string{"https"}},
		{"bad tenant", Public, "", map[string]string{EnvTenantID: "bad tenant!", EnvClientID: testApp, EnvClientSecret: testSecret},
			[]string{"not a tenant GUID"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := NewCredential(CredentialOptions{Cloud: tt.cloud, Method: tt.method, Getenv: envOf(tt.env)})
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range tt.wantSub {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			for _, s := range []string{testSecret, testPass} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error leaks a secret: %v", err)
				}
			}
		})
	}
}

func TestDisableInstanceDiscovery(t *testing.T) {
	tests := []struct {
		c    Cloud
		want bool
	}{
		{Public, true},
		{USGov, true},
		{China, true},
		{Cloud{AuthorityHost: "https://127.0.0.1:8443/"}, false},
		{Cloud{AuthorityHost: "https://login.example.test/"}, false},
	}
	for _, tt := range tests {
		if got := tt.c.knownAuthority(); got != tt.want {
			t.Errorf("knownAuthority(%s) = %v, want %v", tt.c.AuthorityHost, got, tt.want)
		}
	}
}

// TestSimCredentialGetsToken runs azidentity's real client-credentials flow against a local
// TLS authority trusted only through Cloud.CACertPEM.
func TestSimCredentialGetsToken(t *testing.T) {
	var gotSecret string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base := "https://" + r.Host + "/" + testTenant
		switch {
		case r.URL.Path == "/"+testTenant+"/v2.0/.well-known/openid-configuration":
			fmt.Fprintf(w, `{"issuer":%q,"authorization_endpoint":%q,"token_endpoint":%q}`,
				base+"/v2.0", base+"/oauth2/v2.0/authorize", base+"/oauth2/v2.0/token")
		case r.URL.Path == "/"+testTenant+"/oauth2/v2.0/token" && r.Method == http.MethodPost:
			_ = r.ParseForm()
			gotSecret = r.PostForm.Get("client_secret")
			fmt.Fprint(w, `{"access_token":"tok","token_type":"Bearer","expires_in":3600}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c := Cloud{
		Name: "sim", AuthorityHost: srv.URL + "/", ExchangeURL: srv.URL, GraphURL: srv.URL,
		CACertPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})),
		TenantID:  testTenant, ClientID: testApp, ClientSecret: testSecret,
	}
	cred, _, err := NewCredential(CredentialOptions{Cloud: c, Getenv: envOf(nil)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{srv.URL + "/.default"}})
	if err != nil {
		t.Fatalf("GetToken: %v", err)
	}
	if tok.Token != "tok" || gotSecret != testSecret {
		t.Errorf("token %q, secret sent %v", tok.Token, gotSecret == testSecret)
	}
}
