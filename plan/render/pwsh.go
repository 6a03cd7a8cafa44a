package render

import (
	"fmt"
	"strings"

	"github.com/exoform/exoform/providers"
)

// singleQuotes are the characters PowerShell treats as a single quote; each is doubled inside a
// single-quoted literal so that no value can end the literal early.
var singleQuotes = "'\u2018\u2019\u201a\u201b"

// Quote returns s as a PowerShell single-quoted literal. Line breaks are joined with [char]
// codes so that the command stays on one line and no double-quoted string is needed.
func Quote(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	quoted := make([]string, len(lines))
	for i, l := range lines {
		var b strings.Builder
		b.WriteByte('\'')
		for _, r := range l {
			if strings.ContainsRune(singleQuotes, r) {
				b.WriteRune(r)
			}
			b.WriteRune(r)
		}
		b.WriteByte('\'')
		quoted[i] = b.String()
	}
	if len(quoted) == 1 {
		return quoted[0]
	}
	return "(" + strings.Join(quoted, " + [char]10 + ") + ")"
}

// Command renders an operation as one PowerShell command line: a cmdlet with its named
// parameters, or an Invoke-MgGraphRequest for a Graph request.
func Command(op providers.Operation) string {
	if op.Cmdlet == "" {
		cmd := fmt.Sprintf("Invoke-MgGraphRequest -Method %s -Uri %s", op.Method, Quote("/v1.0"+op.Path))
		if len(op.Body) > 0 {
			cmd += " -Body " + Quote(string(op.Body)) + " -ContentType 'application/json'"
		}
		return cmd
	}
	var b strings.Builder
	b.WriteString(op.Cmdlet)
	for _, p := range op.Parameters {
		b.WriteString(" -" + p.Name)
		switch v := p.Value.(type) {
		case providers.Switch:
			if !v {
				b.WriteString(":$false")
			}
		case nil:
			b.WriteString(" $null")
		case bool:
			// The colon form is right for both Boolean and switch parameters.
			b.WriteString(":" + boolLit(v))
		case int64:
			fmt.Fprintf(&b, " %d", v)
		case string:
			b.WriteString(" " + Quote(v))
		case []string:
			b.WriteString(" " + quoteList(v))
		case providers.AddRemove:
			var parts []string
			if len(v.Add) > 0 {
				parts = append(parts, "Add="+quoteList(v.Add))
			}
			if len(v.Remove) > 0 {
				parts = append(parts, "Remove="+quoteList(v.Remove))
			}
			b.WriteString(" @{" + strings.Join(parts, "; ") + "}")
		default:
			// Every value type of providers.Param is handled above; anything else is a bug, shown
			// rather than hidden.
			fmt.Fprintf(&b, " <unrenderable %T>", v)
		}
	}
	return b.String()
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = Quote(s)
	}
	return "@(" + strings.Join(q, ",") + ")"
}

func boolLit(v bool) string {
	if v {
		return "$true"
	}
	return "$false"
}
