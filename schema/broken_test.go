package schema_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/providers/entra"
	"github.com/exoform/exoform/providers/exchange"
	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/schema/diag"
)

// located is what TestBroken compares of an error: where it points and what it says. A
// diagnostic about a directory or an unreadable file has no location: File is "" and Line 0.
type located struct {
	File         string
	Line, Column int
	Summary      string
}

// brokenCases are the directories under testdata/broken, each a configuration with one thing
// wrong, and the errors loading and evaluating it must report.
var brokenCases = []struct {
	dir  string
	want []located
}{
	// Syntax.
	{"syntax_unclosed_block", []located{{"main.exo.hcl", 5, 47, "Unclosed configuration block"}}},
	{"syntax_missing_equals", []located{{"main.exo.hcl", 6, 15, "Invalid block definition"}}},
	{"syntax_unterminated_string", []located{
		{"main.exo.hcl", 6, 26, "Invalid multi-line string"},
		{"main.exo.hcl", 6, 26, "Unterminated template string"},
		{"main.exo.hcl", 7, 35, "Invalid multi-line string"},
		{"main.exo.hcl", 8, 2, "Invalid multi-line string"},
	}},
	{"syntax_bad_character", []located{
		{"main.exo.hcl", 6, 20, "Invalid character"},
		{"main.exo.hcl", 6, 20, "Invalid expression"},
	}},
	{"syntax_unclosed_interpolation", []located{
		{"main.exo.hcl", 10, 21, "Unclosed template interpolation sequence"},
		{"main.exo.hcl", 10, 40, "Invalid multi-line string"},
		{"main.exo.hcl", 11, 35, "Invalid multi-line string"},
		{"main.exo.hcl", 12, 2, "Invalid multi-line string"},
	}},
	{"syntax_missing_label", []located{{"main.exo.hcl", 5, 39, "Missing name for resource"}}},
	{"syntax_json_instead_of_hcl", []located{
		{"main.exo.hcl", 1, 1, "Argument or block definition required"},
		{"main.exo.hcl", 1, 1, "Missing exoform block"},
	}},

	// Wrong types.
	{"type_string_for_bool", []located{{"main.exo.hcl", 8, 20, "Incorrect attribute value type"}}},
	{"type_string_for_set", []located{{"main.exo.hcl", 7, 20, "Incorrect attribute value type"}}},
	{"type_list_for_string", []located{{"main.exo.hcl", 6, 20, "Incorrect attribute value type"}}},
	{"type_object_for_bool", []located{{"main.exo.hcl", 8, 20, "Incorrect attribute value type"}}},
	{"type_variable_default", []located{{"main.exo.hcl", 5, 1, "Invalid value for variable"}}},
	{"type_workspace_number", []located{{"main.exo.hcl", 2, 15, "Invalid workspace name"}}},
	{"type_for_each_list", []located{{"main.exo.hcl", 6, 20, "Invalid for_each"}}},
	{"type_sensitive_not_bool", []located{{"main.exo.hcl", 6, 15, "Invalid value"}}},
	{"type_null_required", []located{{"main.exo.hcl", 6, 20, "Missing value for name"}}},
	{"type_enum", []located{{"main.exo.hcl", 7, 20, "Invalid value for connector_type"}}},

	// Unknown attributes, blocks, types and functions.
	{"unknown_attribute", []located{
		{"main.exo.hcl", 5, 47, "Missing required argument"},
		{"main.exo.hcl", 6, 3, "Unsupported argument"},
	}},
	{"unknown_resource_type", []located{{"main.exo.hcl", 5, 10, "Unknown resource type"}}},
	{"unknown_data_source", []located{{"main.exo.hcl", 5, 6, "Unknown data source"}}},
	{"unknown_top_block", []located{{"main.exo.hcl", 5, 1, "Unsupported block type"}}},
	{"unknown_nested_block", []located{{"main.exo.hcl", 9, 3, "Unsupported block type"}}},
	{"unknown_lifecycle_attribute", []located{{"main.exo.hcl", 10, 5, "Unsupported argument"}}},
	{"unknown_exoform_attribute", []located{{"main.exo.hcl", 3, 3, "Unsupported argument"}}},
	{"unknown_function", []located{{"main.exo.hcl", 6, 20, "Call to unknown function"}}},
	{"count_not_supported", []located{{"main.exo.hcl", 6, 3, `"count" is not supported`}}},

	// Duplicates: one object declared twice, an attribute set twice, a label used twice.
	{"duplicate_resource", []located{{"main.exo.hcl", 10, 1, "Duplicate resource"}}},
	{"duplicate_resource_two_files", []located{{"b.exo.hcl", 2, 1, "Duplicate resource"}}},
	{"duplicate_object", []located{{"main.exo.hcl", 12, 20, "Duplicate exchange_inbound_connector"}}},
	{"duplicate_attribute", []located{{"main.exo.hcl", 8, 3, "Attribute redefined"}}},
	{"duplicate_object_key", []located{{"main.exo.hcl", 9, 5, "Duplicate key in object"}}},
	{"duplicate_variable", []located{{"main.exo.hcl", 9, 1, "Duplicate variable"}}},
	{"duplicate_local", []located{{"main.exo.hcl", 10, 3, "Duplicate local value"}}},
	{"duplicate_output", []located{{"main.exo.hcl", 9, 1, "Duplicate output"}}},
	{"duplicate_exoform_block", []located{{"main.exo.hcl", 5, 1, "Duplicate exoform block"}}},
	{"duplicate_tenant_block", []located{{"main.exo.hcl", 9, 1, "Duplicate tenant block"}}},
	{"duplicate_lifecycle_block", []located{{"main.exo.hcl", 13, 3, "Duplicate lifecycle block"}}},

	// Cycles.
	{"cycle_locals", []located{{"main.exo.hcl", 6, 7, "Dependency cycle"}}},
	{"cycle_self", []located{{"main.exo.hcl", 6, 13, "Self-referential value"}}},
	{"cycle_resources", []located{{"main.exo.hcl", 5, 1, "Dependency cycle"}}},
	{"cycle_depends_on", []located{{"main.exo.hcl", 5, 1, "Dependency cycle"}}},
	{"cycle_through_local", []located{{"main.exo.hcl", 9, 1, "Dependency cycle"}}},

	// References to nothing.
	{"ref_undeclared_variable", []located{{"main.exo.hcl", 7, 20, "Reference to an undeclared variable"}}},
	{"ref_undeclared_local", []located{{"main.exo.hcl", 11, 20, "Reference to an undeclared local value"}}},
	{"ref_undeclared_resource", []located{{"main.exo.hcl", 8, 20, "Reference to an undeclared resource"}}},
	{"ref_undeclared_data", []located{{"main.exo.hcl", 6, 15, "Reference to an undeclared data block"}}},
	{"ref_unknown_root", []located{{"main.exo.hcl", 8, 20, "Unknown reference"}}},
	{"ref_each_outside_for_each", []located{{"main.exo.hcl", 6, 20, "each is not available here"}}},
	{"ref_output_to_nothing", []located{{"main.exo.hcl", 6, 11, "Reference to an undeclared resource"}}},
	{"ref_depends_on_nothing", []located{{"main.exo.hcl", 8, 21, "Reference to an undeclared resource"}}},
	{"ref_missing_attribute", []located{{"main.exo.hcl", 13, 48, "Unsupported attribute"}}},

	// Values of the wrong shape: each error points at the element, not the list.
	{"invalid_ip", []located{
		{"main.exo.hcl", 11, 5, "Invalid value for sender_ip_addresses"},
		{"main.exo.hcl", 12, 5, "Invalid value for sender_ip_addresses"},
	}},
	{"invalid_cidr", []located{
		{"main.exo.hcl", 11, 5, "Invalid value for sender_ip_addresses"},
		{"main.exo.hcl", 12, 5, "Invalid value for sender_ip_addresses"},
	}},
	{"invalid_domain", []located{
		{"main.exo.hcl", 9, 5, "Invalid value for sender_domains"},
		{"main.exo.hcl", 10, 5, "Invalid value for sender_domains"},
	}},
	{"invalid_guid", []located{
		{"main.exo.hcl", 6, 15, "Invalid value for app_id"},
		{"main.exo.hcl", 7, 15, "Invalid value for object_id"},
	}},
	{"invalid_tenant", []located{{"main.exo.hcl", 6, 8, "Invalid tenant id"}}},
	{"invalid_duration", []located{{"main.exo.hcl", 8, 18, "Invalid lifetime"}}},
	{"invalid_date", []located{{"main.exo.hcl", 6, 13, "Error in function call"}}},
	{"invalid_workspace_name", []located{{"main.exo.hcl", 2, 15, "Invalid workspace name"}}},
	{"invalid_resource_name", []located{{"main.exo.hcl", 5, 39, "Invalid resource name"}}},

	// A directory without configuration: no file to point at, so the message names the directory.
	{"no_config_files", []located{{"", 0, 0, "No configuration files"}}},
}

