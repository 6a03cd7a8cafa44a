package bench

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Targets of issue 7.
const (
	TargetBoundRatio    = 1.3             // plan wall time within this many times the lower bound
	TargetFewerRequests = 50              // plan requests at least this many times fewer than the baseline's
	TargetExport        = 2 * time.Minute // export of the whole tenant, realistic profile
	TargetPlanRSS       = 500 << 20       // peak memory of the plan
	TargetPlanCPU       = 2 * time.Second // CPU of planning the declarations, latency off
	TargetThrottled     = 0.02            // throttled responses per request during apply
)

// Summary is a one-line account of a measurement, for progress output.
func (m Measurement) Summary() string {
	return fmt.Sprintf("%s, %s, throttled %d, peak RSS %s, CPU %s, sim CPU %s", fmtDuration(m.Wall), m.requestCell(), m.Throttled, fmtBytes(m.MaxRSS), fmtDuration(m.CPU), fmtDuration(m.SimCPU))
}

func (m Measurement) requestCell() string {
	s := fmt.Sprintf("Exchange %d, Graph %d", m.Requests["exchange"], m.Requests["graph"])
	if n := m.Requests["token"]; n > 0 {
		s += fmt.Sprintf(", token %d", n)
	}
	if m.BatchItems > 0 {
		s += fmt.Sprintf(" (%d in $batch)", m.BatchItems)
	}
	if m.FewestRequests > 0 {
		s += fmt.Sprintf(" (fewest possible: %d)", m.FewestRequests)
	}
	return s
}

func fmtDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "-"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	default:
		return d.Round(100 * time.Millisecond).String()
	}
}

func fmtBytes(b int64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f MB", float64(b)/(1<<20))
}

// Machine describes the computer the benchmark ran on.
func Machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d cores, %s %s/%s", model, runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// verdict is one target's check: "PASS (…)" or "FAIL (…)".
func verdict(ok bool, format string, args ...any) string {
	v := "FAIL"
	if ok {
		v = "PASS"
	}
	return v + " " + fmt.Sprintf(format, args...)
}

// Write prints the report as a Markdown table with the machine and the scenario above it.
func (rep *Report) Write(w io.Writer) {
	s := rep.Scale
	fmt.Fprintf(w, "Machine: %s\n\n", Machine())
	fmt.Fprintf(w, "Scenario %q: tenant of %d user mailboxes + %d shared, %d permission entries, %d inbound connectors, %d transport rules, %d app registrations (seed %d); ",
		s.Name, s.Tenant.Mailboxes, s.Tenant.SharedMailboxes, s.Tenant.MailboxPermissions, s.Tenant.Connectors, s.Tenant.TransportRules, s.Tenant.Apps, s.Tenant.GenerateSeed)
	fmt.Fprintf(w, "configuration of %d SMTP AUTH settings (%d changed), %d shared mailboxes with permissions, %d connectors, %d rules, %d applications; apply of %d changed SMTP AUTH settings out of %d declared.\n\n",
		s.Plan.CASMailboxes, s.Plan.Flip, s.Plan.SharedMailboxes, s.Plan.Connectors, s.Plan.Rules, s.Plan.Apps, s.Apply.Flip, s.Apply.CASMailboxes)
	fmt.Fprintln(w, "| run | wall time | requests (sim) | throttled | peak RSS | CPU | sim CPU | vs lower bound | vs baseline | target |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|")
	bound, base, plan := rep.Rows[StepLowerBound], rep.Rows[StepBaseline], rep.Rows[StepPlan]
	for _, step := range AllSteps {
		m := rep.Rows[step]
		if m == nil {
			continue
		}
		name := map[string]string{
			StepPlan: "plan (realistic)", StepLowerBound: "lower bound (model)", StepBaseline: "per-object baseline",
			StepExport: "export (realistic)", StepApply: "apply of changes (realistic)", StepPlanCPU: "plan, latency off (CPU)",
		}[step]
		wall := fmtDuration(m.Wall)
		if m.Extrapolated > 0 {
			wall += fmt.Sprintf(" (extrapolated from %d of the reads)", m.Extrapolated)
		}
		vsBound, vsBase := "-", "-"
		if bound != nil && bound.Wall > 0 && step != StepLowerBound && step != StepPlanCPU && step != StepApply && step != StepExport {
			vsBound = fmt.Sprintf("%.2f×", float64(m.Wall)/float64(bound.Wall))
		}
		if base != nil && step != StepBaseline && step != StepApply && step != StepExport && step != StepPlanCPU && m.TotalRequests() > 0 {
			vsBase = fmt.Sprintf("%.1f× fewer requests, %.1f× faster", float64(base.TotalRequests())/float64(m.TotalRequests()), float64(base.Wall)/float64(m.Wall))
			if m.FewestRequests > 0 {
				// The most any plan can reach on the requests target, at some cost in time.
				vsBase += fmt.Sprintf(" (fewest possible: %.1f× fewer requests)", float64(base.TotalRequests())/float64(m.FewestRequests))
			}
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", name, wall, m.requestCell(), throttledCell(m), fmtBytes(m.MaxRSS),
			fmtDuration(m.CPU), fmtDuration(m.SimCPU), vsBound, vsBase, rep.target(step, m, bound, base, plan))
	}
	fmt.Fprintln(w, "\nCPU is the exoform process's (user + system); sim CPU is the runner's process, which serves the simulated tenant (and sends the baseline's reads). Peak RSS is exoform's.")
	fmt.Fprintf(w, "\nLower bound, read by read (the model in internal/bench/lowerbound.go):\n\n```\n%s```\n", rep.Bound)
	for _, step := range []string{StepPlan, StepExport, StepApply} {
		m := rep.Rows[step]
		if m == nil {
			continue
		}
		fmt.Fprintf(w, "\n%s: the sim's requests per cmdlet: %s\n", step, topCmdlets(m.PerCmdlet, 8))
		if m.SimTable != "" {
			fmt.Fprintf(w, "\n```\n%s\n```\n", strings.TrimRight(m.SimTable, "\n"))
		}
		if m.ClientStats != "" {
			fmt.Fprintf(w, "\n```\n%s\n```\n", m.ClientStats)
		}
	}
}

