package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func (a *app) validateCmd() *cobra.Command {
	var v varFlags
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check the configuration without contacting the tenant",
		Long: `validate checks the *.exo.hcl files offline: syntax, types, required attributes,
the value rules Exchange and Entra enforce, and references. It never contacts a tenant.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ev, warnings, err := a.load(v)
			if err != nil {
				return err
			}
			a.printDiags(warnings)
			fmt.Fprintf(a.io.Out, "The configuration is valid: %d object(s) in workspace %q.\n", len(ev.Instances), ev.Workspace)
			return nil
		},
	}
	v.add(cmd)
	return cmd
}
