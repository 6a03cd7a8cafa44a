package entra

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/exoform/exoform/providers/internal/wire"
	"golang.org/x/sync/errgroup"
)

// MaxBatchSize is the most requests Graph accepts in one $batch call.
const MaxBatchSize = 20

// BatchRequest is one request inside a $batch call.
type BatchRequest struct {
	// ID identifies the request in the answer; unique (case-insensitively) within one Batch
	// call. Empty IDs are assigned ("1", "2", … by position, prefixed when taken).
	ID string
	// Method is the HTTP method; URL is relative to /v1.0, e.g. "/users?$select=id".
	Method, URL string
	// Headers are sent with the request. Content-Type: application/json is added when Body is
	// set, and ConsistencyLevel: eventual when URL uses $count or $search.
	Headers map[string]string
	// Body, when not nil, is sent as JSON (a json.RawMessage as is).
	Body any
}

// BatchResponse is Graph's answer to one BatchRequest.
type BatchResponse struct {
	ID      string
	Status  int
	Headers map[string]string
	// Body is the response body. It may carry secrets (addPassword's secretText): never log it.
	Body json.RawMessage
	// Err is the parsed Graph error when Status is 400 or more.
	Err *Error
}

type batchItem struct {
	ID      string            `json:"id"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`

	rel        string
	idempotent bool
}

type batchAnswer struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

