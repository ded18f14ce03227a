package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "arca.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "arca.db")
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	d := store.Domain{Owner: "111122223333", Name: "kept"}
	if err := s.CreateDomain(ctx, &d); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Opening again runs the migrations again: they must be a no-op.
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.GetDomain(ctx, "111122223333", "kept"); err != nil {
		t.Fatalf("domain lost across reopen: %v", err)
	}
}
