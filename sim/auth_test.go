package sim

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestInvoke_PermissionAndRole: an app's Exchange token needs the Exchange.ManageAsApp role
// and a directory role that allows the cmdlet; each refusal says which, the way Exchange does.
// The token endpoint issues what the state grants the admin app, so taking a role away there
// (as an administrator would in Entra) produces the same refusals end to end.
func TestInvoke_PermissionAndRole(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	const appID = "5b0f3c61-8a2e-4d7b-9c14-6e2f1a8d3b70"
	var key []byte
	var tid string
	s.store.read(func(st *state) error {
		key, _ = base64.StdEncoding.DecodeString(st.TokenSigningKey)
		tid = st.Tenant.ID
		return nil
	})
	// mint signs an app-only Exchange token with the given roles and directory roles, claims
	// the token endpoint issues only from the state.
	mint := func(roles, wids []string) string {
		t.Helper()
		now := time.Now()
		tok, err := signJWT(key, &tokenClaims{Aud: exchangeResource, TID: tid, AppID: appID, Roles: roles, WIDs: wids,
			Iat: now.Unix(), Nbf: now.Unix(), Exp: now.Add(time.Hour).Unix()})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	manage := []string{roleManageAsApp}
	tests := []struct {
		name       string
		bearer     string
		cmdlet     string
		wantStatus int
		wantText   string
	}{
		{"no Exchange.ManageAsApp", mint(nil, []string{widExchangeAdmin}), "Get-InboundConnector", http.StatusForbidden, "no Exchange.ManageAsApp permission"},
		{"no directory role", mint(manage, nil), "Get-InboundConnector", http.StatusForbidden,
			"The role assigned to application " + appID + " isn't supported in this scenario."},
		{"unrelated directory role", mint(manage, []string{"9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"}), "Get-InboundConnector", http.StatusForbidden,
			"isn't supported in this scenario"},
		{"global reader reads", mint(manage, []string{widGlobalReader}), "Get-InboundConnector", http.StatusOK, ""},
		{"global reader writes", mint(manage, []string{widGlobalReader}), "Set-TransportConfig", http.StatusForbidden,
			"User is not allowed to call Set-TransportConfig."},
		{"exchange administrator writes", mint(manage, []string{widExchangeAdmin}), "Set-TransportConfig", http.StatusOK, ""},
		{"global administrator writes", mint(manage, []string{widGlobalAdmin}), "Set-TransportConfig", http.StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl := *c
			cl.bearer = tt.bearer
			r := cl.invoke(tt.cmdlet, nil)
			if r.status != tt.wantStatus {
				t.Fatalf("%s: status %d, want %d; body %s", tt.cmdlet, r.status, tt.wantStatus, r.body)
			}
			if tt.wantStatus == http.StatusOK {
				return
			}
			_, excType, detail := exceptionOf(t, r.body)
			if excType != excAccessDenied || !strings.Contains(detail, tt.wantText) {
				t.Errorf("refusal %s %q, want %s containing %q", excType, detail, excAccessDenied, tt.wantText)
			}
		})
	}

	t.Run("issued from the state", func(t *testing.T) {
		if err := s.store.do(time.Now(), func(st *state) (bool, error) {
			st.AdminApp.DirectoryRoles = nil
			return true, nil
		}); err != nil {
			t.Fatal(err)
		}
		cl := *c
		cl.bearer = cl.token(c.cloud.ExchangeScope)
		r := cl.invoke("Get-InboundConnector", nil)
		if r.status != http.StatusForbidden || !strings.Contains(string(r.body), "isn't supported in this scenario") {
			t.Errorf("a token of an app without a directory role: %d %s, want 403 naming the role", r.status, r.body)
		}
	})
}
