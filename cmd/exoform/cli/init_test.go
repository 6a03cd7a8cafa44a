package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/exoform/exoform/internal/golden"
)

// initExample is one commented example of the starter configuration: its title line and the
// indexes of its commented code lines.
type initExample struct {
	title    string
	code     []int
	declares []string // "type.name" of its resources
}

var (
	exampleTitle = regexp.MustCompile(`^# == (.+?) =+$`)
	blockStart   = regexp.MustCompile(`^# (resource|data) "([a-z_]+)" "([a-z_0-9]+)" \{$`)
	reference    = regexp.MustCompile(`\b([a-z]+_[a-z_]+)\.([a-z_0-9]+)\.`)
)

// parseInitExamples finds the examples: a "# == Title ===" line starts one, and its code is
// every commented block from `# resource "…" "…" {` to `# }`.
func parseInitExamples(t *testing.T, lines []string) []initExample {
	t.Helper()
	var out []initExample
	inBlock := false
	for i, l := range lines {
		if m := exampleTitle.FindStringSubmatch(l); m != nil {
			if inBlock {
				t.Fatalf("line %d: example %q starts inside a block", i+1, m[1])
			}
			out = append(out, initExample{title: m[1]})
			continue
		}
		if len(out) == 0 {
			continue
		}
		ex := &out[len(out)-1]
		if m := blockStart.FindStringSubmatch(l); m != nil && !inBlock {
			inBlock = true
			if m[1] == "resource" {
				ex.declares = append(ex.declares, m[2]+"."+m[3])
			}
		}
		if inBlock {
			if l != "#" && !strings.HasPrefix(l, "# ") {
				t.Fatalf("line %d of example %q is not commented code: %q", i+1, ex.title, l)
			}
			ex.code = append(ex.code, i)
			if l == "# }" {
				inBlock = false
			}
		}
	}
	if inBlock {
		t.Fatal("the last example's block does not end with `# }`")
	}
	return out
}

// uncomment returns the configuration with the code of the given examples uncommented.
func uncomment(lines []string, exs []initExample) string {
	out := slices.Clone(lines)
	for _, ex := range exs {
		for _, i := range ex.code {
			out[i] = strings.TrimPrefix(strings.TrimPrefix(out[i], "#"), " ")
		}
	}
	return strings.Join(out, "\n")
}

// withRequired returns ex and every example it refers to (a resource another example declares),
// recursively: an example may build on an earlier one, as its text says.
func withRequired(lines []string, all []initExample, ex initExample) []initExample {
	picked := []initExample{ex}
	for n := 0; n < len(picked); n++ {
		for _, i := range picked[n].code {
			for _, m := range reference.FindAllStringSubmatch(lines[i], -1) {
				for _, other := range all {
					if slices.Contains(other.declares, m[1]+"."+m[2]) && !slices.ContainsFunc(picked, func(p initExample) bool { return p.title == other.title }) {
						picked = append(picked, other)
					}
				}
			}
		}
	}
	return picked
}

// TestInitExamples: every commented example of the starter configuration is valid once
// uncommented: canonically formatted, valid, and planned against the simulated tenant; all of
// them together apply, and the tenant then matches.
func TestInitExamples(t *testing.T) {
	t.Chdir(t.TempDir())
	root, _ := os.Getwd()
	dir := filepath.Join(root, "starter")
	if code, out, errOut := run(t, root, "", noColor, "init", "starter", "--workspace", "starter"); code != 0 {
		t.Fatalf("init exited %d:\n%s%s", code, out, errOut)
	}
	src, err := os.ReadFile(filepath.Join(dir, "main.exo.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	examples := parseInitExamples(t, lines)
	var titles []string
	for _, ex := range examples {
		titles = append(titles, ex.title)
		if len(ex.declares) == 0 {
			t.Errorf("example %q declares no resource", ex.title)
		}
	}
	wantTitles := []string{
		"SMTP relay: an inbound connector for a product's relay servers",
		"SMTP AUTH on one mailbox",
		"A shared mailbox, with FullAccess and Send-As",
		"An app registration with full_access_as_app, admin consent and a client secret",
		"Scope the app to some mailboxes",
		"OAuth consent for a vendor's app",
		"A transport rule that deletes read receipts",
		"Security defaults",
	}
	if diff := cmp.Diff(wantTitles, titles); diff != "" {
		t.Fatalf("examples (-want +got):\n%s", diff)
	}

	check := func(t *testing.T, name, config string, apply bool) {
		t.Helper()
		d := filepath.Join(root, name)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "main.exo.hcl"), []byte(config), 0o644); err != nil {
			t.Fatal(err)
		}
		steps := [][]string{{"fmt", "--check"}, {"validate"}, {"plan", "--sim", "--detailed-exitcode"}}
		if apply {
			steps = append(steps, []string{"apply", "--sim", "--auto-approve"}, []string{"plan", "--sim", "--detailed-exitcode"})
		}
		for i, args := range steps {
			code, out, errOut := run(t, d, "", noColor, args...)
			ok := code == 0
			switch {
			case args[0] == "plan" && i < 3:
				ok = code == 2 || code == 0 && name == "Security-defaults" // the simulated tenant has them on already
			case args[0] == "plan":
				ok = code == 0 // converged
			}
			if !ok {
				t.Fatalf("%s exited %d:\n%s\n%s\nconfiguration:\n%s", strings.Join(args, " "), code, out, errOut, config)
			}
		}
	}
	for _, ex := range examples {
		name := strings.NewReplacer(" ", "-", ":", "", ",", "", "'", "").Replace(ex.title)
		t.Run(name, func(t *testing.T) {
			check(t, name, uncomment(lines, withRequired(lines, examples, ex)), false)
		})
	}
	t.Run("all", func(t *testing.T) {
		check(t, "all", uncomment(lines, examples), true)
		if _, err := os.Stat(filepath.Join(root, "all", "ews-app-secret.txt")); err != nil {
			t.Errorf("apply wrote no client secret to the example's value_file: %v", err)
		}
	})
}

