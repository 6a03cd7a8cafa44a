package plan_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/providers"
	pt "github.com/exoform/exoform/providers/providertest"
	"github.com/exoform/exoform/schema"
)

const svc providers.Service = "fakeapi"

// answering is an executor of svc that returns the service's answers (a ResultExecutor) and
// records every operation it is given, and whether it was marked pending.
type answering struct {
	mu      sync.Mutex
	answers map[string]string // op.String() → JSON answer; "" answers {}
	sent    []providers.Operation
	pending []bool
}

func (a *answering) Service() providers.Service { return svc }

func (a *answering) Execute(ctx context.Context, op providers.Operation) error {
	_, err := a.ExecuteResult(ctx, op)
	return err
}

func (a *answering) ExecuteResult(ctx context.Context, op providers.Operation) (json.RawMessage, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sent = append(a.sent, op)
	a.pending = append(a.pending, providers.IsPending(ctx))
	ans, ok := a.answers[op.String()]
	if !ok || ans == "" {
		return json.RawMessage(`{}`), nil
	}
	return json.RawMessage(ans), nil
}

// plainExecutor can only send: it has no answers to return.
type plainExecutor struct{ sent []providers.Operation }

func (p *plainExecutor) Service() providers.Service { return svc }
func (p *plainExecutor) Execute(_ context.Context, op providers.Operation) error {
	p.sent = append(p.sent, op)
	return nil
}

// handPlan is a plan of creates, one per list of operations, named fake_app.<name>.
func handPlan(changes map[string][]providers.Operation, order ...string) *plan.Plan {
	pl := &plan.Plan{Workspace: "ws"}
	for _, name := range order {
		pl.Changes = append(pl.Changes, &plan.Change{Addr: "fake_app." + name, Type: "fake_app", Key: name, Action: plan.Create,
			Operations: changes[name], DependsOn: nil})
	}
	return pl
}

func registryWith(ex providers.Executor) *providers.Registry {
	reg := providers.NewRegistry()
	reg.AddResource(pt.NewAppTenant())
	reg.AddExecutor(ex)
	return reg
}

