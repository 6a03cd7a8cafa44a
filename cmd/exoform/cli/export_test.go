package cli_test

import (
	"strings"
	"testing"
)

// TestExportProgressOnATerminal: export shows what it reads on one rewritten line of standard
// error, only on a terminal (export.txtar checks that nothing is printed otherwise), and
// clears it before the summary.
func TestExportProgressOnATerminal(t *testing.T) {
	t.Chdir(t.TempDir())
	code, out, errOut := run(t, ".", "", nil, "export", "--sim", "--out", "cfg")
	if code != 0 || !strings.Contains(out, "Exported 9 object(s)") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "\r\x1b[KReading 1 of 14 types… ") || !strings.HasSuffix(errOut, "\r\x1b[K") {
		t.Errorf("progress line:\n%q", errOut)
	}
	if strings.Contains(errOut, "\n") {
		t.Errorf("the progress line scrolls:\n%q", errOut)
	}
}
