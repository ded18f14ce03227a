package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/errkind"
)

// Run runs the conformance suite against stores made by newStore, which is
// called once per subtest and must return an empty store that lives until
// the subtest ends (use t.Cleanup).
func Run(t *testing.T, newStore func(t *testing.T) blob.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s blob.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"Empty", testEmpty},
		{"Large10MiBOddWrites", testLarge},
		{"MissingIsNotFound", testMissing},
		{"CommitWrongDigest", testWrongDigest},
		{"Cancel", testCancel},
		{"CancelAfterCommit", testCancelAfterCommit},
		{"EndedWriterRefuses", testEndedWriter},
		{"CancelledContext", testCancelledContext},
		{"PutReaderError", testPutReaderError},
		{"Dedup", testDedup},
		{"ConcurrentCommitSameContent", testConcurrentSame},
		{"NoPartialBlobVisible", testNoPartial},
		{"Delete", testDelete},
		{"Walk", testWalk},
		{"WalkStopsOnError", testWalkStops},
		{"Seek", testSeek},
		{"ServeContentRange", testServeContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, newStore(t))
		})
	}
}

// content returns n deterministic pseudo-random bytes; different seeds give
// different content.
func content(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 0x617263612d626c6f)) // "arca-blo"
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func sum(b []byte) blob.Digest { return blob.Digest(sha256.Sum256(b)) }

func put(t *testing.T, s blob.Store, b []byte) blob.Info {
	t.Helper()
	info, err := blob.Put(t.Context(), s, bytes.NewReader(b))
	if err != nil {
		t.Fatalf("Put(%d bytes): %v", len(b), err)
	}
	return info
}

func create(t *testing.T, s blob.Store) blob.Writer {
	t.Helper()
	w, err := s.Create(t.Context())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { _ = w.Cancel(context.Background()) })
	return w
}

func write(t *testing.T, w blob.Writer, b []byte) {
	t.Helper()
	n, err := w.Write(b)
	if err != nil || n != len(b) {
		t.Fatalf("Write(%d bytes) = %d, %v", len(b), n, err)
	}
}

