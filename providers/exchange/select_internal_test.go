package exchange

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/providers/providertest"
	"github.com/exoform/exoform/sim"
)

// allProperties hides the client's $select, so that reads through it ask for every property.
type allProperties struct{ invoker }

// selectSpy records what a read asked for and the properties its objects came back with.
type selectSpy struct {
	*Client
	mu    sync.Mutex
	sel   []string
	props map[string]bool
}

func (s *selectSpy) InvokePagesSelect(ctx context.Context, cmdlet string, params providers.Params, sel []string, fn func(*Page) error) error {
	s.mu.Lock()
	s.sel = sel
	s.mu.Unlock()
	return s.Client.InvokePagesSelect(ctx, cmdlet, params, sel, func(p *Page) error {
		s.mu.Lock()
		for _, o := range p.Objects {
			for k := range o {
				s.props[k] = true
			}
		}
		s.mu.Unlock()
		return fn(p)
	})
}

// TestBulkReadsSelectWhatTheyUse reads the simulated tenant's mailboxes with $select and
// without, small pages so that the reads are paged and partitioned, and requires the same live
// objects: a property the conversion reads but the select leaves out would come back null and
// plan a wrong update. It also requires that the objects carried only the selected properties.
func TestBulkReadsSelectWhatTheyUse(t *testing.T) {
	srv, err := sim.Start(context.Background(), sim.Options{StatePath: t.TempDir() + "/tenant.json",
		Mailboxes: 120, SharedMailboxes: 30, MailboxPermissions: 20, SMTPAuthOverrides: 40, GenerateSeed: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	cloud, hc, cred := providertest.SimConnection(t, srv)
	c, err := NewClient(ClientOptions{BaseURL: cloud.ExchangeURL, Tenant: cloud.TenantDomain, Credential: cred,
		Scope: cloud.ExchangeScope, HTTPClient: hc, PageSize: 25})
	if err != nil {
		t.Fatal(err)
	}
	readers := []struct {
		name string
		read func(invoker) ([]providers.LiveObject, error)
		sel  []string
	}{
		{"Get-CASMailbox", func(c invoker) ([]providers.LiveObject, error) {
			return (&casMailbox{c: c}).ReadAll(context.Background())
		}, casSelect},
		{"Get-Mailbox shared", func(c invoker) ([]providers.LiveObject, error) {
			return (&sharedMailbox{c: c}).ReadAll(context.Background())
		}, sharedSelect},
	}
	for _, r := range readers {
		t.Run(r.name, func(t *testing.T) {
			spy := &selectSpy{Client: c, props: map[string]bool{}}
			got, err := r.read(spy)
			if err != nil {
				t.Fatal(err)
			}
			want, err := r.read(allProperties{c})
			if err != nil {
				t.Fatal(err)
			}
			if len(want) < 25 {
				t.Fatalf("read %d objects; the test needs more than a page", len(want))
			}
			if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b cty.Value) bool { return a.RawEquals(b) })); diff != "" {
				t.Errorf("live objects (-every property +$select):\n%s", diff)
			}
			if diff := cmp.Diff(r.sel, spy.sel); diff != "" {
				t.Errorf("$select sent (-want +got):\n%s", diff)
			}
			selected := map[string]bool{}
			for _, p := range r.sel {
				selected[p] = true
			}
			for p := range spy.props {
				if name, _, _ := strings.Cut(p, "@"); !selected[name] {
					t.Errorf("the objects carried %s, which was not selected", p)
				}
			}
		})
	}
}

// TestCASReadDeclaredConvertsDeclaredOnly: ReadDeclared gives every mailbox with its names, the
// settings of the mailboxes the keys name (by primary address or by another name) as ReadAll
// reads them, and null settings for the others.
func TestCASReadDeclaredConvertsDeclaredOnly(t *testing.T) {
	srv, err := sim.Start(context.Background(), sim.Options{StatePath: t.TempDir() + "/tenant.json",
		Mailboxes: 40, SMTPAuthOverrides: 20, GenerateSeed: 5})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	cloud, hc, cred := providertest.SimConnection(t, srv)
	c, err := NewClient(ClientOptions{BaseURL: cloud.ExchangeURL, Tenant: cloud.TenantDomain, Credential: cred,
		Scope: cloud.ExchangeScope, HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	r := &casMailbox{c: c}
	all, err := r.ReadAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 10 || len(all[5].Names) == 0 {
		t.Fatalf("read %d mailboxes; the test needs some with names", len(all))
	}
	// One by its key in other case, one by another of its names.
	keys := []string{strings.ToUpper(all[2].Key), all[5].Names[len(all[5].Names)-1]}
	got, err := r.ReadDeclared(context.Background(), keys)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(all) {
		t.Fatalf("ReadDeclared gave %d mailboxes, ReadAll %d", len(got), len(all))
	}
	null := CASMailboxType.NullObject()
	for i := range all {
		want := all[i]
		if i != 2 && i != 5 {
			want.Value = null
		}
		if diff := cmp.Diff(want, got[i], cmp.Comparer(func(a, b cty.Value) bool { return a.RawEquals(b) })); diff != "" {
			t.Errorf("mailbox %d (-want +got):\n%s", i, diff)
		}
	}
}
