package exchange_test

import (
	"fmt"
	"math/rand"
	"slices"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

const fullTransportRule = `name = "Full"
enabled = true
priority = 0
mode = "Enforce"
comments = "c"
from = ["a@contoso.com"]
from_member_of = ["g@contoso.com"]
from_scope = "NotInOrganization"
from_address_contains_words = ["w"]
from_address_matches_patterns = ["p"]
sender_domain_is = ["contoso.com"]
sender_ip_ranges = ["192.0.2.0/24"]
sent_to = ["b@contoso.com"]
sent_to_member_of = ["h@contoso.com"]
sent_to_scope = "InOrganization"
recipient_domain_is = ["fabrikam.com"]
subject_contains_words = ["invoice"]
subject_matches_patterns = ["^INV"]
subject_or_body_contains_words = ["x"]
subject_or_body_matches_patterns = ["y"]
header_contains_message_header = "X-A"
header_contains_words = ["1"]
header_matches_message_header = "X-B"
header_matches_patterns = ["2"]
message_type_matches = "ReadReceipt"
scl_over = 5
with_importance = "High"
attachment_has_executable_content = true
except_if_from = ["a@contoso.com"]
except_if_from_member_of = ["g@contoso.com"]
except_if_from_scope = "InOrganization"
except_if_from_address_contains_words = ["w"]
except_if_from_address_matches_patterns = ["p"]
except_if_sender_domain_is = ["contoso.com"]
except_if_sender_ip_ranges = ["2001:db8::/32"]
except_if_sent_to = ["b@contoso.com"]
except_if_sent_to_member_of = ["h@contoso.com"]
except_if_sent_to_scope = "NotInOrganization"
except_if_recipient_domain_is = ["fabrikam.com"]
except_if_subject_contains_words = ["invoice"]
except_if_subject_matches_patterns = ["^INV"]
except_if_subject_or_body_contains_words = ["x"]
except_if_subject_or_body_matches_patterns = ["y"]
except_if_header_contains_message_header = "X-A"
except_if_header_contains_words = ["1"]
except_if_header_matches_message_header = "X-B"
except_if_header_matches_patterns = ["2"]
except_if_message_type_matches = "OOF"
except_if_scl_over = 9
except_if_with_importance = "Low"
except_if_attachment_has_executable_content = false
delete_message = true
quarantine = false
reject_message_reason_text = "no"
reject_message_enhanced_status_code = "5.7.901"
redirect_message_to = ["r@contoso.com"]
add_to_recipients = ["t@contoso.com"]
copy_to = ["c@contoso.com"]
blind_copy_to = ["d@contoso.com"]
set_scl = -1
set_header_name = "X-Processed"
set_header_value = "yes"
remove_header = "X-Old"
prepend_subject = "[ext] "
apply_html_disclaimer_text = "<p>d</p>"
apply_html_disclaimer_location = "Append"
apply_html_disclaimer_fallback_action = "Wrap"
stop_rule_processing = true
rule_error_action = "Ignore"
sender_address_location = "Header"`

const readReceiptRule = `name = "Delete read receipts"
message_type_matches = "ReadReceipt"
delete_message = true
comments = "Project mailboxes: read receipts are noise"`

func liveRule(t *testing.T, owner string, attrs map[string]cty.Value) *providers.LiveObject {
	t.Helper()
	all := map[string]cty.Value{"name": cty.StringVal("Delete read receipts"), "enabled": cty.True}
	for k, v := range attrs {
		all[k] = v
	}
	return ruleLiveObject(t, "exchange_transport_rule", "Delete read receipts", "9c0b5e39-0000-4000-8000-000000000001", owner, all)
}

func TestCompileTransportRule(t *testing.T) {
	const typ = "exchange_transport_rule"
	m := providers.Marker{Workspace: "ws"}
	rr := ruleDesired(t, typ, readReceiptRule)
	disabled := ruleDesired(t, typ, readReceiptRule+"\nenabled = false\npriority = 2\nmode = \"audit\"")
	cleared := ruleDesired(t, typ, readReceiptRule+"\nsubject_contains_words = []\nprepend_subject = \"\"\nenabled = true")
	note := "set up by hand"
	assertCompileGolden(t, typ, "transport_rule", []ruleCompileCase{
		{"create: the read-receipt rule, with the marker on the last line of Comments", providers.Change{Kind: providers.Create, Desired: rr, Marker: m}},
		{"create disabled: New-TransportRule takes -Enabled, enum case is canonical", providers.Change{Kind: providers.Create, Desired: disabled, Marker: m}},
		{"create: every attribute", providers.Change{Kind: providers.Create, Desired: ruleDesired(t, typ, fullTransportRule), Marker: m}},
		{"update: only the changed attributes", providers.Change{Kind: providers.Update, Desired: disabled, Marker: m,
			Prior: liveRule(t, "ws", map[string]cty.Value{"priority": cty.NumberIntVal(0)}), Set: []string{"priority", "mode"}}},
		{"update: disable first, then set", providers.Change{Kind: providers.Update, Desired: disabled, Marker: m,
			Prior: liveRule(t, "ws", nil), Set: []string{"enabled", "priority"}}},
		{"update: set first, then enable; empty values reset with $null", providers.Change{Kind: providers.Update, Desired: cleared, Marker: m,
			Prior: liveRule(t, "ws", map[string]cty.Value{"enabled": cty.False}), Set: []string{"enabled", "subject_contains_words", "prepend_subject"}}},
		{"update: enable only", providers.Change{Kind: providers.Update, Desired: cleared, Marker: m,
			Prior: liveRule(t, "ws", map[string]cty.Value{"enabled": cty.False}), Set: []string{"enabled"}}},
		{"adopt: keeps the admin's comment and appends the marker", providers.Change{Kind: providers.Update, Desired: rr, Marker: m, WriteMarker: true,
			Prior: liveRule(t, "", map[string]cty.Value{"comments": cty.StringVal(note)})}},
		{"update: a comment change keeps the marker", providers.Change{Kind: providers.Update, Desired: rr, Marker: m,
			Prior: liveRule(t, "ws", map[string]cty.Value{"comments": cty.StringVal(note)}), Set: []string{"comments"}}},
		{"update: prevent_destroy on rewrites the marker, keeps the text", providers.Change{Kind: providers.Update, Desired: rr, WriteMarker: true,
			Marker: providers.Marker{Workspace: "ws", PreventDestroy: true}, Prior: liveRule(t, "ws", map[string]cty.Value{"comments": cty.StringVal(note)})}},
		{"update: nothing to send", providers.Change{Kind: providers.Update, Desired: rr, Marker: m, Prior: liveRule(t, "ws", nil)}},
		{"delete", providers.Change{Kind: providers.Delete, Prior: liveRule(t, "ws", nil), Marker: m}},
	})
}

type ruleOrderer interface {
	ApplyOrder(cs []providers.Change) []int
}

// priorityChange is a change of a rule's priority from -> to (from -1: a new rule; to -1: a
// change of something else, the rule declared at its live priority from).
func priorityChange(rt *schema.ResourceType, name string, from, to int) providers.Change {
	obj := func(prio int) cty.Value {
		all := map[string]cty.Value{}
		for _, a := range rt.Attributes {
			all[a.Name] = cty.NullVal(a.Type)
		}
		all["name"] = cty.StringVal(name)
		if prio >= 0 {
			all["priority"] = cty.NumberIntVal(int64(prio))
		}
		return cty.ObjectVal(all)
	}
	switch {
	case from < 0:
		return providers.Change{Kind: providers.Create, Desired: obj(to)}
	case to < 0:
		return providers.Change{Kind: providers.Update, Set: []string{"comments"}, Desired: obj(from), Prior: &providers.LiveObject{Key: name, Value: obj(from)}}
	}
	return providers.Change{Kind: providers.Update, Set: []string{"priority"}, Desired: obj(to), Prior: &providers.LiveObject{Key: name, Value: obj(from)}}
}

// TestTransportRuleApplyOrder: deletes first, then the priority changes in an order that lands
// each (here: B moves down past A's target, so it goes first), then the rest in plan order.
func TestTransportRuleApplyOrder(t *testing.T) {
	rt := ruleType(t, "exchange_transport_rule")
	order := ruleResource(t, rt.Name).(ruleOrderer).ApplyOrder
	del := priorityChange(rt, "gone", 3, -1)
	del.Kind, del.Set, del.Desired = providers.Delete, nil, cty.NilVal
	// Live: B, A, comment only, gone.
	changes := []providers.Change{
		priorityChange(rt, "comment only", 2, -1), // stays at 2
		priorityChange(rt, "A", 1, 0),
		priorityChange(rt, "new", -1, 3),
		del,
		priorityChange(rt, "B", 0, 1), // moves down: first, or A's move would push it to 2
		{Kind: providers.Create, Desired: priorityChange(rt, "last", -1, -1).Desired}, // appended
	}
	var got []string
	for _, i := range order(changes) {
		if c := changes[i]; c.Kind == providers.Delete {
			got = append(got, c.Prior.Key+" (delete)")
		} else {
			got = append(got, c.Desired.GetAttr("name").AsString())
		}
	}
	want := []string{"gone (delete)", "B", "A", "new", "comment only", "last"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

// exchangeRules models Exchange's priorities: a rule's priority is its position in the list;
// taking a position moves the rules from there on down by one.
type exchangeRules []string

func (r exchangeRules) setPriority(name string, p int) exchangeRules {
	i := slices.Index(r, name)
	out := slices.Delete(slices.Clone(r), i, i+1)
	return slices.Insert(out, min(p, len(out)), name)
}

func settled(r exchangeRules, targets map[string]int) bool {
	for name, p := range targets {
		if slices.Index(r, name) != p {
			return false
		}
	}
	return true
}

// planPriorities is what a plan holds for the model: a priority change for every declared rule
// not at its target, and (when touch says so) a change of something else for a rule that is.
func planPriorities(rt *schema.ResourceType, r exchangeRules, targets map[string]int, touch func(string) bool) ([]providers.Change, []string) {
	var names []string
	for name := range targets {
		names = append(names, name)
	}
	sort.Strings(names)
	var cs []providers.Change
	var of []string
	for _, name := range names {
		switch at := slices.Index(r, name); {
		case at != targets[name]:
			cs = append(cs, priorityChange(rt, name, at, targets[name]))
		case touch(name):
			cs = append(cs, priorityChange(rt, name, at, -1))
		default:
			continue
		}
		of = append(of, name)
	}
	return cs, of
}

// applyInOrder sets the priorities of the plan's priority changes in the given order.
func applyInOrder(r exchangeRules, cs []providers.Change, of []string, order []int, targets map[string]int) exchangeRules {
	for _, i := range order {
		if cs[i].Kind == providers.Update && slices.Contains(cs[i].Set, "priority") {
			r = r.setPriority(of[i], targets[of[i]])
		}
	}
	return r
}

// TestPriorityOrderConverges checks ApplyOrder on Exchange's shifting rule: the usual
// reorderings settle in one apply; on random reorderings it settles every case that plain
// ascending order settles, and more; and repeated plans always settle.
func TestPriorityOrderConverges(t *testing.T) {
	rt := ruleType(t, "exchange_transport_rule")
	order := ruleResource(t, rt.Name).(ruleOrderer).ApplyOrder
	ascending := func(cs []providers.Change) []int {
		idx := make([]int, len(cs))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool {
			pa, _ := cs[idx[a]].Desired.GetAttr("priority").AsBigFloat().Int64()
			pb, _ := cs[idx[b]].Desired.GetAttr("priority").AsBigFloat().Int64()
			return pa < pb
		})
		return idx
	}
	never := func(string) bool { return false }
	oneApply := []struct {
		name    string
		live    exchangeRules
		targets map[string]int
	}{
		{"swap two", exchangeRules{"B", "A", "X"}, map[string]int{"A": 0, "B": 1}},
		{"move declared rules to the top", exchangeRules{"X", "Y", "A", "B"}, map[string]int{"A": 0, "B": 1}},
		{"reverse three", exchangeRules{"C", "B", "A"}, map[string]int{"A": 0, "B": 1, "C": 2}},
		{"around an undeclared rule", exchangeRules{"A", "X", "B"}, map[string]int{"B": 0, "A": 2}},
		{"a rule moved down past one placed before it", exchangeRules{"X", "Y", "A"}, map[string]int{"A": 1, "X": 2}},
	}
	for _, tc := range oneApply {
		cs, of := planPriorities(rt, tc.live, tc.targets, never)
		if got := applyInOrder(tc.live, cs, of, order(cs), tc.targets); !settled(got, tc.targets) {
			t.Errorf("%s: one apply gave %v", tc.name, got)
		}
	}
	rng := rand.New(rand.NewSource(1))
	var cases, byAscending, byOrder int
	for n := 0; n < 3000; n++ {
		size := 2 + rng.Intn(7)
		live := exchangeRules{}
		for i := 0; i < size; i++ {
			live = append(live, fmt.Sprintf("r%d", i))
		}
		rng.Shuffle(len(live), func(i, j int) { live[i], live[j] = live[j], live[i] })
		positions := rng.Perm(size)[:1+rng.Intn(size)]
		targets := map[string]int{}
		for i, p := range positions {
			targets[fmt.Sprintf("r%d", i)] = p
		}
		touch := func(string) bool { return rng.Intn(2) == 0 }
		cs, of := planPriorities(rt, live, targets, touch)
		if settled(live, targets) {
			continue
		}
		cases++
		asc := settled(applyInOrder(live, cs, of, ascending(cs), targets), targets)
		ord := settled(applyInOrder(live, cs, of, order(cs), targets), targets)
		if asc {
			byAscending++
		}
		if ord {
			byOrder++
		}
		if asc && !ord {
			t.Errorf("%v with targets %v: ascending order settles in one apply, ApplyOrder does not", live, targets)
		}
		r := live
		for plans := 1; !settled(r, targets); plans++ {
			if plans > size {
				t.Fatalf("%v with targets %v did not settle after %d plans: %v", live, targets, size, r)
			}
			cs, of := planPriorities(rt, r, targets, touch)
			r = applyInOrder(r, cs, of, order(cs), targets)
		}
	}
	t.Logf("settled in one apply: ascending order %d of %d, ApplyOrder %d", byAscending, cases, byOrder)
	if byOrder*10 < cases*8 {
		t.Errorf("ApplyOrder settles only %d of %d reorderings in one apply", byOrder, cases)
	}
}

// TestTransportRuleIPRangesAreCanonical: sender_ip_ranges takes each address, range and CIDR
// range exactly as Exchange reports it, so a plan converges; another spelling is refused with
// the canonical one in the message.
func TestTransportRuleIPRangesAreCanonical(t *testing.T) {
	a := ruleType(t, "exchange_transport_rule").Attribute("sender_ip_ranges")
	tests := []struct {
		value, want string // want: "" for accepted
	}{
		{"192.0.2.1", ""},
		{"192.0.2.0/24", ""},
		{"192.0.2.1/24", ""}, // Exchange keeps the host bits, as netip does
		{"192.0.2.1-192.0.2.9", ""},
		{"2001:db8::1", ""},
		{"2001:db8::/32", ""},
		{"2001:db8::1-2001:db8::ff", ""},
		{"2001:DB8::1", `Write "2001:DB8::1" as 2001:db8::1: Exchange reports it that way, so any other spelling would show as a change in every plan.`},
		{"2001:0db8:0000::1", `Write "2001:0db8:0000::1" as 2001:db8::1: Exchange reports it that way, so any other spelling would show as a change in every plan.`},
		{"192.0.2.1 - 192.0.2.9", `Write "192.0.2.1 - 192.0.2.9" as 192.0.2.1-192.0.2.9: Exchange reports it that way, so any other spelling would show as a change in every plan.`},
		{"2001:DB8::/32", `Write "2001:DB8::/32" as 2001:db8::/32: Exchange reports it that way, so any other spelling would show as a change in every plan.`},
		{" 192.0.2.0/24", `Write " 192.0.2.0/24" as 192.0.2.0/24: Exchange reports it that way, so any other spelling would show as a change in every plan.`},
		{"fe80::1%eth0", `"fe80::1%eth0" is not an IP address, range or CIDR range. Write 192.0.2.10, 192.0.2.1-192.0.2.254 or 192.0.2.0/24.`},
		{"192.0.2.9-192.0.2.1", `"192.0.2.9-192.0.2.1" ends before it starts. Write the lower address first.`},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, a.CheckValue(schemaValue(a, tc.value))); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

// TestTransportRuleListDuplicates: a list holding one value twice in different case is refused
// at the attribute, since Exchange compares a rule's list values case-insensitively and answers
// "The value ... is specified more than once".
func TestTransportRuleListDuplicates(t *testing.T) {
	const head = "exoform {\n  workspace = \"ws\"\n}\nresource \"exchange_transport_rule\" \"x\" {\nname = \"R\"\nprepend_subject = \"[x] \"\n"
	twice := func(pos, attr, a, b string) string {
		return fmt.Sprintf(`error: main.exo.hcl:%s: exchange_transport_rule.x: Value listed twice in %s: %s lists %q and %q. Exchange compares them without regard to case and refuses the list ("The value %q is specified more than once"). Keep one of them.`, pos, attr, attr, a, b, b)
	}
	tests := []struct {
		name, body string
		want       []string
	}{
		{"distinct words", `subject_contains_words = ["Invoice", "Receipt"]`, nil},
		{"subject words", `subject_contains_words = ["Invoice", "invoice", "Receipt"]`,
			[]string{twice("7:26", "subject_contains_words", "Invoice", "invoice")}},
		{"three spellings, one problem", `subject_or_body_contains_words = ["ACME", "Acme", "acme"]`,
			[]string{twice("7:34", "subject_or_body_contains_words", "ACME", "Acme")}},
		{"exception and sender address words", "except_if_from_address_contains_words = [\"Noreply\", \"noreply\"]\nfrom_address_contains_words = [\"Bounce\", \"BOUNCE\"]",
			[]string{twice("7:41", "except_if_from_address_contains_words", "Noreply", "noreply"), twice("8:31", "from_address_contains_words", "BOUNCE", "Bounce")}},
		{"header words", "header_contains_message_header = \"X-Tag\"\nheader_contains_words = [\"Yes\", \"yes\"]",
			[]string{twice("8:25", "header_contains_words", "Yes", "yes")}},
		{"exception subject words", `except_if_subject_contains_words = ["Invoice", "INVOICE"]`,
			[]string{twice("7:36", "except_if_subject_contains_words", "INVOICE", "Invoice")}},
		{"patterns", `subject_matches_patterns = ["^inv", "^INV"]`,
			[]string{twice("7:28", "subject_matches_patterns", "^INV", "^inv")}},
		{"addresses", `copy_to = ["Audit@contoso.com", "audit@contoso.com"]`,
			[]string{twice("7:11", "copy_to", "Audit@contoso.com", "audit@contoso.com")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ds := evaluate(head + tc.body + "\n}\n")
			var got []string
			for _, d := range ds {
				got = append(got, d.Severity.String()+": "+d.String())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}
