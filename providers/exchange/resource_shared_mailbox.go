package exchange

import (
	"context"
	"fmt"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// SharedMailboxType is exchange_shared_mailbox: New-Mailbox -Shared, Set-Mailbox, Get-Mailbox
// -RecipientTypeDetails SharedMailbox, Remove-Mailbox.
//
// Ownership marker: a mailbox has no free-text comment, so exoform keeps its marker in
// CustomAttribute15 and uses that attribute entirely: its whole value is the marker line, and
// the attribute is not offered in the configuration. A mailbox whose CustomAttribute15 holds
// anything else is not adopted (its value may feed address lists or dynamic groups); the plan
// says so.
//
// Addresses: primary_smtp_address is the key and the primary (SMTP:) address;
// email_addresses are the other SMTP addresses, written without a prefix. The tenant's
// *.onmicrosoft.com routing addresses and non-SMTP proxies (X500:, SPO:, SIP:) are managed by
// Exchange: they are neither read into email_addresses nor removed, because changes are sent
// as add/remove hashtables, never as a replacement of the whole collection.
//
// Mailboxes hold mail: the planner deletes one only with lifecycle { allow_destroy = true }
// (DataBearing). Remove-Mailbox moves it to the soft-deleted state Exchange keeps for 30 days.
var SharedMailboxType = &schema.ResourceType{
	Name:        "exchange_shared_mailbox",
	Description: "A shared mailbox: its addresses, visibility, sent-item copies and Send on Behalf delegates. The ownership marker is kept in CustomAttribute15.",
	Kind:        schema.Owned,
	Keys:        []string{"primary_smtp_address"},
	DataBearing: true,
	Attributes: []*schema.Attribute{
		{Name: "primary_smtp_address", Wire: "PrimarySmtpAddress", Type: cty.String, Required: true, FoldCase: true, Validate: recipientAddress,
			Description: "The primary address; exoform finds the mailbox by it. Changing it declares another mailbox."},
		{Name: "name", Wire: "Name", Type: cty.String, Required: true, Validate: recipientMaxLen("name", 64),
			Description: "The unique name of the mailbox (at most 64 characters)."},
		{Name: "display_name", Wire: "DisplayName", Type: cty.String, Validate: recipientMaxLen("display name", 256),
			Description: "The name shown in address lists and Outlook (at most 256 characters)."},
		{Name: "alias", Wire: "Alias", Type: cty.String, FoldCase: true, Validate: recipientAlias,
			Description: "The mail nickname; Exchange derives one from the name when unset."},
		{Name: "email_addresses", Wire: "EmailAddresses", Type: cty.Set(cty.String), FoldCase: true, Validate: sharedSecondaryAddress,
			Description: "The secondary SMTP addresses, without smtp: (the primary is primary_smtp_address). Addresses in *.onmicrosoft.com and other proxy types are left to Exchange."},
		{Name: "hidden_from_address_lists_enabled", Wire: "HiddenFromAddressListsEnabled", Type: cty.Bool,
			Description: "Hide the mailbox from address lists."},
		{Name: "message_copy_for_sent_as_enabled", Wire: "MessageCopyForSentAsEnabled", Type: cty.Bool,
			Description: "Keep a copy of messages sent as the mailbox in its Sent Items."},
		{Name: "message_copy_for_send_on_behalf_enabled", Wire: "MessageCopyForSendOnBehalfEnabled", Type: cty.Bool,
			Description: "Keep a copy of messages sent on behalf of the mailbox in its Sent Items."},
		{Name: "message_copy_for_smtp_client_submission_enabled", Wire: "MessageCopyForSMTPClientSubmissionEnabled", Type: cty.Bool,
			Description: "Keep a copy of messages sent through SMTP AUTH in Sent Items."},
		{Name: "grant_send_on_behalf_to", Wire: "GrantSendOnBehalfTo", Type: cty.Set(cty.String), FoldCase: true, Validate: recipientTrustee,
			Description: "Who may send on behalf of the mailbox (any identity of a user or group); the whole list is managed."},
		{Name: "require_sender_authentication_enabled", Wire: "RequireSenderAuthenticationEnabled", Type: cty.Bool,
			Description: "Accept mail only from authenticated (internal) senders."},
	},
	Check: checkSharedMailbox,
}

// sharedMarkerWire is the property that carries the ownership marker.
const sharedMarkerWire = "CustomAttribute15"

// sharedForeignMarker is the Meta key recording that CustomAttribute15 holds text other than
// exoform's marker, so that Compile (which sees only the Change) can refuse to overwrite it.
const sharedForeignMarker = "Foreign" + sharedMarkerWire

// sharedSecondaryAddress accepts a secondary address: an SMTP address outside the tenant's
// *.onmicrosoft.com domains, which Exchange manages.
func sharedSecondaryAddress(s string) string {
	if msg := recipientAddress(s); msg != "" {
		return msg
	}
	if isRoutingAddress(s) {
		return fmt.Sprintf("%q is in an onmicrosoft.com domain. Exchange manages those routing addresses itself; list only addresses in your own domains.", s)
	}
	return ""
}

func isRoutingAddress(s string) bool {
	return strings.HasSuffix(strings.ToLower(s), ".onmicrosoft.com")
}

func checkSharedMailbox(obj cty.Value) []schema.AttrProblem {
	primary := obj.GetAttr("primary_smtp_address")
	if primary.IsNull() {
		return nil
	}
	for _, a := range recipientStrings(obj.GetAttr("email_addresses")) {
		if strings.EqualFold(a, primary.AsString()) {
			return []schema.AttrProblem{{Attr: "email_addresses", Summary: "Primary address in email_addresses",
				Detail: fmt.Sprintf("%s is the primary_smtp_address; email_addresses lists only the other addresses. Remove it from email_addresses.", a)}}
		}
	}
	return nil
}

type sharedMailbox struct {
	c    invoker
	dirs directoryCache
}

func (r *sharedMailbox) Type() *schema.ResourceType { return SharedMailboxType }

// ReadAll reads every shared mailbox in one bulk Get-Mailbox, partitioned when it is more than
// a page (bulkRead).
func (r *sharedMailbox) ReadAll(ctx context.Context) ([]providers.LiveObject, error) {
	return bulkRead(ctx, r.c, "Get-Mailbox", providers.Params{
		{Name: "RecipientTypeDetails", Value: []string{"SharedMailbox"}}, {Name: "ResultSize", Value: "Unlimited"}}, sharedSelect, sharedLiveObject)
}

// sharedSelect are the Get-Mailbox properties sharedLiveObject reads.
var sharedSelect = selectOf(SharedMailboxType, "Guid", "Identity", sharedMarkerWire)

// sharedLiveObject maps one Get-Mailbox object. It has no other Names: the key is the primary
// address exactly, so that declaring another of its addresses as primary never matches it.
func sharedLiveObject(o map[string]any) (providers.LiveObject, error) {
	primary := recipientStr(o, "PrimarySmtpAddress")
	if primary == "" {
		return providers.LiveObject{}, fmt.Errorf("the mailbox has no PrimarySmtpAddress")
	}
	var secondary []string
	for _, p := range recipientList(o["EmailAddresses"], false) {
		a, ok := recipientProxySMTP(p)
		if !ok || strings.EqualFold(a, primary) || isRoutingAddress(a) {
			continue
		}
		secondary = append(secondary, a)
	}
	v, err := recipientValue(SharedMailboxType, o, map[string]cty.Value{
		"primary_smtp_address": cty.StringVal(primary),
		"email_addresses":      recipientSetOf(secondary),
	})
	if err != nil {
		return providers.LiveObject{}, err
	}
	lo := providers.LiveObject{Key: primary, ID: recipientStr(o, "Guid"), Value: v}
	if field := strings.TrimSpace(recipientStr(o, sharedMarkerWire)); field != "" {
		_, m := providers.SplitMarker(field)
		if m.Workspace == "" {
			lo.Meta = map[string]string{sharedForeignMarker: field}
		}
		lo.Owner, lo.Protected, lo.AllowDestroy = m.Workspace, m.PreventDestroy, m.AllowDestroy
	}
	return lo, nil
}

// sharedForeignText returns what CustomAttribute15 held when it was not exoform's marker.
func sharedForeignText(lo *providers.LiveObject) (string, bool) {
	v, ok := lo.Meta[sharedForeignMarker]
	return v, ok
}

// sharedParam encodes email_addresses as an add/remove change from have; the rest as usual.
func sharedParam(have []string) func(a *schema.Attribute, v cty.Value) any {
	return func(a *schema.Attribute, v cty.Value) any {
		if a.Name != "email_addresses" {
			return recipientParam(a, v)
		}
		add, remove := recipientDelta(have, recipientStrings(v))
		ch := providers.AddRemove{}
		for _, s := range add {
			ch.Add = append(ch.Add, "smtp:"+s)
		}
		for _, s := range remove {
			ch.Remove = append(ch.Remove, "smtp:"+s)
		}
		return ch
	}
}

// Compile turns a change into cmdlets.
//
// Create is two operations: New-Mailbox -Shared with the names and the primary address, then
// Set-Mailbox with every other setting and the ownership marker in CustomAttribute15 (New-Mailbox
// cannot set either). If the second fails, the mailbox exists without a marker: the next plan
// finds it by its primary address and adopts it, which writes the marker and the settings.
func (r *sharedMailbox) Compile(c providers.Change) ([]providers.Operation, error) {
	t := SharedMailboxType
	switch c.Kind {
	case providers.Create:
		primary := c.Desired.GetAttr("primary_smtp_address").AsString()
		np := providers.Params{{Name: "Shared", Value: providers.Switch(true)}}
		for _, name := range []string{"name", "display_name", "alias", "primary_smtp_address"} {
			if v := c.Desired.GetAttr(name); !v.IsNull() {
				np = append(np, providers.Param{Name: t.Attribute(name).Wire, Value: v.AsString()})
			}
		}
		skip := map[string]bool{"primary_smtp_address": true, "name": true, "display_name": true, "alias": true}
		sp := recipientCreateParams(t, c.Desired, providers.Params{{Name: "Identity", Value: primary}}, skip, sharedParam(nil))
		sp = append(sp, providers.Param{Name: sharedMarkerWire, Value: c.Marker.String()})
		return []providers.Operation{
			{Service: providers.Exchange, Cmdlet: "New-Mailbox", Parameters: np},
			{Service: providers.Exchange, Cmdlet: "Set-Mailbox", Parameters: sp},
		}, nil
	case providers.Update:
		if c.Prior == nil {
			return nil, fmt.Errorf("an update needs the live mailbox")
		}
		have := recipientStrings(c.Prior.Value.GetAttr("email_addresses"))
		ps := recipientSetParams(t, c, providers.Params{{Name: "Identity", Value: c.Prior.Key}}, nil, sharedParam(have))
		if c.WriteMarker {
			if text, foreign := sharedForeignText(c.Prior); foreign {
				return nil, fmt.Errorf("the mailbox %s cannot be adopted: exoform keeps its ownership marker in CustomAttribute15, which holds %q. Move that value to another custom attribute and clear CustomAttribute15, then plan again", c.Prior.Key, text)
			}
			ps = append(ps, providers.Param{Name: sharedMarkerWire, Value: c.Marker.String()})
		}
		if len(ps) == 1 {
			return nil, nil
		}
		return []providers.Operation{{Service: providers.Exchange, Cmdlet: "Set-Mailbox", Parameters: ps}}, nil
	case providers.Delete:
		if c.Prior == nil {
			return nil, fmt.Errorf("a delete needs the live mailbox")
		}
		return []providers.Operation{{Service: providers.Exchange, Cmdlet: "Remove-Mailbox", Parameters: providers.Params{
			{Name: "Identity", Value: c.Prior.Key}, {Name: "Confirm", Value: providers.Switch(false)}}}}, nil
	}
	return nil, fmt.Errorf("unknown change kind %d", c.Kind)
}

// Needs implements providers.Resolver: Send on Behalf delegates are matched against the
// mailboxes that exchange_cas_mailbox reads in one bulk request.
func (r *sharedMailbox) Needs() []string { return []string{CASMailboxType.Name} }

// Resolve rewrites grant_send_on_behalf_to into the spelling Get-Mailbox reports, so "alice",
// "Alice@Contoso.com" and the name Exchange lists compare equal.
func (r *sharedMailbox) Resolve(desired cty.Value, live map[string][]providers.LiveObject) (cty.Value, error) {
	g := desired.GetAttr("grant_send_on_behalf_to")
	if g.IsNull() {
		return desired, nil
	}
	have := cty.NullVal(cty.Set(cty.String))
	if p := desired.GetAttr("primary_smtp_address"); !p.IsNull() {
		if o := recipientFind(live[SharedMailboxType.Name], p.AsString()); o != nil {
			have = o.Value.GetAttr("grant_send_on_behalf_to")
		}
	}
	dir := r.dirs.get(live[CASMailboxType.Name])
	v, err := dir.resolveSet("grant_send_on_behalf_to", g, have)
	if err != nil {
		return cty.NilVal, err
	}
	return recipientWithAttrs(desired, map[string]cty.Value{"grant_send_on_behalf_to": v}), nil
}

var sharedMailboxGuard = &guardSpec{t: SharedMailboxType, unchecked: map[string]string{
	// The read keeps the SMTP proxies of EmailAddresses other than the primary and the
	// onmicrosoft.com routing addresses, without their prefix (sharedLiveObject).
	"email_addresses": "computed from EmailAddresses without the primary, routing and non-SMTP addresses",
	// Delegates are compared through the mailboxes the plan read (Resolve); Get-Mailbox reports
	// them in a spelling of its own.
	"grant_send_on_behalf_to": "trustees compared through the mailboxes the plan read",
}}

// Guard reads the mailbox with Get-Mailbox -Identity <primary address> -RecipientTypeDetails
// SharedMailbox, as ReadAll reads only shared mailboxes, compares every attribute but the
// secondary addresses and the delegates, and checks the ownership marker in CustomAttribute15.
func (r *sharedMailbox) Guard(c providers.Change) (providers.Guard, error) {
	g, err := guardByIdentity(sharedMailboxGuard, "Get-Mailbox", sharedMarkerWire, c)
	if err != nil {
		return g, err
	}
	g.Read.Parameters = append(g.Read.Parameters, providers.Param{Name: "RecipientTypeDetails", Value: []string{"SharedMailbox"}})
	return g, nil
}
