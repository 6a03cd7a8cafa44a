package entra

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/providers/providertest"
	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/sim"
)

const (
	pwApp   = "6a1b6c2e-3f4d-4e5f-8a9b-0c1d2e3f4a5b"
	pwKey   = "11111111-2222-4333-8444-555555555555"
	pwOlder = "99999999-2222-4333-8444-555555555555"
	pwOld2  = "00000000-2222-4333-8444-555555555555"
)

// pwNow is the fixed clock of these tests.
var pwNow = time.Date(2026, 11, 24, 10, 5, 30, 0, time.UTC)

func pwFixed(t time.Time) func() time.Time { return func() time.Time { return t } }

// pwValue builds a value of the type from the attributes given; the others are null.
func pwValue(attrs map[string]string) cty.Value {
	m := map[string]cty.Value{}
	for _, a := range ApplicationPasswordType.Attributes {
		if s, ok := attrs[a.Name]; ok {
			m[a.Name] = cty.StringVal(s)
		} else {
			m[a.Name] = cty.NullVal(a.Type)
		}
	}
	return cty.ObjectVal(m)
}

// pwAttrs is the inverse of pwValue, for comparing: null attributes are left out.
func pwAttrs(v cty.Value) map[string]string {
	out := map[string]string{}
	for name, av := range v.AsValueMap() {
		if !av.IsNull() {
			out[name] = av.AsString()
		}
	}
	return out
}

func pwLive(end, lifetime string, meta map[string]string) providers.LiveObject {
	if meta == nil {
		meta = map[string]string{}
	}
	meta[appPasswordAppMeta] = "obj-1"
	return providers.LiveObject{
		Key: schema.JoinKey(pwApp, "ci"), ID: pwKey, Meta: meta,
		Value: pwValue(map[string]string{"application": pwApp, "display_name": "ci", "lifetime": lifetime,
			"key_id": pwKey, "end_date_time": end, "hint": "abc"}),
	}
}

func TestApplicationPasswordCheck(t *testing.T) {
	type problem struct {
		Attr, Summary string
		Warning       bool
	}
	cases := []struct {
		name     string
		lifetime string // "" for null
		rotate   string
		want     []problem
	}{
		{"valid", "8760h", "720h", nil},
		{"valid without rotation", "4320h", "", nil},
		{"minutes are durations too", "90m", "30m", nil},
		{"null lifetime (offline)", "", "720h", nil},
		{"two years exactly", "17520h", "", nil},
		{"over two years", "17521h", "", []problem{{"lifetime", "Client secret lifetime over two years", true}}},
		{"ten years", "87600h", "", []problem{{"lifetime", "Client secret lifetime over two years", true}}},
		{"over ten years", "87601h", "", []problem{{"lifetime", "Invalid lifetime", false}}},
		{"days are not Go durations", "365d", "", []problem{{"lifetime", "Invalid lifetime", false}}},
		{"not a duration", "a year", "", []problem{{"lifetime", "Invalid lifetime", false}}},
		{"zero", "0h", "", []problem{{"lifetime", "Invalid lifetime", false}}},
		{"negative", "-8760h", "", []problem{{"lifetime", "Invalid lifetime", false}}},
		{"rotate_before not a duration", "8760h", "30 days", []problem{{"rotate_before", "Invalid rotate_before", false}}},
		{"rotate_before negative", "8760h", "-1h", []problem{{"rotate_before", "Invalid rotate_before", false}}},
		{"rotate_before zero", "8760h", "0s", nil},
		{"rotate_before equals lifetime", "720h", "720h", []problem{{"rotate_before", "Invalid rotate_before", false}}},
		{"rotate_before over lifetime", "720h", "8760h", []problem{{"rotate_before", "Invalid rotate_before", false}}},
		{"both wrong", "x", "y", []problem{{"lifetime", "Invalid lifetime", false}, {"rotate_before", "Invalid rotate_before", false}}},
		{"warning and a bad rotate_before", "20000h", "20000h", []problem{
			{"lifetime", "Client secret lifetime over two years", true}, {"rotate_before", "Invalid rotate_before", false}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			attrs := map[string]string{"application": pwApp, "display_name": "ci"}
			if tc.lifetime != "" {
				attrs["lifetime"] = tc.lifetime
			}
			if tc.rotate != "" {
				attrs["rotate_before"] = tc.rotate
			}
			var got []problem
			for _, p := range ApplicationPasswordType.Check(pwValue(attrs)) {
				if p.Detail == "" {
					t.Errorf("%s: no detail", p.Summary)
				}
				got = append(got, problem{p.Attr, p.Summary, p.Warning})
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("problems (-want +got):\n%s", d)
			}
		})
	}
}

