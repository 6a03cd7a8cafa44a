package exchange

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// decodePageWhole is decodePage as it was before it streamed "value": the whole envelope
// decoded at once. The streaming decoder must agree with it on every body.
func decodePageWhole(body string) (*pageResult, error) {
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		return nil, err
	}
	if top == nil {
		return nil, errNotObject
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the object")
	}
	return pageOf(top)
}

var pageBodies = []string{
	`{"value":[{"Name":"a","Size":12345678901234567890},{"Name":"b","X@odata.type":"t"}],"@odata.nextLink":"https://n"}`,
	`{"@adminapi.warnings":["w1"],"value":[]}`,
	`{"value":{"Name":"single"}}`,
	`{"value":"scalar"}`,
	`{"value":null}`,
	`{"value":[1,"two",null,[3]]}`,
	`{"value":[{"a":1}],"value":[{"b":2}]}`,
	`{ "value" :
	  [ {"a":1} , {"b":[{"c":"d"}]} ] , "@adminapi.errors":"e" }`,
	`{}`,
	`null`,
	`[]`,
	`"text"`,
	`{"value":[{"a":1}]} trailing`,
	`{"value":[{"a":1},]}`,
	`{"value":[{"a":1}`,
	`<html>Service Unavailable</html>`,
	``,
	`{"@odata.nextLink":5}`,
}

func TestDecodePageAgreesWithWholeDecode(t *testing.T) {
	for _, body := range pageBodies {
		checkDecodePage(t, body)
	}
}

// TestDecodePageStreamsAcrossReads feeds the body a byte at a time, so that the decoder's
// buffer ends at every possible place (the look-ahead for '[' included).
func TestDecodePageStreamsAcrossReads(t *testing.T) {
	for _, body := range pageBodies {
		want, wantErr := decodePageWhole(body)
		got, err := decodePage(iotest.OneByteReader(strings.NewReader(body)))
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("%q: one byte at a time: error %v, whole decode's %v", body, err, wantErr)
		}
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(pageResult{})); err == nil && diff != "" {
			t.Errorf("%q: one byte at a time (-whole +streamed):\n%s", body, diff)
		}
	}
}

func checkDecodePage(t *testing.T, body string) {
	t.Helper()
	want, wantErr := decodePageWhole(body)
	got, err := decodePage(strings.NewReader(body))
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("%q: error %v, whole decode's %v", body, err, wantErr)
	}
	if err != nil {
		return
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(pageResult{})); diff != "" {
		t.Errorf("%q (-whole +streamed):\n%s", body, diff)
	}
}

func FuzzDecodePage(f *testing.F) {
	for _, b := range pageBodies {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body string) {
		checkDecodePage(t, body)
	})
}
