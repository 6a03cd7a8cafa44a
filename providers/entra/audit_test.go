package entra

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/schema/diag"
)

const (
	auditRelayApp = "0f6c5a1e-1d2b-4c3d-9e8f-7a6b5c4d3e2f"
	auditOtherApp = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
)

// auditNow is the audit tests' clock.
var auditNow = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// auditInstances evaluates a configuration (after an exoform block naming workspace "w") with
// the offline Entra types.
func auditInstances(t *testing.T, src string) []*schema.Instance {
	t.Helper()
	reg := providers.NewRegistry()
	NewProvider(nil).Register(reg)
	cfg, ds := schema.LoadSources(map[string][]byte{"main.exo.hcl": []byte("exoform {\n  workspace = \"w\"\n}\n" + src)})
	ev, more := schema.Evaluate(cfg, reg, schema.Inputs{})
	ds.Append(more)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return ev.Instances
}

// secret is a passwordCredential ending in days from auditNow ("" name: no description).
func secret(name, keyID string, days float64) passwordCredential {
	pc := passwordCredential{KeyID: keyID, StartDateTime: "2026-01-01T00:00:00Z",
		EndDateTime: auditNow.Add(time.Duration(days * float64(24*time.Hour))).Format(time.RFC3339)}
	if name != "" {
		pc.DisplayName = &name
	}
	return pc
}

// auditFinding is what the tests compare of a warning: its summary, address and first sentence.
type auditFinding struct {
	Summary, Address, First string
}

func findings(ds diag.Diagnostics) []auditFinding {
	var out []auditFinding
	for _, d := range ds {
		if d.Severity != diag.Warning {
			out = append(out, auditFinding{Summary: "NOT A WARNING: " + d.Summary})
			continue
		}
		first, _, _ := strings.Cut(d.Detail, ". ")
		out = append(out, auditFinding{Summary: d.Summary, Address: d.Address, First: first})
	}
	return out
}

func TestAuditSecrets(t *testing.T) {
	const relay = `resource "entra_application" "relay" {
  display_name = "SMTP relay"
}
`
	marked := []string{"[managed-by exoform workspace=w]"}
	tests := map[string]struct {
		src  string
		apps []auditedApp
		want []auditFinding
	}{
		"a declared app's undeclared secret that ends within 30 days": {
			src:  relay,
			apps: []auditedApp{{AppID: auditRelayApp, DisplayName: "SMTP relay", PasswordCredentials: []passwordCredential{secret("legacy", "k1", 10)}}},
			want: []auditFinding{{"Client secret expires soon", "entra_application.relay",
				`The client secret "legacy" (Secret ID k1) of the app registration "SMTP relay" (entra_application.relay) expires on 2026-12-03T09:00:00Z, in 10 days (reported from 30 days before its end)`}},
		},
		"the app is matched by display name in any case": {
			src:  relay,
			apps: []auditedApp{{AppID: auditRelayApp, DisplayName: "smtp RELAY", PasswordCredentials: []passwordCredential{secret("legacy", "k1", 29.9)}}},
			want: []auditFinding{{"Client secret expires soon", "entra_application.relay",
				`The client secret "legacy" (Secret ID k1) of the app registration "smtp RELAY" (entra_application.relay) expires on 2026-12-23T06:36:00Z, in 29 days (reported from 30 days before its end)`}},
		},
		"a secret that ends after the window": {
			src:  relay,
			apps: []auditedApp{{AppID: auditRelayApp, DisplayName: "SMTP relay", PasswordCredentials: []passwordCredential{secret("legacy", "k1", 30.5)}}},
		},
		"an expired secret, and one without a description, soonest first": {
			src: relay,
			apps: []auditedApp{{AppID: auditRelayApp, DisplayName: "SMTP relay", PasswordCredentials: []passwordCredential{
				secret("", "k2", 2), secret("old", "k1", -3), secret("fine", "k3", 400)}}},
			want: []auditFinding{
				{"Client secret expired", "entra_application.relay",
					`The client secret "old" (Secret ID k1) of the app registration "SMTP relay" (entra_application.relay) expired on 2026-11-20T09:00:00Z, 3 days ago`},
				{"Client secret expires soon", "entra_application.relay",
					`A client secret without a description (Secret ID k2) of the app registration "SMTP relay" (entra_application.relay) expires on 2026-11-25T09:00:00Z, in 2 days (reported from 30 days before its end)`},
			},
		},
		"a secret that an entra_application_password declares is rotated by the plan instead": {
			src: relay + `resource "entra_application_password" "ci" {
  application   = "` + auditRelayApp + `"
  display_name  = "CI"
  lifetime      = "4320h"
  rotate_before = "720h"
}
`,
			apps: []auditedApp{{AppID: strings.ToUpper(auditRelayApp), DisplayName: "SMTP relay", PasswordCredentials: []passwordCredential{
				secret("ci", "k1", 5), secret("ci", "k0", -100)}}},
		},
		"a declared rotate_before longer than 30 days widens the window for the app's other secrets": {
			src: `resource "entra_application_password" "ci" {
  application   = "` + auditRelayApp + `"
  display_name  = "ci"
  lifetime      = "8760h"
  rotate_before = "1440h"
}
`,
			apps: []auditedApp{
				{AppID: auditRelayApp, DisplayName: "Relay", PasswordCredentials: []passwordCredential{secret("ci", "k1", 200), secret("manual", "k2", 45)}},
				{AppID: auditOtherApp, DisplayName: "Other", PasswordCredentials: []passwordCredential{secret("manual", "k3", 45)}},
			},
			want: []auditFinding{{"Client secret expires soon", "",
				`The client secret "manual" (Secret ID k2) of the app registration "Relay" expires on 2027-01-07T09:00:00Z, in 45 days (reported from 60 days before its end)`}},
		},
		"an app this workspace owns but no longer declares": {
			apps: []auditedApp{{AppID: auditRelayApp, DisplayName: "Old relay", Tags: marked, PasswordCredentials: []passwordCredential{secret("legacy", "k1", -1)}}},
			want: []auditFinding{{"Client secret expired", `entra_application["Old relay"]`,
				`The client secret "legacy" (Secret ID k1) of the app registration "Old relay" (entra_application["Old relay"]) expired on 2026-11-22T09:00:00Z, 1 day ago`}},
		},
		"apps of another workspace and apps of nobody are not this configuration's": {
			src: relay,
			apps: []auditedApp{
				{AppID: auditRelayApp, DisplayName: "Theirs", Tags: []string{"[managed-by exoform workspace=other]"}, PasswordCredentials: []passwordCredential{secret("a", "k1", 1)}},
				{AppID: auditOtherApp, DisplayName: "Nobody's", PasswordCredentials: []passwordCredential{secret("b", "k2", -1)}},
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			in := providers.AuditInput{Workspace: "w", Instances: auditInstances(t, tc.src)}
			ds, err := auditSecrets(tc.apps, in, auditNow)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, findings(ds)); diff != "" {
				t.Errorf("auditSecrets mismatch (-want +got):\n%s", diff)
			}
			for _, d := range ds {
				if !strings.Contains(d.Detail, "Certificates & secrets") {
					t.Errorf("%s: the detail does not say what to do: %s", d.Summary, d.Detail)
				}
			}
		})
	}
}

