package fsblob

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkOpenRead compares openRead with os.Open for what a download
// does with the file besides sending it: open, stat, close.
func BenchmarkOpenRead(b *testing.B) {
	path := filepath.Join(b.TempDir(), "blob")
	if err := os.WriteFile(path, make([]byte, 10<<10), 0o644); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		open func(string) (*os.File, error)
	}{{"openRead", openRead}, {"os.Open", os.Open}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				f, err := c.open(path)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := f.Stat(); err != nil {
					b.Fatal(err)
				}
				f.Close()
			}
		})
	}
}
