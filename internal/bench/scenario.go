package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/exoform/exoform/sim"
)

// Steps name the measurements of a Report, in table order.
const (
	StepPlan       = "plan"
	StepLowerBound = "lower-bound"
	StepBaseline   = "baseline"
	StepExport     = "export"
	StepApply      = "apply"
	StepPlanCPU    = "plan-cpu"
)

// AllSteps is every step, in the order the table shows them.
var AllSteps = []string{StepPlan, StepLowerBound, StepBaseline, StepExport, StepApply, StepPlanCPU}

// Report is the result of running a scale.
type Report struct {
	Scale  Scale
	Tenant *Tenant
	Rows   map[string]*Measurement
	Bound  Bound
}

// Run measures the steps of scale s (all when steps is empty).
func (r *Runner) Run(ctx context.Context, s Scale, steps []string) (*Report, error) {
	if len(steps) == 0 {
		steps = AllSteps
	}
	want := map[string]bool{}
	for _, st := range steps {
		want[st] = true
	}
	state, err := r.Tenant(s)
	if err != nil {
		return nil, err
	}
	ten, err := ReadTenant(state)
	if err != nil {
		return nil, err
	}
	rep := &Report{Scale: s, Tenant: ten, Rows: map[string]*Measurement{}}
	runDir := filepath.Join(r.Dir, "run-"+s.Name)
	if err := os.RemoveAll(runDir); err != nil {
		return nil, err
	}
	planCfg := filepath.Join(runDir, "plan-config")
	if err := WriteConfig(planCfg, ten, s.Plan); err != nil {
		return nil, err
	}
	rep.Bound = LowerBound(PlanReads(ten, s.Plan), LimitsOf(r.Profile))
	rep.Rows[StepLowerBound] = rep.Bound.Measurement()
	exo := func(name, state string, p sim.Profile, dir string, args ...string) error {
		m, err := r.Exoform(ctx, name, state, p, dir, args...)
		if err != nil {
			return err
		}
		rep.Rows[name] = &m
		r.logf("  %s: %s", name, m.Summary())
		return nil
	}
	if want[StepPlan] {
		if err := exo(StepPlan, state, r.Profile, planCfg, "plan", "--stats"); err != nil {
			return rep, err
		}
	}
	if want[StepPlanCPU] {
		if err := exo(StepPlanCPU, state, sim.Profile{}, planCfg, "plan", "--stats"); err != nil {
			return rep, err
		}
	}
	if want[StepExport] {
		out := filepath.Join(runDir, "export")
		if err := exo(StepExport, state, r.Profile, runDir, "export", "--stats", "--tenant", ten.Domain, "--workspace", Workspace, "--out", out); err != nil {
			return rep, err
		}
	}
	if want[StepApply] {
		applyCfg := filepath.Join(runDir, "apply-config")
		if err := WriteConfig(applyCfg, ten, s.Apply); err != nil {
			return rep, err
		}
		// Apply writes: it gets its own copy of the tenant, so the cached one stays as seeded.
		applyState := filepath.Join(runDir, "apply-tenant", "tenant.json")
		if err := copyState(state, applyState); err != nil {
			return rep, fmt.Errorf("copying the tenant for apply: %w", err)
		}
		if err := exo(StepApply, applyState, r.Profile, applyCfg, "apply", "--auto-approve", "--stats"); err != nil {
			return rep, err
		}
	}
	if want[StepBaseline] {
		m, err := r.Baseline(ctx, state, ten, s, filepath.Join(runDir, "baseline"))
		if err != nil {
			return rep, err
		}
		rep.Rows[StepBaseline] = m
		r.logf("  %s: %s", StepBaseline, m.Summary())
	}
	return rep, nil
}
