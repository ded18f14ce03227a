package server

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/throttle"
)

// limitConnections bounds the connections served at once to max (no bound
// if max <= 0). A connection over the bound is closed at once, after a 503
// Service Unavailable with Retry-After when the server speaks plain HTTP
// (over TLS, before any handshake, there is nothing a client could read),
// so clients see why and retry instead of waiting in the kernel's
// backlog; refusals are logged at most once a second. ln is the raw
// listener, under any TLS.
func limitConnections(ln net.Listener, max int, plain bool, log *slog.Logger) net.Listener {
	if max <= 0 {
		return ln
	}
	return &limitListener{Listener: ln, sem: make(chan struct{}, max), plain: plain, log: log}
}

type limitListener struct {
	net.Listener
	sem     chan struct{}
	plain   bool
	log     *slog.Logger
	refused refusals
}

// refusal is the whole answer to a connection over the bound.
const refusal = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: text/plain; charset=utf-8\r\n" +
	"Content-Length: 52\r\nConnection: close\r\n\r\nThe server is at its connection limit; retry later.\n"

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		select {
		case l.sem <- struct{}{}:
			return &limitConn{Conn: c, release: func() { <-l.sem }}, nil
		default:
		}
		if l.plain {
			// A fresh socket's send buffer takes the answer without
			// blocking; the deadline covers a peer that is gone.
			c.SetWriteDeadline(time.Now().Add(time.Second))
			io.WriteString(c, refusal)
		}
		c.Close()
		l.refused.note(l.log, "connection refused: at the connection limit (--max-connections)", "limit", cap(l.sem))
	}
}

type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

// ReadFrom keeps sendfile: net/http hands files to the connection's
// ReadFrom, which the wrapper would otherwise hide.
func (c *limitConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c.Conn}, r)
}

// CloseWrite passes through what net/http uses to end a connection
// gracefully.
func (c *limitConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// bodyRateWindow is the span over which a request body's rate is
// measured: a body slower than the minimum over a whole window, or
// silent for a whole window, is cut off.
const bodyRateWindow = 30 * time.Second

// minBodyRate cuts off request bodies that arrive slower than min bytes a
// second, measured over each window (no minimum if min <= 0): otherwise a
// client trickling a large body holds a connection, and what the handler
// holds for it, for as long as it likes. Reading such a body fails with a
// Validation error, which the handler reports, and the connection's read
// deadline makes a silent client's read end too.
func minBodyRate(h http.Handler, min int64, window time.Duration) http.Handler {
	if min <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = &rateBody{ReadCloser: r.Body, rc: http.NewResponseController(w), min: min, window: window, start: time.Now()}
		}
		h.ServeHTTP(w, r)
	})
}

type rateBody struct {
	io.ReadCloser
	rc     *http.ResponseController
	min    int64
	window time.Duration
	start  time.Time // of the current window
	n      int64     // bytes in the current window
	err    error
}

func (b *rateBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	_ = b.rc.SetReadDeadline(time.Now().Add(b.window)) // fails only for connections that cannot have one
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	if err == io.EOF {
		// The server reads on in the background to notice a client that
		// goes away; a deadline left set would end that read, and the
		// request's context with it, while the handler still works.
		_ = b.rc.SetReadDeadline(time.Time{})
		return n, err
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		b.err = b.tooSlow()
		return n, b.err
	}
	if el := time.Since(b.start); el >= b.window && err == nil {
		if float64(b.n) < float64(b.min)*el.Seconds() {
			b.err = b.tooSlow()
			return n, b.err
		}
		b.start, b.n = time.Now(), 0
	}
	return n, err
}

func (b *rateBody) tooSlow() error {
	return errkind.Validationf("The request body arrived slower than %d bytes a second; the server stopped reading it.", b.min)
}

// maxBuffered is the most a request makes any surface hold in memory: an
// npm publish document of 32 MiB, about twice that while it is decoded.
const maxBuffered = 64 << 20

// budgetWait is how long a request waits for room in the buffer budget
// before it is refused.
const budgetWait = 5 * time.Second

// bufferBudget makes each request with a body reserve, from the
// server-wide budget, what it may make the server buffer: its declared
// length, up to maxBuffered (a body of unknown length counts for
// maxBuffered), until the handler returns. A request that finds no room
// within budgetWait is answered 503 Service Unavailable with Retry-After,
// before any of its body is read. Bodies streamed to the blob store count
// as much as buffered ones of the same length: the budget is a bound, not
// a measure.
func bufferBudget(h http.Handler, b *throttle.Budget, log *slog.Logger) http.Handler {
	if b == nil {
		return h
	}
	var refused refusals
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := r.ContentLength
		if r.Body == nil || r.Body == http.NoBody || n == 0 {
			h.ServeHTTP(w, r)
			return
		}
		if n < 0 || n > maxBuffered {
			n = maxBuffered
		}
		release, ok := b.Reserve(r.Context(), n)
		if !ok {
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Connection", "close")
			http.Error(w, "The server is holding as many request bodies as it may; retry later.", http.StatusServiceUnavailable)
			refused.note(log, "request refused: the buffer budget is spent (--buffer-budget)")
			return
		}
		defer release()
		h.ServeHTTP(w, r)
	})
}

// refusals counts what a limit refused and logs it at most once a second,
// with the count so far: a flood of refusals does not flood the log.
type refusals struct {
	n       atomic.Int64
	lastLog atomic.Int64 // unix second of the last refusal logged
}

func (r *refusals) note(log *slog.Logger, msg string, args ...any) {
	n := r.n.Add(1)
	if now := time.Now().Unix(); r.lastLog.Swap(now) != now {
		log.Warn(msg, append(args, "refused_total", n)...)
	}
}
