package exchange_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/providers/exchange"
	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/schema/diag"
	"github.com/exoform/exoform/sim"
)

// Integration tests of the transport-rule and application-scoping resources against the
// simulated tenant, over HTTPS with the real client.

const (
	simERPApp    = "3f2c1a7e-5b8d-4c6f-9a0e-1d2b3c4d5e6f"
	simERPObject = "8e7d6c5b-4a39-4281-9f0e-a1b2c3d4e5f6"
	simLegacyApp = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"
	seededRule   = "Block executable attachments (legacy)"
)

const simRulesConfig = `exoform {
  workspace = "erp"
}

resource "exchange_transport_rule" "read_receipts" {
  name                 = "Delete read receipts"
  message_type_matches = "ReadReceipt"
  delete_message       = true
  enabled              = true
  comments             = "Read receipts to the project mailboxes are noise."
}

resource "exchange_transport_rule" "tag_external" {
  name             = "Tag external mail"
  priority         = 0
  enabled          = false
  from_scope       = "NotInOrganization"
  sender_ip_ranges = ["192.0.2.0/24", "2001:db8::/32"]
  set_header_name  = "X-External"
  set_header_value = "yes"
  prepend_subject  = "[EXT] "
}

resource "exchange_service_principal" "erp" {
  app_id       = "` + simERPApp + `"
  object_id    = "` + simERPObject + `"
  display_name = "Contoso ERP"
}

resource "exchange_management_scope" "erp" {
  name                         = "ERP mailboxes"
  recipient_restriction_filter = "CustomAttribute1 -eq 'erp'"
}

resource "exchange_management_role_assignment" "send" {
  name                  = "ERP SMTP send as app"
  role                  = "Application SMTP.SendAsApp"
  app                   = exchange_service_principal.erp.app_id
  custom_resource_scope = exchange_management_scope.erp.name
}

resource "exchange_application_access_policy" "legacy" {
  app_id                = "` + simLegacyApp + `"
  policy_scope_group_id = "ERP Mailboxes group"
  access_right          = "RestrictAccess"
  description           = "Legacy reporting app"
}
`

// rulesPlan evaluates a configuration against the registry and plans it.
func rulesPlan(t *testing.T, reg *providers.Registry, src string) (*plan.Planner, *plan.Plan) {
	t.Helper()
	p, pl, _ := rulesPlanWarnings(t, reg, src)
	return p, pl
}

// rulesPlanWarnings is rulesPlan that also returns the configuration's warnings.
func rulesPlanWarnings(t *testing.T, reg *providers.Registry, src string) (*plan.Planner, *plan.Plan, diag.Diagnostics) {
	t.Helper()
	cfg, ds := schema.LoadSources(map[string][]byte{"main.exo.hcl": []byte(src)})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	ev, warnings := schema.Evaluate(cfg, reg, schema.Inputs{})
	if warnings.HasErrors() {
		t.Fatal(warnings)
	}
	p := &plan.Planner{Registry: reg}
	pl, ds := p.Plan(context.Background(), ev)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return p, pl, warnings
}

func rulesApply(t *testing.T, p *plan.Planner, pl *plan.Plan) {
	t.Helper()
	if err := p.Verify(savedOnly(pl)); err != nil {
		t.Fatalf("verify: %v", err)
	}
	if _, ds := p.Apply(context.Background(), pl, nil); ds.HasErrors() {
		t.Fatal(ds)
	}
}

// savedOnly is the plan as a plan file keeps it: without its no-op changes.
func savedOnly(pl *plan.Plan) *plan.Plan {
	out := &plan.Plan{Workspace: pl.Workspace, Tenant: pl.Tenant}
	for _, c := range pl.Changes {
		if c.Action != plan.NoOp {
			out.Changes = append(out.Changes, c)
		}
	}
	return out
}

// summary lists a plan's changes with their changed attributes and operations.
func ruleSummary(pl *plan.Plan) []string {
	var out []string
	for _, c := range pl.Changes {
		if c.Action == plan.NoOp {
			continue
		}
		line := c.Action.String() + " " + c.Addr
		var attrs []string
		for _, a := range c.Attrs {
			attrs = append(attrs, a.Name)
		}
		if len(attrs) > 0 {
			line += " (" + strings.Join(attrs, ", ") + ")"
		}
		for _, op := range c.Operations {
			b, _ := json.Marshal(op.Parameters)
			line += "\n  " + op.Cmdlet + " " + string(b)
		}
		out = append(out, line)
	}
	return out
}

