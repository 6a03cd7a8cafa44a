package exchange

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/schema/diag"
)

// Shared helpers of the recipient-side resources: exchange_transport_config,
// exchange_organization_config, exchange_cas_mailbox, exchange_shared_mailbox,
// exchange_mailbox_permissions and exchange_inbox_rule.

// recipientInvoke runs a read cmdlet and refuses a result that came with non-terminating
// errors: part of the list may be missing, and an incomplete read must not look like absence.
func recipientInvoke(ctx context.Context, c invoker, cmdlet string, params providers.Params) ([]map[string]any, error) {
	res, err := c.Invoke(ctx, cmdlet, params)
	if err != nil {
		return nil, err
	}
	if len(res.Errors) > 0 {
		return nil, fmt.Errorf("%s reported errors, so the result may be incomplete: %s", cmdlet, strings.Join(res.Errors, "; "))
	}
	return res.Objects, nil
}

// recipientStr returns a string property of a Get-* output object ("" when absent or null).
func recipientStr(o map[string]any, key string) string {
	switch v := o[key].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return ""
}

// recipientBool returns a Boolean property, accepting the "True"/"False" strings some cmdlets
// serialise.
func recipientBool(o map[string]any, key string) bool {
	switch v := o[key].(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(v, "true")
	}
	return false
}

// recipientList returns a multi-valued property as strings: an array, a single string, or
// (for rights such as "FullAccess, ReadPermission") a comma-separated string when split is set.
func recipientList(v any, split bool) []string {
	var out []string
	add := func(s string) {
		if split {
			for _, p := range strings.Split(s, ",") {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, p)
				}
			}
			return
		}
		if s != "" {
			out = append(out, s)
		}
	}
	switch t := v.(type) {
	case string:
		add(t)
	case []any:
		for _, e := range t {
			if s, ok := e.(string); ok {
				add(s)
			}
		}
	}
	return out
}

// recipientToCty is toCty that also accepts a number or a Boolean for a string attribute
// (Exchange serialises "Unlimited"-typed values as either) and strings in multi-valued ones.
func recipientToCty(a *schema.Attribute, raw any) (cty.Value, error) {
	if a.Type == cty.String && !a.TriState {
		switch v := raw.(type) {
		case json.Number:
			return cty.StringVal(v.String()), nil
		case float64:
			return cty.StringVal(fmt.Sprint(v)), nil
		case bool:
			return cty.StringVal(fmt.Sprint(v)), nil
		}
	}
	return toCty(a, raw)
}

// recipientValue maps a Get-* output object to a value of the type: each attribute from its
// wire property, except those in override, which the caller computed.
func recipientValue(t *schema.ResourceType, o map[string]any, override map[string]cty.Value) (cty.Value, error) {
	attrs := make(map[string]cty.Value, len(t.Attributes))
	for _, a := range t.Attributes {
		if v, ok := override[a.Name]; ok {
			attrs[a.Name] = v
			continue
		}
		v, err := recipientToCty(a, o[a.Wire])
		if err != nil {
			return cty.NilVal, fmt.Errorf("%s: %w", a.Wire, err)
		}
		attrs[a.Name] = v
	}
	return cty.ObjectVal(attrs), nil
}

// recipientSetOf builds a set value from strings; no strings give the empty set.
func recipientSetOf(ss []string) cty.Value {
	if len(ss) == 0 {
		return cty.SetValEmpty(cty.String)
	}
	vals := make([]cty.Value, len(ss))
	for i, s := range ss {
		vals[i] = cty.StringVal(s)
	}
	return cty.SetVal(vals)
}

// recipientStrings returns the elements of a set value, sorted; null gives nil.
func recipientStrings(v cty.Value) []string {
	if v.IsNull() || !v.IsKnown() {
		return nil
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if !e.IsNull() {
			out = append(out, e.AsString())
		}
	}
	sort.Strings(out)
	return out
}

// recipientDelta returns what to add to have into want and what to remove from it, comparing
// case-insensitively; both sorted, so that a change compiles to the same operations every time.
func recipientDelta(have, want []string) (add, remove []string) {
	in := func(ss []string, s string) bool {
		for _, x := range ss {
			if strings.EqualFold(x, s) {
				return true
			}
		}
		return false
	}
	for _, w := range want {
		if !in(have, w) && !in(add, w) {
			add = append(add, w)
		}
	}
	for _, h := range have {
		if !in(want, h) && !in(remove, h) {
			remove = append(remove, h)
		}
	}
	sort.Strings(add)
	sort.Strings(remove)
	return add, remove
}

