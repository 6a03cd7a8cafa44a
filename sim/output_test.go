package sim

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestObject_MarshalOutput holds the direct encoder to encoding/json's bytes,
// which clients and golden files see.
func TestObject_MarshalOutput(t *testing.T) {
	var b objBuilder
	b.val("Plain", "user00001@contoso.com")
	b.val("Escaped", "a \"quote\", a \\ and <b>&</b>\n\ttab")
	b.val("Unicode", "Kundenservice München – Projekt\u2028")
	b.val("Invalid", "bad \xff byte")
	b.val("Null", nil)
	b.str("NullString", nil)
	b.strs("Empty", nil)
	b.strs("List", []string{"SMTP:a@contoso.com", "smtp:b@contoso.com"})
	b.val("True", true)
	b.val("Int", 42)
	b.val("Map", map[string]string{"k": "v"})
	b.guid("Guid", "0f0e0d0c-0b0a-0908-0706-050403020100")
	b.date("When", time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	b.val("Nested", []object{{{"A", 1}}, {}})
	b.val("NilObjects", []object(nil))
	env := object{{"value", []object{b.o}}, {"@adminapi.warnings", []string{}}}

	got, err := marshalOutput(env)
	if err != nil {
		t.Fatalf("marshalOutput() = %v", err)
	}
	want, err := json.Marshal(env)
	if err != nil {
		t.Fatalf("json.Marshal() = %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("marshalOutput() mismatch with encoding/json (-want +got):\n%s", diff)
	}
}
