package sim

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// credential builds the real azidentity credential the way exoform does
// against a sovereign cloud (wire-formats F1).
func credential(t *testing.T, c Cloud, tenant, secret string) azcore.TokenCredential {
	t.Helper()
	hc, err := c.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	cred, err := azidentity.NewClientSecretCredential(tenant, c.ClientID, secret, &azidentity.ClientSecretCredentialOptions{
		ClientOptions: azcore.ClientOptions{
			Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: c.AuthorityHost},
			Transport: hc,
			Retry:     policy.RetryOptions{MaxRetries: -1},
		},
		DisableInstanceDiscovery: true,
	})
	if err != nil {
		t.Fatalf("NewClientSecretCredential: %v", err)
	}
	return cred
}

func TestToken_Azidentity(t *testing.T) {
	s := startSim(t, Options{})
	c := s.Cloud()
	for name, tenant := range map[string]string{"guid": c.TenantID, "domain": c.TenantDomain, "domain upper case": strings.ToUpper(c.TenantDomain)} {
		t.Run(name, func(t *testing.T) {
			cred := credential(t, c, tenant, c.ClientSecret)
			tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{c.ExchangeScope}})
			if err != nil {
				t.Fatalf("GetToken(%s) = %v", tenant, err)
			}
			claims := decodeClaims(t, tok.Token)
			if claims.Aud != "https://outlook.office365.com" || claims.TID != c.TenantID || claims.AppID != c.ClientID ||
				!slices.Contains(claims.Roles, "Exchange.ManageAsApp") || !slices.Contains(claims.WIDs, "29232cdf-9323-42fd-ade2-1d097af3e4de") {
				t.Errorf("claims = %+v, want Exchange audience, tenant, app, role and Exchange Administrator", claims)
			}
			if d := claims.Exp - claims.Iat; d != 3600 {
				t.Errorf("token lifetime = %ds, want 3600", d)
			}
			// The real token must open the real API.
			cl := newClient(t, s)
			cl.bearer = tok.Token
			cl.mustInvoke("Get-InboundConnector", nil)
		})
	}
	t.Run("graph scope", func(t *testing.T) {
		tok, err := credential(t, c, c.TenantID, c.ClientSecret).GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{c.GraphScope}})
		if err != nil {
			t.Fatalf("GetToken(graph) = %v", err)
		}
		if aud := decodeClaims(t, tok.Token).Aud; aud != "https://graph.microsoft.com" {
			t.Errorf("aud = %q, want https://graph.microsoft.com", aud)
		}
	})
	t.Run("wrong secret", func(t *testing.T) {
		_, err := credential(t, c, c.TenantID, "not-the-secret").GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{c.ExchangeScope}})
		if err == nil || !strings.Contains(err.Error(), "AADSTS7000215") {
			t.Errorf("GetToken with a wrong secret = %v, want an AADSTS7000215 error", err)
		}
	})
}

func decodeClaims(t *testing.T, tok string) tokenClaims {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a JWT", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c tokenClaims
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestToken_Errors(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	good := func(mod func(url.Values)) url.Values {
		v := url.Values{
			"grant_type":    {"client_credentials"},
			"client_id":     {c.cloud.ClientID},
			"client_secret": {c.cloud.ClientSecret},
			"scope":         {"https://outlook.office365.com/.default"},
		}
		mod(v)
		return v
	}
	tests := []struct {
		name       string
		tenant     string
		form       url.Values
		wantStatus int
		wantError  string
		wantCode   int
	}{
		{"wrong secret", c.cloud.TenantID, good(func(v url.Values) { v.Set("client_secret", "x") }), 401, "invalid_client", 7000215},
		{"unknown client", c.cloud.TenantID, good(func(v url.Values) { v.Set("client_id", newGUID()) }), 400, "unauthorized_client", 700016},
		{"unknown tenant", "fabrikam.onmicrosoft.com", good(func(url.Values) {}), 400, "invalid_request", 90002},
		{"assertion", c.cloud.TenantID, good(func(v url.Values) {
			v.Del("client_secret")
			v.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
			v.Set("client_assertion", "eyJ.x.y")
		}), 400, "unsupported_grant_type", 70003},
		{"password grant", c.cloud.TenantID, good(func(v url.Values) { v.Set("grant_type", "password") }), 400, "unsupported_grant_type", 70003},
		{"scope without .default", c.cloud.TenantID, good(func(v url.Values) { v.Set("scope", "https://outlook.office365.com/Exchange.ManageAsApp") }), 400, "invalid_scope", 1002012},
		{"unknown resource", c.cloud.TenantID, good(func(v url.Values) { v.Set("scope", "https://example.com/.default") }), 400, "invalid_resource", 500011},
		{"two resources", c.cloud.TenantID, good(func(v url.Values) {
			v.Set("scope", "https://outlook.office365.com/.default https://graph.microsoft.com/.default")
		}), 400, "invalid_scope", 28000},
		{"no scope", c.cloud.TenantID, good(func(v url.Values) { v.Set("scope", "openid profile") }), 400, "invalid_request", 900144},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := c.tokenRequest(tt.tenant, tt.form)
			var e struct {
				Error         string `json:"error"`
				Description   string `json:"error_description"`
				Codes         []int  `json:"error_codes"`
				CorrelationID string `json:"correlation_id"`
			}
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("body %s: %v", body, err)
			}
			if status != tt.wantStatus || e.Error != tt.wantError || !slices.Equal(e.Codes, []int{tt.wantCode}) || e.CorrelationID == "" ||
				!strings.HasPrefix(e.Description, "AADSTS") {
				t.Errorf("token request = %d %s, want %d %s with code %d", status, body, tt.wantStatus, tt.wantError, tt.wantCode)
			}
		})
	}
}

func TestOpenIDConfiguration(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	for _, tenant := range []string{c.cloud.TenantID, strings.ToUpper(c.cloud.TenantID), c.cloud.TenantDomain} {
		resp, err := c.http.Get(c.cloud.AuthorityHost + tenant + "/v2.0/.well-known/openid-configuration")
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		json.NewDecoder(resp.Body).Decode(&doc)
		resp.Body.Close()
		want := map[string]string{
			"token_endpoint": c.cloud.AuthorityHost + tenant + "/oauth2/v2.0/token",
			"issuer":         c.cloud.AuthorityHost + c.cloud.TenantID + "/v2.0",
		}
		for k, v := range want {
			if doc[k] != v {
				t.Errorf("openid-configuration(%s)[%s] = %v, want %s", tenant, k, doc[k], v)
			}
		}
		if doc["authorization_endpoint"] == "" || doc["jwks_uri"] == "" {
			t.Errorf("openid-configuration(%s) lacks authorization_endpoint or jwks_uri: %v", tenant, doc)
		}
	}
	resp, err := c.http.Get(c.cloud.AuthorityHost + "nowhere.onmicrosoft.com/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
		Codes       []int  `json:"error_codes"`
	}
	json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || e.Error != "invalid_tenant" || !slices.Equal(e.Codes, []int{90002}) ||
		!strings.HasPrefix(e.Description, "AADSTS90002: Tenant 'nowhere.onmicrosoft.com' not found.") || !strings.Contains(e.Description, "\r\nTrace ID: ") {
		t.Errorf("openid-configuration for an unknown tenant: %d %+v, want 400 invalid_tenant AADSTS90002 with the trace on its own line", resp.StatusCode, e)
	}
}
