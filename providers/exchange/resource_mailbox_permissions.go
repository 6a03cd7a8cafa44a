package exchange

import (
	"context"
	"fmt"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// MailboxPermissionsType is exchange_mailbox_permissions: who has FullAccess
// (Add-/Remove-/Get-MailboxPermission) and SendAs (Add-/Remove-/Get-RecipientPermission) on one
// mailbox. Each list is authoritative: trustees the configuration does not name are removed.
// Inherited entries, Deny entries and built-in principals (NT AUTHORITY\SELF, other NT AUTHORITY
// accounts, unresolved SIDs) are never read as trustees and never changed.
//
// Reads: Get-MailboxPermission needs -Identity, so the type is a ScopedReader: a
// Get-MailboxPermission and a Get-RecipientPermission per declared mailbox, sent ten to an
// Exchange $batch request. Trustees are compared through the mailboxes exchange_cas_mailbox
// reads in one bulk request (the Resolver's Needs), so a trustee written as alias, UPN, address
// or name compares equal to the spelling Exchange reports.
var MailboxPermissionsType = &schema.ResourceType{
	Name:        "exchange_mailbox_permissions",
	Description: "The FullAccess and SendAs trustees of a mailbox, each list managed as a whole. Inherited and built-in entries are never touched.",
	Kind:        schema.Setting,
	Keys:        []string{"identity"},
	Attributes: []*schema.Attribute{
		{Name: "identity", Wire: "Identity", Type: cty.String, Required: true, FoldCase: true, Validate: recipientIdentity,
			Description: "The mailbox: its address, user principal name, alias, name or GUID."},
		{Name: "full_access", Wire: "FullAccess", Type: cty.Set(cty.String), FoldCase: true, Validate: recipientTrustee,
			Description: "Users and mail-enabled security groups with FullAccess. Trustees not listed lose it."},
		{Name: "auto_mapping", Wire: "AutoMapping", Type: cty.Bool,
			Description: "Whether Outlook adds the mailbox automatically for the full_access trustees exoform adds (Exchange's default: true). Exchange does not report it, so it applies only when a trustee is added."},
		{Name: "send_as", Wire: "SendAs", Type: cty.Set(cty.String), FoldCase: true, Validate: recipientTrustee,
			Description: "Users and groups that may send as the mailbox. Trustees not listed lose it."},
	},
}

type mailboxPermissions struct {
	c    invoker
	dirs directoryCache
}

func (r *mailboxPermissions) Type() *schema.ResourceType { return MailboxPermissionsType }

// ReadAll is not possible: Get-MailboxPermission reads one mailbox at a time. The planner uses
// ReadKeys.
func (r *mailboxPermissions) ReadAll(context.Context) ([]providers.LiveObject, error) {
	return nil, fmt.Errorf("exchange_mailbox_permissions can only be read for named mailboxes")
}

// ReadKeys reads the permissions of the named mailboxes: Get-MailboxPermission and
// Get-RecipientPermission for each distinct mailbox, all sent through $batch (ten to a
// request, the requests concurrently). A mailbox Exchange does not find yields no object (the
// planner reports it, or sets it up after the mailbox this plan creates).
//
// SendAs is read per mailbox rather than with one bulk Get-RecipientPermission: the bulk list
// holds an NT AUTHORITY\SELF entry for every mailbox of the tenant, so at 50,000 mailboxes it is
// some 60 pages read one after another, while the declared mailboxes' entries cost one batch
// item each, read concurrently.
func (r *mailboxPermissions) ReadKeys(ctx context.Context, keys []string) ([]providers.LiveObject, []string, error) {
	var mbs []string
	seen := map[string]bool{}
	for _, k := range keys {
		if l := strings.ToLower(k); k != "" && !seen[l] {
			seen[l] = true
			mbs = append(mbs, k)
		}
	}
	if len(mbs) == 0 {
		return nil, nil, nil
	}
	items := make([]BatchItem, 0, 2*len(mbs))
	for _, mb := range mbs {
		items = append(items,
			BatchItem{Cmdlet: "Get-MailboxPermission", Params: providers.Params{{Name: "Identity", Value: mb}, {Name: "ResultSize", Value: "Unlimited"}}},
			BatchItem{Cmdlet: "Get-RecipientPermission", Params: providers.Params{{Name: "Identity", Value: mb}, {Name: "ResultSize", Value: "Unlimited"}}})
	}
	results, err := r.c.InvokeBatch(ctx, items)
	if err != nil {
		return nil, nil, err
	}
	var out []providers.LiveObject
	var missing []string
	for i, mb := range mbs {
		full, fullErr := recipientBatchResult(items[2*i], results[2*i])
		send, sendErr := recipientBatchResult(items[2*i+1], results[2*i+1])
		// A mailbox either cmdlet does not find does not exist (yet); any other error fails the
		// read.
		for _, err := range []error{fullErr, sendErr} {
			if err != nil && !IsNotFound(err) {
				return nil, nil, err
			}
		}
		if fullErr != nil || sendErr != nil {
			missing = append(missing, mb)
			continue
		}
		out = append(out, permissionsLiveObject(mb, full, send))
	}
	return out, missing, nil
}

// recipientBatchResult is recipientInvoke for one item of a batch: its objects, or its error,
// with non-terminating errors refused.
func recipientBatchResult(item BatchItem, r BatchResult) ([]map[string]any, error) {
	if r.Err != nil {
		return nil, r.Err
	}
	if len(r.Result.Errors) > 0 {
		return nil, fmt.Errorf("%s reported errors, so the result may be incomplete: %s", item.Cmdlet, strings.Join(r.Result.Errors, "; "))
	}
	return r.Result.Objects, nil
}

// permissionsLiveObject builds one mailbox's object from its Get-MailboxPermission and
// Get-RecipientPermission entries.
func permissionsLiveObject(mb string, entries, sendAs []map[string]any) providers.LiveObject {
	ids := []string{mb}
	seen := map[string]bool{strings.ToLower(mb): true}
	var full []string
	for _, e := range entries {
		if id := recipientStr(e, "Identity"); id != "" && !seen[strings.ToLower(id)] {
			seen[strings.ToLower(id)] = true
			ids = append(ids, id)
		}
		if user := recipientStr(e, "User"); permissionCounts(e, user, "FullAccess") {
			full = append(full, user)
		}
	}
	var send []string
	for _, e := range sendAs {
		if t := recipientStr(e, "Trustee"); permissionCounts(e, t, "SendAs") {
			send = append(send, t)
		}
	}
	v := cty.ObjectVal(map[string]cty.Value{
		"identity":     cty.StringVal(mb),
		"full_access":  recipientSetOf(permissionDedupe(full)),
		"auto_mapping": cty.NullVal(cty.Bool),
		"send_as":      recipientSetOf(permissionDedupe(send)),
	})
	// The ID is the mailbox as Exchange names it, so two declarations that spell one mailbox
	// differently are recognised as the same object.
	id := mb
	if len(ids) > 1 {
		id = ids[1]
	}
	return providers.LiveObject{Key: mb, ID: id, Value: v, Names: ids[1:]}
}

// permissionCounts reports whether a permission entry is an explicit Allow of right for a
// trustee exoform manages.
func permissionCounts(e map[string]any, trustee, right string) bool {
	if trustee == "" || isSystemTrustee(trustee) || recipientBool(e, "IsInherited") || recipientBool(e, "Deny") ||
		strings.EqualFold(recipientStr(e, "AccessControlType"), "Deny") {
		return false
	}
	for _, r := range recipientList(e["AccessRights"], true) {
		if strings.EqualFold(r, right) {
			return true
		}
	}
	return false
}

func permissionDedupe(ss []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range ss {
		if l := strings.ToLower(s); !seen[l] {
			seen[l] = true
			out = append(out, s)
		}
	}
	return out
}

// Needs implements providers.Resolver: trustees are matched against every mailbox's names, which
// exchange_cas_mailbox reads in one bulk, paged request.
func (r *mailboxPermissions) Needs() []string { return []string{CASMailboxType.Name} }

// Resolve rewrites the trustees into the spelling the permission cmdlets report. auto_mapping is
// write-only (Exchange does not report it): it is kept only when the plan adds a FullAccess
// trustee, so that it never shows as a difference by itself.
func (r *mailboxPermissions) Resolve(desired cty.Value, live map[string][]providers.LiveObject) (cty.Value, error) {
	haveFull, haveSend := cty.NullVal(cty.Set(cty.String)), cty.NullVal(cty.Set(cty.String))
	if id := desired.GetAttr("identity"); !id.IsNull() {
		if o := recipientFind(live[MailboxPermissionsType.Name], id.AsString()); o != nil {
			haveFull, haveSend = o.Value.GetAttr("full_access"), o.Value.GetAttr("send_as")
		}
	}
	dir := r.dirs.get(live[CASMailboxType.Name])
	full, err := dir.resolveSet("full_access", desired.GetAttr("full_access"), haveFull)
	if err != nil {
		return cty.NilVal, err
	}
	send, err := dir.resolveSet("send_as", desired.GetAttr("send_as"), haveSend)
	if err != nil {
		return cty.NilVal, err
	}
	am := desired.GetAttr("auto_mapping")
	if add, _ := recipientDelta(recipientStrings(haveFull), recipientStrings(full)); full.IsNull() || len(add) == 0 {
		am = cty.NullVal(cty.Bool)
	}
	return recipientWithAttrs(desired, map[string]cty.Value{"full_access": full, "send_as": send, "auto_mapping": am}), nil
}

// Compile removes and adds trustees one by one: first every removal (FullAccess, then SendAs),
// then every addition, each list sorted, so a change compiles the same way every time. Removals
// go first because of the one case where an addition and a removal name the same principal (a
// trustee spelled in a way the mailbox directory could not resolve, such as an alias, while
// Exchange reports the user principal name): removing then adding leaves the trustee in place,
// adding then removing would take the access away.
func (r *mailboxPermissions) Compile(c providers.Change) ([]providers.Operation, error) {
	if err := recipientSettingOnly(MailboxPermissionsType, c); err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for _, n := range c.Set {
		set[n] = true
	}
	mb := c.Prior.Key
	var adds, removes []providers.Operation
	op := func(cmdlet string, ps ...providers.Param) providers.Operation {
		return providers.Operation{Service: providers.Exchange, Cmdlet: cmdlet, Parameters: append(providers.Params{{Name: "Identity", Value: mb}}, ps...)}
	}
	if set["full_access"] {
		add, remove := recipientDelta(recipientStrings(c.Prior.Value.GetAttr("full_access")), recipientStrings(c.Desired.GetAttr("full_access")))
		for _, u := range add {
			ps := []providers.Param{{Name: "User", Value: u}, {Name: "AccessRights", Value: []string{"FullAccess"}}}
			if am := c.Desired.GetAttr("auto_mapping"); !am.IsNull() {
				ps = append(ps, providers.Param{Name: "AutoMapping", Value: am.True()})
			}
			adds = append(adds, op("Add-MailboxPermission", ps...))
		}
		for _, u := range remove {
			removes = append(removes, op("Remove-MailboxPermission", providers.Param{Name: "User", Value: u},
				providers.Param{Name: "AccessRights", Value: []string{"FullAccess"}}, providers.Param{Name: "Confirm", Value: providers.Switch(false)}))
		}
	}
	if set["send_as"] {
		add, remove := recipientDelta(recipientStrings(c.Prior.Value.GetAttr("send_as")), recipientStrings(c.Desired.GetAttr("send_as")))
		for _, u := range add {
			adds = append(adds, op("Add-RecipientPermission", providers.Param{Name: "Trustee", Value: u},
				providers.Param{Name: "AccessRights", Value: []string{"SendAs"}}, providers.Param{Name: "Confirm", Value: providers.Switch(false)}))
		}
		for _, u := range remove {
			removes = append(removes, op("Remove-RecipientPermission", providers.Param{Name: "Trustee", Value: u},
				providers.Param{Name: "AccessRights", Value: []string{"SendAs"}}, providers.Param{Name: "Confirm", Value: providers.Switch(false)}))
		}
	}
	return append(removes, adds...), nil
}

var mailboxPermissionsGuard = &guardSpec{t: MailboxPermissionsType, unchecked: map[string]string{
	// full_access is computed over every entry of the answer, without inherited, Deny and
	// built-in ones (permissionsLiveObject); a guard compares properties of one object.
	"full_access": "computed over all of Get-MailboxPermission's entries",
	// SendAs entries come from Get-RecipientPermission, a second cmdlet.
	"send_as": "read with Get-RecipientPermission, a second cmdlet",
	// Exchange does not report AutoMapping.
	"auto_mapping": "not reported by Exchange",
}}

// Guard reads the mailbox's permission entries with Get-MailboxPermission -Identity <mailbox>.
// A guard compares the properties of one object, and no attribute of the type is one: the guard
// only finds that the mailbox exists, and lists every attribute as unchecked.
func (r *mailboxPermissions) Guard(c providers.Change) (providers.Guard, error) {
	return guardByIdentity(mailboxPermissionsGuard, "Get-MailboxPermission", "", c)
}