func TestApplicationPasswordValidate(t *testing.T) {
	app := ApplicationPasswordType.Attribute("application")
	for _, s := range []string{pwApp, strings.ToUpper(pwApp), schema.Placeholder("entra_application.ews", "app_id")} {
		if msg := app.CheckValue(cty.StringVal(s)); msg != "" {
			t.Errorf("application %q: %s", s, msg)
		}
	}
	for _, s := range []string{"My app", "", "6a1b6c2e"} {
		if msg := app.CheckValue(cty.StringVal(s)); msg == "" {
			t.Errorf("application %q accepted", s)
		}
	}
	if msg := ApplicationPasswordType.Attribute("display_name").CheckValue(cty.StringVal(" ")); msg == "" {
		t.Error("an empty display_name was accepted")
	}
}

func TestApplicationPasswordResolve(t *testing.T) {
	const newEnd = "2027-11-24T10:05:00Z" // pwNow truncated to the minute + 8760h
	declared := map[string]string{"application": pwApp, "display_name": "ci", "lifetime": "8760h", "rotate_before": "720h", "value_file": "secrets/ci"}
	with := func(base map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range base {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "" {
				delete(out, kv[i])
			} else {
				out[kv[i]] = kv[i+1]
			}
		}
		return out
	}
	placeholder := schema.Placeholder("entra_application.ews", "app_id")
	cases := []struct {
		name    string
		desired map[string]string
		live    []providers.LiveObject
		want    map[string]string
	}{
		{"create", declared, nil, with(declared, "end_date_time", newEnd)},
		{"create for an application of this plan", with(declared, "application", placeholder), []providers.LiveObject{pwLive("2027-06-01T00:00:00Z", "8760h", nil)},
			with(declared, "application", placeholder, "end_date_time", newEnd)},
		{"another name is another secret", with(declared, "display_name", "cd"), []providers.LiveObject{pwLive("2027-06-01T00:00:00Z", "8760h", nil)},
			with(declared, "display_name", "cd", "end_date_time", newEnd)},
		{"not due", declared, []providers.LiveObject{pwLive("2027-06-01T00:00:00Z", "8760h", nil)},
			with(declared, "rotate_before", "", "value_file", "")},
		{"not due, key in other case, lifetime spelled otherwise", with(declared, "application", strings.ToUpper(pwApp), "display_name", "CI", "lifetime", "8760h0m0s"),
			[]providers.LiveObject{pwLive("2027-06-01T00:00:00Z", "8760h", nil)},
			with(declared, "application", strings.ToUpper(pwApp), "display_name", "CI", "rotate_before", "", "value_file", "")},
		{"due within rotate_before", declared, []providers.LiveObject{pwLive("2026-12-01T10:00:00Z", "8760h", nil)},
			with(declared, "rotate_before", "", "end_date_time", "rotate: expires 2026-12-01T10:00:00Z (in 6 days, rotate_before 720h); new secret expires "+newEnd)},
		{"due in hours", declared, []providers.LiveObject{pwLive("2026-11-24T15:00:00Z", "8760h", nil)},
			with(declared, "rotate_before", "", "end_date_time", "rotate: expires 2026-11-24T15:00:00Z (in 4 hours, rotate_before 720h); new secret expires "+newEnd)},
		{"due exactly at rotate_before", declared, []providers.LiveObject{pwLive("2026-12-24T10:05:30Z", "8760h", nil)},
			with(declared, "rotate_before", "", "end_date_time", "rotate: expires 2026-12-24T10:05:30Z (in 30 days, rotate_before 720h); new secret expires "+newEnd)},
		{"expired", declared, []providers.LiveObject{pwLive("2026-11-01T10:00:00Z", "8760h", nil)},
			with(declared, "rotate_before", "", "end_date_time", "rotate: expired 2026-11-01T10:00:00Z; new secret expires "+newEnd)},
		{"no rotate_before, expires in a day", with(declared, "rotate_before", ""), []providers.LiveObject{pwLive("2026-11-25T10:00:00Z", "8760h", nil)},
			with(declared, "rotate_before", "", "value_file", "")},
		{"no rotate_before, expires now", with(declared, "rotate_before", ""), []providers.LiveObject{pwLive("2026-11-24T10:05:30Z", "8760h", nil)},
			with(declared, "rotate_before", "", "end_date_time", "rotate: expired 2026-11-24T10:05:30Z; new secret expires "+newEnd)},
		{"lifetime changed", declared, []providers.LiveObject{pwLive("2027-06-01T00:00:00Z", "17520h", nil)},
			with(declared, "rotate_before", "", "end_date_time", "rotate: lifetime 17520h -> 8760h; new secret expires "+newEnd)},
		{"lifetime changed and expired: the expiry is the reason", declared, []providers.LiveObject{pwLive("2026-11-01T10:00:00Z", "17520h", nil)},
			with(declared, "rotate_before", "", "end_date_time", "rotate: expired 2026-11-01T10:00:00Z; new secret expires "+newEnd)},
		// A rotation whose removePassword never happened (the apply stopped after addPassword):
		// the newest secret is current, but the old one is still valid. It must not stay so.
		{"not due, but an older secret of the name remains", declared, []providers.LiveObject{pwLive("2027-06-01T00:00:00Z", "8760h", map[string]string{appPasswordOlderMeta: pwOld2})},
			with(declared, "rotate_before", "", "end_date_time", "rotate: 1 older secret(s) of this name remain valid (an earlier rotation did not finish); new secret expires "+newEnd)},
	}
	r := &applicationPassword{now: pwFixed(pwNow)}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.Resolve(pwValue(tc.desired), map[string][]providers.LiveObject{appPasswordTypeName: tc.live})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, pwAttrs(got)); d != "" {
				t.Errorf("resolved (-want +got):\n%s", d)
			}
		})
	}
}

