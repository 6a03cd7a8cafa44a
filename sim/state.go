package sim

import (
	"strings"
	"time"
)

// stateFormat is the version of the state file layout. A file with another
// version is refused rather than half-read, because a misread tenant would
// make the sim lie about what exists.
const stateFormat = 1

// state is everything the sim knows about its tenant. It is the JSON state
// file: map keys marshal sorted and slices are kept in a deterministic order,
// so the file diffs cleanly.
type state struct {
	FormatVersion int         `json:"format_version"`
	Tenant        tenantState `json:"tenant"`
	AdminApp      appState    `json:"admin_app"`
	// TokenSigningKey is the HS256 key (base64) for access tokens. It lives in
	// the state so that every process serving this file accepts the tokens of
	// the others, and a Reset invalidates all earlier tokens.
	TokenSigningKey string        `json:"token_signing_key"`
	Exchange        exchangeState `json:"exchange"`
	Graph           graphState    `json:"graph"`

	// mailboxIndex finds mailbox candidates by identity without scanning
	// every mailbox; built on first use, dropped by the store after any change.
	mailboxIndex map[string][]*versioned[mailbox]
	// keepMailboxIndex is set by a write that cannot have changed any mailbox's identities,
	// for the store to keep mailboxIndex after it; the store resets it.
	keepMailboxIndex bool
}

type tenantState struct {
	ID              string   `json:"id"`
	InitialDomain   string   `json:"initial_domain"`
	DisplayName     string   `json:"display_name"`
	AcceptedDomains []string `json:"accepted_domains"`
}

// appState is the sim's own admin application: the credentials Cloud hands
// out and the permissions its tokens carry.
type appState struct {
	DisplayName        string `json:"display_name"`
	ClientID           string `json:"client_id"`
	ClientSecret       string `json:"client_secret"`
	ServicePrincipalID string `json:"service_principal_id"`
	// AppRoles lists the application permissions granted per resource URI
	// (the token's roles claim for that audience).
	AppRoles map[string][]string `json:"app_roles"`
	// DirectoryRoles are role template ids assigned to the service principal
	// (the token's wids claim).
	DirectoryRoles []string `json:"directory_roles"`
}

type exchangeState struct {
	InboundConnectors map[string]*versioned[inboundConnector] `json:"inbound_connectors"`
	// The recipient side (mailboxes, CAS settings, permissions, inbox rules, transport and
	// organization config) and the rule/app side (transport rules, service principals,
	// management scopes and role assignments, application access policies) keep their own
	// fields, in recipients_state.go and rules_state.go.
	recipientsState
	rulesState
}

// ensureMaps makes a state read from an older or hand-edited file usable.
func (st *state) ensureMaps() {
	if st.Exchange.InboundConnectors == nil {
		st.Exchange.InboundConnectors = map[string]*versioned[inboundConnector]{}
	}
	if st.AdminApp.AppRoles == nil {
		st.AdminApp.AppRoles = map[string][]string{}
	}
	st.Exchange.recipientsState.ensure()
	st.Exchange.rulesState.ensure()
	st.Graph.ensure()
}

// resolveTenant reports whether seg names this tenant: its GUID or its
// initial domain, in any case, as Entra and Exchange accept both.
func (st *state) resolveTenant(seg string) bool {
	if g, ok := parseGUID(seg); ok {
		return g == st.Tenant.ID
	}
	return strings.EqualFold(seg, st.Tenant.InitialDomain)
}

// isAcceptedDomain reports whether d is one of the tenant's accepted domains.
func (st *state) isAcceptedDomain(d string) bool {
	for _, a := range st.Tenant.AcceptedDomains {
		if strings.EqualFold(a, d) {
			return true
		}
	}
	return false
}

// compact drops replication bookkeeping that no reader can observe any more,
// so the file does not grow with history. Only writes call it.
func (st *state) compact(now time.Time) {
	for id, v := range st.Exchange.InboundConnectors {
		if v.settle(now) {
			delete(st.Exchange.InboundConnectors, id)
		}
	}
	st.Exchange.recipientsState.compact(now)
	st.Exchange.rulesState.compact(now)
	st.Graph.compact(now)
}
