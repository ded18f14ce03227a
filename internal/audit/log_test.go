package audit

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// readEvents reads the events of a log file, gunzipping a rotated one.
func readEvents(t *testing.T, path string) []Event {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
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
	var list []Event
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("%s: a line is not an event: %v\n%s", path, err, sc.Bytes())
		}
		list = append(list, e)
	}
	return list
}

func numbered(i int) *Event {
	return &Event{EventVersion: EventVersion, EventName: fmt.Sprintf("Op%04d", i), EventType: "AwsApiCall"}
}

func TestLogRotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	l, err := Open(Config{Path: path, MaxSize: 1000, Keep: 2, MinAge: -1})
	if err != nil {
		t.Fatal(err)
	}
	const n = 100
	for i := 0; i < n; i++ {
		l.Write(numbered(i))
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if l.Dropped() != 0 || l.Written() != n {
		t.Fatalf("written %d, dropped %d; want %d and 0", l.Written(), l.Dropped(), n)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "audit.log audit.log.1.gz audit.log.2.gz" {
		t.Fatalf("files %v, want audit.log and two rotated ones, gzipped", names)
	}
	// Newest last: .2 then .1 then the current file, each under the
	// limit, in order, with nothing between them lost.
	var all []Event
	for _, name := range []string{"audit.log.2.gz", "audit.log.1.gz", "audit.log"} {
		p := filepath.Join(dir, name)
		st, _ := os.Stat(p)
		if st.Size() > 1000 {
			t.Errorf("%s has %d bytes, over the 1000 limit", name, st.Size())
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", name, st.Mode().Perm())
		}
		all = append(all, readEvents(t, p)...)
	}
	if len(all) == 0 || len(all) >= n {
		t.Fatalf("%d events kept, want the newest few of %d", len(all), n)
	}
	first := n - len(all)
	for i, e := range all {
		if want := fmt.Sprintf("Op%04d", first+i); e.EventName != want {
			t.Fatalf("event %d is %s, want %s", i, e.EventName, want)
		}
	}

	// A reopened log appends to the current file and keeps rotating.
	l, err = Open(Config{Path: path, MaxSize: 1000, Keep: 2, MinAge: -1})
	if err != nil {
		t.Fatal(err)
	}
	before := len(readEvents(t, path))
	l.Write(numbered(n))
	l.Close()
	if got := readEvents(t, path); len(got) != before+1 && len(got) != 1 {
		t.Errorf("after reopening: %d events in the current file, was %d", len(got), before)
	}
}

func TestLogKeepZero(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "audit.log")
	l, err := Open(Config{Path: path, MaxSize: 300, Keep: 0, MinAge: -1})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		l.Write(numbered(i))
	}
	l.Close()
	if _, err := os.Stat(path + ".1"); !os.IsNotExist(err) {
		t.Errorf("Keep 0 left a rotated file: %v", err)
	}
	if got := readEvents(t, path); len(got) == 0 || got[len(got)-1].EventName != "Op0019" {
		t.Errorf("current file ends with %v, want Op0019", got)
	}
}

// blocked is a writer that blocks until released: a disk that hangs.
type blocked struct {
	release chan struct{}
	mu      sync.Mutex
	lines   int
}

func (b *blocked) Write(p []byte) (int, error) {
	<-b.release
	b.mu.Lock()
	b.lines++
	b.mu.Unlock()
	return len(p), nil
}

