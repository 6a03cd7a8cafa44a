package sim

import (
	"strings"
	"time"
)

// recipientsState holds the recipient side of the Exchange tenant: mailboxes and their CAS
// settings, permissions and inbox rules, and the transport and organization configuration.
//
// A mailbox record carries its CAS settings and its permissions (FullAccess
// and the other mailbox rights, SendAs), because Exchange keeps all of them
// on the directory object: one replication lag covers them. Inbox rules live
// in the mailbox itself, not in the directory, so they are kept apart and
// are not subject to the lag.
type recipientsState struct {
	// Mailboxes are keyed by the mailbox Guid.
	Mailboxes map[string]*versioned[mailbox] `json:"mailboxes"`
	// InboxRules are keyed by the mailbox Guid, in priority order.
	InboxRules         map[string][]*inboxRule        `json:"inbox_rules"`
	TransportConfig    *versioned[transportConfig]    `json:"transport_config"`
	OrganizationConfig *versioned[organizationConfig] `json:"organization_config"`
}

func (r *recipientsState) ensure() {
	if r.Mailboxes == nil {
		r.Mailboxes = map[string]*versioned[mailbox]{}
	}
	if r.InboxRules == nil {
		r.InboxRules = map[string][]*inboxRule{}
	}
	// A state written before these singletons existed gets the defaults.
	created := time.Date(2019, 5, 6, 8, 0, 0, 0, time.UTC)
	if r.TransportConfig == nil || r.TransportConfig.Current == nil {
		r.TransportConfig = &versioned[transportConfig]{Current: &transportConfig{Guid: nameGUID("transport-config"), WhenCreated: created, WhenChanged: created}}
	}
	if r.OrganizationConfig == nil || r.OrganizationConfig.Current == nil {
		r.OrganizationConfig = &versioned[organizationConfig]{Current: &organizationConfig{Guid: nameGUID("organization-config"), WhenCreated: created, WhenChanged: created}}
	}
}

func (r *recipientsState) compact(now time.Time) {
	for id, v := range r.Mailboxes {
		if v.settle(now) {
			delete(r.Mailboxes, id)
		}
	}
	r.TransportConfig.settle(now)
	r.OrganizationConfig.settle(now)
}

// seedRecipients adds the demo tenant's recipients: four user mailboxes
// (Adele Vance, Alex Wilber, Megan Bowen and Support, the licensed mailbox
// devices use for SMTP AUTH) and the shared mailbox Info that an
// administrator made by hand, with Adele as its delegate (FullAccess and
// SendAs); the organization has SMTP AUTH disabled (Set-TransportConfig
// -SmtpClientAuthenticationDisabled $true, the default since 2020) and
// EwsEnabled unset. Nothing carries an exoform marker.
func seedRecipients(st *state) {
	st.Exchange.recipientsState.ensure()
	t := st.Tenant
	domain := rcpDefaultDomain(st)
	users := []struct {
		alias, name string
		created     time.Time
	}{
		{"adele", "Adele Vance", time.Date(2019, 5, 6, 9, 12, 41, 0, time.UTC)},
		{"alexw", "Alex Wilber", time.Date(2019, 5, 6, 9, 13, 2, 0, time.UTC)},
		{"meganb", "Megan Bowen", time.Date(2019, 5, 6, 9, 13, 27, 0, time.UTC)},
		{"support", "Support", time.Date(2020, 2, 11, 15, 40, 8, 0, time.UTC)},
	}
	byAlias := map[string]*mailbox{}
	for _, u := range users {
		m := rcpSeedMailbox(t, domain, u.alias, u.name, u.created)
		byAlias[u.alias] = m
	}
	info := rcpSeedMailbox(t, domain, "info", "Info", time.Date(2021, 9, 20, 11, 5, 33, 0, time.UTC))
	info.Shared, info.AccountDisabled = true, true
	info.FullAccess = []mailboxACE{{User: byAlias["adele"].Guid, AccessRights: []string{"FullAccess"}, InheritanceType: "All", AutoMapping: true}}
	info.SendAs = []string{byAlias["adele"].Guid}
	info.Settings.setBool("MessageCopyForSentAsEnabled", true)
	info.WhenChanged = info.WhenCreated.Add(3 * time.Hour)
	byAlias["info"] = info
	for _, m := range byAlias {
		st.Exchange.Mailboxes[m.Guid] = &versioned[mailbox]{Current: m}
	}
	megan := byAlias["meganb"]
	st.Exchange.InboxRules[megan.Guid] = []*inboxRule{{
		RuleIdentity: rcpRuleIdentity(megan.Guid, "Newsletters"),
		Name:         "Newsletters",
		Enabled:      true,
		Settings: rcpBag{
			Lists:   map[string][]string{"FromAddressContainsWords": {"newsletter"}},
			Strings: map[string]string{"MoveToFolder": "meganb:\\Inbox\\Newsletters"},
		},
	}}
	created := time.Date(2019, 5, 6, 8, 0, 0, 0, time.UTC)
	st.Exchange.TransportConfig = &versioned[transportConfig]{Current: &transportConfig{
		Guid: nameGUID(t.ID + ":transport-config"), WhenCreated: created, WhenChanged: created,
	}}
	st.Exchange.OrganizationConfig = &versioned[organizationConfig]{Current: &organizationConfig{
		Guid: nameGUID(t.ID + ":organization-config"), WhenCreated: created, WhenChanged: created,
	}}
}

// rcpSeedMailbox makes a user mailbox with GUIDs derived from the tenant and
// alias, so a seeded tenant is the same on every machine.
func rcpSeedMailbox(t tenantState, domain, alias, name string, created time.Time) *mailbox {
	addr := alias + "@" + domain
	m := &mailbox{
		Guid:                      nameGUID(t.ID + ":mailbox:" + alias),
		ExchangeGuid:              nameGUID(t.ID + ":exchange-guid:" + alias),
		ExternalDirectoryObjectId: nameGUID(t.ID + ":entra-user:" + alias),
		Name:                      name,
		Alias:                     alias,
		DisplayName:               name,
		UserPrincipalName:         addr,
		EmailAddresses:            []string{"SMTP:" + addr},
		WhenCreated:               created,
		WhenChanged:               created,
	}
	if !strings.EqualFold(domain, t.InitialDomain) {
		m.EmailAddresses = append(m.EmailAddresses, "smtp:"+alias+"@"+t.InitialDomain)
	}
	return m
}

// rcpDefaultDomain is the domain new addresses get: the first accepted
// domain that is not an *.onmicrosoft.com domain, else the initial domain.
func rcpDefaultDomain(st *state) string {
	for _, d := range st.Tenant.AcceptedDomains {
		if !strings.HasSuffix(strings.ToLower(d), ".onmicrosoft.com") {
			return strings.ToLower(d)
		}
	}
	return strings.ToLower(st.Tenant.InitialDomain)
}

// recipientCmdlets lists the recipient-side cmdlets.
func recipientCmdlets() []*cmdlet {
	var out []*cmdlet
	for _, f := range [][]*cmdlet{mailboxCmdlets(), casMailboxCmdlets(), mailboxPermissionCmdlets(), recipientPermissionCmdlets(), inboxRuleCmdlets(), transportConfigCmdlets(), organizationConfigCmdlets()} {
		out = append(out, f...)
	}
	return append(out, getRecipientCmdlet())
}
