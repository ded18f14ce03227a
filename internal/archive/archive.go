package archive

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"encoding/binary"
	"errors"
	"io"

	"github.com/arcahq/arca/internal/errkind"
)

// Limits bound the work of reading one archive.
type Limits struct {
	// What names the archive in error messages, capitalised ("The wheel").
	What string
	// Entries is the most entries (members, directory records) it may have.
	Entries int
	// Unpacked is the most bytes its entries may unpack to, in all.
	Unpacked int64
	// Ratio is the most unpacked bytes per archive byte, beyond the first
	// RatioSlack unpacked bytes; 0 means no bound.
	Ratio int64
}

// RatioSlack is how many unpacked bytes any archive may have whatever its
// ratio, so that a small archive of repetitive text is never refused.
const RatioSlack = 16 << 20

// DefaultRatio is the compression ratio formats allow: source and
// binaries compress 3 to 20 times; a bomb compresses 1,000 (deflate) to
// millions (bzip2) times.
const DefaultRatio = 200

func (l Limits) what() string {
	if l.What == "" {
		return "The archive"
	}
	return l.What
}

func (l Limits) tooMany() error {
	return errkind.Validationf("%s has more than %d entries", l.what(), l.Entries)
}

// tooLarge checks unpacked bytes against in archive bytes.
func (l Limits) tooLarge(unpacked, in uint64) error {
	if l.Unpacked > 0 && unpacked > uint64(l.Unpacked) {
		return errkind.Validationf("%s unpacks to more than %d bytes", l.what(), l.Unpacked)
	}
	if l.Ratio > 0 && unpacked > RatioSlack && unpacked/uint64(l.Ratio) > in {
		return errkind.Validationf("%s unpacks to more than %d times its size", l.what(), l.Ratio)
	}
	return nil
}

// OpenZip opens a zip archive of size bytes after counting its central
// directory's records against lim.Entries, and checks the sizes its
// entries declare against lim.Unpacked and lim.Ratio. Entries are read as
// usual (zip.File.Open), and cannot yield more than they declare.
func OpenZip(r io.ReaderAt, size int64, lim Limits) (*zip.Reader, error) {
	if err := countZip(r, size, lim); err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, errkind.Validationf("%s is not a valid zip archive: %v", lim.what(), err)
	}
	if lim.Entries > 0 && len(zr.File) > lim.Entries { // countZip read the same records
		return nil, lim.tooMany()
	}
	var unpacked uint64
	for _, f := range zr.File {
		if unpacked += f.UncompressedSize64; unpacked < f.UncompressedSize64 {
			unpacked = ^uint64(0)
		}
	}
	if err := lim.tooLarge(unpacked, uint64(size)); err != nil {
		return nil, err
	}
	return zr, nil
}

// The zip structures countZip reads (APPNOTE.TXT 4.3.12, 4.3.14-4.3.16).
const (
	dirEndSig      = 0x06054b50
	dirEndLen      = 22
	dir64LocSig    = 0x07064b50
	dir64LocLen    = 20
	dir64EndSig    = 0x06064b50
	dir64EndLen    = 56
	dirHeaderSig   = 0x02014b50
	dirHeaderLen   = 46
	maxCommentSpan = 65 * 1024
)

var errNotZip = errors.New("zip: not a valid zip file")

// countZip finds the central directory as archive/zip does (the end
// record in the last 1 KiB, then the last 65 KiB; its zip64 form; the
// same base offset) and counts its records as archive/zip reads them,
// until the first that is not one, failing past lim.Entries. Archives it
// cannot make sense of are left to zip.NewReader's own error.
func countZip(r io.ReaderAt, size int64, lim Limits) error {
	if lim.Entries <= 0 {
		return nil
	}
	dirOffset, ok := directoryStart(r, size)
	if !ok {
		return nil
	}
	br := bufio.NewReader(io.NewSectionReader(r, dirOffset, size-dirOffset))
	var h [dirHeaderLen]byte
	for n := 0; ; n++ {
		if _, err := io.ReadFull(br, h[:]); err != nil || binary.LittleEndian.Uint32(h[:]) != dirHeaderSig {
			return nil
		}
		if n >= lim.Entries {
			return lim.tooMany()
		}
		skip := int64(binary.LittleEndian.Uint16(h[28:])) + int64(binary.LittleEndian.Uint16(h[30:])) + int64(binary.LittleEndian.Uint16(h[32:]))
		if _, err := br.Discard(int(skip)); err != nil {
			return nil
		}
	}
}

