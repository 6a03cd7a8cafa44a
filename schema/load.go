package schema

import (
	"bytes"
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/exoform/exoform/schema/diag"
)

// FileSuffix is the ending of configuration files.
const FileSuffix = ".exo.hcl"

var topSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "exoform"},
		{Type: "tenant"},
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "resource", LabelNames: []string{"type", "name"}},
		{Type: "data", LabelNames: []string{"type", "name"}},
		{Type: "output", LabelNames: []string{"name"}},
	},
}

var resourceMetaSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "for_each"}, {Name: "depends_on"}, {Name: "count"}, {Name: "provider"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "lifecycle"}},
}

var nameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// WorkspaceRe is what a workspace name may look like; it is written into ownership markers.
var WorkspaceRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ConfigFiles lists the configuration files of a directory, sorted.
func ConfigFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), FileSuffix) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	return out, nil
}

// otherHCL names the files of dir that look like configuration but are not read (main.hcl,
// main.tf), as a clause for the "no configuration files" diagnostic: the usual cause is a
// file named without the .exo part.
func otherHCL(dir string) string {
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		if !e.IsDir() && (strings.HasSuffix(e.Name(), ".hcl") || strings.HasSuffix(e.Name(), ".tf")) {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return ""
	}
	if len(names) > 3 {
		names = append(names[:3], "...")
	}
	return fmt.Sprintf(" (it holds %s, but exoform reads only files named *%s)", strings.Join(names, ", "), FileSuffix)
}

// LoadDir parses every *.exo.hcl file in dir. File names in diagnostics are relative to dir.
func LoadDir(dir string) (*Config, diag.Diagnostics) {
	var ds diag.Diagnostics
	paths, err := ConfigFiles(dir)
	if err != nil {
		ds.Append(diag.Errorf(nil, "Cannot read the configuration directory", "%s. Run exoform in a directory holding *%s files, or pass --chdir.", err, FileSuffix))
		return nil, ds
	}
	if len(paths) == 0 {
		ds.Append(diag.Errorf(nil, "No configuration files", "The directory %s holds no *%s files%s. Create one (see examples/quickstart) or pass --chdir DIR.", dir, FileSuffix, otherHCL(dir)))
		return nil, ds
	}
	srcs := make(map[string][]byte, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			ds.Append(diag.Errorf(nil, "Cannot read a configuration file", "%s.", err))
			continue
		}
		srcs[filepath.Base(p)] = b
	}
	if ds.HasErrors() {
		return nil, ds
	}
	cfg, more := LoadSources(srcs)
	ds.Append(more)
	if cfg != nil {
		cfg.Dir = dir
	}
	return cfg, ds
}

// LoadSources parses configuration from named sources (file name to bytes).
func LoadSources(srcs map[string][]byte) (*Config, diag.Diagnostics) {
	var ds diag.Diagnostics
	cfg := &Config{
		Files:     map[string]*hcl.File{},
		Sources:   srcs,
		Variables: map[string]*Variable{},
		Locals:    map[string]*Local{},
	}
	names := make([]string, 0, len(srcs))
	for n := range srcs {
		names = append(names, n)
	}
	sort.Strings(names)
	p := hclparse.NewParser()
	var exoformBlocks []*hcl.Block
	refused := false // a file was not parsed: its exoform block may be the one missing
	for _, name := range names {
		// The parser recurses once per nesting level: a file nested deeply enough (a few
		// hundred kilobytes of brackets) would overflow the stack, which no recover catches.
		if nd := checkEncoding(srcs[name], name); nd.HasErrors() {
			ds.Append(nd)
			refused = true
			continue
		}
		if nd := CheckLimits(srcs[name], name); nd.HasErrors() {
			ds.Append(nd)
			refused = true
			continue
		}
		f, hd := p.ParseHCL(srcs[name], name)
		ds.Append(hd)
		if f == nil {
			continue
		}
		if !hd.HasErrors() {
			ds.Append(duplicateKeys(f.Body))
		}
		cfg.Files[name] = f
		content, hd := f.Body.Content(topSchema)
		ds.Append(hd)
		for _, b := range content.Blocks {
			switch b.Type {
			case "exoform":
				exoformBlocks = append(exoformBlocks, b)
			case "tenant":
				ds.Append(cfg.decodeTenant(b))
			case "variable":
				ds.Append(cfg.decodeVariable(b))
			case "locals":
				ds.Append(cfg.decodeLocals(b))
			case "resource", "data":
				ds.Append(cfg.decodeResource(b))
			case "output":
				ds.Append(cfg.decodeOutput(b))
			}
		}
	}
	if len(exoformBlocks) > 0 || !refused {
		ds.Append(cfg.decodeExoform(exoformBlocks, names))
	}
	ds.Sort()
	return cfg, ds
}

