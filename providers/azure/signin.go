package azure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/exoform/exoform/providers/httplog"
	"github.com/exoform/exoform/schema"
)

// SignInError is a failed sign-in, explained: which credential was tried, the first line of
// what Entra ID (or azidentity) said, and what to check. It never holds a secret value.
type SignInError struct {
	// Credential describes the credential tried, as NewCredential describes it.
	Credential string
	// Code is Entra's AADSTS error code, 0 when the sign-in never reached Entra (no
	// credentials, a failing Azure CLI, ...).
	Code int
	// Cause is the first line of the cause: Entra's error description without its trace
	// details, or azidentity's first line.
	Cause string
	// Advice says what to check or do, in one or more sentences.
	Advice string

	err error // azidentity's error, for errors.As; its text is never printed
}

func (e *SignInError) Error() string {
	var b strings.Builder
	b.WriteString("cannot sign in")
	if e.Credential != "" {
		b.WriteString(" with the ")
		b.WriteString(e.Credential)
	}
	b.WriteString(": ")
	b.WriteString(e.Cause)
	if e.Advice != "" {
		b.WriteString("\n")
		b.WriteString(e.Advice)
	}
	return b.String()
}

// Unwrap returns azidentity's error (for errors.As with *azidentity.AuthenticationFailedError).
func (e *SignInError) Unwrap() error { return e.err }

// signIn is what a failed sign-in is explained from: where the credential's parts came from,
// never their values (secret is only used to redact it and to test its shape).
type signIn struct {
	method, tenant, cloud string
	desc                  string
	// clientIDFrom and secretFrom name the setting the client id and secret came from, e.g.
	// AZURE_CLIENT_ID or "the cloud file's client_id".
	clientIDFrom, secretFrom string
	secret                   string
	// clientIDAlone: AZURE_CLIENT_ID is set with no secret, certificate or token file.
	clientIDAlone bool
}

// explaining is a credential whose failures are SignInErrors.
type explaining struct {
	cred azcore.TokenCredential
	si   signIn
}

// GetToken implements azcore.TokenCredential.
func (c *explaining) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	tok, err := c.cred.GetToken(ctx, opts)
	if err != nil {
		if ctx.Err() != nil {
			return tok, ctx.Err()
		}
		return tok, c.si.explain(err, opts.Scopes)
	}
	return tok, nil
}

// aadstsRE finds an Entra error in azidentity's text when the response body is not at hand.
var aadstsRE = regexp.MustCompile(`AADSTS(\d+): ([^\n"]*?)(?:\s*Trace ID:|\\r|\\n|"|\n|$)`)

// explain turns azidentity's error into a SignInError.
func (si signIn) explain(err error, scopes []string) *SignInError {
	e := &SignInError{Credential: si.desc, err: err}
	code, desc := entraError(err)
	if code == 0 {
		e.Cause = redact(firstLine(err.Error()), si.secret)
		e.Advice = si.noCredential(err)
		return e
	}
	e.Code = code
	e.Cause = redact(fmt.Sprintf("AADSTS%d: %s", code, desc), si.secret)
	e.Advice = si.advice(code, scopes)
	return e
}

// entraError returns the AADSTS code and description of an error answer from the authority,
// read from the response body (error_codes, error_description) or else from the error text.
func entraError(err error) (int, string) {
	var af *azidentity.AuthenticationFailedError
	if errors.As(err, &af) && af.RawResponse != nil {
		if body, rerr := runtime.Payload(af.RawResponse); rerr == nil {
			var eb struct {
				Description string `json:"error_description"`
				Codes       []int  `json:"error_codes"`
			}
			if json.Unmarshal(body, &eb) == nil && len(eb.Codes) > 0 {
				desc := eb.Description
				if _, rest, ok := strings.Cut(desc, ": "); ok && strings.HasPrefix(desc, "AADSTS") {
					desc = rest
				}
				return eb.Codes[0], trimTrace(desc)
			}
		}
	}
	if m := aadstsRE.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n, trimTrace(m[2])
	}
	return 0, ""
}

