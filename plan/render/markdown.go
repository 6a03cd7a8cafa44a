package render

import (
	"fmt"
	"io"
	"strings"
)

// maxMarkdownChanges bounds the detailed sections of a pull-request comment; GitHub comments
// have a size limit and a reviewer reads the summary first.
const maxMarkdownChanges = 50

var mdIcons = map[string]string{"create": "➕", "adopt": "📥", "update": "✏️", "delete": "🗑️"}

// Markdown writes the plan as a pull-request comment.
func Markdown(w io.Writer, m Model) {
	fmt.Fprintf(w, "### exoform plan: %s\n\n", strings.TrimSuffix(SummaryLine(m.Summary), "."))
	fmt.Fprintf(w, "Workspace `%s` · tenant `%s`\n\n", mdCode(m.Workspace), mdCode(m.Tenant))
	writeMarkdownDiags(w, m.Diagnostics)
	if !m.Summary.HasChange {
		fmt.Fprintf(w, "**No changes.** The tenant matches the configuration.\n")
		markdownOutputs(w, m.Outputs)
		return
	}
	fmt.Fprintf(w, "| | action | resource | key | attributes |\n|---|---|---|---|---|\n")
	for _, c := range m.Changes {
		fmt.Fprintf(w, "| %s | %s | `%s` | %s | %d |\n", mdIcons[c.Action], c.Action, mdCode(c.Address), mdCell(c.Key), len(c.Attributes))
	}
	fmt.Fprintln(w)
	for i, c := range m.Changes {
		if i == maxMarkdownChanges {
			fmt.Fprintf(w, "_%d more change(s) not shown; run `exoform show` on the plan file for all of them._\n", len(m.Changes)-i)
			break
		}
		fmt.Fprintf(w, "<details><summary>%s <code>%s</code> (%s)</summary>\n\n", mdIcons[c.Action], htmlEscape(c.Address), c.Action)
		if len(c.Attributes) > 0 {
			fmt.Fprintf(w, "| attribute | before | after |\n|---|---|---|\n")
			for _, a := range c.Attributes {
				fmt.Fprintf(w, "| `%s` | %s | %s |\n", a.Name, mdValue(a.BeforeText), mdValue(a.AfterText))
			}
			fmt.Fprintln(w)
		}
		if len(c.Commands) > 0 {
			fmt.Fprintf(w, "```powershell\n%s\n```\n", strings.Join(c.Commands, "\n"))
		}
		fmt.Fprintf(w, "\n</details>\n\n")
	}
	markdownOutputs(w, m.Outputs)
}

func markdownOutputs(w io.Writer, outs []OutputView) {
	if len(outs) == 0 {
		return
	}
	fmt.Fprintf(w, "\n#### Outputs\n\n| output | value |\n|---|---|\n")
	for _, o := range outs {
		fmt.Fprintf(w, "| `%s` | %s |\n", mdCode(o.Name), mdValue(o.Text))
	}
}

func writeMarkdownDiags(w io.Writer, ds []DiagView) {
	for _, d := range ds {
		icon := "⚠️"
		if d.Severity == "error" {
			icon = "❌"
		}
		loc := ""
		if d.Range != "" {
			loc = " (`" + mdCode(d.Range) + "`)"
		}
		fmt.Fprintf(w, "> %s **%s**%s: %s\n\n", icon, mdCell(d.Summary), loc, mdCell(d.Detail))
	}
}

func mdValue(s string) string {
	if s == "null" {
		return "_unset_"
	}
	return "`" + mdCode(s) + "`"
}

// mdCode keeps a value from closing its code span or table cell.
func mdCode(s string) string {
	s = strings.ReplaceAll(s, "`", "'")
	s = strings.ReplaceAll(s, "|", "\\|")
	return strings.ReplaceAll(s, "\n", " ")
}

func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", "\\|")
	s = strings.ReplaceAll(s, "\n", " ")
	return htmlEscape(s)
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