// TestInitWrites: init writes the configuration, the .gitignore and the next steps, and the
// configuration plans and converges against the simulated tenant.
func TestInitWrites(t *testing.T) {
	t.Chdir(t.TempDir())
	root, _ := os.Getwd()
	code, out, errOut := run(t, root, "", noColor, "init", "mail config")
	if code != 0 {
		t.Fatalf("init exited %d: %s", code, errOut)
	}
	golden.Assert(t, filepath.Join(pkgDir, "testdata", "init", "next-steps.golden"), out)
	dir := filepath.Join(root, "mail config")
	src, err := os.ReadFile(filepath.Join(dir, "main.exo.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"workspace = \"mail-config\"", "default     = \"contoso.onmicrosoft.com\""} {
		if !strings.Contains(string(src), want) {
			t.Errorf("main.exo.hcl lacks %q", want)
		}
	}
	ignore, err := os.ReadFile(filepath.Join(dir, ".gitignore"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".exoform/", "*.plan", "*-secret.txt"} {
		if !slices.Contains(strings.Split(string(ignore), "\n"), want) {
			t.Errorf(".gitignore lacks the line %q:\n%s", want, ignore)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("init left %d files in the directory, want 2 (no temporary files)", len(entries))
	}
	if code, out, errOut := run(t, dir, "", noColor, "plan", "--sim", "--detailed-exitcode"); code != 0 {
		t.Errorf("plan of the starter configuration exited %d:\n%s%s", code, out, errOut)
	}
}

// TestInitRefuses: init never overwrites, and says what is wrong and what to do.
func TestInitRefuses(t *testing.T) {
	t.Chdir(t.TempDir())
	root, _ := os.Getwd()
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("taken/relay.exo.hcl", "# mine\n")
	write("taken/other.exo.hcl", "# mine too\n")
	write("afile", "x")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"configuration present", []string{"init", "taken"}, "taken already holds a configuration (other.exo.hcl, relay.exo.hcl); exoform init never overwrites one. Edit those files, or run exoform init NEWDIR"},
		{"a file", []string{"init", "afile"}, "afile is a file, not a directory"},
		{"bad workspace", []string{"init", "new", "--workspace", "no spaces"}, `--workspace "no spaces" is not a workspace name`},
		{"bad tenant", []string{"init", "new", "--tenant", "not a tenant"}, `--tenant "not a tenant" is not a tenant: give its GUID or its initial domain`},
		{"unusable directory name", []string{"init", "邮件"}, `cannot make a workspace name of the directory name "邮件": give one with --workspace NAME`},
		{"two directories", []string{"init", "a", "b"}, "accepts at most 1 arg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, root, "", noColor, tt.args...)
			if code != 1 || !strings.Contains(errOut, tt.want) {
				t.Errorf("%v: exit %d, stderr %q; want 1 and %q", tt.args, code, errOut, tt.want)
			}
			if out != "" {
				t.Errorf("%v printed %q", tt.args, out)
			}
		})
	}
	for _, f := range []string{"taken/relay.exo.hcl", "taken/other.exo.hcl", "afile"} {
		if b, _ := os.ReadFile(filepath.Join(root, f)); len(b) == 0 || strings.Contains(string(b), "exoform {") {
			t.Errorf("%s was overwritten: %q", f, b)
		}
	}
	for _, d := range []string{"new", "邮件"} {
		if _, err := os.Stat(filepath.Join(root, d)); err == nil {
			t.Errorf("a refused init created %s", d)
		}
	}

	// A repository with its own .gitignore keeps it; init says which lines it needs.
	write("repo/.gitignore", "node_modules/\n.exoform/\n")
	code, out, errOut := run(t, filepath.Join(root, "repo"), "", noColor, "init", "--workspace", "mail")
	if code != 0 {
		t.Fatalf("init into a repository exited %d: %s", code, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "repo", ".gitignore")); string(b) != "node_modules/\n.exoform/\n" {
		t.Errorf(".gitignore was changed: %q", b)
	}
	if want := ".gitignore    exists and was left as it is; add these lines to it: *.plan *-secret.txt"; !strings.Contains(out, want) {
		t.Errorf("init output lacks %q:\n%s", want, out)
	}
}

// pkgDir is the package directory, where the test binary starts: Main changes the working
// directory of the tests that run it.
var pkgDir, _ = os.Getwd()

var noColor = map[string]string{"NO_COLOR": "1"}