// Batch sends reqs through POST /$batch in chunks of at most MaxBatchSize, concurrently within
// MaxConcurrent, and returns one response per request, in the order of reqs. Items answered
// 429 or 503 are sent again in a later batch after their Retry-After (or a backoff), up to
// MaxRetries rounds, and GET items answered 500, 502 or 504 twice at most; after that they
// are returned with their Err. Other per-item failures are
// returned in the item's Err, not as the call's error.
//
// The call's error is for the $batch request itself; then the responses of the chunks that
// were answered are still filled in (a zero Status means "no answer"). When a chunk held a
// non-idempotent request and its outcome is unknown, the error matches IsOutcomeUnknown.
func (c *Client) Batch(ctx context.Context, reqs []BatchRequest) ([]BatchResponse, error) {
	items, err := c.batchItems(reqs)
	if err != nil {
		return nil, err
	}
	out := make([]BatchResponse, len(reqs))
	serverErrors := map[int]int{} // by item: 500, 502 and 504 answers to a GET, retried twice
	pending := make([]int, len(items))
	for i := range pending {
		pending[i] = i
	}
	for round := 0; ; round++ {
		var mu sync.Mutex
		var again []int
		var wait time.Duration
		hasWait := false
		g, gctx := errgroup.WithContext(ctx)
		for start := 0; start < len(pending); start += MaxBatchSize {
			chunk := pending[start:min(start+MaxBatchSize, len(pending))]
			g.Go(func() error {
				answers, err := c.sendBatch(gctx, items, chunk)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					for i, a := range answers {
						out[i] = a
					}
					return err
				}
				for _, i := range chunk {
					a := answers[i]
					out[i] = a
					switch {
					case a.Status == http.StatusTooManyRequests || a.Status == http.StatusServiceUnavailable:
						c.stats.throttled.Add(1)
						again = append(again, i)
						if d, ok := wire.ParseRetryAfter(headerValue(a.Headers, "Retry-After"), time.Now()); ok {
							wait = max(wait, d)
							hasWait = true
						}
					case items[i].Method == http.MethodGet && serverErrors[i] < maxItemServerErrors &&
						(a.Status == http.StatusInternalServerError || a.Status == http.StatusBadGateway || a.Status == http.StatusGatewayTimeout):
						// A read is safe to repeat, as the client repeats a GET's 500.
						serverErrors[i]++
						again = append(again, i)
					}
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return out, err
		}
		if len(again) == 0 || round >= c.maxRetries {
			return out, nil
		}
		if !hasWait {
			wait = wire.Backoff(round + 1)
		}
		wait = min(wait, wire.MaxRetryAfter)
		c.stats.retries.Add(int64(len(again)))
		c.stats.wait.Add(int64(wait))
		c.logf("graph: $batch: %d requests throttled or failed; retry %d of %d in %s", len(again), round+1, c.maxRetries, wait.Round(time.Millisecond))
		if err := c.sleep(ctx, wait); err != nil {
			return out, fmt.Errorf("POST /$batch: stopped retrying throttled requests: %w", err)
		}
		pending = sortInts(again)
	}
}

// maxItemServerErrors bounds the retries of a GET item answered 500, 502 or 504.
const maxItemServerErrors = 2

func sortInts(s []int) []int {
	// insertion sort: small slices, keeps batches in request order
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

func headerValue(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// batchItems checks and encodes the requests.
func (c *Client) batchItems(reqs []BatchRequest) ([]batchItem, error) {
	items := make([]batchItem, len(reqs))
	taken := map[string]bool{}
	for _, r := range reqs {
		if r.ID != "" {
			k := strings.ToLower(r.ID)
			if taken[k] {
				return nil, fmt.Errorf("graph $batch: request id %q is used twice (ids are case-insensitive)", r.ID)
			}
			taken[k] = true
		}
	}
	for i, r := range reqs {
		id := r.ID
		if id == "" {
			id = strconv.Itoa(i + 1)
			for taken[strings.ToLower(id)] {
				id = "_" + id
			}
			taken[strings.ToLower(id)] = true
		}
		method := strings.ToUpper(strings.TrimSpace(r.Method))
		if method == "" {
			return nil, fmt.Errorf("graph $batch: request %q has no method", id)
		}
		if !strings.HasPrefix(r.URL, "/") {
			return nil, fmt.Errorf("graph $batch: request %q: the URL must be relative to %s and start with /", id, apiVersionPath)
		}
		p, q, hasQ := strings.Cut(r.URL, "?")
		u := escapeLoose(p, false)
		if hasQ {
			u += "?" + escapeLoose(q, true)
		}
		it := batchItem{ID: id, Method: method, URL: u, rel: r.URL, idempotent: IsIdempotent(method)}
		if len(r.Headers) > 0 || r.Body != nil || needsEventual(u) {
			it.Headers = map[string]string{}
			for k, v := range r.Headers {
				it.Headers[k] = v
			}
		}
		if r.Body != nil {
			b, err := json.Marshal(r.Body)
			if err != nil {
				return nil, fmt.Errorf("graph $batch: request %q (%s %s): encoding the body (%T) as JSON failed", id, method, r.URL, r.Body)
			}
			it.Body = b
			if headerValue(it.Headers, "Content-Type") == "" {
				it.Headers["Content-Type"] = "application/json"
			}
		}
		if needsEventual(u) && headerValue(it.Headers, "ConsistencyLevel") == "" {
			it.Headers["ConsistencyLevel"] = "eventual"
		}
		items[i] = it
	}
	return items, nil
}

// sendBatch posts one $batch of the items at the given indices and returns their answers by index.
func (c *Client) sendBatch(ctx context.Context, items []batchItem, idx []int) (map[int]BatchResponse, error) {
	body := struct {
		Requests []batchItem `json:"requests"`
	}{}
	idempotent, reads := true, true
	byID := map[string]int{}
	for _, i := range idx {
		body.Requests = append(body.Requests, items[i])
		idempotent = idempotent && items[i].idempotent
		reads = reads && items[i].Method == http.MethodGet
		byID[strings.ToLower(items[i].ID)] = i
	}
	rq, err := c.newRequest(http.MethodPost, "/$batch", body)
	if err != nil {
		return nil, err
	}
	rq.idempotent = idempotent
	rq.readsOnly = reads
	rq.batchItems = len(idx)
	var answer struct {
		Responses []batchAnswer `json:"responses"`
	}
	err = c.execute(ctx, rq, func(raw []byte) error {
		answer.Responses = nil
		if err := decodeJSON(raw, &answer); err != nil {
			return err
		}
		if answer.Responses == nil {
			return errors.New(`the $batch response has no "responses" array`)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	got := map[int]BatchResponse{}
	for _, a := range answer.Responses {
		i, ok := byID[strings.ToLower(a.ID)]
		if !ok {
			continue
		}
		it := items[i]
		r := BatchResponse{ID: it.ID, Status: a.Status, Headers: a.Headers, Body: a.Body}
		if a.Status >= 400 {
			var h http.Header
			if len(a.Headers) > 0 {
				h = http.Header{}
				for k, v := range a.Headers {
					h.Set(k, v)
				}
			}
			r.Err = parseError(it.Method, it.rel, a.Status, h, a.Body, "")
		}
		got[i] = r
	}
	var missing []string
	unknown := false
	for _, i := range idx {
		if _, ok := got[i]; !ok {
			missing = append(missing, items[i].ID)
			unknown = unknown || !items[i].idempotent
		}
	}
	if len(missing) > 0 {
		err := fmt.Errorf("POST /$batch: the response has no answer for request(s) %s", strings.Join(missing, ", "))
		if unknown {
			err = fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
		}
		return got, err
	}
	return got, nil
}

// BatchList reads collections through $batch: the first page of every path at once (20 to a
// call, the calls concurrent within MaxConcurrent), then, round after round, the
// @odata.nextLink of every collection that has one, until none has. It costs one round trip per
// page of the longest collection, and a request per 20 pages in each round, instead of a
// request per page of each.
//
// each is called for every item of collection i, in page order within a collection, from one
// goroutine; an error from it stops the listing and is returned as is. Any failed item fails
// the whole listing with an error naming the request: a collection is never read in part.
// nextLinks are followed only on the Graph endpoint, like List's.
func (c *Client) BatchList(ctx context.Context, paths []string, each func(i int, item json.RawMessage) error) error {
	type pending struct {
		i    int
		url  string // relative to /v1.0
		page int
	}
	var todo []pending
	for i, p := range paths {
		todo = append(todo, pending{i: i, url: p, page: 1})
	}
	seen := map[string]bool{}
	for len(todo) > 0 {
		reqs := make([]BatchRequest, len(todo))
		for k, p := range todo {
			reqs[k] = BatchRequest{Method: http.MethodGet, URL: p.url}
			seen[p.url] = true
		}
		resps, err := c.Batch(ctx, reqs)
		if err != nil {
			return err
		}
		var next []pending
		for k, p := range todo {
			first := strings.SplitN(paths[p.i], "?", 2)[0]
			where := "GET " + first
			if p.page > 1 {
				where = fmt.Sprintf("listing %s: page %d", first, p.page)
			}
			rs := resps[k]
			switch {
			case rs.Err != nil:
				if e := asError(rs.Err); e != nil && e.Path != "" && p.page == 1 {
					return rs.Err // it names the request already
				}
				return fmt.Errorf("%s: %w", where, rs.Err)
			case rs.Status < 200 || rs.Status > 299:
				return fmt.Errorf("%s: no answer in the $batch response (status %d)", where, rs.Status)
			}
			var page struct {
				Value *[]json.RawMessage `json:"value"`
				Next  string             `json:"@odata.nextLink"`
			}
			if err := decodeJSON(rs.Body, &page); err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			if page.Value == nil {
				return fmt.Errorf(`%s: the response has no "value" array`, where)
			}
			c.stats.pages.Add(1)
			for _, item := range *page.Value {
				if err := each(p.i, item); err != nil {
					return err
				}
			}
			if page.Next == "" {
				continue
			}
			rel, err := c.relativeLink(page.Next)
			if err != nil {
				return fmt.Errorf("%s: @odata.nextLink: %w", where, err)
			}
			if seen[rel] {
				return fmt.Errorf("%s: the server returned an @odata.nextLink already followed; stopping to avoid a loop", where)
			}
			next = append(next, pending{i: p.i, url: rel, page: p.page + 1})
		}
		todo = next
	}
	return nil
}

// relativeLink turns a nextLink (an absolute URL on the Graph endpoint) into a URL relative to
// /v1.0, as $batch items take them.
func (c *Client) relativeLink(link string) (string, error) {
	abs, _, _, err := c.resolve(link)
	if err != nil {
		return "", err
	}
	return strings.TrimPrefix(abs, c.api), nil
}
