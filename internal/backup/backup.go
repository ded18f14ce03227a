package backup

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/blob/fsblob"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/sealed"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/engine"
	"github.com/arcahq/arca/internal/store/sqlite"
)

// File names inside a data directory and a backup.
const (
	ManifestFile = "manifest.json"
	databaseFile = engine.DatabaseFile
	blobsDir     = "blobs"
)

// FormatVersion is the version of the backup layout this build writes
// and reads.
const FormatVersion = 1

// Manifest describes a backup.
type Manifest struct {
	Format        int       `json:"format"`
	CreatedAt     time.Time `json:"createdAt"`
	ArcaVersion   string    `json:"arcaVersion"`
	SchemaVersion int64     `json:"schemaVersion"`
	Blobs         int       `json:"blobs"`
	BlobBytes     int64     `json:"blobBytes"`
	// RootCredentials and MasterKey say whether the backup holds those
	// files.
	RootCredentials bool `json:"rootCredentials"`
	MasterKey       bool `json:"masterKey"`
}

// Options adjust a backup.
type Options struct {
	// IncludeMasterKey copies <data>/master.key into the backup.
	IncludeMasterKey bool
	// ArcaVersion is recorded in the manifest.
	ArcaVersion string
	// Now is the clock of the manifest; nil for time.Now.
	Now func() time.Time
}

// snapshotAttempts bounds how often Backup snapshots again because a
// blob went away between the snapshot and its copy.
const snapshotAttempts = 3

// Backup writes a backup of the data directory data into the directory
// to, which must not exist or be empty. The server may be running.
func Backup(ctx context.Context, data, to string, opt Options) (m Manifest, err error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	db := filepath.Join(data, databaseFile)
	if _, err := os.Stat(db); err != nil {
		return m, fmt.Errorf("no SQLite database in %s (a server on PostgreSQL, --database, is backed up with pg_dump: see the README): %w", data, err)
	}
	keyFile := filepath.Join(data, sealed.KeyFile)
	if opt.IncludeMasterKey {
		if _, err := os.Stat(keyFile); err != nil {
			return m, fmt.Errorf("--include-master-key: the data directory has no %s (the server's key comes from elsewhere: back it up there): %w", sealed.KeyFile, err)
		}
	}
	src, err := fsblob.Existing(filepath.Join(data, blobsDir))
	if err != nil {
		return m, fmt.Errorf("the blobs are not in the data directory (an S3 bucket? back it up with the bucket's own tools): %w", err)
	}
	defer src.Close()
	done, err := claimEmptyDir(to)
	if err != nil {
		return m, err
	}
	defer func() { done(err == nil) }()
	dst, err := fsblob.New(filepath.Join(to, blobsDir))
	if err != nil {
		return m, err
	}
	defer dst.Close() // a second Close is harmless
	snapshot := filepath.Join(to, databaseFile)
	copied := map[string]int64{}
	var digests []string
	for attempt := 1; ; attempt++ {
		os.Remove(snapshot)
		if err := sqlite.Snapshot(ctx, db, snapshot); err != nil {
			return m, err
		}
		if digests, err = sqlite.Digests(ctx, snapshot); err != nil {
			return m, err
		}
		missing, err := copyBlobs(ctx, src, dst, digests, copied)
		if err != nil {
			return m, err
		}
		if missing == "" {
			break
		}
		if attempt == snapshotAttempts {
			return m, fmt.Errorf("blob %s, referenced by the database, is gone from %s after %d snapshots: "+
				"is something deleting versions as fast as the backup runs, or were blobs removed by hand?", missing, data, attempt)
		}
	}
	// Blobs copied for an earlier snapshot that the last one no longer
	// references are left out.
	want := make(map[string]bool, len(digests))
	for _, d := range digests {
		want[d] = true
	}
	for h := range copied {
		if !want[h] {
			d, _ := blob.ParseDigest(h)
			if err := dst.Delete(ctx, d); err != nil {
				return m, err
			}
			delete(copied, h)
		}
	}
	m = Manifest{Format: FormatVersion, CreatedAt: opt.Now().UTC().Truncate(time.Second), ArcaVersion: opt.ArcaVersion, Blobs: len(copied)}
	for _, n := range copied {
		m.BlobBytes += n
	}
	if m.SchemaVersion, err = sqlite.SchemaVersion(ctx, snapshot); err != nil {
		return m, err
	}
	if m.RootCredentials, err = copyIfExists(filepath.Join(data, identity.RootFile), filepath.Join(to, identity.RootFile)); err != nil {
		return m, err
	}
	if opt.IncludeMasterKey {
		if m.MasterKey, err = copyIfExists(keyFile, filepath.Join(to, sealed.KeyFile)); err != nil {
			return m, err
		}
	}
	// Closed, the pack of small blobs is one file: no -wal or -shm beside it.
	if err := dst.Close(); err != nil {
		return m, err
	}
	if err := os.RemoveAll(filepath.Join(to, blobsDir, "tmp")); err != nil {
		return m, err
	}
	return m, writeManifest(filepath.Join(to, ManifestFile), m)
}

// copyBlobs copies the blobs of digests not yet in copied from src to dst,
// recording their sizes in copied. It returns the first digest src does
// not have, if any, after copying all the others.
func copyBlobs(ctx context.Context, src blob.Store, dst blob.Store, digests []string, copied map[string]int64) (missing string, err error) {
	for _, h := range digests {
		if _, ok := copied[h]; ok {
			continue
		}
		d, err := blob.ParseDigest(h)
		if err != nil {
			return "", fmt.Errorf("the database references blob %q: %w", h, err)
		}
		n, err := copyBlob(ctx, src, dst, d)
		if errors.Is(err, errkind.ErrNotFound) {
			if missing == "" {
				missing = h
			}
			continue
		}
		if err != nil {
			return "", err
		}
		copied[h] = n
	}
	return missing, nil
}

