package sim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"
)

// generateNow is the present of every generated tenant: creation dates lie
// before it, and client secrets are expired, expiring or valid relative to
// it. It is a constant rather than the clock so that a seed always gives
// the same tenant. It is the instant the examples pin EXOFORM_SIM_NOW to, so
// plans made with that clock see the secrets as generated.
var generateNow = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// generateEpoch is when the oldest generated objects were created.
var generateEpoch = time.Date(2019, 6, 3, 8, 0, 0, 0, time.UTC)

// generatedCount is one count of Options that the generator honours.
type generatedCount struct {
	option string // the Options field
	n      int
}

func (o Options) generatedCounts() []generatedCount {
	return []generatedCount{
		{"Mailboxes", o.Mailboxes}, {"SharedMailboxes", o.SharedMailboxes}, {"MailboxPermissions", o.MailboxPermissions},
		{"Connectors", o.Connectors}, {"TransportRules", o.TransportRules}, {"Apps", o.Apps},
		{"SMTPAuthOverrides", o.SMTPAuthOverrides},
	}
}

// generates reports whether a new state needs more than the demo tenant.
func (o Options) generates() bool {
	for _, c := range o.generatedCounts() {
		if c.n != 0 {
			return true
		}
	}
	return o.GenerateSeed != 0
}

// generator adds generated objects to a seeded demo tenant. Each kind of
// object draws from its own random stream (seeded with GenerateSeed and the
// kind), so the objects of one kind do not change when another kind's count
// does. Objects are built with the cmdlets' own parameter binding and the
// functions New-*/Set-*/Add-* apply parameters with; what those cmdlets check
// by scanning the whole tenant (unique names, aliases and addresses) the
// generator guarantees by construction, which keeps 50,000 mailboxes fast.
type generator struct {
	st   *state
	opts Options
	// check is an empty tenant with st's domains: the cmdlets' per-object
	// checks run against it, so they validate values without scanning.
	check *cmdContext
	// taken holds lower-case names, aliases and addresses in use, per namespace.
	taken map[string]map[string]bool
	// record, when set (tests), receives each Exchange cmdlet call that
	// makes the same object through the API.
	record func(cmdlet string, args map[string]any)

	users     []*mailbox // every user mailbox, demo ones first
	generated []*mailbox // the generated user mailboxes
	shared    []*mailbox // the generated shared mailboxes
}

// generate adds what opts asks for to st, a freshly seeded demo tenant.
func generate(st *state, opts Options, record func(string, map[string]any)) error {
	for _, c := range opts.generatedCounts() {
		if c.n < 0 {
			return fmt.Errorf("sim: Options.%s is %d; a count can't be negative, give 0 or more", c.option, c.n)
		}
	}
	check := &state{Tenant: st.Tenant}
	check.ensureMaps()
	g := &generator{st: st, opts: opts, record: record, taken: map[string]map[string]bool{},
		check: &cmdContext{st: check, now: generateNow, lag: func() time.Duration { return 0 }}}
	g.noteExisting()
	for _, step := range []func() error{g.userMailboxes, g.sharedMailboxes, g.permissions, g.smtpAuthOverrides, g.connectors, g.transportRules, g.apps} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// noteExisting records the demo tenant's names, so generated ones differ.
func (g *generator) noteExisting() {
	for _, k := range sortedKeys(g.st.Exchange.Mailboxes) {
		m := g.st.Exchange.Mailboxes[k].Current
		g.take("mailbox", m.Name)
		g.take("alias", m.Alias)
		g.take("address", m.UserPrincipalName)
		for _, a := range m.smtpAddresses() {
			g.take("address", a)
		}
		if !m.Shared {
			g.users = append(g.users, m)
		}
	}
	for _, c := range masterList(g.st.Exchange.InboundConnectors) {
		g.take("connector", c.Name)
	}
	for _, r := range masterList(g.st.Exchange.TransportRules) {
		g.take("rule", r.Name)
	}
	for _, a := range masterList(g.st.Graph.Applications) {
		g.take("app", a.App.DisplayName)
	}
}

func (g *generator) take(ns, v string) {
	if g.taken[ns] == nil {
		g.taken[ns] = map[string]bool{}
	}
	g.taken[ns][strings.ToLower(v)] = true
}

func (g *generator) isTaken(ns, v string) bool { return g.taken[ns][strings.ToLower(v)] }

// unique returns base, or base with " (2)", " (3)"... when the name is taken
// in ns, cut to max characters, and takes it.
func (g *generator) unique(ns, base string, max int) string {
	name := truncRunes(base, max)
	for n := 2; g.isTaken(ns, name); n++ {
		suffix := " (" + strconv.Itoa(n) + ")"
		name = strings.TrimSpace(truncRunes(base, max-len(suffix))) + suffix
	}
	g.take(ns, name)
	return name
}

func truncRunes(s string, max int) string {
	if r := []rune(s); len(r) > max {
		return string(r[:max])
	}
	return s
}

// rng returns the random stream of one kind of object.
func (g *generator) rng(kind string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(kind))
	return rand.New(rand.NewPCG(uint64(g.opts.GenerateSeed), h.Sum64()))
}

