package azure

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLookupCloudNames(t *testing.T) {
	tests := []struct {
		in   string
		want Cloud
	}{
		{"", Public},
		{"public", Public},
		{"AzureCloud", Public},
		{"usgov", USGov},
		{"USGov", USGov},
		{"usgov-dod", USGovDoD},
		{"china", China},
		{"AzureChinaCloud", China},
	}
	for _, tt := range tests {
		got, err := LookupCloud(tt.in)
		if err != nil {
			t.Errorf("LookupCloud(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("LookupCloud(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
	if USGovDoD.ExchangeURL != "https://outlook-dod.office365.us" || China.GraphURL != "https://microsoftgraph.chinacloudapi.cn" {
		t.Errorf("unexpected sovereign endpoints")
	}
}

func TestLookupCloudFile(t *testing.T) {
	dir := t.TempDir()
	caPEM := testCAPEM(t)
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good, _ := json.Marshal(Cloud{
		Name: "sim", AuthorityHost: "https://127.0.0.1:8443", ExchangeURL: "https://127.0.0.1:8443/",
		GraphURL: "https://127.0.0.1:8443", CACertPEM: caPEM, TenantID: "11111111-2222-3333-4444-555555555555",
		ClientID: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", ClientSecret: "s3cr3t-value",
	})
	goodPath := write("sim.cloud.json", string(good))
	got, err := LookupCloud(goodPath)
	if err != nil {
		t.Fatalf("LookupCloud(good): %v", err)
	}
	want := Cloud{
		Name: "sim", AuthorityHost: "https://127.0.0.1:8443/", ExchangeURL: "https://127.0.0.1:8443",
		ExchangeScope: "https://127.0.0.1:8443/.default", GraphURL: "https://127.0.0.1:8443",
		GraphScope: "https://127.0.0.1:8443/.default", CACertPEM: caPEM, TenantID: "11111111-2222-3333-4444-555555555555",
		ClientID: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", ClientSecret: "s3cr3t-value",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cloud from file (-want +got):\n%s", diff)
	}
	for _, s := range []string{fmt.Sprint(got), fmt.Sprintf("%+v", got), fmt.Sprintf("%#v", got)} {
		if strings.Contains(s, "s3cr3t-value") {
			t.Errorf("formatted cloud leaks the client secret: %s", s)
		}
	}

	errTests := []struct {
		name    string
		path    string
		wantSub []string
	}{
		{"unknown name", "mars", []string{`unknown cloud "mars"`, "public, usgov, usgov-dod, china"}},
		{"missing file", filepath.Join(dir, "nope.cloud.json"), []string{"nope.cloud.json", "does not exist"}},
		{"bad json", write("bad.json", `{"name": "x",`), []string{"bad.json", "not valid JSON"}},
		{"wrong type", write("type.json", `{"name": 3}`), []string{"type.json", `"name"`, "string"}},
		{"http authority", write("http.json", `{"authority_host":"http://x/","exchange_url":"https://x","graph_url":"https://x"}`),
			[]string{"http.json", "authority_host", "https"}},
		{"missing urls", write("empty.json", `{}`), []string{"empty.json", "authority_host is missing", "exchange_url is missing"}},
		{"bad ca", write("ca.json", `{"authority_host":"https://x/","exchange_url":"https://x","graph_url":"https://x","ca_cert_pem":"nope"}`),
			[]string{"ca.json", "ca_cert_pem"}},
		{"secret alone", write("sec.json", `{"authority_host":"https://x/","exchange_url":"https://x","graph_url":"https://x","client_secret":"hunter2-secret"}`),
			[]string{"sec.json", "client_id and client_secret"}},
	}
	for _, tt := range errTests {
		_, err := LookupCloud(tt.path)
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		for _, s := range tt.wantSub {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s: error %q does not contain %q", tt.name, err, s)
			}
		}
		if strings.Contains(err.Error(), "hunter2-secret") {
			t.Errorf("%s: error leaks the secret: %v", tt.name, err)
		}
	}
}

func TestHTTPClientTrustsCA(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	defer srv.Close()
	caPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))

	plain, err := Public.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	if plain.Timeout != 0 {
		t.Errorf("overall timeout %v set; the Exchange cmdlets may run 15 minutes", plain.Timeout)
	}
	if _, err := plain.Get(srv.URL); err == nil {
		t.Errorf("client without the CA trusted the test server")
	}
	c := Cloud{Name: "sim", CACertPEM: caPEM}
	hc, err := c.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Get(srv.URL)
	if err != nil {
		t.Fatalf("client with the CA: %v", err)
	}
	resp.Body.Close()
	if _, err := (Cloud{Name: "x", CACertPEM: "garbage"}).HTTPClient(); err == nil {
		t.Errorf("bad CA accepted")
	}
}

// testCAPEM makes a self-signed CA certificate in PEM.
func testCAPEM(t *testing.T) string {
	t.Helper()
	certPEM, _ := testCert(t, true)
	return certPEM
}

// testCert makes a self-signed certificate and its PKCS#8 private key, both PEM.
func testCert(t *testing.T, ca bool) (certPEM, keyPEM string) {
	t.Helper()
	var key crypto.Signer
	var err error
	if ca {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	} else {
		key, err = rsa.GenerateKey(rand.Reader, 2048) // client certificates must be RSA
	}
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "exoform test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  ca,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	k, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: k}))
}
