// Package deflate lends DEFLATE compressors to the whole binary: one
// bounded pool per compression level. A compressor holds about 0.9 MB of
// tables and windows whatever it compresses, so a compressor made per
// document (or a pool per format) is megabytes of heap for bodies of a
// few kilobytes; here each level keeps at most Held idle compressors
// (two cores compress at most two bodies at once), a caller that finds
// none makes one, and one returned to a full pool is left to the
// collector. Drop forgets the idle ones (an idle server gives them back).
//
// Append, Gzip and Zlib write what compress/flate, compress/gzip and
// compress/zlib write for the same body at the same level, byte for
// byte (one Write, then Close or Flush).
package deflate

import (
	"compress/flate"
	"encoding/binary"
	"hash/adler32"
	"hash/crc32"
)

// Held is how many idle compressors a level keeps.
const Held = 2

// compressor is a flate.Writer writing into its own sink, so that an idle
// one holds no caller's output.
type compressor struct {
	w    *flate.Writer
	sink sink
}

type sink struct{ b []byte }

func (s *sink) Write(p []byte) (int, error) {
	s.b = append(s.b, p...)
	return len(p), nil
}

// pools holds the idle compressors by level (index level+2, from
// flate.HuffmanOnly).
var pools = func() (p [flate.BestCompression + 3]chan *compressor) {
	for i := range p {
		p[i] = make(chan *compressor, Held)
	}
	return p
}()

func get(level int) *compressor {
	select {
	case c := <-pools[level+2]:
		c.w.Reset(&c.sink)
		return c
	default:
	}
	c := new(compressor)
	w, err := flate.NewWriter(&c.sink, level)
	if err != nil {
		panic(err) // a level outside flate's constants: a programming error
	}
	c.w = w
	return c
}

func put(level int, c *compressor) {
	c.sink.b = nil
	select {
	case pools[level+2] <- c:
	default: // the level holds enough: left to the collector
	}
}

// Drop forgets every idle compressor.
func Drop() {
	for _, p := range pools {
		for len(p) > 0 {
			select {
			case <-p:
			default:
			}
		}
	}
}

// Idle returns how many idle compressors the pools hold.
func Idle() int {
	n := 0
	for _, p := range pools {
		n += len(p)
	}
	return n
}

// Append appends b compressed at level to dst as a raw DEFLATE stream:
// ended with a final block, or, with flush, sync-flushed (byte-aligned
// and not final, so that such segments concatenate into one stream).
func Append(dst, b []byte, level int, flush bool) []byte {
	c := get(level)
	c.sink.b = dst
	c.w.Write(b) // a sink's Write does not fail
	if flush {
		c.w.Flush()
	} else {
		c.w.Close()
	}
	out := c.sink.b
	put(level, c)
	return out
}

// Gzip returns b compressed at level as compress/gzip's Writer writes
// it with no name and no modification time.
func Gzip(b []byte, level int) []byte {
	xfl := byte(0)
	switch level {
	case flate.BestCompression:
		xfl = 2
	case flate.BestSpeed:
		xfl = 4
	}
	out := make([]byte, 0, len(b)/3+64)
	out = append(out, 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, 0xff)
	out = Append(out, b, level, false)
	out = binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(b))
	return binary.LittleEndian.AppendUint32(out, uint32(len(b)))
}

// Zlib returns b compressed at level as compress/zlib's Writer writes it
// with no dictionary.
func Zlib(b []byte, level int) []byte {
	var flag byte
	switch level {
	case 2, 3, 4, 5:
		flag = 1
	case 6, flate.DefaultCompression:
		flag = 2
	case 7, 8, 9:
		flag = 3
	}
	h := [2]byte{0x78, flag << 6}
	h[1] += byte(31 - binary.BigEndian.Uint16(h[:])%31)
	out := make([]byte, 0, len(b)/3+64)
	out = append(out, h[:]...)
	out = Append(out, b, level, false)
	return binary.BigEndian.AppendUint32(out, adler32.Checksum(b))
}
