package plan_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/providers"
	pt "github.com/exoform/exoform/providers/providertest"
)

// TestKinds: settings are only updated and must exist; declared-only objects are created and
// updated but never deleted; data-bearing objects are deleted only with allow_destroy; objects
// are found by any of their names.
func TestKinds(t *testing.T) {
	const head = "exoform { workspace = \"ws\" }\n"
	support := pt.Object(pt.SettingType, "Support", "", map[string]cty.Value{
		"identity": cty.StringVal("Support"), "enabled": cty.True, "auth_disabled": cty.StringVal("inherit")})
	support.Names = []string{"support@contoso.com", "support"}
	note := pt.Object(pt.NoteType, `support@contoso.com\Import`, "", map[string]cty.Value{
		"box": cty.StringVal("support@contoso.com"), "name": cty.StringVal("Import"), "priority": cty.NumberIntVal(1)})
	mine := pt.Object(pt.BoxType, "old@contoso.com", "ws", map[string]cty.Value{"address": cty.StringVal("old@contoso.com")})
	tests := []struct {
		name    string
		live    [][]providers.LiveObject // settings, notes, boxes
		src     string
		want    []row
		wantErr string
	}{
		{
			name: "a setting found by another name is updated",
			live: [][]providers.LiveObject{{support}, nil, nil},
			src: `resource "fake_setting" "s" {
  identity      = "SUPPORT@contoso.com"
  auth_disabled = false
}`,
			want: []row{{Addr: "fake_setting.s", Action: "update", Attrs: []string{`auth_disabled: "inherit" -> "false"`}, Ops: []string{"Set-Widget Identity,AuthDisabled"}}},
		},
		{
			name: "a missing setting object is an error, never a create",
			live: [][]providers.LiveObject{nil, nil, nil},
			src: `resource "fake_setting" "s" {
  identity = "nobody@contoso.com"
  enabled  = true
}`,
			wantErr: "Object not found",
		},
		{
			name: "declared-only objects are created and updated, never deleted",
			live: [][]providers.LiveObject{nil, {note}, nil},
			src: `resource "fake_note" "n" {
  box      = "support@contoso.com"
  name     = "Archive"
  priority = 2
}`,
			want: []row{{Addr: "fake_note.n", Action: "create", Attrs: []string{"priority: null -> 2"}, Ops: []string{`New-Widget Name,Priority`}}},
		},
		{
			name:    "a data-bearing object needs allow_destroy to be deleted",
			live:    [][]providers.LiveObject{nil, nil, {mine}},
			src:     ``,
			wantErr: "Deleting an object that holds data needs allow_destroy",
		},
		{
			name: "allow_destroy is written into the marker",
			live: [][]providers.LiveObject{nil, nil, {mine}},
			src: `resource "fake_box" "b" {
  address = "old@contoso.com"
  lifecycle {
    allow_destroy = true
  }
}`,
			want: []row{{Addr: "fake_box.b", Action: "update", Attrs: []string{"lifecycle.allow_destroy: false -> true"}, Ops: []string{"Set-Widget Identity,Owner"}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			settings, notes, boxes := pt.NewTenantOf(pt.SettingType, tc.live[0]...), pt.NewTenantOf(pt.NoteType, tc.live[1]...), pt.NewTenantOf(pt.BoxType, tc.live[2]...)
			reg := pt.Registry(settings, notes, boxes)
			pl, ds := (&plan.Planner{Registry: reg}).Plan(context.Background(), evaluate(t, reg, head+tc.src))
			if tc.wantErr != "" {
				if pl != nil || !ds.HasErrors() || !strings.Contains(ds.Error(), tc.wantErr) {
					t.Fatalf("want error %q, got plan %v, %v", tc.wantErr, pl, ds)
				}
				return
			}
			if ds.HasErrors() {
				t.Fatal(ds)
			}
			if diff := cmp.Diff(tc.want, summarize(pl)); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

// TestReadsOnlyWhatThePlanNeeds: settings and declared-only types that the configuration does
// not mention are not read; owned types always are (their objects may have to be deleted).
func TestReadsOnlyWhatThePlanNeeds(t *testing.T) {
	settings, notes, widgets := pt.NewTenantOf(pt.SettingType), pt.NewTenantOf(pt.NoteType), pt.NewTenant()
	reg := pt.Registry(widgets, settings, notes)
	if _, ds := (&plan.Planner{Registry: reg}).Plan(context.Background(), evaluate(t, reg, `exoform { workspace = "ws" }`)); ds.HasErrors() {
		t.Fatal(ds)
	}
	if settings.Reads != 0 || notes.Reads != 0 || widgets.Reads != 1 {
		t.Errorf("reads: settings %d, notes %d, widgets %d; want 0, 0, 1", settings.Reads, notes.Reads, widgets.Reads)
	}
}

// TestPendingSettings: the settings of an object that the same plan creates are planned after
// the create, marked pending, and skipped by the staleness check of a saved plan.
func TestPendingSettings(t *testing.T) {
	settings, boxes := pt.NewTenantOf(pt.SettingType), pt.NewTenantOf(pt.BoxType)
	reg := pt.Registry(settings, boxes)
	p := &plan.Planner{Registry: reg}
	pl, ds := p.Plan(context.Background(), evaluate(t, reg, `exoform { workspace = "ws" }
resource "fake_box" "b" {
  address = "new@contoso.com"
}
resource "fake_setting" "s" {
  identity = fake_box.b.address
  enabled  = false
}`))
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	want := []row{
		{Addr: "fake_box.b", Action: "create", Ops: []string{"New-Widget Name"}},
		{Addr: "fake_setting.s", Action: "update", Attrs: []string{"enabled: null -> false"}, Ops: []string{"Set-Widget Identity,Enabled"}},
	}
	if diff := cmp.Diff(want, summarize(pl)); diff != "" {
		t.Fatalf("(-want +got)\n%s", diff)
	}
	if !pl.Changes[1].Pending {
		t.Error("the settings change is not pending")
	}
	if ds := p.CheckStale(context.Background(), pl); ds.HasErrors() {
		t.Errorf("a pending change was checked for staleness: %v", ds)
	}
	if err := p.Verify(pl); err != nil {
		t.Errorf("verify: %v", err)
	}
}

// TestScopedAndDuplicateDeclarations covers objects that live inside a container (inbox rules in
// a mailbox) and declarations that name one object twice.
func TestScopedAndDuplicateDeclarations(t *testing.T) {
	const head = "exoform { workspace = \"ws\" }\n"
	support := pt.Object(pt.SettingType, "Support", "", map[string]cty.Value{"identity": cty.StringVal("Support")})
	support.Names = []string{"support@contoso.com"}
	tests := []struct {
		name    string
		src     string
		wantErr string
		want    []row
	}{
		{
			name: "a rule in a mailbox that does not exist is an error, not a create",
			src: `resource "fake_note" "n" {
  box  = "nobody@contoso.com"
  name = "Import"
}`,
			wantErr: `The tenant has no "nobody@contoso.com"`,
		},
		{
			name: "a rule in a mailbox the plan creates is created after it",
			src: `resource "fake_box" "b" {
  address = "new@contoso.com"
}
resource "fake_note" "n" {
  box  = fake_box.b.address
  name = "Import"
}`,
			want: []row{
				{Addr: "fake_box.b", Action: "create", Ops: []string{"New-Widget Name"}},
				{Addr: "fake_note.n", Action: "create", Ops: []string{"New-Widget Name"}},
			},
		},
		{
			name: "only the sibling whose object is created is pending",
			src: `resource "fake_box" "b" {
  for_each = toset(["new@contoso.com"])
  address  = each.key
}
resource "fake_setting" "s" {
  for_each = toset(["new@contoso.com", "typo@contoso.com"])
  identity = each.key
  enabled  = length(fake_box.b) > 0
}`,
			wantErr: `The tenant has no fake_setting "typo@contoso.com"`,
		},
		{
			name: "two spellings of one object are refused",
			src: `resource "fake_setting" "a" {
  identity = "Support"
  enabled  = true
}
resource "fake_setting" "b" {
  identity = "support@contoso.com"
  enabled  = false
}`,
			wantErr: "Two declarations name the same object",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			notes := &pt.ScopedTenant{Tenant: pt.NewTenantOf(pt.NoteType), Containers: map[string]bool{"support@contoso.com": true}}
			reg := providers.NewRegistry()
			for _, r := range []providers.Resource{pt.NewTenantOf(pt.SettingType, support), notes, pt.NewTenantOf(pt.BoxType)} {
				reg.AddResource(r)
			}
			reg.AddExecutor(notes)
			pl, ds := (&plan.Planner{Registry: reg}).Plan(context.Background(), evaluate(t, reg, head+tc.src))
			if tc.wantErr != "" {
				if pl != nil || !strings.Contains(ds.Error(), tc.wantErr) {
					t.Fatalf("want error %q, got plan %v, diagnostics %v", tc.wantErr, pl != nil, ds)
				}
				return
			}
			if ds.HasErrors() {
				t.Fatal(ds)
			}
			if diff := cmp.Diff(tc.want, summarize(pl)); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

// TestVerifyPending: a saved pending change must start from the empty placeholder and follow the
// create of its object; otherwise it could skip the staleness check.
func TestVerifyPending(t *testing.T) {
	settings, boxes := pt.NewTenantOf(pt.SettingType), pt.NewTenantOf(pt.BoxType)
	reg := pt.Registry(settings, boxes)
	p := &plan.Planner{Registry: reg}
	fresh := func() *plan.Plan {
		pl, ds := p.Plan(context.Background(), evaluate(t, reg, `exoform { workspace = "ws" }
resource "fake_box" "b" {
  address = "new@contoso.com"
}
resource "fake_setting" "s" {
  identity = fake_box.b.address
  enabled  = false
}`))
		if ds.HasErrors() {
			t.Fatal(ds)
		}
		return pl
	}
	if err := p.Verify(fresh()); err != nil {
		t.Fatalf("a real pending plan is refused: %v", err)
	}
	pl := fresh()
	pl.Changes[1].Prior.Value = pt.Object(pt.SettingType, "new@contoso.com", "", map[string]cty.Value{"enabled": cty.True}).Value
	if err := p.Verify(pl); err == nil || !strings.Contains(err.Error(), "empty placeholder") {
		t.Errorf("a pending change with made-up prior values: %v", err)
	}
	pl = fresh()
	pl.Changes = pl.Changes[1:]
	if err := p.Verify(pl); err == nil || !strings.Contains(err.Error(), "follow the create") {
		t.Errorf("a pending change without its create: %v", err)
	}
}
