package sim

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestInvoke_ResponseShape(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	r := c.invoke("Get-InboundConnector", nil)
	if r.status != http.StatusOK {
		t.Fatalf("Get-InboundConnector = %d %s", r.status, r.body)
	}
	wantHeaders := map[string]string{
		"Content-Type":  "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
		"Odata-Version": "4.0",
	}
	for k, v := range wantHeaders {
		if got := r.header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	if _, ok := parseGUID(r.header.Get("Request-Id")); !ok {
		t.Errorf("Request-Id = %q, want a GUID", r.header.Get("Request-Id"))
	}
	// The envelope keys come in Exchange's order.
	wantPrefix := `{"@odata.context":"` + c.cloud.ExchangeURL + "/adminapi/beta/" + c.tenant + `/$metadata#Collection(Exchange.GenericHashTable)","adminapi.warnings@odata.type":"#Collection(String)","@adminapi.warnings":[],"value":[`
	if !strings.HasPrefix(string(r.body), wantPrefix) {
		t.Errorf("body starts %.200s, want %s", r.body, wantPrefix)
	}
	// The initial domain works in the path too.
	c.tenant = strings.ToUpper(c.cloud.TenantDomain)
	c.mustInvoke("Get-InboundConnector", nil)
}

func TestInvoke_Auth(t *testing.T) {
	clk := &fakeClock{t: time.Now()}
	s := startSim(t, Options{now: clk.Now})
	c := newClient(t, s)
	graphToken := c.token(c.cloud.GraphScope)
	other := startSim(t, Options{Tenant: "fabrikam.onmicrosoft.com"})
	otherToken := newClient(t, other).bearer
	tests := []struct {
		name       string
		tenant     string
		bearer     string
		wantStatus int
	}{
		{"no token", c.cloud.TenantID, "", 401},
		{"garbage", c.cloud.TenantID, "abc.def.ghi", 401},
		{"graph audience", c.cloud.TenantID, graphToken, 401},
		{"token of another sim", c.cloud.TenantID, otherToken, 401},
		{"other tenant in path", "fabrikam.onmicrosoft.com", c.bearer, 403},
		{"ok", c.cloud.TenantID, c.bearer, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl := *c
			cl.tenant, cl.bearer = tt.tenant, tt.bearer
			r := cl.invoke("Get-InboundConnector", nil)
			if r.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", r.status, tt.wantStatus, r.body)
			}
			if tt.wantStatus != 200 {
				exceptionOf(t, r.body) // must be Exchange-shaped
			}
		})
	}
	t.Run("expired", func(t *testing.T) {
		clk.Advance(time.Hour + 6*time.Minute)
		if r := c.invoke("Get-InboundConnector", nil); r.status != http.StatusUnauthorized || !strings.Contains(string(r.body), "expired") {
			t.Errorf("expired token: %d %s, want 401 expired", r.status, r.body)
		}
	})
}

func TestInvoke_UnknownCmdlet(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	// Ask for gzip ourselves so net/http hands over the raw bytes.
	r := c.post(c.invokeURL(), "Get-NoSuchThing", nil, http.Header{"Accept-Encoding": {"gzip"}})
	if r.status != http.StatusForbidden || r.header.Get("Content-Encoding") != "gzip" || len(r.body) == 0 || strings.Trim(string(r.body), "\x00") != "" {
		t.Errorf("unknown cmdlet: %d %v %q, want 403 with a gzip-labelled NUL body", r.status, r.header, r.body)
	}
	// A client that lets net/http decompress sees a read error, as with Exchange.
	r = c.invoke("Get-NoSuchThing", nil)
	if r.err == nil && r.status == http.StatusForbidden && len(r.body) > 0 {
		t.Errorf("unknown cmdlet via transparent gzip: body %q read without error", r.body)
	}
	if got := s.Stats().Requests["Get-NoSuchThing"]; got != 2 {
		t.Errorf("Stats().Requests[Get-NoSuchThing] = %d, want 2", got)
	}
}

