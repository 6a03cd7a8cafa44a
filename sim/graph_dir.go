package sim

import (
	"net/http"
	"strings"
)

// gUser is the user view of a mailbox: Entra users are not stored
// separately, every simulated mailbox (user or shared) is a user whose id is
// the mailbox's ExternalDirectoryObjectId.
type gUser struct {
	ID                string   `json:"id"`
	BusinessPhones    []string `json:"businessPhones"`
	DisplayName       string   `json:"displayName"`
	GivenName         *string  `json:"givenName"`
	JobTitle          *string  `json:"jobTitle"`
	Mail              string   `json:"mail"`
	MobilePhone       *string  `json:"mobilePhone"`
	OfficeLocation    *string  `json:"officeLocation"`
	PreferredLanguage *string  `json:"preferredLanguage"`
	Surname           *string  `json:"surname"`
	UserPrincipalName string   `json:"userPrincipalName"`
	// Returned only when selected, as Graph does for non-default properties.
	AccountEnabled *bool    `json:"accountEnabled,omitempty"`
	ProxyAddresses []string `json:"proxyAddresses,omitempty"`
}

func userOf(m *mailbox, full bool) *gUser {
	u := &gUser{ID: m.ExternalDirectoryObjectId, BusinessPhones: []string{}, DisplayName: m.DisplayName, UserPrincipalName: m.UserPrincipalName}
	for _, a := range m.EmailAddresses {
		if strings.HasPrefix(a, "SMTP:") {
			u.Mail = a[5:]
		}
	}
	if full {
		enabled := !m.AccountDisabled
		u.AccountEnabled = &enabled
		u.ProxyAddresses = append([]string{}, m.EmailAddresses...)
	}
	return u
}

func (x *gCtx) findUser(idOrUPN string) *gUser {
	g, isGUID := parseGUID(idOrUPN)
	for _, m := range visibleList(x.st.Exchange.Mailboxes, x.now) {
		if (isGUID && m.ExternalDirectoryObjectId == g) || (!isGUID && strings.EqualFold(m.UserPrincipalName, idOrUPN)) {
			return userOf(m, x.query.Get("$select") != "")
		}
	}
	return nil
}

func (x *gCtx) users(keyed bool, id string, rest []string) (gResp, *gError) {
	if e := x.need(gReadUsers...); e != nil {
		return gResp{}, e
	}
	if x.method != http.MethodGet || len(rest) > 0 {
		return gResp{}, methodNotAllowed()
	}
	if keyed {
		u := x.findUser(id)
		if u == nil {
			return gResp{}, gNotFound(id)
		}
		return x.entity(http.StatusOK, "users/$entity", u)
	}
	var items []any
	full := x.query.Get("$select") != "" || x.query.Get("$filter") != ""
	for _, m := range visibleList(x.st.Exchange.Mailboxes, x.now) {
		items = append(items, userOf(m, full))
	}
	return x.list("users", "users", items, "userPrincipalName", "mail", "displayName", "id", "accountEnabled")
}

func (x *gCtx) domains(keyed bool, id string, rest []string) (gResp, *gError) {
	if e := x.need(gReadDomains...); e != nil {
		return gResp{}, e
	}
	if x.method != http.MethodGet || len(rest) > 0 {
		return gResp{}, methodNotAllowed()
	}
	def := rcpDefaultDomain(x.st)
	var items []any
	for _, d := range x.st.Tenant.AcceptedDomains {
		d = strings.ToLower(d)
		dom := object{
			{"authenticationType", "Managed"}, {"availabilityStatus", nil}, {"id", d}, {"isAdminManaged", true},
			{"isDefault", d == def}, {"isInitial", strings.EqualFold(d, x.st.Tenant.InitialDomain)}, {"isRoot", true},
			{"isVerified", true}, {"manufacturer", nil}, {"model", nil}, {"passwordNotificationWindowInDays", 14},
			{"passwordValidityPeriodInDays", 2147483647}, {"supportedServices", []string{"Email", "OfficeCommunicationsOnlineUser"}},
			{"state", nil},
		}
		if keyed && strings.EqualFold(id, d) {
			return x.entity(http.StatusOK, "domains/$entity", dom)
		}
		items = append(items, dom)
	}
	if keyed {
		return gResp{}, gNotFound(id)
	}
	return x.list("domains", "domains", items, "id", "isDefault", "isInitial", "isVerified")
}

func (x *gCtx) organization(keyed bool, id string, rest []string) (gResp, *gError) {
	if e := x.need(gReadOrg...); e != nil {
		return gResp{}, e
	}
	if x.method != http.MethodGet || len(rest) > 0 {
		return gResp{}, methodNotAllowed()
	}
	t := x.st.Tenant
	def := rcpDefaultDomain(x.st)
	var vds []object
	for _, d := range t.AcceptedDomains {
		d = strings.ToLower(d)
		vds = append(vds, object{{"capabilities", "Email, OfficeCommunicationsOnlineUser"}, {"isDefault", d == def},
			{"isInitial", strings.EqualFold(d, t.InitialDomain)}, {"name", d}, {"type", "Managed"}})
	}
	org := object{
		{"id", t.ID}, {"deletedDateTime", nil}, {"businessPhones", []string{}}, {"city", nil}, {"country", nil},
		{"countryLetterCode", "US"}, {"createdDateTime", "2019-05-06T08:00:00Z"}, {"displayName", t.DisplayName},
		{"onPremisesSyncEnabled", nil}, {"preferredLanguage", "en"}, {"tenantType", "AAD"},
		{"technicalNotificationMails", []string{"admin@" + t.InitialDomain}}, {"verifiedDomains", vds},
	}
	if keyed {
		if g, ok := parseGUID(id); !ok || g != t.ID {
			return gResp{}, gNotFound(id)
		}
		return x.entity(http.StatusOK, "organization/$entity", org)
	}
	return x.list("organization", "organization", []any{org}, "id")
}
