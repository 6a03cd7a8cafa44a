package schema

import (
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"

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

// LoadDir parses every *.exo.hcl file in dir. File names in diagnostics are relative to dir.
func LoadDir(dir string) (*Config, diag.Diagnostics) {
	var ds diag.Diagnostics
	paths, err := ConfigFiles(dir)
	if err != nil {
		ds.Append(diag.Errorf(nil, "Cannot read the configuration directory", "%s. Run exoform in a directory holding *%s files, or pass --chdir.", err, FileSuffix))
		return nil, ds
	}
	if len(paths) == 0 {
		ds.Append(diag.Errorf(nil, "No configuration files", "The directory %s holds no *%s files. Create one (see examples/quickstart) or pass --chdir DIR.", dir, FileSuffix))
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
	for _, name := range names {
		f, hd := p.ParseHCL(srcs[name], name)
		ds.Append(hd)
		if f == nil {
			continue
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
	ds.Append(cfg.decodeExoform(exoformBlocks, names))
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
	for _, o := range cfg.Outputs {
		if o.Name == name {
			ds.Append(diag.Errorf(&r, "Duplicate output", "The output %q is already declared at %s. Rename or remove one of them.", name, o.DeclRange))
			return ds
		}
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
