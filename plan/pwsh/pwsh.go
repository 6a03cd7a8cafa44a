package pwsh

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// SingleQuotes are the characters PowerShell treats as a single quote; each is doubled inside a
// single-quoted literal so that no value can end the literal early.
const SingleQuotes = "'\u2018\u2019\u201a\u201b"

// Check refuses a value a script cannot carry exactly: invalid UTF-8 (a script is UTF-8 text)
// and NUL (which Exchange and Graph would not take either, and which tools reading the script
// may cut at).
func Check(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("the value is not valid UTF-8")
	}
	if i := strings.IndexByte(s, 0); i >= 0 {
		return fmt.Errorf("the value holds a NUL character at byte %d", i)
	}
	return nil
}

// invisible reports whether r is written as a [char] code rather than as itself: control and
// format characters (bidirectional overrides among them) and line separators would break the
// line or hide from a reviewer what the value is.
func invisible(r rune) bool {
	return r < 0x20 || r >= 0x7f && r <= 0x9f || r == 0x2028 || r == 0x2029 || unicode.Is(unicode.Cf, r)
}

// Quote returns an expression whose value is exactly s: a single-quoted literal, or literals
// joined with [char] codes, in parentheses, when s holds characters that are better not
// written as themselves. s must pass Check.
func Quote(s string) string {
	return join(quoteParts(s))
}

// quoteParts cuts s into single-quoted literals and [char] codes.
func quoteParts(s string) []string {
	var parts []string
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, "'"+lit.String()+"'")
			lit.Reset()
		}
	}
	for _, r := range s {
		switch {
		case strings.ContainsRune(SingleQuotes, r):
			lit.WriteRune(r)
			lit.WriteRune(r)
		case invisible(r) && r > 0xffff:
			flush()
			parts = append(parts, fmt.Sprintf("[char]::ConvertFromUtf32(0x%X)", r))
		case invisible(r):
			flush()
			parts = append(parts, fmt.Sprintf("[char]0x%04X", r))
		default:
			lit.WriteRune(r)
		}
	}
	flush()
	return parts
}

// join concatenates parts into one expression.
func join(parts []string) string {
	switch {
	case len(parts) == 0:
		return "''"
	case len(parts) == 1 && !strings.HasPrefix(parts[0], "[char]"):
		return parts[0]
	}
	if strings.HasPrefix(parts[0], "[char]") {
		// [char] + [char] adds numbers; a string first makes + concatenate.
		parts = append([]string{"''"}, parts...)
	}
	return "(" + strings.Join(parts, " + ") + ")"
}

// Vars names the script variable that holds the value a placeholder stands for (a value an
// earlier step of the script produced). A nil Vars writes placeholders as text, for display.
type Vars func(ref string) (variable string, ok bool)

// Expr returns an expression whose value is s, with each placeholder replaced by the variable
// vars names for it.
func Expr(s string, vars Vars) (string, error) {
	if err := Check(s); err != nil {
		return "", err
	}
	if vars == nil || !schema.HasPlaceholder(s) {
		return Quote(s), nil
	}
	texts, refs := schema.SplitPlaceholders(s)
	var parts []string
	for i, t := range texts {
		parts = append(parts, quoteParts(t)...)
		if i < len(refs) {
			v, ok := vars(refs[i])
			if !ok {
				return "", fmt.Errorf("no earlier step of the script produces %s", refs[i])
			}
			parts = append(parts, "$"+v)
		}
	}
	return join(parts), nil
}

// Value returns the literal of a parameter or check value: $null, $true/$false, an integer, a
// string expression, or an array of strings.
func Value(v any, vars Vars) (string, error) {
	switch v := v.(type) {
	case nil:
		return "$null", nil
	case bool:
		return boolLit(v), nil
	case providers.Switch:
		return boolLit(bool(v)), nil
	case int64:
		return fmt.Sprint(v), nil
	case string:
		return Expr(v, vars)
	case []string:
		return list(v, vars)
	}
	return "", fmt.Errorf("a %T cannot be written as a PowerShell value", v)
}

func list(ss []string, vars Vars) (string, error) {
	q := make([]string, len(ss))
	for i, s := range ss {
		e, err := Expr(s, vars)
		if err != nil {
			return "", err
		}
		q[i] = e
	}
	return "@(" + strings.Join(q, ", ") + ")", nil
}

func boolLit(v bool) string {
	if v {
		return "$true"
	}
	return "$false"
}

