package exchange

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// ManagementScopeType is exchange_management_scope: New/Set/Get-ManagementScope with a
// recipient filter, the resource scope that RBAC for Applications role assignments narrow an
// app's access with.
//
// Kind Declared: a management scope has no free-text field for an ownership marker, so exoform
// never deletes one (Remove-ManagementScope also fails while a role assignment uses it).
// RecipientRoot (an organizational unit) is left out: it is an on-premises notion that
// Exchange Online scopes do not need.
var ManagementScopeType = &schema.ResourceType{
	Name: "exchange_management_scope",
	Description: "A recipient management scope (New-ManagementScope -RecipientRestrictionFilter): the set of mailboxes an " +
		"exchange_management_role_assignment limits an app to, through custom_resource_scope.",
	Kind: schema.Declared,
	Keys: []string{"name"},
	Attributes: []*schema.Attribute{
		{Name: "name", Wire: "Name", Type: cty.String, Required: true, FoldCase: true, Validate: ruleName("management scope"),
			Description: "The scope's unique name (at most 64 characters); exoform finds the scope by it."},
		{Name: "recipient_restriction_filter", Wire: "RecipientRestrictionFilter", Type: cty.String, Required: true, FoldCase: true, Validate: scopeFilter,
			Description: "An OPATH filter selecting the recipients in scope, such as Department -eq 'Sales' or MemberOfGroup -eq 'CN=...'. " +
				"Write the filter itself, without PowerShell's surrounding double quotes. Get-ManagementScope reports it as RecipientFilter; " +
				"plans compare it ignoring case, spaces and enclosing parentheses."},
		{Name: "exclusive", Wire: "Exclusive", Type: cty.Bool,
			Description: "An exclusive scope (true) stops everyone without an assignment using it from changing the recipients in it. " +
				"It can only be chosen when the scope is created: Set-ManagementScope cannot change it."},
	},
}

var scopeComparisonRe = regexp.MustCompile(`(?i)(^|[\s)])-(eq|ne|lt|gt|le|ge|like|notlike)([\s(']|$)`)

// scopeFilter checks the OPATH syntax as far as it can be checked without Exchange: quotes and
// parentheses balance, and there is a comparison.
func scopeFilter(s string) string {
	t := strings.TrimSpace(s)
	if t == "" {
		return "The filter must not be empty. Write it as Department -eq 'Sales'."
	}
	if len(t) >= 2 && t[0] == '"' && t[len(t)-1] == '"' {
		return "Remove the double quotes around the filter: they are PowerShell's quoting of the parameter, not part of the filter."
	}
	depth := 0
	var quote rune
	for _, r := range t {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0 // a doubled quote ('') closes and reopens, which balances
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '(':
			depth++
		case r == ')':
			depth--
			if depth < 0 {
				return "The filter closes a parenthesis that was not opened."
			}
		}
	}
	switch {
	case quote != 0:
		return fmt.Sprintf("The filter opens a %c quote that is never closed. Quote every value, as in Department -eq 'Sales'; double a quote inside a value ('O''Brien').", quote)
	case depth == 1:
		return "The filter leaves a parenthesis open."
	case depth > 1:
		return fmt.Sprintf("The filter leaves %d parentheses open.", depth)
	case !scopeComparisonRe.MatchString(t):
		return "The filter has no comparison. Write it as Property -Operator 'Value', for example Department -eq 'Sales' (operators: -eq, -ne, -lt, -gt, -le, -ge, -like, -notlike)."
	}
	return ""
}

// scopeNormalise is a filter in the form plans compare: whitespace outside quoted values
// removed, case folded, and parentheses around the whole filter dropped.
func scopeNormalise(s string) string {
	var b strings.Builder
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
			b.WriteRune(unicode.ToLower(r))
		case r == '\'' || r == '"':
			quote = r
			b.WriteRune('\'')
		case unicode.IsSpace(r):
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	out := b.String()
	for len(out) >= 2 && out[0] == '(' && scopeClosingParen(out) == len(out)-1 {
		out = out[1 : len(out)-1]
	}
	return out
}

