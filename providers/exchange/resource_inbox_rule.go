package exchange

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// InboxRuleType is exchange_inbox_rule: New-/Set-/Get-InboxRule for a rule in a mailbox, found by
// the mailbox and the rule's name.
//
// Inbox rules have no field that could carry an ownership marker, so the type is Declared:
// exoform creates and updates the rules it declares and never deletes one; removing a
// declaration stops managing the rule.
//
// Left out: enabled. New-InboxRule and Set-InboxRule take no -Enabled, and Enable-InboxRule and
// Disable-InboxRule are not in the cmdlet reference exoform is checked against; a new rule is
// enabled. The many rarely used conditions and actions (categories, flags, importance,
// sensitivity, size ranges, dates) are left out too.
//
// Reads: Get-InboxRule needs -Mailbox, so the type is a ScopedReader: one Get-InboxRule per
// distinct declared mailbox, sent ten to an Exchange $batch request.
var InboxRuleType = &schema.ResourceType{
	Name:        "exchange_inbox_rule",
	Description: "An inbox rule of a mailbox, such as copying every message to an import folder. exoform never deletes inbox rules: they have no field for an ownership marker.",
	Kind:        schema.Declared,
	Keys:        []string{"mailbox", "name"},
	Attributes: []*schema.Attribute{
		{Name: "mailbox", Wire: "Mailbox", Type: cty.String, Required: true, FoldCase: true, Validate: recipientIdentity,
			Description: "The mailbox the rule belongs to: its address, user principal name, alias or GUID."},
		{Name: "name", Wire: "Name", Type: cty.String, Required: true, FoldCase: true, Validate: inboxRuleName,
			Description: "The rule's name, unique in the mailbox; exoform finds the rule by it."},
		{Name: "priority", Wire: "Priority", Type: cty.Number,
			Description: "The order the rule runs in, from 1 (first). Exchange shifts other rules to make room."},
		{Name: "from", Wire: "From", Type: cty.Set(cty.String), FoldCase: true, Validate: recipientAddress,
			Description: "Condition: the message is from one of these addresses."},
		{Name: "sent_to", Wire: "SentTo", Type: cty.Set(cty.String), FoldCase: true, Validate: recipientAddress,
			Description: "Condition: the message is sent to one of these addresses."},
		{Name: "subject_contains_words", Wire: "SubjectContainsWords", Type: cty.Set(cty.String), FoldCase: true,
			Description: "Condition: the subject contains one of these words or phrases."},
		{Name: "subject_or_body_contains_words", Wire: "SubjectOrBodyContainsWords", Type: cty.Set(cty.String), FoldCase: true,
			Description: "Condition: the subject or the body contains one of these words or phrases."},
		{Name: "body_contains_words", Wire: "BodyContainsWords", Type: cty.Set(cty.String), FoldCase: true,
			Description: "Condition: the body contains one of these words or phrases."},
		{Name: "has_attachment", Wire: "HasAttachment", Type: cty.Bool, Description: "Condition: the message has an attachment."},
		{Name: "copy_to_folder", Wire: "CopyToFolder", Type: cty.String, FoldCase: true, Validate: inboxFolder,
			Description: `Action: copy the message to this folder of the rule's mailbox: a path such as "Inbox\\Import", or "mailbox:\\Inbox\\Import".`},
		{Name: "move_to_folder", Wire: "MoveToFolder", Type: cty.String, FoldCase: true, Validate: inboxFolder,
			Description: `Action: move the message to this folder of the rule's mailbox: a path such as "Inbox\\Import", or "mailbox:\\Inbox\\Import".`},
		{Name: "delete_message", Wire: "DeleteMessage", Type: cty.Bool, Description: "Action: move the message to Deleted Items."},
		{Name: "mark_as_read", Wire: "MarkAsRead", Type: cty.Bool, Description: "Action: mark the message as read."},
		{Name: "forward_to", Wire: "ForwardTo", Type: cty.Set(cty.String), FoldCase: true, Validate: recipientAddress,
			Description: "Action: forward the message to these addresses."},
		{Name: "redirect_to", Wire: "RedirectTo", Type: cty.Set(cty.String), FoldCase: true, Validate: recipientAddress,
			Description: "Action: redirect the message to these addresses."},
		{Name: "stop_processing_rules", Wire: "StopProcessingRules", Type: cty.Bool,
			Description: "Action: do not run later rules on the message."},
	},
	Check: checkInboxRule,
}

// inboxActions are the attributes that make a rule do something.
var inboxActions = []string{"copy_to_folder", "move_to_folder", "delete_message", "mark_as_read", "forward_to", "redirect_to"}

