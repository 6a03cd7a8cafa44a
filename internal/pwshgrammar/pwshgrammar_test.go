package pwshgrammar

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// validScript has the constructs exoform's generators emit: a param block, strict mode, a cmdlet
// with quoted, switch-style, array and computed arguments, control flow, and a Graph call whose
// result is assigned.
const validScript = `param(
    [Parameter(Mandatory)][string]$Name,
    [string]$Id = ''
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Set-InboundConnector -Identity 'a''b' -RequireTls:$true -SenderIPAddresses @('1.2.3.4','5.6.7.8') -Comment ('x' + [char]10 + 'y')
if ($Name -ne '') {
    Write-Host "Updated $Name"
}
try {
    Get-InboundConnector -Identity $Name -ErrorAction Stop | Out-Null
} catch {
    Write-Warning $_.Exception.Message
}
$r = Invoke-MgGraphRequest -Method GET -Uri ('/v1.0/applications/' + $Id)
`

type parseCase struct {
	name string
	src  string
	// wantErrors: nil means the script must parse cleanly. Cases that only need "some error"
	// set anyError instead, since the exact recovery of tree-sitter is not the point there.
	wantErrors []SyntaxError
	anyError   bool
	want       []Command
}

var parseCases = []parseCase{
	{
		name: "generated_script",
		src:  validScript,
		want: []Command{
			{Name: "Set-StrictMode", Line: 5, Parameters: []string{"Version"}},
			{Name: "Set-InboundConnector", Line: 7, Parameters: []string{"Identity", "RequireTls", "SenderIPAddresses", "Comment"}},
			{Name: "Write-Host", Line: 9},
			{Name: "Get-InboundConnector", Line: 12, Parameters: []string{"Identity", "ErrorAction"}},
			{Name: "Out-Null", Line: 12},
			{Name: "Write-Warning", Line: 14},
			{Name: "Invoke-MgGraphRequest", Line: 16, Parameters: []string{"Method", "Uri"}},
		},
	},
	{
		name:     "unterminated_string",
		src:      "Set-X -A 'abc\n",
		anyError: true,
		want:     []Command{{Name: "Set-X", Line: 1, Parameters: []string{"A"}}},
	},
	{
		// A value `a'; Remove-Item x; '` pasted into a single-quoted string without doubling its
		// quote: the command list shows the smuggled command even though the syntax is valid.
		name: "injection_unescaped",
		src:  "Set-Mailbox -Identity 'a'; Remove-Item x; ''\n",
		want: []Command{
			{Name: "Set-Mailbox", Line: 1, Parameters: []string{"Identity"}},
			{Name: "Remove-Item", Line: 1},
		},
	},
	{
		name: "injection_escaped",
		src:  "Set-Mailbox -Identity 'a''; Remove-Item x; '''\n",
		want: []Command{{Name: "Set-Mailbox", Line: 1, Parameters: []string{"Identity"}}},
	},
	{
		name: "statement_after_string",
		src:  "'a'; Remove-Item x\n",
		want: []Command{{Name: "Remove-Item", Line: 1}},
	},
	{
		// The -Param:value form, with and without a space after the colon.
		name: "colon_parameters",
		src:  "Set-X -A:1 -B: 2 -C:$false\n",
		want: []Command{{Name: "Set-X", Line: 1, Parameters: []string{"A", "B", "C"}}},
	},
	{
		name: "invocation_operators",
		src:  "& { Get-Date }\n& $cmd -Force\n. ./lib.ps1\n& 'C:\\tool.exe' -q\n",
		want: []Command{
			{Name: "&", Line: 1},
			{Name: "Get-Date", Line: 1},
			{Name: "$cmd", Line: 2, Parameters: []string{"Force"}},
			{Name: "./lib.ps1", Line: 3},
			{Name: "&", Line: 4, Parameters: []string{"q"}},
		},
	},
	{
		// Windows PowerShell 5.1 reads UTF-8 only with a BOM, and scripts may use CRLF.
		name: "bom_and_crlf",
		src:  "\uFEFFWrite-Host 'é'\r\nSet-X -A 1\r\n",
		want: []Command{
			{Name: "Write-Host", Line: 1},
			{Name: "Set-X", Line: 2, Parameters: []string{"A"}},
		},
	},
	{
		name:       "missing_brace",
		src:        "if ($a) {\n",
		wantErrors: []SyntaxError{{Line: 1, Column: 10, Text: "missing }"}},
	},
	{
		// Columns count runes: é is two bytes and 😀 two UTF-16 units, but one column each.
		name: "error_column_counts_runes",
		src:  "$z = 'é😀'; Set-X -A 'abc\n",
		wantErrors: []SyntaxError{
			{Line: 1, Column: 12, Text: "Set-X -A 'abc"},
			{Line: 1, Column: 25, Text: "unexpected line break"},
		},
		want: []Command{{Name: "Set-X", Line: 1, Parameters: []string{"A"}}},
	},
	{
		// How exoform can write characters that must not appear literally in a script.
		name: "char_expressions",
		src:  "$rlo = [char]0x202E\n$smile = [char]::ConvertFromUtf32(0x1F600)\n",
	},
	{
		// PowerShell reads U+2018 as a single quote, and a doubled one as an escaped quote, so
		// this is the string a‘b. The grammar accepts it too, as plain characters.
		name: "smart_quotes_doubled",
		src:  "$s = 'a‘‘b'\n",
	},
	{
		// A known limit, pinned so that a grammar upgrade that changes it is noticed (and the
		// package doc updated). PowerShell ends the string at U+2018 and runs Remove-Item; the
		// grammar only knows the ASCII apostrophe and sees one string argument. Generators must
		// double smart quotes; this package cannot prove they did.
		name: "grammar_limit_smart_quote_hides_injection",
		src:  "Write-Host 'x‘; Remove-Item y; ‘'\n",
		want: []Command{{Name: "Write-Host", Line: 1}},
	},
	{
		// The reverse for double quotes: PowerShell reads “…” as one string, the grammar as
		// two bare words around a statement break, so it over-reports.
		name: "grammar_limit_smart_double_quotes",
		src:  "Write-Host “a; Remove-Item b”\n",
		want: []Command{{Name: "Write-Host", Line: 1}, {Name: "Remove-Item", Line: 1}},
	},
}

