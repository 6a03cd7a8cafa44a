package cli

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/template"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/spf13/cobra"
	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/schema"
)

// initFiles holds what exoform init writes: the starter configuration (a template of the
// workspace and tenant) and the .gitignore.
//
//go:embed initdata/main.exo.hcl.tmpl initdata/gitignore
var initFiles embed.FS

// initDefaultTenant is the tenant a starter configuration names when --tenant is not given:
// the simulated tenant's, so that plan --sim works at once.
const initDefaultTenant = "contoso.onmicrosoft.com"

// initIgnored are the .gitignore lines the starter configuration relies on.
var initIgnored = []string{".exoform/", "*.plan", "*-secret.txt"}

type initOptions struct {
	dir, workspace, tenant string
}

func (a *app) initCmd() *cobra.Command {
	var o initOptions
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write a starter configuration into an empty directory",
		Long: `init writes a starter configuration into DIR (default: the working directory), which
must not hold *.exo.hcl files yet: main.exo.hcl with the workspace, the tenant and a
commented example for each common setup, and a .gitignore for exoform's local files.
No file is ever overwritten.

The workspace name defaults to the directory's name; the tenant to the simulated tenant's,
contoso.onmicrosoft.com, so that "exoform plan --sim" works at once.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.dir = "."
			if len(args) == 1 {
				o.dir = args[0]
			}
			return a.runInit(o)
		},
	}
	cmd.Flags().StringVar(&o.workspace, "workspace", "", "the workspace `NAME` (default: the directory's name)")
	cmd.Flags().StringVar(&o.tenant, "tenant", initDefaultTenant, "the tenant `ID`: its GUID or initial domain")
	return cmd
}

func (a *app) runInit(o initOptions) error {
	abs, err := filepath.Abs(o.dir)
	if err != nil {
		return err
	}
	ws, err := initWorkspace(o.workspace, abs)
	if err != nil {
		return err
	}
	if !schema.ValidTenant(o.tenant) {
		return fmt.Errorf("--tenant %q is not a tenant: give its GUID or its initial domain, such as contoso.onmicrosoft.com", o.tenant)
	}
	if err := checkInitDir(o.dir); err != nil {
		return err
	}
	config, err := renderInitConfig(ws, o.tenant)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", o.dir, err)
	}
	configPath := filepath.Join(o.dir, "main"+schema.FileSuffix)
	if err := writeNewFile(configPath, config); err != nil {
		return fmt.Errorf("writing %s: %w", configPath, err)
	}
	ignore, err := initFiles.ReadFile("initdata/gitignore")
	if err != nil {
		return err
	}
	ignorePath := filepath.Join(o.dir, ".gitignore")
	wroteIgnore, missing := true, []string(nil)
	if err := writeNewFile(ignorePath, ignore); errors.Is(err, fs.ErrExist) {
		// The directory is someone's repository already: leave its .gitignore alone and say
		// what it should hold.
		wroteIgnore = false
		if missing, err = missingIgnores(ignorePath); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	a.initNextSteps(o.dir, ws, wroteIgnore, missing)
	return nil
}

// initWorkspace returns the workspace: the flag's value, which must be valid, or a name made
// from the directory's ("mail config" → "mail-config").
func initWorkspace(flag, absDir string) (string, error) {
	if flag != "" {
		if !schema.WorkspaceRe.MatchString(flag) {
			return "", fmt.Errorf("--workspace %q is not a workspace name: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit, such as contoso-mail", flag)
		}
		return flag, nil
	}
	// workspaceFromDir (export's) falls back to "exported" for a name without a usable
	// character; a new configuration deserves a name the user chose instead.
	ws := workspaceFromDir(absDir)
	if base := filepath.Base(absDir); ws == "exported" && base != ws {
		return "", fmt.Errorf("cannot make a workspace name of the directory name %q: give one with --workspace NAME (letters, digits, '.', '_' or '-')", base)
	}
	return ws, nil
}

// checkInitDir refuses a directory that holds a configuration already, or a path that is a file.
func checkInitDir(dir string) error {
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is a file, not a directory: give exoform init a new or empty directory", dir)
	}
	files, err := configFileNames(dir)
	if err != nil {
		return err
	}
	if len(files) > 0 {
		return fmt.Errorf("%s already holds a configuration (%s); exoform init never overwrites one. Edit those files, or run exoform init NEWDIR to start another configuration",
			dir, strings.Join(files, ", "))
	}
	return nil
}

// renderInitConfig fills the starter configuration's template. Values are written as HCL
// string literals by hclwrite, so that any workspace or tenant stays one valid literal.
func renderInitConfig(workspace, tenant string) ([]byte, error) {
	src, err := initFiles.ReadFile("initdata/main.exo.hcl.tmpl")
	if err != nil {
		return nil, err
	}
	tmpl, err := template.New("main.exo.hcl").Funcs(template.FuncMap{
		"hcl": func(s string) string { return string(hclwrite.TokensForValue(cty.StringVal(s)).Bytes()) },
	}).Option("missingkey=error").Parse(string(src))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := tmpl.Execute(&out, struct{ Workspace, Tenant string }{workspace, tenant}); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// writeNewFile writes data to path atomically and never over an existing file: the data is
// written (atomically) under a temporary name beside it, which is then linked to its name; a
// link fails when the name exists. It returns an error wrapping fs.ErrExist when path exists.
func writeNewFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".exoform-init-*")
	if err != nil {
		return err
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	if err := writeFileAtomic(tmp.Name(), data, 0o644); err != nil {
		return err
	}
	err = os.Link(tmp.Name(), path)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	// A file system without hard links: rename, after checking that the name is free.
	if _, serr := os.Lstat(path); serr == nil {
		return fmt.Errorf("%s: %w", path, fs.ErrExist)
	}
	return os.Rename(tmp.Name(), path)
}

// missingIgnores returns the lines of initIgnored that an existing .gitignore lacks.
func missingIgnores(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var have []string
	for _, l := range strings.Split(string(b), "\n") {
		have = append(have, strings.TrimSpace(l))
	}
	var missing []string
	for _, want := range initIgnored {
		if !slices.Contains(have, want) {
			missing = append(missing, want)
		}
	}
	return missing, nil
}

func (a *app) initNextSteps(dir, ws string, wroteIgnore bool, missing []string) {
	w := a.io.Out
	config, ignore := filepath.Join(dir, "main"+schema.FileSuffix), filepath.Join(dir, ".gitignore")
	width := max(len(config), len(ignore))
	fmt.Fprintf(w, "Wrote a starter configuration for workspace %q:\n", ws)
	fmt.Fprintf(w, "  %-*s  the workspace, the tenant and a commented example for each common setup\n", width, config)
	switch {
	case wroteIgnore:
		fmt.Fprintf(w, "  %-*s  keeps .exoform/ (the simulated tenant), saved plans and secret files out of git\n", width, ignore)
	case len(missing) > 0:
		fmt.Fprintf(w, "  %-*s  exists and was left as it is; add these lines to it: %s\n", width, ignore, strings.Join(missing, " "))
	}
	fmt.Fprintln(w, "\nNext steps:")
	if dir != "." {
		fmt.Fprintf(w, "  cd %s\n", dir)
	}
	fmt.Fprint(w, `  exoform plan --sim      plan against a simulated tenant; no sign-in needed
  exoform apply --sim     apply there; uncomment an example in main.exo.hcl and try again

To use your tenant, set tenant_id in main.exo.hcl and sign in as an app with the
Exchange.ManageAsApp permission and the Exchange Administrator role (examples/bootstrap
creates one): AZURE_CLIENT_ID with AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH or
AZURE_FEDERATED_TOKEN_FILE, or az login. Then run exoform plan.
`)
}
