package providers_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

func TestParamsJSON(t *testing.T) {
	ps := providers.Params{
		{Name: "Name", Value: "Relay"},
		{Name: "Enabled", Value: false},
		{Name: "Reset", Value: nil},
		{Name: "SenderDomains", Value: []string{"a.com", "b.com"}},
		{Name: "Priority", Value: int64(3)},
		{Name: "Confirm", Value: providers.Switch(false)},
	}
	b, err := json.Marshal(ps)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Name":"Relay","Enabled":false,"Reset":null,"SenderDomains":["a.com","b.com"],"Priority":3,"Confirm":false}`
	if string(b) != want {
		t.Errorf("got %s\nwant %s", b, want)
	}
	var back providers.Params
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	ps[5].Value = false // a switch comes back as a boolean
	if diff := cmp.Diff(ps, back); diff != "" {
		t.Error(diff)
	}
}

// FuzzParamsJSON: any JSON object decodes or is refused; what decodes encodes back to an
// equivalent object.
func FuzzParamsJSON(f *testing.F) {
	f.Add(`{"a":"b","c":[],"d":null,"e":true,"f":12}`)
	f.Add(`{"a":{"nested":1}}`)
	f.Add(`[1,2]`)
	f.Fuzz(func(t *testing.T, s string) {
		var ps providers.Params
		if err := json.Unmarshal([]byte(s), &ps); err != nil {
			return
		}
		b, err := json.Marshal(ps)
		if err != nil {
			t.Fatalf("decoded %q but cannot encode: %v", s, err)
		}
		var again providers.Params
		if err := json.Unmarshal(b, &again); err != nil {
			t.Fatalf("re-decoding %s: %v", b, err)
		}
		if diff := cmp.Diff(ps, again); diff != "" {
			t.Fatalf("round trip of %q changed:\n%s", s, diff)
		}
	})
}

