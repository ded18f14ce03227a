package bench

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/generation"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/sqlite"
)

// BenchmarkFreshness measures what a request pays to bring a server's
// caches in step with the other servers over its store
// (generation.Counters.Sync, called as each request is authenticated):
// with the default window (one read of the store's change counters serves
// the requests of the next millisecond) and with window 0 (a read per
// request, shared only by requests that arrive while one is under way),
// one request at a time and from parallel goroutines, while nothing
// changes; with window 0 and the SQLite store's commit marks (as the
// server runs: a read of the store only when the mark moved); and reading
// a counter, as each cache lookup does.
func BenchmarkFreshness(b *testing.B) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	// A store that has seen changes: the read is a range scan past them.
	for i := range 1000 {
		if err := st.Update(ctx, func(q store.Queries) error {
			return q.BumpGenerations(ctx, "package/1/npm//p"+string(rune('a'+i%26))+string(rune('a'+i/26%26)))
		}); err != nil {
			b.Fatal(err)
		}
	}
	for _, w := range []struct {
		name   string
		window time.Duration
		marks  bool
	}{{"window=1ms", generation.DefaultWindow, false}, {"window=0", 0, false}, {"window=0,marks", 0, true}} {
		gens, err := generation.New(ctx, st, w.window)
		if err != nil {
			b.Fatal(err)
		}
		if w.marks {
			// As the server runs over SQLite: the WAL index header tells
			// when nothing was committed.
			gens.UseMarks(st)
		}
		b.Run(w.name+"/serial", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := gens.Sync(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(w.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := gens.Sync(ctx); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
	gens, err := generation.New(ctx, st, generation.DefaultWindow)
	if err != nil {
		b.Fatal(err)
	}
	gens.Bump("package/1/npm//lodash")
	b.Run("load", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = gens.Load("package/1/npm//lodash")
		}
	})
}

// BenchmarkBlobHold measures what an upload pays for the hold that keeps
// other servers from deleting its bytes (blob.Guard with store holds): a
// hold taken in a write transaction before the commit (it lapses after
// the grace period; only a rejected upload's settling writes again).
func BenchmarkBlobHold(b *testing.B) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	const d = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	b.ReportAllocs()
	for b.Loop() {
		now := time.Now()
		if err := st.Update(ctx, func(q store.Queries) error {
			_, err := q.HoldBlob(ctx, d, "bench", now, now.Add(time.Hour))
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
}
