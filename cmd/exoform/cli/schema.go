package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/exoform/exoform/internal/docgen"
)

func (a *app) schemaCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "schema [TYPE...]",
		Short: "Describe the resource types and data sources, for people, editors and tools",
		Long: `schema prints what docs/resources and docs/data-sources say about every resource
type and data source (or the TYPEs named): attributes and their rules, keys, ownership
and what is never deleted, the cmdlets and Graph requests each sends, and an example.
--format json is the form for editors and tools, described in docs/schema-json.md; its
format_version changes only when a field changes meaning or is removed. It never
contacts a tenant.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return fmt.Errorf("--format %q: use text or json", format)
			}
			ref, err := docgen.Build(registry(nil, nil))
			if err != nil {
				return err
			}
			if ref, err = ref.Select(args); err != nil {
				return err
			}
			if format == "text" {
				_, err = fmt.Fprint(a.io.Out, docgen.Text(ref))
				return err
			}
			out, err := docgen.JSON(ref)
			if err != nil {
				return err
			}
			_, err = a.io.Out.Write(out)
			return err
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output `FORMAT`: text or json")
	return cmd
}
