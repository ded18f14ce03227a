package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
)

// TestMasterKey drives the master key with the arca binary: a first start
// makes <data>/master.key (0600) and the database holds no secret in plain
// text; a start with another key fails and says why; a rotation (the new
// key first, the old after it, for one start) leaves a data directory the
// new key alone opens (from --master-key-file), with the root's credentials still working, and the
// old key no longer opens.
func TestMasterKey(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	s := start(t, startOpts{Data: data, Env: rootEnv(), RootFromEnv: true})
	if _, err := sdk(s).CreateDomain(context.Background(), &codeartifact.CreateDomainInput{Domain: aws_("keys")}); err != nil {
		t.Fatal(err)
	}
	s.Stop(t)
	keyFile := filepath.Join(data, "master.key")
	fi, err := os.Stat(keyFile)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("master key file: %v %v", fi, err)
	}
	db, err := os.ReadFile(filepath.Join(data, "arca.db"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(db, []byte(testSecret)) {
		t.Error("the root's secret key is in arca.db in plain text")
	}
	oldKey := strings.TrimSpace(string(must1(os.ReadFile(keyFile))))
	newKey := randomKey(t)

	code, _, stderr := runArcaExpectExit(t, rootEnv("ARCA_MASTER_KEY="+randomKey(t)), "--data", data, "--listen", freeAddr(t))
	if code == 0 || !strings.Contains(stderr, "the master key does not open the secrets") {
		t.Fatalf("a start with another master key: exit %d\n%s", code, stderr)
	}

	// Rotation: new,old for one start.
	s = start(t, startOpts{Data: data, Env: rootEnv("ARCA_MASTER_KEY=" + newKey + "," + oldKey), RootFromEnv: true})
	s.Stop(t)
	// The new key alone, from a file outside the data directory.
	newFile := filepath.Join(t.TempDir(), "arca.key")
	if err := os.WriteFile(newFile, []byte(newKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s = start(t, startOpts{Data: data, Args: []string{"--master-key-file", newFile}, Env: rootEnv(), RootFromEnv: true})
	if _, err := sdk(s).DescribeDomain(context.Background(), &codeartifact.DescribeDomainInput{Domain: aws_("keys")}); err != nil {
		t.Errorf("the root's key after the rotation: %v", err)
	}
	s.Stop(t)
	code, _, stderr = runArcaExpectExit(t, rootEnv(), "--data", data, "--listen", freeAddr(t))
	if code == 0 || !strings.Contains(stderr, "the master key does not open the secrets") {
		t.Fatalf("a start with the old key file after the rotation: exit %d\n%s", code, stderr)
	}
}

func randomKey(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func must1[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
