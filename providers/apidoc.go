package providers

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/exoform/exoform/schema"
)

// An APIDescriber says which API calls a resource type or data source makes, for the reference
// documentation and `exoform schema`: an administrator sees which cmdlets and Graph requests
// (and so which roles and permissions) a type needs before running anything. Every type of the
// Exchange and Entra providers is one; their tests hold each list to the calls the type's
// reads, compiled changes and guards emit against the simulated tenant, both ways.
type APIDescriber interface {
	Calls() []Call
}

// A Call is one API call a type makes, and what it is used for.
type Call struct {
	Service Service
	// Name is the cmdlet ("Get-InboundConnector"), or for Graph the method and a path template
	// relative to /v1.0 without its query: ids are written as {id}, alternate keys as
	// (appId='{appId}') ("POST /applications(appId='{appId}')/addPassword"), never as values.
	Name string
	// Purposes are what the call is used for, in the order of the Purpose constants.
	Purposes []Purpose
}

// Purpose says what a type uses a call for.
type Purpose string

const (
	// PurposeRead: planning reads the live objects with it (a data source: looks its object up).
	PurposeRead Purpose = "read"
	// PurposeCreate, PurposeUpdate and PurposeDelete: a change of that kind compiles to it (an
	// adoption is an update).
	PurposeCreate Purpose = "create"
	PurposeUpdate Purpose = "update"
	PurposeDelete Purpose = "delete"
	// PurposeGuard: a generated PowerShell script reads the object with it before each change
	// (Guard).
	PurposeGuard Purpose = "guard"
)

// Purposes lists every Purpose in its documented order.
var Purposes = []Purpose{PurposeRead, PurposeCreate, PurposeUpdate, PurposeDelete, PurposeGuard}

// PurposeOf is the purpose of the operations a change of kind k compiles to.
func PurposeOf(k ChangeKind) Purpose {
	switch k {
	case Create:
		return PurposeCreate
	case Delete:
		return PurposeDelete
	}
	return PurposeUpdate
}

// Matches reports whether an operation is an instance of the call: the same service and cmdlet
// (ignoring case, as PowerShell does), or the same Graph method and a path that fits the
// template, ignoring the path's query. Placeholders (values known after apply) stand for
// whatever the service returns, so they match a template's {name} like any value.
func (c Call) Matches(op Operation) bool {
	if op.Service != c.Service {
		return false
	}
	if c.Service != Graph {
		return strings.EqualFold(op.Cmdlet, c.Name)
	}
	method, tmpl, ok := strings.Cut(c.Name, " ")
	if !ok || !strings.EqualFold(method, op.Method) {
		return false
	}
	path, _, _ := strings.Cut(op.Path, "?")
	if schema.HasPlaceholder(path) {
		texts, _ := schema.SplitPlaceholders(path)
		path = strings.Join(texts, "placeholder")
	}
	return templateRegexp(tmpl).MatchString(path)
}

// templateVar is a {name} of a path template: one value, never a path separator.
var templateVar = regexp.MustCompile(`\{[A-Za-z]+\}`)

func templateRegexp(tmpl string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	last := 0
	for _, m := range templateVar.FindAllStringIndex(tmpl, -1) {
		b.WriteString(regexp.QuoteMeta(tmpl[last:m[0]]))
		b.WriteString(`[^/?]+`)
		last = m[1]
	}
	b.WriteString(regexp.QuoteMeta(tmpl[last:]))
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// CheckCalls compares the calls a type documents with the operations it was seen to send, by
// purpose, and returns one line per difference: an operation that no documented call of its
// purpose matches, or a documented call and purpose that no operation matched. Provider tests
// use it to hold an APIDescriber to what the type's reads, changes and guards emit.
func CheckCalls(documented []Call, seen map[Purpose][]Operation) []string {
	var out []string
	used := map[int]map[Purpose]bool{}
	for _, p := range Purposes {
		for _, op := range seen[p] {
			found := false
			for i, c := range documented {
				if slices.Contains(c.Purposes, p) && c.Matches(op) {
					found = true
					if used[i] == nil {
						used[i] = map[Purpose]bool{}
					}
					used[i][p] = true
				}
			}
			if !found {
				out = append(out, fmt.Sprintf("sends %s (%s), which no call documents", op, p))
			}
		}
	}
	for i, c := range documented {
		for _, p := range c.Purposes {
			if !used[i][p] {
				out = append(out, fmt.Sprintf("documents %s (%s), which it was never seen to send", c.Name, p))
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