func assertEmptyPlan(t *testing.T, pl *plan.Plan) {
	t.Helper()
	if pl.HasChanges() {
		t.Fatalf("the plan after apply is not empty:\n%s", strings.Join(ruleSummary(pl), "\n"))
	}
}

// invoke runs a cmdlet as an administrator would, outside exoform.
func invoke(t *testing.T, c *exchange.Client, cmdlet string, params ...providers.Param) *exchange.Result {
	t.Helper()
	res, err := c.Invoke(context.Background(), cmdlet, providers.Params(params))
	if err != nil {
		t.Fatalf("%s: %v", cmdlet, err)
	}
	return res
}

func prm(name string, v any) providers.Param { return providers.Param{Name: name, Value: v} }

// rulesByName reads the transport rules: name -> the Get-TransportRule object.
func rulesByName(t *testing.T, c *exchange.Client) (map[string]map[string]any, []string) {
	t.Helper()
	res := invoke(t, c, "Get-TransportRule", prm("ResultSize", "Unlimited"))
	out := map[string]map[string]any{}
	order := make([]string, len(res.Objects))
	for _, o := range res.Objects {
		name := o["Name"].(string)
		out[name] = o
		n, err := o["Priority"].(json.Number).Int64()
		if err != nil || int(n) >= len(order) {
			t.Fatalf("rule %s has priority %v", name, o["Priority"])
		}
		order[n] = name
	}
	return out, order
}

// TestRulesScenarioAgainstSim plans, applies and re-plans every resource of the family on a
// fresh demo tenant, including the design's read-receipt rule, and counts the reads: one bulk
// request per type and plan, whatever the number of declarations.
func TestRulesScenarioAgainstSim(t *testing.T) {
	srv, reg, client := simTenant(t, sim.Options{})
	p, pl, d := rulesPlanWarnings(t, reg, simRulesConfig)
	if got := pl.Counts()[plan.Create]; got != 6 {
		t.Fatalf("%d creates, want 6:\n%s", got, strings.Join(ruleSummary(pl), "\n"))
	}
	if len(d) != 1 || !strings.Contains(d[0].Summary, "RBAC for Applications") {
		t.Errorf("want the one Application Access Policy warning, got %v", d)
	}
	rulesApply(t, p, pl)

	before := srv.Stats().Requests
	_, pl = rulesPlan(t, reg, simRulesConfig)
	assertEmptyPlan(t, pl)
	for _, get := range []string{"Get-TransportRule", "Get-ServicePrincipal", "Get-ManagementScope", "Get-ManagementRoleAssignment", "Get-ApplicationAccessPolicy"} {
		if n := srv.Stats().Requests[get] - before[get]; n != 1 {
			t.Errorf("the re-plan sent %d %s requests; want 1", n, get)
		}
	}

	rules, order := rulesByName(t, client)
	if diff := cmp.Diff([]string{"Tag external mail", seededRule, "Delete read receipts"}, order); diff != "" {
		t.Errorf("rule order (-want +got)\n%s", diff)
	}
	rr := rules["Delete read receipts"]
	if rr["State"] != "Enabled" || rr["MessageTypeMatches"] != "ReadReceipt" || rr["DeleteMessage"] != true ||
		rr["Comments"] != "Read receipts to the project mailboxes are noise.\n[managed-by exoform workspace=erp]" {
		t.Errorf("read-receipt rule: %v", rr)
	}
	if s := rules["Tag external mail"]["State"]; s != "Disabled" {
		t.Errorf("tag rule State %v, want Disabled (created with -Enabled $false)", s)
	}
	if c := rules[seededRule]["Comments"]; strings.Contains(fmt.Sprint(c), "managed-by") {
		t.Errorf("the administrator's rule was marked: %v", c)
	}
}