// readBlob opens d and returns its bytes, checking the Info that Open returns.
func readBlob(t *testing.T, s blob.Store, d blob.Digest) []byte {
	t.Helper()
	rc, info, err := s.Open(t.Context(), d)
	if err != nil {
		t.Fatalf("Open(%s): %v", d, err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading %s: %v", d, err)
	}
	if info.Digest != d || info.Size != int64(len(got)) {
		t.Errorf("Open(%s) Info = {%s, %d}, read %d bytes", d, info.Digest, info.Size, len(got))
	}
	return got
}

// checkBlob asserts that d is stored with exactly the bytes want.
func checkBlob(t *testing.T, s blob.Store, d blob.Digest, want []byte) {
	t.Helper()
	if d != sum(want) {
		t.Fatalf("digest %s, want sha256 %s", d, sum(want))
	}
	info, err := s.Stat(t.Context(), d)
	if err != nil {
		t.Fatalf("Stat(%s): %v", d, err)
	}
	if info.Digest != d || info.Size != int64(len(want)) {
		t.Errorf("Stat(%s) = {%s, %d}, want size %d", d, info.Digest, info.Size, len(want))
	}
	if got := readBlob(t, s, d); !bytes.Equal(got, want) {
		t.Errorf("blob %s: read %d bytes that differ from the %d written", d, len(got), len(want))
	}
}

// checkAbsent asserts that d is invisible to Stat and Open.
func checkAbsent(t *testing.T, s blob.Store, d blob.Digest) {
	t.Helper()
	if info, err := s.Stat(t.Context(), d); !errors.Is(err, errkind.ErrNotFound) {
		t.Errorf("Stat(%s) = %+v, %v; want an error matching errkind.ErrNotFound", d, info, err)
	}
	rc, _, err := s.Open(t.Context(), d)
	if rc != nil {
		rc.Close()
	}
	if !errors.Is(err, errkind.ErrNotFound) {
		t.Errorf("Open(%s) error = %v; want one matching errkind.ErrNotFound", d, err)
	}
}

// walk returns every blob Walk reports, failing on duplicates.
func walk(t *testing.T, s blob.Store) map[blob.Digest]blob.Info {
	t.Helper()
	seen := map[blob.Digest]blob.Info{}
	err := s.Walk(t.Context(), func(info blob.Info) error {
		if _, dup := seen[info.Digest]; dup {
			t.Errorf("Walk reported %s twice", info.Digest)
		}
		seen[info.Digest] = info
		return nil
	})
	if err != nil {
		t.Fatalf("Walk: %v", err)
	}
	return seen
}

func checkEmpty(t *testing.T, s blob.Store) {
	t.Helper()
	if got := walk(t, s); len(got) != 0 {
		t.Errorf("Walk reported %d blobs, want none: %v", len(got), got)
	}
}

func testRoundTrip(t *testing.T, s blob.Store) {
	want := []byte("hello, arca\n")
	w := create(t, s)
	write(t, w, want[:5])
	write(t, w, want[5:])
	if w.Size() != int64(len(want)) {
		t.Errorf("Size() = %d, want %d", w.Size(), len(want))
	}
	if w.Digest() != sum(want) {
		t.Errorf("Digest() = %s, want %s", w.Digest(), sum(want))
	}
	info, err := w.Commit(t.Context(), sum(want))
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if info.Digest != sum(want) || info.Size != int64(len(want)) {
		t.Errorf("Commit Info = {%s, %d}, want {%s, %d}", info.Digest, info.Size, sum(want), len(want))
	}
	checkBlob(t, s, info.Digest, want)

	// Put is the same thing in one call.
	other := content(1000, 1)
	pinfo := put(t, s, other)
	checkBlob(t, s, pinfo.Digest, other)
}

func testEmpty(t *testing.T, s blob.Store) {
	w := create(t, s)
	empty := sum(nil)
	if w.Size() != 0 || w.Digest() != empty {
		t.Errorf("new Writer: Size() = %d, Digest() = %s; want 0, %s", w.Size(), w.Digest(), empty)
	}
	info, err := w.Commit(t.Context(), empty)
	if err != nil {
		t.Fatalf("Commit(empty): %v", err)
	}
	if info.Size != 0 {
		t.Errorf("Commit Info.Size = %d, want 0", info.Size)
	}
	checkBlob(t, s, empty, nil)
	if got := walk(t, s); len(got) != 1 || got[empty].Size != 0 {
		t.Errorf("Walk = %v, want just the empty blob", got)
	}
}

func testLarge(t *testing.T, s blob.Store) {
	want := content(10<<20, 2)
	w := create(t, s)
	// Odd sizes straddle every buffer boundary a backend might have (file
	// system blocks, hash blocks, multipart parts).
	sizes := []int{1, 63, 64, 65, 4093, 65537, 1<<20 + 7, 3, 5<<20 + 11}
	off, i := 0, 0
	for off < len(want) {
		n := min(sizes[i%len(sizes)], len(want)-off)
		write(t, w, want[off:off+n])
		off += n
		i++
		if w.Size() != int64(off) {
			t.Fatalf("after %d bytes, Size() = %d", off, w.Size())
		}
		if i == 5 && w.Digest() != sum(want[:off]) {
			t.Fatalf("after %d bytes, Digest() = %s, want %s", off, w.Digest(), sum(want[:off]))
		}
	}
	info, err := w.Commit(t.Context(), sum(want))
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if info.Size != int64(len(want)) {
		t.Errorf("Commit Info.Size = %d, want %d", info.Size, len(want))
	}
	checkBlob(t, s, sum(want), want)
}

func testMissing(t *testing.T, s blob.Store) {
	checkAbsent(t, s, sum([]byte("never stored")))
	checkAbsent(t, s, blob.Digest{})
}

func testWrongDigest(t *testing.T, s blob.Store) {
	data := []byte("the bytes a client sent")
	claimed := sum([]byte("the bytes a client claimed"))
	w := create(t, s)
	write(t, w, data)
	_, err := w.Commit(t.Context(), claimed)
	if err == nil {
		t.Fatal("Commit with the wrong digest succeeded")
	}
	if k := errkind.KindOf(err); k != errkind.Validation || !errors.Is(err, errkind.ErrValidation) {
		t.Errorf("Commit with the wrong digest: error %v has kind %v, want Validation", err, k)
	}
	checkAbsent(t, s, sum(data))
	checkAbsent(t, s, claimed)
	checkEmpty(t, s)
	if err := w.Cancel(t.Context()); err != nil {
		t.Errorf("Cancel after a failed Commit: %v, want nil", err)
	}
}

func testCancel(t *testing.T, s blob.Store) {
	data := content(100_000, 3)
	w := create(t, s)
	write(t, w, data)
	if err := w.Cancel(t.Context()); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	checkAbsent(t, s, sum(data))
	checkEmpty(t, s)
	if err := w.Cancel(t.Context()); err != nil {
		t.Errorf("second Cancel: %v, want nil", err)
	}

	// Cancel is the cleanup path: it must work when the request is gone.
	ctx, cancel := context.WithCancel(t.Context())
	w2, err := s.Create(ctx)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	write(t, w2, data[:10])
	cancel()
	if err := w2.Cancel(ctx); err != nil {
		t.Errorf("Cancel with a done context: %v, want nil", err)
	}
	checkEmpty(t, s)
}

func testCancelAfterCommit(t *testing.T, s blob.Store) {
	data := []byte("keep me")
	w := create(t, s)
	write(t, w, data)
	if _, err := w.Commit(t.Context(), sum(data)); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if err := w.Cancel(t.Context()); err != nil {
		t.Errorf("Cancel after Commit: %v, want nil", err)
	}
	checkBlob(t, s, sum(data), data)
}

func testEndedWriter(t *testing.T, s blob.Store) {
	data := []byte("once")
	w := create(t, s)
	write(t, w, data)
	if _, err := w.Commit(t.Context(), sum(data)); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if _, err := w.Write([]byte("more")); !errors.Is(err, blob.ErrWriterClosed) {
		t.Errorf("Write after Commit: %v, want ErrWriterClosed", err)
	}
	if _, err := w.Commit(t.Context(), sum(data)); !errors.Is(err, blob.ErrWriterClosed) {
		t.Errorf("second Commit: %v, want ErrWriterClosed", err)
	}
	checkBlob(t, s, sum(data), data)

	w2 := create(t, s)
	if err := w2.Cancel(t.Context()); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	if _, err := w2.Write(data); !errors.Is(err, blob.ErrWriterClosed) {
		t.Errorf("Write after Cancel: %v, want ErrWriterClosed", err)
	}
	if _, err := w2.Commit(t.Context(), sum(nil)); !errors.Is(err, blob.ErrWriterClosed) {
		t.Errorf("Commit after Cancel: %v, want ErrWriterClosed", err)
	}
}

func testCancelledContext(t *testing.T, s blob.Store) {
	done, cancel := context.WithCancel(t.Context())
	cancel()

	if w, err := s.Create(done); err == nil {
		_ = w.Cancel(t.Context())
		t.Error("Create with a done context succeeded")
	}

	// Commit with a done context publishes nothing.
	data := []byte("too late")
	w := create(t, s)
	write(t, w, data)
	_, err := w.Commit(done, sum(data))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Commit with a done context: %v, want an error matching context.Canceled", err)
	}
	checkAbsent(t, s, sum(data))
	checkEmpty(t, s)

	// Once Create's context is done, Write fails and nothing can be published.
	ctx, cancel2 := context.WithCancel(t.Context())
	w2, err := s.Create(ctx)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	defer w2.Cancel(t.Context())
	write(t, w2, data[:3])
	cancel2()
	if _, err := w2.Write(data[3:]); err == nil {
		t.Error("Write after Create's context was cancelled succeeded")
	}
	if _, err := w2.Commit(t.Context(), w2.Digest()); err == nil {
		t.Error("Commit after a failed Write succeeded")
	}
	checkEmpty(t, s)
}

