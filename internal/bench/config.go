package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// Spec says what a generated configuration declares. Every declared object exists in the
// tenant and is declared with its live values, so planning it adopts (shared mailboxes,
// connectors, rules, applications: none carries this workspace's marker yet) or finds nothing
// to do, except for the Flip SMTP AUTH settings, which are declared with another value and
// so plan as updates.
type Spec struct {
	CASMailboxes int // exchange_cas_mailbox: SMTP AUTH settings of user mailboxes
	// SharedMailboxes declares this many exchange_shared_mailbox, each with its
	// exchange_mailbox_permissions; shared mailboxes that have permissions come first.
	SharedMailboxes int
	Connectors      int // exchange_inbound_connector
	Rules           int // exchange_transport_rule
	Apps            int // entra_application
	// Flip is how many of the CASMailboxes declare the opposite SMTP AUTH setting (spread
	// evenly over them): the configuration's changes.
	Flip int
}

// IssueSpec is the configuration of issue 7's benchmark scenario, with 1% of its SMTP AUTH
// settings changed so that the plan has some updates besides adoptions.
var IssueSpec = Spec{CASMailboxes: 10000, SharedMailboxes: 1000, Connectors: 50, Rules: 100, Apps: 100, Flip: 100}

// ApplySpec is the configuration of the apply benchmark: 10,000 SMTP AUTH settings, 1,000 of
// them changed, and nothing else, so that the apply makes exactly 1,000 changes.
var ApplySpec = Spec{CASMailboxes: 10000, Flip: 1000}

// Workspace is the generated configuration's workspace.
const Workspace = "bench"

// Count is the number of resources a Spec declares (permissions count once per shared mailbox).
func (s Spec) Count() int {
	return s.CASMailboxes + 2*s.SharedMailboxes + s.Connectors + s.Rules + s.Apps
}

// check refuses a Spec the tenant cannot satisfy: declaring objects that do not exist would
// plan creations, which is not what the benchmark measures.
func (s Spec) check(t *Tenant) error {
	for _, c := range []struct {
		what      string
		want, got int
	}{
		{"SMTP AUTH settings (user mailboxes)", s.CASMailboxes, len(t.Mailboxes)},
		{"shared mailboxes", s.SharedMailboxes, len(t.Shared)},
		{"inbound connectors", s.Connectors, len(t.Connectors)},
		{"transport rules", s.Rules, len(t.Rules)},
		{"applications", s.Apps, len(t.Apps)},
		{"changed SMTP AUTH settings", s.Flip, s.CASMailboxes},
	} {
		if c.want < 0 {
			return fmt.Errorf("bench: %d %s: a count can't be negative", c.want, c.what)
		}
		if c.want > c.got {
			return fmt.Errorf("bench: the configuration declares %d %s but the tenant has %d; seed a larger tenant", c.want, c.what, c.got)
		}
	}
	return nil
}

// Generate returns the files (name to content) of a configuration declaring what spec asks
// for, taken from t deterministically: the same tenant and spec give the same bytes.
func Generate(t *Tenant, spec Spec) (map[string][]byte, error) {
	if err := spec.check(t); err != nil {
		return nil, err
	}
	d := declare(t, spec)
	files := map[string][]byte{}
	main := hclwrite.NewEmptyFile()
	ws := main.Body().AppendNewBlock("exoform", nil).Body()
	ws.SetAttributeValue("workspace", cty.StringVal(Workspace))
	main.Body().AppendNewline()
	main.Body().AppendNewBlock("tenant", nil).Body().SetAttributeValue("id", cty.StringVal(t.Domain))
	files["main.exo.hcl"] = hclwrite.Format(main.Bytes())

	if spec.CASMailboxes > 0 {
		files["cas_mailboxes.exo.hcl"] = casMailboxes(d, spec)
	}
	if spec.SharedMailboxes > 0 {
		files["shared_mailboxes.exo.hcl"] = sharedMailboxes(d.shared, spec.SharedMailboxes)
	}
	if spec.Connectors > 0 {
		files["connectors.exo.hcl"] = blocks(spec.Connectors, "exchange_inbound_connector", "connector", func(i int, b *hclwrite.Body) {
			c := d.connectors[i]
			b.SetAttributeValue("name", cty.StringVal(c.Name))
			b.SetAttributeValue("enabled", cty.BoolVal(c.Enabled))
			b.SetAttributeValue("connector_type", cty.StringVal(c.Type))
			b.SetAttributeValue("sender_domains", listOf(c.SenderDomains))
		})
	}
	if spec.Rules > 0 {
		files["rules.exo.hcl"] = blocks(spec.Rules, "exchange_transport_rule", "rule", func(i int, b *hclwrite.Body) {
			r := d.rules[i]
			b.SetAttributeValue("name", cty.StringVal(r.Name))
			b.SetAttributeValue("enabled", cty.BoolVal(r.Enabled))
			b.SetAttributeValue("mode", cty.StringVal(r.Mode))
		})
	}
	if spec.Apps > 0 {
		files["applications.exo.hcl"] = blocks(spec.Apps, "entra_application", "app", func(i int, b *hclwrite.Body) {
			a := d.apps[i]
			b.SetAttributeValue("display_name", cty.StringVal(a.DisplayName))
			b.SetAttributeValue("sign_in_audience", cty.StringVal(a.SignInAudience))
		})
	}
	return files, nil
}

