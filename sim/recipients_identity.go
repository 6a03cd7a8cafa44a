package sim

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"
)

// mailbox is the sim's record of an Exchange Online mailbox (a user or a
// shared mailbox) with its CAS settings and permissions. PrimarySmtpAddress
// and WindowsEmailAddress are the "SMTP:" entry of EmailAddresses.
type mailbox struct {
	Guid                      string   `json:"guid"`
	ExchangeGuid              string   `json:"exchange_guid"`
	ExternalDirectoryObjectId string   `json:"external_directory_object_id"`
	Name                      string   `json:"name"`
	Alias                     string   `json:"alias"`
	DisplayName               string   `json:"display_name"`
	UserPrincipalName         string   `json:"user_principal_name"`
	EmailAddresses            []string `json:"email_addresses"`
	Shared                    bool     `json:"shared,omitempty"`
	AccountDisabled           bool     `json:"account_disabled,omitempty"`
	// GrantSendOnBehalfTo and ForwardingAddress hold mailbox Guids.
	GrantSendOnBehalfTo []string `json:"grant_send_on_behalf_to,omitempty"`
	ForwardingAddress   string   `json:"forwarding_address,omitempty"`
	// Settings are the simple Set-Mailbox properties, CAS the Set-CASMailbox ones.
	Settings rcpBag `json:"settings,omitzero"`
	CAS      rcpBag `json:"cas,omitzero"`
	// FullAccess are the explicit mailbox permission entries
	// (Add-MailboxPermission); SendAs the trustees' mailbox Guids
	// (Add-RecipientPermission). Default and inherited entries are implied.
	FullAccess  []mailboxACE `json:"mailbox_permissions,omitempty"`
	SendAs      []string     `json:"send_as,omitempty"`
	WhenCreated time.Time    `json:"when_created"`
	WhenChanged time.Time    `json:"when_changed"`
}

// mailboxACE is one explicit mailbox permission entry.
type mailboxACE struct {
	User            string   `json:"user"` // trustee mailbox Guid
	AccessRights    []string `json:"access_rights"`
	Deny            bool     `json:"deny,omitempty"`
	InheritanceType string   `json:"inheritance_type"`
	AutoMapping     bool     `json:"auto_mapping,omitempty"`
}

func (m *mailbox) clone() *mailbox {
	n := *m
	n.EmailAddresses = slices.Clone(m.EmailAddresses)
	n.GrantSendOnBehalfTo = slices.Clone(m.GrantSendOnBehalfTo)
	n.SendAs = slices.Clone(m.SendAs)
	n.FullAccess = nil
	for _, a := range m.FullAccess {
		a.AccessRights = slices.Clone(a.AccessRights)
		n.FullAccess = append(n.FullAccess, a)
	}
	n.Settings = m.Settings.clone()
	n.CAS = m.CAS.clone()
	return &n
}

// primary returns the primary SMTP address (the "SMTP:" proxy).
func (m *mailbox) primary() string {
	for _, e := range m.EmailAddresses {
		if strings.HasPrefix(e, "SMTP:") {
			return e[5:]
		}
	}
	return ""
}

func (m *mailbox) recipientTypeDetails() string {
	if m.Shared {
		return "SharedMailbox"
	}
	return "UserMailbox"
}

// smtpAddresses returns the SMTP proxy addresses without their prefix.
func (m *mailbox) smtpAddresses() []string {
	var out []string
	for _, e := range m.EmailAddresses {
		if p, a := splitProxy(e); strings.EqualFold(p, "smtp") {
			out = append(out, a)
		}
	}
	return out
}

// splitProxy splits "type:address" into its prefix as written ("SMTP",
// "smtp", "X500", or "" when there is none) and the address.
func splitProxy(s string) (prefix, addr string) {
	i := strings.Index(s, ":")
	if i <= 0 || strings.Contains(s[:i], "@") {
		return "", s
	}
	for _, c := range s[:i] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return "", s
		}
	}
	return s[:i], s[i+1:]
}

// mailboxDN is the mailbox's distinguished name in the tenant's hosted
// organization unit. The path is the sim's invention, shaped like Exchange
// Online's.
func mailboxDN(st *state, name string) string {
	return fmt.Sprintf("CN=%s,OU=%s,OU=Microsoft Exchange Hosted Organizations,DC=SIMPR01A001,DC=PROD,DC=OUTLOOK,DC=COM", name, st.Tenant.InitialDomain)
}