func (cfg *Config) decodeExoform(blocks []*hcl.Block, files []string) diag.Diagnostics {
	var ds diag.Diagnostics
	if len(blocks) == 0 {
		if len(files) > 0 {
			r := hcl.Range{Filename: files[0], Start: hcl.InitialPos, End: hcl.InitialPos}
			ds.Append(diag.Errorf(&r, "Missing exoform block",
				"Every configuration needs one block `exoform { workspace = \"NAME\" }`. The workspace name is written into the objects exoform creates, so that it deletes only what it created."))
		}
		return ds
	}
	for _, b := range blocks[1:] {
		r := b.DefRange
		ds.Append(diag.Errorf(&r, "Duplicate exoform block", "The exoform block is already declared at %s. Keep one.", blocks[0].DefRange))
	}
	b := blocks[0]
	content, hd := b.Body.Content(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "workspace", Required: true}, {Name: "max_deletes"}}})
	ds.Append(hd)
	if attr, ok := content.Attributes["max_deletes"]; ok {
		ds.Append(cfg.decodeMaxDeletes(attr))
	}
	attr, ok := content.Attributes["workspace"]
	if !ok {
		return ds
	}
	v, hd := attr.Expr.Value(nil)
	ds.Append(hd)
	r := attr.Expr.Range()
	cfg.WorkspaceRange = r
	if hd.HasErrors() {
		return ds
	}
	if v.IsNull() || v.Type().FriendlyName() != "string" || !WorkspaceRe.MatchString(v.AsString()) {
		ds.Append(diag.Errorf(&r, "Invalid workspace name",
			"The workspace must be a literal string of 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (for example \"contoso-mail\"). It is written into the ownership marker of every object exoform creates."))
		return ds
	}
	cfg.Workspace = v.AsString()
	return ds
}

// decodeMaxDeletes reads max_deletes: a literal whole number, 0 or more. Literal, like the
// workspace, because it guards the plan and must not depend on variables a run can change.
func (cfg *Config) decodeMaxDeletes(attr *hcl.Attribute) diag.Diagnostics {
	var ds diag.Diagnostics
	r := attr.Expr.Range()
	cfg.MaxDeletesRange = r
	v, hd := attr.Expr.Value(nil)
	if hd.HasErrors() || v.IsNull() || !v.IsKnown() || v.Type() != cty.Number {
		ds.Append(diag.Errorf(&r, "Invalid max_deletes",
			"max_deletes must be a literal whole number, 0 or more: the most objects a plan may delete without --allow-deletes (for example max_deletes = 25)."))
		return ds
	}
	bf := v.AsBigFloat()
	n, acc := bf.Int64()
	if !bf.IsInt() || acc != big.Exact || n < 0 || n > math.MaxInt32 {
		ds.Append(diag.Errorf(&r, "Invalid max_deletes",
			"max_deletes must be a whole number from 0 to %d: the most objects a plan may delete without --allow-deletes.", math.MaxInt32))
		return ds
	}
	m := int(n)
	cfg.MaxDeletes = &m
	return ds
}

