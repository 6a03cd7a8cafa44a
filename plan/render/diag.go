package render

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/exoform/exoform/schema/diag"
)

func rangeText(d diag.Diagnostic) string {
	return fmt.Sprintf("%s:%d:%d", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
}

// Diagnostics writes diagnostics for a person: "Error: summary", the location as
// file:line:column with the source line and a marker, then the detail.
func Diagnostics(w io.Writer, ds diag.Diagnostics, files map[string]*hcl.File, s Style) {
	src := sources{files: files, lines: map[string][]int{}}
	for _, d := range ds {
		label, color := "Error", red
		if d.Severity == diag.Warning {
			label, color = "Warning", yellow
		}
		fmt.Fprintf(w, "%s %s\n", s.paint(bold+color, label+":"), s.paint(bold, d.Summary))
		if d.Subject != nil {
			fmt.Fprintf(w, "\n  on %s", rangeText(d))
			if d.Address != "" {
				fmt.Fprintf(w, ", in %s", d.Address)
			}
			fmt.Fprintln(w, ":")
			if line, ok := src.line(d.Subject); ok {
				col := d.Subject.Start.Column
				width := 1
				if d.Subject.End.Line == d.Subject.Start.Line && d.Subject.End.Column > col {
					width = d.Subject.End.Column - col
				}
				line, col, width = clipLine(line, col, width)
				fmt.Fprintf(w, "  %4d | %s\n", d.Subject.Start.Line, line)
				fmt.Fprintf(w, "       | %s%s\n", strings.Repeat(" ", max(col-1, 0)), s.paint(color, strings.Repeat("^", width)))
			}
		} else if d.Address != "" {
			fmt.Fprintf(w, "\n  in %s:\n", d.Address)
		}
		if d.Detail != "" {
			fmt.Fprintln(w)
			for _, l := range strings.Split(d.Detail, "\n") {
				fmt.Fprintf(w, "  %s\n", l)
			}
		}
		fmt.Fprintln(w)
	}
}

// maxShown is the most characters of a source line a diagnostic shows: a generated file can
// hold a line of megabytes, and the message is about one place in it.
const maxShown = 160

// clipLine cuts a long line to the maxShown characters around the 1-based column col, marking
// each cut with "…", and returns the column and caret width within what is shown.
func clipLine(line string, col, width int) (string, int, int) {
	r := []rune(line)
	if len(r) <= maxShown {
		return line, col, width
	}
	start := max(0, min(col-1-maxShown/3, len(r)-maxShown))
	end := start + maxShown
	shown, col := string(r[start:end]), col-start
	if start > 0 {
		shown, col = "…"+shown, col+1
	}
	if end < len(r) {
		shown += "…"
	}
	// The caret stays within what is shown.
	width = max(1, min(width, len([]rune(shown))-(col-1)))
	return shown, col, width
}

// sources finds the source lines of diagnostics. Each file's line starts are found once:
// splitting a large configuration for each of thousands of warnings cost more than planning.
type sources struct {
	files map[string]*hcl.File
	lines map[string][]int // by file name: the byte offset where each line starts
}

func (s sources) line(r *hcl.Range) (string, bool) {
	f, ok := s.files[r.Filename]
	if !ok || f == nil {
		return "", false
	}
	starts, ok := s.lines[r.Filename]
	if !ok {
		starts = []int{0}
		for i, b := range f.Bytes {
			if b == '\n' {
				starts = append(starts, i+1)
			}
		}
		s.lines[r.Filename] = starts
	}
	if r.Start.Line < 1 || r.Start.Line > len(starts) {
		return "", false
	}
	text := f.Bytes[starts[r.Start.Line-1]:]
	if i := bytes.IndexByte(text, '\n'); i >= 0 {
		text = text[:i]
	}
	return strings.TrimRight(strings.ReplaceAll(string(text), "\t", " "), "\r"), true
}
