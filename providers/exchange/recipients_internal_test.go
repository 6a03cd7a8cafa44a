package exchange

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// rcpFakeInvoker answers cmdlets from a function and records the calls.
type rcpFakeInvoker struct {
	mu       sync.Mutex
	calls    []string
	inFlight atomic.Int32
	maxIn    atomic.Int32
	batches  atomic.Int32 // InvokeBatch calls
	delay    time.Duration
	answer   func(cmdlet string, ps providers.Params) (*Result, error)
}

func (f *rcpFakeInvoker) Invoke(ctx context.Context, cmdlet string, ps providers.Params) (*Result, error) {
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		m := f.maxIn.Load()
		if n <= m || f.maxIn.CompareAndSwap(m, n) {
			break
		}
	}
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	f.mu.Lock()
	desc := cmdlet
	for _, p := range ps {
		desc += fmt.Sprintf(" -%s %v", p.Name, p.Value)
	}
	f.calls = append(f.calls, desc)
	f.mu.Unlock()
	return f.answer(cmdlet, ps)
}

func (f *rcpFakeInvoker) sortedCalls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := append([]string(nil), f.calls...)
	sort.Strings(out)
	return out
}

// rcpObjects decodes Get-* output written as JSON, numbers as json.Number like the client.
func rcpObjects(t *testing.T, js string) []map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(js))
	dec.UseNumber()
	var out []map[string]any
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func rcpNotFound(what string) error {
	return &Error{Cmdlet: "Get-X", Status: 404, Code: "NotFound", ExceptionType: "ManagementObjectNotFoundException",
		Message: fmt.Sprintf("The operation couldn't be performed because object '%s' couldn't be found.", what)}
}

// rcpAttrs renders a value's non-null attributes for comparison.
func rcpAttrs(v cty.Value) map[string]string {
	out := map[string]string{}
	for k, a := range v.AsValueMap() {
		if a.IsNull() {
			continue
		}
		switch {
		case a.Type() == cty.String:
			out[k] = a.AsString()
		case a.Type() == cty.Bool:
			out[k] = fmt.Sprint(a.True())
		case a.Type() == cty.Number:
			out[k] = a.AsBigFloat().String()
		default:
			out[k] = strings.Join(recipientStrings(a), ",")
		}
	}
	return out
}

