package server

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// serve serves h on a loopback listener wrapped by wrap until the test
// ends, and returns its address.
func serve(t *testing.T, h http.Handler, wrap func(net.Listener) net.Listener) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(wrap(ln))
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// post sends a POST of length bytes, written by body, and returns the
// status of the answer (0 if the connection closed without one).
func post(t *testing.T, addr string, length int, body func(io.Writer)) int {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", length)
	go body(c)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// drain reads the whole body: 200, or 400 if reading failed.
var drain = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if _, err := io.Copy(io.Discard, r.Body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
	}
})

// TestMinBodyRate checks that a body trickling in slower than the minimum
// is cut off, as is one that stops, while a prompt one is read whole.
func TestMinBodyRate(t *testing.T) {
	const size = 100_000
	addr := serve(t, minBodyRate(drain, 100_000, 100*time.Millisecond), func(ln net.Listener) net.Listener { return ln })
	if got := post(t, addr, size, func(w io.Writer) { w.Write(make([]byte, size)) }); got != http.StatusOK {
		t.Errorf("a prompt body: %d, want 200", got)
	}
	trickle := func(w io.Writer) {
		for range size {
			if _, err := w.Write([]byte{'x'}); err != nil {
				return
			}
			time.Sleep(10 * time.Millisecond) // 100 bytes a second
		}
	}
	if got := post(t, addr, size, trickle); got == http.StatusOK {
		t.Errorf("a body at 100 bytes a second: %d, want it cut off", got)
	}
	if got := post(t, addr, size, func(w io.Writer) { w.Write([]byte("a start, then silence")) }); got == http.StatusOK {
		t.Errorf("a body that stops: %d, want it cut off", got)
	}
}

// TestConnectionLimit checks that a connection over the limit is answered
// 503 with Retry-After, and that a freed slot is used again.
func TestConnectionLimit(t *testing.T) {
	addr := serve(t, drain, func(ln net.Listener) net.Listener {
		return limitConnections(ln, 1, true, slog.New(slog.DiscardHandler))
	})
	held, err := net.Dial("tcp", addr) // takes the one slot
	if err != nil {
		t.Fatal(err)
	}
	// The held connection is accepted once a request arrives on it.
	fmt.Fprintf(held, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(held)
	if resp, err := http.ReadResponse(br, nil); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the first connection: %v", err)
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	c.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(b), "connection limit") {
		t.Errorf("over the limit: %d Retry-After %q %q", resp.StatusCode, resp.Header.Get("Retry-After"), b)
	}
	held.Close()
	// The slot is free again once the server has seen the close.
	for i := 0; ; i++ {
		if got := post(t, addr, 2, func(w io.Writer) { w.Write([]byte("ok")) }); got == http.StatusOK {
			break
		}
		if i == 10000 {
			t.Fatal("the freed slot is never used again")
		}
	}
}
