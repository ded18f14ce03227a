package rendered

import (
	"compress/flate"
	"crypto/sha256"
	"hash/crc32"
	"sync"

	"github.com/arcahq/arca/internal/deflate"
)

// Part is a piece of a document made once and sent in many documents:
// its bytes, and the same bytes compressed as a raw DEFLATE segment that
// starts with no history and ends on a byte boundary without ending the
// stream (a sync flush). Segments made so concatenate into one valid
// DEFLATE stream, so the gzip form of a document made of parts is a gzip
// header, its parts' segments, an empty final block and a trailer whose
// CRC-32 is combined from the parts': nothing is compressed again when
// the document is assembled from parts it shares with its previous
// rendering.
type Part struct {
	plain []byte
	crc   uint32
	sum   [16]byte // of plain: a document's ETag is made from its parts'
	level int

	once    sync.Once
	deflate []byte // made when a document first needs it
}

// partLevel is the compression level of parts: a part is compressed once
// and sent many times, so the default level's smaller output is worth its
// time.
const partLevel = flate.DefaultCompression

// NewPart makes b into a part. b must not change afterwards.
func NewPart(b []byte) *Part {
	return newPart(b, partLevel)
}

// NewPartOnce makes b into a part of one rendering only (the head of a
// document, which changes with every version): compressed at the fastest
// level. b must not change afterwards.
func NewPartOnce(b []byte) *Part {
	return newPart(b, oneTimeLevel)
}

func newPart(b []byte, level int) *Part {
	p := &Part{plain: b, crc: crc32.ChecksumIEEE(b), level: level}
	sum := sha256.Sum256(b)
	copy(p.sum[:], sum[:])
	return p
}

// compressed returns the part's DEFLATE segment, compressing it the first
// time (a part of a small document, which is gzipped whole, never is).
func (p *Part) compressed() []byte {
	p.once.Do(func() {
		if len(p.plain) == 0 {
			return
		}
		// A sync flush: byte-aligned, not final.
		p.deflate = deflate.Append(make([]byte, 0, len(p.plain)/3+64), p.plain, p.level, true)
	})
	return p.deflate
}

// Bytes returns the part's bytes; they must not be changed.
func (p *Part) Bytes() []byte { return p.plain }

// Size is the memory the part holds, counting its DEFLATE segment as a
// quarter of its bytes (it is made later).
func (p *Part) Size() int64 { return int64(len(p.plain)+len(p.plain)/4) + 64 }

// gzipHeader is the header of every gzip body a Doc sends: no name, no
// modification time, unknown operating system (RFC 1952).
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// finalBlock is an empty final DEFLATE block (fixed Huffman codes, just
// the end-of-block code): what ends a stream of sync-flushed segments.
var finalBlock = []byte{0x03, 0x00}

// gzipTrailer returns the end of a gzip body whose DEFLATE segments
// uncompress to size bytes with the given CRC-32.
func gzipTrailer(crc uint32, size int64) []byte {
	n := uint32(size) // ISIZE is the size modulo 2^32
	return []byte{
		finalBlock[0], finalBlock[1],
		byte(crc), byte(crc >> 8), byte(crc >> 16), byte(crc >> 24),
		byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24),
	}
}

// CRC-32 combination: the CRC of a concatenation from the CRCs of its
// halves and the length of the second, without reading the bytes (the
// method of zlib's crc32_combine, in GF(2) polynomial arithmetic modulo
// the IEEE polynomial, reflected).

// crcPoly is the IEEE polynomial, reflected.
const crcPoly = 0xedb88320

// multModP returns a*b modulo the CRC polynomial.
func multModP(a, b uint32) uint32 {
	m := uint32(1) << 31
	var p uint32
	for {
		if a&m != 0 {
			p ^= b
			if a&(m-1) == 0 {
				break
			}
		}
		m >>= 1
		if b&1 != 0 {
			b = b>>1 ^ crcPoly
		} else {
			b >>= 1
		}
	}
	return p
}

// x2nTable[k] is x^(2^k) modulo the polynomial.
var x2nTable = func() (t [32]uint32) {
	p := uint32(1) << 30 // x^1
	t[0] = p
	for k := 1; k < 32; k++ {
		p = multModP(p, p)
		t[k] = p
	}
	return t
}()

// x8nModP returns x^(8n) modulo the polynomial: n zero bytes' effect.
func x8nModP(n int64) uint32 {
	p := uint32(1) << 31 // x^0
	k := 3
	for n > 0 {
		if n&1 != 0 {
			p = multModP(x2nTable[k&31], p)
		}
		n >>= 1
		k++
	}
	return p
}

// crcCombine returns the CRC-32 of A followed by B from crcA, crcB and
// B's length.
func crcCombine(crcA, crcB uint32, lenB int64) uint32 {
	return multModP(x8nModP(lenB), crcA) ^ crcB
}