func TestCASLiveObject(t *testing.T) {
	objs := rcpObjects(t, `[
 {"Identity":"Helpdesk","Name":"Helpdesk","DisplayName":"Help Desk","PrimarySmtpAddress":"helpdesk@contoso.com",
  "SamAccountName":"$X12-ABC","Guid":"0b3c7a8e-0000-0000-0000-000000000001","ExternalDirectoryObjectId":"7f0c0000-0000-0000-0000-000000000001",
  "EmailAddresses":["SMTP:helpdesk@contoso.com","smtp:support@contoso.com","smtp:helpdesk@contoso.onmicrosoft.com","SPO:SPO_x@SPO_y"],
  "SmtpClientAuthenticationDisabled":null,"ImapEnabled":true,"PopEnabled":"False","EwsEnabled":null,"MAPIEnabled":true,"ActiveSyncEnabled":true,"OWAEnabled":false},
 {"Identity":"Alice","Name":"Alice","DisplayName":"Help Desk","PrimarySmtpAddress":"alice@contoso.com","UserPrincipalName":"alice@contoso.com",
  "SmtpClientAuthenticationDisabled":false,"ImapEnabled":false,"PopEnabled":false,"MAPIEnabled":true,"ActiveSyncEnabled":true,"OWAEnabled":true},
 {"Identity":"Bob","PrimarySmtpAddress":"bob@contoso.com","SmtpClientAuthenticationDisabled":true}
]`)
	f := &rcpFakeInvoker{answer: func(cmdlet string, ps providers.Params) (*Result, error) {
		return &Result{Objects: objs}, nil
	}}
	got, err := (&casMailbox{c: f}).ReadAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Get-CASMailbox -ResultSize Unlimited"}, f.sortedCalls()); diff != "" {
		t.Errorf("reads (-want +got):\n%s", diff)
	}
	want := []struct {
		key   string
		names []string
		attrs map[string]string
	}{
		{"helpdesk@contoso.com",
			// "Help Desk" is the display name of two mailboxes: it names neither.
			[]string{"Helpdesk", "$X12-ABC", "0b3c7a8e-0000-0000-0000-000000000001", "7f0c0000-0000-0000-0000-000000000001", "support@contoso.com", "helpdesk@contoso.onmicrosoft.com"},
			map[string]string{"identity": "helpdesk@contoso.com", "smtp_client_authentication_disabled": "inherit", "imap_enabled": "true",
				"pop_enabled": "false", "mapi_enabled": "true", "active_sync_enabled": "true", "owa_enabled": "false"}},
		{"alice@contoso.com", []string{"Alice"},
			map[string]string{"identity": "alice@contoso.com", "smtp_client_authentication_disabled": "false", "imap_enabled": "false",
				"pop_enabled": "false", "mapi_enabled": "true", "active_sync_enabled": "true", "owa_enabled": "true"}},
		{"bob@contoso.com", []string{"Bob"}, map[string]string{"identity": "bob@contoso.com", "smtp_client_authentication_disabled": "true"}},
	}
	if len(got) != len(want) {
		t.Fatalf("%d objects, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].Key != w.key {
			t.Errorf("object %d: key %q, want %q", i, got[i].Key, w.key)
		}
		if diff := cmp.Diff(w.names, got[i].Names); diff != "" {
			t.Errorf("%s: names (-want +got):\n%s", w.key, diff)
		}
		if diff := cmp.Diff(w.attrs, rcpAttrs(got[i].Value)); diff != "" {
			t.Errorf("%s: attributes (-want +got):\n%s", w.key, diff)
		}
	}
}

// A list that comes with non-terminating errors may be incomplete; a failing read is an error.
// Neither may look like an empty tenant.
func TestRecipientReadsRefuseIncompleteLists(t *testing.T) {
	partial := &rcpFakeInvoker{answer: func(string, providers.Params) (*Result, error) {
		return &Result{Objects: []map[string]any{}, Errors: []string{"The object couldn't be read."}}, nil
	}}
	failing := &rcpFakeInvoker{answer: func(cmdlet string, _ providers.Params) (*Result, error) {
		return nil, &Error{Cmdlet: cmdlet, Status: 500, Message: "boom"}
	}}
	for _, f := range []*rcpFakeInvoker{partial, failing} {
		reads := map[string]func() ([]providers.LiveObject, error){
			"transport": func() ([]providers.LiveObject, error) { return (&transportConfig{c: f}).ReadAll(context.Background()) },
			"organization": func() ([]providers.LiveObject, error) {
				return (&organizationConfig{c: f}).ReadAll(context.Background())
			},
			"cas":    func() ([]providers.LiveObject, error) { return (&casMailbox{c: f}).ReadAll(context.Background()) },
			"shared": func() ([]providers.LiveObject, error) { return (&sharedMailbox{c: f}).ReadAll(context.Background()) },
			"permissions": func() ([]providers.LiveObject, error) {
				objs, _, err := (&mailboxPermissions{c: f}).ReadKeys(context.Background(), []string{"a@contoso.com"})
				return objs, err
			},
			"inbox": func() ([]providers.LiveObject, error) {
				objs, _, err := (&inboxRule{c: f}).ReadKeys(context.Background(), []string{`a@contoso.com\r`})
				return objs, err
			},
		}
		for name, read := range reads {
			if objs, err := read(); err == nil {
				t.Errorf("%s: read succeeded with %d objects", name, len(objs))
			}
		}
	}
}