// copyBlob copies one blob; the writer's Commit checks its digest.
func copyBlob(ctx context.Context, src, dst blob.Store, d blob.Digest) (int64, error) {
	r, _, err := src.Open(ctx, d)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	w, err := dst.Create(ctx)
	if err != nil {
		return 0, err
	}
	defer w.Cancel(ctx)
	if _, err := io.Copy(w, r); err != nil {
		return 0, fmt.Errorf("copy blob %s: %w", d, err)
	}
	info, err := w.Commit(ctx, d)
	if err != nil {
		return 0, fmt.Errorf("copy blob %s: %w", d, err)
	}
	return info.Size, nil
}

// RestoreOptions say which master key the restored server will use, as
// `arca serve` takes it.
type RestoreOptions struct {
	MasterKey     string // ARCA_MASTER_KEY
	MasterKeyFile string // --master-key-file
}

// Restore brings the backup in from into the data directory data, which
// must not exist or be empty, and returns the backup's manifest. When a
// master key is at hand (in the backup, or in opt), Restore checks that
// it opens the restored secrets; keyChecked says whether it did.
func Restore(ctx context.Context, from, data string, opt RestoreOptions) (m Manifest, keyChecked bool, err error) {
	if m, err = ReadManifest(from); err != nil {
		return m, false, err
	}
	latest, err := sqlite.LatestSchema()
	if err != nil {
		return m, false, err
	}
	if m.SchemaVersion > latest {
		return m, false, fmt.Errorf("the backup's database has schema %d, newer than this arca knows (%d): restore it with the arca that made it (%s) or later", m.SchemaVersion, latest, m.ArcaVersion)
	}
	snapshot := filepath.Join(from, databaseFile)
	if err := sqlite.Verify(ctx, snapshot); err != nil {
		return m, false, fmt.Errorf("the backup's database is damaged: %w", err)
	}
	digests, err := sqlite.Digests(ctx, snapshot)
	if err != nil {
		return m, false, err
	}
	src, err := fsblob.Existing(filepath.Join(from, blobsDir))
	if err != nil {
		return m, false, fmt.Errorf("the backup has no blobs: %w", err)
	}
	defer src.Close()
	done, err := claimEmptyDir(data)
	if err != nil {
		return m, false, err
	}
	defer func() { done(err == nil) }()
	if err := copyFile(snapshot, filepath.Join(data, databaseFile)); err != nil {
		return m, false, err
	}
	dst, err := fsblob.New(filepath.Join(data, blobsDir))
	if err != nil {
		return m, false, err
	}
	missing, err := copyBlobs(ctx, src, dst, digests, map[string]int64{})
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return m, false, err
	}
	if missing != "" {
		return m, false, fmt.Errorf("the backup lacks blob %s, which its database references: it is incomplete", missing)
	}
	for _, name := range []string{identity.RootFile, sealed.KeyFile} {
		if _, err := copyIfExists(filepath.Join(from, name), filepath.Join(data, name)); err != nil {
			return m, false, err
		}
	}
	if opt.MasterKey == "" && opt.MasterKeyFile == "" && !m.MasterKey {
		return m, false, nil
	}
	// Open the restored store as the server will: migrated to this
	// build's schema, every secret opened with the key.
	st, _, err := sealed.OpenStore(ctx, sealed.Source{Env: opt.MasterKey, File: opt.MasterKeyFile, Data: data},
		func() (store.Store, error) { return sqlite.Open(ctx, filepath.Join(data, databaseFile)) })
	if err != nil {
		return m, false, fmt.Errorf("the restored database: %w", err)
	}
	return m, true, st.Close()
}

// ReadManifest reads and checks the manifest of the backup in dir.
func ReadManifest(dir string) (Manifest, error) {
	var m Manifest
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return m, fmt.Errorf("%s is no complete Arca backup (no %s): %w", dir, ManifestFile, err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestFile), err)
	}
	if m.Format != FormatVersion {
		return m, fmt.Errorf("%s: backup format %d; this arca reads format %d", filepath.Join(dir, ManifestFile), m.Format, FormatVersion)
	}
	return m, nil
}

func writeManifest(path string, m Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return sealed.CreatePrivate(path, bytes.NewReader(append(b, '\n')))
}

// claimEmptyDir makes dir ready to be filled: created 0700 if missing,
// refused unless empty, made 0700 if it was open to others. The returned
// function, called with ok false, removes what was written into it (and
// dir itself if it was created here).
func claimEmptyDir(dir string) (done func(ok bool), err error) {
	entries, err := os.ReadDir(dir)
	created := false
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		created = true
	case err != nil:
		return nil, err
	case len(entries) > 0:
		return nil, fmt.Errorf("%s is not empty: give a new or empty directory", dir)
	default:
		if err := os.Chmod(dir, 0o700); err != nil {
			return nil, err
		}
	}
	return func(ok bool) {
		if ok {
			return
		}
		if created {
			os.RemoveAll(dir)
			return
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}, nil
}

// copyIfExists copies src to dst (0600) when src exists.
func copyIfExists(src, dst string) (bool, error) {
	if _, err := os.Stat(src); errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return true, copyFile(src, dst)
}

// copyFile copies src to the new file dst.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := sealed.CreatePrivate(dst, in); err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return nil
}
