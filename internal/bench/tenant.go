package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
)

// stateFormat is the sim state file layout this package reads (sim's stateFormat). Another
// version is refused: a misread tenant would make the configuration declare objects that do not
// exist, and the plan would measure creations instead of reads.
const stateFormat = 1

// Tenant is what the configuration generator needs from a simulated tenant: the objects a
// configuration may declare, with the values that make their declarations match.
type Tenant struct {
	ID, Domain string
	Mailboxes  []Mailbox // user mailboxes, sorted by user principal name
	Shared     []SharedMailbox
	Connectors []Connector
	Rules      []Rule
	Apps       []App
	// Recipients counts every mailbox (user and shared): the objects a bulk recipient read
	// such as Get-CASMailbox returns.
	Recipients int
	// ServicePrincipals counts the Graph service principals (apps' and Microsoft's).
	ServicePrincipals int
	// SendAsEntries counts the explicit SendAs entries of every mailbox.
	SendAsEntries int
	// AccessPolicies counts the application access policies: a plan lists them (an owned
	// type) even when it declares none.
	AccessPolicies int
}

// A Mailbox is a user mailbox and its SMTP AUTH setting.
type Mailbox struct {
	UPN string
	// SMTPAuthDisabled is the mailbox's own SmtpClientAuthenticationDisabled: "true", "false",
	// or "inherit" when the mailbox has none.
	SMTPAuthDisabled string
}

// A SharedMailbox is a shared mailbox with its explicit permissions (trustees as user principal
// names, sorted).
type SharedMailbox struct {
	Primary, Name, DisplayName, Alias string
	FullAccess, SendAs                []string
}

// A Connector is an inbound connector.
type Connector struct {
	Name, Type    string
	Enabled       bool
	SenderDomains []string
}

// A Rule is a transport rule.
type Rule struct {
	Name, Mode string
	Enabled    bool
}

// An App is an app registration.
type App struct {
	DisplayName, SignInAudience string
}

// stateFile is the part of the sim's state file (format 1) this package reads.
type stateFile struct {
	FormatVersion int `json:"format_version"`
	Tenant        struct {
		ID            string `json:"id"`
		InitialDomain string `json:"initial_domain"`
	} `json:"tenant"`
	AdminApp struct {
		DisplayName string `json:"display_name"`
	} `json:"admin_app"`
	Exchange struct {
		Mailboxes         map[string]versioned[stateMailbox]   `json:"mailboxes"`
		InboundConnectors map[string]versioned[stateConnector] `json:"inbound_connectors"`
		TransportRules    map[string]versioned[stateRule]      `json:"transport_rules"`
		// Only counted: see Tenant.AccessPolicies.
		AccessPolicies map[string]versioned[json.RawMessage] `json:"application_access_policies"`
	} `json:"exchange"`
	Graph struct {
		Applications      map[string]versioned[struct{ App stateApp }] `json:"applications"`
		ServicePrincipals map[string]versioned[json.RawMessage]        `json:"service_principals"`
	} `json:"graph"`
}

// versioned is the sim's record of an object; Current is nil for a removed one.
type versioned[T any] struct {
	Current *T `json:"current"`
}

type stateMailbox struct {
	Guid              string   `json:"guid"`
	Name              string   `json:"name"`
	Alias             string   `json:"alias"`
	DisplayName       string   `json:"display_name"`
	UserPrincipalName string   `json:"user_principal_name"`
	EmailAddresses    []string `json:"email_addresses"`
	Shared            bool     `json:"shared"`
	CAS               struct {
		Bools map[string]bool `json:"bools"`
	} `json:"cas"`
	FullAccess []struct {
		User         string   `json:"user"`
		AccessRights []string `json:"access_rights"`
		Deny         bool     `json:"deny"`
	} `json:"mailbox_permissions"`
	SendAs []string `json:"send_as"`
}

type stateConnector struct {
	Name          string   `json:"name"`
	Enabled       bool     `json:"enabled"`
	ConnectorType string   `json:"connector_type"`
	SenderDomains []string `json:"sender_domains"`
}

type stateRule struct {
	Name  string `json:"name"`
	State string `json:"state"`
	Mode  string `json:"mode"`
}

type stateApp struct {
	DisplayName    string `json:"displayName"`
	SignInAudience string `json:"signInAudience"`
}

