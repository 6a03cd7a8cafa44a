package sim

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
)

// mailboxSettings are the simple Set-Mailbox properties (defaults: every
// Boolean $false, ForwardingSmtpAddress $null).
var mailboxSettings = []rcpSetting{
	{name: "HiddenFromAddressListsEnabled", docType: "Boolean", kind: rcpBool},
	{name: "MessageCopyForSentAsEnabled", docType: "Boolean", kind: rcpBool},
	{name: "MessageCopyForSendOnBehalfEnabled", docType: "Boolean", kind: rcpBool},
	{name: "MessageCopyForSMTPClientSubmissionEnabled", docType: "Boolean", kind: rcpBool},
	{name: "RequireSenderAuthenticationEnabled", docType: "Boolean", kind: rcpBool},
	{name: "DeliverToMailboxAndForward", docType: "Boolean", kind: rcpBool},
	{name: "ForwardingSmtpAddress", docType: "ProxyAddress", kind: rcpString, check: checkForwardingSMTP},
}

// customAttributeSettings are CustomAttribute1..15: strings of at most 1024
// characters, $null when unset.
var customAttributeSettings = func() []rcpSetting {
	var out []rcpSetting
	for i := 1; i <= 15; i++ {
		out = append(out, rcpSetting{name: fmt.Sprintf("CustomAttribute%d", i), docType: "String", kind: rcpString, check: rcpCheckMaxLen(1024)})
	}
	return out
}()

// checkForwardingSMTP accepts an SMTP address with or without "smtp:" (any
// domain: the forwarding target is usually external) and stores it as
// "smtp:address", as Exchange prints it.
func checkForwardingSMTP(_ *state, param, v string) (string, error) {
	p, a := splitProxy(v)
	if p != "" && !strings.EqualFold(p, "smtp") {
		return "", fmt.Errorf("the value %q of parameter %s isn't an SMTP proxy address", v, param)
	}
	if err := checkSMTPAddress(param, a); err != nil {
		return "", err
	}
	return "smtp:" + a, nil
}

var mailboxTypeDetails = []string{"DiscoveryMailbox", "EquipmentMailbox", "GroupMailbox", "LegacyMailbox", "LinkedMailbox", "LinkedRoomMailbox", "RoomMailbox", "SchedulingMailbox", "SharedMailbox", "TeamMailbox", "UserMailbox"}

func mailboxCmdlets() []*cmdlet {
	identity := func(required bool) paramSpec {
		return paramSpec{name: "Identity", docType: "MailboxIdParameter", required: required, kind: kindIdentity}
	}
	setParams := []paramSpec{
		identity(true),
		{name: "Name", docType: "String", kind: kindString},
		{name: "DisplayName", docType: "String", kind: kindString},
		{name: "Alias", docType: "String", kind: kindString},
		{name: "EmailAddresses", docType: "ProxyAddressCollection", kind: kindMulti},
		{name: "WindowsEmailAddress", docType: "SmtpAddress", kind: kindString},
		{name: "GrantSendOnBehalfTo", docType: "MultiValuedProperty", kind: kindMulti},
		{name: "ForwardingAddress", docType: "RecipientIdParameter", kind: kindString},
		{name: "AccountDisabled", docType: "Boolean", kind: kindBool},
		{name: "Type", docType: "ConvertibleMailboxSubType", kind: kindEnum, enum: []string{"Regular", "Room", "Equipment", "Shared", "Workspace", "Desk"}},
		{name: "Force", docType: "SwitchParameter", kind: kindSwitch},
	}
	setParams = append(setParams, rcpParams(mailboxSettings)...)
	setParams = append(setParams, rcpParams(customAttributeSettings)...)
	setParams = append(setParams, confirmParams...)
	return []*cmdlet{
		{
			name: "Get-Mailbox",
			params: []paramSpec{
				identity(false),
				{name: "Filter", docType: "String", kind: kindString},
				{name: "RecipientTypeDetails", docType: "RecipientTypeDetails[]", kind: kindMulti},
				{name: "ResultSize", docType: "Unlimited", kind: kindUnlimited},
			},
			run: getMailbox,
		},
		{
			name:  "New-Mailbox",
			write: true,
			params: append([]paramSpec{
				{name: "Name", docType: "String", required: true, kind: kindString},
				{name: "Shared", docType: "SwitchParameter", required: true, kind: kindSwitch},
				{name: "Alias", docType: "String", kind: kindString},
				{name: "DisplayName", docType: "String", kind: kindString},
				{name: "PrimarySmtpAddress", docType: "SmtpAddress", kind: kindString},
				{name: "Force", docType: "SwitchParameter", kind: kindSwitch},
			}, confirmParams...),
			run: newMailbox,
		},
		{name: "Set-Mailbox", write: true, params: setParams, run: setMailbox},
		{
			name:  "Remove-Mailbox",
			write: true,
			params: append([]paramSpec{
				identity(true),
				{name: "PermanentlyDelete", docType: "SwitchParameter", kind: kindSwitch},
				{name: "Force", docType: "SwitchParameter", kind: kindSwitch},
			}, confirmParams...),
			run: removeMailbox,
		},
	}
}

