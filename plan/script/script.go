package script

import (
	_ "embed"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/plan/pwsh"
	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/schema/diag"
)

//go:embed helpers.ps1
var helpers string

// Source says where the plan came from, for the script's header.
type Source struct {
	Version string // exoform's version
	Plan    string // the saved plan file, or "" for a plan made by the same command
	Config  string // the configuration: its directory or files
}

// Write renders the plan as a script. It refuses, with diagnostics naming the changes, a plan
// with a change it cannot guard or a value no script can carry.
func Write(pl *plan.Plan, reg *providers.Registry, src Source) (string, diag.Diagnostics) {
	w := &writer{pl: pl, reg: reg, vars: map[string]string{}, scopes: map[string][]string{}}
	var steps []step
	var ds diag.Diagnostics
	n := 0
	for _, c := range pl.Changes {
		if c.Action != plan.NoOp {
			n++
		}
	}
	i := 0
	for _, c := range pl.Changes {
		if c.Action == plan.NoOp {
			continue
		}
		i++
		s, err := w.step(c, i, n)
		if err != nil {
			ds.Append(diag.Diagnostic{Severity: diag.Error, Address: c.Addr, Summary: "Cannot write this change as PowerShell", Detail: err.Error()})
			continue
		}
		steps = append(steps, s)
	}
	if ds.HasErrors() {
		return "", ds
	}
	return w.assemble(steps, src), nil
}

type step struct {
	text     string
	exchange bool // uses Exchange cmdlets
}