// guid is a GUID derived from the tenant, the seed and parts, so the same
// seed gives the same GUIDs and different tenants or seeds different ones.
func (g *generator) guid(parts ...string) string {
	return nameGUID(g.st.Tenant.ID + ":generated:" + strconv.FormatInt(g.opts.GenerateSeed, 10) + ":" + strings.Join(parts, ":"))
}

// exchange binds args as the server binds a call of cmdlet (the same
// parameter table, types and enumerations) and, in tests, records the call.
func (g *generator) exchange(cmdlet string, args map[string]any) (params, error) {
	c := lookupCmdlet(cmdlet)
	raw := make(map[string]json.RawMessage, len(args))
	for k, v := range args {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("sim: generating %s: %w", cmdlet, err)
		}
		raw[k] = b
	}
	p, e := bindParams(c.params, raw)
	if e != nil {
		return nil, generatedInvalid(cmdlet, args, e)
	}
	if g.record != nil {
		g.record(cmdlet, args)
	}
	return p, nil
}

// generatedInvalid reports a generated object the sim's own rules refuse:
// a bug in the generator's word lists or templates, never a user error.
func generatedInvalid(what string, args any, err error) error {
	b, _ := json.Marshal(args)
	return fmt.Errorf("sim: the generator made an invalid %s %s: %v", what, b, err)
}

