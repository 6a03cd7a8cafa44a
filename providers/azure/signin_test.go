package azure

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// authority is a TLS stand-in for the Entra authority that knows one tenant and answers every
// token request with the Entra error given (status, error, AADSTS code, description), the way
// Entra's token endpoint shapes them.
func authority(t *testing.T, status int, errName string, code int, desc string) Cloud {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fail := func(status int, e string, code int, desc string) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(map[string]any{
				"error":             e,
				"error_description": fmt.Sprintf("AADSTS%d: %s Trace ID: 0000 Correlation ID: 1111 Timestamp: 2026-11-23 09:00:00Z", code, desc),
				"error_codes":       []int{code},
			})
		}
		seg, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if seg != testTenant {
			fail(http.StatusBadRequest, "invalid_tenant", 90002, fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID.", seg))
			return
		}
		base := "https://" + r.Host + "/" + testTenant
		switch rest {
		case "v2.0/.well-known/openid-configuration":
			fmt.Fprintf(w, `{"issuer":%q,"authorization_endpoint":%q,"token_endpoint":%q}`,
				base+"/v2.0", base+"/oauth2/v2.0/authorize", base+"/oauth2/v2.0/token")
		case "oauth2/v2.0/token":
			_ = r.ParseForm()
			// Entra never echoes a secret; this one does, so the test can see it redacted.
			fail(status, errName, code, strings.ReplaceAll(desc, "SECRET", r.PostForm.Get("client_secret")))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return Cloud{
		Name: "test", AuthorityHost: srv.URL + "/", ExchangeURL: srv.URL, GraphURL: srv.URL,
		CACertPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})),
	}
}

