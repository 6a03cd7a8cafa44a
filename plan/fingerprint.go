package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/exoform/exoform/schema"
)

// Fingerprint identifies a configuration: its files, the tenant and the variable values. A saved
// plan is applied only to the configuration it came from. Values of sensitive variables are left
// out so that no secret can be guessed from a plan file; changing only one of them does not
// change the fingerprint.
func Fingerprint(ev *schema.Evaluated) string {
	h := sha256.New()
	write := func(s string) {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	names := make([]string, 0, len(ev.Config.Sources))
	for n := range ev.Config.Sources {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		write("file " + n)
		write(string(ev.Config.Sources[n]))
	}
	write("tenant " + ev.TenantID)
	vars := make([]string, 0, len(ev.Variables))
	for n := range ev.Variables {
		vars = append(vars, n)
	}
	sort.Strings(vars)
	for _, n := range vars {
		v := ev.Variables[n]
		write("var " + n)
		if v.ContainsMarked() {
			write("(sensitive)")
			continue
		}
		b, err := ctyjson.Marshal(v, cty.DynamicPseudoType)
		if err == nil {
			write(string(b))
		}
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
