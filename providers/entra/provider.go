package entra

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/exoform/exoform/providers"
)

// doer is what resources need of the Graph client.
type doer interface {
	Do(ctx context.Context, method, path string, body any, out any) error
	List(ctx context.Context, path string, each func(json.RawMessage) error) error
	Batch(ctx context.Context, reqs []BatchRequest) ([]BatchResponse, error)
	BatchList(ctx context.Context, paths []string, each func(i int, item json.RawMessage) error) error
}

// Provider is the Entra provider: its resource types and the executor that sends Graph requests.
type Provider struct {
	client doer
	now    func() time.Time // the clock of secret lifetimes and rotation; nil: time.Now
}

// WithClock sets the clock that secret lifetimes and rotation decisions use (the simulated
// tenant's EXOFORM_SIM_NOW, so that plans and scripts made from them are reproducible).
func (p *Provider) WithClock(now func() time.Time) *Provider {
	p.now = now
	return p
}

// NewProvider returns the provider over a client. A nil client gives a provider whose types can
// be validated and documented but not read or applied.
func NewProvider(c *Client) *Provider {
	if c == nil {
		return &Provider{client: offline{}}
	}
	return &Provider{client: c}
}

// offline refuses every call; it backs the provider when no tenant is configured (validate).
type offline struct{}

var errOffline = fmt.Errorf("no Microsoft Graph connection: this command works offline")

func (offline) Do(context.Context, string, string, any, any) error { return errOffline }

func (offline) List(context.Context, string, func(json.RawMessage) error) error { return errOffline }

func (offline) Batch(context.Context, []BatchRequest) ([]BatchResponse, error) {
	return nil, errOffline
}

func (offline) BatchList(context.Context, []string, func(int, json.RawMessage) error) error {
	return errOffline
}

// Register adds the provider's resources, checks and executor to a registry.
func (p *Provider) Register(r *providers.Registry) {
	r.AddResource(&securityDefaults{c: p.client})
	r.AddResource(&applicationPassword{c: p.client, now: p.now})
	r.AddResource(&application{c: p.client})
	r.AddResource(&servicePrincipal{c: p.client})
	r.AddDataSource(&servicePrincipalData{c: p.client})
	r.AddConfigCheck(applicationWarnings)
	r.AddConfigCheck(securityDefaultsWarnings)
	r.AddExecutor(p)
}

// Service implements providers.Executor.
func (p *Provider) Service() providers.Service { return providers.Graph }

// Execute sends one Graph request. A request that follows a write of this apply waits out
// Entra's replication delay (the client retries it under WithRecentWrite).
func (p *Provider) Execute(ctx context.Context, op providers.Operation) error {
	_, err := p.ExecuteResult(ctx, op)
	return err
}

// ExecuteResult implements providers.ResultExecutor: it sends one Graph request and returns
// the answer, for operations that produce values or deliver a secret.
func (p *Provider) ExecuteResult(ctx context.Context, op providers.Operation) (json.RawMessage, error) {
	if op.Service != providers.Graph || op.Method == "" || op.Path == "" {
		return nil, fmt.Errorf("the Entra provider cannot run %s", op)
	}
	var body any
	if len(op.Body) > 0 {
		body = json.RawMessage(op.Body)
	}
	if providers.IsPending(ctx) {
		ctx = WithRecentWrite(ctx)
	}
	var out json.RawMessage
	if err := p.client.Do(ctx, op.Method, op.Path, body, &out); err != nil {
		if op.Deliver != nil && IsOutcomeUnknown(err) && strings.HasSuffix(op.Path, "/addPassword") {
			return nil, p.recoverLostSecret(ctx, op, err)
		}
		return nil, err
	}
	return out, nil
}
