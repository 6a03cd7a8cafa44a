package cli_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/exoform/exoform/internal/docgen"
	"github.com/exoform/exoform/internal/golden"
	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/providers/entra"
	"github.com/exoform/exoform/providers/exchange"
)

// TestResourceDocs keeps docs/resources/<type>.md, docs/data-sources/<type>.md and
// docs/schema.json equal to what the schemas, the types' calls and the examples say, and
// refuses a page of a type that no longer exists; run with -update after changing any of them.
func TestResourceDocs(t *testing.T) {
	reg := providers.NewRegistry()
	exchange.NewProvider(nil).Register(reg)
	entra.NewProvider(nil).Register(reg)
	ref, err := docgen.Build(reg)
	if err != nil {
		t.Fatal(err)
	}
	docs := filepath.Join("..", "..", "..", "docs")
	for dir, types := range map[string][]*docgen.Type{"resources": ref.Resources, "data-sources": ref.DataSources} {
		var pages []string
		for _, ty := range types {
			pages = append(pages, ty.Name+".md")
			golden.Assert(t, filepath.Join(docs, dir, ty.Name+".md"), docgen.Markdown(ty))
		}
		entries, err := os.ReadDir(filepath.Join(docs, dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".md") && !slices.Contains(pages, e.Name()) {
				t.Errorf("docs/%s/%s documents a type exoform does not have: remove it", dir, e.Name())
			}
		}
	}
	js, err := docgen.JSON(ref)
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join(docs, "schema.json"), string(js))
}
