// Package diag holds the diagnostics exoform shows to users: a summary, a detail that says what
// to do, and where the problem is. Internals return errors; the boundaries (loading, planning,
// applying) turn them into diagnostics.
//
// This package must never print, and never hold a secret value in a diagnostic.
package diag

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Severity says whether a diagnostic stops the command.
type Severity uint8

const (
	// Error stops the command.
	Error Severity = iota
	// Warning is shown and the command goes on.
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// A Diagnostic is one problem for a user to read.
type Diagnostic struct {
	Severity Severity   `json:"severity"`
	Summary  string     `json:"summary"`          // sentence case, no trailing period
	Detail   string     `json:"detail,omitempty"` // full sentences: what happened and what to do
	Subject  *hcl.Range `json:"range,omitempty"`  // configuration location, if known
	Address  string     `json:"address,omitempty"`
}

// Diagnostics is a list of diagnostics; nil is empty.
type Diagnostics []Diagnostic

// Errorf makes an error diagnostic.
func Errorf(subject *hcl.Range, summary, detailFormat string, args ...any) Diagnostic {
	return Diagnostic{Severity: Error, Summary: summary, Detail: fmt.Sprintf(detailFormat, args...), Subject: subject}
}

// Warnf makes a warning diagnostic.
func Warnf(subject *hcl.Range, summary, detailFormat string, args ...any) Diagnostic {
	return Diagnostic{Severity: Warning, Summary: summary, Detail: fmt.Sprintf(detailFormat, args...), Subject: subject}
}

// Append adds diagnostics. It takes Diagnostic, Diagnostics, hcl.Diagnostics, *hcl.Diagnostic and
// error values; it has a pointer receiver so a forgotten assignment cannot drop errors.
func (ds *Diagnostics) Append(items ...any) {
	for _, it := range items {
		switch v := it.(type) {
		case nil:
		case Diagnostic:
			*ds = append(*ds, v)
		case Diagnostics:
			*ds = append(*ds, v...)
		case *hcl.Diagnostic:
			*ds = append(*ds, FromHCL(v))
		case hcl.Diagnostics:
			for _, d := range v {
				*ds = append(*ds, FromHCL(d))
			}
		case error:
			var d Diagnostics
			if errors.As(v, &d) {
				*ds = append(*ds, d...)
				continue
			}
			*ds = append(*ds, Diagnostic{Severity: Error, Summary: firstLine(v.Error()), Detail: rest(v.Error())})
		default:
			panic(fmt.Sprintf("diag.Append: unsupported %T", it))
		}
	}
}

// FromHCL converts one HCL diagnostic.
func FromHCL(d *hcl.Diagnostic) Diagnostic {
	out := Diagnostic{Summary: d.Summary, Detail: d.Detail, Subject: d.Subject}
	if d.Severity == hcl.DiagWarning {
		out.Severity = Warning
	}
	return out
}

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Errors returns only the errors.
func (ds Diagnostics) Errors() Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == Error {
			out = append(out, d)
		}
	}
	return out
}

// Err returns the diagnostics as an error when there are errors, else nil.
func (ds Diagnostics) Err() error {
	if !ds.HasErrors() {
		return nil
	}
	return ds
}

// Error joins the error summaries, for APIs that speak error.
func (ds Diagnostics) Error() string {
	var parts []string
	for _, d := range ds.Errors() {
		parts = append(parts, d.String())
	}
	return strings.Join(parts, "; ")
}

// String renders "file:line:col: summary: detail".
func (d Diagnostic) String() string {
	var b strings.Builder
	if d.Subject != nil {
		fmt.Fprintf(&b, "%s:%d:%d: ", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
	}
	if d.Address != "" {
		b.WriteString(d.Address + ": ")
	}
	b.WriteString(d.Summary)
	if d.Detail != "" {
		b.WriteString(": " + d.Detail)
	}
	return b.String()
}

// Sort orders diagnostics by file, line and column, keeping those without a location last in
// their original order, so output is deterministic.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Subject, ds[j].Subject
		switch {
		case a == nil || b == nil:
			return a != nil && b == nil
		case a.Filename != b.Filename:
			return a.Filename < b.Filename
		case a.Start.Line != b.Start.Line:
			return a.Start.Line < b.Start.Line
		default:
			return a.Start.Column < b.Start.Column
		}
	})
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func rest(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimSpace(s[i+1:])
	}
	return ""
}
