package cli

// The GitHub Actions workflows and actions of the examples (examples/*/workflows/*.yml,
// examples/*/actions/*/action.yml) are held to actionlint, and every exoform command line in
// their run: steps is parsed by the real command tree, so that they cannot drift from the CLI.
// The test is in package cli for rootCmd: no hook is exported for it.

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mattn/go-shellwords"
	"github.com/rhysd/actionlint"
	"go.yaml.in/yaml/v4"
)

// ciFile is a workflow or a composite action of an example, laid out as a repository that
// copied the example's directories into .github/ would hold it.
type ciFile struct {
	src  string // the file in examples/
	dest string // its path below the repository root: .github/workflows/X.yml, .github/actions/N/action.yml
}

// exampleCIFiles lists the examples' workflows and actions.
func exampleCIFiles(t *testing.T, examples string) []ciFile {
	t.Helper()
	var files []ciFile
	seen := map[string]string{}
	add := func(pattern string, dest func(string) string) {
		paths, err := filepath.Glob(filepath.Join(examples, pattern))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			d := dest(p)
			if other, ok := seen[d]; ok {
				t.Fatalf("%s and %s would both be copied to %s: rename one", other, p, d)
			}
			seen[d] = p
			files = append(files, ciFile{src: p, dest: d})
		}
	}
	add("*/workflows/*.yml", func(p string) string { return ".github/workflows/" + filepath.Base(p) })
	add("*/actions/*/action.yml", func(p string) string {
		return ".github/actions/" + filepath.Base(filepath.Dir(p)) + "/action.yml"
	})
	return files
}

// ciProblem is one finding, located in the example's file.
type ciProblem struct {
	File string
	Line int
	Text string
}

func (p ciProblem) String() string {
	if p.Line == 0 {
		return p.File + ": " + p.Text
	}
	return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Text)
}

// lintCI lays the files out as a repository in a temporary directory and runs actionlint on
// every workflow, and on each composite action as a workflow_dispatch workflow with the same
// inputs and steps (actionlint checks the inputs a workflow passes to a local action, but not
// the action's own steps). shellcheck and pyflakes are never run, so the result does not
// depend on what is installed.
func lintCI(t *testing.T, files []ciFile) []ciProblem {
	t.Helper()
	root := t.TempDir()
	// actionlint finds the repository by .git and .github/workflows.
	for _, d := range []string{".git", ".github/workflows"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		b, err := os.ReadFile(f.src)
		if err != nil {
			t.Fatal(err)
		}
		dest := filepath.Join(root, filepath.FromSlash(f.dest))
		if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dest, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	proj, err := actionlint.NewProject(root)
	if err != nil {
		t.Fatal(err)
	}
	linter, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{WorkingDir: root})
	if err != nil {
		t.Fatal(err)
	}
	var problems []ciProblem
	for _, f := range files {
		path := filepath.Join(root, filepath.FromSlash(f.dest))
		src, _ := os.ReadFile(path)
		var errs []*actionlint.Error
		if strings.HasPrefix(f.dest, ".github/workflows/") {
			errs, err = linter.LintFile(path, proj)
		} else {
			var wf []byte
			if wf, err = actionAsWorkflow(src); err == nil {
				src = wf
				errs, err = linter.Lint(path, wf, proj)
			}
		}
		if err != nil {
			problems = append(problems, ciProblem{File: f.src, Text: err.Error()})
			continue
		}
		for _, e := range errs {
			text := e.Message + " [" + e.Kind + "]"
			if !strings.HasPrefix(f.dest, ".github/workflows/") {
				// Lines of the generated workflow: quote the line instead.
				text += " in: " + strings.TrimSpace(lineOf(src, e.Line))
				e.Line = 0
			}
			problems = append(problems, ciProblem{File: f.src, Line: e.Line, Text: text})
		}
		problems = append(problems, missingLocalActions(f, src, root)...)
	}
	return problems
}

