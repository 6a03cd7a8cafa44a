package sim

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// rcpKind is how a simple recipient-side or configuration property is bound,
// stored and printed. Most Set-CASMailbox, Set-TransportConfig,
// Set-OrganizationConfig, Set-Mailbox and inbox-rule parameters are plain
// values with a default; a table of rcpSetting describes them, and an rcpBag
// stores only the values that differ from the default, which keeps a state
// with tens of thousands of mailboxes small.
type rcpKind int

const (
	rcpBool      rcpKind = iota // Boolean with a non-null default
	rcpNullBool                 // Boolean whose unset value is $null; null resets it
	rcpString                   // String; null or "" resets it to the default
	rcpEnum                     // one of enum, any case; null resets it to the default
	rcpList                     // MultiValuedProperty of strings; null clears it
	rcpInt                      // Int32 within [min, max]
	rcpUnlimited                // Unlimited: "Unlimited" or an integer within [min, max], printed as a string
)

// rcpSetting describes one property: its parameter (same name, docType from
// the cmdlet reference), its default and its rule.
type rcpSetting struct {
	name    string
	docType string
	kind    rcpKind
	defBool bool
	defStr  *string // nil prints null
	defInt  int
	enum    []string
	numeric bool // enum values may also be given as their index (MimeTextFormat)
	min     int
	max     int
	// check validates one value (a list entry for rcpList) and returns it as
	// stored; st is the tenant, for rules such as accepted domains.
	check func(st *state, param, v string) (string, error)
	// readOnly properties are printed but are not parameters.
	readOnly bool
}

// rcpBag holds the values that differ from their setting's default.
type rcpBag struct {
	Bools   map[string]bool     `json:"bools,omitempty"`
	Strings map[string]string   `json:"strings,omitempty"`
	Ints    map[string]int      `json:"ints,omitempty"`
	Lists   map[string][]string `json:"lists,omitempty"`
}

func (b rcpBag) clone() rcpBag {
	n := rcpBag{Bools: maps.Clone(b.Bools), Strings: maps.Clone(b.Strings), Ints: maps.Clone(b.Ints)}
	if b.Lists != nil {
		n.Lists = make(map[string][]string, len(b.Lists))
		for k, v := range b.Lists {
			n.Lists[k] = slices.Clone(v)
		}
	}
	return n
}

// normalize drops empty maps so that equal bags compare equal with
// reflect.DeepEqual whatever their history.
func (b *rcpBag) normalize() {
	if len(b.Bools) == 0 {
		b.Bools = nil
	}
	if len(b.Strings) == 0 {
		b.Strings = nil
	}
	if len(b.Ints) == 0 {
		b.Ints = nil
	}
	if len(b.Lists) == 0 {
		b.Lists = nil
	}
}

func (b rcpBag) boolOf(s *rcpSetting) bool {
	if v, ok := b.Bools[s.name]; ok {
		return v
	}
	return s.defBool
}

func (b rcpBag) nullBoolOf(s *rcpSetting) *bool {
	if v, ok := b.Bools[s.name]; ok {
		return &v
	}
	return nil
}

func (b rcpBag) strOf(s *rcpSetting) *string {
	if v, ok := b.Strings[s.name]; ok {
		return &v
	}
	return s.defStr
}

func (b rcpBag) intOf(s *rcpSetting) int {
	if v, ok := b.Ints[s.name]; ok {
		return v
	}
	return s.defInt
}

func (b rcpBag) listOf(s *rcpSetting) []string {
	if v, ok := b.Lists[s.name]; ok {
		return v
	}
	return []string{}
}

func (b *rcpBag) setBool(name string, v bool) {
	if b.Bools == nil {
		b.Bools = map[string]bool{}
	}
	b.Bools[name] = v
}

func (b *rcpBag) setString(name, v string) {
	if b.Strings == nil {
		b.Strings = map[string]string{}
	}
	b.Strings[name] = v
}

func (b *rcpBag) setList(name string, v []string) {
	if b.Lists == nil {
		b.Lists = map[string][]string{}
	}
	b.Lists[name] = v
}

func (b *rcpBag) setInt(name string, v int) {
	if b.Ints == nil {
		b.Ints = map[string]int{}
	}
	b.Ints[name] = v
}

// rcpParams turns settings into the parameter specs a cmdlet accepts.
// Int32, enum and Unlimited values are bound as strings and checked by
// rcpBag.apply, so that null can reset them and errors name the parameter.
func rcpParams(settings []rcpSetting) []paramSpec {
	var out []paramSpec
	for _, s := range settings {
		if s.readOnly {
			continue
		}
		k := kindString
		switch s.kind {
		case rcpBool:
			k = kindBool
		case rcpNullBool:
			k = kindNullBool
		case rcpList:
			k = kindMulti
		}
		out = append(out, paramSpec{name: s.name, docType: s.docType, kind: k})
	}
	return out
}

