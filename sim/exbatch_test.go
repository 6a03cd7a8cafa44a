package sim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// batchURL is the Exchange $batch endpoint of the client's tenant.
func (c *simClient) batchURL() string {
	return c.cloud.ExchangeURL + "/adminapi/beta/" + c.tenant + "/$batch"
}

// batch posts an Exchange $batch body (wire-formats A10).
func (c *simClient) batch(body any) result {
	c.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, c.batchURL(), bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.bearer)
	resp, err := c.http.Do(req)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, header: resp.Header, body: out, err: err}
}

// batchItem is one CIPP-shaped sub-request: an absolute InvokeCommand url
// and the A10 headers.
func (c *simClient) batchItem(id, u, cmdlet string, params map[string]any, hdr map[string]string) map[string]any {
	if params == nil {
		params = map[string]any{}
	}
	h := map[string]string{
		"X-AnchorMailbox": "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@" + c.cloud.TenantID,
		"X-CmdletName":    cmdlet,
		"Accept":          "application/json; odata.metadata=minimal",
	}
	for k, v := range hdr {
		h[k] = v
	}
	return map[string]any{"id": id, "method": "POST", "url": u,
		"body": map[string]any{"CmdletInput": map[string]any{"CmdletName": cmdlet, "Parameters": params}}, "headers": h}
}

type batchResponse struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

func decodeBatch(t *testing.T, r result) map[string]batchResponse {
	t.Helper()
	if r.err != nil || r.status != http.StatusOK {
		t.Fatalf("$batch: status %d, err %v, body %s", r.status, r.err, r.body)
	}
	var resp struct {
		Responses []batchResponse `json:"responses"`
	}
	if err := json.Unmarshal(r.body, &resp); err != nil {
		t.Fatalf("decoding $batch response %s: %v", r.body, err)
	}
	out := map[string]batchResponse{}
	for _, it := range resp.Responses {
		out[it.ID] = it
	}
	return out
}

// TestExBatch_Items runs items of every kind in one batch and checks each
// answer against what InvokeCommand answers for the same call.
func TestExBatch_Items(t *testing.T) {
	s := startSim(t, Options{})
	c := newClient(t, s)
	u := c.invokeURL()
	tests := []struct {
		id         string
		item       map[string]any
		wantStatus int
		wantExc    string // exception type in error.details, for failures
		wantNames  []string
		wantNext   bool
	}{
		{"get", c.batchItem("get", u, "Get-Mailbox", map[string]any{"Identity": "adele"}, nil), 200, "", []string{"Adele Vance"}, false},
		{"select", c.batchItem("select", u+"?$select=Name", "Get-CASMailbox", map[string]any{"Filter": "Alias -like 'a*'"}, nil), 200, "", []string{"Adele Vance", "Alex Wilber"}, false},
		{"paged", c.batchItem("paged", u, "Get-Mailbox", nil, map[string]string{"Prefer": "odata.maxpagesize=2"}), 200, "", []string{"Adele Vance", "Alex Wilber"}, true},
		{"missing", c.batchItem("missing", u, "Get-Mailbox", map[string]any{"Identity": "nobody"}, nil), 404, excNotFound, nil, false},
		{"bad parameter", c.batchItem("bad parameter", u, "Get-Mailbox", map[string]any{"Bogus": 1}, nil), 400, excParameter, nil, false},
		{"write", c.batchItem("write", u, "Set-CASMailbox", map[string]any{"Identity": "alexw", "PopEnabled": false}, nil), 200, "", nil, false},
		{"unknown cmdlet", c.batchItem("unknown cmdlet", u, "Get-NoSuchThing", nil, nil), 403, excAccessDenied, nil, false},
		{"other tenant", c.batchItem("other tenant", strings.Replace(u, c.tenant, "fabrikam.onmicrosoft.com", 1), "Get-Mailbox", nil, nil), 400, excInvalidRequest, nil, false},
		{"relative url", c.batchItem("relative url", "/adminapi/beta/"+c.tenant+"/InvokeCommand", "Get-Mailbox", map[string]any{"Identity": "info"}, nil), 200, "", []string{"Info"}, false},
		{"no body", map[string]any{"id": "no body", "method": "POST", "url": u}, 400, excInvalidRequest, nil, false},
	}
	var items []any
	for _, tt := range tests {
		items = append(items, tt.item)
	}
	got := decodeBatch(t, c.batch(map[string]any{"requests": items}))
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			it, ok := got[tt.id]
			if !ok {
				t.Fatalf("no response for item %q", tt.id)
			}
			if it.Status != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", it.Status, tt.wantStatus, it.Body)
			}
			if tt.wantExc != "" {
				if _, exc, _ := exceptionOf(t, it.Body); exc != tt.wantExc {
					t.Errorf("exception = %s, want %s", exc, tt.wantExc)
				}
				return
			}
			e := decodeEnvelope(t, it.Body)
			if diff := cmp.Diff(tt.wantNames, names(e.Value)); tt.wantNames != nil && diff != "" {
				t.Errorf("value mismatch (-want +got):\n%s", diff)
			}
			if e.Context == "" || e.Warnings == nil {
				t.Errorf("body lacks the InvokeCommand envelope: %s", it.Body)
			}
			if (e.NextLink != "") != tt.wantNext {
				t.Errorf("nextLink = %q, want one: %v", e.NextLink, tt.wantNext)
			}
		})
	}
	if v := c.mustInvoke("Get-CASMailbox", map[string]any{"Identity": "alexw"}).Value[0]["PopEnabled"]; v != false {
		t.Errorf("PopEnabled after the batched Set = %v, want false", v)
	}
	if got := s.Stats().Requests["Get-Mailbox"]; got != 5 {
		t.Errorf("Stats().Requests[Get-Mailbox] = %d, want 5 (one per item that ran)", got)
	}
}

