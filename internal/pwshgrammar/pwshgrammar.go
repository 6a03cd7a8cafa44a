package pwshgrammar

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Result is what the grammar found in one file.
type Result struct {
	Path string
	// Errors lists every ERROR and MISSING node of the tree, in document order; a script that
	// PowerShell would accept has none.
	Errors []SyntaxError
	// Commands lists every command invocation in document order, including those nested in
	// script blocks, subexpressions and error-recovered regions.
	Commands []Command
}

// SyntaxError is one ERROR or MISSING node. Line and Column are 1-based; Column counts runes.
type SyntaxError struct {
	Line, Column int
	// Text is the source the ERROR node covers (its first line, at most 80 runes), "missing X"
	// for a token the parser had to invent, or a short description of a blank ERROR node.
	Text string
}

// Command is one command invocation.
type Command struct {
	// Name is the command name as written (Set-InboundConnector, ./lib.ps1, $cmd). For an
	// invocation of something that is not a name (`& { … }`, `& 'C:\x.exe'`) it is the
	// invocation operator, "&" or ".".
	Name string
	Line int
	// Parameters are the names of the -Parameter tokens in the order written, without the dash
	// or a trailing colon (-RequireTls:$true gives "RequireTls"). Nil when there are none.
	Parameters []string
}

// EnvRequire names the environment variable that turns a missing node or npm from a skip into a
// failure. CI sets it so that the grammar checks cannot silently stop running there.
const EnvRequire = "EXOFORM_REQUIRE_PWSH_GRAMMAR"

var (
	//go:embed package.json
	packageJSON []byte
	//go:embed package-lock.json
	packageLock []byte
	//go:embed parse.mjs
	parseScript []byte
)

// installTimeout bounds `npm ci`: a registry that does not answer must fail the tests, not hang
// them until go test's own timeout.
const installTimeout = 5 * time.Minute

// errNoTool marks a missing node or npm, which skips rather than fails unless EnvRequire is set.
type errNoTool struct{ err error }

func (e errNoTool) Error() string { return e.err.Error() }

// install runs once per test process and is shared by every test in it; each caller reports the
// same outcome on its own testing.TB.
var install = sync.OnceValues(installOnce)

