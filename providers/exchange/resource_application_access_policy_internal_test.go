package exchange

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

const (
	aapAppA  = "11111111-2222-4333-8444-555555555555"
	aapAppB  = "22222222-2222-4333-8444-555555555555"
	aapAppC  = "33333333-2222-4333-8444-555555555555"
	aapScope = "01f1bb5c-e9d2-573d-9716-46aa0f4a557a"
	aapMulti = `t\` + aapAppA + "," + aapAppB + ":" + aapScope
)

// aapFake is a tenant with a hand-made policy for the apps A and B on the group Info, whose
// Description already carries this workspace's marker (as an older exoform wrote it when it
// adopted one app's entry), and one policy of exoform's for app C alone.
func aapFake() *ruleFake {
	return &ruleFake{out: map[string]string{"Get-ApplicationAccessPolicy": `[
  {"Identity":"t\\` + aapAppA + `,` + aapAppB + `:` + aapScope + `","AppId":["` + aapAppA + `","` + aapAppB + `"],
   "ScopeName":"Info","ScopeIdentity":"Info","ScopeIdentityRaw":"` + aapScope + `",
   "Description":"hand made\n[managed-by exoform workspace=ws]","AccessRight":"RestrictAccess"},
  {"Identity":"t\\` + aapAppC + `:` + aapScope + `","AppId":["` + aapAppC + `"],
   "ScopeName":"Info","ScopeIdentity":"Info","ScopeIdentityRaw":"` + aapScope + `",
   "Description":"[managed-by exoform workspace=ws]","AccessRight":"RestrictAccess"}]`}}
}

// TestAppPolicyOfSeveralAppsIsNeverChanged: exoform never adopts, changes, replaces or deletes a
// policy that covers more than one app. A declaration of one of its apps fails planning at the
// declaration, naming the other apps; without a declaration none of its entries is deleted,
// whatever marker its Description carries.
func TestAppPolicyOfSeveralAppsIsNeverChanged(t *testing.T) {
	policy := func(name, app, group, right string) string {
		return fmt.Sprintf("resource \"exchange_application_access_policy\" %q {\n  app_id = %q\n  policy_scope_group_id = %q\n  access_right = %q\n}\n", name, app, group, right)
	}
	keepC := policy("c", aapAppC, "Info", "RestrictAccess")
	refused := func(addr, app, group, other string) string {
		return fmt.Sprintf("error %s at main.exo.hcl: Cannot compile a change: the application access policy for app %s and group %q also covers app %s. "+
			"exoform manages only policies of one app: adopting, changing or replacing this one would change the restriction of the other apps too. "+
			"Split it by hand (Remove-ApplicationAccessPolicy -Identity '%s', then one New-ApplicationAccessPolicy per app) and plan again, or leave this policy out of the configuration.",
			addr, app, group, other, aapMulti)
	}
	tests := []struct {
		name, config string
		want         []string // diagnostics, or the planned changes when there are none
	}{
		{"adopting one app's entry is refused", keepC + policy("a", aapAppA, "Info", "RestrictAccess"),
			[]string{refused("exchange_application_access_policy.a", aapAppA, "Info", aapAppB)}},
		{"the other app, by the group's object id", keepC + policy("b", aapAppB, aapScope, "RestrictAccess"),
			[]string{refused("exchange_application_access_policy.b", aapAppB, "Info", aapAppA)}},
		{"changing the access right (a replacement) is refused", keepC + policy("a", aapAppA, "Info", "DenyAccess"),
			[]string{refused("exchange_application_access_policy.a", aapAppA, "Info", aapAppB)}},
		{"undeclared, marked: never deleted", keepC,
			[]string{"no-op exchange_application_access_policy.c"}},
		{"the single-app policy is still deleted", "",
			[]string{"delete exchange_application_access_policy[\"" + aapAppC + `\\Info"]: Remove-ApplicationAccessPolicy {"Identity":"t\\` + aapAppC + ":" + aapScope + `","Confirm":false}`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := providers.NewRegistry()
			registerRules(reg, aapFake())
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
				if d.Severity.String() != "error" {
					continue
				}
				where := "nowhere"
				if d.Subject != nil {
					where = d.Subject.Filename
				}
				got = append(got, fmt.Sprintf("error %s at %s: %s: %s", d.Address, where, d.Summary, d.Detail))
			}
			if pl != nil {
				for _, c := range pl.Changes {
					line := c.Action.String() + " " + c.Addr
					for i, op := range c.Operations {
						b, _ := json.Marshal(op.Parameters)
						line += map[bool]string{true: ": ", false: "; "}[i == 0] + op.Cmdlet + " " + string(b)
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

// TestAppPolicyOfSeveralAppsCompile: every entry of a policy of several apps reads without an
// owner, and compiling any update or delete of it is an error; a policy of one app compiles as
// before.
func TestAppPolicyOfSeveralAppsCompile(t *testing.T) {
	objs, err := (&appAccessPolicy{c: aapFake()}).ReadAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var owners []string
	for _, o := range objs {
		owners = append(owners, o.Key+" owner="+o.Owner)
	}
	if diff := cmp.Diff([]string{aapAppA + `\Info owner=`, aapAppB + `\Info owner=`, aapAppC + `\Info owner=ws`}, owners); diff != "" {
		t.Fatalf("owners (-want +got)\n%s", diff)
	}
	m := providers.Marker{Workspace: "ws"}
	res := &appAccessPolicy{}
	tests := []struct {
		name string
		obj  int
		kind providers.ChangeKind
		set  []string
		want string // an error's start, or the cmdlets
	}{
		{"adopt A", 0, providers.Update, nil, "the application access policy for app " + aapAppA + ` and group "Info"`},
		{"replace A", 0, providers.Update, []string{"access_right"}, "the application access policy for app " + aapAppA},
		{"describe B", 1, providers.Update, []string{"description"}, "the application access policy for app " + aapAppB},
		{"delete A", 0, providers.Delete, nil, "exoform never removes the application access policy '" + aapMulti + "': it also covers app " + aapAppB +
			", whose restriction Remove-ApplicationAccessPolicy would lift too"},
		{"delete B", 1, providers.Delete, nil, "exoform never removes the application access policy '" + aapMulti + "': it also covers app " + aapAppA +
			", whose restriction Remove-ApplicationAccessPolicy would lift too"},
		{"replace C", 2, providers.Update, []string{"access_right"}, "Remove-ApplicationAccessPolicy New-ApplicationAccessPolicy"},
		{"delete C", 2, providers.Delete, nil, "Remove-ApplicationAccessPolicy"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prior := objs[tc.obj]
			c := providers.Change{Kind: tc.kind, Prior: &prior, Set: tc.set, Marker: m, WriteMarker: tc.kind == providers.Update && tc.set == nil}
			if tc.kind == providers.Update {
				c.Desired = prior.Value
			}
			ops, err := res.Compile(c)
			var got string
			if err != nil {
				got = err.Error()
				if strings.HasPrefix(got, tc.want) {
					got = tc.want
				}
			} else {
				var cmdlets []string
				for _, op := range ops {
					cmdlets = append(cmdlets, op.Cmdlet)
				}
				got = strings.Join(cmdlets, " ")
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}