func getMailbox(x *cmdContext, p params) (*cmdResult, *exError) {
	return getMailboxes(x, p, mailboxTypeDetails, false, renderMailbox)
}

func newMailbox(x *cmdContext, p params) (*cmdResult, *exError) {
	if !p["Shared"].b {
		return nil, errBadRequest(excValidation, "Only shared mailboxes (New-Mailbox -Shared) are simulated; user mailboxes come from licensed Entra users.")
	}
	name := strings.TrimSpace(p["Name"].str)
	if e := checkMailboxName(x, name, ""); e != nil {
		return nil, e
	}
	alias := strings.TrimSpace(p["Alias"].str)
	if alias == "" {
		alias = aliasFromName(name)
	}
	if e := checkMailboxAlias(x, alias, ""); e != nil {
		return nil, e
	}
	display := strings.TrimSpace(p["DisplayName"].str)
	if display == "" {
		display = name
	}
	if e := checkDisplayName(display); e != nil {
		return nil, e
	}
	primary := strings.TrimSpace(p["PrimarySmtpAddress"].str)
	if primary == "" {
		primary = strings.ToLower(alias) + "@" + rcpDefaultDomain(x.st)
	}
	m := newSharedMailbox(x.st, [3]string{newGUID(), newGUID(), newGUID()}, name, alias, display, primary, x.stamp())
	if e := checkMailboxAddresses(x, m); e != nil {
		return nil, e
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	rec := &versioned[mailbox]{}
	rec.put(m, x.now, x.lag())
	x.st.Exchange.Mailboxes[m.Guid] = rec
	x.changed = true
	return &cmdResult{objects: []object{renderMailbox(x, m)}}, nil
}

// newSharedMailbox is the record New-Mailbox -Shared makes: the primary
// address is also the user principal name, the account is disabled, and an
// address in the initial domain is added when the primary is elsewhere. ids
// are the Guid, ExchangeGuid and ExternalDirectoryObjectId.
func newSharedMailbox(st *state, ids [3]string, name, alias, display, primary string, created time.Time) *mailbox {
	m := &mailbox{
		Guid: ids[0], ExchangeGuid: ids[1], ExternalDirectoryObjectId: ids[2],
		Name: name, Alias: alias, DisplayName: display,
		UserPrincipalName: primary,
		EmailAddresses:    []string{"SMTP:" + primary},
		Shared:            true, AccountDisabled: true,
		WhenCreated: created, WhenChanged: created,
	}
	if _, d, _ := strings.Cut(primary, "@"); !strings.EqualFold(d, st.Tenant.InitialDomain) {
		m.EmailAddresses = append(m.EmailAddresses, "smtp:"+strings.ToLower(alias)+"@"+st.Tenant.InitialDomain)
	}
	return m
}

func setMailbox(x *cmdContext, p params) (*cmdResult, *exError) {
	rec, cur, e := resolveMailbox(x, p["Identity"].str, true)
	if e != nil {
		return nil, e
	}
	next := cur.clone()
	if v, ok := p["Name"]; ok {
		name := strings.TrimSpace(v.str)
		if e := checkMailboxName(x, name, cur.Guid); e != nil {
			return nil, e
		}
		next.Name = name
	}
	if v, ok := p["DisplayName"]; ok {
		d := strings.TrimSpace(v.str)
		if e := checkDisplayName(d); e != nil {
			return nil, e
		}
		next.DisplayName = d
	}
	if v, ok := p["Alias"]; ok {
		a := strings.TrimSpace(v.str)
		if e := checkMailboxAlias(x, a, cur.Guid); e != nil {
			return nil, e
		}
		next.Alias = a
	}
	if v, ok := p["EmailAddresses"]; ok {
		list, e := applyEmailAddresses(next.EmailAddresses, v)
		if e != nil {
			return nil, e
		}
		next.EmailAddresses = list
	}
	if v, ok := p["WindowsEmailAddress"]; ok {
		a := strings.TrimSpace(v.str)
		if v.null || a == "" {
			return nil, errBadRequest(excValidation, "The WindowsEmailAddress of a mailbox can't be empty: it is the primary SMTP address.")
		}
		next.EmailAddresses = promotePrimary(next.EmailAddresses, a)
	}
	if !slices.Equal(next.EmailAddresses, cur.EmailAddresses) {
		if e := checkMailboxAddresses(x, next); e != nil {
			return nil, e
		}
	}
	if v, ok := p["GrantSendOnBehalfTo"]; ok {
		list, e := applyRecipientGuids(x, "GrantSendOnBehalfTo", next.GrantSendOnBehalfTo, v)
		if e != nil {
			return nil, e
		}
		next.GrantSendOnBehalfTo = list
	}
	if v, ok := p["ForwardingAddress"]; ok {
		next.ForwardingAddress = ""
		if s := strings.TrimSpace(v.str); !v.null && s != "" {
			_, fwd, e := resolveMailbox(x, s, true)
			if e != nil {
				return nil, e
			}
			next.ForwardingAddress = fwd.Guid
		}
	}
	if v, ok := p["AccountDisabled"]; ok {
		next.AccountDisabled = v.b
	}
	if v, ok := p["Type"]; ok {
		switch v.str {
		case "Regular":
			next.Shared = false
		case "Shared":
			next.Shared = true
		default:
			return nil, errBadRequest(excValidation, "Converting a mailbox to the type %s isn't simulated; use Regular or Shared.", v.str)
		}
	}
	if e := next.Settings.apply(x.st, mailboxSettings, p); e != nil {
		return nil, e
	}
	if e := next.Settings.apply(x.st, customAttributeSettings, p); e != nil {
		return nil, e
	}
	if reflect.DeepEqual(next, cur) {
		return warnNoChange(cur.Name), nil
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	next.WhenChanged = x.stamp()
	rec.put(next, x.now, x.lag())
	x.changed = true
	return &cmdResult{}, nil
}

// removeMailbox deletes the mailbox with its permissions and inbox rules.
// Exchange Online keeps a removed mailbox soft-deleted for 30 days; the sim
// deletes it at once, with or without PermanentlyDelete.
func removeMailbox(x *cmdContext, p params) (*cmdResult, *exError) {
	rec, cur, e := resolveMailbox(x, p["Identity"].str, true)
	if e != nil {
		return nil, e
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	rec.put(nil, x.now, x.lag())
	delete(x.st.Exchange.InboxRules, cur.Guid)
	x.changed = true
	return &cmdResult{}, nil
}

// checkMailboxName: not blank, at most 64 characters, unique among
// mailboxes (case-insensitively); self is the Guid of the mailbox renamed.
func checkMailboxName(x *cmdContext, name, self string) *exError {
	if name == "" {
		return errBadRequest(excParameter, "Cannot bind argument to parameter 'Name' because it is an empty string.")
	}
	if n := len([]rune(name)); n > 64 {
		return errBadRequest(excValidation, "The length of the property is too long. The maximum length is 64 and the length of the value provided is %d.", n)
	}
	for _, rec := range x.st.Exchange.Mailboxes {
		if m := rec.Current; m != nil && m.Guid != self && strings.EqualFold(m.Name, name) {
			return errAlreadyExists("The name \"%s\" is already being used. The object '%s' already exists; specify a unique name.", name, mailboxDN(x.st, m.Name))
		}
	}
	return nil
}

func checkDisplayName(d string) *exError {
	if d == "" {
		return errBadRequest(excValidation, "The DisplayName of a mailbox can't be empty.")
	}
	if n := len([]rune(d)); n > 256 {
		return errBadRequest(excValidation, "The length of the property is too long. The maximum length is 256 and the length of the value provided is %d.", n)
	}
	return nil
}

// aliasChars are the characters an alias may hold besides letters, digits
// and periods (Set-Mailbox -Alias).
const aliasChars = "!#$%&'*+-/=?^_`{|}~"

func validAliasRune(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || strings.ContainsRune(aliasChars, c)
}

// aliasFromName derives an alias from a name by dropping the characters an
// alias can't hold (spaces among them), as Exchange does when Alias is
// omitted.
func aliasFromName(name string) string {
	var b strings.Builder
	for _, c := range name {
		if validAliasRune(c) {
			b.WriteRune(c)
		}
	}
	a := strings.Trim(b.String(), ".")
	for strings.Contains(a, "..") {
		a = strings.ReplaceAll(a, "..", ".")
	}
	return a
}

// checkMailboxAlias: 1 to 64 characters from the documented set, periods
// not first, last or doubled, unique among mailboxes.
func checkMailboxAlias(x *cmdContext, alias, self string) *exError {
	if alias == "" {
		return errBadRequest(excValidation, "The Alias can't be empty.")
	}
	if n := len([]rune(alias)); n > 64 {
		return errBadRequest(excValidation, "The length of the property is too long. The maximum length is 64 and the length of the value provided is %d.", n)
	}
	for _, c := range alias {
		if !validAliasRune(c) {
			return errBadRequest(excValidation, "The alias \"%s\" contains the character '%c', which isn't valid in an alias. Use letters, digits, periods and %s.", alias, c, aliasChars)
		}
	}
	if strings.HasPrefix(alias, ".") || strings.HasSuffix(alias, ".") || strings.Contains(alias, "..") {
		return errBadRequest(excValidation, "The alias \"%s\" isn't valid: periods can't start or end it or follow each other.", alias)
	}
	for _, rec := range x.st.Exchange.Mailboxes {
		if m := rec.Current; m != nil && m.Guid != self && strings.EqualFold(m.Alias, alias) {
			return errAlreadyExists("The alias \"%s\" is already being used by \"%s\". Please choose another alias.", alias, m.Name)
		}
	}
	return nil
}

// checkMailboxAddresses checks m's proxy addresses: exactly one primary;
// SMTP addresses valid, in accepted domains and unique within the mailbox
// and across mailboxes (their addresses and user principal names).
func checkMailboxAddresses(x *cmdContext, m *mailbox) *exError {
	primaries := 0
	var smtp []string
	for _, e := range m.EmailAddresses {
		p, a := splitProxy(e)
		if p == "SMTP" {
			primaries++
		}
		if !strings.EqualFold(p, "smtp") {
			continue
		}
		if err := checkSMTPAddress("EmailAddresses", a); err != nil {
			return errValidation(err)
		}
		if _, d, _ := strings.Cut(a, "@"); !x.st.isAcceptedDomain(d) {
			return errBadRequest(excValidation, "The email address \"%s\" isn't correct: %s isn't an accepted domain of your organization.", a, d)
		}
		smtp = append(smtp, a)
	}
	if primaries != 1 {
		return errBadRequest(excValidation, "A mailbox needs exactly one primary SMTP address (\"SMTP:\"); %d were given.", primaries)
	}
	if err := checkNoDuplicates("EmailAddresses", smtp); err != nil {
		return errValidation(err)
	}
	for _, rec := range x.st.Exchange.Mailboxes {
		o := rec.Current
		if o == nil || o.Guid == m.Guid {
			continue
		}
		for _, a := range smtp {
			if strings.EqualFold(o.UserPrincipalName, a) || containsFold(o.smtpAddresses(), a) {
				return errAlreadyExists("The proxy address \"SMTP:%s\" is already being used by the proxy addresses or LegacyExchangeDN of \"%s\". Please choose another proxy address.", a, o.Name)
			}
		}
	}
	return nil
}

// applyEmailAddresses computes a new EmailAddresses value (Set-Mailbox
// -EmailAddresses). A list replaces the addresses: "SMTP:" marks the
// primary, "smtp:" or no prefix a secondary SMTP address, other prefixes
// (X500:, SIP:, …) are kept as given; without an "SMTP:" entry the first SMTP
// address is the primary. A hashtable adds and removes: adding "SMTP:a"
// makes a the primary and keeps the old primary as a secondary; the primary
// can't be removed unless a new one is added.
func applyEmailAddresses(cur []string, v paramValue) ([]string, *exError) {
	if !v.hashtable {
		if v.null || len(v.list) == 0 {
			return nil, errBadRequest(excValidation, "The EmailAddresses of a mailbox can't be empty: it needs a primary SMTP address.")
		}
		primary, first := "", ""
		var others []string
		for _, raw := range v.list {
			p, a := splitProxy(strings.TrimSpace(raw))
			a = strings.TrimSpace(a)
			if a == "" {
				return nil, errBadRequest(excValidation, "The proxy address \"%s\" is empty.", raw)
			}
			switch {
			case p == "SMTP":
				if primary != "" {
					return nil, errBadRequest(excValidation, "Only one primary SMTP address (\"SMTP:\") is allowed; \"%s\" and \"%s\" were both given.", primary, a)
				}
				primary = a
			case p == "" || strings.EqualFold(p, "smtp"):
				others = append(others, "smtp:"+a)
				if first == "" {
					first = a
				}
			default:
				others = append(others, p+":"+a)
			}
		}
		if primary == "" {
			if first == "" {
				return nil, errBadRequest(excValidation, "The EmailAddresses of a mailbox need a primary SMTP address.")
			}
			primary = first
			others = slices.DeleteFunc(others, func(e string) bool { return e == "smtp:"+first })
		}
		return append([]string{"SMTP:" + primary}, others...), nil
	}
	list := slices.Clone(cur)
	for _, raw := range v.remove {
		p, a := splitProxy(strings.TrimSpace(raw))
		list = slices.DeleteFunc(list, func(e string) bool {
			ep, ea := splitProxy(e)
			if p == "" || strings.EqualFold(p, "smtp") {
				return strings.EqualFold(ep, "smtp") && strings.EqualFold(ea, a)
			}
			return strings.EqualFold(ep, p) && strings.EqualFold(ea, a)
		})
	}
	newPrimary := ""
	for _, raw := range v.add {
		p, a := splitProxy(strings.TrimSpace(raw))
		a = strings.TrimSpace(a)
		if a == "" {
			return nil, errBadRequest(excValidation, "The proxy address \"%s\" is empty.", raw)
		}
		switch {
		case p == "SMTP":
			newPrimary = a
		case p == "" || strings.EqualFold(p, "smtp"):
			if !hasSMTPProxy(list, a) {
				list = append(list, "smtp:"+a)
			}
		default:
			if !containsFold(list, p+":"+a) {
				list = append(list, p+":"+a)
			}
		}
	}
	if newPrimary != "" {
		list = promotePrimary(list, newPrimary)
	}
	if !slices.ContainsFunc(list, func(e string) bool { return strings.HasPrefix(e, "SMTP:") }) {
		return nil, errBadRequest(excValidation, "The primary SMTP address can't be removed. Add a new primary address (\"SMTP:address\") in the same command.")
	}
	return list, nil
}

func hasSMTPProxy(list []string, addr string) bool {
	for _, e := range list {
		if p, a := splitProxy(e); strings.EqualFold(p, "smtp") && strings.EqualFold(a, addr) {
			return true
		}
	}
	return false
}

// promotePrimary makes addr the primary SMTP address, keeping the old
// primary as a secondary address (what Set-Mailbox -WindowsEmailAddress does
// in Exchange Online, where no email address policy applies).
func promotePrimary(list []string, addr string) []string {
	out := []string{"SMTP:" + addr}
	for _, e := range list {
		p, a := splitProxy(e)
		switch {
		case strings.EqualFold(p, "smtp") && strings.EqualFold(a, addr):
			continue
		case p == "SMTP":
			out = append(out, "smtp:"+a)
		default:
			out = append(out, e)
		}
	}
	return out
}

// applyRecipientGuids applies a multi-valued recipient parameter
// (GrantSendOnBehalfTo) whose entries are stored as mailbox Guids; each
// entry may be any identity of a mailbox.
func applyRecipientGuids(x *cmdContext, param string, cur []string, v paramValue) ([]string, *exError) {
	resolve := func(list []string) ([]string, *exError) {
		var out []string
		for _, id := range list {
			_, m, e := resolveMailbox(x, id, true)
			if e != nil {
				return nil, e
			}
			out = append(out, m.Guid)
		}
		return out, nil
	}
	if !v.hashtable {
		if v.null {
			return nil, nil
		}
		out, e := resolve(v.list)
		if e != nil {
			return nil, e
		}
		for i, g := range out {
			if slices.Contains(out[:i], g) {
				return nil, errValidation(fmt.Errorf("the value %q is specified more than once for parameter %s", v.list[i], param))
			}
		}
		return out, nil
	}
	rm, e := resolve(v.remove)
	if e != nil {
		return nil, e
	}
	add, e := resolve(v.add)
	if e != nil {
		return nil, e
	}
	out := slices.DeleteFunc(slices.Clone(cur), func(g string) bool { return slices.Contains(rm, g) })
	for _, g := range add {
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// renderMailbox is Get-Mailbox's output object.
func renderMailbox(x *cmdContext, m *mailbox) object {
	var b objBuilder
	b.val("Alias", m.Alias)
	b.val("DisplayName", m.DisplayName)
	b.val("Name", m.Name)
	b.val("UserPrincipalName", m.UserPrincipalName)
	b.val("MicrosoftOnlineServicesID", m.UserPrincipalName)
	b.val("PrimarySmtpAddress", m.primary())
	b.val("WindowsEmailAddress", m.primary())
	b.strs("EmailAddresses", m.EmailAddresses)
	b.val("RecipientType", "UserMailbox")
	b.val("RecipientTypeDetails", m.recipientTypeDetails())
	b.val("IsShared", m.Shared)
	b.val("AccountDisabled", m.AccountDisabled)
	m.Settings.render(&b, mailboxSettings)
	var fwd *string
	if t := mailboxByGuid(x, m.ForwardingAddress); m.ForwardingAddress != "" && t != nil {
		fwd = &t.Name
	}
	b.str("ForwardingAddress", fwd)
	delegates := []string{}
	for _, g := range m.GrantSendOnBehalfTo {
		if t := mailboxByGuid(x, g); t != nil {
			delegates = append(delegates, t.Name)
		}
	}
	b.strs("GrantSendOnBehalfTo", delegates)
	b.val("MaxSendSize", "35 MB (36,700,160 bytes)")
	b.val("MaxReceiveSize", "36 MB (37,748,736 bytes)")
	b.val("RecipientLimits", "500")
	m.Settings.render(&b, customAttributeSettings)
	b.val("ExternalDirectoryObjectId", m.ExternalDirectoryObjectId)
	b.guid("ExchangeGuid", m.ExchangeGuid)
	b.val("IsMailboxEnabled", true)
	b.val("IsDirSynced", false)
	b.date("WhenMailboxCreated", m.WhenCreated)
	recipientTail(&b, x.st, m)
	return b.o
}

// recipientTail prints the properties every recipient object ends with.
func recipientTail(b *objBuilder, st *state, m *mailbox) {
	b.val("ExchangeVersion", "0.20 (15.0.0.0)")
	b.val("DistinguishedName", mailboxDN(st, m.Name))
	b.val("Identity", m.Name)
	b.val("Id", m.Name)
	b.guid("Guid", m.Guid)
	b.date("WhenChanged", m.WhenChanged)
	b.date("WhenCreated", m.WhenCreated)
	b.date("WhenChangedUTC", m.WhenChanged)
	b.date("WhenCreatedUTC", m.WhenCreated)
	b.val("IsValid", true)
	b.val("ObjectState", "Unchanged")
}