func TestAuditSecretsUnreadableDate(t *testing.T) {
	pc := secret("legacy", "k1", 1)
	pc.EndDateTime = "next Tuesday"
	in := providers.AuditInput{Workspace: "w", Instances: auditInstances(t, `resource "entra_application" "relay" {
  display_name = "SMTP relay"
}
`)}
	if _, err := auditSecrets([]auditedApp{{AppID: auditRelayApp, DisplayName: "SMTP relay", PasswordCredentials: []passwordCredential{pc}}}, in, auditNow); err == nil {
		t.Fatal("a secret whose end is not a date passed the audit")
	}
}

// TestAuditAgainstSim: a secret added to a declared app through Graph, as in the portal, is
// reported by a plan made with the clock moved close to its end, through the planner's hook.
func TestAuditAgainstSim(t *testing.T) {
	ctx := context.Background()
	client := pwSim(t)
	_, appID := pwCreateApp(t, client, "SMTP relay")
	var added passwordCredential
	body := map[string]any{"passwordCredential": map[string]string{"displayName": "legacy", "startDateTime": "2026-06-01T00:00:00Z", "endDateTime": "2026-12-01T00:00:00Z"}}
	if err := client.Do(ctx, "POST", appPasswordPath(appID, "addPassword"), body, &added); err != nil {
		t.Fatal(err)
	}
	src := `exoform {
  workspace = "w"
}
resource "entra_application_password" "ci" {
  application  = "` + appID + `"
  display_name = "ci"
  lifetime     = "720h"
}
`
	for _, tc := range []struct {
		now  time.Time
		want []string
	}{
		{time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), nil},
		{time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), []string{"Client secret expires soon"}},
		{time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), []string{"Client secret expired"}},
	} {
		reg := providers.NewRegistry()
		NewProvider(client).WithClock(pwFixed(tc.now)).Register(reg)
		cfg, ds := schema.LoadSources(map[string][]byte{"main.exo.hcl": []byte(src)})
		ev, more := schema.Evaluate(cfg, reg, schema.Inputs{})
		ds.Append(more)
		if ds.HasErrors() {
			t.Fatal(ds)
		}
		pl, ds := (&plan.Planner{Registry: reg}).Plan(ctx, ev)
		if ds.HasErrors() {
			t.Fatal(ds)
		}
		var got []string
		for _, d := range pl.Diagnostics {
			if strings.Contains(d.Detail, added.KeyID) {
				got = append(got, d.Summary)
			}
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("plan at %s: warnings about the secret (-want +got):\n%s", tc.now.Format(time.RFC3339), diff)
		}
	}
}

// TestAuditReadError: an audit that cannot read fails the plan; it never passes.
func TestAuditReadError(t *testing.T) {
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 403, graphError("Authorization_RequestDenied", "Insufficient privileges to complete the operation."))
	})
	tc := newTestClient(t, s, nil)
	reg := providers.NewRegistry()
	reg.AddResource(&applicationPassword{c: tc.Client, now: pwFixed(auditNow)})
	cfg, ds := schema.LoadSources(map[string][]byte{"main.exo.hcl": []byte("exoform {\n  workspace = \"w\"\n}\n")})
	ev, more := schema.Evaluate(cfg, reg, schema.Inputs{})
	ds.Append(more)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	pl, ds := (&plan.Planner{Registry: reg}).Plan(context.Background(), ev)
	if pl != nil || !ds.HasErrors() {
		t.Fatalf("a plan whose audit could not read succeeded: %v", ds)
	}
	if got := fmt.Sprint(ds[0].Summary); got != "Cannot audit the live entra_application_password objects" {
		t.Errorf("error summary %q", got)
	}
	// The audit reads the listing of applications every Entra type shares, through $batch.
	if !strings.HasSuffix(s.uris[0], "/$batch") {
		t.Errorf("the audit read %s", s.uris[0])
	}
}
