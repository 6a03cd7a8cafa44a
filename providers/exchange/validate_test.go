package exchange_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exoform/exoform/internal/golden"
	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/providers/exchange"
	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/schema/diag"
)

func offlineRegistry() *providers.Registry {
	r := providers.NewRegistry()
	exchange.NewProvider(nil).Register(r)
	return r
}

func evaluate(src string) (*schema.Evaluated, diag.Diagnostics) {
	cfg, ds := schema.LoadSources(map[string][]byte{"main.exo.hcl": []byte(src)})
	if ds.HasErrors() {
		return nil, ds
	}
	ev, more := schema.Evaluate(cfg, offlineRegistry(), schema.Inputs{})
	ds.Append(more)
	return ev, ds
}

// TestValidateConnectorRules runs each testdata/validate/*.exo.hcl and compares the
// diagnostics with the .golden beside it. Files named ok_* must be valid.
func TestValidateConnectorRules(t *testing.T) {
	runValidateGoldens(t, "testdata/validate/*.exo.hcl")
}

// runValidateGoldens evaluates each configuration matching glob and compares its diagnostics,
// with their positions, with the .golden beside it. Files named ok_* must be valid.
func runValidateGoldens(t *testing.T, glob string) {
	t.Helper()
	files, _ := filepath.Glob(glob)
	if len(files) == 0 {
		t.Fatal("no cases")
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), schema.FileSuffix)
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, ds := evaluate(string(src))
			if strings.HasPrefix(name, "ok_") {
				if len(ds) > 0 {
					t.Fatalf("want no diagnostics, got:\n%v", ds)
				}
				return
			}
			if len(ds) == 0 {
				t.Fatal("want diagnostics")
			}
			var b strings.Builder
			for _, d := range ds {
				if d.Subject == nil {
					t.Errorf("no location: %s", d)
				}
				b.WriteString(d.Severity.String() + ": " + d.String() + "\n")
			}
			golden.Assert(t, strings.TrimSuffix(f, schema.FileSuffix)+".golden", b.String())
		})
	}
}

func TestRules(t *testing.T) {
	tests := []struct {
		attr  string
		value string
		ok    bool
	}{
		{"sender_ip_addresses", "203.0.113.10", true},
		{"sender_ip_addresses", "203.0.113.0/24", true},
		{"sender_ip_addresses", "203.0.113.7/32", true},
		{"sender_ip_addresses", "203.0.0.0/16", false},
		{"sender_ip_addresses", "2001:db8::1", false},
		{"sender_ip_addresses", "203.0.113.1-203.0.113.9", false},
		{"sender_ip_addresses", "300.1.1.1", false},
		{"sender_domains", "*", true},
		{"sender_domains", "contoso.com", true},
		{"sender_domains", "*.contoso.com", true},
		{"sender_domains", "domain.*.contoso.com", false},
		{"sender_domains", "contoso", false},
		{"sender_domains", "*contoso.com", false},
		{"tls_sender_certificate_name", "*.contoso.com", true},
		{"tls_sender_certificate_name", "*", false},
		{"tls_sender_certificate_name", "mail.*.contoso.com", false},
		{"ef_skip_ips", "192.0.2.1-192.0.2.254", true},
		{"ef_skip_ips", "2001:db8::/32", true},
		{"ef_skip_ips", "192.0.2.9-192.0.2.1", false},
		{"ef_users", "user@contoso.com", true},
		{"ef_users", "user", false},
		{"connector_type", "onpremises", true},
		{"connector_type", "Internal", false},
		{"comment", "managed by hand", true},
		{"name", strings.Repeat("ü", 64), true},
		{"name", strings.Repeat("ü", 65), false},
		{"name", "  ", false},
		{"comment", "x [managed-by exoform workspace=a]", false},
	}
	for _, tc := range tests {
		t.Run(tc.attr+"="+tc.value, func(t *testing.T) {
			a := exchange.InboundConnectorType.Attribute(tc.attr)
			v := schemaValue(a, tc.value)
			msg := a.CheckValue(v)
			if (msg == "") != tc.ok {
				t.Errorf("CheckValue(%q) = %q, want ok=%v", tc.value, msg, tc.ok)
			}
		})
	}
}
