package exchange_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/internal/golden"
	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/providers/exchange"
	"github.com/exoform/exoform/schema"
)

// rcpTypes are the recipient-side resource types, in registration order.
var rcpTypes = []*schema.ResourceType{
	exchange.TransportConfigType, exchange.OrganizationConfigType, exchange.CASMailboxType,
	exchange.SharedMailboxType, exchange.MailboxPermissionsType, exchange.InboxRuleType,
}

// rcpDeclared evaluates one resource block of a type and returns its value.
func rcpDeclared(t *testing.T, rt *schema.ResourceType, body string) cty.Value {
	t.Helper()
	ev, ds := evaluate("exoform {\n  workspace = \"ws\"\n}\nresource \"" + rt.Name + "\" \"x\" {\n" + body + "\n}\n")
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return ev.Instances[0].Value
}

// rcpLive builds a live object of a type: every attribute null except attrs.
func rcpLive(rt *schema.ResourceType, key, owner string, attrs map[string]cty.Value) *providers.LiveObject {
	all := map[string]cty.Value{}
	for _, a := range rt.Attributes {
		all[a.Name] = cty.NullVal(a.Type)
	}
	for k, v := range attrs {
		all[k] = v
	}
	return &providers.LiveObject{Key: key, Owner: owner, Value: cty.ObjectVal(all)}
}

func rcpSet(ss ...string) cty.Value {
	if len(ss) == 0 {
		return cty.SetValEmpty(cty.String)
	}
	var vs []cty.Value
	for _, s := range ss {
		vs = append(vs, cty.StringVal(s))
	}
	return cty.SetVal(vs)
}

func rcpResource(t *testing.T, name string) providers.Resource {
	t.Helper()
	res, ok := offlineRegistry().Resource(name)
	if !ok {
		t.Fatalf("no resource type %s", name)
	}
	return res
}

type rcpCompileCase struct {
	name   string
	change providers.Change
}

