package exchange_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/providers/exchange"
)

// cmdletReference is Microsoft's cmdlet parameter reference shipped beside the repository.
type cmdletReference struct {
	Cmdlets map[string]struct {
		Applicable []string `json:"applicable"`
		Parameters map[string]struct {
			Applicable []string `json:"applicable"`
		} `json:"parameters"`
	} `json:"cmdlets"`
}

func loadReference(t *testing.T) cmdletReference {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "reference", "exchange-cmdlets.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("cmdlet reference not available: %v", err)
	}
	var ref cmdletReference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	return ref
}

// checkOperation fails the test unless the cmdlet and each of its parameters exist in the
// reference and apply to Exchange Online.
func checkOperation(t *testing.T, ref cmdletReference, op providers.Operation) {
	t.Helper()
	c, ok := ref.Cmdlets[op.Cmdlet]
	if !ok || !slices.Contains(c.Applicable, "Exchange Online") {
		t.Errorf("%s is not an Exchange Online cmdlet in the reference", op.Cmdlet)
		return
	}
	for _, p := range op.Parameters {
		rp, ok := c.Parameters[p.Name]
		if !ok || !slices.Contains(rp.Applicable, "Exchange Online") {
			t.Errorf("%s -%s does not apply to Exchange Online in the reference", op.Cmdlet, p.Name)
		}
	}
}

// TestOperationsExistInReference compiles every kind of change with every attribute set and
// checks each cmdlet and parameter exoform would send against Microsoft's reference.
func TestOperationsExistInReference(t *testing.T) {
	ref := loadReference(t)
	res := registryResource(t)
	full := connector(t, `name = "Full"
connector_type = "Partner"
connector_source = "Default"
enabled = true
comment = "c"
sender_domains = ["contoso.com"]
sender_ip_addresses = ["203.0.113.1"]
restrict_domains_to_ip_addresses = true
require_tls = true
tls_sender_certificate_name = "*.contoso.com"
restrict_domains_to_certificate = true
associated_accepted_domains = ["contoso.com"]
cloud_services_mail_enabled = false
treat_messages_as_internal = false
trusted_organizations = ["fabrikam.com"]
ef_skip_ips = ["192.0.2.1"]
ef_skip_last_ip = false
ef_users = ["a@contoso.com"]`)
	for _, a := range exchange.InboundConnectorType.Attributes {
		if full.GetAttr(a.Name).IsNull() {
			t.Fatalf("the test configuration leaves %s unset", a.Name)
		}
	}
	var all []string
	for _, a := range exchange.InboundConnectorType.Attributes {
		all = append(all, a.Name)
	}
	prior := liveConnector(t, "ws", nil, map[string]cty.Value{})
	changes := []providers.Change{
		{Kind: providers.Create, Desired: full, Marker: providers.Marker{Workspace: "ws"}},
		{Kind: providers.Update, Desired: full, Prior: prior, Set: all, WriteMarker: true, Marker: providers.Marker{Workspace: "ws"}},
		{Kind: providers.Delete, Prior: prior},
	}
	for _, c := range changes {
		ops, err := res.Compile(c)
		if err != nil {
			t.Fatal(err)
		}
		for _, op := range ops {
			checkOperation(t, ref, op)
		}
	}
	checkOperation(t, ref, providers.Operation{Service: providers.Exchange, Cmdlet: "Get-InboundConnector", Parameters: providers.Params{{Name: "ResultSize", Value: "Unlimited"}}})
}