// WriteConfig writes Generate's files into dir (created if missing), replacing generated files
// of an earlier spec so that a smaller spec does not keep a larger one's declarations.
func WriteConfig(dir string, t *Tenant, spec Spec) error {
	files, err := Generate(t, spec)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	old, err := filepath.Glob(filepath.Join(dir, "*.exo.hcl"))
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
	}
	return nil
}

// declared are the objects a Spec declares, in declaration order.
type declared struct {
	cas        []Mailbox
	shared     []SharedMailbox
	connectors []Connector
	rules      []Rule
	apps       []App
}

// declare picks the objects spec declares from t: for SMTP AUTH the mailboxes with their own
// setting first (they are what a real configuration manages), for shared mailboxes those with
// permissions first, and the first ones by name otherwise. spec must have passed check.
func declare(t *Tenant, spec Spec) declared {
	mbs := slices.Clone(t.Mailboxes)
	slices.SortStableFunc(mbs, func(a, b Mailbox) int {
		return boolOrder(a.SMTPAuthDisabled == "inherit") - boolOrder(b.SMTPAuthDisabled == "inherit")
	})
	sh := slices.Clone(t.Shared)
	slices.SortStableFunc(sh, func(a, b SharedMailbox) int {
		return boolOrder(len(a.FullAccess)+len(a.SendAs) == 0) - boolOrder(len(b.FullAccess)+len(b.SendAs) == 0)
	})
	return declared{
		cas: mbs[:spec.CASMailboxes], shared: sh[:spec.SharedMailboxes], connectors: t.Connectors[:spec.Connectors],
		rules: t.Rules[:spec.Rules], apps: t.Apps[:spec.Apps],
	}
}

// casMailboxes declares SMTP AUTH settings.
func casMailboxes(d declared, spec Spec) []byte {
	flip := flipSet(spec.CASMailboxes, spec.Flip)
	return blocks(spec.CASMailboxes, "exchange_cas_mailbox", "smtp", func(i int, b *hclwrite.Body) {
		m := d.cas[i]
		b.SetAttributeValue("identity", cty.StringVal(m.UPN))
		v := m.SMTPAuthDisabled
		if flip[i] {
			v = flipped(v)
		}
		b.SetAttributeValue("smtp_client_authentication_disabled", smtpAuthValue(v))
	})
}

func boolOrder(b bool) int {
	if b {
		return 1
	}
	return 0
}

// flipSet picks k of n indexes, evenly spread, so that changes are not all in one page.
func flipSet(n, k int) map[int]bool {
	set := make(map[int]bool, k)
	for j := 0; j < k; j++ {
		set[j*n/k] = true
	}
	return set
}

// flipped is the other SMTP AUTH setting: an explicit value is inverted, and a mailbox that
// inherits the organization's gets SMTP AUTH disabled explicitly.
func flipped(v string) string {
	if v == "true" {
		return "false"
	}
	return "true"
}

func smtpAuthValue(v string) cty.Value {
	switch v {
	case "true":
		return cty.True
	case "false":
		return cty.False
	}
	return cty.StringVal(v)
}

// sharedMailboxes declares the first n of sh and their permissions.
func sharedMailboxes(sh []SharedMailbox, n int) []byte {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	for i := 0; i < n; i++ {
		s := sh[i]
		label := fmt.Sprintf("shared%05d", i+1)
		if i > 0 {
			body.AppendNewline()
		}
		b := body.AppendNewBlock("resource", []string{"exchange_shared_mailbox", label}).Body()
		b.SetAttributeValue("primary_smtp_address", cty.StringVal(s.Primary))
		b.SetAttributeValue("name", cty.StringVal(s.Name))
		b.SetAttributeValue("display_name", cty.StringVal(s.DisplayName))
		b.SetAttributeValue("alias", cty.StringVal(s.Alias))
		body.AppendNewline()
		p := body.AppendNewBlock("resource", []string{"exchange_mailbox_permissions", label}).Body()
		p.SetAttributeTraversal("identity", hclTraversal("exchange_shared_mailbox", label, "primary_smtp_address"))
		p.SetAttributeValue("full_access", listOf(s.FullAccess))
		p.SetAttributeValue("send_as", listOf(s.SendAs))
	}
	return hclwrite.Format(f.Bytes())
}

// blocks writes n resource blocks of one type labelled prefix00001….
func blocks(n int, typ, prefix string, fill func(i int, b *hclwrite.Body)) []byte {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	for i := 0; i < n; i++ {
		if i > 0 {
			body.AppendNewline()
		}
		fill(i, body.AppendNewBlock("resource", []string{typ, fmt.Sprintf("%s%05d", prefix, i+1)}).Body())
	}
	return hclwrite.Format(f.Bytes())
}

// listOf is a list literal; an empty list declares that no entries are wanted.
func listOf(vs []string) cty.Value {
	if len(vs) == 0 {
		return cty.ListValEmpty(cty.String)
	}
	l := make([]cty.Value, len(vs))
	for i, v := range vs {
		l[i] = cty.StringVal(v)
	}
	return cty.ListVal(l)
}

// hclTraversal is the reference typ.name.attr.
func hclTraversal(typ, name, attr string) hcl.Traversal {
	return hcl.Traversal{hcl.TraverseRoot{Name: typ}, hcl.TraverseAttr{Name: name}, hcl.TraverseAttr{Name: attr}}
}
