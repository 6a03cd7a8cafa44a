package cli_test

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/exoform/exoform/providers/exchange"
	"github.com/exoform/exoform/providers/providertest"
	"github.com/exoform/exoform/sim"
)

// TestSimProfile_ExchangeClientRetriesConcurrencyRefusal runs the real Exchange client against
// a simulated tenant that allows one Exchange request at a time, while that one slot is held:
// the read is refused as Exchange refuses it, and the client waits the Retry-After it was told
// and completes the read. It lives here because sim may not import the client, nor the
// client's tests the profile's internals; the CLI package imports both.
func TestSimProfile_ExchangeClientRetriesConcurrencyRefusal(t *testing.T) {
	ctx := context.Background()
	srv, err := sim.Start(ctx, sim.Options{StatePath: filepath.Join(t.TempDir(), "tenant.json"), Profile: sim.Profile{ExchangeConcurrency: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	cloud, hc, cred := providertest.SimConnection(t, srv)
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{cloud.ExchangeScope}})
	if err != nil {
		t.Fatal(err)
	}

	// Hold the only slot: a request whose body is still on its way keeps its handler, and so
	// its slot, until the body ends.
	body, sendRest := io.Pipe()
	req, _ := http.NewRequest(http.MethodPost, cloud.ExchangeURL+"/adminapi/beta/"+cloud.TenantID+"/InvokeCommand", body)
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	req.Header.Set("Content-Type", "application/json")
	holder := make(chan int, 1)
	go func() {
		resp, err := hc.Do(req)
		if err != nil {
			holder <- 0
			return
		}
		resp.Body.Close()
		holder <- resp.StatusCode
	}()
	for srv.Stats().Exchange.Requests == 0 {
		time.Sleep(time.Millisecond) // until the holder is in
	}

	var (
		mu     sync.Mutex
		sleeps []time.Duration
	)
	holderStatus := 0
	c, err := exchange.NewClient(exchange.ClientOptions{BaseURL: cloud.ExchangeURL, Tenant: cloud.TenantDomain, Credential: cred,
		Scope: cloud.ExchangeScope, HTTPClient: hc,
		Sleep: func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			sleeps = append(sleeps, d)
			if len(sleeps) == 1 {
				// Instead of waiting Retry-After, let the holder finish.
				io.WriteString(sendRest, `{"CmdletInput":{"CmdletName":"Get-InboundConnector"}}`)
				sendRest.Close()
				holderStatus = <-holder
				return nil
			}
			time.Sleep(5 * time.Millisecond) // the slot frees just after the holder's answer
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Invoke(ctx, "Get-InboundConnector", nil)
	if err != nil {
		t.Fatalf("Get-InboundConnector under a concurrency limit of 1: %v", err)
	}
	if len(res.Objects) == 0 {
		t.Error("Get-InboundConnector returned no connectors; the demo tenant has some")
	}
	if holderStatus != http.StatusOK {
		t.Errorf("the request holding the slot answered %d, want 200", holderStatus)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(sleeps) == 0 || sleeps[0] != time.Second {
		t.Errorf("client waits %v; want the first to be the Retry-After of 1s", sleeps)
	}
	st := srv.Stats().Exchange
	if st.Throttled != len(sleeps) || st.RetryAfter != time.Duration(len(sleeps))*time.Second {
		t.Errorf("sim counted %d throttled answers and %v Retry-After; the client waited %d times", st.Throttled, st.RetryAfter, len(sleeps))
	}
	if !strings.Contains(srv.Stats().Table(), "exchange") {
		t.Errorf("Table() lacks the exchange row:\n%s", srv.Stats().Table())
	}
}
