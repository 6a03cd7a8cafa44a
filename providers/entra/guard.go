package entra

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// The guards of the Entra types (providers.Guarder): the one Graph GET that a generated script
// sends before each change, and what it compares in the answer.
//
// An object that exists is read by its id; one that a change creates, by its natural key with
// $filter (an application by displayName, a vendor's service principal by appId), so that a
// second run of the script finds what the first one created. What a guard cannot see in that
// one answer — the grants and role assignments of admin consent, an application's owners and
// federated credentials, its service principal — is listed in Guard.Unchecked.
//
// The ownership marker of an application or service principal is one of its tags, next to the
// user's (or the publisher's) tags. providers.OwnerCheck reads a marker out of a text property,
// and a CompareSet on the marker alone would fail on any other tag, so the guards compare the
// whole tags property as a set: the tags as read when planning plus the marker line then, before;
// the tags the change writes (marker included), after. That checks the marker and its flags
// exactly, and the user's tags with them.

const (
	// appGuardSelect is what an application's guard reads: the properties it compares and the
	// ones a skipped create provides.
	appGuardSelect = "id,appId,displayName,signInAudience,notes,tags"
	// spGuardSelect is the same for a service principal.
	spGuardSelect = "id,appId,displayName,tags"
)

// Guard implements providers.Guarder: the policy is read at its fixed path and isEnabled
// compared.
func (r *securityDefaults) Guard(c providers.Change) (providers.Guard, error) {
	if c.Kind != providers.Update {
		return providers.Guard{}, fmt.Errorf("the security defaults policy is only ever updated")
	}
	checks, unchecked := providers.AttrChecks(SecurityDefaultsType, c, func(a *schema.Attribute) (string, func(cty.Value) any, providers.Compare, bool) {
		if a.Name == "is_enabled" {
			return "isEnabled", wireBool, providers.CompareExact, true
		}
		return "", nil, 0, false
	})
	return providers.Guard{Read: graphOp("GET", securityDefaultsPath, nil), Checks: checks, Unchecked: unchecked}, nil
}

// Guard implements providers.Guarder. The read is the application (by id, or for a create by
// displayName); it compares displayName, signInAudience, notes, and the tags with the
// ownership marker. A create that a first run made provides appId and id from that answer.
// Unchecked, because they take other requests: api_permission (requiredResourceAccess names
// permissions by id, which only the tenant's service principals turn into the names the plan
// compares), admin_consent (app role assignments and delegated grants of the service
// principal), federated_identity_credential and owners (collections of their own), and, when the
// change creates it, the service principal: service_principal_id cannot be provided, see
// guardProvides.
func (r *application) Guard(c providers.Change) (providers.Guard, error) {
	var g providers.Guard
	switch {
	case c.Kind == providers.Create:
		name, ok := knownString(c.Desired.GetAttr("display_name"))
		if !ok {
			return g, fmt.Errorf("the application has no display_name")
		}
		g.Read = graphOp("GET", "/applications?$filter="+filterEq("displayName", name)+"&$select="+appGuardSelect, nil)
		g.List = "value"
	case c.Prior != nil && c.Prior.ID != "":
		g.Read = graphOp("GET", "/applications/"+seg(c.Prior.ID)+"?$select="+appGuardSelect, nil)
	default:
		return g, fmt.Errorf("the application as read has no id")
	}
	checks, unchecked := providers.AttrChecks(ApplicationType, c, func(a *schema.Attribute) (string, func(cty.Value) any, providers.Compare, bool) {
		switch a.Name {
		case "display_name":
			return "displayName", wireString, providers.CompareFold, true
		case "sign_in_audience":
			return "signInAudience", wireString, providers.CompareExact, true
		case "notes":
			return "notes", wireString, providers.CompareExact, true
		}
		return "", nil, 0, false
	})
	g.Checks = append(checks, r.tagsCheck(c))
	ops, err := r.Compile(c)
	if err != nil {
		return g, err
	}
	var missing []string
	g.Provides, missing = guardProvides(ApplicationType, c, ops, map[string]string{"app_id": "appId", "id": "id"})
	// The service principal's id is not in the application's answer: a run that skips the
	// create looks the principal up by the appId the read provided.
	if i := slices.Index(missing, "service_principal_id"); i >= 0 {
		missing = slices.Delete(missing, i, i+1)
		// The app id the create produces; an existing app's (an update that creates a
		// principal a stopped apply never made) is known from the plan's read.
		appID := schema.Placeholder(c.Addr, "app_id")
		if c.Prior != nil {
			if id, ok := knownString(c.Prior.Value.GetAttr("app_id")); ok {
				appID = id
			}
		}
		g.Lookups = append(g.Lookups, providers.Lookup{
			Read: graphOp("GET", "/servicePrincipals?$filter="+filterEq("appId", appID)+"&$select=id", nil),
			List: "value", Property: "id", Ref: c.Addr + ".service_principal_id"})
	}
	// tags is compared above, with the marker; computed attributes are what the read provides.
	g.Unchecked = guardUnchecked(ApplicationType, unchecked, missing, "tags")
	return g, nil
}

