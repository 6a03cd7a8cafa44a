package sim

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
)

// transportRule is the sim's record of a transport (mail flow) rule. The
// rule's own properties are fields; its conditions, exceptions and actions
// (ruleFields) are kept generically, keyed by parameter name: single values
// in Strings, $true Booleans in Bools, multi-valued ones in Lists. An unset
// field is absent from its map.
type transportRule struct {
	Guid                  string              `json:"guid"`
	Name                  string              `json:"name"`
	Priority              int                 `json:"priority"`
	State                 string              `json:"state"` // Enabled | Disabled
	Mode                  string              `json:"mode"`
	Comments              *string             `json:"comments"`
	ActivationDate        *time.Time          `json:"activation_date,omitempty"`
	ExpiryDate            *time.Time          `json:"expiry_date,omitempty"`
	RuleErrorAction       string              `json:"rule_error_action"`
	SenderAddressLocation string              `json:"sender_address_location"`
	RecipientAddressType  string              `json:"recipient_address_type"`
	RuleSubType           string              `json:"rule_sub_type"`
	UseLegacyRegex        bool                `json:"use_legacy_regex"`
	DlpPolicy             *string             `json:"dlp_policy"`
	Strings               map[string]string   `json:"strings"`
	Bools                 map[string]bool     `json:"bools"`
	Lists                 map[string][]string `json:"lists"`
	WhenCreated           time.Time           `json:"when_created"`
	WhenChanged           time.Time           `json:"when_changed"`
}

// newTransportRule returns a rule with the documented defaults: enabled,
// Mode Enforce, RuleErrorAction Ignore, SenderAddressLocation Header,
// RecipientAddressType Resolved, RuleSubType None.
func newTransportRule(guid, name string, created time.Time) *transportRule {
	r := &transportRule{
		Guid: guid, Name: name, State: "Enabled", Mode: "Enforce",
		RuleErrorAction: "Ignore", SenderAddressLocation: "Header", RecipientAddressType: "Resolved", RuleSubType: "None",
		WhenCreated: created, WhenChanged: created,
	}
	r.normalize()
	return r
}

// normalize gives "unset" one representation, so rules compare equal
// whatever way a field was cleared.
func (r *transportRule) normalize() {
	if r.Strings == nil {
		r.Strings = map[string]string{}
	}
	if r.Bools == nil {
		r.Bools = map[string]bool{}
	}
	if r.Lists == nil {
		r.Lists = map[string][]string{}
	}
	for k, v := range r.Strings {
		if v == "" {
			delete(r.Strings, k)
		}
	}
	for k, v := range r.Bools {
		if !v {
			delete(r.Bools, k)
		}
	}
	for k, v := range r.Lists {
		if len(v) == 0 {
			delete(r.Lists, k)
		}
	}
}

func (r *transportRule) clone() *transportRule {
	n := *r
	n.Strings, n.Bools, n.Lists = map[string]string{}, map[string]bool{}, map[string][]string{}
	for k, v := range r.Strings {
		n.Strings[k] = v
	}
	for k, v := range r.Bools {
		n.Bools[k] = v
	}
	for k, v := range r.Lists {
		n.Lists[k] = append([]string{}, v...)
	}
	if r.Comments != nil {
		n.Comments = strPtr(*r.Comments)
	}
	if r.DlpPolicy != nil {
		n.DlpPolicy = strPtr(*r.DlpPolicy)
	}
	if r.ActivationDate != nil {
		t := *r.ActivationDate
		n.ActivationDate = &t
	}
	if r.ExpiryDate != nil {
		t := *r.ExpiryDate
		n.ExpiryDate = &t
	}
	return &n
}

// isSet reports whether a condition, exception or action field has a value.
func (r *transportRule) isSet(name string) bool {
	_, s := r.Strings[name]
	_, l := r.Lists[name]
	return s || l || r.Bools[name]
}