// TestTransportRuleDriftAgainstSim: changes an administrator makes to a managed rule show as an
// update and are repaired, State through Enable-TransportRule.
func TestTransportRuleDriftAgainstSim(t *testing.T) {
	_, reg, client := simTenant(t, sim.Options{})
	p, pl := rulesPlan(t, reg, simRulesConfig)
	rulesApply(t, p, pl)

	invoke(t, client, "Disable-TransportRule", prm("Identity", "Delete read receipts"))
	invoke(t, client, "Enable-TransportRule", prm("Identity", "Tag external mail"))
	invoke(t, client, "Set-TransportRule", prm("Identity", "Delete read receipts"), prm("MessageTypeMatches", "OOF"),
		prm("Comments", "Edited by an admin\n[managed-by exoform workspace=erp]"))
	invoke(t, client, "Set-TransportRule", prm("Identity", "Tag external mail"), prm("SenderIpRanges", []string{"192.0.2.0/24"}), prm("Priority", 2))

	_, pl = rulesPlan(t, reg, simRulesConfig)
	// Priority changes come first (the planner applies the type's ApplyOrder).
	want := []string{
		`update exchange_transport_rule.tag_external (enabled, priority, sender_ip_ranges)` +
			"\n  Disable-TransportRule " + `{"Identity":"Tag external mail","Confirm":false}` +
			"\n  Set-TransportRule " + `{"Identity":"Tag external mail","Priority":0,"SenderIpRanges":["192.0.2.0/24","2001:db8::/32"]}`,
		`update exchange_transport_rule.read_receipts (enabled, comments, message_type_matches)` +
			"\n  Set-TransportRule " + `{"Identity":"Delete read receipts","MessageTypeMatches":"ReadReceipt","Comments":"Read receipts to the project mailboxes are noise.\n[managed-by exoform workspace=erp]"}` +
			"\n  Enable-TransportRule " + `{"Identity":"Delete read receipts","Confirm":false}`,
	}
	if diff := cmp.Diff(want, ruleSummary(pl)); diff != "" {
		t.Fatalf("drift plan (-want +got)\n%s", diff)
	}
	rulesApply(t, p, pl)
	_, pl = rulesPlan(t, reg, simRulesConfig)
	assertEmptyPlan(t, pl)
}

// TestTransportRulePrioritiesAgainstSim: with Exchange shifting priorities, a reordering that
// configuration order would get wrong in one apply settles in one apply, because the planner
// applies transport-rule changes in the type's ApplyOrder.
func TestTransportRulePrioritiesAgainstSim(t *testing.T) {
	rule := func(name string, prio int) string {
		s := fmt.Sprintf("resource \"exchange_transport_rule\" %q {\n  name = %q\n  subject_contains_words = [%q]\n  prepend_subject = \"[%s] \"\n", strings.ToLower(name), name, name, name)
		if prio >= 0 {
			s += fmt.Sprintf("  priority = %d\n", prio)
		}
		return s + "}\n"
	}
	head := "exoform {\n  workspace = \"prio\"\n}\n"
	first := head + rule("A", 0) + rule("B", -1) // live: A, legacy, B
	second := head + rule("A", 1) + rule("B", 0) // wanted: B, A, legacy
	_, reg, client := simTenant(t, sim.Options{})
	p, pl := rulesPlan(t, reg, first)
	rulesApply(t, p, pl)
	if _, order := rulesByName(t, client); !cmp.Equal([]string{"A", seededRule, "B"}, order) {
		t.Fatalf("after the first apply: %v", order)
	}
	applies := 0
	for {
		_, pl = rulesPlan(t, reg, second)
		if !pl.HasChanges() {
			break
		}
		if applies++; applies > 3 {
			t.Fatalf("priorities did not settle: %v", ruleSummary(pl))
		}
		rulesApply(t, p, pl)
	}
	if _, order := rulesByName(t, client); !cmp.Equal([]string{"B", "A", seededRule}, order) {
		t.Errorf("final order %v", order)
	}
	if applies != 1 {
		t.Errorf("%d applies to settle; want 1", applies)
	}
}

