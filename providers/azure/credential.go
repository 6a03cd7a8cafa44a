package azure

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/exoform/exoform/providers/httplog"
)

// Credential methods accepted by CredentialOptions.Method.
const (
	MethodAuto             = "auto"
	MethodSecret           = "secret"
	MethodCertificate      = "certificate"
	MethodWorkloadIdentity = "workload-identity"
	MethodAzureCLI         = "azure-cli"
	MethodDefault          = "default"
)

// Methods lists the accepted credential methods, for help texts.
func Methods() []string {
	return []string{MethodAuto, MethodSecret, MethodCertificate, MethodWorkloadIdentity, MethodAzureCLI, MethodDefault}
}

// Environment variables read by NewCredential (the same names azidentity uses).
const (
	EnvTenantID            = "AZURE_TENANT_ID"
	EnvClientID            = "AZURE_CLIENT_ID"
	EnvClientSecret        = "AZURE_CLIENT_SECRET"
	EnvCertificatePath     = "AZURE_CLIENT_CERTIFICATE_PATH"
	EnvCertificatePassword = "AZURE_CLIENT_CERTIFICATE_PASSWORD"
	EnvFederatedTokenFile  = "AZURE_FEDERATED_TOKEN_FILE"
)

// CredentialOptions says how to authenticate.
type CredentialOptions struct {
	Cloud      Cloud
	TenantID   string              // GUID or domain; defaults to Cloud.TenantID, then AZURE_TENANT_ID
	Method     string              // "" / "auto", "secret", "certificate", "workload-identity", "azure-cli", "default"
	HTTPClient *http.Client        // defaults to Cloud.HTTPClient()
	Getenv     func(string) string // defaults to os.Getenv
	// ReadFile reads the certificate file; defaults to os.ReadFile.
	ReadFile func(string) ([]byte, error)
}

var tenantRE = regexp.MustCompile(`^[0-9a-zA-Z.-]+$`)

// NewCredential builds the credential the options ask for and a one-line description of it that
// is safe to print (it never contains a secret).
//
// With Method "auto" (or ""): a simulated tenant's own admin app when the cloud carries one and
// AZURE_CLIENT_ID is unset; else a client secret when AZURE_CLIENT_SECRET is set; else a client
// certificate when AZURE_CLIENT_CERTIFICATE_PATH is set; else workload identity when
// AZURE_FEDERATED_TOKEN_FILE is set; else DefaultAzureCredential.
//
// The credential explains a failed sign-in (see SignInError): no credentials, a tenant or app
// that does not exist, a wrong or expired secret, each with what to check.
func NewCredential(opts CredentialOptions) (azcore.TokenCredential, string, error) {
	var si signIn
	cred, desc, err := newCredential(opts, &si)
	if err != nil {
		return nil, "", err
	}
	si.desc = desc
	return &explaining{cred: cred, si: si}, desc, nil
}