// recipientParam is paramValue, except that an empty multi-valued property is sent as $null,
// which clears it.
func recipientParam(a *schema.Attribute, v cty.Value) any {
	if a.IsSet() && !v.IsNull() && v.LengthInt() == 0 {
		return nil
	}
	return paramValue(a, v)
}

// recipientSetParams appends a parameter for every attribute the change sets, in the type's
// attribute order, skipping key attributes and those skip names. enc encodes a value; nil
// means recipientParam.
func recipientSetParams(t *schema.ResourceType, c providers.Change, ps providers.Params, skip map[string]bool,
	enc func(a *schema.Attribute, v cty.Value) any) providers.Params {
	set := map[string]bool{}
	for _, n := range c.Set {
		set[n] = true
	}
	for _, a := range t.Attributes {
		if !set[a.Name] || t.IsKey(a.Name) || skip[a.Name] {
			continue
		}
		v := c.Desired.GetAttr(a.Name)
		var pv any
		if enc != nil {
			pv = enc(a, v)
		} else {
			pv = recipientParam(a, v)
		}
		ps = append(ps, providers.Param{Name: a.Wire, Value: pv})
	}
	return ps
}

// recipientCreateParams appends a parameter for every non-null attribute of a new object
// except the names in skip; empty sets are left out.
func recipientCreateParams(t *schema.ResourceType, desired cty.Value, ps providers.Params, skip map[string]bool,
	enc func(a *schema.Attribute, v cty.Value) any) providers.Params {
	for _, a := range t.Attributes {
		if skip[a.Name] {
			continue
		}
		v := desired.GetAttr(a.Name)
		if v.IsNull() || (a.IsSet() && v.LengthInt() == 0) {
			continue
		}
		var pv any
		if enc != nil {
			pv = enc(a, v)
		} else {
			pv = recipientParam(a, v)
		}
		ps = append(ps, providers.Param{Name: a.Wire, Value: pv})
	}
	return ps
}

// recipientSettingOnly refuses the change kinds a settings type never compiles.
func recipientSettingOnly(t *schema.ResourceType, c providers.Change) error {
	if c.Kind != providers.Update || c.Prior == nil {
		return fmt.Errorf("%s objects are never created or deleted, only updated", t.Name)
	}
	return nil
}

// Identities of recipients. Get-CASMailbox and Get-Mailbox report a mailbox's names in several
// properties; Exchange accepts each of them wherever it takes a mailbox identity.
var recipientNameProps = []string{
	"PrimarySmtpAddress", "UserPrincipalName", "WindowsEmailAddress", "MicrosoftOnlineServicesID",
	"Identity", "Id", "Name", "Alias", "SamAccountName", "DisplayName", "DistinguishedName",
	"LegacyExchangeDN", "Guid", "ExchangeGuid", "ExchangeObjectId", "ExternalDirectoryObjectId",
}

// recipientNames lists every name a Get-CASMailbox or Get-Mailbox object answers to: the name
// properties and each SMTP proxy address without its prefix. The display name is listed too,
// although Exchange does not take it as an identity: exoform always sends the canonical key,
// and recipientUniqueNames drops any name that more than one mailbox has.
func recipientNames(o map[string]any) []string {
	// A mailbox has a handful of names: a linear search is cheaper than a map per mailbox,
	// and a plan reads tens of thousands of them.
	var out []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s == "" {
			return
		}
		for _, have := range out {
			if strings.EqualFold(have, s) {
				return
			}
		}
		out = append(out, s)
	}
	for _, p := range recipientNameProps {
		add(recipientStr(o, p))
	}
	for _, a := range recipientList(o["EmailAddresses"], false) {
		if addr, ok := recipientProxySMTP(a); ok {
			add(addr)
		}
	}
	return out
}

