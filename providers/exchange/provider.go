package exchange

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/providers/internal/wire"
)

// Provider is the Exchange Online provider: its resource types and the executor that sends
// cmdlets through InvokeCommand.
type Provider struct {
	client invoker
	// PendingWait bounds how long a write to an object created moments ago in the same apply
	// is retried while Exchange still answers "not found" (directory replication; wire-formats
	// A9 measured minutes). Zero means the default of five minutes.
	PendingWait time.Duration
	// sleep waits between those retries; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
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

func (offline) Invoke(context.Context, string, providers.Params) (*Result, error) {
	return nil, errOffline
}

func (offline) InvokePages(context.Context, string, providers.Params, func(*Page) error) error {
	return errOffline
}

func (offline) InvokeBatch(context.Context, []BatchItem) ([]BatchResult, error) {
	return nil, errOffline
}

var errOffline = errors.New("no Exchange connection: this command works offline")

// Register adds the provider's resources and executor to a registry.
func (p *Provider) Register(r *providers.Registry) {
	r.AddResource(&inboundConnector{c: p.client})
	registerRecipients(r, p.client)
	registerRules(r, p.client)
	r.AddExecutor(p)
}

// waitForReplication retries a write whose target this apply created moments ago, until
// Exchange's directory shows it or PendingWait has passed.
func (p *Provider) waitForReplication(ctx context.Context, op providers.Operation, err error) error {
	wait := p.PendingWait
	if wait <= 0 {
		wait = 5 * time.Minute
	}
	sleep := p.sleep
	if sleep == nil {
		sleep = wire.SleepCtx
	}
	delay := 2 * time.Second
	for spent := time.Duration(0); spent < wait && IsNotFound(err); spent += delay {
		if serr := sleep(ctx, delay); serr != nil {
			return err
		}
		_, err = p.client.Invoke(ctx, op.Cmdlet, op.Parameters)
		delay = min(delay*2, 30*time.Second)
	}
	if IsNotFound(err) {
		return fmt.Errorf("%w\nThe object was created earlier in this apply but Exchange still does not find it after %s (directory replication). Run exoform apply again in a few minutes", err, wait)
	}
	return err
}

// Service implements providers.Executor.
func (p *Provider) Service() providers.Service { return providers.Exchange }

// Execute sends one cmdlet.
func (p *Provider) Execute(ctx context.Context, op providers.Operation) error {
	if op.Service != providers.Exchange || op.Cmdlet == "" {
		return fmt.Errorf("the Exchange provider cannot run %s", op)
	}
	_, err := p.client.Invoke(ctx, op.Cmdlet, op.Parameters)
	if err != nil && providers.IsPending(ctx) && IsNotFound(err) {
		err = p.waitForReplication(ctx, op, err)
	}
	switch {
	case err == nil:
		return nil
	case strings.HasPrefix(op.Cmdlet, "New-") && IsAlreadyExists(err):
		// The plan read the tenant and did not see the object: Exchange reads lag behind writes
		// (replication), or someone created it since. Either way nothing was duplicated.
		return fmt.Errorf("%w\nThe object already exists although the plan's read did not show it: Exchange reads can lag writes by minutes, or someone created it since the plan. Nothing was duplicated; run exoform plan again shortly", err)
	case IsOutcomeUnknown(err):
		return fmt.Errorf("%w\nThe request may or may not have taken effect. exoform writes its ownership marker with every create, so the next plan recognises an object this request made", err)
	}
	return err
}
