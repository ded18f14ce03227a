package backup_test

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/backup"
	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/blob/fsblob"
	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/servertest"
)

// published is what a publish acknowledged: its asset's digest.
type published struct{ version, sha string }

func publish(t testing.TB, ca *codeartifact.Client, version string) (published, error) {
	content := []byte("the asset of version " + version + strings.Repeat(".", 100))
	sum := sha256.Sum256(content)
	sha := hex.EncodeToString(sum[:])
	_, err := ca.PublishPackageVersion(t.Context(), &codeartifact.PublishPackageVersionInput{
		Domain: aws.String("dom"), Repository: aws.String("repo"), Format: types.PackageFormatGeneric,
		Namespace: aws.String("ns"), Package: aws.String("pkg"), PackageVersion: aws.String(version),
		AssetName: aws.String("asset.bin"), AssetSHA256: aws.String(sha), AssetContent: bytes.NewReader(content),
	})
	return published{version, sha}, err
}

// readBlob reads a blob of a data directory (or a backup).
func readBlob(t *testing.T, dir, sha string) ([]byte, error) {
	t.Helper()
	s, err := fsblob.Existing(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d, err := blob.ParseDigest(sha)
	if err != nil {
		t.Fatal(err)
	}
	rc, _, err := s.Open(t.Context(), d)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// damageBlob appends a byte to a small blob in a backup: in the pack, the
// SQLite database where the blob directory keeps small blobs.
func damageBlob(t *testing.T, dir, sha string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "blobs", "pack.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d, _ := hex.DecodeString(sha)
	res, err := db.Exec(`UPDATE blobs SET data = CAST(data AS BLOB) || x'00' WHERE digest = ?`, d)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("blob %s is not in the backup's pack", sha)
	}
}

// A backup taken while publishes go on restores into a data directory
// that holds every blob the backup's database references, with private
// modes; the restored directory serves (TestBackupRestore in e2e/ drives
// this with npm).
func TestBackupWhilePublishing(t *testing.T) {
	srv := servertest.Start(t)
	ca := srv.CodeArtifact()
	servertest.Domain(t, ca, "dom")
	servertest.Repository(t, ca, "dom", "repo", types.PackageFormatGeneric)
	for i := range 5 {
		if _, err := publish(t, ca, fmt.Sprintf("1.0.%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() { // publishes while the backup runs
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := publish(t, ca, fmt.Sprintf("2.0.%d", i)); err != nil {
				t.Errorf("publish during the backup: %v", err)
				return
			}
		}
	}()
	to := filepath.Join(t.TempDir(), "backup")
	m, err := backup.Backup(t.Context(), srv.Data, to, backup.Options{ArcaVersion: "test"})
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if m.Blobs < 5 || !m.RootCredentials && fileExists(filepath.Join(srv.Data, "root-credentials.json")) || m.MasterKey {
		t.Errorf("manifest %+v: want at least the 5 blobs published before, no master key", m)
	}
	if fileExists(filepath.Join(to, "master.key")) {
		t.Error("the master key is in the backup without --include-master-key")
	}
	// The small blobs' pack is one file, readable from read-only media.
	if !fileExists(filepath.Join(to, "blobs", "pack.db")) || fileExists(filepath.Join(to, "blobs", "pack.db-wal")) {
		t.Error("the backup's blobs/pack.db is missing or has a -wal beside it")
	}

	data := filepath.Join(t.TempDir(), "restored")
	got, checked, err := backup.Restore(t.Context(), to, data, backup.RestoreOptions{MasterKeyFile: filepath.Join(srv.Data, "master.key")})
	if err != nil {
		t.Fatal(err)
	}
	if !checked || got.Blobs != m.Blobs {
		t.Errorf("restore: checked key %v, manifest %+v; want the key checked and %d blobs", checked, got, m.Blobs)
	}
	for i := range 5 {
		sum := sha256.Sum256([]byte(fmt.Sprintf("the asset of version 1.0.%d", i) + strings.Repeat(".", 100)))
		sha := hex.EncodeToString(sum[:])
		b, err := readBlob(t, data, sha)
		if err != nil {
			t.Fatalf("blob of 1.0.%d: %v", i, err)
		}
		if s := sha256.Sum256(b); hex.EncodeToString(s[:]) != sha {
			t.Errorf("blob of 1.0.%d has other bytes", i)
		}
	}
	// Private, as the server keeps them.
	filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := d.Info()
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %#o: open to others", p, fi.Mode().Perm())
		}
		return nil
	})
	// The restored directory serves what was backed up.
	restored := servertest.Start(t, func(c *config.Config) { c.Data = data; c.MasterKeyFile = filepath.Join(srv.Data, "master.key") })
	out, err := restored.CodeArtifact().ListPackageVersions(t.Context(), &codeartifact.ListPackageVersionsInput{
		Domain: aws.String("dom"), Repository: aws.String("repo"), Format: types.PackageFormatGeneric,
		Namespace: aws.String("ns"), Package: aws.String("pkg")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Versions) < 5 {
		t.Errorf("the restored server lists %d versions, want at least 5", len(out.Versions))
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Refusals leave nothing behind: a backup or a restore into a directory
// that holds anything, a restore from a directory that is no backup, a
// backup whose blob was damaged, a master key that does not open the
// restored secrets.
func TestRefusals(t *testing.T) {
	srv := servertest.Start(t)
	ca := srv.CodeArtifact()
	servertest.Domain(t, ca, "dom")
	servertest.Repository(t, ca, "dom", "repo", types.PackageFormatGeneric)
	p, err := publish(t, ca, "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "x"), nil, 0o600)
	if _, err := backup.Backup(t.Context(), srv.Data, full, backup.Options{}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("backup into a non-empty directory: %v", err)
	}
	to := filepath.Join(t.TempDir(), "b")
	if _, err := backup.Backup(t.Context(), srv.Data, to, backup.Options{IncludeMasterKey: true}); err != nil {
		t.Fatal(err)
	}
	if !fileExists(filepath.Join(to, "master.key")) {
		t.Error("--include-master-key: no master.key in the backup")
	}
	if _, _, err := backup.Restore(t.Context(), to, full, backup.RestoreOptions{}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("restore into a non-empty directory: %v", err)
	}
	if _, _, err := backup.Restore(t.Context(), t.TempDir(), filepath.Join(t.TempDir(), "n"), backup.RestoreOptions{}); err == nil || !strings.Contains(err.Error(), "no complete Arca backup") {
		t.Errorf("restore from a directory without a manifest: %v", err)
	}

	wrongKey := filepath.Join(t.TempDir(), "wrong.key")
	os.WriteFile(wrongKey, []byte("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"), 0o600)
	empty := t.TempDir()
	if _, _, err := backup.Restore(t.Context(), to, empty, backup.RestoreOptions{MasterKeyFile: wrongKey}); err == nil || !strings.Contains(err.Error(), "master key does not open") {
		t.Errorf("restore with the wrong master key: %v", err)
	}
	assertEmpty(t, empty)

	// A damaged blob in the backup.
	damageBlob(t, to, p.sha)
	if _, _, err := backup.Restore(t.Context(), to, empty, backup.RestoreOptions{}); err == nil {
		t.Error("a damaged blob was restored")
	}
	assertEmpty(t, empty)
}

func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) > 0 {
		t.Errorf("%s holds %d entries after a failed restore, want none", dir, len(entries))
	}
}