// realTypes is the offline registry of every resource type, as `exoform validate` uses it.
func realTypes() *providers.Registry {
	reg := providers.NewRegistry()
	exchange.NewProvider(nil).Register(reg)
	entra.NewProvider(nil).Register(reg)
	return reg
}

// loadBroken loads and evaluates dir as the CLI does, and turns a panic into an error
// diagnostic so that one broken case fails its subtest instead of the whole run.
func loadBroken(dir string) (ds diag.Diagnostics) {
	defer func() {
		if r := recover(); r != nil {
			ds = diag.Diagnostics{diag.Errorf(nil, "panic", "%v", r)}
		}
	}()
	cfg, ds := schema.LoadDir(dir)
	if ds.HasErrors() {
		return ds
	}
	_, more := schema.Evaluate(cfg, realTypes(), schema.Inputs{Getenv: func(string) string { return "" }})
	ds.Append(more)
	return ds
}

// checkBroken holds the diagnostics of a broken configuration to what a user needs: errors,
// each placed inside the file it names, no trace of Go internals, and the ones expected.
func checkBroken(t *testing.T, dir string, ds diag.Diagnostics, want []located) {
	t.Helper()
	errs := ds.Errors()
	if len(errs) == 0 {
		t.Fatalf("no error; diagnostics: %v", ds)
	}
	var got []located
	for _, d := range errs {
		text := d.String()
		for _, bad := range []string{"panic", "goroutine", "runtime error", ".go:", "runtime."} {
			if strings.Contains(text, bad) {
				t.Errorf("diagnostic mentions %q, a sign of a Go failure rather than a user error: %s", bad, text)
			}
		}
		if len(text) > 4096 {
			t.Errorf("diagnostic of %d bytes; it should say what is wrong, not echo the input: %.200s...", len(text), text)
		}
		if d.Subject == nil {
			// Only a directory-level problem has no place in a file; it must name the directory.
			if !strings.Contains(d.Detail, dir) {
				t.Errorf("diagnostic without a location does not name the directory %s: %s", dir, text)
			}
			got = append(got, located{Summary: d.Summary})
			continue
		}
		checkRange(t, dir, d)
		got = append(got, located{d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column, d.Summary})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s\nall diagnostics:\n%s", diff, diagText(ds))
	}
}