const excAmbiguous = "Microsoft.Exchange.Configuration.Tasks.ManagementObjectAmbiguousException"

func errAmbiguous(identity string) *exError {
	return errBadRequest(excAmbiguous, "The operation couldn't be performed because '%s' matches multiple entries.", identity)
}

// mailboxView returns the copy of a record that a read (master false) or a
// write (master true) sees.
func mailboxView(x *cmdContext, rec *versioned[mailbox], master bool) *mailbox {
	if master {
		return rec.Current
	}
	return rec.visible(x.now)
}

// resolveMailbox finds the one mailbox identity names, among the master
// copies (writes) or among what reads see. Identities are matched in tiers,
// case-insensitively: a GUID (Guid, ExchangeGuid or
// ExternalDirectoryObjectId); an address (UPN or any SMTP proxy, with or
// without "smtp:"); a distinguished name; Name or Alias; DisplayName. The
// first tier with matches decides; more than one match there is ambiguous.
func resolveMailbox(x *cmdContext, identity string, master bool) (*versioned[mailbox], *mailbox, *exError) {
	id := strings.TrimSpace(identity)
	g, isGUID := parseGUID(id)
	_, addr := splitProxy(id)
	isAddr := strings.Contains(addr, "@")
	isDN := strings.HasPrefix(strings.ToUpper(id), "CN=")
	var tiers [5][]*versioned[mailbox]
	for _, rec := range mailboxCandidates(x, id, g, isGUID, addr, isAddr, isDN) {
		m := mailboxView(x, rec, master)
		if m == nil {
			continue
		}
		switch {
		case isGUID && (m.Guid == g || m.ExchangeGuid == g || m.ExternalDirectoryObjectId == g):
			tiers[0] = append(tiers[0], rec)
		case isAddr && (strings.EqualFold(m.UserPrincipalName, addr) || containsFold(m.smtpAddresses(), addr)):
			tiers[1] = append(tiers[1], rec)
		case isDN && strings.EqualFold(mailboxDN(x.st, m.Name), id):
			tiers[2] = append(tiers[2], rec)
		case strings.EqualFold(m.Name, id) || strings.EqualFold(m.Alias, id):
			tiers[3] = append(tiers[3], rec)
		case strings.EqualFold(m.DisplayName, id):
			tiers[4] = append(tiers[4], rec)
		}
	}
	for _, t := range tiers {
		switch len(t) {
		case 0:
			continue
		case 1:
			return t[0], mailboxView(x, t[0], master), nil
		default:
			return nil, nil, errAmbiguous(identity)
		}
	}
	return nil, nil, errNotFound(identity)
}

// mailboxCandidates narrows resolveMailbox's scan to the mailboxes that have one of the
// identity's forms among the identities of any of their copies (master and previous), so that
// resolving thousands of identities at a 50,000-mailbox tenant does not scan every mailbox each
// time. The tiers are still decided by resolveMailbox on the copy it sees. A distinguished name,
// and any identity inside a cmdlet that has already changed the state (the index may be stale
// until the store drops it), scan every mailbox, as before.
func mailboxCandidates(x *cmdContext, id, guid string, isGUID bool, addr string, isAddr, isDN bool) []*versioned[mailbox] {
	if isDN || x.changed {
		return slices.Collect(maps.Values(x.st.Exchange.Mailboxes))
	}
	idx := x.st.mailboxIndex
	if idx == nil {
		idx = buildMailboxIndex(x.st.Exchange.Mailboxes)
		x.st.mailboxIndex = idx
	}
	var keys []string
	if isGUID {
		keys = append(keys, strings.ToLower(guid))
	}
	if isAddr {
		keys = append(keys, strings.ToLower(addr))
	}
	keys = append(keys, strings.ToLower(id))
	var out []*versioned[mailbox]
	seen := map[*versioned[mailbox]]bool{}
	for _, k := range keys {
		for _, rec := range idx[k] {
			if !seen[rec] {
				seen[rec] = true
				out = append(out, rec)
			}
		}
	}
	return out
}

