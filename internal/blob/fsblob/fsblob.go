package fsblob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/errkind"
)

const (
	dirPerm  = 0o700
	filePerm = 0o600

	// staleAge is how old a temporary file must be before New removes it.
	// Writers that are still in use touch their file on every Write, so only
	// files abandoned by a crash (or idle for this long) qualify.
	staleAge = time.Hour

	tmpPattern = "upload-*"
)

// Store is a blob.Store in a local directory. It is safe for concurrent use,
// also by several processes sharing the directory on one machine (New removes
// only temporary files that have been idle for an hour).
type Store struct {
	blobDir string // root/sha256
	tmpDir  string // root/tmp
	pack    *pack  // root/pack.db; nil in a store opened by Existing that has none
	packMax int64  // blobs of at most this size go into the pack
	// readOnly: opened by Existing, Create fails.
	readOnly bool
}

var _ blob.Store = (*Store)(nil)

// New opens the store rooted at root, creating root, root/sha256, root/tmp
// and root/pack.db if needed, and removes temporary files older than an
// hour that a crash left behind. A store written before the pack existed
// (every blob a file) is opened as it is: its files stay where they are.
func New(root string) (*Store, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("fsblob: root %q: %w", root, err)
	}
	s := &Store{
		blobDir: filepath.Join(abs, "sha256"),
		tmpDir:  filepath.Join(abs, "tmp"),
		packMax: PackMax,
	}
	for _, dir := range []string{s.blobDir, s.tmpDir} {
		if err := os.MkdirAll(dir, dirPerm); err != nil {
			return nil, fmt.Errorf("fsblob: create layout: %w", err)
		}
	}
	if err := s.removeStaleTemp(time.Now().Add(-staleAge)); err != nil {
		return nil, err
	}
	if s.pack, err = openPack(context.Background(), abs, false); err != nil {
		return nil, err
	}
	return s, nil
}

// Existing opens the store rooted at root to read it, creating and
// removing nothing (a backup): root/sha256 must exist; root/pack.db is
// read if it exists. Create and Delete fail.
func Existing(root string) (*Store, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("fsblob: root %q: %w", root, err)
	}
	s := &Store{blobDir: filepath.Join(abs, "sha256"), tmpDir: filepath.Join(abs, "tmp"), readOnly: true}
	if fi, err := os.Stat(s.blobDir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("fsblob: %s holds no blob store", root)
	}
	if s.pack, err = openPack(context.Background(), abs, true); err != nil {
		return nil, err
	}
	return s, nil
}

// Close releases the pack; closing again does nothing. A store is not
// used after Close. A server need not call it: SQLite recovers a pack left
// open by a crash.
func (s *Store) Close() error {
	p := s.pack
	if p == nil {
		return nil
	}
	s.pack = nil
	return p.close()
}

// removeStaleTemp removes regular files in root/tmp last modified before
// cutoff.
func (s *Store) removeStaleTemp(cutoff time.Time) error {
	entries, err := os.ReadDir(s.tmpDir)
	if err != nil {
		return fmt.Errorf("fsblob: list temporary files: %w", err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return fmt.Errorf("fsblob: stat temporary file: %w", err)
		}
		if fi.ModTime().Before(cutoff) {
			err := os.Remove(filepath.Join(s.tmpDir, e.Name()))
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("fsblob: remove stale temporary file: %w", err)
			}
		}
	}
	return nil
}

// dir returns the fan-out directory of d: root/sha256/ab/cd.
func (s *Store) dir(hexd string) string {
	return filepath.Join(s.blobDir, hexd[0:2], hexd[2:4])
}

// path returns the file of d: root/sha256/ab/cd/abcd….
func (s *Store) path(d blob.Digest) string {
	h := d.String()
	return filepath.Join(s.dir(h), h)
}

func notFound(d blob.Digest, err error) error {
	return errkind.Wrap(errkind.NotFound, err, "blob %s not found", d)
}

// Create starts a new blob in a temporary file under root/tmp.
func (s *Store) Create(ctx context.Context) (blob.Writer, error) {
	if s.readOnly {
		return nil, fmt.Errorf("fsblob: create: %w", errReadOnly)
	}
	sp, err := blob.NewSpool(ctx, s.tmpDir, tmpPattern, "fsblob")
	if err != nil {
		return nil, err
	}
	return &writer{Spool: sp, s: s}, nil
}

// Open returns the blob's file itself, an *os.File, or a packed blob's
// bytes in memory. The file is looked for first: a miss costs one system
// call, and a large blob is never in the pack.
func (s *Store) Open(ctx context.Context, d blob.Digest) (io.ReadSeekCloser, blob.Info, error) {
	if err := ctx.Err(); err != nil {
		return nil, blob.Info{}, fmt.Errorf("fsblob: open %s: %w", d, err)
	}
	f, err := openRead(s.path(d))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && s.pack != nil {
			data, info, perr := s.pack.load(ctx, d)
			if perr == nil {
				return packedReader{bytes.NewReader(data), data}, info, nil
			}
			if !errors.Is(perr, errNotPacked) {
				return nil, blob.Info{}, fmt.Errorf("fsblob: open %s: %w", d, perr)
			}
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, blob.Info{}, notFound(d, err)
		}
		return nil, blob.Info{}, fmt.Errorf("fsblob: open %s: %w", d, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, blob.Info{}, fmt.Errorf("fsblob: open %s: %w", d, err)
	}
	return f, info(d, fi), nil
}

