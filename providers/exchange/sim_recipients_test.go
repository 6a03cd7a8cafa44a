package exchange_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/providers/exchange"
	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/sim"
)

// rcpPlan evaluates a configuration against the registry and plans it.
func rcpPlan(t *testing.T, reg *providers.Registry, src string) (*plan.Plan, *plan.Planner) {
	t.Helper()
	cfg, ds := schema.LoadSources(map[string][]byte{"main.exo.hcl": []byte(src)})
	ev, more := schema.Evaluate(cfg, reg, schema.Inputs{})
	ds.Append(more)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	p := &plan.Planner{Registry: reg}
	pl, ds := p.Plan(context.Background(), ev)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return pl, p
}

// rcpPlanErr plans a configuration that must fail, and returns the diagnostics' text.
func rcpPlanErr(t *testing.T, reg *providers.Registry, src string) string {
	t.Helper()
	cfg, ds := schema.LoadSources(map[string][]byte{"main.exo.hcl": []byte(src)})
	ev, more := schema.Evaluate(cfg, reg, schema.Inputs{})
	ds.Append(more)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	_, ds = (&plan.Planner{Registry: reg}).Plan(context.Background(), ev)
	if !ds.HasErrors() {
		t.Fatal("the plan succeeded")
	}
	return fmt.Sprint(ds)
}

// rcpSummary lists each change that does something as "address action: cmdlet cmdlet ...".
func rcpSummary(pl *plan.Plan) []string {
	var out []string
	for _, c := range pl.Changes {
		if c.Action == plan.NoOp {
			continue
		}
		var ops []string
		for _, op := range c.Operations {
			ops = append(ops, op.Cmdlet)
		}
		out = append(out, fmt.Sprintf("%s %s: %s", c.Addr, c.Action, strings.Join(ops, " ")))
	}
	sort.Strings(out)
	return out
}

func rcpApply(t *testing.T, p *plan.Planner, pl *plan.Plan) {
	t.Helper()
	if _, ds := p.Apply(context.Background(), pl, nil); ds.HasErrors() {
		t.Fatal(ds)
	}
}

// rcpInvoke runs a cmdlet as an administrator would, outside exoform.
func rcpInvoke(t *testing.T, c *exchange.Client, cmdlet string, ps providers.Params) *exchange.Result {
	t.Helper()
	res, err := c.Invoke(context.Background(), cmdlet, ps)
	if err != nil {
		t.Fatalf("%s: %v", cmdlet, err)
	}
	return res
}

// rcpProjectConfig is the IMAP/SMTP project mailboxes scenario on the demo tenant: two new shared
// mailboxes with delegates, permissions, CAS settings and an inbox rule; SMTP AUTH for the
// licensed Support mailbox while the organization keeps it off; EWS for one app.
const rcpProjectConfig = `exoform {
  workspace = "projects"
}

locals {
  projects = {
    "proj-a" = "Project A"
    "proj-b" = "Project B"
  }
}

resource "exchange_shared_mailbox" "project" {
  for_each             = local.projects
  primary_smtp_address = "${each.key}@contoso.com"
  name                 = each.value
  display_name         = "${each.value} (shared)"
  alias                = each.key
  email_addresses      = ["${each.key}-archive@contoso.com"]

  message_copy_for_sent_as_enabled = true
  grant_send_on_behalf_to          = ["adele@contoso.com"]
%s
}

resource "exchange_mailbox_permissions" "project" {
  for_each     = local.projects
  identity     = exchange_shared_mailbox.project[each.key].primary_smtp_address
  full_access  = ["adele@contoso.com", "Alex Wilber"]
  auto_mapping = false
  send_as      = ["ADELE@contoso.com"]
}

resource "exchange_cas_mailbox" "project" {
  for_each     = local.projects
  identity     = exchange_shared_mailbox.project[each.key].primary_smtp_address
  imap_enabled = true
  pop_enabled  = false
}

resource "exchange_inbox_rule" "import" {
  for_each              = local.projects
  mailbox               = exchange_shared_mailbox.project[each.key].primary_smtp_address
  name                  = "Import copy"
  copy_to_folder        = "${exchange_shared_mailbox.project[each.key].primary_smtp_address}:\\Inbox\\Import"
  from                  = ["erp@vendor.example"]
  stop_processing_rules = false
}

resource "exchange_cas_mailbox" "support" {
  identity                            = "support@contoso.com"
  smtp_client_authentication_disabled = false
}

resource "exchange_transport_config" "org" {
  smtp_client_authentication_disabled = true
  max_recipient_envelope_limit        = "1000"
}

resource "exchange_organization_config" "org" {
  ews_enabled         = true
  ews_allowed_app_ids = ["6a0a0c8e-1111-4222-8333-444455556666", "0F2B0C8E-1111-4222-8333-444455556666"]
}
`