// checkRange requires a diagnostic's range to lie inside the file it names.
func checkRange(t *testing.T, dir string, d diag.Diagnostic) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(dir, d.Subject.Filename))
	if err != nil {
		t.Errorf("diagnostic names a file that cannot be read: %v: %s", err, d)
		return
	}
	if p := rangeProblem(src, d.Subject); p != "" {
		t.Errorf("%s: %s", p, d)
	}
}

// rangeProblem says what is wrong with r as a range of src, or "": it must start on a line
// that exists, at a byte offset on that line, and not end before it starts.
func rangeProblem(src []byte, r *hcl.Range) string {
	lines := bytes.Count(src, []byte("\n")) + 1
	switch {
	case r.Start.Line < 1 || r.Start.Column < 1 || r.Start.Byte < 0:
		return "range starts before the file"
	case r.Start.Line > lines || r.Start.Byte > len(src):
		return fmt.Sprintf("range starts after the end of the file (%d lines, %d bytes)", lines, len(src))
	case r.End.Byte < r.Start.Byte || r.End.Line < r.Start.Line:
		return "range ends before it starts"
	case bytes.Count(src[:r.Start.Byte], []byte("\n"))+1 != r.Start.Line:
		return fmt.Sprintf("range's byte offset %d is not on its line %d", r.Start.Byte, r.Start.Line)
	}
	return ""
}

