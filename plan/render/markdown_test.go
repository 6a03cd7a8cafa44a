package render

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/zclconf/go-cty/cty"
	"golang.org/x/net/html"

	"github.com/exoform/exoform/internal/golden"
	"github.com/exoform/exoform/plan"
	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/schema/diag"
)

// hostile is a value from a tenant or configuration that tries everything a pull-request comment
// must not do: mention a team, close the collapsible section, inject HTML, a link and an image,
// escape its code span or table cell, start a heading, reference an issue, typeset math, and
// hide or reorder text.
const hostile = "@team </details><script>x</script> ``` `t` a|b c\\|d [l](https://e.x) ![i](j) #12 $m$ www.e.x\n## h\u202Eg\u200B"

// sensitiveValue must never appear in any output.
const sensitiveValue = "s3cr3t-must-not-appear"

var thingType = &schema.ResourceType{
	Name: "test_thing", Kind: schema.Owned, Keys: []string{"name"},
	Attributes: []*schema.Attribute{
		{Name: "name", Type: cty.String, Required: true},
		{Name: "note", Type: cty.String},
		{Name: "members", Type: cty.Set(cty.String)},
		{Name: "hops", Type: cty.List(cty.String)},
		{Name: "password", Type: cty.String, Sensitive: true},
	},
}

// lookup is a TypeLookup of the test types.
type lookup map[string]*schema.ResourceType

func (l lookup) ResourceType(n string) (*schema.ResourceType, bool) { t, ok := l[n]; return t, ok }

