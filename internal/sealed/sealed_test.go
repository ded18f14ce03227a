package sealed_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/sealed"
	"github.com/arcahq/arca/internal/servertest"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/sqlite"
)

var ctx = context.Background()

func newKey(t *testing.T, fill byte) []byte {
	t.Helper()
	return bytes.Repeat([]byte{fill}, sealed.KeySize)
}

func box(t *testing.T, keys ...[]byte) *sealed.Box {
	t.Helper()
	b, err := sealed.NewBox(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The secrets a data directory holds in plain text before encryption.
const (
	accessSecret  = "wJalrXUtnFEMIK7MDENGbPxRfiCYPLAINSECRET1"
	sessionSecret = "sessionPLAINsecretZZZZZZZZZZZZZZZZZZZZZZ"
)

var signingSecret = []byte("signing-key-PLAIN-bytes-32-long!")

const hookSecret = "webhook-PLAIN-secret-of-a-subscription"

// plainStore writes a store the way Arca did before secrets were sealed.
func plainStore(t *testing.T, path string) {
	t.Helper()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC()
	must(t, st.PutAccount(ctx, store.Account{ID: "111122223333", CreatedAt: now}))
	must(t, st.PutAccessKey(ctx, store.AccessKey{ID: "AKIAPLAIN", Secret: accessSecret, AccountID: "111122223333",
		PrincipalARN: "arn:aws:iam::111122223333:root", Active: true, CreatedAt: now}))
	must(t, st.CreateRole(ctx, store.Role{ID: "AROA1", AccountID: "111122223333", Name: "ci", Path: "/", TrustPolicy: "{}", MaxSessionDuration: 3600, CreatedAt: now}))
	must(t, st.CreateSession(ctx, store.Session{AccessKeyID: "ASIAPLAIN", Secret: sessionSecret, TokenHash: []byte{1}, AccountID: "111122223333",
		RoleID: "AROA1", SessionName: "s", IssuedAt: now, Expires: now.Add(time.Hour)}))
	must(t, st.CreateSigningKey(ctx, store.SigningKey{ID: 42, Secret: signingSecret, CreatedAt: now}))
	must(t, st.CreateEventSubscription(ctx, store.EventSubscription{ID: "sub-1", AccountID: "111122223333", DomainOwner: "111122223333",
		DomainName: "d", URL: "http://127.0.0.1:1/", Secret: hookSecret, CreatedAt: now}))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func openSealed(t *testing.T, path string, b *sealed.Box) (*sealed.Store, error) {
	t.Helper()
	raw, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sealed.Open(ctx, raw, b)
	if err != nil {
		raw.Close()
	}
	return st, err
}

// TestPlainRowsAreSealedOnOpen: a database written before encryption has
// its secrets sealed when it is opened, no plain secret is left in its
// files, and everything still reads back as it was.
func TestPlainRowsAreSealedOnOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "arca.db")
	plainStore(t, path)
	if raw := servertest.DatabaseFiles(t, path); !bytes.Contains(raw, []byte(accessSecret)) {
		t.Fatal("the test's plain store does not hold the secret in plain text: the grep below proves nothing")
	}
	st, err := openSealed(t, path, box(t, newKey(t, 1)))
	must(t, err)
	checkSecrets(t, st)
	must(t, st.Close())
	raw := servertest.DatabaseFiles(t, path)
	for what, secret := range map[string][]byte{"access key": []byte(accessSecret), "session": []byte(sessionSecret), "signing key": signingSecret,
		"event subscription": []byte(hookSecret)} {
		if bytes.Contains(raw, secret) {
			t.Errorf("the %s secret is in the database files in plain text", what)
		}
	}
	if !bytes.Contains(raw, []byte("arca-sealed:1:")) {
		t.Error("no sealed value in the database files")
	}
}

func checkSecrets(t *testing.T, st store.Store) {
	t.Helper()
	k, err := st.GetAccessKey(ctx, "AKIAPLAIN")
	must(t, err)
	s, err := st.GetSession(ctx, "ASIAPLAIN")
	must(t, err)
	keys, err := st.ListSigningKeys(ctx)
	must(t, err)
	if k.Secret != accessSecret || s.Secret != sessionSecret || len(keys) != 1 || !bytes.Equal(keys[0].Secret, signingSecret) {
		t.Errorf("secrets read back as %q, %q, %v", k.Secret, s.Secret, keys)
	}
	sub, err := st.GetEventSubscription(ctx, "sub-1")
	must(t, err)
	subs, err := st.ListEventSubscriptions(ctx, "111122223333", "d")
	must(t, err)
	if sub.Secret != hookSecret || len(subs) != 1 || subs[0].Secret != hookSecret {
		t.Errorf("the subscription's secret read back as %q, %v", sub.Secret, subs)
	}
}

// TestWrongMasterKeyFailsOpen: a key that did not seal the secrets fails
// with a message naming the master key, and changes nothing.
func TestWrongMasterKeyFailsOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "arca.db")
	plainStore(t, path)
	st, err := openSealed(t, path, box(t, newKey(t, 1)))
	must(t, err)
	must(t, st.Close())
	_, err = openSealed(t, path, box(t, newKey(t, 2)))
	if err == nil || !strings.Contains(err.Error(), "the master key does not open the secrets") {
		t.Fatalf("open with the wrong key: %v", err)
	}
	st, err = openSealed(t, path, box(t, newKey(t, 1)))
	must(t, err)
	checkSecrets(t, st)
	must(t, st.Close())
}

