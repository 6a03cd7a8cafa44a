package sim

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configure a simulated tenant server.
type Options struct {
	// StatePath is the JSON state file. If it is missing it is created and
	// seeded (see Tenant). The CA lives beside it (STATE.ca.pem,
	// STATE.ca-key.pem) and so does the lock file (STATE.lock).
	StatePath string
	// Listen is the TCP address to listen on; default "127.0.0.1:0".
	Listen string
	// Faults is a fault SPEC (see ParseFaults); "" injects none.
	Faults string
	// Lag is the longest replication lag: each change becomes visible to
	// reads after a random delay in (0, Lag]. 0 means reads see writes at once.
	Lag time.Duration
	// Seed seeds the random choices of faults and lag, so a run is
	// reproducible for a seed and a request order.
	Seed int64
	// Tenant is used only when seeding a new state: a GUID or an initial
	// domain like "fabrikam.onmicrosoft.com"; "" is the demo tenant
	// contoso.onmicrosoft.com.
	Tenant string
	// RetryAfter is the Retry-After sent with injected 429 and 503 (rounded
	// up to whole seconds); default 1s.
	RetryAfter time.Duration
	// Stall is how long a "stall" fault holds a request before dropping its
	// connection; default 15 minutes, as long as an Exchange cmdlet may run.
	Stall time.Duration
	// The counts below are, when a new state is seeded, how many objects
	// the generator adds to the demo tenant (generate.go; 0 = none).
	//
	// Mailboxes are user mailboxes user00001@<domain>…, with people's names
	// as display names.
	Mailboxes int
	// SharedMailboxes are functional and project shared mailboxes.
	SharedMailboxes int
	// MailboxPermissions are explicit entries on the generated shared
	// mailboxes, half (rounded up) FullAccess and half SendAs, with user
	// mailboxes as trustees. Needs SharedMailboxes.
	MailboxPermissions int
	// Connectors are inbound connectors.
	Connectors int
	// TransportRules are transport rules, after the demo tenant's one.
	TransportRules int
	// Apps are app registrations, each with its service principal.
	Apps int
	// SMTPAuthOverrides are generated user mailboxes with an explicit
	// SmtpClientAuthenticationDisabled; at most Mailboxes.
	SMTPAuthOverrides int
	// GenerateSeed seeds the generator: the same seed (and tenant and
	// counts) gives the same state, but for the token signing key and the
	// admin app's secret. It is unrelated to Seed.
	GenerateSeed int64
	// Profile is the latency and limits model (see ParseProfile and
	// RealisticProfile); the zero Profile ("off") answers at once with no
	// limits.
	Profile Profile

	// now replaces the clock for tokens, timestamps, lag and the Graph
	// budgets; tests set it.
	now func() time.Time
	// sleep replaces the profile's latency wait; tests set it to see the
	// waits without spending them.
	sleep func(context.Context, time.Duration) error
}

// Server is a running simulated tenant.
type Server struct {
	opts   Options
	now    func() time.Time
	faults []Fault
	store  *store
	ca     *certAuthority
	ln     net.Listener
	srv    *http.Server
	host   string // host:port clients use in URLs
	stats  *statsCounter
	limits *limits                                    // the running Profile
	sleep  func(context.Context, time.Duration) error // the latency wait

	rngMu     sync.Mutex            // guards the RNGs
	faultRNG  *rand.Rand            // fault shapes (coinFlip)
	faultRNGs map[string]*rand.Rand // whether a request faults: one stream per cmdlet (pickFault)
	lagRNG    *rand.Rand

	connMu sync.Mutex
	conns  map[net.Conn]http.ConnState // for closing never-used connections at Close

	closeOnce sync.Once
	closeErr  error
	stopMu    sync.Mutex
	stop      func() bool // unregisters the ctx watcher; guarded by stopMu
}

