package plan_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/exoform/exoform/plan"
)

func planWith(deletes, others int) *plan.Plan {
	pl := &plan.Plan{}
	for i := range deletes {
		pl.Changes = append(pl.Changes, &plan.Change{Addr: fmt.Sprintf("t[%q]", fmt.Sprint("d", i)), Action: plan.Delete})
	}
	for i := range others {
		pl.Changes = append(pl.Changes, &plan.Change{Addr: fmt.Sprint("t.c", i), Action: plan.Create})
	}
	return pl
}

func TestDeleteGuard(t *testing.T) {
	at := &hcl.Range{Filename: "main.exo.hcl", Start: hcl.Pos{Line: 3, Column: 3}}
	tests := []struct {
		name    string
		guard   plan.DeleteGuard
		deletes int
		others  int
		want    []string // substrings of the error; nil for no error
	}{
		{"at the default limit", plan.DeleteGuard{Max: 10, Allow: -1}, 10, 50, nil},
		{"over the default limit", plan.DeleteGuard{Max: 10, Allow: -1}, 11, 0,
			[]string{"deletes 11 objects, more than the default limit (10", "--allow-deletes 11", `t["d0"]`, `t["d10"]`}},
		{"creates do not count", plan.DeleteGuard{Max: 0, Allow: -1}, 0, 500, nil},
		{"max_deletes = 0 refuses any delete", plan.DeleteGuard{Max: 0, MaxRange: at, Allow: -1}, 1, 0,
			[]string{"more than max_deletes (0)", "--allow-deletes 1"}},
		{"the flag accepts up to its number", plan.DeleteGuard{Max: 2, Allow: 37}, 37, 0, nil},
		{"the flag's number is a limit too", plan.DeleteGuard{Max: 2, Allow: 37}, 38, 0, []string{"more than --allow-deletes 37", "--allow-deletes 38"}},
		{"the flag may lower the limit", plan.DeleteGuard{Max: 10, Allow: 0}, 1, 0, []string{"more than --allow-deletes 0"}},
		{"a long list is cut", plan.DeleteGuard{Max: 10, Allow: -1}, 3000, 0, []string{"deletes 3000 objects", "… and 2980 more", "--allow-deletes 3000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := tt.guard.Check(planWith(tt.deletes, tt.others))
			if tt.want == nil {
				if len(ds) != 0 {
					t.Fatalf("want no diagnostics, got %v", ds)
				}
				return
			}
			if !ds.HasErrors() || len(ds) != 1 {
				t.Fatalf("want one error, got %v", ds)
			}
			text := ds[0].Summary + "\n" + ds[0].Detail
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("the error lacks %q:\n%s", w, text)
				}
			}
			if strings.Count(text, "\n  t[") > 20 {
				t.Errorf("the error lists more than 20 addresses:\n%s", text)
			}
			if tt.guard.MaxRange != nil && ds[0].Subject == nil {
				t.Errorf("the error does not point at max_deletes")
			}
		})
	}
}
