package fsblob_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/blob/blobtest"
	"github.com/arcahq/arca/internal/blob/fsblob"
)

func newStore(t testing.TB, root string) *fsblob.Store {
	t.Helper()
	s, err := fsblob.New(root)
	if err != nil {
		t.Fatalf("New(%q): %v", root, err)
	}
	return s
}

func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		return newStore(t, t.TempDir())
	})
}

// TestConformanceFiles runs the suite with every blob a file, as stores
// made before the pack hold them.
func TestConformanceFiles(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		s := newStore(t, t.TempDir())
		fsblob.SetPackMax(s, -1)
		return s
	})
}

// tmpFiles lists root/tmp.
func tmpFiles(t *testing.T, root string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, "tmp"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// large returns content that is stored as a file of its own: one byte
// over fsblob.PackMax.
func large(s string) []byte {
	return append(bytes.Repeat([]byte{'.'}, fsblob.PackMax+1-len(s)), s...)
}

func TestLayout(t *testing.T) {
	root := t.TempDir()
	s := newStore(t, root)
	data := large("layout")
	info, err := blob.Put(t.Context(), s, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	// Computed independently of the package: the layout is a contract with
	// operators and backup scripts.
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	want := filepath.Join(root, "sha256", h[:2], h[2:4], h)
	if info.Digest.String() != h {
		t.Fatalf("digest %s, want %s", info.Digest, h)
	}
	got, err := os.ReadFile(want)
	if err != nil {
		t.Fatalf("blob not at %s: %v", want, err)
	}
	if !bytes.Equal(got, data) {
		t.Errorf("%s holds %q, want %q", want, got, data)
	}
	if runtime.GOOS != "windows" {
		fi, _ := os.Stat(want)
		if perm := fi.Mode().Perm(); perm&^0o600 != 0 {
			t.Errorf("blob file mode %v, want at most 0600", perm)
		}
		di, _ := os.Stat(filepath.Dir(want))
		if perm := di.Mode().Perm(); perm&^0o700 != 0 {
			t.Errorf("fan-out directory mode %v, want at most 0700", perm)
		}
	}
	if names := tmpFiles(t, root); len(names) != 0 {
		t.Errorf("root/tmp holds %v after Commit, want nothing", names)
	}
}

func TestOpenReturnsOSFile(t *testing.T) {
	s := newStore(t, t.TempDir())
	info, err := blob.Put(t.Context(), s, bytes.NewReader(large("sendfile")))
	if err != nil {
		t.Fatal(err)
	}
	rc, _, err := s.Open(t.Context(), info.Digest)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if _, ok := rc.(*os.File); !ok {
		t.Errorf("Open returned %T, want *os.File so that http.ServeContent can use sendfile", rc)
	}
}

func TestStaleTempCleanup(t *testing.T) {
	root := t.TempDir()
	newStore(t, root)
	tmp := filepath.Join(root, "tmp")
	stale := filepath.Join(tmp, "upload-crashed")
	fresh := filepath.Join(tmp, "upload-in-flight")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}

	s := newStore(t, root)
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temporary file survived New: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("recent temporary file was removed by New: %v", err)
	}
	// Temporary files are never blobs.
	if err := s.Walk(t.Context(), func(i blob.Info) error {
		t.Errorf("Walk reported %s from root/tmp", i.Digest)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestNoTempLeftovers(t *testing.T) {
	root := t.TempDir()
	s := newStore(t, root)
	ctx := t.Context()

	w, _ := s.Create(ctx)
	w.Write([]byte("cancelled"))
	w.Cancel(ctx)

	w, _ = s.Create(ctx)
	w.Write([]byte("mismatch"))
	w.Commit(ctx, blob.Digest{1})

	w, _ = s.Create(ctx)
	w.Write([]byte("dedup"))
	w.Commit(ctx, w.Digest())
	w, _ = s.Create(ctx)
	w.Write([]byte("dedup"))
	w.Commit(ctx, w.Digest())

	if names := tmpFiles(t, root); len(names) != 0 {
		t.Errorf("root/tmp holds %v, want nothing", names)
	}
}

func TestWalkSkipsStrayFiles(t *testing.T) {
	root := t.TempDir()
	s := newStore(t, root)
	info, err := blob.Put(t.Context(), s, bytes.NewReader(large("real")))
	if err != nil {
		t.Fatal(err)
	}
	h := info.Digest.String()
	other := blob.Digest(sha256.Sum256([]byte("misplaced"))).String()
	for _, p := range []string{
		filepath.Join(root, "sha256", "README"),
		filepath.Join(root, "sha256", h[:2], h[2:4], h+".bak"),
		filepath.Join(root, "sha256", h[:2], h[2:4], other), // wrong fan-out
		filepath.Join(root, "sha256", h[:2], h[2:4], "ABC"),
	} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var got []blob.Digest
	if err := s.Walk(t.Context(), func(i blob.Info) error {
		got = append(got, i.Digest)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != info.Digest {
		t.Errorf("Walk = %v, want only %s", got, info.Digest)
	}
}

// TestReadAfterDelete documents that a download in flight survives a sweep
// deleting its blob (POSIX unlink semantics).
func TestReadAfterDelete(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows cannot delete an open file")
	}
	s := newStore(t, t.TempDir())
	data := bytes.Repeat([]byte("abc"), 10000)
	info, err := blob.Put(t.Context(), s, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rc, _, err := s.Open(t.Context(), info.Digest)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if err := s.Delete(t.Context(), info.Digest); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("read after Delete: %d bytes, %v; want %d bytes", len(got), err, len(data))
	}
}

func TestDedupRefreshesModTime(t *testing.T) {
	for _, c := range []struct {
		name string
		data []byte
		age  func(t *testing.T, root string, d blob.Digest, at time.Time)
	}{
		{"file", large("old blob"), func(t *testing.T, root string, d blob.Digest, at time.Time) {
			if err := os.Chtimes(filePath(root, d.String()), at, at); err != nil {
				t.Fatal(err)
			}
		}},
		{"pack", []byte("old packed blob"), setPackedModTime},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			s := newStore(t, root)
			info, err := blob.Put(t.Context(), s, bytes.NewReader(c.data))
			if err != nil {
				t.Fatal(err)
			}
			old := time.Now().Add(-48 * time.Hour)
			c.age(t, root, info.Digest, old)
			if st, err := s.Stat(t.Context(), info.Digest); err != nil || !st.ModTime.Equal(old) {
				t.Fatalf("Stat after ageing the blob: %v, %v; want %v", st.ModTime, err, old)
			}
			again, err := blob.Put(t.Context(), s, bytes.NewReader(c.data))
			if err != nil {
				t.Fatal(err)
			}
			st, err := s.Stat(t.Context(), info.Digest)
			if err != nil {
				t.Fatal(err)
			}
			if time.Since(st.ModTime) > time.Hour || time.Since(again.ModTime) > time.Hour {
				t.Errorf("after a deduplicating Commit, ModTime = %v (Stat), %v (Commit); want now", st.ModTime, again.ModTime)
			}
			if c.name == "pack" {
				if rows := packRows(t, root); len(rows) != 1 {
					t.Errorf("pack holds %d rows, want 1", len(rows))
				}
			}
		})
	}
}

// TestTruncatedCopyIsReplaced checks that a damaged file (wrong size) under
// a digest's name does not absorb a new commit of the right bytes.
func TestTruncatedCopyIsReplaced(t *testing.T) {
	root := t.TempDir()
	s := newStore(t, root)
	data := large("the whole blob")
	info, err := blob.Put(t.Context(), s, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	h := info.Digest.String()
	p := filepath.Join(root, "sha256", h[:2], h[2:4], h)
	if err := os.Truncate(p, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := blob.Put(t.Context(), s, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(p)
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("after recommit, file holds %q (%v), want %q", got, err, data)
	}
}

func TestNewFailsOnFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := fsblob.New(f); err == nil {
		t.Error("New on a regular file succeeded")
	}
}

func BenchmarkPut1MiB(b *testing.B) {
	s := newStore(b, b.TempDir())
	data := make([]byte, 1<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	ctx := b.Context()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var n uint64
	for b.Loop() {
		// Distinct content every time, so each iteration takes the
		// publish path (fsync, rename, fsync) rather than deduplication.
		n++
		binary.LittleEndian.PutUint64(data, n)
		if _, err := blob.Put(ctx, s, bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpen10KiB reads a 10 KiB blob the way a download that misses
// the in-memory cache does (open, read it all, close): packed, and as a
// file.
func BenchmarkOpen10KiB(b *testing.B) {
	for _, packed := range []bool{true, false} {
		name := "file"
		if packed {
			name = "pack"
		}
		b.Run(name, func(b *testing.B) {
			s := newStore(b, b.TempDir())
			if !packed {
				fsblob.SetPackMax(s, -1)
			}
			data := bytes.Repeat([]byte("0123456789"), 1024)
			info, err := blob.Put(b.Context(), s, bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, len(data))
			b.ReportAllocs()
			for b.Loop() {
				rc, _, err := s.Open(b.Context(), info.Digest)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(rc, buf); err != nil {
					b.Fatal(err)
				}
				rc.Close()
			}
		})
	}
}