// Stat describes the blob's file.
func (s *Store) Stat(ctx context.Context, d blob.Digest) (blob.Info, error) {
	if err := ctx.Err(); err != nil {
		return blob.Info{}, fmt.Errorf("fsblob: stat %s: %w", d, err)
	}
	fi, err := os.Stat(s.path(d))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && s.pack != nil {
			info, perr := s.pack.info(ctx, d)
			if perr == nil {
				return info, nil
			}
			if !errors.Is(perr, errNotPacked) {
				return blob.Info{}, fmt.Errorf("fsblob: stat %s: %w", d, perr)
			}
		}
		if errors.Is(err, fs.ErrNotExist) {
			return blob.Info{}, notFound(d, err)
		}
		return blob.Info{}, fmt.Errorf("fsblob: stat %s: %w", d, err)
	}
	return info(d, fi), nil
}

func info(d blob.Digest, fi fs.FileInfo) blob.Info {
	return blob.Info{Digest: d, Size: fi.Size(), ModTime: fi.ModTime()}
}

// Delete removes the blob's file and its row in the pack (a blob is in one
// or the other). The directory is not fsynced: if a crash brings the file
// back, the next sweep deletes it again.
func (s *Store) Delete(ctx context.Context, d blob.Digest) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("fsblob: delete %s: %w", d, err)
	}
	if s.readOnly {
		return fmt.Errorf("fsblob: delete %s: %w", d, errReadOnly)
	}
	if err := os.Remove(s.path(d)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("fsblob: delete %s: %w", d, err)
	}
	if s.pack != nil {
		if err := s.pack.remove(ctx, d); err != nil {
			return fmt.Errorf("fsblob: delete %s: %w", d, err)
		}
	}
	return nil
}

// errStop tells filepath.WalkDir to stop because fn returned an error; it is
// never returned to callers. A private value is needed because fn could
// return filepath.SkipDir or SkipAll, which WalkDir would otherwise obey.
var errStop = errors.New("fsblob: walk stopped")

// Walk visits every file under root/sha256 whose name is a digest and whose
// directories match that digest's fan-out (anything else, a stray file or
// an editor's backup, is skipped), then every blob in the pack.
func (s *Store) Walk(ctx context.Context, fn func(blob.Info) error) error {
	if err := s.walkFiles(ctx, fn); err != nil || s.pack == nil {
		return err
	}
	err := s.pack.walk(ctx, fn)
	var perr *packError
	if errors.As(err, &perr) {
		return fmt.Errorf("fsblob: walk the pack: %w", perr.err)
	}
	return err
}

// walkFiles is Walk over the files.
func (s *Store) walkFiles(ctx context.Context, fn func(blob.Info) error) error {
	var fnErr error
	err := filepath.WalkDir(s.blobDir, func(p string, e fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil {
			// A directory or file removed while walking is simply gone.
			if errors.Is(err, fs.ErrNotExist) && p != s.blobDir {
				return nil
			}
			return err
		}
		if e.IsDir() || !e.Type().IsRegular() {
			return nil
		}
		d, err := blob.ParseDigest(e.Name())
		if err != nil || d.String() != e.Name() || filepath.Dir(p) != s.dir(e.Name()) {
			return nil
		}
		fi, err := e.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // deleted while walking
			}
			return err
		}
		if err := fn(info(d, fi)); err != nil {
			fnErr = err
			return errStop
		}
		return nil
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return fmt.Errorf("fsblob: walk: %w", err)
	}
	return nil
}

// writer is the blob.Writer of a Store: a temporary file in root/tmp plus a
// running hash (blob.Spool).
type writer struct {
	*blob.Spool
	s *Store
}