// tagsCheck compares an application's tags with its ownership marker: the tags and marker
// as read when planning, before; after, what the change's POST or PATCH writes (appTags), or
// the same when it writes no tags.
func (r *application) tagsCheck(c providers.Change) providers.GuardCheck {
	var before []string
	if c.Prior != nil {
		before = withMarker(setStrings(c.Prior.Value.GetAttr("tags")), priorMarker(c.Prior))
	}
	after := before
	set := map[string]bool{}
	for _, s := range c.Set {
		set[s] = true
	}
	if c.Kind == providers.Create || c.Kind == providers.Update && (set["tags"] || c.WriteMarker) {
		after = appTags(c.Desired, c.Marker)
	}
	return providers.GuardCheck{Attr: "tags and ownership marker", Property: "tags", Before: orEmpty(before), After: orEmpty(after), Compare: providers.CompareSet}
}

// Guard implements providers.Guarder. The read is the application's passwordCredentials, by
// the application's client id (a placeholder when the same run creates the application, as in
// the operations); the secret is the credential with the declared displayName. The check is its
// endDateTime: the secret's end as read when planning, before; the end the plan chose for the
// new secret, after. A skipped create or rotation provides the new secret's keyId.
//
// lifetime is not a property (exoform reads it as endDateTime - startDateTime) and stays
// unchecked; rotate_before and value_file are not properties of the secret at all, and
// application and display_name are how the guard finds it.
func (r *applicationPassword) Guard(c providers.Change) (providers.Guard, error) {
	var g providers.Guard
	if c.Kind == providers.Delete {
		return g, fmt.Errorf("%s objects are never deleted", appPasswordTypeName)
	}
	appID, name := "", ""
	if c.Prior != nil {
		appID, _ = knownString(c.Prior.Value.GetAttr("application"))
		name, _ = knownString(c.Prior.Value.GetAttr("display_name"))
	}
	if appID == "" {
		appID, _ = knownString(c.Desired.GetAttr("application"))
	}
	if name == "" {
		name, _ = knownString(c.Desired.GetAttr("display_name"))
	}
	if appID == "" || name == "" {
		return g, fmt.Errorf("the client secret names no application or display_name")
	}
	g.Read = graphOp("GET", "/applications(appId='"+appID+"')?$select=passwordCredentials", nil) // as appPasswordPath
	g.List = "passwordCredentials"
	g.Match = []providers.Field{{Property: "displayName", Value: name}}
	checks, unchecked := providers.AttrChecks(ApplicationPasswordType, c, func(a *schema.Attribute) (string, func(cty.Value) any, providers.Compare, bool) {
		if a.Name == "end_date_time" {
			return "endDateTime", wirePlannedEnd, providers.CompareExact, true
		}
		return "", nil, 0, false
	})
	g.Checks = checks
	ops, err := r.Compile(c)
	if err != nil {
		return g, err
	}
	var missing []string
	g.Provides, missing = guardProvides(ApplicationPasswordType, c, ops, map[string]string{"key_id": "keyId"})
	g.Unchecked = guardUnchecked(ApplicationPasswordType, unchecked, missing, "application", "display_name", "rotate_before", "value_file")
	return g, nil
}

