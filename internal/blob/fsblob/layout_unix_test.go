//go:build unix

package fsblob_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/blob/fsblob"
)

// BenchmarkLayout measures what blobs cost on disk, packed and as files
// (every blob a file, as before the pack): each iteration commits one
// distinct blob; disk-B/blob is the blocks the store's directory holds
// (files, directories, the pack) per blob, dirs-B/blob the
// directories' share. Sizes: 455 B (a small npm package's tarball), fixed
// sizes up to PackMax, and "mix", log-uniform from 256 B to 1 MiB. The
// figures depend on the number of blobs (directories fill up): run it with
// -benchtime=100000x to compare with docs/PERFORMANCE.md.
func BenchmarkLayout(b *testing.B) {
	sizes := []struct {
		name string
		size func(i uint64) int
	}{
		{"455B", func(uint64) int { return 455 }},
		{"4KiB", func(uint64) int { return 4 << 10 }},
		{"16KiB", func(uint64) int { return 16 << 10 }},
		{"64KiB", func(uint64) int { return 64 << 10 }},
		{"mix", func(i uint64) int {
			// A fixed sequence (golden-ratio steps) spread log-uniformly.
			f := math.Mod(float64(i)*0.6180339887, 1)
			return int(math.Exp(math.Log(256) + f*(math.Log(1<<20)-math.Log(256))))
		}},
	}
	for _, sz := range sizes {
		for _, packed := range []bool{true, false} {
			name := sz.name + "/files"
			if packed {
				name = sz.name + "/pack"
			}
			b.Run(name, func(b *testing.B) {
				root := b.TempDir()
				s := newStore(b, root)
				if !packed {
					fsblob.SetPackMax(s, -1)
				}
				ctx := b.Context()
				var n, total uint64
				for b.Loop() {
					n++
					data := make([]byte, sz.size(n))
					binary.LittleEndian.PutUint64(data, n) // distinct content
					if _, err := blob.Put(ctx, s, bytes.NewReader(data)); err != nil {
						b.Fatal(err)
					}
					total += uint64(len(data))
				}
				b.StopTimer()
				// Closed, the pack has checkpointed its WAL (at most 4 MiB
				// while the store is open) and removed it.
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
				disk, dirs := du(b, root)
				b.ReportMetric(float64(total)/float64(n), "B/blob")
				b.ReportMetric(float64(disk)/float64(n), "disk-B/blob")
				b.ReportMetric(float64(dirs)/float64(n), "dirs-B/blob")
			})
		}
	}
}

// du returns the bytes of the blocks allocated under root, and those of
// its directories.
func du(b *testing.B, root string) (all, dirs int64) {
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := e.Info()
		if err != nil {
			return err
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return fmt.Errorf("%s: no stat", p)
		}
		n := int64(st.Blocks) * 512
		all += n
		if e.IsDir() {
			dirs += n
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return all, dirs
}
