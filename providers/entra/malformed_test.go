package entra

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
)

// A malformedCase is an answer Microsoft Graph should never give. The client and the resources
// must turn it into an error naming the request (method and path), never a panic, and never an
// empty or zero result, which the planner would take for "no objects" or for a setting that is
// off (design: a read error is never an absence).
type malformedCase struct {
	name   string
	status int
	header map[string]string
	body   string
}

const htmlPage = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"

// notAnswers are bodies that are not an answer to any Graph request.
var notAnswers = []malformedCase{
	{name: "HTML page with 200", status: 200, header: map[string]string{"Content-Type": "text/html"}, body: htmlPage},
	{name: "HTML page with 500", status: 500, header: map[string]string{"Content-Type": "text/html"}, body: htmlPage},
	{name: "HTML page with 502", status: 502, header: map[string]string{"Content-Type": "text/html"}, body: htmlPage},
	{name: "empty body with 200", status: 200, body: ""},
	{name: "whitespace body with 200", status: 200, body: "\r\n "},
	{name: "plain text", status: 200, header: map[string]string{"Content-Type": "text/plain"}, body: "true"},
	{name: "JSON null", status: 200, body: "null"},
	{name: "JSON array", status: 200, body: "[]"},
	{name: "JSON string", status: 200, body: `"ok"`},
	{name: "gzip declared, body plain", status: 200, header: map[string]string{"Content-Encoding": "gzip"}, body: `{"value":[]}`},
	{name: "truncated", status: 200, body: `{"value":[{"id":"1","displayName":"Ap`},
	{name: "nested past the decoder's depth", status: 200, body: `{"value":[` + strings.Repeat("[", 20_000) + strings.Repeat("]", 20_000) + `]}`},
	{name: "NUL bytes", status: 200, body: "\x00\x00\x00"},
}

func malformedServer(t *testing.T, tc malformedCase) *stub {
	return newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		for k, v := range tc.header {
			w.Header().Set(k, v)
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(tc.status)
		io.WriteString(w, tc.body)
	})
}

// checkMalformedErr holds an error to naming the request, and to not reading like a crash.
func checkMalformedErr(t *testing.T, err error, names string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	t.Log(msg) // with -v: what a user would read
	if !strings.Contains(msg, names) {
		t.Errorf("error does not name %s: %s", names, msg)
	}
	for _, bad := range []string{"panic", "goroutine", "runtime error", "struct {", `\u003c`} {
		if strings.Contains(msg, bad) {
			t.Errorf("error reads like a crash (%q): %s", bad, msg)
		}
	}
}

// TestMalformedSecurityDefaults: the security defaults policy is one GET; an answer that is not
// the policy must fail the read rather than read as "off" (the zero bool), which would plan
// turning security defaults on.
func TestMalformedSecurityDefaults(t *testing.T) {
	cases := append([]malformedCase{
		{name: "isEnabled is a string", status: 200, body: `{"id":"00000000-0000-0000-0000-000000000005","isEnabled":"yes"}`},
		{name: "isEnabled is null", status: 200, body: `{"id":"00000000-0000-0000-0000-000000000005","isEnabled":null}`},
		{name: "no isEnabled", status: 200, body: `{"id":"00000000-0000-0000-0000-000000000005"}`},
		{name: "empty object", status: 200, body: `{}`},
		{name: "id is a number", status: 200, body: `{"id":5,"isEnabled":true}`},
	}, notAnswers...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestClient(t, malformedServer(t, tc), func(o *ClientOptions) { o.MaxRetries = 1 })
			objs, err := (&securityDefaults{c: c.Client}).ReadAll(context.Background())
			checkMalformedErr(t, err, "GET "+securityDefaultsPath)
			if objs != nil {
				t.Errorf("objects next to the error: %+v", objs)
			}
		})
	}
}

