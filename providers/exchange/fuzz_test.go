package exchange_test

import (
	"testing"
)

// FuzzEvaluate runs arbitrary configurations through loading, evaluation and the connector
// value rules: never a panic, and every error has a location.
func FuzzEvaluate(f *testing.F) {
	f.Add("exoform {\n  workspace = \"w\"\n}\nresource \"exchange_inbound_connector\" \"a\" {\n  name = \"A\"\n  sender_domains = [\"*.contoso.com\"]\n  sender_ip_addresses = [\"203.0.113.0/24\"]\n  ef_skip_ips = [\"1.2.3.4-1.2.3.9\"]\n}\n")
	f.Add("exoform {\n  workspace = \"w\"\n}\nresource \"exchange_inbound_connector\" \"a\" {\n  for_each = {a = \"x.com\"}\n  name = each.key\n  sender_domains = [each.value]\n  connector_type = \"onpremises\"\n}\n")
	f.Fuzz(func(t *testing.T, src string) {
		_, ds := evaluate(src)
		for _, d := range ds {
			if d.Subject == nil {
				t.Errorf("diagnostic without a location: %s", d)
			}
		}
	})
}