// ReadTenant reads a sim state file (as written by `exoform sim seed` or sim.ResetWith).
func ReadTenant(path string) (*Tenant, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the tenant: %w", err)
	}
	var st stateFile
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("reading the tenant %s: %w", path, err)
	}
	if st.FormatVersion != stateFormat {
		return nil, fmt.Errorf("reading the tenant %s: state format %d, this benchmark reads format %d", path, st.FormatVersion, stateFormat)
	}
	t := &Tenant{ID: st.Tenant.ID, Domain: st.Tenant.InitialDomain}
	upn := map[string]string{} // mailbox Guid -> user principal name
	var mbs []*stateMailbox
	for _, v := range st.Exchange.Mailboxes {
		if m := v.Current; m != nil {
			upn[m.Guid] = m.UserPrincipalName
			mbs = append(mbs, m)
		}
	}
	t.Recipients = len(mbs)
	for _, m := range mbs {
		t.SendAsEntries += len(m.SendAs)
		if !m.Shared {
			t.Mailboxes = append(t.Mailboxes, Mailbox{UPN: m.UserPrincipalName, SMTPAuthDisabled: smtpAuth(m)})
			continue
		}
		s := SharedMailbox{Primary: primaryAddress(m), Name: m.Name, DisplayName: m.DisplayName, Alias: m.Alias}
		for _, ace := range m.FullAccess {
			if !ace.Deny && slices.Contains(ace.AccessRights, "FullAccess") && upn[ace.User] != "" {
				s.FullAccess = append(s.FullAccess, upn[ace.User])
			}
		}
		for _, g := range m.SendAs {
			if upn[g] != "" {
				s.SendAs = append(s.SendAs, upn[g])
			}
		}
		slices.Sort(s.FullAccess)
		s.FullAccess = slices.Compact(s.FullAccess)
		slices.Sort(s.SendAs)
		s.SendAs = slices.Compact(s.SendAs)
		t.Shared = append(t.Shared, s)
	}
	slices.SortFunc(t.Mailboxes, func(a, b Mailbox) int { return strings.Compare(a.UPN, b.UPN) })
	slices.SortFunc(t.Shared, func(a, b SharedMailbox) int { return strings.Compare(a.Primary, b.Primary) })
	for _, v := range st.Exchange.InboundConnectors {
		if c := v.Current; c != nil {
			t.Connectors = append(t.Connectors, Connector{Name: c.Name, Type: c.ConnectorType, Enabled: c.Enabled, SenderDomains: c.SenderDomains})
		}
	}
	slices.SortFunc(t.Connectors, func(a, b Connector) int { return strings.Compare(a.Name, b.Name) })
	for _, v := range st.Exchange.TransportRules {
		if r := v.Current; r != nil {
			t.Rules = append(t.Rules, Rule{Name: r.Name, Mode: r.Mode, Enabled: r.State == "Enabled"})
		}
	}
	slices.SortFunc(t.Rules, func(a, b Rule) int { return strings.Compare(a.Name, b.Name) })
	for _, v := range st.Exchange.AccessPolicies {
		if v.Current != nil {
			t.AccessPolicies++
		}
	}
	for _, v := range st.Graph.Applications {
		// The sim's own admin app signs the benchmark in; declaring it would adopt it.
		if a := v.Current; a != nil && a.App.DisplayName != st.AdminApp.DisplayName {
			t.Apps = append(t.Apps, App{DisplayName: a.App.DisplayName, SignInAudience: a.App.SignInAudience})
		}
	}
	slices.SortFunc(t.Apps, func(a, b App) int { return strings.Compare(a.DisplayName, b.DisplayName) })
	for _, v := range st.Graph.ServicePrincipals {
		if v.Current != nil {
			t.ServicePrincipals++
		}
	}
	return t, nil
}

func smtpAuth(m *stateMailbox) string {
	v, ok := m.CAS.Bools["SmtpClientAuthenticationDisabled"]
	switch {
	case !ok:
		return "inherit"
	case v:
		return "true"
	default:
		return "false"
	}
}

// primaryAddress is the address Exchange reports as PrimarySmtpAddress: the one with the
// upper-case SMTP: prefix.
func primaryAddress(m *stateMailbox) string {
	for _, a := range m.EmailAddresses {
		if strings.HasPrefix(a, "SMTP:") {
			return strings.TrimPrefix(a, "SMTP:")
		}
	}
	return m.UserPrincipalName
}
