package bench

import (
	"context"
	"crypto/sha256"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/arcahq/arca/bench/fixture"
	"github.com/arcahq/arca/internal/blob"
)

// BenchmarkLargeFilePages downloads a 5 MB file over loopback TCP with
// keep-alive, served as Arca serves a blob (http.ServeContent of the
// file: sendfile), the file written in four ways: 4 KB and 32 KB at a
// time as uploads reached the blob store before (as the format's parser
// or io.Copy passed them on), through blob.Spool as they do now, and in
// one write (as bench/load writes nginx's copy). The kernel caches a file's pages in folios no larger
// than the writes that filled them, and sendfile and the receiving end
// pay per folio; cpu-ns/op is the process's CPU (server and client) per
// download.
func BenchmarkLargeFilePages(b *testing.B) {
	data := fixture.Noise(5005, 5<<20)
	dir := b.TempDir()
	write := func(name string, piece int) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			b.Fatal(err)
		}
		for off := 0; off < len(data); off += piece {
			if _, err := f.Write(data[off:min(off+piece, len(data))]); err != nil {
				b.Fatal(err)
			}
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
		return p
	}
	spooled := func() string {
		sp, err := blob.NewSpool(context.Background(), dir, "spool-*", "bench")
		if err != nil {
			b.Fatal(err)
		}
		for off := 0; off < len(data); off += 32 << 10 {
			if _, err := sp.Write(data[off:min(off+32<<10, len(data))]); err != nil {
				b.Fatal(err)
			}
		}
		if err := sp.Seal(context.Background(), blob.Digest(sha256.Sum256(data))); err != nil {
			b.Fatal(err)
		}
		if err := sp.File.Close(); err != nil {
			b.Fatal(err)
		}
		return sp.File.Name()
	}
	for _, c := range []struct {
		name string
		file func() string
	}{
		{"4KB-writes", func() string { return write("pages", 4<<10) }},
		{"32KB-writes", func() string { return write("pieces", 32<<10) }},
		{"spool", spooled},
		{"one-write", func() string { return write("whole", len(data)) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			path := c.file()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				f, err := os.Open(path)
				if err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
				defer f.Close()
				w.Header().Set("Content-Type", "application/octet-stream")
				http.ServeContent(w, r, "", time.Time{}, f)
			}))
			defer srv.Close()
			client := srv.Client()
			get := func() {
				resp, err := client.Get(srv.URL)
				if err != nil {
					b.Fatal(err)
				}
				n, err := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || n != int64(len(data)) {
					b.Fatalf("read %d bytes, %v", n, err)
				}
			}
			get()
			b.SetBytes(int64(len(data)))
			b.ResetTimer()
			done := reportCPU(b)
			for b.Loop() {
				get()
			}
			done()
		})
	}
}