func TestBroken(t *testing.T) {
	for _, tc := range brokenCases {
		t.Run(tc.dir, func(t *testing.T) {
			dir := filepath.Join("testdata", "broken", tc.dir)
			checkBroken(t, dir, loadBroken(dir), tc.want)
		})
	}
}

// TestBrokenCorpusComplete keeps brokenCases and testdata/broken in step: a directory without
// a case would never be checked.
func TestBrokenCorpusComplete(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "broken", "*"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, tc := range brokenCases {
		listed[tc.dir] = true
	}
	for _, d := range dirs {
		if !listed[filepath.Base(d)] {
			t.Errorf("%s has no entry in brokenCases", d)
		}
	}
}

// brokenHeader is the exoform block the generated cases start with: four lines, so that the
// line after it is line 5.
const brokenHeader = "exoform {\n  workspace = \"w\"\n}\n\n"

// A generatedCase is a broken configuration whose exact bytes matter (encodings, line endings)
// or whose size would bloat the repository (huge and deeply nested files).
type generatedCase struct {
	name  string
	files map[string]string
	want  []located
}

func oneFile(src string) map[string]string { return map[string]string{"main.exo.hcl": src} }

// local is a configuration whose one local value is expr.
func local(expr string) map[string]string {
	return oneFile(brokenHeader + "locals {\n  v = " + expr + "\n}\n")
}

// nested repeats open n times, then middle, then close n times.
func nested(open, middle, close string, n int) string {
	return strings.Repeat(open, n) + middle + strings.Repeat(close, n)
}

func utf16(s string, bigEndian bool) string {
	var b strings.Builder
	for _, r := range s { // ASCII only
		if bigEndian {
			b.WriteByte(0)
			b.WriteByte(byte(r))
		} else {
			b.WriteByte(byte(r))
			b.WriteByte(0)
		}
	}
	return b.String()
}

// deepColumn is where "nested too deeply" points in a local's expression written by local()
// when each level takes one character: the locals block's brace is the first level, and the
// value starts at column 7, so the opener of level MaxNesting+1 is at 7+MaxNesting-1.
const deepColumn = 6 + schema.MaxNesting

