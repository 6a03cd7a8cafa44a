package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
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
	cmd.AddCommand(a.simServeCmd(), a.simInvokeCmd(), a.simGraphCmd(), a.simResetCmd(), a.simSeedCmd())
	// "exoform sim invoke --sim=big.json" means the tenant in big.json, as --sim does for every
	// other command: without this the global flag was silently ignored here.
	cmd.PersistentPreRunE = func(c *cobra.Command, args []string) error {
		if err := a.setup(c, args); err != nil {
			return err
		}
		f := c.Flags().Lookup("state")
		if a.sim == "" || f == nil {
			return nil
		}
		if f.Changed {
			st, err := filepath.Abs(f.Value.String())
			if err != nil {
				return err
			}
			if st != a.sim {
				return fmt.Errorf("--sim %s and --state %s name different simulated tenants; give one of them", a.sim, st)
			}
			return nil
		}
		return f.Value.Set(a.sim)
	}
	return cmd
}

func stateFlag(cmd *cobra.Command, dst *string) {
	cmd.Flags().StringVar(dst, "state", defaultSimState, "the simulated tenant's state `FILE`")
}

func (a *app) simServeCmd() *cobra.Command {
	var opts sim.Options
	var faults, profile, caller string
	var lag time.Duration
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the simulated tenant until interrupted",
		Long: `serve runs the simulated tenant and writes FILE.cloud.json beside the state: its
endpoints, CA certificate and the credentials of its admin app. Point any command at it
with --cloud FILE.cloud.json (or EXOFORM_CLOUD).

--faults takes a comma-separated list of KIND:PERCENT[:CMDLET], with the kinds 429, 500,
503, 504, reset, truncate, html, lost and stall, e.g. "429:5%,503:2%,lost:1%". A stalled
request gets no answer for --stall (15 minutes, as long as a cmdlet may run), or until the
client gives up; a stalled write has happened all the same.
--lag makes new and changed objects invisible to reads for up to DURATION.
--profile realistic adds Microsoft's latency and limits: 100 ms per Graph request, 400 ms
per Exchange request, at most 10 Exchange requests in flight, Exchange pages of at most
1000, and Graph's resource-unit and write budgets. Change any of them after the base, e.g.
"realistic,exchange-latency=200ms,exchange-concurrency=5,graph-latency=50ms"; the settings
are graph-latency, exchange-latency, token-latency, exchange-concurrency,
exchange-page-size, graph-ru, graph-ru-window, graph-writes and graph-writes-window.
--caller read-only gives the admin app read permissions only (Application.Read.All,
Directory.Read.All and Policy.Read.All on Microsoft Graph, the Global Reader role in
Exchange), as a pull request's plan signs in; --caller admin gives the write permissions
back. The state keeps the choice.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := sim.ParseFaults(faults); err != nil {
				return fmt.Errorf("--faults: %w", err)
			}
			p, err := sim.ParseProfile(profile)
			if err != nil {
				return fmt.Errorf("--profile: %w", err)
			}
			var who sim.Caller
			if caller != "" {
				if who, err = sim.ParseCaller(caller); err != nil {
					return fmt.Errorf("--caller: %w", err)
				}
			}
			opts.Faults, opts.Lag, opts.Profile = faults, lag, p
			srv, err := sim.Start(cmd.Context(), opts)
			if err != nil {
				return err
			}
			defer srv.Close()
			// After Start, which seeds a state that does not exist yet.
			if who != "" {
				if err := sim.SetCaller(opts.StatePath, who); err != nil {
					return err
				}
			}
			cloudFile := opts.StatePath + ".cloud.json"
			if err := srv.WriteCloudFile(cloudFile); err != nil {
				return err
			}
			c := srv.Cloud()
			fmt.Fprintf(a.io.Out, "Simulated tenant %s (%s) listening on %s\n", c.TenantDomain, c.TenantID, c.ExchangeURL)
			if !p.IsOff() {
				fmt.Fprintf(a.io.Out, "Profile: %s\n", p)
			}
			if who != "" {
				fmt.Fprintf(a.io.Out, "Caller: %s\n", who)
			}
			fmt.Fprintf(a.io.Out, "Cloud file: %s\nUse it with: exoform plan --cloud %s\nPress Ctrl-C to stop.\n", cloudFile, cloudFile)
			<-cmd.Context().Done()
			return nil
		},
	}
	stateFlag(cmd, &opts.StatePath)
	cmd.Flags().StringVar(&opts.Listen, "listen", "127.0.0.1:0", "the `ADDR` to listen on")
	cmd.Flags().StringVar(&faults, "faults", "", "inject faults: `SPEC` such as 429:5%,503:2%,lost:1%")
	cmd.Flags().DurationVar(&lag, "lag", 0, "longest replication lag, a `DURATION` such as 30s")
	cmd.Flags().DurationVar(&opts.Stall, "stall", 15*time.Minute, "how long a stall fault holds a request, a `DURATION`")
	cmd.Flags().StringVar(&profile, "profile", "off", "latency and limits model: `SPEC` such as realistic or realistic,exchange-concurrency=5")
	cmd.Flags().Int64Var(&opts.Seed, "seed", 0, "seed of the fault and lag randomness")
	cmd.Flags().StringVar(&opts.Tenant, "tenant", "", "tenant GUID or initial domain to seed a new state with")
	cmd.Flags().StringVar(&caller, "caller", "", "give the admin app the permissions of `CALLER`: admin or read-only (default: as the state has them)")
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
	var state, caller string
	var opts sim.Options
	cmd := &cobra.Command{
		Use:   "reset",
		Short: "Reseed the simulated tenant with the demo tenant",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := sim.ParseCaller(caller)
			if err != nil {
				return fmt.Errorf("--caller: %w", err)
			}
			if err := a.reseed(state, opts, c); err != nil {
				return err
			}
			fmt.Fprintf(a.io.Out, "Reseeded the simulated tenant in %s.%s\n", state, callerNote(c))
			return nil
		},
	}
	reseedFlags(cmd, &state, &opts, &caller)
	return cmd
}

// callerNote is what the seed and reset summaries add for a caller other than the seed's.
func callerNote(c sim.Caller) string {
	if c == sim.CallerReadOnly {
		return " Its admin app may only read (--caller read-only)."
	}
	return ""
}

// seedFlags are the generator's counts: the flag, the sim.Options field it sets and how
// the summary names what it generated.
var seedFlags = []struct {
	flag, option, noun string
	field              func(o *sim.Options) *int
}{
	{"mailboxes", "Mailboxes", "user mailboxes", func(o *sim.Options) *int { return &o.Mailboxes }},
	{"shared", "SharedMailboxes", "shared mailboxes", func(o *sim.Options) *int { return &o.SharedMailboxes }},
	{"permissions", "MailboxPermissions", "mailbox permissions", func(o *sim.Options) *int { return &o.MailboxPermissions }},
	{"connectors", "Connectors", "inbound connectors", func(o *sim.Options) *int { return &o.Connectors }},
	{"rules", "TransportRules", "transport rules", func(o *sim.Options) *int { return &o.TransportRules }},
	{"apps", "Apps", "app registrations", func(o *sim.Options) *int { return &o.Apps }},
	{"smtp-auth", "SMTPAuthOverrides", "SMTP AUTH overrides", func(o *sim.Options) *int { return &o.SMTPAuthOverrides }},
}

func (a *app) simSeedCmd() *cobra.Command {
	var state, caller string
	var opts sim.Options
	cmd := &cobra.Command{
		Use:   "seed",
		Short: "Write a fresh simulated tenant with generated objects",
		Long: `seed replaces the state file with the demo tenant plus generated objects of the kinds a
tenant accumulates over the years: user mailboxes; functional and project shared mailboxes
with FullAccess and SendAs permissions; inbound connectors; transport rules; app
registrations with Exchange and Graph permissions, admin consent, owners and client
secrets (some expired, some expiring); user mailboxes with their own SMTP AUTH setting.
Names have spaces, mixed case and non-ASCII letters. Nothing carries an exoform ownership
marker, so plans adopt what they declare and leave the rest. The same --seed (with the
same counts and tenant) writes the same tenant. For example:

  exoform sim seed --state big.json --mailboxes 50000 --shared 5000 --permissions 20000 \
    --connectors 200 --rules 300 --apps 2000 --smtp-auth 2000 --seed 1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, f := range seedFlags {
				if n := *f.field(&opts); n < 0 {
					return fmt.Errorf("--%s %d: a count can't be negative; give 0 (none) or more", f.flag, n)
				}
			}
			c, err := sim.ParseCaller(caller)
			if err != nil {
				return fmt.Errorf("--caller: %w", err)
			}
			if err := a.reseed(state, opts, c); err != nil {
				return err
			}
			var made []string
			for _, f := range seedFlags {
				made = append(made, fmt.Sprintf("%d %s", *f.field(&opts), f.noun))
			}
			fmt.Fprintf(a.io.Out, "Seeded the simulated tenant in %s (seed %d) with the demo tenant and %s.%s\n",
				state, opts.GenerateSeed, strings.Join(made, ", "), callerNote(c))
			return nil
		},
	}
	reseedFlags(cmd, &state, &opts, &caller)
	for _, f := range seedFlags {
		cmd.Flags().IntVar(f.field(&opts), f.flag, 0, "generate `N` "+f.noun)
	}
	cmd.Flags().Int64Var(&opts.GenerateSeed, "seed", 0, "seed `N` of the generator: the same seed gives the same tenant")
	return cmd
}

func reseedFlags(cmd *cobra.Command, state *string, opts *sim.Options, caller *string) {
	stateFlag(cmd, state)
	cmd.Flags().StringVar(&opts.Tenant, "tenant", "", "tenant GUID or initial domain to seed with (default: the demo tenant)")
	cmd.Flags().StringVar(caller, "caller", string(sim.CallerAdmin), "the permissions of the admin app: `CALLER` admin (may write) or read-only (Graph read permissions, Global Reader in Exchange)")
}

// reseed writes a fresh tenant to state, its admin app with the permissions of caller c. The
// generator's errors name sim.Options fields; they are told with the flags that set them.
func (a *app) reseed(state string, opts sim.Options, c sim.Caller) error {
	err := sim.ResetWith(state, opts)
	if err == nil && c != sim.CallerAdmin { // the seed's admin app is the admin caller
		err = sim.SetCaller(state, c)
	}
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, f := range seedFlags {
		msg = strings.ReplaceAll(msg, "Options."+f.option, "--"+f.flag)
	}
	return errors.New(msg)
}
