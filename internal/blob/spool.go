package blob

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"

	"github.com/arcahq/arca/internal/errkind"
)

// Spool is the first phase of a Writer for backends that stage a blob in a
// local temporary file (fsblob, s3blob): it writes and hashes the bytes,
// stops accepting them once the ctx given to NewSpool is done or a write
// has failed, and checks the digest when the backend commits. A backend's
// Writer embeds it and adds Commit, which starts with Seal.
type Spool struct {
	// File is the temporary file; the backend publishes it after Seal.
	File    *os.File
	backend string          // names the backend in errors
	ctx     context.Context // from NewSpool; governs Write
	h       hash.Hash
	size    int64
	err     error // first Write error; Seal refuses to publish after one
	done    bool  // Seal or Cancel has run
}

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
	n, err := s.File.Write(p)
	s.h.Write(p[:n]) // hash exactly what reached the file
	s.size += int64(n)
	if err != nil {
		s.err = fmt.Errorf("%s: write: %w", s.backend, err)
	}
	return n, s.err
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
