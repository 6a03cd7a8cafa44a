package plan_test

import (
	"bytes"
	"testing"

	"github.com/exoform/exoform/plan"
	pt "github.com/exoform/exoform/providers/providertest"
)

// FuzzRead: a plan file from anywhere must be read or refused, never panic.
func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"format_version":"1","changes":[]}`))
	f.Add([]byte(`{"format_version":"1","workspace":"w","changes":[{"address":"fake_widget.a","type":"fake_widget","key":"A","action":"create","prior":null,"after":{"name":"A","size":null,"enabled":true,"domains":["a.com"],"comment":null},"operations":[{"service":"fake","cmdlet":"New-Widget","parameters":{"Name":"A","X":[1]}}]}]}`))
	f.Add([]byte(`{"format_version":"1","changes":[{"type":"fake_widget","action":"delete","prior":{"key":"A","values":{"name":1}},"after":null}]}`))
	reg := pt.NewTenant().Registry()
	f.Fuzz(func(t *testing.T, data []byte) {
		p, _, err := plan.Read(bytes.NewReader(data), reg)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := plan.Write(&buf, p, "fuzz", reg); err != nil {
			t.Fatalf("a plan that was read cannot be written: %v", err)
		}
	})
}
