package schema_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/exoform/exoform/schema"
)

// TestMaxDeletes: the exoform block's max_deletes is a literal whole number, 0 or more; any
// other value is an error at the value.
func TestMaxDeletes(t *testing.T) {
	tests := []struct {
		value string // "" for no max_deletes line
		want  *int
		err   string // the error's summary; "" for none
	}{
		{value: "", want: nil},
		{value: "25", want: maxDeletesPtr(25)},
		{value: "0", want: maxDeletesPtr(0)},
		{value: "-1", err: "Invalid max_deletes"},
		{value: "2.5", err: "Invalid max_deletes"},
		{value: `"10"`, err: "Invalid max_deletes"},
		{value: "null", err: "Invalid max_deletes"},
		{value: "var.n", err: "Invalid max_deletes"},
		{value: "99999999999999999999", err: "Invalid max_deletes"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			src := "exoform {\n  workspace = \"w\"\n"
			if tt.value != "" {
				src += "  max_deletes = " + tt.value + "\n"
			}
			src += "}\n"
			cfg, ds := schema.LoadSources(map[string][]byte{"main.exo.hcl": []byte(src)})
			if tt.err != "" {
				if !ds.HasErrors() || ds[0].Summary != tt.err {
					t.Fatalf("want %q, got %v", tt.err, ds)
				}
				if s := ds[0].Subject; s == nil || s.Filename != "main.exo.hcl" || s.Start.Line != 3 || s.Start.Column != 17 {
					t.Errorf("the error points at %v, want main.exo.hcl:3:17", s)
				}
				return
			}
			if ds.HasErrors() {
				t.Fatal(ds)
			}
			if diff := cmp.Diff(tt.want, cfg.MaxDeletes); diff != "" {
				t.Errorf("MaxDeletes (-want +got):\n%s", diff)
			}
		})
	}
}

func maxDeletesPtr(n int) *int { return &n }
