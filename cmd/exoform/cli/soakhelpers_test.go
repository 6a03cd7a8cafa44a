package cli_test

// Helpers shared by the crash-safety test (crash_test.go) and the soak runner (soak_test.go):
// what the simulated tenant's state file says exists, the JSON plan, and the checks that hold
// one against the other. They read the state file directly rather than through the APIs, so
// that a check sees the master copy even while reads lag (replication), and so that checking
// costs no request that could itself fault.

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/exoform/exoform/providers"
)

// Resource types the checks know, by their configuration names.
const (
	tConnector   = "exchange_inbound_connector"
	tRule        = "exchange_transport_rule"
	tMailbox     = "exchange_shared_mailbox"
	tPermissions = "exchange_mailbox_permissions"
	tCAS         = "exchange_cas_mailbox"
	tApp         = "entra_application"
	tSecret      = "entra_application_password"
	tSP          = "entra_service_principal"
)

// soakRecord is one versioned record of the sim's state file (sim/lag.go): Current is the master
// copy, Previous what reads see until VisibleAt.
type soakRecord[T any] struct {
	Current   *T         `json:"current"`
	Previous  *T         `json:"previous"`
	VisibleAt *time.Time `json:"visible_at"`
}

// at returns the copy a reader sees at now, or the master copy.
func (r *soakRecord[T]) at(now time.Time, master bool) *T {
	if r == nil {
		return nil
	}
	if master || r.VisibleAt == nil || !now.Before(*r.VisibleAt) {
		return r.Current
	}
	return r.Previous
}

type soakBag struct {
	Bools   map[string]bool   `json:"bools"`
	Strings map[string]string `json:"strings"`
}

// soakStateFile is the part of the sim's state file the checks read.
type soakStateFile struct {
	AdminApp struct {
		ClientSecret string `json:"client_secret"`
	} `json:"admin_app"`
	TokenSigningKey string `json:"token_signing_key"`
	Exchange        struct {
		InboundConnectors map[string]*soakRecord[struct {
			Name          string   `json:"name"`
			Comment       *string  `json:"comment"`
			SenderDomains []string `json:"sender_domains"`
		}] `json:"inbound_connectors"`
		TransportRules map[string]*soakRecord[struct {
			Name     string  `json:"name"`
			Comments *string `json:"comments"`
		}] `json:"transport_rules"`
		Mailboxes map[string]*soakRecord[struct {
			Guid              string   `json:"guid"`
			Name              string   `json:"name"`
			UserPrincipalName string   `json:"user_principal_name"`
			EmailAddresses    []string `json:"email_addresses"`
			Shared            bool     `json:"shared"`
			Settings          soakBag  `json:"settings"`
			CAS               soakBag  `json:"cas"`
			FullAccess        []struct {
				User         string   `json:"user"`
				AccessRights []string `json:"access_rights"`
				Deny         bool     `json:"deny"`
			} `json:"mailbox_permissions"`
			SendAs []string `json:"send_as"`
		}] `json:"mailboxes"`
	} `json:"exchange"`
	Graph struct {
		Applications map[string]*soakRecord[struct {
			App struct {
				ID                  string   `json:"id"`
				AppID               string   `json:"appId"`
				DisplayName         string   `json:"displayName"`
				Tags                []string `json:"tags"`
				PasswordCredentials []struct {
					DisplayName *string `json:"displayName"`
					Hint        string  `json:"hint"`
					KeyID       string  `json:"keyId"`
					EndDateTime string  `json:"endDateTime"`
				} `json:"passwordCredentials"`
			} `json:"app"`
		}] `json:"applications"`
		ServicePrincipals map[string]*soakRecord[struct {
			ID          string   `json:"id"`
			AppID       string   `json:"appId"`
			DisplayName string   `json:"displayName"`
			Tags        []string `json:"tags"`
			AppRoles    []struct {
				ID    string `json:"id"`
				Value string `json:"value"`
			} `json:"appRoles"`
		}] `json:"service_principals"`
		AppRoleAssignments map[string]*soakRecord[struct {
			AppRoleID   string `json:"appRoleId"`
			PrincipalID string `json:"principalId"`
			ResourceID  string `json:"resourceId"`
		}] `json:"app_role_assignments"`
		PermissionGrants map[string]*soakRecord[struct {
			ClientID    string  `json:"clientId"`
			ConsentType string  `json:"consentType"`
			PrincipalID *string `json:"principalId"`
			ResourceID  string  `json:"resourceId"`
			Scope       string  `json:"scope"`
		}] `json:"oauth2_permission_grants"`
	} `json:"graph"`
}

