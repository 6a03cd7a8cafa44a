package sim

import (
	"fmt"
	"strings"
	"unicode"
)

// The sim understands a subset of OPATH, the filter language of
// -RecipientRestrictionFilter and Get-TransportRule -Filter:
//
//	filter     := or
//	or         := and { "-or" and }
//	and        := unary { "-and" unary }
//	unary      := "-not" unary | "(" or ")" | comparison
//	comparison := Property operator value
//	operator   := -eq | -ne | -like | -notlike   (case-insensitive)
//	value      := 'text' | "text" | $true | $false | $null | bareword
//
// Quotes double to escape ('O''Neil'). Property names are not checked
// against Exchange's filterable properties. Comparisons are
// case-insensitive; -like takes * and ? wildcards.

type opathNode interface {
	eval(get func(prop string) []string) bool
}

type opathBinary struct {
	and  bool
	l, r opathNode
}

type opathNot struct{ x opathNode }

type opathCmp struct {
	prop, op string
	val      string
	null     bool
}

func (n opathBinary) eval(get func(string) []string) bool {
	if n.and {
		return n.l.eval(get) && n.r.eval(get)
	}
	return n.l.eval(get) || n.r.eval(get)
}

func (n opathNot) eval(get func(string) []string) bool { return !n.x.eval(get) }

func (n opathCmp) eval(get func(string) []string) bool {
	vals := get(n.prop)
	var hit bool
	switch {
	case n.null:
		hit = len(vals) == 0 || (len(vals) == 1 && vals[0] == "")
	case n.op == "-like" || n.op == "-notlike":
		for _, v := range vals {
			if wildcardMatchFold(n.val, v) {
				hit = true
				break
			}
		}
	default:
		for _, v := range vals {
			hit = hit || strings.EqualFold(v, n.val)
		}
	}
	if n.op == "-ne" || n.op == "-notlike" {
		return !hit
	}
	return hit
}

// opathProps returns the property names n compares, in order, so that a
// cmdlet can check them against its filterable properties before evaluating.
func opathProps(n opathNode) []string {
	switch n := n.(type) {
	case opathBinary:
		return append(opathProps(n.l), opathProps(n.r)...)
	case opathNot:
		return opathProps(n.x)
	case opathCmp:
		return []string{n.prop}
	}
	return nil
}

