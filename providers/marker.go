package providers

import (
	"regexp"
	"strings"
)

// The ownership marker is one line appended to a free-text field of an object (a connector's
// Comment, a rule's Comments). It names the workspace that created or adopted the object, and is
// kept apart from the user's own text so that both survive each other's edits. Since the tenant
// is the state, the marker also records prevent_destroy: a protected object stays protected
// after its block leaves the configuration.
var markerRe = regexp.MustCompile(`(?m)^\[managed-by exoform workspace=([A-Za-z0-9][A-Za-z0-9._-]{0,63})( prevent_destroy)?( allow_destroy)?\]\s*\z`)

// MarkerPrefix starts every marker; user text may not contain it.
const MarkerPrefix = "[managed-by exoform"

// A Marker is what the ownership marker says.
type Marker struct {
	Workspace      string // "" when the object carries no marker
	PreventDestroy bool
	// AllowDestroy is the opt-in that a data-bearing object (a mailbox) may be deleted.
	AllowDestroy bool
}

// String is the marker line.
func (m Marker) String() string {
	s := MarkerPrefix + " workspace=" + m.Workspace
	if m.PreventDestroy {
		s += " prevent_destroy"
	}
	if m.AllowDestroy {
		s += " allow_destroy"
	}
	return s + "]"
}

// SplitMarker separates a field into the user's text and its marker.
func SplitMarker(field string) (text string, m Marker) {
	loc := markerRe.FindStringSubmatchIndex(field)
	if loc == nil {
		return field, Marker{}
	}
	return strings.TrimRight(field[:loc[0]], "\r\n"), Marker{Workspace: field[loc[2]:loc[3]], PreventDestroy: loc[4] >= 0, AllowDestroy: loc[6] >= 0}
}

// JoinMarker writes the user's text followed by the marker on its own line.
func JoinMarker(text string, m Marker) string {
	if m.Workspace == "" {
		return text
	}
	if text == "" {
		return m.String()
	}
	return text + "\n" + m.String()
}
