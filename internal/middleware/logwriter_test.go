package middleware

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// writes records each write the LogWriter makes.
type writes struct {
	mu  sync.Mutex
	all []string
}

func (w *writes) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.all = append(w.all, string(p))
	return len(p), nil
}

func (w *writes) get() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.all...)
}

func TestLogWriterBatches(t *testing.T) {
	out := &writes{}
	l := NewLogWriter(out)
	for i := range 100 {
		l.Write([]byte("line " + string(rune('a'+i%26)) + "\n"))
	}
	if got := out.get(); len(got) != 0 {
		t.Fatalf("%d writes before the flush delay, want none", len(got))
	}
	deadline := time.Now().Add(10 * FlushDelay)
	for len(out.get()) == 0 && time.Now().Before(deadline) {
		time.Sleep(FlushDelay / 5)
	}
	got := out.get()
	if len(got) != 1 || strings.Count(got[0], "\n") != 100 {
		t.Fatalf("after the flush delay: %d writes, want one with the 100 lines", len(got))
	}
	// A full buffer goes at once; Close sends the rest and later lines go
	// straight through.
	long := strings.Repeat("x", 1000) + "\n"
	for range 40 {
		l.Write([]byte(long))
	}
	if n := len(out.get()); n != 2 {
		t.Errorf("%d writes after 40 KB of lines, want 2 (the full 32 KB buffer went out)", n)
	}
	l.Close()
	l.Write([]byte("after close\n"))
	got = out.get()
	if len(got) != 4 || got[3] != "after close\n" || strings.Count(strings.Join(got, ""), long) != 40 {
		t.Errorf("after Close: %d writes, last %q", len(got), got[len(got)-1])
	}
}
