package identity

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store/sqlite"
)

func TestGenerateRootIsValidAndRandom(t *testing.T) {
	a, b := GenerateRoot(), GenerateRoot()
	for _, r := range []Root{a, b} {
		if err := r.Validate(); err != nil {
			t.Fatalf("generated root %+v: %v", r, err)
		}
		if r.AccountID[0] == '0' {
			t.Errorf("account id %s starts with 0", r.AccountID)
		}
	}
	if a == b {
		t.Fatal("two generated roots are equal")
	}
}

func TestLoadOrCreateRoot(t *testing.T) {
	dir := t.TempDir()
	r, created, err := LoadOrCreateRoot(dir, "")
	if err != nil || !created {
		t.Fatalf("first start: created=%v err=%v", created, err)
	}
	fi, err := os.Stat(filepath.Join(dir, RootFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("root file mode %v, want 0600", fi.Mode().Perm())
	}
	again, created, err := LoadOrCreateRoot(dir, r.AccountID)
	if err != nil || created || again != r {
		t.Fatalf("second start: %+v created=%v err=%v, want the same credentials", again, created, err)
	}
	if _, _, err := LoadOrCreateRoot(dir, "999999999999"); err == nil {
		t.Error("kept credentials of another account were accepted")
	}
	if fixed, _, err := LoadOrCreateRoot(t.TempDir(), "444455556666"); err != nil || fixed.AccountID != "444455556666" {
		t.Errorf("new credentials for a given account: %+v %v", fixed, err)
	}
	os.WriteFile(filepath.Join(dir, RootFile), []byte(`{"accountId":"12"}`), 0o600)
	if _, _, err := LoadOrCreateRoot(dir, ""); err == nil {
		t.Error("a corrupt root file was accepted")
	}
}

func TestDirectoryLookup(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d := NewDirectory(st, time.Now)
	root := Root{AccountID: "111122223333", AccessKeyID: "AKIAEXAMPLEEXAMPLE", SecretAccessKey: "secretsecretsecret"}
	if err := d.EnsureRoot(ctx, root); err != nil {
		t.Fatal(err)
	}
	secret, p, err := d.Lookup(ctx, root.AccessKeyID, "")
	if err != nil {
		t.Fatal(err)
	}
	if secret != root.SecretAccessKey || p.Account != "111122223333" || !p.IsRoot() || p.AccessKeyID != root.AccessKeyID {
		t.Errorf("Lookup = %q %+v", secret, p)
	}
	if _, _, err := d.Lookup(ctx, "AKIAUNKNOWN", ""); !errors.Is(err, errkind.ErrUnauthenticated) {
		t.Errorf("unknown key: %v", err)
	}
	if _, _, err := d.Lookup(ctx, root.AccessKeyID, "some-session-token"); !errors.Is(err, errkind.ErrUnauthenticated) {
		t.Errorf("long-term key with a session token: %v", err)
	}
	// A new secret for the same key replaces the old one.
	root.SecretAccessKey = "anothersecretvalue"
	if err := d.EnsureRoot(ctx, root); err != nil {
		t.Fatal(err)
	}
	if secret, _, _ = d.Lookup(ctx, root.AccessKeyID, ""); secret != "anothersecretvalue" {
		t.Errorf("secret not replaced: %q", secret)
	}
}