// ParseFiles parses each file with the tree-sitter PowerShell grammar in a single node process and
// returns one Result per path, in order. It never runs the scripts. It skips the test when node or
// npm is not installed (fails instead when EXOFORM_REQUIRE_PWSH_GRAMMAR=1), and fails it on any
// other problem, with npm's or node's output.
func ParseFiles(t testing.TB, paths ...string) []Result {
	t.Helper()
	if len(paths) == 0 {
		return nil
	}
	node, err := exec.LookPath("node")
	if err != nil {
		skipOrFail(t, errNoTool{fmt.Errorf("node is not on PATH: %w", err)})
	}
	script, err := install()
	if err != nil {
		skipOrFail(t, err)
	}

	args := []string{script}
	for _, p := range paths {
		// node runs with another working directory than the test's, so relative paths would
		// name other files.
		abs, err := filepath.Abs(p)
		if err != nil {
			t.Fatalf("pwshgrammar: %v", err)
		}
		args = append(args, abs)
	}
	cmd := exec.CommandContext(t.Context(), node, args...)
	cmd.Dir = filepath.Dir(script)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("pwshgrammar: node %s: %v\n%s", filepath.Base(script), err, stderr.Bytes())
	}

	var out []struct {
		Path   string `json:"path"`
		Errors []struct {
			Line   int    `json:"line"`
			Column int    `json:"column"`
			Text   string `json:"text"`
		} `json:"errors"`
		Commands []struct {
			Name       string   `json:"name"`
			Line       int      `json:"line"`
			Parameters []string `json:"parameters"`
		} `json:"commands"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("pwshgrammar: node printed no valid JSON: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.Bytes(), stderr.Bytes())
	}
	if len(out) != len(paths) {
		t.Fatalf("pwshgrammar: node reported %d files for %d paths\nstderr:\n%s", len(out), len(paths), stderr.Bytes())
	}

	results := make([]Result, len(out))
	for i, r := range out {
		// Report the caller's spelling of the path, which is what its test messages should show.
		res := Result{Path: paths[i]}
		for _, e := range r.Errors {
			res.Errors = append(res.Errors, SyntaxError{Line: e.Line, Column: e.Column, Text: e.Text})
		}
		for _, c := range r.Commands {
			var params []string
			if len(c.Parameters) > 0 {
				params = c.Parameters
			}
			res.Commands = append(res.Commands, Command{Name: c.Name, Line: c.Line, Parameters: params})
		}
		results[i] = res
	}
	return results
}

// ParseSource parses src as the content of a .ps1 file; see ParseFiles.
func ParseSource(t testing.TB, src string) Result {
	t.Helper()
	path := filepath.Join(t.TempDir(), "script.ps1")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatalf("pwshgrammar: %v", err)
	}
	return ParseFiles(t, path)[0]
}

func skipOrFail(t testing.TB, err error) {
	t.Helper()
	var missing errNoTool
	if errors.As(err, &missing) {
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("pwshgrammar: %v (required because %s=1)", err, EnvRequire)
			return
		}
		t.Skipf("pwshgrammar: %v; install Node.js and npm to check PowerShell syntax (set %s=1 to make this a failure)", err, EnvRequire)
		return
	}
	t.Fatalf("pwshgrammar: %v", err)
}

// installOnce makes sure the pinned packages are installed in the cache and returns the path of
// the parse script beside them.
//
// Several test processes (go test runs packages in parallel) may get here at once. Each installs
// into a private temporary directory and renames it into place, so a directory under its final
// name is always complete; a process that loses the rename uses the winner's tree.
func installOnce() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		// No HOME or XDG_CACHE_HOME (some CI sandboxes): the temp dir still lets processes of
		// one run share the install.
		base = os.TempDir()
	}
	parent := filepath.Join(base, "exoform", "pwshgrammar")
	sum := sha256.Sum256(packageLock)
	dir := filepath.Join(parent, hex.EncodeToString(sum[:])[:16])

	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if err := installInto(parent, dir); err != nil {
			return "", err
		}
	} else if err != nil {
		return "", err
	}
	// The wasm is the last thing this package needs from the tree: if it is absent the directory
	// was not made by installInto (or was damaged), and reinstalling under another process's feet
	// is worse than asking for it to be removed.
	wasm := filepath.Join(dir, "node_modules", "tree-sitter-powershell", "tree-sitter-powershell.wasm")
	if _, err := os.Stat(wasm); err != nil {
		return "", fmt.Errorf("incomplete install in %s (remove it to reinstall): %w", dir, err)
	}
	return writeScript(dir)
}

func installInto(parent, dir string) error {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return errNoTool{fmt.Errorf("npm is not on PATH (needed once to install the grammar into %s): %w", dir, err)}
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "install-")
	if err != nil {
		return err
	}
	renamed := false
	defer func() {
		if !renamed {
			os.RemoveAll(tmp)
		}
	}()
	for name, data := range map[string][]byte{"package.json": packageJSON, "package-lock.json": packageLock} {
		if err := os.WriteFile(filepath.Join(tmp, name), data, 0o644); err != nil {
			return err
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), installTimeout)
	defer cancel()
	// --ignore-scripts: tree-sitter-powershell has an install script that builds a native Node
	// addon; only its wasm is used, and nothing from the registry should run here.
	cmd := exec.CommandContext(ctx, npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund")
	cmd.Dir = tmp
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm ci in %s: %v\n%s", tmp, err, output.Bytes())
	}

	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(dir); statErr == nil {
			return nil // another process installed it first; its tree is as good as ours
		}
		return err
	}
	renamed = true
	return nil
}

// writeScript puts parse.mjs beside node_modules, where its imports resolve. The file name carries
// the script's own hash: the install directory is keyed by the lock file only, and a changed
// script must not be shadowed by an older copy, nor be half-written while another process runs it.
func writeScript(dir string) (string, error) {
	sum := sha256.Sum256(parseScript)
	path := filepath.Join(dir, "parse-"+hex.EncodeToString(sum[:])[:16]+".mjs")
	if existing, err := os.ReadFile(path); err == nil && bytes.Equal(existing, parseScript) {
		return path, nil
	}
	f, err := os.CreateTemp(dir, "parse-*.tmp")
	if err != nil {
		return "", err
	}
	_, werr := f.Write(parseScript)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	// Every writer writes the same bytes, so whichever rename lands last is fine.
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return path, nil
}

// String formats the error as "line:column: text", for test messages.
func (e SyntaxError) String() string {
	return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Text)
}
