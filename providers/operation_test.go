package providers_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/exoform/exoform/providers"
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
