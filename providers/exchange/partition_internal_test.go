package exchange

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"

	"github.com/exoform/exoform/providers"
)

func TestPartitionGroups(t *testing.T) {
	tests := []struct {
		name    string
		weights [26]int
		k       int
		want    []string
	}{
		{name: "the recipient partitions", weights: initialWeights, k: partitionCount,
			want: []string{"a", "bc", "de", "fghi", "j", "kl", "m", "nopqr", "s", "tuvwxyz"}},
		{name: "equal weights in two", weights: [26]int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, k: 2,
			want: []string{"abcdefghijklm", "nopqrstuvwxyz"}},
		{name: "one group", weights: initialWeights, k: 1, want: []string{"abcdefghijklmnopqrstuvwxyz"}},
		{name: "one heavy letter", weights: [26]int{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100}, k: 4,
			want: []string{"abcdefghijklmnopqrst", "u", "vwxyz"}},
		{name: "no weights", k: 3, want: []string{"abcdefghijklmnopqrstuvwxyz"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, g := range partitionGroups(tt.weights, tt.k) {
				got = append(got, string(g))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("groups (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPartitionFilters(t *testing.T) {
	got := partitionFilters("DisplayName", [][]byte{[]byte("ab"), []byte("c")})
	want := []partition{
		{filter: "DisplayName -like 'a*' -or DisplayName -like 'b*'", desc: "DisplayName a…–b…"},
		{filter: "DisplayName -like 'c*'", desc: "DisplayName c…"},
		{filter: "-not (DisplayName -like 'a*' -or DisplayName -like 'b*' -or DisplayName -like 'c*')", desc: "DisplayName not starting with a letter a–z"},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(partition{})); diff != "" {
		t.Errorf("filters (-want +got):\n%s", diff)
	}
}

// likePrefix evaluates "prop -like 'c*'" as OPATH does for these filters: the value starts with
// c, case-insensitively.
func likePrefix(value string, c byte) bool {
	return value != "" && unicode.ToLower(rune(value[0])) == rune(c)
}

// evalPart evaluates one of the partition filters, which are an -or of -like prefixes, or the
// -not of one, over a display name.
func evalPart(t *testing.T, filter, value string) bool {
	t.Helper()
	neg := strings.HasPrefix(filter, "-not (")
	body := strings.TrimSuffix(strings.TrimPrefix(filter, "-not ("), ")")
	match := false
	for _, term := range strings.Split(body, " -or ") {
		var c byte
		if _, err := fmt.Sscanf(term, "DisplayName -like '%c*'", &c); err != nil {
			t.Fatalf("term %q: %v", term, err)
		}
		match = match || likePrefix(value, c)
	}
	return match != neg
}

// TestPartitionsDisjointAndComplete: every display name, whatever it starts with, falls in
// exactly one part.
func TestPartitionsDisjointAndComplete(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .-_'ÁÉÍÓÚáéíóúŁłØøÆæßİı中文🙂")
	names := []string{"", " ", "a", "Z", "0", "Ángel", "Łukasz", "Øvergaard", "'quoted", "user00001"}
	for range 5000 {
		n := 1 + r.IntN(12)
		var b strings.Builder
		for range n {
			b.WriteRune(alphabet[r.IntN(len(alphabet))])
		}
		names = append(names, b.String())
	}
	for _, name := range names {
		hits := 0
		for _, p := range recipientPartitions {
			if evalPart(t, p.filter, name) {
				hits++
			}
		}
		if hits != 1 {
			t.Errorf("%q is in %d parts, want exactly 1", name, hits)
		}
	}
}

func TestWithFilter(t *testing.T) {
	tests := []struct {
		name string
		in   providers.Params
		want providers.Params
	}{
		{name: "added", in: providers.Params{{Name: "ResultSize", Value: "Unlimited"}},
			want: providers.Params{{Name: "ResultSize", Value: "Unlimited"}, {Name: "Filter", Value: "X -like 'a*'"}}},
		{name: "and-ed with the caller's", in: providers.Params{{Name: "filter", Value: "Alias -ne 'x'"}, {Name: "ResultSize", Value: "Unlimited"}},
			want: providers.Params{{Name: "ResultSize", Value: "Unlimited"}, {Name: "Filter", Value: "(Alias -ne 'x') -and (X -like 'a*')"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, withFilter(tt.in, "X -like 'a*'")); diff != "" {
				t.Errorf("params (-want +got):\n%s", diff)
			}
		})
	}
}

// pagedFake serves a list of display names through InvokePages, pageSize to a page, applying
// the partition filters with evalPart, and counts the pages it served.
type pagedFake struct {
	t        *testing.T
	names    []string
	pageSize int
	fail     string         // a filter whose read fails
	mu       sync.Mutex     // bulkRead reads the parts concurrently
	requests map[string]int // guarded by mu
}

func (f *pagedFake) Invoke(context.Context, string, providers.Params) (*Result, error) {
	return nil, fmt.Errorf("unexpected Invoke")
}

func (f *pagedFake) InvokeBatch(context.Context, []BatchItem) ([]BatchResult, error) {
	return nil, fmt.Errorf("unexpected InvokeBatch")
}

func (f *pagedFake) InvokePages(ctx context.Context, cmdlet string, ps providers.Params, fn func(*Page) error) error {
	filter, _ := ps.Get("Filter")
	fs, _ := filter.(string)
	var objs []map[string]any
	for _, n := range f.names {
		if fs == "" || evalPart(f.t, fs, n) {
			objs = append(objs, map[string]any{"DisplayName": n})
		}
	}
	for start := 0; ; start += f.pageSize {
		f.mu.Lock()
		f.requests[fs]++
		f.mu.Unlock()
		if fs != "" && fs == f.fail {
			return &Error{Cmdlet: cmdlet, Status: 500, Code: "InternalServerError", Message: "boom"}
		}
		end := min(start+f.pageSize, len(objs))
		if err := fn(&Page{Objects: objs[start:end], More: end < len(objs)}); err != nil {
			if err == ErrStopPaging {
				return nil
			}
			return err
		}
		if end >= len(objs) {
			return nil
		}
	}
}

func TestBulkRead(t *testing.T) {
	many := []string{"Zoë Ng", "Ángel García", "1st Floor", "adele"}
	for i := range 60 {
		many = append(many, fmt.Sprintf("%c person %d", 'a'+i%26, i))
	}
	name := func(o map[string]any) (string, error) { return o["DisplayName"].(string), nil }
	tests := []struct {
		name         string
		names        []string
		wantRequests int
	}{
		{name: "one page: one request, no parts", names: []string{"b", "a"}, wantRequests: 1},
		{name: "empty", names: nil, wantRequests: 1},
		// 64 names, 10 to a page: the first page, then each part at least one page.
		{name: "more than a page: the parts", names: many, wantRequests: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &pagedFake{t: t, names: tt.names, pageSize: 10, requests: map[string]int{}}
			got, err := bulkRead(context.Background(), f, "Get-CASMailbox", providers.Params{{Name: "ResultSize", Value: "Unlimited"}}, nil, name)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(sortedCopy(tt.names), sortedCopy(got)); diff != "" {
				t.Errorf("objects (-want +got):\n%s", diff)
			}
			want := tt.wantRequests
			if want < 0 {
				want = 1 // the unfiltered first page
				for _, p := range recipientPartitions {
					n := 0
					for _, s := range tt.names {
						if evalPart(t, p.filter, s) {
							n++
						}
					}
					want += max(1, (n+9)/10)
				}
			}
			total := 0
			for _, n := range f.requests {
				total += n
			}
			if total != want {
				t.Errorf("%d requests, want %d: %v", total, want, f.requests)
			}
			again, _ := bulkRead(context.Background(), f, "Get-CASMailbox", nil, nil, name)
			if !cmp.Equal(got, again) {
				t.Error("two reads of the same tenant returned different orders")
			}
		})
	}
}

func TestBulkReadPartFails(t *testing.T) {
	var names []string
	for i := range 30 {
		names = append(names, fmt.Sprintf("%c%d", 'a'+i%26, i))
	}
	f := &pagedFake{t: t, names: names, pageSize: 10, requests: map[string]int{}, fail: recipientPartitions[3].filter}
	got, err := bulkRead(context.Background(), f, "Get-CASMailbox", nil, nil, func(o map[string]any) (string, error) { return o["DisplayName"].(string), nil })
	if err == nil || got != nil {
		t.Fatalf("a failed part gave %d objects and error %v; want no objects and an error", len(got), err)
	}
	if !strings.Contains(err.Error(), "part 4 of 11") || !strings.Contains(err.Error(), "boom") {
		t.Errorf("error %q should name the part and keep the cause", err)
	}
}

func sortedCopy(ss []string) []string {
	out := append([]string{}, ss...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	if out == nil {
		return []string{}
	}
	return out
}