// ruleSettable are the rule properties New- and Set-TransportRule share;
// ruleFields add the conditions, exceptions and actions.
var ruleSettable = []paramSpec{
	{name: "ActivationDate", docType: "DateTime", kind: kindString},
	{name: "Comments", docType: "String", kind: kindString},
	{name: "DlpPolicy", docType: "String", kind: kindString},
	{name: "ExpiryDate", docType: "DateTime", kind: kindString},
	{name: "Mode", docType: "RuleMode", kind: kindEnum, enum: []string{"Audit", "AuditAndNotify", "Enforce"}},
	{name: "Priority", docType: "Int32", kind: kindString},
	{name: "RecipientAddressType", docType: "RecipientAddressType", kind: kindEnum, enum: []string{"Original", "Resolved"}},
	{name: "RuleErrorAction", docType: "RuleErrorAction", kind: kindEnum, enum: []string{"Ignore", "Defer"}},
	{name: "RuleSubType", docType: "RuleSubType", kind: kindEnum, enum: []string{"Dlp", "None"}},
	{name: "SenderAddressLocation", docType: "SenderAddressLocation", kind: kindEnum, enum: []string{"Header", "Envelope", "HeaderOrEnvelope"}},
}

var ruleIdentity = paramSpec{name: "Identity", docType: "RuleIdParameter", required: true, kind: kindIdentity}

func transportRuleCmdlets() []*cmdlet {
	settable := func(extra ...paramSpec) []paramSpec {
		out := append(append([]paramSpec{}, extra...), ruleSettable...)
		for i := range ruleFields {
			out = append(out, ruleFields[i].spec())
		}
		return append(out, confirmParams...)
	}
	withConfirm := func(extra ...paramSpec) []paramSpec { return append(extra, confirmParams...) }
	return []*cmdlet{
		{
			name: "Get-TransportRule",
			params: []paramSpec{
				{name: "Identity", docType: "RuleIdParameter", kind: kindIdentity},
				{name: "State", docType: "RuleState", kind: kindEnum, enum: []string{"Enabled", "Disabled"}},
				{name: "DlpPolicy", docType: "String", kind: kindString},
				{name: "ExcludeConditionActionDetails", docType: "Boolean", kind: kindBool},
				{name: "Filter", docType: "String", kind: kindString},
				{name: "ResultSize", docType: "Unlimited", kind: kindUnlimited},
			},
			run: getTransportRule,
		},
		{
			name:  "New-TransportRule",
			write: true,
			params: settable(
				paramSpec{name: "Name", docType: "String", required: true, kind: kindString},
				paramSpec{name: "Enabled", docType: "Boolean", kind: kindBool},
				paramSpec{name: "UseLegacyRegex", docType: "Boolean", kind: kindBool},
			),
			run: newTransportRuleCmd,
		},
		{
			name:  "Set-TransportRule",
			write: true,
			params: settable(
				ruleIdentity,
				paramSpec{name: "Name", docType: "String", kind: kindString},
			),
			run: setTransportRule,
		},
		{
			name:   "Remove-TransportRule",
			write:  true,
			params: withConfirm(ruleIdentity),
			run:    removeTransportRule,
		},
		{
			name:   "Enable-TransportRule",
			write:  true,
			params: withConfirm(ruleIdentity, paramSpec{name: "Mode", docType: "RuleMode", kind: kindEnum, enum: []string{"Audit", "AuditAndNotify", "Enforce"}}),
			run:    func(x *cmdContext, p params) (*cmdResult, *exError) { return setRuleState(x, p, "Enabled") },
		},
		{
			name:   "Disable-TransportRule",
			write:  true,
			params: withConfirm(ruleIdentity),
			run:    func(x *cmdContext, p params) (*cmdResult, *exError) { return setRuleState(x, p, "Disabled") },
		},
	}
}

// findRule resolves a RuleIdParameter (name or GUID) among the master
// copies or among what reads see.
func findRule(x *cmdContext, identity string, master bool) (*versioned[transportRule], *transportRule) {
	is := nameOrGUID(identity)
	return find(x, x.st.Exchange.TransportRules, master, func(r *transportRule) bool { return is(r.Name, r.Guid) })
}