func (cfg *Config) decodeTenant(b *hcl.Block) diag.Diagnostics {
	var ds diag.Diagnostics
	if cfg.Tenant != nil {
		r := b.DefRange
		ds.Append(diag.Errorf(&r, "Duplicate tenant block", "The tenant is already declared at %s. Keep one.", cfg.Tenant.DeclRange))
		return ds
	}
	content, hd := b.Body.Content(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "id", Required: true}}})
	ds.Append(hd)
	if a, ok := content.Attributes["id"]; ok {
		cfg.Tenant = &TenantBlock{ID: a.Expr, DeclRange: b.DefRange}
	}
	return ds
}

func (cfg *Config) decodeVariable(b *hcl.Block) diag.Diagnostics {
	var ds diag.Diagnostics
	name := b.Labels[0]
	r := b.DefRange
	if !nameRe.MatchString(name) {
		ds.Append(diag.Errorf(&r, "Invalid variable name", "%q is not a valid name: use letters, digits, '_' and '-', starting with a letter or '_'.", name))
		return ds
	}
	if prev, ok := cfg.Variables[name]; ok {
		ds.Append(diag.Errorf(&r, "Duplicate variable", "The variable %q is already declared at %s. Rename or remove one of them.", name, prev.DeclRange))
		return ds
	}
	content, hd := b.Body.Content(&hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "type"}, {Name: "default"}, {Name: "description"}, {Name: "sensitive"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "validation"}},
	})
	ds.Append(hd)
	v := &Variable{Name: name, DeclRange: b.DefRange}
	if a, ok := content.Attributes["type"]; ok {
		v.Type = a.Expr
	}
	if a, ok := content.Attributes["default"]; ok {
		v.Default = a.Expr
	}
	if a, ok := content.Attributes["description"]; ok {
		ds.Append(literalString(a, &v.Description))
	}
	if a, ok := content.Attributes["sensitive"]; ok {
		ds.Append(literalBool(a, &v.Sensitive))
	}
	for _, vb := range content.Blocks {
		vc, hd := vb.Body.Content(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{
			{Name: "condition", Required: true}, {Name: "error_message", Required: true}}})
		ds.Append(hd)
		if hd.HasErrors() {
			continue
		}
		v.Validations = append(v.Validations, &Validation{
			Condition: vc.Attributes["condition"].Expr, ErrorMessage: vc.Attributes["error_message"].Expr, DeclRange: vb.DefRange})
	}
	cfg.Variables[name] = v
	return ds
}

func (cfg *Config) decodeLocals(b *hcl.Block) diag.Diagnostics {
	var ds diag.Diagnostics
	attrs, hd := b.Body.JustAttributes()
	ds.Append(hd)
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a := attrs[n]
		if _, ok := cfg.Locals[n]; ok {
			r := a.NameRange
			ds.Append(diag.Errorf(&r, "Duplicate local value", "local.%s is already defined. Rename or remove one of them.", n))
			continue
		}
		cfg.Locals[n] = &Local{Name: n, Expr: a.Expr}
	}
	return ds
}

func (cfg *Config) decodeOutput(b *hcl.Block) diag.Diagnostics {
	var ds diag.Diagnostics
	name := b.Labels[0]
	r := b.DefRange
	if !nameRe.MatchString(name) {
		ds.Append(diag.Errorf(&r, "Invalid output name", "%q is not a valid name: use letters, digits, '_' and '-', starting with a letter or '_'.", name))
		return ds
	}
	if o, ok := cfg.outputs[name]; ok {
		ds.Append(diag.Errorf(&r, "Duplicate output", "The output %q is already declared at %s. Rename or remove one of them.", name, o.DeclRange))
		return ds
	}
	content, hd := b.Body.Content(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "value", Required: true}, {Name: "description"}, {Name: "sensitive"}}})
	ds.Append(hd)
	a, ok := content.Attributes["value"]
	if !ok {
		return ds
	}
	o := &Output{Name: name, Expr: a.Expr, DeclRange: b.DefRange}
	if d, ok := content.Attributes["description"]; ok {
		ds.Append(literalString(d, &o.Description))
	}
	if s, ok := content.Attributes["sensitive"]; ok {
		ds.Append(literalBool(s, &o.Sensitive))
	}
	cfg.Outputs = append(cfg.Outputs, o)
	if cfg.outputs == nil {
		cfg.outputs = map[string]*Output{}
	}
	cfg.outputs[name] = o
	return ds
}