// scopeClosingParen returns the index of the parenthesis that closes the one at 0, or -1.
func scopeClosingParen(s string) int {
	depth := 0
	inQuote := false
	for i, r := range s {
		switch {
		case r == '\'':
			inQuote = !inQuote
		case inQuote:
		case r == '(':
			depth++
		case r == ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

var managementScopeMap = &ruleMap{
	t:      ManagementScopeType,
	fields: map[string][]string{"recipient_restriction_filter": {"RecipientRestrictionFilter", "RecipientFilter"}},
	// A scope that Get-ManagementScope does not call exclusive is a regular one.
	convert: map[string]func(any) (cty.Value, error){"exclusive": func(raw any) (cty.Value, error) {
		if raw == nil {
			return cty.False, nil
		}
		return toCty(ManagementScopeType.Attribute("exclusive"), raw)
	}},
}

type managementScope struct{ c invoker }

func (r *managementScope) Type() *schema.ResourceType { return ManagementScopeType }

// ReadAll lists every management scope with one paged Get-ManagementScope (the cmdlet takes
// no ResultSize).
func (r *managementScope) ReadAll(ctx context.Context) ([]providers.LiveObject, error) {
	return ruleRead(ctx, r.c, "Get-ManagementScope", nil, func(o map[string]any) ([]providers.LiveObject, error) {
		lo, err := managementScopeMap.live(o)
		if err != nil {
			return nil, err
		}
		return []providers.LiveObject{lo}, nil
	})
}

// Needs implements providers.Resolver: Resolve reads the live scopes.
func (r *managementScope) Needs() []string { return []string{ManagementScopeType.Name} }

// Resolve takes the live spelling of the filter when it says the same as the configured one:
// Exchange may store a filter with other spacing, case or parentheses than it was given.
func (r *managementScope) Resolve(desired cty.Value, live map[string][]providers.LiveObject) (cty.Value, error) {
	want := desired.GetAttr("recipient_restriction_filter")
	if want.IsNull() {
		return desired, nil
	}
	name := ruleText(desired, "name")
	for _, o := range live[ManagementScopeType.Name] {
		if !strings.EqualFold(o.Key, name) {
			continue
		}
		have := o.Value.GetAttr("recipient_restriction_filter")
		if !have.IsNull() && scopeNormalise(have.AsString()) == scopeNormalise(want.AsString()) {
			return ruleWithAttr(desired, "recipient_restriction_filter", have), nil
		}
	}
	return desired, nil
}

// ruleWithAttr returns an object value with one attribute replaced.
func ruleWithAttr(obj cty.Value, attr string, v cty.Value) cty.Value {
	m := obj.AsValueMap()
	m[attr] = v
	return cty.ObjectVal(m)
}

func (r *managementScope) Compile(c providers.Change) ([]providers.Operation, error) {
	switch c.Kind {
	case providers.Create:
		op := ruleOp("New-ManagementScope",
			providers.Param{Name: "Name", Value: ruleText(c.Desired, "name")},
			providers.Param{Name: "RecipientRestrictionFilter", Value: ruleText(c.Desired, "recipient_restriction_filter")})
		if v := c.Desired.GetAttr("exclusive"); !v.IsNull() && v.True() {
			// -Force skips the confirmation Exchange asks for before creating an exclusive scope.
			op.Parameters = append(op.Parameters, providers.Param{Name: "Exclusive", Value: providers.Switch(true)}, providers.Param{Name: "Force", Value: providers.Switch(true)})
		}
		return []providers.Operation{op}, nil
	case providers.Update:
		set := ruleSetOf(c)
		if set["exclusive"] {
			return nil, fmt.Errorf("the management scope %q is exclusive = %s in Exchange, and the configuration says %s. "+
				"Exchange chooses this only when a scope is created, and exoform does not remove scopes (role assignments use them). "+
				"Declare a scope with another name and point the role assignments at it, or change exclusive back",
				c.Prior.Key, ruleBool(c.Prior.Value, "exclusive"), ruleBool(c.Desired, "exclusive"))
		}
		if !set["recipient_restriction_filter"] {
			return nil, nil
		}
		return []providers.Operation{ruleOp("Set-ManagementScope",
			providers.Param{Name: "Identity", Value: c.Prior.Key},
			providers.Param{Name: "RecipientRestrictionFilter", Value: ruleText(c.Desired, "recipient_restriction_filter")})}, nil
	case providers.Delete:
		return nil, fmt.Errorf("exoform never deletes a management scope: it carries no ownership marker")
	}
	return nil, fmt.Errorf("unknown change kind %d", c.Kind)
}

// ruleBool renders a Boolean attribute for a message.
func ruleBool(obj cty.Value, attr string) string {
	v := obj.GetAttr(attr)
	if v.IsNull() {
		return "unset"
	}
	return fmt.Sprint(v.True())
}

var managementScopeGuard = &guardSpec{t: ManagementScopeType, unchecked: map[string]string{
	// Exchange may store a filter with other spacing, case or parentheses than it was given
	// (Resolve, scopeNormalise), so the filter after a change is not known to the plan; it is
	// also read from RecipientRestrictionFilter or RecipientFilter, whichever is present.
	"recipient_restriction_filter": "stored in a spelling of Exchange's own and compared normalised",
}}

// Guard reads the scope with Get-ManagementScope -Identity <name> and compares Exclusive.
func (r *managementScope) Guard(c providers.Change) (providers.Guard, error) {
	return guardByIdentity(managementScopeGuard, "Get-ManagementScope", "", c)
}
