package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/sealed"
	"github.com/arcahq/arca/internal/server"
	"github.com/arcahq/arca/internal/servertest"
	"github.com/arcahq/arca/internal/store/sqlite"
)

// TestDatabaseHoldsNoSecret runs a server that holds a root key, an IAM
// user's key and its token-signing key, checkpoints its database and
// searches the database file and its write-ahead log for each secret,
// raw and in hex and base64. Then a start with another master key fails,
// saying why.
func TestDatabaseHoldsNoSecret(t *testing.T) {
	srv := servertest.Start(t, func(c *config.Config) { c.AuditLog = config.AuditOff })
	c := &secretsClient{t: t, url: srv.URL, secrets: map[string]string{}}
	c.iam(servertest.AccessKeyID, servertest.SecretAccessKey, "Action", "CreateUser", "UserName", "alice")
	var key struct {
		Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
	}
	if err := xml.Unmarshal(c.iam(servertest.AccessKeyID, servertest.SecretAccessKey, "Action", "CreateAccessKey", "UserName", "alice"), &key); err != nil || key.Secret == "" {
		t.Fatalf("CreateAccessKey: %v", err)
	}
	path := filepath.Join(srv.Data, "arca.db")

	files := servertest.DatabaseFiles(t, path)
	// The signing key, read the way the server reads it (after the files
	// were read: opening seals what it finds in plain text).
	box, _, err := sealed.Load(sealed.Source{Data: srv.Data})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sealed.Open(t.Context(), raw, box)
	if err != nil {
		t.Fatal(err)
	}
	signing, err := st.ListSigningKeys(t.Context())
	st.Close()
	if err != nil || len(signing) == 0 {
		t.Fatalf("signing keys: %v %v", signing, err)
	}

	secrets := map[string][]byte{"the root secret key": []byte(servertest.SecretAccessKey), "an IAM user's secret key": []byte(key.Secret)}
	for _, k := range signing {
		secrets["a signing key"] = k.Secret
		secrets["a signing key in hex"] = []byte(hex.EncodeToString(k.Secret))
		secrets["a signing key in base64"] = []byte(base64.StdEncoding.EncodeToString(k.Secret))
	}
	for what, s := range secrets {
		if bytes.Contains(files, s) {
			t.Errorf("%s is in the database files", what)
		}
	}

	// Another master key: the start fails, naming the master key.
	cfg := config.Defaults()
	cfg.Data, cfg.Listen = srv.Data, "127.0.0.1:0"
	cfg.MasterKey = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, sealed.KeySize))
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	other, err := server.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil {
		other.Close()
		t.Fatal("a server started with the wrong master key")
	}
	if !strings.Contains(err.Error(), "the master key does not open the secrets") {
		t.Errorf("wrong master key: %v", err)
	}
}
