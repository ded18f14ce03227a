// Package archivetest builds hostile archives for tests and for
// bench/hostile: zips whose central directory lists more entries than any
// format accepts.
package archivetest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
)

// ManyEntries returns a zip archive of about 47*n bytes whose central
// directory has n records, all naming one stored one-byte file "a" (the
// shape of the 1.5-million-entry wheel of issue 16). Files lists prefix
// entries (name -> content) written first, as real members, so that the
// archive is otherwise what its format expects.
func ManyEntries(n int, files map[string]string) []byte {
	var b bytes.Buffer
	le := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	type rec struct {
		name   string
		offset uint32
		crc    uint32
		size   uint32
	}
	var recs []rec
	local := func(name, content string) rec {
		r := rec{name: name, offset: uint32(b.Len()), crc: crc32.ChecksumIEEE([]byte(content)), size: uint32(len(content))}
		le(uint32(0x04034b50))
		le([]uint16{20, 0, 0, 0, 0})
		le([]uint32{r.crc, r.size, r.size})
		le([]uint16{uint16(len(name)), 0})
		b.WriteString(name)
		b.WriteString(content)
		return r
	}
	for name, content := range files {
		recs = append(recs, local(name, content))
	}
	a := local("a", "x")
	dirStart := b.Len()
	central := func(r rec) {
		le(uint32(0x02014b50))
		le([]uint16{20, 20, 0, 0, 0, 0})
		le([]uint32{r.crc, r.size, r.size})
		le([]uint16{uint16(len(r.name)), 0, 0, 0, 0})
		le([]uint32{0, r.offset})
		b.WriteString(r.name)
	}
	for _, r := range recs {
		central(r)
	}
	for range n {
		central(a)
	}
	total := uint64(len(recs) + n)
	dirSize := uint64(b.Len() - dirStart)
	end64 := b.Len()
	le(uint32(0x06064b50))
	le(uint64(44))
	le([]uint16{45, 45})
	le([]uint32{0, 0})
	le([]uint64{total, total, dirSize, uint64(dirStart)})
	le(uint32(0x07064b50))
	le(uint32(0))
	le(uint64(end64))
	le(uint32(1))
	le(uint32(0x06054b50))
	le([]uint16{0, 0, 0xffff, 0xffff})
	le([]uint32{0xffffffff, 0xffffffff})
	le(uint16(0))
	return b.Bytes()
}
