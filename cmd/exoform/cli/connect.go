package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	azlog "github.com/Azure/azure-sdk-for-go/sdk/azcore/log"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/spf13/cobra"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/providers/azure"
	"github.com/exoform/exoform/providers/entra"
	"github.com/exoform/exoform/providers/exchange"
	"github.com/exoform/exoform/providers/httplog"
	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/schema/diag"
	"github.com/exoform/exoform/sim"
)

// registry builds the resource registry; nil clients give an offline one for validate and show.
func registry(c *exchange.Client, g *entra.Client) *providers.Registry {
	return registryAt(c, g, nil)
}

// registryAt is registry with a clock for secret lifetimes; nil is the system clock.
func registryAt(c *exchange.Client, g *entra.Client, now func() time.Time) *providers.Registry {
	r := providers.NewRegistry()
	exchange.NewProvider(c).Register(r)
	entra.NewProvider(g).WithClock(now).Register(r)
	return r
}

// varFlags are the input-variable flags of plan and apply.
type varFlags struct {
	vars, files []string
}

func (v *varFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&v.vars, "var", nil, "set an input variable: `NAME=VALUE` (repeatable)")
	cmd.Flags().StringArrayVar(&v.files, "var-file", nil, "read input variables from a `FILE` of NAME = VALUE lines (repeatable)")
}

// load reads and evaluates the configuration in the working directory. Warnings are printed;
// errors are returned.
func (a *app) load(v varFlags) (*schema.Evaluated, diag.Diagnostics, error) {
	cfg, ds := schema.LoadDir(".")
	if cfg != nil {
		a.files = cfg.Files
	}
	if ds.HasErrors() {
		return nil, ds, ds
	}
	ev, more := schema.Evaluate(cfg, registry(nil, nil), a.inputs(v))
	ds.Append(more)
	if ds.HasErrors() {
		return nil, ds, ds
	}
	return ev, ds, nil
}

func (a *app) inputs(v varFlags) schema.Inputs {
	return schema.Inputs{Vars: v.vars, VarFiles: v.files, Getenv: a.io.Getenv}
}

// session is a live connection to a tenant.
type session struct {
	registry *providers.Registry
	client   *exchange.Client
	graph    *entra.Client
	tenant   string
	close    func()
}