// actionAsWorkflow turns a composite action into a workflow that actionlint can check: its
// inputs become workflow_dispatch inputs, so ${{ inputs.x }} means the same, and its steps
// become the steps of one job.
func actionAsWorkflow(src []byte) ([]byte, error) {
	var meta struct {
		Inputs map[string]map[string]any `yaml:"inputs"`
		Runs   struct {
			Using string `yaml:"using"`
			Steps []any  `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(src, &meta); err != nil {
		return nil, fmt.Errorf("action.yml: %w", err)
	}
	if meta.Runs.Using != "composite" || len(meta.Runs.Steps) == 0 {
		return nil, fmt.Errorf("action.yml: want a composite action with steps, got runs.using %q", meta.Runs.Using)
	}
	inputs := map[string]any{}
	for name, in := range meta.Inputs {
		w := map[string]any{"type": "string"}
		for _, k := range []string{"description", "required", "default"} {
			if v, ok := in[k]; ok {
				w[k] = v
			}
		}
		inputs[name] = w
	}
	return yaml.Marshal(map[string]any{
		"on":   map[string]any{"workflow_dispatch": map[string]any{"inputs": inputs}},
		"jobs": map[string]any{"action": map[string]any{"runs-on": "ubuntu-latest", "steps": meta.Runs.Steps}},
	})
}

var localUses = regexp.MustCompile(`(?m)^\s*(?:-\s+)?uses:\s*(\./\S+)`)

// missingLocalActions reports "uses: ./..." that name no action of the examples: actionlint
// passes over a local action it cannot find, since it may be checked out by an earlier step.
func missingLocalActions(f ciFile, src []byte, root string) []ciProblem {
	var out []ciProblem
	for _, m := range localUses.FindAllSubmatch(src, -1) {
		dir := filepath.Join(root, filepath.FromSlash(string(m[1])))
		if _, err := os.Stat(filepath.Join(dir, "action.yml")); err != nil {
			out = append(out, ciProblem{File: f.src, Text: fmt.Sprintf("uses %s, which no example provides as %s/action.yml", m[1], m[1])})
		}
	}
	return out
}

func lineOf(src []byte, n int) string {
	lines := strings.Split(string(src), "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	return lines[n-1]
}

// runScripts returns the run: scripts of a workflow, with the line each starts on.
func runScripts(src []byte) (map[int]string, error) {
	wf, errs := actionlint.Parse(src)
	if len(errs) > 0 {
		return nil, errs[0]
	}
	scripts := map[int]string{}
	for _, job := range wf.Jobs {
		for _, step := range job.Steps {
			if run, ok := step.Exec.(*actionlint.ExecRun); ok && run.Run != nil {
				scripts[run.Run.Pos.Line] = run.Run.Value
			}
		}
	}
	return scripts, nil
}

// shellCommand matches a line that runs exoform, to tell a line the parser cannot read but
// must from one that only mentions exoform in a message.
var shellCommand = regexp.MustCompile(`(^|[\s;&|(!{])exoform\s+-{0,2}[a-z]`)

// exoformCommands returns the arguments of every exoform command in a shell script: each
// simple command of each line (after joining continuation lines) whose first word, past
// keywords such as if and ! and variable assignments, is exoform. Redirections and their
// targets are not arguments.
func exoformCommands(script string) ([][]string, error) {
	var out [][]string
	script = strings.ReplaceAll(script, "\\\n", " ")
	for _, line := range strings.Split(script, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cmds, err := simpleCommands(line)
		if err != nil {
			if shellCommand.MatchString(line) {
				return nil, fmt.Errorf("cannot read %q: %v", line, err)
			}
			continue
		}
		for _, args := range cmds {
			if len(args) > 0 && args[0] == "exoform" {
				out = append(out, args[1:])
			}
		}
	}
	return out, nil
}

var shellKeywords = []string{"if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"}
var assignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// simpleCommands splits one shell line at ;, &&, ||, | and & into its simple commands' words,
// dropping redirections with their targets and leading keywords and assignments.
func simpleCommands(line string) ([][]string, error) {
	var cmds [][]string
	skipTarget := false
	for rest := line; strings.TrimSpace(rest) != ""; {
		p := shellwords.NewParser()
		args, err := p.Parse(rest)
		if err != nil {
			return nil, err
		}
		if skipTarget && len(args) > 0 {
			args = args[1:]
		}
		for len(args) > 0 && (slices.Contains(shellKeywords, args[0]) || assignment.MatchString(args[0])) {
			args = args[1:]
		}
		if len(args) > 0 {
			cmds = append(cmds, args)
		}
		if p.Position < 0 {
			break
		}
		// The parser stops at the operator, or at the file descriptor before a redirection (2>).
		rest = strings.TrimLeft(rest[p.Position:], "0123456789")
		op := rest[:len(rest)-len(strings.TrimLeft(rest, ";&|<>"))]
		if op == "" {
			return nil, fmt.Errorf("no operator where the parser stopped: %q", rest)
		}
		rest = rest[len(op):]
		skipTarget = strings.ContainsAny(op, "<>")
	}
	return cmds, nil
}

// checkCommand parses args as the real exoform command line would, without running it: the
// command must exist and be runnable, its flags must exist and take their values, its
// positional arguments must fit, and a --format must be one exoform knows.
func checkCommand(args []string) error {
	a := &app{io: IO{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard, Getenv: func(string) string { return "" }}}
	root := a.rootCmd()
	cmd, rest, err := root.Find(args)
	if err != nil {
		return err
	}
	if cmd == root || !cmd.Runnable() {
		return fmt.Errorf("%q is not an exoform command", cmd.CommandPath())
	}
	if err := cmd.ParseFlags(rest); err != nil {
		return fmt.Errorf("%s: %w", cmd.CommandPath(), err)
	}
	if err := cmd.ValidateArgs(cmd.Flags().Args()); err != nil {
		return fmt.Errorf("%s: %w", cmd.CommandPath(), err)
	}
	if f := cmd.Flags().Lookup("format"); f != nil {
		if err := checkFormat(f.Value.String()); err != nil {
			return fmt.Errorf("%s: %w", cmd.CommandPath(), err)
		}
	}
	return nil
}

// checkCICommands checks every exoform command of the files' run: steps and returns them,
// each as its words joined by spaces, by file.
func checkCICommands(t *testing.T, files []ciFile) (map[string][]string, []ciProblem) {
	t.Helper()
	commands := map[string][]string{}
	var problems []ciProblem
	for _, f := range files {
		src, err := os.ReadFile(f.src)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(f.dest, ".github/workflows/") {
			if src, err = actionAsWorkflow(src); err != nil {
				problems = append(problems, ciProblem{File: f.src, Text: err.Error()})
				continue
			}
		}
		scripts, err := runScripts(src)
		if err != nil {
			problems = append(problems, ciProblem{File: f.src, Text: err.Error()})
			continue
		}
		for line, script := range scripts {
			cmds, err := exoformCommands(script)
			if err != nil {
				problems = append(problems, ciProblem{File: f.src, Line: line, Text: err.Error()})
				continue
			}
			for _, args := range cmds {
				if err := checkCommand(args); err != nil {
					problems = append(problems, ciProblem{File: f.src, Line: line, Text: fmt.Sprintf("exoform %s: %v", strings.Join(args, " "), err)})
				}
				commands[f.src] = append(commands[f.src], "exoform "+strings.Join(args, " "))
			}
		}
	}
	return commands, problems
}

func examplesDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestExampleWorkflows holds the examples' workflows and actions to actionlint and their
// exoform commands to the CLI, and checks that each example's README shows every exoform
// command its workflows run.
func TestExampleWorkflows(t *testing.T) {
	examples := examplesDir(t)
	files := exampleCIFiles(t, examples)
	var workflows int
	for _, f := range files {
		if strings.HasPrefix(f.dest, ".github/workflows/") {
			workflows++
		}
	}
	if workflows < 4 {
		t.Fatalf("found %d workflows under %s/*/workflows, want the plan, apply, drift and many-tenants ones", workflows, examples)
	}
	for _, p := range lintCI(t, files) {
		t.Errorf("actionlint: %s", p)
	}
	commands, problems := checkCICommands(t, files)
	for _, p := range problems {
		t.Error(p)
	}
	for _, f := range files {
		if strings.HasPrefix(f.dest, ".github/workflows/") && len(commands[f.src]) == 0 {
			t.Errorf("%s runs no exoform command that the test could find", f.src)
		}
	}

	// Each README shows the commands its workflows run, word for word.
	byExample := map[string][]string{}
	for src, cmds := range commands {
		rel, err := filepath.Rel(examples, src)
		if err != nil {
			t.Fatal(err)
		}
		ex := filepath.Join(examples, strings.SplitN(filepath.ToSlash(rel), "/", 2)[0])
		byExample[ex] = append(byExample[ex], cmds...)
	}
	for ex, want := range byExample {
		readme, err := os.ReadFile(filepath.Join(ex, "README.md"))
		if err != nil {
			t.Errorf("%s: %v", ex, err)
			continue
		}
		var shown []string
		for _, block := range codeBlocks(string(readme)) {
			cmds, err := exoformCommands(block)
			if err != nil {
				t.Errorf("%s/README.md: %v", ex, err)
			}
			for _, args := range cmds {
				shown = append(shown, "exoform "+strings.Join(args, " "))
			}
		}
		var missing []string
		for _, c := range want {
			if !slices.Contains(shown, c) && !slices.Contains(missing, c) {
				missing = append(missing, c)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("%s/README.md does not show these commands of its workflows:\n  %s", ex, strings.Join(missing, "\n  "))
		}
	}
}

// TestReadmeShowsWorkflowCommands: the README's "Running in CI" section shows, word for word,
// every exoform command the example workflows run, so a reader sees exactly what CI does.
func TestReadmeShowsWorkflowCommands(t *testing.T) {
	examples := examplesDir(t)
	commands, _ := checkCICommands(t, exampleCIFiles(t, examples))
	readme, err := os.ReadFile(filepath.Join(examples, "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	// Commands in code blocks and in code spans (the table), pipes unescaped.
	var shown []string
	spans := append(codeBlocks(string(readme)), codeSpan.FindAllString(string(readme), -1)...)
	for _, code := range spans {
		code = strings.ReplaceAll(strings.Trim(code, "`"), `\|`, "|")
		cmds, err := exoformCommands(code)
		if err != nil {
			continue // prose in backticks, not a command line
		}
		for _, args := range cmds {
			shown = append(shown, "exoform "+strings.Join(args, " "))
		}
	}
	var missing []string
	for _, cmds := range commands {
		for _, c := range cmds {
			if !slices.Contains(shown, c) && !slices.Contains(missing, c) {
				missing = append(missing, c)
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("README.md does not show these commands of the example workflows:\n  %s", strings.Join(missing, "\n  "))
	}
}

var codeSpan = regexp.MustCompile("`[^`\n]+`")

var fence = regexp.MustCompile("(?ms)^```[a-z]*\n(.*?)^```")

func codeBlocks(md string) []string {
	var out []string
	for _, m := range fence.FindAllStringSubmatch(md, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestExampleWorkflows_catchErrors shows that the checks above fail on broken workflows: the
// examples passing them means something.
func TestExampleWorkflows_catchErrors(t *testing.T) {
	const action = `name: Set up
description: d
inputs:
  client-id:
    description: d
    required: true
runs:
  using: composite
  steps:
    - shell: bash
      run: echo "${{ inputs.client-id }}"
`
	tests := map[string]struct {
		workflow string
		action   string
		want     string // in a problem's text
	}{
		"bad expression": {
			workflow: "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope( }}\n",
			want:     "[expression]",
		},
		"unknown input of a known action": {
			workflow: "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          persist-credential: false\n",
			want:     `input "persist-credential" is not defined`,
		},
		"unknown input of a local action": {
			workflow: "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: ./.github/actions/setup\n        with:\n          client: x\n",
			action:   action,
			want:     `input "client" is not defined`,
		},
		"missing local action": {
			workflow: "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/actions/nowhere\n",
			want:     "which no example provides",
		},
		"bad expression in an action": {
			workflow: "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/actions/setup\n        with:\n          client-id: x\n",
			action:   strings.Replace(action, "inputs.client-id", "inputs.client", 1),
			want:     `property "client" is not defined`,
		},
		"unknown exoform flag": {
			workflow: "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: exoform plan --output exoform.plan > plan.md\n",
			want:     "unknown flag: --output",
		},
		"unknown exoform command": {
			workflow: "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          if ! exoform plna; then exit 1; fi\n",
			want:     `unknown command "plna"`,
		},
		"unknown format": {
			workflow: "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: exoform plan --format html\n",
			want:     `--format "html"`,
		},
		"too many arguments": {
			workflow: "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          exoform apply \\\n            a.plan b.plan 2>&1 | tee apply.log\n",
			want:     "accepts at most 1 arg",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			files := []ciFile{{src: filepath.Join(dir, "w.yml"), dest: ".github/workflows/w.yml"}}
			if err := os.WriteFile(files[0].src, []byte(tc.workflow), 0o644); err != nil {
				t.Fatal(err)
			}
			if tc.action != "" {
				files = append(files, ciFile{src: filepath.Join(dir, "action.yml"), dest: ".github/actions/setup/action.yml"})
				if err := os.WriteFile(files[1].src, []byte(tc.action), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			problems := lintCI(t, files)
			_, more := checkCICommands(t, files)
			problems = append(problems, more...)
			var texts []string
			for _, p := range problems {
				if strings.Contains(p.Text, tc.want) {
					return
				}
				texts = append(texts, p.String())
			}
			t.Errorf("no problem mentions %q; got:\n%s", tc.want, strings.Join(texts, "\n"))
		})
	}
}

func TestExoformCommands(t *testing.T) {
	tests := map[string]struct {
		script string
		want   [][]string
	}{
		"redirect":             {"exoform plan --out exoform.plan --format markdown > exoform-plan.md\n", [][]string{{"plan", "--out", "exoform.plan", "--format", "markdown"}}},
		"pipe":                 {"exoform apply exoform.plan 2>&1 | tee exoform-apply.log\n", [][]string{{"apply", "exoform.plan"}}},
		"continuation":         {"exoform plan \\\n  --detailed-exitcode\n", [][]string{{"plan", "--detailed-exitcode"}}},
		"quoted":               {`exoform plan --var-file "../tenants/${TENANT}.exovars.hcl" --out "${TENANT}.plan"`, [][]string{{"plan", "--var-file", "../tenants/${TENANT}.exovars.hcl", "--out", "${TENANT}.plan"}}},
		"keywords":             {"if ! exoform plan; then exit 1; fi\nX=1 exoform version\n", [][]string{{"plan"}, {"version"}}},
		"and":                  {"set +e && exoform show a.plan\n", [][]string{{"show", "a.plan"}}},
		"message":              {"echo \"::error::run exoform plan again\"\n# exoform plan in a comment\n", nil},
		"target named exoform": {"cat x > exoform\n", nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := exoformCommands(tc.script)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("exoformCommands(%q) mismatch (-want +got):\n%s", tc.script, diff)
			}
		})
	}
}
