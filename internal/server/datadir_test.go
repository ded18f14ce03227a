package server_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/servertest"
)

// TestDataDirectoryIsPrivate starts a server on a data directory that is
// open to everyone (0755, as a `mkdir` makes it), publishes an asset, and
// checks that the directory and everything in it is the owner's only.
func TestDataDirectoryIsPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	data := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(data, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
	srv := servertest.Start(t, func(c *config.Config) { c.Data = data; c.AuditLog = "" })
	ca := srv.CodeArtifact()
	servertest.Domain(t, ca, "dom")
	servertest.Repository(t, ca, "dom", "repo", types.PackageFormatGeneric)
	body := []byte("private bytes")
	_, err := ca.PublishPackageVersion(t.Context(), &codeartifact.PublishPackageVersionInput{
		Domain: aws.String("dom"), Repository: aws.String("repo"), Format: types.PackageFormatGeneric,
		Namespace: aws.String("ns"), Package: aws.String("pkg"), PackageVersion: aws.String("1.0.0"),
		AssetName: aws.String("a.bin"), AssetContent: bytesReader(body), AssetSHA256: aws.String(sha256hex(body)),
	})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		n++
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has mode %v: open to other users", p, perm)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 5 {
		t.Fatalf("only %d entries under the data directory", n)
	}
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