// connect opens a connection to the tenant the configuration names: the in-process simulated
// tenant with --sim, else the cloud from --cloud or EXOFORM_CLOUD.
func (a *app) connect(ctx context.Context, tenant string) (*session, error) {
	s := &session{close: func() {}}
	var cloud azure.Cloud
	var simSrv *sim.Server
	if a.sim != "" {
		srv, err := a.startSim(ctx, tenant, true)
		if err != nil {
			return nil, err
		}
		simSrv = srv
		s.close = func() { _ = srv.Close() }
		if cloud, err = cloudOfSim(srv.Cloud()); err != nil {
			s.close()
			return nil, err
		}
	} else {
		name := a.cloud
		if name == "" {
			name = a.io.Getenv("EXOFORM_CLOUD")
		}
		if name == "" {
			name = "public"
		}
		var err error
		if cloud, err = azure.LookupCloud(name); err != nil {
			return nil, err
		}
	}
	if tenant == "" {
		tenant = cloud.TenantID
	}
	if tenant == "" {
		s.close()
		return nil, fmt.Errorf("no tenant: add `tenant { id = \"contoso.onmicrosoft.com\" }` to the configuration, or set AZURE_TENANT_ID")
	}
	if cloud.TenantID != "" && !strings.EqualFold(tenant, cloud.TenantID) && !strings.EqualFold(tenant, cloud.TenantDomain) {
		s.close()
		return nil, fmt.Errorf("the configuration names tenant %s, but the simulated tenant is %s (%s). Change the tenant block, or reseed the simulated tenant with \"exoform sim reset --tenant %s\"",
			tenant, cloud.TenantDomain, cloud.TenantID, tenant)
	}
	hc, err := cloud.HTTPClient()
	if err != nil {
		s.close()
		return nil, err
	}
	if err := a.responseTimeout(hc); err != nil {
		s.close()
		return nil, err
	}
	credOpts := azure.CredentialOptions{Cloud: cloud, TenantID: tenant, Getenv: a.io.Getenv}
	// Everything the debug log shows passes one redactor, which knows the secrets the
	// credential sends besides the names and shapes of secrets.
	red := httplog.NewRedactor(azure.SecretValues(credOpts)...)
	logf := a.debugLog(red)
	if logf != nil {
		// One traced client serves the credential (token endpoint), Graph and Exchange.
		hc = httplog.WrapClient(hc, httplog.Options{Logf: logf, Bodies: a.logLevel() == logTrace, Redactor: red})
		stop, closeConn := listenAzure(logf, red), s.close
		s.close = func() { closeConn(); stop() }
	}
	if a.stats {
		var signIns atomic.Int64
		hc = countSignIns(hc, &signIns)
		start, closeConn := time.Now(), s.close
		// Printed when the command is done with the tenant, after its own output.
		s.close = func() {
			closeConn()
			st := requestStats{signIns: signIns.Load(), elapsed: time.Since(start)}
			if s.graph != nil && s.client != nil { // nil when connecting failed part way
				st.graph, st.exchange = s.graph.Stats(), s.client.Stats()
			}
			writeStats(a.io.Err, st)
			if simSrv != nil {
				// The simulated tenant's own count, to check the client's against.
				fmt.Fprintf(a.io.Err, "\nThe simulated tenant received:\n%s", indent(simSrv.Stats().Table(), "  "))
			}
		}
	}
	credOpts.HTTPClient = hc
	cred, _, err := azure.NewCredential(credOpts)
	if err != nil {
		s.close()
		return nil, err
	}
	// Sign in before anything is read, so that a sign-in problem is reported once, with what to
	// do, rather than once per resource type. The credential caches the tokens for the clients,
	// so this costs no extra request; both are fetched at once, so that the first Exchange read
	// does not wait for a sign-in of its own after the Graph one.
	var exErr error
	exDone := make(chan struct{})
	go func() {
		defer close(exDone)
		_, exErr = cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{cloud.ExchangeScope}})
	}()
	_, err = cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{cloud.GraphScope}})
	<-exDone
	if err == nil {
		err = exErr
	}
	if err != nil {
		s.close()
		return nil, err
	}
	client, err := exchange.NewClient(exchange.ClientOptions{
		BaseURL: cloud.ExchangeURL, Tenant: tenant, Credential: cred, Scope: cloud.ExchangeScope, HTTPClient: hc,
		Logf: logf,
	})
	if err != nil {
		s.close()
		return nil, err
	}
	graph, err := entra.NewClient(entra.ClientOptions{
		BaseURL: cloud.GraphURL, Credential: cred, Scope: cloud.GraphScope, HTTPClient: hc, Logf: logf,
		Waiting: func(what string) { fmt.Fprintf(a.io.Err, "Waiting for Entra to replicate: %s\n", what) },
	})
	if err != nil {
		s.close()
		return nil, err
	}
	var now func() time.Time
	if v := a.io.Getenv("EXOFORM_SIM_NOW"); v != "" && a.sim != "" {
		// The simulated tenant's clock, for reproducible plans (the examples' apply.ps1).
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("EXOFORM_SIM_NOW=%q: want a time such as 2026-11-23T09:00:00Z", v)
		}
		now = func() time.Time { return t }
	}
	s.client, s.graph, s.tenant, s.registry = client, graph, tenant, registryAt(client, graph, now)
	return s, nil
}

// EXOFORM_LOG levels: debug traces every request's line and headers, trace adds the first
// bytes of the bodies.
const (
	logDebug = "debug"
	logTrace = "trace"
)

// logLevel is EXOFORM_LOG as a level, "" when it is unset or names no level.
func (a *app) logLevel() string {
	switch v := strings.ToLower(strings.TrimSpace(a.io.Getenv("EXOFORM_LOG"))); v {
	case logDebug, logTrace:
		return v
	}
	return ""
}

// debugMu keeps the lines of one debug message together when requests run at once.
var debugMu sync.Mutex

// responseTimeout applies EXOFORM_RESPONSE_TIMEOUT: how long to wait for an answer to begin.
// The default, 16 minutes, outlasts the longest cmdlet Exchange runs (15 minutes); a shorter
// one makes a stalled request fail sooner (reads are then retried; a write whose answer never
// came stops the apply as of unknown outcome).
func (a *app) responseTimeout(hc *http.Client) error {
	v := a.io.Getenv("EXOFORM_RESPONSE_TIMEOUT")
	if v == "" {
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return fmt.Errorf("EXOFORM_RESPONSE_TIMEOUT: %q is not a duration such as 2m", v)
	}
	tr, ok := hc.Transport.(*http.Transport)
	if !ok {
		return fmt.Errorf("EXOFORM_RESPONSE_TIMEOUT: the HTTP client has no transport to set it on")
	}
	tr.ResponseHeaderTimeout = d
	return nil
}