func pwOp(method, path, body string) providers.Operation {
	return providers.Operation{Service: providers.Graph, Method: method, Path: path, Body: json.RawMessage(body)}
}

func TestApplicationPasswordCompile(t *testing.T) {
	placeholder := schema.Placeholder("entra_application.ews", "app_id")
	created := pwValue(map[string]string{"application": placeholder, "display_name": "ci", "lifetime": "8760h",
		"value_file": "secrets/ci", "end_date_time": "2027-11-24T10:05:00Z"})
	addNew := pwOp("POST", "/applications(appId='"+placeholder+"')/addPassword",
		`{"passwordCredential":{"displayName":"ci","startDateTime":"2026-11-24T10:05:00Z","endDateTime":"2027-11-24T10:05:00Z"}}`)
	addNew.Deliver = &providers.Delivery{Field: "secretText", File: "secrets/ci", What: `client secret "ci" of entra_application.ews`}
	addNew.Produces = map[string]string{"keyId": "entra_application_password.ci.key_id"}

	rotated := pwValue(map[string]string{"application": pwApp, "display_name": "ci", "lifetime": "8760h", "value_file": "secrets/ci",
		"key_id": pwKey, "hint": "abc", "end_date_time": "rotate: expired 2026-11-01T10:00:00Z; new secret expires 2027-11-24T10:05:00Z"})
	addRotated := pwOp("POST", "/applications(appId='"+pwApp+"')/addPassword",
		`{"passwordCredential":{"displayName":"ci","startDateTime":"2026-11-24T10:05:00Z","endDateTime":"2027-11-24T10:05:00Z"}}`)
	addRotated.Deliver = &providers.Delivery{Field: "secretText", File: "secrets/ci", What: `client secret "ci" of application ` + pwApp}
	addRotated.Produces = map[string]string{"keyId": "entra_application_password.ci.key_id"}
	remove := func(k string) providers.Operation {
		return pwOp("POST", "/applications(appId='"+pwApp+"')/removePassword", `{"keyId":"`+k+`"}`)
	}
	prior := pwLive("2026-11-01T10:00:00Z", "8760h", nil)
	priorDup := pwLive("2026-11-01T10:00:00Z", "8760h", map[string]string{appPasswordOlderMeta: pwOld2 + "," + pwOlder})
	noPlannedEnd := pwValue(map[string]string{"application": pwApp, "display_name": "ci", "lifetime": "4380h", "end_date_time": "2026-11-01T10:00:00Z"})

	cases := []struct {
		name    string
		c       providers.Change
		want    []providers.Operation
		wantErr string
	}{
		{"create for an application of this plan", providers.Change{Addr: "entra_application_password.ci", Kind: providers.Create, Desired: created,
			Set: []string{"lifetime", "value_file", "end_date_time"}}, []providers.Operation{addNew}, ""},
		{"rotate", providers.Change{Addr: "entra_application_password.ci", Kind: providers.Update, Prior: &prior, Desired: rotated,
			Set: []string{"value_file", "end_date_time"}}, []providers.Operation{addRotated, remove(pwKey)}, ""},
		{"rotate removes older secrets of the same name", providers.Change{Addr: "entra_application_password.ci", Kind: providers.Update, Prior: &priorDup, Desired: rotated,
			Set: []string{"value_file", "end_date_time"}}, []providers.Operation{addRotated, remove(pwKey), remove(pwOld2), remove(pwOlder)}, ""},
		{"only value_file and rotate_before", providers.Change{Addr: "entra_application_password.ci", Kind: providers.Update, Prior: &prior, Desired: rotated,
			Set: []string{"value_file", "rotate_before"}}, nil, ""},
		{"an update without a planned end", providers.Change{Addr: "entra_application_password.ci", Kind: providers.Update, Prior: &prior, Desired: noPlannedEnd,
			Set: []string{"lifetime"}}, nil, "no end date for the new secret"},
		{"a create without a planned end", providers.Change{Addr: "entra_application_password.ci", Kind: providers.Create,
			Desired: pwValue(map[string]string{"application": pwApp, "display_name": "ci", "lifetime": "8760h"})}, nil, "no end date for the new secret"},
		{"delete", providers.Change{Kind: providers.Delete, Prior: &prior}, nil, "never deleted"},
	}
	r := &applicationPassword{now: func() time.Time { panic("Compile must not read the clock") }}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.Compile(tc.c)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("operations (-want +got):\n%s", d)
			}
			again, _ := r.Compile(tc.c)
			a, _ := json.Marshal(got)
			b, _ := json.Marshal(again)
			if !bytes.Equal(a, b) {
				t.Errorf("compiling twice differs:\n%s\n%s", a, b)
			}
		})
	}
}