// soakObject is one object of a type the checks follow, keyed as the plan keys it (a
// secret as "APP DISPLAY NAME\SECRET NAME", since its plan key holds an app id that a create
// does not know yet).
type soakObject struct {
	Type, Key string
	Owner     string   // the workspace its ownership marker names; "" without one
	Hint      string   // a secret's hint: the first characters of its value
	Domains   []string // a connector's sender domains
}

// soakMailboxView is what the checks need of a mailbox.
type soakMailboxView struct {
	Name, Primary, UPN string
	Shared             bool
	FullAccess, SendAs []string // trustees' user principal names, lower case, sorted
	SMTPDisabled       *bool    // CAS SmtpClientAuthenticationDisabled; nil: inherit
	Imap               *bool
}

// soakTenant is the tenant at one moment: as readers saw it then, or the master copy.
type soakTenant struct {
	Objects   []soakObject
	Mailboxes map[string]*soakMailboxView // by lower-case primary address
	// appComplete says, per app display name (lower case), whether its service principal
	// exists and holds an assignment of every role its app asks for.
	appComplete map[string]bool
	// extras lists what is duplicated: objects that must be unique but exist more than once.
	extras []string
	// Credentials are values no output may show: the admin app's secret and the token key.
	Credentials []string
}

// find returns the object of a type with a key (case-insensitively).
func (v *soakTenant) find(typ, key string) *soakObject {
	for i := range v.Objects {
		if v.Objects[i].Type == typ && strings.EqualFold(v.Objects[i].Key, key) {
			return &v.Objects[i]
		}
	}
	return nil
}

