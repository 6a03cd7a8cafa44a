package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// allowDeletes is the --allow-deletes flag of plan and apply.
type allowDeletes struct {
	n   int
	cmd *cobra.Command
}

func (d *allowDeletes) add(cmd *cobra.Command) {
	d.cmd = cmd
	cmd.Flags().IntVar(&d.n, "allow-deletes", 0, "accept a plan that deletes up to `N` objects, more than the configuration's max_deletes allows (the plan says how many it deletes)")
}

// value is the flag's number, or -1 when it was not given (0 is a limit: no deletes at all).
func (d *allowDeletes) value() (int, error) {
	if d.cmd == nil || !d.cmd.Flags().Changed("allow-deletes") {
		return -1, nil
	}
	if d.n < 0 {
		return 0, fmt.Errorf("--allow-deletes must be 0 or more")
	}
	return d.n, nil
}