func signInFailure(t *testing.T, opts CredentialOptions) *SignInError {
	t.Helper()
	cred, _, err := NewCredential(opts)
	if err != nil {
		t.Fatalf("NewCredential: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
	var se *SignInError
	if !errors.As(err, &se) {
		t.Fatalf("GetToken error %T %v, want a *SignInError", err, err)
	}
	return se
}

func TestSignInErrorFromEntra(t *testing.T) {
	secretID := "0c8f2a51-7e1b-4d0a-9f3e-2b6c5d4e3f21"
	tests := []struct {
		name   string
		status int
		err    string
		code   int
		desc   string
		tenant string
		secret string
		want   SignInError // Credential, Code and Cause
		advice []string
	}{
		{
			name: "tenant not found", tenant: "fabrikam.onmicrosoft.com", secret: testSecret,
			want: SignInError{Code: 90002, Credential: "client secret for app aaaaaaaa… in tenant fabrikam.onmicrosoft.com",
				Cause: "AADSTS90002: Tenant 'fabrikam.onmicrosoft.com' not found. Check to make sure you have the correct tenant ID."},
			advice: []string{"Tenant fabrikam.onmicrosoft.com was not found in the test cloud", "tenant block", "AZURE_TENANT_ID", "--cloud"},
		},
		{
			name: "app not found", status: 400, err: "unauthorized_client", code: 700016, secret: testSecret,
			desc: "Application with identifier 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' was not found in the directory 'Contoso'.",
			want: SignInError{Code: 700016, Credential: "client secret for app aaaaaaaa… in tenant " + testTenant,
				Cause: "AADSTS700016: Application with identifier 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' was not found in the directory 'Contoso'."},
			advice: []string{"The app in AZURE_CLIENT_ID is not registered in " + testTenant, "Application (client) ID"},
		},
		{
			name: "secret id instead of value", status: 401, err: "invalid_client", code: 7000215, secret: secretID,
			desc: "Invalid client secret provided (SECRET). Ensure the secret being sent in the request is the client secret value, not the client secret ID.",
			want: SignInError{Code: 7000215, Credential: "client secret for app aaaaaaaa… in tenant " + testTenant,
				Cause: "AADSTS7000215: Invalid client secret provided ([redacted]). Ensure the secret being sent in the request is the client secret value, not the client secret ID."},
			advice: []string{"AZURE_CLIENT_SECRET must be the secret's Value", "not its Secret ID", "looks like a Secret ID (a GUID)"},
		},
		{
			name: "expired secret", status: 401, err: "invalid_client", code: 7000222, secret: testSecret,
			desc: "The provided client secret keys for app 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' are expired.",
			want: SignInError{Code: 7000222, Credential: "client secret for app aaaaaaaa… in tenant " + testTenant,
				Cause: "AADSTS7000222: The provided client secret keys for app 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' are expired."},
			advice: []string{"has expired", "rotate_before"},
		},
		{
			name: "unlisted code", status: 400, err: "invalid_request", code: 9999999, secret: testSecret, desc: "Something new.",
			want:   SignInError{Code: 9999999, Credential: "client secret for app aaaaaaaa… in tenant " + testTenant, Cause: "AADSTS9999999: Something new."},
			advice: []string{"Check the tenant (" + testTenant + "), the app's client id (AZURE_CLIENT_ID)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := authority(t, tt.status, tt.err, tt.code, tt.desc)
			tenant := tt.tenant
			if tenant == "" {
				tenant = testTenant
			}
			se := signInFailure(t, CredentialOptions{Cloud: c, TenantID: tenant,
				Getenv: envOf(map[string]string{EnvClientID: testApp, EnvClientSecret: tt.secret})})
			got := SignInError{Code: se.Code, Credential: se.Credential, Cause: se.Cause}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(SignInError{})); diff != "" {
				t.Errorf("SignInError mismatch (-want +got):\n%s", diff)
			}
			for _, s := range tt.advice {
				if !strings.Contains(se.Advice, s) {
					t.Errorf("advice %q does not contain %q", se.Advice, s)
				}
			}
			msg := se.Error()
			if strings.Contains(msg, tt.secret) {
				t.Errorf("message leaks the secret: %s", msg)
			}
			if strings.Contains(msg, "Trace ID") || strings.Contains(msg, "RESPONSE") {
				t.Errorf("message carries azidentity's dump: %s", msg)
			}
		})
	}
}

// TestSignInErrorCloudFile: a simulated tenant's credentials come from its cloud file, and the
// advice says so instead of sending the user to the portal.
func TestSignInErrorCloudFile(t *testing.T) {
	c := authority(t, 401, "invalid_client", 7000215, "Invalid client secret provided.")
	c.TenantID, c.ClientID, c.ClientSecret = testTenant, testApp, testSecret
	se := signInFailure(t, CredentialOptions{Cloud: c, Getenv: envOf(nil)})
	want := SignInError{Code: 7000215, Credential: "client secret for the simulated tenant's app aaaaaaaa… in tenant " + testTenant,
		Cause:  "AADSTS7000215: Invalid client secret provided.",
		Advice: "The cloud file's client_id and client_secret are not those of the simulated tenant's app: use the cloud file that exoform sim serve wrote for this tenant, or run exoform sim serve again."}
	if diff := cmp.Diff(want, *se, cmpopts.IgnoreUnexported(SignInError{})); diff != "" {
		t.Errorf("SignInError mismatch (-want +got):\n%s", diff)
	}
}

// TestSignInErrorNoCredential: with nothing configured, Azure's default chain fails without
// reaching Entra; the message lists the ways to sign in instead of the chain's pages.
func TestSignInErrorNoCredential(t *testing.T) {
	for _, k := range []string{EnvTenantID, EnvClientSecret, EnvCertificatePath, EnvFederatedTokenFile, "AZURE_USERNAME"} {
		t.Setenv(k, "")
	}
	// Only the environment credential, so that the test never depends on a managed identity
	// endpoint or an installed Azure CLI.
	t.Setenv("AZURE_TOKEN_CREDENTIALS", "EnvironmentCredential")
	tests := []struct {
		name     string
		clientID string
		want     []string
		notWant  []string
	}{
		{"nothing set", "", []string{"No credential for exoform was found (Azure's default chain tried EnvironmentCredential).",
			"AZURE_CLIENT_ID and AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE", "az login", "--sim"},
			[]string{"AZURE_CLIENT_ID is set"}},
		{"client id without a secret", testApp, []string{"AZURE_CLIENT_ID is set, but none of AZURE_CLIENT_SECRET"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvClientID, tt.clientID)
			se := signInFailure(t, CredentialOptions{Cloud: authority(t, 0, "", 0, ""), TenantID: testTenant,
				Getenv: envOf(map[string]string{EnvClientID: tt.clientID})})
			if se.Code != 0 {
				t.Errorf("Code = %d, want 0 (Entra was never reached)", se.Code)
			}
			msg := se.Error()
			for _, s := range tt.want {
				if !strings.Contains(msg, s) {
					t.Errorf("message does not contain %q:\n%s", s, msg)
				}
			}
			for _, s := range tt.notWant {
				if strings.Contains(msg, s) {
					t.Errorf("message contains %q:\n%s", s, msg)
				}
			}
			if n := strings.Count(msg, "\n"); n > 8 {
				t.Errorf("message has %d lines, want a short one:\n%s", n+1, msg)
			}
		})
	}
}

func TestSignInErrorKeepsCancellation(t *testing.T) {
	c := authority(t, 400, "invalid_request", 900144, "x")
	cred, _, err := NewCredential(CredentialOptions{Cloud: c, Getenv: envOf(map[string]string{
		EnvTenantID: testTenant, EnvClientID: testApp, EnvClientSecret: testSecret})})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("GetToken on a cancelled context = %v, want context.Canceled", err)
	}
}

// TestRedactSignInMessage: what Entra's answer is shown through loses the secret in any form
// and anything shaped like a token.
func TestRedactSignInMessage(t *testing.T) {
	const secret = "s3cr3t~Value.With+Plus"
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLWJ5dGVz"
	tests := []struct{ in, secret string }{
		{"AADSTS7000215: Invalid client secret provided: " + secret, secret},
		{"client_secret=" + url.QueryEscape(secret) + "&grant_type=client_credentials", secret},
		{"the assertion " + jwt + " is expired", ""},
		{"AADSTS700024: Client assertion is not within its valid time range. " + jwt, secret},
	}
	for _, tt := range tests {
		got := redact(tt.in, tt.secret)
		for _, bad := range []string{secret, url.QueryEscape(secret), jwt} {
			if strings.Contains(got, bad) {
				t.Errorf("redact(%q) = %q still holds %q", tt.in, got, bad)
			}
		}
		if !strings.Contains(got, "[redacted]") {
			t.Errorf("redact(%q) = %q: nothing marked as redacted", tt.in, got)
		}
	}
}