type failingReader struct{ n int }

var errRead = errors.New("connection reset by peer")

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, errRead
	}
	n := min(len(p), r.n)
	clear(p[:n])
	r.n -= n
	return n, nil
}

func testPutReaderError(t *testing.T, s blob.Store) {
	_, err := blob.Put(t.Context(), s, &failingReader{n: 50_000})
	if !errors.Is(err, errRead) {
		t.Errorf("Put from a failing reader: %v, want the reader's error", err)
	}
	checkEmpty(t, s)
}

func testDedup(t *testing.T, s blob.Store) {
	data := content(4096, 4)
	first := put(t, s, data)
	second := put(t, s, data)
	if first.Digest != second.Digest || second.Size != int64(len(data)) {
		t.Errorf("second Put = {%s, %d}, want {%s, %d}", second.Digest, second.Size, first.Digest, len(data))
	}
	got := walk(t, s)
	if len(got) != 1 {
		t.Errorf("Walk reported %d blobs after storing the same content twice, want 1", len(got))
	}
	checkBlob(t, s, first.Digest, data)
}

func testConcurrentSame(t *testing.T, s blob.Store) {
	const writers = 8
	data := content(256<<10+17, 5)
	d := sum(data)
	ctx := t.Context()

	// Readers poll while the writers commit: whenever Open succeeds, the
	// bytes must be complete.
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				rc, _, err := s.Open(ctx, d)
				if err != nil {
					if !errors.Is(err, errkind.ErrNotFound) {
						t.Errorf("concurrent Open: %v", err)
						return
					}
					continue
				}
				got, err := io.ReadAll(rc)
				rc.Close()
				if err != nil || !bytes.Equal(got, data) {
					t.Errorf("concurrent reader saw %d bytes (err %v), want the complete %d", len(got), err, len(data))
					return
				}
			}
		})
	}

	// Every writer writes everything, then all commit at once.
	var wrote, committed sync.WaitGroup
	wrote.Add(writers)
	start := make(chan struct{})
	errs := make([]error, writers)
	for i := range writers {
		committed.Go(func() {
			w, err := s.Create(ctx)
			if err != nil {
				errs[i] = err
				wrote.Done()
				return
			}
			defer w.Cancel(context.Background())
			for off := 0; off < len(data) && err == nil; off += 10007 {
				_, err = w.Write(data[off:min(off+10007, len(data))])
			}
			wrote.Done()
			if err != nil {
				errs[i] = err
				return
			}
			<-start
			_, errs[i] = w.Commit(ctx, d)
		})
	}
	wrote.Wait()
	close(start)
	committed.Wait()
	close(stop)
	readers.Wait()

	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
	if got := walk(t, s); len(got) != 1 || got[d].Size != int64(len(data)) {
		t.Errorf("Walk after %d concurrent commits = %v, want one blob of %d bytes", writers, got, len(data))
	}
	checkBlob(t, s, d, data)
}