// TestRecipientsPlanApplyReplan: the scenario plans the expected changes on a fresh demo
// tenant, applies, and the next plan is empty.
func TestRecipientsPlanApplyReplan(t *testing.T) {
	srv, reg, _ := simTenant(t, sim.Options{})
	src := fmt.Sprintf(rcpProjectConfig, "")
	pl, p := rcpPlan(t, reg, src)
	want := []string{
		`exchange_cas_mailbox.project["proj-a"] update: Set-CASMailbox`,
		`exchange_cas_mailbox.project["proj-b"] update: Set-CASMailbox`,
		`exchange_cas_mailbox.support update: Set-CASMailbox`,
		`exchange_inbox_rule.import["proj-a"] create: New-InboxRule`,
		`exchange_inbox_rule.import["proj-b"] create: New-InboxRule`,
		`exchange_mailbox_permissions.project["proj-a"] update: Add-MailboxPermission Add-MailboxPermission Add-RecipientPermission`,
		`exchange_mailbox_permissions.project["proj-b"] update: Add-MailboxPermission Add-MailboxPermission Add-RecipientPermission`,
		`exchange_organization_config.org update: Set-OrganizationConfig`,
		`exchange_shared_mailbox.project["proj-a"] create: New-Mailbox Set-Mailbox`,
		`exchange_shared_mailbox.project["proj-b"] create: New-Mailbox Set-Mailbox`,
		`exchange_transport_config.org update: Set-TransportConfig`,
	}
	if diff := cmp.Diff(want, rcpSummary(pl)); diff != "" {
		t.Fatalf("plan (-want +got):\n%s", diff)
	}
	for _, c := range pl.Changes {
		if strings.HasPrefix(c.Addr, "exchange_cas_mailbox.project") || strings.HasPrefix(c.Addr, "exchange_mailbox_permissions.project") {
			if !c.Pending {
				t.Errorf("%s: the settings of a mailbox this plan creates should be pending", c.Addr)
			}
		}
	}
	// Saved plans are verified by recompiling them: every change must compile to what it
	// recorded.
	if err := p.Verify(pl); err != nil {
		t.Fatal(err)
	}
	rcpApply(t, p, pl)

	before := srv.Stats().Requests
	pl, _ = rcpPlan(t, reg, src)
	if got := rcpSummary(pl); len(got) > 0 {
		t.Fatalf("the plan after apply is not empty:\n%s", strings.Join(got, "\n"))
	}
	after := srv.Stats().Requests
	reads := map[string]int{}
	for k, v := range after {
		if d := v - before[k]; d > 0 {
			reads[k] = d
		}
	}
	// Bulk reads once each; the scoped reads once per declared mailbox.
	wantReads := map[string]int{"Get-CASMailbox": 1, "Get-Mailbox": 1, "Get-RecipientPermission": 2, "Get-MailboxPermission": 2,
		"Get-InboxRule": 2, "Get-TransportConfig": 1, "Get-OrganizationConfig": 1}
	for k, v := range wantReads {
		if reads[k] != v {
			t.Errorf("%s: %d requests, want %d (all reads: %v)", k, reads[k], v, reads)
		}
	}
}

