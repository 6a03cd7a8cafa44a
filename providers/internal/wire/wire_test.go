package wire

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestBackoffAndRetryAfter(t *testing.T) {
	for n := 1; n <= 10; n++ {
		d := Backoff(n)
		hi := min(BackoffBase<<(n-1), BackoffMax)
		if d < hi/2 || d > hi {
			t.Errorf("Backoff(%d) = %v, want within [%v, %v]", n, d, hi/2, hi)
		}
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"12", 12 * time.Second, true},
		{"0", 0, true},
		{"1.5", 1500 * time.Millisecond, true},
		{"-3", 0, false},
		{"999999", MaxRetryAfter, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{now.Add(24 * time.Hour).Format(http.TimeFormat), MaxRetryAfter, true},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestSleepCtxHonoursTheContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := SleepCtx(ctx, time.Hour); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Errorf("SleepCtx = %v after %v", err, time.Since(start))
	}
}

func TestSanitize(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"<html>\n  <body>Bad\tGateway</body>\x00</html>", 200, "<html> <body>Bad Gateway</body> </html>"},
		{"   ", 200, ""},
		{strings.Repeat("a", 20), 10, "aaaaaaaaaa…"},
	}
	for _, tc := range tests {
		if got := Sanitize([]byte(tc.in), tc.max); got != tc.want {
			t.Errorf("Sanitize(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

func TestNewGUID(t *testing.T) {
	a, b := NewGUID(), NewGUID()
	if a == b || len(a) != 36 || a[14] != '4' {
		t.Errorf("NewGUID gave %q and %q", a, b)
	}
}