func TestSingletonReads(t *testing.T) {
	f := &rcpFakeInvoker{answer: func(cmdlet string, _ providers.Params) (*Result, error) {
		switch cmdlet {
		case "Get-TransportConfig":
			return &Result{Objects: rcpObjects(t, `[{"Identity":"Transport Settings","SmtpClientAuthenticationDisabled":true,"AllowLegacyTLSClients":false,
"MaxRecipientEnvelopeLimit":"Unlimited","ReplyAllStormDetectionMinimumRecipients":2500,"ReplyAllStormBlockDurationHours":"6",
"ExternalPostmasterAddress":null,"HeaderPromotionModeSetting":"nocreate"}]`)}, nil
		case "Get-OrganizationConfig":
			return &Result{Objects: rcpObjects(t, `[{"Identity":"contoso.onmicrosoft.com","EwsEnabled":null,
"EwsAllowedAppIDs":"11111111-1111-1111-1111-111111111111, 22222222-2222-2222-2222-222222222222","EwsAllowList":null,"OAuth2ClientProfileEnabled":true}]`)}, nil
		}
		return nil, fmt.Errorf("unexpected %s", cmdlet)
	}}
	tc, err := (&transportConfig{c: f}).ReadAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(tc) != 1 || tc[0].Key != "" {
		t.Fatalf("transport config: %+v", tc)
	}
	if diff := cmp.Diff(map[string]string{"smtp_client_authentication_disabled": "true", "allow_legacy_tls_clients": "false",
		"max_recipient_envelope_limit": "Unlimited", "reply_all_storm_detection_minimum_recipients": "2500",
		"reply_all_storm_block_duration_hours": "6", "header_promotion_mode_setting": "NoCreate"}, rcpAttrs(tc[0].Value)); diff != "" {
		t.Errorf("transport config (-want +got):\n%s", diff)
	}
	oc, err := (&organizationConfig{c: f}).ReadAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"ews_allowed_app_ids": "11111111-1111-1111-1111-111111111111,22222222-2222-2222-2222-222222222222",
		"ews_allow_list": "", "ews_block_list": "", "oauth2_client_profile_enabled": "true"}, rcpAttrs(oc[0].Value)); diff != "" {
		t.Errorf("organization config (-want +got):\n%s", diff)
	}
	for _, n := range []int{0, 2} {
		g := &rcpFakeInvoker{answer: func(string, providers.Params) (*Result, error) {
			return &Result{Objects: make([]map[string]any, n)}, nil
		}}
		if _, err := (&transportConfig{c: g}).ReadAll(context.Background()); err == nil {
			t.Errorf("%d transport configurations were accepted", n)
		}
	}
}