func generatedCases() []generatedCase {
	connector := "resource \"exchange_inbound_connector\" \"relay\" {\n  name           = %s\n  sender_domains = [%s]\n}\n"
	return []generatedCase{
		{"empty_file", oneFile(""), []located{{"main.exo.hcl", 1, 1, "Missing exoform block"}}},
		{"whitespace_only", oneFile(" \n\t\n\n"), []located{{"main.exo.hcl", 1, 1, "Missing exoform block"}}},
		// An editor's byte order mark is accepted and not counted as a column.
		{"byte_order_mark", oneFile("\xef\xbb\xbfexoform { workspace = 42 }\n"), []located{{"main.exo.hcl", 1, 23, "Invalid workspace name"}}},
		{"crlf", oneFile(strings.ReplaceAll(brokenHeader+fmt.Sprintf(connector, `"Relay"`, `"not a domain"`), "\n", "\r\n")),
			[]located{{"main.exo.hcl", 7, 21, "Invalid value for sender_domains"}}},
		{"crlf_unterminated_string", oneFile(strings.ReplaceAll(brokenHeader+fmt.Sprintf(connector, `"Relay`, `"contoso.com"`), "\n", "\r\n")),
			[]located{
				{"main.exo.hcl", 6, 26, "Invalid multi-line string"},
				{"main.exo.hcl", 6, 26, "Unterminated template string"},
				{"main.exo.hcl", 7, 35, "Invalid multi-line string"},
				{"main.exo.hcl", 8, 2, "Invalid multi-line string"},
			}},
		{"latin1_value", oneFile(brokenHeader + fmt.Sprintf(connector, "\"M\xfcller\"", `"contoso.com"`)),
			[]located{{"main.exo.hcl", 6, 22, "Invalid character encoding"}}},
		{"latin1_comment", oneFile("# Gr\xfc\xdfe\n" + brokenHeader),
			[]located{{"main.exo.hcl", 1, 5, "Invalid character encoding"}}},
		{"utf16le_bom", oneFile("\xff\xfe" + utf16(brokenHeader, false)), []located{{"main.exo.hcl", 1, 1, "File is not UTF-8"}}},
		{"utf16be_bom", oneFile("\xfe\xff" + utf16(brokenHeader, true)), []located{{"main.exo.hcl", 1, 1, "File is not UTF-8"}}},
		{"utf16le", oneFile(utf16(brokenHeader, false)), []located{{"main.exo.hcl", 1, 1, "File is not UTF-8"}}},
		{"nul_byte", oneFile(brokenHeader + fmt.Sprintf(connector, "\"Re\x00lay\"", `"contoso.com"`)),
			[]located{{"main.exo.hcl", 6, 23, "Invalid character"}}},
		// One good file and one broken: the error names the broken one.
		{"second_file_broken", map[string]string{"a.exo.hcl": brokenHeader, "b.exo.hcl": "locals {\n  v = [\n}\n"},
			[]located{{"b.exo.hcl", 3, 1, "Invalid expression"}}},

		// Huge: 100,000 blocks in 5 MB, evaluated to the last, which is wrong.
		{"huge_file", oneFile(hugeFile()), []located{{"main.exo.hcl", 4 + 3*(100_000-1) + 2, 20, "Invalid function argument"}}},
		{"huge_string", oneFile(brokenHeader + fmt.Sprintf(connector, `"`+strings.Repeat("x", 5<<20)+`"`, `"contoso.com"`)),
			[]located{{"main.exo.hcl", 6, 20, "Invalid value for name"}}},
		{"many_resources", oneFile(manyResources(5_000)), []located{{"main.exo.hcl", 4 + 4*(5_000-1) + 3, 21, "Invalid value for sender_domains"}}},

		// Deeply nested: refused before the parser, which recurses once per level, overflows
		// the stack (a fatal error no recover catches).
		{"deep_brackets", local(nested("[", "", "]", 10_000)), []located{{"main.exo.hcl", 6, deepColumn, "Configuration nested too deeply"}}},
		{"deep_brackets_unclosed", local(strings.Repeat("[", 10_000)), []located{{"main.exo.hcl", 6, deepColumn, "Configuration nested too deeply"}}},
		{"deep_parentheses", local(nested("(", "1", ")", 10_000)), []located{{"main.exo.hcl", 6, deepColumn, "Configuration nested too deeply"}}},
		{"deep_objects", local(nested("{a=", "1", "}", 10_000)), []located{{"main.exo.hcl", 6, 7 + 3*(schema.MaxNesting-1), "Configuration nested too deeply"}}},
		{"deep_calls", local(nested("lower(", `"A"`, ")", 10_000)), []located{{"main.exo.hcl", 6, 7 + 6*(schema.MaxNesting-1) + 5, "Configuration nested too deeply"}}},
		{"deep_templates", local(nested(`"${`, "1", `}"`, 10_000)), []located{{"main.exo.hcl", 6, 7 + 3*(schema.MaxNesting/2-1) + 1, "Configuration nested too deeply"}}},
		{"deep_directives", local(`"` + nested("%{if true}", "x", "%{endif}", 10_000) + `"`), []located{{"main.exo.hcl", 6, 8 + 10*(schema.MaxNesting-2), "Configuration nested too deeply"}}},
		{"deep_not", local(strings.Repeat("!", 10_000) + "true"), []located{{"main.exo.hcl", 6, deepColumn, "Configuration nested too deeply"}}},
		{"deep_operators", local("1" + strings.Repeat(" + 1", 10_000)), []located{{"main.exo.hcl", 6, 7 + 4*(schema.MaxNesting-1) + 2, "Configuration nested too deeply"}}},
		{"deep_conditionals", local(nested("true ? ", "1", " : 2", 10_000)), []located{{"main.exo.hcl", 6, 7 + 7*(schema.MaxNesting-1) + 5, "Configuration nested too deeply"}}},
		{"deep_blocks", oneFile(brokenHeader + "resource \"exchange_inbound_connector\" \"relay\" {\n" + nested("b {\n", "", "}\n", 10_000) + "}\n"),
			[]located{{"main.exo.hcl", 5 + schema.MaxNesting, 3, "Configuration nested too deeply"}}},
		// Long strings: the parser joins a heredoc's lines one by one, copying all the text so
		// far. The heredoc's lines of 100 bytes start at line 7; the 3,277th passes the bound
		// (3,277 lines × 327,700 bytes > 2³⁰). Each $${x} is two pieces of 5 bytes, and the
		// 10,363rd passes it.
		{"long_heredoc", local("<<EOT\n" + strings.Repeat(strings.Repeat("y", 99)+"\n", 100_000) + "EOT"),
			[]located{{"main.exo.hcl", 7 + 3_276, 1, "String too long"}}},
		{"many_escapes", local(`"` + strings.Repeat("$${x}", 100_000) + `"`),
			[]located{{"main.exo.hcl", 6, 8 + 5*10_362, "String too long"}}},
	}
}

