package exchange_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/providers/exchange"
)

func connector(t *testing.T, src string) cty.Value {
	t.Helper()
	ev, ds := evaluate("exoform {\n  workspace = \"ws\"\n}\nresource \"exchange_inbound_connector\" \"c\" {\n" + src + "\n}\n")
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return ev.Instances[0].Value
}

func liveConnector(t *testing.T, owner string, comment *string, attrs map[string]cty.Value) *providers.LiveObject {
	t.Helper()
	all := map[string]cty.Value{}
	for _, a := range exchange.InboundConnectorType.Attributes {
		all[a.Name] = cty.NullVal(a.Type)
	}
	all["name"] = cty.StringVal("Relay")
	if comment != nil {
		all["comment"] = cty.StringVal(*comment)
	}
	for k, v := range attrs {
		all[k] = v
	}
	return &providers.LiveObject{Key: "Relay", Owner: owner, Value: cty.ObjectVal(all)}
}

func opsJSON(t *testing.T, ops []providers.Operation) string {
	t.Helper()
	b, err := json.Marshal(ops)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCompileInboundConnector(t *testing.T) {
	res := registryResource(t)
	note := "set up by hand"
	desired := connector(t, `name = "Relay"
connector_type = "OnPremises"
sender_domains = ["contoso.com", "*.contoso.com"]
sender_ip_addresses = ["203.0.113.10"]
enabled = false
comment = "Accounting product"`)
	tests := []struct {
		name   string
		change providers.Change
		want   string
	}{
		{
			name:   "create writes every configured attribute and the marker",
			change: providers.Change{Kind: providers.Create, Desired: desired, Marker: providers.Marker{Workspace: "ws"}},
			want:   `[{"service":"exchange","cmdlet":"New-InboundConnector","parameters":{"Name":"Relay","ConnectorType":"OnPremises","Enabled":false,"SenderDomains":["*.contoso.com","contoso.com"],"SenderIPAddresses":["203.0.113.10"],"Comment":"Accounting product\n[managed-by exoform workspace=ws]"}}]`,
		},
		{
			name:   "update writes only the changed attributes",
			change: providers.Change{Kind: providers.Update, Desired: desired, Prior: liveConnector(t, "ws", nil, nil), Set: []string{"enabled"}, Marker: providers.Marker{Workspace: "ws"}},
			want:   `[{"service":"exchange","cmdlet":"Set-InboundConnector","parameters":{"Identity":"Relay","Enabled":false}}]`,
		},
		{
			name: "adopt keeps an unmanaged comment and appends the marker",
			change: providers.Change{Kind: providers.Update, WriteMarker: true, Marker: providers.Marker{Workspace: "ws"},
				Desired: connector(t, `name = "Relay"
sender_domains = ["contoso.com"]`), Prior: liveConnector(t, "", &note, nil)},
			want: `[{"service":"exchange","cmdlet":"Set-InboundConnector","parameters":{"Identity":"Relay","Comment":"set up by hand\n[managed-by exoform workspace=ws]"}}]`,
		},
		{
			name: "adopt with an ignored comment keeps the live text",
			change: providers.Change{Kind: providers.Update, WriteMarker: true, Marker: providers.Marker{Workspace: "ws"},
				Desired: desired, Prior: liveConnector(t, "", &note, nil)},
			want: `[{"service":"exchange","cmdlet":"Set-InboundConnector","parameters":{"Identity":"Relay","Comment":"set up by hand\n[managed-by exoform workspace=ws]"}}]`,
		},
		{
			name:   "prevent_destroy on keeps the live text",
			change: providers.Change{Kind: providers.Update, WriteMarker: true, Marker: providers.Marker{Workspace: "ws", PreventDestroy: true}, Desired: desired, Prior: liveConnector(t, "ws", &note, nil)},
			want:   `[{"service":"exchange","cmdlet":"Set-InboundConnector","parameters":{"Identity":"Relay","Comment":"set up by hand\n[managed-by exoform workspace=ws prevent_destroy]"}}]`,
		},
		{
			name:   "a comment change keeps the marker",
			change: providers.Change{Kind: providers.Update, Desired: desired, Prior: liveConnector(t, "ws", &note, nil), Set: []string{"comment"}, Marker: providers.Marker{Workspace: "ws"}},
			want:   `[{"service":"exchange","cmdlet":"Set-InboundConnector","parameters":{"Identity":"Relay","Comment":"Accounting product\n[managed-by exoform workspace=ws]"}}]`,
		},
		{
			name:   "delete",
			change: providers.Change{Kind: providers.Delete, Prior: liveConnector(t, "ws", nil, nil), Marker: providers.Marker{Workspace: "ws"}},
			want:   `[{"service":"exchange","cmdlet":"Remove-InboundConnector","parameters":{"Identity":"Relay","Confirm":false}}]`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ops, err := res.Compile(tc.change)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, opsJSON(t, ops)); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func registryResource(t *testing.T) providers.Resource {
	t.Helper()
	res, ok := offlineRegistry().Resource("exchange_inbound_connector")
	if !ok {
		t.Fatal("no exchange_inbound_connector")
	}
	return res
}

func TestMarker(t *testing.T) {
	tests := []struct {
		field, text string
		m           providers.Marker
	}{
		{"", "", providers.Marker{}},
		{"plain", "plain", providers.Marker{}},
		{"[managed-by exoform workspace=a]", "", providers.Marker{Workspace: "a"}},
		{"note\n[managed-by exoform workspace=prod-1]", "note", providers.Marker{Workspace: "prod-1"}},
		{"note\r\n[managed-by exoform workspace=x prevent_destroy]\n", "note", providers.Marker{Workspace: "x", PreventDestroy: true}},
		{"[managed-by exoform workspace=a] trailing", "[managed-by exoform workspace=a] trailing", providers.Marker{}},
		{"[managed-by exoform workspace=a protect]", "[managed-by exoform workspace=a protect]", providers.Marker{}},
	}
	for _, tc := range tests {
		text, m := providers.SplitMarker(tc.field)
		if text != tc.text || m != tc.m {
			t.Errorf("SplitMarker(%q) = %q, %+v; want %q, %+v", tc.field, text, m, tc.text, tc.m)
		}
		if tc.m.Workspace != "" {
			if back, m2 := providers.SplitMarker(providers.JoinMarker(text, m)); back != text || m2 != m {
				t.Errorf("round trip of %q gave %q, %+v", tc.field, back, m2)
			}
		}
	}
}