func TestSharedLiveObject(t *testing.T) {
	objs := rcpObjects(t, `[
 {"Name":"Project A","DisplayName":"Project A","Alias":"proj-a","PrimarySmtpAddress":"proj-a@contoso.com","Guid":"g1",
  "EmailAddresses":["SMTP:proj-a@contoso.com","smtp:project-a@contoso.com","smtp:proj-a@contoso.onmicrosoft.com","X500:/o=ExchangeLabs/cn=x","SIP:proj-a@contoso.com"],
  "HiddenFromAddressListsEnabled":false,"MessageCopyForSentAsEnabled":true,"MessageCopyForSendOnBehalfEnabled":false,
  "GrantSendOnBehalfTo":["alice"],"CustomAttribute15":"[managed-by exoform workspace=projects allow_destroy]"},
 {"Name":"Legacy","PrimarySmtpAddress":"legacy@contoso.com","EmailAddresses":["SMTP:legacy@contoso.com"],"GrantSendOnBehalfTo":[],"CustomAttribute15":"cost-centre 42"},
 {"Name":"Plain","PrimarySmtpAddress":"plain@contoso.com","EmailAddresses":"SMTP:plain@contoso.com","CustomAttribute15":null}
]`)
	f := &rcpFakeInvoker{answer: func(string, providers.Params) (*Result, error) { return &Result{Objects: objs}, nil }}
	got, err := (&sharedMailbox{c: f}).ReadAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Get-Mailbox -RecipientTypeDetails [SharedMailbox] -ResultSize Unlimited"}, f.sortedCalls()); diff != "" {
		t.Errorf("reads (-want +got):\n%s", diff)
	}
	a := got[0]
	if a.Key != "proj-a@contoso.com" || a.Owner != "projects" || !a.AllowDestroy || a.Protected || len(a.Names) != 0 {
		t.Errorf("proj-a: %+v", a)
	}
	if diff := cmp.Diff(map[string]string{"primary_smtp_address": "proj-a@contoso.com", "name": "Project A", "display_name": "Project A",
		"alias": "proj-a", "email_addresses": "project-a@contoso.com", "hidden_from_address_lists_enabled": "false",
		"message_copy_for_sent_as_enabled": "true", "message_copy_for_send_on_behalf_enabled": "false", "grant_send_on_behalf_to": "alice"},
		rcpAttrs(a.Value)); diff != "" {
		t.Errorf("proj-a (-want +got):\n%s", diff)
	}
	if text, foreign := sharedForeignText(&got[1]); !foreign || text != "cost-centre 42" || got[1].Owner != "" {
		t.Errorf("legacy: foreign %v %q owner %q", foreign, text, got[1].Owner)
	}
	if _, foreign := sharedForeignText(&got[2]); foreign || got[2].Owner != "" {
		t.Errorf("plain: %+v", got[2])
	}
}

func TestMailboxPermissionsReadKeys(t *testing.T) {
	sendAs := rcpObjects(t, `[
 {"Identity":"Support","Trustee":"NT AUTHORITY\\SELF","AccessRights":["SendAs"],"IsInherited":false,"AccessControlType":"Allow"},
 {"Identity":"Support","Trustee":"alice@contoso.com","AccessRights":["SendAs"],"IsInherited":false,"AccessControlType":"Allow"},
 {"Identity":"Support","Trustee":"mallory@contoso.com","AccessRights":["SendAs"],"IsInherited":false,"AccessControlType":"Deny"},
 {"Identity":"Support","Trustee":"inherit@contoso.com","AccessRights":["SendAs"],"IsInherited":true,"AccessControlType":"Allow"}
]`)
	full := rcpObjects(t, `[
 {"Identity":"Support","User":"NT AUTHORITY\\SELF","AccessRights":["FullAccess","ReadPermission"],"IsInherited":false,"Deny":false},
 {"Identity":"Support","User":"alice@contoso.com","AccessRights":["FullAccess"],"IsInherited":false,"Deny":false},
 {"Identity":"Support","User":"carol@contoso.com","AccessRights":"FullAccess, ReadPermission","IsInherited":false,"Deny":false},
 {"Identity":"Support","User":"dave@contoso.com","AccessRights":["ReadPermission"],"IsInherited":false,"Deny":false},
 {"Identity":"Support","User":"NAMPR01\\Admins","AccessRights":["FullAccess"],"IsInherited":true,"Deny":false},
 {"Identity":"Support","User":"S-1-5-21-1-2-3-4","AccessRights":["FullAccess"],"IsInherited":false,"Deny":false},
 {"Identity":"Support","User":"eve@contoso.com","AccessRights":["FullAccess"],"IsInherited":false,"Deny":true}
]`)
	f := &rcpFakeInvoker{answer: func(cmdlet string, ps providers.Params) (*Result, error) {
		id, _ := ps.Get("Identity")
		if id == "gone@contoso.com" {
			return nil, rcpNotFound("gone@contoso.com")
		}
		switch cmdlet {
		case "Get-RecipientPermission":
			if id == "support@contoso.com" {
				return &Result{Objects: sendAs}, nil
			}
			return &Result{Objects: []map[string]any{}}, nil
		case "Get-MailboxPermission":
			if id == "support@contoso.com" {
				return &Result{Objects: full}, nil
			}
			return &Result{Objects: []map[string]any{}}, nil
		}
		return nil, fmt.Errorf("unexpected %s", cmdlet)
	}}
	keys := []string{"support@contoso.com", "SUPPORT@contoso.com", "gone@contoso.com"}
	for i := 0; i < 10; i++ {
		keys = append(keys, fmt.Sprintf("m%d@contoso.com", i))
	}
	got, missing, err := (&mailboxPermissions{c: f}).ReadKeys(context.Background(), keys)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"gone@contoso.com"}, missing); diff != "" {
		t.Errorf("missing mailboxes (-want +got):\n%s", diff)
	}
	calls := f.sortedCalls()
	for _, cmdlet := range []string{"Get-MailboxPermission", "Get-RecipientPermission"} {
		if n := strings.Count(strings.Join(calls, "\n"), cmdlet+" -Identity"); n != 12 {
			t.Errorf("%d %s reads, want one per distinct mailbox (12):\n%s", n, cmdlet, strings.Join(calls, "\n"))
		}
	}
	if n := f.batches.Load(); n != 1 {
		t.Errorf("%d InvokeBatch calls, want every read in one (the client splits it into $batch requests)", n)
	}
	if len(got) != 11 {
		t.Fatalf("%d objects, want 11 (the missing mailbox has none)", len(got))
	}
	s := got[0]
	if s.Key != "support@contoso.com" || !cmp.Equal(s.Names, []string{"Support"}) {
		t.Errorf("support: key %q names %v", s.Key, s.Names)
	}
	if diff := cmp.Diff(map[string]string{"identity": "support@contoso.com", "full_access": "alice@contoso.com,carol@contoso.com",
		"send_as": "alice@contoso.com"}, rcpAttrs(s.Value)); diff != "" {
		t.Errorf("support (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"identity": "m0@contoso.com", "full_access": "", "send_as": ""}, rcpAttrs(got[1].Value)); diff != "" {
		t.Errorf("a mailbox without entries (-want +got):\n%s", diff)
	}
}

