package bench

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/exoform/exoform/sim"
)

// TestPerObjectReads sends the per-object reads of a small configuration to a sim with latency
// off and checks what it served, request by request: the count is the baseline's requests.
func TestPerObjectReads(t *testing.T) {
	state, ten := seedSmall(t)
	spec := Spec{CASMailboxes: 4, SharedMailboxes: 2, Connectors: 1, Rules: 3, Apps: 2}
	r := &Runner{Dir: t.TempDir()}
	m, _, err := r.readPerObject(context.Background(), state, sim.Profile{}, t.TempDir(), perObjectReads(declare(ten, spec)))
	if err != nil {
		t.Fatal(err)
	}
	// Exchange: a request per declared object, three per shared mailbox, and one listing of
	// access policies, which the configuration declares none of. Graph: per application, its
	// lookup, its service principal's and its federated credentials.
	want := map[string]int{
		"Get-CASMailbox": 4, "Get-Mailbox": 2, "Get-MailboxPermission": 2, "Get-RecipientPermission": 2,
		"Get-InboundConnector": 1, "Get-TransportRule": 3, "Get-ApplicationAccessPolicy": 1, "Graph GET": 6,
	}
	if diff := cmp.Diff(want, m.PerCmdlet); diff != "" {
		t.Errorf("the sim's requests per cmdlet mismatch (-want +got):\n%s", diff)
	}
	if got, want := m.TotalRequests(), 4+3*2+1+3+1+3*2; got != want {
		t.Errorf("TotalRequests() = %d, want %d", got, want)
	}
}
