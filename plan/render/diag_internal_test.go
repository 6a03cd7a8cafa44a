package render

import (
	"strings"
	"testing"
)

// TestClipLine: a long source line is cut to the characters around the diagnostic's column,
// and the caret still points at the same character.
func TestClipLine(t *testing.T) {
	long := strings.Repeat("a", 10000) + "X" + strings.Repeat("b", 10000) // X at column 10001
	tests := []struct {
		name       string
		line       string
		col, width int
	}{
		{"short line", "  name = 42", 10, 2},
		{"at the start", "Y" + long, 1, 3},
		{"in the middle", long, 10001, 1},
		{"near the end", long + "Z", 20002, 1},
		{"wide caret", long, 10001, 5000},
		{"multi-byte characters", strings.Repeat("é", 500) + "X" + strings.Repeat("ü", 500), 501, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shown, col, width := clipLine(tt.line, tt.col, tt.width)
			r, orig := []rune(shown), []rune(tt.line)
			if len(r) > maxShown+2 {
				t.Errorf("shows %d characters, want at most %d and the two marks", len(r), maxShown)
			}
			if col < 1 || col > len(r) || r[col-1] != orig[tt.col-1] {
				t.Fatalf("caret at %d of %q, want it on %q", col, shown, orig[tt.col-1])
			}
			if width < 1 || col-1+width > len(r) {
				t.Errorf("caret width %d runs past what is shown (%d characters from column %d)", width, len(r), col)
			}
			if len(orig) <= maxShown && (shown != tt.line || col != tt.col || width != tt.width) {
				t.Errorf("a short line changed: %q %d %d", shown, col, width)
			}
		})
	}
}
