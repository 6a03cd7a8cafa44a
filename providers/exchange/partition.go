package exchange

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// Partitioned bulk reads.
//
// A bulk Get-CASMailbox of a 50,000-mailbox tenant is 55 pages, and pages can only be fetched
// one after another (each nextLink comes with the page before it): 55 round trips in a row.
// Split by -Filter into disjoint parts that together hold every object, the parts page
// concurrently, up to the tenant's concurrent request limit.
//
// The split is by the first letter of DisplayName: one part per group of letters, plus a last
// part of everything that starts with none of them (digits, accented letters, symbols, an empty
// name). Each part is "DisplayName -like 'a*' -or DisplayName -like 'b*' …", the last
// "-not (…every letter…)", so each object matches exactly one part however Exchange compares
// (case, accents): the letter groups share no letter, and the last part is by construction the
// complement of their union. Only prefix wildcards are used, because Exchange Online refuses a
// filter that starts with a wildcard.
//
// Why DisplayName: every recipient cmdlet reports and filters on it, and people's names spread
// across initials (the simulated tenant's generated users are named user00001… but displayed as
// people, as in real tenants). The letters are grouped by how often given names start with
// each; the weights are a guess, and only the balance of the parts depends on them, never the
// completeness of the read.
//
// When: the first page is read unfiltered. If it is the only page, the read is done in one
// request, as for any small tenant. If a nextLink follows, that page is dropped and the parts
// are read instead: one wasted request, rather than guessing the tenant's size (the admin API
// reports no count) and making every small tenant pay a request per part. A part's pages are
// still fetched in a row, so a large tenant costs about pages/parts round trips in a row plus
// one partly filled page per part.

// partitionProperty is the property the parts filter on.
const partitionProperty = "DisplayName"

// partitionCount is the number of letter groups: the tenant's concurrent request limit
// (DefaultMaxConcurrent), so that one large read alone can keep every slot busy.
const partitionCount = 10

// initialWeights are rough shares (per mille) of given names starting with each letter, in
// English-speaking and European tenants.
var initialWeights = [26]int{
	// a    b   c   d   e   f   g   h   i   j    k   l   m   n   o  p   q  r   s   t   u  v   w   x  y  z
	80, 40, 70, 60, 50, 20, 30, 30, 15, 90, 50, 55, 85, 30, 10, 30, 2, 55, 75, 45, 2, 15, 25, 1, 5, 10,
}

// partitionGroups splits the letters a–z into at most k groups of consecutive letters with
// about equal total weight: a letter joins the group its weight's midpoint falls in.
func partitionGroups(weights [26]int, k int) [][]byte {
	total := 0
	for _, w := range weights {
		total += w
	}
	if k < 1 || total == 0 {
		k, total = 1, max(total, 1)
	}
	var groups [][]byte
	last, cum := -1, 0
	for i, w := range weights {
		g := min((2*cum+w)*k/(2*total), k-1)
		cum += w
		if g != last {
			groups = append(groups, nil)
			last = g
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], byte('a'+i))
	}
	return groups
}

// partition is one part of a partitioned read.
type partition struct {
	filter string // the OPATH filter
	desc   string // names the part in errors: "DisplayName a–c"
}

// partitionFilters returns the parts: one per group, and last the part of every object that
// matches no group.
func partitionFilters(prop string, groups [][]byte) []partition {
	like := func(c byte) string { return fmt.Sprintf("%s -like '%c*'", prop, c) }
	var all []string
	out := make([]partition, 0, len(groups)+1)
	for _, g := range groups {
		var terms []string
		for _, c := range g {
			terms = append(terms, like(c))
		}
		all = append(all, terms...)
		desc := fmt.Sprintf("%s %c…", prop, g[0])
		if len(g) > 1 {
			desc = fmt.Sprintf("%s %c…–%c…", prop, g[0], g[len(g)-1])
		}
		out = append(out, partition{filter: strings.Join(terms, " -or "), desc: desc})
	}
	return append(out, partition{filter: "-not (" + strings.Join(all, " -or ") + ")", desc: prop + " not starting with a letter a–z"})
}

