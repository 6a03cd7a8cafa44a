package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// paramKind is how a parameter's JSON value is bound (wire-formats A5).
type paramKind int

const (
	kindString    paramKind = iota // JSON string; null clears
	kindBool                       // JSON true/false (numbers as PowerShell does)
	kindSwitch                     // SwitchParameter: JSON true/false
	kindMulti                      // MultiValuedProperty: array, single string, null, or GenericHashTable add/remove
	kindEnum                       // string, one of enum, case-insensitive
	kindIdentity                   // *IdParameter: a non-empty string
	kindUnlimited                  // Unlimited: "Unlimited" or a positive integer
	kindNullBool                   // Boolean that also takes null, which resets it ($null, e.g. SmtpClientAuthenticationDisabled)
)

// paramSpec describes one cmdlet parameter the sim accepts. docType and
// required mirror Microsoft's cmdlet reference; the fidelity test checks them
// against exchange-cmdlets.json.
type paramSpec struct {
	name     string // canonical PascalCase name
	docType  string // type name in the cmdlet reference
	required bool
	kind     paramKind
	enum     []string // canonical values for kindEnum
}

// paramValue is a bound parameter value.
type paramValue struct {
	null      bool
	str       string
	b         bool
	list      []string // kindMulti replacement value
	hashtable bool     // kindMulti given as {"add":[…],"remove":[…]}
	add       []string
	remove    []string
	unlimited bool
	n         int
}

// params are a request's bound parameters, keyed by canonical name.
type params map[string]paramValue

func (p params) has(name string) bool { _, ok := p[name]; return ok }

// bindParams matches the request's parameters to specs case-insensitively
// (clients send "displayName" as well as "DisplayName", wire-formats A4),
// converts each value, and checks mandatory parameters, giving PowerShell's
// binding errors, each naming the parameter.
func bindParams(specs []paramSpec, raw map[string]json.RawMessage) (params, *exError) {
	byLower := make(map[string]*paramSpec, len(specs))
	for i := range specs {
		byLower[strings.ToLower(specs[i].name)] = &specs[i]
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys) // deterministic error when several parameters are wrong
	out := params{}
	for _, k := range keys {
		spec, ok := byLower[strings.ToLower(k)]
		if !ok {
			return nil, errBadRequest(excParameter, "A parameter cannot be found that matches parameter name '%s'.", k)
		}
		if _, dup := out[spec.name]; dup {
			return nil, errBadRequest(excParameter, "Cannot bind parameter because parameter '%s' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax.", spec.name)
		}
		v, err := bindValue(spec, raw[k])
		if err != nil {
			return nil, err
		}
		out[spec.name] = v
	}
	var missing []string
	for _, s := range specs {
		if s.required && !out.has(s.name) {
			missing = append(missing, s.name)
		}
	}
	if len(missing) > 0 {
		return nil, errBadRequest(excParameter, "Cannot process command because of one or more missing mandatory parameters: %s.", strings.Join(missing, " "))
	}
	return out, nil
}

func bindValue(spec *paramSpec, raw json.RawMessage) (paramValue, *exError) {
	raw = bytes.TrimSpace(raw)
	isNull := len(raw) == 0 || string(raw) == "null"
	if isNull {
		switch {
		case spec.required:
			return paramValue{}, errBadRequest(excParameter, "Cannot bind argument to parameter '%s' because it is null.", spec.name)
		case spec.kind == kindString || spec.kind == kindMulti || spec.kind == kindNullBool:
			return paramValue{null: true}, nil
		default:
			return paramValue{}, errBadRequest(excParameter, "Cannot bind argument to parameter '%s' because it is null.", spec.name)
		}
	}
	switch spec.kind {
	case kindString, kindIdentity:
		s, ok := scalarString(raw)
		if !ok {
			return paramValue{}, errBadRequest(excParameter, "Cannot bind parameter '%s'. Cannot convert the value to type \"%s\": a single string is required.", spec.name, spec.docType)
		}
		if (spec.required || spec.kind == kindIdentity) && strings.TrimSpace(s) == "" {
			return paramValue{}, errBadRequest(excParameter, "Cannot bind argument to parameter '%s' because it is an empty string.", spec.name)
		}
		return paramValue{str: s}, nil
	case kindBool, kindSwitch, kindNullBool:
		return bindBool(spec, raw)
	case kindEnum:
		s, ok := scalarString(raw)
		if ok {
			for _, e := range spec.enum {
				if strings.EqualFold(e, s) {
					return paramValue{str: e}, nil
				}
			}
		}
		return paramValue{}, errBadRequest(excParameter, "Cannot bind parameter '%s'. Cannot convert value \"%s\" to type \"%s\". Error: \"Unable to match the identifier name %s to a valid enumerator name. Specify one of the following enumerator names and try again: %s\"", spec.name, s, spec.docType, s, strings.Join(spec.enum, ", "))
	case kindMulti:
		return bindMulti(spec, raw)
	case kindUnlimited:
		s, _ := scalarString(raw)
		if strings.EqualFold(s, "Unlimited") {
			return paramValue{unlimited: true}, nil
		}
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return paramValue{}, errBadRequest(excParameter, "Cannot bind parameter '%s'. Cannot convert value \"%s\" to type \"%s\": use Unlimited or a positive whole number.", spec.name, s, spec.docType)
		}
		return paramValue{n: n}, nil
	}
	return paramValue{}, errBadRequest(excParameter, "Cannot bind parameter '%s'.", spec.name)
}

