package exchange_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/providers/exchange"
	"github.com/exoform/exoform/sim"
)

// The guards of every Exchange type, held to what the simulated tenant answers: each planned
// change's guard Read goes through the real client, and providers.Guard.Evaluate (the Go
// statement of the generated script's rules) must find the object as the plan saw it before the
// change, as the change leaves it after, and still so once the whole plan is applied (a second
// run of the script skips every change).

// guardAnswer sends a guard's Read through the real client and decodes the answer as the
// script's helper sees it: JSON decoded into any, "couldn't be found" as no object.
func guardAnswer(t *testing.T, client *exchange.Client, g providers.Guard) any {
	t.Helper()
	res, err := client.Invoke(context.Background(), g.Read.Cmdlet, g.Read.Parameters)
	if exchange.IsNotFound(err) {
		return nil
	}
	if err != nil {
		t.Fatalf("%s: %v", g.Read, err)
	}
	if len(res.Errors) > 0 {
		t.Fatalf("%s reported errors: %v", g.Read, res.Errors)
	}
	b, err := json.Marshal(res.Objects)
	if err != nil {
		t.Fatal(err)
	}
	var answer any
	if err := json.Unmarshal(b, &answer); err != nil {
		t.Fatal(err)
	}
	return answer
}

// guardChanges reports whether a guard can tell the object before the change from the object
// after it: a create or a delete, or a check whose values differ. (A guard whose checks do not
// cover what a change sets finds both states at once.)
func guardChanges(kind providers.ChangeKind, g providers.Guard) bool {
	if kind != providers.Update {
		return true
	}
	for _, c := range g.Checks {
		if c.Compare == providers.CompareOwner {
			if c.Before != c.After {
				return true
			}
			continue
		}
		if !providers.GuardValueEqual(c.Compare, c.Before, c.After) {
			return true
		}
	}
	return false
}

// guarded is a change of a plan with its guard.
type guarded struct {
	c     *plan.Change
	kind  providers.ChangeKind
	guard providers.Guard
}