// TestApplicationPasswordResolveThenCompile: what Resolve plans at one moment compiles to the
// same operations at any later moment (a saved plan applied the next day).
func TestApplicationPasswordResolveThenCompile(t *testing.T) {
	desired := pwValue(map[string]string{"application": pwApp, "display_name": "ci", "lifetime": "8760h", "value_file": "f"})
	v, err := (&applicationPassword{now: pwFixed(pwNow)}).Resolve(desired, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := providers.Change{Addr: "entra_application_password.ci", Kind: providers.Create, Desired: v}
	first, err := (&applicationPassword{now: pwFixed(pwNow)}).Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	later, err := (&applicationPassword{now: pwFixed(pwNow.Add(30 * time.Hour))}).Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(first, later); d != "" {
		t.Errorf("compiling later differs (-first +later):\n%s", d)
	}
}

// pwSim starts a simulated tenant and returns a Graph client on it, as sim_test.go's simGraph.
func pwSim(t *testing.T) *Client {
	t.Helper()
	srv, err := sim.Start(context.Background(), sim.Options{StatePath: filepath.Join(t.TempDir(), "tenant.json")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	cloud, hc, cred := providertest.SimConnection(t, srv)
	c, err := NewClient(ClientOptions{BaseURL: cloud.GraphURL, Credential: cred, Scope: cloud.GraphScope, HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func pwCreateApp(t *testing.T, c *Client, name string) (objectID, appID string) {
	t.Helper()
	var app struct{ ID, AppID string }
	if err := c.Do(context.Background(), "POST", "/applications", map[string]any{"displayName": name}, &app); err != nil {
		t.Fatal(err)
	}
	if app.ID == "" || app.AppID == "" {
		t.Fatalf("created app %+v", app)
	}
	return app.ID, app.AppID
}

func pwFind(t *testing.T, objs []providers.LiveObject, key string) *providers.LiveObject {
	t.Helper()
	for i := range objs {
		if strings.EqualFold(objs[i].Key, key) {
			return &objs[i]
		}
	}
	return nil
}

// pwNoSecret fails when a secret's value appears in a live object.
func pwNoSecret(t *testing.T, o *providers.LiveObject, secrets ...string) {
	t.Helper()
	text := fmt.Sprintf("%s %s %v %v %s", o.Key, o.ID, o.Meta, o.Names, o.Value.GoString())
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("the live object holds a secret's value: %s", text)
		}
	}
}

// TestApplicationPasswordAgainstSim: read, create, read back, rotate (removing an older secret of
// the same name), through the provider's executor against the simulated tenant.
func TestApplicationPasswordAgainstSim(t *testing.T) {
	ctx := context.Background()
	client := pwSim(t)
	p := NewProvider(client)
	objectID, appID := pwCreateApp(t, client, "EWS connector")
	key := schema.JoinKey(appID, "ci")
	now := time.Now().UTC()
	r := &applicationPassword{c: client, now: pwFixed(now)}

	live, err := r.ReadAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if o := pwFind(t, live, key); o != nil {
		t.Fatalf("a new app has a secret: %+v", o)
	}

	// Create.
	declared := pwValue(map[string]string{"application": appID, "display_name": "ci", "lifetime": "8760h", "rotate_before": "720h", "value_file": "ci.secret"})
	desired, err := r.Resolve(declared, map[string][]providers.LiveObject{appPasswordTypeName: live})
	if err != nil {
		t.Fatal(err)
	}
	ops, err := r.Compile(providers.Change{Addr: "entra_application_password.ci", Kind: providers.Create, Desired: desired,
		Set: []string{"lifetime", "rotate_before", "value_file", "end_date_time"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != 1 || ops[0].Deliver == nil || ops[0].Deliver.File != "ci.secret" {
		t.Fatalf("create operations %+v", ops)
	}
	secret1, keyID1 := pwExecAdd(t, p, ops[0])

	live, err = r.ReadAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	o := pwFind(t, live, key)
	if o == nil {
		t.Fatalf("the new secret is not read back: %+v", live)
	}
	plannedEnd := desired.GetAttr("end_date_time").AsString()
	want := map[string]string{"application": appID, "display_name": "ci", "lifetime": "8760h", "key_id": keyID1,
		"end_date_time": plannedEnd, "hint": secret1[:3]}
	if d := cmp.Diff(want, pwAttrs(o.Value)); d != "" {
		t.Errorf("read back (-want +got):\n%s", d)
	}
	if o.ID != keyID1 || o.Meta[appPasswordAppMeta] != objectID || o.Meta[appPasswordOlderMeta] != "" {
		t.Errorf("read back id %s, meta %v", o.ID, o.Meta)
	}
	pwNoSecret(t, o, secret1)

	// A plan right after: nothing to do.
	if v, err := r.Resolve(declared, map[string][]providers.LiveObject{appPasswordTypeName: live}); err != nil {
		t.Fatal(err)
	} else if d := cmp.Diff(map[string]string{"application": appID, "display_name": "ci", "lifetime": "8760h"}, pwAttrs(v)); d != "" {
		t.Errorf("re-plan after create (-want +got):\n%s", d)
	}

	// Someone adds another secret of the same name that ends earlier: it is listed as older.
	var older struct {
		KeyID      string `json:"keyId"`
		SecretText string `json:"secretText"`
	}
	if err := client.Do(ctx, "POST", "/applications/"+objectID+"/addPassword", map[string]any{"passwordCredential": map[string]any{
		"displayName": "CI", "endDateTime": now.Add(24 * time.Hour).Format(time.RFC3339)}}, &older); err != nil {
		t.Fatal(err)
	}
	live, err = r.ReadAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	o = pwFind(t, live, key)
	if o == nil || o.ID != keyID1 || o.Meta[appPasswordOlderMeta] != older.KeyID {
		t.Fatalf("with an older secret of the same name: %+v", o)
	}
	pwNoSecret(t, o, secret1, older.SecretText)

	// Eleven months later the secret is due for rotation.
	r.now = pwFixed(now.Add(8100 * time.Hour))
	desired, err = r.Resolve(declared, map[string][]providers.LiveObject{appPasswordTypeName: live})
	if err != nil {
		t.Fatal(err)
	}
	if note := desired.GetAttr("end_date_time").AsString(); !strings.HasPrefix(note, "rotate: expires "+plannedEnd+" (in 27 days, rotate_before 720h); new secret expires ") {
		t.Fatalf("rotation note %q", note)
	}
	ops, err = r.Compile(providers.Change{Addr: "entra_application_password.ci", Kind: providers.Update, Prior: o, Desired: desired,
		Set: []string{"value_file", "end_date_time"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != 3 {
		t.Fatalf("rotation operations %+v", ops)
	}
	secret2, keyID2 := pwExecAdd(t, p, ops[0])
	for _, op := range ops[1:] {
		if op.Deliver != nil || len(op.Produces) > 0 {
			t.Errorf("%s delivers or produces", op)
		}
		if err := p.Execute(ctx, op); err != nil {
			t.Fatal(err)
		}
	}
	live, err = r.ReadAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	o = pwFind(t, live, key)
	if o == nil || o.ID != keyID2 || o.Meta[appPasswordOlderMeta] != "" || o.Value.GetAttr("hint").AsString() != secret2[:3] {
		t.Fatalf("after rotation: %+v", o)
	}
	pwNoSecret(t, o, secret1, secret2, older.SecretText)
	var app struct {
		PasswordCredentials []passwordCredential `json:"passwordCredentials"`
	}
	if err := client.Do(ctx, "GET", "/applications/"+objectID+"?$select=passwordCredentials", nil, &app); err != nil {
		t.Fatal(err)
	}
	if len(app.PasswordCredentials) != 1 || app.PasswordCredentials[0].KeyID != keyID2 {
		t.Errorf("the app's secrets after rotation: %+v", app.PasswordCredentials)
	}
}

// pwExecAdd sends an addPassword operation and returns the new secret and its keyId.
func pwExecAdd(t *testing.T, p *Provider, op providers.Operation) (secret, keyID string) {
	t.Helper()
	raw, err := p.ExecuteResult(context.Background(), op)
	if err != nil {
		t.Fatal(err)
	}
	var answer map[string]any
	if err := json.Unmarshal(raw, &answer); err != nil {
		t.Fatal(err)
	}
	secret, _ = answer[op.Deliver.Field].(string)
	keyID, _ = answer["keyId"].(string)
	if secret == "" || !schema.IsGUID(keyID) {
		t.Fatalf("addPassword answered no secretText or keyId (%d fields)", len(answer))
	}
	if hint, _ := answer["hint"].(string); !strings.HasPrefix(secret, hint) || hint == "" {
		t.Errorf("hint is not the secret's beginning")
	}
	return secret, keyID
}

// TestApplicationPasswordPlanAgainstSim: the planner's whole flow: plan, apply delivering the
// value, a re-plan with nothing to do, a saved rotation plan that verifies and applies, and no
// secret's value in any plan file.
func TestApplicationPasswordPlanAgainstSim(t *testing.T) {
	ctx := context.Background()
	client := pwSim(t)
	_, appID := pwCreateApp(t, client, "Property manager")
	clock := time.Now().UTC()
	res := &applicationPassword{c: client, now: func() time.Time { return clock }}
	reg := providers.NewRegistry()
	reg.AddResource(res)
	reg.AddExecutor(NewProvider(client))
	src := fmt.Sprintf("exoform {\n  workspace = \"w\"\n}\nresource \"entra_application_password\" \"ci\" {\n  application   = %q\n  display_name  = \"ci\"\n  lifetime      = \"4320h\"\n  rotate_before = \"720h\"\n  value_file    = \"ci.secret\"\n}\n", appID)
	var delivered []string
	planAndCheck := func() (*plan.Planner, *plan.Plan, []byte) {
		t.Helper()
		cfg, ds := schema.LoadSources(map[string][]byte{"main.exo.hcl": []byte(src)})
		ev, more := schema.Evaluate(cfg, reg, schema.Inputs{})
		ds.Append(more)
		if ds.HasErrors() {
			t.Fatal(ds)
		}
		p := &plan.Planner{Registry: reg, Deliver: func(c *plan.Change, d providers.Delivery, secret string) error {
			if d.File != "ci.secret" || c.Addr != "entra_application_password.ci" {
				t.Errorf("delivery %+v for %s", d, c.Addr)
			}
			delivered = append(delivered, secret)
			return nil
		}}
		pl, ds := p.Plan(ctx, ev)
		if ds.HasErrors() {
			t.Fatal(ds)
		}
		var buf bytes.Buffer
		if err := plan.Write(&buf, pl, "test", reg); err != nil {
			t.Fatal(err)
		}
		for _, s := range delivered {
			if strings.Contains(buf.String(), s) {
				t.Fatalf("a plan file holds a secret's value")
			}
		}
		return p, pl, buf.Bytes()
	}

	p, pl, _ := planAndCheck()
	if len(pl.Changes) != 1 || pl.Changes[0].Action != plan.Create {
		t.Fatalf("first plan: %+v", pl.Changes)
	}
	if _, ds := p.Apply(ctx, pl, nil); ds.HasErrors() {
		t.Fatal(ds)
	}
	if len(delivered) != 1 {
		t.Fatalf("%d secrets delivered", len(delivered))
	}

	// Hours later: nothing to do (the lifetime read back is the declared one exactly).
	clock = clock.Add(5 * time.Hour)
	if _, pl, _ = planAndCheck(); pl.HasChanges() {
		t.Fatalf("re-plan after apply: %+v", pl.Changes[0].Attrs)
	}

	// Five months later: rotation, saved, read back, verified and applied a day later.
	clock = clock.Add(3700 * time.Hour)
	p, pl, saved := planAndCheck()
	if len(pl.Changes) != 1 || pl.Changes[0].Action != plan.Update || len(pl.Changes[0].Operations) != 2 {
		t.Fatalf("rotation plan: %+v", pl.Changes)
	}
	var names []string
	for _, a := range pl.Changes[0].Attrs {
		names = append(names, a.Name)
	}
	if d := cmp.Diff([]string{"value_file", "end_date_time"}, names); d != "" {
		t.Errorf("rotation shows (-want +got):\n%s", d)
	}
	read, _, err := plan.Read(bytes.NewReader(saved), reg)
	if err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(24 * time.Hour)
	if err := p.Verify(read); err != nil {
		t.Fatalf("verify a day later: %v", err)
	}
	if ds := p.CheckStale(ctx, read); ds.HasErrors() {
		t.Fatal(ds)
	}
	if _, ds := p.Apply(ctx, read, nil); ds.HasErrors() {
		t.Fatal(ds)
	}
	if len(delivered) != 2 || delivered[0] == delivered[1] {
		t.Fatalf("rotation delivered %d secrets", len(delivered))
	}
	if _, pl, _ = planAndCheck(); pl.HasChanges() {
		t.Fatalf("re-plan after rotation: %+v", pl.Changes[0].Attrs)
	}
	live, err := res.ReadAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i := range live {
		if strings.EqualFold(live[i].Value.GetAttr("application").AsString(), appID) {
			n++
			pwNoSecret(t, &live[i], delivered...)
		}
	}
	if n != 1 {
		t.Errorf("%d secrets of the app after rotation", n)
	}
}

// TestApplicationPasswordOfNewApplication: a secret of an application the same plan creates is
// planned with the app id as a placeholder, which apply fills in from the application's create.
func TestApplicationPasswordOfNewApplication(t *testing.T) {
	ctx := context.Background()
	client := pwSim(t)
	reg := providers.NewRegistry()
	NewProvider(client).Register(reg)
	clock := time.Now().UTC()
	reg.AddResource(&applicationPassword{c: client, now: func() time.Time { return clock }})
	const src = `exoform {
  workspace = "w"
}
resource "entra_application" "pms" {
  display_name = "Contoso property management"
}
resource "entra_application_password" "pms" {
  application  = entra_application.pms.app_id
  display_name = "property-management"
  lifetime     = "4380h"
  value_file   = "pms-secret.txt"
}
`
	var delivered []string
	planner := func() (*plan.Planner, *plan.Plan) {
		t.Helper()
		cfg, ds := schema.LoadSources(map[string][]byte{"main.exo.hcl": []byte(src)})
		p := &plan.Planner{Registry: reg, Deliver: func(c *plan.Change, d providers.Delivery, secret string) error {
			if d.File != "pms-secret.txt" || d.What != `client secret "property-management" of entra_application.pms` {
				t.Errorf("delivery %+v", d)
			}
			delivered = append(delivered, secret)
			return nil
		}}
		ev, more := p.Evaluate(ctx, cfg, schema.Inputs{})
		ds.Append(more)
		if ds.HasErrors() {
			t.Fatal(ds)
		}
		pl, ds := p.Plan(ctx, ev)
		if ds.HasErrors() {
			t.Fatal(ds)
		}
		return p, pl
	}
	p, pl := planner()
	var pw *plan.Change
	for _, c := range pl.Changes {
		if c.Type == appPasswordTypeName {
			pw = c
		}
	}
	if pw == nil || pw.Action != plan.Create || len(pw.Operations) != 1 || !schema.HasPlaceholder(pw.Operations[0].Path) {
		t.Fatalf("plan: %+v", pw)
	}
	if _, ds := p.Apply(ctx, pl, nil); ds.HasErrors() {
		t.Fatal(ds)
	}
	if len(delivered) != 1 {
		t.Fatalf("%d secrets delivered", len(delivered))
	}
	if _, pl = planner(); pl.HasChanges() {
		for _, c := range pl.Changes {
			if c.Action != plan.NoOp {
				t.Errorf("re-plan after apply: %s %s %+v", c.Action, c.Addr, c.Attrs)
			}
		}
	}
}