func throttledCell(m *Measurement) string {
	if m.Name == StepLowerBound {
		return "-"
	}
	total := m.TotalRequests()
	if total == 0 {
		return fmt.Sprint(m.Throttled)
	}
	return fmt.Sprintf("%d (%.2f%%)", m.Throttled, 100*float64(m.Throttled)/float64(total))
}

// target checks a row against issue 7's targets.
func (rep *Report) target(step string, m, bound, base, plan *Measurement) string {
	switch step {
	case StepPlan:
		var parts []string
		if bound != nil && bound.Wall > 0 {
			r := float64(m.Wall) / float64(bound.Wall)
			parts = append(parts, verdict(r <= TargetBoundRatio, "≤ %.1f× bound", TargetBoundRatio))
		}
		if base != nil && m.TotalRequests() > 0 {
			r := float64(base.TotalRequests()) / float64(m.TotalRequests())
			parts = append(parts, verdict(r >= TargetFewerRequests, "≥ %d× fewer requests", TargetFewerRequests))
		}
		parts = append(parts, verdict(m.MaxRSS < TargetPlanRSS, "RSS < %s", fmtBytes(TargetPlanRSS)))
		return strings.Join(parts, "; ")
	case StepExport:
		return verdict(m.Wall < TargetExport, "< %s", TargetExport)
	case StepApply:
		total := m.TotalRequests()
		return verdict(total > 0 && float64(m.Throttled) < TargetThrottled*float64(total), "throttled < %.0f%%", 100*TargetThrottled)
	case StepPlanCPU:
		return verdict(m.CPU < TargetPlanCPU, "CPU < %s for %d declarations", TargetPlanCPU, rep.Scale.Plan.Count())
	}
	return "-"
}

// topCmdlets lists the n most requested cmdlets.
func topCmdlets(per map[string]int, n int) string {
	type kv struct {
		k string
		v int
	}
	var l []kv
	for k, v := range per {
		l = append(l, kv{k, v})
	}
	// Most requests first, then by name, so the line is stable.
	slices.SortFunc(l, func(a, b kv) int {
		if a.v != b.v {
			return b.v - a.v
		}
		return strings.Compare(a.k, b.k)
	})
	var parts []string
	for i, e := range l {
		if i == n {
			parts = append(parts, fmt.Sprintf("… %d more", len(l)-n))
			break
		}
		parts = append(parts, fmt.Sprintf("%s %d", e.k, e.v))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
