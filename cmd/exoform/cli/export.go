package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/exoform/exoform/plan/export"
	"github.com/exoform/exoform/providers/azure"
	"github.com/exoform/exoform/schema"
)

type exportOptions struct {
	types       []string
	out         string
	workspace   string
	tenant      string
	parallelism int
}

func (a *app) exportCmd() *cobra.Command {
	o := &exportOptions{}
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write the configuration of a tenant configured by hand",
		Long: `export reads the live tenant and writes *.exo.hcl files declaring what it found:
one resource block per object, named after its key, in one file per type, and main.exo.hcl
with the workspace and the tenant.

Planning the exported configuration against the same tenant shows nothing but adoptions
(exoform writes its ownership marker into each object it will manage); after one apply the
plan is empty.

Left out unless --types names them: types whose objects cannot be read in bulk or whose
values cannot be read back (client secrets), and objects carrying another workspace's
ownership marker.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runExport(cmd.Context(), o) },
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.types, "types", nil, "export only these resource `TYPES` (comma-separated)")
	f.StringVar(&o.out, "out", ".", "write the files into `DIR` (created if missing; must hold no *.exo.hcl yet)")
	f.StringVar(&o.workspace, "workspace", "", "the workspace `NAME` to write (default: the name of the output directory)")
	f.StringVar(&o.tenant, "tenant", "", "the tenant's GUID or initial `DOMAIN` (default: AZURE_TENANT_ID, or the simulated tenant with --sim)")
	f.IntVar(&o.parallelism, "parallelism", 4, "read at most `N` object types at once")
	return cmd
}

func (a *app) runExport(ctx context.Context, o *exportOptions) error {
	if o.parallelism < 1 {
		return fmt.Errorf("--parallelism must be at least 1")
	}
	dir, err := filepath.Abs(o.out)
	if err != nil {
		return err
	}
	ws := o.workspace
	if ws == "" {
		ws = workspaceFromDir(dir)
	}
	if !schema.WorkspaceRe.MatchString(ws) {
		return fmt.Errorf("--workspace %q: a workspace is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", ws)
	}
	if err := checkExportDir(dir); err != nil {
		return err
	}
	tenant := o.tenant
	if tenant == "" {
		tenant = strings.TrimSpace(a.io.Getenv(azure.EnvTenantID))
	}
	if tenant == "" && a.sim == "" {
		return errors.New("no tenant: give --tenant contoso.onmicrosoft.com (or the tenant's GUID), or set AZURE_TENANT_ID")
	}
	s, err := a.connect(ctx, tenant)
	if err != nil {
		return err
	}
	defer s.close()
	progress := a.progressLine()
	res, err := export.Export(ctx, export.Options{
		Registry: s.registry, Types: o.types, Workspace: ws, Tenant: s.tenant,
		Parallelism: o.parallelism, Progress: progress.show,
	})
	progress.clear()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	names := make([]string, 0, len(res.Files))
	for n := range res.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := writeFileAtomic(filepath.Join(dir, n), res.Files[n], 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", n, err)
		}
	}
	a.exportSummary(o.out, ws, res, names)
	return nil
}

// workspaceFromDir makes a workspace name of a directory's name ("mail config" → "mail-config").
func workspaceFromDir(dir string) string {
	var b strings.Builder
	for _, r := range filepath.Base(dir) {
		switch {
		case r < 128 && (r == '.' || r == '_' || r == '-' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'):
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	ws := strings.TrimLeft(b.String(), "._-")
	if len(ws) > 64 {
		ws = ws[:64]
	}
	if ws == "" {
		return "exported"
	}
	return ws
}

// checkExportDir refuses a directory that already holds a configuration: exported blocks
// beside declared ones would declare objects twice.
func checkExportDir(dir string) error {
	files, err := configFileNames(dir)
	if err != nil {
		return err
	}
	if len(files) > 0 {
		return fmt.Errorf("%s already holds a configuration (%s). Export into an empty directory with --out DIR, then move what you need", dir, strings.Join(files, ", "))
	}
	return nil
}

// configFileNames lists the names of the configuration files in dir; none when dir does not
// exist yet.
func configFileNames(dir string) ([]string, error) {
	files, err := schema.ConfigFiles(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	for i, f := range files {
		files[i] = filepath.Base(f)
	}
	return files, err
}

func (a *app) exportSummary(out, ws string, res *export.Result, files []string) {
	w := a.io.Out
	total := 0
	for _, t := range res.Types {
		total += t.Exported
	}
	fmt.Fprintf(w, "Exported %d object(s) of workspace %q to %s:\n", total, ws, out)
	for _, t := range res.Types {
		line := fmt.Sprintf("  %-38s %5d", t.Type, t.Exported)
		var notes []string
		if t.Omitted > 0 {
			notes = append(notes, fmt.Sprintf("%d left out by the type's rules", t.Omitted))
		}
		if t.OtherWorkspaces > 0 {
			notes = append(notes, fmt.Sprintf("%d owned by other workspaces", t.OtherWorkspaces))
		}
		if len(notes) > 0 {
			line += "  (" + strings.Join(notes, "; ") + ")"
		} else if t.Exported == 0 {
			continue // nothing of the type in the tenant
		}
		fmt.Fprintln(w, line)
	}
	if len(res.Skipped) > 0 {
		fmt.Fprintf(w, "Not exported:\n")
		for _, s := range res.Skipped {
			fmt.Fprintf(w, "  %s: %s\n", s.Type, s.Reason)
		}
	}
	fmt.Fprintf(w, "Files: %s\n", strings.Join(files, ", "))
	fmt.Fprintf(w, "Next: review the files, then run \"exoform plan\" there: it shows each object as an adoption and nothing else.\n")
}

// progressLine shows what is being read on one line of standard error, and only on a
// terminal: in CI logs a line rewritten in place is noise.
type progressLine struct {
	a     *app
	shown bool
}

func (a *app) progressLine() *progressLine { return &progressLine{a: a} }

func (p *progressLine) show(pr export.Progress) {
	if !p.a.io.StderrTTY {
		return
	}
	what := strings.Join(pr.Reading, ", ")
	if len(what) > 50 {
		what = what[:47] + "..."
	}
	fmt.Fprintf(p.a.io.Err, "\r\x1b[KReading %d of %d types… %s", min(pr.Done+1, pr.Total), pr.Total, what)
	p.shown = true
}

func (p *progressLine) clear() {
	if p.shown {
		fmt.Fprint(p.a.io.Err, "\r\x1b[K")
	}
}
