package blob_test

import (
	"bytes"
	"crypto/sha256"
	"os"
	"testing"

	"github.com/arcahq/arca/internal/blob"
)

// TestSpoolWritesWholeChunks holds what keeps a large blob's cached pages
// large: an upload arriving 32 KB at a time (io.Copy's buffer) reaches the
// file a whole MiB at a time, at MiB offsets, and the rest at Seal.
func TestSpoolWritesWholeChunks(t *testing.T) {
	const chunk = 1 << 20
	data := bytes.Repeat([]byte("0123456789abcdef"), (3*chunk+4096)/16)
	sp, err := blob.NewSpool(t.Context(), t.TempDir(), "spool-*", "test")
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Cancel(t.Context())
	onDisk := func() int64 {
		fi, err := sp.File.Stat()
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	for off := 0; off < len(data); off += 32 << 10 {
		p := data[off:min(off+32<<10, len(data))]
		if n, err := sp.Write(p); n != len(p) || err != nil {
			t.Fatalf("Write at %d = %d, %v", off, n, err)
		}
		if got, want := onDisk(), int64(off+len(p))/chunk*chunk; got != want {
			t.Fatalf("after %d bytes written, the file holds %d, want %d (whole MiBs)", off+len(p), got, want)
		}
		if sp.Size() != int64(off+len(p)) {
			t.Fatalf("Size() = %d after %d bytes", sp.Size(), off+len(p))
		}
	}
	// One write of several MiB from a chunk boundary goes out as it is,
	// its whole MiBs at once.
	big := bytes.Repeat([]byte{7}, 2*chunk+1)
	if _, err := sp.Write(data[:chunk-4096]); err != nil { // back on a MiB boundary
		t.Fatal(err)
	}
	if got := onDisk(); got != int64(4*chunk) {
		t.Fatalf("the file holds %d bytes, want %d", got, 4*chunk)
	}
	if _, err := sp.Write(big); err != nil {
		t.Fatal(err)
	}
	if got := onDisk(); got != int64(6*chunk) {
		t.Fatalf("after a write of 2 MiB + 1 on a boundary, the file holds %d bytes, want %d", got, 6*chunk)
	}
	all := append(append(append([]byte{}, data...), data[:chunk-4096]...), big...)
	if err := sp.Seal(t.Context(), blob.Digest(sha256.Sum256(all))); err != nil {
		t.Fatalf("Seal: %v", err)
	}
	got, err := os.ReadFile(sp.File.Name())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, all) {
		t.Fatalf("the sealed file holds %d bytes that differ from the %d written", len(got), len(all))
	}
	sp.Discard()
}
