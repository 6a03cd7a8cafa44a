package httplog

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// jsonToken is one token of a JSON text, with what RedactJSON must do to it.
type jsonToken struct {
	tok    any
	key    bool
	secret bool // a string value RedactJSON must replace
}

// jsonTokens walks valid JSON with encoding/json's decoder, the reference for what is a key,
// what is a value and which values are secrets.
func jsonTokens(t *testing.T, s string) []jsonToken {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	type frame struct {
		object, secretArray, wantKey bool
	}
	var stack []frame
	var out []jsonToken
	pending := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("decoding %q: %v", s, err)
		}
		jt := jsonToken{tok: tok}
		top := func() *frame { return &stack[len(stack)-1] }
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				stack = append(stack, frame{object: v == '{', secretArray: v == '[' && pending, wantKey: v == '{'})
			default:
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && top().object {
					top().wantKey = true
				}
			}
			pending = false
		default:
			switch {
			case len(stack) > 0 && top().object && top().wantKey:
				jt.key = true
				pending = SensitiveName(v.(string))
				top().wantKey = false
			default:
				_, isString := v.(string)
				jt.secret = isString && (pending || (len(stack) > 0 && top().secretArray))
				pending = false
				if len(stack) > 0 && top().object {
					top().wantKey = true
				}
			}
		}
		out = append(out, jt)
	}
}

// FuzzRedactJSON: RedactJSON never panics and is idempotent on any text; on valid JSON its
// output is valid JSON with the same tokens, except that exactly the string values of
// sensitive properties (and the strings of arrays that are such values) read "[redacted]".
func FuzzRedactJSON(f *testing.F) {
	for _, s := range []string{
		`{"secretText":"abc","keyId":"k"}`,
		`{"a":{"password":["x",{"b":"y"},1]},"c":"d"}`,
		`[{"key":"v"},"key",{"pass\u0077ord":"z"}]`,
		`{"responses":[{"body":{"access_token":"t"}}]}`,
		`{"x":"a\"b\\","client_secret":"s\u00e9"}`,
		`{"secretText":`,
		`{"secretText":"trunc`,
		`"`, `]]}}`, `{"a":"b"`, ``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := RedactJSON(s)
		if again := RedactJSON(got); again != got {
			t.Fatalf("not idempotent:\n in: %q\n 1st: %q\n 2nd: %q", s, got, again)
		}
		if !json.Valid([]byte(s)) {
			return
		}
		if !json.Valid([]byte(got)) {
			t.Fatalf("valid JSON %q redacted to invalid %q", s, got)
		}
		in, out := jsonTokens(t, s), jsonTokens(t, got)
		if len(in) != len(out) {
			t.Fatalf("%q: %d tokens, redacted %q: %d", s, len(in), got, len(out))
		}
		for i := range in {
			want := in[i].tok
			if in[i].secret {
				want = Redacted
			}
			if out[i].tok != want || out[i].key != in[i].key {
				t.Fatalf("%q -> %q: token %d is %#v (key %v), want %#v (key %v)", s, got, i, out[i].tok, out[i].key, want, in[i].key)
			}
		}
	})
}

// FuzzRedactPairs: form and query redaction never panics, keeps every pair, and leaves no
// value of a sensitive name.
func FuzzRedactPairs(f *testing.F) {
	for _, s := range []string{
		"client_id=a&client_secret=b&scope=c",
		"client%5Fsecret=x&%zz=y&=&&a",
		"client_assertion=eyJx.y.z&client_assertion_type=jwt",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := redactPairs(s)
		in, out := strings.Split(s, "&"), strings.Split(got, "&")
		if s != "" && len(in) != len(out) {
			t.Fatalf("%q -> %q: %d pairs became %d", s, got, len(in), len(out))
		}
		for i, p := range out {
			k, v, ok := strings.Cut(p, "=")
			name, err := url.QueryUnescape(k)
			if err != nil {
				name = k
			}
			if ok && SensitiveName(name) && v != Redacted {
				t.Fatalf("%q -> %q: pair %d %q keeps its value", s, got, i, p)
			}
		}
	})
}

// FuzzRedactorBody: whatever a server or a client sends, the shown body never holds a secret
// the Redactor knows, never a raw control character, and is valid UTF-8.
func FuzzRedactorBody(f *testing.F) {
	f.Add("application/json", `{"note":"`, `"}`)
	f.Add("application/x-www-form-urlencoded", "client_secret=", "&a=b")
	f.Add("text/html", "<p>", "\x1b[0m\xff")
	f.Add("", "", "")
	r := NewRedactor(plantedSecret)
	f.Fuzz(func(t *testing.T, contentType, before, after string) {
		got := r.Body(contentType, []byte(before+plantedSecret+after))
		if strings.Contains(got, plantedSecret) {
			t.Fatalf("the secret survived: %q", got)
		}
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8: %q", got)
		}
		if i := bytes.IndexFunc([]byte(got), func(r rune) bool { return r < 0x20 || r == 0x7f }); i >= 0 {
			t.Fatalf("control character at %d: %q", i, got)
		}
	})
}