func TestInvoke_Paging(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	for i := range 3 {
		c.mustInvoke("New-InboundConnector", map[string]any{"Name": fmt.Sprintf("Paged %d", i), "SenderDomains": []string{"contoso.com"}})
	}
	want := []string{"Legacy scanner relay", "Paged 0", "Paged 1", "Paged 2", "Partner fabrikam TLS"}

	hdr := http.Header{"Prefer": {"odata.maxpagesize=1"}}
	var got []string
	u := c.invokeURL()
	for pages := 0; u != ""; pages++ {
		if pages > 10 {
			t.Fatal("nextLink never ends")
		}
		r := c.post(u, "Get-InboundConnector", nil, hdr)
		if r.status != http.StatusOK {
			t.Fatalf("page %d: %d %s", pages, r.status, r.body)
		}
		if r.header.Get("Preference-Applied") != "odata.maxpagesize=1" {
			t.Errorf("Preference-Applied = %q", r.header.Get("Preference-Applied"))
		}
		e := decodeEnvelope(t, r.body)
		if len(e.Value) != 1 {
			t.Fatalf("page %d has %d objects, want 1", pages, len(e.Value))
		}
		got = append(got, names(e.Value)...)
		if e.NextLink != "" && !strings.HasPrefix(e.NextLink, c.invokeURL()+"?") {
			t.Fatalf("nextLink %q is not an absolute link to InvokeCommand", e.NextLink)
		}
		u = e.NextLink
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("paged names mismatch (-want +got):\n%s", diff)
	}
	if n := s.Stats().Requests["Get-InboundConnector"]; n != 5 {
		t.Errorf("requests = %d, want one per page (5)", n)
	}

	// Without Prefer everything fits one page; ResultSize cuts with a warning.
	if e := c.mustInvoke("Get-InboundConnector", nil); len(e.Value) != 5 || e.NextLink != "" {
		t.Errorf("unpaged Get = %d objects, nextLink %q", len(e.Value), e.NextLink)
	}
	e := c.mustInvoke("Get-InboundConnector", map[string]any{"ResultSize": 2})
	if diff := cmp.Diff(want[:2], names(e.Value)); diff != "" || len(e.Warnings) != 1 {
		t.Errorf("ResultSize 2: names diff %s, warnings %q", diff, e.Warnings)
	}
	if e := c.mustInvoke("Get-InboundConnector", map[string]any{"ResultSize": "unlimited"}); len(e.Value) != 5 {
		t.Errorf("ResultSize Unlimited = %d objects, want 5", len(e.Value))
	}

	// A skiptoken from another cmdlet's link is refused.
	r := c.post(c.invokeURL()+"?$skiptoken=garbage", "Get-InboundConnector", nil, nil)
	if r.status != http.StatusBadRequest {
		t.Errorf("bad skiptoken: %d, want 400", r.status)
	}
}

func TestInvoke_Select(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	r := c.post(c.invokeURL()+"?$select=Name,Guid", "Get-InboundConnector", nil, nil)
	e := decodeEnvelope(t, r.body)
	for _, o := range e.Value {
		var keys []string
		for k := range o {
			keys = append(keys, k)
		}
		if len(o) != 4 || o["Name"] == nil || o["Guid"] == nil {
			t.Errorf("$select=Name,Guid gave keys %v", keys)
		}
	}
}

func TestInvoke_MethodAndRoutes(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	resp, err := c.http.Get(c.invokeURL())
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET InvokeCommand = %d, want 405", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, c.invokeURL(), strings.NewReader(`{"CmdletInput":`))
	req.Header.Set("Authorization", "Bearer "+c.bearer)
	resp, err = c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if code, _, _ := exceptionOf(t, body); resp.StatusCode != http.StatusBadRequest || code != "BadRequest" {
		t.Errorf("malformed body = %d %s, want 400 BadRequest", resp.StatusCode, body)
	}
	resp, err = c.http.Get(c.cloud.GraphURL + "/v1.0/applications")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET graph without a token = %d, want 401", resp.StatusCode)
	}
}