// Start opens (or seeds) the state, loads (or creates) the CA, and serves
// HTTPS on Options.Listen until Close is called or ctx is done.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.StatePath == "" {
		return nil, errors.New("sim: Options.StatePath is required")
	}
	if opts.Listen == "" {
		opts.Listen = "127.0.0.1:0"
	}
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = time.Second
	}
	if opts.Stall <= 0 {
		opts.Stall = 15 * time.Minute
	}
	if opts.Lag < 0 {
		return nil, fmt.Errorf("sim: Options.Lag %v is negative", opts.Lag)
	}
	faults, err := ParseFaults(opts.Faults)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	if err := opts.Profile.validate(); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	s := &Server{
		opts: opts, now: opts.now, faults: faults, stats: newStatsCounter(),
		limits: newLimits(opts.Profile), sleep: opts.sleep,
		conns: map[net.Conn]http.ConnState{},
		// Separate streams, so adding lag does not change which requests fault.
		faultRNG:  rand.New(rand.NewPCG(uint64(opts.Seed), 0x6661756c74)),
		faultRNGs: map[string]*rand.Rand{},
		lagRNG:    rand.New(rand.NewPCG(uint64(opts.Seed), 0x6c6167)),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.sleep == nil {
		s.sleep = sleepContext
	}
	if opts.generates() {
		if err := seedIfMissing(opts.StatePath, opts); err != nil {
			return nil, err
		}
	}
	s.store, err = openStore(opts.StatePath, opts.Tenant, func() error {
		var err error
		s.ca, err = loadOrCreateCA(opts.StatePath)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := s.listen(); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	// The callback may run at once (ctx already ended) and reads stop in Close: guard it.
	s.stopMu.Lock()
	s.stop = context.AfterFunc(ctx, func() { s.Close() })
	s.stopMu.Unlock()
	return s, nil
}

func (s *Server) listen() error {
	ln, err := net.Listen("tcp", s.opts.Listen)
	if err != nil {
		return err
	}
	addr := ln.Addr().(*net.TCPAddr)
	ip := addr.IP
	host := ip.String()
	if ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	s.host = net.JoinHostPort(host, strconv.Itoa(addr.Port))
	leaf, err := s.ca.issueLeaf(ip)
	if err != nil {
		ln.Close()
		return err
	}
	s.ln = ln
	s.srv = &http.Server{
		// The model wraps the router: latency, limits and accounting happen
		// before a request reaches a handler, and outside the state lock.
		Handler:           s.modelHandler(s),
		ReadHeaderTimeout: 30 * time.Second,
		// HTTP/1.1 only: the reset fault hijacks connections, which HTTP/2
		// cannot do.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
		// Clients that do not trust the CA fail handshakes; that is their
		// error to report, not noise for the sim's stderr.
		ErrorLog:  log.New(io.Discard, "", 0),
		ConnState: s.trackConn,
	}
	tl := tls.NewListener(ln, &tls.Config{
		Certificates: []tls.Certificate{leaf},
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"http/1.1"},
	})
	go s.srv.Serve(tl)
	return nil
}

// Close stops the server and closes open connections. It is safe to call
// more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.stopMu.Lock()
		stop := s.stop
		s.stopMu.Unlock()
		if stop != nil {
			stop()
		}
		// Shutdown waits for requests in flight, but treats a connection
		// that has not sent its first request as busy for 5 seconds; clients
		// dial spare connections under concurrency, so close those first.
		s.connMu.Lock()
		for c, st := range s.conns {
			if st == http.StateNew {
				c.Close()
			}
		}
		s.connMu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.srv.Shutdown(ctx); err != nil {
			s.closeErr = s.srv.Close()
		}
	})
	return s.closeErr
}

func (s *Server) trackConn(c net.Conn, st http.ConnState) {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	switch st {
	case http.StateClosed, http.StateHijacked:
		delete(s.conns, c)
	default:
		s.conns[c] = st
	}
}

// Cloud returns the endpoints, CA and admin credentials of the server. The
// tenant and credentials are read from the state, so they follow a Reset.
func (s *Server) Cloud() Cloud {
	base := "https://" + s.host
	c := Cloud{
		Name:          "sim",
		AuthorityHost: base + "/",
		ExchangeURL:   base,
		ExchangeScope: exchangeResource + "/.default",
		GraphURL:      base + "/graph",
		GraphScope:    graphResource + "/.default",
		CACertPEM:     string(s.ca.certPEM),
	}
	_ = s.store.read(func(st *state) error {
		c.TenantID, c.TenantDomain = st.Tenant.ID, st.Tenant.InitialDomain
		c.ClientID, c.ClientSecret = st.AdminApp.ClientID, st.AdminApp.ClientSecret
		return nil
	})
	return c
}

// WriteCloudFile writes Cloud() as JSON to path, mode 0600.
func (s *Server) WriteCloudFile(path string) error { return s.Cloud().WriteCloudFile(path) }

// Stats returns a copy of the request and fault counters and of the
// per-service accounting.
func (s *Server) Stats() Stats { return s.stats.snapshot() }

// lagDelay draws the replication delay for one change.
func (s *Server) lagDelay() time.Duration {
	if s.opts.Lag <= 0 {
		return 0
	}
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return time.Duration(s.lagRNG.Int64N(int64(s.opts.Lag))) + 1
}

// ServeHTTP routes by path. Routing is by hand because Entra's
// "/{tenant}/..." paths overlap every other top-level path.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Request-Id", newGUID())
	seg := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case len(seg) == 4 && strings.EqualFold(seg[0], "adminapi") && strings.EqualFold(seg[1], "beta") && strings.EqualFold(seg[3], "InvokeCommand"):
		s.handleInvoke(w, r, seg[2])
	case len(seg) == 4 && strings.EqualFold(seg[0], "adminapi") && strings.EqualFold(seg[1], "beta") && seg[3] == "$batch":
		s.handleExBatch(w, r, seg[2])
	case seg[0] == "graph":
		s.handleGraph(w, r, seg)
	case len(seg) == 4 && seg[1] == "v2.0" && seg[2] == ".well-known" && seg[3] == "openid-configuration" && r.Method == http.MethodGet:
		s.handleOpenID(w, r, seg[0])
	case len(seg) == 4 && seg[1] == "oauth2" && seg[2] == "v2.0" && seg[3] == "token":
		s.handleToken(w, r, seg[0])
	case len(seg) == 4 && seg[1] == "discovery" && seg[2] == "v2.0" && seg[3] == "keys":
		s.handleJWKS(w, r)
	default:
		http.NotFound(w, r)
	}
}
