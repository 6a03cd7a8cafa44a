package render

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Style says how text output may decorate itself.
type Style struct {
	Color bool
}

const (
	reset  = "\x1b[0m"
	bold   = "\x1b[1m"
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	cyan   = "\x1b[36m"
	dim    = "\x1b[2m"
)

// Paint makes text stand out as an error label when colour is on.
func (s Style) Paint(text string) string { return s.paint(bold+red, text) }

func (s Style) paint(code, text string) string {
	if !s.Color {
		return text
	}
	return code + text + reset
}

var symbols = map[string]struct{ sym, color, verb string }{
	"create": {"+", green, "will be created"},
	"adopt":  {"@", cyan, "will be adopted (exists without an ownership marker; exoform takes it over)"},
	"update": {"~", yellow, "will be updated"},
	"delete": {"-", red, "will be deleted (owned by this workspace, no longer declared)"},
}

// Text writes the plan for a person to read.
func Text(w io.Writer, m Model, s Style) {
	fmt.Fprintf(w, "Workspace %q, tenant %s\n\n", m.Workspace, m.Tenant)
	if !m.Summary.HasChange {
		fmt.Fprintf(w, "%s The tenant matches the configuration (%d object(s) checked).\n", s.paint(bold+green, "No changes."), m.Summary.NoOp)
		TextOutputs(w, m.Outputs, s)
		return
	}
	for _, c := range m.Changes {
		sy := symbols[c.Action]
		verb := sy.verb
		if c.Pending {
			verb = "will be set once the object is created above"
		}
		fmt.Fprintf(w, "  %s %s\n", s.paint(bold, "# "+c.Address), verb)
		fmt.Fprintf(w, "  %s %s %q {\n", s.paint(sy.color, sy.sym), c.Type, c.Key)
		width := 0
		for _, a := range c.Attributes {
			width = max(width, len(a.Name))
		}
		for _, a := range c.Attributes {
			pad := strings.Repeat(" ", width-len(a.Name))
			switch c.Action {
			case "create":
				fmt.Fprintf(w, "      %s %s%s = %s\n", s.paint(green, "+"), a.Name, pad, a.AfterText)
			case "delete":
				fmt.Fprintf(w, "      %s %s%s = %s\n", s.paint(red, "-"), a.Name, pad, a.BeforeText)
			default:
				fmt.Fprintf(w, "      %s %s%s = %s %s %s\n", s.paint(yellow, "~"), a.Name, pad, a.BeforeText, s.paint(dim, "->"), a.AfterText)
			}
		}
		if c.Action == "adopt" && len(c.Attributes) == 0 {
			fmt.Fprintf(w, "        %s\n", s.paint(dim, "(attributes already match; only the ownership marker is written)"))
		}
		fmt.Fprintf(w, "    }\n")
		for _, cmd := range c.Commands {
			fmt.Fprintf(w, "    %s %s\n", s.paint(dim, "runs:"), cmd)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%s %s\n", s.paint(bold, "Plan:"), SummaryLine(m.Summary))
	TextOutputs(w, m.Outputs, s)
}

// TextOutputs writes output values, aligned, after a blank line; nothing when there are none.
func TextOutputs(w io.Writer, outs []OutputView, s Style) {
	if len(outs) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s\n", s.paint(bold, "Outputs:"))
	width := 0
	for _, o := range outs {
		width = max(width, len(o.Name))
	}
	for _, o := range outs {
		fmt.Fprintf(w, "  %s%s = %s\n", o.Name, strings.Repeat(" ", width-len(o.Name)), o.Text)
	}
}

// SummaryLine is "1 to create, 0 to adopt, 2 to update, 0 to delete."
func SummaryLine(s Summary) string {
	return fmt.Sprintf("%d to create, %d to adopt, %d to update, %d to delete.", s.Create, s.Adopt, s.Update, s.Delete)
}

// JSON writes the model as indented JSON.
func JSON(w io.Writer, m Model) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(m)
}
