package pwsh_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/exoform/exoform/plan/pwsh"
)

// unquote reads a PowerShell single-quoted literal as PowerShell's tokenizer does: any of the
// four single-quote characters opens it, a doubled one stands for itself, a lone one ends it.
// It returns the value and the rest of the input after the literal.
func unquote(s string) (value, rest string, ok bool) {
	r, n := utf8.DecodeRuneInString(s)
	if !strings.ContainsRune(pwsh.SingleQuotes, r) {
		return "", s, false
	}
	s = s[n:]
	var b strings.Builder
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		s = s[n:]
		if strings.ContainsRune(pwsh.SingleQuotes, r) {
			r2, n2 := utf8.DecodeRuneInString(s)
			if len(s) > 0 && strings.ContainsRune(pwsh.SingleQuotes, r2) {
				b.WriteRune(r2)
				s = s[n2:]
				continue
			}
			return b.String(), s, true
		}
		b.WriteRune(r)
	}
	return "", "", false
}

var charCode = regexp.MustCompile(`^(?:\[char\]0x([0-9A-F]{4})|\[char\]::ConvertFromUtf32\(0x([0-9A-F]+)\)|\$([A-Za-z_][A-Za-z0-9_]*))`)

// decode evaluates an expression Quote or Expr wrote: one literal, or literals, [char] codes
// and variables joined by " + " in parentheses. A variable reads as ⟨name⟩. Anything else is an
// error: text outside the forms the writer uses could be code.
func decode(e string) (string, error) {
	if v, rest, ok := unquote(e); ok {
		if rest != "" {
			return "", fmt.Errorf("%q is left after the literal", rest)
		}
		return v, nil
	}
	if m := charCode.FindStringSubmatch(e); m != nil && m[0] == e && m[3] != "" {
		return "⟨" + m[3] + "⟩", nil
	}
	if !strings.HasPrefix(e, "(") || !strings.HasSuffix(e, ")") {
		return "", fmt.Errorf("%q is neither a literal nor a parenthesised concatenation", e)
	}
	s := e[1 : len(e)-1]
	var b strings.Builder
	for first := true; ; first = false {
		if !first {
			if !strings.HasPrefix(s, " + ") {
				return "", fmt.Errorf("unexpected %q between the parts", s)
			}
			s = s[3:]
		}
		if v, rest, ok := unquote(s); ok {
			b.WriteString(v)
			s = rest
		} else if m := charCode.FindStringSubmatch(s); m != nil {
			switch {
			case m[1] != "":
				n, _ := strconv.ParseUint(m[1], 16, 32)
				b.WriteRune(rune(n))
			case m[2] != "":
				n, _ := strconv.ParseUint(m[2], 16, 32)
				b.WriteRune(rune(n))
			default:
				b.WriteString("⟨" + m[3] + "⟩")
			}
			s = s[len(m[0]):]
		} else {
			return "", fmt.Errorf("unexpected %q in a concatenation", s)
		}
		if s == "" {
			return b.String(), nil
		}
	}
}

var hostile = []string{"", "plain", "O'Brien", "\u2019; Remove-Mailbox x; \u2018", "a\nb", "a\r\nb", "''''",
	"$(Remove-Mailbox x)", "`n`\"", "x # comment", "'; Remove-Mailbox -Identity boss -Confirm:$false; '",
	"\u2018\u2019\u201a\u201b'", "a\u202eb", "\u2028", "tag\U000E0041", "\x7f\u0085", "\"@\n@\"", "@'\n'@"}

// FuzzQuote: whatever the value, the literal Quote writes reads back, by PowerShell's rules, as
// exactly that value, and nothing of it is outside a literal or a [char] code.
func FuzzQuote(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if pwsh.Check(s) != nil {
			return
		}
		q := pwsh.Quote(s)
		got, err := decode(q)
		if err != nil {
			t.Fatalf("Quote(%q) = %s: %v", s, q, err)
		}
		if got != s {
			t.Fatalf("Quote(%q) = %s reads back as %q", s, q, got)
		}
		if strings.ContainsAny(q, "\r\n\"`") && !strings.ContainsAny(s, "\"`") {
			t.Fatalf("Quote(%q) = %s has a line break, double quote or backtick of its own", s, q)
		}
	})
}

// FuzzExpr: a value with placeholders reads back as the value with each placeholder replaced
// by its variable, and the variable names never come from the value.
func FuzzExpr(f *testing.F) {
	for _, s := range hostile {
		f.Add(s, "entra_application.app.app_id")
	}
	f.Add("/servicePrincipals/x/appRoleAssignedTo", "entra_application.x[\"a'b\"].id")
	f.Fuzz(func(t *testing.T, s, ref string) {
		if pwsh.Check(s) != nil || pwsh.Check(ref) != nil || strings.ContainsAny(ref, "⟪⟫") || strings.Contains(s, "⟪") {
			return
		}
		value := s + "⟪Known after apply: " + ref + "⟫" + s
		vars := func(r string) (string, bool) { return "v", r == ref }
		e, err := pwsh.Expr(value, vars)
		if ref == "" || strings.TrimSpace(ref) != ref {
			return // not a placeholder; Expr quotes it as text, covered by FuzzQuote
		}
		if err != nil {
			t.Fatalf("Expr(%q): %v", value, err)
		}
		got, err := decode(e)
		if err != nil {
			t.Fatalf("Expr(%q) = %s: %v", value, e, err)
		}
		if want := s + "⟨v⟩" + s; got != want {
			t.Fatalf("Expr(%q) = %s reads back as %q, want %q", value, e, got, want)
		}
	})
}

func TestCheckRefuses(t *testing.T) {
	for _, s := range []string{"a\x00b", "\xff", string([]byte{0xe2, 0x80})} {
		if pwsh.Check(s) == nil {
			t.Errorf("Check(%q) accepted it", s)
		}
		if _, err := pwsh.Expr(s, nil); err == nil {
			t.Errorf("Expr(%q) accepted it", s)
		}
	}
}

func TestQuote(t *testing.T) {
	tests := map[string]string{
		"plain":                  `'plain'`,
		"O'Brien":                `'O''Brien'`,
		"curly \u2018x\u2019":    "'curly \u2018\u2018x\u2019\u2019'",
		"low \u201a high \u201b": "'low \u201a\u201a high \u201b\u201b'",
		"$(rm -rf /) `n $env:X":  "'$(rm -rf /) `n $env:X'",
		"two\nlines":             `('two' + [char]0x000A + 'lines')`,
		"\r\n":                   `('' + [char]0x000D + [char]0x000A)`,
		"a\u202eb":               `('a' + [char]0x202E + 'b')`,
		"tag\U000E0041":          `('tag' + [char]::ConvertFromUtf32(0xE0041))`,
		"":                       `''`,
	}
	for in, want := range tests {
		if got := pwsh.Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}