func testNoPartial(t *testing.T, s blob.Store) {
	data := content(200_000, 6)
	w := create(t, s)
	write(t, w, data[:len(data)/2])
	partial := w.Digest()
	checkAbsent(t, s, partial)
	checkAbsent(t, s, sum(data))
	checkEmpty(t, s)
	write(t, w, data[len(data)/2:])
	checkAbsent(t, s, sum(data))
	checkEmpty(t, s)
	if _, err := w.Commit(t.Context(), sum(data)); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	checkBlob(t, s, sum(data), data)
	checkAbsent(t, s, partial)
}

func testDelete(t *testing.T, s blob.Store) {
	keep := put(t, s, []byte("keep"))
	gone := put(t, s, []byte("gone"))
	if err := s.Delete(t.Context(), gone.Digest); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	checkAbsent(t, s, gone.Digest)
	if err := s.Delete(t.Context(), gone.Digest); err != nil {
		t.Errorf("Delete of a deleted blob: %v, want nil", err)
	}
	if err := s.Delete(t.Context(), sum([]byte("never stored"))); err != nil {
		t.Errorf("Delete of a missing blob: %v, want nil", err)
	}
	if got := walk(t, s); len(got) != 1 || got[keep.Digest].Size != keep.Size {
		t.Errorf("Walk after Delete = %v, want only %s", got, keep.Digest)
	}
	checkBlob(t, s, keep.Digest, []byte("keep"))

	// The same content can be stored again (the sweep may have raced an upload).
	again := put(t, s, []byte("gone"))
	checkBlob(t, s, again.Digest, []byte("gone"))
}

