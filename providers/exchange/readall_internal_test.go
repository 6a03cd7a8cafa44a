package exchange

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// A list that comes with non-terminating errors may be incomplete: reading it must fail, never
// look like a tenant without connectors.
func TestReadAllRefusesPartialLists(t *testing.T) {
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"value":[],"@adminapi.errors":["The object couldn't be read."]}`)
	})
	c, _, _ := newTestClient(t, s, nil)
	objs, err := (&inboundConnector{c: c}).ReadAll(context.Background())
	if err == nil || !strings.Contains(err.Error(), "may be incomplete") {
		t.Fatalf("got %d objects, err %v", len(objs), err)
	}
}
