package render

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The Markdown view is a pull-request comment: a reviewer reads its summary line, its warnings
// and its table of changes in seconds, and opens the details of a change for its attributes and
// the commands apply will run. Everything that grows with the plan or with a value is cut, with
// a count of what was left out, so that the comment stays readable and within GitHub's limit of
// 65,536 characters per comment.
//
// Every value in it comes from the tenant or the configuration and is untrusted: it is written
// inside a code span, a <code> element or a fenced block, where GitHub neither renders Markdown
// or HTML nor links @mentions, with line breaks and invisible characters shown as escapes; prose
// (the details of warnings) is escaped character by character.

const (
	// mdBudget bounds the whole comment, in bytes: below GitHub's limit however it counts, with
	// room to spare for a workflow's own header.
	mdBudget = 60000
	// mdReserve is kept free for the note that says how many changes were left out.
	mdReserve = 1000
	// mdPart bounds, in bytes, each part that lists rows: the warnings, the outputs, and the
	// attributes and the commands of one change. Past it a part says how many rows it left out,
	// so that one long part never crowds out the rest.
	mdPart = 8000

	mdMaxChanges  = 50   // detailed changes
	mdMaxNames    = 5    // objects named per resource type in the table
	mdMaxDiags    = 20   // warnings
	mdMaxAttrs    = 30   // attribute rows per change
	mdMaxItems    = 10   // elements shown of a list or set
	mdMaxItem     = 100  // characters of one element
	mdMaxValue    = 500  // characters of a value: a permission list or a federated credential whole
	mdMaxName     = 120  // characters of an address, key or file name
	mdMaxDetail   = 1200 // characters of a warning's detail: enough for what to do, which comes last
	mdMaxCommands = 20   // commands per change
	mdMaxCommand  = 1000 // characters of a command line
	mdMaxOutputs  = 20
)

// MarkdownOptions is what the Markdown view needs besides the model.
type MarkdownOptions struct {
	// PlanFile is the saved plan, if any, that the comment points to for what it leaves out.
	PlanFile string
}

var mdIcons = map[string]string{"create": "➕", "adopt": "📥", "update": "✏️", "delete": "🗑️"}

// mdActions are the actions in the order of the table's columns.
var mdActions = []string{"create", "adopt", "update", "delete"}

var mdVerbs = map[string]string{
	"adopt":  "Exists without an ownership marker: apply takes it over.",
	"delete": "Owned by this workspace and no longer declared: apply deletes it.",
}

// Markdown writes the plan as a pull-request comment of at most mdBudget bytes.
func Markdown(w io.Writer, m Model, o MarkdownOptions) error {
	var head strings.Builder
	mdHead(&head, m)
	tail := mdOutputs(m.Outputs)
	var body strings.Builder
	if m.Summary.HasChange {
		shown := 0
		for _, c := range m.Changes {
			if shown == mdMaxChanges {
				break
			}
			sec := mdChange(c)
			if head.Len()+body.Len()+len(sec)+len(tail)+mdReserve > mdBudget {
				break
			}
			body.WriteString(sec)
			shown++
		}
		if rest := len(m.Changes) - shown; rest > 0 {
			body.WriteString(mdMore(rest, shown, o.PlanFile))
		}
	}
	_, err := io.WriteString(w, head.String()+body.String()+tail)
	return err
}

// mdHead is the summary line, the warnings and the table of changes by resource type.
func mdHead(b *strings.Builder, m Model) {
	fmt.Fprintf(b, "### exoform plan: %s\n\n", strings.TrimSuffix(SummaryLine(m.Summary), "."))
	fmt.Fprintf(b, "Workspace %s · tenant %s", mdSpan(m.Workspace, false), mdSpan(m.Tenant, false))
	warnings := 0
	for _, d := range m.Diagnostics {
		if d.Severity == "warning" {
			warnings++
		}
	}
	if warnings > 0 {
		fmt.Fprintf(b, " · %s", plural(warnings, "warning"))
	}
	b.WriteString("\n\n")
	mdDiags(b, m.Diagnostics)
	if !m.Summary.HasChange {
		fmt.Fprintf(b, "**No changes.** The tenant matches the configuration (%s checked).\n\n", plural(m.Summary.NoOp, "object"))
		return
	}
	mdTable(b, m.Changes)
}