func (l lookup) ResourceTypeNames() []string {
	var out []string
	for n := range l {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func strs(ss ...string) []cty.Value {
	out := make([]cty.Value, len(ss))
	for i, s := range ss {
		out[i] = cty.StringVal(s)
	}
	return out
}

func thing(attrs map[string]cty.Value) cty.Value {
	m := map[string]cty.Value{}
	for _, a := range thingType.Attributes {
		m[a.Name] = cty.NullVal(a.Type)
		if v, ok := attrs[a.Name]; ok {
			m[a.Name] = v
		}
	}
	return cty.ObjectVal(m)
}

func hostilePlan() *plan.Plan {
	var hops []string
	for i := range 15 {
		hops = append(hops, fmt.Sprintf("hop-%02d.contoso.com", i))
	}
	return &plan.Plan{
		Workspace: "ws", Tenant: "contoso.onmicrosoft.com",
		Changes: []*plan.Change{
			{Addr: "test_thing.new", Type: "test_thing", Key: hostile, Action: plan.Create,
				Attrs: []plan.AttrChange{
					{Name: "note", Before: cty.NullVal(cty.String), After: cty.StringVal(hostile)},
					{Name: "members", Before: cty.NullVal(cty.Set(cty.String)), After: cty.SetVal(strs(hostile, "b"))},
					{Name: "hops", Before: cty.NullVal(cty.List(cty.String)), After: cty.ListVal(strs(hops...))},
					{Name: "password", Before: cty.NullVal(cty.String), After: cty.StringVal(sensitiveValue)},
				},
				Operations: []providers.Operation{{Service: providers.Exchange, Cmdlet: "New-Thing", Parameters: providers.Params{{Name: "Name", Value: hostile}}}}},
			{Addr: "test_thing.kept", Type: "test_thing", Key: "kept", Action: plan.Update,
				Prior: &providers.LiveObject{Key: "kept", Owner: "ws", Value: thing(nil)},
				Attrs: []plan.AttrChange{
					{Name: "members", Before: cty.SetVal(strs("x", "y", "z")), After: cty.SetVal(strs("x", "y", "w|`@"))},
					{Name: "password", Before: cty.StringVal(sensitiveValue), After: cty.StringVal(sensitiveValue + "2")},
				},
				Operations: []providers.Operation{{Service: providers.Exchange, Cmdlet: "Set-Thing", Parameters: providers.Params{{Name: "Identity", Value: "kept"}, {Name: "Members", Value: providers.AddRemove{Add: []string{"w|`@"}, Remove: []string{"z"}}}}}}},
			{Addr: fmt.Sprintf("test_thing[%q]", hostile), Type: "test_thing", Key: hostile, Action: plan.Delete,
				Prior: &providers.LiveObject{Key: hostile, Owner: "ws", Value: thing(map[string]cty.Value{
					"name": cty.StringVal(hostile), "note": cty.StringVal(hostile), "password": cty.StringVal(sensitiveValue)})},
				Operations: []providers.Operation{{Service: providers.Exchange, Cmdlet: "Remove-Thing", Parameters: providers.Params{{Name: "Identity", Value: hostile}}}}},
		},
		Diagnostics: diag.Diagnostics{{Severity: diag.Warning, Summary: hostile, Detail: "The thing " + hostile + " is odd.\nSecond line.", Address: "test_thing.new",
			Subject: &hcl.Range{Filename: "main.exo.hcl", Start: hcl.Pos{Line: 4, Column: 3}}}},
		Outputs: []schema.OutputValue{
			{Name: "note", Value: cty.StringVal(hostile)},
			{Name: "password", Sensitive: true, Value: cty.StringVal(sensitiveValue)},
		},
	}
}

func renderMarkdown(t *testing.T, m Model, o MarkdownOptions) string {
	t.Helper()
	var b bytes.Buffer
	if err := Markdown(&b, m, o); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// gfm renders Markdown as GitHub does, tables and autolinks included, passing raw HTML through
// so that any HTML the comment lets in shows up.
func gfm(t *testing.T, md string) *html.Node {
	t.Helper()
	var out bytes.Buffer
	conv := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))
	if err := conv.Convert([]byte(md), &out); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(&out)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// mdAllowed are the elements a plan comment may contain.
var mdAllowed = map[string]bool{
	"html": true, "head": true, "body": true, "h3": true, "h4": true, "p": true, "em": true, "strong": true,
	"blockquote": true, "ul": true, "li": true, "table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true,
	"code": true, "pre": true, "details": true, "summary": true,
}

// mentionLike finds what GitHub would turn into a mention, an issue reference or a link in text.
var mentionLike = regexp.MustCompile(`(^|[^\p{L}\p{N}_])[@#][\p{L}\p{N}]|://|(?i)www\.[\p{L}\p{N}]`)

// htmlFacts walks the rendered comment: the elements outside the allowed set, the text outside
// code that could mention or link, the text of every code element, and the number of details.
type htmlFacts struct {
	bad      []string
	mentions []string
	code     []string
	details  int
}

func walkHTML(n *html.Node, inCode bool, f *htmlFacts) {
	switch n.Type {
	case html.ElementNode:
		if !mdAllowed[n.Data] {
			f.bad = append(f.bad, n.Data)
		}
		if n.Data == "details" {
			f.details++
		}
		if n.Data == "code" {
			var b strings.Builder
			textOf(n, &b)
			f.code = append(f.code, b.String())
			inCode = true
		}
	case html.TextNode:
		if !inCode && mentionLike.MatchString(n.Data) {
			f.mentions = append(f.mentions, n.Data)
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walkHTML(c, inCode, f)
	}
}

func textOf(n *html.Node, b *strings.Builder) {
	if n.Type == html.TextNode {
		b.WriteString(n.Data)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		textOf(c, b)
	}
}

// TestMarkdownHostileValues renders values that try to break out of the comment and checks, with
// a GFM renderer, that each stays whole inside its code element and changes nothing around it.
func TestMarkdownHostileValues(t *testing.T) {
	m := NewModel(hostilePlan(), lookup{"test_thing": thingType})
	md := renderMarkdown(t, m, MarkdownOptions{PlanFile: "plan.out"})
	golden.Assert(t, "testdata/hostile.md", md)
	if strings.Contains(md, sensitiveValue) {
		t.Errorf("a sensitive value is in the comment:\n%s", md)
	}
	var f htmlFacts
	walkHTML(gfm(t, md), false, &f)
	if len(f.bad) > 0 {
		t.Errorf("the comment renders elements it must not have: %v", f.bad)
	}
	if len(f.mentions) > 0 {
		t.Errorf("text outside code would mention, reference or link: %q", f.mentions)
	}
	if f.details != 3 {
		t.Errorf("%d collapsible sections, want one per change (3)", f.details)
	}
	clean := mdClean(hostile)
	quoted := plan.Display(cty.StringVal(hostile))
	for _, want := range []string{
		clean,         // the key, in a <summary>
		"new", "kept", // the table's objects
		quoted,                               // note, in a table cell
		`"w|` + "`" + `@"`,                   // the added member of a set
		"main.exo.hcl:4:3", "test_thing.new", // the warning's location
	} {
		found := false
		for _, c := range f.code {
			if c == want {
				found = true
			}
		}
		if !found {
			t.Errorf("no code element holds exactly %q; code elements:\n%s", want, strings.Join(f.code, "\n"))
		}
	}
	var cmds []string
	for _, c := range f.code {
		if strings.HasPrefix(c, "New-Thing") || strings.HasPrefix(c, "Set-Thing") {
			cmds = append(cmds, c)
		}
	}
	if len(cmds) != 2 || !strings.Contains(cmds[0], "'@team </details>") {
		t.Errorf("the commands are not whole in their blocks: %q", cmds)
	}
}

// TestMarkdownLongPlan: a plan of thousands of changes with long values, many warnings and many
// outputs stays a comment GitHub accepts, says what it left out, and still renders cleanly.
func TestMarkdownLongPlan(t *testing.T) {
	long := strings.Repeat("x", 3000)
	pl := &plan.Plan{Workspace: "ws", Tenant: "contoso.onmicrosoft.com"}
	for i := range 4000 {
		c := &plan.Change{Addr: fmt.Sprintf("test_thing.t%04d", i), Type: "test_thing", Key: fmt.Sprintf("T%04d", i), Action: plan.Create}
		pl.Changes = append(pl.Changes, c)
		if i >= 60 {
			// Past what one comment can hold: short changes, so that the test stays fast.
			c.Attrs = []plan.AttrChange{{Name: "note", Before: cty.NullVal(cty.String), After: cty.StringVal("n")}}
			continue
		}
		for j := range 40 {
			c.Attrs = append(c.Attrs, plan.AttrChange{Name: fmt.Sprintf("a%02d", j), Before: cty.NullVal(cty.String), After: cty.StringVal(long)})
		}
		for range 30 {
			c.Operations = append(c.Operations, providers.Operation{Service: providers.Exchange, Cmdlet: "New-Thing", Parameters: providers.Params{{Name: "Name", Value: long}}})
		}
	}
	other := &schema.ResourceType{Name: "test_other", Kind: schema.Owned, Keys: []string{"name"}, Attributes: []*schema.Attribute{{Name: "name", Type: cty.String, Required: true}}}
	for i := range 2000 {
		pl.Changes = append(pl.Changes, &plan.Change{Addr: fmt.Sprintf("test_other[\"o%04d\"]", i), Type: "test_other", Key: fmt.Sprintf("o%04d", i), Action: plan.Delete,
			Prior: &providers.LiveObject{Key: fmt.Sprintf("o%04d", i), Owner: "ws", Value: cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(long)})}})
	}
	for i := range 300 {
		pl.Diagnostics = append(pl.Diagnostics, diag.Diagnostic{Severity: diag.Warning, Summary: fmt.Sprintf("Warning %d", i), Detail: long})
	}
	for i := range 100 {
		pl.Outputs = append(pl.Outputs, schema.OutputValue{Name: fmt.Sprintf("out%03d", i), Value: cty.StringVal(long)})
	}
	m := NewModel(pl, lookup{"test_thing": thingType, "test_other": other})
	md := renderMarkdown(t, m, MarkdownOptions{PlanFile: "nightly.plan"})
	if len(md) > mdBudget || len(md) >= 65536 {
		t.Fatalf("the comment has %d bytes; GitHub takes at most 65,536 characters and the budget is %d", len(md), mdBudget)
	}
	shown := strings.Count(md, "<details>")
	for _, want := range []string{
		"### exoform plan: 4000 to create, 0 to adopt, 0 to update, 2000 to delete",
		"| `test_other` | | | | 2000 | 🗑️ `[\"o0000\"]`, 🗑️ `[\"o0001\"]`, 🗑️ `[\"o0002\"]`, 🗑️ `[\"o0003\"]`, 🗑️ `[\"o0004\"]`, and 1995 more |",
		"| `test_thing` | 4000 | | | |",
		fmt.Sprintf("_%d more changes not shown (the comment has no room for more);_ the plan file has all of them: `exoform show nightly.plan`.", 6000-shown),
		"_Lines ending in … are cut at 1000 characters; `exoform show` prints them whole._",
		"_(2502 more characters)_",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the comment lacks %q", want)
		}
	}
	// Every part that lists rows shows some and counts the rest.
	first := strings.Split(md, "<details>")[1]
	for _, part := range []struct {
		text      string
		row, more *regexp.Regexp
		want      int
	}{
		{md, regexp.MustCompile(`(?m)^> - \*\*Warning \d+\*\*`), regexp.MustCompile(`(?m)^> - _(\d+) more; the plan's text or JSON output lists every one\._$`), 300},
		{md, regexp.MustCompile("(?m)^\\| `out\\d{3}` \\|"), regexp.MustCompile(`(?m)^\| … \| _(\d+) more outputs_ \|$`), 100},
		{first, regexp.MustCompile("(?m)^\\| `a\\d\\d` \\|"), regexp.MustCompile(`(?m)^\| … \| _(\d+) more attributes_ \| \|$`), 40},
		{first, regexp.MustCompile(`(?m)^New-Thing `), regexp.MustCompile(`(?m)^_and (\d+) more commands\._$`), 30},
	} {
		rows := len(part.row.FindAllString(part.text, -1))
		m := part.more.FindStringSubmatch(part.text)
		if rows == 0 || m == nil {
			t.Errorf("%v: %d rows shown, note of the rest %q", part.more, rows, m)
			continue
		}
		if more, _ := strconv.Atoi(m[1]); rows+more != part.want {
			t.Errorf("%v: %d rows shown and %d counted, want %d in all", part.more, rows, more, part.want)
		}
	}
	if shown == 0 || shown > mdMaxChanges {
		t.Errorf("%d changes shown in detail", shown)
	}
	var f htmlFacts
	walkHTML(gfm(t, md), false, &f)
	if f.details != shown || len(f.bad) > 0 {
		t.Errorf("rendered: %d details for %d written, bad elements %v", f.details, shown, f.bad)
	}
}