// debugLog returns the logger of EXOFORM_LOG=debug or trace, else nil. It prefixes every line
// with [debug] and passes every message through red, whoever wrote it (the HTTP trace, the
// clients' retry lines, azidentity), so nothing the log shows escapes redaction.
func (a *app) debugLog(red *httplog.Redactor) func(string, ...any) {
	if a.logLevel() == "" {
		return nil
	}
	return func(format string, args ...any) {
		var b strings.Builder
		for _, line := range strings.Split(red.Text(fmt.Sprintf(format, args...)), "\n") {
			b.WriteString("[debug] ")
			b.WriteString(line)
			b.WriteByte('\n')
		}
		debugMu.Lock()
		defer debugMu.Unlock()
		_, _ = io.WriteString(a.io.Err, b.String())
	}
}

// azListeners counts the sessions logging azidentity's events: azcore's listener is global to
// the process, so it is removed when the last one closes.
var azListeners struct {
	sync.Mutex
	n int
}

// listenAzure sends azidentity's authentication events (which credential signed in, for which
// scope, why a credential of a chain was skipped) to logf, redacted, until stop is called.
// azcore's request and response events are left off: the HTTP trace shows those requests.
func listenAzure(logf func(string, ...any), red *httplog.Redactor) (stop func()) {
	azListeners.Lock()
	defer azListeners.Unlock()
	azListeners.n++
	azlog.SetEvents(azidentity.EventAuthentication)
	azlog.SetListener(httplog.AzureListener(logf, red))
	var once sync.Once
	return func() {
		once.Do(func() {
			azListeners.Lock()
			defer azListeners.Unlock()
			if azListeners.n--; azListeners.n == 0 {
				azlog.SetListener(nil)
			}
		})
	}
}

// startSim starts the simulated tenant in this process. With faults, it takes the fault
// controls from EXOFORM_SIM_FAULTS, EXOFORM_SIM_LAG and EXOFORM_SIM_SEED, and the latency and
// limits model from EXOFORM_SIM_PROFILE (a SPEC as sim serve --profile takes).
func (a *app) startSim(ctx context.Context, tenant string, faults bool) (*sim.Server, error) {
	opts := sim.Options{StatePath: a.sim}
	if schema.ValidTenant(tenant) {
		opts.Tenant = tenant
	}
	if faults {
		opts.Faults = a.io.Getenv("EXOFORM_SIM_FAULTS")
		if s := a.io.Getenv("EXOFORM_SIM_LAG"); s != "" {
			d, err := time.ParseDuration(s)
			if err != nil {
				return nil, fmt.Errorf("EXOFORM_SIM_LAG: %q is not a duration such as 30s or 1m", s)
			}
			opts.Lag = d
		}
		if s := a.io.Getenv("EXOFORM_SIM_STALL"); s != "" {
			d, err := time.ParseDuration(s)
			if err != nil || d <= 0 {
				return nil, fmt.Errorf("EXOFORM_SIM_STALL: %q is not a duration such as 30s or 15m", s)
			}
			opts.Stall = d
		}
		if s := a.io.Getenv("EXOFORM_SIM_SEED"); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("EXOFORM_SIM_SEED: %q is not an integer", s)
			}
			opts.Seed = n
		}
		p, err := sim.ParseProfile(a.io.Getenv("EXOFORM_SIM_PROFILE"))
		if err != nil {
			return nil, fmt.Errorf("EXOFORM_SIM_PROFILE: %w", err)
		}
		opts.Profile = p
	}
	srv, err := sim.Start(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("starting the simulated tenant: %w", err)
	}
	// EXOFORM_SIM_CALLER=read-only plans as an app that may only read (sim seed --caller).
	if v := a.io.Getenv("EXOFORM_SIM_CALLER"); v != "" {
		c, err := sim.ParseCaller(v)
		if err == nil {
			err = sim.SetCaller(opts.StatePath, c)
		}
		if err != nil {
			srv.Close()
			return nil, fmt.Errorf("EXOFORM_SIM_CALLER: %w", err)
		}
	}
	return srv, nil
}

// cloudOfSim reads the simulated tenant's endpoints through their JSON form, the same form the
// cloud file has, so --sim and --cloud FILE connect alike.
func cloudOfSim(c sim.Cloud) (azure.Cloud, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return azure.Cloud{}, err
	}
	var out azure.Cloud
	if err := json.Unmarshal(b, &out); err != nil {
		return azure.Cloud{}, err
	}
	return out, nil
}