// TestRecipientsDriftIsRepaired: changes an administrator makes outside exoform to any managed
// attribute show as updates in the next plan, and apply repairs them.
func TestRecipientsDriftIsRepaired(t *testing.T) {
	_, reg, client := simTenant(t, sim.Options{})
	src := fmt.Sprintf(rcpProjectConfig, "")
	pl, p := rcpPlan(t, reg, src)
	rcpApply(t, p, pl)

	drift := []struct {
		cmdlet string
		ps     providers.Params
	}{
		{"Set-CASMailbox", providers.Params{{Name: "Identity", Value: "proj-a"}, {Name: "ImapEnabled", Value: false}}},
		{"Set-CASMailbox", providers.Params{{Name: "Identity", Value: "support@contoso.com"}, {Name: "SmtpClientAuthenticationDisabled", Value: nil}}},
		{"Add-MailboxPermission", providers.Params{{Name: "Identity", Value: "proj-a@contoso.com"}, {Name: "User", Value: "meganb"}, {Name: "AccessRights", Value: []string{"FullAccess"}}}},
		{"Remove-RecipientPermission", providers.Params{{Name: "Identity", Value: "proj-b@contoso.com"}, {Name: "Trustee", Value: "adele@contoso.com"}, {Name: "AccessRights", Value: []string{"SendAs"}}, {Name: "Confirm", Value: false}}},
		{"Set-Mailbox", providers.Params{{Name: "Identity", Value: "proj-b@contoso.com"}, {Name: "DisplayName", Value: "Renamed by hand"},
			{Name: "EmailAddresses", Value: map[string]any{"@odata.type": "#Exchange.GenericHashTable", "add": []string{"smtp:extra@contoso.com"}}},
			{Name: "GrantSendOnBehalfTo", Value: []string{"meganb@contoso.com"}}}},
		{"Set-InboxRule", providers.Params{{Name: "Identity", Value: "Import copy"}, {Name: "Mailbox", Value: "proj-a@contoso.com"}, {Name: "CopyToFolder", Value: `proj-a:\Inbox\Elsewhere`}}},
		{"Set-TransportConfig", providers.Params{{Name: "SmtpClientAuthenticationDisabled", Value: false}, {Name: "MaxRecipientEnvelopeLimit", Value: "Unlimited"}}},
		{"Set-OrganizationConfig", providers.Params{{Name: "EwsAllowedAppIDs", Value: "6a0a0c8e-1111-4222-8333-444455556666"}}},
	}
	for _, d := range drift {
		rcpInvoke(t, client, d.cmdlet, d.ps)
	}
	pl, p = rcpPlan(t, reg, src)
	want := []string{
		`exchange_cas_mailbox.project["proj-a"] update: Set-CASMailbox`,
		`exchange_cas_mailbox.support update: Set-CASMailbox`,
		`exchange_inbox_rule.import["proj-a"] update: Set-InboxRule`,
		`exchange_mailbox_permissions.project["proj-a"] update: Remove-MailboxPermission`,
		`exchange_mailbox_permissions.project["proj-b"] update: Add-RecipientPermission`,
		`exchange_organization_config.org update: Set-OrganizationConfig`,
		`exchange_shared_mailbox.project["proj-b"] update: Set-Mailbox`,
		`exchange_transport_config.org update: Set-TransportConfig`,
	}
	if diff := cmp.Diff(want, rcpSummary(pl)); diff != "" {
		t.Fatalf("plan after drift (-want +got):\n%s", diff)
	}
	for _, c := range pl.Changes {
		if c.Addr == `exchange_mailbox_permissions.project["proj-a"]` {
			if u, _ := c.Operations[0].Parameters.Get("User"); !strings.EqualFold(fmt.Sprint(u), "meganb@contoso.com") {
				t.Errorf("the trustee added by hand is not the one removed: %v", c.Operations[0].Parameters)
			}
		}
	}
	rcpApply(t, p, pl)
	pl, _ = rcpPlan(t, reg, src)
	if got := rcpSummary(pl); len(got) > 0 {
		t.Fatalf("the plan after repairing drift is not empty:\n%s", strings.Join(got, "\n"))
	}
	// The hand-added secondary address is gone, the service's routing address is kept.
	res := rcpInvoke(t, client, "Get-Mailbox", providers.Params{{Name: "Identity", Value: "proj-b@contoso.com"}})
	addrs := fmt.Sprint(res.Objects[0]["EmailAddresses"])
	if strings.Contains(addrs, "extra@contoso.com") || !strings.Contains(addrs, "onmicrosoft.com") || !strings.Contains(addrs, "proj-b-archive@contoso.com") {
		t.Errorf("addresses after repair: %s", addrs)
	}
}