func opJSON(t *testing.T, op providers.Operation) string {
	t.Helper()
	b, err := json.Marshal(op)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sentJSON is what an executor sends of an operation: all but what apply reads from the answer.
func sentJSON(t *testing.T, op providers.Operation) string {
	t.Helper()
	op.Produces, op.Deliver = nil, nil
	return opJSON(t, op)
}

func ph(addr, attr string) string { return schema.Placeholder(addr, attr) }

func TestApplyFillsProducedValues(t *testing.T) {
	ex := &answering{answers: map[string]string{
		"POST /applications": `{"appId":"app-1","id":"obj-1","extra":{"n":5}}`,
	}}
	p := &plan.Planner{Registry: registryWith(ex)}
	pl := handPlan(map[string][]providers.Operation{
		"a": {{Service: svc, Method: "POST", Path: "/applications", Body: json.RawMessage(`{"displayName":"A"}`),
			// A produced value is named by its reference, or by its placeholder.
			Produces: map[string]string{"appId": "fake_app.a.app_id", "id": ph("fake_app.a", "object_id")}}},
		"b": {
			{Service: svc, Method: "POST", Path: "/servicePrincipals", Body: json.RawMessage(`{"appId":"` + ph("fake_app.a", "app_id") + `"}`)},
			{Service: svc, Method: "PATCH", Path: "/applications/" + ph("fake_app.a", "object_id"),
				Parameters: providers.Params{{Name: "Owners", Value: []string{ph("fake_app.a", "app_id")}}}},
		},
		"c": {{Service: svc, Method: "GET", Path: "/nothing-produced"}},
	}, "a", "b", "c")
	recorded := opJSON(t, pl.Changes[1].Operations[0])
	var events []plan.Event
	n, ds := p.Apply(context.Background(), pl, func(e plan.Event) { events = append(events, e) })
	if ds.HasErrors() || n != 3 {
		t.Fatalf("applied %d: %v", n, ds)
	}
	if len(ex.sent) != 4 {
		t.Fatalf("sent %d operations", len(ex.sent))
	}
	for _, op := range ex.sent {
		if s := sentJSON(t, op); strings.Contains(s, "⟪") {
			t.Errorf("the executor was given a placeholder: %s", s)
		}
	}
	// fake_app.c depends on nothing and may run at any time; b's operations follow a's.
	byPath := map[string]int{}
	for i, op := range ex.sent {
		byPath[op.Method+" "+op.Path] = i
	}
	sp, patch := byPath["POST /servicePrincipals"], byPath["PATCH /applications/obj-1"]
	if got := string(ex.sent[sp].Body); got != `{"appId":"app-1"}` {
		t.Errorf("body %s", got)
	}
	if _, ok := byPath["PATCH /applications/obj-1"]; !ok {
		t.Errorf("no PATCH of /applications/obj-1 in %v", byPath)
	}
	if got, _ := ex.sent[patch].Parameters.Get("Owners"); !cmp.Equal(got, []string{"app-1"}) {
		t.Errorf("owners %v", got)
	}
	if byPath["POST /applications"] > sp || sp > patch {
		t.Errorf("sent in the order %v", byPath)
	}
	if diff := cmp.Diff(map[string]string{"fake_app.a.app_id": "app-1", "fake_app.a.object_id": "obj-1"}, pl.Known); diff != "" {
		t.Errorf("known (-want +got):\n%s", diff)
	}
	// Operations that use a value produced moments ago may wait out replication; others not.
	got := map[string]bool{}
	for i, op := range ex.sent {
		got[op.Method+" "+op.Path] = ex.pending[i]
	}
	want := map[string]bool{"POST /applications": false, "POST /servicePrincipals": true, "PATCH /applications/obj-1": true, "GET /nothing-produced": false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pending (-want +got):\n%s", diff)
	}
	// Progress shows what is sent, filled in; the plan keeps what was reviewed.
	for _, e := range events {
		if e.Op != nil && strings.Contains(sentJSON(t, *e.Op), "⟪") {
			t.Errorf("progress shows a placeholder: %s", sentJSON(t, *e.Op))
		}
	}
	if got := opJSON(t, pl.Changes[1].Operations[0]); got != recorded {
		t.Errorf("apply rewrote the plan's operation: %s", got)
	}
}

// An operation that produces a value but uses none is not waiting for replication: naming the
// values it produces by their placeholders (as entra_application does) is not using them.
func TestApplyProducingOperationIsNotPending(t *testing.T) {
	ex := &answering{answers: map[string]string{"POST /applications": `{"appId":"app-1"}`}}
	p := &plan.Planner{Registry: registryWith(ex)}
	pl := handPlan(map[string][]providers.Operation{
		"a": {{Service: svc, Method: "POST", Path: "/applications", Produces: map[string]string{"appId": ph("fake_app.a", "app_id")}}},
	}, "a")
	if n, ds := p.Apply(context.Background(), pl, nil); n != 1 || ds.HasErrors() {
		t.Fatalf("applied %d: %v", n, ds)
	}
	if diff := cmp.Diff([]bool{false}, ex.pending); diff != "" {
		t.Errorf("pending (-want +got):\n%s", diff)
	}
}

func TestApplyProducedValueMissing(t *testing.T) {
	tests := map[string]struct{ answer, want string }{
		"field absent":    {`{"id":"obj-1"}`, "POST /applications: the answer has no appId"},
		"field empty":     {`{"appId":""}`, "POST /applications: the answer has no appId"},
		"not a string":    {`{"appId":5}`, "POST /applications: the answer has no appId"},
		"not an object":   {`["app-1"]`, "POST /applications: the answer is not a JSON object"},
		"not JSON at all": {`app-1`, "POST /applications: the answer is not a JSON object"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ex := &answering{answers: map[string]string{"POST /applications": tc.answer}}
			p := &plan.Planner{Registry: registryWith(ex)}
			pl := handPlan(map[string][]providers.Operation{
				"a": {{Service: svc, Method: "POST", Path: "/applications", Produces: map[string]string{"appId": "fake_app.a.app_id"}}},
				"b": {{Service: svc, Method: "POST", Path: "/servicePrincipals", Body: json.RawMessage(`{"appId":"` + ph("fake_app.a", "app_id") + `"}`)}},
			}, "a", "b")
			n, ds := p.Apply(context.Background(), pl, nil)
			if n != 0 || len(ds) != 1 || ds[0].Summary != "Apply stopped: POST /applications failed" || ds[0].Address != "fake_app.a" {
				t.Fatalf("applied %d: %v", n, ds)
			}
			for _, s := range []string{tc.want, "Not applied: fake_app.a, fake_app.b."} {
				if !strings.Contains(ds[0].Detail, s) {
					t.Errorf("detail lacks %q:\n%s", s, ds[0].Detail)
				}
			}
			if len(ex.sent) != 1 || len(pl.Known) != 0 {
				t.Errorf("sent %d operations, known %v", len(ex.sent), pl.Known)
			}
		})
	}
}