func (cfg *Config) decodeResource(b *hcl.Block) diag.Diagnostics {
	var ds diag.Diagnostics
	res := &Resource{Type: b.Labels[0], Name: b.Labels[1], Data: b.Type == "data", DeclRange: b.DefRange, TypeRange: b.LabelRanges[0]}
	if !nameRe.MatchString(res.Name) {
		r := b.LabelRanges[1]
		ds.Append(diag.Errorf(&r, "Invalid resource name", "%q is not a valid name: use letters, digits, '_' and '-', starting with a letter or '_'.", res.Name))
		return ds
	}
	if cfg.declared == nil {
		// Found by address, not by scanning: a configuration may declare ten thousand.
		cfg.declared = map[string]*Resource{}
		for _, r := range cfg.Resources {
			cfg.declared[r.Addr()] = r
		}
	}
	if other, ok := cfg.declared[res.Addr()]; ok {
		r := b.DefRange
		ds.Append(diag.Errorf(&r, "Duplicate resource", "%s is already declared at %s. Each resource needs its own name.", res.Addr(), other.DeclRange))
		return ds
	}
	content, remain, hd := b.Body.PartialContent(resourceMetaSchema)
	ds.Append(hd)
	res.Body = remain
	if a, ok := content.Attributes["for_each"]; ok {
		res.ForEach = a.Expr
		if res.Data {
			r := a.NameRange
			ds.Append(diag.Errorf(&r, "for_each is not supported on data blocks", "A data block looks up one object. Write one data block per object."))
		}
	}
	for _, name := range []string{"count", "provider"} {
		if a, ok := content.Attributes[name]; ok {
			r := a.NameRange
			ds.Append(diag.Errorf(&r, fmt.Sprintf("%q is not supported", name), "exoform resources take for_each (a map or set of strings) instead of count, and have no provider argument: the tenant block selects the tenant."))
		}
	}
	if a, ok := content.Attributes["depends_on"]; ok {
		exprs, hd := hcl.ExprList(a.Expr)
		ds.Append(hd)
		for _, e := range exprs {
			tr, hd := hcl.AbsTraversalForExpr(e)
			ds.Append(hd)
			if !hd.HasErrors() {
				res.DependsOn = append(res.DependsOn, tr)
			}
		}
	}
	for i, lb := range content.Blocks {
		if res.Data {
			r := lb.DefRange
			ds.Append(diag.Errorf(&r, "lifecycle is not supported on data blocks", "A data block only reads the tenant; remove the lifecycle block."))
			continue
		}
		if i > 0 {
			r := lb.DefRange
			ds.Append(diag.Errorf(&r, "Duplicate lifecycle block", "A resource takes one lifecycle block."))
			continue
		}
		ds.Append(res.decodeLifecycle(lb))
	}
	cfg.Resources = append(cfg.Resources, res)
	cfg.declared[res.Addr()] = res
	return ds
}