func TestLogNeverBlocks(t *testing.T) {
	out := &blocked{release: make(chan struct{})}
	l, err := Open(Config{Stdout: out, QueueSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for i := 0; i < 1000; i++ {
		l.Write(numbered(i))
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("1000 writes to a hung log took %v", d)
	}
	// The writer holds one event, the queue ten; the rest are dropped.
	if d := l.Dropped(); d < 1000-11 || d > 1000-10 {
		t.Errorf("dropped %d, want %d or %d", d, 1000-11, 1000-10)
	}
	close(out.release)
	l.Close()
	if got := uint64(out.lines) + l.Dropped(); got != 1000 {
		t.Errorf("written %d + dropped %d != 1000", out.lines, l.Dropped())
	}
	// After Close, writes are dropped, not panics.
	l.Write(numbered(0))
	if l.Dropped() == 0 {
		t.Error("a write after Close was not counted as dropped")
	}
}

// rotated returns how many rotated (gzipped) files are beside path.
func rotated(t *testing.T, path string) int {
	t.Helper()
	n := 0
	for {
		if _, err := os.Stat(fmt.Sprintf("%s.%d.gz", path, n+1)); err != nil {
			return n
		}
		n++
	}
}

// TestLogRetentionFloor checks that rotated files younger than MinAge are
// kept beyond Keep, up to MaxTotal bytes.
func TestLogRetentionFloor(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l, err := Open(Config{Path: path, MaxSize: 1000, Keep: 2, MinAge: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		l.Write(numbered(i))
	}
	l.Close()
	all := rotated(t, path)
	if all <= 2 {
		t.Fatalf("%d rotated files kept; files younger than MinAge must stay beyond Keep 2", all)
	}
	var events int
	for i := 1; i <= all; i++ {
		events += len(readEvents(t, fmt.Sprintf("%s.%d.gz", path, i)))
	}
	if events += len(readEvents(t, path)); events != 100 {
		t.Errorf("%d events kept, want all 100", events)
	}

	// The disk cap wins over the floor.
	path = filepath.Join(t.TempDir(), "audit.log")
	l, err = Open(Config{Path: path, MaxSize: 1000, Keep: 2, MinAge: time.Hour, MaxTotal: 4000})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		l.Write(numbered(i))
	}
	l.Close()
	var total int64
	for i := 1; i <= rotated(t, path); i++ {
		st, _ := os.Stat(fmt.Sprintf("%s.%d.gz", path, i))
		total += st.Size()
	}
	if n := rotated(t, path); n < 2 || total > 4000 {
		t.Errorf("%d rotated files of %d bytes in all, want at least Keep 2 and at most MaxTotal 4000 bytes", n, total)
	}
}

// TestLogRotatesByAge checks that a file older than MaxAge rotates even
// though it is not full.
func TestLogRotatesByAge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l, err := Open(Config{Path: path, MaxSize: 1 << 20, Keep: 2, MaxAge: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		l.Write(numbered(i))
	}
	l.Close()
	if n := rotated(t, path); n != 2 {
		t.Errorf("%d rotated files after three events with MaxAge 1ns, want 2", n)
	}
}

// refused is the event of a request that named no caller and failed.
func refused(ip, code string, i int) *Event {
	e := numbered(i)
	e.EventSource, e.SourceIPAddress, e.ErrorCode = SourceCodeArtifact, ip, code
	e.UserIdentity.Type = "Unknown"
	e.EventTime = fmt.Sprintf("2026-12-07T08:00:%02dZ", i%60)
	return e
}

// TestRefusalsAreSummarised checks that strangers' refusals become one
// summary event per source and error code, however many there are, and
// that a flood from many sources is bounded.
func TestRefusalsAreSummarised(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l, err := Open(Config{Path: path, MinAge: -1})
	if err != nil {
		t.Fatal(err)
	}
	l.Write(numbered(0)) // an authenticated call, written as it is
	for i := 0; i < 10000; i++ {
		l.Refused(refused("192.0.2.1", "UnauthorizedException", i))
	}
	for i := 0; i < 5; i++ {
		l.Refused(refused("192.0.2.2", "UnauthorizedException", i))
		l.Refused(refused("192.0.2.2", "InvalidSignatureException", i))
	}
	for i := 0; i < 5000; i++ {
		l.Refused(refused(fmt.Sprintf("10.%d.%d.1", i/256, i%256), "UnauthorizedException", i))
	}
	l.Close()
	events := readEvents(t, path)
	if len(events) > 2+maxRefusalSources {
		t.Fatalf("%d events for 15010 refusals, want at most %d", len(events), 2+maxRefusalSources)
	}
	counts := map[string]float64{}
	var total float64
	for _, e := range events[1:] {
		n, _ := e.AdditionalEventData["refusedRequests"].(float64)
		counts[e.SourceIPAddress+" "+e.ErrorCode] = n
		total += n
	}
	if events[0].EventName != "Op0000" || events[0].AdditionalEventData != nil {
		t.Errorf("first event %+v, want the authenticated call unchanged", events[0])
	}
	if counts["192.0.2.1 UnauthorizedException"] != 10000 || counts["192.0.2.2 UnauthorizedException"] != 5 ||
		counts["192.0.2.2 InvalidSignatureException"] != 5 {
		t.Errorf("summaries %v", counts)
	}
	if total != 15010 {
		t.Errorf("the summaries count %v refusals, want 15010", total)
	}
}