// TestSharedMailboxLifecycle: an unmarked shared mailbox is adopted; removing an owned one
// from the configuration is refused until allow_destroy was applied, then deletes it.
func TestSharedMailboxLifecycle(t *testing.T) {
	_, reg, client := simTenant(t, sim.Options{})
	const head = "exoform {\n  workspace = \"ws\"\n}\n"
	info := `resource "exchange_shared_mailbox" "info" {
  primary_smtp_address = "info@contoso.com"
  name                 = "Info"
  hidden_from_address_lists_enabled = true
%s}
`
	// The demo tenant's Info mailbox was made by hand: declaring it adopts it.
	pl, p := rcpPlan(t, reg, head+fmt.Sprintf(info, ""))
	if diff := cmp.Diff([]string{`exchange_shared_mailbox.info adopt: Set-Mailbox`}, rcpSummary(pl)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	rcpApply(t, p, pl)
	res := rcpInvoke(t, client, "Get-Mailbox", providers.Params{{Name: "Identity", Value: "info@contoso.com"}})
	if got := res.Objects[0]["CustomAttribute15"]; got != "[managed-by exoform workspace=ws]" {
		t.Errorf("CustomAttribute15 = %v", got)
	}
	// Deleting needs allow_destroy, recorded in the marker first.
	msg := rcpPlanErr(t, reg, head)
	if !strings.Contains(msg, "allow_destroy") {
		t.Errorf("deleting without allow_destroy: %s", msg)
	}
	pl, p = rcpPlan(t, reg, head+fmt.Sprintf(info, "  lifecycle {\n    allow_destroy = true\n  }\n"))
	if diff := cmp.Diff([]string{`exchange_shared_mailbox.info update: Set-Mailbox`}, rcpSummary(pl)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	rcpApply(t, p, pl)
	pl, p = rcpPlan(t, reg, head)
	if diff := cmp.Diff([]string{`exchange_shared_mailbox["info@contoso.com"] delete: Remove-Mailbox`}, rcpSummary(pl)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	rcpApply(t, p, pl)
	if _, err := client.Invoke(context.Background(), "Get-Mailbox", providers.Params{{Name: "Identity", Value: "info@contoso.com"}}); !exchange.IsNotFound(err) {
		t.Errorf("the mailbox still answers: %v", err)
	}
}

// TestForeignCustomAttribute15IsNotOverwritten: a mailbox whose CustomAttribute15 holds another
// value is not adopted; the plan says why.
func TestForeignCustomAttribute15IsNotOverwritten(t *testing.T) {
	_, reg, client := simTenant(t, sim.Options{})
	rcpInvoke(t, client, "Set-Mailbox", providers.Params{{Name: "Identity", Value: "info"}, {Name: "CustomAttribute15", Value: "cost-centre 42"}})
	msg := rcpPlanErr(t, reg, `exoform {
  workspace = "ws"
}
resource "exchange_shared_mailbox" "info" {
  primary_smtp_address = "info@contoso.com"
  name                 = "Info"
}
`)
	if !strings.Contains(msg, "cost-centre 42") {
		t.Errorf("diagnostics: %s", msg)
	}
}

// TestTrusteesResolveAcrossSpellings: a trustee written as display name or address matches
// the spelling Get-MailboxPermission reports, so a converged plan stays empty; a trustee the
// configuration drops is removed, inherited and built-in entries are never touched.
func TestTrusteesResolveAcrossSpellings(t *testing.T) {
	_, reg, client := simTenant(t, sim.Options{})
	// The demo Info mailbox grants Adele FullAccess and SendAs by hand.
	src := `exoform {
  workspace = "ws"
}
resource "exchange_mailbox_permissions" "info" {
  identity    = "Info"
  full_access = ["Adele Vance", "alexw@contoso.com"]
  send_as     = []
}
`
	pl, p := rcpPlan(t, reg, src)
	var ops []string
	for _, op := range pl.Operations() {
		u, _ := op.Parameters.Get("User")
		if u == nil {
			u, _ = op.Parameters.Get("Trustee")
		}
		ops = append(ops, fmt.Sprintf("%s %v", op.Cmdlet, u))
	}
	if diff := cmp.Diff([]string{"Remove-RecipientPermission adele@contoso.com", "Add-MailboxPermission alexw@contoso.com"}, ops); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	rcpApply(t, p, pl)
	pl, _ = rcpPlan(t, reg, src)
	if got := rcpSummary(pl); len(got) > 0 {
		t.Fatalf("not converged:\n%s", strings.Join(got, "\n"))
	}
	res := rcpInvoke(t, client, "Get-MailboxPermission", providers.Params{{Name: "Identity", Value: "info"}})
	self := false
	for _, o := range res.Objects {
		self = self || o["User"] == `NT AUTHORITY\SELF`
	}
	if !self {
		t.Error("NT AUTHORITY\\SELF was removed")
	}
}

// TestPlanCASMailboxesAtScale: SMTP AUTH declared for 5,000 mailboxes plans with one
// Get-CASMailbox request per page of 1,000 mailboxes of each part of the partitioned read (plus
// the first, unfiltered page), not one per mailbox.
func TestPlanCASMailboxesAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("scale test")
	}
	const n = 5000
	srv, reg, client := simTenant(t, sim.Options{Mailboxes: n})
	var b strings.Builder
	b.WriteString("exoform {\n  workspace = \"scale\"\n}\nlocals {\n  senders = toset([\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "    \"user%05d@contoso.com\",\n", i)
	}
	b.WriteString(`  ])
}
resource "exchange_cas_mailbox" "sender" {
  for_each                            = local.senders
  identity                            = each.key
  smtp_client_authentication_disabled = false
}
`)
	before := srv.Stats().Requests
	pl, _ := rcpPlan(t, reg, b.String())
	afterPlan := srv.Stats().Requests
	reads := afterPlan["Get-CASMailbox"] - before["Get-CASMailbox"]
	total := 0
	for k, v := range afterPlan {
		total += v - before[k]
	}
	if got := pl.Counts()[plan.Update]; got != n {
		t.Fatalf("%d updates, want %d", got, n)
	}
	res, _ := reg.Resource("exchange_cas_mailbox")
	all, err := res.ReadAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// More than a page: the unfiltered first page, then each part of the partitioned read.
	pages := 1
	for _, f := range exchange.RecipientPartitionFilters() {
		part := rcpInvoke(t, client, "Get-CASMailbox", providers.Params{{Name: "ResultSize", Value: "Unlimited"}, {Name: "Filter", Value: f}})
		pages += max(1, (len(part.Objects)+exchange.DefaultPageSize-1)/exchange.DefaultPageSize)
	}
	if reads != pages {
		t.Errorf("planning %d mailboxes (%d in the tenant) sent %d Get-CASMailbox requests; want %d: the first page and each part's pages", n, len(all), reads, pages)
	}
	t.Logf("%d mailboxes in the tenant, %d declared: %d Get-CASMailbox requests, %d Exchange requests in all", len(all), n, reads, total)
}