// byPriority sorts rules by priority (then name, then GUID, so that a state
// file edited by hand still gives a stable order).
func byPriority(list []*transportRule) {
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.Priority != b.Priority {
			return a.Priority < b.Priority
		}
		if an, bn := strings.ToLower(a.Name), strings.ToLower(b.Name); an != bn {
			return an < bn
		}
		return a.Guid < b.Guid
	})
}

func getTransportRule(x *cmdContext, p params) (*cmdResult, *exError) {
	exclude := p["ExcludeConditionActionDetails"].b
	var list []*transportRule
	if p.has("Identity") {
		_, r := findRule(x, p["Identity"].str, false)
		if r == nil {
			return nil, errNotFound(p["Identity"].str)
		}
		list = []*transportRule{r}
	} else {
		list = visibleList(x.st.Exchange.TransportRules, x.now)
		byPriority(list)
	}
	var filter opathNode
	if v, ok := p["Filter"]; ok && strings.TrimSpace(v.str) != "" {
		n, err := parseOPATH(v.str)
		if err != nil {
			return nil, errBadRequest(excParameter, "Cannot bind parameter 'Filter' to the target. Exception setting \"Filter\": \"%s\"", err.Error())
		}
		filter = n
	}
	var kept []*transportRule
	for _, r := range list {
		if v, ok := p["State"]; ok && r.State != v.str {
			continue
		}
		if v, ok := p["DlpPolicy"]; ok && (r.DlpPolicy == nil || !strings.EqualFold(*r.DlpPolicy, v.str)) {
			continue
		}
		if filter != nil && !filter.eval(ruleFilterProps(r)) {
			continue
		}
		kept = append(kept, r)
	}
	res := &cmdResult{}
	kept, res.warnings = applyResultSize(kept, p)
	for _, r := range kept {
		res.objects = append(res.objects, renderRule(x.st, r, exclude))
	}
	return res, nil
}

// ruleFilterProps are the properties Get-TransportRule -Filter can test.
// The reference says the filter "searches the Description property"; the
// sim also offers the rule's own simple properties.
func ruleFilterProps(r *transportRule) func(string) []string {
	return func(prop string) []string {
		switch strings.ToLower(prop) {
		case "description":
			return []string{ruleDescription(r)}
		case "name", "identity":
			return []string{r.Name}
		case "state":
			return []string{r.State}
		case "mode":
			return []string{r.Mode}
		case "priority":
			return []string{strconv.Itoa(r.Priority)}
		case "comments":
			if r.Comments != nil {
				return []string{*r.Comments}
			}
		case "guid":
			return []string{r.Guid}
		}
		return nil
	}
}

// masterRules returns the master copies in priority order.
func masterRules(x *cmdContext) []*transportRule {
	list := masterList(x.st.Exchange.TransportRules)
	byPriority(list)
	return list
}

// parsePriority reads -Priority and checks it against the valid range
// 0..max.
func parsePriority(v paramValue, max int) (int, *exError) {
	n, err := strconv.Atoi(strings.TrimSpace(v.str))
	if v.null || err != nil {
		return 0, errBadRequest(excParameter, "Cannot process argument transformation on parameter 'Priority'. Cannot convert value \"%s\" to type \"System.Int32\".", v.str)
	}
	if n < 0 || n > max {
		return 0, errBadRequest(excValidation, "The value %d of parameter Priority is out of range: valid values are 0 through %d, because 0 is the highest priority and the organization has %d rules.", n, max, max)
	}
	return n, nil
}

// commitOrder writes a new rule order: every rule is renumbered 0..N-1 in
// the order given, and each rule that is new (changed), or whose priority
// moved, gets a new master version. One replication delay covers all of
// them, so readers see the whole reordering at once.
func commitOrder(x *cmdContext, order []*transportRule, changed *transportRule) {
	lag := x.lag()
	for i, r := range order {
		rec := x.st.Exchange.TransportRules[r.Guid]
		switch {
		case r == changed:
			r.Priority = i
			if rec == nil {
				rec = &versioned[transportRule]{}
				x.st.Exchange.TransportRules[r.Guid] = rec
			}
			rec.put(r, x.now, lag)
		case r.Priority != i:
			n := r.clone()
			n.Priority = i
			rec.put(n, x.now, lag)
		}
	}
	x.changed = true
}

