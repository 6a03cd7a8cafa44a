package exchange

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/exoform/exoform/providers"
)

// A list that comes with non-terminating errors may be incomplete: reading it must fail, never
// look like a tenant without connectors.
func TestReadAllRefusesPartialLists(t *testing.T) {
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"value":[],"@adminapi.errors":["The object couldn't be read."]}`)
	})
	c, _, _ := newTestClient(t, s, nil)
	objs, err := (&inboundConnector{c: c}).ReadAll(context.Background())
	if err == nil || !strings.Contains(err.Error(), "may be incomplete") {
		t.Fatalf("got %d objects, err %v", len(objs), err)
	}
}

// A write to an object this apply just created is retried while Exchange still answers "not
// found"; without the pending mark it fails at once.
func TestPendingWriteWaitsForReplication(t *testing.T) {
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n <= 3 { // the stub counts requests from 1
			writeJSON(w, 404, `{"error":{"code":"NotFound","message":"Error executing cmdlet","details":[{"code":"Client","target":"","message":"Ex94914C|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because object 'new@contoso.com' couldn't be found."}]}}`)
			return
		}
		writeJSON(w, 200, `{"value":[]}`)
	})
	c, _, _ := newTestClient(t, s, nil)
	var slept []time.Duration
	p := &Provider{client: c, sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }}
	op := providers.Operation{Service: providers.Exchange, Cmdlet: "Set-CASMailbox", Parameters: providers.Params{{Name: "Identity", Value: "new@contoso.com"}}}
	if err := p.Execute(context.Background(), op); !IsNotFound(err) {
		t.Fatalf("without the pending mark: %v", err)
	}
	if err := p.Execute(providers.WithPending(context.Background()), op); err != nil {
		t.Fatalf("pending write: %v (slept %v)", err, slept)
	}
	if len(slept) != 2 {
		t.Errorf("slept %v; want two waits", slept)
	}
}
