package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/store/engine"
)

func TestCheck(t *testing.T) {
	for _, ok := range []string{"", "postgres://arca@db.test/arca", "postgresql://arca@db.test:5432/arca?sslmode=verify-full"} {
		if err := engine.Check(ok); err != nil {
			t.Errorf("Check(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"arca.db", "sqlite:///tmp/arca.db", "mysql://arca:hunter2@db.test/arca"} {
		err := engine.Check(bad)
		if err == nil {
			t.Errorf("Check(%q) accepted it", bad)
		} else if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Check(%q) = %v: the password is in the message", bad, err)
		}
	}
}

// TestOpenEmbedded: the server creates the embedded database on its first
// start; a tool beside it refuses a data directory that has none, rather
// than creating an empty database in the wrong place.
func TestOpenEmbedded(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	if _, err := engine.Open(ctx, "", data, false); err == nil || !strings.Contains(err.Error(), "no Arca database at "+filepath.Join(data, engine.DatabaseFile)) {
		t.Fatalf("a tool's Open of an empty directory = %v, want a refusal naming the database", err)
	}
	if _, err := os.Stat(filepath.Join(data, engine.DatabaseFile)); !os.IsNotExist(err) {
		t.Fatalf("the refused Open left a database behind (%v)", err)
	}
	st, err := engine.Open(ctx, "", data, true)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = engine.Open(ctx, "", data, false)
	if err != nil {
		t.Fatalf("a tool's Open after the server made the database: %v", err)
	}
	st.Close()
	if got := engine.Where("", data); got != filepath.Join(data, engine.DatabaseFile) {
		t.Errorf("Where = %q", got)
	}
	if got := engine.Where("postgres://arca:hunter2@db.test/arca", data); strings.Contains(got, "hunter2") {
		t.Errorf("Where = %q shows the password", got)
	}
}