func testWalk(t *testing.T, s blob.Store) {
	checkEmpty(t, s)
	want := map[blob.Digest]int64{}
	for i := range 40 {
		b := content(i*37, uint64(100+i)) // includes the empty blob
		want[put(t, s, b).Digest] = int64(len(b))
	}
	got := walk(t, s)
	if len(got) != len(want) {
		t.Errorf("Walk reported %d blobs, want %d", len(got), len(want))
	}
	for d, size := range want {
		info, ok := got[d]
		switch {
		case !ok:
			t.Errorf("Walk missed %s", d)
		case info.Size != size:
			t.Errorf("Walk reported %s with size %d, want %d", d, info.Size, size)
		}
	}
	for d := range got {
		if _, ok := want[d]; !ok {
			t.Errorf("Walk reported %s, which was never committed", d)
		}
	}
}

func testWalkStops(t *testing.T, s blob.Store) {
	for i := range 5 {
		put(t, s, []byte(fmt.Sprint("blob ", i)))
	}
	// fn's error ends the walk and is returned, also when it is a value
	// that a directory walker would take as a signal to carry on.
	for _, stop := range []error{errors.New("enough"), io.EOF, fs.SkipDir, fs.SkipAll} {
		calls := 0
		err := s.Walk(t.Context(), func(blob.Info) error {
			calls++
			if calls == 2 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) {
			t.Errorf("Walk returned %v, want fn's error %v", err, stop)
		}
		if calls != 2 {
			t.Errorf("Walk called fn %d times after fn returned %v on call 2", calls, stop)
		}
	}
}

func testSeek(t *testing.T, s blob.Store) {
	data := content(70_001, 7)
	info := put(t, s, data)
	rc, _, err := s.Open(t.Context(), info.Digest)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer rc.Close()

	// http.ServeContent finds the size by seeking to the end and back.
	end, err := rc.Seek(0, io.SeekEnd)
	if err != nil || end != int64(len(data)) {
		t.Fatalf("Seek(0, End) = %d, %v; want %d", end, err, len(data))
	}
	for _, c := range []struct {
		off    int64
		whence int
		at     int64
	}{
		{0, io.SeekStart, 0},
		{12345, io.SeekStart, 12345},
		{100, io.SeekCurrent, 12345 + 100 + 10},
		{-10, io.SeekEnd, int64(len(data)) - 10},
	} {
		pos, err := rc.Seek(c.off, c.whence)
		if err != nil || pos != c.at {
			t.Fatalf("Seek(%d, %d) = %d, %v; want %d", c.off, c.whence, pos, err, c.at)
		}
		buf := make([]byte, 10)
		n, err := io.ReadFull(rc, buf)
		if err != nil || !bytes.Equal(buf[:n], data[pos:pos+10]) {
			t.Fatalf("read 10 bytes at %d: %d, %v, wrong bytes", pos, n, err)
		}
	}
}

func testServeContent(t *testing.T, s blob.Store) {
	data := content(50_000, 8)
	info := put(t, s, data)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc, got, err := s.Open(r.Context(), info.Digest)
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		defer rc.Close()
		w.Header().Set("ETag", `"`+got.Digest.String()+`"`)
		http.ServeContent(w, r, "", time.Time{}, rc)
	}))
	defer srv.Close()

	for _, c := range []struct {
		rng    string
		status int
		want   []byte
	}{
		{"", http.StatusOK, data},
		{"bytes=100-199", http.StatusPartialContent, data[100:200]},
		{"bytes=-7", http.StatusPartialContent, data[len(data)-7:]},
		{"bytes=49990-", http.StatusPartialContent, data[49990:]},
	} {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.rng != "" {
			req.Header.Set("Range", c.rng)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatalf("GET Range %q: %v", c.rng, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("GET Range %q: reading body: %v", c.rng, err)
		}
		if resp.StatusCode != c.status || !bytes.Equal(body, c.want) {
			t.Errorf("GET Range %q = %d with %d bytes, want %d with %d bytes", c.rng, resp.StatusCode, len(body), c.status, len(c.want))
		}
	}
}