// Commit puts a blob of at most packMax bytes into the pack (commitPacked);
// a larger one it fsyncs, then renames to the digest's path unless an intact
// copy is there already, then fsyncs the directories it changed.
func (w *writer) Commit(ctx context.Context, expected blob.Digest) (blob.Info, error) {
	if err := w.Seal(ctx, expected); err != nil {
		return blob.Info{}, err
	}
	if w.Size() <= w.s.packMax && w.s.pack != nil {
		return w.commitPacked(ctx, expected)
	}
	tmp := w.File.Name()
	published := false
	defer func() {
		if !published {
			w.Discard() // the error is of no use: Commit has failed
		}
	}()
	got, size := expected, w.Size()
	if err := w.File.Sync(); err != nil {
		return blob.Info{}, fmt.Errorf("fsblob: commit %s: sync: %w", got, err)
	}
	if err := w.File.Chmod(filePerm); err != nil {
		return blob.Info{}, fmt.Errorf("fsblob: commit %s: %w", got, err)
	}
	if err := w.File.Close(); err != nil {
		return blob.Info{}, fmt.Errorf("fsblob: commit %s: close: %w", got, err)
	}

	h := got.String()
	dir := w.s.dir(h)
	target := filepath.Join(dir, h)
	created, err := w.s.mkdirFanout(h)
	if err != nil {
		return blob.Info{}, fmt.Errorf("fsblob: commit %s: %w", got, err)
	}

	// Deduplicate: an existing file of the right size is the same blob (its
	// name is its digest and it was published by rename). Refresh its
	// modification time so that a sweep's grace period starts again.
	if fi, err := os.Stat(target); err == nil && fi.Mode().IsRegular() && fi.Size() == size {
		now := time.Now()
		if err := os.Chtimes(target, now, now); err == nil {
			return blob.Info{Digest: got, Size: size, ModTime: now}, nil
		}
		// The file vanished (a concurrent Delete) or cannot be touched:
		// publish our copy instead.
	}

	// The last check before the point of no return: a done ctx publishes nothing.
	if err := ctx.Err(); err != nil {
		return blob.Info{}, fmt.Errorf("fsblob: commit: %w", err)
	}
	if err := os.Rename(tmp, target); err != nil {
		return blob.Info{}, fmt.Errorf("fsblob: commit %s: %w", got, err)
	}
	published = true

	// Make the rename (and any new fan-out directories) durable. The blob is
	// already visible, so a failure here is reported but not undone.
	for _, d := range append([]string{dir}, created...) {
		if err := syncDir(d); err != nil {
			return blob.Info{}, fmt.Errorf("fsblob: commit %s: sync directory: %w", got, err)
		}
	}
	fi, err := os.Stat(target)
	if err != nil {
		return blob.Info{}, fmt.Errorf("fsblob: commit %s: %w", got, err)
	}
	return info(got, fi), nil
}

// commitPacked puts the sealed bytes into the pack, unless a file of the
// store's older layout holds them already (then it refreshes the file's
// modification time, as a deduplicating Commit does), and removes the
// temporary file.
func (w *writer) commitPacked(ctx context.Context, d blob.Digest) (blob.Info, error) {
	defer w.Discard() // the bytes are in memory or the pack: the file is done with
	size := w.Size()
	data := make([]byte, size)
	if _, err := w.File.ReadAt(data, 0); err != nil {
		return blob.Info{}, fmt.Errorf("fsblob: commit %s: read back: %w", d, err)
	}
	target := w.s.path(d)
	fi, err := os.Stat(target)
	damaged := err == nil
	if damaged && fi.Mode().IsRegular() && fi.Size() == size {
		now := time.Now()
		if err := os.Chtimes(target, now, now); err == nil {
			return blob.Info{Digest: d, Size: size, ModTime: now}, nil
		}
		// Deleted meanwhile: pack the bytes instead.
		damaged = false
	}
	// The last check before the point of no return: a done ctx publishes
	// nothing. The insert itself runs to its end.
	if err := ctx.Err(); err != nil {
		return blob.Info{}, fmt.Errorf("fsblob: commit: %w", err)
	}
	now := time.Now()
	if err := w.s.pack.store(context.WithoutCancel(ctx), d, data, now); err != nil {
		return blob.Info{}, fmt.Errorf("fsblob: commit %s: %w", d, err)
	}
	if damaged {
		// A file of the wrong size under the digest's name would be
		// opened before the pack: it goes.
		if err := os.Remove(target); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return blob.Info{}, fmt.Errorf("fsblob: commit %s: remove damaged file: %w", d, err)
		}
	}
	return blob.Info{Digest: d, Size: size, ModTime: now}, nil
}

// mkdirFanout creates root/sha256/ab/cd for the hex digest h and returns the
// parents of the directories it created, which must be fsynced so that the
// new entries survive a crash.
func (s *Store) mkdirFanout(h string) (toSync []string, err error) {
	ab := filepath.Join(s.blobDir, h[0:2])
	abcd := filepath.Join(ab, h[2:4])
	if _, err := os.Stat(abcd); err == nil {
		return nil, nil
	}
	for _, step := range []struct{ dir, parent string }{{ab, s.blobDir}, {abcd, ab}} {
		err := os.Mkdir(step.dir, dirPerm)
		switch {
		case err == nil:
			toSync = append(toSync, step.parent)
		case errors.Is(err, fs.ErrExist):
			// Created by a concurrent Commit, which fsyncs its parent. Until
			// it has, a crash could lose this entry on a file system that
			// does not journal directory operations in order; ext4 and XFS
			// do, and the window is once per directory, ever.
		default:
			return nil, err
		}
	}
	return toSync, nil
}

// syncDir fsyncs a directory so that entries created or renamed in it
// survive a crash. Windows cannot fsync a directory handle, and does not
// need to.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
