package exchange_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/providers/exchange"
	"github.com/exoform/exoform/schema"
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

// TestGuardReadsExistInReference builds the guard of a create, an update and a delete of every
// type (those its kind allows) and checks each Read's cmdlet and parameters against Microsoft's
// reference: a guard's Get- must be as real as the writes it protects.
func TestGuardReadsExistInReference(t *testing.T) {
	ref := loadReference(t)
	reg := offlineRegistry()
	names := reg.ResourceTypeNames()
	if len(names) < 12 {
		t.Fatalf("%d resource types registered: %v", len(names), names)
	}
	for _, name := range names {
		res, _ := reg.Resource(name)
		typ := res.Type()
		g, ok := res.(providers.Guarder)
		if !ok {
			t.Errorf("%s is not a providers.Guarder", name)
			continue
		}
		desired := guardTestValue(typ)
		prior := &providers.LiveObject{Key: typ.KeyOf(desired), ID: "policy identity", Value: desired}
		var all []string
		for _, a := range typ.Attributes {
			all = append(all, a.Name)
		}
		marker := providers.Marker{Workspace: "ws"}
		changes := map[providers.ChangeKind]providers.Change{
			providers.Create: {Kind: providers.Create, Desired: desired, Set: all, Marker: marker},
			providers.Update: {Kind: providers.Update, Prior: prior, Desired: desired, Set: all, Marker: marker},
			providers.Delete: {Kind: providers.Delete, Prior: prior, Desired: cty.NullVal(desired.Type())},
		}
		for _, kind := range []providers.ChangeKind{providers.Create, providers.Update, providers.Delete} {
			allowed := typ.Kind == schema.Owned || kind == providers.Update || typ.Kind == schema.Declared && kind == providers.Create
			guard, err := g.Guard(changes[kind])
			switch {
			case !allowed && err == nil:
				t.Errorf("%s: the guard of a change of kind %d, which the type never makes, did not fail", name, kind)
			case !allowed:
			case err != nil && name == exchange.ApplicationAccessPolicyType.Name && kind == providers.Create:
				// A new policy cannot be guarded: see appAccessPolicy.Guard.
			case err != nil:
				t.Errorf("%s: kind %d: %v", name, kind, err)
			default:
				if guard.Read.Service != providers.Exchange || !strings.HasPrefix(guard.Read.Cmdlet, "Get-") {
					t.Errorf("%s: kind %d: the guard reads with %s", name, kind, guard.Read)
				}
				checkOperation(t, ref, guard.Read)
			}
		}
	}
}

// guardTestValue is an object of the type with every attribute set.
func guardTestValue(t *schema.ResourceType) cty.Value {
	attrs := map[string]cty.Value{}
	for _, a := range t.Attributes {
		switch {
		case a.TriState:
			attrs[a.Name] = cty.StringVal("true")
		case a.IsSet():
			attrs[a.Name] = cty.SetVal([]cty.Value{cty.StringVal("v-" + a.Name)})
		case a.Type == cty.Bool:
			attrs[a.Name] = cty.True
		case a.Type == cty.Number:
			attrs[a.Name] = cty.NumberIntVal(1)
		default:
			attrs[a.Name] = cty.StringVal("v-" + a.Name)
		}
	}
	return cty.ObjectVal(attrs)
}
