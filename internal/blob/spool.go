package blob

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"sync"

	"github.com/arcahq/arca/internal/errkind"
)

// Spool is the first phase of a Writer for backends that stage a blob in a
// local temporary file (fsblob, s3blob): it writes and hashes the bytes,
// stops accepting them once the ctx given to NewSpool is done or a write
// has failed, and checks the digest when the backend commits. A backend's
// Writer embeds it and adds Commit, which starts with Seal.
//
// The bytes reach the file spoolChunk at a time (the rest at Seal), so
// that the file's cached pages are as large as the kernel keeps them.
type Spool struct {
	// File is the temporary file; the backend publishes it after Seal.
	File    *os.File
	backend string          // names the backend in errors
	ctx     context.Context // from NewSpool; governs Write
	h       hash.Hash
	size    int64
	err     error // first Write error; Seal refuses to publish after one
	done    bool  // Seal or Cancel has run

	buf    []byte            // written bytes not yet in File
	pooled *[spoolChunk]byte // buf's array when it is spoolBufs'
}

// spoolChunk is how many bytes a Spool gathers before it writes them to
// its file, at offsets that are multiples of it. The kernel keeps a file's
// cached pages in folios no larger than the writes that filled them, and
// sending a file with sendfile (and receiving it) costs per folio: a 5 MB
// blob written 32 KB at a time (io.Copy's buffer, what most uploads pass
// through) sits in 160 folios or more (4 KB writes: 1,280), in 5 when
// written 1 MiB at a time, and a download of it costs the server and the
// client together 5-10% less CPU than from single pages
// (docs/PERFORMANCE.md, "Large files: the blob's pages").
const spoolChunk = 1 << 20

// spoolSmall is how many bytes a Spool gathers in a buffer of its own
// before it takes one of spoolChunk from spoolBufs: most blobs are small,
// and get a buffer their size.
const spoolSmall = 64 << 10

var spoolBufs = sync.Pool{New: func() any { return new([spoolChunk]byte) }}

// NewSpool creates the temporary file in dir (os.TempDir() if empty) with
// a name made from pattern as os.CreateTemp does; backend prefixes errors.
func NewSpool(ctx context.Context, dir, pattern, backend string) (*Spool, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: create: %w", backend, err)
	}
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, fmt.Errorf("%s: create: %w", backend, err)
	}
	return &Spool{File: f, backend: backend, ctx: ctx, h: sha256.New()}, nil
}

// Write appends p to the file and to the hash.
func (s *Spool) Write(p []byte) (int, error) {
	if s.done {
		return 0, ErrWriterClosed
	}
	if s.err != nil {
		return 0, s.err
	}
	if err := s.ctx.Err(); err != nil {
		s.err = fmt.Errorf("%s: write: %w", s.backend, err)
		return 0, s.err
	}
	s.h.Write(p)
	s.size += int64(len(p))
	n := len(p)
	for len(p) > 0 {
		if len(s.buf) == 0 && len(p) >= spoolChunk {
			// Whole chunks go to the file as they are.
			k := len(p) - len(p)%spoolChunk
			if err := s.writeFile(p[:k]); err != nil {
				return n - len(p), err
			}
			p = p[k:]
			continue
		}
		if len(s.buf)+len(p) > cap(s.buf) && s.pooled == nil {
			if len(s.buf)+len(p) <= spoolSmall {
				s.buf = append(s.buf, p...)
				break
			}
			s.pooled = spoolBufs.Get().(*[spoolChunk]byte)
			s.buf = append(s.pooled[:0], s.buf...)
		}
		c := copy(s.buf[len(s.buf):cap(s.buf)], p)
		s.buf, p = s.buf[:len(s.buf)+c], p[c:]
		if len(s.buf) == spoolChunk {
			if err := s.flush(); err != nil {
				return n - len(p), err
			}
		}
	}
	return n, nil
}

// flush writes the gathered bytes to the file.
func (s *Spool) flush() error {
	if len(s.buf) == 0 {
		return nil
	}
	err := s.writeFile(s.buf)
	s.buf = s.buf[:0]
	return err
}

func (s *Spool) writeFile(b []byte) error {
	if _, err := s.File.Write(b); err != nil {
		s.err = fmt.Errorf("%s: write: %w", s.backend, err)
	}
	return s.err
}

// release gives the buffer back.
func (s *Spool) release() {
	if s.pooled != nil {
		spoolBufs.Put(s.pooled)
	}
	s.buf, s.pooled = nil, nil
}

// Size returns the number of bytes written so far.
func (s *Spool) Size() int64 { return s.size }

// Digest returns the SHA-256 of the bytes written so far.
func (s *Spool) Digest() Digest {
	var d Digest
	s.h.Sum(d[:0])
	return d
}

// Seal ends the writing phase for Commit. It fails with ErrWriterClosed if
// the Writer has ended already; otherwise it ends it, and then fails (and
// discards the file) if ctx is done, a Write failed, or the bytes' digest
// is not expected (an errkind Validation error). On success the caller
// owns File: it publishes it, or calls Discard.
func (s *Spool) Seal(ctx context.Context, expected Digest) error {
	if s.done {
		return ErrWriterClosed
	}
	s.done = true
	err := ctx.Err()
	if err == nil && s.err == nil {
		s.flush()
	}
	s.release()
	switch {
	case err != nil:
		err = fmt.Errorf("%s: commit: %w", s.backend, err)
	case s.err != nil:
		err = s.err
	case s.Digest() != expected:
		err = errkind.Validationf("content digest mismatch: the bytes have SHA-256 %s, expected %s", s.Digest(), expected)
	}
	if err != nil {
		s.Discard()
	}
	return err
}

// Cancel discards the file unless the Writer has ended; ctx is ignored
// because cleanup must happen even when the request that wrote the bytes
// is gone.
func (s *Spool) Cancel(context.Context) error {
	if s.done {
		return nil
	}
	s.done = true
	s.release()
	return s.Discard()
}

// Discard closes and removes the file; either may have happened already.
func (s *Spool) Discard() error {
	cerr := s.File.Close()
	if err := os.Remove(s.File.Name()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: remove temporary file: %w", s.backend, err)
	}
	if cerr != nil && !errors.Is(cerr, os.ErrClosed) {
		return fmt.Errorf("%s: close temporary file: %w", s.backend, cerr)
	}
	return nil
}