// Guard implements providers.Guarder. The read is the service principal (by id, or for a
// create by appId); it compares appId and the tags with the ownership marker (the publisher's
// tags and exoform's marker line). A create that a first run made provides id and displayName.
// api_permission and admin_consent are the principal's app role assignments and delegated
// grants, other collections: unchecked.
func (r *servicePrincipal) Guard(c providers.Change) (providers.Guard, error) {
	var g providers.Guard
	switch {
	case c.Kind == providers.Create:
		appID, ok := knownString(c.Desired.GetAttr("app_id"))
		if !ok {
			return g, fmt.Errorf("the service principal has no app_id")
		}
		g.Read = graphOp("GET", "/servicePrincipals?$filter="+filterEq("appId", appID)+"&$select="+spGuardSelect, nil)
		g.List = "value"
	case c.Prior != nil && c.Prior.ID != "":
		g.Read = graphOp("GET", "/servicePrincipals/"+seg(c.Prior.ID)+"?$select="+spGuardSelect, nil)
	default:
		return g, fmt.Errorf("the service principal as read has no id")
	}
	checks, unchecked := providers.AttrChecks(ServicePrincipalType, c, func(a *schema.Attribute) (string, func(cty.Value) any, providers.Compare, bool) {
		if a.Name == "app_id" {
			return "appId", wireString, providers.CompareFold, true
		}
		return "", nil, 0, false
	})
	var before []string
	if c.Prior != nil {
		before = withMarker(spPublisherTags(c.Prior), priorMarker(c.Prior))
	}
	after := before
	switch {
	case c.Kind == providers.Create:
		after = []string{c.Marker.String()} // the POST's tags
	case c.Kind == providers.Update && c.WriteMarker:
		after = spTags(c.Prior, c.Marker) // the PATCH's tags
	}
	g.Checks = append(checks, providers.GuardCheck{Attr: "ownership marker and publisher tags", Property: "tags", Before: orEmpty(before), After: orEmpty(after), Compare: providers.CompareSet})
	ops, err := r.Compile(c)
	if err != nil {
		return g, err
	}
	var missing []string
	g.Provides, missing = guardProvides(ServicePrincipalType, c, ops, map[string]string{"id": "id", "display_name": "displayName"})
	g.Unchecked = guardUnchecked(ServicePrincipalType, unchecked, missing)
	return g, nil
}

