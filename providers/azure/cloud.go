package azure

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Cloud names the endpoints of one Microsoft cloud (public, US Gov, China) or of a simulated tenant.
type Cloud struct {
	Name          string `json:"name"`
	AuthorityHost string `json:"authority_host"`          // e.g. "https://login.microsoftonline.com/"
	ExchangeURL   string `json:"exchange_url"`            // e.g. "https://outlook.office365.com"
	ExchangeScope string `json:"exchange_scope"`          // e.g. "https://outlook.office365.com/.default"
	GraphURL      string `json:"graph_url"`               // e.g. "https://graph.microsoft.com"
	GraphScope    string `json:"graph_scope"`             // e.g. "https://graph.microsoft.com/.default"
	CACertPEM     string `json:"ca_cert_pem,omitempty"`   // extra trusted CA (simulated tenants)
	TenantID      string `json:"tenant_id,omitempty"`     // a simulated tenant's own tenant
	TenantDomain  string `json:"tenant_domain,omitempty"` // a simulated tenant's initial domain
	ClientID      string `json:"client_id,omitempty"`     // a simulated tenant's admin app
	ClientSecret  string `json:"client_secret,omitempty"` // sim-only credential; never printed
}

// The well-known clouds. Endpoints: Microsoft Graph national cloud deployments and the Exchange
// Online PowerShell environments (O365USGovGCCHigh, O365USGovDoD, O365China).
var (
	// Public is the global Microsoft cloud.
	Public = Cloud{
		Name:          "public",
		AuthorityHost: "https://login.microsoftonline.com/",
		ExchangeURL:   "https://outlook.office365.com",
		ExchangeScope: "https://outlook.office365.com/.default",
		GraphURL:      "https://graph.microsoft.com",
		GraphScope:    "https://graph.microsoft.com/.default",
	}
	// USGov is Microsoft 365 GCC High.
	USGov = Cloud{
		Name:          "usgov",
		AuthorityHost: "https://login.microsoftonline.us/",
		ExchangeURL:   "https://outlook.office365.us",
		ExchangeScope: "https://outlook.office365.us/.default",
		GraphURL:      "https://graph.microsoft.us",
		GraphScope:    "https://graph.microsoft.us/.default",
	}
	// USGovDoD is Microsoft 365 DoD.
	USGovDoD = Cloud{
		Name:          "usgov-dod",
		AuthorityHost: "https://login.microsoftonline.us/",
		ExchangeURL:   "https://outlook-dod.office365.us",
		ExchangeScope: "https://outlook-dod.office365.us/.default",
		GraphURL:      "https://dod-graph.microsoft.us",
		GraphScope:    "https://dod-graph.microsoft.us/.default",
	}
	// China is Microsoft 365 operated by 21Vianet.
	China = Cloud{
		Name:          "china",
		AuthorityHost: "https://login.chinacloudapi.cn/",
		ExchangeURL:   "https://partner.outlook.cn",
		ExchangeScope: "https://partner.outlook.cn/.default",
		GraphURL:      "https://microsoftgraph.chinacloudapi.cn",
		GraphScope:    "https://microsoftgraph.chinacloudapi.cn/.default",
	}
)

// cloudNames maps every accepted (lower-case) name to its cloud.
var cloudNames = map[string]Cloud{
	"public":            Public,
	"azurecloud":        Public,
	"usgov":             USGov,
	"azureusgovernment": USGov,
	"gcchigh":           USGov,
	"usgov-dod":         USGovDoD,
	"dod":               USGovDoD,
	"china":             China,
	"azurechinacloud":   China,
}

// CloudNames lists the names LookupCloud accepts, for help texts.
func CloudNames() []string {
	return []string{"public", "usgov", "usgov-dod", "china"}
}

// LookupCloud returns the cloud with the given name ("public" when empty; also "AzureCloud",
// "usgov", "usgov-dod", "china", case-insensitively) or, for anything else, reads a JSON file
// of a Cloud (as `exoform sim serve` writes it, FILE.cloud.json).
func LookupCloud(nameOrFile string) (Cloud, error) {
	name := strings.TrimSpace(nameOrFile)
	if name == "" {
		return Public, nil
	}
	if c, ok := cloudNames[strings.ToLower(name)]; ok {
		return c, nil
	}
	if !looksLikePath(name) {
		if _, err := os.Stat(name); err != nil {
			return Cloud{}, fmt.Errorf("unknown cloud %q: use one of %s, or the path of a cloud JSON file (FILE.cloud.json)",
				name, strings.Join(CloudNames(), ", "))
		}
	}
	return loadCloudFile(name)
}