// recipientUniqueNames removes from each object's Names those that another object also has
// (two mailboxes with one display name): an ambiguous name must match neither, rather than an
// arbitrary one.
func recipientUniqueNames(objs []providers.LiveObject) {
	// Each name is lower-cased once; lower[i] holds object i's key and then its names.
	lower := make([][]string, len(objs))
	n := 0
	for i, o := range objs {
		l := make([]string, 0, 1+len(o.Names))
		for _, name := range append([]string{o.Key}, o.Names...) {
			l = append(l, strings.ToLower(name))
		}
		lower[i] = l
		n += len(l)
	}
	count := make(map[string]int, n)
	for _, l := range lower {
		for j, name := range l {
			if !slices.Contains(l[:j], name) { // an object counts each of its names once
				count[name]++
			}
		}
	}
	for i := range objs {
		l := lower[i]
		kept := objs[i].Names[:0]
		for j, name := range objs[i].Names {
			if ln := l[j+1]; count[ln] == 1 && ln != l[0] {
				kept = append(kept, name)
			}
		}
		objs[i].Names = kept
	}
}

// recipientProxySMTP returns the address of an SMTP proxy address ("SMTP:a@b" or "smtp:a@b").
func recipientProxySMTP(proxy string) (string, bool) {
	if len(proxy) > 5 && strings.EqualFold(proxy[:5], "smtp:") {
		return proxy[5:], true
	}
	return "", false
}

// recipientDirectory finds the mailboxes that exchange_cas_mailbox read (every mailbox of the
// tenant, in one bulk read) by any of their names.
type recipientDirectory map[string]*providers.LiveObject

// recipientLocalPart keys the directory's index of address local parts; the NUL byte keeps it
// apart from every name.
const recipientLocalPart = "\x00local:"

// directoryCache keeps the directory of the last list of mailboxes it was asked for: a plan
// resolves every declaration against the same bulk read, and building the index once per
// declaration made planning thousands of them quadratic.
type directoryCache struct {
	mu    sync.Mutex
	first *providers.LiveObject // identifies the list: its first element and its length
	n     int
	dir   recipientDirectory
}

func (c *directoryCache) get(objs []providers.LiveObject) recipientDirectory {
	c.mu.Lock()
	defer c.mu.Unlock()
	var first *providers.LiveObject
	if len(objs) > 0 {
		first = &objs[0]
	}
	if c.dir == nil || c.first != first || c.n != len(objs) {
		c.first, c.n, c.dir = first, len(objs), newRecipientDirectory(objs)
	}
	return c.dir
}

func newRecipientDirectory(objs []providers.LiveObject) recipientDirectory {
	n := 0
	for i := range objs {
		n += 2 + len(objs[i].Names)
	}
	d := make(recipientDirectory, n)
	for i := range objs {
		for _, n := range objs[i].Names {
			d[strings.ToLower(n)] = &objs[i]
		}
	}
	for i := range objs {
		d[strings.ToLower(objs[i].Key)] = &objs[i]
		if local, _, ok := strings.Cut(objs[i].Key, "@"); ok {
			d[recipientLocalPart+strings.ToLower(local)] = &objs[i]
		}
	}
	return d
}

func (d recipientDirectory) lookup(name string) *providers.LiveObject {
	return d[strings.ToLower(strings.TrimSpace(name))]
}

// resolveSet rewrites each desired identity into the form the tenant reports: when it names a
// mailbox that also appears in live (the property as read, spelled any way), live's spelling;
// when it names a mailbox not in live, the mailbox's primary SMTP address; otherwise (a group,
// a contact, an unknown name) as written. The result compares equal to the live value exactly
// when both name the same recipients.
//
// Get-CASMailbox does not report aliases, so an alias cannot be resolved. A name without "@"
// that resolves to nothing but is the local part of a mailbox's primary address is most likely
// that mailbox's alias: Exchange would accept it, report the mailbox under another spelling,
// and every later plan would show the difference. resolveSet refuses it, asking for the
// address instead.
func (d recipientDirectory) resolveSet(attr string, desired, live cty.Value) (cty.Value, error) {
	if desired.IsNull() || !desired.IsKnown() {
		return desired, nil
	}
	liveNames := recipientStrings(live)
	var out []string
	for _, want := range recipientStrings(desired) {
		got := want
		mb := d.lookup(want)
		switch {
		case mb != nil:
			got = mb.Key
			for _, l := range liveNames {
				if strings.EqualFold(l, want) || d.lookup(l) == mb {
					got = l
					break
				}
			}
		case !strings.Contains(want, "@"):
			if alias := d[recipientLocalPart+strings.ToLower(strings.TrimSpace(want))]; alias != nil {
				return cty.NilVal, fmt.Errorf("%s: %q looks like the alias of %s, and Get-CASMailbox does not report aliases, so exoform could not compare it with what Exchange reports. Write the trustee as %s (or its user principal name)", attr, want, alias.Key, alias.Key)
			}
		}
		dup := false
		for _, o := range out {
			dup = dup || strings.EqualFold(o, got)
		}
		if !dup {
			out = append(out, got)
		}
	}
	return recipientSetOf(out), nil
}

