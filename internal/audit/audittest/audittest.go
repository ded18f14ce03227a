// Package audittest reads audit logs in tests: the log is written
// asynchronously, so Wait polls the file until the events a test expects
// are there.
package audittest

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// Event is one decoded audit event.
type Event map[string]any

// Field returns the value at path (nested object keys), or nil.
func (e Event) Field(path ...string) any {
	var v any = map[string]any(e)
	for _, k := range path {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

// Read returns the events of the log file at path (none if it does not
// exist), gunzipping a rotated file (PATH.N.gz), failing t on a line that
// is not JSON.
func Read(t testing.TB, path string) []Event {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		r = zr
	}
	var events []Event
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("%s: a line is not JSON (%v): %q", path, err, sc.Text())
		}
		events = append(events, e)
	}
	return events
}

// Wait returns the events of the log at path once enough says they
// suffice, failing t after 10 seconds.
func Wait(t testing.TB, path string, enough func([]Event) bool) []Event {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		events := Read(t, path)
		if enough(events) {
			return events
		}
		if time.Now().After(deadline) {
			b, _ := json.MarshalIndent(events, "", "  ")
			t.Fatalf("the audit log %s never held the events expected; it holds:\n%s", path, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Named returns the events of that name.
func Named(events []Event, name string) []Event {
	var out []Event
	for _, e := range events {
		if e["eventName"] == name {
			out = append(out, e)
		}
	}
	return out
}

// Has returns a predicate for Wait: true once an event of that name with
// that error code ("" for none) is there.
func Has(name, errorCode string) func([]Event) bool {
	return func(events []Event) bool {
		for _, e := range Named(events, name) {
			if code, _ := e["errorCode"].(string); code == errorCode {
				return true
			}
		}
		return false
	}
}

// AtLeast returns a predicate for Wait: true once there are n events.
func AtLeast(n int) func([]Event) bool {
	return func(events []Event) bool { return len(events) >= n }
}
