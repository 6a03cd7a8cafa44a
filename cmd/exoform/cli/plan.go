package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/plan/render"
	"github.com/exoform/exoform/plan/script"
	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema/diag"
)

type planOptions struct {
	vars        varFlags
	out         string
	detailed    bool
	format      string
	outScript   string
	parallelism int
	deletes     allowDeletes
}

func (a *app) planCmd() *cobra.Command {
	o := &planOptions{}
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show how the live tenant differs from the configuration",
		Long: `plan reads the live tenant and shows what apply would change: objects to
create, objects to adopt (they exist without exoform's ownership marker), attributes to
update, and objects this workspace owns that the configuration no longer declares.

With --out the plan is saved; "exoform apply FILE" applies exactly that plan, and
refuses if the tenant changed in between.

--format markdown writes the plan as a pull-request comment; --format json is the
machine-readable plan that docs/json-format.md describes. Warnings (security warnings
of validation, client secrets that expire and that nothing rotates) appear in every
format and never change the exit code: with --detailed-exitcode it is 0 for no
changes, 2 for changes (drift, in a nightly run) and 1 for an error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runPlan(cmd.Context(), o) },
	}
	o.vars.add(cmd)
	cmd.Flags().StringVar(&o.out, "out", "", "save the plan to `FILE` for a later apply")
	cmd.Flags().BoolVar(&o.detailed, "detailed-exitcode", false, "exit 0 when there are no changes, 2 when there are, 1 on error")
	cmd.Flags().StringVar(&o.format, "format", "text", "output `FORMAT`: text, json, markdown or powershell")
	cmd.Flags().StringVar(&o.outScript, "out-script", "", "also write the plan as a PowerShell script to `FILE`, for an administrator to review and run")
	cmd.Flags().IntVar(&o.parallelism, "parallelism", 0, "read at most `N` object types at once (0: every type at once, each service's client keeping to that service's limits)")
	o.deletes.add(cmd)
	return cmd
}

func checkFormat(f string) error {
	switch f {
	case "text", "json", "markdown", "powershell":
		return nil
	}
	return fmt.Errorf("--format %q: use text, json, markdown or powershell", f)
}

// makePlan evaluates the configuration and plans it against the tenant. allowDeletes is the
// --allow-deletes flag's value (-1 without it): a plan deleting more than the limit is an error.
func (a *app) makePlan(ctx context.Context, vars varFlags, parallelism, allowDeletes int) (*plan.Plan, *session, error) {
	ev, warnings, err := a.load(vars)
	if err != nil {
		return nil, nil, err
	}
	s, err := a.connect(ctx, ev.TenantID)
	if err != nil {
		return nil, nil, err
	}
	planner := &plan.Planner{Registry: s.registry, Parallelism: parallelism}
	defer planner.Close() // no read outlives the plan, even when it stops at an error
	// Evaluated again against the tenant, for computed attributes and data blocks; its
	// diagnostics include the warnings of the offline evaluation.
	ev, warnings = planner.EvaluateLive(ctx, ev, a.inputs(vars))
	if warnings.HasErrors() {
		s.close()
		return nil, nil, warnings
	}
	pl, ds := planner.Plan(ctx, ev)
	if ds.HasErrors() {
		s.close()
		var all diag.Diagnostics
		all.Append(warnings, ds)
		return nil, nil, all
	}
	guard := plan.DeleteGuard{Max: plan.DefaultMaxDeletes, Allow: allowDeletes}
	if m := ev.Config.MaxDeletes; m != nil {
		guard.Max, guard.MaxRange = *m, &ev.Config.MaxDeletesRange
	}
	if gd := guard.Check(pl); gd.HasErrors() {
		s.close()
		var all diag.Diagnostics
		all.Append(warnings, pl.Diagnostics, gd)
		return nil, nil, all
	}
	pl.Tenant = s.tenant
	pl.Fingerprint = plan.Fingerprint(ev)
	pl.Outputs = ev.Outputs
	var all diag.Diagnostics
	all.Append(warnings, pl.Diagnostics)
	pl.Diagnostics = all
	return pl, s, nil
}

func (a *app) runPlan(ctx context.Context, o *planOptions) error {
	if err := checkFormat(o.format); err != nil {
		return err
	}
	if o.parallelism < 0 {
		return fmt.Errorf("--parallelism must be 0 (no limit) or more")
	}
	allow, err := o.deletes.value()
	if err != nil {
		return err
	}
	pl, s, err := a.makePlan(ctx, o.vars, o.parallelism, allow)
	if err != nil {
		return err
	}
	defer s.close()
	if o.format == "text" {
		a.printDiags(pl.Diagnostics)
	}
	src := a.scriptSource("")
	if o.out != "" {
		src.Plan = o.out
	}
	if err := a.renderPlan(pl, s.registry, o.format, src); err != nil {
		return err
	}
	if o.outScript != "" {
		if err := a.writeScript(o.outScript, pl, s.registry, src); err != nil {
			return err
		}
		if o.format == "text" {
			fmt.Fprintf(a.io.Out, "\nWrote the plan as a PowerShell script to %s.\n", o.outScript)
		}
	}
	if o.out != "" {
		if err := writePlanFile(o.out, pl, s.registry); err != nil {
			return err
		}
		if o.format == "text" {
			fmt.Fprintf(a.io.Out, "\nSaved the plan to %s. Apply exactly this plan with:\n  exoform apply %s\n", o.out, o.out)
		}
	}
	if o.detailed && pl.HasChanges() {
		return exitCodeError{exitChanges}
	}
	return nil
}

func (a *app) renderPlan(pl *plan.Plan, reg *providers.Registry, format string, src script.Source) error {
	if format == "powershell" {
		text, ds := script.Write(pl, reg, src)
		if ds.HasErrors() {
			return ds
		}
		_, err := io.WriteString(a.io.Out, text)
		return err
	}
	m := render.NewModel(pl, reg)
	switch format {
	case "json":
		return render.JSON(a.io.Out, m)
	case "markdown":
		return render.Markdown(a.io.Out, m, render.MarkdownOptions{PlanFile: src.Plan})
	default:
		render.Text(a.io.Out, m, a.style(a.io.StdoutTTY))
	}
	return nil
}

// writePlanFile writes the plan next to its final name and renames it, so a reader never sees
// half a plan.
func writePlanFile(path string, pl *plan.Plan, reg *providers.Registry) error {
	var buf bytes.Buffer
	if err := plan.Write(&buf, pl, Version, reg); err != nil {
		return fmt.Errorf("writing the plan: %w", err)
	}
	// Private to its owner: a plan records the tenant's live values (no secret values, but
	// the tenant's configuration all the same).
	if err := writeFileAtomic(path, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("writing the plan: %w", err)
	}
	return nil
}

// writeFileAtomic writes data next to its final name and renames it, so a reader never sees
// half a file.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".exoform-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// scriptSource describes where a script's plan came from: the configuration files of the
// working directory (by name, so that the script reads the same on every machine) and the
// saved plan, if any.
func (a *app) scriptSource(planFile string) script.Source {
	names := make([]string, 0, len(a.files))
	for n := range a.files {
		names = append(names, filepath.Base(n))
	}
	sort.Strings(names)
	return script.Source{Version: Version, Plan: planFile, Config: strings.Join(names, ", ")}
}

// writeScript writes the plan as a PowerShell script, replacing the file only once the whole
// script is written.
func (a *app) writeScript(path string, pl *plan.Plan, reg *providers.Registry, src script.Source) error {
	text, ds := script.Write(pl, reg, src)
	if ds.HasErrors() {
		return ds
	}
	return writeFileAtomic(path, []byte(text), 0o644)
}