type writer struct {
	pl          *plan.Plan
	reg         *providers.Registry
	vars        map[string]string   // placeholder reference → variable name
	scopes      map[string][]string // Graph scope → operations that need it
	cmdlets     []string
	useExchange bool
	useGraph    bool
	secrets     bool
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// variable names the script variable of a placeholder reference; names come from the
// reference with everything but letters, digits and underscores replaced, so they can never
// carry code.
func (w *writer) variable(ref string) string {
	if v, ok := w.vars[ref]; ok {
		return v
	}
	base := "known_" + strings.Trim(unsafeName.ReplaceAllString(ref, "_"), "_")
	v := base
	taken := map[string]bool{}
	for _, o := range w.vars {
		taken[o] = true
	}
	for k := 2; taken[v]; k++ {
		v = fmt.Sprintf("%s_%d", base, k)
	}
	w.vars[ref] = v
	return v
}

// known is the Vars of pwsh: only references an earlier step set are known.
func (w *writer) known(ref string) (string, bool) {
	v, ok := w.vars[ref]
	return v, ok
}

func (w *writer) note(op providers.Operation) {
	if op.Service == providers.Graph {
		w.useGraph = true
		ex, _ := w.reg.Executor(providers.Graph)
		if sc, ok := ex.(providers.Scoper); ok {
			for _, s := range sc.Scopes(op) {
				w.scopes[s] = appendNew(w.scopes[s], op.Method+" "+genericPath(op.Path))
			}
		}
		return
	}
	w.useExchange = true
	w.cmdlets = appendNew(w.cmdlets, op.Cmdlet)
}

var idSegment = regexp.MustCompile(`/(⟪[^⟫]*⟫|[0-9a-fA-F-]{36}|[^/?]*%27[^/?]*|\{[^/]*\})|\((appId|id)='[^']*'\)`)

// genericPath shows a Graph path without its ids, for the list of what each scope is for.
func genericPath(p string) string {
	p, _, _ = strings.Cut(p, "?")
	return idSegment.ReplaceAllStringFunc(p, func(m string) string {
		if strings.HasPrefix(m, "(") {
			return "(" + m[1:strings.IndexByte(m, '=')] + "={" + m[1:strings.IndexByte(m, '=')] + "})"
		}
		return "/{id}"
	})
}

func appendNew(list []string, s string) []string {
	for _, e := range list {
		if e == s {
			return list
		}
	}
	return append(list, s)
}

var kindNames = map[providers.ChangeKind]string{providers.Create: "Create", providers.Update: "Update", providers.Delete: "Delete"}

func (w *writer) step(c *plan.Change, i, n int) (step, error) {
	pc, _ := plan.ProviderChange(c)
	res, ok := w.reg.Resource(c.Type)
	if !ok {
		return step{}, fmt.Errorf("unknown resource type %q", c.Type)
	}
	g, ok := res.(providers.Guarder)
	if !ok {
		return step{}, fmt.Errorf("%s has no guard, so a script could not check the object before changing it", c.Type)
	}
	guard, err := g.Guard(pc)
	if err != nil {
		return step{}, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# ---- [%d/%d] %s: %s\n", i, n, oneLine(c.Addr), c.Action)
	for _, a := range c.Attrs {
		fmt.Fprintf(&b, "#   %s\n", oneLine(w.attrLine(c, a)))
	}
	if len(guard.Unchecked) > 0 {
		fmt.Fprintf(&b, "# The guard does not compare: %s.\n", strings.Join(guard.Unchecked, ", "))
	}
	// The guard.
	w.note(guard.Read)
	read, err := pwsh.Command(guard.Read, w.known)
	if err != nil {
		return step{}, fmt.Errorf("the guard's read: %w", err)
	}
	fmt.Fprintf(&b, "$object = Read-ExoformObject -Read { %s }", read)
	if guard.List != "" {
		fmt.Fprintf(&b, " -List %s", pwsh.Quote(guard.List))
	}
	if len(guard.Match) > 0 {
		var m []string
		for _, f := range guard.Match {
			v, err := pwsh.Expr(f.Value, w.known)
			if err != nil {
				return step{}, fmt.Errorf("the guard's match on %s: %w", f.Property, err)
			}
			m = append(m, pwsh.Quote(f.Property)+" = "+v)
		}
		fmt.Fprintf(&b, " -Match @{ %s }", strings.Join(m, "; "))
	}
	if c.Pending {
		b.WriteString(" -Wait")
	}
	b.WriteString("\n$checks = @(\n")
	for _, ch := range guard.Checks {
		before, err := pwsh.Value(ch.Before, w.known)
		if err == nil {
			var after string
			after, err = pwsh.Value(ch.After, w.known)
			before += "; After = " + after
		}
		if err != nil {
			return step{}, fmt.Errorf("the guard's check of %s: %w", ch.Attr, err)
		}
		fmt.Fprintf(&b, "    @{ Attr = %s; Property = %s; Before = %s; Compare = '%s' }\n", pwsh.Quote(ch.Attr), pwsh.Quote(ch.Property), before, compareNames[ch.Compare])
	}
	b.WriteString(")\n")
	pending := ""
	if c.Pending {
		pending = " -Pending"
	}
	fmt.Fprintf(&b, "if (Test-ExoformGuard -Address %s -Kind '%s'%s -Object $object -Checks $checks) {\n", pwsh.Quote(c.Addr), kindNames[pc.Kind], pending)
	// The operations, as apply sends them.
	exchange := false
	for _, op := range c.Operations {
		w.note(op)
		exchange = exchange || op.Service == providers.Exchange
		wait := c.Pending || plan.UsesProduced(op)
		cmd, err := pwsh.Command(op, w.known)
		if err != nil {
			return step{}, err
		}
		call := "Invoke-ExoformStep"
		if wait {
			call += " -Wait"
		}
		if len(op.Produces) == 0 && op.Deliver == nil {
			fmt.Fprintf(&b, "    $null = %s { %s }\n", call, cmd)
			continue
		}
		fmt.Fprintf(&b, "    $answer = %s { %s }\n", call, cmd)
		if d := op.Deliver; d != nil {
			w.secrets = true
			file := filepath.Base(d.File)
			if d.File == "" || file == "." || file == "/" {
				file = strings.Trim(unsafeName.ReplaceAllString(c.Addr, "_"), "_") + ".txt"
			}
			if err := pwsh.Check(file); err != nil {
				return step{}, fmt.Errorf("the secret's file name: %w", err)
			}
			fmt.Fprintf(&b, "    Save-ExoformSecret -Answer $answer -Field %s -Path (Join-Path $SecretDirectory %s) -What %s\n", pwsh.Quote(d.Field), pwsh.Quote(file), pwsh.Quote(d.What))
		}
		for _, field := range sortedKeys(op.Produces) {
			ref := refOf(op.Produces[field])
			fmt.Fprintf(&b, "    $%s = Get-ExoformProduced $answer %s %s\n", w.variable(ref), pwsh.Quote(field), pwsh.Quote(ref))
		}
		b.WriteString("    Remove-Variable answer\n")
	}
	fmt.Fprintf(&b, "    Write-Host %s\n", pwsh.Quote(c.Addr+": "+doneWord[c.Action]))
	b.WriteString("}")
	// A run that finds the change made takes the values its operations would have produced
	// from the object.
	if len(guard.Provides)+len(guard.Lookups) > 0 {
		b.WriteString(" else {\n")
		for _, f := range guard.Provides {
			ref := refOf(f.Value)
			fmt.Fprintf(&b, "    $%s = Get-ExoformProduced $object %s %s\n", w.variable(ref), pwsh.Quote(f.Property), pwsh.Quote(ref))
		}
		for _, l := range guard.Lookups {
			w.note(l.Read)
			read, err := pwsh.Command(l.Read, w.known)
			if err != nil {
				return step{}, fmt.Errorf("the guard's lookup of %s: %w", l.Ref, err)
			}
			list := ""
			if l.List != "" {
				list = " -List " + pwsh.Quote(l.List)
			}
			ref := refOf(l.Ref)
			fmt.Fprintf(&b, "    $found = Read-ExoformObject -Read { %s }%s -Wait\n", read, list)
			fmt.Fprintf(&b, "    $%s = Get-ExoformProduced $found %s %s\n", w.variable(ref), pwsh.Quote(l.Property), pwsh.Quote(ref))
		}
		b.WriteString("}")
	}
	b.WriteString("\n")
	return step{text: b.String(), exchange: exchange}, nil
}

var compareNames = map[providers.Compare]string{providers.CompareExact: "Exact", providers.CompareFold: "Fold", providers.CompareSet: "Set", providers.CompareOwner: "Owner"}

var doneWord = map[plan.Action]string{plan.Create: "created", plan.Adopt: "adopted", plan.Update: "updated", plan.Delete: "deleted"}

// refOf accepts a placeholder or its bare reference, as Produces and Provides hold either.
func refOf(placeholderOrRef string) string {
	if r, ok := schema.PlaceholderRef(placeholderOrRef); ok {
		return r
	}
	return placeholderOrRef
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// oneLine keeps text of the plan (addresses, values) on the comment line it is written on.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029 {
			return '\u2424'
		}
		return r
	}, s)
}

func (w *writer) attrLine(c *plan.Change, a plan.AttrChange) string {
	if t, ok := w.reg.ResourceType(c.Type); ok && t.Attribute(a.Name) != nil && t.Attribute(a.Name).Sensitive {
		return a.Name + " (sensitive)"
	}
	return fmt.Sprintf("%s: %s -> %s", a.Name, plan.Display(a.Before), plan.Display(a.After))
}
