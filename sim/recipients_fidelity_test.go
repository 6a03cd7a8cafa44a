package sim

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// recipientCmdletNames are the cmdlets of recipients_state.go.
func recipientCmdletNames() []string {
	var out []string
	for _, c := range recipientCmdlets() {
		out = append(out, c.name)
	}
	return out
}

// TestFidelity_RecipientSubsets checks the recipient-side cmdlets that
// accept only some of their Exchange Online parameters: each parameter the
// reference lists for Exchange Online but the sim does not simulate is
// refused with 400 naming it, like an unknown one; and every cmdlet not in
// fidelitySubset accepts all of them (TestFidelity_CmdletParameters checks
// the rest).
func TestFidelity_RecipientSubsets(t *testing.T) {
	ref := loadCmdletReference(t)
	s := startSim(t, Options{})
	c := newClient(t, s)
	for _, name := range recipientCmdletNames() {
		accepted := map[string]bool{}
		for _, p := range lookupCmdlet(name).params {
			accepted[p.name] = true
		}
		var missing []string
		for p, rp := range ref.Cmdlets[name].Parameters {
			if slices.Contains(rp.Applicable, exchangeOnline) && !accepted[p] {
				missing = append(missing, p)
			}
		}
		if len(missing) > 0 && !fidelitySubset[name] {
			t.Errorf("%s does not accept %v but is not listed in fidelitySubset", name, missing)
		}
		if len(missing) == 0 && fidelitySubset[name] {
			t.Errorf("%s accepts every Exchange Online parameter; remove it from fidelitySubset", name)
		}
		slices.Sort(missing)
		for _, p := range missing {
			r := c.invoke(name, map[string]any{p: "x"})
			if r.status != http.StatusBadRequest {
				t.Errorf("%s -%s (not simulated): status %d, want 400", name, p, r.status)
				continue
			}
			if _, typ, detail := exceptionOf(t, r.body); typ != rcpExcBinding || !strings.Contains(detail, "'"+p+"'") {
				t.Errorf("%s -%s (not simulated): %q, want a ParameterBindingException naming it", name, p, detail)
			}
		}
	}
}