func TestAddRemoveRoundTrip(t *testing.T) {
	ps := providers.Params{{Name: "EmailAddresses", Value: providers.AddRemove{Add: []string{"smtp:a@contoso.com"}, Remove: []string{"smtp:b@contoso.com"}}}}
	b, err := json.Marshal(ps)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"EmailAddresses":{"@odata.type":"#Exchange.GenericHashTable","add":["smtp:a@contoso.com"],"remove":["smtp:b@contoso.com"]}}`
	if string(b) != want {
		t.Errorf("got %s\nwant %s", b, want)
	}
	var back providers.Params
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ps, back); diff != "" {
		t.Error(diff)
	}
	for _, bad := range []string{`{"X":{"a":1}}`, `{"X":{"@odata.type":"#Exchange.GenericHashTable","add":[1]}}`, `{"X":{"@odata.type":"#Exchange.GenericHashTable","other":[]}}`} {
		var ps providers.Params
		if err := json.Unmarshal([]byte(bad), &ps); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func TestOperationFill(t *testing.T) {
	app := schema.Placeholder("entra_application.ews", "app_id")
	spaced := schema.Placeholder(`entra_application.apps["a b"]`, "object_id")
	known := map[string]string{
		"entra_application.ews.app_id":            "11111111-2222-3333-4444-555555555555",
		`entra_application.apps["a b"].object_id`: "obj-1",
	}
	// The for_each key's quotes are escaped in JSON, as a provider's json.Marshal writes them.
	body := `{"appId":` + quote(app) + `,"count":3,"ratio":0.25,"big":12345678901234567890,"none":null,"on":true,` +
		`"roles":[{"id":"r1","members":[` + quote(spaced) + `,"plain",7]},[1,2.5e3,` + quote(app) + `]],` +
		`"nested":{"deep":{"ids":[` + quote("x-"+app) + `]}}}`
	op := providers.Operation{
		Service: providers.Graph, Method: "PATCH", Path: "/servicePrincipals(appId='" + app + "')/owners/" + spaced,
		Body: json.RawMessage(body),
		Parameters: providers.Params{
			{Name: "AppId", Value: app},
			{Name: "Members", Value: []string{spaced, "plain", "pre-" + app}},
			{Name: "Changes", Value: providers.AddRemove{Add: []string{app}, Remove: []string{spaced}}},
			{Name: "AddOnly", Value: providers.AddRemove{Add: []string{app}}},
			{Name: "Enabled", Value: true},
			{Name: "Priority", Value: int64(2)},
			{Name: "Reset", Value: nil},
			{Name: "Confirm", Value: providers.Switch(false)},
		},
		Produces: map[string]string{"id": "entra_service_principal.ews.object_id"},
	}
	before, _ := json.Marshal(op)
	got, missing, err := op.Fill(known)
	if err != nil || len(missing) > 0 {
		t.Fatalf("Fill: %v, missing %v", err, missing)
	}
	if after, _ := json.Marshal(op); string(after) != string(before) {
		t.Errorf("Fill changed the operation it was called on:\n%s\nwas\n%s", after, before)
	}
	id := known["entra_application.ews.app_id"]
	if want := "/servicePrincipals(appId='" + id + "')/owners/obj-1"; got.Path != want {
		t.Errorf("path %q, want %q", got.Path, want)
	}
	wantBody := `{"appId":"` + id + `","count":3,"ratio":0.25,"big":12345678901234567890,"none":null,"on":true,` +
		`"roles":[{"id":"r1","members":["obj-1","plain",7]},[1,2.5e3,"` + id + `"]],` +
		`"nested":{"deep":{"ids":["x-` + id + `"]}}}`
	if diff := cmp.Diff(decodeJSON(t, wantBody), decodeJSON(t, string(got.Body))); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	for _, n := range []string{"12345678901234567890", "0.25", "2.5e3"} {
		if !strings.Contains(string(got.Body), n) {
			t.Errorf("the number %s is not preserved: %s", n, got.Body)
		}
	}
	wantParams := providers.Params{
		{Name: "AppId", Value: id},
		{Name: "Members", Value: []string{"obj-1", "plain", "pre-" + id}},
		{Name: "Changes", Value: providers.AddRemove{Add: []string{id}, Remove: []string{"obj-1"}}},
		{Name: "AddOnly", Value: providers.AddRemove{Add: []string{id}}},
		{Name: "Enabled", Value: true},
		{Name: "Priority", Value: int64(2)},
		{Name: "Reset", Value: nil},
		{Name: "Confirm", Value: providers.Switch(false)},
	}
	if diff := cmp.Diff(wantParams, got.Parameters); diff != "" {
		t.Errorf("parameters (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(op.Produces, got.Produces); diff != "" || got.Service != op.Service || got.Method != op.Method {
		t.Errorf("other fields changed: %+v", got)
	}
}

func TestOperationFillWithoutPlaceholders(t *testing.T) {
	// A body without placeholders is sent byte for byte as compiled.
	body := json.RawMessage(`{ "b": 1.0, "a": "<&>" }`)
	op := providers.Operation{Service: providers.Graph, Method: "POST", Path: "/x", Body: body,
		Parameters: providers.Params{{Name: "Members", Value: []string(nil)}}}
	got, missing, err := op.Fill(nil)
	if err != nil || len(missing) > 0 {
		t.Fatalf("Fill: %v, missing %v", err, missing)
	}
	if string(got.Body) != string(body) || got.Path != "/x" {
		t.Errorf("got %s %s", got.Path, got.Body)
	}
	if diff := cmp.Diff(op.Parameters, got.Parameters); diff != "" {
		t.Error(diff)
	}
}

func TestOperationFillMissing(t *testing.T) {
	p := func(addr string) string { return schema.Placeholder(addr, "app_id") }
	op := providers.Operation{
		Service: providers.Graph, Method: "POST", Path: "/applications/" + p("a.path"),
		Body:       json.RawMessage(`{"x":["` + p("a.body") + `"],"y":"` + p("a.known") + `"}`),
		Parameters: providers.Params{{Name: "P", Value: p("a.param")}, {Name: "L", Value: []string{p("a.list")}}, {Name: "AR", Value: providers.AddRemove{Remove: []string{p("a.remove")}}}},
	}
	got, missing, err := op.Fill(map[string]string{"a.known.app_id": "K"})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(missing)
	want := []string{"a.body.app_id", "a.list.app_id", "a.param.app_id", "a.path.app_id", "a.remove.app_id"}
	if diff := cmp.Diff(want, missing); diff != "" {
		t.Errorf("missing (-want +got):\n%s", diff)
	}
	// What could be filled is; what could not stays a placeholder.
	if !strings.Contains(string(got.Body), `"y":"K"`) || !strings.Contains(string(got.Body), p("a.body")) || got.Path != op.Path {
		t.Errorf("got %s %s", got.Path, got.Body)
	}
}

func TestOperationFillBadBody(t *testing.T) {
	op := providers.Operation{Service: providers.Graph, Method: "POST", Path: "/x",
		Body: json.RawMessage(`{"appId":"` + schema.Placeholder("a.b", "c") + `"`)}
	if _, _, err := op.Fill(map[string]string{"a.b.c": "v"}); err == nil || !strings.Contains(err.Error(), "POST /x: the body is not JSON") {
		t.Errorf("err %v", err)
	}
}

func TestOperationJSONRoundTrip(t *testing.T) {
	op := providers.Operation{
		Service: providers.Graph, Method: "POST", Path: "/applications/" + schema.Placeholder("entra_application.ews", "object_id") + "/addPassword",
		Body:     json.RawMessage(`{"passwordCredential":{"displayName":"ci"}}`),
		Produces: map[string]string{"keyId": "entra_application_password.ci.key_id", "endDateTime": "entra_application_password.ci.end"},
		Deliver:  &providers.Delivery{Field: "secretText", File: "ci.secret", What: "client secret ci of Contoso relay"},
	}
	b, err := json.Marshal(op)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"produces":{"endDateTime":"entra_application_password.ci.end","keyId":"entra_application_password.ci.key_id"}`,
		`"deliver":{"field":"secretText","file":"ci.secret","what":"client secret ci of Contoso relay"}`} {
		if !strings.Contains(string(b), s) {
			t.Errorf("%s lacks %s", b, s)
		}
	}
	var back providers.Operation
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(op, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}

	// Without them, neither key is written (plans of operations that produce nothing are as before).
	plain, _ := json.Marshal(providers.Operation{Service: providers.Exchange, Cmdlet: "Set-X", Parameters: providers.Params{{Name: "Identity", Value: "x"}}})
	if want := `{"service":"exchange","cmdlet":"Set-X","parameters":{"Identity":"x"}}`; string(plain) != want {
		t.Errorf("got %s, want %s", plain, want)
	}
	// A delivery to standard output has no file.
	d, _ := json.Marshal(providers.Delivery{Field: "secretText", What: "w"})
	if want := `{"field":"secretText","what":"w"}`; string(d) != want {
		t.Errorf("got %s, want %s", d, want)
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func decodeJSON(t *testing.T, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return v
}
