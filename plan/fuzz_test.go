package plan_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/plan/render"
	pt "github.com/exoform/exoform/providers/providertest"
)

// FuzzRead: a plan file from anywhere must be read or refused, never panic.
func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"format_version":"1","changes":[]}`))
	f.Add([]byte(`{"format_version":"1","workspace":"w","changes":[{"address":"fake_widget.a","type":"fake_widget","key":"A","action":"create","prior":null,"after":{"name":"A","size":null,"enabled":true,"domains":["a.com"],"comment":null},"operations":[{"service":"fake","cmdlet":"New-Widget","parameters":{"Name":"A","X":[1]}}]}]}`))
	f.Add([]byte(`{"format_version":"1","changes":[{"type":"fake_widget","action":"delete","prior":{"key":"A","values":{"name":1}},"after":null}]}`))
	f.Add([]byte(`{"format_version":"1","workspace":"w","changes":[{"type":"fake_widget","action":"update","key":"A","prior":{"key":"A","owner":"w","values":null},"after":{"name":"A"}}]}`))
	f.Add([]byte(`{"format_version":"1","workspace":"w","changes":[{"type":"fake_widget","action":"delete","key":"A","prior":{"key":"A","owner":"w","values":{"name":"A","size":null,"enabled":null,"domains":null,"comment":null}},"after":null,"operations":[{"service":"fake","cmdlet":"Remove-Widget","parameters":{"Identity":"A"}}]}]}`))
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
		// Whatever was read can be verified and shown without a panic.
		_ = (&plan.Planner{Registry: reg}).Verify(p)
		render.Text(io.Discard, render.NewModel(p, reg), render.Style{})
	})
}
