package httplog

import (
	"mime"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Redacted replaces every secret a trace would otherwise show.
const Redacted = "[redacted]"

// minSecretLen is the shortest known value replaced by value: shorter ones would blank out
// ordinary text, and are caught by name where they are sent.
const minSecretLen = 3

// A Redactor takes secrets out of what a trace shows. Its zero value redacts by name and
// shape only; NewRedactor adds secret values the caller knows. It is safe for concurrent use.
type Redactor struct {
	values []string // known secrets and their encoded forms, longest first
}

// NewRedactor returns a Redactor that also replaces each of the given secret values (and its
// URL- and JSON-encoded forms) wherever it appears. Values shorter than three bytes are
// ignored.
func NewRedactor(secrets ...string) *Redactor {
	seen := map[string]bool{}
	r := &Redactor{}
	add := func(v string) {
		if len(v) >= minSecretLen && !seen[v] {
			seen[v] = true
			r.values = append(r.values, v)
		}
	}
	for _, s := range secrets {
		add(s)
		add(strings.TrimSpace(s))
		add(url.QueryEscape(s))
		add(url.PathEscape(s))
		if q := strconv.Quote(s); len(q) >= 2 {
			add(q[1 : len(q)-1]) // the JSON form of most strings
		}
	}
	// Longest first, so that a value containing another is replaced whole.
	sort.SliceStable(r.values, func(i, j int) bool { return len(r.values[i]) > len(r.values[j]) })
	return r
}

// notSecret are names (lower case, without "-", "_", ".", "$" and "@") that look like a
// secret's name but are not: paging cursors, the kind of a token or assertion. Keeping them
// visible keeps traces useful.
var notSecret = map[string]bool{
	"tokentype":           true,
	"clientassertiontype": true,
	"skiptoken":           true,
	"deltatoken":          true,
	"keyid":               true,
}

// secretNames are names (compacted as for notSecret) that are secrets whatever else they say.
var secretNames = map[string]bool{
	"authorization":      true,
	"proxyauthorization": true,
	"cookie":             true,
	"setcookie":          true,
	"key":                true, // keyCredentials' key
	"sig":                true, // SAS signatures
}

// secretWords are parts of a (compacted) name that make it a secret's name. "token" is not one
// of them: a name ending in token is a token (access_token, X-Ms-Token-Aad-Id-Token), but one
// that only mentions tokens is not (token_endpoint, requested_token_use, tokenEncryptionKeyId).
var secretWords = []string{"password", "passwd", "secret", "assertion", "credential", "apikey", "private", "signature"}

// SensitiveName reports whether a header, query parameter, form field, JSON property or cmdlet
// parameter of this name carries a secret: Authorization, Cookie, client_secret,
// client_assertion, access_token, secretText, Password, key, ... Case and the separators
// "-", "_", ".", "$" and "@" are ignored.
func SensitiveName(name string) bool {
	n := strings.Map(func(r rune) rune {
		switch r {
		case '-', '_', '.', '$', '@', ' ':
			return -1
		}
		return unicode.ToLower(r)
	}, name)
	switch {
	case notSecret[n]:
		return false
	case secretNames[n], strings.HasSuffix(n, "token"), strings.HasSuffix(n, "tokens"):
		return true
	}
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// jwtRE finds what looks like a JWT or a base64url-encoded JSON object ("eyJ" is `{"`): bearer
// tokens, client assertions, federated tokens, wherever they appear.
var jwtRE = regexp.MustCompile(`eyJ[A-Za-z0-9_\-]{4,}(?:\.[A-Za-z0-9_\-+/=]*){0,2}`)

// Text returns s with every known secret value and every JWT-looking string replaced.
func (r *Redactor) Text(s string) string {
	if r != nil {
		for _, v := range r.values {
			if strings.Contains(s, v) {
				s = strings.ReplaceAll(s, v, Redacted)
			}
		}
	}
	return jwtRE.ReplaceAllString(s, Redacted)
}

// Header returns what a trace shows for one header value: Redacted for a header that carries
// credentials, else the value with secrets and control characters taken out.
func (r *Redactor) Header(name, value string) string {
	if SensitiveName(name) {
		return Redacted
	}
	return printable(r.Text(value), false)
}

// URL returns what a trace shows for a request URL: no user information, and the values of
// sensitive query parameters redacted. A query that does not parse is redacted whole.
func (r *Redactor) URL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil // user information is a password, or a name nobody needs in a trace
	c.RawQuery = redactPairs(c.RawQuery)
	c.ForceQuery = false
	c.Fragment, c.RawFragment = "", ""
	return printable(r.Text(c.String()), false)
}

// Body returns what a trace shows for a body (or its first bytes) of the given content type:
// form fields and JSON properties with sensitive names redacted, then Text. It reads any bytes:
// truncated JSON, invalid UTF-8 and binary data give a best-effort result, never a panic.
func (r *Redactor) Body(contentType string, body []byte) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt, _, _ = strings.Cut(strings.ToLower(contentType), ";")
	}
	var s string
	if strings.TrimSpace(mt) == "application/x-www-form-urlencoded" {
		s = redactPairs(string(body))
	} else {
		// The JSON scanner only acts after a "name": pair, so on other text it changes nothing.
		s = RedactJSON(string(body))
	}
	return printable(r.Text(s), false)
}