func (res *Resource) decodeLifecycle(b *hcl.Block) diag.Diagnostics {
	var ds diag.Diagnostics
	content, hd := b.Body.Content(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "prevent_destroy"}, {Name: "ignore_changes"}, {Name: "allow_destroy"}}})
	ds.Append(hd)
	if a, ok := content.Attributes["prevent_destroy"]; ok {
		ds.Append(literalBool(a, &res.Lifecycle.PreventDestroy))
	}
	if a, ok := content.Attributes["ignore_changes"]; ok {
		exprs, hd := hcl.ExprList(a.Expr)
		ds.Append(hd)
		res.Lifecycle.IgnoreChangesRange = map[string]hcl.Range{}
		for _, e := range exprs {
			tr, hd := hcl.AbsTraversalForExpr(e)
			if hd.HasErrors() || len(tr) != 1 {
				r := e.Range()
				ds.Append(diag.Errorf(&r, "Invalid ignore_changes entry", "List attribute names without quotes, for example ignore_changes = [comment, enabled]."))
				continue
			}
			name := tr.RootName()
			res.Lifecycle.IgnoreChanges = append(res.Lifecycle.IgnoreChanges, name)
			res.Lifecycle.IgnoreChangesRange[name] = e.Range()
		}
	}
	if a, ok := content.Attributes["allow_destroy"]; ok {
		ds.Append(literalBool(a, &res.Lifecycle.AllowDestroy))
		res.Lifecycle.AllowDestroyRange = a.NameRange
	}
	return ds
}

func literalString(a *hcl.Attribute, dst *string) diag.Diagnostics {
	var ds diag.Diagnostics
	v, hd := a.Expr.Value(nil)
	ds.Append(hd)
	if hd.HasErrors() {
		return ds
	}
	if v.IsNull() || v.Type().FriendlyName() != "string" {
		r := a.Expr.Range()
		ds.Append(diag.Errorf(&r, "Invalid value", "%s must be a literal string.", a.Name))
		return ds
	}
	*dst = v.AsString()
	return ds
}

func literalBool(a *hcl.Attribute, dst *bool) diag.Diagnostics {
	var ds diag.Diagnostics
	v, hd := a.Expr.Value(nil)
	ds.Append(hd)
	if hd.HasErrors() {
		return ds
	}
	if v.IsNull() || v.Type().FriendlyName() != "bool" {
		r := a.Expr.Range()
		ds.Append(diag.Errorf(&r, "Invalid value", "%s must be true or false.", a.Name))
		return ds
	}
	*dst = v.True()
	return ds
}

// checkEncoding refuses a file that is not UTF-8 text with one diagnostic at the first bad
// byte. The parser would report the byte too, but then go on to read the rest as broken
// syntax: a UTF-16 file (what Windows PowerShell's > writes) gave fifty errors, and a
// Windows-1252 "ü" an unterminated string. A NUL byte is valid UTF-8 but never text.
func checkEncoding(src []byte, filename string) diag.Diagnostics {
	var ds diag.Diagnostics
	at := func(off int) *hcl.Range {
		line, start := 1, 0
		for i, b := range src[:off] {
			if b == '\n' {
				line, start = line+1, i+1
			}
		}
		p := hcl.Pos{Line: line, Column: utf8.RuneCount(src[start:off]) + 1, Byte: off}
		end := p
		end.Column, end.Byte = p.Column+1, off+1
		return &hcl.Range{Filename: filename, Start: p, End: end}
	}
	utf16 := len(src) >= 2 && (bytes.HasPrefix(src, []byte{0xff, 0xfe}) || bytes.HasPrefix(src, []byte{0xfe, 0xff}) ||
		(src[0] == 0) != (src[1] == 0))
	if utf16 {
		ds.Append(diag.Errorf(at(0), "File is not UTF-8",
			"The file looks UTF-16 encoded; exoform reads UTF-8 only. Save it as UTF-8 in your editor (Windows PowerShell's > and Out-File write UTF-16: use Set-Content -Encoding utf8 or PowerShell 7)."))
		return ds
	}
	if utf8.Valid(src) && bytes.IndexByte(src, 0) < 0 {
		return ds
	}
	for off := 0; off < len(src); {
		r, n := utf8.DecodeRune(src[off:])
		switch {
		case r == utf8.RuneError && n == 1:
			ds.Append(diag.Errorf(at(off), "Invalid character encoding",
				"The byte 0x%02X here is not UTF-8; the file may have been saved as Windows-1252 or Latin-1. Save it as UTF-8 in your editor.", src[off]))
			return ds
		case r == 0:
			ds.Append(diag.Errorf(at(off), "Invalid character",
				"The file holds a NUL byte here, which no configuration text contains: the file may be damaged or not a text file. Remove the byte, or write \\u0000 in a string if it is meant."))
			return ds
		}
		off += n
	}
	return ds
}