// buildMailboxIndex maps every lower-case identity of every copy of a mailbox (GUIDs, UPN, SMTP
// addresses, Name, Alias, DisplayName) to the mailboxes that have it.
func buildMailboxIndex(recs map[string]*versioned[mailbox]) map[string][]*versioned[mailbox] {
	idx := make(map[string][]*versioned[mailbox], len(recs)*6)
	add := func(k string, rec *versioned[mailbox]) {
		if k == "" {
			return
		}
		k = strings.ToLower(k)
		if l := idx[k]; len(l) == 0 || l[len(l)-1] != rec {
			idx[k] = append(l, rec)
		}
	}
	for _, rec := range recs {
		for _, m := range []*mailbox{rec.Current, rec.Previous} {
			if m == nil {
				continue
			}
			for _, k := range []string{m.Guid, m.ExchangeGuid, m.ExternalDirectoryObjectId, m.UserPrincipalName, m.Name, m.Alias, m.DisplayName} {
				add(k, rec)
			}
			for _, a := range m.smtpAddresses() {
				add(a, rec)
			}
		}
	}
	return idx
}

// mailboxByGuid returns the mailbox with that Guid as writes see it, or as
// reads see it when it is being removed; nil when it no longer exists.
// Permission trustees and delegates are printed from it.
func mailboxByGuid(x *cmdContext, guid string) *mailbox {
	rec := x.st.Exchange.Mailboxes[guid]
	if rec == nil {
		return nil
	}
	if rec.Current != nil {
		return rec.Current
	}
	return rec.visible(x.now)
}

// mailboxList returns the mailboxes reads see, by Name then Guid.
func mailboxList(x *cmdContext) []*mailbox {
	type keyed struct {
		key string
		m   *mailbox
	}
	list := make([]keyed, 0, len(x.st.Exchange.Mailboxes))
	for _, rec := range x.st.Exchange.Mailboxes {
		if m := rec.visible(x.now); m != nil {
			list = append(list, keyed{strings.ToLower(m.Name) + "\x00" + m.Guid, m})
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].key < list[j].key })
	out := make([]*mailbox, len(list))
	for i, k := range list {
		out[i] = k.m
	}
	return out
}

// selectMailboxes keeps the mailboxes of list whose RecipientTypeDetails is
// one of types (nil: any) and that match the -Filter in p (cas: with
// Get-CASMailbox's properties), in one pass.
func selectMailboxes(list []*mailbox, types []string, p params, cas bool) ([]*mailbox, *exError) {
	match, e := mailboxFilter(p, cas)
	if e != nil {
		return nil, e
	}
	if types == nil && match == nil {
		return list, nil
	}
	return slices.DeleteFunc(list, func(m *mailbox) bool {
		return (types != nil && !slices.Contains(types, m.recipientTypeDetails())) || (match != nil && !match(m))
	}), nil
}

// mailboxGuids returns the Guids of list, in order: the keys of a lazy
// result (cmdResult).
func mailboxGuids(list []*mailbox) []string {
	out := make([]string, len(list))
	for i, m := range list {
		out[i] = m.Guid
	}
	return out
}

// visibleMailbox returns the mailbox with that Guid as reads see it now, or
// nil when it does not exist for readers (any more).
func visibleMailbox(x *cmdContext, guid string) *mailbox {
	rec := x.st.Exchange.Mailboxes[guid]
	if rec == nil {
		return nil
	}
	return rec.visible(x.now)
}

// rcpRecipientTypeDetails checks a RecipientTypeDetails[] filter against
// the documented values and returns the canonical ones.
func rcpRecipientTypeDetails(p params, valid []string) ([]string, *exError) {
	v, ok := p["RecipientTypeDetails"]
	if !ok || v.null {
		return nil, nil
	}
	list := append(append([]string{}, v.list...), v.add...)
	var out []string
	for _, s := range list {
		s = strings.TrimSpace(s)
		found := false
		for _, e := range valid {
			if strings.EqualFold(e, s) {
				out, found = append(out, e), true
			}
		}
		if !found {
			return nil, errBadRequest(excParameter, "Cannot bind parameter 'RecipientTypeDetails'. Cannot convert value \"%s\" to type \"Microsoft.Exchange.Data.Directory.Recipient.RecipientTypeDetails\". Error: \"Unable to match the identifier name %s to a valid enumerator name. Specify one of the following enumerator names and try again: %s\"", s, s, strings.Join(valid, ", "))
		}
	}
	return out, nil
}

// trusteeName is how permission cmdlets print a trustee: its user principal
// name.
func trusteeName(m *mailbox) string { return m.UserPrincipalName }

// warnNoChange is the warning of a Set-* that changed nothing.
func warnNoChange(name string) *cmdResult {
	return &cmdResult{warnings: []string{fmt.Sprintf("The command completed successfully but no settings of '%s' have been modified.", name)}}
}