// TestTransportRuleAdoptAndDeleteAgainstSim: the administrator's rule is adopted with its
// comment kept; a rule of this workspace is deleted when its declaration goes, the adopted
// one stays while declared; declared-only types are never deleted.
func TestTransportRuleAdoptAndDeleteAgainstSim(t *testing.T) {
	_, reg, client := simTenant(t, sim.Options{})
	adopt := `
resource "exchange_transport_rule" "legacy" {
  name                 = "` + seededRule + `"
  stop_rule_processing = true
}
`
	p, pl := rulesPlan(t, reg, simRulesConfig+adopt)
	var adopted []string
	for _, c := range pl.Changes {
		if c.Action == plan.Adopt {
			adopted = append(adopted, c.Addr)
		}
	}
	if diff := cmp.Diff([]string{"exchange_transport_rule.legacy"}, adopted); diff != "" {
		t.Fatalf("adoptions (-want +got)\n%s", diff)
	}
	rulesApply(t, p, pl)
	rules, _ := rulesByName(t, client)
	if c := rules[seededRule]["Comments"]; c != "Added after the 2020 invoice-malware incident (ticket SEC-1182). Do not disable without asking the security team.\n[managed-by exoform workspace=erp]" {
		t.Errorf("adopted rule's Comments: %q", c)
	}

	// Drop everything but the adopted rule.
	_, pl = rulesPlan(t, reg, "exoform {\n  workspace = \"erp\"\n}\n"+adopt)
	id, _ := json.Marshal(srvTenantPolicyIdentity(t, client))
	want := []string{
		fmt.Sprintf("delete exchange_application_access_policy[%q]", simLegacyApp+`\ERP Mailboxes group`) +
			"\n  Remove-ApplicationAccessPolicy " + `{"Identity":` + string(id) + `,"Confirm":false}`,
		"delete exchange_transport_rule[\"Delete read receipts\"]\n  Remove-TransportRule {\"Identity\":\"Delete read receipts\",\"Confirm\":false}",
		"delete exchange_transport_rule[\"Tag external mail\"]\n  Remove-TransportRule {\"Identity\":\"Tag external mail\",\"Confirm\":false}",
	}
	if diff := cmp.Diff(want, ruleSummary(pl)); diff != "" {
		t.Fatalf("plan after removing declarations (-want +got)\n%s", diff)
	}
	rulesApply(t, p, pl)
	if _, order := rulesByName(t, client); !cmp.Equal([]string{seededRule}, order) {
		t.Errorf("rules left: %v", order)
	}
	if n := len(invoke(t, client, "Get-ServicePrincipal").Objects); n != 1 {
		t.Errorf("%d service principals; the declared-only one must stay", n)
	}
}

// srvTenantPolicyIdentity reads the one application access policy's Identity.
func srvTenantPolicyIdentity(t *testing.T, c *exchange.Client) string {
	t.Helper()
	res := invoke(t, c, "Get-ApplicationAccessPolicy")
	if len(res.Objects) != 1 {
		t.Fatalf("%d policies", len(res.Objects))
	}
	return res.Objects[0]["Identity"].(string)
}

