package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/plan/script"
)

func (a *app) showCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "show PLANFILE",
		Short: "Show a saved plan",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			f, err := os.Open(args[0])
			if err != nil {
				return fmt.Errorf("reading the plan: %w", err)
			}
			defer f.Close()
			reg := registry(nil, nil)
			pl, _, err := plan.Read(f, reg)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if err := (&plan.Planner{Registry: reg}).Verify(pl); err != nil {
				return fmt.Errorf("%s is not a plan exoform made: %w", args[0], err)
			}
			return a.renderPlan(pl, reg, format, script.Source{Version: Version, Plan: filepath.Base(args[0])})
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output `FORMAT`: text, json, markdown or powershell")
	return cmd
}
