package sim

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// tokenLifetime is the access token lifetime Entra uses by default.
const tokenLifetime = time.Hour

// knownResources maps the resources the sim issues tokens for to their
// application ids, so "<appId>/.default" works as it does in Entra.
var knownResources = []struct{ uri, appID string }{
	{exchangeResource, exchangeResourceApp},
	{graphResource, graphResourceApp},
}

// aadError is an Entra token endpoint error body (wire-formats F2).
type aadError struct {
	status      int
	err         string
	code        int
	description string
}

func (s *Server) writeAADError(w http.ResponseWriter, r *http.Request, e aadError) {
	corr := r.Header.Get("client-request-id")
	if _, ok := parseGUID(corr); !ok {
		corr = newGUID()
	}
	trace := newGUID()
	now := time.Now().UTC()
	// Entra puts the trace details on their own lines (CRLF) after the description.
	desc := fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s", e.code, e.description, trace, corr, now.Format("2006-01-02 15:04:05Z"))
	writeJSON(w, e.status, object{
		{"error", e.err},
		{"error_description", desc},
		{"error_codes", []int{e.code}},
		{"timestamp", now.Format("2006-01-02 15:04:05Z")},
		{"trace_id", trace},
		{"correlation_id", corr},
		{"error_uri", fmt.Sprintf("https://%s/error?code=%d", r.Host, e.code)},
	})
}