// scalarString returns a JSON string, or the literal of a number (PowerShell
// converts numbers to strings when binding a string parameter).
func scalarString(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), true
	}
	return string(raw), false
}

// bindBool accepts JSON booleans and numbers, like PowerShell's Boolean
// parameters ("accept only Boolean values and numbers"); strings such as
// "true" are rejected, as PowerShell rejects them.
func bindBool(spec *paramSpec, raw json.RawMessage) (paramValue, *exError) {
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return paramValue{b: b}, nil
	}
	var f float64
	if spec.kind != kindSwitch && json.Unmarshal(raw, &f) == nil {
		return paramValue{b: f != 0}, nil
	}
	return paramValue{}, errBadRequest(excParameter, "Cannot process argument transformation on parameter '%s'. Cannot convert value %s to type \"System.Boolean\". Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.", spec.name, string(raw))
}

// bindMulti accepts an array (replace the whole value), a single string, or
// a #Exchange.GenericHashTable {"add":[…],"remove":[…]} (keys in any case,
// wire-formats A5 and G3).
func bindMulti(spec *paramSpec, raw json.RawMessage) (paramValue, *exError) {
	if raw[0] == '{' {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return paramValue{}, errBadRequest(excParameter, "Cannot bind parameter '%s': %v.", spec.name, err)
		}
		v := paramValue{hashtable: true}
		for k, r := range m {
			switch strings.ToLower(k) {
			case "@odata.type":
			case "add":
				l, err := stringList(spec, r)
				if err != nil {
					return paramValue{}, err
				}
				v.add = append(v.add, l...)
			case "remove":
				l, err := stringList(spec, r)
				if err != nil {
					return paramValue{}, err
				}
				v.remove = append(v.remove, l...)
			default:
				return paramValue{}, errBadRequest(excParameter, "Cannot bind parameter '%s'. The hash table key '%s' isn't valid; use Add or Remove.", spec.name, k)
			}
		}
		return v, nil
	}
	l, err := stringList(spec, raw)
	if err != nil {
		return paramValue{}, err
	}
	return paramValue{list: l}, nil
}

func stringList(spec *paramSpec, raw json.RawMessage) ([]string, *exError) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, errBadRequest(excParameter, "Cannot bind parameter '%s': %v.", spec.name, err)
		}
		out := make([]string, 0, len(items))
		for _, it := range items {
			s, ok := scalarString(it)
			if !ok {
				return nil, errBadRequest(excParameter, "Cannot bind parameter '%s'. Each value must be a string.", spec.name)
			}
			out = append(out, s)
		}
		return out, nil
	}
	if string(raw) == "null" {
		return nil, nil
	}
	s, ok := scalarString(raw)
	if !ok {
		return nil, errBadRequest(excParameter, "Cannot bind parameter '%s'. Use a string or an array of strings.", spec.name)
	}
	return []string{s}, nil
}

// applyMulti returns the new value of a multi-valued property: the given
// list, or cur with the hashtable's additions and removals. Adding a value
// already present or removing an absent one is ignored (doc.go).
func applyMulti(cur []string, v paramValue) []string {
	if !v.hashtable {
		if v.null {
			return []string{}
		}
		return append([]string{}, v.list...)
	}
	out := []string{}
	for _, c := range cur {
		if !containsFold(v.remove, c) {
			out = append(out, c)
		}
	}
	for _, a := range v.add {
		if !containsFold(out, a) {
			out = append(out, a)
		}
	}
	return out
}

func containsFold(list []string, s string) bool {
	for _, l := range list {
		if strings.EqualFold(l, s) {
			return true
		}
	}
	return false
}

// checkNoDuplicates rejects a multi-valued value naming the same entry twice,
// as Exchange's MultiValuedProperty does.
func checkNoDuplicates(param string, list []string) error {
	for i, a := range list {
		for _, b := range list[:i] {
			if strings.EqualFold(a, b) {
				return fmt.Errorf("the value %q is specified more than once for parameter %s", a, param)
			}
		}
	}
	return nil
}