func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// between returns a time in [from, to), in whole seconds.
func between(r *rand.Rand, from, to time.Time) time.Time {
	span := int64(to.Sub(from) / time.Second)
	if span <= 0 {
		return from
	}
	return from.Add(time.Duration(r.Int64N(span)) * time.Second)
}

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// opaque is an id shaped like opaqueID's, drawn from r.
func opaque(r *rand.Rand) string {
	b := make([]byte, 32)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// userMailboxes adds Options.Mailboxes user mailboxes user00001… in the
// default domain, with GUIDs derived from the tenant and alias (as the demo
// mailboxes) and people's names as display names. Display names may repeat,
// as in real tenants.
func (g *generator) userMailboxes() error {
	r := g.rng("users")
	domain := rcpDefaultDomain(g.st)
	for i := 1; i <= g.opts.Mailboxes; i++ {
		alias := fmt.Sprintf("user%05d", i)
		created := between(r, generateEpoch, generateNow.Add(-days(2)))
		m := rcpSeedMailbox(g.st.Tenant, domain, alias, alias, created)
		m.DisplayName = pick(r, genFirstNames) + " " + pick(r, genLastNames)
		g.take("mailbox", m.Name)
		g.take("alias", alias)
		for _, a := range m.smtpAddresses() {
			g.take("address", a)
		}
		g.st.Exchange.Mailboxes[m.Guid] = &versioned[mailbox]{Current: m}
		g.users = append(g.users, m)
		g.generated = append(g.generated, m)
	}
	return nil
}

// sharedMailboxes adds Options.SharedMailboxes shared mailboxes: functional
// ones per office ("Accounts Payable – Nordics") and project mailboxes
// ("Projekt 25-031 Neubau Kita Sonnenhügel"), made as New-Mailbox -Shared
// makes them, some with Set-Mailbox settings changed.
func (g *generator) sharedMailboxes() error {
	r := g.rng("shared")
	domain := rcpDefaultDomain(g.st)
	projects := map[int]int{} // last project number per year
	for i := 0; i < g.opts.SharedMailboxes; i++ {
		var name, alias string
		if chance(r, 0.4) {
			f, reg := pick(r, genFunctions), pick(r, genRegions)
			name, alias = f.display+" – "+reg.display, f.ascii+"."+reg.ascii
			if chance(r, 0.3) {
				name = f.display + " " + reg.display
			}
		} else {
			site, year := pick(r, genSites), 2019+r.IntN(8)
			if projects[year] == 0 {
				projects[year] = 100
			}
			projects[year] += 1 + r.IntN(3)
			n := projects[year]
			name = fmt.Sprintf("%s %02d-%03d %s", site.project, year%100, n, site.display)
			alias = fmt.Sprintf("p%02d%03d-%s", year%100, n, site.ascii)
		}
		name = g.unique("mailbox", name, 64)
		alias = g.uniqueAlias(alias)
		primary := strings.ToLower(alias) + "@" + domain
		args := map[string]any{"Name": name, "Alias": alias, "PrimarySmtpAddress": primary, "Shared": true}
		if _, err := g.exchange("New-Mailbox", args); err != nil {
			return err
		}
		created := between(r, generateEpoch, generateNow.Add(-days(7)))
		ids := [3]string{g.guid("mailbox", alias), g.guid("exchange-guid", alias), g.guid("entra-user", alias)}
		m := newSharedMailbox(g.st, ids, name, alias, name, primary, created)
		if e := g.checkNewMailbox(m); e != nil {
			return generatedInvalid("shared mailbox", args, e)
		}
		if err := g.mailboxSettings(r, m); err != nil {
			return err
		}
		for _, a := range m.smtpAddresses() {
			g.take("address", a)
		}
		g.st.Exchange.Mailboxes[m.Guid] = &versioned[mailbox]{Current: m}
		g.shared = append(g.shared, m)
	}
	return nil
}

// uniqueAlias returns alias, or alias2, alias3... when it or its address is
// taken, and takes it.
func (g *generator) uniqueAlias(base string) string {
	alias := base
	for n := 2; g.isTaken("alias", alias) || g.isTaken("address", alias+"@"+rcpDefaultDomain(g.st)) ||
		g.isTaken("address", alias+"@"+g.st.Tenant.InitialDomain); n++ {
		alias = base + strconv.Itoa(n)
	}
	g.take("alias", alias)
	return alias
}

// checkNewMailbox runs New-Mailbox's checks of one mailbox's values.
func (g *generator) checkNewMailbox(m *mailbox) *exError {
	if e := checkMailboxName(g.check, m.Name, ""); e != nil {
		return e
	}
	if e := checkMailboxAlias(g.check, m.Alias, ""); e != nil {
		return e
	}
	if e := checkDisplayName(m.DisplayName); e != nil {
		return e
	}
	for _, a := range m.smtpAddresses() {
		if g.isTaken("address", a) {
			return errAlreadyExists("The proxy address \"SMTP:%s\" is already being used.", a)
		}
	}
	return checkMailboxAddresses(g.check, m)
}

// mailboxSettings changes some Set-Mailbox settings of a shared mailbox the
// way administrators do: sent items copied for Send-As, hidden from the
// address book, a cost centre in a custom attribute.
func (g *generator) mailboxSettings(r *rand.Rand, m *mailbox) error {
	args := map[string]any{}
	if chance(r, 0.35) {
		args["MessageCopyForSentAsEnabled"] = true
	}
	if chance(r, 0.1) {
		args["MessageCopyForSendOnBehalfEnabled"] = true
	}
	if chance(r, 0.1) {
		args["HiddenFromAddressListsEnabled"] = true
	}
	if chance(r, 0.15) {
		args["CustomAttribute1"] = fmt.Sprintf("CC-%04d", 1000+r.IntN(9000))
	}
	if len(args) == 0 {
		return nil
	}
	args["Identity"] = m.primary()
	p, err := g.exchange("Set-Mailbox", args)
	if err != nil {
		return err
	}
	if e := m.Settings.apply(g.st, mailboxSettings, p); e != nil {
		return generatedInvalid("Set-Mailbox", args, e)
	}
	if e := m.Settings.apply(g.st, customAttributeSettings, p); e != nil {
		return generatedInvalid("Set-Mailbox", args, e)
	}
	m.WhenChanged = between(r, m.WhenCreated, generateNow)
	return nil
}

// permissions adds Options.MailboxPermissions explicit entries on the
// generated shared mailboxes: half of them, rounded up, FullAccess
// (Add-MailboxPermission), the rest SendAs (Add-RecipientPermission).
// Trustees are user mailboxes, demo ones included; most SendAs trustees also
// hold FullAccess on the same mailbox, as delegates of a shared mailbox do.
// A few mailboxes get many delegates and most get few.
func (g *generator) permissions() error {
	n := g.opts.MailboxPermissions
	if n == 0 {
		return nil
	}
	nShared, nUsers := len(g.shared), len(g.users)
	if nShared == 0 {
		return fmt.Errorf("sim: Options.MailboxPermissions is %d but there are no generated shared mailboxes to grant them on; set Options.SharedMailboxes too", n)
	}
	full, sendAs := n-n/2, n/2
	if limit := nShared * nUsers; full > limit {
		return fmt.Errorf("sim: Options.MailboxPermissions %d doesn't fit: %d shared and %d user mailboxes hold at most %d FullAccess and %d SendAs entries; raise Options.SharedMailboxes or Options.Mailboxes", n, nShared, nUsers, limit, limit)
	}
	r := g.rng("permissions")
	draw := func() int { u := r.Float64(); return int(float64(nShared)*u*u)*nUsers + r.IntN(nUsers) }
	fullPairs := drawPairs(full, nShared*nUsers, draw, nil)
	sendPairs := drawPairs(sendAs, nShared*nUsers, draw, func(i int) (int, bool) {
		if i < len(fullPairs) && chance(r, 0.7) {
			return fullPairs[i], true
		}
		return 0, false
	})
	for _, pair := range fullPairs {
		m, u := g.shared[pair/nUsers], g.users[pair%nUsers]
		args := map[string]any{"Identity": m.primary(), "User": u.UserPrincipalName, "AccessRights": []string{"FullAccess"}}
		autoMapping := true
		if chance(r, 0.2) {
			autoMapping = false
			args["AutoMapping"] = false
		}
		p, err := g.exchange("Add-MailboxPermission", args)
		if err != nil {
			return err
		}
		rights, e := parseMailboxRights(p["AccessRights"], mailboxRightsOrder)
		if e != nil {
			return generatedInvalid("Add-MailboxPermission", args, e)
		}
		m.FullAccess = append(m.FullAccess, mailboxACE{User: u.Guid, AccessRights: rights, InheritanceType: "All", AutoMapping: autoMapping})
	}
	for _, pair := range sendPairs {
		m, u := g.shared[pair/nUsers], g.users[pair%nUsers]
		args := map[string]any{"Identity": m.primary(), "Trustee": u.UserPrincipalName, "AccessRights": []string{"SendAs"}, "Confirm": false}
		p, err := g.exchange("Add-RecipientPermission", args)
		if err != nil {
			return err
		}
		if e := checkSendAs(p["AccessRights"], true); e != nil {
			return generatedInvalid("Add-RecipientPermission", args, e)
		}
		m.SendAs = append(m.SendAs, u.Guid)
	}
	return nil
}

// drawPairs returns n distinct numbers below limit (n <= limit): prefer(i)
// may propose the i-th, then draw is tried a few times, then the next free
// number after a drawn one is taken, so it ends however full the space is.
func drawPairs(n, limit int, draw func() int, prefer func(i int) (int, bool)) []int {
	used := make(map[int]bool, n)
	out := make([]int, 0, n)
	for i := 0; i < n; i++ {
		p, ok := 0, false
		if prefer != nil {
			if p, ok = prefer(i); ok && used[p] {
				ok = false
			}
		}
		for try := 0; !ok && try < 16; try++ {
			p = draw()
			ok = !used[p]
		}
		for !ok {
			p = (p + 1) % limit
			ok = !used[p]
		}
		used[p] = true
		out = append(out, p)
	}
	return out
}

// smtpAuthOverrides sets SmtpClientAuthenticationDisabled explicitly on
// Options.SMTPAuthOverrides generated user mailboxes (Set-CASMailbox): about
// four in five $false, SMTP AUTH allowed against the organization's $true
// (the devices and applications that still send with SMTP AUTH), the rest
// $true. The demo mailboxes keep their defaults.
func (g *generator) smtpAuthOverrides() error {
	n := g.opts.SMTPAuthOverrides
	if n > len(g.generated) {
		return fmt.Errorf("sim: Options.SMTPAuthOverrides %d is more than the %d generated user mailboxes (Options.Mailboxes) it is set on", n, len(g.generated))
	}
	r := g.rng("smtp-auth")
	chosen := r.Perm(len(g.generated))[:n]
	sort.Ints(chosen)
	for _, i := range chosen {
		m := g.generated[i]
		args := map[string]any{"Identity": m.UserPrincipalName, "SmtpClientAuthenticationDisabled": chance(r, 0.2)}
		p, err := g.exchange("Set-CASMailbox", args)
		if err != nil {
			return err
		}
		if e := m.CAS.apply(g.st, casSettings, p); e != nil {
			return generatedInvalid("Set-CASMailbox", args, e)
		}
		m.WhenChanged = between(r, m.WhenCreated, generateNow)
	}
	return nil
}