// TestMarkdownCapsChanges: a plan of short changes shows mdMaxChanges in detail, and says so.
func TestMarkdownCapsChanges(t *testing.T) {
	pl := &plan.Plan{Workspace: "ws", Tenant: "t"}
	for i := range 120 {
		pl.Changes = append(pl.Changes, &plan.Change{Addr: fmt.Sprintf("test_thing.t%03d", i), Type: "test_thing", Key: fmt.Sprintf("T%03d", i), Action: plan.Create,
			Attrs: []plan.AttrChange{{Name: "note", Before: cty.NullVal(cty.String), After: cty.StringVal("n")}}})
	}
	md := renderMarkdown(t, NewModel(pl, lookup{"test_thing": thingType}), MarkdownOptions{})
	if got := strings.Count(md, "<details>"); got != mdMaxChanges {
		t.Errorf("%d changes in detail, want %d", got, mdMaxChanges)
	}
	if want := "_70 more changes not shown (a comment shows 50 at most);_ `exoform plan` shows all of them."; !strings.Contains(md, want) {
		t.Errorf("the comment lacks %q", want)
	}
}

func TestMdSpan(t *testing.T) {
	tests := []struct {
		in   string
		cell bool
		want string
	}{
		{"plain", true, "`plain`"},
		{"a`b", true, "``a`b``"},
		{"`x`", false, "`` `x` ``"},
		{" x ", false, "`  x  `"},
		{"a|b", true, "`a\\|b`"},
		{"a|b", false, "`a|b`"},
		{`a\|b`, true, "`a\\\u200b\\|b`"},
		{`a\\|b`, true, "`a\\\\\\|b`"},
		{"a\nb\tc", false, "`a\\nb\\tc`"},
		{"\u202Eabc", false, "`\\u202Eabc`"},
		{"", true, "_empty_"},
	}
	for _, tc := range tests {
		if got := mdSpan(tc.in, tc.cell); got != tc.want {
			t.Errorf("mdSpan(%q, %v) = %q, want %q", tc.in, tc.cell, got, tc.want)
		}
	}
}

