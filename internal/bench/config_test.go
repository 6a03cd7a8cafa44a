package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/providers/entra"
	"github.com/exoform/exoform/providers/exchange"
	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/sim"
)

// smallTenant is a generated tenant small enough for a unit test.
var smallTenant = sim.Options{
	Mailboxes: 60, SharedMailboxes: 12, MailboxPermissions: 30, Connectors: 6, TransportRules: 6,
	Apps: 6, SMTPAuthOverrides: 10, GenerateSeed: 3,
}

func seedSmall(t *testing.T) (string, *Tenant) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tenant.json")
	if err := sim.ResetWith(path, smallTenant); err != nil {
		t.Fatal(err)
	}
	ten, err := ReadTenant(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, ten
}

func TestReadTenant(t *testing.T) {
	_, ten := seedSmall(t)
	overrides, withPerms := 0, 0
	for _, m := range ten.Mailboxes {
		if m.SMTPAuthDisabled != "inherit" {
			overrides++
		}
	}
	for _, s := range ten.Shared {
		if len(s.FullAccess)+len(s.SendAs) > 0 {
			withPerms++
		}
	}
	// The demo tenant adds its own mailboxes, connectors, rules and apps to the generated ones.
	for _, c := range []struct {
		what     string
		got, min int
	}{
		{"user mailboxes", len(ten.Mailboxes), smallTenant.Mailboxes},
		{"SMTP AUTH overrides", overrides, smallTenant.SMTPAuthOverrides},
		{"shared mailboxes", len(ten.Shared), smallTenant.SharedMailboxes},
		{"shared mailboxes with permissions", withPerms, 1},
		{"connectors", len(ten.Connectors), smallTenant.Connectors},
		{"rules", len(ten.Rules), smallTenant.TransportRules},
		{"apps", len(ten.Apps), smallTenant.Apps},
		{"service principals", ten.ServicePrincipals, smallTenant.Apps},
	} {
		if c.got < c.min {
			t.Errorf("ReadTenant: %d %s, want at least %d", c.got, c.what, c.min)
		}
	}
	if ten.Recipients != len(ten.Mailboxes)+len(ten.Shared) {
		t.Errorf("ReadTenant: Recipients = %d, want %d user + %d shared", ten.Recipients, len(ten.Mailboxes), len(ten.Shared))
	}
}

// TestReadTenant_accessPolicies counts the application access policies that exist (a removed
// one keeps its record with no current value), which the generated tenants have none of.
func TestReadTenant_accessPolicies(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tenant.json")
	state := `{"format_version": 1, "exchange": {"application_access_policies": {
		"a": {"current": {"identity": "a"}}, "b": {"current": null}, "c": {"current": {"identity": "c"}}}}}`
	if err := os.WriteFile(path, []byte(state), 0o600); err != nil {
		t.Fatal(err)
	}
	ten, err := ReadTenant(path)
	if err != nil {
		t.Fatal(err)
	}
	if ten.AccessPolicies != 2 {
		t.Errorf("ReadTenant: AccessPolicies = %d, want 2", ten.AccessPolicies)
	}
}

// TestGenerate loads each generated configuration with the real loader and evaluator and
// checks what it declares.
func TestGenerate(t *testing.T) {
	_, ten := seedSmall(t)
	reg := providers.NewRegistry()
	exchange.NewProvider(nil).Register(reg)
	entra.NewProvider(nil).Register(reg)
	for name, spec := range map[string]Spec{
		"everything": {CASMailboxes: 40, SharedMailboxes: 10, Connectors: 5, Rules: 5, Apps: 5, Flip: 4},
		"apply":      {CASMailboxes: 30, Flip: 30},
		"empty":      {},
	} {
		t.Run(name, func(t *testing.T) {
			files, err := Generate(ten, spec)
			if err != nil {
				t.Fatal(err)
			}
			again, err := Generate(ten, spec)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(files, again); diff != "" {
				t.Errorf("Generate is not deterministic (-first +second):\n%s", diff)
			}
			cfg, ds := schema.LoadSources(files)
			if ds.HasErrors() {
				t.Fatalf("LoadSources: %v", ds)
			}
			ev, ds := schema.Evaluate(cfg, reg, schema.Inputs{Getenv: func(string) string { return "" }})
			if ds.HasErrors() {
				t.Fatalf("Evaluate: %v", ds)
			}
			got := map[string]int{}
			for _, in := range ev.Instances {
				got[in.Resource.Type]++
			}
			want := map[string]int{}
			for typ, n := range map[string]int{
				"exchange_cas_mailbox": spec.CASMailboxes, "exchange_shared_mailbox": spec.SharedMailboxes,
				"exchange_mailbox_permissions": spec.SharedMailboxes, "exchange_inbound_connector": spec.Connectors,
				"exchange_transport_rule": spec.Rules, "entra_application": spec.Apps,
			} {
				if n > 0 {
					want[typ] = n
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("declared resources mismatch (-want +got):\n%s", diff)
			}
			if ev.Workspace != Workspace || ev.TenantID != ten.Domain {
				t.Errorf("workspace, tenant = %q, %q; want %q, %q", ev.Workspace, ev.TenantID, Workspace, ten.Domain)
			}
			if n := flips(ten, files["cas_mailboxes.exo.hcl"]); n != spec.Flip {
				t.Errorf("%d SMTP AUTH settings differ from the tenant, want %d", n, spec.Flip)
			}
		})
	}
}

// flips counts the declared SMTP AUTH settings that differ from the tenant's.
func flips(ten *Tenant, src []byte) int {
	live := map[string]string{}
	for _, m := range ten.Mailboxes {
		live[m.UPN] = m.SMTPAuthDisabled
	}
	n := 0
	var identity string
	for _, line := range bytes.Split(src, []byte("\n")) {
		k, v, ok := strings.Cut(string(line), "=")
		if !ok {
			continue
		}
		v = strings.Trim(strings.TrimSpace(v), `"`)
		switch strings.TrimSpace(k) {
		case "identity":
			identity = v
		case "smtp_client_authentication_disabled":
			if live[identity] != v {
				n++
			}
		}
	}
	return n
}

func TestGenerate_refusesMissingObjects(t *testing.T) {
	_, ten := seedSmall(t)
	for name, spec := range map[string]Spec{
		"too many mailboxes": {CASMailboxes: len(ten.Mailboxes) + 1},
		"too many apps":      {Apps: len(ten.Apps) + 1},
		"more flips than":    {CASMailboxes: 2, Flip: 3},
		"negative":           {Rules: -1},
	} {
		if _, err := Generate(ten, spec); err == nil {
			t.Errorf("Generate(%s) = nil error, want a refusal", name)
		}
	}
}