// apply validates the given parameters and sets them in b. Callers pass a
// copy, so a failure leaves the stored object unchanged.
func (b *rcpBag) apply(st *state, settings []rcpSetting, p params) *exError {
	for i := range settings {
		s := &settings[i]
		v, ok := p[s.name]
		if !ok || s.readOnly {
			continue
		}
		switch s.kind {
		case rcpBool:
			delete(b.Bools, s.name)
			if v.b != s.defBool {
				b.setBool(s.name, v.b)
			}
		case rcpNullBool:
			delete(b.Bools, s.name)
			if !v.null {
				b.setBool(s.name, v.b)
			}
		case rcpString:
			delete(b.Strings, s.name)
			val := strings.TrimSpace(v.str)
			if v.null || val == "" {
				continue
			}
			if s.check != nil {
				var err error
				if val, err = s.check(st, s.name, val); err != nil {
					return errValidation(err)
				}
			}
			if s.defStr == nil || *s.defStr != val {
				b.setString(s.name, val)
			}
		case rcpEnum:
			delete(b.Strings, s.name)
			if v.null {
				continue
			}
			val, e := rcpEnumValue(s, v.str)
			if e != nil {
				return e
			}
			if s.defStr == nil || *s.defStr != val {
				b.setString(s.name, val)
			}
		case rcpList:
			list := applyMulti(b.listOf(s), v)
			for i, e := range list {
				e = strings.TrimSpace(e)
				if s.check != nil {
					var err error
					if e, err = s.check(st, s.name, e); err != nil {
						return errValidation(err)
					}
				} else if e == "" {
					return errValidation(fmt.Errorf("parameter %s can't contain an empty value", s.name))
				}
				list[i] = e
			}
			if err := checkNoDuplicates(s.name, list); err != nil {
				return errValidation(err)
			}
			delete(b.Lists, s.name)
			if len(list) > 0 {
				b.setList(s.name, list)
			}
		case rcpInt:
			n, e := rcpIntValue(s, v, "System.Int32")
			if e != nil {
				return e
			}
			delete(b.Ints, s.name)
			if n != s.defInt {
				b.setInt(s.name, n)
			}
		case rcpUnlimited:
			val := "Unlimited"
			if !strings.EqualFold(strings.TrimSpace(v.str), "Unlimited") {
				n, e := rcpIntValue(s, v, "Unlimited")
				if e != nil {
					return e
				}
				val = strconv.Itoa(n)
			}
			delete(b.Strings, s.name)
			if s.defStr == nil || *s.defStr != val {
				b.setString(s.name, val)
			}
		}
	}
	b.normalize()
	return nil
}

// rcpEnumValue returns the canonical enum value for v (any case, or its index
// when the enum is numeric), or PowerShell's conversion error.
func rcpEnumValue(s *rcpSetting, v string) (string, *exError) {
	v = strings.TrimSpace(v)
	for _, e := range s.enum {
		if strings.EqualFold(e, v) {
			return e, nil
		}
	}
	if s.numeric {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 && n < len(s.enum) {
			return s.enum[n], nil
		}
	}
	return "", errBadRequest(excParameter, "Cannot bind parameter '%s'. Cannot convert value \"%s\" to type \"%s\". Error: \"Unable to match the identifier name %s to a valid enumerator name. Specify one of the following enumerator names and try again: %s\"", s.name, v, s.docType, v, strings.Join(s.enum, ", "))
}

// rcpIntValue parses an Int32 (or the number of an Unlimited) and checks its
// documented range.
func rcpIntValue(s *rcpSetting, v paramValue, typ string) (int, *exError) {
	if v.null {
		return 0, errBadRequest(excParameter, "Cannot bind argument to parameter '%s' because it is null.", s.name)
	}
	n, err := strconv.Atoi(strings.TrimSpace(v.str))
	if err != nil {
		return 0, errBadRequest(excParameter, "Cannot process argument transformation on parameter '%s'. Cannot convert value \"%s\" to type \"%s\".", s.name, v.str, typ)
	}
	if n < s.min || n > s.max {
		return 0, errBadRequest(excValidation, "The value %d of parameter %s is out of range: valid values are %d through %d.", n, s.name, s.min, s.max)
	}
	return n, nil
}

// render prints the settings in table order.
func (b rcpBag) render(ob *objBuilder, settings []rcpSetting) {
	for i := range settings {
		s := &settings[i]
		switch s.kind {
		case rcpBool:
			ob.val(s.name, b.boolOf(s))
		case rcpNullBool:
			if v := b.nullBoolOf(s); v != nil {
				ob.val(s.name, *v)
			} else {
				ob.val(s.name, nil)
			}
		case rcpString, rcpEnum, rcpUnlimited:
			ob.str(s.name, b.strOf(s))
		case rcpList:
			ob.strs(s.name, b.listOf(s))
		case rcpInt:
			ob.val(s.name+"@odata.type", "#Int32")
			ob.val(s.name, b.intOf(s))
		}
	}
}

// rcpSettingNamed returns the setting called name (nil if none).
func rcpSettingNamed(settings []rcpSetting, name string) *rcpSetting {
	for i := range settings {
		if settings[i].name == name {
			return &settings[i]
		}
	}
	return nil
}

// Common checks for settings.

func rcpCheckSMTPAddress(_ *state, param, v string) (string, error) {
	return v, checkSMTPAddress(param, v)
}

func rcpCheckDomain(_ *state, param, v string) (string, error) {
	return v, checkPlainDomain(param, v)
}

// rcpCheckMaxLen returns a check limiting a string to n characters.
func rcpCheckMaxLen(n int) func(*state, string, string) (string, error) {
	return func(_ *state, param, v string) (string, error) {
		if l := len([]rune(v)); l > n {
			return "", fmt.Errorf("the length of the value of parameter %s is too long: the maximum length is %d and the length of the value provided is %d", param, n, l)
		}
		return v, nil
	}
}

// rcpCheckCulture accepts a culture name such as "en-US" or "de" (CultureInfo).
func rcpCheckCulture(_ *state, param, v string) (string, error) {
	parts := strings.Split(v, "-")
	ok := len(parts) <= 3
	for i, p := range parts {
		if len(p) < 2 || len(p) > 8 || (i == 0 && len(p) > 3) {
			ok = false
		}
		for _, c := range p {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				ok = false
			}
		}
	}
	if !ok {
		return "", fmt.Errorf("the value %q of parameter %s isn't a valid culture name such as en-US", v, param)
	}
	return v, nil
}