// newCredential builds the credential; si receives where its parts came from, for explaining
// a failed sign-in.
func newCredential(opts CredentialOptions, si *signIn) (azcore.TokenCredential, string, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	env := func(k string) string { return strings.TrimSpace(getenv(k)) }
	readFile := opts.ReadFile
	if readFile == nil {
		readFile = os.ReadFile
	}
	c := opts.Cloud
	if c.AuthorityHost == "" {
		c = Public
	}
	if !strings.HasPrefix(strings.ToLower(c.AuthorityHost), "https://") {
		return nil, "", fmt.Errorf("cloud %s: the authority host %q must use https", c.Name, c.AuthorityHost)
	}
	hc := opts.HTTPClient
	if hc == nil {
		var err error
		if hc, err = c.HTTPClient(); err != nil {
			return nil, "", err
		}
	}
	clientOpts := azcore.ClientOptions{
		Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: c.AuthorityHost},
		Transport: hc,
	}
	disableDiscovery := c.CACertPEM != "" || !c.knownAuthority()

	tenant := strings.TrimSpace(opts.TenantID)
	if tenant == "" {
		tenant = c.TenantID
	}
	if tenant == "" {
		tenant = env(EnvTenantID)
	}
	if tenant != "" && !tenantRE.MatchString(tenant) {
		return nil, "", fmt.Errorf("tenant %q is not a tenant GUID or domain", tenant)
	}
	needTenant := func(method string) error {
		if tenant == "" {
			return fmt.Errorf("credential %s: no tenant: set the tenant in the configuration or the %s environment variable", method, EnvTenantID)
		}
		return nil
	}

	method := strings.ToLower(strings.TrimSpace(opts.Method))
	simApp := c.ClientID != "" && c.ClientSecret != ""
	if method == "" || method == MethodAuto {
		switch {
		case simApp && env(EnvClientID) == "":
			method = "sim"
		case env(EnvClientSecret) != "":
			method = MethodSecret
		case env(EnvCertificatePath) != "":
			method = MethodCertificate
		case env(EnvFederatedTokenFile) != "":
			method = MethodWorkloadIdentity
		default:
			method = MethodDefault
		}
	}

	*si = signIn{method: method, tenant: tenant, cloud: c.Name, clientIDFrom: EnvClientID, secretFrom: EnvClientSecret,
		clientIDAlone: env(EnvClientID) != "" && env(EnvClientSecret) == "" && env(EnvCertificatePath) == "" && env(EnvFederatedTokenFile) == ""}
	switch method {
	case "sim":
		si.clientIDFrom, si.secretFrom, si.secret = "the cloud file's client_id", "the cloud file's client_secret", c.ClientSecret
		if err := needTenant("of the simulated tenant"); err != nil {
			return nil, "", err
		}
		cred, err := azidentity.NewClientSecretCredential(tenant, c.ClientID, c.ClientSecret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: clientOpts, DisableInstanceDiscovery: disableDiscovery})
		if err != nil {
			return nil, "", redactErr("client secret credential", err, c.ClientSecret)
		}
		return cred, fmt.Sprintf("client secret for the simulated tenant's app %s in tenant %s", shortID(c.ClientID), tenant), nil

	case MethodSecret:
		clientID, secret := env(EnvClientID), getenv(EnvClientSecret)
		desc := "client secret"
		if clientID == "" && secret == "" && simApp {
			clientID, secret, desc = c.ClientID, c.ClientSecret, "client secret of the simulated tenant's app"
			si.clientIDFrom, si.secretFrom = "the cloud file's client_id", "the cloud file's client_secret"
		}
		si.secret = secret
		if missing := missingVars(map[string]string{EnvClientID: clientID, EnvClientSecret: secret}); len(missing) > 0 {
			return nil, "", fmt.Errorf("credential secret: set the environment variable(s) %s (and %s or the configured tenant)",
				strings.Join(missing, ", "), EnvTenantID)
		}
		if err := needTenant(method); err != nil {
			return nil, "", err
		}
		cred, err := azidentity.NewClientSecretCredential(tenant, clientID, secret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: clientOpts, DisableInstanceDiscovery: disableDiscovery})
		if err != nil {
			return nil, "", redactErr("client secret credential", err, secret)
		}
		return cred, fmt.Sprintf("%s for app %s in tenant %s", desc, shortID(clientID), tenant), nil

	case MethodCertificate:
		clientID, path, password := env(EnvClientID), env(EnvCertificatePath), getenv(EnvCertificatePassword)
		si.secret = password
		if missing := missingVars(map[string]string{EnvClientID: clientID, EnvCertificatePath: path}); len(missing) > 0 {
			return nil, "", fmt.Errorf("credential certificate: set the environment variable(s) %s (a PEM or PKCS#12 file with the private key; %s if it is encrypted)",
				strings.Join(missing, ", "), EnvCertificatePassword)
		}
		if err := needTenant(method); err != nil {
			return nil, "", err
		}
		data, err := readFile(path)
		if err != nil {
			return nil, "", fmt.Errorf("credential certificate: reading %s (%s): %w", path, EnvCertificatePath, unwrapPathErr(err))
		}
		certs, key, err := azidentity.ParseCertificates(data, []byte(password))
		if err != nil {
			hint := ""
			if password == "" {
				hint = fmt.Sprintf(" (if the file is encrypted, set %s)", EnvCertificatePassword)
			}
			return nil, "", fmt.Errorf("credential certificate: %s (%s) holds no usable certificate and private key%s: %w",
				path, EnvCertificatePath, hint, redactErr("", err, password))
		}
		cred, err := azidentity.NewClientCertificateCredential(tenant, clientID, certs, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: clientOpts, DisableInstanceDiscovery: disableDiscovery})
		if err != nil {
			return nil, "", redactErr("client certificate credential", err, password)
		}
		return cred, fmt.Sprintf("client certificate %s for app %s in tenant %s", path, shortID(clientID), tenant), nil

	case MethodWorkloadIdentity:
		clientID, file := env(EnvClientID), env(EnvFederatedTokenFile)
		if missing := missingVars(map[string]string{EnvClientID: clientID, EnvFederatedTokenFile: file}); len(missing) > 0 {
			return nil, "", fmt.Errorf("credential workload-identity: set the environment variable(s) %s (the federated token file, e.g. a GitHub Actions OIDC token written to disk)",
				strings.Join(missing, ", "))
		}
		if err := needTenant(method); err != nil {
			return nil, "", err
		}
		cred, err := azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
			ClientOptions:            clientOpts,
			ClientID:                 clientID,
			TenantID:                 tenant,
			TokenFilePath:            file,
			DisableInstanceDiscovery: disableDiscovery,
		})
		if err != nil {
			return nil, "", redactErr("workload identity credential", err)
		}
		return cred, fmt.Sprintf("workload identity (federated token file %s) for app %s in tenant %s", file, shortID(clientID), tenant), nil

	case MethodAzureCLI:
		cred, err := azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: tenant})
		if err != nil {
			return nil, "", redactErr("Azure CLI credential", err)
		}
		desc := "Azure CLI sign-in (az login)"
		if tenant != "" {
			desc += " for tenant " + tenant
		}
		return cred, desc, nil

	case MethodDefault:
		cred, err := azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{
			ClientOptions:            clientOpts,
			TenantID:                 tenant,
			DisableInstanceDiscovery: disableDiscovery,
		})
		if err != nil {
			return nil, "", redactErr("default Azure credential", err, getenv(EnvClientSecret), getenv(EnvCertificatePassword))
		}
		si.secret = getenv(EnvClientSecret)
		desc := "default Azure credential chain (environment, workload identity, managed identity, Azure CLI, ...)"
		if tenant != "" {
			desc += " for tenant " + tenant
		}
		return cred, desc, nil
	}
	return nil, "", fmt.Errorf("unknown credential method %q: use one of %s", opts.Method, strings.Join(Methods(), ", "))
}