// directoryStart returns where archive/zip starts reading the central
// directory.
func directoryStart(r io.ReaderAt, size int64) (int64, bool) {
	var buf []byte
	end := int64(-1)
	for _, n := range []int64{1024, maxCommentSpan} {
		n = min(n, size)
		buf = make([]byte, n)
		if _, err := r.ReadAt(buf, size-n); err != nil && err != io.EOF {
			return 0, false
		}
		if p := findDirEnd(buf); p >= 0 {
			buf, end = buf[p:], size-n+int64(p)
			break
		}
		if n == size {
			break
		}
	}
	if end < 0 {
		return 0, false
	}
	records := uint64(binary.LittleEndian.Uint16(buf[10:]))
	dirSize := uint64(binary.LittleEndian.Uint32(buf[12:]))
	dirOffset := uint64(binary.LittleEndian.Uint32(buf[16:]))
	if records == 0xffff || dirSize == 0xffff || dirOffset == 0xffffffff {
		if p, ok := dir64End(r, end); ok {
			var d [dir64EndLen]byte
			if _, err := r.ReadAt(d[:], p); err != nil || binary.LittleEndian.Uint32(d[:]) != dir64EndSig {
				return 0, false
			}
			end, dirSize, dirOffset = p, binary.LittleEndian.Uint64(d[40:]), binary.LittleEndian.Uint64(d[48:])
		}
	}
	if dirSize > 1<<63-1 || dirOffset > 1<<63-1 {
		return 0, false
	}
	base := end - int64(dirSize) - int64(dirOffset)
	if o := base + int64(dirOffset); o < 0 || o >= size {
		return 0, false
	}
	if base > 0 {
		var h [4]byte
		if _, err := r.ReadAt(h[:], int64(dirOffset)); err == nil && binary.LittleEndian.Uint32(h[:]) == dirHeaderSig {
			base = 0
		}
	}
	return base + int64(dirOffset), true
}

// findDirEnd finds the last end-of-central-directory signature in b whose
// comment fits, as archive/zip does.
func findDirEnd(b []byte) int {
	for i := len(b) - dirEndLen; i >= 0; i-- {
		if binary.LittleEndian.Uint32(b[i:]) == dirEndSig {
			if n := int(binary.LittleEndian.Uint16(b[i+dirEndLen-2:])); n+dirEndLen+i > len(b) {
				return -1
			}
			return i
		}
	}
	return -1
}

// dir64End returns the offset of the zip64 end record a locator before
// the end record at end points to.
func dir64End(r io.ReaderAt, end int64) (int64, bool) {
	if end < dir64LocLen {
		return 0, false
	}
	var b [dir64LocLen]byte
	if _, err := r.ReadAt(b[:], end-dir64LocLen); err != nil {
		return 0, false
	}
	if binary.LittleEndian.Uint32(b[:]) != dir64LocSig || binary.LittleEndian.Uint32(b[4:]) != 0 || binary.LittleEndian.Uint32(b[16:]) != 1 {
		return 0, false
	}
	p := binary.LittleEndian.Uint64(b[8:])
	return int64(p), p <= 1<<63-1
}

// Tar reads a tar stream within limits: Next fails past lim.Entries, and
// reads fail once the unpacked stream passes lim.Unpacked or lim.Ratio
// times the archive bytes read under it.
type Tar struct {
	*tar.Reader
	lim     Limits
	entries int
	in      *counter
	out     *counter
}

// NewTar reads the tar stream that unpack makes of in (a gzip or bzip2
// reader; nil for a plain tar). The archive's bytes are counted as unpack
// reads them, the stream's as tar reads it.
func NewTar(in io.Reader, unpack func(io.Reader) (io.Reader, error), lim Limits) (*Tar, error) {
	t := &Tar{lim: lim, in: &counter{r: in}}
	var s io.Reader = t.in
	if unpack != nil {
		var err error
		if s, err = unpack(s); err != nil {
			return nil, err
		}
	}
	t.out = &counter{r: s, check: func(n uint64) error { return lim.tooLarge(n, t.in.n) }}
	t.Reader = tar.NewReader(t.out)
	return t, nil
}

// Next advances to the next entry, failing past lim.Entries.
func (t *Tar) Next() (*tar.Header, error) {
	h, err := t.Reader.Next()
	if err != nil {
		return nil, t.Err(err)
	}
	if t.entries++; t.lim.Entries > 0 && t.entries > t.lim.Entries {
		return nil, t.lim.tooMany()
	}
	return h, nil
}

// Drain reads the rest of the stream (a gzip member's checksum is checked
// at its end), within the limits.
func (t *Tar) Drain() error {
	_, err := io.Copy(io.Discard, t.out)
	return t.Err(err)
}

// Err returns err unchanged if it is a limit's refusal (an errkind error),
// and otherwise as a validation error saying the archive is not a valid
// tar stream.
func (t *Tar) Err(err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	var e *errkind.Error
	if errors.As(err, &e) {
		return e
	}
	return errkind.Validationf("%s is not a valid tar archive: %v", t.lim.what(), err)
}

// counter counts the bytes read through it and fails with check's error.
type counter struct {
	r     io.Reader
	n     uint64
	check func(uint64) error
	err   error
}

func (c *counter) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.r.Read(p)
	c.n += uint64(n)
	if c.check != nil {
		if cerr := c.check(c.n); cerr != nil {
			c.err = cerr
			return 0, cerr
		}
	}
	return n, err
}