// soakReadTenant reads the state file and returns the tenant as readers see it at now, or the
// master copy. roles lists, per app display name (lower case), the Microsoft Graph app roles
// the configuration asks for, which an app needs assigned to be complete.
func soakReadTenant(path string, now time.Time, master bool, roles map[string][]string) (*soakTenant, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var st soakStateFile
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	v := &soakTenant{Mailboxes: map[string]*soakMailboxView{}, appComplete: map[string]bool{}}
	for _, s := range []string{st.AdminApp.ClientSecret, st.TokenSigningKey} {
		if len(s) >= 8 {
			v.Credentials = append(v.Credentials, s)
		}
	}
	count := map[string]int{}
	add := func(o soakObject) {
		v.Objects = append(v.Objects, o)
		count[o.Type+"\x00"+strings.ToLower(o.Key)]++
	}
	markerOf := func(field *string) string {
		if field == nil {
			return ""
		}
		_, m := providers.SplitMarker(*field)
		return m.Workspace
	}
	for _, r := range st.Exchange.InboundConnectors {
		if c := r.at(now, master); c != nil {
			add(soakObject{Type: tConnector, Key: c.Name, Owner: markerOf(c.Comment), Domains: c.SenderDomains})
		}
	}
	for _, r := range st.Exchange.TransportRules {
		if c := r.at(now, master); c != nil {
			add(soakObject{Type: tRule, Key: c.Name, Owner: markerOf(c.Comments)})
		}
	}
	upnOf := map[string]string{}
	for _, r := range st.Exchange.Mailboxes {
		if m := r.Current; m != nil {
			upnOf[m.Guid] = strings.ToLower(m.UserPrincipalName)
		}
	}
	names := map[string]int{}
	for _, r := range st.Exchange.Mailboxes {
		m := r.at(now, master)
		if m == nil {
			continue
		}
		mv := &soakMailboxView{Name: m.Name, UPN: strings.ToLower(m.UserPrincipalName), Shared: m.Shared}
		for _, a := range m.EmailAddresses {
			if strings.HasPrefix(a, "SMTP:") {
				mv.Primary = strings.ToLower(strings.TrimPrefix(a, "SMTP:"))
			}
		}
		for _, ace := range m.FullAccess {
			for _, right := range ace.AccessRights {
				if right == "FullAccess" && !ace.Deny {
					mv.FullAccess = append(mv.FullAccess, upnOf[ace.User])
				}
			}
		}
		for _, g := range m.SendAs {
			mv.SendAs = append(mv.SendAs, upnOf[g])
		}
		sort.Strings(mv.FullAccess)
		sort.Strings(mv.SendAs)
		if b, ok := m.CAS.Bools["SmtpClientAuthenticationDisabled"]; ok {
			mv.SMTPDisabled = &b
		}
		if b, ok := m.CAS.Bools["ImapEnabled"]; ok {
			mv.Imap = &b
		}
		v.Mailboxes[mv.Primary] = mv
		names[strings.ToLower(m.Name)]++
		if m.Shared {
			marker := m.Settings.Strings["CustomAttribute15"]
			add(soakObject{Type: tMailbox, Key: mv.Primary, Owner: markerOf(&marker)})
		}
	}
	for n, c := range names {
		if c > 1 {
			v.extras = append(v.extras, fmt.Sprintf("%d mailboxes named %q", c, n))
		}
	}

	// Service principals by id and by app id, their roles by value, for assignments.
	type spInfo struct {
		id, appID string
		roles     map[string]string // id -> value
	}
	sps := map[string]*spInfo{}
	spByApp := map[string]*spInfo{}
	for _, r := range st.Graph.ServicePrincipals {
		sp := r.at(now, master)
		if sp == nil {
			continue
		}
		in := &spInfo{id: sp.ID, appID: sp.AppID, roles: map[string]string{}}
		for _, role := range sp.AppRoles {
			in.roles[role.ID] = role.Value
		}
		sps[sp.ID] = in
		if spByApp[strings.ToLower(sp.AppID)] != nil {
			v.extras = append(v.extras, "two service principals for app "+sp.AppID)
		}
		spByApp[strings.ToLower(sp.AppID)] = in
		owner := ""
		for _, tag := range sp.Tags {
			if text, m := providers.SplitMarker(tag); text == "" {
				owner = m.Workspace
			}
		}
		add(soakObject{Type: tSP, Key: sp.AppID, Owner: owner})
	}
	assigned := map[string]map[string]bool{} // principal id -> "resource app id/role value"
	seenAssign := map[string]int{}
	for _, r := range st.Graph.AppRoleAssignments {
		a := r.at(now, master)
		if a == nil {
			continue
		}
		seenAssign[a.PrincipalID+"/"+a.ResourceID+"/"+a.AppRoleID]++
		res := sps[a.ResourceID]
		if res == nil {
			continue
		}
		if assigned[a.PrincipalID] == nil {
			assigned[a.PrincipalID] = map[string]bool{}
		}
		assigned[a.PrincipalID][strings.ToLower(res.appID)+"/"+res.roles[a.AppRoleID]] = true
	}
	for k, c := range seenAssign {
		if c > 1 {
			v.extras = append(v.extras, fmt.Sprintf("%d identical app role assignments %s", c, k))
		}
	}
	seenGrant := map[string]int{}
	for _, r := range st.Graph.PermissionGrants {
		g := r.at(now, master)
		if g == nil {
			continue
		}
		p := ""
		if g.PrincipalID != nil {
			p = *g.PrincipalID
		}
		seenGrant[g.ClientID+"/"+g.ResourceID+"/"+g.ConsentType+"/"+p]++
	}
	for k, c := range seenGrant {
		if c > 1 {
			v.extras = append(v.extras, fmt.Sprintf("%d grants for one client, resource and principal %s", c, k))
		}
	}

	for _, r := range st.Graph.Applications {
		rec := r.at(now, master)
		if rec == nil {
			continue
		}
		a := rec.App
		owner := ""
		for _, tag := range a.Tags {
			if text, m := providers.SplitMarker(tag); text == "" {
				owner = m.Workspace
			}
		}
		add(soakObject{Type: tApp, Key: a.DisplayName, Owner: owner})
		// Complete: the principal exists and holds every role the app asks for, which the
		// soak and crash configurations ask for on Microsoft Graph only.
		complete := false
		if sp := spByApp[strings.ToLower(a.AppID)]; sp != nil {
			complete = true
			for _, role := range roles[strings.ToLower(a.DisplayName)] {
				if !assigned[sp.id][soakGraphAppID+"/"+role] {
					complete = false
				}
			}
		}
		v.appComplete[strings.ToLower(a.DisplayName)] = complete
		// Secrets: the newest of a name is the one exoform manages (its hint is what the value
		// file must start with); any other of the same name is a duplicate.
		type cred struct{ hint, end string }
		byName := map[string][]cred{}
		for _, pc := range a.PasswordCredentials {
			if pc.DisplayName == nil {
				continue
			}
			k := strings.ToLower(*pc.DisplayName)
			byName[k] = append(byName[k], cred{pc.Hint, pc.EndDateTime})
		}
		for name, cs := range byName {
			sort.Slice(cs, func(i, j int) bool { return cs[i].end > cs[j].end })
			v.Objects = append(v.Objects, soakObject{Type: tSecret, Key: a.DisplayName + `\` + name, Hint: cs[0].hint})
			if len(cs) > 1 {
				v.extras = append(v.extras, fmt.Sprintf("%d client secrets named %q on app %q", len(cs), name, a.DisplayName))
			}
		}
	}
	for k, c := range count {
		if c > 1 {
			typ, key, _ := strings.Cut(k, "\x00")
			v.extras = append(v.extras, fmt.Sprintf("%d %s objects named %q", c, typ, key))
		}
	}
	sort.Strings(v.extras)
	sort.Slice(v.Objects, func(i, j int) bool {
		if v.Objects[i].Type != v.Objects[j].Type {
			return v.Objects[i].Type < v.Objects[j].Type
		}
		return v.Objects[i].Key < v.Objects[j].Key
	})
	return v, nil
}

// soakGraphAppID is Microsoft Graph's application id, whose app roles the configurations ask for.
const soakGraphAppID = "00000003-0000-0000-c000-000000000000"

// soakPlan is the part of the JSON plan (docs/json-format.md) the checks read.
type soakPlan struct {
	Summary struct {
		Create     int  `json:"create"`
		Adopt      int  `json:"adopt"`
		Update     int  `json:"update"`
		Delete     int  `json:"delete"`
		HasChanges bool `json:"has_changes"`
	} `json:"summary"`
	Changes []struct {
		Address    string            `json:"address"`
		Type       string            `json:"type"`
		Key        string            `json:"key"`
		Action     string            `json:"action"`
		Owner      string            `json:"owner"`
		Operations []json.RawMessage `json:"operations"`
	} `json:"changes"`
}

func soakParsePlan(out string) (*soakPlan, error) {
	var p soakPlan
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		return nil, fmt.Errorf("the JSON plan does not decode: %w", err)
	}
	return &p, nil
}

// operations counts the operations a plan will send.
func (p *soakPlan) operations() int {
	n := 0
	for _, c := range p.Changes {
		n += len(c.Operations)
	}
	return n
}

// soakDecl is one declared object: its configuration address, type and key (see soakObject).
type soakDecl struct {
	Addr, Type, Key string
	// Settings of the declarations the checks compare with the tenant: a connector's sender
	// domains, a mailbox's trustees, a CAS mailbox's SMTP AUTH and IMAP settings (nil: not
	// declared for IMAP, inherit for SMTP AUTH).
	Domains            []string
	FullAccess, SendAs []string
	SMTPDisabled, Imap *bool
	// ValueFile is a secret's value_file, relative to the configuration directory.
	ValueFile string
}

// soakCreatable reports whether the type's objects are created and deleted (not settings).
func soakCreatable(typ string) bool {
	switch typ {
	case tConnector, tRule, tMailbox, tApp, tSecret, tSP:
		return true
	}
	return false
}

// soakPlanProblems holds a plan against the tenant as readers saw it just before (pre) and just
// after (post) it was made: a plan is wrong when it proposes a create, adoption or deletion
// that the configuration and the tenant do not explain, or leaves out a create or deletion
// they require. Objects whose visibility changed while the plan read (replication lag) may go
// either way. Settings and updates are not judged here; convergence checks them.
func soakPlanProblems(ws string, decls []soakDecl, p *soakPlan, pre, post *soakTenant) []string {
	var out []string
	byAddr := map[string]soakDecl{}
	declared := map[string]bool{}
	for _, d := range decls {
		byAddr[d.Addr] = d
		declared[d.Type+"\x00"+strings.ToLower(d.Key)] = true
	}
	// state: "present" (visible throughout), "absent" (throughout) or "changing".
	state := func(typ, key string) (string, *soakObject) {
		a, b := pre.find(typ, key), post.find(typ, key)
		switch {
		case a != nil && b != nil:
			return "present", b
		case a == nil && b == nil:
			return "absent", nil
		}
		return "changing", nil
	}
	planned := map[string]string{}
	for _, c := range p.Changes {
		planned[c.Address] = c.Action
		switch c.Action {
		case "create", "adopt":
			d, ok := byAddr[c.Address]
			if !ok || !soakCreatable(d.Type) {
				out = append(out, fmt.Sprintf("plans to %s %s, which the configuration does not declare as an object to create", c.Action, c.Address))
				continue
			}
			st, obj := state(d.Type, d.Key)
			switch {
			case c.Action == "create" && st == "present":
				out = append(out, fmt.Sprintf("plans to create %s although %q exists", c.Address, d.Key))
			case c.Action == "adopt" && st == "absent":
				out = append(out, fmt.Sprintf("plans to adopt %s although %q does not exist", c.Address, d.Key))
			case c.Action == "adopt" && st == "present" && obj.Owner == ws:
				out = append(out, fmt.Sprintf("plans to adopt %s although %q already carries this workspace's marker", c.Address, d.Key))
			}
		case "delete":
			if declared[c.Type+"\x00"+strings.ToLower(c.Key)] {
				out = append(out, fmt.Sprintf("plans to delete %s[%q], which the configuration declares", c.Type, c.Key))
				continue
			}
			st, obj := state(c.Type, c.Key)
			switch {
			case st == "absent":
				out = append(out, fmt.Sprintf("plans to delete %s[%q], which does not exist", c.Type, c.Key))
			case st == "present" && obj.Owner != ws:
				out = append(out, fmt.Sprintf("plans to delete %s[%q], which does not carry this workspace's marker (owner %q)", c.Type, c.Key, obj.Owner))
			}
		}
	}
	for _, d := range decls {
		if !soakCreatable(d.Type) || d.Type == tSP {
			continue
		}
		if st, _ := state(d.Type, d.Key); st == "absent" {
			if a := planned[d.Addr]; a != "create" && a != "adopt" {
				out = append(out, fmt.Sprintf("does not plan to create %s although %q does not exist (action %q)", d.Addr, d.Key, a))
			}
		}
	}
	deleted := map[string]bool{}
	for _, c := range p.Changes {
		if c.Action == "delete" {
			deleted[c.Type+"\x00"+strings.ToLower(c.Key)] = true
		}
	}
	for _, o := range pre.Objects {
		k := o.Type + "\x00" + strings.ToLower(o.Key)
		if o.Owner != ws || declared[k] || deleted[k] || o.Type == tSecret || o.Type == tSP {
			continue
		}
		if st, _ := state(o.Type, o.Key); st == "present" {
			out = append(out, fmt.Sprintf("does not plan to delete %s[%q], which this workspace owns and no longer declares", o.Type, o.Key))
		}
	}
	return out
}

// soakRemaining says, from the tenant alone, which declarations are not fully in place and what
// the plan must therefore do to each: "create", "adopt", "update" or "" (nothing). It is the
// crash test's model of "exactly what remains".
func soakRemaining(ws string, decls []soakDecl, v *soakTenant) map[string]string {
	want := map[string]string{}
	for _, d := range decls {
		switch d.Type {
		case tConnector, tRule, tMailbox, tApp, tSecret:
			o := v.find(d.Type, d.Key)
			switch {
			case o == nil:
				want[d.Addr] = "create"
			case d.Type != tSecret && o.Owner != ws:
				want[d.Addr] = "adopt"
			case d.Type == tApp && !v.appComplete[strings.ToLower(d.Key)]:
				want[d.Addr] = "update"
			case d.Type == tConnector && d.Domains != nil && !soakSameSet(soakLower(o.Domains), d.Domains):
				want[d.Addr] = "update"
			default:
				want[d.Addr] = ""
			}
		case tPermissions:
			mb := v.Mailboxes[strings.ToLower(d.Key)]
			if mb == nil || !soakSameSet(mb.FullAccess, d.FullAccess) || !soakSameSet(mb.SendAs, d.SendAs) {
				want[d.Addr] = "update"
			} else {
				want[d.Addr] = ""
			}
		case tCAS:
			mb := v.Mailboxes[strings.ToLower(d.Key)]
			imap := mb != nil && (mb.Imap == nil || *mb.Imap) // Exchange's default: on
			if mb == nil || !soakSameBool(mb.SMTPDisabled, d.SMTPDisabled) || (d.Imap != nil && imap != *d.Imap) {
				want[d.Addr] = "update"
			} else {
				want[d.Addr] = ""
			}
		}
	}
	return want
}

func soakSameSet(a, b []string) bool {
	x := append([]string(nil), a...)
	y := make([]string, len(b))
	for i, s := range b {
		y[i] = strings.ToLower(s)
	}
	sort.Strings(x)
	sort.Strings(y)
	return strings.Join(x, ",") == strings.Join(y, ",")
}

func soakLower(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToLower(s)
	}
	return out
}

// soakSameBool compares a tri-state setting: nil is "inherit" ($null).
func soakSameBool(a, b *bool) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// soakJWT finds an access token: a JWT's header always starts with eyJ ({").
var soakJWT = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}`)

// soakLeaks lists which of the secret values, and which tokens, an output holds. The values are
// never printed, only where they were found.
func soakLeaks(name, text string, secrets []string) []string {
	var out []string
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			out = append(out, fmt.Sprintf("%s holds a secret value (one starting %.3s…)", name, s))
		}
	}
	if soakJWT.MatchString(text) {
		out = append(out, name+" holds an access token (eyJ…)")
	}
	return out
}

// soakUnclearError says why a failed command's output is not a clear error, or "" when it is one:
// a message on standard error, nothing on standard output for a plan, and no stack trace.
func soakUnclearError(stdout, stderr string, planOnly bool) string {
	switch {
	case strings.Contains(stderr, "internal error") || strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic:"):
		return "a crash (internal error or stack trace)"
	case !strings.Contains(stderr, "Error"):
		return "no error message on standard error"
	case planOnly && strings.TrimSpace(stdout) != "":
		return "a failed plan printed something on standard output"
	}
	return ""
}

// TestSoakPlanProblems holds the soak's and crash test's judge of plans to what it must find:
// every wrong create, adoption and deletion, and nothing when the plan is right or the
// replication lag explains it.
func TestSoakPlanProblems(t *testing.T) {
	const ws = "ws"
	decls := []soakDecl{
		{Addr: tConnector + ".a", Type: tConnector, Key: "A"},
		{Addr: tConnector + ".b", Type: tConnector, Key: "B"},
		{Addr: tMailbox + ".m", Type: tMailbox, Key: "m@contoso.com"},
		{Addr: tPermissions + ".m", Type: tPermissions, Key: "m@contoso.com"},
	}
	view := func(objs ...soakObject) *soakTenant { return &soakTenant{Objects: objs} }
	a := soakObject{Type: tConnector, Key: "A", Owner: ws}
	b := soakObject{Type: tConnector, Key: "B", Owner: ws}
	m := soakObject{Type: tMailbox, Key: "m@contoso.com", Owner: ws}
	hand := soakObject{Type: tConnector, Key: "Hand"}
	old := soakObject{Type: tConnector, Key: "Old", Owner: ws}
	type change struct{ addr, typ, key, action string }
	plan := func(cs ...change) *soakPlan {
		p := &soakPlan{}
		for _, c := range cs {
			p.Changes = append(p.Changes, struct {
				Address    string            `json:"address"`
				Type       string            `json:"type"`
				Key        string            `json:"key"`
				Action     string            `json:"action"`
				Owner      string            `json:"owner"`
				Operations []json.RawMessage `json:"operations"`
			}{Address: c.addr, Type: c.typ, Key: c.key, Action: c.action})
		}
		return p
	}
	tests := []struct {
		name      string
		plan      *soakPlan
		pre, post *soakTenant
		want      []string
	}{
		{"nothing to do", plan(), view(a, b, m, hand), view(a, b, m, hand), nil},
		{"creates what is missing", plan(change{tConnector + ".b", tConnector, "B", "create"}), view(a, m, hand), view(a, m, hand), nil},
		{"a create the lag explains", plan(change{tConnector + ".b", tConnector, "B", "create"}), view(a, m), view(a, b, m), nil},
		{"creates what exists", plan(change{tConnector + ".b", tConnector, "B", "create"}), view(a, b, m), view(a, b, m),
			[]string{`plans to create exchange_inbound_connector.b although "B" exists`}},
		{"misses a create", plan(), view(a, m), view(a, m),
			[]string{`does not plan to create exchange_inbound_connector.b although "B" does not exist (action "")`}},
		{"creates a setting", plan(change{tPermissions + ".m", tPermissions, "m@contoso.com", "create"}), view(a, b, m), view(a, b, m),
			[]string{"plans to create exchange_mailbox_permissions.m, which the configuration does not declare as an object to create"}},
		{"adopts what is unmarked", plan(change{tMailbox + ".m", tMailbox, "m@contoso.com", "adopt"}),
			view(a, b, soakObject{Type: tMailbox, Key: "m@contoso.com"}), view(a, b, soakObject{Type: tMailbox, Key: "m@contoso.com"}), nil},
		{"adopts its own", plan(change{tMailbox + ".m", tMailbox, "m@contoso.com", "adopt"}), view(a, b, m), view(a, b, m),
			[]string{`plans to adopt exchange_shared_mailbox.m although "m@contoso.com" already carries this workspace's marker`}},
		{"deletes what it owns and no longer declares", plan(change{`exchange_inbound_connector["Old"]`, tConnector, "Old", "delete"}),
			view(a, b, m, old), view(a, b, m, old), nil},
		{"misses a delete", plan(), view(a, b, m, old), view(a, b, m, old),
			[]string{`does not plan to delete exchange_inbound_connector["Old"], which this workspace owns and no longer declares`}},
		{"deletes a hand-made object", plan(change{`exchange_inbound_connector["Hand"]`, tConnector, "Hand", "delete"}), view(a, b, m, hand), view(a, b, m, hand),
			[]string{`plans to delete exchange_inbound_connector["Hand"], which does not carry this workspace's marker (owner "")`}},
		{"deletes a declared object", plan(change{`exchange_inbound_connector["A"]`, tConnector, "A", "delete"}), view(a, b, m), view(a, b, m),
			[]string{`plans to delete exchange_inbound_connector["A"], which the configuration declares`}},
		{"deletes what does not exist", plan(change{`exchange_inbound_connector["Gone"]`, tConnector, "Gone", "delete"}), view(a, b, m), view(a, b, m),
			[]string{`plans to delete exchange_inbound_connector["Gone"], which does not exist`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := soakPlanProblems(ws, decls, tc.plan, tc.pre, tc.post)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("soakPlanProblems (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSoakLeaks: values and tokens are found wherever they are, and only named in the report.
func TestSoakLeaks(t *testing.T) {
	const secret = "Xy8Q~abcdefghijklmnopqrstuvwxyz0123456789"
	tests := []struct {
		name, text string
		want       []string
	}{
		{"clean", "Apply complete: 1 created", nil},
		{"a secret value", "value: " + secret + "\n", []string{"out holds a secret value (one starting Xy8…)"}},
		{"a token", "Authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.e30.x", []string{"out holds an access token (eyJ…)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := soakLeaks("out", tc.text, []string{secret})
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("soakLeaks (-want +got):\n%s", diff)
			}
			for _, l := range got {
				if strings.Contains(l, secret) {
					t.Errorf("the report repeats the secret: %s", l)
				}
			}
		})
	}
}
