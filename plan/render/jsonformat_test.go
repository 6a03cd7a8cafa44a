package render

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/exoform/exoform/providers"
)

// jsonFormatDoc is the documentation of the JSON output, which TestJSONFormatDoc holds to it.
var jsonFormatDoc = filepath.Join("..", "..", "docs", "json-format.md")

// docField is a row of the doc's table of fields: a JSON path and the kind of its type.
var docField = regexp.MustCompile("^\\| `([a-z_\\[\\]\\.]+)` \\| ([^|]+) \\|")

// documentedFields reads the table of the "Fields" section: path → kind (string, integer,
// boolean, object, array, value).
func documentedFields(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(jsonFormatDoc)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "## ") {
			in = line == "## Fields"
			continue
		}
		m := docField.FindStringSubmatch(line)
		if !in || m == nil {
			continue
		}
		typ := strings.TrimSpace(m[2])
		kind := strings.Fields(typ)[0]
		if strings.HasPrefix(typ, "any JSON value") {
			kind = "value"
		}
		out[m[1]] = strings.TrimSuffix(kind, ",")
	}
	if len(out) == 0 {
		t.Fatalf("%s has no table of fields under \"## Fields\"", jsonFormatDoc)
	}
	return out
}

var (
	rawMessageType = reflect.TypeFor[json.RawMessage]()
	marshalerType  = reflect.TypeFor[json.Marshaler]()
)

// modelFields lists every field the JSON encoding of a type can have, with its kind, from the
// types themselves, so that a field that appears only sometimes (omitempty) is listed too.
// Values whose encoding the type decides itself (json.RawMessage, a MarshalJSON, a map) are
// leaves.
func modelFields(t reflect.Type, prefix string, out map[string]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		path := prefix + name
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft == rawMessageType:
			out[path] = "value"
		case ft.Implements(marshalerType) || reflect.PointerTo(ft).Implements(marshalerType) || ft.Kind() == reflect.Map:
			out[path] = "object"
		case ft.Kind() == reflect.Struct:
			out[path] = "object"
			modelFields(ft, path+".", out)
		case ft.Kind() == reflect.Slice:
			out[path] = "array"
			if el := ft.Elem(); el.Kind() == reflect.Struct {
				modelFields(el, path+"[].", out)
			}
		case ft.Kind() == reflect.String:
			out[path] = "string"
		case ft.Kind() == reflect.Bool:
			out[path] = "boolean"
		case ft.Kind() >= reflect.Int && ft.Kind() <= reflect.Uint64:
			out[path] = "integer"
		default:
			out[path] = "unknown " + ft.String()
		}
	}
}

// outputFields walks encoded JSON and lists the paths it has, with the kind of each value,
// down to the leaves that fields says decide their own shape. path is the value's own path
// (an array's elements are PATH[]).
func outputFields(v any, path string, fields, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			out[p] = jsonKind(e)
			if fields[p] != "value" && (fields[p] != "object" || hasChildren(fields, p)) {
				outputFields(e, p, fields, out)
			}
		}
	case []any:
		for _, e := range x {
			outputFields(e, path+"[]", fields, out)
		}
	}
}

func hasChildren(fields map[string]string, path string) bool {
	for p := range fields {
		if strings.HasPrefix(p, path+".") || strings.HasPrefix(p, path+"[].") {
			return true
		}
	}
	return false
}

func jsonKind(v any) string {
	switch x := v.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "null"
}

// fullModel is a model with every field set, so that its encoding shows every field.
func fullModel() Model {
	return Model{
		FormatVersion: FormatVersion, Workspace: "ws", Tenant: "contoso.onmicrosoft.com",
		Summary: Summary{Create: 1, Adopt: 1, Update: 1, Delete: 1, NoOp: 1, HasChange: true},
		Changes: []ChangeView{{
			Address: "test_thing.a", Type: "test_thing", Key: "a", Action: "update", Owner: "ws", Pending: true,
			Attributes: []AttrView{{Name: "note", Before: json.RawMessage(`"x"`), After: json.RawMessage(`null`), Sensitive: true}},
			Operations: []providers.Operation{
				{Service: providers.Exchange, Cmdlet: "Set-Thing", Parameters: providers.Params{{Name: "Identity", Value: "a"}}},
				{Service: providers.Graph, Method: "POST", Path: "/applications", Body: json.RawMessage(`{"displayName":"a"}`),
					Produces: map[string]string{"appId": "test_thing.a.app_id"},
					Deliver:  &providers.Delivery{Field: "secretText", File: "a.secret", What: "client secret"}},
			},
			Commands: []string{"Set-Thing -Identity 'a'"},
		}},
		Outputs:     []OutputView{{Name: "o", Description: "d", Sensitive: true, Value: json.RawMessage(`null`)}},
		Diagnostics: []DiagView{{Severity: "warning", Summary: "s", Detail: "d", Address: "test_thing.a", Range: "main.exo.hcl:1:1"}},
	}
}

// TestJSONFormatDoc holds docs/json-format.md to the JSON output: every field the output can
// have is documented with its type, and every documented field exists.
func TestJSONFormatDoc(t *testing.T) {
	doc := documentedFields(t)
	model := map[string]string{}
	modelFields(reflect.TypeFor[Model](), "", model)
	if diff := cmp.Diff(model, doc); diff != "" {
		t.Errorf("%s and the fields of Model differ (-model +doc):\n%s", jsonFormatDoc, diff)
	}

	var buf bytes.Buffer
	if err := JSON(&buf, fullModel()); err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(buf.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	outputFields(v, "", model, out)
	var missing []string
	for path, kind := range out {
		want, ok := doc[path]
		switch {
		case !ok:
			t.Errorf("the output has %s, which %s does not list", path, jsonFormatDoc)
		case kind != want && kind != "null" && want != "value":
			t.Errorf("the output's %s is a JSON %s; %s says %s", path, kind, jsonFormatDoc, want)
		}
	}
	for path := range doc {
		if _, ok := out[path]; !ok {
			missing = append(missing, path)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("fullModel leaves out documented fields, so their encoding is not checked: %v", missing)
	}
}