// MaxNesting bounds how deeply a file's blocks and expressions may nest. Written configurations
// nest a handful of levels; the bound is far above that and far below the depth at which the
// parser or the evaluator, which recurse once per level, would overflow the stack.
const MaxNesting = 1000

// maxLiteralCost bounds the pieces times the bytes of one run of literal text in a string or
// heredoc (a piece is a heredoc line, or the text between two escapes such as $${). The parser
// joins the pieces one at a time, copying the text so far each time: a 100,000-line heredoc
// took minutes. 1 GiB of copying is about a second; 3,000 lines of 100 characters stay under.
const maxLiteralCost = 1 << 30

// CheckLimits refuses source the parser could not read in bounded stack and time, before it
// reads it: nesting deeper than MaxNesting, and strings or heredocs of more pieces than
// maxLiteralCost allows. It reads the tokens, which the lexer produces without recursion, and
// counts what makes the parser recurse: brackets, braces, parentheses, quotes, heredocs,
// template sequences and directives, and operators, whose chains the parser and the evaluator
// also walk one level per operator. Commas, '=' and the newlines between a body's items start
// a sibling, which does not nest. The count is conservative: it may count a level the parser
// does not recurse into, never the reverse.
func CheckLimits(src []byte, filename string) diag.Diagnostics {
	var ds diag.Diagnostics
	toks, _ := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	type level struct {
		open    hclsyntax.TokenType // the opening token; directive for an if or for body
		outer   int                 // the depth before the opener, restored by its closer
		base    int                 // the depth of the level's own items
		keyword string              // for a template sequence: the directive it starts
	}
	const directive = hclsyntax.TokenType('D')
	var stack []level
	depth := 0
	top := func() *level {
		if len(stack) == 0 {
			return nil
		}
		return &stack[len(stack)-1]
	}
	push := func(t hclsyntax.TokenType) {
		stack = append(stack, level{open: t, outer: depth, base: depth + 1})
		depth++
	}
	// pop closes the innermost level if it was opened by one of opens; a stray closer is a
	// syntax error the parser reports, and leaves the count as it is.
	pop := func(opens ...hclsyntax.TokenType) *level {
		l := top()
		if l == nil {
			return nil
		}
		for _, o := range opens {
			if l.open == o {
				stack = stack[:len(stack)-1]
				depth = l.outer
				return l
			}
		}
		return nil
	}
	var pieces, size int // of the current run of literal text
	for i, tok := range toks {
		if tok.Type != hclsyntax.TokenQuotedLit && tok.Type != hclsyntax.TokenStringLit {
			pieces, size = 0, 0
		}
		switch tok.Type {
		case hclsyntax.TokenOBrace, hclsyntax.TokenOBrack, hclsyntax.TokenOParen, hclsyntax.TokenOQuote,
			hclsyntax.TokenOHeredoc, hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl:
			push(tok.Type)
		case hclsyntax.TokenCBrace:
			pop(hclsyntax.TokenOBrace)
		case hclsyntax.TokenCBrack:
			pop(hclsyntax.TokenOBrack)
		case hclsyntax.TokenCParen:
			pop(hclsyntax.TokenOParen)
		case hclsyntax.TokenCQuote:
			pop(hclsyntax.TokenOQuote)
		case hclsyntax.TokenCHeredoc:
			pop(hclsyntax.TokenOHeredoc)
		case hclsyntax.TokenTemplateSeqEnd:
			seq := pop(hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl)
			if seq == nil {
				break
			}
			// An if or for directive's body nests until its end directive.
			switch seq.keyword {
			case "if", "for":
				push(directive)
			case "endif", "endfor":
				pop(directive)
			}
		case hclsyntax.TokenIdent:
			if l := top(); l != nil && l.open == hclsyntax.TokenTemplateControl && l.keyword == "" && toks[i-1].Type == hclsyntax.TokenTemplateControl {
				l.keyword = string(tok.Bytes)
			}
		case hclsyntax.TokenComma, hclsyntax.TokenEqual:
			if l := top(); l != nil {
				depth = l.base
			} else {
				depth = 0
			}
		case hclsyntax.TokenNewline:
			// Inside brackets and parentheses a newline continues the expression.
			if l := top(); l == nil {
				depth = 0
			} else if l.open == hclsyntax.TokenOBrace {
				depth = l.base
			}
		case hclsyntax.TokenPlus, hclsyntax.TokenMinus, hclsyntax.TokenStar, hclsyntax.TokenSlash, hclsyntax.TokenPercent,
			hclsyntax.TokenEqualOp, hclsyntax.TokenNotEqual, hclsyntax.TokenLessThan, hclsyntax.TokenLessThanEq,
			hclsyntax.TokenGreaterThan, hclsyntax.TokenGreaterThanEq, hclsyntax.TokenAnd, hclsyntax.TokenOr,
			hclsyntax.TokenBang, hclsyntax.TokenQuestion, hclsyntax.TokenColon, hclsyntax.TokenFatArrow:
			depth++
		case hclsyntax.TokenQuotedLit, hclsyntax.TokenStringLit:
			pieces, size = pieces+1, size+len(tok.Bytes)
			if pieces*size > maxLiteralCost {
				r := tok.Range
				ds.Append(diag.Errorf(&r, "String too long",
					"This string or heredoc runs to %d lines or escapes and %d bytes by here, more than exoform reads in one piece. "+
						"Split it into several locals and join them with join(\"\", [...]), or check for a missing closing quote or heredoc marker.", pieces, size))
				return ds
			}
		}
		if depth > MaxNesting {
			r := tok.Range
			ds.Append(diag.Errorf(&r, "Configuration nested too deeply",
				"The blocks and expressions here nest more than %d levels deep (brackets, braces, parentheses, quotes, templates and chained operators each count). "+
					"Split the expression with locals, or check for a missing closing bracket.", MaxNesting))
			return ds
		}
	}
	return ds
}