// hugeFile is 100,000 locals blocks in about 5 MB; the last one's value is an error.
func hugeFile() string {
	var b strings.Builder
	b.WriteString(brokenHeader)
	pad := strings.Repeat("p", 30)
	for i := range 100_000 - 1 {
		fmt.Fprintf(&b, "locals {\n  v%06d = \"%s-%06d\"\n}\n", i, pad, i)
	}
	b.WriteString("locals {\n  last = tonumber(\"forty-two\")\n}\n")
	return b.String()
}

// manyResources declares n connectors; the last has a sender domain that is not one.
func manyResources(n int) string {
	var b strings.Builder
	b.WriteString(brokenHeader)
	for i := range n {
		domain := "contoso.com"
		if i == n-1 {
			domain = "not a domain"
		}
		fmt.Fprintf(&b, "resource \"exchange_inbound_connector\" \"c%d\" {\n  name           = \"Connector %d\"\n  sender_domains = [%q]\n}\n", i, i, domain)
	}
	return b.String()
}

func TestBrokenGenerated(t *testing.T) {
	for _, tc := range generatedCases() {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, src := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			checkBroken(t, dir, loadBroken(dir), tc.want)
		})
	}
}

// TestBrokenDirectory covers what LoadDir finds before any file is read.
func TestBrokenDirectory(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T) string // returns the directory to load
		want  []located
	}{
		{"empty_directory", func(t *testing.T) string { return t.TempDir() }, []located{{"", 0, 0, "No configuration files"}}},
		{"missing_directory", func(t *testing.T) string { return filepath.Join(t.TempDir(), "nowhere") },
			[]located{{"", 0, 0, "Cannot read the configuration directory"}}},
		{"dangling_symlink", func(t *testing.T) string {
			dir := t.TempDir()
			if err := os.Symlink(filepath.Join(dir, "gone.hcl"), filepath.Join(dir, "main.exo.hcl")); err != nil {
				t.Skipf("cannot create a symlink: %v", err)
			}
			return dir
		}, []located{{"", 0, 0, "Cannot read a configuration file"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.setup(t)
			checkBroken(t, dir, loadBroken(dir), tc.want)
		})
	}
}

// TestBrokenNoConfigNamesOtherFiles: a directory of main.hcl and main.tf says that those are
// not read, the usual reason for "no configuration files".
func TestBrokenNoConfigNamesOtherFiles(t *testing.T) {
	ds := loadBroken(filepath.Join("testdata", "broken", "no_config_files"))
	if len(ds) != 1 || !strings.Contains(ds[0].Detail, "main.hcl, main.tf") {
		t.Errorf("want one diagnostic naming main.hcl and main.tf, got:\n%s", diagText(ds))
	}
}