// unknownTenant is Entra's answer for a tenant that does not exist: AADSTS90002, with the error
// invalid_tenant from the discovery document and invalid_request from the token endpoint
// (both as Entra answers them).
func unknownTenant(errName, seg string) aadError {
	return aadError{http.StatusBadRequest, errName, 90002, fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", seg)}
}

// handleOpenID serves the tenant's OpenID configuration, the first call MSAL
// makes (wire-formats F2). Endpoints use the host the client called, so the
// issuer matches the authority MSAL was given.
func (s *Server) handleOpenID(w http.ResponseWriter, r *http.Request, seg string) {
	var tid string
	if err := s.store.read(func(st *state) error {
		if st.resolveTenant(seg) {
			tid = st.Tenant.ID
		}
		return nil
	}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if tid == "" {
		s.writeAADError(w, r, unknownTenant("invalid_tenant", seg))
		return
	}
	base := "https://" + r.Host + "/" + seg
	writeJSON(w, http.StatusOK, object{
		{"token_endpoint", base + "/oauth2/v2.0/token"},
		{"token_endpoint_auth_methods_supported", []string{"client_secret_post", "client_secret_basic"}},
		{"jwks_uri", "https://" + r.Host + "/" + tid + "/discovery/v2.0/keys"},
		{"response_modes_supported", []string{"query", "fragment", "form_post"}},
		{"subject_types_supported", []string{"pairwise"}},
		{"id_token_signing_alg_values_supported", []string{"HS256"}},
		{"response_types_supported", []string{"code", "id_token", "code id_token", "id_token token"}},
		{"scopes_supported", []string{"openid", "profile", "email", "offline_access"}},
		{"issuer", "https://" + r.Host + "/" + tid + "/v2.0"},
		{"request_uri_parameter_supported", false},
		{"authorization_endpoint", base + "/oauth2/v2.0/authorize"},
		{"device_authorization_endpoint", base + "/oauth2/v2.0/devicecode"},
		{"end_session_endpoint", base + "/oauth2/v2.0/logout"},
		{"claims_supported", []string{"aud", "iss", "iat", "exp", "nbf", "tid", "appid", "roles", "wids", "oid", "sub"}},
		{"tenant_region_scope", "EU"},
		{"cloud_instance_name", "microsoftonline.com"},
		{"msgraph_host", "graph.microsoft.com"},
	})
}

// handleJWKS answers the jwks_uri. The sim signs with a symmetric key that
// must not be published, so the key set is empty (doc.go); MSAL never reads it.
func (s *Server) handleJWKS(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, object{{"keys", []any{}}})
}

// handleToken serves the client credentials grant with a client secret.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request, seg string) {
	s.stats.token()
	if r.Method != http.MethodPost {
		s.writeAADError(w, r, aadError{http.StatusMethodNotAllowed, "invalid_request", 900561, "The endpoint only accepts POST requests."})
		return
	}
	if err := r.ParseForm(); err != nil {
		s.writeAADError(w, r, aadError{http.StatusBadRequest, "invalid_request", 900144, "The request body must be form-encoded: " + err.Error()})
		return
	}
	var (
		resp  object
		aadEr *aadError
	)
	if err := s.store.read(func(st *state) error {
		resp, aadEr = s.issueToken(r, st, seg)
		return nil
	}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if aadEr != nil {
		s.writeAADError(w, r, *aadEr)
		return
	}
	w.Header().Set("Cache-Control", "no-store, no-cache")
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) issueToken(r *http.Request, st *state, seg string) (object, *aadError) {
	fail := func(status int, e string, code int, format string, args ...any) (object, *aadError) {
		return nil, &aadError{status, e, code, fmt.Sprintf(format, args...)}
	}
	if !st.resolveTenant(seg) {
		e := unknownTenant("invalid_request", seg)
		return nil, &e
	}
	f := r.PostForm
	clientID, secret := f.Get("client_id"), f.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok {
		clientID, secret = u, p
	}
	switch grant := f.Get("grant_type"); {
	case grant == "":
		return fail(400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
	case grant != "client_credentials":
		return fail(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '%s'. The simulated tenant supports only client_credentials.", grant)
	case f.Get("client_assertion") != "" || f.Get("client_assertion_type") != "":
		return fail(400, "unsupported_grant_type", 70003, "The simulated tenant does not support client assertions (certificates or federated credentials); use the client secret from the sim's cloud file.")
	case clientID == "":
		return fail(400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.")
	}
	if _, ok := parseGUID(clientID); !ok || !strings.EqualFold(clientID, st.AdminApp.ClientID) {
		return fail(400, "unauthorized_client", 700016, "Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", clientID, st.Tenant.DisplayName)
	}
	if secret == "" {
		return fail(400, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(st.AdminApp.ClientSecret)) != 1 {
		return fail(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", st.AdminApp.ClientID)
	}
	resource, aerr := tokenResource(f.Get("scope"))
	if aerr != nil {
		return nil, aerr
	}
	key, err := base64.StdEncoding.DecodeString(st.TokenSigningKey)
	if err != nil {
		return fail(500, "temporarily_unavailable", 50000, "The tenant's signing key is unreadable.")
	}
	now := s.now()
	iss := "https://sts.windows.net/" + st.Tenant.ID + "/"
	claims := &tokenClaims{
		Aud: resource, Iss: iss, IDP: iss,
		Iat: now.Unix(), Nbf: now.Unix(), Exp: now.Add(tokenLifetime).Unix(),
		AppID: st.AdminApp.ClientID, AppIDACR: "1", IDType: "app",
		OID: st.AdminApp.ServicePrincipalID, Sub: st.AdminApp.ServicePrincipalID,
		TID: st.Tenant.ID, Roles: st.AdminApp.AppRoles[resource], WIDs: st.AdminApp.DirectoryRoles,
		UTI: strings.ReplaceAll(newGUID(), "-", "")[:22], Ver: "1.0",
	}
	tok, err := signJWT(key, claims)
	if err != nil {
		return fail(500, "temporarily_unavailable", 50000, "Signing the token failed: %v", err)
	}
	secs := int(tokenLifetime.Seconds()) - 1
	return object{
		{"token_type", "Bearer"},
		{"expires_in", secs},
		{"ext_expires_in", secs},
		{"access_token", tok},
	}, nil
}

// tokenResource picks the resource from a client credentials scope list.
// MSAL appends "openid offline_access profile" even to app-only requests
// (wire-formats F2), so those are ignored; exactly one "<resource>/.default"
// must remain.
func tokenResource(scope string) (string, *aadError) {
	var resources []string
	for _, sc := range strings.Fields(scope) {
		switch strings.ToLower(sc) {
		case "openid", "offline_access", "profile", "email":
			continue
		}
		base, ok := strings.CutSuffix(sc, "/.default")
		if !ok {
			return "", &aadError{400, "invalid_scope", 1002012, fmt.Sprintf("The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", sc)}
		}
		found := ""
		for _, k := range knownResources {
			if strings.EqualFold(strings.TrimSuffix(base, "/"), k.uri) || strings.EqualFold(base, k.appID) {
				found = k.uri
			}
		}
		if found == "" {
			return "", &aadError{400, "invalid_resource", 500011, fmt.Sprintf("The resource principal named %s was not found in the tenant. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.", base)}
		}
		resources = append(resources, found)
	}
	switch len(resources) {
	case 0:
		return "", &aadError{400, "invalid_request", 900144, "The request body must contain the following parameter: 'scope'."}
	case 1:
		return resources[0], nil
	default:
		return "", &aadError{400, "invalid_scope", 28000, "Provided value for the input parameter scope is not valid because it contains more than one resource. Scope " + scope + " is not valid."}
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}
