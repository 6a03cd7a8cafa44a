package exchange

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// TestRoleAssignmentOfAnotherAppIsNeverReplaced: a role assignment with a declared name that
// belongs to another service principal is refused at the declaration, never replaced; one of the
// declared app whose role changed is replaced, and the plan shows the role's change.
func TestRoleAssignmentOfAnotherAppIsNeverReplaced(t *testing.T) {
	const (
		erpApp, erpObject     = "3f2c1a7e-5b8d-4c6f-9a0e-1d2b3c4d5e6f", "8e7d6c5b-4a39-4281-9f0e-a1b2c3d4e5f6"
		otherApp, otherObject = "00000000-1111-4222-8333-444444444444", "99999999-1111-4222-8333-444444444444"
	)
	fake := func() *ruleFake {
		return &ruleFake{out: map[string]string{
			"Get-ServicePrincipal": `[{"AppId":"` + erpApp + `","ObjectId":"` + erpObject + `","DisplayName":"Contoso ERP","Identity":"` + erpObject + `"},
				{"AppId":"` + otherApp + `","ObjectId":"` + otherObject + `","DisplayName":"Payroll","Identity":"` + otherObject + `"}]`,
			"Get-ManagementRoleAssignment": `[{"Name":"Mail send","Role":"Application Mail.Send","RoleAssignee":"` + otherObject + `","RoleAssigneeName":"Payroll",
				"RoleAssigneeType":"ServicePrincipal","CustomResourceScope":"Payroll mailboxes"}]`,
		}}
	}
	assignment := func(app, role, scope string) string {
		return fmt.Sprintf("resource \"exchange_management_role_assignment\" \"send\" {\n  name = \"Mail send\"\n  role = %q\n  app = %q\n  custom_resource_scope = %q\n}\n", role, app, scope)
	}
	refused := "error exchange_management_role_assignment.send at main.exo.hcl: Cannot compile a change: " +
		`the role assignment "Mail send" belongs to app "Payroll" (` + otherObject + `), not to the declared app ` + erpObject + ". " +
		"exoform never replaces another app's assignment: give the declaration another name, or remove the existing assignment by hand (Remove-ManagementRoleAssignment -Identity 'Mail send')."
	tests := []struct {
		name, config string
		want         []string
	}{
		{"another app, by app id", assignment(erpApp, "Application Mail.Send", "Payroll mailboxes"), []string{refused}},
		{"another app, by display name, with a role change", assignment("Contoso ERP", "Application Mail.Read", "Payroll mailboxes"), []string{refused}},
		{"same app, role changed: replaced, the role change shown", assignment("payroll", "Application Mail.Read", "Payroll mailboxes"), []string{
			"update exchange_management_role_assignment.send (role)" +
				"\n  Remove-ManagementRoleAssignment " + `{"Identity":"Mail send","Confirm":false}` +
				"\n  New-ManagementRoleAssignment " + `{"Name":"Mail send","Role":"Application Mail.Read","App":"` + otherObject + `","CustomResourceScope":"Payroll mailboxes"}`}},
		{"same app, scope changed: in place", assignment(otherApp, "Application Mail.Send", "All payroll"), []string{
			"update exchange_management_role_assignment.send (custom_resource_scope)" +
				"\n  Set-ManagementRoleAssignment " + `{"Identity":"Mail send","CustomResourceScope":"All payroll"}`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := providers.NewRegistry()
			registerRules(reg, fake())
			cfg, ds := schema.LoadSources(map[string][]byte{"main.exo.hcl": []byte("exoform {\n  workspace = \"ws\"\n}\n" + tc.config)})
			if ds.HasErrors() {
				t.Fatal(ds)
			}
			ev, ds := schema.Evaluate(cfg, reg, schema.Inputs{})
			if ds.HasErrors() {
				t.Fatal(ds)
			}
			pl, ds := (&plan.Planner{Registry: reg}).Plan(context.Background(), ev)
			var got []string
			for _, d := range ds {
				if d.Severity.String() == "error" && d.Subject != nil {
					got = append(got, fmt.Sprintf("error %s at %s: %s: %s", d.Address, d.Subject.Filename, d.Summary, d.Detail))
				} else if d.Severity.String() == "error" {
					got = append(got, "error without a location: "+d.Detail)
				}
			}
			if pl != nil {
				for _, c := range pl.Changes {
					if c.Action == plan.NoOp {
						continue
					}
					line := c.Action.String() + " " + c.Addr + " ("
					for i, a := range c.Attrs {
						line += map[bool]string{true: "", false: ", "}[i == 0] + a.Name
					}
					line += ")"
					for _, op := range c.Operations {
						b, _ := json.Marshal(op.Parameters)
						line += "\n  " + op.Cmdlet + " " + string(b)
					}
					got = append(got, line)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}
