package cli

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/plan/render"
	"github.com/exoform/exoform/plan/script"
	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema/diag"
)

type applyOptions struct {
	vars         varFlags
	autoApprove  bool
	parallelism  int
	printSecrets bool
	deletes      allowDeletes
}

func (a *app) applyCmd() *cobra.Command {
	o := &applyOptions{}
	cmd := &cobra.Command{
		Use:   "apply [PLANFILE]",
		Short: "Make the live tenant match the configuration",
		Long: `apply makes the tenant match the configuration.

Without PLANFILE it plans, shows the plan and asks for "yes" on a terminal; without a
terminal it refuses unless --auto-approve is given.

With PLANFILE (from "exoform plan --out") it applies exactly that plan, after checking
that it came from this configuration and that every object it touches still looks as
it did when planned.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 && cmd.Flags().Changed("allow-deletes") {
				return fmt.Errorf("--allow-deletes applies when apply makes its own plan; a saved plan's deletes were allowed or refused when \"exoform plan --out\" made it")
			}
			// Held from before the plan (or the saved plan's staleness check) to the last write.
			unlock, err := a.lockWorkspace(".", "apply")
			if err != nil {
				return err
			}
			defer unlock()
			if len(args) == 1 {
				return a.runApplyFile(cmd.Context(), o, args[0])
			}
			return a.runApply(cmd.Context(), o)
		},
	}
	o.vars.add(cmd)
	cmd.Flags().BoolVar(&o.autoApprove, "auto-approve", false, "apply without asking for confirmation")
	cmd.Flags().IntVar(&o.parallelism, "parallelism", plan.DefaultApplyParallelism, "apply at most `N` independent changes at once (each service's client also keeps to that service's limits); the plan reads every object type at once")
	cmd.Flags().BoolVar(&o.printSecrets, "print-secrets", false, "print the value of a new client secret that has no value_file to standard output, once")
	o.deletes.add(cmd)
	return cmd
}

func (a *app) runApply(ctx context.Context, o *applyOptions) error {
	if !o.autoApprove && !a.io.StdinTTY {
		return fmt.Errorf("apply needs confirmation, and standard input is not a terminal. Pass --auto-approve to apply without asking, or save a reviewed plan with \"exoform plan --out FILE\" and run \"exoform apply FILE\"")
	}
	if o.parallelism < 1 {
		return fmt.Errorf("--parallelism must be at least 1")
	}
	allow, err := o.deletes.value()
	if err != nil {
		return err
	}
	pl, s, err := a.makePlan(ctx, o.vars, 0, allow)
	if err != nil {
		return err
	}
	defer s.close()
	a.printDiags(pl.Diagnostics)
	if err := a.renderPlan(pl, s.registry, "text", script.Source{}); err != nil {
		return err
	}
	if !pl.HasChanges() {
		return nil
	}
	if !o.autoApprove {
		fmt.Fprint(a.io.Out, "\nDo you want to apply these changes?\n  Only 'yes' will be accepted.\n\n  Enter a value: ")
		line, _ := bufio.NewReader(a.io.In).ReadString('\n')
		if strings.TrimSpace(line) != "yes" {
			fmt.Fprintln(a.io.Out, "\nApply cancelled; nothing was changed.")
			return exitCodeError{exitError}
		}
	}
	planner := &plan.Planner{Registry: s.registry, ApplyParallelism: o.parallelism}
	// The same check as a saved plan's, just before the first write: the tenant may have
	// changed while the plan waited for "yes", or under another run's apply.
	stale, ds := planner.Stale(ctx, pl)
	if ds.HasErrors() {
		return ds
	}
	if len(stale) > 0 {
		return diag.Diagnostics{diag.Errorf(nil, "The tenant changed since the plan was made",
			"So nothing was applied:\n  %s\nRun exoform apply again to plan against the tenant as it is now.", strings.Join(stale, "\n  "))}
	}
	fmt.Fprintln(a.io.Out)
	return a.apply(ctx, planner, pl, o.printSecrets)
}

func (a *app) runApplyFile(ctx context.Context, o *applyOptions, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading the plan: %w", err)
	}
	pl, _, err := plan.Read(f, registry(nil, nil))
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if o.parallelism < 1 {
		return fmt.Errorf("--parallelism must be at least 1")
	}
	ev, warnings, err := a.load(o.vars)
	if err != nil {
		return err
	}
	a.printDiags(warnings)
	if fp := plan.Fingerprint(ev); fp != pl.Fingerprint || ev.Workspace != pl.Workspace {
		return diag.Diagnostics{diag.Errorf(nil, "Saved plan is for a different configuration",
			"%s was made from other configuration files or variable values than the ones in this directory. Run exoform plan --out again here and apply the new plan.", path)}
	}
	s, err := a.connect(ctx, ev.TenantID)
	if err != nil {
		return err
	}
	defer s.close()
	if !strings.EqualFold(s.tenant, pl.Tenant) {
		return fmt.Errorf("%s was made for tenant %s, not %s", path, pl.Tenant, s.tenant)
	}
	planner := &plan.Planner{Registry: s.registry, ApplyParallelism: o.parallelism}
	if err := planner.Verify(pl); err != nil {
		return fmt.Errorf("%s is not a plan exoform can apply: %w", path, err)
	}
	if ds := planner.CheckStale(ctx, pl); ds.HasErrors() {
		return ds
	}
	if !pl.HasChanges() {
		fmt.Fprintln(a.io.Out, "The plan has no changes; nothing to apply.")
		return nil
	}
	// The outputs take the values of objects that exist from the tenant.
	live, ds := planner.EvaluateLive(ctx, ev, a.inputs(o.vars))
	planner.Close() // the outputs' lookups are done; the rest of the plan-time reads are not needed
	if ds.HasErrors() {
		return ds
	}
	pl.Outputs = live.Outputs
	return a.apply(ctx, planner, pl, o.printSecrets)
}

var pastTense = map[plan.Action]string{plan.Create: "created", plan.Adopt: "adopted", plan.Update: "updated", plan.Delete: "deleted"}

func (a *app) apply(ctx context.Context, planner *plan.Planner, pl *plan.Plan, printSecrets bool) error {
	// A secret without a value_file can only go to standard output, which needs the flag: the
	// check comes before anything is changed.
	for _, c := range pl.Changes {
		for _, op := range c.Operations {
			if op.Deliver != nil && op.Deliver.File == "" && !printSecrets {
				return fmt.Errorf("%s creates a client secret without value_file, and its value can only be shown once: set value_file, or pass --print-secrets to print it to standard output", c.Addr)
			}
		}
	}
	planner.Deliver = a.deliver
	done := map[plan.Action]int{}
	_, ds := planner.Apply(ctx, pl, func(e plan.Event) {
		switch {
		case e.Err != nil:
			fmt.Fprintf(a.io.Out, "%s: %s failed\n", e.Change.Addr, e.Op)
		case e.Done:
			done[e.Change.Action]++
			fmt.Fprintf(a.io.Out, "%s: %s\n", e.Change.Addr, pastTense[e.Change.Action])
		default:
			fmt.Fprintf(a.io.Out, "%s: %s...\n", e.Change.Addr, e.Op)
		}
	})
	summary := fmt.Sprintf("%d created, %d adopted, %d updated, %d deleted.", done[plan.Create], done[plan.Adopt], done[plan.Update], done[plan.Delete])
	if ds.HasErrors() {
		fmt.Fprintf(a.io.Out, "\nApply stopped: %s\n", summary)
		return ds
	}
	fmt.Fprintf(a.io.Out, "\nApply complete: %s\n", summary)
	render.TextOutputs(a.io.Out, render.Outputs(pl.KnownOutputs()), a.style(a.io.StdoutTTY))
	return nil
}

// deliver hands a new secret to its destination: the file the configuration names, written
// with mode 0600 (relative paths from the configuration directory), or standard output when
// --print-secrets allowed it. It is the only place a secret value is written.
func (a *app) deliver(c *plan.Change, d providers.Delivery, secret string) error {
	if d.File == "" {
		fmt.Fprintf(a.io.Out, "%s: the value of the new %s, shown this once:\n%s\n", c.Addr, d.What, secret)
		return nil
	}
	f, err := os.OpenFile(d.File, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	// An existing file keeps its mode on open: make it private before writing.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.WriteString(secret + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(a.io.Out, "%s: wrote the value of the new %s to %s (mode 0600)\n", c.Addr, d.What, d.File)
	return nil
}
