package sim

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
)

// Cloud describes a running sim the way a sovereign cloud is described:
// endpoints, the CA to trust, and the credentials of the sim's admin app.
// It is what `exoform ... --sim` hands to the real clients.
type Cloud struct {
	Name          string `json:"name"`           // "sim"
	AuthorityHost string `json:"authority_host"` // "https://127.0.0.1:PORT/"
	ExchangeURL   string `json:"exchange_url"`   // "https://127.0.0.1:PORT"; InvokeCommand is under /adminapi/beta/{tenant}/InvokeCommand
	ExchangeScope string `json:"exchange_scope"` // "https://outlook.office365.com/.default"
	GraphURL      string `json:"graph_url"`      // "https://127.0.0.1:PORT/graph" (Graph v1.0 lives under /graph/v1.0)
	GraphScope    string `json:"graph_scope"`    // "https://graph.microsoft.com/.default"
	CACertPEM     string `json:"ca_cert_pem"`    // the sim CA, PEM
	TenantID      string `json:"tenant_id"`      // GUID
	TenantDomain  string `json:"tenant_domain"`  // initial domain, e.g. contoso.onmicrosoft.com
	ClientID      string `json:"client_id"`      // the sim's admin app (Exchange.ManageAsApp + Exchange Administrator)
	ClientSecret  string `json:"client_secret"`  // a sim-only credential, stored in the state file
}

// HTTPClient returns an HTTP client that trusts the sim's CA (and nothing
// else), for tests and for azcore's ClientOptions.Transport.
func (c Cloud) HTTPClient() (*http.Client, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(c.CACertPEM)) {
		return nil, errors.New("sim cloud: ca_cert_pem holds no PEM certificate")
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: t}, nil
}

// WriteCloudFile writes c as JSON to path with mode 0600, since it holds the
// admin app's secret.
func (c Cloud) WriteCloudFile(path string) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(b, '\n'), 0o600)
}