func inboxRuleName(s string) string {
	if msg := recipientMaxLen("rule name", 512)(s); msg != "" {
		return msg
	}
	if strings.Contains(s, schema.KeySep) {
		return fmt.Sprintf("The rule name %q contains a backslash, which exoform uses to join the mailbox and the rule name. Choose a name without one.", s)
	}
	return ""
}

// inboxFolder accepts a folder of the rule's own mailbox, as a path ("Inbox\Import") or in
// Exchange's MailboxFolderIdParameter form ("mailbox:\Inbox\Import").
func inboxFolder(s string) string {
	_, path := inboxSplitFolder(s)
	switch {
	case strings.TrimSpace(path) == "":
		return fmt.Sprintf("%q names no folder. Write a path such as Inbox\\Import, or mailbox:\\Inbox\\Import.", s)
	case strings.HasPrefix(path, `\`) || strings.HasSuffix(path, `\`) || strings.Contains(path, `\\`):
		return fmt.Sprintf("%q is not a folder path. Separate folder names with one backslash, starting with the top folder, such as Inbox\\Import.", s)
	}
	return ""
}

// inboxSplitFolder splits "mailbox:\path" into the mailbox ("" when not written) and the path.
func inboxSplitFolder(s string) (mailbox, path string) {
	if i := strings.Index(s, `:\`); i >= 0 {
		return s[:i], s[i+2:]
	}
	return "", s
}

func checkInboxRule(obj cty.Value) []schema.AttrProblem {
	var out []schema.AttrProblem
	if p := obj.GetAttr("priority"); !p.IsNull() && !recipientWholeIn(p, 1, 2147483647) {
		out = append(out, schema.AttrProblem{Attr: "priority", Summary: "Invalid value for priority", Detail: "priority must be a whole number from 1 (runs first)."})
	}
	if mb := obj.GetAttr("mailbox"); !mb.IsNull() {
		for _, attr := range []string{"copy_to_folder", "move_to_folder"} {
			v := obj.GetAttr(attr)
			if v.IsNull() {
				continue
			}
			// Only when the two are certainly different mailboxes: "support" and
			// "support@contoso.com" may be one, which validation cannot tell.
			if owner, path := inboxSplitFolder(v.AsString()); owner != "" && recipientDistinct(owner, mb.AsString()) {
				out = append(out, schema.AttrProblem{Attr: attr, Warning: true, Summary: "Folder of another mailbox",
					Detail: fmt.Sprintf("%s names the mailbox %s, but the rule belongs to %s. An inbox rule can only use folders of its own mailbox, so exoform uses %s in %s (if %s is another name of that mailbox, write only the path %s).", attr, owner, mb.AsString(), path, mb.AsString(), owner, path)})
			}
		}
	}
	acts := false
	for _, a := range inboxActions {
		v := obj.GetAttr(a)
		switch {
		case v.IsNull():
		case v.Type() == cty.Bool:
			acts = acts || v.True()
		case v.Type().IsSetType():
			acts = acts || v.LengthInt() > 0
		default:
			acts = true
		}
	}
	if !acts {
		out = append(out, schema.AttrProblem{Attr: "name", Warning: true, Summary: "Inbox rule without an action",
			Detail: "The rule sets none of " + strings.Join(inboxActions, ", ") + ", so a new rule does nothing. Add an action, or leave the rule out."})
	}
	return out
}

type inboxRule struct{ c invoker }

func (r *inboxRule) Type() *schema.ResourceType { return InboxRuleType }

// ReadAll is not possible: Get-InboxRule reads one mailbox at a time. The planner uses ReadKeys.
func (r *inboxRule) ReadAll(context.Context) ([]providers.LiveObject, error) {
	return nil, fmt.Errorf("exchange_inbox_rule can only be read for named mailboxes")
}

// inboxSplitKey splits "mailbox\name" at the last separator (rule names contain none; a mailbox
// identity such as DOMAIN\user may).
func inboxSplitKey(key string) (mailbox, name string, ok bool) {
	i := strings.LastIndex(key, schema.KeySep)
	if i <= 0 || i == len(key)-len(schema.KeySep) {
		return "", "", false
	}
	return key[:i], key[i+len(schema.KeySep):], true
}

// ReadKeys reads the declared rules: one Get-InboxRule per distinct mailbox, sent ten to an
// Exchange $batch request. A
// mailbox Exchange does not find has no rules (the plan creates them after the mailbox it
// creates). Two rules of one mailbox with a declared name are an error: exoform could not tell
// which one the declaration means.
func (r *inboxRule) ReadKeys(ctx context.Context, keys []string) ([]providers.LiveObject, []string, error) {
	type box struct {
		name    string
		names   []string // declared rule names
		rules   []map[string]any
		missing bool // Exchange reported the mailbox as not existing
	}
	var boxes []*box
	byLower := map[string]*box{}
	for _, k := range keys {
		mb, name, ok := inboxSplitKey(k)
		if !ok {
			continue
		}
		b := byLower[strings.ToLower(mb)]
		if b == nil {
			b = &box{name: mb}
			byLower[strings.ToLower(mb)] = b
			boxes = append(boxes, b)
		}
		b.names = append(b.names, name)
	}
	items := make([]BatchItem, len(boxes))
	for i, b := range boxes {
		items[i] = BatchItem{Cmdlet: "Get-InboxRule", Params: providers.Params{{Name: "Mailbox", Value: b.name}, {Name: "ResultSize", Value: "Unlimited"}}}
	}
	results, err := r.c.InvokeBatch(ctx, items)
	if err != nil {
		return nil, nil, err
	}
	for i, b := range boxes {
		objs, err := recipientBatchResult(items[i], results[i])
		switch {
		case IsNotFound(err):
			b.missing = true
		case err != nil:
			return nil, nil, err
		}
		b.rules = objs
	}
	var out []providers.LiveObject
	var missing []string
	for _, b := range boxes {
		if b.missing {
			for _, name := range b.names {
				missing = append(missing, schema.JoinKey(b.name, name))
			}
			continue
		}
		done := map[string]bool{}
		for _, name := range b.names {
			if done[strings.ToLower(name)] {
				continue
			}
			done[strings.ToLower(name)] = true
			var match []map[string]any
			for _, o := range b.rules {
				if strings.EqualFold(recipientStr(o, "Name"), name) {
					match = append(match, o)
				}
			}
			switch len(match) {
			case 0:
				continue
			case 1:
			default:
				return nil, nil, fmt.Errorf("the mailbox %s has %d inbox rules named %q; exoform cannot tell which one to manage. Rename or remove the others", b.name, len(match), name)
			}
			lo, err := inboxLiveObject(b.name, match[0])
			if err != nil {
				return nil, nil, fmt.Errorf("Get-InboxRule -Mailbox %s: rule %q: %w", b.name, name, err)
			}
			out = append(out, lo)
		}
	}
	return out, missing, nil
}

// inboxRecipientRe finds the address in Exchange's display of a recipient, such as
// "Alice Smith" [SMTP:alice@contoso.com].
var inboxRecipientRe = regexp.MustCompile(`(?i)\[smtp:([^\]\s]+)\]`)

// inboxRecipient reduces a recipient as Get-InboxRule shows it to its SMTP address.
func inboxRecipient(s string) string {
	if m := inboxRecipientRe.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	if a, ok := recipientProxySMTP(s); ok {
		return a
	}
	return strings.TrimSpace(s)
}

// inboxFolderPath reduces a folder as Exchange shows it ("mailbox:\Inbox\Import") to the path
// in the mailbox ("Inbox\Import").
func inboxFolderPath(s string) string {
	if i := strings.Index(s, `:\`); i >= 0 {
		s = s[i+2:]
	}
	return strings.Trim(s, `\`)
}

// inboxLiveObject maps one Get-InboxRule object of the mailbox the rule was read through.
func inboxLiveObject(mailbox string, o map[string]any) (providers.LiveObject, error) {
	override := map[string]cty.Value{"mailbox": cty.StringVal(mailbox)}
	for _, a := range InboxRuleType.Attributes {
		switch a.Name {
		case "from", "sent_to", "forward_to", "redirect_to":
			var addrs []string
			for _, s := range recipientList(o[a.Wire], false) {
				addrs = append(addrs, inboxRecipient(s))
			}
			override[a.Name] = recipientSetOf(permissionDedupe(addrs))
		case "copy_to_folder", "move_to_folder":
			if s := recipientStr(o, a.Wire); s != "" {
				override[a.Name] = cty.StringVal(inboxFolderPath(s))
			} else {
				override[a.Name] = cty.NullVal(cty.String)
			}
		}
	}
	v, err := recipientValue(InboxRuleType, o, override)
	if err != nil {
		return providers.LiveObject{}, err
	}
	name := recipientStr(o, "Name")
	lo := providers.LiveObject{Key: schema.JoinKey(mailbox, name), ID: recipientStr(o, "RuleIdentity"), Value: v}
	if lo.ID == "" {
		lo.ID = recipientStr(o, "Identity")
	}
	if owner := recipientStr(o, "MailboxOwnerId"); owner != "" && !strings.EqualFold(owner, mailbox) {
		lo.Names = []string{schema.JoinKey(owner, name)}
	}
	return lo, nil
}

// Needs implements providers.Resolver; folders need no other type.
func (r *inboxRule) Needs() []string { return nil }

// Resolve reduces copy_to_folder and move_to_folder to the path in the rule's mailbox, the form
// exoform reads them in, so that "proj-a@contoso.com:\Inbox\Import" and "Inbox\Import" compare
// equal; Compile qualifies the path with the rule's mailbox again.
func (r *inboxRule) Resolve(desired cty.Value, _ map[string][]providers.LiveObject) (cty.Value, error) {
	repl := map[string]cty.Value{}
	for _, attr := range []string{"copy_to_folder", "move_to_folder"} {
		if v := desired.GetAttr(attr); !v.IsNull() {
			_, path := inboxSplitFolder(v.AsString())
			repl[attr] = cty.StringVal(path)
		}
	}
	if len(repl) == 0 {
		return desired, nil
	}
	return recipientWithAttrs(desired, repl), nil
}

// inboxParam qualifies folder paths with the rule's mailbox, as the cmdlets take them
// (MailboxID:\ParentFolder\SubFolder); the rest as usual.
func inboxParam(mailbox string) func(a *schema.Attribute, v cty.Value) any {
	return func(a *schema.Attribute, v cty.Value) any {
		if (a.Name == "copy_to_folder" || a.Name == "move_to_folder") && !v.IsNull() {
			_, path := inboxSplitFolder(v.AsString())
			return mailbox + `:\` + path
		}
		return recipientParam(a, v)
	}
}

// Compile creates a rule with New-InboxRule -Mailbox -Name and updates it with Set-InboxRule
// -Identity <name> -Mailbox; it never deletes one.
func (r *inboxRule) Compile(c providers.Change) ([]providers.Operation, error) {
	t := InboxRuleType
	switch c.Kind {
	case providers.Create:
		mb := c.Desired.GetAttr("mailbox").AsString()
		ps := providers.Params{{Name: "Mailbox", Value: mb}, {Name: "Name", Value: c.Desired.GetAttr("name").AsString()}}
		ps = recipientCreateParams(t, c.Desired, ps, map[string]bool{"mailbox": true, "name": true}, inboxParam(mb))
		return []providers.Operation{{Service: providers.Exchange, Cmdlet: "New-InboxRule", Parameters: ps}}, nil
	case providers.Update:
		if c.Prior == nil {
			return nil, fmt.Errorf("an update needs the live rule")
		}
		mb, name, ok := inboxSplitKey(c.Prior.Key)
		if !ok {
			return nil, fmt.Errorf("the rule key %q is not mailbox\\name", c.Prior.Key)
		}
		ps := recipientSetParams(t, c, providers.Params{{Name: "Identity", Value: name}, {Name: "Mailbox", Value: mb}}, nil, inboxParam(mb))
		if len(ps) == 2 {
			return nil, nil
		}
		return []providers.Operation{{Service: providers.Exchange, Cmdlet: "Set-InboxRule", Parameters: ps}}, nil
	}
	return nil, fmt.Errorf("exchange_inbox_rule objects are never deleted: inbox rules carry no ownership marker")
}

var inboxRuleGuard = &guardSpec{t: InboxRuleType, unchecked: map[string]string{
	// Exchange shifts the other rules of the mailbox to keep priorities in sequence, so another
	// rule's change in the same script moves this one.
	"priority": "shifted by the changes of other rules",
	// Recipients are reported as "Display Name" [SMTP:address] and reduced to the address by the
	// read (inboxRecipient).
	"from":        "reported as \"Display Name\" [SMTP:address]",
	"sent_to":     "reported as \"Display Name\" [SMTP:address]",
	"forward_to":  "reported as \"Display Name\" [SMTP:address]",
	"redirect_to": "reported as \"Display Name\" [SMTP:address]",
	// Folders are reported as <mailbox>:\<path> and reduced to the path (inboxFolderPath).
	"copy_to_folder": "reported as <mailbox>:\\<path>",
	"move_to_folder": "reported as <mailbox>:\\<path>",
}}

// Guard reads the rule with Get-InboxRule -Mailbox <mailbox> -Identity <name>, as Set-InboxRule
// names it, picks it by Name and compares its conditions and actions but the recipients, the
// folders and the priority.
func (r *inboxRule) Guard(c providers.Change) (providers.Guard, error) {
	t := InboxRuleType
	if err := guardKind(t, c); err != nil {
		return providers.Guard{}, err
	}
	key, err := guardKey(t, c)
	if err != nil {
		return providers.Guard{}, err
	}
	mb, name, ok := inboxSplitKey(key)
	if !ok {
		return providers.Guard{}, fmt.Errorf("the rule key %q is not mailbox\\name", key)
	}
	g := providers.Guard{
		Read:  ruleOp("Get-InboxRule", providers.Param{Name: "Mailbox", Value: mb}, providers.Param{Name: "Identity", Value: name}),
		Match: []providers.Field{{Property: "Name", Value: name}},
	}
	g.Checks, g.Unchecked = inboxRuleGuard.checks(c)
	return g, nil
}