// guardsOf builds the guard of every change of a plan. A change whose type cannot guard it
// must be one of allowedErrors ("type action").
func guardsOf(t *testing.T, reg *providers.Registry, pl *plan.Plan, allowedErrors ...string) []guarded {
	t.Helper()
	var out []guarded
	for _, c := range pl.Changes {
		if c.Action == plan.NoOp {
			continue
		}
		res, _ := reg.Resource(c.Type)
		g, ok := res.(providers.Guarder)
		if !ok {
			t.Fatalf("%s is not a providers.Guarder", c.Type)
		}
		pc, _ := plan.ProviderChange(c)
		guard, err := g.Guard(pc)
		if err != nil {
			if !containsString(allowedErrors, c.Type+" "+c.Action.String()) {
				t.Errorf("%s: %v", c.Addr, err)
			}
			continue
		}
		if containsString(allowedErrors, c.Type+" "+c.Action.String()) {
			t.Errorf("%s: the guard of a %s was expected to fail", c.Addr, c.Action)
		}
		out = append(out, guarded{c: c, kind: pc.Kind, guard: guard})
	}
	return out
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// guardApply applies a plan one change at a time, as the script runs it, and evaluates each
// change's guard just before and just after its change; then, with the whole plan applied,
// every guard again, as a second run of the script would. It returns "type action" for each
// change that does something.
func guardApply(t *testing.T, reg *providers.Registry, client *exchange.Client, p *plan.Planner, pl *plan.Plan, allowedErrors ...string) []string {
	t.Helper()
	gs := guardsOf(t, reg, pl, allowedErrors...)
	byChange := map[*plan.Change]guarded{}
	for _, g := range gs {
		byChange[g.c] = g
	}
	var did []string
	for _, c := range pl.Changes {
		if c.Action == plan.NoOp {
			continue
		}
		did = append(did, c.Type+" "+c.Action.String())
		g, ok := byChange[c]
		if ok {
			st := g.guard.Evaluate(g.kind, c.Pending, guardAnswer(t, client, g.guard))
			want := providers.GuardState{Before: true, After: !guardChanges(g.kind, g.guard)}
			if c.Pending {
				// Evaluate lists as mismatches the checks that match neither value, even for a
				// pending change, whose Before values are the placeholder's nulls and which it
				// makes whatever it finds: only Before and After say what the script does.
				st.Mismatches = nil
			}
			if diff := cmp.Diff(want, st); diff != "" {
				t.Errorf("%s %s before the change: %s\nguard (-want +got):\n%s", c.Addr, c.Action, guardText(g.guard), diff)
			}
		}
		one := &plan.Plan{Workspace: pl.Workspace, Tenant: pl.Tenant, Known: pl.Known, Changes: []*plan.Change{c}}
		if _, ds := p.Apply(context.Background(), one, nil); ds.HasErrors() {
			t.Fatalf("applying %s: %v", c.Addr, ds)
		}
		if ok {
			st := g.guard.Evaluate(g.kind, c.Pending, guardAnswer(t, client, g.guard))
			want := providers.GuardState{Before: c.Pending || !guardChanges(g.kind, g.guard), After: true}
			if diff := cmp.Diff(want, st); diff != "" {
				t.Errorf("%s %s after the change: %s\nguard (-want +got):\n%s", c.Addr, c.Action, guardText(g.guard), diff)
			}
		}
	}
	for _, g := range gs {
		if st := g.guard.Evaluate(g.kind, g.c.Pending, guardAnswer(t, client, g.guard)); !st.After {
			t.Errorf("%s %s: with the whole plan applied, a second run would not skip it (%+v): %s", g.c.Addr, g.c.Action, st, guardText(g.guard))
		}
	}
	return did
}

// guardText shows a guard for a failure message.
func guardText(g providers.Guard) string {
	var checks []string
	for _, c := range g.Checks {
		if providers.GuardValueEqual(c.Compare, nil, c.Before) && providers.GuardValueEqual(c.Compare, nil, c.After) {
			continue // unset before and after: left out of the message
		}
		checks = append(checks, fmt.Sprintf("%s(%s): %#v -> %#v", c.Attr, c.Property, c.Before, c.After))
	}
	return fmt.Sprintf("%s; checks %s; unchecked %v", g.Read, strings.Join(checks, ", "), g.Unchecked)
}

// guardPlan plans a configuration; warnings are allowed.
func guardPlan(t *testing.T, reg *providers.Registry, src string) (*plan.Planner, *plan.Plan) {
	t.Helper()
	return rulesPlan(t, reg, src)
}

const guardRulesHead = `exoform {
  workspace = "guard"
}
`

// guardRules is the rules family's configuration at each stage: 0 creates and adopts, 1 updates,
// 2 deletes what the workspace owns.
func guardRules(stage int) string {
	pick := func(vals ...string) string { return vals[min(stage, len(vals)-1)] }
	var b strings.Builder
	b.WriteString(guardRulesHead)
	if stage < 2 {
		fmt.Fprintf(&b, `
resource "exchange_inbound_connector" "relay" {
  name           = "Legacy scanner relay"
  connector_type = "OnPremises"
  sender_domains = ["contoso.com"]
  require_tls    = true
  enabled        = %s
  comment        = %q
}

resource "exchange_inbound_connector" "partner" {
  name                            = "Guard partner"
  connector_type                  = "Partner"
  sender_domains                  = ["northwind.example.com"]
  require_tls                     = true
  tls_sender_certificate_name     = "mail.northwind.example.com"
  restrict_domains_to_certificate = %s
  trusted_organizations           = %s
  comment                         = "Northwind relay"
}

resource "exchange_transport_rule" "read_receipts" {
  name                 = "Delete read receipts"
  message_type_matches = "ReadReceipt"
  delete_message       = true
  enabled              = %s
  mode                 = %q
  comments             = %q
}

resource "exchange_transport_rule" "tag_external" {
  name             = "Tag external mail"
  priority         = 0
  enabled          = %s
  from_scope       = "NotInOrganization"
  sender_ip_ranges = %s
  set_header_name  = "X-External"
  set_header_value = "yes"
  prepend_subject  = %q
}

resource "exchange_transport_rule" "notice" {
  name                   = "Guard notice"
  subject_contains_words = ["notice"]
  prepend_subject        = "[Notice] "
%s}

resource "exchange_transport_rule" "legacy" {
  name                       = "`+seededRule+`"
  except_if_sender_domain_is = ["fabrikam.com", "contoso.com"]
  reject_message_reason_text = %q
}

resource "exchange_application_access_policy" "legacy" {
  app_id                = "`+simLegacyApp+`"
  policy_scope_group_id = "ERP Mailboxes group"
  access_right          = %q
  description           = %q
}
`,
			pick("true", "false"), pick("Printers", "Printers, reviewed"),
			pick("true", "false"), pick("[]", `["fabrikam.com"]`),
			pick("true", "false"), pick("Enforce", "Audit"), pick("Noise.", "Noise, reviewed."),
			pick("false", "true"), pick(`["192.0.2.0/24"]`, `["192.0.2.0/24", "2001:db8::/32"]`), pick("[EXT] ", "[External] "),
			// Adding a disclaimer makes Exchange fill in its location and fallback action.
			pick("", "  apply_html_disclaimer_text = \"<p>Notice</p>\"\n"),
			pick("Executable attachments are not accepted. Share the file through OneDrive instead.", "No executables."),
			pick("RestrictAccess", "DenyAccess"), pick("Legacy reporting app", "Legacy reporting app, denied"))
	}
	fmt.Fprintf(&b, `
resource "exchange_service_principal" "erp" {
  app_id       = "`+simERPApp+`"
  object_id    = "`+simERPObject+`"
  display_name = %q
}

resource "exchange_management_scope" "erp" {
  name                         = "ERP mailboxes"
  recipient_restriction_filter = %q
  exclusive                    = false
}

resource "exchange_management_role_assignment" "send" {
  name                  = "ERP SMTP send as app"
  role                  = %q
  app                   = exchange_service_principal.erp.app_id
  custom_resource_scope = exchange_management_scope.erp.name
}

resource "exchange_management_role_assignment" "read" {
  name                  = "ERP read"
  role                  = "Application Mail.Read"
  app                   = exchange_service_principal.erp.app_id
  custom_resource_scope = %s
}
`, pick("Contoso ERP", "Contoso ERP (prod)"), pick("CustomAttribute1 -eq 'erp'", "CustomAttribute1 -eq 'erp2'"),
		pick("Application SMTP.SendAsApp", "Application Mail.Send"), pick("exchange_management_scope.erp.name", `""`))
	return b.String()
}

// guardRecipients is the recipients family's configuration at each stage: 0 creates, adopts and
// sets up the new mailboxes, 1 updates, 2 deletes one of the shared mailboxes.
func guardRecipients(stage int) string {
	pick := func(vals ...string) string { return vals[min(stage, len(vals)-1)] }
	return fmt.Sprintf(`exoform {
  workspace = "projects"
}

locals {
  projects = toset(%s)
}

resource "exchange_shared_mailbox" "project" {
  for_each                          = local.projects
  primary_smtp_address              = "${each.key}@contoso.com"
  name                              = "Project ${each.key}"
  display_name                      = "Project ${each.key} %s"
  alias                             = each.key
  email_addresses                   = ["${each.key}-archive@contoso.com"]
  message_copy_for_sent_as_enabled  = true
  hidden_from_address_lists_enabled = %s
  grant_send_on_behalf_to           = ["adele@contoso.com"]

  lifecycle {
    allow_destroy = true
  }
}

resource "exchange_mailbox_permissions" "project" {
  for_each    = local.projects
  identity    = exchange_shared_mailbox.project[each.key].primary_smtp_address
  full_access = %s
  send_as     = ["adele@contoso.com"]
}

resource "exchange_cas_mailbox" "project" {
  for_each     = local.projects
  identity     = exchange_shared_mailbox.project[each.key].primary_smtp_address
  imap_enabled = true
  pop_enabled  = %s
}

resource "exchange_inbox_rule" "import" {
  for_each               = local.projects
  mailbox                = exchange_shared_mailbox.project[each.key].primary_smtp_address
  name                   = "Import copy"
  copy_to_folder         = "Inbox\\Import"
  from                   = ["erp@vendor.example.com"]
  subject_contains_words = %s
  stop_processing_rules  = false
  mark_as_read           = %s
}

resource "exchange_cas_mailbox" "support" {
  identity                            = "support@contoso.com"
  smtp_client_authentication_disabled = %q
}

resource "exchange_transport_config" "org" {
  smtp_client_authentication_disabled = true
  max_recipient_envelope_limit        = %q
  reply_all_storm_protection_enabled  = %s
}

resource "exchange_organization_config" "org" {
  ews_enabled                   = true
  ews_allowed_app_ids           = ["6a0a0c8e-1111-4222-8333-444455556666"]
  ews_application_access_policy = "EnforceAllowList"
  ews_allow_list                = %s
  oauth2_client_profile_enabled = %s
}

resource "exchange_shared_mailbox" "info" {
  primary_smtp_address                    = "info@contoso.com"
  name                                    = "Info"
  hidden_from_address_lists_enabled       = true
  message_copy_for_send_on_behalf_enabled = %s
}

resource "exchange_mailbox_permissions" "info" {
  identity    = "info@contoso.com"
  full_access = ["adele@contoso.com", "alexw@contoso.com"]
}

resource "exchange_inbox_rule" "newsletters" {
  mailbox               = "meganb@contoso.com"
  name                  = "Newsletters"
  mark_as_read          = true
  stop_processing_rules = %s
}
`, pick(`["proj-a", "proj-b"]`, `["proj-a", "proj-b"]`, `["proj-a"]`), pick("(shared)", "(team)"), pick("false", "true"),
		pick(`["adele@contoso.com"]`, `["adele@contoso.com", "alexw@contoso.com"]`), pick("false", "true"),
		pick(`["invoice"]`, `["invoice", "order"]`), pick("false", "true"),
		pick("false", "inherit"), pick("1000", "Unlimited"), pick("false", "true"),
		pick(`["ERP/1.0"]`, `["ERP/1.0", "ERP/2.0"]`), pick("false", "true"), pick("false", "true"), pick("false", "true"))
}

// TestGuardsAgainstSim runs each family's stages against a seeded simulated tenant and holds
// every change's guard to the tenant's answers (guardApply), then checks that the stages made
// every kind of change each type allows.
func TestGuardsAgainstSim(t *testing.T) {
	families := []struct {
		name   string
		config func(stage int) string
		// errors are the changes whose guard must fail: a new application access policy has no
		// identity a script could read it by (appAccessPolicy.Guard).
		errors []string
	}{
		{"rules", guardRules, []string{"exchange_application_access_policy create"}},
		{"recipients", guardRecipients, nil},
	}
	seen := map[string]bool{}
	for _, f := range families {
		t.Run(f.name, func(t *testing.T) {
			_, reg, client := simTenant(t, sim.Options{})
			for stage := 0; stage < 3; stage++ {
				p, pl := guardPlan(t, reg, f.config(stage))
				if !pl.HasChanges() {
					t.Fatalf("stage %d plans no change", stage)
				}
				for _, d := range guardApply(t, reg, client, p, pl, f.errors...) {
					seen[d] = true
				}
				if _, pl := guardPlan(t, reg, f.config(stage)); pl.HasChanges() {
					t.Fatalf("stage %d did not converge:\n%s", stage, strings.Join(ruleSummary(pl), "\n"))
				}
			}
		})
	}
	var got []string
	for d := range seen {
		got = append(got, d)
	}
	sort.Strings(got)
	want := []string{
		"exchange_application_access_policy create",
		"exchange_application_access_policy delete",
		"exchange_application_access_policy update",
		"exchange_cas_mailbox update",
		"exchange_inbound_connector adopt",
		"exchange_inbound_connector create",
		"exchange_inbound_connector delete",
		"exchange_inbound_connector update",
		"exchange_inbox_rule create",
		"exchange_inbox_rule update",
		"exchange_mailbox_permissions update",
		"exchange_management_role_assignment create",
		"exchange_management_role_assignment update",
		"exchange_management_scope create",
		"exchange_management_scope update",
		"exchange_organization_config update",
		"exchange_service_principal create",
		"exchange_service_principal update",
		"exchange_shared_mailbox adopt",
		"exchange_shared_mailbox create",
		"exchange_shared_mailbox delete",
		"exchange_shared_mailbox update",
		"exchange_transport_config update",
		"exchange_transport_rule adopt",
		"exchange_transport_rule create",
		"exchange_transport_rule delete",
		"exchange_transport_rule update",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the stages did not make every kind of change (-want +got)\n%s", diff)
	}
}

// TestGuardsSeeChangesBehindThePlan changes a checked attribute of each object behind the plan's
// back, after planning and before the script runs: the guard must find the object neither as
// the plan saw it nor as the change leaves it, and name the attribute.
func TestGuardsSeeChangesBehindThePlan(t *testing.T) {
	type stale struct {
		addr   string
		cmdlet string
		params providers.Params
		attr   string
	}
	families := []struct {
		name   string
		config func(stage int) string
		errors []string
		stale  []stale
	}{
		{"rules", guardRules, []string{"exchange_application_access_policy create"}, []stale{
			{`exchange_inbound_connector.relay`, "Set-InboundConnector",
				providers.Params{{Name: "Identity", Value: "Legacy scanner relay"}, {Name: "RequireTls", Value: false}}, "require_tls"},
			{`exchange_transport_rule.read_receipts`, "Set-TransportRule",
				providers.Params{{Name: "Identity", Value: "Delete read receipts"}, {Name: "MessageTypeMatches", Value: "OOF"}}, "message_type_matches"},
			{`exchange_transport_rule.tag_external`, "Set-TransportRule",
				providers.Params{{Name: "Identity", Value: "Tag external mail"}, {Name: "PrependSubject", Value: "[Outside] "}}, "prepend_subject"},
			{`exchange_service_principal.erp`, "Set-ServicePrincipal",
				providers.Params{{Name: "Identity", Value: simERPApp}, {Name: "DisplayName", Value: "Renamed by hand"}}, "display_name"},
			{`exchange_management_role_assignment.send`, "Set-ManagementRoleAssignment",
				providers.Params{{Name: "Identity", Value: "ERP SMTP send as app"}, {Name: "CustomResourceScope", Value: nil}}, "custom_resource_scope"},
			{`exchange_application_access_policy.legacy`, "Set-ApplicationAccessPolicy",
				providers.Params{{Name: "Identity", Value: "<policy>"}, {Name: "Description", Value: "[managed-by exoform workspace=other]"}}, "ownership marker"},
		}},
		{"recipients", guardRecipients, nil, []stale{
			{`exchange_cas_mailbox.project["proj-a"]`, "Set-CASMailbox",
				providers.Params{{Name: "Identity", Value: "proj-a@contoso.com"}, {Name: "ImapEnabled", Value: false}}, "imap_enabled"},
			{`exchange_cas_mailbox.support`, "Set-CASMailbox",
				providers.Params{{Name: "Identity", Value: "support@contoso.com"}, {Name: "SmtpClientAuthenticationDisabled", Value: true}}, "smtp_client_authentication_disabled"},
			{`exchange_shared_mailbox.project["proj-b"]`, "Set-Mailbox",
				providers.Params{{Name: "Identity", Value: "proj-b@contoso.com"}, {Name: "MessageCopyForSentAsEnabled", Value: false}}, "message_copy_for_sent_as_enabled"},
			{`exchange_shared_mailbox.project["proj-a"]`, "Set-Mailbox",
				providers.Params{{Name: "Identity", Value: "proj-a@contoso.com"}, {Name: "CustomAttribute15", Value: "[managed-by exoform workspace=other]"}}, "ownership marker"},
			{`exchange_inbox_rule.import["proj-a"]`, "Set-InboxRule",
				providers.Params{{Name: "Identity", Value: "Import copy"}, {Name: "Mailbox", Value: "proj-a@contoso.com"}, {Name: "StopProcessingRules", Value: true}}, "stop_processing_rules"},
			{`exchange_transport_config.org`, "Set-TransportConfig",
				providers.Params{{Name: "SmtpClientAuthenticationDisabled", Value: false}}, "smtp_client_authentication_disabled"},
			{`exchange_organization_config.org`, "Set-OrganizationConfig",
				providers.Params{{Name: "EwsEnabled", Value: false}}, "ews_enabled"},
		}},
	}
	for _, f := range families {
		t.Run(f.name, func(t *testing.T) {
			_, reg, client := simTenant(t, sim.Options{})
			p, pl := guardPlan(t, reg, f.config(0))
			guardApply(t, reg, client, p, pl, f.errors...)
			_, pl = guardPlan(t, reg, f.config(1))
			gs := map[string]guarded{}
			for _, g := range guardsOf(t, reg, pl, f.errors...) {
				gs[g.c.Addr] = g
			}
			for _, s := range f.stale {
				g, ok := gs[s.addr]
				if !ok {
					t.Errorf("%s: the plan has no guarded change of it", s.addr)
					continue
				}
				// Before the change behind its back, the guard finds the object as planned.
				if st := g.guard.Evaluate(g.kind, g.c.Pending, guardAnswer(t, client, g.guard)); !st.Before || len(st.Mismatches) > 0 {
					t.Errorf("%s: before the change behind the plan's back: %+v", s.addr, st)
				}
				params := s.params
				if v, _ := params.Get("Identity"); v == "<policy>" {
					params = providers.Params{{Name: "Identity", Value: g.c.Prior.ID}, params[1]}
				}
				rcpInvoke(t, client, s.cmdlet, params)
				st := g.guard.Evaluate(g.kind, g.c.Pending, guardAnswer(t, client, g.guard))
				if diff := cmp.Diff(providers.GuardState{Mismatches: []string{s.attr}}, st); diff != "" {
					t.Errorf("%s after %s: (-want +got)\n%s\nguard: %s", s.addr, s.cmdlet, diff, guardText(g.guard))
				}
			}
		})
	}
}
