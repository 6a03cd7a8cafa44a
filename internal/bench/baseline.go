package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/providers/azure"
	"github.com/exoform/exoform/providers/entra"
	"github.com/exoform/exoform/providers/exchange"
	"github.com/exoform/exoform/sim"
)

// baselineConcurrency is the per-object baseline's requests in flight per service: the
// Exchange limit of the realistic profile, so that it runs as fast as that limit allows.
const baselineConcurrency = 10

// perObject is one request of the per-object baseline.
type perObject struct {
	kind string // the declared type, for sampling
	// exchange: a cmdlet and its parameters; graph: a function making one or more lookups.
	cmdlet string
	params providers.Params
	graph  func(ctx context.Context, g *entra.Client) error
}

// perObjectReads lists the reads a per-object tool makes for the same plan as exoform's: one
// Get- -Identity per declared Exchange object (three for a shared mailbox with its
// permissions: the mailbox, its FullAccess and its SendAs entries); for each application a
// lookup by display name, then its service principal by app id and its federated identity
// credentials by object id (the plan manages them even when none is declared, so it reads
// them); and one Get-ApplicationAccessPolicy.
//
// That listing is there because the plan must find objects to delete: a stateless plan lists
// every owned type, and a type the configuration declares nothing of (application access
// policies) would otherwise cost a per-object tool no request at all. For the owned types it
// reads object by object (shared mailboxes, connectors, rules, applications), the baseline is
// not charged the listing that would find marked objects no longer declared, as if it knew
// them from a state file: that errs towards fewer baseline requests, the side that makes
// exoform's "fewer requests" target harder, not easier.
func perObjectReads(d declared) []perObject {
	var rs []perObject
	id := func(v string) providers.Params { return providers.Params{{Name: "Identity", Value: v}} }
	for _, m := range d.cas {
		rs = append(rs, perObject{kind: "exchange_cas_mailbox", cmdlet: "Get-CASMailbox", params: id(m.UPN)})
	}
	for _, s := range d.shared {
		rs = append(rs,
			perObject{kind: "exchange_shared_mailbox", cmdlet: "Get-Mailbox", params: id(s.Primary)},
			perObject{kind: "exchange_shared_mailbox", cmdlet: "Get-MailboxPermission", params: id(s.Primary)},
			perObject{kind: "exchange_shared_mailbox", cmdlet: "Get-RecipientPermission", params: id(s.Primary)})
	}
	for _, c := range d.connectors {
		rs = append(rs, perObject{kind: "exchange_inbound_connector", cmdlet: "Get-InboundConnector", params: id(c.Name)})
	}
	for _, r := range d.rules {
		rs = append(rs, perObject{kind: "exchange_transport_rule", cmdlet: "Get-TransportRule", params: id(r.Name)})
	}
	rs = append(rs, perObject{kind: "exchange_application_access_policy", cmdlet: "Get-ApplicationAccessPolicy"})
	for _, a := range d.apps {
		name := a.DisplayName
		// One func: the service principal and the credentials need the ids the lookup finds.
		// Each Do is one request the sim counts.
		rs = append(rs, perObject{kind: "entra_application", graph: func(ctx context.Context, g *entra.Client) error {
			var apps struct {
				Value []struct {
					ID    string `json:"id"`
					AppID string `json:"appId"`
				} `json:"value"`
			}
			if err := g.Do(ctx, "GET", "/applications?$filter=displayName eq "+odataString(name)+"&$select=id,appId,displayName", nil, &apps); err != nil {
				return fmt.Errorf("looking up application %q: %w", name, err)
			}
			if len(apps.Value) != 1 {
				return fmt.Errorf("looking up application %q: %d found, want 1", name, len(apps.Value))
			}
			var sps struct {
				Value []map[string]any `json:"value"`
			}
			if err := g.Do(ctx, "GET", "/servicePrincipals?$filter=appId eq "+odataString(apps.Value[0].AppID), nil, &sps); err != nil {
				return fmt.Errorf("looking up the service principal of %q: %w", name, err)
			}
			var fics struct {
				Value []map[string]any `json:"value"`
			}
			if err := g.Do(ctx, "GET", "/applications/"+url.PathEscape(apps.Value[0].ID)+"/federatedIdentityCredentials", nil, &fics); err != nil {
				return fmt.Errorf("reading the federated credentials of %q: %w", name, err)
			}
			return nil
		}})
	}
	return rs
}

// odataString quotes s as an OData string literal, percent-encoded for a query.
func odataString(s string) string {
	return strings.ReplaceAll(url.QueryEscape("'"+strings.ReplaceAll(s, "'", "''")+"'"), "+", "%20")
}

// sample keeps at most n reads of each kind, spread over the kind's reads.
func sample(rs []perObject, n int) []perObject {
	if n <= 0 {
		return rs
	}
	byKind := map[string][]perObject{}
	var kinds []string
	for _, r := range rs {
		if byKind[r.kind] == nil {
			kinds = append(kinds, r.kind)
		}
		byKind[r.kind] = append(byKind[r.kind], r)
	}
	var out []perObject
	for _, k := range kinds {
		l := byKind[k]
		if len(l) <= n {
			out = append(out, l...)
			continue
		}
		for j := 0; j < n; j++ {
			out = append(out, l[j*len(l)/n])
		}
	}
	return out
}