// Command writes an operation as one command: a cmdlet with its named parameters, or an
// Invoke-MgGraphRequest for a Graph request. Switches are written as switches, Booleans with
// the colon form, which both take.
func Command(op providers.Operation, vars Vars) (string, error) {
	if op.Service == providers.Graph {
		return graphCommand(op, vars)
	}
	if !isName(op.Cmdlet) {
		return "", fmt.Errorf("%q is not a cmdlet name", op.Cmdlet)
	}
	var b strings.Builder
	b.WriteString(op.Cmdlet)
	for _, p := range op.Parameters {
		if !isName(p.Name) {
			return "", fmt.Errorf("%s: %q is not a parameter name", op.Cmdlet, p.Name)
		}
		b.WriteString(" -" + p.Name)
		var lit string
		var err error
		switch v := p.Value.(type) {
		case providers.Switch:
			if !v {
				lit = ":$false"
			}
		case bool:
			lit = ":" + boolLit(v)
		case providers.AddRemove:
			lit, err = addRemove(v, vars)
			lit = " " + lit
		default:
			lit, err = Value(v, vars)
			lit = " " + lit
		}
		if err != nil {
			return "", fmt.Errorf("%s -%s: %w", op.Cmdlet, p.Name, err)
		}
		b.WriteString(lit)
	}
	return b.String(), nil
}

func addRemove(v providers.AddRemove, vars Vars) (string, error) {
	var parts []string
	for _, kv := range []struct {
		name string
		vals []string
	}{{"Add", v.Add}, {"Remove", v.Remove}} {
		if len(kv.vals) == 0 {
			continue
		}
		l, err := list(kv.vals, vars)
		if err != nil {
			return "", err
		}
		parts = append(parts, kv.name+"="+l)
	}
	return "@{" + strings.Join(parts, "; ") + "}", nil
}

// isName accepts the names of cmdlets and parameters: letters, digits and dashes, so that a
// name can never carry code.
func isName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

var graphMethods = map[string]bool{"GET": true, "POST": true, "PATCH": true, "PUT": true, "DELETE": true}

func graphCommand(op providers.Operation, vars Vars) (string, error) {
	if !graphMethods[op.Method] {
		return "", fmt.Errorf("%q is not an HTTP method", op.Method)
	}
	uri, err := Expr("/v1.0"+op.Path, vars)
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", op.Method, op.Path, err)
	}
	cmd := "Invoke-MgGraphRequest -Method " + op.Method + " -Uri " + uri
	if len(op.Body) > 0 {
		body, err := JSONBody(string(op.Body), vars)
		if err != nil {
			return "", fmt.Errorf("%s %s: %w", op.Method, op.Path, err)
		}
		cmd += " -Body " + body + " -ContentType 'application/json'"
	}
	return cmd, nil
}

// JSONBody returns an expression whose value is the JSON text body. A JSON string that holds
// placeholders is built with ConvertTo-Json from the variables, so that the produced value is
// escaped as JSON wherever it lands.
func JSONBody(body string, vars Vars) (string, error) {
	if err := Check(body); err != nil {
		return "", err
	}
	if vars == nil || !schema.HasPlaceholder(body) {
		return Quote(body), nil
	}
	var parts []string
	last := 0
	for i := 0; i < len(body); i++ {
		if body[i] != '"' {
			continue
		}
		end := stringEnd(body, i)
		if end < 0 {
			return "", errors.New("the body is not valid JSON: an unterminated string")
		}
		tok := body[i : end+1]
		if schema.HasPlaceholder(tok) {
			s, err := unquoteJSON(tok)
			if err != nil {
				return "", err
			}
			e, err := Expr(s, vars)
			if err != nil {
				return "", err
			}
			if last < i {
				parts = append(parts, Quote(body[last:i]))
			}
			parts = append(parts, "(ConvertTo-Json -Compress -InputObject "+e+")")
			last = end + 1
		}
		i = end
	}
	if last < len(body) {
		parts = append(parts, Quote(body[last:]))
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	return "(" + strings.Join(parts, " + ") + ")", nil
}

// stringEnd returns the index of the quote that ends the JSON string starting at start.
func stringEnd(s string, start int) int {
	for j := start + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return -1
}

func unquoteJSON(tok string) (string, error) {
	var s string
	if err := json.Unmarshal([]byte(tok), &s); err != nil {
		return "", fmt.Errorf("the body is not valid JSON: %w", err)
	}
	return s, nil
}
