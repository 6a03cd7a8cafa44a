// Package wire holds what exoform's API clients (Exchange's InvokeCommand, Microsoft Graph)
// share: an access-token cache, retry timing (exponential backoff, Retry-After), request ids and
// the sanitising of error bodies for messages.
//
// It must never log, and never keep a request or response body: callers pass only error bodies
// to Sanitize, for a short excerpt.
package wire

import (
	"context"
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

const (
	// BackoffBase and BackoffMax bound the exponential backoff when a service gives no
	// Retry-After.
	BackoffBase = time.Second
	BackoffMax  = time.Minute
	// MaxRetryAfter caps how long one Retry-After may make a client wait.
	MaxRetryAfter = 10 * time.Minute
	// TokenRefreshMargin renews a cached token this long before it expires.
	TokenRefreshMargin = 2 * time.Minute
)

// SleepCtx waits for d, or returns ctx.Err() when ctx ends first.
func SleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Backoff is the wait before retry n (from 1): BackoffBase doubling up to BackoffMax, with the
// upper half jittered so that clients retrying together spread out.
func Backoff(n int) time.Duration {
	d := BackoffBase
	for i := 1; i < n && d < BackoffMax; i++ {
		d *= 2
	}
	d = min(d, BackoffMax)
	half := d / 2
	return half + time.Duration(mrand.Int64N(int64(half)+1))
}

// ParseRetryAfter reads a Retry-After header: seconds, or an HTTP date. It caps the wait at
// MaxRetryAfter and reports false when the header is absent or unreadable.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > MaxRetryAfter.Seconds() {
			return MaxRetryAfter, true
		}
		return time.Duration(n * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), MaxRetryAfter), true
	}
	return 0, false
}

// NewGUID returns a random (version 4) GUID, for client-request-id headers.
func NewGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Sanitize turns the start of an unreadable error body into one line for a message: at most
// max bytes, control characters and runs of white space folded into single spaces.
func Sanitize(body []byte, max int) string {
	truncated := false
	if len(body) > max {
		body, truncated = body[:max], true
	}
	var b strings.Builder
	space := false
	for len(body) > 0 {
		r, size := utf8.DecodeRune(body)
		body = body[size:]
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	out := strings.TrimSpace(b.String())
	if truncated {
		out += "…"
	}
	return out
}

// TokenCache keeps one access token until shortly before it expires. Its zero value is ready to
// use; it is safe for concurrent use.
type TokenCache struct {
	mu  sync.Mutex
	tok azcore.AccessToken
}

// Get returns a valid token for scope, asking cred only when the cached one is missing, about
// to expire, or past its refresh time.
func (t *TokenCache) Get(ctx context.Context, cred azcore.TokenCredential, scope string) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	if t.tok.Token != "" && t.tok.ExpiresOn.Sub(now) > TokenRefreshMargin &&
		(t.tok.RefreshOn.IsZero() || now.Before(t.tok.RefreshOn)) {
		return t.tok.Token, nil
	}
	tk, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{scope}})
	if err != nil {
		return "", fmt.Errorf("getting an access token for %s: %w", scope, err)
	}
	if tk.Token == "" {
		return "", fmt.Errorf("getting an access token for %s: the credential returned an empty token", scope)
	}
	t.tok = tk
	return tk.Token, nil
}

// Drop forgets tok if it is the cached token (the server rejected it).
func (t *TokenCache) Drop(tok string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok.Token == tok {
		t.tok = azcore.AccessToken{}
	}
}