// redactPairs redacts the values of sensitive names in a&b=c&d=e form or query text, keeping
// the order, the encoding and the pairs it cannot decode as they are.
func redactPairs(q string) string {
	if q == "" {
		return q
	}
	parts := strings.Split(q, "&")
	for i, p := range parts {
		k, _, hasValue := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if hasValue && SensitiveName(name) {
			parts[i] = k + "=" + Redacted
		}
	}
	return strings.Join(parts, "&")
}

// RedactJSON replaces with "[redacted]" every string value of a property with a sensitive name,
// and every string directly inside an array that is such a property's value, in JSON text. It
// scans rather than parses, so truncated or malformed JSON (a body's first bytes) is redacted as
// far as it goes; everything else is kept byte for byte. An unterminated string that must be
// redacted is redacted to the end.
func RedactJSON(s string) string {
	if !strings.Contains(s, `"`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	// stack holds, per open container, whether it is an array whose strings are secrets.
	var stack []bool
	pending := false // the next value is a sensitive property's value
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"':
			end, closed := stringEnd(s, i)
			isKey := closed && nextNonSpace(s, end) == ':'
			switch {
			case isKey:
				pending = SensitiveName(decodeJSONString(s[i+1 : end-1]))
				b.WriteString(s[i:end])
			case pending || (len(stack) > 0 && stack[len(stack)-1]):
				b.WriteString(`"` + Redacted)
				if closed {
					b.WriteByte('"')
				}
				pending = false
			default:
				b.WriteString(s[i:end])
				pending = false
			}
			i = end
			continue
		case c == '[':
			stack = append(stack, pending)
			pending = false
		case c == '{':
			stack = append(stack, false)
			pending = false
		case c == ']' || c == '}':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			pending = false
		case c == ':' || c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r':
			// Structure and space leave the pending property as it is until its value starts;
			// a comma means the value was not a string.
			if c == ',' {
				pending = false
			}
		default:
			pending = false // a number, true, false or null: no secret to hide
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

// stringEnd returns the index just past the JSON string starting at s[i] == '"' and true, or
// len(s) and false when the string is not terminated.
func stringEnd(s string, i int) (int, bool) {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return len(s), false
}

func nextNonSpace(s string, i int) byte {
	for ; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
		default:
			return s[i]
		}
	}
	return 0
}

// decodeJSONString decodes the inside of a JSON string well enough to compare names: escapes
// such as \u0070 are resolved; what does not decode is kept raw.
func decodeJSONString(q string) string {
	if !strings.Contains(q, `\`) {
		return q
	}
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		if q[i] != '\\' || i+1 >= len(q) {
			b.WriteByte(q[i])
			continue
		}
		i++
		switch q[i] {
		case 'u':
			if i+4 < len(q) {
				if n, err := strconv.ParseUint(q[i+1:i+5], 16, 32); err == nil {
					b.WriteRune(rune(n))
					i += 4
					continue
				}
			}
			b.WriteString(`\u`)
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		default: // \" \\ \/
			b.WriteByte(q[i])
		}
	}
	return b.String()
}

// printable escapes control characters and invalid UTF-8, so that a trace line stays one line
// (unless keepNewlines) and a server cannot send terminal escapes to the user's terminal.
func printable(s string, keepNewlines bool) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= utf8.RuneSelf {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteString(`\x` + strconv.FormatUint(uint64(s[i]), 16))
		case r == '\n' && keepNewlines:
			b.WriteByte('\n')
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			b.WriteString(`\x` + strconv.FormatUint(uint64(r), 16))
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}
