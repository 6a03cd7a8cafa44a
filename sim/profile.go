package sim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Profile is the sim's latency and limits model: how long each service takes
// to answer and which of Microsoft's limits it enforces. The zero Profile is
// "off": answers at once, no limits (the sim's behaviour before issue 7, and
// what tests want). RealisticProfile returns the numbers exoform's scale work
// measures against; doc.go ("Realistic profile") says where each comes from.
//
// A zero field switches its part of the model off (no latency, no limit).
type Profile struct {
	// GraphLatency is how long every Graph request (a $batch counts once)
	// waits before it is served.
	GraphLatency time.Duration
	// ExchangeLatency is the same for InvokeCommand and Exchange $batch.
	ExchangeLatency time.Duration
	// TokenLatency is the same for the token endpoint.
	TokenLatency time.Duration
	// ExchangeConcurrency is how many Exchange requests of the tenant may be
	// in flight at once; one more is refused as Exchange refuses it. A
	// $batch takes one slot.
	ExchangeConcurrency int
	// ExchangePageSize caps Prefer: odata.maxpagesize on Exchange requests.
	ExchangePageSize int
	// GraphResourceUnits is the resource-unit budget per GraphWindow per
	// app and tenant (Graph's identity and access limits).
	GraphResourceUnits int
	// GraphWindow is the period GraphResourceUnits refills over.
	GraphWindow time.Duration
	// GraphWrites is the write budget per GraphWriteWindow per app and tenant.
	GraphWrites int
	// GraphWriteWindow is the period GraphWrites refills over.
	GraphWriteWindow time.Duration
}

// RealisticProfile returns the "realistic" profile: the numbers the team
// agreed for issue 7 (doc.go, "Realistic profile", says which Microsoft
// publishes and which are choices).
func RealisticProfile() Profile {
	return Profile{
		GraphLatency:        100 * time.Millisecond,
		ExchangeLatency:     400 * time.Millisecond,
		TokenLatency:        100 * time.Millisecond,
		ExchangeConcurrency: 10,
		ExchangePageSize:    1000,
		GraphResourceUnits:  8000,
		GraphWindow:         10 * time.Second,
		GraphWrites:         3000,
		GraphWriteWindow:    150 * time.Second,
	}
}

// IsOff reports whether the profile changes nothing.
func (p Profile) IsOff() bool { return p == Profile{} }

// profileKey is one override a profile SPEC accepts: its name, and how it
// reads and shows its field.
type profileKey struct {
	name     string
	duration func(*Profile) *time.Duration // a duration field, or nil
	count    func(*Profile) *int           // a count field, or nil
	help     string
}

// profileKeys lists the overrides in the order String and errors show them.
var profileKeys = []profileKey{
	{name: "graph-latency", duration: func(p *Profile) *time.Duration { return &p.GraphLatency }, help: "a duration such as 100ms"},
	{name: "exchange-latency", duration: func(p *Profile) *time.Duration { return &p.ExchangeLatency }, help: "a duration such as 400ms"},
	{name: "token-latency", duration: func(p *Profile) *time.Duration { return &p.TokenLatency }, help: "a duration such as 100ms"},
	{name: "exchange-concurrency", count: func(p *Profile) *int { return &p.ExchangeConcurrency }, help: "a whole number of requests such as 10 (0: no limit)"},
	{name: "exchange-page-size", count: func(p *Profile) *int { return &p.ExchangePageSize }, help: "a whole number of objects such as 1000 (0: no cap)"},
	{name: "graph-ru", count: func(p *Profile) *int { return &p.GraphResourceUnits }, help: "a whole number of resource units such as 8000 (0: no budget)"},
	{name: "graph-ru-window", duration: func(p *Profile) *time.Duration { return &p.GraphWindow }, help: "a duration such as 10s"},
	{name: "graph-writes", count: func(p *Profile) *int { return &p.GraphWrites }, help: "a whole number of writes such as 3000 (0: no budget)"},
	{name: "graph-writes-window", duration: func(p *Profile) *time.Duration { return &p.GraphWriteWindow }, help: "a duration such as 150s"},
}

func profileKeyNames() string {
	names := make([]string, len(profileKeys))
	for i, k := range profileKeys {
		names[i] = k.name
	}
	return strings.Join(names, ", ")
}

