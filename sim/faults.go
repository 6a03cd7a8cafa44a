package sim

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Fault kinds accepted in a fault SPEC.
const (
	Fault429      = "429"      // throttled: 429 with Retry-After
	Fault500      = "500"      // Exchange-shaped 500 InternalServerError
	Fault503      = "503"      // Exchange-shaped 503 with Retry-After
	Fault504      = "504"      // Exchange-shaped 504 GatewayTimeout
	FaultReset    = "reset"    // connection closed after the headers and part of the body
	FaultTruncate = "truncate" // 200 with valid headers and a JSON body cut short
	FaultHTML     = "html"     // an HTML error page (500 or 503, text/html)
	FaultLost     = "lost"     // writes only: the write happens, then 500 or reset
	// FaultStall holds the request without an answer for Options.Stall (default 15 minutes,
	// as long as a cmdlet may run), or until the client gives up, then drops the connection.
	// A write has happened by then: only the answer is missing. Whole requests only, never
	// one item of a $batch.
	FaultStall = "stall"
)

// FaultKinds lists the valid kinds, in the order error messages show them.
var FaultKinds = []string{Fault429, Fault500, Fault503, Fault504, FaultReset, FaultTruncate, FaultHTML, FaultLost, FaultStall}

// Fault is one item of a fault SPEC: inject Kind into Percent of the
// InvokeCommand requests for Cmdlet (every simulated cmdlet when empty; for
// "lost", every writing cmdlet).
type Fault struct {
	Kind    string
	Percent float64 // in (0, 100]
	Cmdlet  string  // canonical cmdlet name, or ""
}

// String returns the fault in SPEC syntax.
func (f Fault) String() string {
	s := f.Kind + ":" + strconv.FormatFloat(f.Percent, 'f', -1, 64) + "%"
	if f.Cmdlet != "" {
		s += ":" + f.Cmdlet
	}
	return s
}

// applies reports whether the fault may hit a request for c.
func (f Fault) applies(c *cmdlet) bool {
	if f.Kind == FaultLost && !c.write {
		return false
	}
	return f.Cmdlet == "" || strings.EqualFold(f.Cmdlet, c.name)
}

// ParseFaults validates a fault SPEC: comma-separated KIND:PERCENT[:CMDLET]
// items such as "429:5%,503:2%,lost:1%,500:100%:Get-InboundConnector".
// PERCENT is a number in (0, 100] followed by "%". CMDLET must be a simulated
// cmdlet, and "lost" only fits writing cmdlets. An empty SPEC means no faults.
// Errors name the item (by position and text) and what is allowed.
func ParseFaults(spec string) ([]Fault, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, nil
	}
	var out []Fault
	for i, item := range strings.Split(spec, ",") {
		f, err := parseFault(strings.TrimSpace(item))
		if err != nil {
			return nil, fmt.Errorf("fault item %d %q: %w", i+1, strings.TrimSpace(item), err)
		}
		out = append(out, f)
	}
	return out, nil
}

func parseFault(item string) (Fault, error) {
	if item == "" {
		return Fault{}, fmt.Errorf("empty item; write KIND:PERCENT[:CMDLET], for example 429:5%%")
	}
	parts := strings.Split(item, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return Fault{}, fmt.Errorf("want KIND:PERCENT[:CMDLET], for example 503:2%% or 500:100%%:Get-InboundConnector")
	}
	var f Fault
	kind := strings.ToLower(strings.TrimSpace(parts[0]))
	for _, k := range FaultKinds {
		if k == kind {
			f.Kind = k
		}
	}
	if f.Kind == "" {
		return Fault{}, fmt.Errorf("unknown kind %q; allowed kinds: %s", parts[0], strings.Join(FaultKinds, ", "))
	}
	pct := strings.TrimSpace(parts[1])
	num, hasPct := strings.CutSuffix(pct, "%")
	p, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if !hasPct || err != nil || !(p > 0 && p <= 100) {
		return Fault{}, fmt.Errorf("percentage %q is not valid; want a number above 0 and at most 100 followed by %%, such as 100%%, 5%% or 0.5%%", pct)
	}
	f.Percent = p
	if len(parts) == 3 {
		c := lookupCmdlet(strings.TrimSpace(parts[2]))
		if c == nil {
			return Fault{}, fmt.Errorf("cmdlet %q is not simulated; simulated cmdlets: %s", parts[2], strings.Join(cmdletNames(), ", "))
		}
		if f.Kind == FaultLost && !c.write {
			return Fault{}, fmt.Errorf("kind lost applies only to cmdlets that write, and %s only reads", c.name)
		}
		f.Cmdlet = c.name
	}
	return f, nil
}

// pickFault draws, in SPEC order, whether each applicable fault hits this
// request and returns the first that does. One draw per applicable fault,
// from a stream of the request's cmdlet seeded by the seed and the cmdlet's
// name, keeps the sequence deterministic for a seed and the order of each
// cmdlet's requests: a client that sends several cmdlets at once, in
// whatever interleaving, meets the same faults.
func (s *Server) pickFault(c *cmdlet) *Fault {
	if len(s.faults) == 0 {
		return nil
	}
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	rng := s.faultRNGs[c.name]
	if rng == nil {
		h := fnv.New64a()
		h.Write([]byte(c.name))
		rng = rand.New(rand.NewPCG(uint64(s.opts.Seed), h.Sum64()))
		s.faultRNGs[c.name] = rng
	}
	for i := range s.faults {
		f := &s.faults[i]
		if !f.applies(c) {
			continue
		}
		if rng.Float64()*100 < f.Percent {
			return f
		}
	}
	return nil
}

// coinFlip is a seeded choice between two fault shapes (e.g. lost as 500 or
// reset).
func (s *Server) coinFlip() bool {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return s.faultRNG.IntN(2) == 0
}
