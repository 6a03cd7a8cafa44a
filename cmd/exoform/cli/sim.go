package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/providers/azure"
	"github.com/exoform/exoform/providers/exchange"
	"github.com/exoform/exoform/sim"
)

func (a *app) simCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Run and drive the simulated tenant",
		Long: `The simulated tenant speaks the real wire protocols (the Entra token endpoint and
the Exchange Online admin API) over HTTPS, and keeps its tenant in a JSON state file.
"exoform plan --sim" runs one in-process; these commands run one standalone or change
it the way an administrator would.`,
	}
	cmd.AddCommand(a.simServeCmd(), a.simInvokeCmd(), a.simGraphCmd(), a.simResetCmd())
	return cmd
}

func stateFlag(cmd *cobra.Command, dst *string) {
	cmd.Flags().StringVar(dst, "state", defaultSimState, "the simulated tenant's state `FILE`")
}

func (a *app) simServeCmd() *cobra.Command {
	var opts sim.Options
	var faults string
	var lag time.Duration
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the simulated tenant until interrupted",
		Long: `serve runs the simulated tenant and writes FILE.cloud.json beside the state: its
endpoints, CA certificate and the credentials of its admin app. Point any command at it
with --cloud FILE.cloud.json (or EXOFORM_CLOUD).

--faults takes a comma-separated list of KIND:PERCENT[:CMDLET], with the kinds 429, 500,
503, 504, reset, truncate, html and lost, e.g. "429:5%,503:2%,lost:1%".
--lag makes new and changed objects invisible to reads for up to DURATION.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := sim.ParseFaults(faults); err != nil {
				return fmt.Errorf("--faults: %w", err)
			}
			opts.Faults, opts.Lag = faults, lag
			srv, err := sim.Start(cmd.Context(), opts)
			if err != nil {
				return err
			}
			defer srv.Close()
			cloudFile := opts.StatePath + ".cloud.json"
			if err := srv.WriteCloudFile(cloudFile); err != nil {
				return err
			}
			c := srv.Cloud()
			fmt.Fprintf(a.io.Out, "Simulated tenant %s (%s) listening on %s\n", c.TenantDomain, c.TenantID, c.ExchangeURL)
			fmt.Fprintf(a.io.Out, "Cloud file: %s\nUse it with: exoform plan --cloud %s\nPress Ctrl-C to stop.\n", cloudFile, cloudFile)
			<-cmd.Context().Done()
			return nil
		},
	}
	stateFlag(cmd, &opts.StatePath)
	cmd.Flags().StringVar(&opts.Listen, "listen", "127.0.0.1:0", "the `ADDR` to listen on")
	cmd.Flags().StringVar(&faults, "faults", "", "inject faults: `SPEC` such as 429:5%,503:2%,lost:1%")
	cmd.Flags().DurationVar(&lag, "lag", 0, "longest replication lag, a `DURATION` such as 30s")
	cmd.Flags().Int64Var(&opts.Seed, "seed", 0, "seed of the fault and lag randomness")
	cmd.Flags().StringVar(&opts.Tenant, "tenant", "", "tenant GUID or initial domain to seed a new state with")
	return cmd
}

func (a *app) simInvokeCmd() *cobra.Command {
	var state, cmdlet, params string
	cmd := &cobra.Command{
		Use:   "invoke",
		Short: "Run one Exchange cmdlet against the simulated tenant",
		Long: `invoke runs one cmdlet against the simulated tenant through the same wire protocol
exoform uses, as an administrator would in PowerShell or the portal, and prints the
output objects as JSON. For example:

  exoform sim invoke --cmdlet Set-InboundConnector --params '{"Identity":"Relay","Enabled":false}'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var ps providers.Params
			if params != "" {
				if err := json.Unmarshal([]byte(params), &ps); err != nil {
					return fmt.Errorf("--params: %v. Give a JSON object such as '{\"Identity\":\"Relay\",\"Enabled\":false}'", err)
				}
			}
			res, err := a.simInvoke(cmd.Context(), state, cmdlet, ps)
			if err != nil {
				return err
			}
			for _, w := range res.Warnings {
				fmt.Fprintf(a.io.Err, "Warning: %s\n", w)
			}
			enc := json.NewEncoder(a.io.Out)
			enc.SetIndent("", "  ")
			return enc.Encode(res.Objects)
		},
	}
	stateFlag(cmd, &state)
	cmd.Flags().StringVar(&cmdlet, "cmdlet", "", "the cmdlet `NAME`, e.g. Get-InboundConnector")
	cmd.Flags().StringVar(&params, "params", "", "the parameters as a `JSON` object")
	_ = cmd.MarkFlagRequired("cmdlet")
	return cmd
}

func (a *app) simInvoke(ctx context.Context, state, cmdlet string, ps providers.Params) (*exchange.Result, error) {
	abs, err := filepath.Abs(state)
	if err != nil {
		return nil, err
	}
	srv, err := sim.Start(ctx, sim.Options{StatePath: abs})
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	cloud, err := cloudOfSim(srv.Cloud())
	if err != nil {
		return nil, err
	}
	hc, err := cloud.HTTPClient()
	if err != nil {
		return nil, err
	}
	cred, _, err := azure.NewCredential(azure.CredentialOptions{Cloud: cloud, TenantID: cloud.TenantID, HTTPClient: hc,
		Getenv: func(string) string { return "" }})
	if err != nil {
		return nil, err
	}
	c, err := exchange.NewClient(exchange.ClientOptions{BaseURL: cloud.ExchangeURL, Tenant: cloud.TenantID, Credential: cred, Scope: cloud.ExchangeScope, HTTPClient: hc})
	if err != nil {
		return nil, err
	}
	return c.Invoke(ctx, cmdlet, ps)
}

func (a *app) simResetCmd() *cobra.Command {
	var state, tenant string
	cmd := &cobra.Command{
		Use:   "reset",
		Short: "Reseed the simulated tenant with the demo tenant",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := sim.Reset(state, tenant); err != nil {
				return err
			}
			fmt.Fprintf(a.io.Out, "Reseeded the simulated tenant in %s.\n", state)
			return nil
		},
	}
	stateFlag(cmd, &state)
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant GUID or initial domain to seed with (default: the demo tenant)")
	return cmd
}