// recipientFind returns the live object named key, by key or any other name.
func recipientFind(objs []providers.LiveObject, key string) *providers.LiveObject {
	for i := range objs {
		if strings.EqualFold(objs[i].Key, key) {
			return &objs[i]
		}
	}
	for i := range objs {
		for _, n := range objs[i].Names {
			if strings.EqualFold(n, key) {
				return &objs[i]
			}
		}
	}
	return nil
}

// recipientWithAttrs returns obj with the given attributes replaced.
func recipientWithAttrs(obj cty.Value, repl map[string]cty.Value) cty.Value {
	attrs := obj.AsValueMap()
	for k, v := range repl {
		attrs[k] = v
	}
	return cty.ObjectVal(attrs)
}

// isSystemTrustee reports whether a permission entry's trustee is a built-in principal that
// exoform never reads as a trustee and never changes: NT AUTHORITY\SELF and the other
// NT AUTHORITY accounts, and unresolved security identifiers (S-1-5-...).
func isSystemTrustee(s string) bool {
	u := strings.ToUpper(strings.TrimSpace(s))
	return strings.HasPrefix(u, `NT AUTHORITY\`) || strings.HasPrefix(u, "S-1-")
}

// Value rules.

// recipientAddress accepts an SMTP address: a local part of the characters Exchange allows in
// one, and a domain.
func recipientAddress(s string) string {
	local, domain, ok := strings.Cut(s, "@")
	bad := !ok || local == "" || !isDomain(domain) || strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..")
	for _, r := range local {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-/=?^_`{|}~.", r)) {
			bad = true
		}
	}
	if bad {
		return fmt.Sprintf("%q is not an email address. Write it as user@contoso.com, without a prefix such as smtp:.", s)
	}
	return ""
}

// recipientGUID accepts a GUID such as an application (client) id.
func recipientGUID(s string) string {
	if !guidRE.MatchString(s) {
		return fmt.Sprintf("%q is not a GUID. Write the application (client) id, such as 00000000-0000-0000-0000-000000000000.", s)
	}
	return ""
}

// recipientAlias accepts an Exchange alias (mail nickname): up to 64 letters, digits and
// !#$%&'*+-/=?^_`{|}~, with periods between them.
func recipientAlias(s string) string {
	if utf8.RuneCountInString(s) > 64 {
		return fmt.Sprintf("The alias %q is longer than 64 characters.", s)
	}
	if s == "" || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") || strings.Contains(s, "..") {
		return fmt.Sprintf("%q is not an alias: it must not be empty, and periods must stand between other characters.", s)
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-/=?^_`{|}~.", r)) {
			return fmt.Sprintf("The alias %q contains %q. Use letters, digits, periods and !#$%%&'*+-/=?^_`{|}~ only.", s, r)
		}
	}
	return ""
}

// recipientMaxLen returns a rule limiting a name's length.
func recipientMaxLen(what string, n int) func(string) string {
	return func(s string) string {
		if strings.TrimSpace(s) == "" {
			return fmt.Sprintf("The %s must not be empty.", what)
		}
		if l := utf8.RuneCountInString(s); l > n {
			return fmt.Sprintf("The %s is %d characters long; Exchange allows %d.", what, l, n)
		}
		return ""
	}
}

// recipientIdentity accepts any identity Exchange takes for a mailbox: not empty, and not a
// proxy address with its prefix.
func recipientIdentity(s string) string {
	if strings.TrimSpace(s) == "" {
		return "The identity must not be empty. Use the mailbox's address, alias, user principal name or GUID."
	}
	if _, ok := recipientProxySMTP(s); ok {
		return fmt.Sprintf("%q has a proxy prefix. Write the address without smtp:.", s)
	}
	return ""
}

// recipientDistinct reports whether two mailbox identities, as written, certainly name different
// mailboxes without looking them up: both are SMTP addresses, or both are plain names (an
// alias-like name: no address, GUID, DOMAIN\user or spaces), and they differ regardless of case.
// Identities of different kinds ("support" and "support@contoso.com", a GUID and an address)
// may name one mailbox, which only the tenant can tell, so they are never called distinct.
func recipientDistinct(a, b string) bool {
	kind := func(s string) string {
		switch {
		case recipientAddress(s) == "":
			return "address"
		case guidRE.MatchString(s):
			return "guid"
		case recipientAlias(s) == "":
			return "name"
		}
		return "other"
	}
	k := kind(a)
	return (k == "address" || k == "name") && k == kind(b) && !strings.EqualFold(a, b)
}