// duplicateKeys reports an object constructor that sets one key twice ({ a = 1, a = 2 }): the
// language keeps the last value without a word, which would silently drop a for_each element
// or a setting. Only keys known without evaluation are compared; a computed key that repeats
// is left to evaluation.
func duplicateKeys(body hcl.Body) diag.Diagnostics {
	var ds diag.Diagnostics
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		return ds
	}
	_ = hclsyntax.VisitAll(sb, func(n hclsyntax.Node) hcl.Diagnostics {
		obj, ok := n.(*hclsyntax.ObjectConsExpr)
		if !ok || len(obj.Items) < 2 {
			return nil
		}
		seen := make(map[string]hcl.Range, len(obj.Items))
		for _, item := range obj.Items {
			key, ok := staticKey(item.KeyExpr)
			if !ok {
				continue
			}
			r := item.KeyExpr.Range()
			if prev, dup := seen[key]; dup {
				ds.Append(diag.Errorf(&r, "Duplicate key in object",
					"The key %q is already set at %s; the later value would silently replace the earlier one. Remove or rename one of them.", key, prev))
				continue
			}
			seen[key] = r
		}
		return nil
	})
	return ds
}

// staticKey is an object key's string when it is known without evaluation: a bare name, a
// literal, or an expression of literals.
func staticKey(e hclsyntax.Expression) (string, bool) {
	if len(e.Variables()) > 0 {
		return "", false
	}
	v, hd := e.Value(nil)
	if hd.HasErrors() || !v.IsWhollyKnown() || v.IsNull() {
		return "", false
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil || s.IsNull() {
		return "", false
	}
	return s.AsString(), true
}