// TestAppResourcesDriftAgainstSim: an administrator's changes to the service principal, the
// scope, the role assignment and the policy show as updates and are repaired; changing a role
// or an access right replaces the object, and the next plan is empty.
func TestAppResourcesDriftAgainstSim(t *testing.T) {
	_, reg, client := simTenant(t, sim.Options{})
	p, pl := rulesPlan(t, reg, simRulesConfig)
	rulesApply(t, p, pl)

	invoke(t, client, "Set-ServicePrincipal", prm("Identity", simERPApp), prm("DisplayName", "Renamed"))
	invoke(t, client, "Set-ManagementScope", prm("Identity", "ERP mailboxes"), prm("RecipientRestrictionFilter", "Department -eq 'Sales'"))
	invoke(t, client, "Set-ManagementRoleAssignment", prm("Identity", "ERP SMTP send as app"), prm("CustomResourceScope", nil))
	invoke(t, client, "Set-ApplicationAccessPolicy", prm("Identity", srvTenantPolicyIdentity(t, client)), prm("Description", "Edited\n[managed-by exoform workspace=erp]"))

	_, pl = rulesPlan(t, reg, simRulesConfig)
	var got []string
	for _, c := range pl.Changes {
		if c.Action != plan.NoOp {
			var attrs []string
			for _, a := range c.Attrs {
				attrs = append(attrs, a.Name)
			}
			got = append(got, c.Action.String()+" "+c.Addr+" "+strings.Join(attrs, ","))
		}
	}
	want := []string{
		"update exchange_application_access_policy.legacy description",
		"update exchange_management_scope.erp recipient_restriction_filter",
		"update exchange_service_principal.erp display_name",
		"update exchange_management_role_assignment.send custom_resource_scope",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("drift plan (-want +got)\n%s", diff)
	}
	rulesApply(t, p, pl)
	_, pl = rulesPlan(t, reg, simRulesConfig)
	assertEmptyPlan(t, pl)

	changed := strings.Replace(simRulesConfig, `role                  = "Application SMTP.SendAsApp"`, `role                  = "Application Mail.Send"`, 1)
	changed = strings.Replace(changed, `access_right          = "RestrictAccess"`, `access_right          = "DenyAccess"`, 1)
	_, pl = rulesPlan(t, reg, changed)
	var cmdlets []string
	for _, c := range pl.Changes {
		for _, op := range c.Operations {
			cmdlets = append(cmdlets, c.Addr+": "+op.Cmdlet)
		}
	}
	if diff := cmp.Diff([]string{
		"exchange_application_access_policy.legacy: Remove-ApplicationAccessPolicy",
		"exchange_application_access_policy.legacy: New-ApplicationAccessPolicy",
		"exchange_management_role_assignment.send: Remove-ManagementRoleAssignment",
		"exchange_management_role_assignment.send: New-ManagementRoleAssignment",
	}, cmdlets); diff != "" {
		t.Fatalf("replacement plan (-want +got)\n%s", diff)
	}
	rulesApply(t, p, pl)
	_, pl = rulesPlan(t, reg, changed)
	assertEmptyPlan(t, pl)
	ra := invoke(t, client, "Get-ManagementRoleAssignment", prm("Identity", "ERP SMTP send as app")).Objects
	if len(ra) != 1 || ra[0]["Role"] != "Application Mail.Send" || ra[0]["CustomResourceScope"] != "ERP mailboxes" {
		t.Errorf("replaced role assignment: %v", ra)
	}
}

