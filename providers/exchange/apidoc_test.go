package exchange_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/sim"
)

// TestCallsAgainstSim holds every type's documented calls (providers.APIDescriber) to what the
// type sends to the simulated tenant, both ways: the guard families' stages, plus one for
// what they never reach (callGaps), are read one type at a time as the planner reads them, planned, and
// applied; every cmdlet a read sent (counted by the tenant), every operation a change compiled
// to and every guard read must be documented with that purpose, and every documented call and
// purpose must have been seen.
func TestCallsAgainstSim(t *testing.T) {
	families := []struct {
		name   string
		config func(stage int) string
		stages int
	}{
		{"rules", guardRules, 3},
		{"recipients", guardRecipients, 3},
		{"gaps", callGaps, 2},
	}
	seen := map[string]map[providers.Purpose][]providers.Operation{}
	record := func(typ string, p providers.Purpose, op providers.Operation) {
		if seen[typ] == nil {
			seen[typ] = map[providers.Purpose][]providers.Operation{}
		}
		seen[typ][p] = append(seen[typ][p], op)
	}
	var reg *providers.Registry
	for _, f := range families {
		srv, r, _ := simTenant(t, sim.Options{})
		reg = r
		for stage := 0; stage < f.stages; stage++ {
			p, pl := guardPlan(t, reg, f.config(stage))
			readEachType(t, srv, reg, pl, record)
			for _, c := range pl.Changes {
				if c.Action == plan.NoOp {
					continue
				}
				pc, _ := plan.ProviderChange(c)
				for _, op := range c.Operations {
					record(c.Type, providers.PurposeOf(pc.Kind), op)
				}
				res, _ := reg.Resource(c.Type)
				// A new application access policy has no identity a guard could read it by
				// (appAccessPolicy.Guard): that error is the guard tests' business.
				if g, err := res.(providers.Guarder).Guard(pc); err == nil {
					record(c.Type, providers.PurposeGuard, g.Read)
					for _, l := range g.Lookups {
						record(c.Type, providers.PurposeGuard, l.Read)
					}
				}
			}
			if _, ds := p.Apply(context.Background(), pl, nil); ds.HasErrors() {
				t.Fatalf("%s stage %d: %v", f.name, stage, ds)
			}
		}
	}
	for _, name := range reg.ResourceTypeNames() {
		res, _ := reg.Resource(name)
		d, ok := res.(providers.APIDescriber)
		if !ok {
			t.Errorf("%s is not a providers.APIDescriber", name)
			continue
		}
		for _, problem := range providers.CheckCalls(d.Calls(), seen[name]) {
			t.Errorf("%s %s", name, problem)
		}
	}
}

// readEachType reads every type as the planner would for a plan's declarations, one type at a
// time, and records the cmdlets the tenant counted for each.
func readEachType(t *testing.T, srv *sim.Server, reg *providers.Registry, pl *plan.Plan, record func(string, providers.Purpose, providers.Operation)) {
	t.Helper()
	keys := map[string][]string{}
	for _, c := range pl.Changes {
		if c.Action != plan.Delete && !schema.HasPlaceholder(c.Key) {
			keys[c.Type] = append(keys[c.Type], c.Key)
		}
	}
	ctx := context.Background()
	for _, name := range reg.ResourceTypeNames() {
		res, _ := reg.Resource(name)
		before := srv.Stats().Requests
		var err error
		switch r := res.(type) {
		case providers.ScopedReader:
			_, _, err = r.ReadKeys(ctx, keys[name])
		case providers.DeclaredReader:
			_, err = r.ReadDeclared(ctx, keys[name])
		default:
			_, err = res.ReadAll(ctx)
		}
		if err != nil {
			t.Fatalf("reading %s: %v", name, err)
		}
		after := srv.Stats().Requests
		for _, cmdlet := range slices.Sorted(maps.Keys(after)) {
			if after[cmdlet] > before[cmdlet] {
				record(name, providers.PurposeRead, providers.Operation{Service: providers.Exchange, Cmdlet: cmdlet})
			}
		}
	}
}

// callGaps makes the changes the guard families never reach: it grants a shared mailbox's Full
// Access and Send As to two users, then takes one of each away; and it creates an application
// access policy, then changes only its description.
func callGaps(stage int) string {
	users, note := `["adele@contoso.com", "alexw@contoso.com"]`, "Reporting app"
	if stage > 0 {
		users, note = `["adele@contoso.com"]`, "Reporting app, reviewed"
	}
	return fmt.Sprintf(`exoform {
  workspace = "gaps"
}

resource "exchange_mailbox_permissions" "info" {
  identity    = "info@contoso.com"
  full_access = %s
  send_as     = %s
}

resource "exchange_application_access_policy" "reporting" {
  app_id                = "`+simLegacyApp+`"
  policy_scope_group_id = "ERP Mailboxes group"
  access_right          = "RestrictAccess"
  description           = %q
}
`, users, strings.ReplaceAll(users, "alexw", "meganb"), note)
}
