package sim

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// defaultPageSize is the page size when the client sends no Prefer
// odata.maxpagesize. Microsoft does not document one; 1000 matches the
// cmdlets' default ResultSize, so an unpaged client sees what PowerShell shows.
const defaultPageSize = 1000

// pageSize reads odata.maxpagesize from Prefer (or X-Prefer, which one
// capture used), tolerating the spaces and extra preferences clients send
// ("odata.maxpagesize = 1000;odata.continue-on-error"). ok reports whether
// the client asked, so the response can say the preference was applied.
func pageSize(h http.Header) (n int, ok bool) {
	for _, name := range []string{"Prefer", "X-Prefer"} {
		for _, hv := range h.Values(name) {
			for _, pref := range strings.FieldsFunc(hv, func(r rune) bool { return r == ',' || r == ';' }) {
				k, v, found := strings.Cut(pref, "=")
				if !found || !strings.EqualFold(strings.TrimSpace(k), "odata.maxpagesize") {
					continue
				}
				if n, err := strconv.Atoi(strings.Trim(strings.TrimSpace(v), `"`)); err == nil && n > 0 {
					return n, true
				}
			}
		}
	}
	return defaultPageSize, false
}

// skipToken is the continuation state in a nextLink. The client re-POSTs the
// same body to the link. Offset alone is enough to continue by running the
// cmdlet again (what a server that has forgotten the listing does); Listing
// names the listing the first page kept (pageCache), so later pages neither
// re-run the cmdlet nor skip or repeat objects when the tenant changes in
// between. The cmdlet name guards against a link reused with another body.
type skipToken struct {
	Cmdlet  string `json:"c"`
	Offset  int    `json:"o"`
	Listing string `json:"l,omitempty"`
}

func encodeSkipToken(t skipToken) string {
	b, _ := json.Marshal(t)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeSkipToken(s string) (skipToken, bool) {
	var t skipToken
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &t) != nil || t.Offset < 0 {
		return skipToken{}, false
	}
	return t, true
}

// Listings kept between pages. A bulk read pages through a listing in
// seconds (minutes under the realistic profile); a listing nobody pages
// through for pageCacheTTL is forgotten, and at most pageCacheMax are kept
// (the oldest is dropped first). A forgotten listing is not an error: its
// nextLinks still work, by running the cmdlet again (skipToken).
const (
	pageCacheMax = 32
	pageCacheTTL = 15 * time.Minute // the REST cmdlets' own timeout (wire-formats A8)
)

// pageCache keeps the listing of a multi-page answer, so that a nextLink
// page renders only its own objects instead of running the cmdlet (listing,
// sorting and filtering the whole tenant) again. It is per process and in
// memory: another process serving the same state file, or this one after a
// restart, answers such a nextLink by running the cmdlet again.
type pageCache struct {
	mu      sync.Mutex
	entries map[string]*pageListing
	order   []string // ids, oldest first
}

// pageListing is a first page's listing: which objects, in which order. A
// listing of keys is rendered afresh for each page (see cmdResult).
type pageListing struct {
	cmdlet, params string // what the request must repeat to use it
	res            *cmdResult
	expires        time.Time
}

func newPageCache() *pageCache { return &pageCache{entries: map[string]*pageListing{}} }

// put keeps res for the later pages of a request and returns its id.
func (c *pageCache) put(cmdlet, params string, res *cmdResult, now time.Time) string {
	var b [12]byte
	rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire(now)
	for len(c.order) >= pageCacheMax {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
	c.entries[id] = &pageListing{cmdlet: strings.ToLower(cmdlet), params: params, res: res, expires: now.Add(pageCacheTTL)}
	c.order = append(c.order, id)
	return id
}

// get returns the listing id names if the request repeats the cmdlet and
// parameters it was made for; nil otherwise.
func (c *pageCache) get(id, cmdlet, params string, now time.Time) *cmdResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire(now)
	e := c.entries[id]
	if e == nil || e.cmdlet != strings.ToLower(cmdlet) || e.params != params {
		return nil
	}
	return e.res
}

// drop forgets a listing once its last page was served.
func (c *pageCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[id]; ok {
		delete(c.entries, id)
		c.order = slices.DeleteFunc(c.order, func(s string) bool { return s == id })
	}
}

func (c *pageCache) expire(now time.Time) {
	n := 0
	for n < len(c.order) && !now.Before(c.entries[c.order[n]].expires) {
		delete(c.entries, c.order[n])
		n++
	}
	c.order = c.order[n:]
}

// paramsDigest identifies a request's parameters (names in any case, values
// as compact JSON), so that a kept listing serves only the same request.
func paramsDigest(ps map[string]json.RawMessage) string {
	names := make([]string, 0, len(ps))
	for k := range ps {
		names = append(names, k)
	}
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	h := sha256.New()
	for _, k := range names {
		h.Write([]byte(strings.ToLower(k)))
		h.Write([]byte{0})
		var b bytes.Buffer
		if err := json.Compact(&b, ps[k]); err != nil {
			h.Write(ps[k])
		} else {
			h.Write(b.Bytes())
		}
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}
