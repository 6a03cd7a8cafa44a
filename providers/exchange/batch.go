package exchange

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/providers/internal/wire"
)

// MaxBatchItems is the most sub-requests the client puts in one Exchange $batch (wire-formats
// A10). Microsoft documents no number; CIPP, which exercises the real service, sends 10, and
// the simulated tenant's realistic profile allows 10.
const MaxBatchItems = 10

// BatchItem is one read cmdlet sent inside a $batch.
type BatchItem struct {
	Cmdlet string
	Params providers.Params
}

// BatchResult is the outcome of one BatchItem: its output across all pages, or its error,
// classified like Invoke's (IsNotFound, IsThrottled, ...).
type BatchResult struct {
	Result *Result
	Err    error
}

// batchState is one item's progress across rounds.
type batchState struct {
	cmdlet       string
	body         json.RawMessage // the InvokeCommand body, re-sent for every page
	link         string          // the URL of its next sub-request
	seen         map[string]bool
	res          *Result
	retries      int // throttled or failed attempts repeated
	serverErrors int
	err          error
}

// InvokeBatch runs read cmdlets (Get-*, Test-*) through the Exchange $batch endpoint, at most
// MaxBatchItems to a request, the requests concurrently within the client's limit (a $batch
// takes one slot). It returns one BatchResult per item, in order.
//
// Each item is handled as Invoke handles a cmdlet: its @odata.nextLink pages are followed (as
// sub-requests of later batches, each re-sending the item's body to the link), throttled items
// (429, 503, the concurrency refusal) are sent again after their Retry-After or a backoff, a
// 500 without an exception type is repeated twice, and any other error is the item's Err,
// mapped like an InvokeCommand error, so a mailbox Exchange does not find stays IsNotFound.
//
// The call's error is for the $batch requests themselves (after the client's retries) or ctx:
// then some items may have no outcome, and the caller must take the whole read as failed.
func (c *Client) InvokeBatch(ctx context.Context, items []BatchItem) ([]BatchResult, error) {
	if len(items) == 0 {
		return nil, nil
	}
	tenant, err := c.TenantGUID(ctx)
	if err != nil {
		return nil, fmt.Errorf("$batch: %w", err)
	}
	states := make([]*batchState, len(items))
	for i, it := range items {
		if !cmdletRE.MatchString(it.Cmdlet) {
			return nil, fmt.Errorf("exchange $batch: %q is not a cmdlet name (Verb-Noun)", it.Cmdlet)
		}
		if !IsReadCmdlet(it.Cmdlet) {
			// A sub-request answered unreadably cannot be repeated safely when it writes; the
			// client batches reads only.
			return nil, fmt.Errorf("exchange $batch: %s is not a read cmdlet; only Get- and Test- cmdlets are batched", it.Cmdlet)
		}
		body, err := requestBody(it.Cmdlet, it.Params)
		if err != nil {
			return nil, fmt.Errorf("%s: encoding parameters: %w", it.Cmdlet, err)
		}
		states[i] = &batchState{cmdlet: it.Cmdlet, body: body, link: c.invokeURL(tenant),
			seen: map[string]bool{}, res: &Result{Objects: []map[string]any{}}}
	}
	pending := make([]int, len(items))
	for i := range pending {
		pending[i] = i
	}
	for round := 1; len(pending) > 0; round++ {
		var mu sync.Mutex
		var again []int
		var wait time.Duration
		mustWait, hasWait := false, false
		g, gctx := errgroup.WithContext(ctx)
		for start := 0; start < len(pending); start += MaxBatchItems {
			chunk := pending[start:min(start+MaxBatchItems, len(pending))]
			g.Go(func() error {
				answers, err := c.sendBatch(gctx, tenant, states, chunk)
				if err != nil {
					return err
				}
				mu.Lock()
				defer mu.Unlock()
				for _, i := range chunk {
					st := states[i]
					o := c.batchOutcome(st, answers[strconv.Itoa(i)])
					switch {
					case o.retry:
						again = append(again, i)
						if o.wait {
							mustWait = true
							if o.hasAfter {
								wait, hasWait = max(wait, o.after), true
							}
						}
					case o.next:
						again = append(again, i)
					}
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
		slices.Sort(again)
		pending = again
		if !mustWait {
			continue
		}
		if !hasWait {
			wait = wire.Backoff(round)
		}
		wait = min(wait, wire.MaxRetryAfter)
		c.total.wait.Add(int64(wait))
		c.counters(batchName).wait.Add(int64(wait))
		c.logf("exchange: $batch: sub-requests refused; round %d, retry in %s", round, wait.Round(time.Millisecond))
		if err := c.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("$batch: stopped retrying throttled sub-requests: %w", err)
		}
	}
	out := make([]BatchResult, len(states))
	for i, st := range states {
		if st.err != nil {
			out[i] = BatchResult{Err: st.err}
		} else {
			out[i] = BatchResult{Result: st.res}
		}
	}
	return out, nil
}

// batchName keys the counters of $batch requests.
const batchName = "$batch"

// batchOutcome says what to do next with an item after an answer.
type batchOutcomeKind struct {
	retry bool // send the item again in the next round
	wait  bool // ... after a wait: after when hasAfter (Retry-After), else a backoff
	after time.Duration
	next  bool // a nextLink page follows
	// hasAfter reports that after came from the service.
	hasAfter bool
}

// batchOutcome applies one sub-response to its item: a page is added to the result, an error
// recorded, or the item marked for another round.
func (c *Client) batchOutcome(st *batchState, a *batchAnswer) batchOutcomeKind {
	cc := c.counters(st.cmdlet)
	if a == nil {
		st.err = fmt.Errorf("%s: the $batch answer has no response for this request", st.cmdlet)
		return batchOutcomeKind{}
	}
	status := a.Status
	body := []byte(a.Body)
	if status == 0 {
		status = statusOfBody(body)
	}
	if status >= 200 && status < 300 {
		var p *pageResult
		var err error
		if len(bytes.TrimSpace(body)) == 0 || bytes.Equal(bytes.TrimSpace(body), []byte("null")) {
			p = &pageResult{}
		} else {
			p, err = decodePage(bytes.NewReader(body))
		}
		if err == nil {
			err = noValue(st.cmdlet, p)
		}
		if err == nil && p.next != "" {
			var next string
			if next, err = c.checkNextLink(p.next); err == nil && st.seen[next] {
				err = errors.New("the server returned an @odata.nextLink already followed; stopping to avoid a loop")
			}
			p.next = next
		}
		if err != nil {
			st.err = fmt.Errorf("%s (in $batch): page %d: %w", st.cmdlet, st.res.Pages+1, err)
			return batchOutcomeKind{}
		}
		c.total.pages.Add(1)
		cc.pages.Add(1)
		st.res.Pages++
		st.res.Objects = append(st.res.Objects, p.objects...)
		st.res.Warnings = append(st.res.Warnings, p.warnings...)
		st.res.Errors = append(st.res.Errors, p.errors...)
		if p.next == "" {
			return batchOutcomeKind{}
		}
		st.seen[st.link] = true
		st.link = p.next
		return batchOutcomeKind{next: true}
	}
	apiErr := parseError(st.cmdlet, status, http.Header(nil), body, "")
	if id := headerValue(a.Headers, "Request-Id"); id != "" {
		apiErr.RequestID = id
	}
	after, hasAfter := wire.ParseRetryAfter(headerValue(a.Headers, "Retry-After"), time.Now())
	throttled := status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable || isConcurrencyLimit(body)
	retry := throttled || status == http.StatusRequestTimeout || status == http.StatusBadGateway || status == http.StatusGatewayTimeout
	serverError := status == http.StatusInternalServerError && apiErr.ExceptionType == ""
	if throttled {
		c.total.throttled.Add(1)
		cc.throttled.Add(1)
	}
	if serverError && st.serverErrors < maxServerErrorRetries && st.retries < c.maxRetries {
		st.serverErrors++
		retry = true
	}
	if !retry || st.retries >= c.maxRetries {
		if st.retries > 0 {
			st.err = &wire.RetriesExhausted{Err: apiErr, Retries: st.retries, Service: "Exchange Online", Throttled: throttled}
		} else {
			st.err = apiErr
		}
		return batchOutcomeKind{}
	}
	st.retries++
	c.total.retries.Add(1)
	cc.retries.Add(1)
	// A throttled item waits as the service asked; other repeated items wait a backoff too,
	// so that a struggling server is not asked again at once.
	return batchOutcomeKind{retry: true, wait: true, after: after, hasAfter: hasAfter && throttled}
}

// statusOfBody infers a sub-response's status when the answer gives none: from its error code,
// else 200.
func statusOfBody(body []byte) int {
	var eb errorBody
	if json.Unmarshal(body, &eb) != nil || eb.Error == nil {
		if isConcurrencyLimit(body) {
			return http.StatusTooManyRequests
		}
		return http.StatusOK
	}
	switch strings.ToLower(eb.Error.Code) {
	case "notfound":
		return http.StatusNotFound
	case "badrequest":
		return http.StatusBadRequest
	case "forbidden":
		return http.StatusForbidden
	case "unauthorized":
		return http.StatusUnauthorized
	case "toomanyrequests":
		return http.StatusTooManyRequests
	case "serviceunavailable":
		return http.StatusServiceUnavailable
	}
	if isConcurrencyLimit(body) {
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

func headerValue(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// batchRequest is one sub-request on the wire (wire-formats A10).
type batchRequest struct {
	ID      string            `json:"id"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Body    json.RawMessage   `json:"body"`
	Headers map[string]string `json:"headers"`
}

// batchAnswer is one sub-response. Its body is kept only until batchOutcome has read it.
type batchAnswer struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

// sendBatch sends the items of chunk in one $batch request and returns the answers by id.
func (c *Client) sendBatch(ctx context.Context, tenant string, states []*batchState, chunk []int) (map[string]*batchAnswer, error) {
	reqs := make([]batchRequest, 0, len(chunk))
	var names []string
	for _, i := range chunk {
		st := states[i]
		reqs = append(reqs, batchRequest{ID: strconv.Itoa(i), Method: http.MethodPost, URL: st.link, Body: st.body,
			Headers: map[string]string{
				"X-AnchorMailbox":  anchorMailbox + tenant,
				"X-CmdletName":     st.cmdlet,
				"Accept":           "application/json; odata.metadata=minimal",
				"Content-Type":     "application/json; charset=utf-8",
				"Prefer":           "odata.maxpagesize=" + strconv.Itoa(c.pageSize),
				"X-ResponseFormat": "json",
			}})
		if !slices.Contains(names, st.cmdlet) {
			names = append(names, st.cmdlet)
		}
		c.total.batchItems.Add(1)
		c.counters(st.cmdlet).batchItems.Add(1)
	}
	body, err := json.Marshal(struct {
		Requests []batchRequest `json:"requests"`
	}{reqs})
	if err != nil {
		return nil, fmt.Errorf("$batch: encoding the requests: %w", err)
	}
	var answers map[string]*batchAnswer
	name := fmt.Sprintf("$batch (%d × %s)", len(chunk), strings.Join(names, ", "))
	err = c.send(ctx, tenant, &call{
		name: name, link: c.baseURL + "/adminapi/beta/" + url.PathEscape(tenant) + "/$batch", body: body, read: true,
		cc: c.counters(batchName), pageNo: 1, batch: true,
		header: func(h http.Header) {
			// As CIPP sends it: the page size of every sub-request, and one failed sub-request
			// does not stop the others.
			h.Set("Prefer", "odata.maxpagesize="+strconv.Itoa(c.pageSize)+";odata.continue-on-error")
		},
		decode: func(r io.Reader) error {
			var env struct {
				Responses []*batchAnswer `json:"responses"`
			}
			dec := json.NewDecoder(r)
			if err := dec.Decode(&env); err != nil {
				if errors.Is(err, io.EOF) {
					return errors.New("the $batch response body is empty")
				}
				return fmt.Errorf("the $batch response is not valid JSON: %w", err)
			}
			answers = make(map[string]*batchAnswer, len(env.Responses))
			for _, a := range env.Responses {
				if a != nil {
					answers[a.ID] = a
				}
			}
			return nil
		},
	})
	if err != nil {
		return nil, err
	}
	return answers, nil
}
