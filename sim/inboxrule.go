package sim

import (
	"crypto/sha1"
	"encoding/binary"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// inboxRule is one Outlook inbox rule of a mailbox. Its priority is its
// place in the mailbox's list (1 is the first rule processed).
type inboxRule struct {
	// RuleIdentity is Exchange's numeric rule id (a decimal unsigned 64-bit
	// integer), unique within the mailbox.
	RuleIdentity string `json:"rule_identity"`
	Name         string `json:"name"`
	Enabled      bool   `json:"enabled"`
	// Settings hold the conditions and actions; recipient lists hold SMTP
	// addresses, folders "alias:\path".
	Settings rcpBag `json:"settings,omitzero"`
}

var importanceValues = []string{"Low", "Normal", "High"}

// inboxRuleSettings are the plain conditions and actions (defaults $false,
// empty or $null).
var inboxRuleSettings = []rcpSetting{
	{name: "FromAddressContainsWords", docType: "MultiValuedProperty", kind: rcpList},
	{name: "SubjectContainsWords", docType: "MultiValuedProperty", kind: rcpList},
	{name: "BodyContainsWords", docType: "MultiValuedProperty", kind: rcpList},
	{name: "SubjectOrBodyContainsWords", docType: "MultiValuedProperty", kind: rcpList},
	{name: "RecipientAddressContainsWords", docType: "MultiValuedProperty", kind: rcpList},
	{name: "HeaderContainsWords", docType: "MultiValuedProperty", kind: rcpList},
	{name: "HasAttachment", docType: "Boolean", kind: rcpBool},
	{name: "MyNameInToBox", docType: "Boolean", kind: rcpBool},
	{name: "SentOnlyToMe", docType: "Boolean", kind: rcpBool},
	{name: "WithImportance", docType: "Importance", kind: rcpEnum, enum: importanceValues},
	{name: "ExceptIfSubjectContainsWords", docType: "MultiValuedProperty", kind: rcpList},
	{name: "DeleteMessage", docType: "Boolean", kind: rcpBool},
	{name: "SoftDeleteMessage", docType: "Boolean", kind: rcpBool},
	{name: "MarkAsRead", docType: "Boolean", kind: rcpBool},
	{name: "MarkImportance", docType: "Importance", kind: rcpEnum, enum: importanceValues},
	{name: "ApplyCategory", docType: "MultiValuedProperty", kind: rcpList},
	{name: "StopProcessingRules", docType: "Boolean", kind: rcpBool},
}

// inboxRuleRecipientParams are the RecipientIdParameter[] conditions and
// actions; inboxRuleFolderParams the MailboxFolderIdParameter actions.
var (
	inboxRuleRecipientParams = []string{"From", "ExceptIfFrom", "SentTo", "ForwardTo", "ForwardAsAttachmentTo", "RedirectTo"}
	inboxRuleFolderParams    = []string{"MoveToFolder", "CopyToFolder"}
)

func inboxRuleCmdlets() []*cmdlet {
	mbx := paramSpec{name: "Mailbox", docType: "MailboxIdParameter", kind: kindIdentity}
	ruleID := paramSpec{name: "Identity", docType: "InboxRuleIdParameter", required: true, kind: kindIdentity}
	switches := []paramSpec{
		{name: "Force", docType: "SwitchParameter", kind: kindSwitch},
		{name: "AlwaysDeleteOutlookRulesBlob", docType: "SwitchParameter", kind: kindSwitch},
		confirmParams[0], confirmParams[1],
	}
	ruleParams := func(first ...paramSpec) []paramSpec {
		out := append(append([]paramSpec{}, first...), mbx, paramSpec{name: "Priority", docType: "Int32", kind: kindString})
		for _, n := range inboxRuleRecipientParams {
			out = append(out, paramSpec{name: n, docType: "RecipientIdParameter[]", kind: kindMulti})
		}
		for _, n := range inboxRuleFolderParams {
			out = append(out, paramSpec{name: n, docType: "MailboxFolderIdParameter", kind: kindString})
		}
		out = append(out, rcpParams(inboxRuleSettings)...)
		return append(out, switches...)
	}
	return []*cmdlet{
		{
			name: "Get-InboxRule",
			params: []paramSpec{
				mbx,
				{name: "Identity", docType: "InboxRuleIdParameter", kind: kindIdentity},
				{name: "ResultSize", docType: "Unlimited", kind: kindUnlimited},
			},
			run: getInboxRule,
		},
		{name: "New-InboxRule", write: true, params: ruleParams(paramSpec{name: "Name", docType: "String", required: true, kind: kindString}), run: newInboxRule},
		{name: "Set-InboxRule", write: true, params: ruleParams(ruleID, paramSpec{name: "Name", docType: "String", kind: kindString}), run: setInboxRule},
		{name: "Remove-InboxRule", write: true, params: append([]paramSpec{ruleID, mbx}, switches...), run: removeInboxRule},
	}
}

// rcpRuleIdentity derives a rule id from seed: 63 bits of its SHA-1, printed
// in decimal like Exchange's RuleIdentity.
func rcpRuleIdentity(mailboxGuid, seed string) string {
	sum := sha1.Sum([]byte(mailboxGuid + "\x00" + seed))
	return strconv.FormatUint(binary.BigEndian.Uint64(sum[:8])>>1, 10)
}

// ruleMailbox resolves the mailbox of an inbox rule cmdlet: the part of
// Identity before "\" ("mailbox\rule"), else Mailbox. An application has no
// mailbox of its own, so one of them is needed.
func ruleMailbox(x *cmdContext, p params, master bool) (*mailbox, string, *exError) {
	ruleID := ""
	mbxID := ""
	if v, ok := p["Identity"]; ok {
		ruleID = strings.TrimSpace(v.str)
		if m, r, found := strings.Cut(ruleID, `\`); found {
			mbxID, ruleID = m, r
		}
	}
	if mbxID == "" {
		if v, ok := p["Mailbox"]; ok {
			mbxID = v.str
		}
	}
	if mbxID == "" {
		return nil, "", errBadRequest(excValidation, "Specify the mailbox with the Mailbox parameter (or an Identity of the form \"mailbox\\rule\"): the application running the command has no mailbox of its own.")
	}
	_, m, e := resolveMailbox(x, mbxID, master)
	if e != nil {
		return nil, "", e
	}
	return m, ruleID, nil
}

// findInboxRule returns the index of the rule named by id (its RuleIdentity
// or its Name) among rules.
func findInboxRule(rules []*inboxRule, id, shown string) (int, *exError) {
	found := -1
	for i, r := range rules {
		if r.RuleIdentity == id {
			return i, nil
		}
		if strings.EqualFold(r.Name, id) {
			if found >= 0 {
				return -1, errAmbiguous(shown)
			}
			found = i
		}
	}
	if found < 0 {
		return -1, errNotFound(shown)
	}
	return found, nil
}

func getInboxRule(x *cmdContext, p params) (*cmdResult, *exError) {
	m, ruleID, e := ruleMailbox(x, p, false)
	if e != nil {
		return nil, e
	}
	rules := x.st.Exchange.InboxRules[m.Guid]
	res := &cmdResult{}
	if p.has("Identity") {
		i, e := findInboxRule(rules, ruleID, p["Identity"].str)
		if e != nil {
			return nil, e
		}
		res.objects = []object{renderInboxRule(x, m, rules[i], i+1)}
		return res, nil
	}
	var objs []object
	for i, r := range rules {
		objs = append(objs, renderInboxRule(x, m, r, i+1))
	}
	res.objects, res.warnings = applyResultSize(objs, p)
	return res, nil
}

func newInboxRule(x *cmdContext, p params) (*cmdResult, *exError) {
	m, _, e := ruleMailbox(x, p, true)
	if e != nil {
		return nil, e
	}
	name := strings.TrimSpace(p["Name"].str)
	if name == "" {
		return nil, errBadRequest(excParameter, "Cannot bind argument to parameter 'Name' because it is an empty string.")
	}
	rules := x.st.Exchange.InboxRules[m.Guid]
	r := &inboxRule{RuleIdentity: rcpRuleIdentity(m.Guid, newGUID()), Name: name, Enabled: true}
	if e := applyInboxRuleParams(x, m, r, p); e != nil {
		return nil, e
	}
	pos := len(rules)
	if v, ok := p["Priority"]; ok {
		n, e := rulePriority(v, len(rules)+1)
		if e != nil {
			return nil, e
		}
		pos = n - 1
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	x.st.Exchange.InboxRules[m.Guid] = slices.Insert(slices.Clone(rules), pos, r)
	x.changed = true
	return &cmdResult{objects: []object{renderInboxRule(x, m, r, pos+1)}}, nil
}

func setInboxRule(x *cmdContext, p params) (*cmdResult, *exError) {
	m, ruleID, e := ruleMailbox(x, p, true)
	if e != nil {
		return nil, e
	}
	rules := x.st.Exchange.InboxRules[m.Guid]
	i, e := findInboxRule(rules, ruleID, p["Identity"].str)
	if e != nil {
		return nil, e
	}
	cur := rules[i]
	next := *cur
	next.Settings = cur.Settings.clone()
	if v, ok := p["Name"]; ok {
		if next.Name = strings.TrimSpace(v.str); next.Name == "" {
			return nil, errBadRequest(excParameter, "Cannot bind argument to parameter 'Name' because it is an empty string.")
		}
	}
	if e := applyInboxRuleParams(x, m, &next, p); e != nil {
		return nil, e
	}
	pos := i
	if v, ok := p["Priority"]; ok {
		n, e := rulePriority(v, len(rules))
		if e != nil {
			return nil, e
		}
		pos = n - 1
	}
	if pos == i && reflect.DeepEqual(&next, cur) {
		return warnNoChange(cur.Name), nil
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	out := slices.Delete(slices.Clone(rules), i, i+1)
	x.st.Exchange.InboxRules[m.Guid] = slices.Insert(out, pos, &next)
	x.changed = true
	return &cmdResult{}, nil
}

func removeInboxRule(x *cmdContext, p params) (*cmdResult, *exError) {
	m, ruleID, e := ruleMailbox(x, p, true)
	if e != nil {
		return nil, e
	}
	rules := x.st.Exchange.InboxRules[m.Guid]
	i, e := findInboxRule(rules, ruleID, p["Identity"].str)
	if e != nil {
		return nil, e
	}
	if p["WhatIf"].b {
		return &cmdResult{}, nil
	}
	out := slices.Delete(slices.Clone(rules), i, i+1)
	if len(out) == 0 {
		delete(x.st.Exchange.InboxRules, m.Guid)
	} else {
		x.st.Exchange.InboxRules[m.Guid] = out
	}
	x.changed = true
	return &cmdResult{}, nil
}

// rulePriority checks a Priority value: 1 (processed first) to max.
func rulePriority(v paramValue, max int) (int, *exError) {
	if v.null {
		return 0, errBadRequest(excParameter, "Cannot bind argument to parameter 'Priority' because it is null.")
	}
	n, err := strconv.Atoi(strings.TrimSpace(v.str))
	if err != nil {
		return 0, errBadRequest(excParameter, "Cannot process argument transformation on parameter 'Priority'. Cannot convert value \"%s\" to type \"System.Int32\".", v.str)
	}
	if n < 1 || n > max {
		return 0, errBadRequest(excValidation, "The value %d of parameter Priority is out of range: valid values are 1 through %d.", n, max)
	}
	return n, nil
}

// applyInboxRuleParams validates and sets the conditions and actions on r
// (a new rule or a copy).
func applyInboxRuleParams(x *cmdContext, m *mailbox, r *inboxRule, p params) *exError {
	for _, name := range inboxRuleRecipientParams {
		v, ok := p[name]
		if !ok {
			continue
		}
		resolve := func(list []string) ([]string, *exError) {
			var out []string
			for _, id := range list {
				a, e := ruleRecipient(x, strings.TrimSpace(id))
				if e != nil {
					return nil, e
				}
				out = append(out, a)
			}
			return out, nil
		}
		list, e := resolve(v.list)
		if e != nil {
			return e
		}
		if v.hashtable {
			add, e := resolve(v.add)
			if e != nil {
				return e
			}
			rm, e := resolve(v.remove)
			if e != nil {
				return e
			}
			list = applyMulti(r.Settings.Lists[name], paramValue{hashtable: true, add: add, remove: rm})
		}
		if err := checkNoDuplicates(name, list); err != nil {
			return errValidation(err)
		}
		delete(r.Settings.Lists, name)
		if len(list) > 0 {
			r.Settings.setList(name, list)
		}
	}
	for _, name := range inboxRuleFolderParams {
		v, ok := p[name]
		if !ok {
			continue
		}
		delete(r.Settings.Strings, name)
		s := strings.TrimSpace(v.str)
		if v.null || s == "" {
			continue
		}
		f, e := ruleFolder(x, m, name, s)
		if e != nil {
			return e
		}
		r.Settings.setString(name, f)
	}
	return r.Settings.apply(x.st, inboxRuleSettings, p)
}

// ruleRecipient resolves a RecipientIdParameter of an inbox rule: a mailbox
// (any identity; stored as its primary SMTP address) or, for people outside
// the organization, an SMTP address.
func ruleRecipient(x *cmdContext, id string) (string, *exError) {
	_, m, e := resolveMailbox(x, id, true)
	if e == nil {
		return m.primary(), nil
	}
	if e.excType != excNotFound {
		return "", e
	}
	if _, a := splitProxy(id); checkSMTPAddress("", a) == nil {
		return a, nil
	}
	return "", e
}

// ruleFolder checks a MailboxFolderIdParameter ("mailbox:\Folder\Sub"): the
// mailbox part must name the rule's own mailbox (or be empty) and the path
// must not be empty. It is stored as "alias:\path". Folders themselves are
// not simulated: any path is accepted.
func ruleFolder(x *cmdContext, m *mailbox, param, v string) (string, *exError) {
	owner, path, ok := strings.Cut(v, `:\`)
	path = strings.Trim(path, `\`)
	if !ok || path == "" {
		return "", errBadRequest(excValidation, "The value \"%s\" of parameter %s isn't a mailbox folder: use the form mailbox:\\Folder\\Subfolder, for example %s:\\Inbox\\Reports.", v, param, m.Alias)
	}
	if owner != "" {
		_, o, e := resolveMailbox(x, owner, true)
		if e != nil {
			return "", e
		}
		if o.Guid != m.Guid {
			return "", errBadRequest(excValidation, "The folder \"%s\" of parameter %s isn't in the mailbox %s: an inbox rule can only use folders of its own mailbox.", v, param, m.Name)
		}
	}
	return m.Alias + `:\` + path, nil
}

// renderInboxRule is Get-InboxRule's output object. Recipients print as
// Exchange prints them: "Display Name" [SMTP:address].
func renderInboxRule(x *cmdContext, m *mailbox, r *inboxRule, priority int) object {
	var b objBuilder
	b.val("Name", r.Name)
	b.val("Enabled", r.Enabled)
	b.val("Priority@odata.type", "#Int32")
	b.val("Priority", priority)
	b.val("RuleIdentity", r.RuleIdentity)
	b.val("Identity", m.Name+`\`+r.RuleIdentity)
	b.val("MailboxOwnerId", m.Name)
	recipients := func(name string) {
		out := []string{}
		for _, a := range r.Settings.Lists[name] {
			display := a
			if _, o, e := resolveMailbox(x, a, true); e == nil {
				display = o.DisplayName
			}
			out = append(out, `"`+display+`" [SMTP:`+a+`]`)
		}
		b.strs(name, out)
	}
	recipients("From")
	recipients("SentTo")
	recipients("ExceptIfFrom")
	r.Settings.render(&b, inboxRuleSettings)
	for _, f := range inboxRuleFolderParams {
		b.str(f, r.Settings.strOf(&rcpSetting{name: f}))
	}
	recipients("ForwardTo")
	recipients("ForwardAsAttachmentTo")
	recipients("RedirectTo")
	b.val("InError", false)
	b.val("SupportedByTask", true)
	b.val("IsValid", true)
	b.val("ObjectState", "Unchanged")
	return b.o
}
