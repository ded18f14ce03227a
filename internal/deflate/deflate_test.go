package deflate

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"math/rand/v2"
	"testing"
)

// bodies are what the tests compress: empty, tiny, repetitive, random and
// past flate's window.
func bodies() [][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 100<<10)
	for i := range random {
		random[i] = byte(rng.IntN(256))
	}
	text := bytes.Repeat([]byte(`{"name":"pkg","version":"1.0.0","dist":{"shasum":"abc"}},`), 3000)
	return [][]byte{nil, []byte("a"), text[:1500], text, random}
}

var levels = []int{flate.HuffmanOnly, flate.DefaultCompression, flate.NoCompression, flate.BestSpeed, 5, flate.BestCompression}

// What Gzip, Zlib and Append write is what the standard library's writers
// write, byte for byte, whatever the pooled compressor did before.
func TestSameBytesAsTheStandardLibrary(t *testing.T) {
	for round := range 2 { // the second round takes compressors from the pools
		for _, level := range levels {
			for i, b := range bodies() {
				name := fmt.Sprintf("round %d, level %d, body %d", round, level, i)
				var gz bytes.Buffer
				gw, _ := gzip.NewWriterLevel(&gz, level)
				gw.Write(b)
				gw.Close()
				if got := Gzip(b, level); !bytes.Equal(got, gz.Bytes()) {
					t.Fatalf("%s: Gzip differs from compress/gzip (%d and %d bytes)", name, len(got), gz.Len())
				}
				var zl bytes.Buffer
				zw, _ := zlib.NewWriterLevel(&zl, level)
				zw.Write(b)
				zw.Close()
				if got := Zlib(b, level); !bytes.Equal(got, zl.Bytes()) {
					t.Fatalf("%s: Zlib differs from compress/zlib (%d and %d bytes)", name, len(got), zl.Len())
				}
				for _, flush := range []bool{false, true} {
					var fl bytes.Buffer
					fw, _ := flate.NewWriter(&fl, level)
					fw.Write(b)
					if flush {
						fw.Flush()
					} else {
						fw.Close()
					}
					if got := Append([]byte("x"), b, level, flush); !bytes.Equal(got, append([]byte("x"), fl.Bytes()...)) {
						t.Fatalf("%s, flush %v: Append differs from compress/flate", name, flush)
					}
				}
			}
		}
	}
}

// A level keeps at most Held idle compressors however many were in use at
// once, and Drop forgets them.
func TestPoolBounded(t *testing.T) {
	Drop()
	var inUse []*compressor
	for range 5 {
		inUse = append(inUse, get(flate.BestSpeed))
	}
	for _, c := range inUse {
		put(flate.BestSpeed, c)
	}
	if n := Idle(); n != Held {
		t.Fatalf("%d idle compressors after 5 returned, want %d", n, Held)
	}
	if c := get(flate.BestSpeed); c != inUse[0] && c != inUse[1] {
		t.Fatal("a compressor was made while the pool held one")
	}
	Drop()
	if n := Idle(); n != 0 {
		t.Fatalf("%d idle compressors after Drop", n)
	}
}

// An idle compressor holds none of its last caller's output.
func TestIdleHoldsNoOutput(t *testing.T) {
	Drop()
	Gzip(bytes.Repeat([]byte("x"), 10000), flate.BestSpeed)
	c := get(flate.BestSpeed)
	if c.sink.b != nil {
		t.Fatalf("an idle compressor held %d bytes of output", len(c.sink.b))
	}
}
