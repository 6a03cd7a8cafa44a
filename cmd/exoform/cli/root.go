package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/exoform/exoform/plan/render"
	"github.com/exoform/exoform/schema/diag"
)

// devVersion is Version when neither the build flags nor the module version say more.
const devVersion = "0.1.0-dev"

// Version is set at build time with -ldflags "-X github.com/exoform/exoform/cmd/exoform/cli.Version=v1.2.3";
// otherwise it is the module version "go install github.com/exoform/exoform/cmd/exoform@v1.2.3"
// records, so that the workflows' pinned install reports what it installed.
var Version = buildVersion(devVersion, readBuildInfo)

var readBuildInfo = debug.ReadBuildInfo

func buildVersion(v string, read func() (*debug.BuildInfo, bool)) string {
	if v != devVersion {
		return v
	}
	if bi, ok := read(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return v
}

// defaultSimState is where --sim keeps its tenant, relative to the working directory.
const defaultSimState = ".exoform/sim-tenant.json"

type app struct {
	io      IO
	chdir   string
	noColor bool
	sim     string // state file of the in-process simulated tenant; "" when --sim is not given
	cloud   string
	files   map[string]*hcl.File // for source lines in diagnostics
	stats   bool                 // --stats: print the requests sent when the session closes
}

// Main runs exoform with args and returns the exit code.
func Main(args []string, io IO) (code int) {
	a := &app{io: io}
	// A bug must never look like "changes present" (exit 2) to a pipeline.
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(io.Err, "Error: internal error in exoform %s: %v\n%s\nPlease report this with the command and configuration that caused it.\n", Version, r, debug.Stack())
			code = exitError
		}
	}()
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.Err)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := root.ExecuteContext(ctx)
	return a.exitCode(err)
}

func (a *app) exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ec exitCodeError
	if errors.As(err, &ec) {
		return ec.code
	}
	var ds diag.Diagnostics
	if errors.As(err, &ds) {
		a.printDiags(ds)
		return exitError
	}
	fmt.Fprintf(a.io.Err, "%s %s\n", a.style(a.io.StderrTTY).Paint("Error:"), err)
	return exitError
}

func (a *app) style(tty bool) render.Style {
	return render.Style{Color: tty && !a.noColor && a.io.Getenv("NO_COLOR") == ""}
}

func (a *app) printDiags(ds diag.Diagnostics) {
	render.Diagnostics(a.io.Err, ds, a.files, a.style(a.io.StderrTTY))
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "exoform",
		Short: "Keep a Microsoft 365 tenant's mail configuration as code",
		Long: `exoform keeps the mail configuration of a Microsoft 365 tenant as code.

*.exo.hcl files declare connectors, rules, mailboxes, app registrations and their
permissions; "exoform plan" shows how the live tenant differs, and "exoform apply"
makes it match. Add --sim to try everything against a local simulated tenant.`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		PersistentPreRunE: a.setup,
	}
	f := root.PersistentFlags()
	f.StringVar(&a.chdir, "chdir", "", "switch to `DIR` before doing anything else")
	f.BoolVar(&a.noColor, "no-color", false, "never colour the output (NO_COLOR is honoured too)")
	f.StringVar(&a.sim, "sim", "", "run against a simulated tenant kept in `STATEFILE` (default "+defaultSimState+")")
	f.Lookup("sim").NoOptDefVal = defaultSimState
	f.StringVar(&a.cloud, "cloud", "", "the Microsoft cloud (public, usgov, usgov-dod, china) or a `FILE` written by \"exoform sim serve\" (also EXOFORM_CLOUD)")
	planCmd, applyCmd, exportCmd := a.planCmd(), a.applyCmd(), a.exportCmd()
	for _, c := range []*cobra.Command{planCmd, applyCmd, exportCmd} {
		a.addStatsFlag(c)
	}
	root.AddCommand(a.versionCmd(), a.fmtCmd(), a.validateCmd(), planCmd, applyCmd, a.showCmd(), a.simCmd(), exportCmd, a.schemaCmd(), a.initCmd())
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%w\nRun %q for the flags this command takes.", err, c.CommandPath()+" --help")
	})
	return root
}

func (a *app) setup(cmd *cobra.Command, _ []string) error {
	if a.chdir != "" {
		if err := os.Chdir(a.chdir); err != nil {
			return fmt.Errorf("--chdir: %w", err)
		}
	}
	if a.sim != "" && a.cloud != "" {
		return errors.New("--sim and --cloud both choose where to connect; give one of them")
	}
	if a.sim != "" {
		abs, err := filepath.Abs(a.sim)
		if err != nil {
			return err
		}
		a.sim = abs
	}
	return nil
}

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the exoform version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(a.io.Out, "exoform %s\n", Version)
			return nil
		},
	}
}
