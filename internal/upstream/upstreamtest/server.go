package upstreamtest

import (
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// server is what the fakes share: a real HTTP server on 127.0.0.1 whose
// address survives Down and Up, which counts requests by decoded path,
// keeps the headers of the last request for each path, and can be made to
// refuse connections, answer late or answer an error. Each fake embeds
// one and serves its content with the handler it starts it with.
type server struct {
	t    testing.TB
	what string // "fake npm registry", for failures
	addr string
	srv  *http.Server
	// handle serves a counted GET or HEAD that is not delayed away or
	// answered with the status of SetStatus.
	handle http.HandlerFunc
	// writeError answers an error in the fake's form.
	writeError func(w http.ResponseWriter, status int, msg string)

	delay  atomic.Int64 // time.Duration before answering
	status atomic.Int32 // when not 0, the status every request gets
	total  atomic.Int64

	netMu   sync.Mutex               // guards what follows
	ln      net.Listener             // nil while down
	conns   map[net.Conn]struct{}    // open connections, dropped by Down
	counts  map[string]*atomic.Int64 // requests by path
	headers map[string]http.Header   // the last request's by path
}

// start listens on a free port of 127.0.0.1 and serves until the test
// ends. It returns the base URL, http://127.0.0.1:PORT.
func (s *server) start(t testing.TB, what string, handle http.HandlerFunc, writeError func(http.ResponseWriter, int, string)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.t, s.what, s.addr, s.handle, s.writeError = t, what, ln.Addr().String(), handle, writeError
	s.conns, s.counts, s.headers = map[net.Conn]struct{}{}, map[string]*atomic.Int64{}, map[string]http.Header{}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ConnState: s.connState}
	s.serveOn(ln)
	t.Cleanup(func() { s.srv.Close() })
	return "http://" + s.addr
}

// plainError answers an error as text, as most registries do.
func plainError(w http.ResponseWriter, status int, msg string) { http.Error(w, msg, status) }

func (s *server) serveOn(ln net.Listener) {
	s.netMu.Lock()
	s.ln = ln
	s.netMu.Unlock()
	go s.srv.Serve(ln) // returns when Down or Cleanup closes ln
}

func (s *server) connState(c net.Conn, state http.ConnState) {
	s.netMu.Lock()
	defer s.netMu.Unlock()
	switch state {
	case http.StateNew:
		s.conns[c] = struct{}{}
	case http.StateClosed, http.StateHijacked:
		delete(s.conns, c)
	}
}

// serve counts a request, then delays it, answers it with the status of
// SetStatus, refuses a method other than GET and HEAD, or hands it to the
// fake.
func (s *server) serve(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path // decoded: %2f and %2F are "/"
	s.total.Add(1)
	s.netMu.Lock()
	c := s.counts[path]
	if c == nil {
		c = new(atomic.Int64)
		s.counts[path] = c
	}
	s.headers[path] = r.Header.Clone()
	s.netMu.Unlock()
	c.Add(1)

	if d := time.Duration(s.delay.Load()); d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	if status := int(s.status.Load()); status != 0 {
		s.writeError(w, status, http.StatusText(status))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.writeError(w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	s.handle(w, r)
}

// Down makes the fake refuse connections: it closes its listener and
// every open connection (requests in progress fail), until Up.
func (s *server) Down() {
	s.netMu.Lock()
	defer s.netMu.Unlock()
	if s.ln != nil {
		s.ln.Close()
		s.ln = nil
	}
	for c := range s.conns {
		c.Close()
		delete(s.conns, c)
	}
}

// Up listens again on the same address after Down.
func (s *server) Up() {
	s.t.Helper()
	s.netMu.Lock()
	up := s.ln != nil
	s.netMu.Unlock()
	if up {
		return
	}
	var ln net.Listener
	var err error
	for range 50 { // the port may linger for a moment
		if ln, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatalf("%s: listen again on %s: %v", s.what, s.addr, err)
	}
	s.serveOn(ln)
}

// SetDelay makes every request wait d before it is answered (0 to stop).
// A client that gives up earlier ends the wait.
func (s *server) SetDelay(d time.Duration) { s.delay.Store(int64(d)) }

// SetStatus makes every request answered with status (0 to serve
// normally again): 503 for an outage behind a load balancer, 500 for a
// broken registry, 429 for throttling.
func (s *server) SetStatus(status int) { s.status.Store(int32(status)) }

// Reset undoes Down, SetDelay and SetStatus.
func (s *server) Reset() {
	s.SetDelay(0)
	s.SetStatus(0)
	s.Up()
}

// Requests returns how many requests reached path (decoded).
func (s *server) Requests(path string) int64 {
	s.netMu.Lock()
	defer s.netMu.Unlock()
	if c := s.counts[path]; c != nil {
		return c.Load()
	}
	return 0
}

// Total returns how many requests reached the fake.
func (s *server) Total() int64 { return s.total.Load() }

// Header returns the headers of the last request for path.
func (s *server) Header(path string) http.Header {
	s.netMu.Lock()
	defer s.netMu.Unlock()
	return s.headers[path].Clone()
}
