package exchange

import (
	"context"
	"fmt"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// CASMailboxType is exchange_cas_mailbox: the client access settings of an existing mailbox
// (Get-CASMailbox / Set-CASMailbox).
//
// Every mailbox is read in one bulk Get-CASMailbox -ResultSize Unlimited (paged by the client,
// and split by -Filter into parts read concurrently when it is more than a page: bulkRead),
// never one request per mailbox, so for_each over thousands of mailboxes costs about a request
// per thousand mailboxes. The object's key is its primary SMTP address; a declaration may name the
// mailbox by any identity Exchange reports for it (UPN, alias, name, GUID, a proxy address).
var CASMailboxType = &schema.ResourceType{
	Name:        "exchange_cas_mailbox",
	Description: "The client access settings of a mailbox: SMTP AUTH, IMAP, POP, EWS, MAPI, ActiveSync and Outlook on the web.",
	Kind:        schema.Setting,
	Keys:        []string{"identity"},
	Attributes: []*schema.Attribute{
		{Name: "identity", Wire: "Identity", Type: cty.String, Required: true, FoldCase: true, Validate: recipientIdentity,
			Description: "The mailbox: its primary SMTP address, another of its addresses, user principal name, alias, name or GUID."},
		{Name: "smtp_client_authentication_disabled", Wire: "SmtpClientAuthenticationDisabled", Type: cty.String, TriState: true,
			Enum:        []string{"true", "false", "inherit"},
			Description: "SMTP AUTH for this mailbox: true disables it, false enables it whatever the organization's setting, inherit ($null, the default) follows exchange_transport_config."},
		{Name: "imap_enabled", Wire: "ImapEnabled", Type: cty.Bool, Description: "Access with IMAP4 clients."},
		{Name: "pop_enabled", Wire: "PopEnabled", Type: cty.Bool, Description: "Access with POP3 clients."},
		{Name: "ews_enabled", Wire: "EwsEnabled", Type: cty.Bool,
			Description: "Access with Exchange Web Services clients; EWS works only when exchange_organization_config allows it too."},
		{Name: "mapi_enabled", Wire: "MAPIEnabled", Type: cty.Bool, Description: "Access with MAPI clients such as Outlook for Windows."},
		{Name: "active_sync_enabled", Wire: "ActiveSyncEnabled", Type: cty.Bool, Description: "Access with Exchange ActiveSync."},
		{Name: "owa_enabled", Wire: "OWAEnabled", Type: cty.Bool, Description: "Access with Outlook on the web and the new Outlook for Windows."},
	},
	Check: checkCASMailbox,
}

// checkCASMailbox explains what SMTP AUTH on a mailbox depends on.
func checkCASMailbox(obj cty.Value) []schema.AttrProblem {
	v := obj.GetAttr("smtp_client_authentication_disabled")
	if v.IsNull() || v.AsString() != "false" {
		return nil
	}
	return []schema.AttrProblem{{Attr: "smtp_client_authentication_disabled", Warning: true, Summary: "SMTP AUTH enabled for this mailbox",
		Detail: "smtp_client_authentication_disabled = false enables SMTP AUTH for this mailbox; the mailbox's explicit value takes precedence over the organization's (exchange_transport_config), so the mailbox can use SMTP AUTH while it stays disabled for everyone else. " + smtpAuthBasicDetail}}
}

type casMailbox struct{ c invoker }

func (r *casMailbox) Type() *schema.ResourceType { return CASMailboxType }

// ReadAll reads every mailbox's CAS settings in one bulk Get-CASMailbox, partitioned when it is
// more than a page (bulkRead).
func (r *casMailbox) ReadAll(ctx context.Context) ([]providers.LiveObject, error) {
	return r.read(ctx, nil)
}

// ReadDeclared reads every mailbox as ReadAll does, but converts the settings only of the
// mailboxes a declaration names (by any of their names): the others come back with every
// setting null, one value shared by all of them. A plan needs every mailbox's names (to find
// declared mailboxes and permission trustees) but the settings of the declared ones only, and
// at fifty thousand mailboxes building the rest was a third of a plan's memory.
func (r *casMailbox) ReadDeclared(ctx context.Context, keys []string) ([]providers.LiveObject, error) {
	declared := make(map[string]bool, len(keys))
	for _, k := range keys {
		declared[strings.ToLower(k)] = true
	}
	return r.read(ctx, declared)
}

// read is ReadAll with declared nil, and ReadDeclared otherwise.
func (r *casMailbox) read(ctx context.Context, declared map[string]bool) ([]providers.LiveObject, error) {
	undeclared := CASMailboxType.NullObject() // the settings of a mailbox no declaration names
	conv := func(o map[string]any) (providers.LiveObject, error) {
		lo, err := casLiveObject(o)
		if err != nil {
			return lo, err
		}
		named := declared == nil || declared[strings.ToLower(lo.Key)]
		for _, n := range lo.Names {
			named = named || declared[strings.ToLower(n)]
		}
		if !named {
			lo.Value = undeclared
			return lo, nil
		}
		lo.Value, err = recipientValue(CASMailboxType, o, map[string]cty.Value{"identity": cty.StringVal(lo.Key)})
		return lo, err
	}
	out, err := bulkRead(ctx, r.c, "Get-CASMailbox", providers.Params{{Name: "ResultSize", Value: "Unlimited"}}, casSelect, conv)
	if err != nil {
		return nil, err
	}
	recipientUniqueNames(out)
	return out, nil
}

// casSelect are the Get-CASMailbox properties casLiveObject reads: the settings, the key and
// ids, and the names a mailbox answers to that a Get-CASMailbox object carries (recipientNames).
// Only properties the cmdlet outputs are named: what Exchange does with a $select of a property
// its objects lack is not documented.
var casSelect = selectOf(CASMailboxType, "PrimarySmtpAddress", "Guid", "EmailAddresses",
	"Id", "Name", "DisplayName", "DistinguishedName", "ExternalDirectoryObjectId")

// casLiveObject maps one Get-CASMailbox object, all but its settings (Value, which read
// converts). The key is the primary SMTP address (the Identity when a mailbox has none); Names
// are every other identity the mailbox answers to.
func casLiveObject(o map[string]any) (providers.LiveObject, error) {
	key := recipientStr(o, "PrimarySmtpAddress")
	if key == "" {
		key = recipientStr(o, "Identity")
	}
	if key == "" {
		return providers.LiveObject{}, fmt.Errorf("the mailbox has neither PrimarySmtpAddress nor Identity")
	}
	id := recipientStr(o, "Guid")
	if id == "" {
		id = recipientStr(o, "ExchangeObjectId")
	}
	return providers.LiveObject{Key: key, ID: id, Names: recipientNames(o)}, nil
}

// Compile sets the changed settings with one Set-CASMailbox on the mailbox's primary address.
func (r *casMailbox) Compile(c providers.Change) ([]providers.Operation, error) {
	if err := recipientSettingOnly(CASMailboxType, c); err != nil {
		return nil, err
	}
	ps := recipientSetParams(CASMailboxType, c, providers.Params{{Name: "Identity", Value: c.Prior.Key}}, nil, nil)
	if len(ps) == 1 {
		return nil, nil
	}
	return []providers.Operation{{Service: providers.Exchange, Cmdlet: "Set-CASMailbox", Parameters: ps}}, nil
}

var casMailboxGuard = &guardSpec{t: CASMailboxType}

// Guard reads the mailbox's settings with Get-CASMailbox -Identity <primary address> and compares
// every setting (smtp_client_authentication_disabled as $true, $false or $null for inherit). For
// the settings of a mailbox the same script creates first, only the settings the change makes
// are compared.
func (r *casMailbox) Guard(c providers.Change) (providers.Guard, error) {
	return guardByIdentity(casMailboxGuard, "Get-CASMailbox", "", c)
}