// wildcardMatchFold is wildcardMatch ignoring case. ASCII text, what
// filters mostly compare, is folded byte by byte without allocating, because
// a partitioned read evaluates dozens of -like terms per mailbox.
func wildcardMatchFold(pat, s string) bool {
	if !isASCII(pat) || !isASCII(s) {
		return wildcardMatch(strings.ToLower(pat), strings.ToLower(s))
	}
	for len(pat) > 0 {
		switch pat[0] {
		case '*':
			for i := 0; i <= len(s); i++ {
				if wildcardMatchFold(pat[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
		default:
			if s == "" || lowerASCII(s[0]) != lowerASCII(pat[0]) {
				return false
			}
		}
		pat, s = pat[1:], s[1:]
	}
	return s == ""
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// wildcardMatch matches s against pat, where * is any run of characters
// and ? any one character.
func wildcardMatch(pat, s string) bool {
	if pat == "" {
		return s == ""
	}
	switch pat[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if wildcardMatch(pat[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && wildcardMatch(pat[1:], s[1:])
	}
	return s != "" && s[0] == pat[0] && wildcardMatch(pat[1:], s[1:])
}

type opathToken struct {
	kind string // "(", ")", "op", "str", "word", "var", "end"
	text string
	pos  int
}

// parseOPATH parses a filter; the error names the position of the problem,
// as Exchange's "Invalid filter syntax" message does.
func parseOPATH(filter string) (opathNode, error) {
	toks, err := lexOPATH(filter)
	if err != nil {
		return nil, err
	}
	p := &opathParser{toks: toks, src: filter}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != "end" {
		return nil, p.fail(t)
	}
	return n, nil
}

func lexOPATH(s string) ([]opathToken, error) {
	var out []opathToken
	bad := func(pos int, why string) error {
		return fmt.Errorf("Invalid filter syntax. For a description of the filter parameter syntax see the command help. %s: \"%s\" at position %d", why, s, pos+1)
	}
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '(' || c == ')':
			out = append(out, opathToken{kind: string(c), text: string(c), pos: i})
			i++
		case c == '\'' || c == '"':
			start := i
			var b strings.Builder
			i++
			closed := false
			for i < len(s) {
				if s[i] == c {
					if i+1 < len(s) && s[i+1] == c {
						b.WriteByte(c)
						i += 2
						continue
					}
					closed = true
					i++
					break
				}
				b.WriteByte(s[i])
				i++
			}
			if !closed {
				return nil, bad(start, "unterminated quoted string")
			}
			out = append(out, opathToken{kind: "str", text: b.String(), pos: start})
		case c == '-':
			start := i
			i++
			for i < len(s) && unicode.IsLetter(rune(s[i])) {
				i++
			}
			out = append(out, opathToken{kind: "op", text: strings.ToLower(s[start:i]), pos: start})
		case c == '$':
			start := i
			i++
			for i < len(s) && (unicode.IsLetter(rune(s[i])) || unicode.IsDigit(rune(s[i]))) {
				i++
			}
			v := strings.ToLower(s[start:i])
			if v != "$true" && v != "$false" && v != "$null" {
				return nil, bad(start, "unknown variable "+s[start:i])
			}
			out = append(out, opathToken{kind: "var", text: v, pos: start})
		default:
			start := i
			for i < len(s) && !strings.ContainsRune(" \t\r\n()'\"", rune(s[i])) {
				i++
			}
			out = append(out, opathToken{kind: "word", text: s[start:i], pos: start})
		}
	}
	return append(out, opathToken{kind: "end", pos: len(s)}), nil
}

type opathParser struct {
	toks []opathToken
	i    int
	src  string
}

func (p *opathParser) peek() opathToken { return p.toks[p.i] }
func (p *opathParser) next() opathToken { t := p.toks[p.i]; p.i++; return t }

func (p *opathParser) fail(t opathToken) error {
	what := "unexpected '" + t.text + "'"
	if t.kind == "end" {
		what = "unexpected end of filter"
	}
	return fmt.Errorf("Invalid filter syntax. For a description of the filter parameter syntax see the command help. %s: \"%s\" at position %d", what, p.src, t.pos+1)
}

func (p *opathParser) or() (opathNode, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); t.kind == "op" && t.text == "-or"; t = p.peek() {
		p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = opathBinary{and: false, l: l, r: r}
	}
	return l, nil
}

func (p *opathParser) and() (opathNode, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); t.kind == "op" && t.text == "-and"; t = p.peek() {
		p.next()
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = opathBinary{and: true, l: l, r: r}
	}
	return l, nil
}

func (p *opathParser) unary() (opathNode, error) {
	t := p.next()
	switch {
	case t.kind == "op" && t.text == "-not":
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return opathNot{x}, nil
	case t.kind == "(":
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != ")" {
			return nil, p.fail(c)
		}
		return x, nil
	case t.kind == "word":
		for _, c := range t.text {
			if !unicode.IsLetter(c) && !unicode.IsDigit(c) && c != '_' {
				return nil, p.fail(t)
			}
		}
		op := p.next()
		switch op.text {
		case "-eq", "-ne", "-like", "-notlike":
		default:
			if op.kind != "op" {
				return nil, p.fail(op)
			}
			return nil, fmt.Errorf("Invalid filter syntax. For a description of the filter parameter syntax see the command help. The operator '%s' isn't supported; use -eq, -ne, -like, -notlike, -and, -or or -not: \"%s\" at position %d", op.text, p.src, op.pos+1)
		}
		v := p.next()
		switch v.kind {
		case "str", "word":
			return opathCmp{prop: t.text, op: op.text, val: v.text}, nil
		case "var":
			if v.text == "$null" {
				return opathCmp{prop: t.text, op: op.text, null: true}, nil
			}
			return opathCmp{prop: t.text, op: op.text, val: strings.TrimPrefix(v.text, "$")}, nil
		}
		return nil, p.fail(v)
	}
	return nil, p.fail(t)
}