// mdDiags writes the diagnostics as a GitHub alert: errors (which a rendered plan does not
// have, but a model may) as a caution, warnings as a warning.
func mdDiags(b *strings.Builder, ds []DiagView) {
	shown, size := 0, 0
	for _, sev := range []struct{ name, alert string }{{"error", "CAUTION"}, {"warning", "WARNING"}} {
		var these []DiagView
		for _, d := range ds {
			if d.Severity == sev.name {
				these = append(these, d)
			}
		}
		if len(these) == 0 {
			continue
		}
		fmt.Fprintf(b, "> [!%s]\n", sev.alert)
		for i, d := range these {
			item := mdDiag(d)
			if shown == mdMaxDiags || size+len(item) > mdPart {
				fmt.Fprintf(b, "> - _%d more; the plan's text or JSON output lists every one._\n", len(these)-i)
				break
			}
			shown++
			size += len(item)
			b.WriteString(item)
		}
		b.WriteString("\n")
	}
}

// mdDiag is one diagnostic as an item of the alert's list.
func mdDiag(d DiagView) string {
	var where []string
	for _, s := range []string{d.Range, d.Address} {
		if s != "" {
			s, _ = mdTrunc(s, mdMaxName)
			where = append(where, mdSpan(s, false))
		}
	}
	loc := ""
	if len(where) > 0 {
		loc = " (" + strings.Join(where, ", ") + ")"
	}
	summary, _ := mdTrunc(oneLine(d.Summary), mdMaxName)
	detail, _ := mdTrunc(oneLine(d.Detail), mdMaxDetail)
	return fmt.Sprintf("> - **%s**%s: %s\n", mdText(summary), loc, mdText(detail))
}

// mdTable counts the changes of each resource type by action and names the first objects.
func mdTable(b *strings.Builder, changes []ChangeView) {
	type group struct {
		counts map[string]int
		names  []string
	}
	groups := map[string]*group{}
	var types []string
	for _, c := range changes {
		g := groups[c.Type]
		if g == nil {
			g = &group{counts: map[string]int{}}
			groups[c.Type] = g
			types = append(types, c.Type)
		}
		g.counts[c.Action]++
		g.names = append(g.names, mdIcons[c.Action]+" "+mdSpan(shortName(c), true))
	}
	sort.Strings(types)
	b.WriteString("| resource type |")
	for _, a := range mdActions {
		fmt.Fprintf(b, " %s %s |", mdIcons[a], a)
	}
	b.WriteString(" objects |\n|---|--:|--:|--:|--:|---|\n")
	for _, t := range types {
		g := groups[t]
		fmt.Fprintf(b, "| %s |", mdSpan(t, true))
		for _, a := range mdActions {
			if n := g.counts[a]; n > 0 {
				fmt.Fprintf(b, " %d |", n)
			} else {
				b.WriteString(" |")
			}
		}
		names := g.names
		more := ""
		if len(names) > mdMaxNames {
			more = fmt.Sprintf(", and %d more", len(names)-mdMaxNames)
			names = names[:mdMaxNames]
		}
		fmt.Fprintf(b, " %s%s |\n", strings.Join(names, ", "), more)
	}
	b.WriteString("\n")
}

// shortName is a change's address without its type: the resource name, or ["KEY"] for a delete.
func shortName(c ChangeView) string {
	s := strings.TrimPrefix(c.Address, c.Type)
	s = strings.TrimPrefix(s, ".")
	if s == "" {
		s = c.Address
	}
	s, _ = mdTrunc(s, mdMaxName/2)
	return s
}

// mdChange is the collapsible section of one change.
func mdChange(c ChangeView) string {
	var b strings.Builder
	addr, _ := mdTrunc(c.Address, mdMaxName)
	fmt.Fprintf(&b, "<details><summary>%s %s <code>%s</code>", mdIcons[c.Action], c.Action, htmlText(addr))
	if c.Key != "" && !strings.Contains(strings.ToLower(c.Address), strings.ToLower(c.Key)) {
		key, _ := mdTrunc(c.Key, mdMaxName)
		fmt.Fprintf(&b, " · <code>%s</code>", htmlText(key))
	}
	b.WriteString("</summary>\n\n")
	switch {
	case c.Pending:
		b.WriteString("_Settings of an object this plan creates first: apply sets them once it exists._\n\n")
	case mdVerbs[c.Action] != "":
		fmt.Fprintf(&b, "_%s_\n\n", mdVerbs[c.Action])
	}
	if c.Action == "adopt" && len(c.Attributes) == 0 {
		b.WriteString("_Its attributes already match: only the ownership marker is written._\n\n")
	}
	if len(c.Attributes) > 0 {
		b.WriteString("| attribute | before | after |\n|---|---|---|\n")
		size := 0
		for i, a := range c.Attributes {
			before, after := mdAttrCells(a)
			row := fmt.Sprintf("| %s | %s | %s |\n", mdSpan(a.Name, true), before, after)
			if i == mdMaxAttrs || size+len(row) > mdPart {
				fmt.Fprintf(&b, "| … | _%s_ | |\n", plural(len(c.Attributes)-i, "more attribute"))
				break
			}
			size += len(row)
			b.WriteString(row)
		}
		b.WriteString("\n")
	}
	mdCommands(&b, c.Commands)
	b.WriteString("</details>\n\n")
	return b.String()
}