func TestMailboxPermissionsResolve(t *testing.T) {
	cas := []providers.LiveObject{
		{Key: "alice@contoso.com", Names: []string{"Alice", "alice.smith@contoso.com", "Alice Smith"}},
		{Key: "bob@contoso.com", Names: []string{"Bob"}},
	}
	perm := permissionsLiveObject("support", rcpObjects(t, `[{"Identity":"Support","User":"Alice","AccessRights":["FullAccess"]}]`), nil)
	liveObjs := map[string][]providers.LiveObject{CASMailboxType.Name: cas, MailboxPermissionsType.Name: {perm}}
	desired := func(full, send []string, am cty.Value) cty.Value {
		f := cty.NullVal(cty.Set(cty.String))
		if full != nil {
			f = recipientSetOf(full)
		}
		s := cty.NullVal(cty.Set(cty.String))
		if send != nil {
			s = recipientSetOf(send)
		}
		return cty.ObjectVal(map[string]cty.Value{"identity": cty.StringVal("SUPPORT"), "full_access": f, "auto_mapping": am, "send_as": s})
	}
	r := &mailboxPermissions{}
	tests := []struct {
		name string
		in   cty.Value
		want map[string]string
	}{
		{"a trustee spelled another way takes the reported spelling", desired([]string{"alice.smith@contoso.com"}, nil, cty.False),
			map[string]string{"identity": "SUPPORT", "full_access": "Alice"}},
		{"a new trustee takes the primary address; auto_mapping is kept for the addition",
			desired([]string{"Alice Smith", "bob"}, []string{"BOB@contoso.com", "Helpdesk Team"}, cty.False),
			map[string]string{"identity": "SUPPORT", "full_access": "Alice,bob@contoso.com", "auto_mapping": "false", "send_as": "Helpdesk Team,bob@contoso.com"}},
		{"two names of one mailbox are one trustee", desired([]string{"alice@contoso.com", "Alice"}, nil, cty.NullVal(cty.Bool)),
			map[string]string{"identity": "SUPPORT", "full_access": "Alice"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.Resolve(tc.in, liveObjs)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, rcpAttrs(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSharedMailboxResolve(t *testing.T) {
	cas := []providers.LiveObject{{Key: "alice@contoso.com", Names: []string{"Alice"}}}
	shared := []providers.LiveObject{{Key: "proj-a@contoso.com", Value: cty.ObjectVal(map[string]cty.Value{
		"grant_send_on_behalf_to": recipientSetOf([]string{"Alice"})})}}
	in := cty.ObjectVal(map[string]cty.Value{"primary_smtp_address": cty.StringVal("proj-a@contoso.com"),
		"grant_send_on_behalf_to": recipientSetOf([]string{"alice@contoso.com", "bob@fabrikam.example"})})
	got, err := (&sharedMailbox{}).Resolve(in, map[string][]providers.LiveObject{CASMailboxType.Name: cas, SharedMailboxType.Name: shared})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Alice", "bob@fabrikam.example"}, recipientStrings(got.GetAttr("grant_send_on_behalf_to"))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestInboxRuleReadKeys(t *testing.T) {
	rules := rcpObjects(t, `[
 {"Name":"Import copy","Identity":"proj-a\\1234","RuleIdentity":"1234","MailboxOwnerId":"proj-a","Priority":1,"Enabled":true,
  "From":["\"ERP\" [SMTP:erp@vendor.example]"],"CopyToFolder":"proj-a:\\Inbox\\Import","MoveToFolder":null,
  "SubjectContainsWords":["invoice"],"MarkAsRead":false,"StopProcessingRules":false,"ForwardTo":null},
 {"Name":"Other","Identity":"proj-a\\5678","Priority":2},
 {"Name":"Twice","Priority":3},
 {"Name":"twice","Priority":4}
]`)
	f := &rcpFakeInvoker{answer: func(cmdlet string, ps providers.Params) (*Result, error) {
		mb, _ := ps.Get("Mailbox")
		switch mb {
		case "proj-a@contoso.com":
			return &Result{Objects: rules}, nil
		case "new@contoso.com":
			return nil, rcpNotFound("new@contoso.com")
		}
		return &Result{Objects: []map[string]any{}}, nil
	}}
	r := &inboxRule{c: f}
	got, missing, err := r.ReadKeys(context.Background(), []string{
		schema.JoinKey("proj-a@contoso.com", "Import copy"), schema.JoinKey("PROJ-A@contoso.com", "missing"),
		schema.JoinKey("new@contoso.com", "Import copy"), schema.JoinKey(`CONTOSO\bob`, "Import copy")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{schema.JoinKey("new@contoso.com", "Import copy")}, missing); diff != "" {
		t.Errorf("rules of a mailbox that does not exist are reported missing, not absent (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{
		`Get-InboxRule -Mailbox CONTOSO\bob -ResultSize Unlimited`,
		"Get-InboxRule -Mailbox new@contoso.com -ResultSize Unlimited",
		"Get-InboxRule -Mailbox proj-a@contoso.com -ResultSize Unlimited",
	}, f.sortedCalls()); diff != "" {
		t.Errorf("reads, one per distinct mailbox (-want +got):\n%s", diff)
	}
	if len(got) != 1 {
		t.Fatalf("%d objects, want only the declared rule that exists", len(got))
	}
	o := got[0]
	if o.Key != `proj-a@contoso.com\Import copy` || o.ID != "1234" || !cmp.Equal(o.Names, []string{`proj-a\Import copy`}) {
		t.Errorf("key %q id %q names %v", o.Key, o.ID, o.Names)
	}
	if diff := cmp.Diff(map[string]string{"mailbox": "proj-a@contoso.com", "name": "Import copy", "priority": "1", "from": "erp@vendor.example",
		"copy_to_folder": `Inbox\Import`, "subject_contains_words": "invoice", "mark_as_read": "false", "stop_processing_rules": "false",
		"forward_to": "", "redirect_to": "", "sent_to": "", "subject_or_body_contains_words": "", "body_contains_words": ""}, rcpAttrs(o.Value)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, _, err := r.ReadKeys(context.Background(), []string{schema.JoinKey("proj-a@contoso.com", "Twice")}); err == nil ||
		!strings.Contains(err.Error(), `2 inbox rules named "Twice"`) {
		t.Errorf("duplicate rule names: %v", err)
	}
}

func TestInboxValueShapes(t *testing.T) {
	for in, want := range map[string]string{
		`"Alice Smith" [SMTP:alice@contoso.com]`: "alice@contoso.com",
		`smtp:bob@contoso.com`:                   "bob@contoso.com",
		`carol@contoso.com`:                      "carol@contoso.com",
	} {
		if got := inboxRecipient(in); got != want {
			t.Errorf("inboxRecipient(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		`proj-a@contoso.com:\Inbox\Import`: `Inbox\Import`,
		`:\Inbox`:                          "Inbox",
		`Inbox\Import`:                     `Inbox\Import`,
		`\Inbox\Import\`:                   `Inbox\Import`,
	} {
		if got := inboxFolderPath(in); got != want {
			t.Errorf("inboxFolderPath(%q) = %q, want %q", in, got, want)
		}
	}
	for key, want := range map[string][2]string{
		`a@contoso.com\Import`:    {"a@contoso.com", "Import"},
		`CONTOSO\bob\Import copy`: {`CONTOSO\bob`, "Import copy"},
	} {
		mb, name, ok := inboxSplitKey(key)
		if !ok || mb != want[0] || name != want[1] {
			t.Errorf("inboxSplitKey(%q) = %q, %q, %v", key, mb, name, ok)
		}
	}
}

func TestAddRemoveEncoding(t *testing.T) {
	b, err := json.Marshal(providers.Params{{Name: "EmailAddresses", Value: providers.AddRemove{Add: []string{"smtp:a@b.example"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"EmailAddresses":{"@odata.type":"#Exchange.GenericHashTable","add":["smtp:a@b.example"]}}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}

// An alias cannot be resolved through Get-CASMailbox; one that is the local part of a mailbox's
// address is refused with the address to write instead, rather than planned forever.
func TestResolveRefusesUnresolvableAlias(t *testing.T) {
	cas := []providers.LiveObject{{Key: "carol@contoso.com", Names: []string{"Carol Jones"}}}
	in := cty.ObjectVal(map[string]cty.Value{"identity": cty.StringVal("support"), "full_access": recipientSetOf([]string{"carol"}),
		"auto_mapping": cty.NullVal(cty.Bool), "send_as": cty.NullVal(cty.Set(cty.String))})
	_, err := (&mailboxPermissions{}).Resolve(in, map[string][]providers.LiveObject{CASMailboxType.Name: cas})
	if err == nil || !strings.Contains(err.Error(), "Write the trustee as carol@contoso.com") {
		t.Errorf("got %v", err)
	}
	// A name that is no mailbox's (a group) is kept as written.
	in = recipientWithAttrs(in, map[string]cty.Value{"full_access": recipientSetOf([]string{"Helpdesk"})})
	got, err := (&mailboxPermissions{}).Resolve(in, map[string][]providers.LiveObject{CASMailboxType.Name: cas})
	if err != nil || !cmp.Equal(recipientStrings(got.GetAttr("full_access")), []string{"Helpdesk"}) {
		t.Errorf("got %v, %v", got, err)
	}
}