// An operation that needs a value no earlier operation produced is not sent.
func TestApplyNeedsAValueNothingProduced(t *testing.T) {
	ex := &answering{}
	p := &plan.Planner{Registry: registryWith(ex)}
	pl := handPlan(map[string][]providers.Operation{
		"a": {{Service: svc, Method: "POST", Path: "/servicePrincipals", Body: json.RawMessage(`{"appId":"` + ph("fake_app.x", "app_id") + `"}`)}},
	}, "a")
	n, ds := p.Apply(context.Background(), pl, nil)
	if n != 0 || !ds.HasErrors() || !strings.Contains(ds[0].Detail, "POST /servicePrincipals needs fake_app.x.app_id, which no earlier operation of this apply produced") {
		t.Fatalf("applied %d: %v", n, ds)
	}
	if len(ex.sent) != 0 {
		t.Errorf("sent %v", ex.sent)
	}
}

// An executor that cannot return answers cannot run an operation that produces values.
func TestApplyProducesNeedsAResultExecutor(t *testing.T) {
	ex := &plainExecutor{}
	p := &plan.Planner{Registry: registryWith(ex)}
	pl := handPlan(map[string][]providers.Operation{
		"a": {{Service: svc, Method: "POST", Path: "/applications", Produces: map[string]string{"appId": "fake_app.a.app_id"}}},
	}, "a")
	n, ds := p.Apply(context.Background(), pl, nil)
	if n != 0 || !ds.HasErrors() || !strings.Contains(ds[0].Detail, "POST /applications produces values, which the fakeapi executor cannot return") {
		t.Fatalf("applied %d: %v", n, ds)
	}
	if len(ex.sent) != 0 {
		t.Errorf("sent %v", ex.sent)
	}
}

const secret = "S3CRET~value-42"

type delivered struct {
	addr   string
	d      providers.Delivery
	secret string
}

// secretFree fails the test when the secret appears in what apply reports or records.
func secretFree(t *testing.T, pl *plan.Plan, events []plan.Event, shown string) {
	t.Helper()
	for ref, v := range pl.Known {
		if strings.Contains(v, secret) || strings.Contains(ref, secret) {
			t.Errorf("the secret is recorded in Known[%q]", ref)
		}
	}
	for _, e := range events {
		var s string
		if e.Op != nil {
			s = opJSON(t, *e.Op)
		}
		if e.Err != nil {
			s += e.Err.Error()
		}
		if strings.Contains(s, secret) {
			t.Errorf("a progress event shows the secret: %s", s)
		}
	}
	if strings.Contains(shown, secret) {
		t.Errorf("the diagnostics show the secret: %s", shown)
	}
	for _, c := range pl.Changes {
		for _, op := range c.Operations {
			if strings.Contains(opJSON(t, op), secret) {
				t.Errorf("the plan holds the secret: %s", opJSON(t, op))
			}
		}
	}
}