// rcpCompileGolden compiles each case and compares the operations, as indented JSON, with
// testdata/recipients/compile_<type>.golden.
func rcpCompileGolden(t *testing.T, rt *schema.ResourceType, cases []rcpCompileCase) {
	t.Helper()
	res := rcpResource(t, rt.Name)
	var b strings.Builder
	for _, tc := range cases {
		fmt.Fprintf(&b, "== %s\n", tc.name)
		ops, err := res.Compile(tc.change)
		if err != nil {
			fmt.Fprintf(&b, "error: %v\n\n", err)
			continue
		}
		// Compile must be deterministic: Verify recompiles saved plans and compares.
		again, _ := res.Compile(tc.change)
		if opsJSON(t, ops) != opsJSON(t, again) {
			t.Errorf("%s: two compilations differ", tc.name)
		}
		enc, err := json.MarshalIndent(ops, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		b.Write(enc)
		b.WriteString("\n\n")
	}
	golden.Assert(t, filepath.Join("testdata", "recipients", "compile_"+strings.TrimPrefix(rt.Name, "exchange_")+".golden"), b.String())
}

var rcpWS = providers.Marker{Workspace: "ws"}

func TestCompileTransportConfig(t *testing.T) {
	rt := exchange.TransportConfigType
	prior := rcpLive(rt, "", "", map[string]cty.Value{
		"smtp_client_authentication_disabled": cty.False, "max_recipient_envelope_limit": cty.StringVal("Unlimited")})
	rcpCompileGolden(t, rt, []rcpCompileCase{
		{"update writes only the changed settings, without -Identity", providers.Change{Kind: providers.Update, Prior: prior, Marker: rcpWS,
			Desired: rcpDeclared(t, rt, `smtp_client_authentication_disabled = true
max_recipient_envelope_limit = "500"
reply_all_storm_detection_minimum_recipients = 2500
allow_legacy_tls_clients = false`),
			Set: []string{"smtp_client_authentication_disabled", "max_recipient_envelope_limit", "reply_all_storm_detection_minimum_recipients"}}},
		{"unlimited is written in its documented case", providers.Change{Kind: providers.Update, Prior: prior, Marker: rcpWS,
			Desired: rcpDeclared(t, rt, `max_recipient_envelope_limit = "unlimited"`), Set: []string{"max_recipient_envelope_limit"}}},
		{"nothing to set compiles to nothing", providers.Change{Kind: providers.Update, Prior: prior, Marker: rcpWS, Desired: rcpDeclared(t, rt, `clear_categories = true`)}},
		{"a settings object is never created", providers.Change{Kind: providers.Create, Marker: rcpWS, Desired: rcpDeclared(t, rt, `clear_categories = true`)}},
		{"a settings object is never deleted", providers.Change{Kind: providers.Delete, Prior: prior, Marker: rcpWS}},
	})
}

func TestCompileOrganizationConfig(t *testing.T) {
	rt := exchange.OrganizationConfigType
	prior := rcpLive(rt, "", "", map[string]cty.Value{"ews_enabled": cty.False, "ews_allowed_app_ids": rcpSet("11111111-1111-1111-1111-111111111111")})
	rcpCompileGolden(t, rt, []rcpCompileCase{
		{"the app allow list is one comma-separated string", providers.Change{Kind: providers.Update, Prior: prior, Marker: rcpWS,
			Desired: rcpDeclared(t, rt, `ews_enabled = true
ews_allowed_app_ids = ["bbbbbbbb-1111-1111-1111-111111111111", "AAAAAAAA-1111-1111-1111-111111111111"]
oauth2_client_profile_enabled = true`),
			Set: []string{"ews_enabled", "ews_allowed_app_ids", "oauth2_client_profile_enabled"}}},
		{"an empty allow list is cleared with null", providers.Change{Kind: providers.Update, Prior: prior, Marker: rcpWS,
			Desired: rcpDeclared(t, rt, `ews_allowed_app_ids = []`), Set: []string{"ews_allowed_app_ids"}}},
	})
}

func TestCompileCASMailbox(t *testing.T) {
	rt := exchange.CASMailboxType
	prior := rcpLive(rt, "helpdesk@contoso.com", "", map[string]cty.Value{"identity": cty.StringVal("helpdesk@contoso.com"),
		"smtp_client_authentication_disabled": cty.StringVal("inherit"), "imap_enabled": cty.True})
	rcpCompileGolden(t, rt, []rcpCompileCase{
		{"SMTP AUTH on, by the mailbox's primary address", providers.Change{Kind: providers.Update, Prior: prior, Marker: rcpWS,
			Desired: rcpDeclared(t, rt, `identity = "helpdesk"
smtp_client_authentication_disabled = false
imap_enabled = false
mapi_enabled = true
owa_enabled = false`),
			Set: []string{"smtp_client_authentication_disabled", "imap_enabled", "mapi_enabled", "owa_enabled"}}},
		{"inherit resets to null", providers.Change{Kind: providers.Update, Prior: prior, Marker: rcpWS,
			Desired: rcpDeclared(t, rt, `identity = "helpdesk"
smtp_client_authentication_disabled = "inherit"`), Set: []string{"smtp_client_authentication_disabled"}}},
		{"a pending mailbox is set up under its declared identity", providers.Change{Kind: providers.Update, Marker: rcpWS,
			Prior: rcpLive(rt, "proj-a@contoso.com", "", nil),
			Desired: rcpDeclared(t, rt, `identity = "proj-a@contoso.com"
imap_enabled = true`), Set: []string{"imap_enabled"}}},
		{"a CAS mailbox is never created", providers.Change{Kind: providers.Create, Marker: rcpWS, Desired: rcpDeclared(t, rt, `identity = "x@contoso.com"`)}},
	})
}

func TestCompileSharedMailbox(t *testing.T) {
	rt := exchange.SharedMailboxType
	full := rcpDeclared(t, rt, `primary_smtp_address = "proj-a@contoso.com"
name = "Project A"
display_name = "Project A (shared)"
alias = "proj-a"
email_addresses = ["project-a@contoso.com", "a@contoso.com"]
hidden_from_address_lists_enabled = false
message_copy_for_sent_as_enabled = true
message_copy_for_send_on_behalf_enabled = true
grant_send_on_behalf_to = ["bob@contoso.com", "alice@contoso.com"]`)
	prior := func(owner string) *providers.LiveObject {
		o := rcpLive(rt, "proj-a@contoso.com", owner, map[string]cty.Value{
			"primary_smtp_address": cty.StringVal("proj-a@contoso.com"), "name": cty.StringVal("Project A"),
			"email_addresses": rcpSet("project-a@contoso.com", "old@contoso.com"), "grant_send_on_behalf_to": rcpSet("carol")})
		return o
	}
	foreign := prior("")
	foreign.Meta = map[string]string{"ForeignCustomAttribute15": "cost-centre 42"}
	rcpCompileGolden(t, rt, []rcpCompileCase{
		{"create is New-Mailbox -Shared, then Set-Mailbox with the rest and the marker", providers.Change{Kind: providers.Create, Desired: full,
			Marker: providers.Marker{Workspace: "ws", AllowDestroy: true}}},
		{"update adds and removes secondary addresses in place", providers.Change{Kind: providers.Update, Prior: prior("ws"), Desired: full, Marker: rcpWS,
			Set: []string{"display_name", "email_addresses", "grant_send_on_behalf_to", "message_copy_for_sent_as_enabled"}}},
		{"adopt writes the marker into CustomAttribute15", providers.Change{Kind: providers.Update, Prior: prior(""), Desired: full, Marker: rcpWS, WriteMarker: true}},
		{"allow_destroy is recorded in the marker", providers.Change{Kind: providers.Update, Prior: prior("ws"), Desired: full, WriteMarker: true,
			Marker: providers.Marker{Workspace: "ws", AllowDestroy: true}}},
		{"a mailbox whose CustomAttribute15 holds other data is not adopted", providers.Change{Kind: providers.Update, Prior: foreign, Desired: full, Marker: rcpWS, WriteMarker: true}},
		{"delete", providers.Change{Kind: providers.Delete, Prior: prior("ws"), Marker: rcpWS}},
	})
}

func TestCompileMailboxPermissions(t *testing.T) {
	rt := exchange.MailboxPermissionsType
	prior := rcpLive(rt, "support", "", map[string]cty.Value{"identity": cty.StringVal("support"),
		"full_access": rcpSet("alice@contoso.com", "eve@contoso.com"), "send_as": rcpSet("eve@contoso.com")})
	rcpCompileGolden(t, rt, []rcpCompileCase{
		{"removes first, then adds, one trustee per operation", providers.Change{Kind: providers.Update, Prior: prior, Marker: rcpWS,
			Desired: rcpDeclared(t, rt, `identity = "support"
full_access = ["alice@contoso.com", "dave@contoso.com", "bob@contoso.com"]
auto_mapping = false
send_as = ["alice@contoso.com"]`), Set: []string{"full_access", "auto_mapping", "send_as"}}},
		{"an empty list removes every trustee", providers.Change{Kind: providers.Update, Prior: prior, Marker: rcpWS,
			Desired: rcpDeclared(t, rt, `identity = "support"
full_access = []`), Set: []string{"full_access"}}},
		{"trustees compare case-insensitively", providers.Change{Kind: providers.Update, Prior: prior, Marker: rcpWS,
			Desired: rcpDeclared(t, rt, `identity = "support"
full_access = ["ALICE@contoso.com", "Eve@Contoso.com"]`), Set: []string{"full_access"}}},
		{"a pending mailbox gets every trustee", providers.Change{Kind: providers.Update, Marker: rcpWS, Prior: rcpLive(rt, "proj-a@contoso.com", "", nil),
			Desired: rcpDeclared(t, rt, `identity = "proj-a@contoso.com"
full_access = ["alice@contoso.com"]
send_as = ["alice@contoso.com"]`), Set: []string{"full_access", "send_as"}}},
	})
}

func TestCompileInboxRule(t *testing.T) {
	rt := exchange.InboxRuleType
	desired := rcpDeclared(t, rt, `mailbox = "proj-a@contoso.com"
name = "Import copy"
copy_to_folder = "Inbox\\Import"
from = ["erp@vendor.example"]
mark_as_read = true
stop_processing_rules = false
priority = 1`)
	prior := rcpLive(rt, `proj-a@contoso.com\Import copy`, "", map[string]cty.Value{"mailbox": cty.StringVal("proj-a@contoso.com"),
		"name": cty.StringVal("Import copy"), "copy_to_folder": cty.StringVal(`Inbox\Old`)})
	rcpCompileGolden(t, rt, []rcpCompileCase{
		{"create", providers.Change{Kind: providers.Create, Desired: desired, Marker: rcpWS}},
		{"update by name in the mailbox", providers.Change{Kind: providers.Update, Prior: prior, Desired: desired, Marker: rcpWS,
			Set: []string{"copy_to_folder", "mark_as_read"}}},
		{"the documented mailbox:\\folder form is accepted", providers.Change{Kind: providers.Create, Marker: rcpWS, Desired: rcpDeclared(t, rt, `mailbox = "proj-a@contoso.com"
name = "Import copy"
move_to_folder = "proj-a@contoso.com:\\Inbox\\Import"`)}},
		{"inbox rules are never deleted", providers.Change{Kind: providers.Delete, Prior: prior, Marker: rcpWS}},
	})
}

// TestRecipientOperationsExistInReference compiles every kind of change each recipient type
// makes, with every attribute set, and checks each cmdlet and parameter against Microsoft's
// reference, together with the reads.
func TestRecipientOperationsExistInReference(t *testing.T) {
	ref := loadReference(t)
	guid := `"00000000-0000-0000-0000-000000000001"`
	bodies := map[string]string{
		"exchange_transport_config": `smtp_client_authentication_disabled = true
allow_legacy_tls_clients = false
external_postmaster_address = "postmaster@contoso.com"
max_recipient_envelope_limit = "500"
reply_all_storm_protection_enabled = true
reply_all_storm_detection_minimum_recipients = 2500
reply_all_storm_detection_minimum_replies = 10
reply_all_storm_block_duration_hours = 6
journaling_report_ndr_to = "journal@contoso.com"
journal_message_expiration_days = 2
prevent_duplicate_journaling_enabled = true
address_book_policy_routing_enabled = false
clear_categories = true
convert_disclaimer_wrapper_to_eml = false
header_promotion_mode_setting = "NoCreate"
dsn_conversion_mode = "UseExchangeDSNs"
external_delay_dsn_enabled = true
internal_delay_dsn_enabled = true
external_dsn_send_html = true
internal_dsn_send_html = true
rfc2231_encoding_enabled = false`,
		"exchange_organization_config": `ews_enabled = true
ews_allowed_app_ids = [` + guid + `]
ews_application_access_policy = "EnforceAllowList"
ews_allow_list = ["MyApp/*"]
ews_block_list = []
ews_allow_outlook = true
ews_allow_mac_outlook = true
ews_allow_entourage = false
oauth2_client_profile_enabled = true
smtp_actionable_messages_enabled = true
send_from_alias_enabled = true
audit_disabled = false`,
		"exchange_cas_mailbox": `identity = "a@contoso.com"
smtp_client_authentication_disabled = false
imap_enabled = true
pop_enabled = false
ews_enabled = true
mapi_enabled = true
active_sync_enabled = false
owa_enabled = true`,
		"exchange_shared_mailbox": `primary_smtp_address = "s@contoso.com"
name = "S"
display_name = "S"
alias = "s"
email_addresses = ["s2@contoso.com"]
hidden_from_address_lists_enabled = true
message_copy_for_sent_as_enabled = true
message_copy_for_send_on_behalf_enabled = true
message_copy_for_smtp_client_submission_enabled = true
grant_send_on_behalf_to = ["a@contoso.com"]
require_sender_authentication_enabled = false`,
		"exchange_mailbox_permissions": `identity = "s@contoso.com"
full_access = ["a@contoso.com"]
auto_mapping = false
send_as = ["a@contoso.com"]`,
		"exchange_inbox_rule": `mailbox = "s@contoso.com"
name = "r"
priority = 1
from = ["x@vendor.example"]
sent_to = ["s@contoso.com"]
subject_contains_words = ["invoice"]
subject_or_body_contains_words = ["order"]
body_contains_words = ["total"]
has_attachment = true
copy_to_folder = "Inbox\\Import"
move_to_folder = "Inbox\\Done"
delete_message = false
mark_as_read = true
forward_to = ["f@contoso.com"]
redirect_to = ["g@contoso.com"]
stop_processing_rules = true`,
	}
	for _, rt := range rcpTypes {
		t.Run(rt.Name, func(t *testing.T) {
			res := rcpResource(t, rt.Name)
			full := rcpDeclared(t, rt, bodies[rt.Name])
			var all []string
			for _, a := range rt.Attributes {
				if full.GetAttr(a.Name).IsNull() {
					t.Fatalf("the test configuration leaves %s unset", a.Name)
				}
				all = append(all, a.Name)
			}
			// A prior with other values, so that every set attribute has something to add and
			// remove.
			prior := rcpLive(rt, rt.KeyOf(full), "", nil)
			for _, a := range rt.Attributes {
				if a.IsSet() {
					prior = rcpLive(rt, rt.KeyOf(full), "", rcpMergeAttr(prior.Value, a.Name, rcpSet("old@contoso.com")))
				}
			}
			changes := []providers.Change{{Kind: providers.Update, Desired: full, Prior: prior, Set: all, WriteMarker: rt.Kind == schema.Owned, Marker: rcpWS}}
			if rt.Kind != schema.Setting {
				changes = append(changes, providers.Change{Kind: providers.Create, Desired: full, Marker: rcpWS})
			}
			if rt.Kind == schema.Owned {
				changes = append(changes, providers.Change{Kind: providers.Delete, Prior: prior, Marker: rcpWS})
			}
			n := 0
			for _, c := range changes {
				ops, err := res.Compile(c)
				if err != nil {
					t.Fatal(err)
				}
				for _, op := range ops {
					n++
					checkOperation(t, ref, op)
				}
			}
			if n == 0 {
				t.Fatal("no operations compiled")
			}
		})
	}
	for _, op := range []providers.Operation{
		{Cmdlet: "Get-TransportConfig"},
		{Cmdlet: "Get-OrganizationConfig"},
		{Cmdlet: "Get-CASMailbox", Parameters: providers.Params{{Name: "ResultSize", Value: "Unlimited"}}},
		{Cmdlet: "Get-Mailbox", Parameters: providers.Params{{Name: "RecipientTypeDetails", Value: []string{"SharedMailbox"}}, {Name: "ResultSize", Value: "Unlimited"}}},
		{Cmdlet: "Get-RecipientPermission", Parameters: providers.Params{{Name: "ResultSize", Value: "Unlimited"}}},
		{Cmdlet: "Get-MailboxPermission", Parameters: providers.Params{{Name: "Identity", Value: "x"}, {Name: "ResultSize", Value: "Unlimited"}}},
		{Cmdlet: "Get-InboxRule", Parameters: providers.Params{{Name: "Mailbox", Value: "x"}, {Name: "ResultSize", Value: "Unlimited"}}},
	} {
		op.Service = providers.Exchange
		checkOperation(t, ref, op)
	}
}

func rcpMergeAttr(obj cty.Value, name string, v cty.Value) map[string]cty.Value {
	m := obj.AsValueMap()
	m[name] = v
	return m
}

// TestValidateRecipients runs each testdata/recipients/*.exo.hcl and compares the diagnostics,
// with their positions, with the .golden beside it. Files named ok_* must be valid.
func TestValidateRecipients(t *testing.T) {
	runValidateGoldens(t, "testdata/recipients/*.exo.hcl")
}

// TestRecipientValueRules checks the per-value rules of the recipient attributes.
func TestRecipientValueRules(t *testing.T) {
	tests := []struct {
		rt    *schema.ResourceType
		attr  string
		value string
		ok    bool
	}{
		{exchange.CASMailboxType, "smtp_client_authentication_disabled", "inherit", true},
		{exchange.CASMailboxType, "smtp_client_authentication_disabled", "INHERIT", true},
		{exchange.CASMailboxType, "smtp_client_authentication_disabled", "null", false},
		{exchange.CASMailboxType, "identity", "smtp:a@contoso.com", false},
		{exchange.CASMailboxType, "identity", "Alice Smith", true},
		{exchange.TransportConfigType, "max_recipient_envelope_limit", "Unlimited", true},
		{exchange.TransportConfigType, "max_recipient_envelope_limit", "500", true},
		{exchange.TransportConfigType, "max_recipient_envelope_limit", "-1", false},
		{exchange.TransportConfigType, "max_recipient_envelope_limit", "2147483648", false},
		{exchange.TransportConfigType, "external_postmaster_address", "postmaster@contoso.com", true},
		{exchange.TransportConfigType, "external_postmaster_address", "postmaster", false},
		{exchange.OrganizationConfigType, "ews_allowed_app_ids", "00000000-0000-0000-0000-000000000001", true},
		{exchange.OrganizationConfigType, "ews_allowed_app_ids", "My App", false},
		{exchange.OrganizationConfigType, "ews_application_access_policy", "enforceallowlist", true},
		{exchange.OrganizationConfigType, "ews_application_access_policy", "AllowAll", false},
		{exchange.SharedMailboxType, "primary_smtp_address", "proj-a@contoso.com", true},
		{exchange.SharedMailboxType, "primary_smtp_address", "SMTP:proj-a@contoso.com", false},
		{exchange.SharedMailboxType, "primary_smtp_address", "a b@contoso.com", false},
		{exchange.SharedMailboxType, "email_addresses", "proj-a@contoso.onmicrosoft.com", false},
		{exchange.SharedMailboxType, "email_addresses", "projekt-a@contoso.de", true},
		{exchange.SharedMailboxType, "alias", "proj-a", true},
		{exchange.SharedMailboxType, "alias", "proj a", false},
		{exchange.SharedMailboxType, "alias", ".proj", false},
		{exchange.SharedMailboxType, "name", strings.Repeat("n", 64), true},
		{exchange.SharedMailboxType, "name", strings.Repeat("n", 65), false},
		{exchange.SharedMailboxType, "grant_send_on_behalf_to", "alice", true},
		{exchange.MailboxPermissionsType, "full_access", `NT AUTHORITY\SELF`, false},
		{exchange.MailboxPermissionsType, "send_as", "S-1-5-21-1-2-3-500", false},
		{exchange.MailboxPermissionsType, "send_as", "Helpdesk Team", true},
		{exchange.InboxRuleType, "name", `Import\copy`, false},
		{exchange.InboxRuleType, "copy_to_folder", `Inbox\Import`, true},
		{exchange.InboxRuleType, "copy_to_folder", `support@contoso.com:\Inbox`, true},
		{exchange.InboxRuleType, "copy_to_folder", `support@contoso.com:\`, false},
		{exchange.InboxRuleType, "copy_to_folder", `\Inbox`, false},
		{exchange.InboxRuleType, "from", "erp@vendor.example", true},
		{exchange.InboxRuleType, "from", "ERP System", false},
	}
	for _, tc := range tests {
		t.Run(tc.rt.Name+"."+tc.attr+"="+tc.value, func(t *testing.T) {
			a := tc.rt.Attribute(tc.attr)
			if a == nil {
				t.Fatalf("no attribute %s", tc.attr)
			}
			msg := a.CheckValue(schemaValue(a, tc.value))
			if (msg == "") != tc.ok {
				t.Errorf("CheckValue(%q) = %q, want ok=%v", tc.value, msg, tc.ok)
			}
		})
	}
}

// TestCustomAttribute15IsNotOffered: the marker's field is exoform's alone.
func TestCustomAttribute15IsNotOffered(t *testing.T) {
	for _, a := range exchange.SharedMailboxType.Attributes {
		if strings.EqualFold(a.Wire, "CustomAttribute15") || a.Name == "custom_attribute_15" {
			t.Errorf("%s maps to the marker's field", a.Name)
		}
	}
}
