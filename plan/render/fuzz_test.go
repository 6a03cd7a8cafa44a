package render_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/exoform/exoform/plan/render"
)

const quoteChars = "'\u2018\u2019\u201a\u201b"

// unquote reads a PowerShell single-quoted literal as PowerShell does: a doubled quote
// character stands for itself, any lone one ends the literal. It returns the value and the rest
// of the input after the literal.
func unquote(s string) (value, rest string, ok bool) {
	r, n := utf8.DecodeRuneInString(s)
	if !strings.ContainsRune(quoteChars, r) {
		return "", s, false
	}
	s = s[n:]
	var b strings.Builder
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		s = s[n:]
		if strings.ContainsRune(quoteChars, r) {
			r2, n2 := utf8.DecodeRuneInString(s)
			if len(s) > 0 && strings.ContainsRune(quoteChars, r2) {
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

// FuzzQuote: whatever the value, the quoted form is read back by PowerShell's rules as exactly
// that value, with nothing left over that could run as code.
func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", "plain", "O'Brien", "\u2019; Remove-Mailbox x; \u2018", "a\nb", "''''", "$(x)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || strings.Contains(s, "\r") {
			return
		}
		q := render.Quote(s)
		var parts []string
		if strings.HasPrefix(q, "(") {
			q = strings.TrimSuffix(strings.TrimPrefix(q, "("), ")")
			for {
				v, rest, ok := unquote(q)
				if !ok {
					t.Fatalf("Quote(%q) = %q is not a sequence of literals", s, render.Quote(s))
				}
				parts = append(parts, v)
				if rest == "" {
					break
				}
				if !strings.HasPrefix(rest, " + [char]10 + ") {
					t.Fatalf("Quote(%q): unexpected %q between literals", s, rest)
				}
				q = strings.TrimPrefix(rest, " + [char]10 + ")
			}
		} else {
			v, rest, ok := unquote(q)
			if !ok || rest != "" {
				t.Fatalf("Quote(%q) = %q leaves %q outside the literal", s, q, rest)
			}
			parts = []string{v}
		}
		if got := strings.Join(parts, "\n"); got != s {
			t.Fatalf("Quote(%q) reads back as %q", s, got)
		}
	})
}