func TestApplyDeliversSecret(t *testing.T) {
	ex := &answering{answers: map[string]string{
		"POST /applications/obj-1/addPassword": `{"secretText":"` + secret + `","keyId":"key-1","hint":"S3C"}`,
	}}
	var got []delivered
	p := &plan.Planner{Registry: registryWith(ex), Deliver: func(c *plan.Change, d providers.Delivery, s string) error {
		got = append(got, delivered{c.Addr, d, s})
		return nil
	}}
	dl := &providers.Delivery{Field: "secretText", File: "ci.secret", What: "client secret ci"}
	pl := handPlan(map[string][]providers.Operation{
		"ci": {{Service: svc, Method: "POST", Path: "/applications/obj-1/addPassword", Deliver: dl,
			Produces: map[string]string{"keyId": "fake_app.ci.key_id"}}},
		"uses": {{Service: svc, Method: "PATCH", Path: "/keys/" + ph("fake_app.ci", "key_id")}},
	}, "ci", "uses")
	var events []plan.Event
	n, ds := p.Apply(context.Background(), pl, func(e plan.Event) { events = append(events, e) })
	if n != 2 || ds.HasErrors() {
		t.Fatalf("applied %d: %v", n, ds)
	}
	if diff := cmp.Diff([]delivered{{"fake_app.ci", *dl, secret}}, got, cmp.AllowUnexported(delivered{})); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"fake_app.ci.key_id": "key-1"}, pl.Known); diff != "" {
		t.Errorf("known (-want +got):\n%s", diff)
	}
	if ex.sent[1].Path != "/keys/key-1" {
		t.Errorf("path %s", ex.sent[1].Path)
	}
	secretFree(t, pl, events, fmt.Sprintf("%v %#v", ds, ds))
}

func TestApplyDeliveryFailures(t *testing.T) {
	dl := &providers.Delivery{Field: "secretText", File: "ci.secret", What: "client secret ci"}
	tests := []struct {
		name      string
		answer    string
		produces  map[string]string
		deliver   error
		want      string
		delivered int
	}{
		{name: "no secret in the answer", answer: `{"keyId":"key-1"}`,
			want: "the answer has no secretText, so the new secret's value is unknown; remove the secret and apply again"},
		{name: "delivering fails", answer: `{"secretText":"` + secret + `"}`, deliver: errors.New("ci.secret: permission denied"), delivered: 1,
			want: "client secret ci was created, but delivering its value failed: ci.secret: permission denied. The value cannot be read again"},
		{name: "the secret cannot be recorded as a produced value", answer: `{"secretText":"` + secret + `"}`, delivered: 1,
			produces: map[string]string{"secretText": "fake_app.ci.secret"}, want: "the answer has no secretText"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ex := &answering{answers: map[string]string{"POST /addPassword": tc.answer}}
			calls := 0
			p := &plan.Planner{Registry: registryWith(ex), Deliver: func(*plan.Change, providers.Delivery, string) error {
				calls++
				return tc.deliver
			}}
			pl := handPlan(map[string][]providers.Operation{
				"ci":    {{Service: svc, Method: "POST", Path: "/addPassword", Deliver: dl, Produces: tc.produces}},
				"after": {{Service: svc, Method: "GET", Path: "/after"}},
			}, "ci", "after")
			var events []plan.Event
			n, ds := p.Apply(context.Background(), pl, func(e plan.Event) { events = append(events, e) })
			if n != 0 || len(ds) != 1 || !strings.Contains(ds[0].Detail, tc.want) || !strings.Contains(ds[0].Detail, "Not applied: fake_app.ci, fake_app.after.") {
				t.Fatalf("applied %d: %v", n, ds)
			}
			if calls != tc.delivered || len(ex.sent) != 1 {
				t.Errorf("delivered %d times, sent %d operations", calls, len(ex.sent))
			}
			secretFree(t, pl, events, fmt.Sprintf("%v %#v", ds, ds))
		})
	}
}