// TestRotateMasterKey: opened once with the new key first and the old one
// after it, every secret is sealed under the new key; the new key alone
// then opens them, and the old one no longer does.
func TestRotateMasterKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "arca.db")
	plainStore(t, path)
	oldKey, newK := newKey(t, 1), newKey(t, 2)
	st, err := openSealed(t, path, box(t, oldKey))
	must(t, err)
	must(t, st.Close())
	st, err = openSealed(t, path, box(t, newK, oldKey))
	must(t, err)
	must(t, st.Close())
	st, err = openSealed(t, path, box(t, newK))
	must(t, err)
	checkSecrets(t, st)
	must(t, st.Close())
	if _, err := openSealed(t, path, box(t, oldKey)); err == nil {
		t.Error("the old key still opens the secrets after rotation")
	}
}

// TestSealedValueIsBoundToItsRow: a sealed secret copied into another row
// does not open there.
func TestSealedValueIsBoundToItsRow(t *testing.T) {
	b := box(t, newKey(t, 1))
	v := b.Seal([]byte("secret"), "access-key/AKIA1")
	if out, _, err := b.Open([]byte(v), "access-key/AKIA1"); err != nil || string(out) != "secret" {
		t.Fatalf("open: %q %v", out, err)
	}
	if _, _, err := b.Open([]byte(v), "access-key/AKIA2"); !errors.Is(err, sealed.ErrWrongKey) {
		t.Errorf("opened under another row's identity: %v", err)
	}
	if w := b.Seal([]byte("secret"), "access-key/AKIA1"); w == v {
		t.Error("two seals of one value are equal: the nonce is not fresh")
	}
}

// TestLoadKey: a first start makes a private key file; ARCA_MASTER_KEY
// wins over it; a malformed key is refused; tools never make a key.
func TestLoadKey(t *testing.T) {
	data := t.TempDir()
	if _, _, err := sealed.Load(sealed.Source{Data: data}); err == nil {
		t.Error("Load without Create made or found a key in an empty directory")
	}
	b1, created, err := sealed.Load(sealed.Source{Data: data, Create: true})
	must(t, err)
	fi, err := os.Stat(created)
	must(t, err)
	if created != filepath.Join(data, sealed.KeyFile) || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file %s mode %v", created, fi.Mode().Perm())
	}
	b2, created, err := sealed.Load(sealed.Source{Data: data, Create: true})
	must(t, err)
	if created != "" {
		t.Error("a second start made another key")
	}
	v := b1.Seal([]byte("x"), "r")
	if _, _, err := b2.Open([]byte(v), "r"); err != nil {
		t.Errorf("the key file's key differs between loads: %v", err)
	}
	env := base64.StdEncoding.EncodeToString(newKey(t, 9))
	b3, _, err := sealed.Load(sealed.Source{Env: env, Data: data})
	must(t, err)
	if _, _, err := b3.Open([]byte(v), "r"); err == nil {
		t.Error("ARCA_MASTER_KEY did not win over the key file")
	}
	for _, bad := range []string{"not base64!", base64.StdEncoding.EncodeToString([]byte("short"))} {
		if _, _, err := sealed.Load(sealed.Source{Env: bad}); err == nil || !strings.Contains(err.Error(), "ARCA_MASTER_KEY") {
			t.Errorf("key %q: %v", bad, err)
		}
	}
}
