package sim

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"time"
)

// authorize checks an InvokeCommand request's bearer token against the
// tenant in the path, as Exchange does: a token that is missing, forged,
// expired or for another resource is 401; a valid token for another tenant
// or without Exchange.ManageAsApp is 403.
func (s *Server) authorize(r *http.Request, st *state, tenantSeg string) (*tokenClaims, *exError) {
	authz := r.Header.Get("Authorization")
	scheme, tok, _ := strings.Cut(authz, " ")
	if authz == "" || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return nil, errUnauthorized("The request has no bearer token in its Authorization header.")
	}
	key, err := base64.StdEncoding.DecodeString(st.TokenSigningKey)
	if err != nil {
		return nil, errUnauthorized("The tenant's signing key is unreadable.")
	}
	c, err := verifyJWT(key, strings.TrimSpace(tok))
	if err != nil {
		return nil, errUnauthorized("The access token is invalid: " + err.Error() + ".")
	}
	now := s.now()
	const skew = 5 * time.Minute // the clock skew Entra token validators allow
	switch {
	case now.After(time.Unix(c.Exp, 0).Add(skew)):
		return nil, errUnauthorized("The access token has expired.")
	case now.Add(skew).Before(time.Unix(c.Nbf, 0)):
		return nil, errUnauthorized("The access token is not yet valid.")
	case c.Aud != exchangeResource && c.Aud != exchangeResourceApp:
		return nil, errUnauthorized("The access token's audience '" + c.Aud + "' is not " + exchangeResource + "; request a token for the scope " + exchangeResource + "/.default.")
	}
	if !st.resolveTenant(tenantSeg) || c.TID != st.Tenant.ID {
		return nil, errForbidden("The access token was issued for tenant '" + c.TID + "', which does not match the tenant '" + tenantSeg + "' in the request URL.")
	}
	if !slices.Contains(c.Roles, roleManageAsApp) {
		return nil, errForbidden("The application has no Exchange.ManageAsApp permission. Grant the application permission and admin consent.")
	}
	return c, nil
}

// canRun applies Exchange RBAC from the token's directory roles ("the
// session's RBAC is configured using the directory role information that's
// available in the token"): Exchange or Global Administrator may run
// anything, Global Reader only cmdlets that read. The refusals' texts are
// those administrators report from Exchange Online: an app without a
// supported role, and a role that does not include the cmdlet.
func canRun(c *tokenClaims, cmd *cmdlet) (bool, *exError) {
	if slices.Contains(c.WIDs, widExchangeAdmin) || slices.Contains(c.WIDs, widGlobalAdmin) {
		return true, nil
	}
	if !slices.Contains(c.WIDs, widGlobalReader) {
		return false, errForbidden("The role assigned to application " + c.AppID + " isn't supported in this scenario. Please check online documentation for assigning correct Directory Roles to Azure AD Application for EXO App-Only Authentication.")
	}
	if !cmd.write {
		return true, nil
	}
	return false, errForbidden("User is not allowed to call " + cmd.name + ".")
}