// Without a destination for secrets (plan -out, a script), an operation that creates one is not
// sent: its secret would be lost.
func TestApplyDeliverWithoutDestination(t *testing.T) {
	ex := &answering{answers: map[string]string{"POST /addPassword": `{"secretText":"` + secret + `"}`}}
	p := &plan.Planner{Registry: registryWith(ex)}
	pl := handPlan(map[string][]providers.Operation{
		"first": {{Service: svc, Method: "POST", Path: "/first"}},
		"ci":    {{Service: svc, Method: "POST", Path: "/addPassword", Deliver: &providers.Delivery{Field: "secretText", What: "client secret ci"}}},
	}, "first", "ci")
	n, ds := p.Apply(context.Background(), pl, nil)
	if n != 1 || len(ds) != 1 || ds[0].Address != "fake_app.ci" || !strings.Contains(ds[0].Detail, "POST /addPassword creates a secret, and this command has nowhere to deliver it") {
		t.Fatalf("applied %d: %v", n, ds)
	}
	if len(ex.sent) != 1 || ex.sent[0].Path != "/first" {
		t.Errorf("sent %v", ex.sent)
	}
}

func TestKnownOutputs(t *testing.T) {
	a, b := ph("fake_app.a", "app_id"), ph(`fake_app.apps["x y"]`, "app_id")
	pl := &plan.Plan{
		Outputs: []schema.OutputValue{
			{Name: "id", Value: cty.StringVal(a)},
			{Name: "url", Value: cty.StringVal("https://x/" + a)},
			{Name: "secret_id", Sensitive: true, Description: "d", Value: cty.StringVal(a)},
			{Name: "all", Value: cty.ObjectVal(map[string]cty.Value{
				"ids":   cty.TupleVal([]cty.Value{cty.StringVal(a), cty.StringVal(b), cty.StringVal("plain")}),
				"set":   cty.SetVal([]cty.Value{cty.StringVal(a)}),
				"map":   cty.MapVal(map[string]cty.Value{"k": cty.StringVal(b)}),
				"n":     cty.NumberIntVal(3),
				"null":  cty.NullVal(cty.String),
				"bool":  cty.True,
				"inner": cty.ObjectVal(map[string]cty.Value{"deep": cty.ListVal([]cty.Value{cty.StringVal(a)})}),
			})},
			{Name: "unknown_ref", Value: cty.StringVal(ph("fake_app.gone", "app_id"))},
		},
		Known: map[string]string{"fake_app.a.app_id": "app-a", `fake_app.apps["x y"].app_id`: "app-xy"},
	}
	before := fmt.Sprintf("%#v", pl.Outputs)
	got := pl.KnownOutputs()
	want := []schema.OutputValue{
		{Name: "id", Value: cty.StringVal("app-a")},
		{Name: "url", Value: cty.StringVal("https://x/app-a")},
		{Name: "secret_id", Sensitive: true, Description: "d", Value: cty.StringVal("app-a")},
		{Name: "all", Value: cty.ObjectVal(map[string]cty.Value{
			"ids":   cty.TupleVal([]cty.Value{cty.StringVal("app-a"), cty.StringVal("app-xy"), cty.StringVal("plain")}),
			"set":   cty.SetVal([]cty.Value{cty.StringVal("app-a")}),
			"map":   cty.MapVal(map[string]cty.Value{"k": cty.StringVal("app-xy")}),
			"n":     cty.NumberIntVal(3),
			"null":  cty.NullVal(cty.String),
			"bool":  cty.True,
			"inner": cty.ObjectVal(map[string]cty.Value{"deep": cty.ListVal([]cty.Value{cty.StringVal("app-a")})}),
		})},
		// Nothing produced it (apply stopped before): it stays as it was.
		{Name: "unknown_ref", Value: cty.StringVal(ph("fake_app.gone", "app_id"))},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d outputs", len(got))
	}
	for i := range want {
		if got[i].Name != want[i].Name || got[i].Sensitive != want[i].Sensitive || got[i].Description != want[i].Description || !got[i].Value.RawEquals(want[i].Value) {
			t.Errorf("output %d:\n got %#v\nwant %#v", i, got[i], want[i])
		}
	}
	if after := fmt.Sprintf("%#v", pl.Outputs); after != before {
		t.Errorf("KnownOutputs changed the plan's outputs")
	}
	// Before apply, nothing is known: the outputs are as planned.
	pl.Known = nil
	for i, o := range pl.KnownOutputs() {
		if !o.Value.RawEquals(pl.Outputs[i].Value) {
			t.Errorf("%s changed: %#v", o.Name, o.Value)
		}
	}
}