func looksLikePath(s string) bool {
	return strings.ContainsAny(s, `/\`) || strings.HasSuffix(strings.ToLower(s), ".json")
}

func loadCloudFile(path string) (Cloud, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return Cloud{}, fmt.Errorf("cloud file %s does not exist (known clouds: %s)", path, strings.Join(CloudNames(), ", "))
		}
		return Cloud{}, fmt.Errorf("cloud file %s: %w", path, err)
	}
	var c Cloud
	if err := json.Unmarshal(data, &c); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return Cloud{}, fmt.Errorf("cloud file %s: not valid JSON at byte %d: %v", path, se.Offset, se)
		case errors.As(err, &te):
			return Cloud{}, fmt.Errorf("cloud file %s: field %q must be a %s, not a JSON %s", path, te.Field, te.Type, te.Value)
		default:
			// Never echo file content: the file may hold a client secret.
			return Cloud{}, fmt.Errorf("cloud file %s: not a JSON object of cloud endpoints", path)
		}
	}
	if c.Name == "" {
		c.Name = path
	}
	if err := c.normalize(); err != nil {
		return Cloud{}, fmt.Errorf("cloud file %s: %w", path, err)
	}
	return c, nil
}

// normalize fills derived defaults and checks that every endpoint is usable.
func (c *Cloud) normalize() error {
	var problems []string
	check := func(field, v string) string {
		if v == "" {
			problems = append(problems, fmt.Sprintf("%s is missing", field))
			return v
		}
		u, err := url.Parse(v)
		if err != nil || u.Host == "" {
			problems = append(problems, fmt.Sprintf("%s %q is not an absolute URL", field, v))
			return v
		}
		if u.Scheme != "https" {
			problems = append(problems, fmt.Sprintf("%s %q must use https", field, v))
		}
		return v
	}
	c.AuthorityHost = check("authority_host", c.AuthorityHost)
	if c.AuthorityHost != "" && !strings.HasSuffix(c.AuthorityHost, "/") {
		c.AuthorityHost += "/"
	}
	c.ExchangeURL = strings.TrimRight(check("exchange_url", c.ExchangeURL), "/")
	c.GraphURL = strings.TrimRight(check("graph_url", c.GraphURL), "/")
	if c.ExchangeScope == "" && c.ExchangeURL != "" {
		c.ExchangeScope = c.ExchangeURL + "/.default"
	}
	if c.GraphScope == "" && c.GraphURL != "" {
		c.GraphScope = c.GraphURL + "/.default"
	}
	if c.CACertPEM != "" {
		if _, err := c.certPool(); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if (c.ClientID == "") != (c.ClientSecret == "") {
		problems = append(problems, "client_id and client_secret must be given together")
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// Simulated reports whether the cloud is a simulated tenant (it carries its own CA).
func (c Cloud) Simulated() bool { return c.CACertPEM != "" }

// String describes the cloud without any secret.
func (c Cloud) String() string {
	return fmt.Sprintf("%s (authority %s, exchange %s, graph %s)", c.Name, c.AuthorityHost, c.ExchangeURL, c.GraphURL)
}

// GoString keeps %#v from printing the client secret.
func (c Cloud) GoString() string {
	cp := c
	if cp.ClientSecret != "" {
		cp.ClientSecret = "[redacted]"
	}
	type plain Cloud
	return fmt.Sprintf("azure.Cloud%+v", plain(cp))
}

func (c Cloud) certPool() (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM([]byte(c.CACertPEM)) {
		return nil, errors.New("ca_cert_pem holds no PEM certificate")
	}
	return pool, nil
}

// Transport timeouts. The Exchange REST cmdlets may run for up to 15 minutes before they answer,
// so there is no overall request timeout, only limits on each phase that should be quick.
const (
	dialTimeout           = 30 * time.Second
	tlsHandshakeTimeout   = 20 * time.Second
	responseHeaderTimeout = 16 * time.Minute
	idleConnTimeout       = 90 * time.Second
)

// HTTPClient returns an HTTP client for this cloud: system roots plus CACertPEM when set, and
// per-phase timeouts (dial, TLS handshake, response headers) instead of an overall timeout.
func (c Cloud) HTTPClient() (*http.Client, error) {
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.CACertPEM != "" {
		pool, err := c.certPool()
		if err != nil {
			return nil, fmt.Errorf("cloud %s: %w", c.Name, err)
		}
		tlsConf.RootCAs = pool
	}
	dialer := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       tlsConf,
		TLSHandshakeTimeout:   tlsHandshakeTimeout,
		ResponseHeaderTimeout: responseHeaderTimeout,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       idleConnTimeout,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   16,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{Transport: tr}, nil
}

// knownAuthorityHosts are the hosts MSAL trusts without instance discovery.
var knownAuthorityHosts = map[string]bool{
	"login.microsoftonline.com":        true,
	"login.microsoft.com":              true,
	"login.windows.net":                true,
	"sts.windows.net":                  true,
	"login.microsoftonline.us":         true,
	"login.usgovcloudapi.net":          true,
	"login.chinacloudapi.cn":           true,
	"login.partner.microsoftonline.cn": true,
}

// knownAuthority reports whether the authority host is one of Microsoft's public hosts.
func (c Cloud) knownAuthority() bool {
	u, err := url.Parse(c.AuthorityHost)
	if err != nil {
		return false
	}
	return knownAuthorityHosts[strings.ToLower(u.Hostname())]
}