// TestParseFiles parses every case in one node process, as callers with many scripts do, and
// checks each result.
func TestParseFiles(t *testing.T) {
	dir := t.TempDir()
	paths := make([]string, len(parseCases))
	for i, tc := range parseCases {
		paths[i] = filepath.Join(dir, tc.name+".ps1")
		if err := os.WriteFile(paths[i], []byte(tc.src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	results := ParseFiles(t, paths...)
	if len(results) != len(parseCases) {
		t.Fatalf("got %d results for %d files", len(results), len(parseCases))
	}
	for i, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			got := results[i]
			if got.Path != paths[i] {
				t.Errorf("Path = %q, want %q", got.Path, paths[i])
			}
			switch {
			case tc.anyError:
				if len(got.Errors) == 0 {
					t.Errorf("no syntax errors in %q", tc.src)
				}
			default:
				if diff := cmp.Diff(tc.wantErrors, got.Errors); diff != "" {
					t.Errorf("syntax errors (-want +got):\n%s", diff)
				}
			}
			if diff := cmp.Diff(tc.want, got.Commands); diff != "" {
				t.Errorf("commands (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSource(t *testing.T) {
	got := ParseSource(t, "Remove-Item -Path x -Recurse\n")
	want := Result{
		Path:     got.Path, // a file in t.TempDir(), named by ParseSource
		Commands: []Command{{Name: "Remove-Item", Line: 1, Parameters: []string{"Path", "Recurse"}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseSource (-want +got):\n%s", diff)
	}
	if filepath.Dir(got.Path) == "." {
		t.Errorf("Path %q is not in a temporary directory", got.Path)
	}
}

// node runs in the install directory, so ParseFiles must resolve relative paths against the
// test's working directory first, and report them as given.
func TestParseFilesRelativePath(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.WriteFile("rel.ps1", []byte("Get-Date\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got := ParseFiles(t, "rel.ps1")
	want := []Result{{Path: "rel.ps1", Commands: []Command{{Name: "Get-Date", Line: 1}}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// recorder stands in for a test to observe Skip and Fatal calls. Like the real ones, they end the
// calling goroutine, so code after them must not run.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls f with a recorder in a goroutine of its own, which Skipf and Fatalf may end.
func run(t *testing.T, f func(tb testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

func TestSkipOrFail(t *testing.T) {
	noNode := errNoTool{errors.New("node is not on PATH")}
	tests := []struct {
		name                string
		require             string
		err                 error
		wantSkip, wantFatal bool
	}{
		{name: "missing_tool_skips", require: "", err: noNode, wantSkip: true},
		{name: "missing_tool_required_fails", require: "1", err: noNode, wantFatal: true},
		{name: "wrapped_missing_tool_skips", require: "", err: fmt.Errorf("install: %w", noNode), wantSkip: true},
		{name: "other_error_fails", require: "", err: errors.New("npm ci: E404"), wantFatal: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvRequire, tc.require)
			r := run(t, func(tb testing.TB) { skipOrFail(tb, tc.err) })
			if (r.skipped != "") != tc.wantSkip || (r.failed != "") != tc.wantFatal {
				t.Fatalf("skipped %q, failed %q; want skip %v, fatal %v", r.skipped, r.failed, tc.wantSkip, tc.wantFatal)
			}
			if msg := r.skipped + r.failed; !strings.Contains(msg, tc.err.Error()) {
				t.Errorf("message %q does not carry the cause %q", msg, tc.err)
			}
		})
	}
}

// A file node cannot read must fail the test with node's own explanation, not yield an empty
// result that would pass an "expect no errors" check.
func TestParseFilesUnreadableFails(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "absent.ps1")
	r := run(t, func(tb testing.TB) { ParseFiles(tb, missing) })
	if r.skipped != "" {
		t.Skip(r.skipped) // no node here: the failure path cannot be reached
	}
	if !strings.Contains(r.failed, "ENOENT") || !strings.Contains(r.failed, "absent.ps1") {
		t.Errorf("failure message %q does not carry node's error", r.failed)
	}
}

// The package shells out to node and downloads npm packages: the tool an administrator runs must
// never link it, which nothing but this check would notice.
func TestNotInBinary(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH")
	}
	const self = "github.com/exoform/exoform/internal/pwshgrammar"
	out, err := exec.Command(goCmd, "list", "-deps", "-f", "{{.ImportPath}}", "github.com/exoform/exoform/cmd/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if !slices.ContainsFunc(deps, func(p string) bool { return strings.HasPrefix(p, "github.com/exoform/exoform/cmd/") }) {
		t.Fatalf("go list found no command under cmd/ to check:\n%s", out)
	}
	if slices.Contains(deps, self) {
		t.Errorf("a command under cmd/ depends on %s", self)
	}
}