// SecretValues returns the secret values the options give a credential (the client secret,
// the certificate's password, a simulated tenant's app secret), so that a trace or a message
// can replace them wherever they appear. It reads the environment as NewCredential does.
func SecretValues(opts CredentialOptions) []string {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	var out []string
	for _, v := range []string{getenv(EnvClientSecret), getenv(EnvCertificatePassword), opts.Cloud.ClientSecret} {
		if strings.TrimSpace(v) != "" {
			out = append(out, v)
		}
	}
	return out
}

// missingVars returns, in a stable order, the names whose values are empty.
func missingVars(vals map[string]string) []string {
	var out []string
	for _, k := range []string{EnvClientID, EnvClientSecret, EnvCertificatePath, EnvFederatedTokenFile} {
		if v, ok := vals[k]; ok && v == "" {
			out = append(out, k)
		}
	}
	return out
}

// shortID abbreviates an app id for descriptions: "1234abcd…".
func shortID(id string) string {
	if len(id) > 8 {
		return id[:8] + "…"
	}
	return id
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// redactErr returns err with every secret value, and anything that looks like a token,
// replaced, prefixed by what failed.
func redactErr(what string, err error, secrets ...string) error {
	msg := httplog.NewRedactor(secrets...).Text(err.Error())
	if what != "" {
		msg = what + ": " + msg
	}
	return errors.New(msg)
}