// TestCheckLimits holds the nesting and string bounds to their edges, and to letting ordinary
// configurations through: a bound that refused a real file would be worse than none.
func TestCheckLimits(t *testing.T) {
	chain := func(n int, sep string) string { return "1" + strings.Repeat(sep+"1", n) }
	many := func(n int, item string) string {
		return "[" + strings.TrimSuffix(strings.Repeat(item+", ", n), ", ") + "]"
	}
	cases := []struct {
		name    string
		src     string
		refused bool
	}{
		// The locals block is the first level.
		{"brackets at the bound", local(nested("[", "", "]", schema.MaxNesting-1))["main.exo.hcl"], false},
		{"brackets past the bound", local(nested("[", "", "]", schema.MaxNesting))["main.exo.hcl"], true},
		{"operators at the bound", local(chain(schema.MaxNesting-1, " + "))["main.exo.hcl"], false},
		{"operators past the bound", local(chain(schema.MaxNesting, " + "))["main.exo.hcl"], true},
		// Inside parentheses a newline does not end the expression, so it does not reset the count.
		{"operators over lines in parentheses", local("(" + chain(schema.MaxNesting, " +\n") + ")")["main.exo.hcl"], true},
		// The parser recurses into a conditional's false branch too.
		{"conditional chain", local(strings.Repeat("true ? 1 : ", schema.MaxNesting) + "2")["main.exo.hcl"], true},
		// Siblings do not nest: long lists, many attributes, many blocks.
		{"long list of sums", local(many(20_000, "1 + 1 + 1"))["main.exo.hcl"], false},
		{"long object", local("{" + strings.Repeat("a = 1 + 1\n", 20_000) + "}")["main.exo.hcl"], false},
		{"many attributes", brokenHeader + "locals {\n" + strings.Repeat("  a = 1 + 1 + 1\n", 20_000) + "}\n", false},
		{"many blocks", brokenHeader + strings.Repeat("locals {\n  a = [[1 + 1]]\n}\n", 20_000), false},
		{"many templates", local(`"` + strings.Repeat("${1 + 1}%{if true}x%{endif}", 20_000) + `"`)["main.exo.hcl"], false},
		{"heredoc of 3,000 lines", local("<<EOT\n" + strings.Repeat(strings.Repeat("y", 99)+"\n", 3_000) + "EOT")["main.exo.hcl"], false},
		{"heredoc of 4,000 lines", local("<<EOT\n" + strings.Repeat(strings.Repeat("y", 99)+"\n", 4_000) + "EOT")["main.exo.hcl"], true},
		// Interpolations split a long string into short runs, each within the bound.
		{"long template of short runs", local(`"` + strings.Repeat(strings.Repeat("y", 99)+"${1}", 20_000) + `"`)["main.exo.hcl"], false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ds := schema.CheckLimits([]byte(tc.src), "main.exo.hcl")
			if got := ds.HasErrors(); got != tc.refused {
				t.Errorf("refused = %v, want %v; diagnostics: %v", got, tc.refused, ds)
			}
		})
	}
}

// TestCheckLimitsExamples: every example configuration is within the bounds.
func TestCheckLimitsExamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "examples", "*", "*"+schema.FileSuffix))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if ds := schema.CheckLimits(src, f); len(ds) > 0 {
			t.Errorf("%s: %v", f, ds)
		}
	}
}

// TestEvaluateLinearInLocals: evaluating four times the locals allocates about four times the
// memory. Each local's context held every other local (a hundred thousand locals took
// minutes); quadratic growth would allocate sixteen times. Memory, unlike time, does not
// depend on the machine's load.
func TestEvaluateLinearInLocals(t *testing.T) {
	alloc := func(n int) uint64 {
		var b strings.Builder
		b.WriteString(brokenHeader)
		for i := range n {
			fmt.Fprintf(&b, "locals {\n  v%d = \"value %d\"\n}\n", i, i)
		}
		cfg, ds := schema.LoadSources(map[string][]byte{"main.exo.hcl": []byte(b.String())})
		if ds.HasErrors() {
			t.Fatal(ds)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, ds = schema.Evaluate(cfg, realTypes(), schema.Inputs{})
		runtime.ReadMemStats(&after)
		if ds.HasErrors() {
			t.Fatal(ds)
		}
		return after.TotalAlloc - before.TotalAlloc
	}
	small, large := alloc(500), alloc(2_000)
	if ratio := float64(large) / float64(small); ratio > 8 {
		t.Errorf("evaluating 2,000 locals allocated %.1f times what 500 did (%d and %d bytes); want about 4", ratio, large, small)
	}
}
