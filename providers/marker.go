package providers

import (
	"regexp"
	"strings"
)

// The ownership marker is one line appended to a free-text field of an object (a connector's
// Comment, a rule's Comments). It names the workspace that created or adopted the object, and is
// kept apart from the user's own text so that both survive each other's edits.
var markerRe = regexp.MustCompile(`(?m)^\[managed-by exoform workspace=([A-Za-z0-9][A-Za-z0-9._-]{0,63})\]\s*\z`)

// MarkerPrefix starts every marker; user text may not contain it.
const MarkerPrefix = "[managed-by exoform"

// Marker returns the marker line of a workspace.
func Marker(workspace string) string {
	return "[managed-by exoform workspace=" + workspace + "]"
}

// SplitMarker separates a field into the user's text and the workspace of its marker ("" when
// there is none).
func SplitMarker(field string) (text, workspace string) {
	loc := markerRe.FindStringSubmatchIndex(field)
	if loc == nil {
		return field, ""
	}
	return strings.TrimRight(field[:loc[0]], "\r\n"), field[loc[2]:loc[3]]
}

// JoinMarker writes the user's text followed by the workspace's marker on its own line.
func JoinMarker(text, workspace string) string {
	if workspace == "" {
		return text
	}
	if text == "" {
		return Marker(workspace)
	}
	return text + "\n" + Marker(workspace)
}