// Baseline reads the declared objects of s.Plan the per-object way: first all of them with
// latency off, counting the requests the sim serves, then (a sample of) them under the
// realistic profile, timing them. With a sample, the wall time is extrapolated by requests:
// per-object reads are independent and share the same concurrency slots, so their time grows
// with their number.
func (r *Runner) Baseline(ctx context.Context, state string, t *Tenant, s Scale, dir string) (*Measurement, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	all := perObjectReads(declare(t, s.Plan))
	counted, err := r.countPerObject(ctx, state, s.Plan, dir, all)
	if err != nil {
		return nil, err
	}
	part := sample(all, s.BaselineSample)
	r.logf("  %s: %d per-object reads under the realistic profile, for the time", StepBaseline, len(part))
	timed, wall, err := r.readPerObject(ctx, state, r.Profile, dir, part)
	if err != nil {
		return nil, err
	}
	m := &counted
	m.Name = StepBaseline
	m.Wall = wall
	m.Throttled = timed.Throttled
	// The sim's CPU of the count (latency off, every read) and of the timed sample measure
	// different runs; neither is the baseline's, so the table shows none.
	m.SimCPU = 0
	if len(part) < len(all) {
		m.Extrapolated = len(part)
		m.Wall = time.Duration(float64(wall) * float64(counted.TotalRequests()) / float64(timed.TotalRequests()))
	}
	return m, nil
}

// readPerObject sends reads with exoform's real clients to a sim on state with profile.
func (r *Runner) readPerObject(ctx context.Context, state string, p sim.Profile, dir string, reads []perObject) (Measurement, time.Duration, error) {
	var m Measurement
	srv, cloudFile, err := r.serve(ctx, state, p, dir)
	if err != nil {
		return m, 0, err
	}
	defer srv.Close()
	cloud, err := azure.LookupCloud(cloudFile)
	if err != nil {
		return m, 0, err
	}
	cred, _, err := azure.NewCredential(azure.CredentialOptions{Cloud: cloud, Getenv: func(string) string { return "" }})
	if err != nil {
		return m, 0, err
	}
	hc, err := cloud.HTTPClient()
	if err != nil {
		return m, 0, err
	}
	ex, err := exchange.NewClient(exchange.ClientOptions{BaseURL: cloud.ExchangeURL, Tenant: cloud.TenantID, Credential: cred,
		Scope: cloud.ExchangeScope, HTTPClient: hc, MaxConcurrent: baselineConcurrency})
	if err != nil {
		return m, 0, err
	}
	g, err := entra.NewClient(entra.ClientOptions{BaseURL: cloud.GraphURL, Credential: cred, Scope: cloud.GraphScope,
		HTTPClient: hc, MaxConcurrent: baselineConcurrency})
	if err != nil {
		return m, 0, err
	}
	start, simStart := time.Now(), selfCPU()
	eg, gctx := errgroup.WithContext(ctx)
	// Twice the slots: the clients hold each service to baselineConcurrency, and reads of both
	// services may run side by side.
	eg.SetLimit(2 * baselineConcurrency)
	for _, rd := range reads {
		eg.Go(func() error {
			if rd.graph != nil {
				return rd.graph(gctx, g)
			}
			_, err := ex.Invoke(gctx, rd.cmdlet, rd.params)
			return err
		})
	}
	err = eg.Wait()
	wall := time.Since(start)
	m.SimCPU = selfCPU() - simStart
	m.fromSim(srv.Stats())
	return m, wall, err
}

// countPerObject sends every per-object read with latency off and returns what the sim counted.
// The count is cached beside the tenant, keyed by the tenant file, the spec and
// baselineVersion: at the scale the sim spends minutes of CPU on 13,000 lookups by
// identity, and with no faults each per-object read is one request whatever the client's
// version, so only a change to the reads themselves (bump baselineVersion) changes the count.
func (r *Runner) countPerObject(ctx context.Context, state string, spec Spec, dir string, reads []perObject) (Measurement, error) {
	var m Measurement
	key, keyErr := baselineKey(state, spec)
	cache := filepath.Join(r.Dir, "tenants", "baseline-"+key+".json")
	if keyErr == nil {
		if b, err := os.ReadFile(cache); err == nil && json.Unmarshal(b, &m) == nil {
			r.logf("  %s: requests of the %d per-object reads from %s", StepBaseline, len(reads), cache)
			return m, nil
		}
	}
	r.logf("  %s: %d per-object reads with latency off, for the requests", StepBaseline, len(reads))
	m, _, err := r.readPerObject(ctx, state, sim.Profile{}, dir, reads)
	if err != nil {
		return m, err
	}
	if keyErr == nil {
		if b, err := json.Marshal(m); err == nil {
			_ = os.WriteFile(cache, b, 0o600) // only a cache: a failed write costs the next run time
		}
	}
	return m, nil
}

// baselineVersion names the per-object reads' definition (perObjectReads); bump it when they
// change, so that cached counts are not reused. 2: each application's federated credentials
// and one Get-ApplicationAccessPolicy.
const baselineVersion = 2

// baselineKey names a baseline count: the tenant file's content, the spec and baselineVersion.
func baselineKey(state string, spec Spec) (string, error) {
	h := sha256.New()
	f, err := os.Open(state)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	fmt.Fprintf(h, "%+v %d", spec, baselineVersion)
	return hex.EncodeToString(h.Sum(nil)[:8]), nil
}