func newTransportRuleCmd(x *cmdContext, p params) (*cmdResult, *exError) {
	name := p["Name"].str
	if err := checkRuleName(x, name, ""); err != nil {
		return nil, err
	}
	order := masterRules(x)
	pos := len(order)
	if v, ok := p["Priority"]; ok {
		n, err := parsePriority(v, len(order))
		if err != nil {
			return nil, err
		}
		pos = n
	}
	r := newTransportRule(newGUID(), name, x.stamp())
	if v, ok := p["Enabled"]; ok && !v.b {
		r.State = "Disabled"
	}
	r.UseLegacyRegex = p["UseLegacyRegex"].b
	if err := applyRuleParams(r, p); err != nil {
		return nil, err
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	order = append(order[:pos], append([]*transportRule{r}, order[pos:]...)...)
	commitOrder(x, order, r)
	return &cmdResult{objects: []object{renderRule(x.st, r, false)}}, nil
}

func setTransportRule(x *cmdContext, p params) (*cmdResult, *exError) {
	identity := p["Identity"].str
	_, cur := findRule(x, identity, true)
	if cur == nil {
		return nil, errNotFound(identity)
	}
	next := cur.clone()
	if v, ok := p["Name"]; ok {
		if err := checkRuleName(x, v.str, cur.Guid); err != nil {
			return nil, err
		}
		next.Name = v.str
	}
	order := masterRules(x)
	pos := cur.Priority
	if v, ok := p["Priority"]; ok {
		n, err := parsePriority(v, len(order)-1)
		if err != nil {
			return nil, err
		}
		pos = n
	}
	if err := applyRuleParams(next, p); err != nil {
		return nil, err
	}
	if reflect.DeepEqual(next, cur) && pos == cur.Priority {
		return noChange(cur.Name), nil
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	next.WhenChanged = x.stamp()
	var rest []*transportRule
	for _, r := range order {
		if r.Guid != cur.Guid {
			rest = append(rest, r)
		}
	}
	pos = min(pos, len(rest))
	order = append(rest[:pos:pos], append([]*transportRule{next}, rest[pos:]...)...)
	commitOrder(x, order, next)
	return &cmdResult{}, nil
}

// removeTransportRule removes the rule and closes the gap: every rule below
// it moves up by one, so priorities stay 0..N-1.
func removeTransportRule(x *cmdContext, p params) (*cmdResult, *exError) {
	identity := p["Identity"].str
	rec, cur := findRule(x, identity, true)
	if cur == nil {
		return nil, errNotFound(identity)
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	var rest []*transportRule
	for _, r := range masterRules(x) {
		if r.Guid != cur.Guid {
			rest = append(rest, r)
		}
	}
	lag := x.lag()
	rec.put(nil, x.now, lag)
	for i, r := range rest {
		if r.Priority != i {
			n := r.clone()
			n.Priority = i
			x.st.Exchange.TransportRules[r.Guid].put(n, x.now, lag)
		}
	}
	x.changed = true
	return &cmdResult{}, nil
}

// setRuleState is Enable- and Disable-TransportRule: State changes (and,
// for Enable, Mode when given); nothing else does.
func setRuleState(x *cmdContext, p params, state string) (*cmdResult, *exError) {
	identity := p["Identity"].str
	rec, cur := findRule(x, identity, true)
	if cur == nil {
		return nil, errNotFound(identity)
	}
	next := cur.clone()
	next.State = state
	if v, ok := p["Mode"]; ok {
		next.Mode = v.str
	}
	if reflect.DeepEqual(next, cur) {
		return noChange(cur.Name), nil
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	next.WhenChanged = x.stamp()
	rec.put(next, x.now, x.lag())
	x.changed = true
	return &cmdResult{}, nil
}

// checkRuleName: not blank, at most 64 characters ("The maximum length is
// 64 characters"), unique among rules case-insensitively.
func checkRuleName(x *cmdContext, name, self string) *exError {
	taken := false
	for _, r := range masterList(x.st.Exchange.TransportRules) {
		if r.Guid != self && strings.EqualFold(r.Name, name) {
			taken = true
		}
	}
	if err := checkObjectName(name, 64); err != nil {
		return err
	}
	if taken {
		return errAlreadyExists("A transport rule with the name '%s' already exists. The object '%s' already exists. Specify a unique name.", name, ruleDN(x.st, name))
	}
	return nil
}

// applyRuleParams validates the given parameters and sets them on r (a
// fresh rule or a clone), then checks the rule as a whole.
func applyRuleParams(r *transportRule, p params) *exError {
	if v, ok := p["Comments"]; ok {
		r.Comments = nil
		if !v.null && v.str != "" {
			if n := len([]rune(v.str)); n > 1024 {
				return errBadRequest(excValidation, "The length of the property Comments is too long. The maximum length is 1024 and the length of the value provided is %d.", n)
			}
			r.Comments = strPtr(v.str)
		}
	}
	if v, ok := p["DlpPolicy"]; ok {
		r.DlpPolicy = nil
		if !v.null && strings.TrimSpace(v.str) != "" {
			r.DlpPolicy = strPtr(v.str)
		}
	}
	for _, d := range []struct {
		name string
		dst  **time.Time
	}{{"ActivationDate", &r.ActivationDate}, {"ExpiryDate", &r.ExpiryDate}} {
		v, ok := p[d.name]
		if !ok {
			continue
		}
		*d.dst = nil
		if v.null || strings.TrimSpace(v.str) == "" {
			continue
		}
		t, err := parseRuleDate(v.str)
		if err != nil {
			return errBadRequest(excParameter, "Cannot process argument transformation on parameter '%s'. Cannot convert value \"%s\" to type \"System.DateTime\".", d.name, v.str)
		}
		*d.dst = &t
	}
	for _, s := range []struct {
		name string
		dst  *string
	}{{"Mode", &r.Mode}, {"RuleErrorAction", &r.RuleErrorAction}, {"SenderAddressLocation", &r.SenderAddressLocation}, {"RecipientAddressType", &r.RecipientAddressType}, {"RuleSubType", &r.RuleSubType}} {
		if v, ok := p[s.name]; ok {
			*s.dst = v.str
		}
	}
	for i := range ruleFields {
		f := &ruleFields[i]
		v, ok := p[f.name]
		if !ok {
			continue
		}
		switch f.shape {
		case shapeBool:
			delete(r.Bools, f.name)
			if v.b {
				r.Bools[f.name] = true
			}
		case shapeString:
			delete(r.Strings, f.name)
			if v.null || strings.TrimSpace(v.str) == "" {
				continue
			}
			s, err := f.normalize(v.str)
			if err != nil {
				return err
			}
			r.Strings[f.name] = s
		case shapeList:
			list := applyMulti(r.Lists[f.name], v)
			for j, e := range list {
				s, err := f.normalize(e)
				if err != nil {
					return err
				}
				list[j] = s
			}
			if err := checkNoDuplicates(f.name, list); err != nil {
				return errValidation(err)
			}
			delete(r.Lists, f.name)
			if len(list) > 0 {
				r.Lists[f.name] = list
			}
		}
	}
	r.normalize()
	return checkRuleWhole(r)
}

// checkRuleWhole applies the rules that involve several parameters.
func checkRuleWhole(r *transportRule) *exError {
	for i := range ruleFields {
		f := &ruleFields[i]
		need, ok := ruleRequires[baseName(f.name)]
		if !ok || !r.isSet(f.name) {
			continue
		}
		if f.cat == catException {
			need = "ExceptIf" + need
		}
		if !r.isSet(need) {
			return errBadRequest(excValidation, "The %s parameter must be used together with the %s parameter.", f.name, need)
		}
	}
	hasAction := false
	for i := range ruleFields {
		if ruleFields[i].cat == catAction && r.isSet(ruleFields[i].name) {
			hasAction = true
		}
	}
	if !hasAction {
		return errBadRequest(excValidation, "The rule '%s' has no action. A transport rule must have at least one action.", r.Name)
	}
	if r.ActivationDate != nil && r.ExpiryDate != nil && !r.ExpiryDate.After(*r.ActivationDate) {
		return errBadRequest(excValidation, "The ExpiryDate of the rule must be later than its ActivationDate.")
	}
	return nil
}

// parseRuleDate reads a DateTime parameter: ISO 8601 (with or without a
// zone) or the en-US short forms PowerShell accepts ("09/01/2018",
// "09/01/2018 5:00 PM"). Values without a zone are UTC.
func parseRuleDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	layouts := []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02",
		"1/2/2006 3:04:05 PM", "1/2/2006 3:04 PM", "1/2/2006 15:04:05", "1/2/2006 15:04", "1/2/2006"}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC().Truncate(time.Second), nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date")
}

func ruleDN(st *state, name string) string {
	return configDN(st, name, "CN=TransportVersioned,CN=Rules,CN=Transport Settings")
}

// ruleClassName is what Conditions, Exceptions and Actions list for a
// group: the .NET class of the predicate or action, by the pattern Exchange
// uses (the exact names are not verified).
func ruleClassName(group string, cat ruleCategory) string {
	if cat == catAction {
		return "Microsoft.Exchange.MessagingPolicies.Rules.Tasks." + group + "Action"
	}
	return "Microsoft.Exchange.MessagingPolicies.Rules.Tasks." + group + "Predicate"
}

// ruleParts returns the groups set in r for one category, in table order.
func ruleParts(r *transportRule, cat ruleCategory) []string {
	var out []string
	seen := map[string]bool{}
	for i := range ruleFields {
		f := &ruleFields[i]
		if f.cat != cat || !r.isSet(f.name) || seen[f.group] {
			continue
		}
		seen[f.group] = true
		out = append(out, f.group)
	}
	return out
}

// renderedValue is a field's value as Get-TransportRule prints it, with the
// documented defaults filled in for the parts of a predicate or action that
// were left out (ADComparisonOperator Equal, ApplyHtmlDisclaimerLocation
// Append, ApplyHtmlDisclaimerFallbackAction Wrap, RejectMessage code 5.7.1
// and its default text).
func renderedValue(r *transportRule, f *ruleField) any {
	switch f.shape {
	case shapeBool:
		return r.Bools[f.name]
	case shapeList:
		if l, ok := r.Lists[f.name]; ok {
			return append([]string{}, l...)
		}
		return []string{}
	}
	if s, ok := r.Strings[f.name]; ok {
		switch f.docType {
		case "SclValue", "RejectStatusCode":
			n, _ := strconv.Atoi(s)
			return n
		case "ByteQuantifiedSize":
			n, _ := strconv.ParseInt(s, 10, 64)
			return formatByteSize(n)
		}
		return s
	}
	prefix := ""
	if f.cat == catException {
		prefix = "ExceptIf"
	}
	defaults := map[string][2]string{
		"ADComparisonOperator":              {"ADComparisonAttribute", "Equal"},
		"ApplyHtmlDisclaimerLocation":       {"ApplyHtmlDisclaimerText", "Append"},
		"ApplyHtmlDisclaimerFallbackAction": {"ApplyHtmlDisclaimerText", "Wrap"},
		"RejectMessageEnhancedStatusCode":   {"RejectMessageReasonText", "5.7.1"},
		"RejectMessageReasonText":           {"RejectMessageEnhancedStatusCode", "Delivery not authorized, message refused"},
	}
	if d, ok := defaults[baseName(f.name)]; ok && r.isSet(prefix+d[0]) {
		return d[1]
	}
	return nil
}

// renderRule is Get-TransportRule's output object. With exclude
// (-ExcludeConditionActionDetails $true) the Description, Conditions,
// Exceptions and Actions and every condition, exception and action value
// are blank.
func renderRule(st *state, r *transportRule, exclude bool) object {
	var b objBuilder
	b.val("Priority", r.Priority)
	b.str("DlpPolicy", r.DlpPolicy)
	b.str("Comments", r.Comments)
	if r.ActivationDate != nil {
		b.date("ActivationDate", *r.ActivationDate)
	} else {
		b.val("ActivationDate", nil)
	}
	if r.ExpiryDate != nil {
		b.date("ExpiryDate", *r.ExpiryDate)
	} else {
		b.val("ExpiryDate", nil)
	}
	classes := func(cat ruleCategory) []string {
		out := []string{}
		if exclude {
			return out
		}
		for _, g := range ruleParts(r, cat) {
			out = append(out, ruleClassName(g, cat))
		}
		return out
	}
	if exclude {
		b.val("Description", nil)
	} else {
		b.val("Description", ruleDescription(r))
	}
	b.strs("Conditions", classes(catCondition))
	b.strs("Exceptions", classes(catException))
	b.strs("Actions", classes(catAction))
	b.val("State", r.State)
	b.val("Mode", r.Mode)
	b.val("RuleErrorAction", r.RuleErrorAction)
	b.val("SenderAddressLocation", r.SenderAddressLocation)
	b.val("RecipientAddressType", r.RecipientAddressType)
	b.val("RuleSubType", r.RuleSubType)
	blank := &transportRule{Strings: map[string]string{}, Bools: map[string]bool{}, Lists: map[string][]string{}}
	src := r
	if exclude {
		src = blank
	}
	for i := range ruleFields {
		f := &ruleFields[i]
		v := renderedValue(src, f)
		if l, ok := v.([]string); ok {
			b.strs(f.name, l)
			continue
		}
		b.val(f.name, v)
	}
	b.val("Name", r.Name)
	commonTail(&b, ruleDN(st, r.Name), r.Name, r.Guid, r.WhenCreated, r.WhenChanged)
	return b.o
}

// ruleDescription is the human text Exchange keeps in Description. The
// layout (If the message / Take the following actions / Except if the
// message) follows Exchange's; the phrases are generated from the parameter
// names, not Exchange's wording.
func ruleDescription(r *transportRule) string {
	var b strings.Builder
	section := func(title string, cat ruleCategory) {
		var lines []string
		for i := range ruleFields {
			f := &ruleFields[i]
			if f.cat != cat || !r.isSet(f.name) {
				continue
			}
			lines = append(lines, "\t"+humanize(baseName(f.name))+" "+describeValue(r, f))
		}
		if len(lines) == 0 {
			return
		}
		b.WriteString(title + "\r\n")
		for _, l := range lines {
			b.WriteString(l + "\r\n")
		}
	}
	if len(ruleParts(r, catCondition)) == 0 {
		b.WriteString("If the message:\r\n\tApplies to all messages\r\n")
	} else {
		section("If the message:", catCondition)
	}
	section("Take the following actions:", catAction)
	section("Except if the message:", catException)
	return b.String()
}

func describeValue(r *transportRule, f *ruleField) string {
	switch f.shape {
	case shapeBool:
		return "is true"
	case shapeList:
		return "'" + strings.Join(r.Lists[f.name], "' or '") + "'"
	}
	v := renderedValue(r, f)
	return fmt.Sprintf("'%v'", v)
}

// humanize turns "SubjectContainsWords" into "subject contains words".
func humanize(name string) string {
	var b strings.Builder
	rs := []rune(name)
	for i, c := range rs {
		upper := c >= 'A' && c <= 'Z'
		if i > 0 && upper && (rs[i-1] < 'A' || rs[i-1] > 'Z' || (i+1 < len(rs) && rs[i+1] >= 'a' && rs[i+1] <= 'z')) {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	s := strings.ToLower(b.String())
	return strings.ToUpper(s[:1]) + s[1:]
}
