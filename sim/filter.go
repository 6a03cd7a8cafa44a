package sim

import (
	"slices"
	"strconv"
	"strings"
)

// -Filter on the recipient Get-cmdlets (Get-Mailbox, Get-CASMailbox,
// Get-Recipient) takes the OPATH subset of managementscope_opath.go over the
// properties below, a subset of Microsoft's "Filterable properties for the
// Filter parameter". A clause naming any other property is refused as
// Exchange refuses it: "<Property>" is not a recognized filterable property.
// The filter is checked once and evaluated in the same pass that lists the
// mailboxes, so a paged read filters once, at its first page.

// recipientFilterProps are the filterable properties of every recipient
// cmdlet, by lower-case name, with their values for a mailbox.
var recipientFilterProps = map[string]func(m *mailbox) []string{
	"alias":                     func(m *mailbox) []string { return []string{m.Alias} },
	"name":                      func(m *mailbox) []string { return []string{m.Name} },
	"displayname":               func(m *mailbox) []string { return []string{m.DisplayName} },
	"primarysmtpaddress":        func(m *mailbox) []string { return []string{m.primary()} },
	"windowsemailaddress":       func(m *mailbox) []string { return []string{m.primary()} },
	"userprincipalname":         func(m *mailbox) []string { return []string{m.UserPrincipalName} },
	"emailaddresses":            filterEmailAddresses,
	"recipienttype":             func(*mailbox) []string { return []string{"UserMailbox"} },
	"recipienttypedetails":      func(m *mailbox) []string { return []string{m.recipientTypeDetails()} },
	"externaldirectoryobjectid": func(m *mailbox) []string { return []string{m.ExternalDirectoryObjectId} },
	"guid":                      func(m *mailbox) []string { return []string{m.Guid} },
	"exchangeguid":              func(m *mailbox) []string { return []string{m.ExchangeGuid} },
	"hiddenfromaddresslistsenabled": func(m *mailbox) []string {
		return []string{boolText(m.Settings.boolOf(&mailboxSettings[0]))} // HiddenFromAddressListsEnabled
	},
}

// casFilterProps are Get-CASMailbox's own filterable properties besides the
// recipient ones: the protocol switches administrators filter on.
var casFilterProps = []string{"ActiveSyncEnabled", "EwsEnabled", "ImapEnabled", "MAPIEnabled", "OWAEnabled", "PopEnabled"}

func init() {
	for i := 1; i <= 15; i++ {
		name := "CustomAttribute" + strconv.Itoa(i)
		recipientFilterProps[strings.ToLower(name)] = func(m *mailbox) []string {
			if v, ok := m.Settings.Strings[name]; ok {
				return []string{v}
			}
			return nil
		}
	}
}

// filterEmailAddresses offers each proxy address both as written
// ("SMTP:a@contoso.com") and without its prefix, so that -eq and -like match
// either form, as Exchange's EmailAddresses filter does.
func filterEmailAddresses(m *mailbox) []string {
	out := make([]string, 0, 2*len(m.EmailAddresses))
	for _, e := range m.EmailAddresses {
		_, a := splitProxy(e)
		out = append(out, e, a)
	}
	return out
}

func boolText(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// mailboxFilter parses the -Filter parameter of a recipient Get-cmdlet; cas
// adds Get-CASMailbox's protocol properties. It returns nil when there is no
// filter.
func mailboxFilter(p params, cas bool) (func(*mailbox) bool, *exError) {
	v, ok := p["Filter"]
	if !ok || v.null {
		return nil, nil
	}
	f := strings.TrimSpace(v.str)
	if f == "" {
		return nil, errBadRequest(excParameter, "Cannot bind argument to parameter 'Filter' because it is an empty string.")
	}
	n, err := parseOPATH(f)
	if err != nil {
		return nil, errBadRequest(excParameter, "Cannot bind parameter 'Filter' to the target. Exception setting \"Filter\": \"%s\"", err.Error())
	}
	for _, prop := range opathProps(n) {
		low := strings.ToLower(prop)
		if recipientFilterProps[low] == nil && !(cas && slices.ContainsFunc(casFilterProps, func(c string) bool { return strings.EqualFold(c, prop) })) {
			return nil, errBadRequest(excParameter, "Cannot bind parameter 'Filter' to the target. Exception setting \"Filter\": \"\"%s\" is not a recognized filterable property. Valid property names are: %s.\"", prop, strings.Join(filterPropNames(cas), ", "))
		}
	}
	return func(m *mailbox) bool {
		return n.eval(func(prop string) []string {
			low := strings.ToLower(prop)
			if get := recipientFilterProps[low]; get != nil {
				return get(m)
			}
			for i := range casSettings {
				if s := &casSettings[i]; strings.EqualFold(s.name, prop) {
					return []string{boolText(m.CAS.boolOf(s))}
				}
			}
			return nil
		})
	}, nil
}

// filterPropNames lists the filterable properties for the error text.
func filterPropNames(cas bool) []string {
	names := []string{"Alias", "DisplayName", "EmailAddresses", "ExchangeGuid", "ExternalDirectoryObjectId", "Guid",
		"HiddenFromAddressListsEnabled", "Name", "PrimarySmtpAddress", "RecipientType", "RecipientTypeDetails",
		"UserPrincipalName", "WindowsEmailAddress"}
	for i := 1; i <= 15; i++ {
		names = append(names, "CustomAttribute"+strconv.Itoa(i))
	}
	if cas {
		names = append(names, casFilterProps...)
	}
	slices.Sort(names)
	return names
}