// spPublisherTags are the tags of a service principal other than the marker, as read.
func spPublisherTags(o *providers.LiveObject) []string {
	var out []string
	for _, t := range strings.Split(o.Meta["tags"], "\n") {
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

// priorMarker is the marker an object carried when planning; "" when it carried none.
func priorMarker(o *providers.LiveObject) string {
	if o.Owner == "" {
		return ""
	}
	return providers.Marker{Workspace: o.Owner, PreventDestroy: o.Protected, AllowDestroy: o.AllowDestroy}.String()
}

func withMarker(tags []string, marker string) []string {
	out := append([]string{}, tags...)
	if marker != "" {
		out = append(out, marker)
	}
	return out
}

// orEmpty makes a missing list an empty one, so that a check always compares a list.
func orEmpty(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

// guardProvides maps the values that a change's operations produce for the change's own
// attributes (Operation.Produces) to the properties of the guard's read that hold them: props
// maps an attribute to its property. Values of attributes not in props cannot be provided when
// a run skips the change; they are returned, so that the guard lists them as unchecked. A later
// change that uses one of them then fails in the script for want of the value (the script
// substitutes only values it has), rather than doing anything with a wrong one.
//
// entra_application's service_principal_id is such a value: the create makes the application,
// then its service principal, and one GET cannot read both (applications have no navigation to
// their service principal, and the principal's own lookup needs the appId the skipped create
// would have produced). Values produced for the operations' own use (an owner's user id) are
// not attributes and are left out.
func guardProvides(t *schema.ResourceType, c providers.Change, ops []providers.Operation, props map[string]string) (provides []providers.Field, missing []string) {
	seen := map[string]bool{}
	for _, op := range ops {
		for _, ref := range op.Produces {
			if r, ok := schema.PlaceholderRef(ref); ok {
				ref = r
			}
			attr, ok := strings.CutPrefix(ref, c.Addr+".")
			if !ok || c.Addr == "" || t.Attribute(attr) == nil || seen[ref] {
				continue
			}
			seen[ref] = true
			if p, ok := props[attr]; ok {
				provides = append(provides, providers.Field{Property: p, Value: ref})
			} else {
				missing = append(missing, attr)
			}
		}
	}
	sort.Slice(provides, func(i, j int) bool { return provides[i].Value < provides[j].Value })
	return provides, missing
}

// guardUnchecked is the Unchecked list of a guard: the attributes AttrChecks left out, less
// those the guard covers otherwise (covered) and the computed ones (values the read provides,
// not settings), plus the produced values it cannot provide.
func guardUnchecked(t *schema.ResourceType, unchecked, missing []string, covered ...string) []string {
	drop := map[string]bool{}
	for _, s := range covered {
		drop[s] = true
	}
	var out []string
	for _, s := range unchecked {
		if a := t.Attribute(s); drop[s] || a != nil && a.Computed {
			continue
		}
		out = append(out, s)
	}
	out = append(out, missing...)
	sort.Strings(out)
	return out
}

// filterEq is a $filter clause "prop eq 'value'": the value quoted as an OData string literal
// (single quotes doubled) and percent-encoded where it would otherwise end or change the query
// (&, #, +, %, spaces, non-ASCII...). Placeholders are kept as they are, as in the operations'
// paths, for the script to fill in.
func filterEq(prop, value string) string {
	texts, _ := schema.SplitPlaceholders(value)
	var b strings.Builder
	b.WriteString(prop + "%20eq%20'")
	rest := value
	for i, t := range texts {
		b.WriteString(queryEscape(strings.ReplaceAll(t, "'", "''")))
		rest = rest[len(t):]
		if i < len(texts)-1 {
			// The placeholder itself: up to and including its closing bracket.
			end := strings.Index(rest, "⟫") + len("⟫")
			b.WriteString(rest[:end])
			rest = rest[end:]
		}
	}
	b.WriteString("'")
	return b.String()
}

// queryEscape percent-encodes every byte of s except letters, digits and -._~'()*,:@!/,
// which mean nothing special in a query value.
func queryEscape(s string) string {
	const safe = "-._~'()*,:@!/"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' || strings.IndexByte(safe, ch) >= 0 {
			b.WriteByte(ch)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", ch)
	}
	return b.String()
}

// Wire forms of attribute values for guard checks (the kinds a providers.Param holds).

func wireString(v cty.Value) any {
	if v.IsNull() || !v.IsKnown() {
		return nil
	}
	return v.AsString()
}

func wireBool(v cty.Value) any {
	if v.IsNull() || !v.IsKnown() {
		return nil
	}
	return v.True()
}

// wirePlannedEnd is a secret's end_date_time as Graph writes endDateTime: the planned end of
// the new secret for a create or rotation ("…; new secret expires T"), the end as read otherwise.
func wirePlannedEnd(v cty.Value) any {
	s, ok := knownString(v)
	if !ok {
		return nil
	}
	if i := strings.LastIndex(s, appPasswordNewExpires); i >= 0 {
		s = s[i+len(appPasswordNewExpires):]
	}
	return s
}
