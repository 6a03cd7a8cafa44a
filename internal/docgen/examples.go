package docgen

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/exoform/exoform/examples"
)

// ownExamples are examples of the types that no scenario in examples/ uses. Each file is a
// whole configuration, which the tests load and evaluate with the real schema.
//
//go:embed examples/*.exo.hcl
var ownExamples embed.FS

// exampleFile is one parsed example configuration.
type exampleFile struct {
	source string // relative to the repository's root
	file   *hclwrite.File
}

// exampleSet holds the example files in order of preference: the scenarios in examples/ (kept
// valid, planned and applied by their own tests), then docgen's own.
type exampleSet []exampleFile

func loadExamples() (exampleSet, error) {
	var set exampleSet
	for _, src := range []struct {
		fsys   fs.FS
		glob   string
		prefix string
	}{
		{examples.FS, "*/*.exo.hcl", "examples/"},
		{ownExamples, "examples/*.exo.hcl", "internal/docgen/"},
	} {
		names, err := fs.Glob(src.fsys, src.glob) // sorted
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			b, err := fs.ReadFile(src.fsys, name)
			if err != nil {
				return nil, err
			}
			source := src.prefix + name
			f, ds := hclwrite.ParseConfig(b, path.Base(name), hcl.InitialPos)
			if ds.HasErrors() {
				return nil, fmt.Errorf("docgen: %s: %s", source, ds.Error())
			}
			set = append(set, exampleFile{source: source, file: f})
		}
	}
	return set, nil
}

// find returns the first block of a type ("resource" or "data" and the type's name), with the
// comment lines right above it, formatted by hclwrite; nil when no example has one.
func (s exampleSet) find(blockType, name string) *Example {
	for _, f := range s {
		for _, b := range f.file.Body().Blocks() {
			if l := b.Labels(); b.Type() == blockType && len(l) > 0 && l[0] == name {
				text := strings.TrimSpace(string(hclwrite.Format(b.BuildTokens(nil).Bytes())))
				return &Example{Source: f.source, HCL: text + "\n"}
			}
		}
	}
	return nil
}
