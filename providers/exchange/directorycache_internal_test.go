package exchange

import (
	"testing"

	"github.com/exoform/exoform/providers"
)

// TestDirectoryCache: one directory per bulk read, rebuilt for another read.
func TestDirectoryCache(t *testing.T) {
	a := []providers.LiveObject{{Key: "alice@contoso.com"}}
	b := []providers.LiveObject{{Key: "bob@contoso.com"}}
	var c directoryCache
	d1 := c.get(a)
	if d1["alice@contoso.com"] == nil {
		t.Fatalf("alice not in %v", d1)
	}
	if d2 := c.get(a); d2["alice@contoso.com"] != d1["alice@contoso.com"] {
		t.Error("the same read built a second directory")
	}
	if d3 := c.get(b); d3["bob@contoso.com"] == nil || d3["alice@contoso.com"] != nil {
		t.Errorf("another read got the first read's directory: %v", d3)
	}
	if d4 := c.get(nil); len(d4) != 0 {
		t.Errorf("no mailboxes: %v", d4)
	}
}