// mdAttrCells shows an attribute's before and after. A set that keeps some of its elements is
// shown as the elements removed and added, which says more than two long lists.
func mdAttrCells(a AttrView) (before, after string) {
	if a.Sensitive {
		return "_(sensitive)_", "_(sensitive)_"
	}
	if a.Set && a.BeforeItems != nil && a.AfterItems != nil {
		added, removed, kept := setDiff(a.BeforeItems, a.AfterItems)
		if kept > 0 {
			return mdItems("−", removed), strings.TrimSpace(mdItems("+", added) + fmt.Sprintf(" _(%d unchanged)_", kept))
		}
	}
	return mdValue(a.BeforeText, a.BeforeItems), mdValue(a.AfterText, a.AfterItems)
}

// setDiff compares two sets shown as their elements.
func setDiff(before, after []string) (added, removed []string, kept int) {
	in := map[string]bool{}
	for _, s := range before {
		in[s] = true
	}
	out := map[string]bool{}
	for _, s := range after {
		out[s] = true
		if in[s] {
			kept++
		} else {
			added = append(added, s)
		}
	}
	for _, s := range before {
		if !out[s] {
			removed = append(removed, s)
		}
	}
	return added, removed, kept
}

// mdItems writes elements with a sign, the first mdMaxItems of them.
func mdItems(sign string, items []string) string {
	var parts []string
	for i, s := range items {
		if i == mdMaxItems {
			parts = append(parts, fmt.Sprintf("_and %d more_", len(items)-i))
			break
		}
		s, _ = mdTrunc(s, mdMaxItem)
		parts = append(parts, sign+" "+mdSpan(s, true))
	}
	return strings.Join(parts, ", ")
}

// mdValue shows a value in a table cell, cut to mdMaxItems elements or mdMaxValue characters.
func mdValue(text string, items []string) string {
	if text == "null" {
		return "_unset_"
	}
	if len(items) > mdMaxItems {
		shown := make([]string, mdMaxItems)
		for i := range shown {
			shown[i], _ = mdTrunc(items[i], mdMaxItem)
		}
		return mdSpan("["+strings.Join(shown, ", ")+", …]", true) + fmt.Sprintf(" _(%d more)_", len(items)-mdMaxItems)
	}
	s, cut := mdTrunc(text, mdMaxValue)
	if cut > 0 {
		return mdSpan(s, true) + fmt.Sprintf(" _(%s)_", plural(cut, "more character"))
	}
	return mdSpan(s, true)
}

// mdCommands writes the commands apply runs for a change, as PowerShell, in a fence no line
// can close.
func mdCommands(b *strings.Builder, cmds []string) {
	if len(cmds) == 0 {
		return
	}
	lines := make([]string, 0, min(len(cmds), mdMaxCommands))
	cutAny := false
	size := 0
	for i, c := range cmds {
		s, cut := mdTrunc(c, mdMaxCommand)
		if i == mdMaxCommands || size+len(s) > mdPart {
			break
		}
		size += len(s) + 1
		cutAny = cutAny || cut > 0
		lines = append(lines, s)
	}
	fence := strings.Repeat("`", max(3, longestRun(strings.Join(lines, "\n"), '`')+1))
	fmt.Fprintf(b, "Runs:\n\n%spowershell\n%s\n%s\n\n", fence, strings.Join(lines, "\n"), fence)
	if n := len(cmds) - len(lines); n > 0 {
		fmt.Fprintf(b, "_and %s._\n\n", plural(n, "more command"))
	}
	if cutAny {
		fmt.Fprintf(b, "_Lines ending in … are cut at %d characters; `exoform show` prints them whole._\n\n", mdMaxCommand)
	}
}

