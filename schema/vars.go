package schema

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/exoform/exoform/schema/diag"
)

// VarEnvPrefix is the prefix of environment variables that set input variables.
const VarEnvPrefix = "EXOFORM_VAR_"

// Inputs are the values given to a configuration from outside it. Later sources win:
// defaults, then EXOFORM_VAR_NAME, then --var-file files in order, then --var flags in order.
type Inputs struct {
	Vars     []string // "NAME=VALUE" from --var
	VarFiles []string // paths from --var-file
	Getenv   func(string) string
	// ReadFile reads a var file; nil means os.ReadFile.
	ReadFile func(string) ([]byte, error)
	// Live answers computed attributes and data blocks from the tenant; nil evaluates offline.
	Live Live
}

// sensitiveMark marks values that come from sensitive variables, so they can be refused where
// they would be written in clear text.
type sensitiveMark struct{}

func (cfg *Config) evalVariables(in Inputs) (map[string]cty.Value, diag.Diagnostics) {
	var ds diag.Diagnostics
	type raw struct {
		expr   hcl.Expression // from a var file
		text   string         // from --var or the environment
		source string
	}
	given := map[string]raw{}
	getenv := in.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	for name := range cfg.Variables {
		if v := getenv(VarEnvPrefix + name); v != "" {
			given[name] = raw{text: v, source: "the environment variable " + VarEnvPrefix + name}
		}
	}
	readFile := in.ReadFile
	if readFile == nil {
		readFile = os.ReadFile
	}
	for _, path := range in.VarFiles {
		src, err := readFile(path)
		if err != nil {
			ds.Append(diag.Errorf(nil, "Cannot read a variables file", "%s. Check the --var-file path.", err))
			continue
		}
		// Checked before parsing: nesting deep enough overflows the parser's stack, fatally.
		if ld := CheckLimits(src, path); ld.HasErrors() {
			ds.Append(ld)
			continue
		}
		f, hd := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
		ds.Append(hd)
		if hd.HasErrors() {
			continue
		}
		attrs, hd := f.Body.JustAttributes()
		ds.Append(hd)
		for name, a := range attrs {
			if _, ok := cfg.Variables[name]; !ok {
				r := a.NameRange
				ds.Append(diag.Errorf(&r, "Value for an undeclared variable", "The file sets %q, but no variable block declares it. Declare it with variable %q {} or remove the line.", name, name))
				continue
			}
			given[name] = raw{expr: a.Expr, source: path}
		}
	}
	for _, kv := range in.Vars {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			ds.Append(diag.Errorf(nil, "Invalid --var", "%q is not NAME=VALUE. Write it as --var NAME=VALUE.", kv))
			continue
		}
		if _, ok := cfg.Variables[name]; !ok {
			ds.Append(diag.Errorf(nil, "Value for an undeclared variable", "--var sets %q, but no variable block declares it. Declare it with variable %q {} or drop the flag.", name, name))
			continue
		}
		given[name] = raw{text: value, source: "--var " + name}
	}

	out := map[string]cty.Value{}
	names := make([]string, 0, len(cfg.Variables))
	for n := range cfg.Variables {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		v := cfg.Variables[name]
		ty := cty.DynamicPseudoType
		var def *typeexpr.Defaults
		if v.Type != nil {
			t, d, hd := typeexpr.TypeConstraintWithDefaults(v.Type)
			ds.Append(hd)
			if hd.HasErrors() {
				continue
			}
			ty, def = t, d
		}
		var val cty.Value
		r := v.DeclRange
		switch g, ok := given[name]; {
		case ok && g.expr != nil:
			gv, hd := g.expr.Value(nil)
			ds.Append(hd)
			if hd.HasErrors() {
				continue
			}
			val = gv
		case ok:
			val = cty.StringVal(g.text)
			if ty != cty.String && ty != cty.DynamicPseudoType {
				// Like Terraform, a non-string variable given on the command line is an HCL expression.
				if ld := CheckLimits([]byte(g.text), g.source); ld.HasErrors() {
					ds.Append(diag.Errorf(&r, "Invalid value for variable", "The value %s gives for %q: %s", g.source, name, ld[0].Summary))
					continue
				}
				e, hd := hclsyntax.ParseExpression([]byte(g.text), g.source, hcl.InitialPos)
				if hd.HasErrors() {
					ds.Append(diag.Errorf(&r, "Invalid value for variable", "The value %s gives for %q is not a valid expression of type %s: %s.", g.source, name, ty.FriendlyName(), hd[0].Detail))
					continue
				}
				ev, hd := e.Value(nil)
				if hd.HasErrors() {
					ds.Append(diag.Errorf(&r, "Invalid value for variable", "The value %s gives for %q cannot be evaluated: %s.", g.source, name, hd[0].Detail))
					continue
				}
				val = ev
			}
		case v.Default != nil:
			dv, hd := v.Default.Value(nil)
			ds.Append(hd)
			if hd.HasErrors() {
				continue
			}
			val = dv
		default:
			ds.Append(diag.Errorf(&r, "No value for required variable",
				"The variable %q has no default. Set it with --var %s=VALUE, a --var-file, or the environment variable %s%s.", name, name, VarEnvPrefix, name))
			continue
		}
		if def != nil {
			val = def.Apply(val)
		}
		cv, err := convert.Convert(val, ty)
		if err != nil {
			ds.Append(diag.Errorf(&r, "Invalid value for variable", "The value given for %q does not fit its type %s: %s.", name, ty.FriendlyName(), err))
			continue
		}
		if v.Sensitive {
			cv = cv.Mark(sensitiveMark{})
		}
		out[name] = cv
	}
	if ds.HasErrors() {
		return out, ds
	}
	for _, name := range names {
		ds.Append(cfg.Variables[name].validate(out))
	}
	return out, ds
}

func (v *Variable) validate(vals map[string]cty.Value) diag.Diagnostics {
	var ds diag.Diagnostics
	val, ok := vals[v.Name]
	if !ok {
		return ds
	}
	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{v.Name: val})},
		Functions: Functions(),
	}
	for _, vd := range v.Validations {
		cond, hd := vd.Condition.Value(ctx)
		ds.Append(hd)
		if hd.HasErrors() {
			continue
		}
		cond, _ = cond.Unmark()
		if cond.IsNull() || cond.Type() != cty.Bool {
			r := vd.Condition.Range()
			ds.Append(diag.Errorf(&r, "Invalid validation condition", "The condition must be true or false."))
			continue
		}
		if cond.True() {
			continue
		}
		msg, hd := vd.ErrorMessage.Value(ctx)
		text := fmt.Sprintf("The value of var.%s does not pass its validation rule.", v.Name)
		if !hd.HasErrors() && msg.Type() == cty.String && !msg.IsMarked() && !msg.IsNull() {
			text = msg.AsString()
		}
		r := vd.Condition.Range()
		ds.Append(diag.Errorf(&r, "Invalid value for variable", "%s", text))
	}
	return ds
}
