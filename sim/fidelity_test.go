package sim

import (
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// cmdletReference is the shape of shared/reference/exchange-cmdlets.json,
// Microsoft's cmdlet reference extracted mechanically.
type cmdletReference struct {
	Cmdlets map[string]struct {
		Applicable []string `json:"applicable"`
		Parameters map[string]struct {
			Applicable []string `json:"applicable"`
			Type       string   `json:"type"`
			Sets       map[string]struct {
				Required bool `json:"required"`
			} `json:"sets"`
		} `json:"parameters"`
	} `json:"cmdlets"`
}

func loadCmdletReference(t *testing.T) cmdletReference {
	t.Helper()
	path := filepath.Join("..", "..", "shared", "reference", "exchange-cmdlets.json")
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s not found; fidelity against Microsoft's reference not checked", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	var ref cmdletReference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	return ref
}

const exchangeOnline = "Exchange Online"

// requiredQuirks are parameters whose mandatory flag in the reference's yaml
// is known to be wrong; the sim follows the syntax block or the text.
var requiredQuirks = map[string]string{
	"Get-ApplicationAccessPolicy -Identity": "yaml says required; the syntax shows [[-Identity] …] and Get lists all policies without it",
	"New-ServicePrincipal -ObjectId":        "required unless the deprecated ServiceId is given instead",
	"New-ServicePrincipal -ServiceId":       "\"This parameter is being deprecated. Use the ObjectId parameter instead.\"",
}

// fidelitySubset are cmdlets the sim simulates with a subset of their
// Exchange Online parameters (their reference lists dozens to hundreds);
// every parameter they accept must still be in the reference, and the others
// are refused like unknown ones (doc.go lists what each accepts).
var fidelitySubset = map[string]bool{
	// Recipients and configuration (mailboxes, permissions, inbox rules,
	// organization config).
	"Get-Mailbox": true, "New-Mailbox": true, "Set-Mailbox": true, "Remove-Mailbox": true,
	"Get-CASMailbox": true, "Get-Recipient": true,
	"Get-MailboxPermission": true, "Add-MailboxPermission": true, "Remove-MailboxPermission": true,
	"Get-RecipientPermission": true, "Remove-RecipientPermission": true,
	"Get-InboxRule": true, "New-InboxRule": true, "Set-InboxRule": true,
	"Set-OrganizationConfig": true,
}

// TestFidelity_CmdletParameters checks every simulated cmdlet against the
// reference: the cmdlet and each parameter exist and apply to Exchange
// Online, types and mandatory flags agree, and every Exchange Online
// parameter of the cmdlet is accepted.
func TestFidelity_CmdletParameters(t *testing.T) {
	ref := loadCmdletReference(t)
	for _, name := range cmdletNames() {
		t.Run(name, func(t *testing.T) {
			rc, ok := ref.Cmdlets[name]
			if !ok || !slices.Contains(rc.Applicable, exchangeOnline) {
				t.Fatalf("cmdlet %s is not in the reference for Exchange Online", name)
			}
			c := lookupCmdlet(name)
			var simParams []string
			for _, p := range c.params {
				simParams = append(simParams, p.name)
				rp, ok := rc.Parameters[p.name]
				if !ok {
					t.Errorf("%s -%s: not in the reference", name, p.name)
					continue
				}
				if !slices.Contains(rp.Applicable, exchangeOnline) {
					t.Errorf("%s -%s: reference says it applies to %v, not Exchange Online", name, p.name, rp.Applicable)
				}
				if rp.Type != p.docType {
					t.Errorf("%s -%s: type %q, reference says %q", name, p.name, p.docType, rp.Type)
				}
				// A parameter mandatory only in named parameter sets selects
				// its set: the sim may bind it as optional and check the set
				// in the cmdlet. requiredQuirks are reference errors.
				required, setDependent := false, false
				for set, s := range rp.Sets {
					required = required || s.Required
					setDependent = setDependent || (s.Required && set != "(All)")
				}
				_, quirk := requiredQuirks[name+" -"+p.name]
				if required != p.required && !setDependent && !quirk {
					t.Errorf("%s -%s: required %v, reference says %v", name, p.name, p.required, required)
				}
			}
			var refParams []string
			for p, rp := range rc.Parameters {
				if slices.Contains(rp.Applicable, exchangeOnline) {
					refParams = append(refParams, p)
				}
			}
			sort.Strings(simParams)
			sort.Strings(refParams)
			if diff := cmp.Diff(refParams, simParams); diff != "" && !fidelitySubset[name] {
				t.Errorf("%s parameters differ from the Exchange Online reference (-reference +sim):\n%s", name, diff)
			}
		})
	}
}

// TestFidelity_RejectsUnlistedParameters sends, to each cmdlet, parameters
// the reference does not list for it (made up, on-premises only, or another
// cmdlet's) and expects 400 naming the parameter.
func TestFidelity_RejectsUnlistedParameters(t *testing.T) {
	ref := loadCmdletReference(t)
	s := startSim(t, Options{})
	c := newClient(t, s)
	for _, name := range cmdletNames() {
		rc := ref.Cmdlets[name]
		candidates := []string{"Frobnicate", "ErrorAction", "DomainController", "ClientHostNames", "ResultSize", "Identity", "Name"}
		for _, bad := range candidates {
			if rp, ok := rc.Parameters[bad]; ok && slices.Contains(rp.Applicable, exchangeOnline) {
				continue
			}
			t.Run(name+"/"+bad, func(t *testing.T) {
				// Otherwise valid calls, so the unlisted parameter is the only fault.
				params := map[string]any{bad: "x"}
				for k, v := range map[string]any{"Identity": "Legacy scanner relay", "Name": "n", "SenderDomains": "contoso.com"} {
					if slices.ContainsFunc(lookupCmdlet(name).params, func(p paramSpec) bool { return p.name == k }) {
						params[k] = v
					}
				}
				r := c.invoke(name, params)
				if r.status != http.StatusBadRequest {
					t.Fatalf("%s -%s: status %d, want 400; body %s", name, bad, r.status, r.body)
				}
				code, typ, detail := exceptionOf(t, r.body)
				if code != "BadRequest" || !strings.HasPrefix(typ, "Microsoft.Exchange.Configuration.Tasks.") || !strings.Contains(detail, "'"+bad+"'") {
					t.Errorf("%s -%s: detail %q, want a BadRequest naming the parameter", name, bad, detail)
				}
			})
		}
	}
}