// TestMalformedDo: Do of a GET that wants an answer fails on a body that holds none (empty,
// null), rather than leaving its out as it was, which its caller would take for an object
// with no properties.
func TestMalformedDo(t *testing.T) {
	for _, tc := range notAnswers {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestClient(t, malformedServer(t, tc), func(o *ClientOptions) { o.MaxRetries = 1 })
			var out struct {
				ID string `json:"id"`
			}
			err := c.Do(context.Background(), "GET", "/applications/1?$select=id", nil, &out)
			checkMalformedErr(t, err, "GET /applications/1")
		})
	}
	// A write's empty answer is an answer: PATCH and DELETE answer 204 with no body.
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	c := newTestClient(t, s, nil)
	var out map[string]any
	if err := c.Do(context.Background(), "PATCH", "/applications/1", map[string]string{"notes": "x"}, &out); err != nil {
		t.Errorf("PATCH answered 200 with no body: %v", err)
	}
}

// TestMalformedList: List (the data source's filtered read) refuses pages that are not
// collections, and the data source refuses items that are not service principals.
func TestMalformedList(t *testing.T) {
	cases := append([]malformedCase{
		{name: "no value", status: 200, body: `{"@odata.context":"x"}`},
		{name: "value is null", status: 200, body: `{"value":null}`},
		{name: "value is an object", status: 200, body: `{"value":{"id":"1"}}`},
		{name: "value is a string", status: 200, body: `{"value":"x"}`},
		{name: "items are numbers", status: 200, body: `{"value":[1]}`},
		{name: "appRoles is a string", status: 200, body: `{"value":[{"id":"1","appId":"00000003-0000-0000-c000-000000000000","appRoles":"Mail.Send"}]}`},
		{name: "nextLink is a number", status: 200, body: `{"value":[],"@odata.nextLink":5}`},
		{name: "item is null", status: 200, body: `{"value":[null]}`},
		{name: "item without an id", status: 200, body: `{"value":[{"appId":"00000003-0000-0000-c000-000000000000","displayName":"Microsoft Graph"}]}`},
	}, notAnswers...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestClient(t, malformedServer(t, tc), func(o *ClientOptions) { o.MaxRetries = 1 })
			q := cty.ObjectVal(map[string]cty.Value{"app_id": cty.StringVal("00000003-0000-0000-c000-000000000000"), "display_name": cty.NullVal(cty.String)})
			_, err := (&servicePrincipalData{c: c.Client}).Query(context.Background(), q)
			checkMalformedErr(t, err, "GET /servicePrincipals")
		})
	}
}

// listingServer answers the $batch listing of applications, service principals and grants,
// the applications' sub-response with apps; the others, and every other collection, empty.
func listingServer(t *testing.T, apps string) *stub {
	st, _ := batchStub(t, func(id, url string, attempt int) string {
		if strings.HasPrefix(url, "/applications?") {
			return fmt.Sprintf(`{"id":%q,%s}`, id, apps)
		}
		return fmt.Sprintf(`{"id":%q,"status":200,"body":{"value":[]}}`, id)
	})
	return st
}