// mdOutputs is the table of output values.
func mdOutputs(outs []OutputView) string {
	if len(outs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("#### Outputs\n\n| output | value |\n|---|---|\n")
	size := 0
	for i, o := range outs {
		v := "_(sensitive)_"
		if !o.Sensitive {
			v = mdValue(o.Text, nil)
		}
		name, _ := mdTrunc(o.Name, mdMaxName)
		row := fmt.Sprintf("| %s | %s |\n", mdSpan(name, true), v)
		if i == mdMaxOutputs || size+len(row) > mdPart {
			fmt.Fprintf(&b, "| … | _%s_ |\n", plural(len(outs)-i, "more output"))
			break
		}
		size += len(row)
		b.WriteString(row)
	}
	return b.String()
}

// mdMore says how many changes the comment leaves out and where to see them.
func mdMore(rest, shown int, planFile string) string {
	why := fmt.Sprintf("a comment shows %d at most", mdMaxChanges)
	if shown < mdMaxChanges {
		why = "the comment has no room for more"
	}
	where := "`exoform plan` shows all of them"
	if planFile != "" {
		f, _ := mdTrunc(planFile, mdMaxName)
		where = "the plan file has all of them: " + mdSpan("exoform show "+f, false)
	}
	return fmt.Sprintf("_%s not shown (%s);_ %s.\n\n", plural(rest, "more change"), why, where)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// mdClean puts a value on one visible line: line breaks, tabs, control characters and the
// invisible characters that hide or reorder text (zero-width and bidirectional controls) are
// written as escapes, invalid UTF-8 as U+FFFD. A reviewer sees exactly what is there.
func mdClean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdTrunc cleans a value and cuts it to n characters, ending in "…"; it returns how many
// characters were cut.
func mdTrunc(s string, n int) (string, int) {
	s = mdClean(s)
	count := utf8.RuneCountInString(s)
	if count <= n {
		return s, 0
	}
	r := []rune(s)
	return string(r[:n]) + "…", count - n
}

// mdSpan writes cleaned text as a code span. Its delimiter is one backtick longer than any run
// of backticks inside; in a table cell, pipes are escaped so that they do not end the cell.
func mdSpan(s string, cell bool) string {
	s = mdClean(s)
	if s == "" {
		return "_empty_"
	}
	delim := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") {
		// CommonMark strips one space from each end of a code span, which keeps the content.
		s = " " + s + " "
	}
	if cell {
		s = escapePipes(s)
	}
	return delim + s + delim
}

// escapePipes escapes the pipes of a table cell. GitHub's table scanner pairs each backslash
// with the punctuation after it, so an odd run of backslashes just before a pipe would swallow
// the pipe's escape: a zero-width space keeps them apart.
func escapePipes(s string) string {
	if !strings.Contains(s, "|") {
		return s
	}
	var b strings.Builder
	backslashes := 0
	for _, r := range s {
		switch r {
		case '|':
			if backslashes%2 == 1 {
				b.WriteRune('\u200B')
			}
			b.WriteString(`\|`)
		default:
			b.WriteRune(r)
		}
		if r == '\\' {
			backslashes++
		} else {
			backslashes = 0
		}
	}
	return b.String()
}

func longestRun(s string, c rune) int {
	longest, n := 0, 0
	for _, r := range s {
		if r == c {
			n++
			longest = max(longest, n)
		} else {
			n = 0
		}
	}
	return longest
}

// oneLine joins the lines of prose with spaces.
func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}

// mdText escapes prose: Markdown punctuation is backslash-escaped and HTML's special characters
// become entities, so that a value cannot format the comment; an @ or # before a word, "://"
// and "www." are split by a word joiner, so that it cannot mention a person or team, reference
// an issue or make a link.
func mdText(s string) string {
	r := []rune(mdClean(s))
	var b strings.Builder
	for i, c := range r {
		next := rune(0)
		if i+1 < len(r) {
			next = r[i+1]
		}
		switch c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\\', '`', '*', '_', '[', ']', '|', '~', '$':
			b.WriteRune('\\')
			b.WriteRune(c)
		case '@', '#':
			b.WriteRune(c)
			if unicode.IsLetter(next) || unicode.IsDigit(next) {
				b.WriteRune(wordJoiner)
			}
		case ':':
			b.WriteRune(c)
			if next == '/' {
				b.WriteRune(wordJoiner)
			}
		case '.':
			b.WriteRune(c)
			if i >= 3 && strings.EqualFold(string(r[i-3:i]), "www") {
				b.WriteRune(wordJoiner)
			}
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// wordJoiner is U+2060, invisible, which breaks a mention or a link without a visible change.
const wordJoiner = '\u2060'

// htmlText escapes cleaned text for an HTML element (the <code> of a <summary>).
func htmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(mdClean(s))
}
