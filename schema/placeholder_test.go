package schema_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/exoform/exoform/schema"
)

func TestPlaceholder(t *testing.T) {
	tests := []struct {
		addr, attr string
		want       string
	}{
		{"entra_application.ews", "app_id", "⟪Known after apply: entra_application.ews.app_id⟫"},
		{`entra_application.apps["a b"]`, "app_id", `⟪Known after apply: entra_application.apps["a b"].app_id⟫`},
		{`entra_application.apps["x.y"]`, "object_id", `⟪Known after apply: entra_application.apps["x.y"].object_id⟫`},
	}
	for _, tc := range tests {
		p := schema.Placeholder(tc.addr, tc.attr)
		if p != tc.want {
			t.Errorf("Placeholder(%q, %q) = %q, want %q", tc.addr, tc.attr, p, tc.want)
		}
		if !schema.IsPlaceholder(p) || !schema.HasPlaceholder(p) {
			t.Errorf("%q: IsPlaceholder %v HasPlaceholder %v", p, schema.IsPlaceholder(p), schema.HasPlaceholder(p))
		}
		ref, ok := schema.PlaceholderRef(p)
		if !ok || ref != tc.addr+"."+tc.attr {
			t.Errorf("PlaceholderRef(%q) = %q, %v", p, ref, ok)
		}
	}
}

func TestIsPlaceholder(t *testing.T) {
	p := schema.Placeholder("entra_application.ews", "app_id")
	tests := []struct {
		s         string
		is, has   bool
		ref       string
		refExists bool
	}{
		{s: p, is: true, has: true, ref: "entra_application.ews.app_id", refExists: true},
		{s: "", is: false},
		{s: "plain", is: false},
		{s: p + "-1", has: true},
		{s: "id-" + p, has: true},
		{s: " " + p, has: true},
		{s: p + p, has: true},
		{s: "⟪Known after apply: ⟫", has: true}, // refers to nothing
		{s: "⟪Known after apply: entra_application.ews.app_id", has: true}, // unclosed
		{s: "known after apply: entra_application.ews.app_id⟫"},
		{s: "⟪KNOWN AFTER APPLY: entra_application.ews.app_id⟫"},
		{s: "⟪entra_application.ews.app_id⟫"},
	}
	for _, tc := range tests {
		if got := schema.IsPlaceholder(tc.s); got != tc.is {
			t.Errorf("IsPlaceholder(%q) = %v", tc.s, got)
		}
		if got := schema.HasPlaceholder(tc.s); got != tc.has {
			t.Errorf("HasPlaceholder(%q) = %v", tc.s, got)
		}
		ref, ok := schema.PlaceholderRef(tc.s)
		if ok != tc.refExists || ref != tc.ref {
			t.Errorf("PlaceholderRef(%q) = %q, %v", tc.s, ref, ok)
		}
	}
}

func TestReplacePlaceholders(t *testing.T) {
	app := schema.Placeholder("entra_application.ews", "app_id")
	spaced := schema.Placeholder(`entra_application.apps["a b"]`, "app_id")
	values := map[string]string{
		"entra_application.ews.app_id":              "11111111-2222-3333-4444-555555555555",
		`entra_application.apps["a b"].app_id`:      "aaaa",
		"entra_application.empty.app_id":            "",
		"entra_application.recursive.app_id":        app, // a value is never expanded again
		"entra_application.ews.app_id.not.prefixed": "wrong",
	}
	tests := []struct {
		name, s, want string
		missing       []string
	}{
		{name: "plain", s: "no placeholder here", want: "no placeholder here"},
		{name: "empty", s: "", want: ""},
		{name: "whole", s: app, want: "11111111-2222-3333-4444-555555555555"},
		{name: "inside a path", s: "/applications(appId='" + app + "')/owners", want: "/applications(appId='11111111-2222-3333-4444-555555555555')/owners"},
		{name: "for_each key with a space", s: spaced, want: "aaaa"},
		{name: "several", s: app + "," + spaced + "," + app, want: "11111111-2222-3333-4444-555555555555,aaaa,11111111-2222-3333-4444-555555555555"},
		{name: "empty value", s: "[" + schema.Placeholder("entra_application.empty", "app_id") + "]", want: "[]"},
		{name: "value is not expanded again", s: schema.Placeholder("entra_application.recursive", "app_id"), want: app},
		{
			name:    "missing reference left in place",
			s:       app + " " + schema.Placeholder("entra_application.gone", "app_id"),
			want:    "11111111-2222-3333-4444-555555555555 " + schema.Placeholder("entra_application.gone", "app_id"),
			missing: []string{"entra_application.gone.app_id"},
		},
		{
			name:    "each missing occurrence",
			s:       schema.Placeholder("a.b", "c") + schema.Placeholder("d.e", "f"),
			want:    schema.Placeholder("a.b", "c") + schema.Placeholder("d.e", "f"),
			missing: []string{"a.b.c", "d.e.f"},
		},
		{name: "unclosed is not a placeholder", s: "⟪Known after apply: entra_application.ews.app_id", want: "⟪Known after apply: entra_application.ews.app_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, missing := schema.ReplacePlaceholders(tc.s, values)
			if got != tc.want {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
			if diff := cmp.Diff(tc.missing, missing); diff != "" {
				t.Errorf("missing (-want +got):\n%s", diff)
			}
		})
	}
	// No values at all: nothing changes, and every reference is missing.
	got, missing := schema.ReplacePlaceholders(app+spaced, nil)
	if got != app+spaced || !cmp.Equal(missing, []string{"entra_application.ews.app_id", `entra_application.apps["a b"].app_id`}) {
		t.Errorf("nil values: %q %v", got, missing)
	}
}
