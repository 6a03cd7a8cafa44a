package cli_test

import (
	"path/filepath"
	"testing"

	"github.com/exoform/exoform/internal/docgen"
	"github.com/exoform/exoform/internal/golden"
	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/providers/entra"
	"github.com/exoform/exoform/providers/exchange"
)

// TestResourceDocs keeps docs/resources/<type>.md equal to what the schemas say; run with
// -update after changing a schema.
func TestResourceDocs(t *testing.T) {
	reg := providers.NewRegistry()
	exchange.NewProvider(nil).Register(reg)
	entra.NewProvider(nil).Register(reg)
	for _, name := range reg.ResourceTypeNames() {
		rt, _ := reg.ResourceType(name)
		golden.Assert(t, filepath.Join("..", "..", "..", "docs", "resources", name+".md"), docgen.Resource(rt))
	}
	for _, name := range reg.DataSourceTypeNames() {
		rt, _ := reg.DataSourceType(name)
		golden.Assert(t, filepath.Join("..", "..", "..", "docs", "data-sources", name+".md"), docgen.DataSource(rt))
	}
}
