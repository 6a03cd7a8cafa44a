package schema

import (
	"regexp"
	"strings"
)

// A computed attribute of an object that does not exist yet (the app_id of an application the
// same plan creates) is not known when planning. A reference to it evaluates to a placeholder,
// a string naming the attribute, which travels through the plan and into the operations; apply
// replaces it with the value the service returned when it created the object. Placeholders may
// only be used as they are: a function or template over one would compute from the
// placeholder's text, so the evaluator refuses that (see deferredMark).
const (
	placeholderOpen  = "⟪Known after apply: "
	placeholderClose = "⟫"
)

// Placeholder returns the placeholder of attribute attr of the object at addr.
func Placeholder(addr, attr string) string {
	return placeholderOpen + addr + "." + attr + placeholderClose
}

// The capital K makes a placeholder that went through lower() or upper() stop being one, so
// the evaluator notices.
var placeholderRe = regexp.MustCompile(`⟪Known after apply: ([^⟫]+)⟫`)

// IsPlaceholder reports whether s is exactly one placeholder.
func IsPlaceholder(s string) bool {
	m := placeholderRe.FindStringIndex(s)
	return m != nil && m[0] == 0 && m[1] == len(s)
}

// HasPlaceholder reports whether s contains a placeholder.
func HasPlaceholder(s string) bool { return strings.Contains(s, placeholderOpen) }

// PlaceholderRef returns what a placeholder stands for ("entra_application.ews.app_id").
func PlaceholderRef(s string) (string, bool) {
	m := placeholderRe.FindStringSubmatch(s)
	if m == nil || len(m[0]) != len(s) {
		return "", false
	}
	return m[1], true
}

// ReplacePlaceholders replaces every placeholder in s whose reference is in values, and returns
// the references it could not replace.
func ReplacePlaceholders(s string, values map[string]string) (string, []string) {
	if !HasPlaceholder(s) {
		return s, nil
	}
	var missing []string
	out := placeholderRe.ReplaceAllStringFunc(s, func(m string) string {
		ref := placeholderRe.FindStringSubmatch(m)[1]
		if v, ok := values[ref]; ok {
			return v
		}
		missing = append(missing, ref)
		return m
	})
	return out, missing
}

// deferredMark marks placeholder values during evaluation, so that a placeholder that went
// through a function or template can be told from one used as it is.
type deferredMark struct{}

// SplitPlaceholders cuts s at its placeholders: texts[i] comes before refs[i], and the last
// text after the last placeholder, so len(texts) == len(refs)+1.
func SplitPlaceholders(s string) (texts, refs []string) {
	last := 0
	for _, m := range placeholderRe.FindAllStringSubmatchIndex(s, -1) {
		texts = append(texts, s[last:m[0]])
		refs = append(refs, s[m[2]:m[3]])
		last = m[1]
	}
	return append(texts, s[last:]), refs
}