// TestMalformedListing: the applications listing goes through $batch; a sub-response or an
// item that is not what Graph sends fails the read with an error naming the listing, never
// reads as fewer applications (the planner would create the missing ones again).
func TestMalformedListing(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer string // the applications sub-response after its id: "status":…,"body":…
	}{
		{name: "no value", answer: `"status":200,"body":{}`},
		{name: "value is null", answer: `"status":200,"body":{"value":null}`},
		{name: "value is an object", answer: `"status":200,"body":{"value":{"id":"1"}}`},
		{name: "no body", answer: `"status":200`},
		{name: "body is null", answer: `"status":200,"body":null`},
		{name: "body is an HTML string", answer: `"status":200,"body":` + jsonString(htmlPage)},
		{name: "body is an HTML string with 500", answer: `"status":500,"body":` + jsonString(htmlPage)},
		{name: "status is missing", answer: `"body":{"value":[]}`},
		{name: "id is a number", answer: `"status":200,"body":{"value":[{"id":5,"appId":"a","displayName":"App"}]}`},
		{name: "displayName is a list", answer: `"status":200,"body":{"value":[{"id":"1","appId":"a","displayName":["App"]}]}`},
		{name: "tags is a string", answer: `"status":200,"body":{"value":[{"id":"1","appId":"a","displayName":"App","tags":"x"}]}`},
		{name: "requiredResourceAccess is an object", answer: `"status":200,"body":{"value":[{"id":"1","appId":"a","displayName":"App","requiredResourceAccess":{}}]}`},
		{name: "item is a number", answer: `"status":200,"body":{"value":[1]}`},
		{name: "item is null", answer: `"status":200,"body":{"value":[null]}`},
		{name: "item is empty", answer: `"status":200,"body":{"value":[{}]}`},
		{name: "item without an id", answer: `"status":200,"body":{"value":[{"appId":"11111111-1111-1111-1111-111111111111","displayName":"App"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestClient(t, listingServer(t, tc.answer), func(o *ClientOptions) { o.MaxRetries = 1 })
			reg := providers.NewRegistry()
			NewProvider(c.Client).Register(reg)
			res, _ := reg.Resource(ApplicationType.Name)
			objs, err := res.ReadAll(context.Background())
			checkMalformedErr(t, err, "/applications")
			if objs != nil {
				t.Errorf("objects next to the error: %+v", objs)
			}
		})
	}
}

// TestMalformedBatchEnvelope: a $batch answer that is not one fails the listing with an error
// naming the $batch request.
func TestMalformedBatchEnvelope(t *testing.T) {
	cases := append([]malformedCase{
		{name: "no responses", status: 200, body: `{}`},
		{name: "responses is null", status: 200, body: `{"responses":null}`},
		{name: "responses is an object", status: 200, body: `{"responses":{"id":"1"}}`},
		{name: "responses are strings", status: 200, body: `{"responses":["1"]}`},
		{name: "answers other ids", status: 200, body: `{"responses":[{"id":"99","status":200,"body":{"value":[]}}]}`},
		{name: "answers with nulls", status: 200, body: `{"responses":[null,null,null]}`},
		{name: "status is a string", status: 200, body: `{"responses":[{"id":"1","status":"200","body":{"value":[]}}]}`},
	}, notAnswers...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestClient(t, malformedServer(t, tc), func(o *ClientOptions) { o.MaxRetries = 1 })
			reg := providers.NewRegistry()
			NewProvider(c.Client).Register(reg)
			res, _ := reg.Resource(ApplicationType.Name)
			objs, err := res.ReadAll(context.Background())
			checkMalformedErr(t, err, "POST /$batch")
			if objs != nil {
				t.Errorf("objects next to the error: %+v", objs)
			}
		})
	}
}

func jsonString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestMalformedMessages: what a malformed answer's error says is in JSON's terms, not Go's,
// and a gateway page is shown as a page.
func TestMalformedMessages(t *testing.T) {
	type policy struct {
		ID        string `json:"id"`
		IsEnabled *bool  `json:"isEnabled"`
	}
	type page struct {
		Value *[]json.RawMessage `json:"value"`
	}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"a bool for an object", decodeJSON([]byte(`true`), &policy{}), "the response is a JSON bool, not an object"},
		{"an array for an object", decodeJSON([]byte(`[]`), &policy{}), "the response is a JSON array, not an object"},
		{"a string for true or false", decodeJSON([]byte(`{"isEnabled":"yes"}`), &policy{}), `field "isEnabled" is a JSON string, not true or false`},
		{"an object for an array", decodeJSON([]byte(`{"value":{}}`), &page{}), `field "value" is a JSON object, not an array`},
		{"a number for a string", decodeJSON([]byte(`{"id":5}`), &policy{}), `field "id" is a JSON number, not a string`},
		{"not JSON", decodeJSON([]byte(`<html>`), &policy{}), "the response is not valid JSON"},
		{"an HTML page as a JSON string", parseError("GET", "/applications", 500, nil, []byte(jsonString(htmlPage)), ""),
			"the response was not a Graph error (HTTP 500, a JSON string): <!DOCTYPE html>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == nil {
				t.Fatal("no error")
			}
			msg := tc.err.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q, want it to contain %q", msg, tc.want)
			}
			for _, goism := range []string{"struct {", "json.RawMessage", "*bool", `\u003c`} {
				if strings.Contains(msg, goism) {
					t.Errorf("error %q shows %q", msg, goism)
				}
			}
		})
	}
}