// recipientPartitions are the filters of a partitioned recipient read.
var recipientPartitions = partitionFilters(partitionProperty, partitionGroups(initialWeights, partitionCount))

// withFilter returns params with filter added to the -Filter (and-ed with one already there).
func withFilter(params providers.Params, filter string) providers.Params {
	out := make(providers.Params, 0, len(params)+1)
	for _, p := range params {
		if strings.EqualFold(p.Name, "Filter") {
			if s, ok := p.Value.(string); ok && strings.TrimSpace(s) != "" {
				filter = "(" + s + ") -and (" + filter + ")"
			}
			continue
		}
		out = append(out, p)
	}
	return append(out, providers.Param{Name: "Filter", Value: filter})
}

// bulkRead reads every object a recipient Get- cmdlet lists (Get-CASMailbox, Get-Mailbox,
// Get-Recipient) and converts each with conv as its page arrives, so that only the converted
// objects are kept. A read of more than one page is partitioned (see above); the parts' objects
// are returned in the order of the parts, each part in the order Exchange gave. An error in
// any part, and any non-terminating error Exchange reports, fails the whole read: an
// incomplete list must never look like absent objects.
//
// sel names the output properties conv reads: the read asks only for those where the client
// can (selectInvoker), and for every property otherwise.
func bulkRead[T any](ctx context.Context, c invoker, cmdlet string, params providers.Params, sel []string, conv func(o map[string]any) (T, error)) ([]T, error) {
	pages := c.InvokePages
	if s, ok := c.(selectInvoker); ok && len(sel) > 0 {
		pages = func(ctx context.Context, cmdlet string, params providers.Params, fn func(*Page) error) error {
			return s.InvokePagesSelect(ctx, cmdlet, params, sel, fn)
		}
	}
	convert := func(out []T, what string, p *Page) ([]T, error) {
		if len(p.Errors) > 0 {
			return nil, fmt.Errorf("%s reported errors, so the result may be incomplete: %s", what, strings.Join(p.Errors, "; "))
		}
		for _, o := range p.Objects {
			v, err := conv(o)
			if err != nil {
				return nil, fmt.Errorf("%s: object %s: %w", what, objectName(o), err)
			}
			out = append(out, v)
		}
		return out, nil
	}
	var first []T
	more := false
	err := pages(ctx, cmdlet, params, func(p *Page) error {
		if p.More {
			more = true
			return ErrStopPaging
		}
		var err error
		first, err = convert(first, cmdlet, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !more {
		return first, nil
	}
	parts := make([][]T, len(recipientPartitions))
	g, gctx := errgroup.WithContext(ctx)
	for i, part := range recipientPartitions {
		g.Go(func() error {
			what := fmt.Sprintf("%s (part %d of %d, -Filter on %s)", cmdlet, i+1, len(recipientPartitions), part.desc)
			var convErr error
			err := pages(gctx, cmdlet, withFilter(params, part.filter), func(p *Page) error {
				parts[i], convErr = convert(parts[i], what, p)
				return convErr
			})
			if err != nil && convErr == nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]T, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out, nil
}

// selectInvoker is an invoker that can ask for only some output properties ($select).
type selectInvoker interface {
	InvokePagesSelect(ctx context.Context, cmdlet string, params providers.Params, sel []string, fn func(*Page) error) error
}

// selectOf lists the output properties a recipient read needs: the type's attributes (their
// Wire names) and the extra properties its conversion reads, each once.
func selectOf(t *schema.ResourceType, extra ...string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, a := range t.Attributes {
		add(a.Wire)
	}
	for _, p := range extra {
		add(p)
	}
	return out
}

// objectName names an output object in an error: its Identity, else its position is unknown
// and "without an Identity" says so.
func objectName(o map[string]any) string {
	for _, k := range []string{"Identity", "PrimarySmtpAddress", "Name", "Guid"} {
		if s := recipientStr(o, k); s != "" {
			return fmt.Sprintf("%q", s)
		}
	}
	return "without an Identity"
}