// recipientTrustee accepts a permission trustee other than a built-in principal.
func recipientTrustee(s string) string {
	if msg := recipientIdentity(s); msg != "" {
		return strings.Replace(msg, "The identity", "A trustee", 1)
	}
	if isSystemTrustee(s) {
		return fmt.Sprintf("%q is a built-in principal. exoform never manages the entries of NT AUTHORITY accounts or SIDs; remove it.", s)
	}
	return ""
}

// SMTP AUTH and EWS advice, shared by the checks of several types.

const smtpAuthBasicDetail = "Basic authentication (a password or an app password) for SMTP AUTH is disabled by default for existing tenants from the end of December 2026 (Microsoft 365 message center MC786329), and security defaults already block basic authentication whatever these settings say. OAuth 2.0 is the supported way: the SMTP.Send delegated permission for a user, or SMTP.SendAsApp for an app; it still needs SMTP AUTH enabled. A device that cannot use OAuth can send through an SMTP relay connector (exchange_inbound_connector) instead."

// recipientConfigWarnings checks the recipient-side declarations of a configuration against
// each other. It is registered with Registry.AddConfigCheck and runs after every instance
// evaluated without error. Its warnings need two resources:
//
//   - SMTP AUTH enabled (smtp_client_authentication_disabled = "false") on an
//     exchange_cas_mailbox whose identity names a mailbox the configuration declares as an
//     exchange_shared_mailbox: a shared mailbox cannot sign in, so basic SMTP AUTH works only
//     if its account is enabled (an unlicensed sign-in); OAuth or a licensed mailbox is the
//     supported way.
//   - EWS enabled on an exchange_cas_mailbox while the exchange_organization_config disables
//     it: since April 2025 (MC1015893) EWS works only when both levels allow it.
func recipientConfigWarnings(insts []*schema.Instance) diag.Diagnostics {
	var ds diag.Diagnostics
	shared := map[string]*schema.Instance{}
	var org *schema.Instance
	for _, in := range insts {
		switch in.Type.Name {
		case SharedMailboxType.Name:
			for _, attr := range []string{"primary_smtp_address", "alias", "name"} {
				if v := in.Value.GetAttr(attr); !v.IsNull() {
					shared[strings.ToLower(v.AsString())] = in
				}
			}
			for _, a := range recipientStrings(in.Value.GetAttr("email_addresses")) {
				shared[strings.ToLower(a)] = in
			}
		case OrganizationConfigType.Name:
			org = in
		}
	}
	for _, in := range insts {
		if in.Type.Name != CASMailboxType.Name {
			continue
		}
		id := in.Value.GetAttr("identity")
		if id.IsNull() {
			continue
		}
		if v := in.Value.GetAttr("smtp_client_authentication_disabled"); !v.IsNull() && v.AsString() == "false" {
			if sm, ok := shared[strings.ToLower(id.AsString())]; ok {
				d := diag.Warnf(in.Range("smtp_client_authentication_disabled"), "SMTP AUTH on a shared mailbox",
					"%s is declared as a shared mailbox by %s. A shared mailbox has no sign-in of its own: SMTP AUTH with basic credentials works only if its account is enabled for sign-in (an unlicensed sign-in, which Microsoft discourages). The supported ways are OAuth (an app with SMTP.SendAsApp, or a user with SMTP.Send and Send As permission on the shared mailbox) or sending from a licensed mailbox.",
					id.AsString(), sm.Addr)
				d.Address = in.Addr
				ds.Append(d)
			}
		}
		if v := in.Value.GetAttr("ews_enabled"); org != nil && !v.IsNull() && v.True() {
			if ov := org.Value.GetAttr("ews_enabled"); !ov.IsNull() && ov.False() {
				d := diag.Warnf(in.Range("ews_enabled"), "EWS is disabled for the organization",
					"%s sets ews_enabled = false, and since April 2025 (MC1015893) EWS works for a mailbox only when both the organization and the mailbox allow it, so ews_enabled = true here has no effect.",
					org.Addr)
				d.Address = in.Addr
				ds.Append(d)
			}
		}
	}
	return ds
}