// ParseProfile reads a profile SPEC: an optional base, "realistic" or "off",
// then comma-separated NAME=VALUE overrides, for example
// "realistic,exchange-latency=200ms,exchange-concurrency=5,graph-latency=50ms".
// Without a base the overrides apply to "off", so "exchange-latency=50ms"
// adds that latency and nothing else. An empty SPEC is "off". Errors name the
// item (by position and text) and what is allowed.
func ParseProfile(spec string) (Profile, error) {
	var p Profile
	if strings.TrimSpace(spec) == "" {
		return p, nil
	}
	for i, raw := range strings.Split(spec, ",") {
		item := strings.TrimSpace(raw)
		fail := func(format string, args ...any) (Profile, error) {
			return Profile{}, fmt.Errorf("profile item %d %q: %s", i+1, item, fmt.Sprintf(format, args...))
		}
		name, val, hasVal := strings.Cut(item, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if !hasVal {
			switch {
			case item == "":
				return fail("empty item; write realistic, off, or NAME=VALUE such as exchange-latency=200ms")
			case i > 0 && (name == "realistic" || name == "off"):
				return fail("the base profile %s must come first", name)
			case name == "realistic":
				p = RealisticProfile()
			case name == "off":
				p = Profile{}
			default:
				return fail("unknown profile %q; the profiles are realistic and off, and overrides are NAME=VALUE with the names %s", name, profileKeyNames())
			}
			continue
		}
		val = strings.TrimSpace(val)
		k := lookupProfileKey(name)
		if k == nil {
			return fail("unknown setting %q; the settings are %s", name, profileKeyNames())
		}
		if k.duration != nil {
			d, err := time.ParseDuration(val)
			if err != nil || d < 0 {
				return fail("%q is not a valid %s; want %s", val, name, k.help)
			}
			*k.duration(&p) = d
			continue
		}
		n, err := strconv.Atoi(val)
		if err != nil || n < 0 {
			return fail("%q is not a valid %s; want %s", val, name, k.help)
		}
		*k.count(&p) = n
	}
	if err := p.validate(); err != nil {
		return Profile{}, err
	}
	return p, nil
}

func lookupProfileKey(name string) *profileKey {
	for i := range profileKeys {
		if profileKeys[i].name == name {
			return &profileKeys[i]
		}
	}
	return nil
}

// validate checks what single fields cannot: no negative values, and a
// budget has a window to refill over.
func (p Profile) validate() error {
	for _, k := range profileKeys {
		if k.duration != nil && *k.duration(&p) < 0 {
			return fmt.Errorf("profile setting %s is negative", k.name)
		}
		if k.count != nil && *k.count(&p) < 0 {
			return fmt.Errorf("profile setting %s is negative", k.name)
		}
	}
	if p.GraphResourceUnits > 0 && p.GraphWindow <= 0 {
		return fmt.Errorf("profile setting graph-ru=%d needs graph-ru-window, the period it refills over, such as graph-ru-window=10s", p.GraphResourceUnits)
	}
	if p.GraphWrites > 0 && p.GraphWriteWindow <= 0 {
		return fmt.Errorf("profile setting graph-writes=%d needs graph-writes-window, the period it refills over, such as graph-writes-window=150s", p.GraphWrites)
	}
	return nil
}

// String returns the profile as a SPEC that ParseProfile reads back:
// "off", "realistic", or a base followed by the settings that differ from it.
func (p Profile) String() string {
	base, name := Profile{}, "off"
	if r := RealisticProfile(); p.diffCount(r) < p.diffCount(Profile{}) {
		base, name = r, "realistic"
	}
	out := []string{name}
	for _, k := range profileKeys {
		if k.duration != nil {
			if v := *k.duration(&p); v != *k.duration(&base) {
				out = append(out, k.name+"="+v.String())
			}
			continue
		}
		if v := *k.count(&p); v != *k.count(&base) {
			out = append(out, k.name+"="+strconv.Itoa(v))
		}
	}
	return strings.Join(out, ",")
}

// diffCount counts the settings in which p and q differ.
func (p Profile) diffCount(q Profile) int {
	n := 0
	for _, k := range profileKeys {
		if k.duration != nil && *k.duration(&p) != *k.duration(&q) {
			n++
		}
		if k.count != nil && *k.count(&p) != *k.count(&q) {
			n++
		}
	}
	return n
}