// rulesPlanErrors plans a configuration that is valid but must fail planning, and returns the
// planning errors as "address: detail".
func rulesPlanErrors(t *testing.T, reg *providers.Registry, src string) []string {
	t.Helper()
	cfg, ds := schema.LoadSources(map[string][]byte{"main.exo.hcl": []byte(src)})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	ev, ds := schema.Evaluate(cfg, reg, schema.Inputs{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	pl, ds := (&plan.Planner{Registry: reg}).Plan(context.Background(), ev)
	if pl != nil {
		t.Fatalf("planning succeeded:\n%s", strings.Join(ruleSummary(pl), "\n"))
	}
	var out []string
	for _, d := range ds {
		if d.Severity == diag.Error {
			if d.Subject == nil {
				t.Errorf("error without a location: %s", d.Detail)
			}
			out = append(out, d.Address+": "+d.Detail)
		}
	}
	return out
}

// TestAppPolicyOfSeveralAppsAgainstSim reproduces the review's finding: an administrator's
// policy restricts apps A and B to the group Info; declaring A's entry must neither mark the
// policy nor, on later applies, remove it (and with it B's restriction). Every plan fails at
// the declaration instead, and the policy stays as it was, also when its Description carries
// this workspace's marker and nothing declares it.
func TestAppPolicyOfSeveralAppsAgainstSim(t *testing.T) {
	const appA, appB = "11111111-2222-4333-8444-555555555555", "22222222-2222-4333-8444-555555555555"
	_, reg, client := simTenant(t, sim.Options{})
	invoke(t, client, "New-ApplicationAccessPolicy", prm("AppId", []string{appA, appB}), prm("PolicyScopeGroupID", "Info"),
		prm("AccessRight", "RestrictAccess"), prm("Description", "hand made"))
	before := invoke(t, client, "Get-ApplicationAccessPolicy").Objects
	id := srvTenantPolicyIdentity(t, client)
	head := "exoform {\n  workspace = \"w\"\n}\n"
	declare := func(right string) string {
		return head + "resource \"exchange_application_access_policy\" \"a\" {\n  app_id = \"" + appA + "\"\n  policy_scope_group_id = \"Info\"\n  access_right = \"" + right + "\"\n}\n"
	}
	refused := "exchange_application_access_policy.a: the application access policy for app " + appA + " and group \"Info\" also covers app " + appB +
		". exoform manages only policies of one app: adopting, changing or replacing this one would change the restriction of the other apps too. " +
		"Split it by hand (Remove-ApplicationAccessPolicy -Identity '" + id + "', then one New-ApplicationAccessPolicy per app) and plan again, or leave this policy out of the configuration."
	tests := []struct {
		name, config string
		markFirst    bool // the policy carries this workspace's marker, as an older exoform left it
		want         []string
	}{
		{"declared as it is", declare("RestrictAccess"), false, []string{refused}},
		{"declared again", declare("RestrictAccess"), false, []string{refused}},
		{"declared with another access right", declare("DenyAccess"), false, []string{refused}},
		{"marked and declared", declare("RestrictAccess"), true, []string{refused}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.markFirst {
				invoke(t, client, "Set-ApplicationAccessPolicy", prm("Identity", id), prm("Description", "hand made\n[managed-by exoform workspace=w]"))
			}
			if diff := cmp.Diff(tc.want, rulesPlanErrors(t, reg, tc.config)); diff != "" {
				t.Errorf("plan errors (-want +got)\n%s", diff)
			}
		})
	}
	// Marked and no longer declared: never deleted.
	_, pl := rulesPlan(t, reg, head)
	assertEmptyPlan(t, pl)
	after := invoke(t, client, "Get-ApplicationAccessPolicy").Objects
	if len(after) != 1 || !cmp.Equal(before[0]["AppId"], after[0]["AppId"]) || after[0]["AccessRight"] != "RestrictAccess" {
		t.Errorf("the policy changed:\nbefore %v\nafter  %v", before, after)
	}
}

// TestRoleAssignmentOfAnotherAppAgainstSim: an administrator's assignment for another app that
// has the declared name is refused at the declaration, never replaced (Remove, New) by the
// declared app's grant.
func TestRoleAssignmentOfAnotherAppAgainstSim(t *testing.T) {
	const payrollApp, payrollObject = "00000000-1111-4222-8333-444444444444", "99999999-1111-4222-8333-444444444444"
	_, reg, client := simTenant(t, sim.Options{})
	invoke(t, client, "New-ServicePrincipal", prm("AppId", payrollApp), prm("ObjectId", payrollObject), prm("DisplayName", "Payroll"))
	invoke(t, client, "New-ManagementRoleAssignment", prm("Name", "ERP SMTP send as app"), prm("Role", "Application Mail.Read"), prm("App", payrollObject))
	refused := "exchange_management_role_assignment.send: the role assignment \"ERP SMTP send as app\" belongs to app \"Payroll\" (" + payrollObject + "), not to the declared app " + simERPApp +
		". exoform never replaces another app's assignment: give the declaration another name, or remove the existing assignment by hand (Remove-ManagementRoleAssignment -Identity 'ERP SMTP send as app')."
	for i := 0; i < 2; i++ {
		if diff := cmp.Diff([]string{refused}, rulesPlanErrors(t, reg, simRulesConfig)); diff != "" {
			t.Fatalf("plan %d errors (-want +got)\n%s", i+1, diff)
		}
	}
	ra := invoke(t, client, "Get-ManagementRoleAssignment", prm("Identity", "ERP SMTP send as app")).Objects
	if len(ra) != 1 || ra[0]["RoleAssignee"] != payrollObject || ra[0]["Role"] != "Application Mail.Read" {
		t.Errorf("Payroll's assignment changed: %v", ra)
	}
	// Renamed, the declaration gets its own assignment and Payroll keeps its.
	renamed := strings.Replace(simRulesConfig, `name                  = "ERP SMTP send as app"`, `name                  = "ERP send"`, 1)
	p, pl := rulesPlan(t, reg, renamed)
	rulesApply(t, p, pl)
	_, pl = rulesPlan(t, reg, renamed)
	assertEmptyPlan(t, pl)
	if ra := invoke(t, client, "Get-ManagementRoleAssignment", prm("Identity", "ERP SMTP send as app")).Objects; len(ra) != 1 || ra[0]["RoleAssignee"] != payrollObject {
		t.Errorf("Payroll's assignment after the apply: %v", ra)
	}
}