// TestTrusteeAliasIsRefused: Get-CASMailbox reports no aliases, so a trustee written as an alias
// is refused with the address to use, instead of a difference in every plan.
func TestTrusteeAliasIsRefused(t *testing.T) {
	_, reg, _ := simTenant(t, sim.Options{})
	msg := rcpPlanErr(t, reg, `exoform {
  workspace = "ws"
}
resource "exchange_mailbox_permissions" "info" {
  identity    = "info"
  full_access = ["adele"]
}
`)
	if !strings.Contains(msg, "Write the trustee as adele@contoso.com") {
		t.Errorf("diagnostics: %s", msg)
	}
}

// TestReadsAtTheLimitAgainstSim counts the requests of the recipient reads of a generated tenant
// with a small page size: a bulk read of more than a page costs its unfiltered first page plus
// every part's pages, and returns every mailbox exactly once; the per-mailbox reads of declared
// mailboxes go ten to a $batch request.
func TestReadsAtTheLimitAgainstSim(t *testing.T) {
	const pageSize = 25
	srv, _, _ := simTenant(t, sim.Options{Mailboxes: 300, SharedMailboxes: 40, MailboxPermissions: 30})
	ctx := context.Background()
	c := simClient(t, srv, pageSize)
	reg := providers.NewRegistry()
	exchange.NewProvider(c).Register(reg)
	truth := simClient(t, srv, 1000)

	for _, tt := range []struct {
		typ, cmdlet string
		params      providers.Params
	}{
		{"exchange_cas_mailbox", "Get-CASMailbox", nil},
		{"exchange_shared_mailbox", "Get-Mailbox", providers.Params{{Name: "RecipientTypeDetails", Value: []string{"SharedMailbox"}}}},
	} {
		t.Run(tt.typ, func(t *testing.T) {
			all := append(providers.Params{{Name: "ResultSize", Value: "Unlimited"}}, tt.params...)
			res := rcpInvoke(t, truth, tt.cmdlet, all)
			want := 1 // the unfiltered first page
			inParts := 0
			for _, f := range exchange.RecipientPartitionFilters() {
				part := rcpInvoke(t, truth, tt.cmdlet, append(all, providers.Param{Name: "Filter", Value: f}))
				inParts += len(part.Objects)
				want += max(1, (len(part.Objects)+pageSize-1)/pageSize)
			}
			if inParts != len(res.Objects) || len(res.Objects) <= pageSize {
				t.Fatalf("the parts hold %d objects, the tenant %d: want equal, and more than a page", inParts, len(res.Objects))
			}
			before, simBefore := c.Stats(), srv.Stats()
			r, _ := reg.Resource(tt.typ)
			objs, err := r.ReadAll(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Stats().PerCmdlet[tt.cmdlet].Requests - before.PerCmdlet[tt.cmdlet].Requests; got != int64(want) {
				t.Errorf("%s: %d requests, want %d", tt.cmdlet, got, want)
			}
			if got := srv.Stats().Requests[tt.cmdlet] - simBefore.Requests[tt.cmdlet]; got != want {
				t.Errorf("the tenant counted %d %s requests, want %d", got, tt.cmdlet, want)
			}
			seen := map[string]int{}
			for _, o := range objs {
				seen[strings.ToLower(o.Key)]++
			}
			for _, o := range res.Objects {
				key := strings.ToLower(fmt.Sprint(o["PrimarySmtpAddress"]))
				if seen[key] != 1 {
					t.Errorf("%s read %d times, want once", key, seen[key])
				}
			}
			if len(objs) != len(res.Objects) {
				t.Errorf("%d objects read, the tenant has %d", len(objs), len(res.Objects))
			}
		})
	}

	t.Run("exchange_mailbox_permissions", func(t *testing.T) {
		shared := rcpInvoke(t, truth, "Get-Mailbox", providers.Params{{Name: "RecipientTypeDetails", Value: []string{"SharedMailbox"}}, {Name: "ResultSize", Value: "Unlimited"}})
		var keys []string
		for _, o := range shared.Objects[:25] {
			keys = append(keys, fmt.Sprint(o["PrimarySmtpAddress"]))
		}
		keys = append(keys, "nobody@contoso.com")
		before, simBefore := c.Stats(), srv.Stats()
		r, _ := reg.Resource("exchange_mailbox_permissions")
		objs, missing, err := r.(providers.ScopedReader).ReadKeys(ctx, keys)
		if err != nil {
			t.Fatal(err)
		}
		if len(objs) != 25 || !cmp.Equal(missing, []string{"nobody@contoso.com"}) {
			t.Errorf("%d objects, missing %v; want 25 and the unknown mailbox", len(objs), missing)
		}
		after, simAfter := c.Stats(), srv.Stats()
		// 26 mailboxes, two cmdlets each: 52 items, ten to a batch.
		if got := after.Requests - before.Requests; got != 6 {
			t.Errorf("%d requests, want 6 $batch requests", got)
		}
		if got := after.BatchItems - before.BatchItems; got != 52 {
			t.Errorf("%d batched items, want 52", got)
		}
		if got := simAfter.Exchange.Requests - simBefore.Exchange.Requests; got != 6 {
			t.Errorf("the tenant counted %d requests, want 6", got)
		}
		full := 0
		for _, o := range objs {
			full += o.Value.GetAttr("full_access").LengthInt()
		}
		if full == 0 {
			t.Error("no FullAccess trustee read on 25 generated shared mailboxes with 30 permission entries")
		}
	})
}