// TestExBatch_NextLink follows a batched read's nextLinks, in later batches
// and as plain InvokeCommand, and gets every mailbox once.
func TestExBatch_NextLink(t *testing.T) {
	c := newClient(t, startSim(t, Options{}))
	params := map[string]any{"ResultSize": "Unlimited"}
	prefer := map[string]string{"Prefer": "odata.maxpagesize=2"}
	var seen []string
	u := c.invokeURL()
	for round := 0; u != ""; round++ {
		var e envelope
		if round%2 == 0 {
			it := decodeBatch(t, c.batch(map[string]any{"requests": []any{c.batchItem("1", u, "Get-Mailbox", params, prefer)}}))["1"]
			if it.Status != 200 {
				t.Fatalf("round %d: item status %d %s", round, it.Status, it.Body)
			}
			e = decodeEnvelope(t, it.Body)
		} else {
			r := c.post(u, "Get-Mailbox", params, http.Header{"Prefer": {"odata.maxpagesize=2"}})
			if r.status != 200 {
				t.Fatalf("round %d: %d %s", round, r.status, r.body)
			}
			e = decodeEnvelope(t, r.body)
		}
		seen = append(seen, names(e.Value)...)
		u = e.NextLink
	}
	want := []string{"Adele Vance", "Alex Wilber", "Info", "Megan Bowen", "Support"}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("mailboxes over the pages mismatch (-want +got):\n%s", diff)
	}
}

// TestExBatch_Refused: a batch breaking the rules is refused whole.
func TestExBatch_Refused(t *testing.T) {
	c := newClient(t, startSim(t, Options{}))
	u := c.invokeURL()
	eleven := []any{}
	for i := range 11 {
		eleven = append(eleven, c.batchItem(string(rune('a'+i)), u, "Get-Mailbox", nil, nil))
	}
	tests := []struct {
		name     string
		body     any
		wantText string
	}{
		{"eleven items", map[string]any{"requests": eleven}, "at most 10"},
		{"no items", map[string]any{"requests": []any{}}, "no requests"},
		{"duplicate ids", map[string]any{"requests": []any{c.batchItem("x", u, "Get-Mailbox", nil, nil), c.batchItem("X", u, "Get-Mailbox", nil, nil)}}, "not unique"},
		{"missing id", map[string]any{"requests": []any{c.batchItem("", u, "Get-Mailbox", nil, nil)}}, "missing"},
		{"GET item", map[string]any{"requests": []any{map[string]any{"id": "1", "method": "GET", "url": u}}}, "take POST"},
		{"not a batch", []int{1, 2}, "must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.batch(tt.body)
			if r.status != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400; body %s", r.status, r.body)
			}
			if _, _, detail := exceptionOf(t, r.body); !strings.Contains(detail, tt.wantText) {
				t.Errorf("error %q does not contain %q", detail, tt.wantText)
			}
		})
	}
	t.Run("bad token", func(t *testing.T) {
		cl := *c
		cl.bearer = "abc.def.ghi"
		if r := cl.batch(map[string]any{"requests": []any{c.batchItem("1", u, "Get-Mailbox", nil, nil)}}); r.status != http.StatusUnauthorized {
			t.Errorf("status = %d, want 401", r.status)
		}
	})
}

// TestExBatch_RBACAndFaults: RBAC is checked per cmdlet, and faults hit
// items one by one with the status kinds only.
func TestExBatch_RBACAndFaults(t *testing.T) {
	s := startSim(t, Options{Faults: "429:100%:Get-CASMailbox,reset:100%:Get-Recipient"})
	c := newClient(t, s)
	u := c.invokeURL()
	var key []byte
	var tid string
	s.store.read(func(st *state) error {
		key, _ = base64.StdEncoding.DecodeString(st.TokenSigningKey)
		tid = st.Tenant.ID
		return nil
	})
	now := time.Now()
	reader, err := signJWT(key, &tokenClaims{Aud: exchangeResource, TID: tid, AppID: "5b0f3c61-8a2e-4d7b-9c14-6e2f1a8d3b70",
		Roles: []string{roleManageAsApp}, WIDs: []string{widGlobalReader}, Iat: now.Unix(), Nbf: now.Unix(), Exp: now.Add(time.Hour).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	cl := *c
	cl.bearer = reader
	got := decodeBatch(t, cl.batch(map[string]any{"requests": []any{
		c.batchItem("read", u, "Get-Mailbox", map[string]any{"Identity": "adele"}, nil),
		c.batchItem("write", u, "Set-CASMailbox", map[string]any{"Identity": "adele", "PopEnabled": false}, nil),
		c.batchItem("throttled", u, "Get-CASMailbox", nil, nil),
		c.batchItem("reset ignored", u, "Get-Recipient", map[string]any{"Identity": "adele"}, nil),
	}}))
	status := map[string]int{}
	for id, it := range got {
		status[id] = it.Status
	}
	want := map[string]int{"read": 200, "write": 403, "throttled": 429, "reset ignored": 200}
	if diff := cmp.Diff(want, status); diff != "" {
		t.Errorf("item statuses mismatch (-want +got):\n%s", diff)
	}
	if th := got["throttled"]; th.Headers["Retry-After"] == "" || !strings.Contains(string(th.Body), "maximum number of concurrent requests") {
		t.Errorf("throttled item lacks Retry-After or the throttling text: %+v %s", th.Headers, th.Body)
	}
}