// trimTrace drops Entra's " Trace ID: … Correlation ID: … Timestamp: …" tail.
func trimTrace(s string) string {
	if i := strings.Index(s, " Trace ID:"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(firstLine(s))
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(s)
}

// redact removes the secret, and anything shaped like a token, from a message shown to the user.
func redact(s, secret string) string {
	return httplog.NewRedactor(secret).Text(s)
}

// signInWays lists every way exoform can sign in, for a sign-in that found no credential.
const signInWays = `Sign in one of these ways, then run the command again:
  - client secret:     AZURE_CLIENT_ID and AZURE_CLIENT_SECRET
  - certificate:       AZURE_CLIENT_ID and AZURE_CLIENT_CERTIFICATE_PATH (and AZURE_CLIENT_CERTIFICATE_PASSWORD if it is encrypted)
  - workload identity: AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE (GitHub Actions OIDC, Kubernetes)
  - Azure CLI:         az login --tenant TENANT --allow-no-subscriptions
The app needs the Exchange.ManageAsApp permission and the Exchange Administrator role; examples/bootstrap creates one. Without a tenant, try exoform with --sim.`

// noCredential explains a sign-in that never got an answer from Entra: no credential was
// configured (DefaultAzureCredential's chain found none), or the one configured could not be used.
func (si signIn) noCredential(err error) string {
	// The chain's text has one line per credential tried: "\tEnvironmentCredential: …" or
	// "\tManagedIdentityCredential authentication failed. …".
	var tried []string
	for _, line := range strings.Split(err.Error(), "\n") {
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		name = strings.TrimSuffix(name, ":")
		if strings.HasSuffix(name, "Credential") && name != "DefaultAzureCredential" && !slices.Contains(tried, name) {
			tried = append(tried, name)
		}
	}
	var b strings.Builder
	switch si.method {
	case MethodDefault:
		b.WriteString("No credential for exoform was found")
		if len(tried) > 0 {
			b.WriteString(" (Azure's default chain tried " + strings.Join(tried, ", ") + ")")
		}
		b.WriteString(".")
		if si.clientIDAlone {
			b.WriteString(" AZURE_CLIENT_ID is set, but none of AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE goes with it.")
		}
	case MethodAzureCLI:
		b.WriteString("The Azure CLI gave no token: install it, run az login, and check that it signs in to the tenant.")
	case MethodWorkloadIdentity:
		b.WriteString("The federated token file (AZURE_FEDERATED_TOKEN_FILE) could not be used: check that it exists and holds a current token.")
	default:
		b.WriteString("The sign-in did not reach Microsoft Entra ID: check the network connection and the cloud (--cloud).")
	}
	b.WriteString("\n")
	b.WriteString(signInWays)
	return b.String()
}

// advice says what to check for an Entra error code. Codes and meanings: Microsoft Entra
// authentication and authorization error codes (learn.microsoft.com/entra/identity-platform/reference-error-codes).
func (si signIn) advice(code int, scopes []string) string {
	tenant := si.tenant
	if tenant == "" {
		tenant = "the tenant"
	}
	switch code {
	case 90002, 900023, 90022:
		return fmt.Sprintf("Tenant %s was not found in the %s cloud. Check the tenant block's id (or AZURE_TENANT_ID): use the tenant's GUID (Entra ID > Overview > Tenant ID) or its initial domain (NAME.onmicrosoft.com); for a national cloud, add --cloud usgov, usgov-dod or china.",
			tenant, cloudLabel(si.cloud))
	case 700016, 7000215:
		if strings.HasPrefix(si.secretFrom, "the cloud file") {
			return "The cloud file's client_id and client_secret are not those of the simulated tenant's app: use the cloud file that exoform sim serve wrote for this tenant, or run exoform sim serve again."
		}
	}
	switch code {
	case 700016:
		return fmt.Sprintf("The app in %s is not registered in %s. Check it: it is the Application (client) ID on the app registration's Overview page, not its Object ID or Secret ID, and the app must belong to this tenant (check the tenant id too); an app of another tenant needs admin consent here first.",
			si.clientIDFrom, tenant)
	case 7000215:
		s := fmt.Sprintf("The client secret is wrong: %s must be the secret's Value (shown once, when the secret is created), not its Secret ID. If the value is lost, create a new secret under Certificates & secrets.", si.secretFrom)
		if schema.IsGUID(strings.TrimSpace(si.secret)) {
			s += fmt.Sprintf(" %s looks like a Secret ID (a GUID).", si.secretFrom)
		}
		return s
	case 7000222:
		return fmt.Sprintf("The client secret in %s has expired. Create a new one under Certificates & secrets and set it; an entra_application_password with rotate_before replaces secrets before they expire.", si.secretFrom)
	case 7000218:
		return "No client secret or certificate was sent: set AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH."
	case 700027, 700024, 700023:
		return "The certificate was refused: check that AZURE_CLIENT_CERTIFICATE_PATH holds the private key of a certificate uploaded to the app (Certificates & secrets) and that the certificate has not expired."
	case 70021, 700211, 700213, 700212:
		return "No federated credential of the app matches the token in AZURE_FEDERATED_TOKEN_FILE: check the app's federated credential (issuer, subject such as repo:OWNER/REPO:environment:production, audience api://AzureADTokenExchange), as examples/bootstrap declares it."
	case 500011:
		what := "the resource"
		if len(scopes) > 0 {
			what = strings.TrimSuffix(scopes[0], "/.default")
		}
		return fmt.Sprintf("Tenant %s has no service principal for %s: the service is not set up in this tenant (for Exchange Online, the tenant needs an Exchange Online licence), or the tenant is not the one meant.", tenant, what)
	case 7000112:
		return "The app is disabled in this tenant: enable its service principal (Enterprise applications > Properties > Enabled for users to sign in)."
	case 53003:
		return "A Conditional Access policy blocked the sign-in: exclude this app (a workload identity) or its network location from the policy."
	}
	return fmt.Sprintf("Check the tenant (%s), the app's client id (%s) and its credential.", tenant, si.clientIDFrom)
}

func cloudLabel(name string) string {
	if name == "" {
		return Public.Name
	}
	return name
}