func TestMdText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ask @team or a@b", "ask @\u2060team or a@\u2060b"},
		{"see #12, # 3", "see #\u206012, # 3"},
		{"</details>&amp;", "&lt;/details&gt;&amp;amp;"},
		{"*a* _b_ [l](u) `c` ~d~ $e$ x|y \\", `\*a\* \_b\_ \[l\](u) \` + "`" + `c\` + "`" + ` \~d\~ \$e\$ x\|y \\`},
		{"https://e.example and WWW.e.example", "https:\u2060//e.example and WWW.\u2060e.example"},
	}
	for _, tc := range tests {
		if got := mdText(tc.in); got != tc.want {
			t.Errorf("mdText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMdAttrCells(t *testing.T) {
	var many []string
	for i := range 12 {
		many = append(many, fmt.Sprintf("%q", fmt.Sprintf("e%02d", i)))
	}
	tests := map[string]struct {
		a             AttrView
		before, after string
	}{
		"unset to a value": {AttrView{BeforeText: "null", AfterText: `"x"`}, "_unset_", "`\"x\"`"},
		"a long value is cut": {AttrView{BeforeText: strings.Repeat("y", 550), AfterText: "null"},
			"`" + strings.Repeat("y", 500) + "…` _(50 more characters)_", "_unset_"},
		"a set that keeps elements shows what changes": {
			AttrView{Set: true, BeforeItems: []string{`"a"`, `"b"`, `"c"`}, AfterItems: []string{`"a"`, `"d"`}},
			"− `\"b\"`, − `\"c\"`", "+ `\"d\"` _(1 unchanged)_"},
		"a set replaced whole shows both": {
			AttrView{Set: true, BeforeText: `["a"]`, AfterText: `["b"]`, BeforeItems: []string{`"a"`}, AfterItems: []string{`"b"`}},
			"`[\"a\"]`", "`[\"b\"]`"},
		"a long list is cut": {AttrView{BeforeText: "null", AfterText: "[" + strings.Join(many, ", ") + "]", AfterItems: many},
			"_unset_", "`[" + strings.Join(many[:10], ", ") + ", …]` _(2 more)_"},
		"sensitive": {AttrView{Sensitive: true, BeforeText: "(sensitive)", AfterText: "(sensitive)"}, "_(sensitive)_", "_(sensitive)_"},
	}
	for name, tc := range tests {
		before, after := mdAttrCells(tc.a)
		if diff := cmp.Diff([]string{tc.before, tc.after}, []string{before, after}); diff != "" {
			t.Errorf("%s: mdAttrCells mismatch (-want +got):\n%s", name, diff)
		}
	}
}
